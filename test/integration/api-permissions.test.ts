/**
 * The permission table exercised for every role against every route, through the HTTP API on the
 * real dev server: every role × every action (generated from PERMISSIONS and ROLES), reads and
 * lists as each role, the operations outside the action table, and authentication on every route.
 *
 * Expectations are computed here from the table and from the rules of ../shared/DOMAIN.md (a
 * State sees only its own visits; a partner only adopted reports the State consented to share and
 * the visits whose TA needs were referred to its organisation), not from mayRead/mayAct, so a
 * drift between the table and the API shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_FIELDS, ACTION_PAYLOADS, type FieldSpec } from '../../src/domain/actions';
import { OPERATIONS, PERMISSIONS, ROLES, type Role } from '../../src/domain/permissions';
import type { RecommendationInput } from '../../src/domain/recommendations/model';
import { PartnerView, stateStageOf, VIEW_SCHEMAS } from '../../src/domain/views';
import { ACTIONS, type ActionName } from '../../src/domain/vocabulary';
import { visitStatus } from '../../src/infra/temporal/visits';
import { workflowIdOf } from '../../src/contract';
import { eventually } from '../helpers';
import { apiVisit, startApiHarness, USERS, type ApiResponse, type Harness, type UserName } from '../api-harness';

type StateCode = 'NOR' | 'CHL';
type Payload = Record<string, unknown>;

const USER_NAMES = Object.keys(USERS) as UserName[];
const roleOf = (u: UserName): Role => USERS[u].role;
const stateOf = (u: UserName): string | undefined => (USERS[u] as { state?: string }).state;
const stateUser = (s: StateCode): UserName => (s === 'NOR' ? 'stateNOR' : 'stateCHL');
const otherState = (s: string): StateCode => (s === 'NOR' ? 'CHL' : 'NOR');

/** A minimal valid value for one payload field. */
function sample(f: FieldSpec): unknown {
  switch (f.type) {
    case 'string':
      return 'x';
    case 'string[]':
      return ['UNODC'];
    case 'enum':
      return f.values?.includes('full') ? 'full' : f.values?.[0];
    case 'boolean':
      return true;
    case 'date':
      return new Date().toISOString().slice(0, 10);
    case 'records':
      throw new Error(`${f.name}: a list of records has its sample in BY_VISIT`);
  }
}

/** The partner organisation of the harness (its principal's organisation); needs are referred to it. */
const PARTNER_ORG = USERS.partner.organisation;

/** What CTED records with the final draft: R1 carries a TA need, R2 none. */
const RECOMMENDATIONS: RecommendationInput[] = [
  {
    number: 1,
    text: 'Criminalize the financing of terrorism as a stand-alone offence',
    theme: 'counter-financing',
    priority: true,
    taNeed: 'Legislative drafting assistance',
  },
  { number: 2, text: 'Train border officers in the use of API/PNR data', theme: 'border-management', priority: false },
];
const R1 = (visit: string) => `${visit}/R1`;

/**
 * Payloads no field type describes: a minimal refer-ta names the day the State agreed the needs
 * (or the recommendations, a refinement requires one), and the rules-3 actions name the visit's
 * own recommendations, or are lists of records.
 */
const BY_VISIT: Partial<Record<ActionName, (visit: string) => Payload>> = {
  'refer-ta': () => ({ agreedOn: new Date().toISOString().slice(0, 10) }),
  'record-recommendations': () => ({ recommendations: RECOMMENDATIONS }),
  'report-progress': (v) => ({ items: [{ recommendation: R1(v), status: 'in-progress' }] }),
  'assess-recommendation': (v) => ({ items: [{ recommendation: R1(v), status: 'partially-implemented' }] }),
  'agree-ta-needs': (v) => ({ recommendations: [R1(v)] }),
  'record-ta-response': (v) => ({ recommendation: R1(v), partner: PARTNER_ORG, response: 'accepted' }),
  'record-ta-delivery': (v) => ({ recommendation: R1(v), partner: PARTNER_ORG, status: 'delivering' }),
};

/** The payload of an action with its required fields only (on `visit`, for those naming its recommendations). */
function minimalPayload(action: ActionName, visit = '1-NOR'): Payload {
  const specific = BY_VISIT[action]?.(visit) ?? {};
  const required = ACTION_FIELDS[action].filter((f) => f.required && !(f.name in specific));
  return { ...Object.fromEntries(required.map((f) => [f.name, sample(f)])), ...specific };
}

/**
 * Where a visit stands, as the steps that bring a fresh visit there. `own-state` is the visit's
 * State; `holder` is who places the hold (the member who later lifts it).
 */
type Who = UserName | 'own-state' | 'holder';
/** A step's payload: given, or (by default) the minimal one on the visit. */
type Step = [Who, ActionName, (Payload | ((visit: string) => Payload))?];
const drafted: Step[] = [['cted', 'submit-draft']];
const review: Step[] = [...drafted, ['cted', 'dispatch-draft']];
const finalizing: Step[] = [...review, ['own-state', 'record-comments']];
const committee: Step[] = [...finalizing, ['cted', 'submit-final-draft']];
const objected: Step[] = [...committee, ['committee', 'object']];
const adopted: Step[] = [...objected, ['chair', 'record-adoption']];
const transmitted: Step[] = [...adopted, ['cted', 'transmit-report']];
const implementing: Step[] = [...transmitted, ['own-state', 'confirm-receipt']];
// Rules 3: a visit whose final draft carries recommendations, then its TA need agreed, referred and answered.
const recommended: Step[] = [['cted', 'record-recommendations']];
const recAdopted: Step[] = [...recommended, ...adopted];
const recTransmitted: Step[] = [...recAdopted, ['cted', 'transmit-report']];
const taAgreed: Step[] = [...recTransmitted, ['own-state', 'agree-ta-needs']];
const taReferred: Step[] = [
  ...taAgreed,
  ['cted', 'refer-ta', (v) => ({ partners: [PARTNER_ORG], recommendations: [R1(v)] })],
];
const SITUATIONS = {
  drafting: [],
  'pao-recorded': [['cted', 'record-pao']],
  drafted,
  review,
  extension: [...review, ['own-state', 'request-extension']],
  finalizing,
  committee,
  held: [...committee, ['holder', 'place-hold']],
  objected,
  adopted,
  invited: [...adopted, ['secretariat', 'invite-briefing']],
  transmitted,
  implementing,
  shared: [...implementing, ['own-state', 'record-consent', { scope: 'full' }]],
  'shared-partial': [
    ...implementing,
    ['own-state', 'record-consent', { scope: 'partial', sections: ['Border security'] }],
  ],
  withdrawn: [['secretariat', 'withdraw']],
  recommended,
  'rec-adopted': recAdopted,
  'rec-transmitted': recTransmitted,
  'ta-agreed': taAgreed,
  'ta-referred': taReferred,
  'ta-accepted': [...taReferred, ['partner', 'record-ta-response']],
} satisfies Record<string, Step[]>;
type Situation = keyof typeof SITUATIONS;

/**
 * The only visits a partner may see: adopted reports whose State consented to share them, and
 * visits whose TA needs were referred to its organisation (consent or not).
 */
const PARTNER_READABLE: readonly Situation[] = ['shared', 'shared-partial', 'ta-referred', 'ta-accepted'];

/** A situation in which the process allows the action now. */
const READY: Record<ActionName, Situation> = {
  'record-pao': 'drafting',
  'refer-ta': 'drafting',
  'agree-ta-needs': 'rec-adopted',
  'record-ta-response': 'ta-referred',
  'record-ta-delivery': 'ta-accepted',
  'submit-draft': 'drafting',
  'dispatch-draft': 'drafted',
  'record-comments': 'review',
  'request-extension': 'review',
  'grant-extension': 'extension',
  'refuse-extension': 'extension',
  'record-recommendations': 'drafting',
  'submit-final-draft': 'finalizing',
  'place-hold': 'committee',
  'lift-hold': 'held',
  object: 'committee',
  'record-adoption': 'objected',
  'return-to-cted': 'objected',
  'transmit-report': 'adopted',
  'confirm-receipt': 'transmitted',
  'record-consent': 'transmitted',
  'submit-implementation-report': 'implementing',
  'report-progress': 'rec-transmitted',
  'submit-follow-up-report': 'adopted',
  'assess-recommendation': 'rec-adopted',
  'invite-briefing': 'adopted',
  'record-briefing': 'invited',
  withdraw: 'drafting',
};

/** A situation in which the process does not allow the action (refer-ta and withdraw are allowed at every live stage). */
const WRONG: Record<ActionName, Situation> = {
  'record-pao': 'pao-recorded',
  'refer-ta': 'withdrawn',
  'agree-ta-needs': 'ta-agreed', // its one need is agreed already
  'record-ta-response': 'ta-accepted', // the partner has answered
  'record-ta-delivery': 'ta-referred', // not accepted yet
  'submit-draft': 'drafted',
  'dispatch-draft': 'drafting',
  'record-comments': 'finalizing',
  'request-extension': 'extension',
  'grant-extension': 'review',
  'refuse-extension': 'review',
  'record-recommendations': 'committee', // only until the final draft goes to the Committee
  'submit-final-draft': 'committee',
  'place-hold': 'adopted',
  'lift-hold': 'committee',
  object: 'finalizing',
  'record-adoption': 'committee',
  'return-to-cted': 'committee',
  'transmit-report': 'transmitted',
  'confirm-receipt': 'adopted',
  'record-consent': 'adopted',
  'submit-implementation-report': 'transmitted',
  'report-progress': 'rec-adopted', // not transmitted yet
  'submit-follow-up-report': 'committee',
  'assess-recommendation': 'recommended', // not adopted yet
  'invite-briefing': 'invited',
  'record-briefing': 'adopted',
  withdraw: 'withdrawn',
};

/** Whether the user may see the visit exists (DOMAIN.md: a State its own; a partner consented adopted reports). */
function expectReadable(u: UserName, situation: Situation, state: StateCode): boolean {
  if (roleOf(u) === 'state') return stateOf(u) === state;
  if (roleOf(u) === 'partner') return PARTNER_READABLE.includes(situation);
  return true;
}

/**
 * Whether the role's row of the table grants the action on a visit of that State (on-behalf:
 * naming whom; own-organisation: naming the partner's own organisation, below).
 */
function expectPermitted(u: UserName, action: ActionName, state: StateCode): boolean {
  const scope = PERMISSIONS[roleOf(u)][action];
  return (
    scope === 'any' ||
    scope === 'on-behalf' ||
    scope === 'own-organisation' ||
    (scope === 'own-state' && stateOf(u) === state)
  );
}

/** Who lifts a hold: the member who placed it, or the secretariat on that member's behalf. */
const holderFor = (u: UserName): UserName => (roleOf(u) === 'secretariat' ? 'committee' : u);

/**
 * The minimal payload on the visit, and for an action taken on someone's behalf, whom: the visit's
 * State, or the member who placed the hold; a partner names its own organisation.
 */
function payloadFor(u: UserName, action: ActionName, state: StateCode, visit: string): Payload {
  const p = minimalPayload(action, visit);
  const scope = PERMISSIONS[roleOf(u)][action];
  if (scope === 'own-organisation') return { ...p, partner: (USERS[u] as { organisation?: string }).organisation };
  if (scope !== 'on-behalf') return p;
  return { ...p, onBehalfOf: action === 'lift-hold' ? USERS[holderFor(u)].email : state };
}

type Outcome = 'not-found' | 'forbidden' | 'acts';
function expectedOutcome(u: UserName, action: ActionName, situation: Situation, state: StateCode): Outcome {
  if (!expectReadable(u, situation, state)) return 'not-found';
  if (!expectPermitted(u, action, state)) return 'forbidden';
  return 'acts';
}

interface ActCase {
  user: UserName;
  action: ActionName;
  situation: Situation;
  state: StateCode;
  outcome: Outcome;
  /** An accepted action changes the visit: it gets a visit of its own. */
  fresh: boolean;
}

/** Every user × every action: on a visit where the process allows it, on another State's, and where it does not. */
function actCases(): ActCase[] {
  const cases: ActCase[] = [];
  const add = (user: UserName, action: ActionName, situation: Situation, state: StateCode) => {
    const outcome = expectedOutcome(user, action, situation, state);
    cases.push({ user, action, situation, state, outcome, fresh: outcome === 'acts' && situation === READY[action] });
  };
  for (const user of USER_NAMES) {
    const role = roleOf(user);
    // Committee and Chair act on CHL visits, everyone else on NOR: "any" scope crosses States.
    const home: StateCode = stateOf(user) === 'CHL' || role === 'committee' || role === 'chair' ? 'CHL' : 'NOR';
    for (const action of ACTIONS) {
      add(user, action, READY[action], home);
      if (role === 'state') add(user, action, READY[action], otherState(home));
      // A partner on a consented report it may read: refused what its role may not take (where it
      // may, the WRONG situation below is the refusal of the stage).
      if (role === 'partner' && !expectPermitted(user, action, home)) add(user, action, 'shared', home);
      if (expectPermitted(user, action, home)) add(user, action, WRONG[action], home);
    }
  }
  return cases;
}
const ACT_CASES = actCases();

let h: Harness;
let nextNumber = 3000;
const baseVisits = {} as Record<StateCode, string>;

beforeAll(async () => {
  // Many deliberate authentication failures below: the per-address limiter is not under test here.
  h = await startApiHarness({ rateLimit: 1_000_000 });
  for (const s of ['NOR', 'CHL'] as const) {
    const r = await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(nextNumber++, s) });
    expect(r.status, r.text).toBe(201);
    baseVisits[s] = r.body.id;
  }
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function createVisit(state: StateCode): Promise<string> {
  const r = await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(nextNumber++, state) });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

async function step(
  as: UserName,
  id: string,
  action: ActionName,
  payload: Payload | ((visit: string) => Payload) = minimalPayload(action, id),
): Promise<ApiResponse> {
  const body = typeof payload === 'function' ? payload(id) : payload;
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body });
  expect(r.status, `${as} ${action} on ${id}: ${r.text}`).toBe(200);
  return r;
}

/** A new visit brought to the situation through the API, each step by its role. */
async function prepare(situation: Situation, state: StateCode, holder: UserName = 'committee'): Promise<string> {
  const id = await createVisit(state);
  for (const [who, action, payload] of SITUATIONS[situation] as Step[]) {
    const as = who === 'own-state' ? stateUser(state) : who === 'holder' ? holder : who;
    await step(as, id, action, payload);
  }
  if (situation === 'withdrawn') {
    // A withdrawn visit's workflow completes; wait for it so the case does not depend on timing.
    const handle = h.env.client.workflow.getHandle(workflowIdOf(id));
    await eventually(
      async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined),
      `${id} to complete`,
    );
  }
  return id;
}

/** Shared visits for refused requests only (a refused request changes nothing). */
const fixtures = new Map<string, Promise<string>>();
function fixture(situation: Situation, state: StateCode): Promise<string> {
  const key = `${situation}:${state}`;
  let f = fixtures.get(key);
  if (!f) {
    f = prepare(situation, state);
    fixtures.set(key, f);
  }
  return f;
}

async function historyOf(id: string): Promise<unknown[]> {
  const r = await h.request('GET', `/api/visits/${id}`, { as: 'cted' });
  expect(r.status, r.text).toBe(200);
  return r.body.history as unknown[];
}

/** An error body: the code and a message, nothing else: no stack, no token, no internals. */
function expectErrorBody(r: ApiResponse, error: string, extraKeys: string[] = []) {
  expect(r.body, r.text).toBeTypeOf('object');
  expect(r.body.error).toBe(error);
  expect(r.body.message).toBeTypeOf('string');
  expect(Object.keys(r.body).sort()).toEqual(['error', 'message', ...extraKeys].sort());
  expect(r.text).not.toMatch(/\bat .+:\d+:\d+|node:internal|\/work\/|\.ts\b|stack/i);
  for (const token of Object.values(h.tokens)) expect(r.text).not.toContain(token);
}

const PARTNER_VIEW_KEYS = ['adoptedAt', 'consent', 'id', 'state', 'type'];

describe('the table under test matches the issue', () => {
  it('has a user for every role, and every role a row', () => {
    expect(new Set(USER_NAMES.map(roleOf))).toEqual(new Set(ROLES));
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...ROLES].sort());
  });

  it('gives extensions and withdrawal to the secretariat only, holds and objections to committee and chair only', () => {
    const holders = (a: ActionName) => ROLES.filter((r) => PERMISSIONS[r][a] !== undefined);
    expect(holders('grant-extension')).toEqual(['secretariat']);
    expect(holders('withdraw')).toEqual(['secretariat']);
    expect(holders('place-hold')).toEqual(['committee', 'chair']);
    expect(holders('object')).toEqual(['committee', 'chair']);
    // A partner records only its own organisation's answer to a referred need and its delivery.
    expect(PERMISSIONS.partner).toEqual({
      'record-ta-response': 'own-organisation',
      'record-ta-delivery': 'own-organisation',
    });
    for (const [action, scope] of Object.entries(PERMISSIONS.state)) expect(scope, action).toBe('own-state');
  });

  it('builds a valid minimal payload for every action, and the fixtures are where the process allows (or not) each action', async () => {
    for (const action of ACTIONS)
      expect(ACTION_PAYLOADS[action].safeParse(minimalPayload(action, '3000-NOR')).success, action).toBe(true);
    // agreedOn is optional since rules 3, but a referral names the day or the recommendations.
    expect(ACTION_PAYLOADS['refer-ta'].safeParse({ partners: ['UNODC'] }).success).toBe(false);
    expect(minimalPayload('agree-ta-needs', '3000-NOR')).toEqual({ recommendations: ['3000-NOR/R1'] });
    expect(minimalPayload('refer-ta')).toEqual({
      partners: ['UNODC'],
      agreedOn: new Date().toISOString().slice(0, 10),
    });
    expect(minimalPayload('record-consent')).toEqual({ scope: 'full' });
    expect(minimalPayload('withdraw')).toEqual({ reason: 'x' });
    for (const action of ACTIONS) {
      const ready = await visitStatus(h.env.client, await fixture(READY[action], 'NOR'));
      expect(
        ready.allowedActions.map((a) => a.action),
        `${action} at ${READY[action]}`,
      ).toContain(action);
      const wrong = await visitStatus(h.env.client, await fixture(WRONG[action], 'NOR'));
      expect(
        wrong.allowedActions.map((a) => a.action),
        `${action} at ${WRONG[action]}`,
      ).not.toContain(action);
    }
  });

  it('generates every role × action pair, and both outcomes for every granted pair', () => {
    for (const user of USER_NAMES)
      for (const action of ACTIONS) expect(ACT_CASES.some((c) => c.user === user && c.action === action)).toBe(true);
    const granted = ACT_CASES.filter((c) => c.outcome === 'acts');
    const grants = ROLES.reduce(
      (n, r) => n + Object.keys(PERMISSIONS[r]).length * USER_NAMES.filter((u) => roleOf(u) === r).length,
      0,
    );
    expect(granted.filter((c) => c.fresh)).toHaveLength(grants);
    expect(granted.filter((c) => !c.fresh)).toHaveLength(grants);
    expect(ACT_CASES.filter((c) => c.outcome === 'not-found' && roleOf(c.user) === 'state')).toHaveLength(
      2 * ACTIONS.length,
    );
  });
});

describe('POST /api/visits/{id}/actions/{action}: every role × every action', () => {
  const label = (c: ActCase) =>
    c.outcome === 'not-found' ? '404' : c.outcome === 'forbidden' ? '403' : c.fresh ? '200' : '409 not-allowed-now';
  it.each(
    ACT_CASES.map((c) => [`${c.user} ${c.action} on a ${c.state} visit at ${c.situation} → ${label(c)}`, c] as const),
  )('%s', async (_name, c) => {
    const id = c.fresh ? await prepare(c.situation, c.state, holderFor(c.user)) : await fixture(c.situation, c.state);
    const before = await historyOf(id);

    if (c.outcome !== 'acts') {
      const r = await h.request('POST', `/api/visits/${id}/actions/${c.action}`, {
        as: c.user,
        body: payloadFor(c.user, c.action, c.state, id),
      });
      if (c.outcome === 'not-found') {
        expect(r.status, r.text).toBe(404);
        expectErrorBody(r, 'not-found');
        expect(r.body.message).toBe(`no visit ${id}`);
      } else {
        expect(r.status, r.text).toBe(403);
        expectErrorBody(r, 'forbidden');
      }
      expect(await historyOf(id)).toEqual(before);
      return;
    }

    // The role holds the permission: the stage decides, as the visit's allowed actions say.
    const listed = await h.request('GET', `/api/visits/${id}/actions`, { as: c.user });
    expect(listed.status, listed.text).toBe(200);
    const allowedBefore = (listed.body as { action: ActionName }[]).map((a) => a.action);
    // A partner's list holds only its own steps (its answers and deliveries): the workflow's list says what the stage allows.
    const partner = roleOf(c.user) === 'partner';
    const workflowAllows = (await visitStatus(h.env.client, id)).allowedActions.map((a) => a.action);
    if (partner) expect(allowedBefore).toEqual(workflowAllows.filter((a) => expectPermitted(c.user, a, c.state)));
    const allowedNow = partner ? workflowAllows : allowedBefore;
    expect(allowedNow.includes(c.action), `allowed now at ${c.situation}: ${allowedNow.join(', ')}`).toBe(c.fresh);
    const r = await h.request('POST', `/api/visits/${id}/actions/${c.action}`, {
      as: c.user,
      body: payloadFor(c.user, c.action, c.state, id),
    });
    if (c.fresh) {
      expect(r.status, r.text).toBe(200);
      expect(r.body.id).toBe(id);
      const after = await historyOf(id);
      expect(after).toHaveLength(before.length + 1);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.at(-1)).toMatchObject({
        type: c.action,
        actor: USERS[c.user].email,
        role: roleOf(c.user),
        door: 'api',
      });
    } else {
      expect(r.status, r.text).toBe(409);
      expectErrorBody(r, 'not-allowed-now', ['allowedActions']);
      expect(r.body.allowedActions).toEqual(allowedBefore);
      expect(await historyOf(id)).toEqual(before);
    }
  });
});

describe('on-behalf recording and lifting holds', () => {
  /** A refusal: 403 with the reason, audited, nothing written to the visit. */
  async function refused(as: UserName, id: string, action: ActionName, body: Payload, reason: string) {
    const before = await historyOf(id);
    const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body });
    expect(r.status, r.text).toBe(403);
    expectErrorBody(r, 'forbidden');
    expect(r.body.message).toContain(reason);
    expect(await historyOf(id)).toEqual(before);
  }

  it("records the State's comments by note verbale only naming the visit's State; a State speaks only for itself", async () => {
    const id = await prepare('review', 'NOR');
    const note = { summary: 'Corrections by note verbale', reference: 'NV/NOR/2026/41', receivedOn: '2026-11-27' };
    await refused('cted', id, 'record-comments', note, 'give onBehalfOf NOR');
    await refused('cted', id, 'record-comments', { ...note, onBehalfOf: 'CHL' }, 'give onBehalfOf NOR');
    await refused('secretariat', id, 'record-comments', { ...note, onBehalfOf: 'nor' }, 'give onBehalfOf NOR');
    await refused('stateNOR', id, 'record-comments', { summary: 'x', onBehalfOf: 'CHL' }, 'for itself only');
    // Not a role that records replies at all.
    const r = await h.request('POST', `/api/visits/${id}/actions/record-comments`, {
      as: 'committee',
      body: { ...note, onBehalfOf: 'NOR' },
    });
    expect(r.status, r.text).toBe(403);

    const ok = await step('cted', id, 'record-comments', { ...note, onBehalfOf: 'NOR' });
    expect(ok.body.stage).toBe('finalizing');
    expect((await historyOf(id)).at(-1)).toMatchObject({
      type: 'record-comments',
      actor: USERS.cted.email,
      role: 'cted',
      door: 'api',
      payload: { onBehalfOf: 'NOR', reference: 'NV/NOR/2026/41', receivedOn: '2026-11-27' },
    });
    // The State sees its reply, recorded for it, with the note verbale's reference.
    const seen = await h.request('GET', `/api/visits/${id}`, { as: 'stateNOR' });
    expect(seen.status, seen.text).toBe(200);
    expect(seen.text).toContain('NV/NOR/2026/41');
  });

  it('records consent and the implementation report on behalf of the State; the history says who recorded it for whom', async () => {
    const id = await prepare('implementing', 'CHL');
    await refused('secretariat', id, 'record-consent', { scope: 'full' }, 'give onBehalfOf CHL');
    const consent = await step('secretariat', id, 'record-consent', {
      scope: 'full',
      onBehalfOf: 'CHL',
      reference: 'NV/CHL/9',
    });
    expect(consent.body.consent).toMatchObject({
      scope: 'full',
      decidedBy: 'CHL',
      recordedBy: USERS.secretariat.email,
    });
    await step('cted', id, 'submit-implementation-report', { onBehalfOf: 'CHL', reference: 'NV/CHL/10' });
    expect((await historyOf(id)).at(-1)).toMatchObject({
      type: 'submit-implementation-report',
      actor: USERS.cted.email,
      payload: { onBehalfOf: 'CHL', reference: 'NV/CHL/10' },
    });
  });

  it('lets only the member who placed a hold lift it, or the secretariat naming that member', async () => {
    const id = await prepare('held', 'NOR', 'committee');
    await refused('chair', id, 'lift-hold', {}, 'only the member who placed a hold lifts it');
    await refused('chair', id, 'lift-hold', { member: USERS.committee.email }, 'only the member who placed a hold');
    await refused('secretariat', id, 'lift-hold', {}, 'name their e-mail in onBehalfOf');
    await refused('secretariat', id, 'lift-hold', { onBehalfOf: USERS.chair.email }, USERS.committee.email);
    // The Chair's allowed actions do not offer another member's hold.
    const chairs = (await h.request('GET', `/api/visits/${id}/actions`, { as: 'chair' })).body.map(
      (a: { action: string }) => a.action,
    );
    expect(chairs).not.toContain('lift-hold');

    const lifted = await step('secretariat', id, 'lift-hold', {
      onBehalfOf: USERS.committee.email,
      reference: 'e-mail of 27 November',
    });
    expect(lifted.body.committee.holds).toEqual([]);
    expect((await historyOf(id)).at(-1)).toMatchObject({
      type: 'lift-hold',
      actor: USERS.secretariat.email,
      payload: { onBehalfOf: USERS.committee.email },
    });

    // The member lifts their own hold themselves.
    const again = await prepare('held', 'NOR', 'chair');
    await refused('committee', again, 'lift-hold', {}, 'only the member who placed a hold lifts it');
    const own = await step('chair', again, 'lift-hold', {});
    expect(own.body.committee.holds).toEqual([]);
  });

  it('audits every refused on-behalf attempt', async () => {
    const id = await prepare('review', 'NOR');
    await refused('cted', id, 'request-extension', { reason: 'x' }, 'give onBehalfOf NOR');
    const entries = (await h.store.audit()).filter((e) => e.visitId === id && e.action === 'request-extension');
    expect(entries.at(-1)).toMatchObject({ outcome: 'refused', actor: USERS.cted.email, detail: 'forbidden' });
  });
});

describe('the no-objection period', () => {
  it('lets a committee member hold or object only during committee review; otherwise 409 with the allowed actions', async () => {
    const id = await createVisit('NOR');
    const tryHoldAndObject = async (expectOk: boolean) => {
      // During the period: the hold is placed and lifted here, the objection comes after.
      for (const action of expectOk ? (['place-hold'] as const) : (['place-hold', 'object'] as const)) {
        const allowed = (await h.request('GET', `/api/visits/${id}/actions`, { as: 'committee' })).body.map(
          (a: { action: string }) => a.action,
        );
        const before = await historyOf(id);
        const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, {
          as: 'committee',
          body: minimalPayload(action),
        });
        if (expectOk) {
          expect(allowed).toEqual(['place-hold', 'object']);
          expect(r.status, r.text).toBe(200);
          expect(r.body.committee.holds).toMatchObject([{ by: USERS.committee.email }]);
          // The member who placed the hold may lift it; the allowed actions say so.
          expect(
            (await h.request('GET', `/api/visits/${id}/actions`, { as: 'committee' })).body.map(
              (a: { action: string }) => a.action,
            ),
          ).toEqual(['place-hold', 'lift-hold', 'object']);
          await step('committee', id, 'lift-hold');
        } else {
          expect(allowed).not.toContain(action);
          expect(r.status, r.text).toBe(409);
          expectErrorBody(r, 'not-allowed-now', ['allowedActions']);
          expect(r.body.allowedActions).toEqual(allowed);
          expect(await historyOf(id)).toEqual(before);
        }
      }
    };
    await tryHoldAndObject(false); // drafting
    await step('cted', id, 'submit-draft');
    await step('cted', id, 'dispatch-draft');
    await tryHoldAndObject(false); // state-review
    await step('stateNOR', id, 'record-comments');
    await tryHoldAndObject(false); // finalizing
    await step('cted', id, 'submit-final-draft');
    await tryHoldAndObject(true); // committee-review: the hold is placed and lifted
    const objection = await h.request('POST', `/api/visits/${id}/actions/object`, {
      as: 'committee',
      body: { reason: 'x' },
    });
    expect(objection.status, objection.text).toBe(200);
    await tryHoldAndObject(false); // objection raised: off to a meeting
    // The Chair, at the meeting stage, is told what it may do instead.
    const chairHold = await h.request('POST', `/api/visits/${id}/actions/place-hold`, { as: 'chair', body: {} });
    expect(chairHold.status, chairHold.text).toBe(409);
    expect(chairHold.body.allowedActions).toEqual(['record-adoption', 'return-to-cted']);
    await step('chair', id, 'record-adoption');
    await tryHoldAndObject(false); // adopted
  });
});

describe('GET /api/visits/{id} and /actions: as mayRead says, per role', () => {
  const READ_SITUATIONS: [Situation, StateCode][] = [
    ['drafting', 'NOR'],
    ['drafting', 'CHL'],
    ['committee', 'CHL'],
    ['adopted', 'NOR'],
    ['transmitted', 'CHL'],
    ['shared', 'NOR'],
    ['shared-partial', 'CHL'],
    ['ta-referred', 'NOR'],
  ];
  const cases = USER_NAMES.flatMap((u) =>
    READ_SITUATIONS.map(([s, st]) => [`${u} reads a ${st} visit at ${s}`, u, s, st] as const),
  );
  it.each(cases)('%s', async (_name, user, situation, state) => {
    const id = await fixture(situation, state);
    const full = await visitStatus(h.env.client, id);
    const r = await h.request('GET', `/api/visits/${id}`, { as: user });
    const actions = await h.request('GET', `/api/visits/${id}/actions`, { as: user });
    if (!expectReadable(user, situation, state)) {
      for (const res of [r, actions]) {
        expect(res.status, res.text).toBe(404);
        expectErrorBody(res, 'not-found');
        expect(res.body.message).toBe(`no visit ${id}`);
      }
      return;
    }
    expect(r.status, r.text).toBe(200);
    expect(actions.status, actions.text).toBe(200);
    if (roleOf(user) === 'partner') {
      // The consented scope when there is one, and the needs referred to its organisation (without
      // the recommendation's text, nothing being consented): nothing else.
      const referrals = (full.recommendations ?? []).flatMap((rec) =>
        (rec.ta?.partners ?? [])
          .filter((x) => x.partner === PARTNER_ORG)
          .map((x) => ({
            recommendation: rec.id,
            theme: rec.theme,
            priority: rec.priority,
            taNeed: rec.taNeed,
            status: x.status,
            referredAt: x.referredAt,
            answerBy: x.answerBy,
            at: x.at,
          })),
      );
      expect(referrals.length > 0).toBe(situation === 'ta-referred');
      expect(PartnerView.safeParse(r.body).success, r.text).toBe(true);
      expect(r.body).toEqual({
        id,
        state,
        type: 'comprehensive',
        adoptedAt: full.adoptedAt,
        ...(full.consent.scope === 'none'
          ? {}
          : {
              consent: {
                scope: full.consent.scope,
                sections: full.consent.sections,
                priorityTaNeedsOnly: full.consent.priorityTaNeedsOnly,
              },
            }),
        ...(referrals.length ? { referrals } : {}),
      });
      if (referrals.length) expect(r.text).not.toContain(RECOMMENDATIONS[0]!.text);
      else expect(Object.keys(r.body).sort()).toEqual(PARTNER_VIEW_KEYS);
      // Its view carries no actions, but its list of actions holds its answer to the needs referred to it.
      const mine = full.allowedActions.map((a) => a.action).filter((a) => expectPermitted(user, a, state));
      expect(actions.body.map((a: { action: string }) => a.action)).toEqual(mine);
      expect(mine.length > 0).toBe(situation === 'ta-referred');
      return;
    }
    // Each role's own view, by its strict schema: a State sees its own stages and none of the Committee's business.
    expect(VIEW_SCHEMAS[roleOf(user)].safeParse(r.body).success, r.text).toBe(true);
    if (roleOf(user) === 'state') {
      expect(r.body).toMatchObject({ id, state, stage: stateStageOf(full), consent: { scope: full.consent.scope } });
      for (const key of ['committee', 'history', 'reminders']) expect(r.body).not.toHaveProperty(key);
    } else if (roleOf(user) === 'committee' || roleOf(user) === 'chair') {
      expect(r.body).toMatchObject({ id, state, stage: full.stage, committee: full.committee });
      expect(r.text).not.toContain(full.contacts.stateContact);
    } else {
      expect(r.body).toMatchObject({ id, state, stage: full.stage, history: full.history, consent: full.consent });
    }
    const mine = full.allowedActions.map((a) => a.action).filter((a) => expectPermitted(user, a, state));
    expect(r.body.allowedActions.map((a: { action: string }) => a.action)).toEqual(mine);
    expect(actions.body.map((a: { action: string }) => a.action)).toEqual(mine);
  });

  it("answers a State asking for another State's visit exactly as for a visit that does not exist", async () => {
    const existing = await fixture('drafting', 'CHL');
    const missing = `99999-CHL`;
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['GET', '/actions', undefined],
      ['POST', '/actions/record-comments', {}],
      ['POST', '/actions/request-extension', {}],
    ] as const) {
      const a = await h.request(method, `/api/visits/${existing}${suffix}`, {
        as: 'stateNOR',
        ...(body ? { body } : {}),
      });
      const b = await h.request(method, `/api/visits/${missing}${suffix}`, {
        as: 'stateNOR',
        ...(body ? { body } : {}),
      });
      expect(a.status, a.text).toBe(404);
      expect(b.status, b.text).toBe(404);
      expect(a.body).toEqual({ ...b.body, message: b.body.message.replace(missing, existing) });
    }
  });

  it('shows a partner a visit only once it is adopted and the State consented, and stops when consent is withdrawn', async () => {
    const id = await createVisit('NOR');
    const partnerSees = async () => (await h.request('GET', `/api/visits/${id}`, { as: 'partner' })).status;
    expect(await partnerSees()).toBe(404); // drafting
    for (const [who, action, payload] of objected) {
      await step(who === 'own-state' ? 'stateNOR' : (who as UserName), id, action, payload);
      expect(await partnerSees(), `after ${action}`).toBe(404); // drafts, review, no-objection, objection
    }
    const adoption = await step('chair', id, 'record-adoption');
    expect(adoption.body.stage).toBe('transmitting');
    expect(await partnerSees()).toBe(404); // adopted, consent none
    await step('cted', id, 'transmit-report');
    expect(await partnerSees()).toBe(404); // transmitted, consent none
    await step('stateNOR', id, 'record-consent', { scope: 'partial', sections: ['Border security'] });
    const partial = await h.request('GET', `/api/visits/${id}`, { as: 'partner' });
    expect(partial.status).toBe(200);
    expect(partial.body).toEqual({
      id,
      state: 'NOR',
      type: 'comprehensive',
      adoptedAt: adoption.body.adoptedAt,
      consent: { scope: 'partial', sections: ['Border security'], priorityTaNeedsOnly: false },
    });
    await step('stateNOR', id, 'record-consent', { scope: 'none' });
    expect(await partnerSees()).toBe(404); // consent withdrawn applies from then on
    await step('stateNOR', id, 'record-consent', { scope: 'full' });
    const full = await h.request('GET', `/api/visits/${id}`, { as: 'partner' });
    expect(full.status).toBe(200);
    expect(Object.keys(full.body).sort()).toEqual(PARTNER_VIEW_KEYS);
    expect(full.body.consent).toEqual({ scope: 'full', sections: [], priorityTaNeedsOnly: false });
  });
});

describe('GET /api/visits: each role lists only what it may see', () => {
  const overdueNOR = '9001-NOR';
  const overdueCHL = '9001-CHL';
  let known: { id: string; situation: Situation; state: StateCode; stage: string }[];

  beforeAll(async () => {
    // Visits long past are overdue; imported as the secretariat.
    const csv = [
      'visit_number,member_state,iso3,visit_type,ordinal,start_date,end_date',
      '9001,Norway,NOR,focused,,2018-05-02,2018-05-04',
      '9001,Chile,CHL,focused,,2018-05-02,2018-05-04',
    ].join('\n');
    const imported = await h.request('POST', '/api/visits/import', {
      as: 'secretariat',
      body: { csv, caseOfficer: USERS.cted.email, stateContact: 'mission@{iso3}.example.org' },
    });
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body.imported.sort()).toEqual([overdueCHL, overdueNOR]);
    const pairs: [Situation, StateCode][] = [
      ['drafting', 'NOR'],
      ['drafting', 'CHL'],
      ['adopted', 'NOR'],
      ['implementing', 'CHL'],
      ['shared', 'NOR'],
      ['shared-partial', 'CHL'],
      ['ta-referred', 'NOR'],
    ];
    known = [];
    for (const [situation, state] of pairs) {
      const id = await fixture(situation, state);
      known.push({ id, situation, state, stage: (await visitStatus(h.env.client, id)).stage });
    }
    // The list reads the store's read model, which follows the workflows shortly after.
    await eventually(async () => {
      const listed = (await h.listAll('cted')) as { id: string; stage: string; overdue: boolean }[];
      const byId = new Map(listed.map((v) => [v.id, v]));
      const settled =
        known.every((k) => byId.get(k.id)?.stage === k.stage) &&
        byId.get(overdueNOR)?.overdue &&
        byId.get(overdueCHL)?.overdue;
      return settled ? true : undefined;
    }, 'the visibility store to show the fixtures');
  });

  // Every page: more visits than one page holds run in this file.
  const list = async (as: UserName, query = '') =>
    (await h.listAll(as, query)) as { id: string; state: string; stage: string; overdue: boolean }[];

  it.each(['cted', 'secretariat', 'committee', 'chair'] as const)(
    "%s sees every State's visits, and the filters apply",
    async (user) => {
      const all = (await list(user)).map((v) => v.id);
      for (const k of known) expect(all).toContain(k.id);
      expect(all).toEqual(expect.arrayContaining([overdueNOR, overdueCHL]));
      const chl = await list(user, '?state=CHL');
      expect(chl.length).toBeGreaterThan(0);
      expect(chl.every((v) => v.state === 'CHL')).toBe(true);
      expect(chl.map((v) => v.id)).toEqual(
        expect.arrayContaining(known.filter((k) => k.state === 'CHL').map((k) => k.id)),
      );
      const implementingList = await list(user, '?stage=implementing');
      expect(implementingList.every((v) => v.stage === 'implementing')).toBe(true);
      expect(implementingList.map((v) => v.id)).toEqual(
        expect.arrayContaining(known.filter((k) => k.stage === 'implementing').map((k) => k.id)),
      );
      const overdue = await list(user, '?overdue=true');
      expect(overdue.every((v) => v.overdue)).toBe(true);
      expect(overdue.map((v) => v.id)).toEqual(expect.arrayContaining([overdueNOR, overdueCHL]));
    },
  );

  it.each(['stateNOR', 'stateCHL'] as const)(
    "%s sees only its own State's visits, whatever the filter",
    async (user) => {
      const own = stateOf(user)!;
      const mine = known.filter((k) => k.state === own).map((k) => k.id);
      const theirs = known.filter((k) => k.state !== own).map((k) => k.id);
      const overdueMine = `9001-${own}`;
      const overdueTheirs = `9001-${otherState(own)}`;
      for (const query of [
        '',
        '?stage=drafting',
        '?stage=implementing',
        '?overdue=true',
        '?overdue=false',
        `?state=${own}`,
      ]) {
        const visits = await list(user, query);
        expect(
          visits.every((v) => v.state === own),
          `${query}: ${visits.map((v) => v.id).join(', ')}`,
        ).toBe(true);
        for (const id of [...theirs, overdueTheirs])
          expect(
            visits.map((v) => v.id),
            query,
          ).not.toContain(id);
      }
      expect((await list(user)).map((v) => v.id)).toEqual(expect.arrayContaining([...mine, overdueMine]));
      // Long past, the imported visit is overdue for CTED (PAO, drafting): none of the State's own deadlines is.
      expect((await list(user, '?overdue=true')).map((v) => v.id)).not.toContain(overdueMine);
      expect((await list(user, '?overdue=false')).map((v) => v.id)).toContain(overdueMine);
      expect(await list(user, `?state=${otherState(own)}`)).toEqual([]);
    },
  );

  it('a partner lists only adopted reports with consent or with needs referred to it, as partner views', async () => {
    for (const query of ['', '?state=NOR', '?stage=implementing', '?stage=drafting', '?overdue=true']) {
      const visits = (await list('partner', query)) as unknown as PartnerView[];
      for (const v of visits) {
        expect(PartnerView.safeParse(v).success, query).toBe(true);
        expect(v.adoptedAt, query).not.toBeNull();
        if (v.consent) {
          expect(Object.keys(v).sort(), query).toEqual(PARTNER_VIEW_KEYS);
          expect(['partial', 'full'], query).toContain(v.consent.scope);
        } else {
          // Without consent, only for the needs referred to its organisation.
          expect(v.referrals?.length, query).toBeGreaterThan(0);
          expect(v.referrals!.every((x) => x.recommendation.startsWith(`${v.id}/`))).toBe(true);
        }
      }
      for (const k of known.filter((x) => !PARTNER_READABLE.includes(x.situation)))
        expect(
          visits.map((v) => v.id),
          query,
        ).not.toContain(k.id);
      expect(visits.map((v) => v.id)).not.toContain(overdueNOR);
    }
    const all = (await list('partner')).map((v) => v.id);
    expect(all).toEqual(
      expect.arrayContaining(known.filter((k) => PARTNER_READABLE.includes(k.situation)).map((k) => k.id)),
    );
  });
});

describe('operations outside the action table: only the roles in OPERATIONS', () => {
  const mayDo = (u: UserName, op: keyof typeof OPERATIONS) => (OPERATIONS[op] as readonly Role[]).includes(roleOf(u));

  it.each(USER_NAMES)('POST /api/visits as %s', async (user) => {
    const n = nextNumber++;
    const r = await h.request('POST', '/api/visits', { as: user, body: apiVisit(n, 'NOR') });
    const after = await h.request('GET', `/api/visits/${n}-NOR`, { as: 'cted' });
    if (mayDo(user, 'start-visit')) {
      expect(r.status, r.text).toBe(201);
      expect(r.body).toEqual({ id: `${n}-NOR` });
      expect(after.status).toBe(200);
    } else {
      expect(r.status, r.text).toBe(403);
      expectErrorBody(r, 'forbidden');
      expect(after.status).toBe(404);
    }
  });

  it.each(USER_NAMES)('POST /api/visits/import as %s', async (user) => {
    const n = nextNumber++;
    const csv = `visit_number,member_state,iso3,visit_type,ordinal,start_date,end_date\n${n},Chile,CHL,focused,,2026-01-05,2026-01-09\n`;
    const r = await h.request('POST', '/api/visits/import', {
      as: user,
      body: { csv, caseOfficer: USERS.cted.email, stateContact: USERS.stateCHL.email },
    });
    const after = await h.request('GET', `/api/visits/${n}-CHL`, { as: 'cted' });
    if (mayDo(user, 'import-visits')) {
      expect(r.status, r.text).toBe(200);
      expect(r.body).toEqual({ imported: [`${n}-CHL`], alreadyImported: [] });
      expect(after.status).toBe(200);
    } else {
      expect(r.status, r.text).toBe(403);
      expectErrorBody(r, 'forbidden');
      expect(after.status).toBe(404);
    }
  });

  it.each(USER_NAMES)('POST /api/visits/{id}/links as %s', async (user) => {
    const id = baseVisits.NOR;
    const r = await h.request('POST', `/api/visits/${id}/links`, {
      as: user,
      body: { action: 'record-comments', email: USERS.stateNOR.email },
    });
    if (mayDo(user, 'issue-link')) {
      expect(r.status, r.text).toBe(201);
      expect(r.body.url).toMatch(/^http:\/\/api\.invalid\/links\//);
      expect(r.body.token).toBeTypeOf('string');
    } else {
      expect(r.status, r.text).toBe(403);
      expectErrorBody(r, 'forbidden');
      // The refusal comes before the visit is looked up: no hint whether it exists.
      const missing = await h.request('POST', `/api/visits/99999-NOR/links`, {
        as: user,
        body: { action: 'record-comments', email: USERS.stateNOR.email },
      });
      expect(missing.status).toBe(403);
      expect(missing.body).toEqual(r.body);
    }
  });

  it.each(USER_NAMES)('GET /api/policy and GET /api/me as %s', async (user) => {
    const policy = await h.request('GET', '/api/policy', { as: user });
    if (mayDo(user, 'read-policy')) {
      expect(policy.status, policy.text).toBe(200);
      expect(policy.body.clocks).toBeTypeOf('object');
    } else {
      expect(policy.status).toBe(403);
      expectErrorBody(policy, 'forbidden');
    }
    const me = await h.request('GET', '/api/me', { as: user });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toEqual(USERS[user]);
    expect(me.text).not.toContain(h.tokens[user]);
  });
});

describe('authentication on every route', () => {
  const routes = (): [string, string, unknown?][] => [
    ['GET', '/api/me'],
    ['GET', '/api/policy'],
    ['GET', '/api/visits'],
    ['GET', '/api/visits?stage=drafting'],
    ['GET', '/api/visits?overdue=true'],
    ['GET', '/api/visits?state=NOR'],
    ['POST', '/api/visits', apiVisit(nextNumber++, 'NOR')],
    [
      'POST',
      '/api/visits/import',
      {
        csv: `visit_number,member_state,iso3,visit_type,ordinal,start_date,end_date\n${nextNumber++},Norway,NOR,focused,,2026-01-05,2026-01-09\n`,
        caseOfficer: USERS.cted.email,
        stateContact: USERS.stateNOR.email,
      },
    ],
    ['GET', `/api/visits/${baseVisits.NOR}`],
    ['GET', `/api/visits/${baseVisits.NOR}/actions`],
    ...ACTIONS.map(
      (a) => ['POST', `/api/visits/${baseVisits.NOR}/actions/${a}`, minimalPayload(a)] as [string, string, unknown],
    ),
    ['POST', `/api/visits/${baseVisits.NOR}/links`, { action: 'record-comments', email: USERS.stateNOR.email }],
  ];
  const wrongTokens = {
    none: undefined,
    'an unknown token': 'A'.repeat(43),
    'a malformed token': 'not a token!',
  };

  it('serves /openapi.json without a token', async () => {
    const r = await h.request('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const withBad = await h.request('GET', '/openapi.json', { token: 'A'.repeat(43) });
    expect(withBad.status).toBe(200);
  });

  it.each(Object.entries(wrongTokens))(
    'answers 401 on every other route with %s, changing nothing',
    async (_what, token) => {
      const before = await historyOf(baseVisits.NOR);
      const list = routes();
      expect(list).toHaveLength(10 + ACTIONS.length + 1);
      for (const [method, path, body] of list) {
        const r = await h.request(method, path, {
          ...(token !== undefined ? { token } : {}),
          ...(body !== undefined ? { body } : {}),
        });
        expect(r.status, `${method} ${path}: ${r.text}`).toBe(401);
        expectErrorBody(r, 'unauthenticated');
        if (token) expect(r.text).not.toContain(token);
      }
      expect(await historyOf(baseVisits.NOR)).toEqual(before);
      // Nothing was started by the refused POST /api/visits and /import.
      for (const [method, path, body] of list) {
        if (method !== 'POST' || !path.startsWith('/api/visits') || path.includes(baseVisits.NOR)) continue;
        const n =
          path === '/api/visits'
            ? (body as { number: number }).number
            : Number(/\n(\d+),/.exec((body as { csv: string }).csv)![1]);
        expect((await h.request('GET', `/api/visits/${n}-NOR`, { as: 'cted' })).status).toBe(404);
      }
    },
  );

  it('answers 401 to another scheme and to a valid token sent other than as a bearer token', async () => {
    for (const authorization of [
      `Basic ${Buffer.from('officer:pw').toString('base64')}`,
      `bearer${h.tokens.cted}`,
      h.tokens.cted,
      `Token ${h.tokens.cted}`,
    ]) {
      const r = await h.request('GET', '/api/me', { headers: { authorization } });
      expect(r.status, authorization.slice(0, 10)).toBe(401);
      expectErrorBody(r, 'unauthenticated');
    }
  });
});
