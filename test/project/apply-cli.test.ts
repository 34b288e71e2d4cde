import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from '../support/child.ts';

describe('shiftleft apply (declarative project)', () => {
  let dataDir: string;
  const project = join(repoRoot, 'examples', 'shift-left');

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'shiftleft-apply-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('shows the plan in a dry run and changes nothing', async () => {
    const r = await runCli(['--data-dir', dataDir, 'apply', project, '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ contract payments-value: first version/);
    assert.match(r.stdout, /\+ connector commerce-cdc: postgres-cdc/);
    assert.match(r.stdout, /\+ table products_with_pk/);
    assert.match(r.stdout, /Plan: \d+ to create/);
    const again = await runCli(['--data-dir', dataDir, 'apply', project, '--dry-run']);
    assert.match(again.stdout, /\+ contract payments-value: first version/, 'the dry run registered nothing');
  });

  it('applies, then finds everything unchanged the second time', async () => {
    const first = await runCli(['--data-dir', dataDir, 'apply', project]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Applied\./);
    const second = await runCli(['--data-dir', dataDir, 'apply', project, '--dry-run']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /= contract payments-value: version 1/);
    assert.match(second.stdout, /= connector payments: payments/);
    assert.match(second.stdout, /= table products_with_pk: exists/);
    assert.match(second.stdout, /= table orders: watermark on orderdate/);
    assert.match(second.stdout, /Plan: 0 to create, 0 to update/);
  });

  it('names the file and the problem in a broken project, and applies nothing', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'shiftleft-apply-broken-'));
    cpSync(project, broken, { recursive: true });
    writeFileSync(join(broken, 'sql', '99-bad.sql'), 'CREATE TABLE oops (a INT,, b STRING);');
    const r = await runCli(['--data-dir', mkdtempSync(join(tmpdir(), 'shiftleft-apply-empty-')), 'apply', broken]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /99-bad\.sql: line 1, column \d+/);
    writeFileSync(join(broken, 'sql', '99-bad.sql'), '');
    writeFileSync(join(broken, 'connectors', 'bad.json'), '{"name": "x", "type": "postgres-cdc", "config": {"tables": []}}');
    const c = await runCli(['--data-dir', mkdtempSync(join(tmpdir(), 'shiftleft-apply-empty-')), 'apply', broken, '--dry-run']);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /bad\.json.*CONNECTOR_CONFIG_INVALID|CONNECTOR_CONFIG_INVALID.*bad\.json/s);
    rmSync(broken, { recursive: true, force: true });
  });
});
