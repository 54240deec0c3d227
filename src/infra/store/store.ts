/**
 * The durable, append-only record monitoring reads: every event a workflow records and every
 * message sent. SQLite (better-sqlite3 12) in the data folder. Triggers refuse UPDATE and DELETE;
 * unique keys make a replayed or retried activity a no-op.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VisitEvent, VisitSnapshot } from '../../domain/visit';

export type { VisitSnapshot };

/** The schema, kept as SQL beside this file. */
const SCHEMA = readFileSync(join(__dirname, 'schema.sql'), 'utf8');

export interface EventBatch {
  visitId: string;
  workflowId: string;
  runId: string;
  events: VisitEvent[];
  /** The visit as it stands after these events (without history and reminders), for monitoring. */
  snapshot?: VisitSnapshot;
}

export interface StoredEvent extends VisitEvent {
  visitId: string;
  recordedAt: string;
}

export interface SentMessage {
  key: string;
  noticeKey: string;
  visitId: string;
  topic: string;
  kind: string;
  recipient: string;
  subject: string;
  messageId: string;
  sentAt: string;
}

export interface UserRecord {
  email: string;
  role: string;
  state?: string;
  organisation?: string;
  createdAt: string;
  /** When `followup users revoke` stopped the user's token and sessions. */
  revokedAt?: string;
}

/** What a link claim decides: claimed now, or already used (or being used by another request). */
export type LinkClaim = 'claimed' | 'used';

/** One attempted action, as the audit trail keeps it. */
export interface AuditInput {
  at: string;
  actor: string;
  role: string;
  door: 'api' | 'cli' | 'link' | 'web';
  visitId?: string;
  action: string;
  payload?: unknown;
  outcome: 'accepted' | 'refused';
  detail?: string;
}

export interface AuditEntry extends AuditInput {
  id: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of an audit entry: over its content and the previous entry's hash. */
/** The columns an audit entry starts with, in the order the hash and the table both use. */
const auditHead = (e: AuditInput & { id: number }) =>
  [e.id, e.at, e.actor, e.role, e.door, e.visitId ?? null, e.action] as const;

/** The hash of an audit entry: over its content and the previous entry's hash. */
export function auditHash(prevHash: string, e: AuditInput & { id: number }): string {
  const content = JSON.stringify([...auditHead(e), e.payload ?? null, e.outcome, e.detail ?? null]);
  return createHash('sha256').update(`${prevHash}\n${content}`).digest('hex');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class Store {
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
    this.db.exec(SCHEMA);
    this.migrate();
  }

  /** Columns added after a table was first created (CREATE TABLE IF NOT EXISTS leaves old tables as they were). */
  private migrate(): void {
    const columns = (this.db.prepare('PRAGMA table_info(users)').all() as { name: string }[]).map((c) => c.name);
    if (!columns.includes('revoked_at')) this.db.exec('ALTER TABLE users ADD COLUMN revoked_at TEXT');
  }

  /** Appends a workflow's events; events already recorded (same run and sequence) are ignored. Returns how many were new. */
  appendEvents(batch: EventBatch, recordedAt = new Date()): number {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO events (visit_id, workflow_id, run_id, seq, type, stage, at, actor, role, door, payload, recorded_at)
       VALUES (@visitId, @workflowId, @runId, @seq, @type, @stage, @at, @actor, @role, @door, @payload, @recordedAt)`,
    );
    const tx = this.db.transaction((events: VisitEvent[]) => {
      let added = 0;
      for (const e of events) {
        added += insert.run({
          visitId: batch.visitId,
          workflowId: batch.workflowId,
          runId: batch.runId,
          seq: e.seq,
          type: e.type,
          stage: e.stage,
          at: e.at,
          actor: e.actor ?? null,
          role: e.role ?? null,
          door: e.door ?? null,
          payload: e.payload ? JSON.stringify(e.payload) : null,
          recordedAt: recordedAt.toISOString(),
        }).changes;
      }
      const last = events.at(-1);
      if (batch.snapshot && last) {
        this.db
          .prepare(
            'INSERT OR IGNORE INTO visit_snapshots (visit_id, run_id, seq, status, recorded_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(batch.visitId, batch.runId, last.seq, JSON.stringify(batch.snapshot), recordedAt.toISOString());
      }
      return added;
    });
    return tx(batch.events);
  }

  /** The latest snapshot of every visit (or of one), from the read model. */
  snapshots(visitId?: string): VisitSnapshot[] {
    const sql = `SELECT s.status FROM visit_snapshots s
      JOIN (SELECT visit_id, MAX(id) AS id FROM visit_snapshots ${visitId ? 'WHERE visit_id = ?' : ''} GROUP BY visit_id) latest ON latest.id = s.id
      ORDER BY s.visit_id`;
    const rows = (visitId ? this.db.prepare(sql).all(visitId) : this.db.prepare(sql).all()) as { status: string }[];
    return rows.map((r) => JSON.parse(r.status) as VisitSnapshot);
  }

  events(visitId?: string): StoredEvent[] {
    const rows = (
      visitId
        ? this.db.prepare('SELECT * FROM events WHERE visit_id = ? ORDER BY id').all(visitId)
        : this.db.prepare('SELECT * FROM events ORDER BY id').all()
    ) as Record<string, string | number | null>[];
    return rows.map((r) => ({
      visitId: r.visit_id as string,
      seq: r.seq as number,
      type: r.type as string,
      stage: r.stage as StoredEvent['stage'],
      at: r.at as string,
      ...(r.actor ? { actor: r.actor as string } : {}),
      ...(r.role ? { role: r.role as string } : {}),
      ...(r.door ? { door: r.door as StoredEvent['door'] } : {}),
      ...(r.payload ? { payload: JSON.parse(r.payload as string) as Record<string, unknown> } : {}),
      recordedAt: r.recorded_at as string,
    }));
  }

  wasSent(key: string): boolean {
    return this.db.prepare('SELECT 1 FROM messages WHERE key = ?').get(key) !== undefined;
  }

  /** Records a sent message; a second record of the same key is ignored. */
  recordSent(m: SentMessage): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO messages (key, notice_key, visit_id, topic, kind, recipient, subject, message_id, sent_at)
         VALUES (@key, @noticeKey, @visitId, @topic, @kind, @recipient, @subject, @messageId, @sentAt)`,
      )
      .run(m);
  }

  messages(visitId?: string): SentMessage[] {
    const rows = (
      visitId
        ? this.db.prepare('SELECT * FROM messages WHERE visit_id = ? ORDER BY sent_at, key').all(visitId)
        : this.db.prepare('SELECT * FROM messages ORDER BY sent_at, key').all()
    ) as Record<string, string>[];
    return rows.map((r) => ({
      key: r.key!,
      noticeKey: r.notice_key!,
      visitId: r.visit_id!,
      topic: r.topic!,
      kind: r.kind!,
      recipient: r.recipient!,
      subject: r.subject!,
      messageId: r.message_id!,
      sentAt: r.sent_at!,
    }));
  }

  /** How many messages were sent, by kind (the metrics' counter: cheap, one grouped count). */
  messageCounts(): { kind: string; count: number }[] {
    return this.db.prepare('SELECT kind, COUNT(*) AS count FROM messages GROUP BY kind ORDER BY kind').all() as {
      kind: string;
      count: number;
    }[];
  }

  /** Throws unless the store answers a read (the readiness probe). */
  ping(): void {
    this.db.prepare('SELECT 1 FROM visit_snapshots LIMIT 1').get();
  }

  /** Adds a user with the hash of its token; refuses an e-mail already registered. */
  addUser(u: Omit<UserRecord, 'createdAt'>, token: string, now = new Date()): void {
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

  /** The user a token belongs to, unless revoked. */
  userByToken(token: string): UserRecord | undefined {
    const r = this.db
      .prepare('SELECT * FROM users WHERE token_hash = ? AND revoked_at IS NULL')
      .get(tokenHash(token)) as Record<string, string | null> | undefined;
    return r ? toUser(r) : undefined;
  }

  /** Replaces a user's token (only its hash is kept), lifts a revocation and ends its sessions; false for no such user. */
  rotateToken(email: string, token: string): boolean {
    const tx = this.db.transaction(() => {
      const changed = this.db
        .prepare('UPDATE users SET token_hash = ?, revoked_at = NULL WHERE email = ?')
        .run(tokenHash(token), email).changes;
      this.db.prepare('DELETE FROM sessions WHERE email = ?').run(email);
      return changed === 1;
    });
    return tx.immediate();
  }

  /** Stops a user's token and ends its sessions, at once; the number of sessions ended, or undefined for no such user. */
  revokeUser(email: string, now = new Date()): number | undefined {
    const tx = this.db.transaction(() => {
      const found = this.db
        .prepare('UPDATE users SET revoked_at = COALESCE(revoked_at, ?) WHERE email = ?')
        .run(now.toISOString(), email).changes;
      if (found === 0) return undefined;
      return this.db.prepare('DELETE FROM sessions WHERE email = ?').run(email).changes;
    });
    return tx.immediate();
  }

  /** Opens a session for a user; the id (the cookie's value) is kept as a hash. Expired sessions are dropped. */
  createSession(id: string, email: string, createdAt: Date, expiresAt: Date): void {
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(createdAt.toISOString());
    this.db
      .prepare('INSERT INTO sessions (id_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(tokenHash(id), email, createdAt.toISOString(), expiresAt.toISOString());
  }

  /** The user of a session that has not expired, ended or been revoked. */
  userBySession(id: string, now = new Date()): UserRecord | undefined {
    const r = this.db
      .prepare(
        `SELECT u.* FROM sessions s JOIN users u ON u.email = s.email
         WHERE s.id_hash = ? AND s.expires_at > ? AND u.revoked_at IS NULL`,
      )
      .get(tokenHash(id), now.toISOString()) as Record<string, string | null> | undefined;
    return r ? toUser(r) : undefined;
  }

  /** Ends a session (signing out); false when there was none. */
  endSession(id: string): boolean {
    return this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(tokenHash(id)).changes === 1;
  }

  /** How many sessions a user has open (for tests and the operator). */
  sessionCount(email: string, now = new Date()): number {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM sessions WHERE email = ? AND expires_at > ?')
        .get(email, now.toISOString()) as {
        n: number;
      }
    ).n;
  }

  users(): UserRecord[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY email').all() as Record<string, string | null>[]).map(toUser);
  }

  /** Appends to the hash-chained audit trail, atomically with reading the chain's head. */
  appendAudit(raw: AuditInput): AuditEntry {
    // Text is stored as UTF-8, which cannot hold a lone surrogate: hash exactly what is stored.
    const text = (s: string) =>
      s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
    const entry: AuditInput = {
      ...raw,
      at: text(raw.at),
      actor: text(raw.actor),
      role: text(raw.role),
      action: text(raw.action),
      ...(raw.visitId !== undefined ? { visitId: text(raw.visitId) } : {}),
      ...(raw.detail !== undefined ? { detail: text(raw.detail) } : {}),
    };
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
    return tx.immediate(entry);
  }

  audit(): AuditEntry[] {
    return (this.db.prepare('SELECT * FROM audit ORDER BY id').all() as Record<string, string | number | null>[]).map(
      (r) => ({
        id: r.id as number,
        at: r.at as string,
        actor: r.actor as string,
        role: r.role as string,
        door: r.door as AuditInput['door'],
        ...(r.visit_id ? { visitId: r.visit_id as string } : {}),
        action: r.action as string,
        ...(r.payload !== null ? { payload: JSON.parse(r.payload as string) as unknown } : {}),
        outcome: r.outcome as AuditInput['outcome'],
        ...(r.detail !== null ? { detail: r.detail as string } : {}),
        prevHash: r.prev_hash as string,
        hash: r.hash as string,
      }),
    );
  }

  /** Checks the audit chain; returns the first broken entry, or null when intact. */
  verifyAudit(): { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string } {
    const entries = this.audit();
    let prev = GENESIS_HASH;
    let expectedId = 1;
    for (const e of entries) {
      if (e.id !== expectedId)
        return { ok: false, entries: entries.length, brokenAt: expectedId, reason: `entry ${expectedId} is missing` };
      if (e.prevHash !== prev)
        return {
          ok: false,
          entries: entries.length,
          brokenAt: e.id,
          reason: `entry ${e.id} does not follow entry ${e.id - 1}`,
        };
      if (auditHash(prev, e) !== e.hash)
        return {
          ok: false,
          entries: entries.length,
          brokenAt: e.id,
          reason: `entry ${e.id} was changed after it was written`,
        };
      prev = e.hash;
      expectedId++;
    }
    return { ok: true, entries: entries.length };
  }

  /**
   * Claims a signed link for one request, atomically: 'claimed' lets this request act; 'used' when
   * the link was used, or another request holds its claim. The primary key decides, so two requests
   * (or two processes on the same file) never both get 'claimed'.
   */
  claimLink(linkId: string, visitId: string, action: string, now = new Date()): LinkClaim {
    const tx = this.db.transaction((): LinkClaim => {
      if (this.db.prepare('SELECT 1 FROM link_uses WHERE link_id = ?').get(linkId)) return 'used';
      const inserted = this.db
        .prepare('INSERT OR IGNORE INTO link_claims (link_id, visit_id, action, claimed_at) VALUES (?, ?, ?, ?)')
        .run(linkId, visitId, action, now.toISOString()).changes;
      return inserted === 1 ? 'claimed' : 'used';
    });
    return tx.immediate();
  }

  /** Gives a claimed link back (its action was refused): it can be used again. */
  releaseLink(linkId: string): void {
    this.db.prepare('DELETE FROM link_claims WHERE link_id = ?').run(linkId);
  }

  /** Records a claimed link's use (append-only); false when it was used before (a replay). */
  useLink(linkId: string, visitId: string, action: string, now = new Date()): boolean {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO link_uses (link_id, visit_id, action, used_at) VALUES (?, ?, ?, ?)')
        .run(linkId, visitId, action, now.toISOString()).changes === 1
    );
  }

  /** Whether a link was used, or is claimed by a request acting through it now. */
  linkUsed(linkId: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM link_uses WHERE link_id = ?').get(linkId) !== undefined ||
      this.db.prepare('SELECT 1 FROM link_claims WHERE link_id = ?').get(linkId) !== undefined
    );
  }

  close(): void {
    this.db.close();
  }
}

function toUser(r: Record<string, string | null>): UserRecord {
  return {
    email: r.email!,
    role: r.role!,
    ...(r.state ? { state: r.state } : {}),
    ...(r.organisation ? { organisation: r.organisation } : {}),
    createdAt: r.created_at!,
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
  };
}
