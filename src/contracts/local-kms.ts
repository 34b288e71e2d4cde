/**
 * The embedded KMS: Confluent's `local-kms` (an AES key derived from a secret), made safe for
 * several principals in one process.
 *
 * Confluent's client caches KMS clients process-wide by key URL: once one serde with the secret
 * has touched `local-kms://CSFLE_Key`, every other serde in the process would reuse that client
 * and decrypt, whatever its own configuration says. The platform serves several principals
 * (the payments producer holds the key; portal users may not), so our driver hands out clients
 * that never match a cache lookup: each executor builds its client from its own config, and a
 * principal without the secret gets an error, never someone else's key. DEKs are cached by the
 * executors, so KMS clients are created rarely. The secret never comes from the environment of
 * the library (LOCAL_SECRET): only from the principal's configuration.
 */
import { clearKmsClients, registerKmsDriver, type KmsClient, type KmsDriver } from '@confluentinc/schemaregistry';
import { LocalKmsClient } from '@confluentinc/schemaregistry/dist/rules/encryption/localkms/local-client.js';

const PREFIX = 'local-kms://';
export const KMS_SECRET_CONFIG = 'secret';

class UncachedClient implements KmsClient {
  constructor(private readonly inner: KmsClient) {}
  supported(): boolean {
    return false;
  }
  encrypt(plaintext: Buffer): Promise<Buffer> {
    return this.inner.encrypt(plaintext);
  }
  decrypt(ciphertext: Buffer): Promise<Buffer> {
    return this.inner.decrypt(ciphertext);
  }
}

class PrincipalLocalKmsDriver implements KmsDriver {
  getKeyUrlPrefix(): string {
    return PREFIX;
  }

  newKmsClient(config: Map<string, string>, keyUrl: string): KmsClient {
    // The caller registers the returned client in the global list right after this; the
    // entries never match, so drop the stale ones instead of letting the list grow.
    clearKmsClients();
    const secret = config.get(KMS_SECRET_CONFIG);
    if (!secret) throw new Error(`this principal holds no secret for ${keyUrl}`);
    return new UncachedClient(new LocalKmsClient(secret));
  }
}

let registered = false;

/** Registers the driver once per process, ahead of any other `local-kms://` driver. */
export function registerLocalKms(): void {
  if (registered) return;
  registerKmsDriver(new PrincipalLocalKmsDriver());
  registered = true;
}
