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
}

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

  userByToken(token: string): UserRecord | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE token_hash = ?').get(tokenHash(token)) as
      Record<string, string | null> | undefined;
    return r ? toUser(r) : undefined;
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

  /** Marks a signed link used; false when it was used before (a replay). */
  useLink(linkId: string, visitId: string, action: string, now = new Date()): boolean {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO link_uses (link_id, visit_id, action, used_at) VALUES (?, ?, ?, ?)')
        .run(linkId, visitId, action, now.toISOString()).changes === 1
    );
  }

  linkUsed(linkId: string): boolean {
    return this.db.prepare('SELECT 1 FROM link_uses WHERE link_id = ?').get(linkId) !== undefined;
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
  };
}
