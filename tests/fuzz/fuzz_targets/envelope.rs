//! Stored event records: decoding arbitrary bytes never panics, and what
//! decodes survives an encode/decode round trip unchanged.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mag_tracker::fuzzing::stored_event(data);
});
