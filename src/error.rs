//! Owns the error a command ends with, and its one rendering: every stage's
//! error becomes one or more [`Problem`]s (message, source line, cause chain,
//! help) that `diagnostic` lays out. Help text lives with the error that
//! needs it, here or in the stage that knows; nothing else types `= help:`.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::catalog::CatalogError;
use crate::detect::DetectError;
use crate::diagnostic::{Level, Problem};
use crate::home;
use crate::input::ReadError;
use crate::merge::MergeError;
use crate::output::OutputError;
use crate::render::RenderError;
use crate::state::StateError;
use crate::verify::VerifyError;
use crate::write::WriteError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error(transparent)]
    Detect(#[from] DetectError),
    /// The real Codex refused the planned files; `help` says whose lines
    /// they are (the catalog's or the user's own), which only the caller knows.
    #[error("{refusal}")]
    Verify { refusal: VerifyError, help: String },
    /// A write failed; `doing` names the step and the file, as "cannot
    /// {doing}" (`write the catalog to ./x.yaml`), so that each caller says
    /// what it was writing rather than one phrase for every file.
    #[error("cannot {doing}")]
    Write {
        doing: String,
        #[source]
        source: WriteError,
    },
    /// A link that the rule for links refuses (see `write`), found before
    /// anything is written: said as it is, whichever file it stands for.
    #[error(transparent)]
    Link(WriteError),
    /// Another run holds the lock in this state folder.
    #[error("another codexgen run is writing to {0}")]
    Locked(PathBuf),
    #[error("{damage}")]
    State { path: PathBuf, damage: StateError },
    /// The record that travels with a linked config.toml is damaged.
    #[error("codexgen's record of a linked config.toml is damaged: {}: {}", path.display(), damage.detail())]
    Record { path: PathBuf, damage: StateError },
    /// A file codexgen reads is missing a piece, special, too large or not text.
    #[error(transparent)]
    Input(#[from] ReadError),
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A file changed on disk between planning and writing.
    #[error("{what} changed while codexgen was planning; nothing was written")]
    Changed { what: String },
    /// The state could not be saved before the first write (it records what
    /// the run is about to write), so nothing was written.
    #[error("cannot save codexgen's state in {}; nothing was written", path.display())]
    Unbegun {
        path: PathBuf,
        #[source]
        source: WriteError,
    },
    /// A file changed under a writing run, which stopped there. `written`
    /// files were written before it and are recorded.
    #[error("{} changed while codexgen was writing; it was left as it is, and nothing after it was written", path.display())]
    ChangedWhileWriting { path: PathBuf, written: usize },
    /// A write failed part way through a run, which stopped there; the files
    /// written before it are recorded.
    #[error("cannot write the Codex home; codexgen stopped after {written} of {total} file(s)")]
    Stopped {
        #[source]
        source: WriteError,
        written: usize,
        total: usize,
    },
    /// The state could not be saved at the end of a run (or after `after`
    /// stopped it). The state file still holds the run's pending record, so
    /// the next run settles it.
    #[error("cannot save codexgen's state in {}", path.display())]
    Unrecorded {
        path: PathBuf,
        #[source]
        source: WriteError,
        after: Option<Box<Error>>,
    },
    /// A problem at a place in a file that carries its own help (import's
    /// findings in a Codex file).
    #[error("{0}")]
    Located(Problem),
    /// Standard output failed (a full disk); the command stopped there.
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{message}")]
    Message {
        message: String,
        help: Option<String>,
    },
}

impl Error {
    /// A failed write, said as "cannot {doing}".
    pub fn write(doing: impl Into<String>) -> impl FnOnce(WriteError) -> Self {
        let doing = doing.into();
        move |source| match source {
            WriteError::Link(_) => Error::Link(source),
            source => Error::Write { doing, source },
        }
    }

    pub fn message(message: impl Into<String>) -> Self {
        Error::Message {
            message: message.into(),
            help: None,
        }
    }

    /// A write's failure: a refused link as [`Error::Link`], any other as
    /// [`Error::Write`].
    pub fn with_help(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Message {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    /// What to do about it, when there is something to say.
    fn help(&self) -> Option<String> {
        match self {
            Error::Merge(e) => e.help(),
            Error::Verify { help, .. }
            | Error::Catalog(CatalogError::Missing { help, .. }) => Some(help.clone()),
            Error::Locked(dir) => Some(format!(
                "wait for it to finish (or remove a stale {}), then run again",
                dir.join(home::LOCK_FILE).display()
            )),
            Error::State { path, .. } => Some(format!(
                "delete {} to start afresh (codexgen then forgets which entries it wrote)",
                path.display()
            )),
            Error::Record { path, .. } => Some(format!(
                "nothing was written; restore {} from your dotfiles history, or delete it (each machine then keeps to its own record, and providers another machine wrote stay until removed by hand)",
                path.display()
            )),
            Error::Changed { .. } => Some("run codexgen again to see the new diff".to_owned()),
            Error::Unbegun { source, .. } => source.help().or_else(|| {
                Some(format!("{}, then run codexgen again", source.fix()))
            }),
            Error::ChangedWhileWriting { written: 0, .. } => {
                Some("run codexgen again to see the new diff".to_owned())
            }
            Error::ChangedWhileWriting { written, .. } => Some(format!(
                "the {written} file(s) written before it are recorded; run codexgen again to see the new diff"
            )),
            Error::Stopped { source, .. } => source.help().or_else(|| {
                Some(format!("the files written before it are recorded; {}, then run `codexgen gen` again to finish", source.fix()))
            }),
            Error::Unrecorded { path, source, .. } => Some(format!(
                "{} still names every file codexgen may have written; {}, then run `codexgen gen --yes` again to finish the record",
                path.display(),
                source.fix()
            )),
            Error::Write { source, .. } => source.remedy(),
            Error::Link(source) => source.help(),
            Error::Message { help, .. } => help.clone(),
            Error::Input(e) | Error::Catalog(CatalogError::Read(e)) => e.help(),
            Error::Detect(e) => e.help(),
            Error::Render(e) => e.help(),
            Error::Catalog(_) | Error::Read { .. } | Error::Located(_) | Error::Output(_) => None,
        }
    }

    /// The problems to show, each with its own place and help.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Error::Catalog(CatalogError::Invalid(problems)) => problems.clone(),
            Error::Render(RenderError::InvalidToml(problem))
            | Error::Merge(MergeError::Unparsable(problem))
            | Error::Located(problem) => vec![problem.clone()],
            // What stopped the run, then why its record is not final: the
            // first one's help (which says it is) no longer holds.
            Error::Unrecorded {
                after: Some(after), ..
            } => {
                let mut problems: Vec<Problem> = after
                    .problems()
                    .into_iter()
                    .map(|p| p.maybe_help(None))
                    .collect();
                problems.push(Problem::from_error(self).maybe_help(self.help()));
                problems
            }
            other => vec![Problem::from_error(other).maybe_help(other.help())],
        }
    }

    /// The problems without their `error:` word, for a report line.
    pub fn body(&self) -> String {
        self.problems()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// The error as printed on stderr.
    pub fn render(&self) -> String {
        let problems = self.problems();
        let mut out = problems
            .iter()
            .map(|p| p.render(Level::Error))
            .collect::<Vec<_>>()
            .join("\n\n");
        if let Error::Catalog(CatalogError::Invalid(_)) = self
            && problems.len() > 1
        {
            let _ = write!(
                out,
                "\n\n{} problems in the catalog; nothing was written",
                problems.len()
            );
        }
        out
    }
}
