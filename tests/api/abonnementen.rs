//! `/abonnementen` (webhook subscriptions): the body is its schema and the
//! rules are named at once, the callback URL is checked (https, no internal
//! addresses), every token may subscribe to what it may read, a
//! subscription is hidden (404) from other tokens under every id spelling,
//! and the secret is shown once: in the answer to the create or a rotation,
//! never in a GET, a list or an event.

use base64::Engine;
use mag_tracker::access::Rol;
use serde_json::{json, Value};

use crate::support::*;
use crate::zichtbaarheid::hidden_agenda;

const HOOK: &str = "https://93.184.215.14/mag-webhook";

/// A create that must succeed: 201 with the secret, `ETag` and `Location`;
/// the subscription reads the same at `Location`, without the secret.
fn create(c: Caller<'_>, body: &Value) -> Resp {
    let r = c.post("/abonnementen", body);
    assert_eq!(r.status, 201, "{body}: {}", r.body);
    assert!(r.etag.starts_with('"') && r.location.starts_with("/v1/abonnementen/"));
    let mut expected = r.body.clone();
    expected.as_object_mut().unwrap().remove("secret");
    assert_eq!(
        c.get(&r.location["/v1".len()..]).1,
        expected,
        "read-your-writes"
    );
    r
}

fn names(r: &Resp) -> Vec<String> {
    let mut n = r.invalid();
    n.sort();
    n
}

fn reason<'a>(r: &'a Resp, name: &str) -> (&'a str, &'a str) {
    let p = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {}", r.body));
    (p["code"].as_str().unwrap(), p["reason"].as_str().unwrap())
}

#[test]
fn a_subscription_body_is_its_schema_and_every_problem_is_named_at_once() {
    let app = spawn();
    let b = app.als_beheerder();
    let head = app.head();
    let r = b.refused(
        "POST",
        "/abonnementen",
        &[],
        &json!({"callbackUrl": 7, "streamType": "planeet", "vanafPositie": -1,
            "omschrijving": "x".repeat(201), "geheim": "zelf"})
        .to_string(),
        400,
    );
    assert_eq!(
        names(&r),
        [
            "body.callbackUrl",
            "body.geheim",
            "body.omschrijving",
            "body.streamType",
            "body.vanafPositie"
        ]
    );
    // the domain's rules, all at once
    let r = b.refused(
        "POST",
        "/abonnementen",
        &[],
        &json!({"callbackUrl": HOOK, "vanafPositie": head + 1000, "type": ["ActieStatusGewijzigd", "Taart"]})
            .to_string(),
        400,
    );
    assert_eq!(names(&r), ["body.type[1]"], "the schema first");
    let r = b.refused(
        "POST",
        "/abonnementen",
        &[],
        &json!({"callbackUrl": HOOK, "vanafPositie": head + 1000, "type": ["ActieStatusGewijzigd"]})
            .to_string(),
        400,
    );
    assert_eq!(reason(&r, "body.vanafPositie").0, "beyond-head");
    // an unknown agenda and a gemeente that is not one of it
    let r = b.refused(
        "POST",
        "/abonnementen",
        &[],
        &json!({"callbackUrl": HOOK, "agenda": uuid::Uuid::now_v7()}).to_string(),
        400,
    );
    assert_eq!(reason(&r, "body.agenda").0, "unknown-agenda");
    let r = b.refused(
        "POST",
        "/abonnementen",
        &[],
        &json!({"callbackUrl": HOOK, "agenda": agenda_id(&app), "gemeente": "Atlantis"})
            .to_string(),
        400,
    );
    assert_eq!(reason(&r, "body.gemeente").0, "unknown-gemeente");
    assert!(reason(&r, "body.gemeente").1.contains("Twenterand"));
}

#[test]
fn only_https_callbacks_to_public_addresses_are_taken() {
    let app = spawn();
    let b = app.als_beheerder();
    for (url, code, says) in [
        (
            "http://93.184.215.14/hook",
            "invalid-callback-url",
            "https://",
        ),
        (
            "ftp://93.184.215.14/hook",
            "invalid-callback-url",
            "https://",
        ),
        ("/relatief", "invalid-callback-url", "absolute URL"),
        (
            "https://gebruiker:wachtwoord@93.184.215.14/",
            "invalid-callback-url",
            "wachtwoord",
        ),
        (
            "http://127.0.0.1:9/hook",
            "invalid-callback-url",
            "--webhooks-allow-http-loopback",
        ),
        (
            "https://127.0.0.1/hook",
            "callback-url-not-allowed",
            "127.0.0.1",
        ),
        (
            "https://10.1.2.3/hook",
            "callback-url-not-allowed",
            "10.1.2.3",
        ),
        (
            "https://192.168.1.10/hook",
            "callback-url-not-allowed",
            "intern",
        ),
        (
            "https://169.254.169.254/latest/meta-data",
            "callback-url-not-allowed",
            "169.254.169.254",
        ),
        ("https://[::1]/hook", "callback-url-not-allowed", "::1"),
        (
            "https://[::ffff:10.0.0.1]/hook",
            "callback-url-not-allowed",
            "10.0.0.1",
        ),
        (
            "https://localhost/hook",
            "callback-url-not-allowed",
            "loopback",
        ),
    ] {
        let r = b.refused(
            "POST",
            "/abonnementen",
            &[],
            &json!({ "callbackUrl": url }).to_string(),
            400,
        );
        let (c, why) = reason(&r, "body.callbackUrl");
        assert_eq!(c, code, "{url}: {why}");
        assert!(why.contains(says), "{url}: {why}");
    }
}

#[test]
fn the_secret_is_shown_once_and_never_in_a_read_or_an_event() {
    let app = spawn();
    let b = app.als_beheerder();
    let head = app.head();
    let r = create(
        b,
        &json!({"callbackUrl": HOOK, "omschrijving": "rapportage", "type": ["ActieStatusGewijzigd"]}),
    );
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    let raw = secret.strip_prefix("whsec_").expect("whsec_ prefix");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .unwrap();
    assert_eq!(bytes.len(), 32, "256 random bits");
    assert_eq!(r.body["vanafPositie"], head, "default: from now on");
    assert_eq!(r.body["status"], "actief");
    assert_eq!(r.body["type"], json!(["ActieStatusGewijzigd"]));
    let id = r.id();
    let (_, one) = b.get(&format!("/abonnementen/{id}"));
    let (_, list) = b.get("/abonnementen");
    let feed = b
        .get(&format!("/gebeurtenissen?na={head}&streamType=abonnement"))
        .1;
    assert_eq!(feed["gebeurtenissen"][0]["type"], "AbonnementAangemaakt");
    assert_eq!(feed["gebeurtenissen"][0]["data"]["callbackUrl"], HOOK);
    for (what, v) in [("GET", &one), ("list", &list), ("feed", &feed)] {
        let text = v.to_string();
        assert!(!text.contains(raw), "{what} shows the secret");
        assert!(!text.contains("\"secret\""), "{what} has a secret field");
    }
    assert_eq!(list["resultaten"][0]["id"], id.as_str());
    // a retry with the same Idempotency-Key makes nothing and shows no secret
    let body = json!({"callbackUrl": HOOK}).to_string();
    let first = b.call(
        "POST",
        "/abonnementen",
        &[("Idempotency-Key", "k1")],
        Some(&body),
    );
    assert_eq!(first.status, 201);
    let again = b.refused(
        "POST",
        "/abonnementen",
        &[("Idempotency-Key", "k1")],
        &body,
        409,
    );
    assert_eq!(again.code(), "subscription-already-created");
    assert!(again.body["detail"].as_str().unwrap().contains(&first.id()));
}

#[test]
fn rotating_the_secret_shows_the_new_one_once_and_keeps_the_old_one_a_day() {
    let app = spawn();
    let b = app.als_beheerder();
    let r = create(b, &json!({ "callbackUrl": HOOK }));
    let (id, old) = (r.id(), r.body["secret"].as_str().unwrap().to_owned());
    let path = format!("/abonnementen/{id}");
    // If-Match is required, as on every PATCH
    b.refused(
        "PATCH",
        &path,
        &[],
        &json!({"geheimVernieuwen": true}).to_string(),
        428,
    );
    let p = b.patch(
        &path,
        &r.etag,
        &json!({"geheimVernieuwen": true, "omschrijving": "nieuw"}),
    );
    assert_eq!(p.status, 200, "{}", p.body);
    let new = p.body["secret"].as_str().unwrap();
    assert!(new.starts_with("whsec_") && new != old);
    assert_eq!(p.body["omschrijving"], "nieuw");
    let until = p.body["vorigGeheimGeldigTotTijdstip"].as_str().unwrap();
    let until = chrono::DateTime::parse_from_rfc3339(until).unwrap();
    let hours =
        (until.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!((23.9..=24.0).contains(&hours), "grace period {hours} h");
    let (_, read) = b.get(&path);
    assert!(read.get("secret").is_none() && !read.to_string().contains(new));
    // a change without rotation shows no secret; a stale ETag is a 412
    let q = b.patch(&path, &p.etag, &json!({"status": "gepauzeerd"}));
    assert_eq!((q.status, q.body.get("secret")), (200, None));
    assert_eq!(
        (q.body["status"].as_str(), q.body["pauzeCode"].as_str()),
        (Some("gepauzeerd"), Some("door-abonnee"))
    );
    b.refused(
        "PATCH",
        &path,
        &[("If-Match", &p.etag)],
        &json!({"status": "actief"}).to_string(),
        412,
    );
    let events = b.get(&format!("/abonnementen/{id}/afleveringen")).1;
    assert_eq!(
        events["resultaten"],
        json!([]),
        "nothing delivered in API tests"
    );
}

/// A rotation with a stale `If-Match` is refused before a new secret is
/// stored: on several nodes sharing the webhook store, a node whose model is
/// behind would otherwise overwrite the secret another node's rotation
/// committed under the same version.
#[test]
fn a_stale_rotation_stores_no_secret() {
    let app = spawn();
    let b = app.als_beheerder();
    let r = create(b, &json!({ "callbackUrl": HOOK }));
    let (id, secret) = (r.id(), r.body["secret"].as_str().unwrap().to_owned());
    let uuid: uuid::Uuid = id.parse().unwrap();
    let path = format!("/abonnementen/{id}");
    let p = b.patch(&path, &r.etag, &json!({"omschrijving": "eerst"}));
    assert_eq!(p.status, 200, "{}", p.body);
    let stale = b.patch(&path, &r.etag, &json!({"geheimVernieuwen": true}));
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.body["code"], "stale-etag");
    assert!(stale.body.get("secret").is_none());
    let opslag = app.state.webhooks.opslag().unwrap();
    assert_eq!(
        opslag.secret(uuid, 2),
        None,
        "no secret stored for the refused rotation"
    );
    assert_eq!(opslag.secret(uuid, 1), Some(secret));
}

#[test]
fn every_token_subscribes_to_what_it_may_read_and_sees_only_its_own() {
    let app = spawn();
    let hidden = hidden_agenda(&app);
    let lezer = app.token(Rol::Lezer, "Taalpunt", vec![]);
    let partner = app.token(Rol::Partner, "Taalpunt", vec![]);
    let trekker = app.token(Rol::Partner, "Bibliotheek Twenterand", vec![]);
    let demo = agenda_id(&app);
    // anonymous: 401; a lezer may subscribe
    app.anoniem().refused(
        "POST",
        "/abonnementen",
        &[],
        &json!({"callbackUrl": HOOK}).to_string(),
        401,
    );
    assert_eq!(app.anoniem().get("/abonnementen").0, 401);
    let mine = create(app.als(&lezer), &json!({ "callbackUrl": HOOK })).id();
    // a partner cannot name an agenda it may not read: unknown to it
    let r = app.als(&partner).refused(
        "POST",
        "/abonnementen",
        &[],
        &json!({"callbackUrl": HOOK, "agenda": hidden.agenda}).to_string(),
        400,
    );
    assert_eq!(reason(&r, "body.agenda").0, "unknown-agenda");
    // the trekker in it can
    create(
        app.als(&trekker),
        &json!({"callbackUrl": HOOK, "agenda": hidden.agenda}),
    );
    // a programmamanager names one of its own agendas
    let r = app.als_pm().refused(
        "POST",
        "/abonnementen",
        &[],
        &json!({"callbackUrl": HOOK}).to_string(),
        403,
    );
    assert!(r.body["detail"].as_str().unwrap().contains("eigen agenda"));
    create(app.als_pm(), &json!({"callbackUrl": HOOK, "agenda": demo}));
    // another token: the subscription does not exist, under every spelling of its id
    let u = uuid::Uuid::parse_str(&mine).unwrap();
    for spelling in [
        mine.clone(),
        mine.to_uppercase(),
        u.simple().to_string(),
        format!("{{{mine}}}"),
    ] {
        for (method, path, body) in [
            ("GET", format!("/abonnementen/{spelling}"), None),
            (
                "GET",
                format!("/abonnementen/{spelling}/afleveringen"),
                None,
            ),
            ("DELETE", format!("/abonnementen/{spelling}"), None),
            (
                "PATCH",
                format!("/abonnementen/{spelling}"),
                Some(json!({"status": "gepauzeerd"})),
            ),
        ] {
            let body = body.map(|b: Value| b.to_string());
            let r = app
                .als(&partner)
                .call(method, &path, &[("If-Match", "*")], body.as_deref());
            assert_eq!(r.status, 404, "{method} {path}: {}", r.body);
            assert_eq!(
                r.body["detail"],
                format!("Er is geen abonnement met id {mine}.")
            );
        }
    }
    let list = app.als(&partner).get("/abonnementen").1;
    assert_eq!(list["resultaten"], json!([]));
    assert_eq!(app.als(&lezer).get("/abonnementen").1["totaal"], 1);
    // the beheerder sees every subscription, and the owner deletes its own
    assert_eq!(
        app.als_beheerder().get("/abonnementen").1["resultaten"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let d = app
        .als(&lezer)
        .call("DELETE", &format!("/abonnementen/{mine}"), &[], None);
    assert_eq!(d.status, 204);
    assert_eq!(app.als(&lezer).get(&format!("/abonnementen/{mine}")).0, 404);
    // subscription events are the beheerder's only in the feed
    let feed = app
        .als(&lezer)
        .get("/gebeurtenissen?streamType=abonnement")
        .1;
    assert_eq!(feed["gebeurtenissen"], json!([]));
}

#[test]
fn the_feed_takes_the_gemeente_filter_of_subscriptions() {
    let app = spawn();
    let r = app
        .anoniem()
        .refused("GET", "/gebeurtenissen?gemeente=Atlantis", &[], "", 400);
    assert_eq!(reason(&r, "query.gemeente").0, "unknown-gemeente");
    let b = app.als_beheerder();
    let all = b.get("/gebeurtenissen?pageSize=500").1;
    let page = b.get("/gebeurtenissen?pageSize=500&gemeente=twenterand").1;
    let kinds = |p: &Value| -> Vec<String> {
        p["gebeurtenissen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["streamType"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(kinds(&all).iter().any(|k| k == "token"));
    let only = kinds(&page);
    // (organisaties imported with the agenda carry its agendaId, as for `agenda`)
    assert!(
        only.iter().any(|k| k == "actie") && only.iter().all(|k| k != "token"),
        "{only:?}"
    );
    // an agenda of another gemeente is left out
    let other = b.post(
        "/agendas",
        &json!({"naam": "Agenda Elders", "gemeenten": ["Elders"], "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31"}),
    );
    assert_eq!(other.status, 201);
    let after = app.head() - 1;
    let elders = b
        .get(&format!("/gebeurtenissen?na={after}&gemeente=Elders"))
        .1;
    assert_eq!(elders["gebeurtenissen"][0]["type"], "AgendaAangemaakt");
    let twenterand = b
        .get(&format!("/gebeurtenissen?na={after}&gemeente=Twenterand"))
        .1;
    assert_eq!(twenterand["gebeurtenissen"], json!([]));
}
