/**
 * People with an account: added by the operator (the token is shown once, only its hash kept),
 * revoked or given a new token by the operator, signed in to the dashboard by token into a
 * server-side session (the cookie holds the session's random id, never the token), each with a
 * personal calendar-feed URL and, in the dashboard, form tokens bound to the session.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ROLES, type Principal, type Role } from '../domain/permissions';
import type { UserRecord } from '../infra/store/store';
import type { ServiceDeps } from './context';
import { AppError, parseOr } from './errors';

export const NewUser = z
  .object({
    role: z.enum(ROLES),
    email: z.email(),
    state: z
      .string()
      .regex(/^[A-Z]{3}$/, 'expected an ISO3 code such as NOR')
      .optional(),
    organisation: z
      .string()
      .regex(/^[A-Za-z0-9-]{2,30}$/, 'expected a short code such as UNODC')
      .optional(),
  })
  .strict()
  .refine((u) => (u.role === 'state') === (u.state !== undefined), {
    path: ['state'],
    message: 'a state user needs --state, and only a state user has one',
  })
  .refine((u) => (u.role === 'partner') === (u.organisation !== undefined), {
    path: ['organisation'],
    message: 'a partner needs --organisation, and only a partner has one',
  });

/** How long a dashboard session lasts. */
export const SESSION_HOURS = 12;

/** The shape of a token the engine issues (API tokens and session ids); anything else is refused before the store is asked. */
const TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('base64url');

/** Compares a secret in constant time. */
function sameText(expected: string, given: string): boolean {
  const [a, b] = [Buffer.from(expected), Buffer.from(given)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The secret part of a user's calendar feed URL: derived, so nothing more is stored. */
export function feedSecret(linkSecret: string, email: string): string {
  return hmac(linkSecret, `feed:${email}`).slice(0, 32);
}

export function principalOf(u: UserRecord): Principal {
  return {
    email: u.email,
    role: u.role as Role,
    ...(u.state ? { state: u.state } : {}),
    ...(u.organisation ? { organisation: u.organisation } : {}),
  };
}

export class UserService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Adds a user and returns its API token, shown once: 409 for an e-mail already registered. */
  async add(raw: unknown): Promise<{ user: z.infer<typeof NewUser>; token: string }> {
    const user = parseOr(NewUser, raw, 'user');
    if ((await this.deps.store().users()).some((u) => u.email === user.email)) {
      throw new AppError('exists', `a user with e-mail ${user.email} already exists`);
    }
    const token = randomBytes(32).toString('base64url');
    await this.deps.store().addUser(user, token);
    return { user, token };
  }

  list(): Promise<UserRecord[]> {
    return this.deps.store().users();
  }

  /** The person a token belongs to, or undefined (a revoked or replaced token is nobody's). */
  async authenticate(token: string | undefined): Promise<Principal | undefined> {
    const user = token && TOKEN.test(token) ? await this.deps.store().userByToken(token) : undefined;
    return user ? principalOf(user) : undefined;
  }

  /** Signs the holder of a valid token in: a new session, whose random id the cookie carries. */
  async startSession(token: string): Promise<{ id: string; principal: Principal; expiresAt: Date } | undefined> {
    const user = TOKEN.test(token) ? await this.deps.store().userByToken(token) : undefined;
    if (!user) return undefined;
    const id = randomBytes(32).toString('base64url');
    const now = new Date(this.now());
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
    await this.deps.store().createSession(id, user.email, now, expiresAt);
    return { id, principal: principalOf(user), expiresAt };
  }

  /** The person signed in with a session id, while it has not expired, ended or been revoked. */
  async session(id: string | undefined): Promise<Principal | undefined> {
    const user = id && TOKEN.test(id) ? await this.deps.store().userBySession(id, new Date(this.now())) : undefined;
    return user ? principalOf(user) : undefined;
  }

  /** Signs out: the session ends on the server, whatever the browser keeps. */
  async endSession(id: string | undefined): Promise<void> {
    if (id && TOKEN.test(id)) await this.deps.store().endSession(id);
  }

  /** Stops a user's token and every session at once; how many sessions were ended. */
  async revoke(email: string): Promise<{ email: string; sessionsEnded: number }> {
    const ended = await this.deps.store().revokeUser(await this.known(email), new Date(this.now()));
    return { email, sessionsEnded: ended ?? 0 };
  }

  /** A new token for a user (shown once; the old one stops working, its sessions end, a revocation is lifted). */
  async rotate(email: string): Promise<{ email: string; token: string }> {
    const token = randomBytes(32).toString('base64url');
    if (!(await this.deps.store().rotateToken(await this.known(email), token))) throw this.unknown(email);
    return { email, token };
  }

  private async known(email: string): Promise<string> {
    const valid = parseOr(z.email(), email, 'email');
    if (!(await this.deps.store().users()).some((u) => u.email === valid)) throw this.unknown(valid);
    return valid;
  }

  private unknown(email: string): AppError {
    return new AppError('invalid-request', `no user ${email}; add one with followup users add`);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** The user's personal calendar subscription URL. */
  async feedUrl(email: string): Promise<string> {
    if (!(await this.deps.store().users()).some((u) => u.email === email)) {
      throw new AppError('usage', `no user ${email}; add one with followup users add`);
    }
    return `${this.deps.publicUrl.replace(/\/$/, '')}/feeds/${feedSecret(this.deps.linkSecret, email)}.ics`;
  }

  /** The user whose feed URL holds this secret. */
  async byFeedSecret(secret: string): Promise<Principal | undefined> {
    const user = (await this.deps.store().users()).find(
      (u) => !u.revokedAt && feedSecret(this.deps.linkSecret, u.email) === secret,
    );
    return user ? principalOf(user) : undefined;
  }

  /** A form token bound to the session id, so a page on another site cannot post with the cookie. */
  formToken(sessionId: string): string {
    return hmac(this.deps.linkSecret, `form:${sessionId}`);
  }

  formTokenValid(sessionId: string, given: string | undefined): boolean {
    return sameText(hmac(this.deps.linkSecret, `form:${sessionId}`), given ?? '');
  }

  /** A message signed for one round trip through the browser (a flash after a redirect). */
  seal(text: string): string {
    const body = Buffer.from(text, 'utf8').toString('base64url');
    return `${body}.${hmac(this.deps.linkSecret, `flash:${body}`)}`;
  }

  /** The sealed message, or undefined when it was not sealed here. */
  unseal(sealed: string | undefined): string | undefined {
    const [body, sig, extra] = (sealed ?? '').split('.');
    if (!body || !sig || extra !== undefined) return undefined;
    if (!sameText(hmac(this.deps.linkSecret, `flash:${body}`), sig)) return undefined;
    return Buffer.from(body, 'base64url').toString('utf8');
  }

  /** Whether the dashboard's session cookie must be `Secure` (served over https). */
  get secureCookies(): boolean {
    return this.deps.publicUrl.startsWith('https:');
  }
}
