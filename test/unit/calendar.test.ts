/** The UN Headquarters (New York) working-day calendar: offsets, dates, working days. */
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  calendarCoverage,
  endOfNewYorkDay,
  endOfNewYorkDayOf,
  isFloatingHoliday,
  isProvisional,
  isWorkingDay,
  newYorkDate,
  newYorkInstant,
  newYorkOffsetHours,
  nextWorkingDay,
  workingDayOnOrAfter,
  workingDaysBetween,
  type WorkingCalendar,
} from '../../src/domain/calendar';
import { holidayCalendar } from '../../src/infra/policy/loader';

const T = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** The real UN Headquarters calendar (src/infra/policy/un-holidays.json). */
const UN: WorkingCalendar = holidayCalendar();
const NONE: WorkingCalendar = { holidays: [] };

describe('newYorkOffsetHours (US rule since 2007)', () => {
  it('switches to daylight time at 2026-03-08 07:00Z (02:00 EST, second Sunday of March)', () => {
    expect(newYorkOffsetHours(T('2026-03-08T06:59:59.999Z'))).toBe(-5);
    expect(newYorkOffsetHours(T('2026-03-08T07:00:00.000Z'))).toBe(-4);
  });

  it('switches back to standard time at 2026-11-01 06:00Z (02:00 EDT, first Sunday of November)', () => {
    expect(newYorkOffsetHours(T('2026-11-01T05:59:59.999Z'))).toBe(-4);
    expect(newYorkOffsetHours(T('2026-11-01T06:00:00.000Z'))).toBe(-5);
  });

  it('finds the transition Sundays of other years (2027: 14 March / 7 November; 2028: 12 March / 5 November)', () => {
    expect(newYorkOffsetHours(T('2027-03-14T06:59:59.999Z'))).toBe(-5);
    expect(newYorkOffsetHours(T('2027-03-14T07:00:00.000Z'))).toBe(-4);
    expect(newYorkOffsetHours(T('2027-11-07T05:59:59.999Z'))).toBe(-4);
    expect(newYorkOffsetHours(T('2027-11-07T06:00:00.000Z'))).toBe(-5);
    expect(newYorkOffsetHours(T('2028-03-12T07:00:00.000Z'))).toBe(-4);
    expect(newYorkOffsetHours(T('2028-11-05T06:00:00.000Z'))).toBe(-5);
  });

  it('is -5 in mid-winter and -4 in mid-summer', () => {
    expect(newYorkOffsetHours(T('2026-01-15T12:00:00.000Z'))).toBe(-5);
    expect(newYorkOffsetHours(T('2026-07-15T12:00:00.000Z'))).toBe(-4);
    expect(newYorkOffsetHours(T('2026-12-31T23:30:00.000Z'))).toBe(-5);
  });
});

describe('newYorkDate', () => {
  it('gives the New York date, not the UTC date, late in the New York evening (winter)', () => {
    expect(newYorkDate(T('2026-11-21T04:59:59.999Z'))).toBe('2026-11-20');
    expect(newYorkDate(T('2026-11-21T05:00:00.000Z'))).toBe('2026-11-21');
  });

  it('uses the summer offset in daylight time', () => {
    expect(newYorkDate(T('2026-07-01T03:59:59.999Z'))).toBe('2026-06-30');
    expect(newYorkDate(T('2026-07-01T04:00:00.000Z'))).toBe('2026-07-01');
  });

  it('stays in the old year on New Year’s Eve in New York', () => {
    expect(newYorkDate(T('2027-01-01T04:59:59.999Z'))).toBe('2026-12-31');
    expect(newYorkDate(T('2027-01-01T05:00:00.000Z'))).toBe('2027-01-01');
  });
});

describe('newYorkInstant', () => {
  it('defaults to New York midnight', () => {
    expect(iso(newYorkInstant('2026-11-20'))).toBe('2026-11-20T05:00:00.000Z');
    expect(iso(newYorkInstant('2026-07-01'))).toBe('2026-07-01T04:00:00.000Z');
  });

  it('converts a wall-clock time in winter (EST) and in summer (EDT)', () => {
    expect(iso(newYorkInstant('2026-11-23', '10:00:00.000'))).toBe('2026-11-23T15:00:00.000Z');
    expect(iso(newYorkInstant('2026-07-01', '09:00:00.000'))).toBe('2026-07-01T13:00:00.000Z');
  });

  it('handles the day daylight time starts (2026-03-08)', () => {
    expect(iso(newYorkInstant('2026-03-08'))).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(newYorkInstant('2026-03-08', '01:30:00.000'))).toBe('2026-03-08T06:30:00.000Z');
    expect(iso(newYorkInstant('2026-03-08', '03:30:00.000'))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(newYorkInstant('2026-03-08', '12:00:00.000'))).toBe('2026-03-08T16:00:00.000Z');
  });

  it('handles the day daylight time ends (2026-11-01)', () => {
    expect(iso(newYorkInstant('2026-11-01'))).toBe('2026-11-01T04:00:00.000Z');
    expect(iso(newYorkInstant('2026-11-01', '00:30:00.000'))).toBe('2026-11-01T04:30:00.000Z');
    expect(iso(newYorkInstant('2026-11-01', '03:00:00.000'))).toBe('2026-11-01T08:00:00.000Z');
    expect(iso(newYorkInstant('2026-11-01', '12:00:00.000'))).toBe('2026-11-01T17:00:00.000Z');
  });

  it('round-trips with newYorkDate', () => {
    for (const date of [
      '2026-01-01',
      '2026-03-08',
      '2026-03-09',
      '2026-06-30',
      '2026-11-01',
      '2026-11-02',
      '2026-12-31',
    ]) {
      expect(newYorkDate(newYorkInstant(date))).toBe(date);
      expect(newYorkDate(newYorkInstant(date, '23:59:59.999'))).toBe(date);
    }
  });
});

describe('endOfNewYorkDay', () => {
  it('is the last millisecond of the New York date', () => {
    expect(iso(endOfNewYorkDay('2026-11-20'))).toBe('2026-11-21T04:59:59.999Z');
    expect(iso(endOfNewYorkDay('2026-07-01'))).toBe('2026-07-02T03:59:59.999Z');
  });

  it('uses the offset in force at the end of the day on transition days', () => {
    expect(iso(endOfNewYorkDay('2026-03-08'))).toBe('2026-03-09T03:59:59.999Z');
    expect(iso(endOfNewYorkDay('2026-11-01'))).toBe('2026-11-02T04:59:59.999Z');
  });

  it('is one millisecond before the next New York midnight', () => {
    expect(endOfNewYorkDay('2026-11-20') + 1).toBe(newYorkInstant('2026-11-21'));
    expect(endOfNewYorkDay('2026-10-31') + 1).toBe(newYorkInstant('2026-11-01'));
  });
});

describe('isWorkingDay', () => {
  it('excludes weekends', () => {
    expect(isWorkingDay('2026-11-21', NONE)).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-22', NONE)).toBe(false); // Sunday
    expect(isWorkingDay('2026-11-23', NONE)).toBe(true); // Monday
    expect(isWorkingDay('2026-11-20', NONE)).toBe(true); // Friday
  });

  it('excludes the official holidays of the calendar', () => {
    expect(isWorkingDay('2026-11-26', UN)).toBe(false); // Thanksgiving (Thursday)
    expect(isWorkingDay('2026-12-25', UN)).toBe(false); // Christmas (Friday)
    expect(isWorkingDay('2026-05-27', UN)).toBe(false); // Eid al-Adha (Wednesday)
    expect(isWorkingDay('2026-11-26', NONE)).toBe(true);
    expect(isWorkingDay('2026-11-25', UN)).toBe(true);
  });
});

describe('addWorkingDays', () => {
  it('skips the weekend and Thanksgiving: 5 working days from Monday 2026-11-23 10:00 is Tuesday 2026-12-01 10:00', () => {
    expect(iso(addWorkingDays(newYorkInstant('2026-11-23', '10:00:00.000'), 5, UN))).toBe('2026-12-01T15:00:00.000Z');
  });

  it('counts Thanksgiving when the calendar has no holidays', () => {
    expect(iso(addWorkingDays(newYorkInstant('2026-11-23', '10:00:00.000'), 5, NONE))).toBe('2026-11-30T15:00:00.000Z');
  });

  it('gives the PAO deadline of a visit ending Friday 2026-11-20: 10 working days later, end of day', () => {
    expect(iso(addWorkingDays(endOfNewYorkDay('2026-11-20'), 10, UN))).toBe('2026-12-08T04:59:59.999Z');
  });

  it('returns the same instant for 0 working days', () => {
    const t = T('2026-11-21T15:00:00.000Z');
    expect(addWorkingDays(t, 0, UN)).toBe(t);
  });

  it('never counts the day of the event: from a Saturday, 1 working day is Monday', () => {
    expect(iso(addWorkingDays(newYorkInstant('2026-11-21', '10:00:00.000'), 1, UN))).toBe('2026-11-23T15:00:00.000Z');
    expect(iso(addWorkingDays(newYorkInstant('2026-11-20', '10:00:00.000'), 1, UN))).toBe('2026-11-23T15:00:00.000Z');
  });

  it('skips Christmas Day (Friday 2026-12-25)', () => {
    expect(iso(addWorkingDays(newYorkInstant('2026-12-24', '10:00:00.000'), 1, UN))).toBe('2026-12-28T15:00:00.000Z');
  });

  it('keeps the New York wall-clock time across the end of daylight time', () => {
    // Friday 2026-10-30 10:00 EDT -> Monday 2026-11-02 10:00 EST
    expect(iso(addWorkingDays(T('2026-10-30T14:00:00.000Z'), 1, UN))).toBe('2026-11-02T15:00:00.000Z');
  });

  it('keeps the New York wall-clock time across the start of daylight time', () => {
    // Friday 2026-03-06 10:00 EST -> Monday 2026-03-09 10:00 EDT
    expect(iso(addWorkingDays(T('2026-03-06T15:00:00.000Z'), 1, UN))).toBe('2026-03-09T14:00:00.000Z');
  });

  it('counts from the New York date of an instant, not its UTC date', () => {
    // 2026-11-24T03:00Z is Monday 2026-11-23 22:00 in New York: 1 working day later is Tuesday 22:00.
    expect(iso(addWorkingDays(T('2026-11-24T03:00:00.000Z'), 1, UN))).toBe('2026-11-25T03:00:00.000Z');
  });
});

describe('workingDaysBetween', () => {
  it('counts the working days strictly after the first date up to and including the second', () => {
    expect(
      workingDaysBetween(
        newYorkInstant('2026-11-23', '10:00:00.000'),
        newYorkInstant('2026-12-01', '10:00:00.000'),
        UN,
      ),
    ).toBe(5);
    expect(workingDaysBetween(endOfNewYorkDay('2026-11-20'), endOfNewYorkDay('2026-12-07'), UN)).toBe(10);
  });

  it('is 0 on the same day and when the end is before the start', () => {
    expect(
      workingDaysBetween(
        newYorkInstant('2026-11-23', '08:00:00.000'),
        newYorkInstant('2026-11-23', '18:00:00.000'),
        UN,
      ),
    ).toBe(0);
    expect(workingDaysBetween(newYorkInstant('2026-12-01'), newYorkInstant('2026-11-23'), UN)).toBe(0);
  });

  it('uses New York dates: Wednesday 22:00 to Thanksgiving 22:00 is 0 working days', () => {
    // In UTC these are 2026-11-26 and 2026-11-27 (a Friday, a working day): the New York answer is 0.
    expect(workingDaysBetween(T('2026-11-26T03:00:00.000Z'), T('2026-11-27T03:00:00.000Z'), UN)).toBe(0);
  });

  it('agrees with addWorkingDays', () => {
    const from = newYorkInstant('2026-12-18', '09:30:00.000');
    for (const n of [1, 3, 7, 15]) expect(workingDaysBetween(from, addWorkingDays(from, n, UN), UN)).toBe(n);
  });
});

/** A calendar with a known end: Thanksgiving and Christmas 2026 listed, 2027's Eid al-Fitr (expected) too. */
const ENDS_2026: WorkingCalendar = {
  holidays: ['2026-11-26', '2026-12-25', '2027-01-01', '2027-03-09'],
  floating: ['2026-11-24', '2027-02-05'],
  coveredUntil: '2026-12-31',
};

describe('a calendar that ends (coveredUntil)', () => {
  it('counts weekends only past its end: listed dates there are unknown, not closures', () => {
    expect(isWorkingDay('2026-12-25', ENDS_2026)).toBe(false);
    expect(isWorkingDay('2027-01-01', ENDS_2026)).toBe(true);
    expect(isWorkingDay('2027-03-09', ENDS_2026)).toBe(true);
    expect(isWorkingDay('2027-01-02', ENDS_2026)).toBe(false); // Saturday
    // The same list without an end counts them, as calendars recorded before coveredUntil existed do.
    expect(isWorkingDay('2027-01-01', { holidays: ENDS_2026.holidays })).toBe(false);
  });

  it('adds working days across its end over weekends only', () => {
    // Thursday 2026-12-24 10:00: Christmas (Friday) is skipped, New Year's Day 2027 (past the end) counts.
    const from = newYorkInstant('2026-12-24', '10:00:00.000');
    expect(iso(addWorkingDays(from, 1, ENDS_2026))).toBe('2026-12-28T15:00:00.000Z');
    expect(iso(addWorkingDays(from, 5, ENDS_2026))).toBe('2027-01-01T15:00:00.000Z');
    expect(iso(addWorkingDays(from, 5, { holidays: ENDS_2026.holidays }))).toBe('2027-01-04T15:00:00.000Z');
    expect(workingDaysBetween(from, newYorkInstant('2027-01-04'), ENDS_2026)).toBe(6);
  });

  it('makes a deadline provisional when its New York date is past the end', () => {
    expect(isProvisional(endOfNewYorkDay('2026-12-31'), ENDS_2026)).toBe(false);
    expect(isProvisional(endOfNewYorkDay('2026-12-31') + 1, ENDS_2026)).toBe(true);
    // 2027-01-01T03:00Z is still 31 December in New York.
    expect(isProvisional(T('2027-01-01T03:00:00.000Z'), ENDS_2026)).toBe(false);
    expect(isProvisional(T('2027-06-01T12:00:00.000Z'), ENDS_2026)).toBe(true);
    expect(isProvisional(T('2030-06-01T12:00:00.000Z'), { holidays: [] })).toBe(false);
  });

  it('gives the engine calendar an end: 2027 is not covered by an official list yet', () => {
    expect(UN.coveredUntil).toBe('2026-12-31');
    expect(isProvisional(addWorkingDays(endOfNewYorkDay('2026-12-18'), 10, UN), UN)).toBe(true);
    expect(isProvisional(addWorkingDays(endOfNewYorkDay('2026-11-20'), 10, UN), UN)).toBe(false);
  });
});

describe('floating holidays', () => {
  it('are working days: the office is open on them', () => {
    expect(isFloatingHoliday('2026-11-24', ENDS_2026)).toBe(true);
    expect(isWorkingDay('2026-11-24', ENDS_2026)).toBe(true);
    expect(isFloatingHoliday('2026-11-26', ENDS_2026)).toBe(false);
    expect(isFloatingHoliday('2026-11-24', { holidays: [] })).toBe(false);
    expect(iso(addWorkingDays(newYorkInstant('2026-11-23', '10:00:00.000'), 1, ENDS_2026))).toBe(
      '2026-11-24T15:00:00.000Z',
    );
  });

  it('are in the engine calendar apart from its closures', () => {
    expect(UN.floating?.length).toBeGreaterThan(0);
    for (const day of UN.floating ?? []) expect(UN.holidays).not.toContain(day);
    expect(isFloatingHoliday('2026-11-24', UN)).toBe(true); // Gurpurab 2026
    expect(isWorkingDay('2026-11-24', UN)).toBe(true);
  });
});

describe('nextWorkingDay, workingDayOnOrAfter, endOfNewYorkDayOf', () => {
  it('finds the next working day strictly after a date, over weekends and holidays', () => {
    expect(nextWorkingDay('2026-11-25', UN)).toBe('2026-11-27'); // over Thanksgiving
    expect(nextWorkingDay('2026-12-24', UN)).toBe('2026-12-28'); // over Christmas and the weekend
    expect(nextWorkingDay('2026-11-23', UN)).toBe('2026-11-24');
    expect(nextWorkingDay('2026-12-31', ENDS_2026)).toBe('2027-01-01'); // past the end: weekends only
  });

  it('keeps a working day and moves a closed day on', () => {
    expect(workingDayOnOrAfter('2026-11-23', UN)).toBe('2026-11-23');
    expect(workingDayOnOrAfter('2026-11-26', UN)).toBe('2026-11-27');
    expect(workingDayOnOrAfter('2026-11-28', UN)).toBe('2026-11-30');
  });

  it('gives the last millisecond of the New York date of an instant', () => {
    expect(iso(endOfNewYorkDayOf(T('2026-11-20T15:00:00.000Z')))).toBe('2026-11-21T04:59:59.999Z');
    // 02:00Z on 21 November is still the 20th in New York.
    expect(iso(endOfNewYorkDayOf(T('2026-11-21T02:00:00.000Z')))).toBe('2026-11-21T04:59:59.999Z');
    expect(iso(endOfNewYorkDayOf(T('2026-07-01T12:00:00.000Z')))).toBe('2026-07-02T03:59:59.999Z');
    const end = endOfNewYorkDay('2026-11-20');
    expect(endOfNewYorkDayOf(end)).toBe(end);
  });
});

describe('calendarCoverage', () => {
  const cal = { coveredUntil: '2026-12-31' };

  it('does not warn when the calendar reaches 12 months past every open deadline', () => {
    const c = calendarCoverage(cal, [endOfNewYorkDay('2025-12-31'), endOfNewYorkDay('2025-06-01')]);
    expect(c).toEqual({
      coveredUntil: '2026-12-31',
      latestDeadline: '2025-12-31',
      provisional: 0,
      endsSoon: false,
      warning: null,
    });
  });

  it('warns when the calendar ends within 12 months of an open deadline', () => {
    const c = calendarCoverage(cal, [endOfNewYorkDay('2026-01-01'), endOfNewYorkDay('2025-03-01')]);
    expect(c.endsSoon).toBe(true);
    expect(c.latestDeadline).toBe('2026-01-01');
    expect(c.provisional).toBe(0);
    expect(c.warning).toContain('until 2026-12-31');
    expect(c.warning).toContain('followup calendar publish');
  });

  it('counts the deadlines past its end as provisional', () => {
    const c = calendarCoverage(cal, [
      endOfNewYorkDay('2027-05-03'),
      endOfNewYorkDay('2027-01-04'),
      endOfNewYorkDay('2026-12-01'),
    ]);
    expect(c.provisional).toBe(2);
    expect(c.latestDeadline).toBe('2027-05-03');
    expect(c.warning).toContain('2 past its end');
  });

  it('says nothing without open deadlines or without an end', () => {
    expect(calendarCoverage(cal, []).warning).toBeNull();
    expect(calendarCoverage({}, [endOfNewYorkDay('2030-01-01')]).warning).toBeNull();
  });
});
