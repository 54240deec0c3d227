/**
 * The documents a step carries (the PAO, the draft report, the adopted report): CTED or the
 * secretariat give the engine the file itself, which the messages then attach or link to
 * (activities/documents.ts); a recipient downloads a linked one through its signed link
 * (`/documents/{token}`, not single-use, until it expires or the document is withdrawn).
 */
import { z } from 'zod';
import { mayOperate } from '../domain/permissions';
import { verifyDocumentLink } from '../infra/links';
import { DOCUMENT_KINDS, type DocumentKind, type DocumentMeta, type StoredDocument } from '../infra/store/store';

export { DOCUMENT_KINDS };
import type { AuditAttempt } from './audit';
import { isOperator, type Caller, type CallerDoor, type ServiceDeps } from './context';
import { AppError, invalid } from './errors';
import type { VisitService } from './visits';

/** The largest document the engine keeps (decoded). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** Its base64 spelling's length. */
export const MAX_DOCUMENT_BASE64 = Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const decodedSize = (b64: string) => (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);

export const DocumentUpload = z
  .object({
    kind: z.enum(DOCUMENT_KINDS).meta({ description: 'pao, draft (the draft report) or report (the adopted report)' }),
    fileName: z
      .string()
      .min(1)
      .max(255)
      // A name, not a path; no control characters (it goes into a header).
      .refine(
        (name) =>
          name !== '.' &&
          name !== '..' &&
          !LONE_SURROGATE.test(name) &&
          ![...name].some((ch) => ch < ' ' || ch === '\u007f' || ch === '/' || ch === '\\'),
        'a file name, without a folder or control characters',
      )
      .meta({ example: 'S-AC.40-2026-draft.pdf' }),
    mediaType: z
      .string()
      .max(255)
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/,
        'a media type, e.g. application/pdf',
      )
      .meta({ example: 'application/pdf' }),
    contentBase64: z
      .string()
      .min(4, 'the file is empty')
      .max(MAX_DOCUMENT_BASE64, `a document is limited to ${MAX_DOCUMENT_BYTES} bytes`)
      .regex(BASE64, 'not base64 (RFC 4648, without line breaks)')
      .refine((s) => s.length % 4 === 0, 'not base64: its length is not a multiple of 4')
      .refine((s) => decodedSize(s) <= MAX_DOCUMENT_BYTES, `a document is limited to ${MAX_DOCUMENT_BYTES} bytes`)
      .meta({ description: `The file, base64 (at most ${MAX_DOCUMENT_BYTES} bytes decoded)` }),
  })
  .strict();
export type DocumentUpload = z.infer<typeof DocumentUpload>;

export const DocumentWithdrawalRequest = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1, 'say why the document is withdrawn')
      .max(1000)
      .meta({ example: 'The wrong file: an earlier draft' }),
  })
  .strict();

export interface AddedDocument {
  id: string;
  kind: DocumentKind;
  fileName: string;
  size: number;
  sha256: string;
}

/** What the audit trail keeps of an upload: never the content. */
function described(body: unknown): Record<string, unknown> {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 255) : undefined);
  const out: Record<string, unknown> = {};
  for (const k of ['kind', 'fileName', 'mediaType'] as const) if (text(b[k]) !== undefined) out[k] = text(b[k]);
  if (typeof b.contentBase64 === 'string') out.base64Length = b.contentBase64.length;
  return out;
}

export class DocumentService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly visits: VisitService,
    private readonly now: () => number = deps.now ?? Date.now,
  ) {}

  /**
   * Keeps a document for a visit: 404 for a visit the caller may not see, 403 (audited) for a role
   * that may not give documents, 400 (audited) for a body that is not one; nothing is stored then.
   */
  async add(caller: Caller, door: CallerDoor, visitId: string, body: unknown): Promise<AddedDocument> {
    const s = await this.visits.readable(caller, visitId);
    const attempt: AuditAttempt = { caller, door, visitId: s.id, action: 'add-document', payload: described(body) };
    if (!isOperator(caller) && !mayOperate(caller, 'add-document')) {
      await this.visits.audit.record(attempt, 'refused', 'forbidden');
      throw new AppError('forbidden', `the ${caller.role} role may not add a document`);
    }
    const parsed = DocumentUpload.safeParse(body);
    if (!parsed.success) {
      await this.visits.audit.record(attempt, 'refused', 'invalid payload');
      throw invalid('document', parsed.error);
    }
    const d = parsed.data;
    const content = Buffer.from(d.contentBase64, 'base64');
    const meta = await this.deps.store().addDocument(
      {
        visitId: s.id,
        kind: d.kind,
        fileName: d.fileName,
        mediaType: d.mediaType.toLowerCase(),
        content,
        addedBy: caller.email,
      },
      new Date(this.now()),
    );
    const added = { id: meta.id, kind: meta.kind, fileName: meta.fileName, size: meta.size, sha256: meta.sha256 };
    await this.visits.audit.record({ ...attempt, payload: { ...added, mediaType: meta.mediaType } }, 'accepted');
    return added;
  }

  /** A visit's documents (without their content), oldest first, each with its withdrawal if any. */
  async list(caller: Caller, visitId: string): Promise<DocumentMeta[]> {
    const s = await this.visits.readable(caller, visitId);
    if (!isOperator(caller) && !mayOperate(caller, 'add-document'))
      throw new AppError('forbidden', `the ${caller.role} role may not list a visit's documents`);
    return this.deps.store().documents(s.id);
  }

  /**
   * Withdraws a document: its download links stop working at once, and the visit's messages no
   * longer carry it (they name the step's reference, if any, until a new file is given). 404 for a
   * document not of this visit, 403 (audited) for a role that may not, 400 (audited) without a
   * reason. A second withdrawal changes nothing and answers the first.
   */
  async withdraw(
    caller: Caller,
    door: CallerDoor,
    visitId: string,
    documentId: string,
    body: unknown,
  ): Promise<DocumentMeta> {
    const s = await this.visits.readable(caller, visitId);
    const attempt: AuditAttempt = {
      caller,
      door,
      visitId: s.id,
      action: 'withdraw-document',
      payload: { id: documentId.slice(0, 64) },
    };
    if (!isOperator(caller) && !mayOperate(caller, 'add-document')) {
      await this.visits.audit.record(attempt, 'refused', 'forbidden');
      throw new AppError('forbidden', `the ${caller.role} role may not withdraw a document`);
    }
    // Its metadata only, and only among this visit's: another visit's document is not found here.
    const doc = (await this.deps.store().documents(s.id)).find((d) => d.id === documentId);
    if (!doc) throw new AppError('not-found', `visit ${s.id} has no document ${documentId}`);
    const parsed = DocumentWithdrawalRequest.safeParse(body);
    if (!parsed.success) {
      await this.visits.audit.record(attempt, 'refused', 'invalid payload');
      throw invalid('withdrawal', parsed.error);
    }
    if (doc.withdrawn) return doc;
    const withdrawn = await this.deps
      .store()
      .withdrawDocument(doc.id, caller.email, parsed.data.reason, new Date(this.now()));
    await this.visits.audit.record(
      { ...attempt, payload: { id: doc.id, kind: doc.kind, fileName: doc.fileName, reason: withdrawn.reason } },
      'accepted',
    );
    return { ...doc, withdrawn };
  }

  /**
   * The document a signed link names: 404 for a link that is not one (forged, altered) or a document
   * the store does not have, 403 once it has expired or the document was withdrawn. Not single-use; each download is in the audit
   * trail, as the person the link was sent to.
   */
  async download(token: string): Promise<StoredDocument> {
    const check = verifyDocumentLink(token, this.deps.linkSecret, this.now());
    if (!check.ok) {
      if (check.reason === 'expired')
        throw new AppError('forbidden', 'this document link has expired; ask the secretariat for a new one');
      throw new AppError('not-found', 'this document link is not valid');
    }
    const { d, e, r } = check.claims;
    const doc = await this.deps.store().document(d);
    if (!doc) throw new AppError('not-found', 'this document is not available');
    const payload = { id: doc.id, kind: doc.kind, fileName: doc.fileName, sha256: doc.sha256 };
    const attempt: AuditAttempt = {
      caller: { email: e, role: r },
      door: 'link',
      visitId: doc.visitId,
      action: 'download-document',
      payload,
    };
    if (doc.withdrawn) {
      // A withdrawn document's link still in use (forwarded, leaked): on record for those who withdrew it.
      await this.visits.audit.record(attempt, 'refused', 'withdrawn');
      throw new AppError('forbidden', 'this document was withdrawn; ask the secretariat for the current one', {
        withdrawn: true,
      });
    }
    await this.visits.audit.record(attempt, 'accepted');
    return doc;
  }
}
