/** The per-address limiter of failed sign-ins and link requests: fair under a flood, bounded in memory. */
import { describe, expect, it } from 'vitest';
import { rateLimiter } from '../../src/doors/http/rate-limit';

describe('rateLimiter', () => {
  it('refuses an address over its limit until its minute is over', () => {
    let t = 0;
    const limit = rateLimiter(3, () => t);
    expect([1, 2, 3, 4].map(() => limit.hit('10.0.0.1'))).toEqual([true, true, true, false]);
    expect(limit.hit('10.0.0.2')).toBe(true);
    t = 59_999;
    expect(limit.hit('10.0.0.1')).toBe(false);
    t = 60_000;
    expect(limit.hit('10.0.0.1')).toBe(true);
  });

  it('says an address is blocked once it has used its limit, without counting the question', () => {
    let t = 0;
    const limit = rateLimiter(2, () => t);
    expect(limit.blocked('10.0.0.1')).toBe(false);
    limit.hit('10.0.0.1');
    expect([1, 2, 3].map(() => limit.blocked('10.0.0.1'))).toEqual([false, false, false]);
    limit.hit('10.0.0.1');
    expect(limit.blocked('10.0.0.1')).toBe(true);
    expect(limit.blocked('10.0.0.2')).toBe(false);
    t = 60_000;
    expect(limit.blocked('10.0.0.1')).toBe(false);
  });

  it('keeps throttling an address while a flood of new addresses fills the table', () => {
    let t = 0;
    const limit = rateLimiter(3, () => t, 1_000);
    for (let i = 0; i < 4; i++) limit.hit('203.0.113.7');
    expect(limit.hit('203.0.113.7')).toBe(false);
    for (let i = 0; i < 5_000; i++) {
      t += 1;
      limit.hit(`198.51.${Math.floor(i / 256)}.${i % 256}`);
    }
    expect(limit.hit('203.0.113.7')).toBe(false);
    expect(limit.size()).toBeLessThanOrEqual(1_000);
  });

  it('forgets expired windows first', () => {
    let t = 0;
    const limit = rateLimiter(1, () => t, 10);
    for (let i = 0; i < 10; i++) limit.hit(`a${i}`);
    limit.hit('a0'); // a0 is now throttled
    t = 61_000;
    for (let i = 0; i < 5; i++) limit.hit(`b${i}`);
    limit.hit('b0');
    expect(limit.hit('b0')).toBe(false);
    limit.hit('c');
    expect(limit.size()).toBeLessThanOrEqual(10);
    expect(limit.hit('b0')).toBe(false);
  });
});
