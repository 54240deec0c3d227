/**
 * The secretariat's dashboard, server-rendered (no script, small pages for a slow link): the
 * overview, a visit's page with its timeline and action buttons, guideline compliance, the
 * annual reporting-status list, CSV exports and personal calendar feeds. Signed in with the same
 * tokens as the API (kept in an HttpOnly cookie); a State sees only its own visits.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError, pathSegment, Raw, type ApiContext, type Route } from './api';
import { VisitId } from './contract';
import { ACTION_FIELDS, ActionNameSchema, type FieldSpec } from './domain/actions';
import { newYorkDate } from './domain/calendar';
import {
  annualReportingStatus,
  compliance,
  overview,
  REGIONS,
  SORT_KEYS,
  toCsv,
  type Snapshot,
} from './domain/monitoring';
import { mayAct, mayRead, type Principal } from './domain/permissions';
import { STAGES, VISIT_TYPES } from './domain/vocabulary';

const COOKIE = 'followup_session';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const day = (iso: string | null | undefined) => (iso ? newYorkDate(Date.parse(iso)) : '—');

function page(title: string, p: Principal | null, body: string): Raw {
  const nav = p
    ? `<nav><a href="/">Overview</a> <a href="/compliance">Guideline compliance</a> <a href="/annual">Annual reporting status</a>
       <span class="who">${esc(p.email)} (${esc(p.role)}${p.state ? ` ${esc(p.state)}` : ''})</span>
       <form method="post" action="/sign-out" class="inline"><button>Sign out</button></form></nav>`
    : '';
  return new Raw(
    'text/html; charset=utf-8',
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · CTC visit follow-up</title><style>
body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5rem 2rem;color:#1b1b1b}nav{padding:.6rem 0;border-bottom:1px solid #ccc;margin-bottom:1rem}
nav a{margin-right:1rem}.who{color:#555;margin:0 1rem}.inline{display:inline}table{border-collapse:collapse;width:100%}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}th a{color:inherit}
.overdue{color:#a00;font-weight:600}.ok{color:#060}.muted{color:#666}.counts span{margin-right:1rem}
form.filters label{margin-right:.6rem}fieldset{margin:.5rem 0;border:1px solid #ddd}.bar{fill:#4a78b5}.target{stroke:#a00;stroke-width:2}
@media print{nav,form{display:none}}</style></head><body>${nav}<main><h1>${esc(title)}</h1>${body}</main></body></html>`,
  );
}

/** Where to go after signing in: only a path on this server, never another site. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || /[\\\s]/.test(next)) return '/';
  const u = new URL(next, 'http://dashboard.invalid');
  return u.origin === 'http://dashboard.invalid' ? `${u.pathname}${u.search}` : '/';
}

function cookieToken(req: IncomingMessage): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([A-Za-z0-9_-]+)`).exec(req.headers.cookie ?? '');
  return m?.[1];
}

const OverviewQuery = z
  .object({
    year: z.coerce.number().int().min(2000).max(2100).optional(),
    region: z.string().max(60).optional(),
    type: z.enum(VISIT_TYPES).optional(),
    stage: z.enum(STAGES).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    sort: z.enum(SORT_KEYS).optional(),
    desc: z.enum(['1']).optional(),
  })
  .strict();

const AnnualQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }).strict();

/** The secret part of a user's calendar feed URL: derived, so nothing more is stored. */
export function feedSecret(linkSecret: string, email: string): string {
  return createHmac('sha256', linkSecret).update(`feed:${email}`).digest('base64url').slice(0, 32);
}

function fieldInput(action: string, f: FieldSpec): string {
  const id = `f-${action}-${f.name}`;
  const label = `<label for="${id}">${esc(f.name)}${f.required ? ' *' : ''}</label> `;
  switch (f.type) {
    case 'enum':
      return `${label}<select id="${id}" name="${esc(f.name)}">${(f.values ?? []).map((v) => `<option>${esc(v)}</option>`).join('')}</select>`;
    case 'boolean':
      return `${label}<input id="${id}" type="checkbox" name="${esc(f.name)}" value="true">`;
    case 'date':
      return `${label}<input id="${id}" type="date" name="${esc(f.name)}"${f.required ? ' required' : ''}>`;
    default:
      return `${label}<input id="${id}" name="${esc(f.name)}" placeholder="${esc(f.type === 'string[]' ? 'comma-separated' : f.description)}"${f.required ? ' required' : ''}>`;
  }
}

/** Form fields to an action payload: empty fields are left out, lists split on commas. */
function payloadFromForm(action: z.infer<typeof ActionNameSchema>, form: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ACTION_FIELDS[action]) {
    const v = form.get(f.name);
    if (v === null || v.trim() === '') continue;
    out[f.name] =
      f.type === 'string[]'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : f.type === 'boolean'
          ? v === 'true'
          : v.trim();
  }
  for (const key of form.keys()) if (!ACTION_FIELDS[action].some((f) => f.name === key)) out[key] = form.get(key);
  return out;
}

/** An error as a page, for people in a browser. */
export function errorPage(status: number, message: string): Raw {
  const title =
    status === 404
      ? 'Not found'
      : status === 403
        ? 'Not for your role'
        : status === 401
          ? 'Sign in again'
          : 'Something is not right';
  return page(title, null, `<p>${esc(message)}</p><p><a href="/">Back to the overview</a></p>`);
}

export function webRoutes(ctx: ApiContext): Route[] {
  const { deps } = ctx;
  const signedIn = (req: IncomingMessage): Principal | null => {
    const token = cookieToken(req);
    if (!token) return null;
    try {
      return ctx.principalForToken(token, req);
    } catch {
      return null;
    }
  };
  const redirect = (to: string, headers: Record<string, string> = {}) =>
    [303, new Raw('text/plain; charset=utf-8', `See ${to}`, { location: to, ...headers })] as [number, Raw];
  const mustSignIn = (req: IncomingMessage, url: URL) => {
    const p = signedIn(req);
    if (!p)
      throw new HttpError(
        303,
        'sign-in',
        'sign in first',
        {},
        { location: `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}` },
      );
    return p;
  };
  /** The snapshots the principal may see in full: a partner sees no internal detail, only shared reports. */
  const visible = (p: Principal): Snapshot[] =>
    p.role === 'partner' ? [] : deps.store.snapshots().filter((s) => mayRead(p, s));
  const notForPartners = (p: Principal) => {
    if (p.role === 'partner')
      throw new HttpError(403, 'forbidden', 'partners see the reports States chose to share, on the overview page');
  };
  const query = <T>(schema: z.ZodType<T>, url: URL): T => {
    const r = schema.safeParse(Object.fromEntries([...url.searchParams].filter(([, v]) => v !== '')));
    if (!r.success)
      throw new HttpError(
        400,
        'invalid-request',
        r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    return r.data;
  };
  const csvAuth = (req: IncomingMessage): Principal => {
    const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return ctx.principalForToken(bearer ?? cookieToken(req), req);
  };
  const overviewOf = (p: Principal, url: URL) => {
    const q = query(OverviewQuery, url);
    const snapshots = visible(p);
    return {
      q,
      snapshots,
      result: overview(
        snapshots,
        ctx.now(),
        {
          ...(q.year ? { year: q.year } : {}),
          ...(q.region ? { region: q.region } : {}),
          ...(q.type ? { type: q.type } : {}),
          ...(q.stage ? { stage: q.stage } : {}),
          ...(q.overdue ? { overdue: q.overdue === 'true' } : {}),
        },
        { key: q.sort ?? 'number', desc: q.desc === '1' },
      ),
    };
  };

  const routes: Route[] = [
    [
      'GET',
      /^\/sign-in$/,
      async (_req, _m, url) => [
        200,
        page(
          'Sign in',
          null,
          `<form method="post" action="/sign-in"><input type="hidden" name="next" value="${esc(url.searchParams.get('next') ?? '/')}">
          <p><label for="token">Your access token</label><br><input id="token" name="token" type="password" size="50" autocomplete="current-password" required></p>
          <p><button>Sign in</button></p><p class="muted">Tokens are issued by the secretariat with <code>followup users add</code>.</p></form>`,
        ),
      ],
    ],
    [
      'POST',
      /^\/sign-in$/,
      async (req) => {
        const form = new URLSearchParams(await ctx.readBody(req));
        const token = form.get('token') ?? '';
        try {
          ctx.principalForToken(token, req);
        } catch (e) {
          if (e instanceof HttpError && e.status === 429) throw e;
          return [
            401,
            page(
              'Sign in',
              null,
              '<p class="overdue">That token is not valid.</p><p><a href="/sign-in">Try again</a></p>',
            ),
          ];
        }
        return redirect(safeNext(form.get('next')), {
          'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${12 * 3600}`,
        });
      },
    ],
    [
      'POST',
      /^\/sign-out$/,
      async () => redirect('/sign-in', { 'set-cookie': `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` }),
    ],
    [
      'GET',
      /^\/$/,
      async (req, _m, url) => {
        const p = mustSignIn(req, url);
        if (p.role === 'partner') {
          const shared = deps.store.snapshots().filter((s) => mayRead(p, s));
          return [
            200,
            page(
              'Reports shared with you',
              p,
              `<table><thead><tr><th>Visit</th><th>State</th><th>Type</th><th>Adopted</th><th>Consent</th></tr></thead><tbody>${
                shared
                  .map(
                    (s) =>
                      `<tr data-visit="${esc(s.id)}"><td>${esc(s.id)}</td><td>${esc(s.stateName ?? s.state)}</td><td>${esc(s.type)}</td><td>${esc(day(s.adoptedAt))}</td><td>${esc(s.consent.scope)}${s.consent.sections.length ? `: ${esc(s.consent.sections.join(', '))}` : ''}${s.consent.priorityTaNeedsOnly ? ' (priority TA needs only)' : ''}</td></tr>`,
                  )
                  .join('') || '<tr><td colspan="5" class="muted">No State has shared a report with you yet.</td></tr>'
              }</tbody></table>`,
            ),
          ];
        }
        const { q, result, snapshots } = overviewOf(p, url);
        const sortLink = (key: string, label: string) => {
          const u = new URLSearchParams(url.searchParams);
          const desc = q.sort === key && q.desc !== '1';
          u.set('sort', key);
          if (desc) u.set('desc', '1');
          else u.delete('desc');
          return `<th><a href="/?${esc(u.toString())}">${esc(label)}${q.sort === key ? (q.desc === '1' ? ' ▼' : ' ▲') : ''}</a></th>`;
        };
        const select = (name: string, values: readonly (string | number)[], current?: string | number) =>
          `<label>${name} <select name="${name}"><option value="">all</option>${values.map((v) => `<option${String(v) === String(current ?? '') ? ' selected' : ''}>${esc(v)}</option>`).join('')}</select></label>`;
        const years = [...new Set(snapshots.map((s) => Number(s.end.slice(0, 4))))].sort();
        const rows = result.rows
          .map(
            (
              r,
            ) => `<tr data-visit="${esc(r.id)}"${r.overdue ? ' class="is-overdue"' : ''}><td><a href="/visits/${esc(r.id)}">${esc(r.id)}</a></td><td>${esc(r.stateName)}</td><td>${esc(r.region)}</td>
          <td>${esc(r.type)}</td><td>${esc(r.stage)}</td><td>${esc(r.nextItem ?? '—')} ${esc(day(r.nextDeadline))}</td>
          <td class="${r.daysLeft !== null && r.daysLeft < 0 ? 'overdue' : 'ok'}">${r.daysLeft === null ? '—' : r.daysLeft < 0 ? `${-r.daysLeft} days overdue` : `${r.daysLeft} days left`}</td>
          <td>${r.overdueItems.length ? `<span class="overdue">overdue: ${esc(r.overdueItems.join(', '))}</span>` : ''} <span class="muted">${esc(r.openItems.join(', '))}</span></td></tr>`,
          )
          .join('');
        const csvHref = `/api/visits.csv?${esc(new URLSearchParams([...url.searchParams].filter(([k]) => k !== 'sort' && k !== 'desc')).toString())}`;
        return [
          200,
          page(
            'Visits',
            p,
            `<form class="filters" method="get" action="/">${select('year', years, q.year)}${select('region', [...new Set(Object.values(REGIONS)), 'Other'], q.region)}${select('type', VISIT_TYPES, q.type)}${select('stage', STAGES, q.stage)}
            ${select('overdue', ['true', 'false'], q.overdue)}<button>Filter</button> <a href="${csvHref}">Export CSV</a></form>
            <p class="counts">${result.total} visit(s): ${STAGES.filter((s) => result.countsByStage[s])
              .map((s) => `<span>${esc(s)}: ${result.countsByStage[s]}</span>`)
              .join('')}</p>
            <table><thead><tr>${sortLink('number', 'Visit')}${sortLink('state', 'State')}${sortLink('region', 'Region')}${sortLink('type', 'Type')}${sortLink('stage', 'Stage')}${sortLink('nextDeadline', 'Next deadline')}${sortLink('daysLeft', 'Days')}<th>Open items</th></tr></thead>
            <tbody>${rows || '<tr><td colspan="8" class="muted">No visits match.</td></tr>'}</tbody></table>`,
          ),
        ];
      },
    ],
    [
      'GET',
      /^\/visits\/([^/]+)$/,
      async (req, m, url) => {
        const p = mustSignIn(req, url);
        notForPartners(p);
        const id = VisitId.parse(pathSegment(m[1]!));
        const s = await ctx.readable(p, id);
        const now = ctx.now();
        const mine = s.allowedActions.filter((a) => mayAct(p, a.action, s));
        const timeline = [
          ...s.history.map((e) => ({ at: e.at, text: `${e.type}${e.actor ? ` by ${e.actor}` : ''}`, kind: 'event' })),
          ...s.closedItems.map((c) => ({
            at: c.closedAt,
            text: `${c.item} done (${c.outcome}); planned ${day(c.deadline)}, actual ${day(c.closedAt)}`,
            kind: c.deadline && c.closedAt > c.deadline ? 'late' : 'done',
          })),
          ...s.openItems.map((o) => ({
            at: o.deadline ?? o.openedAt,
            text: `${o.item} due ${day(o.deadline)}${o.paused ? ' (clock stopped)' : ''}`,
            kind: o.deadline && Date.parse(o.deadline) < now ? 'overdue' : 'planned',
          })),
        ].sort((a, b) => a.at.localeCompare(b.at));
        const sent = deps.store.messages(id);
        const actions = mine
          .map(
            (
              a,
            ) => `<form method="post" action="/visits/${esc(id)}/act/${esc(a.action)}" class="action"><fieldset><legend>${esc(a.action)}</legend>
            ${a.fields.map((f) => `<div>${fieldInput(a.action, f)}</div>`).join('')}<button name="do" value="${esc(a.action)}">${esc(a.action)}</button></fieldset></form>`,
          )
          .join('');
        const flash = url.searchParams.get('error');
        return [
          200,
          page(
            `Visit ${s.id}: ${s.stateName ?? s.state}`,
            p,
            `${flash ? `<p class="overdue" role="alert">${esc(flash)}</p>` : ''}
            <p>${esc(s.type)} visit, ${esc(s.start)} to ${esc(s.end)}. Stage: <strong id="stage">${esc(s.stage)}</strong>.</p>
            <p>Sharing consent: <strong id="consent">${esc(s.consent.scope)}</strong>${s.consent.sections.length ? ` (${esc(s.consent.sections.join(', '))})` : ''}${s.consent.priorityTaNeedsOnly ? ' — priority TA needs only' : ''}${s.consent.decidedBy ? ` <span class="muted">decided by ${esc(s.consent.decidedBy)} on ${esc(day(s.consent.decidedAt))}</span>` : ''}</p>
            <h2>Actions</h2>${actions || '<p class="muted">Nothing for you to do on this visit now.</p>'}
            <h2>Timeline</h2><table id="timeline"><thead><tr><th>Date</th><th>What</th></tr></thead><tbody>
            ${timeline.map((t) => `<tr class="${t.kind}"><td>${esc(day(t.at))}</td><td class="${t.kind === 'overdue' || t.kind === 'late' ? 'overdue' : ''}">${esc(t.text)}</td></tr>`).join('')}</tbody></table>
            <h2>Reminders and notices sent</h2><table><thead><tr><th>Sent</th><th>To</th><th>Subject</th></tr></thead><tbody>
            ${sent.map((m2) => `<tr><td>${esc(day(m2.sentAt))}</td><td>${esc(m2.recipient)}</td><td>${esc(m2.subject)}</td></tr>`).join('') || '<tr><td colspan="3" class="muted">None yet.</td></tr>'}</tbody></table>`,
          ),
        ];
      },
    ],
    [
      'POST',
      /^\/visits\/([^/]+)\/act\/([^/]+)$/,
      async (req, m, url) => {
        const p = mustSignIn(req, url);
        notForPartners(p);
        const id = VisitId.parse(pathSegment(m[1]!));
        const action = ActionNameSchema.parse(pathSegment(m[2]!));
        const form = new URLSearchParams(await ctx.readBody(req));
        form.delete('do');
        const status = await ctx.readable(p, id);
        try {
          await ctx.act(p, 'web', status, action, payloadFromForm(action, form));
        } catch (e) {
          if (e instanceof HttpError && e.status < 500 && e.status !== 404)
            return redirect(`/visits/${id}?error=${encodeURIComponent(e.message)}`);
          throw e;
        }
        return redirect(`/visits/${id}`);
      },
    ],
    [
      'GET',
      /^\/compliance$/,
      async (req, _m, url) => {
        const p = mustSignIn(req, url);
        notForPartners(p);
        const cells = compliance(visible(p), ctx.now());
        const max = Math.max(1, ...cells.flatMap((c) => [c.p90Days || 0, c.targetDays || 0]));
        const chart = (c: (typeof cells)[number]) => {
          const w = 220;
          const x = (d: number) => Math.round((d / max) * w);
          return `<svg width="${w + 10}" height="22" role="img" aria-label="median ${c.medianDays} days, 90th percentile ${c.p90Days} days, target ${c.targetDays} days">
            <rect class="bar" x="0" y="4" height="14" width="${Number.isNaN(c.medianDays) ? 0 : x(c.medianDays)}"></rect>
            <rect x="0" y="9" height="4" fill="#9bb7dd" width="${Number.isNaN(c.p90Days) ? 0 : x(c.p90Days)}"></rect>
            <line class="target" x1="${x(c.targetDays || 0)}" x2="${x(c.targetDays || 0)}" y1="0" y2="22"></line></svg>`;
        };
        const f = (n: number) => (Number.isNaN(n) ? '—' : String(n));
        return [
          200,
          page(
            'Guideline compliance',
            p,
            `<p class="muted">Days each step took, per year it started: bar = median, thin bar = 90th percentile, red line = the guideline's target.</p>
            <table id="compliance"><thead><tr><th>Year</th><th>Step</th><th>Done</th><th>Median days</th><th>90th percentile</th><th>Target</th><th></th><th>Exceeded</th></tr></thead><tbody>
            ${
              cells
                .map(
                  (
                    c,
                  ) => `<tr data-item="${esc(c.item)}" data-year="${c.year}"><td>${c.year}</td><td>${esc(c.item)}</td><td>${c.count}</td><td>${f(c.medianDays)}</td><td>${f(c.p90Days)}</td><td>${f(c.targetDays)}</td><td>${chart(c)}</td>
              <td>${c.exceeded.map((e) => `<a href="/visits/${esc(e.id)}">${esc(e.id)}</a> (${e.days} d)`).join(', ') || '—'}</td></tr>`,
                )
                .join('') || '<tr><td colspan="8" class="muted">No steps recorded yet.</td></tr>'
            }</tbody></table>`,
          ),
        ];
      },
    ],
    [
      'GET',
      /^\/annual(\/print)?$/,
      async (req, m, url) => {
        const p = mustSignIn(req, url);
        notForPartners(p);
        const q = query(AnnualQuery, url);
        const rows = annualReportingStatus(visible(p), ctx.now(), q.year);
        const table = `<table id="annual"><thead><tr><th>State</th><th>Visit</th><th>Visit year</th><th>Report</th><th>Due</th><th>Submitted</th></tr></thead><tbody>
          ${rows.map((r) => `<tr><td>${esc(r.stateName)}</td><td>${esc(r.id)}</td><td>${r.visitYear}</td><td class="${r.status === 'overdue' || r.status === 'late' ? 'overdue' : ''}">${esc(r.status)}</td><td>${esc(day(r.due))}</td><td>${esc(day(r.submitted))}</td></tr>`).join('')}</tbody></table>`;
        const title = `Reporting status of visited States${q.year ? ` (visits of ${q.year})` : ''}, as of ${newYorkDate(ctx.now())}`;
        if (m[1]) return [200, page(title, null, table)];
        return [
          200,
          page(
            title,
            p,
            `<form method="get" action="/annual"><label>Visits of <input name="year" size="5" value="${esc(q.year ?? '')}"></label> <button>Show</button>
            <a href="/annual/print${url.search}">Printable page</a> <a href="/api/annual.csv${url.search}">Export CSV</a></form>${table}`,
          ),
        ];
      },
    ],
    [
      'GET',
      /^\/api\/visits\.csv$/,
      async (req, _m, url) => {
        const p = csvAuth(req);
        notForPartners(p);
        const { result } = overviewOf(p, url);
        const csv = toCsv(result.rows as unknown as Record<string, unknown>[], [
          'id',
          'number',
          'state',
          'stateName',
          'region',
          'type',
          'year',
          'stage',
          'nextItem',
          'nextDeadline',
          'daysLeft',
          'overdue',
          'overdueItems',
          'openItems',
        ]);
        return [
          200,
          new Raw('text/csv; charset=utf-8', csv, { 'content-disposition': 'attachment; filename="visits.csv"' }),
        ];
      },
    ],
    [
      'GET',
      /^\/api\/annual\.csv$/,
      async (req, _m, url) => {
        const p = csvAuth(req);
        notForPartners(p);
        const q = query(AnnualQuery, url);
        const csv = toCsv(
          annualReportingStatus(visible(p), ctx.now(), q.year) as unknown as Record<string, unknown>[],
          ['stateName', 'state', 'id', 'visitYear', 'status', 'due', 'submitted'],
        );
        return [
          200,
          new Raw('text/csv; charset=utf-8', csv, {
            'content-disposition': 'attachment; filename="reporting-status.csv"',
          }),
        ];
      },
    ],
    [
      'GET',
      /^\/feeds\/([A-Za-z0-9_-]{32})\.ics$/,
      async (_req, m) => {
        const user = deps.store.users().find((u) => feedSecret(deps.linkSecret, u.email) === m[1]);
        if (!user) throw new HttpError(404, 'not-found', 'no such feed');
        const p: Principal = {
          email: user.email,
          role: user.role as Principal['role'],
          ...(user.state ? { state: user.state } : {}),
          ...(user.organisation ? { organisation: user.organisation } : {}),
        };
        return [200, new Raw('text/calendar; charset=utf-8', icsFeed(p, visible(p), ctx.now()))];
      },
    ],
  ];
  return routes;
}

const icsText = (s: string) => s.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
const icsTime = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** Fold lines at 75 octets as RFC 5545 asks. */
function fold(line: string): string {
  const out: string[] = [];
  let rest = line;
  while (Buffer.byteLength(rest) > 75) {
    let cut = 75;
    while (Buffer.byteLength(rest.slice(0, cut)) > 75) cut--;
    out.push(rest.slice(0, cut));
    rest = ` ${rest.slice(cut)}`;
  }
  out.push(rest);
  return out.join('\r\n');
}

/**
 * Every open deadline in the principal's scope as an event on its deadline; the UID is stable per
 * visit and item, so a moved deadline updates the same event in the subscriber's calendar.
 */
export function icsFeed(p: Principal, snapshots: Snapshot[], nowMs: number): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//CTC visit follow-up//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsText(`Visit follow-up deadlines (${p.email})`)}`,
  ];
  for (const s of snapshots) {
    for (const o of s.openItems) {
      if (!o.deadline) continue;
      const due = Date.parse(o.deadline);
      lines.push(
        'BEGIN:VEVENT',
        `UID:${s.id}-${o.item}@visit-follow-up`,
        `DTSTAMP:${icsTime(nowMs)}`,
        `DTSTART:${icsTime(due - 3_600_000)}`,
        `DTEND:${icsTime(due)}`,
        `SUMMARY:${icsText(`${s.id} ${s.stateName ?? s.state}: ${o.item} due`)}`,
        `DESCRIPTION:${icsText(`Visit ${s.id} (${s.type}), stage ${s.stage}. Deadline ${o.deadline}.`)}`,
        // Minutes since 2020: grows when a deadline moves later, fits the 32-bit field for millennia.
        `SEQUENCE:${Math.max(0, Math.floor((due - Date.UTC(2020, 0, 1)) / 60_000))}`,
        'END:VEVENT',
      );
    }
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
