//! Checkmoment (PDCA "Check") on an opgave or the whole agenda, and the
//! bijsturingen (PDCA "Act") decided at it. The changes a bijsturing lists are
//! carried out by ordinary commands that carry the bijsturing's id; the
//! programme manager marks the bijsturing doorgevoerd when they are in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::{
    BijsturingDoorgevoerd, BijsturingVastgelegd, CheckmomentGeopend, CheckmomentGesloten, Event,
};
use super::{Decision, DomainError, FieldError};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq)]
pub struct Bijsturing {
    pub id: Uuid,
    pub besluit: String,
    pub onderbouwing: String,
    pub datum: NaiveDate,
    pub voorgenomen_wijzigingen: Vec<VoorgenomenWijziging>,
    pub doorgevoerd_op: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
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

pub fn open(e: CheckmomentGeopend) -> Decision {
    if e.onderwerp.trim().is_empty() {
        return Err(DomainError::invalid(
            "onderwerp",
            "required",
            "Geef het checkmoment een onderwerp.",
        ));
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

    pub fn close(&self, datum: NaiveDate, samenvatting: Option<String>) -> Decision {
        if !self.is_open() {
            return Err(DomainError::conflict(
                "checkmoment-gesloten",
                "Dit checkmoment is al gesloten.",
            ));
        }
        if datum < self.datum {
            return Err(DomainError::invalid(
                "datum",
                "before-start",
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
                code: "required",
                message: "Beschrijf het besluit.".into(),
            });
        }
        if b.onderbouwing.trim().is_empty() {
            errors.push(FieldError {
                field: "onderbouwing".into(),
                code: "required",
                message: "Geef de onderbouwing (waarom wordt bijgestuurd?).".into(),
            });
        }
        for (i, w) in b.voorgenomen_wijzigingen.iter().enumerate() {
            if w.omschrijving.trim().is_empty() {
                errors.push(FieldError {
                    field: format!("voorgenomenWijzigingen[{i}].omschrijving"),
                    code: "required",
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
                "unknown",
                "Deze bijsturing hoort niet bij dit checkmoment.",
            )),
            Some(b) if b.doorgevoerd_op.is_some() => Err(DomainError::conflict(
                "bijsturing-doorgevoerd",
                "Deze bijsturing is al als doorgevoerd gemarkeerd.",
            )),
            Some(_) => Ok(vec![Event::BijsturingDoorgevoerd(BijsturingDoorgevoerd {
                bijsturing_id,
                datum,
            })]),
        }
    }
}
