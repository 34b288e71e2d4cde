/**
 * Session windows per key: each row opens [t, t + gap), and windows that touch or overlap merge
 * (Flink's TimeWindow.intersects is inclusive, so rows exactly `gap` apart share a session).
 * A session fires when the watermark reaches its end - 1.
 *
 * Merging two sessions means merging their aggregates; rather than teach every accumulator to
 * merge, a session keeps its rows and they are aggregated once, when it fires. Sessions are
 * usually short, and this keeps accumulators simple (see the report's known gaps).
 */
import type { Row } from '../../../types/row.ts';
import { isWindowFired } from './window-assigner.ts';

export interface Session {
  start: number;
  end: number;
  rows: Row[];
}

interface KeySessions {
  keyValues: unknown[];
  /** Disjoint, non-touching sessions in ascending start order. */
  sessions: Session[];
}

export interface FiredSession extends Session {
  keyValues: unknown[];
}

export interface SessionSnapshot {
  keys: [string, unknown[], [number, number, Row[]][]][];
}

export class SessionWindows {
  private readonly byKey = new Map<string, KeySessions>();

  constructor(private readonly gapMs: number) {}

  /** Adds a row at `time`; returns false (row late, not added) if its merged session has fired. */
  add(key: string, keyValues: unknown[], row: Row, time: number, watermark: number): boolean {
    let entry = this.byKey.get(key);
    let start = time;
    let end = time + this.gapMs;
    const rows: Row[] = [];
    const kept: Session[] = [];
    let insertAt = 0;
    if (entry !== undefined) {
      for (const s of entry.sessions) {
        if (s.start <= end && s.end >= start) {
          start = Math.min(start, s.start);
          end = Math.max(end, s.end);
          for (const r of s.rows) rows.push(r);
        } else {
          if (s.end < start) insertAt = kept.length + 1;
          kept.push(s);
        }
      }
    }
    if (isWindowFired(end, watermark) && rows.length === 0) return false;
    rows.push(row);
    kept.splice(insertAt, 0, { start, end, rows });
    if (entry === undefined) {
      entry = { keyValues, sessions: kept };
      this.byKey.set(key, entry);
    } else entry.sessions = kept;
    return true;
  }

  /** Removes and returns the sessions the watermark closes, ordered by end then key arrival. */
  fire(watermark: number): FiredSession[] {
    const fired: FiredSession[] = [];
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
    return { keys: [...this.byKey].map(([k, e]) => [k, e.keyValues, e.sessions.map((s): [number, number, Row[]] => [s.start, s.end, s.rows])]) };
  }

  restore(snapshot: SessionSnapshot): void {
    this.byKey.clear();
    for (const [k, keyValues, sessions] of snapshot.keys) {
      this.byKey.set(k, { keyValues, sessions: sessions.map(([start, end, rows]) => ({ start, end, rows })) });
    }
  }
}
