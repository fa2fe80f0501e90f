//! Reading a PDF's text within a budget that a hostile file cannot push over.
//!
//! Two things here bound the memory and time one PDF can cost:
//!
//! - [`budget_scan`] walks the raw file once, before any parser builds
//!   objects from it, and counts what the parser would build: every number,
//!   name, string, array and dictionary outside stream data, and inside every
//!   object stream (inflated here, within a byte budget). A PDF parser keeps
//!   about a hundred bytes of heap per such token, so a 10 MB file of `1 `
//!   operands, or 100,000 pages, would cost gigabytes; past
//!   [`ScanLimits::max_tokens`] (or nested deeper than
//!   [`ScanLimits::max_depth`]) the file is not parsed at all.
//! - [`ContentScanner`] reads a page's content stream as a stream of tokens
//!   and keeps only what the text operators need (the font, the strings
//!   shown). Other operators' operands are counted and dropped, so a content
//!   stream of millions of operands costs no more memory than a short one.
//!   It stops at [`ContentLimits::max_operators`] and at the deadline.
//!
//! Neither allocates in proportion to the input beyond the inflated bytes,
//! which are themselves capped.

use std::io::Read;
use std::time::Instant;

/// Bounds of [`budget_scan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanLimits {
    /// Most tokens the parser may be asked to build objects for.
    pub max_tokens: usize,
    /// Deepest nesting of arrays and dictionaries.
    pub max_depth: usize,
    /// Most bytes all object streams together may inflate to.
    pub max_object_stream_bytes: usize,
}

impl Default for ScanLimits {
    fn default() -> Self {
        // A 200-page invoice export has ~40,000 tokens; CJK fonts' width
        // arrays add a few thousand each.
        Self { max_tokens: 250_000, max_depth: 64, max_object_stream_bytes: 4 << 20 }
    }
}

/// Why [`budget_scan`] refused to let a file be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverBudget {
    /// More tokens than [`ScanLimits::max_tokens`].
    Tokens,
    /// Nested deeper than [`ScanLimits::max_depth`].
    Depth,
    /// Object streams inflate past [`ScanLimits::max_object_stream_bytes`].
    ObjectStreams,
    /// The deadline passed.
    Deadline,
}

fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delimiter(b)
}

/// The end of a literal string that starts at `at` (just past its `(`):
/// the index after its closing `)`, or the end of the input.
fn skip_literal_string(data: &[u8], mut at: usize) -> usize {
    let mut depth = 1usize;
    while at < data.len() {
        match data[at] {
            b'\\' => at += 2,
            b'(' => {
                depth += 1;
                at += 1;
            }
            b')' => {
                depth -= 1;
                at += 1;
                if depth == 0 {
                    return at;
                }
            }
            _ => at += 1,
        }
    }
    data.len()
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= haystack.len() {
        return None;
    }
    haystack[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// Active content a PDF may carry: parts that run or open something when
/// the file is viewed, rather than showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActiveContent {
    /// `/JavaScript`, `/JS`: scripts (in an open action, a page's or a
    /// field's additional actions, the document's name tree, …).
    JavaScript,
    /// `/Launch`: starts a program or opens a file on the viewer's computer.
    Launch,
    /// `/SubmitForm`, `/ImportData`: sends form data out or pulls it in.
    FormSubmission,
    /// `/EmbeddedFile(s)`, `/FileAttachment`: files carried inside the PDF.
    EmbeddedFiles,
    /// `/XFA`: an XML form, which carries its own scripts.
    XfaForm,
    /// `/GoToR`, `/GoToE`: opens another (or an embedded) document.
    OtherDocument,
    /// `/RichMedia`, `/RichMediaExecute`, `/Rendition`: embedded media and
    /// the scripts that drive it.
    Media,
}

impl ActiveContent {
    /// The kind of a PDF name (without its slash, `#xx` escapes decoded),
    /// if it marks active content.
    fn of_name(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"JavaScript" | b"JS" => Self::JavaScript,
            b"Launch" => Self::Launch,
            b"SubmitForm" | b"ImportData" => Self::FormSubmission,
            b"EmbeddedFile" | b"EmbeddedFiles" | b"FileAttachment" => Self::EmbeddedFiles,
            b"XFA" => Self::XfaForm,
            b"GoToR" | b"GoToE" => Self::OtherDocument,
            b"RichMedia" | b"RichMediaExecute" | b"Rendition" => Self::Media,
            _ => return None,
        })
    }

    /// In words, for the partner.
    pub fn words(self) -> &'static str {
        match self {
            Self::JavaScript => "JavaScript",
            Self::Launch => "a command that starts a program",
            Self::FormSubmission => "a form that sends data",
            Self::EmbeddedFiles => "embedded files",
            Self::XfaForm => "an XFA form",
            Self::OtherDocument => "links that open other files",
            Self::Media => "embedded media",
        }
    }
}

impl ActiveContent {
    /// The id of the kind's name in the message files.
    pub fn message_id(self) -> &'static str {
        match self {
            Self::JavaScript => "active-javascript",
            Self::Launch => "active-launch",
            Self::FormSubmission => "active-form",
            Self::EmbeddedFiles => "active-embedded",
            Self::XfaForm => "active-xfa",
            Self::OtherDocument => "active-other-document",
            Self::Media => "active-media",
        }
    }

    /// Every kind, in order.
    pub const ALL: [Self; 7] = [
        Self::JavaScript,
        Self::Launch,
        Self::FormSubmission,
        Self::EmbeddedFiles,
        Self::XfaForm,
        Self::OtherDocument,
        Self::Media,
    ];
}

/// A set of [`ActiveContent`] kinds (small and `Copy`, for error values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActiveKinds(u8);

impl ActiveKinds {
    /// The set of `kinds`.
    pub fn of(kinds: &[ActiveContent]) -> Self {
        Self(kinds.iter().fold(0, |set, k| set | 1 << (*k as u8)))
    }

    /// The kinds, in order.
    pub fn list(self) -> Vec<ActiveContent> {
        ActiveContent::ALL.into_iter().filter(|k| self.0 & 1 << (*k as u8) != 0).collect()
    }

    /// [`ActiveKinds::words`] in `lang` (the message ids `active-…`).
    pub fn words_in(self, lang: crate::i18n::Lang) -> String {
        if lang == crate::i18n::Lang::En {
            return self.words();
        }
        let words: Vec<String> = self.list().into_iter().map(|k| crate::i18n::text(lang, k.message_id())).collect();
        match words.split_last() {
            None => String::new(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{}{}{last}", rest.join("、"), crate::i18n::text(lang, "list-and")),
        }
    }

    /// "JavaScript", "JavaScript and embedded files", "JavaScript, a form
    /// that sends data and embedded files".
    pub fn words(self) -> String {
        let words: Vec<&str> = self.list().into_iter().map(ActiveContent::words).collect();
        match words.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// A PDF name's bytes with its `#xx` escapes decoded (`J#61vaScript` is
/// `JavaScript`); an escape that is not two hex digits stays as it is.
fn decode_name(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !raw.contains(&b'#') {
        return std::borrow::Cow::Borrowed(raw);
    }
    let hex = |b: u8| (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match (raw[i], raw.get(i + 1).copied().and_then(hex), raw.get(i + 2).copied().and_then(hex)) {
            (b'#', Some(h), Some(l)) => {
                out.push(h << 4 | l);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What [`budget_scan`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    /// Tokens counted.
    pub tokens: usize,
    /// The first budget the file went past: it must not be parsed.
    pub over: Option<OverBudget>,
    /// The kinds of active content named anywhere the scan could see, in
    /// order, each once.
    pub active: Vec<ActiveContent>,
    /// Object streams were left unread (their byte budget was spent), so
    /// what they hold is unknown.
    pub unread_object_streams: bool,
}

/// Walks the whole file once: counts what a parser would build from `data`
/// (see the module comment) and notes every name that marks active content,
/// inside object streams too (inflated, FlateDecode only, the one filter
/// they use in practice, within their byte budget). Past a budget the scan
/// goes on reading names only: it is linear in the file's size, and active
/// content hidden after ten thousand pages is still found. `Err` only when
/// the deadline passed (the scan did not finish).
pub fn budget_scan(data: &[u8], limits: &ScanLimits, deadline: Instant) -> Result<Scan, OverBudget> {
    let mut budget = Budget { scan: Scan::default(), inflated: 0, limits, deadline };
    budget.scan(data, true)?;
    let mut scan = budget.scan;
    scan.active.sort();
    scan.active.dedup();
    Ok(scan)
}

struct Budget<'a> {
    scan: Scan,
    inflated: usize,
    limits: &'a ScanLimits,
    deadline: Instant,
}

impl Budget<'_> {
    fn over(&mut self, why: OverBudget) {
        self.scan.over.get_or_insert(why);
    }

    fn count(&mut self) -> Result<(), OverBudget> {
        self.scan.tokens += 1;
        if self.scan.tokens > self.limits.max_tokens {
            self.over(OverBudget::Tokens);
        }
        if self.scan.tokens.is_multiple_of(4096) && Instant::now() >= self.deadline {
            return Err(OverBudget::Deadline);
        }
        Ok(())
    }

    fn nest(&mut self, depth: &mut usize) {
        *depth += 1;
        if *depth > self.limits.max_depth {
            self.over(OverBudget::Depth);
        }
    }

    /// Scans `data`; `top` is the file itself (where streams may start),
    /// not the inside of an object stream.
    fn scan(&mut self, data: &[u8], top: bool) -> Result<(), OverBudget> {
        let mut at = 0usize;
        let mut depth = 0usize;
        // Where the current indirect object began, to look back for
        // `/Type /ObjStm` when its stream starts.
        let mut object_start = 0usize;
        while at < data.len() {
            let b = data[at];
            if is_white(b) {
                at += 1;
                continue;
            }
            match b {
                b'%' => {
                    while at < data.len() && data[at] != b'\n' && data[at] != b'\r' {
                        at += 1;
                    }
                }
                b'(' => {
                    self.count()?;
                    at = skip_literal_string(data, at + 1);
                }
                b'<' if data.get(at + 1) == Some(&b'<') => {
                    self.count()?;
                    self.nest(&mut depth);
                    at += 2;
                }
                b'>' if data.get(at + 1) == Some(&b'>') => {
                    depth = depth.saturating_sub(1);
                    at += 2;
                }
                b'<' => {
                    self.count()?;
                    at = find(data, b">", at + 1).map_or(data.len(), |e| e + 1);
                }
                b'[' => {
                    self.count()?;
                    self.nest(&mut depth);
                    at += 1;
                }
                b']' => {
                    depth = depth.saturating_sub(1);
                    at += 1;
                }
                b'/' => {
                    self.count()?;
                    at += 1;
                    let start = at;
                    while at < data.len() && is_regular(data[at]) {
                        at += 1;
                    }
                    if let Some(kind) = ActiveContent::of_name(&decode_name(&data[start..at])) {
                        self.scan.active.push(kind);
                    }
                }
                b')' | b'>' | b'{' | b'}' => at += 1,
                _ => {
                    let start = at;
                    while at < data.len() && is_regular(data[at]) {
                        at += 1;
                    }
                    let word = &data[start..at];
                    self.count()?;
                    if top && word == b"obj" {
                        object_start = at;
                    } else if top && word == b"stream" {
                        at = self.stream(data, object_start, at)?;
                        depth = 0;
                    } else if word == b"endobj" {
                        depth = 0;
                    }
                }
            }
        }
        Ok(())
    }

    /// Skips the data of a stream whose `stream` keyword ends at `at`,
    /// scanning an object stream's objects; returns where scanning resumes.
    fn stream(&mut self, data: &[u8], object_start: usize, at: usize) -> Result<usize, OverBudget> {
        let dict = &data[object_start..at];
        let body_start = match data.get(at) {
            Some(b'\r') if data.get(at + 1) == Some(&b'\n') => at + 2,
            Some(b'\r' | b'\n') => at + 1,
            _ => at,
        };
        let end = find(data, b"endstream", body_start).unwrap_or(data.len());
        if find(dict, b"/ObjStm", 0).is_some() && find(dict, b"/FlateDecode", 0).is_some() {
            let room = self.limits.max_object_stream_bytes.saturating_sub(self.inflated);
            let mut inflated = Vec::new();
            let read = flate2::read::ZlibDecoder::new(&data[body_start..end])
                .take(u64::try_from(room).unwrap_or(u64::MAX).saturating_add(1))
                .read_to_end(&mut inflated);
            if inflated.len() > room {
                // This one and every later one go unread.
                self.over(OverBudget::ObjectStreams);
                self.scan.unread_object_streams = true;
                inflated.truncate(room);
            }
            self.inflated += inflated.len();
            // A stream that does not inflate is left to the parser, which
            // will fail on it too; what did inflate still counts.
            let _ = read;
            self.scan(&inflated, false)?;
        }
        Ok(end + b"endstream".len().min(data.len() - end))
    }
}

/// Bounds of a [`ContentScanner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentLimits {
    /// Most operators read across all pages.
    pub max_operators: usize,
    /// Most operands kept for one operator (text operators need three).
    pub max_operands: usize,
    /// Most items kept of one `TJ` array.
    pub max_array_items: usize,
    /// Most bytes kept of one string.
    pub max_string_bytes: usize,
}

impl Default for ContentLimits {
    fn default() -> Self {
        Self { max_operators: 2_000_000, max_operands: 8, max_array_items: 4096, max_string_bytes: 64 * 1024 }
    }
}

/// An operand as far as the text operators care.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A number.
    Number(f64),
    /// A name, without its slash (`F1`).
    Name(Vec<u8>),
    /// A literal or hexadecimal string, decoded to bytes.
    String(Vec<u8>),
    /// An array of numbers and strings (a `TJ` operand).
    Array(Vec<Operand>),
    /// Anything else (a dictionary, a boolean, an array nested in an array).
    Other,
}

/// Why a [`ContentScanner`] stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// [`ContentLimits::max_operators`] reached.
    Operators,
    /// The deadline passed.
    Deadline,
}

/// Reads content streams operator by operator, keeping only the operands
/// text operators need; the operator count carries over between pages.
pub struct ContentScanner {
    limits: ContentLimits,
    deadline: Instant,
    operators: usize,
    operands: usize,
}

impl ContentScanner {
    /// A scanner that stops at `limits` or at `deadline`.
    pub fn new(limits: ContentLimits, deadline: Instant) -> Self {
        Self { limits, deadline, operators: 0, operands: 0 }
    }

    /// Calls `on_op(operator, operands)` for each operator in `data`.
    pub fn scan(&mut self, data: &[u8], mut on_op: impl FnMut(&[u8], &[Operand])) -> Result<(), Stopped> {
        let mut operands: Vec<Operand> = Vec::with_capacity(self.limits.max_operands);
        // The array being read (a `TJ` operand) and how deep inside
        // arrays and dictionaries the scanner is.
        let mut array: Option<Vec<Operand>> = None;
        let mut depth = 0usize;
        let mut at = 0usize;
        while at < data.len() {
            let b = data[at];
            if is_white(b) {
                at += 1;
                continue;
            }
            let (operand, next) = match b {
                b'%' => {
                    while at < data.len() && data[at] != b'\n' && data[at] != b'\r' {
                        at += 1;
                    }
                    continue;
                }
                b'(' => {
                    let end = skip_literal_string(data, at + 1);
                    (Some(Operand::String(self.literal(&data[at + 1..end]))), end)
                }
                b'<' if data.get(at + 1) == Some(&b'<') => {
                    depth += 1;
                    at += 2;
                    continue;
                }
                b'>' if data.get(at + 1) == Some(&b'>') => {
                    depth = depth.saturating_sub(1);
                    (if depth == 0 { Some(Operand::Other) } else { None }, at + 2)
                }
                b'<' => {
                    let end = find(data, b">", at + 1).unwrap_or(data.len());
                    (Some(Operand::String(self.hex(&data[at + 1..end]))), (end + 1).min(data.len()))
                }
                b'[' => {
                    depth += 1;
                    if depth == 1 {
                        array = Some(Vec::new());
                    }
                    at += 1;
                    continue;
                }
                b']' => {
                    depth = depth.saturating_sub(1);
                    let done = if depth == 0 { array.take().map(Operand::Array) } else { None };
                    (done, at + 1)
                }
                b'/' => {
                    let start = at + 1;
                    let mut end = start;
                    while end < data.len() && is_regular(data[end]) {
                        end += 1;
                    }
                    (Some(Operand::Name(data[start..end].to_vec())), end)
                }
                b')' | b'>' | b'{' | b'}' => {
                    at += 1;
                    continue;
                }
                _ => {
                    let start = at;
                    let mut end = at;
                    while end < data.len() && is_regular(data[end]) {
                        end += 1;
                    }
                    let word = &data[start..end];
                    if let Some(n) = number(word) {
                        (Some(Operand::Number(n)), end)
                    } else if depth > 0 {
                        // `true`, `null` and the like inside an array or dictionary.
                        (Some(Operand::Other), end)
                    } else {
                        if word == b"BI" {
                            // An inline image: its data is binary, up to `EI`.
                            at = skip_inline_image(data, end);
                        } else {
                            at = end;
                            on_op(word, &operands);
                        }
                        operands.clear();
                        self.operators += 1;
                        if self.operators >= self.limits.max_operators {
                            return Err(Stopped::Operators);
                        }
                        if self.operators.is_multiple_of(1024) && Instant::now() >= self.deadline {
                            return Err(Stopped::Deadline);
                        }
                        continue;
                    }
                }
            };
            at = next;
            let Some(operand) = operand else { continue };
            // Operands alone (no operator after them) still count against
            // the deadline.
            self.operands += 1;
            if self.operands.is_multiple_of(65_536) && Instant::now() >= self.deadline {
                return Err(Stopped::Deadline);
            }
            match (&mut array, depth) {
                // An item of the array being read (a nested one counts as Other).
                (Some(items), d) if d >= 1 && items.len() < self.limits.max_array_items => {
                    items.push(if d == 1 { operand } else { Operand::Other });
                }
                (None, 0) if operands.len() < self.limits.max_operands => operands.push(operand),
                // Inside a dictionary: nothing is kept.
                _ => {}
            }
        }
        Ok(())
    }

    fn literal(&self, raw: &[u8]) -> Vec<u8> {
        // `raw` ends with the closing parenthesis when there is one.
        let raw = raw.strip_suffix(b")").unwrap_or(raw);
        let mut out = Vec::with_capacity(raw.len().min(self.limits.max_string_bytes));
        let mut i = 0;
        while i < raw.len() && out.len() < self.limits.max_string_bytes {
            let b = raw[i];
            i += 1;
            if b != b'\\' {
                out.push(b);
                continue;
            }
            let Some(&e) = raw.get(i) else { break };
            i += 1;
            match e {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'\r' => {
                    if raw.get(i) == Some(&b'\n') {
                        i += 1;
                    }
                }
                b'\n' => {}
                b'0'..=b'7' => {
                    let mut v = u32::from(e - b'0');
                    for _ in 0..2 {
                        match raw.get(i) {
                            Some(&d @ b'0'..=b'7') => {
                                v = v * 8 + u32::from(d - b'0');
                                i += 1;
                            }
                            _ => break,
                        }
                    }
                    out.push((v & 0xFF) as u8);
                }
                other => out.push(other),
            }
        }
        out
    }

    fn hex(&self, raw: &[u8]) -> Vec<u8> {
        let digits: Vec<u8> = raw
            .iter()
            .filter_map(|&b| (b as char).to_digit(16).map(|d| d as u8))
            .take(self.limits.max_string_bytes * 2)
            .collect();
        digits.chunks(2).map(|p| (p[0] << 4) | p.get(1).copied().unwrap_or(0)).collect()
    }
}

/// A PDF number (`12`, `-3.5`, `.5`, `+1`).
fn number(word: &[u8]) -> Option<f64> {
    let first = *word.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    std::str::from_utf8(word).ok()?.parse().ok()
}

/// Where reading resumes after an inline image whose `BI` ends at `at`: past
/// an `EI` that stands alone (whitespace before and after).
fn skip_inline_image(data: &[u8], at: usize) -> usize {
    let Some(id) = find(data, b"ID", at) else { return data.len() };
    let mut from = id + 2;
    while let Some(ei) = find(data, b"EI", from) {
        let before = ei == 0 || is_white(data[ei - 1]);
        let after = data.get(ei + 2).is_none_or(|&b| is_white(b));
        if before && after {
            return ei + 2;
        }
        from = ei + 2;
    }
    data.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::time::Duration;

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(30)
    }

    fn ops(data: &[u8]) -> Vec<(String, Vec<Operand>)> {
        let mut out = Vec::new();
        ContentScanner::new(ContentLimits::default(), later())
            .scan(data, |op, operands| out.push((String::from_utf8_lossy(op).into_owned(), operands.to_vec())))
            .expect("scans");
        out
    }

    #[test]
    fn text_operators_keep_their_operands() {
        let got = ops(b"BT /F1 12 Tf 72 700 Td (Invoice \\(no. 5\\)) Tj [(A) -250 (B)] TJ <48 69> Tj ET");
        assert_eq!(got[0], ("BT".into(), vec![]));
        assert_eq!(got[1], ("Tf".into(), vec![Operand::Name(b"F1".to_vec()), Operand::Number(12.0)]));
        assert_eq!(got[3], ("Tj".into(), vec![Operand::String(b"Invoice (no. 5)".to_vec())]));
        assert_eq!(
            got[4],
            (
                "TJ".into(),
                vec![Operand::Array(vec![
                    Operand::String(b"A".to_vec()),
                    Operand::Number(-250.0),
                    Operand::String(b"B".to_vec())
                ])]
            )
        );
        assert_eq!(got[5], ("Tj".into(), vec![Operand::String(b"Hi".to_vec())]));
        assert_eq!(got[6].0, "ET");
    }

    #[test]
    fn inline_images_and_dictionaries_are_skipped() {
        let got = ops(b"/P <</MCID 0>> BDC BI /W 2 /H 2 ID \x00EI\xff EI Q (x) Tj");
        let names: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["BDC", "Q", "Tj"], "the inline image is skipped whole");
        assert_eq!(got[2].1, vec![Operand::String(b"x".to_vec())]);
    }

    #[test]
    fn a_flood_of_operands_keeps_only_a_few() {
        let flood = b"1 ".repeat(1_000_000);
        let mut kept = 0;
        ContentScanner::new(ContentLimits::default(), later())
            .scan(&[flood.as_slice(), b"Tj"].concat(), |_, operands| kept = operands.len())
            .expect("scans");
        assert_eq!(kept, ContentLimits::default().max_operands);
    }

    #[test]
    fn the_operator_cap_and_the_deadline_stop_the_scan() {
        let many = b"q Q ".repeat(10);
        let limits = ContentLimits { max_operators: 5, ..ContentLimits::default() };
        assert_eq!(ContentScanner::new(limits, later()).scan(&many, |_, _| {}), Err(Stopped::Operators));
        let lots = b"q ".repeat(10_000);
        let past = Instant::now() - Duration::from_secs(1);
        assert_eq!(ContentScanner::new(ContentLimits::default(), past).scan(&lots, |_, _| {}), Err(Stopped::Deadline));
        let operands_only = b"1 ".repeat(100_000);
        assert_eq!(
            ContentScanner::new(ContentLimits::default(), past).scan(&operands_only, |_, _| {}),
            Err(Stopped::Deadline),
            "a stream of operands with no operator is stopped too"
        );
    }

    #[test]
    fn the_budget_counts_tokens_outside_streams_and_inside_object_streams() {
        let plain = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
                      3 0 obj << /Length 4 >> stream\n(x) endstream endobj";
        let scan = budget_scan(plain, &ScanLimits::default(), later()).expect("scanned");
        assert!((10..20).contains(&scan.tokens), "{}", scan.tokens);
        assert_eq!((scan.over, scan.active.len(), scan.unread_object_streams), (None, 0, false));

        let mut bomb = object_stream(&b"1 ".repeat(300_000));
        let scan = budget_scan(&bomb, &ScanLimits::default(), later()).expect("scanned");
        assert_eq!(scan.over, Some(OverBudget::Tokens));
        assert!(!scan.unread_object_streams);
        let small = ScanLimits { max_object_stream_bytes: 1000, ..ScanLimits::default() };
        let scan = budget_scan(&bomb, &small, later()).expect("scanned");
        assert_eq!(scan.over, Some(OverBudget::ObjectStreams));
        assert!(scan.unread_object_streams);
        // Past the token budget the scan still reads names to the end.
        bomb.extend_from_slice(b"\n9 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj");
        let scan = budget_scan(&bomb, &ScanLimits::default(), later()).expect("scanned");
        assert_eq!(scan.over, Some(OverBudget::Tokens));
        assert_eq!(scan.active, vec![ActiveContent::JavaScript]);
    }

    fn object_stream(objects: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(objects).expect("deflate");
        let packed = z.finish().expect("deflate");
        let mut pdf = b"%PDF-1.5\n5 0 obj << /Type /ObjStm /Filter /FlateDecode /N 1 >> stream\n".to_vec();
        pdf.extend_from_slice(&packed);
        pdf.extend_from_slice(b"\nendstream endobj");
        pdf
    }

    #[test]
    fn active_kinds_read_as_a_list() {
        use ActiveContent::*;
        assert_eq!(ActiveKinds::of(&[JavaScript]).words(), "JavaScript");
        assert_eq!(ActiveKinds::of(&[EmbeddedFiles, JavaScript]).words(), "JavaScript and embedded files");
        let three = ActiveKinds::of(&[JavaScript, FormSubmission, EmbeddedFiles]);
        assert_eq!(three.words(), "JavaScript, a form that sends data and embedded files");
        assert_eq!(three.list(), vec![JavaScript, FormSubmission, EmbeddedFiles]);
        assert_eq!(ActiveKinds::of(&ActiveContent::ALL).list(), ActiveContent::ALL.to_vec());
    }

    #[test]
    fn the_budget_refuses_deep_nesting() {
        let deep = [b"%PDF-1.4\n1 0 obj ".as_slice(), &b"[".repeat(100), &b"]".repeat(100), b" endobj"].concat();
        assert_eq!(budget_scan(&deep, &ScanLimits::default(), later()).expect("scanned").over, Some(OverBudget::Depth));
    }

    fn active(pdf: &[u8]) -> Vec<ActiveContent> {
        budget_scan(pdf, &ScanLimits::default(), later()).expect("scanned").active
    }

    #[test]
    fn active_content_is_found_by_name_however_it_is_written() {
        use ActiveContent::*;
        assert_eq!(active(b"1 0 obj <</OpenAction<</S/JavaScript/JS(x)>>>> endobj"), vec![JavaScript]);
        assert_eq!(active(b"1 0 obj << /S /J#61vaScript >> endobj"), vec![JavaScript], "hex escapes");
        assert_eq!(active(b"1 0 obj << /A << /S /Launch /F (calc.exe) >> >> endobj"), vec![Launch]);
        assert_eq!(active(b"<< /Names << /EmbeddedFiles 3 0 R >> >>"), vec![EmbeddedFiles]);
        assert_eq!(active(b"<< /AcroForm << /XFA 9 0 R >> /S /SubmitForm >>"), vec![FormSubmission, XfaForm]);
        // Inside an object stream too.
        assert_eq!(
            active(&object_stream(b"<< /Type /Filespec /EF << /F 7 0 R >> /Type /EmbeddedFile >>")),
            vec![EmbeddedFiles]
        );
        // Not names: strings, comments and stream data.
        assert_eq!(active(b"1 0 obj (/JavaScript) endobj % /Launch\n"), vec![]);
        assert_eq!(active(b"2 0 obj << /Length 11 >> stream\n/JavaScript\nendstream endobj"), vec![]);
        // Links to web pages and moves within the document are not active.
        assert_eq!(active(b"<< /OpenAction [3 0 R /Fit] /A << /S /URI /URI (https://example.com) >> >>"), vec![]);
        assert_eq!(active(b"<< /JavaScripts /Launcher /J#ZZ >>"), vec![], "only whole names");
    }

    proptest::proptest! {
        #[test]
        fn prop_the_scan_is_total(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let _ = budget_scan(&data, &ScanLimits::default(), later());
        }
    }
}
