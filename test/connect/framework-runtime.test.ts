/**
 * The connector framework on a real EmbeddedLog: config validation naming the field, the
 * lifecycle, persistence across runtime restarts, and failure with backoff and last error.
 * Connector types here are small fakes; the real types have their own tests.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShiftleftError } from '../../src/common/errors.ts';
import type { Connector, ConnectorContext, ConnectorType, JsonValue } from '../../src/connect/framework/connector.ts';
import { ConnectorRuntime } from '../../src/connect/framework/connector-runtime.ts';
import { CONNECTOR_TYPES } from '../../src/connect/framework/connector-types.ts';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.ts';

interface Probe {
  starts: number;
  stops: number;
  destroyed: string[];
  /** Starts that throw before one succeeds. */
  failFirst: number;
  contexts: ConnectorContext[];
}

const probe: Probe = { starts: 0, stops: 0, destroyed: [], failFirst: 0, contexts: [] };

class TickConnector implements Connector {
  private ticks = 0;
  private state = 'created';
  constructor(
    private readonly config: { every: number },
    private readonly context: ConnectorContext,
  ) {}
  async start(): Promise<void> {
    probe.starts++;
    probe.contexts.push(this.context);
    if (probe.failFirst > 0) {
      probe.failFirst--;
      throw new ShiftleftError('SOURCE_UNREACHABLE', 'the fake source is down', { hint: 'wait' });
    }
    const offset = this.context.offsets.read();
    this.ticks = typeof offset === 'number' ? offset : 0;
    this.ticks++;
    await this.context.offsets.write(this.ticks);
    this.state = 'running';
  }
  async pause(): Promise<void> {
    this.state = 'paused';
  }
  async resume(): Promise<void> {
    this.state = 'running';
  }
  async stop(): Promise<void> {
    probe.stops++;
    this.state = 'stopped';
  }
  async destroy(): Promise<void> {
    probe.destroyed.push(this.context.name);
  }
  metrics(): Record<string, JsonValue> {
    return { ticks: this.ticks, state: this.state, every: this.config.every };
  }
}

const tickType: ConnectorType<{ every: number }> = {
  name: 'tick',
  kind: 'source',
  description: 'test connector',
  configSchema: { type: 'object', additionalProperties: false, required: ['every'], properties: { every: { type: 'integer', minimum: 1 }, password: { type: 'string' } } },
  create: (config, context) => new TickConnector(config, context),
};
const types = [...CONNECTOR_TYPES, tickType as unknown as ConnectorType];

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function invalidField(fn: () => unknown): { field: string; message: string; hint: string | undefined } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ShiftleftError, String(error));
    assert.equal(error.code, 'CONNECTOR_CONFIG_INVALID', error.message);
    return { field: String(error.details.field), message: error.message, hint: error.hint };
  }
  assert.fail('expected CONNECTOR_CONFIG_INVALID');
}

describe('connector framework', () => {
  let dir: string;
  let log: EmbeddedLog;
  const open = async () => {
    const runtime = new ConnectorRuntime({ log, registryUrl: 'http://127.0.0.1:9', types, retry: { initialMs: 20, maxMs: 100 } });
    await runtime.open();
    return runtime;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sl-framework-'));
    log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
  });
  after(async () => {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects bad configs naming the field (JSON pointer), the reason and a hint', async () => {
    const runtime = await open();
    const cdc = (config: Record<string, unknown>) => () => runtime.validate({ name: 'pg', type: 'postgres-cdc', config });
    assert.equal(invalidField(() => runtime.validate({ type: 'tick', config: { every: 1 } })).field, '/name');
    const unknownType = invalidField(() => runtime.validate({ name: 'x', type: 'kafka-magic', config: {} }));
    assert.equal(unknownType.field, '/type');
    assert.match(unknownType.hint ?? '', /postgres-cdc/);
    const noTables = invalidField(cdc({ connection: 'postgresql://u@localhost/db' }));
    assert.deepEqual([noTables.field, noTables.message], ['/config/tables', 'connector config /config/tables: is required']);
    assert.ok(noTables.hint);
    assert.equal(invalidField(cdc({ connection: 'postgresql://u@localhost/db', tables: [] })).field, '/config/tables');
    assert.equal(invalidField(cdc({ connection: 'postgresql://u@localhost/db', tables: ['public.orders', 'bad-name!'] })).field, '/config/tables/1');
    assert.equal(invalidField(cdc({ connection: 'mysql://x', tables: ['orders'] })).field, '/config/connection');
    assert.equal(invalidField(cdc({ tables: ['orders'] })).field, '/config/connection');
    assert.equal(invalidField(cdc({ connection: 'postgresql://u@h/db', embedded: true, tables: ['orders'] })).field, '/config/embedded');
    assert.equal(invalidField(cdc({ embedded: true, tables: ['orders'], slotName: 'Bad Slot' })).field, '/config/slotName');
    assert.equal(invalidField(cdc({ embedded: true, tables: ['orders'], transforms: { mask: { customers: 'email' } } })).field, '/config/transforms/mask/customers');
    const unknownSetting = invalidField(cdc({ embedded: true, tables: ['orders'], tabels: ['x'] }));
    assert.deepEqual([unknownSetting.field, unknownSetting.message], ['/config/tabels', 'connector config /config/tabels: is not a known setting']);
    assert.equal(invalidField(cdc({ embedded: true, tables: ['orders'], snapshotMode: 'sometimes' })).field, '/config/snapshotMode');
    assert.equal(invalidField(() => runtime.validate({ name: 'pay', type: 'payments', config: { embedded: true, rate: 0 } })).field, '/config/rate');
    // The flat form (settings beside name and type) is accepted and points at top-level fields.
    assert.equal(invalidField(() => runtime.validate({ name: 'pg', type: 'postgres-cdc', embedded: true, tables: 'orders' })).field, '/tables');
    assert.deepEqual(runtime.validate({ name: 'pg', type: 'postgres-cdc', embedded: true, tables: ['orders'] }), { name: 'pg', type: 'postgres-cdc', config: { embedded: true, tables: ['orders'] } });
    await assert.rejects(runtime.create({ name: 'bad', type: 'tick', config: { every: 0 } }), (error: ShiftleftError) => error.code === 'CONNECTOR_CONFIG_INVALID' && error.details.field === '/config/every');
    assert.deepEqual(runtime.list(), []);
    await runtime.close();
  });

  it('creates, pauses, resumes, persists across restarts and deletes', async () => {
    let runtime = await open();
    const created = await runtime.create({ name: 'ticker', type: 'tick', config: { every: 5, password: 'hunter2' } });
    assert.equal(created.state, 'RUNNING');
    assert.deepEqual(created.metrics, { ticks: 1, state: 'running', every: 5 });
    assert.equal(created.config.password, '****', 'secrets are redacted in status');
    await assert.rejects(runtime.create({ name: 'ticker', type: 'tick', config: { every: 1 } }), (error: ShiftleftError) => error.code === 'CONNECTOR_ALREADY_EXISTS');
    await assert.rejects(runtime.pause('nope'), (error: ShiftleftError) => error.code === 'CONNECTOR_NOT_FOUND');

    // A restart of the runtime restarts the connector from its stored offset.
    await runtime.close();
    runtime = await open();
    assert.equal(runtime.status('ticker').state, 'RUNNING');
    assert.equal(runtime.status('ticker').metrics.ticks, 2, 'the offset survived the restart');

    assert.equal((await runtime.pause('ticker')).state, 'PAUSED');
    assert.equal(runtime.status('ticker').metrics.state, 'paused');
    await runtime.close();
    runtime = await open();
    assert.equal(runtime.status('ticker').state, 'PAUSED', 'a paused connector stays paused after a restart');
    assert.equal((await runtime.resume('ticker')).state, 'RUNNING');
    assert.equal(runtime.status('ticker').metrics.ticks, 3);

    const stops = probe.stops;
    assert.deepEqual(await runtime.delete('ticker'), { name: 'ticker', deleted: true });
    assert.equal(probe.stops, stops + 1);
    assert.deepEqual(probe.destroyed, ['ticker']);
    assert.throws(() => runtime.status('ticker'), (error: ShiftleftError) => error.code === 'CONNECTOR_NOT_FOUND');
    await runtime.close();
    runtime = await open();
    assert.deepEqual(runtime.list(), [], 'a deleted connector does not come back');
    // Re-created under the same name, it starts from scratch: its offset was deleted too.
    assert.equal((await runtime.create({ name: 'ticker', type: 'tick', config: { every: 1 } })).metrics.ticks, 1);
    await runtime.delete('ticker');
    await runtime.close();
  });

  it('shows a failing connector as FAILED with its last error and restarts it with backoff', async () => {
    const runtime = await open();
    probe.failFirst = 3;
    const startsBefore = probe.starts;
    const first = await runtime.create({ name: 'flaky', type: 'tick', config: { every: 1 } });
    assert.equal(first.state, 'FAILED');
    assert.equal(first.lastError?.code, 'SOURCE_UNREACHABLE');
    assert.equal(first.lastError?.message, 'the fake source is down');
    assert.equal(first.lastError?.hint, 'wait');
    assert.equal(first.failures, 1);
    assert.ok(first.nextRetryAt);
    await waitFor(() => runtime.status('flaky').state === 'RUNNING');
    assert.equal(probe.starts - startsBefore, 4, 'three failed attempts, then success');
    assert.equal(runtime.status('flaky').failures, 0);

    // A failure after start (context.fail) is handled the same way, without crashing anything.
    const context = probe.contexts[probe.contexts.length - 1]!;
    probe.failFirst = 1;
    context.fail(new Error('stream broke'));
    const seen = new Set<string>();
    await waitFor(() => {
      const status = runtime.status('flaky');
      if (status.state === 'FAILED') seen.add(status.lastError!.message);
      return seen.size > 0 && status.state === 'RUNNING';
    });
    assert.ok(seen.has('stream broke') || seen.has('the fake source is down'), [...seen].join());
    // A late failure from a replaced instance is ignored.
    context.fail(new Error('ghost'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(runtime.status('flaky').state, 'RUNNING', JSON.stringify(runtime.status('flaky')));
    assert.notEqual(runtime.status('flaky').lastError?.message, 'ghost');
    await runtime.delete('flaky');
    await runtime.close();
  });

  it('keeps a persisted connector of an unknown type visible as FAILED', async () => {
    let runtime = await open();
    await runtime.create({ name: 'orphan', type: 'tick', config: { every: 1 } });
    await runtime.close();
    runtime = new ConnectorRuntime({ log, registryUrl: 'http://127.0.0.1:9', types: CONNECTOR_TYPES });
    await runtime.open();
    const status = runtime.status('orphan');
    assert.equal(status.state, 'FAILED');
    assert.match(status.lastError?.message ?? '', /unknown connector type "tick"/);
    await runtime.delete('orphan');
    await runtime.close();
  });
});
