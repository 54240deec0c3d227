/**
 * The HTTP API: JSON in and out, every body and query validated with zod, one error mapper,
 * bearer tokens for people with an account and signed links for those without. Served by
 * `npm start` on PORT. Every action attempt is appended to the hash-chained audit trail.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z, ZodError } from 'zod';
import { FailureType, VisitId, VisitStartRequest } from './contract';
import { ACTION_FIELDS, ACTION_PAYLOADS, ActionNameSchema, describeIssues } from './domain/actions';
import { mayAct, mayOperate, mayRead, viewFor, type Operation, type Principal, type Role } from './domain/permissions';
import type { Policy } from './domain/policy';
import type { VisitStatus } from './domain/visit';
import { STAGES, type ActionName } from './domain/vocabulary';
import { readVisitsCsv } from './import-csv';
import { signLink, verifyLink } from './links';
import { buildOpenApi } from './openapi';
import type { Store } from './store';
import { actOnVisit, listVisits, startVisit, visitStatus } from './visits';

export const MAX_BODY_BYTES = 64 * 1024;

/** An error with the HTTP status and body the caller sees; never a stack or a secret. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const ListQuery = z
  .object({
    stage: z.enum(STAGES).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    state: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
  })
  .strict();

export const ImportRequest = z
  .object({
    csv: z.string().min(1).max(MAX_BODY_BYTES),
    caseOfficer: z.email().optional(),
    stateContact: z.string().min(3).max(200).optional(),
  })
  .strict();

export const LinkRequest = z
  .object({
    action: ActionNameSchema,
    email: z.email(),
    /** Days the link stays valid (default 45: the comment period and one extension). */
    days: z.number().int().min(1).max(120).default(45),
  })
  .strict();

export interface ApiDeps {
  client: Client;
  store: Store;
  policy: Policy;
  linkSecret: string;
  publicUrl: string;
  now?: () => number;
  /** Authentication failures and link requests allowed per client address per minute. */
  rateLimit?: number;
}

/** A fixed-window limiter per client address. */
function limiter(perMinute: number, now: () => number) {
  const windows = new Map<string, { start: number; count: number }>();
  return (key: string) => {
    const t = now();
    const w = windows.get(key);
    if (!w || t - w.start >= 60_000) {
      windows.set(key, { start: t, count: 1 });
      if (windows.size > 10_000) windows.clear(); // bounded memory under a flood of addresses
      return;
    }
    if (++w.count > perMinute) throw new HttpError(429, 'rate-limited', 'too many requests; try again in a minute');
  };
}

async function readText(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES)
    throw new HttpError(413, 'body-too-large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, 'body-too-large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'malformed-json', 'the request body is not valid UTF-8');
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  if (text.trim() === '') return {};
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new HttpError(415, 'unsupported-media-type', 'send JSON with Content-Type: application/json');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed-json', 'the request body is not valid JSON');
  }
  return value;
}

/** A decoded path segment; a malformed percent-escape is the caller's error, not ours. */
export function pathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'invalid-request', 'the path holds a malformed percent-escape');
  }
}

/** Deepest nesting the audit trail records: payloads are flat, and a hostile body must not overflow the stack. */
const MAX_AUDIT_DEPTH = 20;

function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > limit) return true;
    if (v && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new HttpError(400, 'invalid-request', `${what}: ${describeIssues(r.error)}`, {
      issues: r.error.issues.map((i) => ({ path: i.path, message: i.message })),
    });
  return r.data;
}

/** A response that is not JSON: an HTML page, a CSV or calendar file, a redirect. */
export class Raw {
  constructor(
    readonly type: string,
    readonly text: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const raw = body instanceof Raw ? body : undefined;
  const text = raw ? raw.text : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': raw ? raw.type : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(raw?.headers ?? {}),
  });
  res.end(text);
}

export type Handler = (req: IncomingMessage, m: RegExpExecArray, url: URL) => Promise<[number, unknown]>;
export type Route = [string, RegExp, Handler];

/** What other doors (the dashboard, feeds) reuse of the API's machinery. */
export interface ApiContext {
  deps: ApiDeps;
  now: () => number;
  principalForToken(token: string | undefined, req: IncomingMessage): Principal;
  readable(p: Principal, id: string): Promise<VisitStatus>;
  act(
    p: Principal,
    door: 'api' | 'link' | 'web',
    status: VisitStatus,
    action: ActionName,
    body: unknown,
  ): Promise<ReturnType<typeof viewFor>>;
  readBody(req: IncomingMessage): Promise<string>;
}

export function createApi(
  deps: ApiDeps,
  extraRoutes: (ctx: ApiContext) => Route[] = () => [],
  htmlError?: (status: number, message: string) => Raw,
): Server {
  const now = deps.now ?? Date.now;
  const authLimit = limiter(deps.rateLimit ?? 20, now);
  const linkLimit = limiter(deps.rateLimit ?? 20, now);
  const openapi = buildOpenApi();

  const principalForToken = (token: string | undefined, req: IncomingMessage): Principal => {
    const user = token && /^[A-Za-z0-9_-]{20,200}$/.test(token) ? deps.store.userByToken(token) : undefined;
    if (!user) {
      authLimit(req.socket.remoteAddress ?? 'unknown');
      throw new HttpError(401, 'unauthenticated', 'a valid bearer token is required');
    }
    return {
      email: user.email,
      role: user.role as Role,
      ...(user.state ? { state: user.state } : {}),
      ...(user.organisation ? { organisation: user.organisation } : {}),
    };
  };
  const authenticate = (req: IncomingMessage): Principal =>
    principalForToken(/^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1], req);

  const require = (p: Principal, op: Operation) => {
    if (!mayOperate(p, op)) throw new HttpError(403, 'forbidden', `the ${p.role} role may not ${op.replace('-', ' ')}`);
  };

  /** The visit's status, or 404 for a visit that does not exist or that the principal may not see. */
  const readable = async (p: Principal, id: string): Promise<VisitStatus> => {
    let status: VisitStatus;
    try {
      status = await visitStatus(deps.client, id);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new HttpError(404, 'not-found', `no visit ${id}`);
      throw e;
    }
    if (!mayRead(p, status)) throw new HttpError(404, 'not-found', `no visit ${id}`);
    return status;
  };

  const act = async (
    p: Principal,
    door: 'api' | 'link' | 'web',
    status: VisitStatus,
    action: ActionName,
    body: unknown,
  ) => {
    const payloadForAudit = depthExceeds(body, MAX_AUDIT_DEPTH)
      ? { unrecorded: `payload nested deeper than ${MAX_AUDIT_DEPTH} levels` }
      : body;
    const audit = (outcome: 'accepted' | 'refused', detail?: string) =>
      deps.store.appendAudit({
        at: new Date(now()).toISOString(),
        actor: p.email,
        role: p.role,
        door,
        visitId: status.id,
        action,
        payload: payloadForAudit,
        outcome,
        ...(detail ? { detail } : {}),
      });
    if (!mayAct(p, action, status)) {
      audit('refused', 'forbidden');
      throw new HttpError(403, 'forbidden', `the ${p.role} role may not ${action}`);
    }
    const payload = ACTION_PAYLOADS[action].safeParse(body);
    if (!payload.success) {
      audit('refused', 'invalid payload');
      throw new HttpError(400, 'invalid-request', `${action}: ${describeIssues(payload.error)}`, {
        issues: payload.error.issues.map((i) => ({ path: i.path, message: i.message })),
        fields: ACTION_FIELDS[action],
      });
    }
    try {
      const after = await actOnVisit(deps.client, status.id, {
        action,
        payload: payload.data,
        actor: { email: p.email, role: p.role },
        door,
      });
      audit('accepted');
      return viewFor(p, after);
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
        audit('refused', e.cause.message);
        const allowed = viewFor(p, await visitStatus(deps.client, status.id));
        const allowedActions = 'allowedActions' in allowed ? allowed.allowedActions.map((a) => a.action) : [];
        if (e.cause.type === FailureType.ActionNotAllowed)
          throw new HttpError(409, 'not-allowed-now', e.cause.message, { allowedActions });
        throw new HttpError(422, 'refused', e.cause.message, { allowedActions });
      }
      // A closed or withdrawn visit's workflow has finished: it still answers queries, not updates.
      if (e instanceof WorkflowNotFoundError) {
        audit('refused', `visit is ${status.stage}`);
        throw new HttpError(409, 'not-allowed-now', `${action} is not allowed: visit ${status.id} is ${status.stage}`, {
          allowedActions: [],
        });
      }
      throw e;
    }
  };

  const linksInFlight = new Set<string>();
  const linkClaims = (req: IncomingMessage, token: string) => {
    linkLimit(req.socket.remoteAddress ?? 'unknown');
    const check = verifyLink(token, deps.linkSecret, now());
    if (!check.ok)
      throw new HttpError(
        401,
        check.reason === 'expired' ? 'link-expired' : 'link-invalid',
        check.reason === 'expired'
          ? 'this link has expired; ask the secretariat for a new one'
          : 'this link is not valid',
      );
    if (deps.store.linkUsed(check.id)) throw new HttpError(409, 'link-used', 'this link has already been used');
    const p: Principal = {
      email: check.claims.e,
      role: check.claims.r,
      ...(check.claims.s ? { state: check.claims.s } : {}),
      ...(check.claims.o ? { organisation: check.claims.o } : {}),
    };
    return { ...check, principal: p };
  };

  const ctx: ApiContext = { deps, now, principalForToken, readable, act, readBody: readText };
  const routes: Route[] = [
    ...extraRoutes(ctx),
    ['GET', /^\/openapi\.json$/, async () => [200, openapi]],
    ['GET', /^\/api\/me$/, async (req) => [200, authenticate(req)]],
    [
      'GET',
      /^\/api\/policy$/,
      async (req) => {
        require(authenticate(req), 'read-policy');
        return [200, deps.policy];
      },
    ],
    [
      'GET',
      /^\/api\/visits$/,
      async (req, _m, url) => {
        const p = authenticate(req);
        const q = parse(ListQuery, Object.fromEntries(url.searchParams), 'query');
        const state = p.role === 'state' ? p.state : q.state;
        if (p.role === 'state' && q.state && q.state !== p.state) return [200, []];
        const list = await listVisits(deps.client, {
          ...(q.stage ? { stage: q.stage } : {}),
          ...(q.overdue === 'true' ? { overdue: true } : {}),
          ...(state ? { state } : {}),
        });
        if (p.role !== 'partner') return [200, list.filter((v) => q.overdue !== 'false' || !v.overdue)];
        const shared = [];
        for (const v of list.filter((x) => ['transmitting', 'implementing', 'closed'].includes(x.stage))) {
          const s = await visitStatus(deps.client, v.id);
          if (mayRead(p, s)) shared.push(viewFor(p, s));
        }
        return [200, shared];
      },
    ],
    [
      'POST',
      /^\/api\/visits$/,
      async (req) => {
        const p = authenticate(req);
        require(p, 'start-visit');
        const request = parse(VisitStartRequest, await readJson(req), 'visit');
        try {
          const { id } = await startVisit(deps.client, request, deps.policy);
          deps.store.appendAudit({
            at: new Date(now()).toISOString(),
            actor: p.email,
            role: p.role,
            door: 'api',
            visitId: id,
            action: 'start-visit',
            payload: request,
            outcome: 'accepted',
          });
          return [201, { id }];
        } catch (e) {
          if (e instanceof WorkflowExecutionAlreadyStartedError)
            throw new HttpError(409, 'exists', `visit ${request.number}-${request.state} is already being followed up`);
          throw e;
        }
      },
    ],
    [
      'POST',
      /^\/api\/visits\/import$/,
      async (req) => {
        const p = authenticate(req);
        require(p, 'import-visits');
        const body = parse(ImportRequest, await readJson(req), 'import');
        const { rows, problems } = readVisitsCsv(body.csv, {
          ...(body.caseOfficer ? { caseOfficer: body.caseOfficer } : {}),
          ...(body.stateContact ? { stateContact: body.stateContact } : {}),
        });
        if (problems.length)
          throw new HttpError(422, 'bad-rows', `nothing imported: ${problems.length} bad row(s)`, { problems });
        const remindersFrom = new Date(now());
        const imported: string[] = [];
        const alreadyImported: string[] = [];
        for (const row of rows) {
          try {
            imported.push((await startVisit(deps.client, row.request, deps.policy, { remindersFrom })).id);
          } catch (e) {
            if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
            alreadyImported.push(`${row.request.number}-${row.request.state}`);
          }
        }
        deps.store.appendAudit({
          at: new Date(now()).toISOString(),
          actor: p.email,
          role: p.role,
          door: 'api',
          action: 'import-visits',
          payload: { imported, alreadyImported },
          outcome: 'accepted',
        });
        return [200, { imported, alreadyImported }];
      },
    ],
    [
      'GET',
      /^\/api\/visits\/([^/]+)$/,
      async (req, m) => {
        const p = authenticate(req);
        const id = parse(VisitId, pathSegment(m[1]!), 'visit id');
        return [200, viewFor(p, await readable(p, id))];
      },
    ],
    [
      'GET',
      /^\/api\/visits\/([^/]+)\/actions$/,
      async (req, m) => {
        const p = authenticate(req);
        const id = parse(VisitId, pathSegment(m[1]!), 'visit id');
        const view = viewFor(p, await readable(p, id));
        return [200, 'allowedActions' in view ? view.allowedActions : []];
      },
    ],
    [
      'POST',
      /^\/api\/visits\/([^/]+)\/actions\/([^/]+)$/,
      async (req, m) => {
        const p = authenticate(req);
        const id = parse(VisitId, pathSegment(m[1]!), 'visit id');
        const action = parse(ActionNameSchema, pathSegment(m[2]!), 'action');
        const body = await readJson(req);
        const status = await readable(p, id);
        return [200, await act(p, 'api', status, action, body)];
      },
    ],
    [
      'POST',
      /^\/api\/visits\/([^/]+)\/links$/,
      async (req, m) => {
        const p = authenticate(req);
        require(p, 'issue-link');
        const id = parse(VisitId, pathSegment(m[1]!), 'visit id');
        const body = parse(LinkRequest, await readJson(req), 'link');
        const status = await readable(p, id);
        if (!mayAct({ email: body.email, role: 'state', state: status.state }, body.action, status)) {
          throw new HttpError(
            400,
            'invalid-request',
            `a link lets a State focal point act; ${body.action} is not a State's action`,
          );
        }
        const expiresAt = Math.floor(now() / 1000) + body.days * 86_400;
        const token = signLink(
          { v: id, a: body.action, e: body.email, r: 'state', s: status.state, x: expiresAt },
          deps.linkSecret,
        );
        deps.store.appendAudit({
          at: new Date(now()).toISOString(),
          actor: p.email,
          role: p.role,
          door: 'api',
          visitId: id,
          action: 'issue-link',
          payload: { action: body.action, email: body.email },
          outcome: 'accepted',
        });
        return [
          201,
          {
            url: `${deps.publicUrl.replace(/\/$/, '')}/api/links/${token}`,
            token,
            expiresAt: new Date(expiresAt * 1000).toISOString(),
          },
        ];
      },
    ],
    [
      'GET',
      /^\/api\/links\/([^/]+)$/,
      async (req, m) => {
        const { claims } = linkClaims(req, m[1]!);
        return [
          200,
          {
            visitId: claims.v,
            action: claims.a,
            email: claims.e,
            fields: ACTION_FIELDS[claims.a],
            expiresAt: new Date(claims.x * 1000).toISOString(),
          },
        ];
      },
    ],
    [
      'POST',
      /^\/api\/links\/([^/]+)$/,
      async (req, m) => {
        const { claims, id: linkId, principal } = linkClaims(req, m[1]!);
        const body = await readJson(req);
        if (linksInFlight.has(linkId)) throw new HttpError(409, 'link-used', 'this link is being used');
        linksInFlight.add(linkId);
        try {
          let status: VisitStatus;
          try {
            status = await visitStatus(deps.client, claims.v);
          } catch (e) {
            if (e instanceof WorkflowNotFoundError) throw new HttpError(404, 'not-found', `no visit ${claims.v}`);
            throw e;
          }
          const result = await act(principal, 'link', status, claims.a, body);
          // Spent only once it worked: a refused attempt (bad payload, wrong moment) can be corrected.
          deps.store.useLink(linkId, claims.v, claims.a, new Date(now()));
          return [200, result];
        } finally {
          linksInFlight.delete(linkId);
        }
      },
    ],
  ];

  return createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const matching = routes.filter(([, re]) => re.test(url.pathname));
        if (!matching.length) throw new HttpError(404, 'not-found', `no route ${url.pathname}`);
        const route = matching.find(([method]) => method === req.method);
        if (!route) throw new HttpError(405, 'method-not-allowed', `${req.method} is not allowed on ${url.pathname}`);
        const [status, body] = await route[2](req, route[1].exec(url.pathname)!, url);
        send(res, status, body);
      } catch (e) {
        // People in a browser get a page; programs get JSON.
        const path = (req.url ?? '/').split('?')[0]!;
        const forPeople = !path.startsWith('/api/') && !path.startsWith('/feeds/') && path !== '/openapi.json';
        if (e instanceof HttpError && e.status === 303)
          send(res, 303, new Raw('text/plain; charset=utf-8', e.message, e.headers));
        else if (e instanceof HttpError)
          send(
            res,
            e.status,
            forPeople && htmlError ? htmlError(e.status, e.message) : { error: e.code, message: e.message, ...e.extra },
          );
        else if (e instanceof ZodError)
          send(
            res,
            400,
            forPeople && htmlError
              ? htmlError(400, describeIssues(e))
              : { error: 'invalid-request', message: describeIssues(e) },
          );
        else {
          console.error(
            `API error on ${req.method} ${req.url?.split('?')[0]?.replace(/\/api\/links\/.*/, '/api/links/…')}: ${(e as Error).message}`,
          );
          send(res, 500, { error: 'internal', message: 'the request could not be completed' });
        }
      }
    })();
  });
}
