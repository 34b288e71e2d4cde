/** `shiftleft apply` against a running `shiftleft up`: everything, statements included, goes through its APIs. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from '../support/child.ts';

describe('shiftleft apply with a platform running', { timeout: 300_000 }, () => {
  let dataDir: string;
  let project: string;
  let up: ChildProcess | undefined;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'shiftleft-apply-up-'));
    project = mkdtempSync(join(tmpdir(), 'shiftleft-project-'));
    mkdirSync(join(project, 'sql'));
    writeFileSync(
      join(project, 'sql', '01-copy.sql'),
      `CREATE TABLE src (a INT NOT NULL, b STRING);
       CREATE TABLE dst (a INT NOT NULL, b STRING);
       SET 'client.statement-name' = 'copy';
       INSERT INTO dst SELECT a, UPPER(b) FROM src WHERE a > 0;`,
    );
    up = spawn(process.execPath, [join(repoRoot, 'bin', 'shiftleft.js'), '--data-dir', dataDir, 'up', '--port', '0', '--registry-port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    up.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    up.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!/press Ctrl-C/.test(output)) {
      if (Date.now() > deadline || up.exitCode !== null) throw new Error(`shiftleft up did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((r) => up!.once('exit', r));
      up.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  it('starts the statements on the platform, and finds them running the second time', async () => {
    const first = await runCli(['--data-dir', dataDir, 'apply', project]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /\+ table src: 2 columns/);
    assert.match(first.stdout, /> statement copy/);
    assert.match(first.stdout, /Applied\./);
    const second = await runCli(['--data-dir', dataDir, 'apply', project, '--dry-run']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /= table src: exists/);
    assert.match(second.stdout, /= statement copy: running/);
    assert.match(second.stdout, /Plan: 0 to create, 0 to update, 0 to run/);
    const statements = await runCli(['--data-dir', dataDir, 'sql', '-e', 'SHOW STATEMENTS']);
    assert.match(statements.stdout, /copy\s+RUNNING/);
  });
});
