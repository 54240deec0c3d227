/**
 * The audit chain's head anchored in Temporal, on the dev server: actions through the API anchor
 * the newest entry; `verify` agrees with the anchor; dropping the newest entries from the store
 * (which leaves a valid, shorter chain) is detected through the anchor.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_QUEUE } from '../../src/contract';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { readAuditAnchor } from '../../src/infra/temporal/audit-anchor';
import { createServices, type Services } from '../../src/services';
import { apiVisit, startApiHarness, type Harness } from '../api-harness';
import { eventually } from '../helpers';

let h: Harness;
let services: Services;

beforeAll(async () => {
  h = await startApiHarness();
  services = createServices({
    temporal: async () => h.env.client,
    store: () => h.store,
    policy: resolvePolicy(),
    linkSecret: h.linkSecret,
    publicUrl: 'http://api.invalid',
    outboxDir: '/nonexistent',
    taskQueue: TASK_QUEUE,
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('the audit anchor', () => {
  it('holds the newest entry, and shows entries dropped from the end of a still-valid chain', async () => {
    for (const n of [701, 702, 703])
      expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(n, 'NOR') })).status).toBe(201);
    const entries = await h.store.audit();
    expect(entries.length).toBeGreaterThanOrEqual(3);
    const newest = entries.at(-1)!;
    // The API anchors off the request's path: the anchor reaches the newest entry within a bound.
    await eventually(
      async () => ((await readAuditAnchor(h.env.client))?.id === newest.id ? true : undefined),
      'the anchor to hold the newest entry',
    );
    expect(await readAuditAnchor(h.env.client)).toEqual({ id: newest.id, hash: newest.hash });
    expect(await services.audit.verify()).toEqual({ ok: true, entries: entries.length, anchor: 'checked' });

    // Someone with the database drops the two newest entries: the chain left is valid on its own.
    const db = new Database(h.store.file);
    db.exec('DROP TRIGGER audit_append_only_d');
    db.prepare('DELETE FROM audit WHERE id > ?').run(newest.id - 2);
    db.close();
    expect(await h.store.verifyAudit()).toEqual({ ok: true, entries: entries.length - 2 });
    expect(await services.audit.verify()).toEqual({
      ok: false,
      entries: entries.length - 2,
      brokenAt: newest.id - 1,
      reason: `entries after ${newest.id - 2} are missing: the anchor holds entry ${newest.id} (hash ${newest.hash.slice(0, 16)}…)`,
      anchor: 'checked',
    });
  });
});
