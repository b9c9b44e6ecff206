//! Kenmerk: the actie's own short reference (`1.1.3-2`), unique within its
//! agenda and stable for its life. It is made of the weergavecode of the
//! nearest level above the actie when it was created (its doel's, else its
//! parent doel's, else its opgave's) whose code names it within the agenda
//! (written out in full, or local with codes on every level above it), and
//! a sequence number one past the highest already given with that code;
//! with no such code above it, just a number within the agenda (`7`). So
//! doel `1` of an opgave named by title only gives no prefix: `1-3` would
//! read as "doel 1's third actie" while every such opgave has a doel 1.
//! A later renumber or move never changes it.
//!
//! The rule is decided here; the read model keeps what it needs to know
//! (the highest number per prefix, the kenmerken taken) and implements
//! [`KenmerkRegister`].

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::structuur::weergave::{self, CodeBoom};
use crate::domain::Code;

/// The pattern of a kenmerk as published (an agenda file's `kenmerk`):
/// exactly what [`Kenmerk::parse`] takes, without surrounding spaces.
pub const KENMERK_PATTERN: &str =
    r"^([0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,11}-)?[1-9][0-9]{0,8}$";

/// `<code>-<n>` or `<n>`; `n` is 1 or more, without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Kenmerk(String);

fn volgnummer(raw: &str) -> Option<u32> {
    if raw.is_empty() || raw.len() > 9 || raw.starts_with('0') {
        return None;
    }
    if !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

impl Kenmerk {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let ok = match raw.rsplit_once('-') {
            Some((prefix, n)) => Code::parse_weergave(prefix).is_ok() && volgnummer(n).is_some(),
            None => volgnummer(raw).is_some(),
        };
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "Kenmerk {raw:?} is ongeldig: schrijf een code met een volgnummer (1.1.3-2) of alleen een volgnummer (7)."
            ))
        }
    }

    /// The kenmerk with `prefix` (none: a number within the agenda) and number `n`.
    pub fn new(prefix: Option<&Code>, n: u32) -> Self {
        match prefix {
            Some(code) => Self(format!("{code}-{n}")),
            None => Self(n.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code part (`1.1.3` of `1.1.3-2`); empty for a plain number.
    pub fn prefix(&self) -> &str {
        self.0.rsplit_once('-').map_or("", |(p, _)| p)
    }

    /// The sequence number (`2` of `1.1.3-2`).
    pub fn volgnummer(&self) -> u32 {
        let n = self.0.rsplit_once('-').map_or(self.0.as_str(), |(_, n)| n);
        n.parse().unwrap_or(0)
    }
}

impl TryFrom<String> for Kenmerk {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Kenmerk> for String {
    fn from(k: Kenmerk) -> String {
        k.0
    }
}

impl fmt::Display for Kenmerk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the kenmerk rule needs to know of an agenda.
pub trait KenmerkRegister {
    /// The highest sequence number given with `prefix` (`""`: no code) in
    /// the agenda; 0 when none.
    fn hoogste_volgnummer(&self, agenda_id: Uuid, prefix: &str) -> u32;
}

/// The code a new actie's kenmerk starts with: the weergavecode of the
/// nearest level above it (doel, parent doel, opgave) whose code names it
/// within the agenda ([`weergave::doel_referentie`]).
pub fn prefix(boom: &impl CodeBoom, opgave_id: Uuid, doel_id: Option<Uuid>) -> Option<Code> {
    let parent = || {
        let d = boom.doel_knoop(doel_id?)?;
        weergave::doel_referentie(boom, d.bovenliggend_doel_id?)
    };
    doel_id
        .and_then(|d| weergave::doel_referentie(boom, d))
        .or_else(parent)
        .or_else(|| weergave::opgave_referentie(boom, opgave_id))
}

/// The kenmerk of a new actie of `agenda_id` with `prefix` above it.
pub fn volgende(
    register: &impl KenmerkRegister,
    agenda_id: Uuid,
    prefix: Option<&Code>,
) -> Kenmerk {
    let key = prefix.map_or("", |c| c.as_str());
    Kenmerk::new(
        prefix,
        register
            .hoogste_volgnummer(agenda_id, key)
            .saturating_add(1),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Register(HashMap<String, u32>);
    impl KenmerkRegister for Register {
        fn hoogste_volgnummer(&self, _: Uuid, prefix: &str) -> u32 {
            self.0.get(prefix).copied().unwrap_or(0)
        }
    }

    #[test]
    fn a_kenmerk_is_a_code_and_a_number_or_a_number() {
        for ok in ["1.1.3-2", "1-1", "7", " 2.6.1-12 "] {
            assert!(Kenmerk::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-1",
            "1.1.3-",
            "1.1.3-0",
            "1.1.3-02",
            "é-1",
            "1.1.3 - 2",
            "0",
        ] {
            assert!(Kenmerk::parse(bad).is_err(), "{bad}");
        }
        let k = Kenmerk::parse("1.1.3-2").unwrap();
        assert_eq!((k.prefix(), k.volgnummer()), ("1.1.3", 2));
        let k = Kenmerk::parse("7").unwrap();
        assert_eq!((k.prefix(), k.volgnummer()), ("", 7));
    }

    #[test]
    fn the_next_kenmerk_follows_the_highest_of_its_code_and_takes_the_nearest_code() {
        use crate::domain::structuur::fake::{id, Structuur};
        // Opgave 1.1 (10) with doel 1.1.3 (20) and its uncoded sub-doel
        // (21); opgave 4 (12) with local doel 2 (23); uncoded opgave (11)
        // with an uncoded doel (22).
        let view = Structuur::met_agenda()
            .opgave(10, "1.1")
            .doel(20, 10, None, Some("1.1.3"))
            .doel(21, 10, Some(20), None)
            .opgave_in(11, None, None)
            .doel(22, 11, None, None)
            .opgave(12, "4")
            .doel(23, 12, None, Some("2"));
        let register = Register(HashMap::from([("1.1.3".into(), 2), ("".into(), 4)]));
        let agenda = Uuid::nil();
        let next = |opgave, doel: Option<u128>| {
            let p = prefix(&view, id(opgave), doel.map(id));
            volgende(&register, agenda, p.as_ref()).to_string()
        };
        assert_eq!(next(10, Some(20)), "1.1.3-3");
        // A sub-doel without a code: the parent doel's code.
        assert_eq!(next(10, Some(21)), "1.1.3-3");
        assert_eq!(next(10, None), "1.1-1");
        // A local code: its weergavecode.
        assert_eq!(next(12, Some(23)), "4.2-1");
        // No code above it at all: a number within the agenda.
        assert_eq!(next(11, Some(22)), "5");
        assert_eq!(next(11, None), "5");
    }

    #[test]
    fn a_local_code_under_an_uncoded_level_gives_no_prefix() {
        use crate::domain::structuur::fake::{id, Structuur};
        // Two opgaven named by title only, each with its own doel 1 (a
        // nota that numbers its doelen within each opgave), and a sub-doel
        // 2 under the first doel 1.
        let view = Structuur::met_agenda()
            .opgave_in(10, None, None)
            .doel(20, 10, None, Some("1"))
            .doel(21, 10, Some(20), Some("2"))
            .opgave_in(11, None, None)
            .doel(22, 11, None, Some("1"))
            // A local opgave code at the agenda level is a reference.
            .opgave(12, "3")
            .doel(23, 12, None, Some("1"));
        let register = Register(HashMap::from([("1".into(), 2), ("".into(), 4)]));
        let next = |opgave, doel: u128| {
            let p = prefix(&view, id(opgave), Some(id(doel)));
            volgende(&register, Uuid::nil(), p.as_ref()).to_string()
        };
        // Not `1-3`, which would read as the third actie of "doel 1".
        assert_eq!(next(10, 20), "5");
        assert_eq!(next(11, 22), "5");
        assert_eq!(next(10, 21), "5");
        assert_eq!(next(12, 23), "3.1-1");
        // The weergavecode itself is unchanged: it still shows as `1`.
        assert_eq!(weergave::doel(&view, id(22)).unwrap().as_str(), "1");
    }
}

#[cfg(test)]
mod pattern_tests {
    use super::Kenmerk;

    /// The pattern `?kenmerk=` publishes (src/http/acties.rs) and this parser
    /// agree on the forms people write.
    #[test]
    fn the_published_pattern_and_the_parser_agree() {
        for ok in ["7", "1.1.3-2", "2-10", "999999999", "1.2.3.4.5.6-1"] {
            assert!(Kenmerk::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "0",
            "07",
            "1.1.3-0",
            "1..2-1",
            "a",
            "1.1.3-",
            "1234567890",
            "1.2.3.4.5.6.7.8.9.10.11.12.13-1",
        ] {
            assert!(Kenmerk::parse(bad).is_err(), "{bad}");
        }
    }
}
