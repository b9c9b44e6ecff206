//! One escaping function per output format, so every text a user typed
//! (names, titles, omschrijvingen, reflecties, voortgangsberichten) reaches
//! every output the same way: [`html`] for the HTML fragment, [`xml`] for
//! the Atom feed, [`markdown`] for the Markdown edition, and [`csv_cell`]
//! (with its inverse [`csv_cell_text`] for the CSV import) for every CSV the
//! product writes. Output code never writes user text without one of them.

mod markdown;

use std::borrow::Cow;

pub use markdown::{markdown, Block, Md};

/// Text for HTML element content and attribute values: the five special
/// characters become entities.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text for XML element content and attributes: escaped, and without the
/// control characters XML 1.0 does not allow.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The characters that make a spreadsheet read a cell as a formula (OWASP,
/// "CSV Injection").
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` needs a `'` in front in a CSV cell: it starts with a formula
/// character, or with `'`s followed by one (so that the `'` added to such a
/// text can be told apart from one the user typed, and the import gives
/// back exactly what was exported).
fn needs_quote(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// A cell of a CSV the product writes: a text that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'`, so a
/// spreadsheet shows it as text instead of running it as a formula. The
/// CSV writer then quotes the cell as its dialect requires.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    if needs_quote(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The inverse of [`csv_cell`], for the CSV import: the `'` added in front
/// of a formula character is taken off again (a `'` the user typed in front
/// of anything else stays).
pub fn csv_cell_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_everything_that_could_be_markup() {
        assert_eq!(
            html("<b title=\"x\">'&'</b>"),
            "&lt;b title=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn xml_drops_what_xml_cannot_hold() {
        assert_eq!(xml("a\u{1}<b>]]>&"), "a&lt;b&gt;]]&gt;&amp;");
    }

    #[test]
    fn csv_cells_that_start_a_formula_get_a_quote_and_come_back_unchanged() {
        for (text, cell) in [
            (
                "=HYPERLINK(\"http://x\"&A1)",
                "'=HYPERLINK(\"http://x\"&A1)",
            ),
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+31 6", "'+31 6"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tTab", "'\tTab"),
            ("\rCR", "'\rCR"),
            ("'=al gequote", "''=al gequote"),
            ("''-twee", "'''-twee"),
            ("Gewoon = tekst", "Gewoon = tekst"),
            ("'citaat'", "'citaat'"),
            ("", ""),
            ("Gemeente Twenterand", "Gemeente Twenterand"),
        ] {
            assert_eq!(csv_cell(text), cell, "{text:?}");
            assert_eq!(csv_cell_text(&csv_cell(text)), text, "{text:?}");
        }
    }
}

#[cfg(test)]
mod markdown_tests;
