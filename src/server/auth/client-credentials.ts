/**
 * The API key a shiftleft client sends to a platform under access control: from the
 * environment (SHIFTLEFT_API_KEY and SHIFTLEFT_API_SECRET, never from a flag, so it stays out
 * of shell history and process lists). Every HTTP client of the platform adds these headers;
 * Confluent's client gets `confluentClientAuth()` in its config.
 */
import { ShiftleftError } from '../../common/errors.ts';

export const API_KEY_ENV = 'SHIFTLEFT_API_KEY';
export const API_SECRET_ENV = 'SHIFTLEFT_API_SECRET';

export interface ApiKeyCredentials {
  key: string;
  secret: string;
}

/** The key and secret from the environment; undefined when neither is set, INVALID_CONFIG when one is missing. */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): ApiKeyCredentials | undefined {
  const key = env[API_KEY_ENV] ?? '';
  const secret = env[API_SECRET_ENV] ?? '';
  if (key === '' && secret === '') return undefined;
  if (key === '' || secret === '') {
    throw new ShiftleftError('INVALID_CONFIG', `${key === '' ? API_KEY_ENV : API_SECRET_ENV} is not set, but ${key === '' ? API_SECRET_ENV : API_KEY_ENV} is`, {
      hint: `set both ${API_KEY_ENV} and ${API_SECRET_ENV} (the pair \`shiftleft apikey create\` printed), or neither`,
    });
  }
  if (key.includes(':')) throw new ShiftleftError('INVALID_CONFIG', `${API_KEY_ENV} must not contain ':'`, { hint: `set ${API_KEY_ENV} to the key id alone, and the secret in ${API_SECRET_ENV}` });
  return { key, secret };
}

/** `{ authorization: 'Basic ...' }` for the environment's key, or no header. */
export function apiKeyHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const credentials = apiKeyFromEnv(env);
  return credentials ? { authorization: `Basic ${Buffer.from(`${credentials.key}:${credentials.secret}`).toString('base64')}` } : {};
}

/** Config for Confluent's SchemaRegistryClient: `{ baseURLs, ...confluentClientAuth() }`. */
export function confluentClientAuth(env: NodeJS.ProcessEnv = process.env): { basicAuthCredentials?: { credentialsSource: 'USER_INFO'; userInfo: string } } {
  const credentials = apiKeyFromEnv(env);
  return credentials ? { basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: `${credentials.key}:${credentials.secret}` } } : {};
}
