-- The retention rule (FRONTLINE_RETENTION_DAYS): a file of a case closed
-- longer than the setting ago loses its bytes; its name and details stay,
-- with when it was removed and after how many days.
ALTER TABLE attachments ADD COLUMN purged_at TIMESTAMP;
ALTER TABLE attachments ADD COLUMN kept_days INTEGER;
-- The files still kept: what the purge looks through.
CREATE INDEX attachments_kept_idx ON attachments (case_id) WHERE purged_at IS NULL;
