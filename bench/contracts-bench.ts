/**
 * Contracts benchmark: records/s for the payments `Sale` schema of REFERENCE.md §2, measured in
 * one run against a real registry (the platform started in-process on loopback):
 *   - plain `avsc` encoding (the baseline: what a serializer without a registry costs);
 *   - Confluent's serializer with the CEL rule `validateConfirmationCode`;
 *   - with CEL + ENCRYPT of the PII-tagged `cc_number` (local KMS);
 *   - plain `avsc` decoding, and decoding with decryption by a key holder;
 *   - the platform-side enforcement check (wire format, schema id, CEL) of serialized records.
 * Serialization runs `concurrency` records at a time (a producer batches); every record is valid,
 * so the rule passes and nothing goes to the DLQ. Ratios are against the plain baseline of the
 * same direction; the goals (issue 3): rule-checked serialization >= 50% of plain encoding, and
 * >= 100K records/s on one core with CEL + ENCRYPT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { ContractSerdes } from '../src/contracts/contract-serdes.ts';
import { ContractChecker } from '../src/contracts/enforcement-check.ts';
import { startPlatform } from '../src/platform.ts';
import type { BenchContext, BenchResult } from './run.ts';

const SALE = {
  type: 'record',
  name: 'Sale',
  fields: [
    { name: 'order_id', type: 'int' },
    { name: 'product_id', type: 'int' },
    { name: 'customer_id', type: 'int' },
    { name: 'confirmation_code', type: 'string' },
    { name: 'cc_number', type: 'string' },
    { name: 'expiration', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

const CEL_RULE = {
  name: 'validateConfirmationCode',
  kind: 'CONDITION',
  type: 'CEL',
  mode: 'WRITE',
  expr: "message.confirmation_code.matches('^[A-Z0-9]{8}$')",
  params: { 'dlq.topic': 'error-payments' },
  onFailure: 'DLQ',
};

const ENCRYPT_RULE = {
  name: 'Encrypt_PII',
  kind: 'TRANSFORM',
  type: 'ENCRYPT',
  mode: 'WRITEREAD',
  tags: ['PII'],
  params: { 'encrypt.kek.name': 'BenchKey', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'BenchKey' },
  onFailure: 'ERROR,NONE',
};

/** Generated per run, never a constant: the bench's own principal. */
const BENCH_SECRET = `bench-${process.pid}-${Date.now()}`;

type Sale = Record<string, string | number>;

function sales(count: number): Sale[] {
  return Array.from({ length: count }, (_, i) => ({
    order_id: i,
    product_id: i % 100,
    customer_id: i % 1000,
    confirmation_code: `AB${String(i % 1_000_000).padStart(6, '0')}`,
    cc_number: `4111-${String(i % 10_000).padStart(4, '0')}-2222-3333`,
    expiration: '09/28',
    amount: 10 + (i % 500) / 7,
    ts: 1_700_000_000_000 + i,
  }));
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Runs `work` on every item, `concurrency` at a time, and returns items per second. */
async function throughput<T>(items: T[], concurrency: number, work: (item: T) => unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < items.length; i += concurrency) {
    await Promise.all(items.slice(i, i + concurrency).map(work));
  }
  return items.length / ((performance.now() - start) / 1000);
}

async function register(registryUrl: string, subject: string, ruleSet: unknown): Promise<void> {
  const response = await fetch(`${registryUrl}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(SALE), metadata: { tags: { 'Sale.cc_number': ['PII'] } }, ...(ruleSet ? { ruleSet } : {}) }),
  });
  if (!response.ok) throw new Error(`registering ${subject} failed: ${await response.text()}`);
}

export async function contractsBenchmark(context: BenchContext): Promise<BenchResult> {
  const count = context.quick ? 2_000 : 50_000;
  const warmup = context.quick ? 200 : 2_000;
  const concurrency = 256;
  const dir = mkdtempSync(join(tmpdir(), 'shiftleft-contracts-bench-'));
  const platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0, host: '127.0.0.1' });
  const rows: Record<string, string | number>[] = [];
  const summary: Record<string, unknown> = { records: count, concurrency };
  try {
    const registryUrl = platform.urls.registry;
    await register(registryUrl, 'sales_cel-value', { domainRules: [CEL_RULE] });
    await register(registryUrl, 'sales_cel_encrypt-value', { domainRules: [ENCRYPT_RULE, CEL_RULE] });
    const serdes = new ContractSerdes({ registryUrl, log: platform.log, kmsSecret: BENCH_SECRET });
    const type = avro.Type.forSchema(SALE as avro.Schema);
    const data = sales(count);
    const warm = sales(warmup);

    const measure = async (label: string, run: (items: Sale[]) => Promise<number>): Promise<number> => {
      context.progress(`${label}: ${count.toLocaleString()} records`);
      await run(warm);
      const perSec = await run(data);
      rows.push({ measurement: label, records: count, 'records/s': Math.round(perSec), 'peak RSS MB': peakRssMb() });
      return perSec;
    };
    // Copies: the serializer's ENCRYPT rewrites the message in place, and every mode pays the same copy.
    const plain = await measure('encode: plain avsc', (items) => throughput(items, concurrency, (s) => type.toBuffer({ ...s })));
    const celSerializer = serdes.serializer('avro');
    const cel = await measure('encode: serializer + CEL', (items) => throughput(items, concurrency, (s) => celSerializer.serialize('sales_cel', { ...s })));
    const celEncrypt = await measure('encode: serializer + CEL + ENCRYPT', (items) => throughput(items, concurrency, (s) => celSerializer.serialize('sales_cel_encrypt', { ...s })));

    const plainBytes = data.map((s) => type.toBuffer(s));
    const encryptedBytes = await Promise.all(data.slice(0, warmup).map((s) => celSerializer.serialize('sales_cel_encrypt', { ...s })));
    const allEncrypted: Buffer[] = [];
    for (let i = 0; i < data.length; i += concurrency) {
      allEncrypted.push(...(await Promise.all(data.slice(i, i + concurrency).map((s) => celSerializer.serialize('sales_cel_encrypt', { ...s })))));
    }
    const celBytes: Buffer[] = [];
    for (let i = 0; i < data.length; i += concurrency) {
      celBytes.push(...(await Promise.all(data.slice(i, i + concurrency).map((s) => celSerializer.serialize('sales_cel', { ...s })))));
    }
    const decodeTimed = async (label: string, bytes: Buffer[], warmBytes: Buffer[], decode: (b: Buffer) => unknown): Promise<number> => {
      context.progress(`${label}: ${bytes.length.toLocaleString()} records`);
      await throughput(warmBytes, concurrency, decode);
      const perSec = await throughput(bytes, concurrency, decode);
      rows.push({ measurement: label, records: bytes.length, 'records/s': Math.round(perSec), 'peak RSS MB': peakRssMb() });
      return perSec;
    };
    const plainDecode = await decodeTimed('decode: plain avsc', plainBytes, plainBytes.slice(0, warmup), (b) => type.fromBuffer(b));
    const decrypt = await decodeTimed('decode: deserializer + decrypt', allEncrypted, encryptedBytes, (b) => serdes.deserialize('sales_cel_encrypt', b));
    const checker = new ContractChecker({ registryUrl, log: platform.log });
    const enforce = await decodeTimed('platform check: wire format + id + CEL', celBytes, celBytes.slice(0, warmup), async (b) => {
      const verdict = await checker.check('sales_cel', b, null, []);
      if (!verdict.ok) throw new Error(`benchmark record refused: ${verdict.reason}`);
    });
    checker.close();
    serdes.close();

    const ratio = (x: number, base: number) => Number((x / base).toFixed(3));
    for (const row of rows) {
      const base = String(row.measurement).startsWith('encode') ? plain : plainDecode;
      row['vs plain'] = ratio(row['records/s'] as number, base);
    }
    Object.assign(summary, {
      plain_encode_per_sec: Math.round(plain),
      cel_encode_per_sec: Math.round(cel),
      cel_encrypt_encode_per_sec: Math.round(celEncrypt),
      plain_decode_per_sec: Math.round(plainDecode),
      decrypt_decode_per_sec: Math.round(decrypt),
      platform_check_per_sec: Math.round(enforce),
      cel_vs_plain: ratio(cel, plain),
      cel_encrypt_vs_plain: ratio(celEncrypt, plain),
      decrypt_vs_plain_decode: ratio(decrypt, plainDecode),
      goal_cel_at_least_half_of_plain: cel / plain >= 0.5,
      goal_cel_encrypt_100k_per_sec: celEncrypt >= 100_000,
      peakRssMb: peakRssMb(),
    });
  } finally {
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, summary };
}
