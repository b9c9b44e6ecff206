//! Actie: the unit of work, with a trekker, partners, a status and progress notes.
//!
//! Status state machine (documented in `docs/events.md`):
//!
//! | from \ to   | gepland | lopend | gepauzeerd | afgerond | vervallen |
//! |-------------|---------|--------|------------|----------|-----------|
//! | gepland     |    –    |   ✓    |     ✓      |    ✓     |  ✓ reden  |
//! | lopend      |    –    |   –    |     ✓      |    ✓     |  ✓ reden  |
//! | gepauzeerd  |    –    |   ✓    |     –      |    ✓     |  ✓ reden  |
//! | afgerond    |    –    | ✓ reden (heropend) | – |  –     |     –     |
//! | vervallen   | ✓ reden (heropend) | ✓ reden (heropend) | – | – | – |

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::{
    ActieAangemaakt, ActieGewijzigd, ActieStatusGewijzigd, ActieVerplaatst, BerichtIngetrokken,
    Event, PartnersGewijzigd, TrekkerGewijzigd, VoortgangsberichtGecorrigeerd,
    VoortgangsberichtToegevoegd,
};
use super::{Decision, DomainError, FieldError};
use crate::domain::Foutcode;

pub mod command;
pub mod kenmerk;
mod regels;
pub use command::{ActieCommand, ActieView, ActieWijziging, NieuweActie, Ouder};
pub use kenmerk::Kenmerk;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ActieStatus {
    Gepland,
    Lopend,
    Gepauzeerd,
    Afgerond,
    Vervallen,
}

impl ActieStatus {
    pub const ALL: [ActieStatus; 5] = [
        Self::Gepland,
        Self::Lopend,
        Self::Gepauzeerd,
        Self::Afgerond,
        Self::Vervallen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gepland => "gepland",
            Self::Lopend => "lopend",
            Self::Gepauzeerd => "gepauzeerd",
            Self::Afgerond => "afgerond",
            Self::Vervallen => "vervallen",
        }
    }

    /// Whether `self → to` is allowed, and whether it needs a reason.
    pub fn transition(self, to: ActieStatus) -> Option<Transition> {
        use ActieStatus::*;
        match (self, to) {
            (Gepland, Lopend | Gepauzeerd | Afgerond)
            | (Lopend, Gepauzeerd | Afgerond)
            | (Gepauzeerd, Lopend | Afgerond) => Some(Transition::Plain),
            (Gepland | Lopend | Gepauzeerd, Vervallen) => Some(Transition::NeedsReason),
            (Afgerond, Lopend) | (Vervallen, Gepland | Lopend) => Some(Transition::Reopen),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Plain,
    NeedsReason,
    /// Heropenen: needs a reason too.
    Reopen,
}

/// Who pulls the actie: an organisatie or a named group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "soort", rename_all = "lowercase")]
pub enum Trekker {
    #[serde(rename_all = "camelCase")]
    Organisatie {
        organisatie_id: Uuid,
    },
    Groep {
        naam: String,
    },
}

impl Trekker {
    /// A named group's naam in the form [`crate::domain::naam::normalise`]
    /// gives (two lookalike spellings are one group); an empty one is
    /// refused as `field`.
    fn normalised(self, field: &str) -> Result<Self, FieldError> {
        match self {
            Self::Groep { naam } => {
                let naam = crate::domain::naam::normalise(&naam);
                if naam.is_empty() {
                    return Err(FieldError {
                        field: field.into(),
                        code: Foutcode::Required,
                        message: "Geef de groep een naam met zichtbare tekens.".into(),
                    });
                }
                Ok(Self::Groep { naam })
            }
            other => Ok(other),
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Voortgangsbericht {
    pub id: Uuid,
    #[serde(with = "crate::domain::binary::date")]
    pub datum: NaiveDate,
    pub auteur_organisatie_id: Option<Uuid>,
    pub tekst: std::sync::Arc<str>,
    #[serde(with = "crate::domain::binary::instant")]
    pub geregistreerd: DateTime<Utc>,
    pub gecorrigeerd: bool,
    pub ingetrokken: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Actie {
    /// The actie's own reference within its agenda, stable for its life.
    pub kenmerk: Kenmerk,
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    pub doel_id: Option<Uuid>,
    pub omschrijving: String,
    pub jaar: i32,
    #[serde(with = "crate::domain::binary::date_opt")]
    pub geplande_start: Option<NaiveDate>,
    #[serde(with = "crate::domain::binary::date_opt")]
    pub geplande_eind: Option<NaiveDate>,
    #[serde(with = "crate::domain::binary::trekker")]
    pub trekker: Option<Trekker>,
    pub partners: Vec<Uuid>,
    /// The gemeenten of the agenda it is for; empty: the whole agenda.
    pub gemeenten: Vec<String>,
    pub status: ActieStatus,
    #[serde(with = "crate::domain::binary::date_opt")]
    pub status_sinds: Option<NaiveDate>,
    pub reden: Option<String>,
    /// Shared items: cloning an actie (a time-travel checkpoint) copies pointers, not texts.
    pub voortgangsberichten: Vec<std::sync::Arc<Voortgangsbericht>>,
    /// Last change recorded on this actie (any event).
    #[serde(with = "crate::domain::binary::instant")]
    pub laatst_gewijzigd: DateTime<Utc>,
}

impl Actie {
    /// `kenmerk` is the event's, or for an event written before kenmerken
    /// were recorded the one the projection gives it in log order.
    pub fn created(e: &ActieAangemaakt, kenmerk: Kenmerk, at: DateTime<Utc>) -> Self {
        Self {
            kenmerk,
            agenda_id: e.agenda_id,
            opgave_id: e.opgave_id,
            doel_id: e.doel_id,
            omschrijving: e.omschrijving.clone(),
            jaar: e.jaar,
            geplande_start: e.geplande_start_datum,
            geplande_eind: e.geplande_eind_datum,
            trekker: e.trekker.clone(),
            partners: e.partners.clone(),
            gemeenten: e.gemeenten.clone(),
            status: e.status,
            status_sinds: None,
            reden: None,
            voortgangsberichten: Vec::new(),
            laatst_gewijzigd: at,
        }
    }

    /// Evolves the state. No logic, never fails.
    pub fn apply(&mut self, event: &Event, at: DateTime<Utc>) {
        self.laatst_gewijzigd = at;
        match event {
            Event::TrekkerGewijzigd(e) => self.trekker = e.nieuwe_trekker.clone(),
            Event::ActieStatusGewijzigd(e) => {
                self.status = e.naar;
                self.status_sinds = Some(e.ingangs_datum);
                self.reden = e.reden.clone();
            }
            Event::VoortgangsberichtToegevoegd(e) => {
                self.voortgangsberichten
                    .push(std::sync::Arc::new(Voortgangsbericht {
                        id: e.bericht_id,
                        datum: e.datum,
                        auteur_organisatie_id: e.auteur_organisatie_id,
                        tekst: e.tekst.clone(),
                        geregistreerd: at,
                        gecorrigeerd: false,
                        ingetrokken: false,
                    }))
            }
            Event::VoortgangsberichtGecorrigeerd(e) => {
                if let Some(b) = self
                    .voortgangsberichten
                    .iter_mut()
                    .find(|b| b.id == e.bericht_id)
                {
                    let b = std::sync::Arc::make_mut(b);
                    b.tekst = e.tekst.clone();
                    b.gecorrigeerd = true;
                }
            }
            Event::VoortgangsberichtIngetrokken(e) => {
                if let Some(b) = self
                    .voortgangsberichten
                    .iter_mut()
                    .find(|b| Some(b.id) == e.bericht_id)
                {
                    std::sync::Arc::make_mut(b).ingetrokken = true;
                }
            }
            Event::ActieGewijzigd(e) => {
                if let Some(v) = &e.omschrijving {
                    self.omschrijving = v.clone();
                }
                if let Some(v) = e.jaar {
                    self.jaar = v;
                }
                if let Some(v) = e.geplande_start_datum {
                    self.geplande_start = v;
                }
                if let Some(v) = e.geplande_eind_datum {
                    self.geplande_eind = v;
                }
                if let Some(v) = &e.gemeenten {
                    self.gemeenten = v.clone();
                }
            }
            Event::ActieVerplaatst(e) => {
                self.opgave_id = e.nieuwe_opgave_id;
                self.doel_id = e.nieuw_doel_id;
            }
            Event::PartnersGewijzigd(e) => self.partners = e.nieuwe_partners.clone(),
            _ => {}
        }
    }

    pub fn assign_trekker(&self, nieuwe: Option<Trekker>) -> Decision {
        let nieuwe = nieuwe
            .map(|t| t.normalised("naam"))
            .transpose()
            .map_err(|e| DomainError::Invalid(vec![e]))?;
        if self.trekker == nieuwe {
            return Err(DomainError::conflict(
                Foutcode::TrekkerUnchanged,
                "Deze trekker is al de trekker van de actie; er is niets gewijzigd.",
            ));
        }
        Ok(vec![Event::TrekkerGewijzigd(TrekkerGewijzigd {
            vorige_trekker: self.trekker.clone(),
            nieuwe_trekker: nieuwe,
        })])
    }

    pub fn change_status(
        &self,
        naar: ActieStatus,
        ingangs_datum: NaiveDate,
        reden: Option<String>,
    ) -> Decision {
        let reden = reden.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
        let Some(transition) = self.status.transition(naar) else {
            return Err(DomainError::conflict(
                Foutcode::InvalidStatusTransition,
                format!(
                    "Een actie met status '{}' kan niet naar '{}'. Toegestaan vanuit '{}': {}.",
                    self.status.as_str(),
                    naar.as_str(),
                    self.status.as_str(),
                    allowed_from(self.status)
                ),
            ));
        };
        if transition != Transition::Plain && reden.is_none() {
            let why = if transition == Transition::Reopen {
                "Heropenen van een actie vraagt een reden."
            } else {
                "Een actie laten vervallen vraagt een reden."
            };
            // Whether a reden is needed depends on the status the actie has
            // now, which no request schema can know: its own code.
            return Err(DomainError::invalid("reden", Foutcode::ReasonRequired, why));
        }
        Ok(vec![Event::ActieStatusGewijzigd(ActieStatusGewijzigd {
            van: self.status,
            naar,
            ingangs_datum,
            reden,
        })])
    }

    /// Edits own fields, moves the actie and replaces partners; unchanged
    /// parts produce no event. `here` is where the actie is now (its doel
    /// may have moved to another opgave since it was placed).
    pub fn update(
        &self,
        here: (Uuid, Option<Uuid>),
        mut change: ActieGewijzigd,
        verplaats: Option<(Uuid, Option<Uuid>)>,
        partners: Option<Vec<Uuid>>,
    ) -> Decision {
        if change
            .omschrijving
            .as_ref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(DomainError::invalid(
                "omschrijving",
                Foutcode::Required,
                "Omschrijving mag niet leeg zijn.",
            ));
        }
        let start = change.geplande_start_datum.unwrap_or(self.geplande_start);
        let eind = change.geplande_eind_datum.unwrap_or(self.geplande_eind);
        if let (Some(s), Some(e)) = (start, eind) {
            if e < s {
                return Err(DomainError::invalid(
                    "geplandeEindDatum",
                    Foutcode::InvalidPeriod,
                    "De geplande einddatum ligt vóór de startdatum.",
                ));
            }
        }
        change.omschrijving = change.omschrijving.filter(|v| *v != self.omschrijving);
        change.jaar = change.jaar.filter(|v| *v != self.jaar);
        change.geplande_start_datum = change
            .geplande_start_datum
            .filter(|v| *v != self.geplande_start);
        change.geplande_eind_datum = change
            .geplande_eind_datum
            .filter(|v| *v != self.geplande_eind);
        change.gemeenten = change.gemeenten.filter(|v| *v != self.gemeenten);
        let mut events = Vec::new();
        if change != ActieGewijzigd::default() {
            events.push(Event::ActieGewijzigd(change));
        }
        if let Some((opgave, doel)) = verplaats.filter(|v| *v != here) {
            events.push(Event::ActieVerplaatst(ActieVerplaatst {
                vorige_opgave_id: here.0,
                vorig_doel_id: here.1,
                nieuwe_opgave_id: opgave,
                nieuw_doel_id: doel,
            }));
        }
        if let Some(p) = partners.filter(|p| *p != self.partners) {
            if p.iter().enumerate().any(|(i, x)| p[..i].contains(x)) {
                return Err(DomainError::invalid(
                    "partners",
                    Foutcode::Duplicate,
                    "Een partner staat dubbel in de lijst.",
                ));
            }
            events.push(Event::PartnersGewijzigd(PartnersGewijzigd {
                vorige_partners: self.partners.clone(),
                nieuwe_partners: p,
            }));
        }
        Ok(events)
    }

    fn bericht(&self, id: Uuid) -> Result<&Voortgangsbericht, DomainError> {
        match self.voortgangsberichten.iter().find(|b| b.id == id) {
            None => Err(DomainError::conflict(
                Foutcode::UnknownBericht,
                "Dit voortgangsbericht hoort niet bij deze actie.",
            )),
            Some(b) if b.ingetrokken => Err(DomainError::conflict(
                Foutcode::BerichtIngetrokken,
                "Dit voortgangsbericht is ingetrokken.",
            )),
            Some(b) => Ok(b),
        }
    }

    pub fn correct_voortgang(&self, bericht_id: Uuid, tekst: String) -> Decision {
        let vorige_tekst = Some(self.bericht(bericht_id)?.tekst.to_string());
        if tekst.trim().is_empty() {
            return Err(DomainError::invalid(
                "tekst",
                Foutcode::Required,
                "Tekst mag niet leeg zijn; trek het bericht anders in.",
            ));
        }
        Ok(vec![Event::VoortgangsberichtGecorrigeerd(
            VoortgangsberichtGecorrigeerd {
                bericht_id,
                tekst: tekst.into(),
                vorige_tekst,
            },
        )])
    }

    pub fn withdraw_voortgang(&self, bericht_id: Uuid, reden: Option<String>) -> Decision {
        self.bericht(bericht_id)?;
        Ok(vec![Event::VoortgangsberichtIngetrokken(
            BerichtIngetrokken {
                bericht_id: Some(bericht_id),
                reden,
            },
        )])
    }

    pub fn add_voortgang(&self, bericht: VoortgangsberichtToegevoegd) -> Decision {
        if bericht.tekst.trim().is_empty() {
            return Err(DomainError::invalid(
                "tekst",
                Foutcode::Required,
                "Tekst is verplicht.",
            ));
        }
        if self.status == ActieStatus::Vervallen {
            return Err(DomainError::conflict(
                Foutcode::ActieVervallen,
                "Deze actie is vervallen; heropen haar eerst om voortgang te melden.",
            ));
        }
        Ok(vec![Event::VoortgangsberichtToegevoegd(bericht)])
    }
}

/// Validates a new actie's own fields (parents and the agenda period are
/// checked by the caller, who sees the agenda).
pub fn create(mut e: ActieAangemaakt) -> Decision {
    let mut errors = Vec::new();
    match e
        .trekker
        .take()
        .map(|t| t.normalised("trekker.naam"))
        .transpose()
    {
        Ok(t) => e.trekker = t,
        Err(error) => errors.push(error),
    }
    if e.omschrijving.trim().is_empty() {
        errors.push(FieldError {
            field: "omschrijving".into(),
            code: Foutcode::Required,
            message: "Omschrijving is verplicht.".into(),
        });
    }
    if let (Some(s), Some(eind)) = (e.geplande_start_datum, e.geplande_eind_datum) {
        if eind < s {
            errors.push(FieldError {
                field: "geplandeEindDatum".into(),
                code: Foutcode::InvalidPeriod,
                message: "De geplande einddatum ligt vóór de startdatum.".into(),
            });
        }
    }
    if e.partners
        .iter()
        .enumerate()
        .any(|(i, p)| e.partners[..i].contains(p))
    {
        errors.push(FieldError {
            field: "partners".into(),
            code: Foutcode::Duplicate,
            message: "Een partner staat dubbel in de lijst.".into(),
        });
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(vec![Event::ActieAangemaakt(e)])
}

fn allowed_from(from: ActieStatus) -> String {
    let list: Vec<&str> = ActieStatus::ALL
        .iter()
        .filter(|to| from.transition(**to).is_some())
        .map(|to| to.as_str())
        .collect();
    if list.is_empty() {
        "geen".into()
    } else {
        list.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(events: &[Event]) -> Actie {
        let Event::ActieAangemaakt(created) = &events[0] else {
            panic!("first event creates")
        };
        let mut actie = Actie::created(created, Kenmerk::new(None, 1), Utc::now());
        for e in &events[1..] {
            actie.apply(e, Utc::now());
        }
        actie
    }

    fn aangemaakt() -> Event {
        Event::ActieAangemaakt(ActieAangemaakt {
            kenmerk: Some(Kenmerk::new(None, 1)),
            agenda_id: Uuid::nil(),
            opgave_id: Uuid::nil(),
            doel_id: None,
            omschrijving: "Flyer minimaregelingen".into(),
            jaar: 2024,
            geplande_start_datum: None,
            geplande_eind_datum: None,
            trekker: None,
            partners: vec![],
            status: ActieStatus::Gepland,
            gemeenten: vec![],
        })
    }

    fn status(van: ActieStatus, naar: ActieStatus) -> Event {
        Event::ActieStatusGewijzigd(ActieStatusGewijzigd {
            van,
            naar,
            ingangs_datum: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            reden: Some("r".into()),
        })
    }

    fn d() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 4, 1).unwrap()
    }

    #[test]
    fn gepland_to_lopend_is_recorded_with_from_and_to() {
        let actie = given(&[aangemaakt()]);
        let events = actie.change_status(ActieStatus::Lopend, d(), None).unwrap();
        assert_eq!(
            events,
            vec![Event::ActieStatusGewijzigd(ActieStatusGewijzigd {
                van: ActieStatus::Gepland,
                naar: ActieStatus::Lopend,
                ingangs_datum: d(),
                reden: None
            })]
        );
    }

    #[test]
    fn vervallen_needs_a_reason_and_afgerond_cannot_go_back_to_gepland() {
        let actie = given(&[aangemaakt()]);
        assert!(matches!(
            actie.change_status(ActieStatus::Vervallen, d(), Some("  ".into())),
            Err(DomainError::Invalid(f)) if f[0].field == "reden"
        ));
        let done = given(&[
            aangemaakt(),
            status(ActieStatus::Gepland, ActieStatus::Afgerond),
        ]);
        let err = done
            .change_status(ActieStatus::Gepland, d(), Some("x".into()))
            .unwrap_err();
        assert!(matches!(
            err,
            DomainError::Conflict {
                code: Foutcode::InvalidStatusTransition,
                ..
            }
        ));
        assert!(err
            .to_string()
            .contains("Toegestaan vanuit 'afgerond': lopend"));
    }

    #[test]
    fn heropenen_needs_a_reason() {
        let dropped = given(&[
            aangemaakt(),
            status(ActieStatus::Gepland, ActieStatus::Vervallen),
        ]);
        assert!(dropped
            .change_status(ActieStatus::Lopend, d(), None)
            .is_err());
        assert!(dropped
            .change_status(ActieStatus::Lopend, d(), Some("Bijsturing".into()))
            .is_ok());
        assert_eq!(dropped.status, ActieStatus::Vervallen);
    }

    #[test]
    fn same_status_is_a_conflict_and_same_trekker_too() {
        let actie = given(&[aangemaakt()]);
        assert!(actie
            .change_status(ActieStatus::Gepland, d(), None)
            .is_err());
        assert!(actie.assign_trekker(None).is_err());
        let groep = Some(Trekker::Groep {
            naam: "Werkgroep Armoede".into(),
        });
        let events = actie.assign_trekker(groep.clone()).unwrap();
        let mut after = actie.clone();
        after.apply(&events[0], Utc::now());
        assert_eq!(after.trekker, groep);
    }

    #[test]
    fn every_event_round_trips_through_its_envelope_form() {
        for e in [
            aangemaakt(),
            status(ActieStatus::Lopend, ActieStatus::Afgerond),
        ] {
            let back = Event::decode(e.event_type(), e.schema_version(), &e.data()).unwrap();
            assert_eq!(back, e);
        }
        assert!(Event::decode("ActieAangemaakt", 99, &aangemaakt().data()).is_err());
    }
}
