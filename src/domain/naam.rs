//! Names that identify something to a person (an organisatie's naam): two
//! names that look the same are the same name.
//!
//! [`normalise`] is applied before a name is checked for uniqueness and is
//! the form that is stored: Unicode NFC (a precomposed `é` and `e` + combining
//! accent are one spelling), invisible format characters taken out (zero-width
//! space and joiners, bidirectional overrides and isolates, the byte-order mark,
//! soft hyphen: Unicode category Cf), control characters turned into spaces,
//! every run of white space (also no-break and ideographic spaces) one space,
//! and no space at either end. [`same`] compares two names that way, ignoring
//! case.

use unicode_normalization::UnicodeNormalization;

/// Whether `c` is a format character (Unicode general category Cf): it has
/// no glyph of its own, so it can make two names look alike.
pub fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD
        | 0x0600..=0x0605
        | 0x061C
        | 0x06DD
        | 0x070F
        | 0x0890..=0x0891
        | 0x08E2
        | 0x180E
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x2064
        | 0x2066..=0x206F
        | 0xFEFF
        | 0xFFF9..=0xFFFB
        | 0x110BD
        | 0x110CD
        | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0001
        | 0xE0020..=0xE007F)
}

/// The stored, compared form of a name; see the module documentation.
pub fn normalise(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.nfc() {
        if is_format(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// The identity of a name: [`normalise`]d and lower case. Two names with the
/// same key are the same name (a lookup table of names is keyed by this).
pub fn key(raw: &str) -> String {
    normalise(raw).to_lowercase()
}

/// Whether two names are the same name: equal after [`normalise`],
/// ignoring case.
pub fn same(a: &str, b: &str) -> bool {
    key(a) == key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalike_spellings_normalise_to_one_name() {
        for lookalike in [
            "Taalpunt",
            "Taal\u{200b}punt",
            "\u{feff}Taalpunt",
            "Taal\u{202e}punt\u{202c}",
            "Taal\u{2066}punt\u{2069}",
            "Taal\u{00ad}punt",
            "  Taalpunt\u{200d} ",
        ] {
            assert_eq!(normalise(lookalike), "Taalpunt", "{lookalike:?}");
        }
        assert_eq!(
            normalise("Stichting\u{a0}\t Welzijn\n"),
            "Stichting Welzijn"
        );
        assert_eq!(normalise("Cafe\u{301}"), "Café", "NFC");
        assert_eq!(normalise("\u{200b}\u{200b}"), "");
        assert!(same("TAALPUNT", "taal\u{200b}punt"));
        assert!(!same("Taalpunt", "Taalpunten"));
    }
}
