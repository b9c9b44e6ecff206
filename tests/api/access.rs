//! Authentication: 401 for every bad token, the actor on every event,
//! idempotency keys scoped to the token, and no token in any event.

use super::support::*;
use mag_tracker::access::bootstrap::{issue_as_system, NewToken};
use mag_tracker::access::Rol;
use mag_tracker::app::open_state;
use mag_tracker::event_store::{SledOptions, SledStore};
use serde_json::json;
use std::sync::Arc;

fn first_actie(app: &TestApp, opgave: &str) -> String {
    let a = agenda_id(app);
    let (_, list) = app
        .als_pm()
        .get(&format!("/agendas/{a}/acties?opgave={opgave}"));
    list["resultaten"][0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn bad_or_missing_tokens_are_refused_with_401_and_nothing_is_appended() {
    let app = spawn();
    let actie = first_actie(&app, "2.5");
    let path = format!("/acties/{actie}/statuswijzigingen");
    let body = Some(r#"{"status":"lopend"}"#);
    let head = app.head();
    let forged = format!("mag_{}_{}", app.pm[4..36].to_owned(), "0".repeat(64));
    let cases: Vec<(Option<&str>, &str)> = vec![
        (None, "authentication-required"),
        (Some("not-a-token"), "token-malformed"),
        (Some("mag_123_456"), "token-malformed"),
        (Some(&forged), "token-unknown"),
    ];
    for (token, code) in cases {
        let r = request(&app, "POST", &path, token, &[], body);
        assert_eq!(r.status, 401, "{code}");
        assert_eq!(r.body["code"], code);
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/problem+json"));
        assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
        assert!(
            !r.body.to_string().contains(&app.pm[37..]),
            "the secret is never echoed"
        );
    }
    // Basic auth is not a bearer token
    let r = request(
        &app,
        "GET",
        "/agendas",
        None,
        &[("Authorization", "Basic dXNlcjpwYXNz")],
        None,
    );
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (401, Some("token-malformed"))
    );
    // a bad token is refused on reads too (anonymous means: no header)
    let r = request(&app, "GET", "/agendas", Some(&forged), &[], None);
    assert_eq!(r.status, 401);
    assert_eq!(app.head(), head, "nothing appended");
}

#[test]
fn an_expired_token_is_refused() {
    let app = spawn();
    let org = organisatie_id(&app.state, "Gemeente Twenterand");
    let agenda: uuid::Uuid = agenda_id(&app).parse().unwrap();
    let service = app.state.service.clone();
    let token = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let new = NewToken {
                organisatie_id: org,
                rol: Rol::Programmamanager,
                omschrijving: "kort".into(),
                agendas: vec![agenda],
                verloop: Some(chrono::Utc::now() + chrono::Duration::milliseconds(600)),
                gemeente: None,
            };
            issue_as_system(&service, "test", new).await.unwrap()
        })
    })
    .join()
    .unwrap();
    let secret = token.secret.expose().to_owned();
    assert_eq!(
        request(&app, "GET", "/agendas", Some(&secret), &[], None).status,
        200
    );
    std::thread::sleep(std::time::Duration::from_millis(800));
    let r = request(&app, "GET", "/agendas", Some(&secret), &[], None);
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (401, Some("token-expired"))
    );
}

#[test]
fn every_event_records_the_token_as_actor_and_never_the_secret() {
    let app = spawn();
    let actie = first_actie(&app, "2.5");
    let status = request(
        &app,
        "POST",
        &format!("/acties/{actie}/statuswijzigingen"),
        Some(&app.pm),
        &[],
        Some(r#"{"status":"lopend"}"#),
    )
    .status;
    assert_eq!(status, 201);
    let event = app.state.store.event_at(app.head()).unwrap().unwrap();
    let actor = serde_json::to_value(&event.metadata.actor).unwrap();
    assert_eq!(actor["soort"], "token");
    assert_eq!(actor["rol"], "programmamanager");
    assert_eq!(
        actor["organisatieId"],
        organisatie_id(&app.state, "Gemeente Twenterand").to_string()
    );
    let token_id = uuid::Uuid::parse_str(&app.pm[4..36]).unwrap();
    assert_eq!(actor["tokenId"], token_id.to_string());
    // no event in the whole log contains a token secret
    let all = app.state.store.read_all(0, usize::MAX).unwrap();
    let log = serde_json::to_string(&all).unwrap();
    for secret in [&app.pm, &app.beheerder] {
        assert!(!log.contains(&secret[37..]));
    }
    // the demo import stays the system
    assert_eq!(
        all[0].metadata.actor.label.as_deref(),
        Some("system (demo import)")
    );
}

#[test]
fn an_idempotency_key_is_scoped_to_the_callers_token() {
    let app = spawn();
    let agenda: uuid::Uuid = agenda_id(&app).parse().unwrap();
    let other = app.token(Rol::Programmamanager, "Gemeente Twenterand", vec![agenda]);
    let actie = first_actie(&app, "2.5");
    let path = format!("/acties/{actie}/voortgangsberichten");
    let key = [("Idempotency-Key", "same-key")];
    let body = Some(r#"{"tekst":"Informatieavond gehouden"}"#);
    let first = request(&app, "POST", &path, Some(&app.pm), &key, body);
    let again = request(&app, "POST", &path, Some(&app.pm), &key, body);
    assert_eq!((first.status, again.status), (201, 201));
    assert_eq!(
        first.body["id"], again.body["id"],
        "a retry returns the original"
    );
    let theirs = request(&app, "POST", &path, Some(&other), &key, body);
    assert_eq!(theirs.status, 201);
    assert_ne!(
        theirs.body["id"], first.body["id"],
        "another token's key is its own"
    );
}

#[test]
fn tokens_are_issued_once_listed_without_secret_and_revoked() {
    let app = spawn();
    let taalpunt = organisatie_id(&app.state, "Taalpunt").to_string();
    let body =
        json!({"organisatieId": taalpunt, "rol": "partner", "omschrijving": "script taalpunt"})
            .to_string();
    let created = request(
        &app,
        "POST",
        "/tokens",
        Some(&app.beheerder),
        &[],
        Some(&body),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let secret = created.body["token"].as_str().unwrap().to_owned();
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(&format!("mag_{}_", id.replace('-', ""))));
    assert_eq!(created.header("cache-control"), Some("no-store"));
    // usable at once, and the use is recorded
    assert_eq!(
        request(&app, "GET", "/agendas", Some(&secret), &[], None).status,
        200
    );
    let one = request(
        &app,
        "GET",
        &format!("/tokens/{id}"),
        Some(&app.beheerder),
        &[],
        None,
    );
    assert_eq!(one.body["rol"], "partner");
    assert!(one.body["laatstGebruiktTijdstip"].is_string());
    let list = request(
        &app,
        "GET",
        "/tokens?pageSize=500",
        Some(&app.beheerder),
        &[],
        None,
    );
    assert_eq!(list.status, 200);
    let text = list.body.to_string();
    assert!(
        !text.contains(&secret[37..]) && !text.contains("sha256"),
        "no secret, no hash"
    );
    // only a beheerder sees tokens
    assert_eq!(
        request(&app, "GET", "/tokens", Some(&app.pm), &[], None).status,
        403
    );
    assert_eq!(request(&app, "GET", "/tokens", None, &[], None).status, 401);
    // invalid input: all problems at once
    let bad = json!({"organisatieId": uuid::Uuid::now_v7(), "rol": "koning", "verloopTijdstip": "morgen"}).to_string();
    let r = request(
        &app,
        "POST",
        "/tokens",
        Some(&app.beheerder),
        &[],
        Some(&bad),
    );
    assert_eq!(
        (r.status, r.body["invalidParams"].as_array().map(Vec::len)),
        (400, Some(3))
    );
    // revoke: refused from now on, still listed as revoked
    let head = app.head();
    let r = request(
        &app,
        "DELETE",
        &format!("/tokens/{id}"),
        Some(&app.beheerder),
        &[],
        None,
    );
    assert_eq!(r.status, 204);
    assert_eq!(app.head(), head + 1);
    let r = request(&app, "GET", "/agendas", Some(&secret), &[], None);
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (401, Some("token-revoked"))
    );
    let r = request(
        &app,
        "DELETE",
        &format!("/tokens/{id}"),
        Some(&app.beheerder),
        &[],
        None,
    );
    assert_eq!(
        (r.status, app.head()),
        (204, head + 1),
        "revoking twice appends nothing"
    );
    let one = request(
        &app,
        "GET",
        &format!("/tokens/{id}"),
        Some(&app.beheerder),
        &[],
        None,
    );
    assert_eq!(one.body["ingetrokken"], true);
}

#[test]
fn a_partner_cannot_touch_another_organisations_actie_nor_write_as_another() {
    let app = spawn();
    let mijande = app.token(Rol::Partner, "Mijande", vec![]);
    let actie = first_actie(&app, "2.5"); // trekker: Gemeente Twenterand
    let head = app.head();
    let r = request(
        &app,
        "POST",
        &format!("/acties/{actie}/statuswijzigingen"),
        Some(&mijande),
        &[],
        Some(r#"{"status":"lopend"}"#),
    );
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (403, Some("forbidden"))
    );
    assert!(
        r.body["detail"].as_str().unwrap().contains("trekker"),
        "{}",
        r.body
    );
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/problem+json"));
    assert_eq!(app.head(), head, "nothing appended");
    // a gemeente partner token is trekker here, but may not write as another organisatie
    let gemeente = app.token(Rol::Partner, "Gemeente Twenterand", vec![]);
    let other = organisatie_id(&app.state, "Mijande").to_string();
    let body = json!({"tekst": "namens een ander", "auteurOrganisatieId": other}).to_string();
    let r = request(
        &app,
        "POST",
        &format!("/acties/{actie}/voortgangsberichten"),
        Some(&gemeente),
        &[],
        Some(&body),
    );
    assert_eq!(r.status, 403);
    let r = request(
        &app,
        "POST",
        &format!("/acties/{actie}/voortgangsberichten"),
        Some(&gemeente),
        &[],
        Some(r#"{"tekst":"eigen bericht"}"#),
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        r.body["auteurOrganisatieId"],
        organisatie_id(&app.state, "Gemeente Twenterand").to_string()
    );
}

#[test]
fn an_unpublished_agenda_does_not_exist_for_anonymous_callers() {
    let app = spawn();
    let a = agenda_id(&app);
    let (_, acties) = app.als_pm().get(&format!("/agendas/{a}/acties"));
    let actie = acties["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let opgave = app.als_pm().get(&format!("/agendas/{a}/opgaven")).1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let etag = request(
        &app,
        "GET",
        &format!("/agendas/{a}"),
        Some(&app.pm),
        &[],
        None,
    );
    let etag = etag.header("etag").unwrap().to_owned();
    let (status, _, _) = app.als_pm().send(
        "PATCH",
        &format!("/agendas/{a}"),
        &[("If-Match", &etag)],
        r#"{"gepubliceerd":false}"#,
    );
    assert_eq!(status, 200);
    for path in [
        format!("/agendas/{a}"),
        format!("/agendas/{a}/opgaven"),
        format!("/agendas/{a}/acties"),
        format!("/opgaven/{opgave}"),
        format!("/acties/{actie}"),
        format!("/acties/{actie}/voortgangsberichten"),
    ] {
        let r = request(&app, "GET", &path, None, &[], None);
        assert_eq!(r.status, 404, "{path}");
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/problem+json"));
        // its programmamanager still reads it
        let pm = request(&app, "GET", &path, Some(&app.pm), &[], None);
        assert_eq!(pm.status, 200, "{path}");
    }
    let list = request(&app, "GET", "/agendas", None, &[], None).body;
    assert_eq!(list["totaal"], 0, "the list does not leak it");
    let r = request(&app, "GET", "/agendas", Some(&app.pm), &[], None);
    assert_eq!(r.body["totaal"], 1);
}

#[test]
fn the_cli_issues_the_first_beheerder_token_against_the_data_directory() {
    use clap::Parser;
    use mag_tracker::cli::token::{create, TokenArgs, TokenCommand};
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        token: TokenCommand,
    }
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli::parse_from([
        "mag-tracker",
        "create",
        "--rol",
        "beheerder",
        "--organisatie",
        "gemeente twenterand",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    let TokenCommand::Create(args) = TokenArgs { command: cli.token }.command;
    let (rol, issued) = create(args).unwrap();
    assert_eq!(rol, Rol::Beheerder);
    let token = issued.secret.expose().to_owned();
    assert!(token.starts_with("mag_") && token.len() == 101);
    let store = Arc::new(SledStore::open(dir.path(), SledOptions::default()).unwrap());
    let state = open_state(store).unwrap();
    let m = state.projection.read();
    assert_eq!(
        m.agendas.len(),
        1,
        "the demo was loaded first, as serve would"
    );
    let header = format!("Bearer {token}");
    let caller =
        mag_tracker::access::authenticate(&m, Some(header.as_bytes()), chrono::Utc::now()).unwrap();
    assert_eq!(caller.rol(), Some(Rol::Beheerder));
}

#[test]
fn the_feed_shows_token_events_to_beheerders_only_and_hides_unpublished_agendas_from_anonymous() {
    let app = spawn();
    let types = |token: Option<&str>| -> Vec<(String, Option<String>)> {
        let r = request(
            &app,
            "GET",
            "/gebeurtenissen?pageSize=500",
            token,
            &[],
            None,
        );
        assert_eq!(r.status, 200);
        r.body["gebeurtenissen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap().to_owned(),
                    e["metadata"]["agendaId"].as_str().map(str::to_owned),
                )
            })
            .collect()
    };
    let tokens =
        |v: &[(String, Option<String>)]| v.iter().filter(|(t, _)| t.starts_with("Token")).count();
    assert!(tokens(&types(Some(&app.beheerder))) >= 2);
    assert_eq!(tokens(&types(Some(&app.pm))), 0);
    assert_eq!(tokens(&types(None)), 0);
    // unpublish the demo agenda: anonymous callers no longer see its events
    let a = agenda_id(&app);
    let etag = request(
        &app,
        "GET",
        &format!("/agendas/{a}"),
        Some(&app.pm),
        &[],
        None,
    );
    let etag = etag.header("etag").unwrap().to_owned();
    let r = request(
        &app,
        "PATCH",
        &format!("/agendas/{a}"),
        Some(&app.pm),
        &[("If-Match", &etag)],
        Some(r#"{"gepubliceerd":false}"#),
    );
    assert_eq!(r.status, 200);
    let anonymous = types(None);
    assert!(anonymous
        .iter()
        .all(|(_, agenda)| agenda.as_deref() != Some(a.as_str())));
    assert!(types(Some(&app.pm))
        .iter()
        .any(|(_, agenda)| agenda.as_deref() == Some(a.as_str())));
    // Naming the unpublished agenda reads like naming one that does not
    // exist: a page without events (a hidden agenda is absent from feeds).
    let named = |agenda: &str| {
        let path = format!("/gebeurtenissen?agenda={agenda}");
        let r = request(&app, "GET", &path, None, &[], None);
        (r.status, r.body["gebeurtenissen"].clone())
    };
    assert_eq!(named(&a), (200, serde_json::json!([])));
    assert_eq!(named(&a), named(&uuid::Uuid::now_v7().to_string()));
}
