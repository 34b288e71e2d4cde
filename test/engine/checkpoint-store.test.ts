/**
 * Checkpoint files: a round trip keeps what operator state holds (Maps, BigInts, Buffers), and
 * every kind of damage is CHECKPOINT_CORRUPT naming the file and the way out; a checkpoint of
 * another plan is STATEMENT_INCOMPATIBLE.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore } from '../../src/engine/checkpoint/checkpoint-store.ts';
import { loadCheckpoint } from '../../src/engine/runtime/checkpointer.ts';
import { rejectsWith } from '../log/conformance.ts';

function store(): { files: CheckpointStore; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'shiftleft-chk-'));
  return { files: new CheckpointStore(root, 'orders/statement'), done: () => rmSync(root, { recursive: true, force: true }) };
}

const snapshot = (id: number, fingerprint = 'abc') => ({
  version: 1,
  statement: 'orders/statement',
  checkpointId: id,
  planFingerprint: fingerprint,
  takenAt: 1000 + id,
  pipeline: { sources: [], operators: [{ id: 0, name: 'GroupAggregate', state: { groups: new Map([['k', [1n, Buffer.from('x')]]]) }, metrics: { recordsIn: 1, recordsOut: 1, lateRecordsDropped: 0, stateExpired: 0 } }] },
});

describe('checkpoint files', () => {
  it('round-trips operator state and keeps the newest files', () => {
    const { files, done } = store();
    try {
      for (const id of [1, 2, 3, 4, 5]) assert.ok(files.write(id, snapshot(id)) > 0);
      const back = files.read(5) as ReturnType<typeof snapshot>;
      const groups = back.pipeline.operators[0]!.state.groups;
      assert.ok(groups instanceof Map);
      assert.equal(groups.get('k')![0], 1n);
      assert.deepEqual(Buffer.from(groups.get('k')![1] as Uint8Array).toString(), 'x');
      files.prune(2, 1);
      assert.deepEqual(files.ids(), [1, 4, 5], 'the protected checkpoint stays');
      assert.ok(files.dir.includes('orders_statement-'), 'a name with a slash gets a safe directory');
    } finally {
      done();
    }
  });

  it('reports a missing, truncated, foreign or damaged file as CHECKPOINT_CORRUPT with the way out', async () => {
    const { files, done } = store();
    try {
      files.write(1, snapshot(1));
      files.write(2, snapshot(2));
      await rejectsWith(() => files.read(3), 'CHECKPOINT_CORRUPT', 'is missing');
      const path = files.fileOf(2);
      const good = readFileSync(path);
      truncateSync(path, good.length - 3);
      await rejectsWith(() => files.read(2), 'CHECKPOINT_CORRUPT', 'truncated');
      writeFileSync(path, 'hello, not a checkpoint');
      await rejectsWith(() => files.read(2), 'CHECKPOINT_CORRUPT', 'not a checkpoint file');
      const flipped = Buffer.from(good);
      flipped[flipped.length - 1] ^= 0xff;
      writeFileSync(path, flipped);
      try {
        files.read(2);
        assert.fail('a flipped byte must not decode');
      } catch (error) {
        assert.equal((error as { code: string }).code, 'CHECKPOINT_CORRUPT');
        assert.match((error as Error).message, /CRC/);
        assert.match((error as { hint: string }).hint, /--from-checkpoint 1/);
      }
    } finally {
      done();
    }
  });

  it('refuses a checkpoint taken for another plan', async () => {
    const { files, done } = store();
    try {
      files.write(1, snapshot(1, 'old-plan'));
      await rejectsWith(() => loadCheckpoint(files, 1, 'new-plan'), 'STATEMENT_INCOMPATIBLE', 'plan changed');
      assert.equal(loadCheckpoint(files, 1, 'old-plan').checkpointId, 1);
      files.write(2, { something: 'else' });
      await rejectsWith(() => loadCheckpoint(files, 2, 'old-plan'), 'CHECKPOINT_CORRUPT');
    } finally {
      done();
    }
  });
});
