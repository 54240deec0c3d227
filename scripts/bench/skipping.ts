/**
 * (c) One 24-month lifecycle on the time-skipping test server: a visit started, driven through every
 * step with the months between them skipped (comments after 30 days, adoption, the State's report
 * after 6 months, the follow-up report at 12), then left to run to 24 months with its consent
 * reminders. The worker runs the engine's real activities (SQLite store, outbox mailer, register).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actUpdate, statusQuery, type ActRequest } from '../../src/contract';
import type { VisitStatus } from '../../src/domain/visit';
import { Directory } from '../../src/infra/directory';
import { outboxMailer, type Mailer } from '../../src/infra/mail';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { startVisit } from '../../src/infra/temporal/visits';
import { createVisitWorker } from '../../src/worker';
import { timeSkippingEnv, visitRequest, workflowBundle } from '../../test/helpers';
import { log, ms, s, type BenchOptions, type Section } from './util';

const DAY = 86_400_000;
const OFFICER = { email: 'officer@cted.example.org', role: 'cted' };
const STATE = { email: 'focal.point@mission.example.org', role: 'state' };
const MEMBER = { email: 'member@committee.example.org', role: 'committee' };
const CHAIR = { email: 'chair@committee.example.org', role: 'chair' };

const nyDate = (atMs: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date(atMs));

export async function skippingSection(_o: BenchOptions): Promise<Section> {
  let t = performance.now();
  const env = await timeSkippingEnv();
  const serverMs = performance.now() - t;
  const dir = mkdtempSync(join(tmpdir(), 'followup-bench-c-'));
  const store = new SqliteStore(join(dir, 'followup.sqlite'));
  const outbox = outboxMailer(join(dir, 'outbox'));
  let messages = 0;
  const mailer: Mailer = {
    async send(m) {
      messages++;
      await outbox.send(m);
    },
    close: () => outbox.close(),
  };
  const taskQueue = 'bench-skipping';
  try {
    t = performance.now();
    const worker = await createVisitWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      deps: {
        store,
        mailer,
        directory: Directory.parse({
          secretariat: ['secretariat@un.example.org'],
          committee: [MEMBER.email],
          chair: [CHAIR.email],
        }),
        from: 'bench@localhost',
        temporal: env.client,
      },
    });
    const workerMs = performance.now() - t;
    let steps = 0;
    let final: VisitStatus | undefined;
    let months = 0;
    const wallMs = await worker.runUntil(async () => {
      const t0 = performance.now();
      const from = await env.currentTimeMs();
      const today = nyDate(from);
      const { handle } = await startVisit(
        env.client,
        visitRequest({ number: 1, state: 'POL', start: today, end: today }),
        resolvePolicy(),
        { taskQueue },
      );
      const act = async (action: string, actor: { email: string; role: string }, payload = {}) => {
        const req: ActRequest = { action: action as ActRequest['action'], payload, actor, door: 'api' };
        steps++;
        return handle.executeUpdate(actUpdate, { args: [req] });
      };
      const skip = (days: number) => env.sleep(days * DAY);
      await skip(10);
      await act('record-pao', OFFICER, { documentRef: 'PAO/1' });
      await act('refer-ta', OFFICER, { partners: ['UNODC'], needs: 'Border management', agreedOn: today });
      await act('submit-draft', OFFICER, { documentRef: 'DRAFT/1' });
      await act('dispatch-draft', OFFICER);
      await skip(20);
      await act('record-comments', STATE, { summary: 'Two factual corrections' });
      await act('submit-final-draft', OFFICER);
      await skip(5);
      await act('place-hold', MEMBER, { reason: 'Capital review' });
      await act('lift-hold', MEMBER);
      await act('object', MEMBER, { reason: 'Paragraph 12' });
      await act('record-adoption', CHAIR, { meetingDate: nyDate(await env.currentTimeMs()) });
      await act('transmit-report', CHAIR);
      await skip(3);
      await act('confirm-receipt', STATE);
      await skip(150);
      await act('submit-implementation-report', STATE, { summary: 'Steps taken' });
      await skip(200);
      final = await act('submit-follow-up-report', OFFICER, { documentRef: 'FU/1' });
      // The rest of the 24 months: closed, the visit still reminds the State of its consent to share.
      const end = from + 730 * DAY;
      const now = await env.currentTimeMs();
      if (end > now) await env.sleep(end - now);
      final = await handle.query(statusQuery);
      months = Math.round((((await env.currentTimeMs()) - from) / DAY / 365.25) * 12);
      return performance.now() - t0;
    });
    log(`(c) 24-month lifecycle: ${s(wallMs)} wall, ${steps} actions, ${messages} messages, stage ${final?.stage}`);
    const met = wallMs <= 2000 && final?.stage === 'closed';
    return {
      title: 'c. One 24-month lifecycle on the time-skipping server',
      body: [
        `One visit on the pinned time-skipping test server: started, its ${steps} actions taken with the months between ` +
          "them skipped (dispatch after 10 days, comments 20 days later, adoption 5 days later, receipt, the State's " +
          'report 5 months later, the follow-up report 7 months after that), then run on to 24 months from its start ' +
          `(${months} months of workflow time). The worker runs the engine's real activities; ${messages} messages ` +
          `went to the outbox. Final stage: \`${final?.stage}\`.`,
        '',
        '| lifecycle wall time | server start | worker creation (with the workflow bundle) |',
        '| ---: | ---: | ---: |',
        `| ${ms(wallMs)} | ${ms(serverMs)} | ${ms(workerMs)} |`,
      ],
      targets: [
        {
          what: 'One 24-month lifecycle on the time-skipping server',
          target: '≤ 2 s wall',
          measured: `${s(wallMs)} (${steps} actions, ${messages} messages, ${months} months)`,
          met,
          note: met
            ? undefined
            : final?.stage !== 'closed'
              ? `the visit ended at stage ${final?.stage}, not closed.`
              : 'each skip makes the test server fire every timer in it in order, each a workflow task and, for ' +
                'reminders, a notify activity, one after the other; fewer timers (one timer for the next due ' +
                'reminder rather than one per reminder) would shorten it.',
        },
      ],
    };
  } finally {
    await store.close();
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}
