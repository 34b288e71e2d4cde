/**
 * The log's REST API (src/server/routes/topics.ts) over raw HTTP, as curl would use it: UTF-8
 * and base64 bytes, long polls, consumer groups, and every refusal with the right status and an
 * error body carrying the ShiftleftError's code, message, hint and details.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isShiftleftError, type ShiftleftError } from '../../src/common/errors.ts';
import { HttpLogClient } from '../../src/log/http/http-log-client.ts';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function send(base: string, method: string, path: string, body?: string | object): Promise<Answer> {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function caught(promise: Promise<unknown>): Promise<ShiftleftError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isShiftleftError(error), String(error));
    return error;
  }
  assert.fail('expected a ShiftleftError');
}

describe('log REST API', () => {
  let dir: string;
  let platform: RunningPlatform;
  let base: string;
  const call = (method: string, path: string, body?: string | object) => send(base, method, path, body);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shiftleft-topics-api-'));
    platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0 });
    base = platform.urls.platform;
  });
  after(async () => {
    await platform?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates, describes, alters, lists and deletes topics', async () => {
    const created = await call('POST', '/v1/topics', { name: 'api-admin', partitions: 2, config: { 'retention.ms': '3600000' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.partitions.length, 2);
    assert.equal(created.body.config['retention.ms'], 3_600_000);
    const altered = await call('PATCH', '/v1/topics/api-admin/config', { 'cleanup.policy': 'compact' });
    assert.equal(altered.status, 200);
    assert.equal(altered.body.config['cleanup.policy'], 'compact');
    assert.equal((await call('GET', '/v1/topics/api-admin')).body.config['cleanup.policy'], 'compact');
    const listed = await call('GET', '/v1/topics');
    assert.deepEqual(
      listed.body.find((t: { name: string }) => t.name === 'api-admin'),
      { name: 'api-admin', partitions: 2, internal: false, cleanupPolicy: 'compact', records: 0 },
    );
    assert.equal((await call('DELETE', '/v1/topics/api-admin')).status, 204);
    assert.equal((await call('GET', '/v1/topics/api-admin')).status, 404);
  });

  it('produces UTF-8 and base64 bytes and fetches them back, text when it is text', async () => {
    await call('POST', '/v1/topics', { name: 'api-bytes' });
    const binary = Buffer.from([0, 0, 0, 0, 1, 0xff, 0xfe]);
    const produced = await call('POST', '/v1/topics/api-bytes/records', {
      records: [
        { key: 'k1', value: '{"id":1}', headers: [{ key: 'source', value: 'curl' }], timestamp: 1_700_000_000_000 },
        { key: null, value: binary.toString('base64'), valueEncoding: 'base64', headers: [{ key: 'bin', value: '/w==', valueEncoding: 'base64' }, { key: 'text', value: 'AAE=', valueEncoding: 'base64' }] },
        { key: 'k1', value: null },
      ],
    });
    assert.equal(produced.status, 200, JSON.stringify(produced.body));
    assert.deepEqual(
      produced.body.map((m: { partition: number; offset: number }) => [m.partition, m.offset]),
      [
        [0, 0],
        [0, 1],
        [0, 2],
      ],
    );
    const fetched = await call('GET', '/v1/topics/api-bytes/partitions/0/records?offset=0&maxRecords=10');
    assert.equal(fetched.status, 200);
    assert.equal(fetched.body.nextOffset, 3);
    assert.equal(fetched.body.highWatermark, 3);
    const [text, bin, tombstone] = fetched.body.records;
    assert.deepEqual(text, { offset: 0, timestamp: 1_700_000_000_000, key: 'k1', value: '{"id":1}', headers: [{ key: 'source', value: 'curl' }] });
    assert.equal(bin.valueEncoding, 'base64');
    assert.ok(Buffer.from(bin.value, 'base64').equals(binary));
    assert.deepEqual(bin.headers, [
      { key: 'bin', value: '/w==', valueEncoding: 'base64' },
      { key: 'text', value: '\u0000\u0001' },
    ], 'bytes that are UTF-8 text come back as text');
    assert.equal(tombstone.value, null);

    const page = await call('GET', '/v1/topics/api-bytes/partitions/0/records?offset=1&maxRecords=1');
    assert.deepEqual(
      page.body.records.map((r: { offset: number }) => r.offset),
      [1],
    );
    assert.deepEqual((await call('GET', '/v1/topics/api-bytes/partitions/0/offsets?spec=latest')).body, { offset: 3 });
    assert.deepEqual((await call('GET', '/v1/topics/api-bytes/partitions/0/offsets?timestamp=1700000000000')).body, { offset: 0 });
  });

  it('refuses malformed JSON, unknown fields, bad base64 and bad query values with 400/422 and a code', async () => {
    await call('POST', '/v1/topics', { name: 'api-bad' });
    const malformed = await call('POST', '/v1/topics/api-bad/records', '{"records": [');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.code, 'MALFORMED_REQUEST');
    assert.equal(malformed.body.error_code, 400);
    assert.match(malformed.body.message, /Malformed JSON/);

    const misspelt = await call('POST', '/v1/topics', { name: 'api-typo', partition: 3 });
    assert.equal(misspelt.status, 400);
    assert.equal(misspelt.body.code, 'MALFORMED_REQUEST');
    assert.match(misspelt.body.message, /partition/);
    assert.ok(misspelt.body.hint);

    const badBase64 = await call('POST', '/v1/topics/api-bad/records', {
      records: [{ value: 'fine' }, { value: 'not base64!', valueEncoding: 'base64' }],
    });
    assert.equal(badBase64.status, 422);
    assert.equal(badBase64.body.code, 'INVALID_RECORD');
    assert.match(badBase64.body.message, /record #1 .*value is not valid base64/);
    assert.deepEqual(badBase64.body.details, { topic: 'api-bad', index: 1, field: 'value' });
    assert.equal((await call('GET', '/v1/topics/api-bad')).body.partitions[0].highWatermark, 0, 'nothing of that call was written');

    const wrongType = await call('POST', '/v1/topics/api-bad/records', { records: [{ value: 42 }] });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.code, 'MALFORMED_REQUEST');

    const badOffset = await call('GET', '/v1/topics/api-bad/partitions/0/records?offset=abc');
    assert.equal(badOffset.status, 400);
    assert.equal(badOffset.body.code, 'MALFORMED_REQUEST');
    assert.equal((await call('GET', '/v1/topics/api-bad/partitions/0/records')).status, 400, 'offset is required');
    assert.equal((await call('GET', '/v1/topics/api-bad/partitions/0/offsets')).body.code, 'MALFORMED_REQUEST');

    const outOfRange = await call('GET', '/v1/topics/api-bad/partitions/0/records?offset=5');
    assert.equal(outOfRange.status, 416);
    assert.equal(outOfRange.body.code, 'OFFSET_OUT_OF_RANGE');
    const noPartition = await call('GET', '/v1/topics/api-bad/partitions/7/records?offset=0');
    assert.equal(noPartition.status, 404);
    assert.equal(noPartition.body.code, 'PARTITION_NOT_FOUND');

    const badConfig = await call('POST', '/v1/topics', { name: 'api-badcfg', config: { 'retention.ms': 'soon' } });
    assert.equal(badConfig.status, 422);
    assert.equal(badConfig.body.code, 'INVALID_TOPIC_CONFIG');
    assert.equal((await call('POST', '/v1/topics', { name: 'api-bad' })).status, 409);
    assert.equal((await call('POST', '/v1/topics', { name: 'bad name' })).body.code, 'INVALID_TOPIC_NAME');
  });

  it('answers an unknown topic with 404, its code, message and hint', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/topics/nope'],
      ['DELETE', '/v1/topics/nope'],
      ['PATCH', '/v1/topics/nope/config', { 'retention.ms': 1 }],
      ['POST', '/v1/topics/nope/records', { records: [{ value: 'x' }] }],
      ['GET', '/v1/topics/nope/partitions/0/records?offset=0'],
      ['GET', '/v1/topics/nope/partitions/0/offsets?spec=earliest'],
    ] as [string, string, object?][]) {
      const answer = await call(method, path, body);
      assert.equal(answer.status, 404, `${method} ${path}`);
      assert.equal(answer.body.code, 'TOPIC_NOT_FOUND');
      assert.equal(answer.body.error_code, 40403);
      assert.equal(answer.body.message, "topic 'nope' does not exist");
      assert.match(answer.body.hint, /shiftleft topic create nope/);
      assert.deepEqual(answer.body.details, { topic: 'nope' });
    }
  });

  it('re-creates in the client the very error the log raised', async () => {
    await call('POST', '/v1/topics', { name: 'api-errors', partitions: 2 });
    const client = await HttpLogClient.connect(base);
    try {
      const cases: ((log: typeof client | typeof platform.log) => Promise<unknown>)[] = [
        (log) => log.produce('api-errors', [{ value: Buffer.from('x'), partition: 5 }]),
        (log) => log.fetch({ topic: 'api-errors', partition: 0 }, 3),
        (log) => log.describeTopic('missing-topic'),
        (log) => log.createTopic('api-errors'),
        (log) => log.deleteGroup('no-such-group'),
        (log) => log.commitOffsets('g', [{ topic: 'api-errors', partition: 0, offset: 10 }]),
      ];
      for (const run of cases) {
        const remote = await caught(run(client));
        const local = await caught(run(platform.log));
        assert.deepEqual([remote.code, remote.message, remote.hint, remote.details], [local.code, local.message, local.hint, local.details]);
      }
    } finally {
      await client.close();
    }
  });

  it('long-polls a fetch and a wait until a record arrives, and ends them when the client leaves', async () => {
    await call('POST', '/v1/topics', { name: 'api-tail' });
    const started = Date.now();
    const pending = call('GET', '/v1/topics/api-tail/partitions/0/records?offset=0&maxWaitMs=20000');
    const waiting = call('POST', '/v1/records/wait', { positions: [{ topic: 'api-tail', partition: 0, offset: 0 }], timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await call('POST', '/v1/topics/api-tail/records', { records: [{ value: 'wake' }] });
    const fetched = await pending;
    assert.deepEqual(
      fetched.body.records.map((r: { value: string }) => r.value),
      ['wake'],
    );
    assert.deepEqual((await waiting).body, { available: true });
    assert.ok(Date.now() - started < 5000);
    const quiet = await call('POST', '/v1/records/wait', { positions: [{ topic: 'api-tail', partition: 0, offset: 1 }], timeoutMs: 50 });
    assert.deepEqual(quiet.body, { available: false });

    // A client that gives up: its request is dropped, the platform keeps answering others.
    const controller = new AbortController();
    const abandoned = fetch(`${base}/v1/topics/api-tail/partitions/0/records?offset=1&maxWaitMs=20000`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(abandoned);
    assert.equal((await call('GET', '/v1/topics/api-tail')).status, 200);
  });

  it('commits, reads, lists and deletes consumer group offsets', async () => {
    await call('POST', '/v1/topics', { name: 'api-groups', partitions: 2 });
    await call('POST', '/v1/topics/api-groups/records', { records: [{ value: 'a', partition: 0 }, { value: 'b', partition: 1 }] });
    const committed = await call('POST', '/v1/consumer-groups/api-g/offsets', {
      offsets: [
        { topic: 'api-groups', partition: 0, offset: 1 },
        { topic: 'api-groups', partition: 1, offset: 0 },
      ],
    });
    assert.equal(committed.status, 204);
    assert.ok((await call('GET', '/v1/consumer-groups')).body.includes('api-g'));
    assert.deepEqual((await call('GET', '/v1/consumer-groups/api-g/offsets?topic=api-groups')).body, [
      { topic: 'api-groups', partition: 0, offset: 1 },
      { topic: 'api-groups', partition: 1, offset: 0 },
    ]);
    assert.deepEqual((await call('GET', '/v1/consumer-groups/api-g/offsets?topic=other')).body, []);
    const tooFar = await call('POST', '/v1/consumer-groups/api-g/offsets', { offsets: [{ topic: 'api-groups', partition: 0, offset: 9 }] });
    assert.equal(tooFar.status, 422);
    assert.equal(tooFar.body.code, 'INVALID_OFFSET_COMMIT');
    assert.equal((await call('DELETE', '/v1/consumer-groups/api-g')).status, 204);
    const gone = await call('DELETE', '/v1/consumer-groups/api-g');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'GROUP_NOT_FOUND');
  });
});

describe('log REST API shutdown', () => {
  it('ends pending long polls when the platform stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shiftleft-topics-api-'));
    try {
      const platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0 });
      const base = platform.urls.platform;
      await send(base, 'POST', '/v1/topics', { name: 'quiet' });
      const pending = send(base, 'GET', '/v1/topics/quiet/partitions/0/records?offset=0&maxWaitMs=60000');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await platform.close();
      assert.ok(Date.now() - started < 5000, `close took ${Date.now() - started} ms`);
      const answer = await pending;
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.records, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
