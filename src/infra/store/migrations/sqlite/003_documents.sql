-- Migration 3: the documents a step carries (the PAO, the draft report, the adopted report), given
-- to the engine as files so that its messages attach them or link to them. Append-only: a new
-- version of a document is a new row; the latest of a visit's kind is the one sent. `seq` orders
-- them (two uploads in the same millisecond included) and survives a backup and restore.
CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  visit_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('pao', 'draft', 'report')),
  file_name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  content BLOB NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL
);
CREATE INDEX documents_visit ON documents (visit_id, kind, seq);
CREATE TRIGGER documents_append_only_u BEFORE UPDATE ON documents BEGIN SELECT RAISE(ABORT, 'documents are append-only'); END;
CREATE TRIGGER documents_append_only_d BEFORE DELETE ON documents BEGIN SELECT RAISE(ABORT, 'documents are append-only'); END;
