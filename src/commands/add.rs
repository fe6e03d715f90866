//! `codexgen add PRESET…`: copies shipped providers (the presets: the
//! providers of the built-in catalog, see `catalog::presets`) and their
//! example profiles, with the comments above them, into the user's catalog
//! file (the first catalog file the run reads), or with `--local` into the
//! personal overlay (created with `schema: 1` when absent, as `adopt` does).
//! Owns choosing the file, what is skipped and why, and the review and
//! write; the text edit is `catalog::edit`'s. `add --list` shows the
//! presets.
//!
//! A preset whose provider id the catalog already has (in any file the run
//! reads) is skipped and said, and so is an example profile whose name the
//! catalog already has (the provider is still added). Over the built-in
//! catalog there is no catalog file of the user's to add to: refused, with
//! `init` and `--local` named. The edited file is layered with the others
//! and checked for the target (every added provider and profile must then
//! be in the catalog) before its diff is shown; nothing is written to the
//! Codex home (`codexgen gen` does that).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::catalog::presets::{self, Preset};
use crate::catalog::{self, CatalogError, EMBEDDED_NAME, Source, edit};
use crate::diagnostic::{Exit, Problem, did_you_mean, printable};
use crate::error::Error;
use crate::input;
use crate::output::Stdout;
use crate::plan;
use crate::settings::Settings;
use crate::ui::plans::print_diff;
use crate::ui::prompt::confirm;
use crate::ui::report::{Format, print_out, shown};
use crate::verbosity;
use crate::write::{self, Expect};

/// What `add` does once it has the file's new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print the file's diff; write nothing.
    Diff,
    /// Print the diff and write, asking first unless `yes`.
    Write { yes: bool },
}

pub struct Options {
    /// The presets named, in order.
    pub names: Vec<String>,
    /// Into the personal overlay, not the catalog file.
    pub local: bool,
    /// List the presets instead.
    pub list: bool,
    pub mode: Mode,
    pub format: Format,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    let presets = presets::all();
    if options.list {
        return list(&presets, options.format);
    }
    let mut chosen: Vec<&Preset> = Vec::new();
    for name in &options.names {
        let preset = presets
            .iter()
            .find(|p| p.id == *name)
            .ok_or_else(|| unknown(name, &presets))?;
        if !chosen.iter().any(|c| c.id == preset.id) {
            chosen.push(preset);
        }
    }
    let (path, at) = destination(settings, options.local)?;
    let name = path.display().to_string();
    write::target(&path).map_err(Error::write(format!("write {name}")))?;

    let catalog = settings.catalog.build(&settings.target)?;
    let sources = settings.catalog.sources();
    let old = at.map(|i| sources[i].text.as_str());
    let (text, added) = add_to(
        &name,
        old.map_or_else(|| crate::overlay::NEW.to_owned(), str::to_owned),
        &chosen,
        &catalog,
    )?;
    if added.is_empty() {
        verbosity::info("nothing to add: the catalog already has every preset named");
        return Ok(Exit::Ok);
    }
    check_layered(settings, at, &name, &text, &added)?;

    let mut out = Stdout::new("the diff");
    for (preset, profiles) in &added {
        let quoted = |names: &[&str]| {
            names
                .iter()
                .map(|n| format!("`{}`", printable(n)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let profiles = match profiles.as_slice() {
            [] => String::new(),
            [one] => format!(" and its example profile {}", quoted(&[one])),
            names => format!(" and its example profiles {}", quoted(names)),
        };
        out.line(format_args!(
            "add: provider `{}`{profiles} -> {}",
            preset.id,
            printable(&name)
        ))?;
    }
    print_diff(&mut out, &name, old, &text)?;
    out.finish()?;
    let yes = match options.mode {
        Mode::Diff => return Ok(Exit::Ok),
        Mode::Write { yes } => yes,
    };
    if !yes && !confirm(1, "add")? {
        verbosity::info("nothing written");
        return Ok(Exit::Attention);
    }
    write::write(&path, &text, None, Expect::Exactly(old.map(str::as_bytes))).map_err(
        |e| match e {
            write::WriteError::Changed(_) => Error::Changed { what: name.clone() },
            other => Error::Write {
                doing: format!("write {name}"),
                source: other,
            },
        },
    )?;
    say_added(&added, &name);
    Ok(Exit::Ok)
}

/// What was added: each preset, with those of its example profiles added.
type Added<'p> = Vec<(&'p Preset, Vec<&'p str>)>;

/// `text` with each chosen preset added, and what was added; a preset
/// already in `catalog` and an example profile whose name it has are said
/// and left out.
fn add_to<'p>(
    name: &str,
    mut text: String,
    chosen: &[&'p Preset],
    catalog: &catalog::Catalog,
) -> Result<(String, Added<'p>), Error> {
    let mut added: Added<'p> = Vec::new();
    for preset in chosen.iter().copied() {
        if catalog.providers.iter().any(|p| p.id == preset.id) {
            verbosity::note(format_args!(
                "`{}` is already a provider in the catalog; skipped (nothing of the preset is added)",
                preset.id
            ));
            continue;
        }
        text = edit::add_entry(name, &text, "providers", &preset.id, &preset.text)
            .map_err(|refused| Error::Catalog(CatalogError::Invalid(vec![refused.0])))?;
        let mut profiles = Vec::new();
        for example in &preset.profiles {
            if catalog
                .profiles
                .iter()
                .any(|p| p.name.as_str() == example.name)
            {
                verbosity::note(format_args!(
                    "the catalog already has a profile `{}`: the preset's example profile `{}` is not added (add one of your own that names `provider: {}`)",
                    example.name, example.name, preset.id
                ));
                continue;
            }
            text = edit::add_entry(name, &text, "profiles", &example.name, &example.text)
                .map_err(|refused| Error::Catalog(CatalogError::Invalid(vec![refused.0])))?;
            profiles.push(example.name.as_str());
        }
        added.push((preset, profiles));
    }
    Ok((text, added))
}

/// What follows a write: `gen` next, and the key variables to set.
fn say_added(added: &Added<'_>, name: &str) {
    let keys: Vec<String> = added
        .iter()
        .filter_map(|(p, _)| p.env_key.as_deref())
        .filter(|k| std::env::var_os(k).is_none_or(|v| v.is_empty()))
        .map(|k| format!("`{k}`"))
        .collect();
    verbosity::info(&format!(
        "added {} preset(s) to {}; `codexgen gen` writes them into the Codex home (review with `codexgen gen --diff`)",
        added.len(),
        printable(name)
    ));
    if !keys.is_empty() {
        verbosity::info(&format!(
            "set {} in your shell before using them (never in the catalog)",
            keys.join(", ")
        ));
    }
}

/// The file `add` edits and, when the run read it, its index among the
/// sources: the personal overlay (`--local`), else the first catalog file.
fn destination(settings: &Settings, local: bool) -> Result<(PathBuf, Option<usize>), Error> {
    let sources = settings.catalog.sources();
    if local {
        let overlay = settings.overlay.as_ref().map_err(|none| {
            Error::with_help(
                format!(
                    "`add --local` writes the personal overlay, which {}; nothing was written",
                    none.why()
                ),
                none.help()
                    .replace("codexgen adopt", "codexgen add --local"),
            )
        })?;
        let at = sources.iter().position(|s| Path::new(&s.name) == overlay);
        return Ok((overlay.clone(), at));
    }
    match sources.first() {
        Some(first) if first.name == EMBEDDED_NAME => Err(Error::with_help(
            "this run reads the built-in catalog: there is no catalog file of yours to add to; nothing was written",
            "start your own with `codexgen init` (a copy of the built-in catalog, every preset in it), or add to your personal overlay with `codexgen add --local PRESET`",
        )),
        Some(first) if first.name == input::STDIN => Err(Error::with_help(
            "the catalog is read from standard input, which `add` cannot write; nothing was written",
            "save the catalog to a file and pass `--catalog FILE`",
        )),
        Some(first) => Ok((PathBuf::from(&first.name), Some(0))),
        None => Err(Error::message("internal error: no catalog was read")),
    }
}

/// An unknown preset name: the list, and the closest name when one is close.
fn unknown(name: &str, presets: &[Preset]) -> Error {
    let ids: Vec<&str> = presets.iter().map(|p| p.id.as_str()).collect();
    let builtin = crate::codex::BUILTIN_PROVIDERS.contains(&name);
    let message = if builtin {
        format!(
            "`{name}` is built into Codex, not a preset: a profile uses it as `provider: {name}` with no provider entry"
        )
    } else {
        match did_you_mean(name, ids.iter().copied()) {
            Some(meant) => format!(
                "unknown preset `{}`; did you mean `{meant}`?",
                printable(name)
            ),
            None => format!("unknown preset `{}`", printable(name)),
        }
    };
    Error::with_help(
        message,
        format!(
            "the presets: {} (`codexgen add --list` shows their key variables and base URLs)",
            ids.join(", ")
        ),
    )
}

#[derive(Debug, Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    base_url: &'a str,
    key_variable: Option<&'a str>,
    /// Whether `key_variable` is set and not empty in this shell (never
    /// its value); `None` when no key is needed.
    key_set: Option<bool>,
    /// The example profiles `add` also adds.
    profiles: Vec<&'a str>,
}

/// `add --list`: the presets, their key variable and whether it is set,
/// and their base URL.
fn list(presets: &[Preset], format: Format) -> Result<Exit, Error> {
    let rows: Vec<Row<'_>> = presets
        .iter()
        .map(|p| Row {
            id: &p.id,
            name: &p.name,
            base_url: &p.base_url,
            key_variable: p.env_key.as_deref(),
            key_set: p
                .env_key
                .as_deref()
                .map(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty())),
            profiles: p.profiles.iter().map(|e| e.name.as_str()).collect(),
        })
        .collect();
    let text = match format {
        Format::Json => {
            serde_json::to_string_pretty(&rows)
                .map_err(|e| Error::message(format!("internal error: {e}")))?
                + "\n"
        }
        Format::Text => {
            let mut table =
                vec![["PRESET", "NAME", "KEY VARIABLE", "KEY", "BASE URL"].map(str::to_owned)];
            for r in &rows {
                table.push([
                    shown(r.id),
                    shown(r.name),
                    r.key_variable.map_or_else(|| "-".to_owned(), shown),
                    match r.key_set {
                        Some(true) => "set",
                        Some(false) => "unset",
                        None => "not needed",
                    }
                    .to_owned(),
                    shown(r.base_url),
                ]);
            }
            super::list::aligned(&table)
        }
    };
    print_out(&text, "the list")?;
    Ok(Exit::Ok)
}

/// Layers the edited file with the other catalog files and checks the
/// catalog for the target, as `gen` would read it: it must be valid and
/// hold every provider and profile added, else nothing is written.
fn check_layered(
    settings: &Settings,
    at: Option<usize>,
    name: &str,
    text: &str,
    added: &[(&Preset, Vec<&str>)],
) -> Result<(), Error> {
    let mut sources: Vec<Source> = settings.catalog.sources().to_vec();
    let source = Source {
        name: name.to_owned(),
        text: text.to_owned(),
    };
    match at {
        Some(i) => sources[i] = source,
        None => sources.insert(sources.len().min(1), source),
    }
    let invalid = |e: Error| match e {
        Error::Catalog(CatalogError::Invalid(mut problems)) => {
            problems.push(
                Problem::new(format!(
                    "the presets do not make a valid catalog with {name} as add would write it (shown above); nothing was written"
                ))
                .help("fix what is said above in the catalog files, then run `codexgen add` again"),
            );
            Error::Catalog(CatalogError::Invalid(problems))
        }
        other => other,
    };
    let layered = catalog::layer(sources).map_err(|e| invalid(e.into()))?;
    let prepared = plan::prepare_from(settings, &layered, None).map_err(invalid)?;
    for (preset, profiles) in added {
        let provider = prepared.catalog.providers.iter().any(|p| p.id == preset.id);
        let missing = profiles.iter().find(|n| {
            !prepared
                .catalog
                .profiles
                .iter()
                .any(|p| p.name.as_str() == **n)
        });
        if !provider || missing.is_some() {
            let what = missing.map_or_else(
                || format!("provider `{}`", preset.id),
                |n| format!("profile `{n}`"),
            );
            return Err(Error::Catalog(CatalogError::Invalid(vec![
                Problem::new(format!(
                    "adding {what} to {name} would not put it in the catalog: a later catalog file removes it (`~`)"
                ))
                .help("nothing was written; remove that `~` from the later file, or add the preset there"),
            ])));
        }
    }
    Ok(())
}
