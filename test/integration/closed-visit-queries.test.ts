/**
 * A closed visit still answers: its status comes from a query the worker answers by replaying the
 * history, and the worker drops all but one of several queries buffered for the same closed run.
 * Concurrent readers of a closed visit must all get it (not a 500 after the query's 30-s timeout).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiVisit, startApiHarness, type Harness } from '../api-harness';

let h: Harness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('a withdrawn visit', () => {
  it('answers many concurrent readers, round after round', async () => {
    expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(740, 'NOR') })).status).toBe(201);
    // A long history, so that answering a query (by replaying it) takes a while.
    const referrals = Array.from(
      { length: 60 },
      () => ['cted', 'refer-ta', { partners: ['UNODC'], agreedOn: '2026-11-20' }] as const,
    );
    for (const [as, action, body] of [
      ['cted', 'record-pao', { note: 'x' }] as const,
      ...referrals,
      ['cted', 'submit-draft', {}] as const,
      ['secretariat', 'withdraw', { reason: 'postponed' }] as const,
    ]) {
      expect((await h.request('POST', `/api/visits/740-NOR/actions/${action}`, { as, body })).status).toBe(200);
    }
    for (let round = 0; round < 3; round++) {
      // Readers, and people still trying to act on it (each attempt reads the visit too).
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          i % 2
            ? h.request('GET', '/api/visits/740-NOR', { as: 'secretariat' })
            : h.request('POST', '/api/visits/740-NOR/actions/refer-ta', {
                as: 'cted',
                body: { partners: ['UNODC'], agreedOn: '2026-11-20' },
              }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([409, 200, 409, 200, 409, 200, 409, 200]);
      expect(answers.filter((a) => a.status === 200).every((a) => a.body.stage === 'withdrawn')).toBe(true);
      expect(answers.filter((a) => a.status === 409).every((a) => a.body.error === 'not-allowed-now')).toBe(true);
    }
  });

  it('is read from Temporal once: with no worker left to replay it, it still answers', async () => {
    expect((await h.request('GET', '/api/visits/740-NOR', { as: 'cted' })).body.stage).toBe('withdrawn');
    await h.stopWorker();
    const again = await h.request('GET', '/api/visits/740-NOR', { as: 'secretariat' });
    expect(again.status).toBe(200);
    expect(again.body.history.map((e: { type: string }) => e.type).at(-1)).toBe('withdraw');
  });
});
