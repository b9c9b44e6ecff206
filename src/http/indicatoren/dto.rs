//! What the indicator endpoints answer: the indicator with its koers in the
//! peiljaar, its metingen and the history of its streefwaarden.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::indicator::{Gebied, Indicator, Koers, Meting, Richting, Waarde};
use crate::http::dto::enum_str;
use crate::projections::indicator_signaal::vorig;
use crate::projections::{Entity, ReadModel};

/// A value for a year (nulmeting or streefwaarde); without `jaar` it holds
/// for the whole period of the agenda.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaardeDto {
    /// Leeg: geldt voor de hele periode van de agenda (een jaar met een eigen streefwaarde gaat voor).
    #[schema(example = 2026)]
    pub jaar: Option<i32>,
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
    /// Waar: de indicator heeft nog geen enkele streefwaarde (nog te vullen); dat is informatie, geen 'niet op koers'.
    pub nog_te_vullen: bool,
}

/// The value and koers of an indicator for one gemeente (or the whole area).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GemeenteStandDto {
    /// De gemeente van de agenda; leeg: het hele gebied.
    #[schema(example = "Gemeente Twenterand")]
    pub gemeente: Option<String>,
    /// De laatste meting voor deze gemeente die niet vervangen is.
    pub laatste_meting: Option<MetingDto>,
    /// Of de waarden van deze gemeente in het peiljaar op koers liggen.
    pub koers: KoersDto,
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
    /// De gemeente waarvoor de waarde geldt; leeg: het hele gebied.
    pub gemeente: Option<String>,
    /// Een latere meting voor dezelfde periode en gemeente verving deze.
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
    /// De laatste meting die niet vervangen is (met ?gemeente=: van die gemeente).
    pub laatste_meting: Option<MetingDto>,
    /// Op koers in het peiljaar: bij waarden per gemeente de slechtste van de gemeenten (zie perGemeente).
    pub koers: KoersDto,
    /// De gemeente waarop ?gemeente= de weergave beperkt (leeg: alle gemeenten).
    pub gemeente: Option<String>,
    /// Bij metingen per gemeente: de waarde en koers van elke gemeente naast elkaar (met ?gemeente=: alleen die). Leeg als de metingen voor het hele gebied gelden.
    pub per_gemeente: Vec<GemeenteStandDto>,
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
        gemeente: x.gemeente.clone(),
        vervangen: x.vervangen,
        registratie_tijdstip: x.geregistreerd,
    }
}

fn koers_dto(i: &Indicator, jaar: i32, gebied: Gebied<'_>) -> KoersDto {
    let stand = i.stand(jaar, gebied);
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
            let geldt = match s.jaar {
                Some(_) => format!("voor {jaar}"),
                None => format!("voor de hele periode, in {jaar}"),
            };
            (
                code,
                format!(
                    "{woord}: {w} {} tegen streefwaarde {doel} {geldt} ({richting}).",
                    i.eenheid
                ),
            )
        }
        (_, None, Some(_)) => ("onbekend", format!("Nog geen meting voor {jaar}.")),
        _ if i.nog_te_vullen() => (
            "onbekend",
            "Nog geen streefwaarde (nog te vullen).".to_owned(),
        ),
        _ => ("onbekend", format!("Geen streefwaarde voor {jaar}.")),
    };
    let vorig_jaar = i
        .vorig_jaar(jaar, gebied)
        .and_then(|v| vorig(i, v, gebied))
        .as_ref()
        .map(crate::http::pdca::VorigJaarDto::from);
    KoersDto {
        jaar,
        status: status.to_owned(),
        waarde: stand.waarde,
        streefwaarde: stand.streefwaarde.map(WaardeDto::from),
        uitleg,
        vorig_jaar,
        nog_te_vullen: i.nog_te_vullen(),
    }
}

/// The koers over several gemeenten: the worst status, the whole area's
/// value, each gemeente's explanation, the latest missed earlier year.
fn samen(jaar: i32, i: &Indicator, per: &[GemeenteStandDto]) -> KoersDto {
    let status = ["nietOpKoers", "opKoers"]
        .into_iter()
        .find(|s| per.iter().any(|g| g.koers.status == *s))
        .unwrap_or("onbekend");
    let heel = per.iter().find(|g| g.gemeente.is_none());
    let uitleg: Vec<String> = per
        .iter()
        .map(|g| {
            format!(
                "{}: {}",
                g.gemeente.as_deref().unwrap_or("hele gebied"),
                g.koers.uitleg
            )
        })
        .collect();
    let vorig_jaar = per
        .iter()
        .filter_map(|g| g.koers.vorig_jaar.as_ref())
        .max_by_key(|v| v.jaar)
        .cloned();
    KoersDto {
        jaar,
        status: status.to_owned(),
        waarde: heel.and_then(|g| g.koers.waarde),
        streefwaarde: i.streefwaarde(jaar).map(WaardeDto::from),
        uitleg: uitleg.join(" "),
        vorig_jaar,
        nog_te_vullen: i.nog_te_vullen(),
    }
}

/// The indicator as the API shows it, judged in its agenda's peiljaar today.
pub fn indicator_dto(e: &Entity<Indicator>, m: &ReadModel) -> IndicatorDto {
    indicator_dto_in(e, m, Utc::now(), None, None)
}

/// [`indicator_dto`] as of `now`, judged in `jaar` (`None`: the agenda's
/// [`crate::domain::agenda::Agenda::peiljaar`], as the PDCA state does), on
/// the values of `gemeente` only (`None`: each gemeente side by side; the
/// name as the agenda spells it).
pub fn indicator_dto_in(
    e: &Entity<Indicator>,
    m: &ReadModel,
    now: DateTime<Utc>,
    jaar: Option<i32>,
    gemeente: Option<&str>,
) -> IndicatorDto {
    let i = &e.state;
    let jaar = jaar.unwrap_or_else(|| {
        let today = crate::kalender::date_of(now);
        m.agendas
            .get(&i.agenda_id)
            .map_or(today.year(), |a| a.state.peiljaar(today))
    });
    let gebieden = i.gebieden_voor(gemeente);
    let per_gemeente: Vec<GemeenteStandDto> = gebieden
        .iter()
        .map(|g| GemeenteStandDto {
            gemeente: g.clone(),
            laatste_meting: i
                .laatste_meting(Some(g.as_deref()))
                .map(|x| meting_dto(e.id, x, m)),
            koers: koers_dto(i, jaar, g.as_deref()),
        })
        .collect();
    let (koers, laatste_meting, per_gemeente) = match gemeente {
        Some(_) => {
            let g = gebieden.first().and_then(|g| g.as_deref());
            (
                koers_dto(i, jaar, g),
                i.laatste_meting(Some(g)).map(|x| meting_dto(e.id, x, m)),
                if i.per_gemeente() {
                    per_gemeente
                } else {
                    Vec::new()
                },
            )
        }
        None if !i.per_gemeente() => (
            koers_dto(i, jaar, None),
            i.laatste_meting(None).map(|x| meting_dto(e.id, x, m)),
            Vec::new(),
        ),
        None => (
            samen(jaar, i, &per_gemeente),
            i.laatste_meting(None).map(|x| meting_dto(e.id, x, m)),
            per_gemeente,
        ),
    };
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
        laatste_meting,
        koers,
        gemeente: gemeente.map(str::to_owned),
        per_gemeente,
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
    /// Leeg: de streefwaarde voor de hele periode van de agenda.
    #[schema(example = 2026)]
    pub jaar: Option<i32>,
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
