use crate::helpers::*;

#[actix_web::test]
async fn staff_pages_redirect_the_unauthenticated_to_sign_in_and_back() {
    let app = spawn_app().await;
    for path in [
        "/staff/queue",
        "/staff/queue?kind=kpi",
        "/staff/cases/KPI-2026-00001",
        "/staff/directory/batches",
        "/staff/anything",
        "/staff",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), 303, "{path}");
        let to = location(&r);
        assert!(to.starts_with("/staff/login?next="), "{path} → {to}");
    }
    let r = app.get("/staff/queue?kind=kpi").await;
    assert_eq!(location(&r), "/staff/login?next=%2Fstaff%2Fqueue%3Fkind%3Dkpi");
    let (status, html) = app.get_html("/staff/login?next=%2Fstaff%2Fqueue%3Fkind%3Dkpi").await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"/staff/queue?kind=kpi\""), "the return path is carried through sign-in");
    app.create_staff("ana@frontline.example", "Ana", "agent").await;
    let mut body: Vec<(String, String)> = hidden_inputs(&html).into_iter().collect();
    body.push(("email".into(), "ana@frontline.example".into()));
    body.push(("password".into(), STAFF_PASSWORD.into()));
    let r = app.client.post(app.url("/staff/login")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), "/staff/queue?kind=kpi");
}

#[actix_web::test]
async fn sign_in_sets_a_hardened_session_cookie_and_logout_ends_it_server_side() {
    let app = spawn_app().await;
    app.create_staff("ana@frontline.example", "Ana", "agent").await;
    let r = app.post_login("ANA@frontline.example ", STAFF_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    let cookie = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(cookie.starts_with("frontline_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    let token = cookie.split(';').next().unwrap_or_default().to_string();
    let captured = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let before = captured.get(app.url("/staff")).header("cookie", &token).send().await.expect("get");
    assert_eq!(location(&before), "/staff/queue", "the captured cookie works while signed in");
    // Sign out: the form on every staff page carries the token.
    let html = app.get_html("/staff/login").await.1;
    assert!(html.contains("Sign in"));
    let csrf = frontline_csrf(&app).await;
    let r = app.client.post(app.url("/staff/logout")).form(&[("csrf_token", csrf)]).send().await.expect("logout");
    assert_eq!(r.status().as_u16(), 303);
    let after = captured.get(app.url("/staff")).header("cookie", &token).send().await.expect("get");
    assert!(location(&after).starts_with("/staff/login"), "a cookie captured before logout no longer works");
}

/// The anti-forgery token of the signed-in session, read off a staff page.
async fn frontline_csrf(app: &TestApp) -> String {
    let r = app.get("/staff/nowhere").await;
    assert_eq!(r.status().as_u16(), 404);
    let html = r.text().await.expect("body");
    // The 404 page has no form; take the token from the queue when it exists,
    // else from any staff page with the navigation.
    if let Some(t) = hidden_inputs(&html).remove("csrf_token") {
        return t;
    }
    let (_, queue) = app.get_html("/staff/queue").await;
    hidden_inputs(&queue).remove("csrf_token").expect("a staff page carries the session's token")
}

#[actix_web::test]
async fn logout_without_the_token_is_refused() {
    let app = spawn_app().await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let r = app.client.post(app.url("/staff/logout")).form(&[("csrf_token", "nope")]).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(location(&app.get("/staff").await), "/staff/queue", "still signed in");
}

#[actix_web::test]
async fn wrong_passwords_and_unknown_accounts_get_the_same_message() {
    let app = spawn_app().await;
    app.create_staff("ana@frontline.example", "Ana", "agent").await;
    let wrong = app.post_login("ana@frontline.example", "not the password!").await;
    assert_eq!(wrong.status().as_u16(), 422);
    let wrong = wrong.text().await.expect("body");
    let unknown = app.post_login("nobody@frontline.example", "not the password!").await;
    assert_eq!(unknown.status().as_u16(), 422);
    let unknown = unknown.text().await.expect("body");
    assert!(wrong.contains("Enter a correct email address and password"));
    assert!(unknown.contains("Enter a correct email address and password"));
    assert!(wrong.contains("value=\"ana@frontline.example\""), "the e-mail is kept");
    assert!(!wrong.contains("not the password!"), "the password is never echoed");
}

#[actix_web::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let app = spawn_app().await;
    app.create_staff("ana@frontline.example", "Ana", "agent").await;
    for _ in 0..5 {
        let r = app.post_login("ana@frontline.example", "guess guess guess").await;
        assert_eq!(r.status().as_u16(), 422);
    }
    let r = app.post_login("ana@frontline.example", STAFF_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.text().await.expect("body").contains("too many failed attempts"));
    // The lock on an unknown account reads the same.
    let app2 = spawn_app().await;
    for _ in 0..5 {
        app2.post_login("ghost@frontline.example", "guess guess guess").await;
    }
    let r = app2.post_login("ghost@frontline.example", "guess guess guess").await;
    assert_eq!(r.status().as_u16(), 429);
}

#[actix_web::test]
async fn disabling_an_account_ends_its_sessions_at_once() {
    let app = spawn_app().await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    assert_eq!(location(&app.get("/staff").await), "/staff/queue");
    frontline::app::accounts::disable_by_email(&app.db, "ana@frontline.example").await.expect("disable");
    assert!(location(&app.get("/staff").await).starts_with("/staff/login"));
    let r = app.post_login("ana@frontline.example", STAFF_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 422, "a disabled account cannot sign in");
}

#[actix_web::test]
async fn idle_sessions_expire() {
    let app = spawn_app_with(|c| c.session_idle = std::time::Duration::from_secs(1)).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    assert_eq!(location(&app.get("/staff").await), "/staff/queue");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(location(&app.get("/staff").await).starts_with("/staff/login"));
}

#[actix_web::test]
async fn sessions_expire_absolutely() {
    let app = spawn_app_with(|c| c.session_absolute = std::time::Duration::from_secs(1)).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(location(&app.get("/staff").await).starts_with("/staff/login"));
}

#[actix_web::test]
async fn sign_in_never_returns_outside_the_staff_area() {
    let app = spawn_app().await;
    let (_, html) = app.get_html("/staff/login?next=https%3A%2F%2Fevil.example%2F").await;
    assert!(html.contains("value=\"/staff/queue\""));
    let (_, html) = app.get_html("/staff/login?next=%2F%2Fevil.example").await;
    assert!(html.contains("value=\"/staff/queue\""));
}
