/**
 * The dashboard in English and French, on the real stack (dev server, worker, API, dashboard):
 * `?lang=fr` chooses French and the `lang` cookie remembers it, `?lang=en` goes back, an unknown
 * value changes nothing; and no English label of the overview or a visit's page is left on the
 * French pages, while the English pages still carry every one of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers';
import { apiVisit, startApiHarness, USERS, type Harness } from '../api-harness';

/** Two visits of 2018 from Annex I, long overdue, beside a fresh one. */
const OLD_VISITS_CSV = [
  'visit_number,member_state,iso3,visit_type,ordinal,start_date,end_date',
  '136,Greece,GRC,follow-up,second,2018-01-30,2018-02-01',
  "138,Côte d'Ivoire,CIV,comprehensive,,2018-03-26,2018-03-30",
].join('\n');

let h: Harness;
let session = '';

beforeAll(async () => {
  h = await startApiHarness();
  const created = await h.request('POST', '/api/visits', {
    as: 'cted',
    body: apiVisit(901, 'NOR', { stateName: 'Norway' }),
  });
  expect(created.status, created.text).toBe(201);
  const imported = await h.request('POST', '/api/visits/import', {
    as: 'secretariat',
    body: { csv: OLD_VISITS_CSV, caseOfficer: USERS.cted.email, stateContact: 'pm-{iso3}@mission.example.org' },
  });
  expect(imported.status, imported.text).toBe(200);
  await eventually(
    async () => ((await h.store.snapshots()).length === 3 ? true : undefined),
    'the read model to hold every visit',
  );
  session = await h.signIn('cted');
});

afterAll(async () => {
  await h?.close();
});

interface Page {
  status: number;
  html: string;
  /** The `lang` cookie the answer sets, as its Set-Cookie line; undefined when it sets none. */
  langCookie: string | undefined;
}

/** A GET of a dashboard page, signed in as CTED, with the `lang` cookie when given. */
async function get(path: string, lang?: string): Promise<Page> {
  const cookie = [session, lang === undefined ? '' : `lang=${lang}`].filter(Boolean).join('; ');
  const res = await fetch(`${h.url}${path}`, { headers: { cookie }, redirect: 'manual' });
  const setCookies = res.headers.getSetCookie();
  return {
    status: res.status,
    html: await res.text(),
    langCookie: setCookies.find((c) => c.startsWith('lang=')),
  };
}

const h1 = (html: string) => /<h1>(.*?)<\/h1>/s.exec(html)?.[1];
const htmlLang = (html: string) => /<html lang="(\w+)"/.exec(html)?.[1];

/**
 * What a person reads on a page: its text and the words of its placeholders, labels and titles;
 * without the subjects of the notices sent (each written in its recipient's language) and the
 * person's own address.
 */
function readable(html: string): string {
  const page = html.replace(/<table id="messages">.*?<\/table>/s, '').replaceAll(USERS.cted.email, '');
  const attributes = [...page.matchAll(/(?:placeholder|aria-label|title)="([^"]*)"/g)].map((m) => m[1]);
  const text = page.replace(/<[^>]+>/g, ' ');
  return `${text} ${attributes.join(' ')}`
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The labels of the overview and of a visit's page, in English. */
const OVERVIEW_WORDS = [
  'Overview',
  'Guideline compliance',
  'Annual reporting status',
  'Recommendations',
  'Technical assistance',
  'Sign out',
  'Visits',
  'Visit',
  'State',
  'Region',
  'Stage',
  'Next deadline',
  'Deadline',
  'Next',
  'Days',
  'Open items',
  'days overdue',
  'days left',
  'Overdue',
  'Filter',
  'Export CSV',
  'all',
  'drafting',
  'comprehensive',
  'African States',
];
const VISIT_WORDS = [
  'Overview',
  'Sign out',
  'Visit',
  'Stage',
  'Sharing consent',
  'none',
  'Timeline',
  'What',
  'due',
  'visit-started',
  'Reminders and notices sent',
  'drafting',
  'comprehensive',
  'record-pao',
  'submit-draft',
  'documentRef',
];

/** The words of a list found on a page, whole and in any case ("Visit" is not in "Visites"). */
const found = (words: string[], text: string) =>
  words.filter((w) => new RegExp(`(^|[^\\p{L}\\p{N}-])${w}([^\\p{L}\\p{N}-]|$)`, 'iu').test(text));

describe('the dashboard in English and French', () => {
  it('speaks French with ?lang=fr and remembers it in the lang cookie; ?lang=en goes back', async () => {
    const fr = await get('/?lang=fr');
    expect(fr.status).toBe(200);
    expect(htmlLang(fr.html)).toBe('fr');
    expect(h1(fr.html)).toBe('Visites');
    expect(fr.html).toContain('<title>Visites · Suivi des visites du Comité contre le terrorisme</title>');
    expect(fr.html).toContain('Se déconnecter');
    expect(fr.langCookie).toBeDefined();
    const parts = fr.langCookie!.split(';').map((p) => p.trim());
    expect(parts[0]).toBe('lang=fr');
    expect(parts).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=31536000']));

    // The next page, with the cookie and no parameter, stays in French (and sets nothing new).
    const again = await get('/visits/901-NOR', 'fr');
    expect(again.status).toBe(200);
    expect(htmlLang(again.html)).toBe('fr');
    expect(h1(again.html)).toBe('Visite 901-NOR\u00a0: Norway');
    expect(again.langCookie).toBeUndefined();

    // ?lang=en switches back, and the cookie now says English.
    const en = await get('/?lang=en', 'fr');
    expect(htmlLang(en.html)).toBe('en');
    expect(h1(en.html)).toBe('Visits');
    expect(en.langCookie?.split(';')[0]).toBe('lang=en');
    expect(htmlLang((await get('/', 'en')).html)).toBe('en');
  });

  it('ignores an unknown language: the page stays in the language it was in, and nothing is refused', async () => {
    const kept = await get('/?lang=xx', 'fr');
    expect(kept.status).toBe(200);
    expect(htmlLang(kept.html)).toBe('fr');
    expect(kept.langCookie).toBeUndefined();
    const fresh = await get('/?lang=xx');
    expect(fresh.status).toBe(200);
    expect(htmlLang(fresh.html)).toBe('en');
    expect(h1(fresh.html)).toBe('Visits');
    // An unknown cookie is English too.
    expect(htmlLang((await get('/', 'klingon')).html)).toBe('en');
  });

  it('switches language in place: the EN | FR links keep the path and its query', async () => {
    const fr = await get('/?overdue=true&lang=fr');
    expect(fr.status).toBe(200);
    expect(fr.html).toContain('<a href="/?overdue=true&amp;lang=en" hreflang="en" lang="en">EN</a>');
    expect(fr.html).toContain('<strong lang="fr">FR</strong>');
    // The filter applied, and its sort links and export do not carry the language.
    expect([...fr.html.matchAll(/<tr data-visit="([^"]+)"/g)].map((m) => m[1])).toEqual(['136-GRC', '138-CIV']);
    expect(fr.html).toContain('href="/api/visits.csv?overdue=true"');
    expect(fr.html).not.toMatch(/href="\/\?[^"]*sort=[^"]*lang=/);
    const visit = await get('/visits/901-NOR', 'fr');
    expect(visit.html).toContain('<a href="/visits/901-NOR?lang=en" hreflang="en" lang="en">EN</a>');
  });

  it('writes French pages with no English label left, and the English pages still carry them all', async () => {
    const enOverview = readable((await get('/?lang=en')).html);
    const frOverview = readable((await get('/?lang=fr')).html);
    expect(found(OVERVIEW_WORDS, enOverview)).toEqual(OVERVIEW_WORDS);
    expect(found(OVERVIEW_WORDS, frOverview)).toEqual([]);
    expect(frOverview).toMatch(/\d+ jours de retard/);
    expect(frOverview).toContain('Prochaine échéance');
    expect(frOverview).toContain('Groupe des États d’Afrique');

    const enVisit = readable((await get('/visits/901-NOR?lang=en')).html);
    const frVisit = readable((await get('/visits/901-NOR?lang=fr')).html);
    expect(found(VISIT_WORDS, enVisit)).toEqual(VISIT_WORDS);
    expect(found(VISIT_WORDS, frVisit)).toEqual([]);
    expect(frVisit).toContain('Consentement au partage');
    expect(frVisit).toContain('suivi de la visite engagé');
    // Dates in French words (New York days), where English writes ISO dates.
    expect(enVisit).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(frVisit).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(frVisit).toMatch(
      /\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}/,
    );
  });

  it("puts every other page of the dashboard in French too, and a State's own words for its stage", async () => {
    const titles: Record<string, string> = {
      '/compliance': 'Respect des principes directeurs',
      '/recommendations': 'Mise en œuvre des recommandations',
      '/ta': 'Assistance technique',
    };
    for (const [path, title] of Object.entries(titles)) {
      const page = await get(path, 'fr');
      expect(page.status, path).toBe(200);
      expect(htmlLang(page.html), path).toBe('fr');
      expect(h1(page.html), path).toBe(title);
      expect(
        found(['Sign out', 'Overview', 'State', 'Year', 'Step', 'TA need', 'Waiting on'], readable(page.html)),
      ).toEqual([]);
    }
    const annual = await get('/annual?year=2018', 'fr');
    expect(h1(annual.html)).toMatch(
      /^État de la présentation des rapports des États Membres visités \(visites de 2018\), au \d{1,2}(er)? \p{L}+ \d{4}$/u,
    );
    expect(annual.html).toContain('href="/annual/print?year=2018"');
    expect(readable(annual.html)).toContain('pas encore demandé');

    const res = await fetch(`${h.url}/visits/901-NOR?lang=fr`, { headers: { cookie: await h.signIn('stateNOR') } });
    const state = readable(await res.text());
    expect(state).toContain('(la DECT rédige le rapport de visite)');
    expect(state).toContain('Aucune mesure n’est attendue de vous pour cette visite à ce stade.');
    expect(state).toContain('Messages qui vous ont été adressés');
  });

  it('speaks French on the sign-in page and on error pages too', async () => {
    const signIn = await fetch(`${h.url}/sign-in?lang=fr`);
    const html = await signIn.text();
    expect(htmlLang(html)).toBe('fr');
    expect(h1(html)).toBe('Connexion');
    expect(html).toContain('<button>Se connecter</button>');
    expect(signIn.headers.getSetCookie().some((c) => c.startsWith('lang=fr;'))).toBe(true);

    const missing = await get('/visits/999-CHL', 'fr');
    expect(missing.status).toBe(404);
    expect(htmlLang(missing.html)).toBe('fr');
    expect(h1(missing.html)).toBe('Page introuvable');
    expect(missing.html).toContain('Retour à la vue d’ensemble');
  });
});
