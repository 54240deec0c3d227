/**
 * The payload codec (AES-256-GCM, key id in the metadata, rotation), its configuration, the TLS
 * options, and the codec endpoint the Temporal UI calls: all without a server.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { loadConfig } from '../../src/config';
import { createHttpApp } from '../../src/doors/http/app';
import { AesGcmCodec, ENCRYPTED_ENCODING, jsonCodec, KEY_ID_METADATA } from '../../src/infra/temporal/codec';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { temporalTls } from '../../src/infra/temporal/security';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { createServices } from '../../src/services';

const key = (id: string) => ({ id, key: randomBytes(32) });
const SECRET = { summary: 'Poland asks that paragraph 12 on border checks be reworded' };
const plain = (): Payload => defaultPayloadConverter.toPayload(SECRET);
const text = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());

describe('the payload codec', () => {
  it('round-trips a payload, sealed under the first key with a fresh IV each time', async () => {
    const codec = new AesGcmCodec([key('k1')]);
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(text(a!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(a!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Buffer.from(a!.data!).toString('latin1')).not.toContain('paragraph 12');
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    const [back] = await codec.decode([a!]);
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual(SECRET);
  });

  it('detects a tampered payload, and a payload relabelled with another key id', async () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const codec = new AesGcmCodec([k2, k1]);
    const [sealed] = await codec.encode([plain()]);
    const data = Buffer.from(sealed!.data!);
    data[20]! ^= 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/failed authentication/);
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('k1') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication/);
  });

  it('refuses a payload sealed with a key it does not hold, naming the key id', async () => {
    const [sealed] = await new AesGcmCodec([key('old')]).encode([plain()]);
    await expect(new AesGcmCodec([key('new')]).decode([sealed!])).rejects.toThrow(
      /key id "old".*holds new; add the old key/,
    );
  });

  it('rotates: a payload sealed with the old key still opens once a new key is put first', async () => {
    const old = key('2025');
    const [sealed] = await new AesGcmCodec([old]).encode([plain()]);
    const rotated = new AesGcmCodec([key('2026'), old]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([sealed!]))[0]!)).toEqual(SECRET);
    const [fresh] = await rotated.encode([plain()]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('2026');
  });

  it('passes plain payloads through decode unchanged (histories from before encryption)', async () => {
    const p = plain();
    const [out] = await new AesGcmCodec([key('k1')]).decode([p]);
    expect(out).toBe(p);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new AesGcmCodec([{ id: 'short', key: randomBytes(16) }])).toThrow(/32 bytes/);
  });
});

describe('FOLLOWUP_CODEC_KEYS', () => {
  const b64 = () => randomBytes(32).toString('base64');
  it('parses id:base64key pairs in order, the first one encrypting', () => {
    const config = loadConfig({ FOLLOWUP_CODEC_KEYS: `k2:${b64()}, k1:${b64()}` });
    expect(config.FOLLOWUP_CODEC_KEYS!.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(config.FOLLOWUP_CODEC_KEYS![0]!.key).toHaveLength(32);
  });

  it('names what is wrong: not id:key, a short key, a repeated id', () => {
    expect(() => loadConfig({ FOLLOWUP_CODEC_KEYS: b64() })).toThrow(/FOLLOWUP_CODEC_KEYS: .* is not id:key/);
    expect(() => loadConfig({ FOLLOWUP_CODEC_KEYS: `k1:${randomBytes(16).toString('base64')}` })).toThrow(
      /FOLLOWUP_CODEC_KEYS: key k1 is 16 bytes; expected .*32-byte keys/,
    );
    expect(() => loadConfig({ FOLLOWUP_CODEC_KEYS: `k1:${b64()},k1:${b64()}` })).toThrow(/key id k1 appears twice/);
  });
});

describe('TLS to a remote Temporal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'followup-tls-'));
  const file = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const remote = { TEMPORAL_ADDRESS: 'temporal.example.org:7233' };

  it('is off unless asked; TEMPORAL_TLS=true is server-authenticated TLS', () => {
    expect(temporalTls(loadConfig(remote))).toBeUndefined();
    expect(temporalTls(loadConfig({ ...remote, TEMPORAL_TLS: 'true' }))).toEqual({});
    expect(temporalTls(loadConfig({ ...remote, TEMPORAL_TLS: 'false' }))).toBeUndefined();
  });

  it('reads the CA, and the client certificate and key for mTLS', () => {
    const ca = file('ca.pem', 'CA');
    const cert = file('cert.pem', 'CERT');
    const tlsKey = file('key.pem', 'KEY');
    expect(temporalTls(loadConfig({ ...remote, TEMPORAL_TLS_CA: ca }))).toEqual({
      serverRootCACertificate: Buffer.from('CA'),
    });
    expect(temporalTls(loadConfig({ ...remote, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: tlsKey }))).toEqual({
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
  });

  it('refuses half an mTLS pair, TLS without a remote server, and a file it cannot read', () => {
    expect(() => loadConfig({ ...remote, TEMPORAL_TLS_CERT: 'c.pem' })).toThrow(/go together/);
    expect(() => loadConfig({ TEMPORAL_TLS: 'true' })).toThrow(/TEMPORAL_ADDRESS: TEMPORAL_TLS\* needs a remote/);
    expect(() => loadConfig({ ...remote, TEMPORAL_TLS: 'maybe' })).toThrow(/TEMPORAL_TLS/);
    expect(() => temporalTls(loadConfig({ ...remote, TEMPORAL_TLS_CA: join(dir, 'missing.pem') }))).toThrow(
      /TEMPORAL_TLS_CA: cannot read .*missing\.pem/,
    );
  });
});

describe('the codec endpoint', () => {
  const UI = 'http://127.0.0.1:8233';
  const codec = new AesGcmCodec([key('k1')]);
  const store = new SqliteStore(':memory:');
  const services = createServices({
    temporal: () => Promise.reject(new Error('no Temporal in this test')),
    store: () => store,
    policy: resolvePolicy(),
    linkSecret: randomBytes(32).toString('base64url'),
    publicUrl: 'http://127.0.0.1:3000',
    outboxDir: '/nonexistent',
  });
  const app = createHttpApp({
    services,
    publicUrl: 'http://127.0.0.1:3000',
    version,
    codec: { port: jsonCodec(codec), origins: [UI] },
  });
  const tokens = { cted: 'cted-token-0123456789abcdef', state: 'state-token-0123456789abcdef' };
  beforeAll(async () => {
    await store.addUser({ email: 'officer@cted.example.org', role: 'cted' }, tokens.cted);
    await store.addUser({ email: 'mission@poland.example.org', role: 'state', state: 'POL' }, tokens.state);
  });
  const post = (op: string, body: unknown, token?: string) =>
    app.request(`/codec/${op}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: UI,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  const asJson = (p: Payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  });

  it('encodes and decodes for CTED, with CORS for the UI', async () => {
    const enc = await post('encode', { payloads: [asJson(plain())] }, tokens.cted);
    expect(enc.status).toBe(200);
    expect(enc.headers.get('access-control-allow-origin')).toBe(UI);
    const { payloads } = (await enc.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    const dec = await post('decode', { payloads }, tokens.cted);
    const out = (await dec.json()) as { payloads: { data: string }[] };
    expect(JSON.parse(Buffer.from(out.payloads[0]!.data, 'base64').toString())).toEqual(SECRET);
  });

  it('answers the preflight for the UI origin only', async () => {
    const pre = (origin: string) =>
      app.request('/codec/decode', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const ok = await pre(UI);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await pre('https://evil.example.org')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses without a token, and for a role that does not see every visit', async () => {
    const body = { payloads: [] };
    expect((await post('decode', body)).status).toBe(401);
    expect((await post('decode', body, tokens.state)).status).toBe(403);
  });

  it('says why a payload does not decode, and refuses a malformed body', async () => {
    const [foreign] = await new AesGcmCodec([key('other')]).encode([plain()]);
    const res = await post('decode', { payloads: [asJson(foreign!)] }, tokens.cted);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/key id "other"/);
    expect((await post('decode', { payloads: 'x' }, tokens.cted)).status).toBe(400);
  });
});

describe('the codec routes in the OpenAPI document', () => {
  it('are left out: they speak the Temporal codec-server protocol, for the UI and CLI, not the API', async () => {
    const app = createHttpApp({
      services: createServices({
        temporal: () => Promise.reject(new Error('no Temporal in this test')),
        store: () => new SqliteStore(':memory:'),
        policy: resolvePolicy(),
        linkSecret: randomBytes(32).toString('base64url'),
        publicUrl: 'http://127.0.0.1:3000',
        outboxDir: '/nonexistent',
      }),
      publicUrl: 'http://127.0.0.1:3000',
      version,
      codec: { port: jsonCodec(new AesGcmCodec([key('k1')])), origins: [] },
    });
    expect(app.routes.some((r) => r.path === '/codec/decode' && r.method === 'POST')).toBe(true);
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/codec'))).toEqual([]);
  });
});
