-- A flag that can repeat (a possible duplicate of several open cases) is
-- one row per related case: flags are unique per case, code and related
-- case, not per case and code (a third open case for one partner could not
-- be filed). SQLite cannot drop a table constraint: the table is rebuilt.
CREATE TABLE case_flags_new (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    related_reference TEXT,
    source TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO case_flags_new (id, case_id, code, reason, related_reference, source, created_at)
    SELECT id, case_id, code, reason, related_reference, source, created_at FROM case_flags;
DROP TABLE case_flags;
ALTER TABLE case_flags_new RENAME TO case_flags;
CREATE UNIQUE INDEX case_flags_identity ON case_flags (case_id, code, COALESCE(related_reference, ''));
CREATE INDEX case_flags_code_idx ON case_flags (code, case_id);

-- Fixed-window counters for rate limits (anonymous posts, tracking
-- look-ups, sign-in attempts), shared by every instance on this database.
CREATE TABLE rate_counters (
    bucket TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL
);
CREATE INDEX rate_counters_window_idx ON rate_counters (window_start);

-- Sign-in attempts are counted in rate_counters now.
DROP TABLE login_throttle;

-- Agents submit and publish directory batches only when an admin allows it.
ALTER TABLE staff ADD COLUMN may_send_batches BOOLEAN NOT NULL DEFAULT 0;
