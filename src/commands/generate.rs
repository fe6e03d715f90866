//! `codexgen gen`: shows what the catalog changes in the Codex home and
//! writes it (or, with `--diff`/`--check`, only reports). Owns the printing of
//! plans, drift and warnings, the confirmation, and the write sequence; the
//! stages themselves are elsewhere.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};

use crate::app::{AppError, Planned, Prepared, Settings, dim, prepare, read_optional};
use crate::catalog::Catalog;
use crate::cli::{GenArgs, GlobalArgs};
use crate::codex::{self, ProfileLayout, Target};
use crate::detect;
use crate::diagnostic::{Exit, redact};
use crate::diff::{self, Kind};
use crate::merge::{self, Note};
use crate::state::{FileState, State};
use crate::verify;
use crate::write::{self, WriteError};

pub fn run(global: &GlobalArgs, args: &GenArgs) -> Result<Exit, AppError> {
    let prepared = prepare(global, args.templates.as_deref())?;
    let state = prepared.read_state()?;
    let plan = prepared.plan(&state)?;
    let Prepared {
        settings,
        target,
        catalog,
        ..
    } = &prepared;
    let state_path = prepared.state_path();

    eprintln!(
        "{} catalog {} ({}); Codex {} ({}); home {}",
        dim("codexgen:"),
        catalog.version,
        settings
            .sources
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(" + "),
        target.version,
        target.reason,
        settings.codex_home.display()
    );
    warn_about_profiles(&prepared, &plan, &state);
    if args.verify {
        verify_plan(settings, target, catalog, &plan)?;
    }
    if args.check {
        return Ok(report_check(&plan));
    }
    let changed: Vec<&Planned> = plan.iter().filter(|p| p.changes()).collect();
    for p in &changed {
        print_plan(p);
    }
    if args.diff {
        if changed.is_empty() {
            eprintln!("Nothing to change: the Codex home matches the catalog.");
        }
        return Ok(Exit::Ok);
    }
    let mut new_state = State::new(
        plan.iter()
            .filter(|p| p.merged.text.is_some() && !p.merged.managed.is_empty())
            .map(|p| {
                (
                    p.name.clone(),
                    FileState {
                        managed: p.merged.managed.clone(),
                    },
                )
            })
            .collect(),
    );
    new_state.codex = Some(target.version.to_string());
    if changed.is_empty() {
        if new_state != state {
            let _lock = lock_unchanged(&prepared, &state, &plan)?;
            write::write(&state_path, &new_state.to_text(), None).map_err(AppError::Write)?;
        }
        eprintln!("Nothing to change: the Codex home matches the catalog.");
        return Ok(Exit::Ok);
    }
    if !args.yes && !confirm(changed.len())? {
        eprintln!("Nothing written.");
        return Ok(Exit::Ok);
    }
    let _lock = lock_unchanged(&prepared, &state, &plan)?;
    apply(settings, &changed, &state_path, &state, &new_state)?;
    Ok(Exit::Ok)
}

/// Takes the run lock only now, just before writing (so that a refused
/// `--verify`, a "no" at the prompt or a `--diff` leaves no trace), and
/// makes sure nothing changed on disk since the plan was made.
fn lock_unchanged(
    prepared: &Prepared,
    state: &State,
    plan: &[Planned],
) -> Result<write::Lock, AppError> {
    let dir = prepared.settings.state_dir();
    let lock = write::lock(&dir).map_err(|e| match e {
        WriteError::Locked(_) => AppError::Locked(e, dir.join("lock").display().to_string()),
        other => AppError::Write(other),
    })?;
    let moved = |what: &str| {
        AppError::Message(format!(
            "{what} changed while codexgen was planning; nothing was written\n  = help: run codexgen again to see the new diff"
        ))
    };
    if prepared.read_state()? != *state {
        return Err(moved("codexgen's state"));
    }
    for p in plan {
        let target = write::resolve(&p.path).map_err(AppError::Write)?;
        if read_optional(&target)? != p.current {
            return Err(moved(&p.name));
        }
    }
    Ok(lock)
}

/// Writes the changed files (with backups), then the state. If a write
/// fails, the state still records the files written before it, so nothing
/// codexgen wrote becomes ownerless.
fn apply(
    settings: &Settings,
    changed: &[&Planned],
    state_path: &Path,
    old_state: &State,
    new_state: &State,
) -> Result<(), AppError> {
    let backups = settings.state_dir().join("backup");
    let mut progress = old_state.clone();
    for p in changed {
        let backup = backups.join(&p.name);
        let written = match &p.merged.text {
            Some(text) => write::write(&p.path, text, Some(&backup)),
            None => write::delete(&p.path, Some(&backup)),
        };
        if let Err(e) = written {
            let _ = write::write(state_path, &progress.to_text(), None);
            return Err(AppError::Write(e));
        }
        match new_state.files.get(&p.name) {
            Some(file) => progress.files.insert(p.name.clone(), file.clone()),
            None => progress.files.remove(&p.name),
        };
    }
    write::write(state_path, &new_state.to_text(), None).map_err(AppError::Write)?;
    eprintln!(
        "Wrote {} file(s) in {}; previous versions are in {}.",
        changed.len(),
        settings.codex_home.display(),
        backups.display()
    );
    Ok(())
}

/// `--verify`: the installed Codex must load every planned file.
fn verify_plan(
    settings: &Settings,
    target: &Target,
    catalog: &Catalog,
    plan: &[Planned],
) -> Result<(), AppError> {
    let bin = detect::find(settings.codex_bin.as_deref())?.ok_or_else(|| {
        AppError::Message(
            "--verify needs the Codex binary: pass --codex-bin PATH or put codex on PATH"
                .to_owned(),
        )
    })?;
    let profiles = catalog.profiles.iter().map(|p| p.name.as_str()).collect();
    let files = plan
        .iter()
        .filter_map(|p| p.merged.text.as_deref().map(|t| (p.name.as_str(), t)))
        .collect();
    verify::verify(
        &bin,
        &verify::LoadCheck {
            home: &settings.codex_home,
            files,
            profiles,
            version: target.version,
        },
    )?;
    eprintln!(
        "{} {} loads the planned files",
        dim("codexgen:"),
        bin.display()
    );
    Ok(())
}

/// Says what in the planned files will still trip `codex -p` on this target.
fn warn_about_profiles(prepared: &Prepared, plan: &[Planned], state: &State) {
    let Prepared {
        settings,
        target,
        catalog,
        ..
    } = prepared;
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
    let warn = |text: String| eprintln!("{yellow}warning:{yellow:#} {text}");
    let version = target.version;
    match target.profile_layout() {
        ProfileLayout::Files => {
            let config = plan
                .iter()
                .find(|p| p.name == "config.toml")
                .and_then(|p| p.merged.text.as_deref())
                .unwrap_or_default();
            let legacy = merge::legacy_profiles(config);
            for name in legacy.tables {
                warn(format!(
                    "config.toml has a `[profiles.{name}]` table that codexgen did not write; Codex {version} refuses `codex -p {name}` while it is there\n  = help: add profile `{name}` to the catalog (codexgen then moves it to {name}.config.toml), or move its keys into {name}.config.toml yourself"
                ));
            }
            if let Some(name) = legacy.selector {
                warn(format!(
                    "config.toml selects a profile with `profile = \"{name}\"`; Codex {version} refuses `codex -p {name}` while it is there\n  = help: remove that line and run `codex -p {name}` instead"
                ));
            }
        }
        ProfileLayout::Tables => {
            for profile in &catalog.profiles {
                let file = format!("{}.config.toml", profile.name);
                let planned = plan.iter().any(|p| p.name == file);
                if !planned
                    && !state.files.contains_key(&file)
                    && settings.codex_home.join(&file).exists()
                {
                    warn(format!(
                        "{file} is not read by Codex {version} (it reads [profiles.{}] in config.toml); it is left alone",
                        profile.name
                    ));
                }
            }
            if !target.top_level_profile_flag_works() {
                eprintln!(
                    "{} Codex {version} ignores `codex -p NAME` before the subcommand; use `codex exec --profile NAME` (fixed in Codex {})",
                    dim("note:"),
                    codex::TOP_LEVEL_PROFILE_FLAG
                );
            }
        }
    }
}

/// `gen --check`: one line per out-of-date file.
fn report_check(plan: &[Planned]) -> Exit {
    let changed: Vec<&Planned> = plan.iter().filter(|p| p.changes()).collect();
    for p in &changed {
        println!("{}: {}", p.name, describe_change(p));
    }
    if changed.is_empty() {
        let files = plan.iter().filter(|p| p.merged.text.is_some()).count();
        println!("in sync: {files} file(s) match the catalog");
        Exit::Ok
    } else {
        println!(
            "{} file(s) out of date; run `codexgen gen` to update",
            changed.len()
        );
        Exit::OutOfDate
    }
}

fn describe_change(p: &Planned) -> String {
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
    if drift > 0 {
        format!("{what} ({drift} managed value(s) edited by hand)")
    } else {
        what
    }
}

fn print_plan(p: &Planned) {
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    for note in &p.merged.notes {
        let text = match note {
            Note::Drift {
                path,
                written,
                found: Some(found),
                action,
            } => format!(
                "drift: {}: `{path}` was set to {} by hand (codexgen wrote {}); {action}",
                p.name,
                redact(found),
                redact(written)
            ),
            Note::Drift {
                path,
                written,
                found: None,
                action,
            } => format!(
                "drift: {}: `{path}` was removed by hand (codexgen wrote {}); {action}",
                p.name,
                redact(written)
            ),
            Note::Migrated { path, carried } => {
                let file = path
                    .strip_prefix("profiles.")
                    .map_or_else(String::new, |n| format!("{n}.config.toml"));
                let keys = if carried.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (with {}, which codexgen did not write; their comments stay behind)",
                        carried.join(", ")
                    )
                };
                format!(
                    "migrate: {}: `[{path}]` is not read by this Codex; it moves to {file}{keys}",
                    p.name
                )
            }
            Note::TakeOver { path, found } => format!(
                "note: {}: `{path}` = {} was not written by codexgen; the catalog's value replaces it",
                p.name,
                redact(found)
            ),
        };
        println!("{yellow}{text}{yellow:#}");
    }
    for line in diff::unified(&p.name, p.current.as_deref(), p.merged.text.as_deref()) {
        let style = match line.kind {
            Kind::Header => Style::new().bold(),
            Kind::Hunk => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
            Kind::Removed => Style::new().fg_color(Some(AnsiColor::Red.into())),
            Kind::Added => Style::new().fg_color(Some(AnsiColor::Green.into())),
            Kind::Context | Kind::Note => Style::new(),
        };
        println!("{style}{}{style:#}", line.text);
    }
}

fn confirm(files: usize) -> Result<bool, AppError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(AppError::Message(
            "refusing to write without confirmation: stdin is not a terminal\n  = help: review with `codexgen gen --diff`, then run `codexgen gen --yes`".to_owned(),
        ));
    }
    eprint!("Write {files} file(s)? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|source| AppError::Read {
            path: "standard input".to_owned(),
            source,
        })?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}
