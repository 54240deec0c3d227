/**
 * Files for other programs: the overview, the annual reporting status and the visits conducted
 * (Appendix I of S/2020/99) as CSV (with a token or the dashboard's cookie), and each user's
 * calendar feed (the secret is in the path because calendar clients send no headers).
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { REGIONS, SORT_KEYS, type OverviewFilter } from '../../domain/monitoring';
import { STAGE_WORDS } from '../../domain/views';
import { VISIT_TYPES } from '../../domain/vocabulary';
import type { Principal } from '../../domain/permissions';
import { AppError, type Services } from '../../services';
import type { Authentication } from '../http/auth';
import type { AppEnv } from '../http/env';
import { AUTH, hook, refusals } from './responses';

const csvOrCookie: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
const csv = (description: string) => ({ description, content: { 'text/csv': { schema: z.string() } } });

/** A filter left at "all": the dashboard's forms send the field empty. */
const orAll = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]).optional();
const Year = z.coerce.number().int().min(2000).max(2100);

/** The overview's filters (also the dashboard's); empty values mean "all". */
export const OverviewQuery = z
  .object({
    year: orAll(Year),
    region: orAll(z.string().max(60).meta({ example: REGIONS.POL })),
    type: orAll(z.enum(VISIT_TYPES)),
    stage: orAll(z.enum(STAGE_WORDS)),
    overdue: orAll(z.enum(['true', 'false'])),
    sort: orAll(z.enum(SORT_KEYS)),
    desc: orAll(z.enum(['1'])),
  })
  .strict();

/** The dashboard's overview: the export's filters and sort, and which page of rows it shows. */
export const OverviewPageQuery = OverviewQuery.extend({
  page: orAll(z.coerce.number().int().min(1).max(100_000)),
}).strict();

export const AnnualQuery = z.object({ year: orAll(Year) }).strict();
/** Appendix I: the visits that ended in a year, or all. */
export const ConductedQuery = z.object({ year: orAll(Year) }).strict();

/** The overview filter a query asks for. */
export function filterOf(q: z.infer<typeof OverviewQuery>): OverviewFilter {
  return {
    ...(q.year ? { year: q.year } : {}),
    ...(q.region ? { region: q.region } : {}),
    ...(q.type ? { type: q.type } : {}),
    ...(q.stage ? { stage: q.stage } : {}),
    ...(q.overdue ? { overdue: q.overdue === 'true' } : {}),
  };
}

const FEED = /^[A-Za-z0-9_-]{32}\.ics$/;

/** A CSV export: its query, and the file it answers with (named for the download). */
function csvRoute<Q extends z.ZodObject>(
  app: OpenAPIHono<AppEnv>,
  auth: Authentication,
  r: {
    path: string;
    summary: string;
    query: Q;
    file: string;
    text: (p: Principal, q: z.output<Q>) => string | Promise<string>;
  },
): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: r.path,
      summary: r.summary,
      security: csvOrCookie,
      middleware: [auth.bearerOrCookie],
      request: { query: r.query },
      responses: { 200: csv('One row per visit'), ...refusals(400, ...AUTH, 403) },
    }),
    async (c) => {
      // Generic over its query, the route loses zod-openapi's inference: the validated query is Q's output.
      const query = (c.req as unknown as { valid(t: 'query'): z.output<Q> }).valid('query');
      const text = await r.text(c.get('principal'), query);
      c.header('content-disposition', `attachment; filename="${r.file}"`);
      return c.body(text, 200, { 'content-type': 'text/csv; charset=utf-8' });
    },
    hook({ query: 'query' }),
  );
}

export function exportRoutes(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  const { monitoring } = services;
  csvRoute(app, auth, {
    path: '/api/visits.csv',
    summary: 'The overview as CSV, with the same filters',
    query: OverviewQuery,
    file: 'visits.csv',
    text: (p, q) => monitoring.overviewCsv(p, filterOf(q)),
  });
  csvRoute(app, auth, {
    path: '/api/annual.csv',
    summary:
      "Every visited State's implementation-report status, with the visit's recommendations by CTED's assessed status (open, closed, priority open) and its TA needs by status, as CSV",
    query: AnnualQuery,
    file: 'reporting-status.csv',
    text: (p, q) => monitoring.annualCsv(p, q.year || undefined),
  });
  csvRoute(app, auth, {
    path: '/api/visits-conducted.csv',
    summary:
      'Appendix I of S/2020/99: the visits conducted, by number (State, type, ordinal, dates), with the adoption, transmission and consent dates',
    query: ConductedQuery,
    file: 'visits-conducted.csv',
    text: (p, q) => monitoring.visitsConductedCsv(p, q.year || undefined),
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/feeds/{file}',
      summary: "A user's calendar of open deadlines (the URL `followup users feed` prints)",
      request: {
        params: z.object({
          file: z
            .string()
            .meta({ param: { name: 'file', in: 'path' }, pattern: FEED.source, example: `${'A'.repeat(32)}.ics` }),
        }),
      },
      responses: {
        200: { description: 'An iCalendar file', content: { 'text/calendar': { schema: z.string() } } },
        ...refusals(404),
      },
    }),
    async (c) => {
      const file = c.req.valid('param').file;
      const user = FEED.test(file) ? await services.users.byFeedSecret(file.slice(0, 32)) : undefined;
      if (!user) throw new AppError('not-found', 'no such feed');
      return c.body(await services.monitoring.feed(user), 200, { 'content-type': 'text/calendar; charset=utf-8' });
    },
  );
}
