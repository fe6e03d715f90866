//! codexgen renders a versioned catalog of model providers (`providers.yaml`)
//! into the files the `OpenAI` Codex CLI reads, and never destroys what it does
//! not own. The pipeline runs one way, one module per stage:
//!
//! ```text
//! catalog (load, layer, validate) -> render (tera) -> merge (toml_edit, ownership)
//!     -> diff (similar) -> write (atomic, locked)
//! ```
//!
//! `cli` only describes arguments; `app` resolves them into settings and runs
//! the stages; `diagnostic` renders problems. `codex` holds what each Codex
//! version accepts; `state` is codexgen's memory of what it wrote.

mod app;
pub mod catalog;
mod cli;
pub mod codex;
mod commands;
mod detect;
pub mod diagnostic;
pub mod diff;
pub mod merge;
pub mod render;
pub mod state;
mod verify;
pub mod write;

use std::ffi::OsString;
use std::process::ExitCode;

/// Runs codexgen with these command-line arguments (the first is the program name).
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    app::run(args).into()
}
