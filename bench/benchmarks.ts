/** The list of benchmarks `npm run bench` knows, by name. */
import type { BenchContext, BenchResult } from './run.ts';
import { logBenchmark } from './log-bench.ts';

export const benchmarks: Record<string, (context: BenchContext) => Promise<BenchResult>> = {
  log: logBenchmark,
};
