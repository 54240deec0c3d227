/**
 * What the secretariat monitors, computed from the read model's snapshots: the overview rows,
 * stage timing against the guidelines (median and 90th percentile per year), and the annual list
 * of every State's reporting status and implementation progress (from the States' registers). Pure functions of a time and of the visits as the viewer's
 * role sees them (./views: a State's view has its own stages and only the deadlines that concern
 * it), so every list, export and feed shows each role only its own view.
 */
import { calendarCoverage, newYorkDate, type WorkingCalendar } from './calendar';
import { ASSESSED_STATUSES, TA_STATUSES, type RecommendationRecord } from './recommendations/model';
import { REPORTED_OR_NONE, registerCounts, type StateCounts } from './recommendations/progress';
import type { VisitStatus } from './visit';
import { STAGES, type Item } from './vocabulary';

/** A snapshot as the read model keeps it. */
export type Snapshot = Omit<VisitStatus, 'history' | 'reminders'>;

/** What the overview, compliance, the annual list and the feeds read of a visit: any role's view of it but a partner's. */
export interface Monitored {
  id: string;
  number: number;
  state: string;
  stateName?: string | undefined;
  type: string;
  end: string;
  /** The stage in the viewer's words (a State has its own). */
  stage: string;
  openItems: readonly { item: Item; openedAt: string; deadline: string | null }[];
  closedItems: readonly { item: Item; openedAt: string; deadline: string | null; closedAt: string; outcome: string }[];
}

const DAY = 86_400_000;

/** The UN regional group of a State (ISO3); States not listed are "Other". */
export const REGIONS: Record<string, string> = Object.fromEntries(
  Object.entries({
    'African States': 'BFA CIV ETH GHA KEN MAR MLI MOZ NER NGA SEN TGO TUN UGA ZAF EGY DZA CMR TCD MRT SOM SDN LBY',
    'Asia-Pacific States': 'CHN IDN KAZ KGZ MDV PHL SAU TUR IND PAK BGD IRQ JOR LBN MYS THA UZB TJK TKM AFG QAT ARE',
    'Eastern European States': 'ARM AZE GEO POL SRB UKR BLR RUS ROU BGR HUN CZE SVK MKD ALB BIH MNE MDA',
    'Latin American and Caribbean States': 'PER CHL ARG BRA COL MEX ECU BOL PRY URY VEN TTO JAM PAN CRI GTM',
    'Western European and other States':
      'AUS CHE DNK FIN GBR GRC NZL NOR USA CAN DEU FRA ITA ESP PRT NLD BEL SWE AUT IRL ISR',
  }).flatMap(([region, codes]) => codes.split(' ').map((c) => [c, region])),
);

export const regionOf = (state: string) => REGIONS[state] ?? 'Other';

export interface OverviewRow {
  id: string;
  number: number;
  state: string;
  stateName: string;
  region: string;
  type: string;
  year: number;
  stage: string;
  nextItem: string | null;
  nextDeadline: string | null;
  /** Days until the next deadline (negative: days overdue). */
  daysLeft: number | null;
  overdue: boolean;
  overdueItems: string[];
  openItems: string[];
}

/** Open items as of `nowMs` (overdue is recomputed: a snapshot is as old as its last event). */
function openAt(s: Monitored, nowMs: number) {
  return s.openItems.map((o) => ({
    item: o.item,
    deadline: o.deadline,
    overdue: o.deadline !== null && Date.parse(o.deadline) < nowMs,
  }));
}

export function overviewRow(s: Monitored, nowMs: number): OverviewRow {
  const open = openAt(s, nowMs);
  const next = open.find((o) => o.deadline !== null);
  return {
    id: s.id,
    number: s.number,
    state: s.state,
    stateName: s.stateName ?? s.state,
    region: regionOf(s.state),
    type: s.type,
    year: Number(s.end.slice(0, 4)),
    stage: s.stage,
    nextItem: next?.item ?? null,
    nextDeadline: next?.deadline ?? null,
    daysLeft: next?.deadline ? Math.floor((Date.parse(next.deadline) - nowMs) / DAY) : null,
    overdue: open.some((o) => o.overdue),
    overdueItems: open.filter((o) => o.overdue).map((o) => o.item),
    openItems: open.map((o) => o.item),
  };
}

export interface OverviewFilter {
  year?: number;
  region?: string;
  type?: string;
  /** A stage in the viewer's words. */
  stage?: string;
  overdue?: boolean;
  state?: string;
}

export const SORT_KEYS = ['number', 'state', 'type', 'stage', 'nextDeadline', 'daysLeft', 'region', 'year'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The overview of the visits; `stages` are the viewer's stage words, in order (for sorting and counts). */
export function overview(
  visits: readonly Monitored[],
  nowMs: number,
  filter: OverviewFilter = {},
  sort: { key: SortKey; desc?: boolean } = { key: 'number' },
  stages: readonly string[] = STAGES,
): { rows: OverviewRow[]; countsByStage: Record<string, number>; total: number } {
  const all = visits.map((s) => overviewRow(s, nowMs));
  const rows = all.filter(
    (r) =>
      (filter.year === undefined || r.year === filter.year) &&
      (filter.region === undefined || r.region === filter.region) &&
      (filter.type === undefined || r.type === filter.type) &&
      (filter.stage === undefined || r.stage === filter.stage) &&
      (filter.state === undefined || r.state === filter.state) &&
      (filter.overdue === undefined || r.overdue === filter.overdue),
  );
  const value = (r: OverviewRow): string | number => {
    const v = r[sort.key];
    if (v === null) return sort.key === 'nextDeadline' ? '9999' : Number.MAX_SAFE_INTEGER;
    return sort.key === 'stage' ? stages.indexOf(v as string) : v;
  };
  rows.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return (sort.desc ? -c : c) || a.number - b.number;
  });
  const countsByStage = Object.fromEntries(stages.map((st) => [st, rows.filter((r) => r.stage === st).length]));
  return { rows, countsByStage, total: rows.length };
}

/** The steps whose timing the guidelines set, in the order they happen. */
export const TIMED_ITEMS: Item[] = [
  'pao',
  'ta-referral',
  'drafting',
  'state-review',
  'finalizing',
  'committee-review',
  'transmitting',
  'state-implementation-report',
  'cted-follow-up-report',
];

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function median(sorted: number[]): number {
  if (!sorted.length) return NaN;
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

export interface ComplianceCell {
  item: Item;
  year: number;
  count: number;
  medianDays: number;
  p90Days: number;
  /** The guideline's target in days (median of the items' own deadlines, which count working days and extensions). */
  targetDays: number;
  exceeded: { id: string; days: number; targetDays: number }[];
}

const days = (ms: number) => Math.round((ms / DAY) * 10) / 10;
/** A deadline's length in New York calendar days: "30 days" counted to the close of the 30th day is 30, not 30.4. */
const targetDays = (openedAt: string, deadline: string) =>
  Math.round((Date.parse(newYorkDate(Date.parse(deadline))) - Date.parse(newYorkDate(Date.parse(openedAt)))) / DAY);

/**
 * For each timed step and year (the New York year the step started), how many days it took:
 * median and 90th percentile against the target, and the visits that exceeded it. Steps still open
 * past their deadline count as exceeded, with the days so far.
 */
export function compliance(snapshots: readonly Monitored[], nowMs: number): ComplianceCell[] {
  const cells = new Map<
    string,
    { item: Item; year: number; taken: number[]; targets: number[]; exceeded: ComplianceCell['exceeded'] }
  >();
  const cell = (item: Item, openedAt: string) => {
    const year = Number(newYorkDate(Date.parse(openedAt)).slice(0, 4));
    const key = `${item}:${year}`;
    if (!cells.has(key)) cells.set(key, { item, year, taken: [], targets: [], exceeded: [] });
    return cells.get(key)!;
  };
  for (const s of snapshots) {
    for (const c of s.closedItems) {
      if (
        !TIMED_ITEMS.includes(c.item) ||
        c.deadline === null ||
        c.outcome === 'withdrawn' ||
        c.outcome === 'visit-closed'
      )
        continue;
      const taken = days(Date.parse(c.closedAt) - Date.parse(c.openedAt));
      const target = targetDays(c.openedAt, c.deadline);
      const k = cell(c.item, c.openedAt);
      k.taken.push(taken);
      k.targets.push(target);
      if (Date.parse(c.closedAt) > Date.parse(c.deadline))
        k.exceeded.push({ id: s.id, days: taken, targetDays: target });
    }
    for (const o of s.openItems) {
      if (!TIMED_ITEMS.includes(o.item) || o.deadline === null || Date.parse(o.deadline) >= nowMs) continue;
      const k = cell(o.item, o.openedAt);
      k.exceeded.push({
        id: s.id,
        days: days(nowMs - Date.parse(o.openedAt)),
        targetDays: targetDays(o.openedAt, o.deadline),
      });
    }
  }
  return [...cells.values()]
    .map((c) => {
      const taken = [...c.taken].sort((a, b) => a - b);
      const targets = [...c.targets].sort((a, b) => a - b);
      return {
        item: c.item,
        year: c.year,
        count: taken.length,
        medianDays: median(taken),
        p90Days: percentile(taken, 90),
        targetDays: median(targets),
        exceeded: c.exceeded.sort((a, b) => b.days - a.days),
      };
    })
    .sort((a, b) => a.year - b.year || TIMED_ITEMS.indexOf(a.item) - TIMED_ITEMS.indexOf(b.item));
}

export type ReportingStatus = 'on time' | 'late' | 'overdue' | 'not yet due' | 'not yet requested' | 'withdrawn';

/** Recommendations counted: by CTED's assessed status, open and closed, priority open, TA needs by status. */
export type RecommendationCounts = Omit<StateCounts, 'state'>;

export interface AnnualRow {
  id: string;
  state: string;
  stateName: string;
  visitYear: number;
  status: ReportingStatus;
  due: string | null;
  submitted: string | null;
  /** The visit's own recommendations, from its State's register (when the registers were read). */
  recommendations?: RecommendationCounts;
}

/** A visited State's whole register counted, for the annual list's "other aspects of implementation progress". */
export interface AnnualStateProgress extends StateCounts {
  stateName: string;
}

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Counts of no recommendations at all (a visit or State whose register holds none). */
const noCounts = (): RecommendationCounts => ({
  total: 0,
  byAssessed: zeroes(ASSESSED_STATUSES),
  byReported: zeroes(REPORTED_OR_NONE),
  open: 0,
  closed: 0,
  superseded: 0,
  priorityOpen: 0,
  ta: zeroes(TA_STATUSES),
});

/** The counts of some records of one State (none: all zero). */
function countsOf(records: readonly RecommendationRecord[]): RecommendationCounts {
  const [counts] = registerCounts(records);
  if (!counts) return noCounts();
  const { state: _state, ...rest } = counts;
  return rest;
}

/**
 * Every visited State's implementation report as of `nowMs`: the list the Committee receives each
 * year. Given the States' register records, each visit also carries its own recommendations counted.
 */
export function annualReportingStatus(
  snapshots: readonly Monitored[],
  nowMs: number,
  visitYear?: number,
  records?: readonly RecommendationRecord[],
): AnnualRow[] {
  return snapshots
    .filter((s) => visitYear === undefined || Number(s.end.slice(0, 4)) === visitYear)
    .map((s) => {
      const open = s.openItems.find((o) => o.item === 'state-implementation-report');
      const done = s.closedItems.find((c) => c.item === 'state-implementation-report');
      let status: ReportingStatus;
      let due: string | null = null;
      let submitted: string | null = null;
      if (s.stage === 'withdrawn') status = 'withdrawn';
      else if (open) {
        due = open.deadline;
        status = open.deadline !== null && Date.parse(open.deadline) < nowMs ? 'overdue' : 'not yet due';
      } else if (done && done.outcome === 'submitted') {
        due = done.deadline;
        submitted = done.closedAt;
        status = done.deadline !== null && Date.parse(done.closedAt) > Date.parse(done.deadline) ? 'late' : 'on time';
      } else status = 'not yet requested';
      return {
        id: s.id,
        state: s.state,
        stateName: s.stateName ?? s.state,
        visitYear: Number(s.end.slice(0, 4)),
        status,
        due,
        submitted,
        ...(records ? { recommendations: countsOf(records.filter((r) => r.visit === s.id)) } : {}),
      };
    })
    .sort((a, b) => a.stateName.localeCompare(b.stateName) || a.id.localeCompare(b.id));
}

/**
 * Each State of the annual list (in its order, by name) with its whole register counted: every
 * recommendation of every visit of the State, also of visits the list leaves out.
 */
export function annualStateProgress(
  rows: readonly AnnualRow[],
  records: readonly RecommendationRecord[],
): AnnualStateProgress[] {
  const seen = new Set<string>();
  return rows.flatMap((r) => {
    if (seen.has(r.state)) return [];
    seen.add(r.state);
    return [{ state: r.state, stateName: r.stateName, ...countsOf(records.filter((x) => x.state === r.state)) }];
  });
}

/** The annual CSV's columns after the reporting status: the visit's recommendations counted. */
export const ANNUAL_PROGRESS_COLUMNS = [
  ...['recommendations', 'open', 'closed', 'priorityOpen'],
  ...ASSESSED_STATUSES.map((s) => `assessed:${s}`),
  ...TA_STATUSES.map((s) => `ta:${s}`),
];

/** A row of the annual CSV: the reporting status, then the recommendations' columns (empty when not counted). */
export function annualCsvRecord(r: AnnualRow): Record<string, unknown> {
  const { recommendations: c, ...status } = r;
  if (!c) return status;
  return {
    ...status,
    recommendations: c.total,
    open: c.open,
    closed: c.closed,
    priorityOpen: c.priorityOpen,
    ...Object.fromEntries(ASSESSED_STATUSES.map((s) => [`assessed:${s}`, c.byAssessed[s]])),
    ...Object.fromEntries(TA_STATUSES.map((s) => [`ta:${s}`, c.ta[s]])),
  };
}

/** `implemented 2, not-implemented 1`: the statuses that have any, in the vocabulary's order. */
export function nonZero<K extends string>(order: readonly K[], counts: Record<K, number>): string {
  return order
    .filter((k) => counts[k] > 0)
    .map((k) => `${k} ${counts[k]}`)
    .join(', ');
}

/** One line of recommendations counted: `12 recommendations: 9 open (3 priority), 3 closed`. */
export function recommendationsLine(c: RecommendationCounts): string {
  if (!c.total) return 'no recommendations recorded';
  const many = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${many(c.total, 'recommendation')}: ${c.open} open (${c.priorityOpen} priority), ${c.closed} closed`;
}

export interface Digest {
  upcoming: { id: string; stateName: string; item: string; deadline: string }[];
  overdue: { id: string; stateName: string; item: string; deadline: string; daysOverdue: number }[];
  /** Steps waiting on a decision: reports under the no-objection procedure or at a meeting, extension requests. */
  decisions: { id: string; stateName: string; what: string }[];
  /** When a calendar is given: its warning if it ends within 12 months of an open deadline, else null. */
  calendarWarning?: string | null;
}

/**
 * The weekly digest: deadlines in the next `horizonDays`, everything overdue, decisions waiting; with
 * a calendar, a warning when it ends within 12 months of an open deadline of an open visit.
 */
export function digest(
  snapshots: Snapshot[],
  nowMs: number,
  horizonDays = 14,
  calendar?: Pick<WorkingCalendar, 'coveredUntil'>,
): Digest {
  const out: Digest = { upcoming: [], overdue: [], decisions: [] };
  if (calendar) {
    const open = snapshots.filter((s) => s.stage !== 'closed' && s.stage !== 'withdrawn');
    const deadlines = open.flatMap((s) => s.openItems.flatMap((o) => (o.deadline ? [Date.parse(o.deadline)] : [])));
    out.calendarWarning = calendarCoverage(calendar, deadlines).warning;
  }
  for (const s of snapshots) {
    const name = s.stateName ?? s.state;
    for (const o of s.openItems) {
      if (!o.deadline) continue;
      const due = Date.parse(o.deadline);
      if (due < nowMs)
        out.overdue.push({
          id: s.id,
          stateName: name,
          item: o.item,
          deadline: o.deadline,
          daysOverdue: Math.floor((nowMs - due) / DAY),
        });
      else if (due <= nowMs + horizonDays * DAY)
        out.upcoming.push({ id: s.id, stateName: name, item: o.item, deadline: o.deadline });
    }
    if (s.stage === 'committee-review') {
      out.decisions.push({
        id: s.id,
        stateName: name,
        what: s.committee.objection
          ? 'objection: awaiting a Committee meeting'
          : s.committee.holds.length
            ? `on hold (${s.committee.holds.length})`
            : 'under the no-objection procedure',
      });
    }
    if (s.stage === 'state-review' && s.extension === 'requested')
      out.decisions.push({ id: s.id, stateName: name, what: 'extension requested' });
  }
  out.upcoming.sort((a, b) => a.deadline.localeCompare(b.deadline));
  out.overdue.sort((a, b) => b.daysOverdue - a.daysOverdue);
  return out;
}

/** The digest and the annual list as plain text for e-mail. */
export function digestText(d: Digest, nowMs: number): string {
  const date = newYorkDate(nowMs);
  const section = (title: string, lines: string[]) =>
    `${title} (${lines.length})\n${lines.length ? lines.map((l) => `  - ${l}`).join('\n') : '  none'}\n`;
  return [
    `Visit follow-up digest, ${date}\n`,
    ...(d.calendarWarning ? [`Calendar: ${d.calendarWarning}\n`] : []),
    section(
      'Deadlines in the next 14 days',
      d.upcoming.map((u) => `${u.id} ${u.stateName}: ${u.item} due ${newYorkDate(Date.parse(u.deadline))}`),
    ),
    section(
      'Overdue',
      d.overdue.map(
        (o) =>
          `${o.id} ${o.stateName}: ${o.item} due ${newYorkDate(Date.parse(o.deadline))} (${o.daysOverdue} days overdue)`,
      ),
    ),
    section(
      'Decisions waiting',
      d.decisions.map((x) => `${x.id} ${x.stateName}: ${x.what}`),
    ),
  ].join('\n');
}

/**
 * The annual list as plain text: each visit's reporting status, then (when the registers were
 * read) each State's recommendations by CTED's assessed status and its TA needs by status.
 */
export function annualText(rows: AnnualRow[], nowMs: number, states?: readonly AnnualStateProgress[]): string {
  const date = newYorkDate(nowMs);
  const list = rows
    .map(
      (r) =>
        `${r.stateName} (${r.id}, visit of ${r.visitYear}): ${r.status}${r.due ? `, due ${newYorkDate(Date.parse(r.due))}` : ''}${r.submitted ? `, submitted ${newYorkDate(Date.parse(r.submitted))}` : ''}`,
    )
    .join('\n');
  const progress = (states ?? []).map((p) => {
    const lines = [`${p.stateName} (${p.state}): ${recommendationsLine(p)}`];
    if (p.total) lines.push(`  assessed: ${nonZero(ASSESSED_STATUSES, p.byAssessed)}`);
    const ta = nonZero(TA_STATUSES, p.ta);
    if (ta) lines.push(`  TA needs: ${ta}`);
    return lines.join('\n');
  });
  const section = states
    ? `\nRecommendations and technical assistance, per State\n\n${progress.join('\n') || 'No visited State.'}\n`
    : '';
  return `Reporting status of visited States, as of ${date}\n\n${list}\n${section}`;
}
