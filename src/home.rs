//! Owns the names of things in a Codex home: the files codexgen writes there
//! ([`CodexFile`]: `config.toml`, or `NAME.config.toml` for a profile), the
//! rules for names ([`ProfileName`] for a file codexgen may write;
//! [`profile_fault`] and [`id_fault`] for what the catalog accepts: portable
//! file names and command-line words), and codexgen's own folder
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
/// The default profile before the last `codexgen use` switched it, inside
/// [`STATE_DIR`]: the name and a newline; what `codexgen use -` goes back to.
pub const PREVIOUS_DEFAULT_FILE: &str = "previous-default";

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

/// The longest profile name, in bytes: its file, `NAME.config.toml`, must
/// fit in the 255 bytes a file name may have (ext4, APFS, NTFS). Backups
/// keep the same name in `.codexgen/backup/`; temp files have names of
/// their own.
pub const MAX_PROFILE_NAME: usize = 255 - PROFILE_SUFFIX.len();

/// Device names Windows reserves, with any extension and in any case
/// (`aux.config.toml` cannot be opened there).
const WINDOWS_DEVICES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// What keeps a name from being a provider id or a profile name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameFault {
    /// Empty, or a character other than ASCII letters, digits, `-` and `_`
    /// (see [`is_plain_name`]).
    Characters,
    /// Starts with `-`: a command line (`codex -p NAME`, `codexgen exec
    /// NAME`, `codexgen probe ID`) reads it as an option.
    Dash,
    /// A profile name longer than [`MAX_PROFILE_NAME`].
    TooLong,
    /// A profile name Windows reserves for a device.
    Device,
}

impl NameFault {
    /// The reason in a few words, after "its name" (`import`'s "kept, not
    /// imported" list).
    pub fn reason(self) -> &'static str {
        match self {
            NameFault::Characters => "is not plain: ASCII letters, digits, - and _ only",
            NameFault::Dash => "starts with -, which a command line reads as an option",
            NameFault::TooLong => "is too long for a file name",
            NameFault::Device => "is a device name on Windows",
        }
    }
}

/// Why `id` cannot be a provider id (a TOML key and a command-line word).
pub fn id_fault(id: &str) -> Option<NameFault> {
    if !is_plain_name(id) {
        Some(NameFault::Characters)
    } else if id.starts_with('-') {
        Some(NameFault::Dash)
    } else {
        None
    }
}

/// Why `name` cannot be a profile name (a file name and a command-line
/// word on every system Codex runs on).
pub fn profile_fault(name: &str) -> Option<NameFault> {
    id_fault(name).or_else(|| {
        if name.len() > MAX_PROFILE_NAME {
            Some(NameFault::TooLong)
        } else if WINDOWS_DEVICES.iter().any(|d| d.eq_ignore_ascii_case(name)) {
            Some(NameFault::Device)
        } else {
            None
        }
    })
}

/// A profile name as a file system that ignores case sees its file
/// (macOS's and Windows's defaults): two names with the same identity are
/// one file. Names are ASCII ([`is_plain_name`]), which Unicode
/// normalization leaves alone, so ASCII case is all there is to fold.
pub fn file_identity(name: &ProfileName) -> String {
    name.0.to_ascii_lowercase()
}

/// A profile name that is safe as a file name inside the Codex home
/// (`NAME.config.toml`: no path, no dot): see [`is_plain_name`]. The only
/// way to get one is through that check. The catalog asks more of the
/// names it accepts ([`profile_fault`]); a file of a name it now refuses
/// (`aux.config.toml`, written before) stays one codexgen wrote, so that
/// renaming the profile removes it.
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
/// Compared in place, byte by byte as `str` orders: the state and the plan
/// keep files in ordered maps, and building both names for every comparison
/// was a fifth of a 1,000-profile run.
impl Ord for CodexFile {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (CodexFile::Config, CodexFile::Config) => std::cmp::Ordering::Equal,
            (CodexFile::Profile(a), CodexFile::Profile(b)) if a == b => std::cmp::Ordering::Equal,
            _ => self.name_bytes().cmp(other.name_bytes()),
        }
    }
}

impl CodexFile {
    /// The bytes of [`CodexFile::file_name`], without building it.
    fn name_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        let (name, suffix) = match self {
            CodexFile::Config => (CONFIG, ""),
            CodexFile::Profile(name) => (name.0.as_str(), PROFILE_SUFFIX),
        };
        name.bytes().chain(suffix.bytes())
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
    fn files_sort_as_their_names_do() {
        let names = [
            "config.toml",
            "a.config.toml",
            "a.b.config.toml",
            "a-b.config.toml",
            "a_b.config.toml",
            "A.config.toml",
            "c.config.toml",
            "config.config.toml",
            "conf.config.toml",
            "cong.config.toml",
            "z.config.toml",
            "9.config.toml",
        ];
        let files: Vec<CodexFile> = names
            .iter()
            .filter_map(|n| CodexFile::from_file_name(n))
            .collect();
        assert!(files.len() >= 10);
        for a in &files {
            for b in &files {
                assert_eq!(a.cmp(b), a.file_name().cmp(&b.file_name()), "{a} {b}");
            }
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
    fn profile_names_are_safe_files_and_words_everywhere() {
        let longest = "a".repeat(MAX_PROFILE_NAME);
        assert_eq!(
            CodexFile::from_file_name(&format!("{longest}.config.toml"))
                .map(|f| f.file_name().len()),
            Some(255)
        );
        assert_eq!(
            profile_fault(&format!("{longest}b")),
            Some(NameFault::TooLong)
        );
        assert_eq!(profile_fault("-x"), Some(NameFault::Dash));
        assert_eq!(profile_fault("--"), Some(NameFault::Dash));
        assert_eq!(profile_fault("x-"), None);
        assert_eq!(profile_fault("Nul"), Some(NameFault::Device));
        assert_eq!(profile_fault("lpt0"), Some(NameFault::Device));
        assert_eq!(profile_fault("nul-2"), None);
        assert_eq!(profile_fault("\u{212A}"), Some(NameFault::Characters));
        assert_eq!(id_fault("-gw"), Some(NameFault::Dash));
        // Ids are no files: no length or device rule.
        assert_eq!(id_fault("aux"), None);
        assert_eq!(id_fault(&format!("{longest}b")), None);
        let (a, b) = (
            ProfileName::new("Groq").unwrap(),
            ProfileName::new("gROQ").unwrap(),
        );
        assert_eq!(file_identity(&a), file_identity(&b));
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
