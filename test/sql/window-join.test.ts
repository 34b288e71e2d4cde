import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqlHarness } from './sql-harness.ts';

describe('window join (two window TVFs joined on window_start and window_end)', () => {
  let h: SqlHarness;
  before(async () => {
    h = await SqlHarness.start();
    await h.run(`
      CREATE TABLE clicks (userid INT NOT NULL, ts TIMESTAMP_LTZ(3) NOT NULL, WATERMARK FOR ts AS ts);
      CREATE TABLE pageviews (userid INT NOT NULL, page STRING NOT NULL, ts TIMESTAMP_LTZ(3) NOT NULL, WATERMARK FOR ts AS ts);
    `);
    await h.produce('clicks', [[1, 1_000], [2, 2_000], [1, 12_000]], [1_000, 2_000, 12_000]);
    await h.produce('pageviews', [[1, 'home', 3_000], [3, 'cart', 4_000], [1, 'cart', 15_000], [1, 'late-window', 25_000]], [3_000, 4_000, 15_000, 25_000]);
  });
  after(async () => {
    await h?.close();
  });

  const sql = (joinType: string) => `
    SELECT L.userid AS luser, R.userid AS ruser, R.page, L.window_start, L.window_end
    FROM (SELECT * FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))) L
    ${joinType} JOIN (SELECT * FROM TABLE(TUMBLE(TABLE pageviews, DESCRIPTOR(ts), INTERVAL '10' SECOND))) R
    ON L.userid = R.userid AND L.window_start = R.window_start AND L.window_end = R.window_end`;

  it('plans a WindowJoin and matches rows of the same window only', async () => {
    const [explained] = await h.session.execute(`EXPLAIN ${sql('')}`);
    assert.ok(explained?.kind === 'explain' && explained.text.includes('WindowJoin('), explained?.kind === 'explain' ? explained.text : '');
    const rows = await h.table(sql(''));
    assert.deepEqual(
      rows.map((r) => [r.luser, r.ruser, r.page, r.window_start]).sort(),
      [
        [1, 1, 'cart', 10_000],
        [1, 1, 'home', 0],
      ],
    );
  });

  it('pads unmatched rows in a FULL window join, once per window', async () => {
    const rows = await h.table(sql('FULL'));
    const key = (r: Record<string, unknown>) => `${String(r.luser)}/${String(r.ruser)}/${String(r.page)}`;
    assert.deepEqual(rows.map(key).sort(), ['1/1/cart', '1/1/home', '2/null/null', 'null/1/late-window', 'null/3/cart'].sort());
  });
});
