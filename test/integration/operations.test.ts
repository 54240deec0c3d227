/**
 * The operators' endpoints on a running engine (real dev server, real worker, real SMTP, real
 * HTTP): /healthz, /readyz (ready, then 503 naming Temporal once its server is gone) and /metrics,
 * whose counts move as a visit starts, its notices are sent and one send is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers';
import { startApiHarness, apiVisit, type Harness } from '../api-harness';

let h: Harness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The value of one sample (name and exact label set as printed), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function metrics(): Promise<string> {
  const res = await fetch(`${h.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.text();
}

describe('operators’ endpoints', () => {
  it('answers /healthz and /readyz without a token', async () => {
    const health = await h.request('GET', '/healthz');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await h.request('GET', '/readyz');
    expect(ready).toMatchObject({
      status: 200,
      body: { ready: true, checks: { temporal: { ok: true }, store: { ok: true } } },
    });
  });

  it('counts visits by stage, messages sent and failed, and activity latency', async () => {
    const before = await metrics();
    expect(sample(before, 'followup_visits{stage="drafting"}')).toBe(0);
    expect(sample(before, 'followup_visits_overdue')).toBe(0);
    expect(before).toContain('# TYPE followup_activity_duration_seconds histogram');

    expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(810, 'NOR') })).status).toBe(201);
    const step = (action: string, body: unknown = {}) =>
      h.request('POST', `/api/visits/810-NOR/actions/${action}`, { as: 'cted', body });
    expect((await step('submit-draft', { documentRef: 'DRAFT/810' })).status).toBe(200);

    // The State's mail server refuses the draft once: the failure is counted, the retry goes through.
    h.smtp.refuse = true;
    expect((await step('dispatch-draft')).status).toBe(200);
    await eventually(
      async () =>
        (sample(await metrics(), 'followup_messages_failed_total{kind="event"}') ?? 0) > 0 ? true : undefined,
      'a failed send counted',
    );
    h.smtp.refuse = false;
    const after = await eventually(async () => {
      const text = await metrics();
      const sent = (await h.store.messages()).filter((m) => m.kind === 'event').length;
      const drafted = h.smtp.received.some((m) => m.visitId === '810-NOR' && m.topic === 'draft-dispatched');
      return drafted &&
        sent > 0 &&
        sample(text, 'followup_messages_sent_total{kind="event"}') === sent &&
        sample(text, 'followup_visits{stage="state-review"}') === 1
        ? text
        : undefined;
    }, 'the draft sent, counted from the store, and the visit in state review');
    expect(
      sample(after, 'followup_activity_duration_seconds_count{activity="recordEvents",outcome="ok"}'),
    ).toBeGreaterThan(0);
    expect(
      sample(after, 'followup_activity_duration_seconds_count{activity="notify",outcome="error"}'),
    ).toBeGreaterThan(0);
    expect(sample(after, 'followup_activity_duration_seconds_bucket{activity="notify",outcome="ok",le="+Inf"}')).toBe(
      sample(after, 'followup_activity_duration_seconds_count{activity="notify",outcome="ok"}'),
    );
    // Counts only: no State, no address, no visit id.
    expect(after).not.toMatch(/NOR|810|example\.org/);
  });

  it('is not ready once the Temporal server is gone, and says so', async () => {
    await h.stopTemporal();
    const ready = await h.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, checks: { temporal: { ok: false }, store: { ok: true } } });
    expect(ready.body.checks.temporal.error).toEqual(expect.any(String));
    // Still alive, and the read model's metrics still answer.
    expect((await h.request('GET', '/healthz')).status).toBe(200);
    expect(sample(await metrics(), 'followup_visits{stage="state-review"}')).toBe(1);
  });
});
