//! Codes such as `1`, `1.1`, `2.6.1`, `A` or `IV`: how people refer to
//! themalijnen, opgaven and doelen in meetings. They parse or are refused.
//! A code is optional at every level; where given it is unique among the
//! siblings of the same kind (compared without case). What a code shows as
//! (its `weergavecode`) is derived ([`weergavecode`]): a code of one segment
//! is local to its parent (`3` under `2.1` shows as `2.1.3`), a longer one
//! is written out in full (`1.1.3`). [`label`] is how an item is named in
//! text: its weergavecode and title, or its title alone.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Levels a code may have as written.
pub const MAX_SEGMENTS: usize = 6;
/// Levels a derived weergavecode (and a kenmerk's prefix) may have: a
/// local code under a deep chain of coded parents.
pub const MAX_WEERGAVE_SEGMENTS: usize = 12;

/// A dotted code of 1 to 6 segments, each 1 to 4 ASCII letters or digits
/// (`2.6.1`, `A`, `IV`, `3a`). Leading zeros and case are kept as written,
/// so `1.01` and `1.1` are different codes; `a` and `A` are the same code
/// for uniqueness ([`Code::same`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

fn check(raw: &str, max: usize) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("een code mag niet leeg zijn".into());
    }
    let segments: Vec<&str> = raw.split('.').collect();
    if segments.len() > max {
        return Err(format!("code {raw:?} heeft meer dan {max} niveaus"));
    }
    if segments
        .iter()
        .any(|s| s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(format!(
            "code {raw:?} is ongeldig: gebruik delen van 1 tot 4 letters of cijfers gescheiden door punten, zoals 1.1, 2.6.1, A of 3a"
        ));
    }
    Ok(raw.to_owned())
}

/// One segment of a code for sorting: segments that start with a number
/// first, by that number (`2`, `2a`, `10`), then the others by their
/// letters without case (`A`, `b`, `IV`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Segment(bool, u64, String);

impl Code {
    pub fn parse(raw: &str) -> Result<Self, String> {
        check(raw, MAX_SEGMENTS).map(Self)
    }

    /// A derived weergavecode or a kenmerk's prefix: as [`Code::parse`],
    /// with up to [`MAX_WEERGAVE_SEGMENTS`] levels.
    pub fn parse_weergave(raw: &str) -> Result<Self, String> {
        check(raw, MAX_WEERGAVE_SEGMENTS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number of dot-separated segments (`2.6.1`: 3).
    pub fn segments(&self) -> usize {
        self.0.split('.').count()
    }

    /// Whether the code is local (one segment): it shows under its
    /// parent's weergavecode.
    pub fn is_local(&self) -> bool {
        !self.0.contains('.')
    }

    /// Whether two codes are the same for uniqueness (case ignored).
    pub fn same(&self, other: &Code) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }

    /// True when `self` is a child or deeper descendant of `parent` (`1.1.2` of `1.1`).
    pub fn is_under(&self, parent: &Code) -> bool {
        self.0.len() > parent.0.len()
            && self.0.as_bytes()[..parent.0.len()].eq_ignore_ascii_case(parent.0.as_bytes())
            && self.0.as_bytes()[parent.0.len()] == b'.'
    }

    /// A natural sort key: `1.2` before `1.10`, numbers before letters,
    /// letters without case (`A`, `b`, `C`).
    pub fn sort_key(&self) -> Vec<Segment> {
        sort_key(&self.0)
    }
}

/// [`Code::sort_key`] for a code (or weergavecode) as text.
pub fn sort_key(code: &str) -> Vec<Segment> {
    code.split('.')
        .map(|s| {
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            let number = s[..digits].parse::<u64>().ok();
            Segment(
                number.is_none(),
                number.unwrap_or(0),
                s[digits..].to_ascii_lowercase(),
            )
        })
        .collect()
}

/// Orders optional codes: coded items by [`sort_key`] first, then the
/// items without a code (the caller breaks ties, e.g. by title).
pub fn compare(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => sort_key(a).cmp(&sort_key(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The weergavecode of an item with code `own` whose parent shows as
/// `parent` (computed only when needed): none without a code of its own;
/// a code of several segments as written; a local code (one segment)
/// under its parent's weergavecode when the parent has one, else as
/// written.
pub fn weergavecode(own: Option<&Code>, parent: impl FnOnce() -> Option<Code>) -> Option<Code> {
    let own = own?;
    if !own.is_local() {
        return Some(own.clone());
    }
    match parent() {
        Some(p) => {
            Some(Code::parse_weergave(&format!("{p}.{own}")).unwrap_or_else(|_| own.clone()))
        }
        None => Some(own.clone()),
    }
}

/// Whether an item's weergavecode names it within the whole agenda (`own`
/// its code; `parent` whether its parent's does, none at the top of the
/// agenda): its code is written out in full (several segments), or it is
/// local and every level above it has a code too. A local code under an
/// uncoded parent (doel `1` of an opgave named by title only) shows as
/// written and is shared by every such doel, so it is no reference: an
/// actie's kenmerk does not start with it.
pub fn verankerd(own: Option<&Code>, parent: impl FnOnce() -> Option<bool>) -> bool {
    match own {
        None => false,
        Some(c) if !c.is_local() => true,
        Some(_) => parent().unwrap_or(true),
    }
}

/// How an item is named in text: `1.1.3 Titel` with a weergavecode,
/// `Titel` without (never an invented code). The one place that decides
/// it: every list, report and feed that names an item in text calls this
/// (through `ReadModel::opgave_label` and the like, or with a DTO's code).
pub fn label<C: AsRef<str>>(weergavecode: Option<C>, titel: &str) -> String {
    match weergavecode {
        Some(c) if !c.as_ref().is_empty() => format!("{} {titel}", c.as_ref()),
        _ => titel.to_owned(),
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Code {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Code> for String {
    fn from(c: Code) -> String {
        c.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[test]
    fn parses_the_documents_codes() {
        for ok in [
            "1", "1.1", "2.6.1", "4.1.5", " 3.2 ", "A", "IV", "3a", "2.b.1",
        ] {
            assert!(Code::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1.",
            ".1",
            "1..2",
            "1.1.1.1.1.1.1",
            "1,1",
            "abcde",
            "1-2",
            "é",
            "1 2",
        ] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
        assert!(c("1.1.2").is_under(&c("1.1")));
        assert!(c("A.1").is_under(&c("a")));
        assert!(!c("1.10").is_under(&c("1.1")));
    }

    #[test]
    fn sorts_naturally_numbers_first_and_letters_without_case() {
        let mut codes = vec!["1.10", "B", "1.2", "a", "2", "10", "1.2a", "IV"];
        codes.sort_by_key(|s| sort_key(s));
        assert_eq!(codes, ["1.2", "1.2a", "1.10", "2", "10", "a", "B", "IV"]);
        assert_eq!(compare(Some("9"), None), Ordering::Less);
    }

    #[test]
    fn uniqueness_ignores_case() {
        assert!(c("iv").same(&c("IV")));
        assert!(!c("1.1").same(&c("1.10")));
    }

    #[test]
    fn a_local_code_shows_under_its_parent_and_a_long_one_as_written() {
        let parent = || Some(c("2.1"));
        assert_eq!(weergavecode(Some(&c("3")), parent), Some(c("2.1.3")));
        assert_eq!(weergavecode(Some(&c("1.1.3")), parent), Some(c("1.1.3")));
        assert_eq!(weergavecode(Some(&c("3")), || None), Some(c("3")));
        assert_eq!(weergavecode(None, parent), None);
        assert_eq!(label(Some(&c("2.1.3")), "Wonen"), "2.1.3 Wonen");
        assert_eq!(label(None::<&str>, "Wonen"), "Wonen");
        assert_eq!(label(Some(""), "Wonen"), "Wonen");
    }
}
