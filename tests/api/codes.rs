//! Codes optional and local (issue 18), the way a programme manager uses
//! them: an agenda without any code, and one whose doelen are numbered 1..4
//! within each opgave with unnumbered results under them. Every request
//! carries its token explicitly (a programmamanager of the new agenda).

use std::rc::Rc;

use mag_tracker::access::Rol;
use serde_json::{json, Value};

use crate::support::{plain_agent, request, spawn, Reply, TestApp};

/// The demo app plus one new agenda and a programmamanager token for it.
pub struct Pm {
    pub app: Rc<TestApp>,
    pub agenda: String,
    pub token: String,
}

impl Pm {
    /// A new, empty agenda for 2025 with these grouping levels.
    pub fn new_agenda(naam: &str, niveaus: &[&str]) -> Pm {
        let app = spawn();
        let niveaus: Vec<Value> = niveaus
            .iter()
            .map(|n| json!({"enkelvoud": n, "meervoud": format!("{n}s")}))
            .collect();
        let body = json!({
            "naam": naam,
            "gemeenten": ["Twenterand"],
            "periodeStartDatum": "2025-01-01",
            "periodeEindDatum": "2026-12-31",
            "groeperingsniveaus": niveaus,
        });
        let r = request(
            &app,
            "POST",
            "/agendas",
            Some(&app.beheerder),
            &[],
            Some(&body.to_string()),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let agenda = r.body["id"].as_str().unwrap().to_owned();
        Pm::for_agenda(Rc::new(app), agenda)
    }

    /// A programmamanager of `agenda` (of Gemeente Twenterand).
    pub fn for_agenda(app: Rc<TestApp>, agenda: String) -> Pm {
        let token = app.token(
            Rol::Programmamanager,
            "Gemeente Twenterand",
            vec![agenda.parse().unwrap()],
        );
        Pm { app, agenda, token }
    }

    pub fn send(&self, method: &str, path: &str, body: &Value) -> Reply {
        let body = body.to_string();
        let v = self.version_of(method, path);
        let if_match = v.map(|v| format!("\"{v}\""));
        let headers: Vec<(&str, &str)> =
            if_match.iter().map(|v| ("If-Match", v.as_str())).collect();
        request(
            &self.app,
            method,
            path,
            Some(&self.token),
            &headers,
            Some(&body),
        )
    }

    /// For a PATCH: the resource's current version.
    fn version_of(&self, method: &str, path: &str) -> Option<u64> {
        (method == "PATCH").then(|| self.get(path)["versie"].as_u64().unwrap())
    }

    /// POST that must create; the new resource.
    pub fn create(&self, path: &str, body: Value) -> Value {
        let r = self.send("POST", path, &body);
        assert_eq!(r.status, 201, "POST {path} {body}: {}", r.body);
        r.body
    }

    /// GET that must succeed.
    pub fn get(&self, path: &str) -> Value {
        let r = request(&self.app, "GET", path, Some(&self.token), &[], None);
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        r.body
    }

    /// A GET's body as text (Markdown, CSV).
    pub fn text(&self, path: &str) -> String {
        let mut r = plain_agent()
            .get(format!("{}{path}", self.app.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .call()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "GET {path}");
        r.body_mut().read_to_string().unwrap()
    }

    /// The `field` of every item of a paged list.
    pub fn list(&self, path: &str, field: &str) -> Vec<Value> {
        self.get(path)["resultaten"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x[field].clone())
            .collect()
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[test]
fn an_agenda_without_any_code_names_every_item_by_its_title() {
    let pm = Pm::new_agenda("Zonder codes", &["maatschappelijk effect"]);
    let a = pm.agenda.clone();
    let start = pm.app.head();
    let g = id(&pm.create(
        &format!("/agendas/{a}/groeperingen"),
        json!({"naam": "Gezond leven"}),
    ));
    let bewegen = pm.create(
        &format!("/agendas/{a}/opgaven"),
        json!({"titel": "Bewegen", "groeperingId": g}),
    );
    assert_eq!(
        (&bewegen["code"], &bewegen["weergavecode"]),
        (&json!(null), &json!(null))
    );
    let o = id(&bewegen);
    // Without codes nothing clashes: a second uncoded opgave, and one at the agenda level.
    pm.create(
        &format!("/agendas/{a}/opgaven"),
        json!({"titel": "Eenzaamheid", "groeperingId": g}),
    );
    let wonen = id(&pm.create(&format!("/agendas/{a}/opgaven"), json!({"titel": "Wonen"})));
    let d = id(&pm.create(
        &format!("/opgaven/{o}/doelen"),
        json!({"titel": "Meer mensen sporten"}),
    ));
    let sub = id(&pm.create(
        &format!("/opgaven/{o}/doelen"),
        json!({"titel": "Sportakkoord sluiten", "bovenliggendDoelId": d}),
    ));
    let coach = pm.create(
        &format!("/doelen/{sub}/acties"),
        json!({"omschrijving": "Beweegcoach aanstellen"}),
    );
    let visie = pm.create(
        &format!("/opgaven/{wonen}/acties"),
        json!({"omschrijving": "Woonvisie schrijven"}),
    );
    // The kenmerk is the system's own reference: a number within the agenda.
    assert_eq!(
        (&coach["kenmerk"], &visie["kenmerk"]),
        (&json!("1"), &json!("2"))
    );
    assert_eq!(
        (&coach["opgaveCode"], &coach["doelCode"]),
        (&json!(null), &json!(null))
    );

    // Lists: uncoded items in the order they were made, no invented codes.
    let opgaven = format!("/agendas/{a}/opgaven");
    assert_eq!(
        pm.list(&opgaven, "titel"),
        [json!("Bewegen"), json!("Eenzaamheid"), json!("Wonen")]
    );
    assert!(pm.list(&opgaven, "weergavecode").iter().all(Value::is_null));
    let doelen = format!("/opgaven/{o}/doelen");
    assert_eq!(
        pm.list(&doelen, "titel"),
        [json!("Meer mensen sporten"), json!("Sportakkoord sluiten")]
    );

    // PDCA: the opgave by its title, the actie by its kenmerk.
    let pdca = pm.get(&format!("/opgaven/{o}/pdca"));
    assert_eq!(
        (&pdca["opgaveCode"], &pdca["opgaveLabel"]),
        (&json!(null), &json!("Bewegen"))
    );
    let redenen = pdca["redenen"].to_string();
    assert!(redenen.contains("1 (Beweegcoach aanstellen)"), "{redenen}");
    assert!(!redenen.contains("null"), "{redenen}");

    // Overzicht: the groepering by its name, the opgaven by their titles.
    let ov = pm.get(&format!("/agendas/{a}/overzicht"));
    let groepen: Vec<(Value, Value, Vec<Value>)> = ov["groepen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let labels = g["opgaven"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["opgaveLabel"].clone());
            (g["code"].clone(), g["naam"].clone(), labels.collect())
        })
        .collect();
    assert_eq!(
        groepen,
        [
            (
                json!(null),
                json!("Gezond leven"),
                vec![json!("Bewegen"), json!("Eenzaamheid")]
            ),
            (json!(null), json!(null), vec![json!("Wonen")]),
        ]
    );

    // The nieuwsbrief in Markdown: headings by name and title only.
    let md = pm.text(&format!(
        "/agendas/{a}/voortgang?sindsPositie={start}&formaat=markdown"
    ));
    assert!(
        md.contains("## Maatschappelijk effect Gezond leven\n"),
        "{md}"
    );
    assert!(md.contains("### Opgave Bewegen\n"), "{md}");
    assert!(md.contains("Opgave Wonen\n"), "{md}");
    assert!(!md.contains("null") && !md.contains("Opgave  "), "{md}");

    let html = pm.text(&format!(
        "/agendas/{a}/voortgang?sindsPositie={start}&formaat=html"
    ));
    assert!(html.contains("Opgave Bewegen"), "{html}");
    let atom = pm.text(&format!("/agendas/{a}/voortgang.atom"));
    assert!(
        atom.contains("Actie 1 ") && !atom.contains("null"),
        "{atom}"
    );

    // The CSV: empty code cells, the titles beside them.
    let csv = pm.text(&format!("/agendas/{a}/export?formaat=csv"));
    let row = csv.lines().find(|l| l.contains("Beweegcoach")).unwrap();
    let cells: Vec<&str> = row.split(';').collect();
    assert_eq!(
        cells[..8],
        [
            "",
            "Gezond leven",
            "",
            "Bewegen",
            "",
            "Sportakkoord sluiten",
            "",
            "Meer mensen sporten"
        ]
    );
}

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
