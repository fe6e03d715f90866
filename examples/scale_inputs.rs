//! Writes a generated catalog of N providers and N profiles to stdout, or
//! with `--projects N`, N `[projects]` trust entries as Codex appends them
//! to config.toml. Used by `benches/scale.sh`.
//!
//! `cargo run --release --example scale_inputs -- 10000 > catalog.yaml`

// A benchmark helper, not codexgen: a panic on a full disk is fine here.
#![allow(clippy::disallowed_macros)]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (projects, n) = match args.as_slice() {
        [flag, n] if flag == "--projects" => (true, n),
        [n] => (false, n),
        _ => {
            eprintln!("usage: scale_inputs [--projects] N");
            std::process::exit(2);
        }
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("scale_inputs: {n:?} is not a count");
        std::process::exit(2);
    };
    let text = if projects {
        codexgen::stages::projects_text(n)
    } else {
        codexgen::stages::catalog_text(n)
    };
    print!("{text}");
}
