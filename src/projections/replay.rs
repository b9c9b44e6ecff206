//! The replay fast path: rebuilding the read model from the log at startup,
//! in `mag-tracker replay` and for past states (time travel).
//!
//! Each stored record is decoded once, straight from its bytes: the envelope
//! into a borrowed struct (strings not needed for the projections are only
//! checked, the data is kept as a borrowed [`RawValue`]), then the data into
//! the concrete event struct its type names ([`Event::decode_current`]). No
//! [`RecordedEvent`](crate::event_store::RecordedEvent) and no `Value` tree
//! is built; events of an older schema version still go through the
//! upcasters. The result is the same [`Event`] as the general path
//! ([`ReadModel::apply`]), which `tests/store.rs` checks event by event.
//!
//! A rebuild of more than one batch runs as a two-stage pipeline on two
//! threads: a reader scans sled and decodes the envelopes, copying each
//! event's type and data text into the batch's buffer; the caller's thread
//! decodes the data and applies it to the model. Batches go over a bounded
//! channel and come back empty for reuse.

use std::borrow::Cow;
use std::ops::ControlFlow;
use std::sync::mpsc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::{EventHeader, ReadModel};
use crate::domain::Event;
use crate::event_store::{ActorKind, EventStore, StoreError, StoreResult};

/// One stored event decoded for replay: what the projections read of the
/// envelope, and the event (or why its data does not decode).
#[derive(Debug)]
pub struct ReplayEvent {
    pub header: EventHeader<'static>,
    pub event: Result<Event, String>,
}

/// Format byte of a JSON record (see `event_store::staging`).
const FORMAT_JSON: u8 = 1;

/// The envelope as stored, borrowed from the record. Same fields, names and
/// strictness (`deny_unknown_fields`, required fields) as
/// [`RecordedEvent`](crate::event_store::RecordedEvent), so a record the
/// general path refuses is refused here too.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Envelope<'a> {
    #[serde(rename = "id")]
    _id: Uuid,
    #[serde(rename = "positie")]
    position: u64,
    stream_id: Uuid,
    #[serde(borrow)]
    stream_type: Cow<'a, str>,
    #[serde(rename = "versie")]
    version: u64,
    #[serde(rename = "type", borrow)]
    event_type: Cow<'a, str>,
    #[serde(rename = "schemaVersie")]
    schema_version: u32,
    #[serde(rename = "registratieTijdstip")]
    recorded_at: DateTime<Utc>,
    #[serde(borrow)]
    data: &'a RawValue,
    metadata: MetadataCheck,
}

/// [`Metadata`](crate::event_store::Metadata), keeping only what the
/// projections use; the rest is checked, not kept.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MetadataCheck {
    #[serde(rename = "actor")]
    _actor: ActorCheck,
    #[serde(rename = "correlatieId")]
    _correlation_id: Option<Uuid>,
    #[serde(rename = "causatieId")]
    _causation_id: Option<Uuid>,
    #[serde(rename = "idempotentieSleutel")]
    _idempotency_key: Option<AnyStr>,
    #[serde(rename = "toelichting")]
    _toelichting: Option<AnyStr>,
    bijsturing_id: Option<Uuid>,
    #[serde(rename = "agendaId")]
    _agenda_id: Option<Uuid>,
}

/// [`Actor`](crate::event_store::Actor), checked only.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActorCheck {
    #[serde(rename = "soort")]
    _kind: ActorKind,
    #[serde(rename = "organisatieId")]
    _organisatie_id: Option<Uuid>,
    #[serde(rename = "rol")]
    _rol: Option<AnyStr>,
    #[serde(rename = "tokenId")]
    _token_id: Option<Uuid>,
    #[serde(rename = "omschrijving")]
    _label: Option<AnyStr>,
}

/// A JSON string, checked and dropped (no allocation).
struct AnyStr;

impl<'de> Deserialize<'de> for AnyStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = AnyStr;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<AnyStr, E> {
                Ok(AnyStr)
            }
        }
        d.deserialize_str(V)
    }
}

/// The stream types this program writes, so a replayed header needs no
/// allocation for them.
fn stream_type_of(raw: Cow<'_, str>) -> Cow<'static, str> {
    const KNOWN: [&str; 11] = [
        "actie",
        "opgave",
        "doel",
        "indicator",
        "reflectie",
        "checkmoment",
        "agenda",
        "groepering",
        "organisatie",
        "token",
        "abonnement",
    ];
    match KNOWN.iter().find(|k| **k == raw) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(raw.into_owned()),
    }
}

/// Decodes the record stored at `position` for replay. An envelope that
/// does not decode (or says another position) is a damaged log
/// ([`StoreError::Corrupt`], as the store's own scan says); data that does
/// not decode is reported in [`ReplayEvent::event`].
pub fn decode_stored(position: u64, bytes: &[u8]) -> StoreResult<ReplayEvent> {
    let mut text = String::new();
    let pending = decode_envelope(position, bytes, &mut text)?;
    Ok(pending.finish(&text))
}

/// An event whose envelope is decoded; its type and data are kept as JSON
/// text in a buffer shared by a batch (no allocation per event).
#[derive(Debug)]
struct Pending {
    header: EventHeader<'static>,
    schema_version: u32,
    event_type: std::ops::Range<usize>,
    data: std::ops::Range<usize>,
}

impl Pending {
    fn finish(self, text: &str) -> ReplayEvent {
        let event = Event::decode_current(
            &text[self.event_type],
            self.schema_version,
            &text[self.data],
        );
        ReplayEvent {
            header: self.header,
            event,
        }
    }
}

/// Decodes the envelope of a stored record, appending its type and the
/// JSON text of its data to `text`.
fn decode_envelope(position: u64, bytes: &[u8], text: &mut String) -> StoreResult<Pending> {
    let json = match bytes.split_first() {
        Some((&FORMAT_JSON, json)) => json,
        Some((format, _)) => {
            return Err(StoreError::Corrupt(format!(
                "unknown event storage format {format}"
            )))
        }
        None => return Err(StoreError::Corrupt("empty event record".to_owned())),
    };
    let envelope: Envelope<'_> = serde_json::from_slice(json)
        .map_err(|e| StoreError::Corrupt(format!("undecodable event: {e}")))?;
    if envelope.position != position {
        return Err(StoreError::Corrupt(format!(
            "event at position {position} says it is at {}",
            envelope.position
        )));
    }
    let mut push = |s: &str| {
        let from = text.len();
        text.push_str(s);
        from..text.len()
    };
    let event_type = push(&envelope.event_type);
    let data = push(envelope.data.get());
    Ok(Pending {
        header: EventHeader {
            position,
            stream_id: envelope.stream_id,
            stream_type: stream_type_of(envelope.stream_type),
            version: envelope.version,
            recorded_at: envelope.recorded_at,
            bijsturing_id: envelope.metadata.bijsturing_id,
        },
        schema_version: envelope.schema_version,
        event_type,
        data,
    })
}

/// Events per batch handed from the reader to the applier.
const BATCH: usize = 1024;
/// Batches in flight between the two stages.
const DEPTH: usize = 4;

/// A batch from the reader: envelopes decoded, type and data as text.
#[derive(Default)]
struct Batch {
    events: Vec<Pending>,
    text: String,
}

/// Applies the events with `after < position <= until` (clamped to the
/// head) to `model`, calling `progress` with the position reached after
/// each batch. Fails on a damaged log or an event that does not decode or
/// apply, with the same messages as a scan through [`ReadModel::apply`].
///
/// The reader thread decodes only the envelopes; the data is decoded on
/// the applying thread, so everything the model keeps is allocated by one
/// thread (with glibc, allocations on the reader kept by the model cost
/// about 45% more resident memory through a second malloc arena).
pub fn replay_into(
    model: &mut ReadModel,
    store: &dyn EventStore,
    after: u64,
    until: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), String> {
    let until = until.min(store.head());
    if until <= after {
        return Ok(());
    }
    if until - after <= BATCH as u64 {
        let mut failure = None;
        let mut text = String::new();
        store
            .scan_stored(after, until, &mut |position, bytes| {
                text.clear();
                match decode_envelope(position, bytes, &mut text) {
                    Ok(e) => match apply(model, e.finish(&text)) {
                        Ok(()) => ControlFlow::Continue(()),
                        Err(f) => {
                            failure = Some(f);
                            ControlFlow::Break(())
                        }
                    },
                    Err(e) => {
                        failure = Some(e.to_string());
                        ControlFlow::Break(())
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        progress(model.position);
        return failure.map_or(Ok(()), Err);
    }
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(DEPTH);
        let (empty_tx, empty_rx) = mpsc::sync_channel::<Batch>(DEPTH + 2);
        let reader = std::thread::Builder::new()
            .name("replay-reader".into())
            .spawn_scoped(scope, move || -> StoreResult<()> {
                let mut batch = Batch::default();
                let mut failure = None;
                store.scan_stored(after, until, &mut |position, bytes| {
                    match decode_envelope(position, bytes, &mut batch.text) {
                        Ok(e) => batch.events.push(e),
                        Err(e) => {
                            failure = Some(e);
                            return ControlFlow::Break(());
                        }
                    }
                    if batch.events.len() < BATCH {
                        return ControlFlow::Continue(());
                    }
                    let next = empty_rx.try_recv().unwrap_or_default();
                    match full_tx.send(std::mem::replace(&mut batch, next)) {
                        Ok(()) => ControlFlow::Continue(()),
                        // The applier stopped (it found a bad event).
                        Err(_) => ControlFlow::Break(()),
                    }
                })?;
                if !batch.events.is_empty() {
                    let _ = full_tx.send(batch);
                }
                failure.map_or(Ok(()), Err)
            })
            .map_err(|e| format!("cannot start the replay reader: {e}"))?;
        let mut failure = None;
        'batches: for mut batch in full_rx.iter() {
            for e in batch.events.drain(..) {
                if let Err(f) = apply(model, e.finish(&batch.text)) {
                    failure = Some(f);
                    break 'batches;
                }
            }
            batch.text.clear();
            progress(model.position);
            let _ = empty_tx.try_send(batch);
        }
        // Stops the reader if it is still going (its next send fails).
        drop(full_rx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(StoreError::Corrupt("the replay reader panicked".into())));
        // The applier's failure comes first in log order.
        match (failure, read) {
            (Some(f), _) => Err(f),
            (None, Err(e)) => Err(e.to_string()),
            (None, Ok(())) => Ok(()),
        }
    })
}

/// Applies one decoded event (also used by `bench-replay` to time applying
/// alone, with every event decoded beforehand).
pub fn apply(model: &mut ReadModel, e: ReplayEvent) -> Result<(), String> {
    match e.event {
        Ok(event) => {
            model.apply_decoded(&e.header, &event);
            Ok(())
        }
        Err(err) => Err(format!("event at position {}: {err}", e.header.position)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::event_store::{
        encode_stored, Actor, AppendRequest, ExpectedVersion, MemoryStore, Metadata, NewEvent,
        RecordedEvent, SledOptions, SledStore,
    };

    /// The general path: every envelope decoded to a [`RecordedEvent`], its
    /// data through `Event::decode`.
    fn general(store: &dyn EventStore) -> Result<ReadModel, String> {
        let mut model = ReadModel::default();
        let mut failure = None;
        store
            .scan(0, store.head(), &mut |e| match model.apply(&e) {
                Ok(()) => ControlFlow::Continue(()),
                Err(err) => {
                    failure = Some(format!("event at position {}: {err}", e.position));
                    ControlFlow::Break(())
                }
            })
            .map_err(|e| e.to_string())?;
        failure.map_or(Ok(model), Err)
    }

    #[test]
    fn the_fast_path_decodes_and_rebuilds_exactly_as_the_general_path() {
        let dir = tempfile::tempdir().unwrap();
        // Realistic, varied data: several imports of the demo agenda and the
        // daily work on them (berichten, statussen, metingen, reflecties).
        crate::bench::run_data(crate::bench::DataArgs {
            data_dir: dir.path().to_path_buf(),
            events: 6_000,
            ids: None,
            batch: 500,
            events_per_agenda: 2_000,
            seed: 7,
            durability: crate::event_store::Durability::Flush,
        })
        .unwrap();
        let store = SledStore::open(dir.path(), SledOptions::default()).unwrap();
        let model = general(&store).unwrap();
        let actie = *model.acties.keys().next().unwrap();
        let bericht = model.acties[&actie]
            .state
            .voortgangsberichten
            .first()
            .map(|b| b.id);
        // Plus what the generator does not write: an old schema version, a
        // bijsturing's id, texts with escapes, an unknown stream type.
        let metadata = Metadata {
            actor: Actor::system("test \"quoted\"\n\u{1}"),
            bijsturing_id: Some(Uuid::now_v7()),
            toelichting: Some("regel 1\nregel 2 \\ é ✓ \u{7f}".into()),
            idempotency_key: Some("k\t1".into()),
            ..Metadata::default()
        };
        let events = vec![
            NewEvent::new(
                "VoortgangsberichtGecorrigeerd",
                1,
                json!({"berichtId": bericht.unwrap_or_else(Uuid::now_v7), "tekst": "a \"b\"\n\tc é"}),
            ),
            NewEvent::new(
                "VoortgangsberichtToegevoegd",
                1,
                json!({"berichtId": Uuid::now_v7(), "datum": "2024-05-01", "auteurOrganisatieId": null, "tekst": "\u{2028} \\u0000 \"x\"", "extra": [1, {"y": null}]}),
            ),
        ];
        let request = AppendRequest::single(actie, "actie", ExpectedVersion::Any, events, metadata);
        store.append(request).wait().unwrap();
        let odd = AppendRequest::single(
            Uuid::now_v7(),
            "proef",
            ExpectedVersion::NoStream,
            vec![NewEvent::new(
                "OrganisatieGewijzigd",
                1,
                json!({"naam": "x"}),
            )],
            Metadata::default(),
        );
        store.append(odd).wait().unwrap();

        // Event by event: same event, same header.
        let mut checked = 0u64;
        store
            .scan_stored(0, store.head(), &mut |position, bytes| {
                let fast = decode_stored(position, bytes).unwrap();
                let recorded = store.event_at(position).unwrap().unwrap();
                let general = Event::decode(
                    &recorded.event_type,
                    recorded.schema_version,
                    &recorded.data,
                );
                assert_eq!(fast.event, general, "position {position}");
                assert_eq!(
                    fast.header,
                    EventHeader::of(&recorded),
                    "position {position}"
                );
                assert_eq!(
                    fast.event.as_ref().unwrap().event_type(),
                    recorded.event_type
                );
                checked += 1;
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(checked, store.head());

        // The whole model, rebuilt on two threads, and the past states.
        let expected = general(&store).unwrap();
        assert!(!expected.uitvoeringen.is_empty());
        let rebuilt = ReadModel::replay(&store, store.head()).unwrap();
        // Field by field, indexes and stamps included (`ReadModel: PartialEq`).
        assert!(rebuilt == expected, "the fast path's model differs");
        let mut partial = ReadModel::replay(&store, 2_500).unwrap();
        assert_eq!(partial.position, 2_500);
        let mut calls = 0;
        replay_into(&mut partial, &store, 2_500, u64::MAX, &mut |_| calls += 1).unwrap();
        assert!(calls > 1);
        assert!(
            partial == expected,
            "the model replayed in two parts differs"
        );
    }

    #[test]
    fn failures_read_as_on_the_general_path() {
        let store = MemoryStore::new();
        let stream = Uuid::now_v7();
        let events = (0..1_500)
            .map(|i| {
                if i == 1_200 {
                    NewEvent::new("Onbekend", 1, json!({}))
                } else {
                    NewEvent::new("OrganisatieGewijzigd", 1, json!({"naam": format!("o{i}")}))
                }
            })
            .collect();
        let request = AppendRequest::single(
            stream,
            "organisatie",
            ExpectedVersion::Any,
            events,
            Metadata::default(),
        );
        store.append(request).wait().unwrap();
        let fast = ReadModel::replay(&store, store.head()).unwrap_err();
        assert_eq!(fast, general(&store).unwrap_err());
        assert!(fast.starts_with("event at position 1201: "), "{fast}");

        // A future schema version and data of the wrong shape, one by one.
        let bad = [
            (
                "VoortgangsberichtGecorrigeerd",
                3,
                json!({"berichtId": stream, "tekst": "t"}),
            ),
            ("VoortgangsberichtToegevoegd", 1, json!({"tekst": 5})),
            ("AgendaGewijzigd", 1, json!("x")),
        ];
        for (i, (kind, version, data)) in bad.into_iter().enumerate() {
            let recorded = RecordedEvent {
                id: Uuid::now_v7(),
                position: i as u64 + 1,
                stream_id: stream,
                stream_type: "actie".into(),
                version: 1,
                event_type: kind.into(),
                schema_version: version,
                recorded_at: chrono::Utc::now(),
                data: data.clone(),
                metadata: Metadata::default(),
            };
            let fast = decode_stored(recorded.position, &encode_stored(&recorded)).unwrap();
            assert_eq!(fast.event, Event::decode(kind, version, &data));
            assert!(fast.event.is_err());
        }
        // A damaged envelope is a damaged log; so is a wrong position.
        let mut bytes = encode_stored(&RecordedEvent {
            id: Uuid::now_v7(),
            position: 9,
            stream_id: stream,
            stream_type: "actie".into(),
            version: 1,
            event_type: "X".into(),
            schema_version: 1,
            recorded_at: chrono::Utc::now(),
            data: json!({}),
            metadata: Metadata::default(),
        });
        assert!(matches!(
            decode_stored(8, &bytes),
            Err(StoreError::Corrupt(_))
        ));
        bytes.truncate(bytes.len() - 1);
        assert!(matches!(
            decode_stored(9, &bytes),
            Err(StoreError::Corrupt(_))
        ));
        let unknown_field = br#"{"id":"01920000-0000-7000-8000-000000000001","positie":1,"streamId":"01920000-0000-7000-8000-000000000001","streamType":"a","versie":1,"type":"X","schemaVersie":1,"registratieTijdstip":"2024-01-01T00:00:00Z","data":{},"metadata":{"actor":{"soort":"systeem","extra":1}}}"#;
        let mut record = vec![FORMAT_JSON];
        record.extend_from_slice(unknown_field);
        assert!(matches!(
            decode_stored(1, &record),
            Err(StoreError::Corrupt(_))
        ));
        assert!(crate::event_store::decode_stored(&record).is_err());
    }
}
