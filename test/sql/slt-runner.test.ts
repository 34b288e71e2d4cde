/**
 * Data-driven SQL tests: every `test/sql/cases/*.slt` file runs against a fresh log + registry +
 * catalog and a bounded SQL session (inputs are read to their end, then the final watermark
 * fires every window and timer).
 *
 * ## The .slt format
 * Blocks are separated by blank lines; `#` starts a comment line. A block is a header line, a
 * body, and for queries `----` followed by the expected output.
 *
 *   statement ok                 SQL that must succeed (DDL, SET, INSERT ...; an INSERT or CTAS
 *   <sql>                        runs to completion before the next block)
 *
 *   statement error CODE [text]  SQL that must fail with that error code (and contain `text`)
 *   <sql>
 *
 *   input <table>                records written straight to the table's topic, in order:
 *   @1000 [1, "a", 2.5]          `@<record timestamp ms> <JSON array of the physical columns>`
 *   @2000 delete [1]             a tombstone for that primary key (upsert tables)
 *   @3000 garbage 'not avro'     raw bytes that cannot be decoded
 *
 *   query changelog              the exact changelog of a SELECT, in order:
 *   <sql>                          +I [..], -U [..], +U [..], -D [..]
 *   ----
 *   +I [1, "a"]
 *
 *   query table                  the folded final table (+I/+U add, -U/-D remove), unordered
 *   <sql>
 *   ----
 *   [1, "a"]
 *
 *   query error CODE [text]      a SELECT that must fail (planning or at run time)
 *   <sql>
 *
 *   explain                      EXPLAIN <sql> must print exactly this text; the expected
 *   <sql>                        text ends at a line `====` (it contains blank lines)
 *   ----
 *   == Optimized Logical Plan ==
 *   ...
 *   ====
 *
 * A header may end with `todo <reason>`: a known bug, run and reported but not failing the suite.
 *
 * Values are JSON: numbers, strings, null, booleans; timestamps are epoch milliseconds.
 * An empty expected section means "no rows".
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isShiftleftError } from '../../src/common/errors.ts';
import { RowEncoder } from '../../src/engine/runtime/record-codec.ts';
import type { ChangeRow } from '../../src/engine/sql-session.ts';
import { SqlHarness } from './sql-harness.ts';
import { normalizeExpected, parseSlt, renderRow, type SltBlock, type SltRecord } from './slt-format.ts';
import { repoRoot } from '../support/child.ts';

const CASES = join(repoRoot, 'test', 'sql', 'cases');
const only = process.env.SLT_FILE;

for (const file of readdirSync(CASES).filter((f) => f.endsWith('.slt') && (!only || f.includes(only))).sort()) {
  const blocks = parseSlt(readFileSync(join(CASES, file), 'utf8'));
  describe(`slt ${file}`, () => {
    let h: SqlHarness;
    before(async () => {
      h = await SqlHarness.start();
    });
    after(async () => {
      await h?.close();
    });
    for (const block of blocks) {
      const title = `${file}:${block.line} ${block.kind}${'sql' in block ? ` ${block.sql.split('\n')[0]!.slice(0, 70)}` : ` ${block.table}`}`;
      it(title, block.todo ? { todo: block.todo } : {}, async () => {
        await runBlock(h, block, `${file}:${block.line}`);
      });
    }
  });
}

async function runBlock(h: SqlHarness, block: SltBlock, where: string): Promise<void> {
  switch (block.kind) {
    case 'statement': {
      if (!block.error) {
        await statements(h, block.sql);
        return;
      }
      await expectError(() => statements(h, block.sql), block.error.code, block.error.text, where);
      return;
    }
    case 'input':
      await writeRecords(h, block.table, block.records);
      return;
    case 'query-error':
      await expectError(() => query(h, block.sql), block.code, block.text, where);
      return;
    case 'query': {
      const changes = await query(h, block.sql);
      if (block.mode === 'changelog') {
        const actual = changes.map((c) => `${c.op} ${renderRow(Object.values(c.row))}`);
        assert.deepEqual(actual, block.expected.map(normalizeExpected), `${where}: changelog differs`);
      } else {
        const actual = fold(changes.map((c) => ({ op: c.op, row: renderRow(Object.values(c.row)) })), where).sort();
        assert.deepEqual(actual, block.expected.map(normalizeExpected).sort(), `${where}: final table differs`);
      }
      return;
    }
    case 'explain': {
      const results = await h.session.execute(`EXPLAIN ${block.sql}`);
      const result = results[results.length - 1]!;
      assert.equal(result.kind, 'explain');
      const text = result.kind === 'explain' ? result.text : '';
      const lines = (s: string[]) => s.map((l) => l.trimEnd()).filter((l) => l !== '');
      assert.deepEqual(lines(text.split('\n')), lines(block.expected), `${where}: plan differs; actual:\n${text}`);
      return;
    }
  }
}

/** Runs statements; INSERT/CTAS run to their end and a failed one throws its error. */
async function statements(h: SqlHarness, sql: string): Promise<void> {
  for (const r of await h.session.execute(sql)) {
    if (r.kind !== 'statement') continue;
    await r.job.done;
    if (r.job.status === 'FAILED') throw r.job.error!;
  }
}

/** Runs a SELECT to its end; a failed run throws the job's error (so `query error` sees its code). */
async function query(h: SqlHarness, sql: string): Promise<ChangeRow[]> {
  const results = await h.session.execute(sql);
  const result = results[results.length - 1]!;
  if (result.kind !== 'query') assert.fail(`not a query: ${sql}`);
  await result.query.job.done;
  if (result.query.job.status === 'FAILED') throw result.query.job.error!;
  return result.query.changes;
}

/** The final table of a changelog: +I/+U add a row, -U/-D remove one (which must be there). */
function fold(changes: { op: string; row: string }[], where: string): string[] {
  const rows: string[] = [];
  for (const change of changes) {
    if (change.op === '+I' || change.op === '+U') rows.push(change.row);
    else {
      const at = rows.indexOf(change.row);
      assert.ok(at >= 0, `${where}: ${change.op} of a row never added: ${change.row}`);
      rows.splice(at, 1);
    }
  }
  return rows;
}

async function expectError(action: () => Promise<unknown>, code: string, text: string | undefined, where: string): Promise<void> {
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown !== undefined, `${where}: expected error ${code}, but it succeeded`);
  if (!isShiftleftError(thrown)) assert.fail(`${where}: expected ${code}, got ${(thrown as Error).message}`);
  assert.equal(thrown.code, code, `${where}: ${thrown.message}`);
  if (text) assert.ok(thrown.message.includes(text) || (thrown.hint ?? '').includes(text), `${where}: '${text}' not in: ${thrown.message} / ${thrown.hint}`);
}

/**
 * Writes records the way a connector would: the value (and for keyed tables the key) in the
 * Confluent wire format with the table's registered schemas, with the given timestamps.
 */
async function writeRecords(h: SqlHarness, tableName: string, records: SltRecord[]): Promise<void> {
  const table = await h.catalog.getTable([tableName]);
  assert.ok(table, `table ${tableName} exists`);
  const physical = table.columns.filter((c) => c.kind === 'physical' && !c.fromKey);
  const value = new RowEncoder(h.schemas, `${table.name}-value`, physical.map((c) => ({ name: c.name, type: c.type })));
  await value.open();
  const keyNames = table.primaryKey ?? table.distributedBy;
  let key: RowEncoder | undefined;
  let keyIndexes: number[] = [];
  if (keyNames) {
    keyIndexes = keyNames.map((k) => physical.findIndex((c) => c.name === k));
    key = new RowEncoder(h.schemas, `${table.name}-key`, keyIndexes.map((i) => ({ name: physical[i]!.name, type: physical[i]!.type })));
    await key.open();
  }
  await h.server.log.produce(
    table.name,
    records.map((r) => {
      if (r.garbage !== undefined) return { key: null, value: Buffer.from(r.garbage), timestamp: r.timestamp };
      if (r.tombstone) {
        assert.ok(key, `${tableName}: a delete needs a primary key`);
        return { key: key.encode(r.values), value: null, timestamp: r.timestamp };
      }
      assert.equal(r.values.length, physical.length, `${tableName} takes ${physical.length} values (${physical.map((c) => c.name).join(', ')}), got ${JSON.stringify(r.values)}`);
      return { key: key ? key.encode(keyIndexes.map((i) => r.values[i])) : null, value: value.encode(r.values), timestamp: r.timestamp };
    }),
  );
}
