/**
 * The catalogue: every word the engine writes to people, in ICU MessageFormat, in JSON files a
 * translator edits (`src/i18n/<part>/<language>.json`). Three parts:
 * - `messages`: correspondence (e-mails and notes verbales), in the six official languages;
 * - `pages`: the pages a State or partner opens from a signed link, in the six languages;
 * - `dashboard`: the staff dashboard, in the Secretariat's working languages, English and French.
 * English is the source: every other file must have exactly its keys and, per key, the same
 * placeholders (`npm run check:catalogue`, run by `npm run typecheck`).
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import type { Language } from '../domain/vocabulary';
import messagesAr from './messages/ar.json';
import messagesZh from './messages/zh.json';
import messagesEn from './messages/en.json';
import messagesFr from './messages/fr.json';
import messagesRu from './messages/ru.json';
import messagesEs from './messages/es.json';
import pagesAr from './pages/ar.json';
import pagesZh from './pages/zh.json';
import pagesEn from './pages/en.json';
import pagesFr from './pages/fr.json';
import pagesRu from './pages/ru.json';
import pagesEs from './pages/es.json';
import dashboardEn from './dashboard/en.json';
import dashboardFr from './dashboard/fr.json';

export type Entries = Record<string, string>;

/** The languages the Secretariat works in: the dashboard exists in these. */
export const DASHBOARD_LANGUAGES = ['en', 'fr'] as const;
export type DashboardLanguage = (typeof DASHBOARD_LANGUAGES)[number];

export const CATALOGUE = {
  messages: { ar: messagesAr, zh: messagesZh, en: messagesEn, fr: messagesFr, ru: messagesRu, es: messagesEs },
  pages: { ar: pagesAr, zh: pagesZh, en: pagesEn, fr: pagesFr, ru: pagesRu, es: pagesEs },
  dashboard: { en: dashboardEn, fr: dashboardFr },
} as const satisfies Record<string, Partial<Record<Language, Entries>>>;
export type Part = keyof typeof CATALOGUE;

/** The ICU locale each language is formatted in: UN English is British; UN Arabic writes Western digits. */
export const LOCALE: Record<Language, string> = {
  ar: 'ar-u-nu-latn',
  zh: 'zh-Hans-CN',
  en: 'en-GB',
  fr: 'fr-FR',
  ru: 'ru-RU',
  es: 'es-ES',
};

/** Written right to left. */
export const direction = (lang: Language): 'rtl' | 'ltr' => (lang === 'ar' ? 'rtl' : 'ltr');

/** Deadlines are New York days: `{deadline, date, long}` writes the New York date of an instant. */
const FORMATS = {
  date: {
    long: { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'America/New_York' },
    short: { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'America/New_York' },
  },
} as const;

export type Values = Record<string, string | number | boolean | Date | null | undefined>;

const compiled = new Map<string, { m: IntlMessageFormat; dates: string[] }>();

function entries(part: Part, lang: Language): Entries | undefined {
  return (CATALOGUE[part] as Partial<Record<Language, Entries>>)[lang];
}

/** Whether a part is written in a language (the dashboard only in English and French). */
export function hasLanguage(part: Part, lang: Language): boolean {
  return entries(part, lang) !== undefined;
}

/** Whether the catalogue has a key (in English, the source). */
export function hasKey(part: Part, key: string): boolean {
  return key in (entries(part, 'en') ?? {});
}

/**
 * One message of the catalogue, formatted. A key missing in a language is a bug the check refuses
 * at build time; at run time it falls back to English rather than fail a notice.
 */
export function format(part: Part, lang: Language, key: string, values: Values = {}): string {
  const own = entries(part, lang);
  const [source, locale] = own && key in own ? [own[key]!, LOCALE[lang]] : [entries(part, 'en')?.[key], LOCALE.en];
  if (source === undefined) throw new Error(`catalogue ${part}: no message ${key}`);
  const id = `${part}\u0000${lang}\u0000${key}`;
  let entry = compiled.get(id);
  if (!entry) {
    const dates = placeholders(source)
      .filter((p) => p.endsWith(':date'))
      .map((p) => p.slice(0, -':date'.length));
    entry = { m: new IntlMessageFormat(source, locale, FORMATS as never, { ignoreTag: true }), dates };
    compiled.set(id, entry);
  }
  // A date left out would be written as today; an invalid one makes formatting throw, if the message uses it.
  const given = { ...values };
  for (const name of entry.dates) if (given[name] === undefined || given[name] === null) given[name] = new Date(NaN);
  let out;
  try {
    out = entry.m.format(given as Record<string, string | number | boolean | Date>);
  } catch (e) {
    throw new Error(`catalogue ${part}/${lang}.json ${key}: ${(e as Error).message}`, { cause: e });
  }
  return firstOfMonth(Array.isArray(out) ? out.join('') : String(out), lang);
}

const FRENCH_MONTHS = 'janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre';
/** French writes the first of a month "1er": ICU writes "1 mars". */
function firstOfMonth(text: string, lang: Language): string {
  return lang === 'fr' ? text.replace(new RegExp(`(^|[^\\d])1 (${FRENCH_MONTHS})`, 'g'), '$11er $2') : text;
}

/** A function formatting one part in one language: `t('topic.x.subject', { visit })`. */
export type Translate = (key: string, values?: Values) => string;
export const translator =
  (part: Part, lang: Language): Translate =>
  (key, values) =>
    format(part, lang, key, values);

/** A calendar date (YYYY-MM-DD) written out in a language: "3 December 2025", "2025年12月3日". */
export function calendarDate(day: string, lang: Language): string {
  return new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${day}T12:00:00Z`),
  );
}

/** Two calendar dates as a range: "16–20 November 2026", "2026年11月16日至20日". */
export function calendarRange(from: string, to: string, lang: Language): string {
  const f = new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'long', timeZone: 'UTC' });
  const [a, b] = [new Date(`${from}T12:00:00Z`), new Date(`${to}T12:00:00Z`)];
  if (from === to) return firstOfMonth(f.format(a), lang);
  // ICU's Chinese range falls back to numeric dates (2026/11/16 – 2026/11/20): write both days out.
  if (lang === 'zh') return `${f.format(a)}至${f.format(b)}`;
  return firstOfMonth(f.formatRange(a, b), lang);
}

/** A list in a language: "A, B and C", "A、B和C". */
export const listOf = (items: readonly string[], lang: Language): string =>
  new Intl.ListFormat(LOCALE[lang], { type: 'conjunction' }).format(items);

/** The placeholders of a message, with their kind: `deadline:date`, `item:select`, ... */
export function placeholders(message: string): string[] {
  const found = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (el.type === TYPE.literal || el.type === TYPE.pound) continue;
      if (el.type === TYPE.tag) {
        walk(el.children);
        continue;
      }
      found.add(`${el.value}:${TYPE[el.type]}`);
      if (el.type === TYPE.select || el.type === TYPE.plural) for (const o of Object.values(el.options)) walk(o.value);
    }
  };
  walk(parse(message, { ignoreTag: true }));
  return [...found].sort();
}

/** The select cases a message offers, per placeholder: a translation must cover English's cases. */
function selectCases(message: string): string[] {
  const found = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (el.type === TYPE.select) {
        for (const [k, o] of Object.entries(el.options)) {
          found.add(`${el.value}=${k}`);
          walk(o.value);
        }
      } else if (el.type === TYPE.plural) for (const o of Object.values(el.options)) walk(o.value);
    }
  };
  walk(parse(message, { ignoreTag: true }));
  return [...found];
}

/**
 * What is wrong with a catalogue: a message that does not parse, a key missing from or extra to a
 * translation, a placeholder that differs from English, a select case English has and the
 * translation lacks. Empty when the catalogue may ship.
 */
export function catalogueProblems(catalogue: Record<string, Partial<Record<string, Entries>>> = CATALOGUE): string[] {
  const problems: string[] = [];
  for (const [part, langs] of Object.entries(catalogue)) {
    const en = langs.en;
    if (!en) {
      problems.push(`${part}: no English (the source)`);
      continue;
    }
    const enPlaceholders = new Map<string, string[]>();
    for (const [key, message] of Object.entries(en)) {
      try {
        enPlaceholders.set(key, placeholders(message));
      } catch (e) {
        problems.push(`${part}/en.json ${key}: does not parse (${(e as Error).message})`);
      }
    }
    for (const [lang, own] of Object.entries(langs)) {
      if (lang === 'en' || !own) continue;
      const file = `${part}/${lang}.json`;
      for (const key of Object.keys(en)) if (!(key in own)) problems.push(`${file}: missing ${key}`);
      for (const [key, message] of Object.entries(own)) {
        if (!(key in en)) {
          problems.push(`${file}: extra ${key} (not in English)`);
          continue;
        }
        let mine: string[];
        try {
          mine = placeholders(message);
        } catch (e) {
          problems.push(`${file} ${key}: does not parse (${(e as Error).message})`);
          continue;
        }
        const theirs = enPlaceholders.get(key);
        if (theirs && mine.join(',') !== theirs.join(',')) {
          problems.push(`${file} ${key}: placeholders {${mine.join(', ')}} differ from English {${theirs.join(', ')}}`);
        }
        const lacking = selectCases(en[key]!).filter((c) => !selectCases(message).includes(c));
        if (lacking.length) problems.push(`${file} ${key}: lacks the cases ${lacking.join(', ')}`);
      }
    }
  }
  return problems;
}
