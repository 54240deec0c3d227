-- Migration 2: the `visits` projection, one row per visit with its latest snapshot, so that lists,
-- the overview and the CSV export page and filter in the store (keyset by number, then id) instead
-- of reading every snapshot. It is derived from visit_snapshots (append-only) and rebuilt from them.
CREATE TABLE visits (
  visit_id TEXT PRIMARY KEY,
  number INTEGER NOT NULL,
  state TEXT NOT NULL,
  type TEXT NOT NULL,
  stage TEXT NOT NULL,
  next_deadline TEXT,
  snapshot_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  -- What the overview, its CSV and the compliance table read of a visit (a few hundred bytes, not the status).
  summary TEXT NOT NULL
);
CREATE INDEX visits_order ON visits (number, visit_id);
CREATE INDEX visits_state ON visits (state, number, visit_id);
CREATE INDEX visits_stage ON visits (stage, number, visit_id);
CREATE INDEX visits_deadline ON visits (next_deadline);
INSERT INTO visits (visit_id, number, state, type, stage, next_deadline, snapshot_id, status, summary)
SELECT s.visit_id, json_extract(s.status, '$.number'), json_extract(s.status, '$.state'),
       json_extract(s.status, '$.type'), json_extract(s.status, '$.stage'),
       json_extract(s.status, '$.nextDeadline'), s.id, s.status,
       json_object('id', json_extract(s.status, '$.id'), 'number', json_extract(s.status, '$.number'),
         'state', json_extract(s.status, '$.state'), 'stateName', json_extract(s.status, '$.stateName'),
         'type', json_extract(s.status, '$.type'), 'end', json_extract(s.status, '$.end'),
         'stage', json_extract(s.status, '$.stage'),
         'openItems', json(COALESCE(json_extract(s.status, '$.openItems'), '[]')),
         'closedItems', json(COALESCE(json_extract(s.status, '$.closedItems'), '[]')))
FROM visit_snapshots s
JOIN (SELECT visit_id, MAX(id) AS id FROM visit_snapshots GROUP BY visit_id) latest ON latest.id = s.id;
