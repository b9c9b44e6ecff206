//! The renumbers and moves a structural change carries along (the codes
//! follow by [`crate::domain::renumber`]): what lies below the changed
//! opgave or doel, read from the view, as events for the same atomic
//! decision.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::StructuurView;
use crate::domain::events::{DoelVerplaatst, Event, Hernummerd};
use crate::domain::renumber::{carry_along, check_free, Below};
use crate::domain::{Code, DomainError, StreamBesluit};

fn below(view: &impl StructuurView, ids: Vec<Uuid>) -> Vec<Below> {
    ids.into_iter()
        .filter_map(|id| {
            view.doel(id).map(|(d, _)| Below {
                id,
                code: d.code.clone(),
            })
        })
        .collect()
}

fn doel_streams(
    view: &impl StructuurView,
    events: BTreeMap<Uuid, Vec<Event>>,
) -> Vec<StreamBesluit> {
    events
        .into_iter()
        .filter_map(|(id, events)| {
            let (_, version) = view.doel(id)?;
            Some(StreamBesluit::bij(id, version, events))
        })
        .collect()
}

/// Renumbering opgave `opgave_id` from `from` to `to`: the doelen whose codes
/// lie under `from` follow. Refused when a new code (the opgave's included)
/// is held by anything that keeps it.
pub fn opgave_hernummerd(
    view: &impl StructuurView,
    agenda_id: Uuid,
    opgave_id: Uuid,
    from: &Code,
    to: &Code,
) -> Result<Vec<StreamBesluit>, DomainError> {
    let carried = carry_along(&below(view, view.doelen_van_opgave(opgave_id)), from, to)?;
    let mut new_codes = vec![(opgave_id, to)];
    new_codes.extend(carried.iter().map(|(id, h)| (*id, &h.nieuwe_code)));
    check_free(&new_codes, |c| view.code_owner(agenda_id, c))?;
    let events = carried
        .into_iter()
        .map(|(id, h)| (id, vec![Event::DoelHernummerd(h)]))
        .collect();
    Ok(doel_streams(view, events))
}

/// Doel `doel_id` renumbered (`new_code`) and/or moved to opgave `target`:
/// its sub-doelen move along (`DoelVerplaatst`), and their codes follow,
/// from under the doel's old code to under its new one, else from under
/// the old opgave's code to under the new opgave's.
pub fn doel_gewijzigd(
    view: &impl StructuurView,
    doel_id: Uuid,
    new_code: Option<&Code>,
    target: Option<Uuid>,
) -> Result<Vec<StreamBesluit>, DomainError> {
    let Some((d, _)) = view.doel(doel_id) else {
        return Ok(vec![]);
    };
    let target = target.filter(|t| *t != d.opgave_id);
    let new_code = new_code.filter(|c| Some(*c) != d.code.as_ref());
    let subs = view.subdoelen(doel_id);
    let mut events: BTreeMap<Uuid, Vec<Event>> = BTreeMap::new();
    if let Some(t) = target {
        for s in &subs {
            if let Some((sub, _)) = view.doel(*s) {
                events
                    .entry(*s)
                    .or_default()
                    .push(Event::DoelVerplaatst(DoelVerplaatst {
                        vorige_opgave_id: sub.opgave_id,
                        nieuwe_opgave_id: t,
                    }));
            }
        }
    }
    let mut below = below(view, subs);
    let mut renumbers: Vec<(Uuid, Hernummerd)> = Vec::new();
    if let (Some(from), Some(to)) = (d.code.as_ref(), new_code) {
        let carried = carry_along(&below, from, to)?;
        below.retain(|b| !carried.iter().any(|(id, _)| *id == b.id));
        renumbers.extend(carried);
    }
    let opgave_code = |id: Uuid| view.opgave(id).map(|(o, _)| o.code.clone());
    if let Some(t) = target {
        if let (Some(from), Some(to)) = (opgave_code(d.opgave_id), opgave_code(t)) {
            renumbers.extend(carry_along(&below, &from, &to)?);
        }
    }
    let mut new_codes: Vec<(Uuid, &Code)> = new_code.map(|c| (doel_id, c)).into_iter().collect();
    new_codes.extend(renumbers.iter().map(|(id, h)| (*id, &h.nieuwe_code)));
    check_free(&new_codes, |c| view.code_owner(d.agenda_id, c))?;
    for (id, h) in renumbers {
        events.entry(id).or_default().push(Event::DoelHernummerd(h));
    }
    Ok(doel_streams(view, events))
}
