/**
 * The page a signed link opens speaks the link's language, against the real engine (dev server,
 * worker, SMTP, SQLite): for each of the six official languages, a link issued in it opens a page
 * whose `<html lang>` is that language (right to left in Arabic), with no English left on it and
 * the expiry written as a New York date of that locale, never as an ISO timestamp; the form posts
 * and the confirmation, a refused entry and the used link's page are in the language too. A link
 * issued before links carried a language opens in its visit's language; one the API issues
 * carries the language asked for, else the visit's; a link that is not valid speaks the browser's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES, type Language } from '../../src/domain/vocabulary';
import { format, LOCALE } from '../../src/i18n/catalogue';
import { linkIssuer, linkLabel, signLink } from '../../src/infra/links';
import { apiVisit, startApiHarness, USERS, type Harness, type UserName } from '../api-harness';

let h: Harness;

/** One visit per link language, in state review, each corresponding in *another* language: the link's must win. */
const VISITS = LANGUAGES.map((lang, i) => ({
  id: `${780 + i}-NOR`,
  number: 780 + i,
  lang,
  visitLang: LANGUAGES[(i + 1) % LANGUAGES.length]!,
}));
/** A visit corresponding in Arabic, for links without a language. */
const OLD = { id: '790-NOR', number: 790, visitLang: 'ar' as Language };
/** Links expire at 03:00 UTC on 2 March 2027: 1 March in New York, so the page must write the New York day. */
const EXPIRY = Date.UTC(2027, 2, 2, 3, 0, 0);

/** Phrases of the English page: none may be left on a page in another language. */
const ENGLISH = [
  'Submit',
  'This link',
  'Visit',
  'until',
  'Confirm receipt',
  'Recorded',
  'Summary',
  'Reference',
  'Date of',
  'required',
  'Committee',
  'secretariat',
  'Please',
  'your comments',
  'Government',
  'New York time',
  'comments',
  'the note verbale',
  'Sharing',
  'recommendation',
  'cannot be used',
  'has already been used',
  'not valid',
  'expired',
];
/** The English phrases in a text, as whole words (a letter of any script around it makes another word: "visité"). */
const englishIn = (text: string) =>
  ENGLISH.filter((p) => new RegExp(`(?<![\\p{L}\\p{N}])${p}(?![\\p{L}\\p{N}])`, 'iu').test(text));

/** What a person reads: the text between tags, and the words in attributes (labels for screen readers, placeholders, the title). */
function readable(html: string): string {
  const attributes = [...html.matchAll(/\s(?:aria-label|placeholder|title|alt)="([^"]*)"/g)].map((m) => m[1]);
  const text = html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return [text, ...attributes].join(' ');
}

/** The New York date of an instant, as the locale writes it (French writes the first of a month "1er"). */
const nyDate = (lang: Language, at: number) => {
  const written = new Intl.DateTimeFormat(LOCALE[lang], {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'America/New_York',
  }).format(new Date(at));
  return lang === 'fr' ? written.replace(/^1 /, '1er ') : written;
};

async function step(as: UserName, id: string, action: string, body: unknown = {}) {
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body });
  expect(r.status, `${action} by ${as} on ${id}: ${r.text}`).toBe(200);
}

beforeAll(async () => {
  h = await startApiHarness();
  for (const v of [...VISITS, OLD]) {
    const r = await h.request('POST', '/api/visits', {
      as: 'cted',
      body: apiVisit(v.number, 'NOR', { language: v.visitLang }),
    });
    expect(r.status, r.text).toBe(201);
  }
  for (const v of [...VISITS, OLD]) {
    await step('cted', v.id, 'submit-draft');
    await step('cted', v.id, 'dispatch-draft');
  }
});
afterAll(async () => {
  await h?.close();
});

/** A record-comments link for a visit, signed as the engine signs the links in its e-mails, expiring at EXPIRY. */
const issued = (id: string, lang?: Language) =>
  new URL(
    linkIssuer(h.linkSecret, h.url, 0, () => EXPIRY).forState(id, 'NOR', USERS.stateNOR.email, 'record-comments', lang),
  ).pathname;

const open = async (path: string, headers: Record<string, string> = {}) => {
  const r = await fetch(`${h.url}${path}`, { redirect: 'manual', headers });
  return { status: r.status, text: await r.text() };
};
const post = async (path: string, form: Record<string, string>) => {
  const r = await fetch(`${h.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: h.url },
    body: new URLSearchParams(form).toString(),
  });
  return { status: r.status, text: await r.text() };
};

/** The page's language and direction, as its root element says. */
const root = (lang: Language) => `<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">`;
const t = (lang: Language, key: string, values?: Parameters<typeof format>[3]) => format('pages', lang, key, values);

/** Comments typed in each language. */
const COMMENTS: Record<Language, string> = {
  ar: 'تصويبان وقائعيان في الفقرة 4',
  zh: '第4段有两处事实更正',
  en: 'Two factual corrections in paragraph 4',
  fr: 'Deux corrections factuelles au paragraphe 4',
  ru: 'Два фактических исправления в пункте 4',
  es: 'Dos correcciones fácticas en el párrafo 4',
};

describe('a link issued in each of the six languages', () => {
  for (const v of VISITS) {
    it(`opens, posts and confirms in ${v.lang} (its visit corresponds in ${v.visitLang})`, async () => {
      const path = issued(v.id, v.lang);
      const page = await open(path);
      expect(page.status, page.text).toBe(200);
      expect(page.text).toContain(root(v.lang));
      expect(page.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
      // The expiry is the New York day (1 March), as the locale writes it.
      expect(page.text).toContain(nyDate(v.lang, EXPIRY));
      expect(page.text).not.toContain(nyDate(v.lang, EXPIRY + 86_400_000));
      expect(page.text).toContain(`<h1>${linkLabel('record-comments', v.lang)}</h1>`);
      expect(page.text).toContain(`<legend>${t(v.lang, 'legend.record-comments')}</legend>`);
      expect(page.text).toContain(`>${t(v.lang, 'field.record-comments.summary')}</label>`);
      expect(page.text).toContain(`<button>${t(v.lang, 'form.submit')}</button>`);
      expect(page.text).toContain('<strong id="visit">' + v.id + '</strong>');
      if (v.lang === 'en') expect(englishIn(readable(page.text))).toContain('Submit');
      else expect(englishIn(readable(page.text)), v.lang).toEqual([]);

      // The form, posted as a browser posts it: recorded, and confirmed in the language.
      const done = await post(path, { summary: COMMENTS[v.lang] });
      expect(done.status, done.text).toBe(200);
      expect(done.text).toContain(root(v.lang));
      expect(done.text).toContain(`<h1>${t(v.lang, 'done.title')}</h1>`);
      expect(done.text).toContain(`<strong id="done">${linkLabel('record-comments', v.lang)}</strong>`);
      expect(done.text).toContain(`<dt>${t(v.lang, 'field.record-comments.summary')}</dt>`);
      expect(done.text).toContain(`<dd>${COMMENTS[v.lang]}</dd>`);
      expect(done.text).toContain(nyDate(v.lang, Date.now()));
      expect(done.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
      if (v.lang !== 'en') expect(englishIn(readable(done.text)), v.lang).toEqual([]);
      const status = await h.request('GET', `/api/visits/${v.id}`, { as: 'secretariat' });
      expect(status.body.history.find((e: { type: string }) => e.type === 'record-comments')).toMatchObject({
        actor: USERS.stateNOR.email,
        door: 'link',
        payload: { summary: COMMENTS[v.lang] },
      });

      // Used: the refusal is in the language too.
      const used = await open(path);
      expect(used.status).toBe(409);
      expect(used.text).toContain(root(v.lang));
      expect(used.text).toContain(`<h1>${t(v.lang, 'refused.title')}</h1>`);
      expect(used.text).toContain(t(v.lang, 'refused.used'));
      if (v.lang !== 'en') expect(englishIn(readable(used.text)), v.lang).toEqual([]);
    });
  }
});

describe('a link without a language', () => {
  it('opens in its visit’s language (links issued before they carried one)', async () => {
    const path = issued(OLD.id);
    const token = path.split('/').pop()!;
    const claims = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
    expect(claims).not.toHaveProperty('l');
    const page = await open(path);
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain(root('ar'));
    expect(page.text).toContain(`<h1>${linkLabel('record-comments', 'ar')}</h1>`);
    expect(englishIn(readable(page.text))).toEqual([]);
  });

  it('shows an entry the action refuses in the visit’s language, and stays usable', async () => {
    const path = issued(OLD.id);
    const refused = await post(path, { receivedOn: '2027-02-30' }); // no such day
    expect(refused.status, refused.text).toBe(400);
    expect(refused.text).toContain(root('ar'));
    expect(refused.text).toContain(t('ar', 'error.invalid'));
    expect(refused.text).toContain(
      t('ar', 'error.field', { field: t('ar', 'field.record-comments.receivedOn') }).replace(/"/g, '&quot;'),
    );
    expect(refused.text).toContain('value="2027-02-30"');
    expect(englishIn(readable(refused.text))).toEqual([]);
    expect((await open(path)).status).toBe(200);
  });

  it('says it has expired in its visit’s language, and in the language it carries', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const claims = { v: OLD.id, a: 'record-comments' as const, e: USERS.stateNOR.email, r: 'state' as const };
    const old = await open(`/links/${signLink({ ...claims, s: 'NOR', x: past }, h.linkSecret)}`);
    expect(old.status).toBe(401);
    expect(old.text).toContain(root('ar'));
    expect(old.text).toContain(t('ar', 'refused.expired'));
    const zh = await open(`/links/${signLink({ ...claims, s: 'NOR', x: past, l: 'zh' }, h.linkSecret)}`);
    expect(zh.status).toBe(401);
    expect(zh.text).toContain(root('zh'));
    expect(zh.text).toContain(t('zh', 'refused.expired'));
    expect(englishIn(readable(zh.text))).toEqual([]);
  });

  it('that is not valid speaks the browser’s language, if it is one of the six (else English)', async () => {
    const es = await open('/links/not.a-link', { 'accept-language': 'de-CH, es-MX;q=0.9, en;q=0.5' });
    expect(es.status).toBe(401);
    expect(es.text).toContain(root('es'));
    expect(es.text).toContain(t('es', 'refused.invalid'));
    expect(englishIn(readable(es.text))).toEqual([]);
    const other = await open('/links/not.a-link', { 'accept-language': 'de-DE' });
    expect(other.text).toContain(root('en'));
    expect(other.text).toContain(t('en', 'refused.invalid'));
  });
});

describe('a link the API issues', () => {
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));

  it('carries the language asked for, else the visit’s', async () => {
    const asked = await h.request('POST', `/api/visits/${OLD.id}/links`, {
      as: 'cted',
      body: { action: 'record-comments', email: USERS.stateNOR.email, language: 'ru' },
    });
    expect(asked.status, asked.text).toBe(201);
    expect(claimsOf(asked.body.token)).toMatchObject({ l: 'ru' });
    const page = await open(`/links/${asked.body.token}`);
    expect(page.text).toContain(root('ru'));
    expect(page.text).toContain(`<h1>${linkLabel('record-comments', 'ru')}</h1>`);

    const plain = await h.request('POST', `/api/visits/${OLD.id}/links`, {
      as: 'cted',
      body: { action: 'record-comments', email: USERS.stateNOR.email },
    });
    expect(plain.status, plain.text).toBe(201);
    expect(claimsOf(plain.body.token)).toMatchObject({ l: 'ar' });

    const wrong = await h.request('POST', `/api/visits/${OLD.id}/links`, {
      as: 'cted',
      body: { action: 'record-comments', email: USERS.stateNOR.email, language: 'de' },
    });
    expect(wrong.status).toBe(400);
  });
});
