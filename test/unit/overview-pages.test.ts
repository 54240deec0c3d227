/**
 * The dashboard's overview of many visits, from the store's summaries: the counts cover every
 * visit, the table shows 200 rows a page with links to the pages before and after, and the CSV
 * export holds every row whatever page the dashboard shows.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/doors/http/app';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import type { VisitSnapshot } from '../../src/infra/store/store';
import { createServices } from '../../src/services';

const PUBLIC = 'http://127.0.0.1:3000';
const store = new SqliteStore(':memory:');
const services = createServices({
  temporal: () => Promise.reject(new Error('no Temporal in this test')),
  store: () => store,
  policy: resolvePolicy(),
  linkSecret: randomBytes(32).toString('base64url'),
  publicUrl: PUBLIC,
  outboxDir: '/nonexistent',
});
const http = createHttpApp({ services, publicUrl: PUBLIC, version: 'test' });
const token = randomBytes(32).toString('base64url');
let cookie = '';

const visit = (n: number): VisitSnapshot =>
  ({
    id: `${n}-NOR`,
    number: n,
    state: 'NOR',
    stateName: 'Norway',
    type: 'comprehensive',
    start: '2026-01-05',
    end: '2026-01-09',
    stage: n % 3 === 0 ? 'implementing' : 'drafting',
    nextDeadline: null,
    openItems: [],
    closedItems: [],
  }) as unknown as VisitSnapshot;

beforeAll(async () => {
  for (let n = 1; n <= 450; n++)
    await store.appendEvents({
      visitId: `${n}-NOR`,
      workflowId: `visit-${n}-NOR`,
      runId: `r${n}`,
      events: [{ seq: 1, type: 'visit-started', stage: 'drafting', at: '2026-01-10T00:00:00Z' }],
      snapshot: visit(n),
    });
  await store.addUser({ email: 'secretariat@un.example.org', role: 'secretariat' }, token);
  const r = await http.request('/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: PUBLIC },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });
  cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
});

async function page(query: string) {
  const r = await http.request(`/${query}`, { headers: { cookie } });
  expect(r.status).toBe(200);
  const html = await r.text();
  return {
    html,
    rows: [...html.matchAll(/<tr data-visit="([^"]+)"/g)].map((m) => m[1]!),
    next: html.match(/<a rel="next" href="([^"]+)"/)?.[1]?.replace(/&amp;/g, '&'),
    prev: html.match(/<a rel="prev" href="([^"]+)"/)?.[1]?.replace(/&amp;/g, '&'),
  };
}

describe('the overview in pages', () => {
  it('counts every visit and shows 200 rows a page, linked', async () => {
    const first = await page('');
    expect(first.html).toContain('450 visit(s)');
    expect(first.rows).toHaveLength(200);
    expect(first.rows[0]).toBe('1-NOR');
    expect(first.prev).toBeUndefined();
    expect(first.next).toBe('/?page=2');
    expect(first.html).toContain('rows 1 to 200 of 450, page 1 of 3');
    const last = await page('?page=3');
    expect(last.rows).toEqual(Array.from({ length: 50 }, (_, i) => `${401 + i}-NOR`));
    expect(last.next).toBeUndefined();
    expect(last.prev).toBe('/?page=2');
    // A page past the end shows the last one.
    expect((await page('?page=99')).rows).toEqual(last.rows);
  });

  it('pages the filtered and sorted rows, keeping the filter in its links', async () => {
    const first = await page('?stage=drafting&sort=number&desc=1');
    expect(first.html).toContain('300 visit(s)');
    expect(first.rows[0]).toBe('449-NOR');
    expect(first.next).toBe('/?stage=drafting&sort=number&desc=1&page=2');
    const second = await page('?stage=drafting&sort=number&desc=1&page=2');
    expect(second.rows).toHaveLength(100);
    expect(second.rows.at(-1)).toBe('1-NOR');
    expect(new Set([...first.rows, ...second.rows]).size).toBe(300);
  });

  it('refuses a page that is not a positive number, and exports every row', async () => {
    expect((await http.request('/?page=0', { headers: { cookie } })).status).toBe(400);
    const csv = await (await http.request('/api/visits.csv', { headers: { cookie } })).text();
    expect(csv.trim().split('\n')).toHaveLength(451);
  });
});
