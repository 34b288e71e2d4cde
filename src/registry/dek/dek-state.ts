/**
 * KEKs and DEKs in memory, rebuilt from `_schemas` KEK/DEK records (a null value is a hard
 * delete). Queries only; decisions live in DekRegistry.
 */
import type { StoreKey } from '../store/store-records.ts';
import type { Dek, Kek } from '../types.ts';

export class DekState {
  private readonly keks = new Map<string, Kek>();
  /** "kek\0subject\0algorithm" → version → DEK. */
  private readonly deks = new Map<string, Map<number, Dek>>();

  apply(key: StoreKey, value: unknown): void {
    if (key.keytype === 'KEK') {
      if (value === null) this.keks.delete(key.name);
      else this.keks.set(key.name, value as Kek);
    } else if (key.keytype === 'DEK') {
      const id = dekGroup(key.kekName, key.subject, key.algorithm);
      const versions = this.deks.get(id) ?? new Map<number, Dek>();
      if (value === null) versions.delete(key.version);
      else versions.set(key.version, value as Dek);
      if (versions.size === 0) this.deks.delete(id);
      else this.deks.set(id, versions);
    }
  }

  kek(name: string): Kek | undefined {
    return this.keks.get(name);
  }

  kekNames(): string[] {
    return [...this.keks.keys()].sort();
  }

  /** Versions of one DEK (kek, subject, algorithm), ascending, soft-deleted included. */
  dekVersions(kekName: string, subject: string, algorithm: string): Dek[] {
    return [...(this.deks.get(dekGroup(kekName, subject, algorithm))?.values() ?? [])].sort((a, b) => a.version - b.version);
  }

  /** Every DEK under a KEK, all subjects and algorithms. */
  deksOf(kekName: string): Dek[] {
    const out: Dek[] = [];
    for (const versions of this.deks.values()) {
      for (const dek of versions.values()) if (dek.kekName === kekName) out.push(dek);
    }
    return out;
  }
}

function dekGroup(kekName: string, subject: string, algorithm: string): string {
  return `${kekName}\0${subject}\0${algorithm}`;
}
