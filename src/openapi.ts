/** The OpenAPI document, generated from the same zod schemas the API validates with. */
import { z } from 'zod';
import { VisitStartRequest } from './contract';
import { ACTION_PAYLOADS } from './domain/actions';
import { ACTIONS, STAGES } from './domain/vocabulary';

export function buildOpenApi(): Record<string, unknown> {
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  const error = { $ref: '#/components/schemas/Error' };
  const responses = (ok: Record<string, unknown>, ...codes: number[]) => ({
    ...ok,
    ...Object.fromEntries(
      codes.map((c) => [String(c), { description: String(c), content: { 'application/json': { schema: error } } }]),
    ),
  });
  const json = (s: unknown) => ({ content: { 'application/json': { schema: s } } });
  const idParam = {
    name: 'id',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^\\d{1,5}-[A-Z]{3}$' },
    example: '166-POL',
  };
  const actionPaths = Object.fromEntries(
    ACTIONS.map((a) => [
      `/api/visits/{id}/actions/${a}`,
      {
        post: {
          summary: `Take the action ${a}`,
          security: [{ bearer: [] }],
          parameters: [idParam],
          requestBody: { required: false, ...json(schema(ACTION_PAYLOADS[a])) },
          responses: responses(
            { '200': { description: 'The visit after the action' } },
            400,
            401,
            403,
            404,
            409,
            413,
            422,
          ),
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Visit follow-up engine',
      version: '0.1.0',
      description: 'Follow-up of Counter-Terrorism Committee visits.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: { type: 'string' },
            message: { type: 'string' },
            allowedActions: { type: 'array', items: { type: 'string' } },
          },
        },
        VisitStartRequest: schema(VisitStartRequest),
      },
    },
    paths: {
      '/api/me': {
        get: {
          summary: 'Who the token belongs to',
          security: [{ bearer: [] }],
          responses: responses({ '200': { description: 'The signed-in user' } }, 401),
        },
      },
      '/api/policy': {
        get: {
          summary: 'The effective policy',
          security: [{ bearer: [] }],
          responses: responses({ '200': { description: 'Policy' } }, 401),
        },
      },
      '/api/visits': {
        get: {
          summary: 'Visits the caller may see',
          security: [{ bearer: [] }],
          parameters: [
            { name: 'stage', in: 'query', schema: { type: 'string', enum: STAGES } },
            { name: 'overdue', in: 'query', schema: { type: 'string', enum: ['true', 'false'] } },
            { name: 'state', in: 'query', schema: { type: 'string', pattern: '^[A-Z]{3}$' } },
          ],
          responses: responses({ '200': { description: 'Visits' } }, 400, 401),
        },
        post: {
          summary: 'Start following up a visit',
          security: [{ bearer: [] }],
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/VisitStartRequest' }) },
          responses: responses({ '201': { description: 'Started: { id }' } }, 400, 401, 403, 409, 413),
        },
      },
      '/api/visits/import': {
        post: {
          summary: 'Import visits from CSV text',
          security: [{ bearer: [] }],
          requestBody: {
            required: true,
            ...json({
              type: 'object',
              required: ['csv'],
              properties: {
                csv: { type: 'string' },
                caseOfficer: { type: 'string' },
                stateContact: { type: 'string' },
              },
            }),
          },
          responses: responses({ '200': { description: 'Imported ids' } }, 400, 401, 403, 413, 422),
        },
      },
      '/api/visits/{id}': {
        get: {
          summary: 'One visit',
          security: [{ bearer: [] }],
          parameters: [idParam],
          responses: responses({ '200': { description: 'The visit' } }, 401, 404),
        },
      },
      '/api/visits/{id}/actions': {
        get: {
          summary: 'Actions the caller may take now',
          security: [{ bearer: [] }],
          parameters: [idParam],
          responses: responses({ '200': { description: 'Allowed actions and their fields' } }, 401, 404),
        },
      },
      ...actionPaths,
      '/api/visits/{id}/links': {
        post: {
          summary: 'Issue a signed link for a State focal point',
          security: [{ bearer: [] }],
          parameters: [idParam],
          responses: responses({ '201': { description: '{ url, expiresAt }' } }, 400, 401, 403, 404),
        },
      },
      '/api/links/{token}': {
        get: {
          summary: 'What a signed link allows',
          parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
          responses: responses({ '200': { description: 'The link' } }, 401, 409, 429),
        },
        post: {
          summary: 'Act through a signed link (once)',
          parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
          responses: responses(
            { '200': { description: 'The visit after the action' } },
            400,
            401,
            403,
            409,
            413,
            422,
            429,
          ),
        },
      },
    },
  };
}
