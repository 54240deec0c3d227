/**
 * `followup backup` and `followup restore` through the real CLI: a SQLite store backed up to a file
 * (owner-only), restored into an empty PostgreSQL store (FOLLOWUP_DATABASE_URL) with every row and
 * an intact audit chain; a file that exists is never overwritten, a store that is not empty is
 * never restored into, and a damaged file restores nothing.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/infra/store/postgres';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { startPg, type PgCluster } from '../pg';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin', 'followup');
const dir = mkdtempSync(join(tmpdir(), 'followup-backup-'));
let cluster: PgCluster;

beforeAll(async () => {
  cluster = await startPg();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(env: Record<string, string>, ...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      CLI,
      args,
      {
        cwd: ROOT,
        // No Temporal here: `audit verify` checks the chain and reports the anchor unavailable.
        env: { PATH: process.env.PATH ?? '', HOME: dir, TEMPORAL_ADDRESS: '127.0.0.1:9', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function seed(dataDir: string) {
  const s = new SqliteStore(join(dataDir, 'followup.sqlite'));
  await s.appendEvents({
    visitId: '166-POL',
    workflowId: 'visit-166-POL',
    runId: 'r1',
    events: [
      { seq: 1, type: 'visit-started', stage: 'drafting', at: '2026-01-01T00:00:00Z', payload: { note: '波兰' } },
    ],
    snapshot: {
      id: '166-POL',
      number: 166,
      state: 'POL',
      type: 'comprehensive',
      stage: 'drafting',
      nextDeadline: null,
    } as never,
  });
  await s.addUser({ email: 'officer@cted.example.org', role: 'cted' }, 'token-0123456789abcdef');
  for (const action of ['start-visit', 'submit-draft'])
    await s.appendAudit({
      at: '2026-01-01T00:00:00.000Z',
      actor: 'officer@cted.example.org',
      role: 'cted',
      door: 'cli',
      action,
      outcome: 'accepted',
    });
  await s.close();
}

describe('followup backup and restore', () => {
  it('moves a SQLite store into an empty PostgreSQL store, row for row, and refuses to overwrite or merge', async () => {
    const from = join(dir, 'from');
    await seed(from);
    const file = join(dir, 'store.backup');
    const backup = await cli({ FOLLOWUP_DATA_DIR: from }, 'backup', file, '--json');
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({
      file,
      schemaVersion: 4,
      rows: { events: 1, visit_snapshots: 1, users: 1, audit: 2 },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const again = await cli({ FOLLOWUP_DATA_DIR: from }, 'backup', file);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('exists: a backup never overwrites a file');

    const url = await cluster.database();
    const env = { FOLLOWUP_DATA_DIR: join(dir, 'pg-data'), FOLLOWUP_DATABASE_URL: url };
    const restored = await cli(env, 'restore', file);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('restored from');
    const pg = new PostgresStore(url);
    const sqlite = new SqliteStore(join(from, 'followup.sqlite'));
    try {
      expect(await pg.events()).toEqual(await sqlite.events());
      expect(await pg.snapshots()).toEqual(await sqlite.snapshots());
      expect(await pg.audit()).toEqual(await sqlite.audit());
      expect(await pg.userByToken('token-0123456789abcdef')).toMatchObject({ email: 'officer@cted.example.org' });
    } finally {
      await pg.close();
      await sqlite.close();
    }
    const verify = await cli(env, 'audit', 'verify', '--json');
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toEqual({ ok: true, entries: 2, anchor: 'unavailable' });

    const twice = await cli(env, 'restore', file);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain('the store is not empty');
  }, 120_000);

  it('refuses a backup cut short (no end line, or fewer rows than it says)', async () => {
    const from = join(dir, 'from-3');
    await seed(from);
    const file = join(dir, 'short.backup');
    expect((await cli({ FOLLOWUP_DATA_DIR: from }, 'backup', file)).code).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const cut = join(dir, 'cut.backup');
    writeFileSync(cut, `${lines.slice(0, -1).join('\n')}\n`, { mode: 0o600 });
    const r = await cli({ FOLLOWUP_DATA_DIR: join(dir, 'to-3') }, 'restore', cut);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cut short (no end line): not restored');
    const missing = join(dir, 'missing-rows.backup');
    writeFileSync(missing, `${lines.filter((l) => !l.startsWith('{"table":"audit"')).join('\n')}\n`, { mode: 0o600 });
    const m = await cli({ FOLLOWUP_DATA_DIR: join(dir, 'to-4') }, 'restore', missing);
    expect(m.code).not.toBe(0);
    expect(m.stderr).toContain('audit holds 0 rows, its end line says 2: not restored');
  }, 120_000);

  it('restores nothing from a damaged file', async () => {
    const from = join(dir, 'from-2');
    await seed(from);
    const file = join(dir, 'damaged.backup');
    expect((await cli({ FOLLOWUP_DATA_DIR: from }, 'backup', file)).code).toBe(0);
    const damaged = join(dir, 'damaged-copy.backup');
    copyFileSync(file, damaged);
    appendFileSync(damaged, '{"table":"audit","rows":"not rows"}\n');
    const to = join(dir, 'to-2');
    const r = await cli({ FOLLOWUP_DATA_DIR: to }, 'restore', damaged);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/damaged-copy\.backup:\d+: /);
    const s = new SqliteStore(join(to, 'followup.sqlite'));
    try {
      expect(await s.audit()).toEqual([]);
      expect(await s.events()).toEqual([]);
    } finally {
      await s.close();
    }
  }, 120_000);
});
