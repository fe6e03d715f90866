//! `codexgen doctor`: one line per finding about the installed Codex, the
//! generated files and each provider's key variable, with the fix. Offline:
//! it reads the catalog, the Codex home and the environment, and (when Codex
//! is installed) asks Codex to load the files on disk. Key values are
//! checked, never printed.

use std::path::Path;

use anstream::println;
use serde::Serialize;

use super::endpoint::{Endpoint, KeyCheck, check_key};
use super::report::{Status, style_status};
use crate::app::{AppError, Planned, Prepared, prepare, read_optional};
use crate::cli::{DoctorArgs, GlobalArgs, OutputFormat};
use crate::codex::{self, Target, Version};
use crate::detect;
use crate::diagnostic::{Exit, render_error};
use crate::merge::{self, Note};
use crate::state::State;
use crate::verify;

#[derive(Debug, Serialize)]
pub struct Finding {
    /// `codex`, `files`, `provider <id>` or `profile <name>`.
    pub scope: String,
    pub status: Status,
    pub message: String,
    pub fix: Option<String>,
}

#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn add(
        &mut self,
        scope: impl Into<String>,
        status: Status,
        message: impl Into<String>,
        fix: Option<String>,
    ) {
        self.0.push(Finding {
            scope: scope.into(),
            status,
            message: message.into(),
            fix,
        });
    }
}

pub fn run(global: &GlobalArgs, args: &DoctorArgs) -> Result<Exit, AppError> {
    let prepared = prepare(global, None)?;
    let mut f = Findings::default();
    let state = prepared.read_state()?;
    let installed = check_codex(&prepared, &state, &mut f)?;
    let plan = check_files(&prepared, &state, &mut f);
    let version = installed
        .as_ref()
        .map_or(prepared.target.version, |(_, v)| *v);
    check_config_on_disk(&prepared, &plan, version, &mut f);
    if let Some((bin, _)) = &installed {
        verify_on_disk(&prepared, bin, version, &mut f)?;
    }
    check_keys(&prepared, &mut f);

    match args.format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&f.0).expect("findings serialize")
        ),
        OutputFormat::Text => print_text(&f.0),
    }
    Ok(if f.0.iter().any(|x| x.status == Status::Error) {
        Exit::OutOfDate
    } else {
        Exit::Ok
    })
}

fn print_text(findings: &[Finding]) {
    // Grouped by scope, scopes in the order they first appear.
    let mut scopes: Vec<&str> = Vec::new();
    for x in findings {
        if !scopes.contains(&x.scope.as_str()) {
            scopes.push(&x.scope);
        }
    }
    for scope in scopes {
        println!("{scope}");
        for x in findings.iter().filter(|x| x.scope == scope) {
            println!("  {} {}", style_status(x.status), x.message);
            if let Some(fix) = &x.fix {
                println!("        fix: {fix}");
            }
        }
    }
    let errors = findings
        .iter()
        .filter(|x| x.status == Status::Error)
        .count();
    let warnings = findings.iter().filter(|x| x.status == Status::Warn).count();
    println!("{errors} error(s), {warnings} warning(s)");
}

/// The installed Codex and whether the files are written for it.
fn check_codex(
    p: &Prepared,
    state: &State,
    f: &mut Findings,
) -> Result<Option<(std::path::PathBuf, Version)>, AppError> {
    let Some(bin) = detect::find(p.settings.codex_bin.as_deref())? else {
        f.add(
            "codex",
            Status::Warn,
            format!(
                "no codex on PATH; checking against Codex {} ({})",
                p.target.version, p.target.reason
            ),
            Some("install it (npm install -g @openai/codex) or pass --codex-bin PATH".to_owned()),
        );
        return Ok(None);
    };
    let (version, _) = detect::version(&bin, detect::cache_file().as_deref())?;
    f.add(
        "codex",
        Status::Ok,
        format!("Codex {version} at {}", bin.display()),
        None,
    );
    // What the files on disk were written for (recorded by the last write),
    // else what this run would write for.
    let written_for = state
        .codex
        .as_deref()
        .and_then(|v| v.parse::<Version>().ok())
        .map_or((p.target.version, "this run's target"), |v| {
            (v, "the last `codexgen gen`")
        });
    if version != written_for.0 {
        f.add(
            "codex",
            Status::Warn,
            format!(
                "the files are written for Codex {} ({}), but the installed Codex is {version}",
                written_for.0, written_for.1
            ),
            Some(if version == p.target.version {
                "run `codexgen gen` to rewrite them for the installed Codex".to_owned()
            } else {
                format!("generate for the installed one: `codexgen gen --codex-version {version}` (or change the catalog's `codex:`)")
            }),
        );
    }
    Ok(Some((bin, version)))
}

/// Same logic as `gen --check`, plus drift.
fn check_files(p: &Prepared, state: &State, f: &mut Findings) -> Vec<Planned> {
    let plan = match p.plan(state) {
        Ok(plan) => plan,
        Err(e) => {
            f.add(
                "files",
                Status::Error,
                render_error(&e).trim_start_matches("error: ").to_owned(),
                None,
            );
            return Vec::new();
        }
    };
    for planned in &plan {
        for note in &planned.merged.notes {
            if let Note::Drift { path, found, .. } = note {
                let what = if found.is_some() { "edited" } else { "removed" };
                f.add(
                    "files",
                    Status::Warn,
                    format!("{}: managed `{path}` was {what} by hand", planned.name),
                    Some("put the change in the catalog (or an overlay), or let `codexgen gen` restore it".to_owned()),
                );
            }
        }
    }
    let mut missing = Vec::new();
    let mut no_longer = Vec::new();
    let mut outdated = Vec::new();
    for planned in plan.iter().filter(|x| x.changes()) {
        let name = planned.name.as_str();
        match (&planned.current, &planned.merged.text) {
            (None, _) => missing.push(name),
            (_, None) => no_longer.push(name),
            _ => outdated.push(name),
        }
    }
    let fix = || Some("review with `codexgen gen --diff`, then run `codexgen gen`".to_owned());
    for (files, what) in [
        (&missing, "missing"),
        (&outdated, "out of date with the catalog"),
        (&no_longer, "stale (the catalog no longer has it)"),
    ] {
        if !files.is_empty() {
            f.add(
                "files",
                Status::Error,
                format!("{what}: {}", files.join(", ")),
                fix(),
            );
        }
    }
    if missing.is_empty() && outdated.is_empty() && no_longer.is_empty() {
        let files = plan.iter().filter(|x| x.merged.text.is_some()).count();
        f.add(
            "files",
            Status::Ok,
            format!("{files} file(s) match the catalog"),
            None,
        );
    }
    plan
}

/// What in config.toml as it is now would make this Codex fail.
fn check_config_on_disk(p: &Prepared, plan: &[Planned], version: Version, f: &mut Findings) {
    let Some(current) = plan
        .iter()
        .find(|x| x.name == "config.toml")
        .and_then(|x| x.current.as_deref())
    else {
        return;
    };
    let Ok(doc) = current.parse::<toml_edit::DocumentMut>() else {
        return; // check_files already reported it
    };
    let target = Target::at(version);
    if let Some(providers) = doc.get("model_providers").and_then(|t| t.as_table_like()) {
        for (id, table) in providers.iter() {
            let scope = format!("provider {id}");
            if !target.may_define_provider(id) {
                f.add(
                    &scope,
                    Status::Error,
                    format!("config.toml defines [model_providers.{id}]; Codex {version} refuses to load a built-in id there"),
                    Some(format!("remove that table (or rename it, e.g. local_{id}) and use `provider: {id}` in the catalog")),
                );
            }
            if let Some(wire) = table.get("wire_api").and_then(|w| w.as_str())
                && !target.accepts_wire_api(wire)
            {
                f.add(
                    &scope,
                    Status::Error,
                    format!("config.toml has wire_api = \"{wire}\" for `{id}`; Codex {version} refuses it (chat was removed in {})", codex::CHAT_REMOVED),
                    Some("set `wire_api: responses` in the catalog if the provider serves /responses, then `codexgen gen`".to_owned()),
                );
            }
        }
    }
    if target.profile_layout() == codex::ProfileLayout::Files {
        let legacy = merge::legacy_profiles(current);
        for name in legacy.tables {
            f.add(
                format!("profile {name}"),
                Status::Error,
                format!("config.toml still has [profiles.{name}]: `codex -p {name}` fails on Codex {version}"),
                Some(if p.catalog.profile(&name).is_some() {
                    "run `codexgen gen` (it moves the table to its own file)".to_owned()
                } else {
                    format!("move its keys into {name}.config.toml, or add the profile to the catalog and run `codexgen gen`")
                }),
            );
        }
        if let Some(name) = legacy.selector {
            f.add(
                format!("profile {name}"),
                Status::Error,
                format!("config.toml has `profile = \"{name}\"`: `codex -p {name}` fails on Codex {version}"),
                Some("remove that line and start Codex with `codex -p NAME`".to_owned()),
            );
        }
    } else if !target.top_level_profile_flag_works() {
        f.add(
            "codex",
            Status::Warn,
            format!(
                "Codex {version} ignores `codex -p NAME` before the subcommand (fixed in {})",
                codex::TOP_LEVEL_PROFILE_FLAG
            ),
            Some("use `codex exec --profile NAME`, or `codexgen exec NAME`".to_owned()),
        );
    }
}

/// Asks the installed Codex to load the files as they are on disk.
fn verify_on_disk(
    p: &Prepared,
    bin: &Path,
    version: Version,
    f: &mut Findings,
) -> Result<(), AppError> {
    let home = &p.settings.codex_home;
    let Some(config) = read_optional(&home.join("config.toml"))? else {
        return Ok(());
    };
    let mut texts = vec![("config.toml".to_owned(), config)];
    let mut profiles = Vec::new();
    for profile in &p.catalog.profiles {
        let name = format!("{}.config.toml", profile.name);
        if let Some(text) = read_optional(&home.join(&name))? {
            texts.push((name, text));
        }
        profiles.push(profile.name.as_str());
    }
    let files = verify::LoadCheck {
        version,
        home,
        files: texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect(),
        profiles,
    };
    match verify::verify(bin, &files) {
        Ok(()) => f.add(
            "codex",
            Status::Ok,
            format!(
                "Codex {version} loads config.toml and every catalog profile (`codex mcp list`)"
            ),
            None,
        ),
        Err(e) => f.add(
            "codex",
            Status::Error,
            e.to_string(),
            Some(
                "fix what Codex names (or run `codexgen gen` if the catalog already has the fix)"
                    .to_owned(),
            ),
        ),
    }
    Ok(())
}

/// Each provider's key variable, and the header variables.
fn check_keys(p: &Prepared, f: &mut Findings) {
    let catalog = &p.catalog;
    let mut ids: Vec<&str> = catalog.providers.iter().map(|x| x.id.as_str()).collect();
    for profile in &catalog.profiles {
        if !ids.contains(&profile.provider.as_str()) {
            ids.push(&profile.provider);
        }
    }
    for id in ids {
        let Some(endpoint) = Endpoint::lookup(catalog, id) else {
            continue;
        };
        let users: Vec<&str> = catalog
            .profiles
            .iter()
            .filter(|x| x.provider == id)
            .map(|x| x.name.as_str())
            .collect();
        let scope = format!("provider {id}");
        let Some(var) = &endpoint.env_key else {
            f.add(&scope, Status::Ok, "no key needed", None);
            continue;
        };
        let check = check_key(var, &endpoint);
        let used = if users.is_empty() {
            " (no profile uses this provider)".to_owned()
        } else {
            format!(" (used by profile {})", users.join(", "))
        };
        let export = Some(format!("export {var}=<your {} key>", endpoint.name));
        match check {
            KeyCheck::Fine => f.add(&scope, Status::Ok, check.describe(var), None),
            KeyCheck::Unset | KeyCheck::Empty
                if id == "openai" && p.settings.codex_home.join("auth.json").is_file() =>
            {
                f.add(
                    &scope,
                    Status::Ok,
                    format!("{}; Codex uses the login in auth.json", check.describe(var)),
                    None,
                );
            }
            KeyCheck::Unset | KeyCheck::Empty if users.is_empty() => {
                f.add(
                    &scope,
                    Status::Warn,
                    format!("{}{used}", check.describe(var)),
                    export,
                );
            }
            KeyCheck::Unset | KeyCheck::Empty => f.add(
                &scope,
                Status::Error,
                format!(
                    "{}{used}: Codex stops with \"Missing environment variable\"",
                    check.describe(var)
                ),
                export,
            ),
            KeyCheck::Padded | KeyCheck::Quoted | KeyCheck::NotUnicode => f.add(
                &scope,
                Status::Error,
                format!("{}: the provider will answer 401", check.describe(var)),
                Some(format!(
                    "re-export {var} without quotes or surrounding spaces"
                )),
            ),
            KeyCheck::Foreign { .. } | KeyCheck::MissingPrefix { .. } => f.add(
                &scope,
                Status::Warn,
                format!("{}: expect a 401", check.describe(var)),
                Some(format!("check that {var} holds a {} key", endpoint.name)),
            ),
        }
        for (header, hvar) in &endpoint.env_http_headers {
            if std::env::var_os(hvar).is_none_or(|v| v.is_empty()) {
                f.add(
                    &scope,
                    Status::Warn,
                    format!("header {header} is left out: {hvar} is not set"),
                    Some(format!("export {hvar}=... if the provider needs it")),
                );
            }
        }
    }
}
