/**
 * Join operator benchmark: input rows per second through the join operators alone (no runtime,
 * no serialization), fed in batches of 1,000 rows with a watermark after every batch:
 *   - regular INNER join of two append-only inputs (Nexmark q3/q8 shape: auctions ⋈ persons on
 *     seller = id; every auction finds its person);
 *   - interval join (the walkthrough's sales: payments ⋈ orders on order id, order time within
 *     the 5 s before the payment), watermark 1 s behind;
 *   - temporal join (orders ⋈ products FOR SYSTEM_TIME AS OF, 1,000 products updated now and then).
 * Rows are generated before timing. Best of three runs, after a warm-up run.
 *
 * Run: node --import tsx bench/join-bench.ts [--quick]   (or via bench/run.ts once registered)
 */
import { newMetrics, type Operator, type OperatorContext } from '../src/engine/operator.ts';
import { RegularJoinOperator } from '../src/engine/operators/join-operator.ts';
import { IntervalJoinOperator } from '../src/engine/operators/interval-join-operator.ts';
import { TemporalJoinOperator } from '../src/engine/operators/temporal-join-operator.ts';
import { equiJoinKey } from '../src/engine/operators/join/join-rows.ts';
import type { ChangeBatch, Row } from '../src/types/row.ts';
import type { BenchContext, BenchResult } from './run.ts';

const BATCH = 1000;

/** One input batch (or a watermark) of a prepared workload. */
type Feed = { input: number; batch: ChangeBatch } | { input: number; watermark: number };

interface Workload {
  name: string;
  make: () => Operator;
  feeds: Feed[];
  rows: number;
}

function sinkContext(): OperatorContext & { out: number } {
  const context = {
    out: 0,
    metrics: newMetrics(),
    stateTtlMs: 0,
    now: () => 0,
    emit(batch: ChangeBatch) {
      context.out += batch.rows.length;
    },
  };
  return context;
}

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

function batches(input: number, rows: Row[], feeds: Feed[][], at: (i: number) => number): void {
  for (let i = 0; i < rows.length; i += BATCH) feeds[at(i)]!.push({ input, batch: { rows: rows.slice(i, i + BATCH), kinds: null } });
}

/** Auctions [id, seller, price, category] ⋈ persons [id, name, city, state]; 1 person : 3 auctions. */
function regularInner(total: number): Workload {
  const next = random(1);
  const persons = Math.floor(total / 4);
  const personRows: Row[] = [];
  for (let id = 0; id < persons; id++) personRows.push([id, `person-${id}`, 'Portland', 'OR']);
  const auctionRows: Row[] = [];
  for (let id = 0; id < total - persons; id++) {
    // Sellers are mostly recent persons, as in Nexmark; some auctions precede their seller.
    const seller = Math.min(persons - 1, Math.floor((id / 3) * (0.9 + 0.2 * next())));
    auctionRows.push([id, seller, Math.floor(next() * 1000), id % 10]);
  }
  // Interleave: person batch i goes with auction batches 3i..3i+2.
  const feeds: Feed[] = [];
  for (let p = 0, a = 0; p < persons || a < auctionRows.length; ) {
    if (p < persons) feeds.push({ input: 1, batch: { rows: personRows.slice(p, p + BATCH), kinds: null } });
    p += BATCH;
    for (let k = 0; k < 3 && a < auctionRows.length; k++, a += BATCH) {
      feeds.push({ input: 0, batch: { rows: auctionRows.slice(a, a + BATCH), kinds: null } });
    }
  }
  return {
    name: 'regular INNER join, append-only',
    rows: total,
    feeds,
    make: () => new RegularJoinOperator({ joinType: 'INNER', leftArity: 4, rightArity: 4, leftKey: equiJoinKey([1]), rightKey: equiJoinKey([0]) }),
  };
}

/**
 * The same auctions ⋈ persons as a LEFT join where persons change: a quarter of the person rows
 * are updates (-U old, +U new), so the right side runs as a multiset and null padding is
 * retracted and restored.
 */
function regularLeftWithUpdates(total: number): Workload {
  const base = regularInner(total);
  const next = random(4);
  const names = new Map<number, Row>();
  const feeds: Feed[] = base.feeds.map((feed) => {
    if (!('batch' in feed) || feed.input !== 1) return feed;
    const rows: Row[] = [];
    const kinds: number[] = [];
    for (const person of feed.batch.rows) {
      const id = person[0] as number;
      const known = names.size > 0 ? Math.floor(next() * names.size) : -1;
      if (known >= 0 && next() < 0.25 && names.has(known)) {
        const old = names.get(known)!;
        const updated = [known, `${old[1]}'`, old[2], old[3]];
        names.set(known, updated);
        rows.push(old, updated);
        kinds.push(1, 2);
      } else {
        names.set(id, person);
        rows.push(person);
        kinds.push(0);
      }
    }
    return { input: 1, batch: { rows, kinds: kinds as ChangeBatch['kinds'] } };
  });
  const rows = feeds.reduce((n, f) => n + ('batch' in f ? f.batch.rows.length : 0), 0);
  return {
    name: 'regular LEFT join, 25% updates on the right',
    rows,
    feeds,
    make: () => new RegularJoinOperator({ joinType: 'LEFT', leftArity: 4, rightArity: 4, leftKey: equiJoinKey([1]), rightKey: equiJoinKey([0]) }),
  };
}

/** Payments [order_id, amount, ts] ⋈ orders [orderid, brand, orderdate] with orderdate in [ts - 5 s, ts]. */
function interval(total: number): Workload {
  const next = random(2);
  const orders = total / 2;
  const orderRows: Row[] = [];
  const paymentRows: Row[] = [];
  for (let id = 0; id < orders; id++) {
    const orderdate = id * 10; // 100 orders per second
    orderRows.push([id, `brand-${id % 50}`, orderdate]);
    paymentRows.push([id, next() * 1000, orderdate + Math.floor(next() * 3000)]);
  }
  paymentRows.sort((a, b) => (a[2] as number) - (b[2] as number));
  const steps: Feed[][] = [];
  for (let i = 0; i < orders; i += BATCH) steps.push([]);
  batches(1, orderRows, steps, (i) => i / BATCH);
  batches(0, paymentRows, steps, (i) => i / BATCH);
  const feeds: Feed[] = [];
  for (const step of steps) {
    feeds.push(...step);
    for (const feed of step) {
      if (!('batch' in feed)) continue;
      const last = feed.batch.rows[feed.batch.rows.length - 1]!;
      feeds.push({ input: feed.input, watermark: (last[2] as number) - 1000 });
    }
  }
  return {
    name: 'interval join (sales), append-only',
    rows: total,
    feeds,
    make: () =>
      new IntervalJoinOperator({
        joinType: 'INNER',
        leftArity: 3,
        rightArity: 3,
        leftKey: equiJoinKey([0]),
        rightKey: equiJoinKey([0]),
        leftTimeIndex: 2,
        rightTimeIndex: 2,
        lowerBoundMs: -5000,
        upperBoundMs: 0,
      }),
  };
}

/** Orders [orderid, productid, orderdate] ⋈ products [productid, price, updated_at] as of orderdate. */
function temporal(total: number): Workload {
  const next = random(3);
  const feeds: Feed[] = [{ input: 1, batch: { rows: Array.from({ length: 1000 }, (_, id) => [id, 10 + id, 0]), kinds: null } }];
  for (let i = 0; i < total; i += BATCH) {
    const rows: Row[] = [];
    for (let k = 0; k < BATCH; k++) rows.push([i + k, Math.floor(next() * 1000), i + k]);
    feeds.push({ input: 0, batch: { rows, kinds: null } });
    // a few price changes per batch
    const updates: Row[] = [];
    for (let k = 0; k < 5; k++) updates.push([Math.floor(next() * 1000), Math.floor(next() * 100), i + k * 200]);
    feeds.push({ input: 1, batch: { rows: updates, kinds: [2, 2, 2, 2, 2] } });
    feeds.push({ input: 0, watermark: i + BATCH - 100 }, { input: 1, watermark: i + BATCH - 100 });
  }
  return {
    name: 'temporal join, 1,000 versioned keys',
    rows: total,
    feeds,
    make: () =>
      new TemporalJoinOperator({
        joinType: 'INNER',
        leftArity: 3,
        rightArity: 3,
        leftKey: equiJoinKey([1]),
        rightKey: equiJoinKey([0]),
        leftTimeIndex: 2,
        rightTimeIndex: 2,
      }),
  };
}

function runOnce(workload: Workload): { seconds: number; out: number } {
  const operator = workload.make();
  const context = sinkContext();
  operator.open(context);
  const started = performance.now();
  for (const feed of workload.feeds) {
    if ('batch' in feed) operator.processBatch(feed.input, feed.batch);
    else operator.onWatermark(feed.input, feed.watermark);
  }
  operator.onWatermark(0, Infinity);
  operator.onWatermark(1, Infinity);
  return { seconds: (performance.now() - started) / 1000, out: context.out };
}

export async function joinBenchmark(context: BenchContext): Promise<BenchResult> {
  const total = context.quick ? 20_000 : 1_000_000;
  const rows: Record<string, string | number>[] = [];
  for (const workload of [regularInner(total), regularLeftWithUpdates(total), interval(total), temporal(total)]) {
    context.progress(`${workload.name}: ${workload.rows} rows`);
    runOnce(workload); // warm-up
    let best = Infinity;
    let out = 0;
    for (let run = 0; run < 3; run++) {
      const result = runOnce(workload);
      best = Math.min(best, result.seconds);
      out = result.out;
    }
    rows.push({ workload: workload.name, rows_in: workload.rows, rows_out: out, seconds: Number(best.toFixed(3)), rows_per_s: Math.round(workload.rows / best) });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { rows, summary: Object.fromEntries(rows.map((r) => [r.workload, r.rows_per_s])) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await joinBenchmark({ quick: process.argv.includes('--quick'), progress: (m) => process.stderr.write(m + '\n') });
  console.table(result.rows);
}
