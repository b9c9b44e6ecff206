//! Authentication: 401 for every bad token, the actor on every event,
//! idempotency keys scoped to the token, and no token in any event.

use super::*;

fn first_actie(app: &TestApp, opgave: &str) -> String {
    let a = agenda_id(app);
    let (_, list) = get(app, &format!("/agendas/{a}/acties?opgave={opgave}"));
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
    let (status, _, _) = send(
        &app,
        "POST",
        &format!("/acties/{actie}/statuswijzigingen"),
        &[],
        r#"{"status":"lopend"}"#,
    );
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
