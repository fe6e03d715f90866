//! Owns the shape of what commands print besides errors: findings with a
//! status per line (ok / info / warn / error, coloured on a terminal), the output
//! format (text or JSON), the dimmed `codexgen:` prefix of progress lines,
//! and the one filter every report line passes ([`shown`]).

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::diagnostic::{printable, printable_lines};
use crate::findings::Severity;
use crate::secrets::redact;

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Not a problem, and not checked further: e.g. a provider nobody in
    /// scope uses whose key is unset, or a Codex layer that changes nothing
    /// codexgen writes. Never changes the exit status.
    Info,
    Warn,
    Error,
}

impl From<Severity> for Status {
    /// A finding's status: its severity's word.
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Note => Status::Info,
            Severity::Warning => Status::Warn,
            Severity::Error => Status::Error,
        }
    }
}

/// The status as a fixed-width, coloured word.
pub fn style_status(status: Status) -> String {
    let (word, color) = match status {
        Status::Ok => ("ok   ", AnsiColor::Green),
        Status::Info => ("info ", AnsiColor::Cyan),
        Status::Warn => ("warn ", AnsiColor::Yellow),
        Status::Error => ("error", AnsiColor::Red),
    };
    let style = Style::new().fg_color(Some(color.into())).bold();
    format!("{style}{word}{style:#}")
}

/// Text printed dimmed (progress lines, notes).
pub fn dim(text: &str) -> String {
    let style = Style::new().dimmed();
    format!("{style}{text}{style:#}")
}

/// A finding's text as it may be printed, in text or JSON: keys and the
/// values of catalog variables redacted, control characters escaped. Every
/// report line passes through here; its parts can come from any file.
pub fn shown(text: &str) -> String {
    printable(&redact(text)).into_owned()
}

/// [`shown`], with line breaks kept as line breaks (another program's
/// many-line message); every other control character is escaped.
pub fn shown_lines(text: &str) -> String {
    printable_lines(&redact(text), "")
}

/// codexgen's own words (a scope, a fix), which name variables
/// (`export X=<...>`) and must not be redacted, only escaped.
pub fn own_words(text: &str) -> String {
    printable(text).into_owned()
}

/// `text` on standard output as it is (no colour decisions: it holds none);
/// a reader that goes away (`| head`) ends the printing quietly (`output`).
pub fn print_out(text: &str, what: &'static str) -> Result<(), crate::output::OutputError> {
    let mut out = crate::output::Stdout::plain(what);
    out.print(text)?;
    out.finish()
}
