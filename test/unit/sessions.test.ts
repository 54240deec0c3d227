/**
 * Accounts and sessions: signing in opens a server-side session whose random id (never the API
 * token) the cookie carries; it lasts 12 hours, ends at sign-out, and ends with the user's token
 * when the operator revokes or rotates it. Tokens and session ids are stored only as hashes.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { SESSION_HOURS, UserService } from '../../src/services/users';

const EMAIL = 'secretariat@un.example.org';
let dir: string;
let store: SqliteStore;
let now: number;
let users: UserService;
let token: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'followup-sessions-'));
  store = new SqliteStore(join(dir, 'followup.sqlite'));
  now = Date.parse('2026-11-27T12:00:00.000Z');
  users = new UserService({
    temporal: () => Promise.reject(new Error('no Temporal here')),
    store: () => store,
    policy: resolvePolicy(),
    linkSecret: randomBytes(32).toString('base64url'),
    publicUrl: 'http://127.0.0.1:3000',
    outboxDir: '/nonexistent',
    now: () => now,
  });
  token = (await users.add({ role: 'secretariat', email: EMAIL })).token;
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sessions', () => {
  it('opens a session with a random id that is not the token, for the token’s holder only', async () => {
    const s = (await users.startSession(token))!;
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.id).not.toBe(token);
    expect(await users.session(s.id)).toEqual({ email: EMAIL, role: 'secretariat' });
    expect(await users.session(token)).toBeUndefined(); // the token is not a session id
    expect(await users.authenticate(s.id)).toBeUndefined(); // nor is a session id a token
    expect(await users.startSession('not-a-token-but-long-enough-0123456789')).toBeUndefined();
    expect((await users.startSession(token))!.id).not.toBe(s.id); // every sign-in its own session
  });

  it(`lasts ${SESSION_HOURS} hours`, async () => {
    const s = (await users.startSession(token))!;
    expect(s.expiresAt.getTime() - now).toBe(SESSION_HOURS * 3_600_000);
    now += SESSION_HOURS * 3_600_000 - 1;
    expect(await users.session(s.id)).toBeDefined();
    now += 1;
    expect(await users.session(s.id)).toBeUndefined();
  });

  it('ends at sign-out, on the server: the same id no longer signs anyone in', async () => {
    const [a, b] = [(await users.startSession(token))!, (await users.startSession(token))!];
    await users.endSession(a.id);
    expect(await users.session(a.id)).toBeUndefined();
    expect(await users.session(b.id)).toBeDefined();
    await users.endSession(undefined); // signing out without a session is harmless
    await users.endSession('garbage');
  });

  it('binds form tokens to the session id', async () => {
    const [a, b] = [(await users.startSession(token))!, (await users.startSession(token))!];
    expect(users.formTokenValid(a.id, users.formToken(a.id))).toBe(true);
    expect(users.formTokenValid(b.id, users.formToken(a.id))).toBe(false);
    expect(users.formToken(a.id)).not.toBe(users.formToken(token));
  });
});

describe('revoke and rotate', () => {
  it('revoke stops the token and every session at once, and the calendar feed', async () => {
    const [a, b] = [(await users.startSession(token))!, (await users.startSession(token))!];
    const feed = (await users.feedUrl(EMAIL)).split('/feeds/')[1]!.replace(/\.ics$/, '');
    expect(await users.byFeedSecret(feed)).toBeDefined();
    expect(await users.revoke(EMAIL)).toEqual({ email: EMAIL, sessionsEnded: 2 });
    expect(await users.authenticate(token)).toBeUndefined();
    expect(await users.session(a.id)).toBeUndefined();
    expect(await users.session(b.id)).toBeUndefined();
    expect(await users.startSession(token)).toBeUndefined();
    expect(await users.byFeedSecret(feed)).toBeUndefined();
    expect((await users.list())[0]).toMatchObject({ email: EMAIL, revokedAt: new Date(now).toISOString() });
  });

  it('rotate gives a new token, shown once; the old one and its sessions stop working', async () => {
    const old = (await users.startSession(token))!;
    const { token: fresh } = await users.rotate(EMAIL);
    expect(fresh).not.toBe(token);
    expect(await users.authenticate(token)).toBeUndefined();
    expect(await users.session(old.id)).toBeUndefined();
    expect(await users.authenticate(fresh)).toEqual({ email: EMAIL, role: 'secretariat' });
    expect(await users.session((await users.startSession(fresh))!.id)).toBeDefined();
  });

  it('rotate after a revocation gives the user access again, with the new token only', async () => {
    await users.revoke(EMAIL);
    const { token: fresh } = await users.rotate(EMAIL);
    expect(await users.authenticate(fresh)).toBeDefined();
    expect(await users.authenticate(token)).toBeUndefined();
    expect((await users.list())[0]!.revokedAt).toBeUndefined();
  });

  it('refuses an unknown user or a malformed address', async () => {
    await expect(users.revoke('nobody@un.example.org')).rejects.toThrow('no user nobody@un.example.org');
    await expect(users.rotate('nobody@un.example.org')).rejects.toThrow('no user nobody@un.example.org');
    await expect(users.revoke('not an address')).rejects.toThrow(/email/);
  });
});

describe('the store', () => {
  it('keeps tokens and session ids only as hashes', async () => {
    const s = (await users.startSession(token))!;
    const { token: rotated } = await users.rotate(EMAIL);
    const s2 = (await users.startSession(rotated))!;
    const db = new Database(store.file, { readonly: true });
    const everything = JSON.stringify([
      db.prepare('SELECT * FROM users').all(),
      db.prepare('SELECT * FROM sessions').all(),
    ]);
    db.close();
    for (const secret of [token, rotated, s.id, s2.id]) expect(everything).not.toContain(secret);
    expect(everything).toContain(EMAIL);
  });

  it('adds the revocation column to a store made before it existed', async () => {
    const file = join(dir, 'old.sqlite');
    const db = new Database(file);
    db.exec(`CREATE TABLE users (email TEXT PRIMARY KEY, role TEXT NOT NULL, state TEXT, organisation TEXT,
      token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)`);
    db.prepare(
      "INSERT INTO users VALUES ('old@un.example.org', 'cted', NULL, NULL, 'h', '2025-01-01T00:00:00.000Z')",
    ).run();
    db.close();
    const old = new SqliteStore(file);
    expect(await old.revokeUser('old@un.example.org')).toBe(0);
    expect((await old.users())[0]).toMatchObject({ email: 'old@un.example.org', revokedAt: expect.any(String) });
    await old.close();
  });
});
