//! Owns the shape of what commands print besides errors: findings with a
//! status per line (ok / warn / error, coloured on a terminal), the output
//! format (text or JSON), and the dimmed `codexgen:` prefix of progress lines.

use anstyle::{AnsiColor, Style};
use serde::Serialize;

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
    Warn,
    Error,
}

/// The status as a fixed-width, coloured word.
pub fn style_status(status: Status) -> String {
    let (word, color) = match status {
        Status::Ok => ("ok   ", AnsiColor::Green),
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
