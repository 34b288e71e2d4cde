/**
 * A platform for the portal tests: `startPlatform` in a temporary directory, the walkthrough's
 * `payments` topic with its `Sale` contract (the CEL rule sending bad confirmation codes to
 * `error-payments`), and helpers to call the APIs and produce payments through ContractSerdes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { call } from '../registry/registry-harness.ts';

export const KMS_SECRET = 'portal-test-local-kms-secret';

export const SALE_SCHEMA = {
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

export const VALIDATE_CODE = {
  name: 'validateConfirmationCode',
  kind: 'CONDITION',
  type: 'CEL',
  mode: 'WRITE',
  expr: "message.confirmation_code.matches('^[A-Z0-9]{8}$')",
  params: { 'dlq.topic': 'error-payments', 'dlq.auto.flush': 'true' },
  onFailure: 'DLQ',
};

export interface PortalPlatform {
  platform: RunningPlatform;
  dir: string;
  /** Calls the platform API. */
  api: Call;
  /** Calls the registry API (where the catalog lives). */
  registry: Call;
  restart(): Promise<PortalPlatform>;
  destroy(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
type Answer = Promise<{ status: number; body: any }>;
type Call = (method: string, path: string, body?: unknown, rawBody?: string) => Answer;

export async function startPortalPlatform(dir?: string): Promise<PortalPlatform> {
  const dataDir = dir ?? (await mkdtemp(join(tmpdir(), 'shiftleft-portal-')));
  const platform = await startPlatform({ dataDir, port: 0, registryPort: 0, localKmsSecret: KMS_SECRET });
  const bound = (base: string) => (method: string, path: string, body?: unknown, rawBody?: string) => call(base, method, path, body, rawBody);
  return {
    platform,
    dir: dataDir,
    api: bound(platform.urls.platform),
    registry: bound(platform.urls.registry),
    restart: async () => {
      await platform.close();
      return startPortalPlatform(dataDir);
    },
    destroy: async () => {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates `payments` with the Sale contract (and the DLQ rule). */
export async function createPayments(p: PortalPlatform): Promise<number> {
  await p.platform.log.createTopic('payments', { partitions: 1 });
  const registered = await p.registry('POST', '/subjects/payments-value/versions', {
    schema: JSON.stringify(SALE_SCHEMA),
    ruleSet: { domainRules: [VALIDATE_CODE] },
  });
  assert.equal(registered.status, 200, JSON.stringify(registered.body));
  return registered.body.id as number;
}

export function payment(orderId: number, productId: number, amount: number, code = 'ABCD1234') {
  return {
    order_id: orderId,
    product_id: productId,
    customer_id: 3,
    confirmation_code: code,
    cc_number: `4000-1111-2222-${String(3000 + orderId).slice(-4)}`,
    expiration: '09/28',
    amount,
    ts: 1_700_000_000_000 + orderId * 1000,
  };
}

/** Produces payments through the contract serdes (as the payments service does). */
export async function producePayments(p: PortalPlatform, payments: ReturnType<typeof payment>[], kmsSecret?: string) {
  const serdes = new ContractSerdes({ registryUrl: p.platform.urls.registry, log: p.platform.log, ...(kmsSecret && { kmsSecret }) });
  return serdes.produce(
    'payments',
    payments.map((value) => ({ key: Buffer.from(String(value.order_id)), value, timestamp: value.ts })),
  );
}
