//! Open data and bulk exchange: `GET /agendas/{id}/export?formaat=csv|json`
//! and `POST /agenda-imports` (an agenda file as JSON, or CSV rows).
//!
//! The JSON export *is* the import format (`mag-tracker/agenda` v1), so an
//! export imports again into another store. The CSV dialect is documented in
//! `src/import/export.rs` and `docs/nieuwsbrief.md`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use uuid::Uuid;

use super::access::require;
use super::peil::view::View;
use super::peil::PeilQuery;
use super::problem::{InvalidParam, Problem};
use super::write::{context, service_problem, IfMatch};
use crate::access::policy::Action;
use crate::domain::FieldError;
use crate::domain::Foutcode;
use crate::http::gemeente::GemeenteQuery;
use crate::http::AppState;
use crate::import::apply::{self, ImportError, ImportResult, Source};
use crate::import::csv::CsvAgenda;
use crate::import::export;
use crate::import::AgendaFile;
use crate::projections::ReadModel;

/// Largest import body (the Twenterand agenda is ~70 KB).
const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

/// Not closed: `?gemeente=` is read by [`GemeenteQuery`] beside it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// csv (text/csv, de standaard) of json (application/json, het agendabestand).
    #[param(inline, value_type = Option<ExportFormaat>, example = "csv")]
    pub formaat: Option<String>,
    /// Alleen bij csv: ook de indicatoren, met na de acties één rij per nulmeting, streefwaarde en meting (de kolommen indicatorNaam … metingDoorOrganisatie; zie docs/model-flexibility.md). Standaard false: één rij per actie. De JSON-export bevat de indicatoren altijd.
    #[param(example = false)]
    pub indicatoren: Option<bool>,
}

// The formats of the export, the spec's `enum`. The query keeps a `String`
// so that an unknown value gets the Dutch problem of `get_export` (a plain
// comment: a doc comment would become the schema's description).
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ExportFormaat {
    Csv,
    Json,
}

impl ExportFormaat {
    /// `None` for a value that is no export format; csv when absent.
    fn parse(raw: Option<&str>) -> Option<Self> {
        match raw {
            None | Some("csv") => Some(Self::Csv),
            Some("json") => Some(Self::Json),
            Some(_) => None,
        }
    }
}

/// Export van een agenda als open data (CSV of JSON).
///
/// CSV: één rij per actie met codes en titels van groepering, opgave, doel en (bij een
/// sub-doel) het bovenliggende doel, het kenmerk van de actie, trekker, partners, status, laatste wijziging en aantal reflecties. Dialect: UTF-8 met BOM,
/// `;` als scheidingsteken, CRLF als regeleinde, velden tussen `"` waar nodig; meerdere
/// partners gescheiden door ` | ` (opent zo direct in Nederlandse Excel en LibreOffice).
/// Een cel die begint met `=`, `+`, `-`, `@`, een tab of een carriage return krijgt een `'`
/// ervoor, zodat een spreadsheet haar als tekst toont en niet als formule uitvoert; de
/// CSV-import haalt die `'` er weer af. Met `?indicatoren=true` ook de kolommen van de
/// indicatoren en na de acties één rij per nulmeting, streefwaarde en geldende meting.
/// Een groepering die een kolom `…BijdragenAan` noemt maar die in geen andere rij staat (een
/// die alleen bijdragen ontvangt) krijgt als laatste een rij met alleen groeperingCode en
/// groeperingNaam, zodat de import haar kent.
/// JSON: de hele agenda als agendabestand (`mag-tracker/agenda` versie 1), precies het
/// formaat dat `POST /agenda-imports` inleest.
/// Met `?gemeente=` alleen de acties van die gemeente en die voor de hele agenda (de
/// indeling van de agenda blijft heel).
#[utoipa::path(get, path = "/agendas/{id}/export", tag = "Uitwisseling",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ExportQuery, GemeenteQuery, PeilQuery),
    responses(
        (status = 200, description = "De agenda als CSV of als agendabestand (JSON)",
            headers(("ETag" = String, description = "Zwakke ETag met de positie van de export")),
            content(
                (String = "text/csv", example = "groeperingCode;groeperingNaam;opgaveCode;opgaveTitel;doelCode;doelTitel;bovenliggendDoelCode;bovenliggendDoelTitel;actieId;kenmerk;omschrijving;jaar;geplandeStartDatum;geplandeEindDatum;trekker;trekkerSoort;partners;status;statusSindsDatum;laatstGewijzigdTijdstip;aantalReflecties;opgaveVervalreden;doelVervalreden;bovenliggendDoelVervalreden;gemeenten\r\n"),
                (serde_json::Value = "application/json"),
            )),
        (status = 400, description = "Ongeldige parameters", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Onbekende agenda (of nog niet aangemaakt op de peildatum)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_export(
    view: View,
    id: web::Path<Uuid>,
    q: web::Query<ExportQuery>,
    g: web::Query<GemeenteQuery>,
) -> Result<HttpResponse, Problem> {
    let mut errors = Vec::new();
    let csv = match ExportFormaat::parse(q.formaat.as_deref()) {
        Some(formaat) => formaat == ExportFormaat::Csv,
        None => {
            let other = q.formaat.as_deref().unwrap_or_default();
            errors.push(InvalidParam::new(
                "query.formaat",
                Foutcode::InvalidValue,
                format!("'{other}' is geen exportformaat; kies csv of json."),
            ));
            true
        }
    };
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let agenda_id = *id;
    let met_indicatoren = q.indicatoren.unwrap_or(false);
    let render = move |model: &ReadModel, g: Option<&str>| -> Option<(Vec<u8>, String)> {
        let name = model.agendas.get(&agenda_id)?.state.naam.clone();
        let body = if csv {
            export::csv(model, agenda_id, g, met_indicatoren)?
        } else {
            serde_json::to_vec_pretty(&export::agenda_file(model, agenda_id, g)?).ok()?
        };
        Some((body, name))
    };
    let (position, rendered) = {
        let seen = view.read();
        let gemeente = g.van(&seen.agenda(agenda_id)?.state)?;
        let model = seen.model();
        (model.position, render(model, gemeente.as_deref()))
    };
    let (body, name) = rendered.ok_or_else(|| {
        view.not_found(crate::domain::niet_gevonden("agenda", agenda_id), agenda_id)
    })?;
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let mut res = HttpResponse::Ok();
    res.insert_header(("ETag", format!("W/\"{position}\"")));
    Ok(if csv {
        res.content_type("text/csv; charset=utf-8; header=present")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{slug}.csv\""),
            ))
            .body(body)
    } else {
        res.content_type("application/json").body(body)
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Alleen bij CSV: naam van de nieuwe agenda.
    pub naam: Option<String>,
    /// Alleen bij CSV: gemeente(n), gescheiden door komma's.
    #[param(example = "Twenterand")]
    pub gemeenten: Option<String>,
    /// Alleen bij CSV: begin van de periode, precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[param(value_type = Option<String>, format = Date, example = "2025-01-01")]
    pub periode_start_datum: Option<String>,
    /// Alleen bij CSV: einde van de periode, precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[param(value_type = Option<String>, format = Date, example = "2025-12-31")]
    pub periode_eind_datum: Option<String>,
    /// Alleen bij CSV: naam van het groeperingsniveau (standaard themalijn).
    pub groeperingsniveau: Option<String>,
    /// Alleen bij CSV: de uitvoeringsperiode per gemeente, `Gemeente:JJJJ-MM-DD/JJJJ-MM-DD`, gescheiden door komma's.
    #[param(example = "Borne:2024-01-01/2025-12-31,Hengelo:2026-01-01/2027-12-31")]
    pub uitvoeringsperioden: Option<String>,
}

fn csv_agenda(q: &ImportQuery) -> Result<CsvAgenda, Vec<InvalidParam>> {
    let mut errors = Vec::new();
    let naam = q.naam.clone().filter(|n| !n.trim().is_empty());
    if naam.is_none() {
        errors.push(InvalidParam::new(
            "query.naam",
            Foutcode::Required,
            "Geef bij een CSV-import de naam van de agenda: ?naam=...",
        ));
    }
    let gemeenten: Vec<String> = q
        .gemeenten
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect();
    if gemeenten.is_empty() {
        errors.push(InvalidParam::new(
            "query.gemeenten",
            Foutcode::Required,
            "Geef bij een CSV-import minstens één gemeente: ?gemeenten=...",
        ));
    }
    let mut date = |name: &str, raw: &Option<String>| match raw.as_deref() {
        Some(raw) => super::datum::date("query", name, raw)
            .map_err(|p| errors.push(p))
            .ok(),
        None => {
            errors.push(InvalidParam::new(
                format!("query.{name}"),
                Foutcode::Required,
                format!(
                    "Geef bij een CSV-import {name} als JJJJ-MM-DD (van {}).",
                    crate::domain::datum::RANGE
                ),
            ));
            None
        }
    };
    let start = date("periodeStartDatum", &q.periode_start_datum);
    let eind = date("periodeEindDatum", &q.periode_eind_datum);
    let uitvoeringsperioden = crate::import::csv::parse_uitvoeringsperioden(
        q.uitvoeringsperioden.as_deref().unwrap_or(""),
    )
    .unwrap_or_else(|reason| {
        errors.push(InvalidParam::new(
            "query.uitvoeringsperioden",
            Foutcode::InvalidValue,
            reason,
        ));
        Vec::new()
    });
    match (naam, start, eind, errors.is_empty()) {
        (Some(naam), Some(s), Some(e), true) => Ok(CsvAgenda {
            naam,
            gemeenten,
            periode_start_datum: s,
            periode_eind_datum: e,
            groeperingsniveau: q.groeperingsniveau.clone(),
            uitvoeringsperioden,
        }),
        _ => Err(errors),
    }
}

/// Problems of an import, named after the body (JSON path or CSV row).
pub fn import_problem(errors: Vec<FieldError>) -> Problem {
    super::agendabestand::afgewezen(Problem::invalid(
        errors
            .into_iter()
            .map(|f| {
                let name = if f.field.is_empty() {
                    "body".to_owned()
                } else if f.field.starts_with("query.") {
                    f.field
                } else {
                    format!("body.{}", f.field)
                };
                InvalidParam::new(name, f.code, f.message)
            })
            .collect(),
    ))
}

/// Importeer een agenda (agendabestand als JSON, of CSV-rijen).
///
/// `Content-Type: application/json`: een agendabestand (`mag-tracker/agenda` versie 1, het
/// formaat van de JSON-export; schema `Agendabestand`). Het bestand wordt eerst aan dat schema
/// getoetst (elk probleem tegelijk, één per veld); daarna de regels die een schema niet kan
/// zeggen: codes en kenmerken uniek in de agenda, de code van een doel onder die van zijn opgave,
/// organisaties die bestaan (in `organisaties` of al geregistreerd), geplande datums binnen de
/// periode, groeperingen niet dieper dan `groeperingsniveaus`, de einddatum niet vóór de
/// startdatum. `null` betekent bij elk weg te laten veld hetzelfde als weglaten.
/// `Content-Type: text/csv`: één rij per actie met de kolommen
/// van de CSV-export (opgaveCode, opgaveTitel, omschrijving en jaar verplicht); naam,
/// gemeenten en periode van de agenda als queryparameters; organisaties moeten al bestaan.
/// Een rij met indicatorNaam is geen actie maar één waarde (nulmeting, streefwaarde of
/// meting, per gemeente) van een indicator van het doel van die rij (de kolommen van
/// `?indicatoren=true` bij de CSV-export). Een agendabestand draagt indicatoren bij hun doel.
/// Een rij met alleen groeperingCode en groeperingNaam maakt een groepering zonder eigen acties.
/// `bijdragenAan` (JSON) en de kolommen `…BijdragenAan` (CSV) noemen alleen groeperingen die het
/// bestand zelf heeft; een onbekende naam is een probleem (`unknown-groepering`, met de
/// groeperingen die het bestand wel heeft), er wordt geen groepering bij verzonnen.
/// De `'` die de export voor een formuleteken zet (`'=…`, `'+…`, `'-…`, `'@…`) gaat er weer af.
/// Het kenmerk van een actie blijft zoals het bestand het geeft; een actie zonder kenmerk
/// krijgt het volgende van de code erboven.
/// Alles wordt eerst gecontroleerd; bij één of meer problemen komen ze allemaal in één
/// 400-antwoord (met pad of rij en kolom) en wordt er niets aangemaakt. Anders ontstaat de
/// agenda in één atomaire schrijfactie. Een herhaald verzoek met dezelfde Idempotency-Key
/// maakt niets opnieuw aan en geeft het oorspronkelijke resultaat.
#[utoipa::path(post, path = "/agenda-imports", tag = "Uitwisseling",
    params(ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Maakt het verzoek veilig herhaalbaar"),
        ("X-Audit-Toelichting" = Option<String>, Header, description = "Waarom (komt in de metadata van de gebeurtenissen)")),
    request_body(description = "Een agendabestand (JSON) of CSV-rijen", content(
        (AgendaFile = "application/json"),
        (String = "text/csv"),
    )),
    responses(
        (status = 201, description = "De agenda is aangemaakt; de body zegt wat",
            headers(("Location" = String, description = "De nieuwe agenda"), ("ETag" = String, description = "Versie van de agenda")),
            body = ImportResult),
        (status = 400, description = "Problemen in het bestand (alle tegelijk in invalidParams); niets aangemaakt", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Geen of een ongeldig token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Alleen een beheerder-token maakt agenda's aan", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Het bestand is te groot", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Content-Type is geen application/json of text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Idempotency-Key al gebruikt voor een ander verzoek", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "De opslag kan niet schrijven; niets aangemaakt", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_import(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::AgendaAanmaken)?;
    let content_type = req
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_csv = match content_type.as_str() {
        "application/json" => false,
        "text/csv" => true,
        _ => {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Foutcode::UnsupportedMediaType,
                "Niet-ondersteund mediatype",
                "Stuur een agendabestand met Content-Type: application/json, of CSV met Content-Type: text/csv.",
            ))
        }
    };
    let csv = if is_csv {
        Some(csv_agenda(&q).map_err(Problem::invalid)?)
    } else {
        // The CSV's parameters say nothing to an agenda file, but a date
        // given must still be one (what the spec promises of the parameter).
        let errors: Vec<InvalidParam> = [
            ("periodeStartDatum", &q.periode_start_datum),
            ("periodeEindDatum", &q.periode_eind_datum),
        ]
        .into_iter()
        .filter_map(|(name, raw)| super::datum::date("query", name, raw.as_deref()?).err())
        .collect();
        if !errors.is_empty() {
            return Err(Problem::invalid(errors));
        }
        None
    };
    // The fingerprint covers the type, the query and the body's hash.
    let digest = {
        use sha2::{Digest, Sha256};
        Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let fingerprint = serde_json::json!({
        "contentType": content_type,
        "query": req.query_string(),
        "sha256": digest,
    });
    let ctx = context(&bevoegd, &req, &fingerprint, IfMatch::Optional)?;
    // A reused Idempotency-Key with another body is a 422 whatever that body
    // holds, so the key is checked before the file is.
    state.service.replayed(&ctx)?;
    let source = match csv {
        Some(agenda) => Source::Csv(&body, agenda),
        None => Source::Json(super::agendabestand::lees(&body)?),
    };
    let result = apply::run(&state.service, source, ctx)
        .await
        .map_err(|e| match e {
            ImportError::Invalid(errors) => import_problem(errors),
            ImportError::Service(e) => service_problem(e),
        })?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/agendas/{}", result.agenda_id)))
        .insert_header(("ETag", "\"1\""))
        .json(result))
}

#[derive(OpenApi)]
#[openapi(
    paths(get_export, post_import),
    components(schemas(ImportResult, AgendaFile))
)]
pub struct Api;

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/agendas/{id}/export", web::get().to(get_export))
        .service(
            web::resource("/agenda-imports")
                .app_data(web::PayloadConfig::new(MAX_IMPORT_BYTES))
                .route(web::post().to(post_import)),
        );
}
