//! The PDCA state of an opgave (`/opgaven/{id}/pdca`) and of every opgave of
//! an agenda at once (`/agendas/{id}/overzicht`), rendered from the
//! projection in `projections/pdca.rs`. Both are derived views: their ETag is
//! weak and carries the global position they reflect.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::dto::NiveauDto;
use super::gemeente::GemeenteQuery;
use super::problem::Problem;
use crate::access::policy::Target;
use crate::domain::indicator::Koers;
use crate::domain::Foutcode;
use crate::projections::codes::sorteer;
use crate::projections::{ActieSignaal, PdcaState, ReadModel};

/// Number of acties per status.
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActiesPerStatus {
    pub gepland: usize,
    pub lopend: usize,
    pub gepauzeerd: usize,
    pub afgerond: usize,
    pub vervallen: usize,
}

impl ActiesPerStatus {
    fn from(map: &BTreeMap<&'static str, usize>) -> Self {
        let n = |k: &str| map.get(k).copied().unwrap_or(0);
        Self {
            gepland: n("gepland"),
            lopend: n("lopend"),
            gepauzeerd: n("gepauzeerd"),
            afgerond: n("afgerond"),
            vervallen: n("vervallen"),
        }
    }

    fn add(&mut self, o: &Self) {
        self.gepland += o.gepland;
        self.lopend += o.lopend;
        self.gepauzeerd += o.gepauzeerd;
        self.afgerond += o.afgerond;
        self.vervallen += o.vervallen;
    }
}

/// An actie named by a signal.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActieSignaalDto {
    pub actie_id: Uuid,
    /// Het kenmerk van de actie (uniek in de agenda).
    #[schema(example = "1.2.5-1")]
    pub kenmerk: String,
    /// Weergavecode van het doel (of van de opgave als de actie direct onder
    /// de opgave hangt of het doel geen code heeft); leeg zonder codes.
    #[schema(example = "1.2.5")]
    pub code: Option<String>,
    /// Begin van de omschrijving (hoogstens 60 tekens).
    pub omschrijving: String,
}

impl ActieSignaalDto {
    fn from(a: &ActieSignaal) -> Self {
        Self {
            actie_id: a.actie_id,
            kenmerk: a.kenmerk.clone(),
            code: a.code.clone(),
            omschrijving: a.omschrijving.clone(),
        }
    }
}

/// An indicator compared with the streefwaarde of the peiljaar.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorSignaalDto {
    pub indicator_id: Uuid,
    pub naam: String,
    /// opKoers, nietOpKoers, of leeg als er geen meting of streefwaarde is.
    #[schema(value_type = Option<crate::http::enums::KoersWaarde>, example = "opKoers")]
    pub koers: Option<String>,
    /// De laatste geldende meting van het peiljaar.
    pub waarde: Option<f64>,
    pub streefwaarde: Option<f64>,
    /// Bij richting binnenBandbreedte: de ondergrens van het peiljaar.
    pub ondergrens: Option<f64>,
    /// Bij richting binnenBandbreedte: de bovengrens van het peiljaar.
    pub bovengrens: Option<f64>,
    /// Een gemiste streefwaarde van een eerder jaar: het laatste jaar vóór het peiljaar met een definitieve meting, als die niet op koers was (anders leeg). Bij waarden per gemeente: het laatste gemiste jaar van een van de gemeenten.
    pub vorig_jaar: Option<VorigJaarDto>,
    /// Waar: de indicator heeft nog geen enkele streefwaarde (nog te vullen); dat is informatie, geen 'niet op koers'.
    pub nog_te_vullen: bool,
    /// Bij metingen per gemeente: elke gemeente naast elkaar (leeg als de metingen voor het hele gebied gelden). De indicator is niet op koers als hij het voor één gemeente niet is.
    pub per_gemeente: Vec<GemeenteSignaalDto>,
}

/// An indicator's position for one gemeente (or the whole area).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GemeenteSignaalDto {
    /// De gemeente van de agenda; leeg: het hele gebied.
    #[schema(example = "Gemeente Twenterand")]
    pub gemeente: Option<String>,
    #[schema(value_type = Option<crate::http::enums::KoersWaarde>, example = "opKoers")]
    pub koers: Option<String>,
    /// De laatste geldende meting van het peiljaar voor deze gemeente.
    pub waarde: Option<f64>,
    pub vorig_jaar: Option<VorigJaarDto>,
}

fn koers_str(k: Koers) -> String {
    match k {
        Koers::OpKoers => "opKoers",
        Koers::NietOpKoers => "nietOpKoers",
    }
    .to_owned()
}

/// The off-track signal of the last earlier year with a definitive meting.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VorigJaarDto {
    #[schema(example = 2024)]
    pub jaar: i32,
    /// Altijd nietOpKoers.
    #[schema(value_type = crate::http::enums::KoersWaarde, example = "nietOpKoers")]
    pub koers: String,
    /// De laatste definitieve meting van dat jaar.
    pub waarde: f64,
    pub streefwaarde: f64,
    pub ondergrens: Option<f64>,
    pub bovengrens: Option<f64>,
    /// De gemeente waarvoor de streefwaarde gemist werd; ontbreekt: het hele gebied.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub gemeente: Option<String>,
}

impl VorigJaarDto {
    pub fn from(v: &crate::projections::VorigJaar) -> Self {
        Self {
            jaar: v.jaar,
            koers: "nietOpKoers".to_owned(),
            waarde: v.waarde,
            streefwaarde: v.streefwaarde,
            ondergrens: v.bandbreedte.map(|b| b.0),
            bovengrens: v.bandbreedte.map(|b| b.1),
            gemeente: v.gemeente.clone(),
        }
    }
}

/// `?jaar=`: the year whose streefwaarden the year-dependent signals judge.
/// Not closed: `?gemeente=` ([`GemeenteQuery`]) may sit beside it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct JaarQuery {
    /// Het jaar waarvan de streefwaarden gelden (1900–2200). Standaard: het lopende jaar zolang de periode van de agenda loopt, anders het dichtstbijzijnde jaar van die periode (het laatste jaar na afloop).
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2200, example = 2024)]
    pub jaar: Option<String>,
}

impl JaarQuery {
    /// The year asked for, checked.
    pub fn checked(&self) -> Result<Option<i32>, Problem> {
        let Some(raw) = &self.jaar else {
            return Ok(None);
        };
        match raw.trim().parse::<i32>() {
            Ok(j) if (1900..=2200).contains(&j) => Ok(Some(j)),
            _ => Err(Problem::invalid(vec![super::problem::InvalidParam::new(
                "query.jaar",
                Foutcode::InvalidYear,
                format!("jaar '{raw}' is geen jaartal tussen 1900 en 2200."),
            )])),
        }
    }
}

/// A bijsturing that concerns the opgave and is not yet doorgevoerd.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpenBijsturingDto {
    pub checkmoment_id: Uuid,
    pub bijsturing_id: Uuid,
    pub besluit: String,
    pub datum: NaiveDate,
}

/// The PDCA state of one opgave.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PdcaDto {
    pub opgave_id: Uuid,
    /// De weergavecode van de opgave; leeg als die geen code heeft.
    #[schema(example = "1.1")]
    pub opgave_code: Option<String>,
    pub opgave_titel: String,
    /// Hoe de opgave in tekst heet: weergavecode en titel, of alleen de titel.
    #[schema(example = "1.1 Borgen van bestaanszekerheid")]
    pub opgave_label: String,
    pub geprioriteerd: bool,
    pub vervallen: bool,
    /// plan, do, check of act (regel: zie docs/pdca.md en faseReden).
    #[schema(value_type = crate::domain::reflectie::PdcaFase, example = "do")]
    pub fase: String,
    /// Waarom de opgave in deze fase is.
    #[schema(
        example = "Er is uitvoering gestart: minstens één actie is lopend, gepauzeerd of afgerond."
    )]
    pub fase_reden: String,
    pub aantal_acties: usize,
    pub acties_per_status: ActiesPerStatus,
    /// Actieve acties (gepland, lopend, gepauzeerd) zonder trekker.
    pub acties_zonder_trekker: Vec<ActieSignaalDto>,
    /// Actieve acties zonder enige wijziging langer dan de signaleringstermijn van de agenda.
    pub acties_zonder_update: Vec<ActieSignaalDto>,
    pub signaleringstermijn_dagen: u32,
    /// Het jaar waarvan de streefwaarden gelden: ?jaar=, anders het lopende jaar zolang de periode van de agenda loopt, daarbuiten het dichtstbijzijnde jaar van de periode (zie docs/pdca.md).
    pub peiljaar: i32,
    /// Met ?gemeente=: de gemeente waarvoor dit geldt (alleen haar acties en die voor de hele agenda tellen).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Borne")]
    pub gemeente: Option<String>,
    pub indicatoren: Vec<IndicatorSignaalDto>,
    pub laatste_reflectie_datum: Option<NaiveDate>,
    pub laatste_checkmoment_datum: Option<NaiveDate>,
    pub open_checkmoment_id: Option<Uuid>,
    pub open_bijsturingen: Vec<OpenBijsturingDto>,
    /// Eén zin per signaal, in gewone taal; de eerste zegt waarom de opgave in deze fase is.
    #[schema(example = json!(["Nog geen actie is gestart.", "3 acties zonder trekker: 1.2.5-1 (Faciliteren trainingen …); …"]))]
    pub redenen: Vec<String>,
}

pub(super) fn pdca_dto(m: &ReadModel, s: PdcaState) -> PdcaDto {
    let o = m.opgaven.get(&s.opgave_id);
    let threshold = o
        .and_then(|o| m.agendas.get(&o.state.agenda_id))
        .map_or(90, |a| a.state.signaleringstermijn_dagen);
    let per_status = ActiesPerStatus::from(&s.acties_per_status);
    PdcaDto {
        opgave_id: s.opgave_id,
        opgave_code: m.opgave_weergavecode(s.opgave_id).map(String::from),
        opgave_titel: o.map(|o| o.state.titel.clone()).unwrap_or_default(),
        opgave_label: m.opgave_label(s.opgave_id),
        geprioriteerd: o.is_some_and(|o| o.state.geprioriteerd),
        vervallen: o.is_some_and(|o| o.state.vervallen.is_some()),
        fase: s.fase.as_str().to_owned(),
        fase_reden: s.fase_reden,
        aantal_acties: s.acties_per_status.values().sum(),
        acties_per_status: per_status,
        acties_zonder_trekker: s.zonder_trekker.iter().map(ActieSignaalDto::from).collect(),
        acties_zonder_update: s.zonder_update.iter().map(ActieSignaalDto::from).collect(),
        signaleringstermijn_dagen: threshold,
        peiljaar: s.peiljaar,
        gemeente: s.gemeente,
        indicatoren: s
            .indicatoren
            .into_iter()
            .map(|i| IndicatorSignaalDto {
                indicator_id: i.indicator_id,
                naam: i.naam,
                koers: i.koers.map(koers_str),
                waarde: i.waarde,
                streefwaarde: i.streefwaarde,
                ondergrens: i.bandbreedte.map(|b| b.0),
                bovengrens: i.bandbreedte.map(|b| b.1),
                vorig_jaar: i.vorig_jaar.as_ref().map(VorigJaarDto::from),
                nog_te_vullen: i.nog_te_vullen,
                per_gemeente: i
                    .per_gemeente
                    .iter()
                    .map(|g| GemeenteSignaalDto {
                        gemeente: g.gemeente.clone(),
                        koers: g.koers.map(koers_str),
                        waarde: g.waarde,
                        vorig_jaar: g.vorig_jaar.as_ref().map(VorigJaarDto::from),
                    })
                    .collect(),
            })
            .collect(),
        laatste_reflectie_datum: s.laatste_reflectie,
        laatste_checkmoment_datum: s.laatste_checkmoment,
        open_checkmoment_id: s.open_checkmoment_id,
        open_bijsturingen: s
            .open_bijsturingen
            .into_iter()
            .map(|b| OpenBijsturingDto {
                checkmoment_id: b.checkmoment_id,
                bijsturing_id: b.bijsturing_id,
                besluit: b.besluit,
                datum: b.datum,
            })
            .collect(),
        redenen: s.redenen,
    }
}

fn weak_etag(position: u64) -> String {
    format!("W/\"{position}\"")
}

/// The rendered body of `GET /opgaven/{id}/pdca` per opgave, for the live
/// model at the current time. An entry holds while the opgave's
/// [`ReadModel::pdca_stamp`] is the one it was rendered at (no event since
/// changed anything the state reads) and the clock has not reached its
/// [`PdcaState::valid_until`]. The stamp is read under the same read lock
/// as the model the body is computed from, so a write is seen by the next
/// read (read-your-writes) without this cache being told.
///
/// Bounded: at most `MAG_PDCA_CACHE_ENTRIES` opgaven (default
/// [`DEFAULT_PDCA_ENTRIES`], a few KB each; 0 turns the cache off); a new
/// opgave that does not fit evicts one entry by the CLOCK rule (see
/// [`super::clock_map::ClockMap`]).
pub struct PdcaCache {
    entries: super::clock_map::ClockMap<CachedPdca>,
}

/// Default number of cached PDCA bodies (`MAG_PDCA_CACHE_ENTRIES`).
pub const DEFAULT_PDCA_ENTRIES: usize = 10_000;

impl Default for PdcaCache {
    /// Capacity from `MAG_PDCA_CACHE_ENTRIES`, else [`DEFAULT_PDCA_ENTRIES`].
    fn default() -> Self {
        Self {
            entries: super::clock_map::ClockMap::from_env(
                "MAG_PDCA_CACHE_ENTRIES",
                DEFAULT_PDCA_ENTRIES,
            ),
        }
    }
}

struct CachedPdca {
    stamp: u64,
    /// The clock range the body holds for: from when it was computed (the
    /// clock may be set back) up to, not including, `valid_until`.
    computed_at: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    body: web::Bytes,
}

impl PdcaCache {
    fn get(&self, opgave_id: Uuid, stamp: u64, now: DateTime<Utc>) -> Option<web::Bytes> {
        self.entries.get(opgave_id, |c| {
            (c.stamp == stamp && c.computed_at <= now && now < c.valid_until)
                .then(|| c.body.clone())
        })
    }

    fn put(
        &self,
        opgave_id: Uuid,
        stamp: u64,
        valid: (DateTime<Utc>, DateTime<Utc>),
        body: web::Bytes,
    ) {
        let entry = CachedPdca {
            stamp,
            computed_at: valid.0,
            valid_until: valid.1,
            body,
        };
        // Only ever replaced by a newer rendering (two requests may race).
        self.entries.put(opgave_id, entry, |c| c.stamp <= stamp);
    }
}

fn pdca_body(
    m: &ReadModel,
    id: Uuid,
    now: DateTime<Utc>,
    (jaar, gemeente): (Option<i32>, &GemeenteQuery),
) -> Result<Option<(web::Bytes, DateTime<Utc>)>, Problem> {
    let Some(agenda) = m
        .opgaven
        .get(&id)
        .and_then(|o| m.agendas.get(&o.state.agenda_id))
    else {
        return Ok(None);
    };
    let gemeente = gemeente.van(&agenda.state)?;
    let Some(s) = m.pdca_in(id, now, jaar, gemeente.as_deref()) else {
        return Ok(None);
    };
    let valid_until = s.valid_until;
    let body = serde_json::to_vec(&pdca_dto(m, s)).expect("a PDCA state serializes");
    Ok(Some((web::Bytes::from(body), valid_until)))
}

/// De PDCA-toestand van een opgave: fase met reden, acties per status, signalen en redenen.
#[utoipa::path(get, path = "/opgaven/{id}/pdca", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van de opgave"), JaarQuery, GemeenteQuery, super::peil::PeilQuery),
    responses((status = 200, description = "De PDCA-toestand; zwakke ETag met de positie in het log", body = PdcaDto), super::responses::ReadErrors))]
pub async fn get_pdca(
    reader: super::peil::view::Reader,
    peil: super::peil::PeilMoment,
    id: web::Path<Uuid>,
    q: web::Query<JaarQuery>,
    g: web::Query<GemeenteQuery>,
) -> Result<HttpResponse, Problem> {
    let id = *id;
    let jaar = q.checked()?;
    // Judged on the live model before any (past) state is built.
    reader.check(Target::Opgave(id))?;
    let not_found = || peil.not_found(crate::domain::niet_gevonden("opgave", id), id);
    let respond = |position: u64, body: web::Bytes| {
        HttpResponse::Ok()
            .insert_header(("ETag", weak_etag(position)))
            .content_type(actix_web::http::header::ContentType::json())
            .body(body)
    };
    let Some(position) = peil.past_position() else {
        // The live model: the rendered body is cached per opgave while
        // nothing it depends on changed (see `ReadModel::pdca_stamp`).
        let m = peil.live();
        let now = peil.now();
        let cache = &peil.state().pdca_cache;
        let cached = match m.pdca_stamp(id) {
            // Only the default year for the whole agenda is cached.
            Some(stamp) if peil.is_live_now() && jaar.is_none() && g.gemeente.is_none() => {
                cache.get(id, stamp, now).ok_or(Some(stamp))
            }
            _ => Err(None),
        };
        let body = match cached {
            Ok(body) => body,
            Err(stamp) => {
                let (body, valid_until) =
                    pdca_body(&m, id, now, (jaar, &g))?.ok_or_else(not_found)?;
                if let Some(stamp) = stamp {
                    cache.put(id, stamp, (now, valid_until), body.clone());
                }
                body
            }
        };
        return Ok(respond(m.position, body));
    };
    // As of a past position: only the streams this opgave's PDCA state
    // depends on, read up to that position (not the whole model).
    let history = peil.state().history.clone();
    let live = peil.state().projection.clone();
    let model = super::peil::replay(position, move || {
        history.opgave_model_at(&live, id, position)
    })
    .await?;
    // `X-Positie` also on a 404, as for every other as-of read.
    peil.record_position(position);
    let m = model.ok_or_else(not_found)?;
    let (body, _) = pdca_body(&m, id, peil.now(), (jaar, &g))?.ok_or_else(not_found)?;
    Ok(respond(m.position, body))
}

/// How many opgaven are in each phase.
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FaseTelling {
    pub plan: usize,
    #[serde(rename = "do")]
    pub doen: usize,
    pub check: usize,
    pub act: usize,
}

/// Totals over every opgave of the agenda.
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverzichtTotalen {
    pub opgaven: usize,
    pub fasen: FaseTelling,
    pub acties: usize,
    pub acties_per_status: ActiesPerStatus,
    pub acties_zonder_trekker: usize,
    pub acties_zonder_update: usize,
}

/// The opgaven of one groepering (themalijn, maatschappelijk effect, ...), or those without one.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverzichtGroep {
    /// Leeg: opgaven zonder groepering.
    pub groepering_id: Option<Uuid>,
    /// De weergavecode van de groepering; leeg zonder code.
    #[schema(example = "1")]
    pub code: Option<String>,
    #[schema(example = "Zelfredzame Twenterander")]
    pub naam: Option<String>,
    /// Naam van het niveau van de groepering, bijv. "themalijn".
    #[schema(example = "themalijn")]
    pub niveau_naam: Option<String>,
    pub opgaven: Vec<PdcaDto>,
    /// Opgaven en doelen met hun eigen plaats elders die ook aan deze groepering bijdragen (niet meegeteld in de totalen).
    pub bijdragen: Vec<super::structuur::bijdrage::OverzichtBijdrage>,
}

/// The PDCA state of every opgave of an agenda, grouped as the agenda groups them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverzichtDto {
    pub agenda_id: Uuid,
    pub agenda_naam: String,
    /// Het groeperingsniveau boven de opgaven (leeg als de agenda niet groepeert).
    pub groeperingsniveau: Option<NiveauDto>,
    /// De positie in het log die dit overzicht weergeeft (ook in de ETag).
    pub positie: u64,
    /// Het moment waartegen de signalen (zoals 'zonder update') zijn berekend.
    #[schema(value_type = String, format = DateTime, example = "2024-06-01T09:30:00Z")]
    pub peil_tijdstip: DateTime<Utc>,
    /// Het jaar waarvan de streefwaarden gelden (?jaar=, anders de regel van docs/pdca.md).
    #[schema(example = 2024)]
    pub peiljaar: i32,
    /// Met ?gemeente=: de gemeente waarvoor dit overzicht geldt (alleen haar acties en die voor de hele agenda tellen).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Borne")]
    pub gemeente: Option<String>,
    pub totalen: OverzichtTotalen,
    pub groepen: Vec<OverzichtGroep>,
}

fn overzicht(
    m: &ReadModel,
    agenda_id: Uuid,
    now: DateTime<Utc>,
    jaar: Option<i32>,
    gemeente: Option<&str>,
) -> Option<OverzichtDto> {
    overzicht_geldig(m, agenda_id, now, jaar, gemeente).map(|(dto, _)| dto)
}

/// [`overzicht`] and the first moment after `now` at which the clock alone
/// changes it (the earliest [`PdcaState::valid_until`] of its opgaven), for
/// a cache of what is rendered from it (the public site).
pub(super) fn overzicht_geldig(
    m: &ReadModel,
    agenda_id: Uuid,
    now: DateTime<Utc>,
    jaar: Option<i32>,
    gemeente: Option<&str>,
) -> Option<(OverzichtDto, DateTime<Utc>)> {
    let mut valid_until = DateTime::<Utc>::MAX_UTC;
    let agenda = m.agendas.get(&agenda_id)?;
    let mut opgaven: Vec<_> = m
        .opgaven
        .values()
        .filter(|o| o.state.agenda_id == agenda_id)
        .collect();
    opgaven.sort_by_cached_key(|o| {
        (
            sorteer(m.opgave_weergavecode(o.id).as_ref()),
            o.aangemaakt,
            o.id,
        )
    });
    let mut totalen = OverzichtTotalen::default();
    let mut groepen: Vec<OverzichtGroep> = Vec::new();
    for o in opgaven {
        let Some(s) = m.pdca_in(o.id, now, jaar, gemeente) else {
            continue;
        };
        valid_until = valid_until.min(s.valid_until);
        let dto = pdca_dto(m, s);
        totalen.opgaven += 1;
        match dto.fase.as_str() {
            "plan" => totalen.fasen.plan += 1,
            "do" => totalen.fasen.doen += 1,
            "check" => totalen.fasen.check += 1,
            _ => totalen.fasen.act += 1,
        }
        totalen.acties += dto.aantal_acties;
        totalen.acties_per_status.add(&dto.acties_per_status);
        totalen.acties_zonder_trekker += dto.acties_zonder_trekker.len();
        totalen.acties_zonder_update += dto.acties_zonder_update.len();
        let g = o.state.groepering_id;
        match groepen.iter_mut().find(|x| x.groepering_id == g) {
            Some(groep) => groep.opgaven.push(dto),
            None => {
                let ge = g.and_then(|g| m.groeperingen.get(&g));
                groepen.push(OverzichtGroep {
                    groepering_id: g,
                    code: g
                        .and_then(|g| m.groepering_weergavecode(g))
                        .map(String::from),
                    naam: ge.map(|g| g.state.naam.clone()),
                    niveau_naam: ge.and_then(|g| {
                        agenda
                            .state
                            .groeperingsniveaus
                            .get(g.state.niveau)
                            .map(|n| n.enkelvoud.clone())
                    }),
                    opgaven: vec![dto],
                    bijdragen: Vec::new(),
                })
            }
        }
    }
    add_bijdragen(m, agenda_id, &mut groepen);
    // Groeperingen by code (then name); opgaven without one last.
    groepen.sort_by_key(|g| {
        let code = g
            .code
            .as_deref()
            .and_then(|c| crate::domain::Code::parse_weergave(c).ok());
        (
            g.groepering_id.is_none(),
            sorteer(code.as_ref()),
            g.naam.clone(),
        )
    });
    let dto = OverzichtDto {
        agenda_id,
        agenda_naam: agenda.state.naam.clone(),
        groeperingsniveau: agenda.state.groeperingsniveaus.first().map(|n| NiveauDto {
            enkelvoud: n.enkelvoud.clone(),
            meervoud: n.meervoud.clone(),
        }),
        positie: m.position,
        peil_tijdstip: now,
        peiljaar: jaar.unwrap_or_else(|| agenda.state.peiljaar(crate::kalender::date_of(now))),
        gemeente: gemeente.map(str::to_owned),
        totalen,
        groepen,
    };
    Some((dto, valid_until))
}

/// Each groepering's contributions, in its section (a section of its own
/// when nothing has it as primary place).
fn add_bijdragen(m: &ReadModel, agenda_id: Uuid, groepen: &mut Vec<OverzichtGroep>) {
    let fasen: std::collections::HashMap<Uuid, String> = groepen
        .iter()
        .flat_map(|g| g.opgaven.iter())
        .map(|o| (o.opgave_id, o.fase.clone()))
        .collect();
    let Some(agenda) = m.agendas.get(&agenda_id) else {
        return;
    };
    for g in m.groeperingen.values() {
        if g.state.agenda_id != agenda_id {
            continue;
        }
        let bijdragen =
            super::structuur::bijdrage::overzicht_bijdragen(m, g.id, |o| fasen.get(&o).cloned());
        if bijdragen.is_empty() {
            continue;
        }
        match groepen.iter_mut().find(|x| x.groepering_id == Some(g.id)) {
            Some(groep) => groep.bijdragen = bijdragen,
            None => groepen.push(OverzichtGroep {
                groepering_id: Some(g.id),
                code: g.state.code.as_ref().map(|c| c.to_string()),
                naam: Some(g.state.naam.clone()),
                niveau_naam: agenda
                    .state
                    .groeperingsniveaus
                    .get(g.state.niveau)
                    .map(|n| n.enkelvoud.clone()),
                opgaven: Vec::new(),
                bijdragen,
            }),
        }
    }
}

/// De PDCA-toestand van alle opgaven van een agenda in één keer, gegroepeerd per groepering (bij Twenterand: themalijn).
#[utoipa::path(get, path = "/agendas/{id}/overzicht", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van de agenda"), JaarQuery, GemeenteQuery, super::peil::PeilQuery),
    responses((status = 200, description = "Het overzicht; zwakke ETag met de positie in het log", body = OverzichtDto), super::responses::ReadErrors))]
pub async fn get_overzicht(
    view: super::peil::view::View,
    id: web::Path<Uuid>,
    q: web::Query<JaarQuery>,
    g: web::Query<GemeenteQuery>,
) -> Result<HttpResponse, Problem> {
    let jaar = q.checked()?;
    let seen = view.read();
    let gemeente = g.van(&seen.agenda(*id)?.state)?;
    let m = seen.model();
    let dto = overzicht(m, *id, view.now(), jaar, gemeente.as_deref())
        .ok_or_else(|| view.not_found(crate::domain::niet_gevonden("agenda", *id), *id))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", weak_etag(m.position)))
        .json(dto))
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/opgaven/{id}/pdca", web::get().to(get_pdca))
        .route("/agendas/{id}/overzicht", web::get().to(get_overzicht));
}

#[derive(OpenApi)]
#[openapi(paths(get_pdca, get_overzicht))]
pub struct Api;
