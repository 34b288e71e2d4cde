/**
 * The token cursor every parsing function shares: lookahead, keyword/operator matching, spans,
 * and the one place syntax errors are built, so all of them read
 * `line L, column C: expected X but found Y` with the same details.
 */
import type { ShiftleftError } from '../../common/errors.ts';
import type { Identifier, ObjectName, Span } from '../ast.ts';
import { sqlParseError, tokenize, type Token } from '../lexer.ts';
import { isReservedWord, suggestKeyword, SUGGESTABLE_KEYWORDS } from './keywords.ts';

export function describeToken(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'end of input';
    case 'string':
      return `string '${truncate(token.value)}'`;
    case 'binary_string':
      return `binary string X'${truncate(token.value)}'`;
    case 'quoted_identifier':
      return `\`${truncate(token.value)}\``;
    default:
      return `'${truncate(token.value)}'`;
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export class Cursor {
  private readonly tokens: Token[];
  private index = 0;
  /** Counts `?` placeholders so each Parameter knows its position. */
  parameterCount = 0;

  constructor(private readonly sourceText: string) {
    this.tokens = tokenize(sourceText);
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  /** The last consumed token (for span ends). */
  previous(): Token {
    return this.tokens[Math.max(this.index - 1, 0)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.index++;
    return token;
  }

  atEnd(): boolean {
    return this.peek().type === 'eof';
  }

  /** Saves a position to return to: a few constructs need bounded lookahead beyond one token. */
  mark(): number {
    return this.index;
  }

  reset(mark: number): void {
    this.index = mark;
  }

  // --- keywords ---

  isKeyword(keyword: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.type === 'word' && token.upper === keyword;
  }

  /** True when the next tokens are exactly these keywords. */
  isKeywords(...keywords: string[]): boolean {
    return keywords.every((keyword, i) => this.isKeyword(keyword, i));
  }

  acceptKeyword(keyword: string): boolean {
    if (!this.isKeyword(keyword)) return false;
    this.index++;
    return true;
  }

  /** Consumes the sequence only if all of it is there. */
  acceptKeywords(...keywords: string[]): boolean {
    if (!this.isKeywords(...keywords)) return false;
    this.index += keywords.length;
    return true;
  }

  expectKeyword(keyword: string, hint?: string): Token {
    if (!this.isKeyword(keyword)) throw this.errorExpected(keyword, hint);
    return this.next();
  }

  expectKeywords(...keywords: string[]): void {
    for (const keyword of keywords) this.expectKeyword(keyword);
  }

  /** Accepts one of the keywords and returns it upper-cased. */
  acceptOneOf<K extends string>(keywords: readonly K[]): K | undefined {
    const token = this.peek();
    if (token.type !== 'word') return undefined;
    const found = keywords.find((keyword) => keyword === token.upper);
    if (found !== undefined) this.index++;
    return found;
  }

  // --- operators ---

  isOperator(operator: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.type === 'operator' && token.value === operator;
  }

  acceptOperator(operator: string): boolean {
    if (!this.isOperator(operator)) return false;
    this.index++;
    return true;
  }

  expectOperator(operator: string, hint?: string): Token {
    if (!this.isOperator(operator)) throw this.errorExpected(`'${operator}'`, hint);
    return this.next();
  }

  // --- literals ---

  expectString(what = 'a string literal', hint?: string): string {
    const token = this.peek();
    if (token.type !== 'string') {
      const doubleQuoted = this.isDoubleQuoted(token) ? "string literals use single quotes: 'text'; double quotes delimit identifiers" : undefined;
      throw this.errorExpected(what, doubleQuoted ?? hint);
    }
    this.index++;
    return token.value;
  }

  private isDoubleQuoted(token: Token): boolean {
    return token.type === 'quoted_identifier' && this.source(token).startsWith('"');
  }

  private source(token: Token): string {
    return this.sourceText.slice(token.span.start, token.span.end);
  }

  expectInteger(what = 'an integer'): number {
    const token = this.peek();
    if (token.type !== 'number' || !/^\d+$/.test(token.value)) throw this.errorExpected(what);
    this.index++;
    return Number(token.value);
  }

  // --- identifiers ---

  /** A word that may serve as an identifier here: quoted, or unquoted and not reserved. */
  isIdentifier(ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.type === 'quoted_identifier' || (token.type === 'word' && !isReservedWord(token.upper));
  }

  parseIdentifier(what = 'an identifier'): Identifier {
    const token = this.peek();
    if (token.type === 'quoted_identifier' || (token.type === 'word' && !isReservedWord(token.upper))) {
      this.index++;
      return { kind: 'Identifier', value: token.value, quoted: token.type === 'quoted_identifier', span: token.span };
    }
    if (token.type === 'word') {
      throw this.errorExpected(
        what,
        `${token.upper} is a reserved word; to use it as a name, quote it with backticks: \`${token.value}\``,
      );
    }
    throw this.errorExpected(what);
  }

  /** `a`, `a.b`, `a.b.c` — each part may be quoted. */
  parseObjectName(what = 'a name'): ObjectName {
    const start = this.peek();
    const parts = [this.parseIdentifier(what)];
    while (this.isOperator('.')) {
      this.next();
      parts.push(this.parseIdentifier(what));
    }
    return { kind: 'ObjectName', parts, span: this.spanFrom(start) };
  }

  /** `(a, b, c)` */
  parseIdentifierList(what = 'a column name'): Identifier[] {
    this.expectOperator('(');
    const names = [this.parseIdentifier(what)];
    while (this.acceptOperator(',')) names.push(this.parseIdentifier(what));
    this.expectClosing();
    return names;
  }

  // --- spans ---

  /** Span from `start` (a token or a node's span) to the end of the last consumed token. */
  spanFrom(start: Token | { span: Span }): Span {
    const first = start.span;
    const end = Math.max(this.previous().span.end, first.end);
    return { start: first.start, end, line: first.line, column: first.column };
  }

  // --- errors ---

  /** Expects ')' and explains unbalanced parentheses when it is missing. */
  expectClosing(): Token {
    return this.expectOperator(')', this.atEnd() ? 'a parenthesis is not closed' : undefined);
  }

  errorExpected(expected: string, hint?: string, at: Token = this.peek()): ShiftleftError {
    const found = describeToken(at);
    // A misspelling of exactly the keyword we expected beats any generic hint.
    const suggestion = at.type === 'word' && !isReservedWord(at.upper) ? suggestKeyword(at.value, SUGGESTABLE_KEYWORDS) : undefined;
    const misspelled = suggestion !== undefined && new RegExp(`\\b${suggestion}\\b`).test(expected) ? `did you mean ${suggestion}?` : undefined;
    return syntaxError(at, `expected ${expected} but found ${found}`, expected, found, misspelled ?? hint ?? this.guessHint(at, expected));
  }

  error(message: string, hint?: string, at: Token = this.peek(), expected = ''): ShiftleftError {
    return syntaxError(at, message, expected, describeToken(at), hint);
  }

  /** Hints for the most common slips: a misspelled keyword, a missing comma, an unquoted reserved word. */
  private guessHint(at: Token, expected: string): string | undefined {
    if (at.type === 'word') {
      const suggestion = suggestKeyword(at.value, SUGGESTABLE_KEYWORDS);
      if (suggestion !== undefined && !isReservedWord(at.upper)) return `did you mean ${suggestion}?`;
      const previous = this.previous();
      if (previous !== at && previous.type === 'word') {
        const previousSuggestion = suggestKeyword(previous.value, SUGGESTABLE_KEYWORDS);
        if (previousSuggestion !== undefined && !isReservedWord(previous.upper)) {
          return `'${previous.value}' looks like a misspelled ${previousSuggestion}`;
        }
      }
      if (expected.includes("','")) return 'is a comma missing before it?';
    }
    if (at.type === 'quoted_identifier' && expected.includes("','")) return 'is a comma missing before it?';
    if (at.type === 'operator' && at.value === ')') return 'check that the parentheses are balanced';
    if (at.type === 'operator' && at.value === '/*+') {
      return 'optimizer hints go right after SELECT, after a table name, or after INSERT INTO table; use /* ... */ for a comment';
    }
    return undefined;
  }
}

function syntaxError(at: Token, message: string, expected: string, found: string, hint: string | undefined): ShiftleftError {
  return sqlParseError(message, at.span, hint, found, expected);
}
