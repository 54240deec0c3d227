/** The documents a step carries: CTED or the secretariat give the engine the file (base64 in JSON). */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services';
import { DOCUMENT_KINDS, DocumentUpload, DocumentWithdrawalRequest } from '../../services/documents';
import type { Authentication } from '../http/auth';
import { jsonBody, limitBody, limitDocumentBody } from '../http/body';
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

const Withdrawal = z.object({ by: z.string(), at: z.string(), reason: z.string() });

/** A document kept for a visit, without its content. */
const DocumentInfo = AddedDocument.extend({
  visitId: z.string(),
  mediaType: z.string(),
  addedBy: z.string(),
  addedAt: z.string(),
  withdrawn: Withdrawal.optional().meta({ description: 'Set once withdrawn: its links no longer work' }),
}).meta({ id: 'Document' });

const DocumentParams = VisitIdParam.extend({
  documentId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a document id')
    .meta({ param: { name: 'documentId', in: 'path' }, example: 'q3Vn0c9yJ0m2cXoQ1h7b4A' }),
});

type Routes = (app: OpenAPIHono<AppEnv>, services: Services, auth: Authentication) => void;

/** The documents' routes: give one, list a visit's, withdraw one. */
export const documentRoutes: Routes = (app, services, auth) => {
  for (const add of [uploadRoute, listRoute, withdrawRoute]) add(app, services, auth);
};

const uploadRoute: Routes = (app, services, auth) => {
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
};

const listRoute: Routes = (app, services, auth) => {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/visits/{id}/documents',
      summary: "A visit's documents, oldest first, without their content",
      description:
        'Each with its id (to withdraw it), who gave it and when, and its withdrawal if any. CTED and the secretariat only.',
      security: [{ bearer: [] }],
      middleware: [auth.bearer],
      request: { params: VisitIdParam },
      responses: {
        200: { description: "The visit's documents", content: json(z.array(DocumentInfo)) },
        ...refusals(400, ...AUTH, 403, 404),
      },
    }),
    async (c) => c.json(await services.documents.list(c.get('principal'), c.req.valid('param').id), 200),
    hook({ param: 'visit id' }),
  );
};

const withdrawRoute: Routes = (app, services, auth) => {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/visits/{id}/documents/{documentId}/withdraw',
      summary: 'Withdraw a document: its download links stop working, and messages no longer carry it',
      description:
        "For the wrong file, or a link that reached the wrong hands. The visit's messages then name the step's " +
        'reference until a new file is given. CTED and the secretariat only; audited. Withdrawing it again changes nothing.',
      security: [{ bearer: [] }],
      middleware: [auth.bearer, limitBody, jsonBody],
      request: { params: DocumentParams, body: { required: true, content: json(DocumentWithdrawalRequest) } },
      responses: {
        200: { description: 'The document, withdrawn', content: json(DocumentInfo) },
        ...refusals(...BODY, ...AUTH, 403, 404),
      },
    }),
    async (c) => {
      const { id, documentId } = c.req.valid('param');
      return c.json(
        await services.documents.withdraw(c.get('principal'), 'api', id, documentId, c.req.valid('json')),
        200,
      );
    },
    (result, c) => {
      // A body without a reason: the visit, the role and the document are checked first, and the refusal audited.
      if (!result.success && result.target === 'json')
        return services.documents
          .withdraw(
            c.get('principal'),
            'api',
            c.req.param('id') ?? '',
            c.req.param('documentId') ?? '',
            rejected(result),
          )
          .then((): never => {
            throw new Error('a rejected withdrawal was accepted');
          });
      return hook({ param: 'visit or document id' })(result, c);
    },
  );
};
