/** The HTTP door on given parts, wired as `npm start` wires it: for tests and the benchmark. */
import type { Client } from '@temporalio/client';
import type { Server } from 'node:http';
import { version } from '../package.json';
import type { Policy } from './domain/policy';
import { createHttpApp, httpServer, type HttpOptions } from './doors/http/app';
import type { EngineMetrics } from './infra/metrics';
import type { Store } from './infra/store/store';
import { createServices } from './services';

export interface HttpParts {
  client: Client;
  store: Store;
  policy: Policy;
  linkSecret: string;
  publicUrl: string;
  outboxDir?: string;
  now?: () => number;
  rateLimit?: number;
  taskQueue?: string;
  codec?: HttpOptions['codec'];
  metrics?: EngineMetrics;
}

export function httpServerFor(p: HttpParts): Server {
  const services = createServices({
    temporal: async () => p.client,
    store: () => p.store,
    policy: p.policy,
    linkSecret: p.linkSecret,
    publicUrl: p.publicUrl,
    outboxDir: p.outboxDir ?? '',
    ...(p.now ? { now: p.now } : {}),
    ...(p.taskQueue ? { taskQueue: p.taskQueue } : {}),
    ...(p.metrics ? { metrics: p.metrics } : {}),
  });
  const app = createHttpApp({
    services,
    publicUrl: p.publicUrl,
    version,
    ...(p.now ? { now: p.now } : {}),
    ...(p.rateLimit ? { rateLimit: p.rateLimit } : {}),
    ...(p.codec ? { codec: p.codec } : {}),
  });
  return httpServer(app);
}
