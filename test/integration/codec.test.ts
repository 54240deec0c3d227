/**
 * Confidential payloads on the real dev server: with FOLLOWUP_CODEC_KEYS' codec, the history a
 * client without the codec fetches (what the Temporal UI, its database or anyone at the frontend
 * sees) holds no clear text of what the State wrote, while the engine reads the visit as usual;
 * the codec endpoint decrypts that history's payloads for CTED and for no one else.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiVisit, startApiHarness, type Harness } from '../api-harness';
import { workflowIdOf } from '../../src/contract';
import { ENCRYPTED_ENCODING } from '../../src/infra/temporal/codec';

const SUMMARY = 'Zanzibar-Quokka: the State disputes paragraph 31';
const UI = 'http://127.0.0.1:8233';
let h: Harness;
beforeAll(async () => {
  h = await startApiHarness({ codecKeys: [{ id: 'k2026', key: randomBytes(32) }], codecOrigin: UI });
});
afterAll(async () => {
  await h?.close();
});

type RawPayload = { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
/**
 * What Temporal itself must read stays in clear: search attributes (visibility filters on them: State
 * code, stage, type, deadline) and the SDK's patch markers (a version name). Everything else is sealed.
 */
const CLEAR_BY_DESIGN = /\.searchAttributes\.|\.markerRecordedEventAttributes\.details\.patch-data\./;

/** Every payload of the visit's history, as a client without the codec receives it. */
async function rawPayloads(workflowId: string) {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  const payloads: RawPayload[] = [];
  const all: RawPayload[] = [];
  const walk = (v: unknown, path: string): void => {
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    const isPayload = 'metadata' in v && 'data' in v && (v as RawPayload).data instanceof Uint8Array;
    if (isPayload) all.push(v as RawPayload);
    if (isPayload && !CLEAR_BY_DESIGN.test(path)) payloads.push(v as RawPayload);
    else if (!isPayload) Object.entries(v).forEach(([k, x]) => walk(x, `${path}.${k}`));
  };
  walk(history, '');
  return { history, payloads, all };
}

const b64 = (b: Uint8Array | undefined | null) => Buffer.from(b ?? []).toString('base64');

describe('a visit followed with the payload codec', () => {
  it('keeps its history free of clear text, and the engine reads it as usual', async () => {
    expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(801, 'NOR') })).status).toBe(201);
    for (const action of ['record-pao', 'submit-draft', 'dispatch-draft']) {
      const body = action === 'dispatch-draft' ? {} : { documentRef: `${action}/801` };
      const r = await h.request('POST', `/api/visits/801-NOR/actions/${action}`, { as: 'cted', body });
      expect(r.status, r.text).toBe(200);
    }
    const comments = await h.request('POST', '/api/visits/801-NOR/actions/record-comments', {
      as: 'stateNOR',
      body: { summary: SUMMARY },
    });
    expect(comments.status, comments.text).toBe(200);

    const { history, payloads, all } = await rawPayloads(workflowIdOf('801-NOR'));
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) {
      expect(Buffer.from(p.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(p.data ?? []).toString('latin1')).not.toContain('Zanzibar');
    }
    expect(
      all.filter((p) =>
        Buffer.from(p.data ?? [])
          .toString('latin1')
          .includes('Zanzibar'),
      ),
    ).toEqual([]);
    expect(JSON.stringify(history)).not.toContain('Zanzibar');

    const visit = await h.request('GET', '/api/visits/801-NOR', { as: 'cted' });
    expect(visit.status).toBe(200);
    expect(visit.text).toContain(SUMMARY);
  });

  it('decrypts those payloads at /codec/decode for CTED, and for no State', async () => {
    const { payloads } = await rawPayloads(workflowIdOf('801-NOR'));
    const body = {
      payloads: payloads.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
        data: b64(p.data),
      })),
    };
    const headers = { origin: UI };
    const decoded = await h.request('POST', '/codec/decode', { as: 'cted', body, headers });
    expect(decoded.status, decoded.text).toBe(200);
    const clear = (decoded.body as { payloads: { data: string }[] }).payloads.map((p) =>
      Buffer.from(p.data, 'base64').toString(),
    );
    expect(clear.some((t) => t.includes(SUMMARY))).toBe(true);

    expect((await h.request('POST', '/codec/decode', { as: 'stateNOR', body, headers })).status).toBe(403);
    expect((await h.request('POST', '/codec/decode', { body, headers })).status).toBe(401);
  });
});
