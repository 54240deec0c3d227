/**
 * The follow-up policy as data: every clock, reminder cadence and escalation ladder of the 2018
 * guidelines (../shared/DOMAIN.md), validated with zod. A workflow receives the resolved policy in
 * its input and keeps it for life, so a policy change affects only visits started afterwards.
 */
import { z } from 'zod';
import { addDuration, parseDuration, type Duration } from './duration';
import { ITEMS, RECIPIENT_ROLES, type Item } from './vocabulary';

export const DurationText = z.string().superRefine((text, ctx) => {
  const d = parseDuration(text);
  if ('error' in d) ctx.addIssue({ code: 'custom', message: d.error });
});

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const Recipients = z.array(z.enum(RECIPIENT_ROLES)).min(1);

/** How one item's people are reminded, and who hears of it once it is overdue. */
export const ReminderRule = z
  .object({
    /** Who is reminded before and on the deadline. */
    to: Recipients,
    /** Reminders this long before the deadline. */
    before: z.array(DurationText).default([]),
    /** A reminder on the deadline itself. */
    onDeadline: z.boolean().default(false),
    /** Once overdue, a reminder every this long, at most `overdueTimes` times. */
    overdueEvery: DurationText.optional(),
    overdueTimes: z.number().int().min(0).max(52).default(0),
    /** Escalation ladder: overdue reminders from `after` past the deadline also go to `to`. */
    escalation: z.array(z.object({ after: DurationText, to: Recipients }).strict()).default([]),
    /** For items with no deadline (sharing consent): reminders this long after the item opened. */
    afterOpening: z.array(DurationText).default([]),
  })
  .strict();
export type ReminderRule = z.infer<typeof ReminderRule>;

const clockShape = Object.fromEntries(
  (
    [
      'pao',
      'ta-referral',
      'drafting',
      'state-review',
      'state-review-extension',
      'finalizing',
      'committee-review',
      'transmitting',
      'receipt',
      'state-implementation-report',
      'cted-follow-up-report',
    ] as const
  ).map((k) => [k, DurationText]),
) as Record<Exclude<ClockName, 'ta-response'>, typeof DurationText>;

export type ClockName =
  | 'pao'
  | 'ta-referral'
  | 'drafting'
  | 'state-review'
  | 'state-review-extension'
  | 'finalizing'
  | 'committee-review'
  | 'transmitting'
  | 'receipt'
  | 'state-implementation-report'
  | 'cted-follow-up-report'
  /** A partner's answer to a TA referral (rules 3); policies recorded before it lack it. */
  | 'ta-response';

/** How long a partner has to answer a TA referral when the policy a visit started with does not say. */
export const DEFAULT_TA_RESPONSE = '30 days';

/**
 * The working-day calendar a visit counts with. `floating` and `coveredUntil` are optional so the
 * policies recorded in running workflows' inputs before they existed still parse; the loader
 * always fills them.
 */
export const PolicyCalendar = z
  .object({
    name: z.string(),
    timeZone: z.literal('America/New_York'),
    /** The official holidays (closures), New York dates. */
    holidays: z.array(IsoDate),
    /** Floating holidays: the office is open, but the Committee avoids meeting on them. */
    floating: z.array(IsoDate).optional(),
    /** The last date the official lists cover: past it, working days count weekends only. */
    coveredUntil: IsoDate.optional(),
  })
  .strict();
export type PolicyCalendar = z.infer<typeof PolicyCalendar>;

/** What happens to a calendar-day deadline that lands on a weekend or an official holiday. */
export const DEADLINES_ON_CLOSED_DAYS = ['next-working-day', 'keep'] as const;
export type DeadlinesOnClosedDays = (typeof DEADLINES_ON_CLOSED_DAYS)[number];

export const Policy = z
  .object({
    name: z.string().min(1),
    clocks: z.object({ ...clockShape, 'ta-response': DurationText.optional() }).strict(),
    reminders: z.partialRecord(z.enum(ITEMS), ReminderRule),
    calendar: PolicyCalendar,
    /**
     * A deadline counted in calendar days that lands on a weekend or holiday: moved to the next
     * working day (the default) or kept. Absent in policies recorded before it existed (kept, as then).
     */
    deadlinesOnClosedDays: z.enum(DEADLINES_ON_CLOSED_DAYS).optional(),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;
export type PolicyInput = z.input<typeof Policy>;

/** Deadlines must fall before this instant; checked from `LIMIT_FROM`, so a duration is shorter than 100 years. */
const LIMIT_FROM = Date.UTC(2100, 0, 1);
const LIMIT = Date.UTC(2200, 0, 1);
const LIMIT_DAYS = (LIMIT - LIMIT_FROM) / 86_400_000;

/** The fewest calendar days a duration can span: a cheap first check before computing. */
function minimumDays({ amount, unit }: Duration): number {
  const perUnit: Record<Duration['unit'], number> = {
    second: 1 / 86_400,
    minute: 1 / 1_440,
    hour: 1 / 24,
    day: 1,
    week: 7,
    'working day': 1,
    month: 28,
    year: 365,
  };
  return amount * perUnit[unit];
}

/** Why a duration is too long for the calendar (a deadline in the year 2200 or later), or null. */
export function durationTooLong(text: string): string | null {
  const d = parseDuration(text);
  if ('error' in d) return null;
  const message = `"${text}" is too long: every deadline must fall before the year 2200, so a duration must be shorter than 100 years`;
  if (minimumDays(d) > LIMIT_DAYS) return message;
  const end = addDuration(LIMIT_FROM, text, { holidays: [] });
  return Number.isFinite(end) && end < LIMIT ? null : message;
}

/** Clocks that act by themselves on their deadline, and what they do: reminders on or after it can never be sent. */
export const SELF_ACTING_CLOCKS: Partial<Record<Item, string>> = {
  'state-review': 'the comment period ends and the draft goes to finalizing',
  'committee-review': 'silence adopts the report',
  receipt: 'receipt is deemed',
};

/** One thing a policy must not say, with the field it is in. */
export interface PolicyProblem {
  path: (string | number)[];
  message: string;
}

const isZero = (text: string) => {
  const d = parseDuration(text);
  return !('error' in d) && d.amount === 0;
};

function reminderProblems(item: Item, rule: ReminderRule, tooLong: (path: (string | number)[], text: string) => void) {
  const problems: PolicyProblem[] = [];
  const at = (...rest: (string | number)[]) => ['reminders', item, ...rest];
  rule.before.forEach((t, i) => tooLong(at('before', i), t));
  rule.afterOpening.forEach((t, i) => tooLong(at('afterOpening', i), t));
  rule.escalation.forEach((e, i) => tooLong(at('escalation', i, 'after'), e.after));
  if (rule.overdueEvery !== undefined) {
    tooLong(at('overdueEvery'), rule.overdueEvery);
    if (isZero(rule.overdueEvery))
      problems.push({
        path: at('overdueEvery'),
        message: `"${rule.overdueEvery}" apart, every overdue reminder would go at the same moment`,
      });
  }
  const acts = SELF_ACTING_CLOCKS[item];
  if (!acts) return problems;
  const never = `the ${item} clock acts by itself on its deadline (${acts}), so`;
  if (rule.onDeadline)
    problems.push({
      path: at('onDeadline'),
      message: `${never} a reminder on the deadline can never be sent: remove onDeadline`,
    });
  if (rule.overdueEvery !== undefined)
    problems.push({
      path: at('overdueEvery'),
      message: `${never} it is never overdue and overdue reminders can never be sent: remove overdueEvery`,
    });
  if (rule.escalation.length)
    problems.push({
      path: at('escalation'),
      message: `${never} it is never overdue and can never escalate: remove escalation`,
    });
  return problems;
}

/**
 * What a policy must not say, beyond its shape: durations that overflow the calendar, zero-length
 * clocks, and reminder rules that can never fire. Checked when a policy is loaded (the defaults,
 * FOLLOWUP_POLICY), never when a running workflow reads the policy it was started with.
 */
export function policyProblems(policy: Policy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const tooLong = (path: (string | number)[], text: string) => {
    const why = durationTooLong(text);
    if (why) problems.push({ path, message: why });
  };
  for (const [clock, text] of Object.entries(policy.clocks)) {
    tooLong(['clocks', clock], text);
    if (isZero(text))
      problems.push({
        path: ['clocks', clock],
        message: `"${text}" is a zero-length clock: its deadline would fall the moment the step that starts it happens`,
      });
  }
  for (const [item, rule] of Object.entries(policy.reminders) as [Item, ReminderRule][])
    problems.push(...reminderProblems(item, rule, tooLong));
  return problems;
}

/** The policy schema plus `policyProblems`: what the loader accepts. */
export const ValidPolicy = Policy.superRefine((policy, ctx) => {
  for (const p of policyProblems(policy)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});

/** A CTED step (PAO, TA referral, final draft): the case officer is reminded, then CTED management. */
const CTED_STEP: z.input<typeof ReminderRule> = {
  to: ['case-officer'],
  before: ['3 days'],
  onDeadline: true,
  overdueEvery: '7 days',
  overdueTimes: 4,
  escalation: [{ after: '7 days', to: ['cted-management'] }],
};

/** The defaults of ../shared/DOMAIN.md ([source] and [default] values), without the holiday list. */
export const DEFAULT_POLICY: Omit<PolicyInput, 'calendar'> = {
  name: 'CTC follow-up guidelines of 8 October 2018 (engine defaults)',
  deadlinesOnClosedDays: 'next-working-day',
  clocks: {
    pao: '10 working days',
    'ta-referral': '10 working days',
    drafting: '60 days',
    'state-review': '30 days',
    'state-review-extension': '15 days',
    finalizing: '15 days',
    'committee-review': '5 working days',
    transmitting: '5 working days',
    receipt: '5 working days',
    'state-implementation-report': '6 months',
    'cted-follow-up-report': '12 months',
    'ta-response': DEFAULT_TA_RESPONSE,
  },
  reminders: {
    pao: CTED_STEP,
    'ta-referral': CTED_STEP,
    drafting: {
      to: ['case-officer'],
      before: ['14 days', '3 days'],
      onDeadline: true,
      overdueEvery: '7 days',
      overdueTimes: 8,
      escalation: [{ after: '7 days', to: ['cted-management'] }],
    },
    'state-review': { to: ['state-contact'], before: ['14 days', '3 days'] },
    finalizing: CTED_STEP,
    transmitting: {
      to: ['case-officer'],
      onDeadline: true,
      overdueEvery: '7 days',
      overdueTimes: 4,
      escalation: [{ after: '7 days', to: ['secretariat'] }],
    },
    receipt: { to: ['state-contact'], before: ['2 days'] },
    'sharing-consent': { to: ['state-contact'], afterOpening: ['30 days', '60 days'] },
    'state-implementation-report': {
      to: ['state-contact'],
      before: ['30 days', '7 days'],
      onDeadline: true,
      overdueEvery: '30 days',
      overdueTimes: 6,
      escalation: [
        { after: '30 days', to: ['permanent-mission'] },
        { after: '60 days', to: ['secretariat'] },
      ],
    },
    // The partners a need was referred to and that have not answered (see reminders.ts), then the case officer.
    'ta-response': {
      to: ['partners'],
      before: ['7 days'],
      onDeadline: true,
      overdueEvery: '7 days',
      overdueTimes: 4,
      escalation: [{ after: '7 days', to: ['case-officer'] }],
    },
    'cted-follow-up-report': {
      to: ['case-officer'],
      before: ['30 days', '7 days'],
      onDeadline: true,
      overdueEvery: '14 days',
      overdueTimes: 6,
      escalation: [{ after: '14 days', to: ['cted-management'] }],
    },
  },
};

/** The reminder rule of an item, or none when the policy sets no reminders for it. */
export function reminderRule(policy: Policy, item: Item): ReminderRule | undefined {
  return policy.reminders[item];
}
