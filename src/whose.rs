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
//! the same catalog; two different overlays over the same files are not,
//! nor is an overlay in another place than the one the home's run looked
//! at (a folder whose `providers.yaml` is a link to the home's catalog,
//! with its own `providers.local.yaml` beside the link).
//! A home an older codexgen wrote records no catalog: the first run records
//! its own, unless the folder it runs in chose it ([`may_record`]).
//! A catalog that moved (the recorded files are gone, the text read is the
//! same) is the same catalog, and the record follows it. A home that moved
//! with its catalog (a repository holding both, cloned elsewhere) finds it
//! at the same place relative to the home, and that is the same catalog too.

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Problem, printable, sh_quote};

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
    /// The personal overlay read over them, by its place (its folder's
    /// canonical path and its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<String>,
    /// Where the run looked for the personal overlay, read or not (as
    /// `overlay`): beside the first catalog file as it was named, which a
    /// link to the catalog puts in another folder than the link's target.
    /// `None` for a run that looked nowhere (`--catalog -`), or a record
    /// written before codexgen kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
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
        // An overlay read by one run and not the other came or went at the
        // place the other looked (adopt created it, the user deleted it,
        // --no-local skipped it); at another place, it is another catalog's.
        let overlays = |a: &CatalogId, b: &CatalogId| match (&a.overlay, &b.overlay) {
            (Some(x), Some(y)) => same(x, y),
            (Some(x), None) => b.local.as_ref().is_none_or(|looked| same(x, looked)),
            (None, _) => true,
        };
        self.files.len() == other.files.len()
            && self.files.iter().zip(&other.files).all(|(a, b)| same(a, b))
            && overlays(self, other)
            && overlays(other, self)
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

    /// Whether the overlay read is not the one beside the first file's
    /// target (`NAME.local.yaml` beside `NAME.yaml`): the file was named
    /// through a link in the overlay's folder, and naming the target would
    /// not read it.
    #[must_use]
    pub fn overlay_elsewhere(&self) -> bool {
        let beside = self
            .files
            .first()
            .filter(|f| Self::is_file(f))
            .and_then(|first| {
                let first = std::path::Path::new(first);
                let stem = first.file_stem()?.to_str()?;
                Some(first.with_file_name(format!("{stem}.local.yaml")))
            });
        match (&self.overlay, beside) {
            (Some(overlay), Some(beside)) => std::path::Path::new(overlay) != beside,
            _ => false,
        }
    }

    /// Whether a catalog is a file a path can name (not built in, not
    /// standard input).
    #[must_use]
    pub fn is_file(name: &str) -> bool {
        !(name.starts_with('<') && name.ends_with('>'))
    }
}

/// The catalog of a home that an older codexgen wrote, without recording
/// which catalog that was, as said in messages.
pub const UNRECORDED_NAME: &str = "<not recorded: an older codexgen wrote this home>";

impl CatalogId {
    /// The catalog of a home an older codexgen wrote ([`UNRECORDED_NAME`]):
    /// compared with a catalog found in the current folder (see
    /// [`may_record`]), it is another catalog.
    #[must_use]
    pub fn unrecorded() -> CatalogId {
        CatalogId {
            home: None,
            files: vec![UNRECORDED_NAME.to_owned()],
            overlay: None,
            local: None,
            content: String::new(),
        }
    }
}

/// Whether a run that reads `found` may record it, without asking, in a
/// home that records no catalog: a fresh home (`written` false), or one an
/// older codexgen wrote from a catalog it did not record. The folder a
/// command runs in must not decide whose setup such a home gets either:
/// a catalog found there is recorded only when the home lies in that
/// catalog's folder (a repository's own home, as the CI recipe keeps one);
/// the user's config folder, the built-in catalog or a named one are.
#[must_use]
pub fn may_record(found: &CatalogId, chosen: Chosen, written: bool) -> bool {
    use std::path::Path;
    let own_home = || match (&found.home, found.files.as_slice()) {
        (Some(home), [first, ..]) => Path::new(first)
            .parent()
            .is_some_and(|folder| Path::new(home).starts_with(folder)),
        _ => false,
    };
    !written || chosen != Chosen::Folder || own_home()
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
    /// The found catalog's first file as the run named or found it
    /// (absolute, links not followed): naming that reads the overlay the
    /// run read, where naming its target would not.
    pub named: Option<String>,
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
                let path = match &self.named {
                    Some(named) if self.found.overlay_elsewhere() => sh_quote(&printable(named)),
                    _ => sh_quote(&printable(one)),
                };
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
            // Naming the file would not read that overlay.
            _ if self.recorded.overlay_elsewhere() => format!(
                "; to keep the home's catalog, run where no other providers.yaml is found, or name it as it was named when it wrote the home (its overlay is {})",
                self.recorded
                    .overlay
                    .as_deref()
                    .map(printable)
                    .unwrap_or_default()
            ),
            files if files.iter().all(|f| CatalogId::is_file(f)) => {
                let named: Vec<String> = files
                    .iter()
                    .map(|f| format!("--catalog {}", sh_quote(&printable(f))))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn id(files: &[&str], overlay: Option<&str>, content: &str) -> CatalogId {
        CatalogId {
            home: Some("/home/me/.codex".to_owned()),
            files: files.iter().map(|f| (*f).to_owned()).collect(),
            overlay: overlay.map(str::to_owned),
            local: None,
            content: content.to_owned(),
        }
    }

    #[test]
    fn a_home_without_a_record_takes_a_catalog_found_in_the_folder_only_when_it_is_the_folder_s() {
        let found = |home: &str| CatalogId {
            home: Some(home.to_owned()),
            ..id(&["/src/repo/providers.yaml"], None, "x")
        };
        let mine = found("/home/me/.codex");
        assert!(may_record(&mine, Chosen::Folder, false));
        assert!(!may_record(&mine, Chosen::Folder, true));
        for chosen in [
            Chosen::Flag,
            Chosen::Variable,
            Chosen::UserConfig,
            Chosen::BuiltIn,
        ] {
            assert!(may_record(&mine, chosen, true), "{chosen:?}");
        }
        let fixtures = found("/src/repo/fixtures/codex");
        assert!(may_record(&fixtures, Chosen::Folder, true));
        let beside = found("/src/repository/codex");
        assert!(!may_record(&beside, Chosen::Folder, true));
        assert!(!CatalogId::is_file(UNRECORDED_NAME));
    }

    #[test]
    fn an_overlay_elsewhere_than_beside_the_file_is_named_through_the_link() {
        let beside = id(&["/c/providers.yaml"], Some("/c/providers.local.yaml"), "x");
        assert!(!beside.overlay_elsewhere());
        let linked = id(
            &["/dots/providers.yaml"],
            Some("/c/providers.local.yaml"),
            "x",
        );
        assert!(linked.overlay_elsewhere());
        assert!(!id(&["/dots/providers.yaml"], None, "x").overlay_elsewhere());
        let builtin = id(
            &[crate::catalog::EMBEDDED_NAME],
            Some("/c/p.local.yaml"),
            "x",
        );
        assert!(!builtin.overlay_elsewhere());
        let foreign = Foreign {
            home: "/h".to_owned(),
            recorded: &linked,
            found: &linked,
            chosen: Chosen::Folder,
            exists: |_| true,
            named: Some("/src/x/providers.yaml".to_owned()),
        };
        let help = foreign.help();
        assert!(
            help.contains("`codexgen --catalog /src/x/providers.yaml gen`"),
            "{help}"
        );
        assert!(!help.contains("--catalog /dots/providers.yaml"), "{help}");
        assert!(
            help.contains("(its overlay is /c/providers.local.yaml)"),
            "{help}"
        );
    }

    #[test]
    fn an_overlay_is_the_home_s_only_at_the_place_the_home_s_run_looked() {
        let looked = |overlay: Option<&str>, local: &str| CatalogId {
            local: Some(local.to_owned()),
            ..id(&["/c/providers.yaml"], overlay, "x")
        };
        let there = |_: &str| true;
        let mine = "/c/providers.local.yaml";
        let home = looked(None, mine);
        // Appears, or goes, where the home's run looked: the same catalog.
        let appeared = looked(Some(mine), mine);
        assert_eq!(compare(Some(&home), &appeared, there), Whose::Same);
        assert_eq!(compare(Some(&appeared), &home, there), Whose::Same);
        // Beside a link to the catalog in another folder: another catalog,
        // whether the home had an overlay or not.
        let planted = looked(
            Some("/src/x/providers.local.yaml"),
            "/src/x/providers.local.yaml",
        );
        assert!(matches!(
            compare(Some(&home), &planted, there),
            Whose::Foreign { .. }
        ));
        assert!(matches!(
            compare(Some(&appeared), &planted, there),
            Whose::Foreign { .. }
        ));
        // The home's overlay, not read by a run that looked elsewhere.
        let elsewhere = looked(None, "/src/x/providers.local.yaml");
        assert!(matches!(
            compare(Some(&appeared), &elsewhere, there),
            Whose::Foreign { .. }
        ));
        // No overlay on either side: where each looked does not matter.
        assert_eq!(compare(Some(&home), &elsewhere, there), Whose::Same);
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
            named: None,
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
