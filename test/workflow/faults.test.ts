/**
 * A mail server that refuses a visit's messages for a while, on the time-skipping server: the
 * visit's other notices and its clocks go on (notices-apart), and every reminder that fell due is
 * sent late or recorded as skipped with the reason, none missing, none sent twice.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VisitActivities } from '../../activities';
import { actUpdate, statusQuery, workflowIdOf, type ActRequest } from '../../src/contract';
import type { Notice, VisitStatus } from '../../src/domain/visit';
import type { ActionName } from '../../src/domain/vocabulary';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { eventually, timeSkippingEnv, uniqueQueue, visitRequest, workflowBundle } from '../helpers';
import { OFFICER, iso, minus, plus, sleepUntil } from './fixture';

let env: TestWorkflowEnvironment;
beforeEach(async () => {
  env = await timeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

/** A worker whose notify refuses every notice `refuse` names (as a mail server that is down would), and records the rest. */
async function withFlakyMail(
  refuse: (n: Notice) => boolean,
  body: (ctx: {
    delivered: Notice[];
    attempts: Map<string, number>;
    act(action: ActionName, payload?: Record<string, unknown>, actor?: string): Promise<VisitStatus>;
    status(): Promise<VisitStatus>;
  }) => Promise<void>,
): Promise<void> {
  const taskQueue = uniqueQueue();
  const delivered: Notice[] = [];
  const attempts = new Map<string, number>();
  const activities: VisitActivities = {
    recordEvents: async (batch) => batch.events.length,
    notify: async (notice) => {
      attempts.set(notice.key, (attempts.get(notice.key) ?? 0) + 1);
      if (refuse(notice)) throw new Error('421 mail server unavailable');
      delivered.push(notice);
      return { sent: [], alreadySent: [], unresolved: [] };
    },
    sendDigest: async () => [],
    feedRegister: async () => {},
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  const request = visitRequest();
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('visitFollowUp', {
      taskQueue,
      workflowId: `${workflowIdOf(`${request.number}-${request.state}`)}-${taskQueue}`,
      args: [{ request, policy: resolvePolicy() }],
    });
    try {
      await body({
        delivered,
        attempts,
        status: () => handle.query(statusQuery),
        act: (action, payload = {}, actor = OFFICER) => {
          const req: ActRequest = { action, payload, actor: { email: actor }, door: 'cli' };
          return handle.executeUpdate(actUpdate, { args: [req] });
        },
      });
    } finally {
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test finished');
    }
  });
}

describe('a mail server refusing the State’s messages past the comment deadline', () => {
  it('ends the comment period on time, sends the other notices on time, and sends every reminder late or records it skipped, once', async () => {
    let down = false;
    const toState = (n: Notice) => n.to.includes('state-contact');
    await withFlakyMail(
      (n) => down && toState(n),
      async ({ delivered, attempts, act, status }) => {
        await act('submit-draft');
        await act('dispatch-draft');
        const dispatchedAt = Date.parse((await status()).history.at(-1)!.at);
        const deadline = plus(dispatchedAt, '30 days');
        await eventually(() => (delivered.some((n) => n.topic === 'draft-dispatched') ? true : undefined), 'the draft');
        down = true;

        // A minute past the deadline, the State's mail still refused since the first reminder (16 days):
        // the comment period has ended all the same, and the case officer has been told.
        await sleepUntil(env, deadline + 60_000);
        const s = await status();
        expect(s.stage).toBe('finalizing');
        expect(s.history.find((e) => e.type === 'no-comments-received')?.at).toBe(iso(deadline));
        await eventually(
          () => (delivered.some((n) => n.topic === 'no-comments-received') ? true : undefined),
          'the case officer told, though the State’s reminders are still refused',
        );
        const reminders = s.reminders.filter((r) => r.item === 'state-review');
        expect(reminders.map((r) => [r.kind, r.at, r.status])).toEqual([
          ['before', iso(minus(deadline, '14 days')), 'sent'],
          ['before', iso(minus(deadline, '3 days')), 'sent'],
        ]);
        expect(delivered.filter((n) => n.topic === 'reminder:state-review')).toEqual([]);
        const tried = [...attempts.entries()].filter(([k]) => k.includes(':reminder:state-review:'));
        expect(tried).toHaveLength(2);
        expect(tried.every(([, n]) => n > 1)).toBe(true);

        // The mail server takes them again: each reminder is sent once, late, and its record says so.
        down = false;
        await sleepUntil(env, deadline + 2 * 3_600_000);
        const sent = await eventually(() => {
          const got = delivered.filter((n) => n.topic === 'reminder:state-review');
          return got.length >= 2 ? got : undefined;
        }, 'the refused reminders sent late');
        expect(sent.map((n) => n.at).sort()).toEqual([iso(minus(deadline, '14 days')), iso(minus(deadline, '3 days'))]);
        const after = (await status()).reminders.filter((r) => r.item === 'state-review');
        expect(after.map((r) => r.status)).toEqual(['sent', 'sent']);
        for (const r of after) expect(r.reason).toMatch(/^sent \d+ minute\(s\) late \(the mail server did not take it/);
        expect(delivered.filter((n) => toState(n)).map((n) => n.topic)).toEqual([
          'draft-dispatched',
          'reminder:state-review',
          'reminder:state-review',
        ]);
      },
    );
  }, 120_000);
});
