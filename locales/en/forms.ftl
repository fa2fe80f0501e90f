# Frontline, English: the two forms (KPI discrepancy and directory listing)
# and the messages their answers can get. Every message here must also be
# in ../zh-TW/forms.ftl (a test fails otherwise).

## Shared form parts
form-about-you = About you
form-partner-id = MPN / Partner ID
form-partner-id-hint = Your MPN ID or Partner ID, 6 to 10 digits
form-company-name = Company name
form-contact-name = Full name
form-contact-email = Email address
form-contact-email-hint = We e-mail your tracking link and support’s replies to this address
form-role = Your role
form-role-hint = The role you hold in Partner Center
form-role-partner-admin = MPN partner admin
form-role-account-admin = MPN account admin
form-or = or
form-role-other = Another role
form-role-other-hint = Only the two admins can file: ask one of them to file the case for you

## The KPI discrepancy form
kpi-title = Report a KPI discrepancy
kpi-intro = Use this form when your KPI dashboard and Partner Center disagree about an invoice. Have your KPI dashboard open: we need the seven details it shows for the invoice.
kpi-timing = KPI reports are updated once a month, in the middle of the month. An invoice dated in one month shows in your KPI data from the 15th of the next month: for example, an invoice dated January shows from 15 February.
form-before-you-start = Before you start
kpi-eligibility = Support can act only on a case filed by an MPN partner admin or account admin, with the invoice itself.
kpi-document-type = What document do you have?
kpi-document-type-hint = Only invoices are accepted, not order confirmations or partner reports
kpi-document-invoice = Invoice
kpi-document-order = Order confirmation
kpi-document-order-hint = Not accepted: ask your distributor or Microsoft for the invoice first
kpi-document-report = Partner report
kpi-document-report-hint = Not accepted: support needs the invoice itself
kpi-the-discrepancy = The discrepancy
kpi-month-legend = KPI month
kpi-month-hint = The month shown on your KPI dashboard, for example 3 2025
kpi-month = Month
kpi-year = Year
kpi-omlp-type = OMLP type
kpi-purchase-unit = Purchase unit
kpi-purchase-unit-hint = As shown on your KPI dashboard, a whole number
kpi-kpi-value = KPI value
kpi-kpi-value-hint = As shown on your KPI dashboard
kpi-revenue-value = Revenue value
kpi-revenue-value-hint = As shown on your KPI dashboard, in the currency you select below
kpi-revenue-currency = Revenue currency
kpi-the-invoice = The invoice
kpi-invoice-number = Invoice number
kpi-invoice-number-hint = As printed on the invoice
kpi-upload = Upload the invoice
kpi-uploaded = is uploaded
kpi-replace-file = Choose a file only to replace it
kpi-file-hint = A PDF, PNG or JPG, smaller than 10MB
form-anything-else = Anything else
kpi-anniversary = Anniversary date (optional)
kpi-anniversary-hint = Your programme anniversary: year, month and day, for example 2025-03-27
kpi-description = Describe the discrepancy (optional)
kpi-description-hint = What your KPI dashboard shows and what Partner Center shows
kpi-description-count = You can enter up to 2,000 characters
kpi-send = Send the case
form-back = Back

## The directory listing form
dir-title = Request a directory listing
dir-intro = Use this form if your organisation is missing from the public Learning Partner directory.
dir-timing = Directory additions are a manual process. We send them once a month, in the third week (the 15th to the 21st). Listings become visible by the end of the first week of the next month.
dir-eligibility = Support can act only on a request filed by an MPN partner admin or account admin.
dir-your-listing = Your listing
dir-directory-name = Name to show on the directory
dir-directory-name-hint = Usually your company name, as customers know it
dir-country = Country
dir-country-hint = The country your listing is for
dir-select-country = Select a country
dir-landing-intro = The landing page is the page the directory links to. It must be about your Microsoft training, on your own website.
dir-landing-url = Landing page URL
dir-landing-url-hint = A page on your own website about your Microsoft training, like https://www.example.com/training
dir-your-landing-page = Your landing page
dir-rules-hint = It must meet all 3 rules to be listed
dir-send = Send the request

## Answers refused: the KPI form
kpi-error-only-invoices = Only actual invoices are accepted – upload an invoice, not an order confirmation or partner report
kpi-error-year-roc = Year must include 4 numbers – { $typed } looks like a Republic of China (民國) year: enter it as { $year }
kpi-error-year-two = Year must include 4 numbers, like { $year }
kpi-error-month-missing = Enter the KPI month
kpi-error-month-no-month = KPI month must include a month
kpi-error-month-no-year = KPI month must include a year
kpi-error-year-digits = Year must include 4 numbers
kpi-error-month-real = KPI month must be a real date
kpi-error-month-2000 = KPI month must be the same as or after January 2000
kpi-error-month-future = KPI month must be this month or in the past
kpi-error-purchase-unit-missing = Enter the purchase unit
kpi-error-purchase-unit-whole = Purchase unit must be a whole number, like 25
kpi-error-purchase-unit-max = Purchase unit must be { $max } or less
kpi-error-purchase-unit-min = Purchase unit must be 1 or more
kpi-error-invoice-number-missing = Enter the invoice number
kpi-error-invoice-number-chars = Invoice number must only include letters, numbers, hyphens (-) and slashes (/)
kpi-error-invoice-number-long = Invoice number must be { $max } characters or less
kpi-error-invoice-number-alnum = Invoice number must include at least one letter or number
kpi-error-kpi-value-missing = Enter the KPI value
kpi-error-kpi-value-negative = KPI value must be 0 or more
kpi-error-kpi-value-format = KPI value must be a number, like 12 or 12.5
kpi-error-revenue-missing = Enter the revenue value
kpi-error-revenue-format = Revenue value must be an amount with up to 2 decimal places, like 1250 or 1250.50
kpi-error-revenue-negative = Revenue value must be 0 or more
kpi-error-currency = Revenue currency must be a currency code from the list, like USD
kpi-error-anniversary-format = Enter the anniversary date as year, month and day
kpi-error-anniversary-real = Anniversary date must be a real date
kpi-error-description-long = Description must be { $max } characters or less
kpi-error-description-control = Description must not include control characters
kpi-error-document-type = Select the type of document
kpi-error-omlp-missing = Select the OMLP type
kpi-error-omlp-list = Select an OMLP type from the list

## Answers refused: about you
contact-error-partner-id-missing = Enter your MPN / Partner ID
contact-error-partner-id-digits = MPN / Partner ID must only include numbers 0 to 9
contact-error-partner-id-length = MPN / Partner ID must be between 6 and 10 digits
contact-error-email-missing = Enter your email address
contact-error-email-format = Enter an email address in the correct format, like name@example.com
contact-error-role-missing = Select your role
contact-error-role-other = Only MPN partner admins and MPN account admins can file a case – ask one of them to file it
contact-error-company-missing = Enter your company name
contact-error-name-missing = Enter your full name

## Answers refused: any line of text
text-error-too-long = { $label } must be { $max } characters or less
text-error-control = { $label } must not include control characters

## Answers refused: the directory form
dir-error-attest-about = Confirm that the landing page is only about your organisation
dir-error-attest-competitors = Confirm that the landing page shows no competitors
dir-error-attest-owned = Confirm that your organisation owns the landing page
dir-error-country-missing = Select a country
dir-error-country-list = Select a country from the list
dir-error-name-missing = Enter the name to show in the directory
dir-name-label = Name on the directory
dir-error-url-long = Landing page URL must be { $max } characters or less

## Answers refused: the landing page address
url-error-empty = Enter the landing page URL
url-error-format = Enter the landing page URL in the correct format
url-error-not-public = Landing page URL must be a public website address
url-error-port = Landing page URL must not name a port: use the address of your public website, without :{ $port }
url-error-not-owned = Landing page must be on your own website, not on { $domain }

## Files refused
file-error-empty = The selected file is empty
file-error-too-large = The selected file must be smaller than 10MB
file-error-type = The selected file must be a PDF, PNG or JPG
file-error-damaged = The selected file could not be read – save it again as a PDF, PNG or JPG
file-error-wrong-kind = The selected file is { $kind }, not an invoice. Upload the invoice itself.
file-error-not-invoice = The selected file is not an invoice. Upload the invoice itself.
file-error-active = The selected PDF contains { $what }, which could run on the computer of whoever opens it – print the invoice to a new PDF (Print, then Save as PDF) and upload that
file-error-uncheckable = The selected PDF is built in a way that cannot be checked for scripts or embedded files – print the invoice to a new PDF (Print, then Save as PDF) and upload that
file-error-select = Select the invoice file
document-kind-order_confirmation = an order confirmation
document-kind-partner_report = a partner report
document-kind-statement = a statement of account
document-kind-quote = a quote
document-kind-receipt = a receipt
document-kind-credit_note = a credit note
active-javascript = JavaScript
active-launch = a command that starts a program
active-form = a form that sends data
active-embedded = embedded files
active-xfa = an XFA form
active-other-document = links that open other files
active-media = embedded media
list-and = and
dir-attest-about = It is only about my organisation
dir-attest-competitors = It shows no competitors
dir-attest-owned = My organisation owns the website it is on
