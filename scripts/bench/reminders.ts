/**
 * (b) Reminders due at the same second for N visits: each visit's drafting deadline is the end of
 * the same New York working day (its 1-day clock runs from the visit's last day, yesterday for all), and a short
 * policy reminds the case officer that many seconds before it that the reminders all fall due a
 * minute or two after the visits are started. The lateness of each reminder is the time from that
 * second to the moment the notify activity hands the message to the mailer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Policy } from '../../src/domain/policy';
import { Directory } from '../../src/infra/directory';
import { outboxMailer, type Mailer } from '../../src/infra/mail';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { actOnVisit, startVisit, visitStatus } from '../../src/infra/temporal/visits';
import { statusQuery, workflowIdOf } from '../../src/contract';
import type { Client } from '@temporalio/client';
import { createVisitWorker } from '../../src/worker';
import { devServerEnv, visitRequest, workflowBundle } from '../../test/helpers';
import {
  count,
  log,
  maxCachedWorkflows,
  ms,
  newYorkToday,
  percentile,
  pool,
  s,
  STATES,
  waitFor,
  type BenchOptions,
  type Section,
} from './util';

const TASK_QUEUE = 'bench-reminders';
/** How long after the due second the run waits for reminders still to come. */
const GRACE_MS = 180_000;
/** How long after that the run waits for the missing ones, to tell late from never. */
const TAIL_MS = 120_000;

const TASK_RATE_NOTE =
  'every reminder is a timer firing in its own workflow, then a workflow task and a notify activity on one ' +
  'worker that shares two cores with the dev server: the worker works through them at its task rate. ' +
  'Worker replicas on other machines (`npm start -- --only worker`) would spread them.';

const lateText = (v: number) => (v === Infinity ? `> ${s(GRACE_MS)}` : s(v));

/** For each missing reminder's visit: its pending activities (attempts, last failure) and its reminder's state. */
async function diagnose(client: Client, ids: string[]): Promise<string[]> {
  const kinds = new Map<string, number>();
  const examples: string[] = [];
  for (const id of ids.slice(0, 50)) {
    let what: string;
    try {
      const handle = client.workflow.getHandle(workflowIdOf(id));
      const { raw } = await handle.describe();
      const pending = (raw.pendingActivities ?? []).map(
        (a) =>
          `${a.activityType?.name} attempt ${a.attempt}${a.lastFailure?.message ? ` (${a.lastFailure.message.slice(0, 160)})` : ''}`,
      );
      const status = await handle.query(statusQuery);
      const reminder = status.reminders.find((r) => r.item === 'drafting');
      what =
        `reminder ${reminder ? `${reminder.status}${reminder.reason ? `: ${reminder.reason}` : ''}` : 'not planned'}; ` +
        (pending.length ? `pending: ${pending.join(', ')}` : 'no pending activity');
    } catch (e) {
      what = `could not be asked: ${e instanceof Error ? e.message : String(e)}`;
    }
    const kind = what.replace(/attempt \d+/g, 'attempt n');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (examples.length < 3) examples.push(`- \`${id}\`: ${what}`);
  }
  return [
    `| of the first ${Math.min(50, ids.length)} missing | what they said |`,
    '| ---: | --- |',
    ...[...kinds].map(([k, c]) => `| ${c} | ${k.replace(/\|/g, '\\|')} |`),
    '',
    'For example:',
    '',
    ...examples,
  ];
}

/** The short policy: only the drafting clock reminds, once, `beforeSeconds` before its deadline. */
function shortPolicy(beforeSeconds?: number): Policy {
  return resolvePolicy({
    clocks: { drafting: '1 day' },
    reminders: {
      pao: null,
      'ta-referral': null,
      drafting: beforeSeconds ? { to: ['case-officer'], before: [`${beforeSeconds} seconds`] } : null,
    },
  });
}

export async function remindersSection(o: BenchOptions): Promise<Section> {
  const n = o.visits;
  const env = await devServerEnv();
  const dir = mkdtempSync(join(tmpdir(), 'followup-bench-b-'));
  const store = new SqliteStore(join(dir, 'followup.sqlite'));
  const outbox = outboxMailer(join(dir, 'outbox'));
  /** When each visit's reminder reached the mailer (ms since the epoch). */
  const handed = new Map<string, number>();
  const mailer: Mailer = {
    async send(m) {
      if (m.headers?.['X-Follow-Up-Topic']?.startsWith('reminder'))
        handed.set(m.headers['X-Visit-Id'] ?? '', Date.now());
      await outbox.send(m);
    },
    close: () => outbox.close(),
  };
  const worker = await createVisitWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    maxCachedWorkflows: maxCachedWorkflows(),
    deps: { store, mailer, directory: Directory.parse({}), from: 'bench@localhost', temporal: env.client },
  });
  // Ended yesterday: the drafting item opened at the end of that New York day, before the reminder.
  const yesterday = new Date(Date.parse(`${newYorkToday()}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const request = (number: number, i: number) =>
    visitRequest({ number, state: STATES[i % STATES.length]!, start: yesterday, end: yesterday });
  try {
    return await worker.runUntil(async () => {
      // A probe visit gives the drafting deadline every visit ending today shares.
      const probe = await startVisit(env.client, request(99_999, 0), shortPolicy(), { taskQueue: TASK_QUEUE });
      const deadline = Date.parse(
        (await visitStatus(env.client, probe.id)).openItems.find((i) => i.item === 'drafting')!.deadline!,
      );
      await actOnVisit(env.client, probe.id, {
        action: 'withdraw',
        payload: { reason: 'probe' },
        actor: { email: 'secretariat@un.example.org' },
        door: 'cli',
      });
      // Due once every visit has started (generously: 30 s plus 50 ms a visit), on a whole second.
      const leadMs = 30_000 + n * 50;
      const beforeSeconds = Math.floor((deadline - Date.now() - leadMs) / 1000);
      const due = deadline - beforeSeconds * 1000;
      const policy = shortPolicy(beforeSeconds);
      log(`(b) ${count(n)} visits, reminders due at ${new Date(due).toISOString()} (in ${s(due - Date.now())})`);
      const t0 = performance.now();
      await pool(
        Array.from({ length: n }, (_, i) => i),
        o.concurrency,
        async (i) => {
          await startVisit(env.client, request(i + 1, i), policy, { taskQueue: TASK_QUEUE });
        },
      );
      const startedMs = performance.now() - t0;
      const lastStart = Date.now();
      if (lastStart >= due) throw new Error(`starting ${n} visits took ${s(startedMs)}, past the due second`);
      log(`(b) started in ${s(startedMs)}; ${s(due - lastStart)} before the reminders fall due`);
      await waitFor(() => handed.size >= n || Date.now() > due + GRACE_MS, due - Date.now() + GRACE_MS + 1000, 200);
      // Counted over every visit: a reminder not sent within the grace is later than any that was.
      const sentInGrace = handed.size;
      const late = [...handed.values()].map((t) => t - due);
      const lateAll = [...late, ...Array<number>(n - late.length).fill(Infinity)];
      const [p50, p95, max] = [percentile(lateAll, 50), percentile(lateAll, 95), percentile(late, 100)];
      const early = late.filter((l) => l < 0).length;
      log(`(b) ${sentInGrace} of ${n} reminders; lateness p50 ${ms(p50)}, p95 ${ms(p95)}, max sent ${ms(max)}`);
      const ids = Array.from({ length: n }, (_, i) => `${i + 1}-${STATES[i % STATES.length]}`);
      const missing = ids.filter((id) => !handed.has(id));
      const diagnosis = missing.length ? await diagnose(env.client, missing) : [];
      let tail = '';
      if (missing.length) {
        // What became of them: sent late, or never?
        await waitFor(() => handed.size >= n, TAIL_MS, 500);
        const after = missing.filter((id) => handed.has(id));
        const tailLate = after.map((id) => handed.get(id)! - due);
        tail =
          `Of the ${count(missing.length)} not sent within ${s(GRACE_MS)}, ${count(after.length)} were sent in the ` +
          `${s(TAIL_MS)} after (${after.length ? `latest ${s(percentile(tailLate, 100))} after the second` : 'none'}).`;
        log(`(b) ${tail}`);
      }
      const allSent = sentInGrace === n;
      const within = p95 <= 5000;
      return {
        title: 'b. Reminders due at the same second',
        body: [
          `${count(n)} visits started (${o.concurrency} at a time, in ${s(startedMs)}) with a short policy: the ` +
            "drafting clock is 1 day from the visit's last day (yesterday, the same for all), and the case officer is " +
            `reminded ${count(beforeSeconds)} seconds before that deadline, so all ${count(n)} reminders fall due at ` +
            `the same second, ${s(due - lastStart)} after the last visit started. The worker has the default workflow ` +
            `cache (${maxCachedWorkflows()}). Lateness: from that second to the moment the notify activity hands ` +
            'the message to the mailer (the outbox).',
          '',
          `| reminders sent within ${s(GRACE_MS)} | lateness p50 | p95 | max (of those sent) | sent before the second |`,
          '| ---: | ---: | ---: | ---: | ---: |',
          `| ${count(sentInGrace)} of ${count(n)} | ${lateText(p50)} | ${lateText(p95)} | ${s(max)} | ${early} |`,
          '',
          'p50 and p95 are over all the visits, a reminder not sent within the window counted as later than any.',
          ...(missing.length
            ? [
                '',
                tail,
                '',
                'What the Temporal server said of the missing ones, right after the window:',
                '',
                ...diagnosis,
              ]
            : []),
        ],
        targets: [
          {
            what: `Reminders due at one second, ${count(n)} visits: lateness p95`,
            target: '≤ 5 s',
            measured: `p95 ${lateText(p95)} (p50 ${lateText(p50)}; ${count(sentInGrace)} of ${count(n)} sent within ${s(GRACE_MS)}, the latest ${s(max)} after)`,
            met: allSent && within,
            note:
              allSent && within
                ? undefined
                : !allSent
                  ? `${count(missing.length)} of ${count(n)} reminders were not sent within ${s(GRACE_MS)} of the due second ` +
                    `(see section b for what the server said of them). ${tail} ` +
                    (within ? '' : TASK_RATE_NOTE)
                  : TASK_RATE_NOTE,
          },
        ],
      };
    });
  } finally {
    await store.close();
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}
