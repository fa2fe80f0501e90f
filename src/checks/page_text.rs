//! The text a visitor of a web page sees, for the landing-page check: the
//! page parsed as browsers parse it (html5ever, through `scraper`), with the
//! text the page itself hides left out.
//!
//! - **Hidden from everyone**, never counted: the content of `script`,
//!   `style`, `template`, `noscript`, `iframe` and the like; elements with
//!   the `hidden` attribute; `display: none`; `visibility: hidden` or
//!   `collapse` (until a descendant sets `visible` again); text at
//!   `font-size: 0`.
//! - **Hidden from sight** but still read by screen readers: `opacity: 0`,
//!   `color: transparent`, `transform: scale(0)`, text moved off-screen (a
//!   `text-indent`, `left` or `top` of -999px or beyond) or clipped to
//!   nothing (`clip: rect(0 0 0 0)`, `clip-path: inset(50%)`). Such text
//!   counts, since some visitors get it, unless `aria-hidden="true"` hides
//!   it from screen readers too: then nobody gets it.
//!
//! Styles come from `style` attributes and the page's `<style>` elements,
//! whose rules apply in page order (rules inside `@media`, `@supports` and
//! `@layer` blocks included, as the page could show them); specificity is
//! not weighed and external stylesheets are not fetched. `content` strings
//! of `::before` and `::after` rules count as text. The work is bounded:
//! at most [`MAX_RULES`] rules, matched against elements only while
//! [`MAX_MATCHES`] rule-element pairs last and only down to
//! [`MAX_STYLED_DEPTH`] levels (deeper elements inherit).

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

/// Most `<style>` rules taken from a page.
pub const MAX_RULES: usize = 500;
/// Most (rule, element) pairs matched on one page.
pub const MAX_MATCHES: usize = 500_000;
/// Deepest element that page rules are matched against.
pub const MAX_STYLED_DEPTH: usize = 128;
/// Deepest nesting the parser builds (as Chromium's parser, 512): start
/// tags past it are dropped, their text kept. The HTML tree builder's work
/// per tag grows with the depth, so a page of 100,000 nested `<div>`s
/// would otherwise take minutes.
pub const MAX_PARSE_DEPTH: usize = 512;

/// Elements whose content is never shown as page text.
const HIDDEN_ELEMENTS: &[&str] =
    &["script", "style", "template", "noscript", "iframe", "noembed", "noframes", "object"];

/// Inline elements: their tags do not separate words.
const INLINE_ELEMENTS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd",
    "label", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
    "var", "wbr",
];

/// Which side of an element a `::before` / `::after` string goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pseudo {
    Before,
    After,
}

/// One rule of a page's stylesheet.
struct Rule {
    selector: Selector,
    pseudo: Option<Pseudo>,
    style: Style,
}

/// What a set of declarations says about visibility; `None`: not set.
#[derive(Debug, Clone, Default, PartialEq)]
struct Style {
    display_none: Option<bool>,
    visibility_hidden: Option<bool>,
    font_zero: Option<bool>,
    out_of_sight: Option<bool>,
    content: Option<String>,
}

impl Style {
    /// Later declarations win over earlier ones.
    fn overlay(&mut self, later: &Style) {
        let pick = |a: &mut Option<bool>, b: Option<bool>| {
            if b.is_some() {
                *a = b;
            }
        };
        pick(&mut self.display_none, later.display_none);
        pick(&mut self.visibility_hidden, later.visibility_hidden);
        pick(&mut self.font_zero, later.font_zero);
        pick(&mut self.out_of_sight, later.out_of_sight);
        if later.content.is_some() {
            self.content.clone_from(&later.content);
        }
    }
}

/// What an element passes down to its content.
#[derive(Debug, Clone, Copy, Default)]
struct Inherited {
    visibility_hidden: bool,
    font_zero: bool,
    out_of_sight: bool,
    aria_hidden: bool,
}

impl Inherited {
    fn shows_text(self) -> bool {
        let hidden_from_everyone = self.visibility_hidden || self.font_zero || (self.out_of_sight && self.aria_hidden);
        !hidden_from_everyone
    }
}

/// The text a visitor sees on the page `html`; see the module comment.
pub fn visible_text(html: &str) -> String {
    let doc = parse(html);
    let rules = page_rules(&doc);
    let mut matches_left = MAX_MATCHES;
    let mut out = String::with_capacity(html.len() / 2);
    // Depth-first, without recursion (a page may nest thousands deep).
    let mut stack = vec![Step::Enter(doc.tree.root(), Inherited::default(), 0)];
    while let Some(step) = stack.pop() {
        let (node, inherited, depth) = match step {
            Step::Enter(node, inherited, depth) => (node, inherited, depth),
            Step::Leave(block, after) => {
                if let Some(text) = after {
                    out.push_str(&text);
                }
                if block {
                    out.push(' ');
                }
                continue;
            }
        };
        match node.value() {
            Node::Text(text) => {
                if inherited.shows_text() {
                    out.push_str(text);
                }
                continue;
            }
            Node::Element(_) => {}
            Node::Document | Node::Fragment => {
                push_children(&mut stack, node, inherited, depth);
                continue;
            }
            _ => continue,
        }
        let Some(element) = ElementRef::wrap(node) else { continue };
        let e = element.value();
        let name = e.name();
        let block = !INLINE_ELEMENTS.contains(&name);
        if block {
            out.push(' ');
        }
        if HIDDEN_ELEMENTS.contains(&name) || e.attr("hidden").is_some() {
            continue;
        }
        // The page's rules, in order, then the element's own style.
        let mut style = Style::default();
        let (mut before, mut after) = (None, None);
        if depth <= MAX_STYLED_DEPTH {
            for rule in &rules {
                if matches_left == 0 {
                    break;
                }
                matches_left -= 1;
                if !rule.selector.matches(&element) {
                    continue;
                }
                match rule.pseudo {
                    None => style.overlay(&rule.style),
                    Some(Pseudo::Before) if rule.style.content.is_some() => before.clone_from(&rule.style.content),
                    Some(Pseudo::After) if rule.style.content.is_some() => after.clone_from(&rule.style.content),
                    Some(_) => {}
                }
            }
        }
        if let Some(inline) = e.attr("style") {
            style.overlay(&declarations(inline));
        }
        if style.display_none == Some(true) {
            continue;
        }
        let mut passed = inherited;
        if let Some(hidden) = style.visibility_hidden {
            passed.visibility_hidden = hidden;
        }
        if let Some(zero) = style.font_zero {
            passed.font_zero = zero;
        }
        if style.out_of_sight == Some(true) {
            passed.out_of_sight = true;
        }
        if e.attr("aria-hidden").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            passed.aria_hidden = true;
        }
        let shown = passed.shows_text();
        if shown && let Some(text) = before {
            out.push_str(&text);
        }
        stack.push(Step::Leave(block, after.filter(|_| shown)));
        push_children(&mut stack, node, passed, depth + 1);
    }
    out
}

/// Parses `html` as a browser does, nesting at most [`MAX_PARSE_DEPTH`] deep.
fn parse(html: &str) -> Html {
    use html5ever::TokenizerResult;
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, Tokenizer};
    use html5ever::tree_builder::TreeBuilder;
    use html5ever::tree_builder::TreeSink as _;

    let builder = TreeBuilder::new(scraper::HtmlTreeSink::new(Html::new_document()), Default::default());
    let tokenizer = Tokenizer::new(DepthCap::new(builder), Default::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    tokenizer.sink.inner.sink.finish()
}

/// Elements that are closed implicitly more often than not (`<p>`, `<li>`,
/// table parts): not counted in the depth, so that a long list without end
/// tags is not taken for deep nesting.
const IMPLICITLY_CLOSED: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot", "colgroup", "caption",
    "rb", "rt", "rp", "rtc", "html", "head", "body",
];

/// Elements without content (never closed).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
    "keygen", "frame", "basefont", "bgsound",
];

/// Elements whose content the tokenizer reads as raw text: never dropped,
/// or their content would be read as markup.
const RAW_TEXT: &[&str] =
    &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"];

/// Passes tokens to the tree builder, dropping start tags (and their end
/// tags) that would nest deeper than [`MAX_PARSE_DEPTH`].
struct DepthCap<S> {
    inner: S,
    depth: std::cell::Cell<usize>,
    dropped: std::cell::RefCell<std::collections::HashMap<String, usize>>,
}

impl<S> DepthCap<S> {
    fn new(inner: S) -> Self {
        Self { inner, depth: std::cell::Cell::new(0), dropped: Default::default() }
    }
}

impl<S: html5ever::tokenizer::TokenSink> html5ever::tokenizer::TokenSink for DepthCap<S> {
    type Handle = S::Handle;

    fn process_token(
        &self,
        token: html5ever::tokenizer::Token,
        line_number: u64,
    ) -> html5ever::tokenizer::TokenSinkResult<S::Handle> {
        use html5ever::tokenizer::{TagKind, Token};
        if let Token::TagToken(tag) = &token {
            let name: &str = &tag.name;
            let counted = !IMPLICITLY_CLOSED.contains(&name) && !VOID.contains(&name) && !RAW_TEXT.contains(&name);
            match tag.kind {
                TagKind::StartTag if counted && !tag.self_closing => {
                    if self.depth.get() >= MAX_PARSE_DEPTH {
                        *self.dropped.borrow_mut().entry(name.to_owned()).or_default() += 1;
                        return html5ever::tokenizer::TokenSinkResult::Continue;
                    }
                    self.depth.set(self.depth.get() + 1);
                }
                TagKind::EndTag if counted => {
                    let mut dropped = self.dropped.borrow_mut();
                    if let Some(n) = dropped.get_mut(name).filter(|n| **n > 0) {
                        *n -= 1;
                        return html5ever::tokenizer::TokenSinkResult::Continue;
                    }
                    self.depth.set(self.depth.get().saturating_sub(1));
                }
                _ => {}
            }
        }
        self.inner.process_token(token, line_number)
    }

    fn end(&self) {
        self.inner.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.inner.adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// A step of the walk over the page: `Enter` a node with what its parent
/// passes down (and its depth), `Leave` an element to write what follows it.
enum Step<'a> {
    Enter(NodeRef<'a, Node>, Inherited, usize),
    Leave(bool, Option<String>),
}

fn push_children<'a>(stack: &mut Vec<Step<'a>>, node: NodeRef<'a, Node>, inherited: Inherited, depth: usize) {
    // Pushed last to first, so that the first child is visited first.
    let children: Vec<_> = node.children().collect();
    for child in children.into_iter().rev() {
        stack.push(Step::Enter(child, inherited, depth));
    }
}

/// The rules of the page's `<style>` elements, in page order (at most
/// [`MAX_RULES`]); rules whose selector does not parse are left out.
fn page_rules(doc: &Html) -> Vec<Rule> {
    let Ok(styles) = Selector::parse("style") else { return Vec::new() };
    let mut rules = Vec::new();
    for style in doc.select(&styles) {
        let css: String = style.text().collect();
        rules_of(&strip_comments(&css), &mut rules);
        if rules.len() >= MAX_RULES {
            rules.truncate(MAX_RULES);
            break;
        }
    }
    rules
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..].find("*/").map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// The index of the `}` closing the block whose `{` is just before `from`.
fn block_end(css: &str, from: usize) -> usize {
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    for (i, c) in css[from..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{') => depth += 1,
            (None, '}') => {
                depth -= 1;
                if depth == 0 {
                    return from + i;
                }
            }
            _ => {}
        }
    }
    css.len()
}

/// Reads the rules of `css` (comments removed) into `rules`.
fn rules_of(css: &str, rules: &mut Vec<Rule>) {
    let mut rest = css;
    while rules.len() < MAX_RULES {
        let Some(open) = rest.find('{') else { return };
        let prelude = rest[..open].trim();
        let end = block_end(rest, open + 1);
        let body = &rest[open + 1..end.min(rest.len())];
        if let Some(at_rule) = prelude.strip_prefix('@') {
            // A statement before the block (`@import …;`) ends at its `;`.
            let at_rule = at_rule.rsplit(';').next().unwrap_or(at_rule).trim_start();
            let keyword = at_rule.split(|c: char| !c.is_ascii_alphanumeric() && c != '-').next().unwrap_or("");
            if matches!(
                keyword.to_ascii_lowercase().as_str(),
                "media" | "supports" | "layer" | "container" | "document"
            ) {
                rules_of(body, rules);
            }
        } else {
            // Text before the prelude ending in `;` is a stray statement.
            let prelude = prelude.rsplit(';').next().unwrap_or(prelude).trim();
            let style = declarations(body);
            for part in prelude.split(',') {
                let (selector, pseudo) = split_pseudo(part.trim());
                if let Ok(selector) = Selector::parse(if selector.is_empty() { "*" } else { selector }) {
                    rules.push(Rule { selector, pseudo, style: style.clone() });
                }
            }
        }
        rest = rest.get(end + 1..).unwrap_or("");
    }
}

/// `p.note::before` → (`p.note`, before).
fn split_pseudo(selector: &str) -> (&str, Option<Pseudo>) {
    let lower = selector.to_ascii_lowercase();
    for (suffix, pseudo) in [
        ("::before", Pseudo::Before),
        (":before", Pseudo::Before),
        ("::after", Pseudo::After),
        (":after", Pseudo::After),
    ] {
        if lower.ends_with(suffix) {
            return (selector[..selector.len() - suffix.len()].trim_end(), Some(pseudo));
        }
    }
    (selector, None)
}

/// What the declarations `css` (a `style` attribute or a rule's body) say.
fn declarations(css: &str) -> Style {
    let mut style = Style::default();
    for declaration in split_declarations(css) {
        let Some((name, value)) = declaration.split_once(':') else { continue };
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim();
        let value = value.strip_suffix("!important").unwrap_or(value).trim();
        let lower = value.to_ascii_lowercase();
        match name.as_str() {
            "display" => style.display_none = Some(lower == "none"),
            "visibility" => style.visibility_hidden = Some(matches!(lower.as_str(), "hidden" | "collapse")),
            "font-size" => style.font_zero = Some(is_zero_length(&lower)),
            "opacity" if is_zero_length(&lower) => style.out_of_sight = Some(true),
            "color" if lower == "transparent" => style.out_of_sight = Some(true),
            "transform" if lower.replace(' ', "").starts_with("scale(0") && !lower.contains('.') => {
                style.out_of_sight = Some(true);
            }
            "text-indent" | "left" | "top" | "margin-left" if far_off_screen(&lower) => {
                style.out_of_sight = Some(true);
            }
            "clip" if clipped_to_nothing(&lower) => style.out_of_sight = Some(true),
            "clip-path" if lower.replace(' ', "").starts_with("inset(50%") || lower.starts_with("inset(100%") => {
                style.out_of_sight = Some(true);
            }
            "content" => style.content = css_string(value),
            _ => {}
        }
    }
    style
}

/// Splits declarations on `;` outside quoted strings.
fn split_declarations(css: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quote) = (0usize, None::<char>);
    for (i, c) in css.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, ';') => {
                parts.push(&css[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&css[start..]);
    parts
}

/// `0`, `0px`, `0.0em`, `0%`: a length (or opacity) of nothing.
fn is_zero_length(value: &str) -> bool {
    let number = value.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
    !number.is_empty() && number.parse::<f64>().is_ok_and(|n| n <= 0.0 && n > -0.000_1)
}

/// A length of -999px (or -100em) or further: moved off-screen.
fn far_off_screen(value: &str) -> bool {
    let unit_at = value.find(|c: char| c.is_ascii_alphabetic() || c == '%').unwrap_or(value.len());
    let (number, unit) = value.split_at(unit_at);
    let Ok(n) = number.trim().parse::<f64>() else { return false };
    match unit.trim() {
        "px" | "" => n <= -999.0,
        "em" | "rem" | "vw" | "vh" | "ch" => n <= -100.0,
        _ => false,
    }
}

/// `rect(0 0 0 0)`, `rect(0, 0, 0, 0)`, `rect(1px, 1px, 1px, 1px)`.
fn clipped_to_nothing(value: &str) -> bool {
    let Some(inner) = value.strip_prefix("rect(").and_then(|v| v.strip_suffix(')')) else { return false };
    let sides: Vec<&str> = inner.split([',', ' ']).filter(|s| !s.is_empty()).collect();
    sides.len() == 4 && sides.iter().all(|s| matches!(s.trim_end_matches("px"), "0" | "1"))
}

/// The text of a CSS string (`"AWS"`, `'A\'s'`), or `None` for anything
/// else (`none`, `attr(…)`, counters).
fn css_string(value: &str) -> Option<String> {
    let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let mut out = String::new();
    let mut chars = value[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c if c == quote => return Some(out),
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::landing_page::normalize_text;

    fn seen(html: &str) -> String {
        normalize_text(&visible_text(html))
    }

    #[test]
    fn text_is_read_as_browsers_parse_it() {
        let cases: &[(&str, &str, &str)] = &[
            ("<p>Hello <b>Con</b>toso</p>", "hello contoso", "inline tags do not split words"),
            ("<table><tr><td>AWS</td><td>Azure</td></tr></table>", "aws azure", "block tags separate words"),
            ("a<br>b", "a b", "br separates"),
            ("<script>var x = '<p>Secret</p>';</script>Shown", "shown", "script skipped"),
            ("<STYLE>p{}</STYLE>Shown", "shown", "style skipped, case-insensitive"),
            ("<!-- AWS -->Shown", "shown", "comment skipped"),
            ("<!DOCTYPE html><html><title>T</title>x", "t x", "doctype skipped, title counted"),
            ("<a href=\"x>y\" title='a>b'>Link</a>", "link", "> inside quoted attributes"),
            ("<a href=x'y>Link</a> more", "link more", "stray quote does not swallow the page"),
            ("1 < 2 &amp; 3 &gt; 2", "1 < 2 & 3 > 2", "literal < and entities"),
            ("&#24494;&#x8EDF; &copy; &eacute;t&eacute; &hearts;", "微軟 © été ♥", "every named entity"),
            ("A&nbsp;&nbsp;B\n\t C", "a b c", "NBSP and white space collapse"),
            ("&unknown; &amp", "&unknown; &", "unknown kept, legacy without ;"),
            ("&#150;&#0;&#x110000;", "\u{2013}\u{fffd}\u{fffd}", "C1 and invalid numeric references"),
            ("<p>cut off <scr", "cut off", "truncated tag"),
            ("<script>never closed", "", "unterminated script"),
            ("ＭＩＣＲＯＳＯＦＴ", "microsoft", "full-width folded"),
            ("Contoso\u{200b}Ltd", "contosoltd", "zero-width dropped"),
            ("<noscript>AWS</noscript><template><p>AWS</p></template>x", "x", "noscript and template"),
        ];
        for (html, want, why) in cases {
            assert_eq!(seen(html), *want, "{html:?}: {why}");
        }
    }

    #[test]
    fn text_hidden_from_everyone_does_not_count() {
        let cases: &[(&str, &str, &str)] = &[
            ("<p>Azure <span style=\"display:none\">AWS</span></p>", "azure", "inline display:none"),
            ("<p>Azure <span style='DISPLAY: NONE !important'>AWS</span></p>", "azure", "case and !important"),
            ("<p>Azure <span hidden>AWS</span></p>", "azure", "hidden attribute"),
            ("<div style=\"visibility:hidden\">AWS</div>Azure", "azure", "visibility:hidden"),
            ("<div style=\"visibility:collapse\">AWS</div>Azure", "azure", "visibility:collapse"),
            ("<div style=\"font-size:0\">AWS</div>Azure", "azure", "font-size:0"),
            ("<div style=\"font-size: 0px\">AWS <b>Google Cloud</b></div>Azure", "azure", "zero size is inherited"),
            ("<style>.x{display:none}</style><p>Azure <span class=x>AWS</span></p>", "azure", "a <style> rule"),
            ("<style>#c > i { visibility: hidden }</style><p id=c>Azure <i>AWS</i></p>", "azure", "id and child"),
            ("<style>@media screen { .x { display: none } }</style><p>Azure <b class=x>AWS</b></p>", "azure", "@media"),
            ("<style>/* .x{} */ .x{font-size:0}</style><p>Azure <b class=x>AWS</b></p>", "azure", "comments"),
            (
                "<span aria-hidden=\"true\" style=\"position:absolute;left:-9999px\">AWS</span>Azure",
                "azure",
                "off-screen and hidden from screen readers: nobody sees it",
            ),
            ("<span aria-hidden=true style=\"opacity:0\">AWS</span>Azure", "azure", "transparent and aria-hidden"),
        ];
        for (html, want, why) in cases {
            assert_eq!(seen(html), *want, "{html:?}: {why}");
        }
    }

    #[test]
    fn text_someone_gets_still_counts() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "<div style=\"visibility:hidden\"><span style=\"visibility:visible\">Contoso</span> AWS</div>",
                "contoso",
                "a visible child of a hidden parent",
            ),
            ("<div style=\"font-size:0\"><p style=\"font-size:16px\">Contoso</p></div>", "contoso", "size restored"),
            ("<span aria-hidden=\"true\">Contoso</span>", "contoso", "aria-hidden alone is still on screen"),
            ("<span style=\"position:absolute;left:-9999px\">Contoso</span>", "contoso", "screen readers read it"),
            ("<span style=\"display:inline\">Contoso</span>", "contoso", "display other than none"),
            ("<style>.x{display:none}</style><p class=x style=\"display:block\">Contoso</p>", "contoso", "inline wins"),
            ("<style>.x{display:none} .x{display:block}</style><p class=x>Contoso</p>", "contoso", "later rule wins"),
            ("<span style=\"left:-10px\">Contoso</span>", "contoso", "a small offset is on screen"),
        ];
        for (html, want, why) in cases {
            assert_eq!(seen(html), *want, "{html:?}: {why}");
        }
    }

    #[test]
    fn css_generated_text_counts() {
        let html = "<style>.logo::after { content: \"Amazon Web Services\" } h1:before{content:'Contoso '}</style>\
                    <h1>Learning</h1><span class=logo></span>";
        assert_eq!(seen(html), "contoso learning amazon web services");
        let hidden = "<style>.x::before{content:'AWS'} .x{display:none}</style><p class=x></p>ok";
        assert_eq!(seen(hidden), "ok", "not on a hidden element");
    }

    #[test]
    fn broken_css_and_selectors_are_ignored() {
        let html = "<style>@import url(x.css); p[ { display:none } .ok{display:none;} @font-face{font-family:x} \
                    }}} .x{</style><p>Azure</p><p class=ok>AWS</p>";
        assert_eq!(seen(html), "azure");
    }

    #[test]
    fn deep_pages_stay_bounded() {
        // Past the depth cap the text stays, in order.
        let deep = format!("{}Contoso{}after", "<div>".repeat(50_000), "</div>".repeat(50_000));
        assert_eq!(seen(&deep), "contoso after");
        // Hiding still works below the cap, and a list without end tags is not deep.
        let list = format!("<ul>{}</ul><p style=display:none>AWS</p>", "<li>Contoso".repeat(2_000));
        assert!(!seen(&list).contains("aws"));
        let script = format!("{}<script>var AWS = 1;</script>Contoso", "<span>".repeat(1_000));
        assert_eq!(seen(&script), "contoso", "script content is never read as text, however deep");
    }

    #[test]
    fn many_rules_stay_bounded() {
        let many: String = (0..5_000).map(|i| format!(".c{i} {{ display: none }}")).collect();
        let page = format!("<style>{many}</style>{}", "<p>Contoso</p>".repeat(2_000));
        assert!(seen(&page).starts_with("contoso contoso"));
    }

    proptest::proptest! {
        #[test]
        fn prop_any_markup_gives_text(html in "(<[a-z]{1,6}( [a-z]{1,5}=\"[^\"]{0,8}\")?>|</[a-z]{1,6}>|[^<]{0,12}|<style>[^<]{0,30}</style>){0,40}") {
            let _ = visible_text(&html);
        }
    }
}
