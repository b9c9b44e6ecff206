//! Journey: a programme manager drafts next year's agenda unpublished. The
//! public and partners without a role in it see nothing of it, however they
//! spell its id, in lists, the feed and the live stream; a partner's stream
//! ends when the beheerder revokes its token; once published, everyone reads it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{cli_ok, token_from, Server};

const MARK: &str = "Qvhconcept";

/// A way to spell a path with an id in it.
type Spell = dyn Fn(&str) -> String;

/// Reads a live stream until it ends (or `limit` passes): the text and
/// whether it ended.
fn read_stream(
    server: &Server,
    token: &str,
    on_open: impl FnOnce(),
    limit: Duration,
) -> (String, bool) {
    let addr = server
        .base
        .trim_start_matches("http://")
        .trim_end_matches("/v1");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    write!(
        s,
        "GET /v1/gebeurtenissen/stream?na=0 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let (mut text, mut on_open) = (String::new(), Some(on_open));
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 16 * 1024];
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => return (text, true),
            Ok(n) => text.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(_) => {}
        }
        if text.ends_with("\r\n0\r\n\r\n") {
            return (text, true);
        }
        if text.contains(": verbonden") {
            if let Some(f) = on_open.take() {
                f();
            }
        }
    }
    (text, false)
}

#[test]
fn an_unpublished_agenda_stays_hidden_until_it_is_published() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let beheerder = token_from(&cli_ok(&[
        "token",
        "create",
        "--rol",
        "beheerder",
        "--organisatie",
        "Gemeente Twenterand",
        "--data-dir",
        d,
    ]));
    let server = Server::start(&dir, &[]);
    let org = |naam: &str| {
        let r = server.get(
            &format!("/organisaties?naam={}", naam.replace(' ', "%20")),
            None,
        );
        r.json()["resultaten"][0]["id"].as_str().unwrap().to_owned()
    };
    let (gemeente, taalpunt) = (org("Gemeente Twenterand"), org("Taalpunt"));

    // the draft: an unpublished agenda with an opgave
    let agenda = server.post(
        "/agendas",
        &beheerder,
        &json!({"naam": format!("{MARK} MAG 2027"), "gemeenten": ["Twenterand"], "gepubliceerd": false,
            "periodeStartDatum": "2027-01-01", "periodeEindDatum": "2027-12-31"}),
    );
    assert_eq!(agenda.status, 201, "{}", agenda.text);
    let a = agenda.json()["id"].as_str().unwrap().to_owned();
    let token = |rol: &str, org: &str, agendas: Vec<&str>| {
        let r = server.post(
            "/tokens",
            &beheerder,
            &json!({"organisatieId": org, "rol": rol, "omschrijving": "reis", "agendas": agendas}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let body = r.json();
        (
            body["token"].as_str().unwrap().to_owned(),
            body["id"].as_str().unwrap().to_owned(),
        )
    };
    let (pm, _) = token("programmamanager", &gemeente, vec![&a]);
    let (partner, partner_id) = token("partner", &taalpunt, vec![]);
    let opgave = server.post(
        &format!("/agendas/{a}/opgaven"),
        &pm,
        &json!({"code": "1.1", "titel": format!("{MARK} eenzaamheid")}),
    );
    assert_eq!(opgave.status, 201, "{}", opgave.text);
    let o = opgave.json()["id"].as_str().unwrap().to_owned();

    // the public and a partner without a role: nothing, however it is spelled
    let unknown = uuid::Uuid::now_v7().to_string();
    for who in [None, Some(partner.as_str())] {
        assert!(!server.get("/agendas", who).text.contains(MARK));
        let feed = server.get("/gebeurtenissen?na=0&pageSize=500", who);
        assert_eq!(feed.status, 200);
        assert!(
            !feed.text.contains(MARK),
            "{who:?} reads the draft in the feed"
        );
        let spellings: [(&Spell, &str); 4] = [
            (&|id| format!("/agendas/%7B{id}%7D"), &a),
            (&|id| format!("/agendas/{}", id.replace('-', "%2D")), &a),
            (&|id| format!("/opgaven/urn:uuid:{}", id.to_uppercase()), &o),
            (
                &|id| format!("/opgaven/%{:02X}{}/pdca", id.as_bytes()[0], &id[1..]),
                &o,
            ),
        ];
        for (spell, id) in spellings {
            let r = server.get(&spell(id), who);
            assert_eq!(r.status, 404, "{who:?} GET {}: {}", spell(id), r.text);
            assert!(!r.text.contains(MARK));
            let other = server.get(&spell(&unknown), who);
            assert_eq!(
                r.json()["detail"].as_str().unwrap().replace(id, "ID"),
                other.json()["detail"]
                    .as_str()
                    .unwrap()
                    .replace(&unknown, "ID"),
                "a hidden id reads like an unknown one"
            );
        }
    }

    // the partner's live stream: nothing of the draft, and it ends when its
    // token is revoked
    let revoke = || {
        let r = server.call(
            "DELETE",
            &format!("/tokens/{partner_id}"),
            Some(&beheerder),
            &[],
            "",
        );
        assert_eq!(r.status, 204, "{}", r.text);
    };
    let started = Instant::now();
    let (stream, ended) = read_stream(&server, &partner, revoke, Duration::from_secs(10));
    assert!(ended, "the stream of a revoked token still runs: {stream}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        stream.contains("event: einde") && stream.contains("token-revoked"),
        "{stream}"
    );
    assert!(!stream.contains(MARK), "{stream}");

    // published: everyone reads it
    let etag = server
        .get(&format!("/agendas/{a}"), Some(&pm))
        .header("etag")
        .unwrap()
        .to_owned();
    let r = server.call(
        "PATCH",
        &format!("/agendas/{a}"),
        Some(&pm),
        &[("If-Match", &etag)],
        &json!({"gepubliceerd": true}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let r = server.get(&format!("/agendas/%7B{a}%7D"), None);
    assert_eq!(r.status, 200);
    assert!(r.text.contains(&format!("{MARK} MAG 2027")));
    assert!(server
        .get("/gebeurtenissen?na=0&pageSize=500", None)
        .text
        .contains(MARK));
    server.stop();
}
