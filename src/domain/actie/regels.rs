//! The rules that place an actie and check what it names: its opgave or
//! doel (exists, same agenda, not vervallen), the organisaties of trekker,
//! partners and auteur, planned dates within the agenda's period, and the
//! kenmerk of a new actie. Used by [`super::command`].

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::command::{ActieView, ActieWijziging, NieuweActie, Ouder};
use super::kenmerk;
use super::{create, Actie, ActieStatus, Trekker};
use crate::domain::agenda::Agenda;
use crate::domain::events::{ActieAangemaakt, ActieGewijzigd};
use crate::domain::{gemeente, Besluit, DomainError, FieldError, Foutcode, StreamBesluit};
pub(super) fn actie_van(view: &impl ActieView, id: Uuid) -> Result<(&Actie, u64), DomainError> {
    view.actie(id).ok_or(DomainError::not_found("actie", id))
}

/// `Err` with every field error collected, if any.
pub(super) fn invalid(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

fn field(errors: &mut Vec<FieldError>, name: impl Into<String>, code: Foutcode, m: String) {
    errors.push(FieldError {
        field: name.into(),
        code,
        message: m,
    });
}

/// An organisatie named in the command must exist.
pub(super) fn organisatie(
    view: &impl ActieView,
    errors: &mut Vec<FieldError>,
    name: &str,
    id: Uuid,
) {
    if !view.organisatie_bestaat(id) {
        let m = crate::domain::niet_gevonden("organisatie", id);
        field(errors, name, Foutcode::UnknownOrganisatie, m);
    }
}

fn partners(view: &impl ActieView, errors: &mut Vec<FieldError>, partners: &[Uuid]) {
    for (i, p) in partners.iter().enumerate() {
        organisatie(view, errors, &format!("partners[{i}]"), *p);
    }
}

/// A planned date lies within the agenda's period.
fn in_periode(errors: &mut Vec<FieldError>, name: &str, date: Option<NaiveDate>, agenda: &Agenda) {
    if let Some(d) = date.filter(|d| !agenda.covers(*d)) {
        let m = format!(
            "{d} ligt buiten de periode van de agenda ({} t/m {}).",
            agenda.periode_start, agenda.periode_eind
        );
        field(errors, name, Foutcode::OutsidePeriod, m);
    }
}

/// A vervallen opgave or doel takes nothing new under it (409).
pub(super) fn ouder_niet_vervallen(
    view: &impl ActieView,
    opgave_id: Uuid,
    doel_id: Option<Uuid>,
) -> Result<(), DomainError> {
    let opgave = view.opgave(opgave_id).and_then(|o| o.vervallen.as_ref());
    let doel = doel_id
        .and_then(|d| view.doel(d))
        .and_then(|d| d.vervallen.as_ref());
    match (opgave, doel) {
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

/// The opgave an actie is under now (its doel may have moved).
fn opgave_nu(view: &impl ActieView, a: &Actie) -> Uuid {
    a.doel_id
        .and_then(|d| view.doel(d))
        .map_or(a.opgave_id, |d| d.opgave_id)
}

/// The gemeenten an actie gets: the agenda's spelling of those asked for.
/// A token scoped to gemeente `g` may name no other (403); a new actie it
/// creates without gemeenten gets `[g]` (`nieuw`), while emptying the
/// list of an existing one (the whole agenda) is refused.
fn gemeenten(
    agenda: &Agenda,
    gevraagd: &[String],
    (beperkt_tot, nieuw): (Option<&str>, bool),
    errors: &mut Vec<FieldError>,
) -> Result<Vec<String>, DomainError> {
    let gemeenten = gemeente::van_actie(&agenda.gemeenten, gevraagd, "gemeenten", errors);
    let Some(eigen) = beperkt_tot else {
        return Ok(gemeenten);
    };
    let eigen = gemeente::vind(&agenda.gemeenten, eigen).unwrap_or(eigen);
    if gevraagd.is_empty() && nieuw {
        return Ok(vec![eigen.to_owned()]);
    }
    if gemeenten.len() != 1 || gemeenten[0] != eigen || gevraagd.len() != 1 {
        return Err(DomainError::forbidden(
            Foutcode::GemeenteScope,
            format!("Dit token is beperkt tot gemeente {eigen}: het maakt en wijzigt alleen acties van {eigen}. Laat gemeenten weg of geef [\"{eigen}\"]; acties van andere gemeenten of van de hele agenda beheert een programmamanager van de hele agenda."),
        ));
    }
    Ok(gemeenten)
}

pub(super) fn maak_aan(
    view: &impl ActieView,
    id: Uuid,
    onder: Ouder,
    n: NieuweActie,
    beperkt_tot: Option<&str>,
) -> Besluit {
    let (opgave_id, doel) = match onder {
        Ouder::Opgave(o) => (o, None),
        Ouder::Doel(d) => {
            let doel = view.doel(d).ok_or(DomainError::not_found("doel", d))?;
            (doel.opgave_id, Some((d, doel)))
        }
    };
    let opgave = view
        .opgave(opgave_id)
        .ok_or(DomainError::not_found("opgave", opgave_id))?;
    let agenda = view
        .agenda(opgave.agenda_id)
        .ok_or(DomainError::not_found("agenda", opgave.agenda_id))?;
    let mut errors = Vec::new();
    in_periode(
        &mut errors,
        "geplandeStartDatum",
        n.geplande_start_datum,
        agenda,
    );
    in_periode(
        &mut errors,
        "geplandeEindDatum",
        n.geplande_eind_datum,
        agenda,
    );
    if let Some(Trekker::Organisatie { organisatie_id }) = &n.trekker {
        organisatie(view, &mut errors, "trekker.organisatieId", *organisatie_id);
    }
    partners(view, &mut errors, &n.partners);
    let gemeenten = gemeenten(agenda, &n.gemeenten, (beperkt_tot, true), &mut errors)?;
    let jaar = n.jaar.unwrap_or(agenda.periode_start.year());
    let planning = gemeente::Planning {
        jaar,
        geplande_start_datum: n.geplande_start_datum,
        geplande_eind_datum: n.geplande_eind_datum,
    };
    let perioden = &agenda.uitvoeringsperioden;
    gemeente::binnen_uitvoering(perioden, &gemeenten, &planning, "", &mut errors);
    let doel_id = doel.map(|(d, _)| d);
    let prefix = kenmerk::prefix(view, opgave_id, doel_id);
    let event = ActieAangemaakt {
        kenmerk: Some(kenmerk::volgende(view, opgave.agenda_id, prefix.as_ref())),
        agenda_id: opgave.agenda_id,
        opgave_id,
        doel_id,
        omschrijving: n.omschrijving.trim().to_owned(),
        jaar,
        geplande_start_datum: n.geplande_start_datum,
        geplande_eind_datum: n.geplande_eind_datum,
        trekker: n.trekker,
        partners: n.partners,
        status: ActieStatus::Gepland,
        gemeenten,
    };
    let events = match create(event) {
        Err(DomainError::Invalid(own)) => {
            errors.extend(own);
            return Err(DomainError::Invalid(errors));
        }
        other => {
            invalid(errors)?;
            other?
        }
    };
    ouder_niet_vervallen(view, opgave_id, doel_id)?;
    Ok(vec![StreamBesluit::nieuw(id, events)])
}

pub(super) fn wijzig(
    view: &impl ActieView,
    id: Uuid,
    mut w: ActieWijziging,
    beperkt_tot: Option<&str>,
) -> Besluit {
    let (a, version) = actie_van(view, id)?;
    let mut errors = Vec::new();
    if let Some(agenda) = view.agenda(a.agenda_id) {
        let start = w.geplande_start_datum.flatten();
        in_periode(&mut errors, "geplandeStartDatum", start, agenda);
        let eind = w.geplande_eind_datum.flatten();
        in_periode(&mut errors, "geplandeEindDatum", eind, agenda);
        if let Some(g) = &w.gemeenten {
            w.gemeenten = Some(gemeenten(agenda, g, (beperkt_tot, false), &mut errors)?);
        }
        // Checked when the change touches what the period binds.
        if w.gemeenten.is_some()
            || w.jaar.is_some()
            || w.geplande_start_datum.is_some()
            || w.geplande_eind_datum.is_some()
        {
            let planning = gemeente::Planning {
                jaar: w.jaar.unwrap_or(a.jaar),
                geplande_start_datum: w.geplande_start_datum.unwrap_or(a.geplande_start),
                geplande_eind_datum: w.geplande_eind_datum.unwrap_or(a.geplande_eind),
            };
            let g = w.gemeenten.as_deref().unwrap_or(&a.gemeenten);
            let perioden = &agenda.uitvoeringsperioden;
            gemeente::binnen_uitvoering(perioden, g, &planning, "", &mut errors);
        }
    }
    if let Some(p) = &w.partners {
        partners(view, &mut errors, p);
    }
    let here = (opgave_nu(view, a), a.doel_id);
    let verplaats = waarheen(view, a, here, w.opgave_id, w.doel_id, &mut errors);
    invalid(errors)?;
    let change = ActieGewijzigd {
        omschrijving: w.omschrijving,
        jaar: w.jaar,
        geplande_start_datum: w.geplande_start_datum,
        geplande_eind_datum: w.geplande_eind_datum,
        gemeenten: w.gemeenten,
    };
    let events = a.update(here, change, verplaats, w.partners)?;
    Ok(vec![StreamBesluit::bij(id, version, events)])
}

/// Where a change moves the actie: a doel of the same agenda (and of
/// `opgave`, when that is given too), or an opgave of the same agenda
/// (naming the opgave it is under keeps it under its doel).
fn waarheen(
    view: &impl ActieView,
    a: &Actie,
    here: (Uuid, Option<Uuid>),
    opgave: Option<Uuid>,
    doel: Option<Option<Uuid>>,
    errors: &mut Vec<FieldError>,
) -> Option<(Uuid, Option<Uuid>)> {
    match (opgave, doel) {
        (None, None) => None,
        (o, Some(Some(d))) => match view.doel(d) {
            Some(x) if x.agenda_id == a.agenda_id && o.is_none_or(|o| o == x.opgave_id) => {
                Some((x.opgave_id, Some(d)))
            }
            _ => {
                field(errors, "doelId", Foutcode::UnknownDoel, "Verplaatsen kan naar een doel van dezelfde agenda (en, als opgaveId ook gegeven is, van die opgave).".into());
                None
            }
        },
        (o, _) => {
            let target = o.unwrap_or(here.0);
            match view.opgave(target) {
                Some(x) if x.agenda_id == a.agenda_id => Some((
                    target,
                    if doel.is_some() {
                        None
                    } else {
                        a.doel_id.filter(|_| target == here.0)
                    },
                )),
                _ => {
                    let m = "Verplaatsen kan alleen naar een opgave van dezelfde agenda.";
                    field(errors, "opgaveId", Foutcode::UnknownOpgave, m.into());
                    None
                }
            }
        }
    }
}
