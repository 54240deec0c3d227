/**
 * Appendix I of S/2020/99 ("Visits conducted by the Committee"): one row per visit, by visit
 * number, with the State visited, the type and which visit to the State it was, and the visit's
 * dates written as the appendix writes them ("30 January–1 February 2018"). The engine adds what
 * the appendix cannot know: when the Committee adopted the report, when it was transmitted, and
 * when and how far the State consented to share it. Pure: built from the visits as the viewer's
 * role sees them, so a State's export holds only its own visits.
 */
import { newYorkDate } from './calendar';
import type { ConsentScope } from './vocabulary';

/** What the export reads of a visit: any role's view of it but a partner's, or a read-model snapshot. */
export interface ConductedVisit {
  id: string;
  number: number;
  state: string;
  stateName?: string | undefined;
  type: string;
  ordinal?: string | null | undefined;
  start: string;
  end: string;
  stage: string;
  adoptedAt: string | null;
  transmittedAt: string | null;
  consent: { scope: ConsentScope; decidedAt?: string | undefined };
}

/** One line of Appendix I, with the follow-up's dates (New York days, YYYY-MM-DD). */
export interface ConductedRow {
  number: number;
  id: string;
  /** The year the visit ended (as every other export's `year`). */
  year: number;
  state: string;
  stateName: string;
  type: string;
  ordinal: string | null;
  /** The appendix's "Member State visited": `Greece (follow-up), second visit`. */
  visited: string;
  start: string;
  end: string;
  /** The appendix's "Dates of visit": `30 January–1 February 2018`. */
  dates: string;
  adopted: string | null;
  transmitted: string | null;
  /** The day the State decided whether to share the report (null until it has). */
  consent: string | null;
  consentScope: ConsentScope | null;
}

/** The CSV's columns, in the appendix's order and then the follow-up's. */
export const CONDUCTED_COLUMNS = [
  ...['number', 'id', 'year', 'state', 'stateName', 'type', 'ordinal', 'visited', 'start', 'end', 'dates'],
  ...['adopted', 'transmitted', 'consent', 'consentScope'],
] as const satisfies readonly (keyof ConductedRow)[];

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `2018-01-30` to `{ day: 30, month: 'January', year: 2018 }`. */
function parts(date: string) {
  const [y, m, d] = date.split('-').map(Number);
  return { day: d!, month: MONTHS[m! - 1]!, year: y! };
}

/**
 * A visit's dates as UN documents in English write them, with an en dash: `26–30 March 2018`,
 * `30 January–1 February 2018`, `30 December 2019–2 January 2020`, or `4 June 2018` for one day.
 */
export function visitDates(start: string, end: string): string {
  const a = parts(start);
  const b = parts(end);
  if (start === end) return `${a.day} ${a.month} ${a.year}`;
  if (a.year !== b.year) return `${a.day} ${a.month} ${a.year}–${b.day} ${b.month} ${b.year}`;
  if (a.month !== b.month) return `${a.day} ${a.month}–${b.day} ${b.month} ${b.year}`;
  return `${a.day}–${b.day} ${b.month} ${b.year}`;
}

/** The appendix's "Member State visited": the State, the type in brackets, and which visit it was. */
export function visitedText(v: Pick<ConductedVisit, 'state' | 'stateName' | 'type' | 'ordinal'>): string {
  return `${v.stateName ?? v.state} (${v.type})${v.ordinal ? `, ${v.ordinal} visit` : ''}`;
}

const day = (instant: string | null | undefined) => (instant ? newYorkDate(Date.parse(instant)) : null);

export function conductedRow(v: ConductedVisit): ConductedRow {
  const decided = v.consent.decidedAt;
  return {
    number: v.number,
    id: v.id,
    year: Number(v.end.slice(0, 4)),
    state: v.state,
    stateName: v.stateName ?? v.state,
    type: v.type,
    ordinal: v.ordinal ?? null,
    visited: visitedText(v),
    start: v.start,
    end: v.end,
    dates: visitDates(v.start, v.end),
    adopted: day(v.adoptedAt),
    transmitted: day(v.transmittedAt),
    consent: day(decided),
    consentScope: decided ? v.consent.scope : null,
  };
}

/**
 * The visits conducted as of `nowMs` (begun by that New York day), by visit number: withdrawn
 * visits are left out (their follow-up was called off, for a visit postponed or entered by
 * mistake), and so are visits still to come. `year` keeps the visits that ended that year.
 */
export function visitsConducted(visits: readonly ConductedVisit[], nowMs: number, year?: number): ConductedRow[] {
  const today = newYorkDate(nowMs);
  return visits
    .filter((v) => v.stage !== 'withdrawn' && v.start <= today)
    .map(conductedRow)
    .filter((r) => year === undefined || r.year === year)
    .sort((a, b) => a.number - b.number || a.id.localeCompare(b.id));
}

/** The appendix's "Total" column: how many visits each year, in order of year. */
export function conductedPerYear(rows: readonly ConductedRow[]): { year: number; visits: number }[] {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.year, (counts.get(r.year) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a - b).map(([year, visits]) => ({ year, visits }));
}

/** The appendix as text: a heading per year with its total, then each visit with the follow-up's dates. */
export function conductedText(rows: readonly ConductedRow[], nowMs: number): string {
  const totals = conductedPerYear(rows);
  const lines = [`Visits conducted by the Committee, as at ${newYorkDate(nowMs)}`];
  for (const { year, visits } of totals) {
    lines.push('', `${year} (${visits} visit${visits === 1 ? '' : 's'})`);
    for (const r of rows.filter((x) => x.year === year)) {
      const follow = [
        r.adopted ? `adopted ${r.adopted}` : null,
        r.transmitted ? `transmitted ${r.transmitted}` : null,
        r.consent ? `consent ${r.consentScope} ${r.consent}` : null,
      ].filter((x) => x !== null);
      lines.push(
        `  ${String(r.number).padEnd(5)} ${r.visited}  ${r.dates}${follow.length ? `  (${follow.join(', ')})` : ''}`,
      );
    }
  }
  if (!totals.length) lines.push('', 'No visits.');
  return `${lines.join('\n')}\n`;
}
