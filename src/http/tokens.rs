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
use super::invoer::{Invoer, Tijdstip};
use super::paging;
use super::problem::Problem;
use super::write::{context, etag, IfMatch};
use crate::access::bootstrap::{self, NewToken};
use crate::access::policy::Action;
use crate::access::Rol;
use crate::domain::token::{Token, TokenCommand};
use crate::domain::Foutcode;
use crate::http::AppState;
use crate::projections::{Entity, ReadModel};

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
    /// De gemeente waartoe een programmamanager-token beperkt is (leeg: de hele agenda).
    #[schema(example = "Borne")]
    pub gemeente: Option<String>,
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
            gemeente: t.gemeente.clone(),
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenNieuw {
    /// De organisatie van het token.
    organisatie_id: Uuid,
    #[schema(example = "partner")]
    rol: Rol,
    /// Waarvoor het token is; geen persoonsgegevens.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "script voortgang bibliotheek"
    )]
    omschrijving: String,
    /// Verplicht voor een programmamanager, en alleen dan: de agenda's die het beheert.
    #[schema(nullable = false)]
    agendas: Option<Vec<Uuid>>,
    /// Alleen voor een programmamanager: beperk het token tot deze gemeente van zijn agenda's. Het leest dan de hele agenda, maar maakt en wijzigt alleen acties van die gemeente en wijzigt de indeling van de agenda niet.
    #[schema(nullable = false, min_length = 1, pattern = r"\S", example = "Borne")]
    gemeente: Option<String>,
    /// Optioneel verlooptijdstip, in de toekomst.
    #[schema(nullable = false)]
    verloop_tijdstip: Option<Tijdstip>,
    /// Toelichting voor de audittrail (of header X-Audit-Toelichting).
    toelichting: Option<String>,
}

fn not_found(id: Uuid) -> Problem {
    Problem::not_found(crate::domain::niet_gevonden("token", id))
}

/// Alle tokens (zonder geheim), oudste eerst. Alleen voor beheerders.
#[utoipa::path(get, path = "/tokens", tag = "Tokens", params(Paging),
    responses((status = 200, description = "Een pagina tokens", body = Pagina<TokenDto>), super::responses::ReadErrors))]
pub async fn list_tokens(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let _ = require(&req, &state, Action::TokensBeheren)?;
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
    let _ = require(&req, &state, Action::TokensBeheren)?;
    let m = state.projection.read();
    let t = m.tokens.get(&id).ok_or_else(|| not_found(*id))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(t.version)))
        .json(TokenDto::from(t, &m, &state)))
}

/// Maak een token aan. Het antwoord bevat het token zelf, eenmalig.
#[utoipa::path(post, path = "/tokens", tag = "Tokens",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek maakt geen tweede token; het geheim wordt dan niet opnieuw getoond (409)")),
    request_body = TokenNieuw,
    responses((status = 201, description = "Aangemaakt; bewaar het token nu", body = NieuwTokenDto), super::responses::WriteErrors))]
pub async fn post_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Invoer<TokenNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::TokensBeheren)?;
    let b = body.waarde;
    let ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    let new = NewToken {
        organisatie_id: b.organisatie_id,
        rol: b.rol,
        omschrijving: b.omschrijving,
        agendas: b.agendas.unwrap_or_default(),
        verloop: b.verloop_tijdstip.map(|t| t.0),
        gemeente: b.gemeente,
    };
    let issued = bootstrap::issue(&state.service, ctx, new).await?;
    if issued.outcome.duplicate {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            Foutcode::TokenAlreadyIssued,
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
    id: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::TokensBeheren)?;
    let ctx = context(&bevoegd, &req, &Value::Null, IfMatch::Optional)?;
    let command = TokenCommand::TrekIn {
        id: *id,
        reden: ctx.metadata.toelichting.clone(),
    };
    state.service.execute(ctx, &command).await?;
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
