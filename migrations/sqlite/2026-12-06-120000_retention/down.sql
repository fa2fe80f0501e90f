DROP INDEX attachments_kept_idx;
ALTER TABLE attachments DROP COLUMN kept_days;
ALTER TABLE attachments DROP COLUMN purged_at;
