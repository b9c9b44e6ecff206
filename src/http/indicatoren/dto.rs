//! What the indicator endpoints answer: the indicator with its koers in the
//! peiljaar, its metingen and the history of its streefwaarden.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::indicator::{Indicator, Koers, Meting, Richting, Waarde};
use crate::http::dto::enum_str;
use crate::projections::{Entity, ReadModel};

/// A value for a year (nulmeting or streefwaarde).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaardeDto {
    #[schema(example = 2026)]
    pub jaar: i32,
    #[schema(example = 40.0)]
    pub waarde: f64,
    /// Alleen bij richting binnenBandbreedte.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ondergrens: Option<f64>,
    /// Alleen bij richting binnenBandbreedte.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bovengrens: Option<f64>,
}

impl From<&Waarde> for WaardeDto {
    fn from(w: &Waarde) -> Self {
        Self {
            jaar: w.jaar,
            waarde: w.waarde,
            ondergrens: w.ondergrens,
            bovengrens: w.bovengrens,
        }
    }
}

/// Whether the indicator is on track in the peiljaar.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KoersDto {
    /// Het peiljaar: ?jaar=, anders het lopende jaar zolang de periode van de agenda loopt, daarbuiten het dichtstbijzijnde jaar van de periode (dezelfde regel als de PDCA-toestand; zie docs/pdca.md).
    pub jaar: i32,
    /// opKoers, nietOpKoers, of onbekend (geen meting of geen streefwaarde voor dit jaar).
    #[schema(value_type = crate::http::enums::KoersStatus, example = "opKoers")]
    pub status: String,
    /// De laatste geldende meting van dit jaar.
    pub waarde: Option<f64>,
    pub streefwaarde: Option<WaardeDto>,
    /// In gewone taal waarom.
    pub uitleg: String,
    /// Een gemiste streefwaarde van een eerder jaar: het laatste jaar vóór het peiljaar met een definitieve meting, als die niet op koers was (anders leeg).
    pub vorig_jaar: Option<crate::http::pdca::VorigJaarDto>,
}

/// One meting; `vervangen` when a later meting for the same period replaced it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetingDto {
    pub id: Uuid,
    pub indicator_id: Uuid,
    /// 2024, 2024-Q2 of 2024-03.
    #[schema(example = "2024")]
    pub periode: String,
    pub meet_datum: Option<NaiveDate>,
    #[schema(example = 42.5)]
    pub waarde: f64,
    /// voorlopig of definitief.
    #[schema(value_type = crate::domain::indicator::MetingStatus, example = "definitief")]
    pub status: String,
    pub bron: Option<String>,
    pub toelichting: Option<String>,
    pub door_organisatie_id: Option<Uuid>,
    pub door_organisatie_naam: Option<String>,
    pub vervangen: bool,
    #[schema(value_type = String, format = DateTime, example = "2024-03-01T09:30:00Z")]
    pub registratie_tijdstip: DateTime<Utc>,
}

/// An indicator with its latest value and whether it is on track.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorDto {
    pub id: Uuid,
    pub agenda_id: Uuid,
    pub doel_id: Uuid,
    /// De weergavecode van het doel; leeg als het geen code heeft.
    #[schema(example = "1.1.1")]
    pub doel_code: Option<String>,
    #[schema(example = "Inwoners met een betalingsachterstand")]
    pub naam: String,
    #[schema(example = "%")]
    pub eenheid: String,
    /// hogerIsBeter, lagerIsBeter of binnenBandbreedte.
    #[schema(value_type = crate::domain::indicator::Richting, example = "lagerIsBeter")]
    pub richting: String,
    pub bron: Option<String>,
    /// De organisatie die de metingen aanlevert (mag ze vastleggen).
    pub eigenaar_organisatie_id: Option<Uuid>,
    pub eigenaar_organisatie_naam: Option<String>,
    pub nulmeting: Option<WaardeDto>,
    /// De geldende streefwaarde per jaar; eerdere waarden via /indicatoren/{id}/streefwaarden.
    pub streefwaarden: Vec<WaardeDto>,
    /// De laatste meting die niet vervangen is.
    pub laatste_meting: Option<MetingDto>,
    pub koers: KoersDto,
    pub aantal_metingen: usize,
    pub versie: u64,
}

fn org_naam(m: &ReadModel, id: Option<Uuid>) -> Option<String> {
    id.and_then(|o| m.organisaties.get(&o))
        .map(|o| o.state.naam.clone())
}

pub(super) fn meting_dto(indicator_id: Uuid, x: &Meting, m: &ReadModel) -> MetingDto {
    MetingDto {
        id: x.id,
        indicator_id,
        periode: x.periode.clone(),
        meet_datum: x.meet_datum,
        waarde: x.waarde,
        status: enum_str(&x.status),
        bron: x.bron.clone(),
        toelichting: x.toelichting.clone(),
        door_organisatie_id: x.door_organisatie_id,
        door_organisatie_naam: org_naam(m, x.door_organisatie_id),
        vervangen: x.vervangen,
        registratie_tijdstip: x.geregistreerd,
    }
}

fn koers_dto(i: &Indicator, jaar: i32) -> KoersDto {
    let stand = i.stand(jaar);
    let richting = match i.richting {
        Richting::HogerIsBeter => "hoger is beter",
        Richting::LagerIsBeter => "lager is beter",
        Richting::BinnenBandbreedte => "binnen de bandbreedte",
    };
    let (status, uitleg) = match (stand.koers, stand.waarde, stand.streefwaarde) {
        (Some(k), Some(w), Some(s)) => {
            let doel = match (s.ondergrens, s.bovengrens) {
                (Some(lo), Some(hi)) => format!("{lo} tot {hi}"),
                _ => s.waarde.to_string(),
            };
            let (code, woord) = match k {
                Koers::OpKoers => ("opKoers", "op koers"),
                Koers::NietOpKoers => ("nietOpKoers", "niet op koers"),
            };
            (
                code,
                format!(
                    "{woord}: {w} {} tegen streefwaarde {doel} voor {jaar} ({richting}).",
                    i.eenheid
                ),
            )
        }
        (_, None, Some(_)) => ("onbekend", format!("Nog geen meting voor {jaar}.")),
        _ => ("onbekend", format!("Geen streefwaarde voor {jaar}.")),
    };
    let vorig_jaar = i.vorig_jaar(jaar).and_then(|v| {
        let s = v.streefwaarde?;
        Some(crate::http::pdca::VorigJaarDto::from(
            &crate::projections::VorigJaar {
                jaar: v.jaar,
                waarde: v.waarde?,
                streefwaarde: s.waarde,
                bandbreedte: (i.richting == Richting::BinnenBandbreedte)
                    .then_some(())
                    .and_then(|_| Some((s.ondergrens?, s.bovengrens?))),
            },
        ))
    });
    KoersDto {
        jaar,
        status: status.to_owned(),
        waarde: stand.waarde,
        streefwaarde: stand.streefwaarde.map(WaardeDto::from),
        uitleg,
        vorig_jaar,
    }
}

/// The indicator as the API shows it, judged in its agenda's peiljaar today.
pub fn indicator_dto(e: &Entity<Indicator>, m: &ReadModel) -> IndicatorDto {
    indicator_dto_in(e, m, Utc::now(), None)
}

/// [`indicator_dto`] as of `now`, judged in `jaar` (`None`: the agenda's
/// [`crate::domain::agenda::Agenda::peiljaar`], as the PDCA state does).
pub fn indicator_dto_in(
    e: &Entity<Indicator>,
    m: &ReadModel,
    now: DateTime<Utc>,
    jaar: Option<i32>,
) -> IndicatorDto {
    let i = &e.state;
    let jaar = jaar.unwrap_or_else(|| {
        m.agendas
            .get(&i.agenda_id)
            .map_or(now.year(), |a| a.state.peiljaar(now.date_naive()))
    });
    IndicatorDto {
        id: e.id,
        agenda_id: i.agenda_id,
        doel_id: i.doel_id,
        doel_code: m.doel_weergavecode(i.doel_id).map(String::from),
        naam: i.naam.clone(),
        eenheid: i.eenheid.clone(),
        richting: enum_str(&i.richting),
        bron: i.bron.clone(),
        eigenaar_organisatie_id: i.eigenaar_organisatie_id,
        eigenaar_organisatie_naam: org_naam(m, i.eigenaar_organisatie_id),
        nulmeting: i.nulmeting.as_ref().map(WaardeDto::from),
        streefwaarden: i.streefwaarden.iter().map(WaardeDto::from).collect(),
        laatste_meting: i.laatste_meting().map(|x| meting_dto(e.id, x, m)),
        koers: koers_dto(i, jaar),
        aantal_metingen: i.metingen.len(),
        versie: e.version,
    }
}

/// A streefwaarde as it was set; `vervangen` when a later one for the same year replaced it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreefwaardeDto {
    /// Positie van de gebeurtenis in het log.
    pub positie: u64,
    #[schema(example = 2026)]
    pub jaar: i32,
    pub waarde: f64,
    pub ondergrens: Option<f64>,
    pub bovengrens: Option<f64>,
    /// De waarde die deze verving (bij een herziening).
    pub vorige_waarde: Option<f64>,
    pub vervangen: bool,
    /// De reden uit de audittrail (X-Audit-Toelichting of toelichting).
    pub toelichting: Option<String>,
    /// De bijsturing die deze herziening uitvoert, als die is meegegeven.
    pub bijsturing_id: Option<Uuid>,
    #[schema(value_type = String, format = DateTime, example = "2024-03-01T09:30:00Z")]
    pub registratie_tijdstip: DateTime<Utc>,
}
