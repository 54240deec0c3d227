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
import { Store } from '../../src/infra/store/store';
import { SESSION_HOURS, UserService } from '../../src/services/users';

const EMAIL = 'secretariat@un.example.org';
let dir: string;
let store: Store;
let now: number;
let users: UserService;
let token: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'followup-sessions-'));
  store = new Store(join(dir, 'followup.sqlite'));
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
  token = users.add({ role: 'secretariat', email: EMAIL }).token;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sessions', () => {
  it('opens a session with a random id that is not the token, for the token’s holder only', () => {
    const s = users.startSession(token)!;
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.id).not.toBe(token);
    expect(users.session(s.id)).toEqual({ email: EMAIL, role: 'secretariat' });
    expect(users.session(token)).toBeUndefined(); // the token is not a session id
    expect(users.authenticate(s.id)).toBeUndefined(); // nor is a session id a token
    expect(users.startSession('not-a-token-but-long-enough-0123456789')).toBeUndefined();
    expect(users.startSession(token)!.id).not.toBe(s.id); // every sign-in its own session
  });

  it(`lasts ${SESSION_HOURS} hours`, () => {
    const s = users.startSession(token)!;
    expect(s.expiresAt.getTime() - now).toBe(SESSION_HOURS * 3_600_000);
    now += SESSION_HOURS * 3_600_000 - 1;
    expect(users.session(s.id)).toBeDefined();
    now += 1;
    expect(users.session(s.id)).toBeUndefined();
  });

  it('ends at sign-out, on the server: the same id no longer signs anyone in', () => {
    const [a, b] = [users.startSession(token)!, users.startSession(token)!];
    users.endSession(a.id);
    expect(users.session(a.id)).toBeUndefined();
    expect(users.session(b.id)).toBeDefined();
    users.endSession(undefined); // signing out without a session is harmless
    users.endSession('garbage');
  });

  it('binds form tokens to the session id', () => {
    const [a, b] = [users.startSession(token)!, users.startSession(token)!];
    expect(users.formTokenValid(a.id, users.formToken(a.id))).toBe(true);
    expect(users.formTokenValid(b.id, users.formToken(a.id))).toBe(false);
    expect(users.formToken(a.id)).not.toBe(users.formToken(token));
  });
});

describe('revoke and rotate', () => {
  it('revoke stops the token and every session at once, and the calendar feed', () => {
    const [a, b] = [users.startSession(token)!, users.startSession(token)!];
    const feed = users
      .feedUrl(EMAIL)
      .split('/feeds/')[1]!
      .replace(/\.ics$/, '');
    expect(users.byFeedSecret(feed)).toBeDefined();
    expect(users.revoke(EMAIL)).toEqual({ email: EMAIL, sessionsEnded: 2 });
    expect(users.authenticate(token)).toBeUndefined();
    expect(users.session(a.id)).toBeUndefined();
    expect(users.session(b.id)).toBeUndefined();
    expect(users.startSession(token)).toBeUndefined();
    expect(users.byFeedSecret(feed)).toBeUndefined();
    expect(users.list()[0]).toMatchObject({ email: EMAIL, revokedAt: new Date(now).toISOString() });
  });

  it('rotate gives a new token, shown once; the old one and its sessions stop working', () => {
    const old = users.startSession(token)!;
    const { token: fresh } = users.rotate(EMAIL);
    expect(fresh).not.toBe(token);
    expect(users.authenticate(token)).toBeUndefined();
    expect(users.session(old.id)).toBeUndefined();
    expect(users.authenticate(fresh)).toEqual({ email: EMAIL, role: 'secretariat' });
    expect(users.session(users.startSession(fresh)!.id)).toBeDefined();
  });

  it('rotate after a revocation gives the user access again, with the new token only', () => {
    users.revoke(EMAIL);
    const { token: fresh } = users.rotate(EMAIL);
    expect(users.authenticate(fresh)).toBeDefined();
    expect(users.authenticate(token)).toBeUndefined();
    expect(users.list()[0]!.revokedAt).toBeUndefined();
  });

  it('refuses an unknown user or a malformed address', () => {
    expect(() => users.revoke('nobody@un.example.org')).toThrow('no user nobody@un.example.org');
    expect(() => users.rotate('nobody@un.example.org')).toThrow('no user nobody@un.example.org');
    expect(() => users.revoke('not an address')).toThrow(/email/);
  });
});

describe('the store', () => {
  it('keeps tokens and session ids only as hashes', () => {
    const s = users.startSession(token)!;
    const { token: rotated } = users.rotate(EMAIL);
    const s2 = users.startSession(rotated)!;
    const db = new Database(store.file, { readonly: true });
    const everything = JSON.stringify([
      db.prepare('SELECT * FROM users').all(),
      db.prepare('SELECT * FROM sessions').all(),
    ]);
    db.close();
    for (const secret of [token, rotated, s.id, s2.id]) expect(everything).not.toContain(secret);
    expect(everything).toContain(EMAIL);
  });

  it('adds the revocation column to a store made before it existed', () => {
    const file = join(dir, 'old.sqlite');
    const db = new Database(file);
    db.exec(`CREATE TABLE users (email TEXT PRIMARY KEY, role TEXT NOT NULL, state TEXT, organisation TEXT,
      token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)`);
    db.prepare(
      "INSERT INTO users VALUES ('old@un.example.org', 'cted', NULL, NULL, 'h', '2025-01-01T00:00:00.000Z')",
    ).run();
    db.close();
    const old = new Store(file);
    expect(old.revokeUser('old@un.example.org')).toBe(0);
    expect(old.users()[0]).toMatchObject({ email: 'old@un.example.org', revokedAt: expect.any(String) });
    old.close();
  });
});
