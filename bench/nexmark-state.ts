/**
 * State of a running Nexmark pipeline, for the benchmark: how many entries its operators hold
 * (their `stateSize()`, where they have one), the heap held, how big the operators' snapshots
 * are, and how far the generators are. Sampled while the query runs, before the end of input
 * flushes every window and join buffer, so the figures show whether state grows with the
 * stream or stays flat. Snapshots copy the state, so their size is taken once, at the end.
 */
import { NexmarkSource } from '../src/engine/runtime/nexmark-source.ts';
import type { Pipeline } from '../src/engine/runtime/pipeline.ts';

export interface StateSample {
  /** Fraction of the events generated when the sample was taken. */
  at: number;
  /** Entries over all operators that report a stateSize(). */
  entries: number;
  /** stateSize() per operator (`id:name`). */
  operators: Record<string, Record<string, number>>;
  /** Heap in use after a GC, over the heap before the query started (MB): what all operators hold. */
  heapHeldMb: number;
}

/** Fraction of the events every generator has produced (the slowest one counts). */
export function generatedFraction(pipeline: Pipeline, events: number): number {
  let least = Infinity;
  for (const s of pipeline.sources) if (s.topic instanceof NexmarkSource) least = Math.min(least, s.topic.recordsRead);
  return least === Infinity ? 1 : least / events;
}

export function sampleState(pipeline: Pipeline, at: number, heapHeldMb: number): StateSample {
  const operators: Record<string, Record<string, number>> = {};
  let entries = 0;
  for (const o of pipeline.operators) {
    const size = (o.operator as { stateSize?: () => Record<string, unknown> }).stateSize?.();
    if (!size) continue;
    const counts: Record<string, number> = {};
    for (const [k, v] of Object.entries(size)) {
      if (typeof v !== 'number') continue;
      counts[k] = v;
      entries += v;
    }
    operators[`${o.id}:${o.name}`] = counts;
  }
  return { at, entries, operators, heapHeldMb };
}

/**
 * Bytes the operators' snapshots would take serialized (a size estimate: UTF-8 strings, 8 per
 * number, buffers as they are, a byte per structural element), counted for the operators that
 * report entries and for all together.
 */
export function snapshotBytes(pipeline: Pipeline): { counted: number; all: number } {
  let counted = 0;
  let all = 0;
  for (const o of pipeline.operators) {
    const bytes = estimateBytes(o.operator.snapshotState());
    all += bytes;
    if ((o.operator as { stateSize?: unknown }).stateSize) counted += bytes;
  }
  return { counted, all };
}

export function estimateBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number' || typeof value === 'bigint') return 8;
  if (typeof value === 'string') return Buffer.byteLength(value) + 1;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value.byteLength + 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + estimateBytes(v), 1);
  if (value instanceof Map) {
    let n = 1;
    for (const [k, v] of value) n += estimateBytes(k) + estimateBytes(v);
    return n;
  }
  if (typeof value === 'object') {
    let n = 1;
    for (const [k, v] of Object.entries(value)) n += Buffer.byteLength(k) + 1 + estimateBytes(v);
    return n;
  }
  return 0;
}
