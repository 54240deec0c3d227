/** The policy schema, its defaults, overrides and the FOLLOWUP_POLICY file loader. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { DEFAULT_POLICY, Policy, policyProblems, ReminderRule, reminderRule } from '../../src/domain/policy';
import { holidayCalendar, loadPolicy, PolicyOverride, resolvePolicy } from '../../src/infra/policy/loader';

const HOLIDAY_FILE = join(__dirname, '..', '..', 'src', 'infra', 'policy', 'un-holidays.json');
interface HolidayYear {
  closures: { date: string }[];
  floating?: { date: string }[];
}
const holidayFile = JSON.parse(readFileSync(HOLIDAY_FILE, 'utf8')) as { coveredUntil: string; years: HolidayYear[] };
const fileHolidays = holidayFile.years.flatMap((y) => y.closures.map((h) => h.date));
const fileFloating = holidayFile.years.flatMap((y) => (y.floating ?? []).map((h) => h.date));
const CALENDAR = { name: 'Test calendar', timeZone: 'America/New_York' as const, holidays: ['2026-11-26'] };
const validInput = () => ({ ...structuredClone(DEFAULT_POLICY), calendar: structuredClone(CALENDAR) });

describe('DEFAULT_POLICY', () => {
  it('holds the clocks of DOMAIN.md', () => {
    expect(DEFAULT_POLICY.clocks).toEqual({
      pao: '10 working days',
      'ta-referral': '10 working days',
      'ta-response': '30 days',
      drafting: '60 days',
      'state-review': '30 days',
      'state-review-extension': '15 days',
      finalizing: '15 days',
      'committee-review': '5 working days',
      transmitting: '5 working days',
      receipt: '5 working days',
      'state-implementation-report': '6 months',
      'cted-follow-up-report': '12 months',
    });
  });

  it('reminds at 30 and 60 days for sharing consent, and escalates the State report to the mission then the secretariat', () => {
    expect(DEFAULT_POLICY.reminders['sharing-consent']).toEqual({
      to: ['state-contact'],
      afterOpening: ['30 days', '60 days'],
    });
    expect(DEFAULT_POLICY.reminders['state-implementation-report']?.escalation).toEqual([
      { after: '30 days', to: ['permanent-mission'] },
      { after: '60 days', to: ['secretariat'] },
    ]);
  });

  it('sets no reminders for the committee review (silence adopts) or the briefing', () => {
    expect(DEFAULT_POLICY.reminders['committee-review']).toBeUndefined();
    expect(DEFAULT_POLICY.reminders.briefing).toBeUndefined();
  });
});

describe('Policy schema', () => {
  it('accepts the defaults with a calendar and fills the optional fields of each reminder rule', () => {
    const p = Policy.parse(validInput());
    expect(p.reminders['state-review']).toEqual({
      to: ['state-contact'],
      before: ['14 days', '3 days'],
      onDeadline: false,
      overdueTimes: 0,
      escalation: [],
      afterOpening: [],
    });
    expect(p.reminders.receipt?.before).toEqual(['2 days']);
  });

  it('refuses an unknown top-level field', () => {
    const r = Policy.safeParse({ ...validInput(), extra: true });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['extra'] });
  });

  it('refuses a missing clock and an unknown clock', () => {
    const input = validInput();
    const { pao: _pao, ...clocks } = input.clocks;
    const missing = Policy.safeParse({ ...input, clocks });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(['clocks', 'pao']);

    const unknown = Policy.safeParse({ ...input, clocks: { ...input.clocks, 'coffee-break': '1 hour' } });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]).toMatchObject({
      code: 'unrecognized_keys',
      keys: ['coffee-break'],
      path: ['clocks'],
    });
  });

  it('refuses a clock that is not a duration, with the duration message', () => {
    const input = validInput();
    const r = Policy.safeParse({ ...input, clocks: { ...input.clocks, drafting: 'two months' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['clocks', 'drafting']);
    expect(r.error?.issues[0]?.message).toContain('"two months" is not a duration');
  });

  it('refuses a reminder rule for an unknown item', () => {
    const r = Policy.safeParse({ ...validInput(), reminders: { coffee: { to: ['chair'] } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['coffee'], path: ['reminders'] });
  });

  it('refuses a time zone other than America/New_York and a holiday not written YYYY-MM-DD', () => {
    expect(Policy.safeParse({ ...validInput(), calendar: { ...CALENDAR, timeZone: 'Europe/Geneva' } }).success).toBe(
      false,
    );
    const r = Policy.safeParse({ ...validInput(), calendar: { ...CALENDAR, holidays: ['26/11/2026'] } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['calendar', 'holidays', 0]);
    expect(r.error?.issues[0]?.message).toBe('expected a date as YYYY-MM-DD');
  });

  it('refuses an empty name', () => {
    expect(Policy.safeParse({ ...validInput(), name: '' }).success).toBe(false);
  });
});

describe('Policy schema: inputs recorded before the calendar had an end', () => {
  it('still accepts a calendar without floating days or coveredUntil, and no deadlinesOnClosedDays', () => {
    const recorded = validInput() as Record<string, unknown>;
    delete recorded.deadlinesOnClosedDays;
    const p = Policy.parse(recorded);
    expect(p.calendar).toEqual(CALENDAR);
    expect(p.deadlinesOnClosedDays).toBeUndefined();
  });

  it('accepts floating days and coveredUntil as dates only', () => {
    const calendar = { ...CALENDAR, floating: ['2026-11-24'], coveredUntil: '2026-12-31' };
    expect(Policy.parse({ ...validInput(), calendar }).calendar).toEqual(calendar);
    const r = Policy.safeParse({ ...validInput(), calendar: { ...calendar, coveredUntil: 'end of 2026' } });
    expect(r.error?.issues[0]?.path).toEqual(['calendar', 'coveredUntil']);
  });

  it('does not refuse, when a running workflow reads it, what the loader now refuses', () => {
    const input = validInput();
    const recorded = { ...input, clocks: { ...input.clocks, finalizing: '0 days' } };
    expect(Policy.safeParse(recorded).success).toBe(true);
    expect(policyProblems(Policy.parse(recorded)).map((p) => p.path)).toEqual([['clocks', 'finalizing']]);
  });
});

describe('policy validation (policyProblems, applied by the loader)', () => {
  const problems = (override: PolicyOverride) => {
    try {
      resolvePolicy(override);
      return [];
    } catch (e) {
      return (e as ZodError).issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    }
  };

  it('accepts the defaults', () => {
    expect(problems({})).toEqual([]);
    expect(policyProblems(resolvePolicy())).toEqual([]);
  });

  it('refuses durations that overflow the calendar: every deadline must fall before 2200', () => {
    expect(problems({ clocks: { 'state-review': '300000000 days' } })).toEqual([
      'clocks.state-review: "300000000 days" is too long: every deadline must fall before the year 2200, so a duration must be shorter than 100 years',
    ]);
    for (const text of ['101 years', '1300 months', '40000 working days', '5300 weeks', '3200000000 seconds'])
      expect(problems({ clocks: { drafting: text } })).toHaveLength(1);
    for (const text of ['99 years', '1188 months', '25000 working days', '36500 days', '3000000000 seconds'])
      expect(problems({ clocks: { drafting: text } })).toEqual([]);
  });

  it('refuses reminder durations that overflow too, naming the field', () => {
    expect(
      problems({
        reminders: {
          drafting: {
            to: ['case-officer'],
            before: ['3 days', '99999999 days'],
            overdueEvery: '99999999 weeks',
            overdueTimes: 1,
            escalation: [{ after: '99999999 months', to: ['secretariat'] }],
          },
          'sharing-consent': { to: ['state-contact'], afterOpening: ['99999999 years'] },
        },
      }).map((m) => m.slice(0, m.indexOf(':'))),
    ).toEqual([
      'reminders.drafting.before.1',
      'reminders.drafting.escalation.0.after',
      'reminders.drafting.overdueEvery',
      'reminders.sharing-consent.afterOpening.0',
    ]);
  });

  it('refuses zero-length clocks', () => {
    expect(problems({ clocks: { finalizing: '0 days', pao: '0 working days' } })).toEqual([
      'clocks.pao: "0 working days" is a zero-length clock: its deadline would fall the moment the step that starts it happens',
      'clocks.finalizing: "0 days" is a zero-length clock: its deadline would fall the moment the step that starts it happens',
    ]);
    expect(problems({ clocks: { finalizing: '0 seconds' } })).toHaveLength(1);
    expect(problems({ clocks: { finalizing: '1 second' } })).toEqual([]);
  });

  it('refuses overdue reminders 0 apart', () => {
    expect(
      problems({ reminders: { drafting: { to: ['case-officer'], overdueEvery: '0 days', overdueTimes: 3 } } }),
    ).toEqual(['reminders.drafting.overdueEvery: "0 days" apart, every overdue reminder would go at the same moment']);
  });

  it.each([
    ['state-review', 'the comment period ends and the draft goes to finalizing'],
    ['committee-review', 'silence adopts the report'],
    ['receipt', 'receipt is deemed'],
  ] as const)(
    'refuses reminder rules that can never fire on %s, which acts by itself on its deadline',
    (item, acts) => {
      expect(problems({ reminders: { [item]: { to: ['secretariat'], onDeadline: true } } })).toEqual([
        `reminders.${item}.onDeadline: the ${item} clock acts by itself on its deadline (${acts}), so a reminder on the deadline can never be sent: remove onDeadline`,
      ]);
      const overdue = problems({
        reminders: {
          [item]: {
            to: ['secretariat'],
            overdueEvery: '1 day',
            overdueTimes: 2,
            escalation: [{ after: '2 days', to: ['chair'] }],
          },
        },
      });
      expect(overdue.map((m) => m.slice(0, m.indexOf(':')))).toEqual([
        `reminders.${item}.overdueEvery`,
        `reminders.${item}.escalation`,
      ]);
      expect(overdue[0]).toContain('remove overdueEvery');
      // Reminders before the deadline are fine.
      expect(problems({ reminders: { [item]: { to: ['secretariat'], before: ['1 day'] } } })).toEqual([]);
    },
  );

  it('names FOLLOWUP_POLICY, the file and the field when a file says what can never work', () => {
    const dir = mkdtempSync(join(tmpdir(), 'followup-policy-rules-'));
    try {
      const file = join(dir, 'never.json');
      writeFileSync(
        file,
        JSON.stringify({
          clocks: { 'state-review': '300000000 days' },
          reminders: { receipt: { to: ['state-contact'], onDeadline: true } },
        }),
      );
      expect(() => loadPolicy(file)).toThrow(
        new RegExp(
          `^FOLLOWUP_POLICY: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: clocks\\.state-review: "300000000 days" is too long.*; reminders\\.receipt\\.onDeadline: the receipt clock acts by itself`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ReminderRule schema', () => {
  it('needs at least one known recipient', () => {
    expect(ReminderRule.safeParse({ to: [] }).success).toBe(false);
    expect(ReminderRule.safeParse({ to: ['the-press'] }).success).toBe(false);
    expect(ReminderRule.safeParse({ to: ['chair'] }).success).toBe(true);
  });

  it('bounds overdueTimes to 0..52 whole numbers', () => {
    expect(ReminderRule.safeParse({ to: ['chair'], overdueTimes: 53 }).success).toBe(false);
    expect(ReminderRule.safeParse({ to: ['chair'], overdueTimes: -1 }).success).toBe(false);
    expect(ReminderRule.safeParse({ to: ['chair'], overdueTimes: 1.5 }).success).toBe(false);
    expect(ReminderRule.safeParse({ to: ['chair'], overdueTimes: 52 }).success).toBe(true);
  });

  it('checks every duration: before, overdueEvery, escalation.after and afterOpening', () => {
    for (const bad of [
      { before: ['soon'] },
      { overdueEvery: 'weekly' },
      { escalation: [{ after: 'later', to: ['secretariat'] }] },
      { afterOpening: ['1 moon'] },
    ]) {
      expect(ReminderRule.safeParse({ to: ['chair'], ...bad }).success).toBe(false);
    }
  });

  it('refuses unknown fields in a rule and in an escalation step', () => {
    expect(ReminderRule.safeParse({ to: ['chair'], every: '7 days' }).success).toBe(false);
    expect(
      ReminderRule.safeParse({ to: ['chair'], escalation: [{ after: '7 days', to: ['secretariat'], cc: ['chair'] }] })
        .success,
    ).toBe(false);
  });
});

describe('holidayCalendar', () => {
  it('reads the UN Headquarters calendar from src/infra/policy/un-holidays.json', () => {
    const cal = holidayCalendar();
    expect(cal.name).toBe('United Nations Headquarters, New York');
    expect(cal.timeZone).toBe('America/New_York');
    expect(cal.holidays).toEqual(fileHolidays);
    expect(cal.holidays).toContain('2026-11-26');
    expect(cal.holidays).toContain('2026-12-25');
    expect(cal.holidays[0]).toBe('2017-01-02');
    expect(cal.holidays.at(-1)).toBe('2027-12-24');
    expect(cal.floating).toEqual(fileFloating);
    expect(cal.coveredUntil).toBe('2026-12-31');
  });
});

describe('resolvePolicy', () => {
  it('with no override gives the defaults with the UN holiday calendar', () => {
    const p = resolvePolicy();
    expect(p.name).toBe(DEFAULT_POLICY.name);
    expect(p.clocks).toEqual(DEFAULT_POLICY.clocks);
    expect(Object.keys(p.reminders).sort()).toEqual(Object.keys(DEFAULT_POLICY.reminders).sort());
    expect(p.calendar).toEqual({
      name: 'United Nations Headquarters, New York',
      timeZone: 'America/New_York',
      holidays: fileHolidays,
      floating: fileFloating,
      coveredUntil: '2026-12-31',
    });
    expect(p.deadlinesOnClosedDays).toBe('next-working-day');
    expect(p.reminders.pao).toEqual({
      to: ['case-officer'],
      before: ['3 days'],
      onDeadline: true,
      overdueEvery: '7 days',
      overdueTimes: 4,
      escalation: [{ after: '7 days', to: ['cted-management'] }],
      afterOpening: [],
    });
  });

  it('overrides one clock and keeps the others', () => {
    const p = resolvePolicy({ clocks: { 'state-implementation-report': '12 months', drafting: '45 days' } });
    expect(p.clocks['state-implementation-report']).toBe('12 months');
    expect(p.clocks.drafting).toBe('45 days');
    expect(p.clocks['state-review']).toBe('30 days');
    expect(p.clocks.pao).toBe('10 working days');
  });

  it('overrides the name', () => {
    expect(resolvePolicy({ name: 'Guidelines of 2024' }).name).toBe('Guidelines of 2024');
  });

  it('replaces a reminder rule whole (not merged with the default rule)', () => {
    const p = resolvePolicy({ reminders: { drafting: { to: ['chair'], onDeadline: true } } });
    expect(p.reminders.drafting).toEqual({
      to: ['chair'],
      before: [],
      onDeadline: true,
      overdueTimes: 0,
      escalation: [],
      afterOpening: [],
    });
    expect(p.reminders.pao?.to).toEqual(['case-officer']);
  });

  it('adds a rule for an item the defaults do not remind about', () => {
    const p = resolvePolicy({ reminders: { 'committee-review': { to: ['committee'], before: ['1 day'] } } });
    expect(p.reminders['committee-review']?.to).toEqual(['committee']);
    expect(p.reminders['committee-review']?.before).toEqual(['1 day']);
  });

  it('removes an item’s reminders with a null rule', () => {
    const p = resolvePolicy({ reminders: { pao: null, 'sharing-consent': null } });
    expect(p.reminders.pao).toBeUndefined();
    expect(p.reminders['sharing-consent']).toBeUndefined();
    expect('pao' in p.reminders).toBe(false);
    expect(reminderRule(p, 'pao')).toBeUndefined();
    expect(reminderRule(p, 'ta-referral')?.to).toEqual(['case-officer']);
    // The defaults themselves are not changed by a removal.
    expect(DEFAULT_POLICY.reminders.pao).toBeDefined();
    expect(resolvePolicy().reminders.pao).toBeDefined();
  });

  it('replaces the holiday list but keeps the calendar’s name, time zone, floating days and coverage', () => {
    const p = resolvePolicy({ calendar: { holidays: ['2026-11-27'] } });
    expect(p.calendar).toEqual({
      name: 'United Nations Headquarters, New York',
      timeZone: 'America/New_York',
      holidays: ['2026-11-27'],
      floating: fileFloating,
      coveredUntil: '2026-12-31',
    });
    const q = resolvePolicy({ calendar: { holidays: [], floating: ['2026-11-24'], coveredUntil: '2027-12-31' } });
    expect(q.calendar.floating).toEqual(['2026-11-24']);
    expect(q.calendar.coveredUntil).toBe('2027-12-31');
  });

  it('sets what happens to calendar-day deadlines on closed days (default: the next working day)', () => {
    expect(resolvePolicy({ deadlinesOnClosedDays: 'keep' }).deadlinesOnClosedDays).toBe('keep');
    expect(() => resolvePolicy({ deadlinesOnClosedDays: 'previous-day' } as unknown as PolicyOverride)).toThrow(
      /deadlinesOnClosedDays/,
    );
  });

  it('refuses an unknown clock, a bad duration and a bad holiday', () => {
    expect(() => resolvePolicy({ clocks: { 'coffee-break': '1 hour' } } as unknown as PolicyOverride)).toThrow(
      /coffee-break/,
    );
    const r = (() => {
      try {
        resolvePolicy({ clocks: { pao: 'ten working days' } });
        return undefined;
      } catch (e) {
        return e as ZodError;
      }
    })();
    expect(r).toBeInstanceOf(ZodError);
    expect(r?.issues[0]?.path).toEqual(['clocks', 'pao']);
    expect(r?.issues[0]?.message).toContain('"ten working days" is not a duration');
    expect(() => resolvePolicy({ calendar: { holidays: ['2026-11-26', 'Thanksgiving'] } })).toThrow(
      /expected YYYY-MM-DD/,
    );
  });
});

describe('PolicyOverride schema', () => {
  it('accepts an empty override and refuses unknown fields', () => {
    expect(PolicyOverride.safeParse({}).success).toBe(true);
    const r = PolicyOverride.safeParse({ clocks: {}, timezone: 'UTC' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['timezone'] });
  });

  it('does not let a file change the calendar’s time zone', () => {
    expect(PolicyOverride.safeParse({ calendar: { holidays: [], timeZone: 'Europe/Paris' } }).success).toBe(false);
  });

  it('accepts a whole policy, as `followup policy show --json` prints it', () => {
    expect(PolicyOverride.safeParse(JSON.parse(JSON.stringify(resolvePolicy()))).success).toBe(true);
  });
});

describe('loadPolicy', () => {
  let dir: string;
  const write = (name: string, content: string) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'followup-policy-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the defaults without a file', () => {
    expect(loadPolicy()).toEqual(resolvePolicy());
    expect(loadPolicy('')).toEqual(resolvePolicy());
  });

  it('applies the overrides of a valid file', () => {
    const file = write(
      'ok.json',
      JSON.stringify({
        name: 'Guidelines of 2024',
        clocks: { 'state-implementation-report': '12 months' },
        reminders: { receipt: null, pao: { to: ['case-officer', 'secretariat'], onDeadline: true } },
        calendar: { holidays: ['2026-11-26'] },
      }),
    );
    const p = loadPolicy(file);
    expect(p.name).toBe('Guidelines of 2024');
    expect(p.clocks['state-implementation-report']).toBe('12 months');
    expect(p.clocks['cted-follow-up-report']).toBe('12 months');
    expect(p.reminders.receipt).toBeUndefined();
    expect(p.reminders.pao).toEqual({
      to: ['case-officer', 'secretariat'],
      before: [],
      onDeadline: true,
      overdueTimes: 0,
      escalation: [],
      afterOpening: [],
    });
    expect(p.calendar.holidays).toEqual(['2026-11-26']);
  });

  it('reads back what `policy show --json` prints, unchanged or edited', () => {
    const shown = JSON.parse(JSON.stringify(resolvePolicy(), null, 2)) as Policy;
    expect(loadPolicy(write('shown.json', JSON.stringify(shown, null, 2)))).toEqual(resolvePolicy());
    const edited = { ...shown, name: 'Edited', clocks: { ...shown.clocks, 'state-review': '45 days' } };
    edited.calendar = { ...shown.calendar, name: 'UN Headquarters (edited)', holidays: ['2026-12-25'] };
    const p = loadPolicy(write('edited.json', JSON.stringify(edited)));
    expect(p).toEqual({ ...resolvePolicy(), name: 'Edited', clocks: edited.clocks, calendar: edited.calendar });
  });

  it('names FOLLOWUP_POLICY and the file when the file does not exist', () => {
    const file = join(dir, 'missing.json');
    expect(() => loadPolicy(file)).toThrow(`FOLLOWUP_POLICY: cannot read ${file}: ENOENT`);
  });

  it('names FOLLOWUP_POLICY and the file when the file is not JSON', () => {
    const file = write('broken.json', '{ "clocks": ');
    expect(() => loadPolicy(file)).toThrow(`FOLLOWUP_POLICY: cannot read ${file}: `);
  });

  it('names FOLLOWUP_POLICY, the file, the bad field and the reason', () => {
    const file = write('bad-clock.json', JSON.stringify({ clocks: { pao: 'ten days' } }));
    expect(() => loadPolicy(file)).toThrow(
      `FOLLOWUP_POLICY: ${file}: clocks.pao: "ten days" is not a duration: write a whole number and a unit, e.g. "30 days", "5 working days", "6 months", "10 seconds"`,
    );
  });

  it('lists every bad field of a file', () => {
    const file = write(
      'many.json',
      JSON.stringify({
        reminders: { drafting: { to: [] }, pao: { to: ['case-officer'], overdueEvery: 'weekly' } },
        calendar: { holidays: ['2026/12/25'] },
      }),
    );
    let message = '';
    try {
      loadPolicy(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.startsWith(`FOLLOWUP_POLICY: ${file}: `)).toBe(true);
    expect(message).toContain('reminders.drafting.to: ');
    expect(message).toContain('reminders.pao.overdueEvery: "weekly" is not a duration');
    expect(message).toContain('calendar.holidays.0: expected YYYY-MM-DD');
  });

  it('names an unknown field of a file', () => {
    const file = write('unknown.json', JSON.stringify({ clocks: { 'coffee-break': '1 hour' }, colour: 'blue' }));
    let message = '';
    try {
      loadPolicy(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^FOLLOWUP_POLICY: /);
    expect(message).toContain('coffee-break');
    expect(message).toContain('colour');
  });
});
