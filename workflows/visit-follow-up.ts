/**
 * One visit, one Member State: the follow-up of ../shared/DOMAIN.md as a durable workflow.
 *
 * The pure state machine in src/domain/visit.ts decides; this file only keeps time, takes actions
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
} from '../src/contract';
import { ACTION_PAYLOADS, describeIssues } from '../src/domain/actions';
import {
  applyAction,
  applyExpiries,
  dueReminders,
  initialState,
  isTerminal,
  nextWakeAt,
  openItems,
  refusal,
  statusOf,
  type Effects,
  type Notice,
  type PlannedReminder,
  type VisitEvent,
} from '../src/domain/visit';

const { recordEvents, notify } = proxyActivities<VisitActivities>({
  startToCloseTimeout: '1 minute',
  // SMTP may be down for a while: keep trying with backoff; the notice key prevents doubles.
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

export async function visitFollowUp(rawInput: VisitInput): Promise<VisitResult> {
  const input = VisitInput.parse(rawInput);
  const { request, policy } = input;
  const id = visitIdOf(request.number, request.state);
  const startedAt = Date.now();
  const remindersFrom = input.remindersFrom ? Date.parse(input.remindersFrom) : startedAt;
  const { state, effects: first } = initialState(
    {
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
    },
    policy,
    startedAt,
  );

  const outboxEvents: VisitEvent[] = [...first.events];
  const outboxNotices: Notice[] = [...first.notices];
  const enqueue = (e: Effects) => {
    outboxEvents.push(...e.events);
    outboxNotices.push(...e.notices);
  };
  let version = 0;

  // Handlers first: an update that arrives before its handler exists is rejected.
  setHandler(statusQuery, () => statusOf(state, policy, Date.now()));
  setHandler(
    actUpdate,
    (req) => {
      const cmd = ActRequest.parse(req);
      enqueue(
        applyAction(state, { ...cmd, payload: ACTION_PAYLOADS[cmd.action].parse(cmd.payload) }, Date.now(), policy),
      );
      version++;
      return statusOf(state, policy, Date.now());
    },
    {
      validator: (req) => {
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
        const why = refusal(state, { ...cmd, payload: payload.success ? payload.data : cmd.payload });
        if (why)
          throw ApplicationFailure.create({ type: FailureType.ActionNotAllowed, nonRetryable: true, message: why });
        if (!payload.success) {
          throw ApplicationFailure.create({
            type: FailureType.InvalidPayload,
            nonRetryable: true,
            message: `${cmd.action}: ${describeIssues(payload.error)}`,
          });
        }
      },
    },
  );

  let lastAttributes = '';
  const publishSearchAttributes = () => {
    const open = openItems(state, Date.now());
    const next = open.find((o) => o.deadline !== null)?.deadline;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: SA.stage, value: state.stage },
      { key: SA.state, value: request.state },
      { key: SA.type, value: request.type },
      { key: SA.group, value: request.groupId ?? null },
      { key: SA.nextDeadline, value: next ? new Date(next) : null },
      { key: SA.overdue, value: open.some((o) => o.overdue) },
    ];
    const fingerprint = JSON.stringify(pairs.map((p) => p.value));
    if (fingerprint !== lastAttributes) {
      upsertSearchAttributes(pairs);
      lastAttributes = fingerprint;
    }
  };

  const toNotice = (r: PlannedReminder): Notice => ({
    key: `${id}:reminder:${r.key}`,
    topic: `reminder:${r.item}`,
    kind: r.kind,
    item: r.item,
    to: r.to,
    at: new Date(r.at).toISOString(),
    deadline: r.deadline === null ? null : new Date(r.deadline).toISOString(),
    ...(r.n ? { details: { overdueReminder: String(r.n) } } : {}),
    visit: state.visit,
  });

  const drain = async () => {
    while (outboxEvents.length || outboxNotices.length) {
      const events = outboxEvents.splice(0);
      const notices = outboxNotices.splice(0);
      const { workflowId, runId } = workflowInfo();
      if (events.length) {
        const { history: _h, reminders: _r, ...snapshot } = statusOf(state, policy, Date.now());
        await recordEvents({ visitId: id, workflowId, runId, events, snapshot });
      }
      // The run id keeps keys unique if a visit id is ever started again after it closed.
      for (const n of notices) await notify({ ...n, key: `${runId}:${n.key}` });
    }
  };

  for (;;) {
    // Taken before any await: an update that lands while activities run must wake the next pass.
    const seen = version;
    const now = Date.now();
    enqueue(applyExpiries(state, now, policy));
    if (!isTerminal(state)) {
      const { send, skip } = dueReminders(state, policy, now, remindersFrom);
      for (const r of [...skip, ...send]) {
        state.reminders.push({
          key: r.key,
          item: r.item,
          kind: r.kind,
          at: new Date(r.at).toISOString(),
          to: r.to,
          deadline: r.deadline === null ? null : new Date(r.deadline).toISOString(),
          status: send.includes(r) ? 'sent' : 'skipped',
        });
      }
      outboxNotices.push(...send.map(toNotice));
    }
    publishSearchAttributes();
    await drain();
    if (isTerminal(state)) break;
    // Versioned: visits started before this change did not wake for work that fell due while they sent.
    const wake = nextWakeAt(state, policy, Date.now(), remindersFrom, patched('catch-up-after-side-effects'));
    if (wake === null) await condition(() => version !== seen);
    else await condition(() => version !== seen, Math.max(1, wake - Date.now()));
  }
  await allHandlersFinished();
  await drain();
  return { id, stage: state.stage as VisitResult['stage'], events: state.history.length };
}
