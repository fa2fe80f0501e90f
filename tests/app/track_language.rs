//! The tracking page and the error pages in the partner's language: a case
//! filed in Traditional Chinese is followed in Traditional Chinese (status,
//! what happens next, dates the Chinese way, the conversation), error pages
//! follow `Accept-Language`, and English stays the default, word for word.

use chrono::Datelike;

use crate::helpers::*;

/// `2026年5月15日`.
fn zh_date(d: chrono::NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

async fn replied_in(app: &TestApp, client: &reqwest::Client, track: &str, message: &str) -> u16 {
    let page = client.get(app.url(track)).send().await.expect("track").text().await.expect("body");
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in hidden_inputs(&page) {
        form = form.text(k, v);
    }
    form = form.text("message", message.to_string());
    let r = client.post(app.url(&format!("{track}/reply"))).multipart(form).send().await.expect("reply");
    r.status().as_u16()
}

#[actix_web::test]
async fn a_case_filed_in_chinese_is_tracked_in_chinese_and_english_stays_the_default() {
    let app = spawn_app_with(|c| {
        c.run_jobs = false;
        c.time_zone = chrono_tz::Asia::Taipei;
    })
    .await;
    // The switch sets the cookie; the case is filed in Traditional Chinese.
    let r = app.get("/cases/directory/new?lang=zh-TW").await;
    assert_eq!(r.status().as_u16(), 200);
    let r = app.post_directory(&directory_fields()).await;
    assert_eq!(r.status().as_u16(), 303);
    let track = location(&r);
    let (status, page) = app.get_html(&track).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"zh-Hant-TW\">"));
    let reference = reference_in(&page).expect("reference");
    let case = app.case(&reference).await;
    assert_eq!(case.language, "zh-TW");
    assert!(page.contains("<h1 class=\"panel__title\">案件已提交</h1>"), "the one-time panel");
    assert!(page.contains("狀態：<strong class=\"tag tag--blue\">已收到</strong>"), "the status");
    assert!(page.contains("我們每月送出一次目錄列入申請"), "the batch rule");
    let due = zh_date(case.due_date);
    assert!(page.contains(&format!("我們預計在{due}前審查您的案件。")), "the review date the Chinese way: {due}");
    assert!(page.contains("我們已將此連結寄到您提供的電子郵件地址。請妥善保存"), "no space between the sentences");
    assert!(page.contains("<a class=\"link\" href=\"/track\">查詢您的案件</a>。"));
    assert!(page.contains("您提交的內容") && page.contains("目錄上顯示的名稱"), "the answers' questions");
    assert!(page.contains("只介紹您的組織"));
    assert!(page.contains(&format!("案件編號 {reference}。")));
    for english in ["What happens next", "Status:", "Received", "We aim to review", "What you sent", "Send reply"] {
        assert!(!page.contains(english), "{english:?} is translated");
    }

    // The partner's reply: a banner, and the message under "您" at a Chinese time.
    assert_eq!(replied_in(&app, &app.client, &track, "我們的頁面在這裡").await, 303);
    let (_, page) = app.get_html(&track).await;
    assert!(page.contains("已送出回覆：Frontline 支援團隊會再次查看您的案件"), "the banner");
    assert!(page.contains("<h3 class=\"heading-s\">您</h3>"), "the sender");
    assert!(page.contains("（Asia/Taipei，UTC+8）</time>"), "the time the Chinese way");
    assert!(page.contains("<h1 class=\"heading-l\">案件 "), "the title");
    assert!(page.contains(">目錄列入申請</span>"), "the kind");

    // Someone else with the link and no language choice reads English, as before.
    let (_, english) = {
        let r = app.second_client().get(app.url(&track)).send().await.expect("track");
        (r.status().as_u16(), r.text().await.expect("body"))
    };
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("Status: <strong class=\"tag tag--blue\">Received</strong>"));
    assert!(english.contains(&format!(
        "We aim to review your case by {}.",
        frontline::domain::calendar::long_date(case.due_date)
    )));
    assert!(english.contains("<h1 class=\"heading-l\">Case "));
    assert!(english.contains("<h3 class=\"heading-s\">You</h3>"));
    assert!(english.contains("(Taipei time, UTC+8)</time>"));
    assert!(english.contains(
        "<p class=\"body\">Lost it? <a class=\"link\" href=\"/track\">Find your case</a> with its reference and your e-mail address.</p>"
    ));
    assert!(english.contains("Only about your organisation, shows no competitors, owned by your organisation"));
    assert!(
        english.contains(&format!("Quote your reference number, {reference}, whenever you contact Frontline Support."))
    );
    assert!(english.contains("You can enter up to "));
    assert!(!english.contains("案件"), "no Chinese in the English page");
}

#[actix_web::test]
async fn error_pages_follow_the_browser_s_language() {
    let app = spawn_app_with(|c| c.run_jobs = false).await;
    let zh = |r: reqwest::RequestBuilder| r.header("accept-language", "zh-TW,zh;q=0.9,en;q=0.8");
    let english = app.second_client();

    // 404.
    let r = zh(english.get(app.url("/nowhere"))).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 404);
    let page = r.text().await.expect("body");
    assert!(page.contains("<html lang=\"zh-Hant-TW\">"));
    assert!(page.contains("找不到網頁") && page.contains("前往首頁"), "{page}");
    let (status, page) = app.get_html("/nowhere").await;
    assert_eq!(status, 404);
    assert!(page.contains("Page not found") && page.contains("Go to the start page"));
    assert!(!page.contains("找不到網頁"));

    // 413: a form body over the limit, refused before any handler.
    let body = [("directory_name", "x".repeat(200 * 1024))];
    let r = zh(english.post(app.url("/cases/directory"))).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 413);
    let page = r.text().await.expect("body");
    assert!(page.contains("送出的內容過大") && page.contains("請縮短最長的答案"), "{page}");
    let r = english.post(app.url("/cases/directory")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 413);
    let page = r.text().await.expect("body");
    assert!(page.contains("The request is too large"));
    assert!(
        page.contains("What you sent is larger than this form accepts. Shorten the longest answer and send it again.")
    );

    // 400: a body that is not the multipart it says it is.
    let garbage = |r: reqwest::RequestBuilder| {
        r.header("content-type", "multipart/form-data; boundary=nope").body("garbage that is not multipart")
    };
    let r = garbage(zh(english.post(app.url("/cases/kpi")))).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 400);
    let page = r.text().await.expect("body");
    assert!(page.contains("您的要求有問題") && page.contains("無法讀取表單。請返回上一頁"), "{page}");
    let r = garbage(english.post(app.url("/cases/kpi"))).send().await.expect("post");
    let page = r.text().await.expect("body");
    assert!(page.contains("There is a problem with the request"));
    assert!(page.contains("The form could not be read. Go back, check your answers and send the form again."));

    // 400: a control character in the query, named.
    let r = zh(english.get(app.url("/track?q=abc%00"))).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.expect("body").contains("網址中的「q」含有控制字元"));

    // 415: the framework's own refusal, rewritten into our page.
    let r = zh(english.post(app.url("/track")))
        .header("content-type", "text/plain")
        .body("reference=x")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 415);
    let page = r.text().await.expect("body");
    assert!(page.contains("<html lang=\"zh-Hant-TW\">"));
    assert!(page.contains("無法讀取表單") && page.contains("請在瀏覽器中"), "{page}");
    let r = english
        .post(app.url("/track"))
        .header("content-type", "text/plain")
        .body("reference=x")
        .send()
        .await
        .expect("post");
    let page = r.text().await.expect("body");
    assert!(page.contains("The form could not be read") && page.contains("Send the form from its page in a browser."));

    // 403: an expired form, in the language chosen by the switch's cookie.
    let r = english.get(app.url("/?lang=zh-TW")).send().await.expect("switch");
    assert_eq!(r.status().as_u16(), 200);
    let body =
        [("idempotency_key", "nope"), ("csrf_token", "nope"), ("reference", "KPI-2026-00001"), ("email", "a@b.c")];
    let r = english.post(app.url("/track")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 403);
    let page = r.text().await.expect("body");
    assert!(page.contains("無法送出表單") && page.contains("表單已過期或並非來自本網站"), "{page}");
}
