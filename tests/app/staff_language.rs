//! The staff pages in Traditional Chinese when the viewer asks for it
//! (`?lang=zh-TW`, then the cookie it sets), and in English by default.

use chrono::Datelike;

use crate::helpers::*;

/// A date as the Chinese pages write it.
fn zh_date(d: chrono::NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[actix_web::test]
async fn staff_pages_read_in_traditional_chinese_when_asked_and_in_english_by_default() {
    let app = spawn_app_with(|c| c.run_jobs = false).await;
    let r = app.post_directory(&directory_fields()).await;
    let (_, tracking) = app.get_html(&location(&r)).await;
    let reference = reference_in(&tracking).expect("reference");
    let due = app.case(&reference).await.due_date;

    // English by default: the sign-in page, the queue and a case.
    let (status, login) = app.get_html("/staff/login").await;
    assert_eq!(status, 200);
    assert!(login.contains("<html lang=\"en\">"), "English by default");
    assert!(login.contains("<h1 class=\"heading-l\">Sign in</h1>"));
    assert!(login.contains("For Frontline Support staff."));
    app.sign_in_as("lin@frontline.example", "admin").await;
    let (status, queue) = app.get_html("/staff/queue").await;
    assert_eq!(status, 200);
    assert!(queue.contains("<html lang=\"en\">"));
    for english in ["Claim next case", "Most urgent first", "Apply filters", "1 case – Open work", "Unassigned"] {
        assert!(queue.contains(english), "{english}");
    }
    assert!(!queue.contains("案件佇列"), "no Chinese on the English queue");
    let case_path = format!("/staff/cases/{reference}");
    let (_, case) = app.get_html(&case_path).await;
    for english in ["Back to the queue", "Name on the directory", "Timeline", "Add an internal note", "Send reply"] {
        assert!(case.contains(english), "{english}");
    }
    assert!(case.contains(&frontline::domain::calendar::long_date(due)), "the due date, the English way");

    // `?lang=zh-TW`: the queue in Traditional Chinese, with its ids and names as before.
    let (status, queue) = app.get_html("/staff/queue?lang=zh-TW").await;
    assert_eq!(status, 200);
    assert!(queue.contains("<html lang=\"zh-Hant-TW\">"));
    for chinese in
        ["<h1 class=\"heading-l\">案件佇列</h1>", "認領下一個案件", "篩選條件", "最緊急的在前", "1 個案件 – 待處理案件"]
    {
        assert!(queue.contains(chinese), "{chinese}");
    }
    for english in ["Claim next case", "Apply filters", "Most urgent first", "Sign out", ">Unassigned<"] {
        assert!(!queue.contains(english), "{english} is translated");
    }
    for kept in ["id=\"kind\"", "name=\"status\"", "id=\"q\"", "action=\"/staff/queue/claim-next\""] {
        assert!(queue.contains(kept), "{kept}");
    }

    // The cookie keeps the language: a case page in Chinese, dates the Chinese way.
    let (status, case) = app.get_html(&case_path).await;
    assert_eq!(status, 200);
    assert!(case.contains("<html lang=\"zh-Hant-TW\">"));
    for chinese in ["返回案件佇列", "目錄上顯示的名稱", "時間軸", "新增內部備註", "送出回覆", "登出"]
    {
        assert!(case.contains(chinese), "{chinese}");
    }
    assert!(case.contains(&zh_date(due)), "the due date, the Chinese way");
    for english in ["Back to the queue", "Add an internal note", "Send reply", "Timeline"] {
        assert!(!case.contains(english), "{english} is translated");
    }
    // A refusal on a staff form is in Chinese too.
    let mut body: Vec<(String, String)> = hidden_inputs(&case).into_iter().collect();
    body.push(("body".into(), "   ".into()));
    let r = app.client.post(app.url(&format!("{case_path}/note"))).form(&body).send().await.expect("note");
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.expect("body").contains("請輸入備註"));

    // The other staff pages.
    for (path, chinese) in [
        ("/staff/directory/batches", "目錄批次"),
        ("/staff/accounts", "建立帳戶"),
        ("/staff/account", "我的帳戶"),
        ("/staff/nowhere", "找不到頁面"),
    ] {
        let (_, page) = app.get_html(path).await;
        assert!(page.contains(chinese), "{path}: {chinese}");
        assert!(page.contains("<html lang=\"zh-Hant-TW\">"), "{path}");
    }

    // The sign-in page, asked for in Chinese by someone not signed in.
    let visitor = app.second_client();
    let r = visitor.get(app.url("/staff/login?lang=zh-TW")).send().await.expect("login");
    let login = r.text().await.expect("body");
    assert!(login.contains("<html lang=\"zh-Hant-TW\">"));
    assert!(login.contains("<h1 class=\"heading-l\">登入</h1>"));
    assert!(login.contains("僅供 Frontline 支援團隊人員使用。"));
    assert!(login.contains("id=\"email\"") && login.contains("id=\"password\""));
    let mut body: Vec<(String, String)> = hidden_inputs(&login).into_iter().collect();
    body.push(("email".into(), "lin@frontline.example".into()));
    body.push(("password".into(), "not the password".into()));
    let r = visitor.post(app.url("/staff/login")).form(&body).send().await.expect("sign in");
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.expect("body").contains("請輸入正確的電子郵件地址和密碼"));

    // And back to English.
    let (_, queue) = app.get_html("/staff/queue?lang=en").await;
    assert!(queue.contains("<html lang=\"en\">") && queue.contains("Claim next case"));
}
