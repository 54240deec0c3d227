/**
 * The embedded Temporal dev server `npm start` runs when TEMPORAL_ADDRESS is unset: the pinned CLI
 * binary, its SQLite file in the data folder, the visit search attributes registered at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../contract';
import { temporalCliPath } from './binaries';

export interface DevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** The engine's codec endpoint, which the embedded UI calls to show decrypted payloads. */
  codecEndpoint?: string | undefined;
  /** The format of the server's own log lines (json with FOLLOWUP_LOG_FORMAT=json). */
  logFormat?: 'text' | 'json';
  /** Called if the server exits on its own (not through `stop`). */
  onUnexpectedExit: (why: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  /** Stops the server as a terminal's Ctrl-C would, and waits for it to exit. */
  stop(): Promise<void>;
}

/** Where `npm start` records its dev server's pid, so the next start can end one a crash left running. */
export const devServerPidFile = (dataDir: string) => join(dataDir, 'temporal-dev.pid');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal; a process that has just exited is no error. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** The process's command line (Linux /proc), or undefined where it cannot be read. */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/**
 * Ends the dev server a crashed `npm start` left behind (its own process group survives a kill -9
 * of npm), so this start gets its ports and database. Only a live process running our binary on
 * this data folder's database is stopped: a pid reused by anything else is left alone. Throws if
 * the engine that started it still runs. Returns the pid it stopped, if any.
 */
export async function reclaimDevServer(dataDir: string, timeoutMs = 30_000): Promise<number | undefined> {
  const pidFile = devServerPidFile(dataDir);
  if (!existsSync(pidFile)) return undefined;
  const [pid, owner] = readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
  // An engine still running on this folder keeps its server: starting a second one is the mistake.
  if (owner && owner !== process.pid && alive(owner) && (commandLine(owner)?.includes('start') ?? true)) {
    throw new Error(`Another npm start (pid ${owner}) runs on ${dataDir}; stop it first.`);
  }
  rmSync(pidFile, { force: true });
  if (!pid || !Number.isInteger(pid) || pid <= 1 || !alive(pid)) return undefined;
  const cmd = commandLine(pid);
  if (!cmd?.includes(temporalCliPath()) || !cmd.includes(join(dataDir, 'temporal.sqlite'))) return undefined;
  // SIGINT as a terminal would send: the server closes its database cleanly; SIGKILL if it does not go.
  signal(pid, 'SIGINT');
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; alive(pid); delay = Math.min(delay * 2, 250)) {
    if (Date.now() > deadline) signal(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, delay));
  }
  return pid;
}

const SA_TYPE: Record<string, string> = { DATETIME: 'Datetime', BOOL: 'Bool', KEYWORD: 'Keyword' };

export function startDevServer(o: DevServerOptions): DevServer {
  const dbFile = join(o.dataDir, 'temporal.sqlite');
  // Its database holds every visit's history: the engine's user alone may read it (new files follow the umask).
  if (existsSync(dbFile)) chmodSync(dbFile, 0o600);
  let stopping = false;
  const child: ChildProcess = spawn(
    temporalCliPath(),
    [
      ...['server', 'start-dev', '--db-filename', dbFile, '--ip', '127.0.0.1'],
      ...['--port', String(o.port), '--ui-port', String(o.uiPort), '--namespace', o.namespace, '--log-level', 'warn'],
      ...(o.codecEndpoint ? ['--ui-codec-endpoint', o.codecEndpoint] : []),
      // In JSON, its banner (text) is left out too: the engine's own start entry says where everything is.
      ...(o.logFormat === 'json' ? ['--log-format', 'json', '--output', 'none'] : []),
      ...SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${SA_TYPE[k.type] ?? 'Keyword'}`]),
    ],
    // Its own process group: Ctrl-C reaches only us, and we stop the server after the worker has
    // said goodbye to it, so no workflow is left pointing at a dead worker's sticky queue.
    { stdio: ['ignore', 'inherit', 'inherit'], detached: true },
  );
  const pidFile = devServerPidFile(o.dataDir);
  // The server's pid and ours: the next start stops a server whose engine is gone, and refuses while it is not.
  if (child.pid !== undefined) writeFileSync(pidFile, `${child.pid} ${process.pid}\n`);
  process.on('exit', () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  child.on('exit', (code, signal) => {
    rmSync(pidFile, { force: true });
    if (!stopping) o.onUnexpectedExit(`Temporal dev server exited (${signal ?? code})`);
  });
  return {
    address: `127.0.0.1:${o.port}`,
    uiUrl: `http://127.0.0.1:${o.uiPort}`,
    async stop() {
      stopping = true;
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      // SIGINT, as a terminal would send: the dev server then leaves cleanly and restarts without delay.
      child.kill('SIGINT');
      await exited;
    },
  };
}
