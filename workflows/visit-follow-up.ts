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
  FailureType,
  SA,
  VisitInput,
  actUpdate,
  statusQuery,
  visitIdOf,
  type VisitResult,
  type VisitStartRequest,
} from '../src/contract';
import { ACTION_PAYLOADS, describeIssues } from '../src/domain/actions';
import {
  applyAction,
  applyExpiries,
  initialState,
  isTerminal,
  nextWakeAt,
  openItems,
  refusal,
  snapshotOf,
  statusOf,
  takeDueReminders,
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
 */
class Outbox {
  private readonly events: VisitEvent[] = [];
  private readonly notices: Notice[] = [];

  constructor(
    private readonly visitId: string,
    private readonly snapshot: () => VisitSnapshot,
  ) {}

  add(effects: Partial<Effects>): void {
    this.events.push(...(effects.events ?? []));
    this.notices.push(...(effects.notices ?? []));
  }

  /** Records the events (with the visit's snapshot after them), then sends the notices; again if more came meanwhile. */
  async drain(): Promise<void> {
    while (this.events.length || this.notices.length) {
      const events = this.events.splice(0);
      const notices = this.notices.splice(0);
      const { workflowId, runId } = workflowInfo();
      if (events.length)
        await recordEvents({ visitId: this.visitId, workflowId, runId, events, snapshot: this.snapshot() });
      // The run id keeps keys unique if a visit id is ever started again after it closed.
      for (const n of notices) await notify({ ...n, key: `${runId}:${n.key}` });
    }
  }
}

/** One visit's run: the state machine's state and policy, what the handlers do, and what the loop does between waits. */
class VisitRun {
  readonly outbox: Outbox;
  /** Bumped by every action taken, so the main loop wakes for it. */
  version = 0;
  private readonly state: VisitState;
  private readonly remindersFrom: number;
  private lastAttributes = '';

  constructor(
    private readonly input: VisitInput,
    startedAt: number,
  ) {
    const { request, policy } = input;
    const first = initialState(summaryOf(visitIdOf(request.number, request.state), request), policy, startedAt);
    this.state = first.state;
    this.remindersFrom = input.remindersFrom ? Date.parse(input.remindersFrom) : startedAt;
    this.outbox = new Outbox(this.state.visit.id, () => snapshotOf(this.state, policy, Date.now()));
    this.outbox.add(first.effects);
  }

  /** The visit is closed or withdrawn: the loop ends. */
  get over(): boolean {
    return isTerminal(this.state);
  }

  /** The query: the visit's status now. */
  status(): VisitStatus {
    return statusOf(this.state, this.input.policy, Date.now());
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
    this.outbox.add(applyAction(this.state, ActRequest.parse(req), Date.now(), this.input.policy));
    this.version++;
    return this.status();
  }

  /** Applies the clocks that ran out by `nowMs` and records the reminders due, queueing what they send. */
  catchUp(nowMs: number): void {
    this.outbox.add(applyExpiries(this.state, nowMs, this.input.policy));
    if (!isTerminal(this.state)) {
      this.outbox.add({ notices: takeDueReminders(this.state, this.input.policy, nowMs, this.remindersFrom) });
    }
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
    const { policy } = this.input;
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
