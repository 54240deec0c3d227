/** The State's 30-day comment period, at its real length on the time-skipping server. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { timeSkippingEnv } from '../helpers';
import {
  DAY,
  FOCAL_POINT,
  SECRETARIAT,
  advanceTo,
  iso,
  minus,
  plus,
  sleepUntil,
  withVisit,
  type VisitRun,
} from './fixture';

const { EventType } = temporal.api.enums.v1;
let env: TestWorkflowEnvironment;
const acceptedUpdates = async (run: VisitRun) =>
  (await run.handle.fetchHistory()).events?.filter(
    (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  ).length;
// One server per test: each test starts at today's date and no earlier test's clocks are pending.
beforeEach(async () => {
  env = await timeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

describe('state review (30 days)', () => {
  it('proceeds to finalizing with "no comments received" when 30 days pass in silence', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'state-review');
      const dispatchedAt = Date.parse((await run.status()).history.at(-1)!.at);
      const deadline = iso(plus(dispatchedAt, '30 days'));
      let s = await run.status();
      expect(s.stage).toBe('state-review');
      expect(s.openItems.find((o) => o.item === 'state-review')?.deadline).toBe(deadline);
      expect(await run.eventsSent('draft-dispatched')).toEqual([`state-contact ${deadline}`]);

      await sleepUntil(env, Date.parse(deadline) - 60_000);
      s = await run.status();
      expect(s.stage).toBe('state-review');

      await env.sleep(2 * 60_000);
      s = await run.status();
      expect(s.stage).toBe('finalizing');
      const expired = s.history.find((e) => e.type === 'no-comments-received');
      expect(expired?.at).toBe(deadline);
      expect(s.closedItems.find((c) => c.item === 'state-review')?.outcome).toBe('no-comments-received');
      // Finalizing: 15 days from the end of the comment period.
      expect(s.openItems.find((o) => o.item === 'finalizing')?.deadline).toBe(
        iso(plus(Date.parse(deadline), '15 days')),
      );
      expect(run.reminders('state-review')).toEqual([
        `before state-contact @ ${iso(minus(Date.parse(deadline), '14 days'))}`,
        `before state-contact @ ${iso(minus(Date.parse(deadline), '3 days'))}`,
      ]);
      expect(await run.eventsSent('no-comments-received')).toEqual([
        `case-officer ${iso(plus(Date.parse(deadline), '15 days'))}`,
      ]);
    });
  });

  it('stops reminding the moment comments arrive', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'state-review');
      await env.sleep(20 * DAY);
      expect(run.reminders('state-review')).toHaveLength(1); // the 14-days-before reminder (day 16)
      const s = await run.act('record-comments', { summary: 'Two corrections' }, FOCAL_POINT);
      expect(s.stage).toBe('finalizing');
      expect(s.openItems.map((o) => o.item)).not.toContain('state-review');
      await env.sleep(15 * DAY);
      expect(run.reminders('state-review')).toHaveLength(1);
      const after = await run.status();
      expect(after.stage).toBe('finalizing');
      expect(after.history.map((e) => e.type)).not.toContain('no-comments-received');
      const comments = after.history.find((e) => e.type === 'record-comments');
      expect(comments).toMatchObject({ actor: FOCAL_POINT, door: 'cli', payload: { summary: 'Two corrections' } });
    });
  });

  it('moves the deadline and its reminders by 15 days when an extension is granted', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'state-review');
      const original = Date.parse((await run.status()).openItems.find((o) => o.item === 'state-review')!.deadline!);
      await env.sleep(10 * DAY);
      await run.act('request-extension', { reason: 'Inter-ministerial consultation' }, FOCAL_POINT);
      expect((await run.status()).allowedActions.map((a) => a.action)).toContain('grant-extension');
      const s = await run.act('grant-extension', {}, SECRETARIAT);
      const extended = plus(original, '15 days');
      expect(s.extension).toBe('granted');
      expect(s.openItems.find((o) => o.item === 'state-review')?.deadline).toBe(iso(extended));
      expect(s.allowedActions.map((a) => a.action)).not.toContain('request-extension');
      expect(await run.eventsSent('extension-requested')).toEqual([`secretariat+case-officer ${iso(original)}`]);
      expect(await run.eventsSent('extension-granted')).toEqual([`state-contact+case-officer ${iso(extended)}`]);

      await env.sleep(31 * DAY); // past the original deadline: still under review
      expect((await run.status()).stage).toBe('state-review');
      await env.sleep(15 * DAY);
      const done = await run.status();
      expect(done.stage).toBe('finalizing');
      expect(done.history.find((e) => e.type === 'no-comments-received')?.at).toBe(iso(extended));
      // Reminders follow the new deadline; none is sent for the superseded one after the move.
      expect(run.reminders('state-review')).toEqual([
        `before state-contact @ ${iso(minus(extended, '14 days'))}`,
        `before state-contact @ ${iso(minus(extended, '3 days'))}`,
      ]);
    });
  });

  it('holds the review open past the 30th day while an extension request is pending, then counts 15 days from the original deadline', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'state-review');
      const original = Date.parse((await run.status()).openItems.find((o) => o.item === 'state-review')!.deadline!);
      await sleepUntil(env, original - 2 * DAY);
      await run.act('request-extension', { reason: 'Awaiting the ministry' }, FOCAL_POINT);
      await sleepUntil(env, original + 2 * DAY); // the 30 days ran out while the request was pending
      const pending = await run.status();
      expect(pending.stage).toBe('state-review');
      expect(pending.extension).toBe('requested');
      expect(pending.history.map((e) => e.type)).not.toContain('no-comments-received');
      expect(pending.allowedActions.map((a) => a.action)).toEqual(
        expect.arrayContaining(['record-comments', 'grant-extension', 'refuse-extension']),
      );

      const granted = await run.act('grant-extension', {}, SECRETARIAT);
      const extended = plus(original, '15 days');
      expect(granted.openItems.find((o) => o.item === 'state-review')?.deadline).toBe(iso(extended));
      await sleepUntil(env, extended - 60_000);
      expect((await run.status()).stage).toBe('state-review');
      await sleepUntil(env, extended + 60_000);
      const done = await run.status();
      expect(done.stage).toBe('finalizing');
      expect(done.history.find((e) => e.type === 'no-comments-received')?.at).toBe(iso(extended));
    });
  });

  it('refuse-extension: the State is told why and the review ends at the original deadline', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'state-review');
      const original = Date.parse((await run.status()).openItems.find((o) => o.item === 'state-review')!.deadline!);
      await sleepUntil(env, original - 10 * DAY);
      await run.act('request-extension', { reason: 'Elections' }, FOCAL_POINT);
      await expect(run.act('refuse-extension', {}, SECRETARIAT)).rejects.toMatchObject({
        cause: { type: 'InvalidPayload', message: expect.stringContaining('reason') },
      });
      const refused = await run.act('refuse-extension', { reason: 'The Committee meets on the 20th' }, SECRETARIAT);
      expect(refused.extension).toBe('refused');
      expect(refused.openItems.find((o) => o.item === 'state-review')?.deadline).toBe(iso(original));
      expect(refused.allowedActions.map((a) => a.action)).not.toEqual(expect.arrayContaining(['request-extension']));
      expect(refused.allowedActions.map((a) => a.action)).not.toContain('grant-extension');
      expect(refused.history.at(-1)).toMatchObject({
        type: 'refuse-extension',
        actor: SECRETARIAT,
        payload: { reason: 'The Committee meets on the 20th' },
      });
      expect(await run.eventsSent('extension-refused')).toEqual([`state-contact+case-officer ${iso(original)}`]);

      await sleepUntil(env, original + 60_000);
      const done = await run.status();
      expect(done.stage).toBe('finalizing');
      expect(done.history.find((e) => e.type === 'no-comments-received')?.at).toBe(iso(original));
    });
  });

  it('refuse-extension after the 30th day ends the review at once, with no comments received', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'state-review');
      const original = Date.parse((await run.status()).openItems.find((o) => o.item === 'state-review')!.deadline!);
      await sleepUntil(env, original - DAY);
      await run.act('request-extension', {}, FOCAL_POINT);
      await sleepUntil(env, original + 3 * DAY);
      const refused = await run.act('refuse-extension', { reason: 'Out of time' }, SECRETARIAT);
      const at = Date.parse(refused.history.at(-1)!.at);
      expect(refused.stage).toBe('finalizing');
      expect(refused.closedItems.find((c) => c.item === 'state-review')).toMatchObject({
        outcome: 'no-comments-received',
        closedAt: iso(at),
      });
      expect(refused.openItems.find((o) => o.item === 'finalizing')?.deadline).toBe(iso(plus(at, '15 days')));
    });
  });

  it('refuses a second extension request and an action the stage does not allow, writing nothing', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'state-review');
      await run.act('request-extension', {}, FOCAL_POINT);
      await run.eventsSent('extension-requested');
      const before = await run.status();
      await expect(run.act('request-extension', {}, FOCAL_POINT)).rejects.toMatchObject({
        cause: {
          type: 'ActionNotAllowed',
          message: expect.stringContaining(
            'allowed now: record-pao, refer-ta, record-comments, grant-extension, refuse-extension, record-recommendations, withdraw',
          ),
        },
      });
      await expect(run.act('transmit-report')).rejects.toMatchObject({
        cause: {
          type: 'ActionNotAllowed',
          message: expect.stringContaining(
            'transmit-report is not allowed while visit 166-POL is at stage state-review',
          ),
        },
      });
      await expect(run.act('record-comments', { colour: 'red' }, FOCAL_POINT)).rejects.toMatchObject({
        cause: { type: 'InvalidPayload', message: expect.stringContaining('colour') },
      });
      const after = await run.status();
      expect(after.history).toEqual(before.history);
      // Accepted updates: submit-draft, dispatch-draft, request-extension; the refused ones left no trace.
      expect(await acceptedUpdates(run)).toBe(3);
    });
  });
});
