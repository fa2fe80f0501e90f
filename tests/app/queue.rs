//! The staff queue and claim-next, over HTTP, on both backends.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use frontline::domain::calendar::short_date;
use frontline::store::cases::{self as cases_store, NewCase};
use frontline::store::schema::{case_counts, case_events, case_flags, cases};

use crate::helpers::*;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn invoice() -> Option<(&'static str, Vec<u8>)> {
    Some(("發票-INV-2026-0423.pdf", fixture("invoice_chromium.pdf")))
}

/// Follows a filing's redirect to its tracking page and returns the reference.
async fn reference_after(app: &TestApp, r: reqwest::Response) -> String {
    assert_eq!(r.status().as_u16(), 303, "filed");
    let (_, html) = app.get_html(&location(&r)).await;
    reference_in(&html).expect("reference on the tracking page")
}

async fn file_kpi(app: &TestApp, fields: Vec<(&'static str, String)>) -> String {
    let r = app.post_kpi(&fields, invoice()).await;
    reference_after(app, r).await
}

async fn file_directory(app: &TestApp, fields: Vec<(&'static str, String)>) -> String {
    let r = app.post_directory(&fields).await;
    reference_after(app, r).await
}

/// A stored case row made directly (bulk seeding, no HTTP).
fn bulk_case(i: usize, kind: &str) -> NewCase {
    let now = chrono::Utc::now().naive_utc();
    let kpi = kind == "kpi";
    NewCase {
        reference: String::new(),
        kind: frontline::domain::case::CaseKind::parse(kind).expect("kind"),
        status: frontline::domain::case::Status::Open,
        version: 1,
        tracking_hash: format!("hash-{i}-{}", frontline::keys::random_hex(8)),
        idempotency_key: format!("key-{i}-{}", frontline::keys::random_hex(8)),
        partner_id: format!("{:07}", 1_000_000 + i),
        company_name: format!("Company {i}"),
        contact_name: "Seed".into(),
        contact_email: format!("seed{i}@example.com"),
        contact_role: "partner_admin".into(),
        priority: 3,
        priority_reason: "Normal".into(),
        guidance: String::new(),
        due_date: today() + Duration::days(5),
        search_text: String::new(),
        created_at: now - Duration::minutes(i as i64),
        updated_at: now,
        kpi_month: kpi.then_some(1),
        kpi_year: kpi.then_some(2026),
        omlp_type: kpi.then(|| "moc".into()),
        purchase_unit: kpi.then_some(1),
        invoice_number: kpi.then(|| format!("INV-{i}")),
        invoice_number_norm: kpi.then(|| format!("INV{i}")),
        kpi_value: kpi.then(|| "1".into()),
        revenue_minor: kpi.then_some(100),
        revenue_currency: kpi.then(|| "USD".into()),
        document_type: kpi.then(|| "invoice".into()),
        anniversary_date: None,
        description: None,
        evidence: None,
        directory_name: (!kpi).then(|| format!("Listing {i}")),
        country: (!kpi).then(|| "TW".into()),
        landing_page_url: (!kpi).then(|| "https://example.com/".into()),
        batch_key: None,
        doc_invoice_date: None,
        doc_total_minor: None,
        doc_total_currency: None,
        language: "en".into(),
    }
}

/// Inserts `n` open cases of `kind` in one transaction; returns their references.
async fn seed(app: &TestApp, n: usize, kind: &'static str) -> Vec<String> {
    app.db
        .write(move |conn| {
            let mut refs = Vec::new();
            for i in 0..n {
                let mut c = bulk_case(i, kind);
                let id = cases_store::insert_case(conn, &c)?;
                let k = frontline::domain::case::CaseKind::parse(kind).expect("kind");
                c.reference = frontline::domain::case::reference(k, today(), id);
                cases_store::set_reference(conn, id, &c.reference, &frontline::app::intake::search_text(&c))?;
                refs.push(c.reference);
            }
            Ok(refs)
        })
        .await
        .expect("seed")
}

/// Sets columns of a case directly.
async fn adjust(app: &TestApp, reference: &str, priority: i32, due: NaiveDate) {
    let r = reference.to_string();
    app.db
        .write(move |conn| {
            diesel::update(cases::table.filter(cases::reference.eq(r)))
                .set((cases::priority.eq(priority), cases::due_date.eq(due)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("adjust");
}

async fn set_status_and_assignee(app: &TestApp, reference: &str, status: &str, assignee: Option<i64>) {
    let (r, s) = (reference.to_string(), status.to_string());
    app.db
        .write(move |conn| {
            diesel::update(cases::table.filter(cases::reference.eq(r)))
                .set((cases::status.eq(s), cases::assignee_id.eq(assignee)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("update");
}

/// Gives each case a flag directly.
async fn flag_cases(app: &TestApp, references: &[String], code: &'static str) {
    let references = references.to_vec();
    app.db
        .write(move |conn| {
            for r in references {
                let id: i64 = cases::table.filter(cases::reference.eq(&r)).select(cases::id).first(conn)?;
                diesel::insert_into(case_flags::table)
                    .values((
                        case_flags::case_id.eq(id),
                        case_flags::code.eq(code),
                        case_flags::reason.eq("test"),
                        case_flags::source.eq("test"),
                        case_flags::created_at.eq(chrono::Utc::now().naive_utc()),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
        .expect("flags");
}

/// True when the page lists the case (its reference as a row header link).
fn lists(html: &str, reference: &str) -> bool {
    html.contains(&format!(">{reference}</a></th>"))
}

/// The references in the table, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("<th scope=\"row\">")
        .skip(1)
        .filter_map(|s| reference_in(s.split("</th>").next().unwrap_or_default()))
        .collect()
}

/// Checks that a queue query lists exactly `want` among `all`.
async fn check(app: &TestApp, all: &[&String], query: String, want: Vec<&String>) -> String {
    let (status, html) = app.get_html(&format!("/staff/queue?{query}")).await;
    assert_eq!(status, 200, "{query}");
    for r in all {
        assert_eq!(lists(&html, r), want.contains(r), "{query}: {r}");
    }
    html
}

/// actor_type, staff_id, event_type, body, partner_visible.
type EventFields = (String, Option<i64>, String, Option<String>, bool);

async fn csrf(app: &TestApp, client: &reqwest::Client) -> String {
    let html = client.get(app.url("/staff/queue")).send().await.expect("get").text().await.expect("body");
    hidden_inputs(&html).remove("csrf_token").expect("the queue carries the token")
}

async fn claim(app: &TestApp, client: &reqwest::Client, extra: &[(&str, &str)]) -> reqwest::Response {
    let token = csrf(app, client).await;
    let mut body = vec![("csrf_token".to_string(), token)];
    body.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    client.post(app.url("/staff/queue/claim-next")).form(&body).send().await.expect("claim")
}

async fn sign_in_client(app: &TestApp, client: &reqwest::Client, email: &str) -> i64 {
    let id = app.create_staff(email, &format!("Agent {email}"), "agent").await;
    let html = client.get(app.url("/staff/login")).send().await.expect("get").text().await.expect("body");
    let mut body: Vec<(String, String)> = hidden_inputs(&html).into_iter().collect();
    body.push(("email".into(), email.into()));
    body.push(("password".into(), STAFF_PASSWORD.into()));
    let r = client.post(app.url("/staff/login")).form(&body).send().await.expect("login");
    assert_eq!(r.status().as_u16(), 303);
    id
}

#[actix_web::test]
async fn the_queue_lists_filed_cases_with_their_summary() {
    let app = spawn_app().await;
    let kpi = file_kpi(&app, kpi_fields()).await;
    let dir = file_directory(&app, directory_fields()).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (status, html) = app.get_html("/staff/queue").await;
    assert_eq!(status, 200);
    assert!(html.contains("<title>Queue – Frontline</title>"), "one page: plain title");
    assert!(lists(&html, &kpi) && lists(&html, &dir));
    assert!(html.contains(&format!("href=\"/staff/cases/{kpi}\"")));
    assert!(html.contains("<caption class=\"table__caption\">2 cases – Open work</caption>"));
    assert!(html.contains("<th scope=\"col\">Reference</th>"));
    let (m, y) = visible_month();
    let month = frontline::domain::calendar::month_name(m);
    assert!(html.contains(&format!("Invoice INV-2026-0423, {month} {y}")), "KPI summary");
    assert!(html.contains("Contoso Learning, Taiwan"), "directory summary");
    assert!(html.contains("1234567") && html.contains("台灣微軟學習夥伴有限公司"), "partner ID and company");
    assert!(html.contains("<strong class=\"tag tag--blue\">Open</strong>"));
    assert!(html.contains("Unassigned"));
    assert!(html.contains(">Today<"), "age");
    let due = app.case(&kpi).await.due_date;
    assert!(html.contains(&format!("<time datetime=\"{due}\">{}</time>", short_date(due))));
    assert!(html.contains("KPI discrepancy (1)") && html.contains("Directory listing (1)"), "counts per kind");
    assert!(html.contains("Open (2)") && html.contains("Open work (2)"), "counts per status");
    assert!(html.contains(">Claim next case</button>"));
    assert_eq!(html.matches("class=\"button\"").count(), 1, "claim next is the only primary button");
    assert!(!html.contains("Overdue"));
    // Overdue when the due date has passed and the case is open.
    adjust(&app, &kpi, 3, today() - Duration::days(1)).await;
    let (_, html) = app.get_html("/staff/queue").await;
    assert!(html.contains("<strong class=\"tag tag--red\">Overdue</strong>"));
}

#[actix_web::test]
async fn filters_narrow_the_queue_and_combine() {
    let app = spawn_app().await;
    let kpi = file_kpi(&app, kpi_fields()).await;
    let dir = file_directory(&app, directory_fields()).await;
    let other = file_kpi(
        &app,
        with(
            with(
                with(with(kpi_fields(), "partner_id", Some("9988776")), "company_name", Some("Fabrikam Training")),
                "contact_email",
                Some("Lee@Fabrikam.example"),
            ),
            "invoice_number",
            Some("FAB-77"),
        ),
    )
    .await;
    let me = app.sign_in_as("ana@frontline.example", "agent").await;
    let bob = app.create_staff("bob@frontline.example", "Bob Builder", "agent").await;
    set_status_and_assignee(&app, &kpi, "in_review", Some(me)).await;
    set_status_and_assignee(&app, &dir, "open", Some(bob)).await;
    app.db.write(|conn| Ok(diesel::delete(case_flags::table).execute(conn)?)).await.expect("unflag");
    flag_cases(&app, std::slice::from_ref(&other), "check_evidence").await;

    let all = [&kpi, &dir, &other];
    check(&app, &all, "kind=kpi".into(), vec![&kpi, &other]).await;
    check(&app, &all, "kind=directory".into(), vec![&dir]).await;
    check(&app, &all, "status=in_review".into(), vec![&kpi]).await;
    check(&app, &all, "status=open".into(), vec![&dir, &other]).await;
    check(&app, &all, "status=resolved".into(), vec![]).await;
    check(&app, &all, "assignee=me".into(), vec![&kpi]).await;
    check(&app, &all, "assignee=unassigned".into(), vec![&other]).await;
    let html = check(&app, &all, format!("assignee={bob}"), vec![&dir]).await;
    assert!(html.contains("Assigned to Bob Builder"), "caption names the assignee");
    check(&app, &all, "flag=check_evidence".into(), vec![&other]).await;
    check(&app, &all, "flag=too_early".into(), vec![]).await;
    // Search: reference, partner ID, company (Chinese), email, invoice, directory name; any case.
    check(&app, &all, format!("q={}", kpi.to_lowercase()), vec![&kpi]).await;
    check(&app, &all, "q=9988776".into(), vec![&other]).await;
    check(&app, &all, "q=%E5%BE%AE%E8%BB%9F%E5%AD%B8%E7%BF%92".into(), vec![&kpi]).await; // 微軟學習
    check(&app, &all, "q=fabrikam+TRAINING".into(), vec![&other]).await;
    check(&app, &all, "q=LEE%40fabrikam".into(), vec![&other]).await;
    check(&app, &all, "q=inv-2026-0423".into(), vec![&kpi]).await;
    check(&app, &all, "q=fab-77".into(), vec![&other]).await;
    check(&app, &all, "q=CONTOSO+learning".into(), vec![&dir]).await;
    check(&app, &all, "q=%25".into(), vec![]).await; // a literal %, not a wildcard
    check(&app, &all, "q=_".into(), vec![]).await;
    // Combinations.
    check(&app, &all, "kind=kpi&assignee=unassigned".into(), vec![&other]).await;
    check(&app, &all, "kind=kpi&status=in_review&assignee=me&q=0423".into(), vec![&kpi]).await;
    check(&app, &all, "kind=directory&flag=check_evidence".into(), vec![]).await;
    let html = check(&app, &all, "kind=kpi&status=open".into(), vec![&other]).await;
    assert!(html.contains("<option value=\"kpi\" selected>KPI discrepancy (1)</option>"), "current values kept");
    assert!(html.contains("<option value=\"open\" selected>Open (1)</option>"));
    assert!(html.contains("<option value=\"in_review\">In review (1)</option>"), "counts ignore the own filter");
    assert!(html.contains("1 case – Open, KPI discrepancy"));
    let (_, html) = app.get_html("/staff/queue?kind=directory&flag=check_evidence").await;
    assert!(html.contains("No cases match these filters"));
    assert!(!html.contains("<table"), "no empty table");
}

#[actix_web::test]
async fn the_most_urgent_come_first() {
    let app = spawn_app().await;
    let refs = seed(&app, 6, "kpi").await;
    let t = today();
    // priority 3, due in 2 days; priority 1 not overdue; priority 1 overdue;
    // priority 2; priority 3 overdue; priority 3 due tomorrow.
    adjust(&app, &refs[0], 3, t + Duration::days(2)).await;
    adjust(&app, &refs[1], 1, t + Duration::days(9)).await;
    adjust(&app, &refs[2], 1, t - Duration::days(1)).await;
    adjust(&app, &refs[3], 2, t + Duration::days(30)).await;
    adjust(&app, &refs[4], 3, t - Duration::days(3)).await;
    adjust(&app, &refs[5], 3, t + Duration::days(1)).await;
    // A tie on priority and due date: the older case first.
    let extra = seed(&app, 2, "directory").await;
    adjust(&app, &extra[0], 2, t + Duration::days(30)).await; // created "now"
    adjust(&app, &extra[1], 2, t + Duration::days(30)).await; // created a minute earlier
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, html) = app.get_html("/staff/queue").await;
    let want = [&refs[2], &refs[1], &refs[3], &extra[1], &extra[0], &refs[4], &refs[5], &refs[0]];
    assert_eq!(listed(&html), want.map(|r| r.clone()).to_vec());
}

#[actix_web::test]
async fn pages_of_fifty_and_a_page_past_the_end_goes_to_page_one() {
    let app = spawn_app().await;
    seed(&app, 120, "kpi").await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, html) = app.get_html("/staff/queue").await;
    assert!(html.contains("<title>Queue (page 1 of 3) – Frontline</title>"));
    assert!(html.contains("120 cases – Open work"));
    assert_eq!(listed(&html).len(), 50);
    assert!(html.contains("<nav class=\"pagination\" aria-label=\"Pagination\">"));
    assert!(html.contains("href=\"/staff/queue?page=2&#38;after="), "Next carries the last row's place");
    assert!(!html.contains("rel=\"prev\""));
    assert!(html.contains("aria-label=\"Page 1\" aria-current=\"page\""));
    let (_, p2) = app.get_html("/staff/queue?page=2").await;
    assert!(p2.contains("<title>Queue (page 2 of 3) – Frontline</title>"));
    assert!(p2.contains("href=\"/staff/queue\" rel=\"prev\""));
    let (_, p3) = app.get_html("/staff/queue?page=3").await;
    assert_eq!(listed(&p3).len(), 20);
    assert!(!p3.contains("rel=\"next\""));
    let all: std::collections::HashSet<String> =
        [listed(&html), listed(&p2), listed(&p3)].into_iter().flatten().collect();
    assert_eq!(all.len(), 120, "every case once across the pages");
    let r = app.get("/staff/queue?page=4").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), "/staff/queue");
    let r = app.get("/staff/queue?kind=kpi&q=company&page=40").await;
    assert_eq!(location(&r), "/staff/queue?kind=kpi&q=company", "filters are kept");
    let (_, p) = app.get_html("/staff/queue?kind=kpi&page=2").await;
    let p = html_unescape(&p.replace("&#38;", "&"));
    assert!(p.contains("href=\"/staff/queue?kind=kpi&page=3&after="), "links keep the filters");
}

/// The queue order of some cases, computed here from the stored columns.
async fn queue_order(app: &TestApp, refs: &[String]) -> Vec<String> {
    let refs = refs.to_vec();
    let mut rows: Vec<(i32, NaiveDate, chrono::NaiveDateTime, i64, String)> = app
        .db
        .read(move |conn| {
            Ok(cases::table
                .filter(cases::reference.eq_any(refs))
                .select((cases::priority, cases::due_date, cases::created_at, cases::id, cases::reference))
                .load(conn)?)
        })
        .await
        .expect("load");
    rows.sort();
    rows.into_iter().map(|r| r.4).collect()
}

#[actix_web::test]
async fn pages_read_from_either_end_keep_one_order() {
    let app = spawn_app().await;
    let refs = seed(&app, 130, "kpi").await;
    // Priorities and due dates all over the place, with ties on both.
    for (i, r) in refs.iter().enumerate() {
        adjust(&app, r, (i % 4) as i32 + 1, today() + Duration::days((i % 7) as i64 - 3)).await;
    }
    let dirs = seed(&app, 30, "directory").await;
    let me = app.sign_in_as("ana@frontline.example", "agent").await;
    for r in refs.iter().step_by(3) {
        set_status_and_assignee(&app, r, "in_review", Some(me)).await;
    }
    // Default view: pages 1 and 2 read forwards, 3 and 4 from the end.
    let mut shown = Vec::new();
    for page in 1..=4 {
        let (status, html) = app.get_html(&format!("/staff/queue?page={page}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("(page {page} of 4)")), "page {page}");
        shown.extend(listed(&html));
    }
    let everything: Vec<String> = refs.iter().chain(&dirs).cloned().collect();
    assert_eq!(shown, queue_order(&app, &everything).await, "the pages, end to end, are the queue in order");
    // A filtered view the same way (kind and assignee; 86 unassigned KPI cases, 2 pages).
    let unassigned: Vec<String> = refs.iter().enumerate().filter(|(i, _)| i % 3 != 0).map(|(_, r)| r.clone()).collect();
    let mut shown = Vec::new();
    for page in 1..=2 {
        let (_, html) = app.get_html(&format!("/staff/queue?kind=kpi&assignee=unassigned&page={page}")).await;
        shown.extend(listed(&html));
    }
    assert_eq!(shown, queue_order(&app, &unassigned).await);
    let (_, html) = app.get_html("/staff/queue?kind=kpi&assignee=unassigned&page=2").await;
    assert!(html.contains("86 cases – Open work, KPI discrepancy, Unassigned"));
    assert_eq!(listed(&html).len(), 36);
}

#[actix_web::test]
async fn broad_filters_walk_the_ordered_index_and_still_filter_exactly() {
    // When a filter keeps most cases, SQLite walks the queue-ordered index
    // and tests each filter on its entries (the assignee, flag and search
    // terms are then written differently): the same cases must come out.
    let app = spawn_app().await;
    let refs = seed(&app, 70, "kpi").await;
    for (i, r) in refs.iter().enumerate() {
        adjust(&app, r, (i % 3) as i32 + 1, today() + Duration::days((i % 5) as i64)).await;
    }
    let me = app.sign_in_as("ana@frontline.example", "agent").await;
    let (mine, flagged): (Vec<String>, Vec<String>) = (
        refs.iter().enumerate().filter(|(i, _)| i % 10 != 0).map(|(_, r)| r.clone()).collect(),
        refs.iter().enumerate().filter(|(i, _)| i % 7 != 0).map(|(_, r)| r.clone()).collect(),
    );
    for r in &mine {
        set_status_and_assignee(&app, r, "in_review", Some(me)).await;
    }
    flag_cases(&app, &flagged, "check_evidence").await;
    let both: Vec<String> = mine.iter().filter(|r| flagged.contains(r)).cloned().collect();
    // Seeded companies are "Company <i>": "company 1" is in 11 of them.
    let ones: Vec<String> =
        refs.iter().enumerate().filter(|(i, _)| i.to_string().starts_with('1')).map(|(_, r)| r.clone()).collect();
    for (query, want) in [
        (format!("assignee={me}"), mine.clone()),
        ("assignee=me".to_string(), mine.clone()),
        ("flag=check_evidence".to_string(), flagged.clone()),
        ("assignee=me&flag=check_evidence".to_string(), both),
        ("q=company".to_string(), refs.clone()),
        ("q=company+1".to_string(), ones),
        ("kind=kpi&q=company&flag=check_evidence".to_string(), flagged.clone()),
        // Each word is in a case, the words together in none: the probe of the
        // most specific word finds a case, the substring test drops it.
        ("q=seed12%40example.com+company".to_string(), vec![]),
        ("q=inv-12+company".to_string(), vec![]),
    ] {
        let (status, html) = app.get_html(&format!("/staff/queue?{query}")).await;
        assert_eq!(status, 200, "{query}");
        let mut shown = listed(&html);
        if want.len() > 50 {
            let (_, p2) = app.get_html(&format!("/staff/queue?{query}&page=2")).await;
            shown.extend(listed(&p2));
        }
        assert_eq!(shown, queue_order(&app, &want).await, "{query}");
    }
}

/// The `href` of the link with this `rel`, unescaped.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("rel=\"{rel}\""))?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = html[start..].find('"')? + start;
    Some(html_unescape(&html[start..end].replace("&#38;", "&")))
}

#[actix_web::test]
async fn next_and_previous_links_page_from_the_rows_shown() {
    let app = spawn_app().await;
    let refs = seed(&app, 160, "kpi").await;
    for (i, r) in refs.iter().enumerate() {
        adjust(&app, r, (i % 4) as i32 + 1, today() + Duration::days((i % 6) as i64 - 2)).await;
    }
    app.sign_in_as("ana@frontline.example", "agent").await;
    // Forwards through every page by the Next links.
    let mut link = "/staff/queue".to_string();
    let mut shown = Vec::new();
    let mut visited = Vec::new();
    loop {
        let (status, html) = app.get_html(&link).await;
        assert_eq!(status, 200, "{link}");
        shown.extend(listed(&html));
        visited.push(link.clone());
        match rel_link(&html, "next") {
            Some(next) => {
                assert!(next.contains("after="), "{next}");
                link = next;
            }
            None => break,
        }
    }
    assert_eq!(visited.len(), 4);
    assert_eq!(shown, queue_order(&app, &refs).await, "Next links walk the queue in order, each case once");
    // And back by the Previous links, page by page.
    let (_, last) = app.get_html(&visited[3]).await;
    let mut back = listed(&last);
    let mut html = last;
    while let Some(prev) = rel_link(&html, "prev") {
        let (status, page) = app.get_html(&prev).await;
        assert_eq!(status, 200, "{prev}");
        let mut rows = listed(&page);
        rows.extend(back);
        back = rows;
        html = page;
    }
    assert_eq!(back, shown, "Previous links give the same pages");
    // A case filed (or made urgent) while paging does not shift the next page.
    let (_, p2) = app.get_html(&visited[1]).await;
    let next = rel_link(&p2, "next").expect("next");
    let newcomer = seed(&app, 1, "directory").await;
    adjust(&app, &newcomer[0], 1, today() - Duration::days(9)).await;
    let (_, p3) = app.get_html(&next).await;
    assert_eq!(listed(&p3)[0], shown[100], "page 3 still starts after the last case on page 2");
    assert!(p3.contains("(page 3 of 4)"));
    // A cursor that does not parse is ignored: the page is read by number.
    let (status, html) = app.get_html("/staff/queue?page=2&after=not-a-place").await;
    assert_eq!(status, 200);
    let mut with_newcomer = refs.clone();
    with_newcomer.push(newcomer[0].clone());
    assert_eq!(listed(&html), queue_order(&app, &with_newcomer).await[50..100].to_vec());
}

#[actix_web::test]
async fn counts_kept_by_triggers_always_match_the_cases() {
    let app = spawn_app().await;
    let refs = seed(&app, 12, "kpi").await;
    let dirs = seed(&app, 5, "directory").await;
    file_kpi(&app, kpi_fields()).await;
    file_directory(&app, directory_fields()).await;
    let me = app.sign_in_as("ana@frontline.example", "agent").await;
    let bob = app.create_staff("bob@frontline.example", "Bob Builder", "agent").await;
    // Through the app: claim-next (status and assignee change together).
    let r = claim(&app, &app.client, &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    // Directly: every kind of change the triggers must follow.
    set_status_and_assignee(&app, &refs[0], "in_review", Some(bob)).await;
    set_status_and_assignee(&app, &refs[1], "resolved", Some(me)).await;
    set_status_and_assignee(&app, &refs[1], "resolved", None).await;
    set_status_and_assignee(&app, &dirs[0], "approved", None).await;
    set_status_and_assignee(&app, &dirs[0], "approved", None).await; // no change at all
    let gone = refs[2].clone();
    app.db
        .write(move |conn| {
            let id: i64 = cases::table.filter(cases::reference.eq(&gone)).select(cases::id).first(conn)?;
            diesel::delete(case_flags::table.filter(case_flags::case_id.eq(id))).execute(conn)?;
            diesel::delete(case_events::table.filter(case_events::case_id.eq(id))).execute(conn)?;
            diesel::delete(frontline::store::schema::attachments::table)
                .filter(frontline::store::schema::attachments::case_id.eq(id))
                .execute(conn)?;
            diesel::delete(cases::table.filter(cases::id.eq(id))).execute(conn)?;
            Ok(())
        })
        .await
        .expect("delete");
    let (kept, real) = app
        .db
        .read(|conn| {
            let kept: Vec<(String, String, i64, i64)> = case_counts::table
                .select((case_counts::kind, case_counts::status, case_counts::assignee_key, case_counts::n))
                .load(conn)?;
            let real: Vec<(String, String, Option<i64>)> =
                cases::table.select((cases::kind, cases::status, cases::assignee_id)).load(conn)?;
            Ok((kept, real))
        })
        .await
        .expect("read");
    let mut want = std::collections::BTreeMap::new();
    for (kind, status, assignee) in real {
        *want.entry((kind, status, assignee.unwrap_or(0))).or_insert(0i64) += 1;
    }
    let mut got = std::collections::BTreeMap::new();
    for (kind, status, assignee, n) in kept {
        *got.entry((kind, status, assignee)).or_insert(0i64) += n;
    }
    got.retain(|_, n| *n != 0);
    assert_eq!(got, want);
    assert_eq!(want.values().sum::<i64>(), 18);
    // The page's counts are these.
    let (_, html) = app.get_html("/staff/queue?status=resolved").await;
    assert!(html.contains("<option value=\"resolved\" selected>Resolved (1)</option>"));
    assert!(html.contains(&format!("<option value=\"{bob}\">Bob Builder")), "assignee choices still listed");
}

#[actix_web::test]
async fn search_finds_substrings_of_any_length_and_shrugs_off_query_syntax() {
    let app = spawn_app().await;
    let kpi = file_kpi(&app, kpi_fields()).await; // 台灣微軟學習夥伴有限公司
    let other = file_kpi(&app, with(kpi_fields(), "company_name", Some("Fabrikam \"Quoted\" Training"))).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let all = [&kpi, &other];
    check(&app, &all, "q=%E5%BE%AE%E8%BB%9F".into(), vec![&kpi]).await; // 微軟: two characters
    check(&app, &all, "q=%E5%AD%B8%E7%BF%92%E5%A4%A5".into(), vec![&kpi]).await; // 學習夥: inside the name
    check(&app, &all, "q=%E5%A4%A5%E4%BC%B4%E6%9C%89%E9%99%90".into(), vec![&kpi]).await; // 夥伴有限
    check(&app, &all, "q=%22quoted%22".into(), vec![&other]).await; // "quoted", quotes included
    check(&app, &all, "q=%22quoted".into(), vec![&other]).await;
    check(&app, &all, "q=quoted%22+tr".into(), vec![&other]).await;
    for syntax in ["a*", "OR", "NEAR(a b)", "quoted AND", "-fab", "^fab", "col:fab", "\"\"\""] {
        let q: String = url::form_urlencoded::byte_serialize(syntax.as_bytes()).collect();
        let (status, _) = app.get_html(&format!("/staff/queue?q={q}")).await;
        assert_eq!(status, 200, "{syntax}");
    }
    check(&app, &all, "q=fabrikam+%22quoted%22+training".into(), vec![&other]).await;
    check(&app, &all, "q=rikam+%22quo".into(), vec![&other]).await;
    check(&app, &all, "q=zzzz".into(), vec![]).await;
}

#[actix_web::test]
async fn unknown_filter_values_are_a_clear_400() {
    let app = spawn_app().await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    for (query, words) in [
        ("kind=spam", "no case kind called"),
        ("status=closed", "no status called"),
        ("assignee=bob", "is not an assignee"),
        ("assignee=987654", "No staff member has the id 987654"),
        ("flag=shiny", "no flag called"),
        ("page=0", "is not a page number"),
        ("page=abc", "is not a page number"),
    ] {
        let (status, html) = app.get_html(&format!("/staff/queue?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(html_unescape(&html).contains(words), "{query}: {html}");
    }
}

#[actix_web::test]
async fn claim_next_takes_the_most_urgent_unassigned_open_case() {
    let app = spawn_app().await;
    let refs = seed(&app, 4, "kpi").await;
    let dirs = seed(&app, 1, "directory").await;
    let me = app.sign_in_as("ana@frontline.example", "agent").await;
    let bob = app.create_staff("bob@frontline.example", "Bob", "agent").await;
    let t = today();
    adjust(&app, &refs[0], 1, t).await; // most urgent, but assigned
    set_status_and_assignee(&app, &refs[0], "open", Some(bob)).await;
    adjust(&app, &refs[1], 1, t).await; // urgent, but in review
    set_status_and_assignee(&app, &refs[1], "in_review", None).await;
    adjust(&app, &refs[2], 2, t + Duration::days(3)).await; // the one
    adjust(&app, &refs[3], 2, t + Duration::days(4)).await;
    let r = claim(&app, &app.client, &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), format!("/staff/cases/{}", refs[2]));
    let case = app.case(&refs[2]).await;
    assert_eq!(case.assignee_id, Some(me));
    assert_eq!(case.status.as_str(), "in_review");
    assert_eq!(case.version, 2);
    let id = case.id;
    let events: Vec<EventFields> = app
        .db
        .read(move |conn| {
            Ok(case_events::table
                .filter(case_events::case_id.eq(id))
                .filter(case_events::event_type.eq("claimed"))
                .select((
                    case_events::actor_type,
                    case_events::staff_id,
                    case_events::event_type,
                    case_events::body,
                    case_events::partner_visible,
                ))
                .load(conn)?)
        })
        .await
        .expect("events");
    assert_eq!(
        events,
        vec![(
            "staff".into(),
            Some(me),
            "claimed".into(),
            Some("Claimed by Staff ana@frontline.example".into()),
            false
        )]
    );
    // With a kind, only that kind is claimed.
    let r = claim(&app, &app.client, &[("kind", "directory")]).await;
    assert_eq!(location(&r), format!("/staff/cases/{}", dirs[0]));
    let r = claim(&app, &app.client, &[("kind", "bogus")]).await;
    assert_eq!(r.status().as_u16(), 400);
    // The queue shows it as mine.
    let (_, html) = app.get_html("/staff/queue?assignee=me").await;
    assert!(lists(&html, &refs[2]) && lists(&html, &dirs[0]));
}

#[actix_web::test]
async fn claim_next_with_nothing_to_claim_says_so_once() {
    let app = spawn_app().await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let r = claim(&app, &app.client, &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), "/staff/queue");
    let (_, html) = app.get_html("/staff/queue").await;
    assert!(html.contains("There are no unassigned open cases"));
    assert!(html.contains("role=\"region\""), "a neutral banner");
    let (_, again) = app.get_html("/staff/queue").await;
    assert!(!again.contains("There are no unassigned open cases"), "shown once");
}

#[actix_web::test]
async fn claim_next_without_the_token_is_refused() {
    let app = spawn_app().await;
    let refs = seed(&app, 1, "kpi").await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let r = app.client.post(app.url("/staff/queue/claim-next")).form(&[("kind", "")]).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 403);
    let r = app.client.post(app.url("/staff/queue/claim-next")).form(&[("csrf_token", "x")]).send().await.expect("p");
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.case(&refs[0]).await.assignee_id, None, "nothing changed");
    // Signed out: to the sign-in page.
    let r = app.second_client().post(app.url("/staff/queue/claim-next")).send().await.expect("post");
    assert!(location(&r).starts_with("/staff/login"));
}

#[actix_web::test]
async fn concurrent_claims_never_hand_out_a_case_twice() {
    let app = spawn_app().await;
    seed(&app, 20, "kpi").await;
    let mut agents = Vec::new();
    for i in 0..8 {
        let client = app.second_client();
        let id = sign_in_client(&app, &client, &format!("agent{i}@frontline.example")).await;
        let token = csrf(&app, &client).await;
        agents.push((client, id, token));
    }
    let requests = (0..40).map(|n| {
        let (client, _, token) = &agents[n % agents.len()];
        let url = app.url("/staff/queue/claim-next");
        async move { client.post(url).form(&[("csrf_token", token.as_str())]).send().await.expect("claim") }
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut claimed = Vec::new();
    for r in &responses {
        let status = r.status().as_u16();
        assert_eq!(status, 303, "no errors under contention");
        let to = location(r);
        if let Some(reference) = to.strip_prefix("/staff/cases/") {
            claimed.push(reference.to_string());
        } else {
            assert_eq!(to, "/staff/queue");
        }
    }
    assert_eq!(claimed.len(), 20, "successful claims = min(requests, cases)");
    let unique: std::collections::HashSet<&String> = claimed.iter().collect();
    assert_eq!(unique.len(), 20, "no case handed out twice");
    let (per_case, unassigned): (Vec<(i64, i64)>, i64) = app
        .db
        .read(|conn| {
            let per_case = case_events::table
                .filter(case_events::event_type.eq("claimed"))
                .group_by(case_events::case_id)
                .select((case_events::case_id, diesel::dsl::count_star()))
                .load(conn)?;
            let unassigned = cases::table.filter(cases::assignee_id.is_null()).count().get_result(conn)?;
            Ok((per_case, unassigned))
        })
        .await
        .expect("read");
    assert_eq!(per_case.len(), 20);
    assert!(per_case.iter().all(|(_, n)| *n == 1), "one claimed event per case: {per_case:?}");
    assert_eq!(unassigned, 0);
    let agent_ids: Vec<i64> = agents.iter().map(|a| a.1).collect();
    for reference in &claimed {
        let case = app.case(reference).await;
        assert_eq!(case.status.as_str(), "in_review");
        assert_eq!(case.version, 2);
        assert!(agent_ids.contains(&case.assignee_id.expect("assigned")));
    }
}

#[actix_web::test]
async fn claiming_next_opens_the_case_with_a_one_time_banner() {
    let app = spawn_app().await;
    let r = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 303);
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, queue) = app.get_html("/staff/queue").await;
    let keys = hidden_inputs(&queue);
    let r = app.client.post(app.url("/staff/queue/claim-next")).form(&keys).send().await.expect("claim");
    assert_eq!(r.status().as_u16(), 303);
    let case_page = location(&r);
    assert!(case_page.starts_with("/staff/cases/KPI-"), "{case_page}");
    let (status, html) = app.get_html(&case_page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Case assigned to you"));
    let (_, again) = app.get_html(&case_page).await;
    assert!(!again.contains("Case assigned to you"), "shown once");
    let (_, queue) = app.get_html("/staff/queue").await;
    assert!(!queue.contains("notification-banner"), "the queue does not show it later");
}

#[derive(diesel::QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// Not a check but a measurement: `cargo test --test app -- --ignored
/// --nocapture queue_at_100k` seeds 100,000 cases in a scratch SQLite
/// database and prints query plans and timings of the queue's reads.
#[actix_web::test]
#[ignore]
async fn queue_at_100k_cases_plans_and_timings() {
    use frontline::domain::queue::{PAGE_SIZE, offset};
    use frontline::store::queue::{self as q, Assignee, QueueFilter};
    use std::time::Instant;
    if backend() != "sqlite" {
        return;
    }
    let app = spawn_app().await;
    let started = Instant::now();
    let statuses = ["open", "in_review", "waiting_on_partner", "approved", "resolved", "rejected"];
    app.db
        .write(move |conn| {
            for i in 0..100_000usize {
                let kind = if i % 5 == 0 { "directory" } else { "kpi" };
                let mut c = bulk_case(i, kind);
                c.status = frontline::domain::case::Status::parse(statuses[i % statuses.len()]).expect("status");
                c.priority = (i % 4) as i32 + 1;
                c.due_date = today() + Duration::days((i % 60) as i64 - 20);
                let id = cases_store::insert_case(conn, &c)?;
                let k = frontline::domain::case::CaseKind::parse(kind).expect("kind");
                c.reference = frontline::domain::case::reference(k, today(), id);
                cases_store::set_reference(conn, id, &c.reference, &frontline::app::intake::search_text(&c))?;
            }
            Ok(())
        })
        .await
        .expect("seed");
    println!("seeded 100,000 cases in {:?}", started.elapsed());
    let open: Vec<frontline::domain::case::Status> = frontline::domain::queue::open_statuses().to_vec();
    let views: Vec<(&str, QueueFilter)> = vec![
        ("default (open work)", QueueFilter { statuses: open.clone(), ..Default::default() }),
        ("status=open", QueueFilter { statuses: vec![frontline::domain::case::Status::Open], ..Default::default() }),
        (
            "status=open&kind=kpi&assignee=unassigned",
            QueueFilter {
                statuses: vec![frontline::domain::case::Status::Open],
                kind: Some(frontline::domain::case::CaseKind::Kpi),
                assignee: Some(Assignee::Unassigned),
                ..Default::default()
            },
        ),
        (
            "q=company 4242",
            QueueFilter { statuses: open.clone(), needle: Some("company 4242".into()), ..Default::default() },
        ),
    ];
    for (name, f) in views {
        let f2 = f.clone();
        let (counts, first, deep) = app
            .db
            .read(move |conn| {
                let t = Instant::now();
                let c = q::counts(conn, &f2)?;
                let (by_status, by_kind) = (c.by_status, c.by_kind);
                let counts = t.elapsed();
                let total: i64 = by_status.iter().filter(|(s, _)| f2.statuses.contains(s)).map(|(_, n)| n).sum();
                let _ = by_kind;
                let t = Instant::now();
                let rows = q::page(conn, &f2, 0, PAGE_SIZE, total, c.all)?;
                let first = t.elapsed();
                assert!(!rows.is_empty() || total == 0);
                let last_page = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
                let deep_page = last_page.min(1000);
                let t = Instant::now();
                q::page(conn, &f2, offset(deep_page), PAGE_SIZE, total, c.all)?;
                Ok((counts, first, (deep_page, t.elapsed(), total)))
            })
            .await
            .expect("read");
        println!("{name}: {} rows; counts {counts:?}; page 1 {first:?}; page {} {:?}", deep.2, deep.0, deep.1);
    }
    let open_list = open.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(",");
    let plans = app
        .db
        .read(move |conn| {
            let mut out = Vec::new();
            for sql in [
                format!(
                    "SELECT id FROM cases WHERE id IS NOT NULL AND status IN ({open_list}) ORDER BY priority, due_date, created_at, id LIMIT 50 OFFSET 49950"
                ),
                "SELECT id FROM cases WHERE id IS NOT NULL AND status IN ('open') ORDER BY priority, due_date, created_at, id LIMIT 50 OFFSET 0".to_string(),
                "SELECT status, COUNT(*) FROM cases WHERE id IS NOT NULL GROUP BY status".to_string(),
                format!("SELECT kind, COUNT(*) FROM cases WHERE id IS NOT NULL AND status IN ({open_list}) GROUP BY kind"),
                "SELECT id FROM cases WHERE status = 'open' AND assignee_id IS NULL ORDER BY priority, due_date, created_at, id LIMIT 1".to_string(),
            ] {
                let rows: Vec<PlanRow> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load(conn)?;
                out.push((sql, rows.into_iter().map(|r| r.detail).collect::<Vec<_>>().join(" | ")));
            }
            Ok(out)
        })
        .await
        .expect("plans");
    for (sql, plan) in plans {
        println!("{sql}\n  -> {plan}");
    }
}
