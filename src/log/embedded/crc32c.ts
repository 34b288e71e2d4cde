/**
 * CRC-32C (Castagnoli), the checksum Kafka puts on record batches. The log computes one for
 * every batch it writes and checks one for every batch it reads, so this must run at memory
 * speed: @node-rs/crc32 uses the CPU's CRC32 instructions (GB/s), where a table-driven
 * JavaScript version measured ~400 MB/s here and capped the log's throughput.
 */
import { crc32c as hardwareCrc32c } from '@node-rs/crc32';

export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  const view = start === 0 && end === data.length ? data : data.subarray(start, end);
  return hardwareCrc32c(Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength)) >>> 0;
}
