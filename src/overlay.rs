//! The personal overlay as `adopt` and `use` write it: owns finding the
//! one the run reads or would read (and refusing, before anything is
//! shown, a link there that codexgen does not write through), the first
//! line of a new one, its write over exactly the text it was made from,
//! and naming the later catalog file that sets a key again. The text edit
//! is `catalog::edit`'s; what to set is each command's.

use std::path::Path;

use crate::diagnostic::shown;
use crate::error::Error;
use crate::plan;
use crate::settings::Settings;
use crate::write::{self, Expect};

/// The first line of an overlay codexgen creates.
pub const NEW: &str = "# Personal overlay: laid over the catalog key by key (`codexgen use`, `adopt` and `add --local` write here).\n";

/// The personal overlay a command may write.
pub struct Overlay<'s> {
    pub path: &'s Path,
    /// How the user knows it (as the catalog's sources name it).
    pub name: String,
    /// Its text as read; `None` when there is none yet.
    pub old: Option<&'s str>,
}

impl<'s> Overlay<'s> {
    /// The overlay of `settings`, once it is sure it may be written: there
    /// is one (`--no-local` leaves it out), and a link where it is is one
    /// codexgen writes through (see `write`). `writes` says what the
    /// command keeps there ("`adopt` writes the personal overlay"),
    /// `command` is its name, for the help.
    pub fn writable(settings: &'s Settings, writes: &str, command: &str) -> Result<Self, Error> {
        let path = match &settings.overlay {
            Ok(overlay) => overlay.as_path(),
            Err(none) => {
                return Err(Error::with_help(
                    format!("{writes}, which {}; nothing was written", none.why()),
                    none.help().replace("adopt", command),
                ));
            }
        };
        write::target(path).map_err(Error::write(format!(
            "write the personal overlay {}",
            path.display()
        )))?;
        let old = settings
            .catalog
            .sources()
            .iter()
            .find(|s| Path::new(&s.name) == path)
            .map(|s| s.text.as_str());
        Ok(Overlay {
            path,
            name: path.display().to_string(),
            old,
        })
    }

    /// The text an edit starts from: the overlay's, or a new one's first
    /// line.
    pub fn text(&self) -> &str {
        self.old.unwrap_or(NEW)
    }

    /// Writes `text`, only over the text read (an overlay changed since is
    /// [`Error::Changed`]).
    pub fn write(&self, text: &str) -> Result<(), Error> {
        write::write(
            self.path,
            text,
            None,
            Expect::Exactly(self.old.map(str::as_bytes)),
        )
        .map_err(|e| match e {
            write::WriteError::Changed(_) => Error::Changed {
                what: self.name.clone(),
            },
            other => Error::Write {
                doing: format!("write the personal overlay {}", self.name),
                source: other,
            },
        })?;
        Ok(())
    }

    /// Refuses an edit after which the first catalog file and this overlay,
    /// read without the later `--catalog` files (as a run naming only the
    /// first file reads them: `gen`, `doctor`, a CI check), are no longer a
    /// valid catalog, while they were before. The overlay is the first
    /// file's: a value that only a later file makes valid (a profile it
    /// defines, say) belongs in that later file. `edited` is the catalog
    /// layered with the edited overlay; `what` says the edit
    /// (`` `default: c` ``).
    pub fn check_alone(
        &self,
        before: &Settings,
        edited: &Settings,
        what: &str,
    ) -> Result<(), Error> {
        let valid = |settings: &Settings| {
            settings
                .first_file_alone()
                .map(|alone| alone.and_then(|a| plan::prepare(&a, None)).is_ok())
        };
        if valid(edited) != Some(false) || valid(before) == Some(false) {
            return Ok(());
        }
        let sources = edited.catalog.sources();
        let first = sources.first().map_or("", |s| s.name.as_str());
        let later: Vec<String> = sources
            .iter()
            .skip(1)
            .filter(|s| s.name != self.name)
            .map(|s| shown(&s.name))
            .collect();
        Err(Error::with_help(
            format!(
                "writing {what} into {} would make {} with its overlay, read without {}, an invalid catalog (as `gen` and `doctor` read it when only {} is named); nothing was written",
                shown(&self.name),
                shown(first),
                later.join(", "),
                shown(first)
            ),
            "the personal overlay is the first catalog file's: set it in the later catalog file that makes it valid instead",
        ))
    }

    /// "a later catalog file sets `KEY` again" (with the file and line that
    /// does, when `layered` names one other than the overlay): why writing
    /// `key` into the overlay would not take.
    pub fn set_again(&self, layered: &Settings, key: &[&str]) -> String {
        let dotted = key.join(".");
        match layered.catalog.set_at(key) {
            Some((file, line)) if file != self.name => format!(
                "a later catalog file sets `{dotted}` again: {}:{line}",
                shown(&file)
            ),
            _ => format!("a later catalog file sets `{dotted}` again"),
        }
    }
}
