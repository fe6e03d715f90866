//! `codexgen init`: writes the built-in catalog, byte for byte and with its
//! comments, to a file the user then edits (`./providers.yaml` by default,
//! the user's config dir with `--user`, any path or stdout with `--output`).
//! Owns only that; it reads no catalog and no Codex home, and refuses to
//! replace an existing file unless told to (`--force`).

use std::path::{Path, PathBuf};

use crate::catalog::{self, CONFIG_FOLDER};
use crate::diagnostic::{Exit, printable};
use crate::error::Error;
use crate::output::Stdout;
use crate::verbosity;
use crate::write::{self, Expect};

/// Where `init` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// `./providers.yaml`.
    Here,
    /// `providers.yaml` in the user's config dir.
    User,
    /// A path the user named.
    File(PathBuf),
    /// Standard output (`--output -`).
    Stdout,
}

pub struct Options {
    pub output: Output,
    pub force: bool,
    /// The user's config dir (`$XDG_CONFIG_HOME`, else `~/.config`).
    pub config_dir: Option<PathBuf>,
}

pub fn run(options: &Options) -> Result<Exit, Error> {
    let path = match &options.output {
        Output::Stdout => {
            let mut out = Stdout::new("the catalog");
            out.print(catalog::EMBEDDED)?;
            out.finish()?;
            return Ok(Exit::Ok);
        }
        Output::Here => PathBuf::from("providers.yaml"),
        Output::File(path) => path.clone(),
        Output::User => options
            .config_dir
            .as_ref()
            .map(|d| d.join(CONFIG_FOLDER).join("providers.yaml"))
            .ok_or_else(|| {
                Error::with_help(
                    "cannot tell where your config folder is",
                    "set XDG_CONFIG_HOME or HOME, or pass --output FILE",
                )
            })?,
    };
    // A name that exists but is not a file (a folder, a dangling link) is
    // refused too: `--force` replaces files only.
    let exists = path.symlink_metadata().is_ok();
    if exists && !options.force {
        return Err(refuse(&path, false));
    }
    // A link is replaced only by the rule for links (see `write`): one that
    // dangles, or leads to a file unlike it, is refused and named.
    if exists
        && !write::target(&path)
            .map_err(Error::write(format!("write {}", path.display())))?
            .is_file()
    {
        return Err(refuse(&path, true));
    }
    let expect = if exists {
        Expect::AsRead
    } else {
        // Created by someone else meanwhile: refused, not replaced.
        Expect::Exactly(None)
    };
    write::write(&path, catalog::EMBEDDED, None, expect).map_err(|e| match e {
        write::WriteError::Changed(_) => refuse(&path, options.force),
        other => Error::Write {
            doing: format!("write the catalog to {}", path.display()),
            source: other,
        },
    })?;
    verbosity::info(&format!(
        "wrote the built-in catalog to {}\nnext: edit it (keep what you use), then `codexgen gen --diff{}` to review what it changes in the Codex home",
        printable(&path.display().to_string()),
        catalog_flag(&path, options)
    ));
    Ok(Exit::Ok)
}

/// The `--catalog` a later run needs to find this file, if any.
fn catalog_flag(path: &Path, options: &Options) -> String {
    match options.output {
        Output::Here | Output::User => String::new(),
        _ => format!(" --catalog {}", printable(&path.display().to_string())),
    }
}

fn refuse(path: &Path, force: bool) -> Error {
    if force {
        Error::with_help(
            format!("{} exists and is not a regular file", path.display()),
            "nothing was written; pick another --output",
        )
    } else {
        Error::with_help(
            format!("{} already exists", path.display()),
            "nothing was written; pass --force to replace it, or --output FILE to write elsewhere",
        )
    }
}
