/**
 * Recommendations and technical assistance (../shared/DOMAIN.md, "Recommendations and technical
 * assistance"): the words, the ids, what a file of recommendations holds, and the changes a visit
 * sends to its State's register. Pure: zod only.
 *
 * Where the truth lives:
 * - A visit's workflow owns the steps and their clocks: it records the recommendations with the
 *   final draft, fixes them at adoption, takes the State's progress reports, CTED's assessments
 *   and the TA loop, and keeps the partners' answer clock. Its status shows its own recommendations.
 * - A State's register (one long-lived workflow per Member State, continued-as-new) holds every
 *   recommendation of every visit of that State with its whole history. Visits feed it with
 *   `RegisterChange`s, each keyed `<visit id>#<seq>` and applied exactly once.
 */
import { z } from 'zod';

/**
 * A day as YYYY-MM-DD. Not `z.iso.date()`: in the workflow bundle (webpack) `z.iso.date` resolves
 * to `z.date`, which refuses every string, and the register parses its changes in the workflow.
 */
const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** Themes, after the resolution 1373 assessment areas. */
export const THEMES = [
  'legislation',
  'counter-financing',
  'law-enforcement',
  'border-management',
  'international-cooperation',
  'criminal-justice',
  'human-rights',
  'countering-violent-extremism',
  'ict',
  'other',
] as const;
export type Theme = (typeof THEMES)[number];

/** What the State reports of a recommendation. */
export const REPORTED_STATUSES = [
  'implemented',
  'partially-implemented',
  'in-progress',
  'not-started',
  'not-applicable',
] as const;
export type ReportedStatus = (typeof REPORTED_STATUSES)[number];

/** What CTED assesses; `insufficient-information` until assessed. */
export const ASSESSED_STATUSES = [
  'implemented',
  'largely-implemented',
  'partially-implemented',
  'not-implemented',
  'no-longer-relevant',
  'insufficient-information',
] as const;
export type AssessedStatus = (typeof ASSESSED_STATUSES)[number];

/** A recommendation is closed once CTED finds it implemented or no longer relevant, or a later one supersedes it. */
export const CLOSING_ASSESSMENTS: readonly AssessedStatus[] = ['implemented', 'no-longer-relevant'];

/** A TA need's life: the State agrees it, CTED refers it to partners, each partner answers and delivers. */
export const TA_STATUSES = [
  'identified',
  'agreed',
  'referred',
  'accepted',
  'declined',
  'delivering',
  'delivered',
] as const;
export type TaStatus = (typeof TA_STATUSES)[number];
/** A partner's own part of a referred need. */
export const TA_PARTNER_STATUSES = ['referred', 'accepted', 'declined', 'delivering', 'delivered'] as const;
export type TaPartnerStatus = (typeof TA_PARTNER_STATUSES)[number];

/** `<visit id>/R<n>`, e.g. `166-POL/R12`. */
export const RecommendationId = z
  .string()
  .regex(/^\d{1,5}-[A-Z]{3}\/R\d{1,3}$/, 'expected a recommendation id such as 166-POL/R12');
export type RecommendationId = z.infer<typeof RecommendationId>;

export const recommendationIdOf = (visitId: string, number: number): RecommendationId => `${visitId}/R${number}`;
/** The visit a recommendation belongs to. */
export const visitOfRecommendation = (id: RecommendationId): string => id.slice(0, id.indexOf('/'));
/** The State of a recommendation (its visit's ISO3). */
export const stateOfRecommendation = (id: RecommendationId): string => id.slice(id.indexOf('-') + 1, id.indexOf('/'));

/** Most recommendations a visit may carry (a file of recommendations, the issue's bound). */
export const MAX_RECOMMENDATIONS = 300;

/** One recommendation as CTED records it with the final draft. */
export const RecommendationInput = z
  .object({
    number: z.number().int().min(1).max(999),
    text: z.string().trim().min(1).max(4000),
    theme: z.enum(THEMES),
    priority: z.boolean(),
    taNeed: z.string().trim().min(1).max(2000).optional(),
    /** Earlier recommendations of the same State this one closes and replaces (follow-up visits). */
    supersedes: z.array(RecommendationId).max(50).optional(),
  })
  .strict();
export type RecommendationInput = z.infer<typeof RecommendationInput>;

/** A file of recommendations: 1 to 300, numbered once each. */
export const RecommendationList = z
  .array(RecommendationInput)
  .min(1)
  .max(MAX_RECOMMENDATIONS)
  .superRefine((list, ctx) => {
    const seen = new Map<number, number>();
    list.forEach((r, i) => {
      const earlier = seen.get(r.number);
      if (earlier !== undefined)
        ctx.addIssue({ code: 'custom', path: [i, 'number'], message: `R${r.number} already appears at ${earlier}` });
      else seen.set(r.number, i);
    });
  });

/** Who did something, when, and (recorded on someone's behalf) for whom. */
export const Attribution = z
  .object({
    at: z.iso.datetime(),
    by: z.string().min(1),
    /** The State (ISO3) or partner whose word this records, when CTED or the secretariat recorded it. */
    onBehalfOf: z.string().optional(),
    reference: z.string().optional(),
  })
  .strict();
export type Attribution = z.infer<typeof Attribution>;

/** One recommendation's progress as reported or assessed, or one TA step. */
export const ProgressItem = z
  .object({
    recommendation: RecommendationId,
    status: z.enum(REPORTED_STATUSES),
    text: z.string().max(4000).optional(),
  })
  .strict();
export const AssessmentItem = z
  .object({
    recommendation: RecommendationId,
    status: z.enum(ASSESSED_STATUSES),
    note: z.string().max(4000).optional(),
  })
  .strict();

/**
 * What a visit tells its State's register. `key` is `<visit id>#<seq>`: the register applies each
 * key once and a visit's keys in order, so a change sent twice (an activity retried after a worker
 * crash) is applied once.
 */
export const RegisterChange = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('recommendations-adopted'),
    key: z.string(),
    visit: z.string(),
    recommendations: z.array(RecommendationInput),
    /** The visit's last day (YYYY-MM-DD): progress is shown per year of visit, which adoption may not share. */
    visitEnd: IsoDay.optional(),
    ...Attribution.shape,
  }),
  z.object({
    type: z.literal('progress-reported'),
    key: z.string(),
    items: z.array(ProgressItem),
    ...Attribution.shape,
  }),
  z.object({ type: z.literal('assessed'), key: z.string(), items: z.array(AssessmentItem), ...Attribution.shape }),
  z.object({
    type: z.literal('ta-agreed'),
    key: z.string(),
    recommendations: z.array(RecommendationId),
    ...Attribution.shape,
  }),
  z.object({
    type: z.literal('ta-referred'),
    key: z.string(),
    recommendations: z.array(RecommendationId),
    partners: z.array(z.string()),
    /** When the partners' answer is due. */
    answerBy: z.iso.datetime().nullable(),
    ...Attribution.shape,
  }),
  z.object({
    type: z.literal('ta-response'),
    key: z.string(),
    recommendation: RecommendationId,
    partner: z.string(),
    response: z.enum(['accepted', 'declined']),
    note: z.string().optional(),
    ...Attribution.shape,
  }),
  z.object({
    type: z.literal('ta-delivery'),
    key: z.string(),
    recommendation: RecommendationId,
    partner: z.string(),
    status: z.enum(['delivering', 'delivered']),
    text: z.string().optional(),
    ...Attribution.shape,
  }),
]);
export type RegisterChange = z.infer<typeof RegisterChange>;

/** One partner's part in a referred TA need. */
export const TaPartnerRecord = z
  .object({
    partner: z.string(),
    status: z.enum(TA_PARTNER_STATUSES),
    at: z.iso.datetime(),
    text: z.string().optional(),
  })
  .strict();

/** One entry of a recommendation's history: what changed, when, by whom. */
export const RecommendationEvent = z
  .object({ type: z.string(), detail: z.record(z.string(), z.unknown()).optional(), ...Attribution.shape })
  .strict();

/** A recommendation as a State's register holds it (the shape of `recommendations list --json`). */
export const RecommendationRecord = z
  .object({
    id: RecommendationId,
    visit: z.string(),
    state: z.string(),
    number: z.number().int(),
    text: z.string(),
    theme: z.enum(THEMES),
    priority: z.boolean(),
    taNeed: z.string().nullable(),
    adoptedAt: z.iso.datetime(),
    /** The visit's last day, when the visit said it (progress per year of visit). */
    visitEnd: IsoDay.optional(),
    reportedStatus: z
      .object({ status: z.enum(REPORTED_STATUSES), text: z.string().optional(), ...Attribution.shape })
      .nullable(),
    assessedStatus: z.object({ status: z.enum(ASSESSED_STATUSES), note: z.string().optional(), ...Attribution.shape }),
    /** `open` until implemented or no longer relevant (as CTED assessed it) or superseded. */
    status: z.enum(['open', 'closed']),
    supersededBy: RecommendationId.nullable(),
    supersedes: z.array(RecommendationId),
    ta: z
      .object({
        status: z.enum(TA_STATUSES),
        partners: z.array(TaPartnerRecord),
        answerBy: z.iso.datetime().nullable(),
      })
      .nullable(),
    history: z.array(RecommendationEvent),
  })
  .strict();
export type RecommendationRecord = z.infer<typeof RecommendationRecord>;

/**
 * What a State's register keeps (and hands to its next run when it continues as new): every
 * record, the last change applied of each visit (changes are applied once and in order), and how
 * many changes it has applied in all its runs.
 */
export const RegisterState = z
  .object({
    state: z.string().regex(/^[A-Z]{3}$/),
    records: z.array(RecommendationRecord),
    /** Per visit id, the seq of the last change applied (`<visit>#<seq>`). */
    lastSeq: z.record(z.string(), z.number().int().min(0)),
    /** Changes applied in all runs. */
    changes: z.number().int().min(0),
  })
  .strict();
export type RegisterState = z.infer<typeof RegisterState>;

/** An earlier recommendation still open, as a follow-up visit starts from it. */
export const EarlierRecommendation = z
  .object({
    id: RecommendationId,
    text: z.string(),
    theme: z.enum(THEMES),
    priority: z.boolean(),
    assessedStatus: z.enum(ASSESSED_STATUSES),
  })
  .strict();
export type EarlierRecommendation = z.infer<typeof EarlierRecommendation>;
