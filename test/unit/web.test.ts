/** Pure pieces of the dashboard: where sign-in may send you, calendar sequence numbers. */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/domain/monitoring';
import { icsFeed, safeNext } from '../../src/web';

describe('safeNext (after sign-in)', () => {
  it.each([
    ['/visits/166-POL', '/visits/166-POL'],
    ['/?overdue=true&sort=daysLeft', '/?overdue=true&sort=daysLeft'],
    [null, '/'],
    ['', '/'],
    ['https://example.invalid/x', '/'],
    ['//example.invalid/x', '/'],
    ['/\\example.invalid/x', '/'],
    ['/\texample', '/'],
    ['javascript:alert(1)', '/'],
  ])('%s → %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe('icsFeed', () => {
  const snap = (deadline: string) =>
    ({
      id: '166-POL',
      state: 'POL',
      stateName: 'Poland',
      type: 'comprehensive',
      stage: 'drafting',
      openItems: [{ item: 'drafting', openedAt: '2019-12-14T04:59:59.999Z', deadline, overdue: false, paused: false }],
    }) as unknown as Snapshot;
  const sequence = (deadline: string) =>
    Number(/SEQUENCE:(\d+)/.exec(icsFeed({ email: 'a@b.org', role: 'secretariat' }, [snap(deadline)], 0))![1]);

  it('raises SEQUENCE when a deadline moves later, also past 2033', () => {
    expect(sequence('2033-05-19T00:00:00.000Z')).toBeGreaterThan(sequence('2033-05-17T00:00:00.000Z'));
    expect(sequence('2040-01-02T00:00:00.000Z')).toBeGreaterThan(sequence('2040-01-01T00:00:00.000Z'));
    expect(sequence('2099-12-31T00:00:00.000Z')).toBeLessThan(2 ** 31);
  });

  it('writes one event per open deadline with a stable UID and CRLF lines of at most 75 octets', () => {
    const text = icsFeed(
      { email: 'a@b.org', role: 'secretariat' },
      [snap('2020-02-12T04:59:59.999Z')],
      Date.parse('2026-11-27T00:00:00Z'),
    );
    expect(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(text).toContain('UID:166-POL-drafting@visit-follow-up');
    expect(text).toContain('DTEND:20200212T045959Z');
    expect(text.match(/BEGIN:VEVENT/g)).toHaveLength(1);
  });
});
