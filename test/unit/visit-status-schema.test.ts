/**
 * The zod schemas of what a query returns (VisitStatus, VisitSnapshot, PartnerView) against real
 * statuses of visits driven through the state machine the way the workflow drives it. Parsing
 * strips unknown keys, so `parse(x)` deep-equal to `x` means every key `statusOf` writes is in the
 * schema, at every depth; and every key the schema names must show up in some status.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PartnerView, partnerView } from '../../src/domain/permissions';
import {
  VisitSnapshot,
  VisitStatus,
  applyAction,
  applyExpiries,
  initialState,
  refusal,
  snapshotOf,
  statusOf,
  takeDueReminders,
  takesReminders,
  type Actor,
  type VisitState,
  type VisitSummary,
} from '../../src/domain/visit';
import type { ActionName } from '../../src/domain/vocabulary';
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
  groupId: 'R-2026-1',
  contacts: {
    caseOfficer: 'officer@cted.example.org',
    stateContact: 'focal.point@mission.example.org',
    permanentMission: 'mission@mission.example.org',
  },
  language: 'en',
};
const BARE: VisitSummary = {
  id: '167-CHL',
  number: 167,
  state: 'CHL',
  type: 'focused',
  start: '2026-11-16',
  end: '2026-11-20',
  contacts: { caseOfficer: 'officer@cted.example.org', stateContact: 'focal.point@chile.example.org' },
  language: 'es',
};

const OFFICER: Actor = { email: 'officer@cted.example.org', role: 'cted' };
const STATE: Actor = { email: 'focal.point@mission.example.org', role: 'state' };
const CHAIR: Actor = { email: 'chair@un.example.org', role: 'chair' };
const M1: Actor = { email: 'member1@un.example.org', role: 'committee' };
const M2: Actor = { email: 'member2@un.example.org' };

/** A visit driven as the workflow does: at each instant the clocks and reminders first, then the action. */
class Drive {
  readonly state: VisitState;
  readonly statuses: VisitStatus[] = [];

  constructor(visit: VisitSummary, startedAt = '2026-11-21T12:00:00.000Z', rules: 2 | 3 = 2) {
    this.state = initialState(visit, POLICY, T(startedAt), rules).state;
    this.look(startedAt);
  }

  /** Lets time pass to `at`: expiries, reminders due, and a status taken then. */
  look(at: string): this {
    applyExpiries(this.state, T(at), POLICY);
    if (takesReminders(this.state)) takeDueReminders(this.state, POLICY, T(at), T('2026-11-21T12:00:00.000Z'));
    this.statuses.push(structuredClone(statusOf(this.state, POLICY, T(at))));
    return this;
  }

  act(action: ActionName, at: string, payload: Record<string, unknown> = {}, actor: Actor = OFFICER): this {
    this.look(at);
    expect(refusal(this.state, { action, payload, actor })).toBeNull();
    applyAction(this.state, { action, payload, actor, door: 'api' }, T(at), POLICY);
    return this.look(at);
  }
}

/** Through every stage: an extension, two holds and an objection, adoption at a meeting, consent given then withdrawn. */
function fullLifecycle(): Drive {
  return new Drive(VISIT)
    .act('record-pao', '2026-12-01T15:00:00.000Z', { documentRef: 'CTED/PAO/166', note: 'Sent to the Committee' })
    .act('refer-ta', '2026-12-10T15:00:00.000Z', {
      partners: ['UNODC', 'UNOCT'],
      needs: 'Border security',
      agreedOn: '2026-12-09',
    })
    .act('submit-draft', '2027-01-25T15:00:00.000Z')
    .act('dispatch-draft', '2027-01-26T15:00:00.000Z')
    .act('request-extension', '2027-02-10T15:00:00.000Z', { reason: 'Ministries consulted' }, STATE)
    .act('grant-extension', '2027-02-11T15:00:00.000Z', {}, CHAIR)
    .act('record-comments', '2027-03-01T15:00:00.000Z', { summary: 'Two corrections' }, STATE)
    .act('submit-final-draft', '2027-03-03T15:00:00.000Z')
    .act('place-hold', '2027-03-04T15:00:00.000Z', { reason: 'Capital review' }, M1)
    .act('place-hold', '2027-03-04T16:00:00.000Z', {}, M2)
    .act('lift-hold', '2027-03-05T15:00:00.000Z', {}, M2)
    .act('object', '2027-03-05T16:00:00.000Z', { reason: 'Paragraph 12' }, M1)
    .act('record-adoption', '2027-03-15T15:00:00.000Z', { meetingDate: '2027-03-15' }, CHAIR)
    .act('invite-briefing', '2027-03-16T15:00:00.000Z', { date: '2027-06-01' }, CHAIR)
    .act('transmit-report', '2027-03-30T15:00:00.000Z', {}, CHAIR)
    .act('record-consent', '2027-04-02T15:00:00.000Z', { scope: 'partial', priorityTaNeedsOnly: true }, STATE)
    .look('2027-06-30T15:00:00.000Z')
    .act('record-consent', '2027-07-01T15:00:00.000Z', { scope: 'none' }, STATE)
    .act('record-briefing', '2027-07-02T15:00:00.000Z', { date: '2027-07-01' }, CHAIR)
    .look('2027-12-01T15:00:00.000Z')
    .act('submit-implementation-report', '2027-12-02T15:00:00.000Z', { summary: 'Steps taken' }, STATE)
    .look('2028-04-01T15:00:00.000Z')
    .act('submit-follow-up-report', '2028-04-02T15:00:00.000Z')
    .look('2028-05-01T15:00:00.000Z');
}

/** Silence all the way: no comments, adoption by silence, receipt deemed; full consent with named sections. */
function silentLifecycle(): Drive {
  return new Drive(BARE)
    .act('submit-draft', '2027-01-11T15:00:00.000Z')
    .act('dispatch-draft', '2027-01-12T15:00:00.000Z')
    .look('2027-02-20T15:00:00.000Z')
    .act('submit-final-draft', '2027-03-01T15:00:00.000Z')
    .look('2027-03-20T15:00:00.000Z')
    .act('transmit-report', '2027-03-22T15:00:00.000Z', {}, CHAIR)
    .look('2027-05-25T15:00:00.000Z')
    .act('record-consent', '2027-05-26T15:00:00.000Z', { scope: 'partial', sections: ['I', 'III'] }, STATE)
    .act(
      'record-consent',
      '2027-05-27T15:00:00.000Z',
      {
        scope: 'full',
        note: 'Decided by the Minister',
        onBehalfOf: 'CHL',
        reference: 'NV/CHL/27',
        partners: ['UNODC'],
      },
      OFFICER,
    )
    .look('2027-11-01T15:00:00.000Z');
}

const UNODC: Actor = { email: 'focal@unodc.example.org', role: 'partner' };
const R = (n: number) => `170-POL/R${n}`;

/** Rules 3: a follow-up visit with recommendations, one superseding an earlier one, TA referred, answered and delivered. */
function recommendationsLifecycle(): Drive {
  const d = new Drive({ ...VISIT, id: '170-POL', number: 170, type: 'follow-up', followsUp: '101-POL' }, undefined, 3);
  d.state.earlier = [
    {
      id: '101-POL/R1',
      text: 'Adopt a law',
      theme: 'legislation',
      priority: true,
      assessedStatus: 'insufficient-information',
    },
    {
      id: '101-POL/R2',
      text: 'Train judges',
      theme: 'criminal-justice',
      priority: false,
      assessedStatus: 'partially-implemented',
    },
  ];
  const recommendations = [
    { number: 1, text: 'Screen passengers', theme: 'border-management', priority: true, taNeed: 'API/PNR system' },
    { number: 2, text: 'Amend the law', theme: 'legislation', priority: false, supersedes: ['101-POL/R1'] },
    { number: 3, text: 'Train prosecutors', theme: 'criminal-justice', priority: false, taNeed: 'Training' },
  ];
  return d
    .act('record-recommendations', '2026-12-20T15:00:00.000Z', { recommendations, note: 'From the mission' })
    .act('submit-draft', '2027-01-11T15:00:00.000Z')
    .act('dispatch-draft', '2027-01-12T15:00:00.000Z')
    .act('record-comments', '2027-01-20T15:00:00.000Z', {}, STATE)
    .act('submit-final-draft', '2027-01-25T15:00:00.000Z')
    .look('2027-02-15T15:00:00.000Z')
    .act('transmit-report', '2027-02-16T15:00:00.000Z', {}, CHAIR)
    .act('confirm-receipt', '2027-02-17T15:00:00.000Z', {}, STATE)
    .act('agree-ta-needs', '2027-02-18T15:00:00.000Z', { recommendations: [R(1), R(3)] }, STATE)
    .act('refer-ta', '2027-02-19T15:00:00.000Z', { partners: ['UNODC', 'UNDP'], recommendations: [R(1), R(3)] })
    .act(
      'record-ta-response',
      '2027-02-22T15:00:00.000Z',
      { recommendation: R(1), partner: 'UNODC', response: 'accepted', note: 'In our 2027 plan' },
      UNODC,
    )
    .act('record-ta-response', '2027-02-23T15:00:00.000Z', {
      recommendation: R(1),
      partner: 'UNDP',
      response: 'declined',
    })
    .act(
      'record-ta-delivery',
      '2027-03-01T15:00:00.000Z',
      { recommendation: R(1), partner: 'UNODC', status: 'delivering', text: 'Workshop' },
      UNODC,
    )
    .look('2027-04-15T15:00:00.000Z')
    .act(
      'report-progress',
      '2027-05-01T15:00:00.000Z',
      { items: [{ recommendation: R(1), status: 'in-progress', text: 'Tender out' }] },
      STATE,
    )
    .act(
      'report-progress',
      '2027-05-02T15:00:00.000Z',
      { items: [{ recommendation: R(2), status: 'implemented' }], onBehalfOf: 'POL', reference: 'NV/POL/27/5' },
      OFFICER,
    )
    .act('record-consent', '2027-05-03T15:00:00.000Z', { scope: 'full' }, STATE)
    .act('assess-recommendation', '2027-06-01T15:00:00.000Z', {
      items: [
        { recommendation: R(1), status: 'partially-implemented', note: 'Tender only' },
        { recommendation: '101-POL/R2', status: 'implemented', note: 'Seen in court records' },
      ],
    })
    .act(
      'submit-implementation-report',
      '2027-08-01T15:00:00.000Z',
      {
        progress: [{ recommendation: R(3), status: 'not-started' }],
      },
      STATE,
    )
    .look('2027-09-01T15:00:00.000Z');
}

function withdrawn(): Drive {
  return new Drive(VISIT)
    .act('record-pao', '2026-12-01T15:00:00.000Z')
    .act('withdraw', '2026-12-20T15:00:00.000Z', { reason: 'Visit cancelled' }, CHAIR);
}

const DRIVES = {
  full: fullLifecycle(),
  silent: silentLifecycle(),
  withdrawn: withdrawn(),
  recommendations: recommendationsLifecycle(),
};
const ALL = Object.values(DRIVES).flatMap((d) => d.statuses);

/** Dotted key paths (`[]` for array items) of a JSON Schema, through objects, arrays and unions. */
function schemaPaths(s: any, prefix = ''): string[] {
  if (s.anyOf) return (s.anyOf as unknown[]).flatMap((x) => schemaPaths(x, prefix));
  if (s.type === 'array') return schemaPaths(s.items, `${prefix}[].`);
  if (s.type === 'object' && s.properties)
    return Object.entries(s.properties).flatMap(([k, v]) => [`${prefix}${k}`, ...schemaPaths(v, `${prefix}${k}.`)]);
  return [];
}

function valuePaths(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => valuePaths(x, `${prefix}[].`));
  if (v !== null && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [`${prefix}${k}`, ...valuePaths(x, `${prefix}${k}.`)]);
  return [];
}

describe('VisitStatus', () => {
  it('is driven through every stage: the runs end closed, implementing and withdrawn, with reminders sent and skipped', () => {
    expect(Object.values(DRIVES).map((d) => d.state.stage)).toEqual(['closed', 'implementing', 'withdrawn', 'closed']);
    const reminders = ALL.flatMap((s) => s.reminders);
    expect(new Set(reminders.map((r) => r.status))).toEqual(new Set(['sent', 'skipped']));
    expect(new Set(reminders.map((r) => r.kind))).toEqual(new Set(['before', 'due', 'overdue', 'follow-up']));
  });

  it.each(Object.keys(DRIVES))(
    'describes every status of the %s visit exactly: nothing missing, nothing unknown',
    (name) => {
      const { statuses } = DRIVES[name as keyof typeof DRIVES];
      expect(statuses.length).toBeGreaterThan(3);
      for (const status of statuses) expect(VisitStatus.parse(status)).toStrictEqual(status);
    },
  );

  it('names no key that statusOf never writes', () => {
    const seen = new Set(ALL.flatMap((s) => valuePaths(s)));
    const paths = schemaPaths(z.toJSONSchema(VisitStatus));
    expect(paths.length).toBeGreaterThan(60);
    expect(paths.filter((p) => !seen.has(p))).toEqual([]);
  });

  it('would notice a key it does not know, or a null where a key is left out', () => {
    const status = DRIVES.full.statuses.at(-1)!;
    const extra = structuredClone(status);
    Object.assign(extra.closedItems[0]!, { reopenedAt: '2027-01-01T00:00:00.000Z' });
    expect(VisitStatus.parse(extra)).not.toStrictEqual(extra);
    expect(VisitStatus.safeParse({ ...status, stateName: null }).success).toBe(false);
    expect(VisitStatus.safeParse({ ...status, nextDeadline: undefined }).success).toBe(false);
  });
});

describe('VisitSnapshot', () => {
  it('is the status without history and reminders, as snapshotOf builds it', () => {
    const d = fullLifecycle();
    const snapshot = snapshotOf(d.state, POLICY, T('2028-05-01T15:00:00.000Z'));
    expect(VisitSnapshot.parse(snapshot)).toStrictEqual(snapshot);
    expect(Object.keys(VisitSnapshot.shape)).toEqual(
      Object.keys(VisitStatus.shape).filter((k) => k !== 'history' && k !== 'reminders'),
    );
    expect(snapshot).toEqual(
      (({ history: _h, reminders: _r, ...rest }) => rest)(statusOf(d.state, POLICY, T('2028-05-01T15:00:00.000Z'))),
    );
  });
});

describe('PartnerView', () => {
  it('describes exactly what a partner is shown of each consented visit', () => {
    const consented = ALL.filter((s) => s.adoptedAt !== null && s.consent.scope !== 'none');
    expect(new Set(consented.map((s) => s.consent.scope))).toEqual(new Set(['partial', 'full']));
    const views = consented.map((s) => partnerView(s, 'UNODC'));
    expect(views.some((v) => v.referrals?.length)).toBe(true);
    for (const view of views) expect(PartnerView.parse(view)).toStrictEqual(view);
    const seen = new Set(views.flatMap((v) => valuePaths(v)));
    expect(schemaPaths(z.toJSONSchema(PartnerView)).filter((p) => !seen.has(p))).toEqual([]);
  });
});
