/**
 * The API keys of a platform, in the compacted internal topic `_api_keys` (one record per key,
 * key = the API key id, null = deleted), rebuilt at open with src/log/replay.ts. A record holds
 * the key's description, admin flag and KEK grants, and a salted scrypt hash of its secret,
 * never the secret; each record is signed (signing-secret.ts) so that nobody who merely can
 * write to the log can add a key. One writer per data directory (its owner), so memory is the
 * truth once the log has acknowledged a write.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ShiftleftError } from '../../common/errors.ts';
import type { LogClient } from '../../log/log-client.ts';
import { replayPartition } from '../../log/replay.ts';
import { API_KEY_PATTERN, hashSecret, newApiKeyId, newApiSecret, secretMatches, type ScryptParams, type SecretHash } from './api-key-secrets.ts';
import type { Principal } from './principal.ts';

export const API_KEYS_TOPIC = '_api_keys';

export type ApiKeysLogClient = Pick<LogClient, 'createTopic' | 'produce' | 'fetch' | 'listOffsets'>;

/** What anyone may see of a key (lists, the admin API): no secret, no hash. */
export interface ApiKeyInfo {
  key: string;
  description: string;
  admin: boolean;
  kekGrants: string[];
  createdAt: string;
}

interface StoredApiKey extends ApiKeyInfo {
  secret: SecretHash;
  /** HMAC-SHA256 of the other fields under the signing secret, base64. */
  mac: string;
}

export interface ApiKeyRequest {
  description?: string;
  admin?: boolean;
  kekGrants?: string[];
}

/** A key just created: the only moment its secret exists outside the caller's hands. */
export interface CreatedApiKey extends ApiKeyInfo {
  secret: string;
}

export interface ApiKeyStoreOptions {
  signingSecret: string;
  /** scrypt cost of new hashes (tests may lower it). */
  scrypt?: ScryptParams;
}

const MAX_DESCRIPTION = 256;
const MAX_CACHED = 10_000;

export class ApiKeyStore {
  private readonly keys = new Map<string, StoredApiKey>();
  /** sha256(key, secret) of verified pairs → the hash they matched, so a request costs no scrypt. */
  private readonly verified = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Records ignored at replay (unsigned or badly signed), as messages worth printing. */
  readonly warnings: string[] = [];

  private constructor(
    private readonly log: ApiKeysLogClient,
    private readonly topic: string,
    private readonly options: ApiKeyStoreOptions,
  ) {}

  static async open(log: ApiKeysLogClient, options: ApiKeyStoreOptions, topic = API_KEYS_TOPIC): Promise<ApiKeyStore> {
    const description = await log.createTopic(topic, { partitions: 1, config: { 'cleanup.policy': 'compact', 'retention.ms': -1 }, ifNotExists: true });
    if (description.config['cleanup.policy'] !== 'compact' || description.partitions.length !== 1) {
      throw new ShiftleftError('INVALID_TOPIC_CONFIG', `topic ${topic} must have cleanup.policy=compact and 1 partition`, {
        hint: "fix the topic's configuration (or recreate it) before starting access control",
        details: { topic },
      });
    }
    const store = new ApiKeyStore(log, topic, options);
    let ignored = 0;
    await replayPartition(log, { topic, partition: 0 }, (record) => {
      if (record.key === null) return;
      const key = record.key.toString('utf8');
      if (record.value === null) {
        store.keys.delete(key);
        return;
      }
      const stored = store.parse(key, record.value);
      if (stored) store.keys.set(key, stored);
      else ignored++;
    });
    if (ignored > 0) {
      store.warnings.push(
        `ignored ${ignored} record(s) of ${topic} that are not signed with this data directory's API key signing secret ` +
          '(written by something other than shiftleft, or by a platform with another SHIFTLEFT_API_KEY_SIGNING_SECRET)',
      );
    }
    return store;
  }

  list(): ApiKeyInfo[] {
    return [...this.keys.values()].map(publicInfo).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
  }

  get(key: string): ApiKeyInfo | undefined {
    const stored = this.keys.get(key);
    return stored && publicInfo(stored);
  }

  hasAdmin(): boolean {
    return [...this.keys.values()].some((k) => k.admin);
  }

  create(request: ApiKeyRequest): Promise<CreatedApiKey> {
    const { description, admin, kekGrants } = validateRequest(request);
    return this.exclusive(async () => {
      let key = newApiKeyId();
      while (this.keys.has(key)) key = newApiKeyId();
      const secret = newApiSecret();
      const unsigned = { key, description, admin, kekGrants, createdAt: new Date().toISOString(), secret: await hashSecret(secret, this.options.scrypt) };
      const stored: StoredApiKey = { ...unsigned, mac: this.sign(unsigned) };
      await this.log.produce(this.topic, [{ key: Buffer.from(key), value: Buffer.from(JSON.stringify(stored)), partition: 0 }]);
      this.keys.set(key, stored);
      return { ...publicInfo(stored), secret };
    });
  }

  delete(key: string): Promise<void> {
    return this.exclusive(async () => {
      if (!this.keys.has(key)) throw unknownKey(key);
      await this.log.produce(this.topic, [{ key: Buffer.from(key), value: null, partition: 0 }]);
      this.keys.delete(key);
      for (const [digest, hash] of this.verified) if (hash.startsWith(`${key}/`)) this.verified.delete(digest);
    });
  }

  /** The principal of a key and secret, or undefined when the key is unknown or the secret wrong. */
  async authenticate(key: string, secret: string): Promise<Principal | undefined> {
    const stored = this.keys.get(key);
    if (!stored) {
      // As slow as a wrong secret, so timing does not tell which key ids exist.
      await secretMatches(secret, await this.decoyHash());
      return undefined;
    }
    const digest = createHash('sha256').update(key).update('\0').update(secret).digest('base64');
    const marker = `${key}/${stored.secret.hash}`;
    if (this.verified.get(digest) !== marker) {
      if (!(await secretMatches(secret, stored.secret))) return undefined;
      // Deleted (or replaced) while scrypt ran: the key no longer lets anyone in.
      if (this.keys.get(key) !== stored) return undefined;
      if (this.verified.size >= MAX_CACHED) this.verified.clear();
      this.verified.set(digest, marker);
    }
    return { kind: 'api-key', key, admin: stored.admin, kekGrants: new Set(stored.kekGrants) };
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.verified.clear();
  }

  private decoy: Promise<SecretHash> | undefined;

  private decoyHash(): Promise<SecretHash> {
    this.decoy ??= hashSecret(newApiSecret(), this.options.scrypt);
    return this.decoy;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private sign(record: Omit<StoredApiKey, 'mac'>): string {
    // A fixed field order, so the same record always has the same signature.
    const canonical = JSON.stringify([
      record.key,
      record.description,
      record.admin,
      record.kekGrants,
      record.createdAt,
      record.secret.salt,
      record.secret.hash,
      record.secret.scrypt.N,
      record.secret.scrypt.r,
      record.secret.scrypt.p,
    ]);
    return createHmac('sha256', this.options.signingSecret).update(canonical).digest('base64');
  }

  /** A replayed record, if it is well-formed and signed by us. */
  private parse(key: string, value: Buffer): StoredApiKey | undefined {
    let raw: Partial<StoredApiKey>;
    try {
      raw = JSON.parse(value.toString('utf8')) as Partial<StoredApiKey>;
    } catch {
      return undefined;
    }
    const s = raw.secret;
    const wellFormed =
      raw.key === key &&
      typeof raw.description === 'string' &&
      typeof raw.admin === 'boolean' &&
      Array.isArray(raw.kekGrants) &&
      raw.kekGrants.every((g) => typeof g === 'string') &&
      typeof raw.createdAt === 'string' &&
      typeof raw.mac === 'string' &&
      typeof s === 'object' &&
      s !== null &&
      typeof s.salt === 'string' &&
      typeof s.hash === 'string' &&
      typeof s.scrypt === 'object' &&
      [s.scrypt?.N, s.scrypt?.r, s.scrypt?.p].every((n) => Number.isSafeInteger(n) && (n as number) > 0);
    if (!wellFormed) return undefined;
    const record = raw as StoredApiKey;
    const expected = Buffer.from(this.sign(record), 'base64');
    const actual = Buffer.from(record.mac, 'base64');
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? record : undefined;
  }
}

function publicInfo(stored: StoredApiKey): ApiKeyInfo {
  return { key: stored.key, description: stored.description, admin: stored.admin, kekGrants: [...stored.kekGrants], createdAt: stored.createdAt };
}

export function unknownKey(key: string): ShiftleftError {
  return new ShiftleftError('NOT_FOUND', `API key ${key} does not exist`, {
    hint: 'list the keys with `shiftleft apikey list`',
    details: { key },
  });
}

/** Checks an API key id's shape before looking it up (a secret pasted by mistake is not echoed). */
export function validateApiKeyId(key: string): string {
  if (!API_KEY_PATTERN.test(key)) {
    throw new ShiftleftError('INVALID_ARGUMENT', 'not an API key id: ids are 16 upper-case letters and digits', {
      hint: 'list the keys with `shiftleft apikey list`',
    });
  }
  return key;
}

function validateRequest(request: ApiKeyRequest): Required<ApiKeyRequest> {
  const description = request.description ?? '';
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION || /[\p{Cc}]/u.test(description)) {
    throw new ShiftleftError('INVALID_ARGUMENT', `an API key description must be text of at most ${MAX_DESCRIPTION} characters without control characters`);
  }
  const admin = request.admin ?? false;
  if (typeof admin !== 'boolean') throw new ShiftleftError('INVALID_ARGUMENT', "'admin' must be true or false");
  const grants = request.kekGrants ?? [];
  if (!Array.isArray(grants) || grants.some((g) => typeof g !== 'string' || g.trim() === '' || g !== g.trim() || /[\p{Cc}]/u.test(g))) {
    throw new ShiftleftError('INVALID_ARGUMENT', 'KEK grants must be KEK names: non-empty, without surrounding spaces or control characters', {
      hint: 'list the KEKs with `curl REGISTRY_URL/dek-registry/v1/keks`',
    });
  }
  return { description, admin, kekGrants: [...new Set(grants)] };
}
