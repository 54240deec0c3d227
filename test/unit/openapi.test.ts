/**
 * The OpenAPI document is generated from the routes themselves: every API route of the app is in
 * it and nothing else, it is a valid OpenAPI 3.1 document (checked by an independent validator),
 * every operation documents what a success returns, and the framework's guards hold (405 with
 * Allow, security headers, the session cookie's Secure flag behind https).
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { createHttpApp } from '../../src/doors/http/app';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { createServices } from '../../src/services';

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
};

function app(publicUrl = 'http://127.0.0.1:3000') {
  const store = new SqliteStore(':memory:');
  const services = createServices({
    temporal: () => Promise.reject(new Error('no Temporal in this test')),
    store: () => store,
    policy: resolvePolicy(),
    linkSecret: randomBytes(32).toString('base64url'),
    publicUrl,
    outboxDir: '/nonexistent',
  });
  return { app: createHttpApp({ services, publicUrl, version }), store };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
// Routes for programs. The dashboard and the pages signed links open (/links/{token}) are for people.
const isApi = (path: string) =>
  path.startsWith('/api/') ||
  path.startsWith('/feeds/') ||
  ['/openapi.json', '/healthz', '/readyz', '/metrics'].includes(path);
const templated = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');

let doc: Doc;
const { app: http, store } = app();
beforeAll(async () => {
  doc = (await (await http.request('/openapi.json')).json()) as Doc;
});

describe('the OpenAPI document', () => {
  it('documents every API route the app serves, and only those', () => {
    const served = new Set(
      http.routes
        .filter((r) => r.method !== 'ALL' && isApi(r.path))
        .map((r) => `${r.method.toLowerCase()} ${templated(r.path)}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m} ${path}`),
      ),
    );
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
    // Both exports, the feed, the link body and the import body are there (the old document lacked them).
    for (const r of [
      'get /api/visits.csv',
      'get /api/annual.csv',
      'get /api/visits-conducted.csv',
      'get /feeds/{file}',
      'post /api/links/{token}',
      'post /api/visits/import',
      'get /healthz',
      'get /readyz',
      'get /metrics',
    ]) {
      expect(documented).toContain(r);
    }
    expect(documented.size).toBeGreaterThanOrEqual(31);
  });

  it('leaves out the pages signed links open (/links/{token}), which answer people with HTML', async () => {
    const pages = new Set(http.routes.filter((r) => r.path === '/links/:token').map((r) => r.method));
    expect([...pages].sort()).toEqual(['GET', 'POST']);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/links/'))).toEqual([]);
    expect(doc.paths['/api/links/{token}']).toHaveProperty('get');
    expect(doc.paths['/api/links/{token}']).toHaveProperty('post');
    const page = await http.request('/links/not.a-link');
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const api = await http.request('/api/links/not.a-link');
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: 'link-invalid' });
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('says what every success returns, and types every request body', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const ok = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
        expect(ok.length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [, r] of ok) expect(Object.values(r.content ?? {})[0]?.schema, `${method} ${path}`).toBeDefined();
        const body = (op as { requestBody?: { content: Record<string, { schema?: { type?: string } }> } }).requestBody;
        if (method === 'post') expect(body?.content['application/json']?.schema, `${method} ${path}`).toBeDefined();
      }
    }
  });
});

describe('the framework guards', () => {
  it('answers a method a route does not declare with 405 and Allow', async () => {
    const r = await http.request('/api/visits', { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(await r.json()).toMatchObject({ error: 'method-not-allowed' });
    // The static route speaks for its path, not the parameterised one beside it.
    for (const method of ['OPTIONS', 'GET']) {
      const imports = await http.request('/api/visits/import', { method });
      expect(imports.status, method).toBe(405);
      expect(imports.headers.get('allow')).toBe('POST');
    }
    const page = await http.request('/compliance', { method: 'PUT' });
    expect(page.status).toBe(405);
    expect(page.headers.get('allow')).toBe('GET, HEAD');
  });

  it('sends a strict Content-Security-Policy and frame protection on pages and API answers', async () => {
    for (const path of ['/sign-in', '/api/me', '/openapi.json']) {
      const r = await http.request(path);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(r.headers.get('x-frame-options'), path).toBe('DENY');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('marks the session cookie Secure when the public URL is https, and only then', async () => {
    const token = randomBytes(32).toString('base64url');
    for (const [url, secure] of [
      ['https://followup.un.example.org', true],
      ['http://127.0.0.1:3000', false],
    ] as const) {
      const { app: a, store: s } = app(url);
      await s.addUser({ email: 'secretariat@un.example.org', role: 'secretariat' }, token);
      const r = await a.request('/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin },
        body: new URLSearchParams({ token, next: '/' }).toString(),
      });
      expect(r.status).toBe(303);
      const cookie = r.headers.get('set-cookie') ?? '';
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(/;\s*Secure/i.test(cookie), url).toBe(secure);
    }
  });

  it('refuses a sign-in posted from another site', async () => {
    const token = randomBytes(32).toString('base64url');
    await store.addUser({ email: 'cted@un.example.org', role: 'cted' }, token);
    const r = await http.request('/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
  });
});
