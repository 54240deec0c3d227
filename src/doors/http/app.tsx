/**
 * The HTTP door on Hono: the API (every route declared with its schemas, so /openapi.json is
 * generated from them), the dashboard, security headers, and one translation of errors for both:
 * JSON for programs, a page for people.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { createAdaptorServer } from '@hono/node-server';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Server } from 'node:http';
import { ACTIONS } from '../../domain/vocabulary';
import { AppError, ERRORS, toAppError, type ErrorCode, type Services } from '../../services';
import { exportRoutes } from '../api/exports';
import { linkRoutes } from '../api/links';
import { metaRoutes, openApiRoute } from '../api/meta';
import { visitRoutes } from '../api/visits';
import { documentOf, ErrorPage } from '../web/layout';
import { webRoutes } from '../web/routes';
import { authentication } from './auth';
import type { AppEnv } from './env';
import { allowedMethods } from './methods';

export interface HttpOptions {
  services: Services;
  /** Base URL people reach the server at (its origin may post the dashboard's forms). */
  publicUrl: string;
  version: string;
  now?: () => number;
  /** Failed sign-ins and link requests allowed per client address per minute. */
  rateLimit?: number;
  /** Where unexpected errors are reported (never to the caller). */
  log?: (message: string) => void;
}

/** Programs (the API, feeds, the document) get JSON; people in a browser get pages. */
const forPrograms = (path: string) =>
  path.startsWith('/api/') || path.startsWith('/feeds/') || path === '/openapi.json';

const FROM_HTTP_STATUS: Record<number, ErrorCode> = {
  400: 'invalid-request',
  403: 'forbidden',
  404: 'not-found',
  413: 'body-too-large',
  415: 'unsupported-media-type',
};

export function createHttpApp(o: HttpOptions): OpenAPIHono<AppEnv> {
  const { services } = o;
  const app = new OpenAPIHono<AppEnv>();
  const auth = authentication(services, o.rateLimit ?? 20, o.now ?? Date.now);

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

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'followup_session',
  });
  metaRoutes(app, services, auth);
  visitRoutes(app, services, auth);
  linkRoutes(app, services, auth);
  exportRoutes(app, services, auth);
  webRoutes(app, services, auth, o.publicUrl);
  openApiRoute(app, o.version);

  const refuse = (c: Context, err: AppError, headers: Record<string, string> = {}) => {
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    if (forPrograms(c.req.path)) return c.json(err.body(), err.status as 400);
    const page = <ErrorPage title={ERRORS[err.code].title} message={err.message} />;
    return c.html(documentOf(page), err.status as 400);
  };

  app.notFound((c) => {
    const path = c.req.path;
    // An action that does not exist is a bad request, as it always was; not a missing page.
    const action = /^\/api\/visits\/[^/]+\/actions\/([^/]+)$/.exec(path)?.[1];
    if (c.req.method === 'POST' && action !== undefined && !(ACTIONS as readonly string[]).includes(action)) {
      return refuse(c, new AppError('invalid-request', `action: unknown action; one of ${ACTIONS.join(', ')}`));
    }
    const allowed = allowedMethods(app, path);
    if (allowed.length) {
      const err = new AppError('method-not-allowed', `${c.req.method} is not allowed on ${path}`);
      return refuse(c, err, { allow: allowed.join(', ') });
    }
    return refuse(c, new AppError('not-found', `no route ${path}`));
  });

  app.onError((e, c) => {
    let err: AppError;
    if (e instanceof HTTPException) {
      const code = FROM_HTTP_STATUS[e.status] ?? 'internal';
      err = new AppError(code, code === 'forbidden' ? 'this form was not sent from this site' : e.message);
    } else err = toAppError(e);
    if (err.code === 'internal') {
      // Link tokens are secrets: never write one to the log.
      const where = `${c.req.method} ${c.req.path.replace(/\/api\/links\/.*/, '/api/links/…')}`;
      const cause = err.cause ?? e;
      const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      (o.log ?? console.error)(`HTTP error on ${where}: ${why}`);
    }
    return refuse(c, err);
  });
  return app;
}

/** A Node HTTP server for the app (listen, address and close as usual). */
export function httpServer(app: OpenAPIHono<AppEnv>): Server {
  return createAdaptorServer({ fetch: app.fetch }) as Server;
}
