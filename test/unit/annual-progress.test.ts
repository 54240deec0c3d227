/**
 * The annual list with implementation progress: each visit's own recommendations counted from its
 * State's register, each listed State's whole register, the CSV's columns and the e-mail's text.
 */
import { describe, expect, it } from 'vitest';
import {
  ANNUAL_PROGRESS_COLUMNS,
  annualCsvRecord,
  annualReportingStatus,
  annualStateProgress,
  annualText,
  type Monitored,
} from '../../src/domain/monitoring';
import { rec } from '../recommendation-records';

const NOW = Date.parse('2021-06-01T16:00:00.000Z');

const visit = (id: string, stateName: string, end: string): Monitored => {
  const [num, state] = id.split('-') as [string, string];
  return {
    id,
    number: Number(num),
    state,
    stateName,
    type: 'follow-up',
    end,
    stage: 'implementing',
    openItems: [],
    closedItems: [],
  };
};

// Poland visited twice (2015 and 2019), Peru once; Kyrgyzstan's register is empty.
const VISITS = [
  visit('101-POL', 'Poland', '2015-05-08'),
  visit('166-POL', 'Poland', '2019-12-13'),
  visit('163-PER', 'Peru', '2019-11-14'),
  visit('165-KGZ', 'Kyrgyzstan', '2019-12-05'),
];
const RECORDS = [
  // 2015: one implemented, one superseded by 166-POL/R1 (both closed).
  rec('101-POL', 1, { assessed: 'implemented' }),
  rec('101-POL', 2, { supersededBy: '166-POL/R1', priority: true }),
  // 2019: a priority one open with its TA need referred, one partly implemented, one no longer relevant.
  rec('166-POL', 1, { priority: true, ta: { status: 'referred', partners: [['UNODC', 'referred']] } }),
  rec('166-POL', 2, { assessed: 'partially-implemented', ta: { status: 'delivered' } }),
  rec('166-POL', 3, { assessed: 'no-longer-relevant', priority: true }),
  rec('163-PER', 1, { priority: true, ta: { status: 'identified' } }),
];

describe('the annual list with the registers', () => {
  const rows = annualReportingStatus(VISITS, NOW, undefined, RECORDS);

  it('gives each visit its own recommendations: by assessed status, open, closed, priority open, TA by status', () => {
    const pol19 = rows.find((r) => r.id === '166-POL')!.recommendations!;
    expect(pol19).toMatchObject({ total: 3, open: 2, closed: 1, priorityOpen: 1 });
    expect(pol19.byAssessed).toEqual({
      implemented: 0,
      'largely-implemented': 0,
      'partially-implemented': 1,
      'not-implemented': 0,
      'no-longer-relevant': 1,
      'insufficient-information': 1,
    });
    expect(pol19.ta).toMatchObject({ identified: 0, referred: 1, delivered: 1 });
    expect(rows.find((r) => r.id === '101-POL')!.recommendations).toMatchObject({
      total: 2,
      open: 0,
      closed: 2,
      superseded: 1,
      priorityOpen: 0,
    });
    // No recommendation in the register: zero, not missing.
    expect(rows.find((r) => r.id === '165-KGZ')!.recommendations).toMatchObject({ total: 0, open: 0, closed: 0 });
  });

  it('without the registers, the rows are the reporting status alone (as before)', () => {
    expect(annualReportingStatus(VISITS, NOW).every((r) => !('recommendations' in r))).toBe(true);
  });

  it("counts each listed State's whole register, also visits the year leaves out, in the list's order", () => {
    const of2019 = annualReportingStatus(VISITS, NOW, 2019, RECORDS);
    expect(of2019.map((r) => r.id)).toEqual(['165-KGZ', '163-PER', '166-POL']);
    const states = annualStateProgress(of2019, RECORDS);
    expect(states.map((s) => s.state)).toEqual(['KGZ', 'PER', 'POL']);
    expect(states[2]).toMatchObject({ stateName: 'Poland', total: 5, open: 2, closed: 3, priorityOpen: 1 });
    expect(states[2]!.byAssessed.implemented).toBe(1);
    expect(states[0]).toMatchObject({ stateName: 'Kyrgyzstan', total: 0 });
  });

  it('the CSV row: the reporting status, then a column per count', () => {
    const row = annualCsvRecord(rows.find((r) => r.id === '166-POL')!);
    expect(Object.keys(row)).toEqual([
      ...['id', 'state', 'stateName', 'visitYear', 'status', 'due', 'submitted'],
      ...ANNUAL_PROGRESS_COLUMNS,
    ]);
    expect(row).toMatchObject({
      recommendations: 3,
      open: 2,
      closed: 1,
      priorityOpen: 1,
      'assessed:partially-implemented': 1,
      'assessed:insufficient-information': 1,
      'ta:referred': 1,
      'ta:delivered': 1,
      'ta:identified': 0,
    });
    expect(ANNUAL_PROGRESS_COLUMNS).toContain('assessed:largely-implemented');
    expect(ANNUAL_PROGRESS_COLUMNS).toContain('ta:declined');
  });

  it('the e-mail: the reporting lines as before, then each State with its register counted', () => {
    const text = annualText(rows, NOW, annualStateProgress(rows, RECORDS));
    expect(text).toContain('Poland (166-POL, visit of 2019): not yet requested\n');
    const section = text.slice(text.indexOf('Recommendations and technical assistance, per State'));
    expect(section.split('\n')).toEqual([
      'Recommendations and technical assistance, per State',
      '',
      'Kyrgyzstan (KGZ): no recommendations recorded',
      'Peru (PER): 1 recommendation: 1 open (1 priority), 0 closed',
      '  assessed: insufficient-information 1',
      '  TA needs: identified 1',
      'Poland (POL): 5 recommendations: 2 open (1 priority), 3 closed',
      '  assessed: implemented 1, partially-implemented 1, no-longer-relevant 1, insufficient-information 2',
      '  TA needs: referred 1, delivered 1',
      '',
    ]);
    // Without the registers (a worker with no client): the list as it always was.
    expect(annualText(rows, NOW)).not.toContain('per State');
  });
});
