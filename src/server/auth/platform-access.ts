/**
 * Access control as the platform composes it (src/platform.ts, `shiftleft up --auth`): the key
 * store on the platform's log, signed with the data directory's signing secret, and the first
 * admin key when none exists yet (its secret is returned once, for `up` to print, and kept
 * nowhere).
 */
import type { ApiKeysLogClient, CreatedApiKey } from './api-key-store.ts';
import { ApiKeyStore } from './api-key-store.ts';
import { AccessControl } from './access-control.ts';
import { apiKeySigningSecret } from './signing-secret.ts';

export interface PlatformAccess {
  control: AccessControl;
  keys: ApiKeyStore;
  /** Created by this start because the platform had no admin key; print it, once. */
  initialAdminKey?: CreatedApiKey;
  /** Worth printing at start (records of `_api_keys` that were ignored). */
  warnings: string[];
}

export async function openPlatformAccess(log: ApiKeysLogClient, dataDir: string): Promise<PlatformAccess> {
  const keys = await ApiKeyStore.open(log, { signingSecret: apiKeySigningSecret(dataDir) });
  const initialAdminKey = keys.hasAdmin() ? undefined : await keys.create({ admin: true, description: 'first admin key, created by shiftleft up --auth' });
  return { control: new AccessControl(keys), keys, ...(initialAdminKey && { initialAdminKey }), warnings: [...keys.warnings] };
}
