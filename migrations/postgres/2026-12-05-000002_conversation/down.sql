ALTER TABLE staff DROP COLUMN notify_new_cases;
DROP INDEX cases_updated_idx;
DROP INDEX cases_partner_unread_idx;
ALTER TABLE cases DROP COLUMN partner_unread_at;
ALTER TABLE cases DROP COLUMN sla_paused_days;
ALTER TABLE cases DROP COLUMN waiting_since;
DROP TABLE outbox;
