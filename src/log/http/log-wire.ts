/**
 * How the log's records travel as JSON over the platform API (src/server/routes/topics.ts), in
 * both directions: the server and HttpLogClient share these functions so the two sides cannot
 * drift apart.
 *
 * Bytes are strings with an encoding beside them: `utf8` (the default, readable with curl) or
 * `base64` (anything else: Avro payloads, ciphertext). The server answers UTF-8 when the bytes
 * round-trip exactly as UTF-8 text and base64 otherwise, naming the encoding only for base64;
 * HttpLogClient always sends base64, which is exact for any bytes.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { LogRecord, ProduceRecord, RecordHeader } from '../log-client.ts';

export type BytesEncoding = 'utf8' | 'base64';

export interface WireHeader {
  key: string;
  value: string | null;
  valueEncoding?: BytesEncoding;
}

/** A record in a produce request. */
export interface WireProduceRecord {
  key?: string | null;
  keyEncoding?: BytesEncoding;
  value: string | null;
  valueEncoding?: BytesEncoding;
  headers?: WireHeader[];
  timestamp?: number;
  partition?: number;
}

/** A record in a fetch answer; topic and partition are those of the request. */
export interface WireRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  keyEncoding?: 'base64';
  value: string | null;
  valueEncoding?: 'base64';
  headers: WireHeader[];
}

export interface WireFetchResult {
  records: WireRecord[];
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

// Canonical base64 only: Buffer.from(s, 'base64') silently skips bad characters, which would
// store different bytes than the producer meant.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes one field; a malformed base64 string is INVALID_RECORD naming the record and field. */
function decodeBytes(text: string | null | undefined, encoding: BytesEncoding | undefined, where: { topic: string; index: number; field: string }): Buffer | null {
  if (text === null || text === undefined) return null;
  if (encoding === 'base64') {
    if (!BASE64.test(text)) {
      throw new ShiftleftError('INVALID_RECORD', `record #${where.index} for topic '${where.topic}': ${where.field} is not valid base64`, {
        hint: `send ${where.field} as canonical base64 (A-Z, a-z, 0-9, +, /, padded with =), or as UTF-8 text without an encoding`,
        details: { topic: where.topic, index: where.index, field: where.field },
      });
    }
    return Buffer.from(text, 'base64');
  }
  return Buffer.from(text, 'utf8');
}

/** UTF-8 text when the bytes are exactly that text, else base64 (named). */
function encodeBytes(bytes: Buffer | null): { text: string | null; base64: boolean } {
  if (bytes === null) return { text: null, base64: false };
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return { text, base64: false };
  return { text: bytes.toString('base64'), base64: true };
}

// ---- produce: client → server --------------------------------------------------------------

export function produceRecordToWire(record: ProduceRecord): WireProduceRecord {
  const wire: WireProduceRecord = {
    value: record.value === null ? null : record.value.toString('base64'),
    valueEncoding: 'base64',
  };
  if (record.key !== undefined) {
    wire.key = record.key === null ? null : record.key.toString('base64');
    wire.keyEncoding = 'base64';
  }
  if (record.headers !== undefined) {
    wire.headers = record.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('base64'), valueEncoding: 'base64' }));
  }
  if (record.timestamp !== undefined) wire.timestamp = record.timestamp;
  if (record.partition !== undefined) wire.partition = record.partition;
  return wire;
}

export function produceRecordFromWire(wire: WireProduceRecord, index: number, topic: string): ProduceRecord {
  const record: ProduceRecord = {
    value: decodeBytes(wire.value, wire.valueEncoding, { topic, index, field: 'value' }),
  };
  if (wire.key !== undefined) record.key = decodeBytes(wire.key, wire.keyEncoding, { topic, index, field: 'key' });
  if (wire.headers !== undefined) {
    record.headers = wire.headers.map((h) => ({ key: h.key, value: decodeBytes(h.value, h.valueEncoding, { topic, index, field: `header '${h.key}'` }) }));
  }
  if (wire.timestamp !== undefined) record.timestamp = wire.timestamp;
  if (wire.partition !== undefined) record.partition = wire.partition;
  return record;
}

// ---- fetch: server → client ----------------------------------------------------------------

function headerToWire(header: RecordHeader): WireHeader {
  const value = encodeBytes(header.value);
  return value.base64 ? { key: header.key, value: value.text, valueEncoding: 'base64' } : { key: header.key, value: value.text };
}

export function recordToWire(record: LogRecord): WireRecord {
  const key = encodeBytes(record.key);
  const value = encodeBytes(record.value);
  return {
    offset: record.offset,
    timestamp: record.timestamp,
    key: key.text,
    ...(key.base64 && { keyEncoding: 'base64' as const }),
    value: value.text,
    ...(value.base64 && { valueEncoding: 'base64' as const }),
    headers: record.headers.map(headerToWire),
  };
}

/** The server's own output is trusted: no base64 validation on the way back. */
function bytesFromServer(text: string | null, encoding: BytesEncoding | undefined): Buffer | null {
  if (text === null) return null;
  return Buffer.from(text, encoding === 'base64' ? 'base64' : 'utf8');
}

export function recordFromWire(wire: WireRecord, topic: string, partition: number): LogRecord {
  return {
    topic,
    partition,
    offset: wire.offset,
    timestamp: wire.timestamp,
    key: bytesFromServer(wire.key, wire.keyEncoding),
    value: bytesFromServer(wire.value, wire.valueEncoding),
    headers: wire.headers.map((h) => ({ key: h.key, value: bytesFromServer(h.value, h.valueEncoding) })),
  };
}
