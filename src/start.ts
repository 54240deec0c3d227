/**
 * `npm start`: the engine on its embedded default. Only wires: the Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), the worker with its store and mail transport, the services, and the
 * HTTP door (API and dashboard). Ctrl-C stops everything, the dev server last.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { chmodSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { version } from '../package.json';
import { compose, outboxPath, storePath } from './compose';
import { loadConfig } from './config';
import { createHttpApp, httpServer } from './doors/http/app';
import { Directory, loadDirectory } from './infra/directory';
import { linkIssuer } from './infra/links';
import { outboxMailer, smtpMailer } from './infra/mail';
import { loadPolicy } from './infra/policy/loader';
import { loadLinkSecret, publicUrlOf } from './infra/secrets';
import { Store } from './infra/store/store';
import { connectClient, connectWorker, prepareNamespace } from './infra/temporal/connection';
import { startDevServer, type DevServer } from './infra/temporal/dev-server';
import { createVisitWorker } from './infra/temporal/worker';

async function main() {
  const config = loadConfig();
  // Everything the engine writes (databases, outbox, secrets) is for its own user only.
  process.umask(0o077);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  loadPolicy(config.FOLLOWUP_POLICY); // fail now, not at the first visit
  const directory = config.FOLLOWUP_DIRECTORY ? loadDirectory(config.FOLLOWUP_DIRECTORY) : Directory.parse({});

  let devServer: DevServer | undefined;
  if (!config.TEMPORAL_ADDRESS) {
    devServer = startDevServer({
      dataDir: config.dataDir,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      onUnexpectedExit: (why) => {
        console.error(`${why}; stopping.`);
        process.exit(1);
      },
    });
  }
  const address = devServer?.address ?? config.TEMPORAL_ADDRESS!;
  const connection = await connectWorker(address, 60_000);
  const client = await connectClient(address, config.TEMPORAL_NAMESPACE);
  await prepareNamespace(client, config.TEMPORAL_NAMESPACE, devServer !== undefined);

  const store = new Store(storePath(config));
  const linkSecret = loadLinkSecret(config);
  const publicUrl = publicUrlOf(config);
  const mailer = config.SMTP_URL ? smtpMailer(config.SMTP_URL) : outboxMailer(outboxPath(config));
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
  const { services } = compose(config, { temporal: async () => client, store: () => store });
  const server = httpServer(createHttpApp({ services, publicUrl, version }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const shown = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;

  console.log(`Visit follow-up engine running.`);
  console.log(`  Temporal:    ${address} (namespace ${config.TEMPORAL_NAMESPACE})`);
  if (devServer) console.log(`  Temporal UI: ${devServer.uiUrl}`);
  console.log(`  Dashboard:   http://${shown}:${port}/`);
  console.log(`  API:         http://${shown}:${port} (OpenAPI at /openapi.json)`);
  console.log(`  Store:       ${store.file}`);
  console.log(
    config.SMTP_URL
      ? `  Mail:        ${config.SMTP_URL}`
      : `  Outbox:      ${outboxPath(config)} (one .eml file per message)`,
  );
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await worker.run();
  // The worker says goodbye before the server goes, so no workflow points at a dead worker's sticky queue.
  await new Promise((r) => server.close(r));
  await client.connection.close();
  await connection.close();
  store.close();
  mailer.close();
  await devServer?.stop();
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
