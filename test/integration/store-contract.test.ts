/**
 * The store's contract, the same tests on both implementations: SQLite in a temp file and
 * PostgreSQL in a throwaway cluster (test/pg.ts). Then the migrations from the previous release's
 * schema, and a backup of one restored into the other.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup, writeBackup } from '../../src/infra/store/backup-file';
import { migrationsOf } from '../../src/infra/store/migrations';
import { PostgresStore } from '../../src/infra/store/postgres';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { allVisits, type Store, type TableDump, type VisitSnapshot } from '../../src/infra/store/store';
import { startPg, type PgCluster } from '../pg';

let cluster: PgCluster;
const dir = mkdtempSync(join(tmpdir(), 'followup-store-'));
let files = 0;
const opened: Store[] = [];

beforeAll(async () => {
  cluster = await startPg();
}, 60_000);
afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Kind = 'sqlite' | 'postgres';
async function open(kind: Kind, where?: string): Promise<Store> {
  const s =
    kind === 'sqlite'
      ? new SqliteStore(where ?? join(dir, `s${++files}.sqlite`))
      : new PostgresStore(where ?? (await cluster.database()));
  opened.push(s);
  return s;
}
/** A second connection to the same store: another process. */
const twin = (s: Store): Store =>
  s instanceof SqliteStore ? new SqliteStore(s.file) : new PostgresStore((s as PostgresStore).url);

const snapshot = (id: string, stage: string, nextDeadline: string | null = null) => {
  const [number, state] = id.split('-');
  return { id, number: Number(number), state, type: 'comprehensive', stage, nextDeadline } as unknown as VisitSnapshot;
};
const event = (seq: number, type = 'step') => ({
  seq,
  type,
  stage: 'drafting' as const,
  at: `2026-01-0${seq}T00:00:00Z`,
});
const message = (key: string, visitId = '166-POL') => ({
  key,
  noticeKey: key.split('|')[0]!,
  visitId,
  topic: 'draft-due',
  kind: 'before',
  recipient: 'officer@cted.example.org',
  subject: 'Draft due',
  messageId: `<${key}@followup>`,
  sentAt: '2026-01-01T00:00:00.000Z',
});

/** A write straight to the database, past the store (SQLite's statement or PostgreSQL's): the triggers must refuse it. */
async function writePast(s: Store, sqlite: string, postgres: string): Promise<void> {
  if (s instanceof SqliteStore) {
    const db = new Database(s.file);
    try {
      db.prepare(sqlite).run();
    } finally {
      db.close();
    }
    return;
  }
  const c = new pg.Client({ connectionString: (s as PostgresStore).url });
  await c.connect();
  try {
    await c.query(postgres);
  } finally {
    await c.end();
  }
}

describe.each<Kind>(['sqlite', 'postgres'])('the store contract on %s', (kind) => {
  it('is at the latest schema version', async () => {
    const s = await open(kind);
    expect(await s.schemaVersion()).toBe(migrationsOf(kind).length);
  });

  it('appends events once (same run and sequence) and keeps each visit at its newest snapshot', async () => {
    const s = await open(kind);
    const batch = { visitId: '166-POL', workflowId: 'visit-166-POL', runId: 'r1' };
    expect(
      await s.appendEvents({ ...batch, events: [event(1), event(2)], snapshot: snapshot('166-POL', 'drafting') }),
    ).toBe(2);
    expect(
      await s.appendEvents({
        ...batch,
        events: [event(2), event(3)],
        snapshot: snapshot('166-POL', 'committee-review'),
      }),
    ).toBe(1);
    // A retry of an older batch changes nothing: the projection keeps the newest snapshot.
    expect(
      await s.appendEvents({ ...batch, events: [event(1), event(2)], snapshot: snapshot('166-POL', 'drafting') }),
    ).toBe(0);
    expect((await s.events('166-POL')).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await s.snapshots()).map((v) => v.stage)).toEqual(['committee-review']);
    expect(await s.stageCounts()).toEqual({ 'committee-review': 1 });
  });

  it('pages visits by number then id, with every filter, and the keyset never skips or repeats', async () => {
    const s = await open(kind);
    const ids = ['9-NOR', '10-AUS', '10-BRA', '166-POL', '1000-FRA', '2-CHL', '2-POL'];
    let run = 0;
    for (const id of ids) {
      const stage = id.endsWith('POL') ? 'implementing' : 'drafting';
      const deadline = id.startsWith('10-') ? '2026-01-01T04:59:59.999Z' : '2027-06-01T03:59:59.999Z';
      await s.appendEvents({
        visitId: id,
        workflowId: `visit-${id}`,
        runId: `r${++run}`,
        events: [event(1)],
        snapshot: snapshot(id, stage, deadline),
      });
    }
    const order = ['2-CHL', '2-POL', '9-NOR', '10-AUS', '10-BRA', '166-POL', '1000-FRA'];
    const seen: string[] = [];
    let after: { number: number; id: string } | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await s.visitPage({ limit: 3, ...(after ? { after } : {}) });
      seen.push(...page.visits.map((v) => v.id));
      if (!page.more) break;
      after = { number: page.visits.at(-1)!.number, id: page.visits.at(-1)!.id };
    }
    expect(seen).toEqual(order);
    expect((await s.visitPage({ limit: 10, state: 'POL' })).visits.map((v) => v.id)).toEqual(['2-POL', '166-POL']);
    expect((await s.visitPage({ limit: 10, stage: 'implementing' })).visits.map((v) => v.id)).toEqual([
      '2-POL',
      '166-POL',
    ]);
    expect((await s.visitPage({ limit: 10, stages: ['implementing'] })).visits).toHaveLength(2);
    const now = '2026-06-01T00:00:00.000Z';
    expect((await s.visitPage({ limit: 10, overdue: true, now })).visits.map((v) => v.id)).toEqual([
      '10-AUS',
      '10-BRA',
    ]);
    expect((await s.visitPage({ limit: 10, overdue: false, now })).visits).toHaveLength(5);
    expect(await s.countOverdue(now)).toBe(2);
    expect(await s.stageCounts({ state: 'POL' })).toEqual({ implementing: 2 });
    expect((await allVisits(s, {}, 2)).map((v) => v.id)).toEqual(order);
    // The summaries the overview reads: the same filters, a few fields of each visit.
    expect((await s.summaries({ state: 'POL' })).map((v) => [v.id, v.stage, v.openItems])).toEqual([
      ['2-POL', 'implementing', []],
      ['166-POL', 'implementing', []],
    ]);
    expect((await s.summaries({ overdue: true, now })).map((v) => v.id)).toEqual(['10-AUS', '10-BRA']);
    expect((await s.summaries()).map((v) => v.id)).toEqual(order);
  });

  it('records a message once and counts them by kind', async () => {
    const s = await open(kind);
    await s.recordSent(message('n1|a@x'));
    await s.recordSent(message('n1|a@x'));
    await s.recordSent({ ...message('n2|a@x'), kind: 'due' });
    expect(await s.wasSent('n1|a@x')).toBe(true);
    expect(await s.wasSent('n3|a@x')).toBe(false);
    expect((await s.messages('166-POL')).map((m) => m.key)).toEqual(['n1|a@x', 'n2|a@x']);
    expect(await s.messageCounts()).toEqual([
      { kind: 'before', count: 1 },
      { kind: 'due', count: 1 },
    ]);
  });

  it('keeps users, sessions, revocation and rotation', async () => {
    const s = await open(kind);
    await s.addUser({ email: 'a@un.example.org', role: 'secretariat' }, 'token-a');
    await expect(s.addUser({ email: 'a@un.example.org', role: 'cted' }, 'token-b')).rejects.toThrow(
      'a user with e-mail a@un.example.org already exists',
    );
    expect(await s.userByToken('token-a')).toMatchObject({ email: 'a@un.example.org', role: 'secretariat' });
    const now = new Date('2026-01-01T00:00:00Z');
    await s.createSession('sess-1', 'a@un.example.org', now, new Date(now.getTime() + 3_600_000));
    expect(await s.userBySession('sess-1', now)).toMatchObject({ email: 'a@un.example.org' });
    expect(await s.userBySession('sess-1', new Date(now.getTime() + 7_200_000))).toBeUndefined();
    expect(await s.sessionCount('a@un.example.org', now)).toBe(1);
    expect(await s.revokeUser('a@un.example.org', now)).toBe(1);
    expect(await s.userByToken('token-a')).toBeUndefined();
    expect(await s.revokeUser('nobody@un.example.org')).toBeUndefined();
    expect(await s.rotateToken('a@un.example.org', 'token-c')).toBe(true);
    expect(await s.userByToken('token-c')).toMatchObject({ email: 'a@un.example.org' });
    expect((await s.users())[0]!.revokedAt).toBeUndefined();
    expect(await s.endSession('sess-1')).toBe(false);
  });

  it('chains the audit trail across two connections appending at once, and refuses to rewrite it', async () => {
    const s = await open(kind);
    const other = twin(s);
    opened.push(other);
    const entry = (i: number) => ({
      at: '2026-01-01T00:00:00.000Z',
      actor: `p${i}@un.example.org`,
      role: 'cted',
      door: 'api' as const,
      action: 'submit-draft',
      payload: { i, text: 'دعوة 邀请' },
      outcome: 'accepted' as const,
    });
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? s : other).appendAudit(entry(i))));
    expect(await s.verifyAudit()).toEqual({ ok: true, entries: 30 });
    expect((await s.audit()).map((e) => e.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const tamper = () => writePast(s, "UPDATE audit SET actor = 'x' WHERE id = 1", 'DELETE FROM audit WHERE id = 30');
    await expect(async () => tamper()).rejects.toThrow(/append-only/);
    expect(await s.verifyAudit()).toEqual({ ok: true, entries: 30 });
  });

  it('lets exactly one of two connections claim a link, and a released claim be claimed again', async () => {
    const s = await open(kind);
    const other = twin(s);
    opened.push(other);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const id = String(i).padStart(64, '0');
        return (await Promise.all([s.claimLink(id, 'v', 'x'), other.claimLink(id, 'v', 'x')])).sort();
      }),
    );
    for (const o of outcomes) expect(o).toEqual(['claimed', 'used']);
    const id = '0'.repeat(64);
    await s.releaseLink(id);
    expect(await s.linkUsed(id)).toBe(false);
    expect(await other.claimLink(id, 'v', 'x')).toBe('claimed');
    expect(await s.useLink(id, 'v', 'x')).toBe(true);
    expect(await s.useLink(id, 'v', 'x')).toBe(false);
    expect(await s.claimLink(id, 'v', 'x')).toBe('used');
  });

  it('keeps documents, append-only: the latest of a visit and kind, any by id, bytes exact', async () => {
    const s = await open(kind);
    const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed) % 256));
    const doc = (visitId: string, k: 'pao' | 'draft' | 'report', content: Buffer, fileName = 'Проект доклада.pdf') => ({
      visitId,
      kind: k,
      fileName,
      mediaType: 'application/pdf',
      content,
      addedBy: 'officer@cted.example.org',
    });
    expect(await s.latestDocument('166-POL', 'draft')).toBeUndefined();
    const at = new Date('2026-02-01T00:00:00.000Z');
    // Two versions in the same millisecond: the one added last is the latest.
    const first = await s.addDocument(doc('166-POL', 'draft', bytes(1000, 7)), at);
    const second = await s.addDocument(doc('166-POL', 'draft', bytes(70_000, 13), 'v2.pdf'), at);
    await s.addDocument(doc('166-POL', 'report', bytes(10, 3)), at);
    await s.addDocument(doc('2-NOR', 'draft', bytes(10, 5)), at);
    expect(first.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second).toEqual({
      id: second.id,
      visitId: '166-POL',
      kind: 'draft',
      fileName: 'v2.pdf',
      mediaType: 'application/pdf',
      size: 70_000,
      sha256: createHash('sha256').update(bytes(70_000, 13)).digest('hex'),
      addedBy: 'officer@cted.example.org',
      addedAt: '2026-02-01T00:00:00.000Z',
    });
    const latest = await s.latestDocument('166-POL', 'draft');
    expect(latest?.id).toBe(second.id);
    expect(latest?.content.equals(bytes(70_000, 13))).toBe(true);
    const byId = await s.document(first.id);
    expect(byId).toMatchObject({ fileName: 'Проект доклада.pdf', size: 1000 });
    expect(byId?.content.equals(bytes(1000, 7))).toBe(true);
    expect(await s.document('no-such-document')).toBeUndefined();
    expect(await s.latestDocument('166-POL', 'pao')).toBeUndefined();
    const rewrite = () => writePast(s, "UPDATE documents SET file_name = 'x'", 'DELETE FROM documents');
    await expect(async () => rewrite()).rejects.toThrow(/append-only/);
    expect((await s.latestDocument('166-POL', 'draft'))?.id).toBe(second.id);
  });

  it("withdraws a document once, lists a visit's documents with their withdrawals, and keeps withdrawals append-only", async () => {
    const s = await open(kind);
    const add = (visitId: string, fileName: string) =>
      s.addDocument(
        {
          visitId,
          kind: 'draft',
          fileName,
          mediaType: 'application/pdf',
          content: Buffer.from(fileName),
          addedBy: 'a@x',
        },
        new Date('2026-02-01T00:00:00.000Z'),
      );
    const first = await add('166-POL', 'v1.pdf');
    const second = await add('166-POL', 'v2.pdf');
    await add('2-NOR', 'other.pdf');
    const withdrawal = { by: 'secretariat@un.example.org', at: '2026-02-02T00:00:00.000Z', reason: 'Не тот файл' };
    expect(await s.withdrawDocument(second.id, withdrawal.by, withdrawal.reason, new Date(withdrawal.at))).toEqual(
      withdrawal,
    );
    // Again, by someone else, later: the first withdrawal stands.
    expect(await s.withdrawDocument(second.id, 'b@x', 'again', new Date('2026-03-01T00:00:00.000Z'))).toEqual(
      withdrawal,
    );
    expect((await s.latestDocument('166-POL', 'draft'))?.withdrawn).toEqual(withdrawal);
    expect((await s.document(second.id))?.withdrawn).toEqual(withdrawal);
    expect((await s.document(first.id))?.withdrawn).toBeUndefined();
    const listed = await s.documents('166-POL');
    expect(listed.map((d) => [d.fileName, d.withdrawn ?? null])).toEqual([
      ['v1.pdf', null],
      ['v2.pdf', withdrawal],
    ]);
    expect(listed[0]).not.toHaveProperty('content');
    expect(await s.documents('999-XXX')).toEqual([]);
    const rewrite = () =>
      writePast(s, "UPDATE document_withdrawals SET reason = 'x'", 'DELETE FROM document_withdrawals');
    await expect(async () => rewrite()).rejects.toThrow(/append-only/);
    expect((await s.document(second.id))?.withdrawn).toEqual(withdrawal);
  });
});

/** Fills a store with one of everything. */
async function seed(s: Store) {
  await s.appendEvents({
    visitId: '166-POL',
    workflowId: 'visit-166-POL',
    runId: 'r1',
    events: [{ ...event(1), actor: 'a@x', role: 'cted', door: 'api', payload: { note: 'Заметка' } }, event(2)],
    snapshot: snapshot('166-POL', 'implementing', '2027-01-01T04:59:59.999Z'),
  });
  await s.recordSent(message('n1|a@x'));
  await s.addUser({ email: 'a@un.example.org', role: 'state', state: 'POL' }, 'token-a');
  await s.createSession('sess', 'a@un.example.org', new Date('2026-01-01'), new Date('2099-01-01'));
  await s.appendAudit({
    at: '2026-01-01T00:00:00.000Z',
    actor: 'a@x',
    role: 'cted',
    door: 'cli',
    action: 'x',
    outcome: 'accepted',
  });
  await s.claimLink('1'.repeat(64), '166-POL', 'record-consent');
  await s.useLink('1'.repeat(64), '166-POL', 'record-consent');
  // Every byte value, so that a backup that lost one (text, not bytes) shows.
  const content = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
  for (const kind of ['draft', 'draft', 'report'] as const)
    await s.addDocument({
      visitId: '166-POL',
      kind,
      fileName: 'تقرير.pdf',
      mediaType: 'application/pdf',
      content,
      addedBy: 'a@x',
    });
  const [, second] = await s.documents('166-POL');
  await s.withdrawDocument(second!.id, 'a@x', 'سبب', new Date('2026-01-03T00:00:00.000Z'));
}

async function contents(s: Store) {
  return {
    events: await s.events(),
    snapshots: await s.snapshots(),
    messages: await s.messages(),
    users: await s.users(),
    audit: await s.audit(),
    verify: await s.verifyAudit(),
    user: await s.userBySession('sess'),
    used: await s.linkUsed('1'.repeat(64)),
    latestDraft: await s.latestDocument('166-POL', 'draft'),
    report: await s.latestDocument('166-POL', 'report'),
    documents: await s.documents('166-POL'),
  };
}

describe('backup and restore', () => {
  it.each<[Kind, Kind]>([
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ])('a backup of %s restores into an empty %s store with the same contents', async (from, to) => {
    const source = await open(from);
    await seed(source);
    const dump: TableDump[] = [];
    for await (const t of source.dump()) dump.push(JSON.parse(JSON.stringify(t)) as TableDump);
    const target = await open(to);
    const { rows } = await target.restore(dump);
    expect(rows).toBe(dump.reduce((n, t) => n + t.rows.length, 0));
    expect(await contents(target)).toEqual(await contents(source));
    // The restored store goes on: new events and audit entries follow the restored ones.
    await target.appendAudit({
      at: '2026-01-02T00:00:00.000Z',
      actor: 'b@x',
      role: 'cted',
      door: 'cli',
      action: 'y',
      outcome: 'accepted',
    });
    expect(await target.verifyAudit()).toEqual({ ok: true, entries: 2 });
    await target.appendEvents({ visitId: '166-POL', workflowId: 'visit-166-POL', runId: 'r1', events: [event(3)] });
    expect((await target.events()).map((e) => e.seq)).toEqual([1, 2, 3]);
    // Documents survive as bytes (base64 in the backup's JSON), and new ones follow the restored ones.
    expect(dump.find((t) => t.table === 'documents')?.rows).toHaveLength(3);
    expect(dump.find((t) => t.table === 'document_withdrawals')?.rows).toHaveLength(1);
    expect((await target.latestDocument('166-POL', 'report'))?.content).toEqual(
      Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256)),
    );
    const added = await target.addDocument({
      visitId: '166-POL',
      kind: 'draft',
      fileName: 'v3.pdf',
      mediaType: 'application/pdf',
      content: Buffer.from('v3'),
      addedBy: 'b@x',
    });
    expect((await target.latestDocument('166-POL', 'draft'))?.id).toBe(added.id);
    await expect(target.restore(dump)).rejects.toThrow('the store is not empty');
  });
});

describe('a backup file', () => {
  it.each<Kind>(['sqlite', 'postgres'])(
    "from schema version 3 (before withdrawals) restores into a %s store at today's version",
    async (to) => {
      const source = await open('sqlite');
      await seed(source);
      const file = join(dir, `v3-to-${to}.backup`);
      await writeBackup(source, file);
      // The file as version 3 wrote it: no document_withdrawals, neither its rows nor its count.
      const lines = readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.table !== 'document_withdrawals');
      lines[0] = { ...lines[0], schemaVersion: 3 };
      const trailer = lines.at(-1) as { rows: Record<string, number> };
      delete trailer.rows.document_withdrawals;
      const old = join(dir, `v3-to-${to}.old.backup`);
      writeFileSync(old, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const target = await open(to);
      expect(await restoreBackup(target, old)).toMatchObject({ schemaVersion: 3 });
      expect((await target.documents('166-POL')).map((d) => [d.fileName, d.withdrawn ?? null])).toEqual([
        ['تقرير.pdf', null],
        ['تقرير.pdf', null],
        ['تقرير.pdf', null],
      ]);
      expect((await target.latestDocument('166-POL', 'report'))?.content).toEqual(
        (await source.latestDocument('166-POL', 'report'))?.content,
      );
      // And the restored store takes withdrawals from then on.
      const [first] = await target.documents('166-POL');
      expect((await target.withdrawDocument(first!.id, 'b@x', 'after the restore')).reason).toBe('after the restore');
    },
  );

  it('carries documents as base64 and restores their exact bytes', async () => {
    const source = await open('postgres');
    await seed(source);
    const file = join(dir, 'documents.backup');
    const written = await writeBackup(source, file);
    expect(written.rows.documents).toBe(3);
    expect(readFileSync(file, 'utf8')).toContain(
      Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256)).toString('base64'),
    );
    const target = await open('sqlite');
    await restoreBackup(target, file);
    expect(await contents(target)).toEqual(await contents(source));
  });
});

describe.each<Kind>(['sqlite', 'postgres'])('a restore on %s', (kind) => {
  it('writes all or nothing, and takes no column the table does not have', async () => {
    const source = await open('sqlite');
    await seed(source);
    const dump: TableDump[] = [];
    for await (const t of source.dump()) dump.push(JSON.parse(JSON.stringify(t)) as TableDump);
    const target = await open(kind);
    // A hostile key is refused before anything is written.
    const hostile = dump.map((t) =>
      t.table === 'link_claims' ? { ...t, rows: [{ 'link_id) SELECT 1 --': 'x' }] } : t,
    );
    await expect(target.restore(hostile)).rejects.toThrow(/unknown column in backup: link_claims\.link_id\) SELECT/);
    // A row that fails late (a user twice) leaves the store empty: the next restore succeeds.
    const twice = dump.map((t) => (t.table === 'users' ? { ...t, rows: [...t.rows, ...t.rows] } : t));
    await expect(target.restore(twice)).rejects.toThrow();
    expect(await target.events()).toEqual([]);
    expect(await target.snapshots()).toEqual([]);
    await target.restore(dump);
    expect(await target.verifyAudit()).toEqual({ ok: true, entries: 1 });
  });
});

describe('migrations from the previous release', () => {
  it('opens a SQLite store made by the previous release: its rows kept, the visits projection filled', async () => {
    const file = join(dir, 'release-0.sqlite');
    const db = new Database(file);
    db.exec(readFileSync(join(__dirname, '..', 'fixtures', 'store-schema-release-0.sql'), 'utf8'));
    db.prepare(
      "INSERT INTO visit_snapshots (visit_id, run_id, seq, status, recorded_at) VALUES ('166-POL', 'r1', 1, ?, 'now')",
    ).run(JSON.stringify(snapshot('166-POL', 'drafting')));
    db.prepare(
      "INSERT INTO visit_snapshots (visit_id, run_id, seq, status, recorded_at) VALUES ('166-POL', 'r1', 2, ?, 'now')",
    ).run(JSON.stringify(snapshot('166-POL', 'committee-review', '2026-03-01T04:59:59.999Z')));
    db.prepare(
      "INSERT INTO users (email, role, token_hash, created_at) VALUES ('a@un.example.org', 'cted', 'h', 'now')",
    ).run();
    db.close();
    const s = await open('sqlite', file);
    expect(await s.schemaVersion()).toBe(4);
    expect((await s.snapshots()).map((v) => [v.id, v.stage])).toEqual([['166-POL', 'committee-review']]);
    expect((await s.visitPage({ limit: 5, stage: 'committee-review' })).visits).toHaveLength(1);
    expect((await s.users()).map((u) => u.email)).toEqual(['a@un.example.org']);
  });

  it('brings a PostgreSQL store at migration 1 to the latest, filling the projection', async () => {
    const url = await cluster.database();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const [first] = migrationsOf('postgres');
    await c.query(first!.sql);
    await c.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    await c.query("INSERT INTO schema_migrations VALUES (1, 'initial', 'now')");
    for (const [seq, stage] of [
      [1, 'drafting'],
      [2, 'implementing'],
    ] as const)
      await c.query(
        "INSERT INTO visit_snapshots (visit_id, run_id, seq, status, recorded_at) VALUES ('2-NOR', 'r', $1, $2, 'now')",
        [seq, JSON.stringify(snapshot('2-NOR', stage))],
      );
    await c.end();
    const s = await open('postgres', url);
    expect(await s.schemaVersion()).toBe(4);
    expect((await s.snapshots()).map((v) => [v.id, v.stage])).toEqual([['2-NOR', 'implementing']]);
  });

  it('applies each migration once when two processes start together on PostgreSQL', async () => {
    const url = await cluster.database();
    const [a, b] = [await open('postgres', url), await open('postgres', url)];
    expect(await Promise.all([a.schemaVersion(), b.schemaVersion()])).toEqual([4, 4]);
  });
});

describe('a PostgreSQL restart', () => {
  it('is survived: the pool reconnects and the next append lands', async () => {
    const s = await open('postgres');
    await s.recordSent(message('before|a@x'));
    await cluster.restart();
    // The first query after a restart may meet a dead connection; within a bound, a retry succeeds.
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await s.recordSent(message('after|a@x'));
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
    }
    expect((await s.messages()).map((m) => m.key)).toEqual(['after|a@x', 'before|a@x']);
  }, 60_000);
});
