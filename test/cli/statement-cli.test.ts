/**
 * `shiftleft statement list|describe|stop|resume|delete` against a running `shiftleft up` (the
 * REST API), and on the data directory once it stopped (stored statements only: resume needs
 * the platform). Errors are one clear line with a hint, never a stack trace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli, waitForLine } from '../support/child.ts';

describe('shiftleft statement', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'shiftleft-statement-cli-'));
  let up: ChildProcess | undefined;
  let url = '';
  const cli = (...args: string[]) => runCli(['--data-dir', dir, 'statement', ...args]);
  const sql = async (body: Record<string, unknown>) => {
    const response = await fetch(`${url}/v1/statements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.clone().text());
    return response.json();
  };

  before(async () => {
    up = spawn(process.execPath, [join(repoRoot, 'bin', 'shiftleft.js'), '--data-dir', dir, 'up', '--port', '0', '--registry-port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    url = /(http:\/\/\S+)/.exec(await waitForLine(up, /platform API\s+http:\/\//, 60_000))![1]!;
    await sql({ sql: 'CREATE TABLE clicks (usr STRING, n INT); CREATE TABLE copies (usr STRING, n INT)' });
    await sql({ sql: "INSERT INTO clicks VALUES ('ann', 1), ('bob', 2)", bounded: true });
    await sql({ sql: 'INSERT INTO copies SELECT * FROM clicks', properties: { 'client.statement-name': 'copy-clicks', 'execution.checkpointing.interval': '200 ms' } });
  });

  after(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((resolve) => up!.once('exit', resolve));
      up.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists and describes a running statement through the platform', async () => {
    let r = await cli('list', '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const listed = (JSON.parse(r.stdout) as { name: string; status: string; delivery?: string }[]).find((s) => s.name === 'copy-clicks');
    assert.equal(listed?.status, 'RUNNING');
    assert.equal(listed?.delivery, 'exactly-once');

    r = await cli('describe', 'copy-clicks');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /status\s+RUNNING/);
    assert.match(r.stdout, /INSERT INTO/);
    assert.match(r.stdout, /delivery\s+exactly-once, checkpoint every 200 ms/);
    assert.match(r.stdout, /clicks\s+0\s+\d+\s+\d+\s+0/, 'the source partition, caught up (lag 0)');
  });

  it('stops and resumes it, and refuses unknown names and bad flags clearly', async () => {
    let r = await cli('stop', 'copy-clicks');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /copy-clicks' is STOPPED/);
    r = await cli('resume', 'copy-clicks');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /copy-clicks' is RUNNING/);

    r = await cli('stop', 'nope');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /statement 'nope' does not exist/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    r = await cli('resume', 'copy-clicks', '--from-checkpoint', 'zero');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /a checkpoint id is a positive integer/);
  });

  it('works on the stored statements once the platform stopped, and deletes them', async () => {
    const exited = new Promise((resolve) => up!.once('exit', resolve));
    up!.kill('SIGTERM');
    await exited;

    let r = await cli('list');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /copy-clicks\s+STOPPED/, 'stored, waiting for the next `up`');
    r = await cli('resume', 'copy-clicks');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /shiftleft up/, 'resume needs the platform, and says so');
    r = await cli('delete', 'copy-clicks');
    assert.equal(r.code, 0, r.stderr);
    r = await cli('describe', 'copy-clicks');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /does not exist/);
  });
});
