/**
 * `npm start`: the engine on its embedded default. Starts the Temporal dev server (SQLite file and
 * UI in the data folder) unless TEMPORAL_ADDRESS is set, registers the search attributes, and runs
 * the worker with the SQLite store and the mail transport. Ctrl-C stops everything.
 */
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApi } from './api';
import { ensureSchedules } from './schedules';
import { errorPage, webRoutes } from './web';
import { loadConfig } from './config';
import { loadLinkSecret, publicUrlOf } from './secrets';
import { linkIssuer } from './links';
import { SEARCH_ATTRIBUTES } from './contract';
import { Directory, loadDirectory } from './directory';
import { outboxMailer, smtpMailer } from './mail';
import { loadPolicy } from './policy-loader';
import { registerSearchAttributes } from './search-attributes';
import { Store } from './store';
import { temporalCliPath } from './temporal-binaries';
import { createVisitWorker } from './worker';

async function connectWithRetry(address: string, timeoutMs: number): Promise<NativeConnection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await NativeConnection.connect({ address });
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(
          `Temporal server at ${address} did not answer within ${timeoutMs / 1000} s: ${(e as Error).message}`,
          { cause: e },
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function main() {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const policy = loadPolicy(config.FOLLOWUP_POLICY); // fail now, not at the first visit
  const directory = config.FOLLOWUP_DIRECTORY ? loadDirectory(config.FOLLOWUP_DIRECTORY) : Directory.parse({});
  mkdirSync(config.dataDir, { recursive: true });

  let stopping = false;
  let server: ChildProcess | undefined;
  let address = config.TEMPORAL_ADDRESS;
  if (!address) {
    address = `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
    server = spawn(
      temporalCliPath(),
      [
        'server',
        'start-dev',
        '--db-filename',
        join(config.dataDir, 'temporal.sqlite'),
        '--ip',
        '127.0.0.1',
        '--port',
        String(config.TEMPORAL_DEV_PORT),
        '--ui-port',
        String(config.TEMPORAL_UI_PORT),
        '--namespace',
        config.TEMPORAL_NAMESPACE,
        '--log-level',
        'warn',
        ...SEARCH_ATTRIBUTES.flatMap((k) => [
          '--search-attribute',
          `${k.name}=${k.type === 'DATETIME' ? 'Datetime' : k.type === 'BOOL' ? 'Bool' : 'Keyword'}`,
        ]),
      ],
      // Its own process group: Ctrl-C reaches only us, and we stop the server after the worker has
      // said goodbye to it, so no workflow is left pointing at a dead worker's sticky queue.
      { stdio: ['ignore', 'inherit', 'inherit'], detached: true },
    );
    const child = server;
    process.on('exit', () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });
    server.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`Temporal dev server exited (${signal ?? code}); stopping.`);
        process.exit(1);
      }
    });
  }

  const connection = await connectWithRetry(address, 60_000);
  const client = await Connection.connect({ address });
  await registerSearchAttributes(client, config.TEMPORAL_NAMESPACE);
  if (server) {
    // Closed visits stay in the embedded server for a year, not the dev server's default 24 hours.
    await client.workflowService.updateNamespace({
      namespace: config.TEMPORAL_NAMESPACE,
      config: { workflowExecutionRetentionTtl: msToTs('365 days') },
    });
  }
  await ensureSchedules(new Client({ connection: client, namespace: config.TEMPORAL_NAMESPACE }));
  await client.close();

  const store = new Store(join(config.dataDir, 'followup.sqlite'));
  const linkSecret = loadLinkSecret(config);
  const publicUrl = publicUrlOf(config);
  const outbox = join(config.dataDir, 'outbox');
  const mailer = config.SMTP_URL ? smtpMailer(config.SMTP_URL) : outboxMailer(outbox);
  const worker = await createVisitWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    deps: {
      store,
      mailer,
      directory,
      from: config.MAIL_FROM,
      log: (m) => console.warn(m),
      links: linkIssuer(linkSecret, publicUrl, 45 * 86_400_000),
    },
  });
  const apiConnection = await Connection.connect({ address });
  const api = createApi(
    {
      client: new Client({ connection: apiConnection, namespace: config.TEMPORAL_NAMESPACE }),
      store,
      policy,
      linkSecret,
      publicUrl,
    },
    webRoutes,
    errorPage,
  );
  await new Promise<void>((resolve, reject) => {
    api.once('error', reject);
    api.listen(config.PORT, config.HOST, resolve);
  });
  const apiPort = (api.address() as AddressInfo).port;

  console.log(`Visit follow-up engine running.`);
  console.log(`  Temporal:    ${address} (namespace ${config.TEMPORAL_NAMESPACE})`);
  if (server) console.log(`  Temporal UI: http://127.0.0.1:${config.TEMPORAL_UI_PORT}`);
  const shown = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  console.log(`  Dashboard:   http://${shown}:${apiPort}/`);
  console.log(`  API:         http://${shown}:${apiPort} (OpenAPI at /openapi.json)`);
  console.log(`  Store:       ${store.file}`);
  console.log(
    config.SMTP_URL ? `  Mail:        ${config.SMTP_URL}` : `  Outbox:      ${outbox} (one .eml file per message)`,
  );
  console.log('Press Ctrl-C to stop.');

  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await worker.run();
  await new Promise((r) => api.close(r));
  await apiConnection.close();
  await connection.close();
  store.close();
  mailer.close();
  if (server && server.exitCode === null) {
    // SIGINT, as a terminal would send: the dev server then leaves cleanly and restarts without delay.
    server.kill('SIGINT');
    await new Promise((r) => server!.once('exit', r));
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
