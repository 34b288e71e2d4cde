/**
 * The portal's actions on a real platform: Deduplicate topic (Show SQL text, then a running
 * statement filling `payments_deduplicate` without duplicates), Encrypt field (a compatible
 * contract evolution after which producers write ciphertext), Create data product, and the
 * errors of bad requests.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import { KMS_SECRET, createPayments, payment, producePayments, startPortalPlatform, type PortalPlatform } from './portal-support.ts';

const DEDUP_SQL = `CREATE TABLE payments_deduplicate (
  PRIMARY KEY (order_id, product_id, amount) NOT ENFORCED
)
WITH (
  'changelog.mode' = 'append'
)
AS
SELECT *
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id, product_id, amount ORDER BY \`$rowtime\` ASC) AS row_num
  FROM payments
)
WHERE row_num = 1`;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('portal actions', () => {
  let p: PortalPlatform;

  before(async () => {
    p = await startPortalPlatform();
    await createPayments(p);
  });
  after(async () => {
    await p.destroy();
  });

  it('Deduplicate topic: Show SQL gives the statement text of REFERENCE.md §3', async () => {
    const preview = await p.api('POST', '/v1/actions/deduplicate-topic/preview', { topic: 'payments', fields: ['order_id', 'product_id', 'amount'] });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.sql, DEDUP_SQL);
    assert.equal(preview.body.table, 'payments_deduplicate');
    assert.equal(preview.body.statement, 'payments-deduplicate');
  });

  it('Deduplicate topic: lists the fields to choose from', async () => {
    const fields = await p.api('GET', '/v1/actions/deduplicate-topic/fields?topic=payments');
    assert.equal(fields.status, 200, JSON.stringify(fields.body));
    assert.deepEqual(fields.body.map((f: { name: string }) => f.name), ['order_id', 'product_id', 'customer_id', 'confirmation_code', 'cc_number', 'expiration', 'amount', 'ts']);
    assert.equal(fields.body[0].type, 'INT NOT NULL');
    assert.equal((await p.api('GET', '/v1/actions/deduplicate-topic/fields?topic=nope')).status, 404);
  });

  it('Deduplicate topic: bad requests are clear errors', async () => {
    const unknownTopic = await p.api('POST', '/v1/actions/deduplicate-topic/preview', { topic: 'nope', fields: ['a'] });
    assert.equal(unknownTopic.status, 404);
    assert.match(unknownTopic.body.message, /topic 'nope'/);
    const unknownField = await p.api('POST', '/v1/actions/deduplicate-topic/preview', { topic: 'payments', fields: ['order_id', 'orderid'] });
    assert.equal(unknownField.status, 422);
    assert.match(unknownField.body.message, /no field 'orderid'/);
    assert.match(unknownField.body.hint, /order_id, product_id/);
    const noFields = await p.api('POST', '/v1/actions/deduplicate-topic/preview', { topic: 'payments', fields: [] });
    assert.equal(noFields.status, 422);
    const malformed = await p.api('POST', '/v1/actions/deduplicate-topic/run', undefined, '{"topic": ');
    assert.equal(malformed.status, 400);
  });

  it('Deduplicate topic: run fills payments_deduplicate with the first of each duplicate', async () => {
    // Records 1..6 with 2, 4 and 5 sent twice (the very same record), as the payments service does.
    const sent = [1, 2, 2, 3, 4, 4, 5, 6, 5].map((id) => payment(id, id % 3, id * 10.5));
    const produced = await producePayments(p, sent);
    assert.equal(produced.sent.length, 9);

    const run = await p.api('POST', '/v1/actions/deduplicate-topic/run', { topic: 'payments', fields: ['order_id', 'product_id', 'amount'] });
    assert.equal(run.status, 201, JSON.stringify(run.body));
    assert.equal(run.body.statement, 'payments-deduplicate');
    assert.equal(run.body.sql, DEDUP_SQL);

    const statement = await p.api('GET', '/v1/statements/payments-deduplicate');
    assert.equal(statement.status, 200);

    const reader = new ContractSerdes({ registryUrl: p.platform.urls.registry, log: p.platform.log });
    const rows = await waitFor('6 deduplicated payments', async () => {
      const topics = await p.platform.log.listTopics();
      if (!topics.includes('payments_deduplicate')) return undefined;
      const { records } = await p.platform.log.fetch({ topic: 'payments_deduplicate', partition: 0 }, 0);
      return records.length >= 6 ? records : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more may come
    const { records } = await p.platform.log.fetch({ topic: 'payments_deduplicate', partition: 0 }, 0);
    assert.equal(records.length, 6, 'one record per distinct payment');
    const decoded = await Promise.all(rows.map((r) => reader.deserialize('payments_deduplicate', r.value!) as Promise<{ order_id: number; row_num: number }>));
    assert.deepEqual(decoded.map((d) => d.order_id).sort(), [1, 2, 3, 4, 5, 6]);
    assert.ok(decoded.every((d) => Number(d.row_num) === 1));

    const again = await p.api('POST', '/v1/actions/deduplicate-topic/run', { topic: 'payments', fields: ['order_id'] });
    assert.equal(again.status, 409);

    // The lineage shows the statement the action started and the DLQ of the payments contract.
    const lineage = await p.api('GET', '/v1/lineage');
    assert.equal(lineage.status, 200);
    assert.deepEqual(lineage.body.edges, [
      { from: 'statement:payments-deduplicate', to: 'topic:payments_deduplicate', kind: 'writes' },
      { from: 'topic:payments', to: 'statement:payments-deduplicate', kind: 'reads' },
      { from: 'topic:payments', to: 'topic:error-payments', kind: 'dlq', rule: 'validateConfirmationCode' },
    ]);
    assert.deepEqual(
      lineage.body.nodes.map((n: { id: string; kind: string }) => `${n.kind} ${n.id}`),
      ['statement statement:payments-deduplicate', 'dlq topic:error-payments', 'topic topic:payments', 'topic topic:payments_deduplicate'],
    );
  });

  it('Encrypt field: tags cc_number PII and adds Encrypt_PII through a compatible evolution; producers then write ciphertext', async () => {
    const before = await p.registry('GET', '/subjects/payments-value/versions/latest');
    const result = await p.api('POST', '/v1/actions/encrypt-field', { topic: 'payments', field: 'cc_number' });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.equal(result.body.version, before.body.version + 1);
    assert.equal(result.body.fieldPath, 'Sale.cc_number');
    assert.equal(result.body.kekCreated, true);

    const latest = await p.registry('GET', '/subjects/payments-value/versions/latest');
    assert.equal(latest.body.schema, before.body.schema, 'same schema text');
    assert.deepEqual(latest.body.metadata.tags, { 'Sale.cc_number': ['PII'] });
    assert.deepEqual(
      latest.body.ruleSet.domainRules.map((r: { name: string }) => r.name),
      ['Encrypt_PII', 'validateConfirmationCode'],
    );
    const rule = latest.body.ruleSet.domainRules[0];
    assert.equal(rule.type, 'ENCRYPT');
    assert.deepEqual(rule.tags, ['PII']);
    assert.equal(rule.params['encrypt.kek.name'], 'CSFLE_Key');
    assert.equal((await p.registry('GET', '/dek-registry/v1/keks/CSFLE_Key')).status, 200);

    // Searchable as a PII field in the catalog, from the contract's metadata.
    const search = await p.registry('GET', '/catalog/v1/search/basic?types=sr_field&tag=PII');
    assert.deepEqual(search.body.entities.map((e: { attributes: { name: string } }) => e.attributes.name), ['Sale.cc_number']);

    // A producer holding the KMS secret now writes ciphertext.
    const plain = payment(100, 1, 1.5);
    const produced = await producePayments(p, [plain], KMS_SECRET);
    assert.equal(produced.sent.length, 1, JSON.stringify(produced.refused));
    const { records } = await p.platform.log.fetch({ topic: 'payments', partition: 0 }, produced.sent[0]!.metadata.offset);
    const raw = records[0]!.value!;
    assert.ok(!raw.includes(Buffer.from(plain.cc_number)), 'no plaintext card number in the record');
    const outsider = (await new ContractSerdes({ registryUrl: p.platform.urls.registry, log: p.platform.log }).deserialize('payments', raw)) as { cc_number: string };
    assert.notEqual(outsider.cc_number, plain.cc_number);
    const holder = (await new ContractSerdes({ registryUrl: p.platform.urls.registry, log: p.platform.log, kmsSecret: KMS_SECRET }).deserialize('payments', raw)) as { cc_number: string };
    assert.equal(holder.cc_number, plain.cc_number);

    // Running it again changes nothing (same contract: the registry answers the same version).
    const again = await p.api('POST', '/v1/actions/encrypt-field', { topic: 'payments', field: 'cc_number' });
    assert.equal(again.body.version, result.body.version);
  });

  it('Encrypt field: bad requests are clear errors', async () => {
    assert.equal((await p.api('POST', '/v1/actions/encrypt-field', { topic: 'nope', field: 'x' })).status, 404);
    const unknownField = await p.api('POST', '/v1/actions/encrypt-field', { topic: 'payments', field: 'card' });
    assert.equal(unknownField.status, 422);
    assert.match(unknownField.body.hint, /Sale\.cc_number/);
    const notString = await p.api('POST', '/v1/actions/encrypt-field', { topic: 'payments', field: 'amount' });
    assert.equal(notString.status, 422);
    assert.match(notString.body.message, /only string and bytes/);
    assert.equal((await p.api('POST', '/v1/actions/encrypt-field', { topic: 'payments' })).status, 422);
  });

  it('Create data product: tag, owner and description, searchable by owner', async () => {
    const created = await p.api('POST', '/v1/actions/create-data-product', { topic: 'payments', owner: 'payments-team', description: 'Validated payments' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const tags = await p.registry('GET', '/catalog/v1/entity/type/kafka_topic/name/payments/tags');
    assert.deepEqual(tags.body.map((t: { typeName: string }) => t.typeName), ['DataProduct']);
    const byOwner = await p.registry('GET', '/catalog/v1/search/basic?owner=payments-team');
    assert.deepEqual(byOwner.body.entities.map((e: { attributes: { qualifiedName: string } }) => e.attributes.qualifiedName), ['payments']);
    assert.equal(byOwner.body.entities[0].attributes['DataProductInfo.description'], 'Validated payments');
    assert.equal((await p.api('POST', '/v1/actions/create-data-product', { topic: 'nope', owner: 'x' })).status, 404);
    assert.equal((await p.api('POST', '/v1/actions/create-data-product', { topic: 'payments' })).status, 422);
  });
});
