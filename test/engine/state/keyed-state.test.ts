import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { open } from 'lmdb';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { KeyedState, type KeyedStateSnapshot } from '../../../src/engine/state/keyed-state.ts';
import { parseStateMaxEntries, DEFAULT_MAX_ENTRIES_IN_MEMORY } from '../../../src/engine/state/state-options.ts';

const root = mkdtempSync(join(tmpdir(), 'keyed-state-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `op-${dirs++}`);

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sorted = <S>(snapshot: KeyedStateSnapshot<S>) => [...snapshot.entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

function expectSpillError(action: () => unknown, text: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(isShiftleftError(error, 'STATE_SPILL_FAILED'), `expected STATE_SPILL_FAILED, got ${String(error)}`);
    assert.ok(error.message.includes(text), `'${text}' not in: ${error.message}`);
    assert.ok(error.hint, 'has a hint');
    return true;
  });
}

describe('KeyedState spilling to disk', () => {
  it('a tiny budget gives the same answers as an unbounded map, with mutation in place', () => {
    const reference = new Map<string, { n: number; tags: string[] }>();
    const state = new KeyedState<{ n: number; tags: string[] }>({ backend: { maxEntriesInMemory: 4, spillDir: freshDir() }, name: 'test' });
    const next = random(7);
    let maxSpilled = 0;
    for (let batch = 0; batch < 300; batch++) {
      for (let i = 0; i < 6; i++) {
        const key = `k${Math.floor(next() * 60)}`;
        const op = next();
        if (op < 0.15) {
          state.delete(key);
          reference.delete(key);
        } else if (op < 0.6) {
          // read-modify in place, as operators do
          const value = state.get(key);
          assert.deepEqual(value, reference.get(key), `get ${key}`);
          if (value !== undefined) {
            value.n++;
            value.tags.push(`b${batch}`);
            const ref = reference.get(key)!;
            ref.n++;
            ref.tags.push(`b${batch}`);
          }
        } else {
          state.set(key, { n: batch, tags: [] }, 0);
          reference.set(key, { n: batch, tags: [] });
        }
        assert.equal(state.has(key), reference.has(key));
      }
      state.enforceMemoryBudget();
      const counts = state.counts();
      assert.ok(counts.inMemory <= 4, `in memory ${counts.inMemory}`);
      assert.equal(counts.inMemory + counts.spilled, reference.size);
      assert.equal(state.size, reference.size);
      maxSpilled = Math.max(maxSpilled, counts.spilled);
    }
    assert.ok(maxSpilled > 20, `spilled at most ${maxSpilled}`);
    assert.ok(state.readBacks > 0 && state.spilledWrites > 0);
    assert.deepEqual(sorted(state.snapshot()), [...reference].map(([k, v]) => [k, v, 0]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    state.close();
  });

  it('keeps keys and values exactly: long keys, lone surrogates, Maps, bytes, nulls', () => {
    const state = new KeyedState<unknown[]>({ backend: { maxEntriesInMemory: 1, spillDir: freshDir() } });
    const values: [string, unknown[]][] = [
      ['x'.repeat(5000), [1, 'long key']],
      ['\ud800 lone surrogate', [2, null]],
      ['', [3, new Map<unknown, unknown>([[1, 'a'], ['k', [true, null]]])]],
      ['\u0000\u0001sep', [4, new Uint8Array([1, 2, 3]), { nested: [1.5, -2] }]],
      ['émoji 😀', [5, undefined, Infinity, -Infinity]],
    ];
    for (const [k, v] of values) {
      state.set(k, v, 0);
      state.enforceMemoryBudget();
    }
    assert.equal(state.counts().inMemory, 1);
    for (const [k, v] of values) assert.deepEqual(state.get(k), v, JSON.stringify(k.slice(0, 20)));
    state.enforceMemoryBudget();
    assert.equal(state.size, values.length);
    state.close();
  });

  it('snapshot includes spilled entries; restore works with a budget smaller than the snapshot', () => {
    const big = new KeyedState<number[]>({ ttlMs: 1_000_000, backend: { maxEntriesInMemory: 10, spillDir: freshDir() } });
    for (let i = 0; i < 100; i++) {
      big.set(`k${i}`, [i, i * 2], i);
      big.enforceMemoryBudget();
    }
    assert.ok(big.counts().spilled >= 90);
    const snapshot = JSON.parse(JSON.stringify(big.snapshot())) as KeyedStateSnapshot<number[]>;
    assert.equal(snapshot.entries.length, 100);
    big.close();

    const small = new KeyedState<number[]>({ ttlMs: 1_000_000, backend: { maxEntriesInMemory: 3, spillDir: freshDir() } });
    small.restore(snapshot);
    assert.ok(small.counts().inMemory <= 3, `in memory ${small.counts().inMemory}`);
    assert.equal(small.size, 100);
    // The most recently accessed entries are the ones kept in memory: reading them reads nothing back.
    for (const i of [97, 98, 99]) assert.deepEqual(small.get(`k${i}`), [i, i * 2]);
    assert.equal(small.readBacks, 0);
    for (let i = 0; i < 100; i++) assert.deepEqual(small.get(`k${i}`), [i, i * 2]);
    assert.equal(small.readBacks, 97);
    assert.deepEqual(sorted(small.snapshot()), sorted(snapshot));
    // Restoring again replaces everything, on disk too.
    small.restore({ entries: [['only', [1], 5]] });
    assert.equal(small.size, 1);
    assert.equal(small.get('k5'), undefined);
    small.close();
  });

  it('TTL expires spilled entries too, counted once, and a read-back keeps its own access time', () => {
    const state = new KeyedState<string>({ ttlMs: 100, backend: { maxEntriesInMemory: 2, spillDir: freshDir() } });
    for (let i = 0; i < 10; i++) {
      state.set(`k${i}`, `v${i}`, i * 10); // accessed at 0, 10, ..., 90
      state.enforceMemoryBudget();
    }
    assert.ok(state.counts().spilled >= 8);
    // A plain read (no `now`) brings k1 back without refreshing it; a read with `now` refreshes k2.
    assert.equal(state.get('k1'), 'v1');
    assert.equal(state.get('k2', 150), 'v2');
    // A spilled key rewritten lands in memory; its stale disk record must not count as an expiry.
    state.set('k3', 'v3b', 160);
    state.enforceMemoryBudget();
    // At 165 everything accessed before 65 is idle for more than 100 ms: k0, k1, k4, k5, k6.
    assert.equal(state.expire(165), 5);
    assert.deepEqual(sorted(state.snapshot()).map(([k]) => k), ['k2', 'k3', 'k7', 'k8', 'k9']);
    assert.equal(state.expire(165), 0);
    assert.equal(state.expire(1_000), 5);
    assert.equal(state.size, 0);
    assert.deepEqual(state.counts(), { inMemory: 0, spilled: 0 });
    state.close();
  });

  it('deletes its spill files on close; the default directory is in the OS temp dir', () => {
    const operatorDir = freshDir();
    const left = new KeyedState<number>({ backend: { maxEntriesInMemory: 1, spillDir: operatorDir }, name: 'Join left' });
    const right = new KeyedState<number>({ backend: { maxEntriesInMemory: 1, spillDir: operatorDir }, name: 'Join right' });
    for (const s of [left, right]) {
      s.set('a', 1, 0);
      s.set('b', 2, 0);
      s.enforceMemoryBudget();
    }
    assert.deepEqual(readdirSync(operatorDir).sort(), ['Join-left', 'Join-right']);
    assert.ok(readdirSync(join(operatorDir, 'Join-left')).includes('data.mdb'));
    left.close();
    assert.deepEqual(readdirSync(operatorDir), ['Join-right']);
    right.close();
    assert.equal(existsSync(operatorDir), false, 'the operator directory goes with its last state');

    const byDefault = new KeyedState<number>({ backend: { maxEntriesInMemory: 1 } });
    byDefault.set('a', 1, 0);
    byDefault.set('b', 2, 0);
    byDefault.enforceMemoryBudget();
    const created = readdirSync(tmpdir()).filter((n) => n.startsWith(`shiftleft-state-${process.pid}-`));
    assert.equal(created.length, 1);
    assert.match(basename(created[0]!), /^shiftleft-state-\d+-\d+$/);
    byDefault.close();
    assert.equal(existsSync(join(tmpdir(), created[0]!)), false);
  });

  it('after close, a snapshot that would miss spilled entries fails instead of losing them', () => {
    const state = new KeyedState<number>({ backend: { maxEntriesInMemory: 1, spillDir: freshDir() } });
    state.set('a', 1, 0);
    state.set('b', 2, 0);
    state.enforceMemoryBudget();
    state.close();
    assert.throws(() => state.snapshot(), (e: unknown) => isShiftleftError(e, 'CLOSED'));
    // Nothing spilled: the in-memory entries stay readable after close.
    const small = new KeyedState<number>({ backend: { maxEntriesInMemory: 5, spillDir: freshDir() } });
    small.set('a', 1, 0);
    small.close();
    assert.deepEqual(small.snapshot(), { entries: [['a', 1, 0]] });
  });

  it('an unusable spill directory is a clear STATE_SPILL_FAILED naming it', () => {
    const file = join(root, 'not-a-dir');
    writeFileSync(file, 'x');
    const state = new KeyedState<number>({ backend: { maxEntriesInMemory: 1, spillDir: file }, name: 'GroupAggregate' });
    state.set('a', 1, 0);
    state.set('b', 2, 0);
    expectSpillError(() => state.enforceMemoryBudget(), `GroupAggregate state: cannot create spill directory ${join(file, 'GroupAggregate')}`);
    // Nothing was lost: the entries are still in memory.
    assert.deepEqual(state.counts(), { inMemory: 2, spilled: 0 });
    assert.equal(state.get('b'), 2);
    state.close();
  });

  it('a spill directory removed while running is reported at the next spill', () => {
    const dir = freshDir();
    const state = new KeyedState<number>({ backend: { maxEntriesInMemory: 1, spillDir: dir }, name: 'Rank' });
    state.set('a', 1, 0);
    state.set('b', 2, 0);
    state.enforceMemoryBudget();
    rmSync(dir, { recursive: true, force: true });
    state.set('c', 3, 0);
    expectSpillError(() => state.enforceMemoryBudget(), 'was removed while the statement ran');
    expectSpillError(() => state.snapshot(), 'was removed while the statement ran');
    state.close();
  });

  it('a corrupt spilled record is a clear STATE_SPILL_FAILED naming the key and directory', () => {
    const dir = freshDir();
    const state = new KeyedState<number>({ backend: { maxEntriesInMemory: 1, spillDir: dir }, name: 'Deduplicate' });
    state.set('a', 1, 0);
    state.set('b', 2, 0);
    state.enforceMemoryBudget(); // both were just written: the hand passes both once, then takes 'a'
    assert.deepEqual(state.counts(), { inMemory: 1, spilled: 1 });
    // Damage the record behind the state's back, through a second handle on the same files.
    const env = open({ path: join(dir, 'Deduplicate'), maxDbs: 2, keyEncoding: 'binary', encoding: 'binary' });
    const values = env.openDB<Buffer, Buffer>({ name: 'values', keyEncoding: 'binary', encoding: 'binary' });
    values.transactionSync(() => values.putSync(Buffer.from('\u0000a', 'latin1'), Buffer.from([0xc1, 0xff, 0x00])));
    expectSpillError(() => state.get('a'), `the spilled entry for key "a" in ${join(dir, 'Deduplicate')} is unreadable`);
    assert.equal(state.get('b'), 2);
    state.close();
    env.close().catch(() => undefined);
  });
});

describe('state.memory.max-entries', () => {
  it('parses positive integers with separators, defaults when unset, rejects the rest', () => {
    assert.equal(parseStateMaxEntries(undefined), DEFAULT_MAX_ENTRIES_IN_MEMORY);
    assert.equal(parseStateMaxEntries('250_000'), 250_000);
    assert.equal(parseStateMaxEntries(' 1,000 '), 1000);
    for (const bad of ['0', '-5', '1.5', 'lots', '1e400']) {
      assert.throws(() => parseStateMaxEntries(bad), (e: unknown) => isShiftleftError(e, 'SQL_VALIDATION_ERROR') && e.message.includes(bad));
    }
    assert.throws(() => new KeyedState({ backend: { maxEntriesInMemory: 0 } }), (e: unknown) => isShiftleftError(e, 'INVALID_CONFIG'));
  });
});
