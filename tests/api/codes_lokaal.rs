//! Local codes, the way a programme manager numbers a nota's doelen 1..4
//! within each opgave with unnumbered results under them: weergavecodes,
//! uniqueness among siblings, lookups by code, renumbering to no code and
//! time travel to before it. Tokens are explicit (see [`crate::codes::Pm`]).

use serde_json::{json, Value};

use crate::codes::{id, Pm};
use crate::support::request;

#[test]
fn doelen_numbered_within_each_opgave_show_under_their_opgave() {
    let pm = Pm::new_agenda("Lokale codes", &["thema"]);
    let a = pm.agenda.clone();
    let start = pm.app.head();
    let g = id(&pm.create(
        &format!("/agendas/{a}/groeperingen"),
        json!({"naam": "Gezond", "code": "1"}),
    ));
    let opgave = |titel: &str, code: &str, groepering: Option<&str>| {
        pm.create(
            &format!("/agendas/{a}/opgaven"),
            json!({"titel": titel, "code": code, "groeperingId": groepering}),
        )
    };
    // A groepering 1 and an opgave 1 at the agenda level coexist.
    let bewegen = opgave("Bewegen", "1", Some(&g));
    let wonen = opgave("Wonen", "1", None);
    let roken = opgave("Roken", "2", Some(&g));
    assert_eq!(
        [&bewegen, &wonen, &roken].map(|o| o["weergavecode"].clone()),
        [json!("1.1"), json!("1"), json!("1.2")]
    );
    let (bewegen, roken) = (id(&bewegen), id(&roken));
    // Two opgaven both have doelen 1 to 4.
    let mut doelen = Vec::new();
    for (o, titel) in [(&bewegen, "Bewegen"), (&roken, "Roken")] {
        for n in 1..=4 {
            doelen.push(pm.create(
                &format!("/opgaven/{o}/doelen"),
                json!({"code": n.to_string(), "titel": format!("Doel {n} van {titel}")}),
            ));
        }
    }
    let weergave: Vec<Value> = doelen.iter().map(|d| d["weergavecode"].clone()).collect();
    assert_eq!(weergave[3], json!("1.1.4"));
    assert_eq!(weergave[4], json!("1.2.1"));
    let roken_1 = id(&doelen[4]);
    let result = pm.create(
        &format!("/opgaven/{roken}/doelen"),
        json!({"titel": "Rookvrije schoolpleinen", "bovenliggendDoelId": roken_1}),
    );
    assert_eq!(result["weergavecode"], json!(null));
    // Among the doelen of one opgave a code is taken, case ignored.
    let r = pm.send(
        "POST",
        &format!("/opgaven/{roken}/doelen"),
        &json!({"code": "1", "titel": "Dubbel"}),
    );
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("duplicate-code"))
    );
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("dezelfde opgave"),
        "{}",
        r.body
    );
    pm.create(
        &format!("/agendas/{a}/opgaven"),
        json!({"titel": "Alcohol", "code": "A", "groeperingId": g}),
    );
    let r = pm.send(
        "POST",
        &format!("/agendas/{a}/opgaven"),
        &json!({"titel": "Drugs", "code": "a", "groeperingId": g}),
    );
    assert_eq!(r.status, 409, "{}", r.body);

    // The kenmerk starts with the weergavecode of the nearest coded level.
    let actie = pm.create(
        &format!("/doelen/{}/acties", id(&result)),
        json!({"omschrijving": "Rookvrije zone bij scholen"}),
    );
    assert_eq!(actie["kenmerk"], "1.2.1-1");
    // Its doel (the result) has no code of its own: no doelCode.
    assert_eq!(
        (&actie["opgaveCode"], &actie["doelCode"]),
        (&json!("1.2"), &json!(null))
    );

    // A sub-doel with a local code: the actie shows its weergavecode, also
    // after its parent doel is renumbered (GET /acties/{id} is cached).
    let sub = pm.create(
        &format!("/opgaven/{roken}/doelen"),
        json!({"titel": "Minder verkooppunten", "code": "b", "bovenliggendDoelId": roken_1}),
    );
    assert_eq!(sub["weergavecode"], "1.2.1.b");
    let verkoop = id(&pm.create(
        &format!("/doelen/{}/acties", id(&sub)),
        json!({"omschrijving": "Vergunningen beperken"}),
    ));
    let actie_path = format!("/acties/{verkoop}");
    assert_eq!(pm.get(&actie_path)["doelCode"], "1.2.1.b");
    let r = pm.send(
        "PATCH",
        &format!("/doelen/{roken_1}"),
        &json!({"code": "9"}),
    );
    assert_eq!(r.body["weergavecode"], "1.2.9", "{}", r.body);
    assert_eq!(pm.get(&actie_path)["doelCode"], "1.2.9.b");
    let r = pm.send(
        "PATCH",
        &format!("/doelen/{roken_1}"),
        &json!({"code": "1"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // ?code= finds by weergavecode, or by own code among siblings.
    let opgaven = format!("/agendas/{a}/opgaven");
    assert_eq!(
        pm.list(&format!("{opgaven}?code=1.2"), "titel"),
        [json!("Roken")]
    );
    assert_eq!(
        pm.list(&format!("{opgaven}?code=1"), "titel"),
        [json!("Wonen")]
    );
    assert_eq!(
        pm.list(&format!("{opgaven}?code=1&groepering={g}"), "titel"),
        [json!("Bewegen")]
    );
    assert_eq!(
        pm.list(&format!("{opgaven}?groepering={g}"), "titel"),
        [json!("Bewegen"), json!("Roken"), json!("Alcohol")]
    );
    let roken_doelen = format!("/opgaven/{roken}/doelen");
    for code in ["1.2.3", "3"] {
        assert_eq!(
            pm.list(&format!("{roken_doelen}?code={code}"), "titel"),
            [json!("Doel 3 van Roken")],
            "{code}"
        );
    }
    assert!(pm
        .list(&format!("{roken_doelen}?code=1.1.3"), "titel")
        .is_empty());

    // A malformed code or an unknown groepering is a 400 naming the parameter.
    let bad = |path: &str| {
        let r = request(&pm.app, "GET", path, Some(&pm.token), &[], None);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        let p = &r.body["invalidParams"][0];
        (
            p["name"].as_str().unwrap().to_owned(),
            p["code"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        bad(&format!("{opgaven}?code=1..2")),
        ("query.code".into(), "invalid-code".into())
    );
    assert_eq!(
        bad(&format!("{roken_doelen}?code=abcde")),
        ("query.code".into(), "invalid-code".into())
    );
    let elders = uuid::Uuid::now_v7();
    assert_eq!(
        bad(&format!("{opgaven}?groepering={elders}")),
        ("query.groepering".into(), "unknown-groepering".into())
    );
    let head = pm.app.head();
    let r = pm.send(
        "PATCH",
        &format!("/opgaven/{roken}"),
        &json!({"code": "2.x!"}),
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["name"].as_str()),
        (400, Some("body.code"))
    );
    assert_eq!(pm.app.head(), head, "nothing appended");

    // Views name the opgave by its weergavecode and title.
    let pdca = pm.get(&format!("/opgaven/{roken}/pdca"));
    assert_eq!(
        (&pdca["opgaveCode"], &pdca["opgaveLabel"]),
        (&json!("1.2"), &json!("1.2 Roken"))
    );
    let md = pm.text(&format!(
        "/agendas/{a}/voortgang?sindsPositie={start}&formaat=markdown"
    ));
    assert!(
        md.contains("## Thema 1 Gezond\n") && md.contains("### Opgave 1.2 Roken\n"),
        "{md}"
    );

    // Renumbering may remove a code; the local doelen then show as written.
    let before = pm.app.head();
    let r = pm.send(
        "PATCH",
        &format!("/opgaven/{roken}"),
        &json!({"code": null}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (&r.body["code"], &r.body["weergavecode"]),
        (&json!(null), &json!(null))
    );
    assert_eq!(pm.list(&roken_doelen, "weergavecode")[0], json!("1"));
    let pdca = pm.get(&format!("/opgaven/{roken}/pdca"));
    assert_eq!(pdca["opgaveLabel"], "Roken");
    let w = pm.get(&format!("/agendas/{a}/wijzigingen?sindsPositie={before}"));
    assert_eq!(
        (
            &w["hernummeringen"][0]["vorigeCode"],
            &w["hernummeringen"][0]["nieuweCode"]
        ),
        (&json!("2"), &json!(null))
    );
    // Time travel: before the renumber it was 1.2, and so were its doelen.
    let then = pm.get(&format!("/opgaven/{roken}?positie={before}"));
    assert_eq!(
        (&then["code"], &then["weergavecode"]),
        (&json!("2"), &json!("1.2"))
    );
    assert_eq!(
        pm.list(&format!("{roken_doelen}?positie={before}"), "weergavecode")[0],
        json!("1.2.1")
    );
    // ... and it can get a code again.
    let r = pm.send("PATCH", &format!("/opgaven/{roken}"), &json!({"code": "5"}));
    assert_eq!(r.body["weergavecode"], "1.5", "{}", r.body);
}

/// A nota that names its opgaven by title only and numbers the doelen 1 to
/// 4 within each: every opgave has a doel `1`, so that code is no
/// reference. The acties get numbers within the agenda, not `1-1`, `1-2`
/// in one opgave and `1-3` in the next, which would read as one doel's.
#[test]
fn doel_1_of_opgaven_without_codes_gives_no_kenmerk_prefix() {
    let pm = Pm::new_agenda("Titels en lokale doelen", &["thema"]);
    let a = pm.agenda.clone();
    let mut kenmerken = Vec::new();
    for titel in ["Bewegen", "Roken"] {
        let opgave = id(&pm.create(&format!("/agendas/{a}/opgaven"), json!({"titel": titel})));
        let doel = pm.create(
            &format!("/opgaven/{opgave}/doelen"),
            json!({"code": "1", "titel": format!("Eerste doel van {titel}")}),
        );
        // The doel still shows its own code.
        assert_eq!(doel["weergavecode"], "1");
        for n in 1..=2 {
            let actie = pm.create(
                &format!("/doelen/{}/acties", id(&doel)),
                json!({"omschrijving": format!("{titel} actie {n}")}),
            );
            assert_eq!(actie["doelCode"], "1", "{actie}");
            kenmerken.push(actie["kenmerk"].clone());
        }
    }
    assert_eq!(kenmerken, [json!("1"), json!("2"), json!("3"), json!("4")]);
    // Found by kenmerk, named by its doel's label in the list.
    let found = pm.list(&format!("/agendas/{a}/acties?kenmerk=3"), "omschrijving");
    assert_eq!(found, [json!("Roken actie 1")]);
}
