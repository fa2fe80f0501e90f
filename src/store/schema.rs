//! The one portable diesel schema for both backends (hand-checked against
//! `migrations/sqlite` and `migrations/postgres`; only types both share).

diesel::table! {
    app_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    /// Cases per (kind, status, assignee), kept by triggers; 0 = unassigned,
    /// spread over 16 shards that readers sum.
    case_counts (kind, status, assignee_key, shard) {
        kind -> Text,
        status -> Text,
        assignee_key -> BigInt,
        shard -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    staff (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        may_send_batches -> Bool,
        notify_new_cases -> Bool,
        time_zone -> Nullable<Text>,
    }
}

diesel::table! {
    cases (id) {
        id -> BigInt,
        reference -> Text,
        kind -> Text,
        status -> Text,
        version -> Integer,
        tracking_hash -> Text,
        idempotency_key -> Text,
        partner_id -> Text,
        company_name -> Text,
        contact_name -> Text,
        contact_email -> Text,
        contact_role -> Text,
        priority -> Integer,
        priority_reason -> Text,
        guidance -> Text,
        due_date -> Date,
        assignee_id -> Nullable<BigInt>,
        duplicate_of -> Nullable<BigInt>,
        outcome -> Nullable<Text>,
        resolution_message -> Nullable<Text>,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        kpi_month -> Nullable<Integer>,
        kpi_year -> Nullable<Integer>,
        omlp_type -> Nullable<Text>,
        purchase_unit -> Nullable<BigInt>,
        invoice_number -> Nullable<Text>,
        invoice_number_norm -> Nullable<Text>,
        kpi_value -> Nullable<Text>,
        revenue_minor -> Nullable<BigInt>,
        revenue_currency -> Nullable<Text>,
        document_type -> Nullable<Text>,
        anniversary_date -> Nullable<Date>,
        description -> Nullable<Text>,
        evidence -> Nullable<Text>,
        directory_name -> Nullable<Text>,
        country -> Nullable<Text>,
        landing_page_url -> Nullable<Text>,
        batch_key -> Nullable<Text>,
        landing_checked_at -> Nullable<Timestamp>,
        doc_invoice_date -> Nullable<Date>,
        doc_total_minor -> Nullable<BigInt>,
        doc_total_currency -> Nullable<Text>,
        waiting_since -> Nullable<Timestamp>,
        sla_paused_days -> Integer,
        partner_unread_at -> Nullable<Timestamp>,
        language -> Text,
    }
}

diesel::table! {
    /// Work done once a day across instances: the last day it was done.
    daily_runs (name) {
        name -> Text,
        last_run -> Date,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        case_id -> BigInt,
        event_id -> Nullable<BigInt>,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        text_layer -> Text,
        doc_class -> Text,
        invoice_number_found -> Nullable<Bool>,
        data -> Binary,
        created_at -> Timestamp,
        /// When the retention rule removed its bytes (`data` is then empty).
        purged_at -> Nullable<Timestamp>,
        /// The days after closing it was kept, when it was removed.
        kept_days -> Nullable<Integer>,
    }
}

diesel::table! {
    case_events (id) {
        id -> BigInt,
        case_id -> BigInt,
        created_at -> Timestamp,
        actor_type -> Text,
        staff_id -> Nullable<BigInt>,
        event_type -> Text,
        body -> Nullable<Text>,
        partner_visible -> Bool,
    }
}

diesel::table! {
    case_flags (id) {
        id -> BigInt,
        case_id -> BigInt,
        code -> Text,
        reason -> Text,
        related_reference -> Nullable<Text>,
        source -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        staff_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        case_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        run_after -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        case_id -> Nullable<BigInt>,
        kind -> Text,
        recipient -> Text,
        body -> Nullable<Text>,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        run_after -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    batches (batch_key) {
        batch_key -> Text,
        status -> Text,
        submitted_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    pending_uploads (idempotency_key) {
        idempotency_key -> Text,
        file_name -> Text,
        data -> Binary,
        created_at -> Timestamp,
    }
}

diesel::joinable!(attachments -> cases (case_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(case_flags -> cases (case_id));
diesel::joinable!(jobs -> cases (case_id));
diesel::joinable!(outbox -> cases (case_id));
diesel::joinable!(sessions -> staff (staff_id));
diesel::joinable!(case_events -> staff (staff_id));
diesel::joinable!(cases -> staff (assignee_id));

diesel::table! {
    /// Fixed-window counters of the rate limits, one row per bucket
    /// (what is counted, and for whom).
    rate_counters (bucket) {
        bucket -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    daily_runs,
    app_secrets,
    staff,
    cases,
    attachments,
    case_events,
    case_flags,
    sessions,
    jobs,
    outbox,
    batches,
    pending_uploads,
);
