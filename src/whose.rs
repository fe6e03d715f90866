//! Owns whose catalog a Codex home is: the identity of the catalog a run
//! reads ([`CatalogId`]: the files by canonical path, the personal overlay,
//! a fingerprint of their text), the comparison with the identity the
//! home's state records ([`compare`]), and the words every command uses to
//! say that a run found another catalog than the one that wrote the home
//! ([`Foreign`]). Does no I/O (whether a recorded file still exists is
//! asked of the caller); `settings` builds identities, `state` keeps one,
//! `gen` refuses or asks, and the commands that act on the home as it is
//! (`settings::Follow::Home`) read the recorded catalog instead.
//!
//! Why: the catalog is found from the current folder (`./providers.yaml`)
//! when none is named, so the folder a command runs in would otherwise
//! decide whose setup a home gets (issue 20, point 4). The identity is the
//! home's own (in `state.json`), never the record that travels with a
//! linked config.toml: two machines sharing a dotfiles repository read
//! their catalog from different paths, and each home remembers its own.
//! The personal overlay does not decide: it lives beside its catalog, so
//! one that appears (`adopt` creates it) or is skipped (`--no-local`) is
//! the same catalog; two different overlays over the same files are not.
//! A catalog that moved (the recorded files are gone, the text read is the
//! same) is the same catalog, and the record follows it. A home that moved
//! with its catalog (a repository holding both, cloned elsewhere) finds it
//! at the same place relative to the home, and that is the same catalog too.

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Problem, printable};

/// The variable that names the catalog as `--catalog` does (one path),
/// for rc files and hooks that run in any folder.
pub const CATALOG_VAR: &str = "CODEXGEN_CATALOG";

/// Which catalog a run reads, as the home's state records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogId {
    /// The Codex home it wrote, by its canonical path: a home that moved
    /// with its catalog (a repository holding both, cloned elsewhere) finds
    /// its catalog at the same place relative to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    /// The catalog files, in overlay order, each by its canonical absolute
    /// path (`<built-in providers.yaml>`, `<stdin>` for those), without the
    /// personal overlay found beside them.
    pub files: Vec<String>,
    /// The personal overlay read over them, by its canonical path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<String>,
    /// The fingerprint of the text read (files and overlay, in order): a
    /// catalog whose files are gone and whose text is found elsewhere moved.
    pub content: String,
}

impl CatalogId {
    /// Whether `other` names the same files (see the module docs for the
    /// overlay).
    #[must_use]
    pub fn same_place(&self, other: &CatalogId) -> bool {
        let same = |a: &str, b: &str| {
            a == b
                || match (&self.home, &other.home) {
                    (Some(here), Some(there)) if here != there => {
                        CatalogId::is_file(a)
                            && CatalogId::is_file(b)
                            && relative(here, a) == relative(there, b)
                    }
                    _ => false,
                }
        };
        self.files.len() == other.files.len()
            && self.files.iter().zip(&other.files).all(|(a, b)| same(a, b))
            && match (&self.overlay, &other.overlay) {
                (Some(a), Some(b)) => same(a, b),
                _ => true,
            }
    }

    /// The catalog in words: `/a/providers.yaml + /a/providers.local.yaml`.
    #[must_use]
    pub fn describe(&self) -> String {
        let files = self
            .files
            .iter()
            .chain(&self.overlay)
            .map(|f| printable(f).into_owned())
            .collect::<Vec<_>>();
        if files.is_empty() {
            "no catalog file".to_owned()
        } else {
            files.join(" + ")
        }
    }

    /// Whether a catalog is a file a path can name (not built in, not
    /// standard input).
    #[must_use]
    pub fn is_file(name: &str) -> bool {
        !(name.starts_with('<') && name.ends_with('>'))
    }
}

/// `to` as seen from the folder `from` (both absolute): `../x/providers.yaml`.
fn relative(from: &str, to: &str) -> std::path::PathBuf {
    use std::path::{Component, Path};
    let from: Vec<Component<'_>> = Path::new(from).components().collect();
    let to: Vec<Component<'_>> = Path::new(to).components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    std::iter::repeat_n(Component::ParentDir, from.len() - common)
        .chain(to[common..].iter().copied())
        .collect()
}

/// What the catalog a run reads is to the home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whose<'a> {
    /// The home records no catalog: a fresh home, or one written before
    /// codexgen recorded it. The first write records it.
    Unrecorded,
    /// The catalog that wrote the home.
    Same,
    /// The catalog that wrote the home, moved: its recorded files are all
    /// gone, and the text read is the same.
    Moved { from: &'a CatalogId },
    /// Another catalog.
    Foreign { recorded: &'a CatalogId },
}

/// Compares the catalog a run reads (`found`) with the one the home
/// records; `exists` says whether a recorded catalog file is still there.
pub fn compare<'a>(
    recorded: Option<&'a CatalogId>,
    found: &CatalogId,
    exists: impl Fn(&str) -> bool,
) -> Whose<'a> {
    let Some(recorded) = recorded else {
        return Whose::Unrecorded;
    };
    if recorded.same_place(found) {
        return Whose::Same;
    }
    let gone = !recorded.files.is_empty()
        && recorded
            .files
            .iter()
            .all(|f| CatalogId::is_file(f) && !exists(f));
    if gone && recorded.content == found.content {
        Whose::Moved { from: recorded }
    } else {
        Whose::Foreign { recorded }
    }
}

/// How a run came to read its catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chosen {
    /// `--catalog`.
    Flag,
    /// [`CATALOG_VAR`].
    Variable,
    /// `./providers.yaml`.
    Folder,
    /// `providers.yaml` in the user's config dir.
    UserConfig,
    /// Nothing was found: the built-in catalog.
    BuiltIn,
    /// The catalog the home records, read instead of the one found (see
    /// `settings::Follow::Home`).
    Home,
}

impl Chosen {
    /// Whether the user named the catalog: then a run may switch a home to it.
    #[must_use]
    pub fn named(self) -> bool {
        matches!(self, Chosen::Flag | Chosen::Variable)
    }

    /// Where it was found, as said after its name.
    fn words(self) -> &'static str {
        match self {
            Chosen::Flag => "named with --catalog",
            Chosen::Variable => "named by CODEXGEN_CATALOG",
            Chosen::Folder => "found in the current folder",
            Chosen::UserConfig => "found in the user's config folder",
            Chosen::BuiltIn => "the built-in catalog: no providers.yaml was found",
            Chosen::Home => "the one this home records",
        }
    }
}

/// A run that found another catalog than the one that wrote the home: the
/// one wording of it, for gen's refusal and question, its reports, and the
/// commands that cannot follow the home.
pub struct Foreign<'a> {
    /// The Codex home, as shown.
    pub home: String,
    pub recorded: &'a CatalogId,
    pub found: &'a CatalogId,
    pub chosen: Chosen,
    /// Whether each recorded file is still there.
    pub exists: fn(&str) -> bool,
}

impl Foreign<'_> {
    /// `/home/me/.codex was written from catalog A; this run found B (found
    /// in the current folder), which would replace it`.
    #[must_use]
    pub fn message(&self) -> String {
        format!("{}, which would replace it", self.sentence())
    }

    /// The message without what would happen: `... this run found B (found
    /// in the current folder)`.
    #[must_use]
    pub fn sentence(&self) -> String {
        let gone = self
            .recorded
            .files
            .iter()
            .any(|f| CatalogId::is_file(f) && !(self.exists)(f));
        format!(
            "{} was written from catalog {}{}; this run found {} ({})",
            printable(&self.home),
            self.recorded.describe(),
            if gone { " (no longer there)" } else { "" },
            self.found.describe(),
            self.chosen.words()
        )
    }

    /// How to switch deliberately, and how to keep the home's catalog.
    #[must_use]
    pub fn help(&self) -> String {
        let switch = match self.found.files.as_slice() {
            [one] if CatalogId::is_file(one) => {
                let path = shell_word(one);
                format!(
                    "to switch this home to it, name it: `codexgen --catalog {path} gen`, or set {CATALOG_VAR}={path} (which also pins it for rc files and hooks)"
                )
            }
            _ => format!(
                "to switch this home to the built-in catalog, write it out (`codexgen init --output FILE`) and name that file with --catalog or {CATALOG_VAR}"
            ),
        };
        let gone: Vec<String> = self
            .recorded
            .files
            .iter()
            .filter(|f| CatalogId::is_file(f) && !(self.exists)(f))
            .map(|f| printable(f).into_owned())
            .collect();
        let keep = match self.recorded.files.as_slice() {
            [] => String::new(),
            // Naming a file that is not there would only fail.
            _ if !gone.is_empty() => format!(
                "; to keep the home's catalog, put {} back, or name the file it moved to: `codexgen --catalog FILE gen`",
                gone.join(" and ")
            ),
            files if files.iter().all(|f| CatalogId::is_file(f)) => {
                let named: Vec<String> = files
                    .iter()
                    .map(|f| format!("--catalog {}", shell_word(f)))
                    .collect();
                format!(
                    "; to keep the home's catalog, run where no other providers.yaml is found, or name it: `codexgen {} gen`",
                    named.join(" ")
                )
            }
            _ => "; to keep the home's catalog, name it as it was named when it wrote the home"
                .to_owned(),
        };
        format!("{switch}{keep}")
    }

    /// As a warning (`--diff`, `--check`, before the question).
    #[must_use]
    pub fn problem(&self) -> Problem {
        Problem::new(self.message()).help(format!(
            "`codexgen gen --yes` does not write this until the catalog is named; {}",
            self.help()
        ))
    }
}

/// A path as one shell word: bare when it is plain, else single-quoted.
fn shell_word(path: &str) -> String {
    let plain = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c));
    let shown = printable(path);
    if plain {
        shown.into_owned()
    } else {
        format!("'{}'", shown.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(files: &[&str], overlay: Option<&str>, content: &str) -> CatalogId {
        CatalogId {
            home: Some("/home/me/.codex".to_owned()),
            files: files.iter().map(|f| (*f).to_owned()).collect(),
            overlay: overlay.map(str::to_owned),
            content: content.to_owned(),
        }
    }

    #[test]
    fn the_files_decide_and_an_overlay_that_comes_or_goes_does_not() {
        let home = id(&["/c/providers.yaml"], Some("/c/providers.local.yaml"), "x");
        let there = |_: &str| true;
        assert_eq!(compare(None, &home, there), Whose::Unrecorded);
        assert_eq!(compare(Some(&home), &home, there), Whose::Same);
        // Edited in place, overlay removed or skipped: the same catalog.
        let edited = id(&["/c/providers.yaml"], None, "y");
        assert_eq!(compare(Some(&home), &edited, there), Whose::Same);
        assert_eq!(compare(Some(&edited), &home, there), Whose::Same);
        // Another file, even with the same text while the first is there.
        let clone = id(&["/src/repo/providers.yaml"], None, "x");
        assert_eq!(
            compare(Some(&home), &clone, there),
            Whose::Foreign { recorded: &home }
        );
        // Two overlays over the built-in catalog.
        let a = id(&["<built-in providers.yaml>"], Some("/a/p.local.yaml"), "1");
        let b = id(&["<built-in providers.yaml>"], Some("/b/p.local.yaml"), "1");
        assert!(matches!(
            compare(Some(&a), &b, there),
            Whose::Foreign { .. }
        ));
    }

    #[test]
    fn a_home_that_moved_with_its_catalog_finds_it_at_the_same_place_relative_to_it() {
        let at = |home: &str, file: &str| CatalogId {
            home: Some(home.to_owned()),
            ..id(&[file], None, "x")
        };
        let there = |_: &str| true;
        let recorded = at("/a/repo/fixtures/codex", "/a/repo/providers.yaml");
        let cloned = at("/b/clone/fixtures/codex", "/b/clone/providers.yaml");
        assert_eq!(compare(Some(&recorded), &cloned, there), Whose::Same);
        let other = at("/b/clone/fixtures/codex", "/b/other/providers.yaml");
        assert!(matches!(
            compare(Some(&recorded), &other, there),
            Whose::Foreign { .. }
        ));
        // The same home: only the same absolute path is the same catalog.
        let home = at(
            "/home/me/.codex",
            "/home/me/.config/codexgen/providers.yaml",
        );
        let found = at("/home/me/.codex", "/home/me/src/x/providers.yaml");
        assert!(matches!(
            compare(Some(&home), &found, there),
            Whose::Foreign { .. }
        ));
        assert_eq!(
            relative("/a/b/c", "/a/d/e.yaml"),
            std::path::PathBuf::from("../../d/e.yaml")
        );
    }

    #[test]
    fn a_catalog_is_moved_only_when_its_files_are_gone_and_its_text_is_the_same() {
        let old = id(&["/old/providers.yaml"], None, "x");
        let gone = |_: &str| false;
        let moved = id(&["/new/providers.yaml"], None, "x");
        assert_eq!(
            compare(Some(&old), &moved, gone),
            Whose::Moved { from: &old }
        );
        let changed = id(&["/new/providers.yaml"], None, "y");
        assert!(matches!(
            compare(Some(&old), &changed, gone),
            Whose::Foreign { .. }
        ));
        // Standard input and the built-in catalog never move.
        let stdin = id(&["<stdin>"], None, "x");
        assert!(matches!(
            compare(Some(&stdin), &moved, gone),
            Whose::Foreign { .. }
        ));
    }

    #[test]
    fn the_sentence_names_both_catalogs_and_how_to_choose() {
        let recorded = id(&["/home/me/.config/codexgen/providers.yaml"], None, "x");
        let found = id(&["/src/it's here/providers.yaml"], None, "y");
        let foreign = Foreign {
            home: "/home/me/.codex".to_owned(),
            recorded: &recorded,
            found: &found,
            chosen: Chosen::Folder,
            exists: |_| true,
        };
        assert_eq!(
            foreign.message(),
            "/home/me/.codex was written from catalog /home/me/.config/codexgen/providers.yaml; this run found /src/it's here/providers.yaml (found in the current folder), which would replace it"
        );
        let help = foreign.help();
        assert!(
            help.contains(r"`codexgen --catalog '/src/it'\''s here/providers.yaml' gen`"),
            "{help}"
        );
        assert!(help.contains("CODEXGEN_CATALOG='/src/it"), "{help}");
        assert!(
            help.contains("`codexgen --catalog /home/me/.config/codexgen/providers.yaml gen`"),
            "{help}"
        );
        let gone = Foreign {
            exists: |_| false,
            ..foreign
        };
        assert!(gone.message().contains("(no longer there)"));
    }
}
