/**
 * `shiftleft source postgres start [--rate N] [--seed N] [--payments RATE]` and
 * `shiftleft source payments start [--rate N] [--seed N]`: the walkthrough's sources in the
 * foreground until Ctrl-C, printing progress.
 *
 * Both are made of connectors (so status, errors and offsets work as everywhere else):
 * - postgres: `commerce-datagen` (embedded PostgreSQL, commerce tables, seed, orders at --rate)
 *   and `postgres-cdc` (the four tables → shiftleft.public.*, customers.email masked);
 * - payments: `payments` (Sale records for existing orders through the payments-value contract).
 * They are created on first use and resumed afterwards (an existing connector keeps its config:
 * delete it to change it). On Ctrl-C they are paused, so nothing keeps writing when you did not
 * ask for it; `shiftleft connector resume NAME` (with a platform running) starts them again.
 *
 * Where they run: with a platform on the data directory, on it (through its REST API); without
 * one, in this process, which starts the platform (log + registry on free ports) for its
 * duration. Two `source` commands on one data directory therefore need a `shiftleft up` serving
 * connectors, or `--payments` to run both in one process.
 */
import { Command, InvalidArgumentError } from 'commander';
import { isShiftleftError } from '../../common/errors.ts';
import type { ConnectorStatus } from '../../connect/framework/connector-runtime.ts';
import { openConnectorHost, summarizeError, type ConnectorApi } from './connector.ts';

interface ConnectorSpecInput {
  name: string;
  type: string;
  config: Record<string, unknown>;
}

function positiveNumber(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive number, got '${value}'`);
    return n;
  };
}

function integer(what: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`${what} must be an integer, got '${value}'`);
    return Number(value);
  };
}

function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Creates the connector, or resumes the existing one of that name. */
async function ensureRunning(api: ConnectorApi, spec: ConnectorSpecInput): Promise<ConnectorStatus> {
  try {
    const existing = await api.status(spec.name);
    if (existing.type !== spec.type) process.stderr.write(`warning: connector ${spec.name} exists with type ${existing.type}\n`);
    else process.stdout.write(`connector ${spec.name} exists: resuming it with its saved config (delete it to change the config)\n`);
    return existing.state === 'RUNNING' ? existing : await api.resume(spec.name);
  } catch (error) {
    if (!isShiftleftError(error, 'CONNECTOR_NOT_FOUND')) throw error;
    return api.create(spec);
  }
}

function report(status: ConnectorStatus): void {
  process.stdout.write(`${status.name}: ${status.state}${status.lastError && status.state === 'FAILED' ? ` ${summarizeError(status)}${status.lastError.hint ? ` (hint: ${status.lastError.hint})` : ''}` : ''}\n`);
}

function progressLine(status: ConnectorStatus): string {
  const m = status.metrics;
  switch (status.type) {
    case 'postgres-cdc': {
      const rows = (m.rowsByTopic ?? {}) as Record<string, number>;
      const perTopic = Object.entries(rows).map(([topic, n]) => `${topic.split('.').pop()} ${n}`).join(', ');
      return `cdc ${status.state}: ${perTopic || 'no rows yet'}; ${String(m.transactions ?? 0)} transactions`;
    }
    case 'commerce-datagen':
      return `generator ${status.state}: ${String(m.orders ?? 0)} orders, ${String(m.orderItems ?? 0)} items, ${String(m.productUpdates ?? 0)} price updates, ${String(m.productDeletes ?? 0)} product deletes`;
    case 'payments': {
      const dlq = Object.entries((m.refusedByDlq ?? {}) as Record<string, number>).map(([topic, n]) => `${n} to ${topic}`).join(', ');
      return `payments ${status.state}: ${String(m.sent ?? 0)} sent, ${String(m.refused ?? 0)} refused${dlq ? ` (${dlq})` : ''}, ${String(m.duplicated ?? 0)} duplicated`;
    }
    default:
      return `${status.name} ${status.state}`;
  }
}

/** Runs the connectors until Ctrl-C, printing their progress; pauses them on the way out. */
async function runUntilStopped(command: Command, specs: ConnectorSpecInput[], intervalMs: number): Promise<void> {
  const host = await openConnectorHost(command, { runConnectors: true });
  const stopSignal = nextStopSignal();
  try {
    process.stdout.write(`running on ${host.api.where}; press Ctrl-C to stop\n`);
    for (const spec of specs) report(await ensureRunning(host.api, spec));
    let stopped = false;
    void stopSignal.then(() => (stopped = true));
    while (!stopped) {
      await Promise.race([stopSignal, new Promise((resolve) => setTimeout(resolve, intervalMs))]);
      if (stopped) break;
      const lines: string[] = [];
      for (const spec of specs) {
        const status = await host.api.status(spec.name);
        lines.push(progressLine(status) + (status.state === 'FAILED' ? ` — ${summarizeError(status)}` : ''));
      }
      process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${lines.join(' | ')}\n`);
    }
    process.stdout.write('stopping...\n');
    for (const spec of [...specs].reverse()) await host.api.pause(spec.name).catch(() => undefined);
  } finally {
    await host.close();
  }
  process.stdout.write('stopped\n');
}

export function registerSourceCommands(program: Command): void {
  const source = program.command('source').description("run the walkthrough's sources: the PostgreSQL commerce database with CDC, and the payments service");

  const postgres = source.command('postgres').description('the embedded PostgreSQL commerce database and its CDC connector');
  postgres
    .command('start')
    .description('start embedded PostgreSQL, the commerce generator and the CDC connector; run until Ctrl-C')
    .option('--rate <n>', 'orders per second', positiveNumber('--rate'), 1)
    .option('--seed <n>', 'seed of the generated data', integer('--seed'), 1)
    .option('--prefix <prefix>', 'topic prefix', 'shiftleft')
    .option('--payments <rate>', 'also run the payments service at this many records per second', positiveNumber('--payments'))
    .option('--interval <ms>', 'progress every N milliseconds', positiveNumber('--interval'), 2000)
    .action(async (opts: { rate: number; seed: number; prefix: string; payments?: number; interval: number }, command: Command) => {
      const specs: ConnectorSpecInput[] = [
        { name: 'commerce-datagen', type: 'commerce-datagen', config: { embedded: true, seed: opts.seed, ordersPerSecond: opts.rate } },
        {
          name: 'postgres-cdc',
          type: 'postgres-cdc',
          config: {
            embedded: true,
            tables: ['public.customers', 'public.products', 'public.orders', 'public.order_items'],
            topicPrefix: opts.prefix,
            transforms: { mask: { customers: ['email'] } },
          },
        },
      ];
      if (opts.payments !== undefined) specs.push({ name: 'payments', type: 'payments', config: { embedded: true, rate: opts.payments, seed: opts.seed } });
      await runUntilStopped(command, specs, opts.interval);
    });

  const payments = source.command('payments').description('the payments service (through the payments-value contract)');
  payments
    .command('start')
    .description('produce payments for existing orders to the payments topic; run until Ctrl-C')
    .option('--rate <n>', 'records per second', positiveNumber('--rate'), 1)
    .option('--seed <n>', 'seed of the generated payments', integer('--seed'), 42)
    .option('--interval <ms>', 'progress every N milliseconds', positiveNumber('--interval'), 2000)
    .action(async (opts: { rate: number; seed: number; interval: number }, command: Command) => {
      await runUntilStopped(command, [{ name: 'payments', type: 'payments', config: { embedded: true, rate: opts.rate, seed: opts.seed } }], opts.interval);
    });
}
