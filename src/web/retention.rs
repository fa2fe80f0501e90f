//! How the retention rule shows (`FRONTLINE_RETENTION_DAYS`): its period in
//! words, a file whose contents were removed (named, with no link), and the
//! 410 Gone its download address then answers; messages in
//! `locales/*/retention.ftl`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use crate::i18n::{t, ta};
use crate::store::cases::AttachmentMeta;

/// "365 days", "1 day", "365 天", in the current language.
pub fn period(days: i64) -> String {
    if days == 1 { t("retention-days-one") } else { ta("retention-days", &[("n", &days)]) }
}

/// The period a removed file was kept after its case closed.
fn kept(meta: &AttachmentMeta) -> String {
    period(meta.kept_days.map_or(0, i64::from))
}

/// For a file whose contents were removed: "invoice.pdf (PDF, 12 KB):
/// removed after 365 days under the retention rule"; `None` for a file
/// still kept. `detail` is the page's own "PDF, 12 KB".
pub fn removed_label(meta: &AttachmentMeta, detail: &str) -> Option<String> {
    meta.purged().then(|| {
        let name = crate::domain::text::strip_format_controls(&meta.file_name);
        ta("retention-file-removed", &[("name", &name), ("detail", &detail), ("period", &kept(meta))])
    })
}

/// What the download address of a removed file answers: 410 Gone, with a
/// page that says why.
pub fn gone(meta: &AttachmentMeta) -> HttpResponse {
    crate::error::error_page(
        StatusCode::GONE,
        &t("retention-gone-title"),
        &ta("retention-gone-message", &[("period", &kept(meta))]),
    )
}

#[cfg(test)]
mod tests {
    use crate::i18n::{Lang, message_ids, text_args};

    /// Every retention message formats, in both languages, with the
    /// arguments the code gives it.
    #[test]
    fn retention_messages_format_in_both_languages() {
        let args: [(&'static str, &dyn std::fmt::Display); 5] =
            [("n", &30), ("name", &"發票.pdf"), ("detail", &"PDF, 12 KB"), ("period", &"30 days"), ("days", &30)];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        for lang in [Lang::En, Lang::ZhTw] {
            let ftl = std::fs::read_to_string(dir.join(lang.as_str()).join("retention.ftl")).expect("message file");
            for id in message_ids(&ftl) {
                let text = text_args(lang, &id, args.as_slice());
                assert_ne!(text, id, "{id} formats in {}", lang.as_str());
                assert!(!text.contains('{') && !text.contains('$'), "{id}: {text}");
            }
        }
        assert_eq!(
            text_args(Lang::En, "retention-file-removed", args.as_slice()),
            "發票.pdf (PDF, 12 KB): removed after 30 days under the retention rule"
        );
        let zh: [(&'static str, &dyn std::fmt::Display); 1] = [("n", &30)];
        assert_eq!(text_args(Lang::ZhTw, "retention-days", zh.as_slice()), "30 天");
    }
}
