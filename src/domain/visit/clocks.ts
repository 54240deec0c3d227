/**
 * The clocks of a visit: items open with a deadline from the policy and close with an outcome; the
 * no-objection clock stops for holds and objections; three clocks act on their own when they run
 * out; and the workflow learns when it must next wake.
 */
import { addWorkingDays, endOfNewYorkDay, isWorkingDay, newYorkDate, workingDaysBetween } from '../calendar';
import { addDuration, duration } from '../duration';
import type { ClockName, Policy } from '../policy';
import { ITEMS, type Item } from '../vocabulary';
import { iso, noEffects, notify, pushEvent } from './events';
import { adoptRecommendations, trackOf } from './recommendations';
import { plannedReminders } from './reminders';
import { isTerminal } from './state';
import type { ActionCommand, Effects, ItemState, Rules, VisitEvent, VisitState, VisitSummary } from './state';

/** The instant a visit's clocks start: the end of its last (physical) day, New York time. */
export function visitEndInstant(end: string): number {
  return endOfNewYorkDay(end);
}

function clockFor(item: Item): Exclude<ClockName, 'ta-response'> | undefined {
  switch (item) {
    // ta-response: set per referral (the earliest answer still awaited), not from when the item opened.
    case 'sharing-consent':
    case 'briefing':
    case 'ta-response':
      return undefined;
    default:
      return item;
  }
}

/** Whether a duration counts days (a deadline then falls at the close of a New York day), not seconds. */
export function countsDays(text: string): boolean {
  const { unit } = duration(text);
  return unit !== 'second' && unit !== 'minute' && unit !== 'hour';
}

/** The close of business (the last millisecond) of the New York working day on or after `date`. */
function closeOfWorkingDay(date: string, policy: Policy): number {
  let d = date;
  while (!isWorkingDay(d, policy.calendar)) d = newYorkDate(endOfNewYorkDay(d) + 1);
  return endOfNewYorkDay(d);
}

/**
 * The deadline a duration after `fromMs`. Under rules 2 a deadline counted in days is the close of
 * business of a New York day; one in calendar days that lands on a weekend or holiday moves to the
 * next working day unless the policy keeps it. Under rules 1 it keeps the time of day it started at.
 */
export function deadlineAfter(state: Pick<VisitState, 'rules'>, fromMs: number, text: string, policy: Policy): number {
  const at = addDuration(fromMs, text, policy.calendar);
  if (state.rules === 1 || !countsDays(text)) return at;
  const date = newYorkDate(at);
  const keep = policy.deadlinesOnClosedDays === 'keep' || duration(text).unit === 'working day';
  return keep ? endOfNewYorkDay(date) : closeOfWorkingDay(date, policy);
}

/** Opens an item at `fromMs`, with the deadline its policy clock gives (none for consent and briefing). */
export function openItem(state: VisitState, item: Item, fromMs: number, policy: Policy): ItemState {
  const clock = clockFor(item);
  const opened: ItemState = {
    item,
    openedAt: fromMs,
    deadline: clock ? deadlineAfter(state, fromMs, policy.clocks[clock], policy) : null,
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

/**
 * A hold or an objection stops the no-objection clock, keeping what was left: under rules 2 the
 * working days after today up to the deadline's day (the day it stops is spent), else milliseconds.
 */
export function stopCommitteeClock(state: VisitState, nowMs: number, policy: Policy): void {
  const it = state.items['committee-review'];
  if (!it || it.deadline === null) return;
  if (state.rules >= 2 && countsDays(policy.clocks['committee-review'])) {
    it.pausedWorkingDays = workingDaysBetween(nowMs, it.deadline, policy.calendar);
  } else it.pausedRemainingMs = Math.max(0, it.deadline - nowMs);
  it.deadline = null;
}

/**
 * The last hold lifted, the no-objection clock runs again for what it had left: as many working
 * days after the day it restarts (at the close of business), or the milliseconds left.
 */
export function restartCommitteeClock(state: VisitState, nowMs: number, policy: Policy): void {
  const it = state.items['committee-review'];
  if (!it || it.deadline !== null) return;
  if (it.pausedWorkingDays !== undefined) {
    const days = it.pausedWorkingDays;
    const today = newYorkDate(nowMs);
    it.deadline =
      days === 0
        ? closeOfWorkingDay(today, policy)
        : endOfNewYorkDay(newYorkDate(addWorkingDays(nowMs, days, policy.calendar)));
    delete it.pausedWorkingDays;
  } else if (it.pausedRemainingMs !== undefined) {
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
  // Rules 3: no CTED follow-up report after an advocacy or a follow-up visit.
  const followUp = trackOf(state).ctedReport ? openItem(state, 'cted-follow-up-report', atMs, policy) : undefined;
  const ev = pushEvent(
    state,
    effects,
    how === 'silence' ? 'adopted-by-silence' : 'record-adoption',
    atMs,
    cmd,
    cmd?.payload,
  );
  adoptRecommendations(state, effects, atMs, cmd?.actor.email ?? 'committee (no objection)');
  notify(state, effects, ev, 'report-adopted', ['case-officer', 'chair', 'secretariat'], {
    deadline: iso(transmit.deadline!),
    ...(followUp ? { details: { followUpReportDue: iso(followUp.deadline!) } } : {}),
  });
}

/** Whether the visit still has clocks that remind: open, or closed under rules 3 (TA answers outlive the visit). */
export function takesReminders(state: VisitState): boolean {
  return !isTerminal(state) || (state.stage === 'closed' && state.rules >= 3);
}

/** The visit's follow-up is over: every clock stops, except (rules 3) the partners' TA answers. */
export function closeVisit(state: VisitState, effects: Effects, atMs: number): void {
  for (const item of ITEMS)
    if (!(state.rules >= 3 && item === 'ta-response')) closeItem(state, item, atMs, 'visit-closed');
  state.stage = 'closed';
  const ev = pushEvent(state, effects, 'closed', atMs);
  notify(state, effects, ev, 'visit-closed', ['case-officer', 'secretariat']);
}

/**
 * The State has the adopted report (confirmed or deemed): its implementation clock starts and it
 * is asked for its report. Rules 3: after an advocacy visit there is no report, and the visit closes.
 */
export function enterImplementing(
  state: VisitState,
  effects: Effects,
  atMs: number,
  policy: Policy,
  event: () => VisitEvent,
): void {
  state.stage = 'implementing';
  state.receivedAt = iso(atMs);
  const ev = event();
  if (!trackOf(state).stateReport) {
    closeVisit(state, effects, atMs);
    return;
  }
  const report = openItem(state, 'state-implementation-report', atMs, policy);
  notify(state, effects, ev, 'implementation-report-requested', ['state-contact'], {
    item: 'state-implementation-report',
    deadline: iso(report.deadline!),
  });
}

/** The State's review period ends with no comments received: the final draft's clock starts. */
export function expireReview(state: VisitState, effects: Effects, atMs: number, policy: Policy): void {
  closeItem(state, 'state-review', atMs, 'no-comments-received');
  state.stage = 'finalizing';
  const fin = openItem(state, 'finalizing', atMs, policy);
  const ev = pushEvent(state, effects, 'no-comments-received', atMs);
  notify(state, effects, ev, 'no-comments-received', ['case-officer'], {
    item: 'finalizing',
    deadline: iso(fin.deadline!),
  });
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
  // Under rules 2 a pending extension request holds the review open until it is granted or refused.
  const reviewHeld = state.rules >= 2 && state.extension === 'requested';
  if (state.stage === 'state-review' && !reviewHeld && (at = expired(state, 'state-review', nowMs)) !== undefined) {
    expireReview(state, effects, at, policy);
  }
  if (state.stage === 'committee-review' && (at = expired(state, 'committee-review', nowMs)) !== undefined) {
    adopt(state, effects, at, policy, 'silence');
  }
  if (state.stage === 'transmitting' && (at = expired(state, 'receipt', nowMs)) !== undefined) {
    const deemedAt = at;
    closeItem(state, 'receipt', deemedAt, 'deemed-received');
    enterImplementing(state, effects, deemedAt, policy, () => pushEvent(state, effects, 'receipt-deemed', deemedAt));
  }
  return effects;
}

/** The clocks that act on their own in the current stage (state review, no-objection period, receipt). */
function selfActingItem(state: VisitState): Item | undefined {
  switch (state.stage) {
    case 'state-review':
      return state.rules >= 2 && state.extension === 'requested' ? undefined : 'state-review';
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
  rules: Rules = 2,
): { state: VisitState; effects: Effects } {
  const state: VisitState = {
    visit,
    rules,
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

/** A deadline a new calendar moved. */
export interface MovedDeadline {
  item: Item;
  from: string;
  to: string;
}

/** The deadline an item's own clock gives from its opening, an extension included (null when moved by other causes). */
function ownDeadline(state: VisitState, it: ItemState, policy: Policy): number | null {
  const clock = clockFor(it.item);
  if (!clock || it.deadline === null) return null;
  const base = deadlineAfter(state, it.openedAt, policy.clocks[clock], policy);
  const extended = it.item === 'state-review' && state.extension === 'granted';
  return extended ? deadlineAfter(state, base, policy.clocks['state-review-extension'], policy) : base;
}

/**
 * A corrected calendar reaches the visit: every open deadline its own clock set (not one moved by
 * a hold) is computed again with it. Returns the deadlines that moved; records the publication.
 */
export function applyCalendar(
  state: VisitState,
  policy: Policy,
  calendar: Policy['calendar'],
  version: string,
  nowMs: number,
): { policy: Policy; moved: MovedDeadline[]; effects: Effects } {
  const next: Policy = { ...policy, calendar };
  const moved: MovedDeadline[] = [];
  for (const it of Object.values(state.items)) {
    if (!it || it.closedAt !== undefined || ownDeadline(state, it, policy) !== it.deadline) continue;
    const deadline = ownDeadline(state, it, next);
    if (deadline === null || deadline === it.deadline) continue;
    moved.push({ item: it.item, from: iso(it.deadline!), to: iso(deadline) });
    it.deadline = deadline;
  }
  state.calendarVersion = version;
  const effects = noEffects();
  const ev = pushEvent(state, effects, 'calendar-published', nowMs, undefined, { version, moved });
  for (const m of moved) {
    // Those reminded of the item, the secretariat, and the Committee for its own silence deadline.
    const committee = m.item === 'committee-review' ? (['committee', 'chair'] as const) : [];
    const to = [...new Set([...(policy.reminders[m.item]?.to ?? []), ...committee, 'secretariat' as const])];
    notify(state, effects, ev, 'deadline-moved', to, {
      item: m.item,
      deadline: m.to,
      details: { from: m.from },
      keyPart: m.item,
    });
  }
  return { policy: next, moved, effects };
}
