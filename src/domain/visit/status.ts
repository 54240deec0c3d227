/**
 * What a query returns of one visit, as zod schemas the API publishes and the types derived from
 * them. The schemas describe exactly what `statusOf` builds (a unit test parses real statuses).
 */
import { z } from 'zod';
import { ActionNameSchema, FieldSpec } from '../actions';
import type { Policy } from '../policy';
import { endOfNewYorkDay } from '../calendar';
import { ITEMS, LANGUAGES } from '../vocabulary';
import { allowedActionsWithFields } from './allowed';
import { iso } from './events';
import {
  Briefing,
  Consent,
  EarlierView,
  VisitRecommendation,
  Extension,
  Hold,
  ItemSchema,
  Objection,
  ReminderRecord,
  StageSchema,
  VisitContacts,
  VisitEvent,
  VisitTypeSchema,
  type ItemState,
  type VisitState,
} from './state';

/** An open item: its deadline (null while its clock is stopped, or when it has none) and whether it is overdue. */
export const OpenItemView = z.object({
  item: ItemSchema,
  openedAt: z.iso.datetime(),
  deadline: z.iso.datetime().nullable(),
  overdue: z.boolean(),
  paused: z.boolean(),
  /** The deadline counts working days past the end of the published UN calendar: it may move once the next year's list is out. */
  provisional: z.boolean(),
});
export type OpenItemView = z.infer<typeof OpenItemView>;

/** An item done: when it opened, its deadline (the target), when it closed and how. */
export const ClosedItemView = z.object({
  item: ItemSchema,
  openedAt: z.iso.datetime(),
  deadline: z.iso.datetime().nullable(),
  closedAt: z.iso.datetime(),
  outcome: z.string(),
});
export type ClosedItemView = z.infer<typeof ClosedItemView>;

/** An action allowed now, with the payload fields it takes. */
export const AllowedAction = z.object({ action: ActionNameSchema, fields: z.array(FieldSpec) });
export type AllowedAction = z.infer<typeof AllowedAction>;

/** The status a query returns: everything the CLI, the API and the dashboard show of one visit. */
export const VisitStatus = z.object({
  id: z.string(),
  number: z.number().int(),
  state: z.string(),
  stateName: z.string().optional(),
  type: VisitTypeSchema,
  start: z.iso.date(),
  end: z.iso.date(),
  groupId: z.string().optional(),
  /** The regional group the visit belongs to (the same as groupId), or null. */
  group: z.string().nullable(),
  language: z.enum(LANGUAGES),
  ordinal: z.string().nullable(),
  permanentMission: z.string().nullable(),
  /** UN partners in the delegation. */
  partners: z.array(z.string()),
  contacts: VisitContacts,
  stage: StageSchema,
  openItems: z.array(OpenItemView),
  nextDeadline: z.iso.datetime().nullable(),
  overdue: z.boolean(),
  allowedActions: z.array(AllowedAction),
  extension: Extension,
  committee: z.object({ holds: z.array(Hold), objection: Objection.nullable() }),
  adoptedAt: z.iso.datetime().nullable(),
  transmittedAt: z.iso.datetime().nullable(),
  receivedAt: z.iso.datetime().nullable(),
  consent: Consent,
  briefing: Briefing,
  history: z.array(VisitEvent),
  reminders: z.array(ReminderRecord),
  closedItems: z.array(ClosedItemView),
  /** The name of the policy the visit keeps for life. */
  policy: z.string(),
  /** The earlier visit this one follows up, or null. */
  followsUp: z.string().nullable().optional(),
  /** Rules 3: the visit's recommendations (recorded with the final draft, fixed at adoption), with their statuses and TA needs. */
  recommendations: z.array(VisitRecommendation).optional(),
  /** Rules 3: the State's earlier recommendations open when the visit started, with this visit's assessment. */
  earlier: z.array(EarlierView).optional(),
});
export type VisitStatus = z.infer<typeof VisitStatus>;

/** The status without its history and reminders: what the store keeps beside the events. */
export const VisitSnapshot = VisitStatus.omit({ history: true, reminders: true });
export type VisitSnapshot = z.infer<typeof VisitSnapshot>;

/** The open items with their deadlines, earliest deadline first (items with no deadline last). */
export function openItems(state: VisitState, nowMs: number, coveredUntil?: string): OpenItemView[] {
  const covered = coveredUntil ? endOfNewYorkDay(coveredUntil) : Infinity;
  return Object.values(state.items)
    .filter((it): it is ItemState => it !== undefined && it.closedAt === undefined)
    .sort(
      (a, b) => (a.deadline ?? Infinity) - (b.deadline ?? Infinity) || ITEMS.indexOf(a.item) - ITEMS.indexOf(b.item),
    )
    .map((it) => ({
      item: it.item,
      openedAt: iso(it.openedAt),
      deadline: it.deadline === null ? null : iso(it.deadline),
      overdue: it.deadline !== null && it.deadline < nowMs,
      paused: it.pausedRemainingMs !== undefined || it.pausedWorkingDays !== undefined,
      provisional: it.deadline !== null && it.deadline > covered,
    }));
}

/** The items done, in the order the visit first opened them. */
function closedItems(state: VisitState): ClosedItemView[] {
  return Object.values(state.items)
    .filter((it): it is ItemState & { closedAt: number } => it?.closedAt !== undefined)
    .map((it) => ({
      item: it.item,
      openedAt: iso(it.openedAt),
      deadline: it.deadline === null ? null : iso(it.deadline),
      closedAt: iso(it.closedAt),
      outcome: it.outcome!,
    }));
}

/** The status of a visit at `nowMs`. */
export function statusOf(state: VisitState, policy: Policy, nowMs: number): VisitStatus {
  const open = openItems(state, nowMs, policy.calendar.coveredUntil);
  const next = open.find((o) => o.deadline !== null);
  const v = state.visit;
  return {
    id: v.id,
    number: v.number,
    state: v.state,
    ...(v.stateName ? { stateName: v.stateName } : {}),
    type: v.type,
    start: v.start,
    end: v.end,
    ...(v.groupId ? { groupId: v.groupId } : {}),
    group: v.groupId ?? null,
    language: v.language,
    ordinal: v.ordinal ?? null,
    permanentMission: v.contacts.permanentMission ?? null,
    partners: v.partners ?? [],
    contacts: v.contacts,
    stage: state.stage,
    openItems: open,
    nextDeadline: next?.deadline ?? null,
    overdue: open.some((o) => o.overdue),
    allowedActions: allowedActionsWithFields(state),
    extension: state.extension,
    committee: { holds: state.holds, objection: state.objection ?? null },
    adoptedAt: state.adoptedAt ?? null,
    transmittedAt: state.transmittedAt ?? null,
    receivedAt: state.receivedAt ?? null,
    consent: state.consent,
    briefing: state.briefing,
    history: state.history,
    reminders: state.reminders,
    closedItems: closedItems(state),
    policy: policy.name,
    followsUp: v.followsUp ?? null,
    recommendations: state.recommendations ?? [],
    earlier: state.earlier ?? [],
  };
}

/** The snapshot the store keeps with each batch of events: the status without history and reminders. */
export function snapshotOf(state: VisitState, policy: Policy, nowMs: number): VisitSnapshot {
  const { history: _h, reminders: _r, ...snapshot } = statusOf(state, policy, nowMs);
  return snapshot;
}
