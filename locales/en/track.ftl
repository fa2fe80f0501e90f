# The tracking page a partner reads (templates/partner/track.html,
# src/web/partner/track.rs) and the case statuses partners see. Every
# message here must also be in ../zh-TW/track.ftl (a test fails otherwise).

## Between two pieces of a sentence: a space in English, nothing in Chinese
track-space = { " " }

## Titles and banners
track-title = Case { $reference }
track-title-submitted = Case submitted
track-reference-number = Your reference number
track-banner-success = Success
track-banner-replied = Reply sent – Frontline Support will look at your case again
track-kind-kpi = KPI discrepancy
track-kind-directory = Directory listing
track-status-label = Status:

## Statuses as the partner sees them
status-open = Received
status-in-review = In review
status-waiting-on-partner = Waiting for your reply
status-approved = Approved
status-submitted = Submitted to directory
status-published = Published
status-resolved = Resolved
status-rejected = Rejected
status-duplicate = Duplicate

## What happens next
track-next-heading = What happens next
track-next-kpi-later = KPI reports are updated once a month, on the 15th. Your { $month } invoice’s KPIs should show on your KPI dashboard from { $date }.
track-next-kpi-late = KPI reports are updated once a month, on the 15th. Your { $month } invoice’s KPIs should have shown on your KPI dashboard since { $date }: we are checking why they do not.
track-next-batch-visible = Your listing was sent in the { $batch } batch and should be visible in the directory now.
track-next-batch-sent = Your listing was sent in the { $batch } batch and should be visible by in the directory { $visible }.
track-next-published = Your listing is published in the Learning Partner directory.
track-next-approved = Your listing is approved and goes in the batch we send between { $opens_day } and { $closes }; it should be visible by { $visible }.
track-next-listing = We send listing requests once a month, in the third week. Once approved, yours goes in the batch for { $opens_day } to { $closes } and should be visible by { $visible }.
track-next-waiting = We need your answer to go on: reply below.
track-next-review-by = We aim to review your case by { $date }.
track-next-review-late = We aimed to review your case by { $date }; it is taking longer, and it is still being worked on.
track-outcome-heading = Outcome

## The tracking link
track-link-heading = Your tracking link
track-link-emailed = We e-mailed this link to the address you gave.
track-link-keep = Keep it: it opens this page, where you can read support’s messages and answer them. Anyone who has it can see your case.
track-link-label = Tracking link
track-link-copy = Copy link
track-lost-before = Lost it?
track-lost-link = Find your case
track-lost-after = { " " }with its reference and your e-mail address.

## Messages
track-messages-heading = Messages from support
track-messages-none = No messages yet.
track-from-you = You
track-from-system = Frontline
track-from-support = Frontline Support
track-download = Download { $name } ({ $detail })
track-file-detail = { $type }, { $size }
track-file-type-other = file
track-size-bytes = { $n } bytes

## Replying
track-closed-note = This case is closed. If you still need help, file a new case and mention the reference { $reference }.
track-start-new = Start a new case
track-reply-heading = Reply to Frontline Support
track-reply-intro-waiting = We are waiting for your answer before we can go on with your case.
track-reply-intro-closed = If something is still not right, reply here: your case opens again and Frontline Support looks at it again.
track-reply-intro-open = You can send support a message or a file at any time while your case is open.
track-reply-label = Your reply
track-reply-hint = You can enter up to { $max } characters
track-attach-label = Attach a file (optional)
track-attach-hint = A PDF, PNG or JPG, smaller than 10MB
track-reply-submit = Send reply

## What you sent
track-sent-heading = What you sent
track-not-provided = Not provided
track-answer-partner-id = MPN / Partner ID
track-answer-company = Company name
track-answer-name = Full name
track-answer-email = Email address
track-answer-role = Your role
track-answer-kpi-month = KPI month
track-answer-omlp = OMLP type
track-answer-purchase-unit = Purchase unit
track-answer-kpi-value = KPI value
track-answer-revenue = Revenue value
track-answer-invoice-number = Invoice number
track-answer-document-type = Type of document
track-answer-document-invoice = Invoice
track-answer-invoice-file = Invoice file
track-answer-invoice-file-value = { $name } ({ $detail })
track-answer-anniversary = Anniversary date
track-answer-description = Description
track-answer-directory-name = Name on the directory
track-answer-country = Country
track-answer-landing-url = Landing page URL
track-answer-landing-page = Your landing page
track-answer-landing-page-value = Only about your organisation, shows no competitors, owned by your organisation

## Contact
track-contact-heading = Contact support
track-contact-text = Quote your reference number, { $reference }, whenever you contact Frontline Support.
track-link-copied = Copied
