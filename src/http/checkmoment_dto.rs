//! The JSON shapes of checkmomenten and bijsturingen (PDCA "Check" and
//! "Act"), shared by `checkmomenten.rs` and `bijsturingen.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{enum_str, OrganisatieRef};
use crate::domain::checkmoment::{self, Checkmoment};
use crate::projections::{Entity, ReadModel};

/// A change that carried out a bijsturing (an event with its id in `metadata.bijsturingId`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UitvoeringDto {
    /// Positie van de gebeurtenis in het log.
    pub positie: u64,
    #[schema(schema_with = crate::http::enums::event_type)]
    #[serde(rename = "type")]
    pub gebeurtenis_type: String,
    #[schema(value_type = crate::http::enums::StreamType, example = "actie")]
    pub stream_type: String,
    pub stream_id: Uuid,
    #[schema(value_type = String, format = DateTime, example = "2024-06-01T09:30:00Z")]
    pub registratie_tijdstip: DateTime<Utc>,
}

/// One change a bijsturing intends.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VoorgenomenWijzigingDto {
    /// actieToevoegen, actieLatenVervallen, actieWijzigen, trekkerWijzigen, streefwaardeBijstellen, doelWijzigen of overig.
    #[schema(value_type = crate::domain::checkmoment::WijzigingSoort, example = "trekkerWijzigen")]
    pub soort: String,
    #[schema(example = "Bibliotheek Twenterand wordt trekker van de taalcafés.")]
    pub omschrijving: String,
    /// De actie, het doel, de opgave of de indicator waar het om gaat (als die al bestaat).
    pub onderwerp_id: Option<Uuid>,
}

/// A bijsturing (PDCA "Act"): a decision with its rationale, taken at a checkmoment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BijsturingDto {
    pub id: Uuid,
    pub checkmoment_id: Uuid,
    #[schema(example = "Taalcafés krijgen een andere trekker")]
    pub besluit: String,
    #[schema(example = "De gemeente heeft geen capaciteit; de bibliotheek wel.")]
    pub onderbouwing: String,
    /// Datum van het besluit.
    pub datum: NaiveDate,
    pub voorgenomen_wijzigingen: Vec<VoorgenomenWijzigingDto>,
    /// Zijn de wijzigingen doorgevoerd?
    pub doorgevoerd: bool,
    pub doorgevoerd_datum: Option<NaiveDate>,
    /// De wijzigingen die met header X-Bijsturing-Id op deze bijsturing zijn vastgelegd.
    pub uitvoeringen: Vec<UitvoeringDto>,
}

/// A checkmoment (PDCA "Check") on an opgave or on the whole agenda.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckmomentDto {
    pub id: Uuid,
    pub agenda_id: Uuid,
    /// Leeg: een checkmoment over de hele agenda.
    pub opgave_id: Option<Uuid>,
    #[schema(example = "1.1")]
    pub opgave_code: Option<String>,
    /// opgave of agenda.
    #[schema(value_type = crate::http::enums::CheckmomentNiveau, example = "opgave")]
    pub niveau: String,
    pub datum: NaiveDate,
    #[schema(example = "Halfjaarlijkse check bestaanszekerheid")]
    pub onderwerp: String,
    /// Deelnemende organisaties (nooit personen).
    pub deelnemers: Vec<OrganisatieRef>,
    /// open of gesloten.
    #[schema(value_type = crate::domain::checkmoment::CheckmomentStatus, example = "open")]
    pub status: String,
    pub gesloten_datum: Option<NaiveDate>,
    pub samenvatting: Option<String>,
    pub bijsturingen: Vec<BijsturingDto>,
    pub versie: u64,
}

fn organisatie_ref(m: &ReadModel, id: Uuid) -> OrganisatieRef {
    OrganisatieRef {
        id,
        naam: m
            .organisaties
            .get(&id)
            .map(|o| o.state.naam.clone())
            .unwrap_or_default(),
    }
}

pub fn bijsturing_dto(
    m: &ReadModel,
    checkmoment_id: Uuid,
    b: &checkmoment::Bijsturing,
) -> BijsturingDto {
    BijsturingDto {
        id: b.id,
        checkmoment_id,
        besluit: b.besluit.clone(),
        onderbouwing: b.onderbouwing.clone(),
        datum: b.datum,
        voorgenomen_wijzigingen: b
            .voorgenomen_wijzigingen
            .iter()
            .map(|w| VoorgenomenWijzigingDto {
                soort: enum_str(&w.soort),
                omschrijving: w.omschrijving.clone(),
                onderwerp_id: w.onderwerp_id,
            })
            .collect(),
        doorgevoerd: b.doorgevoerd_op.is_some(),
        doorgevoerd_datum: b.doorgevoerd_op,
        uitvoeringen: m
            .uitvoeringen
            .get(&b.id)
            .into_iter()
            .flatten()
            .map(|u| UitvoeringDto {
                positie: u.position,
                gebeurtenis_type: u.event_type.clone(),
                stream_type: u.stream_type.clone(),
                stream_id: u.stream_id,
                registratie_tijdstip: u.recorded_at,
            })
            .collect(),
    }
}

pub fn checkmoment_dto(e: &Entity<Checkmoment>, m: &ReadModel) -> CheckmomentDto {
    let c = &e.state;
    CheckmomentDto {
        id: e.id,
        agenda_id: c.agenda_id,
        opgave_id: c.opgave_id,
        opgave_code: c
            .opgave_id
            .and_then(|o| m.opgave_weergavecode(o))
            .map(String::from),
        niveau: if c.opgave_id.is_some() {
            "opgave"
        } else {
            "agenda"
        }
        .into(),
        datum: c.datum,
        onderwerp: c.onderwerp.clone(),
        deelnemers: c
            .deelnemers
            .iter()
            .map(|d| organisatie_ref(m, *d))
            .collect(),
        status: if c.is_open() { "open" } else { "gesloten" }.into(),
        gesloten_datum: c.gesloten_op,
        samenvatting: c.samenvatting.clone(),
        bijsturingen: c
            .bijsturingen
            .iter()
            .map(|b| bijsturing_dto(m, e.id, b))
            .collect(),
        versie: e.version,
    }
}
