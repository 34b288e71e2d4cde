/**
 * `shiftleft up`: runs the embedded platform in the foreground on the data directory, prints
 * its URLs, and stops cleanly (servers, registry, log, lock, in that order) on SIGINT/SIGTERM.
 */
import { Command, InvalidArgumentError } from 'commander';
import { startPlatform } from '../../platform.ts';
import { dataDirOf } from '../context.ts';

function port(what: string) {
  return (value: string): number => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n > 65535) throw new InvalidArgumentError(`${what} must be a port number 0-65535, got '${value}'`);
    return n;
  };
}

/** Resolves on the first SIGINT or SIGTERM, with the signal's name. */
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

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('run the platform (log, schema registry, APIs) in the foreground until Ctrl-C')
    .option('--port <n>', 'platform API port', port('--port'), 8080)
    .option('--registry-port <n>', 'schema registry API port (Confluent-compatible)', port('--registry-port'), 8081)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .action(async (options: { port: number; registryPort: number; host: string }, command: Command) => {
      const dataDir = dataDirOf(command);
      const platform = await startPlatform({ dataDir, port: options.port, registryPort: options.registryPort, host: options.host });
      for (const problem of platform.log.recoveryProblems) process.stderr.write(`warning: ${problem.file}: ${problem.detail}\n`);
      process.stdout.write(
        `shiftleft is up (data directory ${platform.dataDir.path})\n` +
          `  platform API      ${platform.urls.platform}\n` +
          `  schema registry   ${platform.urls.registry}\n` +
          'press Ctrl-C to stop\n',
      );
      const signal = await nextStopSignal();
      process.stdout.write(`received ${signal}, stopping...\n`);
      await platform.close();
      process.stdout.write('stopped\n');
    });
}
