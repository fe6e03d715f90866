//! Owns the shared first half of every command: the catalog checked for the
//! target and rendered ([`Prepared`]), codexgen's state read from the home
//! (with the record that travels with a linked config.toml; see `state`),
//! and each file's planned change against what is on disk ([`Plan`]). Reads
//! the Codex home, never writes it; the merging itself is `merge`'s.
//! Under `default: ~` the plan releases config.toml's top-level `model` and
//! `model_provider`: no longer owned, they are kept as they are on disk.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::catalog::{Catalog, Layered};
use crate::codex::ProfileLayout;
use crate::error::Error;
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

/// [`prepare`] from catalog files other than the run's (`adopt` checks its
/// edited overlay so before writing it).
pub fn prepare_from(
    settings: &Settings,
    layered: &Layered,
    templates: Option<&Path>,
) -> Result<Prepared, Error> {
    let catalog = layered.build(&settings.target)?;
    let rendered = Renderer::new(templates)?.render(&catalog, &settings.target)?;
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
    let read = read_state_text(settings)?;
    let journal = input::read_optional(&settings.journal_file(), input::STATE)?;
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
pub fn record_path(settings: &Settings) -> Result<Option<PathBuf>, Error> {
    let link = CodexFile::Config.path_in(&settings.codex_home);
    let linked = std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink());
    if !linked {
        let record = home::record_beside(&link);
        return Ok(record.filter(|r| std::fs::symlink_metadata(r).is_ok()));
    }
    let target = write::resolve(&link).map_err(Error::Write)?;
    Ok(home::record_beside(&target))
}

/// What [`read_state_seen`] saw, now.
pub fn state_seen(settings: &Settings) -> Result<String, Error> {
    let read = read_state_text(settings)?;
    let journal = input::read_optional(&settings.journal_file(), input::STATE)?;
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
        if let Some(text) = input::read_optional(&path, input::STATE)?
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
            (Some(current), Some(merged)) => merge::header_added(current, merged),
            _ => false,
        }
    }

    /// The catalog versions (old, new), when only codexgen's header changes.
    pub fn header_only(&self) -> Option<(&str, &str)> {
        merge::header_only_change(self.current.as_deref()?, self.merged.text.as_deref()?)
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
        let mut read = Vec::new();
        for (file, desired) in wanted.chain(no_longer_rendered) {
            let path = file.path_in(&settings.codex_home);
            let resolved = write::resolve(&path).map_err(Error::Write)?;
            // Read through the link, so that a refusal names the file in the home.
            let current = read_optional(&path)?;
            read.push((file, path, resolved, current, desired));
        }
        // On a Codex that reads profile files, a catalog profile's legacy
        // table is moved out of config.toml.
        let adopt: Vec<ProfileName> = match settings.target.profile_layout() {
            ProfileLayout::Files => self
                .catalog
                .profiles
                .iter()
                .map(|p| p.name.clone())
                .collect(),
            ProfileLayout::Tables => Vec::new(),
        };
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
        let header = merge::header(&self.catalog.version);
        let keys: Vec<Option<String>> = read
            .iter()
            .map(|(file, _, _, _, desired)| desired.map(|d| input_key(file, d, &header, &adopt)))
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
        let merged = merge::merge_home(&inputs, &header, &adopt)?;
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
        // A leaf whose own key Codex names wins; else the leaf with the
        // deepest named table (`model_providers.ollama` over `model_providers`).
        let mut best = 0;
        let mut hits: Vec<(&Planned, Vec<String>)> = Vec::new();
        for planned in self.files.iter().filter(|p| loaded.contains(&p.file)) {
            let Some(text) = planned.merged.text.as_deref() else {
                continue;
            };
            for path in merge::leaf_paths(text) {
                let Some(at) = path.iter().rposition(|s| names_word(message, s)) else {
                    continue;
                };
                let score = if at + 1 == path.len() {
                    usize::MAX
                } else {
                    at + 1
                };
                let named = path[..=at].to_vec();
                if score > best {
                    best = score;
                    hits.clear();
                }
                if score == best
                    && !hits
                        .iter()
                        .any(|(p, n)| p.file == planned.file && *n == named)
                {
                    hits.push((planned, named));
                }
            }
        }
        let managed = |planned: &Planned, path: &[String]| {
            planned
                .merged
                .managed
                .iter()
                .any(|m| m.path.starts_with(path))
        };
        let (ours, theirs): (Vec<_>, Vec<_>) = hits
            .iter()
            .partition(|(planned, path)| managed(planned, path));
        let name = |(planned, path): &&(&Planned, Vec<String>)| {
            format!("`{}` in {}", path.join("."), planned.file)
        };
        if let Some(hit) = ours.first() {
            format!(
                "nothing was written; Codex objects to {}, which the catalog sets: change it in the catalog (or your templates)",
                name(hit)
            )
        } else if let Some(hit) = theirs.first() {
            format!(
                "nothing was written; Codex objects to {}, which codexgen does not write: change or remove it there yourself (codexgen keeps it as it is)",
                name(hit)
            )
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

/// The fingerprint of everything a file's merge depends on besides the file
/// itself and the state: its rendered text, codexgen's header and, for
/// config.toml, the profiles whose legacy tables it gives up. Equal keys
/// and an unchanged file mean an equal result.
fn input_key(file: &CodexFile, desired: &str, header: &str, adopt: &[ProfileName]) -> String {
    let adopted: &[ProfileName] = if *file == CodexFile::Config {
        adopt
    } else {
        &[]
    };
    let parts = [header.as_bytes(), b"\0", desired.as_bytes()]
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
pub fn read_optional(path: &Path) -> Result<Option<String>, Error> {
    Ok(input::read_optional(path, input::CODEX_FILE)?)
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
