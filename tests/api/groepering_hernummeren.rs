//! Renumbering a groepering as a programme manager does it on the demo
//! agenda: themalijn 1 becomes 7, its opgaven (1.1 …) and their doelen
//! (1.1.1 …), written out in full, follow in the same write; a code
//! another themalijn holds is refused; the audittrail, `/wijzigingen`,
//! time travel and an actie's view show it.

use serde_json::{json, Value};

use crate::support::{agenda_id, spawn};

fn resultaten(v: &Value) -> &Vec<Value> {
    v["resultaten"].as_array().unwrap()
}

fn codes(list: &Value, key: &str) -> Vec<String> {
    resultaten(list)
        .iter()
        .filter_map(|o| o[key].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn renumbering_a_themalijn_carries_its_opgaven_and_doelen_along() {
    let app = spawn();
    let a = agenda_id(&app);
    let pm = app.als_pm();
    let (_, lijnen) = pm.get(&format!("/agendas/{a}/groeperingen"));
    let lijn = |code: &str| {
        resultaten(&lijnen)
            .iter()
            .find(|g| g["code"] == code)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let g = lijn("1");
    let (_, opgaven) = pm.get(&format!("/agendas/{a}/opgaven?groepering={g}&pageSize=500"));
    let voor = codes(&opgaven, "weergavecode");
    assert!(
        !voor.is_empty() && voor.iter().all(|c| c.starts_with("1.")),
        "{voor:?}"
    );
    let opgave = resultaten(&opgaven)[0]["id"].as_str().unwrap().to_owned();
    let (_, doelen) = pm.get(&format!("/opgaven/{opgave}/doelen?pageSize=500"));
    let doel_codes = codes(&doelen, "code");
    assert!(doel_codes
        .iter()
        .all(|c| c.starts_with(&format!("{}.", voor[0]))));
    // An actie's view shows the opgave's code (and is cached: read it now).
    let (_, acties) = pm.get(&format!("/agendas/{a}/acties?opgave={}", voor[0]));
    let actie = resultaten(&acties)[0]["id"].as_str().unwrap().to_owned();
    let (_, before) = pm.get(&format!("/acties/{actie}"));
    assert_eq!(before["opgaveCode"], voor[0].as_str());
    // A local code shows under the themalijn's: opgave 9 of themalijn 1 is 1.9.
    let lokaal = pm.post(
        &format!("/agendas/{a}/opgaven"),
        &json!({"code": "9", "titel": "Lokaal genummerd", "groeperingId": g}),
    );
    assert_eq!(lokaal.body["weergavecode"], "1.9", "{:?}", lokaal.body);
    let lokale_actie = pm.post(
        &format!("/opgaven/{}/acties", lokaal.id()),
        &json!({"omschrijving": "Onder een lokale code"}),
    );
    let lokale_actie = lokale_actie.id();
    let (_, gelezen) = pm.get(&format!("/acties/{lokale_actie}"));
    assert_eq!(gelezen["opgaveCode"], "1.9");
    let positie_voor = app.head();

    // Themalijn 2 holds code 2: refused, saying so, and nothing changes.
    let (_, lijn1) = pm.get(&format!("/groeperingen/{g}"));
    let etag = format!("\"{}\"", lijn1["versie"]);
    let r = pm.patch(&format!("/groeperingen/{g}"), &etag, &json!({"code": "2"}));
    assert_eq!(
        (r.status, r.code()),
        (409, "duplicate-code"),
        "{:?}",
        r.body
    );
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("Code 2 is al in gebruik bij een andere groepering op het bovenste niveau"),
        "{detail}"
    );
    assert_eq!(
        app.head(),
        positie_voor,
        "a refused renumber appends nothing"
    );

    // 1 → 7: the themalijn and everything written out under it.
    let r = pm.patch(
        &format!("/groeperingen/{g}"),
        &etag,
        &json!({"code": "7", "toelichting": "nieuwe nummering"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["code"], "7");
    assert_eq!(r.body["weergavecode"], "7");
    let na: Vec<String> = voor.iter().map(|c| format!("7{}", &c[1..])).collect();
    let opgave_codes: Vec<String> = r.body["opgaveCodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(opgave_codes[..na.len()], na[..]);
    let (_, opgaven) = pm.get(&format!("/agendas/{a}/opgaven?groepering={g}&pageSize=500"));
    assert_eq!(codes(&opgaven, "code")[..na.len()], na[..]);
    assert_eq!(codes(&opgaven, "weergavecode").last().unwrap(), "7.9");
    let (_, doelen) = pm.get(&format!("/opgaven/{opgave}/doelen?pageSize=500"));
    let verwacht: Vec<String> = doel_codes.iter().map(|c| format!("7{}", &c[1..])).collect();
    assert_eq!(codes(&doelen, "code"), verwacht);
    let (_, after) = pm.get(&format!("/acties/{actie}"));
    assert_eq!(after["opgaveCode"], na[0].as_str(), "{after}");
    assert_eq!(
        after["kenmerk"], before["kenmerk"],
        "a kenmerk never changes"
    );
    // The local code keeps its code and shows under the new one (the
    // actie's cached view is read anew).
    let (_, gelezen) = pm.get(&format!("/acties/{lokale_actie}"));
    assert_eq!(gelezen["opgaveCode"], "7.9", "{gelezen}");
    // The old code no longer finds the opgave; the new one does.
    let (_, oud) = pm.get(&format!("/agendas/{a}/opgaven?code={}", voor[0]));
    assert_eq!(oud["totaal"], 0);
    let (_, nieuw) = pm.get(&format!("/agendas/{a}/opgaven?code={}", na[0]));
    assert_eq!(nieuw["totaal"], 1);

    // History: the audittrail, /wijzigingen, and the state as it was.
    let (_, trail) = pm.get(&format!("/groeperingen/{g}/audittrail"));
    let laatste = resultaten(&trail).last().unwrap();
    assert_eq!(laatste["soortWijziging"], "hernummerd", "{laatste}");
    assert_eq!(laatste["toelichting"], "nieuwe nummering");
    assert!(
        laatste["wijzigingen"].to_string().contains("\"7\""),
        "{laatste}"
    );
    let (_, w) = pm.get(&format!(
        "/agendas/{a}/wijzigingen?sindsPositie={positie_voor}"
    ));
    let regels: Vec<(String, String, String)> = w["hernummeringen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["soort"].as_str().unwrap().to_owned(),
                h["vorigeCode"].as_str().unwrap().to_owned(),
                h["nieuweCode"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        regels.contains(&("groepering".into(), "1".into(), "7".into())),
        "{regels:?}"
    );
    assert!(regels.contains(&("opgave".into(), voor[0].clone(), na[0].clone())));
    assert!(regels.contains(&("doel".into(), doel_codes[0].clone(), verwacht[0].clone())));
    let (_, toen) = pm.get(&format!("/groeperingen/{g}?positie={positie_voor}"));
    assert_eq!(toen["code"], "1");
    // Removing the code carries nothing along.
    let r = pm.patch(
        &format!("/groeperingen/{g}"),
        &r.etag,
        &json!({"code": null}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["code"], Value::Null);
    let (_, opgaven) = pm.get(&format!("/agendas/{a}/opgaven?groepering={g}&pageSize=500"));
    assert_eq!(codes(&opgaven, "code")[..na.len()], na[..]);
}
