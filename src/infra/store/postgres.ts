/**
 * The store on PostgreSQL (`FOLLOWUP_DATABASE_URL=postgres://…`): any number of workers and web
 * processes on any hosts share it. Same tables and same contract as SQLite; triggers refuse UPDATE,
 * DELETE and TRUNCATE on the append-only tables. Migrations run at first use, under an advisory lock
 * so that processes starting together apply each one once. Strings are compared in the "C"
 * collation, as SQLite compares them.
 */
import pg from 'pg';
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
type Db = pg.Pool | pg.PoolClient;

/** Advisory lock keys: one for migrations, one that serialises the audit chain's appends. */
const MIGRATION_LOCK = 7_241_001;
const AUDIT_LOCK = 7_241_002;

/** The URL without its password, for banners and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  private readonly pool: pg.Pool;
  private migrated?: Promise<void>;

  /** `url` holds the password: never log it (`location` is the redacted form). */
  constructor(
    readonly url: string,
    options: { max?: number } = {},
  ) {
    this.location = redactUrl(url);
    // Bounded waits: a database that does not answer fails the call (an activity retries) instead of
    // holding it past its activity's timeout, after which a retry could send a message twice.
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: 5_000,
      query_timeout: 15_000,
    });
    // An idle client's error (the server restarted) must not crash the process: the pool replaces it.
    this.pool.on('error', () => undefined);
  }

  /** Applies the migrations once per process, before the first query. */
  ready(): Promise<void> {
    this.migrated ??= this.migrate().catch((e: unknown) => {
      this.migrated = undefined;
      throw e;
    });
    return this.migrated;
  }

  private async migrate(): Promise<void> {
    await this.tx(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await db.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const done = new Set(
        (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      for (const m of migrationsOf('postgres')) {
        if (done.has(m.version)) continue;
        await db.query(m.sql);
        await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
      }
    }, false);
  }

  /** Runs `fn` in one transaction on one client. */
  private async tx<T>(fn: (db: pg.PoolClient) => Promise<T>, migrate = true): Promise<T> {
    if (migrate) await this.ready();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  private async q<R extends Row = Row>(sql: string, args: unknown[] = [], db: Db = this.pool): Promise<R[]> {
    await this.ready();
    return (await db.query<R>(sql, args)).rows;
  }

  async schemaVersion(): Promise<number> {
    const [r] = await this.q<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations');
    return Number(r!.v);
  }

  async appendEvents(batch: EventBatch, recordedAt = new Date()): Promise<number> {
    return this.tx(async (db) => {
      let added = 0;
      for (const e of batch.events) {
        const r = eventRowOf(batch, e, recordedAt);
        const res = await db.query(
          `INSERT INTO events (visit_id, workflow_id, run_id, seq, type, stage, at, actor, role, door, payload, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
          [
            r.visit_id,
            r.workflow_id,
            r.run_id,
            r.seq,
            r.type,
            r.stage,
            r.at,
            r.actor,
            r.role,
            r.door,
            r.payload,
            r.recorded_at,
          ],
        );
        added += res.rowCount ?? 0;
      }
      const last = batch.events.at(-1);
      if (batch.snapshot && last) {
        const inserted = await db.query<{ id: string }>(
          `INSERT INTO visit_snapshots (visit_id, run_id, seq, status, recorded_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING RETURNING id`,
          [batch.visitId, batch.runId, last.seq, JSON.stringify(batch.snapshot), recordedAt.toISOString()],
        );
        const id = inserted.rows[0]?.id;
        if (id !== undefined) await this.project(db, batch.snapshot, Number(id));
      }
      return added;
    });
  }

  /** Keeps the visit's row in the projection at its newest snapshot. */
  private async project(db: Db, s: VisitSnapshot, snapshotId: number): Promise<void> {
    const r = visitRowOf(s, snapshotId);
    await db.query(
      `INSERT INTO visits (visit_id, number, state, type, stage, next_deadline, snapshot_id, status, summary)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (visit_id) DO UPDATE SET number = excluded.number, state = excluded.state, type = excluded.type,
         stage = excluded.stage, next_deadline = excluded.next_deadline, snapshot_id = excluded.snapshot_id,
         status = excluded.status, summary = excluded.summary
       WHERE excluded.snapshot_id > visits.snapshot_id`,
      [r.visit_id, r.number, r.state, r.type, r.stage, r.next_deadline, r.snapshot_id, r.status, r.summary],
    );
  }

  async snapshots(visitId?: string): Promise<VisitSnapshot[]> {
    const rows = visitId
      ? await this.q<{ status: string }>('SELECT status FROM visits WHERE visit_id = $1', [visitId])
      : await this.q<{ status: string }>('SELECT status FROM visits ORDER BY visit_id');
    return rows.map((r) => JSON.parse(r.status) as VisitSnapshot);
  }

  async visitPage(q: VisitPageQuery): Promise<VisitPage> {
    const { where, args } = filterSql(q);
    args.push(q.limit + 1);
    const rows = await this.q<{ status: string }>(
      `SELECT status FROM visits ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY number, visit_id LIMIT $${args.length}`,
      args,
    );
    return {
      visits: rows.slice(0, q.limit).map((r) => JSON.parse(r.status) as VisitSnapshot),
      more: rows.length > q.limit,
    };
  }

  async summaries(q: Omit<VisitPageQuery, 'limit' | 'after'> = {}): Promise<VisitSummary[]> {
    const { where, args } = filterSql(q);
    const rows = await this.q<{ summary: string }>(
      `SELECT summary FROM visits ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY number, visit_id`,
      args,
    );
    return rows.map((r) => JSON.parse(r.summary) as VisitSummary);
  }

  async stageCounts(q: Pick<VisitPageQuery, 'state'> = {}): Promise<StageCounts> {
    const rows = q.state
      ? await this.q<{ stage: string; n: string }>(
          'SELECT stage, COUNT(*) AS n FROM visits WHERE state = $1 GROUP BY stage',
          [q.state],
        )
      : await this.q<{ stage: string; n: string }>('SELECT stage, COUNT(*) AS n FROM visits GROUP BY stage');
    return Object.fromEntries(rows.map((r) => [r.stage, Number(r.n)]));
  }

  async countOverdue(now: string): Promise<number> {
    const [r] = await this.q<{ n: string }>('SELECT COUNT(*) AS n FROM visits WHERE next_deadline < $1', [now]);
    return Number(r!.n);
  }

  async events(visitId?: string) {
    const rows = visitId
      ? await this.q('SELECT * FROM events WHERE visit_id = $1 ORDER BY id', [visitId])
      : await this.q('SELECT * FROM events ORDER BY id');
    return rows.map(eventOf);
  }

  async wasSent(key: string): Promise<boolean> {
    return (await this.q('SELECT 1 FROM messages WHERE key = $1', [key])).length > 0;
  }

  async recordSent(m: SentMessage): Promise<void> {
    await this.q(
      `INSERT INTO messages (key, notice_key, visit_id, topic, kind, recipient, subject, message_id, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [m.key, m.noticeKey, m.visitId, m.topic, m.kind, m.recipient, m.subject, m.messageId, m.sentAt],
    );
  }

  async messages(visitId?: string): Promise<SentMessage[]> {
    const order = 'ORDER BY sent_at COLLATE "C", key COLLATE "C"';
    const rows = visitId
      ? await this.q(`SELECT * FROM messages WHERE visit_id = $1 ${order}`, [visitId])
      : await this.q(`SELECT * FROM messages ${order}`);
    return rows.map(messageOf);
  }

  async messageCounts() {
    const rows = await this.q<{ kind: string; count: string }>(
      'SELECT kind, COUNT(*) AS count FROM messages GROUP BY kind ORDER BY kind COLLATE "C"',
    );
    return rows.map((r) => ({ kind: r.kind, count: Number(r.count) }));
  }

  async ping(): Promise<void> {
    await this.q('SELECT 1 FROM visits LIMIT 1');
  }

  async addUser(u: Omit<UserRecord, 'createdAt'>, token: string, now = new Date()): Promise<void> {
    try {
      await this.q(
        'INSERT INTO users (email, role, state, organisation, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [u.email, u.role, u.state ?? null, u.organisation ?? null, tokenHash(token), now.toISOString()],
      );
    } catch (e) {
      if ((e as { constraint?: string }).constraint === 'users_pkey')
        throw new Error(`a user with e-mail ${u.email} already exists`, { cause: e });
      throw e;
    }
  }

  async userByToken(token: string): Promise<UserRecord | undefined> {
    const [r] = await this.q('SELECT * FROM users WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash(token)]);
    return r ? userOf(r) : undefined;
  }

  async rotateToken(email: string, token: string): Promise<boolean> {
    return this.tx(async (db) => {
      const changed = await db.query('UPDATE users SET token_hash = $1, revoked_at = NULL WHERE email = $2', [
        tokenHash(token),
        email,
      ]);
      await db.query('DELETE FROM sessions WHERE email = $1', [email]);
      return changed.rowCount === 1;
    });
  }

  async revokeUser(email: string, now = new Date()): Promise<number | undefined> {
    return this.tx(async (db) => {
      const found = await db.query('UPDATE users SET revoked_at = COALESCE(revoked_at, $1) WHERE email = $2', [
        now.toISOString(),
        email,
      ]);
      if (found.rowCount === 0) return undefined;
      return (await db.query('DELETE FROM sessions WHERE email = $1', [email])).rowCount ?? 0;
    });
  }

  async createSession(id: string, email: string, createdAt: Date, expiresAt: Date): Promise<void> {
    await this.q('DELETE FROM sessions WHERE expires_at <= $1', [createdAt.toISOString()]);
    await this.q('INSERT INTO sessions (id_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
      tokenHash(id),
      email,
      createdAt.toISOString(),
      expiresAt.toISOString(),
    ]);
  }

  async userBySession(id: string, now = new Date()): Promise<UserRecord | undefined> {
    const [r] = await this.q(
      `SELECT u.* FROM sessions s JOIN users u ON u.email = s.email
       WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.revoked_at IS NULL`,
      [tokenHash(id), now.toISOString()],
    );
    return r ? userOf(r) : undefined;
  }

  async endSession(id: string): Promise<boolean> {
    await this.ready();
    return (await this.pool.query('DELETE FROM sessions WHERE id_hash = $1', [tokenHash(id)])).rowCount === 1;
  }

  async sessionCount(email: string, now = new Date()): Promise<number> {
    const [r] = await this.q<{ n: string }>('SELECT COUNT(*) AS n FROM sessions WHERE email = $1 AND expires_at > $2', [
      email,
      now.toISOString(),
    ]);
    return Number(r!.n);
  }

  async users(): Promise<UserRecord[]> {
    return (await this.q('SELECT * FROM users ORDER BY email COLLATE "C"')).map(userOf);
  }

  async appendAudit(raw: AuditInput): Promise<AuditEntry> {
    const e = storableAudit(raw);
    return this.tx(async (db) => {
      // One append at a time across every process: the chain has one head.
      await db.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const last = (await db.query<{ id: string; hash: string }>('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1'))
        .rows[0];
      const id = Number(last?.id ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const hash = auditHash(prevHash, { ...e, id });
      await db.query(
        `INSERT INTO audit (id, at, actor, role, door, visit_id, action, payload, outcome, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          ...auditHead({ ...e, id }),
          e.payload === undefined ? null : JSON.stringify(e.payload),
          e.outcome,
          e.detail ?? null,
          prevHash,
          hash,
        ],
      );
      return { ...e, id, prevHash, hash };
    });
  }

  async audit(): Promise<AuditEntry[]> {
    return (await this.q('SELECT * FROM audit ORDER BY id')).map(auditEntryOf);
  }

  async verifyAudit() {
    return verifyChain(await this.audit());
  }

  async claimLink(linkId: string, visitId: string, action: string, now = new Date()): Promise<LinkClaim> {
    return this.tx(async (db) => {
      if ((await db.query('SELECT 1 FROM link_uses WHERE link_id = $1', [linkId])).rowCount) return 'used';
      const inserted = await db.query(
        'INSERT INTO link_claims (link_id, visit_id, action, claimed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [linkId, visitId, action, now.toISOString()],
      );
      return inserted.rowCount === 1 ? 'claimed' : 'used';
    });
  }

  async releaseLink(linkId: string): Promise<void> {
    await this.q('DELETE FROM link_claims WHERE link_id = $1', [linkId]);
  }

  async useLink(linkId: string, visitId: string, action: string, now = new Date()): Promise<boolean> {
    await this.ready();
    const res = await this.pool.query(
      'INSERT INTO link_uses (link_id, visit_id, action, used_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [linkId, visitId, action, now.toISOString()],
    );
    return res.rowCount === 1;
  }

  async linkUsed(linkId: string): Promise<boolean> {
    const rows = await this.q(
      'SELECT 1 FROM link_uses WHERE link_id = $1 UNION ALL SELECT 1 FROM link_claims WHERE link_id = $1',
      [linkId],
    );
    return rows.length > 0;
  }

  async addDocument(d: DocumentInput, now = new Date()): Promise<DocumentMeta> {
    const r = documentRowOf(d, now);
    await this.q(
      `INSERT INTO documents (id, visit_id, kind, file_name, media_type, size, sha256, content, added_by, added_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [r.id, r.visit_id, r.kind, r.file_name, r.media_type, r.size, r.sha256, r.content, r.added_by, r.added_at],
    );
    return documentMetaOf(r);
  }

  async latestDocument(visitId: string, kind: DocumentKind): Promise<StoredDocument | undefined> {
    const [r] = await this.q(`${DOCUMENT_SELECT} WHERE d.visit_id = $1 AND d.kind = $2 ORDER BY d.seq DESC LIMIT 1`, [
      visitId,
      kind,
    ]);
    return r ? documentOf(r) : undefined;
  }

  async document(id: string): Promise<StoredDocument | undefined> {
    const [r] = await this.q(`${DOCUMENT_SELECT} WHERE d.id = $1`, [id]);
    return r ? documentOf(r) : undefined;
  }

  async documents(visitId: string): Promise<DocumentMeta[]> {
    const rows = await this.q(
      `${DOCUMENT_SELECT.replace('d.*', DOCUMENT_META_COLUMNS)} WHERE d.visit_id = $1 ORDER BY d.seq`,
      [visitId],
    );
    return rows.map(documentMetaOf);
  }

  async withdrawDocument(id: string, by: string, reason: string, now = new Date()): Promise<DocumentWithdrawal> {
    await this.q(
      `INSERT INTO document_withdrawals (document_id, withdrawn_by, withdrawn_at, reason) VALUES ($1, $2, $3, $4)
       ON CONFLICT (document_id) DO NOTHING`,
      [id, by, now.toISOString(), reason],
    );
    const [r] = await this.q('SELECT * FROM document_withdrawals WHERE document_id = $1', [id]);
    return withdrawalOf(r!);
  }

  async *dump(): AsyncIterable<TableDump> {
    const order: Record<string, string> = {
      users: 'email',
      sessions: 'id_hash',
      messages: 'sent_at, key',
      documents: 'seq',
      document_withdrawals: 'document_id',
    };
    // BIGSERIAL and BIGINT columns come back as strings: numbers in the backup, as SQLite writes them.
    const numeric: Record<string, string> = { events: 'id', visit_snapshots: 'id', audit: 'id', documents: 'seq' };
    // One snapshot of every table: a backup taken while processes write is still consistent.
    const tables = await this.tx(async (db) => {
      await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const out: TableDump[] = [];
      for (const table of BACKUP_TABLES) {
        const by = order[table] ?? (table.startsWith('link_') ? 'link_id' : 'id');
        const rows = (await db.query<Row>(`SELECT * FROM ${table} ORDER BY ${by}`)).rows;
        const n = numeric[table];
        out.push({
          table,
          rows: rows.map((r) => dumpRow(table, n && typeof r[n] === 'string' ? { ...r, [n]: Number(r[n]) } : r)),
        });
      }
      return out;
    });
    for (const t of tables) yield t;
  }

  async restore(tables: AsyncIterable<TableDump> | Iterable<TableDump>): Promise<{ rows: number }> {
    const all: TableDump[] = [];
    for await (const t of tables) all.push(t);
    const described = await this.q<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
      [[...BACKUP_TABLES]],
    );
    const columns = new Map<string, Set<string>>();
    for (const c of described) columns.set(c.table_name, (columns.get(c.table_name) ?? new Set()).add(c.column_name));
    const statement = checkedInserts(all, columns, (i) => `$${i + 1}`);
    // All or nothing, and no other process writing meanwhile.
    return this.tx(async (db) => {
      await db.query(`LOCK TABLE ${[...BACKUP_TABLES, 'visits'].join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
      for (const table of [...BACKUP_TABLES, 'visits'])
        if ((await db.query(`SELECT 1 FROM ${table} LIMIT 1`)).rowCount)
          throw new Error(`the store is not empty (${table} has rows): restore writes into a new store only`);
      let rows = 0;
      for (const { table, rows: data } of all)
        for (const r of data) {
          const { sql, values } = statement(table, restoredRow(table, r));
          await db.query(sql, values);
          rows++;
        }
      // Serial ids continue after the restored ones.
      for (const [t, c] of [
        ['events', 'id'],
        ['visit_snapshots', 'id'],
        ['documents', 'seq'],
      ])
        await db.query(
          `SELECT setval(pg_get_serial_sequence('${t}', '${c}'), GREATEST((SELECT MAX(${c}) FROM ${t}), 1))`,
        );
      const latest = await db.query<{ id: string; status: string }>(
        'SELECT DISTINCT ON (visit_id) id, status FROM visit_snapshots ORDER BY visit_id, id DESC',
      );
      for (const r of latest.rows) await this.project(db, JSON.parse(r.status) as VisitSnapshot, Number(r.id));
      return { rows };
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The WHERE clauses of a filter of the visits projection, with their numbered arguments. */
function filterSql(q: Omit<VisitPageQuery, 'limit'>): { where: string[]; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => (args.push(v), `$${args.length}`);
  if (q.state) where.push(`state = ${arg(q.state)}`);
  if (q.stage) where.push(`stage = ${arg(q.stage)}`);
  if (q.stages) where.push(`stage = ANY(${arg([...q.stages])}::text[])`);
  if (q.overdue !== undefined) {
    const now = arg(q.now ?? new Date().toISOString());
    where.push(q.overdue ? `next_deadline < ${now}` : `(next_deadline IS NULL OR next_deadline >= ${now})`);
  }
  if (q.after) where.push(`(number, visit_id) > (${arg(q.after.number)}, ${arg(q.after.id)})`);
  return { where, args };
}
