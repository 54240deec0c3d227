/**
 * The secretariat's dashboard, server-rendered with no script: sign-in, the overview, a visit's
 * page with its action buttons, guideline compliance and the annual reporting status. Signed in
 * with the API's tokens, kept in an HttpOnly cookie; every form carries a token bound to the
 * session, and posts from another origin are refused.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import type { Child } from 'hono/jsx';
import { z } from 'zod';
import { VisitId } from '../../contract';
import { ACTION_FIELDS, ActionNameSchema } from '../../domain/actions';
import { mayAct, type Principal } from '../../domain/permissions';
import type { ActionName } from '../../domain/vocabulary';
import { AppError, type Services } from '../../services';
import { parseOr } from '../../services/errors';
import { AnnualQuery, OverviewQuery, filterOf } from '../api/exports';
import { SESSION_COOKIE, sessionToken, type Authentication } from '../http/auth';
import { bodyText, limitBody } from '../http/body';
import type { AppEnv } from '../http/env';
import { documentOf, Layout, STYLESHEET } from './layout';
import { Overview, SharedReports } from './overview';
import { AnnualFilter, AnnualTable, Compliance } from './reports';
import { SignInForm, SignInRefused } from './sign-in';
import { VisitPage } from './visit';

const FLASH_COOKIE = 'followup_flash';
const SESSION_HOURS = 12;

/** Where to go after signing in: only a path on this server, never another site. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || /[\\\s]/.test(next)) return '/';
  const u = new URL(next, 'http://dashboard.invalid');
  return u.origin === 'http://dashboard.invalid' ? `${u.pathname}${u.search}` : '/';
}

/** Form fields to an action payload: empty fields are left out, lists split on commas. */
export function payloadFromForm(action: ActionName, form: URLSearchParams): Record<string, unknown> {
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
  // Unknown fields go along, so the action's schema refuses them rather than this page ignoring them.
  for (const key of form.keys()) {
    if (key !== '_csrf' && key !== 'do' && !ACTION_FIELDS[action].some((f) => f.name === key)) out[key] = form.get(key);
  }
  return out;
}

/** The query's non-empty values, validated (a filter left at "all" is simply absent). */
function query<T>(schema: z.ZodType<T>, c: Context): T {
  const present = Object.fromEntries([...new URL(c.req.url).searchParams].filter(([, v]) => v !== ''));
  return parseOr(schema, present, 'query');
}

export function webRoutes(app: Hono<AppEnv>, services: Services, auth: Authentication, publicUrl: string): void {
  const render = (c: Context, status: 200 | 401, page: Child) => c.html(documentOf(page), status);
  const publicOrigin = new URL(publicUrl).origin;
  // Posts come from this dashboard's own pages: the browser's Origin (or Sec-Fetch-Site) says so.
  const sameOrigin = csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin });

  /** Pages for the signed-in: others are sent to sign in and brought back. */
  const signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
    const token = sessionToken(c);
    const p = services.users.authenticate(token);
    if (!p || !token) {
      const u = new URL(c.req.url);
      return c.redirect(`/sign-in?next=${encodeURIComponent(u.pathname + u.search)}`, 303);
    }
    c.set('principal', p);
    c.set('session', token);
    await next();
  };
  const internal: MiddlewareHandler<AppEnv> = async (c, next) => {
    services.monitoring.notForPartners(c.get('principal'));
    await next();
  };
  const form = async (c: Context) => new URLSearchParams(await bodyText(c));
  const frame = (c: Context<AppEnv>, title: string, body: Child) => (
    <Layout title={title} principal={c.get('principal')} formToken={services.users.formToken(c.get('session'))}>
      {body}
    </Layout>
  );

  app.get('/assets/dashboard.css', (c) => c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8' }));

  app.get('/sign-in', (c) => render(c, 200, <SignInForm next={c.req.query('next') ?? '/'} />));

  app.post('/sign-in', sameOrigin, limitBody, async (c) => {
    const f = await form(c);
    const token = f.get('token') ?? '';
    try {
      auth.principal(c, token);
    } catch (e) {
      if (e instanceof AppError && e.code === 'rate-limited') throw e;
      return render(c, 401, <SignInRefused />);
    }
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: SESSION_HOURS * 3600,
      secure: services.users.secureCookies,
    });
    return c.redirect(safeNext(f.get('next')), 303);
  });

  app.post('/sign-out', sameOrigin, (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: services.users.secureCookies });
    return c.redirect('/sign-in', 303);
  });

  app.get('/', signedIn, (c) => {
    const p = c.get('principal');
    if (p.role === 'partner') {
      return render(
        c,
        200,
        frame(c, 'Reports shared with you', <SharedReports shared={services.monitoring.shared(p)} />),
      );
    }
    const q = query(OverviewQuery, c);
    const result = services.monitoring.overview(p, filterOf(q), { key: q.sort || 'number', desc: q.desc === '1' });
    const params = new URL(c.req.url).searchParams;
    return render(c, 200, frame(c, 'Visits', <Overview q={q} params={params} {...result} />));
  });

  app.get('/visits/:id', signedIn, internal, async (c) => {
    const p = c.get('principal');
    const s = await services.visits.readable(p, parseOr(VisitId, c.req.param('id'), 'visit id'));
    const flash = services.users.unseal(getCookie(c, FLASH_COOKIE));
    if (flash !== undefined) deleteCookie(c, FLASH_COOKIE, { path: `/visits/${s.id}` });
    const page = (
      <VisitPage
        s={s}
        mine={s.allowedActions.filter((a) => mayAct(p, a.action, s))}
        flash={flash}
        formToken={services.users.formToken(c.get('session'))}
        sent={services.monitoring.messages(s.id)}
        nowMs={services.monitoring.now()}
      />
    );
    return render(c, 200, frame(c, `Visit ${s.id}: ${s.stateName ?? s.state}`, page));
  });

  app.post('/visits/:id/act/:action', sameOrigin, limitBody, signedIn, internal, async (c) => {
    const p: Principal = c.get('principal');
    const id = parseOr(VisitId, c.req.param('id'), 'visit id');
    const action = parseOr(ActionNameSchema, c.req.param('action'), 'action');
    const f = await form(c);
    const status = await services.visits.readable(p, id);
    if (!services.users.formTokenValid(c.get('session'), f.get('_csrf') ?? undefined)) {
      throw new AppError('forbidden', 'this form has expired; reload the page and try again');
    }
    try {
      await services.visits.act(p, 'web', status, action, payloadFromForm(action, f));
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500 || e.status === 404) throw e;
      // The refusal travels in a sealed cookie, never in the URL: a link cannot put words on this page.
      setCookie(c, FLASH_COOKIE, services.users.seal(e.message), {
        httpOnly: true,
        sameSite: 'Strict',
        path: `/visits/${id}`,
        maxAge: 60,
        secure: services.users.secureCookies,
      });
    }
    return c.redirect(`/visits/${id}`, 303);
  });

  app.get('/compliance', signedIn, internal, (c) =>
    render(
      c,
      200,
      frame(c, 'Guideline compliance', <Compliance cells={services.monitoring.compliance(c.get('principal'))} />),
    ),
  );

  const annual = (print: boolean) => (c: Context<AppEnv>) => {
    const q = query(AnnualQuery, c);
    const year = q.year || undefined;
    const rows = services.monitoring.annual(c.get('principal'), year);
    const title = `Reporting status of visited States${year ? ` (visits of ${year})` : ''}, as of ${services.monitoring.today()}`;
    if (print)
      return render(
        c,
        200,
        <Layout title={title} principal={null}>
          <AnnualTable rows={rows} />
        </Layout>,
      );
    const search = new URL(c.req.url).search;
    const body = (
      <>
        <AnnualFilter year={year} search={search} />
        <AnnualTable rows={rows} />
      </>
    );
    return render(c, 200, frame(c, title, body));
  };
  app.get('/annual', signedIn, internal, annual(false));
  app.get('/annual/print', signedIn, internal, annual(true));
}
