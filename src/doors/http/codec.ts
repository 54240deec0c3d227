/**
 * The codec server for the Temporal UI and CLI (their codec-server protocol, not the engine's API,
 * so not in /openapi.json): POST /codec/decode and /codec/encode take `{payloads:[…]}` (metadata
 * and data in base64) and answer the same shape. Only CTED and the secretariat, who see every
 * visit anyway, may decode: by bearer token (the CLI's --codec-auth) or by the dashboard's
 * session cookie (the UI's "include cross-origin credentials"). CORS admits only the UI's origins.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { z } from 'zod';
import { AppError } from '../../services';
import type { Authentication } from './auth';
import { bodyText, limitFileBody } from './body';
import type { AppEnv } from './env';

export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** The payload codec, on payloads as JSON carries them (the composition root supplies it). */
export interface CodecPort {
  encode(payloads: JsonPayload[]): Promise<JsonPayload[]>;
  decode(payloads: JsonPayload[]): Promise<JsonPayload[]>;
}

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const Body = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), Base64).optional(), data: Base64.optional() })),
});

/** CORS for the UI's origins: mounted before the method guard, which would refuse the preflight (OPTIONS). */
export function codecCors(app: OpenAPIHono<AppEnv>, origins: string[]) {
  app.use(
    '/codec/*',
    cors({
      origin: origins,
      allowMethods: ['POST'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
      credentials: true,
      maxAge: 600,
    }),
  );
}

/** The codec routes; without a codec configured they are not mounted (404). */
export function codecRoutes(app: OpenAPIHono<AppEnv>, auth: Authentication, codec: CodecPort) {
  for (const op of ['decode', 'encode'] as const) {
    app.post(`/codec/${op}`, limitFileBody, auth.bearerOrCookie, auth.may('use-codec'), async (c) => {
      let json: unknown;
      try {
        json = JSON.parse(await bodyText(c));
      } catch {
        throw new AppError('malformed-json', 'the request body is not valid JSON');
      }
      const parsed = Body.safeParse(json);
      if (!parsed.success) throw new AppError('invalid-request', `payloads: ${z.prettifyError(parsed.error)}`);
      try {
        return c.json({ payloads: await codec[op](parsed.data.payloads) });
      } catch (e) {
        // An unknown key id or a tampered payload: the caller sent it, and the message says which.
        throw new AppError('invalid-request', (e as Error).message);
      }
    });
  }
}
