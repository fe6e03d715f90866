//! Owns finding the Codex config layers around the user's own files, and
//! which values codexgen writes they override or forbid: the system folder
//! (`/etc/codex`: `managed_config.toml` above everything, `config.toml`
//! below the user's, `requirements.toml`'s allowed values) and the
//! `.codex/config.toml` of the project folders between the project root and
//! the working folder, loaded only when trusted. Reads (bounded, through
//! `input`), never writes. What codexgen writes, as the layers see it, is
//! each profile's keys, each catalog provider's keys, and the settings at
//! config.toml's top level (`Catalog::top_level`: the catalog's `settings:`
//! with the default profile's over them), leaf by leaf. Each finding is a
//! `findings::Finding` about `layers`,
//! which `doctor` and `gen` render as they render every finding.
//!
//! How Codex 0.169.0 finds each layer (measured with the real binary, see
//! `docs/codex-versions.md`, "Config layers"):
//! - The system folder is `/etc/codex` on Unix, with no variable or flag to
//!   move it; codexgen reads `CODEXGEN_SYSTEM_CODEX_DIR` instead when it is
//!   set (for tests and unusual installs).
//! - The project root is the nearest folder from the working folder up
//!   that holds a `.git` file or a `.git` folder with a `HEAD` (an empty
//!   `.git` folder does not count); without one, the working folder alone.
//!   Every folder from the root down to the working folder may hold a
//!   `.codex/config.toml`; the nearer one wins.
//! - A folder's file is loaded only when `[projects."<folder>"]` or, failing
//!   that, `[projects."<root>"]` (or, in a linked worktree, the main
//!   checkout's) in `$CODEX_HOME/config.toml` has `trust_level = "trusted"`
//!   (the folders between them do not count). An
//!   untrusted file is not even parsed; a trusted one that does not parse
//!   stops Codex.
//! - In a trusted project file `model` beats a profile's `model` (but not
//!   `-m`); `model_provider` there is ignored.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::catalog::{self, Catalog, Profile, Provider, Setting};
use crate::findings::{Finding, Severity, Subject};
use crate::input::{self, Limit};

/// The variable that moves the system folder, for tests and unusual installs.
pub const SYSTEM_DIR_VAR: &str = "CODEXGEN_SYSTEM_CODEX_DIR";

/// Codex's system folder on Unix (`SYSTEM_CONFIG_TOML_FILE_UNIX` and
/// friends in `codex-rs/core/src/config_loader`).
const SYSTEM_DIR: &str = "/etc/codex";

/// A layer file: as large as a config file may be.
const LAYER: Limit = Limit {
    what: "a Codex config layer",
    bytes: input::CODEX_FILE.bytes,
};

/// Where to look: the system folder, the working folder, the Codex home.
pub struct Places {
    pub system: PathBuf,
    pub cwd: PathBuf,
    pub codex_home: PathBuf,
}

impl Places {
    /// The places this run sees: [`SYSTEM_DIR_VAR`] or `/etc/codex`, and
    /// the process's working folder.
    pub fn here(codex_home: &Path) -> Self {
        Places {
            system: std::env::var_os(SYSTEM_DIR_VAR)
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from(SYSTEM_DIR), PathBuf::from),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            codex_home: codex_home.to_path_buf(),
        }
    }
}

/// A finding about the layers, for `profiles` (empty: every profile).
/// Severity: a note changes nothing codexgen writes or is ignored by Codex;
/// a warning overrides a value codexgen writes, or is a layer file Codex
/// refuses; an error makes a profile fail when a session starts.
fn finding(severity: Severity, profiles: Vec<String>, message: String, fix: &str) -> Finding {
    let mut finding = Finding::new(severity, Subject::Layers, message).fix(fix);
    finding.profiles = profiles;
    finding
}

/// Every finding about the layers around the user's files, given the text
/// of `$CODEX_HOME/config.toml` as it is on disk (where trust is recorded).
pub fn find(catalog: &Catalog, places: &Places, user_config: Option<&str>) -> Vec<Finding> {
    let mut out = Vec::new();
    let system = &places.system;
    if let Some(table) = load(&system.join("managed_config.toml"), &mut out) {
        managed(
            catalog,
            &system.join("managed_config.toml"),
            &table,
            &mut out,
        );
    }
    if let Some(table) = load(&system.join("config.toml"), &mut out) {
        below(catalog, &system.join("config.toml"), &table, &mut out);
    }
    if let Some(table) = load(&system.join("requirements.toml"), &mut out) {
        requirements(catalog, &system.join("requirements.toml"), &table, &mut out);
    }
    project(places, user_config, &mut out);
    out
}

/// A layer file as a TOML table; `None` when it is not there, or (with a
/// finding) when it cannot be read or parsed.
fn load(path: &Path, out: &mut Vec<Finding>) -> Option<toml::Table> {
    let text = match input::read_optional(path, LAYER) {
        Ok(text) => text?,
        Err(e) => {
            out.push(broken(format!("cannot read {}: {e}", path.display())));
            return None;
        }
    };
    match text.parse::<toml::Table>() {
        Ok(table) => Some(table),
        Err(e) => {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(&text, span.start));
            // The file can come from anywhere (a cloned repository) and its
            // line be megabytes long: its start is enough to find it.
            let whole = text.lines().nth(line - 1).unwrap_or_default().trim();
            let offending = if whole.chars().count() > 120 {
                format!("{}...", whole.chars().take(117).collect::<String>())
            } else {
                whole.to_owned()
            };
            let mut finding = broken(format!(
                "not valid TOML ({}): `{offending}`; Codex refuses to start while it is so",
                e.message()
            ));
            finding.place = Some((path.display().to_string(), line, column));
            out.push(finding);
            None
        }
    }
}

/// A layer file that cannot be read or parsed (Codex refuses it too).
fn broken(message: String) -> Finding {
    finding(
        Severity::Warning,
        Vec::new(),
        message,
        "fix the file, or move it out of the way (it is not codexgen's)",
    )
}

/// 1-based line and column of byte `at`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A value as TOML shows it, shortened.
fn shown(value: &toml::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

/// Up to five names, then how many more.
fn names(list: &[String]) -> String {
    let mut text = list.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if list.len() > 5 {
        let _ = write!(text, " and {} more", list.len() - 5);
    }
    text
}

fn profiles_where(catalog: &Catalog, keep: impl Fn(&Profile) -> bool) -> Vec<String> {
    catalog
        .profiles
        .iter()
        .filter(|p| keep(p))
        .map(|p| p.name.as_str().to_owned())
        .collect()
}

/// For each catalog provider that profiles use and that `table` has a
/// `[model_providers.ID]` for: its id, the keys there that `keep` picks
/// (as `` `a`, `b` ``), and the profiles that use it. Providers with no such
/// key are left out.
fn provider_keys(
    catalog: &Catalog,
    table: &toml::Table,
    keep: impl Fn(&Provider, &str) -> bool,
) -> Vec<(String, String, Vec<String>)> {
    let Some(toml::Value::Table(providers)) = table.get("model_providers") else {
        return Vec::new();
    };
    let index = catalog.index();
    catalog
        .providers
        .iter()
        .filter_map(|p| {
            let Some(toml::Value::Table(keys)) = providers.get(&p.id) else {
                return None;
            };
            let picked: Vec<String> = keys
                .keys()
                .filter(|k| keep(p, k))
                .map(|k| format!("`{k}`"))
                .collect();
            let users: Vec<String> = index
                .users_of(&p.id)
                .iter()
                .map(|u| u.name.as_str().to_owned())
                .collect();
            (!picked.is_empty() && !users.is_empty())
                .then(|| (p.id.clone(), picked.join(", "), users))
        })
        .collect()
}

const NOT_YOURS: &str = "the administrator's file wins over codexgen's: ask them to change it, or take the value out of the catalog";

/// `managed_config.toml`: above everything, even `-c`, `-m` and `-p`.
fn managed(catalog: &Catalog, file: &Path, table: &toml::Table, out: &mut Vec<Finding>) {
    let file = file.display();
    for key in ["model", "model_provider"] {
        if let Some(value) = table.get(key) {
            out.push(finding(
                Severity::Warning,
                Vec::new(),
                format!(
                    "{file} sets `{key}` = {}: it overrides every profile's {key}, whatever the profile says (even over `-m`, `-c` and `-p`)",
                    shown(value)
                ),
                NOT_YOURS,
            ));
        }
    }
    for key in catalog::profile_settings() {
        let Some(value) = table.get(key) else {
            continue;
        };
        let users = profiles_where(catalog, |p| p.setting(key).is_some());
        if !users.is_empty() {
            out.push(finding(
                Severity::Warning,
                users.clone(),
                format!(
                    "{file} sets `{key}` = {}: it overrides the {key} of profile {}, whatever the profile says",
                    shown(value),
                    names(&users)
                ),
                NOT_YOURS,
            ));
        }
    }
    // What codexgen writes at config.toml's top level (the catalog's
    // `settings:`, the default profile's over them), leaf by leaf; a key a
    // profile sets is said above, for those profiles.
    for (path, _) in top_level_leaves(catalog) {
        if path.len() == 1
            && catalog
                .profiles
                .iter()
                .any(|p| p.setting(&path[0]).is_some())
        {
            continue;
        }
        let Some(value) = value_at(table, &path) else {
            continue;
        };
        let path = path.join(".");
        out.push(finding(
            Severity::Warning,
            Vec::new(),
            format!(
                "{file} sets `{path}` = {}: it overrides the catalog's setting {path}, which codexgen writes at config.toml's top level, whatever the catalog says",
                shown(value)
            ),
            NOT_YOURS,
        ));
    }
    for (id, keys, users) in provider_keys(catalog, table, Provider::writes) {
        out.push(finding(
            Severity::Warning,
            users,
            format!(
                "{file} sets {keys} in [model_providers.{id}]: it overrides what the catalog says for that provider"
            ),
            NOT_YOURS,
        ));
    }
}

/// Each leaf codexgen writes at config.toml's top level ([`Catalog::top_level`]):
/// its path (`features.team_flag`) and value.
fn top_level_leaves(catalog: &Catalog) -> Vec<(Vec<String>, Setting)> {
    fn walk(path: &mut Vec<String>, value: &Setting, out: &mut Vec<(Vec<String>, Setting)>) {
        match value {
            Setting::Table(entries) => {
                for (key, value) in entries {
                    path.push(key.clone());
                    walk(path, value, out);
                    path.pop();
                }
            }
            other => out.push((path.clone(), other.clone())),
        }
    }
    let mut out = Vec::new();
    for (key, value) in catalog.top_level() {
        walk(&mut vec![key.to_owned()], &value, &mut out);
    }
    out
}

/// The value at `path` in a layer file, when it is there.
fn value_at<'t>(table: &'t toml::Table, path: &[String]) -> Option<&'t toml::Value> {
    let (last, parents) = path.split_last()?;
    let mut table = table;
    for key in parents {
        table = table.get(key)?.as_table()?;
    }
    table.get(last)
}

/// The system `config.toml`: below the user's, so it matters only where
/// codexgen leaves a value unset.
fn below(catalog: &Catalog, file: &Path, table: &toml::Table, out: &mut Vec<Finding>) {
    let file = file.display();
    for key in catalog::profile_settings() {
        let Some(value) = table.get(key) else {
            continue;
        };
        // A value codexgen writes at config.toml's top level wins over it
        // for every profile (a table there, only where it sets the same leaf).
        let on_top = top_level_leaves(catalog)
            .iter()
            .any(|(path, _)| path.len() == 1 && path[0] == key);
        let unset = profiles_where(catalog, |p| p.setting(key).is_none());
        if !unset.is_empty() && !on_top {
            out.push(finding(
                Severity::Note,
                unset.clone(),
                format!(
                    "{file} sets `{key}` = {}: profile(s) {} leave it unset, so Codex uses this value for them",
                    shown(value),
                    names(&unset)
                ),
                "set it in the catalog's profile to choose another",
            ));
        }
    }
    for (id, keys, users) in provider_keys(catalog, table, |p, k| !p.writes(k)) {
        out.push(finding(
            Severity::Note,
            users,
            format!(
                "{file} sets {keys} in [model_providers.{id}], which the catalog leaves unset: Codex uses that value"
            ),
            "set the key in the catalog's provider to choose another value",
        ));
    }
}

/// `requirements.toml`: a profile whose `sandbox_mode` or
/// `approval_policy` it does not allow fails when a session starts.
fn requirements(catalog: &Catalog, file: &Path, table: &toml::Table, out: &mut Vec<Finding>) {
    for (list, key) in [
        ("allowed_sandbox_modes", "sandbox_mode"),
        ("allowed_approval_policies", "approval_policy"),
    ] {
        let Some(value) = table.get(list) else {
            continue;
        };
        let allowed: Option<Vec<&str>> = value
            .as_array()
            .and_then(|a| a.iter().map(toml::Value::as_str).collect());
        let Some(allowed) = allowed else {
            out.push(broken(format!(
                "{}: `{list}` is not a list of strings; Codex refuses to start while it is so",
                file.display()
            )));
            continue;
        };
        // The catalog's `settings:` at config.toml's top level, when no
        // default profile's value (said below, for that profile) is there.
        let default = catalog.default.as_deref().and_then(|d| catalog.profile(d));
        let top = catalog.top_level();
        let on_top = top
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.text())
            .filter(|_| default.is_none_or(|p| p.setting(key).is_none()));
        if let Some(set) = on_top.filter(|set| !allowed.contains(set)) {
            out.push(finding(
                Severity::Error,
                Vec::new(),
                format!(
                    "{} allows {key} {} only: the catalog's settings set {key} = \"{set}\" at config.toml's top level, so `codex` fails at session start",
                    file.display(),
                    allowed.join(", ")
                ),
                &format!(
                    "set `settings.{key}` to one of {} in the catalog (or ask the administrator)",
                    allowed.join(", ")
                ),
            ));
        }
        for profile in &catalog.profiles {
            let Some(set) = profile.setting(key).and_then(Setting::text) else {
                continue;
            };
            if allowed.contains(&set) {
                continue;
            }
            let name = profile.name.as_str();
            out.push(finding(
                Severity::Error,
                vec![name.to_owned()],
                format!(
                    "{} allows {key} {} only: profile {name} sets {key} = \"{set}\", so `codex -p {name}` fails at session start",
                    file.display(),
                    allowed.join(", ")
                ),
                &format!(
                    "set the profile's {key} to one of {} in the catalog (or ask the administrator)",
                    allowed.join(", ")
                ),
            ));
        }
    }
}

/// The project layers Codex would read in `places.cwd`.
fn project(places: &Places, user_config: Option<&str>, out: &mut Vec<Finding>) {
    let cwd = places.cwd.as_path();
    let root = cwd
        .ancestors()
        .find(|dir| {
            let git = dir.join(".git");
            git.is_file() || git.join("HEAD").is_file()
        })
        .unwrap_or(cwd);
    // Parsed only when a project file asks for its trust: config.toml can
    // hold thousands of providers, and most folders have no `.codex`.
    let projects = std::cell::OnceCell::new();
    let trust = |dir: &Path| {
        projects
            .get_or_init(|| {
                user_config
                    .and_then(|text| text.parse::<toml::Table>().ok())
                    .and_then(|mut t| match t.remove("projects") {
                        Some(toml::Value::Table(p)) => Some(p),
                        _ => None,
                    })
                    .unwrap_or_default()
            })
            .get(dir.to_string_lossy().as_ref())
            .and_then(|t| t.get("trust_level"))
            .and_then(toml::Value::as_str)
            .map(|level| level == "trusted")
    };
    let main = main_checkout(root);
    let user_file = places.codex_home.join("config.toml");
    // Nearest first: the first trusted file that sets `model` wins.
    let mut model_seen = false;
    for dir in cwd.ancestors() {
        let file = dir.join(".codex").join("config.toml");
        if file != user_file && file.is_file() {
            let trusted = trust(dir)
                .or_else(|| trust(root))
                .or_else(|| main.as_deref().and_then(trust))
                .unwrap_or(false);
            if trusted {
                if let Some(table) = load(&file, out) {
                    model_seen |= project_file(&file, &table, model_seen, out);
                }
            } else {
                out.push(finding(
                    Severity::Note,
                    Vec::new(),
                    format!(
                        "Codex ignores {}: {} is not a trusted project",
                        file.display(),
                        dir.display()
                    ),
                    "nothing to do (trusting the folder in Codex would make it override the profile's model if it sets one)",
                ));
            }
        }
        if dir == root {
            break;
        }
    }
}

/// The main checkout of a linked worktree (`git worktree add`), whose trust
/// the worktree shares: `root/.git` is a file `gitdir: MAIN/.git/worktrees/NAME`,
/// and that folder's `gitdir` file points back at `root/.git` (Codex checks
/// both; a `.git` folder is its own main checkout).
fn main_checkout(root: &Path) -> Option<PathBuf> {
    const GIT_FILE: Limit = Limit {
        what: "a .git file",
        bytes: 64 * 1024,
    };
    let dot_git = root.join(".git");
    if !dot_git.is_file() {
        return None;
    }
    let text = input::read(&dot_git, GIT_FILE).ok()?;
    let admin = root.join(text.trim().strip_prefix("gitdir:")?.trim());
    let admin = admin.canonicalize().unwrap_or(admin);
    let worktrees = admin.parent()?;
    if worktrees.file_name()? != "worktrees" {
        return None;
    }
    let back = input::read(&admin.join("gitdir"), GIT_FILE).ok()?;
    let back = admin.join(back.trim());
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(&back, &dot_git) {
        return None;
    }
    worktrees.parent()?.parent().map(Path::to_path_buf)
}

/// A trusted project file; whether it sets `model`.
fn project_file(file: &Path, table: &toml::Table, shadowed: bool, out: &mut Vec<Finding>) -> bool {
    let file = file.display();
    if let Some(value) = table.get("model_provider") {
        out.push(finding(
            Severity::Note,
            Vec::new(),
            format!(
                "{file} sets `model_provider` = {}: Codex ignores model_provider in a project file",
                shown(value)
            ),
            "nothing to do; remove it to quiet Codex's warning",
        ));
    }
    let Some(value) = table.get("model") else {
        return false;
    };
    if !shadowed {
        out.push(finding(
            Severity::Warning,
            Vec::new(),
            format!(
                "{file} sets `model` = {}: in this project `codex -p NAME` uses it instead of the profile's model (`codexgen exec` passes `-m` and is not affected)",
                shown(value)
            ),
            "remove `model` from the project's file, or run `codexgen exec PROFILE`",
        ));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        assert_eq!(line_column("a = 1\nb = \n", 10), (2, 5));
        assert_eq!(line_column("", 3), (1, 1));
    }

    #[test]
    fn long_lists_are_cut() {
        let list: Vec<String> = (1..=7).map(|i| format!("p{i}")).collect();
        assert_eq!(names(&list), "p1, p2, p3, p4, p5 and 2 more");
    }
}
