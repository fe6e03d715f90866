//! `codexgen link PATH`: makes the Codex home's `config.toml` a symbolic
//! link to PATH, the shared `config.toml` in a dotfiles repository (the
//! two-machine recipe of docs/recipes.md), safely on any machine. Owns deciding what
//! of this machine's `config.toml` goes into the shared file ([`join`]) and
//! the order of the steps; the writes are `write`'s (the shared file, the
//! backup, and the link put in place by one rename, [`write::link`]).
//!
//! - The home is the one every command resolves (`--codex-home`, else
//!   `$CODEX_HOME`, else `~/.codex`); it is made when missing.
//! - Already a link to PATH (or the same file): nothing to do; PATH missing
//!   then is made, empty (`gen` writes through the link).
//! - PATH missing: this machine's `config.toml` (or an empty file) becomes
//!   it, as it is.
//! - Both there: what this machine's file has that the shared file lacks
//!   (top-level keys, `[projects."…"]`, `[mcp_servers.X]`, any table or key
//!   of the user's, with their comments) is added to the shared file, after
//!   what is there. What codexgen wrote on this machine (its state names
//!   it) is not: `gen` writes the catalog's own from the shared catalog. A
//!   key both files set to different values keeps the shared file's value,
//!   and a warning names the key, never a value.
//! - This machine's old `config.toml` is kept as
//!   `.codexgen/config.toml.before-link` in the home (`.2`, `.3`… when
//!   one is already there; none when the newest holds this very text),
//!   then replaced by the link in one rename.
//! - Nothing a run carries may travel where the rest of codexgen would not
//!   write or print it: a credential (secrets' one rule), a line the
//!   target Codex refuses (hazards), keys under codexgen's header that the
//!   home has no record of: each is refused before anything is written.
//!   PATH keeps its line endings.
//! - A `config.toml` that is already a link elsewhere is never replaced,
//!   nor a PATH that is itself a link or lies in the home's `.codexgen/`:
//!   each stops with what to do.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml_edit::{Item, Table};

use crate::catalog::{Catalog, keys};
use crate::diagnostic::{Exit, Level, Problem, printable, sh_quote};
use crate::error::Error;
use crate::findings::Severity;
use crate::hazards;
use crate::header;
use crate::home::CodexFile;
use crate::input;
use crate::merge::endings::{dominant_ending, restore_endings};
use crate::merge::tree::next_position;
use crate::merge::value::canonical;
use crate::merge::{self, MergeError};
use crate::output::{self, Stdout};
use crate::plan;
use crate::render;
use crate::secrets;
use crate::settings::Settings;
use crate::state::State;
use crate::ui::plans::print_diff;
use crate::ui::prompt::ask;
use crate::verbosity;
use crate::write::{self, Expect, WriteError};

/// What `link` does once it knows the shared file's new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print the shared file's diff and the steps; change nothing.
    Diff,
    /// Print them and do it, asking first unless `yes`.
    Write { yes: bool },
}

pub struct Options {
    /// The shared `config.toml`, as given.
    pub path: PathBuf,
    pub mode: Mode,
}

/// The backup of the machine's own `config.toml`, in the home's
/// `.codexgen/` folder.
const BACKUP: &str = "config.toml.before-link";

/// What a run found and will do.
struct Planned {
    /// The home's `config.toml`.
    config: PathBuf,
    /// The shared file, absolute, and as shown.
    shared: PathBuf,
    shown: String,
    shared_text: Option<String>,
    machine_text: Option<String>,
    /// The shared file's text after the join.
    new_shared: String,
    conflicts: Vec<String>,
    left: Vec<String>,
    /// Where the machine's file is kept (when there is one), and whether
    /// that backup holds it already (a run stopped part way kept it).
    backup: Option<(PathBuf, bool)>,
    /// The home's `config.toml` is a link to the shared file already, which
    /// is missing: only the file is made.
    linked: bool,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    let Some(p) = plan(settings, &options.path)? else {
        return Ok(Exit::Ok);
    };
    show(&p, options.mode)?;
    let yes = match options.mode {
        Mode::Diff => return Ok(Exit::Ok),
        Mode::Write { yes } => yes,
    };
    let command = format!("link {}", sh_quote(&options.path.display().to_string()));
    let question = format!(
        "link {} to {}",
        printable(&p.config.display().to_string()),
        p.shown
    );
    if !yes && !ask(&question, &command)? {
        verbosity::info("nothing written");
        return Ok(Exit::Attention);
    }
    apply(settings, &p, &command)?;
    Ok(Exit::Ok)
}

/// Reads both files and joins them; `None` when the home's `config.toml`
/// already is the shared file (said).
fn plan(settings: &Settings, path: &Path) -> Result<Option<Planned>, Error> {
    let config = CodexFile::Config.path_in(&settings.codex_home);
    let shared = std::path::absolute(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    let shown = printable(&shared.display().to_string()).into_owned();
    not_in_own_folder(settings, &shared, &shown)?;
    let shared_text = read_shared(&shared, &shown)?;
    let Some(machine_text) = read_machine(&config, &shared, &shown)? else {
        if shared_text.is_some() {
            verbosity::info(&format!(
                "{} is already a link to {shown}: nothing to do",
                printable(&config.display().to_string())
            ));
            return Ok(None);
        }
        // The link is there and leads nowhere: `gen` would stop on it.
        return Ok(Some(Planned {
            config,
            shared,
            shown,
            shared_text: None,
            machine_text: None,
            new_shared: String::new(),
            conflicts: Vec::new(),
            left: Vec::new(),
            backup: None,
            linked: true,
        }));
    };
    let state = plan::read_state(settings)?;
    if let Some(machine) = &machine_text
        && header::has_header(machine)
        && !state.files.contains_key(&CodexFile::Config)
    {
        return Err(unrecorded(&config));
    }
    let (new_shared, conflicts, left) = match (&shared_text, &machine_text) {
        (None, machine) => (machine.clone().unwrap_or_default(), Vec::new(), Vec::new()),
        (Some(shared_text), None) => (shared_text.clone(), Vec::new(), Vec::new()),
        (Some(shared_text), Some(machine)) => {
            let managed: Vec<Vec<String>> = state
                .managed(&CodexFile::Config)
                .iter()
                .map(|m| m.path.clone())
                .collect();
            let joined = join(
                &shown,
                shared_text,
                &config.display().to_string(),
                machine,
                &managed,
            )?;
            (joined.text, joined.conflicts, joined.left)
        }
    };
    if let Some(machine) = &machine_text {
        refuse_credentials(
            &config,
            machine,
            shared_text.as_deref(),
            &new_shared,
            &shown,
        )?;
    }
    refuse_hazards(
        settings,
        &config,
        shared_text.as_deref(),
        &new_shared,
        &shown,
    )?;
    let backup = machine_text
        .as_deref()
        .map(|machine| backup_for(&settings.state_dir(), machine));
    Ok(Some(Planned {
        config,
        shared,
        shown,
        shared_text,
        machine_text,
        new_shared,
        conflicts,
        left,
        backup,
        linked: false,
    }))
}

/// Refuses a shared file in the home's own `.codexgen/` folder (its state,
/// its backups, a kept `config.toml`): codexgen replaces files there.
fn not_in_own_folder(settings: &Settings, shared: &Path, shown: &str) -> Result<(), Error> {
    let own = settings.state_dir();
    let inside = match (
        std::fs::canonicalize(&own),
        shared.parent().map(std::fs::canonicalize),
    ) {
        (Ok(own), Some(Ok(dir))) => dir.starts_with(own),
        _ => false,
    };
    if inside {
        return Err(Error::with_help(
            format!(
                "{shown} is inside {}, codexgen's own folder in the Codex home (its state and backups); nothing was written",
                printable(&own.display().to_string())
            ),
            "give the path of the shared config.toml in your dotfiles repository (a backup there can be copied out first: `cp FILE ~/dotfiles/codex/config.toml`)",
        ));
    }
    Ok(())
}

/// The shared file's diff (stdout, redacted), what is not carried over
/// (warnings, keys only) and the steps (stderr).
fn show(p: &Planned, mode: Mode) -> Result<(), Error> {
    let config = printable(&p.config.display().to_string()).into_owned();
    let shown = &p.shown;
    let mut out = Stdout::new("the diff");
    // As gen's: `-q` with `--yes` prints no diff.
    let quiet = verbosity::quiet() && mode == Mode::Write { yes: true };
    if !quiet && p.shared_text.as_deref() != Some(p.new_shared.as_str()) {
        let label = shown.trim_start_matches('/');
        print_diff(&mut out, label, p.shared_text.as_deref(), &p.new_shared)?;
    }
    out.finish()?;
    let keys = |keys: &[String]| {
        keys.iter()
            .map(|k| format!("`{}`", printable(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let warn = |problem: Problem| {
        let problem = match &p.backup {
            Some((b, _)) => problem.help(format!(
                "this machine's file is kept as {}; copy what you need into the shared file by hand",
                printable(&b.display().to_string())
            )),
            None => problem,
        };
        output::eprintln(problem.render(Level::Warning));
    };
    if !p.left.is_empty() {
        warn(Problem::new(format!(
            "{config} has keys of yours in tables codexgen wrote there, which {shown} does not have; they are not carried over: {}",
            keys(&p.left)
        )));
    }
    if !p.conflicts.is_empty() {
        warn(Problem::new(format!(
            "{config} and {shown} set {} to different values: the shared file's are kept",
            keys(&p.conflicts)
        )));
    }
    let would = if mode == Mode::Diff { "would" } else { "will" };
    verbosity::info(&match (&p.shared_text, &p.machine_text) {
        (None, Some(_)) => format!("link: {shown} {would} be this machine's config.toml, as it is"),
        (None, None) => format!("link: {shown} {would} be created, empty"),
        (Some(old), _) if *old == p.new_shared => {
            format!("link: {shown} already holds what it can take from this machine's config.toml")
        }
        (Some(_), _) => {
            format!("link: {shown} {would} get what this machine's config.toml adds (diff above)")
        }
    });
    match &p.backup {
        Some((b, false)) => verbosity::info(&format!(
            "link: this machine's config.toml {would} be kept as {}",
            printable(&b.display().to_string())
        )),
        Some((b, true)) => verbosity::info(&format!(
            "link: this machine's config.toml is kept already, as {}",
            printable(&b.display().to_string())
        )),
        None => {}
    }
    if p.linked {
        verbosity::info(&format!("link: {config} is a link to {shown} already"));
    } else {
        verbosity::info(&format!("link: {config} {would} be a link to {shown}"));
    }
    Ok(())
}

/// Writes the shared file, the backup, then puts the link in place, under
/// the home's lock. Each step can be repeated: a run stopped after the
/// shared file was written finds nothing more to add the next time.
fn apply(settings: &Settings, p: &Planned, command: &str) -> Result<(), Error> {
    let config = printable(&p.config.display().to_string()).into_owned();
    let _lock = write::lock(&settings.state_dir()).map_err(|e| match e {
        WriteError::Locked(dir) => Error::Locked(dir),
        other => Error::Write {
            doing: format!("take the lock in {}", settings.state_dir().display()),
            source: other,
        },
    })?;
    // What is done, said if a later step fails: a retry finds it done.
    let mut done: Vec<String> = Vec::new();
    let failed = |what: String, done: &[String]| {
        let done = done.join(" and ");
        move |e: WriteError| {
            let again = format!(
                "run `codexgen {command}` again: it adds nothing twice and keeps no second backup"
            );
            match e {
                WriteError::Changed(_) if done.is_empty() => Error::with_help(
                    format!("{what} changed while codexgen was linking; it was left as it is"),
                    again,
                ),
                WriteError::Changed(_) => Error::with_help(
                    format!(
                        "{what} changed while codexgen was linking; it was left as it is, after {done}"
                    ),
                    again,
                ),
                other if done.is_empty() => Error::Write {
                    doing: format!("write {what}"),
                    source: other,
                },
                other => {
                    let fix = other
                        .remedy()
                        .map(|r| {
                            let r = r.strip_prefix("nothing was written; ").unwrap_or(&r);
                            let r = r.strip_suffix(", then run again").unwrap_or(r);
                            format!("{r}, then ")
                        })
                        .unwrap_or_default();
                    Error::with_help(
                        format!("{other}; {done} before that"),
                        format!("{fix}{again}"),
                    )
                }
            }
        }
    };
    write::write(
        &p.shared,
        &p.new_shared,
        None,
        Expect::Exactly(p.shared_text.as_deref().map(str::as_bytes)),
    )
    .map_err(failed(p.shown.clone(), &done))?;
    if p.shared_text.as_deref() != Some(p.new_shared.as_str()) {
        done.push(format!("{} was written", p.shown));
    }
    if let (Some((b, false)), Some(machine)) = (&p.backup, &p.machine_text) {
        let shown = printable(&b.display().to_string()).into_owned();
        write::write(b, machine, None, Expect::Exactly(None))
            .map_err(failed(shown.clone(), &done))?;
        done.push(format!("this machine's config.toml was kept as {shown}"));
    }
    if p.linked {
        verbosity::info(&format!("created {}, empty", p.shown));
        return Ok(());
    }
    write::link(
        &p.config,
        &p.shared,
        p.machine_text.as_deref().map(str::as_bytes),
    )
    .map_err(failed(config.clone(), &done))?;
    verbosity::info(&format!("linked {config} -> {}", p.shown));
    Ok(())
}

/// The shared file's text; `None` when it does not exist yet (its folder
/// must). A link there is refused: the repository would choose the file.
fn read_shared(shared: &Path, shown: &str) -> Result<Option<String>, Error> {
    match std::fs::symlink_metadata(shared) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::with_help(
            format!("{shown} is a symbolic link; codexgen links only to a file itself"),
            "give the path of the file the link leads to, or replace the link by that file",
        )),
        Ok(meta) if !meta.is_file() => Err(Error::with_help(
            not_a_file(shown, meta.file_type()),
            "give the path of the shared config.toml (it is created when missing)",
        )),
        Ok(_) => Ok(Some(input::read(shared, input::CODEX_FILE)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match shared.parent() {
            Some(dir) if dir.is_dir() => Ok(None),
            _ => Err(Error::with_help(
                format!("the folder of {shown} does not exist"),
                "clone the dotfiles repository first (or make the folder), then run `codexgen link` again",
            )),
        },
        Err(source) => Err(Error::Read {
            path: shown.to_owned(),
            source,
        }),
    }
}

/// "`shown` is a folder, not a file" (the kind says its own article).
fn not_a_file(shown: &str, kind: std::fs::FileType) -> String {
    match input::kind(kind) {
        "not a file" => format!("{shown} is not a file"),
        kind => format!("{shown} is {kind}, not a file"),
    }
}

/// This machine's `config.toml`: `Some(None)` when there is none,
/// `Some(Some(text))` for a file, `None` when it already is the shared
/// file (a link to it, or one file under two names). A link elsewhere is
/// refused: codexgen replaces no link it did not make.
#[allow(clippy::option_option)]
fn read_machine(
    config: &Path,
    shared: &Path,
    shown: &str,
) -> Result<Option<Option<String>>, Error> {
    let same = || {
        matches!(
            (std::fs::canonicalize(config), std::fs::canonicalize(shared)),
            (Ok(a), Ok(b)) if a == b
        )
    };
    match std::fs::symlink_metadata(config) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let to = std::fs::read_link(config).unwrap_or_default();
            if to == shared || same() {
                return Ok(None);
            }
            Err(Error::with_help(
                format!(
                    "{} is a symbolic link to {}, not to {shown}; codexgen does not replace a link it did not make",
                    printable(&config.display().to_string()),
                    printable(&to.display().to_string())
                ),
                format!(
                    "to bring what it leads to into the shared file, replace the link by a copy (`cp --remove-destination \"$(readlink -f {c})\" {c}`), or remove it (`rm {c}`); then run `codexgen link` again",
                    c = sh_quote(&config.display().to_string())
                ),
            ))
        }
        Ok(_) if same() => Ok(None),
        Ok(meta) if !meta.is_file() => Err(Error::message(format!(
            "{}; move it away, then run `codexgen link` again",
            not_a_file(&printable(&config.display().to_string()), meta.file_type())
        ))),
        Ok(_) => Ok(Some(Some(input::read(config, input::CODEX_FILE)?))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(None)),
        Err(source) => Err(Error::Read {
            path: config.display().to_string(),
            source,
        }),
    }
}

/// The machine's file opens with codexgen's header, but the home has no
/// record of what codexgen wrote in it: its keys cannot be told from the
/// user's, and would travel as the user's.
fn unrecorded(config: &Path) -> Error {
    let c = sh_quote(&config.display().to_string());
    Error::with_help(
        format!(
            "{} opens with codexgen's header (`# codexgen: …`): codexgen wrote keys in it, but this home has no record of which (its .codexgen/ state is gone), so link cannot tell them from yours; nothing was written",
            printable(&config.display().to_string())
        ),
        format!(
            "if every key in it is yours, delete the `# codexgen:` header lines and run `codexgen link` again; if it is an old catalog's output, move it away (`mv {c} {c}.old`) and run `codexgen link` again, then `codexgen gen` writes the catalog's keys"
        ),
    )
}

/// A credential in a config text: its dotted key, its value, and the line
/// the value starts on (no key: a line that holds one outside any value).
#[derive(Debug, PartialEq, Eq)]
struct Credential {
    key: String,
    value: String,
    line: usize,
}

/// Every value of `text` that holds a credential by secrets' one rule
/// ([`secrets::is_credential_value`], [`secrets::credential_in_args`] for
/// an array of strings), wherever it stands: a key's value, an inline
/// table's, an array's item, a multi-line string. Nothing when `text`
/// does not parse (the join has said so already).
fn credentials(text: &str) -> Vec<Credential> {
    fn walk(table: &DeTable<'_>, path: &mut Vec<String>, text: &str, out: &mut Vec<Credential>) {
        for (key, value) in table {
            path.push(key.get_ref().to_string());
            value_of(value, path, text, out);
            path.pop();
        }
    }
    fn value_of(
        value: &toml::Spanned<DeValue<'_>>,
        path: &mut Vec<String>,
        text: &str,
        out: &mut Vec<Credential>,
    ) {
        // A value that names a variable is judged as `env_key`'s is.
        let name = if names_variables(path) {
            "env_key"
        } else {
            path.last().map(String::as_str).unwrap_or_default()
        };
        let mut found = |shown: String, at: usize| {
            out.push(Credential {
                key: dotted(path),
                value: shown,
                line: text.get(..at).unwrap_or(text).matches('\n').count() + 1,
            });
        };
        match value.get_ref() {
            DeValue::String(s) if secrets::is_credential_value(name, s) => {
                found(s.to_string(), value.span().start);
            }
            DeValue::Array(items) => {
                let strings: Vec<&str> =
                    items.iter().filter_map(|i| i.get_ref().as_str()).collect();
                let named = items.iter().find(|i| {
                    i.get_ref()
                        .as_str()
                        .is_some_and(|s| secrets::is_credential_value(name, s))
                });
                if let Some(item) = named {
                    found(strings.join("\u{0}"), item.span().start);
                } else if let Some(i) = secrets::credential_in_args(&strings) {
                    let at = items
                        .iter()
                        .filter(|i| i.get_ref().as_str().is_some())
                        .nth(i)
                        .map_or(value.span().start, |i| i.span().start);
                    found(strings.join("\u{0}"), at);
                }
                for item in items {
                    if let DeValue::Table(t) = item.get_ref() {
                        walk(t, path, text, out);
                    }
                }
            }
            DeValue::Table(t) => walk(t, path, text, out),
            _ => {}
        }
    }
    let text = text.trim_start_matches('\u{feff}');
    let mut out = Vec::new();
    if let Ok(doc) = DeTable::parse(text) {
        walk(doc.get_ref(), &mut Vec::new(), text, &mut out);
    }
    out
}

/// The comment on a line of TOML (from its `#` outside any string).
fn comment_of(line: &str) -> Option<&str> {
    let mut quote = None;
    let mut escaped = false;
    for (at, c) in line.char_indices() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), c) if c == q && !escaped => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => return Some(&line[at..]),
            _ => {}
        }
        escaped = false;
    }
    None
}

/// Whether the value at `path` names environment variables (`env_key`,
/// `env_http_headers`, `env_vars`, `bearer_token_env_var`), as the key
/// table's entry for a provider's or a server's key says.
fn names_variables(path: &[String]) -> bool {
    let table = match path.first().map(String::as_str) {
        Some("model_providers") => keys::PROVIDER,
        Some("mcp_servers") => keys::MCP_SERVER,
        _ => return false,
    };
    path.get(2)
        .and_then(|k| keys::find(table, k))
        .is_some_and(|k| k.secret == keys::Secret::Named)
}

/// Refuses a run that would carry a credential from the machine's file
/// into the shared file (which travels, to a repository): each is named by
/// file, line and key, never by its value. One the shared file holds
/// already is not link's doing.
fn refuse_credentials(
    config: &Path,
    machine: &str,
    shared: Option<&str>,
    new_shared: &str,
    shown: &str,
) -> Result<(), Error> {
    let there = shared.map(credentials).unwrap_or_default();
    let after = credentials(new_shared);
    let mut carried: Vec<Credential> = credentials(machine)
        .into_iter()
        .filter(|c| {
            let same = |o: &Credential| o.key == c.key && o.value == c.value;
            after.iter().any(same) && !there.iter().any(same)
        })
        .collect();
    // What no value holds: a comment on a line link adds, judged as the
    // diff's redaction would.
    let lines_of = |text: &'_ str| text.lines().map(str::to_owned).collect::<Vec<_>>();
    let (old_lines, new_lines) = (lines_of(shared.unwrap_or_default()), lines_of(new_shared));
    for (i, line) in machine.trim_start_matches('\u{feff}').lines().enumerate() {
        let added = new_lines.iter().any(|l| l == line) && !old_lines.iter().any(|l| l == line);
        if added
            && comment_of(line).is_some_and(secrets::holds_credential)
            && !carried.iter().any(|c| c.line == i + 1)
        {
            carried.push(Credential {
                key: String::new(),
                value: String::new(),
                line: i + 1,
            });
        }
    }
    if carried.is_empty() {
        return Ok(());
    }
    carried.sort_by_key(|c| c.line);
    let config = printable(&config.display().to_string()).into_owned();
    let named = carried
        .iter()
        .map(|c| match c.key.as_str() {
            "" => format!("{config}:{}: a comment", c.line),
            key => format!("{config}:{}: `{}`", c.line, printable(key)),
        })
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::with_help(
        format!(
            "link does not carry a credential into {shown}, which travels with your dotfiles: {named} holds one; nothing was written"
        ),
        format!(
            "keep the value in the environment and name only its variable in {config}: a server's `env_vars = [\"GITHUB_TOKEN\"]` (instead of `env = {{ GITHUB_TOKEN = … }}`), `bearer_token_env_var = \"VAR\"`, a provider's `env_key = \"VAR\"`; then run `codexgen link` again"
        ),
    ))
}

/// Refuses a run that would carry into the shared file what stops the
/// target Codex (the hazards `gen` and `doctor` report as errors: a
/// `profile =` selector from 0.134, a redefined built-in provider, …);
/// one the shared file holds already is not link's doing.
fn refuse_hazards(
    settings: &Settings,
    config: &Path,
    shared: Option<&str>,
    new_shared: &str,
    shown: &str,
) -> Result<(), Error> {
    let target = &settings.target;
    let catalog = Catalog {
        version: String::new(),
        default: None,
        providers: Vec::new(),
        bedrock: Vec::new(),
        profiles: Vec::new(),
        settings: Vec::new(),
        mcp_servers: Vec::new(),
    };
    let state = State::new(std::collections::BTreeMap::new());
    let none = |_: &CodexFile| None;
    let find = |text: &str| {
        let texts = hazards::Texts {
            config: text,
            profile_file: &none,
        };
        hazards::find(&texts, target, &catalog, &state)
            .into_iter()
            .filter(|h| h.finding(target).severity == Severity::Error)
            .collect::<Vec<_>>()
    };
    let there = shared.map(find).unwrap_or_default();
    let carried: Vec<_> = find(new_shared)
        .into_iter()
        .filter(|h| !there.contains(h))
        .map(|h| h.finding(target))
        .collect();
    if carried.is_empty() {
        return Ok(());
    }
    let config = printable(&config.display().to_string()).into_owned();
    let say = |f: &dyn Fn(&crate::findings::Finding) -> String| {
        carried.iter().map(f).collect::<Vec<_>>().join("; ")
    };
    Err(Error::with_help(
        format!(
            "link does not carry into {shown} what Codex {} refuses, from this machine's {config}: {}; nothing was written",
            target.version,
            say(&|f| f.message.clone())
        ),
        format!(
            "{} (in {config}); then run `codexgen link` again",
            say(&|f| f.fix.clone().unwrap_or_default())
        ),
    ))
}

/// Where the machine's file is kept: `.codexgen/config.toml.before-link`,
/// or the first of `.2`, `.3`… that is free (an earlier backup is never
/// replaced); but the newest backup when it holds this very text already
/// (`true`: a run stopped part way kept it), so a retry adds no copy.
fn backup_for(state_dir: &Path, machine: &str) -> (PathBuf, bool) {
    let mut names = std::iter::once(state_dir.join(BACKUP))
        .chain((2..10_000).map(|n| state_dir.join(format!("{BACKUP}.{n}"))));
    let mut newest = None;
    for path in names.by_ref() {
        if std::fs::symlink_metadata(&path).is_err() {
            let same = newest
                .as_ref()
                .and_then(|n: &PathBuf| std::fs::read_to_string(n).ok())
                .is_some_and(|text| text == machine);
            return match newest {
                Some(n) if same => (n, true),
                _ => (path, false),
            };
        }
        newest = Some(path);
    }
    (state_dir.join(BACKUP), false)
}

/// The shared file with what the machine's file adds.
#[derive(Debug, PartialEq, Eq)]
pub struct Joined {
    pub text: String,
    /// Dotted keys both files set, to different values (the shared file's kept).
    pub conflicts: Vec<String>,
    /// Dotted keys of the user's in a table codexgen wrote on this machine
    /// that the shared file does not have: not carried over.
    pub left: Vec<String>,
}

/// Adds to `shared` every table and key of `machine` that it lacks, with
/// its comments, after what is there (the shared file's own lines stay as
/// they are), except codexgen's header and the leaves codexgen wrote on
/// this machine (`managed`; a table holding one is entered, so the user's
/// own keys in it still come). Deterministic and idempotent: joining the
/// result with the same machine file again adds nothing.
pub fn join(
    shared_name: &str,
    shared: &str,
    machine_name: &str,
    machine: &str,
    managed: &[Vec<String>],
) -> Result<Joined, MergeError> {
    let (_, shared_body, mut into) = merge::parse_current(shared_name, shared)?;
    let (_, _, from) = merge::parse_current(machine_name, machine)?;
    let mut next = next_position(into.as_table());
    let mut conflicts = Vec::new();
    let mut left = Vec::new();
    let mut added = false;
    walk(
        into.as_table_mut(),
        from.as_table(),
        &mut Vec::new(),
        managed,
        &mut Walk {
            pad: !shared_body.trim().is_empty(),
            conflicts: &mut conflicts,
            left: &mut left,
            next: &mut next,
            added: &mut added,
        },
    );
    // Comments after the machine's last table, unless a join put them there already.
    let comment = from.trailing().as_str().unwrap_or_default();
    if comment.contains('#') && !shared_body.contains(comment.trim()) {
        let mut trailing = into.trailing().as_str().unwrap_or_default().to_owned();
        trailing.push_str(comment);
        into.set_trailing(trailing);
        added = true;
    }
    let text = if added {
        let prefix = &shared[..shared.len() - shared_body.len()];
        let mut body = into.to_string();
        // A shared file without a final newline: what follows its last
        // line must start on a line of its own.
        if !shared_body.is_empty() && !shared_body.ends_with('\n') && !body.ends_with('\n') {
            body.push('\n');
        }
        // toml_edit writes `\n` everywhere: the shared file's lines keep
        // their own ending, the lines added take its most common one.
        let body = restore_endings(shared_body, &body, dominant_ending(shared_body));
        format!("{prefix}{body}")
    } else {
        shared.to_owned()
    };
    Ok(Joined {
        text,
        conflicts,
        left,
    })
}

struct Walk<'a> {
    /// Whether a table added starts with a blank line (the shared file has text).
    pad: bool,
    conflicts: &'a mut Vec<String>,
    left: &'a mut Vec<String>,
    next: &'a mut isize,
    added: &'a mut bool,
}

fn walk(
    into: &mut Table,
    from: &Table,
    path: &mut Vec<String>,
    managed: &[Vec<String>],
    w: &mut Walk<'_>,
) {
    for (key, item) in from {
        let Some((key_decor, _)) = from.get_key_value(key) else {
            continue;
        };
        path.push(key.to_owned());
        let is_managed = managed.iter().any(|m| m == path);
        let holds_managed = managed
            .iter()
            .any(|m| m.len() > path.len() && m.starts_with(path));
        // A table codexgen writes keys into (a provider, a settings
        // table): the shared file's comes from the catalog, so the user's
        // own keys in this machine's copy are not carried (they would make
        // a table Codex refuses, a provider without its URL).
        let written_into = managed
            .iter()
            .any(|m| m.len() == path.len() + 1 && m.starts_with(path));
        match (into.get_mut(key), item) {
            _ if is_managed => {}
            (None, Item::Table(src)) if written_into => {
                leaves(src, path, managed, w.left);
            }
            (None, Item::Table(src)) if holds_managed => {
                let mut shape = Table::new();
                shape.set_implicit(src.is_implicit());
                shape.set_dotted(src.is_dotted());
                *shape.decor_mut() = src.decor().clone();
                shape.set_position(Some(*w.next));
                *w.next += 1;
                into.insert_formatted(key_decor, Item::Table(shape));
                if let Some(Item::Table(dst)) = into.get_mut(key) {
                    walk(dst, src, path, managed, w);
                    if dst.is_empty() {
                        into.remove(key);
                    }
                }
            }
            // A value holding a leaf codexgen wrote (an inline table): gen
            // writes it.
            (None, _) if holds_managed => {}
            (None, item) => {
                let mut item = item.clone();
                renumber(&mut item, w.next, w.pad);
                into.insert_formatted(key_decor, item);
                *w.added = true;
            }
            (Some(Item::Table(dst)), Item::Table(src)) => walk(dst, src, path, managed, w),
            (Some(existing), item) => {
                if canonical(existing) != canonical(item) {
                    w.conflicts.push(dotted(path));
                }
            }
        }
        path.pop();
    }
}

/// The leaves of `table` (at `path`) that codexgen did not write, as dotted keys.
fn leaves(table: &Table, path: &mut Vec<String>, managed: &[Vec<String>], out: &mut Vec<String>) {
    for (key, item) in table {
        path.push(key.to_owned());
        match item {
            Item::Table(t) => leaves(t, path, managed, out),
            _ if managed.iter().any(|m| m == path) => {}
            _ => out.push(dotted(path)),
        }
        path.pop();
    }
}

/// A key path as TOML writes it (`projects."/home/me/work".trust_level`).
fn dotted(path: &[String]) -> String {
    path.iter()
        .map(|k| render::toml_key(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// Gives every table in `item` a position after the shared file's, in the
/// order the machine's file has them, so that they follow what is there;
/// with `pad`, each header not already after a blank line gets one.
fn renumber(item: &mut Item, next: &mut isize, pad: bool) {
    // Tables in the order they are visited, with their positions.
    let mut seen = Vec::new();
    visit(item, &mut |t: &mut Table| {
        seen.push(t.position().unwrap_or(isize::MAX));
    });
    let mut order: Vec<usize> = (0..seen.len()).collect();
    order.sort_by_key(|&i| (seen[i], i));
    let mut new = vec![0; seen.len()];
    for i in order {
        new[i] = *next;
        *next += 1;
    }
    let mut at = 0;
    visit(item, &mut |t: &mut Table| {
        t.set_position(new.get(at).copied());
        at += 1;
        let prefix = t.decor().prefix().and_then(|p| p.as_str()).unwrap_or("");
        if pad && !t.is_implicit() && !prefix.starts_with(['\n', '\r']) {
            let padded = format!("\n{prefix}");
            t.decor_mut().set_prefix(padded);
        }
    });
}

/// Calls `f` on every table in `item`, each before its children.
fn visit(item: &mut Item, f: &mut dyn FnMut(&mut Table)) {
    match item {
        Item::Table(t) => {
            f(t);
            for (_, child) in t.iter_mut() {
                visit(child, f);
            }
        }
        Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                f(t);
                for (_, child) in t.iter_mut() {
                    visit(child, f);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::join;

    const SHARED: &str = "\
# codexgen: generated from catalog version v1; codexgen rewrites only the
# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.
model = \"p-model\"
model_provider = \"p\"

[model_providers.p]
name = \"p name\"

[projects.\"/home/a/src\"]
trust_level = \"trusted\"
";

    const MACHINE: &str = "\
# codexgen: generated from catalog version v0; codexgen rewrites only the
# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.
model = \"q-model\"
approval_policy = \"never\"   # mine

[model_providers.q]
name = \"q name\"
extra = 1

[projects.\"/home/b/work\"]
trust_level = \"trusted\"

# the docs server, only on this laptop
[mcp_servers.x]
command = \"x-mcp\"
env = { X_TOKEN = \"sk-proj-9fQ2xLr7Vb1mZt4KpW8sNd3Y\" }
";

    fn managed() -> Vec<Vec<String>> {
        [&["model"][..], &["model_providers", "q", "name"]]
            .iter()
            .map(|p| p.iter().map(|s| (*s).to_owned()).collect())
            .collect()
    }

    #[test]
    fn what_the_machine_adds_follows_the_shared_files_own_bytes() {
        let joined = join("shared", SHARED, "machine", MACHINE, &managed()).unwrap();
        let want = SHARED.replace(
            "model_provider = \"p\"\n",
            "model_provider = \"p\"\napproval_policy = \"never\"   # mine\n",
        ) + "\n[projects.\"/home/b/work\"]
trust_level = \"trusted\"

# the docs server, only on this laptop
[mcp_servers.x]
command = \"x-mcp\"
env = { X_TOKEN = \"sk-proj-9fQ2xLr7Vb1mZt4KpW8sNd3Y\" }
";
        assert_eq!(joined.text, want);
        // `model` is codexgen's here (gen writes the catalog's): no conflict.
        assert!(joined.conflicts.is_empty(), "{:?}", joined.conflicts);
        // The provider codexgen wrote on this machine is not carried; the
        // user's key in it is named.
        assert_eq!(joined.left, ["model_providers.q.extra"]);
    }

    #[test]
    fn joining_again_adds_nothing() {
        for machine in [MACHINE.to_owned(), format!("{MACHINE}\n# last words\n")] {
            let once = join("shared", SHARED, "machine", &machine, &managed()).unwrap();
            let twice = join("shared", &once.text, "machine", &machine, &managed()).unwrap();
            assert_eq!(once.text, twice.text);
        }
    }

    #[test]
    fn a_key_both_set_keeps_the_shared_value_and_is_named_without_it() {
        let machine = "model_provider = \"mine\"\n[projects.\"/home/a/src\"]\ntrust_level = \"untrusted\"\n[mcp_servers.x]\nenv = { TOKEN = \"sk-proj-9fQ2xLr7Vb1mZt4KpW8sNd3Y\" }\n";
        let shared = format!("{SHARED}\n[mcp_servers.x]\nenv = {{ TOKEN = \"other\" }}\n");
        let joined = join("shared", &shared, "machine", machine, &[]).unwrap();
        assert_eq!(joined.text, shared);
        assert_eq!(
            joined.conflicts,
            [
                "model_provider",
                "projects.\"/home/a/src\".trust_level",
                "mcp_servers.x.env"
            ]
        );
        assert!(!format!("{joined:?}").contains("sk-proj"));
    }

    #[test]
    fn a_table_codexgen_holds_only_in_part_gets_the_users_keys() {
        // The user's own key in a table that is theirs on the shared side.
        let shared = "[tui]\nanimations = false\n";
        let machine = "[tui]\nanimations = false\nnotifications = true\n";
        let joined = join("shared", shared, "machine", machine, &[]).unwrap();
        assert_eq!(
            joined.text,
            "[tui]\nanimations = false\nnotifications = true\n"
        );
        // An implicit table with a managed leaf below it is entered.
        let managed = vec![vec![
            "model_providers".to_owned(),
            "q".to_owned(),
            "name".to_owned(),
        ]];
        let machine =
            "[model_providers.q]\nname = \"q\"\n\n[model_providers.mine]\nname = \"Mine\"\n";
        let joined = join("shared", shared, "machine", machine, &managed).unwrap();
        assert_eq!(
            joined.text,
            "[tui]\nanimations = false\n\n[model_providers.mine]\nname = \"Mine\"\n"
        );
    }

    #[test]
    fn a_shared_file_without_a_final_newline_or_empty() {
        let machine = "[projects.\"/b\"]\ntrust_level = \"trusted\"\n# last words\n";
        let joined = join("shared", "a = 1", "machine", machine, &[]).unwrap();
        assert_eq!(
            joined.text,
            "a = 1\n\n[projects.\"/b\"]\ntrust_level = \"trusted\"\n# last words\n"
        );
        let joined = join("shared", "", "machine", machine, &[]).unwrap();
        assert_eq!(joined.text, machine);
    }

    #[test]
    fn a_comment_starts_at_a_hash_outside_strings() {
        use super::comment_of;
        assert_eq!(comment_of("a = 1 # x"), Some("# x"));
        assert_eq!(comment_of("# x"), Some("# x"));
        assert_eq!(comment_of("a = \"#x\" # y"), Some("# y"));
        assert_eq!(comment_of("a = \"\\\"#x\""), None);
        assert_eq!(comment_of("a = '#x\\' # y"), Some("# y"));
        assert_eq!(comment_of("a = 1"), None);
    }

    #[test]
    fn an_unparsable_machine_file_is_an_error_naming_it() {
        let err = join("shared", SHARED, "b/config.toml", "a = [", &[]).unwrap_err();
        assert!(err.to_string().contains("b/config.toml"), "{err}");
    }
}
