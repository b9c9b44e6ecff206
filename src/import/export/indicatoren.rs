//! The indicatoren of an export: in the JSON tree with their doel, and as
//! the CSV's indicator rows (`?indicatoren=true`; the columns are
//! [`COLUMNS`], read back by [`crate::import::csv::indicatoren`]). Both carry
//! the current streefwaarden and the current (not superseded) metingen.

use uuid::Uuid;

use super::{bijdragen_cel, code_key, Genoemd, Tree, CSV_COLUMNS};
use crate::domain::doel::Doel;
use crate::domain::indicator::{Indicator, Meting, Waarde};
use crate::domain::opgave::Opgave;
use crate::import::csv::indicatoren::COLUMNS;
use crate::import::{IndicatorIn, MetingIn};
use crate::projections::{Entity, ReadModel};

/// Whether a meting is exported for `gemeente` (`None`: every meting): it
/// is for that gemeente or for the whole area.
fn voor(gemeente: Option<&str>, m: &Meting) -> bool {
    match (gemeente, &m.gemeente) {
        (Some(g), Some(mg)) => crate::domain::naam::same(g, mg),
        _ => true,
    }
}

impl Tree<'_> {
    /// The indicatoren of a doel (by name, then creation) with their
    /// current streefwaarden and metingen (in the order they were recorded).
    pub(super) fn indicatoren(&mut self, doel: Uuid) -> Vec<IndicatorIn> {
        let model = self.model;
        let gemeente = self.gemeente;
        let mut list: Vec<_> = model
            .indicatoren
            .values()
            .filter(|i| i.state.doel_id == doel)
            .collect();
        list.sort_by(|a, b| {
            (a.state.naam.to_lowercase(), a.id).cmp(&(b.state.naam.to_lowercase(), b.id))
        });
        list.into_iter()
            .map(|e| {
                let i = &e.state;
                let mut org = |id: Option<Uuid>| {
                    id.map(|o| {
                        self.orgs.insert(o);
                        self.org_name(&o)
                    })
                };
                IndicatorIn {
                    naam: i.naam.clone(),
                    eenheid: i.eenheid.clone(),
                    richting: Some(i.richting),
                    bron: i.bron.clone(),
                    eigenaar: org(i.eigenaar_organisatie_id),
                    nulmeting: i.nulmeting.clone().map(Into::into),
                    streefwaarden: i.streefwaarden.iter().cloned().map(Into::into).collect(),
                    metingen: i
                        .metingen
                        .iter()
                        .filter(|m| !m.vervangen && voor(gemeente, m))
                        .map(|m| MetingIn {
                            periode: m.periode.clone(),
                            meet_datum: m.meet_datum,
                            waarde: m.waarde,
                            status: Some(m.status),
                            gemeente: m.gemeente.clone(),
                            bron: m.bron.clone(),
                            toelichting: m.toelichting.clone(),
                            door_organisatie: org(m.door_organisatie_id),
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

type Placed<'a, T> = &'a std::sync::Arc<Entity<T>>;

/// The indicatoren of an agenda in the order of the tree, each with the
/// actie columns of its rows (its doel's place; the rest empty) and its
/// indicator rows.
pub(super) fn csv_rows(
    model: &ReadModel,
    agenda_id: Uuid,
    gemeente: Option<&str>,
    org: &dyn Fn(&Uuid) -> String,
    genoemd: &mut Genoemd,
) -> Vec<(Vec<String>, Vec<[String; COLUMNS.len()]>)> {
    let mut list: Vec<_> = model
        .indicatoren
        .values()
        .filter(|i| i.state.agenda_id == agenda_id)
        .filter_map(|i| {
            let doel = model.doelen.get(&i.state.doel_id)?;
            let opgave = model.opgaven.get(&doel.state.opgave_id)?;
            Some((i, doel, opgave))
        })
        .collect();
    let key = |(i, d, o): &(Placed<Indicator>, Placed<Doel>, Placed<Opgave>)| {
        let g = o
            .state
            .groepering_id
            .and_then(|g| model.groeperingen.get(&g));
        // The order of the acties' rows: by weergavecode, then creation.
        (
            code_key(g.and_then(|g| model.groepering_weergavecode(g.id)).as_ref()),
            g.map(|g| g.id),
            code_key(model.opgave_weergavecode(o.id).as_ref()),
            o.id,
            code_key(model.doel_weergavecode(d.id).as_ref()),
            d.id,
            i.state.naam.to_lowercase(),
            i.id,
        )
    };
    list.sort_by_cached_key(key);
    list.into_iter()
        .map(|(i, d, o)| {
            let g = o
                .state
                .groepering_id
                .and_then(|g| model.groeperingen.get(&g));
            let parent = d
                .state
                .bovenliggend_doel_id
                .and_then(|p| model.doelen.get(&p));
            genoemd.rij(
                g.map(|g| g.id),
                [
                    Some(&o.state.bijdragen[..]),
                    Some(&d.state.bijdragen[..]),
                    parent.map(|p| &p.state.bijdragen[..]),
                ],
            );
            let code =
                |c: Option<&crate::domain::Code>| c.map(|c| c.to_string()).unwrap_or_default();
            let mut place = vec![String::new(); CSV_COLUMNS.len()];
            let at = |name: &str| {
                CSV_COLUMNS
                    .iter()
                    .position(|c| *c == name)
                    .expect("a column of the CSV")
            };
            place[at("groeperingCode")] = code(g.and_then(|g| g.state.code.as_ref()));
            place[at("groeperingNaam")] = g.map(|g| g.state.naam.clone()).unwrap_or_default();
            place[at("opgaveCode")] = code(o.state.code.as_ref());
            place[at("opgaveTitel")] = o.state.titel.clone();
            place[at("doelCode")] = code(d.state.code.as_ref());
            place[at("doelTitel")] = d.state.titel.clone();
            place[at("bovenliggendDoelCode")] = code(parent.and_then(|p| p.state.code.as_ref()));
            place[at("bovenliggendDoelTitel")] =
                parent.map(|p| p.state.titel.clone()).unwrap_or_default();
            place[at("opgaveVervalreden")] = o.state.vervallen.clone().unwrap_or_default();
            place[at("doelVervalreden")] = d.state.vervallen.clone().unwrap_or_default();
            place[at("bovenliggendDoelVervalreden")] = parent
                .and_then(|p| p.state.vervallen.clone())
                .unwrap_or_default();
            place[at("opgaveBijdragenAan")] = bijdragen_cel(model, Some(&o.state.bijdragen));
            place[at("doelBijdragenAan")] = bijdragen_cel(model, Some(&d.state.bijdragen));
            place[at("bovenliggendDoelBijdragenAan")] =
                bijdragen_cel(model, parent.map(|p| &p.state.bijdragen[..]));
            (place, export_rows(&i.state, gemeente, org))
        })
        .collect()
}

/// An enum value as its JSON spelling (`hogerIsBeter`, `definitief`).
fn as_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The indicator rows of the export: one per nulmeting, streefwaarde and
/// current meting (one without values when it has none), each with the
/// indicator's own columns.
pub fn export_rows(
    i: &Indicator,
    gemeente: Option<&str>,
    org: &dyn Fn(&uuid::Uuid) -> String,
) -> Vec<[String; COLUMNS.len()]> {
    let getal = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let eigen = [
        i.naam.clone(),
        i.eenheid.clone(),
        as_text(&i.richting),
        i.bron.clone().unwrap_or_default(),
        i.eigenaar_organisatie_id
            .as_ref()
            .map(org)
            .unwrap_or_default(),
    ];
    let waarde_rij = |soort: &str, w: &Waarde| {
        let mut r: [String; COLUMNS.len()] = Default::default();
        r[..5].clone_from_slice(&eigen);
        r[5] = soort.to_owned();
        r[6] = w.jaar.map(|j| j.to_string()).unwrap_or_default();
        r[8] = w.waarde.to_string();
        r[9] = getal(w.ondergrens);
        r[10] = getal(w.bovengrens);
        r
    };
    let mut rows: Vec<[String; COLUMNS.len()]> = Vec::new();
    rows.extend(i.nulmeting.iter().map(|w| waarde_rij("nulmeting", w)));
    rows.extend(
        i.streefwaarden
            .iter()
            .map(|w| waarde_rij("streefwaarde", w)),
    );
    for m in i
        .metingen
        .iter()
        .filter(|m| !m.vervangen && voor(gemeente, m))
    {
        let mut r: [String; COLUMNS.len()] = Default::default();
        r[..5].clone_from_slice(&eigen);
        r[5] = "meting".into();
        r[7] = m.periode.clone();
        r[8] = m.waarde.to_string();
        r[11] = as_text(&m.status);
        r[12] = m.gemeente.clone().unwrap_or_default();
        r[13] = m.meet_datum.map(|d| d.to_string()).unwrap_or_default();
        r[14] = m.bron.clone().unwrap_or_default();
        r[15] = m.toelichting.clone().unwrap_or_default();
        r[16] = m.door_organisatie_id.as_ref().map(org).unwrap_or_default();
        rows.push(r);
    }
    if rows.is_empty() {
        let mut r: [String; COLUMNS.len()] = Default::default();
        r[..5].clone_from_slice(&eigen);
        rows.push(r);
    }
    rows
}
