/** The policy schema, its defaults, overrides and the FOLLOWUP_POLICY file loader. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { DEFAULT_POLICY, Policy, ReminderRule, reminderRule } from '../../src/domain/policy';
import { holidayCalendar, loadPolicy, PolicyOverride, resolvePolicy } from '../../src/infra/policy/loader';

const HOLIDAY_FILE = join(__dirname, '..', '..', 'src', 'infra', 'policy', 'un-holidays.json');
const fileHolidays = (JSON.parse(readFileSync(HOLIDAY_FILE, 'utf8')) as { holidays: { date: string }[] }).holidays.map(
  (h) => h.date,
);
const CALENDAR = { name: 'Test calendar', timeZone: 'America/New_York' as const, holidays: ['2026-11-26'] };
const validInput = () => ({ ...structuredClone(DEFAULT_POLICY), calendar: structuredClone(CALENDAR) });

describe('DEFAULT_POLICY', () => {
  it('holds the clocks of DOMAIN.md', () => {
    expect(DEFAULT_POLICY.clocks).toEqual({
      pao: '10 working days',
      'ta-referral': '10 working days',
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
    expect(cal.holidays[0]).toBe('2018-01-01');
    expect(cal.holidays.at(-1)).toBe('2028-12-25');
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
    });
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

  it('replaces the holiday list but keeps the calendar’s name and time zone', () => {
    const p = resolvePolicy({ calendar: { holidays: ['2026-11-27'] } });
    expect(p.calendar).toEqual({
      name: 'United Nations Headquarters, New York',
      timeZone: 'America/New_York',
      holidays: ['2026-11-27'],
    });
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
