/**
 * Publishing a corrected calendar to running visits, from outside the workflow: `CalendarService`
 * sends it to every open visit (not a withdrawn one), counts the deadlines that moved, takes a
 * repeated version as already done, audits the attempt; the dashboard shows the coverage warning to
 * the Committee's side only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays, endOfNewYorkDay, newYorkDate } from '../../src/domain/calendar';
import { readHolidayFile, resolvePolicy } from '../../src/infra/policy/loader';
import { listVisits, visitStatus } from '../../src/infra/temporal/visits';
import { createServices, type Operator, type Services } from '../../src/services';
import { apiVisit, startApiHarness, type Harness } from '../api-harness';

const OPERATOR: Operator = { email: 'operator@followup.local', role: 'operator' };

let h: Harness;
let services: Services;

beforeAll(async () => {
  h = await startApiHarness();
  services = createServices({
    temporal: async () => h.env.client,
    store: () => h.store,
    policy: resolvePolicy(),
    linkSecret: h.linkSecret,
    publicUrl: 'http://api.invalid',
    outboxDir: '/nonexistent',
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

/** The engine's holiday file with one more closure in the PAO window of a visit that ended yesterday. */
function correctedFile(extraClosure: string) {
  const file = structuredClone(readHolidayFile());
  const year = file.years.find((y) => y.year === Number(extraClosure.slice(0, 4)))!;
  // Still nine a year: New Year's Day gives way to the corrected day (a test file, not a real list).
  year.closures = [
    ...year.closures.filter((c) => c.name !== "New Year's Day"),
    { date: extraClosure, name: 'Corrected closure' },
  ].sort((a, b) => a.date.localeCompare(b.date));
  return file;
}

describe('followup calendar publish (CalendarService.publish)', () => {
  it('sends the calendar to every open visit, says how many deadlines moved, and audits it', async () => {
    await services.visits.start(OPERATOR, 'cli', apiVisit(701, 'NOR'));
    await services.visits.start(OPERATOR, 'cli', apiVisit(702, 'CHL'));
    await services.visits.start(OPERATOR, 'cli', apiVisit(703, 'PER'));
    await services.visits.act(OPERATOR, 'cli', '703-PER', 'withdraw', { reason: 'test' });
    // Publishing reads Temporal's visibility store, which catches up a moment later: wait on that
    // store itself (the service's list reads the engine's own store, which can be ahead of it).
    await expect
      .poll(
        async () => (await listVisits(h.env.client)).map((v) => `${v.id}:${v.stage}`),
        // Generous: under a full parallel run the dev server's visibility store has lagged past 90 s.
        { timeout: 240_000 },
      )
      .toEqual(expect.arrayContaining(['701-NOR:drafting', '702-CHL:drafting', '703-PER:withdrawn']));

    const before = await visitStatus(h.env.client, '701-NOR');
    const pao = before.openItems.find((o) => o.item === 'pao')!;
    // A closure on the first working day after the visit: the PAO deadline (10 working days) moves a day.
    const end = endOfNewYorkDay(apiVisit(701, 'NOR').end);
    const firstWorkingDay = newYorkDate(addWorkingDays(end, 1, resolvePolicy().calendar));
    const file = correctedFile(firstWorkingDay);

    const r = await services.calendar.publish(OPERATOR, file, 'cli', 'corrected.json');
    expect(r.open).toBe(2);
    expect(r.visits).toBe(2);
    expect(r.failed).toEqual([]);
    expect(r.already).toEqual([]);
    expect(r.moved).toBeGreaterThanOrEqual(4); // PAO and TA referral of both visits
    expect(r.version).toMatch(/^2026-12-31\/[0-9a-f]{12}$/);
    expect(r.coveredUntil).toBe('2026-12-31');

    const after = await visitStatus(h.env.client, '701-NOR');
    const moved = after.openItems.find((o) => o.item === 'pao')!;
    expect(Date.parse(moved.deadline!)).toBeGreaterThan(Date.parse(pao.deadline!));

    const entry = (await h.store.audit()).at(-1)!;
    expect(entry).toMatchObject({
      action: 'publish-calendar',
      actor: OPERATOR.email,
      door: 'cli',
      outcome: 'accepted',
    });
    expect(entry.payload).toMatchObject({ file: 'corrected.json', visits: 2, moved: r.moved, failed: [] });
    expect((await services.audit.verify()).ok).toBe(true);

    // The same version again: every open visit already has it, nothing moves, nothing fails.
    const again = await services.calendar.publish(OPERATOR, file);
    expect(again.version).toBe(r.version);
    expect(again.visits).toBe(0);
    expect(again.already.sort()).toEqual(['701-NOR', '702-CHL']);
    expect(again.moved).toBe(0);
    expect(again.failed).toEqual([]);
  }, 360_000);

  it('refuses a holiday file that is not valid, naming the field, and a caller who is not the operator', async () => {
    const file = structuredClone(readHolidayFile()) as { years: { closures: unknown[] }[] };
    file.years[3]!.closures.push({ date: '2020-01-20', name: 'Martin Luther King Jr. Day' });
    await expect(services.calendar.publish(OPERATOR, file)).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('years.3.closures'),
    });
    await expect(
      services.calendar.publish({ email: 'secretariat@un.example.org', role: 'secretariat' }, undefined),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('the calendar coverage warning on the dashboard', () => {
  it('shows a banner to the secretariat, not to a State focal point, while the calendar ends within 12 months of an open deadline', async () => {
    // The visits above have deadlines in December 2026; the calendar is covered until 2026-12-31.
    await expect
      .poll(async () => (await services.calendar.openDeadlines()).length, { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect((await services.calendar.current()).endsSoon).toBe(true);

    const page = async (as: 'secretariat' | 'stateNOR') => {
      const cookie = await h.signIn(as);
      const res = await fetch(`${h.url}/`, { headers: { cookie } });
      return res.text();
    };
    const secretariat = await page('secretariat');
    expect(secretariat).toContain('class="banner"');
    expect(secretariat).toContain('covers working days only until 2026-12-31');
    expect(await page('stateNOR')).not.toContain('class="banner"');
  }, 60_000);
});
