-- Every e-mail Frontline sends, written in the transaction of the change
-- that causes it and delivered by the job runner: `pending` until a runner
-- claims it (`sending`, leased until `locked_until`), then `sent`, or
-- `failed` after a permanent refusal or too many attempts. The message is
-- rendered when it is sent, from the case and `body` (the text staff
-- wrote, never an internal note), so no tracking token is ever stored.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT REFERENCES cases(id),
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    body TEXT,
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due_idx ON outbox (status, run_after);
CREATE INDEX outbox_case_idx ON outbox (case_id);

-- The conversation: when the case began to wait on the partner (the
-- service level pauses from then until they answer, and the business days
-- it was paused in all move the due date), and the partner's
-- latest message staff have not read yet.
ALTER TABLE cases ADD COLUMN waiting_since TIMESTAMP;
ALTER TABLE cases ADD COLUMN sla_paused_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN partner_unread_at TIMESTAMP;
CREATE INDEX cases_partner_unread_idx ON cases (partner_unread_at);
-- The queue sorted by latest activity.
CREATE INDEX cases_updated_idx ON cases (updated_at);

-- Staff who want an e-mail for every new case.
ALTER TABLE staff ADD COLUMN notify_new_cases BOOLEAN NOT NULL DEFAULT FALSE;
