import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirectory } from '../../src/common/data-dir.ts';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import { spawnTs, waitForLine, runCli } from '../support/child.ts';

describe('the log under kill -9', () => {
  it('keeps every acknowledged record, in order, and never returns a partial or corrupt one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftleft-crash-'));
    const acked = [-1, -1];
    for (let round = 0; round < 4; round++) {
      const child = spawnTs('test/log/fixtures/crash-producer.ts', [dir]);
      await waitForLine(child, /^ready$/);
      let buffer = '';
      child.stdout!.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const m = /^ack (\d) (\d+)$/.exec(line);
          if (m) acked[Number(m[1])] = Math.max(acked[Number(m[1])]!, Number(m[2]));
        }
      });
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 600));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;

      // Reopen the way the next process would, and read everything back.
      const dataDir = await DataDirectory.open(dir);
      const log = await EmbeddedLog.open({ dir: dataDir.logDir, maintenanceIntervalMs: 0 });
      for (const partition of [0, 1]) {
        let offset = 0;
        let expected = 0;
        for (;;) {
          const page = await log.fetch({ topic: 'crash', partition }, offset);
          for (const r of page.records) {
            assert.equal(r.offset, expected, 'offsets are dense and in order');
            assert.ok(r.value!.toString().startsWith(`p${partition}-r${expected}-`), `record ${expected} of partition ${partition} is intact`);
            assert.equal(r.value!.length, 40 + (expected % 200));
            expected++;
          }
          if (page.records.length === 0) break;
          offset = page.nextOffset;
        }
        assert.ok(expected - 1 >= acked[partition]!, `round ${round}: partition ${partition} holds ${expected} records, acknowledged up to ${acked[partition]}`);
      }
      assert.ok(log.recoveryProblems.every((p) => p.kind === 'torn-tail'), JSON.stringify(log.recoveryProblems));
      await log.close();
      await dataDir.close();
    }
    assert.ok(acked[0]! > 0 && acked[1]! > 0, 'the producer made progress');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the data directory lock', () => {
  it('refuses a second owner, naming the holder pid, and takes over after the holder dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftleft-lock-'));
    const holder = spawnTs('test/log/fixtures/hold-lock.ts', [dir]);
    await waitForLine(holder, /^locked$/);
    await assert.rejects(DataDirectory.open(dir), (error: unknown) => {
      assert.ok(isShiftleftError(error, 'DATA_DIR_LOCKED'));
      assert.ok(error.message.includes(`process ${holder.pid}`), error.message);
      assert.ok(error.hint?.includes('http://127.0.0.1:9'), error.hint);
      return true;
    });
    const cli = await runCli(['--data-dir', dir, 'topic', 'list']);
    assert.equal(cli.code, 1);
    // The holder published a platform URL, so the CLI tries it first and names the owner.
    assert.match(cli.stderr, new RegExp(`BROKER_UNAVAILABLE.*process ${holder.pid}`));
    assert.doesNotMatch(cli.stderr, /\n\s+at /, 'no stack trace');

    const exited = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await exited;
    const owner = await DataDirectory.open(dir);
    await owner.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
