# 錯誤頁面（templates/error.html、src/error.rs、src/web/mod.rs）與請求被拒絕時的訊息。
# 每則訊息都須在 ../en/errors.ftl 中有對應（否則測試失敗）。

## 錯誤頁面
error-page-start-link = 前往首頁
error-page-sign-in-title = 登入
error-page-sign-in-message = 請登入以繼續。
error-page-not-found-title = 找不到網頁
error-page-not-found-message = 如果網址是您自己輸入的，請檢查是否正確。如果是貼上的，請確認您複製了完整的網址。
error-page-bad-request-title = 您的要求有問題
error-page-forbidden-title = 無法送出表單
error-page-conflict-title = 無法完成這項操作
error-page-conflict-done = 這項操作已經完成，或同一時間正在進行。請重新載入頁面以查看最新狀態。
error-page-too-large-title = 送出的內容過大
error-page-too-large-message = 您送出的內容超過此表單可接受的大小。
error-page-too-many-title = 嘗試次數過多
error-page-timeout-title = 要求逾時
error-page-timeout-message = 您送出的內容未能及時送達，因此沒有儲存任何資料。請檢查您的網路連線，然後再送出一次。
error-page-busy-title = 很抱歉，服務目前忙碌中
error-page-busy-message =
    { $what ->
        [uploads] 目前正在進行的上傳太多。
        [sign-ins] 目前正在進行的登入太多。
       *[other] 目前正在處理的要求太多。
    }請稍後再試：沒有儲存任何資料。
error-page-unavailable-title = 很抱歉，服務目前無法使用
error-page-unavailable-message = 請在幾分鐘後再試一次。您送出的內容並未遺失：如果您的案件已被受理，頁面上已顯示它的案件編號。
error-page-unexpected-title = 很抱歉，服務發生問題
error-page-unexpected-message = 請稍後再試。
error-page-method-title = 此網頁無法執行這項操作
error-page-method-message = 請返回上一頁，並使用頁面上的表單。
error-page-unreadable-title = 無法讀取表單
error-page-media-type-message = 請在瀏覽器中，從表單所在的頁面送出表單。
error-page-unreadable-message = 請返回上一頁，檢查您的答案，然後再送出一次表單。

## 在到達頁面前就被拒絕的要求
request-address-character = 網址含有不允許的字元。請檢查網址後再試一次。
request-query-character = 網址中的「{ $name }」含有控制字元或不可見的格式字元，這是不允許的。
request-field-character = 欄位「{ $name }」含有控制字元，這是不允許的。請將它移除，然後再送出一次表單。
request-too-large = 您送出的內容超過此表單可接受的大小。請縮短最長的答案，然後再送出一次。
request-form-unreadable = 無法讀取表單。請返回上一頁，檢查您的答案，然後再送出一次表單。
request-form-expired = 表單已過期或並非來自本網站，因此沒有送出任何內容。請重新開啟表單，並從表單頁面送出。
request-too-many-fields = 表單送出的欄位多於表單本身的欄位。

## 次數限制（429）
limit-posts = 您的網路在短時間內送出了許多表單，因此這份表單未被受理。
limit-lookups = 您的網路開啟了許多不存在的追蹤連結，因此暫停為其顯示追蹤頁面。
limit-finds = 您的網路或此案件編號在短時間內查詢了許多次，因此這次查詢未執行。
limit-wait-minute = 請等候一分鐘後再試一次。
limit-wait-minutes = 請等候 { $n } 分鐘後再試一次。
