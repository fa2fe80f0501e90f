//! What triage costs per filing, against the intake latency it adds to
//! (`cargo bench --bench triage`). Not a test: it prints figures.
//!
//! Triage runs inside the filing transaction as (1) one indexed query for
//! the partner's other cases and (2) the pure `domain::triage::triage`.
//! Both are timed here on the release build and compared with the intake
//! latency the harness `benches/intake.rs` measures.

use std::time::Instant;

use chrono::NaiveDate;
use frontline::domain::case::CaseKind;
use frontline::domain::triage::{CaseFacts, CrossCheck, Evidence, KpiFacts, OtherCase, TriageRules, triage};
use frontline::store::{DatabaseUrl, Db};

fn main() -> anyhow::Result<()> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).ok_or_else(|| anyhow::anyhow!("date"))?;
    let facts = CaseFacts::Kpi(KpiFacts {
        year: 2026,
        month: 9,
        invoice_number_norm: "INV20260423".into(),
        anniversary_date: NaiveDate::from_ymd_opt(2019, 12, 10),
        evidence: Evidence::TextMatched,
        cross: CrossCheck {
            printed_date: NaiveDate::from_ymd_opt(2026, 9, 14),
            printed_total: Some(("USD".into(), 125_050)),
            revenue: Some(("USD".into(), 125_050)),
        },
    });
    let others: Vec<OtherCase> = (0..10)
        .map(|i| OtherCase {
            reference: format!("KPI-2026-{i:05}"),
            kind: CaseKind::Kpi,
            invoice_number_norm: Some(format!("INV2026{i:04}")),
            open: i % 2 == 0,
        })
        .collect();
    let rules = TriageRules::default();
    let n = 200_000u32;
    let start = Instant::now();
    let mut flags = 0usize;
    for _ in 0..n {
        flags += std::hint::black_box(triage(&facts, &others, today, today, &rules)).flags.len();
    }
    let per_call = start.elapsed() / n;
    println!("triage(): {per_call:?} per call ({n} calls, {flags} flags in all)");

    // The partner's-cases query on a SQLite database with 20,000 cases.
    let dir = tempfile::tempdir()?;
    let db = Db::connect(DatabaseUrl::Sqlite(dir.path().join("t.db").display().to_string()), 2)?;
    let rt = actix_web::rt::System::new();
    rt.block_on(db.write(|conn| {
        use diesel::prelude::*;
        use frontline::store::schema::cases;
        for i in 0..20_000i64 {
            let now = chrono::Utc::now().naive_utc();
            diesel::insert_into(cases::table)
                .values((
                    cases::reference.eq(format!("KPI-2026-{i:05}")),
                    cases::kind.eq("kpi"),
                    cases::status.eq("open"),
                    cases::tracking_hash.eq(format!("t{i}")),
                    cases::idempotency_key.eq(format!("k{i}")),
                    cases::partner_id.eq(format!("{}", 1_000_000 + i % 2_000)),
                    cases::company_name.eq("Contoso"),
                    cases::contact_name.eq("Ana"),
                    cases::contact_email.eq("ana@contoso.com"),
                    cases::contact_role.eq("partner_admin"),
                    cases::priority.eq(3),
                    cases::priority_reason.eq(""),
                    cases::due_date.eq(now.date()),
                    cases::search_text.eq(""),
                    cases::created_at.eq(now),
                    cases::updated_at.eq(now),
                    cases::invoice_number_norm.eq(format!("INV{i}")),
                ))
                .execute(conn)?;
        }
        Ok(())
    }))
    .map_err(|e| anyhow::anyhow!("seed: {e:?}"))?;
    let q = 20_000u32;
    let start = Instant::now();
    let found = rt
        .block_on(db.read(move |conn| {
            let mut found = 0usize;
            for i in 0..q {
                let partner = format!("{}", 1_000_000 + i % 2_000);
                found += frontline::store::cases::partner_cases(conn, &partner, None)?.len();
            }
            Ok(found)
        }))
        .map_err(|e| anyhow::anyhow!("query: {e:?}"))?;
    let per_query = start.elapsed() / q;
    println!("partner's other cases (10 each, 20,000 cases): {per_query:?} per query ({found} rows)");
    println!(
        "triage per filing ≈ {:?}; intake p50 at concurrency 32 is ~10 ms (README), so triage adds about {:.2}% to it",
        per_call + per_query,
        (per_call + per_query).as_secs_f64() / 0.010 * 100.0
    );
    Ok(())
}
