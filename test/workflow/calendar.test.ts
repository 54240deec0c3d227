/** A corrected UN calendar published to a running visit: its working-day deadlines move, and whoever waits on them is told. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishCalendarUpdate, type CalendarPublication } from '../../src/contract';
import { endOfNewYorkDay, newYorkDate, newYorkInstant } from '../../src/domain/calendar';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { timeSkippingEnv } from '../helpers';
import { addDays, advanceTo, iso, nextMonday, sleepUntil, withVisit } from './fixture';

let env: TestWorkflowEnvironment;
beforeEach(async () => {
  env = await timeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

describe('publishing a corrected calendar to a running visit', () => {
  it('moves the silence deadline over a newly listed closure, ends its provisional mark, tells the Committee, and takes each version once', async () => {
    const monday = nextMonday(await env.currentTimeMs());
    // The visit started under a calendar that ends on the Tuesday: the deadline after it counts weekends only.
    const policy = resolvePolicy({ calendar: { holidays: [], floating: [], coveredUntil: addDays(monday, 1) } });
    await withVisit(env, { policy }, async (run) => {
      // The drafting-time clocks (PAO, TA referral) closed first: only the Committee's deadline is open.
      await run.act('record-pao', { documentRef: 'PAO/166' });
      await run.act('refer-ta', { partners: ['UNODC'], agreedOn: newYorkDate(await env.currentTimeMs()) });
      await advanceTo(run, 'finalizing');
      await sleepUntil(env, newYorkInstant(monday, '10:00:00.000'));
      const submitted = await run.act('submit-final-draft');
      const first = endOfNewYorkDay(addDays(monday, 7));
      expect(submitted.openItems.find((o) => o.item === 'committee-review')).toMatchObject({
        deadline: iso(first),
        provisional: true,
      });

      // The next circular lists the Thursday as a closure (an Eid) and covers the year.
      const publication: CalendarPublication = {
        calendar: { ...policy.calendar, holidays: [addDays(monday, 3)], coveredUntil: '2199-12-31' },
        publishedBy: 'operator',
        version: 'circular-2',
      };
      await sleepUntil(env, newYorkInstant(addDays(monday, 1), '12:00:00.000'));
      expect(await run.handle.executeUpdate(publishCalendarUpdate, { args: [publication] })).toEqual({ moved: 1 });
      const moved = endOfNewYorkDay(addDays(monday, 8));
      const s = await run.status();
      expect(s.openItems.find((o) => o.item === 'committee-review')).toMatchObject({
        deadline: iso(moved),
        provisional: false,
      });
      expect(s.history.at(-1)).toMatchObject({
        type: 'calendar-published',
        door: 'engine',
        payload: {
          version: 'circular-2',
          moved: [{ item: 'committee-review', from: iso(first), to: iso(moved) }],
        },
      });
      expect(await run.eventsSent('deadline-moved')).toEqual([`committee+chair+secretariat ${iso(moved)}`]);
      expect(run.notices.find((n) => n.topic === 'deadline-moved')).toMatchObject({
        item: 'committee-review',
        details: { from: iso(first) },
      });

      // The same version again is refused by the validator and writes nothing.
      const before = (await run.status()).history.length;
      await expect(run.handle.executeUpdate(publishCalendarUpdate, { args: [publication] })).rejects.toMatchObject({
        cause: { message: expect.stringContaining('already has calendar circular-2') },
      });
      expect((await run.status()).history).toHaveLength(before);

      // Silence adopts at the moved deadline, not the old one.
      await sleepUntil(env, first + 60_000);
      expect((await run.status()).stage).toBe('committee-review');
      await sleepUntil(env, moved + 60_000);
      const adopted = await run.status();
      expect(adopted.stage).toBe('transmitting');
      expect(adopted.adoptedAt).toBe(iso(moved));
      expect(run.events('deadline-moved')).toHaveLength(1);
    });
  });

  it('leaves calendar-day deadlines and a visit with nothing to move alone, recording the version all the same', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'state-review');
      const s0 = await run.status();
      const deadline = s0.openItems.find((o) => o.item === 'state-review')!.deadline;
      const out = await run.handle.executeUpdate(publishCalendarUpdate, {
        args: [{ calendar: resolvePolicy().calendar, publishedBy: 'operator', version: 'same-days' }],
      });
      expect(out).toEqual({ moved: 0 });
      const s = await run.status();
      expect(s.openItems.find((o) => o.item === 'state-review')?.deadline).toBe(deadline);
      expect(s.history.at(-1)).toMatchObject({
        type: 'calendar-published',
        payload: { version: 'same-days', moved: [] },
      });
      expect(run.events('deadline-moved')).toEqual([]);
    });
  });
});
