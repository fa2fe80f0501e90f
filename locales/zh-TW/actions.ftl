# Frontline，繁體中文：案件操作（支援人員表單與合作夥伴的回覆）可能拒絕的
# 原因。每則訊息都須在 ../en/actions.ftl 中有對應。

action-error-assignee-missing = 請選擇要將案件指派給誰
action-error-status-missing = 請選擇新的狀態
action-error-status-use-close-form = 請使用「解決或拒絕」或「標記為重複」來結案，合作夥伴才會收到訊息
action-error-note-missing = 請輸入備註
action-error-reply-missing = 請輸入給合作夥伴的回覆
action-error-outcome-missing = 請選擇案件是已解決還是已拒絕
action-error-resolution-missing = 請輸入給合作夥伴的訊息
action-error-original-missing = 請輸入原始案件的編號
action-error-original-self = 原始案件必須是另一個案件，不能是 { $reference }
action-error-no-such-case = 沒有編號為 { $reference } 的案件
action-error-partner-reply-missing = 請輸入您的回覆
action-error-stale = 您開啟此案件後，案件已有變更：請查看最新內容後再試一次
action-error-closed-file-new = 此案件已結案，因此您的回覆沒有送出。如果您仍需要協助，請提交新案件並註明此案件編號。
action-reply-label = 您的回覆

## 目錄項目進度變更時寫給合作夥伴的時間軸紀錄
batch-submitted-message = 已隨 { $batch } 的批次送交目錄。您的目錄項目預計在 { $date } 前顯示於目錄中。
batch-published-message = 已隨 { $batch } 的批次刊登於學習合作夥伴目錄。

## 目錄批次拒絕的原因（支援人員）
batch-error-already-submitted = { $batch } 的批次已經提交，無法再次提交
batch-error-nothing-to-submit = { $batch } 的批次沒有已核准的申請，沒有可提交的內容
batch-error-not-submitted = { $batch } 的批次尚未提交：請先提交，再標記為已上線
batch-error-already-published = { $batch } 的批次已經上線
