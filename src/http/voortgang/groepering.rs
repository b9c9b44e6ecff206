//! `?groepering=`: the voortgang of one groepering (a themalijn, a
//! maatschappelijk effect): the opgaven in it (also through a groepering
//! below it), the opgaven that contribute to it, and of the doelen that
//! contribute to it (not through their opgave) the items about those doelen:
//! their acties, the berichten and trekkers of those acties, their
//! reflecties and the metingen of their indicatoren.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::items::OpgaveVoortgang;
use crate::domain::reflectie::OnderwerpSoort;
use crate::http::structuur::bijdrage::BijdrageSoort;
use crate::projections::ReadModel;

/// Whether groepering `g` is `inner` or lies above it.
fn binnen(m: &ReadModel, mut inner: Uuid, g: Uuid) -> bool {
    for _ in 0..32 {
        if inner == g {
            return true;
        }
        match m
            .groeperingen
            .get(&inner)
            .and_then(|x| x.state.bovenliggende_groepering_id)
        {
            Some(p) => inner = p,
            None => return false,
        }
    }
    false
}

/// The doelen of `opgave` that contribute to `g`, with their sub-doelen.
fn bijdragende_doelen(m: &ReadModel, opgave: Uuid, g: Uuid) -> HashSet<Uuid> {
    let doelen = m.doel_ids_of_opgave(opgave);
    let direct: HashSet<Uuid> = doelen
        .iter()
        .copied()
        .filter(|d| {
            m.doelen
                .get(d)
                .is_some_and(|x| x.state.bijdragen.contains(&g))
        })
        .collect();
    doelen
        .into_iter()
        .filter(|d| {
            direct.contains(d)
                || m.doelen
                    .get(d)
                    .and_then(|x| x.state.bovenliggend_doel_id)
                    .is_some_and(|p| direct.contains(&p))
        })
        .collect()
}

/// Keeps of `per_opgave` what concerns groepering `g`, each opgave marked
/// primair or bijdrage; an opgave left with nothing is dropped.
pub fn filter(
    m: &ReadModel,
    g: Uuid,
    per_opgave: HashMap<Uuid, OpgaveVoortgang>,
) -> HashMap<Uuid, OpgaveVoortgang> {
    let mut out = HashMap::new();
    for (id, mut v) in per_opgave {
        let Some(o) = m.opgaven.get(&id) else {
            continue;
        };
        if o.state.groepering_id.is_some_and(|x| binnen(m, x, g)) {
            v.soort = Some(BijdrageSoort::Primair);
        } else if o.state.bijdragen.contains(&g) {
            v.soort = Some(BijdrageSoort::Bijdrage);
        } else {
            let doelen = bijdragende_doelen(m, id, g);
            if doelen.is_empty() {
                continue;
            }
            only_doelen(m, &doelen, &mut v);
            if v.count() == 0 {
                continue;
            }
            v.soort = Some(BijdrageSoort::Bijdrage);
            let mut titels: Vec<_> = doelen
                .iter()
                .filter_map(|d| m.doelen.get(d))
                .filter(|d| d.state.bijdragen.contains(&g))
                .map(|d| {
                    let code = m.doel_weergavecode(d.id).map(|c| c.sort_key());
                    (code.is_none(), code, m.doel_label(d.id))
                })
                .collect();
            titels.sort();
            v.via_doelen = titels.into_iter().map(|(_, _, t)| t).collect();
        }
        out.insert(id, v);
    }
    out
}

/// Keeps only the items about `doelen` (the opgave's phase and its
/// bijsturingen are about the whole opgave, so they go).
fn only_doelen(m: &ReadModel, doelen: &HashSet<Uuid>, v: &mut OpgaveVoortgang) {
    let actie_in = |a: &Uuid| {
        m.acties
            .get(a)
            .and_then(|x| x.state.doel_id)
            .is_some_and(|d| doelen.contains(&d))
    };
    v.pdca_fase = None;
    v.bijsturingen.clear();
    for list in [
        &mut v.acties_afgerond,
        &mut v.acties_gestart,
        &mut v.acties_gepauzeerd,
        &mut v.acties_vervallen,
        &mut v.acties_toegevoegd,
    ] {
        list.retain(|a| actie_in(&a.actie_id));
    }
    v.trekkerwijzigingen.retain(|t| actie_in(&t.actie_id));
    v.voortgangsberichten.retain(|b| actie_in(&b.actie_id));
    v.reflecties.retain(|r| {
        m.reflecties.get(&r.reflectie_id).is_some_and(|x| {
            let over = &x.state.over;
            match over.soort {
                OnderwerpSoort::Doel => doelen.contains(&over.id),
                OnderwerpSoort::Actie => actie_in(&over.id),
                OnderwerpSoort::Opgave => false,
            }
        })
    });
    v.metingen.retain(|x| {
        m.indicatoren
            .get(&x.indicator_id)
            .is_some_and(|i| doelen.contains(&i.state.doel_id))
    });
}
