/**
 * What the workflow keeps of one visit, and the shapes it hands out: the state, the events and
 * notices a step produces, and the commands that drive it. The parts a query returns are zod
 * schemas (the API publishes them), the rest plain types.
 */
import { z } from 'zod';
import type { ActionPayload } from '../actions';
import {
  ASSESSED_STATUSES,
  EarlierRecommendation,
  REPORTED_STATUSES,
  RecommendationInput,
  TA_PARTNER_STATUSES,
  TA_STATUSES,
  type RegisterChange,
} from '../recommendations/model';
import {
  CONSENT_SCOPES,
  ITEMS,
  RECIPIENT_ROLES,
  STAGES,
  TERMINAL_STAGES,
  VISIT_TYPES,
  type ActionName,
  type Item,
  type Language,
  type Recipient,
  type Stage,
  type VisitType,
} from '../vocabulary';

// The vocabulary's words as schemas, for the parts of a status.
export const StageSchema = z.enum(STAGES);
export const ItemSchema = z.enum(ITEMS);
export const VisitTypeSchema = z.enum(VISIT_TYPES);
/** A role, or `partner:<ORG>` for one partner organisation. */
export const RecipientSchema = z.union([z.enum(RECIPIENT_ROLES), z.templateLiteral(['partner:', z.string()])]);

/** Where an action came from, for the audit trail. */
export const Door = z.enum(['api', 'cli', 'link', 'web', 'engine']);
export type Door = z.infer<typeof Door>;

/** Who hears of a visit: its case officer, the State's focal point and, if known, its Permanent Mission. */
export const VisitContacts = z.object({
  caseOfficer: z.string(),
  stateContact: z.string(),
  permanentMission: z.string().optional(),
});
export type VisitContacts = z.infer<typeof VisitContacts>;

/** Who a visit is and who is told about it; sent with every notice so the activity can address it. */
export interface VisitSummary {
  id: string;
  number: number;
  state: string;
  stateName?: string;
  type: VisitType;
  start: string;
  end: string;
  groupId?: string;
  contacts: VisitContacts;
  language: Language;
  /** Which visit to the State this is ("second", ...). */
  ordinal?: string;
  /** UN partners in the delegation. */
  partners?: string[];
  /** The earlier visit this one follows up. */
  followsUp?: string;
}

/** Who recorded a recommendation's status, when, and for whom. */
const Recorded = {
  at: z.iso.datetime(),
  by: z.string(),
  onBehalfOf: z.string().optional(),
  reference: z.string().optional(),
};

/** One partner's part in a referred TA need, as the visit keeps it. */
export const VisitTaPartner = z.object({
  partner: z.string(),
  status: z.enum(TA_PARTNER_STATUSES),
  referredAt: z.iso.datetime(),
  /** When the partner's answer is due. */
  answerBy: z.iso.datetime(),
  /** The partner's last step. */
  at: z.iso.datetime(),
  text: z.string().optional(),
});
export type VisitTaPartner = z.infer<typeof VisitTaPartner>;

/** A recommendation of the visit (rules 3): as recorded with the final draft, then its statuses. */
export const VisitRecommendation = RecommendationInput.extend({
  id: z.string(),
  reported: z.object({ status: z.enum(REPORTED_STATUSES), text: z.string().optional(), ...Recorded }).optional(),
  assessed: z
    .object({ status: z.enum(ASSESSED_STATUSES), note: z.string().optional(), at: z.iso.datetime(), by: z.string() })
    .optional(),
  ta: z
    .object({ status: z.enum(TA_STATUSES), agreedAt: z.iso.datetime().optional(), partners: z.array(VisitTaPartner) })
    .optional(),
});
export type VisitRecommendation = z.infer<typeof VisitRecommendation>;

/** An earlier recommendation a follow-up visit starts from, with this visit's assessment of it. */
export const EarlierView = EarlierRecommendation.extend({
  assessed: VisitRecommendation.shape.assessed,
});
export type EarlierView = z.infer<typeof EarlierView>;

/** One clock of the visit, open or closed. Instants are epoch milliseconds. */
export interface ItemState {
  item: Item;
  openedAt: number;
  /** null while the clock is stopped (a hold or an objection) or when the item has no deadline. */
  deadline: number | null;
  /** Time left on a stopped clock, restored when it restarts (clocks in seconds, and visits of the first rules). */
  pausedRemainingMs?: number;
  /** Working days left on a stopped day-counted clock (rules 2): given back as working days. */
  pausedWorkingDays?: number;
  closedAt?: number;
  outcome?: string;
}

/** One entry of the visit's history: an action taken, or a step the engine took on its own. */
export const VisitEvent = z.object({
  seq: z.number().int(),
  type: z.string(),
  at: z.iso.datetime(),
  stage: StageSchema,
  actor: z.string().optional(),
  role: z.string().optional(),
  door: Door.optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
});
export type VisitEvent = z.infer<typeof VisitEvent>;

/** Before the deadline, on it, once overdue, or (items with no deadline) some time after opening. */
export const ReminderKind = z.enum(['before', 'due', 'overdue', 'follow-up']);
export type ReminderKind = z.infer<typeof ReminderKind>;

/** A reminder the policy schedules for an open item. */
export interface PlannedReminder {
  key: string;
  item: Item;
  kind: ReminderKind;
  at: number;
  to: Recipient[];
  deadline: number | null;
  /** For overdue reminders, which one (1, 2, ...). */
  n?: number;
}

/** A reminder the workflow handled. */
export const ReminderRecord = z.object({
  key: z.string(),
  item: ItemSchema,
  kind: ReminderKind,
  at: z.iso.datetime(),
  to: z.array(RecipientSchema),
  deadline: z.iso.datetime().nullable(),
  /** `skipped` when a later reminder for the same item was due at the same time (after an outage). */
  status: z.enum(['sent', 'skipped']),
  /** Why it was skipped, or that it went late (rules 2). */
  reason: z.string().optional(),
});
export type ReminderRecord = z.infer<typeof ReminderRecord>;

/** A message the workflow asks the notify activity to send; `key` makes sending idempotent. */
export interface Notice {
  key: string;
  topic: string;
  kind: 'event' | ReminderKind;
  item?: Item;
  to: Recipient[];
  at: string;
  deadline?: string | null;
  details?: Record<string, string | string[] | boolean | undefined>;
  visit: VisitSummary;
}

/** Whether the State lets UN partners see the adopted report, and how much of it. */
export const Consent = z.object({
  scope: z.enum(CONSENT_SCOPES),
  sections: z.array(z.string()),
  priorityTaNeedsOnly: z.boolean(),
  decidedBy: z.string().optional(),
  decidedAt: z.iso.datetime().optional(),
  /** Who recorded a decision that came by note verbale, and the note's symbol. */
  recordedBy: z.string().optional(),
  reference: z.string().optional(),
  /** The partners the State named to receive the report. */
  partners: z.array(z.string()).optional(),
});
export type Consent = z.infer<typeof Consent>;

/** A Committee member's hold on the report: the no-objection clock stops until every hold is lifted. */
export const Hold = z.object({ by: z.string(), at: z.iso.datetime(), reason: z.string().optional() });
export type Hold = z.infer<typeof Hold>;

/** An objection sends the report to a Committee meeting. */
export const Objection = z.object({ by: z.string(), at: z.iso.datetime(), reason: z.string() });
export type Objection = z.infer<typeof Objection>;

/** The State's one extension of its review period: asked for, then granted or refused. */
export const Extension = z.enum(['none', 'requested', 'granted', 'refused']);
/** The State's optional briefing of the Committee on implementation. */
export const Briefing = z.enum(['none', 'invited', 'held']);

/**
 * The rules a visit runs by, fixed when it starts (a workflow patch): 1 for visits started before
 * deadlines fell at the close of a New York working day; 2 since (see ../../README.md, the policy);
 * 3 once visits carried recommendations, TA referrals with an answer clock, and a track by visit type.
 */
export type Rules = 1 | 2 | 3;

/** Everything the workflow keeps of one visit. */
export interface VisitState {
  visit: VisitSummary;
  rules: Rules;
  /** The receipt was deemed, then corrected with the real date (rules 2: once). */
  receiptCorrected?: boolean;
  /** The last calendar version published to the visit. */
  calendarVersion?: string;
  stage: Stage;
  items: Partial<Record<Item, ItemState>>;
  draftSubmitted: boolean;
  extension: z.infer<typeof Extension>;
  holds: Hold[];
  objection?: Objection;
  transmittedAt?: string;
  receivedAt?: string;
  adoptedAt?: string;
  consent: Consent;
  briefing: z.infer<typeof Briefing>;
  history: VisitEvent[];
  reminders: ReminderRecord[];
  /** Rules 3: the recommendations recorded with the final draft, fixed by adoption. */
  recommendations?: VisitRecommendation[];
  /** Rules 3: the State's recommendations still open when the visit started (a follow-up visit assesses them). */
  earlier?: EarlierView[];
  /** Rules 3: the seq of the last change sent to the State's register. */
  registerSeq?: number;
}

/** The person taking an action. */
export interface Actor {
  email: string;
  role?: string;
}

/** An action with its validated payload: one variant per action, so each transition reads its own fields. */
export type ActionCommand<A extends ActionName = ActionName> = {
  [K in A]: { action: K; payload: ActionPayload<K>; actor: Actor; door: Door };
}[A];

/** An action as a door sends it, its payload not yet validated. */
export interface UncheckedCommand {
  action: ActionName;
  payload: Readonly<Record<string, unknown>>;
  actor: Actor;
  door: Door;
}

/** Effects of a step: events for the store, notices for people, and (rules 3) changes for the State's register. */
export interface Effects {
  events: VisitEvent[];
  notices: Notice[];
  register?: RegisterChange[];
}

/** Whether the visit's follow-up is over: closed or withdrawn (a closed visit of rules 2 still takes consent). */
export function isTerminal(state: VisitState): boolean {
  return TERMINAL_STAGES.includes(state.stage);
}

/** Whether the workflow ends: withdrawn, or closed under the first rules (under rules 2 it keeps listening for consent). */
export function workflowEnds(state: VisitState): boolean {
  return state.stage === 'withdrawn' || (state.stage === 'closed' && state.rules === 1);
}
