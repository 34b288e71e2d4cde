/**
 * `shiftleft demo`: runs the shift-left walkthrough end to end on the embedded platform (see
 * src/demo/demo.ts). Without --duration it keeps running until Ctrl-C; with it, it stops and
 * prints the final report, exiting non-zero when a check failed.
 */
import { Command, InvalidArgumentError } from 'commander';
import { dataDirOf } from '../context.ts';

function positive(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive number, got '${value}'`);
    return n;
  };
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`a port is 0-65535, got '${value}'`);
  return n;
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

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the whole shift-left walkthrough: PostgreSQL + CDC, payments under a data contract, Flink SQL data products')
    .option('--duration <seconds>', 'stop after this many seconds and print the final report', positive('--duration'))
    .option('--rate <n>', 'orders per second written to PostgreSQL', positive('--rate'), 2)
    .option('--payments <n>', 'payments per second', positive('--payments'), 2)
    .option('--seed <n>', 'seed of the generated data', (v) => Number.parseInt(v, 10), 42)
    .option('--port <n>', 'platform API port', port, 8080)
    .option('--registry-port <n>', 'schema registry port', port, 8081)
    .option('--reset', 'remove what an earlier demo left in the data directory first')
    .action(async (opts: { duration?: number; rate: number; payments: number; seed: number; port: number; registryPort: number; reset?: boolean }, command: Command) => {
      const { runDemo } = await import('../../demo/demo.ts');
      const result = await runDemo({
        dataDir: dataDirOf(command),
        durationSeconds: opts.duration,
        ordersPerSecond: opts.rate,
        paymentsPerSecond: opts.payments,
        seed: opts.seed,
        port: opts.port,
        registryPort: opts.registryPort,
        reset: opts.reset === true,
        progressIntervalMs: 3000,
        out: (line) => process.stdout.write(line + '\n'),
        stopSignal: nextStopSignal(),
      });
      if (result.checks.some((c) => !c.ok)) process.exitCode = 1;
    });
}
