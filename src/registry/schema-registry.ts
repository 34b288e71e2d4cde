/**
 * The schema registry: subjects, versions, global ids, references, data contracts (metadata +
 * rule sets) and compatibility, with Confluent Schema Registry's semantics; config and mode
 * live in RegistrySettings. State lives in RegistryState, durability in the `_schemas` topic; every change
 * runs inside `topic.exclusive`, so checks and the write they guard are one atomic step.
 */
import { randomUUID } from 'node:crypto';
import { ShiftleftError } from '../common/errors.ts';
import type { ParsedSchema, SchemaProvider } from '../formats/schema-provider.ts';
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import { findIncompatibilities } from './compatibility.ts';
import { versionFingerprint, type RegistryState, type StoredVersion } from './registry-state.ts';
import { validateRuleSet } from './rules/rule-set-validation.ts';
import { effectiveContract } from './rules/contract-inheritance.ts';
import { SchemaParsing, type SchemaProviders } from './schema-parsing.ts';
import type { SchemasTopic } from './store/schemas-topic.ts';
import type { StoreRecord } from './store/store-records.ts';
import type { VersionSpec } from './request-validation.ts';
import { DEFAULT_COMPATIBILITY, type RegistrySettings } from './registry-settings.ts';
import type { CompatibilityLevel, Metadata, Mode, RegistryConfig, SchemaInput, SubjectVersion } from './types.ts';

/** A provider that can print a schema in another format; undefined when it does not know the format. */
type FormattingProvider = SchemaProvider & { formatSchema?(parsed: ParsedSchema, format: string): string | undefined };

export interface RegisterOptions {
  normalize?: boolean;
}

export interface LookupOptions {
  normalize?: boolean;
  deleted?: boolean;
}

export interface ListOptions {
  deleted?: boolean;
  deletedOnly?: boolean;
}

export interface CompatibilityResult {
  isCompatible: boolean;
  messages: string[];
}

export class SchemaRegistry {
  readonly parsing: SchemaParsing;

  constructor(
    readonly state: RegistryState,
    private readonly topic: SchemasTopic,
    private readonly settings: RegistrySettings,
    providers: SchemaProviders,
    private readonly now: () => number = Date.now,
  ) {
    this.parsing = new SchemaParsing(state, providers);
  }

  // ---- register and look up ----

  async register(subject: string, input: SchemaInput, options: RegisterOptions = {}): Promise<SubjectVersion> {
    return this.topic.exclusive(async () => {
      const importing = this.checkRegistrationMode(subject, input);
      const config = this.effectiveConfig(subject);
      const parsed = this.parsing.parse(input.schemaType, input.schema, input.references);
      const live = this.state.versions(subject, false);
      const latest = live.at(-1);
      const contract = effectiveContract(
        { metadata: input.metadata, ruleSet: input.ruleSet },
        latest && { metadata: latest.metadata, ruleSet: latest.ruleSet },
        config,
      );
      // Defaults and overrides from the config join the rule set here: validate the result.
      validateRuleSet(contract.ruleSet);
      const schemaHashOfInput = schemaHash(input.schemaType, parsed, input.references);
      const fingerprint = versionFingerprint({ schemaHash: schemaHashOfInput, ...contract });

      // Registering what is already there answers with the existing version (idempotent).
      const same = live.filter((v) => versionFingerprint(v) === fingerprint).at(-1);
      if (same && (input.id === undefined || input.id === same.id) && (input.version === undefined || input.version === same.version)) {
        return same;
      }
      if (!importing) this.requireCompatible(subject, parsed, contract.metadata, live);

      const version = this.chooseVersion(subject, input.version);
      const id = this.chooseId(input.id, fingerprint);
      const stored: StoredVersion = {
        subject,
        version,
        id,
        guid: this.state.usesOf(id)[0]?.guid ?? randomUUID(),
        schema: (options.normalize ?? config.normalize ?? false) ? parsed.normalized() : input.schema,
        schemaType: input.schemaType,
        references: input.references,
        ...(contract.metadata && { metadata: contract.metadata }),
        ...(contract.ruleSet && { ruleSet: contract.ruleSet }),
        deleted: false,
        ts: this.now(),
        schemaHash: schemaHashOfInput,
      };
      await this.topic.append([{ key: { keytype: 'SCHEMA', subject, version }, value: stored }]);
      return this.state.version(subject, version)!;
    });
  }

  /** Refuses writes in read-only mode and explicit ids/versions outside IMPORT; true when importing. */
  private checkRegistrationMode(subject: string, input: SchemaInput): boolean {
    this.requireWritable(subject);
    if (this.effectiveMode(subject) === 'IMPORT') return true;
    // An explicit id is tolerated when it is the id the schema already has (clients re-sending it).
    const explicitIdIsNew = input.id !== undefined && this.state.usesOf(input.id).length === 0;
    if (input.version !== undefined || explicitIdIsNew) {
      throw new ShiftleftError('OPERATION_NOT_PERMITTED', `Subject ${subject} is not in import mode: a schema id or version cannot be given`, {
        hint: 'set the mode to IMPORT (PUT /mode/{subject}) to import schemas with their ids',
      });
    }
    return false;
  }

  private requireCompatible(subject: string, parsed: ParsedSchema, metadata: Metadata | undefined, live: StoredVersion[]): void {
    const messages = this.incompatibilities(subject, parsed, metadata, live);
    if (messages.length > 0) {
      throw new ShiftleftError(
        'INCOMPATIBLE_SCHEMA',
        `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${messages.join(', ')}]`,
        { details: { messages }, hint: 'make the change compatible (e.g. give new fields defaults), or change the compatibility level' },
      );
    }
  }

  private chooseId(requested: number | undefined, fingerprint: string): number {
    const existing = this.state.idFor(fingerprint);
    if (requested === undefined) return existing ?? this.state.nextId();
    const uses = this.state.usesOf(requested);
    if (uses.length > 0 && versionFingerprint(uses[0]!) !== fingerprint) {
      throw new ShiftleftError('OPERATION_NOT_PERMITTED', `Overwrite new schema with id ${requested} is not permitted.`, {
        hint: 'that id already belongs to a different schema',
      });
    }
    return requested;
  }

  private chooseVersion(subject: string, requested: number | undefined): number {
    const all = this.state.versions(subject, true);
    if (requested === undefined) return (all.at(-1)?.version ?? 0) + 1;
    if (this.state.version(subject, requested)) {
      throw new ShiftleftError('OPERATION_NOT_PERMITTED', `Overwrite new schema with version ${requested} of subject ${subject} is not permitted.`);
    }
    return requested;
  }

  /** `POST /subjects/{subject}`: the version of this subject holding this schema. */
  lookup(subject: string, input: SchemaInput, options: LookupOptions = {}): SubjectVersion {
    const versions = this.state.versions(subject, options.deleted ?? false);
    if (versions.length === 0) throw subjectNotFound(subject);
    const parsed = this.parsing.parse(input.schemaType, input.schema, input.references);
    const hash = schemaHash(input.schemaType, parsed, input.references);
    const match = versions.filter(
      (v) =>
        v.schemaHash === hash &&
        (input.metadata === undefined || canonicalJson(input.metadata) === canonicalJson(v.metadata)) &&
        (input.ruleSet === undefined || canonicalJson(input.ruleSet) === canonicalJson(v.ruleSet)),
    );
    const found = match.at(-1);
    if (!found) throw new ShiftleftError('SCHEMA_NOT_FOUND', `Schema not found under subject '${subject}'`);
    return found;
  }

  // ---- reads ----

  subjects(options: ListOptions & { subjectPrefix?: string } = {}): string[] {
    return this.state.subjectNames().filter((subject) => {
      if (options.subjectPrefix && !subject.startsWith(options.subjectPrefix)) return false;
      const live = this.state.versions(subject, false).length > 0;
      if (options.deletedOnly) return !live || this.state.versions(subject, true).some((v) => v.deleted);
      return live || options.deleted === true;
    });
  }

  versionNumbers(subject: string, options: ListOptions = {}): number[] {
    const all = this.state.versions(subject, true);
    const anyVisible = options.deleted || options.deletedOnly ? all.length > 0 : all.some((v) => !v.deleted);
    if (!anyVisible) throw subjectNotFound(subject);
    return all.filter((v) => (options.deletedOnly ? v.deleted : options.deleted || !v.deleted)).map((v) => v.version);
  }

  getVersion(subject: string, spec: VersionSpec, options: { deleted?: boolean } = {}): SubjectVersion {
    const includeDeleted = options.deleted ?? false;
    const versions = this.state.versions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const found = spec === 'latest' ? versions.at(-1) : versions.find((v) => v.version === spec);
    if (!found) throw versionNotFound(spec);
    return found;
  }

  /** The latest version whose metadata properties contain every wanted key=value. */
  latestWithMetadata(subject: string, wanted: Record<string, string>, deleted = false): SubjectVersion {
    const versions = this.state.versions(subject, deleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const match = versions.filter((v) => Object.entries(wanted).every(([key, value]) => v.metadata?.properties?.[key] === value)).at(-1);
    if (!match) throw new ShiftleftError('VERSION_NOT_FOUND', `No version of subject '${subject}' has metadata ${JSON.stringify(wanted)}`);
    return match;
  }

  /** `GET /schemas`: versions of every subject (or only the latest of each). */
  listSchemas(options: { subjectPrefix?: string; deleted?: boolean; latestOnly?: boolean } = {}): SubjectVersion[] {
    const subjects = this.subjects({ deleted: options.deleted ?? false, subjectPrefix: options.subjectPrefix ?? '' });
    return subjects.flatMap((subject) => {
      const versions = this.state.versions(subject, options.deleted ?? false);
      return options.latestOnly ? versions.slice(-1) : versions;
    });
  }

  /**
   * The version with its schema text in another `format` (Confluent's `?format=`, e.g.
   * `serialized` for Protobuf: a base64 FileDescriptorProto, which Confluent's Protobuf serdes
   * ask for). Providers opt in with a `formatSchema(parsed, format)` method; without one, or
   * without a format, the stored text is returned.
   */
  formatted(version: SubjectVersion, format: string | undefined): SubjectVersion {
    if (!format) return version;
    const provider = this.parsing.providers(version.schemaType) as FormattingProvider;
    if (typeof provider.formatSchema !== 'function') return version;
    const text = provider.formatSchema(this.parsing.parseStored(version), format);
    return text === undefined ? version : { ...version, schema: text };
  }

  /** The schema with a global id; soft-deleted versions still serve it (data may use it). */
  schemaById(id: number, subject?: string): SubjectVersion {
    const uses = this.state.usesOf(id);
    if (uses.length === 0) throw new ShiftleftError('SCHEMA_NOT_FOUND', `Schema ${id} not found`, { details: { id } });
    return (subject !== undefined && uses.find((v) => v.subject === subject)) || uses.find((v) => !v.deleted) || uses[0]!;
  }

  /** The schema with a GUID (Confluent 8 clients may carry the GUID instead of the id). */
  schemaByGuid(guid: string): SubjectVersion {
    const id = this.state.idOfGuidString(guid);
    if (id === undefined || this.state.usesOf(id).length === 0) {
      throw new ShiftleftError('SCHEMA_NOT_FOUND', `Schema ${guid} not found`, { details: { guid } });
    }
    return this.schemaById(id);
  }

  idVersions(id: number, options: { deleted?: boolean; subject?: string } = {}): { subject: string; version: number }[] {
    this.schemaById(id);
    return this.state
      .usesOf(id)
      .filter((v) => (options.deleted || !v.deleted) && (options.subject === undefined || v.subject === options.subject))
      .sort((a, b) => a.subject.localeCompare(b.subject) || a.version - b.version)
      .map((v) => ({ subject: v.subject, version: v.version }));
  }

  idSubjects(id: number, options: { deleted?: boolean; subject?: string } = {}): string[] {
    return [...new Set(this.idVersions(id, options).map((v) => v.subject))];
  }

  referencedBy(subject: string, spec: VersionSpec): number[] {
    const version = this.getVersion(subject, spec, { deleted: true });
    return this.state.referrers(subject, version.version).map((v) => v.id);
  }

  // ---- deletes ----

  async deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.topic.exclusive(async () => {
      this.requireWritable(subject);
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (!permanent && live.length === 0) {
        throw new ShiftleftError('SUBJECT_SOFT_DELETED', `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`);
      }
      if (permanent && live.length > 0) {
        throw new ShiftleftError('SUBJECT_NOT_SOFT_DELETED', `Subject '${subject}' was not deleted first before being permanently deleted`, {
          hint: 'delete it without permanent=true first (soft delete), then permanently',
        });
      }
      // Versions of this subject referencing each other go away together.
      for (const v of all) this.refuseIfReferenced(v, subject);
      const records: StoreRecord[] = permanent
        ? [
            ...all.map((v) => ({ key: { keytype: 'SCHEMA' as const, subject, version: v.version }, value: null })),
            { key: { keytype: 'CONFIG', subject }, value: null },
            { key: { keytype: 'MODE', subject }, value: null },
            this.idMark(),
          ]
        : live.map((v) => ({ key: { keytype: 'SCHEMA' as const, subject, version: v.version }, value: { ...v, deleted: true } }));
      await this.topic.append(records);
      return (permanent ? all : live).map((v) => v.version);
    });
  }

  async deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.topic.exclusive(async () => {
      this.requireWritable(subject);
      const all = this.state.versions(subject, true);
      if (all.length === 0 || (!permanent && all.every((v) => v.deleted))) throw subjectNotFound(subject);
      const target = spec === 'latest' ? (permanent ? all : all.filter((v) => !v.deleted)).at(-1) : all.find((v) => v.version === spec);
      if (!target) throw versionNotFound(spec);
      if (!permanent && target.deleted) {
        throw new ShiftleftError('SCHEMA_VERSION_SOFT_DELETED', `Subject '${subject}' Version ${target.version} was soft deleted. Set permanent=true to delete permanently`);
      }
      if (permanent && !target.deleted) {
        throw new ShiftleftError('SCHEMA_VERSION_NOT_SOFT_DELETED', `Subject '${subject}' Version ${target.version} was not deleted first before being permanently deleted`, {
          hint: 'delete the version without permanent=true first (soft delete), then permanently',
        });
      }
      this.refuseIfReferenced(target);
      const key = { keytype: 'SCHEMA' as const, subject, version: target.version };
      await this.topic.append(permanent ? [{ key, value: null }, this.idMark()] : [{ key, value: { ...target, deleted: true } }]);
      return target.version;
    });
  }

  /** Written with hard deletes: once compaction drops the deleted versions, ids still never go back. */
  private idMark(): StoreRecord {
    return { key: { keytype: 'SCHEMA_ID_MARK' }, value: { maxId: this.state.maxId() } };
  }

  /** REFERENCE_EXISTS when a live version (outside `deletedSubject`, if given) references this one. */
  private refuseIfReferenced(version: StoredVersion, deletedSubject?: string): void {
    const referrers = this.state.referrers(version.subject, version.version).filter((r) => r.subject !== deletedSubject);
    if (referrers.length > 0) {
      throw new ShiftleftError(
        'REFERENCE_EXISTS',
        `One or more references exist to the schema {subject=${version.subject},version=${version.version}}.`,
        { hint: 'delete the schemas that reference it first', details: { referencedBy: referrers.map((r) => r.id) } },
      );
    }
  }

  // ---- compatibility ----

  private incompatibilities(subject: string, parsed: ParsedSchema, metadata: Metadata | undefined, live: StoredVersion[]): string[] {
    const config = this.effectiveConfig(subject);
    const level = config.compatibilityLevel ?? DEFAULT_COMPATIBILITY;
    // With a compatibilityGroup, only versions in the same group (same value of that metadata
    // property) constrain the new one: this is how Confluent allows a deliberate breaking "v2".
    const group = config.compatibilityGroup;
    const inGroup = group === undefined ? live : live.filter((v) => v.metadata?.properties?.[group] === metadata?.properties?.[group]);
    const previous = inGroup.map((v) => ({ version: v.version, parsed: this.parsing.parseStored(v) }));
    return findIncompatibilities(this.parsing.providers(parsed.schemaType), level, parsed, previous);
  }

  /**
   * `POST /compatibility/subjects/{s}/versions[/{v}]`: with a version, against that version in
   * the level's direction(s); without one (`'all'`), against what the level compares with.
   */
  checkCompatibility(subject: string, spec: VersionSpec | 'all', input: SchemaInput): CompatibilityResult {
    const parsed = this.parsing.parse(input.schemaType, input.schema, input.references);
    const live = this.state.versions(subject, false);
    let against: StoredVersion[];
    if (spec === 'all' || spec === 'latest') {
      // Nothing registered yet: any schema is compatible with nothing.
      if (live.length === 0) return { isCompatible: true, messages: [] };
      against = spec === 'all' ? live : live.slice(-1);
    } else {
      if (live.length === 0) throw subjectNotFound(subject);
      const one = live.find((v) => v.version === spec);
      if (!one) throw versionNotFound(spec);
      against = [one];
    }
    const level = this.effectiveConfig(subject).compatibilityLevel ?? DEFAULT_COMPATIBILITY;
    // A named version is compared alone: transitivity only decides which versions are named.
    const effectiveLevel = spec === 'all' ? level : (level.replace('_TRANSITIVE', '') as CompatibilityLevel);
    const previous = against.map((v) => ({ version: v.version, parsed: this.parsing.parseStored(v) }));
    const messages = findIncompatibilities(this.parsing.providers(parsed.schemaType), effectiveLevel, parsed, previous);
    return { isCompatible: messages.length === 0, messages };
  }

  private requireWritable(subject: string): void {
    this.settings.requireWritable(subject);
  }

  private effectiveConfig(subject: string): RegistryConfig {
    return this.settings.effectiveConfig(subject);
  }

  private effectiveMode(subject: string): Mode {
    return this.settings.effectiveMode(subject);
  }
}

/** The identity of a schema for ids and lookups: its type, normalized text and references. */
function schemaHash(schemaType: string, parsed: ParsedSchema, references: SubjectVersion['references']): string {
  return sha256Hex(canonicalJson({ schemaType, schema: parsed.normalized(), references }));
}

function subjectNotFound(subject: string): ShiftleftError {
  return new ShiftleftError('SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`, { details: { subject } });
}

function versionNotFound(spec: VersionSpec): ShiftleftError {
  return new ShiftleftError('VERSION_NOT_FOUND', spec === 'latest' ? 'Version latest not found.' : `Version ${spec} not found.`, {
    details: { version: spec },
  });
}
