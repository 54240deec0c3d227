-- Migration 4: a document withdrawn (the wrong file, or a link that reached the wrong hands): its
-- signed download links stop working and messages stop carrying it. Append-only, one row per
-- document; the document itself is kept, as every row of this store is.
CREATE TABLE document_withdrawals (
  document_id TEXT COLLATE "C" PRIMARY KEY,
  withdrawn_by TEXT NOT NULL,
  withdrawn_at TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE TRIGGER document_withdrawals_append_only BEFORE UPDATE OR DELETE ON document_withdrawals FOR EACH ROW EXECUTE FUNCTION followup_append_only();
CREATE TRIGGER document_withdrawals_no_truncate BEFORE TRUNCATE ON document_withdrawals EXECUTE FUNCTION followup_append_only();
