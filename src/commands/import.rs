//! `codexgen import`: reads an existing Codex home (config.toml with its
//! `[model_providers]`, legacy `[profiles.NAME]` tables, and `NAME.config.toml`
//! profile files) and writes a catalog that reproduces it, so that `gen`
//! right after it changes no managed value. Owns reading Codex's keys back
//! into catalog keys and the report of what stays behind; knows no key
//! list of its own: a provider's and a profile's keys are looked up in
//! `catalog::keys` (`PROVIDER`, `PROFILE`, and the tables of `auth`, `aws`,
//! `capabilities`) and read by their `Kind`, so a key added there is
//! imported with no edit here, and the YAML is written by `catalog::emit`
//! (`Mapping`), in key-table order. Reads the home only (through `input`,
//! and `.codexgen/state.json` through `plan::read_state`) and never writes
//! into it; the catalog goes to stdout, or through `write` to `--output`.
//!
//! Choices where the issue is silent (also in docs/migrating.md):
//! - A top-level `model`/`model_provider` that matches a profile (same model
//!   and provider) makes that profile the default; otherwise it becomes a new
//!   profile named after the provider (`default`, then `<provider>-2`, ...
//!   when taken). A `model` without `model_provider` is Codex's `openai`.
//!   A legacy `profile = "NAME"` naming an imported profile wins: that
//!   profile is the default (what plain `codex` ran); on a target that
//!   reads profile files, which refuses the line, import says `gen` removes
//!   it (`plan`'s migration does).
//! - A key Codex accepts that the catalog has no field for, a value the
//!   catalog refuses for the target (say `approval_policy = "untrusted"` on
//!   0.169), a key older than the target's release that reads it
//!   (the `since` of its entry in `catalog::keys`), or a map holding a
//!   credential stays where it is, unmanaged, and is listed. A table of its
//!   own (`auth`, `aws`, `capabilities`) is imported all or nothing. So is
//!   a table for a built-in that lets it change a few keys (`gcp`,
//!   `amazon-bedrock`): imported when each key is one the target lets it
//!   change (`keys::changeable`), else kept whole. So is each
//!   `[mcp_servers.ID]` (`import/mcp.rs`, by `keys::MCP_SERVER`); every
//!   other top-level key and table (`[projects]`, ...) is kept.
//! - A key no key table knows that the home's state records codexgen wrote
//!   (a catalog's `unchecked` key) comes back as `unchecked` in the same
//!   place (`import/unchecked.rs`); one codexgen did not write is kept.
//!   A value codexgen wrote that is kept anyway is one `gen` removes: said
//!   as a change, so "changes no managed value" holds.
//! - A literal credential is never copied: `experimental_bearer_token`, an
//!   `env_key` that is not a variable name, and an
//!   `Authorization: Bearer` header become `env_key: <ID>_API_KEY`, another
//!   credential header an `env_http_headers` entry; the literal stays in the
//!   file until the user removes it, and its value is never printed.
//! - What `gen` will still change (the added `env_key`, a profile file for a
//!   default that matched no profile, profiles moved to the target's layout,
//!   a `wire_api` written out) is said, one line each.
//! - The catalog is loaded with the normal loader before it is printed or
//!   written: what the catalog refuses stops the import, with its reason.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, TableLike};

use crate::catalog::keys::{self, Changeable, KeyDoc, Kind, Secret};
use crate::catalog::{self, Mapping, Plain, Source};
use crate::codex::{self, ProfileLayout, Target};
use crate::diagnostic::{Exit, Level, Problem, Snippet, is_unprintable, printable};
use crate::error::Error;
use crate::header;
use crate::home::{self, CodexFile, NameFault, ProfileName};
use crate::input;
use crate::merge::{self, MergeError};
use crate::output;
use crate::secrets;
use crate::settings::Settings;
use crate::ui::report::{dim, print_out};
use crate::verbosity;
use crate::write::{self, Expect};

mod mcp;
mod unchecked;

use unchecked::Free;

pub struct Options {
    /// Where to write the catalog (`None`: stdout).
    pub output: Option<PathBuf>,
    /// Replace an existing `output`.
    pub force: bool,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    let home = &settings.codex_home;
    let target = &settings.target;
    let config_path = CodexFile::Config.path_in(home);
    let Some(config_text) = input::read_optional(&config_path, input::CODEX_FILE)? else {
        return Err(Error::with_help(
            format!(
                "nothing to import: {} does not exist",
                config_path.display()
            ),
            "point --codex-home (or CODEX_HOME) at the Codex home to import",
        ));
    };
    if let Some(output) = &options.output {
        refuse_output(output, home, options.force)?;
    }
    let config = Parsed::new(CodexFile::Config, &config_path, &config_text)?;
    let mut profile_files = Vec::new();
    for file in profile_files_in(home)? {
        let path = file.path_in(home);
        if let Some(text) = input::read_optional(&path, input::CODEX_FILE)? {
            profile_files.push((file, path, text));
        }
    }
    let profile_docs = profile_files
        .iter()
        .map(|(file, path, text)| Parsed::new(file.clone(), path, text))
        .collect::<Result<Vec<_>, _>>()?;

    // What codexgen wrote in this home: a key no key table knows is
    // codexgen's `unchecked` where it wrote it, the user's elsewhere.
    let state = crate::plan::read_state(settings)?;
    let written: Vec<(CodexFile, Vec<String>)> = state
        .files
        .iter()
        .flat_map(|(file, entry)| entry.managed.iter().map(|m| (file.clone(), m.path.clone())))
        .collect();
    let mut import = Import::new(target, written.clone());
    import.read(&config, &profile_docs)?;
    let version = header::header_version(&config_text)
        .map_or_else(|| format!("imported-{}", today()), str::to_owned);
    let text = import.to_yaml(&version);

    // The catalog must load as `gen` will load it. It is named so in
    // messages even with --output: nothing is written when it does not load.
    let loaded = catalog::layer(vec![Source {
        name: "<imported catalog>".to_owned(),
        text: text.clone(),
    }])
    .and_then(|layered| layered.build(target));
    let loaded = loaded.inspect_err(|_| {
        // Said first: the problems point into the catalog, the fix is in the home.
        output::eprintln(format_args!(
            "{} the catalog imported from {} does not load (below), so nothing was written: fix each value in the Codex file its entry came from (the comment above the entry names it), then import again",
            dim("codexgen:"),
            printable(&home.display().to_string())
        ));
    })?;

    // What codexgen wrote, is still there, and the imported catalog does
    // not write again (a value kept above): `gen` removes it, said so.
    let rendered = crate::render::Renderer::for_layout(None, target.profile_layout())?
        .render(&loaded, target)?;
    let docs: Vec<&Parsed<'_>> = std::iter::once(&config).chain(&profile_docs).collect();
    import
        .changes
        .extend(removed_by_gen(&written, &rendered, &docs));
    import.report(settings, loaded.default.as_deref());
    let Some(path) = &options.output else {
        print_out(&text, "the catalog")?;
        return Ok(Exit::Ok);
    };
    let expect = if options.force {
        Expect::AsRead
    } else {
        Expect::Exactly(None)
    };
    write::write(path, &text, None, expect).map_err(|e| match e {
        write::WriteError::Changed(_) => Error::with_help(
            format!("{} already exists", path.display()),
            "pass --force to replace it, or choose another --output",
        ),
        link @ write::WriteError::Link(_) => Error::Link(link),
        other => Error::message(format!(
            "cannot write the catalog to {}: {other}",
            path.display()
        )),
    })?;
    verbosity::info(&format!(
        "wrote the catalog to {}; review it with `codexgen --catalog {} gen --diff`",
        path.display(),
        path.display()
    ));
    Ok(Exit::Ok)
}

/// Per file, the leaves codexgen wrote (`written`) that the file still holds
/// and the catalog's `rendered` files do not: what `gen` removes, one line
/// per file.
fn removed_by_gen(
    written: &[(CodexFile, Vec<String>)],
    rendered: &[crate::render::Rendered],
    docs: &[&Parsed<'_>],
) -> Vec<String> {
    let mut lines = Vec::new();
    for doc in docs {
        let new: Vec<Vec<String>> = rendered
            .iter()
            .filter(|r| r.file == doc.file)
            .flat_map(|r| merge::leaf_paths(&r.text))
            .collect();
        let gone: Vec<String> = written
            .iter()
            .filter(|(f, path)| {
                *f == doc.file
                    && on_disk(doc.doc.as_table(), path)
                    && !new.iter().any(|n| n.starts_with(path))
            })
            .map(|(_, path)| format!("`{}`", printable(&path.join("."))))
            .collect();
        if !gone.is_empty() {
            lines.push(format!(
                "{}: {} (codexgen wrote them; the imported catalog does not) are removed",
                doc.file,
                gone.join(", ")
            ));
        }
    }
    lines
}

/// Whether `root` holds a value at `path`.
fn on_disk(root: &toml_edit::Table, path: &[String]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut table: &dyn TableLike = root;
    for key in parents {
        match table.get(key).and_then(Item::as_table_like) {
            Some(t) => table = t,
            None => return false,
        }
    }
    table.get(last).is_some_and(|i| !i.is_none())
}

/// `--output` must not replace a file unless `--force`, and must not be in
/// the Codex home, which import never writes into.
fn refuse_output(output: &Path, home: &Path, force: bool) -> Result<(), Error> {
    // The nearest folder of it that exists (the write creates the rest).
    let parent = output
        .ancestors()
        .skip(1)
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find_map(|p| p.canonicalize().ok());
    if let (Some(a), Ok(b)) = (parent, home.canonicalize())
        && a.starts_with(&b)
    {
        return Err(Error::with_help(
            format!(
                "--output {} is inside the Codex home, which import never writes into",
                output.display()
            ),
            "write the catalog elsewhere, e.g. --output ~/.config/codexgen/providers.yaml",
        ));
    }
    if !force && std::fs::symlink_metadata(output).is_ok() {
        return Err(Error::with_help(
            format!("{} already exists", output.display()),
            "pass --force to replace it, or choose another --output",
        ));
    }
    // `--force` replaces a link's file only by the rule for links (see `write`).
    write::target(output).map_err(Error::write(format!(
        "write the catalog to {}",
        output.display()
    )))?;
    Ok(())
}

/// The profile files in the home, by name (the profile-name rule is `home`'s).
fn profile_files_in(home: &Path) -> Result<Vec<CodexFile>, Error> {
    let entries = match fs_err::read_dir(home) {
        Ok(entries) => entries,
        Err(source) => {
            return Err(Error::Read {
                path: home.display().to_string(),
                source,
            });
        }
    };
    let mut files: Vec<CodexFile> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(CodexFile::from_file_name))
        .filter(|f| *f != CodexFile::Config)
        .collect();
    files.sort();
    Ok(files)
}

/// One Codex file, parsed with its positions.
struct Parsed<'t> {
    file: CodexFile,
    /// The path as shown in messages.
    label: String,
    text: &'t str,
    /// Where `doc`'s text starts in `text` (after a byte-order mark).
    offset: usize,
    doc: Document<&'t str>,
}

impl<'t> Parsed<'t> {
    fn new(file: CodexFile, path: &Path, text: &'t str) -> Result<Self, Error> {
        let label = path.display().to_string();
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let offset = text.len() - body.len();
        let doc = Document::parse(body).map_err(|err| {
            let span = err.span().unwrap_or(0..0);
            let snippet = Snippet::at_offset(&label, text, offset + span.start, span.len());
            Error::Merge(MergeError::Unparsable(
                Problem::new(format!(
                    "{label} is not valid TOML, so codexgen cannot import it"
                ))
                .at(snippet)
                .label(err.message().to_owned())
                .help(format!("fix {label} by hand, then import again")),
            ))
        })?;
        Ok(Parsed {
            file,
            label,
            text,
            offset,
            doc,
        })
    }

    /// A string value, refusing what the catalog refuses anyway (control
    /// characters) with the file, line and key. `None`: not a string.
    fn string(&self, item: &Item, path: &str) -> Result<Option<String>, Error> {
        let Some(s) = item.as_str() else {
            return Ok(None);
        };
        self.printable(s, item.span(), path)?;
        Ok(Some(s.to_owned()))
    }

    /// Prose (`developer_instructions`): a string whose lines and tabs are
    /// its own, as the catalog takes it; any other control character stops
    /// the import as in [`Self::string`].
    fn prose(&self, item: &Item, path: &str) -> Result<Option<String>, Error> {
        let Some(s) = item.as_str() else {
            return Ok(None);
        };
        let rest: String = s.chars().filter(|c| !matches!(c, '\n' | '\t')).collect();
        self.printable(&rest, item.span(), path)?;
        Ok(Some(s.to_owned()))
    }

    fn printable(
        &self,
        s: &str,
        span: Option<std::ops::Range<usize>>,
        path: &str,
    ) -> Result<(), Error> {
        let Some(c) = s.chars().find(|&c| is_unprintable(c)) else {
            return Ok(());
        };
        let mut problem = Problem::new(format!(
            "{}: `{}` holds the control character {}, which a catalog cannot hold",
            self.file,
            printable(path),
            c.escape_unicode()
        ));
        if let Some(span) = span {
            problem = problem.at(Snippet::at_offset(
                &self.label,
                self.text,
                self.offset + span.start,
                span.len(),
            ));
        }
        Err(Error::Located(problem.help(format!(
            "remove it from {} (catalog values are single lines of visible text), then import again",
            self.label
        ))))
    }

    /// A map of strings (an inline table or a table); `None` when some
    /// value is not a string.
    fn pairs(&self, item: &Item, path: &str) -> Result<Option<Vec<(String, String)>>, Error> {
        let Some(table) = item.as_table_like() else {
            return Ok(None);
        };
        let mut pairs = Vec::new();
        for (key, value) in table.iter() {
            let at = format!("{path}.{key}");
            self.printable(key, value.span(), &at)?;
            match self.string(value, &at)? {
                Some(v) => pairs.push((key.to_owned(), v)),
                None => return Ok(None),
            }
        }
        Ok(Some(pairs))
    }

    /// A map of names to switches (`[features]`); `None` when some value
    /// is not true or false.
    fn switches(&self, item: &Item, path: &str) -> Result<Option<Vec<(String, bool)>>, Error> {
        let Some(table) = item.as_table_like() else {
            return Ok(None);
        };
        let mut switches = Vec::new();
        for (key, value) in table.iter() {
            self.printable(key, value.span(), &format!("{path}.{key}"))?;
            match value.as_bool() {
                Some(b) => switches.push((key.to_owned(), b)),
                None => return Ok(None),
            }
        }
        Ok(Some(switches))
    }

    /// A list of strings; `None` when it is no list or some item is not a
    /// string.
    fn list(&self, item: &Item, path: &str) -> Result<Option<Vec<String>>, Error> {
        let Some(items) = item.as_array() else {
            return Ok(None);
        };
        let mut list = Vec::new();
        for value in items {
            let Some(s) = value.as_str() else {
                return Ok(None);
            };
            self.printable(s, value.span(), path)?;
            list.push(s.to_owned());
        }
        Ok(Some(list))
    }
}

/// A catalog key's value read from Codex TOML: a plain value, or a table of
/// the key's own keys (`auth`, `aws`, `capabilities`).
#[derive(Debug, Clone)]
enum Val {
    Plain(Plain),
    Table(Values),
}

/// Keys of one catalog map with their values, each key an entry of its
/// table in `catalog::keys`.
type Values = Vec<(&'static KeyDoc, Val)>;

/// `values` as the catalog's mapping, in the order of the key table
/// `table` (the order the templates write).
fn mapping(table: &'static [KeyDoc], values: &Values) -> Mapping {
    let mut sorted: Vec<&(&KeyDoc, Val)> = values.iter().collect();
    sorted.sort_by_key(|(k, _)| table.iter().position(|t| t.name == k.name));
    let mut m = Mapping::default();
    for (doc, value) in sorted {
        match (value, doc.kind) {
            (Val::Plain(p), _) => m.plain(doc.name, p),
            (Val::Table(inner), Kind::Table(_, keys)) => m.mapping(doc.name, mapping(keys, inner)),
            (Val::Table(inner), _) => m.mapping(doc.name, mapping(&[], inner)),
        };
    }
    m
}

/// Whether two values read from Codex files are the same.
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Plain(a), Val::Plain(b)) => a == b,
        (Val::Table(a), Val::Table(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| get(b, k.name).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

/// The value of key `name` in `values`.
fn get<'v>(values: &'v Values, name: &str) -> Option<&'v Val> {
    values.iter().find(|(k, _)| k.name == name).map(|(_, v)| v)
}

/// Sets key `name` of `table` (an entry of it) in `values`.
fn set(values: &mut Values, table: &'static [KeyDoc], name: &str, value: Val) {
    match values.iter_mut().find(|(k, _)| k.name == name) {
        Some((_, slot)) => *slot = value,
        None => {
            if let Some(doc) = keys::find(table, name) {
                values.push((doc, value));
            }
        }
    }
}

/// Removes key `name` from `values`, returning its value.
fn take(values: &mut Values, name: &str) -> Option<Val> {
    let at = values.iter().position(|(k, _)| k.name == name)?;
    Some(values.remove(at).1)
}

/// A provider as the catalog will hold it.
#[derive(Debug)]
struct Provider {
    id: String,
    /// Its keys, each an entry of `keys::PROVIDER`.
    values: Values,
    /// Whether the table holds a literal credential key
    /// (`experimental_bearer_token`; never its value).
    token: bool,
}

impl Provider {
    fn text(&self, name: &str) -> Option<&str> {
        match get(&self.values, name) {
            Some(Val::Plain(Plain::Text(s))) => Some(s),
            _ => None,
        }
    }

    fn pairs(&self, name: &str) -> Option<&Vec<(String, String)>> {
        match get(&self.values, name) {
            Some(Val::Plain(Plain::Pairs(p))) => Some(p),
            _ => None,
        }
    }

    /// The map `name`, created empty if it is not set.
    fn pairs_mut(&mut self, name: &str) -> Option<&mut Vec<(String, String)>> {
        if get(&self.values, name).is_none() {
            set(
                &mut self.values,
                keys::PROVIDER,
                name,
                Val::Plain(Plain::Pairs(Vec::new())),
            );
        }
        self.values.iter_mut().find_map(|(k, v)| match v {
            Val::Plain(Plain::Pairs(p)) if k.name == name => Some(p),
            _ => None,
        })
    }

    fn set_text(&mut self, name: &str, text: &str) {
        set(
            &mut self.values,
            keys::PROVIDER,
            name,
            Val::Plain(Plain::Text(text.to_owned())),
        );
    }

    /// The values of the variables this provider names (its key, its
    /// header variables) and Codex's `OPENAI_API_KEY`: wherever one sits
    /// in the table, it is a credential, whatever it looks like.
    fn secret_values(&self) -> secrets::VariableValues {
        let key = self.text("env_key").filter(|v| catalog::is_env_name(v));
        let headers = self
            .pairs("env_http_headers")
            .into_iter()
            .flatten()
            .map(|(_, var)| var.as_str());
        secrets::VariableValues::of(key.into_iter().chain(headers).chain(["OPENAI_API_KEY"]))
    }
}

#[derive(Debug)]
struct Profile {
    name: ProfileName,
    /// Where it came from, for the catalog's comment.
    from: String,
    provider: String,
    model: String,
    /// Codex settings, each an entry of `keys::SETTINGS`.
    settings: Values,
    /// The keys codexgen wrote from this profile's `unchecked`.
    unchecked: Vec<(String, Free)>,
}

/// What import found, and what it tells the user.
struct Import<'t> {
    target: &'t Target,
    /// config.toml's top-level Codex settings that are not the default
    /// profile's: the catalog's `settings:`.
    settings: Values,
    /// config.toml's top-level keys codexgen wrote from `settings.unchecked`.
    unchecked: Vec<(String, Free)>,
    /// Every leaf the home's state records codexgen wrote: file, path.
    written: Vec<(CodexFile, Vec<String>)>,
    providers: Vec<Provider>,
    profiles: Vec<Profile>,
    default: Option<String>,
    /// Per file, the keys left where they are.
    kept: Vec<(CodexFile, Vec<String>)>,
    /// Literal credentials found, and what replaces them (no values).
    credentials: Vec<Credential>,
    /// What `gen` will change once this catalog is used.
    changes: Vec<String>,
    warnings: Vec<String>,
    /// `[mcp_servers.ID]` tables, as the catalog will hold them.
    mcp_servers: Vec<mcp::Server>,
    /// Literal secrets of MCP servers, and the variables that replace them.
    mcp_credentials: Vec<mcp::Credential>,
}

/// The catalog's entry for a Codex profile key (besides `model` and
/// `model_provider`, which are the profile's `model` and `provider`), from
/// the catalog's key table.
fn profile_key(key: &str) -> Option<&'static KeyDoc> {
    keys::find(keys::SETTINGS, key)
}

/// Reads `item` as a value of key `doc` by its kind, or says why it is kept
/// in the file instead (the catalog would refuse it, or has no place for
/// it). What the loader checks later (a URL, a variable name) is read as
/// text.
fn read_value(
    parsed: &Parsed<'_>,
    target: &Target,
    doc: &KeyDoc,
    item: &Item,
    path: &str,
) -> Result<Result<Val, String>, Error> {
    let plain = |p| Ok(Ok(Val::Plain(p)));
    match doc.kind {
        Kind::Text
        | Kind::Url
        | Kind::AbsolutePath
        | Kind::EnvName
        | Kind::ProviderRef
        | Kind::ProfileRef
        | Kind::VersionReq => {
            let text = if doc.prose {
                parsed.prose(item, path)?
            } else {
                parsed.string(item, path)?
            };
            match text {
                Some(s) => plain(Plain::Text(s)),
                None => Ok(Err("not a string".to_owned())),
            }
        }
        Kind::Choice(values) => {
            // Choices whose values depend on the target.
            let allowed = doc.choices(target.version);
            debug_assert!(allowed.iter().all(|v| values.contains(v)));
            Ok(match parsed.string(item, path)? {
                Some(s) if allowed.contains(&s.as_str()) => Ok(Val::Plain(Plain::Text(s))),
                Some(s) => Err(format!(
                    "\"{}\" is not a value codexgen accepts for Codex {}",
                    printable(&s),
                    target.version
                )),
                None => Err("not a string".to_owned()),
            })
        }
        Kind::Count { min, max } => Ok(match item.as_integer() {
            Some(n) if (min..=max).contains(&n) => Ok(Val::Plain(Plain::Int(n))),
            Some(n) => Err(format!(
                "{n} is not a value codexgen accepts ({min} to {max})"
            )),
            None => Err("not a whole number".to_owned()),
        }),
        Kind::Bool => match item.as_bool() {
            Some(b) => plain(Plain::Bool(b)),
            None => Ok(Err("not true or false".to_owned())),
        },
        Kind::TextMap | Kind::EnvMap => match parsed.pairs(item, path)? {
            Some(pairs) => plain(Plain::Pairs(pairs)),
            None => Ok(Err("not a map of strings".to_owned())),
        },
        Kind::BoolMap => match parsed.switches(item, path)? {
            Some(switches) => plain(Plain::Switches(switches)),
            None => Ok(Err("not a map of true or false".to_owned())),
        },
        Kind::TextList | Kind::EnvList => match parsed.list(item, path)? {
            Some(items) => plain(Plain::List(items)),
            None => Ok(Err("not a list of strings".to_owned())),
        },
        Kind::Table(_, table) => read_table(parsed, target, table, item, path, &|_| None),
        Kind::Refused => Ok(Err("Codex does not read it".to_owned())),
        Kind::Seconds => Ok(match item.as_value() {
            #[allow(clippy::cast_precision_loss)]
            Some(toml_edit::Value::Integer(n))
                if (0.0..=keys::MAX_SECONDS).contains(&(*n.value() as f64)) =>
            {
                Ok(Val::Plain(Plain::Seconds(*n.value() as f64)))
            }
            Some(toml_edit::Value::Float(x)) if (0.0..=keys::MAX_SECONDS).contains(x.value()) => {
                Ok(Val::Plain(Plain::Seconds(*x.value())))
            }
            _ => Err(format!(
                "not a number of seconds from 0 to {}",
                keys::MAX_SECONDS
            )),
        }),
        // `unchecked`: keys codexgen does not know are the user's to name in
        // the catalog, import never guesses one is meant.
        Kind::IntOf(_) | Kind::Providers | Kind::Profiles | Kind::MapOf(..) | Kind::Unchecked => {
            Ok(Err("no catalog key".to_owned()))
        }
    }
}

/// Reads a TOML table as the keys of `table`, all or nothing: the first
/// key that is not imported (no catalog key, one `refuse` names a reason
/// for, a value the catalog refuses) says why the whole table is kept.
fn read_table(
    parsed: &Parsed<'_>,
    target: &Target,
    table: &'static [KeyDoc],
    item: &Item,
    path: &str,
    refuse: &dyn Fn(&str) -> Option<String>,
) -> Result<Result<Val, String>, Error> {
    let Some(toml) = item.as_table_like() else {
        return Ok(Err("not a table".to_owned()));
    };
    let mut values = Values::new();
    for (key, item) in toml.iter() {
        let at = format!("{path}.{key}");
        parsed.printable(key, item.span(), &at)?;
        let Some(doc) = keys::find(table, key) else {
            return Ok(Err(format!("`{}`: no catalog key", printable(key))));
        };
        if let Some(why) = refuse(key) {
            return Ok(Err(format!("`{}`: {why}", printable(key))));
        }
        match read_value(parsed, target, doc, item, &at)? {
            Ok(value) => values.push((doc, value)),
            Err(why) => return Ok(Err(format!("`{}`: {why}", printable(key)))),
        }
    }
    Ok(Ok(Val::Table(values)))
}

impl<'t> Import<'t> {
    fn new(target: &'t Target, written: Vec<(CodexFile, Vec<String>)>) -> Self {
        Import {
            target,
            settings: Vec::new(),
            unchecked: Vec::new(),
            written,
            providers: Vec::new(),
            profiles: Vec::new(),
            default: None,
            kept: Vec::new(),
            credentials: Vec::new(),
            changes: Vec::new(),
            warnings: Vec::new(),
            mcp_servers: Vec::new(),
            mcp_credentials: Vec::new(),
        }
    }

    fn keep(&mut self, file: &CodexFile, what: String) {
        match self.kept.iter_mut().find(|(f, _)| f == file) {
            Some((_, list)) => list.push(what),
            None => self.kept.push((file.clone(), vec![what])),
        }
    }

    fn read(&mut self, config: &Parsed<'_>, files: &[Parsed<'_>]) -> Result<(), Error> {
        let root = config.doc.as_table();
        let cfg = &config.file;
        let top_model = match root.get("model") {
            Some(item) => config.string(item, "model")?,
            None => None,
        };
        let top_provider = match root.get("model_provider") {
            Some(item) => config.string(item, "model_provider")?,
            None => None,
        };
        // Codex's own default-profile key (`profile = "NAME"`), read
        // before profile files: the profile plain `codex` runs.
        let selector = root
            .get("profile")
            .and_then(Item::as_str)
            .map(str::to_owned);
        for (key, item) in root {
            match key {
                "model" | "model_provider" if item.is_str() => {}
                // Said with the default (`choose_default`); on a Codex that
                // reads profile files, gen removes it.
                "profile"
                    if item.is_str() && self.target.profile_layout() == ProfileLayout::Files => {}
                "model_providers" | "profiles" | "mcp_servers" if item.is_table_like() => {}
                _ if keys::find(keys::SETTINGS, key).is_some() => {
                    self.top_level_setting(config, key, item)?;
                }
                _ => {
                    if let Some(value) = self.written_unchecked(config, &[key.to_owned()], item)? {
                        self.unchecked.push((key.to_owned(), value));
                    } else if item.is_table_like() && !item.is_inline_table() {
                        self.keep(
                            cfg,
                            format!("[{}]", toml_edit::Key::new(key).display_repr()),
                        );
                    } else {
                        self.keep(cfg, toml_edit::Key::new(key).display_repr().into_owned());
                    }
                }
            }
        }
        if let Some(table) = root.get("model_providers").and_then(Item::as_table_like) {
            for (id, item) in table.iter() {
                self.provider(config, id, item)?;
            }
        }
        self.credential_variables();
        if let Some(table) = root.get("mcp_servers").and_then(Item::as_table_like) {
            for (id, item) in table.iter() {
                self.mcp_server(config, id, item)?;
            }
        }
        let inherited = (top_model.as_deref(), top_provider.as_deref());
        self.profiles_in(config, files, inherited)?;
        self.choose_default(top_model, top_provider, selector.as_deref())?;
        self.settle_top_level();
        Ok(())
    }

    /// A top-level key of config.toml that is a Codex setting of the key
    /// table: read into `settings` (by its kind, as a profile's are), or
    /// kept with the reason.
    fn top_level_setting(
        &mut self,
        config: &Parsed<'_>,
        key: &str,
        item: &Item,
    ) -> Result<(), Error> {
        let Some(doc) = keys::find(keys::SETTINGS, key) else {
            return Ok(());
        };
        let shown = toml_edit::Key::new(key).display_repr().into_owned();
        let why = match self.unread(doc.since) {
            Some(why) => Some(why),
            None => match read_value(config, self.target, doc, item, key)? {
                Ok(value) => {
                    self.settings.push((doc, value));
                    None
                }
                Err(why) => Some(why),
            },
        };
        if let Some(why) = why {
            let what = if item.is_table() {
                format!("[{shown}]")
            } else {
                shown
            };
            self.keep(&config.file, format!("{what} ({why})"));
        }
        Ok(())
    }

    /// gen writes the default profile's settings at config.toml's top level
    /// (plain `codex` runs as `codex -p DEFAULT`): a top-level value the
    /// default profile holds too is the default's, not a team setting; one
    /// the default sets otherwise, or config.toml lacks, is said as a change.
    fn settle_top_level(&mut self) {
        let Some(default) = self
            .default
            .as_deref()
            .and_then(|d| self.profiles.iter().find(|p| p.name.as_str() == d))
        else {
            return;
        };
        // The default's settings config.toml does not hold as they are.
        let changed: Vec<String> = default
            .settings
            .iter()
            .filter(|(doc, v)| get(&self.settings, doc.name).is_none_or(|top| !same(v, top)))
            .map(|(doc, _)| format!("`{}`", doc.name))
            .collect();
        self.settings
            .retain(|(doc, top)| get(&default.settings, doc.name).is_none_or(|v| !same(v, top)));
        // An unchecked key the default writes there too is the default's.
        self.unchecked
            .retain(|entry| !default.unchecked.contains(entry));
        if !changed.is_empty() {
            let name = default.name.to_string();
            self.changes.push(format!(
                "config.toml: the default profile `{name}`'s {} are written at the top level too (plain `codex` runs as `codex -p {name}`)",
                changed.join(", ")
            ));
        }
    }

    /// Imports every profile: legacy tables and profile files, the layout
    /// the target reads first, so that a name in both is taken from the one
    /// Codex reads; says when `gen` moves them to the target's layout.
    fn profiles_in(
        &mut self,
        config: &Parsed<'_>,
        files: &[Parsed<'_>],
        inherited: (Option<&str>, Option<&str>),
    ) -> Result<(), Error> {
        let root = config.doc.as_table();
        let cfg = &config.file;
        // Profiles in the layout the target reads first, so that a name in
        // both layouts is taken from the one Codex reads.
        let mut legacy = Vec::new();
        if let Some(table) = root.get("profiles").and_then(Item::as_table_like) {
            for (name, item) in table.iter() {
                legacy.push((name, item));
            }
        }
        let files_first = self.target.profile_layout() == ProfileLayout::Files;
        let mut seen: HashSet<String> = HashSet::new();
        // Each imported name's file identity (`home::file_identity`): the
        // catalog refuses two that differ only in case.
        let mut files_of: HashMap<String, ProfileName> = HashMap::new();
        let mut from_tables = Vec::new();
        let mut from_files = Vec::new();
        for pass in [files_first, !files_first] {
            if pass {
                for parsed in files {
                    let Some(name) = parsed.file.profile().cloned() else {
                        continue;
                    };
                    if !seen.insert(name.to_string()) {
                        self.keep(
                            &parsed.file,
                            format!("the whole file ([profiles.{name}] in config.toml is the one this Codex reads)"),
                        );
                        continue;
                    }
                    if let Some(why) = refused_name(&name, &mut files_of) {
                        self.keep(&parsed.file, format!("the whole file (its name {why})"));
                        continue;
                    }
                    let from = parsed.file.to_string();
                    if self.profile(parsed, &name, parsed.doc.as_table(), &from, &[], inherited)? {
                        from_files.push(name);
                    }
                }
            } else {
                for (name, item) in &legacy {
                    let path = format!("profiles.{}", toml_edit::Key::new(*name).display_repr());
                    let Some(profile_name) = ProfileName::new(name) else {
                        self.keep(
                            cfg,
                            format!("[{path}] (its name {})", NameFault::Characters.reason()),
                        );
                        continue;
                    };
                    let Some(table) = item.as_table_like() else {
                        self.keep(cfg, format!("{path} (not a table)"));
                        continue;
                    };
                    if !seen.insert(profile_name.to_string()) {
                        self.keep(
                            cfg,
                            format!(
                                "[{path}] ({profile_name}.config.toml is the one this Codex reads)"
                            ),
                        );
                        self.changes.push(format!(
                            "config.toml: [{path}] is removed (Codex {} refuses `codex -p {profile_name}` while it is there; keys the catalog does not have move into {profile_name}.config.toml)",
                            self.target.version
                        ));
                        continue;
                    }
                    if let Some(why) = refused_name(&profile_name, &mut files_of) {
                        self.keep(cfg, format!("[{path}] (its name {why})"));
                        continue;
                    }
                    let from = format!("config.toml [{path}]");
                    let prefix = [path.as_str()];
                    if self.profile(config, &profile_name, table, &from, &prefix, inherited)? {
                        from_tables.push(profile_name);
                    }
                }
            }
        }
        let version = self.target.version;
        match self.target.profile_layout() {
            ProfileLayout::Files => {
                for name in &from_tables {
                    self.changes.push(format!(
                        "config.toml: [profiles.{name}] moves to {name}.config.toml, which is created (Codex {version} reads profile files)"
                    ));
                }
            }
            ProfileLayout::Tables => {
                for name in &from_files {
                    self.changes.push(format!(
                        "config.toml: [profiles.{name}] is added (Codex {version} reads no profile files; {name}.config.toml is left alone)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn provider(&mut self, config: &Parsed<'_>, id: &str, item: &Item) -> Result<(), Error> {
        let cfg = &config.file;
        let shown = toml_edit::Key::new(id).display_repr().into_owned();
        let path = format!("model_providers.{shown}");
        if self.target.changes_builtin(id) {
            return self.builtin_table(config, id, &path, item);
        }
        if self.target.is_builtin(id) {
            let effect = self.target.redefined_builtin(id).unwrap_or("ignores it");
            self.keep(
                cfg,
                format!(
                    "[{path}] (a built-in id: Codex {} {effect})",
                    self.target.version
                ),
            );
            return Ok(());
        }
        if let Some(fault) = home::id_fault(id) {
            self.keep(cfg, format!("[{path}] (its id {})", fault.reason()));
            return Ok(());
        }
        let Some(table) = item.as_table_like() else {
            self.keep(cfg, format!("{path} (not a table)"));
            return Ok(());
        };
        let mut p = Provider {
            id: id.to_owned(),
            values: Values::new(),
            token: false,
        };
        for (key, value) in table.iter() {
            let at = format!("{path}.{key}");
            let why = match keys::find(keys::PROVIDER, key) {
                None => Some("no catalog key".to_owned()),
                // A literal credential (`experimental_bearer_token`):
                // never copied, replaced by a variable below.
                Some(doc) if doc.secret == Secret::Literal => {
                    p.token = true;
                    None
                }
                Some(doc) if doc.builtin_only => Some(
                    "Codex reads it only in a table for one of its built-in providers".to_owned(),
                ),
                Some(doc) => match self.unread(doc.since) {
                    Some(why) => Some(why),
                    None => match read_value(config, self.target, doc, value, &at)? {
                        Ok(v) => {
                            p.values.push((doc, v));
                            None
                        }
                        Err(why) => Some(why),
                    },
                },
            };
            if let Some(why) = why {
                self.keep(cfg, format!("{path}.{} ({why})", printable(key)));
            }
        }
        let own = p.secret_values();
        self.credentials_in(cfg, &mut p, &path, &own);
        if let Some(params) = p.pairs("query_params")
            && params.iter().any(|(k, v)| {
                secrets::is_credential_name(k)
                    || secrets::contains_credential(v)
                    || own.found_in(v).is_some()
            })
        {
            take(&mut p.values, "query_params");
            self.keep(
                cfg,
                format!("{path}.query_params (holds what looks like a credential)"),
            );
            self.warnings.push(format!(
                "{cfg}: `{path}.query_params` holds what looks like a credential; Codex has no variable form for query parameters, so it stays in {cfg}, unmanaged"
            ));
        }
        if p.text("name").is_none() {
            self.changes.push(format!(
                "config.toml: `{path}.name` = \"{id}\" is added (Codex refuses a provider without a name)"
            ));
        }
        if p.text("wire_api").is_none() {
            let default = if self.target.accepts_wire_api("chat") {
                "chat"
            } else {
                "responses"
            };
            p.set_text("wire_api", default);
            self.changes.push(format!(
                "config.toml: `{path}.wire_api` = \"{default}\" is added (what Codex {} uses when it is missing; codexgen always writes it)",
                self.target.version
            ));
        }
        self.providers.push(p);
        Ok(())
    }

    /// A table for one of Codex's built-ins that let a table change a few
    /// keys (Amazon Bedrock's, Google Cloud's): imported when every key in
    /// it is one this Codex lets such a table change
    /// (`keys::changeable`, `aws.profile` for a key of `aws`) and
    /// holds no literal credential; else kept whole, as it is (Codex
    /// refuses a table with any other key, so half of it is no table).
    fn builtin_table(
        &mut self,
        config: &Parsed<'_>,
        id: &str,
        path: &str,
        item: &Item,
    ) -> Result<(), Error> {
        let allowed = Changeable::of(self.target, id)
            .map(|which| keys::changeable(which, self.target.version).0)
            .unwrap_or_default();
        let takes = |key: &str| {
            allowed
                .iter()
                .any(|a| *a == key || a.split_once('.').is_some_and(|(t, _)| t == key))
        };
        let only = format!(
            "Codex {} lets this table change only {}",
            self.target.version,
            allowed.join(", ")
        );
        let refuse = |key: &str| (!takes(key)).then(|| only.clone());
        let mut read = read_table(config, self.target, keys::PROVIDER, item, path, &refuse)?;
        // Within a table of its own (`aws`), only the keys listed for it.
        if let Ok(Val::Table(values)) = &read {
            for (doc, value) in values {
                let Val::Table(inner) = value else { continue };
                let listed = |sub: &str| allowed.contains(&format!("{}.{sub}", doc.name));
                if allowed
                    .iter()
                    .any(|a| a.starts_with(&format!("{}.", doc.name)))
                    && let Some((sub, _)) = inner.iter().find(|(sub, _)| !listed(sub.name))
                {
                    read = Err(format!("`{}.{}`: {only}", doc.name, sub.name));
                    break;
                }
            }
        }
        if let Ok(Val::Table(values)) = &read
            && let Some(Val::Plain(Plain::Pairs(headers))) = get(values, "http_headers")
            && headers.iter().any(|(k, v)| is_credential_header(k, v))
        {
            read = Err("`http_headers` holds a literal credential".to_owned());
        }
        let which = if self.target.is_gcp(id) {
            "Google Cloud"
        } else {
            "Amazon Bedrock"
        };
        match read {
            Ok(Val::Table(values)) => self.providers.push(Provider {
                id: id.to_owned(),
                values,
                token: false,
            }),
            Ok(Val::Plain(_)) | Err(_) => {
                let why = read.err().unwrap_or_default();
                self.keep(
                    &config.file,
                    format!(
                        "[{path}] (Codex's built-in {which} provider, as you set it up; {why})"
                    ),
                );
            }
        }
        Ok(())
    }

    /// Replaces the provider's literal credentials (a bearer token, a
    /// credential header) with variable references, never copying them.
    fn credentials_in(
        &mut self,
        cfg: &CodexFile,
        p: &mut Provider,
        path: &str,
        own: &secrets::VariableValues,
    ) {
        // A header holding the value of a variable the provider names is
        // a credential however it is called.
        let credential_header = |name: &str, value: &str| {
            is_credential_header(name, value) || own.found_in(value).is_some()
        };
        // Credentials: never copied, replaced by a variable reference.
        let mut sources = Vec::new();
        // An `env_key` that is no variable name is what Codex would look up
        // as one and fail on: most likely the key itself, pasted there.
        if p.text("env_key").is_some_and(|v| !catalog::is_env_name(v)) {
            take(&mut p.values, "env_key");
            sources.push(("`env_key` (a value, not a variable name)".to_owned(), None));
        }
        if p.token {
            sources.push(("`experimental_bearer_token`".to_owned(), None));
        }
        if let Some(headers) = p.pairs("http_headers")
            && headers.iter().any(|(k, v)| credential_header(k, v))
        {
            let headers = match take(&mut p.values, "http_headers") {
                Some(Val::Plain(Plain::Pairs(headers))) => headers,
                _ => Vec::new(),
            };
            self.keep(
                cfg,
                format!("{path}.http_headers (holds a literal credential)"),
            );
            for (name, value) in headers {
                if !credential_header(&name, &value) {
                    continue;
                }
                let is_bearer = name.eq_ignore_ascii_case("authorization")
                    && value
                        .get(..7)
                        .is_some_and(|b| b.eq_ignore_ascii_case("bearer "));
                let what = format!("the `{}` header in `http_headers`", printable(&name));
                sources.push((what, (!is_bearer).then_some(name)));
            }
        }
        let had_env_key = p.text("env_key").map(str::to_owned);
        for (source, header) in sources {
            let via = match header {
                None => {
                    if had_env_key.is_none() && p.text("env_key").is_none() {
                        p.set_text("env_key", PENDING);
                    }
                    match &had_env_key {
                        Some(var) => Via::Existing(var.clone()),
                        None => Via::EnvKey,
                    }
                }
                Some(header) => {
                    let Some(headers) = p.pairs_mut("env_http_headers") else {
                        continue;
                    };
                    // Header names are case-insensitive: one already sent
                    // from a variable keeps it (a second could not be held).
                    match headers
                        .iter()
                        .find(|(h, _)| h.eq_ignore_ascii_case(&header))
                    {
                        Some((h, var)) if var != PENDING => {
                            Via::ExistingHeader(h.clone(), var.clone())
                        }
                        Some(_) => continue,
                        None => {
                            headers.push((header.clone(), PENDING.to_owned()));
                            Via::Header(header)
                        }
                    }
                }
            };
            self.credentials.push(Credential {
                provider: p.id.clone(),
                source,
                via,
                var: String::new(),
            });
        }
    }

    /// Gives each credential's placeholder variable its name: `<ID>_API_KEY`
    /// for `env_key`, `<ID>_<HEADER>` for a header, upper-case, not colliding
    /// with any variable the catalog names; and says what `gen` then adds.
    fn credential_variables(&mut self) {
        let mut taken: HashSet<String> = self
            .providers
            .iter()
            .flat_map(|p| {
                p.text("env_key")
                    .into_iter()
                    .chain(
                        p.pairs("env_http_headers")
                            .into_iter()
                            .flatten()
                            .map(|(_, v)| v.as_str()),
                    )
                    .filter(|v| *v != PENDING)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        for p in &mut self.providers {
            let base = env_prefix(&p.id);
            let path = format!("model_providers.{}", p.id);
            if p.text("env_key") == Some(PENDING) {
                let key = unique(&format!("{base}_API_KEY"), &mut taken);
                p.set_text("env_key", &key);
                self.changes.push(format!(
                    "config.toml: `{path}.env_key` = \"{key}\" is added (in place of the literal token)"
                ));
                for c in &mut self.credentials {
                    if c.provider == p.id && matches!(c.via, Via::EnvKey) {
                        c.var.clone_from(&key);
                    }
                }
            }
            let id = p.id.clone();
            let headers = match get(&p.values, "env_http_headers") {
                Some(_) => p.pairs_mut("env_http_headers"),
                None => None,
            };
            for (header, var) in headers.into_iter().flatten() {
                if var != PENDING {
                    continue;
                }
                *var = unique(&format!("{base}_{}", header_var_suffix(header)), &mut taken);
                self.changes.push(format!(
                    "config.toml: `{path}.env_http_headers` gains {} = \"{var}\" (in place of the literal header)",
                    printable(header)
                ));
                for c in &mut self.credentials {
                    if c.provider == id && matches!(&c.via, Via::Header(h) if h == header) {
                        c.var.clone_from(var);
                    }
                }
            }
        }
        for c in &mut self.credentials {
            if let Via::Existing(var) | Via::ExistingHeader(_, var) = &c.via {
                c.var.clone_from(var);
            }
        }
    }

    /// Imports one profile (a file's top level, or a legacy table); false
    /// when it cannot be (it is then listed).
    #[allow(clippy::too_many_arguments)]
    fn profile(
        &mut self,
        parsed: &Parsed<'_>,
        name: &ProfileName,
        table: &dyn TableLike,
        from: &str,
        prefix: &[&str],
        inherited: (Option<&str>, Option<&str>),
    ) -> Result<bool, Error> {
        let file = &parsed.file;
        let at = |key: &str| {
            prefix
                .iter()
                .copied()
                .chain(std::iter::once(key))
                .collect::<Vec<_>>()
                .join(".")
        };
        let mut model = None;
        let mut provider = None;
        let mut settings = Values::new();
        let mut unchecked = Vec::new();
        for (key, item) in table.iter() {
            let path = at(key);
            let why: Option<String> = match key {
                "model" | "model_provider" => match parsed.string(item, &path)? {
                    Some(s) => {
                        if key == "model" {
                            model = Some(s);
                        } else {
                            provider = Some(s);
                        }
                        None
                    }
                    None => Some("not a string".to_owned()),
                },
                _ => match profile_key(key) {
                    Some(doc) => match self.unread(doc.first_in_profile(self.target.version)) {
                        Some(why) => Some(why),
                        None => match read_value(parsed, self.target, doc, item, &path)? {
                            Ok(value) => {
                                settings.push((doc, value));
                                None
                            }
                            Err(why) => Some(why),
                        },
                    },
                    None if prefix.is_empty() && key == "profile" => {
                        Some("a profile selector".to_owned())
                    }
                    None => {
                        match self.profile_unchecked(parsed, name, !prefix.is_empty(), key, item)? {
                            Some(value) => {
                                unchecked.push((key.to_owned(), value));
                                None
                            }
                            None => Some("no catalog key".to_owned()),
                        }
                    }
                },
            };
            if let Some(why) = why {
                self.keep_profile_key(file, &path, key, item, &why);
            }
        }
        let location = |key: &str| match file {
            CodexFile::Config => format!("config.toml: `{}`", at(key)),
            CodexFile::Profile(_) => format!("{file}: `{key}`"),
        };
        let model = if let Some(m) = model {
            m
        } else if let Some(m) = inherited.0 {
            self.changes.push(format!(
                "{} = \"{}\" is added (the value it inherits from config.toml today)",
                location("model"),
                printable(m)
            ));
            m.to_owned()
        } else {
            self.warnings.push(format!(
                "{from}: profile `{name}` names no model, and config.toml has none to inherit; not imported"
            ));
            return Ok(false);
        };
        let provider = provider.unwrap_or_else(|| {
            let p = inherited.1.unwrap_or(codex::DEFAULT_PROVIDER);
            self.changes.push(format!(
                "{} = \"{}\" is added (the provider it uses today)",
                location("model_provider"),
                printable(p)
            ));
            p.to_owned()
        });
        if !self.knows_provider(&provider) {
            self.warnings.push(format!(
                "{from}: profile `{name}` uses provider `{}`, which is neither defined in config.toml nor built into Codex (Codex refuses it too); not imported",
                printable(&provider)
            ));
            return Ok(false);
        }
        self.profiles.push(Profile {
            name: name.clone(),
            from: from.to_owned(),
            provider,
            model,
            settings,
            unchecked,
        });
        Ok(true)
    }

    /// Lists a profile's key (at `path`) that stays in its file, and `why`.
    fn keep_profile_key(
        &mut self,
        file: &CodexFile,
        path: &str,
        key: &str,
        item: &Item,
        why: &str,
    ) {
        let what = match () {
            // A table of the user's own, e.g. `[profiles.x.mine]`.
            () if item.is_table() && profile_key(key).is_none() => format!("[{}]", printable(path)),
            () if item.is_table() => format!("[{}] ({why})", printable(path)),
            () => format!("{} ({why})", printable(path)),
        };
        self.keep(file, what);
    }

    /// Why a key is kept rather than imported, when the target is older
    /// than `first`, the release that first reads it there (a provider
    /// key's `since`, a profile setting's `KeyDoc::first_in_profile`): gen
    /// would refuse it.
    fn unread(&self, first: Option<codex::Version>) -> Option<String> {
        let version = self.target.version;
        first
            .filter(|first| version < *first)
            .map(|first| format!("Codex {version} does not read it; Codex {first} and newer do"))
    }

    fn knows_provider(&self, id: &str) -> bool {
        self.target.is_builtin(id) || self.providers.iter().any(|p| p.id == id)
    }

    /// The profile config.toml's `profile = "NAME"` selects, as the
    /// default, said with what `gen` does with the line; whether there was
    /// one (a selector naming no imported profile is said, and left to the
    /// top-level pair).
    fn default_from_selector(
        &mut self,
        model: Option<&str>,
        provider: Option<&str>,
        selector: Option<&str>,
    ) -> bool {
        let removed = match self.target.profile_layout() {
            ProfileLayout::Files => format!(
                "; Codex {} refuses that line (every codex command fails with it): `codexgen gen` removes that line",
                self.target.version
            ),
            ProfileLayout::Tables => String::new(),
        };
        if let Some(name) = selector {
            if let Some(p) = self.profiles.iter().find(|p| p.name.as_str() == name) {
                let name = p.name.to_string();
                let same = model == Some(p.model.as_str())
                    && provider.unwrap_or(codex::DEFAULT_PROVIDER) == p.provider;
                let top = if same {
                    String::new()
                } else {
                    " (the top-level `model` and `model_provider` are set from it)".to_owned()
                };
                self.changes.push(format!(
                    "config.toml: `profile = \"{}\"` becomes the catalog's `default: {}`{top}{removed}",
                    printable(&name),
                    printable(&name)
                ));
                self.default = Some(name);
                return true;
            }
            if !removed.is_empty() {
                self.changes.push(format!(
                    "config.toml: `profile = \"{}\"` selects no profile that was imported{removed}",
                    printable(name)
                ));
            }
        }
        false
    }

    /// The default profile: the one config.toml's legacy `profile = "NAME"`
    /// selects (what plain `codex` ran), else the one with config.toml's
    /// top-level model and provider, else a new one made of them.
    fn choose_default(
        &mut self,
        model: Option<String>,
        provider: Option<String>,
        selector: Option<&str>,
    ) -> Result<(), Error> {
        if self.default_from_selector(model.as_deref(), provider.as_deref(), selector) {
            return Ok(());
        }
        let provider = match (&model, provider) {
            (_, Some(p)) => Some(p),
            (Some(_), None) => {
                self.changes.push(format!(
                    "config.toml: `model_provider` = \"{}\" is added (what Codex uses when it is missing)",
                    codex::DEFAULT_PROVIDER
                ));
                Some(codex::DEFAULT_PROVIDER.to_owned())
            }
            (None, None) => None,
        };
        let (Some(model), Some(provider)) = (model, provider.clone()) else {
            // No complete top-level default: the first profile (on the
            // top-level provider, if one is set) becomes it.
            let first = self
                .profiles
                .iter()
                .find(|p| provider.as_deref() == Some(p.provider.as_str()))
                .or_else(|| self.profiles.first());
            let Some(first) = first else {
                return Err(Error::with_help(
                    "nothing to import: config.toml sets no `model` and has no profile codexgen can import",
                    "set `model` (and `model_provider`) in config.toml, or add a profile, then import again",
                ));
            };
            let name = first.name.to_string();
            self.changes.push(format!(
                "config.toml: top-level `model` and `model_provider` are set from profile `{name}` (the catalog's default; config.toml has no complete pair today)"
            ));
            self.default = Some(name);
            return Ok(());
        };
        if !self.knows_provider(&provider) {
            return Err(Error::with_help(
                format!(
                    "config.toml's `model_provider = \"{}\"` is neither defined under [model_providers] nor built into Codex; Codex refuses it too",
                    printable(&provider)
                ),
                "define the provider (or fix the name) in config.toml, then import again",
            ));
        }
        let matching = self
            .profiles
            .iter()
            .filter(|p| p.provider == provider && p.model == model)
            .min_by_key(|p| p.name.as_str() != provider);
        if let Some(p) = matching {
            self.default = Some(p.name.to_string());
            return Ok(());
        }
        let taken = |n: &str| self.profiles.iter().any(|p| p.name.as_str() == n);
        let mut candidates = vec![provider.clone(), "default".to_owned()];
        candidates.extend((2..).take(1000).map(|n| format!("{provider}-{n}")));
        let name = candidates
            .into_iter()
            .filter_map(|c| ProfileName::new(&c))
            .find(|c| !taken(c.as_str()))
            .or_else(|| {
                (2..)
                    .take(10_000)
                    .map(|n| format!("default-{n}"))
                    .find(|c| !taken(c))
                    .and_then(|c| ProfileName::new(&c))
            })
            .ok_or_else(|| Error::message("no free profile name for the default"))?;
        let where_ = match self.target.profile_layout() {
            ProfileLayout::Files => format!("{name}.config.toml is created"),
            ProfileLayout::Tables => format!("config.toml: [profiles.{name}] is added"),
        };
        self.changes.push(format!(
            "{where_} for the default profile `{name}` (config.toml's own model and model_provider, which no profile matched)"
        ));
        self.profiles.push(Profile {
            name: name.clone(),
            from: "config.toml's top-level model and model_provider".to_owned(),
            provider,
            model,
            settings: Vec::new(),
            unchecked: Vec::new(),
        });
        self.default = Some(name.to_string());
        Ok(())
    }

    /// The catalog as YAML, written by the catalog's own writer
    /// (`catalog::Mapping`); each entry's keys in the order of its key table.
    fn to_yaml(&self, version: &str) -> String {
        let mut providers = Mapping::default();
        for p in &self.providers {
            providers
                .comment(&format!("config.toml [model_providers.{}]", p.id))
                .mapping(&p.id, mapping(keys::PROVIDER, &p.values));
        }
        let mut profiles = Mapping::default();
        for p in &self.profiles {
            let mut entry = Mapping::default();
            entry.text("provider", &p.provider).text("model", &p.model);
            let mut settings = mapping(keys::SETTINGS, &p.settings);
            if !p.unchecked.is_empty() {
                settings.mapping(keys::UNCHECKED.name, unchecked::mapping(&p.unchecked));
            }
            entry.append(&mut settings);
            profiles.comment(&p.from).mapping(p.name.as_str(), entry);
        }
        let mut root = Mapping::default();
        root.comment(&format!(
            "Imported by `codexgen import` on {} for Codex {}. Each entry's comment",
            today(),
            self.target.version
        ))
        .comment("names the file it came from. Review, then: codexgen --catalog FILE gen --diff")
        .plain("schema", &Plain::Int(1))
        .text("version", version)
        .text("default", self.default.as_deref().unwrap_or_default());
        if !self.settings.is_empty() || !self.unchecked.is_empty() {
            let mut settings = mapping(keys::SETTINGS, &self.settings);
            if !self.unchecked.is_empty() {
                settings.mapping(keys::UNCHECKED.name, unchecked::mapping(&self.unchecked));
            }
            root.gap()
                .comment("config.toml's top level")
                .mapping("settings", settings);
        }
        root.gap()
            .mapping("providers", providers)
            .gap()
            .mapping("profiles", profiles);
        if !self.mcp_servers.is_empty() {
            root.gap().mapping("mcp_servers", self.mcp_mapping());
        }
        root.to_yaml()
    }

    /// What import tells the user on stderr: what it imported, what stays,
    /// which variables to set, and what `gen` will still change.
    fn report(&self, settings: &Settings, default: Option<&str>) {
        let target = &settings.target;
        let default = default.map_or_else(
            || "no default profile".to_owned(),
            |d| format!("default profile `{d}`"),
        );
        verbosity::info(&format!(
            "{} imported {} provider(s) and {} profile(s) from {} ({default}); Codex {} ({})",
            dim("codexgen:"),
            self.providers.len(),
            self.profiles.len(),
            printable(&settings.codex_home.display().to_string()),
            target.version,
            target.reason
        ));
        if !self.mcp_servers.is_empty() {
            verbosity::info(&format!(
                "{} imported {} MCP server(s)",
                dim("codexgen:"),
                self.mcp_servers.len()
            ));
        }
        for (file, keys) in &self.kept {
            verbosity::info(&format!(
                "kept in {file}, not imported: {}",
                printable(&keys.join(", "))
            ));
        }
        for warning in &self.warnings {
            output::eprintln(Problem::new(printable(warning)).render(Level::Warning));
        }
        for c in &self.credentials {
            let how = match &c.via {
                Via::EnvKey => format!("the catalog names {} in `env_key` instead", c.var),
                Via::Existing(_) => format!("its `env_key` already names {}", c.var),
                Via::ExistingHeader(header, _) => format!(
                    "its `env_http_headers` already sends `{}` from {}",
                    printable(header),
                    c.var
                ),
                Via::Header(header) => format!(
                    "the catalog sends `{}` from {} instead (`env_http_headers`)",
                    printable(header),
                    c.var
                ),
            };
            output::eprintln(format_args!(
                "credential: provider `{}` has a literal credential in {} ({}): {how}; set {} to that value, then remove the literal from {}",
                c.provider,
                c.source,
                CodexFile::Config,
                c.var,
                CodexFile::Config
            ));
        }
        self.report_mcp_credentials();
        if self.changes.is_empty() {
            verbosity::info(
                "`codexgen gen` with this catalog changes no managed value (a file without codexgen's header gets it on the next write)",
            );
        } else {
            verbosity::info("`codexgen gen` with this catalog will change:");
            for change in &self.changes {
                verbosity::info(&format!("  {}", printable(change)));
            }
        }
    }
}

/// A literal credential in a provider, and the variable that replaces it.
struct Credential {
    provider: String,
    /// Where the literal is, e.g. "`experimental_bearer_token`".
    source: String,
    via: Via,
    /// The variable to set (named once every provider is known).
    var: String,
}

enum Via {
    /// A new `env_key`.
    EnvKey,
    /// The provider's own `env_key`, which already names the key.
    Existing(String),
    /// A new `env_http_headers` entry for this header.
    Header(String),
    /// The provider's own `env_http_headers` entry for this header (name,
    /// variable), which already sends it.
    ExistingHeader(String, String),
}

/// Stands for a credential variable until every provider is known and the
/// names can be made unique; never a valid variable name.
const PENDING: &str = "\u{0}pending";

/// Whether a header carries a credential: the catalog refuses it by name
/// (`Authorization`, `api-key`, ...) or by a value that looks like a key.
fn is_credential_header(name: &str, value: &str) -> bool {
    secrets::is_credential_name(name) || secrets::holds_credential(value)
}

/// The upper-case variable-name form of a header name (`api-key`: `API_KEY`).
fn header_var_suffix(header: &str) -> String {
    let s: String = header
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "KEY".to_owned() } else { s }
}

/// A provider id as the start of a variable name (`my-gw`: `MY_GW`).
fn env_prefix(id: &str) -> String {
    let s = header_var_suffix(id);
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

/// `name`, or `name_2`, `name_3`, ... : the first not in `taken` (then taken).
fn unique(name: &str, taken: &mut HashSet<String>) -> String {
    let mut candidate = name.to_owned();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's `civil_from_days`: a day count since 1970-01-01 as a date.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Why the catalog would refuse `name` as a profile name (`home::profile_fault`),
/// or because an earlier imported name differs from it only in case; else
/// `None`, and `name` is taken.
fn refused_name(name: &ProfileName, files_of: &mut HashMap<String, ProfileName>) -> Option<String> {
    if let Some(fault) = home::profile_fault(name.as_str()) {
        return Some(fault.reason().to_owned());
    }
    match files_of.entry(home::file_identity(name)) {
        std::collections::hash_map::Entry::Occupied(earlier) => Some(format!(
            "differs from `{}` only in case: one file on macOS and Windows",
            earlier.get()
        )),
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(name.clone());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TOML value of `kind` that the catalog accepts; `None` for a key
    /// always refused. Exhaustive, so that a new kind needs a sample here.
    fn toml_sample(kind: Kind) -> Option<String> {
        Some(match kind {
            Kind::Text
            | Kind::Url
            | Kind::EnvName
            | Kind::ProviderRef
            | Kind::ProfileRef
            | Kind::VersionReq => "\"x\"".to_owned(),
            Kind::AbsolutePath => "\"/x\"".to_owned(),
            Kind::Choice(values) => format!("\"{}\"", values.last().copied().unwrap_or_default()),
            Kind::Count { min, .. } => min.to_string(),
            Kind::IntOf(values) => values.first().copied().unwrap_or_default().to_string(),
            Kind::Bool => "true".to_owned(),
            Kind::TextMap | Kind::EnvMap => "{ a = \"B\" }".to_owned(),
            Kind::BoolMap => "{ a = true }".to_owned(),
            Kind::TextList | Kind::EnvList => "[\"a\"]".to_owned(),
            Kind::Seconds => "1.5".to_owned(),
            Kind::Table(..) | Kind::Providers | Kind::Profiles | Kind::MapOf(..) => "{}".to_owned(),
            Kind::Refused | Kind::Unchecked => return None,
        })
    }

    /// Import reads every entry of the provider and profile tables and of
    /// every table of their own (`auth`, `aws`, `capabilities`, ...) by its
    /// kind; a refused one it never copies.
    #[test]
    fn every_table_entry_is_read_by_its_kind() {
        let target = Target::at(codex::NEWEST_KNOWN);
        let mut tables: Vec<&'static [KeyDoc]> = vec![keys::PROVIDER, keys::PROFILE];
        let mut read = 0;
        while let Some(table) = tables.pop() {
            for doc in table {
                if let Kind::Table(_, inner) = doc.kind {
                    tables.push(inner);
                }
                let text = match toml_sample(doc.kind) {
                    Some(v) => format!("{} = {v}\n", doc.name),
                    None => format!("{} = \"x\"\n", doc.name),
                };
                let parsed = Parsed::new(CodexFile::Config, Path::new("config.toml"), &text)
                    .expect("a sample parses");
                let item = &parsed.doc.as_table()[doc.name];
                let value = read_value(&parsed, &target, doc, item, doc.name).expect("no error");
                match (doc.kind, value) {
                    // A profile's `mcp_servers` names catalog servers:
                    // not imported yet (kept, with this reason).
                    (Kind::Refused | Kind::MapOf(..), Err(_)) => {}
                    (Kind::Refused, Ok(v)) => {
                        panic!("`{}` is always refused, read as {v:?}", doc.name)
                    }
                    (_, Ok(_)) => read += 1,
                    (_, Err(why)) => panic!("`{}` ({:?}) is not read: {why}", doc.name, doc.kind),
                }
            }
        }
        assert!(read >= 40, "only {read} entries read");
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_789), (2026, 12, 2));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
