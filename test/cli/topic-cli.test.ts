import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/child.ts';

describe('shiftleft topic (CLI)', () => {
  let dir: string;
  const cli = (...args: string[]) => runCli(['--data-dir', dir, ...args]);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: shiftleft/);
    assert.match(result.stdout, /topic/);
  });

  it('creates, produces, consumes (text and json), describes and deletes', async () => {
    let r = await cli('topic', 'create', 'orders', '--partitions', '2', '--config', 'retention.ms=86400000');
    assert.equal(r.code, 0, r.stderr);
    r = await cli('topic', 'produce', 'orders', '-H', 'source=test');
    assert.equal(r.code, 0);
    r = await runCli(['--data-dir', dir, 'topic', 'produce', 'orders'], { input: 'k1\t{"id":1}\nbare value\nk1\t{"id":2}\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /produced 3 record/);

    r = await cli('topic', 'consume', 'orders', '--from-beginning', '--max', '3', '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string | null; value: string; partition: number; offset: number; timestamp: number; headers: object });
    assert.equal(rows.length, 3);
    const k1 = rows.filter((x) => x.key === 'k1');
    assert.deepEqual(
      k1.map((x) => x.value),
      ['{"id":1}', '{"id":2}'],
      'one key, one partition, produce order',
    );
    assert.ok(rows.every((x) => typeof x.offset === 'number' && typeof x.timestamp === 'number' && typeof x.partition === 'number'));
    assert.deepEqual(rows.find((x) => x.key === null)?.value, 'bare value');

    r = await cli('topic', 'consume', 'orders', '--from-beginning', '--max', '3');
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['bare value', '{"id":1}', '{"id":2}'].sort());

    r = await cli('topic', 'describe', 'orders', '--format', 'json');
    const d = JSON.parse(r.stdout) as { partitions: { highWatermark: number }[]; config: Record<string, unknown> };
    assert.equal(d.partitions.reduce((n, p) => n + p.highWatermark, 0), 3);
    assert.equal(d.config['retention.ms'], 86_400_000);

    r = await cli('topic', 'list');
    assert.deepEqual(r.stdout.trim().split('\n'), ['orders']);

    r = await cli('topic', 'delete', 'orders');
    assert.equal(r.code, 0);
    r = await cli('topic', 'list');
    assert.equal(r.stdout.trim(), '');
  });

  it('resumes a consumer group after what it printed', async () => {
    await cli('topic', 'create', 'events');
    await runCli(['--data-dir', dir, 'topic', 'produce', 'events'], { input: 'a\nb\nc\nd\n' });
    let r = await cli('topic', 'consume', 'events', '--group', 'g', '--from-beginning', '--max', '2');
    assert.deepEqual(r.stdout.trim().split('\n'), ['a', 'b']);
    r = await cli('topic', 'consume', 'events', '--group', 'g', '--from-beginning', '--max', '2');
    assert.deepEqual(r.stdout.trim().split('\n'), ['c', 'd']);
    r = await cli('topic', 'consume', 'events', '--group', 'g', '--timeout', '1');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
  });

  it('explains bad input with a code, a reason and a hint, and changes nothing', async () => {
    await cli('topic', 'create', 'keep');
    await runCli(['--data-dir', dir, 'topic', 'produce', 'keep'], { input: 'one\n' });

    const cases: [string[], RegExp][] = [
      [['topic', 'create', 'bad/name'], /INVALID_TOPIC_NAME.*'\/'/],
      [['topic', 'create', 'x', '--config', 'retention.ms=forever'], /INVALID_TOPIC_CONFIG.*retention\.ms/],
      [['topic', 'create', 'x', '--config', 'colour=blue'], /INVALID_TOPIC_CONFIG.*colour/],
      [['topic', 'create', 'keep'], /TOPIC_ALREADY_EXISTS/],
      [['topic', 'describe', 'nope'], /TOPIC_NOT_FOUND.*nope/],
      [['topic', 'consume', 'keep', '--partition', '5', '--max', '1'], /PARTITION_NOT_FOUND/],
      [['topic', 'alter', 'keep', '--config', 'cleanup.policy=sometimes'], /INVALID_TOPIC_CONFIG.*cleanup\.policy/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /hint: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const usage = await cli('topic', 'create', 'x', '--partitions', 'many');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--partitions must be an integer/);

    const big = await runCli(['--data-dir', dir, 'topic', 'produce', 'keep'], { input: 'ok\n' + 'x'.repeat(2 * 1024 * 1024) + '\n' });
    assert.equal(big.code, 1);
    assert.match(big.stderr, /RECORD_TOO_LARGE/);

    const r = await cli('topic', 'consume', 'keep', '--from-beginning', '--timeout', '1');
    assert.deepEqual(r.stdout.trim().split('\n'), ['one'], 'nothing already written changed, nothing half-written');
    const listing = await cli('topic', 'list');
    assert.deepEqual(listing.stdout.trim().split('\n').sort(), ['events', 'keep']);
  });
});
