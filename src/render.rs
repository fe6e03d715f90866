//! Owns rendering: the tera environment, the embedded templates, and the
//! filters through which every value reaches TOML (`toml`, `toml_key`). Turns
//! a valid [`Catalog`] into the text of each file Codex reads, checked to be
//! TOML. Does not look at what is on disk.
//!
//! Templates: `config.toml.tera` renders config.toml; for Codex 0.134.0 and
//! newer `profile.config.toml.tera` renders one `NAME.config.toml` per
//! profile, and for older Codex `profiles.legacy.toml.tera` renders
//! `[profiles.NAME]` tables appended to config.toml instead. `--templates DIR`
//! replaces any of them with `DIR/<same name>`; the rest stay built in.
//! Every template sees `catalog`, `default` (the default profile; null under
//! `default: ~`, when config.toml gets no top-level model), `top` (the
//! settings written at config.toml's top level: the catalog's `settings`
//! with the default profile's over them, as `top.values` and `top.tables`)
//! and `codex` (`version`, `layout`: "files" or "tables"). A profile's
//! settings are `profile.settings`, split the same way as
//! `profile.values` and `profile.tables`.
//!
//! Bounds: a template is a program, and a hostile one (or a hostile catalog
//! fed to a careless one) can loop without end (`range` nested in `range`),
//! grow a value without output (`replace` or `~` on itself in a loop), or
//! print without end. tera offers no budget of its own (only `range` is
//! capped, at 100,000 items), and static checks cannot catch value growth
//! (four chained `replace` filters make 10^16 bytes), so rendering runs on a
//! worker thread under three limits, checked while it runs: a deadline
//! ([`limits::RENDER`] for all files together), the output of each file
//! ([`input::CODEX_FILE`], the most codexgen would read back) and of all
//! files ([`MAX_TOTAL_OUTPUT`]), and, where the OS tells (Linux), the
//! memory the process gains while rendering ([`MAX_RENDER_MEMORY`]). Past
//! one, rendering stops with an error and nothing is written; a worker that
//! is stuck in a loop without output cannot be stopped from outside, and
//! ends with the process, which exits with that error straight away.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use tera::{Context, Kwargs, State, Tera, Value};

use crate::catalog::Catalog;
use crate::codex::{ProfileLayout, Target};
use crate::diagnostic::{Problem, Snippet};
use crate::home::CodexFile;
use crate::input::{self, ReadError};
use crate::limits;

pub const CONFIG_TEMPLATE: &str = "config.toml.tera";
pub const PROFILE_TEMPLATE: &str = "profile.config.toml.tera";
pub const LEGACY_PROFILES_TEMPLATE: &str = "profiles.legacy.toml.tera";

const BUILT_IN: &[(&str, &str)] = &[
    (
        CONFIG_TEMPLATE,
        include_str!("../templates/config.toml.tera"),
    ),
    (
        PROFILE_TEMPLATE,
        include_str!("../templates/profile.config.toml.tera"),
    ),
    (
        LEGACY_PROFILES_TEMPLATE,
        include_str!("../templates/profiles.legacy.toml.tera"),
    ),
];

/// What all rendered files together may hold (each file: [`input::CODEX_FILE`]).
pub const MAX_TOTAL_OUTPUT: u64 = 64 * 1024 * 1024;

/// How much memory the process may gain while rendering (Linux only).
pub const MAX_RENDER_MEMORY: u64 = 1024 * 1024 * 1024;

/// How often the deadline and memory are checked while rendering.
const WATCH: Duration = Duration::from_millis(10);

/// One file as the catalog wants it, before merging with what is on disk.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub file: CodexFile,
    /// TOML text without the codexgen header.
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot read a template")]
    Read(#[source] ReadError),
    /// tera's own report follows the colon: its message, then the template
    /// line with a caret.
    #[error("template {name} is broken: {message}")]
    Template { name: String, message: String },
    #[error("{0}")]
    InvalidToml(Problem),
    /// Rendering went past one of its bounds and was stopped.
    #[error("template {name} {exceeded}; rendering was stopped")]
    Unbounded { name: String, exceeded: String },
}

impl RenderError {
    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            RenderError::Unbounded { .. } => Some(
                "a template's work must follow the catalog's size: look for loops nested in loops, or values grown in a loop (`replace`, `~`, set_global); nothing was written"
                    .to_owned(),
            ),
            RenderError::Read(e) => e.help(),
            RenderError::Template { .. } | RenderError::InvalidToml(_) => None,
        }
    }
}

/// Whether `path` in config.toml is a leaf a record from a shared folder
/// may name as codexgen's: one a built-in template writes, `model`,
/// `model_provider`, `model_providers.ID.KEY`, `model_providers.ID.auth.KEY`,
/// `model_providers.ID.aws.KEY`, and (Codex before 0.134.0)
/// `profiles.NAME.KEY`, but no MCP server's (see below). Nothing else, and
/// never a whole table.
#[must_use]
pub fn is_built_in_config_leaf(path: &[String]) -> bool {
    match path {
        [key] => key == "model" || key == "model_provider",
        [table, _, _] => table == "model_providers" || table == "profiles",
        [table, _, sub, _] => table == "model_providers" && (sub == "auth" || sub == "aws"),
        // Not `mcp_servers.*`, though the built-in templates write MCP
        // servers: `[mcp_servers]` is where users keep their own servers,
        // and a record from a shared folder must not remove one. A server
        // the catalog drops is removed where this home's own state wrote it.
        _ => false,
    }
}

/// The compiled templates; built once per run.
pub struct Renderer {
    /// Shared with the worker thread that renders.
    tera: Arc<Tera>,
    /// Where each template came from, for error messages.
    origins: Vec<(String, String)>,
    /// Whether any template came from `--templates DIR`.
    custom: bool,
}

impl Renderer {
    /// Every template, for any target.
    pub fn new(dir: Option<&Path>) -> Result<Self, RenderError> {
        Self::compiled(dir, None)
    }

    /// The templates a target with this layout renders: a run renders for
    /// one Codex, and compiling the other layout's built-in template was a
    /// twentieth of a shipped-catalog `gen --check`. With any template from
    /// `dir`, every one is compiled, as [`Renderer::new`] does: one of the
    /// user's may use (`include`) any other, and a broken one is reported
    /// whichever Codex the run is for.
    pub fn for_layout(dir: Option<&Path>, layout: ProfileLayout) -> Result<Self, RenderError> {
        Self::compiled(dir, Some(layout))
    }

    fn compiled(dir: Option<&Path>, layout: Option<ProfileLayout>) -> Result<Self, RenderError> {
        let mut tera = Tera::new();
        tera.set_escape_fn(escape_basic_string);
        tera.autoescape_on([".tera"]);
        tera.register_filter("toml", |v: &Value, _: Kwargs, _: &State| {
            toml_value(v).map(|s| Value::safe_string(&s))
        });
        tera.register_filter("toml_key", |v: &Value, _: Kwargs, _: &State| {
            v.as_str()
                .map(|s| Value::safe_string(&toml_key(s)))
                .ok_or_else(|| {
                    tera::Error::message(format!("toml_key needs a string, got {}", v.name()))
                })
        });
        let mut texts = Vec::new();
        let mut any_custom = false;
        for &(name, built_in) in BUILT_IN {
            // Anything by that name replaces the built-in template; what is
            // not a regular file is refused, not silently passed over.
            let custom = dir.map(|d| d.join(name)).filter(|p| p.exists());
            let (origin, text) = match custom {
                Some(path) => {
                    any_custom = true;
                    let text = input::read(&path, input::TEMPLATE).map_err(RenderError::Read)?;
                    (path.display().to_string(), std::borrow::Cow::Owned(text))
                }
                None => (
                    format!("<built-in {name}>"),
                    std::borrow::Cow::Borrowed(built_in),
                ),
            };
            texts.push((name, origin, text));
        }
        let unused = match layout {
            Some(_) if any_custom => None,
            Some(ProfileLayout::Files) => Some(LEGACY_PROFILES_TEMPLATE),
            Some(ProfileLayout::Tables) => Some(PROFILE_TEMPLATE),
            None => None,
        };
        let mut origins = Vec::new();
        for (name, origin, text) in texts {
            if Some(name) == unused {
                continue;
            }
            tera.add_raw_template(name, &text)
                .map_err(|e| template_error(&origin, &e))?;
            origins.push((name.to_owned(), origin));
        }
        Ok(Renderer {
            tera: Arc::new(tera),
            origins,
            custom: any_custom,
        })
    }

    /// Renders every file the catalog asks for on this Codex target, each
    /// checked to parse as TOML.
    pub fn render(&self, catalog: &Catalog, target: &Target) -> Result<Vec<Rendered>, RenderError> {
        // A validated catalog's default names one of its profiles, or is
        // none (`default: ~`): then templates see `default` as null.
        let catalog = &catalog.as_written(target.version);
        let default = catalog.default.as_deref().and_then(|d| catalog.profile(d));
        let layout = target.profile_layout();
        let mut ctx = Context::new();
        ctx.insert("catalog", catalog);
        ctx.insert("default", &default);
        let top = catalog.top_level();
        ctx.insert("top", &crate::catalog::Split(&top));
        let mut codex = std::collections::BTreeMap::new();
        codex.insert("version", target.version.to_string());
        codex.insert(
            "layout",
            match layout {
                ProfileLayout::Files => "files",
                ProfileLayout::Tables => "tables",
            }
            .to_owned(),
        );
        ctx.insert("codex", &codex);
        let mut jobs = vec![(CONFIG_TEMPLATE, ctx.clone())];
        match layout {
            ProfileLayout::Tables => jobs.push((LEGACY_PROFILES_TEMPLATE, ctx)),
            ProfileLayout::Files => {
                // Each profile's value is the one `catalog.profiles` holds
                // (the same `Serialize`), shared rather than made again: at
                // 10,000 profiles making them twice was 3 % of a check.
                let made = profile_values(&ctx);
                for (at, profile) in catalog.profiles.iter().enumerate() {
                    let mut ctx = ctx.clone();
                    match made.get(at) {
                        Some(value) => ctx.insert_value("profile", value.clone()),
                        None => ctx.insert("profile", profile),
                    }
                    jobs.push((PROFILE_TEMPLATE, ctx));
                }
            }
        }
        // The tables config.toml holds, which the halves are weighed by.
        let tables = catalog.providers.len() + catalog.mcp_servers.len();
        let mut texts = self.render_bounded(jobs, tables)?.into_iter();
        let mut config = texts.next().expect("config.toml is rendered first");
        let mut files = Vec::new();
        match layout {
            ProfileLayout::Tables => {
                let tables = texts.next().expect("the legacy tables are rendered");
                if !config.is_empty() && !config.ends_with('\n') {
                    config.push('\n');
                }
                config.push_str(&tables);
                // Each part parses alone; their sum must too (a table defined
                // in both would not).
                if self.custom {
                    check(
                        &format!("{CONFIG_TEMPLATE} + {LEGACY_PROFILES_TEMPLATE}"),
                        &config,
                    )?;
                }
            }
            ProfileLayout::Files => {
                for (profile, text) in catalog.profiles.iter().zip(texts) {
                    files.push(Rendered {
                        file: CodexFile::Profile(profile.name.clone()),
                        text,
                    });
                }
            }
        }
        files.insert(
            0,
            Rendered {
                file: CodexFile::Config,
                text: config,
            },
        );
        Ok(files)
    }

    fn origin<'a>(&'a self, name: &'a str) -> &'a str {
        self.origins
            .iter()
            .find(|(n, _)| n == name)
            .map_or(name, |(_, o)| o.as_str())
    }

    /// Renders each (template, context) within the bounds (see the module
    /// docs), each output checked to be TOML: on a worker thread under all
    /// of them when a template is the user's, here under the output bounds
    /// when all are built in.
    fn render_bounded(
        &self,
        jobs: Vec<(&'static str, Context)>,
        tables: usize,
    ) -> Result<Vec<String>, RenderError> {
        let names: Vec<&str> = jobs.iter().map(|(name, _)| *name).collect();
        let stop = Arc::new(AtomicBool::new(false));
        // However this returns, the worker is told to stop writing.
        let _stop = StopOnDrop(&stop);
        let total = Arc::new(AtomicU64::new(0));
        if !self.custom {
            // The built-in templates loop once over the catalog's entries, so
            // their work follows the catalog's (bounded) size: they run
            // without a watch, with only the output bounds.
            let one = |(name, ctx): (&'static str, Context)| match render_one(
                &self.tera, name, &ctx, &stop, &total,
            ) {
                Ok(bytes) => self.finish(name, bytes),
                Err(Ok(e)) => Err(template_error(self.origin(name), &e)),
                Err(Err(exceeded)) => Err(RenderError::Unbounded {
                    name: self.origin(name).to_owned(),
                    exceeded,
                }),
            };
            // Thousands of profile files render on two threads. The output
            // bound is shared: which file is named for passing the total
            // can differ from one run to the next (whether it is passed cannot).
            // A provider's table costs config.toml about what two profile
            // files cost (callgrind, 1,000 of each), so the halves are
            // weighed: with 10,000 providers config.toml is a half alone.
            let config =
                u64::try_from(tables).map_or(u64::MAX, |t| t.saturating_mul(2).saturating_add(1));
            return crate::halves::map_weighed(
                jobs,
                |(name, _)| if *name == CONFIG_TEMPLATE { config } else { 1 },
                |half| half.into_iter().map(one).collect(),
            );
        }
        let (send, results) = mpsc::channel();
        let tera = Arc::clone(&self.tera);
        let (worker_stop, worker_total) = (Arc::clone(&stop), Arc::clone(&total));
        std::thread::spawn(move || {
            for (name, ctx) in jobs {
                let result = render_one(&tera, name, &ctx, &worker_stop, &worker_total);
                let failed = result.is_err();
                if send.send((name, result)).is_err() || failed {
                    return;
                }
            }
        });
        let limit = limits::RENDER.get();
        let start = Instant::now();
        let memory_at_start = resident_memory();
        let mut texts = Vec::with_capacity(names.len());
        while texts.len() < names.len() {
            let exceeded = match results.recv_timeout(WATCH) {
                Ok((name, Ok(bytes))) => {
                    texts.push(self.finish(name, bytes)?);
                    continue;
                }
                Ok((name, Err(Ok(e)))) => return Err(template_error(self.origin(name), &e)),
                Ok((_, Err(Err(exceeded)))) => exceeded,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if start.elapsed() > limit {
                        format!("did not finish within {} s", limits::RENDER.secs())
                    } else if let (Some(before), Some(now)) = (memory_at_start, resident_memory())
                        && now.saturating_sub(before) > MAX_RENDER_MEMORY
                    {
                        format!(
                            "used more than {} of memory",
                            input::size(MAX_RENDER_MEMORY)
                        )
                    } else {
                        continue;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => "stopped without an answer".to_owned(),
            };
            return Err(RenderError::Unbounded {
                name: self.origin(names[texts.len()]).to_owned(),
                exceeded,
            });
        }
        Ok(texts)
    }
}

impl Renderer {
    /// A template's output as text, checked to be TOML.
    fn finish(&self, name: &str, bytes: Vec<u8>) -> Result<String, RenderError> {
        let text = String::from_utf8(bytes)
            .expect("tera writes UTF-8: its templates and values are strings");
        // The built-in templates write every key through `toml_key` and
        // every value through `toml` (a property test holds them to it), so
        // only the user's templates are parsed here; the merge parses every
        // file anyway, and says so should a built-in one ever fail.
        if self.custom {
            check(self.origin(name), &text)?;
        }
        Ok(text)
    }
}

/// Renders one template into a [`Bounded`] output: its bytes, or tera's
/// error (`Err(Ok)`), or the bound it went past (`Err(Err)`).
fn render_one(
    tera: &Tera,
    name: &str,
    ctx: &Context,
    stop: &AtomicBool,
    total: &AtomicU64,
) -> Result<Vec<u8>, Result<tera::Error, String>> {
    let mut out = Bounded {
        text: Vec::new(),
        stop,
        total,
        exceeded: None,
    };
    let result = tera.render_to(name, ctx, &mut out);
    match (result, out.exceeded) {
        (_, Some(exceeded)) => Err(Err(exceeded)),
        (Err(e), None) => Err(Ok(e)),
        (Ok(()), None) => Ok(out.text),
    }
}

/// The values of `catalog.profiles` in a context, in order (none when the
/// context has no such list).
fn profile_values(ctx: &Context) -> &[Value] {
    ctx.get("catalog")
        .and_then(Value::as_map)
        .and_then(|catalog| catalog.get(&tera::value::Key::Str("profiles")))
        .and_then(Value::as_array)
        .unwrap_or_default()
}

struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Where a template renders to: at most [`input::CODEX_FILE`] per file and
/// [`MAX_TOTAL_OUTPUT`] in all; it refuses more, and refuses everything once
/// rendering has been stopped.
struct Bounded<'a> {
    text: Vec<u8>,
    stop: &'a AtomicBool,
    total: &'a AtomicU64,
    exceeded: Option<String>,
}

impl std::io::Write for Bounded<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("rendering was stopped"));
        }
        let len = buf.len() as u64;
        let total = self.total.fetch_add(len, Ordering::Relaxed) + len;
        if self.text.len() as u64 + len > input::CODEX_FILE.bytes {
            self.exceeded = Some(format!(
                "wrote more than {}, the most codexgen reads of a Codex config file",
                input::CODEX_FILE
            ));
        } else if total > MAX_TOTAL_OUTPUT {
            self.exceeded = Some(format!(
                "brought the files' total past {}",
                input::size(MAX_TOTAL_OUTPUT)
            ));
        }
        if self.exceeded.is_some() {
            return Err(std::io::Error::other("too much output"));
        }
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The process's resident memory in bytes, where the OS tells (Linux).
fn resident_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// tera's report starts with its own `error: `; ours already says it.
fn template_error(origin: &str, e: &tera::Error) -> RenderError {
    let message = e.to_string();
    RenderError::Template {
        name: origin.to_owned(),
        message: message
            .strip_prefix("error: ")
            .unwrap_or(&message)
            .to_owned(),
    }
}

/// Rendered text must be TOML; `origin` names the template(s) it came from.
fn check(origin: &str, text: &str) -> Result<(), RenderError> {
    if let Err(err) = text.parse::<toml_edit::DocumentMut>() {
        let span = err.span().unwrap_or(0..0);
        let snippet =
            Snippet::at_offset(&format!("output of {origin}"), text, span.start, span.len());
        return Err(RenderError::InvalidToml(
            Problem::new(format!("template {origin} produced invalid TOML"))
                .at(snippet)
                .label(err.message().to_owned())
                .help("pass values through the `toml` filter (`{{ x | toml }}`) and keys through `toml_key`; nothing was written"),
        ));
    }
    Ok(())
}

/// Autoescape for a bare `{{ x }}`: TOML basic-string escaping, so a value
/// written inside quotes stays inside them.
fn escape_basic_string(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut s = String::with_capacity(input.len());
    push_escaped(&mut s, input);
    out.write_all(s.as_bytes())
}

/// A TOML literal for any template value: strings quoted and escaped,
/// numbers and booleans as they are, lists as arrays, maps as inline tables.
pub fn toml_value(value: &Value) -> tera::TeraResult<String> {
    let mut out = String::new();
    write_value(&mut out, value)?;
    Ok(out)
}

fn write_value(out: &mut String, value: &Value) -> tera::TeraResult<()> {
    if let Some(s) = value.as_str() {
        quote(out, s);
    } else if let Some(b) = value.as_bool() {
        let _ = write!(out, "{b}");
    } else if let Some(n) = value.as_i64() {
        let _ = write!(out, "{n}");
    } else if let Some(x) = value.as_f64() {
        if !x.is_finite() {
            return Err(tera::Error::message("TOML floats must be finite here"));
        }
        let _ = write!(out, "{x:?}");
    } else if let Some(items) = value.as_array() {
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_value(out, item)?;
        }
        out.push(']');
    } else if let Some(map) = value.as_map() {
        out.push('{');
        for (i, (k, v)) in map.iter().enumerate() {
            out.push_str(if i > 0 { ", " } else { " " });
            out.push_str(&toml_key(&k.to_string()));
            out.push_str(" = ");
            write_value(out, v)?;
        }
        out.push_str(if map.is_empty() { "}" } else { " }" });
    } else {
        return Err(tera::Error::message(format!(
            "the toml filter got {} (a missing value?); guard optional values with {{% if ... %}}",
            value.name()
        )));
    }
    Ok(())
}

/// A TOML basic string holding `s`, quotes included.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    quote(&mut out, s);
    out
}

/// A TOML key: bare when it can be, quoted otherwise (`toml_edit`'s choice).
pub fn toml_key(key: &str) -> String {
    toml_edit::Key::new(key).display_repr().into_owned()
}

// Strings are escaped by hand, not by toml_edit: the autoescape of a bare
// `{{ x }}` needs the inside of a basic string, which toml_edit does not
// offer, and one escaper for both keeps the filter and autoescape in step.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    push_escaped(out, s);
    out.push('"');
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_back(literal: &str) -> String {
        let doc: toml_edit::DocumentMut = format!("k = {literal}\n").parse().unwrap();
        doc["k"].as_str().unwrap().to_owned()
    }

    #[test]
    fn a_profile_file_sees_the_value_the_catalog_holds() {
        // Profiles with settings of every kind (text, number, list, tables
        // inside tables) and MCP servers: the value each profile file gets
        // from `catalog.profiles` is the one its own `Serialize` makes.
        let yaml = "schema: 1\nversion: t\ndefault: a\nproviders:\n  p:\n    name: P\n    base_url: https://p.example/v1\n    env_key: P_KEY\nmcp_servers:\n  docs:\n    command: docs-server\nprofiles:\n  a:\n    provider: p\n    model: m\n    model_reasoning_effort: high\n    notify: [say, done]\n    shell_environment_policy:\n      inherit: core\n      set: {A: b}\n  b:\n    provider: p\n    model: m2\n    mcp_servers:\n      docs: {enabled: false}\n";
        let source = crate::catalog::Source {
            name: "t.yaml".to_owned(),
            text: yaml.to_owned(),
        };
        let target = Target::at(crate::codex::NEWEST_KNOWN);
        let catalog = crate::catalog::layer(vec![source])
            .and_then(|layered| layered.build(&target))
            .unwrap();
        let mut ctx = Context::new();
        ctx.insert("catalog", &catalog);
        let made = profile_values(&ctx);
        assert_eq!(made.len(), 2);
        for (value, profile) in made.iter().zip(&catalog.profiles) {
            let mut alone = Context::new();
            alone.insert("profile", profile);
            assert_eq!(
                Some(value),
                alone.get("profile"),
                "{}",
                profile.name.as_str()
            );
        }
        assert!(profile_values(&Context::new()).is_empty());
    }

    #[test]
    fn strings_are_quoted_and_escaped() {
        let v = Value::from_serializable("a \"b\" \\ c\n#]\u{7f}é");
        let lit = toml_value(&v).unwrap();
        assert_eq!(lit, "\"a \\\"b\\\" \\\\ c\\n#]\\u007Fé\"");
        assert_eq!(read_back(&lit), "a \"b\" \\ c\n#]\u{7f}é");
    }

    #[test]
    fn keys_are_bare_only_when_safe() {
        assert_eq!(toml_key("api-version"), "api-version");
        assert_eq!(toml_key("X.Title"), "\"X.Title\"");
        assert_eq!(toml_key(""), "\"\"");
    }

    #[test]
    fn maps_become_inline_tables() {
        let mut m = std::collections::BTreeMap::new();
        m.insert("api-version", "2025-04-01-preview");
        m.insert("a b", "x");
        let lit = toml_value(&Value::from_serializable(&m)).unwrap();
        assert_eq!(
            lit,
            "{ \"a b\" = \"x\", api-version = \"2025-04-01-preview\" }"
        );
    }

    #[test]
    fn missing_values_are_errors() {
        assert!(toml_value(&Value::none()).is_err());
    }

    proptest! {
        #[test]
        fn any_string_survives_render_and_parse(s in any::<String>()) {
            let lit = toml_value(&Value::from_serializable(&s)).unwrap();
            prop_assert_eq!(read_back(&lit), s);
        }

        #[test]
        fn any_key_survives_render_and_parse(k in any::<String>(), v in any::<String>()) {
            let text = format!("{} = {}\n", toml_key(&k), toml_value(&Value::from_serializable(&v)).unwrap());
            let doc: toml_edit::DocumentMut = text.parse().unwrap();
            prop_assert_eq!(doc.get(&k).and_then(|i| i.as_str()), Some(v.as_str()));
        }
    }
}
