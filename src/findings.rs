//! Owns the one vocabulary of findings: what a check found about a Codex
//! home, its layers or the installed Codex that is not an error of the run
//! itself, at one severity of one scale, worded once, with what to do about
//! it. The rules that find them (`hazards`, `layers`) build a [`Finding`];
//! every command renders that same finding: `gen` on stderr (`error:`,
//! `warning:`) and in its JSON `warnings`, `doctor` as a line under its
//! subject and in its JSON. Does not decide what is a finding, nor print.

use std::fmt;

use serde::Serialize;

use crate::codex::{NEWEST_KNOWN, Version};
use crate::diagnostic::{Level, Problem, Snippet};

/// How bad a finding is. One scale for every command; its words are
/// doctor's statuses (`info`, `warn`, `error`, also in both JSON reports)
/// and [`Severity::level`] (gen's stderr).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Severity {
    /// Worth knowing, and changes nothing codexgen writes or Codex does
    /// with it (doctor `info`; gen, which says what needs attention, does
    /// not print it).
    #[serde(rename = "info")]
    Note,
    /// Codex loads the files but may not do what the catalog means: a
    /// value overridden, a key it does not read (doctor `warn`, gen
    /// `warning:`).
    #[serde(rename = "warn")]
    Warning,
    /// Codex fails with it: refuses to load a file, or a profile fails
    /// when a session starts (doctor `error`, exit 1; gen `error:`, which
    /// changes no exit status, as the file is the user's to fix).
    #[serde(rename = "error")]
    Error,
}

impl Severity {
    /// The first word of the finding on gen's stderr; `None` for a note,
    /// which gen does not print.
    pub fn level(self) -> Option<Level> {
        match self {
            Severity::Note => None,
            Severity::Warning => Some(Level::Warning),
            Severity::Error => Some(Level::Error),
        }
    }
}

/// What a finding is about, which doctor groups its lines by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The Codex release (what it does with a flag, say).
    Codex,
    /// The files codexgen writes, as they are or as planned.
    Files,
    /// A layer around the user's files (`layers`).
    Layers,
    Provider(String),
    Profile(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Codex => f.write_str("codex"),
            Subject::Files => f.write_str("files"),
            Subject::Layers => f.write_str("layers"),
            Subject::Provider(id) => write!(f, "provider {id}"),
            Subject::Profile(name) => write!(f, "profile {name}"),
        }
    }
}

/// A file, line and column a finding's message names.
pub type Place = (String, usize, usize);

/// One finding, as every command renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub subject: Subject,
    /// One sentence (it may name a file, a key, a value: it is shown
    /// through the report filters, which redact and escape).
    pub message: String,
    /// What to do about it.
    pub fix: Option<String>,
    /// The profiles it concerns; empty when it concerns every profile.
    pub profiles: Vec<String>,
    /// Where it is in a file, when it has a place; the message does not
    /// name it, each rendering shows it ([`Finding::located`]).
    pub place: Option<Place>,
}

impl Finding {
    pub fn new(severity: Severity, subject: Subject, message: impl Into<String>) -> Self {
        Finding {
            severity,
            subject,
            message: message.into(),
            fix: None,
            profiles: Vec::new(),
            place: None,
        }
    }

    #[must_use]
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// The message after its place (`file:line:column: `), if it has one.
    pub fn located(&self) -> String {
        match &self.place {
            Some((file, line, column)) => format!("{file}:{line}:{column}: {}", self.message),
            None => self.message.clone(),
        }
    }

    /// The finding as a problem on stderr: its located message and, as the
    /// help, its fix (rendered at [`Severity::level`]).
    pub fn problem(&self) -> Problem {
        Problem::new(self.located()).maybe_help(self.fix.clone())
    }

    /// The finding as a problem that shows its place as a snippet (the
    /// line with a caret under `label`) rather than in the message.
    pub fn problem_at(&self, snippet: Snippet, label: String) -> Problem {
        Problem::new(self.message.clone())
            .at(snippet)
            .label(label)
            .maybe_help(self.fix.clone())
    }
}

/// What codexgen cannot vouch for when the Codex that reads the files is
/// newer than the newest release it measured: one line, said by `gen` and
/// `doctor` alike (`None` for a measured release).
pub fn newer_than_measured(version: Version) -> Option<Finding> {
    (version > NEWEST_KNOWN).then(|| {
        Finding::new(
            Severity::Warning,
            Subject::Codex,
            format!(
                "Codex {version} is newer than {NEWEST_KNOWN}, the newest release codexgen has measured: keys Codex added since are not checked by codexgen; `codexgen gen --verify` asks Codex"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_release_newer_than_the_newest_measured_is_named() {
        assert_eq!(newer_than_measured(NEWEST_KNOWN), None);
        assert_eq!(newer_than_measured(Version::new(0, 89, 0)), None);
        let line = newer_than_measured(Version::new(0, 171, 1))
            .expect("a finding")
            .message;
        assert!(
            line.starts_with(&format!("Codex 0.171.1 is newer than {NEWEST_KNOWN}")),
            "{line}"
        );
        assert!(!line.contains('\n'), "{line}");
    }

    #[test]
    fn each_severity_has_one_word_per_rendering() {
        let words: Vec<_> = [Severity::Note, Severity::Warning, Severity::Error]
            .into_iter()
            .map(|s| (serde_json::to_string(&s).unwrap(), s.level()))
            .collect();
        assert_eq!(
            words,
            [
                ("\"info\"".to_owned(), None),
                ("\"warn\"".to_owned(), Some(Level::Warning)),
                ("\"error\"".to_owned(), Some(Level::Error)),
            ]
        );
    }

    #[test]
    fn a_finding_is_a_problem_with_its_fix_as_help() {
        let f = Finding::new(Severity::Error, Subject::Provider("p".into()), "m").fix("do x");
        assert_eq!(f.problem().to_string(), "m\n  = help: do x");
        assert_eq!(f.subject.to_string(), "provider p");
    }

    /// The message never names its place; each rendering puts it in front
    /// (doctor, gen without a snippet) or shows it as a snippet.
    #[test]
    fn a_place_is_put_in_front_or_shown_as_a_snippet() {
        let mut f =
            Finding::new(Severity::Warning, Subject::Files, "`x` is unknown").fix("check it");
        f.place = Some(("config.toml".into(), 2, 1));
        assert_eq!(f.located(), "config.toml:2:1: `x` is unknown");
        assert_eq!(f.problem().message, "config.toml:2:1: `x` is unknown");
        let at = Snippet::at("config.toml", "a = 1\nx = 2\n", 2, 1, 1);
        let shown = f.problem_at(at, "here".into());
        assert_eq!(shown.message, "`x` is unknown");
        assert!(shown.to_string().contains("--> config.toml:2:1"), "{shown}");
    }
}
