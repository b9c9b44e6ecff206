//! `/tokens`: issuing, listing and revoking API tokens (beheerder only).
//! The token itself is in the response to `POST /tokens` and nowhere else.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::dto::{Pagina, Paging};
use super::paging;
use super::problem::Problem;
use super::write::{context, etag, service_problem, Body, IfMatch};
use crate::access::bootstrap::{self, NewToken};
use crate::access::policy::Action;
use crate::access::Rol;
use crate::app::AppState;
use crate::domain::token::Token;
use crate::projections::{Entity, ReadModel};
use crate::service::ServiceError;

/// A token as the API shows it: never the token itself, nor its hash.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenDto {
    pub id: Uuid,
    pub organisatie_id: Uuid,
    pub organisatie_naam: Option<String>,
    /// beheerder, programmamanager, partner of lezer.
    #[schema(value_type = crate::domain::token::Rol, example = "partner")]
    pub rol: String,
    #[schema(example = "script voortgang bibliotheek")]
    pub omschrijving: String,
    /// De agenda's van een programmamanager.
    pub agendas: Vec<Uuid>,
    /// Na dit tijdstip wordt het token geweigerd (leeg: verloopt niet).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub verloop_tijdstip: Option<DateTime<Utc>>,
    pub ingetrokken: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ingetrokken_tijdstip: Option<DateTime<Utc>>,
    #[schema(value_type = String, format = DateTime)]
    pub aangemaakt_tijdstip: DateTime<Utc>,
    /// Laatste gebruik, op de minuut (leeg: nog niet gebruikt).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub laatst_gebruikt_tijdstip: Option<DateTime<Utc>>,
    pub versie: u64,
}

impl TokenDto {
    fn from(e: &Entity<Token>, m: &ReadModel, state: &AppState) -> Self {
        let t = &e.state;
        Self {
            id: e.id,
            organisatie_id: t.organisatie_id,
            organisatie_naam: m
                .organisaties
                .get(&t.organisatie_id)
                .map(|o| o.state.naam.clone()),
            rol: t.rol.as_str().to_owned(),
            omschrijving: t.omschrijving.clone(),
            agendas: t.agendas.clone(),
            verloop_tijdstip: t.verloop,
            ingetrokken: t.ingetrokken.is_some(),
            ingetrokken_tijdstip: t.ingetrokken,
            aangemaakt_tijdstip: e.aangemaakt,
            laatst_gebruikt_tijdstip: state.access.usage.last_used(e.id),
            versie: e.version,
        }
    }
}

/// The response to `POST /tokens`: the only time the token is shown.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NieuwTokenDto {
    /// Het token zelf: bewaar het nu, het wordt nooit meer getoond. Gebruik: `Authorization: Bearer <token>`.
    #[schema(example = "mag_0195f3c28a4e7c1b9a521f0d3e4b5a6c_3f9a…")]
    pub token: String,
    #[serde(flatten)]
    pub gegevens: TokenDto,
}

/// Body of `POST /tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct TokenIn {
    organisatie_id: Uuid,
    /// beheerder, programmamanager, partner of lezer.
    #[schema(example = "partner")]
    rol: String,
    /// Waarvoor het token is; geen persoonsgegevens.
    #[schema(example = "script voortgang bibliotheek")]
    omschrijving: String,
    /// Verplicht voor een programmamanager: de agenda's die het beheert.
    agendas: Option<Vec<Uuid>>,
    /// Optioneel verlooptijdstip: RFC 3339 met tijdzone, van 1900-01-01 t/m 2200-12-31 (UTC).
    #[schema(value_type = Option<String>, format = DateTime)]
    verloop_tijdstip: Option<DateTime<Utc>>,
    toelichting: Option<String>,
}

fn not_found(id: Uuid) -> Problem {
    Problem::not_found(format!("Er is geen token met id {id}."))
}

/// Alle tokens (zonder geheim), oudste eerst. Alleen voor beheerders.
#[utoipa::path(get, path = "/tokens", tag = "Tokens", params(Paging),
    responses((status = 200, description = "Een pagina tokens", body = Pagina<TokenDto>), super::responses::ReadErrors))]
pub async fn list_tokens(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::TokensBeheren)?;
    let m = state.projection.read();
    let mut tokens: Vec<_> = m.tokens.values().collect();
    tokens.sort_by_key(|t| (t.aangemaakt, t.id));
    let items = tokens
        .into_iter()
        .map(|t| TokenDto::from(t, &m, &state))
        .collect();
    paging::respond(&req, &q, items, m.position)
}

/// Eén token (zonder geheim). Alleen voor beheerders.
#[utoipa::path(get, path = "/tokens/{id}", tag = "Tokens", params(("id" = Uuid, Path, description = "Id van het token")),
    responses((status = 200, description = "Het token", body = TokenDto), super::responses::ReadErrors))]
pub async fn get_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::TokensBeheren)?;
    let m = state.projection.read();
    let t = m.tokens.get(&id).ok_or_else(|| not_found(*id))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(t.version)))
        .json(TokenDto::from(t, &m, &state)))
}

/// Maak een token aan. Het antwoord bevat het token zelf, eenmalig.
#[utoipa::path(post, path = "/tokens", tag = "Tokens",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek maakt geen tweede token; het geheim wordt dan niet opnieuw getoond (409)")),
    request_body = TokenIn,
    responses((status = 201, description = "Aangemaakt; bewaar het token nu", body = NieuwTokenDto), super::responses::WriteErrors))]
pub async fn post_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::TokensBeheren)?;
    let mut b = Body::new(
        &body,
        &[
            "organisatieId",
            "rol",
            "omschrijving",
            "agendas",
            "verloopTijdstip",
            "toelichting",
        ],
    );
    let organisatie_id = b.uuid("organisatieId", true);
    let rol = b.choice("rol", true, &Rol::ALL);
    let omschrijving = b.string("omschrijving", true);
    let agendas = b.uuids("agendas").unwrap_or_default();
    let verloop = b.instant("verloopTijdstip");
    b.string("toelichting", false);
    b.finish()?;
    let ctx = context(&req, &body, IfMatch::Optional)?;
    let new = NewToken {
        organisatie_id: organisatie_id.expect("validated"),
        rol: rol.expect("validated"),
        omschrijving: omschrijving.unwrap_or_default(),
        agendas,
        verloop,
    };
    let issued = bootstrap::issue(&state.service, ctx, new)
        .await
        .map_err(service_problem)?;
    if issued.outcome.duplicate {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "token-already-issued",
            "Token al aangemaakt",
            format!("Met deze Idempotency-Key is al token {} aangemaakt. Het token wordt maar één keer getoond; bent u het kwijt, trek het dan in en maak een nieuw aan.", issued.id),
        ));
    }
    let m = state.projection.read();
    let t = m
        .tokens
        .get(&issued.id)
        .ok_or_else(|| not_found(issued.id))?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(t.version)))
        .insert_header(("Location", format!("/v1/tokens/{}", issued.id)))
        .json(NieuwTokenDto {
            token: issued.secret.expose().to_owned(),
            gegevens: TokenDto::from(t, &m, &state),
        }))
}

/// Trek een token in: het wordt vanaf nu geweigerd. Het token blijft zichtbaar als ingetrokken.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "Tokens",
    params(("id" = Uuid, Path, description = "Id van het token"),
        ("If-Match" = Option<String>, Header, description = "ETag van het token (optioneel)"),
        ("X-Audit-Toelichting" = Option<String>, Header, description = "Reden van intrekken")),
    responses((status = 204, description = "Ingetrokken (of was al ingetrokken)"), super::responses::WriteErrors))]
pub async fn delete_token(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let id: Uuid = req
        .match_info()
        .get("id")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            Problem::invalid(vec![super::problem::InvalidParam::new(
                "path.id",
                "invalid-uuid",
                "Het id moet een UUID zijn.",
            )])
        })?;
    require(&req, &state, Action::TokensBeheren)?;
    let ctx = context(&req, &Value::Null, IfMatch::Optional)?;
    let reden = ctx.metadata.toelichting.clone();
    state
        .service
        .update(id, ctx, |m| {
            let t = m
                .tokens
                .get(&id)
                .ok_or_else(|| ServiceError::NotFound(format!("Er is geen token met id {id}.")))?;
            Ok((t.version, t.state.revoke(reden.clone())?))
        })
        .await
        .map_err(service_problem)?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/tokens", web::get().to(list_tokens))
        .route("/tokens", web::post().to(post_token))
        .route("/tokens/{id}", web::get().to(get_token))
        .route("/tokens/{id}", web::delete().to(delete_token));
}

#[derive(OpenApi)]
#[openapi(paths(list_tokens, get_token, post_token, delete_token))]
pub struct Api;
