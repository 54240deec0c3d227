/**
 * A running engine for API tests: the real dev server, a worker with real activities (SMTP on
 * port 0, a SQLite file), and the HTTP API on port 0, with one user per role.
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpServerFor } from '../src/compose-http';
import { TASK_QUEUE } from '../src/contract';
import { Directory } from '../src/infra/directory';
import type { Policy } from '../src/domain/policy';
import { documentLinkIssuer, LINK_TTL_MS, linkIssuer } from '../src/infra/links';
import { EngineMetrics } from '../src/infra/metrics';
import { smtpMailer } from '../src/infra/mail';
import { resolvePolicy } from '../src/infra/policy/loader';
import { SqliteStore } from '../src/infra/store/sqlite';
import { jsonCodec, type CodecKey } from '../src/infra/temporal/codec';
import { dataConverter, payloadCodec } from '../src/infra/temporal/security';
import { createVisitWorker } from '../src/worker';
import { devServerEnv, workflowBundle } from './helpers';
import { startSmtp, type TestSmtp } from './smtp';

export const USERS = {
  cted: { email: 'officer@cted.example.org', role: 'cted' },
  secretariat: { email: 'secretariat@un.example.org', role: 'secretariat' },
  committee: { email: 'member@committee.example.org', role: 'committee' },
  chair: { email: 'chair@committee.example.org', role: 'chair' },
  stateNOR: { email: 'mission@norway.example.org', role: 'state', state: 'NOR' },
  stateCHL: { email: 'mission@chile.example.org', role: 'state', state: 'CHL' },
  partner: { email: 'ta@unodc.example.org', role: 'partner', organisation: 'UNODC' },
} as const;
export type UserName = keyof typeof USERS;

export interface ApiResponse {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export interface Harness {
  url: string;
  /** The HTTP server behind `url` (a test can see a request arrive). */
  server: Server;
  tokens: Record<UserName, string>;
  store: SqliteStore;
  smtp: TestSmtp;
  env: TestWorkflowEnvironment;
  linkSecret: string;
  /** What the worker and the API of this harness count (activity latency, failed sends). */
  metrics: EngineMetrics;
  request(
    method: string,
    path: string,
    opts?: { as?: UserName; token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  /** Every page of GET /api/visits (following the Link header's next page) as one array. */
  listAll(as: UserName, query?: string): Promise<unknown[]>;
  /** Signs in through the dashboard's form; the `cookie` header of the session it opened. */
  signIn(as: UserName): Promise<string>;
  /** Stops the worker (the API keeps serving): what still answers then comes from no workflow code. */
  stopWorker(): Promise<void>;
  /** Stops the worker, then the dev server: the API keeps serving without Temporal. */
  stopTemporal(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  policy?: Policy;
  rateLimit?: number;
  /** Encrypts payloads as FOLLOWUP_CODEC_KEYS does: worker, client and /codec (the UI at `codecOrigin`). */
  codecKeys?: CodecKey[];
  codecOrigin?: string;
}

export async function startApiHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const [env, smtp] = await Promise.all([devServerEnv(), startSmtp()]);
  const codec = opts.codecKeys ? payloadCodec({ FOLLOWUP_CODEC_KEYS: opts.codecKeys }) : undefined;
  const converter = dataConverter(codec);
  // The engine's client: env.client has no codec, so with one the engine gets its own, as npm start builds it.
  const client = converter
    ? new Client({ connection: env.connection, namespace: 'default', dataConverter: converter })
    : env.client;
  const dir = mkdtempSync(join(tmpdir(), 'followup-api-'));
  const store = new SqliteStore(join(dir, 'followup.sqlite'));
  const linkSecret = randomBytes(32).toString('base64url');
  const directory = Directory.parse({
    secretariat: [USERS.secretariat.email],
    committee: [USERS.committee.email],
    chair: [USERS.chair.email],
    partners: { UNODC: [USERS.partner.email] },
  });
  const policy = opts.policy ?? resolvePolicy();
  let url = '';
  const metrics = new EngineMetrics();
  const worker: Worker = await createVisitWorker({
    metrics,
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    dataConverter: converter,
    deps: {
      store,
      mailer: smtpMailer(smtp.url),
      directory,
      from: 'followup@un.example.org',
      links: linkIssuer(linkSecret, 'http://api.invalid', LINK_TTL_MS),
      documentLinks: documentLinkIssuer(linkSecret, 'http://api.invalid', LINK_TTL_MS),
      temporal: client,
    },
  });
  const running = worker.run();
  const api: Server = httpServerFor({
    client,
    store,
    policy,
    linkSecret,
    publicUrl: 'http://api.invalid',
    metrics,
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    ...(codec ? { codec: { port: jsonCodec(codec), origins: [opts.codecOrigin ?? 'http://127.0.0.1:8233'] } } : {}),
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  let temporalDown: Promise<void> | undefined;
  const tokens = {} as Record<UserName, string>;
  for (const [name, u] of Object.entries(USERS) as [UserName, (typeof USERS)[UserName]][]) {
    tokens[name] = randomBytes(32).toString('base64url');
    await store.addUser(u, tokens[name]);
  }

  const harness: Harness = {
    url,
    server: api,
    tokens,
    store,
    smtp,
    env,
    linkSecret,
    metrics,
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const token = o.token ?? (o.as ? tokens[o.as] : undefined);
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = o.raw;
      if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async listAll(as, query = '') {
      const all: unknown[] = [];
      let path: string | undefined = `/api/visits${query}`;
      for (let pages = 0; path && pages < 1_000; pages++) {
        const r: ApiResponse = await harness.request('GET', path, { as });
        if (r.status !== 200) throw new Error(`GET ${path} as ${as}: ${r.status} ${r.text}`);
        all.push(...(r.body as unknown[]));
        path = /^<([^>]+)>; rel="next"$/.exec(r.headers.get('link') ?? '')?.[1];
      }
      return all;
    },
    async signIn(as) {
      const res = await fetch(`${url}/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokens[as], next: '/' }).toString(),
      });
      const id = /followup_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
      if (res.status !== 303 || !id) throw new Error(`sign-in as ${as} failed: ${res.status}`);
      return `followup_session=${id}`;
    },
    async stopWorker() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
    async stopTemporal() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      temporalDown ??= env.teardown();
      await temporalDown;
    },
    async close() {
      await new Promise((r) => api.close(r));
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await store.close();
      await Promise.all([(temporalDown ??= env.teardown()), smtp.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A visit request for `state`, ending yesterday. */
export function apiVisit(number: number, state: string, extra: Record<string, unknown> = {}) {
  const end = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  return {
    number,
    state,
    type: 'comprehensive',
    start: end,
    end,
    caseOfficer: USERS.cted.email,
    stateContact:
      state === 'NOR'
        ? USERS.stateNOR.email
        : state === 'CHL'
          ? USERS.stateCHL.email
          : `mission@${state.toLowerCase()}.example.org`,
    ...extra,
  };
}
