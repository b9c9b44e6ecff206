//! The renumbers and moves a structural change carries along (the codes
//! follow by [`crate::domain::renumber`]): what lies below the changed
//! groepering, opgave or doel, read from the view, as events for the same
//! atomic decision.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{code_houder, Plek, StructuurView};
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

/// Where doel `id` sits among its siblings, when its top-level doelen sit
/// under `opgave_id`.
fn plek_van(view: &impl StructuurView, id: Uuid, opgave_id: Uuid) -> Option<Plek> {
    let (d, _) = view.doel(id)?;
    Some(Plek::Doel {
        opgave_id,
        bovenliggend: d.bovenliggend_doel_id,
    })
}

/// The carried codes with the place each ends up, for [`check_free`].
fn placed<'a>(
    view: &impl StructuurView,
    carried: &'a [(Uuid, Hernummerd)],
    opgave_id: Uuid,
) -> Vec<(Uuid, Plek, &'a Code)> {
    carried
        .iter()
        .filter_map(|(id, h)| {
            Some((
                *id,
                plek_van(view, *id, opgave_id)?,
                h.nieuwe_code.as_ref()?,
            ))
        })
        .collect()
}

/// Renumbering opgave `opgave_id` from `from` to `to`: the doelen whose codes
/// lie under `from` follow. Refused when a carried code is held by a
/// sibling that keeps it. (The opgave's own code the caller checks.)
pub fn opgave_hernummerd(
    view: &impl StructuurView,
    opgave_id: Uuid,
    from: &Code,
    to: &Code,
) -> Result<Vec<StreamBesluit>, DomainError> {
    let carried = carry_along(&below(view, view.doelen_van_opgave(opgave_id)), from, to)?;
    check_free(&placed(view, &carried, opgave_id), |p, c, except| {
        code_houder(view, p, c, except)
    })?;
    let events = carried
        .into_iter()
        .map(|(id, h)| (id, vec![Event::DoelHernummerd(h)]))
        .collect();
    Ok(doel_streams(view, events))
}

/// Doel `doel_id` renumbered (`new_code`; `Some(None)` removes its code)
/// and/or moved to opgave `target`: its sub-doelen move along
/// (`DoelVerplaatst`), and their codes written out in full follow, from
/// under the doel's old code to under its new one, else from under the old
/// opgave's code to under the new opgave's. The doel's own code must be
/// free where it ends up.
pub fn doel_gewijzigd(
    view: &impl StructuurView,
    doel_id: Uuid,
    new_code: Option<Option<&Code>>,
    target: Option<Uuid>,
) -> Result<Vec<StreamBesluit>, DomainError> {
    let Some((d, _)) = view.doel(doel_id) else {
        return Ok(vec![]);
    };
    let target = target.filter(|t| *t != d.opgave_id);
    let own_code = new_code.unwrap_or(d.code.as_ref());
    let new_code = new_code.filter(|c| *c != d.code.as_ref()).flatten();
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
    let opgave_code = |id: Uuid| view.opgave(id).and_then(|(o, _)| o.code.clone());
    if let Some(t) = target {
        if let (Some(from), Some(to)) = (opgave_code(d.opgave_id), opgave_code(t)) {
            renumbers.extend(carry_along(&below, &from, &to)?);
        }
    }
    let opgave_id = target.unwrap_or(d.opgave_id);
    let own_plek = Plek::Doel {
        opgave_id,
        bovenliggend: d.bovenliggend_doel_id,
    };
    let mut new_codes: Vec<(Uuid, Plek, &Code)> = own_code
        .filter(|_| new_code.is_some() || target.is_some())
        .map(|c| (doel_id, own_plek, c))
        .into_iter()
        .collect();
    new_codes.extend(placed(view, &renumbers, opgave_id));
    check_free(&new_codes, |p, c, except| code_houder(view, p, c, except))?;
    for (id, h) in renumbers {
        events.entry(id).or_default().push(Event::DoelHernummerd(h));
    }
    Ok(doel_streams(view, events))
}

/// An item below a renumbered groepering: its code, where it sits, its
/// stream version and the event that renumbers it.
type Onder = (Below, Plek, u64, fn(Hernummerd) -> Event);

/// Renumbering groepering `groepering_id` from `from` to `to`: the codes
/// written out in full below it follow, of the groeperingen under it (at
/// any depth), of the opgaven in any of them and of those opgaven's doelen
/// and sub-doelen (opgave `1.2` and doel `1.2.3` under themalijn `1` become
/// `5.2` and `5.2.3` when it is renumbered to `5`; local codes such as
/// opgave `2` need nothing). Refused when a carried code is held by a
/// sibling that keeps it. (The groepering's own code the caller checks.)
pub fn groepering_hernummerd(
    view: &impl StructuurView,
    groepering_id: Uuid,
    from: &Code,
    to: &Code,
) -> Result<Vec<StreamBesluit>, DomainError> {
    // Everything below the groepering, each with where it sits.
    let mut below: Vec<Onder> = Vec::new();
    let mut seen = vec![groepering_id];
    let mut stack = vec![groepering_id];
    while let Some(g) = stack.pop() {
        for sub in view.subgroeperingen(g) {
            let Some((x, version)) = view.groepering(sub).filter(|_| !seen.contains(&sub)) else {
                continue;
            };
            seen.push(sub);
            stack.push(sub);
            let plek = Plek::Groepering {
                agenda_id: x.agenda_id,
                bovenliggende: x.bovenliggende_groepering_id,
            };
            let item = Below {
                id: sub,
                code: x.code.clone(),
            };
            below.push((item, plek, version, Event::GroeperingHernummerd));
        }
        for o in view.opgaven_in(g) {
            let Some((x, version)) = view.opgave(o) else {
                continue;
            };
            let plek = Plek::Opgave {
                agenda_id: x.agenda_id,
                groepering: x.groepering_id,
            };
            let item = Below {
                id: o,
                code: x.code.clone(),
            };
            below.push((item, plek, version, Event::OpgaveHernummerd));
            for d in view.doelen_van_opgave(o) {
                let Some((x, version)) = view.doel(d) else {
                    continue;
                };
                let plek = Plek::Doel {
                    opgave_id: x.opgave_id,
                    bovenliggend: x.bovenliggend_doel_id,
                };
                let item = Below {
                    id: d,
                    code: x.code.clone(),
                };
                below.push((item, plek, version, Event::DoelHernummerd));
            }
        }
    }
    let items: Vec<Below> = below.iter().map(|(b, ..)| b.clone()).collect();
    let carried = carry_along(&items, from, to)?;
    let of = |id: Uuid| below.iter().find(|(b, ..)| b.id == id);
    let placed: Vec<(Uuid, Plek, &Code)> = carried
        .iter()
        .filter_map(|(id, h)| Some((*id, of(*id)?.1, h.nieuwe_code.as_ref()?)))
        .collect();
    check_free(&placed, |p, c, except| code_houder(view, p, c, except))?;
    Ok(carried
        .into_iter()
        .filter_map(|(id, h)| {
            let (_, _, version, event) = of(id)?;
            Some(StreamBesluit::bij(id, *version, vec![event(h)]))
        })
        .collect())
}
