//! An event as a CloudEvent 1.0 in structured JSON mode, following the NL
//! GOV profile for CloudEvents: `id` is the event id, `source` the server's
//! public URL (or `urn:mag-tracker` without `--public-url`), `type` the
//! event's name in reverse-DNS form, `subject` the stream (resource) id,
//! `time` the recorded time, `sequence` the log position (with
//! `sequencetype: Integer`), and `data` the event exactly as
//! `GET /v1/gebeurtenissen` shows it to the subscriber.

use serde_json::{json, Value};

use crate::event_store::RecordedEvent;
use crate::http::gebeurtenissen::Gebeurtenis;

pub const CONTENT_TYPE: &str = "application/cloudevents+json";
/// CloudEvents batch mode: a JSON array of structured events.
pub const BATCH_CONTENT_TYPE: &str = "application/cloudevents-batch+json";

/// `ActieStatusGewijzigd` on an `actie` stream: `nl.mag-tracker.actie.status-gewijzigd`.
pub fn ce_type(stream_type: &str, event_type: &str) -> String {
    let mut kebab = String::new();
    for (i, c) in event_type.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            kebab.push('-');
        }
        kebab.extend(c.to_lowercase());
    }
    let rest = kebab
        .strip_prefix(stream_type)
        .and_then(|r| r.strip_prefix('-'))
        .unwrap_or(&kebab);
    format!("nl.mag-tracker.{stream_type}.{rest}")
}

/// The `source` attribute.
pub fn source(public_url: Option<&str>) -> String {
    match public_url {
        Some(u) if !u.trim().is_empty() => u.trim_end_matches('/').to_owned(),
        _ => "urn:mag-tracker".to_owned(),
    }
}

/// The CloudEvent of `e` as JSON.
pub fn build(e: &RecordedEvent, source: &str) -> Value {
    let ce_type = ce_type(&e.stream_type, &e.event_type);
    let (id, subject, position) = (e.id, e.stream_id, e.position);
    let time = e
        .recorded_at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    json!({
        "specversion": "1.0",
        "id": id.to_string(),
        "source": source,
        "type": ce_type,
        "subject": subject.to_string(),
        "time": time,
        "sequence": position.to_string(),
        "sequencetype": "Integer",
        "datacontenttype": "application/json",
        "data": Gebeurtenis::from(e.clone()),
    })
}

/// The body of one request: the event, or in batch mode an array of them.
pub fn body(events: &[std::sync::Arc<RecordedEvent>], batch: bool, source: &str) -> Vec<u8> {
    let value = match events {
        [e] if !batch => build(e, source),
        _ => Value::Array(events.iter().map(|e| build(e, source)).collect()),
    };
    serde_json::to_vec(&value).unwrap_or_default()
}

/// The Standard Webhooks `webhook-id` of a request: the event's id, or for
/// several events the first and last id joined by a dot (a repeat of the
/// same events has the same id; a receiver deduplicates by each event's
/// own `id`).
pub fn message_id(events: &[std::sync::Arc<RecordedEvent>]) -> String {
    match events {
        [] => String::new(),
        [e] => e.id.to_string(),
        [first, .., last] => format!("{}.{}", first.id, last.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_reverse_dns_without_repeating_the_stream() {
        assert_eq!(
            ce_type("actie", "ActieStatusGewijzigd"),
            "nl.mag-tracker.actie.status-gewijzigd"
        );
        assert_eq!(
            ce_type("actie", "TrekkerGewijzigd"),
            "nl.mag-tracker.actie.trekker-gewijzigd"
        );
        assert_eq!(
            ce_type("opgave", "OpgaveHernummerd"),
            "nl.mag-tracker.opgave.hernummerd"
        );
        assert_eq!(
            source(Some("https://mag.example.nl/")),
            "https://mag.example.nl"
        );
        assert_eq!(source(None), "urn:mag-tracker");
    }
}
