-- What the invoice itself says, for the cross-checks triage makes against
-- the form (and makes again when it runs again).
ALTER TABLE cases ADD COLUMN doc_invoice_date DATE;
ALTER TABLE cases ADD COLUMN doc_total_minor BIGINT;
ALTER TABLE cases ADD COLUMN doc_total_currency TEXT;

-- Work done once a day across every instance: the row's date says which
-- day was last done; whoever moves it on first does the day's work.
CREATE TABLE daily_runs (
    name TEXT PRIMARY KEY NOT NULL,
    last_run DATE NOT NULL
);
INSERT INTO daily_runs (name, last_run) VALUES ('retriage', '2000-01-01');
