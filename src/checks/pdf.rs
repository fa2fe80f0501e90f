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

/// Counts what a parser would build from `data`; see the module comment.
/// Object streams found on the way are inflated (FlateDecode only, the one
/// filter they use in practice) and counted too.
pub fn budget_scan(data: &[u8], limits: &ScanLimits, deadline: Instant) -> Result<usize, OverBudget> {
    let mut budget = Budget { tokens: 0, inflated: 0, limits, deadline };
    budget.scan(data, true)?;
    Ok(budget.tokens)
}

struct Budget<'a> {
    tokens: usize,
    inflated: usize,
    limits: &'a ScanLimits,
    deadline: Instant,
}

impl Budget<'_> {
    fn count(&mut self) -> Result<(), OverBudget> {
        self.tokens += 1;
        if self.tokens > self.limits.max_tokens {
            return Err(OverBudget::Tokens);
        }
        if self.tokens.is_multiple_of(4096) && Instant::now() >= self.deadline {
            return Err(OverBudget::Deadline);
        }
        Ok(())
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
                    depth += 1;
                    if depth > self.limits.max_depth {
                        return Err(OverBudget::Depth);
                    }
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
                    depth += 1;
                    if depth > self.limits.max_depth {
                        return Err(OverBudget::Depth);
                    }
                    at += 1;
                }
                b']' => {
                    depth = depth.saturating_sub(1);
                    at += 1;
                }
                b'/' => {
                    self.count()?;
                    at += 1;
                    while at < data.len() && is_regular(data[at]) {
                        at += 1;
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
    /// counting an object stream's objects; returns where scanning resumes.
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
                return Err(OverBudget::ObjectStreams);
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
        let counted = budget_scan(plain, &ScanLimits::default(), later()).expect("within budget");
        assert!((10..20).contains(&counted), "{counted}");

        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&b"1 ".repeat(300_000)).expect("deflate");
        let packed = z.finish().expect("deflate");
        let mut bomb = b"%PDF-1.5\n5 0 obj << /Type /ObjStm /Filter /FlateDecode /N 1 >> stream\n".to_vec();
        bomb.extend_from_slice(&packed);
        bomb.extend_from_slice(b"\nendstream endobj");
        assert_eq!(budget_scan(&bomb, &ScanLimits::default(), later()), Err(OverBudget::Tokens));
        let small = ScanLimits { max_object_stream_bytes: 1000, ..ScanLimits::default() };
        assert_eq!(budget_scan(&bomb, &small, later()), Err(OverBudget::ObjectStreams));
    }

    #[test]
    fn the_budget_refuses_deep_nesting() {
        let deep = [b"%PDF-1.4\n1 0 obj ".as_slice(), &b"[".repeat(100), &b"]".repeat(100), b" endobj"].concat();
        assert_eq!(budget_scan(&deep, &ScanLimits::default(), later()), Err(OverBudget::Depth));
    }
}
