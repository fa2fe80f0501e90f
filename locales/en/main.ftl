# Frontline, English. Every message here must also be in ../zh-TW/main.ftl
# (a test fails otherwise).

## The layout of every page
site-name = Frontline
site-service = Learning Partner support
skip-link = Skip to main content
meta-description = Frontline Support for Learning Partners: report a KPI discrepancy, request a directory listing, and follow your case.
footer-text = Frontline Support for Learning Partners. Keep your tracking link: it is the only way to see your case.
language-label = Language

## The start page
home-title = Get help from Frontline Support
home-intro = Learning Partners can ask Frontline Support for help with two things. Only an MPN partner admin or an MPN account admin can file a case.
home-before-heading = Before you start
home-before-who = Only an MPN partner admin or an MPN account admin can file a case. If you hold another role, ask one of them to file it.
home-before-kpi = For a KPI discrepancy, have ready the seven details your KPI dashboard shows for the invoice, and the invoice itself as a PDF, PNG or JPG (not an order confirmation or a partner report).
home-before-directory = For a directory listing, have ready the name to show, your country, and the address of a landing page on your own website that is only about your organisation, shows no competitors, and is yours.
home-timing = Filing takes about 5 minutes with these ready. We aim to review a KPI case within { $kpi } working days and a listing request within { $directory } working days.
home-kpi-link = Report a KPI discrepancy
home-kpi-text = Your KPI dashboard and Partner Center disagree about an invoice. You need the seven details your KPI dashboard shows for it (month, year, OMLP type, purchase unit, invoice number, KPI value and revenue value) and the invoice itself. Order confirmations and partner reports are not accepted.
home-directory-link = Request a directory listing
home-directory-text = Your organisation is missing from the public Learning Partner directory. You need the name to show, your country, and the address of a Microsoft-themed landing page on your own website.
home-track-heading = Track a case
home-track-text = When you send a case you get a tracking link, and we e-mail it to you. Open it to see your case’s status, the dates that matter and messages from support, and to answer them.
home-find-text = Lost the link?
home-find-link = Find your case

## Find my case
find-title = Find your case
find-title-unknown = We could not find that case
find-intro = Lost your tracking link? Give us your case reference and the e-mail address you filed it with, and we will e-mail you the link.
find-unknown-1 = The tracking link you opened does not lead to a case. It may have been cut short when it was copied: links are long, and must be copied in full.
find-unknown-2 = Give us your case reference and e-mail address and we will e-mail you a working link.
find-reference-label = Case reference
find-reference-hint = It is in the e-mail we sent when you filed the case, like KPI-2026-00042
find-email-label = Email address
find-email-hint = The address you gave when you filed the case
find-submit = Send me the link
find-sent-title = Request received
find-sent-heading = If the reference and e-mail address belong to the same case, we have e-mailed its tracking link to that address.
find-sent-body = It can take a few minutes to arrive. If nothing comes, check your spam folder, and that you typed the address you gave when you filed the case.
find-back = Back
find-error-reference-missing = Enter your case reference, like KPI-2026-00042
find-error-reference-long = Case reference must be 254 characters or less
find-error-email-missing = Enter the e-mail address you gave when you filed the case
find-error-email-format = Enter an e-mail address in the correct format, like name@example.com
error-summary-title = There is a problem
error-prefix = Error:

## Footer pages
footer-contact = Contact
footer-privacy = Privacy
footer-accessibility = Accessibility
contact-title = Contact Frontline Support
contact-p1 = Frontline Support answers through your case, so every message stays with it and the whole team can see it.
contact-p2 = To ask about a case you filed, open its tracking link and write to us there: you can attach a file, and we e-mail you when we reply.
contact-p3 = To ask about something new, file a case: a KPI discrepancy or a directory listing request, from the start page.
contact-p4 = Lost your tracking link? Find your case with its reference and your e-mail address, and we will e-mail you the link.
privacy-title = How Frontline uses your information
privacy-p1 = When you file a case, Frontline keeps what you sent (your name, e-mail address, role, Partner ID and the case's details) and the files you upload (your invoice, and any file attached to a message), to handle your case. Only the programme's support staff can see them, your invoice included; nobody else can, and files are never sent by e-mail.
# $period: the configured retention, "365 days" (FRONTLINE_RETENTION_DAYS); $days: the number alone.
privacy-p2 = Uploaded files are kept while your case is open and for { $period } after it closes (resolved, rejected, closed as a duplicate, or published in the directory); then their contents are deleted, and your tracking page says so. The case record itself (your details, the messages, and each file's name and size) is kept.
privacy-p2-forever = Uploaded files are kept with the case, with no time limit set. The case record itself (your details, the messages, and each file's name and size) is kept too.
privacy-p3 = We e-mail you about your case at the address you gave: that the case was received, when support replies or decides, and the tracking link when you ask for it. We send nothing else.
privacy-p4 = Your tracking link is a secret: only a fingerprint of it is stored, and it is never written to our logs. To protect the service, we count requests per network address for up to a day.
privacy-p5 = Your language choice is kept in a cookie for a year; a cookie shows the one-time confirmation after you file. Staff sign-in uses a session cookie. We use no tracking or advertising cookies.
accessibility-title = Accessibility statement
accessibility-p1 = Frontline is built to work for everyone: its pages follow well-tested public-service patterns, work with a keyboard and without JavaScript, and say what is wrong in words, not only in colour. It has not yet been checked by an accessibility auditor or page by page with a screen reader.
accessibility-p2 = Forms say what is wrong next to each answer and list every problem at the top, keep what you typed, and accept numbers typed in full-width mode.
accessibility-p3 = Every page is in English and Traditional Chinese: choose with the language switch at the top of the page. Each page is checked in a real browser with axe, at phone width, with the keyboard only.
accessibility-p4 = If something is hard to use, tell us through your case, or file a case from the start page, and say what you were trying to do.

## For the unit test of arguments
test-args = Year { $n }
