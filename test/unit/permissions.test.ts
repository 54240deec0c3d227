/**
 * The permission table and the read rules: who may take which action, on whose visits, who may see
 * a visit at all, and what each role is shown of it. The visits are real statuses from the pure
 * state machine, walked through every stage.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mayAct,
  mayOperate,
  mayRead,
  onBehalfRefusal,
  OPERATIONS,
  partnerView,
  PERMISSIONS,
  ROLES,
  type PartnerView,
  type Principal,
  type Role,
} from '../../src/domain/permissions';
import { project, type InternalView, type StateView } from '../../src/domain/views';
import {
  applyAction,
  initialState,
  refusal,
  statusOf,
  type Actor,
  type VisitState,
  type VisitStatus,
  type VisitSummary,
} from '../../src/domain/visit';
import { ACTIONS, type ActionName } from '../../src/domain/vocabulary';
import { resolvePolicy } from '../../src/infra/policy/loader';

const POLICY = resolvePolicy();
const T = (iso: string) => Date.parse(iso);

const VISIT: VisitSummary = {
  id: '166-POL',
  number: 166,
  state: 'POL',
  stateName: 'Poland',
  type: 'comprehensive',
  start: '2026-11-16',
  end: '2026-11-20',
  contacts: {
    caseOfficer: 'officer@cted.example.org',
    stateContact: 'focal.point@mission.example.org',
    permanentMission: 'mission@mission.example.org',
  },
  language: 'en',
};

const OFFICER: Actor = { email: 'officer@cted.example.org', role: 'cted' };
const STATE: Actor = { email: 'focal.point@mission.example.org', role: 'state' };
const SECRETARIAT: Actor = { email: 'secretariat@un.example.org', role: 'secretariat' };
const CHAIR: Actor = { email: 'chair@un.example.org', role: 'chair' };
const MEMBER: Actor = { email: 'member1@un.example.org', role: 'committee' };

function act(
  s: VisitState,
  action: ActionName,
  at: string,
  payload: Record<string, unknown> = {},
  actor: Actor = OFFICER,
): void {
  expect(refusal(s, { action, payload, actor })).toBeNull();
  applyAction(s, { action, payload, actor, door: 'api' }, T(at), POLICY);
}

/** Real statuses of 166-POL at every stage, with every consent scope and a withdrawn visit. */
function statuses(): Record<string, VisitStatus> {
  const out: Record<string, VisitStatus> = {};
  const snap = (name: string, s: VisitState, at: string) => {
    out[name] = structuredClone(statusOf(s, POLICY, T(at)));
  };
  const s = initialState(VISIT, POLICY, T('2026-11-21T12:00:00.000Z')).state;
  snap('drafting', s, '2026-11-22T12:00:00.000Z');
  act(s, 'record-pao', '2026-12-01T15:00:00.000Z');
  act(s, 'refer-ta', '2026-12-02T15:00:00.000Z', { partners: ['UNODC'] });
  act(s, 'submit-draft', '2027-01-11T15:00:00.000Z');
  act(s, 'dispatch-draft', '2027-01-12T15:00:00.000Z');
  snap('state-review', s, '2027-01-13T12:00:00.000Z');
  act(s, 'request-extension', '2027-02-01T15:00:00.000Z', {}, STATE);
  snap('state-review-extension-requested', s, '2027-02-01T16:00:00.000Z');
  act(s, 'grant-extension', '2027-02-02T15:00:00.000Z', {}, SECRETARIAT);
  act(s, 'record-comments', '2027-02-03T15:00:00.000Z', { summary: 'Two corrections' }, STATE);
  snap('finalizing', s, '2027-02-04T12:00:00.000Z');
  act(s, 'submit-final-draft', '2027-03-03T15:00:00.000Z');
  snap('committee-review', s, '2027-03-03T16:00:00.000Z');
  act(s, 'place-hold', '2027-03-04T15:00:00.000Z', { reason: 'Capital review' }, MEMBER);
  snap('committee-review-hold', s, '2027-03-04T16:00:00.000Z');
  act(s, 'object', '2027-03-05T15:00:00.000Z', { reason: 'Paragraph 12' }, MEMBER);
  snap('committee-review-objection', s, '2027-03-05T16:00:00.000Z');
  act(s, 'record-adoption', '2027-03-08T15:00:00.000Z', {}, CHAIR);
  snap('transmitting', s, '2027-03-08T16:00:00.000Z');
  act(s, 'transmit-report', '2027-03-09T15:00:00.000Z', {}, CHAIR);
  snap('transmitted-consent-none', s, '2027-03-09T16:00:00.000Z');
  act(s, 'confirm-receipt', '2027-03-10T15:00:00.000Z', {}, STATE);
  snap('implementing-consent-none', s, '2027-03-10T16:00:00.000Z');
  act(
    s,
    'record-consent',
    '2027-03-11T15:00:00.000Z',
    { scope: 'partial', sections: ['Border security'], note: 'confidential annex excluded' },
    STATE,
  );
  snap('implementing-consent-partial', s, '2027-03-11T16:00:00.000Z');
  act(s, 'record-consent', '2027-03-12T15:00:00.000Z', { scope: 'full' }, STATE);
  snap('implementing-consent-full', s, '2027-03-12T16:00:00.000Z');
  act(s, 'submit-implementation-report', '2027-06-01T15:00:00.000Z', { summary: 'Steps taken' }, STATE);
  act(s, 'submit-follow-up-report', '2027-09-01T15:00:00.000Z');
  snap('closed', s, '2027-09-02T12:00:00.000Z');
  const w = initialState(VISIT, POLICY, T('2026-11-21T12:00:00.000Z')).state;
  act(w, 'withdraw', '2026-11-25T15:00:00.000Z', { reason: 'Visit cancelled' }, SECRETARIAT);
  snap('withdrawn', w, '2026-11-26T12:00:00.000Z');
  return out;
}

const STATUSES = statuses();
const ALL = Object.values(STATUSES);

const PRINCIPALS: Record<string, Principal> = {
  cted: { email: 'officer@cted.example.org', role: 'cted' },
  secretariat: { email: 'secretariat@un.example.org', role: 'secretariat' },
  committee: { email: 'member1@un.example.org', role: 'committee' },
  chair: { email: 'chair@un.example.org', role: 'chair' },
  statePOL: { email: 'focal.point@mission.example.org', role: 'state', state: 'POL' },
  stateNOR: { email: 'mission@norway.example.org', role: 'state', state: 'NOR' },
  stateWithoutCode: { email: 'mission@nowhere.example.org', role: 'state' },
  partner: { email: 'ta@unodc.example.org', role: 'partner', organisation: 'UNODC' },
};

const principalArb: fc.Arbitrary<Principal> = fc.record(
  {
    email: fc.constantFrom('a@b.org', 'x@y.example.org'),
    role: fc.constantFrom(...ROLES),
    state: fc.constantFrom('POL', 'NOR', 'CHL', ''),
    organisation: fc.constantFrom('UNODC', 'UNOCT'),
  },
  { requiredKeys: ['email', 'role'] },
);
const stateArb = fc.constantFrom('POL', 'NOR', 'CHL', 'pol', '');

describe('the PERMISSIONS table', () => {
  it('has a row for every role, and only actions of the vocabulary in it', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES)
      for (const a of Object.keys(PERMISSIONS[role])) expect(ACTIONS, `${role}: ${a}`).toContain(a);
  });

  it('grants every action of the vocabulary to at least one role', () => {
    const orphans = ACTIONS.filter((a) => !ROLES.some((r) => PERMISSIONS[r][a]));
    expect(orphans).toEqual([]);
  });

  it('lets only the secretariat grant or refuse extensions and withdraw a visit', () => {
    for (const action of ['grant-extension', 'refuse-extension', 'withdraw'] as const) {
      expect(
        ROLES.filter((r) => PERMISSIONS[r][action] !== undefined),
        action,
      ).toEqual(['secretariat']);
    }
  });

  it('gives the State only own-state grants; CTED and the secretariat record the State replies on its behalf; every other grant is on any visit', () => {
    const stateScopes = Object.values(PERMISSIONS.state);
    expect(stateScopes.length).toBeGreaterThan(0);
    expect(new Set(stateScopes)).toEqual(new Set(['own-state']));
    const onBehalf = (role: Role) =>
      Object.entries(PERMISSIONS[role])
        .filter(([, scope]) => scope === 'on-behalf')
        .map(([a]) => a)
        .sort();
    const replies = Object.keys(PERMISSIONS.state).sort();
    expect(onBehalf('cted')).toEqual(replies);
    expect(onBehalf('secretariat')).toEqual([...replies, 'lift-hold'].sort());
    for (const role of ROLES.filter((r) => r !== 'state' && r !== 'partner')) {
      for (const [action, scope] of Object.entries(PERMISSIONS[role]))
        if (scope !== 'on-behalf') expect(scope, `${role}: ${action}`).toBe('any');
    }
  });

  it('grants the State exactly the State steps of DOMAIN.md', () => {
    expect(Object.keys(PERMISSIONS.state).sort()).toEqual(
      [
        'confirm-receipt',
        'record-comments',
        'record-consent',
        'request-extension',
        'submit-implementation-report',
        'report-progress',
        'agree-ta-needs',
      ].sort(),
    );
  });

  it('keeps committee decisions with the committee and the chair: only the chair adopts or returns to CTED', () => {
    for (const action of ['place-hold', 'object'] as const) {
      expect(ROLES.filter((r) => PERMISSIONS[r][action]).sort(), action).toEqual(['chair', 'committee']);
    }
    // The secretariat records a lifting only on the member's behalf.
    expect(ROLES.filter((r) => PERMISSIONS[r]['lift-hold']).sort()).toEqual(['chair', 'committee', 'secretariat']);
    expect(PERMISSIONS.secretariat['lift-hold']).toBe('on-behalf');
    for (const action of ['record-adoption', 'return-to-cted'] as const)
      expect(
        ROLES.filter((r) => PERMISSIONS[r][action]),
        action,
      ).toEqual(['chair']);
  });

  it('gives the partner only its own answers to TA referrals and its deliveries, for its own organisation', () => {
    expect(PERMISSIONS.partner).toEqual({
      'record-ta-response': 'own-organisation',
      'record-ta-delivery': 'own-organisation',
    });
    const partner = PRINCIPALS.partner!;
    for (const s of ALL)
      for (const a of ACTIONS)
        expect(mayAct(partner, a, s), a).toBe(a === 'record-ta-response' || a === 'record-ta-delivery');
    const pol = { state: 'POL' };
    expect(mayAct(partner, 'record-ta-response', pol, { partner: 'UNODC' })).toBe(true);
    expect(mayAct(partner, 'record-ta-response', pol, { partner: 'UNDP' })).toBe(false);
    expect(mayAct(partner, 'record-ta-delivery', pol, {})).toBe(false);
    expect(onBehalfRefusal(partner, 'record-ta-delivery', pol)).toContain('its own organisation only (partner UNODC)');
  });
});

describe('mayAct', () => {
  it('is exactly the table before the payload is read: any and on-behalf everywhere, own-state only on the principal’s own State (property)', () => {
    fc.assert(
      fc.property(principalArb, fc.constantFrom(...ACTIONS), stateArb, (p, action, state) => {
        const scope = PERMISSIONS[p.role][action];
        const expected =
          scope === 'any' ||
          scope === 'on-behalf' ||
          scope === 'own-organisation' ||
          (scope === 'own-state' && p.state !== undefined && p.state === state);
        expect(mayAct(p, action, { state })).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('with the payload: on-behalf names the visit’s State (or, for a hold, a member); a State speaks only for itself; a member lifts only their own hold (property)', () => {
    const onBehalfArb = fc.option(fc.constantFrom('POL', 'NOR', 'a@b.org', 'member@un.org', ''), { nil: undefined });
    fc.assert(
      fc.property(principalArb, fc.constantFrom(...ACTIONS), stateArb, onBehalfArb, (p, action, state, onBehalfOf) => {
        const scope = PERMISSIONS[p.role][action];
        const payload = onBehalfOf === undefined ? {} : { onBehalfOf };
        const expected =
          scope === undefined || scope === 'own-organisation'
            ? false
            : scope === 'own-state'
              ? p.state !== undefined && p.state === state && (onBehalfOf === undefined || onBehalfOf === p.state)
              : scope === 'on-behalf'
                ? action === 'lift-hold'
                  ? onBehalfOf !== undefined && onBehalfOf.includes('@')
                  : onBehalfOf === state
                : action === 'lift-hold'
                  ? onBehalfOf === undefined || onBehalfOf === p.email
                  : true;
        expect(mayAct(p, action, { state }, payload)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('explains the refusal of an action taken on the wrong behalf', () => {
    const pol = { state: 'POL' };
    const officer = PRINCIPALS.cted!;
    expect(mayAct(officer, 'record-comments', pol, { summary: 'x' })).toBe(false);
    expect(onBehalfRefusal(officer, 'record-comments', pol)).toContain('onBehalfOf POL');
    expect(mayAct(officer, 'record-comments', pol, { summary: 'x', onBehalfOf: 'POL' })).toBe(true);
    expect(mayAct(PRINCIPALS.statePOL!, 'record-comments', pol, { onBehalfOf: 'NOR' })).toBe(false);
    expect(onBehalfRefusal(PRINCIPALS.statePOL!, 'record-comments', pol)).toBe(
      'a State records record-comments for itself only',
    );
    expect(mayAct(PRINCIPALS.committee!, 'lift-hold', pol, { onBehalfOf: 'other@un.org' })).toBe(false);
    expect(onBehalfRefusal(PRINCIPALS.committee!, 'lift-hold', pol)).toBe('only the member who placed a hold lifts it');
    expect(mayAct(PRINCIPALS.secretariat!, 'lift-hold', pol, {})).toBe(false);
    expect(onBehalfRefusal(PRINCIPALS.secretariat!, 'lift-hold', pol)).toContain('name their e-mail in onBehalfOf');
    expect(mayAct(PRINCIPALS.secretariat!, 'lift-hold', pol, { onBehalfOf: 'member1@un.example.org' })).toBe(true);
  });

  it('lets a State focal point act on its own visits only, never without a State code', () => {
    const pol = { state: 'POL' };
    for (const a of Object.keys(PERMISSIONS.state) as ActionName[]) {
      expect(mayAct(PRINCIPALS.statePOL!, a, pol), a).toBe(true);
      expect(mayAct(PRINCIPALS.stateNOR!, a, pol), a).toBe(false);
      expect(mayAct(PRINCIPALS.stateWithoutCode!, a, pol), a).toBe(false);
      expect(mayAct(PRINCIPALS.stateWithoutCode!, a, { state: undefined as unknown as string }), a).toBe(false);
    }
    expect(mayAct(PRINCIPALS.statePOL!, 'withdraw', pol)).toBe(false);
    expect(mayAct(PRINCIPALS.statePOL!, 'grant-extension', pol)).toBe(false);
  });

  it('lets only the member who placed a hold lift it, or the secretariat naming that member', () => {
    const held = STATUSES['committee-review-hold']!; // held by member1@un.example.org
    expect(held.committee.holds.map((h) => h.by)).toEqual([MEMBER.email]);
    expect(mayAct(PRINCIPALS.committee!, 'lift-hold', held)).toBe(true);
    expect(mayAct(PRINCIPALS.committee!, 'lift-hold', held, {})).toBe(true);
    expect(mayAct(PRINCIPALS.chair!, 'lift-hold', held)).toBe(false);
    expect(mayAct(PRINCIPALS.chair!, 'lift-hold', held, { member: MEMBER.email })).toBe(false);
    expect(mayAct(PRINCIPALS.secretariat!, 'lift-hold', held, { onBehalfOf: MEMBER.email })).toBe(true);
    expect(mayAct(PRINCIPALS.secretariat!, 'lift-hold', held, { onBehalfOf: CHAIR.email })).toBe(false);
    expect(onBehalfRefusal(PRINCIPALS.secretariat!, 'lift-hold', held)).toContain(`(${MEMBER.email})`);
  });

  it('ignores a State code carried by a role whose grants are not State-scoped', () => {
    const officerWithState: Principal = { ...PRINCIPALS.cted!, state: 'NOR' };
    expect(mayAct(officerWithState, 'submit-draft', { state: 'POL' })).toBe(true);
    // Recording the State's reply, the officer names the visit's State, not its own code.
    expect(mayAct(officerWithState, 'record-comments', { state: 'POL' }, { onBehalfOf: 'NOR' })).toBe(false);
    expect(mayAct(officerWithState, 'record-comments', { state: 'POL' }, { onBehalfOf: 'POL' })).toBe(true);
  });
});

describe('mayOperate', () => {
  it('lets only CTED and the secretariat start, import, issue links and decrypt payloads; everyone reads the policy', () => {
    for (const op of ['start-visit', 'import-visits', 'issue-link', 'use-codec'] as const) {
      expect(
        ROLES.filter((r) => mayOperate({ email: 'a@b.org', role: r }, op)),
        op,
      ).toEqual(['cted', 'secretariat']);
    }
    expect(ROLES.filter((r) => mayOperate({ email: 'a@b.org', role: r }, 'read-policy'))).toEqual([...ROLES]);
    expect(Object.keys(OPERATIONS).sort()).toEqual([
      'add-document',
      'import-visits',
      'issue-link',
      'read-policy',
      'start-visit',
      'use-codec',
    ]);
  });
});

describe('mayRead', () => {
  it('lets CTED, the secretariat, committee members and the chair see every visit at every stage', () => {
    for (const role of ['cted', 'secretariat', 'committee', 'chair'] as const) {
      for (const [name, s] of Object.entries(STATUSES))
        expect(mayRead(PRINCIPALS[role]!, s), `${role} ${name}`).toBe(true);
    }
  });

  it('lets a State see only its own visits', () => {
    for (const [name, s] of Object.entries(STATUSES)) {
      expect(mayRead(PRINCIPALS.statePOL!, s), name).toBe(true);
      expect(mayRead(PRINCIPALS.stateNOR!, s), name).toBe(false);
      expect(mayRead(PRINCIPALS.stateWithoutCode!, s), name).toBe(false);
    }
  });

  it('lets a partner see only adopted reports the State consented to share', () => {
    const readable = Object.entries(STATUSES)
      .filter(([, s]) => mayRead(PRINCIPALS.partner!, s))
      .map(([name]) => name)
      .sort();
    expect(readable).toEqual(['closed', 'implementing-consent-full', 'implementing-consent-partial']);
  });

  it('follows the rule for any adoption and consent (property)', () => {
    fc.assert(
      fc.property(
        principalArb,
        stateArb,
        fc.option(fc.constant('2027-03-08T15:00:00.000Z'), { nil: null }),
        fc.constantFrom('none' as const, 'partial' as const, 'full' as const),
        (p, state, adoptedAt, scope) => {
          const visit = { state, adoptedAt, consent: { scope, sections: [], priorityTaNeedsOnly: false } };
          const expected =
            p.role === 'state'
              ? p.state === state
              : p.role === 'partner'
                ? adoptedAt !== null && scope !== 'none'
                : true;
          expect(mayRead(p, visit)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('project (what each role is shown: test/unit/views.test.ts has the rest)', () => {
  const PARTNER_KEYS = ['adoptedAt', 'consent', 'id', 'state', 'stateName', 'type'];
  const viewFor = (p: Principal, s: VisitStatus) => project(p, s);

  it('cuts every role’s allowedActions to the role’s own actions, and leaves the status unchanged', () => {
    for (const [who, p] of Object.entries(PRINCIPALS)) {
      if (p.role === 'partner') continue;
      for (const [name, s] of Object.entries(STATUSES)) {
        const before = structuredClone(s);
        const view = viewFor(p, s) as InternalView | StateView;
        const actions = view.allowedActions.map((a) => a.action);
        expect(actions, `${who} ${name}`).toEqual(s.allowedActions.map((a) => a.action).filter((a) => mayAct(p, a, s)));
        for (const a of actions) expect(PERMISSIONS[p.role][a], `${who} ${name} ${a}`).toBeDefined();
        expect(s, 'the status itself is not changed').toEqual(before);
      }
    }
  });

  it('no longer shows a State the Committee’s business (the bug: it used to get the whole status)', () => {
    for (const name of ['committee-review-hold', 'committee-review-objection', 'closed']) {
      const view = viewFor(PRINCIPALS.statePOL!, STATUSES[name]!);
      for (const key of ['committee', 'history', 'reminders', 'policy'])
        expect(view, `${name}: ${key}`).not.toHaveProperty(key);
      const text = JSON.stringify(view);
      for (const secret of [MEMBER.email, CHAIR.email, SECRETARIAT.email, 'Capital review', 'Paragraph 12'])
        expect(text, `${name}: ${secret}`).not.toContain(secret);
    }
  });

  it('gives each role the actions the stage allows it, concretely', () => {
    const actions = (who: string, stage: string) =>
      (viewFor(PRINCIPALS[who]!, STATUSES[stage]!) as InternalView | StateView).allowedActions.map((a) => a.action);
    expect(actions('cted', 'drafting')).toEqual(['record-pao', 'refer-ta', 'submit-draft']);
    expect(actions('secretariat', 'drafting')).toEqual(['withdraw']);
    expect(actions('statePOL', 'drafting')).toEqual([]);
    expect(actions('statePOL', 'state-review')).toEqual(['record-comments', 'request-extension']);
    expect(actions('stateNOR', 'state-review')).toEqual([]);
    expect(actions('stateWithoutCode', 'state-review')).toEqual([]);
    expect(actions('secretariat', 'state-review-extension-requested')).toEqual([
      'record-comments',
      'grant-extension',
      'refuse-extension',
      'withdraw',
    ]);
    expect(actions('cted', 'state-review')).toEqual(['refer-ta', 'record-comments', 'request-extension']);
    expect(actions('committee', 'committee-review-hold')).toEqual(['place-hold', 'lift-hold', 'object']);
    expect(actions('secretariat', 'committee-review-hold')).toEqual(['lift-hold', 'withdraw']);
    expect(actions('chair', 'committee-review-objection')).toEqual(['record-adoption', 'return-to-cted']);
    expect(actions('committee', 'committee-review-objection')).toEqual([]);
    expect(actions('cted', 'transmitting')).toContain('transmit-report');
    expect(actions('chair', 'transmitting')).toContain('transmit-report');
    expect(actions('statePOL', 'transmitted-consent-none')).toEqual(['confirm-receipt', 'record-consent']);
    for (const who of ['cted', 'secretariat', 'committee', 'chair', 'statePOL']) {
      // A closed visit still takes the State's consent (recorded by the State, or on its behalf).
      expect(actions(who, 'closed'), who).toEqual(
        ['statePOL', 'cted', 'secretariat'].includes(who) ? ['record-consent'] : [],
      );
      expect(actions(who, 'withdrawn'), who).toEqual([]);
    }
  });

  it('gives a partner only the PartnerView fields: nothing confidential, no actions', () => {
    for (const name of ['implementing-consent-partial', 'implementing-consent-full', 'closed']) {
      const s = STATUSES[name]!;
      const view = viewFor(PRINCIPALS.partner!, s) as PartnerView;
      expect(Object.keys(view).sort(), name).toEqual(PARTNER_KEYS);
      expect(Object.keys(view.consent!).sort(), name).toEqual(['priorityTaNeedsOnly', 'scope', 'sections']);
      expect(view).toEqual({
        id: '166-POL',
        state: 'POL',
        stateName: 'Poland',
        type: 'comprehensive',
        adoptedAt: s.adoptedAt,
        consent: {
          scope: s.consent.scope,
          sections: s.consent.sections,
          priorityTaNeedsOnly: s.consent.priorityTaNeedsOnly,
        },
      });
      expect(view).toEqual(partnerView(s));
      const text = JSON.stringify(view);
      for (const secret of [
        'history',
        'contacts',
        'allowedActions',
        'openItems',
        'reminders',
        'decidedBy',
        'focal.point@mission.example.org',
        'Paragraph 12',
        'confidential annex',
      ]) {
        expect(text, `${name}: ${secret}`).not.toContain(secret);
      }
    }
    expect((viewFor(PRINCIPALS.partner!, STATUSES['implementing-consent-partial']!) as PartnerView).consent).toEqual({
      scope: 'partial',
      sections: ['Border security'],
      priorityTaNeedsOnly: false,
    });
  });

  it('leaves stateName out of the partner view when the visit has none', () => {
    const { stateName: _omit, ...withoutName } = STATUSES['implementing-consent-full']!;
    const view = viewFor(PRINCIPALS.partner!, withoutName as VisitStatus) as PartnerView;
    expect(Object.keys(view).sort()).toEqual(PARTNER_KEYS.filter((k) => k !== 'stateName'));
  });

  it('never gives a role an action outside its row, on any status (property)', () => {
    fc.assert(
      fc.property(principalArb, fc.constantFrom(...ALL), (p, s) => {
        const view = viewFor(p, s);
        if (p.role === 'partner') {
          expect('allowedActions' in view).toBe(false);
          expect('history' in view).toBe(false);
          return;
        }
        const actions = (view as InternalView | StateView).allowedActions.map((a) => a.action);
        for (const a of actions) expect(mayAct(p, a, s)).toBe(true);
        expect(actions).toEqual(s.allowedActions.map((a) => a.action).filter((a) => mayAct(p, a, s)));
      }),
      { numRuns: 500 },
    );
  });
});
