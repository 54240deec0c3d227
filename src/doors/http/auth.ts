/**
 * Who is asking: a bearer token (the API), the session cookie (the dashboard and its CSV links:
 * a server-side session's id, never the token), with failed attempts rate-limited per client
 * address; signed links likewise count only their refusals.
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
/** The dashboard session's id, from its cookie. */
export const sessionId = (c: Context) => getCookie(c, SESSION_COOKIE);

/** What a refused link request is refused for: these count against the address. */
const LINK_FAILURES = new Set(['link-invalid', 'link-expired', 'link-used']);
export const isLinkFailure = (e: unknown): e is AppError => e instanceof AppError && LINK_FAILURES.has(e.code);

export function authentication(services: Services, perMinute: number, now: () => number) {
  const failures = rateLimiter(perMinute, now);
  const links = rateLimiter(perMinute, now);

  /** A refusal that counts against the address: 401, then 429 once it has failed too often. */
  const failed = (c: Context): never => {
    if (!failures.hit(clientAddress(c))) throw new AppError('rate-limited', 'too many requests; try again in a minute');
    throw new AppError('unauthenticated', 'a valid bearer token is required');
  };

  /** The principal of a token; a bad one counts against the address (401, then 429). */
  const principal = async (c: Context, token: string | undefined): Promise<Principal> =>
    (await services.users.authenticate(token)) ?? failed(c);

  const withPrincipal =
    (who: (c: Context) => Promise<Principal>): MiddlewareHandler<AppEnv> =>
    async (c, next) => {
      c.set('principal', await who(c));
      await next();
    };

  return {
    principal,
    /** The API: a bearer token. */
    bearer: withPrincipal((c) => principal(c, bearerToken(c))),
    /** Exports linked from the dashboard: a bearer token or the dashboard's session cookie. */
    bearerOrCookie: withPrincipal(async (c) => {
      const token = bearerToken(c);
      if (token !== undefined) return principal(c, token);
      return (await services.users.session(sessionId(c))) ?? failed(c);
    }),
    /** Refuses an operation the signed-in role may not perform (403). */
    may:
      (op: Operation): MiddlewareHandler<AppEnv> =>
      async (c, next) => {
        requireOperation(c.get('principal'), op);
        await next();
      },
    /**
     * Signed links: a link is a bearer secret too, so refused link requests (invalid, expired,
     * used) count per address and an address over its limit is refused (429) before its link is
     * read. Valid uses count for nothing, nor do actions refused for what they ask.
     */
    linkLimit: (async (c, next) => {
      const address = clientAddress(c);
      if (links.blocked(address)) throw new AppError('rate-limited', 'too many requests; try again in a minute');
      await next();
      // Hono answers a thrown refusal inside `next`, and leaves the error here.
      if (isLinkFailure(c.error)) links.hit(address);
    }) as MiddlewareHandler<AppEnv>,
    /** Counts a link refusal a page answered itself (a thrown one is counted by `linkLimit`). */
    linkRefused: (c: Context, e: unknown): void => {
      if (isLinkFailure(e)) links.hit(clientAddress(c));
    },
  };
}
export type Authentication = ReturnType<typeof authentication>;
