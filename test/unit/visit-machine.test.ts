/**
 * The pure state machine of one visit: allowed actions, refusals, actions, expiring clocks,
 * reminders and status. Dates are hand-computed on the UN Headquarters calendar:
 *
 * visit 166-POL ends Friday 2026-11-20: clocks open at 2026-11-21T04:59:59.999Z (end of the New York day)
 *   pao / ta-referral (10 working days, Thanksgiving 26 Nov skipped) .... 2026-12-08T04:59:59.999Z
 *   drafting (60 days) .................................................. 2027-01-20T04:59:59.999Z
 * dispatch-draft Tue 2027-01-12 10:00 EST -> state-review (30 days) ...... 2027-02-11T15:00:00.000Z
 *   extension (+15 days) ................................................ 2027-02-26T15:00:00.000Z
 * record-comments Mon 2027-02-01 10:00 EST -> finalizing (15 days) ...... 2027-02-16T15:00:00.000Z
 * submit-final-draft Wed 2027-03-03 10:00 EST -> committee-review (5 working days, Id al-Fitr
 *   Wed 10 March skipped) ............................................... 2027-03-11T15:00:00.000Z
 * adopted by silence at that deadline -> transmitting (5 working days, daylight time from
 *   14 March) ........................................................... 2027-03-18T14:00:00.000Z
 *   cted-follow-up-report (12 months) ................................... 2028-03-11T15:00:00.000Z
 * transmit-report Mon 2027-03-15 10:00 EDT -> receipt (5 working days) .. 2027-03-22T14:00:00.000Z
 * confirm-receipt Fri 2027-03-19 10:00 EDT -> state-implementation-report (6 months) 2027-09-19T14:00:00.000Z
 */
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  allowedActions,
  allowedActionsWithFields,
  applyAction,
  applyExpiries,
  dueReminders,
  initialState,
  isOpen,
  isTerminal,
  nextWakeAt,
  openItems,
  plannedReminders,
  refusal,
  reminderNotice,
  statusOf,
  takeDueReminders,
  visitEndInstant,
  type Actor,
  type Effects,
  type PlannedReminder,
  type VisitState,
  type VisitSummary,
} from '../../src/domain/visit';
import { ACTION_FIELDS } from '../../src/domain/actions';
import { ACTIONS, type ActionName } from '../../src/domain/vocabulary';
import type { Policy } from '../../src/domain/policy';
import { resolvePolicy } from '../../src/infra/policy/loader';

const T = (iso: string) => Date.parse(iso);
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? ms : new Date(ms).toISOString());

/**
 * The calendar these dates were computed on, fixed here so that a correction of the UN holiday file
 * does not move them: the list as it stood when visits of the first rules were started.
 */
const HOLIDAYS = [
  ...['2026-01-01', '2026-01-19', '2026-03-20', '2026-04-03', '2026-05-25', '2026-05-27', '2026-07-03'],
  ...['2026-09-07', '2026-11-26', '2026-12-25', '2027-01-01', '2027-01-18', '2027-03-10', '2027-03-26'],
  ...['2027-05-17', '2027-05-31', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24', '2027-12-31'],
  ...['2028-01-17', '2028-02-28', '2028-04-14', '2028-05-05', '2028-05-29', '2028-07-04', '2028-09-04'],
  ...['2028-11-23', '2028-12-25'],
];
const policyOf = (override: Parameters<typeof resolvePolicy>[0] = {}): Policy => ({
  ...resolvePolicy(override),
  calendar: { name: 'United Nations Headquarters, New York', timeZone: 'America/New_York', holidays: HOLIDAYS },
});

const POLICY = policyOf();

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

const OFFICER: Actor = { email: 'officer@cted.example.org', role: 'case-officer' };
const STATE: Actor = { email: 'focal.point@mission.example.org', role: 'state-contact' };
const SECRETARIAT: Actor = { email: 'secretariat@un.example.org', role: 'secretariat' };
const CHAIR: Actor = { email: 'chair@un.example.org', role: 'chair' };
const M1: Actor = { email: 'member1@un.example.org', role: 'committee' };
const M2: Actor = { email: 'member2@un.example.org', role: 'committee' };

const STARTED = '2026-11-21T12:00:00.000Z';
const PAO_DUE = '2026-12-08T04:59:59.999Z';
const DRAFTING_DUE = '2027-01-20T04:59:59.999Z';
const REVIEW_DUE = '2027-02-11T15:00:00.000Z';
const REVIEW_EXTENDED = '2027-02-26T15:00:00.000Z';
const COMMITTEE_DUE = '2027-03-11T15:00:00.000Z';
const TRANSMIT_DUE = '2027-03-18T14:00:00.000Z';
const FOLLOW_UP_DUE = '2028-03-11T15:00:00.000Z';
const RECEIPT_DUE = '2027-03-22T14:00:00.000Z';
const IMPLEMENTATION_DUE = '2027-09-19T14:00:00.000Z';

function start(policy: Policy = POLICY): VisitState {
  return initialState(VISIT, policy, T(STARTED), 1).state;
}

/** Takes an action the process must allow now (checked with `refusal` first, as the workflow does). */
function act(
  state: VisitState,
  action: ActionName,
  at: string,
  payload: Record<string, unknown> = {},
  actor: Actor = OFFICER,
  policy: Policy = POLICY,
): Effects {
  expect(refusal(state, { action, payload, actor })).toBeNull();
  return applyAction(state, { action, payload, actor, door: 'api' }, T(at), policy);
}

/** PAO recorded and TA referred, so only the main track is open. */
function drafted(): VisitState {
  const s = start();
  act(s, 'record-pao', '2026-12-01T15:00:00.000Z');
  act(s, 'refer-ta', '2026-12-02T15:00:00.000Z', { partners: ['UNODC'] });
  act(s, 'submit-draft', '2027-01-11T15:00:00.000Z');
  return s;
}
function inStateReview(): VisitState {
  const s = drafted();
  act(s, 'dispatch-draft', '2027-01-12T15:00:00.000Z');
  return s;
}
function inFinalizing(): VisitState {
  const s = inStateReview();
  act(s, 'record-comments', '2027-02-01T15:00:00.000Z', { summary: 'Two factual corrections' }, STATE);
  return s;
}
function inCommitteeReview(): VisitState {
  const s = inFinalizing();
  act(s, 'submit-final-draft', '2027-03-03T15:00:00.000Z');
  return s;
}
function adopted(): VisitState {
  const s = inCommitteeReview();
  applyExpiries(s, T('2027-03-12T00:00:00.000Z'), POLICY);
  return s;
}
function transmitted(): VisitState {
  const s = adopted();
  act(s, 'transmit-report', '2027-03-15T14:00:00.000Z');
  return s;
}
function implementing(): VisitState {
  const s = transmitted();
  act(s, 'confirm-receipt', '2027-03-19T14:00:00.000Z', {}, STATE);
  return s;
}

const deadlineOf = (s: VisitState, item: Parameters<typeof isOpen>[1]) => iso(s.items[item]?.deadline);

describe('initialState', () => {
  it('starts at drafting with the PAO, TA-referral and drafting clocks running from the end of the visit’s New York day', () => {
    const { state } = initialState(VISIT, POLICY, T(STARTED), 1);
    expect(iso(visitEndInstant('2026-11-20'))).toBe('2026-11-21T04:59:59.999Z');
    expect(state.stage).toBe('drafting');
    expect(Object.keys(state.items).sort()).toEqual(['drafting', 'pao', 'ta-referral']);
    expect(state.items.pao).toEqual({ item: 'pao', openedAt: T('2026-11-21T04:59:59.999Z'), deadline: T(PAO_DUE) });
    expect(deadlineOf(state, 'ta-referral')).toBe(PAO_DUE);
    expect(deadlineOf(state, 'drafting')).toBe(DRAFTING_DUE);
    expect(state.consent).toEqual({ scope: 'none', sections: [], priorityTaNeedsOnly: false });
    expect(state).toMatchObject({
      draftSubmitted: false,
      extension: 'none',
      holds: [],
      briefing: 'none',
      reminders: [],
    });
    expect(isTerminal(state)).toBe(false);
  });

  it('records a visit-started event by the engine, and sends nothing', () => {
    const { state, effects } = initialState({ ...VISIT, groupId: 'R-2026-1' }, POLICY, T(STARTED), 1);
    expect(effects.notices).toEqual([]);
    expect(effects.events).toEqual([
      {
        seq: 1,
        type: 'visit-started',
        at: STARTED,
        stage: 'drafting',
        door: 'engine',
        payload: {
          number: 166,
          state: 'POL',
          type: 'comprehensive',
          start: '2026-11-16',
          end: '2026-11-20',
          groupId: 'R-2026-1',
        },
      },
    ]);
    expect(state.history).toEqual(effects.events);
  });

  it('follows the policy’s clocks', () => {
    const s = start(policyOf({ clocks: { pao: '5 working days', drafting: '30 days' } }));
    // 5 working days after Friday 20 Nov: 23, 24, 25, (26 Thanksgiving), 27, 30 November.
    expect(deadlineOf(s, 'pao')).toBe('2026-12-01T04:59:59.999Z');
    expect(deadlineOf(s, 'drafting')).toBe('2026-12-21T04:59:59.999Z');
  });
});

describe('allowedActions: the table for every stage and sub-state', () => {
  const cases: [string, () => VisitState, ActionName[]][] = [
    ['drafting, nothing recorded', () => start(), ['record-pao', 'refer-ta', 'submit-draft', 'withdraw']],
    [
      'drafting, PAO recorded',
      () => {
        const s = start();
        act(s, 'record-pao', '2026-12-01T15:00:00.000Z');
        return s;
      },
      ['refer-ta', 'submit-draft', 'withdraw'],
    ],
    [
      'drafting, draft submitted, PAO still open',
      () => {
        const s = start();
        act(s, 'submit-draft', '2027-01-11T15:00:00.000Z');
        return s;
      },
      ['record-pao', 'refer-ta', 'dispatch-draft', 'withdraw'],
    ],
    ['drafting, draft submitted, PAO recorded', drafted, ['refer-ta', 'dispatch-draft', 'withdraw']],
    ['state-review, no extension', inStateReview, ['refer-ta', 'record-comments', 'request-extension', 'withdraw']],
    [
      'state-review, extension requested',
      () => {
        const s = inStateReview();
        act(s, 'request-extension', '2027-02-01T15:00:00.000Z', {}, STATE);
        return s;
      },
      ['refer-ta', 'record-comments', 'grant-extension', 'refuse-extension', 'withdraw'],
    ],
    [
      'state-review, extension granted',
      () => {
        const s = inStateReview();
        act(s, 'request-extension', '2027-02-01T15:00:00.000Z', {}, STATE);
        act(s, 'grant-extension', '2027-02-02T15:00:00.000Z', {}, SECRETARIAT);
        return s;
      },
      ['refer-ta', 'record-comments', 'withdraw'],
    ],
    ['finalizing', inFinalizing, ['refer-ta', 'submit-final-draft', 'withdraw']],
    ['committee-review, no hold', inCommitteeReview, ['refer-ta', 'place-hold', 'object', 'withdraw']],
    [
      'committee-review, on hold',
      () => {
        const s = inCommitteeReview();
        act(s, 'place-hold', '2027-03-05T15:00:00.000Z', {}, M1);
        return s;
      },
      ['refer-ta', 'place-hold', 'lift-hold', 'object', 'withdraw'],
    ],
    [
      'committee-review, objection',
      () => {
        const s = inCommitteeReview();
        act(s, 'object', '2027-03-05T15:00:00.000Z', { reason: 'Paragraph 12' }, M1);
        return s;
      },
      ['refer-ta', 'record-adoption', 'return-to-cted', 'withdraw'],
    ],
    [
      'committee-review, on hold then objection',
      () => {
        const s = inCommitteeReview();
        act(s, 'place-hold', '2027-03-05T15:00:00.000Z', {}, M1);
        act(s, 'object', '2027-03-08T15:00:00.000Z', { reason: 'Paragraph 12' }, M2);
        return s;
      },
      ['refer-ta', 'record-adoption', 'return-to-cted', 'withdraw'],
    ],
    [
      'transmitting, adopted, not transmitted',
      adopted,
      ['refer-ta', 'transmit-report', 'submit-follow-up-report', 'invite-briefing', 'withdraw'],
    ],
    [
      'transmitting, transmitted',
      transmitted,
      ['refer-ta', 'confirm-receipt', 'record-consent', 'submit-follow-up-report', 'invite-briefing', 'withdraw'],
    ],
    [
      'transmitting, briefing invited',
      () => {
        const s = transmitted();
        act(s, 'invite-briefing', '2027-03-16T14:00:00.000Z', { date: '2027-06-01' }, CHAIR);
        return s;
      },
      ['refer-ta', 'confirm-receipt', 'record-consent', 'submit-follow-up-report', 'record-briefing', 'withdraw'],
    ],
    [
      'implementing',
      implementing,
      [
        'refer-ta',
        'record-consent',
        'submit-implementation-report',
        'submit-follow-up-report',
        'invite-briefing',
        'withdraw',
      ],
    ],
    [
      'implementing, consent recorded, briefing held, follow-up report submitted',
      () => {
        const s = implementing();
        act(s, 'record-consent', '2027-03-20T14:00:00.000Z', { scope: 'full' }, STATE);
        act(s, 'invite-briefing', '2027-03-21T14:00:00.000Z', {}, CHAIR);
        act(s, 'record-briefing', '2027-06-01T14:00:00.000Z', {}, SECRETARIAT);
        act(s, 'submit-follow-up-report', '2027-06-02T14:00:00.000Z');
        return s;
      },
      ['refer-ta', 'record-consent', 'submit-implementation-report', 'withdraw'],
    ],
    [
      'implementing, State report submitted, PAO never recorded',
      () => {
        const s = start();
        act(s, 'submit-draft', '2027-01-11T15:00:00.000Z');
        act(s, 'dispatch-draft', '2027-01-12T15:00:00.000Z');
        act(s, 'record-comments', '2027-02-01T15:00:00.000Z', {}, STATE);
        act(s, 'submit-final-draft', '2027-03-03T15:00:00.000Z');
        applyExpiries(s, T('2027-03-12T00:00:00.000Z'), POLICY);
        act(s, 'transmit-report', '2027-03-15T14:00:00.000Z');
        act(s, 'confirm-receipt', '2027-03-19T14:00:00.000Z', {}, STATE);
        act(s, 'submit-implementation-report', '2027-08-01T14:00:00.000Z', {}, STATE);
        return s;
      },
      ['record-pao', 'refer-ta', 'record-consent', 'submit-follow-up-report', 'invite-briefing', 'withdraw'],
    ],
    [
      'closed',
      () => {
        const s = implementing();
        act(s, 'submit-follow-up-report', '2027-06-02T14:00:00.000Z');
        act(s, 'submit-implementation-report', '2027-08-01T14:00:00.000Z', {}, STATE);
        return s;
      },
      [],
    ],
    [
      'withdrawn',
      () => {
        const s = inStateReview();
        act(s, 'withdraw', '2027-01-20T15:00:00.000Z', { reason: 'Requested by the State' });
        return s;
      },
      [],
    ],
  ];

  it.each(cases)('%s', (_name, build, expected) => {
    const s = build();
    expect(allowedActions(s)).toEqual(expected);
    expect(allowedActionsWithFields(s)).toEqual(expected.map((action) => ({ action, fields: ACTION_FIELDS[action] })));
  });

  it.each(cases)(
    '%s: every other action is refused with a message naming what is allowed now',
    (_name, build, expected) => {
      const s = build();
      const allowedText = expected.length ? expected.join(', ') : `nothing (the visit is ${s.stage})`;
      for (const action of ACTIONS) {
        const why = refusal(s, { action, payload: {}, actor: OFFICER });
        if (expected.includes(action)) {
          if (action !== 'lift-hold') expect(why).toBeNull();
        } else {
          expect(why).toBe(
            `${action} is not allowed while visit 166-POL is at stage ${s.stage}; allowed now: ${allowedText}`,
          );
        }
      }
    },
  );
});

describe('refusal: committee holds', () => {
  it('refuses a second hold by the same member', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2027-03-05T15:00:00.000Z', {}, M1);
    expect(refusal(s, { action: 'place-hold', payload: {}, actor: M1 })).toBe(
      'member1@un.example.org already holds the report of visit 166-POL',
    );
    expect(refusal(s, { action: 'place-hold', payload: {}, actor: M2 })).toBeNull();
  });

  it('refuses to lift a hold the member does not have, naming who holds', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2027-03-05T15:00:00.000Z', {}, M1);
    expect(refusal(s, { action: 'lift-hold', payload: {}, actor: M2 })).toBe(
      'member2@un.example.org has no hold on visit 166-POL; holds are placed by: member1@un.example.org',
    );
    expect(refusal(s, { action: 'lift-hold', payload: {}, actor: M1 })).toBeNull();
    expect(
      refusal(s, { action: 'lift-hold', payload: { member: 'member1@un.example.org' }, actor: SECRETARIAT }),
    ).toBeNull();
    expect(refusal(s, { action: 'lift-hold', payload: { member: 'member3@un.example.org' }, actor: SECRETARIAT })).toBe(
      'member3@un.example.org has no hold on visit 166-POL; holds are placed by: member1@un.example.org',
    );
  });
});

describe('applyAction', () => {
  it('record-pao closes the PAO and records who did it, from which door', () => {
    const s = start();
    const fx = applyAction(
      s,
      { action: 'record-pao', payload: { documentRef: 'PAO-166' }, actor: OFFICER, door: 'cli' },
      T('2026-12-01T15:00:00.000Z'),
      POLICY,
    );
    expect(s.items.pao).toMatchObject({ closedAt: T('2026-12-01T15:00:00.000Z'), outcome: 'recorded' });
    expect(isOpen(s, 'pao')).toBe(false);
    expect(fx.notices).toEqual([]);
    expect(fx.events).toEqual([
      {
        seq: 2,
        type: 'record-pao',
        at: '2026-12-01T15:00:00.000Z',
        stage: 'drafting',
        actor: 'officer@cted.example.org',
        role: 'case-officer',
        door: 'cli',
        payload: { documentRef: 'PAO-166' },
      },
    ]);
  });

  it('validates the payload it is given: trimmed as the API would, refused when invalid', () => {
    const s = drafted();
    const fx = applyAction(
      s,
      { action: 'dispatch-draft', payload: { note: '  by courier  ' }, actor: OFFICER, door: 'api' },
      T('2027-01-12T15:00:00.000Z'),
      POLICY,
    );
    expect(fx.events[0]?.payload).toEqual({ note: 'by courier' });
    const before = structuredClone(s);
    expect(() =>
      applyAction(
        s,
        { action: 'record-comments', payload: { summary: 42 }, actor: STATE, door: 'api' },
        T('2027-01-13T15:00:00.000Z'),
        POLICY,
      ),
    ).toThrow(ZodError);
    expect(s).toEqual(before);
  });

  it('an event with an empty payload and an actor without a role records neither', () => {
    const s = start();
    const fx = applyAction(
      s,
      { action: 'submit-draft', payload: {}, actor: { email: 'x@cted.example.org' }, door: 'link' },
      T('2027-01-11T15:00:00.000Z'),
      POLICY,
    );
    expect(fx.events[0]).toEqual({
      seq: 2,
      type: 'submit-draft',
      at: '2027-01-11T15:00:00.000Z',
      stage: 'drafting',
      actor: 'x@cted.example.org',
      door: 'link',
    });
  });

  it('refer-ta closes the referral and notifies each named partner', () => {
    const s = start();
    const fx = act(s, 'refer-ta', '2026-12-02T15:00:00.000Z', {
      partners: ['UNODC', 'UNOCT'],
      needs: 'Border management',
    });
    expect(s.items['ta-referral']).toMatchObject({ outcome: 'referred', closedAt: T('2026-12-02T15:00:00.000Z') });
    expect(fx.notices).toEqual([
      {
        key: '166-POL:event:2:ta-referral',
        topic: 'ta-referral',
        kind: 'event',
        to: ['partner:UNODC', 'partner:UNOCT'],
        at: '2026-12-02T15:00:00.000Z',
        visit: VISIT,
        details: { needs: 'Border management' },
      },
    ]);
    // A second referral is allowed and leaves the first outcome in place.
    act(s, 'refer-ta', '2026-12-03T15:00:00.000Z', { partners: ['INTERPOL'] });
    expect(s.items['ta-referral']).toMatchObject({ outcome: 'referred', closedAt: T('2026-12-02T15:00:00.000Z') });
  });

  it('submit-draft closes drafting and stays at drafting', () => {
    const s = start();
    act(s, 'submit-draft', '2027-01-11T15:00:00.000Z');
    expect(s.stage).toBe('drafting');
    expect(s.draftSubmitted).toBe(true);
    expect(s.items.drafting).toMatchObject({ outcome: 'submitted', closedAt: T('2027-01-11T15:00:00.000Z') });
  });

  it('dispatch-draft starts the 30-day State review and sends the draft to the State', () => {
    const s = drafted();
    const fx = act(s, 'dispatch-draft', '2027-01-12T15:00:00.000Z');
    expect(s.stage).toBe('state-review');
    expect(deadlineOf(s, 'state-review')).toBe(REVIEW_DUE);
    expect(fx.events.map((e) => [e.type, e.stage])).toEqual([['dispatch-draft', 'state-review']]);
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'draft-dispatched',
        to: ['state-contact'],
        item: 'state-review',
        deadline: REVIEW_DUE,
      }),
    ]);
  });

  it('record-comments closes the review and opens finalizing (15 days)', () => {
    const s = inStateReview();
    const fx = act(s, 'record-comments', '2027-02-01T15:00:00.000Z', {}, STATE);
    expect(s.stage).toBe('finalizing');
    expect(s.items['state-review']).toMatchObject({
      outcome: 'comments-received',
      closedAt: T('2027-02-01T15:00:00.000Z'),
    });
    expect(deadlineOf(s, 'finalizing')).toBe('2027-02-16T15:00:00.000Z');
    expect(fx.notices).toEqual([]);
  });

  it('request-extension tells the secretariat; grant-extension moves the review deadline by 15 days and tells the State', () => {
    const s = inStateReview();
    const asked = act(s, 'request-extension', '2027-02-01T15:00:00.000Z', { reason: 'Ministries consulting' }, STATE);
    expect(s.extension).toBe('requested');
    expect(deadlineOf(s, 'state-review')).toBe(REVIEW_DUE);
    expect(asked.notices).toEqual([
      expect.objectContaining({
        topic: 'extension-requested',
        to: ['secretariat', 'case-officer'],
        item: 'state-review',
        deadline: REVIEW_DUE,
      }),
    ]);

    const granted = act(s, 'grant-extension', '2027-02-02T15:00:00.000Z', {}, SECRETARIAT);
    expect(s.extension).toBe('granted');
    expect(deadlineOf(s, 'state-review')).toBe(REVIEW_EXTENDED);
    expect(granted.notices).toEqual([
      expect.objectContaining({
        topic: 'extension-granted',
        to: ['state-contact', 'case-officer'],
        item: 'state-review',
        deadline: REVIEW_EXTENDED,
      }),
    ]);
  });

  it('submit-final-draft opens the 5-working-day no-objection procedure (Id al-Fitr skipped) and tells the Committee', () => {
    const s = inFinalizing();
    const fx = act(s, 'submit-final-draft', '2027-03-03T15:00:00.000Z');
    expect(s.stage).toBe('committee-review');
    expect(s.items.finalizing).toMatchObject({ outcome: 'submitted' });
    expect(deadlineOf(s, 'committee-review')).toBe(COMMITTEE_DUE);
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'no-objection-procedure',
        to: ['committee', 'chair', 'secretariat'],
        item: 'committee-review',
        deadline: COMMITTEE_DUE,
      }),
    ]);
  });

  it('place-hold stops the no-objection clock and keeps the time left', () => {
    const s = inCommitteeReview();
    const fx = act(s, 'place-hold', '2027-03-05T15:00:00.000Z', { reason: 'Capital consulted' }, M1);
    expect(s.holds).toEqual([
      { by: 'member1@un.example.org', at: '2027-03-05T15:00:00.000Z', reason: 'Capital consulted' },
    ]);
    expect(s.items['committee-review']).toMatchObject({ deadline: null, pausedRemainingMs: 6 * 86_400_000 });
    expect(fx.notices).toEqual([
      expect.objectContaining({ topic: 'hold-placed', to: ['secretariat', 'chair', 'case-officer'] }),
    ]);
  });

  it('object stops the clock and sends the report to a meeting', () => {
    const s = inCommitteeReview();
    const fx = act(s, 'object', '2027-03-05T15:00:00.000Z', { reason: 'Paragraph 12' }, M1);
    expect(s.objection).toEqual({
      by: 'member1@un.example.org',
      at: '2027-03-05T15:00:00.000Z',
      reason: 'Paragraph 12',
    });
    expect(s.items['committee-review']).toMatchObject({ deadline: null, pausedRemainingMs: 6 * 86_400_000 });
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'objection-raised',
        to: ['secretariat', 'chair', 'committee', 'case-officer'],
        details: { reason: 'Paragraph 12' },
      }),
    ]);
  });

  it('record-adoption after an objection adopts at the meeting; transmission skips Good Friday', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2027-03-05T15:00:00.000Z', {}, M2);
    act(s, 'object', '2027-03-08T15:00:00.000Z', { reason: 'Paragraph 12' }, M1);
    const fx = act(s, 'record-adoption', '2027-03-23T14:00:00.000Z', { meetingDate: '2027-03-23' }, CHAIR);
    expect(s.stage).toBe('transmitting');
    expect(s.adoptedAt).toBe('2027-03-23T14:00:00.000Z');
    expect(s.holds).toEqual([]);
    expect(s.objection).toBeUndefined();
    expect(s.items['committee-review']).toMatchObject({
      outcome: 'adopted-at-meeting',
      closedAt: T('2027-03-23T14:00:00.000Z'),
    });
    // Tuesday 23 March + 5 working days: 24, 25, (26 Good Friday), 29, 30, 31 March.
    expect(deadlineOf(s, 'transmitting')).toBe('2027-03-31T14:00:00.000Z');
    expect(deadlineOf(s, 'cted-follow-up-report')).toBe('2028-03-23T14:00:00.000Z');
    expect(fx.events.map((e) => e.type)).toEqual(['record-adoption']);
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'report-adopted',
        to: ['case-officer', 'chair', 'secretariat'],
        deadline: '2027-03-31T14:00:00.000Z',
        details: { followUpReportDue: '2028-03-23T14:00:00.000Z' },
      }),
    ]);
  });

  it('return-to-cted sends the report back to finalizing with a new 15-day clock', () => {
    const s = inCommitteeReview();
    act(s, 'object', '2027-03-05T15:00:00.000Z', { reason: 'Paragraph 12' }, M1);
    const fx = act(s, 'return-to-cted', '2027-03-23T14:00:00.000Z', { reason: 'Revise section III' }, CHAIR);
    expect(s.stage).toBe('finalizing');
    expect(s.objection).toBeUndefined();
    expect(s.items['committee-review']).toMatchObject({ outcome: 'returned-to-cted' });
    expect(s.items.finalizing).toEqual({
      item: 'finalizing',
      openedAt: T('2027-03-23T14:00:00.000Z'),
      deadline: T('2027-04-07T14:00:00.000Z'),
    });
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'returned-to-cted',
        to: ['case-officer', 'secretariat'],
        item: 'finalizing',
        deadline: '2027-04-07T14:00:00.000Z',
        details: { reason: 'Revise section III' },
      }),
    ]);
    // A new final draft opens a new no-objection period with no holds and no objection.
    act(s, 'submit-final-draft', '2027-03-29T14:00:00.000Z');
    expect(s.stage).toBe('committee-review');
    expect(allowedActions(s)).toEqual(['refer-ta', 'place-hold', 'object', 'withdraw']);
    // Monday 29 March + 5 working days = Monday 5 April.
    expect(deadlineOf(s, 'committee-review')).toBe('2027-04-05T14:00:00.000Z');
  });

  it('transmit-report opens the receipt clock and the sharing-consent item, and asks the State to confirm', () => {
    const s = adopted();
    const fx = act(s, 'transmit-report', '2027-03-15T14:00:00.000Z');
    expect(s.stage).toBe('transmitting');
    expect(s.transmittedAt).toBe('2027-03-15T14:00:00.000Z');
    expect(s.items.transmitting).toMatchObject({ outcome: 'transmitted' });
    expect(deadlineOf(s, 'receipt')).toBe(RECEIPT_DUE);
    expect(s.items['sharing-consent']).toEqual({
      item: 'sharing-consent',
      openedAt: T('2027-03-15T14:00:00.000Z'),
      deadline: null,
    });
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'report-transmitted',
        to: ['state-contact'],
        item: 'receipt',
        deadline: RECEIPT_DUE,
      }),
    ]);
  });

  it('confirm-receipt starts the 6-month State report from now', () => {
    const s = transmitted();
    const fx = act(s, 'confirm-receipt', '2027-03-19T14:00:00.000Z', {}, STATE);
    expect(s.stage).toBe('implementing');
    expect(s.receivedAt).toBe('2027-03-19T14:00:00.000Z');
    expect(s.items.receipt).toMatchObject({ outcome: 'confirmed', closedAt: T('2027-03-19T14:00:00.000Z') });
    expect(deadlineOf(s, 'state-implementation-report')).toBe(IMPLEMENTATION_DUE);
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'implementation-report-requested',
        to: ['state-contact'],
        item: 'state-implementation-report',
        deadline: IMPLEMENTATION_DUE,
      }),
    ]);
  });

  it('confirm-receipt with a stated date counts from the end of that New York day', () => {
    const s = transmitted();
    act(s, 'confirm-receipt', '2027-03-19T14:00:00.000Z', { receivedOn: '2027-03-17' }, STATE);
    expect(s.receivedAt).toBe('2027-03-18T03:59:59.999Z');
    expect(deadlineOf(s, 'state-implementation-report')).toBe('2027-09-18T03:59:59.999Z');
  });

  it('confirm-receipt with a future date never starts the clock in the future', () => {
    const s = transmitted();
    act(s, 'confirm-receipt', '2027-03-19T14:00:00.000Z', { receivedOn: '2027-03-25' }, STATE);
    expect(s.receivedAt).toBe('2027-03-19T14:00:00.000Z');
    expect(deadlineOf(s, 'state-implementation-report')).toBe(IMPLEMENTATION_DUE);
  });

  it('record-consent: partial consent is shared with the partners, full replaces it, none withdraws it', () => {
    const s = transmitted();
    const partial = act(
      s,
      'record-consent',
      '2027-03-20T14:00:00.000Z',
      { scope: 'partial', sections: ['I', 'III'] },
      STATE,
    );
    expect(s.consent).toEqual({
      scope: 'partial',
      sections: ['I', 'III'],
      priorityTaNeedsOnly: false,
      decidedBy: 'focal.point@mission.example.org',
      decidedAt: '2027-03-20T14:00:00.000Z',
    });
    expect(s.items['sharing-consent']).toMatchObject({
      outcome: 'consent-partial',
      closedAt: T('2027-03-20T14:00:00.000Z'),
    });
    expect(partial.notices).toEqual([
      expect.objectContaining({
        topic: 'report-shared',
        to: ['partners'],
        details: { scope: 'partial', sections: ['I', 'III'], priorityTaNeedsOnly: undefined },
      }),
    ]);

    const full = act(s, 'record-consent', '2027-04-20T14:00:00.000Z', { scope: 'full' }, STATE);
    expect(s.consent).toMatchObject({
      scope: 'full',
      sections: [],
      priorityTaNeedsOnly: false,
      decidedAt: '2027-04-20T14:00:00.000Z',
    });
    expect(full.notices).toEqual([
      expect.objectContaining({
        topic: 'report-shared',
        to: ['partners'],
        details: { scope: 'full', sections: undefined, priorityTaNeedsOnly: undefined },
      }),
    ]);
    // The item closed at the first decision.
    expect(s.items['sharing-consent']).toMatchObject({ outcome: 'consent-partial' });

    const none = act(s, 'record-consent', '2027-05-20T14:00:00.000Z', { scope: 'none' }, STATE);
    expect(s.consent.scope).toBe('none');
    expect(none.notices).toEqual([expect.objectContaining({ topic: 'sharing-withdrawn', to: ['partners'] })]);
  });

  it('record-consent: priority TA needs only; a first decision of none tells nobody', () => {
    const s = transmitted();
    const none = act(s, 'record-consent', '2027-03-20T14:00:00.000Z', { scope: 'none' }, STATE);
    expect(none.notices).toEqual([]);
    expect(none.events.map((e) => e.type)).toEqual(['record-consent']);
    expect(s.items['sharing-consent']).toMatchObject({ outcome: 'consent-none' });
    const ta = act(
      s,
      'record-consent',
      '2027-03-21T14:00:00.000Z',
      { scope: 'partial', priorityTaNeedsOnly: true },
      STATE,
    );
    expect(s.consent).toMatchObject({ scope: 'partial', sections: [], priorityTaNeedsOnly: true });
    expect(ta.notices).toEqual([
      expect.objectContaining({
        topic: 'report-shared',
        details: { scope: 'partial', sections: undefined, priorityTaNeedsOnly: true },
      }),
    ]);
  });

  it('both implementation reports close the visit', () => {
    const s = implementing();
    const cted = act(s, 'submit-follow-up-report', '2027-06-02T14:00:00.000Z');
    expect(s.stage).toBe('implementing');
    expect(cted.notices.map((n) => [n.topic, n.to])).toEqual([['follow-up-report-submitted', ['secretariat']]]);

    const state = act(
      s,
      'submit-implementation-report',
      '2027-08-01T14:00:00.000Z',
      { summary: 'New law adopted' },
      STATE,
    );
    expect(s.stage).toBe('closed');
    expect(isTerminal(s)).toBe(true);
    expect(state.events.map((e) => [e.type, e.stage])).toEqual([
      ['submit-implementation-report', 'implementing'],
      ['closed', 'closed'],
    ]);
    expect(state.notices.map((n) => [n.topic, n.to])).toEqual([
      ['implementation-report-received', ['case-officer', 'secretariat']],
      ['visit-closed', ['case-officer', 'secretariat']],
    ]);
    // The sharing-consent item, never answered, is closed with the visit.
    expect(s.items['sharing-consent']).toMatchObject({
      outcome: 'visit-closed',
      closedAt: T('2027-08-01T14:00:00.000Z'),
    });
    expect(s.items['state-implementation-report']).toMatchObject({ outcome: 'submitted' });
    expect(openItems(s, T('2027-08-01T14:00:00.000Z'))).toEqual([]);
  });

  it('the CTED report alone does not close the visit before receipt', () => {
    const s = adopted();
    act(s, 'submit-follow-up-report', '2027-03-16T14:00:00.000Z');
    expect(s.stage).toBe('transmitting');
    act(s, 'transmit-report', '2027-03-17T14:00:00.000Z');
    act(s, 'confirm-receipt', '2027-03-19T14:00:00.000Z', {}, STATE);
    expect(s.stage).toBe('implementing');
    act(s, 'submit-implementation-report', '2027-04-01T14:00:00.000Z', {}, STATE);
    expect(s.stage).toBe('closed');
  });

  it('invite-briefing and record-briefing track the briefing', () => {
    const s = adopted();
    const fx = act(s, 'invite-briefing', '2027-03-16T14:00:00.000Z', { date: '2027-06-01' }, CHAIR);
    expect(s.briefing).toBe('invited');
    expect(s.items.briefing).toEqual({ item: 'briefing', openedAt: T('2027-03-16T14:00:00.000Z'), deadline: null });
    expect(fx.notices).toEqual([
      expect.objectContaining({ topic: 'briefing-invitation', to: ['state-contact'], details: { date: '2027-06-01' } }),
    ]);
    const held = act(s, 'record-briefing', '2027-06-01T14:00:00.000Z', { date: '2027-06-01' }, SECRETARIAT);
    expect(s.briefing).toBe('held');
    expect(s.items.briefing).toMatchObject({ outcome: 'held' });
    expect(held.notices).toEqual([]);
    expect(held.events.map((e) => e.type)).toEqual(['record-briefing']);
  });

  it('withdraw closes every open item and ends the visit', () => {
    const s = start();
    const fx = act(s, 'withdraw', '2026-12-01T15:00:00.000Z', { reason: 'Requested by the State' });
    expect(s.stage).toBe('withdrawn');
    expect(isTerminal(s)).toBe(true);
    for (const item of ['pao', 'ta-referral', 'drafting'] as const) {
      expect(s.items[item]).toMatchObject({ outcome: 'withdrawn', closedAt: T('2026-12-01T15:00:00.000Z') });
    }
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'visit-withdrawn',
        to: ['case-officer', 'secretariat'],
        details: { reason: 'Requested by the State' },
      }),
    ]);
    expect(nextWakeAt(s, POLICY, T('2026-12-01T15:00:00.000Z'), T(STARTED))).toBeNull();
    expect(plannedReminders(s, POLICY)).toEqual([]);
  });

  it('numbers events in order and keys notices by visit, event and topic', () => {
    const s = inStateReview();
    expect(s.history.map((e) => [e.seq, e.type])).toEqual([
      [1, 'visit-started'],
      [2, 'record-pao'],
      [3, 'refer-ta'],
      [4, 'submit-draft'],
      [5, 'dispatch-draft'],
    ]);
    const fx = act(s, 'request-extension', '2027-02-01T15:00:00.000Z', {}, STATE);
    expect(fx.notices[0]?.key).toBe('166-POL:event:6:extension-requested');
  });
});

describe('applyExpiries', () => {
  it('does nothing before a deadline', () => {
    const s = inStateReview();
    const fx = applyExpiries(s, T(REVIEW_DUE) - 1, POLICY);
    expect(fx).toEqual({ events: [], notices: [] });
    expect(s.stage).toBe('state-review');
  });

  it('state review expiry: proceeds to finalizing, recording "no comments received" at the deadline (not at the late wake-up)', () => {
    const s = inStateReview();
    const fx = applyExpiries(s, T('2027-02-20T00:00:00.000Z'), POLICY);
    expect(s.stage).toBe('finalizing');
    expect(s.items['state-review']).toMatchObject({ outcome: 'no-comments-received', closedAt: T(REVIEW_DUE) });
    expect(s.items.finalizing).toEqual({
      item: 'finalizing',
      openedAt: T(REVIEW_DUE),
      deadline: T('2027-02-26T15:00:00.000Z'),
    });
    expect(fx.events).toEqual([
      { seq: 6, type: 'no-comments-received', at: REVIEW_DUE, stage: 'finalizing', door: 'engine' },
    ]);
    expect(fx.notices).toEqual([
      {
        key: '166-POL:event:6:no-comments-received',
        topic: 'no-comments-received',
        kind: 'event',
        to: ['case-officer'],
        at: REVIEW_DUE,
        visit: VISIT,
        item: 'finalizing',
        deadline: '2027-02-26T15:00:00.000Z',
      },
    ]);
    // Applying again changes nothing.
    expect(applyExpiries(s, T('2027-02-20T00:00:00.000Z'), POLICY)).toEqual({ events: [], notices: [] });
  });

  it('state review expiry happens exactly at the deadline', () => {
    const s = inStateReview();
    applyExpiries(s, T(REVIEW_DUE), POLICY);
    expect(s.stage).toBe('finalizing');
  });

  it('an extension moves the expiry', () => {
    const s = inStateReview();
    act(s, 'request-extension', '2027-02-01T15:00:00.000Z', {}, STATE);
    act(s, 'grant-extension', '2027-02-02T15:00:00.000Z', {}, SECRETARIAT);
    applyExpiries(s, T('2027-02-20T00:00:00.000Z'), POLICY);
    expect(s.stage).toBe('state-review');
    applyExpiries(s, T(REVIEW_EXTENDED), POLICY);
    expect(s.stage).toBe('finalizing');
    expect(s.items['state-review']).toMatchObject({ outcome: 'no-comments-received', closedAt: T(REVIEW_EXTENDED) });
    expect(deadlineOf(s, 'finalizing')).toBe('2027-03-13T15:00:00.000Z');
  });

  it('a requested but not granted extension does not move the expiry', () => {
    const s = inStateReview();
    act(s, 'request-extension', '2027-02-01T15:00:00.000Z', {}, STATE);
    applyExpiries(s, T(REVIEW_DUE), POLICY);
    expect(s.stage).toBe('finalizing');
  });

  it('committee silence: adopted by silence at the deadline, transmitting opens with the CTED follow-up report', () => {
    const s = inCommitteeReview();
    const fx = applyExpiries(s, T('2027-03-12T00:00:00.000Z'), POLICY);
    expect(s.stage).toBe('transmitting');
    expect(s.adoptedAt).toBe(COMMITTEE_DUE);
    expect(s.items['committee-review']).toMatchObject({ outcome: 'adopted-by-silence', closedAt: T(COMMITTEE_DUE) });
    expect(deadlineOf(s, 'transmitting')).toBe(TRANSMIT_DUE);
    expect(deadlineOf(s, 'cted-follow-up-report')).toBe(FOLLOW_UP_DUE);
    expect(fx.events).toEqual([
      expect.objectContaining({ type: 'adopted-by-silence', at: COMMITTEE_DUE, stage: 'transmitting', door: 'engine' }),
    ]);
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'report-adopted',
        to: ['case-officer', 'chair', 'secretariat'],
        at: COMMITTEE_DUE,
        deadline: TRANSMIT_DUE,
        details: { followUpReportDue: FOLLOW_UP_DUE },
      }),
    ]);
  });

  it('a hold stops the clock; lifting the last hold restores the time that was left', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2027-03-05T15:00:00.000Z', {}, M1); // 6 days left
    act(s, 'place-hold', '2027-03-08T15:00:00.000Z', {}, M2);
    expect(s.items['committee-review']?.pausedRemainingMs).toBe(6 * 86_400_000);

    expect(applyExpiries(s, T('2027-03-20T00:00:00.000Z'), POLICY)).toEqual({ events: [], notices: [] });
    expect(s.stage).toBe('committee-review');

    const first = act(s, 'lift-hold', '2027-03-09T15:00:00.000Z', {}, M1);
    expect(s.holds.map((h) => h.by)).toEqual(['member2@un.example.org']);
    expect(s.items['committee-review']).toMatchObject({ deadline: null, pausedRemainingMs: 6 * 86_400_000 });
    expect(first.notices).toEqual([
      expect.objectContaining({
        topic: 'hold-lifted',
        to: ['secretariat', 'chair', 'case-officer'],
        item: 'committee-review',
        deadline: null,
      }),
    ]);

    // The secretariat lifts member 2's hold on 20 March: 6 days remain, so silence ends 26 March.
    const last = act(s, 'lift-hold', '2027-03-20T14:00:00.000Z', { member: 'member2@un.example.org' }, SECRETARIAT);
    expect(s.holds).toEqual([]);
    expect(s.items['committee-review']?.pausedRemainingMs).toBeUndefined();
    expect(deadlineOf(s, 'committee-review')).toBe('2027-03-26T14:00:00.000Z');
    expect(last.notices).toEqual([
      expect.objectContaining({ topic: 'hold-lifted', deadline: '2027-03-26T14:00:00.000Z' }),
    ]);

    applyExpiries(s, T('2027-03-26T13:59:59.999Z'), POLICY);
    expect(s.stage).toBe('committee-review');
    applyExpiries(s, T('2027-03-26T14:00:00.000Z'), POLICY);
    expect(s.stage).toBe('transmitting');
    expect(s.adoptedAt).toBe('2027-03-26T14:00:00.000Z');
  });

  it('an objection waits for record-adoption or return-to-cted, however long', () => {
    const s = inCommitteeReview();
    act(s, 'object', '2027-03-05T15:00:00.000Z', { reason: 'Paragraph 12' }, M1);
    expect(applyExpiries(s, T('2028-01-01T00:00:00.000Z'), POLICY)).toEqual({ events: [], notices: [] });
    expect(s.stage).toBe('committee-review');
    expect(nextWakeAt(s, POLICY, T('2027-03-06T00:00:00.000Z'), T(STARTED))).toBeNull();
  });

  it('receipt deemed: 5 working days after transmission the State report clock starts', () => {
    const s = transmitted();
    applyExpiries(s, T(RECEIPT_DUE) - 1, POLICY);
    expect(s.stage).toBe('transmitting');
    const fx = applyExpiries(s, T('2027-03-23T00:00:00.000Z'), POLICY);
    expect(s.stage).toBe('implementing');
    expect(s.receivedAt).toBe(RECEIPT_DUE);
    expect(s.items.receipt).toMatchObject({ outcome: 'deemed-received', closedAt: T(RECEIPT_DUE) });
    expect(deadlineOf(s, 'state-implementation-report')).toBe('2027-09-22T14:00:00.000Z');
    expect(fx.events).toEqual([
      expect.objectContaining({ type: 'receipt-deemed', at: RECEIPT_DUE, stage: 'implementing', door: 'engine' }),
    ]);
    expect(fx.notices).toEqual([
      expect.objectContaining({
        topic: 'implementation-report-requested',
        to: ['state-contact'],
        item: 'state-implementation-report',
        deadline: '2027-09-22T14:00:00.000Z',
      }),
    ]);
  });

  it('the transmission deadline passing does not act on its own (it only reminds)', () => {
    const s = adopted();
    expect(applyExpiries(s, T('2027-04-30T00:00:00.000Z'), POLICY)).toEqual({ events: [], notices: [] });
    expect(s.stage).toBe('transmitting');
  });

  it('side-item and drafting deadlines never act on their own', () => {
    const s = start();
    expect(applyExpiries(s, T('2027-06-01T00:00:00.000Z'), POLICY)).toEqual({ events: [], notices: [] });
    expect(s.stage).toBe('drafting');
    expect(isOpen(s, 'pao')).toBe(true);
    expect(isOpen(s, 'drafting')).toBe(true);
  });
});

describe('plannedReminders', () => {
  const keysOf = (rs: PlannedReminder[]) => rs.map((r) => r.key);

  it('schedules the PAO’s before, due and overdue reminders with the escalation ladder', () => {
    const pao = plannedReminders(start(), POLICY).filter((r) => r.item === 'pao');
    expect(
      pao.map((r) => ({ key: r.key, kind: r.kind, at: iso(r.at), to: r.to, n: r.n, deadline: iso(r.deadline) })),
    ).toEqual([
      {
        key: `pao:${PAO_DUE}:before:3 days`,
        kind: 'before',
        at: '2026-12-05T04:59:59.999Z',
        to: ['case-officer'],
        n: undefined,
        deadline: PAO_DUE,
      },
      { key: `pao:${PAO_DUE}:due`, kind: 'due', at: PAO_DUE, to: ['case-officer'], n: undefined, deadline: PAO_DUE },
      {
        key: `pao:${PAO_DUE}:overdue:1`,
        kind: 'overdue',
        at: '2026-12-15T04:59:59.999Z',
        to: ['case-officer', 'cted-management'],
        n: 1,
        deadline: PAO_DUE,
      },
      {
        key: `pao:${PAO_DUE}:overdue:2`,
        kind: 'overdue',
        at: '2026-12-22T04:59:59.999Z',
        to: ['case-officer', 'cted-management'],
        n: 2,
        deadline: PAO_DUE,
      },
      {
        key: `pao:${PAO_DUE}:overdue:3`,
        kind: 'overdue',
        at: '2026-12-29T04:59:59.999Z',
        to: ['case-officer', 'cted-management'],
        n: 3,
        deadline: PAO_DUE,
      },
      {
        key: `pao:${PAO_DUE}:overdue:4`,
        kind: 'overdue',
        at: '2027-01-05T04:59:59.999Z',
        to: ['case-officer', 'cted-management'],
        n: 4,
        deadline: PAO_DUE,
      },
    ]);
  });

  it('is sorted by time and covers every open item with a rule', () => {
    const all = plannedReminders(start(), POLICY);
    expect(all.map((r) => r.at)).toEqual([...all.map((r) => r.at)].sort((a, b) => a - b));
    expect(new Set(all.map((r) => r.item))).toEqual(new Set(['pao', 'ta-referral', 'drafting']));
    const drafting = all.filter((r) => r.item === 'drafting');
    expect(drafting).toHaveLength(2 + 1 + 8);
    expect(drafting.slice(0, 2).map((r) => [r.kind, iso(r.at)])).toEqual([
      ['before', '2027-01-06T04:59:59.999Z'],
      ['before', '2027-01-17T04:59:59.999Z'],
    ]);
  });

  // Overdue reminders keep the New York wall clock: 10:00 is 15:00Z in winter, 14:00Z in summer.
  it('escalates the State report to the Permanent Mission after 30 days and to the secretariat after 60', () => {
    const sir = plannedReminders(implementing(), POLICY).filter((r) => r.item === 'state-implementation-report');
    expect(sir.map((r) => [r.kind, r.n ?? null, iso(r.at), r.to])).toEqual([
      ['before', null, '2027-08-20T14:00:00.000Z', ['state-contact']],
      ['before', null, '2027-09-12T14:00:00.000Z', ['state-contact']],
      ['due', null, IMPLEMENTATION_DUE, ['state-contact']],
      ['overdue', 1, '2027-10-19T14:00:00.000Z', ['state-contact', 'permanent-mission']],
      ['overdue', 2, '2027-11-18T15:00:00.000Z', ['state-contact', 'permanent-mission', 'secretariat']],
      ['overdue', 3, '2027-12-18T15:00:00.000Z', ['state-contact', 'permanent-mission', 'secretariat']],
      ['overdue', 4, '2028-01-17T15:00:00.000Z', ['state-contact', 'permanent-mission', 'secretariat']],
      ['overdue', 5, '2028-02-16T15:00:00.000Z', ['state-contact', 'permanent-mission', 'secretariat']],
      ['overdue', 6, '2028-03-17T14:00:00.000Z', ['state-contact', 'permanent-mission', 'secretariat']],
    ]);
  });

  it('reminds about sharing consent 30 and 60 days after transmission, with no deadline', () => {
    const sc = plannedReminders(transmitted(), POLICY).filter((r) => r.item === 'sharing-consent');
    expect(sc).toEqual([
      {
        key: 'sharing-consent:2027-03-15T14:00:00.000Z:after:30 days',
        item: 'sharing-consent',
        kind: 'follow-up',
        at: T('2027-04-14T14:00:00.000Z'),
        to: ['state-contact'],
        deadline: null,
      },
      {
        key: 'sharing-consent:2027-03-15T14:00:00.000Z:after:60 days',
        item: 'sharing-consent',
        kind: 'follow-up',
        at: T('2027-05-14T14:00:00.000Z'),
        to: ['state-contact'],
        deadline: null,
      },
    ]);
  });

  it('stops for an item the moment it is closed', () => {
    const s = transmitted();
    act(s, 'record-consent', '2027-03-20T14:00:00.000Z', { scope: 'full' }, STATE);
    expect(plannedReminders(s, POLICY).filter((r) => r.item === 'sharing-consent')).toEqual([]);
    const t = start();
    act(t, 'record-pao', '2026-12-01T15:00:00.000Z');
    expect(keysOf(plannedReminders(t, POLICY)).some((k) => k.startsWith('pao:'))).toBe(false);
  });

  it('moves with a deadline: an extension gives new keys at the new deadline', () => {
    const s = inStateReview();
    expect(keysOf(plannedReminders(s, POLICY).filter((r) => r.item === 'state-review'))).toEqual([
      `state-review:${REVIEW_DUE}:before:14 days`,
      `state-review:${REVIEW_DUE}:before:3 days`,
    ]);
    act(s, 'request-extension', '2027-02-01T15:00:00.000Z', {}, STATE);
    act(s, 'grant-extension', '2027-02-02T15:00:00.000Z', {}, SECRETARIAT);
    const moved = plannedReminders(s, POLICY).filter((r) => r.item === 'state-review');
    expect(moved.map((r) => [r.key, iso(r.at)])).toEqual([
      [`state-review:${REVIEW_EXTENDED}:before:14 days`, '2027-02-12T15:00:00.000Z'],
      [`state-review:${REVIEW_EXTENDED}:before:3 days`, '2027-02-23T15:00:00.000Z'],
    ]);
  });

  it('drops reminders that would fall before the item opened', () => {
    const policy = policyOf({ clocks: { pao: '2 days' } });
    const pao = plannedReminders(start(policy), policy).filter((r) => r.item === 'pao');
    // Deadline end of Sunday 22 November; "3 days before" would fall before the visit ended.
    expect(pao.map((r) => r.kind)).toEqual(['due', 'overdue', 'overdue', 'overdue', 'overdue']);
    expect(iso(pao[0]!.at)).toBe('2026-11-23T04:59:59.999Z');
    // Exactly at the opening is kept: 3 days before a 3-day clock.
    const p3 = policyOf({ clocks: { pao: '3 days' } });
    const kept = plannedReminders(start(p3), p3).filter((r) => r.item === 'pao');
    expect(kept.map((r) => [r.kind, iso(r.at)])[0]).toEqual(['before', '2026-11-21T04:59:59.999Z']);
  });

  it('sends nothing for an item whose rule the policy removed, and nothing for a paused clock', () => {
    const policy = policyOf({
      reminders: { pao: null, 'committee-review': { to: ['committee'], before: ['1 day', '1 hour'] } },
    });
    expect(plannedReminders(start(policy), policy).some((r) => r.item === 'pao')).toBe(false);

    const s = inCommitteeReview();
    expect(plannedReminders(s, policy).map((r) => [r.kind, iso(r.at)])).toEqual([
      ['before', '2027-03-10T15:00:00.000Z'],
      ['before', '2027-03-11T14:00:00.000Z'],
    ]);
    act(s, 'place-hold', '2027-03-05T15:00:00.000Z', {}, M1, policy);
    expect(plannedReminders(s, policy)).toEqual([]);
  });
});

describe('dueReminders', () => {
  it('sends only the latest due reminder per item and skips the earlier ones (after an outage)', () => {
    const s = start();
    const { send, skip } = dueReminders(s, POLICY, T('2026-12-16T00:00:00.000Z'), T(STARTED));
    expect(send.map((r) => r.key).sort()).toEqual([`pao:${PAO_DUE}:overdue:1`, `ta-referral:${PAO_DUE}:overdue:1`]);
    expect(send.every((r) => r.to.join() === 'case-officer,cted-management')).toBe(true);
    expect(skip.map((r) => r.key).sort()).toEqual([
      `pao:${PAO_DUE}:before:3 days`,
      `pao:${PAO_DUE}:due`,
      `ta-referral:${PAO_DUE}:before:3 days`,
      `ta-referral:${PAO_DUE}:due`,
    ]);
  });

  it('sends a single due reminder as is', () => {
    const s = start();
    const { send, skip } = dueReminders(s, POLICY, T('2026-12-05T04:59:59.999Z'), T(STARTED));
    expect(send.map((r) => [r.item, r.kind])).toEqual([
      ['pao', 'before'],
      ['ta-referral', 'before'],
    ]);
    expect(skip).toEqual([]);
    expect(dueReminders(s, POLICY, T('2026-12-05T04:59:59.998Z'), T(STARTED))).toEqual({ send: [], skip: [] });
  });

  it('never returns a reminder already handled (sent or skipped)', () => {
    const s = start();
    const now = T('2026-12-16T00:00:00.000Z');
    const { send, skip } = dueReminders(s, POLICY, now, T(STARTED));
    for (const r of [...skip, ...send]) {
      s.reminders.push({
        key: r.key,
        item: r.item,
        kind: r.kind,
        at: new Date(r.at).toISOString(),
        to: r.to,
        deadline: iso(r.deadline) ?? null,
        status: send.includes(r) ? 'sent' : 'skipped',
      });
    }
    expect(dueReminders(s, POLICY, now, T(STARTED))).toEqual({ send: [], skip: [] });
    const later = dueReminders(s, POLICY, T('2026-12-22T04:59:59.999Z'), T(STARTED));
    expect(later.send.map((r) => r.key).sort()).toEqual([
      `pao:${PAO_DUE}:overdue:2`,
      `ta-referral:${PAO_DUE}:overdue:2`,
    ]);
    expect(later.skip).toEqual([]);
  });

  it('never sends or skips reminders planned before remindersFrom (an imported visit)', () => {
    const s = start();
    const from = T('2026-12-10T00:00:00.000Z');
    expect(dueReminders(s, POLICY, from, from)).toEqual({ send: [], skip: [] });
    const { send, skip } = dueReminders(s, POLICY, T('2026-12-16T00:00:00.000Z'), from);
    expect(send.map((r) => r.key).sort()).toEqual([`pao:${PAO_DUE}:overdue:1`, `ta-referral:${PAO_DUE}:overdue:1`]);
    expect(skip).toEqual([]);
  });
});

describe('takeDueReminders', () => {
  it('records the skipped reminders, then the sent ones, and returns a notice for each sent', () => {
    const s = start();
    const now = T('2026-12-16T00:00:00.000Z');
    const { send, skip } = dueReminders(s, POLICY, now, T(STARTED));
    const notices = takeDueReminders(s, POLICY, now, T(STARTED));
    expect(s.reminders.map((r) => [r.key, r.status])).toEqual([
      ...skip.map((r) => [r.key, 'skipped']),
      ...send.map((r) => [r.key, 'sent']),
    ]);
    expect(s.reminders.at(-1)).toEqual({
      key: `ta-referral:${PAO_DUE}:overdue:1`,
      item: 'ta-referral',
      kind: 'overdue',
      at: '2026-12-15T04:59:59.999Z',
      to: ['case-officer', 'cted-management'],
      deadline: PAO_DUE,
      status: 'sent',
    });
    expect(notices).toEqual(send.map((r) => reminderNotice(s, r)));
    expect(notices[1]).toEqual({
      key: `166-POL:reminder:ta-referral:${PAO_DUE}:overdue:1`,
      topic: 'reminder:ta-referral',
      kind: 'overdue',
      item: 'ta-referral',
      to: ['case-officer', 'cted-management'],
      at: '2026-12-15T04:59:59.999Z',
      deadline: PAO_DUE,
      details: { overdueReminder: '1' },
      visit: VISIT,
    });
    expect(takeDueReminders(s, POLICY, now, T(STARTED))).toEqual([]);
  });

  it('words a reminder with no deadline and no count without them', () => {
    const s = transmitted();
    const [consent] = plannedReminders(s, POLICY).filter((r) => r.item === 'sharing-consent');
    expect(reminderNotice(s, consent!)).toEqual({
      key: `166-POL:reminder:${consent!.key}`,
      topic: 'reminder:sharing-consent',
      kind: 'follow-up',
      item: 'sharing-consent',
      to: consent!.to,
      at: iso(consent!.at),
      deadline: null,
      visit: VISIT,
    });
  });
});

describe('nextWakeAt', () => {
  it('is the first reminder of a new visit', () => {
    expect(iso(nextWakeAt(start(), POLICY, T(STARTED), T(STARTED)))).toBe('2026-12-05T04:59:59.999Z');
  });

  it('skips reminders already handled and those before remindersFrom', () => {
    const s = start();
    const from = T('2026-12-10T00:00:00.000Z');
    expect(iso(nextWakeAt(s, POLICY, from, from))).toBe('2026-12-15T04:59:59.999Z');
    s.reminders.push(
      ...plannedReminders(s, POLICY)
        .filter((r) => r.at === T('2026-12-15T04:59:59.999Z'))
        .map((r) => ({
          key: r.key,
          item: r.item,
          kind: r.kind,
          at: iso(r.at)!,
          to: r.to,
          deadline: PAO_DUE,
          status: 'sent' as const,
        })),
    );
    expect(iso(nextWakeAt(s, POLICY, from, from))).toBe('2026-12-22T04:59:59.999Z');
  });

  it('wakes at once for a reminder that fell due while the workflow was busy (and not with the old behaviour)', () => {
    const s = start();
    const busyUntil = T('2026-12-06T00:00:00.000Z'); // the 3-days-before PAO reminder fell due at 2026-12-05T04:59:59.999Z
    expect(nextWakeAt(s, POLICY, busyUntil, T(STARTED))).toBe(busyUntil);
    expect(iso(nextWakeAt(s, POLICY, busyUntil, T(STARTED), false))).toBe(PAO_DUE);
  });

  it('wakes at once for a self-acting clock that ran out while the workflow was busy', () => {
    const s = inCommitteeReview();
    const late = T(COMMITTEE_DUE) + 60_000;
    expect(nextWakeAt(s, POLICY, late, late)).toBe(late);
    expect(nextWakeAt(s, POLICY, late, late, false)).not.toBe(late);
  });

  it('does not spin on an overdue deadline that does not act on its own', () => {
    const policy = policyOf({ reminders: { pao: null, 'ta-referral': null, drafting: null } });
    const afterPao = T(PAO_DUE) + 60_000;
    expect(iso(nextWakeAt(start(policy), policy, afterPao, T(STARTED)))).toBe(DRAFTING_DUE);
  });

  it('wakes at a deadline that acts (no reminder rule for the committee review)', () => {
    const s = inCommitteeReview();
    expect(iso(nextWakeAt(s, POLICY, T('2027-03-03T15:00:00.000Z'), T(STARTED)))).toBe(COMMITTEE_DUE);
  });

  it('wakes when a deadline without reminders turns overdue', () => {
    const policy = policyOf({ reminders: { pao: null, 'ta-referral': null, drafting: null } });
    expect(iso(nextWakeAt(start(policy), policy, T(STARTED), T(STARTED)))).toBe(PAO_DUE);
    expect(iso(nextWakeAt(start(policy), policy, T(PAO_DUE), T(STARTED)))).toBe(DRAFTING_DUE);
  });

  it('is null when nothing is scheduled (a hold with no other open item)', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2027-03-05T15:00:00.000Z', {}, M1);
    expect(nextWakeAt(s, POLICY, T('2027-03-05T15:00:00.000Z'), T(STARTED))).toBeNull();
    act(s, 'lift-hold', '2027-03-06T15:00:00.000Z', {}, M1);
    expect(iso(nextWakeAt(s, POLICY, T('2027-03-06T15:00:00.000Z'), T(STARTED)))).toBe('2027-03-12T15:00:00.000Z');
  });
});

describe('openItems and statusOf', () => {
  it('lists open items earliest deadline first, in vocabulary order on a tie', () => {
    expect(openItems(start(), T(STARTED))).toEqual([
      {
        item: 'pao',
        openedAt: '2026-11-21T04:59:59.999Z',
        deadline: PAO_DUE,
        overdue: false,
        paused: false,
        provisional: false,
      },
      {
        item: 'ta-referral',
        openedAt: '2026-11-21T04:59:59.999Z',
        deadline: PAO_DUE,
        overdue: false,
        paused: false,
        provisional: false,
      },
      {
        item: 'drafting',
        openedAt: '2026-11-21T04:59:59.999Z',
        deadline: DRAFTING_DUE,
        overdue: false,
        paused: false,
        provisional: false,
      },
    ]);
  });

  it('puts items with no deadline last and shows a stopped clock as paused', () => {
    const s = transmitted();
    act(s, 'invite-briefing', '2027-03-16T14:00:00.000Z', {}, CHAIR);
    expect(openItems(s, T('2027-03-16T14:00:00.000Z')).map((o) => o.item)).toEqual([
      'receipt',
      'cted-follow-up-report',
      'sharing-consent',
      'briefing',
    ]);

    const c = inCommitteeReview();
    act(c, 'place-hold', '2027-03-05T15:00:00.000Z', {}, M1);
    expect(openItems(c, T('2027-03-05T15:00:00.000Z'))).toEqual([
      {
        item: 'committee-review',
        openedAt: '2027-03-03T15:00:00.000Z',
        deadline: null,
        overdue: false,
        paused: true,
        provisional: false,
      },
    ]);
  });

  it('statusOf a new visit: stage, next deadline, allowed actions, nothing overdue', () => {
    const s = start();
    const st = statusOf(s, POLICY, T(STARTED));
    expect(st).toMatchObject({
      id: '166-POL',
      number: 166,
      state: 'POL',
      stateName: 'Poland',
      type: 'comprehensive',
      start: '2026-11-16',
      end: '2026-11-20',
      contacts: VISIT.contacts,
      stage: 'drafting',
      nextDeadline: PAO_DUE,
      overdue: false,
      extension: 'none',
      committee: { holds: [], objection: null },
      adoptedAt: null,
      transmittedAt: null,
      receivedAt: null,
      consent: { scope: 'none', sections: [], priorityTaNeedsOnly: false },
      briefing: 'none',
      closedItems: [],
      reminders: [],
      policy: 'CTC follow-up guidelines of 8 October 2018 (engine defaults)',
    });
    expect(st.groupId).toBeUndefined();
    expect(st.allowedActions.map((a) => a.action)).toEqual(['record-pao', 'refer-ta', 'submit-draft', 'withdraw']);
    expect(st.allowedActions[0]?.fields).toBe(ACTION_FIELDS['record-pao']);
    expect(st.history.map((e) => e.type)).toEqual(['visit-started']);
  });

  it('statusOf is overdue once a deadline has passed, and lists closed items', () => {
    const s = start();
    act(s, 'record-pao', '2026-12-01T15:00:00.000Z');
    expect(statusOf(s, POLICY, T(PAO_DUE)).overdue).toBe(false);
    const st = statusOf(s, POLICY, T(PAO_DUE) + 1);
    expect(st.overdue).toBe(true);
    expect(st.openItems.filter((o) => o.overdue).map((o) => o.item)).toEqual(['ta-referral']);
    expect(st.closedItems).toEqual([
      {
        item: 'pao',
        openedAt: '2026-11-21T04:59:59.999Z',
        deadline: PAO_DUE,
        closedAt: '2026-12-01T15:00:00.000Z',
        outcome: 'recorded',
      },
    ]);
    expect(st.nextDeadline).toBe(PAO_DUE);
  });

  it('statusOf during a hold: no next deadline, the holds shown', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2027-03-05T15:00:00.000Z', { reason: 'Capital consulted' }, M1);
    const st = statusOf(s, POLICY, T('2027-03-06T00:00:00.000Z'));
    expect(st.nextDeadline).toBeNull();
    expect(st.overdue).toBe(false);
    expect(st.committee).toEqual({
      holds: [{ by: 'member1@un.example.org', at: '2027-03-05T15:00:00.000Z', reason: 'Capital consulted' }],
      objection: null,
    });
  });

  it('statusOf after adoption and transmission', () => {
    const s = transmitted();
    const st = statusOf(s, POLICY, T('2027-03-16T00:00:00.000Z'));
    expect(st).toMatchObject({
      stage: 'transmitting',
      adoptedAt: COMMITTEE_DUE,
      transmittedAt: '2027-03-15T14:00:00.000Z',
      receivedAt: null,
      nextDeadline: RECEIPT_DUE,
    });
    expect(st.closedItems.map((c) => [c.item, c.outcome])).toEqual([
      ['pao', 'recorded'],
      ['ta-referral', 'referred'],
      ['drafting', 'submitted'],
      ['state-review', 'comments-received'],
      ['finalizing', 'submitted'],
      ['committee-review', 'adopted-by-silence'],
      ['transmitting', 'transmitted'],
    ]);
  });
});
