DROP TABLE rate_counters;
DROP INDEX case_flags_identity;
CREATE UNIQUE INDEX case_flags_case_code ON case_flags (case_id, code);
