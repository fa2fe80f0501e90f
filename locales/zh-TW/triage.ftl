# Frontline，繁體中文：分類處理時告訴合作夥伴的案件說明（顯示於追蹤頁面，
# 以案件的語言寫成）。每則訊息都須在 ../en/triage.ftl 中有對應。

triage-guidance-too-early = KPI 資料於每月 15 日更新，因此 { $invoice } 發票的 KPI 應自 { $date } 起顯示。在此之前，此案件會保持開啟。
triage-guidance-outside-window = 這張 { $invoice } 的發票不在您 { $renewal } 續約日之前的 12 個月內，因此不會計入該次續約。
triage-guidance-duplicate-one = { $what }已有一個處理中的案件（{ $reference }）；兩者會一併處理。
triage-guidance-duplicate-many = { $what }已有多個處理中的案件（{ $references }）；它們會全部一併處理。
triage-what-invoice = 這張發票
triage-what-directory = 您的目錄列名申請
triage-guidance-plain-http = 您的登陸頁使用未加密的 HTTP；建議改用 HTTPS，讓從目錄前來的訪客看到安全的網頁。
