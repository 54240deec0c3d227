/**
 * Request bodies: the size limit is Hono's; then JSON bodies are checked strictly before any
 * schema sees them (UTF-8, the media type, the syntax), so each failure has its own status.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../services';
import { MAX_DOCUMENT_BASE64, MAX_DOCUMENT_BYTES } from '../../services/documents';

export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = () => {
  throw new AppError('body-too-large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
};

/** Refuses a body over 64 KiB (declared or streamed) with 413. */
export const limitBody: MiddlewareHandler = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });

/** A file of recommendations: 300 of 4,000 characters each, and their TA needs, in any script. */
export const MAX_FILE_BYTES = 6 * 1024 * 1024;

/** Refuses a file of recommendations over 6 MiB with 413. */
export const limitFileBody: MiddlewareHandler = bodyLimit({
  maxSize: MAX_FILE_BYTES,
  onError: () => {
    throw new AppError('body-too-large', `a file of recommendations is limited to ${MAX_FILE_BYTES} bytes`);
  },
});

/** A document (10 MiB decoded) as base64 in a JSON body, with room for its name and type. */
export const MAX_DOCUMENT_BODY_BYTES = MAX_DOCUMENT_BASE64 + MAX_BODY_BYTES;

/** Refuses a document's body beyond its base64 and a little more with 413. */
export const limitDocumentBody: MiddlewareHandler = bodyLimit({
  maxSize: MAX_DOCUMENT_BODY_BYTES,
  onError: () => {
    throw new AppError('body-too-large', `a document is limited to ${MAX_DOCUMENT_BYTES} bytes (as base64 in JSON)`);
  },
});

// The media types @hono/zod-openapi's media-type gate accepts as JSON.
const JSON_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=[^;]+)*$/i;

/** The body as text: invalid UTF-8 is the caller's error, never silently replaced. */
export async function bodyText(c: Parameters<MiddlewareHandler>[0]): Promise<string> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new AppError('malformed-json', 'the request body is not valid UTF-8');
  }
}

// Hono caches bodies as promises (its types say otherwise): the validator reads the checked text from here.
export const cacheText = (c: Parameters<MiddlewareHandler>[0], text: string) => {
  (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
};

/**
 * A JSON body: empty means `{}`; anything else must be JSON by its media type (415, as the route's
 * own media-type gate would say, but before the visit is looked up) and parse (400).
 */
export const jsonBody: MiddlewareHandler = async (c, next) => {
  const text = await bodyText(c);
  if (text.trim() === '') {
    cacheText(c, '{}');
    return next();
  }
  if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) {
    throw new AppError('unsupported-media-type', 'send JSON with Content-Type: application/json');
  }
  try {
    JSON.parse(text);
  } catch {
    throw new AppError('malformed-json', 'the request body is not valid JSON');
  }
  cacheText(c, text);
  return next();
};
