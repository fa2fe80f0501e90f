DROP TABLE daily_runs;
ALTER TABLE cases DROP COLUMN doc_total_currency;
ALTER TABLE cases DROP COLUMN doc_total_minor;
ALTER TABLE cases DROP COLUMN doc_invoice_date;
