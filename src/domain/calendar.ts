/**
 * The UN Headquarters (New York) working-day calendar, as pure functions.
 *
 * Workflow code uses this, so it must be deterministic on every worker: no Intl, no tz database.
 * New York's offset follows the US rule in force since 2007 (DST from the second Sunday of March
 * at 02:00 to the first Sunday of November at 02:00).
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** A calendar: the official holidays (YYYY-MM-DD, New York dates). Weekends never count. */
export interface WorkingCalendar {
  holidays: readonly string[];
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

/** True when the New York date is neither a weekend nor an official holiday. */
export function isWorkingDay(date: string, calendar: WorkingCalendar): boolean {
  const dow = dayOfWeek(date);
  return dow !== 0 && dow !== 6 && !calendar.holidays.includes(date);
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
