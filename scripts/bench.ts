/**
 * `npm run bench`: with the 31 visits of 2018-2019 imported into a real dev server, how fast the
 * dashboard's overview and the CSV export answer (target: the overview under a second), and how
 * much memory the process holds. Prints figures; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpServerFor } from '../src/compose-http';
import { TASK_QUEUE } from '../src/contract';
import { Directory } from '../src/infra/directory';
import { outboxMailer } from '../src/infra/mail';
import { resolvePolicy } from '../src/infra/policy/loader';
import { Store } from '../src/infra/store/store';
import { createVisitWorker } from '../src/worker';
import { devServerEnv, workflowBundle } from '../test/helpers';

async function main() {
  const env = await devServerEnv();
  const dir = mkdtempSync(join(tmpdir(), 'followup-bench-'));
  const store = new Store(join(dir, 'followup.sqlite'));
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
  store.addUser({ email: 'bench@un.example.org', role: 'secretariat' }, token);

  const csv = readFileSync(join(__dirname, '..', 'test', 'fixtures', 'ctc-visits-2018-2019.csv'), 'utf8');
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
  console.log(`import of 31 visits through the API: ${imported.status} in ${importMs.toFixed(0)} ms`);
  t = performance.now();
  while (store.snapshots().length < 31) await new Promise((r) => setTimeout(r, 20));
  console.log(`read model holds all 31 visits ${(performance.now() - t).toFixed(0)} ms later`);

  // The dashboard's cookie holds a session id: sign in through the form as a browser would.
  const signIn = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });
  const session = /followup_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1];
  if (!session) throw new Error(`sign-in failed: ${signIn.status}`);

  const time = async (path: string, runs: number) => {
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      const res = await fetch(`${base}${path}`, { headers: { cookie: `followup_session=${session}` } });
      bytes = (await res.text()).length;
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    const q = (p: number) => ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)]!.toFixed(1);
    console.log(
      `${path.padEnd(28)} ${runs} runs: median ${q(50)} ms, p95 ${q(95)} ms, max ${q(100)} ms, ${bytes} bytes`,
    );
  };
  await time('/', 100);
  await time('/?overdue=true&sort=daysLeft', 100);
  await time('/api/visits.csv', 100);
  await time('/compliance', 50);
  await time('/annual', 50);
  console.log(
    `resident memory: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (this process: API, worker and store)`,
  );

  await new Promise((r) => api.close(r));
  worker.shutdown();
  await running;
  store.close();
  await env.teardown();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
