/**
 * Session windows per key: each row opens [t, t + gap), and windows that touch or overlap merge
 * (Flink's TimeWindow.intersects is inclusive, so rows exactly `gap` apart share a session).
 * A session fires when the watermark reaches its end - 1.
 *
 * What a session accumulates is up to the caller (`SessionContents`): the window aggregation
 * keeps accumulators and merges them when sessions merge, or, for DISTINCT aggregates whose
 * accumulators cannot merge, keeps the rows and aggregates them when the session fires.
 */
import type { Row } from '../../../types/row.ts';
import { isWindowFired } from './window-assigner.ts';

/** How the contents of a session are built, merged and saved. */
export interface SessionContents<C> {
  create(): C;
  add(contents: C, row: Row): void;
  /** Folds `later` (the session starting later) into `into`. */
  merge(into: C, later: C): void;
  snapshot(contents: C): unknown;
  restore(state: unknown): C;
}

export interface Session<C> {
  start: number;
  end: number;
  contents: C;
}

interface KeySessions<C> {
  keyValues: unknown[];
  /** Disjoint, non-touching sessions in ascending start order. */
  sessions: Session<C>[];
}

export interface FiredSession<C> extends Session<C> {
  keyValues: unknown[];
}

export interface SessionSnapshot {
  keys: [string, unknown[], [number, number, unknown][]][];
}

export class SessionWindows<C> {
  private readonly byKey = new Map<string, KeySessions<C>>();

  constructor(
    private readonly gapMs: number,
    private readonly contents: SessionContents<C>,
  ) {}

  /** Adds a row at `time`; returns false (row late, not added) if its session already fired. */
  add(key: string, keyValues: () => unknown[], row: Row, time: number, watermark: number): boolean {
    const entry = this.byKey.get(key);
    let start = time;
    let end = time + this.gapMs;
    const touching: Session<C>[] = [];
    const kept: Session<C>[] = [];
    let insertAt = 0;
    if (entry !== undefined) {
      // Sessions are sorted and disjoint: the ones the new window touches are consecutive.
      for (const s of entry.sessions) {
        if (s.start <= end && s.end >= start) {
          start = Math.min(start, s.start);
          end = Math.max(end, s.end);
          touching.push(s);
        } else {
          if (s.end < start) insertAt = kept.length + 1;
          kept.push(s);
        }
      }
    }
    // A window of its own that has already fired: the row is late. Joining a live session is not.
    if (touching.length === 0 && isWindowFired(end, watermark)) return false;
    let merged: C;
    if (touching.length === 0) merged = this.contents.create();
    else {
      merged = touching[0]!.contents;
      for (let i = 1; i < touching.length; i++) this.contents.merge(merged, touching[i]!.contents);
    }
    this.contents.add(merged, row);
    const session: Session<C> = { start, end, contents: merged };
    if (entry === undefined) this.byKey.set(key, { keyValues: keyValues(), sessions: [session] });
    else if (touching.length === 1) {
      touching[0]!.start = start;
      touching[0]!.end = end;
    } else {
      kept.splice(insertAt, 0, session);
      entry.sessions = kept;
    }
    return true;
  }

  /** Removes and returns the sessions the watermark closes, ordered by end then key arrival. */
  fire(watermark: number): FiredSession<C>[] {
    const fired: FiredSession<C>[] = [];
    for (const [key, entry] of this.byKey) {
      let n = 0;
      while (n < entry.sessions.length && isWindowFired(entry.sessions[n]!.end, watermark)) {
        fired.push({ ...entry.sessions[n]!, keyValues: entry.keyValues });
        n++;
      }
      if (n === 0) continue;
      entry.sessions.splice(0, n);
      if (entry.sessions.length === 0) this.byKey.delete(key);
    }
    // Stable sort: equal ends keep key arrival order.
    return fired.sort((a, b) => a.end - b.end);
  }

  get size(): number {
    return this.byKey.size;
  }

  snapshot(): SessionSnapshot {
    return {
      keys: [...this.byKey].map(([k, e]) => [k, e.keyValues, e.sessions.map((s): [number, number, unknown] => [s.start, s.end, this.contents.snapshot(s.contents)])]),
    };
  }

  restore(snapshot: SessionSnapshot): void {
    this.byKey.clear();
    for (const [k, keyValues, sessions] of snapshot.keys) {
      this.byKey.set(k, { keyValues, sessions: sessions.map(([start, end, state]) => ({ start, end, contents: this.contents.restore(state) })) });
    }
  }
}
