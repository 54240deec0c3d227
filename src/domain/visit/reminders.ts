/**
 * Reminders: which ones the policy schedules for the open items, which fall due now, and how the
 * workflow records them and words them as notices.
 */
import { addDuration, subtractDuration } from '../duration';
import { reminderRule, type Policy } from '../policy';
import type { Item, Recipient } from '../vocabulary';
import { iso } from './events';
import type { Notice, PlannedReminder, ReminderRecord, VisitState } from './state';

function union(a: Recipient[], b: Recipient[]): Recipient[] {
  return [...a, ...b.filter((r) => !a.includes(r))];
}

/** A TA answer reminder goes to the partners still to answer, not to every partner ("partners" in the rule). */
function taRecipients(state: VisitState, to: Recipient[]): Recipient[] {
  const pending = (state.recommendations ?? [])
    .flatMap((r) => r.ta?.partners ?? [])
    .filter((p) => p.status === 'referred');
  const partners = [...new Set(pending.map((p) => p.partner))].sort().map((p): Recipient => `partner:${p}`);
  return to.flatMap((r) => (r === 'partners' ? partners : [r]));
}

/** Every reminder the policy schedules for the items open now (sent or not). */
export function plannedReminders(state: VisitState, policy: Policy): PlannedReminder[] {
  const out: PlannedReminder[] = [];
  for (const it of Object.values(state.items)) {
    if (!it || it.closedAt !== undefined) continue;
    const policyRule = reminderRule(policy, it.item);
    if (!policyRule) continue;
    const rule =
      it.item === 'ta-response'
        ? {
            ...policyRule,
            to: taRecipients(state, policyRule.to),
            escalation: policyRule.escalation.map((e) => ({ ...e, to: taRecipients(state, e.to) })),
          }
        : policyRule;
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

/** The notice of a reminder; keyed by the reminder, so it is sent once however often it is retried. */
export function reminderNotice(state: VisitState, r: PlannedReminder): Notice {
  return {
    key: `${state.visit.id}:reminder:${r.key}`,
    topic: `reminder:${r.item}`,
    kind: r.kind,
    item: r.item,
    to: r.to,
    at: iso(r.at),
    deadline: r.deadline === null ? null : iso(r.deadline),
    ...(r.n ? { details: { overdueReminder: String(r.n) } } : {}),
    visit: state.visit,
  };
}

/** A reminder "before" a deadline that has already passed: nothing left to remind of. */
const overtaken = (r: PlannedReminder, nowMs: number) =>
  r.kind === 'before' && r.deadline !== null && r.deadline <= nowMs;

/** Why a reminder was not sent, or that it went late. */
function reasonFor(r: PlannedReminder, sent: boolean, nowMs: number): string | undefined {
  if (sent) return lateness(r, nowMs);
  if (overtaken(r, nowMs)) return 'its deadline passed before it could be sent (the engine was not running)';
  return 'a later reminder for the same step was due at the same time';
}

/**
 * Handles the reminders due at `nowMs`: records each as sent or skipped in the state (skipped
 * first), and returns the notices of those to send. Under rules 2 each skipped reminder says why,
 * a reminder sent after its moment says it went late, and a reminder "before" a deadline that has
 * already passed is skipped rather than sent.
 */
export function takeDueReminders(state: VisitState, policy: Policy, nowMs: number, remindersFromMs: number): Notice[] {
  const due = dueReminders(state, policy, nowMs, remindersFromMs);
  const send = state.rules >= 2 ? due.send.filter((r) => !overtaken(r, nowMs)) : due.send;
  const skip = [...due.skip, ...due.send.filter((r) => !send.includes(r))];
  for (const r of [...skip, ...send]) {
    const reason = state.rules >= 2 ? reasonFor(r, send.includes(r), nowMs) : undefined;
    const record: ReminderRecord = {
      key: r.key,
      item: r.item,
      kind: r.kind,
      at: iso(r.at),
      to: r.to,
      deadline: r.deadline === null ? null : iso(r.deadline),
      status: send.includes(r) ? 'sent' : 'skipped',
      ...(reason ? { reason } : {}),
    };
    state.reminders.push(record);
  }
  return send.map((r) => reminderNotice(state, r));
}

/** A reminder sent well after its moment (an outage): said so in its record. */
function lateness(r: PlannedReminder, nowMs: number): string | undefined {
  const late = nowMs - r.at;
  return late >= 60_000 ? `sent ${Math.round(late / 60_000)} minute(s) late (the engine was not running)` : undefined;
}

/** The record of the reminder a notice sends, if the notice is a reminder. */
function recordOfNotice(state: VisitState, noticeKey: string): ReminderRecord | undefined {
  const prefix = `${state.visit.id}:reminder:`;
  if (!noticeKey.startsWith(prefix)) return undefined;
  const key = noticeKey.slice(prefix.length);
  return state.reminders.find((r) => r.key === key && r.status === 'sent');
}

/**
 * A reminder's notice was delivered at `nowMs` (the mail server took it). One delivered a minute or
 * more after its moment, later than the workflow took it (the mail server refused it for a while),
 * says so in its record: it went late, it was not dropped.
 */
export function noteReminderDelivered(state: VisitState, noticeKey: string, takenAtMs: number, nowMs: number): void {
  const record = recordOfNotice(state, noticeKey);
  if (!record) return;
  const late = nowMs - Date.parse(record.at);
  if (late < 60_000 || nowMs - takenAtMs < 60_000) return;
  record.reason = `sent ${Math.round(late / 60_000)} minute(s) late (the mail server did not take it at first)`;
}

/**
 * Runs `change` (an action) and records as skipped, with the reason, the reminders that were due
 * before it but not yet taken and whose step it closed: the step was done before they could be
 * sent, so they are not sent, and not silently dropped either.
 */
export function skipDueClosedBy(
  state: VisitState,
  policy: Policy,
  nowMs: number,
  remindersFromMs: number,
  change: () => void,
): void {
  const due = dueReminders(state, policy, nowMs, remindersFromMs);
  change();
  const handled = new Set(state.reminders.map((r) => r.key));
  for (const r of [...due.skip, ...due.send].sort((a, b) => a.at - b.at || a.key.localeCompare(b.key))) {
    const it = state.items[r.item];
    if (handled.has(r.key) || !it || it.closedAt === undefined) continue;
    state.reminders.push({
      key: r.key,
      item: r.item,
      kind: r.kind,
      at: iso(r.at),
      to: r.to,
      deadline: r.deadline === null ? null : iso(r.deadline),
      status: 'skipped',
      reason: 'the step was done before it could be sent',
    });
  }
}
