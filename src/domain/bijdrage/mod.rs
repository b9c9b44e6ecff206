//! Bijdragen: an opgave or doel keeps its one primary place in the tree
//! (an opgave's groepering; a doel's opgave, and through it that
//! opgave's groepering) and may list further groeperingen it contributes
//! to, such as a second and third maatschappelijk effect. Adding and taking
//! away a contribution are events on the opgave's or doel's own stream
//! (`OpgaveBijdrageToegevoegd`, `DoelBijdrageVerwijderd`, ...), so the
//! audittrail and time travel show them like any other change.
//!
//! Rules: the groepering is one of the same agenda (400 `unknown-groepering`
//! on `groeperingId`); it is not the item's primary groepering (409
//! `primary-groepering`); it is not listed yet (409 `duplicate-bijdrage`);
//! taking away one that is not listed is a 404; a vervallen opgave or doel
//! does not change (409).

use uuid::Uuid;

use super::events::{BijdrageToegevoegd, BijdrageVerwijderd, Event, OpgaveGewijzigd};
use super::structuur::{geen_fouten, groepering_in_agenda, StructuurView};
use super::{Besluit, DomainError, Foutcode, StreamBesluit};

#[cfg(test)]
mod tests;

/// A move that makes a groepering the primary place of an opgave or doel
/// ends its contribution to that groepering, in the same decision: an
/// opgave moved into a groepering (its own contribution and those of its
/// doelen), a doel moved to an opgave of that groepering. So a
/// contribution is never to the item's own groepering. Called by the
/// opgave's and the doel's change commands on what they decided.
pub fn na_verplaatsing(
    view: &impl StructuurView,
    mut streams: Vec<StreamBesluit>,
) -> Vec<StreamBesluit> {
    let ended = |g: Uuid| BijdrageVerwijderd { groepering_id: g };
    let mut doelen: Vec<(Uuid, Uuid)> = Vec::new();
    for s in &mut streams {
        let mut extra = Vec::new();
        for e in &s.events {
            match e {
                Event::OpgaveGewijzigd(OpgaveGewijzigd {
                    groepering_id: Some(Some(g)),
                    ..
                }) => {
                    if view
                        .opgave(s.stream_id)
                        .is_some_and(|(o, _)| o.bijdragen.contains(g))
                    {
                        extra.push(Event::OpgaveBijdrageVerwijderd(ended(*g)));
                    }
                    for d in view.doelen_van_opgave(s.stream_id) {
                        if view.doel(d).is_some_and(|(x, _)| x.bijdragen.contains(g)) {
                            doelen.push((d, *g));
                        }
                    }
                }
                Event::DoelVerplaatst(v) => {
                    let g = view
                        .opgave(v.nieuwe_opgave_id)
                        .and_then(|(o, _)| o.groepering_id);
                    if let Some(g) = g.filter(|g| {
                        view.doel(s.stream_id)
                            .is_some_and(|(x, _)| x.bijdragen.contains(g))
                    }) {
                        extra.push(Event::DoelBijdrageVerwijderd(ended(g)));
                    }
                }
                _ => {}
            }
        }
        s.events.extend(extra);
    }
    for (d, g) in doelen {
        let event = Event::DoelBijdrageVerwijderd(ended(g));
        match streams.iter_mut().find(|s| s.stream_id == d) {
            Some(s) => s.events.push(event),
            None => {
                if let Some((_, version)) = view.doel(d) {
                    streams.push(StreamBesluit::bij(d, version, vec![event]));
                }
            }
        }
    }
    streams
}

/// What contributes: an opgave or a doel (its own stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bijdrager {
    Opgave(Uuid),
    Doel(Uuid),
}

#[derive(Debug, Clone, PartialEq)]
pub enum BijdrageCommand {
    /// `bijdrager` contributes to `groepering_id` from now on.
    Voeg {
        bijdrager: Bijdrager,
        groepering_id: Uuid,
    },
    /// `bijdrager` no longer contributes to `groepering_id`.
    Verwijder {
        bijdrager: Bijdrager,
        groepering_id: Uuid,
    },
}

/// The state of a bijdrager the rules read.
struct Staat<'a> {
    id: Uuid,
    version: u64,
    agenda_id: Uuid,
    primair: Option<Uuid>,
    bijdragen: &'a [Uuid],
    vervallen: Option<DomainError>,
    opgave: bool,
}

fn staat(view: &impl StructuurView, bijdrager: Bijdrager) -> Result<Staat<'_>, DomainError> {
    match bijdrager {
        Bijdrager::Opgave(id) => {
            let (o, version) = view
                .opgave(id)
                .ok_or(DomainError::not_found("opgave", id))?;
            Ok(Staat {
                id,
                version,
                agenda_id: o.agenda_id,
                primair: o.groepering_id,
                bijdragen: &o.bijdragen,
                vervallen: o.vervallen.as_ref().map(|_| {
                    DomainError::conflict(
                        Foutcode::OpgaveVervallen,
                        "Deze opgave is vervallen en kan niet meer worden gewijzigd.",
                    )
                }),
                opgave: true,
            })
        }
        Bijdrager::Doel(id) => {
            let (d, version) = view.doel(id).ok_or(DomainError::not_found("doel", id))?;
            Ok(Staat {
                id,
                version,
                agenda_id: d.agenda_id,
                primair: view.opgave(d.opgave_id).and_then(|(o, _)| o.groepering_id),
                bijdragen: &d.bijdragen,
                vervallen: d.vervallen.as_ref().map(|_| {
                    DomainError::conflict(
                        Foutcode::DoelVervallen,
                        "Dit doel is vervallen en kan niet meer worden gewijzigd.",
                    )
                }),
                opgave: false,
            })
        }
    }
}

impl BijdrageCommand {
    /// Decides the command against `view`.
    pub fn decide(self, view: &impl StructuurView) -> Besluit {
        match self {
            Self::Voeg {
                bijdrager,
                groepering_id,
            } => {
                let s = staat(view, bijdrager)?;
                geen_fouten(
                    groepering_in_agenda(view, s.agenda_id, Some(groepering_id))
                        .into_iter()
                        .collect(),
                )?;
                if let Some(e) = s.vervallen {
                    return Err(e);
                }
                let naam = view
                    .groepering(groepering_id)
                    .map(|(g, _)| g.naam.clone())
                    .unwrap_or_default();
                if s.primair == Some(groepering_id) {
                    let waar = if s.opgave {
                        "de opgave staat er zelf in"
                    } else {
                        "de opgave van dit doel staat er zelf in"
                    };
                    return Err(DomainError::conflict(
                        Foutcode::PrimaryGroepering,
                        format!("{naam} is de eigen plaats in de boom ({waar}); een bijdrage gaat naar een andere groepering."),
                    ));
                }
                if s.bijdragen.contains(&groepering_id) {
                    return Err(DomainError::conflict(
                        Foutcode::DuplicateBijdrage,
                        format!("De bijdrage aan {naam} staat er al."),
                    ));
                }
                let e = BijdrageToegevoegd { groepering_id };
                let event = if s.opgave {
                    Event::OpgaveBijdrageToegevoegd(e)
                } else {
                    Event::DoelBijdrageToegevoegd(e)
                };
                Ok(vec![StreamBesluit::bij(s.id, s.version, vec![event])])
            }
            Self::Verwijder {
                bijdrager,
                groepering_id,
            } => {
                let s = staat(view, bijdrager)?;
                if !s.bijdragen.contains(&groepering_id) {
                    return Err(DomainError::not_found("bijdrage", groepering_id));
                }
                if let Some(e) = s.vervallen {
                    return Err(e);
                }
                let e = BijdrageVerwijderd { groepering_id };
                let event = if s.opgave {
                    Event::OpgaveBijdrageVerwijderd(e)
                } else {
                    Event::DoelBijdrageVerwijderd(e)
                };
                Ok(vec![StreamBesluit::bij(s.id, s.version, vec![event])])
            }
        }
    }
}
