/**
 * How the platform serves the data portal, on a real platform: the built app and its assets,
 * the SPA fallback for page paths (API paths keep their JSON 404), the registry proxied
 * same-origin under /registry, decoded messages (GET /v1/topics/:topic/messages) with
 * ciphertext for encrypted fields, long polls, and the hint page when the app is not built.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { installErrorHandling, installJsonBodies } from '../../src/server/http-support.ts';
import { DEFAULT_UI_DIR, portalUiLine, registerPortalUi } from '../../src/server/ui-static.ts';
import { encryptedFieldsOf, formatCursor, parseCursor } from '../../src/server/routes/messages.ts';
import { layoutLineage } from '../../ui/src/lineage-layout.ts';
import { KMS_SECRET, createPayments, payment, producePayments, startPortalPlatform, type PortalPlatform } from '../catalog/portal-support.ts';
import { ensureUiBuilt } from './ui-build.ts';

describe('the platform serves the data portal', () => {
  let p: PortalPlatform;
  let base: string;

  before(async () => {
    ensureUiBuilt();
    p = await startPortalPlatform();
    base = p.platform.urls.platform;
    await createPayments(p);
    await p.platform.log.createTopic('plain', { partitions: 2 });
  });
  after(async () => {
    await p?.destroy();
  });

  it('serves index.html at / and for page paths a browser asks for, and the hashed assets', async () => {
    const root = await fetch(`${base}/`);
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type') ?? '', /text\/html/);
    const html = await root.text();
    assert.match(html, /<div id="root">/);

    const deep = await fetch(`${base}/topics/payments`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(deep.status, 200);
    assert.equal(await deep.text(), html);

    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'index.html names its script');
    const asset = await fetch(`${base}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  });

  it('keeps API routes first and answers unknown API paths and non-page requests with the JSON 404', async () => {
    const health = await p.api('GET', '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    for (const path of ['/v1/nope', '/v1/topics/payments/nope', '/registry-nope', '/assets/missing.js', '/../package.json']) {
      const answer = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
      if (path.startsWith('/v1') || path.startsWith('/assets')) {
        assert.equal(answer.status, 404, path);
        assert.match(answer.headers.get('content-type') ?? '', /application\/json/, path);
      } else {
        // A page path: the app answers, and the app shows its own "no page" view.
        assert.ok(answer.status === 200 || answer.status === 404, path);
        assert.doesNotMatch(await answer.text(), /"name": "shiftleft"/, `${path} must not leak files outside ui/dist`);
      }
    }
    const json = await fetch(`${base}/topics`, { headers: { accept: 'application/json' } });
    assert.equal(json.status, 404, 'a client that does not ask for HTML gets the JSON 404');
    const post = await fetch(`${base}/topics`, { method: 'POST', headers: { accept: 'text/html' } });
    assert.equal(post.status, 404);
  });

  it('proxies the registry and the catalog same-origin under /registry', async () => {
    const subjects = await p.api('GET', '/registry/subjects');
    assert.equal(subjects.status, 200);
    assert.deepEqual(subjects.body, ['payments-value']);
    const missing = await p.api('GET', '/registry/subjects/nope/versions/latest');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error_code, 40401, 'the registry error comes through unchanged');
    const check = await p.api('POST', '/registry/compatibility/subjects/payments-value/versions/latest?verbose=true', {
      schema: JSON.stringify({ type: 'record', name: 'Sale', fields: [{ name: 'order_id', type: 'string' }] }),
    });
    assert.equal(check.status, 200);
    assert.equal(check.body.is_compatible, false);
    assert.ok(check.body.messages.length > 0);
    const malformed = await p.api('POST', '/registry/subjects/payments-value/versions', undefined, '{"schema": ');
    assert.equal(malformed.status, 400, 'the platform refuses malformed JSON before proxying');
    const tagdefs = await p.api('GET', '/registry/catalog/v1/types/tagdefs');
    assert.equal(tagdefs.status, 200);
    assert.ok(Array.isArray(tagdefs.body));
  });

  it('decodes messages with their keys and headers, encrypted fields as ciphertext', async () => {
    // Encrypt cc_number (the Encrypt field action), then produce as a principal holding the KMS secret.
    const encrypted = await p.api('POST', '/v1/actions/encrypt-field', { topic: 'payments', field: 'cc_number' });
    assert.equal(encrypted.status, 200, JSON.stringify(encrypted.body));
    const sent = [payment(1, 1, 10.5), payment(2, 2, 20.5), payment(3, 3, 30.5, 'bad')];
    const produced = await producePayments(p, sent, KMS_SECRET);
    assert.equal(produced.sent.length, 2);
    assert.equal(produced.refused.length, 1, 'the bad confirmation code went to the DLQ');

    const answer = await p.api('GET', '/v1/topics/payments/messages?from=earliest');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.messages.length, 2);
    assert.equal(answer.body.caughtUp, true);
    const first = answer.body.messages[0];
    assert.deepEqual(first.key, { format: 'text', data: '1' });
    assert.equal(first.value.format, 'avro');
    assert.deepEqual(first.value.encryptedFields, ['cc_number']);
    assert.equal(first.value.data.order_id, 1);
    assert.equal(first.value.data.confirmation_code, 'ABCD1234');
    assert.notEqual(first.value.data.cc_number, sent[0]!.cc_number, 'the card number stays ciphertext');
    assert.doesNotMatch(JSON.stringify(answer.body), /4000-1111-2222/);

    const dlq = await p.api('GET', '/v1/topics/error-payments/messages?from=earliest');
    assert.equal(dlq.status, 200);
    assert.equal(dlq.body.messages.length, 1);
    const headers = Object.fromEntries(dlq.body.messages[0].headers.map((h: { key: string; value: string }) => [h.key, h.value]));
    assert.equal(headers['__rule.name'], 'validateConfirmationCode');
    assert.equal(dlq.body.messages[0].value.format, 'json-text');
    assert.equal(dlq.body.messages[0].value.data.order_id, 3);

    const raw = await p.api('GET', '/v1/topics/payments/messages?from=earliest&decode=false&limit=1');
    assert.equal(raw.body.messages.length, 1);
    assert.equal(raw.body.messages[0].value.format, 'binary');
    assert.equal(raw.body.caughtUp, false);
    assert.equal(raw.body.cursor, '0:1');
  });

  it('continues from a cursor, and a long poll answers when a record arrives', async () => {
    await p.platform.log.produce('plain', [
      { key: Buffer.from('a'), value: Buffer.from('{"n":1}'), partition: 0 },
      { key: null, value: Buffer.from([0xff, 0x00, 0x01]), partition: 1, headers: [{ key: 'h', value: Buffer.from('v') }] },
    ]);
    const tail = await p.api('GET', '/v1/topics/plain/messages');
    assert.equal(tail.status, 200);
    assert.deepEqual(
      tail.body.messages.map((m: { key: unknown; value: unknown }) => [m.key, m.value]),
      [
        [{ format: 'text', data: 'a' }, { format: 'json-text', data: { n: 1 } }],
        [{ format: 'null', data: null }, { format: 'binary', data: Buffer.from([0xff, 0x00, 0x01]).toString('base64') }],
      ],
    );
    assert.deepEqual(tail.body.messages[1].headers, [{ key: 'h', value: 'v' }]);
    assert.equal(tail.body.cursor, '0:1,1:1');

    const latest = await p.api('GET', '/v1/topics/plain/messages?from=latest');
    assert.deepEqual(latest.body.messages, []);
    assert.equal(latest.body.cursor, '0:1,1:1');

    // The long poll is pending until the record arrives (produced after the request was sent).
    const waiting = p.api('GET', `/v1/topics/plain/messages?cursor=${tail.body.cursor}&maxWaitMs=20000`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await p.platform.log.produce('plain', [{ key: null, value: Buffer.from('later'), partition: 1 }]);
    const next = await waiting;
    assert.equal(next.status, 200);
    assert.deepEqual(
      next.body.messages.map((m: { offset: number; value: { data: unknown } }) => [m.offset, m.value.data]),
      [[1, 'later']],
    );
    assert.equal(next.body.cursor, '0:1,1:2');
  });

  it('refuses bad message requests with clear errors', async () => {
    const unknown = await p.api('GET', '/v1/topics/nope/messages');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message, /nope/);
    for (const [query, pattern] of [
      ['cursor=zero', /malformed cursor/],
      ['limit=0', /limit must be an integer from 1 to 500/],
      ['limit=501', /limit/],
      ['maxWaitMs=-1', /maxWaitMs/],
      ['from=middle', /from must be tail, earliest or latest/],
      ['decode=yes', /decode must be true or false/],
    ] as const) {
      const answer = await p.api('GET', `/v1/topics/plain/messages?${query}`);
      assert.equal(answer.status, 422, query);
      assert.match(answer.body.message, pattern, query);
    }
  });
});

describe('the portal when ui/dist is missing', () => {
  it('answers pages with how to build it, and APIs as before', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shiftleft-no-ui-'));
    const app = Fastify({ logger: false });
    installJsonBodies(app);
    installErrorHandling(app);
    app.get('/v1/ping', async () => ({ pong: true }));
    registerPortalUi(app, { uiDir: join(dir, 'dist'), registryUrl: () => undefined });
    try {
      const page = await app.inject({ method: 'GET', url: '/topics', headers: { accept: 'text/html' } });
      assert.equal(page.statusCode, 503);
      assert.match(page.body, /npm run build:ui/);
      const api = await app.inject({ method: 'GET', url: '/v1/ping' });
      assert.deepEqual(api.json(), { pong: true });
      const notFound = await app.inject({ method: 'GET', url: '/v1/nope', headers: { accept: 'text/html' } });
      assert.equal(notFound.statusCode, 404);
      const registry = await app.inject({ method: 'GET', url: '/registry/subjects' });
      assert.equal(registry.statusCode, 503, 'no registry to proxy to yet');
      assert.match(portalUiLine('http://127.0.0.1:8080', join(dir, 'dist')), /not built: .*npm run build:ui/);
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
    assert.equal(portalUiLine('http://127.0.0.1:8080'), 'data portal       http://127.0.0.1:8080/');
    assert.ok((await readdir(DEFAULT_UI_DIR)).includes('index.html'));
  });
});

describe('portal helpers', () => {
  it('cursors round-trip and malformed ones are refused', () => {
    assert.equal(formatCursor(parseCursor('1:57,0:120')), '0:120,1:57');
    assert.throws(() => parseCursor('0:'), /malformed cursor/);
    assert.throws(() => parseCursor('a:1'), /malformed cursor/);
  });

  it('finds the fields an ENCRYPT rule covers through their tags', () => {
    const tags = { 'Sale.cc_number': ['PII'], 'Sale.email': ['PII', 'X'], 'Sale.code': ['X'] };
    assert.deepEqual(encryptedFieldsOf(tags, [{ type: 'ENCRYPT', tags: ['PII'] }]), ['cc_number', 'email']);
    assert.deepEqual(encryptedFieldsOf(tags, [{ type: 'ENCRYPT', tags: ['PII'], disabled: true }]), []);
    assert.deepEqual(encryptedFieldsOf(tags, [{ type: 'CEL' }]), []);
    assert.deepEqual(encryptedFieldsOf(undefined, undefined), []);
  });

  it('lays the lineage out left to right, each node after what feeds it, even with a cycle', () => {
    const layout = layoutLineage({
      nodes: [{ id: 'src' }, { id: 'a' }, { id: 'stmt' }, { id: 'b' }, { id: 'sink' }, { id: 'lonely' }],
      edges: [
        { from: 'src', to: 'a' },
        { from: 'a', to: 'stmt' },
        { from: 'stmt', to: 'b' },
        { from: 'b', to: 'sink' },
        { from: 'a', to: 'sink' },
      ],
    });
    const layer = (id: string) => layout.nodes.get(id)!.layer;
    assert.deepEqual(['src', 'a', 'stmt', 'b', 'sink'].map(layer), [0, 1, 2, 3, 4]);
    assert.equal(layer('lonely'), 0);
    assert.ok(layout.paths.every((d) => d.startsWith('M')));
    const cyclic = layoutLineage({ nodes: [{ id: 'x' }, { id: 'y' }], edges: [{ from: 'x', to: 'y' }, { from: 'y', to: 'x' }] });
    assert.equal(cyclic.nodes.size, 2);
    assert.ok(cyclic.width > 0 && cyclic.height > 0);
  });
});
