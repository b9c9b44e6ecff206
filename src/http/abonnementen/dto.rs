//! What `/abonnementen` takes and shows. The secret is shown only in
//! [`NieuwAbonnementDto`] (and after a rotation), never in
//! [`AbonnementDto`] or an event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::abonnement::{Abonnement, AbonnementStatus, PauzeCode};
use crate::http::invoer::Patch;
use crate::projections::Entity;

/// A list of event types (`docs/events.md`), each from the enum.
fn event_types() -> utoipa::openapi::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(crate::http::enums::event_type())
        .unique_items(true)
        .build()
}

/// Body of `POST /abonnementen`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AbonnementNieuw {
    /// Waarheen de server de gebeurtenissen POST: een https-URL (http alleen naar loopback als de server dat toestaat).
    #[schema(
        format = "uri",
        min_length = 1,
        max_length = 2000,
        example = "https://partner.example.nl/mag-webhook"
    )]
    pub callback_url: String,
    /// Alleen gebeurtenissen van deze agenda (zoals `agenda` bij /gebeurtenissen). Verplicht voor een programmamanager: een van zijn agenda's.
    #[schema(nullable = false)]
    pub agenda: Option<Uuid>,
    /// Alleen wat voor deze gemeente geldt (zoals `gemeente` bij /gebeurtenissen).
    #[schema(nullable = false, min_length = 1, pattern = r"\S", example = "Borne")]
    pub gemeente: Option<String>,
    /// Alleen dit soort stream (zoals `streamType` bij /gebeurtenissen).
    #[schema(nullable = false, value_type = Option<crate::http::enums::StreamType>)]
    pub stream_type: Option<String>,
    /// Alleen deze gebeurtenistypes (zoals `type` bij /gebeurtenissen, hier als lijst).
    #[serde(rename = "type")]
    #[schema(schema_with = event_types)]
    pub event_type: Option<Vec<String>>,
    /// Lever de gebeurtenissen ná deze positie (standaard: de huidige laatste positie, dus alleen nieuwe).
    #[schema(nullable = false, minimum = 0)]
    pub vanaf_positie: Option<u64>,
    /// Waarvoor het abonnement is; geen persoonsgegevens.
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "koppeling rapportage bibliotheek"
    )]
    pub omschrijving: Option<String>,
    /// Hoogstens zoveel gebeurtenissen per verzoek. 1 (standaard): één CloudEvent per verzoek (`application/cloudevents+json`). Meer: CloudEvents batch mode (`application/cloudevents-batch+json`, een JSON-array in logvolgorde), zie docs/notificaties.md.
    #[schema(nullable = false, minimum = 1, maximum = 1000, example = 100)]
    pub batch_grootte: Option<u16>,
}

/// Body of `PATCH /abonnementen/{id}` (JSON Merge Patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AbonnementWijziging {
    /// `gepauzeerd` pauzeert, `actief` hervat vanaf waar het stond.
    #[schema(nullable = false)]
    pub status: Option<AbonnementStatus>,
    /// Terugspoelen (of vooruit): lever opnieuw alles ná deze positie.
    #[schema(nullable = false, minimum = 0)]
    pub vanaf_positie: Option<u64>,
    /// `null` haalt de omschrijving weg.
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = r"\S")]
    pub omschrijving: Patch<String>,
    /// `true`: maak een nieuw geheim (het antwoord toont het eenmalig); het vorige tekent nog 24 uur mee.
    #[schema(nullable = false)]
    pub geheim_vernieuwen: Option<bool>,
    /// Hoogstens zoveel gebeurtenissen per verzoek (1: geen batches).
    #[schema(nullable = false, minimum = 1, maximum = 1000)]
    pub batch_grootte: Option<u16>,
}

/// A subscription as the API shows it (never its secret).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AbonnementDto {
    pub id: Uuid,
    #[schema(example = "https://partner.example.nl/mag-webhook")]
    pub callback_url: String,
    pub agenda: Option<Uuid>,
    pub gemeente: Option<String>,
    #[schema(value_type = Option<crate::http::enums::StreamType>)]
    pub stream_type: Option<String>,
    /// De gebeurtenistypes (leeg: alle).
    #[serde(rename = "type")]
    #[schema(schema_with = event_types)]
    pub event_type: Vec<String>,
    /// Waar het abonnement begon of laatst werd teruggespoeld.
    pub vanaf_positie: u64,
    /// Tot en met deze positie is afgeleverd (of door het filter overgeslagen).
    pub afgeleverd_tot_positie: u64,
    pub omschrijving: Option<String>,
    /// Hoogstens zoveel gebeurtenissen per verzoek (1: één CloudEvent per verzoek; meer: CloudEvents batch mode).
    pub batch_grootte: u16,
    pub status: AbonnementStatus,
    /// Waarom het gepauzeerd is (leeg: actief).
    pub pauze_code: Option<PauzeCode>,
    pub pauze_reden: Option<String>,
    /// Het token waarvan de rechten bepalen wat wordt afgeleverd.
    pub token_id: Uuid,
    pub organisatie_id: Uuid,
    /// Tot dit tijdstip tekent ook het vorige geheim mee (na vernieuwen).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub vorig_geheim_geldig_tot_tijdstip: Option<DateTime<Utc>>,
    #[schema(value_type = String, format = DateTime)]
    pub aangemaakt_tijdstip: DateTime<Utc>,
    pub versie: u64,
}

impl AbonnementDto {
    pub fn from(e: &Entity<Abonnement>, afgeleverd: Option<u64>) -> Self {
        let a = &e.state;
        Self {
            id: e.id,
            callback_url: a.callback_url.clone(),
            agenda: a.filter.agenda,
            gemeente: a.filter.gemeente.clone(),
            stream_type: a.filter.stream_type.clone(),
            event_type: a.filter.types.clone(),
            vanaf_positie: a.vanaf_positie,
            afgeleverd_tot_positie: afgeleverd.unwrap_or(a.vanaf_positie),
            omschrijving: a.omschrijving.clone(),
            batch_grootte: a.batch_grootte,
            status: a.status,
            pauze_code: a.pauze.as_ref().map(|p| p.code),
            pauze_reden: a.pauze.as_ref().map(|p| p.reden.clone()),
            token_id: a.token_id,
            organisatie_id: a.organisatie_id,
            vorig_geheim_geldig_tot_tijdstip: a
                .vorig_geheim_geldig_tot
                .filter(|_| a.vorig_geheim_geldig(Utc::now())),
            aangemaakt_tijdstip: e.aangemaakt,
            versie: e.version,
        }
    }
}

/// The answer to `POST /abonnementen`: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NieuwAbonnementDto {
    /// Het geheim waarmee elke aflevering is ondertekend (Standard Webhooks): bewaar het nu, het wordt nooit meer getoond.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
    #[serde(flatten)]
    pub gegevens: AbonnementDto,
}

/// The answer to `PATCH /abonnementen/{id}`: with `secret` only after `geheimVernieuwen`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GewijzigdAbonnementDto {
    /// Alleen na `geheimVernieuwen`: het nieuwe geheim, eenmalig getoond.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: Option<String>,
    #[serde(flatten)]
    pub gegevens: AbonnementDto,
}
