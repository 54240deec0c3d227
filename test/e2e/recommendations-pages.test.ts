/**
 * The register's pages in a real headless Chromium (playwright-core, Debian's chromium), against
 * the real dev server, worker and API: a visit of Norway with recommendations recorded, adopted,
 * TA needs agreed and referred to UNODC, progress reported and assessed, each step through the
 * engine and into Norway's register workflow; then a State's register page (statuses, history,
 * filters, the CSV export), progress per theme and per year of visit (the SVG bars as wide as
 * their shares, with the same numbers in a table), and the TA pipeline, as CTED, as Norway's focal
 * point (its own register only) and as UNODC (its referrals only).
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv as parseCsvTable } from '../../src/infra/csv';
import { CHART } from '../../src/doors/web/progress';
import { eventually } from '../helpers';
import { apiVisit, startApiHarness, USERS, type Harness, type UserName } from '../api-harness';

const NOR = '401-NOR';
const CHL = '402-CHL';
const R = (n: number) => `${NOR}/R${n}`;

const NOR_RECOMMENDATIONS = [
  {
    number: 1,
    text: 'Criminalize the financing of travel for terrorist purposes',
    theme: 'legislation',
    priority: true,
    taNeed: 'Legislative drafting',
  },
  { number: 2, text: 'Review the <b>terrorism</b> offences & their penalties', theme: 'legislation', priority: false },
  {
    number: 3,
    text: 'Screen travellers against INTERPOL databases at every border post',
    theme: 'border-management',
    priority: true,
    taNeed: 'Screening equipment',
  },
  { number: 4, text: 'Train investigators in digital evidence', theme: 'ict', priority: false, taNeed: 'Forensics' },
  {
    number: 5,
    text: 'Give the financial intelligence unit access to beneficial ownership data',
    theme: 'counter-financing',
    priority: false,
    taNeed: 'FIU mentoring',
  },
];

let h: Harness;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function step(as: UserName, id: string, action: string, body: unknown = {}) {
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body });
  expect(r.status, `${action} by ${as}: ${r.text}`).toBe(200);
}

/** From the draft to adoption and transmission, each step by its role. */
async function adoptAndTransmit(id: string, state: 'stateNOR' | 'stateCHL') {
  await step('cted', id, 'submit-draft', { documentRef: `DRAFT/${id}` });
  await step('cted', id, 'dispatch-draft');
  await step(state, id, 'record-comments', { summary: 'No comments' });
  await step('cted', id, 'submit-final-draft');
  await step('committee', id, 'object', { reason: 'Paragraph 12' });
  await step('chair', id, 'record-adoption');
  await step('cted', id, 'transmit-report');
}

async function signedIn(who: UserName, path: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: h.url });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(path);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await page.locator('#token').fill(h.tokens[who]);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
  expect(new URL(page.url()).pathname).toBe(path.split('?')[0]);
  return page;
}

const clickAndLoad = (page: Page, selector: string) =>
  Promise.all([page.waitForEvent('load'), page.locator(selector).click()]);
const rowIds = (page: Page, selector: string) =>
  page
    .locator(`${selector} tr[data-recommendation]`)
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-recommendation')));

/** A chart's drawn parts: per row, each part's share, its width attribute and its width as drawn. */
function bars(page: Page, chart: string) {
  return page.locator(`#${chart} g.progress-row`).evaluateAll((gs) =>
    Object.fromEntries(
      gs.map((g) => [
        g.getAttribute('data-row'),
        {
          title: g.querySelector(':scope > title')?.textContent,
          parts: Object.fromEntries(
            [...g.querySelectorAll('rect[data-part]')].map((r) => [
              r.getAttribute('data-part'),
              {
                share: Number(r.getAttribute('data-share')),
                width: Number(r.getAttribute('width')),
                drawn: Math.round(r.getBoundingClientRect().width),
                fill: getComputedStyle(r).fill,
              },
            ]),
          ),
        },
      ]),
    ),
  );
}

/** A table's rows (by data-row) as their cells' text. */
const tableRows = (page: Page, selector: string) =>
  page
    .locator(`${selector} tbody tr[data-row]`)
    .evaluateAll((trs) =>
      Object.fromEntries(
        trs.map((tr) => [tr.getAttribute('data-row'), [...tr.querySelectorAll('td')].map((td) => td.textContent)]),
      ),
    );

beforeAll(async () => {
  [h, browser] = await Promise.all([startApiHarness(), launchChromium()]);
  for (const v of [apiVisit(401, 'NOR', { stateName: 'Norway' }), apiVisit(402, 'CHL', { stateName: 'Chile' })]) {
    const r = await h.request('POST', '/api/visits', { as: 'cted', body: v });
    expect(r.status, r.text).toBe(201);
  }
  await step('cted', NOR, 'record-recommendations', { recommendations: NOR_RECOMMENDATIONS });
  await step('cted', CHL, 'record-recommendations', {
    recommendations: [{ number: 1, text: 'Ratify the conventions', theme: 'legislation', priority: true }],
  });
  await adoptAndTransmit(NOR, 'stateNOR');
  await adoptAndTransmit(CHL, 'stateCHL');

  // Norway agrees three needs (R4's is left to agree); CTED refers two of them to UNODC (R5's waits on CTED).
  await step('stateNOR', NOR, 'agree-ta-needs', { recommendations: [R(1), R(3), R(5)] });
  await step('cted', NOR, 'refer-ta', { partners: ['UNODC'], recommendations: [R(1), R(3)] });
  await step('partner', NOR, 'record-ta-response', { recommendation: R(1), partner: 'UNODC', response: 'accepted' });
  await step('partner', NOR, 'record-ta-delivery', {
    recommendation: R(1),
    partner: 'UNODC',
    status: 'delivering',
    text: 'Drafting workshop planned',
  });
  await step('stateNOR', NOR, 'report-progress', {
    items: [
      { recommendation: R(1), status: 'implemented', text: 'Act 12/2026 in force' },
      { recommendation: R(2), status: 'in-progress' },
    ],
  });
  await step('cted', NOR, 'assess-recommendation', {
    items: [
      { recommendation: R(1), status: 'implemented', note: 'Verified with the Act' },
      { recommendation: R(2), status: 'partially-implemented' },
      { recommendation: R(3), status: 'not-implemented' },
    ],
  });

  // The pages read the registers, fed after each step: wait until Norway's has the assessments.
  await eventually(
    async () => {
      const r = await h.request('GET', `/api/recommendations/${encodeURIComponent(R(3))}`, { as: 'cted' });
      return r.status === 200 && r.body.assessedStatus.status === 'not-implemented' ? true : undefined;
    },
    "Norway's register to hold the assessments",
    60_000,
  );
  await eventually(
    async () =>
      (await h.request('GET', '/api/recommendations?state=CHL', { as: 'cted' })).body?.length ? 1 : undefined,
    "Chile's register to hold its recommendation",
    60_000,
  );
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await h?.close();
});

describe('the register pages in a browser', () => {
  it("shows CTED a State's register: both statuses, TA, history folded, filters and the CSV export", async () => {
    const page = await signedIn('cted', '/states/NOR');
    expect(await page.locator('h1').textContent()).toBe('Register of recommendations: Norway');
    expect(await rowIds(page, '#register')).toEqual([R(1), R(2), R(3), R(4), R(5)]);
    expect(await page.locator('#register-counts').textContent()).toBe(
      '5 recommendation(s)open: 4 (1 priority)closed: 1 (0 superseded)TA needs: identified 1, agreed 1, referred 1, delivering 1',
    );
    const r1 = page.locator(`tr[data-recommendation="${R(1)}"]`);
    expect(await r1.getAttribute('data-status')).toBe('closed');
    expect(await r1.locator('.reported').textContent()).toBe('implemented');
    expect(await r1.locator('.assessed').textContent()).toBe('implemented');
    expect(await r1.textContent()).toContain('Verified with the Act');
    expect(await r1.locator('.ta-status').textContent()).toBe('delivering');
    // The text typed with markup is shown as typed, not as markup.
    expect(
      await page
        .locator(`tr[data-recommendation="${R(2)}"] td`)
        .first()
        .textContent(),
    ).toContain('Review the <b>terrorism</b> offences & their penalties');
    expect(await page.locator('#register b').count()).toBe(0);

    // The history is folded until opened.
    const history = r1.locator('details.history');
    expect(await history.locator('li').first().isVisible()).toBe(false);
    await history.locator('summary').click();
    expect(await history.locator('li strong').allTextContents()).toEqual([
      'recommendations-adopted',
      'ta-agreed',
      'ta-referred',
      'ta-response',
      'ta-delivery',
      'progress-reported',
      'assessed',
    ]);
    expect(await history.locator('li').first().isVisible()).toBe(true);
    expect(await history.locator('li').nth(1).textContent()).toContain(`by ${USERS.stateNOR.email}`);

    // Open priority recommendations only; the export carries the same filters.
    await page.locator('select[name="status"]').selectOption('open');
    await page.locator('select[name="priority"]').selectOption('true');
    await clickAndLoad(page, 'form.filters button');
    expect(new URL(page.url()).search).toBe('?status=open&priority=true&visit=');
    expect(await rowIds(page, '#register')).toEqual([R(3)]);
    const href = (await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!;
    expect(href).toBe('/api/recommendations.csv?state=NOR&status=open&priority=true');
    const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    const [header = [], ...rows] = parseCsvTable(csv).filter((r) => r.some((f) => f !== ''));
    expect(rows.map((r) => r[header.indexOf('id')])).toEqual([R(3)]);
  });

  it('draws progress per theme and per year of visit as bars as wide as their shares, with the same numbers', async () => {
    const page = await signedIn('cted', '/');
    await clickAndLoad(page, 'nav a:text-is("Recommendations")');
    expect(new URL(page.url()).pathname).toBe('/recommendations');
    expect(await page.locator('script').count()).toBe(0);
    const theme = await bars(page, 'by-theme');
    expect(Object.keys(theme)).toHaveLength(10);
    const W = CHART.bar;
    // Legislation: NOR R1 implemented, R2 partly, CHL R1 not yet assessed.
    expect(theme.legislation!.parts).toEqual({
      implemented: { share: 0.3333, width: 133.33, drawn: Math.round(W / 3), fill: 'rgb(31, 95, 168)' },
      partly: { share: 0.3333, width: 133.33, drawn: Math.round(W / 3), fill: 'rgb(127, 178, 229)' },
      unknown: { share: 0.3333, width: 133.33, drawn: Math.round(W / 3), fill: 'rgb(184, 184, 184)' },
    });
    expect(theme['border-management']!.parts).toEqual({
      not: { share: 1, width: W, drawn: W, fill: 'rgb(224, 138, 30)' },
    });
    expect(Object.keys(theme.ict!.parts)).toEqual(['unknown']);
    expect(theme.other!.parts).toEqual({});
    expect(theme['border-management']!.title).toBe(
      'border-management: 1 recommendation(s): implemented 0 (0%), partly implemented 0 (0%), not implemented 1 (100%), unknown (insufficient information) 0 (0%)',
    );
    expect(theme.other!.title).toBe('other: no recommendations counted');
    expect((await tableRows(page, '#by-theme-table')).legislation).toEqual([
      'legislation',
      '3',
      '1 (34%)',
      '1 (33%)',
      '0 (0%)',
      '1 (33%)',
      '0',
      '0',
    ]);
    expect(await page.locator('#by-theme .legend li').allTextContents()).toEqual([
      ' implemented',
      ' partly implemented',
      ' not implemented',
      ' unknown (insufficient information)',
    ]);

    // Both visits ended yesterday: one year of visit, six recommendations.
    const year = new Date(Date.now() - 86_400_000).toISOString().slice(0, 4);
    const byYear = await bars(page, 'by-year');
    expect(Object.keys(byYear)).toEqual([year]);
    expect(byYear[year]!.parts.implemented!.share).toBe(0.1667);
    expect(byYear[year]!.parts.unknown!.share).toBe(0.5);
    expect(byYear[year]!.parts.unknown!.drawn).toBe(W / 2);
    expect((await tableRows(page, '#by-year-table'))[year]!.slice(1, 6)).toEqual([
      '6',
      '1 (17%)',
      '1 (17%)',
      '1 (16%)',
      '3 (50%)',
    ]);
    expect(
      await page.locator('#states tbody tr[data-state]').evaluateAll((t) => t.map((x) => x.getAttribute('data-state'))),
    ).toEqual(['CHL', 'NOR']);
    await clickAndLoad(page, '#states a:text-is("CHL")');
    expect(new URL(page.url()).pathname).toBe('/states/CHL');
    expect(await rowIds(page, '#register')).toEqual([`${CHL}/R1`]);
  });

  it('shows CTED the TA pipeline: what waits on UNODC, on Norway and on CTED', async () => {
    const page = await signedIn('cted', '/ta');
    const unodc = page.locator('section.partner[data-partner="UNODC"]');
    expect(await page.locator('section.partner').count()).toBe(1);
    expect(await unodc.locator('.counts').textContent()).toBe('referred: 1delivering: 1');
    const rows = await unodc
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          tr.getAttribute('data-recommendation'),
          tr.getAttribute('data-partner-status'),
          tr.querySelector('.waiting')?.textContent,
          tr.querySelector('td:last-child')?.textContent,
        ]),
      );
    expect(rows).toEqual([
      [R(1), 'delivering', 'UNODC, to deliver', '—'],
      [R(3), 'referred', 'UNODC, to answer', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)],
    ]);
    expect(await page.locator('tr.is-overdue').count()).toBe(0);
    expect(await rowIds(page, '#waiting-state')).toEqual([R(4)]);
    expect(await page.locator('#waiting-state .waiting').textContent()).toBe('the State, to agree the need');
    expect(await rowIds(page, '#waiting-cted')).toEqual([R(5)]);
    expect(await page.locator('#waiting-cted .waiting').textContent()).toBe('CTED, to refer it to a partner');
  });

  it("shows Norway's focal point its own register and progress only; Chile's register is a 404", async () => {
    const page = await signedIn('stateNOR', '/');
    await clickAndLoad(page, 'nav a:text-is("Register")');
    expect(new URL(page.url()).pathname).toBe('/states/NOR');
    expect(await rowIds(page, '#register')).toEqual([R(1), R(2), R(3), R(4), R(5)]);
    const main = (await page.locator('main').textContent())!;
    // CTED's working note and who at CTED or UNODC took each step are not the State's.
    expect(main).not.toContain(USERS.cted.email);
    expect(main).not.toContain('Verified with the Act');
    expect(main).toContain('Act 12/2026 in force');

    for (const path of ['/states/CHL', '/states/GRC']) {
      const res = await page.goto(path);
      expect(res!.status(), path).toBe(404);
      expect(await res!.text()).not.toContain('Ratify');
    }
    await page.goto('/recommendations');
    expect(await page.locator('#states tbody tr[data-state]').count()).toBe(1);
    expect(await page.locator('#states tbody tr[data-state="NOR"]').count()).toBe(1);
    expect((await tableRows(page, '#by-theme-table')).legislation!.slice(1, 3)).toEqual(['2', '1 (50%)']);
    await page.goto('/ta');
    expect(await rowIds(page, '#waiting-state')).toEqual([R(4)]);
    expect(await page.locator('main').textContent()).not.toContain(CHL);
  });

  it('shows UNODC only the needs referred to it, and neither a register nor the progress page', async () => {
    const page = await signedIn('partner', '/ta');
    expect(
      await page.locator('section.partner').evaluateAll((s) => s.map((x) => x.getAttribute('data-partner'))),
    ).toEqual(['UNODC']);
    expect(await rowIds(page, 'section.partner')).toEqual([R(1), R(3)]);
    expect(await page.locator('#waiting-state, #waiting-cted').count()).toBe(0);
    expect(await page.locator('main a[href^="/states/"]').count()).toBe(0);
    for (const path of ['/states/NOR', '/recommendations']) {
      expect((await page.goto(path))!.status(), path).toBe(403);
    }
  });

  it("lets Norway report progress through a signed link: a form listing the visit's recommendations", async () => {
    const issued = await h.request('POST', `/api/visits/${NOR}/links`, {
      as: 'secretariat',
      body: { action: 'report-progress', email: USERS.stateNOR.email },
    });
    expect(issued.status, issued.text).toBe(201);
    const context = await browser.newContext({ baseURL: h.url });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(new URL(issued.body.url as string).pathname);
    expect(await page.locator('h1').textContent()).toBe('Report progress on the recommendations');
    const form = page.locator('fieldset.progress-items');
    expect(await rowIds(page, 'fieldset.progress-items')).toEqual([R(1), R(2), R(3), R(4), R(5)]);
    expect(
      await form
        .locator(`tr[data-recommendation="${R(1)}"] td`)
        .nth(1)
        .textContent(),
    ).toMatch(/^Implemented \(\d{1,2} [A-Z][a-z]+ \d{4}\)Assessed by CTED: implemented \(\d{1,2} [A-Z][a-z]+ \d{4}\)$/);
    // The fields only CTED fills in, recording a note verbale, are not the State's.
    expect(await page.locator('[name="onBehalfOf"], [name="reference"]').count()).toBe(0);

    // Steps typed without a status: refused with the reason, the form again with what was typed.
    await page.getByLabel(`Steps taken on recommendation ${R(2)}`).fill('Two of three offences amended');
    await clickAndLoad(page, 'button:text-is("Submit")');
    expect(await page.locator('[role="alert"]').textContent()).toMatch(
      /Progress on each recommendation: Invalid option: expected one of/,
    );
    expect(await page.getByLabel(`Steps taken on recommendation ${R(2)}`).inputValue()).toBe(
      'Two of three offences amended',
    );

    await page.getByLabel(`Status of recommendation ${R(2)}`).selectOption('partially-implemented');
    await page.getByLabel(`Status of recommendation ${R(4)}`).selectOption('in-progress');
    await page.getByLabel(`Steps taken on recommendation ${R(4)}`).fill('Curriculum drafted');
    await clickAndLoad(page, 'button:text-is("Submit")');
    expect(await page.locator('h1').textContent()).toBe('Recorded');
    expect(await page.locator('dd li').allTextContents()).toEqual([
      `${R(2)}: Partially implemented (Two of three offences amended)`,
      `${R(4)}: In progress (Curriculum drafted)`,
    ]);

    // One report-progress, by Norway's focal point, into the register.
    const r4 = await eventually(
      async () => {
        const r = await h.request('GET', `/api/recommendations/${encodeURIComponent(R(4))}`, { as: 'cted' });
        return r.body?.reportedStatus ? r.body : undefined;
      },
      "Norway's register to take the report",
      60_000,
    );
    expect(r4.reportedStatus).toMatchObject({
      status: 'in-progress',
      text: 'Curriculum drafted',
      by: USERS.stateNOR.email,
    });
    const visit = await h.request('GET', `/api/visits/${NOR}`, { as: 'cted' });
    expect(
      visit.body.history
        .filter((e: { type: string }) => e.type === 'report-progress')
        .map((e: { door: string; payload: unknown }) => [e.door, e.payload]),
    ).toContainEqual([
      'link',
      {
        items: [
          { recommendation: R(2), status: 'partially-implemented', text: 'Two of three offences amended' },
          { recommendation: R(4), status: 'in-progress', text: 'Curriculum drafted' },
        ],
      },
    ]);
    expect((await page.goto(new URL(issued.body.url as string).pathname))!.status()).toBe(409);
  });
});
