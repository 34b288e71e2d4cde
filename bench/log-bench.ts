/**
 * Log benchmark: append and read throughput of the embedded log for 100-byte and 1 KiB records
 * in batches, next to the raw bandwidth of a plain file written with the same batch sizes on the
 * same disk, measured in the same run:
 *   - "fsync per batch": log with fsync=always vs write()+fdatasync() per batch on a plain file;
 *   - "no fsync": log with its default interval fsync vs plain write() per batch.
 * Reads go through fetch() with CRC checks and full record decoding.
 * Peak RSS is reported to check that the log never holds a segment or topic in memory.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog, type FsyncPolicy } from '../src/log/embedded/embedded-log.ts';
import type { ProduceRecord } from '../src/log/log-client.ts';
import type { BenchContext, BenchResult } from './run.ts';

interface Workload {
  label: string;
  recordBytes: number;
  batchRecords: number;
  totalBytes: number;
}

const MB = 1024 * 1024;

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function makeBatch(workload: Workload): ProduceRecord[] {
  const value = Buffer.alloc(workload.recordBytes, 97);
  return Array.from({ length: workload.batchRecords }, () => ({ key: null, value, partition: 0 }));
}

/** Raw baseline: the same bytes a batch takes, written sequentially to a plain file. */
function rawWrite(dir: string, batchBytes: number, batches: number, fsync: boolean): number {
  const fd = openSync(join(dir, 'raw.bin'), 'w');
  const buf = Buffer.alloc(batchBytes, 97);
  const start = performance.now();
  let position = 0;
  for (let i = 0; i < batches; i++) {
    position += writeSync(fd, buf, 0, buf.length, position);
    if (fsync) fdatasyncSync(fd);
  }
  const seconds = (performance.now() - start) / 1000;
  closeSync(fd);
  return seconds;
}

async function logAppend(dir: string, workload: Workload, batches: number, fsync: FsyncPolicy): Promise<{ seconds: number; bytesOnDisk: number; log: EmbeddedLog }> {
  const log = await EmbeddedLog.open({ dir, fsync, maintenanceIntervalMs: 0 });
  await log.createTopic('bench', { config: { 'segment.bytes': 256 * MB } });
  const batch = makeBatch(workload);
  const start = performance.now();
  for (let i = 0; i < batches; i++) log.produceSync('bench', batch);
  log.flushAll();
  const seconds = (performance.now() - start) / 1000;
  const bytesOnDisk = (await log.describeTopic('bench')).partitions[0]!.sizeBytes!;
  return { seconds, bytesOnDisk, log };
}

async function logRead(log: EmbeddedLog, expected: number): Promise<number> {
  const tp = { topic: 'bench', partition: 0 };
  const start = performance.now();
  let offset = 0;
  let count = 0;
  let checksum = 0;
  while (offset < expected) {
    const page = await log.fetch(tp, offset, { maxRecords: 10_000, maxBytes: MB });
    for (const r of page.records) checksum += r.value!.length;
    count += page.records.length;
    offset = page.nextOffset;
  }
  const seconds = (performance.now() - start) / 1000;
  if (count !== expected || checksum === 0) throw new Error(`read ${count} records, expected ${expected}`);
  return seconds;
}

export async function logBenchmark(context: BenchContext): Promise<BenchResult> {
  const scale = context.quick ? 1 / 64 : 1;
  const workloads: Workload[] = [
    { label: '100 B x 1000/batch', recordBytes: 100, batchRecords: 1000, totalBytes: Math.round(512 * MB * scale) },
    { label: '1 KiB x 256/batch', recordBytes: 1024, batchRecords: 256, totalBytes: Math.round(1024 * MB * scale) },
  ];
  const rows: Record<string, string | number>[] = [];
  const summary: Record<string, unknown> = {};
  for (const workload of workloads) {
    const batches = Math.max(1, Math.round(workload.totalBytes / (workload.recordBytes * workload.batchRecords)));
    const records = batches * workload.batchRecords;
    for (const mode of ['no fsync', 'fsync per batch'] as const) {
      // fsync per batch is slow on purpose: measure it on a tenth of the data.
      const n = mode === 'fsync per batch' ? Math.max(1, Math.round(batches / 10)) : batches;
      const dir = mkdtempSync(join(tmpdir(), 'shiftleft-bench-'));
      try {
        context.progress(`${workload.label}, ${mode}: appending ${(n * workload.batchRecords).toLocaleString()} records`);
        const { seconds, bytesOnDisk, log } = await logAppend(dir, workload, n, mode === 'fsync per batch' ? 'always' : { intervalMs: 1000 });
        const appendRecordsPerSec = (n * workload.batchRecords) / seconds;
        const diskMBps = bytesOnDisk / MB / seconds;
        let readRecordsPerSec: number | undefined;
        if (mode === 'no fsync') {
          context.progress(`${workload.label}: reading back`);
          readRecordsPerSec = records / (await logRead(log, records));
        }
        await log.close();
        const batchBytesOnDisk = Math.round(bytesOnDisk / n);
        const rawSeconds = rawWrite(dir, batchBytesOnDisk, n, mode === 'fsync per batch');
        const rawMBps = (batchBytesOnDisk * n) / MB / rawSeconds;
        const key = `${workload.recordBytes}B/${mode}`;
        summary[`${key}/append_vs_raw`] = Number((diskMBps / rawMBps).toFixed(3));
        rows.push({
          workload: workload.label,
          mode,
          records: n * workload.batchRecords,
          'append rec/s': Math.round(appendRecordsPerSec),
          'append MB/s': Number(((n * workload.batchRecords * workload.recordBytes) / MB / seconds).toFixed(1)),
          'disk MB/s': Number(diskMBps.toFixed(1)),
          'raw file MB/s': Number(rawMBps.toFixed(1)),
          'vs raw': Number((diskMBps / rawMBps).toFixed(2)),
          'read rec/s': readRecordsPerSec === undefined ? '' : Math.round(readRecordsPerSec),
          'read MB/s': readRecordsPerSec === undefined ? '' : Number(((readRecordsPerSec * workload.recordBytes) / MB).toFixed(1)),
          'peak RSS MB': peakRssMb(),
        });
        if (readRecordsPerSec !== undefined) summary[`${workload.recordBytes}B/read_records_per_sec`] = Math.round(readRecordsPerSec);
        summary[`${key}/append_records_per_sec`] = Math.round(appendRecordsPerSec);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  summary.peakRssMb = peakRssMb();
  // Memory goal: a multi-gigabyte topic appended and read back in a fresh process stays small.
  const memoryBytes = context.quick ? 64 * MB : 2048 * MB;
  context.progress(`memory: appending and reading ${memoryBytes / MB} MiB in a fresh process`);
  const script = fileURLToPath(new URL('./log-memory.ts', import.meta.url));
  const memory = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script, String(memoryBytes)], { encoding: 'utf8' })) as Record<string, number>;
  rows.push({ workload: `${memoryBytes / MB} MiB topic, 1 KiB records`, mode: 'append+read, fresh process', records: memory.records!, 'peak RSS MB': memory.peakRssMb! });
  summary.memory = memory;
  return { rows, summary };
}
