/**
 * `shiftleft apikey create [--description D] [--grant-kek NAME ...] [--admin] | list | delete KEY`:
 * the API keys of a platform under access control (`shiftleft up --auth`).
 *
 * Where the keys are managed (one data directory, one owner):
 * - a platform runs on the data directory → its admin API (/v1/api-keys), with the admin key
 *   from $SHIFTLEFT_API_KEY / $SHIFTLEFT_API_SECRET;
 * - none runs → the command opens the data directory and writes `_api_keys` itself (whoever
 *   can open the directory owns it anyway). This is how a lost admin key is replaced:
 *   stop the platform, `shiftleft apikey create --admin`.
 * A new key's secret is printed once and stored nowhere (only its salted hash).
 */
import { Command, Option } from 'commander';
import { DataDirectory, readLiveLock } from '../../common/data-dir.ts';
import { ShiftleftError } from '../../common/errors.ts';
import { errorFromAnswer, unreachable } from '../../log/http/http-errors.ts';
import { ApiKeyStore, validateApiKeyId, type ApiKeyInfo, type ApiKeyRequest, type CreatedApiKey } from '../../server/auth/api-key-store.ts';
import { apiKeyHeaders, API_KEY_ENV, API_SECRET_ENV } from '../../server/auth/client-credentials.ts';
import { apiKeySigningSecret } from '../../server/auth/signing-secret.ts';
import { dataDirOf } from '../context.ts';
import { printTable } from '../table.ts';

/** What the commands need, from a running platform's admin API or from the data directory. */
interface ApiKeyAdmin {
  readonly where: string;
  list(): Promise<ApiKeyInfo[]>;
  create(request: ApiKeyRequest): Promise<CreatedApiKey>;
  delete(key: string): Promise<void>;
}

function remoteAdmin(platformUrl: string): ApiKeyAdmin {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${platformUrl}${path}`, {
        method,
        headers: { ...apiKeyHeaders(), ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw unreachable(platformUrl, error);
    }
    const text = await response.text();
    if (response.status === 404 && path === '/v1/api-keys') {
      throw new ShiftleftError('UNSUPPORTED', `the platform at ${platformUrl} runs without access control, so it has no API keys to manage`, {
        hint: 'restart it with `shiftleft up --auth`, or stop it and run this command on the data directory',
      });
    }
    if (!response.ok) throw errorFromAnswer(response.status, text, `${method} ${path}`);
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  };
  return {
    where: `platform at ${platformUrl}`,
    list: () => call('GET', '/v1/api-keys'),
    create: (request) => call('POST', '/v1/api-keys', request),
    delete: async (key) => {
      await call('DELETE', `/v1/api-keys/${encodeURIComponent(key)}`);
    },
  };
}

/** Runs `work` with the admin of the command's data directory: the running platform's API, or the directory itself. */
async function withApiKeyAdmin<T>(command: Command, work: (admin: ApiKeyAdmin) => Promise<T>): Promise<T> {
  const path = dataDirOf(command);
  const platformUrl = readLiveLock(path)?.urls.platform;
  // The platform answers 401 without a key, 403 to a key that is not an admin's.
  if (platformUrl) return work(remoteAdmin(platformUrl));
  const dataDir = await DataDirectory.open(path);
  try {
    // The log implementations are loaded only on this path (see context.ts withLog).
    const { logSettingsFrom, openLog } = await import('../../log/open-log.ts');
    const opened = await openLog(logSettingsFrom({}, process.env), dataDir);
    try {
      for (const warning of opened.warnings) process.stderr.write(`warning: ${warning}\n`);
      const store = await ApiKeyStore.open(opened.log, { signingSecret: apiKeySigningSecret(dataDir.path) });
      for (const warning of store.warnings) process.stderr.write(`warning: ${warning}\n`);
      try {
        return await work({
          where: `data directory ${dataDir.path}`,
          list: async () => store.list(),
          create: (request) => store.create(request),
          delete: (key) => store.delete(key),
        });
      } finally {
        await store.close();
      }
    } finally {
      await opened.log.close();
    }
  } finally {
    await dataDir.close();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function describeRights(info: ApiKeyInfo): string {
  const rights = [info.admin ? 'admin' : undefined, info.kekGrants.length > 0 ? `KEKs: ${info.kekGrants.join(', ')}` : undefined].filter(Boolean);
  return rights.length > 0 ? rights.join('; ') : 'no admin rights, no KEK grants';
}

export function registerApiKeyCommands(program: Command): void {
  const apikey = program.command('apikey').description('API keys of a platform under access control (`shiftleft up --auth`)');
  const format = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');

  apikey
    .command('create')
    .description('create an API key and print its secret (once: only a hash is kept)')
    .option('--description <text>', 'what the key is for', '')
    .option('--grant-kek <name>', 'let the key use this KEK: read fields encrypted with it in plaintext (repeatable)', collect, [])
    .option('--admin', 'let the key manage API keys (the admin API)')
    .addOption(format())
    .action(async (options: { description: string; grantKek: string[]; admin?: boolean; format: string }, command: Command) => {
      const created = await withApiKeyAdmin(command, (admin) =>
        admin.create({ description: options.description, admin: options.admin === true, kekGrants: options.grantKek }),
      );
      if (options.format === 'json') {
        process.stdout.write(JSON.stringify(created) + '\n');
        return;
      }
      process.stdout.write(
        `created API key ${created.key} (${describeRights(created)})\n` +
          `  ${API_KEY_ENV}=${created.key}\n` +
          `  ${API_SECRET_ENV}=${created.secret}\n` +
          'the secret is shown only now: store it safely\n',
      );
    });

  apikey
    .command('list')
    .description('list the API keys (never their secrets)')
    .addOption(format())
    .action(async (options: { format: string }, command: Command) => {
      const keys = await withApiKeyAdmin(command, (admin) => admin.list());
      if (options.format === 'json') {
        process.stdout.write(JSON.stringify(keys) + '\n');
        return;
      }
      if (keys.length === 0) {
        process.stdout.write('no API keys\n');
        return;
      }
      printTable(
        ['KEY', 'ADMIN', 'KEK GRANTS', 'CREATED', 'DESCRIPTION'],
        keys.map((k) => [k.key, k.admin ? 'yes' : 'no', k.kekGrants.join(',') || '-', k.createdAt, k.description]),
      );
    });

  apikey
    .command('delete')
    .description('delete an API key; it stops working at once')
    .argument('<key>', 'the API key id (see `shiftleft apikey list`)')
    .action(async (key: string, _options: unknown, command: Command) => {
      const id = validateApiKeyId(key);
      const where = await withApiKeyAdmin(command, async (admin) => {
        await admin.delete(id);
        return admin.where;
      });
      process.stdout.write(`deleted API key ${id} (${where})\n`);
    });
}
