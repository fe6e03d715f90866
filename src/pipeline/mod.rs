//! The pipeline run end to end for a Codex home, the library behind
//! `codexgen gen` (whose command is a thin wrapper) and `codexgen use`:
//! reads the state and the catalog, plans, warns (`warnings`), and then
//! reports (`--diff`/`--check`, text or JSON: the shape is `json`'s) or
//! writes through the `transaction` after the question. Owns the
//! refusals before a write, the exit status of each mode (`--diff
//! --exit-code` and a "no" at the prompt exit 1) and `-v`'s account of the
//! plan; the stages themselves are elsewhere, the printing of plans is
//! `ui::plans`'. Informational lines go through `verbosity` (`-q` drops
//! them; with `-q --yes` the diff is not printed either).
//!
//! Edits made outside codexgen: each drifted value is said with the way to
//! keep it (`codexgen adopt`) in `--diff`, `--check` and before the
//! question; a run nobody answers (`--yes`, no terminal) that would
//! overwrite one stops before writing (exit 1) unless `--overwrite` is
//! given, and what another program's rewrite took from config.toml is a
//! warning in every mode (the rule and the words are `outside`'s).
//!
//! Whose catalog: a catalog found (not named) that is not the one the
//! home records (`whose`) is a warning in every mode, stops a write under
//! `--yes` or without a terminal (exit 2), and is in the question on a
//! terminal; the state records the catalog of each run that writes.
//!
//! The write goes through the `transaction` (lock, checks against the
//! plan, staging, journal, commit, backup generation, prune), as
//! `restore`'s does. `--check` and `--diff` settle a pending record in
//! memory only, and report it as unfinished.

mod json;
mod warnings;

use std::io::IsTerminal as _;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::codex::{ProfileLayout, Target};
use crate::diagnostic::{Exit, printable};
use crate::error::Error;
use crate::home;
use crate::merge::Note;
use crate::output::{self, Stdout};
use crate::outside;
use crate::plan::{self, Plan, Planned};
use crate::settings::{Settings, catalog_exists};
use crate::state::State;
use crate::transaction::{self, Transaction};
use crate::ui::plans::{
    Tense, drift_text, header_added_summary, header_only_summary, print_plans, report_drift_done,
};
use crate::ui::prompt::ask;
use crate::ui::report::{self, Format, dim};
use crate::verbosity;
use crate::verify;
use crate::whose::{self, CatalogId, Foreign, Whose};
use warnings::{Warnings, set_by_hand, warn_about_unknown_keys, warn_before_writing};

/// What `gen` does once it has the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print the diff; write nothing.
    Diff,
    /// One line per out-of-date file; exit 1 if any.
    Check,
    /// Print the diff and write, asking first unless `yes`.
    Write { yes: bool },
}

pub struct Options {
    pub mode: Mode,
    /// How `--diff` and `--check` report (writing is text only).
    pub format: Format,
    /// `--diff --exit-code`: exit 1 when out of date, as `--check` would.
    pub exit_code: bool,
    /// Have the installed Codex load the planned files first.
    pub verify: bool,
    /// Templates replacing built-in ones of the same name.
    pub templates: Option<PathBuf>,
    /// `--overwrite`: a run nobody answers overwrites values edited outside
    /// codexgen instead of stopping (see `outside`).
    pub overwrite: bool,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    run_then(settings, options, None)
}

/// The state as read, and its fingerprint (see `plan::read_state_seen`).
type StateSeen = Result<(State, String), Error>;

/// The state read and the catalog checked and rendered, at once for a
/// large catalog.
fn read_state_and_prepare(
    settings: &Settings,
    templates: Option<&Path>,
) -> (StateSeen, Result<plan::Prepared, Error>) {
    // The state is read (and a killed run's record settled from the disk)
    // while the catalog is checked and rendered: at 10,000 files each is a
    // tenth of a run, and they share nothing. The state's errors come first,
    // as if it were read first.
    // A small catalog (the shipped one is 4 KB) is not worth a thread.
    let prepare = || plan::prepare(settings, templates);
    let large = settings
        .catalog
        .sources()
        .iter()
        .map(|s| s.text.len())
        .sum::<usize>()
        > 64 * 1024;
    if large {
        let (prepared, state) = crate::halves::both(prepare, || plan::read_state_seen(settings));
        (state, prepared)
    } else {
        (plan::read_state_seen(settings), prepare())
    }
}

/// [`run`], with `before_write` called once a write is certain to be
/// attempted: in `Mode::Write`, after every refusal and the question, under
/// the lock, right before the first file is written (or, when the home
/// already matches, before the state is saved: the lock is then taken for
/// it too). Not called in the other modes. `use` writes the personal
/// overlay there, so that a run gen refuses leaves the overlay as it was,
/// and two runs never interleave their writes.
pub fn run_then(
    settings: &Settings,
    options: &Options,
    before_write: Option<&mut dyn FnMut() -> Result<(), Error>>,
) -> Result<Exit, Error> {
    let (state, prepared) = read_state_and_prepare(settings, options.templates.as_deref());
    let (state, seen) = state?;
    // These are never freed: the process ends with this command, and
    // freeing 10,000 files' state, catalog and plan one allocation at a time
    // would take a tenth of the run.
    let state = ManuallyDrop::new(state);
    let prepared = ManuallyDrop::new(prepared?);
    let plan = ManuallyDrop::new(prepared.plan(settings, &state)?);
    let catalog = &prepared.catalog;
    let target = &settings.target;

    verbosity::info(&format!(
        "{} catalog {} ({}); Codex {} ({}); home {}",
        dim("codexgen:"),
        catalog.version,
        settings
            .catalog
            .sources()
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(" + "),
        target.version,
        target.reason,
        settings.codex_home.display()
    ));
    explain_plan(&plan, &state);
    let mut said = Warnings::default();
    let unrecorded = CatalogId::unrecorded();
    let whose = whose_of(settings, &state, &unrecorded);
    let foreign = foreign(settings, &whose);
    // Refused before anything else is said: nothing else matters then.
    if let Mode::Write { yes } = options.mode {
        refuse_foreign(foreign.as_ref(), plan.changed().next().is_some(), yes)?;
    }
    if let Some(foreign) = &foreign {
        said.warn(foreign.problem());
    }
    warn_before_writing(settings, catalog, &plan, &state, &mut said);
    if options.verify {
        verify_plan(settings, catalog, &plan, &mut said)?;
    }
    let yes = match (options.mode, options.format) {
        (Mode::Check | Mode::Diff, Format::Json) => {
            return report_json(settings, catalog, &plan, &state, options, &said);
        }
        (Mode::Check, Format::Text) => return report_check(&plan, &state),
        (Mode::Diff, Format::Text) => return report_diff(&plan, &state, options.exit_code),
        (Mode::Write { yes }, _) => yes,
    };
    let changed: Vec<&Planned> = plan.changed().collect();
    // The diff is shown for review: with `-q --yes` nobody reviews it. A
    // question (`[y/N]`) is always asked with the diff it is about.
    if !(yes && verbosity::quiet()) {
        print_plans(changed.iter().copied(), Tense::Will)?;
    }
    let record = record(settings, &state, &whose, changed.is_empty());
    let new_state = ManuallyDrop::new(transaction::planned_state(&plan, &state, target, record));
    if changed.is_empty() {
        transaction::save_unchanged(settings, &plan, &state, &seen, &new_state, before_write)?;
        verbosity::info("nothing to change: the Codex home matches the catalog");
        return Ok(Exit::Ok);
    }
    let edited = outside::edited(&plan);
    let asked = !yes && std::io::stdin().is_terminal();
    if !edited.is_empty() && !options.overwrite && !asked {
        output::eprintln(outside::stop(&edited).render(crate::diagnostic::Level::Error));
        return Ok(Exit::Attention);
    }
    let question =
        question(changed.len(), foreign.as_ref()) + &outside::question_tail(edited.len());
    if !yes && !ask(&question, "gen")? {
        // As git's and apt's "no": the run did not do what it was asked.
        verbosity::info("nothing written");
        return Ok(Exit::Attention);
    }
    let seen_config = transaction::newly_kept(&plan, &state, &new_state);
    transaction::write_plan(
        settings,
        &plan,
        &state,
        &seen,
        &new_state,
        Transaction {
            before_write,
            seen_config,
        },
    )?;
    report_drift_done(&changed);
    Ok(Exit::Ok)
}

/// What the catalog read is to the home (see `whose`). A home an older
/// codexgen wrote, which records no catalog, is `unrecorded`'s to a
/// catalog that [`whose::may_record`] does not let the folder give it.
fn whose_of<'a>(settings: &Settings, state: &'a State, unrecorded: &'a CatalogId) -> Whose<'a> {
    match whose::compare(state.catalog.as_ref(), &settings.catalog_id, catalog_exists) {
        Whose::Unrecorded
            if !whose::may_record(
                &settings.catalog_id,
                settings.chosen,
                // The home's own record, not the one that travels with a
                // linked config.toml (another machine's home wrote that).
                !state.as_saved().files.is_empty(),
            ) =>
        {
            Whose::Foreign {
                recorded: unrecorded,
            }
        }
        whose => whose,
    }
}

/// A catalog found, not named, that is not the home's: said in every
/// mode, first; written only when the user says so on a terminal.
fn foreign<'a>(settings: &'a Settings, whose: &Whose<'a>) -> Option<Foreign<'a>> {
    match *whose {
        Whose::Foreign { recorded } if !settings.chosen.named() => Some(Foreign {
            home: settings.codex_home.display().to_string(),
            recorded,
            found: &settings.catalog_id,
            chosen: settings.chosen,
            exists: catalog_exists,
            named: settings.named.clone(),
        }),
        _ => None,
    }
}

/// A run that would write from a catalog that is not the home's stops
/// under `--yes` (or with no terminal to ask on): the user names the
/// catalog to switch to.
fn refuse_foreign(foreign: Option<&Foreign<'_>>, changes: bool, yes: bool) -> Result<(), Error> {
    match foreign {
        Some(foreign) if changes && (yes || !std::io::stdin().is_terminal()) => {
            Err(Error::with_help(
                format!("{}; nothing was written", foreign.message()),
                foreign.help(),
            ))
        }
        _ => Ok(()),
    }
}

/// The catalog the home records after this run (see `whose`): the one
/// read, unless it is another than the home's and nothing is written (a
/// found catalog that changes nothing does not take the home). Says when
/// the record follows a moved catalog.
fn record(
    settings: &Settings,
    state: &State,
    whose: &Whose<'_>,
    unchanged: bool,
) -> Option<CatalogId> {
    let found = &settings.catalog_id;
    match whose {
        Whose::Moved { from } => verbosity::note(format_args!(
            "the catalog that wrote this home moved from {} to {} (same text); the home records the new place",
            from.describe(),
            found.describe()
        )),
        Whose::Unrecorded if !state.files.is_empty() => verbosity::detail(&format!(
            "catalog: this home recorded no catalog (written by an older codexgen); it records {} from this run on",
            found.describe()
        )),
        Whose::Foreign { .. } if unchanged => return state.catalog.clone(),
        // Named, or said yes to on a terminal.
        Whose::Foreign { recorded } => verbosity::note(format_args!(
            "this home was written from catalog {}; it records {} from now on",
            recorded.describe(),
            found.describe()
        )),
        _ => {}
    }
    Some(found.clone())
}

/// The question before a write: with the two catalogs when the one read is
/// not the home's.
fn question(files: usize, foreign: Option<&Foreign<'_>>) -> String {
    match foreign {
        Some(foreign) => format!(
            "write {files} file(s) from {}, replacing the catalog that wrote this home ({})",
            foreign.found.describe(),
            foreign.recorded.describe()
        ),
        None => format!("write {files} file(s)"),
    }
}

/// Said by `--diff` when a run was interrupted before its record was final.
fn unfinished_note() -> String {
    format!(
        "a codexgen run was interrupted before it finished its record in {}/{}; `codexgen gen --yes` finishes it",
        home::STATE_DIR,
        home::STATE_FILE
    )
}

/// `--verify`: the installed Codex must load every planned file. It can
/// only vouch for files laid out the way it reads them: a Codex that reads
/// profile files cannot check `[profiles.NAME]` tables, nor the reverse, so
/// such a pair is refused rather than "verified". A different version of
/// the same layout is used, and named.
fn verify_plan(
    settings: &Settings,
    catalog: &Catalog,
    plan: &Plan,
    said: &mut Warnings,
) -> Result<(), Error> {
    let Some(installed) = settings.codex.version()? else {
        return Err(Error::message(
            "--verify needs the Codex binary: pass --codex-bin PATH or put codex on PATH",
        ));
    };
    let target = &settings.target;
    let checker = Target::at(installed.version);
    if checker.profile_layout() != target.profile_layout() {
        return Err(Error::with_help(
            format!(
                "--verify cannot check files for Codex {} with Codex {} at {}: {}",
                target.version,
                installed.version,
                installed.bin.display(),
                if target.profile_layout() == ProfileLayout::Files {
                    format!(
                        "the target reads profile files, which Codex {} does not",
                        installed.version
                    )
                } else {
                    format!(
                        "the target reads [profiles.NAME] tables, which Codex {} refuses",
                        installed.version
                    )
                }
            ),
            format!(
                "nothing was written; pass --codex-bin with a Codex {} or another of its layout, or generate for the installed one (--codex-version {})",
                target.version, installed.version
            ),
        ));
    }
    let files = plan
        .files
        .iter()
        .filter_map(|p| p.merged.text.as_deref().map(|t| (&p.file, t)))
        .collect();
    let check = verify::LoadCheck {
        home: &settings.codex_home,
        files,
        profiles: catalog.profiles.iter().map(|p| &p.name).collect(),
        version: installed.version,
        mcp_servers: &catalog.mcp_servers,
        profile_mcp: catalog
            .profiles
            .iter()
            .map(|p| (&p.name, p.mcp_servers.as_slice()))
            .collect(),
    };
    let verified = verify::verify(&installed.bin, &check).map_err(|refusal| {
        let help = plan.blame(&refusal);
        Error::Verify { refusal, help }
    })?;
    let stand_in = if installed.version == target.version {
        String::new()
    } else {
        format!(" (written for Codex {}, same layout)", target.version)
    };
    verbosity::info(&format!(
        "{} Codex {} ({}) loads the planned files{stand_in}",
        dim("codexgen:"),
        installed.version,
        installed.bin.display()
    ));
    if let Some(strict) = &verified.strict {
        warn_about_unknown_keys(catalog, plan, strict, installed.version, said);
    }
    for finding in verified.mcp {
        said.finding(finding);
    }
    Ok(())
}

/// `--diff`/`--check --format json`: the one JSON document on stdout; the
/// exit status as the text forms give it.
fn report_json(
    settings: &Settings,
    catalog: &Catalog,
    plan: &Plan,
    state: &State,
    options: &Options,
    said: &Warnings,
) -> Result<Exit, Error> {
    let report = json::report(
        plan,
        state,
        &said.0,
        json::CatalogInfo {
            version: report::shown(&catalog.version),
            files: settings
                .catalog
                .sources()
                .iter()
                .map(|s| report::own_words(&s.name))
                .collect(),
        },
        &settings.target,
        &settings.codex_home.display().to_string(),
        options.mode == Mode::Diff,
    );
    let mut out = Stdout::new("the report");
    out.line(json::to_text(&report))?;
    out.finish()?;
    let fails = options.mode == Mode::Check || options.exit_code;
    Ok(if fails && report.out_of_date {
        Exit::Attention
    } else {
        Exit::Ok
    })
}

/// `--diff`: notes, then each changed file's diff; with `exit_code`, exit 1
/// when `--check` would.
fn report_diff(plan: &Plan, state: &State, exit_code: bool) -> Result<Exit, Error> {
    let mut changed = plan.changed().peekable();
    if state.interrupted {
        verbosity::note(unfinished_note());
    }
    if changed.peek().is_none() {
        verbosity::info("nothing to change: the Codex home matches the catalog");
    }
    print_plans(changed, Tense::Would)?;
    Ok(if exit_code && out_of_date(plan, state) > 0 {
        Exit::Attention
    } else {
        Exit::Ok
    })
}

/// `gen --check`: one line per out-of-date file, and one for codexgen's
/// state when an interrupted run left its record unfinished.
fn report_check(plan: &Plan, state: &State) -> Result<Exit, Error> {
    let mut out = Stdout::new("the report");
    // A file that only gains codexgen's header (hand-written, every managed
    // value already equal) is in sync: nothing Codex reads would change.
    let (added, changed): (Vec<&Planned>, Vec<&Planned>) =
        plan.changed().partition(|p| p.header_added());
    let (header_only, real): (Vec<&Planned>, Vec<&Planned>) =
        changed.iter().partition(|p| p.header_only().is_some());
    for p in &real {
        out.line(format_args!("{}: {}", p.file, describe_change(p, state)))?;
        for note in &p.merged.notes {
            if let Note::Drift {
                path,
                written,
                found,
                action,
            } = note
            {
                let text = drift_text(path, written, found.as_deref(), *action, Tense::Would);
                out.line(format_args!("  drift: {}", printable(&text)))?;
            }
        }
    }
    if let Some(line) = header_only_summary(&header_only) {
        out.line(line)?;
    }
    if let Some(line) = header_added_summary(&added) {
        out.line(line)?;
    }
    if state.interrupted {
        out.line(format_args!(
            "{}/{}: unfinished (a codexgen run was interrupted)",
            home::STATE_DIR,
            home::STATE_FILE
        ))?;
    }
    let out_of_date = out_of_date(plan, state);
    if out_of_date == 0 {
        let files = plan
            .files
            .iter()
            .filter(|p| p.merged.text.is_some())
            .count();
        out.line(format_args!("in sync: {files} file(s) match the catalog"))?;
        out.finish()?;
        Ok(Exit::Ok)
    } else {
        out.line(format_args!(
            "{out_of_date} file(s) out of date; run `codexgen gen` to update"
        ))?;
        out.finish()?;
        Ok(Exit::Attention)
    }
}

/// How many files `--check` counts as out of date: each file that changes,
/// except one that only gains codexgen's header (nothing Codex reads
/// changes), and codexgen's state when an interrupted run left it unfinished.
pub fn out_of_date(plan: &Plan, state: &State) -> usize {
    plan.changed().filter(|p| !p.header_added()).count() + usize::from(state.interrupted)
}

/// With `-v`: what the run read, and each planned file's status.
fn explain_plan(plan: &Plan, state: &State) {
    if !verbosity::verbose() {
        return;
    }
    verbosity::detail(&format!(
        "state: {} file(s) recorded{}",
        state.files.len(),
        if state.interrupted {
            " (an interrupted run's record, settled from the disk)"
        } else {
            ""
        }
    ));
    for p in &plan.files {
        if p.current.is_none() && p.merged.text.is_none() {
            continue;
        }
        let status = match json::status(p) {
            json::FileStatus::Create => "would be created",
            json::FileStatus::Update => "out of date",
            json::FileStatus::Delete => "stale, would be deleted",
            json::FileStatus::InSync => "in sync",
            json::FileStatus::HeaderOnly => "only codexgen's header changes",
            json::FileStatus::HeaderAdded => {
                "in sync; codexgen's header is added on the next write"
            }
        };
        verbosity::detail(&format!(
            "{}: {status} ({})",
            p.file,
            printable(&p.path.display().to_string())
        ));
    }
}

fn describe_change(p: &Planned, state: &State) -> String {
    let drift = p
        .merged
        .notes
        .iter()
        .filter(|n| matches!(n, Note::Drift { .. }))
        .count();
    let what = match (&p.current, &p.merged.text) {
        (None, _) => "missing, would be created".to_owned(),
        (_, None) => "stale, would be deleted".to_owned(),
        (Some(_), Some(_)) => "out of date".to_owned(),
    };
    let taken = set_by_hand(p, state).count();
    let mut why = Vec::new();
    if drift > 0 {
        why.push(format!("{drift} managed value(s) edited by hand"));
    }
    if taken > 0 {
        why.push(format!("would replace {taken} value(s) you set by hand"));
    }
    if why.is_empty() {
        what
    } else {
        format!("{what} ({})", why.join("; "))
    }
}
