/**
 * The engine started as operators run it in production shape: JSON logs (FOLLOWUP_LOG_FORMAT=json)
 * and the Temporal SDK's own metrics on their port (FOLLOWUP_SDK_METRICS_ADDRESS). Every line it
 * writes, the dev server's included, is one JSON object; /readyz, /metrics and the SDK's metrics answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers';

const ROOT = resolve(__dirname, '..', '..');
let dataDir: string;
let child: ChildProcess;
const output: string[] = [];
const ports: Record<'api' | 'dev' | 'ui' | 'sdk', number> = { api: 0, dev: 0, ui: 0, sdk: 0 };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const lines = () =>
  output
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '');

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'followup-ops-'));
  for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FOLLOWUP_DATA_DIR: join(dataDir, 'var'),
    PORT: String(ports.api),
    TEMPORAL_DEV_PORT: String(ports.dev),
    TEMPORAL_UI_PORT: String(ports.ui),
    FOLLOWUP_LOG_FORMAT: 'json',
    FOLLOWUP_SDK_METRICS_ADDRESS: `127.0.0.1:${ports.sdk}`,
  };
  // tsx directly, not npm: npm's own banner is not the engine's log. Its own process group, as in a terminal.
  child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/start.ts'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  await eventually(
    () => (output.join('').includes('Press Ctrl-C to stop.') ? true : undefined),
    'the engine to be ready',
    90_000,
  );
}, 120_000);

afterAll(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGINT');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the engine of npm start, with FOLLOWUP_LOG_FORMAT=json', () => {
  it('announces itself in one JSON entry with where everything is', () => {
    const ready = lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => String(e.msg).includes('Press Ctrl-C to stop.'));
    expect(ready).toMatchObject({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      temporal: `127.0.0.1:${ports.dev}`,
      api: `http://127.0.0.1:${ports.api}`,
      sdkMetrics: `127.0.0.1:${ports.sdk}`,
    });
  });

  it('is ready, serves its metrics, and the SDK serves its own on the configured address', async () => {
    const ready = await fetch(`http://127.0.0.1:${ports.api}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.api}/metrics`)).text();
    expect(metrics).toContain('followup_visits{stage="drafting"} 0');
    // The worker polls as soon as it runs: the SDK's counters appear within a few seconds.
    const sdk = await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${ports.sdk}/metrics`)).text();
      return /^temporal_/m.test(text) ? text : undefined;
    }, 'the SDK metrics');
    expect(sdk).toMatch(/^temporal_\w+/m);
  });

  it('writes nothing but JSON objects, one per line, through to its stop', async () => {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    const all = lines();
    expect(all.length).toBeGreaterThan(1);
    for (const line of all) expect(() => JSON.parse(line), line).not.toThrow();
    expect(all.map((l) => JSON.parse(l).msg)).toContain('Stopping…');
  });
});
