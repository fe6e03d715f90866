//! Any state file is read or refused: nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| codexgen::fuzz::state(text));
