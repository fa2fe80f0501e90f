//! What every request passes through before a handler sees it: a deadline
//! on its body, a guard against characters no field may hold, and the
//! request log's span (which names the route pattern, never the path: a
//! tracking link is a secret).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use tokio::time::{Instant, Sleep};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

use super::AppState;
use crate::domain::text::{forbidden_in_line, forbidden_in_text};
use crate::error::AppError;

/// The error a timed-out body read ends with.
fn timed_out() -> PayloadError {
    PayloadError::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "the request body did not arrive in time"))
}

/// True when `error` (or anything it was caused by) is a body read that
/// timed out here.
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        if let Some(PayloadError::Io(io)) = e.downcast_ref::<PayloadError>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// A body that must arrive by a deadline, with no gap between two pieces
/// longer than `idle`: a client that stalls or trickles its upload holds a
/// connection (and the memory of what it sent) for a bounded time only.
struct TimedPayload {
    inner: Payload,
    idle: Duration,
    idle_deadline: Pin<Box<Sleep>>,
    total_deadline: Pin<Box<Sleep>>,
    done: bool,
}

impl Stream for TimedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        if this.total_deadline.as_mut().poll(cx).is_ready() {
            this.done = true;
            return Poll::Ready(Some(Err(timed_out())));
        }
        match this.inner.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let next = Instant::now() + this.idle;
                this.idle_deadline.as_mut().reset(next);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(other) => Poll::Ready(other),
            Poll::Pending => {
                if this.idle_deadline.as_mut().poll(cx).is_ready() {
                    this.done = true;
                    return Poll::Ready(Some(Err(timed_out())));
                }
                Poll::Pending
            }
        }
    }
}

/// Puts every request body on a deadline ([`Config::body_timeout`] in all,
/// [`Config::body_idle_timeout`] between pieces).
///
/// [`Config::body_timeout`]: crate::config::Config::body_timeout
/// [`Config::body_idle_timeout`]: crate::config::Config::body_idle_timeout
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        let (total, idle) = (state.config.body_timeout, state.config.body_idle_timeout);
        let timed = TimedPayload {
            inner: req.take_payload(),
            idle,
            idle_deadline: Box::pin(tokio::time::sleep(idle)),
            total_deadline: Box::pin(tokio::time::sleep(total)),
            done: false,
        };
        req.set_payload(Payload::Stream { payload: Box::pin(timed) });
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Largest url-encoded body the guard reads (the forms' own limit).
const GUARDED_BODY_LIMIT: usize = crate::DEFAULT_BODY_LIMIT;

/// Refuses, with a 400 that names the field, any path, query parameter or
/// url-encoded form field holding a character no field may hold: control
/// characters (a form field may hold tabs and line breaks, which a textarea
/// sends), and in the path and query also the invisible characters that
/// reorder or hide text. Multipart fields are checked where they are read.
/// The refusal's page is rendered here, inside [`language`], so it is in
/// the reader's language.
pub async fn input_guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Err(refused) = guard(&mut req).await {
        // The page's language switch leads to the start page: the refused
        // address is not echoed back.
        let context = crate::i18n::Context { lang: crate::i18n::current(), path_and_query: "/".into() };
        return Ok(crate::i18n::scope(context, async move { req.error_response(refused) }).await);
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The checks of [`input_guard`]; a url-encoded body it read is put back.
async fn guard(req: &mut ServiceRequest) -> Result<(), AppError> {
    use crate::i18n::{t, ta};
    let path = percent_encoding::percent_decode_str(req.path()).decode_utf8_lossy();
    if path.chars().any(forbidden_in_line) {
        return Err(AppError::BadRequest(t("request-address-character")));
    }
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if name.chars().chain(value.chars()).any(forbidden_in_line) {
            return Err(AppError::BadRequest(ta("request-query-character", &[("name", &printable(&name))])));
        }
    }
    let urlencoded = req.content_type() == "application/x-www-form-urlencoded";
    if urlencoded {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                if is_body_timeout(&e) { AppError::RequestTimeout } else { AppError::BadRequest(form_unreadable()) }
            })?;
            if body.len() + chunk.len() > GUARDED_BODY_LIMIT {
                return Err(AppError::TooLarge(t("request-too-large")));
            }
            body.extend_from_slice(&chunk);
        }
        let body = body.freeze();
        for (name, value) in url::form_urlencoded::parse(&body) {
            if name.chars().any(forbidden_in_line) || value.chars().any(forbidden_in_text) {
                return Err(AppError::BadRequest(ta("request-field-character", &[("name", &printable(&name))])));
            }
        }
        let replay = futures_util::stream::once(async move { Ok::<_, PayloadError>(body) });
        req.set_payload(Payload::Stream { payload: Box::pin(replay) });
    }
    Ok(())
}

/// The message for a form body that could not be read, in the current
/// request's language.
pub fn form_unreadable() -> String {
    crate::i18n::t("request-form-unreadable")
}

/// A field name as it may be shown: its forbidden characters dropped, at
/// most 40 characters.
fn printable(name: &str) -> String {
    name.chars().filter(|&c| !forbidden_in_line(c)).take(40).collect()
}

/// Adds `Strict-Transport-Security` to every answer (for deployments served
/// over TLS).
pub async fn hsts(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let secure = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.config.secure_cookies);
    let mut res = next.call(req).await?.map_into_boxed_body();
    if secure {
        res.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            header::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    Ok(res)
}

/// The request log's span: method, route pattern (`/track/{token}`, never
/// the token itself), the client address as [`super::client`] decides it,
/// and the outcome.
pub struct RouteSpan;

impl RootSpanBuilder for RouteSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "unmatched".into());
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.client_ip = %super::client::of_service_request(request),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// `HEAD` is answered as `GET` on every route (the server sends the
/// headers and no body, as HTTP requires).
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// Chooses the request's language (`?lang=`, the `lang` cookie,
/// `Accept-Language`) and renders the request in it; a `?lang=` that names
/// a language Frontline speaks is remembered in the cookie for a year.
pub async fn language(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let (asked, context) = language_of(req.request());
    let secure =
        req.app_data::<actix_web::web::Data<crate::startup::AppState>>().is_some_and(|s| s.config.secure_cookies);
    let mut res = crate::i18n::scope(context, next.call(req)).await?;
    if let Some(lang) = asked {
        let cookie = actix_web::cookie::Cookie::build("lang", lang.as_str())
            .path("/")
            .secure(secure)
            .http_only(true)
            .same_site(actix_web::cookie::SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish();
        res.response_mut().add_cookie(&cookie).map_err(actix_web::error::ErrorInternalServerError)?;
    }
    res.response_mut().headers_mut().append(
        actix_web::http::header::VARY,
        actix_web::http::header::HeaderValue::from_static("Accept-Language, Cookie"),
    );
    Ok(res)
}

/// The language `req` is rendered in (`?lang=`, the `lang` cookie,
/// `Accept-Language`) and where it is, for the switch; and the `?lang=` it
/// named, if Frontline speaks it (to be remembered).
pub fn language_of(req: &actix_web::HttpRequest) -> (Option<crate::i18n::Lang>, crate::i18n::Context) {
    use crate::i18n::{Context, Lang};
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let asked = query.iter().find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(v));
    let cookie = req.cookie("lang").map(|c| c.value().to_owned());
    let accept =
        req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let lang = Lang::negotiate(asked.map(Lang::as_str), cookie.as_deref(), accept.as_deref());
    // The page and its query, less `lang`, for the switch's links (GET only).
    let rest: Vec<(String, String)> = query.into_iter().filter(|(k, _)| k != "lang").collect();
    let path = if req.method() == actix_web::http::Method::GET { req.path().to_owned() } else { "/".to_owned() };
    let path_and_query = if rest.is_empty() || req.method() != actix_web::http::Method::GET {
        path
    } else {
        format!("{path}?{}", url::form_urlencoded::Serializer::new(String::new()).extend_pairs(rest).finish())
    };
    (asked, Context { lang, path_and_query })
}
