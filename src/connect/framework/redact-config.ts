/**
 * Configs are shown in status answers and CLI output: hide secrets there (passwords inside
 * connection URLs, and any setting whose name says it is a secret). The stored spec keeps them.
 */
import type { JsonValue } from './connector.ts';

const SECRET_NAME = /password|secret|token|credential/i;

function redactUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:****@');
}

export function redactConfig(config: Record<string, JsonValue>): Record<string, JsonValue> {
  const redact = (value: JsonValue, key: string): JsonValue => {
    if (typeof value === 'string') return SECRET_NAME.test(key) ? '****' : redactUrl(value);
    if (Array.isArray(value)) return value.map((item) => redact(item, key));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
    return value;
  };
  return redact(config, '') as Record<string, JsonValue>;
}
