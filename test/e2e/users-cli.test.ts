/**
 * `followup users revoke|rotate` as processes against the store a running API reads: a revoked
 * user's token and dashboard sessions stop working at once; a rotated token is shown once, and
 * the old one (with its sessions) stops working while the new one works.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { createHttpApp } from '../../src/doors/http/app';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { createServices } from '../../src/services';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'followup');
const EMAIL = 'secretariat@un.example.org';
const PUBLIC = 'http://127.0.0.1:3000';
let dataDir: string;
let store: SqliteStore;
let app: ReturnType<typeof createHttpApp>;
/** The user's tokens as the CLI showed them, oldest first. */
const tokens: Record<string, string> = {};

function followup(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      CLI,
      args,
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, FOLLOWUP_DATA_DIR: dataDir } },
      (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** GET /api/me with a bearer token: 200 or 401. */
const me = async (token: string) =>
  (await app.request('/api/me', { headers: { authorization: `Bearer ${token}` } })).status;

async function signIn(token: string): Promise<{ status: number; cookie: string | undefined }> {
  const r = await app.request('/sign-in', {
    method: 'POST',
    headers: { origin: PUBLIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });
  const id = /followup_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1];
  return { status: r.status, cookie: id ? `followup_session=${id}` : undefined };
}

/** The overview with a session cookie: 200 signed in, 303 sent to sign in. */
const overview = async (cookie: string) => (await app.request('/', { headers: { cookie } })).status;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'followup-users-'));
  const added = await followup('users', 'add', '--role', 'secretariat', '--email', EMAIL, '--json');
  expect(added.code, added.stderr).toBe(0);
  store = new SqliteStore(join(dataDir, 'followup.sqlite'));
  const services = createServices({
    temporal: () => Promise.reject(new Error('no Temporal in this test')),
    store: () => store,
    policy: resolvePolicy(),
    linkSecret: randomBytes(32).toString('base64url'),
    publicUrl: PUBLIC,
    outboxDir: join(dataDir, 'outbox'),
  });
  app = createHttpApp({ services, publicUrl: PUBLIC, version, rateLimit: 1_000 });
  tokens.first = (JSON.parse(added.stdout) as { token: string }).token;
});
afterAll(async () => {
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('followup users rotate', () => {
  it('shows a new token once; the old token and its sessions stop working, the new one works', async () => {
    expect(await me(tokens.first!)).toBe(200);
    const session = await signIn(tokens.first!);
    expect(session.status).toBe(303);
    expect(await overview(session.cookie!)).toBe(200);

    const r = await followup('users', 'rotate', EMAIL);
    expect(r.code, r.stderr).toBe(0);
    const fresh = r.stdout.trim().split('\n').at(-1)!;
    expect(r.stdout).toContain(`new API token for ${EMAIL} (shown once`);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(tokens.first);

    expect(await me(tokens.first!)).toBe(401);
    expect(await overview(session.cookie!)).toBe(303);
    expect((await signIn(tokens.first!)).status).toBe(401);
    expect(await me(fresh)).toBe(200);
    tokens.second = fresh;

    const json = await followup('users', 'rotate', EMAIL, '--json');
    expect(json.code, json.stderr).toBe(0);
    tokens.third = (JSON.parse(json.stdout) as { token: string }).token;
    expect(await me(tokens.second)).toBe(401);
    expect(await me(tokens.third)).toBe(200);
  });
});

describe('followup users revoke', () => {
  it('stops the token and every session at once, and says how many sessions ended', async () => {
    const [a, b] = [await signIn(tokens.third!), await signIn(tokens.third!)];
    expect(await overview(a.cookie!)).toBe(200);
    expect(await overview(b.cookie!)).toBe(200);

    const r = await followup('users', 'revoke', EMAIL);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`user ${EMAIL} revoked: its token and 2 session(s) stop working now`);
    expect(await me(tokens.third!)).toBe(401);
    expect(await overview(a.cookie!)).toBe(303);
    expect(await overview(b.cookie!)).toBe(303);
    expect((await app.request('/api/visits.csv', { headers: { cookie: a.cookie! } })).status).toBe(401);
    expect((await signIn(tokens.third!)).status).toBe(401);

    const list = await followup('users', 'list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ email: EMAIL, revokedAt: expect.any(String) })]);
    expect((await followup('users', 'list')).stdout).toContain('(revoked');
  });

  it('is undone only by a rotation, which gives a new token', async () => {
    const r = await followup('users', 'rotate', EMAIL, '--json');
    expect(r.code, r.stderr).toBe(0);
    const fresh = (JSON.parse(r.stdout) as { token: string }).token;
    expect(await me(fresh)).toBe(200);
    expect(await me(tokens.third!)).toBe(401);
  });

  it('refuses an unknown user (exit 1) and a missing argument (exit 2), and lists both commands in --help', async () => {
    const unknown = await followup('users', 'revoke', 'nobody@un.example.org');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user nobody@un.example.org');
    expect((await followup('users', 'rotate', 'nobody@un.example.org')).code).toBe(1);
    const missing = await followup('users', 'revoke');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'email'");
    const help = await followup('users', '--help');
    expect(help.stdout).toMatch(/^\s+revoke\b/m);
    expect(help.stdout).toMatch(/^\s+rotate\b/m);
  });
});
