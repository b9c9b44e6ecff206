//! The webhook store's own promises on PostgreSQL and its key: shared by
//! every node with the key (and refused with another), sealed at rest, an
//! old per-node store copied in on upgrade, and `--webhooks-key-file`.

use std::time::Duration;

use serde_json::json;

use super::support::Server;
use super::support_pg;
use super::webhooks_pg::{ok, verify, Receiver};

/// The shared store itself, as two nodes use it: a secret one node stored
/// is readable on the other (same key) and sealed in the database; the
/// cursor and the last deliveries are shared; another key is refused with a
/// message naming the flag.
#[test]
fn the_shared_webhook_store_is_the_same_for_every_node_with_the_key() {
    use mag_tracker::webhooks::opslag::{Cursor, KEPT_DELIVERIES};
    use mag_tracker::webhooks::{Aflevering, Opslag};
    let Some(db) = support_pg::database("journeys::webhooks_pg::store") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("shared.key");
    let one = Opslag::postgres(&db.url, None, &key).unwrap();
    let two = Opslag::postgres(&db.url, None, &key).unwrap();
    let id = uuid::Uuid::now_v7();
    one.put_secret(id, 1, "whsec_Z2VoZWltIHZhbiBub2RlIGVlbg==")
        .unwrap();
    assert_eq!(
        two.secret(id, 1).as_deref(),
        Some("whsec_Z2VoZWltIHZhbiBub2RlIGVlbg==")
    );
    assert_eq!(two.secret(id, 2), None);
    assert_eq!(two.secret(uuid::Uuid::now_v7(), 1), None);
    let raw = support_pg::psql(
        &db.url,
        "SELECT encode(sealed, 'escape') FROM mag_webhook_secrets",
    );
    assert!(!raw.contains("Z2VoZWlt"), "stored sealed: {raw}");

    assert_eq!(two.cursor(id), None);
    let c = Cursor {
        herstart: 2,
        positie: 41,
    };
    one.set_cursor(id, c).unwrap();
    assert_eq!(two.cursor(id), Some(c));
    for p in 0..(KEPT_DELIVERIES as u64 + 5) {
        let a = Aflevering {
            positie: p,
            tot_positie: Some(p + 1),
            poging: 1,
            statuscode: Some(200),
            duur_ms: 3,
            fout: None,
            antwoord: Some("ok".into()),
            tijdstip: chrono::Utc::now(),
        };
        one.record(id, &a).unwrap();
    }
    // Recorded in memory first (newest shown at once), written by `sync`.
    assert_eq!(one.deliveries(id, 3)[0].positie, KEPT_DELIVERIES as u64 + 4);
    assert!(two.deliveries(id, 3).is_empty());
    one.sync().unwrap();
    let last = two.deliveries(id, 1000);
    assert_eq!(last.len(), KEPT_DELIVERIES);
    assert_eq!(last[0].positie, KEPT_DELIVERIES as u64 + 4, "newest first");
    assert_eq!(last[0].antwoord.as_deref(), Some("ok"));
    assert_eq!(last[0].tot_positie, Some(KEPT_DELIVERIES as u64 + 5));
    let rows = support_pg::psql(&db.url, "SELECT count(*) FROM mag_webhook_deliveries");
    assert_eq!(rows, KEPT_DELIVERIES.to_string(), "older ones are removed");
    for p in [100, 101] {
        let mut a = last[0].clone();
        a.positie = p;
        one.record(id, &a).unwrap();
    }
    one.sync().unwrap();
    let last = two.deliveries(id, 1000);
    assert_eq!(last.len(), KEPT_DELIVERIES);
    assert_eq!(
        (last[0].positie, last[1].positie, last[2].positie),
        (101, 100, 54)
    );
    let rows = support_pg::psql(&db.url, "SELECT count(*) FROM mag_webhook_deliveries");
    assert_eq!(rows, KEPT_DELIVERIES.to_string());

    let other = tmp.path().join("other.key");
    let refused = Opslag::postgres(&db.url, None, &other)
        .err()
        .expect("another key is refused")
        .to_string();
    assert!(
        refused.contains(&format!(
            "the webhook key {} is not the key the other nodes on this database use",
            other.display()
        )) && refused.contains("--webhooks-key-file"),
        "{refused}"
    );
}

/// A node that delivered before the webhook store moved to PostgreSQL keeps
/// its subscriptions working: its local secrets (sealed with its own old
/// key) and cursors are copied into the shared store once, sealed again
/// with the shared key, and the old directory gets a note.
#[test]
fn an_upgraded_node_copies_its_local_secrets_and_cursors_into_the_shared_store() {
    use mag_tracker::event_store::DatabaseArg;
    use mag_tracker::webhooks::opslag::{overzetten::NOTE, Cursor};
    use mag_tracker::webhooks::{Instellingen, Opslag, Webhooks};
    let Some(db) = support_pg::database("journeys::webhooks_pg::upgrade") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    let (id, kept) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let c = Cursor {
        herstart: 1,
        positie: 977,
    };
    {
        let old = Opslag::open(&dir).unwrap();
        old.put_secret(id, 1, "whsec_b3VkIGdlaGVpbQ==").unwrap();
        old.put_secret(id, 2, "whsec_bmlldXcgZ2VoZWlt").unwrap();
        old.set_cursor(id, c).unwrap();
        old.put_secret(kept, 1, "whsec_bG9rYWFs").unwrap();
    }
    let shared_key = tmp.path().join("shared.key");
    let database = DatabaseArg {
        database_url: Some(db.url.clone()),
        database_ca_file: None,
    };
    // Another node already stored a newer cursor for `kept`: it stays.
    let other = Opslag::postgres(&db.url, None, &shared_key).unwrap();
    let newer = Cursor {
        herstart: 3,
        positie: 5,
    };
    other.set_cursor(kept, newer).unwrap();
    let w = Webhooks::open(
        &dir,
        Some(&shared_key),
        &database,
        Instellingen::default(),
        false,
    )
    .unwrap();
    let shared = w.opslag().unwrap();
    assert_eq!(
        shared.secret(id, 1).as_deref(),
        Some("whsec_b3VkIGdlaGVpbQ==")
    );
    assert_eq!(
        shared.secret(id, 2).as_deref(),
        Some("whsec_bmlldXcgZ2VoZWlt")
    );
    assert_eq!(other.secret(kept, 1).as_deref(), Some("whsec_bG9rYWFs"));
    assert_eq!(other.cursor(id), Some(c));
    assert_eq!(other.cursor(kept), Some(newer));
    let note = std::fs::read_to_string(dir.join("webhooks").join(NOTE)).unwrap();
    assert!(note.contains("(3 secrets, 1 cursors)"), "{note}");
}

/// `--webhooks-key-file` puts the key where the operator says, on sled too
/// (created 0600 on first start, none in the data directory), and after a
/// restart with it the server still signs with the subscription's secret.
#[test]
fn the_webhook_key_file_flag_places_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, key) = (
        tmp.path().join("data"),
        tmp.path().join("keys").join("mag.key"),
    );
    let beheerder = super::support::token_create_ok(&dir, "beheerder", "Gemeente Twenterand", &[]);
    let flags = [
        "--webhooks-key-file",
        key.to_str().unwrap(),
        "--webhooks-allow-http-loopback",
    ];
    let rx = Receiver::start();
    let server = Server::start(&dir, &flags);
    let made = ok(
        server.post("/abonnementen", &beheerder, &json!({"callbackUrl": rx.url})),
        "subscribe",
    );
    let (id, secret) = (
        made["id"].as_str().unwrap(),
        made["secret"].as_str().unwrap(),
    );
    rx.wait_for(
        made["vanafPositie"].as_u64().unwrap() + 1,
        Duration::from_secs(20),
    );
    server.stop();
    let bytes = std::fs::read(&key).expect("the key is where the flag says");
    assert_eq!(bytes.len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        !dir.join("webhooks.key").exists(),
        "no key in the data directory"
    );

    let server = Server::start(&dir, &flags);
    let path = format!("/abonnementen/{id}");
    let etag = server
        .get(&path, Some(&beheerder))
        .header("etag")
        .unwrap()
        .to_owned();
    let changed = server.merge_patch(
        &path,
        &beheerder,
        &etag,
        &json!({"omschrijving": "na herstart"}),
    );
    assert_eq!(changed.status, 200, "{}", changed.text);
    let at: u64 = changed.header("x-positie").unwrap().parse().unwrap();
    rx.wait_for(at, Duration::from_secs(20));
    for g in rx.got() {
        verify(secret, &g);
    }
    let shown = ok(server.get(&path, Some(&beheerder)), "abonnement");
    assert_eq!(shown["status"], "actief", "{shown}");
    assert_eq!(std::fs::read(&key).unwrap(), bytes, "the key is kept");
    server.stop();
}
