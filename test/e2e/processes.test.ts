/**
 * `npm start` as separate processes: two `--only worker` and one `--only web` against one real
 * Temporal dev server and one PostgreSQL store, a visit taken through actions on the web process while the workers do the
 * work (the e-mail arrives at a real SMTP server); and `npm start` killed with kill -9, whose
 * embedded dev server survives in its own process group, comes back with one `npm start`.
 */
import { temporal as proto } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_QUEUE } from '../../src/contract';
import { PostgresStore } from '../../src/infra/store/postgres';
import { devServerPidFile } from '../../src/infra/temporal/dev-server';
import { apiVisit, USERS } from '../api-harness';
import { devServerEnv, eventually } from '../helpers';
import { startPg, type PgCluster } from '../pg';
import { startSmtp, type TestSmtp } from '../smtp';

const ROOT = resolve(__dirname, '..', '..');
const TOKEN = 'processes-test-token-for-the-cted-officer';

interface Engine {
  child: ChildProcess;
  output: string[];
}
const engines: Engine[] = [];
const dirs: string[] = [];
let smtp: TestSmtp;
let temporal: TestWorkflowEnvironment;
let pg: PgCluster;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm start [-- args]` in its own process group (so a signal reaches npm, tsx and node), up and ready. */
async function npmStart(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Engine> {
  const output: string[] = [];
  const npmArgs = args.length ? ['start', '--', ...args] : ['start'];
  const child = spawn('npm', npmArgs, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const engine = { child, output };
  engines.push(engine);
  await eventually(
    () => {
      const out = output.join('');
      if (child.exitCode !== null) throw new Error(`npm start ${args.join(' ')} exited: ${out}`);
      return out.includes('Press Ctrl-C to stop.') ? true : undefined;
    },
    `npm start ${args.join(' ')} to be ready`,
    120_000,
  );
  return engine;
}

/** A command to its end: exit code and output. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    child.once('exit', (code) => resolvePromise({ code, output: output.join('') }));
  });
}

/** Ctrl-C to the group, and every process of it gone. */
async function stop(engine: Engine): Promise<void> {
  const pid = engine.child.pid!;
  if (alive(pid)) {
    const exited = engine.child.exitCode === null ? new Promise((r) => engine.child.once('exit', r)) : undefined;
    process.kill(-pid, 'SIGINT');
    await exited;
  }
  await eventually(() => (alive(-pid) ? undefined : true), 'every process of npm start to exit', 30_000);
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'followup-processes-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  [temporal, smtp, pg] = await Promise.all([devServerEnv(), startSmtp(), startPg()]);
});

afterAll(async () => {
  for (const engine of engines) await stop(engine).catch(() => undefined);
  await Promise.all([temporal?.teardown(), smtp?.close(), pg?.stop()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm start -- --only worker and --only web', () => {
  it('takes a visit through actions on the web process while two worker processes do the work, all on PostgreSQL', async () => {
    // One store every process shares, on PostgreSQL; each process has its own data folder (nothing shared on disk).
    const url = await pg.database();
    const store = new PostgresStore(url);
    await store.addUser(USERS.cted, TOKEN);
    const [webPort, workerPort] = [await freePort(), await freePort()];
    const base = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: temporal.address,
      FOLLOWUP_DATABASE_URL: url,
      FOLLOWUP_LINK_SECRET: randomBytes(32).toString('base64url'),
      SMTP_URL: smtp.url,
      FOLLOWUP_PUBLIC_URL: `http://127.0.0.1:${webPort}`,
    };
    const own = () => join(dataDir(), 'var');
    const [web, worker1] = await Promise.all([
      npmStart({ ...base, FOLLOWUP_DATA_DIR: own(), PORT: String(webPort) }, ['--only', 'web']),
      npmStart({ ...base, FOLLOWUP_DATA_DIR: own(), PORT: String(workerPort), FOLLOWUP_MAX_CACHED_WORKFLOWS: '50' }, [
        '--only',
        'worker',
      ]),
      // the variable, as compose sets it
      npmStart({ ...base, FOLLOWUP_DATA_DIR: own(), FOLLOWUP_ONLY: 'worker', PORT: String(workerPort) }),
    ]);
    expect(web.output.join('')).toMatch(/Store: +postgres:\/\/postgres@127\.0\.0\.1:\d+\/followup_/);
    expect(web.output.join('')).toContain('(web only)');
    expect(web.output.join('')).toContain(`API:         http://127.0.0.1:${webPort}`);
    expect(web.output.join('')).not.toContain('Worker:');
    expect(worker1.output.join('')).toContain('(worker only)');
    expect(worker1.output.join('')).toContain('Worker:      up to 50 workflows cached');
    expect(worker1.output.join('')).not.toContain('API:');
    expect(await listening(workerPort)).toBe(false); // a worker serves no HTTP

    // A part alone on the embedded dev server is refused: split processes share one Temporal.
    const embedded = await run('npm', ['start', '--', '--only', 'worker'], { ...base, TEMPORAL_ADDRESS: '' });
    expect(embedded.code).toBe(1);
    expect(embedded.output).toContain('FOLLOWUP_ONLY: a worker or web process alone needs TEMPORAL_ADDRESS');

    // Exactly the two worker processes poll the visits' queue: the web process runs no worker.
    const pollers = await eventually(async () => {
      const q = await temporal.client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: TASK_QUEUE },
        taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const ids = new Set(q.pollers?.map((p) => p.identity));
      return ids.size === 2 ? ids : undefined;
    }, 'both workers to poll');
    expect(pollers.size).toBe(2);

    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${webPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as { stage?: string } };
    };
    expect((await api('POST', '/api/visits', apiVisit(910, 'NOR'))).status).toBe(201);
    expect((await api('POST', '/api/visits/910-NOR/actions/submit-draft', { documentRef: 'DRAFT/910' })).status).toBe(
      200,
    );
    const dispatched = await api('POST', '/api/visits/910-NOR/actions/dispatch-draft', {});
    expect(dispatched).toMatchObject({ status: 200, body: { stage: 'state-review' } });
    // A worker's activity sent the State its draft.
    const mail = await eventually(
      () => smtp.received.find((m) => m.visitId === '910-NOR' && m.topic === 'draft-dispatched'),
      'the draft e-mail from a worker',
    );
    expect(mail.to).toEqual([USERS.stateNOR.email]);
    expect((await api('GET', '/api/visits/910-NOR')).body.stage).toBe('state-review');
    // The workers recorded the events and the message in PostgreSQL, where the web process lists the visit from.
    await eventually(
      async () => ((await store.snapshots('910-NOR'))[0]?.stage === 'state-review' ? true : undefined),
      'the read model in PostgreSQL',
    );
    expect((await store.messages('910-NOR')).map((m) => m.topic)).toContain('draft-dispatched');
    expect((await api('GET', '/api/visits?state=NOR')).body).toMatchObject([{ id: '910-NOR', stage: 'state-review' }]);
    await store.close();
  }, 300_000);
});

describe('npm start after kill -9', () => {
  it('stops the dev server the killed engine left behind and comes up with one npm start', async () => {
    const data = join(dataDir(), 'var');
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FOLLOWUP_DATA_DIR: data,
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      PORT: String(await freePort()),
    };
    const first = await npmStart(env);
    const devPid = Number(readFileSync(devServerPidFile(data), 'utf8').split(' ')[0]); // the server's, then ours
    process.kill(-first.child.pid!, 'SIGKILL');
    await eventually(() => (alive(-first.child.pid!) ? undefined : true), 'the killed group to be gone');
    // What used to make the next start fail with "address already in use": the server lives on.
    expect(alive(devPid)).toBe(true);

    const second = await npmStart(env);
    expect(second.output.join('')).toContain(
      `Stopped the Temporal dev server (pid ${devPid}) a previous run left behind.`,
    );
    expect(alive(devPid)).toBe(false);
    const res = await fetch(`http://127.0.0.1:${env.PORT}/api/me`);
    expect(res.status).toBe(401); // the API answers (no token given)

    // A second npm start on the same folder while this one runs is refused, and this one keeps its server.
    const again = await run('npm', ['start'], env);
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/Another npm start \(pid \d+\) runs on .*; stop it first\./);
    expect((await fetch(`http://127.0.0.1:${env.PORT}/api/me`)).status).toBe(401);

    await stop(second);
    // A clean stop leaves no pid file and no server behind.
    expect(existsSync(devServerPidFile(data))).toBe(false);
    expect(await listening(Number(env.TEMPORAL_DEV_PORT))).toBe(false);
  }, 300_000);
});
