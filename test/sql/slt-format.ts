/**
 * Parser of the `.slt` SQL test files under test/sql/cases (format described in
 * slt-runner.test.ts). Kept apart from the runner so the format can be read and tested alone.
 */

export type SltBlock = SltBlockBody & { todo?: string };

type SltBlockBody =
  | { kind: 'statement'; line: number; sql: string; error?: { code: string; text?: string } }
  | { kind: 'input'; line: number; table: string; records: SltRecord[] }
  | { kind: 'query'; line: number; mode: 'changelog' | 'table'; sql: string; expected: string[] }
  | { kind: 'query-error'; line: number; sql: string; code: string; text?: string }
  | { kind: 'explain'; line: number; sql: string; expected: string[] };

export interface SltRecord {
  timestamp: number;
  /** A row to write, or (for `delete`) the primary key of a tombstone. */
  values: unknown[];
  tombstone: boolean;
  /** Raw bytes to write as the value instead of an encoded row (`garbage 'text'`). */
  garbage?: string;
}

interface Line {
  text: string;
  number: number;
}

/** Splits a file into blocks: a header line, body lines, and after `----` the expected lines. */
export function parseSlt(text: string): SltBlock[] {
  const lines: Line[] = text.split('\n').map((t, i) => ({ text: t.replace(/\r$/, ''), number: i + 1 }));
  const blocks: SltBlock[] = [];
  let i = 0;
  const isBlank = (l: Line | undefined) => l === undefined || l.text.trim() === '';
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line) || line.text.trimStart().startsWith('#')) {
      i++;
      continue;
    }
    const header = line.text.trim();
    i++;
    // Body: up to `----` or a blank line. Expected: after `----`, up to a line that is only
    // `====` (for outputs with blank lines, such as EXPLAIN) or else a blank line.
    const body: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && lines[i]!.text.trim() !== '----') {
      if (!lines[i]!.text.trimStart().startsWith('#')) body.push(lines[i]!.text);
      i++;
    }
    let expected: string[] | undefined;
    if (i < lines.length && lines[i]!.text.trim() === '----') {
      i++;
      expected = [];
      const fenced = header.startsWith('explain');
      while (i < lines.length && (fenced ? lines[i]!.text.trim() !== '====' : !isBlank(lines[i]))) {
        expected.push(lines[i]!.text);
        i++;
      }
      if (fenced) i++;
    }
    // `... todo <reason>` at the end of a header marks a known failure (reported, not counted).
    const todo = /\s+todo\s+(.*)$/.exec(header);
    const block: SltBlock = toBlock(todo ? header.slice(0, todo.index) : header, body, expected, line.number);
    if (todo) block.todo = todo[1]!.trim();
    blocks.push(block);
  }
  return blocks;
}

function toBlock(header: string, body: string[], expected: string[] | undefined, line: number): SltBlockBody {
  const [word, ...rest] = header.split(/\s+/);
  const sql = body.join('\n');
  const where = `line ${line}`;
  switch (word) {
    case 'statement': {
      if (rest[0] === 'ok') return { kind: 'statement', line, sql };
      if (rest[0] === 'error') return { kind: 'statement', line, sql, error: { code: rest[1] ?? '', text: rest.slice(2).join(' ') || undefined } };
      throw new Error(`${where}: 'statement ok' or 'statement error CODE [text]'`);
    }
    case 'input':
      return { kind: 'input', line, table: rest.join(' ').replace(/^`|`$/g, ''), records: body.map((b) => parseRecord(b, line)) };
    case 'query': {
      if (rest[0] === 'error') return { kind: 'query-error', line, sql, code: rest[1] ?? '', text: rest.slice(2).join(' ') || undefined };
      if (rest[0] !== 'changelog' && rest[0] !== 'table') throw new Error(`${where}: 'query changelog', 'query table' or 'query error CODE'`);
      if (!expected) throw new Error(`${where}: a query needs '----' and the expected rows`);
      return { kind: 'query', line, mode: rest[0], sql, expected: expected.filter((e) => !e.trimStart().startsWith('#')) };
    }
    case 'explain':
      if (!expected) throw new Error(`${where}: explain needs '----', the plan text and '===='`);
      return { kind: 'explain', line, sql, expected };
    default:
      throw new Error(`${where}: unknown block '${header}'`);
  }
}

/** `@1000 [1, "a"]`, `@1000 delete [1]` or `@1000 garbage 'not avro'`. */
function parseRecord(text: string, blockLine: number): SltRecord {
  const m = /^\s*@(-?\d+)\s+(delete\s+|garbage\s+)?(.*)$/.exec(text);
  if (!m) throw new Error(`input at line ${blockLine}: records are '@<timestamp> [values]', got '${text}'`);
  const timestamp = Number(m[1]);
  if (m[2]?.trim() === 'garbage') return { timestamp, values: [], tombstone: false, garbage: m[3]!.trim().replace(/^'|'$/g, '') };
  const values = JSON.parse(m[3]!) as unknown;
  if (!Array.isArray(values)) throw new Error(`input at line ${blockLine}: values must be a JSON array: '${text}'`);
  return { timestamp, values, tombstone: m[2]?.trim() === 'delete' };
}

/** One value as the expected lines write it: JSON, with Maps as objects and bytes as hex. */
export function renderRow(values: unknown[]): string {
  return JSON.stringify(values, (_k, v: unknown) => {
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Map) return Object.fromEntries(v);
    if (v instanceof Uint8Array) return `x'${Buffer.from(v).toString('hex')}'`;
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  })
    .replace(/,/g, ', ')
    .replace(/:/g, ': ');
}

/** Normalizes an expected line (spacing) so authors can write `[1,"a"]` or `[1, "a"]`. */
export function normalizeExpected(line: string): string {
  const t = line.trim();
  const m = /^([+-][IUD])\s+(.*)$/.exec(t);
  if (m) return `${m[1]} ${renderRow(JSON.parse(m[2]!) as unknown[])}`;
  return renderRow(JSON.parse(t) as unknown[]);
}
