/**
 * A State's register of recommendations against the real Temporal dev server: fed through the real
 * `feedRegister` activity (signal-with-start), it applies each change once, continues as new after
 * many changes and keeps everything.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type ActivityDeps } from '../../activities';
import { registerWorkflowIdOf, TASK_QUEUE, type RegisterInput } from '../../src/contract';
import type { RecommendationInput, RegisterChange, RegisterState } from '../../src/domain/recommendations/model';
import { Directory } from '../../src/infra/directory';
import { outboxMailer } from '../../src/infra/mail';
import { Store } from '../../src/infra/store/store';
import { listRegisterStates, readAllRegisters, readRegister } from '../../src/infra/temporal/register';
import { createVisitWorker } from '../../src/worker';
import { devServerEnv, eventually, workflowBundle } from '../helpers';

const CTED = 'officer@cted.example.org';
const STATE = 'focal.point@mission.example.org';

let env: TestWorkflowEnvironment;
let dir: string;
let store: Store;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await devServerEnv();
  dir = mkdtempSync(join(tmpdir(), 'followup-register-'));
  store = new Store(join(dir, 'followup.sqlite'));
  deps = {
    store,
    mailer: outboxMailer(join(dir, 'outbox')),
    directory: Directory.parse({}),
    from: 'followup@un.example.org',
    temporal: env.client,
  };
  worker = await createVisitWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    deps,
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  store?.close();
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

const rec = (number: number): RecommendationInput => ({
  number,
  text: `The State should review its legislation on the financing of terrorism (${number}).`,
  theme: 'counter-financing',
  priority: number % 5 === 0,
});

const adoption = (visit: string, numbers: number[]): RegisterChange => ({
  type: 'recommendations-adopted',
  key: `${visit}#1`,
  visit,
  recommendations: numbers.map(rec),
  at: new Date().toISOString(),
  by: CTED,
});

/** The register once it has applied `changes` changes in all. */
const registerAfter = (state: string, changes: number, timeoutMs = 30_000): Promise<RegisterState> =>
  eventually(
    async () => {
      const reg = await readRegister(env.client, state);
      return reg && reg.changes >= changes ? reg : undefined;
    },
    `the ${state} register to apply ${changes} changes`,
    timeoutMs,
  );

const historyCount = (reg: RegisterState) => reg.records.reduce((n, r) => n + r.history.length, 0);

describe('a register with 5,000 changes', () => {
  it('continues as new and keeps every record and every history entry', async () => {
    const { feedRegister } = createActivities(deps);
    // Started ahead of its visits, to lower the changes per run; signal-with-start then only signals.
    const input: RegisterInput = { state: 'POL', continueAfter: 400 };
    const first = await env.client.workflow.start('stateRegister', {
      workflowId: registerWorkflowIdOf('POL'),
      taskQueue: TASK_QUEUE,
      args: [input],
    });
    const firstRunId = first.firstExecutionRunId;

    // Four visits adopt 75 recommendations each (300 in all), then each sends 1,249 progress
    // reports and assessments in order: 5,000 changes. The visits send side by side, each in order.
    const lanes = [166, 167, 168, 169].map(async (n, lane) => {
      const visit = `${n}-POL`;
      const numbers = Array.from({ length: 75 }, (_, i) => i + 1);
      await feedRegister({ state: 'POL', change: adoption(visit, numbers) });
      for (let seq = 2; seq <= 1250; seq++) {
        const recommendation = `${visit}/R${(seq % 75) + 1}`;
        const at = new Date().toISOString();
        const change: RegisterChange =
          seq % 2
            ? {
                type: 'progress-reported',
                key: `${visit}#${seq}`,
                items: [{ recommendation, status: 'in-progress' }],
                at,
                by: STATE,
              }
            : {
                type: 'assessed',
                key: `${visit}#${seq}`,
                items: [{ recommendation, status: 'partially-implemented' }],
                at,
                by: CTED,
              };
        await feedRegister({ state: 'POL', change });
      }
      return lane;
    });
    await Promise.all(lanes);

    const reg = await registerAfter('POL', 5000, 60_000);
    expect(reg.changes).toBe(5000);
    expect(reg.records).toHaveLength(300);
    expect(new Set(reg.records.map((r) => r.id)).size).toBe(300);
    expect(historyCount(reg)).toBe(300 + 4 * 1249);
    expect(reg.lastSeq).toEqual({ '166-POL': 1250, '167-POL': 1250, '168-POL': 1250, '169-POL': 1250 });
    expect(reg.records.every((r) => r.reportedStatus?.status === 'in-progress')).toBe(true);
    expect(reg.records.every((r) => r.assessedStatus.status === 'partially-implemented')).toBe(true);

    // More than one run: the first ended by continuing as new, and the register runs on.
    const firstRun = env.client.workflow.getHandle(registerWorkflowIdOf('POL'), firstRunId);
    expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
    const lastEvent = (await firstRun.fetchHistory()).events?.at(-1);
    expect(lastEvent?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    const current = await env.client.workflow.getHandle(registerWorkflowIdOf('POL')).describe();
    expect(current.runId).not.toBe(firstRunId);
    expect(current.status.name).toBe('RUNNING');
  }, 300_000);
});

describe('feedRegister', () => {
  it('applies a change sent twice once', async () => {
    const { feedRegister } = createActivities(deps);
    const adopted = adoption('180-FRA', [1, 2, 3]);
    await feedRegister({ state: 'FRA', change: adopted });
    await feedRegister({ state: 'FRA', change: adopted });
    const progress: RegisterChange = {
      type: 'progress-reported',
      key: '180-FRA#2',
      items: [{ recommendation: '180-FRA/R2', status: 'implemented', text: 'Done.' }],
      at: new Date().toISOString(),
      by: STATE,
    };
    await Promise.all([
      feedRegister({ state: 'FRA', change: progress }),
      feedRegister({ state: 'FRA', change: progress }),
    ]);
    // A marker after the duplicates: once it is applied, every signal before it was handled.
    await feedRegister({ state: 'FRA', change: { ...progress, key: '180-FRA#3', items: [] } });

    const reg = await registerAfter('FRA', 3);
    expect(reg.changes).toBe(3);
    expect(reg.records.map((r) => [r.id, r.history.map((h) => h.type)])).toEqual([
      ['180-FRA/R1', ['recommendations-adopted']],
      ['180-FRA/R2', ['recommendations-adopted', 'progress-reported']],
      ['180-FRA/R3', ['recommendations-adopted']],
    ]);
    expect(reg.lastSeq).toEqual({ '180-FRA': 3 });
  });

  it('refuses, without retry, to run on a worker built without a Temporal client', async () => {
    const { temporal: _, ...noClient } = deps;
    const { feedRegister } = createActivities(noClient);
    await expect(feedRegister({ state: 'FRA', change: adoption('181-FRA', [1]) })).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringMatching(/without a Temporal client/),
    });
  });

  it('refuses a change that is not one', async () => {
    const { feedRegister } = createActivities(deps);
    const bad = { ...adoption('181-FRA', [1]), key: 42 } as unknown as RegisterChange;
    await expect(feedRegister({ state: 'FRA', change: bad })).rejects.toMatchObject({ nonRetryable: true });
    await expect(feedRegister({ state: 'fr', change: adoption('181-FRA', [1]) })).rejects.toMatchObject({
      nonRetryable: true,
    });
  });
});

describe('reading registers', () => {
  it('lists the States with a register and reads each; none for a State never fed', async () => {
    const { feedRegister } = createActivities(deps);
    await feedRegister({ state: 'KAZ', change: adoption('190-KAZ', [1]) });
    await registerAfter('KAZ', 1);
    expect(await readRegister(env.client, 'NOR')).toBeNull();
    const states = await eventually(async () => {
      const s = await listRegisterStates(env.client);
      return s.includes('KAZ') ? s : undefined;
    }, 'the KAZ register to be listed');
    expect(states).toEqual([...states].sort());
    const all = await readAllRegisters(env.client);
    expect(all.map((r) => r.state)).toEqual(states);
    expect(all.find((r) => r.state === 'KAZ')?.records.map((r) => r.id)).toEqual(['190-KAZ/R1']);
  });
});
