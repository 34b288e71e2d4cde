/**
 * The platform process: `startPlatform` on a fresh data directory serves the platform API and
 * the registry, publishes its URLs in the lock, refuses a second owner, and `close` releases
 * everything so the directory can be opened again with its registry state intact.
 * Also `shiftleft up` as a real child process stopped by SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { readLiveLock } from '../../src/common/data-dir.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import { startPlatform } from '../../src/platform.ts';
import { registerUpCommand } from '../../src/cli/commands/up.ts';
import { call } from '../registry/registry-harness.ts';

test('startPlatform serves both APIs and closes cleanly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shiftleft-platform-'));
  try {
    const platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0 });
    try {
      const health = await call(platform.urls.platform, 'GET', '/health');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      assert.equal(health.body.urls.registry, platform.urls.registry);

      const registered = await call(platform.urls.registry, 'POST', '/subjects/t-value/versions', { schema: '"string"' });
      assert.equal(registered.body.id, 1);

      const topics = await call(platform.urls.platform, 'GET', '/v1/topics?includeInternal=true');
      const schemas = topics.body.find((t: { name: string }) => t.name === '_schemas');
      assert.equal(schemas.cleanupPolicy, 'compact');
      assert.equal(schemas.internal, true);
      assert.ok(!(await call(platform.urls.platform, 'GET', '/v1/topics')).body.some((t: { name: string }) => t.name === '_schemas'));

      await assert.rejects(startPlatform({ dataDir: dir, port: 0, registryPort: 0 }), (error: unknown) => isShiftleftError(error, 'DATA_DIR_LOCKED'));
    } finally {
      await platform.close();
    }
    const again = await startPlatform({ dataDir: dir, port: 0, registryPort: 0 });
    try {
      assert.equal((await call(again.urls.registry, 'GET', '/subjects/t-value/versions/1')).body.id, 1);
    } finally {
      await again.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a busy port is a clear error and leaves the data directory unlocked', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shiftleft-platform-'));
  const first = await startPlatform({ dataDir: join(dir, 'a'), port: 0, registryPort: 0 });
  try {
    const busy = Number(new URL(first.urls.registry).port);
    await assert.rejects(startPlatform({ dataDir: join(dir, 'b'), port: 0, registryPort: busy }), (error: unknown) => {
      return isShiftleftError(error, 'INVALID_CONFIG') && /--registry-port/.test(error.hint ?? '');
    });
    const retry = await startPlatform({ dataDir: join(dir, 'b'), port: 0, registryPort: 0 });
    await retry.close();
  } finally {
    await first.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the up command is registered with its options', () => {
  const program = new Command();
  registerUpCommand(program);
  const up = program.commands.find((c) => c.name() === 'up');
  assert.ok(up);
  assert.deepEqual(
    up.options.map((o) => o.long),
    ['--port', '--registry-port', '--host', '--kafka', '--kafka-sasl-mechanism', '--kafka-sasl-username', '--kafka-tls', '--kafka-ca', '--auth'],
  );
});

test('shiftleft up runs in the foreground and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shiftleft-up-'));
  try {
    // A tiny program with only the up command, so this test does not depend on main.ts wiring.
    const script = `
      import { Command } from 'commander';
      import { registerUpCommand } from ${JSON.stringify(new URL('../../src/cli/commands/up.ts', import.meta.url).href)};
      const program = new Command().option('-d, --data-dir <dir>');
      registerUpCommand(program);
      // With -e, argv has no script path: everything after the executable is the user's.
      await program.parseAsync(process.argv.slice(1), { from: 'user' });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', '--data-dir', dir, 'up', '--port', '0', '--registry-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const deadline = Date.now() + 30_000;
    while (!/press Ctrl-C/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(output, /schema registry\s+http:\/\/127\.0\.0\.1:\d+/, output);
    const registryUrl = /schema registry\s+(http:\/\/\S+)/.exec(output)![1]!;
    assert.deepEqual((await call(registryUrl, 'GET', '/')).body, {});
    assert.equal(readLiveLock(dir)?.urls.registry, registryUrl);

    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.match(output, /stopped/);
    assert.equal(readLiveLock(dir), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
