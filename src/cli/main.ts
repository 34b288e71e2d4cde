/**
 * The `shiftleft` command line. Each noun lives in src/cli/commands/<noun>.ts; this file only
 * assembles them and turns failures into a message and an exit code (see report-error.ts).
 */
import { Command } from 'commander';
import { registerSchemaCommands } from './commands/schema.ts';
import { registerConnectorCommands } from './commands/connector.ts';
import { registerSourceCommands } from './commands/source.ts';
import { registerWarehouseCommands } from './commands/warehouse.ts';
import { registerApplyCommand } from './commands/apply.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerTopicCommands } from './commands/topic.ts';
import { registerSqlCommand } from './commands/sql.ts';
import { registerStatementCommands } from './commands/statement.ts';
import { registerUpCommand } from './commands/up.ts';
import { registerApiKeyCommands } from './commands/apikey.ts';
import { reportError } from './report-error.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('shiftleft')
    .description('Shift data quality left: a log, a schema registry with data contracts, Flink SQL, connectors and a data portal in one program.')
    .version('0.1.0')
    .option('-d, --data-dir <dir>', 'data directory (default: $SHIFTLEFT_DATA_DIR or ./.shiftleft)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemoCommand(program);
  registerApplyCommand(program);
  registerUpCommand(program);
  registerApiKeyCommands(program);
  registerTopicCommands(program);
  registerSqlCommand(program);
  registerStatementCommands(program);
  registerSchemaCommands(program);
  registerConnectorCommands(program);
  registerSourceCommands(program);
  registerWarehouseCommands(program);
  // Subcommands inherit exitOverride so usage errors come back here instead of exiting.
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

process.exitCode = await main(process.argv);
