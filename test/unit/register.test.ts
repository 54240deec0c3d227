/** A State's register of recommendations: each change type, duplicates, supersede, TA derivation, filters. */
import { describe, expect, it } from 'vitest';
import {
  RegisterChange,
  RegisterState,
  type RecommendationInput,
  type RecommendationRecord,
} from '../../src/domain/recommendations/model';
import {
  applyChange,
  emptyRegister,
  filterRecords,
  openRecommendations,
  taStatusOf,
} from '../../src/domain/recommendations/register';

const CTED = 'officer@cted.example.org';
const STATE = 'focal.point@mission.example.org';
const at = (day: number) => new Date(Date.UTC(2027, 0, day, 15)).toISOString();

const rec = (number: number, over: Partial<RecommendationInput> = {}): RecommendationInput => ({
  number,
  text: `Recommendation ${number}`,
  theme: 'legislation',
  priority: false,
  ...over,
});

function adoption(visit: string, seq: number, recommendations: RecommendationInput[], day = 1): RegisterChange {
  return RegisterChange.parse({
    type: 'recommendations-adopted',
    key: `${visit}#${seq}`,
    visit,
    recommendations,
    visitEnd: '2026-11-20',
    at: at(day),
    by: CTED,
  });
}

const find = (reg: RegisterState, id: string): RecommendationRecord => {
  const r = reg.records.find((x) => x.id === id);
  if (!r) throw new Error(`no ${id}`);
  return r;
};

/** The register after 166-POL adopted R1 (priority, TA need), R2, R3 (TA need). */
function adoptedRegister(): RegisterState {
  const reg = emptyRegister('POL');
  applyChange(
    reg,
    adoption('166-POL', 1, [
      rec(1, { priority: true, taNeed: 'Training for prosecutors', theme: 'criminal-justice' }),
      rec(2),
      rec(3, { taNeed: 'Border database' }),
    ]),
  );
  return reg;
}

describe('adoption', () => {
  it('enters each recommendation open, unassessed, with its TA need identified', () => {
    const reg = adoptedRegister();
    expect(reg.changes).toBe(1);
    expect(reg.lastSeq).toEqual({ '166-POL': 1 });
    expect(reg.records.map((r) => r.id)).toEqual(['166-POL/R1', '166-POL/R2', '166-POL/R3']);
    expect(find(reg, '166-POL/R1')).toEqual({
      id: '166-POL/R1',
      visit: '166-POL',
      state: 'POL',
      number: 1,
      text: 'Recommendation 1',
      theme: 'criminal-justice',
      priority: true,
      taNeed: 'Training for prosecutors',
      adoptedAt: at(1),
      visitEnd: '2026-11-20',
      reportedStatus: null,
      assessedStatus: { status: 'insufficient-information', at: at(1), by: CTED },
      status: 'open',
      supersededBy: null,
      supersedes: [],
      ta: { status: 'identified', partners: [], answerBy: null },
      history: [{ type: 'recommendations-adopted', at: at(1), by: CTED }],
    });
    expect(find(reg, '166-POL/R2').ta).toBeNull();
    expect(() => RegisterState.parse(reg)).not.toThrow();
  });

  it('takes no recommendations of another State', () => {
    const reg = emptyRegister('POL');
    expect(applyChange(reg, adoption('170-FRA', 1, [rec(1)]))).toBe(true);
    expect(reg.records).toEqual([]);
  });

  it('replaces the recommendations of a visit adopting again after a return to CTED', () => {
    const reg = adoptedRegister();
    applyChange(reg, {
      type: 'progress-reported',
      key: '166-POL#2',
      items: [{ recommendation: '166-POL/R2', status: 'in-progress' }],
      at: at(2),
      by: STATE,
    });
    // Amended: R1 loses its TA need, R2 (already reported on) reworded, R3 dropped, R4 added.
    applyChange(reg, adoption('166-POL', 3, [rec(1, { text: 'Amended 1' }), rec(2, { text: 'Amended 2' }), rec(4)], 3));
    expect(reg.records.map((r) => r.id)).toEqual(['166-POL/R1', '166-POL/R2', '166-POL/R4']);
    const r1 = find(reg, '166-POL/R1');
    expect([r1.text, r1.taNeed, r1.ta, r1.adoptedAt, r1.priority]).toEqual(['Amended 1', null, null, at(3), false]);
    expect(r1.history.map((h) => h.type)).toEqual(['recommendations-adopted', 'recommendations-adopted']);
    const r2 = find(reg, '166-POL/R2');
    expect([r2.text, r2.reportedStatus?.status, r2.adoptedAt]).toEqual(['Amended 2', 'in-progress', at(1)]);
    expect(r2.history.map((h) => h.type)).toEqual([
      'recommendations-adopted',
      'progress-reported',
      'recommendations-adopted',
    ]);
  });
});

describe('changes applied once', () => {
  it('ignores a change whose seq was applied before, and says so', () => {
    const reg = adoptedRegister();
    const progress: RegisterChange = {
      type: 'progress-reported',
      key: '166-POL#2',
      items: [{ recommendation: '166-POL/R1', status: 'implemented' }],
      at: at(2),
      by: STATE,
    };
    expect(applyChange(reg, progress)).toBe(true);
    expect(applyChange(reg, progress)).toBe(false);
    expect(applyChange(reg, adoption('166-POL', 1, [rec(9)]))).toBe(false);
    expect(applyChange(reg, { ...progress, key: 'no key' })).toBe(false);
    expect(reg.changes).toBe(2);
    expect(reg.lastSeq).toEqual({ '166-POL': 2 });
    expect(find(reg, '166-POL/R1').history).toHaveLength(2);
    expect(reg.records).toHaveLength(3);
  });

  it('keeps each visit its own sequence', () => {
    const reg = adoptedRegister();
    expect(applyChange(reg, adoption('190-POL', 1, [rec(1)]))).toBe(true);
    expect(reg.lastSeq).toEqual({ '166-POL': 1, '190-POL': 1 });
  });

  it('changes the recommendations it knows and passes over the ones it does not', () => {
    const reg = adoptedRegister();
    const applied = applyChange(reg, {
      type: 'assessed',
      key: '166-POL#2',
      items: [
        { recommendation: '166-POL/R9', status: 'implemented' },
        { recommendation: '166-POL/R2', status: 'not-implemented' },
      ],
      at: at(2),
      by: CTED,
    });
    expect(applied).toBe(true);
    expect(find(reg, '166-POL/R2').assessedStatus.status).toBe('not-implemented');
    expect(reg.records).toHaveLength(3);
  });
});

describe('progress and assessment', () => {
  it('records the State’s report, attributed, with a compact history entry', () => {
    const reg = adoptedRegister();
    applyChange(reg, {
      type: 'progress-reported',
      key: '166-POL#2',
      items: [{ recommendation: '166-POL/R1', status: 'partially-implemented', text: 'A bill is before parliament.' }],
      at: at(5),
      by: 'secretariat@un.example.org',
      onBehalfOf: 'POL',
      reference: 'POL/NV/2027/12',
    });
    const r1 = find(reg, '166-POL/R1');
    expect(r1.reportedStatus).toEqual({
      status: 'partially-implemented',
      text: 'A bill is before parliament.',
      at: at(5),
      by: 'secretariat@un.example.org',
      onBehalfOf: 'POL',
      reference: 'POL/NV/2027/12',
    });
    expect(r1.history[1]).toEqual({
      type: 'progress-reported',
      at: at(5),
      by: 'secretariat@un.example.org',
      onBehalfOf: 'POL',
      reference: 'POL/NV/2027/12',
      detail: { status: 'partially-implemented' },
    });
    expect(r1.status).toBe('open');
  });

  it('closes on implemented or no longer relevant, and reopens on a later assessment', () => {
    const reg = adoptedRegister();
    applyChange(reg, {
      type: 'assessed',
      key: '166-POL#2',
      items: [
        { recommendation: '166-POL/R1', status: 'implemented', note: 'Law adopted in 2027.' },
        { recommendation: '166-POL/R2', status: 'no-longer-relevant' },
        { recommendation: '166-POL/R3', status: 'largely-implemented' },
      ],
      at: at(6),
      by: CTED,
    });
    expect(reg.records.map((r) => [r.id, r.status])).toEqual([
      ['166-POL/R1', 'closed'],
      ['166-POL/R2', 'closed'],
      ['166-POL/R3', 'open'],
    ]);
    expect(find(reg, '166-POL/R1').assessedStatus).toEqual({
      status: 'implemented',
      note: 'Law adopted in 2027.',
      at: at(6),
      by: CTED,
    });
    applyChange(reg, {
      type: 'assessed',
      key: '166-POL#3',
      items: [{ recommendation: '166-POL/R1', status: 'partially-implemented' }],
      at: at(7),
      by: CTED,
    });
    expect(find(reg, '166-POL/R1').status).toBe('open');
    expect(find(reg, '166-POL/R1').history.map((h) => h.detail)).toEqual([
      undefined,
      { status: 'implemented' },
      { status: 'partially-implemented' },
    ]);
  });
});

describe('supersede', () => {
  it('closes the earlier recommendation a follow-up visit’s recommendation replaces', () => {
    const reg = adoptedRegister();
    applyChange(reg, adoption('190-POL', 1, [rec(1, { supersedes: ['166-POL/R2', '166-POL/R77'] })], 10));
    const old = find(reg, '166-POL/R2');
    expect([old.status, old.supersededBy]).toEqual(['closed', '190-POL/R1']);
    expect(old.history.at(-1)).toEqual({
      type: 'superseded',
      at: at(10),
      by: CTED,
      detail: { supersededBy: '190-POL/R1' },
    });
    expect(find(reg, '190-POL/R1').supersedes).toEqual(['166-POL/R2', '166-POL/R77']);
    // A superseded recommendation stays closed whatever its assessment.
    applyChange(reg, {
      type: 'assessed',
      key: '190-POL#2',
      items: [{ recommendation: '166-POL/R2', status: 'not-implemented' }],
      at: at(11),
      by: CTED,
    });
    expect(find(reg, '166-POL/R2').status).toBe('closed');
    expect(openRecommendations(reg.records).map((r) => r.id)).toEqual(['166-POL/R1', '166-POL/R3', '190-POL/R1']);
  });

  it('reopens the earlier one when an amended adoption no longer supersedes it', () => {
    const reg = adoptedRegister();
    applyChange(reg, adoption('190-POL', 1, [rec(1, { supersedes: ['166-POL/R2'] })], 10));
    applyChange(reg, adoption('190-POL', 2, [rec(1, { supersedes: ['166-POL/R3'] })], 11));
    expect([find(reg, '166-POL/R2').status, find(reg, '166-POL/R2').supersededBy]).toEqual(['open', null]);
    expect(find(reg, '166-POL/R2').history.at(-1)?.type).toBe('supersede-withdrawn');
    expect([find(reg, '166-POL/R3').status, find(reg, '166-POL/R3').supersededBy]).toEqual(['closed', '190-POL/R1']);
  });
});

describe('technical assistance', () => {
  it('goes identified, agreed, referred, then follows its partners', () => {
    const reg = adoptedRegister();
    const ta = () => find(reg, '166-POL/R1').ta;
    applyChange(reg, {
      type: 'ta-agreed',
      key: '166-POL#2',
      recommendations: ['166-POL/R1', '166-POL/R3'],
      at: at(2),
      by: STATE,
    });
    expect([ta()?.status, find(reg, '166-POL/R3').ta?.status]).toEqual(['agreed', 'agreed']);
    applyChange(reg, {
      type: 'ta-referred',
      key: '166-POL#3',
      recommendations: ['166-POL/R1'],
      partners: ['UNODC', 'UNOCT'],
      answerBy: '2027-02-15T04:59:59.999Z',
      at: at(3),
      by: CTED,
    });
    expect(ta()).toEqual({
      status: 'referred',
      answerBy: '2027-02-15T04:59:59.999Z',
      partners: [
        { partner: 'UNODC', status: 'referred', at: at(3) },
        { partner: 'UNOCT', status: 'referred', at: at(3) },
      ],
    });
    const step = (seq: number, partner: string, s: 'accepted' | 'declined' | 'delivering' | 'delivered') =>
      applyChange(
        reg,
        s === 'accepted' || s === 'declined'
          ? {
              type: 'ta-response',
              key: `166-POL#${seq}`,
              recommendation: '166-POL/R1',
              partner,
              response: s,
              at: at(seq),
              by: CTED,
            }
          : {
              type: 'ta-delivery',
              key: `166-POL#${seq}`,
              recommendation: '166-POL/R1',
              partner,
              status: s,
              text: 'Workshop',
              at: at(seq),
              by: 'ta@unodc.example.org',
            },
      );
    step(4, 'UNOCT', 'declined');
    expect(ta()?.status).toBe('referred');
    step(5, 'UNODC', 'accepted');
    expect(ta()?.status).toBe('accepted');
    step(6, 'UNODC', 'delivering');
    expect(ta()?.status).toBe('delivering');
    step(7, 'UNODC', 'delivered');
    expect(ta()?.status).toBe('delivered');
    expect(ta()?.partners).toEqual([
      { partner: 'UNODC', status: 'delivered', at: at(7), text: 'Workshop' },
      { partner: 'UNOCT', status: 'declined', at: at(4) },
    ]);
    expect(find(reg, '166-POL/R1').history.map((h) => [h.type, h.detail])).toEqual([
      ['recommendations-adopted', undefined],
      ['ta-agreed', undefined],
      ['ta-referred', { partners: ['UNODC', 'UNOCT'], answerBy: '2027-02-15T04:59:59.999Z' }],
      ['ta-response', { partner: 'UNOCT', status: 'declined' }],
      ['ta-response', { partner: 'UNODC', status: 'accepted' }],
      ['ta-delivery', { partner: 'UNODC', status: 'delivering' }],
      ['ta-delivery', { partner: 'UNODC', status: 'delivered' }],
    ]);
    expect(() => RegisterState.parse(reg)).not.toThrow();
  });

  it('derives a need’s status from its partners', () => {
    const of = (...statuses: ('referred' | 'accepted' | 'declined' | 'delivering' | 'delivered')[]) =>
      taStatusOf({
        status: 'agreed',
        answerBy: null,
        partners: statuses.map((status, i) => ({ partner: `P${i}`, status, at: at(1) })),
      });
    expect(of()).toBe('agreed');
    expect(of('referred', 'declined')).toBe('referred');
    expect(of('declined', 'declined')).toBe('declined');
    expect(of('declined', 'accepted', 'referred')).toBe('accepted');
    expect(of('accepted', 'delivering')).toBe('delivering');
    expect(of('delivering', 'delivered', 'declined')).toBe('delivered');
    expect(taStatusOf({ status: 'identified', answerBy: null, partners: [] })).toBe('identified');
  });

  it('does not take an agreement back once referred', () => {
    const reg = adoptedRegister();
    applyChange(reg, { type: 'ta-agreed', key: '166-POL#2', recommendations: ['166-POL/R1'], at: at(2), by: STATE });
    applyChange(reg, {
      type: 'ta-referred',
      key: '166-POL#3',
      recommendations: ['166-POL/R1'],
      partners: ['UNODC'],
      answerBy: null,
      at: at(3),
      by: CTED,
    });
    applyChange(reg, { type: 'ta-agreed', key: '166-POL#4', recommendations: ['166-POL/R1'], at: at(4), by: STATE });
    expect(find(reg, '166-POL/R1').ta?.status).toBe('referred');
  });
});

describe('filters and order', () => {
  function register(): RegisterState {
    const reg = emptyRegister('POL');
    applyChange(reg, adoption('1001-POL', 1, [rec(2), rec(10, { priority: true })]));
    applyChange(reg, adoption('166-POL', 1, [rec(12, { priority: true }), rec(3)]));
    applyChange(reg, {
      type: 'assessed',
      key: '166-POL#2',
      items: [{ recommendation: '166-POL/R12', status: 'implemented' }],
      at: at(2),
      by: CTED,
    });
    return reg;
  }
  const ids = (rs: RecommendationRecord[]) => rs.map((r) => r.id);

  it('sorts by visit number, then recommendation number', () => {
    expect(ids(filterRecords(register().records))).toEqual([
      '166-POL/R3',
      '166-POL/R12',
      '1001-POL/R2',
      '1001-POL/R10',
    ]);
  });

  it('filters by State, visit, status and priority', () => {
    const { records } = register();
    expect(ids(filterRecords(records, { visit: '1001-POL' }))).toEqual(['1001-POL/R2', '1001-POL/R10']);
    expect(ids(filterRecords(records, { status: 'closed' }))).toEqual(['166-POL/R12']);
    expect(ids(filterRecords(records, { status: 'open', priority: true }))).toEqual(['1001-POL/R10']);
    expect(ids(filterRecords(records, { priority: false }))).toEqual(['166-POL/R3', '1001-POL/R2']);
    expect(ids(filterRecords(records, { state: 'FRA' }))).toEqual([]);
    expect(ids(filterRecords(records, { state: 'POL', visit: '166-POL' }))).toEqual(['166-POL/R3', '166-POL/R12']);
  });

  it('gives a follow-up visit the open recommendations with their assessment', () => {
    expect(openRecommendations(register().records)).toEqual([
      {
        id: '166-POL/R3',
        text: 'Recommendation 3',
        theme: 'legislation',
        priority: false,
        assessedStatus: 'insufficient-information',
      },
      {
        id: '1001-POL/R2',
        text: 'Recommendation 2',
        theme: 'legislation',
        priority: false,
        assessedStatus: 'insufficient-information',
      },
      {
        id: '1001-POL/R10',
        text: 'Recommendation 10',
        theme: 'legislation',
        priority: true,
        assessedStatus: 'insufficient-information',
      },
    ]);
  });
});

describe('size', () => {
  it('keeps 5,000 changes on 300 recommendations well under a 2 MB payload', () => {
    const reg = emptyRegister('POL');
    const text = 'The State should criminalize the financing of travel for terrorist purposes. '.repeat(3);
    applyChange(
      reg,
      adoption(
        '166-POL',
        1,
        Array.from({ length: 300 }, (_, i) => rec(i + 1, { text })),
      ),
    );
    for (let seq = 2; seq <= 5000; seq++) {
      const recommendation = `166-POL/R${(seq % 300) + 1}`;
      applyChange(
        reg,
        seq % 2
          ? {
              type: 'progress-reported',
              key: `166-POL#${seq}`,
              items: [{ recommendation, status: 'in-progress', text }],
              at: at(2),
              by: STATE,
            }
          : {
              type: 'assessed',
              key: `166-POL#${seq}`,
              items: [{ recommendation, status: 'partially-implemented', note: text }],
              at: at(3),
              by: CTED,
            },
      );
    }
    expect(reg.changes).toBe(5000);
    expect(reg.records.reduce((n, r) => n + r.history.length, 0)).toBe(300 + 4999);
    expect(JSON.stringify(reg).length).toBeLessThan(1_200_000);
  });
});
