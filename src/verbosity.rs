//! Owns how much codexgen says on stderr besides warnings, errors and
//! questions (`-q`/`-v`): one level, set once by the dispatch before any
//! command runs (as the colour choice is), read by whoever prints an
//! informational line. Does not decide what is said.

use std::sync::atomic::{AtomicU8, Ordering};

/// How many informational lines go to stderr. Warnings and errors print
/// at every level; so does a question codexgen asks (`[y/N]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Verbosity {
    /// `-q`: no informational line (progress, notes, "nothing to change").
    Quiet = 0,
    Normal = 1,
    /// `-v`: also which files were read or passed over and why, and each
    /// file's status.
    Verbose = 2,
}

/// Set once by the dispatch, before any command runs (as the colour choice is).
static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

pub fn set(verbosity: Verbosity) {
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
}

fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// Prints an informational line on stderr, unless `-q`.
pub fn info(line: &str) {
    if verbosity() >= Verbosity::Normal as u8 {
        crate::output::eprintln(line);
    }
}

/// Prints `note: LINE` on stderr (`note:` dimmed), unless `-q`: a note is
/// informational, whichever command says it. The one way a `note:` line
/// is printed.
pub fn note(line: impl std::fmt::Display) {
    if verbosity() >= Verbosity::Normal as u8 {
        let style = anstyle::Style::new().dimmed();
        crate::output::eprintln(format_args!("{style}note:{style:#} {line}"));
    }
}

/// Prints a line on stderr only with `-v`, prefixed `codexgen:` (dimmed).
pub fn detail(line: &str) {
    if verbosity() >= Verbosity::Verbose as u8 {
        let style = anstyle::Style::new().dimmed();
        crate::output::eprintln(format_args!("{style}codexgen:{style:#} {line}"));
    }
}

/// Whether `-q` was given.
pub fn quiet() -> bool {
    verbosity() == Verbosity::Quiet as u8
}

/// Whether `-v` was given (to skip building lines nobody sees).
pub fn verbose() -> bool {
    verbosity() >= Verbosity::Verbose as u8
}
