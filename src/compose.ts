/**
 * Wiring shared by the composition roots (`npm start`, the CLI): the infrastructure the
 * configuration names, opened when first needed, and the services built on it.
 */
import type { Client } from '@temporalio/client';
import { join } from 'node:path';
import type { Config } from './config';
import type { Policy } from './domain/policy';
import type { EngineMetrics } from './infra/metrics';
import { documentLinkIssuer, LINK_TTL_MS, type DocumentLinkIssuer } from './infra/links';
import { loadPolicy } from './infra/policy/loader';
import { loadLinkSecret, publicUrlOf } from './infra/secrets';
import { openStore, type Store } from './infra/store';
import { connectClient } from './infra/temporal/connection';
import { temporalSecurity } from './infra/temporal/security';
import { createServices, type Services } from './services';

/** Memoizes a factory: the resource is made on first use, once. */
export function once<T>(make: () => T): (() => T) & { made: () => T | undefined } {
  let value: { v: T } | undefined;
  const get = () => (value ??= { v: make() }).v;
  return Object.assign(get, { made: () => value?.v });
}

export interface Composed {
  services: Services;
  /** Closes what was opened: the Temporal connection, the store. */
  close(): Promise<void>;
}

export const storePath = (config: Config) => join(config.dataDir, 'followup.sqlite');
/** The store the configuration names: PostgreSQL when FOLLOWUP_DATABASE_URL is set, else the SQLite file. */
export const storeOf = (config: Config): Store =>
  openStore({
    sqliteFile: storePath(config),
    ...(config.FOLLOWUP_DATABASE_URL ? { databaseUrl: config.FOLLOWUP_DATABASE_URL } : {}),
  });
export const outboxPath = (config: Config) => join(config.dataDir, 'outbox');
export const temporalAddress = (config: Config) => config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;

/** Signed links to the documents messages carry (`/documents/{token}`), with the secret and TTL of the action links. */
export const documentLinksOf = (config: Config): DocumentLinkIssuer =>
  documentLinkIssuer(loadLinkSecret(config), publicUrlOf(config), LINK_TTL_MS);

/** Services from the configuration; `temporal` and `store` may be given (npm start shares its own). */
export function compose(
  config: Config,
  given: { temporal?: () => Promise<Client>; store?: () => Store; metrics?: EngineMetrics } = {},
): Composed {
  const temporal = once(() => {
    const { tls, dataConverter } = temporalSecurity(config);
    return connectClient(temporalAddress(config), config.TEMPORAL_NAMESPACE, {
      connectTimeout: '5 seconds',
      tls,
      dataConverter,
    });
  });
  const store = once(() => storeOf(config));
  const policy = once((): Policy => loadPolicy(config.FOLLOWUP_POLICY));
  const linkSecret = once(() => loadLinkSecret(config));
  const services = createServices({
    temporal: given.temporal ?? temporal,
    store: given.store ?? store,
    get policy() {
      return policy();
    },
    get linkSecret() {
      return linkSecret();
    },
    publicUrl: publicUrlOf(config),
    outboxDir: outboxPath(config),
    ...(given.metrics ? { metrics: given.metrics } : {}),
  });
  return {
    services,
    async close() {
      // A connection that never opened (Temporal down) has nothing to close.
      const client = await temporal.made()?.catch(() => undefined);
      if (client) await client.connection.close();
      await store.made()?.close();
    },
  };
}
