/** The documents a step carries: CTED or the secretariat give the engine the file (base64 in JSON). */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services';
import { DOCUMENT_KINDS, DocumentUpload } from '../../services/documents';
import type { Authentication } from '../http/auth';
import { jsonBody, limitDocumentBody } from '../http/body';
import type { AppEnv } from '../http/env';
import { AUTH, BODY, hook, json, refusals, rejected } from './responses';
import { VisitIdParam } from './schemas';

const AddedDocument = z.object({
  id: z.string(),
  kind: z.enum(DOCUMENT_KINDS),
  fileName: z.string(),
  size: z.number().int(),
  sha256: z.string(),
});

export function documentRoutes(app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/visits/{id}/documents',
      summary: 'Give the engine a document a step carries: the PAO, the draft report, the adopted report',
      description:
        "The latest document of a kind is the one the visit's messages carry: attached when small, else a " +
        'signed link. CTED and the secretariat only; the upload is in the audit trail (never its content).',
      security: [{ bearer: [] }],
      middleware: [auth.bearer, limitDocumentBody, jsonBody],
      request: { params: VisitIdParam, body: { required: true, content: json(DocumentUpload) } },
      responses: {
        201: { description: 'The document kept', content: json(AddedDocument) },
        ...refusals(...BODY, ...AUTH, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await services.documents.add(c.get('principal'), 'api', c.req.valid('param').id, c.req.valid('json')),
        201,
      ),
    (result, c) => {
      // A body that is not a document: the visit and the role are checked first (404, 403), and the refusal audited.
      if (!result.success && result.target === 'json')
        return services.documents
          .add(c.get('principal'), 'api', c.req.param('id') ?? '', rejected(result))
          .then((): never => {
            throw new Error('a rejected document was accepted');
          });
      return hook({ param: 'visit id' })(result, c);
    },
  );
}
