/** What the benchmark's sections share: options, percentiles, a bounded pool, a report section. */

import { loadConfig } from '../../src/config';

export interface BenchOptions {
  /** Visits with reminders due at one second (b), open in the worker (d). */
  visits: number;
  /** Visits driven through the whole lifecycle (a), on the engine and on the bare workflow (`visits` unless given). */
  lifecycle: number;
  /** Open visits behind the overview, the CSV and the API (e). */
  open: number;
  /** Visits driven or started at a time. */
  concurrency: number;
  /** GETs per page in (e) and in the register benchmark, each page within `budgetMs`. */
  runs: number;
  budgetMs: number;
  quick: boolean;
  /** Sections to run (all by default). */
  only: Set<SectionName>;
  out: string;
}

export const SECTIONS = ['lifecycle', 'reminders', 'skipping', 'open', 'register'] as const;
export type SectionName = (typeof SECTIONS)[number];

/** One target: what was measured against what was asked. */
export interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean;
  /** Where not met: why, and what would meet it. */
  note?: string;
}

/** A section of BENCHMARKS.md: its title, its figures (Markdown), and its targets. */
export interface Section {
  title: string;
  body: string[];
  targets: Target[];
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The p-th percentile (nearest rank) of a list of numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);
export const s = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(v / 1000).toFixed(v >= 100_000 ? 0 : 1)} s`);
/** Megabytes (10^6 bytes), the unit of the memory target. */
export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
export const count = (n: number) => n.toLocaleString('en-US');

/** Runs `task` for each of `items`, `width` at a time; the first failure stops the pool and is thrown. */
export async function pool<T>(items: readonly T[], width: number, task: (item: T, i: number) => Promise<void>) {
  let next = 0;
  let failed: unknown;
  const lane = async () => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        await task(items[i]!, i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, lane));
  if (failed !== undefined) throw failed;
}

/** Polls `check` until it returns true, within `timeoutMs`; false when it never did. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, every = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(every);
  }
}

/** Prints a line as the run goes, and keeps it for the report. */
export function log(line: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

/** Member States to spread visits over (real ISO3 codes, as the start request wants). */
export const STATES = ['POL', 'NOR', 'KAZ', 'UZB', 'CHL', 'MDV', 'FRA', 'KEN', 'PER', 'JOR', 'NGA', 'IDN'];

/** A distinct visit number for the i-th visit of a batch (numbers are up to 5 digits). */
export const visitNumber = (base: number, i: number) => base + i;

/** The worker's workflow cache, as `npm start` bounds it (FOLLOWUP_MAX_CACHED_WORKFLOWS, default 1000 in src/config.ts). */
export function maxCachedWorkflows(): number {
  // The engine's own default when unset (src/config.ts).
  const n = Number(process.env.FOLLOWUP_MAX_CACHED_WORKFLOWS ?? loadConfig({}).FOLLOWUP_MAX_CACHED_WORKFLOWS);
  if (!Number.isInteger(n) || n < 0) throw new Error('FOLLOWUP_MAX_CACHED_WORKFLOWS: expected a whole number');
  return n;
}

/** Today's date in New York (the engine's calendar), as YYYY-MM-DD. */
export function newYorkToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date());
}

/** A proxy of `target` that adds the time each of its method calls takes (awaited, when it returns a promise) to `spent.ms`. */
export function timed<T extends object>(target: T, spent: { ms: number; calls: number }): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value: unknown = Reflect.get(obj, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const t = performance.now();
        const done = () => {
          spent.ms += performance.now() - t;
          spent.calls++;
        };
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (out instanceof Promise) return out.finally(done);
        done();
        return out;
      };
    },
  });
}

/** Signs in through the dashboard's form as a browser would; the session cookie's value. */
export async function signInSession(base: string, token: string): Promise<string> {
  const signIn = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });
  const session = /followup_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1];
  if (!session) throw new Error(`sign-in failed: ${signIn.status}`);
  return session;
}
