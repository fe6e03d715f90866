//! What `gen` warns about before it writes or reports, each said on
//! stderr as it is found and kept for the JSON report: keys the target
//! Codex does not know, what will still trip it (hazards), settings
//! inherited from the default profile, unchecked keys, Codex's own schema,
//! the layers that override the home, values set by hand that the catalog
//! takes over, gives back or releases, removed edits, and a config.toml
//! whose record is missing. Does not stop a run: the refusals are the
//! pipeline's.

use crate::catalog::Catalog;
use crate::codex;
use crate::codex_schema;
use crate::diagnostic::{Problem, printable};
use crate::findings::{self, Finding, Severity};
use crate::hazards;
use crate::home::CodexFile;
use crate::layers;
use crate::merge::{DriftAction, Note};
use crate::output;
use crate::outside;
use crate::plan::{self, Plan, Planned};
use crate::secrets::redact_value;
use crate::settings::Settings;
use crate::state::State;
use crate::ui::report::dim;
use crate::verbosity;
use crate::verify;

use super::json;

/// One warning per key `codex --strict-config` does not know, in the
/// planned files, with whose key it is; never a refusal (Codex loads the
/// files and ignores the key).
pub(super) fn warn_about_unknown_keys(
    catalog: &Catalog,
    plan: &Plan,
    strict: &verify::Strict,
    version: codex::Version,
    said: &mut Warnings,
) {
    let unchecked: Vec<String> = catalog
        .unchecked()
        .iter()
        .filter_map(|path| path.rsplit(".unchecked.").next().map(str::to_owned))
        .collect();
    for key in &strict.unknown {
        let planned = key.file.as_ref().and_then(|f| plan.get(f));
        let managed = planned.is_some_and(|p| key.is_managed(&p.merged.managed));
        let rewritten = planned.is_some_and(|p| p.current != p.merged.text);
        let problem = key.problem(version, managed, rewritten);
        // A key the catalog writes from `unchecked` is the catalog's guess,
        // not codexgen's bug.
        let guessed = unchecked
            .iter()
            .any(|name| key.key.split('.').any(|segment| segment == name));
        said.warn(if guessed {
            problem.help(format!(
                "the catalog writes it from `unchecked`; check its spelling against Codex {version}'s documentation, or remove it (Codex {version} ignores it meanwhile)"
            ))
        } else {
            problem
        });
    }
    if let Some(finding) = verify::incomplete(strict, version) {
        said.finding(finding);
    } else if strict.unknown.is_empty() {
        verbosity::info(&format!(
            "{} Codex {version} knows every key of the planned files (`codex --strict-config`)",
            dim("codexgen:")
        ));
    }
}

/// The warnings (and findings) a run prints on stderr as it finds them,
/// kept for the JSON report (`warnings`), which names the same ones.
/// Each with the place (file, line, column) of one whose message names it.
#[derive(Default)]
pub(super) struct Warnings(pub(super) Vec<json::Said>);

impl Warnings {
    pub(super) fn warn(&mut self, problem: Problem) {
        self.say(Severity::Warning, problem, None);
    }

    /// `problem` at `severity` (a note is not said: see [`Warnings::finding`]),
    /// with the place of one whose message names it.
    fn say(&mut self, severity: Severity, problem: Problem, place: Option<json::Place>) {
        let Some(level) = severity.level() else {
            return;
        };
        output::eprintln(problem.render(level));
        self.0.push(json::Said {
            severity,
            problem,
            place,
        });
    }

    /// A finding, at its severity: a warning or an error is printed and
    /// kept, and changes no exit status (the file is the user's to fix); a
    /// note is doctor's (`info`) and not said here.
    pub(super) fn finding(&mut self, finding: Finding) {
        self.say(finding.severity, finding.problem(), finding.place);
    }
}

/// What will still trip the target Codex, the values set by hand that the
/// catalog's replace, then what Codex's layers override.
pub(super) fn warn_before_writing(
    settings: &Settings,
    catalog: &Catalog,
    plan: &Plan,
    state: &State,
    said: &mut Warnings,
) {
    if let Some(finding) = findings::newer_than_measured(settings.target.version) {
        said.finding(finding);
    }
    warn_about_unchecked(catalog, said);
    warn_about_inherited(catalog, settings.target.version, said);
    warn_about_hazards(settings, catalog, plan, state, said);
    warn_about_take_overs(plan, state, said);
    warn_about_equal_take_overs(plan, state, said);
    warn_about_releases(plan, said);
    warn_about_give_backs(plan, said);
    warn_about_removed_edits(plan, said);
    warn_about_codex_schema(settings, plan, said);
    warn_about_unrecorded(plan, state, said);
    warn_about_layers(settings, catalog, plan, said);
    if let Some(gone) = outside::gone_from_config(plan, state) {
        let (message, help) = outside::gone_words(&gone);
        said.warn(Problem::new(message).help(help));
    }
}

/// The settings other profiles take from the default profile, which Codex
/// lays every profile over: one warning naming them, and the fix.
fn warn_about_inherited(catalog: &Catalog, version: codex::Version, said: &mut Warnings) {
    let inherited = catalog.inherited(version);
    let Some(default) = catalog.default.as_deref() else {
        return;
    };
    if inherited.is_empty() {
        return;
    }
    let lines: Vec<String> = inherited
        .iter()
        .map(|(name, keys)| {
            let keys: Vec<String> = keys.iter().map(|k| format!("`{}`", printable(k))).collect();
            format!("  profile `{}`: {}", printable(name), keys.join(", "))
        })
        .collect();
    said.warn(
        Problem::new(format!(
            "these profiles run with the default profile `{}`'s value of keys they do not set (Codex lays every profile over config.toml's top level, where the default's settings are):\n{}",
            printable(default),
            lines.join("\n")
        ))
        .help("set the team's value in `settings:` (every profile without its own then gets it), or set the key in those profiles"),
    );
}

/// The keys the catalog writes without checking them (`unchecked`): one
/// warning naming them all, and how to have Codex judge them.
fn warn_about_unchecked(catalog: &Catalog, said: &mut Warnings) {
    let paths = catalog.unchecked();
    if paths.is_empty() {
        return;
    }
    let shown: Vec<String> = paths
        .iter()
        .map(|p| format!("`{}`", printable(p)))
        .collect();
    said.warn(
        Problem::new(format!(
            "the catalog writes {} unchecked: codexgen does not know {}, and a typo there reaches the file",
            shown.join(", "),
            if paths.len() == 1 { "this key" } else { "these keys" }
        ))
        .help("run `codexgen gen --verify` to have the installed Codex judge them before anything is written"),
    );
}

/// Checks each planned file, managed keys and the user's own alike, against
/// the target Codex's config schema (`codex_schema`): an unknown key or a
/// value of the wrong type is a warning with its file and line, never a
/// refusal. Nothing is said when no schema is known for the target.
fn warn_about_codex_schema(settings: &Settings, plan: &Plan, said: &mut Warnings) {
    let target = settings.target.version;
    let schema = match settings.codex_schemas.for_target(target) {
        Ok(Some(schema)) => schema,
        Ok(None) => return,
        Err(e) => {
            said.finding(codex_schema::unreadable(&e));
            return;
        }
    };
    for p in &plan.files {
        let Some(text) = p.merged.text.as_deref() else {
            continue;
        };
        // Lines are those of the planned text: the file as `gen` writes it.
        let planned = p.current.as_deref() != Some(text);
        let file = p.path.display().to_string();
        for (finding, problem) in codex_schema::findings(&schema, target, &file, text, planned) {
            said.say(finding.severity, problem, None);
        }
    }
}

/// Each value of Codex's layers around the Codex home that overrides or
/// forbids what the catalog says, and each layer file that cannot be read
/// or parsed (`layers`), at its severity. None stops the run: the files are
/// not codexgen's.
fn warn_about_layers(settings: &Settings, catalog: &Catalog, plan: &Plan, said: &mut Warnings) {
    let user_config = plan
        .get(&CodexFile::Config)
        .and_then(|p| p.merged.text.as_deref().or(p.current.as_deref()));
    let places = layers::Places::here(&settings.codex_home);
    for finding in layers::find(catalog, &places, user_config) {
        said.finding(finding);
    }
}

/// How many replaced values [`warn_about_take_overs`] lists before it sums
/// up the rest (a first run on a large hand-written home may replace dozens).
const TAKE_OVERS_LISTED: usize = 5;

/// Says, in every mode and before anything is written, which values on disk
/// that codexgen never wrote the catalog's values replace (merge's
/// take-overs): file, key, old value and new, both redacted. This is the
/// one place they are said (the diff shows the lines change); a value equal
/// to the catalog's is no take-over. The way to keep them is a catalog made
/// from the home, which `codexgen import` writes.
fn warn_about_take_overs(plan: &Plan, state: &State, said: &mut Warnings) {
    let taken: Vec<(&CodexFile, &str, &str, &str)> = plan
        .files
        .iter()
        .flat_map(|p| set_by_hand(p, state).map(|(path, found, new)| (&p.file, path, found, new)))
        .collect();
    if taken.is_empty() {
        return;
    }
    let mut lines = vec![format!(
        "codexgen would replace {} value(s) you set by hand, which the catalog now manages:",
        taken.len()
    )];
    lines.extend(
        taken
            .iter()
            .take(TAKE_OVERS_LISTED)
            .map(|(file, path, found, new)| {
                format!(
                    "  {file}: {path}: {} → {}",
                    redact_value(path, found),
                    redact_value(path, new)
                )
            }),
    );
    if taken.len() > TAKE_OVERS_LISTED {
        lines.push(format!(
            "  and {} more (`codexgen gen --diff` shows every change)",
            taken.len() - TAKE_OVERS_LISTED
        ));
    }
    let help = "to keep your values, start the catalog from them: `codexgen import --output providers.yaml`";
    said.warn(Problem::new(lines.join("\n")).help(help));
}

/// Says, in every mode, which values the user set by hand, equal to the
/// catalog's, codexgen manages from now on (a take-over that changes
/// nothing on disk, so no diff shows it): when the catalog stops setting
/// them, they are given back ([`warn_about_give_backs`]).
fn warn_about_equal_take_overs(plan: &Plan, state: &State, said: &mut Warnings) {
    let taken: Vec<String> = plan
        .files
        .iter()
        .filter(|p| !written_elsewhere(p, state))
        .flat_map(|p| {
            p.merged.notes.iter().filter_map(move |note| match note {
                Note::TakenAsIs { path, value } => Some(format!(
                    "  {}: {path} = {}",
                    p.file,
                    redact_value(path, value)
                )),
                _ => None,
            })
        })
        .collect();
    if taken.is_empty() {
        return;
    }
    let mut lines = vec![format!(
        "codexgen now manages {} value(s) you set by hand, equal to the catalog's (nothing changes on disk):",
        taken.len()
    )];
    lines.extend(taken.iter().take(TAKE_OVERS_LISTED).cloned());
    if taken.len() > TAKE_OVERS_LISTED {
        lines.push(format!("  and {} more", taken.len() - TAKE_OVERS_LISTED));
    }
    let help = "when the catalog stops setting them, codexgen gives them back to you as they are";
    said.warn(Problem::new(lines.join("\n")).help(help));
}

/// Says, in every mode and before anything is written, which values the
/// user had before codexgen took them over (equal to the catalog's or not)
/// the catalog no longer sets: they stay, the user's again, their own
/// value put back where codexgen's replaced it; never removed.
fn warn_about_give_backs(plan: &Plan, said: &mut Warnings) {
    let given: Vec<String> = plan
        .files
        .iter()
        .flat_map(|p| {
            p.merged.notes.iter().filter_map(move |note| match note {
                Note::GivenBack { path, found, yours } => Some(match yours {
                    Some(yours) => format!(
                        "  {}: {path}: {} → {} (yours, put back)",
                        p.file,
                        redact_value(path, found),
                        redact_value(path, yours)
                    ),
                    None => format!(
                        "  {}: {path} = {} (stays)",
                        p.file,
                        redact_value(path, found)
                    ),
                }),
                _ => None,
            })
        })
        .collect();
    if given.is_empty() {
        return;
    }
    let mut lines = vec![format!(
        "codexgen gives back {} value(s) you set before it managed them, which the catalog no longer sets:",
        given.len()
    )];
    lines.extend(given.iter().take(TAKE_OVERS_LISTED).cloned());
    if given.len() > TAKE_OVERS_LISTED {
        lines.push(format!(
            "  and {} more (`codexgen gen --diff` shows every change)",
            given.len() - TAKE_OVERS_LISTED
        ));
    }
    let help = "they are yours again, as you had them; codexgen no longer manages them";
    said.warn(Problem::new(lines.join("\n")).help(help));
}

/// Says, in every mode and before anything is written, which tables the
/// catalog no longer renders but codexgen leaves whole, its own keys
/// included, because they hold keys the user added: removing only
/// codexgen's keys would leave a table Codex may refuse (a provider without
/// `name`). They are the user's from now on.
fn warn_about_releases(plan: &Plan, said: &mut Warnings) {
    for p in &plan.files {
        for note in &p.merged.notes {
            let Note::Released {
                table,
                keys,
                used_by,
            } = note
            else {
                continue;
            };
            // A key in another file is `FILE: KEY`.
            let quoted = |list: &[String]| {
                list.iter()
                    .map(|k| match k.split_once(": ") {
                        Some((file, key)) => format!("`{key}` in {file}"),
                        None => format!("`{k}`"),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let what = format!("{}: `[{table}]` is no longer in the catalog", p.file);
            let (message, help) = if used_by.is_empty() {
                (
                    format!("{what}, but it holds keys you added ({})", quoted(keys)),
                    format!(
                        "codexgen leaves the whole table, its own keys included (without them Codex could refuse the table), and no longer manages it; remove `[{table}]` by hand if you no longer want it"
                    ),
                )
            } else {
                let also = if keys.is_empty() {
                    String::new()
                } else {
                    format!(" (and it holds keys you added: {})", quoted(keys))
                };
                (
                    format!("{what}, but your {} names it{also}", quoted(used_by)),
                    format!(
                        "codexgen leaves the whole table (Codex fails when what a key names is not there), and no longer manages it; point {} elsewhere, then remove `[{table}]` by hand if you no longer want it",
                        quoted(used_by)
                    ),
                )
            };
            said.warn(
                Problem::new(printable(&message).into_owned()).help(printable(&help).into_owned()),
            );
        }
    }
}

/// Says, in every mode and before anything is written, which values edited
/// by hand go because the catalog no longer has them (drift that a removal
/// takes): file, key and the value that goes, redacted. The diff shows the
/// lines go; this is where it is said of the user's own edits, also under
/// `-q --yes`, which prints no diff.
fn warn_about_removed_edits(plan: &Plan, said: &mut Warnings) {
    let removed: Vec<(&CodexFile, &str, &str)> = plan
        .files
        .iter()
        .flat_map(|p| {
            p.merged.notes.iter().filter_map(move |note| match note {
                Note::Drift {
                    path,
                    found: Some(found),
                    action: DriftAction::Remove,
                    ..
                } => Some((&p.file, path.as_str(), found.as_str())),
                _ => None,
            })
        })
        .collect();
    if removed.is_empty() {
        return;
    }
    let mut lines = vec![format!(
        "codexgen would remove {} value(s) you edited by hand, because the catalog no longer has them:",
        removed.len()
    )];
    lines.extend(
        removed
            .iter()
            .take(TAKE_OVERS_LISTED)
            .map(|(file, path, found)| {
                let line = format!("  {file}: {path}: {}", redact_value(path, found));
                printable(&line).into_owned()
            }),
    );
    if removed.len() > TAKE_OVERS_LISTED {
        lines.push(format!(
            "  and {} more (`codexgen gen --diff` shows every change)",
            removed.len() - TAKE_OVERS_LISTED
        ));
    }
    let help = "to keep one, put it back in the catalog (or your overlay); `codexgen restore` puts the previous file back after a write";
    said.warn(Problem::new(lines.join("\n")).help(help));
}

/// The take-overs in `p` of values set by hand: (path, value on disk, the
/// catalog's). None in a file that carries codexgen's header while this home
/// has no record of it: codexgen wrote it elsewhere, so its values cannot be
/// told from the user's (`warn_about_unrecorded` says so for config.toml).
pub(super) fn set_by_hand<'p>(
    p: &'p Planned,
    state: &State,
) -> impl Iterator<Item = (&'p str, &'p str, &'p str)> {
    let elsewhere = written_elsewhere(p, state);
    p.merged
        .notes
        .iter()
        .filter(move |_| !elsewhere)
        .filter_map(|note| match note {
            Note::TakeOver { path, found, new } => Some((&**path, &**found, &**new)),
            _ => None,
        })
}

/// Whether the file carries codexgen's header while this home has no
/// record of it: written elsewhere, its values cannot be told from the
/// user's.
fn written_elsewhere(p: &Planned, state: &State) -> bool {
    !state.files.contains_key(&p.file)
        && p.current.as_deref().is_some_and(crate::header::has_header)
}

/// Says when config.toml carries codexgen's header but no record names
/// what codexgen wrote there: it was written elsewhere (another machine
/// sharing it without its record, or a home whose state was deleted), and a
/// provider removed from the catalog since cannot be told from the user's.
fn warn_about_unrecorded(plan: &Plan, state: &State, said: &mut Warnings) {
    let Some(current) = plan
        .get(&CodexFile::Config)
        .and_then(|p| p.current.as_deref())
    else {
        return;
    };
    if state.files.contains_key(&CodexFile::Config) || !crate::header::has_header(current) {
        return;
    }
    let help = match &state.shared {
        Some(shared) => format!(
            "if another machine shares this file, commit and sync its record too ({}); codexgen writes it on each run that writes, and this warning then stops; remove stale tables by hand once",
            shared.record.display()
        ),
        None => {
            "remove stale tables by hand once; codexgen records what it writes from this run on"
                .to_owned()
        }
    };
    let message = format!(
        "{} was written by codexgen elsewhere; providers removed from the catalog since then cannot be told from yours, so they stay",
        CodexFile::Config
    );
    said.warn(Problem::new(message).help(help));
}

/// Says what in the planned files will still trip the target Codex.
fn warn_about_hazards(
    settings: &Settings,
    catalog: &Catalog,
    plan: &Plan,
    state: &State,
    said: &mut Warnings,
) {
    let config = plan
        .get(&CodexFile::Config)
        .and_then(|p| p.merged.text.as_deref())
        .unwrap_or_default();
    let texts = hazards::Texts {
        config,
        profile_file: &|file| plan::text_on_disk(&settings.codex_home, file),
    };
    for hazard in hazards::find(&texts, &settings.target, catalog, state) {
        said.finding(hazard.finding(&settings.target));
    }
}
