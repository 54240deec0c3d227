/** The Committee's no-objection procedure: silence adopts, a hold stops the clock, an objection waits for a meeting. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  endOfNewYorkDay,
  isWorkingDay,
  newYorkDate,
  newYorkInstant,
  newYorkOffsetHours,
  type WorkingCalendar,
} from '../../src/domain/calendar';
import { timeSkippingEnv } from '../helpers';
import {
  CHAIR,
  MEMBER,
  SECRETARIAT,
  addDays,
  advanceTo,
  calendarPolicy,
  iso,
  nextMonday,
  plus,
  sleepUntil,
  withVisit,
} from './fixture';

let env: TestWorkflowEnvironment;
beforeEach(async () => {
  env = await timeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

/** The working day `n` working days after a date, walking the calendar one date at a time. */
function workingDaysAfter(date: string, n: number, cal: WorkingCalendar): string {
  let d = date;
  for (let left = n; left > 0;) {
    d = addDays(d, 1);
    if (isWorkingDay(d, cal)) left--;
  }
  return d;
}
function previousWorkingDay(date: string, cal: WorkingCalendar): string {
  let d = addDays(date, -1);
  while (!isWorkingDay(d, cal)) d = addDays(d, -1);
  return d;
}
/** The next Christmas closure at least three weeks away (observed on the Friday or Monday when it falls on a weekend). */
function nextChristmas(nowMs: number): string {
  let year = Number(newYorkDate(nowMs).slice(0, 4));
  if (newYorkDate(nowMs) > `${year}-12-04`) year++;
  const day = new Date(`${year}-12-25T12:00:00Z`).getUTCDay();
  return addDays(`${year}-12-25`, day === 6 ? -1 : day === 0 ? 1 : 0);
}

describe('committee review (5 working days of silence)', () => {
  it('adopts by silence after 5 working days, skipping a weekend and a UN holiday', async () => {
    const monday = nextMonday(await env.currentTimeMs());
    const holiday = addDays(monday, 2); // Wednesday
    const policy = calendarPolicy([holiday]);
    await withVisit(env, { policy }, async (run) => {
      await advanceTo(run, 'finalizing');
      await sleepUntil(env, newYorkInstant(monday, '10:00:00.000'));
      const s = await run.act('submit-final-draft');
      // Tue (1), Wed holiday, Thu (2), Fri (3), weekend, Mon (4), Tue (5): close of business on the Tuesday after.
      const submitted = Date.parse(s.history.at(-1)!.at);
      const wallClock = new Date(submitted + newYorkOffsetHours(submitted) * 3_600_000).toISOString().slice(11, 16);
      expect(wallClock).toBe('10:00');
      const deadline = iso(endOfNewYorkDay(addDays(monday, 8)));
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
      const transmitBy = iso(plus(Date.parse(deadline), '5 working days', policy));
      expect(
        adopted.openItems
          .filter((o) => o.item === 'transmitting' || o.item === 'cted-follow-up-report')
          .map((o) => [o.item, o.deadline]),
      ).toEqual([
        ['transmitting', transmitBy],
        ['cted-follow-up-report', iso(plus(Date.parse(deadline), '12 months', policy))],
      ]);
      expect(await run.eventsSent('report-adopted')).toEqual([`case-officer+chair+secretariat ${transmitBy}`]);
      expect(adopted.allowedActions.map((a) => a.action)).toEqual(
        expect.arrayContaining(['transmit-report', 'submit-follow-up-report', 'invite-briefing']),
      );
    });
  });

  it('keeps the working days left on a hold placed and lifted across a weekend; only the member who placed it lifts it', async () => {
    const monday = nextMonday(await env.currentTimeMs());
    await withVisit(env, { policy: calendarPolicy([]) }, async (run) => {
      await advanceTo(run, 'finalizing');
      await sleepUntil(env, newYorkInstant(monday, '10:00:00.000'));
      const s0 = await run.act('submit-final-draft');
      // Tue, Wed, Thu, Fri, Mon: by close of business on the next Monday.
      expect(s0.openItems.find((o) => o.item === 'committee-review')?.deadline).toBe(
        iso(endOfNewYorkDay(addDays(monday, 7))),
      );

      await sleepUntil(env, newYorkInstant(addDays(monday, 3), '15:00:00.000')); // Thursday
      const held = await run.act('place-hold', { reason: 'Capital review' }, MEMBER);
      const heldAt = Date.parse(held.history.at(-1)!.at);
      expect(held.committee.holds).toEqual([{ by: MEMBER, at: iso(heldAt), reason: 'Capital review' }]);
      expect(held.openItems.find((o) => o.item === 'committee-review')).toMatchObject({ deadline: null, paused: true });
      expect(held.allowedActions.map((a) => a.action)).toEqual(expect.arrayContaining(['lift-hold', 'object']));
      await expect(run.act('place-hold', {}, MEMBER)).rejects.toMatchObject({ cause: { type: 'ActionNotAllowed' } });

      await sleepUntil(env, newYorkInstant(addDays(monday, 5), '11:00:00.000')); // Saturday
      expect((await run.status()).stage).toBe('committee-review');
      // Another member may not lift it, nor may the secretariat without naming the member who placed it.
      await expect(run.act('lift-hold', {}, CHAIR)).rejects.toMatchObject({
        cause: { type: 'ActionNotAllowed', message: expect.stringContaining(MEMBER) },
      });
      await expect(run.act('lift-hold', { onBehalfOf: CHAIR }, SECRETARIAT)).rejects.toMatchObject({
        cause: { type: 'ActionNotAllowed' },
      });
      const lifted = await run.act('lift-hold', { onBehalfOf: MEMBER }, SECRETARIAT);
      // Two working days were left (Friday, Monday): Monday and Tuesday after the Saturday lifting.
      const restarted = endOfNewYorkDay(addDays(monday, 8));
      expect(new Date(`${addDays(monday, 8)}T12:00:00Z`).getUTCDay()).toBe(2);
      expect(lifted.openItems.find((o) => o.item === 'committee-review')).toMatchObject({
        deadline: iso(restarted),
        paused: false,
      });
      expect(lifted.committee.holds).toEqual([]);
      expect(lifted.history.at(-1)).toMatchObject({
        type: 'lift-hold',
        actor: SECRETARIAT,
        payload: { onBehalfOf: MEMBER },
      });
      expect(await run.eventsSent('hold-placed')).toEqual(['secretariat+chair+case-officer']);
      expect(await run.eventsSent('hold-lifted')).toEqual([`secretariat+chair+case-officer ${iso(restarted)}`]);

      await sleepUntil(env, restarted - 60_000);
      expect((await run.status()).stage).toBe('committee-review');
      await sleepUntil(env, restarted + 60_000);
      const adopted = await run.status();
      expect(adopted.stage).toBe('transmitting');
      expect(adopted.adoptedAt).toBe(iso(restarted));
    });
  });

  it('keeps the working days left on a hold lifted just before Christmas: the closure is not counted', async () => {
    const now = await env.currentTimeMs();
    const christmas = nextChristmas(now);
    const policy = calendarPolicy([christmas]);
    const cal = policy.calendar;
    // Lifted on the last working day before Christmas; placed the working day after a submission ten days earlier.
    const lift = previousWorkingDay(christmas, cal);
    const submit = previousWorkingDay(addDays(lift, -9), cal);
    const hold = workingDaysAfter(submit, 1, cal);
    expect(Date.parse(`${submit}T00:00:00Z`)).toBeGreaterThan(now);
    await withVisit(env, { policy }, async (run) => {
      await advanceTo(run, 'finalizing');
      await sleepUntil(env, newYorkInstant(submit, '10:00:00.000'));
      const s0 = await run.act('submit-final-draft');
      const deadline = endOfNewYorkDay(workingDaysAfter(submit, 5, cal));
      expect(s0.openItems.find((o) => o.item === 'committee-review')?.deadline).toBe(iso(deadline));

      await sleepUntil(env, newYorkInstant(hold, '16:00:00.000'));
      const held = await run.act('place-hold', { reason: 'Capital review' }, MEMBER);
      const heldAt = Date.parse(held.history.at(-1)!.at);
      await sleepUntil(env, newYorkInstant(lift, '09:30:00.000'));
      const lifted = await run.act('lift-hold', {}, MEMBER);
      const liftedAt = Date.parse(lifted.history.at(-1)!.at);
      // Four working days were left when the hold was placed; they resume after Christmas.
      const adoptOn = workingDaysAfter(lift, 4, cal);
      const restarted = endOfNewYorkDay(adoptOn);
      expect(lifted.openItems.find((o) => o.item === 'committee-review')?.deadline).toBe(iso(restarted));
      expect(adoptOn > christmas).toBe(true);
      // Handing back the time left (the old rule) would have taken a working day away at Christmas.
      expect(restarted).toBeGreaterThan(liftedAt + (deadline - heldAt));

      await sleepUntil(env, restarted - 60_000);
      expect((await run.status()).stage).toBe('committee-review');
      await sleepUntil(env, restarted + 60_000);
      const adopted = await run.status();
      expect(adopted.stage).toBe('transmitting');
      expect(adopted.adoptedAt).toBe(iso(restarted));
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
