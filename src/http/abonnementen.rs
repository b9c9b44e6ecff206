//! `/abonnementen`: webhook subscriptions (issue 20, `docs/notificaties.md`).
//! Every token may subscribe (a programmamanager to one of its agendas); a
//! subscription receives what its token may read, judged per event as the
//! feed does. A token sees and manages its own subscriptions, a beheerder
//! every one; to anyone else a subscription does not exist (404). The
//! signing secret is in the answer to the create (and to a rotation) only.

mod dto;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde_json::Value;
use utoipa::OpenApi;
use uuid::Uuid;

pub use dto::{
    AbonnementDto, AbonnementNieuw, AbonnementWijziging, GewijzigdAbonnementDto, NieuwAbonnementDto,
};

use super::access::{caller, require, unauthenticated};
use super::dto::{Pagina, Paging};
use super::invoer::Invoer;
use super::paging;
use super::problem::{InvalidParam, Problem};
use super::write::{context, etag, IfMatch};
use crate::access::policy::{self, Action};
use crate::access::{Caller, Rol};
use crate::domain::abonnement::{
    Abonnement, AbonnementAangemaakt, AbonnementCommand, AbonnementFilter, Wijziging,
};
use crate::domain::Foutcode;
use crate::http::AppState;
use crate::projections::{Entity, ReadModel};
use crate::webhooks::adres::{self, Geweigerd};
use crate::webhooks::{signing, Aflevering};

fn not_found(id: Uuid) -> Problem {
    Problem::not_found(crate::domain::niet_gevonden("abonnement", id))
}

/// Whether `caller` may see this subscription: its own token's, or a beheerder.
fn sees(caller: &Caller, a: &Abonnement) -> bool {
    caller.rol() == Some(Rol::Beheerder) || caller.token().is_some_and(|t| t.token_id == a.token_id)
}

/// The subscription, if it exists, is not deleted and `caller` may see it.
fn find<'m>(
    m: &'m ReadModel,
    caller: &Caller,
    id: Uuid,
) -> Result<&'m Entity<Abonnement>, Problem> {
    m.abonnementen
        .get(&id)
        .map(|a| a.as_ref())
        .filter(|a| !a.state.verwijderd && sees(caller, &a.state))
        .ok_or_else(|| not_found(id))
}

fn dto(state: &AppState, e: &Entity<Abonnement>) -> AbonnementDto {
    let cursor = state
        .webhooks
        .opslag()
        .ok()
        .and_then(|o| o.cursor(e.id))
        .filter(|c| c.herstart == e.state.herstart)
        .map(|c| c.positie);
    AbonnementDto::from(e, cursor)
}

fn secret_problem(error: impl std::fmt::Display) -> Problem {
    tracing::error!(%error, "could not store a webhook secret");
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        Foutcode::SecretUnavailable,
        "Geheim niet op te slaan",
        "Het geheim van het abonnement kon niet worden opgeslagen; er is niets gewijzigd. Probeer het later opnieuw.",
    )
}

/// The callback URL as the server may call it, checked now (DNS included).
async fn check_url(state: &AppState, raw: &str) -> Result<(), Problem> {
    let t = state.webhooks.instellingen.toegestaan;
    let refused = |g: Geweigerd| {
        let code = match g {
            Geweigerd::Ongeldig(_) => Foutcode::InvalidCallbackUrl,
            Geweigerd::Adres(_) => Foutcode::CallbackUrlNotAllowed,
        };
        Problem::invalid(vec![InvalidParam::new(
            "body.callbackUrl",
            code,
            g.to_string(),
        )])
    };
    let url = adres::vorm(raw, t).map_err(refused)?;
    adres::adressen(&url, t).await.map_err(refused)?;
    Ok(())
}

/// Who may subscribe to what: an agenda named must be one the caller may
/// read (else it is unknown to it); a programmamanager names one of its own.
fn may_subscribe(caller: &Caller, m: &ReadModel, agenda: Option<Uuid>) -> Result<(), Problem> {
    if let Some(a) = agenda.filter(|a| !policy::visible(caller, m, *a)) {
        return Err(Problem::invalid(vec![InvalidParam::new(
            "body.agenda",
            Foutcode::UnknownAgenda,
            crate::domain::niet_gevonden("agenda", a),
        )]));
    }
    match caller.token() {
        Some(t) if t.rol == Rol::Programmamanager && !agenda.is_some_and(|a| t.agendas.contains(&a)) => {
            Err(super::access::denied(policy::Denied::Forbidden(
                "Een programmamanager-token abonneert zich op een van zijn eigen agenda's: geef agenda.".into(),
            )))
        }
        _ => Ok(()),
    }
}

/// De abonnementen van dit token (een beheerder: alle), oudste eerst.
#[utoipa::path(get, path = "/abonnementen", tag = "Abonnementen", params(Paging),
    responses((status = 200, description = "Een pagina abonnementen", body = Pagina<AbonnementDto>), super::responses::ReadErrors))]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&req);
    if caller.is_anonymous() {
        return Err(unauthenticated());
    }
    let m = state.projection.read();
    let mut items: Vec<&Entity<Abonnement>> = m
        .abonnementen
        .values()
        .map(|a| a.as_ref())
        .filter(|a| !a.state.verwijderd && sees(&caller, &a.state))
        .collect();
    items.sort_by_key(|a| (a.aangemaakt, a.id));
    let items: Vec<AbonnementDto> = items.into_iter().map(|a| dto(&state, a)).collect();
    paging::respond(&req, &q, items, m.position)
}

/// Eén abonnement (zonder geheim).
#[utoipa::path(get, path = "/abonnementen/{id}", tag = "Abonnementen", params(("id" = Uuid, Path, description = "Id van het abonnement")),
    responses((status = 200, description = "Het abonnement", body = AbonnementDto), super::responses::ReadErrors))]
pub async fn get(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&req);
    if caller.is_anonymous() {
        return Err(unauthenticated());
    }
    let m = state.projection.read();
    let a = find(&m, &caller, *id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(a.version)))
        .json(dto(&state, a)))
}

/// De laatste afleveringen (hoogstens 50, nieuwste eerst): positie, poging, statuscode, duur en fout.
#[utoipa::path(get, path = "/abonnementen/{id}/afleveringen", tag = "Abonnementen",
    params(("id" = Uuid, Path, description = "Id van het abonnement"), Paging),
    responses((status = 200, description = "Een pagina afleveringen, nieuwste eerst", body = Pagina<Aflevering>), super::responses::ReadErrors))]
pub async fn afleveringen(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&req);
    if caller.is_anonymous() {
        return Err(unauthenticated());
    }
    let position = {
        let m = state.projection.read();
        find(&m, &caller, *id)?;
        m.position
    };
    let items = state
        .webhooks
        .opslag()
        .map(|o| o.deliveries(*id, crate::webhooks::opslag::KEPT_DELIVERIES))
        .unwrap_or_default();
    paging::respond(&req, &q, items, position)
}

/// Maak een abonnement. Het antwoord toont het geheim (`secret`), eenmalig.
#[utoipa::path(post, path = "/abonnementen", tag = "Abonnementen",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek maakt geen tweede abonnement; het geheim wordt dan niet opnieuw getoond (409)")),
    request_body = AbonnementNieuw,
    responses((status = 201, description = "Aangemaakt; bewaar het geheim nu", body = NieuwAbonnementDto), super::responses::WriteErrors))]
pub async fn post(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Invoer<AbonnementNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Abonneren)?;
    let b = body.waarde;
    let Some(t) = bevoegd.token().cloned() else {
        return Err(unauthenticated());
    };
    let gemeente = {
        let m = state.projection.read();
        may_subscribe(&bevoegd, &m, b.agenda)?;
        b.gemeente
            .as_deref()
            .map(|g| super::gebeurtenissen::gemeente_known(&m, b.agenda, g, "body.gemeente"))
            .transpose()?
    };
    if let Some(s) = &b.stream_type {
        super::gebeurtenissen::check_filter(Some(s)).map_err(|_| {
            Problem::invalid(vec![InvalidParam::new(
                "body.streamType",
                Foutcode::InvalidValue,
                format!("'{s}' is geen streamtype."),
            )])
        })?;
    }
    check_url(&state, &b.callback_url).await?;
    let ctx = context(&bevoegd, &req, &body.json, IfMatch::Optional)?;
    let id = Uuid::now_v7();
    let secret = signing::new_secret();
    let opslag = state.webhooks.opslag().map_err(secret_problem)?;
    opslag.put_secret(id, 1, &secret).map_err(secret_problem)?;
    let types = b.event_type.unwrap_or_default();
    let command = AbonnementCommand::Maak {
        id,
        aangemaakt: AbonnementAangemaakt {
            token_id: t.token_id,
            organisatie_id: t.organisatie_id,
            callback_url: b.callback_url,
            filter: AbonnementFilter {
                agenda: b.agenda,
                gemeente,
                stream_type: b.stream_type,
                types,
            },
            vanaf_positie: b.vanaf_positie.unwrap_or_else(|| state.store.head()),
            omschrijving: b.omschrijving,
            batch_grootte: b.batch_grootte.unwrap_or(1),
        },
    };
    let outcome = state.service.execute(ctx, &command).await?;
    if outcome.duplicate {
        let first = outcome.streams.first().map(|s| s.stream_id).unwrap_or(id);
        return Err(Problem::new(
            StatusCode::CONFLICT,
            Foutcode::SubscriptionAlreadyCreated,
            "Abonnement al aangemaakt",
            format!("Met deze Idempotency-Key is al abonnement {first} gemaakt. Het geheim wordt maar één keer getoond; bent u het kwijt, vernieuw het dan (PATCH met geheimVernieuwen)."),
        ));
    }
    let m = state.projection.read();
    let a = m.abonnementen.get(&id).ok_or_else(|| not_found(id))?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(a.version)))
        .insert_header(("Location", format!("/v1/abonnementen/{id}")))
        .json(NieuwAbonnementDto {
            secret,
            gegevens: dto(&state, a),
        }))
}

/// Pauzeer, hervat, spoel terug (`vanafPositie`), vernieuw het geheim, of wijzig de omschrijving of de batchgrootte.
#[utoipa::path(patch, path = "/abonnementen/{id}", tag = "Abonnementen",
    params(("id" = Uuid, Path, description = "Id van het abonnement"),
        ("If-Match" = String, Header, description = "ETag van het abonnement (verplicht)")),
    request_body(content(
        (AbonnementWijziging = "application/merge-patch+json"),
        (AbonnementWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd; na geheimVernieuwen met het nieuwe geheim, eenmalig", body = GewijzigdAbonnementDto), super::responses::WriteErrors))]
pub async fn patch(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<AbonnementWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Abonneren)?;
    let id = *id;
    let (versie, current) = {
        let m = state.projection.read();
        let a = find(&m, &bevoegd, id)?;
        (a.state.geheim_versie, a.version)
    };
    let ctx = context(&bevoegd, &req, &body.json, IfMatch::Required)?;
    let b = body.waarde;
    if b.geheim_vernieuwen == Some(true) {
        // Refused now, before the new secret is stored under `versie + 1`: a
        // node whose model is behind another's rotation would overwrite the
        // secret that rotation committed (the store is shared on PostgreSQL).
        crate::service::check_if_match(&ctx, current)?;
    }
    let mut secret = None;
    let mut wijziging = Wijziging {
        status: b.status,
        vanaf_positie: b.vanaf_positie,
        omschrijving: b.omschrijving.into_change(),
        geheim_vernieuwd: None,
        batch_grootte: b.batch_grootte,
    };
    if b.geheim_vernieuwen == Some(true) {
        let s = signing::new_secret();
        let opslag = state.webhooks.opslag().map_err(secret_problem)?;
        opslag
            .put_secret(id, versie + 1, &s)
            .map_err(secret_problem)?;
        let overlap = chrono::Duration::from_std(state.webhooks.instellingen.rotatie_overlap)
            .unwrap_or_default();
        wijziging.geheim_vernieuwd = Some(Utc::now() + overlap);
        secret = Some(s);
    }
    state
        .service
        .execute(ctx, &AbonnementCommand::Wijzig { id, wijziging })
        .await?;
    let m = state.projection.read();
    let a = find(&m, &bevoegd, id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(a.version)))
        .insert_header(("Location", format!("/v1/abonnementen/{id}")))
        .json(GewijzigdAbonnementDto {
            secret,
            gegevens: dto(&state, a),
        }))
}

/// Beëindig een abonnement: er wordt niets meer afgeleverd.
#[utoipa::path(delete, path = "/abonnementen/{id}", tag = "Abonnementen",
    params(("id" = Uuid, Path, description = "Id van het abonnement"),
        ("If-Match" = Option<String>, Header, description = "ETag van het abonnement (optioneel)")),
    responses((status = 204, description = "Beëindigd"), super::responses::WriteErrors))]
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Abonneren)?;
    {
        let m = state.projection.read();
        find(&m, &bevoegd, *id)?;
    }
    let ctx = context(&bevoegd, &req, &Value::Null, IfMatch::Optional)?;
    state
        .service
        .execute(ctx, &AbonnementCommand::Verwijder { id: *id })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/abonnementen", web::get().to(list))
        .route("/abonnementen", web::post().to(post))
        .route("/abonnementen/{id}", web::get().to(get))
        .route("/abonnementen/{id}", web::patch().to(patch))
        .route("/abonnementen/{id}", web::delete().to(delete))
        .route(
            "/abonnementen/{id}/afleveringen",
            web::get().to(afleveringen),
        );
}

#[derive(OpenApi)]
#[openapi(paths(list, get, afleveringen, post, patch, delete))]
pub struct Api;
