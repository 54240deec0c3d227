/**
 * The hash-chained audit trail in a real SQLite file: appending, verifying, and every way someone
 * with the file could rewrite history (after dropping the append-only triggers, or around them):
 * verifyAudit names the first broken entry, and so does `followup audit verify` (exit 0 / 1).
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { AuditService } from '../../src/services/audit';
import { auditHash, GENESIS_HASH, type AuditInput } from '../../src/infra/store/store';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin', 'followup');

const dirs: string[] = [];
const opened: { close(): void }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    try {
      o.close();
    } catch {
      // already closed
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'followup-audit-'));
  dirs.push(d);
  return d;
}

function openStore(dir: string): SqliteStore {
  const s = new SqliteStore(join(dir, 'followup.sqlite'));
  opened.push(s);
  return s;
}

/** A raw connection to the store's file, as someone tampering with it would open it. */
function raw(dir: string): Database.Database {
  const db = new Database(join(dir, 'followup.sqlite'));
  opened.push(db);
  return db;
}

function dropTriggers(db: Database.Database): void {
  db.exec('DROP TRIGGER IF EXISTS audit_append_only_u; DROP TRIGGER IF EXISTS audit_append_only_d;');
}

const ENTRIES: AuditInput[] = [
  {
    at: '2026-11-27T10:00:00.000Z',
    actor: 'officer@cted.example.org',
    role: 'cted',
    door: 'api',
    visitId: '700-NOR',
    action: 'start-visit',
    payload: { number: 700, state: 'NOR' },
    outcome: 'accepted',
  },
  {
    at: '2026-11-27T10:01:00.000Z',
    actor: 'officer@cted.example.org',
    role: 'cted',
    door: 'api',
    visitId: '700-NOR',
    action: 'record-pao',
    payload: { documentRef: 'PAO/700' },
    outcome: 'accepted',
  },
  {
    at: '2026-11-27T10:02:00.000Z',
    actor: 'mission@norway.example.org',
    role: 'state',
    door: 'link',
    visitId: '700-NOR',
    action: 'record-comments',
    payload: { summary: 'Два исправления — “quoted” ✓' },
    outcome: 'refused',
    detail: 'record-comments is not allowed while visit 700-NOR is at stage drafting',
  },
  {
    at: '2026-11-27T10:03:00.000Z',
    actor: 'operator@host',
    role: 'operator',
    door: 'cli',
    action: 'import-visits',
    payload: { imported: ['1-ARM', '2-ETH'], alreadyImported: [] },
    outcome: 'accepted',
  },
  {
    at: '2026-11-27T10:04:00.000Z',
    actor: 'secretariat@un.example.org',
    role: 'secretariat',
    door: 'api',
    visitId: '700-NOR',
    action: 'withdraw',
    outcome: 'refused',
    detail: 'forbidden',
  },
];

/** A store in a temp dir with the five entries above; returns the dir. */
async function seeded(): Promise<{ dir: string; store: SqliteStore }> {
  const dir = tempDir();
  const store = openStore(dir);
  for (const e of ENTRIES) await store.appendAudit(e);
  return { dir, store };
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(dataDir: string, ...args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      CLI,
      args,
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? dataDir,
          FOLLOWUP_DATA_DIR: dataDir,
          // No Temporal here (a refused port): the chain is checked, the anchor reported unavailable.
          TEMPORAL_ADDRESS: '127.0.0.1:9',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('appending and verifying', () => {
  it('chains each entry to the previous one from the genesis hash, and verifies intact', async () => {
    const { store } = await seeded();
    const audit = await store.audit();
    expect(audit.map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
    expect(audit[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < audit.length; i++) expect(audit[i]!.prevHash).toBe(audit[i - 1]!.hash);
    for (const e of audit) expect(e.hash).toBe(auditHash(e.prevHash, e));
    expect(audit.map(({ id: _i, prevHash: _p, hash: _h, ...rest }) => rest)).toEqual(ENTRIES);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 5 });
  });

  it('verifies an empty trail as intact', async () => {
    expect(await openStore(tempDir()).verifyAudit()).toEqual({ ok: true, entries: 0 });
  });

  it('returns the entry it appended, and keeps the chain across reopening the file', async () => {
    const { dir, store } = await seeded();
    await store.close();
    const again = openStore(dir);
    const sixth = await again.appendAudit({
      at: '2026-11-27T11:00:00.000Z',
      actor: 'chair@committee.example.org',
      role: 'chair',
      door: 'api',
      visitId: '700-NOR',
      action: 'record-adoption',
      outcome: 'accepted',
    });
    expect(sixth.id).toBe(6);
    expect(sixth.prevHash).toBe((await again.audit())[4]!.hash);
    expect(await again.verifyAudit()).toEqual({ ok: true, entries: 6 });
  });

  it('refuses UPDATE, DELETE and INSERT OR REPLACE through the store’s own connection (triggers)', async () => {
    const { dir, store } = await seeded();
    const db = raw(dir);
    db.pragma('recursive_triggers = ON'); // as the store's own connection has it
    expect(() => db.prepare("UPDATE audit SET outcome = 'accepted' WHERE id = 5").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit WHERE id = 5').run()).toThrow(/append-only/);
    expect(() =>
      db
        .prepare(
          "INSERT OR REPLACE INTO audit SELECT id, at, actor, role, door, visit_id, action, payload, 'accepted', detail, prev_hash, hash FROM audit WHERE id = 5",
        )
        .run(),
    ).toThrow(/append-only/);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 5 });
  });

  it('keeps any JSON payload and text intact through the file (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record(
            {
              actor: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
              action: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
              payload: fc.jsonValue({ maxDepth: 4 }),
              detail: fc.string({ unit: 'grapheme', maxLength: 80 }),
              outcome: fc.constantFrom('accepted' as const, 'refused' as const),
              door: fc.constantFrom('api' as const, 'cli' as const, 'link' as const),
            },
            { requiredKeys: ['actor', 'action', 'outcome', 'door'] },
          ),
          { minLength: 1, maxLength: 12 },
        ),
        async (entries) => {
          const dir = tempDir();
          const store = openStore(dir);
          for (const e of entries) await store.appendAudit({ at: new Date(0).toISOString(), role: 'cted', ...e });
          await store.close();
          const again = openStore(dir);
          expect(await again.verifyAudit()).toEqual({ ok: true, entries: entries.length });
          await again.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('tampering (after dropping the append-only triggers)', () => {
  it('names an entry whose payload was changed', async () => {
    const { dir, store } = await seeded();
    const db = raw(dir);
    dropTriggers(db);
    expect(db.prepare(`UPDATE audit SET payload = '{"summary":"No comments"}' WHERE id = 3`).run().changes).toBe(1);
    expect(await store.verifyAudit()).toEqual({
      ok: false,
      entries: 5,
      brokenAt: 3,
      reason: 'entry 3 was changed after it was written',
    });
  });

  it('names an entry whose outcome, actor, time or detail was changed', async () => {
    for (const [column, value] of [
      ['outcome', 'accepted'],
      ['actor', 'someone.else@cted.example.org'],
      ['at', '2026-11-28T10:02:00.000Z'],
      ['detail', null],
      ['visit_id', '701-NOR'],
    ] as const) {
      const { dir, store } = await seeded();
      const db = raw(dir);
      dropTriggers(db);
      db.prepare(`UPDATE audit SET ${column} = ? WHERE id = 3`).run(value);
      expect(await store.verifyAudit(), column).toEqual({
        ok: false,
        entries: 5,
        brokenAt: 3,
        reason: 'entry 3 was changed after it was written',
      });
    }
  });

  it('names a deleted entry as missing, the first one too', async () => {
    const middle = await seeded();
    const db = raw(middle.dir);
    dropTriggers(db);
    db.prepare('DELETE FROM audit WHERE id = 3').run();
    expect(await middle.store.verifyAudit()).toEqual({
      ok: false,
      entries: 4,
      brokenAt: 3,
      reason: 'entry 3 is missing',
    });

    const first = await seeded();
    const db1 = raw(first.dir);
    dropTriggers(db1);
    db1.prepare('DELETE FROM audit WHERE id = 1').run();
    expect(await first.store.verifyAudit()).toEqual({
      ok: false,
      entries: 4,
      brokenAt: 1,
      reason: 'entry 1 is missing',
    });
  });

  it('names an entry whose hash was changed', async () => {
    const { dir, store } = await seeded();
    const db = raw(dir);
    dropTriggers(db);
    db.prepare('UPDATE audit SET hash = ? WHERE id = 2').run('f'.repeat(64));
    expect(await store.verifyAudit()).toEqual({
      ok: false,
      entries: 5,
      brokenAt: 2,
      reason: 'entry 2 was changed after it was written',
    });
  });

  it('names the next entry when one was rewritten with a recomputed hash', async () => {
    const { dir, store } = await seeded();
    const db = raw(dir);
    dropTriggers(db);
    const e3 = (await store.audit())[2]!;
    const forged = { ...e3, outcome: 'accepted' as const };
    db.prepare('UPDATE audit SET outcome = ?, hash = ? WHERE id = 3').run('accepted', auditHash(e3.prevHash, forged));
    expect(await store.verifyAudit()).toEqual({
      ok: false,
      entries: 5,
      brokenAt: 4,
      reason: 'entry 4 does not follow entry 3',
    });
  });

  it('names an entry whose link to the previous one was changed', async () => {
    const { dir, store } = await seeded();
    const db = raw(dir);
    dropTriggers(db);
    db.prepare('UPDATE audit SET prev_hash = ? WHERE id = 2').run(GENESIS_HASH);
    expect(await store.verifyAudit()).toEqual({
      ok: false,
      entries: 5,
      brokenAt: 2,
      reason: 'entry 2 does not follow entry 1',
    });
  });

  it('names a forged entry appended without the chain', async () => {
    const { dir, store } = await seeded();
    const db = raw(dir);
    db.prepare(
      `INSERT INTO audit (id, at, actor, role, door, visit_id, action, payload, outcome, detail, prev_hash, hash)
       VALUES (6, '2026-11-27T12:00:00.000Z', 'x@y.org', 'secretariat', 'api', '700-NOR', 'grant-extension', NULL, 'accepted', NULL, ?, ?)`,
    ).run(GENESIS_HASH, 'a'.repeat(64));
    expect(await store.verifyAudit()).toEqual({
      ok: false,
      entries: 6,
      brokenAt: 6,
      reason: 'entry 6 does not follow entry 5',
    });
  });

  it('names a row rewritten by INSERT OR REPLACE on a connection without recursive triggers', async () => {
    // The triggers only stop REPLACE on connections with recursive_triggers on (the store's own);
    // any other connection rewrites the row without dropping anything. The chain still tells.
    const { dir, store } = await seeded();
    const db = raw(dir);
    db.prepare(
      "INSERT OR REPLACE INTO audit SELECT id, at, actor, role, door, visit_id, action, payload, 'accepted', detail, prev_hash, hash FROM audit WHERE id = 5",
    ).run();
    expect((await store.audit())[4]!.outcome).toBe('accepted');
    expect(await store.verifyAudit()).toEqual({
      ok: false,
      entries: 5,
      brokenAt: 5,
      reason: 'entry 5 was changed after it was written',
    });
  });

  it('names exactly the tampered entry, whichever entry and column (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: ENTRIES.length }),
        fc.constantFrom('payload', 'actor', 'role', 'door', 'action', 'outcome', 'at', 'hash'),
        async (id, column) => {
          const { dir, store } = await seeded();
          const db = raw(dir);
          dropTriggers(db);
          const before = db.prepare(`SELECT ${column} AS v FROM audit WHERE id = ?`).get(id) as { v: string | null };
          const value =
            column === 'payload'
              ? JSON.stringify({ tampered: true })
              : column === 'hash'
                ? '0'.repeat(63) + '1'
                : `${before.v ?? ''}x`;
          db.prepare(`UPDATE audit SET ${column} = ? WHERE id = ?`).run(value, id);
          expect(await store.verifyAudit()).toEqual({
            ok: false,
            entries: ENTRIES.length,
            brokenAt: id,
            reason: `entry ${id} was changed after it was written`,
          });
          db.close();
          await store.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  // Regression test: a lone surrogate used to be hashed as JSON escaped it but stored as UTF-8 replaced it,
  // so an untouched entry failed verification. The store now hashes exactly what it stores.
  it('an untouched entry with a lone surrogate in its detail verifies intact', async () => {
    const store = openStore(tempDir());
    await store.appendAudit({
      at: '2026-11-27T10:00:00.000Z',
      actor: 'member@committee.example.org',
      role: 'committee',
      door: 'api',
      visitId: '700-NOR',
      action: 'lift-hold',
      outcome: 'refused',
      detail: 'x\ud800 has no hold',
    });
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 1 });
  });
});

describe('followup audit verify', () => {
  it('exits 0 with the entry count for an intact trail (JSON and text)', async () => {
    const { dir, store } = await seeded();
    await store.close();
    const json = await cli(dir, 'audit', 'verify', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, entries: 5, anchor: 'unavailable' });
    const text = await cli(dir, 'audit', 'verify');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.trim()).toBe(
      'audit trail intact: 5 entries (the anchor in Temporal could not be read: entries dropped from the end would not show)',
    );
  });

  it('exits 1 and names the first broken entry of a tampered trail', async () => {
    const { dir, store } = await seeded();
    await store.close();
    const db = raw(dir);
    dropTriggers(db);
    db.prepare(`UPDATE audit SET payload = '{"documentRef":"PAO/FORGED"}' WHERE id = 2`).run();
    db.prepare('DELETE FROM audit WHERE id = 4').run();
    db.close();
    const json = await cli(dir, 'audit', 'verify', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      entries: 4,
      brokenAt: 2,
      reason: 'entry 2 was changed after it was written',
      anchor: 'unchecked',
    });
    const text = await cli(dir, 'audit', 'verify');
    expect(text.code).toBe(1);
    expect(text.stdout.trim()).toBe('audit trail BROKEN at entry 2: entry 2 was changed after it was written');
  });

  it('exits 1 and names a deleted entry', async () => {
    const { dir, store } = await seeded();
    await store.close();
    const db = raw(dir);
    dropTriggers(db);
    db.prepare('DELETE FROM audit WHERE id = 3').run();
    db.close();
    const json = await cli(dir, 'audit', 'verify', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      entries: 4,
      brokenAt: 3,
      reason: 'entry 3 is missing',
      anchor: 'unchecked',
    });
  });
});

describe('anchoring the chain head when Temporal cannot be reached', () => {
  it('records every entry, and neither the append nor the anchoring fails (the process goes on)', async () => {
    const store = openStore(tempDir());
    const audit = new AuditService(() => store, Date.now, {
      temporal: () => Promise.reject(new Error('Temporal is down')),
    });
    const caller = { email: 'officer@cted.example.org', role: 'cted' as const };
    for (const action of ['start-visit', 'submit-draft', 'dispatch-draft'])
      await audit.record({ caller, door: 'api', visitId: '166-POL', action }, 'accepted');
    await audit.flushAnchor();
    expect((await store.audit()).map((e) => e.action)).toEqual(['start-visit', 'submit-draft', 'dispatch-draft']);
    expect(await audit.verify()).toEqual({ ok: true, entries: 3, anchor: 'unavailable' });
    await store.close();
  });
});
