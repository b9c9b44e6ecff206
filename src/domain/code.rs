//! Codes such as `1`, `1.1` and `1.1.1`: how people refer to themalijnen,
//! opgaven and doelen in meetings. They parse or are refused.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A dotted code of 1 to 6 numeric segments (`2.6.1`). Leading zeros are kept
/// as written, so `1.01` and `1.1` are different codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("een code mag niet leeg zijn".into());
        }
        let segments: Vec<&str> = raw.split('.').collect();
        if segments.len() > 6 {
            return Err(format!("code {raw:?} heeft meer dan 6 niveaus"));
        }
        if segments
            .iter()
            .any(|s| s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!(
                "code {raw:?} is ongeldig: gebruik cijfers gescheiden door punten, zoals 1.1 of 2.6.1"
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `self` is a child or deeper descendant of `parent` (`1.1.2` of `1.1`).
    pub fn is_under(&self, parent: &Code) -> bool {
        self.0.len() > parent.0.len()
            && self.0.starts_with(&parent.0)
            && self.0.as_bytes()[parent.0.len()] == b'.'
    }

    /// A sort key that orders `1.2` before `1.10`.
    pub fn sort_key(&self) -> Vec<u32> {
        self.0.split('.').map(|s| s.parse().unwrap_or(0)).collect()
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

    #[test]
    fn parses_the_documents_codes() {
        for ok in ["1", "1.1", "2.6.1", "4.1.5", " 3.2 "] {
            assert!(Code::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1.", ".1", "1..2", "a.1", "1.1.1.1.1.1.1", "1,1"] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
        let c = Code::parse("1.1.2").unwrap();
        assert!(c.is_under(&Code::parse("1.1").unwrap()));
        assert!(!Code::parse("1.10")
            .unwrap()
            .is_under(&Code::parse("1.1").unwrap()));
        assert!(Code::parse("1.2").unwrap().sort_key() < Code::parse("1.10").unwrap().sort_key());
    }
}
