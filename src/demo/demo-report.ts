/**
 * The demo's final report: the promises of the walkthrough, checked against what the topics
 * actually hold (decoded from their bytes, not from the components' own counters).
 */
import { DuckDbWarehouse } from '../connect/duckdb-sink/duckdb-warehouse.ts';
import type { LogClient } from '../log/log-client.ts';
import { avroSchemaToColumns, createRowDecoder } from '../sql/catalog/avro-mapping.ts';
import type { SchemaStore } from '../sql/catalog/schema-store.ts';
import { schemaIdOf } from '../engine/runtime/record-codec.ts';
import type { Row } from '../types/row.ts';
import { CARD_NUMBER, readTopic, type DemoProgress } from './demo-progress.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Decodes every value of a topic into objects keyed by column name (Confluent wire format, Avro). */
export async function decodeTopic(log: LogClient, schemas: SchemaStore, topic: string): Promise<{ row: Record<string, unknown>; headers: Record<string, string>; timestamp: number }[]> {
  const decoders = new Map<number, { names: string[]; decode: (b: Buffer, o: number) => Row }>();
  const out = [];
  for (const record of await readTopic(log, topic)) {
    if (!record.value) continue;
    const id = schemaIdOf(record.value);
    let decoder = decoders.get(id);
    if (!decoder) {
      const stored = await schemas.byId(id);
      const columns = avroSchemaToColumns(stored.schema).map((c) => ({ name: c.name, type: c.type }));
      decoder = { names: columns.map((c) => c.name), decode: createRowDecoder(stored.schema, columns) };
      decoders.set(id, decoder);
    }
    const values = decoder.decode(record.value, 5);
    const row: Record<string, unknown> = {};
    decoder.names.forEach((n, i) => (row[n] = values[i]));
    const headers: Record<string, string> = {};
    for (const h of record.headers) headers[h.key] = h.value?.toString('utf8') ?? '';
    out.push({ row, headers, timestamp: record.timestamp });
  }
  return out;
}

const CODE = /^[A-Z0-9]{8}$/;

export async function finalChecks(log: LogClient, schemas: SchemaStore, progress: DemoProgress): Promise<Check[]> {
  const checks: Check[] = [];
  const payments = await decodeTopic(log, schemas, 'payments');
  const badCodes = payments.filter((p) => !CODE.test(String(p.row.confirmation_code)));
  checks.push({ name: 'payments hold only valid confirmation codes', ok: payments.length > 0 && badCodes.length === 0, detail: `${payments.length} payments, ${badCodes.length} invalid` });

  const dlq = await readTopic(log, 'error-payments');
  const dlqWithHeaders = dlq.filter((r) => r.headers.some((h) => h.key === '__rule.name') && r.headers.some((h) => h.key === '__rule.exception'));
  const dlqInvalid = dlq.filter((r) => r.value && !CODE.test(String((JSON.parse(r.value.toString('utf8')) as { confirmation_code?: unknown }).confirmation_code)));
  checks.push({
    name: 'every refused payment is in error-payments with its rule headers',
    ok: dlq.length === progress.paymentsRefused && dlqWithHeaders.length === dlq.length && dlqInvalid.length === dlq.length && dlq.length > 0,
    detail: `${progress.paymentsRefused} refused by the contract, ${dlq.length} in error-payments, ${dlqWithHeaders.length} with __rule.* headers`,
  });

  let plaintext = 0;
  let scanned = 0;
  for (const topic of await log.listTopics()) {
    for (const r of await readTopic(log, topic)) {
      scanned++;
      if (r.value && CARD_NUMBER.test(r.value.toString('latin1'))) plaintext++;
    }
  }
  checks.push({ name: 'no card number in plaintext in any topic or DLQ', ok: plaintext === 0, detail: `${scanned} records scanned, ${plaintext} with a plaintext card number` });

  const dedup = await decodeTopic(log, schemas, 'payments_deduplicate');
  const keys = new Set(dedup.map((d) => `${String(d.row.order_id)}|${String(d.row.product_id)}|${String(d.row.amount)}`));
  checks.push({ name: 'payments_deduplicate holds no duplicates', ok: dedup.length > 0 && keys.size === dedup.length, detail: `${dedup.length} records, ${keys.size} distinct payments (${payments.length - dedup.length} duplicates removed)` });

  const sales = await decodeTopic(log, schemas, 'sales');
  const orders = await decodeTopic(log, schemas, 'orders');
  // A payment meets every line of its order once: more sales rows for one payment than its
  // order has lines means the payment was counted twice.
  const linesPerOrder = new Map<unknown, number>();
  for (const o of orders) linesPerOrder.set(o.row.orderid, (linesPerOrder.get(o.row.orderid) ?? 0) + 1);
  const rowsPerPayment = new Map<string, { orderId: unknown; rows: number }>();
  for (const s of sales) {
    const k = `${String(s.row.order_id)}|${String(s.row.amount)}|${String(s.row.ts)}`;
    const entry = rowsPerPayment.get(k) ?? { orderId: s.row.order_id, rows: 0 };
    entry.rows++;
    rowsPerPayment.set(k, entry);
  }
  const duplicatedSales = [...rowsPerPayment.values()].filter((p) => p.rows > (linesPerOrder.get(p.orderId) ?? 0)).length;
  checks.push({ name: 'sales hold no duplicate payments', ok: sales.length > 0 && duplicatedSales === 0, detail: `${sales.length} sales rows for ${rowsPerPayment.size} payments, ${duplicatedSales} payments counted twice` });

  const revenue = await decodeTopic(log, schemas, 'incremental_revenue');
  let mismatched = 0;
  for (const w of revenue) {
    const start = Number(w.row.window_start);
    const end = Number(w.row.window_end);
    const sum = sales.filter((s) => Number(s.row.ts) >= start && Number(s.row.ts) < end).reduce((a, s) => a + Number(s.row.amount), 0);
    if (Math.round(sum) !== Number(w.row.total_revenue)) mismatched++;
  }
  checks.push({ name: 'each revenue window sums exactly the sales inside it', ok: revenue.length > 0 && mismatched === 0, detail: `${revenue.length} windows, ${mismatched} differ from the sum of their sales` });

  checks.push({ name: 'the orders data product is built', ok: orders.length > 0, detail: `${orders.length} order lines joined with customer and product version` });
  return checks;
}

/** The warehouse (DuckDB) tables hold exactly as many rows as their (append) topics. */
export async function warehouseChecks(path: string, topics: string[], progress: DemoProgress): Promise<Check[]> {
  const warehouse = new DuckDbWarehouse({ path, readOnly: true });
  await warehouse.open();
  try {
    const checks: Check[] = [];
    for (const topic of topics) {
      const table = topic.replace(/[^A-Za-z0-9_]/g, '_');
      let rows = -1;
      try {
        rows = Number((await warehouse.query(`SELECT COUNT(*) AS n FROM "${table}"`)).rows[0]?.n ?? -1);
      } catch {
        rows = -1;
      }
      const expected = progress.topics[topic] ?? 0;
      checks.push({ name: `warehouse table ${table} matches topic ${topic}`, ok: rows === expected && expected > 0, detail: `${rows} rows in DuckDB, ${expected} records in the topic` });
    }
    return checks;
  } finally {
    await warehouse.close();
  }
}

export function formatReport(progress: DemoProgress, checks: Check[]): string {
  const lines = ['', '== shift-left demo: final report', ''];
  for (const [topic, n] of Object.entries(progress.topics)) lines.push(`  ${topic.padEnd(28)} ${String(n).padStart(8)} records`);
  lines.push('');
  for (const s of progress.statements) lines.push(`  statement ${s.name.padEnd(32)} ${s.status}${s.error ? ` — ${s.error}` : ''}`);
  lines.push('');
  for (const c of checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  lines.push('', `  ${checks.filter((c) => c.ok).length} of ${checks.length} checks passed`);
  return lines.join('\n');
}
