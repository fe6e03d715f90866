//! Owns codexgen's memory of its last write: for each file in the Codex home,
//! which leaves it manages and the values it wrote. This is what lets a
//! removed provider disappear from disk and a hand edit show as drift, while
//! files and keys codexgen never wrote stay untouched. Kept as JSON in
//! `$CODEX_HOME/.codexgen/state.json` (format 3), one line per file, each
//! managed leaf a `[path, value]` pair (with a third element, the user's
//! own value, for a leaf codexgen took over from them; see `merge`). At 10,000 files the state is the
//! largest file a run reads (6 MB), and JSON is parsed straight into these
//! types: a tenth of the time and memory of the TOML that formats 1 and 2
//! kept in `state.toml` (still read when there is no `state.json`; see
//! [`State::parse`]). Each file's entry also holds two fingerprints (what its
//! merge started from, and the text written) that let a steady run skip
//! merging a file nothing touched (see `plan`). The state also names the
//! catalog that last wrote the home (`whose`): the home's own, never in the
//! travelling record below. Text in, text out; no I/O. codexgen
//! deletes files named here, so only names of files it writes are accepted
//! ([`CodexFile`] refuses any other).
//!
//! Comments are not recorded: codexgen's own are its two header lines, which
//! `merge` knows by their text, and the built-in templates write no other
//! comment; every other comment in a file is the user's and survives a
//! removal (see `merge`).
//!
//! It is also the write-ahead record of a writing run: before the first file
//! is touched, `gen` saves a journal, `$CODEX_HOME/.codexgen/pending.json`,
//! with a `pending` entry for every file it is about to write or delete
//! ([`State::begin`], [`State::journal_text`]): the fingerprint of the text it
//! writes (none for a deletion) and the leaves the file will hold, and the
//! catalog it writes from (which a home that records none takes, so a
//! killed first run is not a home "an older codexgen wrote"). The
//! journal holds only the files the run changes, so a state that grows with
//! the home is written once per run, at the end: the final state, after
//! which the journal is removed. A run killed in between leaves the journal
//! behind ([`State::with_journal`] reads it); whoever reads the state next
//! settles it ([`State::settle`]): a file that holds the fingerprinted text
//! (or is gone, for a deletion) was written, and its pending leaves become
//! its entry; any other file was not, and keeps its old entry. So a file a
//! killed run wrote is never ownerless, and one it did not write never shows
//! false drift.
//!
//! Ownership that travels with a linked file. When `config.toml` in the
//! home is a symlink (a dotfiles repository shared by several machines), the
//! home's state is one machine's memory, and a provider another machine
//! wrote into the shared file would be nobody's here. So codexgen also keeps
//! a [`Record`] of that file beside the file the link resolves to:
//! `.codexgen/<name>.json` in the target's folder (`~/dotfiles/codex/.codexgen/config.toml.json`
//! for `~/dotfiles/codex/config.toml`), holding the file's entry in this
//! state's own format (managed leaves, fingerprints). It travels with the
//! file (commit both), so every machine sees what the last writer wrote,
//! whichever machine that was. Which entry counts ([`choose`]): the one whose
//! "text written" fingerprint matches the file on disk (it was written by
//! the last writer), the record's first; when neither matches (Codex or a
//! person edited the file since), the record's, since whoever wrote the
//! shared file last also wrote the record. A record is deterministic (no
//! time, no machine path, leaves in the order the state keeps them), so two
//! machines that write the same file write the same record byte for byte,
//! and a second run rewrites neither. It has its own write-ahead entry: a
//! run writes it with the entry it is about to write as `pending` before the
//! shared file changes, and the final record after; [`Record::settle`]
//! settles a pending entry against the file on disk as [`State::settle`]
//! does, so a run killed at any step leaves the other machines nothing
//! ownerless either. A record is input from a shared folder: `plan` keeps
//! only its leaves that a built-in template writes or this home's state
//! names too, so a record cannot make a merge delete what the user owns
//! (`mcp_servers.*`, `projects.*`). Without a record (not committed, an older codexgen),
//! each machine keeps to its own state, as before; `gen` warns when a file
//! carries codexgen's header and no record names it. A home whose
//! config.toml is the regular file other homes link to finds their record
//! in its own `.codexgen/` and keeps it too; a home with no such record
//! behaves exactly as before. Profile files are each home's own and keep the
//! home's ownership only.
//!
//! Why a file beside the target, not the leaves in codexgen's header (the
//! other way to make ownership travel): the header is two lines a person
//! reads at the top of their config.toml, and every managed leaf with its
//! value would make it a page of comments there, which Codex and editors
//! rewrite or drop; a file only codexgen writes, in the folder the link
//! points into, travels with the file through any sync (git, Syncthing, a
//! shared drive), shows in the same `git status`, and can be left out by a
//! repository that does not want it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::home::CodexFile;
use crate::kept::Kept;
use crate::merge::Managed;
use crate::whose::CatalogId;

/// The format this codexgen writes (JSON); it reads this one and
/// [`TOML_FORMATS`].
const FORMAT: u32 = 3;
/// The TOML formats of `state.toml`: format 1 wrote each managed leaf as a
/// table (`path = [...]`, `value = "..."`), format 2 as a pair.
const TOML_FORMATS: &[u32] = &[1, 2];
/// What replaces an older codexgen's `state.toml` once its record is in
/// `state.json`: read here as no state at all, refused by an older codexgen
/// (it reads formats 1 and 2 only), which would not see `state.json`.
pub const MOVED_MARKER: &str = "# codexgen keeps its record in state.json now. This file stops an older codexgen,\n# which cannot read that record, from writing as if it owned nothing.\nformat = 3\n";

/// What the journal says of itself.
const JOURNAL_ABOUT: &str = "The files a codexgen run was writing. Do not edit or delete: the next codexgen run reads it to finish the record in state.json, then removes it.";
/// What the state file says of itself (JSON has no comments).
const ABOUT: &str = "What codexgen last wrote in this Codex home. Do not edit; delete it to make codexgen forget (it will then leave removed entries in place).";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct State {
    format: u32,
    /// The Codex version the files were last written for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codex: Option<String>,
    /// The catalog that last wrote the home (see `whose`); absent in a home
    /// written before codexgen recorded it. The home's own: never in the
    /// record that travels with a linked config.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<CatalogId>,
    /// File in the Codex home -> the leaves codexgen wrote there.
    #[serde(default)]
    pub files: BTreeMap<CodexFile, FileState>,
    /// Files a run was writing when the state was saved: see the module docs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<CodexFile, Pending>,
    /// Whether [`State::settle`] found `pending` entries: a run was
    /// interrupted, and the state file on disk is not final yet.
    #[serde(skip)]
    pub interrupted: bool,
    /// config.toml's travelling record, when config.toml is a link (see the
    /// module docs); `files` then holds the entry [`choose`] picked.
    #[serde(skip)]
    pub shared: Option<Shared>,
}

/// A linked config.toml's travelling record, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    /// Where the record is: `.codexgen/<name>.json` beside the file the
    /// link resolves to.
    pub record: PathBuf,
    /// Its text as read (`None`: there was none).
    pub seen: Option<String>,
    /// The home's own entry for config.toml, as its state file holds it.
    pub home: Option<FileState>,
}

/// A file a run is about to write or delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// [`fingerprint`] of the text being written; absent for a deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The leaves the file holds once written (none: the state stops
    /// naming it).
    #[serde(default)]
    pub managed: Vec<Managed>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    #[serde(default)]
    pub managed: Vec<Managed>,
    /// [`fingerprint`] of what the merge started from (the rendered text,
    /// header and adopted profiles; see `plan`), and of the text written.
    /// When both match again, the file is as codexgen left it for the same
    /// catalog, and merging it would change nothing: a steady run skips it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// config.toml only: what it held that was not codexgen's when codexgen
    /// wrote it (names and a count, never values; see `kept`). Absent in
    /// an older codexgen's state, which ignores it when reading this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<Kept>,
}

/// What the record beside a linked file says of itself.
const RECORD_ABOUT: &str = "What codexgen last wrote in the file beside this folder, for every machine that shares it. Commit it with that file; do not edit it.";

/// The record of one linked file that travels with it (see the module
/// docs): its entry, and the entry a run is writing, if one was stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    format: u32,
    #[serde(default)]
    about: Option<String>,
    /// The file's entry as its last writer left it.
    #[serde(default)]
    pub file: Option<FileState>,
    /// The entry of a run that was writing the file; settled against it.
    #[serde(default)]
    pub pending: Option<Pending>,
}

impl Record {
    /// A record holding `file`, and `pending` when a run is about to write.
    #[must_use]
    pub fn new(file: Option<FileState>, pending: Option<Pending>) -> Self {
        Record {
            format: FORMAT,
            about: None,
            file,
            pending,
        }
    }

    pub fn parse(text: &str) -> Result<Self, StateError> {
        let record: Record = serde_json::from_str(text).map_err(|e| StateError(e.to_string()))?;
        if record.format != FORMAT {
            return Err(StateError(format!(
                "format {} is not one this codexgen reads (it reads 3)",
                record.format
            )));
        }
        Ok(record)
    }

    /// The file's entry, with a pending one settled by the file's bytes on
    /// disk (`None`: missing), as [`State::settle`] does.
    #[must_use]
    pub fn settle(self, on_disk: Option<&[u8]>) -> Option<FileState> {
        let Some(p) = self.pending else {
            return self.file;
        };
        let written = match (&p.content, on_disk) {
            (Some(wanted), Some(bytes)) => *wanted == fingerprint(bytes),
            (None, None) => true,
            _ => false,
        };
        if !written {
            return self.file;
        }
        (!p.managed.is_empty()).then_some(FileState {
            managed: p.managed,
            input: None,
            text: p.content,
            kept: None,
        })
    }

    /// The record's text: the same entry gives the same bytes on every
    /// machine.
    pub fn to_text(&self) -> String {
        let mut out = opening(RECORD_ABOUT, 1);
        if let Some(file) = &self.file {
            out.push_str(",\n\"file\": ");
            out.push_str(&json(file));
        }
        if let Some(pending) = &self.pending {
            out.push_str(",\n\"pending\": ");
            out.push_str(&json(pending));
        }
        out.push_str("\n}\n");
        out
    }
}

/// Which entry of a linked file counts, the home's or the travelling
/// record's, given the [`fingerprint`] of the file on disk (see the module
/// docs): the one that wrote what is on disk, the record first; else the
/// record, which the file's last writer wrote; else the home's.
#[must_use]
pub fn choose(
    home: Option<FileState>,
    record: Option<FileState>,
    on_disk: Option<&str>,
) -> Option<FileState> {
    let wrote = |entry: &Option<FileState>| {
        on_disk.is_some() && entry.as_ref().and_then(|e| e.text.as_deref()) == on_disk
    };
    if wrote(&record) {
        record
    } else if wrote(&home) {
        home
    } else {
        record.or(home)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("codexgen's state file is damaged: {0}")]
pub struct StateError(String);

impl StateError {
    /// What is wrong, without the words about the state file.
    pub fn detail(&self) -> &str {
        &self.0
    }
}

impl State {
    pub fn new(files: BTreeMap<CodexFile, FileState>) -> Self {
        State {
            format: FORMAT,
            codex: None,
            catalog: None,
            files,
            pending: BTreeMap::new(),
            interrupted: false,
            shared: None,
        }
    }

    /// A run's journal: `changes` recorded as pending, each file about to be
    /// written (with its new text) or deleted (`None`), and the leaves it
    /// will hold; no files of its own (the state they go with stays on
    /// disk). Saved, as [`State::journal_text`], before the first write.
    #[must_use]
    pub fn begin<'a>(
        changes: impl IntoIterator<Item = (&'a CodexFile, Option<&'a str>, &'a [Managed])>,
    ) -> State {
        let mut state = State::new(BTreeMap::new());
        state.pending = changes
            .into_iter()
            .map(|(file, text, managed)| {
                let pending = Pending {
                    content: text.map(|t| fingerprint(t.as_bytes())),
                    managed: managed.to_vec(),
                };
                (file.clone(), pending)
            })
            .collect();
        state
    }

    /// Folds the `pending` entries a killed run left into `files`, given each
    /// pending file's bytes on disk (`None`: missing): see the module docs.
    pub fn settle<E>(
        mut self,
        mut on_disk: impl FnMut(&CodexFile) -> Result<Option<Vec<u8>>, E>,
    ) -> Result<State, E> {
        let pending = std::mem::take(&mut self.pending);
        self.interrupted |= !pending.is_empty();
        for (file, p) in pending {
            let now = on_disk(&file)?;
            let written = match (&p.content, &now) {
                (Some(wanted), Some(bytes)) => *wanted == fingerprint(bytes),
                (None, None) => true,
                _ => false,
            };
            if !written {
                continue;
            }
            if p.managed.is_empty() {
                self.files.remove(&file);
            } else {
                // The fingerprint of the text written, so that a record
                // travelling with a linked file can be told from this one.
                self.files.insert(
                    file,
                    FileState {
                        managed: p.managed,
                        input: None,
                        text: p.content,
                        kept: None,
                    },
                );
            }
        }
        Ok(self)
    }

    /// Reads a state file's text: JSON (format 3), or the TOML of formats 1
    /// and 2 (which cannot start with `{`). What is read is written back in
    /// this codexgen's format.
    pub fn parse(text: &str) -> Result<Self, StateError> {
        let json = text.trim_start().starts_with('{');
        let mut state: State = if json {
            serde_json::from_str(text).map_err(|e| StateError(e.to_string()))?
        } else {
            toml::from_str(text).map_err(|e| StateError(e.message().to_owned()))?
        };
        let known = if json {
            state.format == FORMAT
        } else {
            TOML_FORMATS.contains(&state.format)
        };
        if !known {
            return Err(StateError(format!(
                "format {} is not one this codexgen reads (it reads 1 and 2 as TOML, 3 as JSON)",
                state.format
            )));
        }
        state.format = FORMAT;
        Ok(state)
    }

    /// The catalog a state file's text records, read without its files
    /// (for a command that only needs to know whose catalog the home is);
    /// `None` for the TOML of formats 1 and 2, which recorded none.
    pub fn recorded_catalog(text: &str) -> Result<Option<CatalogId>, StateError> {
        #[derive(Deserialize)]
        struct Head {
            #[serde(default)]
            catalog: Option<CatalogId>,
        }
        if !text.trim_start().starts_with('{') {
            return Ok(None);
        }
        let head: Head = serde_json::from_str(text).map_err(|e| StateError(e.to_string()))?;
        Ok(head.catalog)
    }

    /// Whether a state file's text records files codexgen wrote (a home
    /// an older codexgen wrote, when it records no catalog); the TOML of
    /// formats 1 and 2 is taken to.
    pub fn records_files(text: &str) -> Result<bool, StateError> {
        #[derive(Deserialize)]
        struct Files {
            #[serde(default)]
            files: serde_json::Map<String, serde_json::Value>,
        }
        if !text.trim_start().starts_with('{') {
            return Ok(true);
        }
        let head: Files = serde_json::from_str(text).map_err(|e| StateError(e.to_string()))?;
        Ok(!head.files.is_empty())
    }

    /// This state with the `pending` entries of a journal's text (see the
    /// module docs) added: a journal names only files a run was writing,
    /// and the catalog it wrote from, which a home that records none takes.
    pub fn with_journal(mut self, text: &str) -> Result<Self, StateError> {
        #[derive(Deserialize)]
        struct Journal {
            format: u32,
            /// The catalog the run was writing from.
            #[serde(default)]
            catalog: Option<CatalogId>,
            pending: BTreeMap<CodexFile, Pending>,
        }
        let journal: Journal = serde_json::from_str(text).map_err(|e| StateError(e.to_string()))?;
        if journal.format != FORMAT {
            return Err(StateError(format!(
                "format {} is not one this codexgen reads (it reads 3)",
                journal.format
            )));
        }
        self.pending.extend(journal.pending);
        // A home's first writing run, killed, leaves files a catalog wrote:
        // the record names it, as the run would have (see `whose`).
        if self.catalog.is_none() {
            self.catalog = journal.catalog;
        }
        Ok(self)
    }

    /// The journal's text for this state's `pending` entries.
    pub fn journal_text(&self) -> String {
        let mut out = opening(JOURNAL_ABOUT, self.pending.len());
        if let Some(catalog) = &self.catalog {
            out.push_str(",\n\"catalog\": ");
            out.push_str(&json(catalog));
        }
        object(&mut out, "pending", &self.pending);
        out.push_str("\n}\n");
        out
    }

    /// This state as its file holds it: with the home's own entry for a
    /// linked config.toml, whichever entry [`choose`] picked. A run saves
    /// the state file when what it would save differs from this.
    pub fn as_saved(&self) -> Cow<'_, State> {
        let Some(shared) = &self.shared else {
            return Cow::Borrowed(self);
        };
        let mut saved = self.clone();
        saved.shared = None;
        match &shared.home {
            Some(entry) => saved.files.insert(CodexFile::Config, entry.clone()),
            None => saved.files.remove(&CodexFile::Config),
        };
        Cow::Owned(saved)
    }

    pub fn managed(&self, file: &CodexFile) -> &[Managed] {
        self.files.get(file).map_or(&[], |f| f.managed.as_slice())
    }

    /// The state file's text: JSON with one line per file, so that a diff
    /// of two states (or a look at one) reads file by file. Pending entries
    /// go to the journal ([`State::journal_text`]), not here.
    pub fn to_text(&self) -> String {
        let mut out = opening(ABOUT, self.files.len());
        if let Some(codex) = &self.codex {
            out.push_str(",\n\"codex\": ");
            out.push_str(&json(codex));
        }
        if let Some(catalog) = &self.catalog {
            out.push_str(",\n\"catalog\": ");
            out.push_str(&json(catalog));
        }
        object(&mut out, "files", &self.files);
        out.push_str("\n}\n");
        out
    }
}

/// `{"format": 3,` and what the file says of itself, with room for
/// `entries` lines.
fn opening(about: &str, entries: usize) -> String {
    let mut out = String::with_capacity(256 * (entries + 1));
    out.push_str("{\"format\": ");
    out.push_str(&FORMAT.to_string());
    out.push_str(",\n\"about\": ");
    out.push_str(&json(about));
    out
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("state is always serializable")
}

/// `,\n"name": {` and one line per entry.
fn object<V: Serialize>(out: &mut String, name: &str, entries: &BTreeMap<CodexFile, V>) {
    out.push_str(",\n");
    out.push_str(&json(name));
    out.push_str(": {");
    for (at, (file, entry)) in entries.iter().enumerate() {
        out.push_str(if at == 0 { "\n" } else { ",\n" });
        out.push_str(&json(file));
        out.push_str(": ");
        out.push_str(&json(entry));
    }
    out.push_str("\n}");
}

/// A managed leaf in the state file: `[["model_providers", "groq", "name"],
/// '"Groq"']` (format 2), or the table of format 1. A leaf that was the
/// user's before codexgen took it over has a third element, the user's
/// value as they wrote it (`[["approval_policy"], '"never"',
/// '"on-request"']`): an older codexgen refuses such a state rather than
/// forget whose the value was.
impl Serialize for Managed {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.before {
            None => (&self.path, &self.value).serialize(serializer),
            Some(before) => (&self.path, &self.value, before).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Managed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Leaf;
        impl<'de> serde::de::Visitor<'de> for Leaf {
            type Value = Managed;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a managed leaf: [path, value] or [path, value, the user's value]")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Managed, A::Error> {
                let path = seq
                    .next_element()?
                    .ok_or_else(|| serde::de::Error::invalid_length(0, &self))?;
                let value = seq
                    .next_element()?
                    .ok_or_else(|| serde::de::Error::invalid_length(1, &self))?;
                let before = seq.next_element()?;
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(serde::de::Error::invalid_length(4, &self));
                }
                Ok(Managed {
                    path,
                    value,
                    before,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Managed, A::Error> {
                let (mut path, mut value) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "path" => path = Some(map.next_value()?),
                        "value" => value = Some(map.next_value()?),
                        _ => return Err(serde::de::Error::unknown_field(&key, &["path", "value"])),
                    }
                }
                Ok(Managed {
                    path: path.ok_or_else(|| serde::de::Error::missing_field("path"))?,
                    value: value.ok_or_else(|| serde::de::Error::missing_field("value"))?,
                    before: None,
                })
            }
        }
        deserializer.deserialize_any(Leaf)
    }
}

/// A text's fingerprint as the state records it: 64-bit FNV-1a, which is
/// stable across builds and platforms. It only has to tell the text a run
/// wrote from the text the file held before, not resist an adversary.
pub fn fingerprint(bytes: &[u8]) -> String {
    fingerprint_of([bytes])
}

/// The [`fingerprint`] of `parts` one after the other, without joining them.
pub fn fingerprint_of<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let hash = parts
        .into_iter()
        .flatten()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, &b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("fnv1a64:{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut state = State::new(BTreeMap::new());
        state.files.insert(
            CodexFile::Config,
            FileState {
                managed: vec![Managed {
                    path: vec!["model_providers".into(), "a.b".into(), "name".into()],
                    value: "\"A \\\"q\\\"\"".into(),
                    before: None,
                }],
                input: Some(fingerprint(b"in")),
                text: Some(fingerprint(b"out")),
                kept: Some(Kept {
                    keys: vec![
                        vec!["projects".into(), "/home/a/x".into()],
                        vec!["notice".into()],
                    ],
                    comments: 3,
                }),
            },
        );
        state.catalog = Some(CatalogId {
            home: Some("/home/me/.codex".into()),
            files: vec!["/c/providers.yaml".into()],
            overlay: Some("/c/providers.local.yaml".into()),
            local: Some("/c/providers.local.yaml".into()),
            content: fingerprint(b"catalog"),
        });
        let text = state.to_text();
        let back = State::parse(&text).unwrap();
        assert_eq!(back, state);
        assert_eq!(State::recorded_catalog(&text).unwrap(), state.catalog);
        // The TOML of an older codexgen, and a state written before the
        // record, record no catalog.
        assert_eq!(State::recorded_catalog("format = 2\n").unwrap(), None);
        assert_eq!(State::recorded_catalog("{\"format\": 3}").unwrap(), None);
        assert!(State::recorded_catalog("{\"catalog\": 3}").is_err());
        assert!(State::records_files(&text).unwrap());
        assert!(State::records_files("format = 2\n").unwrap());
        assert!(!State::records_files("{\"format\": 3, \"files\": {}}").unwrap());
        assert!(!State::records_files("{\"format\": 3}").unwrap());
    }

    /// `kept` is optional both ways: a state without it (an older
    /// codexgen's) reads as having no names, and a file entry with a field
    /// this codexgen does not know (as `kept` is to an older one, whose
    /// `FileState` has the same unknown-field rule) reads too.
    #[test]
    fn a_file_entry_reads_without_kept_and_with_a_field_it_does_not_know() {
        let old = "{\"format\": 3, \"files\": {\"config.toml\": {\"managed\": [[[\"model\"], \"\\\"m\\\"\"]], \"text\": \"fnv1a64:0\"}}}";
        let state = State::parse(old).unwrap();
        assert_eq!(state.files[&CodexFile::Config].kept, None);
        let newer = old.replace("\"text\"", "\"later\": {\"x\": 1}, \"text\"");
        let state = State::parse(&newer).unwrap();
        assert_eq!(state.files[&CodexFile::Config].managed.len(), 1);
        let record = Record::parse(&format!(
            "{{\"format\": 3, \"file\": {}}}",
            json(&FileState {
                kept: Some(Kept::default()),
                ..FileState::default()
            })
        ));
        assert!(record.is_ok(), "{record:?}");
    }

    #[test]
    fn damaged_state_is_an_error() {
        assert!(State::parse("files = 3").is_err());
        assert!(State::parse("format = 9\n").is_err());
        // A TOML format number in JSON, or the JSON one in TOML, is not one.
        assert!(State::parse("{\"format\": 2}").is_err());
        assert!(State::parse("format = 3\n").is_err());
        assert!(State::parse("{\"format\": 3}").is_ok());
        assert!(State::parse("{\"format\": 3, \"files\": {\"../x.toml\": {}}}").is_err());
        assert!(State::parse("{\"format\": 3, \"files\": {\"x.config.toml\": {}}}").is_ok());
        // A journal names only files codexgen writes, in this format.
        let empty = || State::new(BTreeMap::new());
        assert!(
            empty()
                .with_journal("{\"format\": 3, \"pending\": {}}")
                .is_ok()
        );
        assert!(
            empty()
                .with_journal("{\"format\": 2, \"pending\": {}}")
                .is_err()
        );
        assert!(empty().with_journal("format = 3\n").is_err());
        assert!(
            empty()
                .with_journal("{\"format\": 3, \"pending\": {\"/etc/x\": {}}}")
                .is_err()
        );
        for name in [
            "/tmp/victim.toml",
            "../x.config.toml",
            "a/b.config.toml",
            ".config.toml",
        ] {
            let text = format!("format = 1\n[files.{name:?}]\nmanaged = []\n");
            assert!(State::parse(&text).is_err(), "{name}");
        }
        assert!(State::parse("format = 1\n[files.\"groq.config.toml\"]\nmanaged = []\n").is_ok());
    }

    fn profile(name: &str) -> CodexFile {
        CodexFile::from_file_name(&format!("{name}.config.toml")).unwrap()
    }

    fn leaf(value: &str) -> Vec<Managed> {
        vec![Managed {
            path: vec!["model".into()],
            value: format!("{value:?}"),
            before: None,
        }]
    }

    #[test]
    fn format_1_is_still_read() {
        let old = "format = 1\ncodex = \"0.169.0\"\n\n[[files.\"config.toml\".managed]]\npath = [\"model\"]\nvalue = '\"m\"'\n";
        let state = State::parse(old).unwrap();
        assert_eq!(
            state.managed(&CodexFile::Config),
            [Managed {
                path: vec!["model".into()],
                value: "\"m\"".into(),
                before: None,
            }]
        );
        // Written back in format 3, as JSON with one line per file.
        let text = state.to_text();
        assert!(text.starts_with("{\"format\": 3,\n"), "{text}");
        assert!(
            text.contains("\n\"config.toml\": {\"managed\":[[[\"model\"],\"\\\"m\\\"\"]]}\n"),
            "{text}"
        );
        assert_eq!(State::parse(&text).unwrap().files, state.files);
        // Format 2 (TOML pairs) reads the same.
        let two = "format = 2\n[files.\"config.toml\"]\nmanaged = [[[\"model\"], '\"m\"']]\n";
        assert_eq!(State::parse(two).unwrap().files, state.files);
    }

    #[test]
    fn a_leaf_taken_over_keeps_the_users_value() {
        let mut state = State::new(BTreeMap::new());
        let leaf = Managed {
            path: vec!["approval_policy".into()],
            value: "\"never\"".into(),
            before: Some("'on-request'".into()),
        };
        state.files.insert(
            CodexFile::Config,
            FileState {
                managed: vec![leaf.clone()],
                input: None,
                text: None,
                kept: None,
            },
        );
        let text = state.to_text();
        assert!(
            text.contains("[[\"approval_policy\"],\"\\\"never\\\"\",\"'on-request'\"]"),
            "{text}"
        );
        assert_eq!(
            State::parse(&text).unwrap().managed(&CodexFile::Config),
            [leaf]
        );
    }

    #[test]
    fn fingerprints_are_fnv1a64() {
        assert_eq!(fingerprint(b""), "fnv1a64:cbf29ce484222325");
        assert_eq!(fingerprint(b"a"), "fnv1a64:af63dc4c8601ec8c");
        assert_eq!(fingerprint_of([&b"ab"[..], b"", b"c"]), fingerprint(b"abc"));
    }

    #[test]
    fn pending_writes_are_settled_by_what_is_on_disk() {
        let (kept, added, removed, untouched) = (
            profile("kept"),
            profile("added"),
            profile("removed"),
            profile("untouched"),
        );
        let mut old = State::new(BTreeMap::new());
        for file in [&kept, &removed, &untouched] {
            old.files.insert(
                file.clone(),
                FileState {
                    managed: leaf("old"),
                    ..FileState::default()
                },
            );
        }
        let begun = State::begin([
            (&kept, Some("model = \"new\"\n"), leaf("new").as_slice()),
            (&added, Some("model = \"new\"\n"), leaf("new").as_slice()),
            (&removed, None, &[][..]),
            (
                &untouched,
                Some("model = \"new\"\n"),
                leaf("new").as_slice(),
            ),
        ]);
        // The state file is untouched; the journal holds the pending writes.
        let journal = begun.journal_text();
        let saved = State::parse(&old.to_text())
            .unwrap()
            .with_journal(&journal)
            .unwrap();
        assert_eq!(saved.pending, begun.pending);
        // Killed after writing kept, added and removed, before untouched.
        let settled = saved
            .settle(|file| {
                Ok::<_, ()>(match file {
                    f if *f == removed => None,
                    f if *f == untouched => Some(b"model = \"old\"\n".to_vec()),
                    _ => Some(b"model = \"new\"\n".to_vec()),
                })
            })
            .unwrap();
        assert!(settled.interrupted && settled.pending.is_empty());
        assert_eq!(settled.managed(&kept), leaf("new"));
        assert_eq!(settled.managed(&added), leaf("new"));
        assert!(!settled.files.contains_key(&removed));
        assert_eq!(settled.managed(&untouched), leaf("old"));
        // Killed before writing anything: the old state stands.
        let before = State::parse(&old.to_text())
            .unwrap()
            .with_journal(&journal)
            .unwrap()
            .settle(|file| Ok::<_, ()>((*file != added).then(|| b"model = \"old\"\n".to_vec())))
            .unwrap();
        assert_eq!(before.files, old.files);
        // The journal names the catalog the run wrote from: a home that
        // records none takes it; one that records one keeps its own.
        let id = |file: &str| CatalogId {
            home: None,
            files: vec![file.to_owned()],
            overlay: None,
            local: None,
            content: String::new(),
        };
        let mut begun = begun;
        begun.catalog = Some(id("/new/providers.yaml"));
        let journal = begun.journal_text();
        let first = State::parse(&old.to_text())
            .unwrap()
            .with_journal(&journal)
            .unwrap();
        assert_eq!(first.catalog, Some(id("/new/providers.yaml")));
        let mut recorded = old.clone();
        recorded.catalog = Some(id("/mine/providers.yaml"));
        let kept = State::parse(&recorded.to_text())
            .unwrap()
            .with_journal(&journal)
            .unwrap();
        assert_eq!(kept.catalog, Some(id("/mine/providers.yaml")));
    }

    fn entry(value: &str, text: &str) -> FileState {
        FileState {
            managed: leaf(value),
            input: None,
            text: Some(fingerprint(text.as_bytes())),
            kept: None,
        }
    }

    #[test]
    fn the_entry_that_wrote_the_file_counts_the_record_first() {
        let (home, record) = (entry("home", "h"), entry("record", "r"));
        let pick = |on_disk: &str| {
            choose(
                Some(home.clone()),
                Some(record.clone()),
                Some(&fingerprint(on_disk.as_bytes())),
            )
        };
        assert_eq!(pick("r"), Some(record.clone()));
        assert_eq!(pick("h"), Some(home.clone()));
        // Edited since (Codex added a project): the last writer's record.
        assert_eq!(pick("edited"), Some(record.clone()));
        let fp = fingerprint(b"h");
        assert_eq!(
            choose(Some(home.clone()), None, Some(&fp)),
            Some(home.clone())
        );
        assert_eq!(choose(None, Some(record.clone()), None), Some(record));
        assert_eq!(choose(None, None, Some(&fp)), None);
    }

    #[test]
    fn a_record_is_deterministic_and_settles_its_pending_entry() {
        let old = entry("old", "old text");
        let pending = Pending {
            content: Some(fingerprint(b"new text")),
            managed: leaf("new"),
        };
        let record = Record::new(Some(old.clone()), Some(pending));
        let text = record.to_text();
        assert_eq!(text, Record::parse(&text).unwrap().to_text());
        assert!(!text.contains("/tmp") && text.ends_with("}\n"), "{text}");
        let parsed = || Record::parse(&text).unwrap();
        assert_eq!(parsed().settle(Some(b"old text")), Some(old));
        assert_eq!(
            parsed().settle(Some(b"new text")),
            Some(entry("new", "new text"))
        );
        assert_eq!(parsed().settle(None), parsed().file);
        // Damaged, another format, an unknown key: errors.
        for bad in [
            "",
            "{",
            "{\"format\": 2}",
            "{\"format\": 3, \"files\": {}}",
            "{\"format\": 3, \"file\": {\"managed\": 3}}",
        ] {
            assert!(Record::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Record::parse("{\"format\": 3}").unwrap().settle(None), None);
    }
}
