/**
 * Signed links: a State focal point or a partner acts without an account through a link in its
 * e-mail ("submit your comments", "decide on sharing"), which opens a page with the action's form
 * (`/links/{token}`; programs use `/api/links/{token}`). HMAC-SHA256 over the claims; each link
 * expires and can be used once (the store claims it atomically and records its use).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ActionNameSchema } from '../domain/actions';
import { LANGUAGES, type ActionName, type Language } from '../domain/vocabulary';
import { format } from '../i18n/catalogue';
import { ROLES, type Role } from '../domain/permissions';

export const LinkClaims = z
  .object({
    /** visit id */
    v: z.string(),
    /** action the link allows */
    a: ActionNameSchema,
    /** e-mail of the person it was sent to: the actor recorded */
    e: z.email(),
    /** role: a State focal point (with its ISO3) or a partner (with its organisation) */
    r: z.enum(['state', 'partner']),
    s: z.string().optional(),
    o: z.string().optional(),
    /** expiry, seconds since the epoch */
    x: z.number().int(),
    /** nonce: two links for the same step are different links */
    n: z.string(),
    /** the recipient's language, for the page the link opens (links issued before it had none: the visit's) */
    l: z.enum(LANGUAGES).optional(),
  })
  .strict();
export type LinkClaims = z.infer<typeof LinkClaims>;

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function signLink(claims: Omit<LinkClaims, 'n'>, secret: string): string {
  const body = b64(JSON.stringify({ ...claims, n: randomBytes(9).toString('base64url') }));
  return `${body}.${b64(createHmac('sha256', secret).update(body).digest())}`;
}

export type LinkCheck = { ok: true; claims: LinkClaims; id: string } | { ok: false; reason: 'invalid' | 'expired' };

/** Verifies a link's signature and expiry; `id` identifies it for single use. */
export function verifyLink(token: string, secret: string, nowMs: number): LinkCheck {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined || body.length > 2000) return { ok: false, reason: 'invalid' };
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(sig, 'base64url');
  // Only the canonical spelling: base64url decoding forgives stray characters and padding bits,
  // and a re-spelled signature must not pass for a new, unused link.
  if (given.toString('base64url') !== sig || given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'invalid' };
  let claims: LinkClaims;
  try {
    claims = LinkClaims.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (claims.x * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  // The id is the signed body's, so no spelling of the token makes a used link new again.
  return { ok: true, claims, id: createHash('sha256').update(body).digest('hex') };
}

/** What a link for `action` is called, in the e-mail that carries it and on the page it opens: "Submit your comments". */
export const linkLabel = (action: ActionName, lang: Language): string => format('pages', lang, `action.${action}`);

const offer = (...actions: LinkClaims['a'][]) => actions.map((action) => ({ action, label: linkLabel(action, 'en') }));

/**
 * Which actions a message invites its State recipient to take by link; `label` is the English one
 * (`linkLabel(action, language)` says it in the recipient's language).
 */
export const LINK_ACTIONS: Record<string, { action: LinkClaims['a']; label: string }[]> = {
  'draft-dispatched': offer('record-comments', 'request-extension'),
  'report-transmitted': offer('confirm-receipt', 'record-consent'),
  'implementation-report-requested': offer('submit-implementation-report', 'report-progress'),
  'reminder:sharing-consent': offer('record-consent'),
  'reminder:state-review': offer('record-comments'),
  'reminder:receipt': offer('confirm-receipt'),
  'reminder:state-implementation-report': offer('submit-implementation-report', 'report-progress'),
};

/** How long a link in a message stays valid: the comment period and one extension. */
export const LINK_TTL_MS = 45 * 86_400_000;

export interface LinkIssuer {
  /**
   * The URL of a new link for `action` on `visitId`, for a State contact: the page that opens in a
   * browser, in `language` (without it, in the visit's language).
   */
  forState(visitId: string, state: string, email: string, action: LinkClaims['a'], language?: Language): string;
}

export function linkIssuer(secret: string, publicUrl: string, ttlMs: number, now: () => number = Date.now): LinkIssuer {
  return {
    forState: (visitId, state, email, action, language) =>
      `${publicUrl.replace(/\/$/, '')}/links/${signLink({ v: visitId, a: action, e: email, r: 'state', s: state, x: Math.floor((now() + ttlMs) / 1000), ...(language ? { l: language } : {}) }, secret)}`,
  };
}

/**
 * A document's signed link (`/documents/{token}`): the document, the person it was sent to, the
 * expiry. Unlike an action's link it is not single-use (a Mission may download twice). Signed with
 * the same secret, but its MAC is over a prefixed body, so no document token is an action token
 * and no action token a document token.
 */
export const DocumentLinkClaims = z
  .object({
    /** document id */
    d: z.string().min(1).max(64),
    /** e-mail of the person it was sent to */
    e: z.email(),
    /** their role (a State's contact or Mission, the Committee's side): the audit trail records the download as theirs */
    r: z.enum(ROLES),
    /** expiry, seconds since the epoch */
    x: z.number().int(),
    /** nonce */
    n: z.string(),
  })
  .strict();
export type DocumentLinkClaims = z.infer<typeof DocumentLinkClaims>;

const documentMac = (body: string, secret: string) => createHmac('sha256', secret).update(`document.${body}`).digest();

export function signDocumentLink(claims: Omit<DocumentLinkClaims, 'n'>, secret: string): string {
  const body = b64(JSON.stringify({ ...claims, n: randomBytes(9).toString('base64url') }));
  return `${body}.${b64(documentMac(body, secret))}`;
}

export type DocumentLinkCheck = { ok: true; claims: DocumentLinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

/** Verifies a document link's signature and expiry. */
export function verifyDocumentLink(token: string, secret: string, nowMs: number): DocumentLinkCheck {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined || body.length > 2000) return { ok: false, reason: 'invalid' };
  const expected = documentMac(body, secret);
  const given = Buffer.from(sig, 'base64url');
  if (given.toString('base64url') !== sig || given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'invalid' };
  let claims: DocumentLinkClaims;
  try {
    claims = DocumentLinkClaims.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (claims.x * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

export interface DocumentLinkIssuer {
  /** A new link to download a document, for the person at `email`: its URL and when it expires (ISO); `nowMs` is the issuer's clock unless given. */
  forDocument(documentId: string, email: string, role: Role, nowMs?: number): { url: string; expires: string };
}

export function documentLinkIssuer(
  secret: string,
  publicUrl: string,
  ttlMs: number = LINK_TTL_MS,
  now: () => number = Date.now,
): DocumentLinkIssuer {
  return {
    forDocument: (documentId, email, role, nowMs = now()) => {
      const x = Math.floor((nowMs + ttlMs) / 1000);
      const token = signDocumentLink({ d: documentId, e: email, r: role, x }, secret);
      return { url: `${publicUrl.replace(/\/$/, '')}/documents/${token}`, expires: new Date(x * 1000).toISOString() };
    },
  };
}
