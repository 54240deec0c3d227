/**
 * Where the engine says the holiday calendar ends too soon: the weekly digest (with the calendar the
 * worker runs with), and `followup calendar show|publish` as the operator types them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest, digestText, type Snapshot } from '../../src/domain/monitoring';
import { runCli } from '../../src/doors/cli/program';
import { readHolidayFile, resolvePolicy } from '../../src/infra/policy/loader';
import { createServices, EXIT } from '../../src/services';

const NOW = Date.parse('2026-11-30T13:00:00.000Z');

/** Just what the digest reads of a visit. */
const visit = (id: string, stage: string, deadlines: string[]) =>
  ({
    id,
    stateName: id.slice(-3),
    state: id.slice(-3),
    stage,
    openItems: deadlines.map((deadline, i) => ({ item: i ? 'ta-referral' : 'pao', deadline })),
    committee: { holds: [], objection: null },
    extension: 'none',
  }) as unknown as Snapshot;

describe('the weekly digest and the calendar', () => {
  const calendar = { coveredUntil: '2026-12-31' };

  it('warns when the calendar ends within 12 months of an open deadline, and says how many are provisional', () => {
    const d = digest(
      [visit('1-NOR', 'drafting', ['2026-12-08T04:59:59.999Z', '2027-02-01T04:59:59.999Z'])],
      NOW,
      14,
      calendar,
    );
    expect(d.calendarWarning).toContain('until 2026-12-31');
    expect(d.calendarWarning).toContain('1 past its end');
    const text = digestText(d, NOW);
    expect(text.split('\n')[2]).toMatch(
      /^Calendar: The UN Headquarters holiday calendar covers working days only until 2026-12-31/,
    );
  });

  it('says nothing when the calendar reaches 12 months past every open deadline, or for closed visits', () => {
    const far = { coveredUntil: '2028-12-31' };
    const d = digest([visit('1-NOR', 'drafting', ['2026-12-08T04:59:59.999Z'])], NOW, 14, far);
    expect(d.calendarWarning).toBeNull();
    expect(digestText(d, NOW)).not.toContain('Calendar:');
    const closed = digest([visit('2-CHL', 'withdrawn', ['2027-06-01T04:00:00.000Z'])], NOW, 14, calendar);
    expect(closed.calendarWarning).toBeNull();
  });

  it('has no calendar field at all when no calendar is given (as before)', () => {
    const d = digest([visit('1-NOR', 'drafting', ['2027-06-01T04:00:00.000Z'])], NOW);
    expect('calendarWarning' in d).toBe(false);
  });
});

describe('followup calendar show|publish', () => {
  let dir: string;
  const out: string[] = [];
  const err: string[] = [];
  const services = createServices({
    temporal: () => Promise.reject(new Error('no Temporal in this test')),
    store: () => {
      throw new Error('no store in this test');
    },
    policy: resolvePolicy(),
    linkSecret: 'x'.repeat(32),
    publicUrl: 'http://followup.invalid',
    outboxDir: '/nonexistent',
    now: () => NOW,
  });
  const cli = async (...argv: string[]) => {
    out.length = 0;
    err.length = 0;
    const code = await runCli(
      {
        services,
        io: { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false },
        operator: 'operator@followup.local',
      },
      argv,
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'followup-calendar-cli-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the years, coveredUntil, and this year’s closures and floating days', async () => {
    const r = await cli('calendar', 'show');
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('official lists cover working days until 2026-12-31');
    expect(r.out).toContain('  2020  official    ST/IC/2019/23  https://ask.un.org/faq/112514');
    expect(r.out).toContain('  2027  expected    (no list published yet)');
    expect(r.out).toContain('2026 (unverified): the nine official holidays (closures)');
    expect(r.out).toContain('  2026-07-03  Independence Day (observed)');
    expect(r.out).toContain('  2026-11-24  Gurpurab  (expected)');
    expect(r.out).not.toMatch(/^ {2}\d{4}-\d{2}-\d{2} {2}Martin Luther King/m);
  });

  it('shows another year, as JSON too', async () => {
    const r = await cli('calendar', 'show', '--year', '2020', '--json');
    const view = JSON.parse(r.out) as { coveredUntil: string; year: { closures: { date: string }[] } };
    expect(view.coveredUntil).toBe('2026-12-31');
    expect(view.year.closures.map((c) => c.date)).toContain('2020-05-26');
    expect((await cli('calendar', 'show', '--year', '2031')).out).toContain('2031: not in the file');
    expect((await cli('calendar', 'show', '--year', 'next')).code).toBe(EXIT.refused);
  });

  it('checks a file before anything is published: a bad one is refused (exit 1), a missing one is a usage error (exit 2)', async () => {
    const bad = structuredClone(readHolidayFile());
    bad.years[1]!.closures.push({ date: '2018-01-15', name: 'Martin Luther King Jr. Day' });
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const shown = await cli('calendar', 'show', '--file', file);
    expect(shown.code).toBe(EXIT.refused);
    expect(shown.err).toContain(
      'years.1.closures: UN Headquarters closes on nine official holidays a year; 2018 lists 10',
    );
    const published = await cli('calendar', 'publish', '--file', file);
    expect(published.code).toBe(EXIT.refused);
    expect(published.err).toContain('years.1.closures');
    expect((await cli('calendar', 'publish', '--file', join(dir, 'missing.json'))).code).toBe(EXIT.usage);
    writeFileSync(join(dir, 'broken.json'), '{ "years": ');
    expect((await cli('calendar', 'publish', '--file', join(dir, 'broken.json'))).err).toContain('not JSON');
  });
});
