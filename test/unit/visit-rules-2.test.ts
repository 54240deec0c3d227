/**
 * The state machine under the second rules (visits started since deadlines fall at the close of a
 * New York working day), on a calendar fixed for this test:
 *
 * visit 166-POL ends Friday 2026-11-20; holidays Thanksgiving 26 Nov, Christmas 25 Dec, New Year 1 Jan.
 *   pao / ta-referral (10 working days) ..... close of Monday 7 Dec ....... 2026-12-08T04:59:59.999Z
 * dispatch-draft Tue 12 Jan 2027 10:00 -> state review (30 days) -> close of Thu 11 Feb: 2027-02-12T04:59:59.999Z
 * submit-final-draft Mon 21 Dec 2026 10:00 -> no objection (5 working days: 22, 23, 24, 28, 29 Dec)
 *   -> close of Tue 29 Dec ................................................ 2026-12-30T04:59:59.999Z
 */
import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  applyAction,
  applyCalendar,
  applyExpiries,
  initialState,
  nextWakeAt,
  refusal,
  statusOf,
  takeDueReminders,
  workflowEnds,
  type Actor,
  type Effects,
  type VisitState,
  type VisitSummary,
} from '../../src/domain/visit';
import type { Policy } from '../../src/domain/policy';
import type { ActionName } from '../../src/domain/vocabulary';
import { resolvePolicy } from '../../src/infra/policy/loader';

const T = (iso: string) => Date.parse(iso);
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? ms : new Date(ms).toISOString());

const HOLIDAYS = ['2026-11-26', '2026-12-25', '2027-01-01', '2027-11-25', '2027-12-24'];
const policyOf = (override: Parameters<typeof resolvePolicy>[0] = {}, holidays = HOLIDAYS): Policy => ({
  ...resolvePolicy(override),
  calendar: { name: 'UN Headquarters (test)', timeZone: 'America/New_York', holidays },
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
  partners: ['UNOCT'],
};

const CTED: Actor = { email: 'officer@cted.example.org', role: 'cted' };
const STATE: Actor = { email: 'focal.point@mission.example.org', role: 'state' };
const SECRETARIAT: Actor = { email: 'secretariat@un.example.org', role: 'secretariat' };
const CHAIR: Actor = { email: 'chair@un.example.org', role: 'chair' };
const M1: Actor = { email: 'member1@un.example.org', role: 'committee' };
const M2: Actor = { email: 'member2@un.example.org', role: 'committee' };

function start(policy: Policy = POLICY): VisitState {
  return initialState(VISIT, policy, T('2026-11-21T12:00:00.000Z')).state;
}

/** Takes an action the process must allow now, as the workflow's validator would check it. */
function act(
  s: VisitState,
  action: ActionName,
  at: string,
  payload: Record<string, unknown> = {},
  actor: Actor = CTED,
  policy: Policy = POLICY,
): Effects {
  const why = refusal(s, { action, payload, actor });
  if (why) throw new Error(why);
  return applyAction(s, { action, payload, actor, door: 'api' }, T(at), policy);
}

const deadline = (s: VisitState, item: keyof VisitState['items']) => iso(s.items[item]?.deadline);
const topics = (fx: Effects) => fx.notices.map((n) => [n.topic, n.to]);

function inStateReview(dispatchedAt = '2027-01-12T15:00:00.000Z', policy: Policy = POLICY): VisitState {
  const s = start(policy);
  act(s, 'submit-draft', '2027-01-05T15:00:00.000Z', {}, CTED, policy);
  act(s, 'dispatch-draft', dispatchedAt, {}, CTED, policy);
  return s;
}

function inCommitteeReview(): VisitState {
  const s = start();
  act(s, 'submit-draft', '2026-11-30T15:00:00.000Z');
  act(s, 'dispatch-draft', '2026-12-01T15:00:00.000Z');
  act(s, 'record-comments', '2026-12-10T15:00:00.000Z', {}, STATE);
  act(s, 'submit-final-draft', '2026-12-21T15:00:00.000Z');
  return s;
}

function adopted(): VisitState {
  const s = inCommitteeReview();
  applyExpiries(s, T('2026-12-30T05:00:00.000Z'), POLICY);
  act(s, 'transmit-report', '2027-01-04T15:00:00.000Z', {}, CHAIR);
  return s;
}

describe('deadlines at the close of a New York working day', () => {
  it('starts visits under the second rules', () => {
    expect(start().rules).toBe(2);
  });

  it('puts a calendar-day deadline at the close of business of its day, not the time of day it started', () => {
    const s = inStateReview();
    expect(deadline(s, 'state-review')).toBe('2027-02-12T04:59:59.999Z');
    expect(deadline(s, 'pao')).toBe('2026-12-08T04:59:59.999Z');
  });

  it('moves a calendar-day deadline that lands on a weekend to the next working day, unless the policy keeps it', () => {
    // Friday 15 January + 30 days = Sunday 14 February.
    expect(deadline(inStateReview('2027-01-15T15:00:00.000Z'), 'state-review')).toBe('2027-02-16T04:59:59.999Z');
    const keep = policyOf({});
    keep.deadlinesOnClosedDays = 'keep';
    expect(deadline(inStateReview('2027-01-15T15:00:00.000Z', keep), 'state-review')).toBe('2027-02-15T04:59:59.999Z');
  });

  it('moves a deadline that lands on a holiday to the next working day', () => {
    // Friday 25 December 2026 (Christmas): dispatched 25 November + 30 days.
    const s = start();
    act(s, 'submit-draft', '2026-11-24T15:00:00.000Z');
    act(s, 'dispatch-draft', '2026-11-25T15:00:00.000Z');
    expect(deadline(s, 'state-review')).toBe('2026-12-29T04:59:59.999Z');
  });

  it('keeps clocks in seconds exact (the test and demo policies)', () => {
    const fast = policyOf({ clocks: { 'state-review': '30 seconds' } });
    const s = inStateReview('2027-01-12T15:00:00.000Z', fast);
    expect(deadline(s, 'state-review')).toBe('2027-01-12T15:00:30.000Z');
  });

  it('marks a deadline past the end of the published calendar as provisional', () => {
    const covered = { ...POLICY, calendar: { ...POLICY.calendar, coveredUntil: '2027-01-31' } };
    const s = inStateReview('2027-01-12T15:00:00.000Z', covered);
    const open = statusOf(s, covered, T('2027-01-12T15:00:00.000Z')).openItems;
    expect(open.find((o) => o.item === 'state-review')).toMatchObject({ provisional: true });
    expect(open.find((o) => o.item === 'pao')).toMatchObject({ provisional: false });
  });
});

describe('a hold gives back working days', () => {
  it('across Christmas: four working days were left, four are given back', () => {
    const s = inCommitteeReview();
    expect(deadline(s, 'committee-review')).toBe('2026-12-30T04:59:59.999Z');
    act(s, 'place-hold', '2026-12-22T20:00:00.000Z', { reason: 'Capital review' }, M1);
    expect(s.items['committee-review']).toMatchObject({ deadline: null, pausedWorkingDays: 4 });
    act(s, 'lift-hold', '2026-12-24T15:00:00.000Z', {}, M1);
    // 28, 29, 30, 31 December (Christmas skipped): the close of Thursday 31 December.
    expect(deadline(s, 'committee-review')).toBe('2027-01-01T04:59:59.999Z');
  });

  it('across a weekend: lifted on a Saturday, the days count from Monday and silence adopts on a working day', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2026-12-28T15:00:00.000Z', {}, M1); // Monday: 29 December is left
    act(s, 'lift-hold', '2027-01-02T15:00:00.000Z', {}, M1); // Saturday
    expect(deadline(s, 'committee-review')).toBe('2027-01-05T04:59:59.999Z'); // close of Monday 4 January
    const fx = applyExpiries(s, T('2027-01-05T05:00:00.000Z'), POLICY);
    expect(fx.events.map((e) => [e.type, e.at])).toEqual([['adopted-by-silence', '2027-01-05T04:59:59.999Z']]);
  });

  it('placed on the last day, lifted on a Sunday: the report is adopted at the close of the next working day', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2026-12-29T15:00:00.000Z', {}, M1);
    act(s, 'lift-hold', '2027-01-03T15:00:00.000Z', {}, M1);
    expect(deadline(s, 'committee-review')).toBe('2027-01-05T04:59:59.999Z');
  });

  it('only the member who placed a hold lifts it; the secretariat records it on that member’s behalf', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2026-12-22T20:00:00.000Z', {}, M1);
    expect(refusal(s, { action: 'lift-hold', payload: {}, actor: M2 })).toMatch(/has no hold/);
    expect(refusal(s, { action: 'lift-hold', payload: { member: M1.email }, actor: M2 })).toBe(
      `only the member who placed a hold lifts it: ${M1.email}'s hold is theirs to lift`,
    );
    expect(refusal(s, { action: 'lift-hold', payload: { onBehalfOf: M1.email }, actor: CHAIR })).toMatch(
      /only the member/,
    );
    act(s, 'lift-hold', '2026-12-23T15:00:00.000Z', { onBehalfOf: M1.email, reference: 'note 2026/12' }, SECRETARIAT);
    expect(s.holds).toEqual([]);
    expect(s.history.at(-1)).toMatchObject({
      type: 'lift-hold',
      actor: SECRETARIAT.email,
      payload: { onBehalfOf: M1.email },
    });
  });
});

describe('an extension request', () => {
  it('holds the review open past its 30th day until it is granted or refused', () => {
    const s = inStateReview();
    act(s, 'request-extension', '2027-02-10T15:00:00.000Z', { reason: 'Consultations' }, STATE);
    expect(applyExpiries(s, T('2027-02-13T15:00:00.000Z'), POLICY).events).toEqual([]);
    expect(s.stage).toBe('state-review');
    // The held expiry does not wake the workflow over and over (once the reminders due are handled).
    const now = T('2027-02-13T15:00:00.000Z');
    takeDueReminders(s, POLICY, now, T('2026-11-21T12:00:00.000Z'));
    const wake = nextWakeAt(s, POLICY, now, T('2026-11-21T12:00:00.000Z'));
    expect(wake === null || wake > now).toBe(true);
  });

  it('granted after the 30th day, adds its 15 days to the original deadline', () => {
    const s = inStateReview();
    act(s, 'request-extension', '2027-02-10T15:00:00.000Z', {}, STATE);
    act(s, 'grant-extension', '2027-02-15T15:00:00.000Z', {}, SECRETARIAT);
    expect(deadline(s, 'state-review')).toBe('2027-02-27T04:59:59.999Z'); // close of Friday 26 February
  });

  it('refused after the 30th day, ends the review at once with no comments received, and tells the State why', () => {
    const s = inStateReview();
    act(s, 'request-extension', '2027-02-10T15:00:00.000Z', {}, STATE);
    expect(allowedActions(s)).toContain('refuse-extension');
    const fx = act(s, 'refuse-extension', '2027-02-15T15:00:00.000Z', { reason: 'Meeting schedule' }, SECRETARIAT);
    expect(s.extension).toBe('refused');
    expect(s.stage).toBe('finalizing');
    expect(fx.events.map((e) => [e.type, e.at])).toEqual([
      ['refuse-extension', '2027-02-15T15:00:00.000Z'],
      ['no-comments-received', '2027-02-15T15:00:00.000Z'],
    ]);
    expect(topics(fx)).toEqual([
      ['extension-refused', ['state-contact', 'case-officer']],
      ['no-comments-received', ['case-officer']],
    ]);
    expect(fx.notices[0]!.details).toEqual({ reason: 'Meeting schedule' });
    expect(deadline(s, 'finalizing')).toBe('2027-03-03T04:59:59.999Z'); // 15 days: close of Tuesday 2 March
  });

  it('refused before the 30th day, leaves the review running to its deadline', () => {
    const s = inStateReview();
    act(s, 'request-extension', '2027-02-01T15:00:00.000Z', {}, STATE);
    act(s, 'refuse-extension', '2027-02-02T15:00:00.000Z', { reason: 'No' }, SECRETARIAT);
    expect(s.stage).toBe('state-review');
    expect(applyExpiries(s, T('2027-02-12T05:00:00.000Z'), POLICY).events.map((e) => e.type)).toEqual([
      'no-comments-received',
    ]);
  });
});

describe('a receipt deemed, then confirmed with its real date', () => {
  it('moves the State report deadline to six months from the real date, once', () => {
    const s = adopted();
    applyExpiries(s, T('2027-01-12T05:00:00.000Z'), POLICY); // deemed at the close of Monday 11 January
    expect(s.items.receipt?.outcome).toBe('deemed-received');
    // Six months from the close of Monday 11 January: Sunday 11 July, moved to the close of Monday 12 July (EDT).
    expect(deadline(s, 'state-implementation-report')).toBe('2027-07-13T03:59:59.999Z');
    expect(allowedActions(s)).toContain('confirm-receipt');
    const fx = act(s, 'confirm-receipt', '2027-01-20T15:00:00.000Z', { receivedOn: '2027-01-06' }, STATE);
    expect(s.receivedAt).toBe('2027-01-07T04:59:59.999Z');
    expect(deadline(s, 'state-implementation-report')).toBe('2027-07-07T03:59:59.999Z');
    expect(topics(fx)).toEqual([['implementation-report-requested', ['state-contact']]]);
    expect(allowedActions(s)).not.toContain('confirm-receipt');
  });
});

describe('reminders during an outage', () => {
  it('records the reminders of a deadline that passed while the engine was down, with the reason, before the expiry', () => {
    const s = inStateReview();
    const back = T('2027-02-13T15:00:00.000Z');
    const sent = takeDueReminders(s, POLICY, back, T('2026-11-21T12:00:00.000Z'));
    applyExpiries(s, back, POLICY);
    const review = s.reminders.filter((r) => r.item === 'state-review');
    expect(review.map((r) => [r.kind, r.status, r.reason])).toEqual([
      ['before', 'skipped', 'its deadline passed before it could be sent (the engine was not running)'],
      ['before', 'skipped', 'its deadline passed before it could be sent (the engine was not running)'],
    ]);
    expect(sent.some((n) => n.item === 'state-review')).toBe(false);
    expect(s.stage).toBe('finalizing');
  });

  it('sends an overdue reminder late, saying so, and skips the earlier ones with the reason', () => {
    const s = start();
    takeDueReminders(s, POLICY, T('2026-12-01T00:00:00.000Z'), T('2026-11-21T12:00:00.000Z'));
    const sent = takeDueReminders(s, POLICY, T('2026-12-16T12:00:00.000Z'), T('2026-11-21T12:00:00.000Z'));
    const pao = s.reminders.filter((r) => r.item === 'pao' && r.at > '2026-12-04');
    expect(pao.map((r) => [r.kind, r.status])).toEqual([
      ['before', 'skipped'],
      ['due', 'skipped'],
      ['overdue', 'sent'],
    ]);
    expect(pao[1]!.reason).toBe('a later reminder for the same step was due at the same time');
    expect(pao[2]!.reason).toMatch(/^sent \d+ minute\(s\) late/);
    expect(sent.filter((n) => n.item === 'pao').map((n) => n.kind)).toEqual(['overdue']);
  });
});

describe('replies that arrive by note verbale', () => {
  const behalf = { onBehalfOf: 'POL', reference: 'NV/POL/2027/12', receivedOn: '2027-02-09' };

  it('are recorded by CTED or the secretariat naming the State, and the history says who recorded what for whom', () => {
    const s = inStateReview();
    expect(refusal(s, { action: 'record-comments', payload: {}, actor: CTED })).toBe(
      "record-comments is the State's reply: recorded by cted, it names the State (onBehalfOf POL)",
    );
    expect(refusal(s, { action: 'record-comments', payload: { onBehalfOf: 'NOR' }, actor: SECRETARIAT })).toMatch(
      /names the State \(onBehalfOf POL\)/,
    );
    act(s, 'record-comments', '2027-02-10T15:00:00.000Z', { summary: 'Two corrections', ...behalf });
    expect(s.history.at(-1)).toMatchObject({
      type: 'record-comments',
      actor: CTED.email,
      role: 'cted',
      payload: { summary: 'Two corrections', ...behalf },
    });
  });

  it('a State never speaks for another', () => {
    const s = inStateReview();
    expect(refusal(s, { action: 'record-comments', payload: { onBehalfOf: 'NOR' }, actor: STATE })).toBe(
      "onBehalfOf names the visit's State, POL",
    );
  });

  it('consent recorded on the State’s behalf is the State’s decision, recorded by the officer', () => {
    const s = adopted();
    act(s, 'record-consent', '2027-01-06T15:00:00.000Z', { scope: 'full', ...behalf });
    expect(s.consent).toMatchObject({
      scope: 'full',
      decidedBy: 'POL',
      recordedBy: CTED.email,
      reference: 'NV/POL/2027/12',
    });
  });
});

describe('consent', () => {
  it('reaches the partners the State named and the delegation, and the Committee hears of every decision', () => {
    const s = adopted();
    const fx = act(
      s,
      'record-consent',
      '2027-01-06T15:00:00.000Z',
      { scope: 'partial', sections: ['CFT'], partners: ['UNODC'] },
      STATE,
    );
    expect(topics(fx)).toEqual([
      ['report-shared', ['partner:UNODC', 'partner:UNOCT']],
      ['consent-recorded', ['committee', 'chair', 'secretariat']],
    ]);
    const withdrawn = act(s, 'record-consent', '2027-02-06T15:00:00.000Z', { scope: 'none' }, STATE);
    expect(topics(withdrawn)).toEqual([
      ['sharing-withdrawn', ['partner:UNODC', 'partner:UNOCT']],
      ['consent-recorded', ['committee', 'chair', 'secretariat']],
    ]);
  });

  it('can be recorded after the visit closed: the workflow keeps listening', () => {
    const s = adopted();
    act(s, 'confirm-receipt', '2027-01-06T15:00:00.000Z', {}, STATE);
    act(s, 'submit-implementation-report', '2027-03-01T15:00:00.000Z', {}, STATE);
    act(s, 'submit-follow-up-report', '2027-03-02T15:00:00.000Z');
    expect(s.stage).toBe('closed');
    expect(workflowEnds(s)).toBe(false);
    expect(allowedActions(s)).toEqual(['record-consent']);
    const fx = act(s, 'record-consent', '2029-05-01T14:00:00.000Z', { scope: 'full' }, STATE);
    expect(s.consent.scope).toBe('full');
    expect(fx.events.map((e) => [e.type, e.stage])).toEqual([['record-consent', 'closed']]);
    const v1 = { ...s, rules: 1 as const };
    expect(workflowEnds(v1)).toBe(true);
    expect(allowedActions(v1)).toEqual([]);
  });
});

describe('the Committee hears of the PAO', () => {
  it('record-pao notifies the Committee, the Chair and the secretariat', () => {
    expect(topics(act(start(), 'record-pao', '2026-12-01T15:00:00.000Z', { documentRef: 'PAO/166' }))).toEqual([
      ['pao-recorded', ['committee', 'chair', 'secretariat']],
    ]);
  });
});

describe('a corrected calendar published to a running visit', () => {
  it('moves the working-day deadlines it sets, records it, and tells those whose deadline moved', () => {
    const s = start();
    const corrected = { ...POLICY.calendar, holidays: [...HOLIDAYS, '2026-12-01'] };
    const { moved, effects, policy } = applyCalendar(
      s,
      POLICY,
      corrected,
      '2026-12 correction',
      T('2026-11-25T15:00:00.000Z'),
    );
    expect(moved).toEqual([
      { item: 'pao', from: '2026-12-08T04:59:59.999Z', to: '2026-12-09T04:59:59.999Z' },
      { item: 'ta-referral', from: '2026-12-08T04:59:59.999Z', to: '2026-12-09T04:59:59.999Z' },
    ]);
    expect(deadline(s, 'drafting')).toBe('2027-01-20T04:59:59.999Z'); // 60 calendar days: unchanged
    expect(policy.calendar.holidays).toContain('2026-12-01');
    expect(s.calendarVersion).toBe('2026-12 correction');
    expect(effects.events.map((e) => e.type)).toEqual(['calendar-published']);
    expect(effects.notices.map((n) => [n.topic, n.item, n.to, n.deadline])).toEqual([
      ['deadline-moved', 'pao', ['case-officer', 'secretariat'], '2026-12-09T04:59:59.999Z'],
      ['deadline-moved', 'ta-referral', ['case-officer', 'secretariat'], '2026-12-09T04:59:59.999Z'],
    ]);
    expect(new Set(effects.notices.map((n) => n.key)).size).toBe(2);
  });

  it('leaves alone a deadline a hold moved', () => {
    const s = inCommitteeReview();
    act(s, 'place-hold', '2026-12-22T20:00:00.000Z', {}, M1);
    act(s, 'lift-hold', '2026-12-24T15:00:00.000Z', {}, M1);
    const before = deadline(s, 'committee-review');
    const corrected = { ...POLICY.calendar, holidays: [...HOLIDAYS, '2026-12-28'] };
    applyCalendar(s, POLICY, corrected, 'v2', T('2026-12-24T16:00:00.000Z'));
    expect(deadline(s, 'committee-review')).toBe(before);
  });
});
