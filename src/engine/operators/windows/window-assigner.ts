/**
 * Window assignment for Flink's window TVFs: which windows [start, end) an event time falls in.
 * Boundaries are aligned to the epoch plus an optional offset, as in Flink:
 *
 *   TUMBLE(size)           start = t - ((t - offset) mod size), one window [start, start + size)
 *   HOP(slide, size)       the size/slide windows [s, s + size) with s aligned to slide, s <= t < s + size
 *   CUMULATE(step, max)    [s, s + k*step) for each k with s + k*step > t, s aligned to max
 *   SESSION(gap)           [t, t + gap), merged per key with every window it touches
 *
 * A row is late, and dropped, once the first window it would update has fired; Flink's slicing
 * operators decide on the row's slice, which ends at that same boundary (see `sliceEnd`).
 */
import { ShiftleftError } from '../../../common/errors.ts';

export type WindowSpec =
  | { kind: 'TUMBLE'; sizeMs: number }
  | { kind: 'HOP'; sizeMs: number; slideMs: number }
  | { kind: 'CUMULATE'; maxSizeMs: number; stepMs: number }
  | { kind: 'SESSION'; gapMs: number };

/** Floor of `time` to a multiple of `unit` shifted by `offset` (works for negative times too). */
export function alignedStart(time: number, unit: number, offset: number): number {
  const remainder = (time - offset) % unit;
  return time - (remainder < 0 ? remainder + unit : remainder);
}

function positiveDuration(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ShiftleftError('SQL_VALIDATION_ERROR', `window ${name} must be a positive interval, got ${value} ms`);
  }
}

/** Rejects windows Flink rejects, with the reason. */
export function validateWindowSpec(spec: WindowSpec): void {
  switch (spec.kind) {
    case 'TUMBLE':
      positiveDuration('size', spec.sizeMs);
      return;
    case 'HOP':
      positiveDuration('size', spec.sizeMs);
      positiveDuration('slide', spec.slideMs);
      if (spec.sizeMs % spec.slideMs !== 0) {
        throw new ShiftleftError('SQL_VALIDATION_ERROR', `HOP window size (${spec.sizeMs} ms) must be an integral multiple of the slide (${spec.slideMs} ms)`, {
          hint: 'Choose a size that is a whole number of slides, as Flink requires.',
        });
      }
      return;
    case 'CUMULATE':
      positiveDuration('max size', spec.maxSizeMs);
      positiveDuration('step', spec.stepMs);
      if (spec.maxSizeMs % spec.stepMs !== 0) {
        throw new ShiftleftError('SQL_VALIDATION_ERROR', `CUMULATE window max size (${spec.maxSizeMs} ms) must be an integral multiple of the step (${spec.stepMs} ms)`, {
          hint: 'Choose a max size that is a whole number of steps, as Flink requires.',
        });
      }
      return;
    case 'SESSION':
      positiveDuration('gap', spec.gapMs);
      return;
  }
}

/**
 * Writes the windows of `time` into `starts`/`ends` (reused by hot loops) and returns how many,
 * in ascending order of start (then end).
 */
export function assignWindowsInto(time: number, spec: WindowSpec, offsetMs: number, starts: number[], ends: number[]): number {
  switch (spec.kind) {
    case 'TUMBLE': {
      const start = alignedStart(time, spec.sizeMs, offsetMs);
      starts[0] = start;
      ends[0] = start + spec.sizeMs;
      return 1;
    }
    case 'HOP': {
      const last = alignedStart(time, spec.slideMs, offsetMs);
      const count = spec.sizeMs / spec.slideMs;
      const first = last - (count - 1) * spec.slideMs;
      for (let i = 0; i < count; i++) {
        starts[i] = first + i * spec.slideMs;
        ends[i] = starts[i]! + spec.sizeMs;
      }
      return count;
    }
    case 'CUMULATE': {
      const start = alignedStart(time, spec.maxSizeMs, offsetMs);
      const firstEnd = alignedStart(time, spec.stepMs, offsetMs) + spec.stepMs;
      let n = 0;
      for (let end = firstEnd; end <= start + spec.maxSizeMs; end += spec.stepMs) {
        starts[n] = start;
        ends[n] = end;
        n++;
      }
      return n;
    }
    case 'SESSION':
      starts[0] = time;
      ends[0] = time + spec.gapMs;
      return 1;
  }
}

/** The windows [start, end) containing `time` (for SESSION: the row's own, unmerged window). */
export function assignWindows(time: number, spec: WindowSpec, offsetMs = 0): [number, number][] {
  const starts: number[] = [];
  const ends: number[] = [];
  const n = assignWindowsInto(time, spec, offsetMs, starts, ends);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([starts[i]!, ends[i]!]);
  return out;
}

/** End of the earliest window `time` falls in: once that window has fired the row is late. */
export function sliceEnd(time: number, spec: WindowSpec, offsetMs = 0): number {
  switch (spec.kind) {
    case 'TUMBLE':
      return alignedStart(time, spec.sizeMs, offsetMs) + spec.sizeMs;
    case 'HOP':
      return alignedStart(time, spec.slideMs, offsetMs) + spec.slideMs;
    case 'CUMULATE':
      return alignedStart(time, spec.stepMs, offsetMs) + spec.stepMs;
    case 'SESSION':
      return time + spec.gapMs;
  }
}

/** Flink's firing rule: a window [start, end) fires once the watermark reaches end - 1. */
export function isWindowFired(end: number, watermark: number): boolean {
  return end - 1 <= watermark;
}

/**
 * How HOP and CUMULATE windows decompose into slices (Flink's slicing): a row updates only its
 * slice, [sliceEnd - unit, sliceEnd); a window is the union of consecutive slices, combined when
 * it fires. HOP slices are one slide long; CUMULATE slices one step.
 */
export interface SliceLayout {
  /** Slice length. */
  readonly unit: number;
  /** Start of the window ending at `windowEnd`. */
  windowStart(windowEnd: number): number;
  /** Ends of the windows that contain the slice ending at `sliceEnd`, ascending. */
  windowEnds(sliceEnd: number): number[];
  /** End of the last window that contains the slice: once it fired the slice can go. */
  lastWindowEnd(sliceEnd: number): number;
}

export function sliceLayout(spec: WindowSpec, offsetMs = 0): SliceLayout | null {
  if (spec.kind === 'HOP') {
    const { sizeMs, slideMs } = spec;
    return {
      unit: slideMs,
      windowStart: (end) => end - sizeMs,
      windowEnds: (sliceEnd) => {
        const ends: number[] = [];
        for (let e = sliceEnd; e <= sliceEnd + sizeMs - slideMs; e += slideMs) ends.push(e);
        return ends;
      },
      lastWindowEnd: (sliceEnd) => sliceEnd + sizeMs - slideMs,
    };
  }
  if (spec.kind === 'CUMULATE') {
    const { maxSizeMs, stepMs } = spec;
    const cycleStart = (sliceEnd: number): number => alignedStart(sliceEnd - 1, maxSizeMs, offsetMs);
    return {
      unit: stepMs,
      windowStart: (end) => alignedStart(end - 1, maxSizeMs, offsetMs),
      windowEnds: (sliceEnd) => {
        const ends: number[] = [];
        const last = cycleStart(sliceEnd) + maxSizeMs;
        for (let e = sliceEnd; e <= last; e += stepMs) ends.push(e);
        return ends;
      },
      lastWindowEnd: (sliceEnd) => cycleStart(sliceEnd) + maxSizeMs,
    };
  }
  return null;
}
