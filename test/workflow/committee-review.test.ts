/** The Committee's no-objection procedure: silence adopts, a hold stops the clock, an objection waits for a meeting. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newYorkInstant, newYorkOffsetHours } from '../../src/domain/calendar';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { timeSkippingEnv } from '../helpers';
import { CHAIR, MEMBER, addDays, advanceTo, iso, nextMonday, plus, sleepUntil, withVisit } from './fixture';

let env: TestWorkflowEnvironment;
beforeEach(async () => {
  env = await timeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

describe('committee review (5 working days of silence)', () => {
  it('adopts by silence after 5 working days, skipping a weekend and a UN holiday', async () => {
    const monday = nextMonday(await env.currentTimeMs());
    const holiday = addDays(monday, 2); // Wednesday
    const policy = resolvePolicy({ calendar: { holidays: [holiday] } });
    await withVisit(env, { policy }, async (run) => {
      await advanceTo(run, 'finalizing');
      await sleepUntil(env, newYorkInstant(monday, '10:00:00.000'));
      const s = await run.act('submit-final-draft');
      // Tue (1), Wed holiday, Thu (2), Fri (3), weekend, Mon (4), Tue (5): same New York time on the Tuesday after.
      const submitted = Date.parse(s.history.at(-1)!.at);
      const wallClock = new Date(submitted + newYorkOffsetHours(submitted) * 3_600_000).toISOString().slice(11, 23);
      expect(wallClock.slice(0, 5)).toBe('10:00');
      const deadline = iso(newYorkInstant(addDays(monday, 8), wallClock));
      expect(s.stage).toBe('committee-review');
      expect(s.openItems.find((o) => o.item === 'committee-review')?.deadline).toBe(deadline);
      expect(await run.eventsSent('no-objection-procedure')).toEqual([`committee+chair+secretariat ${deadline}`]);

      await sleepUntil(env, Date.parse(deadline) - 60_000);
      expect((await run.status()).stage).toBe('committee-review');
      await sleepUntil(env, Date.parse(deadline) + 60_000);
      const adopted = await run.status();
      expect(adopted.stage).toBe('transmitting');
      expect(adopted.adoptedAt).toBe(deadline);
      expect(adopted.history.find((e) => e.type === 'adopted-by-silence')).toMatchObject({
        at: deadline,
        door: 'engine',
      });
      const transmitBy = iso(plus(Date.parse(deadline), '5 working days'));
      expect(
        adopted.openItems
          .filter((o) => o.item === 'transmitting' || o.item === 'cted-follow-up-report')
          .map((o) => [o.item, o.deadline]),
      ).toEqual([
        ['transmitting', transmitBy],
        ['cted-follow-up-report', iso(plus(Date.parse(deadline), '12 months'))],
      ]);
      expect(await run.eventsSent('report-adopted')).toEqual([`case-officer+chair+secretariat ${transmitBy}`]);
      expect(adopted.allowedActions.map((a) => a.action)).toEqual(
        expect.arrayContaining(['transmit-report', 'submit-follow-up-report', 'invite-briefing']),
      );
    });
  });

  it('stops the clock during a hold and restarts it with the time that was left', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'committee-review');
      const s0 = await run.status();
      const deadline = Date.parse(s0.openItems.find((o) => o.item === 'committee-review')!.deadline!);
      const submitted = Date.parse(s0.history.at(-1)!.at);
      await env.sleep('1 day');
      const held = await run.act('place-hold', { reason: 'Capital review' }, MEMBER);
      const heldAt = Date.parse(held.history.at(-1)!.at);
      expect(held.committee.holds).toEqual([{ by: MEMBER, at: iso(heldAt), reason: 'Capital review' }]);
      expect(held.openItems.find((o) => o.item === 'committee-review')).toMatchObject({ deadline: null, paused: true });
      expect(held.allowedActions.map((a) => a.action)).toEqual(expect.arrayContaining(['lift-hold', 'object']));
      await expect(run.act('place-hold', {}, MEMBER)).rejects.toMatchObject({ cause: { type: 'ActionNotAllowed' } });

      await env.sleep('30 days'); // far past the original deadline: still held, not adopted
      expect((await run.status()).stage).toBe('committee-review');

      const lifted = await run.act('lift-hold', {}, MEMBER);
      const liftedAt = Date.parse(lifted.history.at(-1)!.at);
      const restarted = liftedAt + (deadline - heldAt);
      expect(lifted.openItems.find((o) => o.item === 'committee-review')).toMatchObject({
        deadline: iso(restarted),
        paused: false,
      });
      expect(await run.eventsSent('hold-placed')).toEqual(['secretariat+chair+case-officer']);
      expect(await run.eventsSent('hold-lifted')).toEqual([`secretariat+chair+case-officer ${iso(restarted)}`]);

      await sleepUntil(env, restarted + 60_000);
      const adopted = await run.status();
      expect(adopted.stage).toBe('transmitting');
      expect(adopted.adoptedAt).toBe(iso(restarted));
      expect(restarted - submitted).toBeGreaterThan(30 * 86_400_000);
    });
  });

  it('waits for a meeting after an objection: adoption recorded by the Chair', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'committee-review');
      const objected = await run.act('object', { reason: 'Paragraph 12 needs discussion' }, MEMBER);
      expect(objected.committee.objection).toMatchObject({ by: MEMBER, reason: 'Paragraph 12 needs discussion' });
      expect(objected.allowedActions.map((a) => a.action)).toEqual([
        'record-pao',
        'refer-ta',
        'record-adoption',
        'return-to-cted',
        'withdraw',
      ]);
      expect(await run.eventsSent('objection-raised')).toEqual(['secretariat+chair+committee+case-officer']);

      await env.sleep('60 days'); // no silence adoption while an objection stands
      expect((await run.status()).stage).toBe('committee-review');
      const adopted = await run.act('record-adoption', { meetingDate: '2027-01-20' }, CHAIR);
      expect(adopted.stage).toBe('transmitting');
      expect(adopted.closedItems.find((c) => c.item === 'committee-review')?.outcome).toBe('adopted-at-meeting');
      expect(adopted.history.at(-1)).toMatchObject({
        type: 'record-adoption',
        actor: CHAIR,
        payload: { meetingDate: '2027-01-20' },
      });
    });
  });

  it('returns the report to CTED after an objection, with a new 15-day finalizing clock', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'committee-review');
      await run.act('object', { reason: 'Inaccurate' }, MEMBER);
      const back = await run.act('return-to-cted', { reason: 'Revise section 3' }, CHAIR);
      const at = Date.parse(back.history.at(-1)!.at);
      expect(back.stage).toBe('finalizing');
      expect(back.committee).toEqual({ holds: [], objection: null });
      expect(back.openItems.find((o) => o.item === 'finalizing')?.deadline).toBe(iso(plus(at, '15 days')));
      expect(await run.eventsSent('returned-to-cted')).toEqual([
        `case-officer+secretariat ${iso(plus(at, '15 days'))}`,
      ]);
      const again = await run.act('submit-final-draft');
      expect(again.stage).toBe('committee-review');
      expect(again.allowedActions.map((a) => a.action)).toContain('place-hold');
    });
  });
});
