//! Small text rules shared by the forms: trimming, bounded lengths counted
//! in characters (`chars()`, as `validator` counts), and number formats.

/// Trims and collapses runs of whitespace inside a one-line answer.
pub fn clean_line(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Invisible characters that reorder or hide text: the bidirectional
/// embeddings, overrides, isolates and marks, the zero-width space, word
/// joiner and invisible operators, and the byte-order mark. (The zero-width
/// joiner and non-joiner are not among them: some scripts spell names with
/// them.)
pub fn is_format_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// What no one-line value (a name, an ID, a URL, a query parameter) may hold:
/// control characters and [invisible formatting](is_format_control).
pub fn forbidden_in_line(c: char) -> bool {
    c.is_control() || is_format_control(c)
}

/// What free text (a textarea) may not hold: control characters other than
/// tabs and line breaks.
pub fn forbidden_in_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A one-line answer without invisible formatting characters: people paste
/// names and IDs from documents that carry them, and in a name they could
/// only disguise what staff read ("Contoso\u{202E}gnp.exe").
pub fn strip_format_controls(raw: &str) -> String {
    raw.chars().filter(|&c| !is_format_control(c)).collect()
}

/// Free text as it may be shown: the explicit embeddings and overrides
/// (U+202A–U+202E), which can reorder what follows them, are dropped; the
/// marks and isolates mixed-direction text needs are kept (pages show free
/// text isolated, so they cannot reach beyond it).
pub fn without_overrides(raw: &str) -> String {
    raw.chars().filter(|c| !matches!(c, '\u{202A}'..='\u{202E}')).collect()
}

/// Text as people type it with an input method in full-width mode, folded
/// to what it means: `ＫＰＩ－２０２６` → `KPI-2026`, `１２．５` → `12.5`
/// (Unicode NFKC). For numbers, codes, identifiers and addresses.
pub fn fold_width(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    raw.nfkc().collect()
}

/// A name as typed, with only the full-width forms of ASCII (and the
/// ideographic space) folded: `ＡＢＣ 有限公司` → `ABC 有限公司`; anything
/// else in a name is kept as written (NFKC would also rewrite ligatures,
/// superscripts and half-width kana).
pub fn fold_width_in_name(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Formats a count the way our messages write limits: 2,000.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A required one-line text: trimmed, non-empty, at most `max` characters.
pub fn required_line(raw: &str, max: usize, empty: &str, label: &str) -> Result<String, String> {
    let v = clean_line(raw);
    if v.is_empty() {
        return Err(empty.to_string());
    }
    if v.chars().count() > max {
        return Err(crate::i18n::ta("text-error-too-long", &[("label", &label.to_string()), ("max", &thousands(max))]));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(crate::i18n::ta("text-error-control", &[("label", &label)]));
    }
    Ok(v)
}

/// Strips an amount's noise before parsing: spaces, thousands separators
/// written as `1,250.50`, and a leading currency symbol or code. Refuses the
/// ambiguous European form `1.250,00` by leaving it unparseable.
pub fn strip_amount_noise(raw: &str) -> String {
    let mut v: String = raw.trim().chars().filter(|c| !c.is_whitespace()).collect();
    for sym in ["US$", "NT$", "$", "€", "£", "¥", "￥"] {
        if let Some(rest) = v.strip_prefix(sym) {
            v = rest.to_string();
        }
    }
    // Thousands separators only when they are clearly that: 1,234 or
    // 1,234,567.89 (groups of three before an optional dot part).
    if v.contains(',') {
        let (int_part, frac) = match v.split_once('.') {
            Some((i, f)) => (i.to_string(), Some(f.to_string())),
            None => (v.clone(), None),
        };
        let groups: Vec<&str> = int_part.split(',').collect();
        let well_formed = groups.len() > 1
            && !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
        if well_formed {
            v = groups.concat();
            if let Some(f) = frac {
                v.push('.');
                v.push_str(&f);
            }
        }
    }
    v
}

/// A non-negative decimal: digits, optionally a dot and more digits.
/// Returns (integer digits, fraction digits) without leading zeros.
pub fn parse_decimal(v: &str) -> Option<(String, String)> {
    let (int_part, frac_part) = match v.split_once('.') {
        Some((i, f)) => (i, f),
        None => (v, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.chars().all(|c| c.is_ascii_digit()) || !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if v.ends_with('.') {
        return None;
    }
    let int_norm = int_part.trim_start_matches('0');
    let int_norm = if int_norm.is_empty() { "0" } else { int_norm };
    Some((int_norm.to_string(), frac_part.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_noise_is_stripped_but_ambiguity_is_kept() {
        assert_eq!(strip_amount_noise(" $1,250.50 "), "1250.50");
        assert_eq!(strip_amount_noise("1,234,567"), "1234567");
        assert_eq!(strip_amount_noise("1.250,00"), "1.250,00");
        assert_eq!(strip_amount_noise("12,5"), "12,5");
    }

    #[test]
    fn decimals_parse_strictly() {
        assert_eq!(parse_decimal("012.50"), Some(("12".into(), "50".into())));
        assert_eq!(parse_decimal(".5"), Some(("0".into(), "5".into())));
        assert_eq!(parse_decimal("5."), None);
        assert_eq!(parse_decimal("-5"), None);
        assert_eq!(parse_decimal("1e3"), None);
        assert_eq!(parse_decimal(""), None);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(200), "200");
        assert_eq!(thousands(2000), "2,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn required_lines_are_trimmed_and_bounded() {
        assert_eq!(required_line("  台灣  微軟 ", 10, "e", "Name"), Ok("台灣 微軟".into()));
        assert_eq!(required_line("   ", 10, "Enter it", "Name"), Err("Enter it".into()));
        assert!(required_line(&"字".repeat(11), 10, "e", "Name").is_err());
        assert!(required_line(&"字".repeat(10), 10, "e", "Name").is_ok());
    }
}
