/** A time-skipping environment, a worker with recording activities, and helpers to drive one visit. */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import {
  actUpdate,
  registerWorkflowIdOf,
  statusQuery,
  workflowIdOf,
  type ActRequest,
  type VisitStartRequest,
} from '../../src/contract';
import type { EarlierRecommendation, RegisterChange } from '../../src/domain/recommendations/model';
import { newYorkDate } from '../../src/domain/calendar';
import { addDuration, subtractDuration } from '../../src/domain/duration';
import type { Policy } from '../../src/domain/policy';
import { deadlineAfter, type Notice, type VisitStatus } from '../../src/domain/visit';
import type { ActionName } from '../../src/domain/vocabulary';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { eventually, recordingActivities, uniqueQueue, visitRequest, workflowBundle } from '../helpers';

export const OFFICER = 'officer@cted.example.org';
export const FOCAL_POINT = 'focal.point@mission.example.org';
export const SECRETARIAT = 'secretariat@un.example.org';
export const MEMBER = 'member@committee.example.org';
export const CHAIR = 'chair@committee.example.org';

export interface VisitRun {
  handle: WorkflowHandle;
  notices: Notice[];
  status(): Promise<VisitStatus>;
  act(action: ActionName, payload?: Record<string, unknown>, actor?: string): Promise<VisitStatus>;
  /** The reminders (not event notices) sent for one item, as `kind to1+to2 @ at`. */
  reminders(item: string): string[];
  /** The event notices of one topic, as `to1+to2 deadline`. */
  events(topic: string): string[];
  /** Waits (bounded) until `count` event notices of a topic were sent, and returns them. */
  eventsSent(topic: string, count?: number): Promise<string[]>;
}

interface VisitOptions {
  request?: Partial<VisitStartRequest>;
  policy?: Policy;
  remindersFrom?: string;
  /** The State's open recommendations the visit starts from (the service reads them from the register). */
  earlier?: EarlierRecommendation[];
}

/** Runs `body` with a worker for one visit; the worker stops when `body` returns. */
export async function withVisit(
  env: TestWorkflowEnvironment,
  opts: VisitOptions,
  body: (run: VisitRun) => Promise<void>,
): Promise<void> {
  await withWorker(env, {}, async (w) => body(await w.start(opts)));
}

export interface WorkerRun {
  /** Starts a visit on this worker. */
  start(opts: VisitOptions): Promise<VisitRun>;
  /** Everything the visits sent to their States' registers (through the real activity when `register`). */
  registered: { state: string; change: RegisterChange }[];
}

/**
 * Runs `body` with one worker for one or more visits. With `register`, the visits feed their
 * State's register through the real `feedRegister` activity, and the register workflow runs here too.
 */
export async function withWorker(
  env: TestWorkflowEnvironment,
  opts: { register?: boolean },
  body: (w: WorkerRun) => Promise<void>,
): Promise<void> {
  const taskQueue = uniqueQueue();
  const rec = recordingActivities();
  const real = createActivities({ temporal: env.client } as ActivityDeps);
  const activities = opts.register
    ? {
        ...rec.activities,
        feedRegister: async (req: { state: string; change: RegisterChange }) => {
          rec.registered.push(req);
          await real.feedRegister(req);
        },
      }
    : rec.activities;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  const handles: WorkflowHandle[] = [];
  await worker.runUntil(async () => {
    try {
      await body({ start: (o) => startRun(env, taskQueue, rec, o, handles), registered: rec.registered });
    } finally {
      // A running workflow left on a queue with no worker would stall the test server's time skipping.
      for (const handle of handles) {
        driven.delete(handle);
        const { status } = await handle.describe();
        if (status.name === 'RUNNING') await handle.terminate('test finished');
      }
      if (opts.register) await terminateRegisters(env, [...new Set(rec.registered.map((r) => r.state))]);
    }
  });
}

async function terminateRegisters(env: TestWorkflowEnvironment, states: string[]): Promise<void> {
  for (const state of states) {
    const handle = env.client.workflow.getHandle(registerWorkflowIdOf(state));
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test finished');
  }
}

async function startRun(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  rec: ReturnType<typeof recordingActivities>,
  opts: VisitOptions,
  handles: WorkflowHandle[],
): Promise<VisitRun> {
  const request = visitRequest(opts.request);
  const handle = await env.client.workflow.start('visitFollowUp', {
    taskQueue,
    workflowId: `${workflowIdOf(`${request.number}-${request.state}`)}-${taskQueue}`,
    args: [
      {
        request,
        policy: opts.policy ?? resolvePolicy(),
        ...(opts.remindersFrom ? { remindersFrom: opts.remindersFrom } : {}),
        ...(opts.earlier?.length ? { earlier: opts.earlier } : {}),
      },
    ],
  });
  handles.push(handle);
  driven.add(handle);
  const mine = (n: Notice) => n.visit.id === `${request.number}-${request.state}`;
  const run: VisitRun = {
    handle,
    notices: rec.notices,
    status: () => handle.query(statusQuery),
    act: async (action, payload = {}, actor = OFFICER) => {
      const req: ActRequest = { action, payload, actor: { email: actor }, door: 'cli' };
      await settle(env);
      return handle.executeUpdate(actUpdate, { args: [req] });
    },
    reminders: (item) =>
      rec.notices
        .filter((n) => mine(n) && n.kind !== 'event' && n.item === item)
        .map((n) => `${n.kind} ${n.to.join('+')} @ ${n.at}`),
    eventsSent: (topic, count = 1) =>
      eventually(() => {
        const sent = run.events(topic);
        return sent.length >= count ? sent : undefined;
      }, `${count} "${topic}" notice(s)`),
    events: (topic) =>
      rec.notices
        .filter((n) => mine(n) && n.kind === 'event' && n.topic === topic)
        .map((n) => `${n.to.join('+')} ${n.deadline ?? ''}`.trim()),
  };
  return run;
}

export const DAY = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString();
const POLICY = resolvePolicy();
/** `ms` plus a policy duration ("30 days", "5 working days"), as the engine counts a new visit's deadline (rules 2). */
export const plus = (ms: number, text: string, policy: Policy = POLICY) =>
  deadlineAfter({ rules: 2 }, ms, text, policy);
/** A policy whose calendar has exactly these closures and covers every year (nothing provisional). */
export const calendarPolicy = (holidays: string[]) =>
  resolvePolicy({ calendar: { holidays, floating: [], coveredUntil: '2199-12-31' } });
/** `ms` plus a duration kept to the time of day (reminders after an opening or a deadline), as the engine counts it. */
export const after = (ms: number, text: string) => addDuration(ms, text, POLICY.calendar);
/** `ms` minus a reminder offset ("14 days"), as the engine counts it. */
export const minus = (ms: number, text: string) => subtractDuration(ms, text);

/** Drives a fresh visit to the given stage through the real actions. */
export async function advanceTo(
  run: VisitRun,
  stage: 'state-review' | 'finalizing' | 'committee-review' | 'transmitting' | 'implementing',
): Promise<void> {
  await run.act('submit-draft');
  await run.act('dispatch-draft');
  if (stage === 'state-review') return;
  await run.act('record-comments', { summary: 'Minor factual corrections' }, FOCAL_POINT);
  if (stage === 'finalizing') return;
  await run.act('submit-final-draft');
  if (stage === 'committee-review') return;
  await run.act('object', { reason: 'Needs discussion' }, MEMBER);
  await run.act('record-adoption', { meetingDate: '2026-12-01' }, CHAIR);
  if (stage === 'transmitting') return;
  await run.act('transmit-report');
  await run.act('confirm-receipt', {}, FOCAL_POINT);
}

/** Skips server time to an instant (the time-skipping server's clock), and lets the visits settle there. */
export async function sleepUntil(env: TestWorkflowEnvironment, atMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (atMs > now) await env.sleep(atMs - now);
  await settle(env);
}

/** The visits the running test drives (a test file runs its tests one at a time). */
const driven = new Set<WorkflowHandle>();
/** A timer due this soon is let fire before the test goes on: far longer than a workflow task takes on a loaded machine. */
const TIMER_GUARD_MS = 2_000;
const { EventType } = temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * Waits until every driven visit is idle (no workflow task or activity outstanding) and none has
 * a timer due within TIMER_GUARD_MS, skipping past such a timer first. Why: the time-skipping
 * server refuses a workflow task that cancels a timer which fired while the task was with the
 * worker ("invalid history builder state for action", temporalio/sdk-java#3088) and never retries
 * it, so the visit hangs. A skip that lands on a deadline leaves that deadline's timer due a few
 * milliseconds later (each timer starts just after the instant its task ran); an update sent then
 * wakes the workflow, which cancels the timer as it fires. Settling first makes the order fixed:
 * the clock's work, then the test's action.
 */
export async function settle(env: TestWorkflowEnvironment): Promise<void> {
  for (let skips = 0; ; skips++) {
    let soonest = Infinity;
    for (const handle of driven) soonest = Math.min(soonest, nextTimerAt(await idleHistory(handle)));
    const dueIn = soonest - (await env.currentTimeMs());
    if (dueIn > TIMER_GUARD_MS) return;
    if (skips >= 10)
      throw new Error(`a visit keeps a timer due within ${TIMER_GUARD_MS} ms; the test cannot act safely`);
    await env.sleep(Math.max(dueIn, 0) + 1);
  }
}

/** The visit's history once it has no workflow task or activity outstanding (bounded wait). */
async function idleHistory(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return eventually(async () => {
    const events = (await handle.fetchHistory()).events ?? [];
    return busy(events) ? undefined : events;
  }, `visit ${handle.workflowId} to go idle`);
}

function busy(events: readonly HistoryEvent[]): boolean {
  if (CLOSED.has(events.at(-1)?.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED)) return false;
  let task = false;
  const activities = new Set<string>();
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) task = true;
    else if (
      e.workflowTaskCompletedEventAttributes ||
      e.workflowTaskFailedEventAttributes ||
      e.workflowTaskTimedOutEventAttributes
    )
      task = false;
    else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) activities.add(String(e.eventId));
    else {
      const ended =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes;
      if (ended) activities.delete(String(ended.scheduledEventId));
    }
  }
  return task || activities.size > 0;
}

/** When the earliest timer started and neither fired nor cancelled is due (ms since the epoch), or Infinity. */
function nextTimerAt(events: readonly HistoryEvent[]): number {
  const due = new Map<string, number>();
  for (const e of events) {
    const started = e.timerStartedEventAttributes;
    if (started?.timerId) due.set(started.timerId, protoMs(e.eventTime) + protoMs(started.startToFireTimeout));
    const ended = e.timerFiredEventAttributes ?? e.timerCanceledEventAttributes;
    if (ended?.timerId) due.delete(ended.timerId);
  }
  return Math.min(Infinity, ...due.values());
}

const protoMs = (v: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(String(v?.seconds ?? 0)) * 1000 + Math.floor((v?.nanos ?? 0) / 1e6);

const CLOSED = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

/** The New York date `days` after a New York date. */
export const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The first Monday (New York date) at least two days after an instant. */
export function nextMonday(afterMs: number): string {
  let d = addDays(newYorkDate(afterMs), 2);
  while (new Date(`${d}T00:00:00Z`).getUTCDay() !== 1) d = addDays(d, 1);
  return d;
}
