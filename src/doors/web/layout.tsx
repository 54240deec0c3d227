/** The one layout of the dashboard: every page is this frame around its content. */
import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Principal } from '../../domain/permissions';
import { newYorkDate } from '../../domain/calendar';
import type { Language } from '../../domain/vocabulary';
import { direction } from '../../i18n/catalogue';

/** A date as the New York calendar reads it, or a dash. */
export const day = (iso: string | null | undefined) => (iso ? newYorkDate(Date.parse(iso)) : '—');

/** The hidden field that proves a form was served by this dashboard to this session. */
export const FormToken: FC<{ token: string | undefined }> = ({ token }) =>
  token ? <input type="hidden" name="_csrf" value={token} /> : null;

const Nav: FC<{ principal: Principal; formToken: string | undefined }> = ({ principal: p, formToken }) => (
  <nav>
    <a href="/">Overview</a>{' '}
    {/* A partner is shown only what it may open: its shared reports and the needs referred to it. */}
    {p.role === 'partner' ? null : (
      <>
        <a href="/compliance">Guideline compliance</a> <a href="/annual">Annual reporting status</a>{' '}
        {p.role === 'state' && p.state ? <a href={`/states/${p.state}`}>Register</a> : null}{' '}
        <a href="/recommendations">Recommendations</a>{' '}
      </>
    )}
    <a href="/ta">Technical assistance</a>{' '}
    <span class="who">
      {p.email} ({p.role}
      {p.state ? ` ${p.state}` : ''})
    </span>{' '}
    <form method="post" action="/sign-out" class="inline">
      <FormToken token={formToken} />
      <button>Sign out</button>
    </form>
  </nav>
);

export interface PageProps {
  title: string;
  /** The signed-in person; null for pages without the navigation (sign-in, errors, print). */
  principal: Principal | null;
  formToken?: string | undefined;
  /** A notice above the page for everyone who sees it (e.g. the holiday calendar ends soon). */
  banner?: string | undefined;
  /** The page's language (default English): Arabic is laid out right to left. */
  lang?: Language | undefined;
  /** The site's name after the title, in the page's language (default "CTC visit follow-up"). */
  site?: string | undefined;
  children?: Child;
}

export const Layout: FC<PageProps> = ({ title, principal, formToken, banner, lang = 'en', site, children }) => (
  <html lang={lang} dir={direction(lang)}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width,initial-scale=1" />
      <title>
        {title} · {site ?? 'CTC visit follow-up'}
      </title>
      <link rel="stylesheet" href="/assets/dashboard.css" />
    </head>
    <body>
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
export const ErrorPage: FC<{ title: string; message: string }> = ({ title, message }) => (
  <Layout title={title} principal={null}>
    <p>{message}</p>
    <p>
      <a href="/">Back to the overview</a>
    </p>
  </Layout>
);

/** The dashboard's stylesheet, served from /assets so the CSP can forbid inline styles. */
export const STYLESHEET = `body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5rem 2rem;color:#1b1b1b}
nav{padding:.6rem 0;border-bottom:1px solid #ccc;margin-bottom:1rem}nav a{margin-inline-end:1rem}.who{color:#555;margin:0 1rem}
.inline{display:inline}table{border-collapse:collapse;width:100%}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e3e3e3;text-align:start;vertical-align:top}th a{color:inherit}
.overdue{color:#a00;font-weight:600}.ok{color:#060}.muted{color:#666}.counts span{margin-inline-end:1rem}
form.filters label{margin-inline-end:.6rem}fieldset{margin:.5rem 0;border:1px solid #ddd}.bar{fill:#4a78b5}.p90{fill:#9bb7dd}
.target{stroke:#a00;stroke-width:2}.banner{background:#fff4ce;border:1px solid #d9b44a;padding:.5rem .75rem}
.track{fill:#f0f0f0}.part-implemented{fill:#1f5fa8}.part-partly{fill:#7fb2e5}.part-not{fill:#e08a1e}.part-unknown{fill:#b8b8b8}
svg text{font-size:12px}.legend{list-style:none;padding:0}.legend li{display:inline;margin-inline-end:1rem}
figure.chart{margin:0 0 1.5rem}figcaption{font-weight:600;margin-bottom:.3rem}details.history summary{cursor:pointer}
@media print{nav,form,.banner{display:none}}
`;
