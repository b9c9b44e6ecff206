//! The real documents as import files (issue 18, "Show it on real
//! documents"): the Maashorst beleidskader, the Hellendoorn visie and a
//! made-up nota shared by three gemeenten (`tests/fixtures/agendas/`, how
//! each was transcribed: its README). Each file goes through the public
//! import as a beheerder sends it; then a programmamanager of the new
//! agenda reads the opgaven, the overzicht, each opgave's PDCA state and
//! the voortgang in Markdown, and the export imports again unchanged.

mod gedeelde_nota;
mod groepering_filter;
mod hellendoorn;
mod maashorst;

use mag_tracker::access::Rol;
use serde_json::{json, Value};

use crate::support::{plain_agent, request, TestApp};

pub const MAASHORST: &str = include_str!("../fixtures/agendas/maashorst-beleidskader-2023.json");
pub const HELLENDOORN: &str = include_str!("../fixtures/agendas/hellendoorn-visie-2023.json");
pub const GEDEELD: &str = include_str!("../fixtures/agendas/gedeelde-nota-drie-gemeenten.json");

/// An imported agenda and a programmamanager token for it.
pub struct Loaded {
    pub agenda: String,
    pub pm: String,
    /// The import's answer (what it created, counted).
    pub summary: Value,
}

/// `POST /agenda-imports` with the beheerder's token; the file must load.
pub fn import(app: &TestApp, body: &str) -> Value {
    let r = request(
        app,
        "POST",
        "/agenda-imports",
        Some(&app.beheerder),
        &[],
        Some(body),
    );
    assert_eq!(r.status, 201, "the file imports: {}", r.body);
    r.body
}

/// Imports `file` and issues a programmamanager token of `organisatie`
/// (which the file registers) for the new agenda.
pub fn load(app: &TestApp, file: &str, organisatie: &str) -> Loaded {
    let summary = import(app, file);
    let agenda = summary["agendaId"].as_str().expect("agendaId").to_owned();
    let pm = app.token(
        Rol::Programmamanager,
        organisatie,
        vec![agenda.parse().unwrap()],
    );
    Loaded {
        agenda,
        pm,
        summary,
    }
}

pub fn read(app: &TestApp, token: &str, path: &str) -> Value {
    let r = request(app, "GET", path, Some(token), &[], None);
    assert_eq!(r.status, 200, "GET {path}: {}", r.body);
    r.body
}

/// A GET answered as text of the given media type (the voortgang in
/// Markdown, the CSV export).
pub fn text(app: &TestApp, token: &str, path: &str, accept: &str) -> String {
    let mut r = plain_agent()
        .get(format!("{}{path}", app.base))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Accept", accept)
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "GET {path} as {accept}");
    r.body_mut().read_to_string().unwrap()
}

pub fn markdown(app: &TestApp, token: &str, path: &str) -> String {
    text(app, token, path, "text/markdown")
}

pub fn opgaven(app: &TestApp, l: &Loaded) -> Vec<Value> {
    let list = read(
        app,
        &l.pm,
        &format!("/agendas/{}/opgaven?pageSize=500", l.agenda),
    );
    list["resultaten"].as_array().unwrap().clone()
}

pub fn titles(list: &[Value], key: &str) -> Vec<String> {
    list.iter()
        .map(|v| v[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every code a view shows: string values of keys named `code` or ending
/// in `Code`/`code` (`opgaveCode`, `weergavecode`); never a kenmerk.
pub fn codes(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let named = k == "code" || k.ends_with("Code") || k.ends_with("code");
                match x {
                    Value::String(s) if named => out.push(s.clone()),
                    _ => codes(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| codes(x, out)),
        _ => {}
    }
}

/// The heading lines of a Markdown text.
pub fn headings(md: &str) -> Vec<&str> {
    md.lines().filter(|l| l.starts_with('#')).collect()
}

/// Export as JSON, import that export as a new agenda, export again: the
/// two exports hold the same agenda. Returns the first export.
pub fn round_trip(app: &TestApp, l: &Loaded) -> Value {
    let path = |a: &str| format!("/agendas/{a}/export?formaat=json");
    let first = read(app, &l.pm, &path(&l.agenda));
    let again = import(app, &first.to_string());
    let id = again["agendaId"].as_str().unwrap();
    let second = read(app, &app.beheerder, &path(id));
    assert_eq!(
        first["agenda"], second["agenda"],
        "export → import → export is lossless"
    );
    first
}

/// Export as CSV (a row per actie) and import the rows as a new agenda
/// (`query`: naam, gemeenten and periode, which a row cannot say): every
/// actie comes back under the same opgave and doel, with the same trekker,
/// partners, gemeenten and contributions.
pub fn csv_round_trip(app: &TestApp, l: &Loaded, query: &str) {
    let csv = text(
        app,
        &l.pm,
        &format!("/agendas/{}/export?formaat=csv", l.agenda),
        "text/csv",
    );
    let mut r = plain_agent()
        .post(format!("{}/agenda-imports?{query}", app.base))
        .header("Authorization", &format!("Bearer {}", app.beheerder))
        .header("Content-Type", "text/csv")
        .send(&csv)
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = r.body_mut().read_json().unwrap();
    assert_eq!(status, 201, "the CSV export imports: {body}\n{csv}");
    let export = |token: &str, id: &str| {
        let v = read(app, token, &format!("/agendas/{id}/export?formaat=json"));
        acties_of(&shape(&v))
    };
    let again = body["agendaId"].as_str().unwrap();
    assert_eq!(export(&l.pm, &l.agenda), export(&app.beheerder, again));
}

/// Every actie of a [`shape`] with the names of the levels above it.
fn acties_of(shape: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let doel = |groepering: &Value, o: &Value, d: &Value, out: &mut Vec<String>| {
        for a in d["acties"].as_array().into_iter().flatten() {
            let row = json!([
                groepering,
                o["code"],
                o["titel"],
                o["bijdragenAan"],
                d["code"],
                d["titel"],
                d["bijdragenAan"],
                a
            ]);
            out.push(row.to_string());
        }
    };
    let opgave = |g: &Value, o: &Value, out: &mut Vec<String>| {
        doel(g, o, &json!({"acties": o["acties"]}), out);
        for d in o["doelen"].as_array().into_iter().flatten() {
            doel(g, o, d, out);
            for s in d["subdoelen"].as_array().into_iter().flatten() {
                doel(g, o, s, out);
            }
        }
    };
    for o in shape["opgaven"].as_array().into_iter().flatten() {
        opgave(&Value::Null, o, &mut out);
    }
    let mut stack: Vec<&Value> = shape["groeperingen"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    while let Some(g) = stack.pop() {
        stack.extend(g["groeperingen"].as_array().into_iter().flatten());
        for o in g["opgaven"].as_array().into_iter().flatten() {
            opgave(&g["naam"], o, &mut out);
        }
    }
    out.sort();
    out
}

/// The content of an agenda file (the fixture or an export), without what
/// only differs in form: a missing list is empty, a missing value null,
/// numbers as f64, groepering references (`bijdragenAan`) by naam, and the
/// derived, information-only `weergavecode` left out.
pub fn shape(file: &Value) -> Value {
    let a = &file["agenda"];
    let mut names = std::collections::HashMap::new();
    collect_names(&a["groeperingen"], &mut names);
    json!({
        "naam": a["naam"],
        "gemeenten": a["gemeenten"],
        "periode": [a["periodeStartDatum"], a["periodeEindDatum"]],
        "uitvoeringsperioden": list(&a["uitvoeringsperioden"]),
        "groeperingsniveaus": list(&a["groeperingsniveaus"]),
        "groeperingen": map(&a["groeperingen"], |g| groepering(g, &names)),
        "opgaven": map(&a["opgaven"], |o| opgave(o, &names)),
    })
}

type Names = std::collections::HashMap<String, String>;

fn collect_names(groeperingen: &Value, names: &mut Names) {
    for g in groeperingen.as_array().into_iter().flatten() {
        let naam = g["naam"].as_str().unwrap().to_owned();
        if let Some(k) = g["sleutel"].as_str() {
            names.insert(k.to_owned(), naam.clone());
        }
        names.entry(naam.clone()).or_insert(naam);
        collect_names(&g["groeperingen"], names);
    }
}

fn list(v: &Value) -> Value {
    if v.is_null() {
        json!([])
    } else {
        v.clone()
    }
}

fn map(v: &Value, f: impl Fn(&Value) -> Value) -> Value {
    Value::Array(v.as_array().into_iter().flatten().map(f).collect())
}

fn num(v: &Value) -> Value {
    v.as_f64().map(Value::from).unwrap_or(Value::Null)
}

fn bijdragen(v: &Value, names: &Names) -> Value {
    let mut out: Vec<String> = v["bijdragenAan"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let r = r.as_str().unwrap();
            names.get(r).cloned().unwrap_or_else(|| r.to_owned())
        })
        .collect();
    out.sort();
    json!(out)
}

fn groepering(g: &Value, names: &Names) -> Value {
    json!({
        "code": g["code"], "naam": g["naam"], "omschrijving": g["omschrijving"],
        "groeperingen": map(&g["groeperingen"], |x| groepering(x, names)),
        "opgaven": map(&g["opgaven"], |o| opgave(o, names)),
    })
}

fn opgave(o: &Value, names: &Names) -> Value {
    json!({
        "code": o["code"], "titel": o["titel"], "omschrijving": o["omschrijving"],
        "bijdragenAan": bijdragen(o, names),
        "doelen": map(&o["doelen"], |d| doel(d, names)),
        "acties": map(&o["acties"], actie),
    })
}

fn doel(d: &Value, names: &Names) -> Value {
    json!({
        "code": d["code"], "titel": d["titel"], "omschrijving": d["omschrijving"],
        "bijdragenAan": bijdragen(d, names),
        "subdoelen": map(&d["subdoelen"], |s| doel(s, names)),
        "indicatoren": map(&d["indicatoren"], indicator),
        "acties": map(&d["acties"], actie),
    })
}

fn waarde(w: &Value) -> Value {
    json!({"jaar": w["jaar"], "waarde": num(&w["waarde"])})
}

fn indicator(i: &Value) -> Value {
    json!({
        "naam": i["naam"], "eenheid": i["eenheid"], "richting": i["richting"],
        "bron": i["bron"], "eigenaar": i["eigenaar"],
        "nulmeting": if i["nulmeting"].is_null() { Value::Null } else { waarde(&i["nulmeting"]) },
        "streefwaarden": map(&i["streefwaarden"], waarde),
        "metingen": map(&i["metingen"], |m| json!({
            "periode": m["periode"], "gemeente": m["gemeente"],
            "waarde": num(&m["waarde"]), "status": m["status"],
        })),
    })
}

fn actie(a: &Value) -> Value {
    json!({
        "omschrijving": a["omschrijving"], "jaar": a["jaar"], "trekker": a["trekker"],
        "partners": list(&a["partners"]), "gemeenten": list(&a["gemeenten"]),
        "status": a["status"],
    })
}

/// The overzicht without the moment it was computed.
pub fn overzicht(app: &TestApp, token: &str, agenda: &str) -> Value {
    let mut v = read(app, token, &format!("/agendas/{agenda}/overzicht"));
    v.as_object_mut().unwrap().remove("peilTijdstip");
    v
}

/// Every object in `v`, depth first.
fn objects<'a>(v: &'a Value, out: &mut Vec<&'a serde_json::Map<String, Value>>) {
    match v {
        Value::Object(m) => {
            out.push(m);
            m.values().for_each(|x| objects(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| objects(x, out)),
        _ => {}
    }
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The files themselves (no server): every
/// organisation, groepering and gemeente they name is declared in the file,
/// every actie of a gemeente lies in that gemeente's uitvoeringsperiode,
/// and no file carries a code its document does not have.
#[test]
fn fixture_files_are_consistent() {
    for (name, text) in [
        ("maashorst", MAASHORST),
        ("hellendoorn", HELLENDOORN),
        ("gedeeld", GEDEELD),
    ] {
        let file: Value = serde_json::from_str(text).unwrap();
        assert_eq!(file["formaat"], "mag-tracker/agenda", "{name}");
        let orgs: Vec<&str> = file["organisaties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["naam"].as_str().unwrap())
            .collect();
        let a = &file["agenda"];
        let gemeenten = strings(&a["gemeenten"]);
        let mut all = Vec::new();
        objects(&a["groeperingen"], &mut all);
        objects(&a["opgaven"], &mut all);
        let mut groeperingen: Vec<&str> = Vec::new();
        for g in all
            .iter()
            .filter(|o| o.contains_key("naam") && o.contains_key("opgaven"))
        {
            groeperingen.extend(g.get("sleutel").and_then(Value::as_str));
            groeperingen.extend(g.get("naam").and_then(Value::as_str));
        }
        let periode = |g: &str| {
            let p = a["uitvoeringsperioden"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["gemeente"] == g)?;
            Some((p["startDatum"].as_str()?, p["eindDatum"].as_str()?))
        };
        for o in &all {
            let o = Value::Object((*o).clone());
            for r in strings(&o["bijdragenAan"]) {
                assert!(groeperingen.contains(&r), "{name}: bijdragenAan {r}");
            }
            for org in [&o["trekker"]["organisatie"], &o["eigenaar"]]
                .into_iter()
                .filter_map(Value::as_str)
                .chain(strings(&o["partners"]))
            {
                assert!(orgs.contains(&org), "{name}: organisatie {org} is declared");
            }
            if let Some(g) = o["gemeente"].as_str() {
                assert!(gemeenten.contains(&g), "{name}: meting for {g}");
            }
            for g in strings(&o["gemeenten"]) {
                assert!(gemeenten.contains(&g), "{name}: actie for {g}");
                if let Some((start, eind)) = periode(g) {
                    let jaar = o["jaar"].as_i64().unwrap().to_string();
                    assert!(
                        start[..4] <= jaar[..] && jaar[..] <= eind[..4],
                        "{name}: {o} in {g}'s period"
                    );
                    for d in ["geplandeStartDatum", "geplandeEindDatum"] {
                        if let Some(d) = o[d].as_str() {
                            assert!(start <= d && d <= eind, "{name}: {d} in {g}'s period");
                        }
                    }
                }
            }
        }
    }
    assert!(
        !MAASHORST.contains("\"code\""),
        "the beleidskader numbers nothing"
    );
    assert_eq!(
        HELLENDOORN.matches("\"code\"").count(),
        4,
        "only the four themes"
    );
    let gedeeld: Value = serde_json::from_str(GEDEELD).unwrap();
    assert!(gedeeld["agenda"]["omschrijving"]
        .as_str()
        .unwrap()
        .starts_with("VERZONNEN VOORBEELD"));
}
