//! The renumbers a structural change carries along (see
//! `domain::renumber`): read from the model what lies below the changed
//! opgave or doel, let the domain decide the new codes, and return them as
//! events for the same atomic append.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{ServiceError, StreamEvents};
use crate::domain::doel::Doel;
use crate::domain::events::{DoelVerplaatst, Event, Hernummerd};
use crate::domain::renumber::{carry_along, check_free, Below};
use crate::domain::Code;
use crate::event_store::ExpectedVersion;
use crate::projections::{Entity, ReadModel};

/// The doelen and sub-doelen that hang under an opgave now.
fn doelen_below(m: &ReadModel, opgave_id: Uuid) -> Vec<Below> {
    m.doel_ids_of_opgave(opgave_id)
        .into_iter()
        .filter_map(|id| m.doelen.get(&id))
        .map(|d| Below {
            id: d.id,
            code: d.state.code.clone(),
        })
        .collect()
}

fn sub_doelen(m: &ReadModel, doel_id: Uuid) -> Vec<&Entity<Doel>> {
    let mut subs: Vec<&Entity<Doel>> = m
        .doelen
        .values()
        .map(|d| &**d)
        .filter(|s| s.state.bovenliggend_doel_id == Some(doel_id))
        .collect();
    subs.sort_by_key(|s| s.id);
    subs
}

fn doel_streams(m: &ReadModel, events: BTreeMap<Uuid, Vec<Event>>) -> Vec<StreamEvents> {
    events
        .into_iter()
        .filter_map(|(id, events)| {
            let d = m.doelen.get(&id)?;
            Some(StreamEvents {
                stream_id: id,
                expected: ExpectedVersion::Exact(d.version),
                events,
            })
        })
        .collect()
}

/// Renumbering opgave `opgave_id` from `from` to `to`: the doelen whose codes
/// lie under `from` follow. Refused when a new code (the opgave's included)
/// is held by anything that keeps it.
pub fn opgave(
    m: &ReadModel,
    agenda_id: Uuid,
    opgave_id: Uuid,
    from: &Code,
    to: &Code,
) -> Result<Vec<StreamEvents>, ServiceError> {
    let carried = carry_along(&doelen_below(m, opgave_id), from, to)?;
    let mut new_codes = vec![(opgave_id, to)];
    new_codes.extend(carried.iter().map(|(id, h)| (*id, &h.nieuwe_code)));
    check_free(&new_codes, |c| m.code_owner(agenda_id, c))?;
    let events = carried
        .into_iter()
        .map(|(id, h)| (id, vec![Event::DoelHernummerd(h)]))
        .collect();
    Ok(doel_streams(m, events))
}

/// A doel renumbered (`new_code`) and/or moved to opgave `target`: its
/// sub-doelen move along, and their codes follow, from under the doel's old
/// code to under its new one, else from under the old opgave's code to
/// under the new opgave's.
pub fn doel(
    m: &ReadModel,
    d: &Entity<Doel>,
    new_code: Option<&Code>,
    target: Option<Uuid>,
) -> Result<Vec<StreamEvents>, ServiceError> {
    let agenda_id = d.state.agenda_id;
    let target = target.filter(|t| *t != d.state.opgave_id);
    let new_code = new_code.filter(|c| Some(*c) != d.state.code.as_ref());
    let subs = sub_doelen(m, d.id);
    let mut events: BTreeMap<Uuid, Vec<Event>> = BTreeMap::new();
    if let Some(t) = target {
        for s in &subs {
            events
                .entry(s.id)
                .or_default()
                .push(Event::DoelVerplaatst(DoelVerplaatst {
                    vorige_opgave_id: s.state.opgave_id,
                    nieuwe_opgave_id: t,
                }));
        }
    }
    let mut below: Vec<Below> = subs
        .iter()
        .map(|s| Below {
            id: s.id,
            code: s.state.code.clone(),
        })
        .collect();
    let mut renumbers: Vec<(Uuid, Hernummerd)> = Vec::new();
    if let (Some(from), Some(to)) = (d.state.code.as_ref(), new_code) {
        let carried = carry_along(&below, from, to)?;
        below.retain(|b| !carried.iter().any(|(id, _)| *id == b.id));
        renumbers.extend(carried);
    }
    let opgave_code = |id: Uuid| m.opgaven.get(&id).map(|o| o.state.code.clone());
    if let Some(t) = target {
        if let (Some(from), Some(to)) = (opgave_code(d.state.opgave_id), opgave_code(t)) {
            renumbers.extend(carry_along(&below, &from, &to)?);
        }
    }
    let mut new_codes: Vec<(Uuid, &Code)> = new_code.map(|c| (d.id, c)).into_iter().collect();
    new_codes.extend(renumbers.iter().map(|(id, h)| (*id, &h.nieuwe_code)));
    check_free(&new_codes, |c| m.code_owner(agenda_id, c))?;
    for (id, h) in renumbers {
        events.entry(id).or_default().push(Event::DoelHernummerd(h));
    }
    Ok(doel_streams(m, events))
}
