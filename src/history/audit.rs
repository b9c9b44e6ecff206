//! The audittrail of one resource, computed generically from its stream.
//!
//! Every resource is kept as a JSON *document* folded from its events: the
//! creating event's data, then each later event folded in (a patch event's
//! fields overwrite, a status change sets `status`, a voortgangsbericht adds
//! `voortgangsberichten.<id>`, ...). An audit entry lists the document's
//! fields that differ before and after the event, with old and new value.
//! In this domain every change to a resource is an event on its own stream
//! (a bijsturing is carried out by events on the streams it changes, marked
//! with `metadata.bijsturingId`), so the stream is the complete history.

use serde_json::{Map, Value};

use crate::event_store::RecordedEvent;

/// One field that changed.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// One event's effect on the resource.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub event: RecordedEvent,
    /// Kind of change in plain Dutch: aangemaakt, gewijzigd, status gewijzigd, ...
    pub soort: &'static str,
    pub changes: Vec<FieldChange>,
}

/// The kind of change an event is, for people.
pub fn soort(e: &RecordedEvent) -> &'static str {
    let t = e.event_type.as_str();
    if e.version == 1 {
        return "aangemaakt";
    }
    match t {
        "ActieStatusGewijzigd"
            if e.data.get("naar").and_then(Value::as_str) == Some("vervallen") =>
        {
            "vervallen"
        }
        "ActieStatusGewijzigd" => "status gewijzigd",
        "TrekkerGewijzigd" => "trekker gewijzigd",
        "PartnersGewijzigd" => "partners gewijzigd",
        "VoortgangsberichtToegevoegd" => "voortgang gemeld",
        "StreefwaardeVastgesteld" => "streefwaarde vastgesteld",
        "MetingVastgelegd" => "meting vastgelegd",
        "CheckmomentGesloten" => "gesloten",
        "BijsturingVastgelegd" => "bijsturing vastgelegd",
        "BijsturingDoorgevoerd" => "bijsturing doorgevoerd",
        "OpgaveBijdrageToegevoegd" | "DoelBijdrageToegevoegd" => "bijdrage toegevoegd",
        "OpgaveBijdrageVerwijderd" | "DoelBijdrageVerwijderd" => "bijdrage verwijderd",
        _ if t.ends_with("Vervallen") => "vervallen",
        _ if t.ends_with("Hernummerd") => "hernummerd",
        _ if t.ends_with("Verplaatst") => "verplaatst",
        _ if t.ends_with("Gecorrigeerd") => "gecorrigeerd",
        _ if t.ends_with("Ingetrokken") => "ingetrokken",
        _ => "gewijzigd",
    }
}

fn get(data: &Value, key: &str) -> Value {
    data.get(key).cloned().unwrap_or(Value::Null)
}

fn id_of(data: &Value, key: &str) -> String {
    data.get(key)
        .and_then(Value::as_str)
        .unwrap_or("onbekend")
        .to_owned()
}

/// Folds one event into the resource's document.
pub fn fold(doc: &mut Map<String, Value>, e: &RecordedEvent) {
    let d = &e.data;
    let mut set = |k: &str, v: Value| {
        doc.insert(k.to_owned(), v);
    };
    if e.version == 1 {
        if let Value::Object(m) = d {
            for (k, v) in m {
                set(k, v.clone());
            }
        }
        return;
    }
    match e.event_type.as_str() {
        "ActieStatusGewijzigd" => {
            set("status", get(d, "naar"));
            set("statusSindsDatum", get(d, "ingangsDatum"));
            set("reden", get(d, "reden"));
        }
        "TrekkerGewijzigd" => set("trekker", get(d, "nieuweTrekker")),
        "GroeperingHernummerd" | "OpgaveHernummerd" | "DoelHernummerd" => {
            set("code", get(d, "nieuweCode"))
        }
        "OpgaveVervallen" | "DoelVervallen" => {
            set("vervallen", Value::Bool(true));
            set("reden", get(d, "reden"));
        }
        "DoelVerplaatst" => set("opgaveId", get(d, "nieuweOpgaveId")),
        // The groeperingen contributed to, as a list of ids (the audittrail
        // names them).
        "OpgaveBijdrageToegevoegd"
        | "DoelBijdrageToegevoegd"
        | "OpgaveBijdrageVerwijderd"
        | "DoelBijdrageVerwijderd" => {
            let g = get(d, "groeperingId");
            let mut list = match doc.get("bijdragen") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            list.retain(|x| *x != g);
            if e.event_type.ends_with("Toegevoegd") {
                list.push(g);
            }
            if list.is_empty() {
                doc.remove("bijdragen");
            } else {
                doc.insert("bijdragen".into(), Value::Array(list));
            }
        }
        "ActieVerplaatst" => {
            set("opgaveId", get(d, "nieuweOpgaveId"));
            set("doelId", get(d, "nieuwDoelId"));
        }
        "PartnersGewijzigd" => set("partners", get(d, "nieuwePartners")),
        "VoortgangsberichtToegevoegd" => {
            let mut b = d.clone();
            if let Value::Object(m) = &mut b {
                m.remove("berichtId");
            }
            set(&format!("voortgangsberichten.{}", id_of(d, "berichtId")), b);
        }
        "VoortgangsberichtGecorrigeerd" | "VoortgangsberichtIngetrokken" => {
            let key = format!("voortgangsberichten.{}", id_of(d, "berichtId"));
            let mut b = doc.get(&key).cloned().unwrap_or(Value::Object(Map::new()));
            if let Value::Object(m) = &mut b {
                if e.event_type.ends_with("Gecorrigeerd") {
                    m.insert("tekst".into(), get(d, "tekst"));
                } else {
                    m.insert("ingetrokken".into(), Value::Bool(true));
                    m.insert("redenIntrekking".into(), get(d, "reden"));
                }
            }
            doc.insert(key, b);
        }
        "ReflectieIngetrokken" => {
            set("ingetrokken", Value::Bool(true));
            set("redenIntrekking", get(d, "reden"));
        }
        "StreefwaardeVastgesteld" => {
            let new = get(d, "streefwaarde");
            let jaar = new.get("jaar").cloned();
            let mut list = match doc.get("streefwaarden") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            list.retain(|w| w.get("jaar") != jaar.as_ref());
            list.push(new);
            list.sort_by_key(|w| w.get("jaar").and_then(Value::as_i64).unwrap_or_default());
            doc.insert("streefwaarden".into(), Value::Array(list));
        }
        "MetingVastgelegd" => {
            let periode = d.get("periode").and_then(Value::as_str).unwrap_or("?");
            set(&format!("metingen.{periode}"), d.clone());
        }
        "CheckmomentGesloten" => {
            set("gesloten", Value::Bool(true));
            set("sluitDatum", get(d, "datum"));
            set("samenvatting", get(d, "samenvatting"));
        }
        "BijsturingVastgelegd" => {
            set(
                &format!("bijsturingen.{}", id_of(d, "bijsturingId")),
                d.clone(),
            );
        }
        "BijsturingDoorgevoerd" => {
            let key = format!("bijsturingen.{}", id_of(d, "bijsturingId"));
            let mut b = doc.get(&key).cloned().unwrap_or(Value::Object(Map::new()));
            if let Value::Object(m) = &mut b {
                m.insert("doorgevoerdDatum".into(), get(d, "datum"));
            }
            doc.insert(key, b);
        }
        // Patch events: only the changed fields are present.
        _ => {
            if let Value::Object(m) = d {
                for (k, v) in m {
                    set(k, v.clone());
                }
            }
        }
    }
}

/// Fields that differ between two documents (sorted by name).
pub fn diff(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<FieldChange> {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let old = before.get(k).cloned().unwrap_or(Value::Null);
            let new = after.get(k).cloned().unwrap_or(Value::Null);
            (old != new).then(|| FieldChange {
                field: k.clone(),
                old,
                new,
            })
        })
        .collect()
}

/// The audittrail of a stream's events (in version order).
pub fn trail(events: Vec<RecordedEvent>) -> Vec<AuditEntry> {
    let mut doc = Map::new();
    events
        .into_iter()
        .map(|event| {
            let before = doc.clone();
            fold(&mut doc, &event);
            AuditEntry {
                soort: soort(&event),
                changes: diff(&before, &doc),
                event,
            }
        })
        .collect()
}
