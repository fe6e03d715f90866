//! `codexgen gen`: shows what the catalog changes in the Codex home and
//! writes it (or, with `--diff`/`--check`, only reports). Owns the printing of
//! plans, drift and warnings, the confirmation, the exit status of each mode
//! (`--diff --exit-code` and a "no" at the prompt exit 1); the JSON reports' shape is `gen_json`'s, and the stages
//! themselves are elsewhere. Informational lines go through `verbosity`
//! (`-q` drops them; with `-q --yes` the diff is not printed either).
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

use std::io::IsTerminal as _;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};

use super::gen_json;
use crate::catalog::Catalog;
use crate::codex::{self, ProfileLayout, Target};
use crate::codex_schema;
use crate::diagnostic::{Exit, Problem, printable};
use crate::error::Error;
use crate::findings::{self, Finding, Severity};
use crate::hazards;
use crate::home::{self, CodexFile};
use crate::layers;
use crate::merge::{DriftAction, Note};
use crate::output::{self, Stdout};
use crate::outside;
use crate::plan::{self, Plan, Planned};
use crate::secrets::redact_value;
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
        std::thread::scope(|scope| {
            let state = scope.spawn(|| plan::read_state_seen(settings));
            let prepared = prepare();
            let state = state
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (state, prepared)
        })
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
        return Ok(Exit::OutOfDate);
    }
    let question =
        question(changed.len(), foreign.as_ref()) + &outside::question_tail(edited.len());
    if !yes && !ask(&question, "gen")? {
        // As git's and apt's "no": the run did not do what it was asked.
        verbosity::info("nothing written");
        return Ok(Exit::OutOfDate);
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

/// One warning per key `codex --strict-config` does not know, in the
/// planned files, with whose key it is; never a refusal (Codex loads the
/// files and ignores the key).
fn warn_about_unknown_keys(
    catalog: &Catalog,
    plan: &Plan,
    strict: &verify::Strict,
    version: codex::Version,
    said: &mut Warnings,
) {
    let unchecked: Vec<String> = catalog
        .unchecked()
        .iter()
        .filter_map(|path| path.rsplit(".unchecked.").next().map(str::to_owned))
        .collect();
    for key in &strict.unknown {
        let planned = key.file.as_ref().and_then(|f| plan.get(f));
        let managed = planned.is_some_and(|p| key.is_managed(&p.merged.managed));
        let rewritten = planned.is_some_and(|p| p.current != p.merged.text);
        let problem = key.problem(version, managed, rewritten);
        // A key the catalog writes from `unchecked` is the catalog's guess,
        // not codexgen's bug.
        let guessed = unchecked
            .iter()
            .any(|name| key.key.split('.').any(|segment| segment == name));
        said.warn(if guessed {
            problem.help(format!(
                "the catalog writes it from `unchecked`; check its spelling against Codex {version}'s documentation, or remove it (Codex {version} ignores it meanwhile)"
            ))
        } else {
            problem
        });
    }
    if let Some(finding) = verify::incomplete(strict, version) {
        said.finding(finding);
    } else if strict.unknown.is_empty() {
        verbosity::info(&format!(
            "{} Codex {version} knows every key of the planned files (`codex --strict-config`)",
            dim("codexgen:")
        ));
    }
}

/// The warnings (and findings) a run prints on stderr as it finds them,
/// kept for the JSON report (`warnings`), which names the same ones.
/// Each with the place (file, line, column) of one whose message names it.
#[derive(Default)]
struct Warnings(Vec<gen_json::Said>);

impl Warnings {
    fn warn(&mut self, problem: Problem) {
        self.say(Severity::Warning, problem, None);
    }

    /// `problem` at `severity` (a note is not said: see [`Warnings::finding`]),
    /// with the place of one whose message names it.
    fn say(&mut self, severity: Severity, problem: Problem, place: Option<gen_json::Place>) {
        let Some(level) = severity.level() else {
            return;
        };
        output::eprintln(problem.render(level));
        self.0.push(gen_json::Said {
            severity,
            problem,
            place,
        });
    }

    /// A finding, at its severity: a warning or an error is printed and
    /// kept, and changes no exit status (the file is the user's to fix); a
    /// note is doctor's (`info`) and not said here.
    fn finding(&mut self, finding: Finding) {
        self.say(finding.severity, finding.problem(), finding.place);
    }
}

/// What will still trip the target Codex, the values set by hand that the
/// catalog's replace, then what Codex's layers override.
fn warn_before_writing(
    settings: &Settings,
    catalog: &Catalog,
    plan: &Plan,
    state: &State,
    said: &mut Warnings,
) {
    if let Some(finding) = findings::newer_than_measured(settings.target.version) {
        said.finding(finding);
    }
    warn_about_unchecked(catalog, said);
    warn_about_inherited(catalog, settings.target.version, said);
    warn_about_hazards(settings, catalog, plan, state, said);
    warn_about_take_overs(plan, state, said);
    warn_about_equal_take_overs(plan, state, said);
    warn_about_releases(plan, said);
    warn_about_give_backs(plan, said);
    warn_about_removed_edits(plan, said);
    warn_about_codex_schema(settings, plan, said);
    warn_about_unrecorded(plan, state, said);
    warn_about_layers(settings, catalog, plan, said);
    if let Some(gone) = outside::gone_from_config(plan, state) {
        let (message, help) = outside::gone_words(&gone);
        said.warn(Problem::new(message).help(help));
    }
}

/// The settings other profiles take from the default profile, which Codex
/// lays every profile over: one warning naming them, and the fix.
fn warn_about_inherited(catalog: &Catalog, version: codex::Version, said: &mut Warnings) {
    let inherited = catalog.inherited(version);
    let Some(default) = catalog.default.as_deref() else {
        return;
    };
    if inherited.is_empty() {
        return;
    }
    let lines: Vec<String> = inherited
        .iter()
        .map(|(name, keys)| {
            let keys: Vec<String> = keys.iter().map(|k| format!("`{}`", printable(k))).collect();
            format!("  profile `{}`: {}", printable(name), keys.join(", "))
        })
        .collect();
    said.warn(
        Problem::new(format!(
            "these profiles run with the default profile `{}`'s value of keys they do not set (Codex lays every profile over config.toml's top level, where the default's settings are):\n{}",
            printable(default),
            lines.join("\n")
        ))
        .help("set the team's value in `settings:` (every profile without its own then gets it), or set the key in those profiles"),
    );
}

/// The keys the catalog writes without checking them (`unchecked`): one
/// warning naming them all, and how to have Codex judge them.
fn warn_about_unchecked(catalog: &Catalog, said: &mut Warnings) {
    let paths = catalog.unchecked();
    if paths.is_empty() {
        return;
    }
    let shown: Vec<String> = paths
        .iter()
        .map(|p| format!("`{}`", printable(p)))
        .collect();
    said.warn(
        Problem::new(format!(
            "the catalog writes {} unchecked: codexgen does not know {}, and a typo there reaches the file",
            shown.join(", "),
            if paths.len() == 1 { "this key" } else { "these keys" }
        ))
        .help("run `codexgen gen --verify` to have the installed Codex judge them before anything is written"),
    );
}

/// Checks each planned file, managed keys and the user's own alike, against
/// the target Codex's config schema (`codex_schema`): an unknown key or a
/// value of the wrong type is a warning with its file and line, never a
/// refusal. Nothing is said when no schema is known for the target.
fn warn_about_codex_schema(settings: &Settings, plan: &Plan, said: &mut Warnings) {
    let target = settings.target.version;
    let schema = match settings.codex_schemas.for_target(target) {
        Ok(Some(schema)) => schema,
        Ok(None) => return,
        Err(e) => {
            said.finding(codex_schema::unreadable(&e));
            return;
        }
    };
    for p in &plan.files {
        let Some(text) = p.merged.text.as_deref() else {
            continue;
        };
        // Lines are those of the planned text: the file as `gen` writes it.
        let planned = p.current.as_deref() != Some(text);
        let file = p.path.display().to_string();
        for (finding, problem) in codex_schema::findings(&schema, target, &file, text, planned) {
            said.say(finding.severity, problem, None);
        }
    }
}

/// Each value of Codex's layers around the Codex home that overrides or
/// forbids what the catalog says, and each layer file that cannot be read
/// or parsed (`layers`), at its severity. None stops the run: the files are
/// not codexgen's.
fn warn_about_layers(settings: &Settings, catalog: &Catalog, plan: &Plan, said: &mut Warnings) {
    let user_config = plan
        .get(&CodexFile::Config)
        .and_then(|p| p.merged.text.as_deref().or(p.current.as_deref()));
    let places = layers::Places::here(&settings.codex_home);
    for finding in layers::find(catalog, &places, user_config) {
        said.finding(finding);
    }
}

/// How many replaced values [`warn_about_take_overs`] lists before it sums
/// up the rest (a first run on a large hand-written home may replace dozens).
const TAKE_OVERS_LISTED: usize = 5;

/// Says, in every mode and before anything is written, which values on disk
/// that codexgen never wrote the catalog's values replace (merge's
/// take-overs): file, key, old value and new, both redacted. This is the
/// one place they are said (the diff shows the lines change); a value equal
/// to the catalog's is no take-over. The way to keep them is a catalog made
/// from the home, which `codexgen import` writes.
fn warn_about_take_overs(plan: &Plan, state: &State, said: &mut Warnings) {
    let taken: Vec<(&CodexFile, &str, &str, &str)> = plan
        .files
        .iter()
        .flat_map(|p| set_by_hand(p, state).map(|(path, found, new)| (&p.file, path, found, new)))
        .collect();
    if taken.is_empty() {
        return;
    }
    let mut lines = vec![format!(
        "codexgen would replace {} value(s) you set by hand, which the catalog now manages:",
        taken.len()
    )];
    lines.extend(
        taken
            .iter()
            .take(TAKE_OVERS_LISTED)
            .map(|(file, path, found, new)| {
                format!(
                    "  {file}: {path}: {} → {}",
                    redact_value(path, found),
                    redact_value(path, new)
                )
            }),
    );
    if taken.len() > TAKE_OVERS_LISTED {
        lines.push(format!(
            "  and {} more (`codexgen gen --diff` shows every change)",
            taken.len() - TAKE_OVERS_LISTED
        ));
    }
    let help = "to keep your values, start the catalog from them: `codexgen import --output providers.yaml`";
    said.warn(Problem::new(lines.join("\n")).help(help));
}

/// Says, in every mode, which values the user set by hand, equal to the
/// catalog's, codexgen manages from now on (a take-over that changes
/// nothing on disk, so no diff shows it): when the catalog stops setting
/// them, they are given back ([`warn_about_give_backs`]).
fn warn_about_equal_take_overs(plan: &Plan, state: &State, said: &mut Warnings) {
    let taken: Vec<String> = plan
        .files
        .iter()
        .filter(|p| !written_elsewhere(p, state))
        .flat_map(|p| {
            p.merged.notes.iter().filter_map(move |note| match note {
                Note::TakenAsIs { path, value } => Some(format!(
                    "  {}: {path} = {}",
                    p.file,
                    redact_value(path, value)
                )),
                _ => None,
            })
        })
        .collect();
    if taken.is_empty() {
        return;
    }
    let mut lines = vec![format!(
        "codexgen now manages {} value(s) you set by hand, equal to the catalog's (nothing changes on disk):",
        taken.len()
    )];
    lines.extend(taken.iter().take(TAKE_OVERS_LISTED).cloned());
    if taken.len() > TAKE_OVERS_LISTED {
        lines.push(format!("  and {} more", taken.len() - TAKE_OVERS_LISTED));
    }
    let help = "when the catalog stops setting them, codexgen gives them back to you as they are";
    said.warn(Problem::new(lines.join("\n")).help(help));
}

/// Says, in every mode and before anything is written, which values the
/// user had before codexgen took them over (equal to the catalog's or not)
/// the catalog no longer sets: they stay, the user's again, their own
/// value put back where codexgen's replaced it; never removed.
fn warn_about_give_backs(plan: &Plan, said: &mut Warnings) {
    let given: Vec<String> = plan
        .files
        .iter()
        .flat_map(|p| {
            p.merged.notes.iter().filter_map(move |note| match note {
                Note::GivenBack { path, found, yours } => Some(match yours {
                    Some(yours) => format!(
                        "  {}: {path}: {} → {} (yours, put back)",
                        p.file,
                        redact_value(path, found),
                        redact_value(path, yours)
                    ),
                    None => format!(
                        "  {}: {path} = {} (stays)",
                        p.file,
                        redact_value(path, found)
                    ),
                }),
                _ => None,
            })
        })
        .collect();
    if given.is_empty() {
        return;
    }
    let mut lines = vec![format!(
        "codexgen gives back {} value(s) you set before it managed them, which the catalog no longer sets:",
        given.len()
    )];
    lines.extend(given.iter().take(TAKE_OVERS_LISTED).cloned());
    if given.len() > TAKE_OVERS_LISTED {
        lines.push(format!(
            "  and {} more (`codexgen gen --diff` shows every change)",
            given.len() - TAKE_OVERS_LISTED
        ));
    }
    let help = "they are yours again, as you had them; codexgen no longer manages them";
    said.warn(Problem::new(lines.join("\n")).help(help));
}

/// Says, in every mode and before anything is written, which tables the
/// catalog no longer renders but codexgen leaves whole, its own keys
/// included, because they hold keys the user added: removing only
/// codexgen's keys would leave a table Codex may refuse (a provider without
/// `name`). They are the user's from now on.
fn warn_about_releases(plan: &Plan, said: &mut Warnings) {
    for p in &plan.files {
        for note in &p.merged.notes {
            let Note::Released {
                table,
                keys,
                used_by,
            } = note
            else {
                continue;
            };
            // A key in another file is `FILE: KEY`.
            let quoted = |list: &[String]| {
                list.iter()
                    .map(|k| match k.split_once(": ") {
                        Some((file, key)) => format!("`{key}` in {file}"),
                        None => format!("`{k}`"),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let what = format!("{}: `[{table}]` is no longer in the catalog", p.file);
            let (message, help) = if used_by.is_empty() {
                (
                    format!("{what}, but it holds keys you added ({})", quoted(keys)),
                    format!(
                        "codexgen leaves the whole table, its own keys included (without them Codex could refuse the table), and no longer manages it; remove `[{table}]` by hand if you no longer want it"
                    ),
                )
            } else {
                let also = if keys.is_empty() {
                    String::new()
                } else {
                    format!(" (and it holds keys you added: {})", quoted(keys))
                };
                (
                    format!("{what}, but your {} names it{also}", quoted(used_by)),
                    format!(
                        "codexgen leaves the whole table (Codex fails when what a key names is not there), and no longer manages it; point {} elsewhere, then remove `[{table}]` by hand if you no longer want it",
                        quoted(used_by)
                    ),
                )
            };
            said.warn(
                Problem::new(printable(&message).into_owned()).help(printable(&help).into_owned()),
            );
        }
    }
}

/// Says, in every mode and before anything is written, which values edited
/// by hand go because the catalog no longer has them (drift that a removal
/// takes): file, key and the value that goes, redacted. The diff shows the
/// lines go; this is where it is said of the user's own edits, also under
/// `-q --yes`, which prints no diff.
fn warn_about_removed_edits(plan: &Plan, said: &mut Warnings) {
    let removed: Vec<(&CodexFile, &str, &str)> = plan
        .files
        .iter()
        .flat_map(|p| {
            p.merged.notes.iter().filter_map(move |note| match note {
                Note::Drift {
                    path,
                    found: Some(found),
                    action: DriftAction::Remove,
                    ..
                } => Some((&p.file, path.as_str(), found.as_str())),
                _ => None,
            })
        })
        .collect();
    if removed.is_empty() {
        return;
    }
    let mut lines = vec![format!(
        "codexgen would remove {} value(s) you edited by hand, because the catalog no longer has them:",
        removed.len()
    )];
    lines.extend(
        removed
            .iter()
            .take(TAKE_OVERS_LISTED)
            .map(|(file, path, found)| {
                let line = format!("  {file}: {path}: {}", redact_value(path, found));
                printable(&line).into_owned()
            }),
    );
    if removed.len() > TAKE_OVERS_LISTED {
        lines.push(format!(
            "  and {} more (`codexgen gen --diff` shows every change)",
            removed.len() - TAKE_OVERS_LISTED
        ));
    }
    let help = "to keep one, put it back in the catalog (or your overlay); `codexgen restore` puts the previous file back after a write";
    said.warn(Problem::new(lines.join("\n")).help(help));
}

/// The take-overs in `p` of values set by hand: (path, value on disk, the
/// catalog's). None in a file that carries codexgen's header while this home
/// has no record of it: codexgen wrote it elsewhere, so its values cannot be
/// told from the user's (`warn_about_unrecorded` says so for config.toml).
fn set_by_hand<'p>(
    p: &'p Planned,
    state: &State,
) -> impl Iterator<Item = (&'p str, &'p str, &'p str)> {
    let elsewhere = written_elsewhere(p, state);
    p.merged
        .notes
        .iter()
        .filter(move |_| !elsewhere)
        .filter_map(|note| match note {
            Note::TakeOver { path, found, new } => Some((&**path, &**found, &**new)),
            _ => None,
        })
}

/// Whether the file carries codexgen's header while this home has no
/// record of it: written elsewhere, its values cannot be told from the
/// user's.
fn written_elsewhere(p: &Planned, state: &State) -> bool {
    !state.files.contains_key(&p.file)
        && p.current.as_deref().is_some_and(crate::header::has_header)
}

/// Says when config.toml carries codexgen's header but no record names
/// what codexgen wrote there: it was written elsewhere (another machine
/// sharing it without its record, or a home whose state was deleted), and a
/// provider removed from the catalog since cannot be told from the user's.
fn warn_about_unrecorded(plan: &Plan, state: &State, said: &mut Warnings) {
    let Some(current) = plan
        .get(&CodexFile::Config)
        .and_then(|p| p.current.as_deref())
    else {
        return;
    };
    if state.files.contains_key(&CodexFile::Config) || !crate::header::has_header(current) {
        return;
    }
    let help = match &state.shared {
        Some(shared) => format!(
            "if another machine shares this file, commit and sync its record too ({}); codexgen writes it on each run that writes, and this warning then stops; remove stale tables by hand once",
            shared.record.display()
        ),
        None => {
            "remove stale tables by hand once; codexgen records what it writes from this run on"
                .to_owned()
        }
    };
    let message = format!(
        "{} was written by codexgen elsewhere; providers removed from the catalog since then cannot be told from yours, so they stay",
        CodexFile::Config
    );
    said.warn(Problem::new(message).help(help));
}

/// Says what in the planned files will still trip the target Codex.
fn warn_about_hazards(
    settings: &Settings,
    catalog: &Catalog,
    plan: &Plan,
    state: &State,
    said: &mut Warnings,
) {
    let config = plan
        .get(&CodexFile::Config)
        .and_then(|p| p.merged.text.as_deref())
        .unwrap_or_default();
    let texts = hazards::Texts {
        config,
        profile_file: &|file| plan::text_on_disk(&settings.codex_home, file),
    };
    for hazard in hazards::find(&texts, &settings.target, catalog, state) {
        said.finding(hazard.finding(&settings.target));
    }
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
    let report = gen_json::report(
        plan,
        state,
        &said.0,
        gen_json::CatalogInfo {
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
    out.line(gen_json::to_text(&report))?;
    out.finish()?;
    let fails = options.mode == Mode::Check || options.exit_code;
    Ok(if fails && report.out_of_date {
        Exit::OutOfDate
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
        Exit::OutOfDate
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
        Ok(Exit::OutOfDate)
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
        let status = match gen_json::status(p) {
            gen_json::FileStatus::Create => "would be created",
            gen_json::FileStatus::Update => "out of date",
            gen_json::FileStatus::Delete => "stale, would be deleted",
            gen_json::FileStatus::InSync => "in sync",
            gen_json::FileStatus::HeaderOnly => "only codexgen's header changes",
            gen_json::FileStatus::HeaderAdded => {
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
