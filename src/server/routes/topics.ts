/**
 * The log over HTTP: every LogClient operation as JSON on the platform API, so CLI commands
 * (through HttpLogClient, src/log/http/) and curl reach the log while `shiftleft up` owns the
 * data directory. Errors are the log's own ShiftleftErrors; error-responses.ts chooses the
 * status and the body carries `{ error_code, code, message, hint?, details? }`.
 *
 * Grammar (`:topic` and `:group` URL-encoded; bodies JSON; unknown body fields are refused):
 *
 *   GET    /v1/topics[?includeInternal=true]
 *          → [{ name, partitions, internal, cleanupPolicy, records }]
 *   POST   /v1/topics   { name, partitions?, config?: { "retention.ms": 60000, ... }, ifNotExists? }
 *          → 201 TopicDescription { name, internal, config, partitions: [{ partition, logStartOffset, highWatermark, sizeBytes? }] }
 *   GET    /v1/topics/:topic                     → TopicDescription
 *   PATCH  /v1/topics/:topic/config   { "retention.ms": 60000, ... }   → TopicDescription
 *   DELETE /v1/topics/:topic                     → 204
 *
 *   POST   /v1/topics/:topic/records   { records: [record, ...] }
 *          record = { key?, keyEncoding?, value, valueEncoding?, headers?: [{ key, value, valueEncoding? }], timestamp?, partition? }
 *          key/value/header values are strings or null; encoding "utf8" (default) or "base64"
 *          → [{ topic, partition, offset, timestamp }]   (one per record, in order)
 *   GET    /v1/topics/:topic/partitions/:partition/records?offset=N[&maxRecords=N][&maxBytes=N][&maxWaitMs=N][&isolation=read_committed]
 *          → { records: [{ offset, timestamp, key, keyEncoding?, value, valueEncoding?, headers }], nextOffset, highWatermark, logStartOffset }
 *          bytes come back as UTF-8 text when they are exactly that, else base64 with `*Encoding: "base64"`.
 *          With maxWaitMs the request waits on the server (a long poll) until a record arrives.
 *   GET    /v1/topics/:topic/partitions/:partition/offsets?spec=earliest|latest   or   ?timestamp=<epoch ms>
 *          → { offset }
 *   POST   /v1/records/wait   { positions: [{ topic, partition, offset }], timeoutMs }
 *          → { available }   true as soon as any position has a record at or past its offset
 *
 *   GET    /v1/consumer-groups                   → ["group", ...]
 *   GET    /v1/consumer-groups/:group/offsets[?topic=a&topic=b]   → [{ topic, partition, offset }]
 *   POST   /v1/consumer-groups/:group/offsets   { offsets: [{ topic, partition, offset }] }   → 204
 *   DELETE /v1/consumer-groups/:group            → 204
 *
 * Waits (maxWaitMs, timeoutMs) are capped at MAX_WAIT_MS per request; a client wanting longer
 * asks again. A wait ends early when the client disconnects or the platform shuts down.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, FastifySchemaCompiler, RouteShorthandOptions } from 'fastify';
import { Ajv, type ErrorObject } from 'ajv';
import { ShiftleftError } from '../../common/errors.ts';
import type { IsolationLevel, LogClient, OffsetSpec, TopicPartitionOffset } from '../../log/log-client.ts';
import { produceRecordFromWire, recordToWire, type WireFetchResult, type WireProduceRecord } from '../../log/http/log-wire.ts';
import { param, queryFlag, queryList } from '../http-support.ts';

export const MAX_WAIT_MS = 60_000;

// ---- validation ------------------------------------------------------------------------------
// Our own Ajv instances instead of fastify's default one, which silently drops unknown body
// fields (a misspelt "partition" would be ignored) and coerces body types. Query strings and
// path parameters are text, so only they are coerced (to the numbers their schemas say).

const bodyAjv = new Ajv({ allErrors: false, allowUnionTypes: true, coerceTypes: false, removeAdditional: false });
const textAjv = new Ajv({ allErrors: false, allowUnionTypes: true, coerceTypes: true, removeAdditional: false });

const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;

function schemaErrorFormatter(errors: { instancePath?: string; message?: string }[], dataVar: string): Error {
  const first = errors[0] as ErrorObject | undefined;
  const where = `${dataVar}${first?.instancePath ?? ''}`;
  const extra = first?.keyword === 'additionalProperties' ? ` ('${String(first.params.additionalProperty)}')` : '';
  return new ShiftleftError('MALFORMED_REQUEST', `invalid request: ${where} ${first?.message ?? 'is invalid'}${extra}`, {
    hint: 'see the log API grammar at the top of src/server/routes/topics.ts',
    details: { part: dataVar, path: first?.instancePath ?? '', problem: first?.message },
  });
}

function withSchema(schema: FastifySchema): RouteShorthandOptions {
  return { schema, validatorCompiler, schemaErrorFormatter };
}

const bytesField = { type: ['string', 'null'] };
const encodingField = { enum: ['utf8', 'base64'] };
const topicPartitionOffset = {
  type: 'object',
  required: ['topic', 'partition', 'offset'],
  additionalProperties: false,
  properties: { topic: { type: 'string' }, partition: { type: 'number' }, offset: { type: 'number' } },
};
const topicParams = { type: 'object', properties: { topic: { type: 'string' } } };
const partitionParams = { type: 'object', required: ['topic', 'partition'], properties: { topic: { type: 'string' }, partition: { type: 'integer' } } };

const createTopicBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    // Numbers, not integers: the log itself refuses 0 or 1.5 partitions with INVALID_TOPIC_CONFIG.
    partitions: { type: 'number' },
    // Values are checked by the log (parseTopicConfig), which names the bad key.
    config: { type: 'object' },
    ifNotExists: { type: 'boolean' },
  },
};

const produceBody = {
  type: 'object',
  required: ['records'],
  additionalProperties: false,
  properties: {
    records: {
      type: 'array',
      items: {
        type: 'object',
        required: ['value'],
        additionalProperties: false,
        properties: {
          key: bytesField,
          keyEncoding: encodingField,
          value: bytesField,
          valueEncoding: encodingField,
          headers: {
            type: 'array',
            items: {
              type: 'object',
              required: ['key', 'value'],
              additionalProperties: false,
              properties: { key: { type: 'string' }, value: bytesField, valueEncoding: encodingField },
            },
          },
          timestamp: { type: 'number' },
          partition: { type: 'number' },
        },
      },
    },
  },
};

const fetchQuery = {
  type: 'object',
  required: ['offset'],
  properties: {
    offset: { type: 'integer' },
    maxRecords: { type: 'integer', minimum: 1 },
    maxBytes: { type: 'integer', minimum: 1 },
    maxWaitMs: { type: 'integer', minimum: 0 },
    isolation: { enum: ['read_uncommitted', 'read_committed'] },
  },
};

const offsetsQuery = {
  type: 'object',
  properties: { spec: { enum: ['earliest', 'latest'] }, timestamp: { type: 'integer' } },
};

const waitBody = {
  type: 'object',
  required: ['positions', 'timeoutMs'],
  additionalProperties: false,
  properties: {
    positions: { type: 'array', items: topicPartitionOffset },
    timeoutMs: { type: 'number', minimum: 0 },
    isolation: { enum: ['read_uncommitted', 'read_committed'] },
  },
};

const commitBody = {
  type: 'object',
  required: ['offsets'],
  additionalProperties: false,
  properties: { offsets: { type: 'array', items: topicPartitionOffset } },
};

// ---- long polls --------------------------------------------------------------------------------

/**
 * Signals for waiting requests: each aborts when its client goes away (no point waiting for a
 * reader that left) or when the app closes (so shutdown is not held up by a 60 s long poll).
 */
class PendingWaits {
  private readonly controllers = new Set<AbortController>();
  private closing = false;

  signalFor(reply: FastifyReply): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    if (this.closing) controller.abort();
    this.controllers.add(controller);
    const onClose = (): void => {
      if (!reply.raw.writableEnded) controller.abort();
    };
    reply.raw.once('close', onClose);
    return {
      signal: controller.signal,
      done: () => {
        this.controllers.delete(controller);
        reply.raw.off('close', onClose);
        // The server closes only idle connections: without this the client would keep this
        // one alive (up to the keep-alive timeout) and hold the platform's shutdown.
        if (this.closing) reply.header('connection', 'close');
      },
    };
  }

  abortAll(): void {
    this.closing = true;
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }
}

const clampWait = (ms: number | undefined): number => Math.min(Math.max(ms ?? 0, 0), MAX_WAIT_MS);

// ---- routes ------------------------------------------------------------------------------------

function topicOf(request: FastifyRequest): string {
  return param(request, 'topic');
}

export function registerTopicRoutes(app: FastifyInstance, log: LogClient): void {
  const waits = new PendingWaits();
  app.addHook('preClose', (done) => {
    waits.abortAll();
    done();
  });

  app.get('/v1/topics', async (request) => {
    const names = await log.listTopics({ includeInternal: queryFlag(request, 'includeInternal') });
    const topics = await Promise.all(names.map((name) => log.describeTopic(name).catch(() => undefined))); // deleted meanwhile: skip it
    return topics
      .filter((topic) => topic !== undefined)
      .map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.length,
        internal: topic.internal,
        cleanupPolicy: topic.config['cleanup.policy'],
        records: topic.partitions.reduce((sum, p) => sum + (p.highWatermark - p.logStartOffset), 0),
      }));
  });

  app.post('/v1/topics', withSchema({ body: createTopicBody }), async (request, reply) => {
    const body = request.body as { name: string; partitions?: number; config?: Record<string, unknown>; ifNotExists?: boolean };
    const created = await log.createTopic(body.name, { partitions: body.partitions, config: body.config as never, ifNotExists: body.ifNotExists });
    return reply.status(201).send(created);
  });

  app.get('/v1/topics/:topic', withSchema({ params: topicParams }), async (request) => log.describeTopic(topicOf(request)));

  app.patch('/v1/topics/:topic/config', withSchema({ params: topicParams, body: { type: 'object' } }), async (request) =>
    log.alterTopicConfig(topicOf(request), request.body as never),
  );

  app.delete('/v1/topics/:topic', withSchema({ params: topicParams }), async (request, reply) => {
    await log.deleteTopic(topicOf(request));
    return reply.status(204).send();
  });

  app.post('/v1/topics/:topic/records', withSchema({ params: topicParams, body: produceBody }), async (request) => {
    const topic = topicOf(request);
    const { records } = request.body as { records: WireProduceRecord[] };
    return log.produce(
      topic,
      records.map((r, i) => produceRecordFromWire(r, i, topic)),
    );
  });

  app.get('/v1/topics/:topic/partitions/:partition/records', withSchema({ params: partitionParams, querystring: fetchQuery }), async (request, reply): Promise<WireFetchResult> => {
    const { partition } = request.params as { partition: number };
    const query = request.query as { offset: number; maxRecords?: number; maxBytes?: number; maxWaitMs?: number; isolation?: IsolationLevel };
    const wait = waits.signalFor(reply);
    try {
      const result = await log.fetch({ topic: topicOf(request), partition }, query.offset, {
        maxRecords: query.maxRecords,
        maxBytes: query.maxBytes,
        maxWaitMs: clampWait(query.maxWaitMs),
        isolation: query.isolation,
        signal: wait.signal,
      });
      return { ...result, records: result.records.map(recordToWire) };
    } finally {
      wait.done();
    }
  });

  app.get('/v1/topics/:topic/partitions/:partition/offsets', withSchema({ params: partitionParams, querystring: offsetsQuery }), async (request) => {
    const { partition } = request.params as { partition: number };
    const query = request.query as { spec?: 'earliest' | 'latest'; timestamp?: number };
    if ((query.spec === undefined) === (query.timestamp === undefined)) {
      throw new ShiftleftError('MALFORMED_REQUEST', 'give exactly one of ?spec=earliest|latest and ?timestamp=<epoch ms>', {
        hint: 'for example /v1/topics/orders/partitions/0/offsets?spec=latest',
      });
    }
    const spec: OffsetSpec = query.timestamp !== undefined ? { timestamp: query.timestamp } : query.spec!;
    return { offset: await log.listOffsets({ topic: topicOf(request), partition }, spec) };
  });

  app.post('/v1/records/wait', withSchema({ body: waitBody }), async (request, reply) => {
    const body = request.body as { positions: TopicPartitionOffset[]; timeoutMs: number; isolation?: IsolationLevel };
    const wait = waits.signalFor(reply);
    try {
      return { available: await log.waitForRecords(body.positions, { timeoutMs: clampWait(body.timeoutMs), signal: wait.signal, ...(body.isolation ? { isolation: body.isolation } : {}) }) };
    } finally {
      wait.done();
    }
  });

  app.get('/v1/consumer-groups', async () => log.listGroups());

  app.get('/v1/consumer-groups/:group/offsets', async (request) => {
    const topics = queryList(request, 'topic');
    return log.fetchCommittedOffsets(param(request, 'group'), topics.length > 0 ? topics : undefined);
  });

  app.post('/v1/consumer-groups/:group/offsets', withSchema({ body: commitBody }), async (request, reply) => {
    const { offsets } = request.body as { offsets: TopicPartitionOffset[] };
    await log.commitOffsets(param(request, 'group'), offsets);
    return reply.status(204).send();
  });

  app.delete('/v1/consumer-groups/:group', async (request, reply) => {
    await log.deleteGroup(param(request, 'group'));
    return reply.status(204).send();
  });
}
