# Frontline，繁體中文：檔案保存規定（FRONTLINE_RETENTION_DAYS），以及內容已刪除的
# 檔案如何顯示。這裡的每則訊息也必須出現在 ../en/retention.ftl。隱私權頁面的
# 文字在 main.ftl。

## 期間（$n 至少為 2）
retention-days = { $n } 天
retention-days-one = 1 天

## 追蹤頁面與支援人員案件頁面上已刪除的檔案
retention-file-removed = { $name }（{ $detail }）：依檔案保存規定，已於結案 { $period }後刪除

## 下載網址（410 Gone）
retention-gone-title = 此檔案已刪除
retention-gone-message = 依檔案保存規定，此檔案的內容已於案件結案 { $period }後刪除。案件、訊息與檔案名稱仍然保留。

## 支援人員時間軸上記錄刪除的項目
staff-event-files_removed = 已刪除上傳的檔案
