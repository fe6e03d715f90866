//! Owns codexgen's memory of its last write: for each file in the Codex home,
//! which leaves it manages and the values it wrote. This is what lets a
//! removed provider disappear from disk and a hand edit show as drift, while
//! files and keys codexgen never wrote stay untouched. Kept as TOML in
//! `$CODEX_HOME/.codexgen/state.toml`. Text in, text out; no I/O. codexgen
//! deletes files named here, so only names of files it writes are accepted
//! ([`CodexFile`] refuses any other).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::home::CodexFile;
use crate::merge::Managed;

const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    format: u32,
    /// The Codex version the files were last written for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codex: Option<String>,
    /// File in the Codex home -> the leaves codexgen wrote there.
    #[serde(default)]
    pub files: BTreeMap<CodexFile, FileState>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    #[serde(default)]
    pub managed: Vec<Managed>,
}

#[derive(Debug, thiserror::Error)]
#[error("codexgen's state file is damaged: {0}")]
pub struct StateError(String);

impl State {
    pub fn new(files: BTreeMap<CodexFile, FileState>) -> Self {
        State {
            format: FORMAT,
            codex: None,
            files,
        }
    }

    pub fn parse(text: &str) -> Result<Self, StateError> {
        let state: State =
            toml_edit::de::from_str(text).map_err(|e| StateError(e.message().to_owned()))?;
        if state.format != FORMAT {
            return Err(StateError(format!(
                "format {} is not one this codexgen reads (it reads {FORMAT})",
                state.format
            )));
        }
        Ok(state)
    }

    pub fn managed(&self, file: &CodexFile) -> &[Managed] {
        self.files.get(file).map_or(&[], |f| f.managed.as_slice())
    }

    pub fn to_text(&self) -> String {
        let body = toml_edit::ser::to_string_pretty(self).expect("state is always serializable");
        format!(
            "# What codexgen last wrote in this Codex home. Do not edit; delete it to make\n# codexgen forget (it will then leave removed entries in place).\n{body}"
        )
    }
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
                }],
            },
        );
        let text = state.to_text();
        let back = State::parse(&text).unwrap();
        assert_eq!(back.files, state.files);
    }

    #[test]
    fn damaged_state_is_an_error() {
        assert!(State::parse("files = 3").is_err());
        assert!(State::parse("format = 9\n").is_err());
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
}
