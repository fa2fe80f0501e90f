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
home-before-heading = 開始之前
home-before-who = 只有 MPN 合作夥伴管理員或 MPN 帳戶管理員可以提交案件。如果您擔任其他角色，請其中一位替您提交。
home-before-kpi = 回報 KPI 差異時，請備妥 KPI 儀表板上該發票的七項資料，以及發票本身的 PDF、PNG 或 JPG 檔（不接受訂單確認或合作夥伴報表）。
home-before-directory = 申請列入目錄時，請備妥要顯示的名稱、您的國家/地區，以及您自己網站上一個登陸頁的網址：它只介紹您的組織、沒有出現競爭對手，並且屬於您的組織。
home-timing = 備妥這些資料後，填寫約需 5 分鐘。我們的目標是在 { $kpi } 個工作天內審查 KPI 案件，在 { $directory } 個工作天內審查列名申請。
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

## 頁尾頁面
footer-contact = 聯絡我們
footer-privacy = 隱私權
footer-accessibility = 無障礙
contact-title = 聯絡 Frontline 支援團隊
contact-p1 = Frontline 支援團隊透過您的案件回覆，讓所有訊息都留在案件中，整個團隊都能看到。
contact-p2 = 若要詢問您已提交的案件，請開啟追蹤連結並在該頁面留言：您可以附加檔案，我們回覆時會以電子郵件通知您。
contact-p3 = 若有新的問題，請從首頁提交案件：回報 KPI 差異或申請列入目錄。
contact-p4 = 遺失追蹤連結了嗎？請用案件編號和電子郵件地址查詢您的案件，我們會將連結寄給您。
privacy-title = Frontline 如何使用您的資訊
privacy-p1 = 您提交案件時，Frontline 會保存您提供的資料（姓名、電子郵件地址、角色、合作夥伴 ID 與案件內容）以及您上傳的檔案（您的發票，以及附加在訊息中的檔案），用於處理您的案件。只有本計畫的支援人員可以看到這些資料，包括您的發票；其他人都無法看到，檔案也不會以電子郵件寄出。
# $period：設定的保存期間，例如「365 天」（FRONTLINE_RETENTION_DAYS）；$days：僅數字。
privacy-p2 = 您上傳的檔案在案件處理期間都會保存，並在案件結案（已解決、未獲受理、因重複而結案，或已刊登於目錄）後再保存 { $period }；之後檔案內容會被刪除，您的追蹤頁面也會註明。案件紀錄本身（您的資料、訊息，以及各檔案的名稱與大小）會繼續保留。
privacy-p2-forever = 您上傳的檔案會隨案件保存，未設定保存期限。案件紀錄本身（您的資料、訊息，以及各檔案的名稱與大小）也會保留。
privacy-p3 = 我們會寄送與您案件相關的電子郵件到您提供的地址：案件已收到、支援團隊回覆或做出決定時，以及您要求時的追蹤連結。我們不會寄送其他郵件。
privacy-p4 = 您的追蹤連結是機密：我們只儲存它的指紋，也從不寫入紀錄檔。為保護服務，我們會依網路位址計算請求次數，最多保留一天。
privacy-p5 = 您選擇的語言會保存在 Cookie 中一年；提交案件後的一次性確認也使用 Cookie。支援人員登入使用工作階段 Cookie。我們不使用追蹤或廣告 Cookie。
accessibility-title = 無障礙聲明
accessibility-p1 = Frontline 的設計以每個人都能使用為目標：頁面採用經過驗證的公共服務設計模式，可以用鍵盤操作、不需要 JavaScript，並以文字而非僅以顏色說明錯誤。目前尚未經過無障礙稽核，也尚未逐頁以螢幕閱讀器檢查。
accessibility-p2 = 表單會在每個答案旁說明錯誤並在頂端列出所有問題，保留您輸入的內容，並接受以全形輸入的數字。
accessibility-p3 = 每一頁都提供英文與繁體中文：請用頁面頂端的語言切換選擇。每一頁都會在真實瀏覽器中以 axe、手機寬度並只用鍵盤檢查。
accessibility-p4 = 如果有任何地方不容易使用，請透過您的案件告訴我們，或從首頁提交案件，並說明您想做什麼。

## For the unit test of arguments
test-args = { $n } 年
