/**
 * `followup`: the operator's CLI on the server machine, on commander (`--help` on every command).
 * Every command calls a service; every failure is printed from the error table.
 */
import { Command, CommanderError } from 'commander';
import { ERRORS, EXIT, toAppError, type Services } from '../../services';
import { adminCommands } from './admin';
import { calendarCommands } from './calendar';
import { exportCommands } from './exports';
import type { Io } from './output';
import { recommendationsCommand } from './recommendations';
import { visitsCommand } from './visits';

export interface CliOptions {
  services: Services;
  io: Io;
  /** Who is recorded as the actor when `--as` is not given (FOLLOWUP_OPERATOR). */
  operator: string;
}

/** The program, with its output and errors routed through `io` (so tests can run it in-process). */
export function buildProgram(o: CliOptions, exitWith: (code: number) => void): Command {
  const program = new Command('followup')
    .description("The visit follow-up engine: the operator's tool (talks to Temporal and the store directly).")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => o.io.out(s.replace(/\n$/, '')),
      writeErr: (s) => o.io.err(s.replace(/\n$/, '')),
    });
  program.configureHelp({ sortSubcommands: false });
  visitsCommand(program, o.services, o.io, o.operator);
  recommendationsCommand(program, o.services, o.io, o.operator);
  adminCommands(program, o.services, o.io, exitWith);
  calendarCommands(program, o.services, o.io, o.operator, exitWith);
  exportCommands(program, o.services, o.io, o.operator);
  // Every command refuses what it does not know: no excess arguments, no unknown options.
  const strict = (c: Command) => {
    c.allowExcessArguments(false).allowUnknownOption(false).exitOverride();
    c.commands.forEach(strict);
  };
  strict(program);
  return program;
}

/** Runs the CLI on `argv` (without node and the script); resolves to the exit code. */
export async function runCli(o: CliOptions, argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(o, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and the version are not errors; everything else commander refuses is a usage error.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const err = toAppError(e);
    if (err.code === 'internal') o.io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
    else o.io.err(`${ERRORS[err.code].cli}: ${err.message}`);
    return err.exitCode;
  }
}
