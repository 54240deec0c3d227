/** Appendix I of S/2020/99 rebuilt from the statuses of the 31 visits of 2018-2019 (the reference file). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONDUCTED_COLUMNS,
  conductedPerYear,
  conductedText,
  visitDates,
  visitsConducted,
  type ConductedRow,
} from '../../src/domain/appendix';
import type { Snapshot } from '../../src/domain/monitoring';
import { project, type StateView } from '../../src/domain/views';
import { readVisitsCsv } from '../../src/services/import';

const REFERENCE = readFileSync(join(__dirname, '..', 'fixtures', 'ctc-visits-2018-2019.csv'), 'utf8');
const NOW = Date.parse('2020-06-01T16:00:00.000Z');

/** Each visit of the reference file as the read model keeps it, still drafting; `over` by id. */
function fixtureSnapshots(over: Record<string, Partial<Snapshot>> = {}): Snapshot[] {
  const { rows, problems } = readVisitsCsv(REFERENCE, {
    caseOfficer: 'o@cted.org',
    stateContact: '{iso3}@mission.org',
  });
  expect(problems).toEqual([]);
  return rows.map(({ request: r }) => {
    const id = `${r.number}-${r.state}`;
    return {
      id,
      number: r.number,
      state: r.state,
      ...(r.stateName ? { stateName: r.stateName } : {}),
      type: r.type,
      start: r.start,
      end: r.end,
      ...(r.groupId ? { groupId: r.groupId } : {}),
      group: r.groupId ?? null,
      language: r.language,
      ordinal: r.ordinal ?? null,
      permanentMission: null,
      partners: [],
      contacts: { caseOfficer: r.caseOfficer, stateContact: r.stateContact },
      stage: 'drafting',
      openItems: [],
      nextDeadline: null,
      overdue: false,
      allowedActions: [],
      extension: 'none',
      committee: { holds: [], objection: null },
      adoptedAt: null,
      transmittedAt: null,
      receivedAt: null,
      consent: { scope: 'none', sections: [], priorityTaNeedsOnly: false },
      briefing: 'none',
      closedItems: [],
      policy: 'test',
      ...over[id],
    } satisfies Snapshot;
  });
}

// Poland's report adopted on 12 March 2020 (New York), transmitted the next day, its consent to
// share in part given on 2 April at 23:30 in New York (already 3 April in UTC).
const POLAND: Partial<Snapshot> = {
  stage: 'implementing',
  adoptedAt: '2020-03-12T15:00:00.000Z',
  transmittedAt: '2020-03-13T14:00:00.000Z',
  consent: {
    scope: 'partial',
    sections: ['III'],
    priorityTaNeedsOnly: false,
    decidedBy: 'POL',
    decidedAt: '2020-04-03T03:30:00.000Z',
  },
};

describe('visitDates: the dates as the appendix writes them', () => {
  it('one month, two months, two years, one day', () => {
    expect(visitDates('2018-03-26', '2018-03-30')).toBe('26–30 March 2018');
    expect(visitDates('2018-01-30', '2018-02-01')).toBe('30 January–1 February 2018');
    expect(visitDates('2019-12-30', '2020-01-02')).toBe('30 December 2019–2 January 2020');
    expect(visitDates('2018-06-04', '2018-06-04')).toBe('4 June 2018');
  });
});

describe('visitsConducted on the reference file', () => {
  const rows = visitsConducted(fixtureSnapshots({ '166-POL': POLAND }), NOW);

  it('lists the 31 visits by number, 15 in 2018 and 16 in 2019, as the appendix totals them', () => {
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 31 }, (_, i) => 136 + i));
    expect(conductedPerYear(rows)).toEqual([
      { year: 2018, visits: 15 },
      { year: 2019, visits: 16 },
    ]);
  });

  it("writes each visit's State, type, ordinal and dates as the appendix does", () => {
    const byNumber = (n: number) => rows.find((r) => r.number === n)!;
    expect(byNumber(136)).toMatchObject({
      id: '136-GRC',
      visited: 'Greece (follow-up), second visit',
      dates: '30 January–1 February 2018',
      ordinal: 'second',
    });
    expect(byNumber(137)).toMatchObject({
      visited: 'Switzerland (focused)',
      ordinal: null,
      dates: '27 February–1 March 2018',
    });
    expect(byNumber(142)).toMatchObject({ visited: 'Niger (follow-up), fifth visit', dates: '9–11 July 2018' });
    expect(byNumber(144)).toMatchObject({ visited: 'Armenia (regional), second visit', type: 'regional' });
    expect(byNumber(153)).toMatchObject({ stateName: 'United States of America', dates: '26 April–3 May 2019' });
    // The State's name in UN use today, as the import keeps it.
    expect(byNumber(154)).toMatchObject({ visited: 'Türkiye (follow-up), third visit', dates: '11–14 May 2019' });
    expect(byNumber(162)).toMatchObject({
      visited: 'China (focused)',
      dates: '29 October–2 November 2019',
      year: 2019,
    });
  });

  it("carries the follow-up's days in New York: adoption, transmission, consent and its scope", () => {
    const pol = rows.find((r) => r.id === '166-POL')!;
    expect(pol).toEqual({
      number: 166,
      id: '166-POL',
      year: 2019,
      state: 'POL',
      stateName: 'Poland',
      type: 'comprehensive',
      ordinal: null,
      visited: 'Poland (comprehensive)',
      start: '2019-12-09',
      end: '2019-12-13',
      dates: '9–13 December 2019',
      adopted: '2020-03-12',
      transmitted: '2020-03-13',
      consent: '2020-04-02',
      consentScope: 'partial',
    } satisfies ConductedRow);
    expect(Object.keys(pol).sort()).toEqual([...CONDUCTED_COLUMNS].sort());
    // Not yet adopted, no consent decided: empty, not "none".
    expect(rows.find((r) => r.id === '165-KGZ')).toMatchObject({
      adopted: null,
      transmitted: null,
      consent: null,
      consentScope: null,
    });
  });

  it('a consent withheld is a decision: its day and scope none', () => {
    const [kgz] = visitsConducted(
      fixtureSnapshots({
        '165-KGZ': {
          consent: { scope: 'none', sections: [], priorityTaNeedsOnly: false, decidedAt: '2020-05-05T15:00:00.000Z' },
        },
      }),
      NOW,
      2019,
    ).filter((r) => r.id === '165-KGZ');
    expect(kgz).toMatchObject({ consent: '2020-05-05', consentScope: 'none' });
  });

  it('keeps the visits that ended in a year; leaves out withdrawn visits and visits not yet begun', () => {
    expect(visitsConducted(fixtureSnapshots(), NOW, 2018)).toHaveLength(15);
    const some = fixtureSnapshots({ '150-SAU': { stage: 'withdrawn' } });
    expect(visitsConducted(some, NOW, 2018).map((r) => r.id)).not.toContain('150-SAU');
    // As at 16 December 2019, the appendix's own date: Poland's visit of 9-13 December is in.
    expect(visitsConducted(fixtureSnapshots(), Date.parse('2019-12-16T15:00:00Z'))).toHaveLength(31);
    // On 8 December 2019 (New York), the Polish visit had not begun.
    const before = visitsConducted(fixtureSnapshots(), Date.parse('2019-12-09T04:00:00Z'));
    expect(before.at(-1)!.id).toBe('165-KGZ');
  });

  it("a State's own view gives the same row (what a State's export reads)", () => {
    const snapshots = fixtureSnapshots({ '166-POL': POLAND });
    const view = project(
      { email: 'pol@mission.org', role: 'state', state: 'POL' },
      snapshots.find((s) => s.id === '166-POL')!,
    ) as StateView;
    expect(visitsConducted([view], NOW)).toEqual([rows.find((r) => r.id === '166-POL')]);
  });

  it('as text: a heading per year with its total, then each visit', () => {
    const text = conductedText(rows, NOW);
    expect(text.split('\n').slice(0, 4)).toEqual([
      'Visits conducted by the Committee, as at 2020-06-01',
      '',
      '2018 (15 visits)',
      '  136   Greece (follow-up), second visit  30 January–1 February 2018',
    ]);
    expect(text).toContain('\n2019 (16 visits)\n');
    expect(text).toContain(
      '  166   Poland (comprehensive)  9–13 December 2019  (adopted 2020-03-12, transmitted 2020-03-13, consent partial 2020-04-02)',
    );
    expect(conductedText([], NOW)).toContain('No visits.');
  });
});
