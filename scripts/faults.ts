/**
 * `npm run faults` (`-- --short` for CI): the engine under the faults of issue 11, item 6, counted
 * against a real SMTP server. On a Temporal dev server of its own (a persistent SQLite file, as
 * `npm start` runs it), with two worker processes (scripts/faults-worker.ts) sharing one store (a
 * throwaway PostgreSQL cluster; the SQLite file with `--sqlite`)
 * and a real SMTP server in this process, it starts visits whose reminders and deadlines fall due
 * during the run, then in turn: `kill -9` one worker (and starts it again), kills and restarts the
 * dev server on the same port and file, stops the SMTP server for two minutes (20 s short), and
 * restarts PostgreSQL. It then compares every message the SMTP
 * server accepted with what each visit's status says it sent or skipped and with the store's
 * messages table: lost (due, neither received nor recorded as skipped with a reason), doubled (one
 * Message-ID accepted twice), and the accept-then-record window; runs the drift check and the
 * audit verification. Exits 1 when anything is lost, doubled outside that window, drifted or broken.
 * Every wait is a bounded poll.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { SEARCH_ATTRIBUTES, workflowIdOf, type ActRequest } from '../src/contract';
import { messageIdFor } from '../src/infra/mail';
import { resolvePolicy } from '../src/infra/policy/loader';
import { openStore, type Store } from '../src/infra/store';
import { startPg, type PgCluster } from '../test/pg';
import { temporalCliPath } from '../src/infra/temporal/binaries';
import { actOnVisit, listVisits, startVisit, visitStatus } from '../src/infra/temporal/visits';
import { AuditService, type AuditVerdict } from '../src/services/audit';
import { findDrift, type Drift } from '../src/services/drift';
import type { VisitStatus } from '../src/domain/visit';
import { workflowsPath } from '../src/worker';

const SHORT = process.argv.includes('--short');
const KEEP = process.argv.includes('--keep');

/** The run's shape: how many visits, the clocks (seconds), when each fault strikes (seconds after the visits are in state review). */
const PLAN = SHORT
  ? {
      visits: 20,
      review: 60,
      reviewBefore: [50, 40, 30, 20, 10],
      finalizing: 40,
      finalizingBefore: [20],
      overdueEvery: 10,
      overdueTimes: 2,
      killWorkerAt: 8,
      workerDownFor: 6,
      restartServerAt: 22,
      smtpDownAt: 45,
      smtpDownFor: 20,
      postgresAt: 75,
      settleWithin: 150,
    }
  : {
      visits: 200,
      review: 240,
      reviewBefore: [220, 200, 180, 160, 140, 120, 100, 80, 60, 40, 20],
      finalizing: 180,
      finalizingBefore: [120, 60],
      overdueEvery: 30,
      overdueTimes: 3,
      killWorkerAt: 30,
      workerDownFor: 30,
      restartServerAt: 90,
      smtpDownAt: 150,
      smtpDownFor: 120,
      postgresAt: 300,
      settleWithin: 420,
    };

const CASE_OFFICER = 'officer@cted.example.org';
const STATE_CONTACT = 'focal.point@mission.example.org';
const started = Date.now();
const say = (line: string) => console.log(`[faults +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value, within `ms`; throws naming `what` when it never does. */
async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`gave up after ${ms / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(delay);
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

// ---------------------------------------------------------------- the SMTP server, stopped and started on one port

interface Accepted {
  at: number;
  messageId: string;
  visitId: string;
  topic: string;
  to: string[];
}

function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(head);
  return (m?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ').trim();
}

class Smtp {
  readonly accepted: Accepted[] = [];
  private server: SMTPServer | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.accepted.push({
            at: Date.now(),
            messageId: header(raw, 'Message-ID'),
            visitId: header(raw, 'X-Visit-Id'),
            topic: header(raw, 'X-Follow-Up-Topic'),
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        });
      },
    });
    await until(
      () =>
        new Promise<true | undefined>((resolve) => {
          server.once('error', () => resolve(undefined));
          server.listen(this.port, '127.0.0.1', () => resolve(true));
        }),
      `the SMTP server to listen on ${this.port}`,
      30_000,
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

// ---------------------------------------------------------------- the Temporal dev server, as npm start runs it

const SA_TYPE: Record<string, string> = { DATETIME: 'Datetime', BOOL: 'Bool', KEYWORD: 'Keyword' };

class DevServer {
  private child: ChildProcess | undefined;
  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly log: WriteStream,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      temporalCliPath(),
      [
        ...['server', 'start-dev', '--db-filename', join(this.dataDir, 'temporal.sqlite'), '--ip', '127.0.0.1'],
        ...['--port', String(this.port), '--headless', '--namespace', 'default', '--log-level', 'error'],
        ...SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${SA_TYPE[k.type] ?? 'Keyword'}`]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    await until(
      async () => {
        const c = await Connection.connect({ address: this.address, connectTimeout: 1_000 });
        try {
          await c.workflowService.getSystemInfo({});
          return true;
        } finally {
          await c.close();
        }
      },
      'the dev server to answer',
      60_000,
    );
  }

  /** A crash: SIGKILL, then wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------- the two workers, each its own process

class WorkerProcess {
  child: ChildProcess | undefined;
  kills: number[] = [];
  restarts = 0;
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly log: WriteStream,
  ) {}

  async start(): Promise<void> {
    // Node itself with tsx as a loader, so the pid killed is the worker's, not a wrapper's.
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'faults-worker.ts')], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.log.write(`[${this.name}] ${b.toString()}`));
    child.on('exit', (code, signal) => {
      if (this.stopping || signal === 'SIGKILL' || this.child !== child) return;
      // It gave up (the server gone too long, say): start it again, as a supervisor would.
      say(`worker ${this.name} exited (${signal ?? code}); starting it again`);
      this.restarts++;
      void this.start();
    });
    await until(() => (out.includes('ready') ? true : undefined), `worker ${this.name} to start`, 120_000);
  }

  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    this.kills.push(Date.now());
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- PostgreSQL

/** The store: a throwaway PostgreSQL cluster (test/pg.ts), or the SQLite file with `--sqlite`. */
const ON_SQLITE = process.argv.includes('--sqlite');

// ---------------------------------------------------------------- the run

const secs = (n: number) => `${n} seconds`;
const iso = (ms: number) => new Date(ms).toISOString();

function policy() {
  return resolvePolicy({
    clocks: { 'state-review': secs(PLAN.review), finalizing: secs(PLAN.finalizing) },
    reminders: {
      'state-review': { to: ['state-contact'], before: PLAN.reviewBefore.map(secs) },
      finalizing: {
        to: ['case-officer'],
        before: PLAN.finalizingBefore.map(secs),
        onDeadline: true,
        overdueEvery: secs(PLAN.overdueEvery),
        overdueTimes: PLAN.overdueTimes,
      },
      pao: null,
      'ta-referral': null,
      drafting: null,
    },
  });
}

/** The reminders a visit dispatched at `dispatchedAt` must have handled by `untilMs`: key, moment, address. */
function expectedReminders(dispatchedAt: number, untilMs: number) {
  const review = dispatchedAt + PLAN.review * 1000;
  const fin = review + PLAN.finalizing * 1000;
  const out: { key: string; at: number; to: string }[] = [];
  for (const b of PLAN.reviewBefore)
    out.push({ key: `state-review:${iso(review)}:before:${secs(b)}`, at: review - b * 1000, to: STATE_CONTACT });
  for (const b of PLAN.finalizingBefore)
    out.push({ key: `finalizing:${iso(fin)}:before:${secs(b)}`, at: fin - b * 1000, to: CASE_OFFICER });
  out.push({ key: `finalizing:${iso(fin)}:due`, at: fin, to: CASE_OFFICER });
  for (let n = 1; n <= PLAN.overdueTimes; n++)
    out.push({ key: `finalizing:${iso(fin)}:overdue:${n}`, at: fin + n * PLAN.overdueEvery * 1000, to: CASE_OFFICER });
  return { review, fin, reminders: out.filter((r) => r.at <= untilMs) };
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

// ---------------------------------------------------------------- setting up

/** What the cleanup stops and removes: made before the `try` (directory, ports, store), then filled in as each process starts. */
interface Rig {
  dir: string;
  log: WriteStream;
  server: DevServer;
  smtp: Smtp;
  pg: PgCluster | undefined;
  storeFile: string;
  bundleFile: string;
  workers: WorkerProcess[];
  client: Client | undefined;
}

/** The run once everything is up: the rig with its client, the store, the task queue and what the faults did. */
interface Run extends Rig {
  client: Client;
  store: Store;
  audit: AuditService;
  taskQueue: string;
  phases: string[];
  pgRestarts: number[];
}

/** The directory, the ports, the processes' objects and the store (PostgreSQL started, or the SQLite file named). */
async function prepare(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'followup-faults-'));
  const log = createWriteStream(join(dir, 'processes.log'));
  say(`${SHORT ? 'short' : 'full'} run: ${PLAN.visits} visits; logs and files in ${dir}`);
  const [temporalPort, smtpPort] = [await freePort(), await freePort()];
  const server = new DevServer(dir, temporalPort, log);
  const smtp = new Smtp(smtpPort);
  const pg: PgCluster | undefined = ON_SQLITE ? undefined : await startPg();
  const storeFile = pg ? await pg.database('followup_faults') : join(dir, 'followup.sqlite');
  say(`store: ${pg ? `PostgreSQL on port ${pg.port}` : 'SQLite'}`);
  const bundleFile = join(dir, 'workflows.js');
  return { dir, log, server, smtp, pg, storeFile, bundleFile, workers: [], client: undefined };
}

/** The dev server, SMTP, the workflow bundle, the store, workers A and B and the client; each kept on `rig` for the cleanup as it starts. */
async function startRun(rig: Rig): Promise<Run> {
  const { server, smtp, log, bundleFile, storeFile, pg } = rig;
  const [bundle] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') }),
    server.start(),
    smtp.start(),
  ]);
  writeFileSync(bundleFile, bundle.code);
  const store = openStore(pg ? { databaseUrl: storeFile, sqliteFile: '' } : { sqliteFile: storeFile });
  const taskQueue = `faults-${process.pid}`;
  const env = {
    FAULTS_ADDRESS: server.address,
    FAULTS_QUEUE: taskQueue,
    FAULTS_BUNDLE: bundleFile,
    FAULTS_STORE: storeFile,
    FAULTS_SMTP: smtp.url,
  };
  rig.workers.push(new WorkerProcess('A', env, log), new WorkerProcess('B', env, log));
  await Promise.all(rig.workers.map((w) => w.start()));
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  rig.client = client;
  say(`dev server ${server.address}, SMTP ${smtp.url}, workers A and B ready`);
  const audit = new AuditService(() => store, Date.now);
  return Object.assign(rig, { client, store, audit, taskQueue, phases: [], pgRestarts: [] });
}

/** Stops everything the rig started; removes the directory unless it is to be kept. */
async function cleanup(rig: Rig, keep: boolean): Promise<void> {
  await rig.client?.connection.close().catch(() => {});
  await Promise.all(rig.workers.map((w) => w.stop()));
  await rig.smtp.stop();
  await rig.server.kill();
  await rig.pg?.stop();
  rig.log.end();
  if (!keep) rmSync(rig.dir, { recursive: true, force: true });
  else say(`kept ${rig.dir}`);
}

// ---------------------------------------------------------------- the visits

interface Visits {
  ids: string[];
  /** When each visit was dispatched (its history's moment), so when its reminders fall due. */
  dispatched: Map<string, number>;
  /** When the last visit was in state review: the faults strike at seconds after it. */
  t0: number;
  lastDispatch: number;
}

/** The visits: started, drafted and dispatched, so their State review runs on seconds-long clocks. */
async function startVisits(run: Run): Promise<Visits> {
  const { client: c, audit, taskQueue } = run;
  const operator = { email: 'faults@un.example.org', role: 'operator' as const };
  const today = new Date().toISOString().slice(0, 10);
  const ids: string[] = [];
  const dispatched = new Map<string, number>();
  const pol = policy();
  const one = async (i: number) => {
    const request = {
      number: 1000 + i,
      state: 'POL',
      stateName: 'Poland',
      type: 'comprehensive' as const,
      start: today,
      end: today,
      caseOfficer: CASE_OFFICER,
      stateContact: STATE_CONTACT,
      language: 'en' as const,
    };
    const { id } = await startVisit(c, request, pol, { taskQueue });
    ids.push(id);
    await audit.record({ caller: operator, door: 'cli', visitId: id, action: 'start' }, 'accepted');
    for (const action of ['submit-draft', 'dispatch-draft'] as const) {
      const req: ActRequest = { action, payload: {}, actor: { email: CASE_OFFICER }, door: 'cli' };
      const s = await actOnVisit(c, id, req);
      await audit.record({ caller: operator, door: 'cli', visitId: id, action }, 'accepted');
      if (action === 'dispatch-draft') dispatched.set(id, Date.parse(s.history.at(-1)!.at));
    }
  };
  for (let i = 0; i < PLAN.visits; i += 10)
    await Promise.all(Array.from({ length: Math.min(10, PLAN.visits - i) }, (_, k) => one(i + k)));
  const t0 = Date.now();
  const lastDispatch = Math.max(...dispatched.values());
  say(
    `${ids.length} visits in state review (dispatched over ${((lastDispatch - Math.min(...dispatched.values())) / 1000).toFixed(1)} s)`,
  );
  return { ids, dispatched, t0, lastDispatch };
}

// ---------------------------------------------------------------- the faults

/** Resolves `s` seconds after `t0` (a bounded poll). */
const at = (t0: number, s: number) =>
  until(() => (Date.now() >= t0 + s * 1000 ? true : undefined), `+${s} s`, s * 1000 + 60_000);

/** 1. kill -9 one of the two workers, and start it again. */
async function killWorker(run: Run, t0: number): Promise<void> {
  await at(t0, PLAN.killWorkerAt);
  await run.workers[0]!.kill9();
  run.phases.push(`worker A killed (kill -9) at +${PLAN.killWorkerAt} s, down ${PLAN.workerDownFor} s`);
  say(run.phases.at(-1)!);
  await sleep(PLAN.workerDownFor * 1000);
  await run.workers[0]!.start();
  say('worker A started again');
}

/** 2. The dev server crashes (SIGKILL) and starts again on the same port and database file. */
async function crashDevServer(run: Run, t0: number): Promise<void> {
  await at(t0, PLAN.restartServerAt);
  const down = Date.now();
  await run.server.kill();
  await run.server.start();
  run.phases.push(
    `dev server killed (SIGKILL) at +${PLAN.restartServerAt} s and back in ${((Date.now() - down) / 1000).toFixed(1)} s`,
  );
  say(run.phases.at(-1)!);
}

/** 3. The SMTP server stops (connections refused), then starts again on the same port. */
async function stopSmtp(run: Run, t0: number): Promise<void> {
  await at(t0, PLAN.smtpDownAt);
  await run.smtp.stop();
  say(`SMTP server stopped for ${PLAN.smtpDownFor} s`);
  await sleep(PLAN.smtpDownFor * 1000);
  await run.smtp.start();
  run.phases.push(`SMTP server stopped at +${PLAN.smtpDownAt} s for ${PLAN.smtpDownFor} s`);
  say('SMTP server back');
}

/**
 * 4. PostgreSQL restarts (fast shutdown, then up again on the same port and data): every
 * connection of both workers and of this process breaks at once.
 */
async function restartPostgres(run: Run, t0: number): Promise<void> {
  const pg = run.pg;
  if (pg) {
    await at(t0, PLAN.postgresAt);
    const down = Date.now();
    run.pgRestarts.push(down);
    await pg.restart();
    run.phases.push(
      `PostgreSQL restarted at +${PLAN.postgresAt} s, back in ${((Date.now() - down) / 1000).toFixed(1)} s`,
    );
    say(run.phases.at(-1)!);
  } else run.phases.push('PostgreSQL restart: not run (--sqlite)');
}

/** The four faults, in turn, each at its moment after the visits are in state review. */
async function injectFaults(run: Run, visits: Visits): Promise<void> {
  await killWorker(run, visits.t0);
  await crashDevServer(run, visits.t0);
  await stopSmtp(run, visits.t0);
  await restartPostgres(run, visits.t0);
}

// ---------------------------------------------------------------- settling

/** Each visit's status at the end of the settling, and the run id its Message-IDs are made from. */
interface Settled {
  statuses: Map<string, VisitStatus>;
  runIds: Map<string, string>;
}

/** Every reminder due, every expiry past; then every send that was refused retried (bounded). */
async function settle(run: Run, visits: Visits): Promise<Settled> {
  const { client: c, smtp, store } = run;
  const { ids, lastDispatch } = visits;
  const lastDue = lastDispatch + (PLAN.review + PLAN.finalizing + PLAN.overdueEvery * PLAN.overdueTimes) * 1000;
  await until(() => (Date.now() > lastDue + 2_000 ? true : undefined), 'the last reminder to fall due', 30 * 60_000);
  say('every reminder has fallen due; waiting for the sends to settle');
  const statuses = new Map<string, VisitStatus>();
  const runIds = new Map<string, string>();
  for (const id of ids) runIds.set(id, (await c.workflow.getHandle(workflowIdOf(id)).describe()).runId);
  const unsent = async () => {
    for (const id of ids) statuses.set(id, await visitStatus(c, id));
    const got = new Set(smtp.accepted.map((m) => m.messageId));
    const stored = new Set((await store.messages()).map((m) => m.messageId));
    let n = 0;
    for (const id of ids)
      for (const r of statuses.get(id)!.reminders) {
        if (r.status !== 'sent') continue;
        const to = r.item === 'state-review' ? STATE_CONTACT : CASE_OFFICER;
        const mid = messageIdFor(`${runIds.get(id)}:${id}:reminder:${r.key}|${to}`);
        if (!got.has(mid) || !stored.has(mid)) n++;
      }
    return n;
  };
  const settled = Date.now();
  let left = -1;
  try {
    await until(
      async () => ((left = await unsent()) === 0 ? true : undefined),
      'every reminder recorded as sent to reach the SMTP server and the store',
      PLAN.settleWithin * 1000,
    );
  } catch (e) {
    say(String(e));
  }
  say(`settled in ${((Date.now() - settled) / 1000).toFixed(1)} s (${left} sends outstanding)`);
  return { statuses, runIds };
}

// ---------------------------------------------------------------- the count

/** What was due and what became of it, added up visit by visit. */
interface Tally {
  lost: string[];
  expectedCount: number;
  sent: number;
  skipped: number;
  late: number;
  expiryLateness: number[];
  expiryRecorded: number[];
  reminderLateness: number[];
  reasons: Map<string, number>;
}

type Expected = ReturnType<typeof expectedReminders>;

/** One visit's reminders due by the end: each recorded skipped with a reason, or sent and received. */
function tallyReminders(
  t: Tally,
  id: string,
  s: VisitStatus,
  runId: string,
  exp: Expected,
  byId: Map<string, Accepted[]>,
) {
  const records = new Map(s.reminders.map((r) => [r.key, r]));
  for (const e of exp.reminders) {
    t.expectedCount++;
    const r = records.get(e.key);
    if (!r) {
      t.lost.push(`${id} ${e.key}: no record`);
      continue;
    }
    if (r.status === 'skipped') {
      if (!r.reason) t.lost.push(`${id} ${e.key}: skipped without a reason`);
      else {
        t.skipped++;
        t.reasons.set(r.reason, (t.reasons.get(r.reason) ?? 0) + 1);
      }
      continue;
    }
    const mid = messageIdFor(`${runId}:${id}:reminder:${e.key}|${e.to}`);
    const got = byId.get(mid);
    if (!got) t.lost.push(`${id} ${e.key}: recorded sent, never received`);
    else {
      t.sent++;
      t.reminderLateness.push((got[0]!.at - e.at) / 1000);
      if (got[0]!.at - e.at >= 60_000) t.late++;
    }
  }
}

/** The State review's expiry: on time in the history, and its notice to the case officer. */
async function tallyExpiry(t: Tally, run: Run, id: string, s: VisitStatus, exp: Expected): Promise<void> {
  const ended = s.history.find((h) => h.type === 'no-comments-received');
  if (!ended || Date.parse(ended.at) !== exp.review)
    t.lost.push(`${id}: comment period did not end at ${iso(exp.review)}`);
  const recorded = (await run.store.events(id)).find((ev) => ev.type === 'no-comments-received');
  if (recorded) t.expiryRecorded.push((Date.parse(recorded.recordedAt) - exp.review) / 1000);
  else t.lost.push(`${id}: no-comments-received not in the store`);
  const notice = run.smtp.accepted.find((m) => m.visitId === id && m.topic === 'no-comments-received');
  if (notice) t.expiryLateness.push((notice.at - exp.review) / 1000);
  else t.lost.push(`${id}: no-comments-received never received`);
}

type StoredMessage = Awaited<ReturnType<Store['messages']>>[number];

/** Messages accepted twice, and whether each falls in the accept-then-record window at a kill. */
function doubles(run: Run, byId: Map<string, Accepted[]>, storedById: Map<string, StoredMessage>) {
  const doubled = [...byId.entries()].filter(([, ms]) => ms.length > 1);
  // The window opens at a kill -9 of a worker, and at a PostgreSQL restart (a record that cannot be written).
  const kills = [...run.workers.flatMap((w) => w.kills), ...run.pgRestarts];
  const gaps: number[] = [];
  for (const [mid, ms] of byId) {
    const row = storedById.get(mid);
    if (row) gaps.push(Date.parse(row.sentAt) - ms[0]!.at);
  }
  const windowMs = Math.max(0, ...gaps);
  // A double is in the window no client can close when a worker was killed between the first acceptance and its record.
  const inWindow = doubled.filter(([, ms]) => kills.some((k) => k >= ms[0]!.at && k <= ms[0]!.at + windowMs + 1_000));
  const outside = doubled.filter((d) => !inWindow.includes(d));
  return { doubled, gaps, windowMs, inWindow: inWindow.length, outside: outside.length };
}

/** The drift check, polled until visibility catches up (bounded); what is left after that. */
async function driftCheck(run: Run): Promise<Drift[]> {
  const { client: c, store } = run;
  return until(
    async () => {
      const d = findDrift(await listVisits(c), await store.snapshots());
      return d.length === 0 ? d : undefined;
    },
    'the drift check to come clean (visibility catching up)',
    60_000,
  ).catch(async () => findDrift(await listVisits(c), await store.snapshots()));
}

type Result = Tally &
  ReturnType<typeof doubles> & {
    visits: number;
    phases: string[];
    accepted: number;
    messageIds: number;
    stored: number;
    receivedNotStored: number;
    storedNotReceived: number;
    workerRestarts: number;
    drift: Drift[];
    verdict: AuditVerdict;
  };

/** Compares what the SMTP server accepted with each visit's status and the store's messages table. */
async function count(run: Run, visits: Visits, settled: Settled): Promise<Result> {
  const { smtp, store } = run;
  const end = Date.now();
  const byId = new Map<string, Accepted[]>();
  for (const m of smtp.accepted) byId.set(m.messageId, [...(byId.get(m.messageId) ?? []), m]);
  const stored = await store.messages();
  const storedById = new Map(stored.map((m) => [m.messageId, m]));
  const t: Tally = {
    lost: [],
    expectedCount: 0,
    sent: 0,
    skipped: 0,
    late: 0,
    expiryLateness: [],
    expiryRecorded: [],
    reminderLateness: [],
    reasons: new Map(),
  };
  for (const id of visits.ids) {
    const s = settled.statuses.get(id)!;
    const exp = expectedReminders(visits.dispatched.get(id)!, end);
    tallyReminders(t, id, s, settled.runIds.get(id)!, exp, byId);
    await tallyExpiry(t, run, id, s, exp);
  }
  const d = doubles(run, byId, storedById);
  const receivedNotStored = [...byId.keys()].filter((mid) => !storedById.has(mid));
  const storedNotReceived = stored.filter((m) => !byId.has(m.messageId));
  const drift = await driftCheck(run);
  const verdict = await run.audit.verify();
  // Taken after the last await, as the summary printed straight after it reads them.
  return {
    ...t,
    ...d,
    visits: visits.ids.length,
    phases: run.phases,
    accepted: smtp.accepted.length,
    messageIds: byId.size,
    stored: stored.length,
    receivedNotStored: receivedNotStored.length,
    storedNotReceived: storedNotReceived.length,
    workerRestarts: run.workers.reduce((n, w) => n + w.restarts, 0),
    drift,
    verdict,
  };
}

// ---------------------------------------------------------------- the report

/** Prints the summary; 1 when anything is lost, doubled outside the window, drifted or broken, else 0. */
function report(r: Result): number {
  const lines = [
    `faults (${SHORT ? 'short' : 'full'}): ${r.visits} visits, ${((Date.now() - started) / 1000).toFixed(0)} s wall`,
    ...r.phases.map((p) => `  fault: ${p}`),
    `  reminders due: ${r.expectedCount}; sent and received ${r.sent} (${r.late} a minute or more late), recorded skipped with a reason ${r.skipped}`,
    ...[...r.reasons.entries()].map(([reason, n]) => `    skipped ${n}: ${reason}`),
    `  lost: ${r.lost.length}`,
    ...r.lost.slice(0, 20).map((l) => `    ${l}`),
    `  messages accepted by SMTP: ${r.accepted} (${r.messageIds} Message-IDs); in the store: ${r.stored}`,
    `  doubled: ${r.doubled.length} (${r.inWindow} in the accept-then-record window at a kill -9, ${r.outside} outside it)`,
    ...r.doubled.slice(0, 10).map(([mid, ms]) => `    ${mid} ${ms[0]!.topic} x${ms.length}`),
    `  accept-then-record window: p50 ${pct(r.gaps, 50)} ms, p95 ${pct(r.gaps, 95)} ms, max ${r.windowMs} ms`,
    `  accepted but not in the store: ${r.receivedNotStored}; in the store but never accepted: ${r.storedNotReceived}`,
    `  reminders sent: received p50 ${pct(r.reminderLateness, 50).toFixed(1)} s, p95 ${pct(r.reminderLateness, 95).toFixed(1)} s, max ${Math.max(0, ...r.reminderLateness).toFixed(1)} s after their moment`,
    `  comment periods ended (expiry in the store): p50 ${pct(r.expiryRecorded, 50).toFixed(1)} s, max ${Math.max(0, ...r.expiryRecorded).toFixed(1)} s after the deadline`,
    `  comment periods ended: notice received p50 ${pct(r.expiryLateness, 50).toFixed(1)} s, max ${Math.max(0, ...r.expiryLateness).toFixed(1)} s after the deadline`,
    `  worker restarts by the supervisor: ${r.workerRestarts}`,
    `  drift check: ${
      r.drift.length
        ? `${r.drift.length} problem(s): ${r.drift
            .slice(0, 5)
            .map((d) => `${d.id} ${d.problem}`)
            .join('; ')}`
        : 'clean'
    }`,
    `  audit verification: ${r.verdict.ok ? `intact (${r.verdict.entries} entries)` : `BROKEN at ${r.verdict.brokenAt}: ${r.verdict.reason}`}`,
  ];
  console.log(lines.join('\n'));
  const failed = r.lost.length > 0 || r.outside > 0 || r.drift.length > 0 || !r.verdict.ok || r.storedNotReceived > 0;
  console.log(failed ? 'FAULTS: FAILED' : 'FAULTS: OK (nothing lost, nothing doubled outside the window)');
  return failed ? 1 : 0;
}

async function main(): Promise<number> {
  const rig = await prepare();
  let keep = KEEP;
  try {
    const run = await startRun(rig);
    const visits = await startVisits(run);
    await injectFaults(run, visits);
    const settled = await settle(run, visits);
    const code = report(await count(run, visits, settled));
    await run.store.close();
    keep ||= code !== 0;
    return code;
  } finally {
    await cleanup(rig, keep);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
