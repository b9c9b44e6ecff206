//! Tokens never reach the log (issue 15): a run of the real binary that was
//! sent tokens every way a client might, valid and not, and whose whole
//! stderr log (text and JSON format) holds no token text.

use super::support::*;

/// Every way a client might send `token` (valid or not): header, query,
/// path, body, other headers.
fn send_everywhere(server: &Server, token: &str, valid: &str) {
    let bearer = format!("Bearer {token}");
    for (name, value) in [
        ("Authorization", bearer.as_str()),
        ("Authorization", &format!("Bearer  {token}x")),
        ("Authorization", &format!("bearer {token} extra")),
        ("Authorization", token),
        ("Authorization", &format!("Token {token}")),
        ("Authorization", &format!("Basic {token}")),
    ] {
        server.call("GET", "/agendas", None, &[(name, value)], "");
        server.call("GET", "/nergens", None, &[(name, value)], "");
    }
    for query in [
        format!("/agendas?access_token={token}"),
        format!("/agendas?token={token}"),
        format!("/agendas?page=1&Access_Token={token}&pageSize=2"),
        format!("/agendas?x={token}"),
        format!("/agendas/{token}"),
        format!("/agendas/{token}/acties?peildatum=2024-1-1"),
        format!("/gebeurtenissen?na={token}"),
    ] {
        server.call("GET", &query, None, &[], "");
        server.call("GET", &query, Some(valid), &[], "");
    }
    // in a body: as a field, as an unknown field, in broken JSON
    for body in [
        format!(r#"{{"naam":"Org","soort":"welzijn","token":"{token}"}}"#),
        format!(r#"{{"naam":"{token}","soort":"nergens"}}"#),
        format!(r#"{{"naam":"{token}"#),
    ] {
        server.call("POST", "/organisaties", Some(valid), &[], &body);
        server.call("POST", "/organisaties", Some(token), &[], &body);
    }
    // in other headers: a bad Idempotency-Key (too long), If-Match, toelichting
    let long = format!("{token}{}", "k".repeat(300));
    let body = r#"{"naam":"Org","soort":"onbekend"}"#;
    for (name, value) in [
        ("Idempotency-Key", long.as_str()),
        ("Idempotency-Key", token),
        ("If-Match", token),
        ("X-Bijsturing-Id", token),
    ] {
        server.call("POST", "/organisaties", Some(valid), &[(name, value)], body);
    }
    server.call(
        "POST",
        "/tokens",
        Some(valid),
        &[],
        &format!(r#"{{"rol":"partner","omschrijving":"{token}","verloopTijdstip":"{token}"}}"#),
    );
}

/// No part of the secret of `token` in `log`, nor any other `mag_` token.
fn assert_clean(log: &str, token: &str, format: &str) {
    let secret = &token["mag_".len()..];
    for window in 0..secret.len().saturating_sub(12) {
        let piece = &secret[window..window + 12];
        assert!(
            !log.contains(piece),
            "{format} log holds token text {piece:?}:\n{log}"
        );
    }
    for word in log.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        assert!(
            !word.starts_with("mag_") || word == "mag_tracker" || word == "mag_",
            "{format} log holds a token-shaped word {word:?}"
        );
    }
}

#[test]
fn no_token_sent_any_way_reaches_the_servers_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let beheerder = token_create_ok(&dir, "beheerder", "Gemeente Twenterand", &[]);
    for format in ["text", "json"] {
        let server = Server::start(&dir, &["--log-format", format]);
        // a second, valid partner token made over the API
        let created = server.post(
            "/tokens",
            &beheerder,
            &serde_json::json!({"organisatieId": organisatie(&server), "rol": "partner", "omschrijving": "log"}),
        );
        assert_eq!(created.status, 201, "{}", created.text);
        let partner = created.json()["token"].as_str().unwrap().to_owned();
        let mut altered = beheerder.clone();
        altered.pop();
        altered.push('0');
        for token in [
            &beheerder,
            &partner,
            &altered,
            &format!("mag_{}", "x".repeat(20)),
        ] {
            send_everywhere(&server, token, &beheerder);
        }
        let log = server.stop();
        for token in [&beheerder, &partner, &altered] {
            assert_clean(&log, token, format);
        }
        // the requests were logged, with the secrets taken out
        assert!(
            log.contains("access_token=[REDACTED]") && log.contains("/agendas/mag_[REDACTED]"),
            "{format} log shows the redacted request lines:\n{log}"
        );
    }
}

fn organisatie(server: &Server) -> String {
    let list = server.get("/organisaties?naam=Taalpunt", None).json();
    list["resultaten"][0]["id"].as_str().unwrap().to_owned()
}
