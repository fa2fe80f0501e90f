# Frontline, English: the retention rule (FRONTLINE_RETENTION_DAYS), how a
# file whose contents were removed shows. Every message here must also be in
# ../zh-TW/retention.ftl. The privacy page's words are in main.ftl.

## How long, in words ($n is at least 2)
retention-days = { $n } days
retention-days-one = 1 day

## A removed file, on the tracking page and the staff case page
retention-file-removed = { $name } ({ $detail }): removed after { $period } under the retention rule

## Its download address (410 Gone)
retention-gone-title = This file was removed
retention-gone-message = Its contents were deleted { $period } after the case closed, under the retention rule. The case, its messages and the file's name are still there.

## The staff timeline entry that records a purge
staff-event-files_removed = Uploaded files removed
