/**
 * (a) The engine against a bare Temporal workflow: N visits driven through the whole lifecycle
 * (the 15 actions of test/integration/api-lifecycle.test.ts, each by its role), `concurrency` at a
 * time, through the Temporal client, the same way for both: `executeUpdate(actUpdate)` on each
 * visit's workflow. The bare workflow takes the same updates, each recorded by one activity.
 */
import { bundleWorkflowCode, DefaultLogger, type Worker } from '@temporalio/worker';
import { Worker as TemporalWorker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actUpdate, workflowIdOf, type ActRequest } from '../../src/contract';
import type { VisitStatus } from '../../src/domain/visit';
import { Directory } from '../../src/infra/directory';
import { outboxMailer } from '../../src/infra/mail';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { startVisit } from '../../src/infra/temporal/visits';
import { createVisitWorker } from '../../src/worker';
import { devServerEnv, visitRequest, workflowBundle } from '../../test/helpers';
import type { BareActivities } from './bare-workflow';
import { count, log, ms, percentile, pool, s, STATES, timed, type BenchOptions, type Section } from './util';

/** Visits of each kind driven first, not counted: the dev server's and the workers' first tasks. */
const WARM_UP = 10;
const OFFICER = 'officer@cted.example.org';
const STATE = 'focal.point@mission.example.org';
const MEMBER = 'member@committee.example.org';
const CHAIR = 'chair@committee.example.org';

/** The whole lifecycle, as the API test drives it: action, payload, actor and role. */
export const LIFECYCLE: [string, Record<string, unknown>, string, string][] = [
  ['record-pao', { documentRef: 'PAO/1' }, OFFICER, 'cted'],
  ['refer-ta', { partners: ['UNODC'], needs: 'Border management', agreedOn: '2026-11-02' }, OFFICER, 'cted'],
  ['submit-draft', { documentRef: 'DRAFT/1' }, OFFICER, 'cted'],
  ['dispatch-draft', {}, OFFICER, 'cted'],
  ['record-comments', { summary: 'Two factual corrections' }, STATE, 'state'],
  ['submit-final-draft', {}, OFFICER, 'cted'],
  ['place-hold', { reason: 'Capital review' }, MEMBER, 'committee'],
  ['lift-hold', {}, MEMBER, 'committee'],
  ['object', { reason: 'Paragraph 12' }, MEMBER, 'committee'],
  ['record-adoption', { meetingDate: '2026-12-01' }, CHAIR, 'chair'],
  ['transmit-report', {}, CHAIR, 'chair'],
  ['confirm-receipt', {}, STATE, 'state'],
  ['record-consent', { scope: 'partial', sections: ['Border security'] }, STATE, 'state'],
  ['submit-implementation-report', { summary: 'Steps taken' }, STATE, 'state'],
  ['submit-follow-up-report', { documentRef: 'FU/1' }, OFFICER, 'cted'],
];

const actRequest = ([action, payload, email, role]: (typeof LIFECYCLE)[number]): ActRequest => ({
  action: action as ActRequest['action'],
  payload,
  actor: { email, role },
  door: 'api',
});

interface RunResult {
  wallMs: number;
  /** CPU time of this process (the worker, its activities and the client driving it). */
  cpuMs: number;
  /** The event loop of this process, held up by synchronous work: p99 and max delay. */
  loopP99: number;
  loopMax: number;
  startMs: number[];
  updateMs: number[];
  /** Updates per second over the run. */
  rate: number;
}

/** What one workflow's history holds: events, workflow tasks, activities, search attribute upserts, bytes. */
async function historyShape(env: TestWorkflowEnvironment, workflowId: string) {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const of = (name: string) => events.filter((e) => e[name as keyof typeof e]).length;
  return {
    events: events.length,
    workflowTasks: of('workflowTaskCompletedEventAttributes'),
    activities: of('activityTaskScheduledEventAttributes'),
    upserts: of('upsertWorkflowSearchAttributesEventAttributes'),
    timers: of('timerStartedEventAttributes'),
    bytes: JSON.stringify(history).length,
  };
}

/** Drives `n` visits, `width` at a time: start, then the lifecycle's updates in order, each timed. */
async function drive(
  env: TestWorkflowEnvironment,
  n: number,
  width: number,
  start: (i: number) => Promise<string>,
  last?: (result: unknown) => void,
): Promise<RunResult> {
  const startMs: number[] = [];
  const updateMs: number[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  await pool(
    Array.from({ length: n }, (_, i) => i),
    width,
    async (i) => {
      let t = performance.now();
      const workflowId = await start(i);
      startMs.push(performance.now() - t);
      const handle = env.client.workflow.getHandle(workflowId);
      let result: unknown;
      for (const step of LIFECYCLE) {
        t = performance.now();
        result = await handle.executeUpdate(actUpdate, { args: [actRequest(step)] });
        updateMs.push(performance.now() - t);
      }
      last?.(result);
    },
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
    startMs,
    updateMs,
    rate: (updateMs.length / wallMs) * 1000,
  };
}

async function bareWorker(env: TestWorkflowEnvironment, taskQueue: string, recorded: unknown[]): Promise<Worker> {
  const activities: BareActivities = {
    async record(entry) {
      recorded.push(entry);
      return recorded.length;
    },
  };
  return TemporalWorker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: require.resolve('./bare-workflow'),
      logger: new DefaultLogger('WARN'),
    }),
  });
}

export async function lifecycleSection(o: BenchOptions): Promise<Section> {
  const n = o.lifecycle;
  const env = await devServerEnv();
  const dir = mkdtempSync(join(tmpdir(), 'followup-bench-a-'));
  const store = new SqliteStore(join(dir, 'followup.sqlite'));
  const policy = resolvePolicy();
  const today = new Date().toISOString().slice(0, 10);
  try {
    // Bare first, then the engine, each on its own queue with its own worker, on one dev server.
    const recorded: unknown[] = [];
    const bare = await bareWorker(env, 'bench-bare', recorded);
    log(`(a) bare workflow: ${count(n)} visits × ${LIFECYCLE.length} updates, ${o.concurrency} at a time`);
    const startBare = (prefix: string) => async (i: number) => {
      const workflowId = `${prefix}-${i + 1}`;
      await env.client.workflow.start('bareVisit', {
        taskQueue: 'bench-bare',
        workflowId,
        args: [{ id: workflowId, steps: LIFECYCLE.length }],
      });
      return workflowId;
    };
    // A warm-up round of each (not counted): the dev server and the workers' first tasks.
    const bareRun = await bare.runUntil(async () => {
      await drive(env, WARM_UP, o.concurrency, startBare('warm-bare'));
      return drive(env, n, o.concurrency, startBare('bare'));
    });
    log(`(a) bare: ${s(bareRun.wallMs)}, update p50 ${ms(percentile(bareRun.updateMs, 50))}`);

    // Time the engine's activities spend in the store and the mailer (warm-up included).
    const storeTime = { ms: 0, calls: 0 };
    const mailTime = { ms: 0, calls: 0 };
    const engine = await createVisitWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue: 'bench-engine',
      workflowBundle: await workflowBundle(),
      deps: {
        store: timed(store, storeTime),
        mailer: timed(outboxMailer(join(dir, 'outbox')), mailTime),
        directory: Directory.parse({
          secretariat: ['secretariat@un.example.org'],
          committee: [MEMBER],
          chair: [CHAIR],
        }),
        from: 'bench@localhost',
        temporal: env.client,
      },
    });
    log(`(a) engine: ${count(n)} visits × ${LIFECYCLE.length} updates, ${o.concurrency} at a time`);
    const startEngine = (base: number) => async (i: number) => {
      const request = visitRequest({ number: base + i, state: STATES[i % STATES.length]!, start: today, end: today });
      const { id } = await startVisit(env.client, request, policy, { taskQueue: 'bench-engine' });
      return workflowIdOf(id);
    };
    let closed = 0;
    const engineRun = await engine.runUntil(async () => {
      await drive(env, WARM_UP, o.concurrency, startEngine(90_001));
      return drive(env, n, o.concurrency, startEngine(1), (r) => {
        if ((r as VisitStatus).stage === 'closed') closed++;
      });
    });
    if (closed !== n) throw new Error(`only ${closed} of ${n} engine visits reached closed`);
    log(`(a) engine: ${s(engineRun.wallMs)}, update p50 ${ms(percentile(engineRun.updateMs, 50))}`);

    const ratio = engineRun.wallMs / bareRun.wallMs;
    const [bareShape, engineShape] = await Promise.all([
      historyShape(env, 'bare-1'),
      historyShape(env, workflowIdOf(`1-${STATES[0]}`)),
    ]);
    const shapeRow = (name: string, h: typeof bareShape) =>
      `| ${name} | ${h.events} | ${h.workflowTasks} | ${h.activities} | ${h.upserts} | ${h.timers} | ${count(h.bytes)} |`;
    const cpuPerUpdate = (r: RunResult) => ms(r.cpuMs / r.updateMs.length);
    const row = (name: string, r: RunResult) =>
      `| ${name} | ${s(r.wallMs)} | ${r.rate.toFixed(0)} | ${ms(percentile(r.startMs, 50))} | ${ms(percentile(r.updateMs, 50))} | ${ms(percentile(r.updateMs, 95))} | ${ms(percentile(r.updateMs, 99))} | ${cpuPerUpdate(r)} | ${ms(r.loopP99)} / ${ms(r.loopMax)} |`;
    const p95Ratio = percentile(engineRun.updateMs, 95) / percentile(bareRun.updateMs, 95);
    return {
      title: 'a. The engine against a bare Temporal workflow',
      body: [
        `${count(n)} visits (after ${WARM_UP} of each, not counted, to warm up), each started and then driven through the whole lifecycle: the ${LIFECYCLE.length} actions of ` +
          "`test/integration/api-lifecycle.test.ts` (PAO, TA referral, draft, dispatch, the State's comments, final draft, " +
          "a hold placed and lifted, an objection, adoption, transmission, receipt, consent, the State's report, the " +
          `follow-up report), ${o.concurrency} visits at a time, each action an \`executeUpdate(actUpdate)\` through the ` +
          'Temporal client, on one dev server. The bare workflow (`scripts/bench/bare-workflow.ts`, bundled on its own) ' +
          "has the engine's shape and nothing else: it takes the same updates with the same arguments, answers each " +
          'at once, and its main loop then records each through one activity (kept in memory), as the engine answers ' +
          'with the new status and its main loop then records the events and sends the notices; it has no state ' +
          'machine, validation, clocks, reminders, search attributes or notices. The engine runs with its real ' +
          'activities: SQLite store, outbox mailer (one `.eml` file per message), the State register fed on adoption.',
        '',
        '| workflow | wall time | updates/s | start p50 | update p50 | update p95 | update p99 | CPU per update | event loop delay p99 / max |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        row('bare', bareRun),
        row('engine', engineRun),
        '',
        `Engine / bare: **${ratio.toFixed(2)}×** wall time, ${p95Ratio.toFixed(2)}× update p95 ` +
          `(${count(engineRun.updateMs.length)} updates each; all ${count(n)} engine visits ended \`closed\`). ` +
          'CPU per update: the CPU time of the benchmark process (worker, activities and the client driving them; ' +
          'the dev server is apart) over the run, divided by the updates. Event loop delay: how long timers in ' +
          'the benchmark process waited, that is how long synchronous work (the SQLite store, rendering) held it. ' +
          `The engine's activities spent ${s(storeTime.ms)} in ${count(storeTime.calls)} store calls and ` +
          `${s(mailTime.ms)} in ${count(mailTime.calls)} mailer calls (warm-up included).`,
        '',
        'One visit of each, from its history:',
        '',
        '| workflow | history events | workflow tasks | activities | search attribute upserts | timers | history JSON bytes |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
        shapeRow('bare', bareShape),
        shapeRow('engine', engineShape),
      ],
      targets: [
        {
          what: `Engine wall time against the bare workflow, ${count(n)} visits`,
          target: '≤ 1.3×',
          measured: `${ratio.toFixed(2)}× (${s(engineRun.wallMs)} against ${s(bareRun.wallMs)})`,
          met: ratio <= 1.3,
          note:
            ratio <= 1.3
              ? undefined
              : `an engine visit's lifecycle took ${engineShape.activities} activities against the bare workflow's ` +
                `${bareShape.activities} (events recorded with the visit's snapshot, the register fed, and notices: ` +
                `${(mailTime.calls / (n + WARM_UP)).toFixed(0)} messages a visit, each rendered in its language and ` +
                `written through nodemailer, ${ms(mailTime.ms / Math.max(1, mailTime.calls))} each), ` +
                `${engineShape.upserts} search attribute upserts and ${engineShape.workflowTasks} workflow tasks against ` +
                `${bareShape.workflowTasks}; its history is ${(engineShape.bytes / bareShape.bytes).toFixed(1)}× the ` +
                `bytes (the policy in its input, the status each update answers), and each update cost this process ` +
                `${cpuPerUpdate(engineRun)} of CPU against ${cpuPerUpdate(bareRun)} (zod parsing, the state machine, ` +
                'the status, the messages). On two cores the worker, its activities and the dev server share the ' +
                'CPU, so that work is the wall time. What would meet it: the same work on more cores (a worker ' +
                'process apart from the dev server, `npm start -- --only worker`), answering an update with a ' +
                "smaller result than the whole status, and rendering and sending a step's messages in one activity " +
                'instead of one activity and one transport call per notice.',
        },
      ],
    };
  } finally {
    await store.close();
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}
