//! Owns what a run works on, resolved once from the command line, the
//! environment and the catalog before any command runs (uv's `settings.rs`):
//! the Codex home, the catalog files read and layered (with the personal
//! overlay, and where that overlay is for `adopt`, or why there is none),
//! the Codex version to write for and why, and the installed Codex, looked
//! up at most once.
//! Commands receive [`Settings`] and never see the command line.

use crate::codex_schema::Schemas;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use etcetera::BaseStrategy;

use crate::catalog::{self, Layered, Source};
use crate::cli::GlobalArgs;
use crate::codex::{self, Target, Version, VersionReq};
use crate::detect::{self, DetectError};
use crate::diagnostic::printable;
use crate::error::Error;
use crate::home;
use crate::verbosity;

/// Why a run has no personal overlay: each is said in its own words, so a
/// message never blames an option that was not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoOverlay {
    /// `--no-local` was given.
    NoLocal,
    /// The first catalog is standard input, which has no folder beside it.
    Stdin,
    /// The first catalog's name is not text, so `NAME.local.yaml` cannot be made.
    Unnamed(PathBuf),
    /// The built-in catalog, and no user config folder (no `HOME`, no `XDG_CONFIG_HOME`).
    NoConfigDir,
}

impl NoOverlay {
    /// Why, as the end of a sentence "... the personal overlay, which ...".
    pub fn why(&self) -> String {
        match self {
            NoOverlay::NoLocal => "--no-local leaves out".to_owned(),
            NoOverlay::Stdin => {
                "a catalog read from standard input (`--catalog -`) does not have: it has no folder to keep one beside".to_owned()
            }
            NoOverlay::Unnamed(file) => format!(
                "{} does not have: its name is not text, so `NAME.local.yaml` cannot be made from it",
                printable(&file.display().to_string())
            ),
            NoOverlay::NoConfigDir => {
                "the built-in catalog keeps in your config folder, and neither HOME nor XDG_CONFIG_HOME says where that is".to_owned()
            }
        }
    }

    /// What to do instead.
    pub fn help(&self) -> &'static str {
        match self {
            NoOverlay::NoLocal => "run `codexgen adopt` without --no-local",
            NoOverlay::Stdin => {
                "save the catalog to a file and pass `--catalog FILE`: the overlay is then FILE's `.local.yaml` beside it"
            }
            NoOverlay::Unnamed(_) => {
                "rename the catalog file (or link it) to a name such as `providers.yaml`"
            }
            NoOverlay::NoConfigDir => "set HOME or XDG_CONFIG_HOME, or pass `--catalog FILE`",
        }
    }
}

pub struct Settings {
    pub codex_home: PathBuf,
    /// Whether `--codex-home` named it (then a launched Codex is told so).
    pub codex_home_given: bool,
    /// The catalog files, read and layered; checked later, for the target.
    pub catalog: Layered,
    /// Where the personal overlay is, whether or not it exists (read when
    /// it does, written by `adopt`), or why this run has none.
    pub overlay: Result<PathBuf, NoOverlay>,
    /// The Codex version the files are written for, and why.
    pub target: Target,
    pub codex: InstalledCodex,
    /// Codex's own config schemas to check the files against: the built-in
    /// ones, or the folder in `CODEXGEN_CODEX_SCHEMAS`.
    pub codex_schemas: Schemas,
}

impl Settings {
    pub fn resolve(global: &GlobalArgs) -> Result<Self, Error> {
        // The user's folders, looked up once: home, and the XDG config and
        // cache folders (an `XDG_*` value that is not absolute is ignored).
        let dirs = etcetera::choose_base_strategy().ok();
        let user_home = dirs.as_ref().map(|d| d.home_dir().to_path_buf());
        let codex_home = global
            .codex_home
            .clone()
            .or_else(|| {
                std::env::var_os("CODEX_HOME")
                    .filter(|h| !h.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| user_home.as_ref().map(|h| h.join(".codex")))
            .ok_or_else(|| {
                Error::message(
                    "cannot tell where the Codex home is: pass --codex-home DIR or set CODEX_HOME",
                )
            })?;
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let config_dir = dirs.as_ref().map(BaseStrategy::config_dir);
        let stdin = Path::new("-");
        if global.catalog.iter().filter(|f| *f == stdin).count() > 1 {
            return Err(Error::with_help(
                "--catalog - is given more than once, but standard input can be read only once",
                "give `--catalog -` once; name a file that is called `-` as `./-`",
            ));
        }
        let mut files: Vec<PathBuf> = if global.catalog.is_empty() {
            let found = catalog::discover(&cwd, config_dir.as_deref());
            explain_discovery(&cwd, config_dir.as_deref(), found.as_ref());
            found.into_iter().collect()
        } else {
            global.catalog.clone()
        };
        let builtin = files.is_empty();
        if builtin {
            verbosity::detail("catalog: no catalog file found; using the built-in catalog");
        }
        // Standard input has no folder to find an overlay beside.
        let overlay = if global.no_local {
            verbosity::detail("catalog: no personal overlay is read (--no-local)");
            Err(NoOverlay::NoLocal)
        } else if files.first().is_some_and(|f| f == stdin) {
            Err(NoOverlay::Stdin)
        } else {
            let first = files.first().map(PathBuf::as_path);
            catalog::personal_overlay(first, config_dir.as_deref()).ok_or(match first {
                Some(file) => NoOverlay::Unnamed(file.to_path_buf()),
                None => NoOverlay::NoConfigDir,
            })
        };
        // The personal overlay comes right after the first file (or the
        // built-in catalog) when something by its name exists: reading it
        // then refuses anything but a regular file.
        if let Ok(local) = &overlay
            && local.exists()
            && !files.contains(local)
        {
            verbosity::detail(&format!(
                "catalog: {} is read as the personal overlay",
                local.display()
            ));
            files.insert(files.len().min(1), local.clone());
        }
        let mut sources = Vec::with_capacity(files.len() + 1);
        if builtin {
            sources.push(Source::embedded());
        }
        for file in &files {
            sources.push(if file == stdin {
                Source::stdin()?
            } else {
                Source::read(file)?
            });
        }
        let wanted = global
            .codex_version
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: codex::BadVersion| Error::message(format!("--codex-version: {e}")))?;
        let catalog = catalog::layer(sources)?;
        let cache = dirs.as_ref().map(|d| detect::cache_file(&d.cache_dir()));
        let codex = InstalledCodex::new(global.codex_bin.clone(), cache);
        let target = choose_target(wanted, catalog.codex_requirement()?.as_ref(), &codex)?;
        Ok(Settings {
            codex_home,
            codex_home_given: global.codex_home.is_some(),
            catalog,
            overlay,
            target,
            codex,
            codex_schemas: Schemas::from_env(),
        })
    }

    /// codexgen's own folder in the Codex home.
    pub fn state_dir(&self) -> PathBuf {
        self.codex_home.join(home::STATE_DIR)
    }

    pub fn state_file(&self) -> PathBuf {
        self.state_dir().join(home::STATE_FILE)
    }

    /// The journal of a writing run (see [`home::JOURNAL_FILE`]).
    pub fn journal_file(&self) -> PathBuf {
        self.state_dir().join(home::JOURNAL_FILE)
    }

    /// The state file of codexgen before format 3 (see [`home::OLD_STATE_FILE`]).
    pub fn old_state_file(&self) -> PathBuf {
        self.state_dir().join(home::OLD_STATE_FILE)
    }
}

/// The user's config dir: `$XDG_CONFIG_HOME` when absolute, else
/// `~/.config`; `None` when there is no home to find it from.
pub fn user_config_dir() -> Option<PathBuf> {
    etcetera::choose_base_strategy()
        .ok()
        .map(|d| d.config_dir())
}

/// With `-v`: which catalog files discovery looked at, in order, and what
/// it made of each.
fn explain_discovery(cwd: &Path, config_dir: Option<&Path>, chosen: Option<&PathBuf>) {
    if !verbosity::verbose() {
        return;
    }
    for candidate in catalog::candidates(config_dir) {
        let at = cwd.join(&candidate);
        let seen = if chosen == Some(&candidate) {
            "read"
        } else if !at.exists() {
            "not there"
        } else {
            "there, but an earlier catalog was chosen"
        };
        verbosity::detail(&format!("catalog: {}: {seen}", candidate.display()));
    }
}

/// The Codex version to write for, and why: `--codex-version`, else the
/// catalog's `codex:` (an exact version, or a range the installed Codex must
/// fall in), else the installed Codex, else the newest known.
fn choose_target(
    wanted: Option<Version>,
    requirement: Option<&VersionReq>,
    codex: &InstalledCodex,
) -> Result<Target, Error> {
    let within = |version: Version, reason: String| match requirement {
        Some(req) if !req.matches(version) => Err(Error::with_help(
            format!(
                "the catalog is written for Codex {req} (its `codex:` field), but {reason} is {version}"
            ),
            "pick a version in that range with --codex-version, or change the catalog's `codex:`",
        )),
        _ => Ok(Target { version, reason }),
    };
    if let Some(version) = wanted {
        return within(version, "--codex-version".to_owned());
    }
    if let Some(version) = requirement.and_then(VersionReq::exact) {
        return within(version, "the catalog's `codex:`".to_owned());
    }
    if let Some(installed) = codex.version()? {
        let how = if installed.cached { ", remembered" } else { "" };
        return within(
            installed.version,
            format!("`{} --version`{how}", installed.bin.display()),
        );
    }
    match requirement {
        Some(req) => req.default_version().map_or_else(
            || {
                Err(Error::with_help(
                    format!(
                        "no Codex found and the catalog's `codex: {req}` names no version to assume"
                    ),
                    "pass --codex-version",
                ))
            },
            |version| {
                Ok(Target {
                    version,
                    reason: format!("no codex on PATH; assumed from the catalog's `codex: {req}`"),
                })
            },
        ),
        None => Ok(Target {
            version: codex::NEWEST_KNOWN,
            reason: "no codex on PATH; newest Codex this codexgen knows".to_owned(),
        }),
    }
}

/// The Codex installed here: `--codex-bin`, else `codex` on `PATH`. Found,
/// and asked for its version, at most once per run, and only when needed.
pub struct InstalledCodex {
    explicit: Option<PathBuf>,
    /// Where answers of `codex --version` are remembered.
    cache: Option<PathBuf>,
    bin: OnceLock<Option<PathBuf>>,
    version: OnceLock<Option<Installed>>,
}

/// An installed Codex and its version.
#[derive(Debug, Clone)]
pub struct Installed {
    pub bin: PathBuf,
    pub version: Version,
    /// Whether the version came from codexgen's cache rather than the binary.
    pub cached: bool,
}

impl InstalledCodex {
    fn new(explicit: Option<PathBuf>, cache: Option<PathBuf>) -> Self {
        InstalledCodex {
            explicit,
            cache,
            bin: OnceLock::new(),
            version: OnceLock::new(),
        }
    }

    /// The binary `--codex-bin` named, if any (printed as given).
    pub fn explicit(&self) -> Option<&Path> {
        self.explicit.as_deref()
    }

    /// The binary, if there is one.
    pub fn bin(&self) -> Result<Option<&Path>, DetectError> {
        if let Some(found) = self.bin.get() {
            return Ok(found.as_deref());
        }
        let found = detect::find(self.explicit.as_deref())?;
        Ok(self.bin.get_or_init(|| found).as_deref())
    }

    /// The binary and its version, if there is one.
    pub fn version(&self) -> Result<Option<&Installed>, DetectError> {
        if let Some(found) = self.version.get() {
            return Ok(found.as_ref());
        }
        let found = match self.bin()? {
            Some(bin) => {
                let (version, cached) = detect::version(bin, self.cache.as_deref())?;
                Some(Installed {
                    bin: bin.to_path_buf(),
                    version,
                    cached,
                })
            }
            None => None,
        };
        Ok(self.version.get_or_init(|| found).as_ref())
    }
}
