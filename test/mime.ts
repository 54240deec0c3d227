/**
 * A strict reader of the MIME messages the engine sends (mailparser is not a dependency): headers
 * unfolded, RFC 2047 encoded words decoded to their bytes, multipart bodies split on their
 * boundaries, and every leaf part's body decoded (base64, quoted-printable, 7bit/8bit) to the exact
 * bytes it carries. It reads both SMTP's CRLF and the outbox's LF line ends, and keeps bytes as
 * bytes: nothing is decoded to text before the test compares it.
 */

export interface MimePart {
  /** Header names in lower case, values unfolded (CRLF/LF before white space removed), as written. */
  headers: Map<string, string>;
  /** `type/subtype` in lower case (`text/plain` when the part has no Content-Type). */
  type: string;
  /** Content-Type parameters, names in lower case, quotes removed. */
  params: Record<string, string>;
  /** Content-Disposition (`attachment`, `inline`) and its parameters, when the part has one. */
  disposition?: { type: string; params: Record<string, string> };
  /** The Content-Transfer-Encoding, in lower case (`7bit` when absent). */
  encoding: string;
  /** The body decoded to its bytes (empty for a multipart). */
  body: Buffer;
  /** The parts of a multipart, in order. */
  parts: MimePart[];
}

/** Decodes bytes as UTF-8, throwing on anything that is not (a character cut in half, a stray byte). */
export function strictUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

function splitHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '');
  for (const line of unfolded.split(/\r?\n/)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+/, '');
    // A repeated header keeps its first value (the tests do not send repeated ones).
    if (!headers.has(name)) headers.set(name, value);
  }
  return headers;
}

/** `value; a=b; c="d; e"` into the value (lower case) and its parameters. */
export function parseParams(header: string): { value: string; params: Record<string, string> } {
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i]!;
    if (c === '"' && header[i - 1] !== '\\') quoted = !quoted;
    if (c === ';' && !quoted) {
      pieces.push(current);
      current = '';
    } else current += c;
  }
  pieces.push(current);
  const params: Record<string, string> = {};
  for (const p of pieces.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const v = p.slice(eq + 1).trim();
    params[p.slice(0, eq).trim().toLowerCase()] = v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
  }
  return { value: pieces[0]!.trim().toLowerCase(), params };
}

/** Quoted-printable (RFC 2045 §6.7) to bytes: soft line breaks removed, hard ones kept as written. */
export function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const flat = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < flat.length; i++) {
    const c = flat.charCodeAt(i);
    if (c > 0x7e) throw new Error(`quoted-printable with a raw byte 0x${c.toString(16)} at ${i}`);
    if (flat[i] === '=') {
      const hex = flat.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) throw new Error(`bad quoted-printable escape =${hex} at ${i}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(c);
  }
  return Buffer.from(bytes);
}

function decodeBase64(text: string): Buffer {
  const compact = text.replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0)
    throw new Error('a base64 body with characters outside the alphabet, or cut short');
  return Buffer.from(compact, 'base64');
}

/**
 * A header value with RFC 2047 encoded words, as the bytes of the text it stands for. White space
 * between two adjacent encoded words is dropped (RFC 2047 §6.2). Each encoded word must hold whole
 * UTF-8 characters on its own (§5: "an integral number of characters"); `words` are their bytes.
 */
export function decodeHeaderBytes(value: string): { bytes: Buffer; words: Buffer[] } {
  const unfolded = value.replace(/\r?\n(?=[ \t])/g, '');
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  const out: Buffer[] = [];
  const words: Buffer[] = [];
  let last = 0;
  let previousWasWord = false;
  for (let m = word.exec(unfolded); m; m = word.exec(unfolded)) {
    const between = unfolded.slice(last, m.index);
    if (!(previousWasWord && /^[ \t]*$/.test(between))) out.push(Buffer.from(between, 'latin1'));
    const [, charset, enc, text] = m;
    if (charset!.toLowerCase() !== 'utf-8') throw new Error(`encoded word in ${charset}, not UTF-8`);
    const bytes = enc!.toUpperCase() === 'B' ? decodeBase64(text!) : decodeQuotedPrintable(text!.replace(/_/g, '=20'));
    strictUtf8(bytes);
    words.push(bytes);
    out.push(bytes);
    last = m.index + m[0].length;
    previousWasWord = true;
  }
  out.push(Buffer.from(unfolded.slice(last), 'latin1'));
  return { bytes: Buffer.concat(out), words };
}

function decodeBody(encoding: string, body: string): Buffer {
  switch (encoding) {
    case 'base64':
      return decodeBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case '7bit':
    case '8bit':
    case 'binary':
      return Buffer.from(body, 'latin1');
    default:
      throw new Error(`unknown Content-Transfer-Encoding ${encoding}`);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseEntity(entity: string): MimePart {
  // Headers end at the first empty line; a part may have none at all.
  const end = /\r?\n\r?\n/.exec(entity);
  const startsBlank = /^\r?\n/.exec(entity);
  const [head, body] = startsBlank
    ? ['', entity.slice(startsBlank[0].length)]
    : end
      ? [entity.slice(0, end.index), entity.slice(end.index + end[0].length)]
      : [entity, ''];
  const headers = splitHeaders(head);
  const ct = parseParams(headers.get('content-type') ?? 'text/plain; charset=us-ascii');
  const cd = headers.get('content-disposition');
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  const part: MimePart = {
    headers,
    type: ct.value,
    params: ct.params,
    ...(cd ? { disposition: (({ value, params }) => ({ type: value, params }))(parseParams(cd)) } : {}),
    encoding,
    body: Buffer.alloc(0),
    parts: [],
  };
  if (!ct.value.startsWith('multipart/')) {
    part.body = decodeBody(encoding, body);
    return part;
  }
  const boundary = ct.params.boundary;
  if (!boundary) throw new Error(`${ct.value} without a boundary`);
  // A delimiter is a line `--boundary`; the line break before it belongs to it (RFC 2046 §5.1.1).
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const marks = [...body.matchAll(delimiter)];
  const closing = marks.findIndex((m) => m[1] === '--');
  if (marks.length < 2 || closing < 0) throw new Error(`${ct.value}: no closing boundary (the message is cut short)`);
  for (let i = 0; i < closing; i++) {
    const from = marks[i]!.index + marks[i]![0].length;
    part.parts.push(parseEntity(body.slice(from, marks[i + 1]!.index)));
  }
  return part;
}

/** A whole message (as received by SMTP, or an `.eml` file), parsed; throws on anything malformed. */
export function parseMime(raw: Buffer | string): MimePart {
  return parseEntity(typeof raw === 'string' ? raw : raw.toString('latin1'));
}

/** Every leaf part of a message, depth first. */
export function leaves(part: MimePart): MimePart[] {
  return part.parts.length ? part.parts.flatMap(leaves) : [part];
}
