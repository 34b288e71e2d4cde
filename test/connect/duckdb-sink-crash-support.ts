/**
 * The kill -9 scenario shared by the DuckDB and PostgreSQL sink tests: topics with keyed orders
 * (updates and tombstones over few keys) and unique clicks; a sink in a child process killed at
 * random moments after it committed batches, restarted each time, then left to catch up.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ProduceRecord } from '../../src/log/log-client.ts';
import { startRegistry } from '../registry/registry-harness.ts';
import { spawnTs, waitForLine } from '../support/child.ts';
import { CLICK, foldByKey, formatCents, ORDER_KEY, ORDER_V1, OrderProducer, registerSchema, wire } from './duckdb-sink-support.ts';

export const CRASH_ORDERS = 5_000;
export const CRASH_CLICKS = 3_000;

/** Writes the topics into `<dir>/log` (registry included) and closes it for the child. */
export async function prepareCrashTopics(dir: string): Promise<void> {
  const server = await startRegistry(join(dir, 'log'));
  await server.log.createTopic('crash.orders', { partitions: 2 });
  await server.log.createTopic('crash.clicks', { partitions: 2 });
  const keyId = await registerSchema(server, 'crash.orders-key', ORDER_KEY);
  const valueId = await registerSchema(server, 'crash.orders-value', ORDER_V1);
  const clickId = await registerSchema(server, 'crash.clicks-value', CLICK);
  const producer = new OrderProducer(server.log, 'crash.orders', keyId, valueId);
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const orders: ProduceRecord[] = [];
  for (let i = 0; i < CRASH_ORDERS; i++) {
    const id = Math.floor(random() * 700);
    orders.push(
      random() < 0.1
        ? producer.tombstone(id)
        : producer.record({ order_id: id, customer: `c${i}`, amount: BigInt(i * 7 - 1000), placed_at: 1_700_000_000_000 + i, ship_date: 19_000 + (i % 300), note: i % 3 ? null : `note ${i}` }),
    );
  }
  for (let i = 0; i < orders.length; i += 500) await producer.send(orders.slice(i, i + 500));
  const clicks: ProduceRecord[] = Array.from({ length: CRASH_CLICKS }, (_, i) => ({ key: Buffer.from(`u${i % 13}`), value: wire(clickId, CLICK, { id: i, page: `/p/${i % 50}` }) }));
  for (let i = 0; i < clicks.length; i += 500) await server.log.produce('crash.clicks', clicks.slice(i, i + 500));
  await server.close();
}

/**
 * Kills the sink `rounds` times at random moments after a commit, then lets it catch up.
 *
 * Each child is killed once it has written a random number of records, drawn within its share
 * of what is left, so every kill lands mid-stream however fast the machine is. (A kill after a
 * fixed delay once came after the whole input: the next child had nothing to write, and waited.)
 */
export async function killRestartCatchUp(dir: string, target: string, rounds: number): Promise<number[]> {
  const progress: number[] = [];
  let consumed = 0;
  for (let round = 0; round < rounds; round++) {
    const child = spawnTs('test/connect/duckdb-sink-crash-child.ts', [join(dir, 'log'), target]);
    const share = (CRASH_ORDERS + CRASH_CLICKS - consumed) / (rounds - round + 1);
    const killAt = 1 + Math.floor(Math.random() * Math.max(1, share - 300));
    let last = 0;
    // (A child's start-up, module loading plus a warehouse connection, took over 30 s once on a
    // loaded CI machine: the wait is generous, the kill timing stays random.)
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`sink child of round ${round} wrote ${last} records in 90 s, waiting for ${killAt}`)), 90_000);
        child.stdout!.on('data', (d: Buffer) => {
          for (const m of d.toString().matchAll(/records (\d+)/g)) last = Number(m[1]);
          if (last >= killAt) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`sink child of round ${round} exited with ${code} after ${last} records`));
        });
      });
    } catch (error) {
      // A child left running would keep the test process (and the whole run) alive.
      child.kill('SIGKILL');
      throw error;
    }
    consumed += last;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    progress.push(last);
  }
  const final = spawnTs('test/connect/duckdb-sink-crash-child.ts', [join(dir, 'log'), target, '--until-caught-up']);
  try {
    await waitForLine(final, /^caught-up$/, 90_000);
  } catch (error) {
    final.kill('SIGKILL');
    throw error;
  }
  await new Promise((r) => final.once('exit', r));
  assert.ok(
    progress.every((p) => p > 0 && p < CRASH_ORDERS + CRASH_CLICKS),
    `every killed sink committed batches and died mid-stream: ${progress.join(', ')}`,
  );
  return progress;
}

/** The orders table the warehouse must hold: the topic folded by key, as comparable rows. */
export async function expectedOrders(dir: string): Promise<{ order_id: number; customer: string; amount: string; placed_at: number; note: string | null }[]> {
  const server = await startRegistry(join(dir, 'log'));
  const folded = await foldByKey(server, 'crash.orders');
  await server.close();
  return [...folded]
    .sort((a, b) => a[0] - b[0])
    .map(([id, v]) => {
      const bytes = Buffer.from(v.amount as Uint8Array);
      const cents = BigInt.asIntN(bytes.length * 8, BigInt('0x' + bytes.toString('hex')));
      return { order_id: id, customer: v.customer as string, amount: formatCents(cents), placed_at: v.placed_at as number, note: v.note as string | null };
    });
}
