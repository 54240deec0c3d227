/** Pure pieces of the dashboard: where sign-in may send you, and form fields as an action's payload. */
import { describe, expect, it } from 'vitest';
import { payloadFromForm, safeNext } from '../../src/doors/web/routes';

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

describe('payloadFromForm', () => {
  it('types fields as the action declares them, leaves empty ones out and keeps the form token out', () => {
    const form = new URLSearchParams({
      scope: 'partial',
      sections: 'Border security, CFT ,',
      priorityTaNeedsOnly: 'true',
      note: '  ',
      _csrf: 'token',
      do: 'record-consent',
    });
    expect(payloadFromForm('record-consent', form)).toEqual({
      scope: 'partial',
      sections: ['Border security', 'CFT'],
      priorityTaNeedsOnly: true,
    });
  });

  it('passes unknown fields along, so the action schema refuses them', () => {
    expect(payloadFromForm('record-pao', new URLSearchParams({ isAdmin: 'yes' }))).toEqual({ isAdmin: 'yes' });
  });
});
