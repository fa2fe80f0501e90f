//! Reads a `multipart/form-data` body into text fields and one file, with a
//! limit on every part: a file over its limit is noted (and its bytes
//! dropped) so the form can still be shown again with every other answer.

use std::collections::HashMap;

use actix_multipart::Multipart;
use bytes::BytesMut;
use futures_util::TryStreamExt;

use crate::error::AppError;

/// Largest text field we keep (bytes); longer values are cut here and then
/// refused by the field's own rule.
pub const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;
/// Most text fields a form may send.
pub const MAX_FIELDS: usize = 64;
/// Past this many bytes in all, we stop reading the body.
pub const MAX_BODY_BYTES: usize = 24 * 1024 * 1024;

pub use crate::app::intake::Upload;

/// A parsed body.
#[derive(Debug, Default)]
pub struct FormData {
    fields: HashMap<String, String>,
    /// The file, if one was chosen.
    pub file: Option<Upload>,
    /// The body went past [`MAX_BODY_BYTES`] and was not read to its end.
    pub body_too_large: bool,
}

impl FormData {
    /// A text field's value, or "" when absent.
    pub fn get(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// True when the field was sent at all.
    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }
}

/// Keeps only the last path segment of a browser-supplied file name, and no
/// control characters.
pub fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last.chars().filter(|&c| !crate::domain::text::forbidden_in_line(c)).take(200).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() { "upload".into() } else { cleaned }
}

/// Reads the body. `file_field` names the one file input; `max_file` is its limit.
pub async fn read(mut payload: Multipart, file_field: &str, max_file: usize) -> Result<FormData, AppError> {
    let mut data = FormData::default();
    let mut total = 0usize;
    // The parser's own words say nothing a partner can act on (and echo
    // what was sent): log them, show the form's general message.
    let bad = |e: actix_multipart::MultipartError| {
        if crate::web::middleware::is_body_timeout(&e) {
            return AppError::RequestTimeout;
        }
        tracing::info!(error = %e, "multipart body refused");
        AppError::BadRequest(crate::web::middleware::form_unreadable())
    };
    while let Some(mut field) = payload.try_next().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.content_disposition().and_then(|cd| cd.get_filename().map(str::to_string));
        if name == file_field && file_name.is_some() {
            let raw_name = file_name.unwrap_or_default();
            let mut upload = Upload { file_name: clean_file_name(&raw_name), ..Upload::default() };
            let mut bytes = BytesMut::new();
            while let Some(chunk) = field.try_next().await.map_err(bad)? {
                total += chunk.len();
                if total > MAX_BODY_BYTES {
                    upload.too_large = true;
                    data.body_too_large = true;
                    data.file = Some(upload);
                    return Ok(data);
                }
                if upload.too_large {
                    continue;
                }
                if bytes.len() + chunk.len() > max_file {
                    upload.too_large = true;
                    bytes = BytesMut::new();
                } else {
                    // Grow by doubling, but never past the limit (left to
                    // itself a buffer for 10 MB would reserve 16).
                    let free = bytes.capacity() - bytes.len();
                    if free < chunk.len() {
                        let want = (bytes.len() * 2).max(bytes.len() + chunk.len()).min(max_file);
                        bytes.reserve(want - bytes.len());
                    }
                    bytes.extend_from_slice(&chunk);
                }
            }
            upload.bytes = bytes.freeze();
            // A file input left empty sends a part with an empty name and no bytes.
            let chosen = !(upload.bytes.is_empty() && !upload.too_large && raw_name.trim().is_empty());
            if chosen {
                data.file = Some(upload);
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.try_next().await.map_err(bad)? {
            total += chunk.len();
            if total > MAX_BODY_BYTES {
                data.body_too_large = true;
                return Ok(data);
            }
            if value.len() < MAX_TEXT_FIELD_BYTES {
                let room = MAX_TEXT_FIELD_BYTES - value.len();
                value.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
        }
        if data.fields.len() >= MAX_FIELDS {
            return Err(AppError::BadRequest(crate::i18n::t("request-too-many-fields")));
        }
        data.fields.insert(name, String::from_utf8_lossy(&value).into_owned());
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::clean_file_name;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_file_name("C:\\Users\\a\\發票-0423.pdf"), "發票-0423.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b.pdf"), "ab.pdf");
        assert_eq!(clean_file_name("Contoso\u{202E}gnp.exe"), "Contosognp.exe");
        assert_eq!(clean_file_name(""), "upload");
    }
}
