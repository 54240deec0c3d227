/**
 * The store on SQLite (better-sqlite3 12), the embedded default: one file in the data folder, shared
 * by the processes of one host. Triggers refuse UPDATE and DELETE on the append-only tables.
 * better-sqlite3 is synchronous; the contract is async so that PostgreSQL can keep it too.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrationsOf } from './migrations';
import { checkedInserts } from './restore';
import {
  BACKUP_TABLES,
  auditEntryOf,
  DOCUMENT_META_COLUMNS,
  DOCUMENT_SELECT,
  documentMetaOf,
  documentOf,
  documentRowOf,
  withdrawalOf,
  dumpRow,
  restoredRow,
  auditHead,
  auditHash,
  eventOf,
  eventRowOf,
  GENESIS_HASH,
  messageOf,
  storableAudit,
  tokenHash,
  userOf,
  verifyChain,
  visitRowOf,
  type AuditEntry,
  type AuditInput,
  type DocumentInput,
  type DocumentKind,
  type DocumentMeta,
  type DocumentWithdrawal,
  type EventBatch,
  type LinkClaim,
  type SentMessage,
  type StageCounts,
  type StoredDocument,
  type Store,
  type TableDump,
  type UserRecord,
  type VisitPage,
  type VisitPageQuery,
  type VisitSnapshot,
  type VisitSummary,
} from './store';

type Row = Record<string, unknown>;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Confidential: readable by the engine's user only (SQLite's journal files follow the main file's mode).
      closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    for (const journal of [`${file}-wal`, `${file}-shm`]) if (existsSync(journal)) chmodSync(journal, 0o600);
    this.db.pragma('busy_timeout = 5000');
    // Makes INSERT OR REPLACE fire the delete triggers, so it cannot rewrite a row either.
    this.db.pragma('recursive_triggers = ON');
    this.migrate();
  }

  get location(): string {
    return this.file;
  }

  /** Applies the numbered migrations not yet applied, each in its own transaction (one process at a time). */
  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    // A users table older than migration 1 lacks the column migration 1 declares.
    const users = this.db.prepare('PRAGMA table_info(users)').all() as { name: string }[];
    if (users.length && !users.some((c) => c.name === 'revoked_at'))
      this.db.exec('ALTER TABLE users ADD COLUMN revoked_at TEXT');
    for (const m of migrationsOf('sqlite')) {
      this.db
        .transaction(() => {
          if (this.db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version)) return;
          this.db.exec(m.sql);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(m.version, m.name, new Date().toISOString());
        })
        .immediate();
    }
  }

  async schemaVersion(): Promise<number> {
    return (this.db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  }

  async appendEvents(batch: EventBatch, recordedAt = new Date()): Promise<number> {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO events (visit_id, workflow_id, run_id, seq, type, stage, at, actor, role, door, payload, recorded_at)
       VALUES (@visit_id, @workflow_id, @run_id, @seq, @type, @stage, @at, @actor, @role, @door, @payload, @recorded_at)`,
    );
    const tx = this.db.transaction((events: EventBatch['events']) => {
      let added = 0;
      for (const e of events) added += insert.run(eventRowOf(batch, e, recordedAt)).changes;
      const last = events.at(-1);
      if (batch.snapshot && last) {
        const inserted = this.db
          .prepare(
            'INSERT OR IGNORE INTO visit_snapshots (visit_id, run_id, seq, status, recorded_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(batch.visitId, batch.runId, last.seq, JSON.stringify(batch.snapshot), recordedAt.toISOString());
        if (inserted.changes === 1) this.project(batch.snapshot, Number(inserted.lastInsertRowid));
      }
      return added;
    });
    return tx.immediate(batch.events);
  }

  /** Keeps the visit's row in the projection at its newest snapshot. */
  private project(s: VisitSnapshot, snapshotId: number): void {
    this.db
      .prepare(
        `INSERT INTO visits (visit_id, number, state, type, stage, next_deadline, snapshot_id, status, summary)
         VALUES (@visit_id, @number, @state, @type, @stage, @next_deadline, @snapshot_id, @status, @summary)
         ON CONFLICT (visit_id) DO UPDATE SET number = excluded.number, state = excluded.state, type = excluded.type,
           stage = excluded.stage, next_deadline = excluded.next_deadline, snapshot_id = excluded.snapshot_id,
           status = excluded.status, summary = excluded.summary
         WHERE excluded.snapshot_id > visits.snapshot_id`,
      )
      .run(visitRowOf(s, snapshotId));
  }

  async snapshots(visitId?: string): Promise<VisitSnapshot[]> {
    const rows = (
      visitId
        ? this.db.prepare('SELECT status FROM visits WHERE visit_id = ?').all(visitId)
        : this.db.prepare('SELECT status FROM visits ORDER BY visit_id').all()
    ) as { status: string }[];
    return rows.map((r) => JSON.parse(r.status) as VisitSnapshot);
  }

  async visitPage(q: VisitPageQuery): Promise<VisitPage> {
    const { where, args } = filterSql(q);
    const rows = this.db
      .prepare(
        `SELECT status FROM visits ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY number, visit_id LIMIT ?`,
      )
      .all(...args, q.limit + 1) as { status: string }[];
    return {
      visits: rows.slice(0, q.limit).map((r) => JSON.parse(r.status) as VisitSnapshot),
      more: rows.length > q.limit,
    };
  }

  async summaries(q: Omit<VisitPageQuery, 'limit' | 'after'> = {}): Promise<VisitSummary[]> {
    const { where, args } = filterSql(q);
    const rows = this.db
      .prepare(
        `SELECT summary FROM visits ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY number, visit_id`,
      )
      .all(...args) as { summary: string }[];
    return rows.map((r) => JSON.parse(r.summary) as VisitSummary);
  }

  async stageCounts(q: Pick<VisitPageQuery, 'state'> = {}): Promise<StageCounts> {
    const rows = (
      q.state
        ? this.db.prepare('SELECT stage, COUNT(*) AS n FROM visits WHERE state = ? GROUP BY stage').all(q.state)
        : this.db.prepare('SELECT stage, COUNT(*) AS n FROM visits GROUP BY stage').all()
    ) as { stage: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.stage, r.n]));
  }

  async countOverdue(now: string): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM visits WHERE next_deadline < ?').get(now) as { n: number }).n;
  }

  async events(visitId?: string) {
    const rows = (
      visitId
        ? this.db.prepare('SELECT * FROM events WHERE visit_id = ? ORDER BY id').all(visitId)
        : this.db.prepare('SELECT * FROM events ORDER BY id').all()
    ) as Row[];
    return rows.map(eventOf);
  }

  async wasSent(key: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM messages WHERE key = ?').get(key) !== undefined;
  }

  async recordSent(m: SentMessage): Promise<void> {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO messages (key, notice_key, visit_id, topic, kind, recipient, subject, message_id, sent_at)
         VALUES (@key, @noticeKey, @visitId, @topic, @kind, @recipient, @subject, @messageId, @sentAt)`,
      )
      .run(m);
  }

  async messages(visitId?: string): Promise<SentMessage[]> {
    const rows = (
      visitId
        ? this.db.prepare('SELECT * FROM messages WHERE visit_id = ? ORDER BY sent_at, key').all(visitId)
        : this.db.prepare('SELECT * FROM messages ORDER BY sent_at, key').all()
    ) as Row[];
    return rows.map(messageOf);
  }

  async messageCounts() {
    return this.db.prepare('SELECT kind, COUNT(*) AS count FROM messages GROUP BY kind ORDER BY kind').all() as {
      kind: string;
      count: number;
    }[];
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1 FROM visits LIMIT 1').get();
  }

  async addUser(u: Omit<UserRecord, 'createdAt'>, token: string, now = new Date()): Promise<void> {
    try {
      this.db
        .prepare(
          'INSERT INTO users (email, role, state, organisation, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(u.email, u.role, u.state ?? null, u.organisation ?? null, tokenHash(token), now.toISOString());
    } catch (e) {
      if (/UNIQUE constraint failed: users.email/.test((e as Error).message))
        throw new Error(`a user with e-mail ${u.email} already exists`, { cause: e });
      throw e;
    }
  }

  async userByToken(token: string): Promise<UserRecord | undefined> {
    const r = this.db
      .prepare('SELECT * FROM users WHERE token_hash = ? AND revoked_at IS NULL')
      .get(tokenHash(token)) as Row | undefined;
    return r ? userOf(r) : undefined;
  }

  async rotateToken(email: string, token: string): Promise<boolean> {
    const tx = this.db.transaction(() => {
      const changed = this.db
        .prepare('UPDATE users SET token_hash = ?, revoked_at = NULL WHERE email = ?')
        .run(tokenHash(token), email).changes;
      this.db.prepare('DELETE FROM sessions WHERE email = ?').run(email);
      return changed === 1;
    });
    return tx.immediate();
  }

  async revokeUser(email: string, now = new Date()): Promise<number | undefined> {
    const tx = this.db.transaction(() => {
      const found = this.db
        .prepare('UPDATE users SET revoked_at = COALESCE(revoked_at, ?) WHERE email = ?')
        .run(now.toISOString(), email).changes;
      if (found === 0) return undefined;
      return this.db.prepare('DELETE FROM sessions WHERE email = ?').run(email).changes;
    });
    return tx.immediate();
  }

  async createSession(id: string, email: string, createdAt: Date, expiresAt: Date): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(createdAt.toISOString());
    this.db
      .prepare('INSERT INTO sessions (id_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(tokenHash(id), email, createdAt.toISOString(), expiresAt.toISOString());
  }

  async userBySession(id: string, now = new Date()): Promise<UserRecord | undefined> {
    const r = this.db
      .prepare(
        `SELECT u.* FROM sessions s JOIN users u ON u.email = s.email
         WHERE s.id_hash = ? AND s.expires_at > ? AND u.revoked_at IS NULL`,
      )
      .get(tokenHash(id), now.toISOString()) as Row | undefined;
    return r ? userOf(r) : undefined;
  }

  async endSession(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(tokenHash(id)).changes === 1;
  }

  async sessionCount(email: string, now = new Date()): Promise<number> {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM sessions WHERE email = ? AND expires_at > ?')
        .get(email, now.toISOString()) as { n: number }
    ).n;
  }

  async users(): Promise<UserRecord[]> {
    return (this.db.prepare('SELECT * FROM users ORDER BY email').all() as Row[]).map(userOf);
  }

  async appendAudit(raw: AuditInput): Promise<AuditEntry> {
    const tx = this.db.transaction((e: AuditInput) => {
      const last = this.db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as
        { id: number; hash: string } | undefined;
      const id = (last?.id ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const hash = auditHash(prevHash, { ...e, id });
      this.db
        .prepare(
          `INSERT INTO audit (id, at, actor, role, door, visit_id, action, payload, outcome, detail, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          ...auditHead({ ...e, id }),
          e.payload === undefined ? null : JSON.stringify(e.payload),
          e.outcome,
          e.detail ?? null,
          prevHash,
          hash,
        );
      return { ...e, id, prevHash, hash };
    });
    return tx.immediate(storableAudit(raw));
  }

  async audit(): Promise<AuditEntry[]> {
    return (this.db.prepare('SELECT * FROM audit ORDER BY id').all() as Row[]).map(auditEntryOf);
  }

  async verifyAudit() {
    return verifyChain(await this.audit());
  }

  async claimLink(linkId: string, visitId: string, action: string, now = new Date()): Promise<LinkClaim> {
    const tx = this.db.transaction((): LinkClaim => {
      if (this.db.prepare('SELECT 1 FROM link_uses WHERE link_id = ?').get(linkId)) return 'used';
      const inserted = this.db
        .prepare('INSERT OR IGNORE INTO link_claims (link_id, visit_id, action, claimed_at) VALUES (?, ?, ?, ?)')
        .run(linkId, visitId, action, now.toISOString()).changes;
      return inserted === 1 ? 'claimed' : 'used';
    });
    return tx.immediate();
  }

  async releaseLink(linkId: string): Promise<void> {
    this.db.prepare('DELETE FROM link_claims WHERE link_id = ?').run(linkId);
  }

  async useLink(linkId: string, visitId: string, action: string, now = new Date()): Promise<boolean> {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO link_uses (link_id, visit_id, action, used_at) VALUES (?, ?, ?, ?)')
        .run(linkId, visitId, action, now.toISOString()).changes === 1
    );
  }

  async linkUsed(linkId: string): Promise<boolean> {
    return (
      this.db.prepare('SELECT 1 FROM link_uses WHERE link_id = ?').get(linkId) !== undefined ||
      this.db.prepare('SELECT 1 FROM link_claims WHERE link_id = ?').get(linkId) !== undefined
    );
  }

  async addDocument(d: DocumentInput, now = new Date()): Promise<DocumentMeta> {
    const row = documentRowOf(d, now);
    // One writer at a time (an immediate transaction): the next seq is the table's highest plus one.
    this.db
      .transaction(() =>
        this.db
          .prepare(
            `INSERT INTO documents (id, seq, visit_id, kind, file_name, media_type, size, sha256, content, added_by, added_at)
             VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents), @visit_id, @kind, @file_name, @media_type,
               @size, @sha256, @content, @added_by, @added_at)`,
          )
          .run(row),
      )
      .immediate();
    return documentMetaOf(row);
  }

  async latestDocument(visitId: string, kind: DocumentKind): Promise<StoredDocument | undefined> {
    const r = this.db
      .prepare(`${DOCUMENT_SELECT} WHERE d.visit_id = ? AND d.kind = ? ORDER BY d.seq DESC LIMIT 1`)
      .get(visitId, kind) as Row | undefined;
    return r ? documentOf(r) : undefined;
  }

  async document(id: string): Promise<StoredDocument | undefined> {
    const r = this.db.prepare(`${DOCUMENT_SELECT} WHERE d.id = ?`).get(id) as Row | undefined;
    return r ? documentOf(r) : undefined;
  }

  async documents(visitId: string): Promise<DocumentMeta[]> {
    const rows = this.db
      .prepare(`${DOCUMENT_SELECT.replace('d.*', DOCUMENT_META_COLUMNS)} WHERE d.visit_id = ? ORDER BY d.seq`)
      .all(visitId) as Row[];
    return rows.map(documentMetaOf);
  }

  async withdrawDocument(id: string, by: string, reason: string, now = new Date()): Promise<DocumentWithdrawal> {
    this.db
      .prepare(
        'INSERT INTO document_withdrawals (document_id, withdrawn_by, withdrawn_at, reason) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(id, by, now.toISOString(), reason);
    return withdrawalOf(this.db.prepare('SELECT * FROM document_withdrawals WHERE document_id = ?').get(id) as Row);
  }

  async *dump(): AsyncIterable<TableDump> {
    // One read transaction: every table as of the same moment, whatever other processes write meanwhile.
    const tables = this.db.transaction(() =>
      BACKUP_TABLES.map((table) => ({
        table,
        rows: (this.db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as Row[]).map((r) => dumpRow(table, r)),
      })),
    )();
    for (const t of tables) yield t;
  }

  async restore(tables: AsyncIterable<TableDump> | Iterable<TableDump>): Promise<{ rows: number }> {
    const all: TableDump[] = [];
    for await (const t of tables) all.push(t);
    const columns = new Map(
      BACKUP_TABLES.map((t) => [
        t as string,
        new Set((this.db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name)),
      ]),
    );
    const statement = checkedInserts(all, columns, () => '?');
    // All or nothing: a row that fails leaves the store as empty as it was.
    return this.db
      .transaction(() => {
        for (const table of [...BACKUP_TABLES, 'visits'])
          if (this.db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get())
            throw new Error(`the store is not empty (${table} has rows): restore writes into a new store only`);
        let rows = 0;
        for (const { table, rows: data } of all)
          for (const r of data) {
            const { sql, values } = statement(table, restoredRow(table, r));
            this.db.prepare(sql).run(...values);
            rows++;
          }
        // The projection is derived: rebuilt from the restored snapshots.
        const latest = this.db
          .prepare(
            `SELECT s.id, s.status FROM visit_snapshots s
             JOIN (SELECT visit_id, MAX(id) AS id FROM visit_snapshots GROUP BY visit_id) l ON l.id = s.id`,
          )
          .all() as { id: number; status: string }[];
        for (const r of latest) this.project(JSON.parse(r.status) as VisitSnapshot, r.id);
        return { rows };
      })
      .immediate();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** The WHERE clauses of a filter of the visits projection, with their arguments. */
function filterSql(q: Omit<VisitPageQuery, 'limit'>): { where: string[]; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    args.push(...values);
  };
  if (q.state) add('state = ?', q.state);
  if (q.stage) add('stage = ?', q.stage);
  if (q.stages) add(`stage IN (${q.stages.map(() => '?').join(', ') || 'NULL'})`, ...q.stages);
  if (q.overdue !== undefined) {
    const now = q.now ?? new Date().toISOString();
    add(q.overdue ? 'next_deadline < ?' : '(next_deadline IS NULL OR next_deadline >= ?)', now);
  }
  if (q.after) add('(number > ? OR (number = ? AND visit_id > ?))', q.after.number, q.after.number, q.after.id);
  return { where, args };
}
