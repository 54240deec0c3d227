/**
 * The register benchmark (kept from the first `npm run bench`): with the 31 visits of 2018-2019 imported into a real dev server, how fast the
 * dashboard's overview and the CSV export answer (target: the overview under a second), and how
 * much memory the process holds; then a State's register of 300 recommendations and 5,000 changes:
 * how fast the register applies them, how big it is, and how fast the register's pages, API and
 * CSV answer (target: under a second). Figures only, no targets beyond the
 * overview's second.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpServerFor } from '../../src/compose-http';
import type { Client } from '@temporalio/client';
import { TASK_QUEUE, registerChangeSignal, registerWorkflowIdOf } from '../../src/contract';
import { ASSESSED_STATUSES, THEMES, type RegisterChange } from '../../src/domain/recommendations/model';
import { applyChange, emptyRegister } from '../../src/domain/recommendations/register';
import { readRecommendationsFile } from '../../src/infra/recommendations-file';
import { readRegister } from '../../src/infra/temporal/register';
import { Directory } from '../../src/infra/directory';
import { outboxMailer } from '../../src/infra/mail';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { createVisitWorker } from '../../src/worker';
import { devServerEnv, workflowBundle } from '../../test/helpers';
import { log, ms as fmtMs, percentile, type BenchOptions, type Section, signInSession } from './util';

const lines: string[] = [];
const overviewP95: number[] = [];
/** Prints a figure and keeps it for BENCHMARKS.md. */
function out(line: string): void {
  log(line);
  lines.push(line);
}

export async function registerSection(o: BenchOptions): Promise<Section> {
  lines.length = 0;
  overviewP95.length = 0;
  const many = o.quick ? 10 : 100;
  const few = o.quick ? 5 : 50;
  const env = await devServerEnv();
  const dir = mkdtempSync(join(tmpdir(), 'followup-bench-'));
  const store = new SqliteStore(join(dir, 'followup.sqlite'));
  const worker = await createVisitWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    deps: {
      store,
      mailer: outboxMailer(join(dir, 'outbox')),
      directory: Directory.parse({}),
      from: 'bench@localhost',
      temporal: env.client,
    },
  });
  const running = worker.run();
  const api = httpServerFor({
    client: env.client,
    store,
    policy: resolvePolicy(),
    linkSecret: randomBytes(32).toString('base64url'),
    publicUrl: 'http://127.0.0.1',
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const token = randomBytes(32).toString('base64url');
  await store.addUser({ email: 'bench@un.example.org', role: 'secretariat' }, token);

  const csv = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'ctc-visits-2018-2019.csv'), 'utf8');
  let t = performance.now();
  const imported = await fetch(`${base}/api/visits/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      csv,
      caseOfficer: 'officer@cted.example.org',
      stateContact: 'pm-{iso3}@mission.example.org',
    }),
  });
  const importMs = performance.now() - t;
  out(`import of 31 visits through the API: ${imported.status} in ${importMs.toFixed(0)} ms`);
  t = performance.now();
  while ((await store.snapshots()).length < 31) await new Promise((r) => setTimeout(r, 20));
  out(`read model holds all 31 visits ${(performance.now() - t).toFixed(0)} ms later`);

  // The dashboard's cookie holds a session id: sign in through the form as a browser would.
  const session = await signInSession(base, token);

  const time = timer(base, { cookie: `followup_session=${session}`, authorization: `Bearer ${token}` });
  overviewP95.push(await time('/', many));
  overviewP95.push(await time('/?overdue=true&sort=daysLeft', many));
  await time('/api/visits.csv', many);
  await time('/compliance', few);
  await time('/annual', few);
  await registerBench(env.client);
  await time('/api/recommendations?state=POL', few);
  await time('/api/recommendations.csv', few);
  await time('/states/POL', few);
  await time('/recommendations', few);
  await time('/ta', few);
  out(
    `resident memory: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (the benchmark process: API, worker and store, after the sections before this one)`,
  );

  await new Promise((r) => api.close(r));
  worker.shutdown();
  await running;
  await store.close();
  await env.teardown();
  rmSync(dir, { recursive: true, force: true });
  const worst = Math.max(...overviewP95);
  return {
    title: 'Register and dashboard with the 31 visits of 2018-2019',
    body: [
      'The figures of the first `npm run bench`, kept: the 31 visits of 2018-2019 imported through the API into a ' +
        'real dev server, the dashboard pages and the CSV export timed, then a State register of 300 recommendations ' +
        'and 5,000 changes.',
      '',
      '```',
      ...lines,
      '```',
    ],
    targets: [
      {
        what: 'Overview, with the 31 visits of 2018-2019',
        target: 'p95 < 1 s',
        measured: `p95 ${fmtMs(worst)}`,
        met: worst < 1000,
      },
    ],
  };
}

/** Times `runs` GETs of a path (signed in by cookie and by token) and prints the median, p95 and max. */
function timer(base: string, headers: Record<string, string>) {
  return async (path: string, runs: number): Promise<number> => {
    const ms: number[] = [];
    let bytes = 0;
    let status = 0;
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      const res = await fetch(`${base}${path}`, { headers });
      status = res.status;
      bytes = (await res.text()).length;
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    const q = (p: number) => ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)]!.toFixed(1);
    out(
      `${path.padEnd(32)} ${runs} runs: median ${q(50)} ms, p95 ${q(95)} ms, max ${q(100)} ms, ${bytes} bytes (${status})`,
    );
    return percentile(ms, 95);
  };
}

/** 300 recommendations of 4 visits to POL and 4,700 progress and assessment changes, fed to its register. */
function registerChanges(): RegisterChange[] {
  const at = new Date().toISOString();
  const by = 'bench@un.example.org';
  const changes: RegisterChange[] = [];
  const seq = new Map<string, number>();
  const key = (visit: string) => `${visit}#${seq.set(visit, (seq.get(visit) ?? 0) + 1).get(visit)}`;
  const visits = ['201-POL', '202-POL', '203-POL', '204-POL'];
  for (const visit of visits) {
    const recommendations = Array.from({ length: 75 }, (_, i) => ({
      number: i + 1,
      text: `Recommendation ${i + 1} of visit ${visit}: a sentence of the length such texts have in a report.`,
      theme: THEMES[i % THEMES.length]!,
      priority: i % 5 === 0,
      ...(i % 4 === 0 ? { taNeed: 'Training and equipment' } : {}),
    }));
    changes.push({ type: 'recommendations-adopted', key: key(visit), visit, recommendations, at, by });
  }
  for (let i = 0; changes.length < 5000; i++) {
    const visit = visits[i % 4]!;
    const recommendation = `${visit}/R${(i % 75) + 1}`;
    changes.push(
      i % 2
        ? { type: 'assessed', key: key(visit), items: [{ recommendation, status: ASSESSED_STATUSES[i % 6]! }], at, by }
        : { type: 'progress-reported', key: key(visit), items: [{ recommendation, status: 'in-progress' }], at, by },
    );
  }
  return changes;
}

async function registerBench(client: Client): Promise<void> {
  const changes = registerChanges();
  let t = performance.now();
  const pure = emptyRegister('POL');
  for (const c of changes) applyChange(pure, c);
  out(
    `register: 5,000 changes applied in ${(performance.now() - t).toFixed(0)} ms (pure), ${(JSON.stringify(pure).length / 1024).toFixed(0)} KiB as JSON`,
  );
  const csv = [
    'number,text,theme,priority,ta_need',
    ...pure.records.slice(0, 300).map((r, i) => `${i + 1},"${r.text}",${r.theme},${r.priority ? 'yes' : 'no'},`),
  ].join('\n');
  t = performance.now();
  const read = readRecommendationsFile(csv, 'csv');
  out(
    `a file of 300 recommendations read and checked in ${(performance.now() - t).toFixed(1)} ms (${read.ok ? 'valid' : 'refused'})`,
  );
  t = performance.now();
  // One at a time, in order, as visits feed it (the register applies a visit's changes in order, each once).
  for (const c of changes) {
    await client.workflow.signalWithStart('stateRegister', {
      workflowId: registerWorkflowIdOf('POL'),
      taskQueue: TASK_QUEUE,
      args: [{ state: 'POL' }],
      signal: registerChangeSignal,
      signalArgs: [c],
    });
  }
  // A query refused while the register's workflow task is in a failed state is counted and asked again
  // (the server retries the task), for up to two minutes in all.
  let refused = 0;
  let lastRefusal = '';
  const giveUp = Date.now() + 120_000;
  for (;;) {
    try {
      const reg = await readRegister(client, 'POL');
      if (reg && reg.changes >= changes.length) break;
    } catch (e) {
      if (Date.now() > giveUp) throw e;
      refused++;
      lastRefusal = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  out(
    `register-POL on the dev server: 5,000 changes signalled and applied in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  if (refused) out(`  (the register's query was refused ${refused} times meanwhile: ${lastRefusal})`);
  t = performance.now();
  const reg = await readRegister(client, 'POL');
  out(`register query: ${reg?.records.length} records in ${(performance.now() - t).toFixed(0)} ms`);
}
