/**
 * The registry's settings, global and per subject: the compatibility configuration (level,
 * normalize, default/override metadata and rule sets, compatibility group) and the mode
 * (READWRITE, READONLY, READONLY_OVERRIDE, IMPORT). A subject without its own setting follows
 * the global one; the global one has Confluent's defaults (BACKWARD, READWRITE).
 */
import { ShiftleftError } from '../common/errors.ts';
import type { RegistryState } from './registry-state.ts';
import { parseCompatibilityLevel, parseMode, validateMetadata } from './request-validation.ts';
import { validateRuleSet } from './rules/rule-set-validation.ts';
import type { SchemasTopic } from './store/schemas-topic.ts';
import type { CompatibilityLevel, Mode, RegistryConfig } from './types.ts';

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';
export const DEFAULT_MODE: Mode = 'READWRITE';

export class RegistrySettings {
  constructor(
    private readonly state: RegistryState,
    private readonly topic: SchemasTopic,
  ) {}

  // ---- config ----

  /** Subject config over global config, field by field (what registration uses). */
  effectiveConfig(subject: string): RegistryConfig {
    return { compatibilityLevel: DEFAULT_COMPATIBILITY, ...this.state.config(null), ...this.state.config(subject) };
  }

  getConfig(subject: string | null, defaultToGlobal = false): RegistryConfig {
    if (subject === null) return { compatibilityLevel: DEFAULT_COMPATIBILITY, ...this.state.config(null) };
    const own = this.state.config(subject);
    if (own) return own;
    if (defaultToGlobal) return this.getConfig(null);
    throw new ShiftleftError('SUBJECT_CONFIG_NOT_FOUND', `Subject '${subject}' does not have subject-level compatibility configured`);
  }

  /** `PUT /config[/{subject}]`: fields given replace the stored ones, others are kept. */
  async setConfig(subject: string | null, update: Record<string, unknown>): Promise<RegistryConfig> {
    const change = parseConfigUpdate(update);
    return this.topic.exclusive(async () => {
      const merged: RegistryConfig = { ...this.state.config(subject), ...change };
      await this.topic.append([{ key: { keytype: 'CONFIG', subject }, value: merged }]);
      return change;
    });
  }

  async deleteConfig(subject: string | null): Promise<RegistryConfig> {
    return this.topic.exclusive(async () => {
      const previous = subject === null ? this.getConfig(null) : this.getConfig(subject);
      await this.topic.append([{ key: { keytype: 'CONFIG', subject }, value: null }]);
      return previous;
    });
  }

  // ---- mode ----

  effectiveMode(subject: string): Mode {
    return this.state.mode(subject) ?? this.state.mode(null) ?? DEFAULT_MODE;
  }

  getMode(subject: string | null, defaultToGlobal = false): Mode {
    if (subject === null) return this.state.mode(null) ?? DEFAULT_MODE;
    const own = this.state.mode(subject);
    if (own) return own;
    if (defaultToGlobal) return this.getMode(null);
    throw new ShiftleftError('SUBJECT_MODE_NOT_FOUND', `Subject '${subject}' does not have subject-level mode configured`);
  }

  async setMode(subject: string | null, rawMode: unknown, force = false): Promise<Mode> {
    const mode = parseMode(rawMode);
    return this.topic.exclusive(async () => {
      if (mode === 'IMPORT' && !force) {
        const inScope = subject === null ? this.state.subjectNames() : [subject];
        if (inScope.some((name) => this.state.versions(name, false).length > 0)) {
          throw new ShiftleftError('OPERATION_NOT_PERMITTED', 'Cannot import since found existing subjects', {
            hint: 'add force=true to switch to IMPORT mode anyway',
          });
        }
      }
      await this.topic.append([{ key: { keytype: 'MODE', subject }, value: { mode } }]);
      return mode;
    });
  }

  async deleteMode(subject: string | null): Promise<Mode> {
    return this.topic.exclusive(async () => {
      const previous = this.getMode(subject);
      await this.topic.append([{ key: { keytype: 'MODE', subject }, value: null }]);
      return previous;
    });
  }

  /** Throws OPERATION_NOT_PERMITTED when the subject's mode forbids writes. */
  requireWritable(subject: string): void {
    const mode = this.effectiveMode(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') {
      throw new ShiftleftError('OPERATION_NOT_PERMITTED', `Subject ${subject} is in read-only mode`);
    }
  }
}

const CONFIG_FIELDS = ['alias', 'normalize', 'compatibilityGroup', 'defaultMetadata', 'overrideMetadata', 'defaultRuleSet', 'overrideRuleSet'];

function parseConfigUpdate(update: Record<string, unknown>): RegistryConfig {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw new ShiftleftError('MALFORMED_REQUEST', 'the config body must be a JSON object');
  }
  const out: RegistryConfig = {};
  const level = update.compatibility ?? update.compatibilityLevel;
  if (level !== undefined && level !== null) out.compatibilityLevel = parseCompatibilityLevel(level);
  for (const field of CONFIG_FIELDS) {
    const value = update[field];
    if (value === undefined || value === null) continue;
    switch (field) {
      case 'normalize':
        if (typeof value !== 'boolean') throw new ShiftleftError('INVALID_CONFIG', 'normalize must be true or false');
        out.normalize = value;
        break;
      case 'alias':
      case 'compatibilityGroup':
        if (typeof value !== 'string') throw new ShiftleftError('INVALID_CONFIG', `${field} must be a string`);
        out[field] = value;
        break;
      case 'defaultMetadata':
      case 'overrideMetadata':
        out[field] = validateMetadata(value)!;
        break;
      case 'defaultRuleSet':
      case 'overrideRuleSet':
        out[field] = validateRuleSet(value)!;
        break;
    }
  }
  return out;
}
