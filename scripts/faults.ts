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
import { openStore } from '../src/infra/store';
import { startPg, type PgCluster } from '../test/pg';
import { temporalCliPath } from '../src/infra/temporal/binaries';
import { actOnVisit, listVisits, startVisit, visitStatus } from '../src/infra/temporal/visits';
import { AuditService } from '../src/services/audit';
import { findDrift } from '../src/services/drift';
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

async function main(): Promise<number> {
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
  const workers: WorkerProcess[] = [];
  let client: Client | undefined;
  const phases: string[] = [];
  let keep = KEEP;
  try {
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
    workers.push(new WorkerProcess('A', env, log), new WorkerProcess('B', env, log));
    await Promise.all(workers.map((w) => w.start()));
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const c = client;
    say(`dev server ${server.address}, SMTP ${smtp.url}, workers A and B ready`);

    // The visits: started, drafted and dispatched, so their State review runs on seconds-long clocks.
    const audit = new AuditService(() => store, Date.now);
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
    const at = (s: number) =>
      until(() => (Date.now() >= t0 + s * 1000 ? true : undefined), `+${s} s`, s * 1000 + 60_000);

    // 1. kill -9 one of the two workers, and start it again.
    await at(PLAN.killWorkerAt);
    await workers[0]!.kill9();
    phases.push(`worker A killed (kill -9) at +${PLAN.killWorkerAt} s, down ${PLAN.workerDownFor} s`);
    say(phases.at(-1)!);
    await sleep(PLAN.workerDownFor * 1000);
    await workers[0]!.start();
    say('worker A started again');

    // 2. The dev server crashes (SIGKILL) and starts again on the same port and database file.
    await at(PLAN.restartServerAt);
    const down = Date.now();
    await server.kill();
    await server.start();
    phases.push(
      `dev server killed (SIGKILL) at +${PLAN.restartServerAt} s and back in ${((Date.now() - down) / 1000).toFixed(1)} s`,
    );
    say(phases.at(-1)!);

    // 3. The SMTP server stops (connections refused), then starts again on the same port.
    await at(PLAN.smtpDownAt);
    await smtp.stop();
    say(`SMTP server stopped for ${PLAN.smtpDownFor} s`);
    await sleep(PLAN.smtpDownFor * 1000);
    await smtp.start();
    phases.push(`SMTP server stopped at +${PLAN.smtpDownAt} s for ${PLAN.smtpDownFor} s`);
    say('SMTP server back');

    // 4. PostgreSQL restarts (fast shutdown, then up again on the same port and data): every
    // connection of both workers and of this process breaks at once.
    const pgRestarts: number[] = [];
    if (pg) {
      await at(PLAN.postgresAt);
      const down = Date.now();
      pgRestarts.push(down);
      await pg.restart();
      phases.push(
        `PostgreSQL restarted at +${PLAN.postgresAt} s, back in ${((Date.now() - down) / 1000).toFixed(1)} s`,
      );
      say(phases.at(-1)!);
    } else phases.push('PostgreSQL restart: not run (--sqlite)');

    // Every reminder due, every expiry past; then every send that was refused retried (bounded).
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

    // ---------------------------------------------------------------- the count
    const end = Date.now();
    const byId = new Map<string, Accepted[]>();
    for (const m of smtp.accepted) byId.set(m.messageId, [...(byId.get(m.messageId) ?? []), m]);
    const stored = await store.messages();
    const storedById = new Map(stored.map((m) => [m.messageId, m]));
    const lost: string[] = [];
    let expectedCount = 0;
    let sent = 0;
    let skipped = 0;
    let late = 0;
    const expiryLateness: number[] = [];
    const expiryRecorded: number[] = [];
    const reminderLateness: number[] = [];
    const reasons = new Map<string, number>();
    for (const id of ids) {
      const s = statuses.get(id)!;
      const runId = runIds.get(id)!;
      const exp = expectedReminders(dispatched.get(id)!, end);
      const records = new Map(s.reminders.map((r) => [r.key, r]));
      for (const e of exp.reminders) {
        expectedCount++;
        const r = records.get(e.key);
        if (!r) {
          lost.push(`${id} ${e.key}: no record`);
          continue;
        }
        if (r.status === 'skipped') {
          if (!r.reason) lost.push(`${id} ${e.key}: skipped without a reason`);
          else {
            skipped++;
            reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
          }
          continue;
        }
        const mid = messageIdFor(`${runId}:${id}:reminder:${e.key}|${e.to}`);
        const got = byId.get(mid);
        if (!got) lost.push(`${id} ${e.key}: recorded sent, never received`);
        else {
          sent++;
          reminderLateness.push((got[0]!.at - e.at) / 1000);
          if (got[0]!.at - e.at >= 60_000) late++;
        }
      }
      // The State review's expiry: on time in the history, and its notice to the case officer.
      const ended = s.history.find((h) => h.type === 'no-comments-received');
      if (!ended || Date.parse(ended.at) !== exp.review)
        lost.push(`${id}: comment period did not end at ${iso(exp.review)}`);
      const recorded = (await store.events(id)).find((ev) => ev.type === 'no-comments-received');
      if (recorded) expiryRecorded.push((Date.parse(recorded.recordedAt) - exp.review) / 1000);
      else lost.push(`${id}: no-comments-received not in the store`);
      const notice = smtp.accepted.find((m) => m.visitId === id && m.topic === 'no-comments-received');
      if (notice) expiryLateness.push((notice.at - exp.review) / 1000);
      else lost.push(`${id}: no-comments-received never received`);
    }
    const doubled = [...byId.entries()].filter(([, ms]) => ms.length > 1);
    // The window opens at a kill -9 of a worker, and at a PostgreSQL restart (a record that cannot be written).
    const kills = [...workers.flatMap((w) => w.kills), ...pgRestarts];
    const gaps: number[] = [];
    for (const [mid, ms] of byId) {
      const row = storedById.get(mid);
      if (row) gaps.push(Date.parse(row.sentAt) - ms[0]!.at);
    }
    const windowMs = Math.max(0, ...gaps);
    // A double is in the window no client can close when a worker was killed between the first acceptance and its record.
    const inWindow = doubled.filter(([, ms]) => kills.some((k) => k >= ms[0]!.at && k <= ms[0]!.at + windowMs + 1_000));
    const outside = doubled.filter((d) => !inWindow.includes(d));
    const receivedNotStored = [...byId.keys()].filter((mid) => !storedById.has(mid));
    const storedNotReceived = stored.filter((m) => !byId.has(m.messageId));
    const drift = await until(
      async () => {
        const d = findDrift(await listVisits(c), await store.snapshots());
        return d.length === 0 ? d : undefined;
      },
      'the drift check to come clean (visibility catching up)',
      60_000,
    ).catch(async () => findDrift(await listVisits(c), await store.snapshots()));
    const verdict = await audit.verify();

    const lines = [
      `faults (${SHORT ? 'short' : 'full'}): ${ids.length} visits, ${((Date.now() - started) / 1000).toFixed(0)} s wall`,
      ...phases.map((p) => `  fault: ${p}`),
      `  reminders due: ${expectedCount}; sent and received ${sent} (${late} a minute or more late), recorded skipped with a reason ${skipped}`,
      ...[...reasons.entries()].map(([r, n]) => `    skipped ${n}: ${r}`),
      `  lost: ${lost.length}`,
      ...lost.slice(0, 20).map((l) => `    ${l}`),
      `  messages accepted by SMTP: ${smtp.accepted.length} (${byId.size} Message-IDs); in the store: ${stored.length}`,
      `  doubled: ${doubled.length} (${inWindow.length} in the accept-then-record window at a kill -9, ${outside.length} outside it)`,
      ...doubled.slice(0, 10).map(([mid, ms]) => `    ${mid} ${ms[0]!.topic} x${ms.length}`),
      `  accept-then-record window: p50 ${pct(gaps, 50)} ms, p95 ${pct(gaps, 95)} ms, max ${windowMs} ms`,
      `  accepted but not in the store: ${receivedNotStored.length}; in the store but never accepted: ${storedNotReceived.length}`,
      `  reminders sent: received p50 ${pct(reminderLateness, 50).toFixed(1)} s, p95 ${pct(reminderLateness, 95).toFixed(1)} s, max ${Math.max(0, ...reminderLateness).toFixed(1)} s after their moment`,
      `  comment periods ended (expiry in the store): p50 ${pct(expiryRecorded, 50).toFixed(1)} s, max ${Math.max(0, ...expiryRecorded).toFixed(1)} s after the deadline`,
      `  comment periods ended: notice received p50 ${pct(expiryLateness, 50).toFixed(1)} s, max ${Math.max(0, ...expiryLateness).toFixed(1)} s after the deadline`,
      `  worker restarts by the supervisor: ${workers.reduce((n, w) => n + w.restarts, 0)}`,
      `  drift check: ${
        drift.length
          ? `${drift.length} problem(s): ${drift
              .slice(0, 5)
              .map((d) => `${d.id} ${d.problem}`)
              .join('; ')}`
          : 'clean'
      }`,
      `  audit verification: ${verdict.ok ? `intact (${verdict.entries} entries)` : `BROKEN at ${verdict.brokenAt}: ${verdict.reason}`}`,
    ];
    console.log(lines.join('\n'));
    const failed =
      lost.length > 0 || outside.length > 0 || drift.length > 0 || !verdict.ok || storedNotReceived.length > 0;
    console.log(failed ? 'FAULTS: FAILED' : 'FAULTS: OK (nothing lost, nothing doubled outside the window)');
    await store.close();
    keep ||= failed;
    return failed ? 1 : 0;
  } finally {
    await client?.connection.close().catch(() => {});
    await Promise.all(workers.map((w) => w.stop()));
    await smtp.stop();
    await server.kill();
    await pg?.stop();
    log.end();
    if (!keep) rmSync(dir, { recursive: true, force: true });
    else say(`kept ${dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
