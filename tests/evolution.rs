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
    assert_eq!(&*bericht.tekst, "Eerste avond gehouden met 40 deelnemers.");
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

/// `ActieAangemaakt` v1 (before kenmerken were recorded) is read back with
/// no kenmerk, and the projection gives each actie one in log order by the
/// rule new acties follow: an old store of the Twenterand demo shows the
/// same kenmerken as a fresh load.
#[test]
fn acties_stored_before_kenmerken_get_the_ones_a_fresh_load_records() {
    use mag_tracker::import::{parse, plan, TWENTERAND_2024};
    use mag_tracker::projections::EventHeader;

    let file = parse(TWENTERAND_2024).unwrap();
    let plan = plan(&file, &ReadModel::default()).unwrap();
    let (mut fresh, mut old) = (ReadModel::default(), ReadModel::default());
    let mut position = 0;
    for s in &plan.streams {
        for (i, e) in s.events.iter().enumerate() {
            position += 1;
            let header = EventHeader {
                position,
                stream_id: s.stream_id,
                stream_type: e.stream_type().into(),
                version: i as u64 + 1,
                recorded_at: chrono::Utc::now(),
                bijsturing_id: None,
            };
            fresh.apply_decoded(&header, e);
            let mut data = e.data();
            let v1 = if e.event_type() == "ActieAangemaakt" {
                assert!(data["kenmerk"].is_string(), "recorded by the import");
                data.as_object_mut().unwrap().remove("kenmerk");
                Event::decode(e.event_type(), 1, &data).unwrap()
            } else {
                e.clone()
            };
            if let Event::ActieAangemaakt(a) = &v1 {
                assert_eq!(a.kenmerk, None, "v1 has none");
            }
            old.apply_decoded(&header, &v1);
        }
    }
    assert_eq!(fresh.acties.len(), 79);
    for (id, a) in &fresh.acties {
        assert_eq!(old.acties[id].state.kenmerk, a.state.kenmerk);
    }
    let mut all: Vec<String> = old
        .acties
        .values()
        .map(|a| a.state.kenmerk.to_string())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 79);
    assert!(all.iter().any(|k| k == "1.1.3-3"));
}

/// Codes became optional and local (issue 18): `OpgaveAangemaakt.code` and
/// `Hernummerd.nieuweCode` may now be `null`. A log written before that
/// (a committed fixture written by the previous build: an agenda imported,
/// opgave 1.1 renumbered to 1.4 carrying doel 1.1.1 to 1.4.1, which was then
/// renumbered to 1.4.2) reads back with the same meaning, no upcaster needed.
#[test]
fn a_log_written_when_codes_were_required_reads_back_unchanged_in_meaning() {
    use mag_tracker::domain::events::Hernummerd;
    use mag_tracker::domain::Code;

    const CODES: &str = include_str!("fixtures/codes-v1.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let events: Vec<RecordedEvent> = CODES
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    import_events(dir.path(), 16 << 20, events, false).unwrap();
    let store = Arc::new(SledStore::open(dir.path(), SledOptions::default()).unwrap());
    let model = ReadModel::replay(store.as_ref(), store.head()).unwrap();
    let code = |c: &str| Some(Code::parse(c).unwrap());

    let mut opgaven: Vec<(Option<Code>, String, Option<Code>)> = model
        .opgaven
        .values()
        .map(|o| {
            (
                o.state.code.clone(),
                o.state.titel.clone(),
                model.opgave_weergavecode(o.id),
            )
        })
        .collect();
    opgaven.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        opgaven,
        [
            (code("1.4"), "Armoede".into(), code("1.4")),
            (code("2.1"), "Wonen".into(), code("2.1")),
        ]
    );
    let mut doelen: Vec<(Option<Code>, String)> = model
        .doelen
        .values()
        .map(|d| (model.doel_weergavecode(d.id), d.state.titel.clone()))
        .collect();
    doelen.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        doelen,
        [
            (code("2.1.1"), "Betaalbaar bouwen".into()),
            (code("1.4.2"), "Schulden voorkomen".into()),
            (None, "Vroegsignalering".into()),
        ]
    );
    let mut kenmerken: Vec<String> = model
        .acties
        .values()
        .map(|a| a.state.kenmerk.to_string())
        .collect();
    kenmerken.sort();
    assert_eq!(kenmerken, ["1.1-1", "1.1.1-1"], "kenmerken never change");
    // The stored renumber decodes with its new code present.
    let last = store.event_at(store.head()).unwrap().unwrap();
    match Event::decode(&last.event_type, last.schema_version, &last.data).unwrap() {
        Event::DoelHernummerd(Hernummerd {
            vorige_code,
            nieuwe_code,
        }) => assert_eq!((vorige_code, nieuwe_code), (code("1.4.1"), code("1.4.2"))),
        other => panic!("{other:?}"),
    }
    // Each event's data, decoded and written again, is the stored data.
    for l in CODES.lines() {
        let e: RecordedEvent = serde_json::from_str(l).unwrap();
        let decoded = Event::decode(&e.event_type, e.schema_version, &e.data).unwrap();
        assert_eq!(decoded.data(), e.data, "{} written again", e.event_type);
    }
}

/// Events written before the gemeente scope (a shared nota's agenda and
/// actie, their changes, two tokens; `tests/fixtures/gedeelde-nota-voor-
/// gemeenten-v1.jsonl`, written by the program of commit 1399daf) read back
/// with the meaning they had: an actie without `gemeenten` is for the whole
/// agenda, an agenda has no uitvoeringsperioden, a token no gemeente; and
/// each event's data, decoded and written again, is the stored data.
#[test]
fn events_from_before_the_gemeente_scope_read_back_unchanged() {
    const OLD: &str = include_str!("fixtures/gedeelde-nota-voor-gemeenten-v1.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let events: Vec<RecordedEvent> = OLD
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for e in &events {
        let decoded = Event::decode(&e.event_type, e.schema_version, &e.data).unwrap();
        assert_eq!(decoded.data(), e.data, "{} written again", e.event_type);
    }
    import_events(dir.path(), 16 << 20, events, false).unwrap();
    let store = Arc::new(SledStore::open(dir.path(), SledOptions::default()).unwrap());
    let model = ReadModel::replay(store.as_ref(), store.head()).unwrap();
    let agenda = &model.agendas.values().next().unwrap().state;
    assert_eq!(agenda.gemeenten, ["Almelo", "Borne", "Hengelo"]);
    assert_eq!(agenda.omschrijving, "Drie gemeenten, één nota.");
    assert!(agenda.uitvoeringsperioden.is_empty());
    let actie = &model.acties.values().next().unwrap().state;
    assert_eq!((actie.jaar, actie.gemeenten.len()), (2025, 0));
    assert!(mag_tracker::domain::gemeente::hoort_bij(
        &actie.gemeenten,
        "Borne"
    ));
    assert_eq!(model.tokens.len(), 2);
    assert!(model.tokens.values().all(|t| t.state.gemeente.is_none()));
}

/// Contributions (issue 18): a log of the structure as it was written
/// before bijdragen existed (positions 1–6) reads back with no
/// contributions; the four new events (frozen here in their stored form)
/// add and take them away, also as of a past position.
#[test]
fn a_log_before_bijdragen_reads_back_without_them_and_the_new_events_apply() {
    const BIJDRAGEN: &str = include_str!("fixtures/bijdragen-v1.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let events: Vec<RecordedEvent> = BIJDRAGEN
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    import_events(dir.path(), 16 << 20, events, false).unwrap();
    let store = Arc::new(SledStore::open(dir.path(), SledOptions::default()).unwrap());
    let id = |s: &str| -> uuid::Uuid { s.parse().unwrap() };
    let (opgave, doel) = (
        id("01920000-0000-7000-8000-0000000000b0"),
        id("01920000-0000-7000-8000-0000000000d0"),
    );
    let (b, c) = (
        id("01920000-0000-7000-8000-0000000000f2"),
        id("01920000-0000-7000-8000-0000000000f3"),
    );
    let at = |position| ReadModel::replay(store.as_ref(), position).unwrap();
    let before = at(6);
    assert!(before.opgaven[&opgave].state.bijdragen.is_empty());
    assert!(before.doelen[&doel].state.bijdragen.is_empty());
    assert_eq!(before.opgaven[&opgave].version, 1);
    let at_9 = at(9);
    assert_eq!(at_9.opgaven[&opgave].state.bijdragen, [b, c]);
    assert_eq!(at_9.doelen[&doel].state.bijdragen, [c]);
    let now = at(store.head());
    assert_eq!(now.opgaven[&opgave].state.bijdragen, [b]);
    assert_eq!(now.opgaven[&opgave].version, 4);
    let stored = store.event_at(10).unwrap().unwrap();
    assert_eq!(
        Event::decode(&stored.event_type, stored.schema_version, &stored.data).unwrap(),
        Event::OpgaveBijdrageVerwijderd(mag_tracker::domain::events::BijdrageVerwijderd {
            groepering_id: c
        })
    );
    assert_eq!(stored.stream_type, "opgave");
}
