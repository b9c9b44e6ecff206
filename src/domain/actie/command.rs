//! What may be asked of an actie ([`ActieCommand`]), decided against an
//! [`ActieView`] of the rest of the agenda: where the actie goes (the
//! opgave or doel must exist, be of the same agenda and not be vervallen),
//! which organisaties it names (trekker, partners, auteur), the agenda's
//! period for planned dates, and the kenmerk a new actie takes. The rules
//! that place an actie are in [`super::regels`].

use chrono::NaiveDate;
use uuid::Uuid;

use super::kenmerk::KenmerkRegister;
use super::regels::{actie_van, invalid, maak_aan, organisatie, wijzig};
use super::{Actie, ActieStatus, Trekker};
use crate::domain::agenda::Agenda;
use crate::domain::doel::Doel;
use crate::domain::events::VoortgangsberichtToegevoegd;
use crate::domain::opgave::Opgave;
use crate::domain::{Besluit, DomainError, Foutcode, StreamBesluit};

/// What the actie rules need to know beyond the actie itself.
pub trait ActieView: KenmerkRegister + crate::domain::structuur::weergave::CodeBoom {
    /// The actie and its stream version.
    fn actie(&self, id: Uuid) -> Option<(&Actie, u64)>;
    fn opgave(&self, id: Uuid) -> Option<&Opgave>;
    fn doel(&self, id: Uuid) -> Option<&Doel>;
    fn agenda(&self, id: Uuid) -> Option<&Agenda>;
    fn organisatie_bestaat(&self, id: Uuid) -> bool;
}

/// Where a new actie goes: directly under an opgave, or under a doel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ouder {
    Opgave(Uuid),
    Doel(Uuid),
}

/// The fields of a new actie.
#[derive(Debug, Clone, PartialEq)]
pub struct NieuweActie {
    pub omschrijving: String,
    /// `None`: the first year of the agenda's period.
    pub jaar: Option<i32>,
    pub geplande_start_datum: Option<NaiveDate>,
    pub geplande_eind_datum: Option<NaiveDate>,
    pub trekker: Option<Trekker>,
    pub partners: Vec<Uuid>,
    /// Gemeenten of the agenda it is for (empty: the whole agenda, or for a
    /// token scoped to a gemeente: that gemeente).
    pub gemeenten: Vec<String>,
}

/// A change of an actie: only what is `Some` changes; a `Some(None)` date
/// is cleared. `opgave_id`/`doel_id` move it (`doel_id: Some(None)`:
/// directly under the opgave).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActieWijziging {
    pub omschrijving: Option<String>,
    pub jaar: Option<i32>,
    pub geplande_start_datum: Option<Option<NaiveDate>>,
    pub geplande_eind_datum: Option<Option<NaiveDate>>,
    pub partners: Option<Vec<Uuid>>,
    pub opgave_id: Option<Uuid>,
    pub doel_id: Option<Option<Uuid>>,
    /// Replaces the gemeenten (empty: the whole agenda).
    pub gemeenten: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActieCommand {
    MaakAan {
        id: Uuid,
        onder: Ouder,
        actie: NieuweActie,
        /// The gemeente the caller's token is scoped to, if any: it creates
        /// acties for that gemeente only.
        beperkt_tot: Option<String>,
    },
    Wijzig {
        id: Uuid,
        wijziging: ActieWijziging,
        /// As for `MaakAan`: the gemeenten may only become that gemeente.
        beperkt_tot: Option<String>,
    },
    WijzigStatus {
        id: Uuid,
        naar: ActieStatus,
        ingangs_datum: NaiveDate,
        reden: Option<String>,
    },
    /// `None` empties the trekkersrol.
    WijsTrekkerToe { id: Uuid, trekker: Option<Trekker> },
    MeldVoortgang {
        id: Uuid,
        bericht_id: Uuid,
        datum: NaiveDate,
        auteur_organisatie_id: Option<Uuid>,
        tekst: String,
    },
    /// Correct the text (`tekst`) or withdraw (`intrekken`), not both.
    WijzigVoortgang {
        id: Uuid,
        bericht_id: Uuid,
        tekst: Option<String>,
        intrekken: bool,
        reden: Option<String>,
    },
}

impl ActieCommand {
    /// Whether the decision reads the agenda's structure (kenmerken, the
    /// tree a move lands in); status changes and voortgang do not.
    pub fn structural(&self) -> bool {
        match self {
            Self::MaakAan { .. } => true,
            Self::Wijzig { wijziging, .. } => {
                wijziging.opgave_id.is_some() || wijziging.doel_id.is_some()
            }
            _ => false,
        }
    }

    /// Decides the command against `view`.
    pub fn decide(self, view: &impl ActieView) -> Besluit {
        match self {
            Self::MaakAan {
                id,
                onder,
                actie,
                beperkt_tot,
            } => maak_aan(view, id, onder, actie, beperkt_tot.as_deref()),
            Self::Wijzig {
                id,
                wijziging,
                beperkt_tot,
            } => wijzig(view, id, wijziging, beperkt_tot.as_deref()),
            Self::WijzigStatus {
                id,
                naar,
                ingangs_datum,
                reden,
            } => {
                let (a, version) = actie_van(view, id)?;
                let events = a.change_status(naar, ingangs_datum, reden)?;
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
            Self::WijsTrekkerToe { id, trekker } => {
                let (a, version) = actie_van(view, id)?;
                if let Some(Trekker::Organisatie { organisatie_id }) = &trekker {
                    let mut errors = Vec::new();
                    organisatie(view, &mut errors, "organisatieId", *organisatie_id);
                    invalid(errors)?;
                }
                Ok(vec![StreamBesluit::bij(
                    id,
                    version,
                    a.assign_trekker(trekker)?,
                )])
            }
            Self::MeldVoortgang {
                id,
                bericht_id,
                datum,
                auteur_organisatie_id,
                tekst,
            } => {
                let (a, version) = actie_van(view, id)?;
                let mut errors = Vec::new();
                if let Some(o) = auteur_organisatie_id {
                    organisatie(view, &mut errors, "auteurOrganisatieId", o);
                }
                invalid(errors)?;
                let events = a.add_voortgang(VoortgangsberichtToegevoegd {
                    bericht_id,
                    datum,
                    auteur_organisatie_id,
                    tekst: tekst.trim().into(),
                })?;
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
            Self::WijzigVoortgang {
                id,
                bericht_id,
                tekst,
                intrekken,
                reden,
            } => {
                let (a, version) = actie_van(view, id)?;
                match (&tekst, intrekken) {
                    (Some(_), true) => {
                        return Err(DomainError::invalid(
                            "ingetrokken",
                            Foutcode::ConflictingFields,
                            "Corrigeer óf trek in, niet beide tegelijk.",
                        ))
                    }
                    (None, false) => {
                        return Err(DomainError::invalid(
                            "tekst",
                            Foutcode::Required,
                            "Geef een gecorrigeerde tekst, of ingetrokken: true.",
                        ))
                    }
                    _ => {}
                }
                if !a.voortgangsberichten.iter().any(|b| b.id == bericht_id) {
                    return Err(DomainError::not_found("voortgangsbericht", bericht_id));
                }
                let events = match tekst {
                    Some(t) => a.correct_voortgang(bericht_id, t.trim().to_owned())?,
                    None => a.withdraw_voortgang(bericht_id, reden)?,
                };
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
        }
    }
}

#[cfg(test)]
mod tests;
