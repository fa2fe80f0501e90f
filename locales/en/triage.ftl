# Frontline, English: what triage tells the partner about their case (shown
# on the tracking page, written in the case's language). Every message here
# must also be in ../zh-TW/triage.ftl.

triage-guidance-too-early = KPI data is updated on the 15th of each month, so the KPI for a { $invoice } invoice should be visible from { $date }. This case stays open until then.
triage-guidance-outside-window = This { $invoice } invoice is outside the 12 months before your renewal on { $renewal }, so it will not count toward that renewal.
triage-guidance-duplicate-one = An open case already exists for { $what } ({ $reference }); both will be handled together.
triage-guidance-duplicate-many = Open cases already exist for { $what } ({ $references }); they will all be handled together.
triage-what-invoice = this invoice
triage-what-directory = your directory addition
triage-guidance-plain-http = Your landing page uses plain HTTP; we recommend serving it over HTTPS so visitors from the directory get a secure page.
