//! The durability limits of the sled store: no item it writes reaches sled's
//! blob files (which sled never fsyncs), and `close` releases the directory
//! before it returns.

use std::path::Path;
use std::sync::Arc;

use mag_tracker::event_store::{
    AppendOutcome, AppendRequest, EventStore, ExpectedVersion, IdempotencyClaim, Metadata,
    NewEvent, SledOptions, SledStore, StoreError, StreamAppend, LEGACY_SEGMENT_SIZE,
    MAX_EVENTS_PER_APPEND, MAX_EVENT_BYTES,
};
use serde_json::json;
use uuid::Uuid;

/// Text that makes an event of this kind just fit under the store's limit.
fn text_of(len: usize) -> String {
    "verslag ".repeat(len / 8 + 1)[..len].to_owned()
}

fn big(len: usize) -> NewEvent {
    NewEvent::new(
        "VoortgangsberichtToegevoegd",
        1,
        json!({ "tekst": text_of(len) }),
    )
}

fn stream(id: Uuid, events: Vec<NewEvent>) -> StreamAppend {
    StreamAppend {
        stream_id: id,
        stream_type: "actie".into(),
        expected: ExpectedVersion::Any,
        events,
    }
}

fn request(streams: Vec<StreamAppend>, key: Option<String>) -> AppendRequest {
    AppendRequest {
        streams,
        metadata: Metadata::default(),
        idempotency: key.map(|key| IdempotencyClaim {
            fingerprint: format!("fp-{key}"),
            key,
        }),
    }
}

fn blob_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("blobs"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The largest events the store accepts (within 600 bytes of the 64 KiB
/// limit, envelope included), 150 on one stream one append at a time
/// (every append rewrites the leaf holding the last 17 of them) and 40 in
/// one append across 40 streams; then idempotency records of appends over
/// 2,000 streams with 500-byte keys side by side, and one over 10,000
/// streams (the most one append may carry). After every acknowledged
/// append the blob count is checked; a retry after reopening gets the
/// original outcome (streams included).
fn worst_case(dir: &Path, options: SledOptions, mut after_ack: impl FnMut(&Path)) {
    let store = SledStore::open(dir, options).unwrap();
    let len = MAX_EVENT_BYTES - 600;
    let too_big = store
        .append(request(
            vec![stream(Uuid::now_v7(), vec![big(len + 1_000)])],
            None,
        ))
        .wait();
    assert!(
        matches!(too_big, Err(StoreError::EventTooLarge { .. })),
        "{too_big:?}"
    );
    let one_stream = Uuid::now_v7();
    for _ in 0..150 {
        store
            .append(request(vec![stream(one_stream, vec![big(len)])], None))
            .wait()
            .expect("an event just under the limit is accepted");
        after_ack(dir);
    }
    let across = (0..40)
        .map(|_| stream(Uuid::now_v7(), vec![big(len)]))
        .collect();
    store.append(request(across, None)).wait().unwrap();
    after_ack(dir);

    let mut idempotent: Vec<(AppendRequest, AppendOutcome)> = Vec::new();
    let prefix = "k".repeat(480);
    for (i, streams) in [2_000, 2_000, 2_000, 2_000, MAX_EVENTS_PER_APPEND]
        .into_iter()
        .enumerate()
    {
        let streams = (0..streams)
            .map(|_| stream(Uuid::now_v7(), vec![NewEvent::new("X", 1, json!({}))]))
            .collect();
        let req = request(streams, Some(format!("{prefix}{i:020}")));
        let outcome = store.append(req.clone()).wait().unwrap();
        after_ack(dir);
        idempotent.push((req, outcome));
    }
    store.close();
    let store = SledStore::open(dir, SledOptions::default()).unwrap();
    for (req, original) in idempotent {
        let again = store.append(req).wait().unwrap();
        assert!(again.duplicate);
        assert_eq!(
            again.streams, original.streams,
            "the outcome's streams come back"
        );
        assert_eq!(
            (again.first_position, again.last_position),
            (original.first_position, original.last_position)
        );
    }
    store.close();
}

#[test]
fn the_largest_writes_the_store_accepts_never_reach_a_blob_file() {
    let dir = tempfile::tempdir().unwrap();
    worst_case(dir.path(), SledOptions::default(), |dir| {
        let blobs = blob_files(dir);
        assert!(blobs.is_empty(), "sled wrote blob files {blobs:?}");
    });
}

/// The same writes do reach blob files with sled's default segments
/// (512 KiB), which stores created before keep (their blob files are
/// fsynced before acknowledging: `tests/journeys/fsync_trace.rs`).
#[test]
fn with_the_old_segment_size_the_same_writes_reach_blob_files() {
    let dir = tempfile::tempdir().unwrap();
    let old = SledOptions {
        segment_size: Some(LEGACY_SEGMENT_SIZE),
        ..SledOptions::default()
    };
    let mut most = 0;
    worst_case(dir.path(), old, |dir| {
        most = most.max(blob_files(dir).len())
    });
    assert!(most > 0, "the worst case never crossed the old threshold");
}

/// Open, append, close, reopen at once: `close` joins the store's threads
/// and waits until sled has let go of the directory, even while another
/// holder of the store (as actix workers hold the app state) is alive.
#[test]
fn close_releases_the_directory_at_once_200_times() {
    let dir = tempfile::tempdir().unwrap();
    let mut holders = Vec::new();
    for round in 1..=200u64 {
        let store = match SledStore::open(dir.path(), SledOptions::default()) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("round {round}: {e}"),
        };
        assert_eq!(store.head(), round - 1);
        let req = request(vec![stream(Uuid::now_v7(), vec![big(100)])], None);
        store.append(req.clone()).wait().unwrap();
        let other: Arc<dyn EventStore> = store.clone();
        store.close();
        assert!(matches!(
            other.append(req).wait(),
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(other.event_at(1), Err(StoreError::Unavailable(_))));
        holders.push(other);
    }
}

/// The arithmetic of ADR 0001: a leaf of sled holds at most 17 entries (20
/// after a merge) when written whole; with the largest events that stays
/// under the blob threshold of the store's segments, but not of sled's
/// default ones.
#[test]
fn a_full_leaf_of_the_largest_events_stays_under_the_blob_threshold() {
    use mag_tracker::event_store::{inline_limit, SEGMENT_SIZE};
    let entry = MAX_EVENT_BYTES + 9 + 16; // value, key, sled's per-entry lengths
    assert!(20 * entry + 1024 < inline_limit(SEGMENT_SIZE));
    assert_eq!(inline_limit(SEGMENT_SIZE), 2 * 1024 * 1024 - 52);
    assert!(2 * entry > inline_limit(LEGACY_SEGMENT_SIZE));
}
