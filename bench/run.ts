/**
 * `npm run bench [-- NAME ...] [--quick]`: runs benchmarks, prints a table per benchmark and
 * writes bench/results/<name>.json. `--quick` shrinks every workload to prove the benchmarks
 * still run (CI); its numbers mean nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';
import { reportError } from '../src/cli/report-error.ts';
import { benchmarks } from './benchmarks.ts';

export interface BenchContext {
  quick: boolean;
  /** Prints a progress line (stderr), so long runs show they are alive. */
  progress(message: string): void;
}

export interface BenchResult {
  /** Rows of the table: one measurement each. */
  rows: Record<string, string | number>[];
  /** Ratios against the baseline measured in the same run, and anything else to keep. */
  summary: Record<string, unknown>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function printRows(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  // Rows may measure different things: the table has every column any row has.
  const headers = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => headers.map((h) => (typeof r[h] === 'number' ? formatNumber(r[h] as number) : String(r[h] ?? ''))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i]!)).join('  ');
  console.log(line(headers));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in benchmarks));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${Object.keys(benchmarks).join(', ')}`);
    return 2;
  }
  const selected = names.length ? names : Object.keys(benchmarks);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  for (const name of selected) {
    console.log(`\n== ${name}${quick ? ' (quick)' : ''}`);
    const context: BenchContext = { quick, progress: (m) => process.stderr.write(`  ${name}: ${m}\n`) };
    const result = await benchmarks[name]!(context);
    printRows(result.rows);
    const file = join(root, 'bench', 'results', `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          benchmark: name,
          quick,
          date: new Date().toISOString(),
          machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version },
          ...result,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`summary: ${JSON.stringify(result.summary)}`);
    console.log(`wrote ${file}`);
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => (process.exitCode = reportError(error)),
);
