/**
 * GET /api/visits in pages: the 31 visits of 2018-2019 and two of Norway's on the dev server, read
 * from the store's `visits` projection a page at a time through the `Link: <…>; rel="next"` header,
 * for the secretariat (filters in the store), a State (its own visits) and a partner (shared ones);
 * bad page parameters are refused with a 400 and change nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiVisit, startApiHarness, USERS, type Harness, type UserName } from '../api-harness';
import { eventually } from '../helpers';

const REFERENCE = readFileSync(join(__dirname, '..', 'fixtures', 'ctc-visits-2018-2019.csv'), 'utf8');
let h: Harness;

beforeAll(async () => {
  h = await startApiHarness();
  const imported = await h.request('POST', '/api/visits/import', {
    as: 'secretariat',
    body: { csv: REFERENCE, caseOfficer: USERS.cted.email, stateContact: 'mission@{iso3}.example.org' },
  });
  expect(imported.status, imported.text).toBe(200);
  for (const n of [901, 902])
    expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(n, 'NOR') })).status).toBe(201);
  await eventually(
    async () => ((await h.store.snapshots()).length === 33 ? true : undefined),
    'the 33 visits in the read model',
    120_000,
  );
}, 240_000);
afterAll(async () => {
  await h?.close();
});

async function get(path: string, as: UserName) {
  const r = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${h.tokens[as]}` } });
  return { status: r.status, link: r.headers.get('link'), body: (await r.json()) as { id: string; number?: number }[] };
}

/** Follows the next links from `first` (bounded): every page's ids, and the links followed. */
async function walk(first: string, as: UserName) {
  const pages: string[][] = [];
  const links: string[] = [];
  let path: string | undefined = first;
  for (let i = 0; path && i < 100; i++) {
    const r = await get(path, as);
    expect(r.status).toBe(200);
    pages.push(r.body.map((v) => v.id));
    const next = r.link?.match(/^<([^>]+)>; rel="next"$/)?.[1];
    if (next) links.push(next);
    path = next;
  }
  return { pages, links };
}

const byNumber = (ids: string[]) =>
  [...ids].sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]) || a.localeCompare(b));

describe('GET /api/visits in pages', () => {
  it('gives every visit once, by number, in pages of `limit`, linked by rel="next"', async () => {
    const all = await get('/api/visits', 'secretariat');
    expect(all.body).toHaveLength(33);
    expect(all.link).toBeNull();
    const ids = all.body.map((v) => v.id);
    expect(ids).toEqual(byNumber(ids));

    const { pages, links } = await walk('/api/visits?limit=10', 'secretariat');
    expect(pages.map((p) => p.length)).toEqual([10, 10, 10, 3]);
    expect(pages.flat()).toEqual(ids);
    // The links are relative to this host and keep the page size.
    for (const l of links) expect(l).toMatch(/^\/api\/visits\?limit=10&cursor=[A-Za-z0-9_-]+$/);
  });

  it('filters in the store and pages the filtered list', async () => {
    const { pages } = await walk('/api/visits?state=NOR&limit=1', 'secretariat');
    expect(pages).toEqual([['901-NOR'], ['902-NOR']]);
    const all = (await get('/api/visits?limit=500', 'secretariat')).body as { id: string; stage: string }[];
    const stage = all.find((v) => v.stage !== 'drafting')?.stage ?? 'drafting';
    const { pages: staged } = await walk(`/api/visits?stage=${stage}&limit=7`, 'secretariat');
    expect(staged.flat()).toEqual(all.filter((v) => v.stage === stage).map((v) => v.id));
    expect(
      (await get('/api/visits?stage=closed', 'secretariat')).body.every(
        (v) => all.find((a) => a.id === v.id)?.stage === 'closed',
      ),
    ).toBe(true);
  });

  it('gives a State its own visits only, in its own pages, and a partner the shared reports only', async () => {
    const { pages } = await walk('/api/visits?limit=1', 'stateNOR');
    expect(pages.flat()).toEqual(['901-NOR', '902-NOR']);
    expect((await get('/api/visits?state=CHL', 'stateNOR')).body).toEqual([]);
    // No State has consented to share a report here: a partner's pages are empty and end.
    const partner = await walk('/api/visits?limit=5', 'partner');
    expect(partner.pages.flat()).toEqual([]);
  });

  it('recorded each imported visit in the audit trail as it started, then the import', async () => {
    const audit = await h.store.audit();
    const started = audit.filter((e) => e.action === 'start-visit' && (e.payload as { imported?: boolean }).imported);
    expect(started).toHaveLength(31);
    const last = audit.findIndex((e) => e.action === 'import-visits');
    expect(last).toBeGreaterThan(audit.indexOf(started.at(-1)!));
    expect(audit[last]!.payload).toMatchObject({ alreadyImported: [] });
  });

  it('refuses a bad page size or a cursor it did not give, with a 400', async () => {
    for (const q of ['limit=0', 'limit=501', 'limit=ten', 'cursor=%2F%2F', 'cursor=bm90LWEtY3Vyc29y'])
      expect((await get(`/api/visits?${q}`, 'secretariat')).status, q).toBe(400);
  });
});
