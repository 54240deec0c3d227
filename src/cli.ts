/**
 * `followup` (bin/followup, `npx followup`): the CLI's composition root. Builds the services from
 * the configuration (Temporal and the store opened only when a command needs them), runs the
 * command, closes what was opened, and exits only once everything printed has been written:
 * `followup visits list --json | jq` gets the whole list however long it is.
 */
import { compose } from './compose';
import { loadConfig } from './config';
import { runCli } from './doors/cli/program';
import { EXIT } from './services';

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(`${text}\n`);
}

/** Resolves once everything written to the stream so far has been handed to the OS. */
const drained = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    write(process.stderr, (e as Error).message);
    return EXIT.usage;
  }
  const { services, close } = compose(config);
  const io = {
    out: (t: string) => write(process.stdout, t),
    err: (t: string) => write(process.stderr, t),
    interactive: process.stderr.isTTY === true,
  };
  try {
    return await runCli({ services, io, operator: config.FOLLOWUP_OPERATOR }, process.argv.slice(2));
  } finally {
    await close();
  }
}

void main().then(async (code) => {
  process.exitCode = code;
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // Nothing should be left open; if something is, do not hang the shell.
  setTimeout(() => process.exit(code), 5_000).unref();
});
