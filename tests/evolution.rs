//! Event evolution: a stored old-version event (a committed fixture, written
//! by the code before `VoortgangsberichtGecorrigeerd` v2) is read back in the
//! current shape; the stored bytes are never rewritten.

use std::sync::Arc;

use mag_tracker::domain::events::VoortgangsberichtGecorrigeerd;
use mag_tracker::domain::Event;
use mag_tracker::event_store::{import_events, EventStore, RecordedEvent, SledOptions, SledStore};
use mag_tracker::projections::ReadModel;

const FIXTURE: &str = include_str!("fixtures/voortgangsbericht-gecorrigeerd-v1.jsonl");

#[test]
fn a_stored_v1_correction_is_upcast_to_the_current_shape_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let events: Vec<RecordedEvent> = FIXTURE
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    import_events(dir.path(), 16 << 20, events, false).unwrap();
    let store = Arc::new(SledStore::open(dir.path(), SledOptions::default()).unwrap());

    let stored = store.event_at(3).unwrap().unwrap();
    assert_eq!(
        (stored.event_type.as_str(), stored.schema_version),
        ("VoortgangsberichtGecorrigeerd", 1)
    );
    assert!(
        stored.data.get("vorigeTekst").is_none(),
        "stored as written"
    );

    let event = Event::decode(&stored.event_type, stored.schema_version, &stored.data).unwrap();
    assert_eq!(
        event,
        Event::VoortgangsberichtGecorrigeerd(VoortgangsberichtGecorrigeerd {
            bericht_id: "01920000-0000-7000-8000-0000000000c1".parse().unwrap(),
            tekst: "Eerste avond gehouden met 40 deelnemers.".into(),
            vorige_tekst: None,
        })
    );
    assert_eq!(
        event.schema_version(),
        2,
        "new corrections are written as v2"
    );

    let model = ReadModel::replay(store.as_ref(), store.head()).unwrap();
    let actie = model.acties.values().next().unwrap();
    let bericht = &actie.state.voortgangsberichten[0];
    assert_eq!(bericht.tekst, "Eerste avond gehouden met 40 deelnemers.");
    assert!(bericht.gecorrigeerd);

    // v2 round-trips; a version from the future is refused with a clear message
    let v2 = serde_json::json!({"berichtId": "01920000-0000-7000-8000-0000000000c1", "tekst": "b", "vorigeTekst": "a"});
    match Event::decode("VoortgangsberichtGecorrigeerd", 2, &v2).unwrap() {
        Event::VoortgangsberichtGecorrigeerd(c) => assert_eq!(c.vorige_tekst.as_deref(), Some("a")),
        other => panic!("{other:?}"),
    }
    let err = Event::decode("VoortgangsberichtGecorrigeerd", 3, &v2).unwrap_err();
    assert!(err.contains("newer than this program knows"), "{err}");
    assert!(Event::decode("ActieStatusGewijzigd", 2, &v2).is_err());
}
