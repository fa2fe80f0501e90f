ALTER TABLE staff DROP COLUMN may_send_batches;
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
DROP TABLE rate_counters;
DROP INDEX case_flags_identity;
ALTER TABLE case_flags ADD CONSTRAINT case_flags_case_id_code_key UNIQUE (case_id, code);