/**
 * The API's visit routes: list, start, import, read, the actions allowed now, one route per action,
 * and signed links. Each route is its schemas, its middleware and one call into a service.
 */
import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { VisitId } from '../../contract';
import { ACTION_PAYLOADS } from '../../domain/actions';
import { ACTIONS, type ActionName } from '../../domain/vocabulary';
import { type Services } from '../../services';
import { parseOr } from '../../services/errors';
import type { Authentication } from '../http/auth';
import { jsonBody, limitBody, limitFileBody } from '../http/body';
import type { AppEnv } from '../http/env';
import { AUTH, BODY, hook, json, refusals, rejected } from './responses';
import {
  AllowedAction,
  ImportRequest,
  Imported,
  IssuedLink,
  LinkRequest,
  ListQuery,
  DEFAULT_PAGE,
  MAX_PAGE,
  Started,
  VisitIdParam,
  VisitListEntry,
  SharedVisit,
  VisitStartRequest,
  VisitView,
} from './schemas';
import { z as zod } from '@hono/zod-openapi';

const bearer = [{ bearer: [] }];
const withBody = [limitBody, jsonBody];

export function visitRoutes(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  listRoute(app, services, auth);
  startRoute(app, services, auth);
  importRoute(app, services, auth);
  visitRoute(app, services, auth);
  allowedActionsRoute(app, services, auth);
  for (const action of ACTIONS) actionRoute(app, services, auth, action);
  issueLinkRoute(app, services, auth);
}

function listRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/visits',
      summary: 'The visits the caller may see',
      description:
        'A State sees its own visits; a partner only the adopted reports shared with it. One page, by visit number: ' +
        `${DEFAULT_PAGE} entries unless \`limit\` says otherwise (at most ${MAX_PAGE}); when more follow, the ` +
        '`Link` header holds the next page\'s URL with `rel="next"` (RFC 8288). A page may hold fewer entries than ' +
        '`limit` and still have a next one.',
      security: bearer,
      middleware: [auth.bearer],
      request: { query: ListQuery },
      responses: {
        200: {
          description: 'Visits',
          headers: zod.object({
            Link: zod
              .string()
              .optional()
              .meta({ description: 'The next page, `<url>; rel="next"`, when there is one.' }),
          }),
          content: json(zod.array(zod.union([VisitListEntry, SharedVisit]))),
        },
        ...refusals(400, ...AUTH),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { entries, next } = await services.visits.page(
        c.get('principal'),
        {
          ...(q.stage ? { stage: q.stage } : {}),
          ...(q.overdue ? { overdue: q.overdue === 'true' } : {}),
          ...(q.state ? { state: q.state } : {}),
        },
        { limit: q.limit ? Number(q.limit) : DEFAULT_PAGE, ...(q.cursor ? { cursor: q.cursor } : {}) },
      );
      if (next) {
        // A reference relative to this host: the client's own Host header never writes the link.
        const url = new URL(c.req.url);
        url.searchParams.set('cursor', next);
        c.header('Link', `<${url.pathname}${url.search}>; rel="next"`);
      }
      return c.json(entries, 200);
    },
    hook({ query: 'query' }),
  );
}

function startRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/visits',
      summary: 'Start following up a visit',
      security: bearer,
      middleware: [auth.bearer, auth.may('start-visit'), ...withBody],
      request: { body: { required: true, content: json(VisitStartRequest) } },
      responses: {
        201: { description: 'Started', content: json(Started) },
        ...refusals(...BODY, ...AUTH, 403, 409),
      },
    }),
    async (c) => c.json(await services.visits.start(c.get('principal'), 'api', c.req.valid('json')), 201),
    hook({ json: 'visit' }),
  );
}

function importRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/visits/import',
      summary: 'Import visits from CSV text',
      description: 'Every row is validated first: one bad row imports nothing (422 with each line).',
      security: bearer,
      middleware: [auth.bearer, auth.may('import-visits'), ...withBody],
      request: { body: { required: true, content: json(ImportRequest) } },
      responses: {
        200: { description: 'The visits imported, and those already followed up', content: json(Imported) },
        ...refusals(...BODY, ...AUTH, 403, 422),
      },
    }),
    async (c) => c.json(await services.imports.importCsv(c.get('principal'), 'api', c.req.valid('json')), 200),
    hook({ json: 'import' }),
  );
}

function visitRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/visits/{id}',
      summary: 'One visit, as the caller may see it',
      security: bearer,
      middleware: [auth.bearer],
      request: { params: VisitIdParam },
      responses: { 200: { description: 'The visit', content: json(VisitView) }, ...refusals(400, ...AUTH, 404) },
    }),
    async (c) => c.json(await services.visits.view(c.get('principal'), c.req.valid('param').id), 200),
    hook({ param: 'visit id' }),
  );
}

function allowedActionsRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/visits/{id}/actions',
      summary: 'The actions the caller may take now, with their fields',
      security: bearer,
      middleware: [auth.bearer],
      request: { params: VisitIdParam },
      responses: {
        200: { description: 'Allowed actions', content: json(zod.array(AllowedAction)) },
        ...refusals(400, ...AUTH, 404),
      },
    }),
    async (c) => c.json(await services.visits.allowedActions(c.get('principal'), c.req.valid('param').id), 200),
    hook({ param: 'visit id' }),
  );
}

function issueLinkRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/visits/{id}/links',
      summary: 'Issue a signed link for a State focal point',
      security: bearer,
      middleware: [auth.bearer, auth.may('issue-link'), ...withBody],
      request: { params: VisitIdParam, body: { required: true, content: json(LinkRequest) } },
      responses: {
        201: { description: 'The link (shown once)', content: json(IssuedLink) },
        ...refusals(...BODY, ...AUTH, 403, 404),
      },
    }),
    async (c) => {
      const link = await services.links.issue(c.get('principal'), c.req.valid('param').id, c.req.valid('json'));
      return c.json(link, 201);
    },
    hook({ param: 'visit id', json: 'link' }),
  );
}

/** Reads the visit and checks the role before the payload is validated, so 404 and 403 come first. */
function authorize(services: Services, action: ActionName): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = parseOr(VisitId, c.req.param('id'), 'visit id');
    const body: unknown = await c.req.json();
    c.set('visit', await services.visits.authorize(c.get('principal'), 'api', id, action, body));
    await next();
  };
}

function actionRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication, action: ActionName) {
  const route = createRoute({
    method: 'post',
    path: `/api/visits/{id}/actions/${action}`,
    summary: `Take the action ${action}`,
    description: 'Refused with 409 (and the actions allowed now) when the visit is not at a step that allows it.',
    security: bearer,
    // A list of recommendations may be a file's worth; every other payload is small.
    middleware: [
      auth.bearer,
      action === 'record-recommendations' ? limitFileBody : limitBody,
      jsonBody,
      authorize(services, action),
    ],
    request: { params: VisitIdParam, body: { required: true, content: json(ACTION_PAYLOADS[action]) } },
    responses: {
      200: { description: 'The visit after the action', content: json(VisitView) },
      ...refusals(...BODY, ...AUTH, 403, 404, 409, 422),
    },
  });
  app.openapi(
    route,
    async (c) => {
      const after = await services.visits.send(
        c.get('principal'),
        'api',
        c.get('visit'),
        action,
        c.req.valid('json') as z.infer<(typeof ACTION_PAYLOADS)[typeof action]>,
      );
      return c.json(after, 200);
    },
    (result, c) => {
      if (!result.success && result.target === 'json') {
        const body = rejected(result);
        return services.visits
          .refusePayload(c.get('principal'), 'api', c.get('visit'), action, body, result.error)
          .then((e): never => {
            throw e;
          });
      }
      return hook({ param: 'visit id' })(result, c);
    },
  );
}
