/**
 * `shiftleft connector ...` on an idle data directory: the command starts the platform
 * in-process, manages the persisted connectors (without running them) and stops again.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Command } from 'commander';
import { registerConnectorCommands } from '../../src/cli/commands/connector.ts';
import { registerSourceCommands } from '../../src/cli/commands/source.ts';
import { isShiftleftError } from '../../src/common/errors.ts';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sl-connector-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs one command line in-process and returns what it printed. */
async function run(...args: string[]): Promise<string> {
  const program = new Command().name('shiftleft').option('-d, --data-dir <dir>').exitOverride();
  registerConnectorCommands(program);
  registerSourceCommands(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'shiftleft', '-d', join(dir, 'data'), ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

it('creates, lists, shows, pauses and deletes connectors; bad files name the field', async () => {
  const good = join(dir, 'payments.json');
  await writeFile(good, JSON.stringify({ name: 'pay', type: 'payments', config: { embedded: true, rate: 2 } }));
  const created = await run('connector', 'create', '--config', good);
  assert.match(created, /^pay \(payments\): STOPPED/);
  assert.match(created, /runs while the platform runs/);

  assert.match(await run('connector', 'list'), /pay\s+payments\s+STOPPED/);
  const status = JSON.parse(await run('connector', 'status', 'pay', '--format', 'json')) as { name: string; config: unknown };
  assert.deepEqual([status.name, status.config], ['pay', { embedded: true, rate: 2 }]);
  assert.match(await run('connector', 'pause', 'pay'), /PAUSED/);
  assert.match(await run('connector', 'list'), /pay\s+payments\s+PAUSED/);
  assert.match(await run('connector', 'types'), /postgres-cdc\s+source/);

  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ name: 'cdc', type: 'postgres-cdc', config: { embedded: true, tables: ['public.orders'], slotName: 'Not-A-Slot' } }));
  await assert.rejects(run('connector', 'create', '--config', bad), (error) => isShiftleftError(error, 'CONNECTOR_CONFIG_INVALID') && error.details.field === '/config/slotName');
  await writeFile(bad, '{ "name": ');
  await assert.rejects(run('connector', 'create', '--config', bad), (error) => isShiftleftError(error, 'CONNECTOR_CONFIG_INVALID') && /not valid JSON/.test(error.message));

  assert.match(await run('connector', 'delete', 'pay'), /deleted connector pay/);
  await assert.rejects(run('connector', 'status', 'pay'), (error) => isShiftleftError(error, 'CONNECTOR_NOT_FOUND'));
  assert.match(await run('connector', 'list'), /^NAME/);
});
