//! What the reads show of contributions: the `bijdragen` of an opgave or
//! doel, what contributes to a groepering (primair or bijdrage), and the
//! contributions in the overzicht's sections.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::projections::ReadModel;

/// A groepering an opgave or doel contributes to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BijdrageDto {
    pub groepering_id: Uuid,
    #[schema(example = "Gezonde inwoners")]
    pub naam: String,
    /// De code zoals getoond (afgeleid uit de codes van de niveaus); leeg als de groepering geen code heeft.
    #[schema(example = "2")]
    pub weergavecode: Option<String>,
}

/// The contributions `ids` as the DTOs of opgaven and doelen show them.
pub fn bijdragen_dto(m: &ReadModel, ids: &[Uuid]) -> Vec<BijdrageDto> {
    ids.iter()
        .filter_map(|g| {
            let e = m.groeperingen.get(g)?;
            Some(BijdrageDto {
                groepering_id: *g,
                naam: e.state.naam.clone(),
                weergavecode: m.groepering_weergavecode(*g).map(String::from),
            })
        })
        .collect()
}

/// Whether something is in a groepering itself or contributes to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BijdrageSoort {
    /// Staat er zelf in (de eigen plaats in de boom).
    Primair,
    /// Draagt er daarnaast aan bij.
    Bijdrage,
}

/// What contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Onderdeel {
    Opgave,
    Doel,
}

/// An opgave or doel that contributes to a groepering.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OnderdeelDto {
    pub onderdeel: Onderdeel,
    pub soort: BijdrageSoort,
    pub id: Uuid,
    /// De opgave zelf, of de opgave van het doel.
    pub opgave_id: Uuid,
    /// Leeg als het onderdeel (of een niveau erboven) geen code heeft.
    #[schema(example = "1.1")]
    pub weergavecode: Option<String>,
    pub titel: String,
}

/// How `opgave` relates to groepering `g`: in it, contributing, or neither.
pub fn soort_opgave(o: &crate::domain::opgave::Opgave, g: Uuid) -> Option<BijdrageSoort> {
    if o.groepering_id == Some(g) {
        Some(BijdrageSoort::Primair)
    } else if o.bijdragen.contains(&g) {
        Some(BijdrageSoort::Bijdrage)
    } else {
        None
    }
}

/// The doelen that contribute to groepering `g` (not through their opgave),
/// by opgave and creation.
pub fn bijdragende_doelen(m: &ReadModel, g: Uuid) -> Vec<Uuid> {
    let mut v: Vec<_> = m
        .doelen
        .values()
        .filter(|d| d.state.bijdragen.contains(&g))
        .filter(|d| {
            // A doel whose opgave is in `g` itself is there already.
            m.opgaven
                .get(&d.state.opgave_id)
                .is_none_or(|o| o.state.groepering_id != Some(g))
        })
        .map(|d| (d.state.opgave_id, d.id))
        .collect();
    v.sort();
    v.into_iter().map(|(_, d)| d).collect()
}

/// The opgaven of groepering `g`'s agenda in it or contributing to it,
/// primary first, each by code.
pub fn opgaven_van(m: &ReadModel, g: Uuid) -> Vec<(Uuid, BijdrageSoort)> {
    let Some(agenda) = m.groeperingen.get(&g).map(|x| x.state.agenda_id) else {
        return Vec::new();
    };
    let mut v: Vec<_> = m
        .opgaven
        .values()
        .filter(|o| o.state.agenda_id == agenda)
        .filter_map(|o| {
            let code = m.opgave_weergavecode(o.id).map(|c| c.sort_key());
            soort_opgave(&o.state, g).map(|s| (s, code.is_none(), code, o.id))
        })
        .collect();
    v.sort();
    v.into_iter().map(|(s, _, _, id)| (id, s)).collect()
}

/// Everything that contributes to groepering `g`: its opgaven (primary,
/// then contributing), then the doelen that contribute.
pub fn onderdelen(m: &ReadModel, g: Uuid) -> Vec<OnderdeelDto> {
    let opgaven = opgaven_van(m, g).into_iter().filter_map(|(id, soort)| {
        let o = &m.opgaven.get(&id)?.state;
        Some(OnderdeelDto {
            onderdeel: Onderdeel::Opgave,
            soort,
            id,
            opgave_id: id,
            weergavecode: m.opgave_weergavecode(id).map(String::from),
            titel: o.titel.clone(),
        })
    });
    let doelen = bijdragende_doelen(m, g).into_iter().filter_map(|id| {
        let d = &m.doelen.get(&id)?.state;
        Some(OnderdeelDto {
            onderdeel: Onderdeel::Doel,
            soort: BijdrageSoort::Bijdrage,
            id,
            opgave_id: d.opgave_id,
            weergavecode: m.doel_weergavecode(id).map(String::from),
            titel: d.titel.clone(),
        })
    });
    opgaven.chain(doelen).collect()
}

/// In the overzicht, under a groepering: an opgave or doel whose primary
/// place is elsewhere and that contributes to this groepering, with the
/// PDCA phase of its opgave (its own section holds the full state).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverzichtBijdrage {
    pub onderdeel: Onderdeel,
    pub id: Uuid,
    /// De opgave zelf, of de opgave van het doel.
    pub opgave_id: Uuid,
    /// Leeg als het onderdeel (of een niveau erboven) geen code heeft.
    #[schema(example = "1.1")]
    pub weergavecode: Option<String>,
    pub titel: String,
    /// De PDCA-fase van de opgave (zie haar eigen plaats in het overzicht).
    #[schema(value_type = Option<crate::domain::reflectie::PdcaFase>, example = "do")]
    pub fase: Option<String>,
}

/// The contributions to groepering `g` for its section of the overzicht;
/// `fase` gives an opgave's phase as the overzicht judged it.
pub fn overzicht_bijdragen(
    m: &ReadModel,
    g: Uuid,
    fase: impl Fn(Uuid) -> Option<String>,
) -> Vec<OverzichtBijdrage> {
    onderdelen(m, g)
        .into_iter()
        .filter(|o| o.soort == BijdrageSoort::Bijdrage)
        .map(|o| OverzichtBijdrage {
            onderdeel: o.onderdeel,
            id: o.id,
            opgave_id: o.opgave_id,
            weergavecode: o.weergavecode,
            titel: o.titel,
            fase: fase(o.opgave_id),
        })
        .collect()
}
