# 合作夥伴看到的追蹤頁面（templates/partner/track.html、src/web/partner/track.rs）
# 與合作夥伴看到的案件狀態。每則訊息都須在 ../en/track.ftl 中有對應（否則測試失敗）。

## 句子兩段之間：英文是空格，中文不留空
track-space = { "" }

## 標題與通知
track-title = 案件 { $reference }
track-title-submitted = 案件已提交
track-reference-number = 您的案件編號
track-banner-success = 成功
track-banner-replied = 已送出回覆：Frontline 支援團隊會再次查看您的案件
track-kind-kpi = KPI 差異回報
track-kind-directory = 目錄列入申請
track-status-label = 狀態：

## 合作夥伴看到的案件狀態
status-open = 已收到
status-in-review = 審查中
status-waiting-on-partner = 等候您的回覆
status-approved = 已核准
status-submitted = 已送交目錄
status-published = 已上線
status-resolved = 已解決
status-rejected = 未獲受理
status-duplicate = 重複案件

## 接下來
track-next-heading = 接下來
track-next-kpi-later = KPI 報表每月更新一次，於 15 日更新。您{ $month }發票的 KPI 應自{ $date }起顯示在您的 KPI 儀表板上。
track-next-kpi-late = KPI 報表每月更新一次，於 15 日更新。您{ $month }發票的 KPI 應自{ $date }起就已顯示在您的 KPI 儀表板上：我們正在查明為何沒有顯示。
track-next-batch-visible = 您的目錄項目已隨{ $batch }的批次送出，現在應該已顯示在目錄中。
track-next-batch-sent = 您的目錄項目已隨{ $batch }的批次送出，預計在{ $visible }前顯示於目錄中。
track-next-published = 您的目錄項目已在學習合作夥伴目錄中上線。
track-next-approved = 您的目錄列入申請已核准，將列入我們在{ $opens }至{ $closes }之間送出的批次；預計在{ $visible }前顯示於目錄中。
track-next-listing = 我們每月送出一次目錄列入申請，時間在第三週。申請核准後，將列入{ $opens }至{ $closes }的批次，預計在{ $visible }前顯示於目錄中。
track-next-waiting = 我們需要您的回答才能繼續處理：請在下方回覆。
track-next-review-by = 我們預計在{ $date }前審查您的案件。
track-next-review-late = 我們原本預計在{ $date }前審查您的案件；目前需要較長的時間，案件仍在處理中。
track-outcome-heading = 結果

## 追蹤連結
track-link-heading = 您的追蹤連結
track-link-emailed = 我們已將此連結寄到您提供的電子郵件地址。
track-link-keep = 請妥善保存：這個連結會開啟此頁面，您可以在這裡閱讀支援團隊的訊息並回覆。任何取得連結的人都能看到您的案件。
track-link-label = 追蹤連結
track-link-copy = 複製連結
track-lost-before = 遺失了嗎？請用案件編號和您的電子郵件地址
track-lost-link = 查詢您的案件
track-lost-after = 。

## 訊息
track-messages-heading = 支援團隊的訊息
track-messages-none = 目前還沒有訊息。
track-from-you = 您
track-from-system = Frontline
track-from-support = Frontline 支援團隊
track-download = 下載 { $name }（{ $detail }）
track-file-detail = { $type }，{ $size }
track-file-type-other = 檔案
track-size-bytes = { $n } 位元組

## 回覆
track-closed-note = 此案件已結案。如果您仍需要協助，請提交新案件，並註明案件編號 { $reference }。
track-start-new = 提交新案件
track-reply-heading = 回覆 Frontline 支援團隊
track-reply-intro-waiting = 我們正在等候您的回答，才能繼續處理您的案件。
track-reply-intro-closed = 如果仍有問題，請在這裡回覆：您的案件會重新開啟，Frontline 支援團隊會再次處理。
track-reply-intro-open = 在案件處理期間，您隨時可以傳送訊息或檔案給支援團隊。
track-reply-label = 您的回覆
track-reply-hint = 您最多可以輸入 { $max } 個字元
track-attach-label = 附加檔案（選填）
track-attach-hint = PDF、PNG 或 JPG 檔案，小於 10MB
track-reply-submit = 送出回覆

## 您提交的內容
track-sent-heading = 您提交的內容
track-not-provided = 未提供
track-answer-partner-id = MPN／合作夥伴 ID
track-answer-company = 公司名稱
track-answer-name = 全名
track-answer-email = 電子郵件地址
track-answer-role = 您的角色
track-answer-kpi-month = KPI 月份
track-answer-omlp = OMLP 類型
track-answer-purchase-unit = 購買單位
track-answer-kpi-value = KPI 值
track-answer-revenue = 營收值
track-answer-invoice-number = 發票號碼
track-answer-document-type = 文件類型
track-answer-document-invoice = 發票
track-answer-invoice-file = 發票檔案
track-answer-invoice-file-value = { $name }（{ $detail }）
track-answer-anniversary = 週年日期
track-answer-description = 說明
track-answer-directory-name = 目錄上顯示的名稱
track-answer-country = 國家/地區
track-answer-landing-url = 登陸頁網址
track-answer-landing-page = 您的登陸頁
track-answer-landing-page-value = 只介紹您的組織、不展示任何競爭對手，且由您的組織擁有

## 聯絡
track-contact-heading = 聯絡支援團隊
track-contact-text = 每次聯絡 Frontline 支援團隊時，請提供您的案件編號 { $reference }。
track-link-copied = 已複製
