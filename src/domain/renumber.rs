//! The structural rule on codes, kept after every change: a doel's code
//! lies under its opgave's code (`1.4.2` under `1.4`). Renumbering an opgave
//! carries the codes of its doelen (and sub-doelen) along; renumbering or
//! moving a doel carries its sub-doelen's codes along. The carried codes are
//! ordinary `DoelHernummerd` events, appended in the same atomic batch as
//! the change that caused them, so the audittrail of each doel shows them.

use std::collections::HashSet;

use uuid::Uuid;

use super::events::Hernummerd;
use super::{Code, DomainError};
use crate::domain::Foutcode;

/// `code` with its leading `from` replaced by `to` (`1.4.2`, `1.4` → `1.5`
/// gives `1.5.2`); `None` when `code` does not lie under `from`.
pub fn carried(code: &Code, from: &Code, to: &Code) -> Option<Result<Code, String>> {
    if !code.is_under(from) {
        return None;
    }
    let rest = &code.as_str()[from.as_str().len()..];
    Some(Code::parse(&format!("{to}{rest}")))
}

/// One item below the changed one: its id and code.
#[derive(Debug, Clone)]
pub struct Below {
    pub id: Uuid,
    pub code: Option<Code>,
}

/// The renumbers that carry the codes of `below` from under `from` to
/// under `to`. Items without a code, or whose code does not lie under
/// `from`, keep it. A carried code that would be invalid (more than 6
/// levels) refuses the change.
pub fn carry_along(
    below: &[Below],
    from: &Code,
    to: &Code,
) -> Result<Vec<(Uuid, Hernummerd)>, DomainError> {
    let mut out = Vec::new();
    for item in below {
        let Some(code) = &item.code else { continue };
        match carried(code, from, to) {
            None => {}
            Some(Ok(nieuwe)) => out.push((
                item.id,
                Hernummerd {
                    vorige_code: Some(code.clone()),
                    nieuwe_code: nieuwe,
                },
            )),
            Some(Err(reason)) => {
                return Err(DomainError::invalid(
                    "code",
                    Foutcode::InvalidCode,
                    format!("Hernummeren van {from} naar {to} maakt van {code} een ongeldige code: {reason}."),
                ))
            }
        }
    }
    Ok(out)
}

/// Refuses the batch when a code it gives (`new_codes`, with the ids that
/// get them) is held by anything that keeps it: `owner` names what holds a
/// code now; items renumbered in the same batch give theirs up.
pub fn check_free(
    new_codes: &[(Uuid, &Code)],
    owner: impl Fn(&Code) -> Option<Uuid>,
) -> Result<(), DomainError> {
    let moving: HashSet<Uuid> = new_codes.iter().map(|(id, _)| *id).collect();
    let mut seen = HashSet::new();
    for (id, code) in new_codes {
        let held_elsewhere = owner(code).is_some_and(|o| o != *id && !moving.contains(&o));
        if held_elsewhere || !seen.insert(code.as_str()) {
            return Err(DomainError::conflict(
                Foutcode::DuplicateCode,
                format!("Code {code} is in deze agenda al in gebruik (de codes eronder schuiven mee). Kies een andere code of hernummer eerst de bestaande."),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[test]
    fn renumbering_carries_the_codes_below_along_and_leaves_the_rest() {
        let (a, b, d, e) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let below = [
            Below {
                id: a,
                code: Some(c("1.4.1")),
            },
            Below {
                id: b,
                code: Some(c("1.4.2.1")),
            },
            Below { id: d, code: None },
            Below {
                id: e,
                code: Some(c("1.40.1")),
            },
        ];
        let out = carry_along(&below, &c("1.4"), &c("1.5")).unwrap();
        let codes: Vec<(Uuid, String)> = out
            .iter()
            .map(|(id, h)| (*id, h.nieuwe_code.to_string()))
            .collect();
        assert_eq!(codes, vec![(a, "1.5.1".into()), (b, "1.5.2.1".into())]);
        assert_eq!(out[0].1.vorige_code, Some(c("1.4.1")));
        let too_deep = [Below {
            id: a,
            code: Some(c("1.4.1.1.1")),
        }];
        assert!(carry_along(&too_deep, &c("1.4"), &c("1.4.1.1")).is_err());
    }

    #[test]
    fn a_carried_code_may_take_one_given_up_in_the_same_batch_but_no_other() {
        let (a, b, x) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(9));
        let (c1, c2) = (c("1.5.1"), c("1.5.2"));
        // a takes 1.5.1, which b holds now and gives up in the same batch.
        let owner = |code: &Code| (code.as_str() == "1.5.1").then_some(b);
        assert!(check_free(&[(a, &c1), (b, &c2)], owner).is_ok());
        let owner = |code: &Code| (code.as_str() == "1.5.1").then_some(x);
        assert!(check_free(&[(a, &c1)], owner).is_err());
        assert!(check_free(&[(a, &c1), (b, &c1)], |_| None).is_err());
    }
}
