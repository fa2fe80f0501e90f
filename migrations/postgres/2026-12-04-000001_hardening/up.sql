-- A flag that can repeat (a possible duplicate of several open cases) is
-- one row per related case: flags are unique per case, code and related
-- case, not per case and code (a third open case for one partner could not
-- be filed).
ALTER TABLE case_flags DROP CONSTRAINT case_flags_case_id_code_key;
CREATE UNIQUE INDEX case_flags_identity ON case_flags (case_id, code, COALESCE(related_reference, ''));

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
ALTER TABLE staff ADD COLUMN may_send_batches BOOLEAN NOT NULL DEFAULT FALSE;
