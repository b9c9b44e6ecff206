//! Query strings on the collection endpoints of the real app (in-memory
//! store, demo agenda): never a 5xx, every 4xx is problem+json.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mag_tracker::fuzzing::QueryHarness;

thread_local! {
    // Leaked on purpose: dropping an actix runtime in a thread-local
    // destructor at process exit panics.
    static HARNESS: &'static QueryHarness = Box::leak(Box::new(QueryHarness::new()));
}

fuzz_target!(|data: &[u8]| {
    if let Some((path, query)) = data.split_first() {
        HARNESS.with(|h| h.get(*path as usize, query));
    }
});
