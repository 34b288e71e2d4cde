/**
 * Time-bounded joins the planner finds where Flink plans regular joins (window-lineage.ts,
 * attached-window-aggregate.ts): the published Nexmark q5 and q7 get a window join and an
 * interval join, and their state stays bounded while the stream runs; shapes that are not
 * bounded by the rowtime's own window keep a regular join. Results are checked against the
 * regular join in test/sql/nexmark.test.ts and test/sql/cases/time-bounded-joins.slt.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { nexmarkSourceDdl, nexmarkViewsDdl } from '../../../src/connect/nexmark/index.ts';
import { Pipeline } from '../../../src/engine/runtime/pipeline.ts';
import { NexmarkSource } from '../../../src/engine/runtime/nexmark-source.ts';
import type * as ast from '../../../src/sql/ast.ts';
import { parseQuery, parseStatements } from '../../../src/sql/parser/index.ts';
import { physicalChildren, type PhysicalPlan } from '../../../src/sql/plan/physical-plan.ts';
import { SqlHarness } from '../sql-harness.ts';

const FIXTURES = new URL('../parser/fixtures/nexmark/', import.meta.url);
/** 200 s of event time at 100 events/s: twenty 10 s windows. */
const EVENTS = 20_000;

function nodes(plan: PhysicalPlan): PhysicalPlan[] {
  return [plan, ...physicalChildren(plan).flatMap(nodes)];
}

const kinds = (plan: PhysicalPlan): string[] => nodes(plan).map((n) => n.kind);

describe('time-bounded joins in the planner', () => {
  let h: SqlHarness;

  before(async () => {
    h = await SqlHarness.start();
    await h.run(nexmarkSourceDdl({ eventsNum: EVENTS, rate: 100, seed: 3 }));
    await h.run(nexmarkViewsDdl());
    await h.run(`CREATE TABLE bids (auction INT, price INT, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts);
      CREATE TABLE deadlines (auction INT, due TIMESTAMP_LTZ(3), ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts)`);
  });

  after(async () => {
    await h?.close();
  });

  const sinksCreated = new Set<string>();

  /** The published query's INSERT, its sink created. */
  async function nexmarkInsert(query: string): Promise<ast.Insert> {
    const statements = parseStatements(readFileSync(new URL(`${query}.sql`, FIXTURES), 'utf8'));
    const insert = statements.find((s): s is ast.Insert => s.kind === 'Insert')!;
    if (!sinksCreated.has(query)) for (const s of statements) if (s !== insert) await h.session.executeStatement(s);
    sinksCreated.add(query);
    return insert;
  }

  async function plan(sql: string): Promise<PhysicalPlan> {
    return (await h.session.planQuery(parseQuery(sql))).physical;
  }

  it('plans Nexmark q7 as an interval join bounded by the window_time of the max price', async () => {
    const { physical } = await h.session.planInsert(await nexmarkInsert('q7'));
    assert.ok(!kinds(physical).includes('RegularJoin'), kinds(physical).join(' > '));
    const join = nodes(physical).find((n) => n.kind === 'IntervalJoin');
    assert.ok(join?.kind === 'IntervalJoin');
    // B.dateTime BETWEEN window_end - 10 s AND window_end, with window_end = window_time + 1 ms.
    assert.deepEqual([join.lowerBoundMs, join.upperBoundMs], [-1, 9999]);
    assert.equal(join.condition, undefined, 'both bounds are consumed');
  });

  it('plans Nexmark q5 as a window join of two window aggregations, with no updates', async () => {
    const { physical } = await h.session.planInsert(await nexmarkInsert('q5'));
    const k = kinds(physical);
    assert.ok(k.includes('WindowJoin') && !k.includes('RegularJoin') && !k.includes('GroupAggregate'), k.join(' > '));
    assert.ok(nodes(physical).every((n) => n.changelog === 'append'));
    const attached = nodes(physical).filter((n) => n.kind === 'WindowAggregate' && n.window.kind === 'TUMBLE' && n.window.sizeMs === 1);
    assert.equal(attached.length, 1, 'the max per window is a window-attached aggregation');
  });

  it('reads a bound on window_start of fixed-size windows as a bound on the rowtime too', async () => {
    const physical = await plan(
      `SELECT B.auction FROM bids B JOIN (SELECT MAX(price) AS maxprice, window_start AS ws FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, window_end) M
       ON B.price = M.maxprice WHERE B.ts >= M.ws AND B.ts < M.ws + INTERVAL '10' SECOND`,
    );
    const join = nodes(physical).find((n) => n.kind === 'IntervalJoin');
    // r = window_time = ws + 9999, so ws <= l < ws + 10000 is 0 <= r - l <= 9999.
    assert.ok(join?.kind === 'IntervalJoin', kinds(physical).join(' > '));
    assert.deepEqual([join.lowerBoundMs, join.upperBoundMs], [0, 9999]);
  });

  it('keeps a regular join when the bound is not a column of the rowtime window', async () => {
    // `due` is an ordinary column of an event-time table.
    const byColumn = await plan(`SELECT B.auction FROM bids B JOIN deadlines D ON B.auction = D.auction WHERE B.ts BETWEEN D.due - INTERVAL '10' SECOND AND D.due`);
    assert.ok(kinds(byColumn).includes('RegularJoin'), kinds(byColumn).join(' > '));
    // CUMULATE windows have no fixed size: window_start is no fixed offset from window_time.
    const cumulate = await plan(
      `SELECT B.auction FROM bids B JOIN (SELECT MAX(price) AS maxprice, window_start AS ws FROM TABLE(CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, window_end) M
       ON B.price = M.maxprice WHERE B.ts BETWEEN M.ws AND M.ws + INTERVAL '10' SECOND`,
    );
    assert.ok(kinds(cumulate).includes('RegularJoin'), kinds(cumulate).join(' > '));
  });

  it("bounds a window TVF's rows by their window_time (the rowtime the TVF gives them)", async () => {
    const physical = await plan(
      `SELECT B.auction FROM bids B JOIN (SELECT price, window_end AS we FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))) W
       ON B.price = W.price WHERE B.ts BETWEEN W.we - INTERVAL '10' SECOND AND W.we`,
    );
    const join = nodes(physical).find((n) => n.kind === 'IntervalJoin');
    assert.ok(join?.kind === 'IntervalJoin', kinds(physical).join(' > '));
    assert.deepEqual([join.lowerBoundMs, join.upperBoundMs], [-1, 9999]);
  });

  it('keeps a regular aggregation when only the window start is grouped', async () => {
    const physical = await plan(
      `SELECT MAX(C.num) AS m, C.s FROM (SELECT COUNT(*) AS num, window_start AS s, window_end AS e FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end) C GROUP BY C.s`,
    );
    assert.ok(kinds(physical).includes('GroupAggregate'), kinds(physical).join(' > '));
  });

  /**
   * Runs a Nexmark query and measures its state at 50% and 95% of the stream (before the end of
   * input flushes it): the join's buffered rows, and the size of every operator's snapshot.
   */
  async function stateWhileRunning(query: string): Promise<{ rows: [number, number]; bytes: [number, number] }> {
    const { physical } = await h.session.planInsert(await nexmarkInsert(query));
    const pipeline = new Pipeline({ log: h.server.log, schemas: h.schemas, bounded: true, startFrom: 'earliest', stateTtlMs: 0, idleTimeoutMs: 5000, errorTopic: '_t', now: Date.now, maxBatchRecords: 200 });
    pipeline.build(physical, { push: () => undefined, watermark: () => undefined });
    await pipeline.open();
    const generated = (): number => Math.min(...pipeline.sources.map((s) => (s.topic instanceof NexmarkSource ? s.topic.recordsRead : Infinity)));
    const measure = (): [number, number] => {
      let rows = 0;
      let bytes = 0;
      for (const o of pipeline.operators) {
        const size = (o.operator as { stateSize?: () => Record<string, number> }).stateSize?.();
        if (size) for (const v of Object.values(size)) rows += v;
        bytes += JSON.stringify(o.operator.snapshotState(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))?.length ?? 0;
      }
      return [rows, bytes];
    };
    const samples: [number, number][] = [];
    for (const at of [0.5, 0.95]) {
      while (!pipeline.finished && generated() < EVENTS * at) await pipeline.step();
      assert.ok(!pipeline.finished, 'sampled before the end of input');
      samples.push(measure());
    }
    while (!pipeline.finished) await pipeline.step();
    pipeline.close();
    return { rows: [samples[0]![0], samples[1]![0]], bytes: [samples[0]![1], samples[1]![1]] };
  }

  it('keeps the state of q7 bounded while the stream runs (watermarks drop old bids)', async () => {
    const { rows, bytes } = await stateWhileRunning('q7');
    const bids = EVENTS * 0.92;
    // About 14 s of bids (the interval plus the watermark delay) out of 200 s of stream; a
    // regular join holds every bid seen (about 17 500 at 95%).
    assert.ok(rows[1] > 0 && rows[1] < bids * 0.2, `q7 join holds ${rows[1]} rows at 95% of ${bids} bids`);
    assert.ok(rows[1] <= rows[0] * 1.5 && bytes[1] <= bytes[0] * 1.5, `q7 state grew from ${rows[0]} rows / ${bytes[0]} bytes to ${rows[1]} / ${bytes[1]}`);
  });

  it('keeps the state of q5 bounded while the stream runs (each window fires once)', async () => {
    const { bytes } = await stateWhileRunning('q5');
    // The open windows' counts: a regular join and aggregation would keep every window.
    assert.ok(bytes[1] > 0 && bytes[1] <= bytes[0] * 1.5, `q5 state grew from ${bytes[0]} to ${bytes[1]} bytes`);
  });
});
