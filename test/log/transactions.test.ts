/**
 * Transactions of the embedded log: the shared conformance suite (transaction-conformance.ts:
 * read_committed visibility, aborts, fencing, a crashed writer, several topics), and what only
 * the embedded log does: aborted ranges and open transactions surviving a restart (recovery at
 * open), and compaction around transactions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.ts';
import type { IsolationLevel, LogClient } from '../../src/log/log-client.ts';
import { runTransactionConformance } from './transaction-conformance.ts';

const b = (s: string): Buffer => Buffer.from(s);

async function read(log: LogClient, topic: string, isolation: IsolationLevel, partition = 0): Promise<string[]> {
  const out: string[] = [];
  let offset = 0;
  for (;;) {
    const page = await log.fetch({ topic, partition }, offset, { isolation });
    for (const r of page.records) out.push(r.value === null ? '<null>' : r.value.toString());
    if (page.records.length === 0 || page.nextOffset === offset) break;
    offset = page.nextOffset;
  }
  return out;
}

async function withLog<T>(fn: (log: EmbeddedLog, dir: string) => Promise<T>, dir = mkdtempSync(join(tmpdir(), 'shiftleft-txn-'))): Promise<T> {
  const log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
  try {
    return await fn(log, dir);
  } finally {
    await log.close();
  }
}

runTransactionConformance('embedded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shiftleft-txn-'));
  let current = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
  return {
    get client() {
      return current;
    },
    // close() without commit is what kill -9 leaves on disk (appends reach the OS at once).
    crashAndRestart: async () => {
      await current.close();
      current = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
      return current;
    },
    close: async () => {
      await current.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('embedded log transactions', () => {
  it('hides an aborted transaction from read_committed readers, also after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftleft-txn-'));
    try {
      await withLog(async (log) => {
        await log.createTopic('t');
        const txn = await log.beginTransaction('writer');
        await txn.produce('t', [{ value: b('x') }, { value: b('y') }]);
        await txn.abort();
        await log.produce('t', [{ value: b('z') }]);
        assert.deepEqual(await read(log, 't', 'read_committed'), ['z']);
        assert.deepEqual(await read(log, 't', 'read_uncommitted'), ['x', 'y', 'z']);
      }, dir);
      await withLog(async (log) => {
        assert.deepEqual(await read(log, 't', 'read_committed'), ['z'], 'the aborted range survives the restart');
      }, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('aborts at open the transactions a dead process left open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftleft-txn-'));
    try {
      // The first process writes inside a transaction and "dies": close() without commit is what
      // kill -9 leaves on disk (appends reach the OS at once; nothing else happens at close).
      const first = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
      await first.createTopic('t');
      await first.produce('t', [{ value: b('committed-before') }]);
      const txn = await first.beginTransaction('writer');
      await txn.produce('t', [{ value: b('in-flight') }]);
      await first.close();

      await withLog(async (log) => {
        assert.equal(log.recoveredTransactions, 1);
        assert.deepEqual(await read(log, 't', 'read_committed'), ['committed-before']);
        const d = await log.describeTopic('t');
        assert.equal(d.partitions[0]!.lastStableOffset, d.partitions[0]!.highWatermark, 'nothing holds the stable offset back');
        const next = await log.beginTransaction('writer');
        await next.produce('t', [{ value: b('again') }]);
        await next.commit();
        assert.deepEqual(await read(log, 't', 'read_committed'), ['committed-before', 'again']);
      }, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never lets an aborted write shadow a committed value when compacting', async () => {
    await withLog(async (log) => {
      await log.createTopic('c', { config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': 0, 'delete.retention.ms': 0 } });
      await log.produce('c', [{ key: b('k'), value: b('v1') }]);
      const txn = await log.beginTransaction('writer');
      await txn.produce('c', [{ key: b('k'), value: b('aborted') }]);
      await txn.abort();
      const open = await log.beginTransaction('other');
      await log.produce('c', [{ key: b('j'), value: b('j1') }]);
      log.rollAll();
      await open.produce('c', [{ key: b('j'), value: b('open') }]);
      log.rollAll();
      await log.produce('c', [{ key: b('z'), value: b('z1') }]);
      log.runMaintenance();
      assert.deepEqual(await read(log, 'c', 'read_committed'), ['v1', 'j1']);
      await open.commit();
      log.rollAll();
      await log.produce('c', [{ key: b('z'), value: b('z2') }]);
      log.runMaintenance();
      assert.deepEqual(await read(log, 'c', 'read_committed'), ['v1', 'open', 'z2']);
      assert.deepEqual(await read(log, 'c', 'read_uncommitted'), ['v1', 'open', 'z2'], 'markers and aborted batches are gone after compaction');
    });
  });
});
