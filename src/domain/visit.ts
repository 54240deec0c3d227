/**
 * The follow-up of one visit for one Member State as a pure state machine: which items are open
 * with which deadlines, what each action does, which clocks expire on their own, and which
 * reminders fall due. The workflow holds a VisitState and calls these functions; they do no I/O
 * and read the time only from their arguments, so they are deterministic and tested directly.
 */
import { ACTION_FIELDS, type FieldSpec } from './actions';
import { addDuration, subtractDuration } from './duration';
import { endOfNewYorkDay } from './calendar';
import { reminderRule, type ClockName, type Policy, type ReminderRule } from './policy';
import {
  ACTIONS,
  ITEMS,
  TERMINAL_STAGES,
  type ActionName,
  type ConsentScope,
  type Item,
  type Language,
  type Recipient,
  type Stage,
  type VisitType,
} from './vocabulary';

/** Where an action came from, for the audit trail. */
export type Door = 'api' | 'cli' | 'link' | 'web' | 'engine';

export interface VisitContacts {
  caseOfficer: string;
  stateContact: string;
  permanentMission?: string;
}

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
}

export interface ItemState {
  item: Item;
  openedAt: number;
  /** null while the clock is stopped (a hold or an objection) or when the item has no deadline. */
  deadline: number | null;
  /** Time left on a stopped clock, restored when it restarts. */
  pausedRemainingMs?: number;
  closedAt?: number;
  outcome?: string;
}

export interface VisitEvent {
  seq: number;
  type: string;
  at: string;
  stage: Stage;
  actor?: string;
  role?: string;
  door?: Door;
  payload?: Record<string, unknown>;
}

export type ReminderKind = 'before' | 'due' | 'overdue' | 'follow-up';

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

export interface ReminderRecord {
  key: string;
  item: Item;
  kind: ReminderKind;
  at: string;
  to: Recipient[];
  deadline: string | null;
  /** `skipped` when a later reminder for the same item was due at the same time (after an outage). */
  status: 'sent' | 'skipped';
}

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

export interface Consent {
  scope: ConsentScope;
  sections: string[];
  priorityTaNeedsOnly: boolean;
  decidedBy?: string;
  decidedAt?: string;
}

export interface VisitState {
  visit: VisitSummary;
  stage: Stage;
  items: Partial<Record<Item, ItemState>>;
  draftSubmitted: boolean;
  extension: 'none' | 'requested' | 'granted';
  holds: { by: string; at: string; reason?: string }[];
  objection?: { by: string; at: string; reason: string };
  transmittedAt?: string;
  receivedAt?: string;
  adoptedAt?: string;
  consent: Consent;
  briefing: 'none' | 'invited' | 'held';
  history: VisitEvent[];
  reminders: ReminderRecord[];
}

export interface Actor {
  email: string;
  role?: string;
}

export interface ActionCommand {
  action: ActionName;
  payload: Record<string, unknown>;
  actor: Actor;
  door: Door;
}

/** Effects of a step: events for the store, notices for people. */
export interface Effects {
  events: VisitEvent[];
  notices: Notice[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The instant a visit's clocks start: the end of its last (physical) day, New York time. */
export function visitEndInstant(end: string): number {
  return endOfNewYorkDay(end);
}

function clockFor(item: Item): ClockName | undefined {
  switch (item) {
    case 'sharing-consent':
    case 'briefing':
      return undefined;
    default:
      return item;
  }
}

function openItem(state: VisitState, item: Item, fromMs: number, policy: Policy): ItemState {
  const clock = clockFor(item);
  const opened: ItemState = {
    item,
    openedAt: fromMs,
    deadline: clock ? addDuration(fromMs, policy.clocks[clock], policy.calendar) : null,
  };
  state.items[item] = opened;
  return opened;
}

function closeItem(state: VisitState, item: Item, atMs: number, outcome: string): void {
  const it = state.items[item];
  if (it && it.closedAt === undefined) {
    it.closedAt = atMs;
    it.outcome = outcome;
  }
}

export function isOpen(state: VisitState, item: Item): boolean {
  const it = state.items[item];
  return it !== undefined && it.closedAt === undefined;
}

export function isTerminal(state: VisitState): boolean {
  return TERMINAL_STAGES.includes(state.stage);
}

/** A new visit at `drafting`, with the PAO, TA-referral and drafting clocks running from the visit's end. */
export function initialState(
  visit: VisitSummary,
  policy: Policy,
  startedAtMs: number,
): { state: VisitState; effects: Effects } {
  const state: VisitState = {
    visit,
    stage: 'drafting',
    items: {},
    draftSubmitted: false,
    extension: 'none',
    holds: [],
    consent: { scope: 'none', sections: [], priorityTaNeedsOnly: false },
    briefing: 'none',
    history: [],
    reminders: [],
  };
  const from = visitEndInstant(visit.end);
  openItem(state, 'pao', from, policy);
  openItem(state, 'ta-referral', from, policy);
  openItem(state, 'drafting', from, policy);
  const effects: Effects = { events: [], notices: [] };
  pushEvent(state, effects, 'visit-started', startedAtMs, undefined, {
    number: visit.number,
    state: visit.state,
    type: visit.type,
    start: visit.start,
    end: visit.end,
    ...(visit.groupId ? { groupId: visit.groupId } : {}),
  });
  return { state, effects };
}

function pushEvent(
  state: VisitState,
  effects: Effects,
  type: string,
  atMs: number,
  cmd?: Pick<ActionCommand, 'actor' | 'door'>,
  payload?: Record<string, unknown>,
): VisitEvent {
  const ev: VisitEvent = {
    seq: state.history.length + 1,
    type,
    at: iso(atMs),
    stage: state.stage,
    ...(cmd
      ? { actor: cmd.actor.email, ...(cmd.actor.role ? { role: cmd.actor.role } : {}), door: cmd.door }
      : { door: 'engine' as const }),
    ...(payload && Object.keys(payload).length ? { payload } : {}),
  };
  state.history.push(ev);
  effects.events.push(ev);
  return ev;
}

function notify(
  state: VisitState,
  effects: Effects,
  ev: VisitEvent,
  topic: string,
  to: Recipient[],
  extra: Partial<Pick<Notice, 'item' | 'deadline' | 'details'>> = {},
): void {
  if (to.length === 0) return;
  effects.notices.push({
    key: `${state.visit.id}:event:${ev.seq}:${topic}`,
    topic,
    kind: 'event',
    to,
    at: ev.at,
    visit: state.visit,
    ...extra,
  });
}

/** The actions the process allows now, in the vocabulary's order. */
export function allowedActions(state: VisitState): ActionName[] {
  if (isTerminal(state)) return [];
  const allowed = new Set<ActionName>(['refer-ta', 'withdraw']);
  if (isOpen(state, 'pao')) allowed.add('record-pao');
  switch (state.stage) {
    case 'drafting':
      allowed.add(state.draftSubmitted ? 'dispatch-draft' : 'submit-draft');
      break;
    case 'state-review':
      allowed.add('record-comments');
      if (state.extension === 'none') allowed.add('request-extension');
      if (state.extension === 'requested') allowed.add('grant-extension');
      break;
    case 'finalizing':
      allowed.add('submit-final-draft');
      break;
    case 'committee-review':
      if (state.objection) {
        allowed.add('record-adoption');
        allowed.add('return-to-cted');
      } else {
        allowed.add('place-hold');
        allowed.add('object');
        if (state.holds.length) allowed.add('lift-hold');
      }
      break;
    case 'transmitting':
      allowed.add(state.transmittedAt ? 'confirm-receipt' : 'transmit-report');
      break;
    default:
      break;
  }
  if (isOpen(state, 'cted-follow-up-report')) allowed.add('submit-follow-up-report');
  if (isOpen(state, 'state-implementation-report')) allowed.add('submit-implementation-report');
  if (state.transmittedAt) allowed.add('record-consent');
  if (state.adoptedAt) {
    if (state.briefing === 'none') allowed.add('invite-briefing');
    if (state.briefing === 'invited') allowed.add('record-briefing');
  }
  return ACTIONS.filter((a) => allowed.has(a));
}

/** The allowed actions with the payload fields each takes. */
export function allowedActionsWithFields(state: VisitState): { action: ActionName; fields: readonly FieldSpec[] }[] {
  return allowedActions(state).map((action) => ({ action, fields: ACTION_FIELDS[action] }));
}

/**
 * Why an action cannot be taken now, or null when it can. Checked by the workflow's update
 * validator, so a refused action writes nothing to history.
 */
export function refusal(state: VisitState, cmd: Pick<ActionCommand, 'action' | 'payload' | 'actor'>): string | null {
  const allowed = allowedActions(state);
  if (!allowed.includes(cmd.action)) {
    return `${cmd.action} is not allowed while visit ${state.visit.id} is at stage ${state.stage}; allowed now: ${
      allowed.join(', ') || 'nothing (the visit is ' + state.stage + ')'
    }`;
  }
  if (cmd.action === 'place-hold' && state.holds.some((h) => h.by === cmd.actor.email)) {
    return `${cmd.actor.email} already holds the report of visit ${state.visit.id}`;
  }
  if (cmd.action === 'lift-hold') {
    const member = (cmd.payload.member as string | undefined) ?? cmd.actor.email;
    if (!state.holds.some((h) => h.by === member)) {
      return `${member} has no hold on visit ${state.visit.id}; holds are placed by: ${state.holds.map((h) => h.by).join(', ')}`;
    }
  }
  return null;
}

function stopCommitteeClock(state: VisitState, nowMs: number): void {
  const it = state.items['committee-review'];
  if (it && it.deadline !== null) {
    it.pausedRemainingMs = Math.max(0, it.deadline - nowMs);
    it.deadline = null;
  }
}

function restartCommitteeClock(state: VisitState, nowMs: number): void {
  const it = state.items['committee-review'];
  if (it && it.deadline === null && it.pausedRemainingMs !== undefined) {
    it.deadline = nowMs + it.pausedRemainingMs;
    delete it.pausedRemainingMs;
  }
}

function adopt(
  state: VisitState,
  effects: Effects,
  atMs: number,
  policy: Policy,
  how: 'silence' | 'meeting',
  cmd?: ActionCommand,
): void {
  closeItem(state, 'committee-review', atMs, how === 'silence' ? 'adopted-by-silence' : 'adopted-at-meeting');
  state.stage = 'transmitting';
  state.adoptedAt = iso(atMs);
  state.holds = [];
  delete state.objection;
  const transmit = openItem(state, 'transmitting', atMs, policy);
  const followUp = openItem(state, 'cted-follow-up-report', atMs, policy);
  const ev = pushEvent(
    state,
    effects,
    how === 'silence' ? 'adopted-by-silence' : 'record-adoption',
    atMs,
    cmd,
    cmd?.payload,
  );
  notify(state, effects, ev, 'report-adopted', ['case-officer', 'chair', 'secretariat'], {
    deadline: iso(transmit.deadline!),
    details: { followUpReportDue: iso(followUp.deadline!) },
  });
}

function enterImplementing(state: VisitState, atMs: number, policy: Policy): ItemState {
  state.stage = 'implementing';
  state.receivedAt = iso(atMs);
  return openItem(state, 'state-implementation-report', atMs, policy);
}

function closeIfDone(state: VisitState, effects: Effects, atMs: number): void {
  if (state.stage !== 'implementing') return;
  if (isOpen(state, 'state-implementation-report') || isOpen(state, 'cted-follow-up-report')) return;
  for (const item of ITEMS) closeItem(state, item, atMs, 'visit-closed');
  state.stage = 'closed';
  const ev = pushEvent(state, effects, 'closed', atMs);
  notify(state, effects, ev, 'visit-closed', ['case-officer', 'secretariat']);
}

/** Applies an action already checked with `refusal`. Mutates `state`; returns what to record and send. */
export function applyAction(state: VisitState, cmd: ActionCommand, nowMs: number, policy: Policy): Effects {
  const effects: Effects = { events: [], notices: [] };
  const p = cmd.payload;
  const record = (type: string = cmd.action) => pushEvent(state, effects, type, nowMs, cmd, p);
  switch (cmd.action) {
    case 'record-pao':
      closeItem(state, 'pao', nowMs, 'recorded');
      record();
      break;
    case 'refer-ta': {
      closeItem(state, 'ta-referral', nowMs, 'referred');
      const ev = record();
      const partners = (p.partners as string[]).map((org) => `partner:${org}` as const);
      notify(state, effects, ev, 'ta-referral', partners, { details: { needs: p.needs as string | undefined } });
      break;
    }
    case 'submit-draft':
      closeItem(state, 'drafting', nowMs, 'submitted');
      state.draftSubmitted = true;
      record();
      break;
    case 'dispatch-draft': {
      state.stage = 'state-review';
      const review = openItem(state, 'state-review', nowMs, policy);
      const ev = record();
      notify(state, effects, ev, 'draft-dispatched', ['state-contact'], {
        item: 'state-review',
        deadline: iso(review.deadline!),
      });
      break;
    }
    case 'record-comments':
      closeItem(state, 'state-review', nowMs, 'comments-received');
      state.stage = 'finalizing';
      openItem(state, 'finalizing', nowMs, policy);
      record();
      break;
    case 'request-extension': {
      state.extension = 'requested';
      const ev = record();
      notify(state, effects, ev, 'extension-requested', ['secretariat', 'case-officer'], {
        item: 'state-review',
        deadline: iso(state.items['state-review']!.deadline!),
      });
      break;
    }
    case 'grant-extension': {
      state.extension = 'granted';
      const review = state.items['state-review']!;
      review.deadline = addDuration(review.deadline!, policy.clocks['state-review-extension'], policy.calendar);
      const ev = record();
      notify(state, effects, ev, 'extension-granted', ['state-contact', 'case-officer'], {
        item: 'state-review',
        deadline: iso(review.deadline),
      });
      break;
    }
    case 'submit-final-draft': {
      closeItem(state, 'finalizing', nowMs, 'submitted');
      state.stage = 'committee-review';
      state.holds = [];
      delete state.objection;
      const review = openItem(state, 'committee-review', nowMs, policy);
      const ev = record();
      notify(state, effects, ev, 'no-objection-procedure', ['committee', 'chair', 'secretariat'], {
        item: 'committee-review',
        deadline: iso(review.deadline!),
      });
      break;
    }
    case 'place-hold': {
      state.holds.push({ by: cmd.actor.email, at: iso(nowMs), ...(p.reason ? { reason: p.reason as string } : {}) });
      stopCommitteeClock(state, nowMs);
      const ev = record();
      notify(state, effects, ev, 'hold-placed', ['secretariat', 'chair', 'case-officer']);
      break;
    }
    case 'lift-hold': {
      const member = (p.member as string | undefined) ?? cmd.actor.email;
      state.holds = state.holds.filter((h) => h.by !== member);
      if (state.holds.length === 0 && !state.objection) restartCommitteeClock(state, nowMs);
      const ev = record();
      const deadline = state.items['committee-review']!.deadline;
      notify(state, effects, ev, 'hold-lifted', ['secretariat', 'chair', 'case-officer'], {
        item: 'committee-review',
        deadline: deadline === null ? null : iso(deadline),
      });
      break;
    }
    case 'object': {
      state.objection = { by: cmd.actor.email, at: iso(nowMs), reason: p.reason as string };
      stopCommitteeClock(state, nowMs);
      const ev = record();
      notify(state, effects, ev, 'objection-raised', ['secretariat', 'chair', 'committee', 'case-officer'], {
        details: { reason: p.reason as string },
      });
      break;
    }
    case 'record-adoption':
      adopt(state, effects, nowMs, policy, 'meeting', cmd);
      break;
    case 'return-to-cted': {
      closeItem(state, 'committee-review', nowMs, 'returned-to-cted');
      delete state.objection;
      state.holds = [];
      state.stage = 'finalizing';
      const fin = openItem(state, 'finalizing', nowMs, policy);
      const ev = record();
      notify(state, effects, ev, 'returned-to-cted', ['case-officer', 'secretariat'], {
        item: 'finalizing',
        deadline: iso(fin.deadline!),
        details: { reason: p.reason as string },
      });
      break;
    }
    case 'transmit-report': {
      closeItem(state, 'transmitting', nowMs, 'transmitted');
      state.transmittedAt = iso(nowMs);
      const receipt = openItem(state, 'receipt', nowMs, policy);
      openItem(state, 'sharing-consent', nowMs, policy);
      const ev = record();
      notify(state, effects, ev, 'report-transmitted', ['state-contact'], {
        item: 'receipt',
        deadline: iso(receipt.deadline!),
      });
      break;
    }
    case 'confirm-receipt': {
      // A stated receipt date counts from the end of that day, never before transmission nor in the future.
      const transmitted = Date.parse(state.transmittedAt!);
      const on = p.receivedOn ? Math.min(Math.max(endOfNewYorkDay(p.receivedOn as string), transmitted), nowMs) : nowMs;
      closeItem(state, 'receipt', nowMs, 'confirmed');
      const report = enterImplementing(state, on, policy);
      const ev = record();
      notify(state, effects, ev, 'implementation-report-requested', ['state-contact'], {
        item: 'state-implementation-report',
        deadline: iso(report.deadline!),
      });
      break;
    }
    case 'record-consent': {
      const before = state.consent.scope;
      state.consent = {
        scope: p.scope as ConsentScope,
        sections: (p.sections as string[] | undefined) ?? [],
        priorityTaNeedsOnly: (p.priorityTaNeedsOnly as boolean | undefined) ?? false,
        decidedBy: cmd.actor.email,
        decidedAt: iso(nowMs),
      };
      closeItem(state, 'sharing-consent', nowMs, `consent-${state.consent.scope}`);
      const ev = record();
      // Partners hear only what the State allowed, and hear it when a previous consent is withdrawn.
      if (state.consent.scope !== 'none') {
        notify(state, effects, ev, 'report-shared', ['partners'], {
          details: {
            scope: state.consent.scope,
            sections: state.consent.sections.length ? state.consent.sections : undefined,
            priorityTaNeedsOnly: state.consent.priorityTaNeedsOnly || undefined,
          },
        });
      } else if (before !== 'none') {
        notify(state, effects, ev, 'sharing-withdrawn', ['partners']);
      }
      break;
    }
    case 'submit-implementation-report':
      closeItem(state, 'state-implementation-report', nowMs, 'submitted');
      notify(state, effects, record(), 'implementation-report-received', ['case-officer', 'secretariat']);
      closeIfDone(state, effects, nowMs);
      break;
    case 'submit-follow-up-report':
      closeItem(state, 'cted-follow-up-report', nowMs, 'submitted');
      notify(state, effects, record(), 'follow-up-report-submitted', ['secretariat']);
      closeIfDone(state, effects, nowMs);
      break;
    case 'invite-briefing':
      state.briefing = 'invited';
      openItem(state, 'briefing', nowMs, policy);
      notify(state, effects, record(), 'briefing-invitation', ['state-contact'], {
        details: { date: p.date as string | undefined },
      });
      break;
    case 'record-briefing':
      state.briefing = 'held';
      closeItem(state, 'briefing', nowMs, 'held');
      record();
      break;
    case 'withdraw': {
      for (const item of ITEMS) closeItem(state, item, nowMs, 'withdrawn');
      state.stage = 'withdrawn';
      notify(state, effects, record(), 'visit-withdrawn', ['case-officer', 'secretariat'], {
        details: { reason: p.reason as string },
      });
      break;
    }
  }
  return effects;
}

/**
 * Clocks that act on their own when they run out, applied at their deadline (not at `nowMs`, which
 * may be later after an outage): 30 days of State review pass with no comments received; the
 * no-objection period passes in silence and the report is adopted; the State's receipt is deemed.
 */
export function applyExpiries(state: VisitState, nowMs: number, policy: Policy): Effects {
  const effects: Effects = { events: [], notices: [] };
  const expired = (item: Item) => {
    const it = state.items[item];
    return it && it.closedAt === undefined && it.deadline !== null && it.deadline <= nowMs ? it.deadline : undefined;
  };
  let at: number | undefined;
  if (state.stage === 'state-review' && (at = expired('state-review')) !== undefined) {
    closeItem(state, 'state-review', at, 'no-comments-received');
    state.stage = 'finalizing';
    const fin = openItem(state, 'finalizing', at, policy);
    const ev = pushEvent(state, effects, 'no-comments-received', at);
    notify(state, effects, ev, 'no-comments-received', ['case-officer'], {
      item: 'finalizing',
      deadline: iso(fin.deadline!),
    });
  }
  if (state.stage === 'committee-review' && (at = expired('committee-review')) !== undefined) {
    adopt(state, effects, at, policy, 'silence');
  }
  if (state.stage === 'transmitting' && (at = expired('receipt')) !== undefined) {
    closeItem(state, 'receipt', at, 'deemed-received');
    const report = enterImplementing(state, at, policy);
    const ev = pushEvent(state, effects, 'receipt-deemed', at);
    notify(state, effects, ev, 'implementation-report-requested', ['state-contact'], {
      item: 'state-implementation-report',
      deadline: iso(report.deadline!),
    });
  }
  return effects;
}

function union(a: Recipient[], b: Recipient[]): Recipient[] {
  return [...a, ...b.filter((r) => !a.includes(r))];
}

/** Every reminder the policy schedules for the items open now (sent or not). */
export function plannedReminders(state: VisitState, policy: Policy): PlannedReminder[] {
  const out: PlannedReminder[] = [];
  for (const it of Object.values(state.items)) {
    if (!it || it.closedAt !== undefined) continue;
    const rule: ReminderRule | undefined = reminderRule(policy, it.item);
    if (!rule) continue;
    const push = (r: Omit<PlannedReminder, 'item'>) => {
      // A reminder that would fall before the item opened is meaningless (short clocks, late opening).
      if (r.at >= it.openedAt) out.push({ ...r, item: it.item });
    };
    for (const after of rule.afterOpening) {
      push({
        key: `${it.item}:${iso(it.openedAt)}:after:${after}`,
        kind: 'follow-up',
        at: addDuration(it.openedAt, after, policy.calendar),
        to: rule.to,
        deadline: it.deadline,
      });
    }
    if (it.deadline === null) continue;
    const d = it.deadline;
    const base = `${it.item}:${iso(d)}`;
    for (const before of rule.before) {
      push({
        key: `${base}:before:${before}`,
        kind: 'before',
        at: subtractDuration(d, before),
        to: rule.to,
        deadline: d,
      });
    }
    if (rule.onDeadline) push({ key: `${base}:due`, kind: 'due', at: d, to: rule.to, deadline: d });
    if (rule.overdueEvery) {
      let at = d;
      for (let n = 1; n <= rule.overdueTimes; n++) {
        at = addDuration(at, rule.overdueEvery, policy.calendar);
        let to: Recipient[] = rule.to;
        for (const step of rule.escalation) {
          if (addDuration(d, step.after, policy.calendar) <= at) to = union(to, step.to);
        }
        push({ key: `${base}:overdue:${n}`, kind: 'overdue', at, to, deadline: d, n });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}

/**
 * Reminders due at `nowMs` and not yet handled. When several are due for one item at once (after
 * an outage, or an import of an old visit), only the latest is sent: the others are `skipped`.
 * Reminders planned before `remindersFromMs` are never sent (imports of past visits).
 */
export function dueReminders(
  state: VisitState,
  policy: Policy,
  nowMs: number,
  remindersFromMs: number,
): { send: PlannedReminder[]; skip: PlannedReminder[] } {
  const handled = new Set(state.reminders.map((r) => r.key));
  const due = plannedReminders(state, policy).filter(
    (r) => r.at <= nowMs && r.at >= remindersFromMs && !handled.has(r.key),
  );
  const latest = new Map<Item, PlannedReminder>();
  for (const r of due) latest.set(r.item, r);
  const send = [...latest.values()];
  return { send, skip: due.filter((r) => !send.includes(r)) };
}

/** The clocks that act on their own in the current stage (state review, no-objection period, receipt). */
function selfActingItem(state: VisitState): Item | undefined {
  switch (state.stage) {
    case 'state-review':
      return 'state-review';
    case 'committee-review':
      return 'committee-review';
    case 'transmitting':
      return 'receipt';
    default:
      return undefined;
  }
}

/**
 * When the workflow must next wake: a reminder, a clock that acts, or a deadline that turns overdue.
 * With `catchUp`, work that fell due while the workflow was busy sending (a reminder, an expiry)
 * wakes it at once; without it (visits started before that fix) such work waits for the next wake.
 */
export function nextWakeAt(
  state: VisitState,
  policy: Policy,
  nowMs: number,
  remindersFromMs: number,
  catchUp = true,
): number | null {
  const handled = new Set(state.reminders.map((r) => r.key));
  let next = Infinity;
  for (const r of plannedReminders(state, policy)) {
    if ((catchUp || r.at > nowMs) && r.at >= remindersFromMs && !handled.has(r.key)) next = Math.min(next, r.at);
  }
  for (const it of Object.values(state.items)) {
    if (it && it.closedAt === undefined && it.deadline !== null && it.deadline > nowMs)
      next = Math.min(next, it.deadline);
  }
  const acting = selfActingItem(state);
  const clock = acting ? state.items[acting] : undefined;
  if (catchUp && clock && clock.closedAt === undefined && clock.deadline !== null)
    next = Math.min(next, clock.deadline);
  return next === Infinity ? null : Math.max(next, catchUp ? nowMs : next);
}

export interface OpenItemView {
  item: Item;
  openedAt: string;
  deadline: string | null;
  overdue: boolean;
  paused: boolean;
}

/** The open items with their deadlines, earliest deadline first (items with no deadline last). */
export function openItems(state: VisitState, nowMs: number): OpenItemView[] {
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
      paused: it.pausedRemainingMs !== undefined,
    }));
}

/** The status a query returns: everything the CLI, the API and the dashboard show of one visit. */
export interface VisitStatus {
  id: string;
  number: number;
  state: string;
  stateName?: string;
  type: VisitType;
  start: string;
  end: string;
  groupId?: string;
  contacts: VisitContacts;
  stage: Stage;
  openItems: OpenItemView[];
  nextDeadline: string | null;
  overdue: boolean;
  allowedActions: { action: ActionName; fields: readonly FieldSpec[] }[];
  extension: VisitState['extension'];
  committee: { holds: VisitState['holds']; objection: VisitState['objection'] | null };
  adoptedAt: string | null;
  transmittedAt: string | null;
  receivedAt: string | null;
  consent: Consent;
  briefing: VisitState['briefing'];
  history: VisitEvent[];
  reminders: ReminderRecord[];
  /** Items done, with when they opened, their deadline (the target) and when they closed. */
  closedItems: { item: Item; openedAt: string; deadline: string | null; closedAt: string; outcome: string }[];
  policy: string;
}

export function statusOf(state: VisitState, policy: Policy, nowMs: number): VisitStatus {
  const open = openItems(state, nowMs);
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
    closedItems: Object.values(state.items)
      .filter((it): it is ItemState => it?.closedAt !== undefined)
      .map((it) => ({
        item: it.item,
        openedAt: iso(it.openedAt),
        deadline: it.deadline === null ? null : iso(it.deadline),
        closedAt: iso(it.closedAt!),
        outcome: it.outcome!,
      })),
    policy: policy.name,
  };
}
