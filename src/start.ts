/**
 * `npm start`: the engine on its embedded default. Only wires: the Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), the worker with its store and mail transport, the services, and the
 * HTTP door (API and dashboard). Ctrl-C stops everything, the dev server last.
 * `--only worker` runs the worker alone (no HTTP), `--only web` the API and dashboard alone (no
 * worker): any number of each against one Temporal server.
 */
import { Runtime } from '@temporalio/worker';
import { chmodSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { version } from '../package.json';
import { compose, documentLinksOf, outboxPath, storeOf } from './compose';
import { loadConfig, onlyFromArgs } from './config';
import type { CalendarCoverage } from './domain/calendar';
import { createHttpApp, httpServer } from './doors/http/app';
import { Directory, loadDirectory } from './infra/directory';
import { LINK_TTL_MS, linkIssuer } from './infra/links';
import { outboxMailer, smtpMailer } from './infra/mail';
import { loadPolicy } from './infra/policy/loader';
import { loadLinkSecret, publicUrlOf } from './infra/secrets';
import type { Store } from './infra/store';
import { connectClient, connectWorker, prepareNamespace } from './infra/temporal/connection';
import { jsonCodec } from './infra/temporal/codec';
import { temporalSecurity, type TemporalSecurity } from './infra/temporal/security';
import { createLogger, runtimeLogger, type Logger } from './infra/log';
import { EngineMetrics } from './infra/metrics';
import { reclaimDevServer, startDevServer, type DevServer } from './infra/temporal/dev-server';
import { createVisitWorker } from './worker';

type Config = ReturnType<typeof loadConfig>;

/** The data folder, for the engine's user only: everything written there is confidential. */
function privateDataDir(config: Config): void {
  process.umask(0o077);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
}

/** The embedded dev server (unless TEMPORAL_ADDRESS names one), the worker's connection and a client. */
async function temporal(config: Config, security: TemporalSecurity, log: Logger) {
  if (!config.TEMPORAL_ADDRESS) {
    const left = await reclaimDevServer(config.dataDir);
    if (left) log.warn(`Stopped the Temporal dev server (pid ${left}) a previous run left behind.`);
  }
  const devServer: DevServer | undefined = config.TEMPORAL_ADDRESS
    ? undefined
    : startDevServer({
        dataDir: config.dataDir,
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
        // The UI's origin is 127.0.0.1 too: same site, so the dashboard's session cookie reaches /codec.
        codecEndpoint: security.codec && config.PORT !== 0 ? `http://127.0.0.1:${config.PORT}/codec` : undefined,
        logFormat: config.FOLLOWUP_LOG_FORMAT,
        onUnexpectedExit: (why) => {
          log.error(`${why}; stopping.`);
          process.exit(1);
        },
      });
  const address = devServer?.address ?? config.TEMPORAL_ADDRESS!;
  // A web process needs no worker connection; it still waits for the server as a worker would.
  const connection = await connectWorker(address, 60_000, security.tls);
  const client = await connectClient(address, config.TEMPORAL_NAMESPACE, security);
  await prepareNamespace(client, config.TEMPORAL_NAMESPACE, devServer !== undefined);
  return { devServer, address, connection, client, security };
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
  port: number | undefined,
  store: Store,
  coverage: CalendarCoverage,
): string {
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  const worker = config.FOLLOWUP_ONLY !== 'web';
  return [
    config.FOLLOWUP_ONLY
      ? `Visit follow-up engine running (${config.FOLLOWUP_ONLY} only).`
      : 'Visit follow-up engine running.',
    `  Temporal:    ${address} (namespace ${config.TEMPORAL_NAMESPACE})`,
    ...(devServer ? [`  Temporal UI: ${devServer.uiUrl}`] : []),
    ...(port !== undefined
      ? [`  Dashboard:   http://${host}:${port}/`, `  API:         http://${host}:${port} (OpenAPI at /openapi.json)`]
      : []),
    ...(worker ? [`  Worker:      up to ${config.FOLLOWUP_MAX_CACHED_WORKFLOWS} workflows cached`] : []),
    `  Store:       ${store.location}`,
    config.FOLLOWUP_CODEC_KEYS
      ? `  Payloads:    encrypted with key ${config.FOLLOWUP_CODEC_KEYS[0]!.id} (codec endpoint /codec)`
      : '  Payloads:    in clear in Temporal history (set FOLLOWUP_CODEC_KEYS to encrypt)',
    ...(!worker
      ? []
      : config.SMTP_URL
        ? [`  Mail:        ${config.SMTP_URL}`]
        : [`  Outbox:      ${outboxPath(config)} (one .eml file per message)`]),
    ...(config.FOLLOWUP_SDK_METRICS_ADDRESS
      ? [`  SDK metrics: http://${config.FOLLOWUP_SDK_METRICS_ADDRESS}/metrics`]
      : []),
    `  Calendar:    UN Headquarters holidays known until ${coverage.coveredUntil ?? '(no end given)'}`,
    ...(coverage.warning ? [`WARNING: ${coverage.warning}`] : []),
    'Press Ctrl-C to stop.',
  ].join('\n');
}

/** The banner's facts as one JSON entry (FOLLOWUP_LOG_FORMAT=json); its message still ends "Press Ctrl-C to stop.". */
function announceJson(
  log: Logger,
  config: Config,
  t: Temporal,
  port: number | undefined,
  store: Store,
  coverage: CalendarCoverage,
) {
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  const only = config.FOLLOWUP_ONLY ? ` (${config.FOLLOWUP_ONLY} only)` : '';
  log.info(`Visit follow-up engine running${only}. Press Ctrl-C to stop.`, {
    temporal: t.address,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(t.devServer ? { temporalUi: t.devServer.uiUrl } : {}),
    ...(port !== undefined ? { api: `http://${host}:${port}` } : {}),
    store: store.location,
    payloadsEncrypted: config.FOLLOWUP_CODEC_KEYS !== undefined,
    ...(config.FOLLOWUP_ONLY === 'web'
      ? {}
      : config.SMTP_URL
        ? { mail: config.SMTP_URL }
        : { outbox: outboxPath(config) }),
    ...(config.FOLLOWUP_SDK_METRICS_ADDRESS ? { sdkMetrics: config.FOLLOWUP_SDK_METRICS_ADDRESS } : {}),
    calendarCoveredUntil: coverage.coveredUntil ?? null,
  });
  if (coverage.warning) log.warn(coverage.warning);
}

/** The SDK's runtime: its log through ours, its metrics on their own port when configured. */
function installRuntime(config: Config, log: Logger): void {
  const bindAddress = config.FOLLOWUP_SDK_METRICS_ADDRESS;
  Runtime.install({
    logger: runtimeLogger(log, 'WARN'),
    ...(bindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress } } } } : {}),
  });
}

type Temporal = Awaited<ReturnType<typeof temporal>>;
type Ops = { log: Logger; metrics: EngineMetrics };

/** The codec endpoint for the Temporal UI, when payloads are encrypted. */
function codecOf(config: Config, security: TemporalSecurity) {
  return security.codec ? { codec: { port: jsonCodec(security.codec), origins: codecOrigins(config) } } : {};
}

/** The worker with its activities' parts: store, mail, directory, links, calendar. */
async function startWorker(config: Config, t: Temporal, store: Store, policy: ReturnType<typeof loadPolicy>, ops: Ops) {
  const directory = config.FOLLOWUP_DIRECTORY ? loadDirectory(config.FOLLOWUP_DIRECTORY) : Directory.parse({});
  const links = linkIssuer(loadLinkSecret(config), publicUrlOf(config), LINK_TTL_MS);
  const mailer = config.SMTP_URL ? smtpMailer(config.SMTP_URL) : outboxMailer(outboxPath(config));
  const { log, metrics } = ops;
  const worker = await createVisitWorker({
    metrics,
    connection: t.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    maxCachedWorkflows: config.FOLLOWUP_MAX_CACHED_WORKFLOWS,
    dataConverter: t.security.dataConverter,
    deps: {
      store,
      mailer,
      directory,
      from: config.MAIL_FROM,
      log: (m) => log.warn(m, { source: 'activity' }),
      onSendFailure: (kind, e) => log.warn('a message was not sent; the activity will retry', { kind, error: e }),
      links,
      documentLinks: documentLinksOf(config),
      calendar: policy.calendar,
      temporal: t.client,
    },
  });
  return { worker, mailer };
}

/** Resolves at the first Ctrl-C or SIGTERM (it may arrive twice: from the terminal's group and relayed by tsx). */
function stopRequested(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    // Kept listening after the first: a second signal must not fall back to Node's default (exit at once).
    const stop = () => {
      if (stopping) return;
      stopping = true;
      log.info('Stopping…');
      resolve();
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
}

async function main() {
  const only = onlyFromArgs(process.argv.slice(2));
  const config = loadConfig(only === undefined ? process.env : { ...process.env, FOLLOWUP_ONLY: only });
  const log = createLogger({ format: config.FOLLOWUP_LOG_FORMAT, level: config.FOLLOWUP_LOG_LEVEL });
  const metrics = new EngineMetrics();
  privateDataDir(config);
  installRuntime(config, log);
  const policy = loadPolicy(config.FOLLOWUP_POLICY); // fail now, not at the first visit
  if (config.FOLLOWUP_DIRECTORY) loadDirectory(config.FOLLOWUP_DIRECTORY); // likewise
  const security = temporalSecurity(config); // reads the TLS files now: a bad path stops start-up
  const t = await temporal(config, security, log);
  const store = storeOf(config);
  // Migrations run before anything reads or writes (PostgreSQL applies them at first use).
  await store.schemaVersion();

  const running =
    config.FOLLOWUP_ONLY === 'web' ? undefined : await startWorker(config, t, store, policy, { log, metrics });
  const { services } = compose(config, { temporal: async () => t.client, store: () => store, metrics });
  const server =
    config.FOLLOWUP_ONLY === 'worker'
      ? undefined
      : httpServer(
          createHttpApp({
            services,
            publicUrl: publicUrlOf(config),
            version,
            log: (m) => log.error(m),
            ...codecOf(config, security),
          }),
        );
  const port = server ? await listen(server, config) : undefined;
  const coverage = await services.calendar.current();
  if (config.FOLLOWUP_LOG_FORMAT === 'json') announceJson(log, config, t, port, store, coverage);
  else log.info(banner(config, t.address, t.devServer, port, store, coverage));

  const stopped = stopRequested(log);
  const workerDone = running?.worker.run();
  // The SDK's runtime may have begun draining on the same signal already.
  if (running) void stopped.then(() => running.worker.getState() === 'RUNNING' && running.worker.shutdown());
  await (workerDone ?? stopped);
  // The worker says goodbye before the server goes, so no workflow points at a dead worker's sticky queue.
  if (server) await new Promise((r) => server.close(r));
  await t.client.connection.close();
  await t.connection.close();
  await store.close();
  running?.mailer.close();
  await t.devServer?.stop();
}

main().catch((e) => {
  // The configuration may be what failed: the format is read as given, json or the human default.
  const format = process.env.FOLLOWUP_LOG_FORMAT === 'json' ? 'json' : 'text';
  createLogger({ format }).error((e as Error).message);
  process.exit(1);
});
