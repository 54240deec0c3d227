/** The one layout of the dashboard: every page is this frame around its content. */
import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Principal } from '../../domain/permissions';
import { newYorkDate } from '../../domain/calendar';
import type { Language } from '../../domain/vocabulary';
import { DASHBOARD_LANGUAGES, direction } from '../../i18n/catalogue';
import { inLanguage, useWords } from './words';

/** A date as the New York calendar reads it, or a dash. */
export const day = (iso: string | null | undefined) => (iso ? newYorkDate(Date.parse(iso)) : '—');

/** The hidden field that proves a form was served by this dashboard to this session. */
export const FormToken: FC<{ token: string | undefined }> = ({ token }) =>
  token ? <input type="hidden" name="_csrf" value={token} /> : null;

const Nav: FC<{ principal: Principal; formToken: string | undefined }> = ({ principal: p, formToken }) => {
  const { t, term } = useWords();
  return (
    <nav>
      <a href="/">{t('nav.overview')}</a>{' '}
      {/* A partner is shown only what it may open: its shared reports and the needs referred to it. */}
      {p.role === 'partner' ? null : (
        <>
          <a href="/compliance">{t('nav.compliance')}</a> <a href="/annual">{t('nav.annual')}</a>{' '}
          {p.role === 'state' && p.state ? <a href={`/states/${p.state}`}>{t('nav.register')}</a> : null}{' '}
          <a href="/recommendations">{t('nav.recommendations')}</a>{' '}
        </>
      )}
      <a href="/ta">{t('nav.ta')}</a>{' '}
      <span class="who">
        {p.email} ({term('role', p.role)}
        {p.state ? ` ${p.state}` : ''})
      </span>{' '}
      <form method="post" action="/sign-out" class="inline">
        <FormToken token={formToken} />
        <button>{t('nav.signOut')}</button>
      </form>
    </nav>
  );
};

/** EN | FR: links to this page in each language, the current one marked. */
const LanguageSwitch: FC<{ here: string }> = ({ here }) => {
  const { t, lang } = useWords();
  return (
    <p class="languages" aria-label={t('nav.language')}>
      {DASHBOARD_LANGUAGES.map((l, i) => (
        <>
          {i ? ' | ' : ''}
          {l === lang ? (
            <strong lang={l}>{l.toUpperCase()}</strong>
          ) : (
            <a href={inLanguage(here, l)} hreflang={l} lang={l}>
              {l.toUpperCase()}
            </a>
          )}
        </>
      ))}
    </p>
  );
};

export interface PageProps {
  title: string;
  /** The signed-in person; null for pages without the navigation (sign-in, errors, print). */
  principal: Principal | null;
  formToken?: string | undefined;
  /** A notice above the page for everyone who sees it (e.g. the holiday calendar ends soon). */
  banner?: string | undefined;
  /** A page outside the dashboard (a signed link's) gives its own language and site name. */
  lang?: Language | undefined;
  site?: string | undefined;
  children?: Child;
}

export const Layout: FC<PageProps> = ({ title, principal, formToken, banner, lang: own, site, children }) => {
  const words = useWords();
  const lang: Language = own ?? words.lang;
  return (
    <html lang={lang} dir={direction(lang)}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{site ? `${title} · ${site}` : words.t('app.title', { title })}</title>
        <link rel="stylesheet" href="/assets/dashboard.css" />
      </head>
      <body>
        {words.here && !own ? <LanguageSwitch here={words.here} /> : null}
        {principal ? <Nav principal={principal} formToken={formToken} /> : null}
        {banner ? (
          <p class="banner" role="status">
            {banner}
          </p>
        ) : null}
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
};

/** An option of a select: the value the form sends, shown in the page's words (no `value` when they are the same). */
export const Option: FC<{ value: string; label: string; selected: boolean }> = ({ value, label, selected }) => (
  <option value={label === value ? undefined : value} selected={selected}>
    {label}
  </option>
);

/** A table body, or one row saying why it is empty. */
export const Rows: FC<{ cols: number; empty: string; rows: Child[] }> = ({ cols, empty, rows }) => (
  <tbody>
    {rows.length ? (
      rows
    ) : (
      <tr>
        <td colspan={cols} class="muted">
          {empty}
        </td>
      </tr>
    )}
  </tbody>
);

/** A whole HTML document. */
export const documentOf = (page: Child) => (
  <>
    {raw('<!doctype html>')}
    {page}
  </>
);

/** An error as a page, for people in a browser. */
export const ErrorPage: FC<{ title: string; message: string }> = ({ title, message }) => {
  const { t } = useWords();
  return (
    <Layout title={title} principal={null}>
      <p>{message}</p>
      <p>
        <a href="/">{t('error.back')}</a>
      </p>
    </Layout>
  );
};

/** The dashboard's stylesheet, served from /assets so the CSP can forbid inline styles. */
export const STYLESHEET = `body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5rem 2rem;color:#1b1b1b}
nav{padding:.6rem 0;border-bottom:1px solid #ccc;margin-bottom:1rem}nav a{margin-inline-end:1rem}.who{color:#555;margin:0 1rem}
.inline{display:inline}table{border-collapse:collapse;width:100%}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e3e3e3;text-align:start;vertical-align:top}th a{color:inherit}
.languages{float:inline-end;margin:.6rem 0}.overdue{color:#a00;font-weight:600}.ok{color:#060}.muted{color:#666}.counts span{margin-inline-end:1rem}
form.filters label{margin-inline-end:.6rem}fieldset{margin:.5rem 0;border:1px solid #ddd}.bar{fill:#4a78b5}.p90{fill:#9bb7dd}
.target{stroke:#a00;stroke-width:2}.banner{background:#fff4ce;border:1px solid #d9b44a;padding:.5rem .75rem}
.track{fill:#f0f0f0}.part-implemented{fill:#1f5fa8}.part-partly{fill:#7fb2e5}.part-not{fill:#e08a1e}.part-unknown{fill:#b8b8b8}
svg text{font-size:12px}.legend{list-style:none;padding:0}.legend li{display:inline;margin-inline-end:1rem}
figure.chart{margin:0 0 1.5rem}figcaption{font-weight:600;margin-bottom:.3rem}details.history summary{cursor:pointer}
@media print{nav,form,.banner,.languages{display:none}}
`;
