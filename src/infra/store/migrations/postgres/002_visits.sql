-- Migration 2: the `visits` projection, one row per visit with its latest snapshot, so that lists,
-- the overview and the CSV export page and filter in the store (keyset by number, then id) instead
-- of reading every snapshot. It is derived from visit_snapshots (append-only) and rebuilt from them.
CREATE TABLE visits (
  visit_id TEXT COLLATE "C" PRIMARY KEY,
  number INTEGER NOT NULL,
  state TEXT COLLATE "C" NOT NULL,
  type TEXT NOT NULL,
  stage TEXT COLLATE "C" NOT NULL,
  next_deadline TEXT COLLATE "C",
  snapshot_id BIGINT NOT NULL,
  status TEXT NOT NULL,
  -- What the overview, its CSV and the compliance table read of a visit (a few hundred bytes, not the status).
  summary TEXT NOT NULL
);
CREATE INDEX visits_order ON visits (number, visit_id);
CREATE INDEX visits_state ON visits (state, number, visit_id);
CREATE INDEX visits_stage ON visits (stage, number, visit_id);
CREATE INDEX visits_deadline ON visits (next_deadline);
INSERT INTO visits (visit_id, number, state, type, stage, next_deadline, snapshot_id, status, summary)
SELECT DISTINCT ON (visit_id) visit_id, (status::json ->> 'number')::int, status::json ->> 'state',
       status::json ->> 'type', status::json ->> 'stage', status::json ->> 'nextDeadline', id, status,
       json_build_object('id', status::json -> 'id', 'number', status::json -> 'number',
         'state', status::json -> 'state', 'stateName', status::json -> 'stateName',
         'type', status::json -> 'type', 'end', status::json -> 'end', 'stage', status::json -> 'stage',
         'openItems', COALESCE(status::json -> 'openItems', '[]'::json),
         'closedItems', COALESCE(status::json -> 'closedItems', '[]'::json))::text
FROM visit_snapshots ORDER BY visit_id, id DESC;
