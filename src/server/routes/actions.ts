/**
 * The data portal's actions on the platform API (`/v1/actions/...`):
 * - `GET /v1/actions/deduplicate-topic/fields?topic=` → the fields to choose from;
 * - `POST /v1/actions/deduplicate-topic/preview` `{topic, fields}` → the SQL ("Show SQL");
 * - `POST /v1/actions/deduplicate-topic/run` `{topic, fields}` → starts `<topic>-deduplicate`;
 * - `POST /v1/actions/encrypt-field` `{topic, field, tag?, kekName?, ruleName?}`;
 * - `POST /v1/actions/create-data-product` `{topic, owner, description?, domain?, slo?}`;
 * - `POST /v1/actions/evolve-contract` `{subject, metadata?, ruleSet?}` (catalog field tags join the metadata).
 */
import type { FastifyInstance } from 'fastify';
import { ShiftleftError } from '../../common/errors.ts';
import type { Portal } from '../../catalog/portal.ts';
import type { Metadata, RuleSet } from '../../registry/types.ts';
import { jsonObjectBody, queryString } from '../http-support.ts';

const ACTIONS = [
  { name: 'deduplicate-topic', description: 'Keep the first record per combination of fields, in <topic>_deduplicate', input: ['topic', 'fields'] },
  { name: 'encrypt-field', description: 'Tag a field PII and encrypt it through the contract', input: ['topic', 'field', 'tag?', 'kekName?', 'ruleName?'] },
  { name: 'create-data-product', description: 'Tag a topic DataProduct with owner and description', input: ['topic', 'owner', 'description?', 'domain?', 'slo?'] },
  { name: 'evolve-contract', description: 'Register a new contract version with the same schema', input: ['subject', 'metadata?', 'ruleSet?'] },
];

function optionalObject<T>(value: unknown, name: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ShiftleftError('INVALID_ARGUMENT', `${name} must be a JSON object`);
  return value as T;
}

export function registerActionRoutes(app: FastifyInstance, portal: Portal): void {
  app.get('/v1/actions', async () => ACTIONS);
  app.get('/v1/actions/deduplicate-topic/fields', async (request) => portal.deduplicateFields(queryString(request, 'topic')));
  app.post('/v1/actions/deduplicate-topic/preview', async (request) => {
    const body = jsonObjectBody(request);
    const plan = await portal.previewDeduplicate(body.topic, body.fields);
    return { topic: plan.topic, fields: plan.fields, table: plan.table, statement: plan.statementName, sql: plan.sql };
  });
  app.post('/v1/actions/deduplicate-topic/run', async (request, reply) => {
    const body = jsonObjectBody(request);
    return reply.status(201).send(await portal.runDeduplicate(body.topic, body.fields));
  });
  app.post('/v1/actions/encrypt-field', async (request) => portal.encryptField(jsonObjectBody(request)));
  app.post('/v1/actions/create-data-product', async (request) => portal.createDataProduct(jsonObjectBody(request)));
  app.post('/v1/actions/evolve-contract', async (request) => {
    const body = jsonObjectBody(request);
    if (typeof body.subject !== 'string' || body.subject === '') throw new ShiftleftError('INVALID_ARGUMENT', 'subject must be a non-empty string');
    const metadata = optionalObject<Metadata>(body.metadata, 'metadata');
    const ruleSet = optionalObject<RuleSet>(body.ruleSet, 'ruleSet');
    return portal.evolveContract(body.subject, { ...(metadata && { metadata }), ...(ruleSet && { ruleSet }) });
  });
}
