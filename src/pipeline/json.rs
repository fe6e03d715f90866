//! Owns the JSON shape of `gen --diff --format json` and `gen --check
//! --format json`: one document on stdout, built from the plan's typed
//! files and notes and the run's warnings as `Problem`s with their
//! severity (never from printed text). Does not decide exit codes
//! or print anything else; the pipeline does.
//!
//! Every value and key from a file passes [`shown`]: a credential is
//! redacted as in the text reports, and control characters are escaped.
//! Values are TOML text, as they would be written (`"groq"`, `0.5`,
//! `{ api-version = "v1" }`).

use serde::Serialize;

use crate::codex::Target;
use crate::diagnostic::{Problem, printable};
use crate::diff;
use crate::findings::Severity;
use crate::home::CodexFile;
use crate::merge::{self, DriftAction, Note};
use crate::plan::{Plan, Planned};
use crate::state::State;
use crate::ui::report::{own_words, shown, shown_lines};

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    pub catalog: CatalogInfo,
    pub target: TargetInfo,
    /// The Codex home, as given or found.
    pub home: String,
    /// Every file codexgen plans, in plan order (config.toml first): those
    /// in sync included.
    pub files: Vec<FileReport>,
    /// `unfinished` when a codexgen run was interrupted before it finished
    /// its record (`gen --yes` finishes it), else `ok`.
    pub state: &'static str,
    /// What `gen --check` exits 1 for: a file that changes (one that only
    /// gains codexgen's header is in sync), or an unfinished record.
    pub out_of_date: bool,
    /// The warnings and errors the run also printed on stderr (notes are
    /// not here): what will trip Codex, values set by hand that the catalog
    /// replaces, keys Codex does not know (`--verify`), broken layer files.
    /// Never an exit status.
    pub warnings: Vec<Warning>,
}

/// One warning, with its place when it has one.
#[derive(Debug, Serialize)]
pub struct Warning {
    /// `warn`, or `error` for what makes Codex fail (a finding in the
    /// user's part of a file, which gen leaves as it is): the words of
    /// doctor's `status`.
    pub severity: Severity,
    pub message: String,
    /// The file as shown on stderr; `null` for a warning without a place.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What the caret points at.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

/// A warning's place when its message names it rather than showing a
/// snippet (a broken layer file): file, line, column.
pub use crate::findings::Place;

/// What the run said on stderr, as the report names it.
pub struct Said {
    pub severity: Severity,
    pub problem: Problem,
    pub place: Option<Place>,
}

fn warning(said: &Said) -> Warning {
    let (p, place) = (&said.problem, &said.place);
    let place = p
        .snippet
        .as_deref()
        .map(|s| (s.file.clone(), s.line, s.column))
        .or_else(|| place.clone());
    Warning {
        severity: said.severity,
        // A many-line warning (one value taken over per line) keeps its
        // lines: JSON escapes them, a literal `\u{a}` would not read.
        message: shown_lines(&p.message),
        file: place.as_ref().map(|(file, _, _)| own_words(file)),
        line: place.as_ref().map(|&(_, line, _)| line),
        column: place.as_ref().map(|&(_, _, column)| column),
        label: p.label.as_deref().map(shown_lines),
        help: p.help.as_deref().map(own_words),
    }
}

#[derive(Debug, Serialize)]
pub struct CatalogInfo {
    /// The catalog's own `version:`.
    pub version: String,
    /// The files read, in overlay order (`<stdin>` for `--catalog -`).
    pub files: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct TargetInfo {
    pub version: String,
    /// Why this version (`--codex-version`, the catalog's `codex:`, ...).
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct FileReport {
    /// The file's name in the Codex home (`config.toml`, `groq.config.toml`).
    pub file: String,
    pub status: FileStatus,
    /// Each managed key whose value changes, with the value on disk
    /// (`null`: not there) and the planned one (`null`: removed).
    pub changes: Vec<Change>,
    /// Managed values edited by hand since codexgen wrote them.
    pub drift: Vec<Drift>,
    /// Other things to know: a value codexgen takes over, a profile moved.
    pub notes: Vec<FileNote>,
    /// The unified diff (`--diff` only; absent when the file is in sync).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    Create,
    Update,
    Delete,
    InSync,
    /// Only the catalog version in codexgen's header changes.
    HeaderOnly,
    /// In sync, but codexgen's header is added on the next write.
    HeaderAdded,
}

#[derive(Debug, Serialize)]
pub struct Change {
    /// The key's path joined with dots, as the notes name it.
    pub key: String,
    /// The same path, one entry per key (unambiguous when a key holds a dot).
    pub path: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Drift {
    pub key: String,
    /// What codexgen wrote last.
    pub written: String,
    /// What is there now (`null`: removed by hand).
    pub found: Option<String>,
    /// What the next write does about it.
    pub action: String,
    /// The catalog's value, which the next write puts there (`null`: the
    /// catalog no longer has it).
    pub catalog: Option<String>,
    /// The command that keeps the edit instead (`codexgen adopt`), for an
    /// edited value the next write overwrites; else `null`.
    pub keep_with: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FileNote {
    /// A value codexgen never wrote is replaced by the catalog's.
    TakeOver {
        key: String,
        found: String,
        /// The catalog's value, which replaces it.
        to: String,
    },
    /// A value codexgen never wrote, equal to the catalog's, is managed
    /// from now on (nothing changes on disk).
    TakeOverEqual { key: String, value: String },
    /// A value that was the user's before codexgen took it over, which the
    /// catalog no longer sets, stays: the user's again. `yours` is their
    /// original value, put back in place of `found` (`null`: `found` stays).
    GiveBack {
        key: String,
        found: String,
        yours: Option<String>,
    },
    /// `[profiles.NAME]` in this file moves to `file`, with the keys the
    /// user added there (`carried`).
    Migrate {
        profile: String,
        file: String,
        carried: Vec<String>,
    },
    /// A table the catalog no longer renders stays whole, codexgen's keys
    /// included, because it holds the user's `keys`; it is the user's from
    /// now on; or because the user's `model_provider` keys (`used_by`)
    /// name it (a provider).
    Release {
        table: String,
        keys: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        used_by: Vec<String>,
    },
    /// Comment lines of removed keys and tables stay in the file.
    CommentsKept { lines: usize },
    /// The legacy top-level `profile = "NAME"`, which this Codex refuses,
    /// is removed: the catalog's default takes its place.
    RemoveSelector { profile: String },
}

/// A planned file's status, as `--check` counts it.
pub fn status(p: &Planned) -> FileStatus {
    match (&p.current, &p.merged.text) {
        (None, _) => FileStatus::Create,
        (Some(_), None) => FileStatus::Delete,
        _ if !p.changes() => FileStatus::InSync,
        _ if p.header_added() => FileStatus::HeaderAdded,
        _ if p.header_only().is_some() => FileStatus::HeaderOnly,
        _ => FileStatus::Update,
    }
}

/// The report of `plan`, with each file's diff when `with_diff`.
pub fn report(
    plan: &Plan,
    state: &State,
    warnings: &[Said],
    catalog: CatalogInfo,
    target: &Target,
    home: &str,
    with_diff: bool,
) -> Report {
    let files: Vec<FileReport> = plan
        .files
        .iter()
        // A file that is neither on disk nor planned is nothing to report.
        .filter(|p| p.current.is_some() || p.merged.text.is_some())
        .map(|p| file_report(p, state, with_diff))
        .collect();
    let out_of_date = state.interrupted
        || files
            .iter()
            .any(|f| !matches!(f.status, FileStatus::InSync | FileStatus::HeaderAdded));
    Report {
        catalog,
        target: TargetInfo {
            version: target.version.to_string(),
            reason: own_words(&target.reason),
        },
        home: printable(home).into_owned(),
        files,
        state: if state.interrupted {
            "unfinished"
        } else {
            "ok"
        },
        out_of_date,
        warnings: warnings.iter().map(warning).collect(),
    }
}

fn file_report(p: &Planned, state: &State, with_diff: bool) -> FileReport {
    let status = status(p);
    let mut drift = Vec::new();
    let mut notes = Vec::new();
    for note in &p.merged.notes {
        match note {
            Note::Drift {
                path,
                written,
                found,
                action,
            } => drift.push(Drift {
                key: shown(path),
                written: shown(written),
                found: found.as_deref().map(shown),
                action: match action {
                    DriftAction::Overwrite => "overwrite",
                    DriftAction::Restore => "restore",
                    DriftAction::Remove => "remove",
                }
                .to_owned(),
                catalog: crate::outside::catalog_value(p, path).map(shown),
                keep_with: (found.is_some() && *action == DriftAction::Overwrite)
                    .then_some(crate::outside::KEEP_WITH),
            }),
            Note::TakeOver { path, found, new } => notes.push(FileNote::TakeOver {
                key: shown(path),
                found: shown(found),
                to: shown(new),
            }),
            Note::TakenAsIs { path, value } => notes.push(FileNote::TakeOverEqual {
                key: shown(path),
                value: shown(value),
            }),
            Note::GivenBack { path, found, yours } => notes.push(FileNote::GiveBack {
                key: shown(path),
                found: shown(found),
                yours: yours.as_deref().map(shown),
            }),
            Note::Migrated { profile, carried } => notes.push(FileNote::Migrate {
                profile: profile.to_string(),
                file: CodexFile::Profile(profile.clone()).to_string(),
                carried: carried.iter().map(|k| shown(k)).collect(),
            }),
            Note::Released {
                table,
                keys,
                used_by,
            } => notes.push(FileNote::Release {
                table: shown(table),
                keys: keys.iter().map(|k| shown(k)).collect(),
                used_by: used_by.iter().map(|k| shown(k)).collect(),
            }),
            Note::CommentsKept { lines } => {
                notes.push(FileNote::CommentsKept { lines: *lines });
            }
            Note::SelectorRemoved { profile } => notes.push(FileNote::RemoveSelector {
                profile: shown(profile),
            }),
        }
    }
    let diff = (with_diff && status != FileStatus::InSync).then(|| {
        let name = p.file.to_string();
        diff::unified(&name, p.current.as_deref(), p.merged.text.as_deref())
            .iter()
            .fold(String::new(), |mut out, line| {
                out.push_str(&printable(&line.text));
                out.push('\n');
                out
            })
    });
    FileReport {
        file: p.file.to_string(),
        status,
        changes: if status == FileStatus::InSync {
            Vec::new()
        } else {
            changes(p, state)
        },
        drift,
        notes,
        diff,
    }
}

/// The managed keys whose value changes: those the plan manages and those
/// codexgen wrote last time (which the plan may remove), in that order.
fn changes(p: &Planned, state: &State) -> Vec<Change> {
    let mut paths: Vec<&[String]> = p.merged.managed.iter().map(|m| m.path.as_slice()).collect();
    for old in state.managed(&p.file) {
        if !paths.contains(&old.path.as_slice()) {
            paths.push(&old.path);
        }
    }
    let values = |text: Option<&str>| {
        text.map_or_else(|| vec![None; paths.len()], |t| merge::values_at(t, &paths))
    };
    let from = values(p.current.as_deref());
    let to = values(p.merged.text.as_deref());
    paths
        .iter()
        .zip(from.into_iter().zip(to))
        .filter(|(_, (from, to))| from != to)
        .map(|(path, (from, to))| Change {
            key: shown(&path.join(".")),
            path: path.iter().map(|k| shown(k)).collect(),
            from: from.as_deref().map(shown),
            to: to.as_deref().map(shown),
        })
        .collect()
}

/// The report as the one JSON document printed on stdout.
pub fn to_text(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("the report serializes")
}
