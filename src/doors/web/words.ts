/**
 * The dashboard's words: the `dashboard` part of the catalogue in the language the person chose
 * (`?lang=fr` or `?lang=en`, remembered in the `lang` cookie), handed to the pages through the JSX
 * context the routes wrap each page in. A page rendered without it (a unit test, the signed-link
 * page) is in English.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { createContext, useContext } from 'hono/jsx';
import { newYorkDate } from '../../domain/calendar';
import {
  DASHBOARD_LANGUAGES,
  hasKey,
  LOCALE,
  translator,
  type DashboardLanguage,
  type Translate,
} from '../../i18n/catalogue';
import type { AppEnv } from '../http/env';

/** The cookie that remembers the dashboard's language. */
export const LANG_COOKIE = 'lang';
/** The query parameter that chooses it. */
export const LANG_PARAM = 'lang';
const YEAR_SECONDS = 365 * 24 * 3600;

export const isDashboardLanguage = (v: string | null | undefined): v is DashboardLanguage =>
  (DASHBOARD_LANGUAGES as readonly string[]).includes(v ?? '');

/** The language a request asks for: a known `?lang=`, else the cookie, else English. */
export function requestedLanguage(c: Context): { lang: DashboardLanguage; chosen: boolean } {
  const asked = c.req.query(LANG_PARAM);
  if (isDashboardLanguage(asked)) return { lang: asked, chosen: true };
  const kept = getCookie(c, LANG_COOKIE);
  return { lang: isDashboardLanguage(kept) ? kept : 'en', chosen: false };
}

/**
 * Sets `lang` on the Hono context for the dashboard's pages; a known `?lang=` is remembered for a
 * year. An unknown value is ignored: the page stays in the language it was in.
 */
export const language =
  (secure: () => boolean): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const { lang, chosen } = requestedLanguage(c);
    if (chosen) {
      setCookie(c, LANG_COOKIE, lang, {
        path: '/',
        sameSite: 'Lax',
        httpOnly: true,
        maxAge: YEAR_SECONDS,
        secure: secure(),
      });
    }
    c.set('lang', lang);
    await next();
  };

/** The dashboard's language on this request (English before the middleware has run). */
export const langOf = (c: Context<AppEnv>): DashboardLanguage => c.get('lang') ?? requestedLanguage(c).lang;

/** A URL's query without the language parameter (filters, sort links and exports do not carry it). */
export function withoutLang(params: URLSearchParams): URLSearchParams {
  const u = new URLSearchParams(params);
  u.delete(LANG_PARAM);
  return u;
}

/** Everything a page needs to speak one language. */
export interface Words {
  lang: DashboardLanguage;
  t: Translate;
  /** A word of a vocabulary (`stage`, `item`, `action`...) as displayed; the value itself when the catalogue has none. */
  term: (kind: string, value: string) => string;
  /** An instant as its New York day: ISO in English (as the dashboard always wrote it), the locale's date in French. */
  day: (iso: string | null | undefined) => string;
  /** A calendar date (YYYY-MM-DD), written the same way. */
  date: (day: string) => string;
  /** The page's own address (path and query), for the language switch; absent: no switch. */
  here?: string | undefined;
}

const frDate = new Intl.DateTimeFormat(LOCALE.fr, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function wordsOf(lang: DashboardLanguage): Words {
  const t = translator('dashboard', lang);
  // French writes the first of the month as an ordinal: « 1er juin 2026 ».
  const date = (d: string) => (lang === 'en' ? d : frDate.format(new Date(`${d}T12:00:00Z`)).replace(/^1 /, '1er '));
  return {
    lang,
    t,
    term: (kind, value) => (hasKey('dashboard', `${kind}.${value}`) ? t(`${kind}.${value}`) : value),
    date,
    day: (iso) => (iso ? date(newYorkDate(Date.parse(iso))) : '—'),
  };
}

export const WORDS: Record<DashboardLanguage, Words> = { en: wordsOf('en'), fr: wordsOf('fr') };

/** The words of a request: its language, and its address for the switch. */
export function wordsFor(c: Context<AppEnv>): Words {
  const u = new URL(c.req.url);
  return { ...WORDS[langOf(c)], here: u.pathname + u.search };
}

/** The address of this page in another language: the same path and query, with `lang` set. */
export function inLanguage(here: string, lang: DashboardLanguage): string {
  const u = new URL(here, 'http://dashboard.invalid');
  u.searchParams.set(LANG_PARAM, lang);
  return `${u.pathname}?${u.searchParams.toString()}`;
}

/** The JSX context the routes set around a page. */
export const WordsContext = createContext<Words>(WORDS.en);
/** The words of the page being rendered. */
export const useWords = (): Words => useContext(WordsContext);

/** A message with one element in it: the text around `{name}` and the element in its place. */
export function around(text: string): [string, string] {
  const at = text.indexOf('\u0000');
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}
