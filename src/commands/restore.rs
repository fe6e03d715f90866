//! `codexgen restore`: lists the backup generations (`--list`) and puts
//! one back. Owns what a restore plans and prints; the generations are
//! `backups`', and the write is the `transaction` every write of the home
//! goes through (lock, checks against the plan, journal, a new
//! generation of its own), so a restore is diffed, atomic, recorded, and
//! undone by `restore 1`.
//!
//! `restore N` puts back the home as it was before the Nth newest write:
//! each file the writes 1..N replaced gets the text the oldest of them
//! kept (a file one of them created is removed), and codexgen's state is
//! generation N's (the old single-copy layout kept none: the state then
//! stays as it is). A file none of those writes touched is left alone.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::backups::{self, Generation, Summary};
use crate::diagnostic::Exit;
use crate::error::Error;
use crate::home::{self, CodexFile};
use crate::input;
use crate::merge::Merged;
use crate::output::Stdout;
use crate::plan::{self, Plan, Planned};
use crate::settings::Settings;
use crate::state::State;
use crate::transaction::{self, Transaction};
use crate::ui::plans::{Tense, print_plans, report_drift_done};
use crate::ui::prompt::ask;
use crate::ui::report::{Format, dim, print_out};
use crate::verbosity;
use crate::write;

/// What `restore` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// List the generations.
    List,
    /// Print the diff; write nothing.
    Diff,
    /// Print the diff and write, asking first unless `yes`.
    Write { yes: bool },
}

pub struct Options {
    pub mode: Mode,
    /// The generation, 1 the newest.
    pub number: u32,
    /// How `--list` prints.
    pub format: Format,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    if options.format == Format::Json && !matches!(options.mode, Mode::List) {
        return Err(Error::with_help(
            "`--format json` is the format of `restore --list`; nothing was written",
            "add `--list`, or leave `--format` out",
        ));
    }
    let backups_dir = settings.state_dir().join(home::BACKUP_DIR);
    let generations = backups::list(&backups_dir)?;
    let yes = match options.mode {
        Mode::List => return list(settings, &generations, options.format),
        Mode::Diff => None,
        Mode::Write { yes } => Some(yes),
    };
    let n = usize::try_from(options.number).unwrap_or(usize::MAX);
    if generations.is_empty() {
        return Err(Error::with_help(
            format!(
                "there is no backup generation in {}; nothing was written",
                backups_dir.display()
            ),
            "codexgen keeps one each time it writes the Codex home (`gen`, `restore`)",
        ));
    }
    if n == 0 || n > generations.len() {
        return Err(Error::with_help(
            format!(
                "there is no backup generation {n}: there are {}; nothing was written",
                generations.len()
            ),
            "see them with `codexgen restore --list`",
        ));
    }
    let (state, seen) = plan::read_state_seen(settings)?;
    let chosen = &generations[n - 1];
    let new_state = match &chosen.state {
        Some(path) => {
            let text = input::read_own(path, input::STATE)?;
            State::parse(&text).map_err(|damage| Error::State {
                path: path.clone(),
                damage,
            })?
        }
        None => state.as_saved().into_owned(),
    };
    let plan = plan_restore(settings, &generations[..n], &new_state)?;
    let command = format!("restore {n}");
    let changed: Vec<&Planned> = plan.changed().collect();
    let state_differs = *state.as_saved() != new_state;
    if changed.is_empty() && !state_differs {
        verbosity::info(&format!(
            "nothing to change: the Codex home already is as generation {n} keeps it"
        ));
        return Ok(Exit::Ok);
    }
    say_catalog_not_restored(&generations[..n]);
    let Some(yes) = yes else {
        print_plans(changed.iter().copied(), Tense::Would)?;
        if changed.is_empty() {
            verbosity::info("no file changes; codexgen's record of the home would");
        }
        return Ok(Exit::Ok);
    };
    if !(yes && verbosity::quiet()) {
        print_plans(changed.iter().copied(), Tense::Will)?;
    }
    if !yes
        && !ask(
            &format!(
                "restore {} file(s) from backup generation {n}{}?",
                changed.len(),
                made_by(chosen)
            ),
            &command,
        )?
    {
        verbosity::info("nothing written");
        return Ok(Exit::Attention);
    }
    transaction::write_plan(
        settings,
        &plan,
        &state,
        &seen,
        &new_state,
        Transaction::default(),
    )?;
    report_drift_done(&changed);
    verbosity::info(&format!(
        "restored backup generation {n}{}",
        made_by(chosen)
    ));
    Ok(Exit::Ok)
}

fn is_link(path: &std::path::Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Says, for each of `generations` whose command also edited a catalog
/// file (`use`, `adopt`, `add` write the personal overlay or the catalog),
/// that restore puts back the home only, and the next `gen` writes what the
/// catalog says again.
fn say_catalog_not_restored(generations: &[Generation]) {
    for generation in generations {
        let Some(command) = &generation.command else {
            continue;
        };
        let first = command.split_whitespace().next().unwrap_or_default();
        if !matches!(first, "use" | "adopt" | "add") {
            continue;
        }
        let back = if first == "use" {
            "; `codexgen use -` switches the default back instead"
        } else {
            ""
        };
        verbosity::note(format_args!(
            "`{command}` also wrote the catalog (the personal overlay or providers.yaml), which restore leaves as it is: the next `codexgen gen` writes what the catalog says again{back}"
        ));
    }
}

/// ` (replaced by `gen --yes` at TIME)`, or nothing for the old layout.
fn made_by(generation: &Generation) -> String {
    match (&generation.command, generation.time) {
        (Some(command), Some(time)) => format!(
            " (what `{command}` replaced at {})",
            backups::format_time(time)
        ),
        _ => String::new(),
    }
}

/// The plan that puts back the home as it was before the writes of
/// `generations` (newest first): each file from the oldest that holds it.
fn plan_restore(
    settings: &Settings,
    generations: &[Generation],
    new_state: &State,
) -> Result<Plan, Error> {
    let mut wanted: BTreeMap<&CodexFile, Option<&std::path::Path>> = BTreeMap::new();
    for generation in generations {
        for saved in &generation.files {
            wanted.insert(&saved.file, saved.copy.as_deref());
        }
    }
    let mut files = Vec::with_capacity(wanted.len());
    for (file, copy) in wanted {
        let text = match copy {
            Some(copy) => Some(input::read_own(copy, input::CODEX_FILE)?),
            None => None,
        };
        let path = file.path_in(&settings.codex_home);
        if text.is_none() && is_link(&path) {
            return Err(Error::with_help(
                format!(
                    "{} is a link (`codexgen link` makes one), and the generation to restore did not have {file}: restoring it would remove the link; nothing was written",
                    path.display()
                ),
                format!(
                    "restore a newer generation (`codexgen restore --list`), or remove the link yourself (`rm {}`, the file it names stays) and run restore again",
                    path.display()
                ),
            ));
        }
        let current = plan::read_optional(&path)?;
        // Written through a link as gen writes (the rule for links).
        write::target(&path).map_err(Error::write(format!(
            "follow the link {} to the file it names",
            path.display()
        )))?;
        files.push(Planned {
            file: file.clone(),
            path,
            current,
            merged: Merged {
                text,
                managed: new_state.managed(file).to_vec(),
                notes: Vec::new(),
                moved: Vec::new(),
            },
            input_key: new_state.files.get(file).and_then(|f| f.input.clone()),
        });
    }
    // config.toml first, as gen plans.
    files.sort_by_key(|p| p.file != CodexFile::Config);
    Ok(Plan { files })
}

#[derive(Serialize)]
struct Listing {
    /// The files as they are now, to compare.
    now: Vec<FileRow>,
    generations: Vec<GenerationRow>,
}

#[derive(Serialize)]
struct GenerationRow {
    number: usize,
    /// Seconds since the Unix epoch; `null` for the old layout.
    time: Option<u64>,
    /// The same, as `YYYY-MM-DD HH:MM:SS UTC`.
    time_utc: Option<String>,
    /// The command whose write replaced these files.
    command: Option<String>,
    /// Whether codexgen's state is kept with them (restored with them).
    state: bool,
    files: Vec<FileRow>,
}

#[derive(Serialize)]
struct FileRow {
    file: String,
    /// `false`: the file did not exist (a restore removes it).
    existed: bool,
    #[serde(flatten)]
    summary: Option<Summary>,
}

fn list(settings: &Settings, generations: &[Generation], format: Format) -> Result<Exit, Error> {
    let mut rows = Vec::with_capacity(generations.len());
    for (i, generation) in generations.iter().enumerate() {
        let mut files = Vec::with_capacity(generation.files.len());
        for saved in &generation.files {
            let summary = match &saved.copy {
                Some(copy) => Some(backups::summary(&input::read_own(copy, input::CODEX_FILE)?)),
                None => None,
            };
            files.push(FileRow {
                file: saved.file.to_string(),
                existed: saved.copy.is_some(),
                summary,
            });
        }
        rows.push(GenerationRow {
            number: i + 1,
            time: generation.time,
            time_utc: generation.time.map(backups::format_time),
            command: generation.command.clone(),
            state: generation.state.is_some(),
            files,
        });
    }
    // The files the generations hold, as they are now.
    let mut named: Vec<&CodexFile> = generations
        .iter()
        .flat_map(|g| g.files.iter().map(|s| &s.file))
        .collect();
    named.sort_by(|a, b| backups::listing_order(a, b));
    named.dedup();
    let mut now = Vec::with_capacity(named.len());
    for file in named {
        let text = plan::read_optional(&file.path_in(&settings.codex_home))?;
        now.push(FileRow {
            file: file.to_string(),
            existed: text.is_some(),
            summary: text.as_deref().map(backups::summary),
        });
    }
    let listing = Listing {
        now,
        generations: rows,
    };
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&listing).unwrap_or_default() + "\n",
        Format::Text => table(&listing),
    };
    match format {
        Format::Json => print_out(&text, "the list")?,
        // Through the colour filter: the hint is dimmed on a terminal only.
        Format::Text => {
            let mut out = Stdout::new("the list");
            out.print(&text)?;
            out.finish()?;
        }
    }
    Ok(Exit::Ok)
}

fn table(listing: &Listing) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if listing.generations.is_empty() {
        out.push_str(
            "no backup generations yet: codexgen keeps one each time it writes the Codex home\n",
        );
        return out;
    }
    let width = listing
        .now
        .iter()
        .chain(listing.generations.iter().flat_map(|g| &g.files))
        .map(|f| f.file.len())
        .max()
        .unwrap_or(0);
    let file_line = |out: &mut String, f: &FileRow| {
        let what = match &f.summary {
            Some(s) => format!(
                "{}, {} table(s), {} comment line(s)",
                input::size(s.bytes as u64),
                s.tables,
                s.comments
            ),
            None => "did not exist (a restore removes it)".to_owned(),
        };
        let _ = writeln!(out, "      {:<width$}  {what}", f.file);
    };
    let _ = writeln!(out, "{}", dim("now"));
    for f in &listing.now {
        if f.existed {
            file_line(&mut out, f);
        } else {
            let _ = writeln!(out, "      {:<width$}  not there", f.file);
        }
    }
    for g in &listing.generations {
        let when = g
            .time_utc
            .clone()
            .unwrap_or_else(|| "(no time: kept by an older codexgen)".to_owned());
        let by = g
            .command
            .as_ref()
            .map(|c| format!("  replaced by `{c}`"))
            .unwrap_or_default();
        let _ = writeln!(out, "{:>3}  {when}{by}", g.number);
        if g.files.is_empty() {
            let _ = writeln!(out, "      (no file; codexgen's record only)");
        }
        for f in &g.files {
            file_line(&mut out, f);
        }
    }
    let _ = writeln!(
        out,
        "{}",
        dim(
            "`codexgen restore N` puts the home back as it was before write N (files of 1..N, the oldest's text); it asks first"
        )
    );
    out
}
