//! Owns what a run works on, resolved once from the command line, the
//! environment and the catalog before any command runs (uv's `settings.rs`):
//! the Codex home, the catalog files read and layered (with the personal
//! overlay, and where that overlay is for `adopt` and `use`, or why there is none),
//! the Codex version to write for and why, and the installed Codex, looked
//! up at most once.
//! Also which catalog that is ([`CatalogId`]) and how it was chosen
//! (`--catalog`, `CODEXGEN_CATALOG`, found, or the home's own: commands that
//! act with the home as it is read the catalog the home records when the
//! one found is another, [`Follow::Home`]; see `whose`).
//! Commands receive [`Settings`] and never see the command line.

use crate::codex_schema::Schemas;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use etcetera::BaseStrategy;

use crate::catalog::{self, CatalogError, Layered, Source};
use crate::cli::GlobalArgs;
use crate::codex::{self, Target, Version, VersionReq};
use crate::detect::{self, DetectError};
use crate::diagnostic::printable;
use crate::error::Error;
use crate::home;
use crate::input;
use crate::state::{self, State, fingerprint_of};
use crate::verbosity;
use crate::whose::{self, CATALOG_VAR, CatalogId, Chosen, Foreign, Whose};
use crate::write;

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
    /// Which catalog that is, as the home's state records it (see `whose`).
    pub catalog_id: CatalogId,
    /// How the run came to read it: named, found, or the home's.
    pub chosen: Chosen,
    /// The first catalog file as named or found ([`as_named`]).
    pub named: Option<String>,
    /// The Codex version the files are written for, and why.
    pub target: Target,
    pub codex: InstalledCodex,
    /// Codex's own config schemas to check the files against: the built-in
    /// ones, or the folder in `CODEXGEN_CODEX_SCHEMAS`.
    pub codex_schemas: Schemas,
}

/// Which catalog a run reads when none is named (see `whose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// The one discovery finds; `gen` compares it with the home's record.
    Found,
    /// The one the home records, when discovery finds another: for the
    /// commands that act with the home as it is (`aliases`, `exec`,
    /// `completions`, `doctor`, `probe`, `adopt`, `use`), whose output must match
    /// the files that catalog wrote, whatever folder a shell starts in.
    Home,
    /// No catalog file, nor overlay: the built-in catalog, for a command
    /// that needs none (`restore` puts back files), so that a broken or
    /// missing catalog never stands in the way back.
    Nothing,
}

impl Settings {
    pub fn resolve(global: &GlobalArgs, follow: Follow) -> Result<Self, Error> {
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
        let (mut files, mut chosen) = choose_for(follow, global, &cwd, config_dir.as_deref())?;
        // Where the personal overlay of `files` is looked for, even under
        // --no-local: the home's identity records it (see `whose`).
        let looked_of = |files: &[PathBuf]| -> Option<PathBuf> {
            match files.first() {
                Some(first) if first == stdin => None,
                first => {
                    catalog::personal_overlay(first.map(PathBuf::as_path), config_dir.as_deref())
                }
            }
        };
        let overlay_of = |files: &[PathBuf]| -> Result<PathBuf, NoOverlay> {
            match files.first() {
                _ if global.no_local || follow == Follow::Nothing => Err(NoOverlay::NoLocal),
                // Standard input has no folder to find an overlay beside.
                Some(first) if first == stdin => Err(NoOverlay::Stdin),
                first => looked_of(files).ok_or(match first {
                    Some(file) => NoOverlay::Unnamed(file.clone()),
                    None => NoOverlay::NoConfigDir,
                }),
            }
        };
        let mut overlay = overlay_of(&files);
        let mut looked = looked_of(&files);
        if follow == Follow::Home
            && !chosen.named()
            && let Some(HomeCatalog {
                files: home_files,
                overlay: home_overlay,
            }) = follow_home(
                &codex_home,
                &files,
                chosen,
                overlay.as_ref().ok(),
                looked.as_ref(),
            )?
        {
            // The home's overlay where its run looked (beside its catalog
            // as it was named, which may be a link), not beside the target.
            looked = home_overlay.or_else(|| looked_of(&home_files));
            overlay = match (global.no_local, &looked) {
                (true, _) => Err(NoOverlay::NoLocal),
                (false, Some(at)) => Ok(at.clone()),
                (false, None) => overlay_of(&home_files),
            };
            files = home_files;
            chosen = Chosen::Home;
        }
        let builtin = files.is_empty();
        if builtin {
            verbosity::detail("catalog: no catalog file found; using the built-in catalog");
        }
        if global.no_local {
            verbosity::detail("catalog: no personal overlay is read (--no-local)");
        }
        let sources = read_files(&files, overlay.as_ref().ok(), chosen)?;
        let catalog_id = identity(
            &codex_home,
            &files,
            overlay.as_ref().ok(),
            looked.as_ref(),
            &sources,
        );
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
            catalog_id,
            chosen,
            named: as_named(&files),
            target,
            codex,
            codex_schemas: Schemas::from_env(),
        })
    }

    /// These settings read again (a catalog is built once per layering),
    /// with the personal overlay holding `overlay` when given (in place of
    /// its text, or added where a run would read it): the catalog layered
    /// again and its identity's fingerprint that of the text; the rest as
    /// it is. `use` plans the home from the overlay it is about to write.
    pub fn relayered(&self, overlay: Option<&str>) -> Result<Settings, Error> {
        let mut sources = self.catalog.sources().to_vec();
        if let Some(text) = overlay {
            let Ok(path) = &self.overlay else {
                return Err(Error::message(
                    "internal error: no personal overlay to read in place",
                ));
            };
            let source = Source {
                name: path.display().to_string(),
                text: text.to_owned(),
            };
            match sources.iter().position(|s| Path::new(&s.name) == path) {
                Some(i) => sources[i] = source,
                // Where `read_files` puts an overlay it finds.
                None => sources.insert(sources.len().min(1), source),
            }
        }
        self.with_sources(sources)
    }

    /// These settings as a run that names only the first catalog file reads
    /// them: that file and its personal overlay, without the later
    /// `--catalog` files. `None` when no file comes after them.
    pub fn first_file_alone(&self) -> Option<Result<Settings, Error>> {
        let sources = self.catalog.sources();
        let overlay = self.overlay.as_ref().ok();
        // The overlay sits right after the first file (see `read_files`).
        let end = match sources.get(1) {
            Some(s) if overlay.is_some_and(|o| Path::new(&s.name) == o) => 2,
            _ => 1,
        };
        if sources.len() <= end {
            return None;
        }
        Some(self.with_sources(sources[..end].to_vec()))
    }

    /// These settings with the catalog layered from `sources` (its
    /// identity's fingerprint theirs); the rest as it is.
    fn with_sources(&self, sources: Vec<Source>) -> Result<Settings, Error> {
        let catalog_id = CatalogId {
            content: content_of(&sources),
            ..self.catalog_id.clone()
        };
        Ok(Settings {
            codex_home: self.codex_home.clone(),
            codex_home_given: self.codex_home_given,
            catalog: catalog::layer(sources)?,
            overlay: self.overlay.clone(),
            catalog_id,
            chosen: self.chosen,
            named: self.named.clone(),
            target: self.target.clone(),
            codex: self.codex.clone(),
            codex_schemas: self.codex_schemas.clone(),
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

/// The catalog files a run reads, and how they were chosen: `--catalog`,
/// else [`CATALOG_VAR`], else the one discovery finds (none: the built-in).
fn choose_catalog(
    global: &GlobalArgs,
    cwd: &Path,
    config_dir: Option<&Path>,
) -> Result<(Vec<PathBuf>, Chosen), Error> {
    if global
        .catalog
        .iter()
        .filter(|f| *f == Path::new("-"))
        .count()
        > 1
    {
        return Err(Error::with_help(
            "--catalog - is given more than once, but standard input can be read only once",
            "give `--catalog -` once; name a file that is called `-` as `./-`",
        ));
    }
    // An empty variable is as good as unset (as CODEX_HOME's is): an rc
    // file's `export CODEXGEN_CATALOG=$UNSET` names nothing.
    let variable = std::env::var_os(CATALOG_VAR).filter(|v| !v.is_empty());
    Ok(if !global.catalog.is_empty() {
        (global.catalog.clone(), Chosen::Flag)
    } else if let Some(named) = variable {
        let named = PathBuf::from(named);
        pinned(&named, cwd)?;
        verbosity::detail(&format!("catalog: {CATALOG_VAR} names {}", named.display()));
        (vec![named], Chosen::Variable)
    } else {
        let found = catalog::discover(cwd, config_dir);
        explain_discovery(cwd, config_dir, found.as_ref());
        let chosen = match &found {
            None => Chosen::BuiltIn,
            Some(f) if f.is_relative() => Chosen::Folder,
            Some(_) => Chosen::UserConfig,
        };
        (found.into_iter().collect(), chosen)
    })
}

/// The user's config dir: `$XDG_CONFIG_HOME` when absolute, else
/// `~/.config`; `None` when there is no home to find it from.
pub fn user_config_dir() -> Option<PathBuf> {
    etcetera::choose_base_strategy()
        .ok()
        .map(|d| d.config_dir())
}

/// The catalog files a run reads and how they were chosen: none (the
/// built-in catalog) for [`Follow::Nothing`], else [`choose_catalog`]'s.
fn choose_for(
    follow: Follow,
    global: &GlobalArgs,
    cwd: &Path,
    config_dir: Option<&Path>,
) -> Result<(Vec<PathBuf>, Chosen), Error> {
    match follow {
        Follow::Nothing => Ok((Vec::new(), Chosen::BuiltIn)),
        Follow::Found | Follow::Home => choose_catalog(global, cwd, config_dir),
    }
}

/// [`Follow::Home`]: the files of the catalog the home records, and where
/// its personal overlay is (`None`: where they would say), when the one
/// found (`files`, with its `overlay` looked for at `looked`) is another and
/// the home's can be read again (the catalog that wrote the home is what
/// the home's files match); `None` to read the one found. A home's catalog
/// that cannot be read (gone, or read from standard input) is an error,
/// unless the one found is it, moved.
fn follow_home(
    codex_home: &Path,
    files: &[PathBuf],
    chosen: Chosen,
    overlay: Option<&PathBuf>,
    looked: Option<&PathBuf>,
) -> Result<Option<HomeCatalog>, Error> {
    let here = place(codex_home, files, overlay, looked);
    let recorded = match home_record(codex_home)? {
        HomeRecord::Catalog(recorded) => recorded,
        HomeRecord::Fresh => return Ok(None),
        // As `gen` would not let the folder give such a home its catalog,
        // these commands do not take it from the folder either.
        HomeRecord::Older if whose::may_record(&here, chosen, true) => return Ok(None),
        HomeRecord::Older => {
            let unrecorded = CatalogId::unrecorded();
            return Err(cannot_follow(&Foreign {
                home: codex_home.display().to_string(),
                recorded: &unrecorded,
                found: &here,
                chosen,
                exists: catalog_exists,
                named: as_named(files),
            }));
        }
    };
    if recorded.same_place(&here) {
        return Ok(None);
    }
    let home_files = readable(&recorded);
    // Only a home's catalog that cannot be read asks for the text of the
    // one found: a broken or special file found is not the home's business.
    let found = if home_files.is_some() {
        here
    } else {
        let read = read_files(files, overlay, chosen)?;
        identity(codex_home, files, overlay, looked, &read)
    };
    let Whose::Foreign { recorded } = whose::compare(Some(&recorded), &found, catalog_exists)
    else {
        return Ok(None);
    };
    let foreign = Foreign {
        home: codex_home.display().to_string(),
        recorded,
        found: &found,
        chosen,
        exists: catalog_exists,
        named: as_named(files),
    };
    let Some(home_files) = home_files else {
        return Err(cannot_follow(&foreign));
    };
    verbosity::note(format_args!(
        "{}; reading the home's catalog (name another with --catalog or {CATALOG_VAR})",
        foreign.sentence()
    ));
    let home_overlay = recorded
        .local
        .as_ref()
        .or(recorded.overlay.as_ref())
        .map(PathBuf::from);
    Ok(Some(HomeCatalog {
        files: home_files,
        overlay: home_overlay,
    }))
}

/// The first catalog file as the run named or found it: absolute, links
/// not followed (see [`Foreign::named`]).
pub fn as_named(files: &[PathBuf]) -> Option<String> {
    let first = files.first().filter(|f| *f != Path::new("-"))?;
    Some(
        std::path::absolute(first)
            .unwrap_or_else(|_| first.clone())
            .to_string_lossy()
            .into_owned(),
    )
}

/// [`Follow::Home`] when the catalog that wrote the home cannot be read
/// again, or is not recorded: nothing to read in its place.
fn cannot_follow(foreign: &Foreign<'_>) -> Error {
    Error::with_help(
        format!(
            "{}; this command reads the catalog that wrote the home, and cannot",
            foreign.message()
        ),
        format!("name the catalog to read: {}", foreign.help()),
    )
}

/// The catalog a home records, to read again ([`follow_home`]).
struct HomeCatalog {
    files: Vec<PathBuf>,
    /// Where its personal overlay is (`None`: where the files would say).
    overlay: Option<PathBuf>,
}

/// [`CATALOG_VAR`] pins one catalog for rc files and hooks, which run in
/// any folder: a relative value would name another file in each folder
/// (the folder deciding again), and a value that names nothing to read is
/// said as the variable's, with the way out.
fn pinned(named: &Path, cwd: &Path) -> Result<(), Error> {
    let shown = printable(&named.display().to_string()).into_owned();
    let unset = format!("fix it or `unset {CATALOG_VAR}`, or name a catalog with --catalog");
    if !named.is_absolute() {
        let message = format!(
            "{CATALOG_VAR}={shown} is not an absolute path: it would name another file in each folder a command runs in, and the variable pins one catalog wherever codexgen runs"
        );
        let help = match shown.strip_prefix("~/") {
            // `export CODEXGEN_CATALOG="~/..."`: quoted, `~` stays a name.
            Some(rest) => format!(
                "a shell does not expand `~` inside quotes: write `{CATALOG_VAR}=\"$HOME/{rest}\"`"
            ),
            None => format!(
                "give an absolute path ({CATALOG_VAR}={} from here), or name a file in this folder with `--catalog {shown}`",
                printable(&cwd.join(named).display().to_string())
            ),
        };
        return Err(Error::with_help(message, help));
    }
    let what = match std::fs::metadata(named) {
        Ok(meta) if meta.is_file() => return Ok(()),
        Ok(meta) if meta.is_dir() => "which is a folder, not a catalog file",
        Ok(_) => "which is not a regular file",
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "which is not there",
        // Unreadable for another reason: reading it says why.
        Err(_) => return Ok(()),
    };
    Err(Error::with_help(
        format!("{CATALOG_VAR} names {shown}, {what}"),
        unset,
    ))
}

/// Reads the catalog files, with the personal overlay right after the
/// first (or the built-in catalog, when there is no file) when something by
/// its name exists: reading it then refuses anything but a regular file.
fn read_files(
    files: &[PathBuf],
    overlay: Option<&PathBuf>,
    chosen: Chosen,
) -> Result<Vec<Source>, Error> {
    let mut paths = files.to_vec();
    if let Some(local) = overlay
        && local.exists()
        && !paths.contains(local)
    {
        verbosity::detail(&format!(
            "catalog: {} is read as the personal overlay",
            local.display()
        ));
        paths.insert(paths.len().min(1), local.clone());
    }
    let mut read = Vec::with_capacity(paths.len() + 1);
    if files.is_empty() {
        read.push(Source::embedded());
    }
    for file in paths {
        read.push(if file == Path::new("-") {
            Source::stdin()?
        } else {
            Source::read(&file).map_err(|e| missing(e, &file, chosen))?
        });
    }
    Ok(read)
}

/// A named catalog file that is not there, said with what named it (only
/// that: a `CODEXGEN_CATALOG` in an rc file is not a `--catalog` typed).
fn missing(error: CatalogError, file: &Path, chosen: Chosen) -> CatalogError {
    let CatalogError::Read(input::ReadError::Io(e)) = &error else {
        return error;
    };
    if e.kind() != std::io::ErrorKind::NotFound {
        return error;
    }
    let help = match chosen {
        Chosen::Flag => {
            "check the path given to --catalog (a relative path is read from the current folder)"
        }
        Chosen::Variable => {
            "CODEXGEN_CATALOG names it: correct the variable, or unset it to read ./providers.yaml or your own catalog"
        }
        _ => return error,
    };
    CatalogError::Missing {
        path: file.display().to_string(),
        help: help.to_owned(),
    }
}

/// Which catalog `files` and `overlay` are, by place only (`content` is
/// left empty): the files by canonical path (the built-in catalog by its
/// name when there is none), the overlay when it is there, and where it
/// was looked for (`looked`), these two by their folder's canonical path
/// and their own name (the overlay's place is beside the catalog as
/// named, whatever a link there points to).
fn place(
    codex_home: &Path,
    files: &[PathBuf],
    overlay: Option<&PathBuf>,
    looked: Option<&PathBuf>,
) -> CatalogId {
    let name = |file: &Path| {
        if file == Path::new("-") {
            return input::STDIN.to_owned();
        }
        std::fs::canonicalize(file)
            .or_else(|_| std::path::absolute(file))
            .unwrap_or_else(|_| file.to_path_buf())
            .to_string_lossy()
            .into_owned()
    };
    let files = if files.is_empty() {
        vec![catalog::EMBEDDED_NAME.to_owned()]
    } else {
        files.iter().map(|f| name(f)).collect()
    };
    let beside = |file: &Path| match (file.parent(), file.file_name()) {
        (Some(folder), Some(own)) => {
            let folder = if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                folder
            };
            Path::new(&name(folder))
                .join(own)
                .to_string_lossy()
                .into_owned()
        }
        _ => name(file),
    };
    let overlay = overlay
        .filter(|o| o.exists())
        .filter(|o| !files.contains(&name(o)))
        .map(|o| beside(o));
    CatalogId {
        home: Some(name(codex_home)),
        overlay,
        local: looked.map(|l| beside(l)),
        files,
        content: String::new(),
    }
}

/// The identity of the catalog read from `files` and `overlay`: its
/// [`place`], and the fingerprint of the texts read (each after its length,
/// so that text cannot shift between files).
fn identity(
    codex_home: &Path,
    files: &[PathBuf],
    overlay: Option<&PathBuf>,
    looked: Option<&PathBuf>,
    read: &[Source],
) -> CatalogId {
    CatalogId {
        content: content_of(read),
        ..place(codex_home, files, overlay, looked)
    }
}

/// [`CatalogId::content`]: the fingerprint of the text read, file by file.
fn content_of(read: &[Source]) -> String {
    let lengths: Vec<String> = read.iter().map(|s| format!("{}:", s.text.len())).collect();
    fingerprint_of(
        read.iter()
            .zip(&lengths)
            .flat_map(|(s, n)| [n.as_bytes(), s.text.as_bytes()]),
    )
}

/// Whether a recorded catalog file is still there (built-in and standard
/// input always are).
pub fn catalog_exists(name: &str) -> bool {
    !CatalogId::is_file(name) || Path::new(name).is_file()
}

/// The files that read a recorded catalog again, when they can be read:
/// `None` for one read from standard input, or one whose files are gone.
fn readable(recorded: &CatalogId) -> Option<Vec<PathBuf>> {
    match recorded.files.as_slice() {
        [builtin] if builtin == catalog::EMBEDDED_NAME => Some(Vec::new()),
        files => files
            .iter()
            .map(|f| (CatalogId::is_file(f) && catalog_exists(f)).then(|| PathBuf::from(f)))
            .collect(),
    }
}

/// What a home's state says of the catalog that wrote it.
enum HomeRecord {
    Catalog(CatalogId),
    /// Files codexgen wrote, and no catalog: an older codexgen wrote them.
    Older,
    /// Nothing codexgen wrote.
    Fresh,
}

/// What the home's state records (a damaged state is an error, as it is
/// for every command that reads it).
fn home_record(codex_home: &Path) -> Result<HomeRecord, Error> {
    let dir = codex_home.join(home::STATE_DIR);
    let path = dir.join(home::STATE_FILE);
    let old = dir.join(home::OLD_STATE_FILE);
    // Read as `gen` reads them: no link in codexgen's own folder is
    // followed (see `write`), and the marker an older state file becomes is
    // no record.
    for own in [&path, &old] {
        write::target(own).map_err(Error::write(format!(
            "read codexgen's own file {}",
            own.display()
        )))?;
    }
    let Some(text) = input::read_optional(&path, input::STATE)? else {
        let older = input::read_optional(&old, input::STATE)?
            .is_some_and(|text| text != state::MOVED_MARKER);
        return Ok(if older {
            HomeRecord::Older
        } else {
            HomeRecord::Fresh
        });
    };
    let damaged = |damage| Error::State {
        path: path.clone(),
        damage,
    };
    Ok(match State::recorded_catalog(&text).map_err(damaged)? {
        Some(recorded) => HomeRecord::Catalog(recorded),
        None if State::records_files(&text).map_err(damaged)? => HomeRecord::Older,
        None => HomeRecord::Fresh,
    })
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
#[derive(Clone)]
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
