/** Implementation progress read from the register: per theme, per year of visit, the TA pipeline and the counts per State. */
import { describe, expect, it } from 'vitest';
import { THEMES } from '../../src/domain/recommendations/model';
import {
  compareRecommendationIds,
  percentages,
  progressByTheme,
  progressByYear,
  progressOf,
  registerCounts,
  taPipeline,
  visitYearOf,
} from '../../src/domain/recommendations/progress';
import { rec } from '../recommendation-records';

describe('progressOf', () => {
  it('puts each assessed status in its part and leaves no-longer-relevant and superseded beside the shares', () => {
    const p = progressOf([
      rec('166-POL', 1, { assessed: 'implemented' }),
      rec('166-POL', 2, { assessed: 'largely-implemented' }),
      rec('166-POL', 3, { assessed: 'partially-implemented' }),
      rec('166-POL', 4, { assessed: 'not-implemented' }),
      rec('166-POL', 5),
      rec('166-POL', 6, { assessed: 'no-longer-relevant' }),
      // Superseded counts as superseded whatever it was assessed.
      rec('166-POL', 7, { assessed: 'implemented', supersededBy: '201-POL/R1' }),
      rec('166-POL', 8, { supersededBy: '201-POL/R2' }),
    ]);
    expect(p).toEqual({
      counted: 5,
      implemented: 1,
      partly: 2,
      not: 1,
      unknown: 1,
      noLongerRelevant: 1,
      superseded: 2,
      shares: { implemented: 0.2, partly: 0.4, not: 0.2, unknown: 0.2 },
    });
  });

  it('gives shares of zero, not NaN, when nothing is counted', () => {
    expect(progressOf([]).shares).toEqual({ implemented: 0, partly: 0, not: 0, unknown: 0 });
    expect(progressOf([rec('166-POL', 1, { assessed: 'no-longer-relevant' })])).toMatchObject({
      counted: 0,
      noLongerRelevant: 1,
      shares: { implemented: 0, partly: 0, not: 0, unknown: 0 },
    });
  });
});

describe('progressByTheme', () => {
  it('lists every theme in THEMES order, each counting only its own recommendations', () => {
    const rows = progressByTheme([
      rec('166-POL', 1, { theme: 'ict', assessed: 'implemented' }),
      rec('166-POL', 2, { theme: 'ict', assessed: 'not-implemented' }),
      rec('170-NOR', 1, { theme: 'legislation' }),
      rec('170-NOR', 2, { theme: 'human-rights', assessed: 'partially-implemented' }),
    ]);
    expect(rows.map((r) => r.theme)).toEqual([...THEMES]);
    const of = (t: string) => rows.find((r) => r.theme === t)!;
    expect(of('ict')).toMatchObject({ counted: 2, implemented: 1, not: 1, shares: { implemented: 0.5, not: 0.5 } });
    expect(of('legislation')).toMatchObject({ counted: 1, unknown: 1, shares: { unknown: 1 } });
    expect(of('human-rights').shares.partly).toBe(1);
    expect(of('border-management')).toMatchObject({ counted: 0, superseded: 0, noLongerRelevant: 0 });
  });
});

describe('progressByYear', () => {
  it("uses the year of the visit's last day, else the New York year of adoption, oldest first", () => {
    const late2019 = rec('150-CHL', 1, { adoptedAt: '2020-01-01T03:00:00.000Z' }); // 31 December 2019 in New York
    const visited2019 = rec('151-CHL', 1, { visitEnd: '2019-11-20', adoptedAt: '2020-06-01T15:00:00.000Z' });
    const in2021 = rec('190-CHL', 1, { adoptedAt: '2021-05-01T15:00:00.000Z', assessed: 'implemented' });
    expect([late2019, visited2019, in2021].map(visitYearOf)).toEqual([2019, 2019, 2021]);
    const rows = progressByYear([in2021, late2019, visited2019]);
    expect(rows.map((r) => [r.year, r.counted, r.implemented, r.unknown])).toEqual([
      [2019, 2, 0, 2],
      [2021, 1, 1, 0],
    ]);
  });

  it('is empty for no recommendations', () => {
    expect(progressByYear([])).toEqual([]);
  });
});

describe('percentages', () => {
  it('adds up to 100 by largest remainder', () => {
    const third = 1 / 3;
    expect(percentages({ implemented: third, partly: third, not: third, unknown: 0 })).toEqual({
      implemented: 34,
      partly: 33,
      not: 33,
      unknown: 0,
    });
    expect(percentages({ implemented: 0.2, partly: 0.4, not: 0.2, unknown: 0.2 })).toEqual({
      implemented: 20,
      partly: 40,
      not: 20,
      unknown: 20,
    });
    expect(percentages({ implemented: 0, partly: 0, not: 0, unknown: 0 })).toEqual({
      implemented: 0,
      partly: 0,
      not: 0,
      unknown: 0,
    });
  });
});

describe('compareRecommendationIds', () => {
  it('orders by visit number, then number, numerically', () => {
    const ids = ['166-POL/R12', '20-POL/R1', '166-POL/R2', '166-POL/R1'];
    expect(ids.sort(compareRecommendationIds)).toEqual(['20-POL/R1', '166-POL/R1', '166-POL/R2', '166-POL/R12']);
  });
});

describe('taPipeline', () => {
  const now = Date.parse('2020-06-01T00:00:00.000Z');
  const records = [
    rec('166-POL', 1, { ta: { status: 'identified' } }),
    rec('166-POL', 2, { ta: { status: 'agreed' } }),
    rec('166-POL', 3, {
      priority: true,
      ta: {
        status: 'referred',
        partners: [
          ['UNODC', 'referred'],
          ['INTERPOL', 'accepted', '2020-04-20T12:00:00.000Z'],
        ],
        answerBy: '2020-05-15T03:59:59.999Z',
      },
    }),
    rec('166-POL', 4, {
      ta: { status: 'referred', partners: [['UNODC', 'referred']], answerBy: '2020-07-01T03:59:59.999Z' },
    }),
    rec('166-POL', 5, {
      ta: { status: 'declined', partners: [['UNOCT', 'declined', '2020-05-02T12:00:00.000Z']] },
    }),
    rec('170-NOR', 1, {
      ta: {
        status: 'delivered',
        partners: [
          ['UNODC', 'delivered'],
          ['UNOCT', 'delivering'],
        ],
      },
    }),
    // Closed: an unagreed need of a recommendation found implemented waits on no one.
    rec('166-POL', 6, { assessed: 'implemented', ta: { status: 'identified' } }),
    rec('166-POL', 7),
  ];

  it('lists per partner, in name order, the needs referred to it with what each waits on', () => {
    const { partners } = taPipeline(records, now);
    expect(partners.map((p) => p.partner)).toEqual(['INTERPOL', 'UNOCT', 'UNODC']);
    const unodc = partners.find((p) => p.partner === 'UNODC')!;
    expect(unodc.needs.map((n) => [n.recommendation, n.partnerStatus, n.waiting, n.answerBy, n.overdue])).toEqual([
      ['166-POL/R3', 'referred', { on: 'partner', for: 'answer' }, '2020-05-15T03:59:59.999Z', true],
      ['166-POL/R4', 'referred', { on: 'partner', for: 'answer' }, '2020-07-01T03:59:59.999Z', false],
      ['170-NOR/R1', 'delivered', null, null, false],
    ]);
    expect(unodc.counts).toEqual({ referred: 2, accepted: 0, declined: 0, delivering: 0, delivered: 1 });
    expect(unodc.overdue).toBe(1);
    const interpol = partners.find((p) => p.partner === 'INTERPOL')!;
    // Once answered, the answer is no longer due: no answerBy, not overdue; it waits on the delivery.
    expect(interpol.needs).toEqual([
      expect.objectContaining({
        recommendation: '166-POL/R3',
        state: 'POL',
        priority: true,
        taNeed: 'Assistance for R3',
        status: 'referred',
        partnerStatus: 'accepted',
        since: '2020-04-20T12:00:00.000Z',
        answerBy: null,
        overdue: false,
        waiting: { on: 'partner', for: 'deliver' },
      }),
    ]);
    const unoct = partners.find((p) => p.partner === 'UNOCT')!;
    expect(unoct.needs.map((n) => [n.recommendation, n.waiting])).toEqual([
      ['166-POL/R5', null],
      ['170-NOR/R1', { on: 'partner', for: 'deliver' }],
    ]);
  });

  it('lists the needs waiting on the State to agree and on CTED to refer (or refer again after every partner declined)', () => {
    const { waitingOnState, waitingOnCted } = taPipeline(records, now);
    expect(waitingOnState.map((n) => [n.recommendation, n.waiting])).toEqual([
      ['166-POL/R1', { on: 'state', for: 'agree' }],
    ]);
    expect(waitingOnCted.map((n) => [n.recommendation, n.status, n.since])).toEqual([
      ['166-POL/R2', 'agreed', '2020-03-02T15:00:00.000Z'],
      ['166-POL/R5', 'declined', '2020-05-02T12:00:00.000Z'],
    ]);
  });

  it('is empty without TA needs', () => {
    expect(taPipeline([rec('166-POL', 1)], now)).toEqual({ partners: [], waitingOnState: [], waitingOnCted: [] });
  });
});

describe('registerCounts', () => {
  it('counts per State its recommendations by status, open and closed, priority open and TA needs by status', () => {
    const counts = registerCounts([
      rec('170-NOR', 1, { priority: true }),
      rec('166-POL', 1, { priority: true, reported: 'implemented', assessed: 'implemented' }),
      rec('166-POL', 2, { priority: true, reported: 'in-progress', ta: { status: 'agreed' } }),
      rec('166-POL', 3, { supersededBy: '201-POL/R1', ta: { status: 'identified' } }),
      rec('166-POL', 4, { assessed: 'partially-implemented', ta: { status: 'agreed' } }),
    ]);
    expect(counts.map((c) => c.state)).toEqual(['NOR', 'POL']);
    expect(counts[1]).toEqual({
      state: 'POL',
      total: 4,
      byAssessed: {
        implemented: 1,
        'largely-implemented': 0,
        'partially-implemented': 1,
        'not-implemented': 0,
        'no-longer-relevant': 0,
        'insufficient-information': 2,
      },
      byReported: {
        implemented: 1,
        'partially-implemented': 0,
        'in-progress': 1,
        'not-started': 0,
        'not-applicable': 0,
        'not-reported': 2,
      },
      open: 2,
      closed: 2,
      superseded: 1,
      priorityOpen: 1,
      ta: { identified: 1, agreed: 2, referred: 0, accepted: 0, declined: 0, delivering: 0, delivered: 0 },
    });
    expect(counts[0]).toMatchObject({ state: 'NOR', total: 1, open: 1, priorityOpen: 1 });
  });
});
