//! `codexgen doctor [PROFILE...]`: one line per finding about the installed
//! Codex, the generated files, Codex's config layers around them and the key
//! variables of the profiles in scope, with the fix. Offline: it reads the
//! catalog, the Codex home, the layers and the environment, and (when Codex
//! is installed) asks Codex to load the files on disk. Key values are
//! checked, never printed. Each enabled catalog MCP server: its program is
//! found (as a key command is, never run) and the variables it names are
//! set; a missing one is a warning, an error for a `required` server.
//!
//! Scope: the profiles named, else the default profile, every profile whose
//! provider's key variable is set (or needs none, or is `openai` with a
//! sign-in in auth.json, or gets its key from a command whose program is
//! found). A key command is found as Codex finds it and never run here: it
//! may open a password prompt (`probe` runs it). A profile out of scope is not checked: its unset
//! key is one `info` line, never an error. The Codex install and the files
//! are always in scope. The exit status is 1 only for an error in scope.
//! A home codexgen never wrote (no record, no file with its header) is one
//! warning pointing at `import` or `gen --diff`, not an error per file.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::catalog::{AuthCommand, Aws};
use crate::codex::{self, Target, Version};
use crate::codex_schema;
use crate::diagnostic::{Exit, did_you_mean};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::findings::{self, Finding, Severity};
use crate::hazards;
use crate::header;
use crate::home::CodexFile;
use crate::keycmd;
use crate::layers::{self, Places};
use crate::merge::Note;
use crate::output::{OutputError, Stdout};
use crate::plan::{self, Plan, read_optional};
use crate::secrets::{KeyCheck, KeyVerdict};
use crate::settings::{Installed, Settings};
use crate::state::State;
use crate::ui::report::{Format, Status, own_words, shown_lines, style_status};
use crate::verify;

pub struct Options {
    pub format: Format,
    /// The catalog profiles to check; empty means the default scope.
    pub profiles: Vec<String>,
}

/// One line of the report: a check that passed (`ok`), or a finding
/// rendered (`findings::Finding`, or one of doctor's own checks).
#[derive(Debug, Serialize)]
pub struct Line {
    /// `codex`, `files`, `layers`, `provider <id>`, `profile <name>` or
    /// `other profiles`.
    pub scope: String,
    pub status: Status,
    pub message: String,
    pub fix: Option<String>,
    /// The profiles an `other profiles` finding leaves unchecked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
}

#[derive(Default)]
struct Findings(Vec<Line>);

impl Findings {
    fn add(
        &mut self,
        scope: impl Into<String>,
        status: Status,
        message: impl Into<String>,
        fix: Option<String>,
    ) {
        self.0.push(Line {
            scope: own_words(&scope.into()),
            status,
            message: shown_lines(&message.into()),
            fix: fix.map(|f| own_words(&f)),
            profiles: Vec::new(),
        });
    }

    /// A finding as every command words it, under its subject.
    fn found(&mut self, finding: Finding) {
        self.add(
            finding.subject.to_string(),
            finding.severity.into(),
            finding.located(),
            finding.fix,
        );
    }
}

/// The profiles checked.
struct Scope<'c> {
    /// Named on the command line: exactly these.
    named: bool,
    profiles: HashSet<&'c str>,
    /// The default profile, when the catalog has one (`default: ~` has none).
    default: Option<&'c str>,
}

impl<'c> Scope<'c> {
    fn new(settings: &Settings, catalog: &'c Catalog, names: &[String]) -> Result<Self, Error> {
        let index = catalog.index();
        if !names.is_empty() {
            let mut profiles = HashSet::new();
            for name in names {
                let Some(profile) = index.profile(name) else {
                    let known = catalog.profiles.iter().map(|p| p.name.as_str());
                    let hint = did_you_mean(name, known)
                        .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
                    let mut all: Vec<&str> = catalog
                        .profiles
                        .iter()
                        .take(20)
                        .map(|p| p.name.as_str())
                        .collect();
                    if catalog.profiles.len() > 20 {
                        all.push("...");
                    }
                    return Err(Error::with_help(
                        format!("no profile `{name}` in the catalog{hint}"),
                        format!(
                            "profiles: {}; with no names, doctor checks the default profile and those whose key variable is set",
                            all.join(", ")
                        ),
                    ));
                };
                profiles.insert(profile.name.as_str());
            }
            return Ok(Scope {
                named: true,
                profiles,
                default: catalog.default.as_deref(),
            });
        }
        let logged_in = settings.codex_home.join("auth.json").is_file();
        // Once per provider, not per profile: a key command is looked up on
        // PATH, and thousands of profiles may share one provider.
        let at_hand: HashMap<&str, bool> = catalog
            .providers_in_use()
            .into_iter()
            .map(|id| {
                let ok = Endpoint::lookup(&index, id).is_none_or(|e| {
                    key_at_hand(&e, &settings.codex_home) || (e.id == "openai" && logged_in)
                });
                (id, ok)
            })
            .collect();
        let profiles = catalog
            .profiles
            .iter()
            .filter(|p| {
                catalog.default.as_deref() == Some(p.name.as_str())
                    || at_hand.get(p.provider.as_str()).copied().unwrap_or(true)
            })
            .map(|p| p.name.as_str())
            .collect();
        Ok(Scope {
            named: false,
            profiles,
            default: catalog.default.as_deref(),
        })
    }

    fn has(&self, profile: &str) -> bool {
        self.profiles.contains(profile)
    }
}

/// Whether Codex can get the provider's key without being told more: its
/// variable is set, its key command is found (not run: it may prompt), or
/// it needs no key.
fn key_at_hand(e: &Endpoint, codex_home: &std::path::Path) -> bool {
    match (&e.auth, &e.env_key) {
        (Some(auth), _) => keycmd::locate(auth, codex_home).is_ok(),
        (None, Some(var)) => is_set(var),
        (None, None) => true,
    }
}

/// Set and not empty (only whitespace counts as empty, as Codex reads it).
fn is_set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| v.to_str().is_none_or(|s| !s.trim().is_empty()))
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    let prepared = plan::prepare(settings, None)?;
    let catalog = &prepared.catalog;
    let scope = Scope::new(settings, catalog, &options.profiles)?;
    let mut f = Findings::default();
    let state = plan::read_state(settings)?;
    let installed = check_codex(settings, &state, &mut f)?;
    let plan = check_files(settings, &prepared, &state, &mut f);
    let version = installed.map_or(settings.target.version, |i| i.version);
    check_config_on_disk(settings, catalog, &state, plan.as_ref(), version, &mut f);
    check_codex_schema(settings, plan.as_ref(), version, &mut f);
    if let Some(installed) = installed {
        verify_on_disk(settings, catalog, &state, installed, &mut f)?;
    }
    check_layers(settings, catalog, plan.as_ref(), &scope, &mut f);
    check_keys(settings, catalog, &scope, &mut f);
    check_mcp_servers(settings, catalog, &mut f);

    let mut out = Stdout::buffered("the findings");
    match options.format {
        Format::Json => {
            out.line(serde_json::to_string_pretty(&f.0).expect("findings serialize"))?;
        }
        Format::Text => print_text(&mut out, &f.0)?,
    }
    out.finish()?;
    Ok(if f.0.iter().any(|x| x.status == Status::Error) {
        Exit::Attention
    } else {
        Exit::Ok
    })
}

fn print_text(out: &mut Stdout, findings: &[Line]) -> Result<(), OutputError> {
    // Grouped by scope, scopes in the order they first appear (in one pass:
    // at 10,000 providers there are 10,000 scopes).
    let mut scopes: Vec<(&str, Vec<&Line>)> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for x in findings {
        let group = *at.entry(x.scope.as_str()).or_insert_with(|| {
            scopes.push((x.scope.as_str(), Vec::new()));
            scopes.len() - 1
        });
        scopes[group].1.push(x);
    }
    for (scope, group) in scopes {
        out.line(scope)?;
        for x in group {
            // A many-line message (Codex's own) goes on under its first line.
            out.line(format_args!(
                "  {} {}",
                style_status(x.status),
                x.message.replace('\n', "\n        ")
            ))?;
            if let Some(fix) = &x.fix {
                out.line(format_args!("        fix: {fix}"))?;
            }
        }
    }
    let errors = findings
        .iter()
        .filter(|x| x.status == Status::Error)
        .count();
    let warnings = findings.iter().filter(|x| x.status == Status::Warn).count();
    out.line(format_args!("{errors} error(s), {warnings} warning(s)"))
}

/// Checks the files on disk (what Codex reads now) against the config
/// schema of the Codex that reads them (`codex_schema`): one warning per
/// unknown key or wrong-typed value, with its file and line.
fn check_codex_schema(
    settings: &Settings,
    plan: Option<&Plan>,
    version: Version,
    f: &mut Findings,
) {
    let Some(plan) = plan else {
        return;
    };
    let schema = match settings.codex_schemas.for_target(version) {
        Ok(Some(schema)) => schema,
        Ok(None) => return,
        Err(e) => {
            f.found(codex_schema::unreadable(&e));
            return;
        }
    };
    let whose = codex_schema::whose(&schema, version);
    for p in &plan.files {
        let Some(text) = p.current.as_deref() else {
            continue;
        };
        let file = p.file.to_string();
        for mismatch in schema.check(text) {
            f.found(mismatch.finding(&whose, &file, text));
        }
    }
}

/// The installed Codex and whether the files are written for it.
fn check_codex<'s>(
    settings: &'s Settings,
    state: &State,
    f: &mut Findings,
) -> Result<Option<&'s Installed>, Error> {
    let target = &settings.target;
    let installed = settings.codex.version()?;
    // The Codex that reads the files, and the one they are checked for.
    if let Some(finding) = findings::newer_than_measured(target.version) {
        f.found(finding);
    }
    let Some(installed) = installed else {
        f.add(
            "codex",
            Status::Warn,
            format!(
                "no codex on PATH; checking against Codex {} ({})",
                target.version, target.reason
            ),
            Some("install it (npm install -g @openai/codex) or pass --codex-bin PATH".to_owned()),
        );
        return Ok(None);
    };
    let version = installed.version;
    f.add(
        "codex",
        Status::Ok,
        format!("Codex {version} at {}", installed.bin.display()),
        None,
    );
    if version != target.version
        && let Some(finding) = findings::newer_than_measured(version)
    {
        f.found(finding);
    }
    // What the files on disk were written for (recorded by the last write),
    // else what this run would write for.
    let written_for = state
        .codex
        .as_deref()
        .and_then(|v| v.parse::<Version>().ok())
        .map_or((target.version, "this run's target"), |v| {
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
            Some(if version == target.version {
                "run `codexgen gen` to rewrite them for the installed Codex".to_owned()
            } else {
                format!("generate for the installed one: `codexgen gen --codex-version {version}` (or change the catalog's `codex:`)")
            }),
        );
    }
    Ok(Some(installed))
}

/// Same logic as `gen --check`, plus drift.
fn check_files(
    settings: &Settings,
    prepared: &plan::Prepared,
    state: &State,
    f: &mut Findings,
) -> Option<Plan> {
    let plan = match prepared.plan(settings, state) {
        Ok(plan) => plan,
        Err(e) => {
            f.add("files", Status::Error, e.body(), None);
            return None;
        }
    };
    for planned in &plan.files {
        for note in &planned.merged.notes {
            if let Note::Drift { path, found, .. } = note {
                let (what, fix) = if found.is_some() {
                    (
                        "edited",
                        "keep it with `codexgen adopt` (writes it into your personal overlay), or let `codexgen gen` put the catalog's value back",
                    )
                } else {
                    (
                        "removed",
                        "let `codexgen gen` restore it, or remove it from the catalog (`~` in your overlay)",
                    )
                };
                f.add(
                    "files",
                    Status::Warn,
                    format!("{}: managed `{path}` was {what} by hand", planned.file),
                    Some(fix.to_owned()),
                );
            }
        }
    }
    if let Some(gone) = crate::outside::gone_from_config(&plan, state) {
        let (message, help) = crate::outside::gone_words(&gone);
        f.add("files", Status::Warn, message, Some(help));
    }
    if never_written(state, &plan) {
        said_never_written(&plan, f);
        return Some(plan);
    }
    let mut missing = Vec::new();
    let mut no_longer = Vec::new();
    let mut outdated = Vec::new();
    // A hand-written file that only lacks codexgen's header is in sync, as
    // `gen --check` counts it.
    for planned in plan.changed().filter(|p| !p.header_added()) {
        let name = planned.file.to_string();
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
        let files = plan
            .files
            .iter()
            .filter(|x| x.merged.text.is_some())
            .count();
        f.add(
            "files",
            Status::Ok,
            format!("{files} file(s) match the catalog"),
            None,
        );
    }
    Some(plan)
}

/// Whether codexgen has never written this home: it records no file, and
/// no file the catalog would write holds codexgen's header.
fn never_written(state: &State, plan: &Plan) -> bool {
    state.files.is_empty()
        && state.pending.is_empty()
        && plan.files.iter().all(|p| {
            p.current
                .as_deref()
                .is_none_or(|text| !header::has_header(text))
        })
}

/// A home codexgen never wrote, in one finding rather than an error per
/// file it would write: a hand-written config is taken over with `import`
/// (gen would otherwise replace the values it manages); an empty home is
/// what `gen` is for.
fn said_never_written(plan: &Plan, f: &mut Findings) {
    let there: Vec<String> = plan
        .files
        .iter()
        .filter(|p| p.current.is_some())
        .map(|p| p.file.to_string())
        .collect();
    if there.is_empty() {
        f.add(
            "files",
            Status::Warn,
            format!(
                "codexgen has not written this Codex home yet (it has no {})",
                CodexFile::Config
            ),
            Some("review with `codexgen gen --diff`, then run `codexgen gen`".to_owned()),
        );
        return;
    }
    f.add(
        "files",
        Status::Warn,
        format!(
            "codexgen has never written this Codex home: {} {} hand-written (or Codex's own), with no record of codexgen's",
            there.join(", "),
            if there.len() == 1 { "is" } else { "are" }
        ),
        Some(
            "to keep what it sets, start your catalog from it: `codexgen import --output providers.yaml`; `codexgen gen --diff` shows what gen would change with this catalog"
                .to_owned(),
        ),
    );
}

/// What in config.toml as it is now would make this Codex fail.
fn check_config_on_disk(
    settings: &Settings,
    catalog: &Catalog,
    state: &State,
    plan: Option<&Plan>,
    version: Version,
    f: &mut Findings,
) {
    let config = CodexFile::Config;
    let Some(current) = plan
        .and_then(|p| p.get(&config))
        .and_then(|x| x.current.as_deref())
    else {
        return; // missing (reported above), or unreadable (check_files reported it)
    };
    let target = Target::at(version);
    let texts = hazards::Texts {
        config: current,
        profile_file: &|file| plan::text_on_disk(&settings.codex_home, file),
    };
    for hazard in hazards::find(&texts, &target, catalog, state) {
        f.found(hazard.finding(&target));
    }
}

/// Asks the installed Codex to load the files as they are on disk.
fn verify_on_disk(
    settings: &Settings,
    catalog: &Catalog,
    state: &State,
    installed: &Installed,
    f: &mut Findings,
) -> Result<(), Error> {
    let home = &settings.codex_home;
    let version = installed.version;
    let config = CodexFile::Config;
    let Some(text) = read_optional(&config.path_in(home))? else {
        return Ok(());
    };
    let mut texts = vec![(config.clone(), text)];
    for profile in &catalog.profiles {
        let file = CodexFile::Profile(profile.name.clone());
        if let Some(text) = read_optional(&file.path_in(home))? {
            texts.push((file, text));
        }
    }
    let check = verify::LoadCheck {
        version,
        home,
        files: texts.iter().map(|(n, t)| (n, t.as_str())).collect(),
        profiles: catalog.profiles.iter().map(|p| &p.name).collect(),
        mcp_servers: &catalog.mcp_servers,
        profile_mcp: catalog
            .profiles
            .iter()
            .map(|p| (&p.name, p.mcp_servers.as_slice()))
            .collect(),
    };
    match verify::verify(&installed.bin, &check) {
        Ok(verified) => {
            f.add(
                "codex",
                Status::Ok,
                format!(
                    "Codex {version} loads {config} and every catalog profile (`codex mcp list`)"
                ),
                None,
            );
            if let Some(strict) = &verified.strict {
                report_unknown_keys(state, strict, version, f);
            }
            for finding in verified.mcp {
                f.found(finding);
            }
        }
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

/// One warning per key `codex --strict-config` does not know in the files
/// on disk: file, line, column and the line itself, and whose key it is
/// (codexgen's, by the state's record of what it wrote, or the user's).
fn report_unknown_keys(state: &State, strict: &verify::Strict, version: Version, f: &mut Findings) {
    for key in &strict.unknown {
        let managed = key
            .file
            .as_ref()
            .and_then(|file| state.files.get(file))
            .is_some_and(|recorded| key.is_managed(&recorded.managed));
        // Doctor shows no snippet: the line itself follows the message.
        let mut finding = key.finding(version, managed);
        finding.message = format!("{} (`{}`)", finding.message, key.at.text.trim());
        f.found(finding);
    }
    if let Some(finding) = verify::incomplete(strict, version) {
        f.found(finding);
    } else if strict.unknown.is_empty() {
        f.add(
            "files",
            Status::Ok,
            format!("Codex {version} knows every key of the files (`codex --strict-config`)"),
            None,
        );
    }
}

/// The layers above and below the user's files that override or forbid
/// what codexgen writes, for the profiles in scope.
fn check_layers(
    settings: &Settings,
    catalog: &Catalog,
    plan: Option<&Plan>,
    scope: &Scope,
    f: &mut Findings,
) {
    let user_config = plan
        .and_then(|p| p.get(&CodexFile::Config))
        .and_then(|x| x.current.as_deref());
    let places = Places::here(&settings.codex_home);
    for finding in layers::find(catalog, &places, user_config) {
        if !finding.profiles.is_empty() && !finding.profiles.iter().any(|p| scope.has(p)) {
            continue;
        }
        f.found(finding);
    }
}

/// Each provider's key variable, and the header variables, for the
/// providers of the profiles in scope; one line for the rest.
fn check_keys(settings: &Settings, catalog: &Catalog, scope: &Scope, f: &mut Findings) {
    let index = catalog.index();
    // (variable, who) of the providers left out, and the profiles.
    let mut skipped: Vec<(String, String)> = Vec::new();
    let mut skipped_profiles: Vec<String> = Vec::new();
    for id in catalog.providers_in_use() {
        let Some(endpoint) = Endpoint::lookup(&index, id) else {
            continue;
        };
        let all: Vec<&str> = index.users_of(id).iter().map(|x| x.name.as_str()).collect();
        let users: Vec<&str> = all.iter().copied().filter(|p| scope.has(p)).collect();
        // A provider no profile uses is checked by default when its key is
        // set (a bad value is worth knowing), never when profiles are named.
        let unused_checked =
            all.is_empty() && !scope.named && key_at_hand(&endpoint, &settings.codex_home);
        if users.is_empty() && !unused_checked {
            if all.is_empty() && scope.named {
                continue;
            }
            let var = match &endpoint.auth {
                Some(auth) => format!("key command `{}`", auth.command),
                None => endpoint.env_key.clone().unwrap_or_default(),
            };
            let who = if all.is_empty() {
                format!("provider {id}, which no profile uses")
            } else {
                all.join(", ")
            };
            skipped.push((var, who));
            skipped_profiles.extend(all.iter().map(|p| (*p).to_owned()));
            continue;
        }
        let scope_name = format!("provider {id}");
        let only_as_default = !scope.named && scope.default.is_some_and(|d| users == [d]);
        match (&endpoint.auth, &endpoint.aws, &endpoint.env_key) {
            (Some(auth), _, _) => {
                check_key_command(settings, &endpoint, auth, &users, only_as_default, f);
            }
            (None, Some(aws), _) => check_aws(aws, &scope_name, f),
            (None, None, Some(var)) => {
                let key = KeyVariable {
                    id,
                    var,
                    users: &users,
                    only_as_default,
                };
                check_key_variable(settings, &endpoint, &key, scope, f);
            }
            (None, None, None) if endpoint.builtin && endpoint.id == codex::GCP_PROVIDER.0 => f.add(
                &scope_name,
                Status::Ok,
                "Codex signs in with Google Cloud credentials (Application Default Credentials, or the table's `credential_file`); they are not checked",
                None,
            ),
            (None, None, None) => f.add(&scope_name, Status::Ok, "no key needed", None),
        }
        for (header, hvar) in &endpoint.env_http_headers {
            if !is_set(hvar) {
                f.add(
                    &scope_name,
                    Status::Warn,
                    format!("header {header} is left out: {hvar} is not set"),
                    Some(format!("export {hvar}=... if the provider needs it")),
                );
            }
        }
    }
    not_checked(scope, &skipped, skipped_profiles, f);
}

/// Each catalog MCP server that is enabled: its program is found as Codex
/// would find it (not run), and each variable it names is set. What is
/// missing is a warning, an error for a `required` server (Codex does not
/// start without it).
fn check_mcp_servers(settings: &Settings, catalog: &Catalog, f: &mut Findings) {
    for server in &catalog.mcp_servers {
        let scope = format!("mcp server {}", server.id);
        if !server.enabled() {
            f.add(
                &scope,
                Status::Info,
                "disabled (`enabled: false`): not checked",
                None,
            );
            continue;
        }
        let missing = if server.required() {
            Status::Error
        } else {
            Status::Warn
        };
        let but = if server.required() {
            " (the server is `required`: Codex does not start without it)"
        } else {
            " (Codex starts without the server)"
        };
        let mut problems = 0;
        if let Some(command) = server.text("command") {
            let program = AuthCommand {
                command: command.to_owned(),
                args: Vec::new(),
                timeout_ms: None,
                refresh_interval_ms: None,
                cwd: server.text("cwd").map(str::to_owned),
            };
            if let Err(err) = keycmd::locate(&program, &settings.codex_home) {
                problems += 1;
                f.add(
                    &scope,
                    missing,
                    format!("its program cannot be started: {err}{but}"),
                    Some("install it, or fix `command` (and `cwd`) in the catalog".to_owned()),
                );
            }
        }
        for (var, what) in server.variables() {
            if !is_set(var) {
                problems += 1;
                f.add(
                    &scope,
                    if what == "bearer_token_env_var" {
                        missing
                    } else {
                        Status::Warn
                    },
                    format!("{var} is not set ({what})"),
                    Some(format!("export {var}=... before starting Codex")),
                );
            }
        }
        if problems == 0 {
            f.add(
                &scope,
                Status::Ok,
                if server.text("command").is_some() {
                    "its program is found and the variables it names are set (not started)"
                } else {
                    "the variables it names are set (not connected)"
                },
                None,
            );
        }
    }
}

/// A provider's key variable, and who in scope needs it.
struct KeyVariable<'a> {
    id: &'a str,
    var: &'a str,
    users: &'a [&'a str],
    /// Out of the default scope but for being the default profile: plain
    /// `codex` would fail, which a hook that runs `codexgen doctor`
    /// should hear about without failing on it.
    only_as_default: bool,
}

/// A provider's key variable: set, unset, or likely wrong.
fn check_key_variable(
    settings: &Settings,
    endpoint: &Endpoint,
    key: &KeyVariable<'_>,
    scope: &Scope,
    f: &mut Findings,
) {
    let (id, var, users, only_as_default) = (key.id, key.var, key.users, key.only_as_default);
    let scope_name = format!("provider {id}");
    let check = KeyCheck::of_var(var, &endpoint.base_url);
    let missing = check.verdict() == KeyVerdict::Missing;
    let logged_in = id == "openai" && settings.codex_home.join("auth.json").is_file();
    let used = if users.is_empty() {
        " (no profile uses this provider)".to_owned()
    } else if missing && only_as_default {
        format!(
            " (used by profile {}, the default, which plain `codex` runs)",
            scope.default.unwrap_or_default()
        )
    } else {
        format!(" (used by profile {})", users.join(", "))
    };
    match endpoint.key_finding(var, &check, &used) {
        None => f.add(&scope_name, Status::Ok, check.describe(var), None),
        Some(_) if missing && logged_in => f.add(
            &scope_name,
            Status::Ok,
            format!("{}; Codex uses the login in auth.json", check.describe(var)),
            None,
        ),
        Some(mut finding) => {
            if missing && only_as_default {
                finding.severity = Severity::Warning;
            }
            f.found(finding);
        }
    }
}

/// A provider that signs with AWS: what it uses, unchecked (the AWS
/// credential chain is the AWS SDK's business).
fn check_aws(aws: &Aws, scope_name: &str, f: &mut Findings) {
    let mut how = String::from("Codex signs requests with AWS SigV4");
    if let Some(profile) = &aws.profile {
        let _ = write!(how, " (AWS profile `{profile}`)");
    }
    f.add(
        scope_name,
        Status::Ok,
        format!("{how}; the AWS credentials are not checked"),
        None,
    );
}

/// A command-backed provider in scope: its program is found as Codex finds
/// it, and not run (it may open a sign-in prompt; `probe` runs it).
/// `only_as_default`: out of the default scope but for being the default
/// profile, so a missing program is a warning (plain `codex` would fail,
/// which a hook that runs `codexgen doctor` should hear without failing).
fn check_key_command(
    settings: &Settings,
    endpoint: &Endpoint,
    auth: &AuthCommand,
    users: &[&str],
    only_as_default: bool,
    f: &mut Findings,
) {
    let shown = auth.display();
    match keycmd::locate(auth, &settings.codex_home) {
        Ok(program) => f.add(
            format!("provider {}", endpoint.id),
            Status::Ok,
            format!(
                "key from `{shown}` ({}); not run here (`codexgen probe` runs it)",
                program.display()
            ),
            None,
        ),
        Err(err) => {
            let used = if users.is_empty() {
                String::new()
            } else {
                format!(" (used by profile {})", users.join(", "))
            };
            let mut finding = endpoint.no_key(auth, &err, &used);
            if only_as_default {
                finding.severity = Severity::Warning;
            }
            f.found(finding);
        }
    }
}

/// One line for the providers left out of scope: `(variable, who)` each,
/// and the profiles they leave unchecked.
fn not_checked(
    scope: &Scope,
    skipped: &[(String, String)],
    skipped_profiles: Vec<String>,
    f: &mut Findings,
) {
    if skipped.is_empty() {
        return;
    }
    let mut message = if skipped_profiles.is_empty() {
        format!(
            "{} unused provider(s) not checked: their key variables are unset:",
            skipped.len()
        )
    } else if scope.named {
        format!(
            "{} other profile(s) not checked (only the named ones are):",
            skipped_profiles.len()
        )
    } else {
        format!(
            "{} other profile(s) not checked: their key variables are unset:",
            skipped_profiles.len()
        )
    };
    for (n, (var, who)) in skipped.iter().enumerate() {
        if n == 10 {
            let _ = write!(message, " and {} more", skipped.len() - 10);
            break;
        }
        let sep = if n == 0 { " " } else { ", " };
        if scope.named || var.is_empty() {
            let _ = write!(message, "{sep}{who}");
        } else {
            let _ = write!(message, "{sep}{var} ({who})");
        }
    }
    f.add(
        "other profiles",
        Status::Info,
        message,
        Some("`codexgen doctor NAME` checks one".to_owned()),
    );
    if let Some(last) = f.0.last_mut() {
        last.profiles = skipped_profiles;
    }
}
