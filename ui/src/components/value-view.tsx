/**
 * A decoded key or value: records as field rows, fields under an ENCRYPT rule marked as
 * ciphertext (the portal reads without the KMS secret, so it sees what unauthorized readers see).
 */
import type { DecodedPart } from '../api.ts';

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

const FORMAT_LABEL: Record<DecodedPart['format'], string> = {
  avro: 'Avro',
  json: 'JSON Schema',
  protobuf: 'Protobuf',
  'json-text': 'JSON',
  text: 'text',
  binary: 'bytes',
  null: 'null',
};

export function FormatBadge({ part }: { part: DecodedPart }) {
  const id = 'schemaId' in part ? ` #${part.schemaId}` : '';
  return (
    <span className="format" title={'schemaId' in part ? `schema id ${part.schemaId}` : undefined}>
      {FORMAT_LABEL[part.format]}
      {id}
    </span>
  );
}

function LockIcon() {
  return (
    <svg className="lock" width="10" height="11" viewBox="0 0 10 11" aria-label="encrypted" role="img">
      <rect x="1" y="5" width="8" height="6" rx="1.2" fill="currentColor" />
      <path d="M3 5V3.4a2 2 0 0 1 4 0V5" stroke="currentColor" strokeWidth="1.4" fill="none" />
    </svg>
  );
}

export function ValueView({ part, compact }: { part: DecodedPart; compact?: boolean }) {
  if (part.format === 'null') return <span className="muted">null</span>;
  if (part.format === 'binary') return <code className="binary">{part.data}</code>;
  if ('error' in part && part.error) {
    return (
      <span className="decode-error" title={part.error}>
        undecodable: {part.error}
      </span>
    );
  }
  const data = part.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return <code>{scalar(data)}</code>;
  const encrypted = new Set('encryptedFields' in part ? (part.encryptedFields ?? []) : []);
  const entries = Object.entries(data as Record<string, unknown>);
  return (
    <div className={`fields${compact ? ' compact' : ''}`}>
      {entries.map(([name, value]) => (
        <span key={name} className={`field${encrypted.has(name) ? ' encrypted' : ''}`} title={encrypted.has(name) ? 'encrypted by the contract (ENCRYPT rule): shown as ciphertext' : undefined}>
          <span className="field-name">
            {encrypted.has(name) && <LockIcon />}
            {name}
          </span>
          <span className="field-value">{typeof value === 'object' && value !== null ? JSON.stringify(value) : scalar(value)}</span>
        </span>
      ))}
    </div>
  );
}
