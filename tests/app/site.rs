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
