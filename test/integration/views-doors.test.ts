/**
 * The role views on the real doors: a few visits driven through every stage (holds, an objection,
 * a return to CTED, an extension, TA needs referred, consent recorded on the State's behalf, a
 * withdrawal) on the dev server, and after every step a State token and a partner token read every
 * door (the API's visit, list and allowed actions, each action response, the dashboard's overview,
 * visit pages, compliance and annual list, both CSV exports and their calendar feeds): none may
 * carry a Committee member's, the Chair's, the secretariat's or a partner's address, a hold's or an
 * objection's reason, the TA needs or a note of CTED's. Every role's view parses with its own
 * strict schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_FIELDS, type FieldSpec } from '../../src/domain/actions';
import type { Role } from '../../src/domain/permissions';
import { VIEW_SCHEMAS } from '../../src/domain/views';
import type { ActionName } from '../../src/domain/vocabulary';
import { feedSecret } from '../../src/services/users';
import { apiVisit, startApiHarness, USERS, type ApiResponse, type Harness, type UserName } from '../api-harness';
import { eventually } from '../helpers';

let h: Harness;
const cookies = new Map<UserName, string>();

beforeAll(async () => {
  h = await startApiHarness();
  for (const u of ['stateNOR', 'partner', 'committee'] as const) cookies.set(u, await h.signIn(u));
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const MISSION = 'pm@norway-mission.example.org';
const today = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** Text the State must never read. */
const SECRET = {
  pao: 'PAO-DOC-SECRET',
  taNeeds: 'TA-NEEDS-SECRET',
  ctedNote: 'CTED-NOTE-SECRET',
  secretariatNote: 'SECRETARIAT-NOTE-SECRET',
  chairNote: 'CHAIR-NOTE-SECRET',
  finalDraft: 'FINAL-DRAFT-SECRET',
  hold: 'HOLD-REASON-SECRET',
  objection: 'OBJECTION-REASON-SECRET',
  returned: 'RETURN-REASON-SECRET',
  followUp: 'FOLLOW-UP-REPORT-SECRET',
  withdrawn: 'WITHDRAW-REASON-SECRET',
};
/** Addresses of others: the Committee, the Chair, the secretariat, the partner. */
const OTHERS = [USERS.committee.email, USERS.chair.email, USERS.secretariat.email, USERS.partner.email];
const FORBIDDEN_TO_STATE = [...OTHERS, ...Object.values(SECRET)];
/** The partner's own address is on its pages (who is signed in); the State's and CTED's are not. */
const FORBIDDEN_TO_PARTNER = [
  ...FORBIDDEN_TO_STATE.filter((x) => x !== USERS.partner.email),
  USERS.stateNOR.email,
  MISSION,
  USERS.cted.email,
  'DRAFT/1',
];

const roleOf = (u: UserName): Role => USERS[u].role;

function filler(f: FieldSpec): unknown {
  return f.type === 'date' ? today() : f.type === 'string[]' ? ['x'] : f.type === 'boolean' ? false : 'x';
}

/** The payload, cut to the fields the action takes (required ones filled in). */
function payload(action: ActionName, wanted: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ACTION_FIELDS[action]) {
    if (wanted[f.name] !== undefined) out[f.name] = wanted[f.name];
    else if (f.required) out[f.name] = filler(f);
  }
  return out;
}

const leaked = (text: string, forbidden: readonly string[]) => forbidden.filter((x) => text.includes(x));

/** The role's view of the visit parses with its own strict schema. */
function expectRoleView(u: UserName, r: ApiResponse, what: string) {
  expect(r.status, `${what}: ${r.text}`).toBe(200);
  const schema = VIEW_SCHEMAS[roleOf(u)];
  const parsed = schema.safeParse(r.body);
  expect(parsed.success, `${u} ${what}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`).toBe(true);
}

const page = async (u: UserName, path: string) => {
  const res = await fetch(`${h.url}${path}`, { headers: { cookie: cookies.get(u)! }, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
};

/** Every door a State or a partner reads, as text. */
async function everyDoor(u: UserName, ids: readonly string[]): Promise<{ door: string; text: string }[]> {
  const out: { door: string; text: string }[] = [];
  const api = async (path: string) =>
    out.push({ door: `GET ${path}`, text: (await h.request('GET', path, { as: u })).text });
  const web = async (path: string) => out.push({ door: `page ${path}`, text: (await page(u, path)).text });
  await api('/api/visits');
  await api('/api/visits?stage=committee-review');
  for (const id of ids) {
    await api(`/api/visits/${id}`);
    await api(`/api/visits/${id}/actions`);
    await web(`/visits/${id}`);
  }
  for (const path of [
    ...['/', '/compliance', '/annual', '/annual/print'],
    ...['/api/visits.csv', '/api/annual.csv', '/api/visits-conducted.csv'],
  ])
    await web(path);
  const feed = await fetch(`${h.url}/feeds/${feedSecret(h.linkSecret, USERS[u].email)}.ics`);
  out.push({ door: 'feed', text: await feed.text() });
  return out;
}

/** Reads every door as the State and as the partner, and every role's API view; nothing may leak. */
async function checkDoors(ids: readonly string[], step: string): Promise<void> {
  for (const [u, forbidden] of [
    ['stateNOR', FORBIDDEN_TO_STATE],
    ['partner', FORBIDDEN_TO_PARTNER],
  ] as const) {
    for (const { door, text } of await everyDoor(u, ids))
      expect(leaked(text, forbidden), `${u} after ${step}: ${door}`).toEqual([]);
  }
  for (const id of ids) {
    for (const u of ['cted', 'secretariat', 'committee', 'chair', 'stateNOR', 'partner'] as const) {
      const r = await h.request('GET', `/api/visits/${id}`, { as: u });
      if (u === 'partner' && r.status === 404) continue;
      expectRoleView(u, r, `GET ${id} after ${step}`);
      if (u === 'committee' || u === 'chair') expect(r.text, `${u} after ${step}`).not.toContain(USERS.stateNOR.email);
    }
    const committeePage = await page('committee', `/visits/${id}`);
    expect(committeePage.text, `committee page after ${step}`).not.toContain(USERS.stateNOR.email);
  }
}

type Step = [UserName, ActionName, Record<string, unknown>?];

/** Takes a step through the API: the response is the actor's own view, and a State's or partner's leaks nothing. */
async function act(id: string, [u, action, wanted = {}]: Step): Promise<ApiResponse> {
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as: u, body: payload(action, wanted) });
  expectRoleView(u, r, `${action} on ${id}`);
  if (roleOf(u) === 'state') expect(leaked(r.text, FORBIDDEN_TO_STATE), `${action} response`).toEqual([]);
  return r;
}

const STATE = 'stateNOR';
const onBehalf = { onBehalfOf: 'NOR', reference: 'NV/2027/12', receivedOn: today() };

/** The whole follow-up, with everything the Committee may do to a report on the way. */
const FULL: Step[] = [
  ['cted', 'record-pao', { documentRef: SECRET.pao, note: SECRET.ctedNote }],
  ['cted', 'refer-ta', { partners: ['UNODC'], needs: SECRET.taNeeds, agreedOn: today(), note: SECRET.ctedNote }],
  ['cted', 'submit-draft', { documentRef: 'DRAFT/1', note: SECRET.ctedNote }],
  ['cted', 'dispatch-draft', { note: SECRET.ctedNote }],
  [STATE, 'request-extension', { reason: 'Consultations in capital' }],
  ['secretariat', 'grant-extension', { note: SECRET.secretariatNote }],
  [STATE, 'record-comments', { summary: 'Two factual corrections' }],
  ['cted', 'submit-final-draft', { documentRef: SECRET.finalDraft, note: SECRET.ctedNote }],
  ['committee', 'place-hold', { reason: SECRET.hold }],
  ['committee', 'lift-hold', {}],
  ['committee', 'object', { reason: SECRET.objection }],
  ['chair', 'return-to-cted', { reason: SECRET.returned }],
  ['cted', 'submit-final-draft', { documentRef: SECRET.finalDraft }],
  ['committee', 'object', { reason: SECRET.objection }],
  ['chair', 'record-adoption', { note: SECRET.chairNote }],
  ['chair', 'transmit-report', { documentRef: 'REPORT/1', note: SECRET.chairNote }],
  [STATE, 'confirm-receipt', {}],
  ['cted', 'record-consent', { scope: 'partial', sections: ['Border security'], ...onBehalf, note: SECRET.ctedNote }],
  [STATE, 'submit-implementation-report', { summary: 'Steps taken', documentRef: 'NOR/IMPL/1' }],
  ['cted', 'submit-follow-up-report', { documentRef: SECRET.followUp, note: SECRET.ctedNote }],
];

const stageOnPage = (html: string) => /id="stage">([^<]+)</.exec(html)?.[1];

describe('a State and a partner on every door, at every stage', () => {
  it('read nothing of the Committee’s business, and every role’s view parses with its own schema', async () => {
    const visit = (n: number) => apiVisit(n, 'NOR', { permanentMission: MISSION });
    const ids: string[] = [];
    for (const n of [741, 742, 743]) {
      const r = await h.request('POST', '/api/visits', { as: 'cted', body: visit(n) });
      expect(r.status, r.text).toBe(201);
      ids.push(r.body.id as string);
    }
    const [full, held, withdrawn] = ids as [string, string, string];
    await checkDoors(ids, 'start');

    // One visit held under the no-objection procedure, one withdrawn.
    for (const step of FULL.slice(0, 9)) await act(held, step);
    await act(withdrawn, ['secretariat', 'withdraw', { reason: SECRET.withdrawn }]);
    expect(stageOnPage((await page(STATE, `/visits/${held}`)).text)).toBe('committee-review');

    const stages: string[] = [];
    for (const step of FULL) {
      await act(full, step);
      await checkDoors(ids, `${step[1]} on ${full}`);
      stages.push(stageOnPage((await page(STATE, `/visits/${full}`)).text) ?? '?');
    }
    // The State lived the return to CTED as the report still before the Committee.
    expect(stages).toEqual([
      ...['drafting', 'drafting', 'drafting'],
      ...['draft-with-you', 'draft-with-you', 'draft-with-you', 'final-draft'],
      ...Array<string>(7).fill('committee-review'),
      ...['adopted', 'transmitted', 'implementing', 'implementing', 'implementing', 'closed'],
    ]);

    // What the State does see: the draft and the report sent to it, its replies, its messages.
    const state = await h.request('GET', `/api/visits/${full}`, { as: STATE });
    expect(
      state.body.documents.map((d: { document: string; documentRef?: string }) => [d.document, d.documentRef]),
    ).toEqual([
      ['draft', 'DRAFT/1'],
      ['adopted-report', 'REPORT/1'],
    ]);
    expect(state.body.replies.map((r: { action: string; onBehalf: boolean }) => [r.action, r.onBehalf])).toEqual([
      ['request-extension', false],
      ['record-comments', false],
      ['confirm-receipt', false],
      ['record-consent', true],
      ['submit-implementation-report', false],
    ]);
    const messages = await eventually(async () => {
      const r = await h.request('GET', `/api/visits/${full}`, { as: STATE });
      return r.body.messages.length >= 3 ? (r.body.messages as { to: string; subject: string }[]) : undefined;
    }, 'the messages to the State');
    for (const m of messages) expect([USERS.stateNOR.email, MISSION]).toContain(m.to);
    expect(messages.map((m) => m.subject)).toContainEqual(expect.stringMatching(/^Draft report of visit 741-NOR/));
    // The secretariat sees every message, internal ones included.
    const all = await h.request('GET', `/api/visits/${full}`, { as: 'secretariat' });
    expect(all.body.messages.map((m: { to: string }) => m.to)).toEqual(expect.arrayContaining([USERS.partner.email]));

    // Once the read model has the visits, the State's overview, exports and feed are built from its views.
    await eventually(
      async () =>
        (await h.store.snapshots(full))[0]?.stage === 'closed' && (await h.store.snapshots(held))[0] ? true : undefined,
      'the read model',
    );
    await checkDoors(ids, 'the read model caught up');
    const csv = (await page(STATE, '/api/visits.csv')).text;
    expect(csv).toContain(held);
    expect(csv).not.toMatch(/\b(pao|ta-referral|drafting|finalizing|transmitting|cted-follow-up-report)\b/);
    const feed = await (await fetch(`${h.url}/feeds/${feedSecret(h.linkSecret, USERS.stateNOR.email)}.ics`)).text();
    expect(feed).not.toMatch(
      / (pao|ta-referral|drafting|finalizing|committee-review|transmitting|cted-follow-up-report) due/,
    );
    // The partner sees the shared report, in the consented scope only.
    const partner = await h.request('GET', `/api/visits/${full}`, { as: 'partner' });
    expect(partner.body.consent).toEqual({
      scope: 'partial',
      sections: ['Border security'],
      priorityTaNeedsOnly: false,
    });
  }, 300_000);

  it('lists a State’s visits by its own stages and deadlines', async () => {
    const list = async (q: string) =>
      ((await h.request('GET', `/api/visits${q}`, { as: STATE })).body as { id: string; stage: string }[]).map(
        (v) => `${v.id} ${v.stage}`,
      );
    expect(await list('?stage=committee-review')).toEqual(['742-NOR committee-review']);
    expect(await list('?stage=closed')).toEqual(['741-NOR closed']);
    expect(await list('?stage=withdrawn')).toEqual(['743-NOR withdrawn']);
    // Drafting and finalizing are CTED's clocks: nothing of them is late for the State.
    expect(await list('?overdue=true')).toEqual([]);
  });
});
