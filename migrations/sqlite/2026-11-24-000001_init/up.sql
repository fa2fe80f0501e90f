-- Frontline schema (SQLite). Keep in step with migrations/postgres.
CREATE TABLE app_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    tracking_hash TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    partner_id TEXT NOT NULL,
    company_name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    contact_role TEXT NOT NULL,
    priority INTEGER NOT NULL,
    priority_reason TEXT NOT NULL,
    guidance TEXT NOT NULL DEFAULT '',
    due_date DATE NOT NULL,
    assignee_id INTEGER REFERENCES staff(id),
    duplicate_of INTEGER REFERENCES cases(id),
    outcome TEXT,
    resolution_message TEXT,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    kpi_month INTEGER,
    kpi_year INTEGER,
    omlp_type TEXT,
    purchase_unit BIGINT,
    invoice_number TEXT,
    invoice_number_norm TEXT,
    kpi_value TEXT,
    revenue_minor BIGINT,
    revenue_currency TEXT,
    document_type TEXT,
    anniversary_date DATE,
    description TEXT,
    evidence TEXT,
    directory_name TEXT,
    country TEXT,
    landing_page_url TEXT,
    batch_key TEXT,
    landing_checked_at TIMESTAMP
);
CREATE INDEX cases_queue_idx ON cases (priority, due_date, created_at, id);
CREATE INDEX cases_status_queue_idx ON cases (status, priority, due_date, created_at, id);
CREATE INDEX cases_partner_idx ON cases (partner_id, kind);
CREATE INDEX cases_assignee_idx ON cases (assignee_id);
CREATE INDEX cases_batch_idx ON cases (batch_key);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    event_id INTEGER,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    text_layer TEXT NOT NULL,
    doc_class TEXT NOT NULL,
    invoice_number_found BOOLEAN,
    data BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_case_idx ON attachments (case_id);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    created_at TIMESTAMP NOT NULL,
    actor_type TEXT NOT NULL,
    staff_id INTEGER REFERENCES staff(id),
    event_type TEXT NOT NULL,
    body TEXT,
    partner_visible BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX case_events_case_idx ON case_events (case_id, created_at);

CREATE TABLE case_flags (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    related_reference TEXT,
    source TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, code)
);
CREATE INDEX case_flags_code_idx ON case_flags (code, case_id);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_staff_idx ON sessions (staff_id);

CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_due_idx ON jobs (status, run_after);

CREATE TABLE batches (
    batch_key TEXT PRIMARY KEY NOT NULL,
    status TEXT NOT NULL,
    submitted_at TIMESTAMP,
    published_at TIMESTAMP
);
