//! The personal overlay as `adopt` and `use` write it: owns finding the
//! one the run reads or would read (and refusing, before anything is
//! shown, a link there that codexgen does not write through), the first
//! line of a new one, its write over exactly the text it was made from,
//! and naming the later catalog file that sets a key again. The text edit
//! is `catalog::edit`'s; what to set is each command's.

use std::path::Path;

use crate::diagnostic::shown;
use crate::error::Error;
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
