//! Any catalog, config.toml and profile file through load, layer, build,
//! render, merge, diff and display, for each Codex layout: nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, &str, &str)| {
    let (catalog, config, profile) = input;
    codexgen::fuzz::pipeline(catalog, config, profile);
});
