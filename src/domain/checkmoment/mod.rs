//! Checkmoment (PDCA "Check") on an opgave or the whole agenda, and the
//! bijsturingen (PDCA "Act") decided at it. The changes a bijsturing lists are
//! carried out by ordinary commands that carry the bijsturing's id; the
//! programme manager marks the bijsturing doorgevoerd when they are in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::{
    BijsturingDoorgevoerd, BijsturingVastgelegd, CheckmomentGeopend, CheckmomentGesloten,
    CheckmomentGewijzigd, Event,
};
use super::{Decision, DomainError, FieldError};
use crate::domain::Foutcode;

mod command;
pub use command::{CheckmomentCommand, CheckmomentStatus, CheckmomentView, Niveau};

/// One change a bijsturing intends: what kind, about what, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoorgenomenWijziging {
    pub soort: WijzigingSoort,
    pub omschrijving: String,
    /// The actie, doel, opgave or indicator it is about, if it exists already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onderwerp_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum WijzigingSoort {
    ActieToevoegen,
    ActieLatenVervallen,
    ActieWijzigen,
    TrekkerWijzigen,
    StreefwaardeBijstellen,
    DoelWijzigen,
    Overig,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Bijsturing {
    pub id: Uuid,
    pub besluit: String,
    pub onderbouwing: String,
    pub datum: NaiveDate,
    #[serde(with = "crate::domain::binary::wijzigingen")]
    pub voorgenomen_wijzigingen: Vec<VoorgenomenWijziging>,
    pub doorgevoerd_op: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Checkmoment {
    pub agenda_id: Uuid,
    pub opgave_id: Option<Uuid>,
    pub datum: NaiveDate,
    pub onderwerp: String,
    pub deelnemers: Vec<Uuid>,
    pub gesloten_op: Option<NaiveDate>,
    pub samenvatting: Option<String>,
    pub bijsturingen: Vec<Bijsturing>,
}

fn has_duplicates(ids: &[Uuid]) -> bool {
    ids.iter().enumerate().any(|(i, x)| ids[..i].contains(x))
}

pub fn open(e: CheckmomentGeopend) -> Decision {
    let mut errors = Vec::new();
    if e.onderwerp.trim().is_empty() {
        errors.push(FieldError {
            field: "onderwerp".into(),
            code: Foutcode::Required,
            message: "Geef het checkmoment een onderwerp.".into(),
        });
    }
    if has_duplicates(&e.deelnemers) {
        errors.push(FieldError {
            field: "deelnemers".into(),
            code: Foutcode::Duplicate,
            message: "Een organisatie staat dubbel in de lijst deelnemers.".into(),
        });
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(vec![Event::CheckmomentGeopend(e)])
}

impl Checkmoment {
    pub fn created(e: &CheckmomentGeopend) -> Self {
        Self {
            agenda_id: e.agenda_id,
            opgave_id: e.opgave_id,
            datum: e.datum,
            onderwerp: e.onderwerp.clone(),
            deelnemers: e.deelnemers.clone(),
            gesloten_op: None,
            samenvatting: None,
            bijsturingen: Vec::new(),
        }
    }

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::CheckmomentGewijzigd(e) => {
                if let Some(v) = e.datum {
                    self.datum = v;
                }
                if let Some(v) = &e.onderwerp {
                    self.onderwerp = v.clone();
                }
                if let Some(v) = &e.deelnemers {
                    self.deelnemers = v.clone();
                }
            }
            Event::CheckmomentGesloten(e) => {
                self.gesloten_op = Some(e.datum);
                self.samenvatting = e.samenvatting.clone();
            }
            Event::BijsturingVastgelegd(e) => self.bijsturingen.push(Bijsturing {
                id: e.bijsturing_id,
                besluit: e.besluit.clone(),
                onderbouwing: e.onderbouwing.clone(),
                datum: e.datum,
                voorgenomen_wijzigingen: e.voorgenomen_wijzigingen.clone(),
                doorgevoerd_op: None,
            }),
            Event::BijsturingDoorgevoerd(e) => {
                if let Some(b) = self
                    .bijsturingen
                    .iter_mut()
                    .find(|b| b.id == e.bijsturing_id)
                {
                    b.doorgevoerd_op = Some(e.datum);
                }
            }
            _ => {}
        }
    }

    pub fn is_open(&self) -> bool {
        self.gesloten_op.is_none()
    }

    /// Corrects date, subject or participants (also of a closed
    /// checkmoment); unchanged fields produce no event.
    pub fn change(&self, mut c: CheckmomentGewijzigd) -> Decision {
        let mut errors = Vec::new();
        if c.onderwerp.as_ref().is_some_and(|o| o.trim().is_empty()) {
            errors.push(FieldError {
                field: "onderwerp".into(),
                code: Foutcode::Required,
                message: "Het onderwerp mag niet leeg zijn.".into(),
            });
        }
        if c.deelnemers.as_deref().is_some_and(has_duplicates) {
            errors.push(FieldError {
                field: "deelnemers".into(),
                code: Foutcode::Duplicate,
                message: "Een organisatie staat dubbel in de lijst deelnemers.".into(),
            });
        }
        if let (Some(d), Some(gesloten)) = (c.datum, self.gesloten_op) {
            if d > gesloten {
                errors.push(FieldError {
                    field: "datum".into(),
                    code: Foutcode::AfterClose,
                    message: format!(
                        "Het checkmoment is op {gesloten} gesloten; de datum kan daar niet na liggen."
                    ),
                });
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        c.datum = c.datum.filter(|d| *d != self.datum);
        c.onderwerp = c
            .onderwerp
            .map(|o| o.trim().to_owned())
            .filter(|o| *o != self.onderwerp);
        c.deelnemers = c.deelnemers.filter(|d| *d != self.deelnemers);
        Ok(if c == CheckmomentGewijzigd::default() {
            vec![]
        } else {
            vec![Event::CheckmomentGewijzigd(c)]
        })
    }

    pub fn close(&self, datum: NaiveDate, samenvatting: Option<String>) -> Decision {
        if !self.is_open() {
            return Err(DomainError::conflict(
                Foutcode::CheckmomentGesloten,
                "Dit checkmoment is al gesloten.",
            ));
        }
        if datum < self.datum {
            return Err(DomainError::invalid(
                "geslotenDatum",
                Foutcode::BeforeStart,
                format!(
                    "Sluiten kan niet vóór de datum van het checkmoment ({}).",
                    self.datum
                ),
            ));
        }
        Ok(vec![Event::CheckmomentGesloten(CheckmomentGesloten {
            datum,
            samenvatting,
        })])
    }

    /// A bijsturing may be recorded at an open or closed checkmoment (the
    /// decision often follows the meeting).
    pub fn decide(&self, b: BijsturingVastgelegd) -> Decision {
        let mut errors = Vec::new();
        if b.besluit.trim().is_empty() {
            errors.push(FieldError {
                field: "besluit".into(),
                code: Foutcode::Required,
                message: "Beschrijf het besluit.".into(),
            });
        }
        if b.onderbouwing.trim().is_empty() {
            errors.push(FieldError {
                field: "onderbouwing".into(),
                code: Foutcode::Required,
                message: "Geef de onderbouwing (waarom wordt bijgestuurd?).".into(),
            });
        }
        for (i, w) in b.voorgenomen_wijzigingen.iter().enumerate() {
            if w.omschrijving.trim().is_empty() {
                errors.push(FieldError {
                    field: format!("voorgenomenWijzigingen[{i}].omschrijving"),
                    code: Foutcode::Required,
                    message: "Omschrijf de wijziging.".into(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(vec![Event::BijsturingVastgelegd(b)])
    }

    pub fn complete(&self, bijsturing_id: Uuid, datum: NaiveDate) -> Decision {
        match self.bijsturingen.iter().find(|b| b.id == bijsturing_id) {
            None => Err(DomainError::invalid(
                "bijsturingId",
                Foutcode::Unknown,
                "Deze bijsturing hoort niet bij dit checkmoment.",
            )),
            Some(b) if b.doorgevoerd_op.is_some() => Err(DomainError::conflict(
                Foutcode::BijsturingDoorgevoerd,
                "Deze bijsturing is al als doorgevoerd gemarkeerd.",
            )),
            Some(b) if datum < b.datum => Err(DomainError::invalid(
                "doorgevoerdDatum",
                Foutcode::BeforeDecision,
                format!(
                    "Doorvoeren kan niet vóór de datum van het besluit ({}).",
                    b.datum
                ),
            )),
            Some(_) => Ok(vec![Event::BijsturingDoorgevoerd(BijsturingDoorgevoerd {
                bijsturing_id,
                datum,
            })]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, day).unwrap()
    }

    fn given() -> Checkmoment {
        Checkmoment::created(&CheckmomentGeopend {
            agenda_id: Uuid::nil(),
            opgave_id: None,
            datum: d(10),
            onderwerp: "Halfjaar".into(),
            deelnemers: vec![],
        })
    }

    #[test]
    fn change_records_only_what_differs_and_keeps_the_date_before_closing() {
        let c = given();
        let org = Uuid::now_v7();
        let events = c
            .change(CheckmomentGewijzigd {
                datum: Some(d(10)),
                onderwerp: Some(" Halfjaar ".into()),
                deelnemers: Some(vec![org]),
            })
            .unwrap();
        assert_eq!(
            events,
            vec![Event::CheckmomentGewijzigd(CheckmomentGewijzigd {
                deelnemers: Some(vec![org]),
                ..Default::default()
            })]
        );
        let mut closed = c.clone();
        closed.apply(&c.close(d(12), None).unwrap()[0]);
        assert!(!closed.is_open());
        assert!(closed
            .change(CheckmomentGewijzigd {
                datum: Some(d(13)),
                ..Default::default()
            })
            .is_err());
        assert!(matches!(
            closed.close(d(14), None),
            Err(DomainError::Conflict {
                code: Foutcode::CheckmomentGesloten,
                ..
            })
        ));
    }

    #[test]
    fn a_bijsturing_is_doorgevoerd_once_and_not_before_it_was_decided() {
        let mut c = given();
        let id = Uuid::now_v7();
        let decided = c
            .decide(BijsturingVastgelegd {
                bijsturing_id: id,
                besluit: "Trekker wisselen".into(),
                onderbouwing: "Capaciteit".into(),
                datum: d(11),
                voorgenomen_wijzigingen: vec![],
            })
            .unwrap();
        c.apply(&decided[0]);
        assert!(c.complete(id, d(10)).is_err());
        assert!(c.complete(Uuid::now_v7(), d(12)).is_err());
        c.apply(&c.complete(id, d(12)).unwrap()[0]);
        assert_eq!(c.bijsturingen[0].doorgevoerd_op, Some(d(12)));
        assert!(c.complete(id, d(13)).is_err());
    }
}
