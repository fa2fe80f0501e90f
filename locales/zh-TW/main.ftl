# Frontline，繁體中文。每則訊息都須在 ../en/main.ftl 中有對應（否則測試失敗）。

## 每一頁的版面
site-name = Frontline
site-service = 學習合作夥伴支援
skip-link = 跳到主要內容
meta-description = Frontline 學習合作夥伴支援：回報 KPI 差異、申請列入目錄，並追蹤您的案件。
footer-text = Frontline 學習合作夥伴支援。請保存您的追蹤連結：這是查看案件的唯一方式。
language-label = 語言

## 首頁
home-title = 向 Frontline 支援團隊尋求協助
home-intro = 學習合作夥伴可以就兩件事向 Frontline 支援團隊尋求協助。只有 MPN 合作夥伴管理員或 MPN 帳戶管理員可以提交案件。
home-kpi-link = 回報 KPI 差異
home-kpi-text = 您的 KPI 儀表板與合作夥伴中心對某張發票的資料不一致。您需要 KPI 儀表板上該發票的七項資料（月份、年份、OMLP 類型、購買單位、發票號碼、KPI 值與營收值）以及發票本身。訂單確認與合作夥伴報表不予受理。
home-directory-link = 申請列入目錄
home-directory-text = 您的組織未出現在公開的學習合作夥伴目錄中。您需要要顯示的名稱、您的國家/地區，以及您自己網站上以 Microsoft 為主題的登陸頁網址。
home-track-heading = 追蹤案件
home-track-text = 提交案件後，您會取得一個追蹤連結，我們也會以電子郵件寄給您。開啟連結即可查看案件狀態、重要日期與支援團隊的訊息，並回覆。
home-find-text = 遺失連結了嗎？
home-find-link = 查詢您的案件

## 查詢案件
find-title = 查詢您的案件
find-title-unknown = 找不到這個案件
find-intro = 遺失追蹤連結了嗎？請提供案件編號和您提交案件時使用的電子郵件地址，我們會將連結寄給您。
find-unknown-1 = 您開啟的追蹤連結無法對應到任何案件。連結可能在複製時被截斷：連結很長，必須完整複製。
find-unknown-2 = 請提供案件編號和電子郵件地址，我們會寄給您一個可用的連結。
find-reference-label = 案件編號
find-reference-hint = 在您提交案件時收到的電子郵件中，例如 KPI-2026-00042
find-email-label = 電子郵件地址
find-email-hint = 您提交案件時提供的電子郵件地址
find-submit = 寄送連結給我
find-sent-title = 已收到您的要求
find-sent-heading = 如果案件編號與電子郵件地址屬於同一個案件，我們已將追蹤連結寄到該地址。
find-sent-body = 郵件可能需要幾分鐘才會送達。若沒有收到，請檢查垃圾郵件資料夾，並確認您輸入的是提交案件時提供的地址。
find-back = 返回
find-error-reference-missing = 請輸入案件編號，例如 KPI-2026-00042
find-error-reference-long = 案件編號不得超過 254 個字元
find-error-email-missing = 請輸入您提交案件時提供的電子郵件地址
find-error-email-format = 請輸入格式正確的電子郵件地址，例如 name@example.com
error-summary-title = 發生問題
error-prefix = 錯誤：
