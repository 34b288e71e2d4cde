/**
 * CEL conditions evaluated the way Confluent's CelExecutor evaluates them (same @bufbuild/cel
 * planner, same `message` binding, same `guard;expr` split, same string extension functions), at a
 * fraction of the cost:
 *   - programs are planned once per expression, not looked up per record by a JSON cache key;
 *   - `message` is bound to a CelMap *view* of the record instead of a Map copied from
 *     `Object.entries` at every access (the copy dominated the evaluation);
 *   - `matches` compiles each pattern once. Its code is @bufbuild/cel's `matchesString` (same RE2
 *     checks, same leading-flags handling, same errors), with the compiled RegExp cached;
 *   - the common subset of conditions runs through a direct evaluator (cel-compiled.ts) that
 *     hands anything unusual back to the interpreter.
 * The result is what the executor returns: a rule fails only on exactly `false`; an evaluation
 * error is a value (CelError) and, as in the Confluent client, does not fail the condition.
 */
import { CelScalar, celEnv, celFunc, celMap, celOverload, parse, plan } from '@bufbuild/cel';
import { STRINGS_EXT_FUNCS } from '@bufbuild/cel/ext/strings';
import { BAIL, compileSubset } from './cel-compiled.ts';

/** Evaluates a rule's condition on a message; throws what evaluation throws. */
export type CelCondition = (message: unknown) => unknown;

/** Patterns @bufbuild/cel rejects as not RE2 (copied from its std/logic.js). */
const INVALID_PATTERNS = [/\\[1-9]/, /\\k<.>/, /\(\?=/, /\(\?!/, /\(\?<=/, /\(\?<!/, /\\c[A-Z]/, /\\u[0-9a-fA-F]{4}/, /\\0(?!\d)/, /\[\\b.*\]/];
const FLAG_PATTERN = /^\(\?(?<flags>[ims-]+)\)/;

type CompiledPattern = { ok: true; regexp: RegExp } | { ok: false; message: string };
const compiledPatterns = new Map<string, CompiledPattern>();
const MAX_CACHED_PATTERNS = 1000;

function compilePattern(pattern: string): CompiledPattern {
  for (const invalid of INVALID_PATTERNS) {
    if (invalid.test(pattern)) return { ok: false, message: `Error evaluating pattern ${pattern}, invalid RE2 syntax` };
  }
  let flags = '';
  let source = pattern;
  const flagMatches = source.match(FLAG_PATTERN);
  if (flagMatches) {
    for (const flag of flagMatches.groups?.flags ?? '') {
      if (flag === '-') break;
      flags += flag;
    }
    source = source.substring(flagMatches[0].length);
  }
  try {
    return { ok: true, regexp: new RegExp(source, flags) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function matchesString(text: string, pattern: string): boolean {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = compilePattern(pattern);
    if (compiledPatterns.size >= MAX_CACHED_PATTERNS) compiledPatterns.clear();
    compiledPatterns.set(pattern, compiled);
  }
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.regexp.test(text);
}

const matchesFunc = celFunc('matches', [celOverload([CelScalar.STRING, CelScalar.STRING], CelScalar.BOOL, matchesString)]);
/** User functions come before the standard library in the dispatcher, so this `matches` wins. */
const env = celEnv({ funcs: [...STRINGS_EXT_FUNCS, matchesFunc] });

/** A record object (plain or class instance), as opposed to the values CEL converts itself. */
function isRecordObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof Date)
  );
}

/**
 * A read-only Map over an object's own enumerable properties: what `new Map(Object.entries(o))`
 * holds, without copying. Nested records get views too: the Confluent path clones the message
 * with structuredClone first, which turns class instances (decoded Avro records) into plain
 * objects, and CEL reads plain objects as maps.
 */
class RecordView implements ReadonlyMap<string, unknown> {
  constructor(private readonly record: Record<string, unknown>) {}
  get size(): number {
    return Object.keys(this.record).length;
  }
  has(key: unknown): boolean {
    return typeof key === 'string' && Object.prototype.propertyIsEnumerable.call(this.record, key);
  }
  get(key: unknown): unknown {
    return this.has(key) ? celInput(this.record[key as string]) : undefined;
  }
  keys(): MapIterator<string> {
    return Object.keys(this.record)[Symbol.iterator]();
  }
  values(): MapIterator<unknown> {
    return Object.values(this.record).map(celInput)[Symbol.iterator]();
  }
  entries(): MapIterator<[string, unknown]> {
    const entries = Object.entries(this.record).map(([k, v]): [string, unknown] => [k, celInput(v)]);
    return entries[Symbol.iterator]();
  }
  forEach(callback: (value: unknown, key: string, map: ReadonlyMap<string, unknown>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
  [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }
}

function celInput(value: unknown): unknown {
  return isRecordObject(value) ? celMap(new RecordView(value) as unknown as ReadonlyMap<string, never>) : value;
}

const programs = new Map<string, (bindings: Record<string, unknown>) => unknown>();

function program(expr: string): (bindings: Record<string, unknown>) => unknown {
  let planned = programs.get(expr);
  if (!planned) {
    planned = plan(env, parse(expr)) as (bindings: Record<string, unknown>) => unknown;
    if (programs.size >= MAX_CACHED_PATTERNS) programs.clear();
    programs.set(expr, planned);
  }
  return planned;
}

type Evaluator = (message: unknown) => unknown;

/** An expression: the direct evaluator when it covers it, else (or when it bails) the interpreter. */
function evaluator(expr: string): Evaluator {
  const direct = compileSubset(expr, { matches: matchesString });
  // No closure is created per record: tsx names every closure it creates, which costs more than
  // a simple condition.
  if (!direct) return (message) => program(expr)({ message: celInput(message) });
  return (message) => {
    const value = direct(message);
    return value === BAIL ? program(expr)({ message: celInput(message) }) : value;
  };
}

/**
 * Compiles a rule's expression. Parse errors surface when the condition runs (as in the client,
 * where they become the rule's failure), not here.
 */
export function compileCelCondition(expr: string | undefined, isCondition: boolean): CelCondition {
  if (expr === undefined || expr === null) return (message) => message;
  const semicolon = expr.indexOf(';');
  const guard = semicolon >= 0 ? expr.substring(0, semicolon) : '';
  const body = evaluator(semicolon >= 0 ? expr.substring(semicolon + 1) : expr);
  if (guard.trim().length === 0) return body;
  const guarded = evaluator(guard);
  return (message) => (guarded(message) === false ? (isCondition ? true : message) : body(message));
}
