//! The request bodies of the indicator endpoints; each is its own OpenAPI
//! schema (closed, with what it requires), read through
//! [`crate::http::invoer::Invoer`].

use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::indicator::{MetingStatus, Richting, Waarde};
use crate::http::invoer::{Datum, Patch, Tekst};

/// A nulmeting: the value in the year the indicator started from.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Nulmeting {
    /// Het jaar van de nulmeting (mag ontbreken als de bron het niet noemt).
    #[schema(example = 2023, minimum = 1900, maximum = 2200, nullable = false)]
    pub jaar: Option<i32>,
    /// Van -1e15 t/m 1e15; -0 wordt als 0 vastgelegd.
    #[schema(example = 12.0, minimum = -1e15, maximum = 1e15)]
    pub waarde: f64,
}

impl From<Nulmeting> for Waarde {
    fn from(n: Nulmeting) -> Self {
        Self {
            jaar: n.jaar,
            waarde: n.waarde,
            ondergrens: None,
            bovengrens: None,
        }
    }
}

/// A streefwaarde for a year, or (without `jaar`) for the whole period of
/// the agenda; with richting binnenBandbreedte also the band (ondergrens ≤
/// bovengrens).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Streefwaarde {
    /// Weglaten: één streefwaarde voor de hele periode van de agenda. Een jaar met een eigen streefwaarde gaat daarvoor.
    #[schema(example = 2026, minimum = 1900, maximum = 2200, nullable = false)]
    pub jaar: Option<i32>,
    /// Van -1e15 t/m 1e15; -0 wordt als 0 vastgelegd.
    #[schema(example = 40.0, minimum = -1e15, maximum = 1e15)]
    pub waarde: f64,
    /// Verplicht (en alleen zinvol) bij richting binnenBandbreedte.
    #[schema(nullable = false, minimum = -1e15, maximum = 1e15)]
    pub ondergrens: Option<f64>,
    /// Verplicht (en alleen zinvol) bij richting binnenBandbreedte.
    #[schema(nullable = false, minimum = -1e15, maximum = 1e15)]
    pub bovengrens: Option<f64>,
}

impl From<Streefwaarde> for Waarde {
    fn from(s: Streefwaarde) -> Self {
        Self {
            jaar: s.jaar,
            waarde: s.waarde,
            ondergrens: s.ondergrens,
            bovengrens: s.bovengrens,
        }
    }
}

pub fn waarden(list: Vec<Streefwaarde>) -> Vec<Waarde> {
    list.into_iter().map(Waarde::from).collect()
}

/// Body to add an indicator to a doel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorNieuw {
    #[schema(example = "Inwoners met een betalingsachterstand")]
    pub naam: Tekst,
    #[schema(example = "%")]
    pub eenheid: Tekst,
    #[schema(example = "lagerIsBeter")]
    pub richting: Richting,
    /// Waar de cijfers vandaan komen.
    #[schema(example = "CBS Wijk- en buurtmonitor")]
    pub bron: Option<String>,
    /// De organisatie die de metingen aanlevert (en ze mag vastleggen).
    pub eigenaar_organisatie_id: Option<Uuid>,
    #[schema(nullable = false)]
    pub nulmeting: Option<Nulmeting>,
    /// Per jaar één streefwaarde, en/of één zonder jaar voor de hele periode.
    #[serde(default)]
    pub streefwaarden: Vec<Streefwaarde>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    pub toelichting: Option<String>,
}

/// Body to change an indicator (JSON Merge Patch: only the fields given
/// change; `bron`, `eigenaarOrganisatieId` and `nulmeting` can be cleared
/// with `null`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorWijziging {
    #[schema(nullable = false)]
    pub naam: Option<Tekst>,
    #[schema(nullable = false)]
    pub eenheid: Option<Tekst>,
    #[schema(nullable = false)]
    pub richting: Option<Richting>,
    /// Waar de cijfers vandaan komen; `null` maakt leeg.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub bron: Patch<String>,
    /// De organisatie die de metingen aanlevert; `null` maakt leeg.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub eigenaar_organisatie_id: Patch<Uuid>,
    /// `null` haalt de nulmeting weg.
    #[serde(default)]
    #[schema(value_type = Option<Nulmeting>)]
    pub nulmeting: Patch<Nulmeting>,
    /// Stelt de genoemde jaren (opnieuw) vast; andere jaren blijven staan.
    #[schema(nullable = false)]
    pub streefwaarden: Option<Vec<Streefwaarde>>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    pub toelichting: Option<String>,
}

/// Body to record a meting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetingNieuw {
    /// 2024, 2024-Q2 of 2024-03. Zonder periode geldt het jaar van de meetdatum. Een latere meting voor dezelfde periode (en gemeente) vervangt de eerdere.
    #[schema(
        example = "2024",
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
    )]
    pub periode: Option<String>,
    /// Wanneer gemeten (niet in de toekomst).
    #[schema(nullable = false)]
    pub meet_datum: Option<Datum>,
    /// Van -1e15 t/m 1e15 (een miljoen miljard); -0 wordt als 0 vastgelegd.
    #[schema(example = 42.5, minimum = -1e15, maximum = 1e15)]
    pub waarde: f64,
    #[schema(example = "voorlopig")]
    pub status: MetingStatus,
    pub bron: Option<String>,
    /// Toelichting bij de meting (blijft bij de meting staan).
    pub toelichting: Option<String>,
    /// De organisatie die de meting aanlevert (bij een partner-token: de eigen).
    pub door_organisatie_id: Option<Uuid>,
    /// De gemeente van de agenda waarvoor de waarde geldt (bij een agenda van meerdere gemeenten); weglaten: het hele gebied. Een latere meting vervangt alleen die voor dezelfde periode én gemeente.
    #[schema(example = "Gemeente Twenterand")]
    pub gemeente: Option<String>,
}
