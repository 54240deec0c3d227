/**
 * Hostile input against every write route of the HTTP API, with fast-check, as a user whose role
 * may use the route: random values, wrong types, unknown and prototype-pollution keys, huge strings,
 * nested arrays, invalid JSON, non-JSON content types, invalid UTF-8 and bodies over 64 KiB. Every
 * answer must be a 4xx with a JSON `error` code and no stack trace or file path, and nothing may
 * change: no visit started or imported, no step in a visit's history, no link issued or spent.
 * Then signed links (expired, tampered, replayed) and rate limiting, against the real dev server.
 */
import fc from 'fast-check';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServerFor } from '../../src/compose-http';
import { ImportRequest, LinkRequest } from '../../src/doors/api/schemas';
import { MAX_BODY_BYTES, MAX_FILE_BYTES } from '../../src/doors/http/body';
import { VisitStartRequest } from '../../src/contract';
import { ACTION_FIELDS, ACTION_PAYLOADS, type FieldSpec } from '../../src/domain/actions';
import { PERMISSIONS } from '../../src/domain/permissions';
import { ASSESSED_STATUSES, REPORTED_STATUSES, THEMES } from '../../src/domain/recommendations/model';
import { ACTIONS, type ActionName } from '../../src/domain/vocabulary';
import { readVisitsCsv } from '../../src/services/import';
import { signLink } from '../../src/infra/links';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { apiVisit, startApiHarness, USERS, type Harness, type UserName } from '../api-harness';
import { eventually } from '../helpers';

// ---------------------------------------------------------------------------------------------
// Raw HTTP: exact bytes, any content type (or none), declared length or chunked, any source address.

interface Res {
  status: number;
  contentType: string;
  text: string;
  body: any;
}

interface SendOptions {
  token?: string;
  contentType?: string | null;
  body?: Buffer;
  chunked?: boolean;
  localAddress?: string;
}

function send(base: string, method: string, path: string, o: SendOptions = {}): Promise<Res> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    if (o.contentType !== undefined && o.contentType !== null) headers['content-type'] = o.contentType;
    if (o.body && !o.chunked) headers['content-length'] = o.body.length;
    let answered = false;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: Number(port),
        method,
        path,
        headers,
        agent: false,
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text, body });
        });
      },
    );
    // The server may answer (413) and close before the whole body is written: that is its right.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (o.body) {
      if (o.chunked) for (let i = 0; i < o.body.length; i += 8192) req.write(o.body.subarray(i, i + 8192));
      else req.write(o.body);
    }
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// What every refusal must look like.

const CODES: Record<number, string[]> = {
  400: ['malformed-json', 'invalid-request'],
  401: ['unauthenticated', 'link-invalid', 'link-expired'],
  403: ['forbidden'],
  404: ['not-found'],
  405: ['method-not-allowed'],
  409: ['not-allowed-now', 'link-used', 'exists'],
  413: ['body-too-large'],
  415: ['unsupported-media-type'],
  422: ['bad-rows', 'refused'],
  429: ['rate-limited'],
};
/** A stack frame or a path of the server's files. */
const LEAK = /\n\s+at |\bat [\w$.<>]+ \(|\/work\/main|node_modules|file:\/\/|\.[cm]?[jt]s:\d+:\d+/;

let h: Harness;
let hr: Harness;

function expectRefusal(r: Res, statuses: number[], code?: string): void {
  expect(statuses, `status ${r.status}: ${r.text.slice(0, 300)}`).toContain(r.status);
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(r.contentType).toMatch(/^application\/json\b/);
  expect(r.body !== null && typeof r.body === 'object' && !Array.isArray(r.body), r.text.slice(0, 200)).toBe(true);
  expect(typeof r.body.error).toBe('string');
  expect(CODES[r.status], `${r.status} ${r.body.error}`).toContain(r.body.error);
  if (code) expect(r.body.error, r.text.slice(0, 300)).toBe(code);
  expect(typeof r.body.message).toBe('string');
  expect(r.body).not.toHaveProperty('stack');
  expect(r.text).not.toMatch(LEAK);
  if (h) expect(r.text).not.toContain(h.linkSecret);
}

// ---------------------------------------------------------------------------------------------
// Hostile bodies. Each case carries the status (and code) the API must answer with.

interface Case {
  what: string;
  body: Buffer;
  contentType: string | null;
  chunked: boolean;
  status: number;
  code: string;
}

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/json;charset=UTF-8',
];
const NON_JSON_TYPES = [
  'text/plain',
  'text/json',
  'text/html',
  'application/xml',
  'APPLICATION/XML',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/javascript',
  'application/jsonx',
  'application/octet-stream',
  'json',
  '*/*',
  '',
];

/** The text the server parses: the bytes decoded as UTF-8. */
const serverText = (b: Buffer) => b.toString('utf8');
const isBlank = (b: Buffer) => serverText(b).trim() === '';
function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
/** What the server's validator sees for a JSON body: `{}` for an empty one. */
function serverValue(b: Buffer): unknown {
  const t = serverText(b);
  return t.trim() === '' ? {} : JSON.parse(t);
}

const malformedJson: fc.Arbitrary<Case> = fc
  .record({
    text: fc.oneof(
      fc.constantFrom(
        '{',
        '}',
        '{"note":',
        "{'note':'x'}",
        '{"note":"x",}',
        '[1,]',
        'NaN',
        'undefined',
        'Infinity',
        '-Infinity',
        '{"a":1}}',
        '{"a" 1}',
        '\u0000',
        'nul',
        'tru',
        '01',
        '{"note":"unterminated}',
        '/* comment */ {}',
        '{} {}',
        '"\\x41"',
        '{"\\u12"}',
        '{"note":"\u0007"}', // a raw control character inside a string
        '\uFEFF{}', // BOM: not stripped
        '{"a":1e}',
        '<?xml version="1.0"?><visit/>',
        'number=1&state=NOR',
      ),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
    ),
    type: fc.constantFrom(...JSON_TYPES),
    chunked: fc.boolean(),
  })
  .map(({ text, type, chunked }) => ({
    what: `malformed JSON ${JSON.stringify(text).slice(0, 60)}`,
    body: Buffer.from(text, 'utf8'),
    contentType: type,
    chunked,
    status: 400,
    code: 'malformed-json',
  }))
  .filter((c) => !isBlank(c.body) && !parsesAsJson(serverText(c.body)));

const wrongContentType: fc.Arbitrary<Case> = fc
  .record({
    text: fc.oneof(
      fc.json({ maxDepth: 2 }),
      fc.constantFrom('{}', '{"note":"x"}', 'a=1', '<a/>'),
      fc.string({ minLength: 1, maxLength: 100 }),
    ),
    type: fc.constantFrom<string | null>(...NON_JSON_TYPES, null),
    chunked: fc.boolean(),
  })
  .map(({ text, type, chunked }) => ({
    what: `content type ${JSON.stringify(type)}`,
    body: Buffer.from(text, 'utf8'),
    contentType: type,
    chunked,
    status: 415,
    code: 'unsupported-media-type',
  }))
  .filter((c) => !isBlank(c.body));

const BAD_UTF8: readonly number[][] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0xaf], // overlong '/'
  [0xc3, 0x28], // bad continuation
  [0xe2, 0x82], // truncated
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf8, 0x88, 0x80, 0x80, 0x80], // 5-byte form
];
/** Invalid UTF-8 where no decoding can make the body valid: outside strings, or in a key. */
const invalidUtf8: fc.Arbitrary<Case> = fc
  .record({
    bad: fc.constantFrom(...BAD_UTF8),
    where: fc.constantFrom('leading', 'trailing', 'between', 'key', 'alone'),
    type: fc.constantFrom(...JSON_TYPES),
    chunked: fc.boolean(),
  })
  .map(({ bad, where, type, chunked }) => {
    const b = Buffer.from(bad);
    const s = (t: string) => Buffer.from(t, 'utf8');
    const body =
      where === 'leading'
        ? Buffer.concat([b, s('{}')])
        : where === 'trailing'
          ? Buffer.concat([s('{}'), b])
          : where === 'between'
            ? Buffer.concat([s('{"note":"x"'), b, s('}')])
            : where === 'key'
              ? Buffer.concat([s('{"'), b, s('":"x"}')])
              : b;
    return {
      what: `invalid UTF-8 ${where} ${b.toString('hex')}`,
      body,
      contentType: type,
      chunked,
      status: 400,
      code: 'malformed-json',
    };
  });

/** The most a route reads: 64 KiB, but a file's worth (6 MiB) for record-recommendations, as its own route takes. */
const bodyLimitOf = (action?: ActionName) => (action === 'record-recommendations' ? MAX_FILE_BYTES : MAX_BODY_BYTES);

/** Bodies just over a route's limit. */
const oversizedOver = (limit: number): fc.Arbitrary<Case> =>
  fc
    .record({
      size: fc.integer({ min: limit + 1, max: limit + 40_000 }),
      shape: fc.constantFrom('string', 'spaces', 'array'),
      type: fc.constantFrom(...JSON_TYPES),
      chunked: fc.boolean(),
    })
    .map(({ size, shape, type, chunked }) => {
      const text =
        shape === 'string'
          ? `{"note":"${'a'.repeat(size - 11)}"}`
          : shape === 'spaces'
            ? ' '.repeat(size)
            : `[${'0,'.repeat(Math.ceil(size / 2))}0]`;
      return {
        what: `${text.length} bytes (${shape}, ${chunked ? 'chunked' : 'declared'})`,
        body: Buffer.from(text),
        contentType: type,
        chunked,
        status: 413,
        code: 'body-too-large',
      };
    });

/** Deep nesting within what the server can hold (a regression test below covers deeper). */
const deeplyNested: fc.Arbitrary<Case> = fc
  .record({
    depth: fc.integer({ min: 2, max: 1000 }),
    kind: fc.constantFrom('array', 'object'),
    type: fc.constantFrom(...JSON_TYPES),
  })
  .map(({ depth, kind, type }) => ({
    what: `${depth} nested ${kind}s`,
    body: Buffer.from(
      kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
    ),
    contentType: type,
    chunked: false,
    status: 400,
    code: 'invalid-request',
  }));

/** Bodies every write route must refuse, whatever its schema (over `limit`: too large). */
const rawHostileUpTo = (limit: number): fc.Arbitrary<Case> =>
  fc.oneof(malformedJson, wrongContentType, invalidUtf8, oversizedOver(limit), deeplyNested);
const rawHostile = rawHostileUpTo(MAX_BODY_BYTES);

const ANY = {
  maxDepth: 3,
  maxKeys: 6,
  withNullPrototype: true,
  withBoxedValues: true,
  withDate: true,
  withSparseArray: true,
  withMap: true,
  withSet: true,
  stringUnit: 'binary' as const,
};
const nest = (d: number): unknown => (d <= 0 ? [] : [nest(d - 1)]);
const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isAdmin',
  'role',
  '',
];
const POLLUTION = { polluted: 'yes', prototype: { polluted: 'yes' } };

/** A value that is wrong for most fields: wrong types, huge or blank strings, nesting, pollution. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(ANY),
  fc.integer({ min: 4001, max: 60_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom<unknown>(
    '',
    '   ',
    '\t\n',
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    [],
    {},
    [[[]]],
    [null],
    ['   '],
    [''],
    { __proto__: null, polluted: 'yes' },
    '2026-02-30',
    '2026-13-01',
    '26-01-01',
    'not-an-email',
    'NOR\u0000',
    "'; DROP TABLE audit; --",
  ),
  fc.integer({ min: 1, max: 60 }).map(nest),
  fc.array(fc.string({ minLength: 201, maxLength: 260 }), { minLength: 1, maxLength: 2 }),
  fc.array(fc.constant('x'), { minLength: 51, maxLength: 60 }),
);

type Oracle = (value: unknown) => { status: number; code: string } | null;

/**
 * JSON bodies built to be wrong for a route: anything at all, or a valid body with one field set to
 * a hostile value, removed, or joined by an unknown or prototype-polluting key. `oracle` says what
 * the server must answer, or null for a body that is valid after all (those are not sent).
 */
function hostileJson(
  base: fc.Arbitrary<Record<string, unknown>>,
  fields: readonly string[],
  oracle: Oracle,
  limit = MAX_BODY_BYTES,
): fc.Arbitrary<Case> {
  const field = fields.length ? fc.constantFrom(...fields) : fc.constant('note');
  const value = fc.oneof(
    fc.anything(ANY),
    fc.tuple(base, field, hostileValue).map(([b, f, v]) => ({ ...b, [f]: v })),
    fc.tuple(base, field).map(([b, f]) => {
      const copy = { ...b };
      delete copy[f];
      return copy;
    }),
    fc
      .tuple(
        base,
        fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 20 })),
        fc.oneof(fc.constant<unknown>(POLLUTION), hostileValue),
      )
      .map(([b, k, v]) => ({ ...b, [k]: v })),
    fc.tuple(base, fc.integer({ min: 1, max: 30 })).map(([_b, d]) => nest(d) as unknown),
  );
  return fc
    .record({ value, type: fc.constantFrom(...JSON_TYPES), chunked: fc.boolean() })
    .map(({ value: v, type, chunked }) => {
      let text: string | undefined;
      try {
        text = JSON.stringify(v);
      } catch {
        text = undefined;
      }
      return { text: text ?? '', type, chunked };
    })
    .map(({ text, type, chunked }): Case | null => {
      const body = Buffer.from(text, 'utf8');
      const expected = body.length > limit ? { status: 413, code: 'body-too-large' } : oracle(serverValue(body));
      return expected ? { what: `JSON ${text.slice(0, 120)}`, body, contentType: type, chunked, ...expected } : null;
    })
    .filter((c): c is Case => c !== null);
}

const invalidBy =
  (schema: { safeParse(v: unknown): { success: boolean } }): Oracle =>
  (v) =>
    schema.safeParse(v).success ? null : { status: 400, code: 'invalid-request' };

// ---------------------------------------------------------------------------------------------
// Valid payloads per action, from the field table (for "valid but not now").

const nonBlank = (max: number) =>
  fc.string({ minLength: 1, maxLength: Math.min(max, 60) }).filter((s) => s.trim().length > 0);

/** A recommendation id (`166-POL/R12`): mostly the target visit's own, or any visit's. */
const recommendationId = fc.oneof(
  fc.integer({ min: 1, max: 999 }).map((n) => `${TARGET}/R${n}`),
  fc
    .tuple(fc.integer({ min: 1, max: 99999 }), fc.stringMatching(/^[A-Z]{3}$/), fc.integer({ min: 1, max: 999 }))
    .map(([visit, iso3, n]) => `${visit}-${iso3}/R${n}`),
);
const recommendationIds = fc.uniqueArray(recommendationId, { minLength: 1, maxLength: 5 });
const partnerName = fc.constantFrom('UNODC', 'IOM', 'UNDP', 'INTERPOL', 'OSCE');
/** What CTED records with the final draft (RecommendationInput), numbered once each. */
const recommendationList = fc.uniqueArray(
  fc.record(
    {
      number: fc.integer({ min: 1, max: 999 }),
      text: nonBlank(4000),
      theme: fc.constantFrom(...THEMES),
      priority: fc.boolean(),
      taNeed: nonBlank(2000),
      supersedes: fc.array(recommendationId, { maxLength: 3 }),
    },
    { requiredKeys: ['number', 'text', 'theme', 'priority'] },
  ),
  { minLength: 1, maxLength: 5, selector: (r) => r.number },
);
/** Items per recommendation, each named once: the State's progress, or CTED's assessment. */
const itemsOf = (statuses: readonly string[], comment: 'text' | 'note') =>
  fc.uniqueArray(
    fc.record(
      {
        recommendation: recommendationId,
        status: fc.constantFrom(...statuses),
        [comment]: fc.string({ maxLength: 60 }),
      },
      { requiredKeys: ['recommendation', 'status'] },
    ),
    { minLength: 1, maxLength: 5, selector: (i) => i.recommendation },
  );
const progressItems = itemsOf(REPORTED_STATUSES, 'text');

/** Fields whose type alone does not say what is valid: recommendations' ids, partners, lists of records. */
const FIELD_ARBS: Partial<Record<ActionName, Record<string, fc.Arbitrary<unknown>>>> = {
  'refer-ta': { recommendations: recommendationIds, partners: fc.uniqueArray(partnerName, { minLength: 1 }) },
  'agree-ta-needs': { recommendations: recommendationIds },
  'record-ta-response': { recommendation: recommendationId, partner: partnerName },
  'record-ta-delivery': { recommendation: recommendationId, partner: partnerName },
  'record-recommendations': { recommendations: recommendationList },
  'submit-implementation-report': { progress: progressItems },
  'report-progress': { items: progressItems },
  'submit-follow-up-report': { unassessed: recommendationIds },
  'assess-recommendation': { items: itemsOf(ASSESSED_STATUSES, 'note') },
};

/** What a refinement of a schema asks beyond its fields one by one. */
const REFINED: Partial<Record<ActionName, (p: Record<string, unknown>) => Record<string, unknown>>> = {
  // A referral names the recommendations whose agreed needs it refers, or the day the State agreed them.
  'refer-ta': (p) => (p.recommendations || p.agreedOn ? p : { ...p, agreedOn: '2026-11-02' }),
  // Partial consent names the sections or the priority needs; the other scopes take neither.
  'record-consent': ({ sections, priorityTaNeedsOnly, ...p }) =>
    p.scope !== 'partial'
      ? p
      : {
          ...p,
          ...(priorityTaNeedsOnly !== undefined ? { priorityTaNeedsOnly } : {}),
          ...(sections || !priorityTaNeedsOnly ? { sections: sections ?? ['Border security'] } : {}),
        },
};

function fieldArb(action: ActionName, f: FieldSpec): fc.Arbitrary<unknown> {
  const own = FIELD_ARBS[action]?.[f.name];
  if (own) return own;
  switch (f.type) {
    case 'string':
      return nonBlank(4000);
    case 'date':
      return fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'string[]':
      return fc.array(nonBlank(200), { minLength: 1, maxLength: 5 });
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...(f.values ?? []));
    case 'records':
      throw new Error(`${action}.${f.name}: a list of records needs its arbitrary in FIELD_ARBS`);
  }
}
/** A payload the action's schema accepts (the first test below asserts it), built field by field. */
function validPayload(action: ActionName): fc.Arbitrary<Record<string, unknown>> {
  const fields = ACTION_FIELDS[action];
  const shape = Object.fromEntries(fields.map((f) => [f.name, fieldArb(action, f)]));
  const refine = REFINED[action] ?? ((p) => p);
  return fc.record(shape, { requiredKeys: fields.filter((f) => f.required).map((f) => f.name) }).map(refine);
}

/** A user whose role may take the action (on a NOR visit). */
function actorFor(action: ActionName): UserName {
  for (const [user, role] of [
    ['cted', 'cted'],
    ['secretariat', 'secretariat'],
    ['committee', 'committee'],
    ['chair', 'chair'],
    ['stateNOR', 'state'],
  ] as const) {
    if (PERMISSIONS[role][action]) return user;
  }
  throw new Error(`no role may ${action}`);
}

/** A payload of an action the user takes on someone's behalf names whom: the visit's State (NOR), or a member. */
function speakingFor(as: UserName, action: ActionName, payload: Record<string, unknown>): Record<string, unknown> {
  if (PERMISSIONS[USERS[as].role][action] !== 'on-behalf') return payload;
  return { ...payload, onBehalfOf: action === 'lift-hold' ? USERS.committee.email : 'NOR' };
}

// ---------------------------------------------------------------------------------------------

const TARGET = '801-NOR'; // the visit every hostile action is thrown at; it stays in drafting
const IMPORT_PROBE = '5001-ARM'; // the good row of the hostile import base: never imported
const KNOWN = new Set<string>([TARGET]);
const PROTOTYPE_BEFORE = Object.getOwnPropertyNames(Object.prototype).sort();
let baseline: { history: number; stage: string };
let commentLink: string; // a valid, unused link for record-comments on TARGET

const post = (path: string, c: Case, token: string) =>
  send(h.url, 'POST', path, { token, body: c.body, contentType: c.contentType, chunked: c.chunked });
const json = (value: unknown): Pick<Case, 'body' | 'contentType' | 'chunked'> => ({
  body: Buffer.from(JSON.stringify(value)),
  contentType: 'application/json',
  chunked: false,
});

async function snapshot(id = TARGET): Promise<{ history: number; stage: string }> {
  const r = await h.request('GET', `/api/visits/${id}`, { as: 'cted' });
  expect(r.status, r.text).toBe(200);
  return { history: r.body.history.length, stage: r.body.stage };
}
const accepted = async () => (await h.store.audit()).filter((e) => e.outcome === 'accepted').length;

async function step(as: UserName, id: string, action: string, body: unknown = {}) {
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body });
  expect(r.status, `${action} by ${as}: ${r.text}`).toBe(200);
  return r.body;
}

beforeAll(async () => {
  [h, hr] = await Promise.all([startApiHarness({ rateLimit: 1_000_000 }), startApiHarness({ rateLimit: 3 })]);
  const started = await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(801, 'NOR') });
  expect(started.status, started.text).toBe(201);
  baseline = await snapshot();
  expect(baseline.stage).toBe('drafting');
  const link = await h.request('POST', `/api/visits/${TARGET}/links`, {
    as: 'cted',
    body: { action: 'record-comments', email: USERS.stateNOR.email },
  });
  expect(link.status, link.text).toBe(201);
  commentLink = link.body.token;
});

afterAll(async () => {
  await Promise.all([h?.close(), hr?.close()]);
});

describe('the valid payloads the hostile ones are made from', () => {
  it.each(ACTIONS)('%s: every one the generator builds is accepted by the action’s schema', (action) => {
    fc.assert(
      fc.property(validPayload(action), (p) => {
        const parsed = ACTION_PAYLOADS[action].safeParse(p);
        expect(parsed.success, `${JSON.stringify(p)}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('hostile input to every write route, as a user who may use it', () => {
  it('POST /api/visits refuses every invalid body with a 4xx and starts nothing', async () => {
    const before = await accepted();
    const base = fc.integer({ min: 2000, max: 9999 }).map((n) => apiVisit(n, 'NOR') as Record<string, unknown>);
    const invalid = hostileJson(
      base,
      [...Object.keys(apiVisit(1, 'NOR')), 'stateName', 'groupId', 'permanentMission', 'language'],
      invalidBy(VisitStartRequest),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(invalid, rawHostile), fc.integer({ min: 2000, max: 9999 }), async (c, n) => {
        const r = await post('/api/visits', c, h.tokens.cted);
        expectRefusal(r, [c.status], c.code);
        if (c.status === 400 && c.code === 'invalid-request') expect(Array.isArray(r.body.issues)).toBe(true);
        // The id a body of this shape would have got does not exist.
        const value =
          c.status === 400 && c.code === 'invalid-request' ? (serverValue(c.body) as { number?: unknown }) : undefined;
        const number =
          typeof value?.number === 'number' &&
          Number.isInteger(value.number) &&
          value.number > 0 &&
          value.number <= 99999
            ? value.number
            : n;
        expect((await h.request('GET', `/api/visits/${number}-NOR`, { as: 'cted' })).status).toBe(404);
      }),
      { numRuns: 50 },
    );
    expect(await accepted()).toBe(before);
  });

  it('POST /api/visits/import refuses every invalid body (400) or bad CSV (422) and imports nothing', async () => {
    const header = 'visit_number,member_state,iso3,visit_type,ordinal,start_date,end_date';
    const good = '5001,Armenia,ARM,comprehensive,1,2018-01-01,2018-01-05';
    const base = fc.constantFrom(
      {
        csv: `${header}\n${good}\nx,Nowhere,XX,tour,1,2018-02-30,2018-01-01`,
        caseOfficer: USERS.cted.email,
        stateContact: 'mission@{iso3}.example.org',
      },
      { csv: `${header}\n${good}\n${good}`, caseOfficer: USERS.cted.email, stateContact: 'mission@{iso3}.example.org' }, // duplicate row
      { csv: `${good}\n${header}`, caseOfficer: USERS.cted.email, stateContact: 'mission@{iso3}.example.org' }, // header not first
      { csv: `${header}\n${good}`, stateContact: 'mission@{iso3}.example.org' }, // no case officer anywhere
    ) as fc.Arbitrary<Record<string, unknown>>;
    const oracle: Oracle = (v) => {
      const parsed = ImportRequest.safeParse(v);
      if (!parsed.success) return { status: 400, code: 'invalid-request' };
      const d = parsed.data;
      const { problems } = readVisitsCsv(d.csv, {
        ...(d.caseOfficer ? { caseOfficer: d.caseOfficer } : {}),
        ...(d.stateContact ? { stateContact: d.stateContact } : {}),
      });
      return problems.length ? { status: 422, code: 'bad-rows' } : null;
    };
    const before = (await h.store.audit()).filter((e) => e.action === 'import-visits').length;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(hostileJson(base, ['csv', 'caseOfficer', 'stateContact'], oracle), rawHostile),
        async (c) => {
          const r = await post('/api/visits/import', c, h.tokens.secretariat);
          expectRefusal(r, [c.status], c.code);
          if (c.status === 422) {
            expect(Array.isArray(r.body.problems) && r.body.problems.length > 0).toBe(true);
            for (const p of r.body.problems)
              expect(p).toEqual({ line: expect.any(Number), message: expect.any(String) });
          }
          expect((await h.request('GET', `/api/visits/${IMPORT_PROBE}`, { as: 'cted' })).status).toBe(404);
        },
      ),
      { numRuns: 40 },
    );
    expect((await h.store.audit()).filter((e) => e.action === 'import-visits').length).toBe(before);
  });

  it.each(ACTIONS.map((a) => [a, actorFor(a)] as const))(
    'POST /api/visits/{id}/actions/%s (as %s) refuses invalid payloads and leaves the visit unchanged',
    async (action, as) => {
      const acceptedBefore = await accepted();
      const fields = ACTION_FIELDS[action].map((f) => f.name);
      const limit = bodyLimitOf(action);
      const cases = fc.oneof(
        hostileJson(validPayload(action), fields, invalidBy(ACTION_PAYLOADS[action]), limit),
        rawHostileUpTo(limit),
      );
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          const auditBefore = (await h.store.audit()).length;
          const r = await post(`/api/visits/${TARGET}/actions/${action}`, c, h.tokens[as]);
          expectRefusal(r, [c.status], c.code);
          if (c.code === 'invalid-request') {
            expect(r.body.fields).toEqual(JSON.parse(JSON.stringify(ACTION_FIELDS[action])));
            // The attempt is in the audit trail, refused.
            const added = (await h.store.audit()).slice(auditBefore);
            expect(added.map((e) => [e.action, e.outcome, e.detail, e.door, e.visitId])).toEqual([
              [action, 'refused', 'invalid payload', 'api', TARGET],
            ]);
          } else {
            expect((await h.store.audit()).length).toBe(auditBefore); // refused before it was an attempt
          }
          expect(await snapshot()).toEqual(baseline);
        }),
        { numRuns: 25 },
      );
      expect(await accepted()).toBe(acceptedBefore);
    },
  );

  it('answers a valid payload for an action the stage does not allow with 409 and the allowed actions', async () => {
    const notNow: [ActionName, UserName, string[]][] = [];
    for (const action of ACTIONS) {
      const as = actorFor(action);
      const r = await h.request('GET', `/api/visits/${TARGET}/actions`, { as });
      const allowed = (r.body as { action: string }[]).map((a) => a.action);
      if (!allowed.includes(action)) notNow.push([action, as, allowed]);
    }
    expect(notNow.map(([a]) => a)).toContain('record-comments');
    expect(notNow.map(([a]) => a)).not.toContain('submit-draft');
    // In drafting, with no recommendation adopted, none of their steps is allowed; recording them is.
    expect(notNow.map(([a]) => a)).toEqual(
      expect.arrayContaining([
        'report-progress',
        'assess-recommendation',
        'agree-ta-needs',
        'record-ta-response',
        'record-ta-delivery',
      ]),
    );
    expect(notNow.map(([a]) => a)).not.toContain('record-recommendations');
    const cases = fc
      .constantFrom(...notNow)
      .chain(([action, as, allowed]) =>
        validPayload(action).map((payload) => ({ action, as, allowed, payload: speakingFor(as, action, payload) })),
      );
    await fc.assert(
      fc.asyncProperty(cases, async ({ action, as, allowed, payload }) => {
        const r = await send(h.url, 'POST', `/api/visits/${TARGET}/actions/${action}`, {
          token: h.tokens[as],
          ...json(payload),
        });
        expectRefusal(r, [409], 'not-allowed-now');
        expect(r.body.allowedActions).toEqual(allowed);
        expect(await snapshot()).toEqual(baseline);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses hostile path segments: unknown actions and malformed ids 400, unknown visits 404', async () => {
    const segment = fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom(
          '',
          '.',
          '..',
          '%00',
          '801-nor',
          '801-NORX',
          '0x1-NOR',
          '1e3-NOR',
          '123456-NOR',
          '__proto__',
          'constructor',
        ),
      )
      .filter((s) => {
        try {
          encodeURIComponent(s);
          return true;
        } catch {
          return false; // lone surrogates: not a URL at all
        }
      });
    const id = fc.oneof(
      segment,
      fc.integer({ min: 1, max: 99999 }).map((n) => `${n}-ZZZ`),
      fc.constant(TARGET),
    );
    const action = fc.oneof(segment, fc.constantFrom(...ACTIONS));
    await fc.assert(
      fc.asyncProperty(
        id,
        action,
        fc.constantFrom<'actions' | 'links'>('actions', 'links'),
        async (vid, act, route) => {
          // A real action, or a link request, on the real visit is not hostile.
          fc.pre(!(vid === TARGET && (route === 'links' || (ACTIONS as readonly string[]).includes(act))));
          const path =
            route === 'actions'
              ? `/api/visits/${encodeURIComponent(vid)}/actions/${encodeURIComponent(act)}`
              : `/api/visits/${encodeURIComponent(vid)}/links`;
          const body = route === 'actions' ? { note: 'x' } : { action: 'record-comments', email: USERS.stateNOR.email };
          const r = await send(h.url, 'POST', path, { token: h.tokens.cted, ...json(body) });
          expectRefusal(r, [400, 404, 405]);
          expect(await snapshot()).toEqual(baseline);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('POST /api/visits/{id}/links refuses invalid link requests and issues nothing', async () => {
    const issued = async () => (await h.store.audit()).filter((e) => e.action === 'issue-link').length;
    const before = await issued();
    const base = fc.record({
      action: fc.constantFrom(...ACTIONS),
      email: fc.constantFrom(USERS.stateNOR.email, 'a@b.org'),
      days: fc.integer({ min: 1, max: 120 }),
    }) as fc.Arbitrary<Record<string, unknown>>;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(hostileJson(base, ['action', 'email', 'days'], invalidBy(LinkRequest)), rawHostile),
        async (c) => {
          const r = await post(`/api/visits/${TARGET}/links`, c, h.tokens.secretariat);
          expectRefusal(r, [c.status], c.code);
          expect(r.body).not.toHaveProperty('token');
          expect(await issued()).toBe(before);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('POST /api/links/{token} refuses garbage, forged, tampered and expired tokens with 401', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const claims = { v: TARGET, a: 'record-comments' as const, e: USERS.stateNOR.email, r: 'state' as const, s: 'NOR' };
    const [body, sig] = commentLink.split('.') as [string, string];
    const token = fc.oneof(
      fc
        .string({ unit: 'binary', minLength: 1, maxLength: 120 })
        .filter((s) => {
          try {
            return !['.', '..'].includes(encodeURIComponent(s)); // dot segments are resolved away: another route
          } catch {
            return false; // lone surrogates: not a URL
          }
        })
        .map((s) => ({ t: encodeURIComponent(s), code: 'link-invalid' })),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{1,60}$/).map((t) => ({ t, code: 'link-invalid' })),
      fc.constant({
        t: signLink({ ...claims, x: nowS + 3600 }, 'another-secret-of-at-least-32-characters'),
        code: 'link-invalid',
      }),
      fc.nat({ max: body.length - 1 }).map((i) => ({
        t: `${body.slice(0, i)}${body[i] === 'A' ? 'B' : 'A'}${body.slice(i + 1)}.${sig}`,
        code: 'link-invalid',
      })),
      fc.nat({ max: sig.length - 2 }).map((i) => ({
        t: `${body}.${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`,
        code: 'link-invalid',
      })),
      fc.constantFrom(
        { t: `${commentLink}.`, code: 'link-invalid' },
        { t: `${commentLink}.x`, code: 'link-invalid' },
        { t: `.${commentLink}`, code: 'link-invalid' },
        { t: body, code: 'link-invalid' },
      ),
      fc
        .integer({ min: 1, max: 10 * 365 * 86_400 })
        .map((ago) => ({ t: signLink({ ...claims, x: nowS - ago }, h.linkSecret), code: 'link-expired' })),
    );
    const payload = fc.oneof(
      fc.constant(json({ summary: 'Comments' })),
      rawHostile.map((c) => ({ body: c.body, contentType: c.contentType, chunked: c.chunked })),
    );
    await fc.assert(
      fc.asyncProperty(token, payload, async ({ t, code }, p) => {
        const r = await send(h.url, 'POST', `/api/links/${t}`, p);
        expectRefusal(r, [401], code);
        expect(await snapshot()).toEqual(baseline);
      }),
      { numRuns: 50 },
    );
  });

  it('POST /api/links/{token} with a valid link refuses hostile payloads, leaves the visit unchanged and the link unspent', async () => {
    const fields = ACTION_FIELDS['record-comments'].map((f) => f.name);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileJson(validPayload('record-comments'), fields, invalidBy(ACTION_PAYLOADS['record-comments'])),
          rawHostile,
        ),
        async (c) => {
          const r = await send(h.url, 'POST', `/api/links/${commentLink}`, {
            body: c.body,
            contentType: c.contentType,
            chunked: c.chunked,
          });
          expectRefusal(r, [c.status], c.code);
          expect(await snapshot()).toEqual(baseline);
        },
      ),
      { numRuns: 50 },
    );
    const described = await h.request('GET', `/api/links/${commentLink}`);
    expect(described.status, described.text).toBe(200);
    expect(described.body).toMatchObject({ visitId: TARGET, action: 'record-comments', email: USERS.stateNOR.email });
    const refused = (await h.store.audit()).filter((e) => e.door === 'link' && e.visitId === TARGET);
    expect(refused.length).toBeGreaterThan(0);
    expect(
      refused.every(
        (e) =>
          e.outcome === 'refused' &&
          e.detail === 'invalid payload' &&
          e.role === 'state' &&
          e.actor === USERS.stateNOR.email,
      ),
    ).toBe(true);
  });

  it('refuses bodies over 64 KiB on every write route with 413 (over 6 MiB for a file of recommendations), declared or streamed', async () => {
    const routes: [string, UserName, number][] = [
      ['/api/visits', 'cted', MAX_BODY_BYTES],
      ['/api/visits/import', 'secretariat', MAX_BODY_BYTES],
      ...ACTIONS.map((a): [string, UserName, number] => [
        `/api/visits/${TARGET}/actions/${a}`,
        actorFor(a),
        bodyLimitOf(a),
      ]),
      [`/api/visits/${TARGET}/links`, 'cted', MAX_BODY_BYTES],
      [`/api/links/${commentLink}`, 'cted', MAX_BODY_BYTES],
    ];
    const over = (limit: number) => Buffer.from(JSON.stringify({ note: 'a'.repeat(limit) }));
    for (const [path, as, limit] of routes) {
      for (const chunked of [false, true]) {
        const r = await send(h.url, 'POST', path, {
          token: h.tokens[as],
          body: over(limit),
          contentType: 'application/json',
          chunked,
        });
        expectRefusal(r, [413], 'body-too-large');
      }
    }
    // record-recommendations reads more than 64 KiB (300 recommendations as JSON): refused for what it says.
    expectRefusal(
      await send(h.url, 'POST', `/api/visits/${TARGET}/actions/record-recommendations`, {
        token: h.tokens.cted,
        body: over(MAX_BODY_BYTES),
        contentType: 'application/json',
      }),
      [400],
      'invalid-request',
    );
    // Exactly at the limit is read (and refused for what it says, not for its size).
    const atLimit = Buffer.from(`{"note":"${'a'.repeat(MAX_BODY_BYTES - 11)}"}`);
    expect(atLimit.length).toBe(MAX_BODY_BYTES);
    expectRefusal(
      await send(h.url, 'POST', `/api/visits/${TARGET}/actions/record-pao`, {
        token: h.tokens.cted,
        body: atLimit,
        contentType: 'application/json',
      }),
      [400],
      'invalid-request',
    );
    expect(await snapshot()).toEqual(baseline);
  });

  it('does not let prototype-pollution keys reach Object.prototype on any route', async () => {
    const bodies = [
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"note":"x","__proto__":{"polluted":"yes","note":"y"}}',
      '[{"__proto__":{"polluted":"yes"}}]',
    ];
    const routes: [string, UserName][] = [
      ['/api/visits', 'cted'],
      ['/api/visits/import', 'cted'],
      [`/api/visits/${TARGET}/actions/record-pao`, 'cted'],
      [`/api/visits/${TARGET}/actions/withdraw`, 'secretariat'],
      [`/api/visits/${TARGET}/links`, 'cted'],
      [`/api/links/${commentLink}`, 'cted'],
    ];
    for (const [path, as] of routes) {
      for (const text of bodies) {
        const r = await send(h.url, 'POST', path, {
          token: h.tokens[as],
          body: Buffer.from(text),
          contentType: 'application/json',
        });
        expectRefusal(r, [400], 'invalid-request');
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_BEFORE);
    expect(await snapshot()).toEqual(baseline);
  });

  it('refuses every write route without a valid token (401) and to a role that may not use it (403)', async () => {
    const routes: [string, UserName][] = [
      ['/api/visits', 'partner'],
      ['/api/visits/import', 'committee'],
      [`/api/visits/${TARGET}/actions/record-pao`, 'committee'],
      [`/api/visits/${TARGET}/actions/withdraw`, 'stateNOR'],
      [`/api/visits/${TARGET}/links`, 'stateNOR'],
    ];
    for (const [path, forbidden] of routes) {
      for (const token of [
        undefined,
        '',
        'x'.repeat(19),
        'x'.repeat(43),
        `${h.tokens.cted}x`,
        'a'.repeat(201),
        `${h.tokens.cted.slice(0, 20)}.${h.tokens.cted.slice(20)}`,
      ]) {
        expectRefusal(
          await send(h.url, 'POST', path, { ...(token !== undefined ? { token } : {}), ...json({ reason: 'x' }) }),
          [401],
          'unauthenticated',
        );
      }
      expectRefusal(
        await send(h.url, 'POST', path, { token: h.tokens[forbidden], ...json({ reason: 'x' }) }),
        [403],
        'forbidden',
      );
    }
    expect(await snapshot()).toEqual(baseline);
  });

  it('leaves the audit chain intact and lists no visit that was not started on purpose', async () => {
    expect(await h.store.verifyAudit()).toEqual({ ok: true, entries: (await h.store.audit()).length });
    expect((await h.store.audit()).filter((e) => e.outcome === 'accepted').map((e) => e.action)).toEqual([
      'start-visit',
      'issue-link',
    ]);
    const listed = await eventually(async () => {
      const ids = ((await h.listAll('secretariat')) as { id: string }[]).map((v) => v.id);
      return [...KNOWN].every((k) => ids.includes(k)) ? ids : undefined;
    }, 'the known visits to be listed');
    expect(listed.sort()).toEqual([...KNOWN].sort());
    expect(await snapshot()).toEqual(baseline);
  });
});

describe('signed links against the real engine', () => {
  const claims = (x: number) => ({
    v: TARGET,
    a: 'record-comments' as const,
    e: USERS.stateNOR.email,
    r: 'state' as const,
    s: 'NOR',
    x,
  });

  it('refuses an expired link with 401 link-expired, to read it and to use it', async () => {
    const token = signLink(claims(Math.floor(Date.now() / 1000) - 60), h.linkSecret);
    expectRefusal(await send(h.url, 'GET', `/api/links/${token}`), [401], 'link-expired');
    expectRefusal(
      await send(h.url, 'POST', `/api/links/${token}`, json({ summary: 'Late comments' })),
      [401],
      'link-expired',
    );
    expect(await snapshot()).toEqual(baseline);
  });

  it('refuses a tampered signature, tampered claims and another secret with 401 link-invalid', async () => {
    const [body, sig] = commentLink.split('.') as [string, string];
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    const decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const escalated = Buffer.from(
      JSON.stringify({ ...decoded, a: 'withdraw', x: (decoded.x as number) + 86_400 }),
    ).toString('base64url');
    for (const token of [
      `${body}.${flipped}`,
      `${escalated}.${sig}`,
      signLink(claims(Math.floor(Date.now() / 1000) + 3600), 'not-the-engine-secret-but-32-characters'),
    ]) {
      expectRefusal(await send(h.url, 'GET', `/api/links/${token}`), [401], 'link-invalid');
      expectRefusal(
        await send(h.url, 'POST', `/api/links/${token}`, json({ summary: 'Forged' })),
        [401],
        'link-invalid',
      );
    }
    expect(await snapshot()).toEqual(baseline);
  });

  /** A visit walked to transmission (record-consent allowed from then on) and a consent link used once. */
  async function usedConsentLink(
    number: number,
  ): Promise<{ id: string; token: string; after: { history: number; stage: string } }> {
    const id = `${number}-NOR`;
    expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(number, 'NOR') })).status).toBe(201);
    KNOWN.add(id);
    await step('cted', id, 'submit-draft');
    await step('cted', id, 'dispatch-draft');
    await step('stateNOR', id, 'record-comments', { summary: 'None' });
    await step('cted', id, 'submit-final-draft');
    await step('committee', id, 'object', { reason: 'Paragraph 12' });
    await step('chair', id, 'record-adoption');
    expect((await step('cted', id, 'transmit-report')).stage).toBe('transmitting');

    const issued = await h.request('POST', `/api/visits/${id}/links`, {
      as: 'cted',
      body: { action: 'record-consent', email: USERS.stateNOR.email, days: 10 },
    });
    expect(issued.status, issued.text).toBe(201);
    // The URL is for a person (the page); programs use the token with /api/links/{token}.
    expect(issued.body.url).toBe(`http://api.invalid/links/${issued.body.token}`);
    expect(Date.parse(issued.body.expiresAt) - Date.now()).toBeGreaterThan(9 * 86_400_000);
    expect(Date.parse(issued.body.expiresAt) - Date.now()).toBeLessThanOrEqual(10 * 86_400_000);
    const token = issued.body.token as string;

    const first = await h.request('POST', `/api/links/${token}`, { body: { scope: 'full' } });
    expect(first.status, first.text).toBe(200);
    // The answer is the State's own view; who decided is in the secretariat's.
    expect(first.body.consent).toMatchObject({ scope: 'full' });
    const seen = await h.request('GET', `/api/visits/${id}`, { as: 'secretariat' });
    expect(seen.body.consent).toMatchObject({ scope: 'full', decidedBy: USERS.stateNOR.email });
    // record-consent stays allowed (a State may change its decision), so only the link's single use stops a replay.
    expect(first.body.allowedActions.map((a: { action: string }) => a.action)).toContain('record-consent');
    return { id, token, after: await snapshot(id) };
  }

  it('refuses the replay of a used link with 409 link-used, even while the action is still allowed', async () => {
    const { id, token, after } = await usedConsentLink(803);
    expectRefusal(await send(h.url, 'POST', `/api/links/${token}`, json({ scope: 'none' })), [409], 'link-used');
    expectRefusal(await send(h.url, 'GET', `/api/links/${token}`), [409], 'link-used');
    expect(await snapshot(id)).toEqual(after);
    const status = await h.request('GET', `/api/visits/${id}`, { as: 'cted' });
    expect(status.body.consent.scope).toBe('full');
    expect(
      (await h.store.audit()).filter((e) => e.visitId === id && e.door === 'link').map((e) => [e.action, e.outcome]),
    ).toEqual([['record-consent', 'accepted']]);
  });

  // Regression test: this was a bug (src/links.ts verifyLink), found by these tests and fixed.
  it('refuses a used link whose signature is spelled differently (single use bypassed)', async () => {
    const { id, token, after } = await usedConsentLink(805);
    expectRefusal(await send(h.url, 'POST', `/api/links/${token}`, json({ scope: 'none' })), [409], 'link-used'); // the control
    const [body, sig] = token.split('.') as [string, string];
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = B64.indexOf(sig.at(-1)!);
    const respelled = `${body}.${sig.slice(0, -1)}${B64[(last & ~3) | ((last + 1) & 3)]}`;
    const r = await send(h.url, 'POST', `/api/links/${respelled}`, json({ scope: 'none' }));
    expect(await snapshot(id)).toEqual(after);
    expectRefusal(r, [401], 'link-invalid'); // only the canonical spelling is a link at all
  });
});

describe('known defects (each test states the correct behaviour; `.fails` until fixed)', () => {
  // Regression test: this was a bug (src/api.ts, decodeURIComponent on path segments), found by these tests and fixed.
  it('a malformed percent-escape in a path segment is a 400, not a 500', async () => {
    for (const path of [
      `/api/visits/%E0%A4%A/actions/record-pao`,
      `/api/visits/${TARGET}/actions/%`,
      '/api/visits/%/links',
    ]) {
      const r = await send(h.url, 'POST', path, { token: h.tokens.cted, ...json({ note: 'x' }) });
      expectRefusal(r, [400], 'invalid-request');
    }
  });

  // Regression test: this was a bug (src/api.ts act() auditing a deeply nested body), found by these tests and fixed.
  it('a deeply nested JSON body (5,000 levels, 10 KB) is a 400, not a 500, and is audited', async () => {
    const deep = Buffer.from('['.repeat(5000) + ']'.repeat(5000));
    const auditBefore = (await h.store.audit()).length;
    const viaApi = await send(h.url, 'POST', `/api/visits/${TARGET}/actions/record-pao`, {
      token: h.tokens.cted,
      body: deep,
      contentType: 'application/json',
    });
    const viaLink = await send(h.url, 'POST', `/api/links/${commentLink}`, {
      body: deep,
      contentType: 'application/json',
    });
    expect(await snapshot()).toEqual(baseline);
    expectRefusal(viaApi, [400], 'invalid-request');
    expectRefusal(viaLink, [400], 'invalid-request');
    expect((await h.store.audit()).length).toBe(auditBefore + 2);
  });

  // Regression test: this was a bug (src/api.ts readJson), found by these tests and fixed.
  it('invalid UTF-8 inside a string field is refused, not recorded as U+FFFD', async () => {
    const id = '804-NOR';
    expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(804, 'NOR') })).status).toBe(201);
    KNOWN.add(id);
    const before = await snapshot(id);
    const body = Buffer.concat([Buffer.from('{"note":"caf'), Buffer.from([0xff]), Buffer.from('"}')]);
    const r = await send(h.url, 'POST', `/api/visits/${id}/actions/record-pao`, {
      token: h.tokens.cted,
      body,
      contentType: 'application/json',
    });
    expect(await snapshot(id)).toEqual(before);
    expectRefusal(r, [400]);
  });
});

describe('rate limiting (a second engine with rateLimit: 3)', () => {
  it('answers the 4th request with a bad token within a minute with 429, but still serves good tokens', async () => {
    for (let i = 1; i <= 3; i++) {
      expectRefusal(
        await send(hr.url, 'POST', '/api/visits', {
          token: `bad-token-${'x'.repeat(30)}-${i}`,
          ...json(apiVisit(900 + i, 'NOR')),
        }),
        [401],
        'unauthenticated',
      );
    }
    expectRefusal(
      await send(hr.url, 'POST', '/api/visits', {
        token: 'bad-token-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-4',
        ...json(apiVisit(904, 'NOR')),
      }),
      [429],
      'rate-limited',
    );
    expectRefusal(await send(hr.url, 'POST', '/api/visits', { ...json(apiVisit(905, 'NOR')) }), [429], 'rate-limited'); // no token at all
    expectRefusal(
      await send(hr.url, 'POST', `/api/visits/${TARGET}/actions/record-pao`, { token: 'y'.repeat(40), ...json({}) }),
      [429],
      'rate-limited',
    );
    // Only failed sign-ins count: a valid token is still served.
    const me = await hr.request('GET', '/api/me', { as: 'cted' });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({ email: USERS.cted.email, role: 'cted' });
    expectRefusal(
      await send(hr.url, 'POST', '/api/visits', { token: hr.tokens.cted, ...json({ number: 'x' }) }),
      [400],
      'invalid-request',
    );
  });

  it('counts neither valid link requests nor refused actions against the address', async () => {
    const valid = signLink(
      {
        v: '1-NOR',
        a: 'record-comments',
        e: USERS.stateNOR.email,
        r: 'state',
        s: 'NOR',
        x: Math.floor(Date.now() / 1000) + 3600,
      },
      hr.linkSecret,
    );
    for (let i = 0; i < 5; i++) {
      const r = await send(hr.url, 'GET', `/api/links/${valid}`);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ visitId: '1-NOR', action: 'record-comments' });
    }
    // A valid link whose action is refused (here: no such visit) is not a failed link.
    for (let i = 0; i < 4; i++)
      expectRefusal(await send(hr.url, 'POST', `/api/links/${valid}`, json({ summary: 'x' })), [404], 'not-found');
  });

  it('answers the 4th link request within a minute with 429, even for a valid link', async () => {
    for (let i = 1; i <= 3; i++) {
      expectRefusal(
        await send(hr.url, 'POST', `/api/links/garbage.token${i}`, json({ summary: 'x' })),
        [401],
        'link-invalid',
      );
    }
    expectRefusal(
      await send(hr.url, 'POST', '/api/links/garbage.token4', json({ summary: 'x' })),
      [429],
      'rate-limited',
    );
    const valid = signLink(
      {
        v: '1-NOR',
        a: 'record-comments',
        e: USERS.stateNOR.email,
        r: 'state',
        s: 'NOR',
        x: Math.floor(Date.now() / 1000) + 3600,
      },
      hr.linkSecret,
    );
    expectRefusal(await send(hr.url, 'GET', `/api/links/${valid}`), [429], 'rate-limited');
    expectRefusal(await send(hr.url, 'POST', `/api/links/${valid}`, json({ summary: 'x' })), [429], 'rate-limited');
  });

  it('counts per client address and opens a new window after a minute', async () => {
    let clock = Date.parse('2026-11-27T12:00:00.000Z');
    const api: Server = httpServerFor({
      client: hr.env.client,
      store: hr.store,
      policy: resolvePolicy(),
      linkSecret: hr.linkSecret,
      publicUrl: 'http://api.invalid',
      rateLimit: 2,
      now: () => clock,
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      const bad = (localAddress?: string) =>
        send(url, 'POST', '/api/links/not.valid', { ...json({}), ...(localAddress ? { localAddress } : {}) });
      expectRefusal(await bad(), [401], 'link-invalid');
      expectRefusal(await bad(), [401], 'link-invalid');
      expectRefusal(await bad(), [429], 'rate-limited');
      expectRefusal(await bad('127.0.0.2'), [401], 'link-invalid'); // another address has its own window
      clock += 59_999;
      expectRefusal(await bad(), [429], 'rate-limited');
      clock += 1;
      expectRefusal(await bad(), [401], 'link-invalid');
    } finally {
      await new Promise((r) => api.close(r));
    }
  });
});
