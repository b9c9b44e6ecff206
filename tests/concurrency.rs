//! Concurrency over HTTP: 64 clients sending the same `If-Match` write at
//! once get exactly one 2xx and 63 × 412; under mixed concurrent load no
//! acknowledged write is lost and none is stored twice.

use std::net::TcpListener;
use std::sync::{Arc, Barrier};

use mag_tracker::app::{load_demo, open_state, Application};
use mag_tracker::event_store::{SledOptions, SledStore};
use serde_json::Value;

struct TestApp {
    base: String,
    /// `Authorization` of a programmamanager token of the demo agenda.
    auth: String,
    _dir: tempfile::TempDir,
}

fn spawn() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let store = Arc::new(SledStore::open(&path, SledOptions::default()).unwrap());
            let state = open_state(store).unwrap();
            load_demo(&state).await.unwrap();
            let (agenda, org) = {
                let m = state.projection.read();
                let org = m
                    .organisaties
                    .values()
                    .find(|o| o.state.naam == "Gemeente Twenterand")
                    .unwrap()
                    .id;
                (*m.agendas.keys().next().unwrap(), org)
            };
            let token = mag_tracker::access::bootstrap::issue_as_system(
                &state.service,
                "test",
                mag_tracker::access::bootstrap::NewToken {
                    organisatie_id: org,
                    rol: mag_tracker::access::Rol::Programmamanager,
                    omschrijving: "concurrency test".into(),
                    agendas: vec![agenda],
                    verloop: None,
                    gemeente: None,
                },
            )
            .await
            .unwrap();
            let auth = format!("Bearer {}", token.secret.expose());
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let app = Application::build(state, listener).unwrap();
            tx.send((app.port, auth)).unwrap();
            let _ = app.server.await;
        })
    });
    let (port, auth) = rx.recv().unwrap();
    TestApp {
        auth,
        base: format!("http://127.0.0.1:{port}/v1"),
        _dir: dir,
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn get(app: &TestApp, path: &str) -> Value {
    agent()
        .get(format!("{}{path}", app.base))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap()
}

fn acties(app: &TestApp) -> Vec<String> {
    let agenda = get(app, "/agendas")["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    get(app, &format!("/agendas/{agenda}/acties?pageSize=500"))["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn sixty_four_clients_with_the_same_if_match_one_wins() {
    let app = spawn();
    let actie = acties(&app)[0].clone();
    let before = get(&app, &format!("/acties/{actie}"));
    let version = before["versie"].as_u64().unwrap();
    let barrier = Arc::new(Barrier::new(64));
    let url = format!("{}/acties/{actie}/trekker", app.base);
    let auth = app.auth.clone();
    let statuses: Vec<u16> = (0..64)
        .map(|i| {
            let (barrier, url, auth) = (barrier.clone(), url.clone(), auth.clone());
            std::thread::spawn(move || {
                let body = serde_json::json!({"soort": "groep", "naam": format!("Werkgroep {i}")});
                let agent = agent();
                barrier.wait();
                agent
                    .put(&url)
                    .header("Authorization", &auth)
                    .header("Content-Type", "application/json")
                    .header("If-Match", &format!("\"{version}\""))
                    .send(body.to_string())
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    let ok = statuses.iter().filter(|s| (200..300).contains(*s)).count();
    let stale = statuses.iter().filter(|s| **s == 412).count();
    assert_eq!(
        (ok, stale),
        (1, 63),
        "exactly one write wins, the others are told their version is stale: {statuses:?}"
    );
    let after = get(&app, &format!("/acties/{actie}"));
    assert_eq!(after["versie"].as_u64(), Some(version + 1));
}

#[test]
fn mixed_concurrent_load_loses_nothing() {
    let app = spawn();
    let acties = Arc::new(acties(&app));
    let barrier = Arc::new(Barrier::new(32));
    let handles: Vec<_> = (0..32)
        .map(|t| {
            let (barrier, acties, base) = (barrier.clone(), acties.clone(), app.base.clone());
            let auth = app.auth.clone();
            std::thread::spawn(move || {
                let agent = agent();
                barrier.wait();
                let mut acked = Vec::new();
                for n in 0..20 {
                    // Several clients write to the same acties at once.
                    let actie = &acties[(t + n) % 8];
                    let tekst = format!("t{t} n{n}");
                    let r = agent
                        .post(format!("{base}/acties/{actie}/voortgangsberichten"))
                        .header("Authorization", &auth)
                        .header("Content-Type", "application/json")
                        .send(serde_json::json!({ "tekst": tekst }).to_string())
                        .unwrap();
                    assert_eq!(
                        r.status().as_u16(),
                        201,
                        "a write without If-Match is retried internally, never refused"
                    );
                    acked.push((actie.clone(), tekst));
                    // Reads interleave with the writes.
                    let r = agent.get(format!("{base}/acties/{actie}")).call().unwrap();
                    assert_eq!(r.status().as_u16(), 200);
                }
                acked
            })
        })
        .collect();
    let acked: Vec<(String, String)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(acked.len(), 32 * 20);
    for actie in acties.iter().take(8) {
        let served: Vec<String> = get(
            &app,
            &format!("/acties/{actie}/voortgangsberichten?pageSize=500"),
        )["resultaten"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["tekst"].as_str().map(str::to_owned))
            .collect();
        let expected: Vec<&String> = acked
            .iter()
            .filter(|(a, _)| a == actie)
            .map(|(_, t)| t)
            .collect();
        assert_eq!(
            served.len(),
            expected.len(),
            "nothing lost, nothing doubled"
        );
        for t in expected {
            assert_eq!(served.iter().filter(|s| *s == t).count(), 1);
        }
    }
}
