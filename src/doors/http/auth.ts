/**
 * Who is asking: a bearer token (the API), the session cookie (the dashboard and its CSV links),
 * with failed attempts rate-limited per client address.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Principal } from '../../domain/permissions';
import type { Operation } from '../../domain/permissions';
import { AppError, type Services } from '../../services';
import { requireOperation } from '../../services/visits';
import type { AppEnv } from './env';
import { rateLimiter } from './rate-limit';

export const SESSION_COOKIE = 'followup_session';

/** The client's address as the socket sees it. */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const bearerToken = (c: Context) => /^Bearer (\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
export const sessionToken = (c: Context) => getCookie(c, SESSION_COOKIE);

export function authentication(services: Services, perMinute: number, now: () => number) {
  const failures = rateLimiter(perMinute, now);
  const links = rateLimiter(perMinute, now);

  /** The principal of a token; a bad one counts against the address (401, then 429). */
  const principal = (c: Context, token: string | undefined): Principal => {
    const p = services.users.authenticate(token);
    if (p) return p;
    if (!failures.hit(clientAddress(c))) throw new AppError('rate-limited', 'too many requests; try again in a minute');
    throw new AppError('unauthenticated', 'a valid bearer token is required');
  };

  const withPrincipal =
    (token: (c: Context) => string | undefined): MiddlewareHandler<AppEnv> =>
    async (c, next) => {
      c.set('principal', principal(c, token(c)));
      await next();
    };

  return {
    principal,
    /** The API: a bearer token. */
    bearer: withPrincipal(bearerToken),
    /** Exports linked from the dashboard: a bearer token or the session cookie. */
    bearerOrCookie: withPrincipal((c) => bearerToken(c) ?? sessionToken(c)),
    /** Refuses an operation the signed-in role may not perform (403). */
    may:
      (op: Operation): MiddlewareHandler<AppEnv> =>
      async (c, next) => {
        requireOperation(c.get('principal'), op);
        await next();
      },
    /** Counts every use of a signed link per address: a link is a bearer secret too. */
    linkLimit: (async (c, next) => {
      if (!links.hit(clientAddress(c))) throw new AppError('rate-limited', 'too many requests; try again in a minute');
      await next();
    }) as MiddlewareHandler<AppEnv>,
  };
}
export type Authentication = ReturnType<typeof authentication>;
