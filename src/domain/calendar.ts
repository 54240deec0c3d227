/**
 * The UN Headquarters (New York) working-day calendar, as pure functions.
 *
 * Workflow code uses this, so it must be deterministic on every worker: no Intl, no tz database.
 * New York's offset follows the US rule in force since 2007 (DST from the second Sunday of March
 * at 02:00 to the first Sunday of November at 02:00).
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * A calendar: the official holidays (closures, YYYY-MM-DD New York dates). Weekends never count.
 * `floating` and `coveredUntil` are optional: the policies recorded in running workflows' inputs
 * before they existed still parse, and count working days exactly as they did.
 */
export interface WorkingCalendar {
  holidays: readonly string[];
  /** Floating holidays: not closures (the office is open), but the Committee avoids meeting on them. */
  floating?: readonly string[];
  /**
   * The last date the official lists cover. Past it the holidays are unknown: working days count
   * weekends only, and a deadline there is provisional until a calendar covering it is published.
   */
  coveredUntil?: string;
}

function nthSundayUtc(year: number, month: number, n: number): number {
  const first = Date.UTC(year, month, 1);
  const firstDow = new Date(first).getUTCDay();
  const firstSunday = 1 + ((7 - firstDow) % 7);
  return Date.UTC(year, month, firstSunday + 7 * (n - 1));
}

/** New York's UTC offset in hours (-4 in summer, -5 in winter) at an instant. */
export function newYorkOffsetHours(instantMs: number): number {
  const year = new Date(instantMs).getUTCFullYear();
  // 02:00 local standard time = 07:00 UTC; 02:00 local daylight time = 06:00 UTC.
  const dstStart = nthSundayUtc(year, 2, 2) + 7 * HOUR_MS;
  const dstEnd = nthSundayUtc(year, 10, 1) + 6 * HOUR_MS;
  return instantMs >= dstStart && instantMs < dstEnd ? -4 : -5;
}

/** The New York calendar date (YYYY-MM-DD) of an instant. */
export function newYorkDate(instantMs: number): string {
  return new Date(instantMs + newYorkOffsetHours(instantMs) * HOUR_MS).toISOString().slice(0, 10);
}

/** The instant of a New York wall-clock time on a date (`time` as HH:MM:SS.sss). */
export function newYorkInstant(date: string, time = '00:00:00.000'): number {
  const naive = Date.parse(`${date}T${time}Z`);
  // Try the winter offset first, then check it against the instant it produces.
  const guess = naive + 5 * HOUR_MS;
  return naive - newYorkOffsetHours(guess) * HOUR_MS;
}

/** The last moment of a New York date: a date-only deadline or event ends here. */
export function endOfNewYorkDay(date: string): number {
  return newYorkInstant(date, '23:59:59.999');
}

function dayOfWeek(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function nextDate(date: string, days = 1): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** True when the New York date is neither a weekend nor an official holiday (holidays past `coveredUntil` are unknown). */
export function isWorkingDay(date: string, calendar: WorkingCalendar): boolean {
  const dow = dayOfWeek(date);
  if (dow === 0 || dow === 6) return false;
  if (calendar.coveredUntil !== undefined && date > calendar.coveredUntil) return true;
  return !calendar.holidays.includes(date);
}

/** True when the date is one of the calendar's floating holidays (a working day all the same). */
export function isFloatingHoliday(date: string, calendar: WorkingCalendar): boolean {
  return calendar.floating?.includes(date) ?? false;
}

/** The first working day strictly after `date` (YYYY-MM-DD). */
export function nextWorkingDay(date: string, calendar: WorkingCalendar): string {
  let d = nextDate(date);
  while (!isWorkingDay(d, calendar)) d = nextDate(d);
  return d;
}

/** `date` itself when it is a working day, otherwise the next working day. */
export function workingDayOnOrAfter(date: string, calendar: WorkingCalendar): string {
  return isWorkingDay(date, calendar) ? date : nextWorkingDay(date, calendar);
}

/** The last millisecond of the New York date of an instant (a deadline "by close of that day"). */
export function endOfNewYorkDayOf(instantMs: number): number {
  return endOfNewYorkDay(newYorkDate(instantMs));
}

/**
 * True when the deadline's New York date lies past the calendar's `coveredUntil`: its working days
 * were counted over weekends only, and it may move when a calendar covering it is published.
 * A calendar without `coveredUntil` (recorded before it existed) makes nothing provisional.
 */
export function isProvisional(deadlineMs: number, calendar: WorkingCalendar): boolean {
  return calendar.coveredUntil !== undefined && newYorkDate(deadlineMs) > calendar.coveredUntil;
}

/** A date `months` calendar months later, the day of month clamped to the month's end. */
function addMonthsToDate(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = m - 1 + months;
  const ty = y + Math.floor(target / 12);
  const tm = ((target % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  return new Date(Date.UTC(ty, tm, Math.min(d, lastDay))).toISOString().slice(0, 10);
}

/** Whether a calendar's coverage reaches far enough past the open deadlines. */
export interface CalendarCoverage {
  /** The calendar's last covered date, or null when it does not say (nothing is checked then). */
  coveredUntil: string | null;
  /** The New York date of the latest open deadline, or null when none is open. */
  latestDeadline: string | null;
  /** Open deadlines past `coveredUntil`: counted over weekends only. */
  provisional: number;
  /** True when the calendar ends within 12 months of an open deadline (or before it). */
  endsSoon: boolean;
  /** One line for people (start-up log, dashboard banner, digest), or null when all is well. */
  warning: string | null;
}

/** How long past an open deadline the calendar must reach before the engine stops warning. */
export const COVERAGE_MONTHS = 12;

/** Checks a calendar's `coveredUntil` against the open deadlines (instants). */
export function calendarCoverage(
  calendar: Pick<WorkingCalendar, 'coveredUntil'>,
  openDeadlinesMs: readonly number[],
): CalendarCoverage {
  const coveredUntil = calendar.coveredUntil ?? null;
  const dates = openDeadlinesMs.filter((ms) => Number.isFinite(ms)).map((ms) => newYorkDate(ms));
  const latestDeadline = dates.length ? dates.reduce((a, b) => (a > b ? a : b)) : null;
  if (coveredUntil === null || latestDeadline === null) {
    return { coveredUntil, latestDeadline, provisional: 0, endsSoon: false, warning: null };
  }
  const provisional = dates.filter((d) => d > coveredUntil).length;
  const endsSoon = addMonthsToDate(latestDeadline, COVERAGE_MONTHS) > coveredUntil;
  const warning = endsSoon
    ? `The UN Headquarters holiday calendar covers working days only until ${coveredUntil}, within ${COVERAGE_MONTHS} months of open deadlines (the latest on ${latestDeadline}` +
      (provisional ? `; ${provisional} past its end, counted over weekends only, are provisional` : '') +
      '): add the next official list and publish it (followup calendar publish).'
    : null;
  return { coveredUntil, latestDeadline, provisional, endsSoon, warning };
}

/**
 * The instant `n` working days after `instantMs`, at the same New York wall-clock time.
 * The day of the event itself never counts; weekends and holidays are skipped.
 */
export function addWorkingDays(instantMs: number, n: number, calendar: WorkingCalendar): number {
  const offset = newYorkOffsetHours(instantMs);
  const wallClock = new Date(instantMs + offset * HOUR_MS).toISOString().slice(11, 23);
  let date = newYorkDate(instantMs);
  let counted = 0;
  while (counted < n) {
    date = nextDate(date);
    if (isWorkingDay(date, calendar)) counted++;
  }
  return newYorkInstant(date, wallClock);
}

/** Working days strictly after `fromMs`'s date up to and including `toMs`'s date (New York). */
export function workingDaysBetween(fromMs: number, toMs: number, calendar: WorkingCalendar): number {
  let date = newYorkDate(fromMs);
  const end = newYorkDate(toMs);
  let count = 0;
  while (date < end) {
    date = nextDate(date);
    if (isWorkingDay(date, calendar)) count++;
  }
  return count;
}
