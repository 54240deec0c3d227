/**
 * The state machine under the third rules: the track by visit type, when each action on
 * recommendations is allowed and why one is refused, what a closed visit still takes, the changes
 * for the State's register (keyed and numbered in order), and visits of the earlier rules unchanged.
 */
import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  applyAction,
  applyExpiries,
  initialState,
  refusal,
  statusOf,
  trackOf,
  type Actor,
  type Effects,
  type VisitState,
  type VisitSummary,
} from '../../src/domain/visit';
import type { RecommendationInput } from '../../src/domain/recommendations/model';
import { VISIT_TYPES, type ActionName, type VisitType } from '../../src/domain/vocabulary';
import { resolvePolicy } from '../../src/infra/policy/loader';

const T = (iso: string) => Date.parse(iso);
const POLICY = resolvePolicy();

const visit = (type: VisitType = 'comprehensive'): VisitSummary => ({
  id: '166-POL',
  number: 166,
  state: 'POL',
  type,
  start: '2026-11-16',
  end: '2026-11-20',
  contacts: { caseOfficer: 'officer@cted.example.org', stateContact: 'focal.point@mission.example.org' },
  language: 'en',
});

const CTED: Actor = { email: 'officer@cted.example.org', role: 'cted' };
const STATE: Actor = { email: 'focal.point@mission.example.org', role: 'state' };
const CHAIR: Actor = { email: 'chair@un.example.org', role: 'chair' };
const UNODC: Actor = { email: 'ta@unodc.example.org', role: 'partner' };

const RECS: RecommendationInput[] = [
  { number: 1, text: 'Screen passengers', theme: 'border-management', priority: true, taNeed: 'API/PNR' },
  { number: 2, text: 'Amend the law', theme: 'legislation', priority: false },
];

let clock = T('2026-12-01T15:00:00.000Z');
function act(s: VisitState, action: ActionName, payload: Record<string, unknown> = {}, actor: Actor = CTED): Effects {
  clock += 3_600_000;
  const why = refusal(s, { action, payload, actor });
  if (why) throw new Error(why);
  return applyAction(s, { action, payload, actor, door: 'api' }, clock, POLICY);
}

/** A rules-3 visit of this type, adopted at a meeting (with recommendations when its type has them) and transmitted. */
function transmitted(type: VisitType = 'comprehensive', recs = RECS): { s: VisitState; fx: Effects[] } {
  clock = T('2026-12-01T15:00:00.000Z');
  const s = initialState(visit(type), POLICY, clock, 3).state;
  const fx: Effects[] = [];
  act(s, 'submit-draft');
  act(s, 'dispatch-draft');
  act(s, 'record-comments', {}, STATE);
  if (trackOf(s).recommendations) act(s, 'record-recommendations', { recommendations: recs });
  act(s, 'submit-final-draft');
  act(s, 'object', { reason: 'Discuss' }, CHAIR);
  fx.push(act(s, 'record-adoption', {}, CHAIR));
  act(s, 'transmit-report', {}, CHAIR);
  return { s, fx };
}

describe('the track by visit type', () => {
  it('gives every type recommendations and both reports, but advocacy none and follow-up no CTED report', () => {
    const tracks = Object.fromEntries(VISIT_TYPES.map((t) => [t, trackOf({ rules: 3, visit: { type: t } })]));
    expect(tracks.advocacy).toEqual({ recommendations: false, stateReport: false, ctedReport: false });
    expect(tracks['follow-up']).toEqual({ recommendations: true, stateReport: true, ctedReport: false });
    for (const t of VISIT_TYPES.filter((x) => x !== 'advocacy' && x !== 'follow-up'))
      expect(tracks[t], t).toEqual({ recommendations: true, stateReport: true, ctedReport: true });
    // Visits of the earlier rules keep the whole track, whatever their type.
    expect(trackOf({ rules: 2, visit: { type: 'advocacy' } })).toEqual({
      recommendations: false,
      stateReport: true,
      ctedReport: true,
    });
  });

  it('closes an advocacy visit on receipt: no recommendations, no reports, no report requested', () => {
    const { s } = transmitted('advocacy');
    expect(refusal(s, { action: 'record-recommendations', payload: { recommendations: RECS }, actor: CTED })).toMatch(
      /not allowed/,
    );
    expect(s.items['cted-follow-up-report']).toBeUndefined();
    const fx = act(s, 'confirm-receipt', {}, STATE);
    expect(s.stage).toBe('closed');
    expect(fx.notices.map((n) => n.topic)).toEqual(['visit-closed']);
    expect(s.items['state-implementation-report']).toBeUndefined();
  });

  it('an advocacy visit deemed received closes too', () => {
    const { s } = transmitted('advocacy');
    applyExpiries(s, T('2027-06-01T00:00:00.000Z'), POLICY);
    expect(s.stage).toBe('closed');
    expect(s.history.map((e) => e.type).slice(-2)).toEqual(['receipt-deemed', 'closed']);
  });

  it('closes a follow-up visit with the State report alone', () => {
    const { s } = transmitted('follow-up');
    act(s, 'confirm-receipt', {}, STATE);
    act(s, 'submit-implementation-report', {}, STATE);
    expect(s.stage).toBe('closed');
  });
});

describe('recommendations through the stages', () => {
  it('are recorded and replaced until adoption, which sends them to the register once', () => {
    clock = T('2026-12-01T15:00:00.000Z');
    const s = initialState(visit(), POLICY, clock, 3).state;
    expect(allowedActions(s)).toContain('record-recommendations');
    act(s, 'record-recommendations', { recommendations: [RECS[0]!] });
    act(s, 'record-recommendations', { recommendations: RECS, note: 'After the State comments' });
    expect(s.history.at(-1)!.payload).toEqual({ count: 2, priority: 1, note: 'After the State comments' });
    // Not the State's to see, nor to report on, before adoption.
    expect(statusOf(s, POLICY, clock).recommendations!.map((r) => r.id)).toEqual(['166-POL/R1', '166-POL/R2']);
    expect(allowedActions(s)).not.toContain('report-progress');
    const { fx } = transmitted();
    expect(fx[0]!.register).toEqual([
      expect.objectContaining({ type: 'recommendations-adopted', key: '166-POL#1', visit: '166-POL', by: CHAIR.email }),
    ]);
  });

  it('takes each change in order, numbering the keys', () => {
    const { s } = transmitted();
    act(s, 'confirm-receipt', {}, STATE);
    const keys = [
      act(s, 'agree-ta-needs', { recommendations: ['166-POL/R1'] }, STATE),
      act(s, 'refer-ta', { partners: ['UNODC'], recommendations: ['166-POL/R1'] }),
      act(s, 'record-ta-response', { recommendation: '166-POL/R1', partner: 'UNODC', response: 'accepted' }, UNODC),
      act(s, 'report-progress', { items: [{ recommendation: '166-POL/R2', status: 'not-started' }] }, STATE),
    ].flatMap((f) => (f.register ?? []).map((c) => `${c.key} ${c.type}`));
    expect(keys).toEqual([
      '166-POL#2 ta-agreed',
      '166-POL#3 ta-referred',
      '166-POL#4 ta-response',
      '166-POL#5 progress-reported',
    ]);
  });

  it('refuses what does not fit, naming why', () => {
    const { s } = transmitted();
    const why = (action: ActionName, payload: Record<string, unknown>, actor = CTED) =>
      refusal(s, { action, payload, actor });
    expect(why('report-progress', { items: [{ recommendation: '166-POL/R7', status: 'implemented' }] }, STATE)).toBe(
      'visit 166-POL has no adopted recommendation 166-POL/R7',
    );
    expect(why('agree-ta-needs', { recommendations: ['166-POL/R2'] }, STATE)).toBe(
      "no TA need awaits the State's agreement in 166-POL/R2",
    );
    expect(why('refer-ta', { partners: ['UNODC'], recommendations: ['166-POL/R1'] })).toBe(
      'only needs the State agreed are referred: 166-POL/R1 is not agreed',
    );
    expect(why('record-ta-response', { recommendation: '166-POL/R1', partner: 'UNODC', response: 'accepted' })).toMatch(
      /not allowed/,
    );
    expect(why('assess-recommendation', { items: [{ recommendation: '101-POL/R1', status: 'implemented' }] })).toBe(
      'visit 166-POL assesses its own adopted recommendations and the earlier ones it follows up; not 101-POL/R1',
    );
    // A State's progress recorded by CTED names the State.
    expect(why('report-progress', { items: [{ recommendation: '166-POL/R1', status: 'implemented' }] })).toMatch(
      /onBehalfOf POL/,
    );
    act(s, 'agree-ta-needs', { recommendations: ['166-POL/R1'] }, STATE);
    act(s, 'refer-ta', { partners: ['UNODC'], recommendations: ['166-POL/R1'] });
    expect(why('refer-ta', { partners: ['UNODC', 'UNDP'], recommendations: ['166-POL/R1'] })).toBe(
      'already referred: 166-POL/R1 to UNODC',
    );
    // Delivery comes once a partner accepted.
    expect(why('record-ta-delivery', { recommendation: '166-POL/R1', partner: 'UNODC', status: 'delivered' })).toMatch(
      /record-ta-delivery is not allowed/,
    );
    expect(why('record-ta-response', { recommendation: '166-POL/R1', partner: 'UNDP', response: 'accepted' })).toBe(
      "166-POL/R1's need was not referred to UNDP",
    );
  });

  it('keeps a closed visit open to progress, assessments and the TA loop, with the answer clock still reminding', () => {
    const { s } = transmitted('follow-up');
    act(s, 'confirm-receipt', {}, STATE);
    act(s, 'agree-ta-needs', { recommendations: ['166-POL/R1'] }, STATE);
    act(s, 'refer-ta', { partners: ['UNODC'], recommendations: ['166-POL/R1'] });
    act(s, 'submit-implementation-report', {}, STATE);
    expect(s.stage).toBe('closed');
    expect(s.items['ta-response']?.closedAt).toBeUndefined();
    expect(allowedActions(s)).toEqual([
      'refer-ta',
      'record-ta-response',
      'record-consent',
      'report-progress',
      'assess-recommendation',
    ]);
  });

  it('leaves visits of rules 2 as they were: no recommendation action anywhere', () => {
    clock = T('2026-12-01T15:00:00.000Z');
    const s = initialState(visit(), POLICY, clock, 2).state;
    expect(allowedActions(s)).not.toContain('record-recommendations');
    expect(refusal(s, { action: 'record-recommendations', payload: { recommendations: RECS }, actor: CTED })).toMatch(
      /not allowed/,
    );
  });
});
