/**
 * Distributed mode: the whole platform on a real Apache Kafka 4.x broker (KRaft, one node,
 * loopback; one broker for this file, from test/support/kafka-broker.ts).
 *
 * - refusing to start half-connected: an unreachable broker, and a pre-existing `_schemas`
 *   that is not compacted (then fixed the way the error's hint says), with the lock released
 *   and no port left listening;
 * - the payments contract through Confluent's client over the registry API, produced and
 *   consumed through ContractSerdes on Kafka (CEL → DLQ, ENCRYPT), offsets in Kafka's own group
 *   coordinator;
 * - a restart on a *fresh* data directory that finds every subject/version/id/KEK/DEK again:
 *   the state lives in Kafka's `_schemas`, not in the data directory;
 * - SQL (CREATE TABLE, INSERT VALUES, SELECT ... GROUP BY) through SqlSession on Kafka, with
 *   the same answer as on the embedded log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { SchemaRegistryClient, type Rule } from '@confluentinc/schemaregistry';
import { Admin, AclOperations, AclPermissionTypes, ResourcePatternTypes, ResourceTypes } from '@platformatic/kafka';
import { readLiveLock } from '../../src/common/data-dir.ts';
import { isShiftleftError, type ErrorCode } from '../../src/common/errors.ts';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import type { ConnectorType } from '../../src/connect/framework/connector.ts';
import { ConnectorRuntime } from '../../src/connect/framework/connector-runtime.ts';
import { SqlSession } from '../../src/engine/sql-session.ts';
import { KafkaLogClient } from '../../src/log/kafka/kafka-log-client.ts';
import type { LogClient, LogRecord } from '../../src/log/log-client.ts';
import type { LogSettings } from '../../src/log/open-log.ts';
import { platformInternalTopics, startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { Catalog } from '../../src/sql/catalog/catalog.ts';
import { RegistrySchemaStore } from '../../src/sql/catalog/schema-store.ts';
import { SqlHarness } from '../sql/sql-harness.ts';
import { call } from '../registry/registry-harness.ts';
import { kafkaTestSkip, startKafkaBroker, type KafkaBroker } from '../support/kafka-broker.ts';

const skip = kafkaTestSkip('the platform on Kafka');
const KMS_SECRET = 'kafka-platform-test-secret';

const SALE_SCHEMA = JSON.stringify({
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
});

const encryptPii: Rule = {
  name: 'Encrypt_PII',
  kind: 'TRANSFORM',
  type: 'ENCRYPT',
  mode: 'WRITEREAD' as Rule['mode'],
  tags: ['PII'],
  params: { 'encrypt.kek.name': 'CSFLE_Key', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'CSFLE_Key' },
  onFailure: 'ERROR,NONE',
};

const validateCode: Rule = {
  name: 'validateConfirmationCode',
  kind: 'CONDITION',
  type: 'CEL',
  mode: 'WRITE' as Rule['mode'],
  expr: "message.confirmation_code.matches('^[A-Z0-9]{8}$')",
  params: { 'dlq.topic': 'error-payments', 'dlq.auto.flush': 'true' },
  onFailure: 'DLQ',
};

function payment(orderId: number, code: string) {
  return {
    order_id: orderId,
    product_id: 7,
    customer_id: 3,
    confirmation_code: code,
    cc_number: `4${orderId}00-1111-2222-3333`.slice(0, 19),
    expiration: '09/28',
    amount: 100 + orderId,
    ts: 1_700_000_000_000 + orderId,
  };
}

const SQL_SETUP = [
  `CREATE TABLE sales (region STRING NOT NULL, product STRING NOT NULL, amount INT NOT NULL)`,
  `INSERT INTO sales VALUES ('eu', 'a', 10), ('us', 'b', 5), ('eu', 'b', 7), ('apac', 'a', 1), ('us', 'a', 2), ('eu', 'c', 4)`,
];
const SQL_QUERY = `SELECT region, COUNT(*) AS orders, SUM(amount) AS total FROM sales GROUP BY region`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
    });
  });
}

/** True when nothing listens on the port (we can take it ourselves). */
async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, ...parts: (string | RegExp)[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isShiftleftError(error), `expected ShiftleftError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    for (const part of parts) {
      if (typeof part === 'string') assert.ok(error.message.includes(part), `'${error.message}' lacks '${part}'`);
      else assert.match(error.message, part);
    }
    return true;
  });
}

/**
 * A minimal source connector: each start appends `count` numbered records after its stored
 * offset, then stores the new offset. What a restart resumes from shows where offsets live.
 */
const tickerType: ConnectorType<{ count: number }> = {
  name: 'ticker',
  kind: 'source',
  description: 'numbered records (test only)',
  configSchema: { type: 'object', properties: { count: { type: 'integer', minimum: 1 } }, required: ['count'], additionalProperties: false },
  create: (config, context) => ({
    async start() {
      const stored = context.offsets.read();
      const from = typeof stored === 'number' ? stored : 0;
      await context.log.createTopic('ticks', { ifNotExists: true });
      await context.log.produce('ticks', Array.from({ length: config.count }, (_, i) => ({ key: null, value: Buffer.from(String(from + i)) })));
      await context.offsets.write(from + config.count);
    },
    async pause() {},
    async resume() {},
    async stop() {},
    metrics: () => ({}),
  }),
};

/** Changelog folded into its final table, sorted for comparison. */
function finalTable(changes: { op: string; row: Record<string, unknown> }[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const change of changes) {
    if (change.op === '+I' || change.op === '+U') rows.push(change.row);
    else rows.splice(rows.findIndex((r) => JSON.stringify(r) === JSON.stringify(change.row)), 1);
  }
  return rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Runs the SQL of this file through a bounded SqlSession on `log` and returns the query's final table. */
async function runSql(log: LogClient, registryUrl: string): Promise<Record<string, unknown>[]> {
  const schemas = new RegistrySchemaStore(registryUrl);
  const catalog = new Catalog({ log, schemas });
  const session = new SqlSession({ log, schemas, catalog, bounded: true });
  try {
    for (const sql of SQL_SETUP) {
      for (const r of await session.execute(sql)) {
        if (r.kind !== 'statement') continue;
        await r.job.done;
        assert.equal(r.job.status, 'COMPLETED', `${sql}: ${r.job.error?.message}`);
      }
    }
    const results = await session.execute(SQL_QUERY);
    const result = results[results.length - 1]!;
    assert.equal(result.kind, 'query');
    if (result.kind !== 'query') return [];
    await result.query.job.done;
    assert.equal(result.query.job.status, 'COMPLETED', result.query.job.error?.message);
    return finalTable(result.query.changes);
  } finally {
    for (const job of session.statements.values()) await job.stop();
  }
}

/** Everything the registry knows that a restart must find again. */
async function registrySnapshot(url: string): Promise<unknown> {
  const get = async (path: string) => {
    const r = await call(url, 'GET', path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const subjects = ((await get('/subjects')) as string[]).sort();
  const versions: Record<string, unknown> = {};
  for (const subject of subjects) {
    for (const v of (await get(`/subjects/${subject}/versions`)) as number[]) versions[`${subject}/${v}`] = await get(`/subjects/${subject}/versions/${v}`);
  }
  const keks = (await get('/dek-registry/v1/keks')) as string[];
  const deks: Record<string, unknown> = {};
  for (const kek of keks) {
    deks[kek] = await get(`/dek-registry/v1/keks/${kek}`);
    for (const subject of (await get(`/dek-registry/v1/keks/${kek}/deks`)) as string[]) {
      deks[`${kek}/${subject}`] = await get(`/dek-registry/v1/keks/${kek}/deks/${subject}/versions/1`);
    }
  }
  return { subjects, versions, byId: await get('/schemas/ids/1'), keks, deks };
}

describe('the platform on a real Kafka broker', { skip, timeout: 110_000 }, () => {
  let broker: KafkaBroker;
  let kafka: LogSettings;
  let admin: KafkaLogClient;
  const dirs: string[] = [];
  let platform: RunningPlatform | undefined;

  const dataDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'shiftleft-kafka-platform-'));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    // ACLs are enforced (StandardAuthorizer) but everything without an ACL stays allowed: every
    // client here is User:ANONYMOUS on PLAINTEXT, so a DENY ACL is how a test takes a right away.
    broker = await startKafkaBroker({
      properties: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'allow.everyone.if.no.acl.found': true },
    });
    kafka = { kind: 'kafka', kafka: { bootstrap: broker.bootstrap } };
    admin = new KafkaLogClient({ bootstrap: broker.bootstrap, clientId: 'kafka-platform-test-admin' });
  });

  after(async () => {
    await platform?.close();
    await admin?.close();
    await broker?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('refuses an unreachable broker: names it, releases the lock, listens on nothing', async () => {
    const dir = await dataDir();
    const [dead, port, registryPort] = [await freePort(), await freePort(), await freePort()];
    const started = Date.now();
    await rejectsWith(
      startPlatform({ dataDir: dir, port, registryPort, log: { kind: 'kafka', kafka: { bootstrap: `127.0.0.1:${dead}` } } }),
      'BROKER_UNAVAILABLE',
      `127.0.0.1:${dead}`,
      /unreachable/,
    );
    assert.ok(Date.now() - started < 15_000, 'fails fast, without endless retries');
    assert.equal(readLiveLock(dir), undefined, 'the data directory is not left locked');
    assert.ok(await portIsFree(port), 'the platform API is not listening');
    assert.ok(await portIsFree(registryPort), 'the registry API is not listening');
  });

  it('refuses a pre-existing _schemas that is not compacted, then starts once it is fixed', async () => {
    // As a hand-made topic would be on a shared cluster: Kafka's defaults, cleanup.policy=delete.
    await admin.createTopic('_schemas', { partitions: 1 });
    const dir = await dataDir();
    const [port, registryPort] = [await freePort(), await freePort()];
    await assert.rejects(startPlatform({ dataDir: dir, port, registryPort, log: kafka }), (error: unknown) => {
      assert.ok(isShiftleftError(error, 'INVALID_TOPIC_CONFIG'), String(error));
      assert.ok(error.message.includes(broker.bootstrap), error.message);
      assert.match(error.message, /'_schemas' \(used by the schema registry.*\): cleanup\.policy is delete, needs compact/);
      assert.match(error.hint ?? '', /kafka-configs\.sh --bootstrap-server \S+ --alter --entity-type topics --entity-name _schemas --add-config cleanup\.policy=compact/);
      return true;
    });
    assert.equal(readLiveLock(dir), undefined);
    assert.ok(await portIsFree(port));
    assert.ok(await portIsFree(registryPort));

    // The fix the hint gives (what kafka-configs.sh does), then the same start succeeds.
    await admin.alterTopicConfig('_schemas', { 'cleanup.policy': 'compact' });
    const fixed = await startPlatform({ dataDir: dir, port: 0, registryPort: 0, log: kafka });
    await fixed.close();
  });

  it('refuses to start when an ACL denies an internal topic, naming the topic, its user and the broker', async () => {
    const acl = {
      resourceType: ResourceTypes.TOPIC,
      resourceName: '_table_metadata',
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:ANONYMOUS',
      host: '*',
      operation: AclOperations.ALL,
      permissionType: AclPermissionTypes.DENY,
    };
    const acls = new Admin({ clientId: 'kafka-platform-test-acls', bootstrapBrokers: [broker.bootstrap] });
    try {
      await acls.createAcls({ creations: [acl] });
      const dir = await dataDir();
      const [port, registryPort] = [await freePort(), await freePort()];
      // ACLs reach the authorizer through the metadata log: retry until the denial shows.
      let error: unknown;
      for (let i = 0; i < 50 && error === undefined; i++) {
        try {
          const started = await startPlatform({ dataDir: dir, port, registryPort, log: kafka });
          await started.close();
          await new Promise((r) => setTimeout(r, 100));
        } catch (e) {
          error = e;
        }
      }
      assert.ok(isShiftleftError(error, 'FORBIDDEN'), String(error));
      assert.match(error.message, /internal topic '_table_metadata' \(used by the SQL catalog\)/);
      assert.ok(error.message.includes(broker.bootstrap), error.message);
      assert.match(error.message, /TOPIC_AUTHORIZATION_FAILED/);
      assert.match(error.hint ?? '', /kafka-acls\.sh/);
      assert.equal(readLiveLock(dir), undefined);
      assert.ok(await portIsFree(port));
      assert.ok(await portIsFree(registryPort));
    } finally {
      await acls.deleteAcls({ filters: [acl] });
      await acls.close();
    }
  });

  it('shiftleft up --kafka runs on the cluster and stops on SIGTERM', async () => {
    const dir = await dataDir();
    const script = `
      import { Command } from 'commander';
      import { registerUpCommand } from ${JSON.stringify(new URL('../../src/cli/commands/up.ts', import.meta.url).href)};
      const program = new Command().option('-d, --data-dir <dir>');
      registerUpCommand(program);
      await program.parseAsync(process.argv.slice(1), { from: 'user' });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', '--data-dir', dir, 'up', '--port', '0', '--registry-port', '0', '--kafka', broker.bootstrap], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SHIFTLEFT_KAFKA_BOOTSTRAP: '' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!/press Ctrl-C/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(output, new RegExp(`log\\s+Kafka cluster ${broker.bootstrap} \\(PLAINTEXT\\)`), output);
    const registryUrl = /schema registry\s+(http:\/\/\S+)/.exec(output)![1]!;
    assert.equal((await call(registryUrl, 'GET', '/subjects')).status, 200);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.equal(readLiveLock(dir), undefined);
  });

  it('runs the payments contract on Kafka and finds the registry again after a restart on a fresh data directory', async () => {
    platform = await startPlatform({ dataDir: await dataDir(), port: 0, registryPort: 0, log: kafka, localKmsSecret: KMS_SECRET });
    assert.equal(platform.log.kind, 'kafka');
    assert.match(platform.logDescription, new RegExp(`Kafka cluster ${broker.bootstrap} \\(PLAINTEXT\\)`));
    assert.equal((await call(platform.urls.platform, 'GET', '/health')).body.log, 'kafka');

    // Every internal topic is on the cluster, compacted, one partition.
    const internal = platformInternalTopics().map((t) => t.name);
    for (const topic of ['_schemas', '_table_metadata', '_connectors', '_connector_offsets']) assert.ok(internal.includes(topic), topic);
    for (const topic of internal) {
      const description = await admin.describeTopic(topic);
      assert.equal(description.config['cleanup.policy'], 'compact', topic);
      assert.equal(description.partitions.length, 1, topic);
    }

    // The data team registers the contract with Confluent's own client.
    const client = new SchemaRegistryClient({ baseURLs: [platform.urls.registry] });
    const id = await client.register('payments-value', {
      schemaType: 'AVRO',
      schema: SALE_SCHEMA,
      metadata: { tags: { 'Sale.cc_number': ['PII'] }, properties: { owner: 'payments-team' } },
      ruleSet: { domainRules: [encryptPii, validateCode] },
    });
    assert.equal(id, 1);

    // The payments service produces through the contract, on Kafka.
    await platform.log.createTopic('payments', { partitions: 2 });
    const producer = new ContractSerdes({ registryUrl: platform.urls.registry, log: platform.log, kmsSecret: KMS_SECRET });
    const inputs = [payment(1, 'AB12CD34'), payment(2, 'bad'), payment(3, 'ZZ99YY88'), payment(4, 'lowercase'), payment(5, 'QQ11WW22')];
    const outcome = await producer.produce(
      'payments',
      inputs.map((value) => ({ key: Buffer.from(String(value.order_id)), value })),
    );
    producer.close();
    assert.deepEqual(outcome.sent.map((s) => s.index).sort(), [0, 2, 4]);
    assert.deepEqual(outcome.refused.map((r) => [r.index, r.dlqTopic]), [
      [1, 'error-payments'],
      [3, 'error-payments'],
    ]);

    // A consumer group reads them back through the log, decrypting as a key holder.
    const consumer = platform.log.createConsumer({ topics: ['payments'], groupId: 'payments-reader', startFrom: 'earliest' });
    const records: LogRecord[] = [];
    for (let i = 0; i < 20 && records.length < 3; i++) records.push(...(await consumer.poll({ timeoutMs: 1000 })));
    await consumer.commit();
    await consumer.close();
    assert.equal(records.length, 3);
    const reader = new ContractSerdes({ registryUrl: platform.urls.registry, log: platform.log, kmsSecret: KMS_SECRET });
    const read = await Promise.all(records.map(async (r) => (await reader.deserialize('payments', r.value!)) as ReturnType<typeof payment>));
    reader.close();
    assert.deepEqual(read.map((p) => p.order_id).sort(), [1, 3, 5]);
    for (const p of read) assert.equal(p.cc_number, inputs[p.order_id - 1]!.cc_number);
    for (const r of records) assert.ok(!r.value!.includes(Buffer.from(inputs[0]!.cc_number.slice(0, 6))), 'no plaintext card number on the cluster');

    // Raw view of the cluster with an independent client: the DLQ and Kafka's own group offsets.
    const dlq = await admin.fetch({ topic: 'error-payments', partition: 0 }, 0);
    assert.deepEqual(dlq.records.map((r) => r.key!.toString()), ['2', '4']);
    const committed = await admin.fetchCommittedOffsets('payments-reader', ['payments']);
    assert.equal(committed.reduce((sum, c) => sum + c.offset, 0), 3);
    assert.ok((await admin.listGroups()).includes('payments-reader'));

    const before = await registrySnapshot(platform.urls.registry);
    assert.equal((before as { keks: string[] }).keks.includes('CSFLE_Key'), true, 'the producer created the KEK');
    await platform.close();
    platform = undefined;

    // A fresh data directory: nothing local survives, so what comes back comes from Kafka.
    platform = await startPlatform({ dataDir: await dataDir(), port: 0, registryPort: 0, log: kafka, localKmsSecret: KMS_SECRET });
    assert.deepEqual(await registrySnapshot(platform.urls.registry), before);
    const again = new ContractSerdes({ registryUrl: platform.urls.registry, log: platform.log, kmsSecret: KMS_SECRET });
    const clear = (await again.deserialize('payments', records[0]!.value!)) as ReturnType<typeof payment>;
    again.close();
    assert.equal(clear.cc_number, inputs[clear.order_id - 1]!.cc_number, 'the DEK came back from _schemas');
  });

  it('keeps connectors and their offsets in Kafka topics across a restart', async () => {
    assert.ok(platform, 'the platform of the previous test runs');
    const types = [tickerType as unknown as ConnectorType];
    const first = new ConnectorRuntime({ log: platform.log, registryUrl: platform.urls.registry, dataDir: platform.dataDir.path, types });
    await first.open({ startConnectors: true });
    assert.equal((await first.create({ name: 'tick', type: 'ticker', config: { count: 3 } })).state, 'RUNNING');
    await first.close();
    await platform.close();
    platform = undefined;

    // Fresh data directory again: the connector and its offset can only come from Kafka.
    platform = await startPlatform({ dataDir: await dataDir(), port: 0, registryPort: 0, log: kafka, localKmsSecret: KMS_SECRET });
    const second = new ConnectorRuntime({ log: platform.log, registryUrl: platform.urls.registry, dataDir: platform.dataDir.path, types });
    await second.open({ startConnectors: true, awaitStarts: true });
    try {
      assert.deepEqual(second.list().map((c) => [c.name, c.state]), [['tick', 'RUNNING']]);
    } finally {
      await second.close();
    }
    const ticks = await admin.fetch({ topic: 'ticks', partition: 0 }, 0);
    assert.deepEqual(ticks.records.map((r) => Number(r.value!.toString())), [0, 1, 2, 3, 4, 5], 'resumed after its stored offset');
  });

  it('runs SQL on Kafka with the same result as on the embedded log', async () => {
    assert.ok(platform, 'the platform of the previous test runs');
    const onKafka = await runSql(platform.log, platform.urls.registry);

    const embedded = await SqlHarness.start();
    let onEmbedded: Record<string, unknown>[];
    try {
      onEmbedded = await runSql(embedded.server.log, embedded.server.url);
    } finally {
      await embedded.close();
    }
    assert.deepEqual(onKafka, onEmbedded);
    assert.deepEqual(onKafka, [
      { region: 'apac', orders: 1, total: 1 },
      { region: 'eu', orders: 3, total: 21 },
      { region: 'us', orders: 2, total: 7 },
    ]);
    // The table's metadata is in Kafka's _table_metadata, so a new catalog finds it.
    const catalog = new Catalog({ log: platform.log, schemas: new RegistrySchemaStore(platform.urls.registry) });
    assert.ok(await catalog.getTable(['sales']));
  });
});
