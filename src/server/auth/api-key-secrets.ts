/**
 * API key ids and secrets, and the salted scrypt hashes that are all the platform keeps of a
 * secret. Ids look like Confluent Cloud's (16 upper-case letters and digits: not secret, shown
 * in lists); secrets are 256 random bits in base64url (64 characters, never stored).
 */
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const API_KEY_PATTERN = /^[A-Z0-9]{16}$/;

/** scrypt cost: about 16 MiB and tens of milliseconds per hash (verified secrets are cached). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1 };
const HASH_BYTES = 32;

export interface SecretHash {
  /** base64 */
  salt: string;
  /** base64 */
  hash: string;
  scrypt: ScryptParams;
}

export function newApiKeyId(): string {
  let id = '';
  for (let i = 0; i < 16; i++) id += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return id;
}

export function newApiSecret(): string {
  return randomBytes(48).toString('base64url');
}

function derive(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(secret, salt, HASH_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashSecret(secret: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<SecretHash> {
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, params);
  return { salt: salt.toString('base64'), hash: hash.toString('base64'), scrypt: { ...params } };
}

/** Constant-time comparison of `secret` with a stored hash. */
export async function secretMatches(secret: string, stored: SecretHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await derive(secret, Buffer.from(stored.salt, 'base64'), stored.scrypt);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
