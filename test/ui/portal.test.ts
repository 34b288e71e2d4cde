/**
 * The data portal in a real browser (Debian's Chromium driven by playwright-core) against a
 * real platform: the walkthrough's portal steps done by clicking, each checked in the UI and
 * through the APIs behind it. Screenshots land in test-artifacts/ui/.
 *
 * Without Chromium the suite is skipped with a warning, except under CI=true where it fails:
 * CI installs it (.ci/run).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createPayments, payment, producePayments, startPortalPlatform, type PortalPlatform } from '../catalog/portal-support.ts';
import { ensureUiBuilt } from './ui-build.ts';

const CHROMIUM = process.env.SHIFTLEFT_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url));
const WAIT_MS = 30_000;
const chromiumMissing = !existsSync(CHROMIUM);
const onCi = process.env.CI === 'true';

if (chromiumMissing && !onCi) {
  process.stderr.write(`\n*** WARNING: ${CHROMIUM} not found: the portal browser tests are SKIPPED. Install it with: apt-get install -y chromium ***\n\n`);
}

describe('the data portal in a browser', { skip: chromiumMissing && !onCi ? `${CHROMIUM} not found (apt-get install -y chromium)` : false }, () => {
  let p: PortalPlatform;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let base: string;
  const pageErrors: string[] = [];

  const shot = async (name: string) => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
  };

  before(async () => {
    assert.ok(!chromiumMissing, `${CHROMIUM} is required under CI=true: apt-get install -y chromium`);
    ensureUiBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    p = await startPortalPlatform();
    base = p.platform.urls.platform;
    await createPayments(p);
    await p.platform.log.createTopic('orders', { partitions: 1 });
    // Payments 1..6 with 2 and 4 sent twice, and one with a bad confirmation code (to the DLQ).
    const produced = await producePayments(p, [1, 2, 2, 3, 4, 4, 5, 6, 7].map((id) => payment(id, id % 3, id * 10.5, id === 7 ? 'bad-code' : 'ABCD1234')));
    assert.equal(produced.refused.length, 1);

    profile = await mkdtemp(join(tmpdir(), 'shiftleft-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    browser.setDefaultTimeout(WAIT_MS);
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await p?.destroy();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('lists the topics with their records, and a topic page shows live decoded messages', async () => {
    await page.goto(`${base}/`);
    const topics = page.getByTestId('topics');
    await topics.getByRole('link', { name: 'payments', exact: true }).waitFor();
    await topics.getByRole('link', { name: 'error-payments' }).waitFor();
    await shot('topics');

    await topics.getByRole('link', { name: 'payments', exact: true }).click();
    await page.waitForURL(`${base}/topics/payments`);
    const rows = page.getByTestId('messages').locator('tbody tr');
    await rows.nth(7).waitFor();
    assert.equal(await rows.count(), 8, 'the eight accepted payments');
    // A payment produced now appears without reloading (the long poll).
    await producePayments(p, [payment(8, 2, 84, 'ABCD1234')]);
    await rows.nth(8).waitFor();
    assert.match((await rows.first().textContent()) ?? '', /order_id\s*8/);
    await shot('topic-payments');
  });

  it('shows the DLQ with the rule that refused each record', async () => {
    await page.getByRole('link', { name: 'DLQ' }).click();
    await page.waitForURL(`${base}/dlq`);
    const rows = page.getByTestId('messages').locator('tbody tr');
    await rows.first().waitFor();
    const text = (await rows.first().textContent()) ?? '';
    assert.match(text, /validateConfirmationCode/);
    assert.match(text, /payments-value/);
    assert.match(text, /bad-code/);
    await shot('dlq');
  });

  it('tags orders as a DataProduct', async () => {
    await page.goto(`${base}/topics/orders`);
    await page.getByRole('button', { name: 'Tag as DataProduct' }).click();
    const dialog = page.getByRole('dialog');
    const submit = dialog.getByRole('button', { name: 'Tag as DataProduct' });
    assert.equal(await submit.isDisabled(), true, 'an owner is required');
    await dialog.getByLabel('Owner').fill('commerce-team');
    await dialog.getByLabel('Description').fill('Orders enriched with customer and product at order time');
    await shot('action-data-product');
    await submit.click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('topic-tags').getByText('DataProduct').waitFor();

    const tags = await p.registry('GET', '/catalog/v1/entity/type/kafka_topic/name/orders/tags');
    assert.deepEqual(tags.body.map((t: { typeName: string }) => t.typeName), ['DataProduct']);
    await page.getByRole('link', { name: 'Data products' }).click();
    const products = page.getByTestId('products');
    await products.getByText('commerce-team').waitFor();
    assert.match((await products.textContent()) ?? '', /orders.*Orders enriched with customer and product at order time/s);
    await shot('data-products');
  });

  it('evolves payments-value: tags cc_number PII and adds the encryption rule, after a compatibility check', async () => {
    await page.goto(`${base}/schemas/payments-value`);
    await page.getByRole('button', { name: 'Evolve' }).click();
    const panel = page.getByTestId('evolve');
    const save = panel.getByRole('button', { name: 'Save new version' });
    assert.equal(await save.isDisabled(), true, 'saving waits for a compatibility check');

    // An incompatible change is caught by the check and cannot be saved.
    const schema = panel.locator('textarea[name=schema]');
    const original = await schema.inputValue();
    await schema.fill(original.replace('"name": "order_id",\n      "type": "int"', '"name": "order_id",\n      "type": "string"'));
    await panel.getByRole('button', { name: 'Check compatibility' }).click();
    await panel.getByTestId('compat-result').getByText('Incompatible with the latest version').waitFor();
    assert.equal(await save.isDisabled(), true);
    await schema.fill(original);

    await panel.getByLabel('field to tag').selectOption('Sale.cc_number');
    await panel.getByLabel('tag', { exact: true }).fill('PII');
    await panel.getByRole('button', { name: 'Add tag' }).click();
    await panel.getByRole('button', { name: 'Add encryption rule' }).click();
    await panel.getByRole('button', { name: 'Check compatibility' }).click();
    await panel.getByText('Compatible with the latest version: ready to save.').waitFor();
    await shot('evolve-contract');
    await save.click();
    await panel.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'v2' }).waitFor();
    await page.getByTestId('fields').getByText('PII').waitFor();
    await page.getByTestId('rules').getByText('Encrypt_PII').waitFor();
    await shot('schema-evolved');

    const latest = await p.registry('GET', '/subjects/payments-value/versions/latest');
    assert.equal(latest.body.version, 2);
    assert.deepEqual(latest.body.metadata.tags, { 'Sale.cc_number': ['PII'] });
    const rules = latest.body.ruleSet.domainRules as { name: string; type: string; tags?: string[] }[];
    assert.deepEqual(
      rules.map((r) => [r.name, r.type, r.tags ?? []]),
      [
        ['Encrypt_PII', 'ENCRYPT', ['PII']],
        ['validateConfirmationCode', 'CEL', []],
      ],
    );
    assert.equal(latest.body.schema.includes('"order_id"'), true);
  });

  it('runs Deduplicate on payments: fields, Show SQL, confirm, and payments_deduplicate fills', async () => {
    await page.goto(`${base}/topics/payments`);
    await page.getByRole('button', { name: 'Deduplicate' }).click();
    const dialog = page.getByRole('dialog');
    const showSql = dialog.getByRole('button', { name: 'Show SQL' });
    await dialog.locator('input[name=order_id]').waitFor();
    assert.equal(await showSql.isDisabled(), true, 'no fields chosen yet');
    for (const field of ['amount', 'order_id', 'product_id']) await dialog.locator(`input[name=${field}]`).check();
    const confirm = dialog.getByRole('button', { name: 'Confirm and run' });
    assert.equal(await confirm.isDisabled(), true, 'the SQL is shown before running');
    await showSql.click();
    const sql = (await dialog.getByTestId('dedup-sql').textContent()) ?? '';
    assert.match(sql, /PARTITION BY order_id, product_id, amount/);
    assert.match(sql, /CREATE TABLE payments_deduplicate/);
    await shot('action-deduplicate');
    await confirm.click();
    await dialog.getByText('payments-deduplicate', { exact: true }).waitFor();
    await dialog.getByRole('link', { name: 'Open payments_deduplicate' }).click();
    await page.waitForURL(`${base}/topics/payments_deduplicate`);
    // Payments 1..6 and 8, once each (2 and 4 were sent twice, 7 went to the DLQ).
    const rows = page.getByTestId('messages').locator('tbody tr');
    await rows.nth(6).waitFor();
    const orderIds = (await rows.allTextContents()).map((text) => Number(/order_id\s*(\d+)/.exec(text)?.[1]));
    assert.deepEqual(orderIds.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 8]);
    await shot('payments-deduplicate');

    const statements = await p.api('GET', '/v1/statements');
    assert.ok(statements.body.some((s: { name: string; status: string }) => s.name === 'payments-deduplicate' && s.status === 'RUNNING'));
    await page.getByRole('link', { name: 'Statements' }).click();
    await page.getByTestId('statements').getByText('payments-deduplicate').waitFor();
    await page.getByRole('link', { name: 'Lineage' }).click();
    await page.locator('[data-node="statement:payments-deduplicate"]').waitFor();
    await page.locator('[data-node="topic:error-payments"]').waitFor();
    await shot('lineage');
  });

  it('searches the catalog', async () => {
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByLabel('search').fill('DataProduct');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('search-results').getByRole('link', { name: 'orders' }).waitFor();
    // A field tagged in the contract links to the subject holding its schema.
    await page.getByLabel('search').fill('PII');
    await page.getByRole('button', { name: 'Search' }).click();
    const field = page.getByTestId('search-results').getByRole('link', { name: 'Sale.cc_number' });
    await field.waitFor();
    assert.equal(await field.getAttribute('href'), '/schemas/payments-value');
    await shot('search');
  });

  it('raised no error in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
