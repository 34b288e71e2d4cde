/**
 * `shiftleft apikey` on a data directory and against `shiftleft up --auth` (a real child
 * process), and the CLI commands of a platform under access control: they send the key of
 * $SHIFTLEFT_API_KEY / $SHIFTLEFT_API_SECRET, refusals are clear, deletion takes effect, and
 * no secret shows up in what the platform prints.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli, type RunResult } from '../support/child.ts';
import { startPlatform } from '../../src/platform.ts';

interface CreatedKey {
  key: string;
  secret: string;
  admin: boolean;
  kekGrants: string[];
}

const NO_KEY = { SHIFTLEFT_API_KEY: '', SHIFTLEFT_API_SECRET: '' };
const envOf = (key: { key: string; secret: string }) => ({ SHIFTLEFT_API_KEY: key.key, SHIFTLEFT_API_SECRET: key.secret });

async function startUpWithAuth(dir: string): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'shiftleft.js'), '--data-dir', dir, 'up', '--auth', '--port', '0', '--registry-port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, ...NO_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/press Ctrl-C/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`shiftleft up --auth did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, output: () => output, exited };
}

function refused(result: RunResult, code: string): void {
  assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr, new RegExp(`error \\[${code}\\]`));
}

describe('shiftleft apikey', { timeout: 600_000 }, () => {
  let dir: string;
  let up: Awaited<ReturnType<typeof startUpWithAuth>> | undefined;
  let ci: CreatedKey;
  let admin: { key: string; secret: string };
  const cliOutputs: string[] = [];
  const cli = async (args: string[], env: Record<string, string> = NO_KEY): Promise<RunResult> => {
    const result = await runCli(['--data-dir', dir, ...args], { env });
    cliOutputs.push(result.stdout, result.stderr);
    return result;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-apikey-'));
  });
  after(async () => {
    if (up && up.child.exitCode === null) {
      up.child.kill('SIGKILL');
      await up.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('manages keys on the data directory while no platform runs', async () => {
    let r = await cli(['apikey', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no API keys/);

    r = await cli(['apikey', 'create', '--description', 'ci pipeline', '--grant-kek', 'payments-kek', '--grant-kek', 'orders-kek', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    ci = JSON.parse(r.stdout) as CreatedKey;
    assert.match(ci.key, /^[A-Z0-9]{16}$/);
    assert.ok(ci.secret.length >= 40);
    assert.equal(ci.admin, false);
    assert.deepEqual(ci.kekGrants, ['payments-kek', 'orders-kek']);

    r = await cli(['apikey', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${ci.key}\\s+no\\s+payments-kek,orders-kek`));
    assert.ok(!r.stdout.includes(ci.secret), 'lists never show secrets');
  });

  it('refuses bad input with clear errors', async () => {
    let r = await cli(['apikey', 'delete', 'not-a-key']);
    refused(r, 'INVALID_ARGUMENT');
    assert.match(r.stderr, /16 upper-case letters and digits/);
    r = await cli(['apikey', 'delete', 'AAAAAAAAAAAAAAAA']);
    refused(r, 'NOT_FOUND');
    assert.match(r.stderr, /API key AAAAAAAAAAAAAAAA does not exist[\s\S]*hint: .*apikey list/);
    r = await cli(['apikey', 'create', '--grant-kek', ' spaced ']);
    refused(r, 'INVALID_ARGUMENT');
    r = await cli(['apikey', 'create', '--grant-kek']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--grant-kek <name>' argument missing/);
  });

  it('runs under shiftleft up --auth: first admin key, keys from the environment, 401/403, deletion', async () => {
    up = await startUpWithAuth(dir);
    const printed = /SHIFTLEFT_API_KEY=(\S+)\n\s*SHIFTLEFT_API_SECRET=(\S+)/.exec(up.output());
    assert.ok(printed, `up --auth prints the first admin key: ${up.output()}`);
    admin = { key: printed[1]!, secret: printed[2]! };

    // Without a key, with a wrong secret, with half a key.
    let r = await cli(['topic', 'list']);
    refused(r, 'UNAUTHENTICATED');
    assert.match(r.stderr, /hint: .*SHIFTLEFT_API_KEY/);
    r = await cli(['topic', 'list'], envOf({ key: ci.key, secret: 'wrong-secret-value' }));
    refused(r, 'UNAUTHENTICATED');
    r = await cli(['topic', 'list'], { SHIFTLEFT_API_KEY: ci.key, SHIFTLEFT_API_SECRET: '' });
    refused(r, 'INVALID_CONFIG');

    // A valid key: the log API, the registry and SQL.
    r = await cli(['topic', 'create', 'orders'], envOf(ci));
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['topic', 'list'], envOf(ci));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['orders']);
    r = await cli(['schema', 'list'], envOf(ci));
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['sql', '-e', 'SHOW TABLES'], envOf(ci));
    assert.equal(r.code, 0, r.stderr);

    // The admin API: forbidden to a plain key, refused without one, open to the admin key.
    r = await cli(['apikey', 'list'], envOf(ci));
    refused(r, 'FORBIDDEN');
    r = await cli(['apikey', 'list']);
    refused(r, 'UNAUTHENTICATED');
    r = await cli(['apikey', 'create', '--description', 'temporary', '--format', 'json'], envOf(admin));
    assert.equal(r.code, 0, r.stderr);
    const temporary = JSON.parse(r.stdout) as CreatedKey;
    r = await cli(['topic', 'list'], envOf(temporary));
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['apikey', 'delete', temporary.key], envOf(admin));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`deleted API key ${temporary.key}`));
    r = await cli(['topic', 'list'], envOf(temporary));
    refused(r, 'UNAUTHENTICATED');
    r = await cli(['apikey', 'delete', temporary.key], envOf(admin));
    refused(r, 'NOT_FOUND');

    up.child.kill('SIGTERM');
    assert.equal(await up.exited, 0);
    // What the platform printed holds no secret but the first admin key's, shown once by design.
    const printedByPlatform = up.output();
    for (const secret of [ci.secret, temporary.secret, 'wrong-secret-value']) assert.ok(!printedByPlatform.includes(secret), 'a secret in the output of up');
    assert.equal(printedByPlatform.split(admin.secret).length, 2, 'the admin secret is printed exactly once');
    // Error output of the CLI never echoes a secret either.
    const errors = cliOutputs.filter((_, i) => i % 2 === 1).join('\n');
    for (const secret of [ci.secret, temporary.secret, admin.secret, 'wrong-secret-value']) assert.ok(!errors.includes(secret));

    // Stopped: the data directory holds the same keys.
    r = await cli(['apikey', 'list', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const keys = (JSON.parse(r.stdout) as CreatedKey[]).map((k) => [k.key, k.admin]);
    assert.deepEqual(keys.sort(), [
      [admin.key, true],
      [ci.key, false],
    ].sort());
  });

  it('says so when the running platform has no access control', async () => {
    const openDir = mkdtempSync(join(tmpdir(), 'shiftleft-apikey-open-'));
    // A platform in this test process owns the directory; the CLI child reaches it over HTTP.
    const open = await startPlatform({ dataDir: openDir, port: 0, registryPort: 0 });
    try {
      const r = await runCli(['--data-dir', openDir, 'apikey', 'list'], { env: envOf(ci) });
      refused(r, 'UNSUPPORTED');
      assert.match(r.stderr, /runs without access control[\s\S]*hint: .*up --auth/);
    } finally {
      await open.close();
      rmSync(openDir, { recursive: true, force: true });
    }
  });
});
