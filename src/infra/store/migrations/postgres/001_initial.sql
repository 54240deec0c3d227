-- Migration 1: the store's tables as on SQLite. Timestamps are ISO text and JSON is text, as there:
-- the audit chain hashes the payload's JSON as written, which jsonb would reorder.
CREATE TABLE events (
  id BIGSERIAL PRIMARY KEY,
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
CREATE INDEX events_visit ON events (visit_id, at);
CREATE TABLE messages (
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
CREATE INDEX messages_visit ON messages (visit_id, sent_at);
CREATE TABLE visit_snapshots (
  id BIGSERIAL PRIMARY KEY,
  visit_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (run_id, seq)
);
CREATE INDEX visit_snapshots_visit ON visit_snapshots (visit_id, id);
CREATE TABLE users (
  email TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  state TEXT,
  organisation TEXT,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_email ON sessions (email);
CREATE TABLE audit (
  id BIGINT PRIMARY KEY,
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
CREATE TABLE link_uses (
  link_id TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL,
  action TEXT NOT NULL,
  used_at TEXT NOT NULL
);
CREATE TABLE link_claims (
  link_id TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL,
  action TEXT NOT NULL,
  claimed_at TEXT NOT NULL
);
CREATE FUNCTION followup_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION followup_append_only();
CREATE TRIGGER messages_append_only BEFORE UPDATE OR DELETE ON messages FOR EACH ROW EXECUTE FUNCTION followup_append_only();
CREATE TRIGGER visit_snapshots_append_only BEFORE UPDATE OR DELETE ON visit_snapshots FOR EACH ROW EXECUTE FUNCTION followup_append_only();
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION followup_append_only();
CREATE TRIGGER link_uses_append_only BEFORE UPDATE OR DELETE ON link_uses FOR EACH ROW EXECUTE FUNCTION followup_append_only();
-- TRUNCATE skips row triggers: refuse it too.
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events EXECUTE FUNCTION followup_append_only();
CREATE TRIGGER messages_no_truncate BEFORE TRUNCATE ON messages EXECUTE FUNCTION followup_append_only();
CREATE TRIGGER visit_snapshots_no_truncate BEFORE TRUNCATE ON visit_snapshots EXECUTE FUNCTION followup_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit EXECUTE FUNCTION followup_append_only();
CREATE TRIGGER link_uses_no_truncate BEFORE TRUNCATE ON link_uses EXECUTE FUNCTION followup_append_only();
