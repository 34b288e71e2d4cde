/**
 * Validation of connector specs: `{ name, type, config }`, with `config` checked against the
 * type's JSON Schema. The first problem becomes CONNECTOR_CONFIG_INVALID naming the field as a
 * JSON pointer (`/config/tables/0`), the reason, and a hint; every problem is in `details`.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ShiftleftError } from '../../common/errors.ts';
import type { ConnectorType, JsonValue } from './connector.ts';

export interface ConnectorSpec {
  name: string;
  type: string;
  config: Record<string, JsonValue>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

export function configInvalid(field: string, reason: string, hint?: string, details: Record<string, unknown> = {}): ShiftleftError {
  return new ShiftleftError('CONNECTOR_CONFIG_INVALID', `connector config ${field}: ${reason}`, { hint, details: { field, reason, ...details } });
}

/** The JSON pointer of the field a problem is about (for `required`, the missing property itself). */
function pointerOf(error: ErrorObject, base: string): string {
  const missing = error.keyword === 'required' ? `/${String((error.params as { missingProperty: string }).missingProperty)}` : '';
  const extra = error.keyword === 'additionalProperties' ? `/${String((error.params as { additionalProperty: string }).additionalProperty)}` : '';
  return `${base}${error.instancePath}${missing}${extra}` || '/';
}

function reasonOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known setting';
    case 'enum':
      return `must be one of ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** Throws CONNECTOR_CONFIG_INVALID for the first problem; returns the config otherwise. */
export function validateAgainstSchema(schema: Record<string, unknown>, value: unknown, base: string, hint: string): void {
  const validate = validatorOf(schema);
  if (validate(value)) return;
  const errors = validate.errors ?? [];
  // `oneOf`/`anyOf` summaries repeat what their branches said: report a concrete problem first.
  const first = errors.find((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if') ?? errors[0];
  if (!first) throw configInvalid(base || '/', 'is invalid', hint);
  throw configInvalid(pointerOf(first, base), reasonOf(first), hint, {
    problems: errors.map((e) => ({ field: pointerOf(e, base), reason: reasonOf(e) })),
  });
}

/**
 * Accepts `{ name, type, config: {...} }` and, for hand-written files, the flat form
 * `{ name, type, ...settings }`. Checks the name and that the type exists, then the config.
 */
export function parseConnectorSpec(input: unknown, types: ReadonlyMap<string, ConnectorType>): { spec: ConnectorSpec; type: ConnectorType } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw configInvalid('/', 'must be a JSON object', 'write { "name": "...", "type": "postgres-cdc", "config": { ... } }');
  }
  const raw = input as Record<string, unknown>;
  const { name, type: typeName, config, ...flat } = raw;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw configInvalid('/name', name === undefined ? 'is required' : `${JSON.stringify(name)} is not a valid connector name`, 'use letters, digits, ".", "_" and "-" (at most 100)');
  }
  const type = typeof typeName === 'string' ? types.get(typeName) : undefined;
  if (!type) {
    throw configInvalid('/type', typeName === undefined ? 'is required' : `unknown connector type ${JSON.stringify(typeName)}`, `known types: ${[...types.keys()].join(', ')}`);
  }
  let settings: unknown;
  let base: string;
  if (config !== undefined) {
    if (Object.keys(flat).length > 0) throw configInvalid(`/${Object.keys(flat)[0]}`, 'is not a known setting (settings go inside "config")', 'move it into "config"');
    settings = config;
    base = '/config';
  } else {
    settings = flat;
    base = '';
  }
  validateAgainstSchema(type.configSchema, settings, base, `see the config schema of connector type ${type.name} (shiftleft connector types)`);
  type.validate?.(settings as Record<string, unknown>);
  return { spec: { name, type: type.name, config: settings as Record<string, JsonValue> }, type };
}
