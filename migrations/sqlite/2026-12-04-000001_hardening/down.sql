ALTER TABLE staff DROP COLUMN may_send_batches;
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
DROP TABLE rate_counters;
DROP INDEX case_flags_identity;
CREATE UNIQUE INDEX case_flags_case_code ON case_flags (case_id, code);