/**
 * The secretariat's dashboard, server-rendered with no script: sign-in, the overview, a visit's
 * page with its action buttons, guideline compliance and the annual reporting status; and the
 * pages signed links open. Signed in with the API's tokens into a server-side session whose id
 * (never the token) is kept in an HttpOnly cookie; every form carries a token bound to the
 * session, and posts from another origin are refused.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import type { Child } from 'hono/jsx';
import { z } from 'zod';
import { VisitId } from '../../contract';
import { COVERAGE_MONTHS } from '../../domain/calendar';
import { ActionNameSchema } from '../../domain/actions';
import { isPartnerView } from '../../domain/views';
import { taPipeline } from '../../domain/recommendations/progress';
import { isPartnerRecommendationView, type RecommendationView } from '../../domain/recommendations/views';
import { AppError, type Services } from '../../services';
import { SESSION_HOURS } from '../../services/users';
import { parseOr } from '../../services/errors';
import { AnnualQuery, OverviewPageQuery, filterOf } from '../api/exports';
import { SESSION_COOKIE, sessionId, type Authentication } from '../http/auth';
import { bodyText, limitBody } from '../http/body';
import type { AppEnv } from '../http/env';
import { payloadFromForm } from './fields';
import { documentOf, Layout, STYLESHEET } from './layout';
import { linkPages } from './link-page';
import { Overview, SharedReports } from './overview';
import { ProgressPage } from './progress';
import { RegisterPage, RegisterQuery, type RegisterRecord } from './recommendations';
import { AnnualFilter, AnnualProgress, AnnualTable, Compliance } from './reports';
import { SignInForm, SignInRefused } from './sign-in';
import { TaPage } from './ta';
import { VisitPage } from './visit';
import { language, LANG_PARAM, withoutLang, WordsContext, wordsFor } from './words';

export { payloadFromForm };

const FLASH_COOKIE = 'followup_flash';

const Iso3 = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 3166-1 alpha-3 code in capitals, e.g. POL');
/** The views a register or progress page shows (a partner's are for the TA pipeline only). */
const registerRecords = (views: RecommendationView[]): RegisterRecord[] =>
  views.filter((v): v is RegisterRecord => !isPartnerRecommendationView(v));

/** Where to go after signing in: only a path on this server, never another site. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || /[\\\s]/.test(next)) return '/';
  const u = new URL(next, 'http://dashboard.invalid');
  return u.origin === 'http://dashboard.invalid' ? `${u.pathname}${u.search}` : '/';
}

/** The query's non-empty values, validated (a filter left at "all" is simply absent; `lang` is the layout's). */
function query<T>(schema: z.ZodType<T>, c: Context): T {
  const present = Object.fromEntries(
    [...new URL(c.req.url).searchParams].filter(([k, v]) => v !== '' && k !== LANG_PARAM),
  );
  return parseOr(schema, present, 'query');
}

type Ctx = Context<AppEnv>;
/** A page in the request's language (`c.get('lang')`), with the language switch. */
const render = (c: Ctx, status: 200 | 401, page: Child) =>
  c.html(documentOf(<WordsContext.Provider value={wordsFor(c)}>{page}</WordsContext.Provider>), status);
const t = (c: Ctx) => wordsFor(c).t;
const form = async (c: Context) => new URLSearchParams(await bodyText(c));

/** The dashboard's pages, one method each; `webRoutes` says which path and guards lead to which. */
class Dashboard {
  constructor(
    private readonly services: Services,
    private readonly auth: Authentication,
  ) {}

  /** Pages for the signed-in: others are sent to sign in and brought back. */
  readonly signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
    const id = sessionId(c);
    const p = await this.services.users.session(id);
    if (!p || !id) {
      const u = new URL(c.req.url);
      return c.redirect(`/sign-in?next=${encodeURIComponent(u.pathname + u.search)}`, 303);
    }
    c.set('principal', p);
    c.set('session', id);
    await next();
  };

  /** Pages partners may not see (they see the shared reports on the overview). */
  readonly internal: MiddlewareHandler<AppEnv> = async (c, next) => {
    this.services.monitoring.notForPartners(c.get('principal'));
    await next();
  };

  private async frame(c: Ctx, title: string, body: Child) {
    const coverage = await this.services.calendar.coverageFor(c.get('principal'));
    const w = wordsFor(c);
    const banner =
      coverage?.coveredUntil && coverage.latestDeadline
        ? w.t('banner.calendar', {
            until: w.date(coverage.coveredUntil),
            months: COVERAGE_MONTHS,
            latest: w.date(coverage.latestDeadline),
            provisional: coverage.provisional,
          })
        : undefined;
    return (
      <Layout
        title={title}
        principal={c.get('principal')}
        formToken={this.services.users.formToken(c.get('session'))}
        banner={banner}
      >
        {body}
      </Layout>
    );
  }

  private cookie(path: string, maxAge: number) {
    return { httpOnly: true, sameSite: 'Strict' as const, path, maxAge, secure: this.services.users.secureCookies };
  }

  async signIn(c: Ctx) {
    const f = await form(c);
    const token = f.get('token') ?? '';
    try {
      await this.auth.principal(c, token);
    } catch (e) {
      if (e instanceof AppError && e.code === 'rate-limited') throw e;
      return render(c, 401, <SignInRefused />);
    }
    const session = await this.services.users.startSession(token);
    if (!session) return render(c, 401, <SignInRefused />);
    setCookie(c, SESSION_COOKIE, session.id, this.cookie('/', SESSION_HOURS * 3600));
    return c.redirect(safeNext(f.get('next')), 303);
  }

  /** Ends the session on the server (a copied cookie stops working too), then in the browser. */
  async signOut(c: Ctx) {
    await this.services.users.endSession(sessionId(c));
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: this.services.users.secureCookies });
    return c.redirect('/sign-in', 303);
  }

  async overview(c: Ctx) {
    const p = c.get('principal');
    const { monitoring } = this.services;
    if (p.role === 'partner') {
      return render(
        c,
        200,
        await this.frame(c, t(c)('overview.sharedTitle'), <SharedReports shared={await monitoring.shared(p)} />),
      );
    }
    const q = query(OverviewPageQuery, c);
    const result = await monitoring.overview(p, filterOf(q), { key: q.sort || 'number', desc: q.desc === '1' });
    const params = withoutLang(new URL(c.req.url).searchParams);
    return render(c, 200, await this.frame(c, t(c)('overview.title'), <Overview q={q} params={params} {...result} />));
  }

  /** A visit's page, rendered from the signed-in role's view of it (the same projection as the API's). */
  async visit(c: Ctx) {
    const v = await this.services.visits.view(c.get('principal'), parseOr(VisitId, c.req.param('id'), 'visit id'));
    if (isPartnerView(v)) throw new AppError('forbidden', 'partners see the reports States chose to share');
    const flash = this.services.users.unseal(getCookie(c, FLASH_COOKIE));
    if (flash !== undefined) deleteCookie(c, FLASH_COOKIE, { path: `/visits/${v.id}` });
    const page = (
      <VisitPage
        v={v}
        flash={flash}
        formToken={this.services.users.formToken(c.get('session'))}
        nowMs={this.services.monitoring.now()}
      />
    );
    const title = t(c)('visit.title', { id: v.id, state: v.stateName ?? v.state });
    return render(c, 200, await this.frame(c, title, page));
  }

  /** An action button: 404 for a visit the person may not see, 403 without this session's form token. */
  async act(c: Ctx) {
    const p = c.get('principal');
    const id = parseOr(VisitId, c.req.param('id'), 'visit id');
    const action = parseOr(ActionNameSchema, c.req.param('action'), 'action');
    const f = await form(c);
    const status = await this.services.visits.readable(p, id);
    if (!this.services.users.formTokenValid(c.get('session'), f.get('_csrf') ?? undefined)) {
      throw new AppError('forbidden', 'this form has expired; reload the page and try again');
    }
    try {
      await this.services.visits.act(p, 'web', status, action, payloadFromForm(action, f));
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500 || e.status === 404) throw e;
      // The refusal travels in a sealed cookie, never in the URL: a link cannot put words on this page.
      setCookie(c, FLASH_COOKIE, this.services.users.seal(e.message), this.cookie(`/visits/${id}`, 60));
    }
    return c.redirect(`/visits/${id}`, 303);
  }

  /** A State's register: its own only for a State focal point (another State's is a 404, as its visits are). */
  async register(c: Ctx) {
    const p = c.get('principal');
    const state = parseOr(Iso3, c.req.param('state'), 'State');
    if (p.role === 'state' && p.state !== state) throw new AppError('not-found', `no register of ${state}`);
    const q = query(RegisterQuery, c);
    const records = registerRecords(await this.services.recommendations.list(p, { state }));
    const name = (await this.services.monitoring.visible(p)).find((v) => v.state === state)?.stateName;
    const page = <RegisterPage state={state} records={records} q={q} />;
    return render(c, 200, await this.frame(c, t(c)('register.title', { state: name ?? state }), page));
  }

  /** Progress per theme and per year of visit, of the recommendations the person may see (a State: its own). */
  async progress(c: Ctx) {
    const records = registerRecords(await this.services.recommendations.list(c.get('principal'), {}));
    const title = t(c)('progress.title');
    return render(c, 200, await this.frame(c, title, <ProgressPage records={records} />));
  }

  /** The TA pipeline of the needs the person may see; a partner, only those referred to its organisation. */
  async ta(c: Ctx) {
    const p = c.get('principal');
    const views = await this.services.recommendations.list(p, {});
    const pipeline = taPipeline(views, this.services.monitoring.now());
    const partner = p.role === 'partner';
    if (partner) pipeline.partners = pipeline.partners.filter((x) => x.partner === p.organisation);
    const page = <TaPage pipeline={pipeline} showUnreferred={!partner} />;
    return render(c, 200, await this.frame(c, t(c)('ta.title'), page));
  }

  async compliance(c: Ctx) {
    const cells = await this.services.monitoring.compliance(c.get('principal'));
    return render(c, 200, await this.frame(c, t(c)('compliance.title'), <Compliance cells={cells} />));
  }

  async annual(c: Ctx, print: boolean) {
    const year = query(AnnualQuery, c).year || undefined;
    const { rows, states } = await this.services.monitoring.annual(c.get('principal'), year);
    const w = wordsFor(c);
    const title = w.t('annual.title', { year: year ?? 0, today: w.date(this.services.monitoring.today()) });
    const table = (
      <>
        <AnnualTable rows={rows} />
        <AnnualProgress states={states} />
      </>
    );
    if (print)
      return render(
        c,
        200,
        <Layout title={title} principal={null}>
          {table}
        </Layout>,
      );
    const search = withoutLang(new URL(c.req.url).searchParams).toString();
    const filter = <AnnualFilter year={year} search={search ? `?${search}` : ''} />;
    return render(
      c,
      200,
      await this.frame(
        c,
        title,
        <>
          {filter}
          {table}
        </>,
      ),
    );
  }
}

export function webRoutes(app: Hono<AppEnv>, services: Services, auth: Authentication, publicUrl: string): void {
  const d = new Dashboard(services, auth);
  const publicOrigin = new URL(publicUrl).origin;
  // Posts come from this server's own pages: the browser's Origin (or Sec-Fetch-Site) says so.
  const sameOrigin = csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin });
  const lang = language(() => services.users.secureCookies);
  const page = [lang, d.signedIn, d.internal] as const;

  app.get('/assets/dashboard.css', (c) => c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8' }));
  app.get('/sign-in', lang, (c) => render(c, 200, <SignInForm next={c.req.query('next') ?? '/'} />));
  app.post('/sign-in', sameOrigin, limitBody, lang, (c) => d.signIn(c));
  app.post('/sign-out', sameOrigin, (c) => d.signOut(c));
  app.get('/', lang, d.signedIn, (c) => d.overview(c));
  app.get('/visits/:id', ...page, (c) => d.visit(c));
  app.post('/visits/:id/act/:action', sameOrigin, limitBody, ...page, (c) => d.act(c));
  app.get('/compliance', ...page, (c) => d.compliance(c));
  app.get('/annual', ...page, (c) => d.annual(c, false));
  app.get('/annual/print', ...page, (c) => d.annual(c, true));
  app.get('/states/:state', ...page, (c) => d.register(c));
  app.get('/recommendations', ...page, (c) => d.progress(c));
  app.get('/ta', lang, d.signedIn, (c) => d.ta(c));
  linkPages(app, services, auth, sameOrigin);
}
