/**
 * The secret that signs the records of `_api_keys` (an HMAC per record). Anyone who can write
 * to the log (a log-API client, a SQL INSERT, a Kafka producer) could otherwise append an admin
 * key of their own; without this secret such a record is ignored. Like the local KMS secret
 * (src/common/kms-secret.ts) it comes from the environment (SHIFTLEFT_API_KEY_SIGNING_SECRET:
 * set the same value on every data directory that shares one Kafka cluster), or else from a
 * random secret generated once per data directory, readable only by its owner.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const SIGNING_SECRET_ENV = 'SHIFTLEFT_API_KEY_SIGNING_SECRET';

export function apiKeySigningSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[SIGNING_SECRET_ENV];
  if (fromEnv) return fromEnv;
  const dir = join(dataDir, 'secrets');
  const file = join(dir, 'api-key-signing-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
