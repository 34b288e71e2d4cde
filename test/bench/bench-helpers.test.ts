/**
 * The measuring helpers of the benchmarks: percentiles and latency summaries, and the size
 * estimate of operator snapshots (bench/latency-stats.ts, bench/nexmark-state.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, summarizeLatencies } from '../../bench/latency-stats.ts';
import { estimateBytes } from '../../bench/nexmark-state.ts';

describe('latency summaries', () => {
  it('takes nearest-rank percentiles of the samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile(sorted, 100), 100);
    assert.equal(percentile(sorted, 0), 1);
    assert.equal(percentile([7], 99), 7);
  });

  it('summarizes unsorted samples, rounded to 0.1 ms', () => {
    assert.deepEqual(summarizeLatencies([30.04, 10, 20]), { samples: 3, p50Ms: 20, p99Ms: 30, maxMs: 30, meanMs: 20 });
  });

  it('reports no figures, not zeros, without samples', () => {
    assert.equal(percentile([], 50), null);
    assert.deepEqual(summarizeLatencies([]), { samples: 0, p50Ms: null, p99Ms: null, maxMs: null, meanMs: null });
  });
});

describe('snapshot size estimate', () => {
  it('counts strings in UTF-8, numbers as 8 bytes, buffers as they are', () => {
    assert.equal(estimateBytes('é'), 3);
    assert.equal(estimateBytes(42), 8);
    assert.equal(estimateBytes(10n), 8);
    assert.equal(estimateBytes(Buffer.alloc(10)), 11);
    assert.equal(estimateBytes(null), 1);
  });

  it('adds up nested arrays, objects and maps', () => {
    assert.equal(estimateBytes([1, 'ab']), 1 + 8 + 3);
    assert.equal(estimateBytes({ k: 1 }), 1 + 2 + 8);
    assert.equal(estimateBytes(new Map([['a', 1]])), 1 + 2 + 8);
  });

  it('grows with the entries a snapshot holds', () => {
    const entries = (n: number) => ({ entries: Array.from({ length: n }, (_, i) => [`key-${i}`, [i, 'row'], 0]) });
    assert.ok(estimateBytes(entries(1000)) > 9 * estimateBytes(entries(100)));
  });
});
