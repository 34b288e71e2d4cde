/**
 * Flink SQL lexer: turns source text into tokens that remember where they came from.
 *
 * One left-to-right pass, no backtracking, no regular expressions over the remaining input, so
 * lexing is linear in the length of the script. Keywords are not decided here: every bare word is
 * a `word` token (with its upper-cased spelling) and the parser decides from context whether it
 * is a keyword or an identifier — Flink has far fewer reserved words than keywords, and Nexmark
 * happily uses keywords such as `key` and `final` as unquoted names.
 */
import { ShiftleftError } from '../common/errors.ts';

/** Where a token or AST node sits in the source. `line` and `column` are 1-based; `end` is exclusive. */
export interface Span {
  start: number;
  end: number;
  line: number;
  column: number;
}

export type TokenType =
  /** A bare word: keyword or unquoted identifier. `value` keeps the spelling, `upper` is for keyword tests. */
  | 'word'
  /** `name` or "name"; `value` is the unescaped name. Never a keyword. */
  | 'quoted_identifier'
  /** 'text' with '' escapes; `value` is the unescaped text. */
  | 'string'
  /** X'0AFF'; `value` is the hex digits. */
  | 'binary_string'
  /** 42, 3.14, .5, 1e10, 2.5E-3; `value` is the text as written. */
  | 'number'
  /** Punctuation and operators, `value` is the operator text; `/*+` and `*\/` delimit hints. */
  | 'operator'
  | 'eof';

export interface Token {
  type: TokenType;
  value: string;
  /** Upper-cased `value` for words; equal to `value` otherwise. */
  upper: string;
  span: Span;
}

/** Longest operators first so that `<>` wins over `<`. */
const MULTI_CHAR_OPERATORS = ['<>', '!=', '<=', '>=', '||', '::', '=>'];
const SINGLE_CHAR_OPERATORS = new Set([
  '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', ';', '.', '?', ':', '{', '}', '^', '&', '|', '~',
]);

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const NON_ASCII_LETTER = /\p{L}/u;

function isIdentifierStart(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 128) return isAsciiLetter(code) || code === 95; // _
  return NON_ASCII_LETTER.test(char);
}

function isIdentifierPart(char: string): boolean {
  const code = char.charCodeAt(0);
  // Calcite allows `$` inside (not at the start of) unquoted identifiers.
  if (code < 128) return isAsciiLetter(code) || isDigit(code) || code === 95 || code === 36;
  return NON_ASCII_LETTER.test(char);
}

/** The one shape of every SQL_PARSE_ERROR, from the lexer or the parser: `line L, column C: message`. */
export function sqlParseError(message: string, span: Span, hint: string | undefined, found: string, expected: string): ShiftleftError {
  return new ShiftleftError('SQL_PARSE_ERROR', `line ${span.line}, column ${span.column}: ${message}`, {
    hint,
    details: { line: span.line, column: span.column, offset: span.start, expected, found },
  });
}

/** Splits `sql` into tokens; the last token is always `eof`. Throws SQL_PARSE_ERROR on malformed input. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let insideHint = false;

  const spanFrom = (start: number, startLine: number, startColumn: number): Span => ({
    start,
    end: pos,
    line: startLine,
    column: startColumn,
  });
  const push = (type: TokenType, value: string, start: number, startLine: number, startColumn: number): void => {
    tokens.push({ type, value, upper: type === 'word' ? value.toUpperCase() : value, span: spanFrom(start, startLine, startColumn) });
  };
  /** Advances over one character, keeping line/column bookkeeping right across newlines. */
  const advance = (): void => {
    if (sql.charCodeAt(pos) === 10) {
      line++;
      lineStart = pos + 1;
    }
    pos++;
  };

  /** Reads a delimited run (strings, quoted identifiers) where a doubled delimiter escapes itself. */
  const readDelimited = (delimiter: string, what: string, hint: string): string => {
    const startLine = line;
    const startColumn = pos - lineStart + 1;
    const start = pos;
    advance(); // opening delimiter
    let value = '';
    let chunkStart = pos;
    while (true) {
      if (pos >= sql.length) {
        throw sqlParseError(`unterminated ${what}`, { start, end: pos, line: startLine, column: startColumn }, hint, 'end of input', delimiter);
      }
      if (sql[pos] === delimiter) {
        if (sql[pos + 1] === delimiter) {
          value += sql.slice(chunkStart, pos) + delimiter;
          pos += 2;
          chunkStart = pos;
          continue;
        }
        value += sql.slice(chunkStart, pos);
        pos++;
        return value;
      }
      advance();
    }
  };

  while (pos < sql.length) {
    const char = sql[pos]!;
    const code = sql.charCodeAt(pos);
    const start = pos;
    const startLine = line;
    const startColumn = pos - lineStart + 1;

    if (code === 32 || code === 9 || code === 10 || code === 13 || code === 12) {
      advance();
      continue;
    }
    if (char === '-' && sql[pos + 1] === '-') {
      while (pos < sql.length && sql.charCodeAt(pos) !== 10) pos++;
      continue;
    }
    if (char === '/' && sql[pos + 1] === '*') {
      if (sql[pos + 2] === '+' && !insideHint) {
        pos += 3;
        insideHint = true;
        push('operator', '/*+', start, startLine, startColumn);
        continue;
      }
      pos += 2;
      while (pos < sql.length && !(sql[pos] === '*' && sql[pos + 1] === '/')) advance();
      if (pos >= sql.length) {
        throw sqlParseError(
          'unterminated comment',
          { start, end: pos, line: startLine, column: startColumn },
          "close the comment with '*/'",
          'end of input',
          '*/',
        );
      }
      pos += 2;
      continue;
    }
    if (insideHint && char === '*' && sql[pos + 1] === '/') {
      pos += 2;
      insideHint = false;
      push('operator', '*/', start, startLine, startColumn);
      continue;
    }
    if (char === "'") {
      const value = readDelimited("'", 'string literal', "close the string with ' (write '' for a quote inside it)");
      push('string', value, start, startLine, startColumn);
      continue;
    }
    if (char === '`') {
      const value = readDelimited('`', 'quoted identifier', 'close the identifier with ` (write `` for a backtick inside it)');
      if (value.length === 0) throw sqlParseError('empty quoted identifier', spanFrom(start, startLine, startColumn), undefined, '``', 'identifier');
      push('quoted_identifier', value, start, startLine, startColumn);
      continue;
    }
    if (char === '"') {
      const value = readDelimited('"', 'quoted identifier', 'close the identifier with " (write "" for a double quote inside it)');
      if (value.length === 0) throw sqlParseError('empty quoted identifier', spanFrom(start, startLine, startColumn), undefined, '""', 'identifier');
      push('quoted_identifier', value, start, startLine, startColumn);
      continue;
    }
    if (isDigit(code) || (char === '.' && isDigit(sql.charCodeAt(pos + 1)))) {
      while (isDigit(sql.charCodeAt(pos))) pos++;
      if (sql[pos] === '.' && isDigit(sql.charCodeAt(pos + 1))) {
        pos++;
        while (isDigit(sql.charCodeAt(pos))) pos++;
      } else if (sql[pos] === '.' && !isIdentifierStart(sql[pos + 1] ?? ' ')) {
        pos++; // `1.` is a valid decimal
      }
      const exponentSign = sql[pos + 1] === '+' || sql[pos + 1] === '-' ? 1 : 0;
      if ((sql[pos] === 'e' || sql[pos] === 'E') && isDigit(sql.charCodeAt(pos + 1 + exponentSign))) {
        pos += 1 + exponentSign;
        while (isDigit(sql.charCodeAt(pos))) pos++;
      }
      if (pos < sql.length && isIdentifierPart(sql[pos]!)) {
        while (pos < sql.length && isIdentifierPart(sql[pos]!)) pos++;
        throw sqlParseError(
          `malformed number '${sql.slice(start, pos)}'`,
          spanFrom(start, startLine, startColumn),
          'identifiers cannot start with a digit; quote it with backticks',
          sql.slice(start, pos),
          'number',
        );
      }
      push('number', sql.slice(start, pos), start, startLine, startColumn);
      continue;
    }
    if ((char === 'x' || char === 'X') && sql[pos + 1] === "'") {
      pos++;
      const hex = readDelimited("'", 'binary string literal', "close the literal with '");
      if (!/^[0-9a-fA-F]*$/.test(hex)) {
        throw sqlParseError('binary literal must contain only hex digits', spanFrom(start, startLine, startColumn), undefined, hex, 'hex digits');
      }
      push('binary_string', hex, start, startLine, startColumn);
      continue;
    }
    if (isIdentifierStart(char)) {
      pos++;
      while (pos < sql.length && isIdentifierPart(sql[pos]!)) pos++;
      push('word', sql.slice(start, pos), start, startLine, startColumn);
      continue;
    }
    const two = sql.slice(pos, pos + 2);
    if (MULTI_CHAR_OPERATORS.includes(two)) {
      pos += 2;
      push('operator', two, start, startLine, startColumn);
      continue;
    }
    if (SINGLE_CHAR_OPERATORS.has(char)) {
      pos++;
      push('operator', char, start, startLine, startColumn);
      continue;
    }
    pos++;
    const hint =
      char === '$'
        ? 'names starting with $ (such as the system column $rowtime) must be quoted with backticks: `$rowtime`'
        : undefined;
    throw sqlParseError(`unexpected character '${char}'`, spanFrom(start, startLine, startColumn), hint, char, 'token');
  }
  if (insideHint) {
    const last = tokens[tokens.length - 1]!;
    throw sqlParseError("unterminated hint: expected '*/'", last.span, "close the hint with '*/'", 'end of input', '*/');
  }
  tokens.push({ type: 'eof', value: '', upper: '', span: { start: pos, end: pos, line, column: pos - lineStart + 1 } });
  return tokens;
}
