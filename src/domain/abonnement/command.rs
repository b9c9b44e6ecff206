//! What may be asked of a subscription ([`AbonnementCommand`]), decided
//! against an [`AbonnementView`]. Who may ask is `access::policy`'s and the
//! http layer's business (the owning token, or a beheerder); whether a
//! callback URL may be called is the delivery's (`crate::webhooks::adres`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Abonnement, AbonnementAangemaakt, AbonnementBatchgrootteGewijzigd, AbonnementFilter,
    AbonnementGeheimVernieuwd, AbonnementGepauzeerd, AbonnementGewijzigd, AbonnementHervat,
    AbonnementStatus, AbonnementTeruggezet, AbonnementVerwijderd, PauzeCode,
};
use crate::domain::events::{Event, EVENT_TYPES};
use crate::domain::{Besluit, DomainError, FieldError, Foutcode, StreamBesluit};

/// The most an omschrijving holds.
const MAX_OMSCHRIJVING: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub enum AbonnementCommand {
    Maak {
        id: Uuid,
        aangemaakt: AbonnementAangemaakt,
    },
    /// A subscriber's change (PATCH): only what is given changes.
    Wijzig {
        id: Uuid,
        wijziging: Wijziging,
    },
    /// The delivery gives up (or finds no secret, or no valid token).
    Pauzeer {
        id: Uuid,
        code: PauzeCode,
        reden: String,
    },
    Verwijder {
        id: Uuid,
    },
}

/// The fields of a PATCH, as the domain sees them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wijziging {
    pub status: Option<AbonnementStatus>,
    pub vanaf_positie: Option<u64>,
    /// `Some(None)`: clear it.
    pub omschrijving: Option<Option<String>>,
    /// Rotate the secret; the previous one signs too until then.
    pub geheim_vernieuwd: Option<DateTime<Utc>>,
    pub batch_grootte: Option<u16>,
}

/// What the subscription rules need to know beyond the subscription.
pub trait AbonnementView {
    /// The subscription (also a deleted one) and its stream version.
    fn abonnement(&self, id: Uuid) -> Option<(&Abonnement, u64)>;
    /// The last position in the log.
    fn laatste_positie(&self) -> u64;
    /// The gemeenten of an agenda (`None`: no such agenda).
    fn gemeenten_van(&self, agenda: Uuid) -> Option<&[String]>;
    /// Every gemeente of every agenda.
    fn alle_gemeenten(&self) -> Vec<String>;
}

fn field(field: &str, code: Foutcode, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        code,
        message: message.into(),
    }
}

fn omschrijving(o: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let o = o.map(|s| s.trim().to_owned());
    match &o {
        Some(s) if s.is_empty() => errors.push(field(
            "omschrijving",
            Foutcode::Required,
            "Een omschrijving is niet leeg; laat het veld weg of geef null voor geen omschrijving.",
        )),
        Some(s) if s.chars().count() > MAX_OMSCHRIJVING => errors.push(field(
            "omschrijving",
            Foutcode::TooLong,
            format!("De omschrijving is hoogstens {MAX_OMSCHRIJVING} tekens."),
        )),
        _ => {}
    }
    o
}

fn batch_grootte(n: u16, errors: &mut Vec<FieldError>) {
    if !(1..=super::MAX_BATCH).contains(&n) {
        errors.push(field(
            "batchGrootte",
            Foutcode::OutOfRange,
            format!(
                "batchGrootte is 1 (één gebeurtenis per verzoek) tot en met {}.",
                super::MAX_BATCH
            ),
        ));
    }
}

fn positie(view: &impl AbonnementView, p: u64, errors: &mut Vec<FieldError>) {
    let head = view.laatste_positie();
    if p > head {
        errors.push(field(
            "vanafPositie",
            Foutcode::BeyondHead,
            format!("Positie {p} ligt voorbij het einde van het log (positie {head})."),
        ));
    }
}

/// Checks the filter and gives the gemeente in its agenda's spelling.
fn filter(
    view: &impl AbonnementView,
    mut f: AbonnementFilter,
    errors: &mut Vec<FieldError>,
) -> AbonnementFilter {
    let gemeenten = match f.agenda {
        Some(a) => match view.gemeenten_van(a) {
            Some(g) => g.to_vec(),
            None => {
                errors.push(field(
                    "agenda",
                    Foutcode::UnknownAgenda,
                    crate::domain::niet_gevonden("agenda", a),
                ));
                Vec::new()
            }
        },
        None => view.alle_gemeenten(),
    };
    if let Some(g) = &f.gemeente {
        match crate::domain::gemeente::vind(&gemeenten, g) {
            Some(found) => f.gemeente = Some(found.to_owned()),
            None if f.agenda.is_some() && errors.is_empty() => errors.push(field(
                "gemeente",
                Foutcode::UnknownGemeente,
                format!(
                    "'{g}' is geen gemeente van deze agenda; kies uit {}.",
                    gemeenten.join(", ")
                ),
            )),
            None if f.agenda.is_none() => errors.push(field(
                "gemeente",
                Foutcode::UnknownGemeente,
                format!("'{g}' is geen gemeente van een agenda."),
            )),
            None => {}
        }
    }
    for t in &f.types {
        if !EVENT_TYPES.contains(&t.as_str()) {
            errors.push(field(
                "type",
                Foutcode::InvalidValue,
                format!("'{t}' is geen gebeurtenistype (zie docs/events.md)."),
            ));
        }
    }
    f
}

impl AbonnementCommand {
    pub fn decide(self, view: &impl AbonnementView) -> Besluit {
        let found = |id: Uuid| {
            view.abonnement(id)
                .filter(|(a, _)| !a.verwijderd)
                .ok_or(DomainError::not_found("abonnement", id))
        };
        match self {
            Self::Maak { id, aangemaakt } => {
                let mut errors = Vec::new();
                positie(view, aangemaakt.vanaf_positie, &mut errors);
                let f = filter(view, aangemaakt.filter, &mut errors);
                let o = omschrijving(aangemaakt.omschrijving, &mut errors);
                batch_grootte(aangemaakt.batch_grootte, &mut errors);
                if !errors.is_empty() {
                    return Err(DomainError::Invalid(errors));
                }
                let e = AbonnementAangemaakt {
                    filter: f,
                    omschrijving: o,
                    ..aangemaakt
                };
                Ok(vec![StreamBesluit::nieuw(
                    id,
                    vec![Event::AbonnementAangemaakt(e)],
                )])
            }
            Self::Wijzig { id, wijziging: w } => {
                let (a, version) = found(id)?;
                let mut errors = Vec::new();
                if let Some(p) = w.vanaf_positie {
                    positie(view, p, &mut errors);
                }
                let o = w.omschrijving.map(|o| omschrijving(o, &mut errors));
                if let Some(n) = w.batch_grootte {
                    batch_grootte(n, &mut errors);
                }
                if !errors.is_empty() {
                    return Err(DomainError::Invalid(errors));
                }
                let mut events = Vec::new();
                if let Some(o) = o.filter(|o| *o != a.omschrijving) {
                    events.push(Event::AbonnementGewijzigd(AbonnementGewijzigd {
                        omschrijving: o,
                    }));
                }
                if let Some(n) = w.batch_grootte.filter(|n| *n != a.batch_grootte) {
                    events.push(Event::AbonnementBatchgrootteGewijzigd(
                        AbonnementBatchgrootteGewijzigd { batch_grootte: n },
                    ));
                }
                if let Some(p) = w.vanaf_positie {
                    events.push(Event::AbonnementTeruggezet(AbonnementTeruggezet {
                        vanaf_positie: p,
                    }));
                }
                if let Some(tot) = w.geheim_vernieuwd {
                    events.push(Event::AbonnementGeheimVernieuwd(
                        AbonnementGeheimVernieuwd {
                            vorig_geldig_tot: tot,
                        },
                    ));
                }
                match (w.status, a.status) {
                    (Some(AbonnementStatus::Gepauzeerd), AbonnementStatus::Actief) => {
                        events.push(Event::AbonnementGepauzeerd(AbonnementGepauzeerd {
                            code: PauzeCode::DoorAbonnee,
                            reden: "Gepauzeerd door de abonnee.".into(),
                        }))
                    }
                    (Some(AbonnementStatus::Actief), AbonnementStatus::Gepauzeerd) => {
                        events.push(Event::AbonnementHervat(AbonnementHervat {}))
                    }
                    _ => {}
                }
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
            Self::Pauzeer { id, code, reden } => {
                let (a, version) = found(id)?;
                let events = if a.status == AbonnementStatus::Actief {
                    vec![Event::AbonnementGepauzeerd(AbonnementGepauzeerd {
                        code,
                        reden,
                    })]
                } else {
                    vec![]
                };
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
            Self::Verwijder { id } => {
                let (_, version) = found(id)?;
                Ok(vec![StreamBesluit::bij(
                    id,
                    version,
                    vec![Event::AbonnementVerwijderd(AbonnementVerwijderd {})],
                )])
            }
        }
    }
}
