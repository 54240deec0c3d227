/**
 * A fixed-window limiter per client address (failed sign-ins, link requests). Its memory is
 * bounded, and a flood of new addresses never frees an address that is being throttled.
 */
const WINDOW_MS = 60_000;

export interface RateLimiter {
  /** Counts one request from `key`; false once it has more than the limit in its window. */
  hit(key: string): boolean;
  /** Whether `key` already used its limit in its window (counts nothing): its next failure would be over. */
  blocked(key: string): boolean;
  /** How many addresses are tracked (for tests of the memory bound). */
  size(): number;
}

export function rateLimiter(perMinute: number, now: () => number, maxAddresses = 10_000): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();

  // Expired windows go first, then windows under the limit, oldest first; throttled ones stay until they expire.
  const evict = (t: number) => {
    for (const [k, w] of windows) if (t - w.start >= WINDOW_MS) windows.delete(k);
    const target = Math.floor(maxAddresses * 0.9);
    for (const [k, w] of windows) {
      if (windows.size <= target) return;
      if (w.count <= perMinute) windows.delete(k);
    }
  };

  return {
    hit(key) {
      const t = now();
      const w = windows.get(key);
      if (w && t - w.start < WINDOW_MS) return ++w.count <= perMinute;
      windows.delete(key);
      windows.set(key, { start: t, count: 1 });
      if (windows.size > maxAddresses) evict(t);
      return true;
    },
    blocked(key) {
      const w = windows.get(key);
      return w !== undefined && now() - w.start < WINDOW_MS && w.count >= perMinute;
    },
    size: () => windows.size,
  };
}
