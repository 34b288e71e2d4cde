/**
 * Data encryption keys for field encryption, unwrapped once and cached.
 *
 * Fetching and creating KEKs and DEKs is exactly the client's code: a Confluent
 * EncryptionExecutorTransform (built from the rule, like FieldEncryptionExecutor builds one) runs
 * its getOrCreateDek, which registers the KEK on first write, creates the DEK (wrapped by the KMS
 * named by the KEK) or reads it, rotates it when `encrypt.dek.expiry.days` says so, and unwraps
 * its key material through the KMS (our local KMS driver for `local-kms`). What we add is the
 * cache in front: a lookup is reused for the registry client's own TTL (cacheLatestTtlSecs), so a
 * deleted or rotated DEK is noticed as soon as the client would notice it, and the unwrapped AES
 * key (with its GHASH tables) is kept per key material, so the KMS is asked once per DEK.
 */
import { Cryptor, DekFormat, FieldEncryptionExecutor, RuleContext, RuleMode, type ClientConfig, type Rule, type SchemaInfo } from '@confluentinc/schemaregistry';
import type { EncryptionExecutor, EncryptionExecutorTransform } from '@confluentinc/schemaregistry';
import { fromBinary } from '@bufbuild/protobuf';
import { AesGcmKeySchema } from '@confluentinc/schemaregistry/dist/rules/encryption/tink/proto/aes_gcm_pb.js';
import { AesGcmKey } from './aes-gcm.ts';

/** What identifies one rule's DEKs: the rule and the subject it runs for. */
export interface DekScope {
  /** Fresh lookups of this scope by DEK version (-1: latest); filled by DekKeys. */
  lookups: Map<number, { expiresAt: number; key: DekKey }>;
  /** Lookups under way by DEK version: records that miss the cache together share one. */
  loading: Map<number, Promise<DekKey>>;
  rule: Rule;
  rules: Rule[];
  index: number;
  subject: string;
  topic: string;
  isKey: boolean;
  target: SchemaInfo;
}

export interface DekKey {
  /** The DEK version (prefixed to ciphertexts when DEKs rotate). */
  version: number;
  aes: AesGcmKey;
}

export class DekKeys {
  private readonly executor = new FieldEncryptionExecutor();
  private readonly keysByMaterial = new Map<string, AesGcmKey>();
  private readonly ttlMs: number;

  constructor(clientConfig: ClientConfig, ruleConfig: Record<string, string>) {
    this.executor.configure(clientConfig, new Map(Object.entries(ruleConfig)));
    this.ttlMs = (clientConfig.cacheLatestTtlSecs ?? 5) * 1000;
  }

  /**
   * Checks the rule's parameters the way the client does when it builds its transform
   * (kek name, DEK algorithm, expiry days) and returns the algorithm and rotation.
   * @throws the client's RuleError for a misconfigured rule.
   */
  describe(scope: DekScope, mode: RuleMode): { algorithm: DekFormat | undefined; rotated: boolean } {
    const transform = this.transform(scope, mode);
    const cryptor = (transform as unknown as { cryptor: Cryptor }).cryptor;
    return { algorithm: cryptor.dekFormat, rotated: transform.isDekRotated() };
  }

  /**
   * A cached key, if its lookup is still fresh. `version` is -1 for the latest (rotating writes).
   * A scope belongs to one plan, and a plan to one direction, so the mode is implied.
   */
  peek(scope: DekScope, version: number): DekKey | undefined {
    const entry = scope.lookups.get(version);
    return entry && entry.expiresAt > Date.now() ? entry.key : undefined;
  }

  load(scope: DekScope, mode: RuleMode, version: number | null): Promise<DekKey> {
    const slot = version ?? 1;
    let loading = scope.loading.get(slot);
    if (!loading) {
      loading = this.fetch(scope, mode, version).finally(() => scope.loading.delete(slot));
      scope.loading.set(slot, loading);
    }
    return loading;
  }

  private async fetch(scope: DekScope, mode: RuleMode, version: number | null): Promise<DekKey> {
    const transform = this.transform(scope, mode);
    const ctx = ruleContext(scope, mode);
    const dek = await transform.getOrCreateDek(ctx, version);
    const client = (this.executor as unknown as { executor: EncryptionExecutor & { client: { getDekKeyMaterialBytes(d: unknown): Promise<Buffer | null> } } }).executor.client;
    const material = await client.getDekKeyMaterialBytes(dek);
    if (!material) throw new Error(`DEK for KEK '${dek.kekName}' and subject '${dek.subject}' has no key material`);
    const materialKey = material.toString('base64');
    let aes = this.keysByMaterial.get(materialKey);
    if (!aes) {
      aes = new AesGcmKey(fromBinary(AesGcmKeySchema, material).keyValue);
      this.keysByMaterial.set(materialKey, aes);
    }
    const key = { version: dek.version ?? 1, aes };
    scope.lookups.set(version ?? 1, { expiresAt: Date.now() + this.ttlMs, key });
    return key;
  }

  async close(): Promise<void> {
    await this.executor.close();
  }

  private transform(scope: DekScope, mode: RuleMode): EncryptionExecutorTransform {
    return (this.executor as unknown as { executor: EncryptionExecutor }).executor.newTransform(ruleContext(scope, mode));
  }
}

function ruleContext(scope: DekScope, mode: RuleMode): RuleContext {
  return new RuleContext(scope.target.ruleSet?.enableAt, null, scope.target, scope.subject, scope.topic, scope.isKey, mode, scope.rule, scope.index, scope.rules, null, async (_c, _t, msg) => msg);
}

export { DekFormat };
