/**
 * A State's register of recommendations against the real Temporal dev server: fed through the real
 * `feedRegister` activity (signal-with-start), it applies each change once, continues as new after
 * many changes and keeps everything.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type ActivityDeps } from '../../activities';
import { registerWorkflowIdOf, TASK_QUEUE, type ActRequest, type RegisterInput } from '../../src/contract';
import type { RecommendationInput, RegisterChange, RegisterState } from '../../src/domain/recommendations/model';
import { Directory } from '../../src/infra/directory';
import { outboxMailer } from '../../src/infra/mail';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { listRegisterStates, readAllRegisters, readRegister } from '../../src/infra/temporal/register';
import { actOnVisit, startVisit, visitHandle } from '../../src/infra/temporal/visits';
import { createVisitWorker } from '../../src/worker';
import { devServerEnv, eventually, uniqueQueue, visitRequest, workflowBundle } from '../helpers';

const CTED = 'officer@cted.example.org';
const STATE = 'focal.point@mission.example.org';

let env: TestWorkflowEnvironment;
let dir: string;
let store: SqliteStore;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await devServerEnv();
  dir = mkdtempSync(join(tmpdir(), 'followup-register-'));
  store = new SqliteStore(join(dir, 'followup.sqlite'));
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
  await store?.close();
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

/** One visit's changes: its adoption of 75 recommendations, then 1,249 progress reports and assessments. */
function changesOf(visit: string): RegisterChange[] {
  const changes = [
    adoption(
      visit,
      Array.from({ length: 75 }, (_, i) => i + 1),
    ),
  ];
  for (let seq = 2; seq <= 1250; seq++) {
    const recommendation = `${visit}/R${(seq % 75) + 1}`;
    const at = new Date().toISOString();
    changes.push(
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
          },
    );
  }
  return changes;
}

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
    // reports and assessments in order: 5,000 changes. The visits send side by side, each in order,
    // in bursts of 160 that straddle each continue-as-new (every 400): the register is given the
    // time to apply a burst before the next, as visits at human pace do. (A flood of thousands of
    // signals into one workflow task exceeds the SDK's 5 s activation limit on a loaded machine.)
    const visits = ['166-POL', '167-POL', '168-POL', '169-POL'];
    const lanes = visits.map((visit) => changesOf(visit));
    let sent = 0;
    for (let from = 0; from < 1250; from += 40) {
      await Promise.all(
        lanes.map(async (changes) => {
          for (const change of changes.slice(from, from + 40)) await feedRegister({ state: 'POL', change });
        }),
      );
      sent = Math.min(1250, from + 40) * lanes.length;
      await registerAfter('POL', sent, 60_000);
    }
    expect(sent).toBe(5000);

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

const act320 = (action: ActRequest['action'], payload: Record<string, unknown>, email: string) =>
  actOnVisit(env.client, '320-URY', { action, payload, actor: { email }, door: 'cli' });

/** A visit worker in its own process (crash-worker.ts), killed inside its first feedRegister. */
function crashingWorker(env: TestWorkflowEnvironment, taskQueue: string, bundleFile: string, crashDir: string) {
  // Node itself (tsx as a loader), so the process killed is the worker, not a wrapper around it.
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'crash-worker.ts')], {
    env: {
      ...process.env,
      CRASH_ADDRESS: env.address,
      CRASH_QUEUE: taskQueue,
      CRASH_BUNDLE: bundleFile,
      CRASH_DIR: crashDir,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((done) =>
    child.on('exit', (code, signal) => done(signal ?? code)),
  );
  return { child, exited, output: () => out };
}

describe('a worker killed between adoption and registration', () => {
  it('leaves the register holding each recommendation once', async () => {
    const taskQueue = uniqueQueue();
    const crashDir = join(dir, 'crash');
    mkdirSync(crashDir, { recursive: true });
    const bundleFile = join(crashDir, 'workflows.js');
    writeFileSync(bundleFile, (await workflowBundle()).code);
    const crashing = crashingWorker(env, taskQueue, bundleFile, crashDir);
    try {
      await eventually(() => (crashing.output().includes('ready') ? true : undefined), 'the worker to start', 60_000);

      const today = new Date().toISOString().slice(0, 10);
      await startVisit(
        env.client,
        visitRequest({ number: 320, state: 'URY', start: today, end: today }),
        resolvePolicy(),
        {
          taskQueue,
        },
      );
      const recommendations = [
        { number: 1, text: 'Criminalize the financing of travel.', theme: 'counter-financing', priority: true },
        { number: 2, text: 'Train border officers.', theme: 'border-management', priority: false, taNeed: 'Training' },
        {
          number: 3,
          text: 'Join the mutual legal assistance network.',
          theme: 'international-cooperation',
          priority: false,
        },
      ];
      await act320('submit-draft', {}, CTED);
      await act320('dispatch-draft', {}, CTED);
      await act320('record-comments', { summary: 'Minor corrections' }, STATE);
      await act320('record-recommendations', { recommendations }, CTED);
      await act320('submit-final-draft', {}, CTED);
      await act320('object', { reason: 'Needs discussion' }, 'member@committee.example.org');
      await act320('record-adoption', { meetingDate: today }, 'chair@committee.example.org');

      // The worker signals the register with the adoption, then dies before reporting it done.
      expect(await crashing.exited).toBe('SIGKILL');
      expect(crashing.output()).toContain('fed 320-URY#1');
    } finally {
      if (crashing.child.exitCode === null && crashing.child.signalCode === null) crashing.child.kill('SIGKILL');
    }

    const store2 = new SqliteStore(join(crashDir, 'followup.sqlite'));
    const fresh = await createVisitWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      deps: { ...deps, store: store2, temporal: env.client },
    });
    await fresh.runUntil(async () => {
      await act320('transmit-report', {}, CTED);
      await act320('report-progress', { items: [{ recommendation: '320-URY/R1', status: 'in-progress' }] }, STATE);
      // The progress goes to the register after the adoption: once it is there, the adoption's retry is done
      // (after the killed attempt's start-to-close timeout, a minute).
      const reg = await registerAfter('URY', 2, 150_000);
      expect(reg.changes).toBe(2);
      expect(reg.lastSeq).toEqual({ '320-URY': 2 });
      expect(reg.records.map((r) => [r.id, r.history.map((h) => h.type)])).toEqual([
        ['320-URY/R1', ['recommendations-adopted', 'progress-reported']],
        ['320-URY/R2', ['recommendations-adopted']],
        ['320-URY/R3', ['recommendations-adopted']],
      ]);
      expect(reg.records.find((r) => r.id === '320-URY/R2')?.ta?.status).toBe('identified');

      // The adoption was fed twice (the killed attempt and its retry); the register applied it once.
      const history = await visitHandle(env.client, '320-URY').fetchHistory();
      const feeds = (history.events ?? []).filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'feedRegister',
      );
      const started = (history.events ?? []).filter(
        (e) =>
          e.activityTaskStartedEventAttributes &&
          feeds.some((f) => String(f.eventId) === String(e.activityTaskStartedEventAttributes?.scheduledEventId)),
      );
      expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([2, 1]);

      await act320('withdraw', { reason: 'test finished' }, 'secretariat@un.example.org');
    });
    await store2.close();
  }, 300_000);
});
