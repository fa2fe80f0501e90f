//! The findings of the hardening review, each as the attacker (or the
//! unlucky partner) met it: floods, stalls, hostile characters, forged
//! forwarding headers, guessed passwords. On both backends.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// Files a directory request for `partner_id` and returns its reference.
async fn file_directory_for(app: &TestApp, partner_id: &str) -> String {
    let r = app.post_directory(&with(directory_fields(), "partner_id", Some(partner_id))).await;
    assert_eq!(r.status().as_u16(), 303, "filed for {partner_id}");
    let (_, html) = app.get_html(&location(&r)).await;
    reference_in(&html).expect("reference")
}

async fn flags_of(app: &TestApp, reference: &str) -> Vec<frontline::store::cases::FlagRow> {
    let id = app.case(reference).await.id;
    app.db.read(move |conn| Ok(frontline::store::cases::flags(conn, id)?)).await.expect("flags")
}

#[actix_web::test]
async fn a_third_and_fourth_open_case_for_one_partner_are_filed_with_a_flag_per_earlier_case() {
    let app = spawn_app().await;
    let mut refs = Vec::new();
    for _ in 0..4 {
        refs.push(file_directory_for(&app, "7654321").await);
    }
    let dups: Vec<Option<String>> = flags_of(&app, &refs[3])
        .await
        .into_iter()
        .filter(|f| f.code.as_str() == "possible_duplicate")
        .map(|f| f.related_reference)
        .collect();
    let mut want: Vec<Option<String>> = refs[..3].iter().cloned().map(Some).collect();
    want.sort();
    assert_eq!(dups, want, "one possible-duplicate flag per earlier open case");

    // The same for KPI cases with one invoice number.
    let pdf = fixture("invoice_chromium.pdf");
    let mut kpi = Vec::new();
    for _ in 0..3 {
        let r = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", pdf.clone()))).await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, html) = app.get_html(&location(&r)).await;
        kpi.push(reference_in(&html).expect("reference"));
    }
    let dups = flags_of(&app, &kpi[2]).await.into_iter().filter(|f| f.code.as_str() == "possible_duplicate").count();
    assert_eq!(dups, 2);

    // Closing one of them re-triages the others without tripping over the
    // remaining flags.
    app.sign_in_as("ana@frontline.example", "admin").await;
    let (_, page) = app.get_html(&format!("/staff/cases/{}", kpi[0])).await;
    let keys = hidden_inputs(&page);
    let mut body: Vec<(String, String)> = keys.into_iter().collect();
    body.push(("outcome".into(), "rejected".into()));
    body.push(("resolution_message".into(), "Filed twice".into()));
    let r = app
        .client
        .post(app.url(&format!("/staff/cases/{}/resolve", kpi[0])))
        .form(&body)
        .send()
        .await
        .expect("resolve");
    assert_eq!(r.status().as_u16(), 303, "closing works");
    let left: Vec<Option<String>> = flags_of(&app, &kpi[2])
        .await
        .into_iter()
        .filter(|f| f.code.as_str() == "possible_duplicate")
        .map(|f| f.related_reference)
        .collect();
    assert_eq!(left, vec![Some(kpi[1].clone())], "only the flag of the closed case went away");
}

/// Every route with a hostile value in every parameter: a 4xx at worst.
#[actix_web::test]
async fn nul_line_breaks_and_bidi_controls_in_any_parameter_never_give_a_5xx() {
    let app = spawn_app().await;
    let reference = file_directory_for(&app, "7654321").await;
    app.sign_in_as("ana@frontline.example", "admin").await;
    let hostile = ["abc\u{0}", "a\r\nSet-Cookie: x=1", "\u{202E}gnp.exe", "\u{2066}x\u{2069}", "\u{200B}"];
    let mut checked = 0;
    let mut no_5xx = |status: u16, what: &str| {
        assert!(status < 500, "{what} answered {status}");
        checked += 1;
    };
    for bad in hostile {
        let enc: String = url::form_urlencoded::byte_serialize(bad.as_bytes()).collect();
        // Query parameters of every GET route with one.
        for path in [
            format!("/staff/queue?q={enc}"),
            format!("/staff/queue?kind={enc}"),
            format!("/staff/queue?status={enc}"),
            format!("/staff/queue?assignee={enc}"),
            format!("/staff/queue?flag={enc}"),
            format!("/staff/queue?page={enc}"),
            format!("/staff/queue?after={enc}"),
            format!("/staff/login?next={enc}"),
            format!("/staff/cases/{enc}"),
            format!("/staff/cases/DIR{enc}-1"),
            format!("/staff/cases/{reference}/attachments/{enc}"),
            format!("/staff/directory/batches/{enc}.csv"),
            format!("/track/{enc}"),
            format!("/cases/kpi/new?x={enc}"),
            format!("/{enc}"),
        ] {
            let r = app.get(&path).await;
            no_5xx(r.status().as_u16(), &path);
        }
        // Every staff form field.
        let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
        let keys = hidden_inputs(&page);
        for (action, fields) in [
            ("assign", vec!["assignee"]),
            ("status", vec!["status"]),
            ("note", vec!["body"]),
            ("reply", vec!["message", "set_waiting"]),
            ("resolve", vec!["outcome", "resolution_message"]),
            ("duplicate", vec!["original", "version"]),
        ] {
            for field in fields {
                let mut body: Vec<(String, String)> = keys.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                body.push((field.to_string(), bad.to_string()));
                let r = app
                    .client
                    .post(app.url(&format!("/staff/cases/{reference}/{action}")))
                    .form(&body)
                    .send()
                    .await
                    .expect("post");
                no_5xx(r.status().as_u16(), &format!("{action} {field}"));
            }
        }
        // The sign-in form, unauthenticated, in every field.
        for field in ["email", "password", "next"] {
            let anon = app.second_client();
            let login = anon.get(app.url("/staff/login")).send().await.expect("get").text().await.expect("body");
            let mut body: Vec<(String, String)> = hidden_inputs(&login).into_iter().collect();
            body.retain(|(k, _)| k != field);
            body.push(("email".into(), "ana@frontline.example".into()));
            body.push(("password".into(), "wrong".into()));
            body.retain(|(k, _)| k != field);
            body.push((field.into(), bad.into()));
            let r = anon.post(app.url("/staff/login")).form(&body).send().await.expect("post");
            no_5xx(r.status().as_u16(), &format!("login {field}"));
        }
        // Both partner forms, in every field.
        for (name, _) in directory_fields() {
            let r = app.post_directory(&with(directory_fields(), name, Some(bad))).await;
            no_5xx(r.status().as_u16(), &format!("directory {name}"));
        }
        for (name, _) in kpi_fields() {
            let r = app.post_kpi(&with(kpi_fields(), name, Some(bad)), None).await;
            no_5xx(r.status().as_u16(), &format!("kpi {name}"));
        }
    }
    assert!(checked > 250, "{checked} requests checked");
}

#[actix_web::test]
async fn a_nul_in_a_query_or_a_sign_in_field_is_a_400_naming_it() {
    let app = spawn_app().await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (status, html) = app.get_html("/staff/queue?q=abc%00").await;
    assert_eq!(status, 400);
    assert!(html.contains("“q”"), "the parameter is named");
    let anon = app.second_client();
    let login = anon.get(app.url("/staff/login")).send().await.expect("get").text().await.expect("body");
    let mut body: Vec<(String, String)> = hidden_inputs(&login).into_iter().collect();
    body.push(("email".into(), "ana\u{0}@frontline.example".into()));
    body.push(("password".into(), "whatever".into()));
    let r = anon.post(app.url("/staff/login")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.expect("body").contains("“email”"));
}

#[actix_web::test]
async fn a_next_with_line_breaks_signs_in_to_the_queue() {
    let app = spawn_app().await;
    app.create_staff("ana@frontline.example", "Ana", "agent").await;
    let (status, html) = app.get_html("/staff/login?next=%2Fstaff%2F%0d%0aSet-Cookie:%20x%3D1").await;
    assert_eq!(status, 400, "the query itself is refused");
    assert!(!html.contains("Set-Cookie"));
    // Posted directly (the form field is not in the query).
    let keys = app.form_keys("/staff/login").await;
    let mut body: Vec<(String, String)> = keys.into_iter().collect();
    body.retain(|(k, _)| k != "next");
    body.push(("next".into(), "/staff/\r\nSet-Cookie: x=1".into()));
    body.push(("email".into(), "ana@frontline.example".into()));
    body.push(("password".into(), STAFF_PASSWORD.into()));
    let r = app.client.post(app.url("/staff/login")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), "/staff/queue");
}

#[actix_web::test]
async fn files_that_are_not_cleanly_a_pdf_are_refused_and_names_are_never_trusted() {
    let app = spawn_app().await;
    let pdf = fixture("invoice_chromium.pdf");
    // An HTML page with the PDF inside its first kilobyte: readers would
    // take it as a PDF, browsers as a page.
    let mut polyglot = b"<html><body><script>alert(1)</script>".to_vec();
    polyglot.extend_from_slice(&pdf);
    let r = app.post_kpi(&kpi_fields(), Some(("polyglot.html", polyglot))).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.expect("body").contains("The selected file must be a PDF, PNG or JPG"));
    assert_eq!(app.case_count().await, 0);

    let r = app.post_kpi(&kpi_fields(), Some(("Contoso\u{202E}fdp.exe", pdf))).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&location(&r)).await;
    let reference = reference_in(&html).expect("reference");
    assert!(html.contains("Contosofdp.exe"), "the name is shown without its override");
    assert!(!html.contains('\u{202E}'));
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert!(!page.contains('\u{202E}'), "staff never see the override");
    let start = page.find(&format!("/staff/cases/{reference}/attachments/")).expect("link");
    let href: String = page[start..].chars().take_while(|c| *c != '"').collect();
    let r = app.get(&href).await;
    let disposition = r.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(disposition.contains(&format!("filename=\"{reference}-invoice.pdf\"")), "{disposition}");
    assert!(!disposition.contains("exe"));
    assert_eq!(
        r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()),
        Some("default-src 'none'; sandbox")
    );
}

#[actix_web::test]
async fn invisible_formatting_never_reaches_stored_names_or_staff_pages() {
    let app = spawn_app().await;
    let fields = with(
        with(directory_fields(), "directory_name", Some("Contoso\u{202E}gnp.exe\u{200B}")),
        "company_name",
        Some("\u{2066}Contoso\u{2069} Learning"),
    );
    let r = app.post_directory(&fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&location(&r)).await;
    let reference = reference_in(&html).expect("reference");
    let case = app.case(&reference).await;
    assert_eq!(case.directory_name.as_deref(), Some("Contosognp.exe"));
    assert_eq!(case.company_name, "Contoso Learning");
    app.sign_in_as("ana@frontline.example", "admin").await;
    for path in [format!("/staff/cases/{reference}"), "/staff/queue".into()] {
        let (_, page) = app.get_html(&path).await;
        for c in ['\u{202E}', '\u{200B}', '\u{2066}', '\u{2069}'] {
            assert!(!page.contains(c), "{path} shows U+{:04X}", c as u32);
        }
    }
}

/// A client that reaches the app through a proxy at 127.0.0.1 and claims
/// to be `address`.
async fn post_directory_as(app: &TestApp, address: &str) -> u16 {
    let keys = app.form_keys("/cases/directory/new").await;
    let mut body: Vec<(String, String)> = keys.into_iter().collect();
    body.extend(directory_fields().into_iter().map(|(k, v)| (k.to_string(), v)));
    let r = app
        .client
        .post(app.url("/cases/directory"))
        .header("x-forwarded-for", address)
        .form(&body)
        .send()
        .await
        .expect("post");
    r.status().as_u16()
}

#[actix_web::test]
async fn anonymous_posts_are_rate_limited_per_address_and_forged_forwarding_headers_do_not_help() {
    let limit = frontline::domain::rate::RateLimit::per_minutes(3, 10);
    let app = spawn_app_with(|c| c.rate_posts = Some(limit)).await;
    let statuses: Vec<u16> = futures_util::future::join_all(
        ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"]
            .map(|a| post_directory_as(&app, a)),
    )
    .await;
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "{statuses:?}");
    let r = app.post_directory(&directory_fields()).await;
    assert_eq!(r.status().as_u16(), 429);
    let retry: u64 = r.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok()).expect("Retry-After");
    assert!((1..=600).contains(&retry), "{retry}");
    assert!(r.text().await.expect("body").contains("Wait 10 minutes"));
    assert_eq!(app.case_count().await, 3);

    // Behind a trusted proxy the forwarded address is the client's.
    let trusted = spawn_app_with(|c| {
        c.rate_posts = Some(limit);
        c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    })
    .await;
    for a in ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"] {
        assert_eq!(post_directory_as(&trusted, a).await, 303, "{a} has its own count");
    }
}

#[actix_web::test]
async fn tracking_links_that_match_nothing_pause_look_ups_from_that_address() {
    let app = spawn_app_with(|c| c.rate_lookups = Some(frontline::domain::rate::RateLimit::per_minutes(5, 10))).await;
    let r = app.post_directory(&directory_fields()).await;
    let real = location(&r);
    for i in 0..5 {
        let (status, _) = app.get_html(&format!("/track/{:064x}", i)).await;
        assert_eq!(status, 404);
    }
    let (status, _) = app.get_html("/track/short").await;
    assert_eq!(status, 429, "past the limit even a malformed link waits");
    let r = app.get(&real).await;
    assert_eq!(r.status().as_u16(), 429, "so does a real one, from this address");
    assert!(r.headers().get("retry-after").is_some());
    // Another address is not affected.
    let other =
        app.second_client().get(app.url(&real)).header("x-forwarded-for", "198.51.100.9").send().await.expect("get");
    assert_eq!(other.status().as_u16(), 429, "a forwarding header from an untrusted peer changes nothing");
}

/// Signs in through the trusted proxy as `address`.
async fn login_as(app: &TestApp, client: &reqwest::Client, address: &str, email: &str, password: &str) -> u16 {
    let page = client
        .get(app.url("/staff/login"))
        .header("x-forwarded-for", address)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.push(("email".into(), email.into()));
    body.push(("password".into(), password.into()));
    let r =
        client.post(app.url("/staff/login")).header("x-forwarded-for", address).form(&body).send().await.expect("post");
    r.status().as_u16()
}

#[actix_web::test]
async fn guessing_from_one_address_never_locks_the_account_for_its_owner_elsewhere() {
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")]).await;
    app.create_staff("ana@frontline.example", "Ana", "agent").await;
    app.create_staff("bo@frontline.example", "Bo", "agent").await;
    let attacker = app.second_client();
    for _ in 0..5 {
        assert_eq!(login_as(&app, &attacker, "203.0.113.66", "ana@frontline.example", "guess guess guess").await, 422);
    }
    assert_eq!(
        login_as(&app, &attacker, "203.0.113.66", "ana@frontline.example", STAFF_PASSWORD).await,
        429,
        "that address is locked out of that account"
    );
    // Ana, from her office, signs in (after a short delay).
    let ana = app.second_client();
    let started = std::time::Instant::now();
    assert_eq!(login_as(&app, &ana, "198.51.100.20", "ana@frontline.example", STAFF_PASSWORD).await, 303);
    assert!(started.elapsed() >= Duration::from_millis(200), "an attacked account slows down");
    // Bo shares the attacker's address (a proxy): his account is not locked.
    let bo = app.second_client();
    assert_eq!(login_as(&app, &bo, "203.0.113.66", "bo@frontline.example", STAFF_PASSWORD).await, 303);
}

#[actix_web::test]
async fn forty_guesses_at_once_are_not_all_checked_before_the_lock() {
    let app = spawn_app().await;
    app.create_staff("ana@frontline.example", "Ana", "agent").await;
    let attempts = (0..40).map(|_| {
        let client = app.second_client();
        let app = &app;
        async move {
            let page = client.get(app.url("/staff/login")).send().await.expect("get").text().await.expect("body");
            let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
            body.push(("email".into(), "ana@frontline.example".into()));
            body.push(("password".into(), "guess guess guess".into()));
            client.post(app.url("/staff/login")).form(&body).send().await.expect("post").status().as_u16()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 422).count();
    assert!(checked <= 5, "{checked} guesses were checked: {statuses:?}");
    assert!(statuses.iter().all(|s| matches!(s, 422 | 429 | 503)), "{statuses:?}");
}

#[actix_web::test]
async fn a_sign_in_form_token_only_works_in_the_browser_it_was_served_to() {
    let app = spawn_app().await;
    app.create_staff("ana@frontline.example", "Ana", "agent").await;
    // The attacker's own form, posted from a victim's browser.
    let attacker = app.second_client();
    let page = attacker.get(app.url("/staff/login")).send().await.expect("get").text().await.expect("body");
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.push(("email".into(), "ana@frontline.example".into()));
    body.push(("password".into(), STAFF_PASSWORD.into()));
    let victim = app.second_client();
    let r = victim.post(app.url("/staff/login")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 403);
    // In the browser that fetched it, it works.
    let r = attacker.post(app.url("/staff/login")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 303);
}

#[actix_web::test]
async fn an_active_session_lasts_its_idle_time_from_the_last_request() {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("time");
    let clock = frontline::clock::Clock::pinned(start);
    let app = spawn_app_with_clock(clock.clone(), |c| c.session_idle = Duration::from_secs(30 * 60)).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    // A request every 25 minutes for two hours, each less than the idle
    // time after the one before.
    for _ in 0..5 {
        clock.advance(chrono::Duration::minutes(25));
        assert_eq!(location(&app.get("/staff").await), "/staff/queue", "still signed in");
        // Many quick requests in between write nothing; they still count.
        clock.advance(chrono::Duration::seconds(59));
        assert_eq!(location(&app.get("/staff").await), "/staff/queue");
    }
    clock.advance(chrono::Duration::minutes(29));
    assert_eq!(location(&app.get("/staff").await), "/staff/queue", "29 minutes after the last request");
    clock.advance(chrono::Duration::minutes(32));
    assert!(location(&app.get("/staff").await).starts_with("/staff/login"), "idle for longer than allowed");
}

#[actix_web::test]
async fn sign_ins_beyond_the_password_checks_and_their_queue_are_answered_503() {
    let app = spawn_app_with(|c| c.max_password_checks = 1).await;
    app.create_staff("ana@frontline.example", "Ana", "agent").await;
    let attempts = (0..24).map(|i| {
        let client = app.second_client();
        let app = &app;
        async move {
            let page = client.get(app.url("/staff/login")).send().await.expect("get").text().await.expect("body");
            let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
            body.push(("email".into(), format!("user{i}@frontline.example")));
            body.push(("password".into(), "guess guess guess".into()));
            let r = client.post(app.url("/staff/login")).form(&body).send().await.expect("post");
            (r.status().as_u16(), r.headers().get("retry-after").is_some())
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    assert!(answers.iter().all(|(s, _)| matches!(s, 422 | 503)), "{answers:?}");
    assert!(answers.iter().any(|(s, _)| *s == 503), "some were turned away: {answers:?}");
    assert!(answers.iter().filter(|(s, _)| *s == 503).all(|(_, retry)| *retry), "each 503 says when to retry");
}

/// Sends the head of a KPI upload and the start of its body, and leaves the
/// connection open.
async fn partial_upload(app: &TestApp, body_bytes: &[u8]) -> tokio::net::TcpStream {
    let port = app.address.rsplit(':').next().expect("port");
    let mut stream = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await.expect("connect");
    let head = "POST /cases/kpi HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 10000000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
        .write_all(b"--XyZ\r\nContent-Disposition: form-data; name=\"invoice_file\"; filename=\"a.pdf\"\r\n\r\n")
        .await
        .expect("part");
    stream.write_all(body_bytes).await.expect("body");
    stream
}

async fn read_answer(stream: &mut tokio::net::TcpStream, within: Duration) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(within, stream.read(&mut buf)).await.ok()?.ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

#[actix_web::test]
async fn a_stalled_or_trickling_upload_is_cut_off_with_a_408() {
    let app = spawn_app_with(|c| {
        c.body_timeout = Duration::from_secs(3);
        c.body_idle_timeout = Duration::from_secs(1);
    })
    .await;
    // Stalled: a megabyte, then nothing.
    let mut stalled = partial_upload(&app, &vec![b'x'; 1 << 20]).await;
    let answer = read_answer(&mut stalled, Duration::from_secs(5)).await.expect("an answer within the idle time");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // Trickling: a byte every 300 ms never goes idle, but runs out of time.
    let mut trickle = partial_upload(&app, b"%PDF-").await;
    let started = std::time::Instant::now();
    let answer = loop {
        if trickle.write_all(b"x").await.is_err() {
            break read_answer(&mut trickle, Duration::from_secs(1)).await.unwrap_or_default();
        }
        if let Some(a) = read_answer(&mut trickle, Duration::from_millis(300)).await {
            break a;
        }
        assert!(started.elapsed() < Duration::from_secs(8), "the trickle was never cut off");
    };
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(6), "cut off at the body deadline: {:?}", started.elapsed());
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn uploads_beyond_the_cap_and_its_queue_are_turned_away_at_once() {
    let app = spawn_app_with(|c| {
        c.max_uploads = 1;
        c.rate_posts = None;
        c.body_timeout = Duration::from_secs(4);
    })
    .await;
    // One upload holds the only slot; 16 more wait in the queue.
    let mut held = Vec::new();
    for _ in 0..17 {
        held.push(partial_upload(&app, b"%PDF-1.4").await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.headers().get("retry-after").is_some());
    assert!(r.text().await.expect("body").contains("Too many uploads are in progress"));
    drop(held);
    // Once they are gone, uploads go through again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 303);
}

#[actix_web::test]
async fn smaller_findings_hold() {
    let app = spawn_app_with(|c| c.secure_cookies = true).await;
    // HSTS and a CSP that forbids plugins.
    let r = app.get("/").await;
    assert_eq!(
        r.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()),
        Some("max-age=31536000; includeSubDomains")
    );
    let csp = r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(csp.contains("object-src 'none'"), "{csp}");
    // The partner's one-time cookie is Secure under the same rule as staff cookies.
    let r = app.post_directory(&directory_fields()).await;
    let cookie = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    // Error pages are never cached and never echo the parser.
    let r = app
        .client
        .post(app.url("/cases/kpi"))
        .header("content-type", "multipart/form-data; boundary=nope")
        .body("garbage that is not multipart")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let body = r.text().await.expect("body");
    assert!(body.contains("The form could not be read"));
    assert!(!body.to_lowercase().contains("multipart") && !body.contains("boundary"), "{body}");
    let (status, _) = app.get_html("/nowhere").await;
    assert_eq!(status, 404);
    // An oversized field is "too large", not "forbidden".
    let big = "x".repeat(100 * 1024);
    let keys = app.form_keys("/cases/directory/new").await;
    let mut body: Vec<(String, String)> = keys.into_iter().collect();
    body.push(("company_name".into(), big));
    let r = app.client.post(app.url("/cases/directory")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 413);
    // A landing page on another port is refused at the door.
    let r = app
        .post_directory(&with(directory_fields(), "landing_page_url", Some("https://www.contoso-learning.com:8443/x")))
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.expect("body").contains("must not name a port"));
}

#[actix_web::test]
async fn refused_and_forged_posts_count_toward_the_limit_as_much_as_filed_ones() {
    let limit = frontline::domain::rate::RateLimit::per_minutes(4, 10);
    let app = spawn_app_with(|c| c.rate_posts = Some(limit)).await;
    // A form that fails validation counts …
    let r = app.post_directory(&with(directory_fields(), "contact_email", Some("not an address"))).await;
    assert_eq!(r.status().as_u16(), 422);
    // … so does one without its anti-forgery token …
    let r = app.client.post(app.url("/cases/directory")).form(&directory_fields()).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 403);
    // … and a KPI form refused for its missing invoice.
    let r = app.post_kpi(&kpi_fields(), None).await;
    assert_eq!(r.status().as_u16(), 422);
    // The fourth post files its case; the fifth is one too many.
    assert_eq!(app.post_directory(&directory_fields()).await.status().as_u16(), 303);
    let r = app.post_directory(&with(directory_fields(), "partner_id", Some("7654322"))).await;
    assert_eq!(r.status().as_u16(), 429);
    // A KPI form is refused before its upload is examined.
    let r = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.text().await.expect("body").contains("A lot of forms have been sent from your network"));
    assert_eq!(app.case_count().await, 1, "only the valid form within the limit was filed");
}
