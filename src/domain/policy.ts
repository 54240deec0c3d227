/**
 * The follow-up policy as data: every clock, reminder cadence and escalation ladder of the 2018
 * guidelines (../shared/DOMAIN.md), validated with zod. A workflow receives the resolved policy in
 * its input and keeps it for life, so a policy change affects only visits started afterwards.
 */
import { z } from 'zod';
import { parseDuration } from './duration';
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
) as Record<ClockName, typeof DurationText>;

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
  | 'cted-follow-up-report';

export const Policy = z
  .object({
    name: z.string().min(1),
    clocks: z.object(clockShape).strict(),
    reminders: z.partialRecord(z.enum(ITEMS), ReminderRule),
    calendar: z
      .object({
        name: z.string(),
        timeZone: z.literal('America/New_York'),
        holidays: z.array(IsoDate),
      })
      .strict(),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;
export type PolicyInput = z.input<typeof Policy>;

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
