/**
 * The HTTP door on Hono: the API (every route declared with its schemas, so /openapi.json is
 * generated from them), the dashboard, security headers, and one translation of errors for both:
 * JSON for programs, a page for people.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { createAdaptorServer } from '@hono/node-server';
import { secureHeaders } from 'hono/secure-headers';
import type { Server } from 'node:http';
import type { Services } from '../../services';
import { documentRoutes } from '../api/documents';
import { exportRoutes } from '../api/exports';
import { linkRoutes } from '../api/links';
import { metaRoutes, openApiRoute } from '../api/meta';
import { operationsRoutes } from '../api/operations';
import { recommendationRoutes } from '../api/recommendations';
import { visitRoutes } from '../api/visits';
import { webRoutes } from '../web/routes';
import { authentication } from './auth';
import { codecCors, codecRoutes, type CodecPort } from './codec';
import type { AppEnv } from './env';
import { answerRefusals, undeclaredMethods } from './errors';

export interface HttpOptions {
  services: Services;
  /** Base URL people reach the server at (its origin may post the dashboard's forms). */
  publicUrl: string;
  version: string;
  now?: () => number;
  /** Failed sign-ins and link requests allowed per client address per minute. */
  rateLimit?: number;
  /** The payload codec (FOLLOWUP_CODEC_KEYS) and the Temporal UI origins it answers; unset: no /codec routes. */
  codec?: { port: CodecPort; origins: string[] };
  /** Where unexpected errors are reported (never to the caller). */
  log?: (message: string) => void;
}

export function createHttpApp(o: HttpOptions): OpenAPIHono<AppEnv> {
  const { services } = o;
  const app = new OpenAPIHono<AppEnv>();
  const auth = authentication(services, o.rateLimit ?? 20, o.now ?? Date.now);

  // Before the method guard: the UI's CORS preflight (OPTIONS) is answered here.
  if (o.codec) codecCors(app, o.codec.origins);
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        // No script runs on these pages; same-origin fetches (a browser's tools, tests) may read the CSV exports.
        connectSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      xFrameOptions: 'DENY',
      referrerPolicy: 'same-origin',
    }),
  );
  app.use(async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });
  app.use(undeclaredMethods(app));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'followup_session',
  });
  operationsRoutes(app, services);
  metaRoutes(app, services, auth);
  visitRoutes(app, services, auth);
  documentRoutes(app, services, auth);
  linkRoutes(app, services, auth);
  exportRoutes(app, services, auth);
  recommendationRoutes(app, services, auth);
  webRoutes(app, services, auth, o.publicUrl);
  if (o.codec) codecRoutes(app, auth, o.codec.port);
  openApiRoute(app, o.version);

  answerRefusals(app, o.log ?? console.error);
  return app;
}

/** A Node HTTP server for the app (listen, address and close as usual). */
export function httpServer(app: OpenAPIHono<AppEnv>): Server {
  return createAdaptorServer({ fetch: app.fetch }) as Server;
}
