/** Who the token belongs to, the effective policy, and the OpenAPI document itself. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services';
import type { Authentication } from '../http/auth';
import type { AppEnv } from '../http/env';
import { AUTH, json, refusals } from './responses';
import { Me, PolicyDocument } from './schemas';

const bearer = [{ bearer: [] }];

export function metaRoutes(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me',
      summary: 'Who the token belongs to',
      security: bearer,
      middleware: [auth.bearer],
      responses: { 200: { description: 'The signed-in user', content: json(Me) }, ...refusals(...AUTH) },
    }),
    (c) => c.json(c.get('principal'), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/policy',
      summary: 'The effective policy: clocks, reminders, the working-day calendar',
      security: bearer,
      middleware: [auth.bearer, auth.may('read-policy')],
      responses: { 200: { description: 'The policy', content: json(PolicyDocument) }, ...refusals(...AUTH, 403) },
    }),
    (c) => c.json(services.policy, 200),
  );
}

/** Serves the document generated from the routes registered so far (call it last). */
export function openApiRoute(app: OpenAPIHono<AppEnv>, version: string): void {
  const document = () =>
    app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Visit follow-up engine',
        version,
        description: 'Follow-up of Counter-Terrorism Committee visits: every route of the HTTP API.',
      },
    });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      responses: { 200: { description: 'The OpenAPI 3.1 document', content: json(z.record(z.string(), z.unknown())) } },
    }),
    (c) => c.json(document() as unknown as Record<string, unknown>, 200),
  );
}
