-- What the invoice itself says, for the cross-checks triage makes against
-- the form (and makes again when it runs again).
ALTER TABLE cases ADD COLUMN doc_invoice_date DATE;
ALTER TABLE cases ADD COLUMN doc_total_minor BIGINT;
ALTER TABLE cases ADD COLUMN doc_total_currency TEXT;

-- Work done once a day across every instance: `last_run` is the last day
-- done; an instance takes the day by setting a lease (`locked_until`), and
-- another may take it over once that lease has run out.
CREATE TABLE daily_runs (
    name TEXT PRIMARY KEY NOT NULL,
    last_run DATE NOT NULL,
    locked_until TIMESTAMP
);
INSERT INTO daily_runs (name, last_run) VALUES ('retriage', '2000-01-01');
