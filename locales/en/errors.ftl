# Error pages (templates/error.html, src/error.rs, src/web/mod.rs) and the
# messages a refused request is answered with. Every message here must also
# be in ../zh-TW/errors.ftl (a test fails otherwise).

## The error page
error-page-start-link = Go to the start page
error-page-sign-in-title = Sign in
error-page-sign-in-message = Sign in to continue.
error-page-not-found-title = Page not found
error-page-not-found-message = If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.
error-page-bad-request-title = There is a problem with the request
error-page-forbidden-title = The form could not be sent
error-page-conflict-title = This could not be done
error-page-conflict-done = This has already been done, or was being done at the same moment. Reload the page to see the latest.
error-page-too-large-title = The request is too large
error-page-too-large-message = What you sent is larger than this form accepts.
error-page-too-many-title = Too many attempts
error-page-timeout-title = The request took too long
error-page-timeout-message = What you sent did not arrive in time, so nothing was saved. Check your connection and send it again.
error-page-busy-title = Sorry, the service is busy
error-page-busy-message = Too many { $what } are in progress. Try again in a moment: nothing was saved.
error-page-unavailable-title = Sorry, the service is unavailable
error-page-unavailable-message = Try again in a few minutes. Nothing you sent was lost: if your case was accepted you were shown its reference.
error-page-unexpected-title = Sorry, there is a problem with the service
error-page-unexpected-message = Try again later.
error-page-method-title = This page cannot do that
error-page-method-message = Go back and use the form on the page.
error-page-unreadable-title = The form could not be read
error-page-media-type-message = Send the form from its page in a browser.
error-page-unreadable-message = Go back, check your answers and send the form again.

## Requests refused before they reach a page
request-address-character = The web address contains a character that is not allowed. Check the address and try again.
request-query-character = The “{ $name }” in the web address contains a control or invisible formatting character, which is not allowed.
request-field-character = The field “{ $name }” contains a control character, which is not allowed. Remove it and send the form again.
request-too-large = What you sent is larger than this form accepts. Shorten the longest answer and send it again.
request-form-unreadable = The form could not be read. Go back, check your answers and send the form again.
request-form-expired = The form had expired or did not come from this site, so nothing was sent. Open the form again and send it from there.
request-too-many-fields = The form sent more fields than it has

## Rate limits (429)
limit-posts = A lot of forms have been sent from your network in a short time, so this one was not accepted.
limit-lookups = Many tracking links that do not exist have been opened from your network, so tracking pages are paused for it.
limit-finds = Many case look-ups have been made from your network or for this reference in a short time, so this one was not made.
limit-wait-minute = Wait a minute, then try again.
limit-wait-minutes = Wait { $n } minutes, then try again.
