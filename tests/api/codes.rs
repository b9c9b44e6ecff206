//! Codes optional (issue 18), the way a programme manager uses an agenda
//! without any code: every view names items by their titles. [`Pm`] is the
//! harness of the codes tests (`codes_lokaal`, `codes_uitwisseling`): every
//! request carries its token explicitly (a programmamanager of the agenda).

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

pub fn id(v: &Value) -> String {
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
