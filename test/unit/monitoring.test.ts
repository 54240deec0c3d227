/** The secretariat's figures against a hand-computed fixture. */
import { describe, expect, it } from 'vitest';
import { endOfNewYorkDay, newYorkDate } from '../../src/domain/calendar';
import {
  annualReportingStatus,
  compliance,
  digest,
  median,
  overview,
  percentile,
  type Snapshot,
} from '../../src/domain/monitoring';

const DAY = 86_400_000;
const NOW = Date.parse('2020-06-01T16:00:00.000Z');
const at = (t: string | number, plusDays = 0) =>
  new Date((typeof t === 'number' ? t : Date.parse(t)) + plusDays * DAY).toISOString();

function snap(id: string, over: Partial<Snapshot> = {}): Snapshot {
  const [num, state] = id.split('-') as [string, string];
  return {
    id,
    number: Number(num),
    state,
    stateName: state,
    type: 'follow-up',
    start: '2019-03-01',
    end: '2019-03-01',
    contacts: { caseOfficer: 'o@x.org', stateContact: 's@x.org' },
    stage: 'finalizing',
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
    partners: [],
    group: null,
    language: 'en',
    ordinal: null,
    permanentMission: null,
    ...over,
  };
}

// Drafting (target 60 days) in 2019 took 40, 50, 70 and 90 days: median 60, p90 (nearest rank) 90,
// exceeded by the 70- and 90-day drafts. One 2018 draft took 30 days.
const OPEN = '2019-03-02T04:59:59.999Z';
const drafting = (days: number, opened = OPEN) => ({
  item: 'drafting' as const,
  openedAt: opened,
  // The engine's deadline: the close of the 60th New York day (across the change to summer time).
  deadline: new Date(
    endOfNewYorkDay(new Date(Date.parse(newYorkDate(Date.parse(opened))) + 60 * DAY).toISOString().slice(0, 10)),
  ).toISOString(),
  closedAt: at(opened, days),
  outcome: 'submitted',
});
const FIXTURE: Snapshot[] = [
  snap('151-FIN', { closedItems: [drafting(40)] }),
  snap('152-UGA', { closedItems: [drafting(50)] }),
  snap('153-USA', { closedItems: [drafting(70)] }),
  snap('154-TUR', { closedItems: [drafting(90)] }),
  snap('140-ZAF', { end: '2018-05-09', closedItems: [drafting(30, '2018-05-10T03:59:59.999Z')] }),
  // Still drafting, 100 days past its start on 2020-02-22: exceeded, not counted in the medians.
  snap('166-POL', {
    stage: 'drafting',
    end: '2019-12-13',
    openItems: [
      {
        item: 'drafting',
        openedAt: at(NOW, -100),
        deadline: at(NOW, -40),
        overdue: true,
        paused: false,
        provisional: false,
      },
    ],
  }),
];

describe('percentiles', () => {
  it('uses the nearest rank and the mean of the middle pair', () => {
    expect(median([40, 50, 70, 90])).toBe(60);
    expect(median([1, 2, 3])).toBe(2);
    expect(percentile([40, 50, 70, 90], 90)).toBe(90);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});

describe('guideline compliance', () => {
  it('gives the median and 90th percentile of days per step and year against the target, and who exceeded it', () => {
    const cells = compliance(FIXTURE, NOW);
    expect(cells.map((c) => [c.year, c.item, c.count, c.medianDays, c.p90Days, c.targetDays])).toEqual([
      [2018, 'drafting', 1, 30, 30, 60],
      [2019, 'drafting', 4, 60, 90, 60],
      [2020, 'drafting', 0, NaN, NaN, NaN],
    ]);
    expect(cells[1]!.exceeded).toEqual([
      { id: '154-TUR', days: 90, targetDays: 60 },
      { id: '153-USA', days: 70, targetDays: 60 },
    ]);
    expect(cells[2]!.exceeded).toEqual([{ id: '166-POL', days: 100, targetDays: 60 }]);
  });
});

describe('overview', () => {
  it('recomputes overdue at the given time, filters, sorts and counts per stage', () => {
    const { rows, countsByStage, total } = overview(FIXTURE, NOW, { overdue: true });
    expect(rows.map((r) => [r.id, r.stage, r.nextItem, r.daysLeft, r.overdueItems])).toEqual([
      ['166-POL', 'drafting', 'drafting', -40, ['drafting']],
    ]);
    expect(total).toBe(1);
    expect(countsByStage.drafting).toBe(1);
    expect(overview(FIXTURE, NOW, { year: 2019 }, { key: 'state', desc: true }).rows.map((r) => r.state)).toEqual([
      'USA',
      'UGA',
      'TUR',
      'POL',
      'FIN',
    ]);
    expect(overview(FIXTURE, NOW, { region: 'African States' }).rows.map((r) => r.id)).toEqual(['140-ZAF', '152-UGA']);
  });
});

describe('annual reporting status', () => {
  it('classifies each State report as on time, late, overdue, not yet due or not yet requested', () => {
    const report = (closedAt: string | null, deadline: string) =>
      closedAt
        ? {
            closedItems: [
              {
                item: 'state-implementation-report' as const,
                openedAt: at(deadline, -182),
                deadline,
                closedAt,
                outcome: 'submitted',
              },
            ],
          }
        : {
            openItems: [
              {
                item: 'state-implementation-report' as const,
                openedAt: at(deadline, -182),
                deadline,
                overdue: false,
                paused: false,
                provisional: false,
              },
            ],
          };
    const rows = annualReportingStatus(
      [
        snap('141-DNK', { stage: 'implementing', ...report('2019-05-01T12:00:00.000Z', '2019-06-01T12:00:00.000Z') }),
        snap('142-NER', { stage: 'closed', ...report('2019-07-01T12:00:00.000Z', '2019-06-01T12:00:00.000Z') }),
        snap('143-BFA', { stage: 'implementing', ...report(null, '2020-01-01T12:00:00.000Z') }),
        snap('149-MLI', { stage: 'implementing', ...report(null, '2020-09-01T12:00:00.000Z') }),
        snap('150-SAU', { stage: 'drafting' }),
        snap('155-MAR', { stage: 'withdrawn' }),
      ],
      NOW,
    );
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      ['143-BFA', 'overdue'],
      ['141-DNK', 'on time'],
      ['155-MAR', 'withdrawn'],
      ['149-MLI', 'not yet due'],
      ['142-NER', 'late'],
      ['150-SAU', 'not yet requested'],
    ]);
  });
});

describe('digest and CSV', () => {
  it('lists deadlines in the next 14 days, everything overdue and decisions waiting', () => {
    const d = digest(
      [
        ...FIXTURE,
        snap('160-GBR', {
          stage: 'committee-review',
          openItems: [
            {
              item: 'committee-review',
              openedAt: at(NOW, -2),
              deadline: at(NOW, 5),
              overdue: false,
              paused: false,
              provisional: false,
            },
          ],
        }),
        snap('161-PHL', {
          stage: 'state-review',
          extension: 'requested',
          openItems: [
            {
              item: 'state-review',
              openedAt: at(NOW, -20),
              deadline: at(NOW, 20),
              overdue: false,
              paused: false,
              provisional: false,
            },
          ],
        }),
      ],
      NOW,
    );
    expect(d.upcoming.map((u) => [u.id, u.item])).toEqual([['160-GBR', 'committee-review']]);
    expect(d.overdue.map((o) => [o.id, o.item, o.daysOverdue])).toEqual([['166-POL', 'drafting', 40]]);
    expect(d.decisions).toEqual([
      { id: '160-GBR', stateName: 'GBR', what: 'under the no-objection procedure' },
      { id: '161-PHL', stateName: 'PHL', what: 'extension requested' },
    ]);
  });
});
