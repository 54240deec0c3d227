/**
 * The clocks of a visit: items open with a deadline from the policy and close with an outcome; the
 * no-objection clock stops for holds and objections; three clocks act on their own when they run
 * out; and the workflow learns when it must next wake.
 */
import { endOfNewYorkDay } from '../calendar';
import { addDuration } from '../duration';
import type { ClockName, Policy } from '../policy';
import type { Item } from '../vocabulary';
import { iso, noEffects, notify, pushEvent } from './events';
import { plannedReminders } from './reminders';
import type { ActionCommand, Effects, ItemState, VisitState, VisitSummary } from './state';

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

/** Opens an item at `fromMs`, with the deadline its policy clock gives (none for consent and briefing). */
export function openItem(state: VisitState, item: Item, fromMs: number, policy: Policy): ItemState {
  const clock = clockFor(item);
  const opened: ItemState = {
    item,
    openedAt: fromMs,
    deadline: clock ? addDuration(fromMs, policy.clocks[clock], policy.calendar) : null,
  };
  state.items[item] = opened;
  return opened;
}

/** Closes an open item with its outcome; an item already closed keeps its first outcome. */
export function closeItem(state: VisitState, item: Item, atMs: number, outcome: string): void {
  const it = state.items[item];
  if (it && it.closedAt === undefined) {
    it.closedAt = atMs;
    it.outcome = outcome;
  }
}

/** Whether the item was opened and is not closed yet. */
export function isOpen(state: VisitState, item: Item): boolean {
  const it = state.items[item];
  return it !== undefined && it.closedAt === undefined;
}

/** A hold or an objection stops the no-objection clock, keeping the time left. */
export function stopCommitteeClock(state: VisitState, nowMs: number): void {
  const it = state.items['committee-review'];
  if (it && it.deadline !== null) {
    it.pausedRemainingMs = Math.max(0, it.deadline - nowMs);
    it.deadline = null;
  }
}

/** The last hold lifted, the no-objection clock runs again for the time it had left. */
export function restartCommitteeClock(state: VisitState, nowMs: number): void {
  const it = state.items['committee-review'];
  if (it && it.deadline === null && it.pausedRemainingMs !== undefined) {
    it.deadline = nowMs + it.pausedRemainingMs;
    delete it.pausedRemainingMs;
  }
}

/** The Committee adopts the report, by silence (the clock ran out) or at a meeting (an action). */
export function adopt(
  state: VisitState,
  effects: Effects,
  atMs: number,
  policy: Policy,
  how: 'silence' | 'meeting',
  cmd?: ActionCommand<'record-adoption'>,
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

/** The State has the adopted report (confirmed or deemed): its implementation clock starts. */
export function enterImplementing(state: VisitState, atMs: number, policy: Policy): ItemState {
  state.stage = 'implementing';
  state.receivedAt = iso(atMs);
  return openItem(state, 'state-implementation-report', atMs, policy);
}

/** The deadline of an open, running item that has passed by `nowMs`. */
function expired(state: VisitState, item: Item, nowMs: number): number | undefined {
  const it = state.items[item];
  return it && it.closedAt === undefined && it.deadline !== null && it.deadline <= nowMs ? it.deadline : undefined;
}

/**
 * Clocks that act on their own when they run out, applied at their deadline (not at `nowMs`, which
 * may be later after an outage): 30 days of State review pass with no comments received; the
 * no-objection period passes in silence and the report is adopted; the State's receipt is deemed.
 */
export function applyExpiries(state: VisitState, nowMs: number, policy: Policy): Effects {
  const effects = noEffects();
  let at: number | undefined;
  if (state.stage === 'state-review' && (at = expired(state, 'state-review', nowMs)) !== undefined) {
    closeItem(state, 'state-review', at, 'no-comments-received');
    state.stage = 'finalizing';
    const fin = openItem(state, 'finalizing', at, policy);
    const ev = pushEvent(state, effects, 'no-comments-received', at);
    notify(state, effects, ev, 'no-comments-received', ['case-officer'], {
      item: 'finalizing',
      deadline: iso(fin.deadline!),
    });
  }
  if (state.stage === 'committee-review' && (at = expired(state, 'committee-review', nowMs)) !== undefined) {
    adopt(state, effects, at, policy, 'silence');
  }
  if (state.stage === 'transmitting' && (at = expired(state, 'receipt', nowMs)) !== undefined) {
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
  const effects = noEffects();
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
