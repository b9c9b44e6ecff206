//! Rules between fields of a request body, stated in its schema (JSON
//! Schema's `if`/`then`, `anyOf`, `not`, `uniqueItems`), so the spec says
//! what the server accepts also where one field depends on another. The
//! decision stays in the domain (it refuses the same bodies, with the same
//! field and code); a rule fragment carries the field it is about
//! (`x-veld`), the code (`x-code`) and the Dutch reason (`description`) that
//! the body check (`invoer::schema`) reports when the rule fails.
//! Schemathesis' positive and negative data checks hold the two together.

use serde_json::{json, Value};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::Modify;

use super::invoer::waarden::VISIBLE_PATTERN;

/// A text field given with a visible character.
fn tekst(field: &str) -> Value {
    json!({"required": [field], "properties": {field: {"type": "string", "pattern": VISIBLE_PATTERN}}})
}

fn present(field: &str) -> Value {
    json!({"required": [field]})
}

const TEKSTEN: [&str; 4] = ["tekst", "watGingGoed", "watKanBeter", "volgendeStappen"];

/// The rules per request schema.
fn rules() -> Vec<(&'static str, Vec<Value>)> {
    let reden_bij_vervallen = json!({
        "if": {"required": ["status"], "properties": {"status": {"const": "vervallen"}}},
        "then": tekst("reden"),
        "x-veld": "reden",
        "x-code": "required",
        "description": "Geef een reden als u status vervallen meegeeft."
    });
    vec![
        ("OpgaveWijziging", vec![reden_bij_vervallen.clone()]),
        ("StatuswijzigingNieuw", vec![reden_bij_vervallen.clone()]),
        (
            "VoortgangsberichtWijziging",
            vec![
                json!({
                    "not": {"required": ["ingetrokken", "tekst"], "properties": {"ingetrokken": {"const": true}}},
                    "x-veld": "ingetrokken",
                    "x-code": "conflicting-fields",
                    "description": "Corrigeer óf trek in, niet beide tegelijk."
                }),
                json!({
                    "anyOf": [
                        present("tekst"),
                        {"required": ["ingetrokken"], "properties": {"ingetrokken": {"const": true}}}
                    ],
                    "x-veld": "tekst",
                    "x-code": "required",
                    "description": "Geef een gecorrigeerde tekst, of ingetrokken: true."
                }),
            ],
        ),
        ("DoelWijziging", vec![reden_bij_vervallen]),
        (
            "ReflectieNieuw",
            vec![json!({
                "anyOf": TEKSTEN.map(tekst),
                "x-veld": "tekst",
                "x-code": "required",
                "description": "Vul minstens één van watGingGoed, watKanBeter, volgendeStappen of tekst in."
            })],
        ),
        (
            "ReflectieWijziging",
            vec![
                json!({
                    "not": {"required": ["ingetrokken"], "anyOf": TEKSTEN.map(present)},
                    "x-veld": "ingetrokken",
                    "x-code": "conflicting-fields",
                    "description": "Corrigeer óf trek in, niet beide tegelijk."
                }),
                json!({
                    "anyOf": std::iter::once(present("ingetrokken"))
                        .chain(TEKSTEN.map(present))
                        .collect::<Vec<_>>(),
                    "x-veld": "tekst",
                    "x-code": "required",
                    "description": "Geef minstens één gecorrigeerde tekst (watGingGoed, watKanBeter, volgendeStappen, tekst), of ingetrokken: true."
                }),
                json!({
                    "if": {"required": ["reden"], "properties": {"reden": {"type": "string"}}},
                    "then": present("ingetrokken"),
                    "x-veld": "reden",
                    "x-code": "conflicting-fields",
                    "description": "Een reden hoort alleen bij intrekken (ingetrokken: true)."
                }),
            ],
        ),
        (
            "MetingNieuw",
            vec![json!({
                "anyOf": [
                    {"required": ["periode"], "properties": {"periode": {"type": "string"}}},
                    {"required": ["meetDatum"], "properties": {"meetDatum": {"type": "string", "format": "date"}}}
                ],
                "x-veld": "periode",
                "x-code": "required",
                "description": "Geef een periode (zoals 2024 of 2024-Q3) of een meetDatum."
            })],
        ),
        (
            // The agenda file's doelen (`crate::import::bestand`): a sub-doel
            // has no sub-doelen of its own.
            "BestandDoel",
            vec![crate::import::bestand::rule(
                json!({"properties": {"subdoelen": {"items": {"properties": {"subdoelen": {"maxItems": 0}}}}}}),
                "subdoelen",
                "nested-subdoel",
                "Een sub-doel kan zelf geen sub-doelen hebben.",
            )],
        ),
        (
            "TokenNieuw",
            vec![
                json!({
                    "if": {"properties": {"rol": {"const": "programmamanager"}}},
                    "then": {"required": ["agendas"], "properties": {"agendas": {"minItems": 1}}},
                    "x-veld": "agendas",
                    "x-code": "required",
                    "description": "Een programmamanager-token noemt de agenda's die het mag beheren."
                }),
                json!({
                    "if": {"properties": {"rol": {"not": {"const": "programmamanager"}}}},
                    "then": {"properties": {"agendas": {"maxItems": 0}}},
                    "x-veld": "agendas",
                    "x-code": "not-allowed",
                    "description": "Alleen een programmamanager-token noemt agenda's."
                }),
                json!({
                    "if": {"properties": {"rol": {"not": {"const": "programmamanager"}}}},
                    "then": {"not": {"required": ["gemeente"]}},
                    "x-veld": "gemeente",
                    "x-code": "not-allowed",
                    "description": "Alleen een programmamanager-token kan tot één gemeente beperkt zijn."
                }),
            ],
        ),
    ]
}

/// Request schemas whose list property holds each element once.
const UNIQUE: [(&str, &str); 4] = [
    ("CheckmomentNieuw", "deelnemers"),
    ("CheckmomentWijziging", "deelnemers"),
    ("ActieNieuw", "partners"),
    ("ActieWijziging", "partners"),
];

pub struct CrossFieldRules;

impl Modify for CrossFieldRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (name, rules) in rules() {
            if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(name) {
                o.extensions
                    .get_or_insert_with(Default::default)
                    .insert("allOf".to_owned(), Value::Array(rules));
            }
        }
        for (name, field) in UNIQUE {
            if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(name) {
                match o.properties.get_mut(field) {
                    Some(RefOr::T(Schema::Array(a))) => a.unique_items = true,
                    Some(RefOr::T(Schema::Object(p))) => {
                        p.extensions
                            .get_or_insert_with(Default::default)
                            .insert("uniqueItems".to_owned(), Value::Bool(true));
                    }
                    _ => {}
                }
            }
        }
    }
}
