/**
 * Child process of the log benchmark: appends and reads back a topic of the given size and
 * prints its peak RSS as JSON. A fresh process, so the peak belongs to this work alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../src/log/embedded/embedded-log.ts';

const totalBytes = Number(process.argv[2] ?? 2 * 1024 ** 3);
const baselineRss = process.resourceUsage().maxRSS / 1024;
const dir = mkdtempSync(join(tmpdir(), 'shiftleft-bench-mem-'));
const log = await EmbeddedLog.open({ dir, fsync: { intervalMs: 1000 }, maintenanceIntervalMs: 0 });
await log.createTopic('memory');
const value = Buffer.alloc(1024, 97);
const batch = Array.from({ length: 256 }, () => ({ key: null, value, partition: 0 }));
const batches = Math.max(1, Math.round(totalBytes / (256 * 1024)));
for (let i = 0; i < batches; i++) log.produceSync('memory', batch);
const afterAppend = process.resourceUsage().maxRSS / 1024;
let offset = 0;
let read = 0;
while (offset < batches * 256) {
  const page = await log.fetch({ topic: 'memory', partition: 0 }, offset, { maxRecords: 10_000 });
  read += page.records.length;
  offset = page.nextOffset;
}
await log.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ bytes: batches * 256 * 1024, records: read, baselineRssMb: Math.round(baselineRss), peakRssAfterAppendMb: Math.round(afterAppend), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
