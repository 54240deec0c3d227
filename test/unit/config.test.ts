/** The variables that shape the processes: which part runs, and how many workflows the worker caches. */
import { describe, expect, it } from 'vitest';
import { loadConfig, onlyFromArgs } from '../../src/config';

const remote = { TEMPORAL_ADDRESS: 'temporal:7233' };

describe('FOLLOWUP_ONLY and --only', () => {
  it('runs both parts when unset, and one part when set against a shared Temporal', () => {
    expect(loadConfig({}).FOLLOWUP_ONLY).toBeUndefined();
    expect(loadConfig({ ...remote, FOLLOWUP_ONLY: 'worker' }).FOLLOWUP_ONLY).toBe('worker');
    expect(loadConfig({ ...remote, FOLLOWUP_ONLY: 'web' }).FOLLOWUP_ONLY).toBe('web');
    expect(loadConfig({ FOLLOWUP_ONLY: '' }).FOLLOWUP_ONLY).toBeUndefined(); // empty counts as unset
  });

  it('refuses another part, and one part alone on the embedded dev server', () => {
    expect(() => loadConfig({ ...remote, FOLLOWUP_ONLY: 'api' })).toThrow(/FOLLOWUP_ONLY/);
    expect(() => loadConfig({ FOLLOWUP_ONLY: 'worker' })).toThrow(/FOLLOWUP_ONLY: .*TEMPORAL_ADDRESS/);
  });

  it('reads --only from the command line in both spellings', () => {
    expect(onlyFromArgs([])).toBeUndefined();
    expect(onlyFromArgs(['--only', 'worker'])).toBe('worker');
    expect(onlyFromArgs(['--only=web'])).toBe('web');
    expect(onlyFromArgs(['--only', 'api'])).toBe('api'); // then refused as FOLLOWUP_ONLY is
    // A bare flag is refused, not read as unset (which would run both parts).
    expect(() => onlyFromArgs(['--only'])).toThrow(/--only takes worker or web/);
    expect(() => onlyFromArgs(['--only='])).toThrow(/--only takes worker or web/);
    expect(() => onlyFromArgs(['--only', '--other'])).toThrow(/--only takes worker or web/);
  });
});

describe('FOLLOWUP_MAX_CACHED_WORKFLOWS', () => {
  it('defaults to 1000 and takes a whole number', () => {
    expect(loadConfig({}).FOLLOWUP_MAX_CACHED_WORKFLOWS).toBe(100);
    expect(loadConfig({ FOLLOWUP_MAX_CACHED_WORKFLOWS: '250' }).FOLLOWUP_MAX_CACHED_WORKFLOWS).toBe(250);
    expect(loadConfig({ FOLLOWUP_MAX_CACHED_WORKFLOWS: '0' }).FOLLOWUP_MAX_CACHED_WORKFLOWS).toBe(0);
  });

  it('refuses what is not a count', () => {
    for (const bad of ['-1', '1.5', 'many', '2000000']) {
      expect(() => loadConfig({ FOLLOWUP_MAX_CACHED_WORKFLOWS: bad })).toThrow(/FOLLOWUP_MAX_CACHED_WORKFLOWS/);
    }
  });
});
