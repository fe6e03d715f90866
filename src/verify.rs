//! Owns asking the real Codex whether it loads the planned files: they are
//! written into a throwaway Codex home (config files only), then
//! `codex mcp list` loads config.toml and `codex -p NAME mcp list` each
//! profile. Both are offline and fast (`docs/codex-versions.md`, "offline
//! load check"). Does not touch the user's Codex home, and does not judge
//! whose line Codex refused: the caller knows what it wrote.
//!
//! Then, when the Codex has `--strict-config` (0.131.0 on,
//! [`crate::codex::since::STRICT_CONFIG`]), the strict pass: `codex --strict-config exec
//! --skip-git-repo-check` (and `-p NAME` for each profile file) in the same
//! throwaway home, stdin closed, names the first key Codex does not know.
//! With no prompt, `exec` stops before it sets up any provider (no `connect`
//! call under strace, measured on 0.131.0, 0.133.0 and 0.169.0), so nothing
//! leaves the machine. Codex names one key per run, so the pass removes it
//! from the scratch copy (`toml_edit`) and runs again, at most
//! [`STRICT_ROUNDS`] times, and gives back every key found, placed in the
//! text it was given (its own line and column when the key cannot be found
//! there). Each is worded once as a warning (`findings::Finding`,
//! [`UnknownKey::finding`], [`incomplete`]), never a refusal: Codex itself
//! loads such a file and ignores the key.
//!
//! Last, when the catalog has MCP servers, `codex mcp list --json` in the
//! same home reads back what Codex made of each one (and `codex -p NAME mcp
//! list --json` of what a profile changes), and each difference from the
//! catalog (a server missing, a value read otherwise) is a warning
//! ([`Verified::mcp`]).
//!
//! `codex_schema` checks the same files against a JSON Schema of Codex's
//! config, for whoever has the schemas; this pass needs no schema, only an
//! installed Codex of 0.131.0 or newer, and Codex judges its own keys. The
//! two are independent, and either may run without the other.
use std::ops::Range;
use std::path::Path;
use std::process::Command;

use toml_edit::{Item, TableLike};

use crate::catalog::{McpServer, McpValue};
use crate::child::{self, Keep};
use crate::codex::{ProfileLayout, Target, Version};
use crate::diagnostic::{Problem, Snippet, quoted_output};
use crate::findings::{Finding, Severity, Subject};
use crate::home::{CodexFile, ProfileName};
use crate::merge::Managed;
use crate::secrets::{redact, scrub};

/// What is kept of Codex's message: a refusal is a few lines.
const MESSAGE: usize = 64 * 1024;

/// At most this many strict runs (each finds one key): a file with more
/// unknown keys than this is reported in part, and says so.
pub const STRICT_ROUNDS: usize = 32;

/// What the load check found besides "it loads".
#[derive(Debug, Default)]
pub struct Verified {
    /// The strict pass, when this Codex has `--strict-config`.
    pub strict: Option<Strict>,
    /// Where what Codex lists of the catalog's MCP servers differs from
    /// the catalog: one warning each.
    pub mcp: Vec<Finding>,
}

/// What `codex --strict-config` said about the files.
#[derive(Debug, Default)]
pub struct Strict {
    /// Every key Codex named, in the order it named them.
    pub unknown: Vec<UnknownKey>,
    /// [`STRICT_ROUNDS`] ran out while Codex still named keys: there may be more.
    pub bound_hit: bool,
    /// Why the pass stopped before Codex found the files clean, when it
    /// did (Codex's own words, or a key that could not be removed to look
    /// further): the keys after that are not known.
    pub unfinished: Option<String>,
}

/// One key Codex does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The file of the Codex home it is in; `None` for a file outside it
    /// (a system layer such as `/etc/codex/config.toml`).
    pub file: Option<CodexFile>,
    /// The key as Codex names it: its TOML path joined with dots.
    pub key: String,
    /// Its path, key by key, when it was found in the text given.
    pub path: Option<Vec<String>>,
    /// Where it is: in the text given when found there, else at Codex's own
    /// line and column (of the copy that run checked).
    pub at: Snippet,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("Codex refused {}: `{command}` failed\n{message}", describe(.loading))]
    Refused {
        /// What Codex was loading: config.toml, or it and a profile's file.
        loading: CodexFile,
        command: String,
        /// Codex's own message, one `  | ` line each.
        message: String,
    },
    #[error("cannot run the Codex load check `{command}`")]
    Run {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot prepare a scratch Codex home for the load check")]
    Scratch(#[source] std::io::Error),
}

fn describe(file: &CodexFile) -> String {
    match file {
        CodexFile::Config => file.to_string(),
        CodexFile::Profile(name) => format!("profile `{name}`"),
    }
}

/// The files to check: which file in the Codex home, and its text.
pub struct LoadCheck<'a> {
    /// The Codex home the files belong to; Codex's messages name the scratch
    /// copy, and are shown with this path instead.
    pub home: &'a Path,
    pub files: Vec<(&'a CodexFile, &'a str)>,
    /// Profiles to load with `-p`, when this Codex honours a top-level `-p`.
    pub profiles: Vec<&'a ProfileName>,
    /// The version of the Codex that loads them.
    pub version: Version,
    /// The catalog's MCP servers, read back with `codex mcp list --json`.
    pub mcp_servers: &'a [McpServer],
    /// Per profile, what it changes of them, read back with `codex -p NAME
    /// mcp list --json` (only the keys the profile sets).
    pub profile_mcp: Vec<(&'a ProfileName, &'a [McpServer])>,
}

/// Has Codex load the files, then, when it can, look for unknown keys.
pub fn verify(bin: &Path, planned: &LoadCheck<'_>) -> Result<Verified, VerifyError> {
    let scratch = tempfile::Builder::new()
        .prefix("codexgen-verify-")
        .tempdir()
        .map_err(VerifyError::Scratch)?;
    let home = scratch.path().join("codex-home");
    // A throwaway home: written plainly, nothing in it needs to survive a crash.
    fs_err::create_dir_all(&home).map_err(VerifyError::Scratch)?;
    for (file, text) in &planned.files {
        fs_err::write(file.path_in(&home), text).map_err(VerifyError::Scratch)?;
    }
    let shown = |e: VerifyError| match e {
        VerifyError::Refused {
            loading,
            command,
            message,
        } => VerifyError::Refused {
            loading,
            command,
            message: message.replace(
                &home.display().to_string(),
                &planned.home.display().to_string(),
            ),
        },
        other => other,
    };
    run(bin, &home, scratch.path(), None).map_err(shown)?;
    // Before 0.123 a top-level `-p` is ignored: loading config.toml is all
    // there is to check.
    let profiles: &[&ProfileName] = if Target::at(planned.version).top_level_profile_flag_works() {
        &planned.profiles
    } else {
        &[]
    };
    for profile in profiles {
        run(bin, &home, scratch.path(), Some(profile)).map_err(shown)?;
    }
    let strict = Target::at(planned.version)
        .strict_config()
        .then(|| strict_pass(bin, &home, scratch.path(), planned));
    let mut mcp = if planned.mcp_servers.is_empty() {
        Vec::new()
    } else {
        mcp_readback(
            bin,
            &home,
            scratch.path(),
            planned.version,
            None,
            planned.mcp_servers,
        )
    };
    for (profile, servers) in &planned.profile_mcp {
        if !servers.is_empty() {
            mcp.extend(mcp_readback(
                bin,
                &home,
                scratch.path(),
                planned.version,
                Some(profile),
                servers,
            ));
        }
    }
    Ok(Verified { strict, mcp })
}

/// Where an MCP server key shows in `codex mcp list --json` (under
/// `transport` or at the top), for the keys it shows as they are:
/// `http_headers_helper` is listed as `"<redacted>"` (measured on 0.171.0),
/// so it is not compared.
fn listed_at(key: &str) -> Option<(bool, &str)> {
    match key {
        "command"
        | "args"
        | "env"
        | "env_vars"
        | "cwd"
        | "url"
        | "bearer_token_env_var"
        | "http_headers"
        | "env_http_headers" => Some((true, key)),
        "enabled" | "startup_timeout_sec" | "tool_timeout_sec" => Some((false, key)),
        _ => None,
    }
}

/// A catalog value as `codex mcp list --json` shows it.
fn as_json(value: &McpValue) -> serde_json::Value {
    match value {
        McpValue::Text(t) => t.as_str().into(),
        McpValue::Bool(b) => (*b).into(),
        McpValue::Number(n) => (*n).into(),
        McpValue::Seconds(x) => (*x).into(),
        McpValue::List(items) => items.iter().map(String::as_str).collect(),
        McpValue::Pairs(p) => {
            p.0.iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
                .collect::<serde_json::Map<_, _>>()
                .into()
        }
    }
}

/// Whether Codex's `found` is the catalog's `wanted` (numbers as numbers:
/// Codex shows whole seconds as `30.0`).
fn same_json(wanted: &serde_json::Value, found: &serde_json::Value) -> bool {
    match (wanted.as_f64(), found.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < f64::EPSILON,
        _ => wanted == found,
    }
}

/// `codex [-p PROFILE] mcp list --json` in the scratch home, held against
/// `servers` (the catalog's, or what a profile changes of them); a run
/// that fails or prints no list is one warning.
fn mcp_readback(
    bin: &Path,
    home: &Path,
    user_home: &Path,
    version: Version,
    profile: Option<&ProfileName>,
    servers: &[McpServer],
) -> Vec<Finding> {
    let warning = |message: String| {
        let finding = Finding::new(Severity::Warning, Subject::Files, message);
        match profile {
            Some(p) => Finding {
                subject: Subject::Profile(p.to_string()),
                profiles: vec![p.to_string()],
                ..finding
            },
            None => finding,
        }
    };
    let with = profile.map_or_else(
        || "codex mcp list --json".to_owned(),
        |p| format!("codex -p {p} mcp list --json"),
    );
    let mut cmd = Command::new(bin);
    if let Some(p) = profile {
        cmd.args(["-p", p.as_str()]);
    }
    cmd.args(["mcp", "list", "--json"])
        .env("CODEX_HOME", home)
        .env("HOME", user_home);
    let listed: Option<serde_json::Value> =
        child::run(&mut cmd, Keep::Stdout, MESSAGE, crate::limits::VERIFY.get())
            .ok()
            .filter(|f| f.status.is_some_and(|s| s.success()))
            .and_then(|f| serde_json::from_slice(&f.output).ok());
    let Some(serde_json::Value::Array(listed)) = listed else {
        return vec![warning(format!(
            "Codex {version} did not list its MCP servers (`{with}`): what it reads of the catalog's servers is not checked"
        ))];
    };
    let mut found = Vec::new();
    for server in servers {
        let Some(entry) = listed.iter().find(|e| e["name"] == server.id.as_str()) else {
            found.push(
                warning(format!(
                    "Codex {version} does not list MCP server `{}` (`{with}`)",
                    server.id
                ))
                .fix("check that the server's table reached config.toml (`codexgen gen --diff`)"),
            );
            continue;
        };
        // A server the catalog leaves on has no `enabled` key (Codex drops
        // `enabled = true` when it rewrites the file, so codexgen does not
        // write it): a hand-added `enabled = false` is what this finds.
        // A profile lists only what it changes; its base may be off.
        let on = McpValue::Bool(true);
        let enabled = profile
            .is_none()
            .then(|| server.keys.iter().all(|(k, _)| *k != "enabled"))
            .filter(|missing| *missing)
            .map(|_| ("enabled", &on));
        let keys = server.keys.iter().map(|(k, v)| (*k, v)).chain(enabled);
        for (key, value) in keys {
            let Some((in_transport, name)) = listed_at(key) else {
                continue;
            };
            let shown = if in_transport {
                &entry["transport"][name]
            } else {
                &entry[name]
            };
            let wanted = as_json(value);
            if !same_json(&wanted, shown) {
                found.push(warning(format!(
                    "MCP server `{}`: Codex {version} reads `{key}` as {shown}, the catalog says {wanted} (`{with}`)",
                    server.id
                )));
            }
        }
    }
    found
}

/// The strict pass (see the module docs) in the scratch `home`, where the
/// planned files are already written.
fn strict_pass(bin: &Path, home: &Path, user_home: &Path, planned: &LoadCheck<'_>) -> Strict {
    let mut copies: Vec<(&CodexFile, &str, String)> = planned
        .files
        .iter()
        .map(|(file, text)| (*file, *text, (*text).to_owned()))
        .collect();
    // Profile files are read only with `-p NAME`; legacy tables are part of
    // config.toml, which every run reads.
    let mut runs: Vec<Option<&ProfileName>> = vec![None];
    if Target::at(planned.version).profile_layout() == ProfileLayout::Files {
        runs.extend(
            planned
                .profiles
                .iter()
                .filter(|p| copies.iter().any(|(f, ..)| f.profile() == Some(**p)))
                .map(|p| Some(*p)),
        );
    }
    let shown_home = planned.home.display().to_string();
    let in_words = |text: &str| text.replace(&home.display().to_string(), &shown_home);
    let mut strict = Strict::default();
    let mut rounds = 0;
    'runs: for profile in runs {
        loop {
            if rounds == STRICT_ROUNDS {
                strict.bound_hit = true;
                break 'runs;
            }
            rounds += 1;
            let reported = match strict_run(bin, home, user_home, profile) {
                Answer::Clean => break,
                Answer::Other(message) => {
                    strict.unfinished = Some(in_words(&message));
                    break 'runs;
                }
                Answer::Unknown(reported) => reported,
            };
            let named = Path::new(&reported.file);
            let Some((file, original, copy)) =
                copies.iter_mut().find(|(f, ..)| f.path_in(home) == named)
            else {
                // Not a file of the home: it cannot be edited to look further.
                strict.unknown.push(UnknownKey {
                    file: None,
                    key: reported.key.clone(),
                    path: None,
                    at: Snippet::at(
                        &in_words(&reported.file),
                        "",
                        reported.line,
                        reported.column,
                        1,
                    ),
                });
                strict.unfinished = Some(format!(
                    "`{}` is in {}, outside the Codex home: later keys are not known",
                    reported.key,
                    in_words(&reported.file)
                ));
                break 'runs;
            };
            let shown = file.path_in(planned.home).display().to_string();
            let (path, at) = match locate(original, &reported.key) {
                Some((path, span)) => (
                    Some(path),
                    Snippet::at_offset(&shown, original, span.start, span.len().max(1)),
                ),
                None => (
                    None,
                    Snippet::at(&shown, copy, reported.line, reported.column, 1),
                ),
            };
            strict.unknown.push(UnknownKey {
                file: Some((*file).clone()),
                key: reported.key.clone(),
                path,
                at,
            });
            let removed = remove(copy, &reported.key)
                .and_then(|text| fs_err::write(file.path_in(home), &text).ok().map(|()| text));
            let Some(text) = removed else {
                strict.unfinished = Some(format!(
                    "cannot remove `{}` from a copy of {shown} to look further: later keys are not known",
                    reported.key
                ));
                break 'runs;
            };
            *copy = text;
        }
    }
    strict
}

impl UnknownKey {
    /// Whether codexgen wrote this key (or a table holding keys it wrote):
    /// `managed` is what codexgen manages in its file.
    pub fn is_managed(&self, managed: &[Managed]) -> bool {
        self.path
            .as_ref()
            .is_some_and(|path| managed.iter().any(|m| m.path.starts_with(path)))
    }

    /// The key as every command words it: a warning (Codex loads the file
    /// and ignores the key) at its place. `version` is the Codex that named
    /// it, `managed` whether codexgen wrote it.
    pub fn finding(&self, version: Version, managed: bool) -> Finding {
        let file = self
            .file
            .as_ref()
            .map_or_else(|| self.at.file.clone(), ToString::to_string);
        let fix = if managed {
            format!(
                "codexgen writes this key, so this is a codexgen bug: please report it with the catalog entry and `codex --version` (Codex {version} ignores the key meanwhile)"
            )
        } else {
            format!(
                "Codex {version} does not know this key: check its spelling or remove it (Codex ignores it)"
            )
        };
        let mut finding = Finding::new(
            Severity::Warning,
            Subject::Files,
            format!("Codex {version} does not know `{}` in {file}", self.key),
        )
        .fix(fix);
        finding.place = Some((self.at.file.clone(), self.at.line, self.at.column));
        finding
    }

    /// [`UnknownKey::finding`] with its line and a caret (`gen`'s
    /// stderr); `planned` whether the line is that of the file as `gen`
    /// would write it (not as it is on disk).
    pub fn problem(&self, version: Version, managed: bool, planned: bool) -> Problem {
        let mut label = "unknown to `codex --strict-config`".to_owned();
        if planned {
            label.push_str(" (line of the file as gen writes it)");
        }
        self.finding(version, managed)
            .problem_at(self.at.clone(), label)
    }
}

/// What the strict pass leaves unsaid, as a warning: the bound was hit, or it
/// stopped early.
pub fn incomplete(strict: &Strict, version: Version) -> Option<Finding> {
    let warning = |message| Finding::new(Severity::Warning, Subject::Files, message);
    if let Some(why) = &strict.unfinished {
        Some(warning(format!(
            "the unknown-key check with Codex {version} (`codex --strict-config exec`) did not finish:\n{why}"
        )))
    } else if strict.bound_hit {
        Some(warning(format!(
            "Codex {version} named {STRICT_ROUNDS} unknown keys, the most one check looks for; there may be more"
        )).fix("remove or fix those, then run the check again"))
    } else {
        None
    }
}

/// What one strict run said.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// It read the files and stopped for want of a prompt.
    Clean,
    Unknown(Reported),
    /// Anything else, as Codex said it.
    Other(String),
}

/// ``PATH:LINE:COL: unknown configuration field `KEY` ``, as Codex prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reported {
    file: String,
    line: usize,
    column: usize,
    key: String,
}

fn strict_run(bin: &Path, home: &Path, user_home: &Path, profile: Option<&ProfileName>) -> Answer {
    let mut cmd = Command::new(bin);
    cmd.arg("--strict-config");
    if let Some(p) = profile {
        cmd.args(["-p", p.as_str()]);
    }
    // In the scratch folder: no project's `.codex/config.toml` takes part.
    cmd.args(["exec", "--skip-git-repo-check"])
        .current_dir(user_home)
        .env("CODEX_HOME", home)
        .env("HOME", user_home);
    match child::run(&mut cmd, Keep::Stderr, MESSAGE, crate::limits::VERIFY.get()) {
        Err(e) => Answer::Other(quoted_note(&format!("cannot run `{}`: {e}", bin.display()))),
        Ok(finished) if finished.status.is_none() => Answer::Other(no_answer()),
        Ok(finished) => answer(&String::from_utf8_lossy(&finished.output)),
    }
}

/// What Codex's stderr of a strict run means.
fn answer(stderr: &str) -> Answer {
    if let Some(reported) = stderr.lines().find_map(parse_unknown) {
        Answer::Unknown(reported)
    } else if stderr.contains("No prompt provided") {
        Answer::Clean
    } else {
        Answer::Other(codex_message(stderr))
    }
}

const UNKNOWN_FIELD: &str = ": unknown configuration field `";

/// One line of Codex's strict refusal: ``PATH:LINE:COL: unknown
/// configuration field `KEY` `` (0.131.0-0.169.0), also with a leading
/// `N: ` as Codex's error chains print causes.
fn parse_unknown(line: &str) -> Option<Reported> {
    let (place, rest) = line.split_once(UNKNOWN_FIELD)?;
    let key = rest[..rest.rfind('`')?].to_owned();
    let mut parts = place.trim_start().rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let mut file = parts.next()?;
    if let Some((n, after)) = file.split_once(": ")
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        file = after;
    }
    (!file.is_empty() && !key.is_empty()).then(|| Reported {
        file: file.to_owned(),
        line,
        column,
        key,
    })
}

/// The key Codex names `dotted` in `text`: its path and the byte span of its
/// name. Codex joins the path with dots and quotes nothing, so a key that
/// holds a dot (`projects."/a.b"`) is matched by trying each split.
fn locate(text: &str, dotted: &str) -> Option<(Vec<String>, Range<usize>)> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut path = Vec::new();
    let span = find_in(doc.as_table(), dotted, &mut path)?;
    Some((path, span))
}

fn find_in(table: &dyn TableLike, dotted: &str, path: &mut Vec<String>) -> Option<Range<usize>> {
    for (name, item) in table.iter() {
        if dotted == name {
            let (key, item) = table.get_key_value(name)?;
            path.push(name.to_owned());
            return key.span().or_else(|| item.span());
        }
        let Some(rest) = dotted.strip_prefix(name).and_then(|r| r.strip_prefix('.')) else {
            continue;
        };
        path.push(name.to_owned());
        let found = match item {
            Item::Table(t) => find_in(t, rest, path),
            Item::Value(toml_edit::Value::InlineTable(t)) => find_in(t, rest, path),
            Item::ArrayOfTables(a) => a.iter().find_map(|t| find_in(t, rest, path)),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
        path.pop();
    }
    None
}

/// `text` without the key Codex names `dotted`, or `None` when it is not
/// there (or the text is not TOML).
fn remove(text: &str, dotted: &str) -> Option<String> {
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    remove_in(doc.as_table_mut(), dotted).then(|| doc.to_string())
}

fn remove_in(table: &mut dyn TableLike, dotted: &str) -> bool {
    if table.remove(dotted).is_some() {
        return true;
    }
    let names: Vec<String> = table.iter().map(|(k, _)| k.to_owned()).collect();
    for name in names {
        let Some(rest) = dotted
            .strip_prefix(name.as_str())
            .and_then(|r| r.strip_prefix('.'))
        else {
            continue;
        };
        let removed = match table.get_mut(&name) {
            Some(Item::Table(t)) => remove_in(t, rest),
            Some(Item::Value(toml_edit::Value::InlineTable(t))) => remove_in(t, rest),
            Some(Item::ArrayOfTables(a)) => a.iter_mut().any(|t| remove_in(t, rest)),
            _ => false,
        };
        if removed {
            return true;
        }
    }
    false
}

fn run(
    bin: &Path,
    home: &Path,
    user_home: &Path,
    profile: Option<&ProfileName>,
) -> Result<(), VerifyError> {
    let mut cmd = Command::new(bin);
    if let Some(p) = profile {
        cmd.args(["-p", p.as_str()]);
    }
    cmd.args(["mcp", "list"])
        .env("CODEX_HOME", home)
        .env("HOME", user_home);
    let command = format!(
        "CODEX_HOME=<scratch> {} {}mcp list",
        bin.display(),
        profile.map(|p| format!("-p {p} ")).unwrap_or_default()
    );
    let finished = child::run(&mut cmd, Keep::Stderr, MESSAGE, crate::limits::VERIFY.get())
        .map_err(|source| VerifyError::Run {
            command: command.clone(),
            source,
        })?;
    let status = finished.status;
    let stderr = String::from_utf8_lossy(&finished.output);
    let loading = profile.map_or(CodexFile::Config, |p| CodexFile::Profile(p.clone()));
    match status {
        Some(s) if s.success() => Ok(()),
        Some(_) => Err(VerifyError::Refused {
            loading,
            command,
            message: codex_message(&stderr),
        }),
        None => Err(VerifyError::Refused {
            loading,
            command,
            message: no_answer(),
        }),
    }
}

/// Codex's own error, without its backtrace and environment warnings.
fn codex_message(stderr: &str) -> String {
    let lines = stderr
        .lines()
        .take_while(|l| !l.starts_with("Stack backtrace:"))
        .filter(|l| !l.trim().is_empty() && !l.starts_with("WARNING: proceeding"))
        .map(|l| scrub(&redact(l)));
    quoted_output(lines).unwrap_or_else(|| quoted_note("(Codex printed no message)"))
}

/// codexgen's words where Codex's output would stand.
fn quoted_note(note: &str) -> String {
    quoted_output([note]).unwrap_or_default()
}

fn no_answer() -> String {
    quoted_note(&format!(
        "(no answer within {} s)",
        crate::limits::VERIFY.secs()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real stderr of `codex --strict-config exec --skip-git-repo-check
    /// </dev/null`, copied from runs of the versions named.
    const STRICT_0_169: &str = "Error loading config.toml:\n/root/tmp.Aane4XEBvh/config.toml:8:1: unknown configuration field `model_providers.corp.base_ulr`\n  |\n8 | base_ulr = \"x\"\n  | ^^^^^^^^\n";
    const STRICT_0_131_TABLE: &str = "Error loading config.toml:\n/root/tmp.gnn6Ix7H0r/config.toml:15:2: unknown configuration field `bogus_table`\n   |\n15 | [bogus_table]\n   |  ^^^^^^^^^^^\n";
    const STRICT_0_169_PROFILE: &str = "Error loading config.toml:\n/root/tmp.QIur0CKAsZ/p.config.toml:2:1: unknown configuration field `foo`\n  |\n2 | foo = 1\n  | ^^^\n";
    const STRICT_0_169_DOTTED: &str = "Error loading config.toml:\n/root/tmp.zj6G7TobzV/config.toml:11:1: unknown configuration field `projects./a.b.bogus`\n   |\n11 | bogus = 1\n   | ^^^^^\n";
    const CLEAN: &str = "Reading prompt from stdin...\nNo prompt provided via stdin.\n";

    fn reported(file: &str, line: usize, column: usize, key: &str) -> Answer {
        Answer::Unknown(Reported {
            file: file.into(),
            line,
            column,
            key: key.into(),
        })
    }

    #[test]
    fn strict_answers_as_codex_prints_them() {
        assert_eq!(
            answer(STRICT_0_169),
            reported(
                "/root/tmp.Aane4XEBvh/config.toml",
                8,
                1,
                "model_providers.corp.base_ulr"
            )
        );
        assert_eq!(
            answer(STRICT_0_131_TABLE),
            reported("/root/tmp.gnn6Ix7H0r/config.toml", 15, 2, "bogus_table")
        );
        assert_eq!(
            answer(STRICT_0_169_PROFILE),
            reported("/root/tmp.QIur0CKAsZ/p.config.toml", 2, 1, "foo")
        );
        assert_eq!(
            answer(STRICT_0_169_DOTTED),
            reported(
                "/root/tmp.zj6G7TobzV/config.toml",
                11,
                1,
                "projects./a.b.bogus"
            )
        );
        assert_eq!(answer(CLEAN), Answer::Clean);
        // With the helper-binary warning of a home under /tmp first.
        assert_eq!(
            answer(&format!(
                "WARNING: proceeding, even though we could not create PATH aliases\n{CLEAN}"
            )),
            Answer::Clean
        );
        // Anything else is Codex's own message, not "clean".
        assert_eq!(
            answer("Error loading config.toml:\nlegacy `profile = \"x\"` config is no longer supported\n"),
            Answer::Other("  | Error loading config.toml:\n  | legacy `profile = \"x\"` config is no longer supported".into())
        );
    }

    #[test]
    fn the_error_chain_form_and_odd_lines() {
        // How Codex's error chains number their causes (`mcp list`, 0.133.0).
        assert_eq!(
            parse_unknown("    0: /h/config.toml:3:1: unknown configuration field `tui.x`"),
            Some(Reported {
                file: "/h/config.toml".into(),
                line: 3,
                column: 1,
                key: "tui.x".into()
            })
        );
        assert_eq!(
            parse_unknown("/a:b/config.toml:3:7: unknown configuration field `a`"),
            Some(Reported {
                file: "/a:b/config.toml".into(),
                line: 3,
                column: 7,
                key: "a".into()
            })
        );
        assert_eq!(
            parse_unknown("config.toml:x:1: unknown configuration field `a`"),
            None
        );
        assert_eq!(parse_unknown(": unknown configuration field `a`"), None);
        assert_eq!(
            parse_unknown("/h/config.toml:1:1: unknown configuration field ``"),
            None
        );
        assert_eq!(parse_unknown("unknown configuration field `a`"), None);
    }

    #[test]
    fn a_named_key_is_found_in_the_text_and_removed_from_the_copy() {
        let text = "model = \"m\"\n[projects.\"/a.b\"]\ntrust_level = \"trusted\"\nbogus = 1\n\n[bogus_table]\na = 1\n\n[tui]\nx = { y = 1 }\n";
        let (path, span) = locate(text, "projects./a.b.bogus").unwrap();
        assert_eq!(path, ["projects", "/a.b", "bogus"]);
        assert_eq!(&text[span], "bogus");
        let (path, span) = locate(text, "bogus_table").unwrap();
        assert_eq!(path, ["bogus_table"]);
        assert_eq!(&text[span], "bogus_table");
        assert_eq!(locate(text, "tui.x.y").unwrap().0, ["tui", "x", "y"]);
        assert_eq!(locate(text, "tui.nope"), None);
        assert_eq!(locate("model = ", "model"), None);

        let once = remove(text, "projects./a.b.bogus").unwrap();
        assert!(
            !once.contains("bogus = 1") && once.contains("trust_level"),
            "{once}"
        );
        let twice = remove(&once, "bogus_table").unwrap();
        assert!(
            !twice.contains("bogus_table") && twice.contains("[tui]"),
            "{twice}"
        );
        assert_eq!(remove(&twice, "bogus_table"), None);
        assert_eq!(
            remove(&twice, "tui.x.y")
                .as_deref()
                .map(|t| t.contains("x = {")),
            Some(true)
        );
    }

    #[test]
    fn whose_key_it_is() {
        let key = UnknownKey {
            file: Some(CodexFile::Config),
            key: "model_providers.g.base_ulr".into(),
            path: Some(vec![
                "model_providers".into(),
                "g".into(),
                "base_ulr".into(),
            ]),
            at: Snippet::at("config.toml", "base_ulr = 1\n", 1, 1, 8),
        };
        let managed = |path: &[&str]| Managed {
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            value: "1".into(),
            before: None,
        };
        assert!(!key.is_managed(&[managed(&["model_providers", "g", "base_url"])]));
        assert!(key.is_managed(&[managed(&["model_providers", "g", "base_ulr"])]));
        let ours = key
            .problem(Version::new(0, 169, 0), true, false)
            .to_string();
        assert!(ours.contains("codexgen bug"), "{ours}");
        let theirs = key
            .problem(Version::new(0, 169, 0), false, true)
            .to_string();
        assert!(
            theirs
                .contains("Codex 0.169.0 does not know this key: check its spelling or remove it")
                && theirs.contains("config.toml:1:1")
                && theirs.contains("as gen writes it"),
            "{theirs}"
        );
    }

    #[test]
    fn codex_message_drops_backtraces_and_noise() {
        let stderr = "WARNING: proceeding, even though we could not create PATH aliases\nError: failed to load configuration\n\nCaused by:\n    approval_policy = \"untrusted\" is no longer supported; remove this setting\n\nStack backtrace:\n   0: <unknown>\n";
        assert_eq!(
            codex_message(stderr),
            "  | Error: failed to load configuration\n  | Caused by:\n  |     approval_policy = \"untrusted\" is no longer supported; remove this setting"
        );
    }
}
