//! Indicator events stored before metingen could name a gemeente and before a
//! streefwaarde could hold for the whole period (a committed fixture, written
//! by `mag-tracker` of that time through its API and `export-events`) read
//! back with the same meaning: every meting is for the whole area, every
//! streefwaarde and the nulmeting keep their year, a later meting for the
//! same period still supersedes, and the stored bytes are never rewritten.

use std::sync::Arc;

use mag_tracker::domain::indicator::{Koers, Waarde};
use mag_tracker::domain::Event;
use mag_tracker::event_store::{import_events, EventStore, RecordedEvent, SledOptions, SledStore};
use mag_tracker::projections::ReadModel;

const FIXTURE: &str = include_str!("fixtures/indicator-metingen-v1.jsonl");

fn w(jaar: i32, waarde: f64) -> Waarde {
    Waarde {
        jaar: Some(jaar),
        waarde,
        ondergrens: None,
        bovengrens: None,
    }
}

#[test]
fn indicator_events_of_before_gemeenten_and_period_targets_read_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let events: Vec<RecordedEvent> = FIXTURE
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    import_events(dir.path(), 16 << 20, events.clone(), false).unwrap();
    let store = Arc::new(SledStore::open(dir.path(), SledOptions::default()).unwrap());

    // Each stored event decodes and encodes again to exactly what was stored.
    for e in &events {
        let decoded = Event::decode(&e.event_type, e.schema_version, &e.data).unwrap();
        assert_eq!(decoded.data(), e.data, "{} at {}", e.event_type, e.position);
    }

    let model = ReadModel::replay(store.as_ref(), store.head()).unwrap();
    let i = &model.indicatoren.values().next().unwrap().state;
    assert_eq!(i.nulmeting, Some(w(2023, 12.0)));
    assert_eq!(i.streefwaarden, vec![w(2024, 10.0), w(2025, 8.5)]);
    let metingen: Vec<(&str, f64, bool, Option<&str>)> = i
        .metingen
        .iter()
        .map(|m| {
            (
                m.periode.as_str(),
                m.waarde,
                m.vervangen,
                m.gemeente.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        metingen,
        [
            ("2024", 11.0, true, None),
            ("2024", 9.5, false, None),
            ("2025-Q2", 9.8, false, None)
        ]
    );
    // Judged as before: the whole area only, 2024 met, 2025 not yet.
    assert_eq!(i.gebieden(), vec![None]);
    assert_eq!(i.stand(2024, None).koers, Some(Koers::OpKoers));
    assert_eq!(i.stand(2025, None).koers, Some(Koers::NietOpKoers));
    assert!(i.vorig_jaar(2025, None).is_none());
    assert!(!i.nog_te_vullen());
}
