/**
 * The embedded Temporal dev server `npm start` runs when TEMPORAL_ADDRESS is unset: the pinned CLI
 * binary, its SQLite file in the data folder, the visit search attributes registered at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
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
  /** Called if the server exits on its own (not through `stop`). */
  onUnexpectedExit: (why: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  /** Stops the server as a terminal's Ctrl-C would, and waits for it to exit. */
  stop(): Promise<void>;
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
      ...SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${SA_TYPE[k.type] ?? 'Keyword'}`]),
    ],
    // Its own process group: Ctrl-C reaches only us, and we stop the server after the worker has
    // said goodbye to it, so no workflow is left pointing at a dead worker's sticky queue.
    { stdio: ['ignore', 'inherit', 'inherit'], detached: true },
  );
  process.on('exit', () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  child.on('exit', (code, signal) => {
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
