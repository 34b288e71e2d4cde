/**
 * Shared by the warehouse sink tests (DuckDB and PostgreSQL): a registry with its log, schemas
 * registered over HTTP, records produced in the Confluent wire format, a connector context, and
 * the topic folded by key (what an upsert table must equal).
 */
import assert from 'node:assert/strict';
import avro from 'avsc';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import type { ConnectorContext, JsonValue } from '../../src/connect/framework/connector.ts';
import type { LogClient, LogRecord, ProduceRecord } from '../../src/log/log-client.ts';
import { call, type RunningRegistry } from '../registry/registry-harness.ts';

export const ORDER_KEY = { type: 'record', name: 'OrderKey', fields: [{ name: 'order_id', type: 'int' }] };

export const ORDER_V1 = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'order_id', type: 'int' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'ship_date', type: { type: 'int', logicalType: 'date' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

export const ORDER_V2 = { ...ORDER_V1, fields: [...ORDER_V1.fields, { name: 'coupon', type: ['null', 'string'], default: null }] };

export const CLICK = {
  type: 'record',
  name: 'Click',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'page', type: 'string' },
  ],
};

export async function registerSchema(server: RunningRegistry, subject: string, schema: unknown, extra: Record<string, unknown> = {}): Promise<number> {
  const response = await call(server.url, 'POST', `/subjects/${subject}/versions`, { schemaType: 'AVRO', schema: JSON.stringify(schema), ...extra });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return (response.body as { id: number }).id;
}

/** Confluent wire format with avsc (no logical-type classes: decimals are bytes, timestamps numbers). */
const types = new Map<unknown, avro.Type>();

export function wire(id: number, schema: unknown, value: unknown): Buffer {
  let type = types.get(schema);
  if (!type) types.set(schema, (type = avro.Type.forSchema(schema as avro.Schema)));
  const payload = type.toBuffer(value);
  const framed = Buffer.alloc(5 + payload.length);
  framed.writeInt32BE(id, 1);
  payload.copy(framed, 5);
  return framed;
}

/** Two's complement big-endian bytes of an unscaled decimal. */
export function decimalBytes(unscaled: bigint): Buffer {
  let hex = BigInt.asUintN(64, unscaled).toString(16).padStart(16, '0');
  // shortest form that keeps the sign
  while (hex.length > 2 && ((hex.startsWith('00') && parseInt(hex[2]!, 16) < 8) || (hex.startsWith('ff') && parseInt(hex[2]!, 16) >= 8))) hex = hex.slice(2);
  return Buffer.from(hex, 'hex');
}

export interface Order {
  order_id: number;
  customer: string;
  /** cents */
  amount: bigint;
  placed_at: number;
  ship_date: number;
  note: string | null;
  coupon?: string | null;
}

export function orderValue(o: Order): Record<string, unknown> {
  return { ...o, amount: decimalBytes(o.amount) };
}

export function formatCents(cents: bigint): string {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

export class OrderProducer {
  constructor(
    private readonly log: LogClient,
    readonly topic: string,
    private readonly keyId: number,
    private readonly valueId: number,
    private readonly valueSchema: unknown = ORDER_V1,
  ) {}

  record(order: Order): ProduceRecord {
    return { key: wire(this.keyId, ORDER_KEY, { order_id: order.order_id }), value: wire(this.valueId, this.valueSchema, orderValue(order)) };
  }

  tombstone(orderId: number): ProduceRecord {
    return { key: wire(this.keyId, ORDER_KEY, { order_id: orderId }), value: null };
  }

  async send(records: ProduceRecord[]): Promise<void> {
    await this.log.produce(this.topic, records);
  }
}

export interface TestContext extends ConnectorContext {
  failures: unknown[];
  warnings: string[];
}

export function connectorContext(name: string, server: RunningRegistry, options: { dataDir?: string; kmsSecret?: string; embeddedPostgres?: () => Promise<string> } = {}): TestContext {
  const failures: unknown[] = [];
  const warnings: string[] = [];
  let offset: JsonValue | undefined;
  return {
    name,
    log: server.log,
    registryUrl: server.url,
    dataDir: options.dataDir,
    kmsSecret: options.kmsSecret,
    offsets: { read: () => offset, write: async (o) => void (offset = o) },
    embeddedPostgres: options.embeddedPostgres ?? (() => Promise.reject(new Error('no embedded PostgreSQL in this test'))),
    fail: (error) => void failures.push(error),
    warn: (message) => void warnings.push(message),
    failures,
    warnings,
  };
}

/** Waits until `lag()` is 0 (the sink caught up), failing early on a connector failure. */
export async function waitCaughtUp(sink: { lag(): Promise<number> }, context: TestContext, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (context.failures.length) throw context.failures[0];
    if ((await sink.lag()) === 0) return;
    if (Date.now() > deadline) throw new Error(`sink did not catch up in ${timeoutMs} ms (lag ${await sink.lag()})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for the first failure the connector reports. */
export async function waitFailure(context: TestContext, timeoutMs = 10_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  while (context.failures.length === 0) {
    if (Date.now() > deadline) throw new Error('the connector reported no failure');
    await new Promise((r) => setTimeout(r, 50));
  }
  return context.failures[0];
}

export async function readTopic(log: LogClient, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (const { partition } of (await log.describeTopic(topic)).partitions) {
    let offset = 0;
    for (;;) {
      const page = await log.fetch({ topic, partition }, offset, { maxRecords: 10_000 });
      out.push(...page.records);
      if (page.records.length === 0 || page.nextOffset >= page.highWatermark) break;
      offset = page.nextOffset;
    }
  }
  return out;
}

/** Decodes a topic with a key-holding serdes and folds it by key: the expected upsert table. */
export async function foldByKey(server: RunningRegistry, topic: string): Promise<Map<number, Record<string, unknown>>> {
  const serdes = new ContractSerdes({ registryUrl: server.url, log: server.log });
  const folded = new Map<number, Record<string, unknown>>();
  for (const record of await readTopic(server.log, topic)) {
    const key = (await serdes.deserialize(topic, record.key!, 'avro', 'key')) as { order_id: number };
    if (record.value === null) folded.delete(key.order_id);
    else folded.set(key.order_id, (await serdes.deserialize(topic, record.value)) as Record<string, unknown>);
  }
  serdes.close();
  return folded;
}
