//! Owns orchestration: turns parsed arguments into settings (Codex home,
//! catalog files, target), runs the stages in order (load, render, merge,
//! diff, write), prints, and picks the exit status. Holds no stage logic.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};
use clap::Parser as _;

use crate::catalog::{self, CatalogError, Source};
use crate::cli::{Cli, Color, Command, GenArgs, GlobalArgs};
use crate::codex::{self, ProfileLayout, Target, Version, VersionReq};
use crate::detect::{self, DetectError};
use crate::diagnostic::{Exit, redact, render_error};
use crate::diff::{self, Kind};
use crate::merge::{self, MergeError, Merged, Note};
use crate::render::{RenderError, Rendered, Renderer};
use crate::state::{self, FileState, State, StateError};
use crate::verify::{self, VerifyError};
use crate::write::{self, WriteError};

#[derive(Debug, thiserror::Error)]
enum AppError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error("{0}\n  = help: wait for it to finish (or remove a stale {1}), then run again")]
    Locked(WriteError, String),
    #[error("cannot write the Codex home")]
    Write(#[source] WriteError),
    #[error(
        "{0}\n  = help: delete {1} to start afresh (codexgen then forgets which entries it wrote)"
    )]
    State(StateError, String),
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Detect(#[from] DetectError),
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error("{0}")]
    Usage(String),
}

pub fn run(args: impl IntoIterator<Item = OsString>) -> Exit {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Failure
            } else {
                Exit::Ok
            };
        }
    };
    match cli.global.color {
        Color::Auto => {}
        Color::Always => anstream::ColorChoice::Always.write_global(),
        Color::Never => anstream::ColorChoice::Never.write_global(),
    }
    let result = match &cli.command {
        Command::Gen(args) => generate(&cli.global, args),
    };
    result.unwrap_or_else(|err| {
        eprintln!("{}", style_error(&render_error(&err)));
        Exit::Failure
    })
}

fn style_error(text: &str) -> String {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    text.replacen("error:", &format!("{red}error:{red:#}"), 1)
}

/// Where things are, resolved once from arguments and environment.
struct Settings {
    codex_home: PathBuf,
    sources: Vec<Source>,
    codex_version: Option<Version>,
    codex_bin: Option<PathBuf>,
}

impl Settings {
    fn resolve(global: &GlobalArgs) -> Result<Self, AppError> {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let codex_home = global
            .codex_home
            .clone()
            .or_else(|| {
                std::env::var_os("CODEX_HOME")
                    .filter(|h| !h.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| home.as_ref().map(|h| h.join(".codex")))
            .ok_or_else(|| {
                AppError::Usage(
                    "cannot tell where the Codex home is: pass --codex-home DIR or set CODEX_HOME"
                        .to_owned(),
                )
            })?;
        let config_dir = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".config")));
        let files = if global.catalog.is_empty() {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            catalog::discover(&cwd, config_dir.as_deref())
        } else {
            let mut files = global.catalog.clone();
            if let Some(local) = catalog::local_overlay(&files[0])
                && !files.contains(&local)
            {
                files.insert(1, local);
            }
            files
        };
        let sources = if files.is_empty() {
            vec![Source::embedded()]
        } else {
            files
                .iter()
                .map(|f| Source::read(f))
                .collect::<Result<_, _>>()?
        };
        let codex_version = global
            .codex_version
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: codex::BadVersion| AppError::Usage(format!("--codex-version: {e}")))?;
        Ok(Settings {
            codex_home,
            sources,
            codex_version,
            codex_bin: global.codex_bin.clone(),
        })
    }

    /// The Codex version to write for, and why: `--codex-version`, else the
    /// catalog's `codex:` (an exact version, or a range the installed Codex
    /// must fall in), else the installed Codex, else the newest known.
    fn target(&self, requirement: Option<&VersionReq>) -> Result<Target, AppError> {
        let within = |version: Version, reason: String| -> Result<Target, AppError> {
            match requirement {
                Some(req) if !req.matches(version) => Err(AppError::Usage(format!(
                    "the catalog is written for Codex {req} (its `codex:` field), but {reason} is {version}\n  = help: pick a version in that range with --codex-version, or change the catalog's `codex:`"
                ))),
                _ => Ok(Target { version, reason }),
            }
        };
        if let Some(version) = self.codex_version {
            return within(version, "--codex-version".to_owned());
        }
        if let Some(version) = requirement.and_then(VersionReq::exact) {
            return within(version, "the catalog's `codex:`".to_owned());
        }
        if let Some(bin) = detect::find(self.codex_bin.as_deref())? {
            let (version, cached) = detect::version(&bin, detect::cache_file().as_deref())?;
            let how = if cached { ", remembered" } else { "" };
            return within(version, format!("`{} --version`{how}", bin.display()));
        }
        match requirement {
            Some(req) => req.default_version().map_or_else(
                || Err(AppError::Usage(format!("no Codex found and the catalog's `codex: {req}` names no version to assume\n  = help: pass --codex-version"))),
                |version| Ok(Target { version, reason: format!("no codex on PATH; assumed from the catalog's `codex: {req}`") }),
            ),
            None => Ok(Target {
                version: codex::NEWEST_KNOWN,
                reason: "no codex on PATH; newest Codex this codexgen knows".to_owned(),
            }),
        }
    }

    fn state_dir(&self) -> PathBuf {
        self.codex_home.join(state::DIR)
    }
}

/// One file's planned change.
struct Planned {
    name: String,
    path: PathBuf,
    current: Option<String>,
    merged: Merged,
}

impl Planned {
    fn changes(&self) -> bool {
        self.current != self.merged.text
    }
}

fn generate(global: &GlobalArgs, args: &GenArgs) -> Result<Exit, AppError> {
    let settings = Settings::resolve(global)?;
    let layered = catalog::layer(&settings.sources)?;
    let target = settings.target(layered.codex_requirement()?.as_ref())?;
    let catalog = layered.build(&target)?;
    let rendered = Renderer::new(args.templates.as_deref())?.render(&catalog, &target)?;

    let writing = !args.diff && !args.check;
    let _lock = if writing {
        let dir = settings.state_dir();
        Some(write::lock(&dir).map_err(|e| match e {
            WriteError::Locked(_) => AppError::Locked(e, dir.join("lock").display().to_string()),
            other => AppError::Write(other),
        })?)
    } else {
        None
    };
    let state_path = settings.state_dir().join(state::FILE);
    let state = match read_optional(&state_path)? {
        Some(text) => {
            State::parse(&text).map_err(|e| AppError::State(e, state_path.display().to_string()))?
        }
        None => State::new(BTreeMap::new()),
    };
    // On a Codex that reads profile files, a catalog profile's legacy table
    // is moved out of config.toml.
    let adopt: Vec<Vec<String>> = match target.profile_layout() {
        ProfileLayout::Files => catalog
            .profiles
            .iter()
            .map(|p| vec!["profiles".to_owned(), p.name.clone()])
            .collect(),
        ProfileLayout::Tables => Vec::new(),
    };
    let header = merge::header(&catalog.version);
    let plan = plan(&settings, &header, &rendered, &state, &adopt)?;

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
    warn_about_profiles(&target, &catalog, &plan, &state);
    if args.verify {
        verify_plan(&settings, &target, &catalog, &plan)?;
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
    let new_state = State::new(
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
    if changed.is_empty() {
        if new_state != state {
            write::write(&state_path, &new_state.to_text(), None).map_err(AppError::Write)?;
        }
        eprintln!("Nothing to change: the Codex home matches the catalog.");
        return Ok(Exit::Ok);
    }
    if !args.yes && !confirm(changed.len())? {
        eprintln!("Nothing written.");
        return Ok(Exit::Ok);
    }
    apply(&settings, &changed, &state_path, &new_state)?;
    Ok(Exit::Ok)
}

/// Writes the changed files (with backups), then the state.
fn apply(
    settings: &Settings,
    changed: &[&Planned],
    state_path: &Path,
    new_state: &State,
) -> Result<(), AppError> {
    let backups = settings.state_dir().join("backup");
    for p in changed {
        let backup = backups.join(&p.name);
        match &p.merged.text {
            Some(text) => write::write(&p.path, text, Some(&backup)),
            None => write::delete(&p.path, Some(&backup)),
        }
        .map_err(AppError::Write)?;
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
    catalog: &catalog::Catalog,
    plan: &[Planned],
) -> Result<(), AppError> {
    let bin = detect::find(settings.codex_bin.as_deref())?.ok_or_else(|| {
        AppError::Usage(
            "--verify needs the Codex binary: pass --codex-bin PATH or put codex on PATH"
                .to_owned(),
        )
    })?;
    let profiles = if target.top_level_profile_flag_works() {
        catalog.profiles.iter().map(|p| p.name.as_str()).collect()
    } else {
        Vec::new()
    };
    let files = plan
        .iter()
        .filter_map(|p| p.merged.text.as_deref().map(|t| (p.name.as_str(), t)))
        .collect();
    verify::verify(&bin, &verify::Files { files, profiles })?;
    eprintln!(
        "{} {} loads the planned files",
        dim("codexgen:"),
        bin.display()
    );
    Ok(())
}

/// Merges every rendered file, and every file codexgen wrote before but no
/// longer renders, with what is on disk. Any unreadable file stops the run.
fn plan(
    settings: &Settings,
    header: &str,
    rendered: &[Rendered],
    state: &State,
    adopt: &[Vec<String>],
) -> Result<Vec<Planned>, AppError> {
    let no_longer_rendered = state
        .files
        .keys()
        .filter(|name| !rendered.iter().any(|r| &r.name == *name))
        .map(|name| (name.as_str(), None));
    let wanted = rendered
        .iter()
        .map(|r| (r.name.as_str(), Some(r.text.as_str())));
    let mut plan = Vec::new();
    for (name, desired) in wanted.chain(no_longer_rendered) {
        let path = settings.codex_home.join(name);
        let current = read_optional(&write::resolve(&path).map_err(AppError::Write)?)?;
        let merged = merge::merge(
            name,
            current.as_deref(),
            desired,
            header,
            state.managed(name),
            if name == "config.toml" { adopt } else { &[] },
        )?;
        plan.push(Planned {
            name: name.to_owned(),
            path,
            current,
            merged,
        });
    }
    Ok(plan)
}

/// Says what in the planned files will still trip `codex -p` on this target.
fn warn_about_profiles(
    target: &Target,
    catalog: &catalog::Catalog,
    plan: &[Planned],
    state: &State,
) {
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
                if !planned && !state.files.contains_key(&file) && home_has(plan, &file) {
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

/// Whether a file sits in the Codex home next to the planned config.toml.
fn home_has(plan: &[Planned], name: &str) -> bool {
    plan.iter()
        .find(|p| p.name == "config.toml")
        .and_then(|p| p.path.parent())
        .is_some_and(|home| home.join(name).exists())
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
            Note::Migrated { path } => format!(
                "migrate: {}: `[{path}]` is not read by this Codex; the profile moves to the file it reads",
                p.name
            ),
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

fn dim(text: &str) -> String {
    let style = Style::new().dimmed();
    format!("{style}{text}{style:#}")
}

fn confirm(files: usize) -> Result<bool, AppError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(AppError::Usage(
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

fn read_optional(path: &Path) -> Result<Option<String>, AppError> {
    match fs_err::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(AppError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}
