/**
 * End-to-end latency of the shift-left scenario (`npm run bench -- e2e [--quick]`): the whole
 * walkthrough runs in this process (bench/e2e/scenario-harness.ts), and two paths are timed to
 * the DuckDB warehouse:
 *
 *   orders   PostgreSQL commit → CDC → the orders data product statement (4-way join with the
 *            temporal join on products) → `orders` topic → DuckDB sink → row in `orders`.
 *            The bench writes its own orders (negative ids, one item each) at a steady rate and
 *            times each from its COMMIT acknowledgement to the poll that first sees it.
 *   payments payment created by the payments service (its `ts`, taken just before the produce
 *            through the contract serializer) → `payments` → deduplication → the sales interval
 *            join with orders → `sales` topic → DuckDB sink → row in `sales`.
 *            Payments pay generator orders that are already old (payments run slower than the
 *            generator and start with a backlog), so the order side is not what is timed; the
 *            JSON records the paid orders' age to show it.
 *
 * Latency includes event time: the orders statement emits an order once the watermark passes
 * its orderdate, i.e. when a later order arrives (or the idle timeout), so the order rate is
 * part of the figure and recorded. Every statement runs with `execution.checkpointing.interval`
 * (recorded): with exactly-once output, rows become visible at checkpoint completion.
 * The warehouse is polled every POLL_MS from the sink's own DuckDB instance; latencies are
 * over-estimated by up to that much. Peak RSS is this process (platform, statements, sink);
 * PostgreSQL runs as a child process and is not included.
 */
import { summarizeLatencies, type LatencySummary } from './latency-stats.ts';
import { OrderProber, type ProbeOrder } from './e2e/order-prober.ts';
import { startScenario, waitFor } from './e2e/scenario-harness.ts';
import { TopicTail } from './e2e/topic-tail.ts';
import { RegistrySchemaStore } from '../src/sql/catalog/schema-store.ts';
import { WarehouseWatch } from './e2e/warehouse-watch.ts';
import type { BenchContext, BenchResult } from './run.ts';

const POLL_MS = 20;
const CHECKPOINT_INTERVAL = '1s';
const epochNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Workload {
  measureSeconds: number;
  probeOrdersPerSecond: number;
  generatorOrdersPerSecond: number;
  paymentsPerSecond: number;
  paymentsBacklog: number;
  idleTimeoutMs: number;
  /** How long to wait after the last probe order for it to arrive. */
  drainSeconds: number;
}

function workload(quick: boolean): Workload {
  return {
    measureSeconds: quick ? 10 : 90,
    probeOrdersPerSecond: 5,
    generatorOrdersPerSecond: 4,
    // Slower than the generator: payments never catch up with the newest orders.
    paymentsPerSecond: 3,
    paymentsBacklog: 20,
    idleTimeoutMs: 3000,
    drainSeconds: quick ? 15 : 30,
  };
}

/** First arrival of each key at one stage (a topic, a warehouse table), as latency from its start. */
class StageTimer {
  readonly latencies: number[] = [];
  private readonly seen = new Set<string>();

  has(key: string): boolean {
    return this.seen.has(key);
  }

  record(key: string, startedAt: number, at: number): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.latencies.push(at - startedAt);
  }
}

/** Probe orders: from commit to the `orders` topic (statement output) and to the warehouse table. */
class OrdersTimer {
  readonly topic = new StageTimer();
  readonly warehouse = new StageTimer();
  private readonly committed = new Map<number, number>();

  add(order: ProbeOrder): void {
    this.committed.set(order.orderid, order.committedAt);
  }

  /** Probe orders not seen yet at a stage (both stages when none is given). */
  waiting(stage?: StageTimer): number {
    let n = 0;
    for (const id of this.committed.keys()) {
      const key = String(id);
      if (stage ? !stage.has(key) : !this.topic.has(key) || !this.warehouse.has(key)) n++;
    }
    return n;
  }

  async poll(tail: TopicTail, watch: WarehouseWatch): Promise<void> {
    for (const row of await tail.poll()) {
      const id = Number(row.orderid);
      const committedAt = this.committed.get(id);
      if (committedAt !== undefined) this.topic.record(String(id), committedAt, epochNow());
    }
    const pending = [...this.committed.keys()].filter((id) => !this.warehouse.has(String(id)));
    if (pending.length === 0) return;
    const rows = await watch.rows('SELECT DISTINCT orderid FROM orders WHERE orderid BETWEEN $1 AND $2', [Math.min(...pending), Math.max(...pending)]);
    const at = epochNow();
    for (const [id] of rows) {
      const committedAt = this.committed.get(Number(id));
      if (committedAt !== undefined) this.warehouse.record(String(id), committedAt, at);
    }
  }
}

/** Payments with ts >= since: from their `ts` to the `sales` topic and to the warehouse table. */
class SalesTimer {
  readonly topic = new StageTimer();
  readonly warehouse = new StageTimer();

  constructor(private readonly since: number) {}

  async poll(tail: TopicTail, watch: WarehouseWatch): Promise<void> {
    for (const row of await tail.poll()) {
      const ts = Number(row.ts);
      if (ts >= this.since) this.topic.record(`${String(row.order_id)}@${ts}`, ts, epochNow());
    }
    const rows = await watch.rows('SELECT order_id, epoch_ms(ts) FROM sales WHERE epoch_ms(ts) >= $1', [this.since]);
    const at = epochNow();
    for (const [orderId, ts] of rows) this.warehouse.record(`${String(orderId)}@${Number(ts)}`, Number(ts), at);
  }
}

/** Median age of the paid orders when they were paid (order → payment), for sales rows since `since`. */
async function paidOrderAgeMs(watch: WarehouseWatch, since: number): Promise<number | null> {
  const rows = await watch.rows(
    'SELECT median(epoch_ms(s.ts) - o.placed) FROM sales s JOIN (SELECT orderid, min(epoch_ms(orderdate)) AS placed FROM orders GROUP BY orderid) o ON o.orderid = s.order_id WHERE epoch_ms(s.ts) >= $1',
    [since],
  );
  const value = rows[0]?.[0];
  return value === null || value === undefined ? null : Math.round(Number(value));
}

export async function e2eLatencyBenchmark(context: BenchContext): Promise<BenchResult> {
  const w = workload(context.quick);
  const scenario = await startScenario({
    generatorOrdersPerSecond: w.generatorOrdersPerSecond,
    paymentsPerSecond: w.paymentsPerSecond,
    paymentsBacklog: w.paymentsBacklog,
    checkpointInterval: CHECKPOINT_INTERVAL,
    idleTimeoutMs: w.idleTimeoutMs,
    progress: context.progress,
  });
  let watch: WarehouseWatch | undefined;
  let prober: OrderProber | undefined;
  try {
    const started = epochNow();
    watch = await WarehouseWatch.open(scenario.warehousePath);
    const warehouse = watch;
    context.progress('warming up: waiting for orders and sales rows in the warehouse');
    await waitFor(
      'the first orders and sales rows in the warehouse',
      async () => {
        scenario.checkStatements();
        return (await warehouse.count('orders')) > 0 && (await warehouse.count('sales')) > 0 ? true : undefined;
      },
      180_000,
    );
    const warmupSeconds = (epochNow() - started) / 1000;
    prober = await OrderProber.open(scenario.postgres.connectionString);

    const schemas = new RegistrySchemaStore(scenario.platform.urls.registry);
    const ordersTail = await TopicTail.fromEnd(scenario.platform.log, schemas, 'orders');
    const salesTail = await TopicTail.fromEnd(scenario.platform.log, schemas, 'sales');

    context.progress(`measuring for ${w.measureSeconds} s: ${w.probeOrdersPerSecond} probe orders/s, ${w.paymentsPerSecond} payments/s`);
    const measureStart = epochNow();
    const orders = new OrdersTimer();
    const sales = new SalesTimer(measureStart);
    const measureEnd = measureStart + w.measureSeconds * 1000;
    let writing = true;
    const interval = 1000 / w.probeOrdersPerSecond;
    const writer = (async () => {
      for (let i = 0; epochNow() < measureEnd; i++) {
        const wait = measureStart + i * interval - epochNow();
        if (wait > 0) await sleep(wait);
        orders.add(await prober!.write());
      }
      writing = false;
    })();
    const drainDeadline = measureEnd + w.drainSeconds * 1000;
    let polls = 0;
    while (writing || (orders.waiting() > 0 && epochNow() < drainDeadline)) {
      scenario.checkStatements();
      await orders.poll(ordersTail, warehouse);
      await sales.poll(salesTail, warehouse);
      polls++;
      await sleep(POLL_MS);
    }
    await writer;
    const lostOrders = orders.waiting(orders.warehouse);
    const lostInTopic = orders.waiting(orders.topic);
    const age = await paidOrderAgeMs(warehouse, measureStart);
    const payments = scenario.platform.connectors.status('payments').metrics;

    const stages = {
      ordersToTopic: summarizeLatencies(orders.topic.latencies),
      ordersToWarehouse: summarizeLatencies(orders.warehouse.latencies),
      paymentsToTopic: summarizeLatencies(sales.topic.latencies),
      paymentsToWarehouse: summarizeLatencies(sales.warehouse.latencies),
    };
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const row = (path: string, s: LatencySummary, note = ''): Record<string, string | number> => ({
      path,
      samples: s.samples,
      'p50 ms': s.p50Ms ?? '',
      'p99 ms': s.p99Ms ?? '',
      'max ms': s.maxMs ?? '',
      note,
    });
    return {
      rows: [
        row('PostgreSQL commit → orders topic', stages.ordersToTopic, `statement output (read_committed); ${lostInTopic} not seen`),
        row('PostgreSQL commit → warehouse orders', stages.ordersToWarehouse, `${lostOrders} not seen after ${w.drainSeconds} s`),
        row('payment produced → sales topic', stages.paymentsToTopic, 'statement output (read_committed)'),
        row('payment produced → warehouse sales', stages.paymentsToWarehouse, `paid orders were ${age ?? '?'} ms old (median)`),
      ],
      summary: {
        checkpointInterval: CHECKPOINT_INTERVAL,
        checkpointIntervalMs: 1000,
        pollIntervalMs: POLL_MS,
        measureSeconds: w.measureSeconds,
        warmupSeconds: Math.round(warmupSeconds),
        idleTimeoutMs: w.idleTimeoutMs,
        rates: { probeOrdersPerSecond: w.probeOrdersPerSecond, generatorOrdersPerSecond: w.generatorOrdersPerSecond, paymentsPerSecond: w.paymentsPerSecond, paymentsBacklog: w.paymentsBacklog },
        latency: stages,
        ordersNotSeen: { topic: lostInTopic, warehouse: lostOrders },
        paidOrderMedianAgeMs: age,
        paymentsService: { sent: payments.sent ?? null, refused: payments.refused ?? null, duplicated: payments.duplicated ?? null },
        warehousePolls: polls,
        peakRssMb,
      },
    };
  } finally {
    await prober?.close().catch(() => undefined);
    await watch?.close().catch(() => undefined);
    await scenario.close();
  }
}
