/** Shared test fixtures: real Temporal servers from the pinned binaries, and a visit to start. */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { registerSearchAttributes } from '../src/infra/temporal/search-attributes';
import { SEARCH_ATTRIBUTES, type VisitStartRequest } from '../src/contract';
import { temporalCliPath, temporalTestServerPath } from '../src/infra/temporal/binaries';
import { workflowsPath } from '../src/worker';
import type { Notice, VisitEvent } from '../src/domain/visit';
import type { RegisterChange } from '../src/domain/recommendations/model';
import type { EventBatch } from '../src/infra/store/store';
import type { VisitActivities } from '../activities';

let runtimeInstalled = false;
/** Keeps worker logs to warnings so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export async function devServerEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs,
    },
  });
}

let bundle: Promise<WorkflowBundle> | undefined;
/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') });
  return bundle;
}

export function uniqueQueue(): string {
  return `test-${randomUUID()}`;
}

/** A visit request with test contacts; override what a test cares about. */
export function visitRequest(overrides: Partial<VisitStartRequest> = {}): VisitStartRequest {
  return {
    number: 166,
    state: 'POL',
    stateName: 'Poland',
    type: 'comprehensive',
    start: '2026-11-16',
    end: '2026-11-20',
    caseOfficer: 'officer@cted.example.org',
    stateContact: 'focal.point@mission.example.org',
    permanentMission: 'mission@mission.example.org',
    language: 'en',
    ...overrides,
  };
}

/**
 * Activities for workflow unit tests: they record what the workflow asked for, with the workflow
 * time it asked at. The real activities are tested against SMTP and SQLite in test/integration.
 */
export function recordingActivities() {
  const notices: Notice[] = [];
  const events: VisitEvent[] = [];
  /** What the visit sent its State's register, in order. */
  const registered: { state: string; change: RegisterChange }[] = [];
  const activities: VisitActivities = {
    async recordEvents(batch: EventBatch) {
      events.push(...batch.events);
      return batch.events.length;
    },
    async notify(notice: Notice) {
      notices.push(notice);
      return { sent: [], alreadySent: [], unresolved: [] };
    },
    async sendDigest() {
      throw new Error('visit workflow tests do not send digests');
    },
    async feedRegister(req: { state: string; change: RegisterChange }) {
      registered.push(req);
    },
  };
  return { activities, notices, events, registered };
}

/** Polls `check` until it returns a value, within a bound; never a fixed sleep. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 250);
  }
}
