//! Owns orchestration: turns parsed arguments into settings (Codex home,
//! catalog files, target Codex), runs the shared first stages (load, render,
//! merge into a plan) for every command, renders errors and picks the exit
//! status. Holds no stage logic; each command lives in `commands/`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anstream::eprintln;
use anstyle::{AnsiColor, Style};
use clap::Parser as _;

use crate::catalog::{self, Catalog, CatalogError, Source};
use crate::cli::{Cli, Color, Command, GlobalArgs};
use crate::codex::{self, ProfileLayout, Target, Version, VersionReq};
use crate::commands;
use crate::detect::{self, DetectError};
use crate::diagnostic::{Exit, render_error};
use crate::merge::{self, MergeError, Merged};
use crate::render::{RenderError, Rendered, Renderer};
use crate::state::{self, State, StateError};
use crate::verify::VerifyError;
use crate::write::{self, WriteError};

#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
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
    #[error(
        "{0}\n  = help: nothing was written; change the catalog or templates so this Codex accepts them"
    )]
    Verify(#[from] VerifyError),
    #[error("{0}")]
    Message(String),
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
        Command::Gen(args) => commands::generate::run(&cli.global, args),
        Command::Doctor(args) => commands::doctor::run(&cli.global, args),
        Command::Probe(args) => commands::probe::run(&cli.global, args),
        Command::Exec(args) => commands::exec::run(&cli.global, args),
        Command::Aliases(args) => commands::exec::aliases(&cli.global, args),
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
pub(crate) struct Settings {
    pub codex_home: PathBuf,
    pub sources: Vec<Source>,
    pub codex_version: Option<Version>,
    pub codex_bin: Option<PathBuf>,
}

impl Settings {
    pub fn resolve(global: &GlobalArgs) -> Result<Self, AppError> {
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
                AppError::Message(
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
            .map_err(|e: codex::BadVersion| AppError::Message(format!("--codex-version: {e}")))?;
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
    pub fn target(&self, requirement: Option<&VersionReq>) -> Result<Target, AppError> {
        let within = |version: Version, reason: String| -> Result<Target, AppError> {
            match requirement {
                Some(req) if !req.matches(version) => Err(AppError::Message(format!(
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
                || Err(AppError::Message(format!("no Codex found and the catalog's `codex: {req}` names no version to assume\n  = help: pass --codex-version"))),
                |version| Ok(Target { version, reason: format!("no codex on PATH; assumed from the catalog's `codex: {req}`") }),
            ),
            None => Ok(Target {
                version: codex::NEWEST_KNOWN,
                reason: "no codex on PATH; newest Codex this codexgen knows".to_owned(),
            }),
        }
    }

    pub fn state_dir(&self) -> PathBuf {
        self.codex_home.join(state::DIR)
    }
}

/// One file's planned change.
pub(crate) struct Planned {
    pub name: String,
    pub path: PathBuf,
    pub current: Option<String>,
    pub merged: Merged,
}

impl Planned {
    pub fn changes(&self) -> bool {
        self.current != self.merged.text
    }
}

/// Merges every rendered file, and every file codexgen wrote before but no
/// longer renders, with what is on disk. Any unreadable file stops the run.
/// The catalog loaded and checked for its target Codex, and rendered: what
/// every command starts from.
pub(crate) struct Prepared {
    pub settings: Settings,
    pub target: Target,
    pub catalog: Catalog,
    pub rendered: Vec<Rendered>,
}

pub(crate) fn prepare(global: &GlobalArgs, templates: Option<&Path>) -> Result<Prepared, AppError> {
    let settings = Settings::resolve(global)?;
    let layered = catalog::layer(&settings.sources)?;
    let target = settings.target(layered.codex_requirement()?.as_ref())?;
    let catalog = layered.build(&target)?;
    let rendered = Renderer::new(templates)?.render(&catalog, &target)?;
    Ok(Prepared {
        settings,
        target,
        catalog,
        rendered,
    })
}

impl Prepared {
    /// codexgen's record of what it wrote in this Codex home.
    pub fn read_state(&self) -> Result<State, AppError> {
        let path = self.state_path();
        match read_optional(&path)? {
            Some(text) => {
                State::parse(&text).map_err(|e| AppError::State(e, path.display().to_string()))
            }
            None => Ok(State::new(BTreeMap::new())),
        }
    }

    pub fn state_path(&self) -> PathBuf {
        self.settings.state_dir().join(state::FILE)
    }

    /// Every file's planned change against the Codex home.
    pub fn plan(&self, state: &State) -> Result<Vec<Planned>, AppError> {
        // On a Codex that reads profile files, a catalog profile's legacy
        // table is moved out of config.toml.
        let adopt: Vec<Vec<String>> = match self.target.profile_layout() {
            ProfileLayout::Files => self
                .catalog
                .profiles
                .iter()
                .map(|p| vec!["profiles".to_owned(), p.name.clone()])
                .collect(),
            ProfileLayout::Tables => Vec::new(),
        };
        let header = merge::header(&self.catalog.version);
        plan(&self.settings, &header, &self.rendered, state, &adopt)
    }
}

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
    let mut plan: Vec<Planned> = Vec::new();
    for (name, desired) in wanted.chain(no_longer_rendered) {
        let path = settings.codex_home.join(name);
        let target = write::resolve(&path).map_err(AppError::Write)?;
        let current = read_optional(&target)?;
        // config.toml comes first; keys it moves out of a legacy
        // `[profiles.NAME]` table go into NAME.config.toml.
        let profile = name.strip_suffix(".config.toml");
        let carry_in = plan
            .first()
            .and_then(|config| {
                config.merged.moved.iter().find(|m| {
                    m.table.len() == 2
                        && m.table[0] == "profiles"
                        && Some(m.table[1].as_str()) == profile
                })
            })
            .map_or(&[][..], |m| m.keys.as_slice());
        let own = merge::Ownership {
            previous: state.managed(name),
            adopt: if name == "config.toml" { adopt } else { &[] },
            carry_in,
        };
        let label = target.display().to_string();
        let merged = merge::merge(&label, current.as_deref(), desired, header, &own)?;
        plan.push(Planned {
            name: name.to_owned(),
            path,
            current,
            merged,
        });
    }
    // A moved key the profile file renders itself is replaced, not carried:
    // say so only of the keys that really move.
    let mut notes = std::mem::take(&mut plan[0].merged.notes);
    let rendered_in = |file: &str, key: &str| {
        plan.iter()
            .find(|p| p.name == file)
            .is_some_and(|p| p.merged.managed.iter().any(|m| m.path.join(".") == key))
    };
    for note in &mut notes {
        if let merge::Note::Migrated { path, carried } = note {
            let file = format!("{}.config.toml", path.trim_start_matches("profiles."));
            carried.retain(|key| !rendered_in(&file, key));
        }
    }
    plan[0].merged.notes = notes;
    Ok(plan)
}

pub(crate) fn dim(text: &str) -> String {
    let style = Style::new().dimmed();
    format!("{style}{text}{style:#}")
}

pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, AppError> {
    // std, not fs_err: the error below names the path already.
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(AppError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}
