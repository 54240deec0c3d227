/**
 * What each role may see of a visit, by allow-list: one zod schema per role (State, partner,
 * Committee member, Chair, secretariat, CTED) and one projection, `project`, that builds the
 * caller's view from the full status or from the read model's snapshot. Every field is picked by
 * name, at every depth, never spread from the status: a field added to the status later is hidden
 * from every role until someone adds it here, to the views that may show it.
 *
 * Who sees what, and why:
 * - A **State** sees its own visit as it lives it: its own stages (never a hold, an objection, a
 *   return to CTED or who placed them), the deadlines that concern it, the documents sent to it,
 *   its own replies (recorded by itself or on its behalf), its consent, the actions it may take
 *   now and the messages addressed to it. Its counterpart, the case officer, is named.
 * - A **partner** sees adopted reports the State consented to share, and the consented scope only;
 *   and the TA needs referred to it, with its own part in each (recommendations/visit-views.ts).
 * - A **Committee member** and the **Chair** see the Committee's business (holds, objection, who
 *   and why), deadlines, history and reminders, but no address of the State's: members never write
 *   to the State through this engine (its notices go out by themselves) and a focal point's address
 *   is personal data the State gave CTED for the follow-up. The two views have the same fields
 *   today, each its own schema so that they can part.
 * - The **secretariat** and **CTED** see everything the status holds, listed field by field.
 */
import { z } from 'zod';
import { ActionNameSchema, FieldType } from './actions';
import { mayAct, type Principal, type Role } from './permissions';
import {
  EarlierRecommendationView,
  InternalRecommendationView,
  PartnerReferralView,
  StateRecommendationView,
  earlierRecommendation,
  internalRecommendation,
  partnerReferrals,
  stateRecommendation,
} from './recommendations/visit-views';
import type { AllowedAction, ClosedItemView, OpenItemView, VisitEvent, VisitStatus } from './visit';
import {
  Briefing,
  Door,
  Extension,
  ItemSchema,
  RecipientSchema,
  ReminderKind,
  StageSchema,
  VisitTypeSchema,
  type Consent,
  type Hold,
  type Objection,
  type ReminderRecord,
} from './visit/state';
import { CONSENT_SCOPES, LANGUAGES, STAGES, type ActionName, type Item } from './vocabulary';

/** What the projection reads: a status, or a snapshot of the read model (no history, no reminders). */
export type ProjectionInput = Omit<VisitStatus, 'history' | 'reminders'> &
  Partial<Pick<VisitStatus, 'history' | 'reminders'>>;

/** A message sent about the visit, as the store records it (one per address). */
export interface SentMessageRecord {
  sentAt: string;
  recipient: string;
  subject: string;
}

const instant = z.iso.datetime();
const LanguageSchema = z.enum(LANGUAGES);
/** A deadline past the end of the published UN calendar, which may move once the next year's list is out. */
const provisional = z.boolean().optional();

// ---- The parts views share -------------------------------------------------------------------

const IDENTITY = {
  id: z.string(),
  number: z.number().int(),
  state: z.string(),
  stateName: z.string().optional(),
  type: VisitTypeSchema,
  start: z.iso.date(),
  end: z.iso.date(),
  groupId: z.string().optional(),
  /** The regional group (the same as groupId), which visit to the State this is, its language, the UN partners in the delegation. */
  group: z.string().nullable().optional(),
  ordinal: z.string().nullable().optional(),
  language: LanguageSchema.optional(),
  partners: z.array(z.string()).optional(),
};

/** One payload field of an action allowed now. */
const FieldView = z.strictObject({
  name: z.string(),
  type: FieldType,
  values: z.array(z.string()).optional(),
  required: z.boolean(),
  description: z.string(),
});

/** An action the viewer may take now, with its fields. */
export const ActionView = z.strictObject({ action: ActionNameSchema, fields: z.array(FieldView) });
export type ActionView = z.infer<typeof ActionView>;

/** A message sent about the visit: when, to which address (or which role), and its subject. */
export const MessageView = z.strictObject({ sentAt: z.string(), to: z.string(), subject: z.string() });
export type MessageView = z.infer<typeof MessageView>;

// ---- The State -------------------------------------------------------------------------------

/**
 * The stages as a State lives them: CTED drafting; the draft with it for comments; CTED finalizing;
 * under consideration by the Committee (also while CTED revises a report the Committee returned);
 * adopted; transmitted to it; implementing; closed; or withdrawn.
 */
export const STATE_STAGES = [
  'drafting',
  'draft-with-you',
  'final-draft',
  'committee-review',
  'adopted',
  'transmitted',
  'implementing',
  'closed',
  'withdrawn',
] as const;
export type StateStage = (typeof STATE_STAGES)[number];

/** The clocks that concern the State: its comments, its receipt, its consent, its report, its briefing. */
export const STATE_ITEMS = [
  'state-review',
  'receipt',
  'sharing-consent',
  'state-implementation-report',
  'briefing',
] as const satisfies readonly Item[];
export type StateItem = (typeof STATE_ITEMS)[number];

/** The State's replies: its actions, whoever recorded them (itself, or CTED or the secretariat for it). */
export const STATE_REPLIES = [
  'record-comments',
  'request-extension',
  'confirm-receipt',
  'record-consent',
  'submit-implementation-report',
  'report-progress',
  'agree-ta-needs',
] as const satisfies readonly ActionName[];
export type StateReplyAction = (typeof STATE_REPLIES)[number];

const StateOpenItem = z.strictObject({
  item: z.enum(STATE_ITEMS),
  openedAt: instant,
  deadline: instant.nullable(),
  overdue: z.boolean(),
  provisional,
});

const StateClosedItem = z.strictObject({
  item: z.enum(STATE_ITEMS),
  openedAt: instant,
  deadline: instant.nullable(),
  closedAt: instant,
  outcome: z.string(),
});

/** A document sent to the State: the draft for its comments, the adopted report. */
export const StateDocument = z.strictObject({
  document: z.enum(['draft', 'adopted-report']),
  sentAt: instant,
  documentRef: z.string().optional(),
});
export type StateDocument = z.infer<typeof StateDocument>;

/** One of the State's replies, with what it said; `onBehalf` when CTED or the secretariat recorded it. */
export const StateReply = z.strictObject({
  action: z.enum(STATE_REPLIES),
  at: instant,
  /** The State's own focal point who replied (absent when recorded on its behalf). */
  by: z.string().optional(),
  onBehalf: z.boolean(),
  recordedBy: z.enum(['cted', 'secretariat']).optional(),
  /** The note verbale's symbol and the day it arrived, for replies recorded on the State's behalf. */
  reference: z.string().optional(),
  receivedOn: z.string().optional(),
  summary: z.string().optional(),
  documentRef: z.string().optional(),
  reason: z.string().optional(),
  scope: z.enum(CONSENT_SCOPES).optional(),
  sections: z.array(z.string()).optional(),
  priorityTaNeedsOnly: z.boolean().optional(),
  note: z.string().optional(),
});
export type StateReply = z.infer<typeof StateReply>;

/** What a State focal point sees of its own visit. */
export const StateView = z.strictObject({
  ...IDENTITY,
  contacts: z.strictObject({
    caseOfficer: z.string(),
    stateContact: z.string(),
    permanentMission: z.string().optional(),
  }),
  stage: z.enum(STATE_STAGES),
  openItems: z.array(StateOpenItem),
  closedItems: z.array(StateClosedItem),
  nextDeadline: instant.nullable(),
  overdue: z.boolean(),
  allowedActions: z.array(ActionView),
  extension: Extension,
  adoptedAt: instant.nullable(),
  transmittedAt: instant.nullable(),
  receivedAt: instant.nullable(),
  consent: z.strictObject({
    scope: z.enum(CONSENT_SCOPES),
    sections: z.array(z.string()),
    priorityTaNeedsOnly: z.boolean(),
    /** The State itself (its code, or its focal point's address); never whoever recorded it for the State. */
    decidedBy: z.string().optional(),
    decidedAt: instant.optional(),
    /** The note verbale that carried the decision, and the partners the State named. */
    reference: z.string().optional(),
    partners: z.array(z.string()).optional(),
  }),
  briefing: Briefing,
  /** From the visit's history: absent in a view built from the read model's snapshot. */
  documents: z.array(StateDocument).optional(),
  replies: z.array(StateReply).optional(),
  /** The messages sent to its focal point or its Permanent Mission. */
  messages: z.array(MessageView).optional(),
  followsUp: z.string().nullable().optional(),
  /** Its recommendations once adopted (before, they are CTED's draft). */
  recommendations: z.array(StateRecommendationView).optional(),
  earlier: z.array(EarlierRecommendationView).optional(),
});
export type StateView = z.infer<typeof StateView>;

// ---- The partner -----------------------------------------------------------------------------

/** What a partner sees of a visit it may read: the consented scope, nothing confidential. */
export const PartnerView = z.strictObject({
  id: z.string(),
  state: z.string(),
  stateName: z.string().optional(),
  type: VisitTypeSchema,
  adoptedAt: instant.nullable(),
  /** What the State consented to share; absent when the partner reads the visit only for the needs referred to it. */
  consent: z
    .strictObject({
      scope: z.enum(['partial', 'full']),
      sections: z.array(z.string()),
      priorityTaNeedsOnly: z.boolean(),
    })
    .optional(),
  /** The TA needs referred to this partner. */
  referrals: z.array(PartnerReferralView).optional(),
});
export type PartnerView = z.infer<typeof PartnerView>;

// ---- The Committee, the Chair, the secretariat and CTED --------------------------------------

const OpenItem = z.strictObject({
  item: ItemSchema,
  openedAt: instant,
  deadline: instant.nullable(),
  overdue: z.boolean(),
  paused: z.boolean(),
  provisional,
});
const ClosedItem = z.strictObject({
  item: ItemSchema,
  openedAt: instant,
  deadline: instant.nullable(),
  closedAt: instant,
  outcome: z.string(),
});
const HoldView = z.strictObject({ by: z.string(), at: instant, reason: z.string().optional() });
const ObjectionView = z.strictObject({ by: z.string(), at: instant, reason: z.string() });
const EventView = z.strictObject({
  seq: z.number().int(),
  type: z.string(),
  at: instant,
  stage: StageSchema,
  actor: z.string().optional(),
  role: z.string().optional(),
  door: Door.optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
});
const ReminderView = z.strictObject({
  key: z.string(),
  item: ItemSchema,
  kind: ReminderKind,
  at: instant,
  to: z.array(RecipientSchema),
  deadline: instant.nullable(),
  status: z.enum(['sent', 'skipped']),
  /** Why it was skipped, or that it went late. */
  reason: z.string().optional(),
});
const ConsentBase = {
  scope: z.enum(CONSENT_SCOPES),
  sections: z.array(z.string()),
  priorityTaNeedsOnly: z.boolean(),
  /** Who decided: the State (its code or its focal point's address; left out for the Committee when an address). */
  decidedBy: z.string().optional(),
  decidedAt: instant.optional(),
  /** Who recorded a decision that came by note verbale, the note's symbol, the partners the State named. */
  recordedBy: z.string().optional(),
  reference: z.string().optional(),
  partners: z.array(z.string()).optional(),
};

/** The fields every internal view has; contacts and consent differ by role. */
const INTERNAL = {
  ...IDENTITY,
  stage: StageSchema,
  openItems: z.array(OpenItem),
  closedItems: z.array(ClosedItem),
  nextDeadline: instant.nullable(),
  overdue: z.boolean(),
  allowedActions: z.array(ActionView),
  extension: Extension,
  committee: z.strictObject({ holds: z.array(HoldView), objection: ObjectionView.nullable() }),
  adoptedAt: instant.nullable(),
  transmittedAt: instant.nullable(),
  receivedAt: instant.nullable(),
  briefing: Briefing,
  /** From the visit's history: absent in a view built from the read model's snapshot. */
  history: z.array(EventView).optional(),
  reminders: z.array(ReminderView).optional(),
  /** The name of the policy the visit keeps for life. */
  policy: z.string(),
  messages: z.array(MessageView).optional(),
  followsUp: z.string().nullable().optional(),
  recommendations: z.array(InternalRecommendationView).optional(),
  earlier: z.array(EarlierRecommendationView).optional(),
};

/** Everything, field by field: the contacts, who decided consent. */
const EVERYTHING = {
  ...INTERNAL,
  contacts: z.strictObject({
    caseOfficer: z.string(),
    stateContact: z.string(),
    permanentMission: z.string().optional(),
  }),
  /** The Permanent Mission's address (the same as in contacts), or null. */
  permanentMission: z.string().nullable().optional(),
  consent: z.strictObject(ConsentBase),
};

/** The Committee's business without the State's addresses (a State's own actions show its role, not who). */
const COMMITTEE = {
  ...INTERNAL,
  contacts: z.strictObject({ caseOfficer: z.string() }),
  consent: z.strictObject(ConsentBase),
};

/** What a Committee member sees of a visit. */
export const CommitteeView = z.strictObject(COMMITTEE);
export type CommitteeView = z.infer<typeof CommitteeView>;
/** What the Chair sees of a visit. */
export const ChairView = z.strictObject(COMMITTEE);
export type ChairView = z.infer<typeof ChairView>;
/** What the Committee secretariat sees of a visit. */
export const SecretariatView = z.strictObject(EVERYTHING);
export type SecretariatView = z.infer<typeof SecretariatView>;
/** What CTED sees of a visit. */
export const CtedView = z.strictObject(EVERYTHING);
export type CtedView = z.infer<typeof CtedView>;

/** The views of the roles inside the process. */
export type InternalView = CtedView | SecretariatView | CommitteeView | ChairView;
/** Any role's view of a visit. */
export type VisitView = StateView | PartnerView | InternalView;

/** Each role's view schema. */
export const VIEW_SCHEMAS = {
  state: StateView,
  partner: PartnerView,
  committee: CommitteeView,
  chair: ChairView,
  secretariat: SecretariatView,
  cted: CtedView,
} as const satisfies Record<Role, z.ZodType>;

export const isPartnerView = (v: VisitView): v is PartnerView => !('allowedActions' in v);
export const isStateView = (v: VisitView): v is StateView => 'allowedActions' in v && !('committee' in v);

/** Every stage word a view may carry: the main track's and the State's own (filters take either). */
export const STAGE_WORDS = [...STAGES, ...STATE_STAGES.filter((s) => !(STAGES as readonly string[]).includes(s))] as [
  string,
  ...string[],
];

/** The stages a role's views speak of, in order. */
export function stagesFor(p: Pick<Principal, 'role'>): readonly string[] {
  return p.role === 'state' ? STATE_STAGES : STAGES;
}

// ---- The projection --------------------------------------------------------------------------

/**
 * The visit as the principal may see it, with the actions its role may take now and, when given,
 * the messages it may see. Whether the principal may see the visit at all is `mayRead`'s answer,
 * asked before.
 */
export function project(p: Principal, s: ProjectionInput, messages?: readonly SentMessageRecord[]): VisitView {
  switch (p.role) {
    case 'state':
      return stateView(p, s, messages);
    case 'partner':
      return partnerView(s, p.organisation);
    case 'committee':
    case 'chair':
      return committeeView(p, s, messages);
    case 'secretariat':
    case 'cted':
      return fullView(p, s, messages);
  }
}

/** The partner's view of a visit whose report the State consented to share, or whose needs were referred to it. */
export function partnerView(s: ProjectionInput, organisation?: string): PartnerView {
  const referrals = partnerReferrals(s.recommendations ?? [], s.consent, organisation);
  return {
    id: s.id,
    state: s.state,
    ...(s.stateName ? { stateName: s.stateName } : {}),
    type: s.type,
    adoptedAt: s.adoptedAt,
    ...(s.consent.scope !== 'none'
      ? {
          consent: {
            scope: s.consent.scope,
            sections: [...s.consent.sections],
            priorityTaNeedsOnly: s.consent.priorityTaNeedsOnly,
          },
        }
      : {}),
    ...(referrals.length ? { referrals } : {}),
  };
}

type Identity = Pick<StateView, keyof typeof IDENTITY>;

function identityOf(s: ProjectionInput): Identity {
  return {
    id: s.id,
    number: s.number,
    state: s.state,
    ...(s.stateName ? { stateName: s.stateName } : {}),
    type: s.type,
    start: s.start,
    end: s.end,
    ...(s.groupId ? { groupId: s.groupId } : {}),
    ...opt('group', s.group),
    ...opt('ordinal', s.ordinal),
    ...opt('language', s.language),
    ...opt('partners', s.partners ? [...s.partners] : undefined),
  };
}

function actionsFor(p: Principal, s: ProjectionInput): ActionView[] {
  return s.allowedActions.filter((a) => mayAct(p, a.action, s)).map(actionOf);
}

function actionOf(a: AllowedAction): ActionView {
  return {
    action: a.action,
    fields: a.fields.map((f) => ({
      name: f.name,
      type: f.type,
      ...(f.values ? { values: [...f.values] } : {}),
      required: f.required,
      description: f.description,
    })),
  };
}

/** The State's own addresses: its focal point and its Permanent Mission. */
function stateAddresses(s: ProjectionInput): Set<string> {
  const { stateContact, permanentMission } = s.contacts;
  return new Set(permanentMission ? [stateContact, permanentMission] : [stateContact]);
}

/** Everyone who spoke for the State itself: its addresses and whoever took a step in the State's role. */
function stateSpeakers(s: ProjectionInput): Set<string> {
  const out = stateAddresses(s);
  for (const e of s.history ?? []) if (e.role === 'state' && e.actor) out.add(e.actor);
  return out;
}

/** Who decided the State's consent, if it is the State itself (its code or one of its own people). */
function decidedByState(s: ProjectionInput): string | undefined {
  const by = s.consent.decidedBy;
  return by !== undefined && (by === s.state || stateSpeakers(s).has(by)) ? by : undefined;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const opt = <K extends string, V>(key: K, v: V | undefined) => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));

// ---- The State's view ------------------------------------------------------------------------

/** The stage as the State lives it: a report the Committee returned to CTED is still before the Committee. */
export function stateStageOf(s: Pick<ProjectionInput, 'stage' | 'closedItems' | 'transmittedAt'>): StateStage {
  switch (s.stage) {
    case 'drafting':
    case 'committee-review':
    case 'implementing':
    case 'closed':
    case 'withdrawn':
      return s.stage;
    case 'state-review':
      return 'draft-with-you';
    case 'finalizing':
      return s.closedItems.some((c) => c.item === 'committee-review') ? 'committee-review' : 'final-draft';
    case 'transmitting':
      return s.transmittedAt ? 'transmitted' : 'adopted';
  }
}

const isStateItem = (item: Item): item is StateItem => (STATE_ITEMS as readonly Item[]).includes(item);

function stateOpenItems(s: ProjectionInput): StateView['openItems'] {
  return s.openItems
    .filter((o): o is OpenItemView & { item: StateItem } => isStateItem(o.item))
    .map((o) => ({
      item: o.item,
      openedAt: o.openedAt,
      deadline: o.deadline,
      overdue: o.overdue,
      ...opt('provisional', o.provisional),
    }));
}

function stateClosedItems(s: ProjectionInput): StateView['closedItems'] {
  return s.closedItems
    .filter((c): c is ClosedItemView & { item: StateItem } => isStateItem(c.item))
    .map((c) => ({
      item: c.item,
      openedAt: c.openedAt,
      deadline: c.deadline,
      closedAt: c.closedAt,
      outcome: c.outcome,
    }));
}

/** The draft dispatched to the State (with the reference of the draft CTED submitted) and the adopted report transmitted. */
function documentsOf(history: readonly VisitEvent[]): StateDocument[] {
  const out: StateDocument[] = [];
  let draft: string | undefined;
  for (const e of history) {
    if (e.type === 'submit-draft') draft = text(e.payload?.documentRef);
    if (e.type === 'dispatch-draft') out.push({ document: 'draft', sentAt: e.at, ...opt('documentRef', draft) });
    if (e.type === 'transmit-report') {
      out.push({ document: 'adopted-report', sentAt: e.at, ...opt('documentRef', text(e.payload?.documentRef)) });
    }
  }
  return out;
}

const isReply = (type: string): type is StateReplyAction => (STATE_REPLIES as readonly string[]).includes(type);

/** One reply of the State's: what it said; who, when it replied itself; that it was recorded for it otherwise. */
function replyOf(e: VisitEvent & { type: StateReplyAction }, own: Set<string>): StateReply {
  const p = e.payload ?? {};
  const itself = e.role === 'state' || (e.actor !== undefined && own.has(e.actor));
  const scope = CONSENT_SCOPES.find((x) => x === p.scope);
  const sections = Array.isArray(p.sections) ? p.sections.filter((x): x is string => typeof x === 'string') : undefined;
  return {
    action: e.type,
    at: e.at,
    ...(itself ? opt('by', e.actor) : {}),
    onBehalf: !itself,
    ...(!itself && (e.role === 'cted' || e.role === 'secretariat') ? { recordedBy: e.role } : {}),
    ...opt('reference', text(p.reference)),
    ...opt('receivedOn', text(p.receivedOn)),
    ...opt('summary', text(p.summary)),
    ...opt('documentRef', text(p.documentRef)),
    ...opt('reason', text(p.reason)),
    ...opt('scope', scope),
    ...opt('sections', sections),
    ...opt('priorityTaNeedsOnly', typeof p.priorityTaNeedsOnly === 'boolean' ? p.priorityTaNeedsOnly : undefined),
    // A note typed by whoever recorded the reply for the State is theirs, not the State's.
    ...(itself ? opt('note', text(p.note)) : {}),
  };
}

function stateView(p: Principal, s: ProjectionInput, messages?: readonly SentMessageRecord[]): StateView {
  const own = stateAddresses(s);
  const open = stateOpenItems(s);
  const history = s.history;
  return {
    ...identityOf(s),
    contacts: {
      caseOfficer: s.contacts.caseOfficer,
      stateContact: s.contacts.stateContact,
      ...opt('permanentMission', s.contacts.permanentMission),
    },
    stage: stateStageOf(s),
    openItems: open,
    closedItems: stateClosedItems(s),
    nextDeadline: open.find((o) => o.deadline !== null)?.deadline ?? null,
    overdue: open.some((o) => o.overdue),
    allowedActions: actionsFor(p, s),
    extension: s.extension,
    adoptedAt: s.adoptedAt,
    transmittedAt: s.transmittedAt,
    receivedAt: s.receivedAt,
    consent: {
      scope: s.consent.scope,
      sections: [...s.consent.sections],
      priorityTaNeedsOnly: s.consent.priorityTaNeedsOnly,
      ...opt('decidedBy', decidedByState(s)),
      ...opt('decidedAt', s.consent.decidedAt),
      ...opt('reference', s.consent.reference),
      ...opt('partners', s.consent.partners ? [...s.consent.partners] : undefined),
    },
    briefing: s.briefing,
    ...(history
      ? {
          documents: documentsOf(history),
          replies: history
            .filter((e): e is VisitEvent & { type: StateReplyAction } => isReply(e.type))
            .map((e) => replyOf(e, own)),
        }
      : {}),
    ...(messages
      ? {
          messages: messages
            .filter((m) => own.has(m.recipient))
            .map((m) => ({ sentAt: m.sentAt, to: m.recipient, subject: m.subject })),
        }
      : {}),
    ...opt('followsUp', s.followsUp),
    // CTED's draft recommendations are the State's to see once the Committee adopted them.
    ...(s.recommendations && s.adoptedAt ? { recommendations: s.recommendations.map(stateRecommendation) } : {}),
    ...(s.earlier ? { earlier: s.earlier.map(earlierRecommendation) } : {}),
  };
}

// ---- The internal views ----------------------------------------------------------------------

type InternalFields = Omit<CtedView, 'contacts' | 'consent'>;

const holdOf = (h: Hold) => ({ by: h.by, at: h.at, ...opt('reason', h.reason) });
const objectionOf = (o: Objection) => ({ by: o.by, at: o.at, reason: o.reason });

function reminderOf(r: ReminderRecord): z.infer<typeof ReminderView> {
  return {
    key: r.key,
    item: r.item,
    kind: r.kind,
    at: r.at,
    to: [...r.to],
    deadline: r.deadline,
    status: r.status,
    ...opt('reason', r.reason),
  };
}

/**
 * An event. With `hidden` (the State's people, for the Committee), a step the State took itself
 * keeps its role but not who took it, and a payload naming one of them names the State instead.
 */
function eventOf(e: VisitEvent, state: string, hidden?: Set<string>): z.infer<typeof EventView> {
  const byState = hidden !== undefined && (e.role === 'state' || (e.actor !== undefined && hidden.has(e.actor)));
  const named = (v: unknown) => (hidden && typeof v === 'string' && hidden.has(v) ? state : v);
  const payload = e.payload && Object.fromEntries(Object.entries(e.payload).map(([k, v]) => [k, named(v)]));
  return {
    seq: e.seq,
    type: e.type,
    at: e.at,
    stage: e.stage,
    ...(byState ? {} : opt('actor', e.actor)),
    ...opt('role', e.role),
    ...opt('door', e.door),
    ...opt('payload', payload),
  };
}

/**
 * The fields every internal view shares. `hideState` leaves out the State's addresses: who took
 * the State's own steps, and the address of messages sent to it (named by its role instead).
 */
function internalFields(
  p: Principal,
  s: ProjectionInput,
  messages: readonly SentMessageRecord[] | undefined,
  hideState: boolean,
): InternalFields {
  const hidden = hideState ? stateSpeakers(s) : undefined;
  const to = (address: string) =>
    !hidden?.has(address)
      ? address
      : address === s.contacts.stateContact
        ? 'state-contact'
        : address === s.contacts.permanentMission
          ? 'permanent-mission'
          : 'state';
  return {
    ...identityOf(s),
    stage: s.stage,
    openItems: s.openItems.map((o) => ({
      item: o.item,
      openedAt: o.openedAt,
      deadline: o.deadline,
      overdue: o.overdue,
      paused: o.paused,
      ...opt('provisional', o.provisional),
    })),
    closedItems: s.closedItems.map((c) => ({
      item: c.item,
      openedAt: c.openedAt,
      deadline: c.deadline,
      closedAt: c.closedAt,
      outcome: c.outcome,
    })),
    nextDeadline: s.nextDeadline,
    overdue: s.overdue,
    allowedActions: actionsFor(p, s),
    extension: s.extension,
    committee: {
      holds: s.committee.holds.map(holdOf),
      objection: s.committee.objection ? objectionOf(s.committee.objection) : null,
    },
    adoptedAt: s.adoptedAt,
    transmittedAt: s.transmittedAt,
    receivedAt: s.receivedAt,
    briefing: s.briefing,
    ...(s.history ? { history: s.history.map((e) => eventOf(e, s.state, hidden)) } : {}),
    ...(s.reminders ? { reminders: s.reminders.map(reminderOf) } : {}),
    policy: s.policy,
    ...(messages
      ? { messages: messages.map((m) => ({ sentAt: m.sentAt, to: to(m.recipient), subject: m.subject })) }
      : {}),
    ...opt('followsUp', s.followsUp),
    ...(s.recommendations
      ? {
          recommendations: s.recommendations.map((r) =>
            internalRecommendation(r, (by) => (hidden?.has(by) ? s.state : by)),
          ),
        }
      : {}),
    ...(s.earlier ? { earlier: s.earlier.map(earlierRecommendation) } : {}),
  };
}

/** The consent record; `decidedBy` as given (the Committee's views leave out an address of the State's). */
function consentOf(c: Consent, decidedBy: string | undefined) {
  return {
    scope: c.scope,
    sections: [...c.sections],
    priorityTaNeedsOnly: c.priorityTaNeedsOnly,
    ...opt('decidedBy', decidedBy),
    ...opt('decidedAt', c.decidedAt),
    ...opt('recordedBy', c.recordedBy),
    ...opt('reference', c.reference),
    ...opt('partners', c.partners ? [...c.partners] : undefined),
  };
}

function committeeView(p: Principal, s: ProjectionInput, messages?: readonly SentMessageRecord[]): CommitteeView {
  const by = s.consent.decidedBy;
  return {
    ...internalFields(p, s, messages, true),
    contacts: { caseOfficer: s.contacts.caseOfficer },
    consent: consentOf(s.consent, by !== undefined && stateSpeakers(s).has(by) ? undefined : by),
  };
}

function fullView(p: Principal, s: ProjectionInput, messages?: readonly SentMessageRecord[]): CtedView {
  return {
    ...internalFields(p, s, messages, false),
    contacts: {
      caseOfficer: s.contacts.caseOfficer,
      stateContact: s.contacts.stateContact,
      ...opt('permanentMission', s.contacts.permanentMission),
    },
    ...opt('permanentMission', s.permanentMission),
    consent: consentOf(s.consent, s.consent.decidedBy),
  };
}
