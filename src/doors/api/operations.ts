/**
 * For operators' tools, without a token: liveness, readiness and Prometheus metrics. None of
 * them tells anything about a visit: the metrics are counts, readiness names only the dependency.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services';
import type { AppEnv } from '../http/env';
import { json } from './responses';

const Check = z.object({ ok: z.boolean(), error: z.string().optional() });
const Readiness = z
  .object({ ready: z.boolean(), checks: z.object({ temporal: Check, store: Check }) })
  .openapi('Readiness');
const Health = z.object({ status: z.literal('ok') }).openapi('Health');

/** The exposition format's content type (Prometheus text format 0.0.4). */
const PROMETHEUS = 'text/plain; version=0.0.4; charset=utf-8';

export function operationsRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process is up (it checks nothing else)',
      responses: { 200: { description: 'Up', content: json(Health) } },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: Temporal answers and the store reads',
      responses: {
        200: { description: 'Ready', content: json(Readiness) },
        503: { description: 'Not ready: the failed check says which dependency and why', content: json(Readiness) },
      },
    }),
    async (c) => {
      const r = await services.operations.readiness();
      return r.ready ? c.json(r, 200) : c.json(r, 503);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics: visits by stage, overdue, messages sent and failed, activity latency',
      responses: {
        200: {
          description: 'The Prometheus text exposition format (counts only, nothing confidential)',
          content: { 'text/plain': { schema: z.string() } },
        },
      },
    }),
    async (c) => c.text(await services.operations.metrics(), 200, { 'content-type': PROMETHEUS }),
  );
}
