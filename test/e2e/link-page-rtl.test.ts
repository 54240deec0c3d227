/**
 * The page a signed link opens, laid out by a real headless Chromium (playwright-core, Debian's
 * chromium) against the real dev server, worker, SMTP server and API: in Arabic the document and
 * its form run right to left (the root's `dir`, the computed direction of the body and of a form
 * field, the label placed to the right of its field); in French, left to right. The Arabic form
 * posts, and its confirmation is laid out right to left too.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Language } from '../../src/domain/vocabulary';
import { format } from '../../src/i18n/catalogue';
import { linkIssuer } from '../../src/infra/links';
import { apiVisit, startApiHarness, USERS, type Harness, type UserName } from '../api-harness';

let h: Harness;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** Two visits in state review: one corresponding in Arabic, one in French. */
const VISITS: { id: string; number: number; lang: Language }[] = [
  { id: '795-NOR', number: 795, lang: 'ar' },
  { id: '796-NOR', number: 796, lang: 'fr' },
];

async function step(as: UserName, id: string, action: string) {
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body: {} });
  expect(r.status, `${action} by ${as}: ${r.text}`).toBe(200);
}

beforeAll(async () => {
  [h, browser] = await Promise.all([startApiHarness(), launchChromium()]);
  for (const v of VISITS) {
    const r = await h.request('POST', '/api/visits', {
      as: 'cted',
      body: apiVisit(v.number, 'NOR', { language: v.lang }),
    });
    expect(r.status, r.text).toBe(201);
    await step('cted', v.id, 'submit-draft');
    await step('cted', v.id, 'dispatch-draft');
  }
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await h?.close();
});

/** A record-comments link in `lang`, as the engine signs the links in its e-mails, opened in a new browser context. */
async function opened(id: string, lang: Language): Promise<Page> {
  const url = linkIssuer(h.linkSecret, h.url, 45 * 86_400_000).forState(
    id,
    'NOR',
    USERS.stateNOR.email,
    'record-comments',
    lang,
  );
  const context = await browser.newContext({ baseURL: h.url });
  contexts.push(context);
  const page = await context.newPage();
  const response = await page.goto(new URL(url).pathname);
  expect(response!.status()).toBe(200);
  return page;
}

/** How the browser lays the page out: the root's dir, the computed direction of the body and of a field, where the label sits. */
const layout = (page: Page) =>
  page.evaluate(() => {
    const field = document.querySelector<HTMLElement>('#f-record-comments-summary')!;
    const label = document.querySelector<HTMLElement>('label[for="f-record-comments-summary"]')!;
    return {
      lang: document.documentElement.lang,
      dir: document.documentElement.dir,
      body: getComputedStyle(document.body).direction,
      field: getComputedStyle(field).direction,
      legend: getComputedStyle(document.querySelector('legend')!).direction,
      styled: getComputedStyle(document.body).fontFamily.includes('system-ui'),
      labelLeft: label.getBoundingClientRect().left,
      fieldLeft: field.getBoundingClientRect().left,
    };
  });

describe('the link page in a browser', () => {
  it('runs right to left in Arabic, and posts', async () => {
    const page = await opened('795-NOR', 'ar');
    const l = await layout(page);
    expect(l).toMatchObject({ lang: 'ar', dir: 'rtl', body: 'rtl', field: 'rtl', legend: 'rtl', styled: true });
    // Right to left: the label comes first, on the right, and its field to its left.
    expect(l.labelLeft).toBeGreaterThan(l.fieldLeft);
    expect(await page.locator('h1').textContent()).toBe(format('pages', 'ar', 'action.record-comments'));

    await page.locator('#f-record-comments-summary').fill('تصويبان وقائعيان في الفقرة 4');
    await Promise.all([
      page.waitForEvent('load'),
      page.locator(`button:text-is("${format('pages', 'ar', 'form.submit')}")`).click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe(format('pages', 'ar', 'done.title'));
    expect(
      await page.evaluate(() => [document.documentElement.dir, getComputedStyle(document.body).direction]),
    ).toEqual(['rtl', 'rtl']);
    expect(await page.locator('dd').allTextContents()).toContain('تصويبان وقائعيان في الفقرة 4');
    const status = await h.request('GET', '/api/visits/795-NOR', { as: 'secretariat' });
    expect(status.body.history.find((e: { type: string }) => e.type === 'record-comments')).toMatchObject({
      door: 'link',
      payload: { summary: 'تصويبان وقائعيان في الفقرة 4' },
    });
  });

  it('runs left to right in French', async () => {
    const page = await opened('796-NOR', 'fr');
    const l = await layout(page);
    expect(l).toMatchObject({ lang: 'fr', dir: 'ltr', body: 'ltr', field: 'ltr', legend: 'ltr', styled: true });
    expect(l.labelLeft).toBeLessThan(l.fieldLeft);
    expect(await page.locator('h1').textContent()).toBe(format('pages', 'fr', 'action.record-comments'));
  });
});
