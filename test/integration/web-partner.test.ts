/** A UN partner in the dashboard sees the reports States shared, and nothing internal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedSecret } from '../../src/services/users';
import { eventually } from '../helpers';
import { apiVisit, startApiHarness, USERS, type Harness, type UserName } from '../api-harness';

let h: Harness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

const sessions = new Map<UserName, string>();
const page = async (path: string, as: UserName) => {
  if (!sessions.has(as)) sessions.set(as, await h.signIn(as));
  const res = await fetch(`${h.url}${path}`, {
    headers: { cookie: sessions.get(as)! },
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text() };
};

describe('a partner in the dashboard', () => {
  it('lists shared reports with their consented scope, and is refused every internal page', async () => {
    const act = async (as: UserName, action: string, body: unknown = {}) =>
      expect((await h.request('POST', `/api/visits/720-NOR/actions/${action}`, { as, body })).status).toBe(200);
    expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(720, 'NOR') })).status).toBe(201);
    expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(721, 'CHL') })).status).toBe(201);
    await act('cted', 'submit-draft');
    await act('cted', 'dispatch-draft');
    await act('stateNOR', 'record-comments');
    await act('cted', 'submit-final-draft');
    await act('committee', 'object', { reason: 'x' });
    await act('chair', 'record-adoption');
    await act('chair', 'transmit-report');
    await act('stateNOR', 'record-consent', { scope: 'partial', sections: ['Border security'] });
    await eventually(
      async () => ((await h.store.snapshots('720-NOR'))[0]?.consent.scope === 'partial' ? true : undefined),
      'the read model to hold the consent',
    );

    const overview = await page('/', 'partner');
    expect(overview.status).toBe(200);
    expect(overview.text).toContain('Reports shared with you');
    expect(overview.text).toContain('data-visit="720-NOR"');
    expect(overview.text).toContain('partial: Border security');
    expect(overview.text).not.toContain('721-CHL');
    expect(overview.text).not.toMatch(/transmitting|state-implementation-report|cted-follow-up-report/);
    expect(overview.text).not.toContain(USERS.stateNOR.email);

    for (const path of ['/visits/720-NOR', '/compliance', '/annual', '/api/visits.csv']) {
      const r = await page(path, 'partner');
      expect(r.status, path).toBe(403);
      expect(r.text).not.toContain(USERS.stateNOR.email);
    }
    const feed = await fetch(`${h.url}/feeds/${feedSecret(h.linkSecret, USERS.partner.email)}.ics`);
    expect(feed.status).toBe(200);
    expect(await feed.text()).not.toContain('BEGIN:VEVENT');
  });
});
