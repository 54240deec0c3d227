/** Signed links: what a link allows, and acting through it once (no account, no token). */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ACTION_PAYLOADS } from '../../domain/actions';
import { ACTIONS } from '../../domain/vocabulary';
import type { Services } from '../../services';
import type { Authentication } from '../http/auth';
import { jsonBody, limitBody } from '../http/body';
import type { AppEnv } from '../http/env';
import { BODY, json, refusals, rejected } from './responses';
import { LinkDescription, VisitView } from './schemas';

const TokenParam = z.object({
  token: z.string().meta({ param: { name: 'token', in: 'path' }, description: 'The signed link token' }),
});

/** Any action's payload: which one applies is in the link (see GET). */
const LinkPayload = z.union(
  ACTIONS.map((a) => ACTION_PAYLOADS[a]) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]],
);

export function linkRoutes(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  // Forged, expired and used links are refused before the body is looked at.
  const verified: MiddlewareHandler<AppEnv> = async (c, next) => {
    await services.links.verify(c.req.param('token') ?? '');
    await next();
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/links/{token}',
      summary: 'What a signed link allows',
      middleware: [auth.linkLimit],
      request: { params: TokenParam },
      responses: {
        200: { description: 'The link: its visit, action, person, fields and expiry', content: json(LinkDescription) },
        ...refusals(401, 409, 429),
      },
    }),
    async (c) => c.json(await services.links.describe(c.req.valid('param').token), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/links/{token}',
      summary: 'Act through a signed link (once)',
      description: "The body is the payload of the link's action.",
      middleware: [auth.linkLimit, verified, limitBody, jsonBody],
      request: { params: TokenParam, body: { required: true, content: json(LinkPayload) } },
      responses: {
        200: { description: 'The visit after the action', content: json(VisitView) },
        ...refusals(...BODY, 401, 403, 404, 409, 422, 429),
      },
    }),
    async (c) => c.json(await services.links.act(c.req.valid('param').token, c.req.valid('json')), 200),
    (result, c) =>
      result.success
        ? undefined
        : services.links.refusePayload(c.req.param('token') ?? '', rejected(result)).then((e): never => {
            throw e;
          }),
  );
}
