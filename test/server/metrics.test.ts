/**
 * GET /metrics on a real platform (startPlatform, ports 0, connectors running): the Prometheus
 * text is scraped over HTTP and parsed, and every area's values are checked to move with what
 * the test does through the public APIs: topics created and produced to, schemas, KEKs and DEKs
 * registered, SQL statements run and stopped (records, operators, source lag, watermark), a
 * DuckDB sink that runs and one that fails, and the HTTP requests of both apps by route pattern.
 * Also: wrong methods answer JSON errors, a read that fails costs only its area, and two
 * platforms in one process each report only their own state.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShiftleftError } from '../../src/common/errors.ts';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.ts';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { createMetricsRegistry, METRICS_CONTENT_TYPE } from '../../src/server/metrics/metrics-route.ts';
import { call } from '../registry/registry-harness.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Scrape {
  samples: Sample[];
  types: Map<string, string>;
}

/** Prometheus text format 0.0.4: `# TYPE name kind`, and `name{label="value",...} number` lines. */
function parseExposition(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not an exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const labelText = match[2] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    let consumed = 0;
    for (let m = labelPattern.exec(labelText); m; m = labelPattern.exec(labelText)) {
      labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed = labelPattern.lastIndex;
    }
    assert.equal(consumed, labelText.length, `bad labels in ${JSON.stringify(line)}`);
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    assert.ok(!Number.isNaN(value), `bad value in ${JSON.stringify(line)}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return { samples, types };
}

/** Samples of `name` whose labels include `labels`. */
function find(scrape: Scrape, name: string, labels: Record<string, string> = {}): Sample[] {
  return scrape.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function sum(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return find(scrape, name, labels).reduce((total, s) => total + s.value, 0);
}

/** The one sample of `name` with `labels`; fails when there is none or several. */
function value(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  const found = find(scrape, name, labels);
  assert.equal(found.length, 1, `${name}${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]!.value;
}

async function scrape(platform: RunningPlatform): Promise<Scrape> {
  const response = await fetch(`${platform.urls.platform}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), METRICS_CONTENT_TYPE);
  return parseExposition(await response.text());
}

/** Scrapes until `check` holds (statements and connectors run in the background). */
async function scrapeUntil(platform: RunningPlatform, what: string, check: (s: Scrape) => boolean): Promise<Scrape> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await scrape(platform);
    if (check(s)) return s;
    if (Date.now() > deadline) assert.fail(`never saw ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('GET /metrics', () => {
  let platform: RunningPlatform;
  let dir: string;
  const sql = async (text: string, properties: Record<string, string> = {}) => {
    const r = await call(platform.urls.platform, 'POST', '/v1/statements', { sql: text, properties });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.results;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shiftleft-metrics-'));
    platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0, runConnectors: true, localKmsSecret: 'metrics-test-secret' });
  });
  after(async () => {
    await platform?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the Prometheus text format, internal topics included', async () => {
    const s = await scrape(platform);
    assert.equal(s.types.get('shiftleft_topics'), 'gauge');
    assert.equal(s.types.get('shiftleft_http_requests_total'), 'counter');
    assert.equal(s.types.get('shiftleft_http_request_duration_seconds'), 'histogram');
    assert.equal(s.types.get('shiftleft_statement_operator_records_in_total'), 'counter');
    assert.ok(value(s, 'shiftleft_topics', { internal: 'true' }) >= 1, 'the registry topic at least');
    assert.equal(value(s, 'shiftleft_topic_partitions', { topic: '_schemas', internal: 'true' }), 1);
    assert.equal(sum(s, 'shiftleft_metrics_scrape_errors_total'), 0);
  });

  it('follows topics: partitions, high watermarks, log start offsets and bytes', async () => {
    const before = await scrape(platform);
    const created = await call(platform.urls.platform, 'POST', '/v1/topics', { name: 'raw-events', partitions: 2 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    let s = await scrape(platform);
    assert.equal(value(s, 'shiftleft_topics', { internal: 'false' }), value(before, 'shiftleft_topics', { internal: 'false' }) + 1);
    assert.equal(value(s, 'shiftleft_topic_partitions', { topic: 'raw-events', internal: 'false' }), 2);
    assert.equal(sum(s, 'shiftleft_topic_high_watermark', { topic: 'raw-events' }), 0);
    assert.equal(value(s, 'shiftleft_topic_log_start_offset', { topic: 'raw-events', partition: '1', internal: 'false' }), 0);
    const bytesBefore = sum(s, 'shiftleft_topic_size_bytes', { topic: 'raw-events' });

    const records = [0, 0, 1].map((partition, i) => ({ value: `event-${i}`, partition }));
    const produced = await call(platform.urls.platform, 'POST', '/v1/topics/raw-events/records', { records });
    assert.equal(produced.status, 200, JSON.stringify(produced.body));
    s = await scrape(platform);
    assert.equal(value(s, 'shiftleft_topic_high_watermark', { topic: 'raw-events', partition: '0', internal: 'false' }), 2);
    assert.equal(value(s, 'shiftleft_topic_high_watermark', { topic: 'raw-events', partition: '1', internal: 'false' }), 1);
    assert.ok(sum(s, 'shiftleft_topic_size_bytes', { topic: 'raw-events' }) > bytesBefore, 'stored bytes grow');

    assert.equal((await call(platform.urls.platform, 'DELETE', '/v1/topics/raw-events')).status, 204);
    s = await scrape(platform);
    assert.equal(find(s, 'shiftleft_topic_partitions', { topic: 'raw-events' }).length, 0, 'a deleted topic leaves');
  });

  it('counts subjects, schema versions, KEKs and DEKs', async () => {
    const registry = (method: string, path: string, body?: unknown) => call(platform.urls.registry, method, path, body);
    const before = await scrape(platform);
    const schema = (fields: string[]) => ({ schema: JSON.stringify({ type: 'record', name: 'Reading', fields: fields.map((name) => ({ name, type: 'string', default: '' })) }) });
    assert.equal((await registry('POST', '/subjects/readings-value/versions', schema(['a']))).status, 200);
    assert.equal((await registry('POST', '/subjects/readings-value/versions', schema(['a', 'b']))).status, 200);
    assert.equal((await registry('POST', '/subjects/other-value/versions', schema(['c']))).status, 200);
    assert.equal((await registry('POST', '/dek-registry/v1/keks', { name: 'metrics-kek', kmsType: 'local-kms', kmsKeyId: 'metrics-key' })).status, 200);
    for (const version of [1, 2]) {
      const dek = await registry('POST', '/dek-registry/v1/keks/metrics-kek/deks/readings-value', { subject: 'readings-value', version, encryptedKeyMaterial: Buffer.from(`key-${version}`).toString('base64') });
      assert.equal(dek.status, 200, JSON.stringify(dek.body));
    }
    let s = await scrape(platform);
    assert.equal(value(s, 'shiftleft_registry_subjects'), value(before, 'shiftleft_registry_subjects') + 2);
    assert.equal(value(s, 'shiftleft_registry_schema_versions'), value(before, 'shiftleft_registry_schema_versions') + 3);
    assert.equal(value(s, 'shiftleft_registry_keks'), value(before, 'shiftleft_registry_keks') + 1);
    assert.equal(value(s, 'shiftleft_registry_deks'), value(before, 'shiftleft_registry_deks') + 2);

    // Soft-deleted subjects are not counted, as the REST API does not list them.
    assert.equal((await registry('DELETE', '/subjects/other-value')).status, 200);
    s = await scrape(platform);
    assert.equal(value(s, 'shiftleft_registry_subjects'), value(before, 'shiftleft_registry_subjects') + 1);
    assert.equal(value(s, 'shiftleft_registry_schema_versions'), value(before, 'shiftleft_registry_schema_versions') + 2);
  });

  it('reports statements: status, records per operator, source lag and watermark', async () => {
    await sql("CREATE TABLE clicks (usr STRING, n INT, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND); CREATE TABLE big_clicks (usr STRING, n INT, ts TIMESTAMP_LTZ(3))");
    await sql("INSERT INTO clicks VALUES ('ann', 1, TO_TIMESTAMP_LTZ(1000, 3)), ('bob', 5, TO_TIMESTAMP_LTZ(2000, 3)), ('cy', 7, TO_TIMESTAMP_LTZ(3000, 3))", { 'client.statement-name': 'load-1' });
    let s = await scrapeUntil(platform, 'load-1 COMPLETED', (x) => find(x, 'shiftleft_statement_status', { statement: 'load-1', status: 'COMPLETED' })[0]?.value === 1);
    assert.equal(value(s, 'shiftleft_statement_status', { statement: 'load-1', status: 'RUNNING' }), 0, 'one status at 1, the others at 0');
    assert.equal(find(s, 'shiftleft_statement_status', { statement: 'load-1' }).length, 5);
    assert.equal(value(s, 'shiftleft_statement_records_in_total', { statement: 'load-1' }), 3);

    const started = await sql('INSERT INTO big_clicks SELECT usr, n, ts FROM clicks WHERE n > 2', { 'client.statement-name': 'big-clicks' });
    assert.equal(started[0].status, 'RUNNING');
    // Two operators: the filter reading the source, then the projection writing the sink (id 0).
    s = await scrapeUntil(platform, 'big-clicks reading all three rows', (x) => find(x, 'shiftleft_statement_operator_records_out_total', { statement: 'big-clicks', operator_id: '0' })[0]?.value === 2);
    assert.equal(value(s, 'shiftleft_statement_status', { statement: 'big-clicks', status: 'RUNNING' }), 1);
    const operators = find(s, 'shiftleft_statement_operator_records_in_total', { statement: 'big-clicks' });
    assert.deepEqual(operators.map((o) => o.labels.operator), ['Calc', 'Calc']);
    const reading = operators.find((o) => o.labels.operator_id !== '0')!;
    assert.equal(reading.value, 3, 'the filter sees every row');
    assert.equal(value(s, 'shiftleft_statement_operator_records_out_total', { statement: 'big-clicks', operator_id: reading.labels.operator_id! }), 2, 'and lets two through');
    assert.equal(value(s, 'shiftleft_statement_operator_late_records_dropped_total', { statement: 'big-clicks', operator_id: '0' }), 0);
    assert.equal(value(s, 'shiftleft_statement_source_lag_records', { statement: 'big-clicks', topic: 'clicks', partition: '0' }), 0);
    // Caught up: the three records, plus the commit marker the durable INSERT ... VALUES left.
    assert.equal(value(s, 'shiftleft_statement_source_offset', { statement: 'big-clicks', topic: 'clicks', partition: '0' }), value(s, 'shiftleft_topic_high_watermark', { topic: 'clicks', partition: '0' }));
    // Largest ts (3 s) minus the 1 s delay.
    assert.equal(value(s, 'shiftleft_statement_watermark_ms', { statement: 'big-clicks' }), 2000);

    await sql("INSERT INTO clicks VALUES ('dee', 9, TO_TIMESTAMP_LTZ(9000, 3))", { 'client.statement-name': 'load-2' });
    s = await scrapeUntil(platform, 'big-clicks reading the fourth row', (x) => find(x, 'shiftleft_statement_operator_records_out_total', { statement: 'big-clicks', operator_id: '0' })[0]?.value === 3);
    assert.equal(value(s, 'shiftleft_statement_records_in_total', { statement: 'big-clicks' }), 4);
    assert.equal(value(s, 'shiftleft_statement_watermark_ms', { statement: 'big-clicks' }), 8000);

    // A stopped statement keeps its position: rows written after it are its lag.
    assert.equal((await call(platform.urls.platform, 'POST', '/v1/statements/big-clicks/stop')).status, 200);
    await sql("INSERT INTO clicks VALUES ('eve', 3, TO_TIMESTAMP_LTZ(10000, 3)), ('fay', 4, TO_TIMESTAMP_LTZ(11000, 3))", { 'client.statement-name': 'load-3' });
    s = await scrapeUntil(platform, 'load-3 COMPLETED', (x) => find(x, 'shiftleft_statement_status', { statement: 'load-3', status: 'COMPLETED' })[0]?.value === 1);
    assert.equal(value(s, 'shiftleft_statement_status', { statement: 'big-clicks', status: 'STOPPED' }), 1);
    // Two records and the marker that committed them: lag counts offsets, as Kafka's does.
    assert.equal(value(s, 'shiftleft_statement_source_lag_records', { statement: 'big-clicks', topic: 'clicks', partition: '0' }), 3);
    assert.equal(
      value(s, 'shiftleft_statement_source_lag_records', { statement: 'big-clicks', topic: 'clicks', partition: '0' }),
      value(s, 'shiftleft_topic_high_watermark', { topic: 'clicks', partition: '0' }) - value(s, 'shiftleft_statement_source_offset', { statement: 'big-clicks', topic: 'clicks', partition: '0' }),
    );
  });

  it('reports the state entries of a join', async () => {
    await sql('CREATE TABLE users (usr STRING, country STRING); CREATE TABLE clicks_by_country (usr STRING, n INT, country STRING)');
    await sql("INSERT INTO users VALUES ('ann', 'FR'), ('bob', 'DE')", { 'client.statement-name': 'load-users' });
    await sql('INSERT INTO clicks_by_country SELECT c.usr, c.n, u.country FROM clicks c JOIN users u ON c.usr = u.usr', { 'client.statement-name': 'join-clicks' });
    // Both sides are kept in state, as join keys per side: 6 users who clicked, 2 users.
    const s = await scrapeUntil(platform, 'the join holding every row', (x) => sum(x, 'shiftleft_statement_operator_state_entries', { statement: 'join-clicks' }) === 8);
    const join = find(s, 'shiftleft_statement_operator_state_entries', { statement: 'join-clicks' });
    assert.equal(join.length, 1);
    assert.match(join[0]!.labels.operator!, /Join/);
    assert.equal(value(s, 'shiftleft_statement_operator_records_out_total', { statement: 'join-clicks', operator: join[0]!.labels.operator! }), 2, 'ann and bob clicks');
    assert.equal((await call(platform.urls.platform, 'POST', '/v1/statements/join-clicks/stop')).status, 200);
  });

  it('reports connectors: state, records, errors and the last failure', async () => {
    const created = await call(platform.urls.platform, 'POST', '/v1/connectors', { name: 'dwh', type: 'duckdb-sink', config: { topics: ['big_clicks'] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    let s = await scrapeUntil(platform, 'the sink loading big_clicks', (x) => find(x, 'shiftleft_connector_records_total', { connector: 'dwh' })[0]?.value === 3);
    assert.equal(value(s, 'shiftleft_connector_state', { connector: 'dwh', state: 'RUNNING', type: 'duckdb-sink' }), 1);
    assert.equal(value(s, 'shiftleft_connector_state', { connector: 'dwh', state: 'FAILED' }), 0);
    assert.equal(value(s, 'shiftleft_connector_errors_total', { connector: 'dwh' }), 0);
    assert.equal(value(s, 'shiftleft_connector_metric', { connector: 'dwh', metric: 'records' }), 3);
    assert.equal(value(s, 'shiftleft_connector_failures', { connector: 'dwh' }), 0);
    assert.equal(find(s, 'shiftleft_connector_last_error_timestamp_seconds', { connector: 'dwh' }).length, 0);

    // A sink on a topic that does not exist fails; its failure time is reported.
    const failing = await call(platform.urls.platform, 'POST', '/v1/connectors', { name: 'broken', type: 'duckdb-sink', config: { topics: ['no-such-topic'], path: join(dir, 'broken.duckdb') } });
    assert.equal(failing.status, 201, JSON.stringify(failing.body));
    s = await scrapeUntil(platform, 'the broken sink FAILED', (x) => find(x, 'shiftleft_connector_state', { connector: 'broken', state: 'FAILED' })[0]?.value === 1);
    const failedAt = value(s, 'shiftleft_connector_last_error_timestamp_seconds', { connector: 'broken' });
    assert.ok(Math.abs(failedAt - Date.parse(failing.body.lastError?.at ?? new Date().toISOString()) / 1000) < 3600, 'a unix time in seconds');
    assert.ok(value(s, 'shiftleft_connector_failures', { connector: 'broken' }) >= 1);

    assert.equal((await call(platform.urls.platform, 'DELETE', '/v1/connectors/broken')).status, 200);
    s = await scrape(platform);
    assert.equal(find(s, 'shiftleft_connector_state', { connector: 'broken' }).length, 0, 'a deleted connector leaves');
  });

  it('counts HTTP requests of both apps by route pattern and status', async () => {
    const before = await scrape(platform);
    const subjectRoute = { app: 'registry', method: 'GET', route: '/subjects/:subject/versions', status: '200' };
    const missingRoute = { app: 'registry', method: 'GET', route: '/subjects/:subject/versions', status: '404' };
    assert.equal((await call(platform.urls.registry, 'GET', '/subjects/readings-value/versions')).status, 200);
    assert.equal((await call(platform.urls.registry, 'GET', '/subjects/nope-value/versions')).status, 404);
    assert.equal((await call(platform.urls.platform, 'PATCH', '/v1/no/such/route', {})).status, 404);
    const s = await scrape(platform);
    assert.equal(sum(s, 'shiftleft_http_requests_total', subjectRoute), sum(before, 'shiftleft_http_requests_total', subjectRoute) + 1);
    assert.equal(sum(s, 'shiftleft_http_requests_total', missingRoute), sum(before, 'shiftleft_http_requests_total', missingRoute) + 1);
    assert.equal(find(s, 'shiftleft_http_requests_total').filter((x) => /readings|nope|no\/such/.test(x.labels.route ?? '')).length, 0, 'URLs never become labels');
    const unmatched = { app: 'platform', method: 'PATCH', route: '(unmatched)', status: '404' };
    assert.equal(sum(s, 'shiftleft_http_requests_total', unmatched), sum(before, 'shiftleft_http_requests_total', unmatched) + 1);
    assert.equal(
      value(s, 'shiftleft_http_request_duration_seconds_count', subjectRoute),
      value(s, 'shiftleft_http_requests_total', subjectRoute),
      'one latency observation per request',
    );
    const inf = value(s, 'shiftleft_http_request_duration_seconds_bucket', { ...subjectRoute, le: '+Inf' });
    assert.equal(inf, value(s, 'shiftleft_http_requests_total', subjectRoute));
    // Scrapes themselves are platform requests too.
    assert.ok(sum(s, 'shiftleft_http_requests_total', { app: 'platform', route: '/metrics', status: '200' }) >= 1);
  });

  it('answers other methods on /metrics with a JSON 404', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await call(platform.urls.platform, method, '/metrics', {});
      assert.equal(r.status, 404, method);
      assert.equal(r.body.error_code, 404);
      assert.match(r.body.message, new RegExp(`${method} /metrics`));
    }
    // The registry port has no /metrics: everything is on the platform port.
    assert.equal((await call(platform.urls.registry, 'GET', '/metrics')).status, 404);
  });

  it('keeps each platform to its own state', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'shiftleft-metrics-other-'));
    const other = await startPlatform({ dataDir: otherDir, port: 0, registryPort: 0 });
    try {
      const s = await scrape(other);
      assert.equal(find(s, 'shiftleft_topic_partitions', { topic: 'clicks' }).length, 0);
      assert.equal(find(s, 'shiftleft_statement_status').length, 0);
      assert.equal(find(s, 'shiftleft_connector_state').length, 0);
      assert.equal(sum(s, 'shiftleft_http_requests_total', { app: 'registry' }), 0);
      assert.ok(find(await scrape(platform), 'shiftleft_topic_partitions', { topic: 'clicks' }).length === 1);
    } finally {
      await other.close();
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});

describe('metrics when a read fails', () => {
  it('counts the failed area and still reports the others', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shiftleft-metrics-failing-'));
    const log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
    try {
      await log.createTopic('kept', { partitions: 1 });
      let broken = false;
      // A statement runtime whose report fails (as one reading a log that went away would).
      const statements = {
        list: () => {
          if (broken) throw new ShiftleftError('BROKER_UNAVAILABLE', 'the log is unreachable');
          return [{ name: 'q', status: 'RUNNING', operators: [], sources: [], watermark: null }];
        },
      };
      const registry = createMetricsRegistry({ log, statements });
      const healthy = parseExposition(await registry.metrics());
      assert.equal(value(healthy, 'shiftleft_statement_status', { statement: 'q', status: 'RUNNING' }), 1);
      assert.equal(sum(healthy, 'shiftleft_metrics_scrape_errors_total'), 0);

      broken = true;
      const s = parseExposition(await registry.metrics());
      assert.equal(value(s, 'shiftleft_metrics_scrape_errors_total', { area: 'statements' }), 1);
      assert.equal(find(s, 'shiftleft_statement_status').length, 0, 'no stale statement series');
      assert.equal(value(s, 'shiftleft_topic_partitions', { topic: 'kept' }), 1, 'the other areas still answer');
    } finally {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
