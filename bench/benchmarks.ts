/** The list of benchmarks `npm run bench` knows, by name. */
import type { BenchContext, BenchResult } from './run.ts';
import { contractsBenchmark } from './contracts-bench.ts';
import { logBenchmark } from './log-bench.ts';
import { nexmarkBenchmark } from './nexmark-bench.ts';

export const benchmarks: Record<string, (context: BenchContext) => Promise<BenchResult>> = {
  log: logBenchmark,
  cdc: (context) => import('./cdc-bench.ts').then((m) => m.cdcBenchmark(context)),
  sink: (context) => import('./sink-bench.ts').then((m) => m.sinkBenchmark(context)),
  contracts: contractsBenchmark,
  nexmark: nexmarkBenchmark,
  e2e: (context) => import('./e2e-latency-bench.ts').then((m) => m.e2eLatencyBenchmark(context)),
  state: (context) => import('./state-bench.ts').then((m) => m.stateBenchmark(context)),
};
