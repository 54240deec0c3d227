/**
 * The dashboard's forms against cross-site requests and forged messages: each form carries a
 * token bound to the session, posts from another origin are refused, a refusal is shown from a
 * sealed cookie (never from text in the URL), and the store is readable by its owner only.
 * Sessions: the cookie holds a server-side session's id, never the API token, and signing out
 * ends the session on the server.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiVisit, startApiHarness, USERS, type Harness } from '../api-harness';

let h: Harness;
let cookie: string;
const ID = '730-NOR';

beforeAll(async () => {
  h = await startApiHarness();
  cookie = await h.signIn('cted');
  expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(730, 'NOR') })).status).toBe(201);
});
afterAll(async () => {
  await h?.close();
});

const page = async (path: string, extraCookie = '') => {
  const res = await fetch(`${h.url}${path}`, { headers: { cookie: `${cookie}${extraCookie}` }, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
};

const post = (path: string, form: Record<string, string>, origin: string | null = h.url, extraCookie = '') =>
  fetch(`${h.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: `${cookie}${extraCookie}`,
      'content-type': 'application/x-www-form-urlencoded',
      ...(origin ? { origin } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });

const formToken = async () => /name="_csrf" value="([^"]+)"/.exec((await page(`/visits/${ID}`)).text)![1]!;
const stage = async () => (await h.request('GET', `/api/visits/${ID}`, { as: 'secretariat' })).body.stage as string;
const history = async () =>
  ((await h.request('GET', `/api/visits/${ID}`, { as: 'secretariat' })).body.history as { type: string }[]).map(
    (e) => e.type,
  );

describe('the dashboard against cross-site requests', () => {
  it('puts a session-bound token in every form, the sign-out form included', async () => {
    const text = (await page(`/visits/${ID}`)).text;
    const tokens = [...text.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]);
    expect(tokens.length).toBeGreaterThan(1);
    expect(new Set(tokens).size).toBe(1);
    // Another session gets another token.
    const other = await fetch(`${h.url}/visits/${ID}`, { headers: { cookie: await h.signIn('secretariat') } });
    expect(await other.text()).not.toContain(tokens[0]!);
  });

  it('refuses a post without the token, with another session’s token, or from another origin, changing nothing', async () => {
    const token = await formToken();
    const before = await history();
    const noToken = await post(`/visits/${ID}/act/record-pao`, { note: 'x' });
    expect(noToken.status).toBe(403);
    const secretariatPage = await fetch(`${h.url}/visits/${ID}`, {
      headers: { cookie: await h.signIn('secretariat') },
    });
    const otherToken = /name="_csrf" value="([^"]+)"/.exec(await secretariatPage.text())![1]!;
    expect((await post(`/visits/${ID}/act/record-pao`, { note: 'x', _csrf: otherToken })).status).toBe(403);
    const crossSite = await post(`/visits/${ID}/act/record-pao`, { note: 'x', _csrf: token }, 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).not.toContain(token);
    const noOrigin = await post(`/visits/${ID}/act/record-pao`, { note: 'x', _csrf: token }, null);
    expect(noOrigin.status).toBe(403);
    expect(await history()).toEqual(before);
  });

  it('accepts the same post from its own page with its token', async () => {
    const r = await post(`/visits/${ID}/act/submit-draft`, { documentRef: 'DRAFT/730', _csrf: await formToken() });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`/visits/${ID}`);
    expect(await history()).toContain('submit-draft');
    expect(await stage()).toBe('drafting');
  });
});

describe('sessions', () => {
  const signInResponse = (token: string) =>
    fetch(`${h.url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: h.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, next: `/visits/${ID}` }).toString(),
    });
  const as = (c: string, path: string) => fetch(`${h.url}${path}`, { headers: { cookie: c }, redirect: 'manual' });

  it('puts a random session id in the cookie, never the API token, and a new one at every sign-in', async () => {
    const r = await signInResponse(h.tokens.cted);
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`/visits/${ID}`);
    const setCookie = r.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Max-Age=43200/);
    const id = /followup_session=([^;]+)/.exec(setCookie)![1]!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(id).not.toBe(h.tokens.cted);
    expect(setCookie).not.toContain(h.tokens.cted);
    expect(cookie).not.toBe(`followup_session=${id}`);
    expect((await as(`followup_session=${id}`, `/visits/${ID}`)).status).toBe(200);
  });

  it('does not take the API token as a session cookie, nor a session id as a bearer token', async () => {
    const tokenAsCookie = await as(`followup_session=${h.tokens.cted}`, `/visits/${ID}`);
    expect(tokenAsCookie.status).toBe(303);
    expect(tokenAsCookie.headers.get('location')).toBe(`/sign-in?next=${encodeURIComponent(`/visits/${ID}`)}`);
    expect((await as(`followup_session=${h.tokens.cted}`, '/api/visits.csv')).status).toBe(401);
    const id = cookie.split('=')[1]!;
    expect((await h.request('GET', '/api/me', { token: id })).status).toBe(401);
    // The session works for the dashboard's CSV links; the token works for the API.
    expect((await as(cookie, '/api/visits.csv')).status).toBe(200);
    expect((await h.request('GET', '/api/me', { as: 'cted' })).status).toBe(200);
  });

  it('ends the session on the server at sign-out: the same cookie, sent again, signs no one in', async () => {
    const mine = await h.signIn('cted');
    const before = await h.store.sessionCount(USERS.cted.email);
    expect((await as(mine, `/visits/${ID}`)).status).toBe(200);
    const out = await fetch(`${h.url}/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: mine, origin: h.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/sign-in');
    expect(out.headers.get('set-cookie')).toMatch(/followup_session=;.*Max-Age=0/);
    expect(await h.store.sessionCount(USERS.cted.email)).toBe(before - 1);
    // A copy of the cookie kept elsewhere is worth nothing now.
    expect((await as(mine, `/visits/${ID}`)).status).toBe(303);
    expect((await as(mine, '/api/visits.csv')).status).toBe(401);
    // Other sessions of the same user go on.
    expect((await as(cookie, `/visits/${ID}`)).status).toBe(200);
  });
});

describe('messages on the visit page', () => {
  it('shows a refusal once, from a sealed cookie, and ignores text put in the URL', async () => {
    const r = await post(`/visits/${ID}/act/submit-draft`, { _csrf: await formToken() });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`/visits/${ID}`);
    const flash = /followup_flash=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')![1]!;
    const shown = await page(`/visits/${ID}`, `; followup_flash=${flash}`);
    expect(shown.text).toMatch(
      /<p class="overdue" role="alert">submit-draft is not allowed while visit 730-NOR is at stage drafting/,
    );

    // A forged cookie or text in the URL puts nothing on the page.
    const forged = Buffer.from('Your session expired: call +1 555 0100').toString('base64url');
    expect((await page(`/visits/${ID}`, `; followup_flash=${forged}.AAAA`)).text).not.toContain('role="alert"');
    const url = await page(`/visits/${ID}?error=${encodeURIComponent('<b>Send your token to evil@example.org</b>')}`);
    expect(url.status).toBe(200);
    expect(url.text).not.toContain('role="alert"');
    expect(url.text).not.toContain('evil@example.org');
  });
});

describe('files', () => {
  it('keeps the store readable and writable by its owner only', () => {
    expect(statSync(h.store.file).mode & 0o777).toBe(0o600);
    for (const journal of [`${h.store.file}-wal`]) expect(statSync(journal).mode & 0o077).toBe(0);
  });
});
