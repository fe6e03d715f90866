//! Owns the shared first half of every command: the catalog checked for the
//! target and rendered ([`Prepared`]), codexgen's state read from the home
//! (with the record that travels with a linked config.toml; see `state`),
//! and each file's planned change against what is on disk ([`Plan`]). Reads
//! the Codex home, never writes it; the merging itself is `merge`'s.
//! Under `default: ~` the plan releases config.toml's top-level `model` and
//! `model_provider`: no longer owned, they are kept as they are on disk.
//! It also reads the profile files of the user's (not codexgen's) for the
//! provider each names, so that a provider leaving the catalog that one of
//! them still uses stays in config.toml (`merge::merge_home_using`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::catalog::{Catalog, Layered};
use crate::codex::ProfileLayout;
use crate::error::Error;
use crate::header;
use crate::home::{self, CodexFile, ProfileName};
use crate::input;
use crate::merge::{self, FileInput, Managed, Merged};
use crate::render::{Rendered, Renderer};
use crate::settings::Settings;
use crate::state::{self, Record, Shared, State, fingerprint, fingerprint_of};
use crate::verify::VerifyError;
use crate::write;

/// The catalog loaded and checked for its target Codex, and rendered: what
/// every command starts from.
pub struct Prepared {
    pub catalog: Catalog,
    pub rendered: Vec<Rendered>,
}

/// Checks the catalog for the target and renders it (with the templates in
/// `templates` replacing built-in ones of the same name).
pub fn prepare(settings: &Settings, templates: Option<&Path>) -> Result<Prepared, Error> {
    prepare_from(settings, &settings.catalog, templates)
}

/// [`prepare`] with the catalog files layered as `layered` instead of as
/// the run read them (`add` checks the file it would write this way).
pub fn prepare_from(
    settings: &Settings,
    layered: &Layered,
    templates: Option<&Path>,
) -> Result<Prepared, Error> {
    let catalog = layered.build(&settings.target)?;
    let rendered = Renderer::for_layout(templates, settings.target.profile_layout())?
        .render(&catalog, &settings.target)?;
    Ok(Prepared { catalog, rendered })
}

/// codexgen's record of what it wrote in this Codex home (empty when none),
/// with the writes of a run that was killed part way settled by what is on
/// disk (see `state`), so that every file codexgen wrote is named in it.
pub fn read_state(settings: &Settings) -> Result<State, Error> {
    read_state_seen(settings).map(|(state, _)| state)
}

/// [`read_state`], and the [`fingerprint`] of the state file's and the
/// journal's text as read, to tell later whether either changed on disk.
pub fn read_state_seen(settings: &Settings) -> Result<(State, String), Error> {
    own_folder_has_no_link(settings)?;
    let read = read_state_text(settings)?;
    let journal = input::read_own_optional(&settings.journal_file(), input::STATE)?;
    let record = record_path(settings)?;
    let record_text = match &record {
        Some(path) => input::read_optional(path, input::STATE)?,
        None => None,
    };
    let seen = seen(
        read.as_ref().map(|(_, t)| t.as_str()),
        journal.as_deref(),
        record_text.as_deref(),
    );
    let state = match read {
        Some((path, text)) => {
            State::parse(&text).map_err(|damage| Error::State { path, damage })?
        }
        None => State::new(BTreeMap::new()),
    };
    let state = match journal {
        Some(text) => state.with_journal(&text).map_err(|damage| Error::State {
            path: settings.journal_file(),
            damage,
        })?,
        None => state,
    };
    let state = state.settle(|file| -> Result<_, Error> {
        let path = file.path_in(&settings.codex_home);
        Ok(input::read_optional(&path, input::CODEX_FILE)?.map(String::into_bytes))
    })?;
    let state = match record {
        Some(record) => travel(settings, state, record, record_text)?,
        None => state,
    };
    Ok((state, seen))
}

/// The state with config.toml's entry taken from the record that travels
/// with the file its link resolves to, when that entry is the one that
/// counts (see `state::choose`).
fn travel(
    settings: &Settings,
    mut state: State,
    record: PathBuf,
    text: Option<String>,
) -> Result<State, Error> {
    let on_disk = read_optional(&CodexFile::Config.path_in(&settings.codex_home))?;
    let travelled = match &text {
        Some(text) => Record::parse(text)
            .map_err(|damage| Error::Record {
                path: record.clone(),
                damage,
            })?
            .settle(on_disk.as_deref().map(str::as_bytes)),
        None => None,
    };
    let home = state.files.remove(&CodexFile::Config);
    let travelled = travelled.map(|entry| only_ours(entry, home.as_ref()));
    let on_disk = on_disk.map(|t| fingerprint(t.as_bytes()));
    if let Some(entry) = state::choose(home.clone(), travelled, on_disk.as_deref()) {
        state.files.insert(CodexFile::Config, entry);
    }
    state.shared = Some(Shared {
        record,
        seen: text,
        home,
    });
    Ok(state)
}

/// The record's entry without the leaves that are not codexgen's to
/// remove: a record comes from a shared folder (a cloned repository, a
/// synced drive) and is input like any other, so a leaf in it counts only
/// where a built-in template writes one (see
/// [`crate::render::is_built_in_config_leaf`]) or where this home's own
/// state names it too (what this machine's `--templates` wrote). Any other
/// (`mcp_servers.*`, `projects.*`, a whole provider table) would make the
/// merge delete what the user owns; it is dropped, and the record this run
/// writes no longer names it.
fn only_ours(mut entry: state::FileState, home: Option<&state::FileState>) -> state::FileState {
    let own: HashSet<&[String]> = home
        .iter()
        .flat_map(|h| h.managed.iter().map(|m| m.path.as_slice()))
        .collect();
    entry.managed.retain(|leaf| {
        crate::render::is_built_in_config_leaf(&leaf.path) || own.contains(leaf.path.as_slice())
    });
    entry
}

/// Where the record that travels with config.toml is, when config.toml in
/// the home is a symlink: `.codexgen/<name>.json` beside the file the link
/// resolves to (see `state`). A regular config.toml has one only when
/// another home links to it and so wrote one beside it (in this home's
/// `.codexgen/`): this home then keeps it up to date too. Else `None`.
///
/// A link at or below that `.codexgen` folder, and a config.toml link that
/// the rule for links refuses (see `write`), stop it: nothing is read or
/// written through either.
pub fn record_path(settings: &Settings) -> Result<Option<PathBuf>, Error> {
    let link = CodexFile::Config.path_in(&settings.codex_home);
    let linked = std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink());
    let record = if linked {
        let target = write::target(&link).map_err(Error::write(format!(
            "follow the link {} to the file it names",
            link.display()
        )))?;
        home::record_beside(&target)
    } else {
        home::record_beside(&link).filter(|r| std::fs::symlink_metadata(r).is_ok())
    };
    if let Some(record) = &record {
        write::target(record).map_err(Error::write(format!(
            "write codexgen's record {}",
            record.display()
        )))?;
    }
    Ok(record)
}

/// Refuses a plan in which a link makes two files one (a profile file
/// linked to config.toml, or to another profile file): each write would
/// undo the other. `files`: each file's path in the home and the file a
/// write to it goes to.
fn one_file_each<'a>(files: impl Iterator<Item = (&'a PathBuf, &'a PathBuf)>) -> Result<(), Error> {
    // By file id: 10,000 profile files compared pairwise were 50 million
    // comparisons.
    let mut seen: std::collections::HashMap<(u64, u64), (&Path, &Path)> =
        std::collections::HashMap::new();
    let is_link = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    for (path, resolved) in files {
        let Some(id) = file_id(resolved) else {
            continue;
        };
        if let Some((first, first_resolved)) = seen.get(&id) {
            let (link, to, other) = if is_link(path) || !is_link(first) {
                (path.as_path(), resolved.as_path(), *first)
            } else {
                (*first, *first_resolved, path.as_path())
            };
            let what = if is_link(link) {
                format!(
                    "{} is a symbolic link to {}, which codexgen also writes as {}",
                    link.display(),
                    to.display(),
                    other.display()
                )
            } else {
                format!(
                    "{} and {} are one file (hard links), which codexgen would write twice",
                    link.display(),
                    other.display()
                )
            };
            return Err(Error::with_help(
                what,
                format!(
                    "nothing was written; each file codexgen writes must be a file of its own, or one write undoes the other: make {} a file of its own (an empty one will do), or remove it",
                    link.display()
                ),
            ));
        }
        seen.insert(id, (path, resolved));
    }
    Ok(())
}

/// Refuses a `[mcp_servers.ID]` of the user's (no leaf of it in the
/// state) that shares its id with a catalog server and holds a key the
/// catalog does not write for it: merged key by key, the team's program
/// would get the user's `env`, timeout or `cwd`, and keep them after the
/// catalog drops the id. A table whose keys are all the catalog's (what
/// `import` brought in, or a copy of the team's) is taken over whole: each
/// of its keys is replaced. Either TOML form (`[mcp_servers.ID]`, dotted
/// `mcp_servers.ID.KEY`) is one table. An unparsable file is the merge's to
/// report.
fn mcp_ids_not_taken(current: &str, desired: &str, owned: &[Managed]) -> Result<(), Error> {
    if !current.contains("mcp_servers") {
        return Ok(());
    }
    let servers = |text: &str| {
        text.trim_start_matches('\u{feff}')
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| match t.remove("mcp_servers") {
                Some(toml::Value::Table(servers)) => Some(servers),
                _ => None,
            })
            .unwrap_or_default()
    };
    let (users, team) = (servers(current), servers(desired));
    for (id, theirs) in &team {
        let Some(toml::Value::Table(mine)) = users.get(id) else {
            continue;
        };
        let ours = owned
            .iter()
            .any(|m| m.path.len() > 2 && m.path[0] == "mcp_servers" && m.path[1] == *id);
        let extra: Vec<&str> = mine
            .keys()
            .filter(|k| theirs.as_table().is_none_or(|t| !t.contains_key(*k)))
            .map(String::as_str)
            .collect();
        if ours || extra.is_empty() {
            continue;
        }
        let shown = format!("[mcp_servers.{}]", toml_edit::Key::new(id).display_repr());
        return Err(Error::with_help(
            format!(
                "{} has a {shown} of your own, and the catalog has an MCP server `{id}` too; merged key by key, the team's server would run with your {}",
                CodexFile::Config,
                extra
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "nothing was written; ask the catalog's owners to rename the team server `{id}`, or rename or remove yours in {} (`codex mcp remove {id}`) and run gen again",
                CodexFile::Config
            ),
        ));
    }
    Ok(())
}

/// Which file `path` is on disk (device, inode), when it exists.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Refuses a link in the Codex home's `.codexgen` folder (or that folder a
/// link), where the state, journal, lock and backups are: codexgen never
/// follows one there (see `write`). Checked before the state is read.
fn own_folder_has_no_link(settings: &Settings) -> Result<(), Error> {
    let dir = settings.state_dir();
    let own = [
        settings.state_file(),
        settings.journal_file(),
        settings.old_state_file(),
        dir.join(home::LOCK_FILE),
        dir.join(home::BACKUP_DIR),
    ];
    let mut targets = write::Targets::default();
    for path in own {
        targets.target(&path).map_err(Error::write(format!(
            "write codexgen's own file {}",
            path.display()
        )))?;
    }
    Ok(())
}

/// What [`read_state_seen`] saw, now.
pub fn state_seen(settings: &Settings) -> Result<String, Error> {
    let read = read_state_text(settings)?;
    let journal = input::read_own_optional(&settings.journal_file(), input::STATE)?;
    let record = match record_path(settings)? {
        Some(path) => input::read_optional(&path, input::STATE)?,
        None => None,
    };
    Ok(seen(
        read.as_ref().map(|(_, t)| t.as_str()),
        journal.as_deref(),
        record.as_deref(),
    ))
}

/// The fingerprints of the state's, the journal's and the travelling
/// record's texts (`-`: none).
fn seen(state: Option<&str>, journal: Option<&str>, record: Option<&str>) -> String {
    let print =
        |text: Option<&str>| text.map_or_else(|| "-".to_owned(), |t| fingerprint(t.as_bytes()));
    format!("{} {} {}", print(state), print(journal), print(record))
}

/// The state file's path and text: `state.json`, else the `state.toml` of
/// an older codexgen (unless it only says the record moved), else none.
fn read_state_text(settings: &Settings) -> Result<Option<(PathBuf, String)>, Error> {
    for path in [settings.state_file(), settings.old_state_file()] {
        if let Some(text) = input::read_own_optional(&path, input::STATE)?
            && text != crate::state::MOVED_MARKER
        {
            return Ok(Some((path, text)));
        }
    }
    Ok(None)
}

/// One file's planned change.
pub struct Planned {
    pub file: CodexFile,
    /// Where it is in the Codex home (a symlink is written through).
    pub path: PathBuf,
    pub current: Option<String>,
    pub merged: Merged,
    /// What the merge started from, as [`input_key`] fingerprints it; the
    /// state records it beside the text written.
    pub input_key: Option<String>,
}

impl Planned {
    pub fn changes(&self) -> bool {
        self.current != self.merged.text
    }

    /// Whether the only change is codexgen's header, added to a file that
    /// never had one: every managed value already matches, so `--check`
    /// counts the file as in sync (the header comes with the next write).
    pub fn header_added(&self) -> bool {
        match (self.current.as_deref(), self.merged.text.as_deref()) {
            (Some(current), Some(merged)) => header::header_added(current, merged),
            _ => false,
        }
    }

    /// The catalog versions (old, new), when only codexgen's header changes.
    pub fn header_only(&self) -> Option<(&str, &str)> {
        header::header_only_change(self.current.as_deref()?, self.merged.text.as_deref()?)
    }
}

/// Every file's planned change: each rendered file, and each file codexgen
/// wrote before but no longer renders, config.toml first.
pub struct Plan {
    pub files: Vec<Planned>,
}

impl Prepared {
    /// Merges every rendered file, and every file codexgen wrote before but
    /// no longer renders, with what is on disk. Any unreadable file stops it.
    pub fn plan(&self, settings: &Settings, state: &State) -> Result<Plan, Error> {
        let rendered: HashSet<&CodexFile> = self.rendered.iter().map(|r| &r.file).collect();
        let no_longer_rendered = state
            .files
            .keys()
            .filter(|file| !rendered.contains(file))
            .map(|file| (file, None));
        let wanted = self
            .rendered
            .iter()
            .map(|r| (&r.file, Some(r.text.as_str())));
        let jobs: Vec<(&CodexFile, Option<&str>)> = wanted.chain(no_longer_rendered).collect();
        // Thousands of files are read on two threads (see `halves`).
        let read = crate::halves::map(jobs, |half| {
            let mut targets = write::Targets::default();
            half.into_iter()
                .map(|(file, desired)| {
                    let path = file.path_in(&settings.codex_home);
                    // Read through the link, so that a refusal names the file in the home.
                    let current = read_optional(&path)?;
                    // Where the write would go, by the rule for links: one that
                    // dangles or leads anywhere but to a file like it stops the plan.
                    let resolved = targets.target(&path).map_err(Error::write(format!(
                        "follow the link {} to the file it names",
                        path.display()
                    )))?;
                    Ok::<_, Error>((file, path, resolved, current, desired))
                })
                .collect()
        })?;
        // A file to delete that is a link loses the link, not its file.
        one_file_each(
            read.iter()
                .filter(|r| r.4.is_some())
                .map(|(_, path, resolved, ..)| (path, resolved)),
        )?;
        for (file, _, _, current, desired) in &read {
            if let (CodexFile::Config, Some(current), Some(desired)) = (file, current, desired) {
                mcp_ids_not_taken(current, desired, state.managed(file))?;
            }
        }
        let (adopt, drop_selector) = migration(settings, &self.catalog);
        // `default: ~`: codexgen stops owning config.toml's top-level
        // `model` and `model_provider`. Left out of what it owned, they are
        // neither removed nor overwritten: what is on disk (say Codex's own
        // `/model` choice) stays, and the new state forgets them.
        let released: Option<Vec<Managed>> = self.catalog.default.is_none().then(|| {
            state
                .managed(&CodexFile::Config)
                .iter()
                .filter(|m| !RELEASED_WITHOUT_DEFAULT.iter().any(|r| m.path == *r))
                .cloned()
                .collect()
        });
        let previous = |file: &CodexFile| match &released {
            Some(kept) if *file == CodexFile::Config => kept.as_slice(),
            _ => state.managed(file),
        };
        let header = header::header(&self.catalog.version);
        let keys: Vec<Option<String>> = read
            .iter()
            .map(|(file, _, _, _, desired)| {
                desired.map(|d| input_key(file, d, &header, &adopt, drop_selector))
            })
            .collect();
        let inputs: Vec<FileInput<'_>> = read
            .iter()
            .zip(&keys)
            .map(|((file, _, resolved, current, desired), key)| FileInput {
                file: (*file).clone(),
                label: resolved.display().to_string(),
                current: current.as_deref(),
                desired: *desired,
                previous: previous(file),
                unchanged: state.files.get(*file).is_some_and(|recorded| {
                    key.is_some()
                        && recorded.input == *key
                        && recorded.text.as_deref()
                            == current
                                .as_deref()
                                .map(|c| fingerprint(c.as_bytes()))
                                .as_deref()
                }),
            })
            .collect();
        // Only a Codex that reads profile files loads them.
        let used = match settings.target.profile_layout() {
            ProfileLayout::Files => providers_used_by_users_files(
                &settings.codex_home,
                read.iter().map(|(file, ..)| *file),
            ),
            ProfileLayout::Tables => Vec::new(),
        };
        let merged = merge::merge_home_using(&inputs, &header, &adopt, &used, drop_selector)?;
        drop(inputs);
        let files = read
            .into_iter()
            .zip(merged)
            .zip(keys)
            .map(
                |(((file, path, _, current, _), merged), input_key)| Planned {
                    file: file.clone(),
                    path,
                    current,
                    merged,
                    input_key,
                },
            )
            .collect();
        Ok(Plan { files })
    }
}

impl Plan {
    pub fn get(&self, file: &CodexFile) -> Option<&Planned> {
        self.files.iter().find(|p| p.file == *file)
    }

    /// The files that change.
    pub fn changed(&self) -> impl Iterator<Item = &Planned> {
        self.files.iter().filter(|p| p.changes())
    }

    /// What to do about a refused load check of these planned files. The
    /// planned text mixes the catalog's keys with the user's own lines, so
    /// the help names whose lines Codex's message points at: the keys it
    /// names are looked up among the leaves of the files it loaded.
    ///
    /// Codex names the table it refuses as a dotted path (for a provider
    /// without `name`, `model_providers.groq`; for an `[auth]` table
    /// without `command`, `model_providers.gcp.auth`): the deepest such
    /// table in the files is the scope, and only keys under it count (the
    /// word `name` there is not every provider's `name`). A key the message
    /// asks for that the table lacks is named by the table: it holds what
    /// Codex refused.
    pub fn blame(&self, refusal: &VerifyError) -> String {
        let VerifyError::Refused {
            loading, message, ..
        } = refusal
        else {
            return "nothing was written; make sure the Codex binary runs, then try again"
                .to_owned();
        };
        let mut loaded = vec![CodexFile::Config];
        if *loading != CodexFile::Config {
            loaded.push(loading.clone());
        }
        let leaves: Vec<(&Planned, Vec<String>)> = self
            .files
            .iter()
            .filter(|p| loaded.contains(&p.file))
            .filter_map(|p| p.merged.text.as_deref().map(|text| (p, text)))
            .flat_map(|(p, text)| merge::leaf_paths(text).into_iter().map(move |l| (p, l)))
            .collect();
        let scope = named_table(&leaves, message);
        let within = |planned: &Planned, path: &[String]| {
            scope
                .as_ref()
                .is_none_or(|(p, table)| p.file == planned.file && path.starts_with(table))
        };
        let skip = scope.as_ref().map_or(0, |(_, table)| table.len());
        // A leaf whose own key Codex names wins; else the leaf with the
        // deepest named table (`model_providers.ollama` over `model_providers`).
        let mut best = 0;
        let mut hits: Vec<(&Planned, Vec<String>)> = Vec::new();
        for (planned, path) in leaves.iter().filter(|(p, path)| within(p, path)) {
            let Some(at) = path[skip..]
                .iter()
                .rposition(|s| names_word(message, s))
                .map(|at| at + skip)
            else {
                continue;
            };
            let rank = if at + 1 == path.len() {
                usize::MAX
            } else {
                at + 1
            };
            let named = path[..=at].to_vec();
            // Within a named table, every key the message names counts
            // (`provider auth cannot be combined with env_key`).
            let rank = if scope.is_some() { 1 } else { rank };
            if rank > best {
                best = rank;
                hits.clear();
            }
            if rank == best
                && !hits
                    .iter()
                    .any(|(p, n)| p.file == planned.file && *n == named)
            {
                hits.push((*planned, named));
            }
        }
        // Codex quotes a value it did not find, not its key ("Model
        // provider `nope` not found"): the keys holding a quoted value.
        if hits.is_empty() && scope.is_none() {
            hits = keys_holding_quoted(&leaves, message);
        }
        let managed = |planned: &Planned, path: &[String]| {
            planned
                .merged
                .managed
                .iter()
                .any(|m| m.path.starts_with(path))
        };
        if hits.is_empty()
            && let Some((planned, table)) = &scope
        {
            return blame_table(planned, table, &leaves, message);
        }
        let (mut ours, mut theirs): (Vec<_>, Vec<_>) = hits
            .iter()
            .partition(|(planned, path)| managed(planned, path));
        // Out of a named table, the first hit speaks (the catalog's first).
        if scope.is_none() {
            ours.truncate(1);
            theirs.truncate(usize::from(ours.is_empty()));
        }
        blame_keys(&ours, &theirs, &loaded)
    }
}

/// The leaves whose string value Codex's message quotes in backticks
/// (`model_provider = "nope"` for ``Model provider `nope` not found``).
fn keys_holding_quoted<'p>(
    leaves: &[(&'p Planned, Vec<String>)],
    message: &str,
) -> Vec<(&'p Planned, Vec<String>)> {
    let quoted: Vec<&str> = message
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|q| !q.is_empty())
        .collect();
    if quoted.is_empty() {
        return Vec::new();
    }
    // Each file parsed once, with all of its leaves.
    let mut found = Vec::new();
    let mut rest = leaves;
    while let Some((first, _)) = rest.first() {
        let end = rest
            .iter()
            .position(|(p, _)| p.file != first.file)
            .unwrap_or(rest.len());
        let (same, after) = rest.split_at(end);
        let paths: Vec<&[String]> = same.iter().map(|(_, path)| path.as_slice()).collect();
        let text = first.merged.text.as_deref().unwrap_or_default();
        for ((planned, path), value) in same.iter().zip(merge::values_at(text, &paths)) {
            let value = value.and_then(|v| v.parse::<toml_edit::Value>().ok());
            if value.is_some_and(|v| v.as_str().is_some_and(|v| quoted.contains(&v))) {
                found.push((*planned, path.clone()));
            }
        }
        rest = after;
    }
    found
}

/// The help naming the keys Codex objects to: the catalog's (`ours`) and
/// the user's (`theirs`), each group in one file; none: what to look at.
fn blame_keys(
    ours: &[&(&Planned, Vec<String>)],
    theirs: &[&(&Planned, Vec<String>)],
    loaded: &[CodexFile],
) -> String {
    let names = |hits: &[&(&Planned, Vec<String>)]| {
        let file = hits.first().map(|(p, _)| p.file.to_string());
        let keys: Vec<String> = hits
            .iter()
            .map(|(_, path)| format!("`{}`", path.join(".")))
            .collect();
        format!("{} in {}", keys.join(" and "), file.unwrap_or_default())
    };
    let ours_said = (!ours.is_empty()).then(|| {
        format!(
            "Codex objects to {}, which the catalog sets: change it in the catalog (or your templates)",
            names(ours)
        )
    });
    let theirs_said = (!theirs.is_empty()).then(|| {
        format!(
            "Codex objects to {}, which codexgen does not write: change or remove {} there yourself (codexgen keeps {} as {} is)",
            names(theirs),
            if theirs.len() > 1 { "them" } else { "it" },
            if theirs.len() > 1 { "them" } else { "it" },
            if theirs.len() > 1 { "they" } else { "it" },
        )
    });
    if ours_said.is_some() || theirs_said.is_some() {
        let said: Vec<String> = ours_said.into_iter().chain(theirs_said).collect();
        format!("nothing was written; {}", said.join("; "))
    } else {
        format!(
            "nothing was written; fix what Codex names: in the catalog if codexgen writes it, else in your own lines of {}",
            loaded
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" or ")
        )
    }
}

/// The deepest table, two keys deep or more, that Codex's message names
/// whole as a dotted path, among the tables holding `leaves`.
fn named_table<'p>(
    leaves: &[(&'p Planned, Vec<String>)],
    message: &str,
) -> Option<(&'p Planned, Vec<String>)> {
    leaves
        .iter()
        .flat_map(|(p, path)| (2..path.len()).map(move |depth| (*p, &path[..depth])))
        .filter(|(_, table)| names_word(message, &table.join(".")))
        .max_by_key(|(_, table)| table.len())
        .map(|(p, table)| (p, table.to_vec()))
}

/// The help when Codex refuses a table but names no key it holds: what it
/// asks for is missing there. The key it asks for is a word of its message
/// that is a key of the table's siblings (`name`, which every other
/// `[model_providers.ID]` has) or one it quotes (`command`), and that the
/// table lacks. Whose the table is decides who adds it.
fn blame_table(
    planned: &Planned,
    table: &[String],
    leaves: &[(&Planned, Vec<String>)],
    message: &str,
) -> String {
    let file = &planned.file;
    let dotted = table.join(".");
    let in_file = || leaves.iter().filter(|(p, _)| p.file == *file);
    let held: Vec<&[String]> = in_file()
        .filter(|(_, path)| path.starts_with(table))
        .map(|(_, path)| &path[table.len()..])
        .collect();
    let (parent, _) = table.split_at(table.len() - 1);
    let siblings: HashSet<&str> = in_file()
        .filter(|(_, path)| path.len() > table.len() && path.starts_with(parent))
        .filter(|(_, path)| !path.starts_with(table))
        .map(|(_, path)| path[table.len()].as_str())
        .collect();
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let mut missing: Vec<&str> = message
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .filter(|word| siblings.contains(word))
        .chain(quoted.into_iter().filter(|w| crate::home::is_plain_name(w)))
        .filter(|word| !table.iter().any(|k| k == word))
        .filter(|word| !held.iter().any(|k| k.first().is_some_and(|k| k == word)))
        .collect();
    let mut seen = HashSet::new();
    missing.retain(|word| seen.insert(*word));
    let lacks = if missing.is_empty() {
        "what Codex's message asks for is missing there".to_owned()
    } else {
        let keys: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
        format!("it has no {}, which Codex asks for", keys.join(" or "))
    };
    if planned
        .merged
        .managed
        .iter()
        .any(|m| m.path.starts_with(table))
    {
        return format!(
            "nothing was written; Codex refuses `[{dotted}]` in {file}, which the catalog sets: {lacks}; change that entry in the catalog (or your templates)"
        );
    }
    let holds: Vec<String> = held.iter().map(|k| format!("`{}`", k.join("."))).collect();
    let holds = if holds.is_empty() {
        "nothing".to_owned()
    } else {
        holds.join(", ")
    };
    format!(
        "nothing was written; Codex refuses `[{dotted}]` in {file}, which codexgen does not write (it holds {holds}): {lacks}; add it, or remove the table yourself (codexgen keeps it as it is)"
    )
}

/// config.toml's leaves that only the default profile sets: with no
/// default (`default: ~`), codexgen no longer owns them.
const RELEASED_WITHOUT_DEFAULT: &[&[&str]] = &[&["model"], &["model_provider"]];

/// Whether `word` appears in `text` on its own (not inside a longer name).
fn names_word(text: &str, word: &str) -> bool {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

/// The migration to a Codex that reads profile files: the profiles whose
/// legacy `[profiles.NAME]` tables move out of config.toml (each catalog
/// profile's), and whether config.toml's legacy top-level
/// `profile = "NAME"` goes. Such a Codex refuses to load config.toml with
/// it (measured: 0.169.0 and 0.171.0, "legacy `profile = ...` config is no
/// longer supported"); when the catalog has a default, codexgen's default
/// takes its place. Under `default: ~` the line is the user's; doctor and
/// gen say what it does. Nothing moves for an older Codex.
fn migration(settings: &Settings, catalog: &Catalog) -> (Vec<ProfileName>, bool) {
    match settings.target.profile_layout() {
        ProfileLayout::Files => (
            catalog.profiles.iter().map(|p| p.name.clone()).collect(),
            catalog.default.is_some(),
        ),
        ProfileLayout::Tables => (Vec::new(), false),
    }
}

/// The fingerprint of everything a file's merge depends on besides the file
/// itself and the state: its rendered text, codexgen's header and, for
/// config.toml, the profiles whose legacy tables it gives up and whether its
/// `profile` selector goes. Equal keys
/// and an unchanged file mean an equal result.
fn input_key(
    file: &CodexFile,
    desired: &str,
    header: &str,
    adopt: &[ProfileName],
    drop_selector: bool,
) -> String {
    let config = *file == CodexFile::Config;
    let adopted: &[ProfileName] = if config { adopt } else { &[] };
    // Only when set, so that the key of every other home stays as it was.
    let selector: &[u8] = if config && drop_selector {
        b"\0-profile"
    } else {
        b""
    };
    let parts = [header.as_bytes(), b"\0", desired.as_bytes(), selector]
        .into_iter()
        .chain(
            adopted
                .iter()
                .flat_map(|profile| [&b"\0"[..], profile.as_str().as_bytes()]),
        );
    // Hashed in place: the rendered text is not copied to be fingerprinted.
    fingerprint_of(parts)
}

/// A Codex config file's text (at most [`input::CODEX_FILE`] of a regular
/// file), or `None` when it does not exist.
/// The providers that profile files of the user's (in the home, not among
/// `ours`) name in their `model_provider`: each id, and the key as a
/// warning shows it. `codex -p NAME` refuses such a file once the provider
/// is gone. A file that cannot be read or parsed names none: it is the
/// user's, and Codex refuses it anyway.
fn providers_used_by_users_files<'f>(
    home: &Path,
    ours: impl Iterator<Item = &'f CodexFile>,
) -> Vec<(String, String)> {
    let ours: HashSet<&CodexFile> = ours.collect();
    let Ok(entries) = std::fs::read_dir(home) else {
        return Vec::new();
    };
    let mut used: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(CodexFile::from_file_name))
        .filter(|file| *file != CodexFile::Config && !ours.contains(file))
        .filter_map(|file| {
            let text = read_optional(&file.path_in(home)).ok().flatten()?;
            let doc = text
                .trim_start_matches('\u{feff}')
                .parse::<toml_edit::DocumentMut>()
                .ok()?;
            let id = doc.get("model_provider")?.as_str()?.to_owned();
            Some((id, format!("{file}: model_provider")))
        })
        .collect();
    used.sort();
    used
}

pub fn read_optional(path: &Path) -> Result<Option<String>, Error> {
    Ok(input::read_optional(path, input::CODEX_FILE)?)
}

/// A file of the home as it is on disk, for the rules that take texts
/// (`hazards`): `None` when it is not there or cannot be read (the plan
/// reports that with its reason).
pub fn text_on_disk(home: &Path, file: &CodexFile) -> Option<String> {
    read_optional(&file.path_in(home)).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_whole() {
        assert!(names_word("legacy `profile = \"x\"` config", "profile"));
        assert!(!names_word("use `--profile x` instead", "profile"));
        assert!(!names_word("Rename your provider", "name"));
        assert!(names_word("IDs: `ollama`. Built-in", "ollama"));
        // Any language: a letter of any script continues a name.
        assert!(names_word("clé « thème » inconnue", "thème"));
        assert!(!names_word("clé « thèmes » inconnue", "thème"));
        assert!(names_word("設定 `外観` は不明", "外観"));
        assert!(!names_word("外観色", "外観"));
    }
}
