//! Owns the shape of findings that doctor and probe print: a status per line
//! (ok / warn / error), coloured on a terminal, and the same in JSON.

use anstyle::{AnsiColor, Style};
use serde::Serialize;

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
