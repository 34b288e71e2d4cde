/**
 * The KMS secret the platform's producers hold: the embedded stand-in for a cloud KMS grant
 * (Confluent's `local-kms` derives the key-encryption key from it). It comes from configuration,
 * never from code: the environment (`SHIFTLEFT_KMS_SECRET`), or else a random secret generated
 * once per data directory and kept there, readable only by its owner.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export function platformKmsSecret(dataDir: string): string {
  if (process.env.SHIFTLEFT_KMS_SECRET) return process.env.SHIFTLEFT_KMS_SECRET;
  const dir = join(dataDir, 'secrets');
  const file = join(dir, 'local-kms-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
