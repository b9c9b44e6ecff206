//! Abonnement: a webhook subscription of one token (issue 20,
//! `docs/notificaties.md`). The server delivers every event the token may
//! read that passes the subscription's filter, in log order, to its
//! `callbackUrl`.
//!
//! The signing secret never enters the domain or the log (it is kept
//! encrypted beside it: `docs/adr/0008-webhook-delivery.md`); the events
//! only say *that* it was rotated. The delivery cursor is not an event
//! either: only where a subscriber asked to start (`vanafPositie`, on
//! creation and on every rewind) is.

mod command;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::Event;
pub use command::{AbonnementCommand, AbonnementView, Wijziging};

/// Whether the server delivers to the subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AbonnementStatus {
    Actief,
    Gepauzeerd,
}

/// Why a subscription was paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PauzeCode {
    /// The subscriber paused it (`PATCH … {"status": "gepauzeerd"}`).
    DoorAbonnee,
    /// Deliveries kept failing (see `docs/notificaties.md` for how long).
    AfleveringMislukt,
    /// The token that owns it was revoked or expired.
    TokenOngeldig,
    /// The server has no secret for it (e.g. restored from an export).
    GeheimOntbreekt,
    /// The callback URL no longer resolves to an address the server may call.
    AdresGeweigerd,
}

/// The filters of a subscription: those of `GET /v1/gebeurtenissen`.
/// (No field is skipped when empty: the read-model snapshot is postcard.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbonnementFilter {
    #[serde(default)]
    pub agenda: Option<Uuid>,
    #[serde(default)]
    pub gemeente: Option<String>,
    #[serde(default)]
    pub stream_type: Option<String>,
    /// Event types (none: every type).
    #[serde(default, rename = "type")]
    pub types: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbonnementAangemaakt {
    /// The token whose rights decide what is delivered (and who manages it).
    pub token_id: Uuid,
    pub organisatie_id: Uuid,
    pub callback_url: String,
    pub filter: AbonnementFilter,
    /// Deliver the events after this log position.
    pub vanaf_positie: u64,
    #[serde(default)]
    pub omschrijving: Option<String>,
    /// At most this many events per request (more than 1: CloudEvents batch
    /// mode). Absent in events written before batches existed: 1.
    #[serde(default = "een")]
    pub batch_grootte: u16,
}

fn een() -> u16 {
    1
}

/// The most events one request carries.
pub const MAX_BATCH: u16 = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbonnementGepauzeerd {
    pub code: PauzeCode,
    pub reden: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbonnementHervat {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbonnementTeruggezet {
    pub vanaf_positie: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbonnementGeheimVernieuwd {
    /// Until then the previous secret signs too (a second signature).
    pub vorig_geldig_tot: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbonnementGewijzigd {
    /// The new omschrijving (`null`: none).
    pub omschrijving: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbonnementBatchgrootteGewijzigd {
    pub batch_grootte: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbonnementVerwijderd {}

/// A subscription as the read model keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Abonnement {
    pub token_id: Uuid,
    pub organisatie_id: Uuid,
    pub callback_url: String,
    pub filter: AbonnementFilter,
    pub vanaf_positie: u64,
    /// How often it was rewound: a delivery cursor kept for an older count
    /// is stale and starts again at `vanaf_positie`.
    pub herstart: u32,
    pub omschrijving: Option<String>,
    /// At most this many events per request.
    pub batch_grootte: u16,
    pub status: AbonnementStatus,
    pub pauze: Option<AbonnementGepauzeerd>,
    /// Which secret signs: 1 at creation, +1 per rotation.
    pub geheim_versie: u32,
    pub vorig_geheim_geldig_tot: Option<DateTime<Utc>>,
    pub verwijderd: bool,
}

impl Abonnement {
    pub fn created(e: &AbonnementAangemaakt) -> Self {
        Self {
            token_id: e.token_id,
            organisatie_id: e.organisatie_id,
            callback_url: e.callback_url.clone(),
            filter: e.filter.clone(),
            vanaf_positie: e.vanaf_positie,
            herstart: 0,
            omschrijving: e.omschrijving.clone(),
            batch_grootte: e.batch_grootte.max(1),
            status: AbonnementStatus::Actief,
            pauze: None,
            geheim_versie: 1,
            vorig_geheim_geldig_tot: None,
            verwijderd: false,
        }
    }

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::AbonnementGepauzeerd(e) => {
                self.status = AbonnementStatus::Gepauzeerd;
                self.pauze = Some(e.clone());
            }
            Event::AbonnementHervat(_) => {
                self.status = AbonnementStatus::Actief;
                self.pauze = None;
            }
            Event::AbonnementTeruggezet(e) => {
                self.vanaf_positie = e.vanaf_positie;
                self.herstart += 1;
            }
            Event::AbonnementGeheimVernieuwd(e) => {
                self.geheim_versie += 1;
                self.vorig_geheim_geldig_tot = Some(e.vorig_geldig_tot);
            }
            Event::AbonnementGewijzigd(e) => self.omschrijving = e.omschrijving.clone(),
            Event::AbonnementBatchgrootteGewijzigd(e) => {
                self.batch_grootte = e.batch_grootte.max(1)
            }
            Event::AbonnementVerwijderd(_) => self.verwijderd = true,
            _ => {}
        }
    }

    /// Whether the previous secret still signs at `now`.
    pub fn vorig_geheim_geldig(&self, now: DateTime<Utc>) -> bool {
        self.geheim_versie > 1 && self.vorig_geheim_geldig_tot.is_some_and(|t| now < t)
    }
}
