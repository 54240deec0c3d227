/**
 * A signed link opens a page in the browser, against the real engine (dev server, worker, SMTP,
 * SQLite): the link in the State's e-mail leads to `/links/{token}`, a form with the action's
 * fields; a same-origin post acts once and shows what was recorded; a second post shows that the
 * link was used; a refused action shows the reason and leaves the link usable. Single use holds
 * when requests race (one holding its body back, several at once, two servers on one store), and
 * the link rate limit counts refusals only.
 */
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServerFor } from '../../src/compose-http';
import { ACTION_FIELDS } from '../../src/domain/actions';
import { RECORDER_FIELDS } from '../../src/services/links';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { apiVisit, startApiHarness, USERS, type Harness, type UserName } from '../api-harness';
import { eventually } from '../helpers';

let h: Harness;
const ID = '760-NOR'; // walked to transmission: record-consent stays allowed, so only single use stops a replay
const REVIEW = '761-NOR'; // in state review: its e-mail carries a record-comments link

async function step(as: UserName, id: string, action: string, body: unknown = {}) {
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body });
  expect(r.status, `${action} by ${as}: ${r.text}`).toBe(200);
}

beforeAll(async () => {
  h = await startApiHarness();
  for (const n of [760, 761]) {
    const r = await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(n, 'NOR') });
    expect(r.status, r.text).toBe(201);
  }
  for (const id of [ID, REVIEW]) {
    await step('cted', id, 'submit-draft');
    await step('cted', id, 'dispatch-draft');
  }
  await step('stateNOR', ID, 'record-comments', { summary: 'None' });
  await step('cted', ID, 'submit-final-draft');
  await step('committee', ID, 'object', { reason: 'Paragraph 12' });
  await step('chair', ID, 'record-adoption');
  await step('cted', ID, 'transmit-report');
});
afterAll(async () => {
  await h?.close();
});

/** A new record-consent link for ID (or another action and visit), issued through the API. */
async function issue(action = 'record-consent', id = ID): Promise<string> {
  const r = await h.request('POST', `/api/visits/${id}/links`, {
    as: 'cted',
    body: { action, email: USERS.stateNOR.email },
  });
  expect(r.status, r.text).toBe(201);
  expect(r.body.url).toBe(`http://api.invalid/links/${r.body.token}`);
  return r.body.token as string;
}

const open = async (token: string, base = h.url) => {
  const r = await fetch(`${base}/links/${token}`, { redirect: 'manual' });
  return { status: r.status, type: r.headers.get('content-type') ?? '', headers: r.headers, text: await r.text() };
};

const submit = async (token: string, form: Record<string, string>, origin: string | null = h.url, base = h.url) => {
  const r = await fetch(`${base}/links/${token}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
};

const consents = async () =>
  ((await h.request('GET', `/api/visits/${ID}`, { as: 'secretariat' })).body.history as { type: string }[]).filter(
    (e) => e.type === 'record-consent',
  ).length;

/** The text of a message's body, quoted-printable or base64 undone. */
function bodyOf(raw: string): string {
  const parts = raw.split(/\r?\n\r?\n/);
  const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const b64 = parts
    .filter((p) => /^[A-Za-z0-9+/=\r\n]+$/.test(p.trim()) && p.trim().length > 40)
    .map((p) => Buffer.from(p.replace(/\s/g, ''), 'base64').toString('utf8'));
  return [text, ...b64].join('\n');
}

describe('the page a signed link opens', () => {
  it('is where the State’s e-mail points, and shows the action’s fields as a form', async () => {
    const mail = await eventually(
      () =>
        h.smtp.received.find(
          (m) => m.visitId === REVIEW && m.to.includes(USERS.stateNOR.email) && /\/links\//.test(bodyOf(m.raw)),
        ),
      'the State’s e-mail with its links',
    );
    const body = bodyOf(mail.raw);
    expect(body).not.toContain('/api/links/');
    const token = /http:\/\/api\.invalid\/links\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(body)![1]!;

    const page = await open(token);
    expect(page.status, page.text).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).toContain(`<form method="post" action="/links/${token}"`);
    expect(page.text).toContain(REVIEW);
    for (const f of ACTION_FIELDS['record-comments'])
      if (RECORDER_FIELDS.has(f.name)) expect(page.text).not.toContain(`name="${f.name}"`);
      else expect(page.text).toContain(`name="${f.name}"`);

    // The form, posted as a browser posts it: the comments are recorded, once.
    const done = await submit(token, { summary: 'Two factual corrections' });
    expect(done.status, done.text).toBe(200);
    expect(done.text).toContain('(“<strong id="done">Submit your comments</strong>”) concerning visit 761-NOR');
    expect(done.text).toContain('Two factual corrections');
    const status = await h.request('GET', `/api/visits/${REVIEW}`, { as: 'secretariat' });
    expect(status.body.stage).toBe('finalizing');
    expect(status.body.history.find((e: { type: string }) => e.type === 'record-comments')).toMatchObject({
      actor: USERS.stateNOR.email,
      door: 'link',
    });
  });

  it('renders the record-consent form with its choices', async () => {
    const token = await issue();
    const page = await open(token);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Decide on sharing with UN partners');
    // The State's own fields; not those CTED fills in when it records a note verbale on the State's behalf.
    const own = ACTION_FIELDS['record-consent'].filter((f) => !RECORDER_FIELDS.has(f.name));
    expect(own.map((f) => f.name)).toEqual(expect.arrayContaining(['scope', 'sections', 'priorityTaNeedsOnly']));
    for (const f of own) expect(page.text).toContain(`name="${f.name}"`);
    expect(page.text).not.toContain('name="onBehalfOf"');
    expect(page.text).not.toContain('name="reference"');
    expect(page.text).toMatch(
      /<select id="f-record-consent-scope" name="scope"[^>]*><option value="none">No sharing<\/option>/,
    );
    // Opening the page spends nothing.
    expect((await open(token)).status).toBe(200);
  });

  it('acts once: the post records the decision and a second post shows that the link was used', async () => {
    const token = await issue();
    const before = await consents();
    const done = await submit(token, { scope: 'partial', sections: 'Border security, CFT' });
    expect(done.status, done.text).toBe(200);
    expect(done.text).toContain('Decide on sharing with UN partners</strong>”) concerning visit 760-NOR');
    expect(done.text).toContain('<dd>Border security, CFT</dd>');
    const consent = (await h.request('GET', `/api/visits/${ID}`, { as: 'secretariat' })).body.consent;
    expect(consent).toMatchObject({ scope: 'partial', sections: ['Border security', 'CFT'] });

    const again = await submit(token, { scope: 'none' });
    expect(again.status).toBe(409);
    expect(again.type).toMatch(/^text\/html/);
    expect(again.text).toContain('This link has already been used.');
    expect((await open(token)).status).toBe(409);
    expect(await consents()).toBe(before + 1);
    expect((await h.request('GET', `/api/visits/${ID}`, { as: 'secretariat' })).body.consent.scope).toBe('partial');
  });

  it('shows a refused action on the page with what was typed, and leaves the link usable', async () => {
    const token = await issue();
    const before = await consents();
    const refused = await submit(token, { scope: 'partial', note: 'We agree in part' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('role="alert"');
    expect(refused.text).toContain('For partial sharing, please indicate the sections that may be shared');
    expect(refused.text).toContain('<option value="partial" selected="">Partial sharing</option>');
    expect(refused.text).toContain('value="We agree in part"');
    expect(await consents()).toBe(before);

    // Corrected, it goes through.
    expect((await open(token)).status).toBe(200);
    const done = await submit(token, { scope: 'partial', priorityTaNeedsOnly: 'true' });
    expect(done.status, done.text).toBe(200);
    expect(await consents()).toBe(before + 1);
  });

  it('refuses a post from another origin, or with no origin, and spends nothing', async () => {
    const token = await issue();
    const before = await consents();
    expect((await submit(token, { scope: 'full' }, 'https://evil.example')).status).toBe(403);
    expect((await submit(token, { scope: 'full' }, null)).status).toBe(403);
    expect(await consents()).toBe(before);
    expect((await open(token)).status).toBe(200);
  });

  it('shows an invalid or expired link as a page, not JSON', async () => {
    const page = await open('not.a-link');
    expect(page.status).toBe(401);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain('This link cannot be used');
    expect(page.text).toContain('This link is not valid.');
  });
});

// ---------------------------------------------------------------------------------------------
// Races: exactly one request acts, whichever door it comes through.

/** A POST whose body is held back after its headers until `release`; `arrived` once the server has its headers. */
function heldPost(base: string, path: string, contentType: string, body: string, server: Server = h.server) {
  const { port } = new URL(base);
  let release: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => {
    const seen = (req: { url?: string }) => {
      if (req.url !== path) return;
      server.off('request', seen);
      resolve();
    };
    server.on('request', seen);
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: Number(port),
        method: 'POST',
        path,
        agent: false,
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), origin: base },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.flushHeaders();
    req.write(body.slice(0, 3));
    release = () => req.end(body.slice(3));
  });
  return { response, arrived, release: () => release() };
}

const apiPost = (token: string, body: unknown, base = h.url) =>
  fetch(`${base}/api/links/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));

describe('two requests racing with one link', () => {
  it('refuses the request that held its body back while another used the link (page, then API)', async () => {
    const before = await consents();
    const token = await issue();
    const held = heldPost(h.url, `/links/${token}`, 'application/x-www-form-urlencoded', 'scope=full');
    await held.arrived; // its headers are in: the link was looked at and is unused
    const first = await apiPost(token, { scope: 'none' });
    expect(first.status, first.text).toBe(200);
    held.release();
    const late = await held.response;
    expect(late.status).toBe(409);
    expect(late.text).toContain('This link has already been used.');
    expect(await consents()).toBe(before + 1);
  });

  it('refuses the held request while the first is still acting (API, then page)', async () => {
    const before = await consents();
    const token = await issue();
    const held = heldPost(h.url, `/api/links/${token}`, 'application/json', JSON.stringify({ scope: 'full' }));
    await held.arrived;
    const first = submit(token, { scope: 'none' });
    held.release(); // arrives while the first may still be waiting for the workflow
    const [a, b] = await Promise.all([first, held.response]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await consents()).toBe(before + 1);
  });

  it('lets exactly one of many simultaneous requests act, on two servers sharing the store', async () => {
    const second = new SqliteStore(h.store.file);
    const api: Server = httpServerFor({
      client: h.env.client,
      store: second,
      policy: resolvePolicy(),
      linkSecret: h.linkSecret,
      publicUrl: 'http://api.invalid',
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const other = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      for (let round = 0; round < 3; round++) {
        const before = await consents();
        const token = await issue();
        const results = await Promise.all([
          apiPost(token, { scope: 'full' }),
          apiPost(token, { scope: 'none' }, other),
          submit(token, { scope: 'full' }),
          submit(token, { scope: 'none' }, other, other),
          apiPost(token, { scope: 'full' }),
          submit(token, { scope: 'none' }, other, other),
        ]);
        const statuses = results.map((r) => r.status);
        expect(
          statuses.filter((s) => s === 200),
          JSON.stringify(statuses),
        ).toHaveLength(1);
        expect(
          statuses.filter((s) => s !== 200).every((s) => s === 409),
          JSON.stringify(statuses),
        ).toBe(true);
        expect(await consents()).toBe(before + 1);
      }
    } finally {
      await new Promise((r) => api.close(r));
      await second.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The link rate limit counts refused link requests only.

describe('the link rate limit (a server with a limit of 3 per minute)', () => {
  it('counts invalid, expired and used links, on the page and the API, and nothing else', async () => {
    let clock = Date.now();
    const api: Server = httpServerFor({
      client: h.env.client,
      store: h.store,
      policy: resolvePolicy(),
      linkSecret: h.linkSecret,
      publicUrl: 'http://api.invalid',
      rateLimit: 3,
      now: () => clock,
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      const token = await issue();
      // Valid uses count for nothing: opening the page and reading the link, many times over.
      for (let i = 0; i < 6; i++) {
        expect((await open(token, base)).status).toBe(200);
        expect((await fetch(`${base}/api/links/${token}`)).status).toBe(200);
      }
      // Nor do refused actions: the link is fine, the payload is not.
      for (let i = 0; i < 4; i++) expect((await submit(token, { scope: 'partial' }, base, base)).status).toBe(400);
      expect((await submit(token, { scope: 'full' }, base, base)).status).toBe(200);

      // Failures count, whichever door: a used link, an invalid page link, an invalid API link.
      expect((await submit(token, { scope: 'none' }, base, base)).status).toBe(409);
      expect((await open('not.a-link', base)).status).toBe(401);
      expect((await apiPost('not.a-link', {}, base)).status).toBe(401);
      // The address has used its 3: everything by link is refused until the minute is over, valid links too.
      const fresh = await issue();
      const blocked = await open(fresh, base);
      expect(blocked.status).toBe(429);
      expect(blocked.type).toMatch(/^text\/html/);
      expect((await apiPost(fresh, { scope: 'full' }, base)).status).toBe(429);
      clock += 60_000;
      expect((await open(fresh, base)).status).toBe(200);
    } finally {
      await new Promise((r) => api.close(r));
    }
  });
});
