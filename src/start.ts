/**
 * `npm start`: the engine on its embedded default. Only wires: the Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), the worker with its store and mail transport, the services, and the
 * HTTP door (API and dashboard). Ctrl-C stops everything, the dev server last.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { chmodSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { version } from '../package.json';
import { compose, outboxPath, storePath } from './compose';
import { loadConfig } from './config';
import type { CalendarCoverage } from './domain/calendar';
import { createHttpApp, httpServer } from './doors/http/app';
import { Directory, loadDirectory } from './infra/directory';
import { linkIssuer } from './infra/links';
import { outboxMailer, smtpMailer } from './infra/mail';
import { loadPolicy } from './infra/policy/loader';
import { loadLinkSecret, publicUrlOf } from './infra/secrets';
import { Store } from './infra/store/store';
import { connectClient, connectWorker, prepareNamespace } from './infra/temporal/connection';
import { jsonCodec } from './infra/temporal/codec';
import { startDevServer, type DevServer } from './infra/temporal/dev-server';
import { temporalSecurity, type TemporalSecurity } from './infra/temporal/security';
import { createVisitWorker } from './worker';

type Config = ReturnType<typeof loadConfig>;

/** The data folder, for the engine's user only: everything written there is confidential. */
function privateDataDir(config: Config): void {
  process.umask(0o077);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
}

/** The embedded dev server (unless TEMPORAL_ADDRESS names one), the worker's connection and a client. */
async function temporal(config: Config, security: TemporalSecurity) {
  const devServer: DevServer | undefined = config.TEMPORAL_ADDRESS
    ? undefined
    : startDevServer({
        dataDir: config.dataDir,
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
        // The UI's origin is 127.0.0.1 too: same site, so the dashboard's session cookie reaches /codec.
        codecEndpoint: security.codec && config.PORT !== 0 ? `http://127.0.0.1:${config.PORT}/codec` : undefined,
        onUnexpectedExit: (why) => {
          console.error(`${why}; stopping.`);
          process.exit(1);
        },
      });
  const address = devServer?.address ?? config.TEMPORAL_ADDRESS!;
  const connection = await connectWorker(address, 60_000, security.tls);
  const client = await connectClient(address, config.TEMPORAL_NAMESPACE, security);
  await prepareNamespace(client, config.TEMPORAL_NAMESPACE, devServer !== undefined);
  return { devServer, address, connection, client };
}

/** The Temporal UI origins the codec endpoint answers: configured, or the embedded UI's. */
function codecOrigins(config: Config): string[] {
  const port = config.TEMPORAL_UI_PORT;
  return config.FOLLOWUP_CODEC_ORIGINS ?? [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

async function listen(server: Server, config: Config): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  return (server.address() as AddressInfo).port;
}

function banner(
  config: Config,
  address: string,
  devServer: DevServer | undefined,
  port: number,
  store: Store,
  coverage: CalendarCoverage,
): string {
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  return [
    'Visit follow-up engine running.',
    `  Temporal:    ${address} (namespace ${config.TEMPORAL_NAMESPACE})`,
    ...(devServer ? [`  Temporal UI: ${devServer.uiUrl}`] : []),
    `  Dashboard:   http://${host}:${port}/`,
    `  API:         http://${host}:${port} (OpenAPI at /openapi.json)`,
    `  Store:       ${store.file}`,
    config.FOLLOWUP_CODEC_KEYS
      ? `  Payloads:    encrypted with key ${config.FOLLOWUP_CODEC_KEYS[0]!.id} (codec endpoint /codec)`
      : '  Payloads:    in clear in Temporal history (set FOLLOWUP_CODEC_KEYS to encrypt)',
    config.SMTP_URL
      ? `  Mail:        ${config.SMTP_URL}`
      : `  Outbox:      ${outboxPath(config)} (one .eml file per message)`,
    `  Calendar:    UN Headquarters holidays known until ${coverage.coveredUntil ?? '(no end given)'}`,
    ...(coverage.warning ? [`WARNING: ${coverage.warning}`] : []),
    'Press Ctrl-C to stop.',
  ].join('\n');
}

async function main() {
  const config = loadConfig();
  privateDataDir(config);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const policy = loadPolicy(config.FOLLOWUP_POLICY); // fail now, not at the first visit
  const directory = config.FOLLOWUP_DIRECTORY ? loadDirectory(config.FOLLOWUP_DIRECTORY) : Directory.parse({});
  const security = temporalSecurity(config); // reads the TLS files now: a bad path stops start-up
  const { devServer, address, connection, client } = await temporal(config, security);

  const store = new Store(storePath(config));
  const publicUrl = publicUrlOf(config);
  const links = linkIssuer(loadLinkSecret(config), publicUrl, 45 * 86_400_000);
  const mailer = config.SMTP_URL ? smtpMailer(config.SMTP_URL) : outboxMailer(outboxPath(config));
  const worker = await createVisitWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: security.dataConverter,
    deps: {
      store,
      mailer,
      directory,
      from: config.MAIL_FROM,
      log: (m) => console.warn(m),
      links,
      calendar: policy.calendar,
      temporal: client,
    },
  });
  const { services } = compose(config, { temporal: async () => client, store: () => store });
  const codec = security.codec && { port: jsonCodec(security.codec), origins: codecOrigins(config) };
  const server = httpServer(createHttpApp({ services, publicUrl, version, ...(codec ? { codec } : {}) }));
  console.log(banner(config, address, devServer, await listen(server, config), store, services.calendar.current()));

  // Ctrl-C may arrive twice (from the terminal's group and relayed by tsx): the first one stops.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    worker.shutdown();
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
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
