/**
 * One translation of refusals for the whole HTTP door, from the error table: JSON for programs, a
 * page for people; a path with no route is a 404, or a 405 with `Allow` when other methods are
 * served there.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ACTIONS } from '../../domain/vocabulary';
import { AppError, ERRORS, toAppError, type ErrorCode } from '../../services';
import { documentOf, ErrorPage } from '../web/layout';
import { WordsContext, wordsFor } from '../web/words';
import type { AppEnv } from './env';
import { allowedMethods } from './methods';

/** Programs (the API, feeds, the document) get JSON; people in a browser get pages. */
const forPrograms = (path: string) =>
  path.startsWith('/api/') || path.startsWith('/feeds/') || path.startsWith('/codec/') || path === '/openapi.json';

const FROM_HTTP_STATUS: Record<number, ErrorCode> = {
  400: 'invalid-request',
  403: 'forbidden',
  404: 'not-found',
  413: 'body-too-large',
  415: 'unsupported-media-type',
};

/** The error table's page titles, as the catalogue keys them. */
const ERROR_TITLES: Record<string, string> = {
  'Something is not right': 'error.generic',
  'Sign in again': 'error.signInAgain',
  'Not for your role': 'error.forbidden',
  'Not found': 'error.notFound',
};

/** A refusal as JSON for programs, as a page for people. */
function refuse(c: Context, err: AppError, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  if (forPrograms(c.req.path)) return c.json(err.body(), err.status as 400);
  // The page is in the dashboard's language (`lang` cookie or parameter); the message is the service's, in English.
  const w = wordsFor(c as Context<AppEnv>);
  const key = ERROR_TITLES[ERRORS[err.code].title];
  const page = (
    <WordsContext.Provider value={{ ...w, here: undefined }}>
      <ErrorPage title={key ? w.t(key) : ERRORS[err.code].title} message={err.message} />
    </WordsContext.Provider>
  );
  return c.html(documentOf(page), err.status as 400);
}

/**
 * Refuses a method the most specific routes of a path do not take, with 405 and `Allow`: a static
 * route's path is not a value of a parameter beside it (GET /api/visits/import is not a visit id).
 */
export function undeclaredMethods(app: OpenAPIHono<AppEnv>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length && !allowed.includes(c.req.method)) {
      const err = new AppError('method-not-allowed', `${c.req.method} is not allowed on ${c.req.path}`);
      return refuse(c, err, { allow: allowed.join(', ') });
    }
    await next();
  };
}

/** Answers every refusal of the app (thrown or for want of a route) from the error table. */
export function answerRefusals(app: OpenAPIHono<AppEnv>, log: (message: string) => void): void {
  app.notFound((c) => {
    const path = c.req.path;
    // An action that does not exist is a bad request, as it always was; not a missing page.
    const action = /^\/api\/visits\/[^/]+\/actions\/([^/]+)$/.exec(path)?.[1];
    if (c.req.method === 'POST' && action !== undefined && !(ACTIONS as readonly string[]).includes(action)) {
      return refuse(c, new AppError('invalid-request', `action: unknown action; one of ${ACTIONS.join(', ')}`));
    }
    return refuse(c, new AppError('not-found', `no route ${path}`));
  });

  app.onError((e, c) => {
    let err: AppError;
    if (e instanceof HTTPException) {
      const code = FROM_HTTP_STATUS[e.status] ?? 'internal';
      const message =
        code === 'forbidden'
          ? 'this form was not sent from this site'
          : code === 'unsupported-media-type'
            ? 'send JSON with Content-Type: application/json'
            : e.message;
      err = new AppError(code, message);
    } else err = toAppError(e);
    if (err.code === 'internal') {
      // Link tokens are secrets: never write one to the log.
      const where = `${c.req.method} ${c.req.path.replace(/^(\/api)?\/(links|documents)\/.*/, '$1/$2/…')}`;
      const cause = err.cause ?? e;
      const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      log(`HTTP error on ${where}: ${why}`);
    }
    return refuse(c, err);
  });
}
