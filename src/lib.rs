//! codexgen renders a versioned catalog of model providers (`providers.yaml`)
//! into the files the `OpenAI` Codex CLI reads, and never destroys what it does
//! not own. The pipeline runs one way, one module per stage:
//!
//! ```text
//! catalog (load, layer, validate) -> render (tera) -> merge (toml_edit, ownership)
//!     -> diff (similar) -> write (atomic, locked)
//! ```
//!
//! Every arrow between modules points down (nothing imports `app`):
//!
//! ```text
//! app        dispatch: command line -> Settings -> a command's run(&Settings, &Options)
//! commands/  one module per command, nothing else, none importing another:
//!            gen (generate), doctor, probe, exec, aliases, import, init,
//!            adopt, add, use (use_), link, restore, list, show, validate,
//!            schema, completions and man (manual)
//! pipeline   gen's whole run for a home (gen wraps it, use runs it too):
//!            plan, warnings, refusals, --diff/--check reports (json: their
//!            JSON shape), or the write after the question
//! ui         how commands speak: report lines and format (report), a plan
//!            and its diff for review (plans), the [y/N] question (prompt)
//! endpoint   a provider as Codex will reach it (doctor, exec, list, probe)
//! launch     a profile as Codex's command line (exec, aliases)
//! overlay    the personal overlay as adopt, add --local and use write it
//! outside    edits made outside codexgen, as gen says them
//! plan       prepare (catalog -> rendered) and plan (rendered + disk + state -> Plan)
//! settings   Codex home, catalog files, target version, installed Codex (found once),
//!            and the catalog a home records for the commands that follow it
//! whose      which catalog wrote a home; a found one that is another (gen, aliases...)
//! hazards    what in a home trips the target Codex (gen and doctor), from texts
//! kept       what config.toml held that was not codexgen's at its last write (names
//!            only), and what of it another program's rewrite took (gen and doctor)
//! layers     Codex's config layers around the user's files (/etc/codex, projects)
//! findings   one finding (severity, subject, words, fix) that every command
//!            renders: hazards and layers are found as findings
//! codex_schema  Codex's own config schema, checked against the planned files
//! error      the error a command ends with, and its one rendering
//! stages     catalog (with its text edits for adopt and add, and the presets:
//!            the shipped providers as add's library), render, merge (ownership;
//!            in rooms: tree, value, comments, endings, pieces, legacy), diff,
//!            write (also the rule for links and the exchange with a
//!            concurrent writer), transaction (the crash-safe write of the
//!            home that gen, use and restore go through: lock, checks,
//!            staging, journal, commit, backup generation, prune), verify,
//!            detect, state, backups (the generations a write keeps, listed
//!            and pruned)
//! ground     cli, codex (per-version facts), home (file names), header (the two
//!            lines codexgen writes on top of a file, written and read back),
//!            secrets, diagnostic,
//!            input (bounded reads of regular files), child (time-limited children),
//!            limits (the time limits, which debug builds let tests shorten),
//!            halves (a long run of independent jobs on two threads),
//!            keycmd (key commands: found as Codex finds them, run for probe),
//!            verbosity (-q/-v, and the one way a `note:` is said), output (stdout and stderr: a failed write is
//!            an error, never a panic)
//! ```

// Without the `network` feature (docs/building.md), what only `probe`'s
// requests use (key commands, endpoint checks) is left unused; the default
// build, which CI lints too, still finds dead code.
#![cfg_attr(not(feature = "network"), allow(dead_code))]

mod app;
mod backups;
mod catalog;
mod child;
mod cli;
mod codex;
mod codex_schema;
mod commands;
mod detect;
mod diagnostic;
mod diff;
mod endpoint;
mod error;
mod findings;
#[doc(hidden)]
pub mod fuzz;
mod halves;
mod hazards;
mod header;
mod home;
mod input;
mod kept;
mod keycmd;
mod launch;
mod layers;
mod limits;
mod merge;
mod output;
mod outside;
mod overlay;
mod pipeline;
mod plan;
mod render;
mod secrets;
mod settings;
#[doc(hidden)]
pub mod stages;
mod state;
mod transaction;
mod ui;
mod verbosity;
mod verify;
mod whose;
mod write;

use std::ffi::OsString;
use std::process::ExitCode;

/// The command line's shape, for the tests that run every subcommand (so a
/// new one is covered without being listed). Not an API.
#[doc(hidden)]
pub fn command_line() -> clap::Command {
    <cli::Cli as clap::CommandFactory>::command()
}

/// Runs codexgen with these command-line arguments (the first is the program name).
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    app::run(args).into()
}
