/**
 * Against the real Temporal dev server, real SMTP and a real SQLite file: search attributes and
 * list queries; a worker stopped mid-stage and restarted loses and doubles no reminder.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Directory } from '../../src/infra/directory';
import { smtpMailer } from '../../src/infra/mail';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { actOnVisit, listVisits, startVisit, visitStatus } from '../../src/infra/temporal/visits';
import { createVisitWorker } from '../../src/worker';
import { devServerEnv, eventually, uniqueQueue, visitRequest, workflowBundle } from '../helpers';
import { startSmtp, type TestSmtp } from '../smtp';

let env: TestWorkflowEnvironment;
let smtp: TestSmtp;
let dir: string;
const directory = Directory.parse({
  secretariat: ['secretariat@un.example.org'],
  committee: ['member@committee.example.org'],
  chair: ['chair@committee.example.org'],
});

beforeAll(async () => {
  [env, smtp] = await Promise.all([devServerEnv(), startSmtp()]);
  dir = mkdtempSync(join(tmpdir(), 'followup-it-'));
});
afterAll(async () => {
  await Promise.all([env?.teardown(), smtp?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function worker(taskQueue: string, store: SqliteStore): Promise<Worker> {
  return createVisitWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    deps: {
      store,
      mailer: smtpMailer(smtp.url),
      directory,
      from: 'CTC follow-up <followup@un.example.org>',
      temporal: env.client,
    },
  });
}

describe('search attributes and list queries', () => {
  it('finds visits by stage, State, group and overdue', async () => {
    const taskQueue = uniqueQueue();
    const store = new SqliteStore(join(dir, 'list.sqlite'));
    const w = await worker(taskQueue, store);
    const policy = resolvePolicy();
    await w.runUntil(async () => {
      const now = new Date();
      // 2019: long past, so its PAO, TA referral and draft are overdue (no reminder storm: remindersFrom = now).
      await startVisit(
        env.client,
        visitRequest({ number: 164, state: 'MDV', end: '2019-10-31', start: '2019-10-27' }),
        policy,
        { taskQueue, remindersFrom: now },
      );
      const end = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
      await startVisit(env.client, visitRequest({ number: 300, state: 'NOR', end, start: end }), policy, { taskQueue });
      await startVisit(
        env.client,
        visitRequest({ number: 301, state: 'KAZ', type: 'regional', groupId: 'central-asia-2026', end, start: end }),
        policy,
        { taskQueue },
      );
      await startVisit(
        env.client,
        visitRequest({ number: 301, state: 'UZB', type: 'regional', groupId: 'central-asia-2026', end, start: end }),
        policy,
        { taskQueue },
      );
      await actOnVisit(env.client, '300-NOR', {
        action: 'submit-draft',
        payload: {},
        actor: { email: 'officer@cted.example.org' },
        door: 'cli',
      });
      await actOnVisit(env.client, '300-NOR', {
        action: 'dispatch-draft',
        payload: {},
        actor: { email: 'officer@cted.example.org' },
        door: 'cli',
      });

      const inReview = await eventually(async () => {
        const l = await listVisits(env.client, { stage: 'state-review' });
        return l.length === 1 ? l : undefined;
      }, 'the visit in state review to be listed');
      const nor = await visitStatus(env.client, '300-NOR');
      expect(inReview).toEqual([
        {
          id: '300-NOR',
          stage: 'state-review',
          state: 'NOR',
          type: 'comprehensive',
          nextDeadline: nor.nextDeadline,
          overdue: false,
        },
      ]);

      const overdue = await eventually(async () => {
        const l = await listVisits(env.client, { overdue: true });
        return l.length === 1 ? l : undefined;
      }, 'the overdue visit to be listed');
      expect(overdue.map((v) => [v.id, v.stage, v.overdue])).toEqual([['164-MDV', 'drafting', true]]);
      const mdv = await visitStatus(env.client, '164-MDV');
      expect(mdv.openItems.filter((o) => o.overdue).map((o) => o.item)).toEqual(['pao', 'ta-referral', 'drafting']);
      expect(mdv.reminders).toEqual([]);

      const group = await env.client.workflow.list({ query: `VisitGroup = 'central-asia-2026'` });
      const ids: string[] = [];
      for await (const wf of group) ids.push(wf.workflowId);
      expect(ids.sort()).toEqual(['visit-301-KAZ', 'visit-301-UZB']);
      expect((await listVisits(env.client, { state: 'KAZ' })).map((v) => v.id)).toEqual(['301-KAZ']);
      expect((await listVisits(env.client)).map((v) => v.id)).toEqual(['164-MDV', '300-NOR', '301-KAZ', '301-UZB']);

      // A visit id cannot be started twice.
      await expect(
        startVisit(env.client, visitRequest({ number: 300, state: 'NOR', end, start: end }), policy, { taskQueue }),
      ).rejects.toThrow(/already started/i);
      for (const id of ['164-MDV', '300-NOR', '301-KAZ', '301-UZB']) {
        await actOnVisit(env.client, id, {
          action: 'withdraw',
          payload: { reason: 'test finished' },
          actor: { email: 'secretariat@un.example.org' },
          door: 'cli',
        });
      }
    });
    await store.close();
  });
});

describe('a worker stopped and restarted mid-stage', () => {
  it('sends every reminder exactly once, late rather than never', async () => {
    const taskQueue = uniqueQueue();
    const file = join(dir, 'restart.sqlite');
    const policy = resolvePolicy({
      clocks: { 'state-review': '50 seconds', finalizing: '1 hour' },
      reminders: {
        'state-review': { to: ['state-contact'], before: ['40 seconds', '10 seconds'] },
        pao: null,
        'ta-referral': null,
        drafting: null,
        finalizing: null,
      },
    });
    const visit = visitRequest({
      number: 310,
      state: 'CHL',
      end: new Date().toISOString().slice(0, 10),
      start: new Date().toISOString().slice(0, 10),
    });
    const mails = () => smtp.received.filter((m) => m.visitId === '310-CHL');

    const store1 = new SqliteStore(file);
    const first = await worker(taskQueue, store1);
    const firstRun = first.run();
    await startVisit(env.client, visit, policy, { taskQueue });
    await actOnVisit(env.client, '310-CHL', {
      action: 'submit-draft',
      payload: {},
      actor: { email: visit.caseOfficer },
      door: 'cli',
    });
    const dispatched = await actOnVisit(env.client, '310-CHL', {
      action: 'dispatch-draft',
      payload: {},
      actor: { email: visit.caseOfficer },
      door: 'cli',
    });
    const t0 = Date.parse(dispatched.history.at(-1)!.at);
    // The focal point's e-mail and the Permanent Mission's note verbale.
    await eventually(() => (mails().length === 2 ? true : undefined), 'the draft to reach the State');
    first.shutdown();
    await firstRun;
    await store1.close();

    // The worker stays down across the first reminder (due at t0 + 10 s), and is back well before the second (t0 + 40 s).
    await eventually(
      () => (Date.now() > t0 + 13_000 ? true : undefined),
      'the outage to span the first reminder',
      20_000,
    );
    expect(mails()).toHaveLength(2);

    const store2 = new SqliteStore(file);
    const second = await worker(taskQueue, store2);
    await second.runUntil(async () => {
      await eventually(
        () => (mails().some((m) => m.topic === 'no-comments-received') ? true : undefined),
        'the comment period to end',
        90_000,
      );
      const got = mails().map((m) => `${m.topic} -> ${m.to.join(',')}`);
      expect(got).toEqual([
        'draft-dispatched -> focal.point@mission.example.org',
        'draft-dispatched -> mission@mission.example.org',
        'reminder:state-review -> focal.point@mission.example.org',
        'reminder:state-review -> focal.point@mission.example.org',
        'no-comments-received -> officer@cted.example.org',
      ]);
      expect(new Set(mails().map((m) => m.messageId)).size).toBe(5);
      const status = await visitStatus(env.client, '310-CHL');
      expect(status.stage).toBe('finalizing');
      expect(status.reminders.map((r) => [r.kind, r.status, r.at])).toEqual([
        ['before', 'sent', new Date(t0 + 10_000).toISOString()],
        ['before', 'sent', new Date(t0 + 40_000).toISOString()],
      ]);
      expect(await store2.messages('310-CHL')).toHaveLength(5);
      expect((await store2.events('310-CHL')).map((e) => e.type)).toEqual([
        'visit-started',
        'submit-draft',
        'dispatch-draft',
        'no-comments-received',
      ]);
      await actOnVisit(env.client, '310-CHL', {
        action: 'withdraw',
        payload: { reason: 'test finished' },
        actor: { email: 'secretariat@un.example.org' },
        door: 'cli',
      });
    });
    await store2.close();
  }, 180_000);
});
