//! What an audittrail shows next to an id: the organisatie's name, the
//! opgave's or doel's code, the token's omschrijving — *as they were at the
//! entry's position* (a renamed organisatie or renumbered opgave shows its
//! name or code of then).
//!
//! Each referenced stream is read once per request and folded with
//! [`super::audit::fold`] into the few labels it can have, one row per event
//! position; a lookup is then a binary search. The streams named in one
//! audittrail are few and small (organisaties, opgaven, doelen, tokens), so
//! this costs a handful of stream reads, not a model replay per entry.

use std::collections::HashMap;

use serde_json::{Map, Value};
use uuid::Uuid;

use super::audit::fold;
use crate::event_store::EventStore;

/// The labels of a resource after one event.
#[derive(Debug, Clone, Default, PartialEq)]
struct Labels {
    code: Option<String>,
    /// An actie's kenmerk, where its events carry one.
    kenmerk: Option<String>,
    naam: Option<String>,
    omschrijving: Option<String>,
}

fn text(doc: &Map<String, Value>, key: &str) -> Option<String> {
    doc.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// Resolves ids to labels as of a position; caches each stream it read.
pub struct Names<'a> {
    store: &'a dyn EventStore,
    streams: HashMap<Uuid, Vec<(u64, Labels)>>,
}

impl<'a> Names<'a> {
    pub fn new(store: &'a dyn EventStore) -> Self {
        Self {
            store,
            streams: HashMap::new(),
        }
    }

    fn labels(&mut self, id: Uuid, position: u64) -> Option<&Labels> {
        let store = self.store;
        let rows = self.streams.entry(id).or_insert_with(|| {
            let events = store.read_stream(id, 1, usize::MAX).unwrap_or_default();
            let mut doc = Map::new();
            events
                .iter()
                .map(|e| {
                    fold(&mut doc, e);
                    let labels = Labels {
                        code: text(&doc, "code"),
                        kenmerk: text(&doc, "kenmerk"),
                        naam: text(&doc, "naam").or_else(|| text(&doc, "titel")),
                        omschrijving: text(&doc, "omschrijving"),
                    };
                    (e.position, labels)
                })
                .collect()
        });
        let i = rows.partition_point(|(p, _)| *p <= position);
        i.checked_sub(1).map(|i| &rows[i].1)
    }

    /// The name of an organisatie, the code (else the name or titel) of an
    /// opgave, doel or groepering, an actie's kenmerk, as of `position`.
    pub fn label(&mut self, id: Uuid, position: u64) -> Option<String> {
        let l = self.labels(id, position)?;
        l.code
            .clone()
            .or_else(|| l.kenmerk.clone())
            .or_else(|| l.naam.clone())
    }

    /// A token's omschrijving as of `position`.
    pub fn omschrijving(&mut self, id: Uuid, position: u64) -> Option<String> {
        self.labels(id, position)?.omschrijving.clone()
    }

    /// What a field's value refers to, in words, or `None` when it is no
    /// reference: `…Id` fields holding an id, `trekker`, a reflectie's
    /// `over`, and lists of ids (`partners`, `deelnemers`).
    pub fn describe(&mut self, field: &str, value: &Value, position: u64) -> Option<String> {
        let id = |v: &Value| v.as_str().and_then(|s| Uuid::parse_str(s).ok());
        match (field, value) {
            ("trekker", Value::Object(t)) => match t.get("soort").and_then(Value::as_str) {
                Some("groep") => t.get("naam").and_then(Value::as_str).map(str::to_owned),
                _ => t
                    .get("organisatieId")
                    .and_then(id)
                    .and_then(|o| self.label(o, position)),
            },
            ("over", Value::Object(o)) => o
                .get("id")
                .and_then(id)
                .and_then(|i| self.label(i, position)),
            (_, Value::Array(items))
                if !items.is_empty() && items.iter().all(|v| id(v).is_some()) =>
            {
                let names: Vec<String> = items
                    .iter()
                    .filter_map(id)
                    .map(|o| self.label(o, position).unwrap_or_else(|| o.to_string()))
                    .collect();
                Some(names.join(", "))
            }
            (f, v) if f.ends_with("Id") => id(v).and_then(|i| self.label(i, position)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::Names;
    use crate::event_store::{
        AppendRequest, EventStore, ExpectedVersion, MemoryStore, Metadata, NewEvent,
    };

    fn append(
        store: &MemoryStore,
        id: Uuid,
        kind: &str,
        version: u64,
        t: &str,
        data: serde_json::Value,
    ) {
        let expected = if version == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(version)
        };
        store
            .append(AppendRequest::single(
                id,
                kind,
                expected,
                vec![NewEvent::new(t, 1, data)],
                Metadata::default(),
            ))
            .wait()
            .unwrap();
    }

    #[test]
    fn names_and_codes_are_those_at_the_position_asked() {
        let store = MemoryStore::new();
        let org = Uuid::now_v7();
        let other = Uuid::now_v7();
        append(
            &store,
            org,
            "organisatie",
            0,
            "OrganisatieGeregistreerd",
            json!({"naam": "Welzijn Oost", "soort": "welzijn", "contactadres": null}),
        );
        append(
            &store,
            other,
            "organisatie",
            0,
            "OrganisatieGeregistreerd",
            json!({"naam": "Bibliotheek", "soort": "bibliotheek", "contactadres": null}),
        );
        append(
            &store,
            org,
            "organisatie",
            1,
            "OrganisatieGewijzigd",
            json!({"naam": "Welzijn Twente"}),
        );
        let mut names = Names::new(&store);
        assert_eq!(names.label(org, 0), None, "not there yet");
        assert_eq!(names.label(org, 2).as_deref(), Some("Welzijn Oost"));
        assert_eq!(names.label(org, 3).as_deref(), Some("Welzijn Twente"));
        let trekker = json!({"soort": "organisatie", "organisatieId": org});
        assert_eq!(
            names.describe("trekker", &trekker, 2).as_deref(),
            Some("Welzijn Oost")
        );
        let groep = json!({"soort": "groep", "naam": "Werkgroep"});
        assert_eq!(
            names.describe("trekker", &groep, 2).as_deref(),
            Some("Werkgroep")
        );
        let partners = json!([other, org]);
        assert_eq!(
            names.describe("partners", &partners, 3).as_deref(),
            Some("Bibliotheek, Welzijn Twente")
        );
        assert_eq!(
            names
                .describe("eigenaarOrganisatieId", &json!(org), 1)
                .as_deref(),
            Some("Welzijn Oost")
        );
        assert_eq!(names.describe("naam", &json!("x"), 3), None, "no reference");
        assert_eq!(
            names.describe("doelId", &json!(Uuid::now_v7()), 3),
            None,
            "unknown id"
        );
    }
}
