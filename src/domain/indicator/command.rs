//! What may be asked of an indicator ([`IndicatorCommand`]), decided
//! against an [`IndicatorView`]: the indicator itself, the doel it is
//! added to (exists, not vervallen, nor its opgave) and whether an
//! organisatie exists. "Today" is a field of the command (the caller reads
//! the clock), so a decision never depends on when it runs.

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::{create, Indicator, MetingStatus, Richting, Waarde};
use crate::domain::events::{IndicatorAangemaakt, IndicatorGewijzigd, MetingVastgelegd};
use crate::domain::Foutcode;
use crate::domain::{Besluit, DomainError, FieldError, StreamBesluit};

/// What may be asked of an indicator.
#[derive(Debug, Clone, PartialEq)]
pub enum IndicatorCommand {
    /// Adds an indicator to a doel.
    Maak {
        id: Uuid,
        doel_id: Uuid,
        naam: String,
        eenheid: String,
        richting: Richting,
        bron: Option<String>,
        eigenaar_organisatie_id: Option<Uuid>,
        nulmeting: Option<Waarde>,
        streefwaarden: Vec<Waarde>,
    },
    /// Only the fields given change (`Some(None)` clears); the streefwaarden
    /// given are set or revised, other years stay.
    Wijzig {
        id: Uuid,
        naam: Option<String>,
        eenheid: Option<String>,
        richting: Option<Richting>,
        bron: Option<Option<String>>,
        eigenaar_organisatie_id: Option<Option<Uuid>>,
        nulmeting: Option<Option<Waarde>>,
        streefwaarden: Vec<Waarde>,
    },
    /// Records a meting. Without `periode` it counts for the year of
    /// `meet_datum`; `meet_datum` may not be after `vandaag`.
    LegMetingVast {
        id: Uuid,
        meting_id: Uuid,
        periode: Option<String>,
        meet_datum: Option<NaiveDate>,
        waarde: f64,
        status: MetingStatus,
        bron: Option<String>,
        toelichting: Option<String>,
        door_organisatie_id: Option<Uuid>,
        /// The gemeente of the agenda the value is for (any spelling the
        /// agenda's name matches); none: the whole area.
        gemeente: Option<String>,
        /// The gemeente a token scoped to one gemeente is for: the meting
        /// is for that gemeente (without `gemeente` it gets it; another
        /// gemeente, or the whole area, is refused with 403).
        beperkt_tot: Option<String>,
        /// The caller's date today (the domain never reads the clock).
        vandaag: NaiveDate,
    },
}

/// Where a doel sits, as far as adding an indicator to it matters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DoelPlek {
    pub agenda_id: Uuid,
    /// The reason the doel was dropped, if it was.
    pub doel_vervallen: Option<String>,
    /// The reason its opgave was dropped, if it was.
    pub opgave_vervallen: Option<String>,
}

/// What the indicator rules need to know beyond the indicator itself.
pub trait IndicatorView {
    /// The indicator and its stream version.
    fn indicator(&self, id: Uuid) -> Option<(&Indicator, u64)>;
    /// The doel an indicator is added to.
    fn doel_plek(&self, doel_id: Uuid) -> Option<DoelPlek>;
    fn organisatie_bestaat(&self, id: Uuid) -> bool;
    /// The gemeenten of an agenda, as the agenda spells them.
    fn agenda_gemeenten(&self, agenda_id: Uuid) -> Vec<String>;
}

impl IndicatorCommand {
    /// Whether the decision reads agenda-wide structure (a doel and its
    /// opgave being vervallen): only adding an indicator does.
    pub fn structural(&self) -> bool {
        matches!(self, Self::Maak { .. })
    }

    /// Decides the command against `view`: 404 for an unknown indicator or
    /// doel, then every invalid field at once, then a 409 for a vervallen
    /// doel or opgave.
    pub fn decide(self, view: &impl IndicatorView) -> Besluit {
        match self {
            Self::Maak {
                id,
                doel_id,
                naam,
                eenheid,
                richting,
                bron,
                eigenaar_organisatie_id,
                nulmeting,
                streefwaarden,
            } => {
                let plek = view
                    .doel_plek(doel_id)
                    .ok_or(DomainError::not_found("doel", doel_id))?;
                let mut errors = Vec::new();
                eigenaar_bestaat(view, eigenaar_organisatie_id, &mut errors);
                let decided = create(IndicatorAangemaakt {
                    agenda_id: plek.agenda_id,
                    doel_id,
                    naam: naam.trim().to_owned(),
                    eenheid: eenheid.trim().to_owned(),
                    richting,
                    bron: tekst(bron),
                    eigenaar_organisatie_id,
                    nulmeting,
                    streefwaarden,
                });
                let events = merge(errors, decided)?;
                niet_vervallen(&plek)?;
                Ok(vec![StreamBesluit::nieuw(id, events)])
            }
            Self::Wijzig {
                id,
                naam,
                eenheid,
                richting,
                bron,
                eigenaar_organisatie_id,
                nulmeting,
                streefwaarden,
            } => {
                let (current, version) = view
                    .indicator(id)
                    .ok_or(DomainError::not_found("indicator", id))?;
                let mut errors = Vec::new();
                if let Some(eigenaar) = eigenaar_organisatie_id {
                    eigenaar_bestaat(view, eigenaar, &mut errors);
                }
                let change = IndicatorGewijzigd {
                    naam,
                    eenheid,
                    richting,
                    bron: bron.map(tekst),
                    eigenaar_organisatie_id,
                    nulmeting,
                };
                let events = merge(errors, current.update(change, streefwaarden))?;
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
            Self::LegMetingVast {
                id,
                meting_id,
                periode,
                meet_datum,
                waarde,
                status,
                bron,
                toelichting,
                door_organisatie_id,
                gemeente,
                beperkt_tot,
                vandaag,
            } => {
                let (current, version) = view
                    .indicator(id)
                    .ok_or(DomainError::not_found("indicator", id))?;
                let periode = tekst(periode);
                let mut errors = Vec::new();
                let gemeenten = view.agenda_gemeenten(current.agenda_id);
                let gemeente =
                    binnen_gemeente(tekst(gemeente), beperkt_tot.as_deref(), &gemeenten)?;
                let gemeente = gemeente.and_then(|g| {
                    let found = crate::domain::gemeente::vind(&gemeenten, &g).map(str::to_owned);
                    if found.is_none() {
                        errors.push(onbekende_gemeente("gemeente", &g, &gemeenten));
                    }
                    found
                });
                if periode.is_none() && meet_datum.is_none() {
                    errors.push(FieldError {
                        field: "periode".into(),
                        code: Foutcode::Required,
                        message: "Geef een periode (2024, 2024-Q2, 2024-03) of een meetDatum."
                            .into(),
                    });
                }
                if let Some(d) = meet_datum.filter(|d| *d > vandaag) {
                    errors.push(FieldError {
                        field: "meetDatum".into(),
                        code: Foutcode::FutureDate,
                        message: format!(
                            "{d} ligt in de toekomst; leg een meting vast als ze gedaan is."
                        ),
                    });
                }
                if let Some(o) = door_organisatie_id.filter(|o| !view.organisatie_bestaat(*o)) {
                    errors.push(unknown_organisatie("doorOrganisatieId", o));
                }
                let decided = current.record(MetingVastgelegd {
                    meting_id,
                    periode: periode
                        .or_else(|| meet_datum.map(|d| d.year().to_string()))
                        .unwrap_or_default(),
                    meet_datum,
                    waarde,
                    status,
                    bron: tekst(bron),
                    toelichting: tekst(toelichting),
                    door_organisatie_id,
                    gemeente,
                });
                let events = merge(errors, decided)?;
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
        }
    }
}

/// The gemeente a meting is for when the caller is a token scoped to
/// gemeente `eigen` (`beperkt_tot`): a meting without one is for `eigen`;
/// one for another gemeente is refused with 403 `gemeente-scope`, as an
/// actie for another gemeente is. Without a scope, the gemeente asked for.
fn binnen_gemeente(
    gevraagd: Option<String>,
    beperkt_tot: Option<&str>,
    gemeenten: &[String],
) -> Result<Option<String>, DomainError> {
    let Some(eigen) = beperkt_tot else {
        return Ok(gevraagd);
    };
    let eigen = crate::domain::gemeente::vind(gemeenten, eigen).unwrap_or(eigen);
    match gevraagd {
        None => Ok(Some(eigen.to_owned())),
        // Not a gemeente of the agenda at all: the 400 that names them.
        Some(g) if crate::domain::gemeente::vind(gemeenten, &g).is_none() => Ok(Some(g)),
        Some(g) if crate::domain::naam::same(&g, eigen) => Ok(Some(g)),
        Some(g) => Err(DomainError::forbidden(
            Foutcode::GemeenteScope,
            format!("Dit token is beperkt tot gemeente {eigen}: het legt alleen metingen voor {eigen} vast, niet voor {g}. Laat gemeente weg of geef \"{eigen}\"; metingen van andere gemeenten of van het hele gebied legt een programmamanager van de hele agenda vast."),
        )),
    }
}

/// Free text as kept: trimmed, and blank is no text.
fn tekst(t: Option<String>) -> Option<String> {
    t.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A gemeente that is not one of the agenda's, with the ones it has.
pub fn onbekende_gemeente(field: &str, naam: &str, gemeenten: &[String]) -> FieldError {
    FieldError {
        field: field.into(),
        code: Foutcode::UnknownGemeente,
        // The wording of the other gemeente checks (`domain::gemeente`).
        message: format!(
            "'{naam}' is geen gemeente van deze agenda; kies uit {}.",
            gemeenten.join(", ")
        ),
    }
}

fn unknown_organisatie(field: &str, id: Uuid) -> FieldError {
    FieldError {
        field: field.into(),
        code: Foutcode::UnknownOrganisatie,
        message: crate::domain::niet_gevonden("organisatie", id),
    }
}

fn eigenaar_bestaat(view: &impl IndicatorView, id: Option<Uuid>, errors: &mut Vec<FieldError>) {
    if let Some(o) = id.filter(|o| !view.organisatie_bestaat(*o)) {
        errors.push(unknown_organisatie("eigenaarOrganisatieId", o));
    }
}

/// The errors found here and those of the aggregate's own decision (one
/// per field), sorted by field, all at once.
fn merge(
    mut errors: Vec<FieldError>,
    decided: Result<Vec<crate::domain::Event>, DomainError>,
) -> Result<Vec<crate::domain::Event>, DomainError> {
    match decided {
        Ok(events) if errors.is_empty() => Ok(events),
        Ok(_) => Err(DomainError::Invalid(sorted(errors))),
        Err(DomainError::Invalid(more)) => {
            // One problem per field: the one found here says it best.
            let more: Vec<FieldError> = more
                .into_iter()
                .filter(|m| !errors.iter().any(|e| e.field == m.field))
                .collect();
            errors.extend(more);
            Err(DomainError::Invalid(sorted(errors)))
        }
        Err(other) if errors.is_empty() => Err(other),
        Err(_) => Err(DomainError::Invalid(sorted(errors))),
    }
}

fn sorted(mut errors: Vec<FieldError>) -> Vec<FieldError> {
    errors.sort_by(|a, b| a.field.cmp(&b.field));
    errors
}

/// A vervallen opgave or doel takes no new indicatoren (409).
fn niet_vervallen(plek: &DoelPlek) -> Result<(), DomainError> {
    match (&plek.opgave_vervallen, &plek.doel_vervallen) {
        (Some(reden), _) => Err(DomainError::conflict(
            Foutcode::OpgaveVervallen,
            format!("Deze opgave is vervallen ({reden}); er kan niets meer onder."),
        )),
        (_, Some(reden)) => Err(DomainError::conflict(
            Foutcode::DoelVervallen,
            format!("Dit doel is vervallen ({reden}); er kan niets meer onder."),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
