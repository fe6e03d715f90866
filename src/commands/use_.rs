//! `codexgen use [PROFILE | -]`: switches the default profile (what plain
//! `codex`, the IDE extension and the desktop app run as, none of which
//! take `--profile`). Owns choosing the profile (named, or the previous
//! default for `-`), the `default:` edit of the personal overlay, the order
//! of the two writes, the notice a change of provider needs, and the report
//! of `use` alone. The overlay's text edit is `catalog::edit`'s and its
//! write `overlay`'s (as for `adopt`), the home's write is `gen`'s own
//! run ([`pipeline::run_then`]): the same plan, diff, refusals, atomic writes
//! and record. Every name it prints from a file or the command line is
//! [`shown`]: a key-shaped one is hidden.
//!
//! The order, so that a refused switch changes nothing: the overlay's new
//! text (`default: PROFILE`, everything else byte for byte; created with
//! `schema: 1` when absent) is layered with the other catalog files and
//! checked in memory first (a valid catalog whose default is PROFILE); the
//! home is then planned from it, and `gen` refuses what it refuses (a
//! catalog that is not the home's, and whatever else stops a non-interactive
//! `gen`) before anything is written. Only once the home's write is certain
//! to be attempted (gen's lock taken, also when the home already matches;
//! its checks passed) are the previous default recorded, then the overlay
//! written, then the home: a record that cannot be written stops the
//! switch with nothing switched. A home write that fails after that leaves
//! the overlay saying the new default, and says so: `codexgen gen`
//! finishes the switch.
//!
//! The previous default is the home's, kept in its `.codexgen` folder
//! ([`home::PREVIOUS_DEFAULT_FILE`]): the profile that was the catalog's
//! default before the last switch (`~` when the catalog had none), written
//! with the overlay. `use -` swaps back to it (and records the one it
//! leaves); to `~` it does not switch, and says how to go back by hand. A
//! record codexgen cannot use (a link, which it never writes through; a
//! folder; not text) is an error that says to delete it.
//!
//! `use` alone reads the files on disk: config.toml's top-level
//! `model_provider`/`model` (a missing `model_provider` is Codex's built-in
//! `openai`), named by the catalog profile they match, and codexgen's
//! record (`.codexgen/state.json`) of what it last wrote there, to tell a
//! home in sync (exit 0) from one out of date, one whose default was
//! changed outside codexgen (Codex's `/model`, its app's
//! `modelProvider/default/set`), and one codexgen never wrote (exit 1, as
//! `gen --check`). A legacy top-level `profile = ...` in config.toml (Codex
//! 0.171 refuses it) is never in sync.
//!
//! Never writes `auth.json`; the catalog is the one the home records
//! (`settings::Follow::Home`), unless one is named.

use std::path::Path;

use crate::catalog::edit::{self, Scalar};
use crate::catalog::{Catalog, CatalogError, Profile};
use crate::diagnostic::{Exit, Problem, did_you_mean, printable, shown};
use crate::error::Error;
use crate::home::{self, CodexFile};
use crate::input;
use crate::merge::Note;
use crate::output::{self, Stdout};
use crate::overlay::Overlay;
use crate::pipeline::{self, Mode};
use crate::plan;
use crate::secrets::redact;
use crate::settings::Settings;
use crate::ui::plans::print_diff;
use crate::ui::report::{Format, dim};
use crate::verbosity;
use crate::write::{self, Expect};

/// Which profile `use` switches to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Profile(String),
    /// `-`: the default before the last switch.
    Previous,
}

impl From<String> for Choice {
    /// The command line's word: `-` is [`Choice::Previous`].
    fn from(word: String) -> Choice {
        if word == "-" {
            Choice::Previous
        } else {
            Choice::Profile(word)
        }
    }
}

pub struct Options {
    /// `None`: say which profile is the default now.
    pub choice: Option<Choice>,
    /// Print the overlay's diff and the home's; write nothing.
    pub diff: bool,
    /// Overwrite values edited outside codexgen, as `gen --overwrite`;
    /// without it a switch stops on them, as `gen --yes` does.
    pub overwrite: bool,
}

/// How the previous-default record says the catalog had no default
/// (`default: ~`).
const NO_DEFAULT: &str = "~";

/// Codex's provider when config.toml names none.
const CODEX_DEFAULT_PROVIDER: &str = "openai";

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    match &options.choice {
        None => report(settings),
        Some(choice) => switch(settings, choice, options),
    }
}

/// `use PROFILE`, `use -`, and their `--diff`.
fn switch(settings: &Settings, choice: &Choice, given: &Options) -> Result<Exit, Error> {
    let diff_only = given.diff;
    let overlay = Overlay::writable(
        settings,
        "`use` records the default profile in the personal overlay",
        "use",
    )?;
    let catalog = plan::prepare(settings, None)?.catalog;
    let previous_file = settings.state_dir().join(home::PREVIOUS_DEFAULT_FILE);
    let wanted = wanted(choice, &catalog, &previous_file, &overlay.name)?;
    let profile = find_profile(&catalog, &wanted, choice, &previous_file)?;
    let old_default = catalog.default.clone();
    let name = overlay.name.as_str();
    let already = old_default.as_deref() == Some(wanted.as_str());
    let new_text = if already {
        None
    } else {
        let text = edit::set(
            name,
            overlay.text(),
            &["default"],
            &Scalar::Str(wanted.clone()),
        )
        .map_err(|refused| Error::Catalog(CatalogError::Invalid(vec![refused.0])))?;
        check_layered(settings, &overlay, &text, &wanted)?;
        Some(text)
    };
    let switched = settings.relayered(new_text.as_deref())?;
    let provider_change = provider_change(settings, profile);
    // The way back to the sessions of the provider left: the old default,
    // when it is what config.toml ran with.
    let back = old_default.clone().filter(|old| {
        catalog.profile(old).is_some_and(|p| {
            provider_change
                .as_ref()
                .is_some_and(|(from, _)| p.provider == *from)
        })
    });
    say_switch(&wanted, new_text.is_some(), old_default.as_deref(), name);
    if new_text.is_some() {
        say_shared(settings);
    }
    let overwrite = given.overwrite;
    let options = |mode| pipeline::Options {
        mode,
        format: Format::Text,
        exit_code: false,
        verify: false,
        templates: None,
        overwrite,
    };
    if diff_only {
        if let Some(text) = &new_text {
            let mut out = Stdout::new("the diff");
            print_diff(&mut out, name, overlay.old, text)?;
            out.finish()?;
        }
        let exit = pipeline::run(&switched, &options(Mode::Diff))?;
        say_provider_change(provider_change.as_ref(), back.as_deref(), false);
        return Ok(exit);
    }
    let Some(text) = new_text.as_deref() else {
        // Nothing to write in the overlay: gen alone.
        let exit = pipeline::run(&switched, &options(Mode::Write { yes: true }))?;
        say_provider_change(provider_change.as_ref(), back.as_deref(), true);
        return Ok(exit);
    };
    let mut overlay_written = false;
    let mut write_both = || {
        let before = record_previous(&previous_file, old_default.as_deref(), &wanted)?;
        if let Err(e) = overlay.write(text) {
            // Not switched: the record goes back to the default before
            // the last switch that was (as far as it can; the error says
            // what stopped the switch).
            let _ = match &before {
                Some(text) => write::write(&previous_file, text, None, Expect::AsRead).map(drop),
                None => write::delete(&previous_file, None, Expect::AsRead).map(drop),
            };
            return Err(e);
        }
        overlay_written = true;
        Ok(())
    };
    let written = pipeline::run_then(
        &switched,
        &options(Mode::Write { yes: true }),
        Some(&mut write_both),
    );
    match written {
        Ok(exit) => {
            say_provider_change(provider_change.as_ref(), back.as_deref(), true);
            Ok(exit)
        }
        Err(e) => {
            if overlay_written {
                output::eprintln(format_args!(
                    "{} {} now says `default: {}`; once the problem below is fixed, `codexgen gen` finishes the switch",
                    dim("note:"),
                    shown(name),
                    shown(&wanted)
                ));
            }
            Err(e)
        }
    }
}

/// When config.toml is a link (to a file shared across machines, as
/// `codexgen link` makes): the switch reaches every machine that shares
/// it, and a machine whose catalog names another default writes that one
/// back at its next `gen` (the personal overlay is this machine's).
fn say_shared(settings: &Settings) {
    let config = CodexFile::Config.path_in(&settings.codex_home);
    let Ok(target) = std::fs::read_link(&config) else {
        return;
    };
    verbosity::note(format_args!(
        "config.toml is a link to {}: the new default reaches every machine that shares that file, and one whose catalog names another default writes it back at its next `gen`; to switch them all, set `default:` in the catalog they share",
        shown(&target.display().to_string())
    ));
}

/// The profile asked for: named, or the previous default for `-`.
fn wanted(
    choice: &Choice,
    catalog: &Catalog,
    previous_file: &Path,
    overlay: &str,
) -> Result<String, Error> {
    let name = match choice {
        Choice::Profile(name) => return Ok(name.clone()),
        Choice::Previous => read_previous(previous_file)?,
    };
    match name.as_deref() {
        None => Err(Error::with_help(
            "no previous default profile to go back to: `codexgen use -` returns to the default before the last `codexgen use PROFILE` in this Codex home, and there was none",
            format!(
                "name the profile: `codexgen use PROFILE` ({})",
                profile_names(catalog)
            ),
        )),
        Some(NO_DEFAULT) => Err(Error::with_help(
            "the default before the last switch was `~`: the catalog named no profile and Codex chose its own model and provider; `use` switches only to a profile, so `codexgen use -` cannot go back to it; nothing was written",
            format!(
                "to go back, set `default: ~` in {} and run `codexgen gen`; or name a profile: `codexgen use PROFILE` ({})",
                shown(overlay),
                profile_names(catalog)
            ),
        )),
        Some(_) => Ok(name.unwrap_or_default()),
    }
}

/// Says what the switch does to the catalog's default.
fn say_switch(wanted: &str, edited: bool, old_default: Option<&str>, overlay: &str) {
    let line = match (edited, old_default) {
        (false, _) => format!("`{}` is already the default profile", shown(wanted)),
        (true, Some(old)) => format!(
            "the default profile becomes `{}` (was `{}`), in {}",
            shown(wanted),
            shown(old),
            shown(overlay)
        ),
        (true, None) => format!(
            "the default profile becomes `{}` (the catalog had none), in {}",
            shown(wanted),
            shown(overlay)
        ),
    };
    verbosity::info(&format!("{} {line}", dim("use:")));
}

/// Records the default the switch leaves (`~` when the catalog had none)
/// as the previous one, before the overlay is written: a record that
/// cannot be written stops the switch with nothing switched.
/// Returns the record's text before, to be put back should the overlay's
/// write fail.
fn record_previous(
    file: &Path,
    old_default: Option<&str>,
    wanted: &str,
) -> Result<Option<String>, Error> {
    let before = input::read_own_optional(file, input::STATE).ok().flatten();
    let old = old_default.unwrap_or(NO_DEFAULT);
    write::write(file, &format!("{old}\n"), None, Expect::AsRead).map_err(|e| {
        Error::with_help(
            format!(
                "cannot record the previous default profile in {}: {}; nothing was switched",
                file.display(),
                e
            ),
            format!(
                "delete it (it holds only the default before the last `codexgen use`), then run `codexgen use {}` again",
                shown(wanted)
            ),
        )
    })?;
    Ok(before)
}

/// The profile `wanted` names, or the error that lists the catalog's
/// profiles (with the closest one, for a typo).
fn find_profile<'c>(
    catalog: &'c Catalog,
    wanted: &str,
    choice: &Choice,
    previous_file: &Path,
) -> Result<&'c Profile, Error> {
    if let Some(profile) = catalog.profile(wanted) {
        return Ok(profile);
    }
    let hint = did_you_mean(wanted, catalog.profiles.iter().map(|p| p.name.as_str()))
        .map_or_else(String::new, |s| format!(" (did you mean `{}`?)", shown(s)));
    let message = match choice {
        Choice::Profile(_) => format!("no profile `{}` in the catalog{hint}", shown(wanted)),
        Choice::Previous => format!(
            "the previous default profile `{}` (recorded in {}) is no longer in the catalog{hint}",
            shown(wanted),
            shown(&previous_file.display().to_string())
        ),
    };
    Err(Error::with_help(
        format!("{message}; nothing was written"),
        profile_names(catalog),
    ))
}

/// `profiles: a, b, c` (or that there are none).
fn profile_names(catalog: &Catalog) -> String {
    if catalog.profiles.is_empty() {
        return "the catalog has no profiles".to_owned();
    }
    let names: Vec<String> = catalog
        .profiles
        .iter()
        .map(|p| shown(p.name.as_str()))
        .collect();
    format!("profiles: {}", names.join(", "))
}

/// The default recorded before the last switch, if any (`~`: none). A
/// record codexgen cannot use (a link, which it never writes through; a
/// folder; not text) is an error that says to delete it.
fn read_previous(file: &Path) -> Result<Option<String>, Error> {
    let damaged = |why: String| {
        Error::with_help(
            format!("codexgen's record of the previous default profile cannot be read: {why}"),
            format!(
                "delete it (it holds only the default before the last `codexgen use`; `codexgen use -` then has none to go back to): {}",
                file.display()
            ),
        )
    };
    write::target(file).map_err(|e| damaged(e.to_string()))?;
    let text = input::read_own_optional(file, input::STATE).map_err(|e| damaged(e.to_string()))?;
    Ok(text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned))
}

/// Layers the edited overlay with the other catalog files: the catalog must
/// be valid, and its default the profile asked for (a later catalog file
/// named with `--catalog` may set `default` again), else nothing is
/// written.
fn check_layered(
    settings: &Settings,
    overlay: &Overlay<'_>,
    text: &str,
    wanted: &str,
) -> Result<(), Error> {
    let name = shown(&overlay.name);
    let invalid = |e: Error| match e {
        Error::Catalog(CatalogError::Invalid(mut problems)) => {
            problems.push(
                Problem::new(format!(
                    "with `default: {}` in {name}, the catalog is not valid (shown above); nothing was written",
                    shown(wanted)
                ))
                .help("fix the catalog (`codexgen validate` shows it), then run `codexgen use` again"),
            );
            Error::Catalog(CatalogError::Invalid(problems))
        }
        other => other,
    };
    let checked = settings.relayered(Some(text)).map_err(invalid)?;
    // Where `default` is set last, read before the catalog is built.
    let again = overlay.set_again(&checked, &["default"]);
    let catalog = plan::prepare(&checked, None).map_err(invalid)?.catalog;
    overlay.check_alone(settings, &checked, &format!("`default: {}`", shown(wanted)))?;
    if catalog.default.as_deref() != Some(wanted) {
        return Err(Error::with_help(
            format!(
                "writing `default: {}` into {name} would not make it the default: {again}",
                shown(wanted)
            ),
            "nothing was written; change `default` in the catalog file that sets it last",
        ));
    }
    Ok(())
}

/// config.toml's top-level `model_provider` and `model`, as on disk.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct OnDisk {
    /// Whether there is a config.toml at all.
    exists: bool,
    provider: Option<String>,
    model: Option<String>,
    /// Codex's legacy top-level `profile`, as written (`"beta"`).
    profile: Option<String>,
}

impl OnDisk {
    fn of(text: Option<&str>) -> OnDisk {
        let Some(text) = text else {
            return OnDisk::default();
        };
        let doc = text.parse::<toml_edit::DocumentMut>().ok();
        let get = |key: &str| {
            doc.as_ref()
                .and_then(|d| d.get(key))
                .and_then(|i| i.as_str())
                .map(str::to_owned)
        };
        OnDisk {
            exists: true,
            provider: get("model_provider"),
            model: get("model"),
            profile: doc
                .as_ref()
                .and_then(|d| d.get("profile"))
                .and_then(toml_edit::Item::as_value)
                .map(|v| {
                    let mut v = v.clone();
                    v.decor_mut().clear();
                    v.to_string()
                }),
        }
    }

    /// What the legacy top-level `profile = ...` means, when config.toml
    /// has one: Codex 0.171 and later refuse to start with it.
    fn legacy_profile(&self) -> Option<String> {
        self.profile.as_ref().map(|value| {
            format!(
                "out of date: config.toml has Codex's legacy `profile = {}`, which Codex 0.171 and later refuse to load (\"legacy `profile = ...` config is no longer supported\"); remove that line: the catalog's `default:` picks the default profile (`codexgen use PROFILE`)",
                shown(value)
            )
        })
    }

    /// The provider Codex runs with: the named one, else its built-in.
    fn provider(&self) -> &str {
        self.provider.as_deref().unwrap_or(CODEX_DEFAULT_PROVIDER)
    }
}

/// The providers before and after, when switching to `profile` changes the
/// provider config.toml names (on disk now): `None` when only the model
/// changes.
fn provider_change(settings: &Settings, profile: &Profile) -> Option<(String, String)> {
    let disk = OnDisk::of(plan::text_on_disk(&settings.codex_home, &CodexFile::Config).as_deref());
    (disk.provider() != profile.provider)
        .then(|| (disk.provider().to_owned(), profile.provider.clone()))
}

/// What a change of provider means for Codex sessions, said once (as done
/// when `done`, else as what the switch would do).
fn say_provider_change(change: Option<&(String, String)>, back: Option<&str>, done: bool) {
    let Some((from, to)) = change else {
        return;
    };
    let back = back.map_or_else(
        || format!("`{}` is the provider again", shown(from)),
        |old| format!("`codexgen use {}` (or `codexgen use -`)", shown(old)),
    );
    verbosity::info(&format!(
        "{} the provider {} from `{}` to `{}`: Codex sessions already running keep `{}` until restarted; Codex lists past sessions by provider, so `codex resume` shows the `{}` sessions again only after {back}. auth.json is left as it is.",
        dim("note:"),
        if done { "changes" } else { "would change" },
        shown(from),
        shown(to),
        shown(from),
        shown(from),
    ));
}

/// `use` alone: the default on disk, and how the home stands to the catalog.
fn report(settings: &Settings) -> Result<Exit, Error> {
    // Read first: a record that cannot be read is said before any line.
    let previous = read_previous(&settings.state_dir().join(home::PREVIOUS_DEFAULT_FILE))?;
    let prepared = plan::prepare(settings, None)?;
    let state = plan::read_state(settings)?;
    let planned = prepared.plan(settings, &state)?;
    let catalog = &prepared.catalog;
    let config = planned.get(&CodexFile::Config);
    let disk = OnDisk::of(config.and_then(|p| p.current.as_deref()));
    let written = Written::of(&state);
    let mut out = Stdout::new("the report");
    out.line(default_line(catalog, &disk))?;
    let legacy = disk.legacy_profile();
    let files_in_sync = pipeline::out_of_date(&planned, &state) == 0;
    let in_sync = files_in_sync && legacy.is_none();
    let catalog_default = catalog.default.as_deref().and_then(|d| catalog.profile(d));
    let drifted: Vec<String> = config
        .map(|p| {
            p.merged
                .notes
                .iter()
                .filter_map(|n| match n {
                    Note::Drift {
                        path,
                        written,
                        found,
                        ..
                    } if path == "model" || path == "model_provider" => Some(format!(
                        "`{}` is {}, codexgen wrote {}",
                        path,
                        found.as_deref().map_or_else(
                            || "gone".to_owned(),
                            |f| printable(&redact(f)).into_owned()
                        ),
                        printable(&redact(written))
                    )),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let status = if in_sync {
        "in sync: the Codex home matches the catalog".to_owned()
    } else if let Some(legacy) = legacy.as_ref().filter(|_| files_in_sync) {
        legacy.clone()
    } else if state.files.is_empty() && !state.interrupted {
        format!(
            "not written: codexgen has not written this Codex home; `codexgen use PROFILE` or `codexgen gen` writes the catalog{}, `codexgen import` makes a catalog of the home as it is",
            catalog_default.map_or_else(String::new, |p| format!(
                " (default `{}`)",
                shown(p.name.as_str())
            ))
        )
    } else if !drifted.is_empty() {
        let back = catalog_default.map_or_else(
            || "`codexgen gen --overwrite`".to_owned(),
            |p| format!("`codexgen use --overwrite {}`", shown(p.name.as_str())),
        );
        format!(
            "changed outside codexgen: in config.toml {} (Codex's `/model` and its app's `modelProvider/default/set` write these); `codexgen adopt` keeps the change in your overlay, {back} puts the catalog's default back",
            drifted.join(", ")
        )
    } else if let Some(p) = catalog_default.filter(|p| !written.is(p)) {
        format!(
            "out of date: the catalog's default is `{}` (provider `{}`, model `{}`), not written yet; `codexgen use {}` or `codexgen gen` writes it",
            shown(p.name.as_str()),
            shown(&p.provider),
            shown(&p.model),
            shown(p.name.as_str())
        )
    } else {
        format!(
            "out of date: {} file(s) differ from the catalog; `codexgen gen --diff` shows how",
            pipeline::out_of_date(&planned, &state)
        )
    };
    out.line(status)?;
    if let Some(legacy) = legacy.filter(|_| !files_in_sync) {
        out.line(legacy)?;
    }
    if catalog.default.is_none() {
        out.line("the catalog leaves the default model and provider to Codex (`default: ~`)")?;
    }
    match previous.as_deref() {
        None => {}
        Some(NO_DEFAULT) => out.line(
            "previous: `~` (the catalog named no default; `default: ~` in the overlay goes back to it)",
        )?,
        Some(previous) => out.line(format_args!(
            "previous: `{}` (`codexgen use -` goes back to it)",
            shown(previous)
        ))?,
    }
    out.finish()?;
    Ok(if in_sync { Exit::Ok } else { Exit::Attention })
}

/// `default: NAME (provider P, model M)`: the profile config.toml's
/// top-level values match (the catalog's default first, when both do).
fn default_line(catalog: &Catalog, disk: &OnDisk) -> String {
    if !disk.exists {
        return "default: none: the Codex home has no config.toml (Codex runs with its own defaults)"
            .to_owned();
    }
    let Some(model) = disk.model.as_deref() else {
        return format!(
            "default: none: config.toml names no model (provider `{}`; Codex picks the model)",
            shown(disk.provider())
        );
    };
    let matches = |p: &&Profile| p.provider == disk.provider() && p.model == model;
    let by_default = catalog
        .default
        .as_deref()
        .and_then(|d| catalog.profile(d))
        .filter(matches);
    let found = by_default.or_else(|| catalog.profiles.iter().find(matches));
    let values = format!(
        "provider `{}`, model `{}`",
        shown(disk.provider()),
        shown(model)
    );
    match found {
        Some(p) => format!("default: `{}` ({values})", shown(p.name.as_str())),
        None => format!("default: no profile of the catalog ({values} in config.toml)"),
    }
}

/// What codexgen last wrote as config.toml's `model_provider` and `model`
/// (its record in the state).
struct Written {
    provider: Option<String>,
    model: Option<String>,
}

impl Written {
    fn of(state: &crate::state::State) -> Written {
        let value = |key: &str| {
            state
                .managed(&CodexFile::Config)
                .iter()
                .find(|m| m.path.len() == 1 && m.path[0] == key)
                .and_then(|m| m.value.parse::<toml_edit::Value>().ok())
                .and_then(|v| v.as_str().map(str::to_owned))
        };
        Written {
            provider: value("model_provider"),
            model: value("model"),
        }
    }

    /// Whether codexgen's last write was `profile`'s provider and model.
    fn is(&self, profile: &Profile) -> bool {
        self.provider.as_deref() == Some(profile.provider.as_str())
            && self.model.as_deref() == Some(profile.model.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dash_is_the_previous_default_and_any_other_word_a_profile() {
        assert_eq!(Choice::from("-".to_owned()), Choice::Previous);
        assert_eq!(
            Choice::from("--".to_owned()),
            Choice::Profile("--".to_owned())
        );
        assert_eq!(
            Choice::from("fast".to_owned()),
            Choice::Profile("fast".to_owned())
        );
    }

    #[test]
    fn the_default_on_disk_is_read_from_the_top_level_only() {
        let disk = OnDisk::of(Some(
            "model = \"m\"\n[profiles.x]\nmodel_provider = \"other\"\n",
        ));
        assert_eq!(disk.model.as_deref(), Some("m"));
        assert_eq!(disk.provider, None);
        assert_eq!(disk.provider(), "openai");
        assert!(!OnDisk::of(None).exists);
        // A file that does not parse names nothing (gen says where it is broken).
        assert_eq!(OnDisk::of(Some("model = ")).model, None);
    }
}
