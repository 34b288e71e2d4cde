/**
 * The schema registry's state in memory, rebuilt from `_schemas` records and changed only by
 * applying records (the same path at replay and after each acknowledged write). Everything
 * here is a query or an `apply`; decisions live in SchemaRegistry.
 */
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import type { StoreKey } from './store/store-records.ts';
import type { Association, Mode, RegistryConfig, SubjectVersion } from './types.ts';

/** A stored version plus the hash of its schema identity (type, normalized text, references). */
export interface StoredVersion extends SubjectVersion {
  schemaHash: string;
}

type FingerprintParts = Pick<StoredVersion, 'schemaHash' | 'metadata' | 'ruleSet'>;

// Stored versions are immutable objects: their fingerprints are computed once.
const fingerprints = new WeakMap<FingerprintParts, string>();

/** The identity that gets one global id: the schema plus its contract (as Confluent). */
export function versionFingerprint(version: FingerprintParts): string {
  let fingerprint = fingerprints.get(version);
  if (fingerprint === undefined) {
    fingerprint = sha256Hex(canonicalJson({ schema: version.schemaHash, metadata: version.metadata ?? null, ruleSet: version.ruleSet ?? null }));
    fingerprints.set(version, fingerprint);
  }
  return fingerprint;
}

export function associationKey(resourceId: string, associationType: string): StoreKey {
  return { keytype: 'ASSOCIATION', resourceId, associationType };
}

export class RegistryState {
  /** subject → version number → version (soft-deleted ones included). */
  private readonly subjects = new Map<string, Map<number, StoredVersion>>();
  /** id → the versions using it, as "subject\0version". */
  private readonly usesOfId = new Map<number, Map<string, StoredVersion>>();
  private readonly idOfFingerprint = new Map<string, number>();
  private readonly idOfGuid = new Map<string, number>();
  private readonly configs = new Map<string, RegistryConfig>();
  private readonly modes = new Map<string, Mode>();
  private globalConfig: RegistryConfig | undefined;
  private globalMode: Mode | undefined;
  private readonly associations = new Map<string, Association>();
  private highestId = 0;

  apply(key: StoreKey, value: unknown): void {
    switch (key.keytype) {
      case 'SCHEMA':
        return this.applyVersion(key.subject, key.version, value as StoredVersion | null);
      case 'CONFIG':
        if (key.subject === null) this.globalConfig = (value as RegistryConfig | null) ?? undefined;
        else if (value === null) this.configs.delete(key.subject);
        else this.configs.set(key.subject, value as RegistryConfig);
        return;
      case 'MODE': {
        const mode = value === null ? undefined : (value as { mode: Mode }).mode;
        if (key.subject === null) this.globalMode = mode;
        else if (mode === undefined) this.modes.delete(key.subject);
        else this.modes.set(key.subject, mode);
        return;
      }
      case 'SCHEMA_ID_MARK':
        if (value !== null) this.highestId = Math.max(this.highestId, (value as { maxId: number }).maxId);
        return;
      case 'ASSOCIATION': {
        const id = `${key.resourceId}\0${key.associationType}`;
        if (value === null) this.associations.delete(id);
        else this.associations.set(id, value as Association);
        return;
      }
      default:
        return;
    }
  }

  private applyVersion(subject: string, versionNumber: number, value: StoredVersion | null): void {
    const versions = this.subjects.get(subject) ?? new Map<number, StoredVersion>();
    const use = `${subject}\0${versionNumber}`;
    const previous = versions.get(versionNumber);
    if (previous) this.usesOfId.get(previous.id)?.delete(use);
    if (value === null) {
      versions.delete(versionNumber);
      if (versions.size === 0) this.subjects.delete(subject);
      return;
    }
    versions.set(versionNumber, value);
    this.subjects.set(subject, versions);
    const uses = this.usesOfId.get(value.id) ?? new Map<string, StoredVersion>();
    uses.set(use, value);
    this.usesOfId.set(value.id, uses);
    this.idOfFingerprint.set(versionFingerprint(value), value.id);
    if (value.guid) this.idOfGuid.set(value.guid, value.id);
    this.highestId = Math.max(this.highestId, value.id);
  }

  /** Versions of a subject in ascending order; soft-deleted ones only when asked. */
  versions(subject: string, includeDeleted: boolean): StoredVersion[] {
    const versions = [...(this.subjects.get(subject)?.values() ?? [])].filter((v) => includeDeleted || !v.deleted);
    return versions.sort((a, b) => a.version - b.version);
  }

  version(subject: string, version: number): StoredVersion | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  /** True when the subject has any stored version, soft-deleted or not. */
  hasSubject(subject: string): boolean {
    return this.subjects.has(subject);
  }

  subjectNames(): string[] {
    return [...this.subjects.keys()].sort();
  }

  /** Every version (of any subject) using an id; soft-deleted ones included. */
  usesOf(id: number): StoredVersion[] {
    return [...(this.usesOfId.get(id)?.values() ?? [])];
  }

  idFor(fingerprint: string): number | undefined {
    const id = this.idOfFingerprint.get(fingerprint);
    // An id whose every version was hard-deleted is free for its schema to take again.
    return id !== undefined && this.usesOf(id).length > 0 ? id : undefined;
  }

  idOfGuidString(guid: string): number | undefined {
    return this.idOfGuid.get(guid.toLowerCase());
  }

  nextId(): number {
    return this.highestId + 1;
  }

  /** The highest id ever assigned (hard-deleted ones included). */
  maxId(): number {
    return this.highestId;
  }

  /** Non-deleted versions whose references point at subject/version. */
  referrers(subject: string, version: number): StoredVersion[] {
    const out: StoredVersion[] = [];
    for (const versions of this.subjects.values()) {
      for (const v of versions.values()) {
        if (!v.deleted && v.references.some((r) => r.subject === subject && r.version === version)) out.push(v);
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }

  config(subject: string | null): RegistryConfig | undefined {
    return subject === null ? this.globalConfig : this.configs.get(subject);
  }

  mode(subject: string | null): Mode | undefined {
    return subject === null ? this.globalMode : this.modes.get(subject);
  }

  associationsOf(resourceName: string, resourceNamespace: string): Association[] {
    return [...this.associations.values()].filter(
      (a) => a.resourceName === resourceName && (resourceNamespace === '-' || a.resourceNamespace === resourceNamespace),
    );
  }

  associationsById(resourceId: string): Association[] {
    return [...this.associations.values()].filter((a) => a.resourceId === resourceId);
  }

  associationsOfSubject(subject: string): Association[] {
    return [...this.associations.values()].filter((a) => a.subject === subject);
  }
}
