-- An invoice that passed its checks while another answer failed: kept
-- against the form's idempotency key so the partner need not upload again.
CREATE TABLE pending_uploads (
    idempotency_key TEXT PRIMARY KEY NOT NULL,
    file_name TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX pending_uploads_created_idx ON pending_uploads (created_at);
