//! Admin staff accounts in the web UI: create, disable, enable, reset.

use std::collections::HashMap;

use crate::helpers::*;

const PAGE: &str = "/staff/accounts";
const NEW_PASSWORD: &str = "a brand new passphrase";

/// Signs `client` in; returns the sign-in response.
async fn sign_in(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
    let html = client.get(app.url("/staff/login")).send().await.expect("GET").text().await.expect("body");
    let mut body: Vec<(String, String)> = hidden_inputs(&html).into_iter().collect();
    body.push(("email".into(), email.into()));
    body.push(("password".into(), password.into()));
    client.post(app.url("/staff/login")).form(&body).send().await.expect("POST /staff/login")
}

/// The accounts page's token.
async fn token(app: &TestApp) -> String {
    let (status, html) = app.get_html(PAGE).await;
    assert_eq!(status, 200);
    hidden_inputs(&html).remove("csrf_token").expect("token")
}

async fn post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let map: HashMap<&str, &str> = fields.iter().copied().collect();
    app.client.post(app.url(path)).form(&map).send().await.expect("POST")
}

async fn create(app: &TestApp, email: &str, name: &str, role: &str, password: &str) -> reqwest::Response {
    let t = token(app).await;
    post(app, PAGE, &[("csrf_token", &t), ("email", email), ("name", name), ("role", role), ("password", password)])
        .await
}

/// True if a client's session still opens staff pages.
async fn signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    let r = client.get(app.url("/staff/directory/batches")).send().await.expect("GET");
    match r.status().as_u16() {
        200 => true,
        303 => {
            assert!(location(&r).starts_with("/staff/login"), "{}", location(&r));
            false
        }
        other => panic!("unexpected {other}"),
    }
}

#[actix_web::test]
async fn an_admin_creates_an_agent_who_can_then_sign_in() {
    let app = spawn_app().await;
    app.sign_in_as("admin@frontline.example", "admin").await;
    let (status, html) = app.get_html(PAGE).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1 class=\"heading-l\">Staff accounts</h1>"));
    assert!(html.contains("admin@frontline.example"));
    assert!(html.contains("href=\"/staff/accounts\""), "admins see the navigation link");

    let r = create(&app, " Bo@Frontline.example ", "Bo Chen", "agent", STAFF_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), PAGE);
    let (_, html) = app.get_html(PAGE).await;
    assert!(html.contains(">Success</h2>"));
    assert!(html.contains("Account created for Bo Chen"));
    assert!(html.contains("bo@frontline.example"), "the e-mail is stored normalised");
    assert!(html.contains("<td>Agent</td>"));
    assert!(html.contains("Active"));
    let (_, again) = app.get_html(PAGE).await;
    assert!(!again.contains(">Success</h2>"), "the banner shows once");

    let bo = app.second_client();
    let r = sign_in(&app, &bo, "bo@frontline.example", STAFF_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303, "the new agent can sign in");
    assert!(signed_in(&app, &bo).await);
}

#[actix_web::test]
async fn a_weak_password_or_missing_answers_are_refused_with_every_message_and_values_kept() {
    let app = spawn_app().await;
    app.sign_in_as("admin@frontline.example", "admin").await;
    let r = create(&app, "bo@frontline.example", "Bo Chen", "agent", "too short").await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("<title>Error: Staff accounts – Frontline</title>"));
    assert!(html.contains("There is a problem"));
    assert!(html.contains("<a href=\"#password\">Password must be 12 characters or more</a>"));
    assert!(html.contains("id=\"password-error\""));
    assert!(html.contains("value=\"bo@frontline.example\""), "e-mail kept");
    assert!(html.contains("value=\"Bo Chen\""), "name kept");
    assert!(html.contains("value=\"agent\" checked"), "role kept");
    assert!(!html.contains("too short"), "the password is never echoed");

    let r = create(&app, "", "", "", "").await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("missing {s}"));
    assert!(at("<a href=\"#email\">Enter the email address</a>") < at("<a href=\"#name\">Enter the name</a>"));
    assert!(at("<a href=\"#name\">") < at("<a href=\"#role\">Select admin or agent</a>"));
    assert!(at("<a href=\"#role\">") < at("<a href=\"#password\">Enter a password</a>"));

    let r = create(&app, "not-an-address", "Bo", "root", STAFF_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("Enter an email address in the correct format"));
    let n = app.db.read(|c| Ok(frontline::store::staff::all(c)?.len())).await.expect("count");
    assert_eq!(n, 1, "nothing was created");
}

#[actix_web::test]
async fn a_duplicate_email_is_refused() {
    let app = spawn_app().await;
    app.sign_in_as("admin@frontline.example", "admin").await;
    app.create_staff("bo@frontline.example", "Bo", "agent").await;
    let r = create(&app, "BO@frontline.example", "Another Bo", "admin", STAFF_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("<a href=\"#email\">A staff account with the email bo@frontline.example already exists</a>"));
    assert!(html.contains("value=\"Another Bo\""));
}

#[actix_web::test]
async fn disabling_ends_the_agents_session_at_once_and_enabling_lets_them_back() {
    let app = spawn_app().await;
    let admin_id = app.sign_in_as("admin@frontline.example", "admin").await;
    let bo_id = app.create_staff("bo@frontline.example", "Bo Chen", "agent").await;
    let bo = app.second_client();
    assert_eq!(sign_in(&app, &bo, "bo@frontline.example", STAFF_PASSWORD).await.status().as_u16(), 303);
    assert!(signed_in(&app, &bo).await);

    let t = token(&app).await;
    let r = post(&app, &format!("{PAGE}/{bo_id}/disable"), &[("csrf_token", &t)]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(!signed_in(&app, &bo).await, "the next request goes to sign-in");
    let (_, html) = app.get_html(PAGE).await;
    assert!(html.contains("Bo Chen’s account is disabled"));
    assert!(html.contains("Disabled"));
    assert_eq!(
        sign_in(&app, &bo, "bo@frontline.example", STAFF_PASSWORD).await.status().as_u16(),
        422,
        "a disabled account cannot sign in"
    );

    // An admin cannot disable themselves.
    let r = post(&app, &format!("{PAGE}/{admin_id}/disable"), &[("csrf_token", &t)]).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.expect("body").contains("You cannot disable your own account"));
    assert!(signed_in(&app, &app.client).await);

    let r = post(&app, &format!("{PAGE}/{bo_id}/enable"), &[("csrf_token", &t)]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(sign_in(&app, &bo, "bo@frontline.example", STAFF_PASSWORD).await.status().as_u16(), 303);
    assert!(signed_in(&app, &bo).await);

    // Without the token, or for no such account.
    let r = post(&app, &format!("{PAGE}/{bo_id}/disable"), &[("csrf_token", "forged")]).await;
    assert_eq!(r.status().as_u16(), 403);
    let r = post(&app, &format!("{PAGE}/999999/disable"), &[("csrf_token", &t)]).await;
    assert_eq!(r.status().as_u16(), 404);
    assert!(signed_in(&app, &bo).await);
}

#[actix_web::test]
async fn resetting_a_password_ends_sessions_and_the_new_password_works() {
    let app = spawn_app().await;
    app.sign_in_as("admin@frontline.example", "admin").await;
    let bo_id = app.create_staff("bo@frontline.example", "Bo Chen", "agent").await;
    let bo = app.second_client();
    assert_eq!(sign_in(&app, &bo, "bo@frontline.example", STAFF_PASSWORD).await.status().as_u16(), 303);
    let path = format!("{PAGE}/{bo_id}/password");

    let t = token(&app).await;
    let r = post(&app, &path, &[("csrf_token", &t), ("password", "short")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains(&format!("<a href=\"#password-{bo_id}\">Password must be 12 characters or more</a>")));
    assert!(html.contains(&format!("id=\"password-{bo_id}-error\"")));
    assert!(signed_in(&app, &bo).await, "a refused reset changes nothing");

    let r = post(&app, &path, &[("csrf_token", &t), ("password", NEW_PASSWORD)]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(!signed_in(&app, &bo).await, "the reset ends their sessions");
    let (_, html) = app.get_html(PAGE).await;
    assert!(html.contains("Password reset for Bo Chen"));
    assert_eq!(sign_in(&app, &bo, "bo@frontline.example", STAFF_PASSWORD).await.status().as_u16(), 422);
    assert_eq!(sign_in(&app, &bo, "bo@frontline.example", NEW_PASSWORD).await.status().as_u16(), 303);
    assert!(signed_in(&app, &bo).await);
}

#[actix_web::test]
async fn agents_cannot_manage_accounts() {
    let app = spawn_app().await;
    let admin_id = app.create_staff("admin@frontline.example", "Admin", "admin").await;
    app.sign_in_as("bo@frontline.example", "agent").await;
    let (status, html) = app.get_html(PAGE).await;
    assert_eq!(status, 403);
    assert!(html.contains("Only admins can manage staff accounts"));
    assert!(html.contains("staff-nav"), "the navigation stays");
    let (_, batches) = app.get_html("/staff/directory/batches").await;
    assert!(!batches.contains("href=\"/staff/accounts\""), "agents do not see the link");
    let t = hidden_inputs(&batches).remove("csrf_token").expect("token");
    let r = post(
        &app,
        PAGE,
        &[
            ("csrf_token", &t),
            ("email", "eve@x.example"),
            ("name", "Eve"),
            ("role", "admin"),
            ("password", STAFF_PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);
    for action in ["disable", "enable"] {
        let r = post(&app, &format!("{PAGE}/{admin_id}/{action}"), &[("csrf_token", &t)]).await;
        assert_eq!(r.status().as_u16(), 403);
    }
    let r = post(&app, &format!("{PAGE}/{admin_id}/password"), &[("csrf_token", &t), ("password", NEW_PASSWORD)]).await;
    assert_eq!(r.status().as_u16(), 403);
    let n = app.db.read(|c| Ok(frontline::store::staff::all(c)?.len())).await.expect("count");
    assert_eq!(n, 2);
    // Unauthenticated: sign in first.
    let anon = app.second_client();
    let r = anon.get(app.url(PAGE)).send().await.expect("GET");
    assert_eq!(r.status().as_u16(), 303);
    assert!(location(&r).starts_with("/staff/login?next="));
}
