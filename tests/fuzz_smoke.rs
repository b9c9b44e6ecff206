//! The CI smoke run of the three fuzz targets, without cargo-fuzz: each
//! entry point of `mag_tracker::fuzzing` runs on its seeds and on seeded
//! random mutations of them (bytes replaced, inserted, deleted, cut off,
//! two seeds spliced). `scripts/fuzz` is the real, coverage-guided run;
//! installing cargo-fuzz and an ASan build do not fit in CI, this does.
//!
//! Seeds: every stored record of the demo agenda's import (envelope), the
//! demo import file (import) and the committed query corpus (query).

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use mag_tracker::app::{load_demo, open_state};
use mag_tracker::event_store::{decode_stored, encode_stored, EventStore, MemoryStore};
use mag_tracker::fuzzing::{import_file, stored_event, QueryHarness};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const ENVELOPE_CASES: u32 = 20_000;
const IMPORT_CASES: u32 = 1_000;
const QUERY_CASES: u32 = 3_000;

/// Bytes a JSON or query mutation is most likely to trip over.
const INTERESTING: &[u8] = b"{}[]\",:0123456789-+.eE\\tfnul \x00\xff%&=";

#[derive(Debug, Clone)]
enum Edit {
    Replace(Index, u8),
    Insert(Index, u8),
    Delete(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![any::<u8>(), proptest::sample::select(INTERESTING)];
    prop_oneof![
        (any::<Index>(), byte.clone()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<Index>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<Index>().prop_map(Edit::Delete),
    ]
}

/// A seed, possibly spliced with a second one, with up to 8 edits and
/// possibly cut short.
fn mutated(seeds: Arc<Vec<Vec<u8>>>) -> impl Strategy<Value = Vec<u8>> {
    (
        any::<Index>(),
        proptest::option::weighted(0.2, (any::<Index>(), any::<Index>(), any::<Index>())),
        proptest::collection::vec(edit(), 0..8),
        proptest::option::weighted(0.2, any::<Index>()),
    )
        .prop_map(move |(seed, splice, edits, cut)| {
            let mut bytes = seed.get(&seeds[..]).clone();
            if let Some((other, at, from)) = splice {
                let other = other.get(&seeds[..]);
                let at = if bytes.is_empty() {
                    0
                } else {
                    at.index(bytes.len())
                };
                let from = if other.is_empty() {
                    0
                } else {
                    from.index(other.len())
                };
                bytes.truncate(at);
                bytes.extend_from_slice(&other[from..]);
            }
            for e in edits {
                match e {
                    Edit::Replace(i, b) if !bytes.is_empty() => {
                        let i = i.index(bytes.len());
                        bytes[i] = b;
                    }
                    Edit::Insert(i, b) => {
                        let i = i.index(bytes.len() + 1);
                        bytes.insert(i, b);
                    }
                    Edit::Delete(i) if !bytes.is_empty() => {
                        let i = i.index(bytes.len());
                        bytes.remove(i);
                    }
                    _ => {}
                }
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes
        })
}

/// A deterministic runner (same cases every run, so a CI failure repeats).
fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

fn demo_records() -> Vec<Vec<u8>> {
    let store = Arc::new(MemoryStore::new());
    let state = open_state(store.clone()).expect("an empty store opens");
    actix_web::rt::System::new()
        .block_on(load_demo(&state))
        .expect("the demo agenda loads");
    let mut records = Vec::new();
    store
        .scan(0, store.head(), &mut |e| {
            records.push(encode_stored(&e));
            ControlFlow::Continue(())
        })
        .expect("the memory store scans");
    records
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|f| f.expect("a corpus entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read(f).expect("a readable corpus file"))
        .collect()
}

/// Runs `each` on every seed, then on `cases` seeded mutations of them;
/// returns how many mutations it accepted (`each` says whether the input
/// got past the parser, so a test can check that both paths ran).
fn fuzz(cases: u32, seeds: Vec<Vec<u8>>, each: impl Fn(&[u8]) -> bool) -> usize {
    for s in &seeds {
        each(s);
    }
    let accepted = std::cell::Cell::new(0);
    runner(cases)
        .run(&mutated(Arc::new(seeds)), |bytes| {
            accepted.set(accepted.get() + usize::from(each(&bytes)));
            Ok(())
        })
        .unwrap();
    accepted.get()
}

#[test]
fn stored_event_decoding_survives_mutated_records() {
    let seeds = demo_records();
    assert!(seeds.len() > 100, "the demo import has many events");
    let decoded = fuzz(ENVELOPE_CASES, seeds, |bytes| {
        stored_event(bytes);
        decode_stored(bytes).is_ok()
    });
    // Both paths ran: records refused, and mutated records that still
    // decode and went through the round trip.
    assert!(
        (ENVELOPE_CASES as usize / 50..ENVELOPE_CASES as usize * 9 / 10).contains(&decoded),
        "{decoded} of {ENVELOPE_CASES} mutated records decoded"
    );
}

#[test]
fn import_parsing_survives_mutated_files() {
    let seeds = corpus("import");
    assert!(!seeds.is_empty());
    for s in &seeds {
        std::str::from_utf8(s).expect("the seed is UTF-8");
    }
    let parsed = fuzz(IMPORT_CASES, seeds, |bytes| {
        let text = String::from_utf8_lossy(bytes);
        import_file(&text);
        mag_tracker::import::parse(&text).is_ok()
    });
    assert!(
        (IMPORT_CASES as usize / 20..IMPORT_CASES as usize * 9 / 10).contains(&parsed),
        "{parsed} of {IMPORT_CASES} mutated files parsed (the plan runs on those)"
    );
}

#[test]
fn query_strings_never_get_a_server_error() {
    let harness = QueryHarness::new();
    let mut seeds = corpus("query");
    // Every collection path with the parameters the API knows, well-formed
    // and not.
    for path in 0..harness.paths.len() as u8 {
        for q in [
            "page=2&pageSize=500",
            "page=0&pageSize=501",
            "pageSize=-1",
            "peildatum=2024-02-30",
            "peiltijdstip=2024-06-01T12:00:00Z",
            "positie=18446744073709551616",
            "sinds=2024-01-01&tot=2023-01-01",
            "status=lopend&organisatie=x",
            "na=5&pageSize=1",
            // the edges of every integer and date type (issue 15: extreme
            // dates made handlers panic and drop the connection)
            "peildatum=+262142-12-31",
            "peildatum=-262143-01-01",
            "peildatum=2024-1-1",
            "peildatum=2200-12-31",
            "peiltijdstip=+262142-12-31T23:59:59Z",
            "peiltijdstip=-262143-01-01T00:00:00Z",
            "sinds=-262143-01-01",
            "sinds=2024-01-01&tot=+262142-12-31",
            "sinds=1900-01-01&tot=2200-12-31",
            "sindsPositie=18446744073709551615&totPositie=0",
            "page=18446744073709551615",
            "page=4294967295&pageSize=500",
            "na=18446744073709551615",
            "positie=18446744073709551615",
        ] {
            let mut s = vec![path];
            s.extend_from_slice(q.as_bytes());
            seeds.push(s);
        }
    }
    fuzz(QUERY_CASES, seeds, |bytes| {
        if let Some((path, query)) = bytes.split_first() {
            harness.get(*path as usize, query);
        }
        true
    });
}
