/**
 * The secretariat's dashboard in a real headless Chromium (playwright-core, Debian's chromium),
 * against the real dev server, worker, SMTP server and API: signing in through the form, the
 * overview's filters, sorting and CSV export, a visit's page with its action buttons and timeline,
 * a State's narrower view, guideline compliance and the annual reporting-status list; signing out
 * (the session ends on the server); and the page a signed link opens, for a State with no account.
 */
import { parseCsv as parseCsvTable } from '../../src/infra/csv';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers';
import { startApiHarness, apiVisit, USERS, type Harness, type UserName } from '../api-harness';

/** Three visits of 2018 from Annex I (test/fixtures/ctc-visits-2018-2019.csv): imported, long overdue. */
const OLD_VISITS_CSV = [
  'visit_number,member_state,iso3,visit_type,ordinal,start_date,end_date',
  '136,Greece,GRC,follow-up,second,2018-01-30,2018-02-01',
  "138,Côte d'Ivoire,CIV,comprehensive,,2018-03-26,2018-03-30",
  '145,New Zealand,NZL,regional,second,2018-07-11,2018-07-13',
].join('\n');
const OLD = ['136-GRC', '138-CIV', '145-NZL'];
const ALL = [...OLD, '801-NOR', '802-CHL', '803-NOR'];

let h: Harness;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** The export as records, read with the same RFC 4180 parser the import uses. */
function parseCsv(text: string): Record<string, string>[] {
  const [header = [], ...rows] = parseCsvTable(text).filter((r) => r.some((f) => f !== ''));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: h.url });
  contexts.push(context);
  return { context, page: await context.newPage() };
}

/** Signs in through the form from wherever the page was sent to sign in; returns where it landed. */
async function signInThroughForm(page: Page, who: UserName): Promise<string> {
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await page.locator('#token').fill(h.tokens[who]);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
  return new URL(page.url()).pathname;
}

async function signedIn(who: UserName): Promise<{ context: BrowserContext; page: Page }> {
  const s = await newPage();
  await s.page.goto('/');
  expect(await signInThroughForm(s.page, who)).toBe('/');
  return s;
}

const rowIds = (page: Page) =>
  page.locator('tbody tr[data-visit]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-visit')));
const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();
/** Clicks something that loads a new page and waits for that page. */
const clickAndLoad = (page: Page, selector: string) =>
  Promise.all([page.waitForEvent('load'), page.locator(selector).click()]);

/** The page's own fetch (same origin, so its HttpOnly cookie goes along). */
const fetchInPage = (page: Page, href: string) =>
  page.evaluate(async (u) => {
    const r = await fetch(u);
    return {
      status: r.status,
      type: r.headers.get('content-type'),
      disposition: r.headers.get('content-disposition'),
      text: await r.text(),
    };
  }, href);

async function act(as: UserName, id: string, action: string, body: unknown = {}) {
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body });
  expect(r.status, `${action} by ${as}: ${r.text}`).toBe(200);
  return r.body;
}

beforeAll(async () => {
  [h, browser] = await Promise.all([startApiHarness(), launchChromium()]);
  for (const v of [
    apiVisit(801, 'NOR', { stateName: 'Norway' }),
    apiVisit(802, 'CHL', { stateName: 'Chile' }),
    apiVisit(803, 'NOR', { stateName: 'Norway' }),
  ]) {
    const r = await h.request('POST', '/api/visits', { as: 'cted', body: v });
    expect(r.status, r.text).toBe(201);
  }
  const imported = await h.request('POST', '/api/visits/import', {
    as: 'secretariat',
    body: { csv: OLD_VISITS_CSV, caseOfficer: USERS.cted.email, stateContact: 'pm-{iso3}@mission.example.org' },
  });
  expect(imported.status, imported.text).toBe(200);
  expect(imported.body.imported).toEqual(OLD);

  // 803-NOR goes through its first steps, so there are closed items to measure.
  await act('cted', '803-NOR', 'record-pao', { documentRef: 'PAO/803' });
  await act('cted', '803-NOR', 'refer-ta', {
    partners: ['UNODC'],
    needs: 'Border management',
    agreedOn: new Date().toISOString().slice(0, 10),
  });
  await act('cted', '803-NOR', 'submit-draft', { documentRef: 'DRAFT/803' });
  await act('cted', '803-NOR', 'dispatch-draft');
  // The State's answer is its own view: CTED now finalizes the report ('final-draft', the main track's 'finalizing').
  expect((await act('stateNOR', '803-NOR', 'record-comments', { summary: 'Two factual corrections' })).stage).toBe(
    'final-draft',
  );

  // The dashboard reads the read model: wait until it holds every visit as it now stands.
  await eventually(async () => {
    const snaps = await h.store.snapshots();
    return snaps.length === ALL.length && snaps.find((s) => s.id === '803-NOR')?.stage === 'finalizing'
      ? true
      : undefined;
  }, 'the read model to hold every visit');
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await h?.close();
});

describe('the dashboard in a browser', () => {
  it('refuses a wrong token at sign-in, with the error and no session', async () => {
    const { context, page } = await newPage();
    const first = await page.goto('/compliance');
    expect(first!.status()).toBe(200);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/sign-in?next=%2Fcompliance');
    await page.locator('#token').fill('not-a-real-token-but-long-enough-0123456789');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/sign-in') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(response.status()).toBe(401);
    await page.waitForLoadState();
    expect(await page.locator('p.overdue').textContent()).toBe('That token is not valid.');
    expect(await page.locator('nav').count()).toBe(0);
    expect(await context.cookies()).toEqual([]);
    // Still signed out: the overview sends it back to the form.
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });

  it('lets the secretariat filter the overview to overdue visits, sort it and export exactly those rows', async () => {
    const { context, page } = await signedIn('secretariat');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'followup_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    // The cookie holds a server-side session's random id, never the API token.
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie!.value).not.toBe(h.tokens.secretariat);
    expect(await page.locator('h1').textContent()).toBe('Visits');
    expect(await page.locator('.who').textContent()).toBe(`${USERS.secretariat.email} (secretariat)`);
    expect(await rowIds(page)).toEqual(ALL);
    expect(await page.locator('.counts').textContent()).toBe('6 visit(s): drafting: 5finalizing: 1');

    // Only overdue visits: the three old ones.
    await page.locator('select[name="overdue"]').selectOption('true');
    await clickAndLoad(page, 'form.filters button');
    expect(new URL(page.url()).searchParams.get('overdue')).toBe('true');
    expect(await rowIds(page)).toEqual(OLD);
    expect(await page.locator('tr[data-visit].is-overdue').count()).toBe(3);
    expect(await page.locator('.counts').textContent()).toBe('3 visit(s): drafting: 3');
    expect(await page.locator('select[name="overdue"]').inputValue()).toBe('true');
    expect(await page.locator('tr[data-visit="138-CIV"] td').nth(1).textContent()).toBe("Côte d'Ivoire");
    expect(await page.locator('tr[data-visit="138-CIV"] td').nth(2).textContent()).toBe('African States');
    expect(await page.locator('tr[data-visit="136-GRC"] td').nth(6).textContent()).toMatch(/^\d+ days overdue$/);
    expect(await page.locator('tr[data-visit="136-GRC"] .overdue').last().textContent()).toBe(
      'overdue: pao, ta-referral, drafting',
    );

    // Sort by State name, then the same column again for descending order; the filter stays.
    await clickAndLoad(page, 'thead a:text-is("State")');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('state');
    expect(await rowIds(page)).toEqual(['138-CIV', '136-GRC', '145-NZL']);
    expect(await page.locator('thead th').nth(1).textContent()).toBe('State ▲');
    await clickAndLoad(page, 'thead a:text-is("State ▲")');
    expect(new URL(page.url()).searchParams.get('desc')).toBe('1');
    expect(await rowIds(page)).toEqual(['145-NZL', '136-GRC', '138-CIV']);
    expect(await page.locator('thead th').nth(1).textContent()).toBe('State ▼');
    expect(new URL(page.url()).searchParams.get('overdue')).toBe('true');

    // Combined with a region: only the Western European and other States.
    await page.locator('select[name="region"]').selectOption('Western European and other States');
    await clickAndLoad(page, 'form.filters button');
    expect(await rowIds(page)).toEqual(['136-GRC', '145-NZL']);
    await page.locator('select[name="region"]').selectOption('');
    await clickAndLoad(page, 'form.filters button');
    expect(await rowIds(page)).toEqual(OLD);

    // Export CSV carries the filters (not the sort), and the download holds exactly those rows.
    const href = (await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!;
    const exportUrl = new URL(href, h.url);
    expect(exportUrl.pathname).toBe('/api/visits.csv');
    expect(exportUrl.searchParams.get('overdue')).toBe('true');
    expect(exportUrl.searchParams.has('sort')).toBe(false);
    const csv = await fetchInPage(page, href);
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.disposition).toBe('attachment; filename="visits.csv"');
    expect(csv.text.split('\r\n')[0]).toBe(
      'id,number,state,stateName,region,type,year,stage,nextItem,nextDeadline,daysLeft,overdue,overdueItems,openItems',
    );
    const rows = parseCsv(csv.text);
    expect(rows.map((r) => r.id)).toEqual(OLD);
    expect(rows.map((r) => [r.stateName, r.region, r.type, r.year, r.stage, r.overdue, r.overdueItems])).toEqual([
      [
        'Greece',
        'Western European and other States',
        'follow-up',
        '2018',
        'drafting',
        'true',
        'pao; ta-referral; drafting',
      ],
      ["Côte d'Ivoire", 'African States', 'comprehensive', '2018', 'drafting', 'true', 'pao; ta-referral; drafting'],
      [
        'New Zealand',
        'Western European and other States',
        'regional',
        '2018',
        'drafting',
        'true',
        'pao; ta-referral; drafting',
      ],
    ]);
    for (const r of rows) expect(Number(r.daysLeft)).toBeLessThan(-2000);
    // The cookie is what let it through: without it, the same URL is refused.
    expect((await fetch(`${h.url}${href}`)).status).toBe(401);
  });

  it('shows guideline compliance with a row per step done and the old visits that exceeded it', async () => {
    const { page } = await signedIn('secretariat');
    await clickAndLoad(page, 'nav a:text-is("Guideline compliance")');
    expect(new URL(page.url()).pathname).toBe('/compliance');
    const rows = await page.locator('#compliance tbody tr[data-item]').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim());
        return {
          year: tr.getAttribute('data-year'),
          item: tr.getAttribute('data-item'),
          done: cells[2] ?? '',
          target: cells[5] ?? '',
          exceeded: cells[7] ?? '',
        };
      }),
    );
    const year = String(new Date(Date.now() - 86_400_000).getUTCFullYear());
    const exceededOld = '136-GRC|138-CIV|145-NZL';
    expect(rows.map((r) => `${r.year} ${r.item} ${r.done}`)).toEqual([
      '2018 pao 0',
      '2018 ta-referral 0',
      '2018 drafting 0',
      `${year} pao 1`,
      `${year} ta-referral 1`,
      `${year} drafting 1`,
      `${year} state-review 1`,
    ]);
    // 2018: nothing done, every old visit past its deadline; this year: 803-NOR's steps, all on time.
    for (const r of rows.filter((x) => x.year === '2018')) {
      expect(
        r.exceeded
          .split(', ')
          .map((e) => e.replace(/ \(.*\)$/, ''))
          .sort()
          .join('|'),
      ).toBe(exceededOld);
      expect(r.target).toBe('—');
    }
    for (const r of rows.filter((x) => x.year === year)) expect(r.exceeded).toBe('—');
    expect(rows.find((r) => r.year === year && r.item === 'drafting')!.target).toBe('60');
    expect(rows.find((r) => r.year === year && r.item === 'state-review')!.target).toBe('30');
    expect(await page.locator('#compliance a[href="/visits/136-GRC"]').count()).toBe(3);
    expect(await page.locator('#compliance svg[role="img"]').count()).toBe(7);
  });

  it('lets CTED open a fresh visit, submit and dispatch the draft with buttons, and see the stage and timeline move', async () => {
    const { page } = await signedIn('cted');
    await clickAndLoad(page, 'tr[data-visit="801-NOR"] a[href="/visits/801-NOR"]');
    expect(new URL(page.url()).pathname).toBe('/visits/801-NOR');
    expect(await page.locator('h1').textContent()).toBe('Visit 801-NOR: Norway');
    expect(await page.locator('#stage').textContent()).toBe('drafting');
    expect(await page.locator('#consent').textContent()).toBe('none');
    expect(await texts(page, 'form.action legend')).toEqual([
      'record-pao',
      'refer-ta',
      'submit-draft',
      'record-recommendations',
    ]);
    expect(await texts(page, '#timeline tbody tr.planned td:nth-child(2)')).toEqual([
      expect.stringMatching(/^pao due \d{4}-\d{2}-\d{2}$/),
      expect.stringMatching(/^ta-referral due \d{4}-\d{2}-\d{2}$/),
      expect.stringMatching(/^drafting due \d{4}-\d{2}-\d{2}$/),
    ]);
    expect(await page.locator('#timeline tbody tr.event td:nth-child(2)').allTextContents()).toEqual(['visit-started']);

    // A second tab left open on the same page: its button will be stale.
    const stale = await page.context().newPage();
    await stale.goto('/visits/801-NOR');

    const draftForm = page.locator('form.action', { has: page.locator('button[value="submit-draft"]') });
    await draftForm.locator('input[name="documentRef"]').fill('DRAFT/801');
    await draftForm.locator('input[name="note"]').fill('Reviewed by the section chief');
    await Promise.all([page.waitForEvent('load'), draftForm.getByRole('button', { name: 'submit-draft' }).click()]);
    expect(new URL(page.url()).pathname).toBe('/visits/801-NOR');
    expect(await page.locator('[role="alert"]').count()).toBe(0);
    expect(await page.locator('#stage').textContent()).toBe('drafting');
    expect(await texts(page, 'form.action legend')).toEqual([
      'record-pao',
      'refer-ta',
      'dispatch-draft',
      'record-recommendations',
    ]);
    expect(await texts(page, '#timeline tbody tr.event td:nth-child(2)')).toEqual([
      'visit-started',
      `submit-draft by ${USERS.cted.email}`,
    ]);
    expect(await page.locator('#timeline tbody tr.done td:nth-child(2)').textContent()).toMatch(
      /^drafting done \(submitted\); planned \d{4}-\d{2}-\d{2}, actual \d{4}-\d{2}-\d{2}$/,
    );

    // The stale tab's submit-draft is refused by the workflow, and the page says why.
    await Promise.all([stale.waitForEvent('load'), stale.getByRole('button', { name: 'submit-draft' }).click()]);
    expect(new URL(stale.url()).pathname).toBe('/visits/801-NOR');
    expect(await stale.locator('[role="alert"]').textContent()).toBe(
      'submit-draft is not allowed while visit 801-NOR is at stage drafting; allowed now: record-pao, refer-ta, dispatch-draft, record-recommendations, withdraw',
    );
    await stale.close();

    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'dispatch-draft' }).click()]);
    expect(await page.locator('#stage').textContent()).toBe('state-review');
    // CTED may record the State's reply or extension request when it comes by note verbale.
    expect(await texts(page, 'form.action legend')).toEqual([
      'record-pao',
      'refer-ta',
      'record-comments',
      'request-extension',
      'record-recommendations',
    ]);
    expect(await texts(page, '#timeline tbody tr.event td:nth-child(2)')).toEqual([
      'visit-started',
      `submit-draft by ${USERS.cted.email}`,
      `dispatch-draft by ${USERS.cted.email}`,
    ]);
    expect(await texts(page, '#timeline tbody tr.planned td:nth-child(2)')).toContainEqual(
      expect.stringMatching(/^state-review due \d{4}-\d{2}-\d{2}$/),
    );

    // What the buttons did, seen through the API and the audit trail: the typed fields, the web door.
    const status = (await h.request('GET', '/api/visits/801-NOR', { as: 'secretariat' })).body;
    expect(status.stage).toBe('state-review');
    expect(status.history.map((e: { type: string; door: string }) => [e.type, e.door])).toEqual([
      ['visit-started', 'engine'],
      ['submit-draft', 'web'],
      ['dispatch-draft', 'web'],
    ]);
    expect(status.history[1].payload).toEqual({ documentRef: 'DRAFT/801', note: 'Reviewed by the section chief' });
    expect(
      (await h.store.audit())
        .filter((e) => e.visitId === '801-NOR' && e.door === 'web')
        .map((e) => [e.action, e.outcome]),
    ).toEqual([
      ['submit-draft', 'accepted'],
      ['submit-draft', 'refused'],
      ['dispatch-draft', 'accepted'],
    ]);

    // The draft's e-mail to Norway appears under "Reminders and notices sent" once sent.
    const subject = await eventually(async () => {
      await page.reload();
      const cells = await texts(page, 'main table:last-of-type tbody td');
      return cells.includes(USERS.stateNOR.email) ? cells[2] : undefined;
    }, "the draft's notice on the visit page");
    expect(subject).toMatch(/^Draft report of visit 801-NOR for factual comments \(by \d{1,2} [A-Z][a-z]+ \d{4}\)$/);
  });

  it("shows a State only its own visits, and another State's visit is a 404", async () => {
    const { page } = await newPage();
    // Signed out, a visit's address leads to the form and back to the visit.
    await page.goto('/visits/803-NOR');
    expect(await signInThroughForm(page, 'stateNOR')).toBe('/visits/803-NOR');
    expect(await page.locator('.who').textContent()).toBe(`${USERS.stateNOR.email} (state NOR)`);
    // Its own stage words: CTED is finalizing the report.
    expect(await page.locator('#stage').textContent()).toBe('final-draft');
    expect(await page.locator('form.action').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('Nothing for you to do on this visit now.');

    await clickAndLoad(page, 'nav a:text-is("Overview")');
    expect(await rowIds(page)).toEqual(['801-NOR', '803-NOR']);
    expect(await page.locator('.counts').textContent()).toMatch(/^2 visit\(s\): /);
    // The year filter offers only the years of its own visits (no 2018).
    expect(await page.locator('select[name="year"] option').allTextContents()).toEqual([
      'all',
      String(new Date(Date.now() - 86_400_000).getUTCFullYear()),
    ]);
    const csv = await fetchInPage(page, (await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!);
    expect(parseCsv(csv.text).map((r) => r.id)).toEqual(['801-NOR', '803-NOR']);

    for (const id of ['802-CHL', '136-GRC']) {
      const res = await page.goto(`/visits/${id}`);
      expect(res!.status(), id).toBe(404);
      const body = await res!.text();
      expect(body).toContain(`no visit ${id}`);
      expect(body).not.toMatch(/Chile|Greece|drafting/);
    }
    // Indistinguishable from a visit that does not exist.
    const missing = await page.goto('/visits/999-CHL');
    expect(missing!.status()).toBe(404);
    const missingBody = await missing!.text();
    expect(missingBody).toContain('<h1>Not found</h1>');
    expect(missingBody).toContain('no visit 999-CHL');
    // The same page, word for word, as for another State's existing visit.
    expect((await (await page.goto('/visits/802-CHL'))!.text()).replace('802-CHL', '999-CHL')).toBe(missingBody);
    // Nor can it act on it with a hand-made form post.
    const post = await page.evaluate(async () => {
      const r = await fetch('/visits/802-CHL/act/request-extension', {
        method: 'POST',
        body: new URLSearchParams({ reason: 'x' }),
        redirect: 'manual',
      });
      return r.status;
    });
    expect(post).toBe(404);
    expect((await h.request('GET', '/api/visits/802-CHL', { as: 'secretariat' })).body.extension).toBe('none');
  });

  it('lists every visited State on the annual reporting-status page, its print version and its CSV', async () => {
    const { page } = await signedIn('secretariat');
    await clickAndLoad(page, 'nav a:text-is("Annual reporting status")');
    expect(await page.locator('h1').textContent()).toMatch(
      /^Reporting status of visited States, as of \d{4}-\d{2}-\d{2}$/,
    );
    const annualRows = () =>
      page
        .locator('#annual tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)));
    const year = String(new Date(Date.now() - 86_400_000).getUTCFullYear());
    expect(await annualRows()).toEqual([
      ['Chile', '802-CHL', year, 'not yet requested'],
      ["Côte d'Ivoire", '138-CIV', '2018', 'not yet requested'],
      ['Greece', '136-GRC', '2018', 'not yet requested'],
      ['New Zealand', '145-NZL', '2018', 'not yet requested'],
      ['Norway', '801-NOR', year, 'not yet requested'],
      ['Norway', '803-NOR', year, 'not yet requested'],
    ]);

    await page.locator('input[name="year"]').fill('2018');
    await clickAndLoad(page, 'main form button');
    expect(await page.locator('h1').textContent()).toMatch(
      /^Reporting status of visited States \(visits of 2018\), as of /,
    );
    expect((await annualRows()).map((r) => r[0])).toEqual(["Côte d'Ivoire", 'Greece', 'New Zealand']);

    await clickAndLoad(page, 'a:text-is("Printable page")');
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/annual/print?year=2018');
    expect(await page.locator('nav').count()).toBe(0);
    expect((await annualRows()).map((r) => r[1])).toEqual(['138-CIV', '136-GRC', '145-NZL']);

    const csv = await fetchInPage(page, '/api/annual.csv?year=2018');
    expect(csv.status).toBe(200);
    expect(parseCsv(csv.text).map((r) => [r.stateName, r.state, r.id, r.visitYear, r.status])).toEqual([
      ["Côte d'Ivoire", 'CIV', '138-CIV', '2018', 'not yet requested'],
      ['Greece', 'GRC', '136-GRC', '2018', 'not yet requested'],
      ['New Zealand', 'NZL', '145-NZL', '2018', 'not yet requested'],
    ]);
  });

  it('signs out, ending the session on the server: the cookie, kept and sent again, signs no one in', async () => {
    const { context, page } = await signedIn('cted');
    const [cookie] = await context.cookies();
    await clickAndLoad(page, 'nav button:text-is("Sign out")');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await context.cookies()).toEqual([]);

    const copy = await newPage();
    await copy.context.addCookies([{ ...cookie!, domain: '127.0.0.1' }]);
    await copy.page.goto('/');
    expect(new URL(copy.page.url()).pathname).toBe('/sign-in');
  });

  it('opens a signed link as a page: a State fills the form, sees what was recorded, and the link is then used', async () => {
    await act('cted', '802-CHL', 'submit-draft', { documentRef: 'DRAFT/802' });
    await act('cted', '802-CHL', 'dispatch-draft');
    const issued = await h.request('POST', '/api/visits/802-CHL/links', {
      as: 'secretariat',
      body: { action: 'record-comments', email: USERS.stateCHL.email },
    });
    expect(issued.status, issued.text).toBe(201);
    const path = new URL(issued.body.url as string).pathname;
    expect(path).toBe(`/links/${issued.body.token}`);

    const { context, page } = await newPage();
    const opened = await page.goto(path);
    expect(opened!.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Submit your comments');
    expect(await page.locator('#visit').textContent()).toBe('802-CHL');
    expect(await page.locator('nav').count()).toBe(0);
    await page.locator('#f-record-comments-summary').fill('One factual correction in paragraph 4');
    await clickAndLoad(page, 'button:text-is("Submit")');
    expect(await page.locator('h1').textContent()).toBe('Recorded');
    expect(await page.locator('#done').textContent()).toBe('Submit your comments');
    expect(await page.locator('dd').allTextContents()).toContain('One factual correction in paragraph 4');
    expect(await context.cookies()).toEqual([]); // no account, no session

    const status = await h.request('GET', '/api/visits/802-CHL', { as: 'secretariat' });
    expect(status.body.stage).toBe('finalizing');

    const again = await page.goto(path);
    expect(again!.status()).toBe(409);
    expect(await page.locator('h1').textContent()).toBe('This link cannot be used');
    expect(await page.locator('[role="alert"]').textContent()).toBe('This link has already been used.');
  });
});
