/**
 * The API's routes to the registers of recommendations: the list, one recommendation (its id holds
 * a slash: `166-POL%2FR12`, or the two parts as path segments `166-POL/R12`), the register's CSV
 * export, and a visit's file of recommendations (CSV or a JSON array) for `record-recommendations`.
 * Each route is its schemas, its middleware and one call into the recommendation service.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { SchemaObject } from 'openapi3-ts/oas31';
import { VisitId } from '../../contract';
import { MAX_RECOMMENDATIONS, RecommendationId, THEMES } from '../../domain/recommendations/model';
import {
  CtedRecommendationView,
  PartnerRecommendationView,
  StateRecommendationView,
} from '../../domain/recommendations/views';
import { AppError, type Services } from '../../services';
import { parseOr } from '../../services/errors';
import type { Authentication } from '../http/auth';
import { bodyText, cacheText, limitFileBody } from '../http/body';
import type { AppEnv } from '../http/env';
import { AUTH, BODY, hook, json, refusals } from './responses';
import { VisitIdParam, VisitView } from './schemas';

const bearer = [{ bearer: [] }];
const csvOrCookie: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** A filter left at "all": a form sends the field empty. */
const orAll = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]).optional();

export const RecommendationQuery = z
  .object({
    state: orAll(
      z
        .string()
        .regex(/^[A-Z]{3}$/)
        .meta({ example: 'POL' }),
    ),
    visit: orAll(VisitId.meta({ example: '166-POL' })),
    /** open: not yet implemented, no longer relevant or superseded (CTED's assessment); not for partners. */
    status: orAll(z.enum(['open', 'closed'])),
    /** true: priority recommendations only; false: the others. */
    priority: orAll(z.enum(['true', 'false'])),
  })
  .strict();

const filterOf = (q: z.infer<typeof RecommendationQuery>) => ({
  ...(q.state ? { state: q.state } : {}),
  ...(q.visit ? { visit: q.visit } : {}),
  ...(q.status ? { status: q.status } : {}),
  ...(q.priority ? { priority: q.priority === 'true' } : {}),
});

/** A recommendation as the caller's role may see it (src/domain/recommendations/views.ts). */
export const RecommendationView = z
  .union([
    CtedRecommendationView.meta({
      id: 'RecommendationView',
      description: 'The whole record: CTED, the secretariat, the Committee and the Chair',
    }),
    StateRecommendationView.meta({ id: 'StateRecommendationView', description: "A State's own recommendation" }),
    PartnerRecommendationView.meta({
      id: 'PartnerRecommendationView',
      description: 'A TA need referred to the partner, with its own part of the loop',
    }),
  ])
  .meta({ id: 'Recommendation', description: "A recommendation as the caller's role may see it." });

const RecommendationIdParam = z.object({
  id: RecommendationId.meta({
    param: { name: 'id', in: 'path' },
    example: '166-POL/R12',
    description: 'The id with its slash encoded: 166-POL%2FR12',
  }),
});
const RecommendationPartsParam = z.object({
  visit: VisitId.meta({ param: { name: 'visit', in: 'path' }, example: '166-POL' }),
  number: z
    .string()
    .regex(/^R\d{1,3}$/, 'expected R and the number, e.g. R12')
    .meta({ param: { name: 'number', in: 'path' }, example: 'R12' }),
});

/** One row of a file of recommendations sent as JSON. */
const FileRow = z.object({
  number: z.union([z.number().int(), z.string()]).meta({ description: '12, or "R12"' }),
  text: z.string(),
  theme: z.string().meta({ description: `One of ${THEMES.join(', ')}` }),
  priority: z.union([z.boolean(), z.string()]).meta({ description: 'true or false, or "yes" or "no"' }),
  ta_need: z.string().optional(),
  taNeed: z.string().optional(),
  supersedes: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .meta({ description: 'Earlier recommendation ids this one replaces (a list, or separated by ;)' }),
});
/**
 * The JSON form, documented from its zod schema but read by the same reader as a CSV file (not
 * by the route's validator), so that a bad row is a 422 naming the row whatever the format.
 */
const { $schema: _dialect, ...fileSchema } = z.toJSONSchema(
  z.array(FileRow).describe(`1 to ${MAX_RECOMMENDATIONS} recommendations, each numbered once`),
);
// zod's JSON Schema (draft 2020-12) is OpenAPI 3.1's schema dialect.
const RECOMMENDATION_FILE = fileSchema as SchemaObject;

export function recommendationRoutes(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  listRoute(app, services, auth);
  csvRoute(app, services, auth);
  oneRoute(app, services, auth);
  oneByPartsRoute(app, services, auth);
  fileRoute(app, services, auth);
}

function listRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/recommendations',
      summary: 'The recommendations the caller may see, from the States’ registers',
      description:
        'A State sees its own register only; a partner the needs referred to it (and may not filter by status).',
      security: bearer,
      middleware: [auth.bearer],
      request: { query: RecommendationQuery },
      responses: {
        200: { description: 'Recommendations, by visit then number', content: json(z.array(RecommendationView)) },
        ...refusals(400, ...AUTH),
      },
    }),
    async (c) => c.json(await services.recommendations.list(c.get('principal'), filterOf(c.req.valid('query'))), 200),
    hook({ query: 'query' }),
  );
}

function csvRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/recommendations.csv',
      summary: 'The register as CSV, with the same filters',
      description:
        'Columns: id, visit, state, number, theme, priority, ta_need, reported_status, reported_at, assessed_status, assessed_at, status, superseded_by, ta_status, ta_partners, text.',
      security: csvOrCookie,
      middleware: [auth.bearerOrCookie],
      request: { query: RecommendationQuery },
      responses: {
        200: { description: 'One row per recommendation', content: { 'text/csv': { schema: z.string() } } },
        ...refusals(400, ...AUTH),
      },
    }),
    async (c) => {
      const text = await services.recommendations.csv(c.get('principal'), filterOf(c.req.valid('query')));
      c.header('content-disposition', 'attachment; filename="recommendations.csv"');
      return c.body(text, 200, { 'content-type': 'text/csv; charset=utf-8' });
    },
    hook({ query: 'query' }),
  );
}

const oneResponses = {
  200: { description: 'The recommendation', content: json(RecommendationView) },
  ...refusals(400, ...AUTH, 404),
};

function oneRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/recommendations/{id}',
      summary: 'One recommendation, as the caller may see it',
      description: "404 for an unknown id and for one the caller may not see (another State's, a need not referred).",
      security: bearer,
      middleware: [auth.bearer],
      request: { params: RecommendationIdParam },
      responses: oneResponses,
    }),
    async (c) => c.json(await services.recommendations.get(c.get('principal'), c.req.valid('param').id), 200),
    hook({ param: 'recommendation id' }),
  );
}

function oneByPartsRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/recommendations/{visit}/{number}',
      summary: 'One recommendation by its id written out: /api/recommendations/166-POL/R12',
      security: bearer,
      middleware: [auth.bearer],
      request: { params: RecommendationPartsParam },
      responses: oneResponses,
    }),
    async (c) => {
      const { visit, number } = c.req.valid('param');
      return c.json(await services.recommendations.get(c.get('principal'), `${visit}/${number}`), 200);
    },
    hook({ param: 'recommendation id' }),
  );
}

const CSV_EXAMPLE =
  'number,text,theme,priority,ta_need\r\n12,"Adopt a national counter-terrorism strategy",legislation,yes,"Legislative drafting assistance"\r\n';

const CSV_TYPE = /^text\/csv(;\s*[a-zA-Z0-9-]+=[^;]+)*$/i;
const JSON_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=[^;]+)*$/i;

/** The file's format from the media type; the body checked as UTF-8 (and as JSON syntax when JSON). */
const fileBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const text = await bodyText(c);
  const type = c.req.header('content-type') ?? '';
  if (!CSV_TYPE.test(type) && !JSON_TYPE.test(type)) {
    throw new AppError('unsupported-media-type', 'send the file as text/csv or as a JSON array (application/json)');
  }
  if (text.trim() === '') throw new AppError('invalid-request', 'the request body holds no file of recommendations');
  if (JSON_TYPE.test(type)) {
    try {
      JSON.parse(text);
    } catch {
      throw new AppError('malformed-json', 'the request body is not valid JSON');
    }
  }
  cacheText(c, text);
  await next();
};

/** Reads the visit and checks the role before the file is read, so 404 and 403 come first. */
const authorize =
  (services: Services): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const id = parseOr(VisitId, c.req.param('id'), 'visit id');
    const s = await services.visits.authorize(c.get('principal'), 'api', id, 'record-recommendations', {
      format: formatOf(c),
    });
    c.set('visit', s);
    await next();
  };

const formatOf = (c: Context) => (CSV_TYPE.test(c.req.header('content-type') ?? '') ? 'csv' : 'json');

function fileRoute(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/visits/{id}/recommendations',
      summary: "Record a visit's recommendations from a file (record-recommendations)",
      description:
        'CSV with the header number,text,theme,priority,ta_need (priority yes/no; optional supersedes, ids separated by ;), or the same as a JSON array. Every row is validated first: one bad row records nothing (422 naming each bad row: its CSV line, or its place in the array, and the field). Refused with 409 when the visit is not at its final draft.',
      security: bearer,
      middleware: [auth.bearer, limitFileBody, fileBody, authorize(services)],
      request: {
        params: VisitIdParam,
        body: {
          required: true,
          content: {
            'application/json': { schema: RECOMMENDATION_FILE },
            'text/csv': { schema: z.string().meta({ example: CSV_EXAMPLE }) },
          },
        },
      },
      responses: {
        200: { description: 'The visit after the action', content: json(VisitView) },
        ...refusals(...BODY, ...AUTH, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const text = await c.req.text();
      const after = await services.recommendations.importFile(c.get('principal'), 'api', c.get('visit'), text, {
        format: formatOf(c),
      });
      return c.json(after, 200);
    },
    hook({ param: 'visit id' }),
  );
}
