/**
 * `shiftleft sql` as a real process: -f/-e on an embedded platform (bounded scripts), errors
 * with code, position and hint and no stack, the REPL fed through stdin (history file), and
 * the same command against a running platform through POST /v1/statements.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { runCli } from '../support/child.ts';
import { call } from '../registry/registry-harness.ts';

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { op: string; row: Record<string, unknown> });

describe('shiftleft sql (CLI)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-sql-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a file on an embedded platform and prints SELECT as JSON lines', async () => {
    const file = join(dir, 'script.sql');
    writeFileSync(
      file,
      `CREATE TABLE orders (id INT, product STRING, amount DOUBLE);
       INSERT INTO orders VALUES (1, 'pen', 2.5), (2, 'ink', 10.0), (3, 'pen', 1.5);
       SELECT product, SUM(amount) AS total FROM orders GROUP BY product;`,
    );
    const r = await runCli(['--data-dir', join(dir, 'embedded'), 'sql', '-f', file, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created table orders/);
    assert.match(r.stdout, /statement insert-\S+ completed/);
    const changes = jsonLines(r.stdout);
    assert.deepEqual(
      changes.sort((a, b) => String(a.row.product).localeCompare(String(b.row.product))),
      [
        { op: '+I', row: { product: 'ink', total: 10 } },
        { op: '+I', row: { product: 'pen', total: 4 } },
      ],
    );
  });

  it('reports a bad statement with code, line:column and hint, without a stack trace', async () => {
    const r = await runCli(['--data-dir', join(dir, 'embedded'), 'sql', '-e', 'SELECT id,\n  prodcut FROM orders']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error \[SQL_UNKNOWN_COLUMN\]: line 2, column 3: unknown column 'prodcut'/);
    assert.match(r.stderr, /hint: did you mean 'product'\?/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('reads statements in the REPL (multi-line, SET carried over) and keeps a history', async () => {
    const input = "SET 'client.statement-name' = 'copy';\nSELECT id, amount\n  FROM orders WHERE amount > 2;\nSET;\nquit\n";
    const r = await runCli(['--data-dir', join(dir, 'embedded'), 'sql'], { input });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /op +id +amount/);
    assert.match(r.stdout, /\+I +1 +2\.5/);
    assert.match(r.stdout, /\+I +2 +10/);
    assert.match(r.stdout, /client\.statement-name +copy/);
    const history = join(dir, 'embedded', 'sql_history');
    assert.ok(existsSync(history));
    assert.match(readFileSync(history, 'utf8'), /SELECT id, amount FROM orders WHERE amount > 2;/);
  });

  describe('with a platform running on the data directory', () => {
    let platform: RunningPlatform;
    let remoteDir: string;
    before(async () => {
      remoteDir = join(dir, 'remote');
      platform = await startPlatform({ dataDir: remoteDir, port: 0, registryPort: 0 });
    });
    after(async () => {
      await platform?.close();
    });

    it('sends statements to its REST API; an INSERT keeps running there', async () => {
      let r = await runCli([
        '--data-dir',
        remoteDir,
        'sql',
        '-e',
        "CREATE TABLE src (n INT); CREATE TABLE dst (n INT); INSERT INTO src VALUES (1), (2), (3); SET 'client.statement-name' = 'pump'; INSERT INTO dst SELECT n * 10 FROM src;",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /statement pump started/);
      const list = await call(platform.urls.platform, 'GET', '/v1/statements');
      assert.equal(list.body.find((s: { name: string }) => s.name === 'pump')?.status, 'RUNNING');

      r = await runCli(['--data-dir', remoteDir, 'sql', '--format', 'json', '--max-rows', '3', '--timeout', '20', '-e', 'SELECT n FROM dst']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(jsonLines(r.stdout).map((c) => c.row.n).sort(), [10, 20, 30]);
    });
  });
});
