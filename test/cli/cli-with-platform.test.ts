/**
 * The CLI while `shiftleft up` owns the data directory: topic commands go through the running
 * platform's API (they never open the files), and once the platform stops the same commands
 * read the same records from the directory itself. Also: a live owner that does not answer is
 * a clear BROKER_UNAVAILABLE, and a stale lock of a dead process is taken over.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLiveLock } from '../../src/common/data-dir.ts';
import { repoRoot, runCli } from '../support/child.ts';

interface Row {
  key: string | null;
  value: string | null;
  partition: number;
  offset: number;
  headers: Record<string, string | null>;
}

const rows = (stdout: string): Row[] =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Row);

const ORDERS: [string | null, string][] = [
  ['k1', '{"id":1}'],
  [null, 'bare value'],
  ['k1', '{"id":2}'],
  ['k2', 'tomb'],
];

/** A port nobody listens on: bound by the OS, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Starts `shiftleft up` on `dir` with OS-chosen ports; resolves with its platform URL. */
async function startUp(dir: string): Promise<{ child: ChildProcess; platformUrl: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'shiftleft.js'), '--data-dir', dir, 'up', '--port', '0', '--registry-port', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/press Ctrl-C/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`shiftleft up did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const platformUrl = /platform API\s+(http:\/\/\S+)/.exec(output)![1]!;
  return { child, platformUrl, output: () => output, exited };
}

describe('shiftleft topic while shiftleft up runs', { timeout: 300_000 }, () => {
  let dir: string;
  let up: Awaited<ReturnType<typeof startUp>> | undefined;
  const cli = (args: string[], input?: string) => runCli(['--data-dir', dir, ...args], { input });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-cli-up-'));
    up = await startUp(dir);
  });
  after(async () => {
    if (up && up.child.exitCode === null) {
      up.child.kill('SIGKILL');
      await up.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, consumes, lists, describes, alters and deletes through the platform', async () => {
    const owner = readLiveLock(dir);
    assert.equal(owner?.pid, up!.child.pid);
    assert.equal(owner?.urls.platform, up!.platformUrl);

    let r = await cli(['topic', 'create', 'orders', '--partitions', '2', '--config', 'retention.ms=86400000']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created topic orders with 2 partition/);
    r = await cli(['topic', 'create', 'doomed']);
    assert.equal(r.code, 0, r.stderr);

    // Records written by another client of the platform (curl, a service) while it runs.
    const produced = await fetch(`${up!.platformUrl}/v1/topics/orders/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: ORDERS.map(([key, value]) => ({ key, value, headers: [{ key: 'source', value: 'api' }] })) }),
    });
    assert.equal(produced.status, 200, await produced.clone().text());

    r = await cli(['topic', 'consume', 'orders', '--from-beginning', '--max', '4', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const seen = rows(r.stdout);
    assert.equal(seen.length, 4);
    assert.deepEqual(
      seen.filter((x) => x.key === 'k1').map((x) => x.value),
      ['{"id":1}', '{"id":2}'],
      'one key, one partition, produce order',
    );
    assert.ok(seen.every((x) => x.headers.source === 'api'));

    // A group resumes where it stopped, with offsets committed through the API.
    r = await cli(['topic', 'consume', 'orders', '--group', 'g', '--from-beginning', '--max', '3']);
    assert.equal(r.stdout.trim().split('\n').length, 3, r.stderr);
    r = await cli(['topic', 'consume', 'orders', '--group', 'g', '--timeout', '1']);
    assert.equal(r.stdout.trim().split('\n').length, 1, r.stderr);

    r = await cli(['topic', 'list']);
    assert.deepEqual(r.stdout.trim().split('\n'), ['doomed', 'orders']);
    r = await cli(['topic', 'describe', 'orders', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const described = JSON.parse(r.stdout) as { partitions: { highWatermark: number }[]; config: Record<string, unknown> };
    assert.equal(described.partitions.reduce((n, p) => n + p.highWatermark, 0), 4);
    assert.equal(described.config['retention.ms'], 86_400_000);
    r = await cli(['topic', 'alter', 'orders', '--config', 'retention.ms=172800000']);
    assert.equal(r.code, 0, r.stderr);

    r = await cli(['topic', 'delete', 'doomed']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['topic', 'list']);
    assert.deepEqual(r.stdout.trim().split('\n'), ['orders']);

    // Refusals come back with the log's own code and hint.
    r = await cli(['topic', 'describe', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /TOPIC_NOT_FOUND.*'nope'/);
    assert.match(r.stderr, /hint: create it first/);

    assert.equal(readLiveLock(dir)?.pid, up!.child.pid, 'the platform still owns the directory');
  });

  // `topic produce` now runs through withLogAndRegistry (src/cli/registry-access.ts, another
  // engineer's), which still opens the directory itself; it passes once that function reaches a
  // running platform with connectToRunningPlatform (src/cli/context.ts) as withLog does.
  it('produces lines from stdin through the platform', async () => {
    let r = await cli(['topic', 'create', 'lines']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['topic', 'produce', 'lines', '-H', 'source=cli'], 'k1\tfirst\nbare value\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /produced 2 record/);
    r = await cli(['topic', 'consume', 'lines', '--from-beginning', '--max', '2', '--format', 'json']);
    assert.deepEqual(
      rows(r.stdout).map((x) => [x.key, x.value, x.headers.source]),
      [
        ['k1', 'first', 'cli'],
        [null, 'bare value', 'cli'],
      ],
    );
    r = await cli(['topic', 'produce', 'lines', '--partition', '7'], 'x\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /PARTITION_NOT_FOUND/);
  });

  it('answers bad input on the API with the right status and error body', async () => {
    const base = up!.platformUrl;
    const post = (path: string, body: string) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    let response = await post('/v1/topics/orders/records', '{"records": [{"value": "x"');
    assert.equal(response.status, 400);
    let body = (await response.json()) as { code: string; error_code: number; message: string };
    assert.equal(body.code, 'MALFORMED_REQUEST');
    assert.equal(body.error_code, 400);

    response = await post('/v1/topics/orders/records', JSON.stringify({ records: [{ value: '%%%', valueEncoding: 'base64' }] }));
    assert.equal(response.status, 422);
    body = (await response.json()) as typeof body;
    assert.equal(body.code, 'INVALID_RECORD');
    assert.match(body.message, /not valid base64/);

    response = await post('/v1/topics/unknown/records', JSON.stringify({ records: [{ value: 'x' }] }));
    assert.equal(response.status, 404);
    body = (await response.json()) as typeof body;
    assert.equal(body.code, 'TOPIC_NOT_FOUND');
    assert.equal(body.message, "topic 'unknown' does not exist");
  });

  it('reads the same records from the directory once the platform has stopped', async () => {
    up!.child.kill('SIGTERM');
    assert.equal(await up!.exited, 0, up!.output());
    assert.equal(readLiveLock(dir), undefined);

    const r = await cli(['topic', 'consume', 'orders', '--from-beginning', '--max', '4', '--timeout', '5', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(rows(r.stdout).map((x) => [x.key, x.value]).sort(), [...ORDERS].sort());
    const described = JSON.parse((await cli(['topic', 'describe', 'orders', '--format', 'json'])).stdout) as { config: Record<string, unknown> };
    assert.equal(described.config['retention.ms'], 172_800_000, 'the alter made through the platform is on disk');
    const group = await cli(['topic', 'consume', 'orders', '--group', 'g', '--timeout', '1']);
    assert.equal(group.stdout, '', 'the group offsets committed through the platform are on disk');
  });
});

describe('shiftleft topic with a lock but no answering platform', { timeout: 60_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-cli-lock-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fails clearly when the owner lives but does not answer at its URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    // This test process is alive and is not the CLI child: it plays the silent owner.
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), urls: { platform: url } }));
    const r = await runCli(['--data-dir', dir, 'topic', 'list']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /BROKER_UNAVAILABLE/);
    assert.ok(r.stderr.includes(url), r.stderr);
    assert.match(r.stderr, new RegExp(`process ${process.pid}`));
    assert.match(r.stderr, /hint:/);
  });

  it('takes over the stale lock of a dead process and opens the directory', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('exit', resolve));
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: dead.pid, startedAt: new Date().toISOString(), urls: { platform: 'http://127.0.0.1:9' } }));
    let r = await runCli(['--data-dir', dir, 'topic', 'create', 'after-crash']);
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(['--data-dir', dir, 'topic', 'list']);
    assert.deepEqual(r.stdout.trim().split('\n'), ['after-crash']);
  });
});
