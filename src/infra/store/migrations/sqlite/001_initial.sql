-- Migration 1: the store as the first releases made it (append-only tables, whose triggers refuse
-- UPDATE and DELETE; the users, the dashboard's sessions, the claims that decide a signed link's
-- single use). Every statement is idempotent, so a store made before migrations were numbered takes
-- it as it is.
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
CREATE TABLE IF NOT EXISTS visit_snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  visit_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (run_id, seq)
);
CREATE INDEX IF NOT EXISTS visit_snapshots_visit ON visit_snapshots (visit_id, id);
CREATE TRIGGER IF NOT EXISTS visit_snapshots_append_only_u BEFORE UPDATE ON visit_snapshots BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END;
CREATE TRIGGER IF NOT EXISTS visit_snapshots_append_only_d BEFORE DELETE ON visit_snapshots BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END;
CREATE TABLE IF NOT EXISTS users (
  email TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  state TEXT,
  organisation TEXT,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  -- set by `followup users revoke`: the token and every session stop working (a rotation clears it)
  revoked_at TEXT
);
-- Dashboard sessions: the cookie holds a random id, only its hash is kept; signing out, a revocation
-- or a rotation deletes them.
CREATE TABLE IF NOT EXISTS sessions (
  id_hash TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_email ON sessions (email);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  door TEXT NOT NULL,
  visit_id TEXT,
  action TEXT NOT NULL,
  payload TEXT,
  outcome TEXT NOT NULL,
  detail TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS link_uses (
  link_id TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL,
  action TEXT NOT NULL,
  used_at TEXT NOT NULL
);
-- A link is claimed before it is used: the primary key lets one request in; a refused action
-- releases the claim (the link can be used again), a used link keeps it and is in link_uses.
CREATE TABLE IF NOT EXISTS link_claims (
  link_id TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL,
  action TEXT NOT NULL,
  claimed_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_append_only_u BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only_d BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS link_uses_append_only_u BEFORE UPDATE ON link_uses BEGIN SELECT RAISE(ABORT, 'link uses are append-only'); END;
CREATE TRIGGER IF NOT EXISTS link_uses_append_only_d BEFORE DELETE ON link_uses BEGIN SELECT RAISE(ABORT, 'link uses are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_u BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_d BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS messages_append_only_u BEFORE UPDATE ON messages BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
CREATE TRIGGER IF NOT EXISTS messages_append_only_d BEFORE DELETE ON messages BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
