/**
 * Documents that travel with the messages, against the real engine (dev server, worker, SQLite):
 * CTED or the secretariat give a visit's document through the API or the CLI (audited, never its
 * content); anyone else, or a body that is not a document, is refused and nothing is kept. The
 * message's document (`documentFor`) is the file attached when small, a signed link when big, the
 * action's reference when no file was given, and nothing otherwise; the link serves the exact bytes
 * as often as asked until it expires, and nothing for an altered token.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACH_MAX_BYTES as ATTACH_DEFAULT, documentFor } from '../../activities/documents';
import { runCli } from '../../src/doors/cli/program';
import type { Notice } from '../../src/domain/visit';
import type { Recipient } from '../../src/domain/vocabulary';
import { documentLinkIssuer, LINK_TTL_MS } from '../../src/infra/links';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { createServices } from '../../src/services';
import { MAX_DOCUMENT_BYTES } from '../../src/services/documents';
import { apiVisit, startApiHarness, USERS, type Harness, type UserName } from '../api-harness';
import { eventually } from '../helpers';

let h: Harness;
const dir = mkdtempSync(join(tmpdir(), 'followup-documents-'));
const UPLOADS = '780-NOR'; // documents given through the API
const REFERENCE = '781-NOR'; // a draft named by its documentRef only
const BARE = '782-NOR'; // no document, no reference
const WITHDRAWN = '783-NOR'; // a draft withdrawn, then given again

async function step(as: UserName, id: string, action: string, body: unknown = {}) {
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body });
  expect(r.status, `${action} by ${as}: ${r.text}`).toBe(200);
}

const bytes = (n: number, seed = 7) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 3) % 256));
const upload = (as: UserName, id: string, body: Record<string, unknown>) =>
  h.request('POST', `/api/visits/${id}/documents`, { as, body });
const pdf = (content: Buffer, kind = 'draft', fileName = 'Draft report «Norway» 2026.pdf') => ({
  kind,
  fileName,
  mediaType: 'application/pdf',
  contentBase64: content.toString('base64'),
});

/** A notice as the workflow makes it (only what documentFor reads matters). */
const notice = (id: string, topic: string) =>
  ({
    key: `${id}:event:1:${topic}`,
    topic,
    kind: 'event',
    to: ['state-contact'],
    at: new Date().toISOString(),
    visit: { id, number: Number(id.split('-')[0]), state: 'NOR' },
  }) as unknown as Notice;

/** The CLI on the harness's store and server, as the operator, with what it printed. */
function operatorCli() {
  const services = createServices({
    temporal: async () => h.env.client,
    store: () => h.store,
    policy: resolvePolicy(),
    linkSecret: h.linkSecret,
    publicUrl: 'http://api.invalid',
    outboxDir: dir,
  });
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), interactive: false };
  const cli = (...argv: string[]) => runCli({ services, io, operator: 'operator@followup.local' }, argv);
  return { cli, out, err };
}

const nothingStored = async (id: string) => {
  for (const kind of ['pao', 'draft', 'report'] as const)
    expect(await h.store.latestDocument(id, kind)).toBeUndefined();
};

beforeAll(async () => {
  h = await startApiHarness();
  for (const n of [780, 781, 782, 783]) {
    const r = await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(n, 'NOR') });
    expect(r.status, r.text).toBe(201);
  }
  await step('cted', REFERENCE, 'submit-draft', { documentRef: 'S/AC.40/2026/781' });
  await step('cted', REFERENCE, 'dispatch-draft');
}, 120_000);
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/visits/{id}/documents', () => {
  it('keeps a document CTED gives, and audits the upload without its content', async () => {
    const content = bytes(2000);
    const r = await upload('cted', UPLOADS, pdf(content));
    expect(r.status, r.text).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      kind: 'draft',
      fileName: 'Draft report «Norway» 2026.pdf',
      size: 2000,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    const kept = await h.store.latestDocument(UPLOADS, 'draft');
    expect(kept).toMatchObject({ id: r.body.id, mediaType: 'application/pdf', addedBy: USERS.cted.email });
    expect(kept?.content.equals(content)).toBe(true);
    const entry = (await h.store.audit()).at(-1)!;
    expect(entry).toMatchObject({ action: 'add-document', outcome: 'accepted', visitId: UPLOADS, door: 'api' });
    expect(entry.payload).toEqual({ ...r.body, mediaType: 'application/pdf' });
    // The secretariat may too.
    expect((await upload('secretariat', UPLOADS, pdf(bytes(10), 'pao', 'pao.pdf'))).status).toBe(201);
  });

  it('refuses a State (403, audited) and the Committee, and keeps nothing', async () => {
    for (const as of ['stateNOR', 'committee', 'chair'] as const) {
      const r = await upload(as, BARE, pdf(bytes(100)));
      expect(r.status, `${as}: ${r.text}`).toBe(403);
      expect(r.body.error).toBe('forbidden');
    }
    // Another State's visit, or a partner's, does not exist for them.
    expect((await upload('stateCHL', BARE, pdf(bytes(100)))).status).toBe(404);
    expect((await upload('partner', BARE, pdf(bytes(100)))).status).toBe(404);
    const entry = (await h.store.audit()).at(-1)!;
    expect(entry).toMatchObject({
      action: 'add-document',
      outcome: 'refused',
      detail: 'forbidden',
      actor: USERS.chair.email,
    });
    expect(JSON.stringify(entry.payload)).not.toContain(bytes(100).toString('base64'));
    await nothingStored(BARE);
  });

  it('refuses bad base64, an oversize file, an unknown kind, a path for a name (400), and keeps nothing', async () => {
    const bad = [
      { ...pdf(bytes(10)), contentBase64: 'not base64!' },
      { ...pdf(bytes(10)), contentBase64: 'QUJDRA' }, // unpadded
      pdf(Buffer.alloc(MAX_DOCUMENT_BYTES + 1)),
      pdf(bytes(10), 'minutes'),
      pdf(bytes(10), 'draft', '../../etc/passwd'),
      pdf(bytes(10), 'draft', '..'),
      pdf(bytes(10), 'draft', 'a\r\nX-Injected: 1.pdf'),
      pdf(bytes(10), 'draft', 'half \ud800.pdf'),
      { ...pdf(bytes(10)), mediaType: 'pdf' },
      { ...pdf(bytes(10)), extra: true },
      { kind: 'draft' },
    ];
    for (const body of bad) {
      const r = await upload('cted', BARE, body);
      expect(r.status, `${JSON.stringify(body).slice(0, 120)}: ${r.text.slice(0, 300)}`).toBe(400);
      expect(r.body.error).toBe('invalid-request');
    }
    const entry = (await h.store.audit()).at(-1)!;
    expect(entry).toMatchObject({ action: 'add-document', outcome: 'refused', detail: 'invalid payload' });
    await nothingStored(BARE);
    // Exactly the limit is kept.
    const r = await upload('cted', UPLOADS, pdf(Buffer.alloc(MAX_DOCUMENT_BYTES, 1), 'report', 'big.pdf'));
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    expect(r.body.size).toBe(MAX_DOCUMENT_BYTES);
  }, 60_000);

  it('answers 404 for a visit that does not exist, 401 without a token', async () => {
    expect((await upload('cted', '999-NOR', pdf(bytes(10)))).status).toBe(404);
    const r = await h.request('POST', `/api/visits/${BARE}/documents`, { body: pdf(bytes(10)) });
    expect(r.status).toBe(401);
  });
});

describe('followup visits document', () => {
  it('gives a file as the operator, with its name and media type', async () => {
    const file = join(dir, 'PAO Norway.pdf');
    writeFileSync(file, bytes(321, 11));
    const { cli, out, err } = operatorCli();
    expect(await cli('visits', 'document', REFERENCE, 'pao', file, '--json'), err.join('\n')).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ kind: 'pao', fileName: 'PAO Norway.pdf', size: 321 });
    const kept = await h.store.latestDocument(REFERENCE, 'pao');
    expect(kept).toMatchObject({ mediaType: 'application/pdf', addedBy: 'operator@followup.local' });
    expect(kept?.content.equals(bytes(321, 11))).toBe(true);
    expect(await cli('visits', 'document', REFERENCE, 'minutes', file)).not.toBe(0);
    expect(err.join('\n')).toContain('kind');
    expect(await cli('visits', 'document', REFERENCE, 'pao', join(dir, 'missing.pdf'))).toBe(2);
  });
});

describe('documentFor and the download link', () => {
  const links = (now = Date.now) => documentLinkIssuer(h.linkSecret, h.url, LINK_TTL_MS, now);
  const deps = (extra: Partial<Parameters<typeof documentFor>[0]> = {}) => ({
    store: h.store,
    documentLinks: links(),
    ...extra,
  });
  const address = USERS.stateNOR.email;

  it('attaches a small file to the State and the Committee, never to a partner', async () => {
    const latest = (await h.store.latestDocument(UPLOADS, 'draft'))!;
    const got = await documentFor(deps(), notice(UPLOADS, 'draft-dispatched'), address, 'state-contact');
    expect(got.line).toEqual({ mode: 'attached', name: latest.fileName });
    expect(got.attachments).toHaveLength(1);
    expect(got.attachments[0]).toMatchObject({ filename: latest.fileName, contentType: 'application/pdf' });
    expect(Buffer.from(got.attachments[0]!.content).equals(latest.content)).toBe(true);
    // The reminder of the State's review carries the draft too; the PAO goes to the Committee.
    const reminder = await documentFor(deps(), notice(UPLOADS, 'reminder:state-review'), address, 'state-contact');
    expect(reminder.line?.mode).toBe('attached');
    const pao = await documentFor(deps(), notice(UPLOADS, 'pao-recorded'), USERS.committee.email, 'committee');
    expect(pao.line).toEqual({ mode: 'attached', name: 'pao.pdf' });
    for (const role of ['partner:UNODC', 'partners', 'case-officer'] as Recipient[])
      expect(await documentFor(deps(), notice(UPLOADS, 'draft-dispatched'), address, role)).toEqual({
        attachments: [],
      });
    // A topic that carries no document.
    expect(await documentFor(deps(), notice(UPLOADS, 'reminder:receipt'), address, 'state-contact')).toEqual({
      attachments: [],
    });
  });

  it('links to a big file; the link serves the exact bytes, twice, with its name and type', async () => {
    const latest = (await h.store.latestDocument(UPLOADS, 'draft'))!;
    const got = await documentFor(
      deps({ attachMaxBytes: 1000 }),
      notice(UPLOADS, 'draft-dispatched'),
      address,
      'state-contact',
    );
    expect(got.attachments).toEqual([]);
    expect(got.line).toMatchObject({ mode: 'link', name: latest.fileName });
    const line = got.line as { url: string; expires: string };
    expect(line.url).toMatch(new RegExp(`^${h.url}/documents/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    const expires = Date.parse(line.expires);
    expect(Math.abs(expires - (Date.now() + LINK_TTL_MS))).toBeLessThan(60_000);
    // The adopted report of 10 MiB is more than 2 MB: a link by default.
    const report = await documentFor(deps(), notice(UPLOADS, 'report-transmitted'), address, 'permanent-mission');
    expect(report.line?.mode).toBe('link');
    for (let i = 0; i < 2; i++) {
      const res = await fetch(line.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename*=UTF-8''Draft%20report%20%C2%ABNorway%C2%BB%202026.pdf`,
      );
      expect(Buffer.from(await res.arrayBuffer()).equals(latest.content)).toBe(true);
    }
    // Each download is audited as the person the link was sent to.
    const downloads = (await h.store.audit()).filter((e) => e.action === 'download-document');
    expect(downloads.slice(-2).map((e) => [e.actor, e.role, e.door, e.visitId, e.outcome])).toEqual([
      [address, 'state', 'link', UPLOADS, 'accepted'],
      [address, 'state', 'link', UPLOADS, 'accepted'],
    ]);
  });

  it('refuses an expired link (403) and an altered one (404) with a page', async () => {
    const past = () => Date.now() - LINK_TTL_MS - 60_000;
    const latest = (await h.store.latestDocument(UPLOADS, 'draft'))!;
    const expired = links(past).forDocument(latest.id, address, 'state');
    const res = await fetch(expired.url);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('expired');
    const { url } = links().forDocument(latest.id, address, 'state');
    const [body, sig] = url.split('/documents/')[1]!.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, x: (claims.x as number) + 86_400 })).toString('base64url');
    const flipped = `${sig.slice(0, -2)}${sig.at(-2) === 'A' ? 'B' : 'A'}${sig.at(-1)}`;
    for (const token of [`${forged}.${sig}`, `${body}.${flipped}`, `${body}`, 'x.y'])
      expect((await fetch(`${h.url}/documents/${token}`)).status, token).toBe(404);
    // A signed action link is no document link.
    const action = await h.request('POST', `/api/visits/${UPLOADS}/links`, {
      as: 'cted',
      body: { action: 'record-comments', email: address },
    });
    expect((await fetch(`${h.url}/documents/${action.body.token}`)).status).toBe(404);
  });

  it("names the action's reference when no file was given, and nothing when neither", async () => {
    const line = await eventually(
      async () => (await documentFor(deps(), notice(REFERENCE, 'draft-dispatched'), address, 'state-contact')).line,
      'the submit-draft event in the store',
    );
    expect(line).toEqual({ mode: 'reference', reference: 'S/AC.40/2026/781' });
    expect(await documentFor(deps(), notice(BARE, 'draft-dispatched'), address, 'state-contact')).toEqual({
      attachments: [],
    });
  });
});

describe('withdrawing a document', () => {
  const withdraw = (as: UserName, id: string, documentId: string, body: unknown = { reason: 'The wrong file' }) =>
    h.request('POST', `/api/visits/${id}/documents/${documentId}/withdraw`, { as, body });
  const list = (as: UserName, id: string) => h.request('GET', `/api/visits/${id}/documents`, { as });
  const address = USERS.stateNOR.email;
  const deps = () => ({ store: h.store, documentLinks: documentLinkIssuer(h.linkSecret, h.url, LINK_TTL_MS) });

  it('stops its links and its attachment at once, names the reference instead, and audits who and why', async () => {
    await step('cted', WITHDRAWN, 'submit-draft', { documentRef: 'S/AC.40/2026/783' });
    const v1 = await upload('cted', WITHDRAWN, pdf(bytes(3000), 'draft', 'v1.pdf'));
    expect(v1.status, v1.text).toBe(201);
    const sent = await documentFor(deps(), notice(WITHDRAWN, 'draft-dispatched'), address, 'state-contact');
    expect(sent.line).toEqual({ mode: 'attached', name: 'v1.pdf' });
    const { url } = deps().documentLinks.forDocument(v1.body.id, address, 'state');
    expect((await fetch(url)).status).toBe(200);

    // Only CTED and the secretariat; a reason is required; the document must be this visit's.
    const refused = await withdraw('stateNOR', WITHDRAWN, v1.body.id);
    expect(refused.status).toBe(403);
    expect((await h.store.audit()).at(-1)).toMatchObject({
      action: 'withdraw-document',
      outcome: 'refused',
      detail: 'forbidden',
      actor: address,
    });
    for (const body of [{}, { reason: '   ' }, { reason: 'x', extra: 1 }]) {
      const r = await withdraw('secretariat', WITHDRAWN, v1.body.id, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toBe('invalid-request');
    }
    expect((await h.store.audit()).at(-1)).toMatchObject({ outcome: 'refused', detail: 'invalid payload' });
    const other = (await h.store.latestDocument(UPLOADS, 'draft'))!;
    expect((await withdraw('secretariat', WITHDRAWN, other.id)).status).toBe(404);
    expect((await withdraw('secretariat', WITHDRAWN, 'no-such-document')).status).toBe(404);
    expect((await withdraw('partner', WITHDRAWN, v1.body.id)).status).toBe(404);
    expect((await h.store.document(v1.body.id))?.withdrawn).toBeUndefined();
    expect((await h.store.document(other.id))?.withdrawn).toBeUndefined();

    const r = await withdraw('secretariat', WITHDRAWN, v1.body.id, { reason: 'An earlier draft, sent by mistake' });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      id: v1.body.id,
      visitId: WITHDRAWN,
      fileName: 'v1.pdf',
      withdrawn: { by: USERS.secretariat.email, reason: 'An earlier draft, sent by mistake' },
    });
    expect(r.body).not.toHaveProperty('content');
    expect((await h.store.audit()).at(-1)).toMatchObject({
      action: 'withdraw-document',
      outcome: 'accepted',
      actor: USERS.secretariat.email,
      visitId: WITHDRAWN,
      payload: { id: v1.body.id, kind: 'draft', fileName: 'v1.pdf', reason: 'An earlier draft, sent by mistake' },
    });

    // The link sent before stops working, in the reader's language, and the attempt is on record.
    const gone = await fetch(url, { headers: { 'accept-language': 'fr' } });
    expect(gone.status).toBe(403);
    expect(await gone.text()).toContain('Ce document a été retiré.');
    expect((await h.store.audit()).at(-1)).toMatchObject({
      action: 'download-document',
      outcome: 'refused',
      detail: 'withdrawn',
      actor: address,
    });
    // Messages sent from now name the step's reference, neither attaching nor linking the file.
    for (const attachMaxBytes of [ATTACH_DEFAULT, 10])
      expect(
        await documentFor(
          { ...deps(), attachMaxBytes },
          notice(WITHDRAWN, 'draft-dispatched'),
          address,
          'state-contact',
        ),
      ).toEqual({ line: { mode: 'reference', reference: 'S/AC.40/2026/783' }, attachments: [] });

    // Withdrawn again: nothing changes, the first withdrawal stands.
    const entries = (await h.store.audit()).length;
    const again = await withdraw('cted', WITHDRAWN, v1.body.id, { reason: 'Again' });
    expect(again.status).toBe(200);
    expect(again.body.withdrawn).toEqual(r.body.withdrawn);
    expect(await h.store.audit()).toHaveLength(entries);

    // A new file is carried again.
    const v2 = await upload('cted', WITHDRAWN, pdf(bytes(50), 'draft', 'v2.pdf'));
    expect((await documentFor(deps(), notice(WITHDRAWN, 'draft-dispatched'), address, 'state-contact')).line).toEqual({
      mode: 'attached',
      name: 'v2.pdf',
    });
    const listed = await list('secretariat', WITHDRAWN);
    expect(listed.status).toBe(200);
    expect(listed.body.map((d: { fileName: string; withdrawn?: unknown }) => [d.fileName, !!d.withdrawn])).toEqual([
      ['v1.pdf', true],
      ['v2.pdf', false],
    ]);
    expect(listed.body[1].id).toBe(v2.body.id);
  });

  it("lists a visit's documents for CTED and the secretariat only", async () => {
    expect((await list('cted', WITHDRAWN)).body).toHaveLength(2);
    for (const as of ['stateNOR', 'committee', 'chair'] as const) expect((await list(as, WITHDRAWN)).status).toBe(403);
    expect((await list('partner', WITHDRAWN)).status).toBe(404);
    expect((await list('cted', '999-NOR')).status).toBe(404);
    expect((await h.request('GET', `/api/visits/${WITHDRAWN}/documents`, {})).status).toBe(401);
    const [first] = await h.store.documents(WITHDRAWN);
    const anonymous = await h.request('POST', `/api/visits/${WITHDRAWN}/documents/${first!.id}/withdraw`, {
      body: { reason: 'x' },
    });
    expect(anonymous.status).toBe(401);
  });

  it('followup visits documents and withdraw-document', async () => {
    const { cli, out, err } = operatorCli();
    expect(await cli('visits', 'documents', WITHDRAWN), err.join('\n')).toBe(0);
    const [v1, v2] = (await h.store.documents(WITHDRAWN)).map((d) => d.id);
    expect(out.join('\n')).toMatch(
      new RegExp(`^${v1}  draft  v1\\.pdf \\(3000 bytes\\) .* — withdrawn .*: An earlier draft`, 'm'),
    );
    expect(await cli('visits', 'withdraw-document', WITHDRAWN, v2!)).toBe(2);
    expect(err.join('\n')).toContain('--reason');
    out.length = 0;
    expect(await cli('visits', 'withdraw-document', WITHDRAWN, v2!, '--reason', 'Superseded', '--json')).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({
      id: v2,
      withdrawn: { by: 'operator@followup.local', reason: 'Superseded' },
    });
    expect(await cli('visits', 'withdraw-document', WITHDRAWN, 'nope', '--reason', 'x')).toBe(1);
  });
});
