/**
 * Resolves the effective policy: DOMAIN.md's defaults, the UN Headquarters holiday calendar, and
 * the overrides of the file FOLLOWUP_POLICY names. The result goes into each new workflow's input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z, ZodError } from 'zod';
import { readJsonFile } from '../json-file';
import {
  DEADLINES_ON_CLOSED_DAYS,
  DEFAULT_POLICY,
  DurationText,
  ReminderRule,
  ValidPolicy,
  type Policy,
} from '../../domain/policy';
import { ITEMS } from '../../domain/vocabulary';

/** The engine's own holiday file. */
export const HOLIDAY_FILE = join(__dirname, 'un-holidays.json');

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real calendar date');
const weekday = (date: string) => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());

/** How a year's list is sourced. */
export const YEAR_STATUS = ['official', 'secondary', 'unverified', 'expected'] as const;

/** One year of the holiday file: its nine closures, its floating holidays, and where they come from. */
const HolidayYear = z
  .object({
    year: z.number().int().min(1946).max(2199),
    /**
     * official: the Secretariat's information circular (or the UN Library quoting it); secondary: the
     * press quoting it; unverified: a list was published but not found; expected: none published yet.
     */
    status: z.enum(YEAR_STATUS),
    source: z
      .object({
        /** The circular's symbol, e.g. ST/IC/2019/23, when known. */
        circular: z.string().min(1).nullable(),
        /** Where the list was found. */
        url: z.url().nullable(),
        note: z.string().optional(),
      })
      .strict(),
    closures: z.array(z.object({ date: IsoDate, name: z.string().min(1) }).strict()),
    floating: z
      .array(z.object({ date: IsoDate, name: z.string().min(1), expected: z.boolean().optional() }).strict())
      .default([]),
  })
  .strict()
  .superRefine((y, ctx) => {
    if (y.closures.length !== 9)
      ctx.addIssue({
        code: 'custom',
        path: ['closures'],
        message: `UN Headquarters closes on nine official holidays a year; ${y.year} lists ${y.closures.length}`,
      });
    const seen = new Set<string>();
    y.closures.forEach((c, i) => {
      if (!c.date.startsWith(`${y.year}-`))
        ctx.addIssue({ code: 'custom', path: ['closures', i, 'date'], message: `${c.date} is not in ${y.year}` });
      else if (!weekday(c.date))
        ctx.addIssue({
          code: 'custom',
          path: ['closures', i, 'date'],
          message: `${c.date} (${c.name}) is a weekend day: give the observed date`,
        });
      if (seen.has(c.date))
        ctx.addIssue({ code: 'custom', path: ['closures', i, 'date'], message: `${c.date} is listed twice` });
      seen.add(c.date);
    });
    y.floating.forEach((f, i) => {
      if (!f.date.startsWith(`${y.year}-`))
        ctx.addIssue({ code: 'custom', path: ['floating', i, 'date'], message: `${f.date} is not in ${y.year}` });
    });
  });
export type HolidayYear = z.infer<typeof HolidayYear>;

/**
 * The holiday file (src/infra/policy/un-holidays.json, or one given to `followup calendar publish`):
 * the years in order, each with its sources, and `coveredUntil`, the last day of the last year whose
 * list the Secretariat has published (an `expected` year lies past it, every other year before it).
 */
export const HolidayFile = z
  .object({
    calendar: z.string().min(1),
    timeZone: z.literal('America/New_York'),
    note: z.string().optional(),
    coveredUntil: IsoDate,
    years: z.array(HolidayYear).min(1),
  })
  .strict()
  .superRefine((f, ctx) => {
    f.years.forEach((y, i) => {
      if (i > 0 && y.year <= f.years[i - 1]!.year)
        ctx.addIssue({
          code: 'custom',
          path: ['years', i, 'year'],
          message: 'years must be listed once each, in order',
        });
      const end = `${y.year}-12-31`;
      if (y.status === 'expected' && `${y.year}-01-01` <= f.coveredUntil)
        ctx.addIssue({
          code: 'custom',
          path: ['years', i, 'status'],
          message: `${y.year} is expected (no official list), so coveredUntil (${f.coveredUntil}) must end before it`,
        });
      if (y.status !== 'expected' && end > f.coveredUntil)
        ctx.addIssue({
          code: 'custom',
          path: ['coveredUntil'],
          message: `${y.year} has a published list (${y.status}), so coveredUntil must reach ${end}`,
        });
    });
  });
export type HolidayFile = z.infer<typeof HolidayFile>;

/** The calendar a policy carries, from a holiday file: every closure and floating day, and `coveredUntil`. */
export function calendarOf(file: HolidayFile): Policy['calendar'] {
  return {
    name: file.calendar,
    timeZone: file.timeZone,
    holidays: file.years.flatMap((y) => y.closures.map((c) => c.date)),
    floating: file.years.flatMap((y) => y.floating.map((f) => f.date)),
    coveredUntil: file.coveredUntil,
  };
}

/** The engine's own holiday file, validated. */
export function readHolidayFile(file = HOLIDAY_FILE): HolidayFile {
  return HolidayFile.parse(JSON.parse(readFileSync(file, 'utf8')));
}

const OverrideDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** What a policy file may set: any clock, any item's reminder rule (whole), the name, the calendar; a whole policy too. */
export const PolicyOverride = z
  .object({
    name: z.string().min(1).optional(),
    clocks: z
      .partialRecord(z.enum(Object.keys(DEFAULT_POLICY.clocks) as [string, ...string[]]), DurationText)
      .optional(),
    reminders: z.partialRecord(z.enum(ITEMS), ReminderRule.nullable()).optional(),
    // What `followup policy show --json` prints is accepted back: the calendar's name and zone too.
    calendar: z
      .object({
        name: z.string().min(1).optional(),
        timeZone: z.literal('America/New_York').optional(),
        holidays: z.array(OverrideDate),
        floating: z.array(OverrideDate).optional(),
        coveredUntil: OverrideDate.optional(),
      })
      .strict()
      .optional(),
    deadlinesOnClosedDays: z.enum(DEADLINES_ON_CLOSED_DAYS).optional(),
  })
  .strict();
export type PolicyOverride = z.input<typeof PolicyOverride>;

export function holidayCalendar(): Policy['calendar'] {
  return calendarOf(readHolidayFile());
}

/**
 * Merges an override into the defaults; a `null` reminder rule removes that item's reminders. The
 * result is checked beyond its shape (`policyProblems`): durations that overflow the calendar,
 * zero-length clocks and reminder rules that can never fire are refused.
 */
export function resolvePolicy(override: PolicyOverride = {}): Policy {
  const o = PolicyOverride.parse(override);
  const reminders: Record<string, unknown> = { ...DEFAULT_POLICY.reminders };
  for (const [item, rule] of Object.entries(o.reminders ?? {})) {
    if (rule === null) delete reminders[item];
    else reminders[item] = rule;
  }
  const calendar = holidayCalendar();
  return ValidPolicy.parse({
    name: o.name ?? DEFAULT_POLICY.name,
    clocks: { ...DEFAULT_POLICY.clocks, ...o.clocks },
    reminders,
    calendar: { ...calendar, ...o.calendar },
    deadlinesOnClosedDays: o.deadlinesOnClosedDays ?? DEFAULT_POLICY.deadlinesOnClosedDays,
  });
}

/** Loads FOLLOWUP_POLICY's file (or the defaults); errors name the variable, the file and the field. */
export function loadPolicy(file?: string): Policy {
  if (!file) return resolvePolicy();
  const override = readJsonFile('FOLLOWUP_POLICY', file, PolicyOverride);
  try {
    return resolvePolicy(override);
  } catch (e) {
    if (!(e instanceof ZodError)) throw e;
    const fields = e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`FOLLOWUP_POLICY: ${file}: ${fields}`, { cause: e });
  }
}
