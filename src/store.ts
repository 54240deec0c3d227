/**
 * The durable, append-only record monitoring reads: every event a workflow records and every
 * message sent. SQLite (better-sqlite3 12) in the data folder. Triggers refuse UPDATE and DELETE;
 * unique keys make a replayed or retried activity a no-op.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { VisitEvent } from './domain/visit';

export interface EventBatch {
  visitId: string;
  workflowId: string;
  runId: string;
  events: VisitEvent[];
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  visit_id TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  stage TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT,
  role TEXT,
  door TEXT,
  payload TEXT,
  recorded_at TEXT NOT NULL,
  UNIQUE (run_id, seq)
);
CREATE INDEX IF NOT EXISTS events_visit ON events (visit_id, at);
CREATE TABLE IF NOT EXISTS messages (
  key TEXT PRIMARY KEY,
  notice_key TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  kind TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  message_id TEXT NOT NULL,
  sent_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_visit ON messages (visit_id, sent_at);
CREATE TRIGGER IF NOT EXISTS events_append_only_u BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_d BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS messages_append_only_u BEFORE UPDATE ON messages BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
CREATE TRIGGER IF NOT EXISTS messages_append_only_d BEFORE DELETE ON messages BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
`;

export class Store {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
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
      return added;
    });
    return tx(batch.events);
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

  close(): void {
    this.db.close();
  }
}
