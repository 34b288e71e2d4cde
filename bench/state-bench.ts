/**
 * Keyed state that spills to disk: what a memory budget costs.
 *   - GroupAggregate COUNT/SUM over many keys, fed in batches of 1,000 rows: everything in
 *     memory vs a budget of a tenth of the keys, with uniform keys (nine accesses in ten read a
 *     spilled group back: the worst case) and with skewed keys (90% of the rows on 2.5% of the
 *     keys, a hot set that fits the budget: the LRU keeps it in memory);
 *   - snapshot and restore of the spilled state into an operator with the same budget.
 * Rows are generated before timing; CPU time is reported beside wall time (shared machines).
 *
 * Run: node --import tsx bench/state-bench.ts [--quick]   (or via bench/run.ts once registered)
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newMetrics, type OperatorContext } from '../src/engine/operator.ts';
import { GroupAggregateOperator } from '../src/engine/operators/group-aggregate-operator.ts';
import type { StateBackendOptions } from '../src/engine/state/state-options.ts';
import { T } from '../src/types/sql-type.ts';
import type { ChangeBatch, Row } from '../src/types/row.ts';
import type { BenchContext, BenchResult } from './run.ts';

const BATCH = 1000;

function context(state: StateBackendOptions | undefined): OperatorContext & { state?: StateBackendOptions } {
  return { metrics: newMetrics(), stateTtlMs: 0, now: () => 0, emit: () => {}, state };
}

function makeOperator(): GroupAggregateOperator {
  return new GroupAggregateOperator({
    groupKeys: [0],
    aggregates: [
      { fn: 'COUNT', args: [], distinct: false, filterArg: undefined, type: T.bigint(false), name: 'cnt' },
      { fn: 'SUM', args: [1], distinct: false, filterArg: undefined, type: T.bigint(), name: 'total' },
    ],
    generateUpdateBefore: true,
  });
}

/** xorshift32: cheap and deterministic. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** [key, amount] rows; `skewed`: 90% of the rows on the first 2.5% of the keys. */
function batches(rows: number, keys: number, skewed: boolean): ChangeBatch[] {
  const next = random(42);
  const out: ChangeBatch[] = [];
  for (let b = 0; b < rows / BATCH; b++) {
    const batch: Row[] = [];
    for (let i = 0; i < BATCH; i++) {
      const hot = skewed && next() < 0.9;
      const key = Math.floor(next() * (hot ? keys / 40 : keys));
      batch.push([`customer-${key}`, Math.floor(next() * 1000)]);
    }
    out.push({ rows: batch, kinds: null });
  }
  return out;
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return total;
}

interface Measured {
  seconds: number;
  cpuSeconds: number;
}

function time(run: () => void): Measured {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  run();
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

export async function stateBenchmark(bench: BenchContext): Promise<BenchResult> {
  const rows = bench.quick ? 20_000 : 1_000_000;
  const keys = bench.quick ? 5_000 : 200_000;
  const budget = keys / 10;
  const root = mkdtempSync(join(tmpdir(), 'state-bench-'));
  const results: Record<string, string | number>[] = [];
  const rate: Record<string, number> = {};
  try {
    for (const skewed of [false, true]) {
      const input = batches(rows, keys, skewed);
      for (const spill of [false, true]) {
        const name = `GroupAggregate ${keys.toLocaleString('en-US')} keys, ${skewed ? 'skewed' : 'uniform'}, ${spill ? `budget ${budget.toLocaleString('en-US')}` : 'in memory'}`;
        bench.progress(name);
        const spillDir = join(root, `${skewed ? 'skewed' : 'uniform'}-${spill}`);
        const op = makeOperator();
        op.open(context(spill ? { maxEntriesInMemory: budget, spillDir } : undefined));
        const m = time(() => {
          for (const batch of input) op.processBatch(0, batch);
        });
        const counts = op.stateEntries();
        const row: Record<string, string | number> = {
          workload: name,
          rows,
          seconds: Number(m.seconds.toFixed(3)),
          cpu_seconds: Number(m.cpuSeconds.toFixed(3)),
          rows_per_s: Math.round(rows / m.seconds),
          in_memory: counts.inMemory,
          spilled: counts.spilled,
          disk_mb: spill ? Number((directorySize(spillDir) / 1e6).toFixed(1)) : 0,
        };
        rate[`${skewed ? 'skewed' : 'uniform'}_${spill ? 'spill' : 'memory'}`] = row.rows_per_s as number;
        if (spill && !skewed) {
          // Snapshot (spilled entries included) and restore into an operator with the same budget.
          let snapshot: unknown;
          const snap = time(() => {
            snapshot = JSON.parse(JSON.stringify(op.snapshotState()));
          });
          const restored = makeOperator();
          restored.restoreState(snapshot);
          const restore = time(() => restored.open(context({ maxEntriesInMemory: budget, spillDir: join(root, 'restored') })));
          results.push(row, {
            workload: `snapshot ${keys.toLocaleString('en-US')} groups (JSON round trip), then restore with budget ${budget.toLocaleString('en-US')}`,
            seconds: Number((snap.seconds + restore.seconds).toFixed(3)),
            snapshot_seconds: Number(snap.seconds.toFixed(3)),
            restore_seconds: Number(restore.seconds.toFixed(3)),
            in_memory: restored.stateEntries().inMemory,
            spilled: restored.stateEntries().spilled,
          });
          restored.close();
        } else results.push(row);
        op.close();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    rows: results,
    summary: {
      uniform_spill_vs_memory: Number((rate.uniform_spill! / rate.uniform_memory!).toFixed(3)),
      skewed_spill_vs_memory: Number((rate.skewed_spill! / rate.skewed_memory!).toFixed(3)),
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const result = await stateBenchmark({ quick, progress: (m) => process.stderr.write(`  state: ${m}\n`) });
  console.table(result.rows);
  console.log(JSON.stringify(result.summary));
}
