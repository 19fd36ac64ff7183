//! The loader and every rule on arbitrary bytes: no panic, no stack overflow, bounded time.
#![no_main]

use ingress_lint::fuzzing::check_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    check_bytes(data);
});
