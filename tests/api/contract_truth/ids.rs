//! Real ids for the walk's paths: the hidden agenda's (one of everything)
//! and the demo agenda's own.

use super::Truth;
use crate::zichtbaarheid::Hidden;

/// The hidden agenda's resource a path parameter names.
pub fn id_for(h: &Hidden, template: &str, param: &str, token: &str, abonnement: &str) -> String {
    let collection = template
        .split('/')
        .take_while(|s| *s != format!("{{{param}}}"))
        .last()
        .unwrap_or_default();
    match (param, collection) {
        ("bijsturingId", _) => h.bijsturing.clone(),
        ("berichtId", _) => h.bericht.clone(),
        ("metingId", _) => h.meting.clone(),
        (_, "agendas") => h.agenda.clone(),
        (_, "groeperingen") => h.groepering.clone(),
        (_, "opgaven") => h.opgave.clone(),
        (_, "doelen") => h.doel.clone(),
        (_, "acties") => h.actie.clone(),
        (_, "reflecties") => h.reflectie.clone(),
        (_, "indicatoren") => h.indicator.clone(),
        (_, "checkmomenten") => h.checkmoment.clone(),
        (_, "organisaties") => h.trekker.clone(),
        (_, "tokens") => token.to_owned(),
        (_, "abonnementen") => abonnement.to_owned(),
        _ => panic!("no id for {param} in {template}: add it here"),
    }
}

/// What a GET needs beyond its path to answer 200.
pub fn query_for(template: &str) -> &'static str {
    match template {
        "/agendas/{id}/voortgang" => "?sinds=2024-01-01",
        _ => "",
    }
}

/// Ids of the demo agenda's own resources, by collection.
pub fn demo_ids(t: &Truth) -> Vec<(&'static str, String)> {
    let first = |path: &str| -> Option<String> {
        t.read(path).body["resultaten"][0]["id"]
            .as_str()
            .map(str::to_owned)
    };
    let agenda = first("/agendas").expect("the demo agenda");
    let opgave = first(&format!("/agendas/{agenda}/opgaven?code=1.1")).expect("opgave 1.1");
    let doel = first(&format!("/opgaven/{opgave}/doelen")).expect("a doel of 1.1");
    let actie = first(&format!("/agendas/{agenda}/acties?opgave=1.1")).expect("an actie of 1.1");
    let mut ids = vec![
        ("agendas", agenda.clone()),
        ("opgaven", opgave),
        ("doelen", doel),
        ("acties", actie),
    ];
    if let Some(g) = first(&format!("/agendas/{agenda}/groeperingen")) {
        ids.push(("groeperingen", g));
    }
    if let Some(o) = first("/organisaties") {
        ids.push(("organisaties", o));
    }
    ids
}

/// `template` with the demo's id, when its only parameter is an `{id}` of
/// a collection the demo has.
pub fn on_demo(demo: &[(&str, String)], template: &str) -> Option<String> {
    let mut segments = template.trim_start_matches('/').split('/');
    let collection = segments.next()?;
    let params = template.matches('{').count();
    if params != 1 || segments.next() != Some("{id}") {
        return None;
    }
    let id = &demo.iter().find(|(c, _)| *c == collection)?.1;
    Some(template.replace("{id}", id))
}
