/**
 * Policy durations as readable strings: "30 days", "5 working days", "6 months", "10 seconds".
 * Parsing and adding are pure so the workflow can compute deadlines deterministically.
 */
import { addWorkingDays, type WorkingCalendar } from './calendar';

export type DurationUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'working day' | 'month' | 'year';

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

const FIXED_MS: Partial<Record<DurationUnit, number>> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
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

function addMonths(instantMs: number, months: number): number {
  const d = new Date(instantMs);
  const targetMonth = d.getUTCMonth() + months;
  const y = d.getUTCFullYear() + Math.floor(targetMonth / 12);
  const m = ((targetMonth % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** The instant a duration after `instantMs`. Months keep the day of month (clamped to the month's end). */
export function addDuration(instantMs: number, text: string, calendar: WorkingCalendar): number {
  const { amount, unit } = duration(text);
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return instantMs + amount * fixed;
  if (unit === 'working day') return addWorkingDays(instantMs, amount, calendar);
  if (unit === 'month') return addMonths(instantMs, amount);
  return addMonths(instantMs, amount * 12);
}

/** The instant a duration before `instantMs` (working days and months are not counted backwards). */
export function subtractDuration(instantMs: number, text: string): number {
  const { amount, unit } = duration(text);
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return instantMs - amount * fixed;
  if (unit === 'working day') return instantMs - amount * 86_400_000;
  if (unit === 'month') return addMonths(instantMs, -amount);
  return addMonths(instantMs, -12 * amount);
}
