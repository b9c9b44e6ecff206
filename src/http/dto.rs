//! Response bodies: the API's view of the read model (Dutch camelCase).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::actie::{Actie, Trekker};
use crate::domain::agenda::Agenda;
use crate::domain::opgave::Opgave;
use crate::projections::{Entity, ReadModel};

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaDto {
    pub id: Uuid,
    #[schema(example = "Maatschappelijke Agenda Twenterand 2024")]
    pub naam: String,
    pub omschrijving: String,
    pub gemeenten: Vec<String>,
    pub periode_start_datum: NaiveDate,
    pub periode_eind_datum: NaiveDate,
    /// concept, vastgesteld of gearchiveerd.
    #[schema(value_type = crate::domain::agenda::AgendaStatus, example = "vastgesteld")]
    pub status: String,
    pub gepubliceerd: bool,
    /// Na hoeveel dagen zonder update een actie als 'stil' geldt.
    pub signaleringstermijn_dagen: u32,
    /// Namen van de groeperingsniveaus boven opgave, buitenste eerst.
    pub groeperingsniveaus: Vec<NiveauDto>,
    /// Per gemeente de periode waarin zij haar acties uitvoert (leeg: alleen de periode van de agenda).
    pub uitvoeringsperioden: Vec<UitvoeringsperiodeDto>,
    pub aantal_opgaven: usize,
    pub aantal_acties: usize,
    pub versie: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NiveauDto {
    #[schema(example = "themalijn")]
    pub enkelvoud: String,
    #[schema(example = "themalijnen")]
    pub meervoud: String,
}

/// The period in which one gemeente of a shared agenda carries out its acties.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UitvoeringsperiodeDto {
    #[schema(example = "Borne")]
    pub gemeente: String,
    pub start_datum: NaiveDate,
    pub eind_datum: NaiveDate,
}

impl AgendaDto {
    pub fn from(e: &Entity<Agenda>, model: &ReadModel) -> Self {
        let a = &e.state;
        Self {
            id: e.id,
            naam: a.naam.clone(),
            omschrijving: a.omschrijving.clone(),
            gemeenten: a.gemeenten.clone(),
            periode_start_datum: a.periode_start,
            periode_eind_datum: a.periode_eind,
            status: serde_json::to_value(a.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            gepubliceerd: a.gepubliceerd,
            signaleringstermijn_dagen: a.signaleringstermijn_dagen,
            groeperingsniveaus: a
                .groeperingsniveaus
                .iter()
                .map(|n| NiveauDto {
                    enkelvoud: n.enkelvoud.clone(),
                    meervoud: n.meervoud.clone(),
                })
                .collect(),
            uitvoeringsperioden: a
                .uitvoeringsperioden
                .iter()
                .map(|p| UitvoeringsperiodeDto {
                    gemeente: p.gemeente.clone(),
                    start_datum: p.start_datum,
                    eind_datum: p.eind_datum,
                })
                .collect(),
            aantal_opgaven: model
                .opgaven
                .values()
                .filter(|o| o.state.agenda_id == e.id)
                .count(),
            aantal_acties: model
                .acties
                .values()
                .filter(|o| o.state.agenda_id == e.id)
                .count(),
            versie: e.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpgaveDto {
    pub id: Uuid,
    pub agenda_id: Uuid,
    /// De eigen code zoals ingevoerd; leeg bij een opgave zonder code.
    #[schema(example = "1.1")]
    pub code: Option<String>,
    /// De code zoals getoond (afgeleid, alleen-lezen): een code van één deel
    /// onder de weergavecode van de groepering (`2` onder `1` wordt `1.2`),
    /// een langere code zoals geschreven; leeg zonder eigen code.
    #[schema(example = "1.1")]
    pub weergavecode: Option<String>,
    #[schema(example = "Borgen van bestaanszekerheid")]
    pub titel: String,
    pub omschrijving: String,
    pub geprioriteerd: bool,
    pub groepering_id: Option<Uuid>,
    /// Naam van de groepering (bijv. de themalijn).
    pub groepering_naam: Option<String>,
    /// actief of vervallen.
    #[schema(value_type = crate::http::enums::OnderdeelStatus, example = "actief")]
    pub status: String,
    /// De reden bij een vervallen opgave.
    pub vervalreden: Option<String>,
    pub aantal_doelen: usize,
    pub aantal_acties: usize,
    /// De groeperingen (bijv. maatschappelijke effecten) waaraan de opgave daarnaast bijdraagt.
    pub bijdragen: Vec<crate::http::structuur::bijdrage::BijdrageDto>,
    pub versie: u64,
}

impl OpgaveDto {
    pub fn from(e: &Entity<Opgave>, model: &ReadModel) -> Self {
        let o = &e.state;
        Self {
            id: e.id,
            agenda_id: o.agenda_id,
            code: o.code.as_ref().map(ToString::to_string),
            weergavecode: model.opgave_weergavecode(e.id).map(String::from),
            titel: o.titel.clone(),
            omschrijving: o.omschrijving.clone(),
            geprioriteerd: o.geprioriteerd,
            groepering_id: o.groepering_id,
            groepering_naam: o
                .groepering_id
                .and_then(|g| model.groeperingen.get(&g))
                .map(|g| g.state.naam.clone()),
            status: if o.vervallen.is_some() {
                "vervallen".into()
            } else {
                "actief".into()
            },
            vervalreden: o.vervallen.clone(),
            aantal_doelen: model.doel_ids_of_opgave(e.id).len(),
            // An actie belongs to its doel's opgave now (doelen can move).
            aantal_acties: model.acties_of_opgave(e.id).len(),
            bijdragen: crate::http::structuur::bijdrage::bijdragen_dto(model, &o.bijdragen),
            versie: e.version,
        }
    }
}

/// The trekker of an actie: an organisatie or a named group.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrekkerDto {
    /// organisatie of groep.
    #[schema(value_type = crate::http::enums::TrekkerSoort, example = "organisatie")]
    pub soort: String,
    pub organisatie_id: Option<Uuid>,
    /// Naam van de organisatie of de groep.
    #[schema(example = "Gemeente Twenterand")]
    pub naam: String,
}

impl TrekkerDto {
    pub fn from(t: &Trekker, model: &ReadModel) -> Self {
        match t {
            Trekker::Organisatie { organisatie_id } => Self {
                soort: "organisatie".into(),
                organisatie_id: Some(*organisatie_id),
                naam: model
                    .organisaties
                    .get(organisatie_id)
                    .map(|o| o.state.naam.clone())
                    .unwrap_or_default(),
            },
            Trekker::Groep { naam } => Self {
                soort: "groep".into(),
                organisatie_id: None,
                naam: naam.clone(),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisatieRef {
    pub id: Uuid,
    pub naam: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActieDto {
    pub id: Uuid,
    /// Het eigen kenmerk van de actie, uniek in de agenda en vast voor haar
    /// hele leven (de code erboven bij het aanmaken en een volgnummer).
    #[schema(example = "1.1.3-2")]
    pub kenmerk: String,
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    /// De weergavecode van de opgave; leeg als die geen code heeft.
    #[schema(example = "1.1")]
    pub opgave_code: Option<String>,
    pub doel_id: Option<Uuid>,
    /// De weergavecode van het doel; leeg zonder doel of zonder code.
    #[schema(example = "1.1.1")]
    pub doel_code: Option<String>,
    pub omschrijving: String,
    pub jaar: i32,
    pub geplande_start_datum: Option<NaiveDate>,
    pub geplande_eind_datum: Option<NaiveDate>,
    /// Leeg: de trekkersrol is nog in te vullen.
    pub trekker: Option<TrekkerDto>,
    pub trekkersrol_nog_in_te_vullen: bool,
    pub partners: Vec<OrganisatieRef>,
    /// De gemeenten van de agenda waarvoor de actie is; leeg: de hele agenda.
    #[schema(example = json!(["Borne"]))]
    pub gemeenten: Vec<String>,
    /// gepland, lopend, gepauzeerd, afgerond of vervallen.
    #[schema(value_type = crate::domain::actie::ActieStatus, example = "lopend")]
    pub status: String,
    /// Sinds wanneer de huidige status geldt (ingangsdatum).
    pub status_sinds_datum: Option<NaiveDate>,
    /// Reden bij vervallen of heropenen.
    pub reden: Option<String>,
    pub aantal_voortgangsberichten: usize,
    /// Laatste geregistreerde wijziging (UTC).
    #[schema(value_type = String, format = DateTime, example = "2024-03-01T09:30:00Z")]
    pub laatst_gewijzigd_tijdstip: DateTime<Utc>,
    pub versie: u64,
}

impl ActieDto {
    pub fn from(e: &Entity<Actie>, model: &ReadModel) -> Self {
        let a = &e.state;
        let opgave_id = model.opgave_of(a);
        Self {
            id: e.id,
            kenmerk: a.kenmerk.to_string(),
            agenda_id: a.agenda_id,
            opgave_id,
            opgave_code: model.opgave_weergavecode(opgave_id).map(String::from),
            doel_id: a.doel_id,
            doel_code: a
                .doel_id
                .and_then(|d| model.doel_weergavecode(d))
                .map(String::from),
            omschrijving: a.omschrijving.clone(),
            jaar: a.jaar,
            geplande_start_datum: a.geplande_start,
            geplande_eind_datum: a.geplande_eind,
            trekker: a.trekker.as_ref().map(|t| TrekkerDto::from(t, model)),
            trekkersrol_nog_in_te_vullen: a.trekker.is_none(),
            partners: a
                .partners
                .iter()
                .map(|p| OrganisatieRef {
                    id: *p,
                    naam: model
                        .organisaties
                        .get(p)
                        .map(|o| o.state.naam.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            gemeenten: a.gemeenten.clone(),
            status: a.status.as_str().to_owned(),
            status_sinds_datum: a.status_sinds,
            reden: a.reden.clone(),
            aantal_voortgangsberichten: a.voortgangsberichten.len(),
            laatst_gewijzigd_tijdstip: a.laatst_gewijzigd,
            versie: e.version,
        }
    }
}

/// Paging parameters (`?page=&pageSize=`).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Paginanummer, vanaf 1.
    #[param(minimum = 1, example = 1)]
    pub page: Option<u32>,
    /// Aantal per pagina (standaard 20, maximaal 500).
    #[param(minimum = 1, maximum = 500, example = 20)]
    pub page_size: Option<u32>,
}

/// A page of a collection, with totals.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagina<T> {
    pub resultaten: Vec<T>,
    pub pagina: u32,
    pub pagina_grootte: u32,
    pub totaal: usize,
    pub aantal_paginas: usize,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisatieDto {
    pub id: Uuid,
    #[schema(example = "Gemeente Twenterand")]
    pub naam: String,
    #[schema(value_type = crate::domain::organisatie::OrganisatieSoort, example = "gemeente")]
    pub soort: String,
    pub contactadres: Option<String>,
    pub versie: u64,
}

impl OrganisatieDto {
    pub fn from(e: &Entity<crate::domain::organisatie::Organisatie>) -> Self {
        Self {
            id: e.id,
            naam: e.state.naam.clone(),
            soort: enum_str(&e.state.soort),
            contactadres: e.state.contactadres.clone(),
            versie: e.version,
        }
    }
}

/// The serde name of a unit enum variant (`"welzijn"`).
pub fn enum_str<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
