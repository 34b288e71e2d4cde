/**
 * The state of one code generation: the JavaScript source of a compiled expression is built as
 * one *expression* string per node (ternaries for laziness, comma expressions for temporaries),
 * inside a function that declares its temporaries once. Values that are awkward or costly to
 * write as source (regular expressions, Sets, Maps, helper functions) are hoisted: they live in
 * the closure the generated function is created in, so a row never pays for building them.
 */

/** Matches code that is cheap and side-effect free to repeat: a column read, a name, a literal. */
const ATOMIC = /^(?:row\[\d+\]|[A-Za-z_$][\w$]*|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|"(?:[^"\\]|\\.)*")$/;

export function isAtomic(code: string): boolean {
  return ATOMIC.test(code);
}

/** A compiled sub-expression: its code and whether it can evaluate to null. */
export interface Code {
  code: string;
  nullable: boolean;
}

export class CodeGen {
  private tempCount = 0;
  private readonly hoisted: unknown[] = [];
  private readonly hoistedIndex = new Map<unknown, string>();

  /** A fresh temporary variable, declared at the top of the generated function. */
  temp(): string {
    return `t${this.tempCount++}`;
  }

  /**
   * A name for a value created once at compile time (a RegExp, a Set, a helper function...).
   * The same object hoisted twice gets the same name.
   */
  hoist(value: unknown): string {
    const known = this.hoistedIndex.get(value);
    if (known !== undefined) return known;
    const name = `k${this.hoisted.length}`;
    this.hoisted.push(value);
    this.hoistedIndex.set(value, name);
    return name;
  }

  /** Source text for a constant value: inline when JavaScript has a literal for it, else hoisted. */
  constant(value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'boolean') return String(value);
    if (typeof value === 'number') {
      if (Number.isFinite(value) && !Object.is(value, -0)) return value < 0 ? `(${value})` : String(value);
      return this.hoist(value);
    }
    if (typeof value === 'string') return JSON.stringify(value);
    return this.hoist(value);
  }

  /**
   * Code for a call that is NULL when any argument is NULL (most SQL functions): nullable
   * arguments are read once into temporaries and tested, non-atomic ones are read once, and
   * `body` receives code for the non-null argument values.
   */
  strict(args: Code[], body: (values: string[]) => string): string {
    const checks: string[] = [];
    const assigns: string[] = [];
    const values: string[] = [];
    for (const arg of args) {
      if (arg.nullable) {
        if (arg.code === 'null') return 'null';
        const t = this.temp();
        checks.push(`(${t} = ${arg.code}) == null`);
        values.push(t);
      } else if (isAtomic(arg.code)) {
        values.push(arg.code);
      } else {
        const t = this.temp();
        assigns.push(`${t} = ${arg.code}`);
        values.push(t);
      }
    }
    let result = body(values);
    if (assigns.length > 0) result = `(${assigns.join(', ')}, ${result})`;
    return checks.length > 0 ? `(${checks.join(' || ')} ? null : ${result})` : result;
  }

  /** Evaluates `code` once into a temporary when it is not atomic; returns [setup, name]. */
  once(code: string): [setup: string, name: string] {
    if (isAtomic(code)) return ['', code];
    const t = this.temp();
    return [`${t} = ${code}, `, t];
  }

  /**
   * Creates the JavaScript function. `body` is the source of the function body and may use
   * `row` and every name handed out by temp() and hoist().
   */
  build<F>(body: string, params = 'row'): F {
    const temps = Array.from({ length: this.tempCount }, (_, i) => `t${i}`);
    const declarations = temps.length > 0 ? `let ${temps.join(', ')};\n` : '';
    const bindings = this.hoisted.map((_, i) => `const k${i} = hoisted[${i}];`).join('\n');
    const source = `"use strict";\n${bindings}\nreturn function compiled(${params}) {\n${declarations}${body}\n};`;
    // new Function is the point of this module: expressions become real, JIT-compiled functions.
    const factory = new Function('hoisted', source) as (hoisted: unknown[]) => F;
    return factory(this.hoisted);
  }
}
