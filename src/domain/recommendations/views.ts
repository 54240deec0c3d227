/**
 * What each role may see of a recommendation in a State's register, by allow-list: one strict
 * schema per role and one projection, `projectRecommendation`, that every door uses (API, CLI,
 * pages, CSV). Every field is picked by name, at every depth: a field added to the register's
 * record later is hidden from every role until someone adds it here.
 *
 * Who sees what, and why:
 * - **CTED** and the **secretariat** see every record, whole.
 * - The **Committee** and the **Chair** see every record, whole, except who spoke for the State
 *   when the State reported or agreed itself: the entry names the State (its ISO3), not its focal
 *   point's address, as the visit views do (members never write to the State through this engine).
 *   Who recorded a reply on the State's behalf (CTED, the secretariat) stays: that is the
 *   Committee's business.
 * - A **State** sees only the records of its own State: the recommendation, what it reported (its
 *   own focal point named, or that CTED or the secretariat recorded it on its behalf and under which
 *   reference), CTED's assessed status and its date, and where each TA need stands with each
 *   partner, and the dated history of these steps. As the visit's own views show the State
 *   (./visit-views.ts), CTED's note on its assessment and the partners' own notes are working notes
 *   for the Committee, not the State's; nor is who at CTED or a partner took each step.
 * - A **partner** sees only recommendations whose TA need was referred to its own organisation:
 *   the need, the theme, the priority and its own part of the loop (never another partner's
 *   answer, nor the State's report or CTED's assessment). The recommendation's text is shown as the
 *   visit's partner view shows it (./visit-views.ts): with the State's full consent, or its partial
 *   consent unless that covers the priority TA needs only and this one is not a priority. A
 *   referral itself is the State's agreement to put the need before that partner, so the need is
 *   shown whatever the consent.
 */
import { z } from 'zod';
import type { Principal, Role } from '../permissions';
import type { CONSENT_SCOPES } from '../vocabulary';
import {
  ASSESSED_STATUSES,
  RecommendationId,
  REPORTED_STATUSES,
  TA_PARTNER_STATUSES,
  TA_STATUSES,
  THEMES,
  type RecommendationRecord,
} from './model';

const instant = z.iso.datetime();

const ATTRIBUTION = {
  at: instant,
  by: z.string().min(1),
  onBehalfOf: z.string().optional(),
  reference: z.string().optional(),
};

const PartnerEntry = z.strictObject({
  partner: z.string(),
  status: z.enum(TA_PARTNER_STATUSES),
  at: instant,
  text: z.string().optional(),
});

/** Every field of a register's record, listed here (not spread from the model) so that each role's schema is an allow-list. */
const WHOLE = {
  id: RecommendationId,
  visit: z.string(),
  state: z.string(),
  number: z.number().int(),
  text: z.string(),
  theme: z.enum(THEMES),
  priority: z.boolean(),
  taNeed: z.string().nullable(),
  adoptedAt: instant,
  visitEnd: z.iso.date().optional(),
  reportedStatus: z
    .strictObject({ status: z.enum(REPORTED_STATUSES), text: z.string().optional(), ...ATTRIBUTION })
    .nullable(),
  assessedStatus: z.strictObject({ status: z.enum(ASSESSED_STATUSES), note: z.string().optional(), ...ATTRIBUTION }),
  status: z.enum(['open', 'closed']),
  supersededBy: RecommendationId.nullable(),
  supersedes: z.array(RecommendationId),
  ta: z
    .strictObject({ status: z.enum(TA_STATUSES), partners: z.array(PartnerEntry), answerBy: instant.nullable() })
    .nullable(),
  history: z.array(
    z.strictObject({ type: z.string(), detail: z.record(z.string(), z.unknown()).optional(), ...ATTRIBUTION }),
  ),
};

/** What CTED sees of a recommendation: all of it. */
export const CtedRecommendationView = z.strictObject(WHOLE);
/** What the secretariat sees: all of it. */
export const SecretariatRecommendationView = z.strictObject(WHOLE);
/** What a Committee member sees: all of it, the State's own entries naming the State rather than its focal point. */
export const CommitteeRecommendationView = z.strictObject(WHOLE);
/** What the Chair sees: as a member does. */
export const ChairRecommendationView = z.strictObject(WHOLE);
/** What a State sees of its own recommendations: the register's record without CTED's and the partners' working notes. */
export const StateRecommendationView = z.strictObject({
  ...WHOLE,
  reportedStatus: z
    .strictObject({
      status: z.enum(REPORTED_STATUSES),
      text: z.string().optional(),
      at: instant,
      /** The State's own focal point, when it reported itself. */
      by: z.string().optional(),
      /** The State's code, when CTED or the secretariat recorded its report; and the note verbale's symbol. */
      onBehalfOf: z.string().optional(),
      reference: z.string().optional(),
    })
    .nullable(),
  assessedStatus: z.strictObject({ status: z.enum(ASSESSED_STATUSES), at: instant }),
  ta: z
    .strictObject({
      status: z.enum(TA_STATUSES),
      partners: z.array(z.strictObject({ partner: z.string(), status: z.enum(TA_PARTNER_STATUSES), at: instant })),
      answerBy: instant.nullable(),
    })
    .nullable(),
  history: z.array(
    z.strictObject({ type: z.string(), at: instant, detail: z.record(z.string(), z.unknown()).optional() }),
  ),
});

/** What a partner sees of a need referred to it: the need, and only its own part of the loop. */
export const PartnerRecommendationView = z.strictObject({
  id: RecommendationId,
  visit: z.string(),
  state: z.string(),
  number: z.number().int(),
  /** Only when the State consented to share it (see the module's comment). */
  text: z.string().optional(),
  theme: z.enum(THEMES),
  priority: z.boolean(),
  taNeed: z.string(),
  ta: z.strictObject({
    /** This partner's own status of the need. */
    status: z.enum(TA_PARTNER_STATUSES),
    /** One entry: this partner's. */
    partners: z.array(PartnerEntry).max(1),
    answerBy: instant.nullable(),
  }),
});

export type WholeRecommendationView = z.infer<typeof CtedRecommendationView>;
export type StateRecommendationView = z.infer<typeof StateRecommendationView>;
export type PartnerRecommendationView = z.infer<typeof PartnerRecommendationView>;
/** Any role's view of a recommendation. */
export type RecommendationView = WholeRecommendationView | StateRecommendationView | PartnerRecommendationView;

/** Each role's schema of a recommendation. */
export const RECOMMENDATION_VIEW_SCHEMAS = {
  cted: CtedRecommendationView,
  secretariat: SecretariatRecommendationView,
  committee: CommitteeRecommendationView,
  chair: ChairRecommendationView,
  state: StateRecommendationView,
  partner: PartnerRecommendationView,
} as const satisfies Record<Role, z.ZodType>;

export const isPartnerRecommendationView = (v: RecommendationView): v is PartnerRecommendationView => !('history' in v);

/** What the State consented to share of a visit's report, as far as recommendations go. */
export interface SharingConsent {
  scope: (typeof CONSENT_SCOPES)[number];
  priorityTaNeedsOnly: boolean;
}

/** What the projection needs beside the record: each visit's consent to share (a partner's view only). */
export interface RecommendationContext {
  /** The consent of the visit (by id); undefined when unknown, which shares nothing. */
  consentOf(visit: string): SharingConsent | undefined;
}

/** Entries in which the State speaks (when it has no `onBehalfOf`, its own focal point recorded it). */
const STATE_ENTRIES: readonly string[] = ['progress-reported', 'ta-agreed'];

const opt = <K extends string, V>(key: K, v: V | undefined) => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));

/** Whether the State's consent shares a recommendation's text with partners (as ./visit-views.ts decides it). */
export function textShared(consent: SharingConsent | undefined, priority: boolean): boolean {
  if (!consent) return false;
  return consent.scope === 'full' || (consent.scope === 'partial' && (!consent.priorityTaNeedsOnly || priority));
}

/**
 * The recommendation as the principal may see it, or null when it may not see it at all (another
 * State's, or a need never referred to the partner's organisation). Every door calls this.
 */
export function projectRecommendation(
  p: Principal,
  r: RecommendationRecord,
  context: RecommendationContext,
): RecommendationView | null {
  switch (p.role) {
    case 'cted':
    case 'secretariat':
      return wholeView(r, false);
    case 'committee':
    case 'chair':
      return wholeView(r, true);
    case 'state':
      return p.state !== undefined && p.state === r.state ? stateView(r) : null;
    case 'partner':
      return partnerView(p, r, context);
  }
}

type Attributed = { at: string; by: string; onBehalfOf?: string | undefined; reference?: string | undefined };

/** An attribution; `asState` names the State instead of the focal point who spoke for it. */
function attribution(a: Attributed, asState: string | undefined) {
  return {
    at: a.at,
    by: asState !== undefined && a.onBehalfOf === undefined ? asState : a.by,
    ...opt('onBehalfOf', a.onBehalfOf),
    ...opt('reference', a.reference),
  };
}

const partnerEntry = (e: NonNullable<RecommendationRecord['ta']>['partners'][number]) => ({
  partner: e.partner,
  status: e.status,
  at: e.at,
  ...opt('text', e.text),
});

/** The whole record, field by field; `hideSpeakers` for the Committee's views. */
function wholeView(r: RecommendationRecord, hideSpeakers: boolean): WholeRecommendationView {
  const asState = hideSpeakers ? r.state : undefined;
  return {
    id: r.id,
    visit: r.visit,
    state: r.state,
    number: r.number,
    text: r.text,
    theme: r.theme,
    priority: r.priority,
    taNeed: r.taNeed,
    adoptedAt: r.adoptedAt,
    ...opt('visitEnd', r.visitEnd),
    reportedStatus: r.reportedStatus && {
      status: r.reportedStatus.status,
      ...opt('text', r.reportedStatus.text),
      ...attribution(r.reportedStatus, asState),
    },
    assessedStatus: {
      status: r.assessedStatus.status,
      ...opt('note', r.assessedStatus.note),
      ...attribution(r.assessedStatus, undefined),
    },
    status: r.status,
    supersededBy: r.supersededBy,
    supersedes: [...r.supersedes],
    ta: r.ta && { status: r.ta.status, partners: r.ta.partners.map(partnerEntry), answerBy: r.ta.answerBy },
    history: r.history.map((e) => ({
      type: e.type,
      ...opt('detail', e.detail && { ...e.detail }),
      ...attribution(e, STATE_ENTRIES.includes(e.type) ? asState : undefined),
    })),
  };
}

/** The State's own record: its report, CTED's status and date, where each partner stands, the steps' dates. */
function stateView(r: RecommendationRecord): StateRecommendationView {
  const reported = r.reportedStatus;
  return {
    ...wholeView(r, false),
    reportedStatus: reported && {
      status: reported.status,
      ...opt('text', reported.text),
      at: reported.at,
      ...(reported.onBehalfOf === undefined ? { by: reported.by } : { onBehalfOf: reported.onBehalfOf }),
      ...opt('reference', reported.reference),
    },
    assessedStatus: { status: r.assessedStatus.status, at: r.assessedStatus.at },
    ta: r.ta && {
      status: r.ta.status,
      partners: r.ta.partners.map((e) => ({ partner: e.partner, status: e.status, at: e.at })),
      answerBy: r.ta.answerBy,
    },
    history: r.history.map((e) => ({ type: e.type, at: e.at, ...opt('detail', e.detail && { ...e.detail }) })),
  };
}

function partnerView(p: Principal, r: RecommendationRecord, context: RecommendationContext) {
  const own = r.ta?.partners.find((e) => p.organisation !== undefined && e.partner === p.organisation);
  if (!r.ta || !own || r.taNeed === null) return null;
  const view: PartnerRecommendationView = {
    id: r.id,
    visit: r.visit,
    state: r.state,
    number: r.number,
    ...(textShared(context.consentOf(r.visit), r.priority) ? { text: r.text } : {}),
    theme: r.theme,
    priority: r.priority,
    taNeed: r.taNeed,
    ta: { status: own.status, partners: [partnerEntry(own)], answerBy: r.ta.answerBy },
  };
  return view;
}
