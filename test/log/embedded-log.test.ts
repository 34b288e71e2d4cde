import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import { runLogConformance, rejectsWith } from './conformance.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'shiftleft-log-'));
}

runLogConformance('embedded', async () => {
  const dir = tempDir();
  const client = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
  return {
    client,
    close: async () => {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const values = (records: { value: Buffer | null }[]): (string | null)[] => records.map((r) => (r.value === null ? null : r.value.toString()));

async function readAll(log: EmbeddedLog, topic: string, partition = 0): Promise<{ offset: number; key: string | null; value: string | null }[]> {
  const out = [];
  let offset = await log.listOffsets({ topic, partition }, 'earliest');
  for (;;) {
    const page = await log.fetch({ topic, partition }, offset);
    for (const r of page.records) out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
    if (page.nextOffset === offset || page.nextOffset >= page.highWatermark) break;
    offset = page.nextOffset;
  }
  return out;
}

function segmentFiles(dir: string, topic: string, partition = 0): string[] {
  return readdirSync(join(dir, topic, String(partition))).filter((f) => f.endsWith('.log')).sort();
}

describe('embedded log on disk', () => {
  it('keeps topics, records and committed offsets across a restart', async () => {
    const dir = tempDir();
    let log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    await log.createTopic('orders', { partitions: 2, config: { 'retention.ms': 123_456 } });
    await log.produce('orders', [
      { key: Buffer.from('a'), value: Buffer.from('1') },
      { key: Buffer.from('b'), value: Buffer.from('2') },
    ]);
    await log.commitOffsets('g1', [{ topic: 'orders', partition: 0, offset: 1 }]);
    await log.close();

    log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    const d = await log.describeTopic('orders');
    assert.equal(d.config['retention.ms'], 123_456);
    assert.equal(d.partitions.reduce((n, p) => n + p.highWatermark, 0), 2);
    assert.deepEqual(await log.fetchCommittedOffsets('g1'), [{ topic: 'orders', partition: 0, offset: 1 }]);
    assert.deepEqual(log.recoveryProblems, []);
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rolls segments, indexes them, and reads and seeks by time across them', async () => {
    const dir = tempDir();
    let log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    await log.createTopic('t', { config: { 'segment.bytes': 16 * 1024 } });
    for (let batch = 0; batch < 50; batch++) {
      await log.produce(
        't',
        Array.from({ length: 20 }, (_, i) => ({ value: Buffer.from(`v${batch * 20 + i}`.padEnd(60, '.')), timestamp: 1_000_000 + (batch * 20 + i) * 10 })),
      );
    }
    assert.ok(segmentFiles(dir, 't').length > 3, 'several segments were rolled');
    await log.close();
    log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    const all = await readAll(log, 't');
    assert.equal(all.length, 1000);
    assert.deepEqual(
      all.map((r) => r.offset),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    const page = await log.fetch({ topic: 't', partition: 0 }, 777, { maxRecords: 2 });
    assert.deepEqual(
      values(page.records).map((v) => v!.replace(/\.+$/, '')),
      ['v777', 'v778'],
    );
    assert.equal(await log.listOffsets({ topic: 't', partition: 0 }, { timestamp: 1_000_000 + 555 * 10 }), 555);
    assert.equal(await log.listOffsets({ topic: 't', partition: 0 }, { timestamp: 1_000_000 + 555 * 10 - 5 }), 555);
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deletes old segments by retention.bytes and retention.ms, never the active one', async () => {
    const dir = tempDir();
    let now = 10_000_000;
    const log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0, now: () => now });
    await log.createTopic('bysize', { config: { 'segment.bytes': 4096, 'retention.bytes': 10_000 } });
    await log.createTopic('bytime', { config: { 'retention.ms': 60_000 } });
    for (let i = 0; i < 200; i++) await log.produce('bysize', [{ value: Buffer.alloc(100, 65) }]);
    await log.produce('bytime', [{ value: Buffer.from('old'), timestamp: now - 120_000 }]);
    log.rollAll();
    await log.produce('bytime', [{ value: Buffer.from('new'), timestamp: now }]);
    const report = log.runMaintenance();
    assert.ok(report.segmentsDeleted >= 2);
    const bysize = (await log.describeTopic('bysize')).partitions[0]!;
    assert.ok(bysize.sizeBytes! <= 10_000 + 4096, `kept ${bysize.sizeBytes} bytes`);
    assert.ok(bysize.logStartOffset > 0);
    assert.equal(bysize.highWatermark, 200);
    await rejectsWith(log.fetch({ topic: 'bysize', partition: 0 }, 0), 'OFFSET_OUT_OF_RANGE');
    assert.deepEqual(
      values((await log.fetch({ topic: 'bytime', partition: 0 }, 1)).records),
      ['new'],
    );
    assert.equal((await log.describeTopic('bytime')).partitions[0]!.logStartOffset, 1);
    // A consumer whose position was deleted resets instead of failing.
    const consumer = log.createConsumer({ topics: ['bysize'], startFrom: 'earliest' });
    consumer.seek({ topic: 'bysize', partition: 0 }, 0);
    const records = await consumer.poll({ timeoutMs: 100 });
    assert.equal(records[0]!.offset, bysize.logStartOffset);
    now += 1;
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compacts to the latest value per key, keeps offsets, and drops tombstones after delete.retention.ms', async () => {
    const dir = tempDir();
    let now = 50_000_000;
    const log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0, now: () => now });
    await log.createTopic('c', { config: { 'cleanup.policy': 'compact', 'delete.retention.ms': 1000, 'segment.bytes': 1024 * 1024 } });
    const put = (k: string, v: string | null) => log.produce('c', [{ key: Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp: now }]);
    await put('a', 'a1'); // 0
    await put('b', 'b1'); // 1
    await put('a', 'a2'); // 2
    await put('c', 'c1'); // 3
    await put('b', null); // 4 tombstone
    log.rollAll();
    await put('a', 'a3'); // 5, in the active segment
    log.runMaintenance();
    assert.deepEqual(await readAll(log, 'c'), [
      { offset: 3, key: 'c', value: 'c1' },
      { offset: 4, key: 'b', value: null },
      { offset: 5, key: 'a', value: 'a3' },
    ]);
    now += 5000;
    await put('d', 'd1'); // 6 (marks the partition dirty again)
    log.runMaintenance();
    assert.deepEqual(
      (await readAll(log, 'c')).map((r) => r.offset),
      [3, 5, 6],
      'the tombstone is gone after delete.retention.ms',
    );
    // Offsets after compaction still fetch exactly.
    const from4 = await log.fetch({ topic: 'c', partition: 0 }, 4);
    assert.deepEqual(
      from4.records.map((r) => r.offset),
      [5, 6],
    );
    await log.close();
    // Compaction survives a restart.
    const reopened = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    assert.deepEqual(
      (await readAll(reopened, 'c')).map((r) => r.value),
      ['c1', 'a3', 'd1'],
    );
    await reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never compacts records younger than min.compaction.lag.ms', async () => {
    const dir = tempDir();
    const now = 90_000_000;
    const log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0, now: () => now });
    await log.createTopic('lag', { config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': 60_000 } });
    await log.produce('lag', [{ key: Buffer.from('k'), value: Buffer.from('old'), timestamp: now - 1000 }]);
    await log.produce('lag', [{ key: Buffer.from('k'), value: Buffer.from('new'), timestamp: now }]);
    log.rollAll();
    log.runMaintenance();
    assert.deepEqual(
      (await readAll(log, 'lag')).map((r) => r.value),
      ['old', 'new'],
    );
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('truncates a torn tail at open and keeps the cut bytes aside', async () => {
    const dir = tempDir();
    let log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    await log.createTopic('torn');
    for (let i = 0; i < 10; i++) await log.produce('torn', [{ value: Buffer.from(`r${i}`) }]);
    await log.close();
    const file = join(dir, 'torn', '0', segmentFiles(dir, 'torn')[0]!);
    const size = statSync(file).size;
    // Simulate a crash in the middle of writing a batch: half a batch at the end.
    const whole = readFileSync(file);
    appendFileSync(file, whole.subarray(0, 40));
    log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    assert.equal(log.recoveryProblems.length, 1);
    assert.equal(log.recoveryProblems[0]!.kind, 'torn-tail');
    assert.equal(statSync(file).size, size);
    assert.ok(readdirSync(join(dir, 'torn', '0')).some((f) => f.includes('.torn-')), 'the cut bytes were saved');
    assert.equal((await readAll(log, 'torn')).length, 10);
    await log.produce('torn', [{ value: Buffer.from('after') }]);
    assert.deepEqual((await readAll(log, 'torn')).at(-1), { offset: 10, key: null, value: 'after' });
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('detects a corrupted byte by CRC, names file and position, and keeps the rest readable', async () => {
    const dir = tempDir();
    let log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    await log.createTopic('bitrot');
    for (let i = 0; i < 10; i++) await log.produce('bitrot', [{ value: Buffer.from(`record-${i}`) }]);
    await log.close();
    const file = join(dir, 'bitrot', '0', segmentFiles(dir, 'bitrot')[0]!);
    // Batches here are one record each, the same size: flip a value byte in the 4th batch (offset 3).
    const batchSize = statSync(file).size / 10;
    const fd = openSync(file, 'r+');
    const at = batchSize * 3 + batchSize - 3;
    const byte = readFileSync(file)[at]!;
    writeSync(fd, Buffer.from([byte ^ 0xff]), 0, 1, at);
    closeSync(fd);

    log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    assert.equal(log.recoveryProblems.length, 1);
    assert.equal(log.recoveryProblems[0]!.kind, 'corrupt-batch');
    assert.equal(log.recoveryProblems[0]!.position, batchSize * 3);
    const tp = { topic: 'bitrot', partition: 0 };
    // Records before the damage are returned; the next fetch reports it.
    const first = await log.fetch(tp, 0);
    assert.deepEqual(values(first.records), ['record-0', 'record-1', 'record-2']);
    await assert.rejects(log.fetch(tp, first.nextOffset), (error: unknown) => {
      assert.ok(isShiftleftError(error, 'CORRUPT_RECORD'));
      assert.ok(error.message.includes(file), error.message);
      assert.ok(error.message.includes(`position ${batchSize * 3}`), error.message);
      assert.equal(error.details.nextReadableOffset, 4);
      return true;
    });
    const rest = await log.fetch(tp, 4);
    assert.deepEqual(values(rest.records), ['record-4', 'record-5', 'record-6', 'record-7', 'record-8', 'record-9']);
    // Appends still work after the damaged batch.
    await log.produce('bitrot', [{ value: Buffer.from('record-10') }]);
    assert.equal((await log.fetch(tp, 10)).records.length, 1);
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops an interrupted compaction output at open', async () => {
    const dir = tempDir();
    let log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    await log.createTopic('k', { config: { 'cleanup.policy': 'compact' } });
    await log.produce('k', [{ key: Buffer.from('x'), value: Buffer.from('1') }]);
    await log.close();
    const stray = join(dir, 'k', '0', '00000000000000000000.log.cleaned');
    writeFileSync(stray, 'half-written');
    log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    assert.ok(!existsSync(stray));
    assert.equal((await readAll(log, 'k')).length, 1);
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
