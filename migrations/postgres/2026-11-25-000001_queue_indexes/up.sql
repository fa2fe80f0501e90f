-- Counts per status and kind (and the kind/assignee filters) read this index
-- alone instead of visiting every row.
CREATE INDEX cases_status_kind_idx ON cases (status, kind, assignee_id);
