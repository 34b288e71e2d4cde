import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, defaultPartition } from '../../src/log/partitioner.ts';
import { crc32c } from '../../src/log/embedded/crc32c.ts';
import { encodeBatch, readBatchHeader, decodeRecords, batchCrcMatches, BATCH_HEADER_SIZE } from '../../src/log/embedded/record-batch.ts';
import type { LogRecord } from '../../src/log/log-client.ts';

describe('murmur2 partitioner', () => {
  it("matches Kafka's own test vectors", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [input, expected] of vectors) assert.equal(murmur2(Buffer.from(input)), expected, input);
  });

  it('maps keys into the partition range', () => {
    for (let i = 0; i < 1000; i++) {
      const p = defaultPartition(Buffer.from(`key-${i}`), 7);
      assert.ok(p >= 0 && p < 7);
    }
    assert.equal(defaultPartition(Buffer.from('abc'), 10), (479470107 & 0x7fffffff) % 10);
  });
});

describe('crc32c', () => {
  it('gives the standard check value and handles every length', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa); // RFC 3720 B.4 test vector
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    // the sliced path and the byte path agree
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
    for (const n of [1, 7, 8, 9, 15, 16, 17, 999]) {
      let bytewise = 0xffffffff;
      for (let i = 0; i < n; i++) {
        bytewise ^= data[i]!;
        for (let k = 0; k < 8; k++) bytewise = bytewise & 1 ? (bytewise >>> 1) ^ 0x82f63b78 : bytewise >>> 1;
      }
      assert.equal(crc32c(data, 0, n), (bytewise ^ 0xffffffff) >>> 0, `length ${n}`);
    }
  });
});

describe('record batch codec (Kafka v2 format)', () => {
  it('round-trips records with every field shape', () => {
    const base = 5_000_000_000;
    const records = [
      { offset: base, timestamp: 1_700_000_000_000, key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'é-header', value: Buffer.from([0, 1, 2]) }] },
      { offset: base + 1, timestamp: 1_699_999_999_000, key: null, value: null, headers: undefined },
      { offset: base + 5, timestamp: 1_700_000_100_000, key: Buffer.alloc(300, 7), value: Buffer.alloc(70_000, 9), headers: [{ key: 'n', value: null }] },
    ];
    const buf = encodeBatch(records);
    const header = readBatchHeader(buf, 0);
    assert.equal(header.baseOffset, base);
    assert.equal(header.lastOffset, base + 5);
    assert.equal(header.recordCount, 3);
    assert.equal(header.magic, 2);
    assert.equal(header.sizeInBytes, buf.length);
    assert.equal(header.maxTimestamp, 1_700_000_100_000);
    assert.ok(batchCrcMatches(buf, 0, header));
    const out: LogRecord[] = [];
    decodeRecords(buf, 0, header, 't', 0, 0, out, 100);
    assert.deepEqual(
      out.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })),
      records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers ?? [] })),
    );
    // Decoding from a later offset skips earlier records.
    const tail: LogRecord[] = [];
    decodeRecords(buf, 0, header, 't', 0, base + 2, tail, 100);
    assert.deepEqual(
      tail.map((r) => r.offset),
      [base + 5],
    );
  });

  it('detects any flipped bit through the CRC', () => {
    const buf = encodeBatch([{ offset: 0, timestamp: 1, key: Buffer.from('key'), value: Buffer.from('value'), headers: undefined }]);
    for (let i = BATCH_HEADER_SIZE - 40; i < buf.length; i++) {
      const copy = Buffer.from(buf);
      copy[i] = copy[i]! ^ 0x10;
      const header = readBatchHeader(copy, 0);
      if (i >= 21) assert.equal(batchCrcMatches(copy, 0, header), false, `byte ${i}`);
    }
  });
});
