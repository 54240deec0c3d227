-- Migration 4: a document withdrawn (the wrong file, or a link that reached the wrong hands): its
-- signed download links stop working and messages stop carrying it. Append-only, one row per
-- document; the document itself is kept, as every row of this store is.
CREATE TABLE document_withdrawals (
  document_id TEXT PRIMARY KEY,
  withdrawn_by TEXT NOT NULL,
  withdrawn_at TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE TRIGGER document_withdrawals_append_only_u BEFORE UPDATE ON document_withdrawals BEGIN SELECT RAISE(ABORT, 'document withdrawals are append-only'); END;
CREATE TRIGGER document_withdrawals_append_only_d BEFORE DELETE ON document_withdrawals BEGIN SELECT RAISE(ABORT, 'document withdrawals are append-only'); END;
