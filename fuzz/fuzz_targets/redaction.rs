//! Any text through redaction, scrubbing and escaping: nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| codexgen::fuzz::redaction(text));
