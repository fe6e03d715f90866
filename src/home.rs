//! Owns the names of things in a Codex home: the files codexgen writes there
//! ([`CodexFile`]: `config.toml`, or `NAME.config.toml` for a profile), the
//! rule for a profile name ([`ProfileName`]), and codexgen's own folder
//! (`.codexgen/`: state, backups, lock; and the record beside a linked
//! file, [`record_beside`]). A file's identity travels as a
//! `CodexFile`, never as text; this is the one place that spells the names.
//! Does no I/O.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const CONFIG: &str = "config.toml";
const PROFILE_SUFFIX: &str = ".config.toml";

/// codexgen's own folder inside the Codex home.
pub const STATE_DIR: &str = ".codexgen";
/// The record of what codexgen wrote, inside [`STATE_DIR`].
pub const STATE_FILE: &str = "state.json";
/// The write-ahead journal of a writing run, inside [`STATE_DIR`] (see
/// `state`); there only while a run writes, or after one was stopped.
pub const JOURNAL_FILE: &str = "pending.json";
/// Where codexgen before state format 3 kept that record, inside
/// [`STATE_DIR`]: read when there is no [`STATE_FILE`], removed once one is
/// written.
pub const OLD_STATE_FILE: &str = "state.toml";
/// Previous versions of the files codexgen replaced, inside [`STATE_DIR`].
pub const BACKUP_DIR: &str = "backup";
/// The run lock, inside [`STATE_DIR`].
pub const LOCK_FILE: &str = "lock";

/// Where the record that travels with a linked file is (see `state`):
/// `.codexgen/<name>.json` beside `target`, the file the link resolves to.
/// `None` for a path with no file name.
pub fn record_beside(target: &Path) -> Option<PathBuf> {
    let (dir, name) = (target.parent()?, target.file_name()?);
    let mut record = name.to_os_string();
    record.push(".json");
    Some(dir.join(STATE_DIR).join(record))
}

/// Whether `name` is plain: ASCII letters, digits, `-` and `_`, not empty.
/// Profile names become file names and provider ids become TOML keys and
/// command-line words, so both follow this rule.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A profile name that is safe as a file name (`NAME.config.toml`): see
/// [`is_plain_name`]. The only way to get one is through that check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ProfileName(String);

impl ProfileName {
    pub fn new(name: &str) -> Option<Self> {
        is_plain_name(name).then(|| ProfileName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file codexgen writes in the Codex home.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CodexFile {
    /// `config.toml`
    Config,
    /// `NAME.config.toml`, read by `codex -p NAME` (Codex 0.134.0 and newer).
    Profile(ProfileName),
}

impl CodexFile {
    /// The file's name inside the Codex home.
    pub fn file_name(&self) -> String {
        match self {
            CodexFile::Config => CONFIG.to_owned(),
            CodexFile::Profile(name) => format!("{name}{PROFILE_SUFFIX}"),
        }
    }

    /// The file a name in the Codex home stands for, if codexgen writes it.
    pub fn from_file_name(name: &str) -> Option<Self> {
        if name == CONFIG {
            return Some(CodexFile::Config);
        }
        name.strip_suffix(PROFILE_SUFFIX)
            .and_then(ProfileName::new)
            .map(CodexFile::Profile)
    }

    pub fn path_in(&self, home: &Path) -> PathBuf {
        home.join(self.file_name())
    }

    pub fn profile(&self) -> Option<&ProfileName> {
        match self {
            CodexFile::Config => None,
            CodexFile::Profile(name) => Some(name),
        }
    }
}

impl fmt::Display for CodexFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file_name())
    }
}

/// Ordered by file name, as they sort in a listing and in the state file.
impl Ord for CodexFile {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.file_name().cmp(&other.file_name())
    }
}

impl PartialOrd for CodexFile {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for CodexFile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.file_name())
    }
}

impl<'de> Deserialize<'de> for CodexFile {
    /// Refuses any name that is not a file codexgen writes: the state file
    /// names files codexgen may delete, so a damaged one must not name others.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        CodexFile::from_file_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "it names {name:?}, which is not a file codexgen writes"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in ["config.toml", "groq.config.toml", "a-b_c.config.toml"] {
            let file = CodexFile::from_file_name(name).unwrap();
            assert_eq!(file.file_name(), name);
        }
    }

    #[test]
    fn only_plain_profile_names_make_files() {
        for name in [
            "/tmp/victim.toml",
            "../x.config.toml",
            "a/b.config.toml",
            ".config.toml",
            "x.toml",
            "é.config.toml",
        ] {
            assert_eq!(CodexFile::from_file_name(name), None, "{name}");
        }
        assert!(ProfileName::new("a b").is_none());
        assert!(ProfileName::new("").is_none());
        assert!(ProfileName::new("gpt-5_fast").is_some());
    }

    #[test]
    fn files_sort_by_name() {
        let mut files = [
            CodexFile::from_file_name("zeta.config.toml").unwrap(),
            CodexFile::Config,
            CodexFile::from_file_name("alpha.config.toml").unwrap(),
        ];
        files.sort();
        let names: Vec<String> = files.iter().map(CodexFile::file_name).collect();
        assert_eq!(
            names,
            ["alpha.config.toml", "config.toml", "zeta.config.toml"]
        );
    }
}
