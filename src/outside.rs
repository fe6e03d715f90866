//! What changed in the Codex files outside codexgen since it wrote them, as
//! `gen` says it before anything is written. Owns the words for a managed
//! value edited outside codexgen (Codex's `/model`, its app server's
//! `modelProvider/default/set`, a hand edit: drift that a write would
//! overwrite) and the rule for a run nobody answers; does not find drift
//! (`merge` does) nor write anything.
//!
//! The rule: a run that is not asked (`gen --yes`, `-q gen --yes`, no
//! terminal) and would overwrite an edited value stops before writing
//! anything, names each value (file, dotted key, the edited value and the
//! catalog's, redacted as drift is) and the two ways out, `codexgen adopt`
//! (keeps them) and `codexgen gen --yes --overwrite` (puts the catalog's
//! back), and exits 1. A run on a terminal shows the same lines and asks.
//! A managed value deleted by hand is not an edit to keep: `gen` restores
//! it without stopping (`adopt` cannot keep a deletion). Neither is a value
//! the catalog no longer has (the removal is warned about; there is nothing
//! to adopt it into), nor a key codexgen does not manage (never drift).

use crate::diagnostic::{Problem, printable};
use crate::home::CodexFile;
use crate::kept::{self, Gone};
use crate::merge::{DriftAction, Note};
use crate::plan::{Plan, Planned};
use crate::state::{State, fingerprint};

use crate::secrets::redact_value;

/// The command that keeps an edited value, as each drift line names it.
pub const KEEP_WITH: &str = "codexgen adopt";

/// How many edited values the stop lists before a count.
const LISTED: usize = 5;

/// A managed value edited outside codexgen that the planned write
/// overwrites with the catalog's.
pub struct Edited<'p> {
    pub file: &'p CodexFile,
    pub path: &'p str,
    pub found: &'p str,
    /// The catalog's value, as the planned file holds it.
    pub catalog: Option<&'p str>,
}

/// Every managed value the plan would overwrite, in plan order.
pub fn edited(plan: &Plan) -> Vec<Edited<'_>> {
    plan.changed()
        .flat_map(|p| {
            p.merged.notes.iter().filter_map(move |note| match note {
                Note::Drift {
                    path,
                    found: Some(found),
                    action: DriftAction::Overwrite,
                    ..
                } => Some(Edited {
                    file: &p.file,
                    path,
                    found,
                    catalog: catalog_value(p, path),
                }),
                _ => None,
            })
        })
        .collect()
}

/// The value the planned file gives the managed leaf `path` (dotted).
pub fn catalog_value<'p>(p: &'p Planned, path: &str) -> Option<&'p str> {
    p.merged
        .managed
        .iter()
        .find(|m| dotted_is(&m.path, path))
        .map(|m| m.value.as_str())
}

/// Whether `keys` joined with dots is `dotted`, without joining them.
fn dotted_is(keys: &[String], dotted: &str) -> bool {
    let mut rest = dotted;
    for (i, key) in keys.iter().enumerate() {
        let Some(after) = rest.strip_prefix(key.as_str()) else {
            return false;
        };
        rest = if i + 1 == keys.len() {
            after
        } else {
            match after.strip_prefix('.') {
                Some(after) => after,
                None => return false,
            }
        };
    }
    rest.is_empty()
}

/// What follows a drift line of a value that would be overwritten.
pub fn keep_hint() -> String {
    format!("to keep it: `{KEEP_WITH}`")
}

/// The words added to the `[y/N]` question when the write overwrites
/// `edited` values (empty when none).
pub fn question_tail(edited: usize) -> String {
    if edited == 0 {
        String::new()
    } else {
        format!(
            ", overwriting {edited} value(s) edited outside codexgen (`{KEEP_WITH}` keeps them instead)"
        )
    }
}

/// The error of a run nobody answers that would overwrite `edited`.
pub fn stop(edited: &[Edited<'_>]) -> Problem {
    let mut lines = vec![format!(
        "{} value(s) edited outside codexgen would be overwritten with the catalog's; nothing was written",
        edited.len()
    )];
    lines.extend(edited.iter().take(LISTED).map(|e| {
        let line = format!(
            "  {}: `{}` is {} (the catalog's: {})",
            e.file,
            e.path,
            redact_value(e.path, e.found),
            e.catalog
                .map_or_else(|| "none".to_owned(), |v| redact_value(e.path, v))
        );
        printable(&line).into_owned()
    }));
    if edited.len() > LISTED {
        lines.push(format!(
            "  and {} more (`codexgen gen --diff` shows each)",
            edited.len() - LISTED
        ));
    }
    Problem::new(lines.join("\n")).help(format!(
        "keep them: `{KEEP_WITH}` (writes them into your personal overlay), then `codexgen gen --yes`; or put the catalog's values back: `codexgen gen --yes --overwrite`"
    ))
}

/// What config.toml held at codexgen's last write, not codexgen's, that
/// is no longer there (`None`: nothing, or no record of it). Looked for
/// only when the file is not the text codexgen wrote.
pub fn gone_from_config(plan: &Plan, state: &State) -> Option<Gone> {
    let entry = state.files.get(&CodexFile::Config)?;
    let recorded = entry.kept.as_ref()?;
    let current = plan.get(&CodexFile::Config)?.current.as_deref()?;
    if entry.text.as_deref() == Some(fingerprint(current.as_bytes()).as_str()) {
        return None;
    }
    let gone = kept::gone(recorded, current);
    (!gone.is_empty()).then_some(gone)
}

/// The warning for what is gone, and its help: the same words in `gen`
/// and `doctor`.
pub fn gone_words(gone: &Gone) -> (String, String) {
    let mut what = Vec::new();
    if !gone.keys.is_empty() {
        let mut names: Vec<String> = gone
            .keys
            .iter()
            .take(LISTED)
            .map(|k| printable(k).into_owned())
            .collect();
        if gone.keys.len() > LISTED {
            names.push(format!("and {} more", gone.keys.len() - LISTED));
        }
        what.push(format!(
            "{} table(s) or key(s) of yours ({})",
            gone.keys.len(),
            names.join(", ")
        ));
    }
    if gone.comments > 0 {
        what.push(format!("{} comment line(s)", gone.comments));
    }
    (
        format!(
            "config.toml: {} no longer in config.toml since codexgen's last write",
            what.join(" and ")
        ),
        "if another program rewrote the file (the Codex desktop app keeps only the keys it manages), `codexgen restore --list` shows the earlier versions codexgen kept; if you removed them yourself, nothing is wrong (the next `codexgen gen` that writes records the file as it is)".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::dotted_is;

    #[test]
    fn a_dotted_path_is_matched_key_by_key() {
        let keys = |k: &[&str]| k.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(dotted_is(&keys(&["model"]), "model"));
        assert!(dotted_is(
            &keys(&["model_providers", "a", "name"]),
            "model_providers.a.name"
        ));
        assert!(!dotted_is(
            &keys(&["model_providers", "a"]),
            "model_providers.a.name"
        ));
        assert!(!dotted_is(&keys(&["model"]), "model_provider"));
        assert!(!dotted_is(&keys(&["mo", "del"]), "model"));
    }
}
