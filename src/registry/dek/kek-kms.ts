/**
 * The KMS access the DEK registry itself needs, only for *shared* KEKs: then the registry, not
 * the client, generates each DEK and stores it encrypted by the KEK, and hands the plaintext
 * key to clients that may use the KEK. Non-shared KEKs never reach this module.
 *
 * The embedded default is Confluent's `local-kms` (an AES key derived from a secret). The secret
 * comes from the registry's configuration or the SHIFTLEFT_LOCAL_KMS_SECRET environment
 * variable, never from code and never from the KEK itself (KEKs are readable by every client of
 * the API). Not from Confluent's LOCAL_SECRET either: the client library falls back to that
 * variable for every principal in the process, which would hand the key to all of them.
 */
import { Cryptor, DekFormat, LocalKmsDriver, type KmsClient } from '@confluentinc/schemaregistry';
import { ShiftleftError } from '../../common/errors.ts';
import type { Kek } from '../types.ts';

export const LOCAL_KMS_SECRET_ENV = 'SHIFTLEFT_LOCAL_KMS_SECRET';

export const DEK_ALGORITHMS = Object.values(DekFormat) as string[];

export interface KekKmsOptions {
  /** Secret for `local-kms` KEKs; defaults to the environment variable SHIFTLEFT_LOCAL_KMS_SECRET. */
  localKmsSecret?: string;
}

export class KekKms {
  constructor(private readonly options: KekKmsOptions = {}) {}

  private client(kek: Kek): KmsClient {
    if (kek.kmsType !== 'local-kms') {
      throw new ShiftleftError('UNSUPPORTED', `the registry cannot generate DEKs for shared KEK '${kek.name}' of KMS type '${kek.kmsType}'`, {
        hint: 'use a non-shared KEK (clients encrypt DEKs with their own KMS access) or kmsType local-kms',
      });
    }
    const secret = this.options.localKmsSecret ?? process.env[LOCAL_KMS_SECRET_ENV];
    if (!secret) {
      throw new ShiftleftError('INVALID_CONFIG', `no secret for local-kms KEK '${kek.name}'`, {
        hint: `set ${LOCAL_KMS_SECRET_ENV} in the environment of the platform`,
      });
    }
    return new LocalKmsDriver().newKmsClient(new Map([[LocalKmsDriver.SECRET, secret]]), `${LocalKmsDriver.PREFIX}${kek.kmsKeyId}`);
  }

  /** A new DEK for the algorithm, encrypted by the KEK; base64 as the REST API carries it. */
  async generateEncryptedDek(kek: Kek, algorithm: string): Promise<string> {
    const rawDek = new Cryptor(algorithm as DekFormat).generateKey();
    return (await this.client(kek).encrypt(rawDek)).toString('base64');
  }

  async decryptDek(kek: Kek, encryptedKeyMaterial: string): Promise<string> {
    return (await this.client(kek).decrypt(Buffer.from(encryptedKeyMaterial, 'base64'))).toString('base64');
  }
}
