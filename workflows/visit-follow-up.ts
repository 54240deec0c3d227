/**
 * One visit, one Member State: the follow-up of ../shared/DOMAIN.md as a durable workflow.
 *
 * The pure state machine in src/domain/visit/ decides; this file only keeps time, takes actions
 * through a validated update, and hands events and notices to activities. Side effects leave the
 * workflow through one outbox drained by the main loop, so an update returns as soon as the step
 * is recorded in history and nothing is sent twice.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { VisitActivities } from '../activities';
import {
  ActRequest,
  CalendarPublication,
  FailureType,
  SA,
  VisitInput,
  actUpdate,
  publishCalendarUpdate,
  statusQuery,
  visitIdOf,
  type VisitResult,
  type VisitStartRequest,
} from '../src/contract';
import { ACTION_PAYLOADS, describeIssues } from '../src/domain/actions';
import type { RegisterChange } from '../src/domain/recommendations/model';
import type { Policy } from '../src/domain/policy';
import {
  applyAction,
  applyCalendar,
  applyExpiries,
  initialState,
  nextWakeAt,
  noteReminderDelivered,
  openItems,
  refusal,
  skipDueClosedBy,
  snapshotOf,
  statusOf,
  takeDueReminders,
  takesReminders,
  workflowEnds,
  type Effects,
  type Notice,
  type VisitEvent,
  type VisitSnapshot,
  type VisitState,
  type VisitStatus,
  type VisitSummary,
} from '../src/domain/visit';

const { recordEvents, notify } = proxyActivities<VisitActivities>({
  startToCloseTimeout: '1 minute',
  // SMTP may be down for a while: keep trying with backoff; the notice key prevents doubles.
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});
// One signal to the register: quick, so a worker lost mid-call is noticed soon; the change's key prevents doubles.
const { feedRegister } = proxyActivities<VisitActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * Follows one visit from the end of its last day until it is closed or withdrawn: setup, the
 * handlers, then a loop that applies the clocks, sends what is queued and sleeps until the next
 * action, reminder or deadline.
 */
export async function visitFollowUp(rawInput: VisitInput): Promise<VisitResult> {
  const run = new VisitRun(VisitInput.parse(rawInput), Date.now());

  // Handlers first: an update that arrives before its handler exists is rejected.
  setHandler(statusQuery, () => run.status());
  setHandler(actUpdate, (req) => run.act(req), { validator: (req) => run.check(req) });
  setHandler(publishCalendarUpdate, (p) => run.publishCalendar(p), { validator: (p) => run.checkCalendar(p) });

  for (;;) {
    // Taken before any await: an update that lands while activities run must wake the next pass.
    const seen = run.version;
    run.catchUp(Date.now());
    run.publishSearchAttributes();
    await run.outbox.drain();
    if (run.over) break;
    await run.waitForWork(seen);
  }
  await allHandlersFinished();
  await run.outbox.drain();
  await run.outbox.settled();
  return run.result();
}

/** Who the visit is, as the state machine and every notice carry it. */
function summaryOf(id: string, request: VisitStartRequest): VisitSummary {
  return {
    id,
    number: request.number,
    state: request.state,
    ...(request.stateName ? { stateName: request.stateName } : {}),
    type: request.type,
    start: request.start,
    end: request.end,
    ...(request.groupId ? { groupId: request.groupId } : {}),
    ...(request.ordinal ? { ordinal: request.ordinal } : {}),
    ...(request.partners?.length ? { partners: request.partners } : {}),
    ...(request.followsUp ? { followsUp: request.followsUp } : {}),
    contacts: {
      caseOfficer: request.caseOfficer,
      stateContact: request.stateContact,
      ...(request.permanentMission ? { permanentMission: request.permanentMission } : {}),
    },
    language: request.language,
  };
}

/**
 * Events and notices waiting to leave the workflow. Handlers fill it; only the main loop drains
 * it, so sending never runs inside a handler and each item is sent once, in order.
 *
 * With `apart` (visits started since `patched('notices-apart')`), each notice is sent by its own
 * activity, started by the drain but not awaited by it: one message the mail server refuses, and
 * retries with back-off, holds back neither the visit's other notices nor its clocks (expiries,
 * reminders falling due). Events and register changes are still awaited, in order.
 */
class Outbox {
  private readonly events: VisitEvent[] = [];
  private readonly notices: Notice[] = [];
  private readonly changes: RegisterChange[] = [];
  /** Notices being sent (apart): each settles when the mail server took it. */
  private readonly sending = new Set<Promise<void>>();
  /** A send that failed for good (apart): thrown by the next drain, as an awaited send would have thrown. */
  private failure: unknown;

  constructor(
    private readonly visitId: string,
    private readonly state: string,
    private readonly snapshot: () => VisitSnapshot,
    private readonly apart = false,
    private readonly delivered: (notice: Notice, takenAtMs: number) => void = () => {},
  ) {}

  add(effects: Partial<Effects>): void {
    this.events.push(...(effects.events ?? []));
    this.notices.push(...(effects.notices ?? []));
    this.changes.push(...(effects.register ?? []));
  }

  /**
   * Records the events (with the visit's snapshot after them), feeds the State's register in order,
   * then sends the notices; again if more came meanwhile.
   */
  async drain(): Promise<void> {
    while (this.events.length || this.notices.length || this.changes.length) {
      const events = this.events.splice(0);
      const notices = this.notices.splice(0);
      const changes = this.changes.splice(0);
      const { workflowId, runId } = workflowInfo();
      if (events.length)
        await recordEvents({ visitId: this.visitId, workflowId, runId, events, snapshot: this.snapshot() });
      // One at a time: the register applies a visit's changes in their order, each key once.
      for (const change of changes) await feedRegister({ state: this.state, change });
      // The run id keeps keys unique if a visit id is ever started again after it closed.
      if (!this.apart) {
        for (const n of notices) await notify({ ...n, key: `${runId}:${n.key}` });
        continue;
      }
      for (const n of notices) this.sendApart(n, runId);
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** Starts one notice's activity without waiting for it; tells `delivered` when it is sent. */
  private sendApart(n: Notice, runId: string): void {
    const takenAt = Date.now();
    const p: Promise<void> = notify({ ...n, key: `${runId}:${n.key}` }).then(
      () => this.delivered(n, takenAt),
      (e: unknown) => {
        this.failure ??= e;
      },
    );
    this.sending.add(p);
    void p.finally(() => this.sending.delete(p));
  }

  /** Waits until every notice started apart was sent (before the workflow returns). */
  async settled(): Promise<void> {
    while (this.sending.size) await Promise.all([...this.sending]);
    if (this.failure !== undefined) throw this.failure;
  }
}

/** One visit's run: the state machine's state and policy, what the handlers do, and what the loop does between waits. */
class VisitRun {
  readonly outbox: Outbox;
  /** Bumped by every action taken, so the main loop wakes for it. */
  version = 0;
  private readonly state: VisitState;
  private readonly remindersFrom: number;
  /** The policy the visit keeps for life; only a published calendar changes it. */
  private policy: Policy;
  private lastAttributes = '';
  /** Notices go out apart, and an action records the due reminders of the step it closes (notices-apart). */
  private readonly apart: boolean;

  constructor(
    private readonly input: VisitInput,
    startedAt: number,
  ) {
    const { request } = input;
    this.policy = input.policy;
    // Versioned: visits started before rules 2 (or 3) keep the deadlines and behaviour they started with.
    const rules = patched('follow-up-rules-3') ? 3 : patched('follow-up-rules-2') ? 2 : 1;
    // Versioned: visits started before this change send their notices one after another in the loop.
    this.apart = patched('notices-apart');
    const summary = summaryOf(visitIdOf(request.number, request.state), request);
    const first = initialState(summary, this.policy, startedAt, rules);
    this.state = first.state;
    if (rules >= 3 && input.earlier?.length) this.state.earlier = input.earlier.map((e) => ({ ...e }));
    this.remindersFrom = input.remindersFrom ? Date.parse(input.remindersFrom) : startedAt;
    this.outbox = new Outbox(
      this.state.visit.id,
      request.state,
      () => snapshotOf(this.state, this.policy, Date.now()),
      this.apart,
      (n, takenAt) => noteReminderDelivered(this.state, n.key, takenAt, Date.now()),
    );
    this.outbox.add(first.effects);
  }

  /** The visit is withdrawn, or closed under the first rules: the loop ends. */
  get over(): boolean {
    return workflowEnds(this.state);
  }

  /** The query: the visit's status now. */
  status(): VisitStatus {
    return statusOf(this.state, this.policy, Date.now());
  }

  /** The calendar update's validator: a well-formed calendar the visit does not have yet. */
  checkCalendar(p: CalendarPublication): void {
    const parsed = CalendarPublication.safeParse(p);
    if (!parsed.success) {
      const message = describeIssues(parsed.error);
      throw ApplicationFailure.create({ type: FailureType.InvalidPayload, nonRetryable: true, message });
    }
    if (parsed.data.version === this.state.calendarVersion) {
      const message = `visit ${this.state.visit.id} already has calendar ${parsed.data.version}`;
      throw ApplicationFailure.create({ type: FailureType.ActionNotAllowed, nonRetryable: true, message });
    }
  }

  /** The calendar update: recomputes the deadlines the calendar sets, and says how many moved. */
  publishCalendar(p: CalendarPublication): { moved: number } {
    const { calendar, version } = CalendarPublication.parse(p);
    const applied = applyCalendar(this.state, this.policy, calendar, version, Date.now());
    this.policy = applied.policy;
    this.outbox.add(applied.effects);
    this.version++;
    return { moved: applied.moved.length };
  }

  /** The update's validator: refuses (writing nothing to history) a malformed request or a step the stage does not allow. */
  check(req: ActRequest): void {
    const envelope = ActRequest.safeParse(req);
    if (!envelope.success) {
      throw ApplicationFailure.create({
        type: FailureType.InvalidPayload,
        nonRetryable: true,
        message: describeIssues(envelope.error),
      });
    }
    const cmd = envelope.data;
    const payload = ACTION_PAYLOADS[cmd.action].safeParse(cmd.payload);
    // Whether the step is allowed now comes first: a caller learns that before any payload detail.
    const why = refusal(this.state, { ...cmd, payload: payload.success ? payload.data : cmd.payload });
    if (why) throw ApplicationFailure.create({ type: FailureType.ActionNotAllowed, nonRetryable: true, message: why });
    if (!payload.success) {
      throw ApplicationFailure.create({
        type: FailureType.InvalidPayload,
        nonRetryable: true,
        message: `${cmd.action}: ${describeIssues(payload.error)}`,
      });
    }
  }

  /** The update: takes a checked action and returns the new status; its effects wait in the outbox. */
  act(req: ActRequest): VisitStatus {
    const cmd = ActRequest.parse(req);
    const now = Date.now();
    if (!this.apart) this.outbox.add(applyAction(this.state, cmd, now, this.policy));
    // Reminders due before the action that the loop has not taken yet (it was busy, or the worker
    // was down): those of a step the action closes are recorded as skipped, not silently dropped.
    else
      skipDueClosedBy(this.state, this.policy, now, this.remindersFrom, () =>
        this.outbox.add(applyAction(this.state, cmd, now, this.policy)),
      );
    this.version++;
    return this.status();
  }

  /** Applies the clocks that ran out by `nowMs` and records the reminders due, queueing what they send. */
  catchUp(nowMs: number): void {
    const reminders = () => {
      if (!takesReminders(this.state)) return;
      this.outbox.add({ notices: takeDueReminders(this.state, this.policy, nowMs, this.remindersFrom) });
    };
    // Rules 2: reminders first, so those of a deadline that passed during an outage are recorded
    // (sent late or skipped, with the reason) before the expiry closes their item.
    if (this.state.rules >= 2) reminders();
    this.outbox.add(applyExpiries(this.state, nowMs, this.policy));
    if (this.state.rules === 1) reminders();
  }

  /** Upserts the search attributes when they changed since the last upsert. */
  publishSearchAttributes(): void {
    const { request } = this.input;
    const open = openItems(this.state, Date.now());
    const next = open.find((o) => o.deadline !== null)?.deadline;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: SA.stage, value: this.state.stage },
      { key: SA.state, value: request.state },
      { key: SA.type, value: request.type },
      { key: SA.group, value: request.groupId ?? null },
      { key: SA.nextDeadline, value: next ? new Date(next) : null },
      { key: SA.overdue, value: open.some((o) => o.overdue) },
    ];
    const fingerprint = JSON.stringify(pairs.map((p) => p.value));
    if (fingerprint !== this.lastAttributes) {
      upsertSearchAttributes(pairs);
      this.lastAttributes = fingerprint;
    }
  }

  /** Sleeps until an action is taken (the version moves past `seen`) or the next reminder or deadline. */
  async waitForWork(seen: number): Promise<void> {
    const { policy } = this;
    // Versioned: visits started before this change did not wake for work that fell due while they sent.
    const wake = nextWakeAt(this.state, policy, Date.now(), this.remindersFrom, patched('catch-up-after-side-effects'));
    if (wake === null) await condition(() => this.version !== seen);
    else await condition(() => this.version !== seen, Math.max(1, wake - Date.now()));
  }

  /** What the finished workflow returns. */
  result(): VisitResult {
    return {
      id: this.state.visit.id,
      stage: this.state.stage as VisitResult['stage'],
      events: this.state.history.length,
    };
  }
}
