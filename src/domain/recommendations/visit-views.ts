/**
 * What each role sees of a visit's recommendations (rules 3), by allow-list, as ../views.ts does for
 * the rest of the visit: CTED and the secretariat everything; the Committee everything but the
 * State's people (named by the State's code); the State its own recommendations, its reports, CTED's
 * assessment (without CTED's note) and where its TA needs stand; a partner only the needs referred to
 * it, its own part in each, and the recommendation's text only as far as the State consented to share.
 */
import { z } from 'zod';
import type { Consent, EarlierView, VisitRecommendation } from '../visit/state';
import { ASSESSED_STATUSES, REPORTED_STATUSES, TA_PARTNER_STATUSES, TA_STATUSES, THEMES } from './model';

const instant = z.iso.datetime();
const opt = <K extends string, V>(key: K, v: V | undefined) => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));

const BASE = {
  id: z.string(),
  number: z.number().int(),
  text: z.string(),
  theme: z.enum(THEMES),
  priority: z.boolean(),
  taNeed: z.string().optional(),
  supersedes: z.array(z.string()).optional(),
};
const Recorded = { at: instant, by: z.string(), onBehalfOf: z.string().optional(), reference: z.string().optional() };

/** The Committee's, the secretariat's and CTED's view of one recommendation. */
export const InternalRecommendationView = z.strictObject({
  ...BASE,
  reported: z.strictObject({ status: z.enum(REPORTED_STATUSES), text: z.string().optional(), ...Recorded }).optional(),
  assessed: z
    .strictObject({ status: z.enum(ASSESSED_STATUSES), note: z.string().optional(), at: instant, by: z.string() })
    .optional(),
  ta: z
    .strictObject({
      status: z.enum(TA_STATUSES),
      agreedAt: instant.optional(),
      partners: z.array(
        z.strictObject({
          partner: z.string(),
          status: z.enum(TA_PARTNER_STATUSES),
          referredAt: instant,
          answerBy: instant,
          at: instant,
          text: z.string().optional(),
        }),
      ),
    })
    .optional(),
});
export type InternalRecommendationView = z.infer<typeof InternalRecommendationView>;

/** The State's view of one of its recommendations. */
export const StateRecommendationView = z.strictObject({
  ...BASE,
  reported: z
    .strictObject({
      status: z.enum(REPORTED_STATUSES),
      text: z.string().optional(),
      at: instant,
      onBehalf: z.boolean(),
    })
    .optional(),
  assessed: z.strictObject({ status: z.enum(ASSESSED_STATUSES), at: instant }).optional(),
  ta: z
    .strictObject({
      status: z.enum(TA_STATUSES),
      partners: z.array(z.strictObject({ partner: z.string(), status: z.enum(TA_PARTNER_STATUSES) })),
    })
    .optional(),
});
export type StateRecommendationView = z.infer<typeof StateRecommendationView>;

/** An earlier recommendation a follow-up visit starts from, as the visit's internal views and the State show it. */
export const EarlierRecommendationView = z.strictObject({
  id: z.string(),
  text: z.string(),
  theme: z.enum(THEMES),
  priority: z.boolean(),
  assessedStatus: z.enum(ASSESSED_STATUSES),
  assessed: z.strictObject({ status: z.enum(ASSESSED_STATUSES), at: instant }).optional(),
});

/** A TA need referred to the partner looking: the need, its own part, and the text if the State shared it. */
export const PartnerReferralView = z.strictObject({
  recommendation: z.string(),
  theme: z.enum(THEMES),
  priority: z.boolean(),
  taNeed: z.string(),
  /** The recommendation itself, when the State's consent covers it. */
  text: z.string().optional(),
  status: z.enum(TA_PARTNER_STATUSES),
  referredAt: instant,
  answerBy: instant,
  at: instant,
  note: z.string().optional(),
});
export type PartnerReferralView = z.infer<typeof PartnerReferralView>;

/** The internal view; `named` replaces an address of the State's people by the State's code (the Committee). */
export function internalRecommendation(
  r: VisitRecommendation,
  named: (by: string) => string,
): InternalRecommendationView {
  const recorded = (x: {
    at: string;
    by: string;
    onBehalfOf?: string | undefined;
    reference?: string | undefined;
  }) => ({
    at: x.at,
    by: named(x.by),
    ...opt('onBehalfOf', x.onBehalfOf),
    ...opt('reference', x.reference),
  });
  return {
    ...base(r),
    ...(r.reported
      ? { reported: { status: r.reported.status, ...opt('text', r.reported.text), ...recorded(r.reported) } }
      : {}),
    ...(r.assessed
      ? { assessed: { status: r.assessed.status, ...opt('note', r.assessed.note), ...recorded(r.assessed) } }
      : {}),
    ...(r.ta
      ? {
          ta: {
            status: r.ta.status,
            ...opt('agreedAt', r.ta.agreedAt),
            partners: r.ta.partners.map((x) => ({
              partner: x.partner,
              status: x.status,
              referredAt: x.referredAt,
              answerBy: x.answerBy,
              at: x.at,
              ...opt('text', x.text),
            })),
          },
        }
      : {}),
  };
}

function base(r: VisitRecommendation) {
  return {
    id: r.id,
    number: r.number,
    text: r.text,
    theme: r.theme,
    priority: r.priority,
    ...opt('taNeed', r.taNeed),
    ...opt('supersedes', r.supersedes ? [...r.supersedes] : undefined),
  };
}

export function stateRecommendation(r: VisitRecommendation): StateRecommendationView {
  return {
    ...base(r),
    ...(r.reported
      ? {
          reported: {
            status: r.reported.status,
            ...opt('text', r.reported.text),
            at: r.reported.at,
            onBehalf: r.reported.onBehalfOf !== undefined,
          },
        }
      : {}),
    ...(r.assessed ? { assessed: { status: r.assessed.status, at: r.assessed.at } } : {}),
    ...(r.ta
      ? { ta: { status: r.ta.status, partners: r.ta.partners.map((x) => ({ partner: x.partner, status: x.status })) } }
      : {}),
  };
}

export function earlierRecommendation(e: EarlierView): z.infer<typeof EarlierRecommendationView> {
  return {
    id: e.id,
    text: e.text,
    theme: e.theme,
    priority: e.priority,
    assessedStatus: e.assessedStatus,
    ...(e.assessed ? { assessed: { status: e.assessed.status, at: e.assessed.at } } : {}),
  };
}

/** Whether the State's consent lets partners read a recommendation's text. */
function shared(consent: Pick<Consent, 'scope' | 'priorityTaNeedsOnly'>, r: VisitRecommendation): boolean {
  return consent.scope === 'full' || (consent.scope === 'partial' && (!consent.priorityTaNeedsOnly || r.priority));
}

/** The needs of a visit referred to `organisation`, as it may see them. */
export function partnerReferrals(
  recommendations: readonly VisitRecommendation[],
  consent: Pick<Consent, 'scope' | 'priorityTaNeedsOnly'>,
  organisation: string | undefined,
): PartnerReferralView[] {
  if (!organisation) return [];
  return recommendations.flatMap((r) => {
    const part = r.ta?.partners.find((x) => x.partner === organisation);
    if (!part || !r.taNeed) return [];
    return [
      {
        recommendation: r.id,
        theme: r.theme,
        priority: r.priority,
        taNeed: r.taNeed,
        ...(shared(consent, r) ? { text: r.text } : {}),
        status: part.status,
        referredAt: part.referredAt,
        answerBy: part.answerBy,
        at: part.at,
        ...opt('note', part.text),
      },
    ];
  });
}

/** Whether any need of the visit was referred to the organisation (a partner then reads the visit, consent or not). */
export function referredTo(
  recommendations: readonly VisitRecommendation[] | undefined,
  organisation?: string,
): boolean {
  return !!organisation && (recommendations ?? []).some((r) => r.ta?.partners.some((x) => x.partner === organisation));
}
