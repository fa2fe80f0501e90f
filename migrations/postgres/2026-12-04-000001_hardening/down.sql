DROP TABLE rate_counters;
DROP INDEX case_flags_identity;
ALTER TABLE case_flags ADD CONSTRAINT case_flags_case_id_code_key UNIQUE (case_id, code);
