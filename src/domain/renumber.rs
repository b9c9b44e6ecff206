//! Codes written out in full follow their parent: when a doel's code lies
//! under its opgave's code (`1.4.2` under `1.4`), renumbering the opgave
//! carries it along; renumbering or moving a doel carries its sub-doelen's
//! codes along. Local codes (one segment, `3`) need nothing: they show under
//! whatever their parent's code is now. Removing a code carries nothing.
//! The carried codes are ordinary `DoelHernummerd` events, appended in the
//! same atomic batch as the change that caused them, so the audittrail of
//! each doel shows them.

use std::collections::HashSet;

use uuid::Uuid;

use super::events::Hernummerd;
use super::structuur::{dubbele_code, Plek};
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
                    nieuwe_code: Some(nieuwe),
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

/// Refuses the batch when a code it gives (`new_codes`: the ids that get
/// them and the place each ends up) is held at that place by a sibling
/// that keeps it: `owner` names what holds a code at a place now, not
/// counting the given ids; items renumbered in the same batch give theirs
/// up.
pub fn check_free(
    new_codes: &[(Uuid, Plek, &Code)],
    owner: impl Fn(Plek, &Code, &[Uuid]) -> Option<Uuid>,
) -> Result<(), DomainError> {
    let moving: Vec<Uuid> = new_codes.iter().map(|(id, _, _)| *id).collect();
    let mut seen = HashSet::new();
    for (_, plek, code) in new_codes {
        let held_elsewhere = owner(*plek, code, &moving).is_some();
        if held_elsewhere || !seen.insert((*plek, code.as_str().to_ascii_lowercase())) {
            return Err(dubbele_code(code, *plek));
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
            .map(|(id, h)| (*id, h.nieuwe_code.as_ref().unwrap().to_string()))
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
        let hier = Plek::Doel {
            opgave_id: Uuid::from_u128(7),
            bovenliggend: None,
        };
        let elders = Plek::Doel {
            opgave_id: Uuid::from_u128(8),
            bovenliggend: None,
        };
        // a takes 1.5.1, which b holds now and gives up in the same batch.
        let holder = |h: Uuid| {
            move |_: Plek, code: &Code, except: &[Uuid]| {
                (code.as_str() == "1.5.1" && !except.contains(&h)).then_some(h)
            }
        };
        assert!(check_free(&[(a, hier, &c1), (b, hier, &c2)], holder(b)).is_ok());
        assert!(check_free(&[(a, hier, &c1)], holder(x)).is_err());
        assert!(check_free(&[(a, hier, &c1), (b, hier, &c1)], |_, _, _| None).is_err());
        // The same code at two places is no clash.
        assert!(check_free(&[(a, hier, &c1), (b, elders, &c1)], |_, _, _| None).is_ok());
    }
}
