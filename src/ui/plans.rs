//! How a plan is printed for review: each changed file's notes (drift,
//! migrations, kept comments) and its unified diff, coloured on a
//! terminal (the diff's colours are written here once; `diff` makes no
//! colour decisions), the one-line summaries of files whose only change is
//! codexgen's header, and what became of each hand edit after a write.
//! Used by every command that shows a diff (`gen`, `restore`, `use`,
//! `adopt`, `add`, `link`); does not plan or write.

use std::io::Write as _;

use anstyle::{AnsiColor, Style};

use crate::diagnostic::printable;
use crate::diff::{self, Kind};
use crate::error::Error;
use crate::home::CodexFile;
use crate::merge::{DriftAction, Note};
use crate::output::{OutputError, Stdout};
use crate::outside;
use crate::plan::Planned;
use crate::secrets::{redact, redact_value};
use crate::ui::report::dim;
use crate::verbosity;

/// How a diff line is coloured, by its kind.
fn style_of(kind: Kind) -> Style {
    match kind {
        Kind::Header => Style::new().bold(),
        Kind::Hunk => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Kind::Removed => Style::new().fg_color(Some(AnsiColor::Red.into())),
        Kind::Added => Style::new().fg_color(Some(AnsiColor::Green.into())),
        Kind::Context | Kind::Note => Style::new(),
    }
}

/// Prints each file's notes and diff through one locked, buffered stdout (a
/// diff of 10,000 files is a few hundred thousand lines). A reader that
/// goes away (`| head`) ends the printing quietly.
pub fn print_plans<'p>(
    plans: impl Iterator<Item = &'p Planned>,
    tense: Tense,
) -> Result<(), Error> {
    // Buffered under the colour filter (`output`): over it, the filter
    // would hand the terminal each line in two writes (600,000 at N = 10,000).
    let mut out = Stdout::buffered("the diff");
    // A catalog version bump changes every file's header alone: said in one
    // line after the real changes, so that they stand out.
    let mut header_only: Vec<&Planned> = Vec::new();
    // So is a header added to hand-written files that already match.
    let mut header_added: Vec<&Planned> = Vec::new();
    let mut shown: Vec<&Planned> = Vec::new();
    for p in plans {
        // An equal take-over changes nothing on disk and is said above.
        let quiet = p
            .merged
            .notes
            .iter()
            .all(|n| matches!(n, Note::TakenAsIs { .. }));
        if p.header_only().is_some() && quiet {
            header_only.push(p);
        } else if p.header_added() && quiet {
            header_added.push(p);
        } else {
            shown.push(p);
        }
    }
    // A few files' diffs are printed as each is made (a reader gone stops
    // the work); thousands are made apart on two threads (a diff into an
    // empty home of 10,000 files is a sixth of the run), then printed in
    // order.
    let printed = if shown.len() < crate::halves::FROM {
        shown
            .iter()
            .try_for_each(|p| print_plan(&mut out, p, tense))
    } else {
        // Weighed by the text each diff reads: config.toml with 10,000
        // providers is as long as all the profile files together.
        let weight = |p: &&Planned| {
            let len = |t: Option<&str>| t.map_or(0, str::len);
            u64::try_from(len(p.current.as_deref()) + len(p.merged.text.as_deref()) + 256)
                .unwrap_or(u64::MAX)
        };
        crate::halves::map_weighed(shown, weight, |half| {
            half.into_iter()
                .map(|p| {
                    let mut text = Vec::new();
                    print_plan(&mut text, p, tense).map(|()| text)
                })
                .collect()
        })
        .and_then(|texts| texts.iter().try_for_each(|text| out.write_all(text)))
    };
    let printed = printed
        .and_then(|()| match header_only_summary(&header_only) {
            Some(line) => writeln!(out, "{}", dim(&line)),
            None => Ok(()),
        })
        .and_then(|()| match header_added_summary(&header_added) {
            Some(line) => writeln!(out, "{}", dim(&line)),
            None => Ok(()),
        })
        .and_then(|()| out.flush());
    Ok(out.checked(printed)?)
}

fn print_plan(out: &mut impl std::io::Write, p: &Planned, tense: Tense) -> std::io::Result<()> {
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    for note in &p.merged.notes {
        let text = match note {
            Note::Drift {
                path,
                written,
                found,
                action,
            } => format!(
                "drift: {}: {}",
                p.file,
                drift_text(path, written, found.as_deref(), *action, tense)
            ),
            Note::Migrated { profile, carried } => {
                let file = CodexFile::Profile(profile.clone());
                let keys = if carried.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (with {}, which codexgen did not write; their comments stay behind)",
                        carried.join(", ")
                    )
                };
                format!(
                    "migrate: {}: `[profiles.{profile}]` is not read by this Codex; it moves to {file}{keys}",
                    p.file
                )
            }
            Note::SelectorRemoved { profile } => format!(
                "migrate: {}: `profile = \"{profile}\"` is refused by this Codex (every codex command fails with it); it is removed: the catalog's default profile is what plain `codex` runs (`codex -p {profile}` runs that one)",
                p.file
            ),
            Note::CommentsKept { lines } => format!(
                "keep: {}: {lines} comment line(s) of removed keys or tables {} in the file (delete them by hand if they no longer apply)",
                p.file,
                match tense {
                    Tense::Would => "would stay",
                    Tense::Will => "stay",
                }
            ),
            // Said once for all files, as a warning before the diffs.
            Note::TakeOver { .. }
            | Note::TakenAsIs { .. }
            | Note::GivenBack { .. }
            | Note::Released { .. } => continue,
        };
        // Key paths come from the file: a quoted key may hold any character.
        writeln!(out, "{yellow}{}{yellow:#}", printable(&text))?;
    }
    let name = p.file.to_string();
    for line in diff::unified(&name, p.current.as_deref(), p.merged.text.as_deref()) {
        let style = style_of(line.kind);
        writeln!(out, "{style}{}{style:#}", printable(&line.text))?;
    }
    Ok(())
}

/// When a plan is printed: in a run that writes nothing, or before a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    /// `--diff`, `--check`: nothing is written.
    Would,
    /// A writing run, before it writes.
    Will,
}

/// What happens to a drifted value, in the run's tense (`None`: done).
fn drift_words(action: DriftAction, tense: Option<Tense>) -> &'static str {
    match (action, tense) {
        (DriftAction::Overwrite, Some(Tense::Would)) => {
            "would be overwritten with the catalog's value"
        }
        (DriftAction::Overwrite, Some(Tense::Will)) => {
            "will be overwritten with the catalog's value"
        }
        (DriftAction::Overwrite, None) => "overwritten with the catalog's value",
        (DriftAction::Restore, Some(Tense::Would)) => "would be restored",
        (DriftAction::Restore, Some(Tense::Will)) => "will be restored",
        (DriftAction::Restore, None) => "restored",
        (DriftAction::Remove, Some(Tense::Would)) => {
            "would be removed, because the catalog no longer has it"
        }
        (DriftAction::Remove, Some(Tense::Will)) => {
            "will be removed, because the catalog no longer has it"
        }
        (DriftAction::Remove, None) => "removed, because the catalog no longer has it",
    }
}

/// One drifted value, as `--diff`, `--check` and the question before a
/// write say it: what was there, what codexgen wrote, what the run does,
/// and, for an edit it would overwrite, the way to keep it.
pub fn drift_text(
    path: &str,
    written: &str,
    found: Option<&str>,
    action: DriftAction,
    tense: Tense,
) -> String {
    let what = match found {
        Some(found) => format!("was set to {} by hand", redact_value(path, found)),
        None => "was removed by hand".to_owned(),
    };
    let keep = if found.is_some() && action == DriftAction::Overwrite {
        format!("; {}", outside::keep_hint())
    } else {
        String::new()
    };
    format!(
        "`{path}` {what} (codexgen wrote {}); {}{keep}",
        redact_value(path, written),
        drift_words(action, Some(tense))
    )
}

/// After a write: what became of each hand edit, in the past tense (the
/// way to keep one, `codexgen adopt`, was named before the write; `-q`
/// drops these lines, as the write was asked for or `--overwrite` given).
pub fn report_drift_done(changed: &[&Planned]) {
    for p in changed {
        for note in &p.merged.notes {
            if let Note::Drift { path, action, .. } = note {
                verbosity::info(&format!(
                    "{} {}: `{}` {}",
                    dim("drift:"),
                    p.file,
                    printable(path),
                    drift_words(*action, None)
                ));
            }
        }
    }
}

/// One line for the files whose only change is the catalog version in
/// codexgen's header (`None` when there are none).
pub fn header_only_summary(files: &[&Planned]) -> Option<String> {
    let first = files.first()?;
    let (was, is) = first.header_only()?;
    let versions = if files.iter().all(|p| p.header_only() == Some((was, is))) {
        format!("{} to {}", printable(was), printable(is))
    } else {
        format!("to {}", printable(is))
    };
    let names = file_names(files);
    Some(format!(
        "{names}: only codexgen's header changes (catalog version {versions}; {} file(s))",
        files.len()
    ))
}

/// One line for the files that are in sync but have no codexgen header yet
/// (`None` when there are none).
pub fn header_added_summary(files: &[&Planned]) -> Option<String> {
    if files.is_empty() {
        return None;
    }
    let names = file_names(files);
    Some(format!(
        "{names}: in sync; codexgen's header is added on the next write ({} file(s))",
        files.len()
    ))
}

/// `a`, `a and b`, or `a, b and N more`.
fn file_names(files: &[&Planned]) -> String {
    match files {
        [] => String::new(),
        [one] => one.file.to_string(),
        [a, b] => format!("{} and {}", a.file, b.file),
        [a, b, rest @ ..] => format!("{}, {} and {} more", a.file, b.file, rest.len()),
    }
}

/// A unified diff of a text codexgen writes whole (the personal overlay,
/// a shared config.toml), coloured as a plan's, every line redacted.
pub fn print_diff(
    out: &mut Stdout,
    name: &str,
    old: Option<&str>,
    new: &str,
) -> Result<(), OutputError> {
    for line in diff::unified(name, old, Some(new)) {
        let style = style_of(line.kind);
        out.line(format_args!(
            "{style}{}{style:#}",
            printable(&redact(&line.text))
        ))?;
    }
    Ok(())
}
