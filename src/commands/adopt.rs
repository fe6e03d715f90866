//! `codexgen adopt`: keeps the managed values edited in the Codex files
//! (Codex's own `/model` writes `model`, users edit by hand) by writing them
//! into the personal overlay, the dotfiles tool's `re-add`. Owns mapping a
//! drifted leaf back to the catalog key it came from, and the overlay's
//! review and write; the drift itself is `plan`'s, the text edit
//! `catalog::edit`'s.
//!
//! Mapping: config.toml `model`/`model_provider` are the default profile's
//! `model`/`provider`; any other top-level setting (`KEY`, `TABLE.KEY`) is
//! the default profile's when it sets `KEY`/`TABLE`, else `settings.KEY`;
//! `model_providers.ID.KEY` is `providers.ID.KEY`; `mcp_servers.ID.KEY`
//! is `mcp_servers.ID.KEY`;
//! `NAME.config.toml` `KEY` and a legacy `profiles.NAME.KEY` are
//! `profiles.NAME.KEY` (`model_provider` is `provider`). A managed value
//! deleted by hand, one the catalog no longer has, and one that is not a
//! single string, number (whole, or seconds) or boolean are not adopted (each is said).
//!
//! The overlay is the one the run reads or would read (beside the first
//! catalog file, or in the config dir over the built-in catalog), created
//! when absent. Before anything is shown, the edited overlay is layered and
//! planned again: each adopted value must then be what the catalog renders.

use crate::catalog::edit::{self, Scalar};
use crate::catalog::{self, CatalogError};
use crate::diagnostic::{Exit, Problem, printable, shown};
use crate::error::Error;
use crate::home::CodexFile;
use crate::merge::{DriftAction, Note};
use crate::output::Stdout;
use crate::overlay::Overlay;
use crate::plan;
use crate::secrets::redact;
use crate::settings::Settings;
use crate::ui::plans::print_diff;
use crate::ui::prompt::confirm;
use crate::verbosity;

/// What `adopt` does once it has the overlay's new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print the overlay's diff; write nothing.
    Diff,
    /// Print the diff and write, asking first unless `yes`.
    Write { yes: bool },
}

pub struct Options {
    pub mode: Mode,
}

/// One value to adopt: where it is on disk, and where it goes.
struct Adopted {
    file: CodexFile,
    /// The leaf's path in its Codex file, dotted as drift notes say it.
    leaf: String,
    key: Vec<String>,
    value: Scalar,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    // A link where the overlay is (a cloned repository may commit one) is
    // refused before anything is shown or asked.
    let overlay = Overlay::writable(settings, "`adopt` writes the personal overlay", "adopt")?;
    let prepared = plan::prepare(settings, None)?;
    let state = plan::read_state(settings)?;
    let planned = prepared.plan(settings, &state)?;
    let adopted = drifted(&planned, &prepared.catalog);
    if adopted.is_empty() {
        verbosity::info("nothing to adopt: no managed value was edited in the Codex files");
        return Ok(Exit::Ok);
    }

    let name = &overlay.name;
    let mut text = overlay.text().to_owned();
    for a in &adopted {
        let key: Vec<&str> = a.key.iter().map(String::as_str).collect();
        text = edit::set(name, &text, &key, &a.value)
            .map_err(|refused| Error::Catalog(CatalogError::Invalid(vec![refused.0])))?;
    }
    let follow = check_layered(settings, &state, &overlay, &text, &adopted)?;

    let mut out = Stdout::new("the diff");
    for a in &adopted {
        out.line(format_args!(
            "adopt: {}: `{}` = {} -> `{}` in {}",
            a.file,
            shown(&a.leaf),
            printable(&redact(&a.value.to_yaml())),
            shown(&a.key.join(".")),
            shown(name)
        ))?;
    }
    print_diff(&mut out, name, overlay.old, &text)?;
    out.finish()?;
    let yes = match options.mode {
        Mode::Diff => {
            say_what_follows(&follow);
            return Ok(Exit::Ok);
        }
        Mode::Write { yes } => yes,
    };
    if !yes && !confirm(1, "adopt")? {
        // As `gen`'s "no": the run did not do what it was asked.
        verbosity::info("nothing written");
        return Ok(Exit::Attention);
    }
    overlay.write(&text)?;
    verbosity::info(&format!(
        "adopted {} value(s) into {}; `codexgen gen` now keeps them",
        adopted.len(),
        shown(name)
    ));
    say_what_follows(&follow);
    Ok(Exit::Ok)
}

/// Every drifted managed value that can be adopted; each that cannot is
/// said, with why.
fn drifted(planned: &plan::Plan, catalog: &catalog::Catalog) -> Vec<Adopted> {
    let mut adopted: Vec<Adopted> = Vec::new();
    for p in &planned.files {
        for note in &p.merged.notes {
            let Note::Drift {
                path,
                found,
                action,
                ..
            } = note
            else {
                continue;
            };
            let skip = |why: &str| {
                verbosity::note(format_args!("{}: `{}` {why}", p.file, shown(path)));
            };
            let Some(found) = found else {
                skip(
                    "was deleted by hand; a deleted value cannot be adopted (`codexgen gen` restores it; to drop it, remove it from the catalog with `~` in your overlay)",
                );
                continue;
            };
            if *action == DriftAction::Remove {
                skip(
                    "was edited by hand, but the catalog no longer has it: nothing to adopt it into",
                );
                continue;
            }
            let leaf: Vec<&str> = path.split('.').collect();
            let Some(key) = catalog_key(&p.file, &leaf, catalog) else {
                skip("is not a value the catalog sets; left as it is");
                continue;
            };
            let Some(value) = scalar_of(found) else {
                skip(&format!(
                    "holds {}, not a single string, number or boolean; copy it into your overlay (`{}`) by hand",
                    printable(&redact(found)),
                    shown(&key.join("."))
                ));
                continue;
            };
            adopted.push(Adopted {
                file: p.file.clone(),
                leaf: path.clone(),
                key,
                value,
            });
        }
    }
    adopted
}

/// A managed value as `merge` records it (its canonical form: one line of
/// TOML), read back as one scalar (a string, integer, finite float or
/// boolean); `None` for anything else (a table, an array, a date).
fn scalar_of(canonical: &str) -> Option<Scalar> {
    let doc: toml_edit::DocumentMut = format!("v = {canonical}\n").parse().ok()?;
    let value = doc.get("v")?.as_value()?;
    match value {
        toml_edit::Value::String(s) => Some(Scalar::Str(s.value().clone())),
        toml_edit::Value::Integer(n) => Some(Scalar::Int(*n.value())),
        toml_edit::Value::Float(x) if x.value().is_finite() => Some(Scalar::Float(*x.value())),
        toml_edit::Value::Boolean(b) => Some(Scalar::Bool(*b.value())),
        _ => None,
    }
}

/// The catalog key a managed leaf of `file` comes from. A setting at
/// config.toml's top level (`model_reasoning_effort`, `features.NAME`) is
/// the default profile's when it sets the key, else the catalog's
/// `settings`.
fn catalog_key(file: &CodexFile, leaf: &[&str], catalog: &catalog::Catalog) -> Option<Vec<String>> {
    let default = catalog.default.as_deref();
    let profile_key = |k: &str| if k == "model_provider" { "provider" } else { k }.to_owned();
    let key: Vec<String> = match (file, leaf) {
        (CodexFile::Config, ["model"]) => vec!["profiles".into(), default?.into(), "model".into()],
        (CodexFile::Config, ["model_provider"]) => {
            vec!["profiles".into(), default?.into(), "provider".into()]
        }
        (CodexFile::Config, ["model_providers", id, key]) => {
            vec!["providers".into(), (*id).into(), (*key).into()]
        }
        // A catalog MCP server's value: the catalog's `mcp_servers.ID...`.
        (CodexFile::Config, ["mcp_servers", rest @ ..]) => std::iter::once("mcp_servers")
            .chain(rest.iter().copied())
            .map(str::to_owned)
            .collect(),
        (CodexFile::Config, ["profiles", name, key, rest @ ..]) => {
            let mut key = vec!["profiles".into(), (*name).into(), profile_key(key)];
            key.extend(rest.iter().map(|k| (*k).to_owned()));
            key
        }
        (CodexFile::Profile(name), [key]) => {
            vec!["profiles".into(), name.as_str().into(), profile_key(key)]
        }
        (CodexFile::Config, [first, ..]) if *first != "profiles" && *first != "model_providers" => {
            let by_default = default
                .and_then(|d| catalog.profile(d))
                .is_some_and(|p| p.setting(first).is_some());
            let mut key: Vec<String> = if by_default {
                vec!["profiles".into(), default?.into()]
            } else {
                vec!["settings".into()]
            };
            key.extend(leaf.iter().map(|k| (*k).to_owned()));
            key
        }
        (CodexFile::Profile(name), [first, rest @ ..]) => {
            let mut key = vec!["profiles".into(), name.as_str().into(), (*first).to_owned()];
            key.extend(rest.iter().map(|k| (*k).to_owned()));
            key
        }
        _ => return None,
    };
    Some(key)
}

/// The Codex files that `gen` changes once the overlay holds the adopted
/// values: a value two files hold (the default profile's model is in
/// config.toml and in its profile file) follows in the file not edited.
fn say_what_follows(files: &[CodexFile]) {
    if files.is_empty() {
        return;
    }
    let names = files.iter().map(ToString::to_string).collect::<Vec<_>>();
    verbosity::note(format_args!(
        "with the overlay, `codexgen gen` then also changes {} (review with `codexgen gen --diff`)",
        names.join(", ")
    ));
}

/// Layers the edited overlay with the other catalog files and plans again:
/// the catalog must be valid and render exactly each adopted value (no
/// drift left on its leaf), else nothing is written. Returns the files that
/// plan still changes.
fn check_layered(
    settings: &Settings,
    state: &crate::state::State,
    overlay: &Overlay<'_>,
    text: &str,
    adopted: &[Adopted],
) -> Result<Vec<CodexFile>, Error> {
    let name = shown(&overlay.name);
    let invalid = |e: Error| match e {
        Error::Catalog(CatalogError::Invalid(mut problems)) => {
            problems.push(
                Problem::new(format!(
                    "the edited values do not make a valid catalog with {name} as adopt would write it (shown above); nothing was written"
                ))
                .help("fix the value in the Codex file (or let `codexgen gen` put the catalog's value back), then run `codexgen adopt` again"),
            );
            Error::Catalog(CatalogError::Invalid(problems))
        }
        other => other,
    };
    let layered = settings.relayered(Some(text)).map_err(invalid)?;
    // Where each key is set last, read before the catalog is built.
    let again: Vec<String> = adopted
        .iter()
        .map(|a| {
            let key: Vec<&str> = a.key.iter().map(String::as_str).collect();
            overlay.set_again(&layered, &key)
        })
        .collect();
    let prepared = plan::prepare(&layered, None).map_err(invalid)?;
    let keys: Vec<String> = adopted
        .iter()
        .map(|a| format!("`{}`", shown(&a.key.join("."))))
        .collect();
    overlay.check_alone(settings, &layered, &keys.join(", "))?;
    let planned = prepared.plan(settings, state)?;
    for (a, again) in adopted.iter().zip(again) {
        let still = planned.get(&a.file).is_some_and(|p| {
            p.merged
                .notes
                .iter()
                .any(|n| matches!(n, Note::Drift { path, .. } if *path == a.leaf))
        });
        if still {
            return Err(Error::Catalog(CatalogError::Invalid(vec![
                Problem::new(format!(
                    "writing `{}` into {name} would not keep {}'s `{}`: {again}",
                    shown(&a.key.join(".")),
                    a.file,
                    shown(&a.leaf)
                ))
                .help(
                    "nothing was written; change that value in the catalog file that sets it last",
                ),
            ])));
        }
    }
    Ok(planned.changed().map(|p| p.file.clone()).collect())
}
