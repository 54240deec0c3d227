/**
 * Policy durations as readable strings: "30 days", "5 working days", "6 months", "10 seconds".
 * Parsing and adding are pure so the workflow can compute deadlines deterministically.
 */
import { addWorkingDays, newYorkDate, newYorkInstant, newYorkOffsetHours, type WorkingCalendar } from './calendar';

export type DurationUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'working day' | 'month' | 'year';

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

/** Units that are a fixed number of milliseconds; days and longer follow the New York calendar. */
const FIXED_MS: Partial<Record<DurationUnit, number>> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
};

const PATTERN = /^\s*(\d+)\s+(seconds?|minutes?|hours?|days?|weeks?|working\s+days?|months?|years?)\s*$/i;

/** Parses a duration string, or returns an error message saying what is accepted. */
export function parseDuration(text: string): Duration | { error: string } {
  const m = PATTERN.exec(text);
  if (!m) {
    return {
      error: `"${text}" is not a duration: write a whole number and a unit, e.g. "30 days", "5 working days", "6 months", "10 seconds"`,
    };
  }
  const unit = m[2]!.toLowerCase().replace(/\s+/g, ' ').replace(/s$/, '') as DurationUnit;
  return { amount: Number(m[1]), unit };
}

/** Parses a duration already validated by the policy schema; throws on a bad string. */
export function duration(text: string): Duration {
  const d = parseDuration(text);
  if ('error' in d) throw new TypeError(d.error);
  return d;
}

/**
 * Moves an instant by whole days and months on the New York calendar, keeping its New York
 * wall-clock time: "30 days" after the end of a New York day is the end of a New York day, across
 * daylight-saving changes too. Months keep the day of month, clamped to the month's end.
 */
function shiftNewYorkCalendar(instantMs: number, months: number, days: number): number {
  const local = new Date(instantMs + newYorkOffsetHours(instantMs) * 3_600_000);
  const wallClock = local.toISOString().slice(11, 23);
  const [y, m, d] = newYorkDate(instantMs).split('-').map(Number) as [number, number, number];
  const target = m - 1 + months;
  const ty = y + Math.floor(target / 12);
  const tm = ((target % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  const date = new Date(Date.UTC(ty, tm, Math.min(d, lastDay)) + days * 86_400_000).toISOString().slice(0, 10);
  return newYorkInstant(date, wallClock);
}

function calendarShift(unit: DurationUnit, amount: number): { months: number; days: number } {
  switch (unit) {
    case 'day':
      return { months: 0, days: amount };
    case 'week':
      return { months: 0, days: 7 * amount };
    case 'month':
      return { months: amount, days: 0 };
    default:
      return { months: 12 * amount, days: 0 };
  }
}

/** The instant a duration after `instantMs`. Months keep the day of month (clamped to the month's end). */
export function addDuration(instantMs: number, text: string, calendar: WorkingCalendar): number {
  const { amount, unit } = duration(text);
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return instantMs + amount * fixed;
  if (unit === 'working day') return addWorkingDays(instantMs, amount, calendar);
  const { months, days } = calendarShift(unit, amount);
  return shiftNewYorkCalendar(instantMs, months, days);
}

/**
 * The instant a duration before `instantMs`, for "remind N before the deadline". Working days are
 * counted back as calendar days: a reminder may fall on a weekend, a deadline never does.
 */
export function subtractDuration(instantMs: number, text: string): number {
  const { amount, unit } = duration(text);
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return instantMs - amount * fixed;
  if (unit === 'working day') return shiftNewYorkCalendar(instantMs, 0, -amount);
  const { months, days } = calendarShift(unit, amount);
  return shiftNewYorkCalendar(instantMs, -months, -days);
}
