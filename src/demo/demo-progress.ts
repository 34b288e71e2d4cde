/**
 * What the demo shows while it runs: records per topic, payments refused to the DLQ,
 * duplicates removed, PII encrypted, revenue per window and the statements' state.
 */
import type { ConnectorRuntime } from '../connect/framework/connector-runtime.ts';
import type { SqlSession } from '../engine/sql-session.ts';
import type { LogClient, LogRecord } from '../log/log-client.ts';

export const DEMO_TOPICS = [
  'shiftleft.public.customers',
  'shiftleft.public.products',
  'shiftleft.public.orders',
  'shiftleft.public.order_items',
  'payments',
  'error-payments',
  'products_with_pk',
  'orders',
  'payments_deduplicate',
  'sales',
  'incremental_revenue',
  'low_stock_alerts',
] as const;

/** A card number as the payments service writes it (`D###-####-####-####`). */
export const CARD_NUMBER = /\d{4}-\d{4}-\d{4}-\d{4}/;

export interface DemoProgress {
  at: string;
  topics: Record<string, number>;
  connectors: { name: string; state: string; error: string | null; metrics: Record<string, unknown> }[];
  statements: { name: string; status: string; rowsIn: number; error: string | null }[];
  paymentsRefused: number;
  paymentsDuplicated: number;
  duplicatesRemoved: number;
  plaintextCardNumbers: number;
  /** Records loaded into the warehouse per topic (the sink's committed positions). */
  warehouseRows: Record<string, number>;
}

/** Records counted so far per log and topic: progress reads only what is new each time. */
const COUNTED = new WeakMap<LogClient, Map<string, { next: Map<number, number>; count: number }>>();

/**
 * Committed records of a topic (read_committed, as the sinks read it). Offsets are not a count:
 * transaction markers take offsets too.
 */
export async function topicRecords(log: LogClient, topic: string): Promise<number> {
  let byTopic = COUNTED.get(log);
  if (!byTopic) COUNTED.set(log, (byTopic = new Map()));
  let state = byTopic.get(topic);
  if (!state) byTopic.set(topic, (state = { next: new Map(), count: 0 }));
  try {
    const d = await log.describeTopic(topic);
    for (const p of d.partitions) {
      let offset = Math.max(state.next.get(p.partition) ?? p.logStartOffset, p.logStartOffset);
      const end = p.lastStableOffset ?? p.highWatermark;
      while (offset < end) {
        const page = await log.fetch({ topic, partition: p.partition }, offset, { isolation: 'read_committed' });
        state.count += page.records.length;
        if (page.nextOffset <= offset) break;
        offset = page.nextOffset;
      }
      state.next.set(p.partition, offset);
    }
    return state.count;
  } catch {
    return state.count;
  }
}

/** Every record of a topic (the demo's topics are small). */
export async function readTopic(log: LogClient, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  let description;
  try {
    description = await log.describeTopic(topic);
  } catch {
    return out;
  }
  for (const p of description.partitions) {
    let offset = p.logStartOffset;
    while (offset < p.highWatermark) {
      const page = await log.fetch({ topic, partition: p.partition }, offset, { isolation: 'read_committed' });
      out.push(...page.records);
      if (page.nextOffset <= offset) break;
      offset = page.nextOffset;
    }
  }
  return out;
}

export async function collectProgress(log: LogClient, connectors: ConnectorRuntime, session: SqlSession, _kmsSecret: string): Promise<DemoProgress> {
  const topics: Record<string, number> = {};
  for (const t of DEMO_TOPICS) topics[t] = await topicRecords(log, t);
  const statuses = connectors.list();
  const payments = statuses.find((s) => s.type === 'payments');
  let plaintext = 0;
  for (const topic of ['payments', 'error-payments', 'payments_deduplicate']) {
    for (const r of await readTopic(log, topic)) if (r.value && CARD_NUMBER.test(r.value.toString('latin1'))) plaintext++;
  }
  return {
    at: new Date().toISOString(),
    topics,
    connectors: statuses.map((s) => ({ name: s.name, state: s.state, error: s.lastError?.message ?? null, metrics: s.metrics })),
    statements: [...session.statements.values()].map((j) => ({ name: j.name, status: j.status, rowsIn: j.rowsIn, error: j.error?.message ?? null })),
    paymentsRefused: Number(payments?.metrics.refused ?? 0),
    paymentsDuplicated: Number(payments?.metrics.duplicated ?? 0),
    duplicatesRemoved: Math.max(0, topics.payments! - topics.payments_deduplicate!),
    plaintextCardNumbers: plaintext,
    warehouseRows: warehouseRows(statuses),
  };
}

function warehouseRows(statuses: ReturnType<ConnectorRuntime['list']>): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const s of statuses.filter((c) => c.type.endsWith('-sink'))) {
    const positions = (s.metrics.positions ?? {}) as Record<string, number>;
    for (const [key, next] of Object.entries(positions)) {
      const topic = key.slice(0, key.lastIndexOf('/') >= 0 ? key.lastIndexOf('/') : key.length);
      rows[topic] = (rows[topic] ?? 0) + Number(next);
    }
  }
  return rows;
}

export function formatProgress(p: DemoProgress): string {
  const t = p.topics;
  const failing = [...p.connectors.filter((c) => c.state === 'FAILED').map((c) => `${c.name} FAILED: ${c.error}`), ...p.statements.filter((s) => s.status === 'FAILED').map((s) => `${s.name} FAILED: ${s.error}`)];
  return [
    `${p.at.slice(11, 19)} cdc: customers ${t['shiftleft.public.customers']}, products ${t['shiftleft.public.products']}, orders ${t['shiftleft.public.orders']}, items ${t['shiftleft.public.order_items']}`,
    `         payments ${t.payments} (refused to DLQ ${p.paymentsRefused} → error-payments ${t['error-payments']}; duplicates sent ${p.paymentsDuplicated}, removed ${p.duplicatesRemoved}; plaintext card numbers ${p.plaintextCardNumbers})`,
    `         data products: orders ${t.orders}, payments_deduplicate ${t.payments_deduplicate}, sales ${t.sales}, revenue windows ${t.incremental_revenue}, low-stock alerts ${t.low_stock_alerts}`,
    ...(Object.keys(p.warehouseRows).length ? [`         warehouse (DuckDB): ${Object.entries(p.warehouseRows).map(([t, n]) => `${t} ${n}`).join(', ')}`] : []),
    ...failing.map((f) => `         ! ${f}`),
  ].join('\n');
}
