/**
 * Resolves the effective policy: DOMAIN.md's defaults, the UN Headquarters holiday calendar, and
 * the overrides of the file FOLLOWUP_POLICY names. The result goes into each new workflow's input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '../json-file';
import { DEFAULT_POLICY, DurationText, Policy, ReminderRule } from '../../domain/policy';
import { ITEMS } from '../../domain/vocabulary';

const HolidayFile = z.object({
  calendar: z.string(),
  timeZone: z.literal('America/New_York'),
  holidays: z.array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), name: z.string() })),
});

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
        holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')),
      })
      .strict()
      .optional(),
  })
  .strict();
export type PolicyOverride = z.input<typeof PolicyOverride>;

export function holidayCalendar(): Policy['calendar'] {
  const file = HolidayFile.parse(JSON.parse(readFileSync(join(__dirname, 'un-holidays.json'), 'utf8')));
  return { name: file.calendar, timeZone: file.timeZone, holidays: file.holidays.map((h) => h.date) };
}

/** Merges an override into the defaults; a `null` reminder rule removes that item's reminders. */
export function resolvePolicy(override: PolicyOverride = {}): Policy {
  const o = PolicyOverride.parse(override);
  const reminders: Record<string, unknown> = { ...DEFAULT_POLICY.reminders };
  for (const [item, rule] of Object.entries(o.reminders ?? {})) {
    if (rule === null) delete reminders[item];
    else reminders[item] = rule;
  }
  const calendar = holidayCalendar();
  return Policy.parse({
    name: o.name ?? DEFAULT_POLICY.name,
    clocks: { ...DEFAULT_POLICY.clocks, ...o.clocks },
    reminders,
    calendar: { ...calendar, ...o.calendar },
  });
}

/** Loads FOLLOWUP_POLICY's file (or the defaults); errors name the variable, the file and the field. */
export function loadPolicy(file?: string): Policy {
  if (!file) return resolvePolicy();
  return resolvePolicy(readJsonFile('FOLLOWUP_POLICY', file, PolicyOverride));
}
