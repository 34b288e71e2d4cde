/**
 * The DEK registry (Confluent's `/dek-registry/v1`): KEKs name a key in a KMS; DEKs are data
 * keys per KEK + subject + algorithm, with versions, stored only encrypted by their KEK.
 * Soft delete hides a key (readable with deleted=true, restorable by undelete); a permanent
 * delete needs a soft delete first, as for schemas.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { SchemasTopic } from '../store/schemas-topic.ts';
import type { Dek, Kek } from '../types.ts';
import type { DekState } from './dek-state.ts';
import { DEK_ALGORITHMS, type KekKms } from './kek-kms.ts';

export const DEFAULT_DEK_ALGORITHM = 'AES256_GCM';

export interface KekInput {
  name: string;
  kmsType: string;
  kmsKeyId: string;
  kmsProps?: Record<string, string>;
  doc?: string;
  shared?: boolean;
}

export interface KekUpdate {
  kmsProps?: Record<string, string>;
  doc?: string;
  shared?: boolean;
}

export interface DekInput {
  subject: string;
  version?: number;
  algorithm?: string;
  encryptedKeyMaterial?: string;
}

/** A DEK as the API returns it: with the plaintext key when the registry holds the KEK. */
export type DekView = Dek & { keyMaterial?: string };

/** A DEK version in a path: a number >= 1, or -1 / 'latest'. */
export type DekVersionSpec = number | 'latest';

export class DekRegistry {
  constructor(
    readonly state: DekState,
    private readonly topic: SchemasTopic,
    private readonly kms: KekKms,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- KEKs ----

  /** KEK names; with `subjectPrefix`, only KEKs holding a DEK for a subject with that prefix. */
  listKeks(options: { deleted?: boolean; subjectPrefix?: string } = {}): string[] {
    const prefix = options.subjectPrefix;
    return this.state.kekNames().filter((name) => {
      const kek = this.state.kek(name)!;
      if (kek.deleted && !options.deleted) return false;
      return !prefix || this.state.deksOf(name).some((dek) => dek.subject.startsWith(prefix) && (options.deleted || !dek.deleted));
    });
  }

  getKek(name: string, deleted = false): Kek {
    const kek = this.state.kek(name);
    if (!kek || (kek.deleted && !deleted)) throw kekNotFound(name);
    return kek;
  }

  async createKek(input: KekInput): Promise<Kek> {
    const kek = validateKekInput(input);
    return this.topic.exclusive(async () => {
      const existing = this.state.kek(kek.name);
      if (existing) {
        if (!existing.deleted && sameKek(existing, kek)) return existing;
        throw new ShiftleftError('KEK_ALREADY_EXISTS', `Key '${kek.name}' already exists${existing.deleted ? ' (soft-deleted; undelete it)' : ''}`);
      }
      const stored: Kek = { ...kek, ts: this.now(), deleted: false };
      await this.topic.append([{ key: { keytype: 'KEK', name: kek.name }, value: stored }]);
      return this.state.kek(kek.name)!;
    });
  }

  async updateKek(name: string, update: KekUpdate): Promise<Kek> {
    return this.topic.exclusive(async () => {
      const kek = this.getKek(name);
      const next: Kek = {
        ...kek,
        ...(update.kmsProps !== undefined && { kmsProps: validateProps(update.kmsProps) }),
        ...(update.doc !== undefined && { doc: String(update.doc) }),
        ...(update.shared !== undefined && { shared: Boolean(update.shared) }),
        ts: this.now(),
      };
      await this.topic.append([{ key: { keytype: 'KEK', name }, value: next }]);
      return this.state.kek(name)!;
    });
  }

  async deleteKek(name: string, permanent: boolean): Promise<void> {
    await this.topic.exclusive(async () => {
      const kek = this.state.kek(name);
      if (!kek) throw kekNotFound(name);
      const deks = this.state.deksOf(name);
      if (!permanent) {
        if (kek.deleted) throw kekNotFound(name);
        if (deks.some((dek) => !dek.deleted)) {
          throw new ShiftleftError('KEK_IN_USE', `Key '${name}' is still used by DEKs that are not deleted`, {
            hint: 'delete its DEKs first',
          });
        }
        await this.topic.append([{ key: { keytype: 'KEK', name }, value: { ...kek, deleted: true, ts: this.now() } }]);
        return;
      }
      if (!kek.deleted) {
        throw new ShiftleftError('KEK_NOT_SOFT_DELETED', `Key '${name}' was not deleted first before being permanently deleted`, {
          hint: 'delete it without permanent=true first',
        });
      }
      if (deks.length > 0) {
        throw new ShiftleftError('KEK_IN_USE', `Key '${name}' still has DEKs; delete them permanently first`);
      }
      await this.topic.append([{ key: { keytype: 'KEK', name }, value: null }]);
    });
  }

  async undeleteKek(name: string): Promise<void> {
    await this.topic.exclusive(async () => {
      const kek = this.state.kek(name);
      if (!kek) throw kekNotFound(name);
      if (!kek.deleted) throw new ShiftleftError('KEK_NOT_SOFT_DELETED', `Key '${name}' is not soft-deleted`);
      await this.topic.append([{ key: { keytype: 'KEK', name }, value: { ...kek, deleted: false, ts: this.now() } }]);
    });
  }

  // ---- DEKs ----

  listDekSubjects(kekName: string, options: { deleted?: boolean } = {}): string[] {
    this.getKek(kekName, options.deleted);
    const subjects = this.state.deksOf(kekName).filter((d) => options.deleted || !d.deleted).map((d) => d.subject);
    return [...new Set(subjects)].sort();
  }

  listDekVersions(kekName: string, subject: string, algorithm = DEFAULT_DEK_ALGORITHM, deleted = false): number[] {
    this.getKek(kekName, deleted);
    const versions = this.state.dekVersions(kekName, subject, validateAlgorithm(algorithm)).filter((d) => deleted || !d.deleted);
    if (versions.length === 0) throw dekNotFound(kekName, subject);
    return versions.map((d) => d.version);
  }

  async getDek(kekName: string, subject: string, spec: DekVersionSpec, algorithm = DEFAULT_DEK_ALGORITHM, deleted = false): Promise<DekView> {
    const kek = this.getKek(kekName, deleted);
    const dek = this.findDek(kekName, subject, spec, validateAlgorithm(algorithm), deleted);
    return this.view(kek, dek);
  }

  private findDek(kekName: string, subject: string, spec: DekVersionSpec, algorithm: string, deleted: boolean): Dek {
    const versions = this.state.dekVersions(kekName, subject, algorithm).filter((d) => deleted || !d.deleted);
    const dek = spec === 'latest' ? versions.at(-1) : versions.find((d) => d.version === spec);
    if (!dek) throw dekNotFound(kekName, subject, spec);
    return dek;
  }

  async createDek(kekName: string, input: DekInput): Promise<DekView> {
    const algorithm = validateAlgorithm(input.algorithm ?? DEFAULT_DEK_ALGORITHM);
    const version = input.version ?? 1;
    if (!Number.isInteger(version) || version < 1) throw new ShiftleftError('INVALID_KEY', `Invalid DEK version '${String(input.version)}'`);
    if (typeof input.subject !== 'string' || input.subject.length === 0) throw new ShiftleftError('INVALID_KEY', 'a DEK needs a subject');
    return this.topic.exclusive(async () => {
      const kek = this.getKek(kekName, true);
      if (kek.deleted) throw new ShiftleftError('KEK_SOFT_DELETED', `Key '${kekName}' must be undeleted first`);
      const existing = this.state.dekVersions(kekName, input.subject, algorithm).find((d) => d.version === version);
      if (existing) {
        throw new ShiftleftError('DEK_ALREADY_EXISTS', `Key '${kekName}' already has DEK version ${version} for subject '${input.subject}' and algorithm ${algorithm}`, {
          hint: existing.deleted ? 'the DEK is soft-deleted: undelete it' : 'read the existing DEK instead',
        });
      }
      let encryptedKeyMaterial = input.encryptedKeyMaterial;
      if (encryptedKeyMaterial === undefined || encryptedKeyMaterial === '') {
        if (!kek.shared) {
          throw new ShiftleftError('INVALID_KEY', `KEK '${kekName}' is not shared: the client must supply encryptedKeyMaterial`, {
            hint: 'encrypt a new DEK with the KEK in your KMS, or create the KEK with shared=true',
          });
        }
        encryptedKeyMaterial = await this.kms.generateEncryptedDek(kek, algorithm);
      } else if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encryptedKeyMaterial)) {
        throw new ShiftleftError('INVALID_KEY', 'encryptedKeyMaterial must be base64');
      }
      const dek: Dek = { kekName, subject: input.subject, version, algorithm, encryptedKeyMaterial, ts: this.now(), deleted: false };
      await this.topic.append([{ key: { keytype: 'DEK', kekName, subject: input.subject, algorithm, version }, value: dek }]);
      return this.view(kek, dek);
    });
  }

  /** Deletes one version (or all versions when `spec` is undefined) of a subject's DEK for one algorithm (default AES256_GCM). */
  async deleteDek(kekName: string, subject: string, spec: DekVersionSpec | undefined, algorithm: string | undefined, permanent: boolean): Promise<void> {
    await this.topic.exclusive(async () => {
      this.getKek(kekName, true);
      const all = this.state.dekVersions(kekName, subject, validateAlgorithm(algorithm ?? DEFAULT_DEK_ALGORITHM));
      const targets = spec === undefined ? all : [this.pick(all, kekName, subject, spec, permanent)];
      if (targets.length === 0) throw dekNotFound(kekName, subject);
      if (!permanent) {
        const live = targets.filter((d) => !d.deleted);
        if (live.length === 0) throw dekNotFound(kekName, subject, spec);
        await this.topic.append(live.map((d) => ({ key: dekKey(d), value: { ...d, deleted: true, ts: this.now() } })));
        return;
      }
      if (targets.some((d) => !d.deleted)) {
        throw new ShiftleftError('DEK_NOT_SOFT_DELETED', `DEK for subject '${subject}' under key '${kekName}' was not deleted first before being permanently deleted`);
      }
      await this.topic.append(targets.map((d) => ({ key: dekKey(d), value: null })));
    });
  }

  async undeleteDek(kekName: string, subject: string, spec: DekVersionSpec | undefined, algorithm: string | undefined): Promise<void> {
    await this.topic.exclusive(async () => {
      const kek = this.getKek(kekName, true);
      if (kek.deleted) throw new ShiftleftError('KEK_SOFT_DELETED', `Key '${kekName}' is soft-deleted: undelete the KEK first`);
      const all = this.state.dekVersions(kekName, subject, validateAlgorithm(algorithm ?? DEFAULT_DEK_ALGORITHM));
      const targets = (spec === undefined ? all : [this.pick(all, kekName, subject, spec, true)]).filter((d) => d.deleted);
      if (targets.length === 0) throw dekNotFound(kekName, subject, spec);
      await this.topic.append(targets.map((d) => ({ key: dekKey(d), value: { ...d, deleted: false, ts: this.now() } })));
    });
  }

  private pick(all: Dek[], kekName: string, subject: string, spec: DekVersionSpec, includeDeleted: boolean): Dek {
    const candidates = all.filter((d) => includeDeleted || !d.deleted).sort((a, b) => a.version - b.version);
    const dek = spec === 'latest' ? candidates.at(-1) : candidates.find((d) => d.version === spec);
    if (!dek) throw dekNotFound(kekName, subject, spec);
    return dek;
  }

  private async view(kek: Kek, dek: Dek): Promise<DekView> {
    if (!kek.shared) return dek;
    return { ...dek, keyMaterial: await this.kms.decryptDek(kek, dek.encryptedKeyMaterial) };
  }
}

/** A DEK creation body as clients send it; INVALID_KEY names the bad field. */
export function parseDekInput(body: Record<string, unknown>): DekInput {
  const { subject, version, algorithm, encryptedKeyMaterial } = body;
  if (typeof subject !== 'string') throw new ShiftleftError('INVALID_KEY', 'a DEK needs a subject');
  if (version !== undefined && version !== null && typeof version !== 'number') throw new ShiftleftError('INVALID_KEY', 'DEK version must be a number');
  if (algorithm !== undefined && algorithm !== null && typeof algorithm !== 'string') throw new ShiftleftError('INVALID_KEY', 'DEK algorithm must be a string');
  if (encryptedKeyMaterial !== undefined && encryptedKeyMaterial !== null && typeof encryptedKeyMaterial !== 'string') {
    throw new ShiftleftError('INVALID_KEY', 'encryptedKeyMaterial must be a base64 string');
  }
  return {
    subject,
    ...(typeof version === 'number' && { version }),
    ...(typeof algorithm === 'string' && { algorithm }),
    ...(typeof encryptedKeyMaterial === 'string' && { encryptedKeyMaterial }),
  };
}

function dekKey(dek: Dek) {
  return { keytype: 'DEK' as const, kekName: dek.kekName, subject: dek.subject, algorithm: dek.algorithm, version: dek.version };
}

function validateAlgorithm(algorithm: string): string {
  if (!DEK_ALGORITHMS.includes(algorithm)) {
    throw new ShiftleftError('INVALID_KEY', `Unknown DEK algorithm '${algorithm}'; supported: ${DEK_ALGORITHMS.join(', ')}`);
  }
  return algorithm;
}

function validateProps(props: unknown): Record<string, string> {
  if (typeof props !== 'object' || props === null || Array.isArray(props) || Object.values(props).some((v) => typeof v !== 'string')) {
    throw new ShiftleftError('INVALID_KEY', 'kmsProps must be an object of string values');
  }
  return props as Record<string, string>;
}

function validateKekInput(input: KekInput): Omit<Kek, 'ts' | 'deleted'> {
  if (typeof input !== 'object' || input === null) throw new ShiftleftError('MALFORMED_REQUEST', 'the KEK body must be a JSON object');
  for (const field of ['name', 'kmsType', 'kmsKeyId'] as const) {
    if (typeof input[field] !== 'string' || input[field].length === 0) {
      throw new ShiftleftError('INVALID_KEY', `a KEK needs a non-empty '${field}'`);
    }
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(input.name)) throw new ShiftleftError('INVALID_KEY', `Invalid KEK name '${input.name}': use letters, digits, '_', '.' and '-'`);
  return {
    name: input.name,
    kmsType: input.kmsType,
    kmsKeyId: input.kmsKeyId,
    kmsProps: input.kmsProps === undefined || input.kmsProps === null ? {} : validateProps(input.kmsProps),
    ...(input.doc !== undefined && input.doc !== null && { doc: String(input.doc) }),
    shared: input.shared === true,
  };
}

function sameKek(a: Omit<Kek, 'ts' | 'deleted'>, b: Omit<Kek, 'ts' | 'deleted'>): boolean {
  return a.kmsType === b.kmsType && a.kmsKeyId === b.kmsKeyId && a.shared === b.shared && JSON.stringify(a.kmsProps) === JSON.stringify(b.kmsProps) && a.doc === b.doc;
}

function kekNotFound(name: string): ShiftleftError {
  return new ShiftleftError('KEK_NOT_FOUND', `Key '${name}' not found`, { details: { kek: name } });
}

function dekNotFound(kekName: string, subject: string, spec?: DekVersionSpec): ShiftleftError {
  const version = spec === undefined ? '' : ` version ${spec}`;
  return new ShiftleftError('DEK_NOT_FOUND', `Key for kek '${kekName}' and subject '${subject}'${version} not found`, {
    details: { kek: kekName, subject },
  });
}
