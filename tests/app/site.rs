use crate::helpers::*;

#[actix_web::test]
async fn the_start_page_offers_both_case_kinds() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/cases/kpi/new\""));
    assert!(html.contains("href=\"/cases/directory/new\""));
    assert!(html.contains("Track a case"));
}

#[actix_web::test]
async fn healthz_answers_when_the_database_is_reachable() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status().as_u16(), 200, "on {}", backend());
}

#[actix_web::test]
async fn unknown_pages_get_an_html_404() {
    let app = spawn_app().await;
    let r = app.get("/nope").await;
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.text().await.expect("body").contains("Page not found"));
}

#[actix_web::test]
async fn a_wrong_tracking_token_is_a_404() {
    let app = spawn_app().await;
    let (status, _) = app.get_html(&format!("/track/{}", "0".repeat(64))).await;
    assert_eq!(status, 404);
    let (status, _) = app.get_html("/track/short").await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn pages_carry_security_headers() {
    let app = spawn_app().await;
    let r = app.get("/cases/kpi/new").await;
    assert_eq!(r.headers().get("x-content-type-options").map(|v| v.as_bytes()), Some(&b"nosniff"[..]));
    assert!(r.headers().get("content-security-policy").is_some());
}

#[actix_web::test]
async fn the_small_things_every_site_has() {
    let app = spawn_app().await;
    // HEAD works wherever GET does, with no body.
    for path in ["/", "/cases/kpi/new", "/track", "/staff/login", "/static/app.css"] {
        let r = app.client.head(app.url(path)).send().await.expect("HEAD");
        assert_eq!(r.status().as_u16(), 200, "HEAD {path}");
        assert!(r.bytes().await.expect("body").is_empty(), "HEAD {path} has no body");
    }
    // A favicon, robots.txt that keeps cases out of search engines, a description.
    let r = app.get("/favicon.ico").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/svg+xml"));
    let robots = app.get("/robots.txt").await.text().await.expect("robots");
    assert!(robots.contains("Disallow: /track") && robots.contains("Disallow: /staff"));
    let (_, home) = app.get_html("/").await;
    assert!(home.contains("<meta name=\"description\""));
    // The stylesheet is versioned and cached for a year; pages are compressed.
    let i = home.find("/static/app.css?v=").expect("versioned stylesheet link");
    let link: String = home[i..].chars().take_while(|c| *c != '"').collect();
    let r = app.get(&link).await;
    let cache = r.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(cache.contains("max-age=31536000") && cache.contains("immutable"), "{cache}");
    let r = app.client.get(app.url(&link)).header("accept-encoding", "gzip").send().await.expect("get");
    assert_eq!(r.headers().get("content-encoding").and_then(|v| v.to_str().ok()), Some("gzip"));
    // Tracking pages are never indexed.
    let r = app.post_directory(&directory_fields()).await;
    let page = app.get(&location(&r)).await;
    assert_eq!(page.headers().get("x-robots-tag").and_then(|v| v.to_str().ok()), Some("noindex, nofollow"));
    assert!(page.text().await.expect("body").contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
}

#[actix_web::test]
async fn times_are_shown_in_the_programmes_zone_or_the_staff_members_own() {
    let zone = frontline::domain::calendar::parse_time_zone("Asia/Taipei").expect("zone");
    let app = spawn_app_with(move |c| {
        c.time_zone = zone;
        c.run_jobs = false;
    })
    .await;
    let r = app.post_directory(&directory_fields()).await;
    let track = location(&r);
    let (_, page) = app.get_html(&track).await;
    let reference = reference_in(&page).expect("reference");
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, case_page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    let mut body: Vec<(String, String)> = hidden_inputs(&case_page).into_iter().collect();
    body.push(("message".into(), "We are on it".into()));
    let r =
        app.client.post(app.url(&format!("/staff/cases/{reference}/reply"))).form(&body).send().await.expect("reply");
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = app.get_html(&track).await;
    assert!(page.contains("(Taipei time, UTC+8)"), "the partner reads the programme's zone");
    assert!(!page.contains(" UTC<"), "no bare UTC times");

    let (_, case_page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert!(case_page.contains("(Taipei time, UTC+8)"), "staff without a zone of their own read the programme's");
    let (_, account) = app.get_html("/staff/account").await;
    let mut body: Vec<(String, String)> = hidden_inputs(&account).into_iter().collect();
    body.push(("time_zone".into(), "America/New_York".into()));
    let r = app.client.post(app.url("/staff/account/time-zone")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let (_, case_page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert!(
        case_page.contains("(New York time, UTC-5)") || case_page.contains("(New York time, UTC-4)"),
        "their own zone"
    );
    let mut body: Vec<(String, String)> = hidden_inputs(&account).into_iter().collect();
    body.push(("time_zone".into(), "Mars/Olympus".into()));
    let r = app.client.post(app.url("/staff/account/time-zone")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.expect("body").contains("IANA"));
}

#[actix_web::test]
async fn pages_speak_the_partners_language_chosen_by_switch_cookie_or_browser() {
    let app = spawn_app_with(|c| c.run_jobs = false).await;
    // The browser's language.
    let r = app
        .second_client()
        .get(app.url("/"))
        .header("accept-language", "zh-TW,zh;q=0.9,en;q=0.8")
        .send()
        .await
        .expect("get");
    let page = r.text().await.expect("body");
    assert!(page.contains("<html lang=\"zh-Hant-TW\">"), "the stylesheet's :lang(zh-Hant) rules apply");
    assert!(page.contains("向 Frontline 支援團隊尋求協助"), "the start page in Traditional Chinese");
    assert!(page.contains("hreflang=\"en\""), "a switch to English");
    // The switch keeps the page and its query, and is remembered.
    let (_, page) = app.get_html("/").await;
    assert!(page.contains("<html lang=\"en\">"), "English without a choice");
    let r = app.get("/track?lang=zh-TW").await;
    let cookie = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(cookie.starts_with("lang=zh-TW"), "{cookie}");
    let page = r.text().await.expect("body");
    assert!(page.contains("查詢您的案件"), "find-my-case in Traditional Chinese");
    assert!(page.contains("href=\"/track?lang=en\""), "the switch back keeps the page");
    let r = app.client.get(app.url("/")).header("accept-language", "en").send().await.expect("get");
    assert!(r.text().await.expect("body").contains("<html lang=\"zh-Hant-TW\">"), "the cookie outranks the browser");
    let r = app.client.get(app.url("/cases/kpi/new?lang=en&from=home")).send().await.expect("get");
    let page = r.text().await.expect("body");
    let i = page.find("language-switch").expect("the switch");
    assert!(
        page.contains("href=\"/cases/kpi/new?from=home&#38;lang=zh-TW\""),
        "{}",
        &page[i..(i + 400).min(page.len())]
    );

    // A case stores the language it was filed in.
    let r = app
        .second_client()
        .get(app.url("/cases/directory/new"))
        .header("accept-language", "zh-TW")
        .send()
        .await
        .expect("form");
    let keys = hidden_inputs(&r.text().await.expect("form"));
    let mut body: Vec<(String, String)> = keys.into_iter().collect();
    body.extend(directory_fields().into_iter().map(|(k, v)| (k.to_string(), v)));
    let r = app
        .second_client()
        .post(app.url("/cases/directory"))
        .header("accept-language", "zh-TW")
        .form(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = app.get_html(&location(&r)).await;
    let case = app.case(&reference_in(&page).expect("reference")).await;
    assert_eq!(case.language, "zh-TW");
}

#[actix_web::test]
async fn every_page_links_contact_privacy_and_accessibility_in_both_languages() {
    let app = spawn_app().await;
    let (_, home) = app.get_html("/").await;
    for path in ["/contact", "/privacy", "/accessibility"] {
        assert!(home.contains(&format!("href=\"{path}\"")), "the footer links {path}");
        let (status, page) = app.get_html(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.matches("<p class=\"body\">").count() >= 4, "{path} says something");
    }
    let (_, privacy) = app.get_html("/privacy").await;
    assert!(privacy.contains("never written to our logs"));
    let (_, zh) = app.get_html("/accessibility?lang=zh-TW").await;
    assert!(zh.contains("無障礙聲明"), "in Traditional Chinese");
    assert!(zh.contains("<html lang=\"zh-Hant-TW\">"));
}
