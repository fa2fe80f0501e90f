# Frontline，繁體中文：兩份表單（KPI 差異與目錄列名）及其答案可能收到的
# 訊息。每則訊息都須在 ../en/forms.ftl 中有對應（否則測試失敗）。

## 表單共用部分
form-about-you = 關於您
form-partner-id = MPN / 合作夥伴 ID
form-partner-id-hint = 您的 MPN ID 或合作夥伴 ID，6 到 10 位數字
form-company-name = 公司名稱
form-contact-name = 全名
form-contact-email = 電子郵件地址
form-contact-email-hint = 我們會將您的追蹤連結和支援團隊的回覆寄到這個地址
form-role = 您的角色
form-role-hint = 您在合作夥伴中心擔任的角色
form-role-partner-admin = MPN 合作夥伴管理員
form-role-account-admin = MPN 帳戶管理員
form-or = 或
form-role-other = 其他角色
form-role-other-hint = 只有這兩種管理員可以提交：請其中一位替您提交案件

## KPI 差異表單
kpi-title = 回報 KPI 差異
kpi-intro = 當您的 KPI 儀表板與合作夥伴中心對某張發票的資料不一致時，請使用此表單。請先開啟 KPI 儀表板：我們需要它為該發票顯示的七項資料。
kpi-timing = KPI 報表每月更新一次，於月中更新。某月開立的發票，會從次月 15 日起出現在您的 KPI 資料中：例如 1 月開立的發票，會從 2 月 15 日起出現。
form-before-you-start = 開始之前
kpi-eligibility = 支援團隊只能處理由 MPN 合作夥伴管理員或帳戶管理員提交、並附上發票本身的案件。
kpi-document-type = 您手上是哪一種文件？
kpi-document-type-hint = 只接受發票，不接受訂單確認或合作夥伴報表
kpi-document-invoice = 發票
kpi-document-order = 訂單確認
kpi-document-order-hint = 不予受理：請先向您的經銷商或 Microsoft 索取發票
kpi-document-report = 合作夥伴報表
kpi-document-report-hint = 不予受理：支援團隊需要發票本身
kpi-the-discrepancy = 差異內容
kpi-month-legend = KPI 月份
kpi-month-hint = KPI 儀表板上顯示的月份，例如 3 2025
kpi-month = 月
kpi-year = 年
kpi-omlp-type = OMLP 類型
kpi-purchase-unit = 購買單位
kpi-purchase-unit-hint = 依 KPI 儀表板所示，填寫整數
kpi-kpi-value = KPI 值
kpi-kpi-value-hint = 依 KPI 儀表板所示
kpi-revenue-value = 營收值
kpi-revenue-value-hint = 依 KPI 儀表板所示，以您在下方選擇的幣別填寫
kpi-revenue-currency = 營收幣別
kpi-the-invoice = 發票
kpi-invoice-number = 發票號碼
kpi-invoice-number-hint = 依發票上所印
kpi-upload = 上傳發票
kpi-uploaded = 已上傳
kpi-replace-file = 只有要更換檔案時才需選擇檔案
kpi-file-hint = PDF、PNG 或 JPG 檔，小於 10MB
form-anything-else = 其他資訊
kpi-anniversary = 週年日期（選填）
kpi-anniversary-hint = 您的計畫週年日：年、月、日，例如 2025-03-27
kpi-description = 說明差異（選填）
kpi-description-hint = 您的 KPI 儀表板顯示什麼，合作夥伴中心又顯示什麼
kpi-description-count = 最多可輸入 2,000 個字元
kpi-send = 送出案件
form-back = 返回

## 目錄列名表單
dir-title = 申請列入目錄
dir-intro = 如果您的組織未出現在公開的學習合作夥伴目錄中，請使用此表單。
dir-timing = 目錄新增是人工作業。我們每月送出一次，在第三週（15 日至 21 日）。列名會在次月第一週結束前顯示。
dir-eligibility = 支援團隊只能處理由 MPN 合作夥伴管理員或帳戶管理員提交的申請。
dir-your-listing = 您的列名
dir-directory-name = 目錄上顯示的名稱
dir-directory-name-hint = 通常是客戶所熟知的公司名稱
dir-country = 國家/地區
dir-country-hint = 此列名所屬的國家/地區
dir-select-country = 選擇國家/地區
dir-landing-intro = 登陸頁是目錄所連結的網頁。它必須介紹您的 Microsoft 訓練課程，並位於您自己的網站上。
dir-landing-url = 登陸頁網址
dir-landing-url-hint = 您自己網站上介紹 Microsoft 訓練課程的網頁，例如 https://www.example.com/training
dir-your-landing-page = 您的登陸頁
dir-rules-hint = 必須符合全部 3 項規則才能列入目錄
dir-send = 送出申請

## 不予接受的答案：KPI 表單
kpi-error-only-invoices = 只接受正式發票：請上傳發票，而不是訂單確認或合作夥伴報表
kpi-error-year-roc = 年份必須是 4 位數字：{ $typed } 看起來是民國年，請輸入 { $year }
kpi-error-year-two = 年份必須是 4 位數字，例如 { $year }
kpi-error-month-missing = 請輸入 KPI 月份
kpi-error-month-no-month = KPI 月份必須包含月
kpi-error-month-no-year = KPI 月份必須包含年
kpi-error-year-digits = 年份必須是 4 位數字
kpi-error-month-real = KPI 月份必須是真實存在的日期
kpi-error-month-2000 = KPI 月份必須是 2000 年 1 月或之後
kpi-error-month-future = KPI 月份必須是本月或過去的月份
kpi-error-purchase-unit-missing = 請輸入購買單位
kpi-error-purchase-unit-whole = 購買單位必須是整數，例如 25
kpi-error-purchase-unit-max = 購買單位不得超過 { $max }
kpi-error-purchase-unit-min = 購買單位必須是 1 或以上
kpi-error-invoice-number-missing = 請輸入發票號碼
kpi-error-invoice-number-chars = 發票號碼只能包含英文字母、數字、連字號（-）和斜線（/）
kpi-error-invoice-number-long = 發票號碼不得超過 { $max } 個字元
kpi-error-invoice-number-alnum = 發票號碼必須至少包含一個英文字母或數字
kpi-error-kpi-value-missing = 請輸入 KPI 值
kpi-error-kpi-value-negative = KPI 值必須是 0 或以上
kpi-error-kpi-value-format = KPI 值必須是數字，例如 12 或 12.5
kpi-error-revenue-missing = 請輸入營收值
kpi-error-revenue-format = 營收值必須是最多 2 位小數的金額，例如 1250 或 1250.50
kpi-error-revenue-negative = 營收值必須是 0 或以上
kpi-error-currency = 營收幣別必須是清單中的幣別代碼，例如 USD
kpi-error-anniversary-format = 請以年、月、日輸入週年日期
kpi-error-anniversary-real = 週年日期必須是真實存在的日期
kpi-error-description-long = 說明不得超過 { $max } 個字元
kpi-error-description-control = 說明不得包含控制字元
kpi-error-document-type = 請選擇文件類型
kpi-error-omlp-missing = 請選擇 OMLP 類型
kpi-error-omlp-list = 請從清單中選擇 OMLP 類型

## 不予接受的答案：關於您
contact-error-partner-id-missing = 請輸入您的 MPN / 合作夥伴 ID
contact-error-partner-id-digits = MPN / 合作夥伴 ID 只能包含數字 0 到 9
contact-error-partner-id-length = MPN / 合作夥伴 ID 必須是 6 到 10 位數字
contact-error-email-missing = 請輸入您的電子郵件地址
contact-error-email-format = 請輸入格式正確的電子郵件地址，例如 name@example.com
contact-error-role-missing = 請選擇您的角色
contact-error-role-other = 只有 MPN 合作夥伴管理員和 MPN 帳戶管理員可以提交案件：請其中一位替您提交
contact-error-company-missing = 請輸入您的公司名稱
contact-error-name-missing = 請輸入您的全名

## 不予接受的答案：任何一行文字
text-error-too-long = { $label }不得超過 { $max } 個字元
text-error-control = { $label }不得包含控制字元

## 不予接受的答案：目錄表單
dir-error-attest-about = 請確認登陸頁只介紹您的組織
dir-error-attest-competitors = 請確認登陸頁沒有出現競爭對手
dir-error-attest-owned = 請確認登陸頁屬於您的組織
dir-error-country-missing = 請選擇國家/地區
dir-error-country-list = 請從清單中選擇國家/地區
dir-error-name-missing = 請輸入要在目錄上顯示的名稱
dir-name-label = 目錄上的名稱
dir-error-url-long = 登陸頁網址不得超過 { $max } 個字元

## 不予接受的答案：登陸頁網址
url-error-empty = 請輸入登陸頁網址
url-error-format = 請輸入格式正確的登陸頁網址
url-error-not-public = 登陸頁網址必須是公開的網站地址
url-error-port = 登陸頁網址不得指定連接埠：請使用您公開網站的地址，不要加上 :{ $port }
url-error-not-owned = 登陸頁必須位於您自己的網站上，而不是 { $domain }

## 不予接受的檔案
file-error-empty = 所選檔案是空的
file-error-too-large = 所選檔案必須小於 10MB
file-error-type = 所選檔案必須是 PDF、PNG 或 JPG 檔
file-error-damaged = 無法讀取所選檔案：請重新儲存為 PDF、PNG 或 JPG 檔
file-error-wrong-kind = 所選檔案是{ $kind }，不是發票。請上傳發票本身。
file-error-not-invoice = 所選檔案不是發票。請上傳發票本身。
file-error-active = 所選 PDF 含有{ $what }，可能會在開啟它的人的電腦上執行：請將發票列印成新的 PDF（列印，然後另存為 PDF）再上傳
file-error-uncheckable = 所選 PDF 的結構無法檢查是否含有指令碼或內嵌檔案：請將發票列印成新的 PDF（列印，然後另存為 PDF）再上傳
file-error-select = 請選擇發票檔案
document-kind-order_confirmation = 訂單確認
document-kind-partner_report = 合作夥伴報表
document-kind-statement = 對帳單
document-kind-quote = 報價單
document-kind-receipt = 收據
document-kind-credit_note = 折讓單
active-javascript = JavaScript
active-launch = 會啟動程式的指令
active-form = 會傳送資料的表單
active-embedded = 內嵌檔案
active-xfa = XFA 表單
active-other-document = 會開啟其他檔案的連結
active-media = 內嵌媒體
list-and = 和
dir-attest-about = 它只介紹我的組織
dir-attest-competitors = 它沒有出現競爭對手
dir-attest-owned = 它所在的網站屬於我的組織
