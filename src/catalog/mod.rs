//! Owns the catalog: finding `providers.yaml` and its overlays, reading them,
//! layering them key by key, and checking everything before anything is
//! rendered. Hands a typed, valid [`Catalog`] to the renderer. Does not know
//! TOML or the Codex home.
//!
//! Layering: later files overlay earlier ones. Maps merge key by key (so an
//! overlay can change one field of a team provider), any other value replaces
//! the earlier one, and `~` (null) removes a key, e.g. a whole provider.
//! Each removal is remembered with its position, so that what the missing
//! key breaks (a profile's provider, the default profile) is reported at
//! the overlay's `~`. `default: ~` is the one removal that is a choice:
//! config.toml then gets no top-level `model`/`model_provider` from codexgen.
//!
//! The default profile means the profile: [`Catalog::top_level`] is what
//! config.toml's top level gets (the catalog's `settings`, the default
//! profile's over them), and [`Catalog::as_written`] gives each other
//! profile the team's value of each leaf the default overrides (at any
//! depth, as Codex lays a profile leaf by leaf), so that
//! `codex -p NAME` is not changed by which profile is the default.

mod build;
#[cfg(test)]
mod codex_facts;
pub mod edit;
mod emit;
pub mod keys;
mod mcp;
pub mod presets;
mod yaml;

pub use build::{expands_a_variable, is_env_name};
pub use emit::{Mapping, Plain};
pub use keys::json_schema_text;
pub use mcp::{McpServer, McpValue};

/// The Codex settings a catalog can set (at the top level and in a
/// profile), in the key table's order: from the one key table.
pub fn profile_settings() -> impl Iterator<Item = &'static str> + Clone {
    keys::SETTINGS
        .iter()
        .filter(|k| !matches!(k.kind, keys::Kind::Refused | keys::Kind::MapOf(..)))
        .map(|k| k.name)
}

/// The provider keys [`Provider`] holds as fields, for codexgen's own
/// checks and commands; every other scalar key of `keys::PROVIDER` is one
/// of its `settings`.
const PROVIDER_FIELDS: &[&str] = &[
    "name",
    "base_url",
    "env_key",
    "wire_api",
    "query_params",
    "http_headers",
    "env_http_headers",
];

/// The scalar provider keys a catalog provider holds in `settings`, in the
/// key table's order.
fn provider_settings() -> impl Iterator<Item = &'static str> {
    keys::PROVIDER
        .iter()
        .filter(|k| k.is_scalar() && !k.builtin_only && !PROVIDER_FIELDS.contains(&k.name))
        .map(|k| k.name)
}

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::codex::{Target, VersionReq};
use crate::diagnostic::{Code, Problem, Snippet};
use crate::home::ProfileName;
use crate::input::{self, ReadError};

/// The catalog shipped with codexgen, also used when no file is found.
pub const EMBEDDED: &str = include_str!("../../providers.yaml");
/// The name of the built-in catalog in messages, reports and the home's
/// record of its catalog.
pub const EMBEDDED_NAME: &str = "<built-in providers.yaml>";

/// The catalog formats this build reads.
pub const SCHEMAS: &[i64] = &[1];

/// A catalog file's text and the name the user knows it by.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn embedded() -> Self {
        Source {
            name: EMBEDDED_NAME.to_owned(),
            text: EMBEDDED.to_owned(),
        }
    }

    /// The catalog on standard input (`--catalog -`), at most
    /// [`input::CATALOG`], named [`input::STDIN`].
    pub fn stdin() -> Result<Self, CatalogError> {
        let text = input::read_stdin(input::CATALOG).map_err(CatalogError::Read)?;
        Ok(Source {
            name: input::STDIN.to_owned(),
            text,
        })
    }

    /// Reads a catalog file: a regular file of at most [`input::CATALOG`].
    pub fn read(path: &Path) -> Result<Self, CatalogError> {
        let text = input::read(path, input::CATALOG).map_err(CatalogError::Read)?;
        Ok(Source {
            name: path.display().to_string(),
            text,
        })
    }
}

/// The catalog file a run reads when none is named: `./providers.yaml`,
/// else `providers.yaml` in the user's config dir; `None`: the built-in one.
/// A file in `cwd` is named relative to it, as the user would type it.
pub fn discover(cwd: &Path, config_dir: Option<&Path>) -> Option<PathBuf> {
    // Anything by that name is the catalog: a folder or FIFO there is
    // refused when read, not silently passed over.
    candidates(config_dir)
        .into_iter()
        .find(|c| cwd.join(c).exists())
}

/// The files [`discover`] looks for, in order (the first is relative to the
/// working folder).
pub fn candidates(config_dir: Option<&Path>) -> Vec<PathBuf> {
    std::iter::once(PathBuf::from("providers.yaml"))
        .chain(config_dir.map(|d| d.join(CONFIG_FOLDER).join("providers.yaml")))
        .collect()
}

/// codexgen's folder in the user's config dir (`~/.config/codexgen`).
pub const CONFIG_FOLDER: &str = "codexgen";

/// Where the personal overlay of a run is, whether or not it exists:
/// `NAME.local.yaml` beside the first catalog file `NAME.yaml`, or, over
/// the built-in catalog, `providers.local.yaml` in the user's config dir.
pub fn personal_overlay(first: Option<&Path>, config_dir: Option<&Path>) -> Option<PathBuf> {
    match first {
        Some(catalog) => {
            let stem = catalog.file_stem()?.to_str()?;
            Some(catalog.with_file_name(format!("{stem}.local.yaml")))
        }
        None => config_dir.map(|d| d.join(CONFIG_FOLDER).join("providers.local.yaml")),
    }
}

/// Parses and layers catalog sources. Checking waits for [`Layered::build`],
/// because what is valid depends on the target Codex, which the catalog's own
/// `codex:` field may choose.
pub fn layer(sources: Vec<Source>) -> Result<Layered, CatalogError> {
    let mut problems = Vec::new();
    let mut merged: Option<yaml::Node> = None;
    let mut removals = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        match yaml::parse(index, &source.name, &source.text) {
            Ok(node) => {
                merged = Some(match merged {
                    // A later file with nothing in it (empty, or comments
                    // only) lays nothing over: it does not empty the catalog.
                    Some(base) if matches!(node.value, yaml::Value::Null) => base,
                    Some(base) => build::overlay(base, node, &mut removals),
                    None => node,
                });
            }
            Err(problem) => problems.push(problem),
        }
    }
    match merged {
        Some(root) if problems.is_empty() => Ok(Layered {
            sources,
            root: Mutex::new(Some(root)),
            removals,
        }),
        _ if problems.is_empty() => Err(CatalogError::Invalid(vec![
            Problem::new("no catalog to read").code(Code::EmptyCatalog),
        ])),
        _ => Err(CatalogError::Invalid(problems)),
    }
}

/// Said when the tree is asked for after [`Layered::build`] took it: a
/// command builds its catalog once.
const BUILT: &str = "internal error: the catalog was built twice";

/// Catalog files read and layered, not yet checked.
pub struct Layered {
    sources: Vec<Source>,
    /// The layered tree, until [`Layered::build`] takes it: at 10,000
    /// entries it is 40 MB that nothing needs once the typed catalog exists.
    root: Mutex<Option<yaml::Node>>,
    /// The keys overlays removed with `~`.
    removals: Vec<build::Removal>,
}

impl Layered {
    /// The files read, in overlay order.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The catalog's `codex:` field: the Codex versions it is written for.
    pub fn codex_requirement(&self) -> Result<Option<VersionReq>, CatalogError> {
        match self.root().as_ref() {
            Some(root) => build::codex_requirement(&self.sources, root)
                .map_err(|p| CatalogError::Invalid(vec![p])),
            None => Err(CatalogError::Invalid(vec![Problem::new(BUILT)])),
        }
    }

    /// Checks everything for `target` and returns the typed catalog, or every
    /// problem. Takes the layered tree: call it once. From a valid build on,
    /// the values of the variables the catalog names are concealed
    /// (`secrets::conceal`) in everything codexgen prints, and the catalog
    /// holds none of them.
    pub fn build(&self, target: &Target) -> Result<Catalog, CatalogError> {
        let root = self.root().take();
        let root = root.ok_or_else(|| CatalogError::Invalid(vec![Problem::new(BUILT)]))?;
        build::catalog(&self.sources, &root, &self.removals, target).map_err(CatalogError::Invalid)
    }

    /// [`Layered::build`], keeping the layered tree, for a command that
    /// prints the catalog as the files say it (see `emit`).
    pub fn build_effective(&self, target: &Target) -> Result<Effective<'_>, CatalogError> {
        let root = self.root().take();
        let root = root.ok_or_else(|| CatalogError::Invalid(vec![Problem::new(BUILT)]))?;
        // Checked (and its variables concealed) as every command's catalog is.
        build::catalog(&self.sources, &root, &self.removals, target)
            .map_err(CatalogError::Invalid)?;
        Ok(Effective {
            root,
            sources: &self.sources,
        })
    }

    /// The file and line that set `key` last, as layered (an overlay's
    /// value over the catalog's): `None` when no file sets it, or once the
    /// tree is built.
    pub fn set_at(&self, key: &[&str]) -> Option<(String, usize)> {
        let root = self.root();
        let mut node = root.as_ref()?;
        for seg in key {
            let yaml::Value::Map(entries) = &node.value else {
                return None;
            };
            node = entries
                .iter()
                .find(|(k, _)| k.name == *seg)
                .map(|(_, v)| v)?;
        }
        let file = self.sources.get(node.pos.file)?;
        Some((file.name.clone(), node.pos.line))
    }

    fn root(&self) -> std::sync::MutexGuard<'_, Option<yaml::Node>> {
        // Nothing panics while holding it.
        self.root
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The layered tree of a valid catalog.
pub struct Effective<'s> {
    root: yaml::Node,
    sources: &'s [Source],
}

impl Effective<'_> {
    /// The layered tree as YAML that reads back to it; with `origins`, each
    /// value ends in a `# FILE:LINE` comment.
    pub fn yaml(&self, origins: bool) -> String {
        emit::yaml(&self.root, self.sources, origins)
    }

    /// The layered tree as JSON; with `origins`, each value as
    /// `{"value": ..., "origin": {"file", "line", "column"}}`.
    pub fn json(&self, origins: bool) -> String {
        emit::json(&self.root, self.sources, origins)
    }
}

/// A valid catalog, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    /// The catalog's own content version, stamped into generated files.
    pub version: String,
    /// The profile whose model and provider become config.toml's defaults;
    /// `None` (`default: ~`): codexgen writes neither, and leaves them to
    /// the user and to Codex's own `/model`.
    pub default: Option<String>,
    pub providers: Vec<Provider>,
    /// Tables for Codex's Amazon Bedrock built-ins.
    pub bedrock: Vec<Bedrock>,
    pub profiles: Vec<Profile>,
    /// The catalog's `settings:`, in the key table's order.
    #[serde(serialize_with = "settings_map")]
    pub settings: Vec<(&'static str, Setting)>,
    /// `[mcp_servers.<id>]` tables, in catalog order.
    pub mcp_servers: Vec<McpServer>,
}

fn settings_map<S: serde::Serializer>(
    settings: &[(&'static str, Setting)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    Settings(settings).serialize(serializer)
}

impl Catalog {
    /// What codexgen writes at config.toml's top level besides `model` and
    /// `model_provider`: the catalog's `settings`, with every setting of the
    /// default profile over them (tables key by key, as Codex lays a profile
    /// over config.toml), in the key table's order. Plain `codex`
    /// then behaves as `codex -p DEFAULT`.
    pub fn top_level(&self) -> Vec<(&'static str, Setting)> {
        let default = self.default.as_deref().and_then(|d| self.profile(d));
        let mut top: Vec<(&'static str, Setting)> = self.settings.clone();
        for (key, value) in default.map_or(&[][..], |p| p.settings.as_slice()) {
            match top.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1.overlay(value),
                None => top.push((key, value.clone())),
            }
        }
        top.sort_by_key(|(k, _)| setting_order(k));
        top
    }

    /// The leaves each other profile inherits from the default profile: the
    /// default sets them at config.toml's top level, and neither the
    /// profile nor `settings` gives the profile a value of its own (see
    /// [`Catalog::as_written`]; before 0.134.0 a `[profiles.NAME]` table
    /// that does not read a key cannot). Codex lays a profile over
    /// config.toml leaf by leaf, so a leaf inside a table
    /// (`sandbox_workspace_write.writable_roots`, `features.NAME`, an
    /// `unchecked` key) counts on its own. Profile name, then dotted keys
    /// (the whole key where the profile does not read it), in order.
    pub fn inherited(&self, version: crate::codex::Version) -> Vec<(&str, Vec<String>)> {
        let Some(default) = self.default.as_deref().and_then(|d| self.profile(d)) else {
            return Vec::new();
        };
        self.profiles
            .iter()
            .filter(|p| p.name.as_str() != default.name.as_str())
            .filter_map(|p| {
                let mut keys: Vec<String> = Vec::new();
                for path in leaves(&default.settings) {
                    let key = path[0].as_str();
                    if !read_in_profile(key, version) {
                        if !keys.iter().any(|k| k == key) {
                            keys.push(key.to_owned());
                        }
                    } else if !covers(&p.settings, &path) && leaf(&self.settings, &path).is_none() {
                        keys.push(path.join("."));
                    }
                }
                (!keys.is_empty()).then_some((p.name.as_str(), keys))
            })
            .collect()
    }

    /// Every key the catalog writes unchecked (`keys::UNCHECKED`), as the
    /// catalog path that sets it (`settings.unchecked.KEY`,
    /// `profiles.NAME.unchecked.KEY`).
    pub fn unchecked(&self) -> Vec<String> {
        let mut paths = Vec::new();
        let mut add = |prefix: String, settings: &[(&'static str, Setting)]| {
            if let Some(Setting::Table(entries)) = find_setting(settings, keys::UNCHECKED.name) {
                paths.extend(
                    entries
                        .iter()
                        .map(|(k, _)| format!("{prefix}.unchecked.{k}")),
                );
            }
            // A settings table's own `unchecked` (`settings.tui.unchecked.KEY`).
            for (key, value) in settings {
                let Setting::Table(entries) = value else {
                    continue;
                };
                if *key == keys::UNCHECKED.name {
                    continue;
                }
                if let Some((_, Setting::Table(free))) =
                    entries.iter().find(|(k, _)| k == keys::UNCHECKED.name)
                {
                    paths.extend(
                        free.iter()
                            .map(|(k, _)| format!("{prefix}.{key}.unchecked.{k}")),
                    );
                }
            }
        };
        add("settings".to_owned(), &self.settings);
        for p in &self.profiles {
            add(format!("profiles.{}", p.name.as_str()), &p.settings);
        }
        paths
    }

    /// The catalog as the files of Codex `version` hold it. Codex lays a
    /// profile over config.toml's top level, where the default profile's
    /// settings now are, leaf by leaf: a profile that leaves one of them
    /// unset would run with the default profile's value. So each other
    /// profile also gets the catalog's `settings` value of every leaf (at
    /// any depth: a table's entry, an `unchecked` key) the default profile
    /// sets and it does not (where its profile reads the key), and `codex -p NAME`
    /// is the catalog's `settings` with NAME's over them. A key `settings`
    /// does not set either has no value to give: that profile inherits the
    /// default's (docs/catalog.md says so).
    pub fn as_written(&self, version: crate::codex::Version) -> Catalog {
        let mut written = self.clone();
        let Some(default) = self.default.as_deref().and_then(|d| self.profile(d)) else {
            return written;
        };
        for profile in &mut written.profiles {
            if profile.name.as_str() == default.name.as_str() {
                continue;
            }
            for path in leaves(&default.settings) {
                let Some(&(key, _)) = default.settings.iter().find(|(k, _)| *k == path[0]) else {
                    continue;
                };
                if !read_in_profile(key, version) || covers(&profile.settings, &path) {
                    continue;
                }
                if let Some(team) = leaf(&self.settings, &path) {
                    put(&mut profile.settings, key, &path[1..], team.clone());
                }
            }
            profile.settings.sort_by_key(|(k, _)| setting_order(k));
        }
        written
    }
}

/// Whether a profile of Codex `version` reads `key` (an `unchecked` key is
/// taken as read: codexgen cannot know).
fn read_in_profile(key: &str, version: crate::codex::Version) -> bool {
    key == keys::UNCHECKED.name
        || keys::find(keys::SETTINGS, key)
            .is_some_and(|k| k.first_in_profile(version).is_none_or(|f| version >= f))
}

/// The path of every leaf (a value that is not a table) of `settings`, at
/// any depth, the top-level key first.
fn leaves(settings: &[(&'static str, Setting)]) -> Vec<Vec<String>> {
    fn walk(value: &Setting, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match value {
            Setting::Table(entries) => {
                for (key, value) in entries {
                    path.push(key.clone());
                    walk(value, path, out);
                    path.pop();
                }
            }
            _ => out.push(path.clone()),
        }
    }
    let mut out = Vec::new();
    for (key, value) in settings {
        walk(value, &mut vec![(*key).to_owned()], &mut out);
    }
    out
}

/// The value of `settings` at `path` when it is there (a table or not).
fn leaf<'s>(settings: &'s [(&'static str, Setting)], path: &[String]) -> Option<&'s Setting> {
    let (first, rest) = path.split_first()?;
    let mut value = find_setting(settings, first)?;
    for key in rest {
        let Setting::Table(entries) = value else {
            return None;
        };
        value = entries.iter().find_map(|(k, v)| (k == key).then_some(v))?;
    }
    Some(value)
}

/// Whether `settings` gives `path` a value of its own: the value there, or
/// one that is not a table on the way (which replaces the whole table).
fn covers(settings: &[(&'static str, Setting)], path: &[String]) -> bool {
    (1..=path.len()).any(|n| match leaf(settings, &path[..n]) {
        Some(Setting::Table(_)) => n == path.len(),
        Some(_) => true,
        None => false,
    })
}

/// Sets `key` then `rest` in `settings` to `value`, making the tables on
/// the way.
fn put(
    settings: &mut Vec<(&'static str, Setting)>,
    key: &'static str,
    rest: &[String],
    value: Setting,
) {
    let mut wrapped = value;
    for name in rest.iter().rev() {
        wrapped = Setting::Table(vec![(name.clone(), wrapped)]);
    }
    match settings.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1.overlay(&wrapped),
        None => settings.push((key, wrapped)),
    }
}

/// Where a setting goes among the others: the key table's order, then
/// `unchecked`.
fn setting_order(key: &str) -> usize {
    keys::SETTINGS
        .iter()
        .position(|d| d.name == key)
        .unwrap_or(usize::MAX)
}

/// Settings as Codex keys: each entry of `unchecked` (keys codexgen does not
/// know, `keys::UNCHECKED`) stands for itself, after the known ones.
pub fn codex_keys<'s>(settings: &'s [(&'static str, Setting)]) -> Vec<(&'s str, &'s Setting)> {
    let mut out: Vec<(&'s str, &'s Setting)> = Vec::with_capacity(settings.len());
    for (key, value) in settings {
        match (*key, value) {
            ("unchecked", Setting::Table(entries)) => {
                out.extend(entries.iter().map(|(k, v)| (k.as_str(), v)));
            }
            _ => out.push((key, value)),
        }
    }
    out
}

/// The Codex keys of a settings table: its `unchecked` entry's keys stand
/// for themselves, after the known ones (as [`codex_keys`] at the top level).
fn unchecked_inline(entries: &[(String, Setting)]) -> impl Iterator<Item = (&str, &Setting)> {
    entries.iter().flat_map(|(k, v)| match (k.as_str(), v) {
        ("unchecked", Setting::Table(free)) => free.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        _ => vec![(k.as_str(), v)],
    })
}

/// Codex keys and values as a map, in order.
struct Entries<'a>(Vec<(&'a str, &'a Setting)>);

impl Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().copied())
    }
}

/// The Codex keys of `settings` that are tables, and the others.
fn split<'s>(settings: &'s [(&'static str, Setting)]) -> (Entries<'s>, Entries<'s>) {
    let (tables, values) = codex_keys(settings)
        .into_iter()
        .partition(|(_, v)| matches!(v, Setting::Table(_)));
    (Entries(tables), Entries(values))
}

/// Settings as the templates loop over them: `values` (each one
/// `key = value` line) and `tables` (each a `[key]` table of its own), each
/// in order.
pub struct Split<'s>(pub &'s [(&'static str, Setting)]);

impl Serialize for Split<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let (tables, values) = split(self.0);
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("values", &values)?;
        map.serialize_entry("tables", &tables)?;
        map.end()
    }
}

impl Catalog {
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name.as_str() == name)
    }

    /// The providers Codex may be asked to reach: every catalog provider,
    /// then each built-in provider a profile uses, in catalog order (a
    /// valid catalog's profiles name nothing else).
    pub fn providers_in_use(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.providers.iter().map(|p| p.id.as_str()).collect();
        let own: HashSet<&str> = ids.iter().copied().collect();
        let mut builtins: Vec<&str> = Vec::new();
        for profile in &self.profiles {
            let id = profile.provider.as_str();
            // At most a handful: Codex has five built-ins.
            if !own.contains(id) && !builtins.contains(&id) {
                builtins.push(id);
            }
        }
        ids.extend(builtins);
        ids
    }

    /// The catalog's providers and profiles by name, for many lookups.
    pub fn index(&self) -> Index<'_> {
        let mut users: HashMap<&str, Vec<&Profile>> = HashMap::new();
        for profile in &self.profiles {
            users
                .entry(profile.provider.as_str())
                .or_default()
                .push(profile);
        }
        Index {
            providers: self.providers.iter().map(|p| (p.id.as_str(), p)).collect(),
            bedrock: &self.bedrock,
            profiles: self.profiles.iter().map(|p| (p.name.as_str(), p)).collect(),
            users,
        }
    }
}

/// A [`Catalog`]'s providers and profiles by name: a command that looks up
/// every provider (doctor, probe) would otherwise search the catalog once
/// per provider, 100 million comparisons at 10,000 entries.
pub struct Index<'c> {
    providers: HashMap<&'c str, &'c Provider>,
    /// At most two: Codex has two Amazon Bedrock built-ins.
    bedrock: &'c [Bedrock],
    profiles: HashMap<&'c str, &'c Profile>,
    /// Provider id -> the profiles that use it, in catalog order.
    users: HashMap<&'c str, Vec<&'c Profile>>,
}

impl<'c> Index<'c> {
    pub fn provider(&self, id: &str) -> Option<&'c Provider> {
        self.providers.get(id).copied()
    }

    pub fn profile(&self, name: &str) -> Option<&'c Profile> {
        self.profiles.get(name).copied()
    }

    /// The catalog's table for Codex's Amazon Bedrock built-in `id`.
    pub fn bedrock(&self, id: &str) -> Option<&'c Bedrock> {
        self.bedrock.iter().find(|b| b.id == id)
    }

    /// The profiles that use provider `id`.
    pub fn users_of(&self, id: &str) -> &[&'c Profile] {
        self.users.get(id).map_or(&[], Vec::as_slice)
    }
}

impl Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("name", self.name.as_str())?;
        map.serialize_entry("provider", &self.provider)?;
        map.serialize_entry("model", &self.model)?;
        for (key, value) in &self.settings {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("settings", &Settings(&self.settings))?;
        let (tables, values) = split(&self.settings);
        map.serialize_entry("values", &values)?;
        map.serialize_entry("tables", &tables)?;
        map.serialize_entry("mcp_servers", &self.mcp_servers)?;
        map.end()
    }
}

/// Settings as a map, in order, for the templates.
struct Settings<'s>(&'s [(&'static str, Setting)]);

impl Serialize for Settings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The value of one Codex setting, as Codex's TOML holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    Text(String),
    Number(i64),
    Bool(bool),
    /// A list of text (`notify`, `writable_roots`).
    List(Vec<String>),
    /// A table, its keys in order (`features`, `sandbox_workspace_write`):
    /// at the top level of a file its own `[key]` table, inside one an
    /// inline table.
    Table(Vec<(String, Setting)>),
}

impl Serialize for Setting {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Setting::Text(text) => serializer.serialize_str(text),
            Setting::Number(n) => serializer.serialize_i64(*n),
            Setting::Bool(b) => serializer.serialize_bool(*b),
            Setting::List(items) => serializer.collect_seq(items),
            Setting::Table(entries) => serializer.collect_map(unchecked_inline(entries)),
        }
    }
}

impl Setting {
    /// Lays `top` over this value as Codex lays a profile over config.toml:
    /// tables key by key, anything else replaced.
    fn overlay(&mut self, top: &Setting) {
        match (self, top) {
            (Setting::Table(base), Setting::Table(entries)) => {
                for (key, value) in entries {
                    match base.iter_mut().find(|(k, _)| k == key) {
                        Some(slot) => slot.1.overlay(value),
                        None => base.push((key.clone(), value.clone())),
                    }
                }
            }
            (base, top) => *base = top.clone(),
        }
    }

    /// The text of a text setting (`None` for anything else).
    pub fn text(&self) -> Option<&str> {
        match self {
            Setting::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value as one TOML value (`"high"`, `["a", "b"]`,
    /// `{ network_access = true }`), for `codex -c key=VALUE`.
    pub fn toml(&self) -> String {
        self.to_toml().to_string()
    }

    fn to_toml(&self) -> toml_edit::Value {
        match self {
            Setting::Text(text) => text.as_str().into(),
            Setting::Number(n) => (*n).into(),
            Setting::Bool(b) => (*b).into(),
            Setting::List(items) => items
                .iter()
                .map(String::as_str)
                .collect::<toml_edit::Array>()
                .into(),
            Setting::Table(entries) => {
                let mut table = toml_edit::InlineTable::new();
                for (k, v) in unchecked_inline(entries) {
                    table.insert(k, v.to_toml());
                }
                table.fmt();
                table.into()
            }
        }
    }
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Setting::Text(text) => f.write_str(text),
            Setting::Number(n) => write!(f, "{n}"),
            Setting::Bool(b) => write!(f, "{b}"),
            Setting::List(_) | Setting::Table(_) => f.write_str(&self.toml()),
        }
    }
}

/// The setting `key` of `settings`, when it is set.
fn find_setting<'s>(settings: &'s [(&'static str, Setting)], key: &str) -> Option<&'s Setting> {
    settings.iter().find_map(|(k, v)| (*k == key).then_some(v))
}

impl Profile {
    /// The profile's Codex setting `key`, when the catalog sets it.
    pub fn setting(&self, key: &str) -> Option<&Setting> {
        find_setting(&self.settings, key)
    }
}

/// One `[model_providers.<id>]` table. The keys codexgen's own checks and
/// commands read are fields; every other scalar key of `keys::PROVIDER` is
/// in `settings`, so that adding one is one entry of the key table.
#[derive(Debug, Clone)]
pub struct Provider {
    pub id: String,
    /// The display name: the catalog's, else the id (Codex needs one).
    pub name: String,
    pub base_url: String,
    pub env_key: Option<String>,
    pub wire_api: String,
    pub query_params: Pairs,
    pub http_headers: Pairs,
    pub env_http_headers: Pairs,
    /// The scalar keys the catalog sets, in the key table's order.
    pub settings: Vec<(&'static str, Setting)>,
    /// A command that prints the key (`[model_providers.<id>.auth]`).
    pub auth: Option<AuthCommand>,
    /// `[model_providers.<id>.capabilities]`: the keys the catalog sets,
    /// in the key table's order (`keys::CAPABILITIES`).
    pub capabilities: Option<Vec<(&'static str, Setting)>>,
}

impl Provider {
    /// The provider's scalar setting `key`, when the catalog sets it.
    pub fn setting(&self, key: &str) -> Option<&Setting> {
        find_setting(&self.settings, key)
    }

    /// The `key = value` lines of its table, in the key table's order:
    /// what the templates write and `layers` asks about.
    pub fn keys(&self) -> Vec<(&'static str, Written<'_>)> {
        fn pairs(p: &Pairs) -> Option<Written<'_>> {
            (!p.0.is_empty()).then_some(Written::Pairs(p))
        }
        keys::PROVIDER
            .iter()
            .filter(|k| !matches!(k.kind, keys::Kind::Table(..) | keys::Kind::Refused))
            .filter_map(|k| {
                let value = match k.name {
                    "name" => Some(Written::Text(&self.name)),
                    "base_url" => Some(Written::Text(&self.base_url)),
                    "env_key" => self.env_key.as_deref().map(Written::Text),
                    "wire_api" => Some(Written::Text(&self.wire_api)),
                    "query_params" => pairs(&self.query_params),
                    "http_headers" => pairs(&self.http_headers),
                    "env_http_headers" => pairs(&self.env_http_headers),
                    _ => self.setting(k.name).map(Written::Setting),
                };
                Some((k.name, value?))
            })
            .collect()
    }

    /// Whether codexgen writes `key` in this provider's table.
    pub fn writes(&self, key: &str) -> bool {
        match key {
            "auth" => self.auth.is_some(),
            "capabilities" => self.capabilities.is_some(),
            _ => self.keys().iter().any(|(k, _)| *k == key),
        }
    }
}

impl Serialize for Provider {
    /// The table's keys by name (`p.base_url`, `p.request_max_retries`),
    /// the same as `keys`, in order, for a loop, and the sub-tables.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let keys = self.keys();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &self.id)?;
        for (key, value) in &keys {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("keys", &Ordered(&keys))?;
        if let Some(auth) = &self.auth {
            map.serialize_entry("auth", auth)?;
        }
        if let Some(capabilities) = &self.capabilities {
            map.serialize_entry("capabilities", &Settings(capabilities))?;
        }
        map.end()
    }
}

/// One value of a provider table, as written.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
pub enum Written<'p> {
    Text(&'p str),
    Setting(&'p Setting),
    Pairs(&'p Pairs),
}

/// Keys and values as a map, in order.
struct Ordered<'s, 'p>(&'s [(&'static str, Written<'p>)]);

impl Serialize for Ordered<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// `[model_providers.<id>.auth]`: Codex runs `command` with `args` (no
/// shell) and sends its standard output as `Authorization: Bearer`.
/// Unset numbers are left to Codex's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthCommand {
    pub command: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_interval_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
}

/// A `[model_providers.<id>]` table for one of the Codex built-ins that
/// let a table change a few keys: Amazon Bedrock's (`amazon-bedrock`,
/// `amazon-bedrock-runtime`, with `aws`) and Google Cloud's (`gcp`, with
/// `project_id`, `location`, `credential_file`). Only the keys Codex lets
/// such a table change, each written only when set. (Named for the first
/// such built-in; templates see the list as `catalog.bedrock`.)
#[derive(Debug, Clone)]
pub struct Bedrock {
    pub id: String,
    pub base_url: Option<String>,
    pub http_headers: Pairs,
    pub auth: Option<AuthCommand>,
    pub aws: Option<Aws>,
    /// The scalar keys only such a built-in reads (`project_id`, ...), in
    /// the key table's order.
    pub settings: Vec<(&'static str, Setting)>,
}

impl Serialize for Bedrock {
    /// Its keys by name (`b.base_url`, `b.project_id`), and its scalar
    /// settings again as `settings`, in order, for a loop.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("base_url", &self.base_url)?;
        map.serialize_entry("http_headers", &self.http_headers)?;
        map.serialize_entry("auth", &self.auth)?;
        map.serialize_entry("aws", &self.aws)?;
        for (key, value) in &self.settings {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("settings", &Settings(&self.settings))?;
        map.end()
    }
}

/// `[model_providers.<id>.aws]`: which AWS profile and region sign the
/// requests, the `aws` command that logs in again when they expire, or a
/// command that prints credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Aws {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub auth_refresh: Option<AuthCommand>,
    pub credential_export: Option<AuthCommand>,
}

/// One profile: a model on a provider, plus Codex's profile-level settings.
/// Templates see its fields and `settings`, the ones that are set, in the
/// key table's order (`keys::PROFILE`).
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: ProfileName,
    pub provider: String,
    pub model: String,
    pub settings: Vec<(&'static str, Setting)>,
    /// `[mcp_servers.ID]` of its file: what it changes of catalog MCP
    /// servers, each with the server's transport key (`command` or `url`),
    /// which `codex --strict-config -p NAME` needs in the file itself.
    pub mcp_servers: Vec<McpServer>,
}

/// String-to-string entries in catalog order (headers, query parameters).
/// Serialized as a map, so templates see `{ key: value }`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pairs(pub Vec<(String, String)>);

impl Serialize for Pairs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the catalog")]
    Read(#[source] ReadError),
    /// A file named with `--catalog` or `CODEXGEN_CATALOG` is not there;
    /// `help` names what named it.
    #[error("the catalog file {path} does not exist")]
    Missing { path: String, help: String },
    /// Every problem found, each with its place and help.
    #[error("{} problem(s) in the catalog", .0.len())]
    Invalid(Vec<Problem>),
}

pub(crate) fn snippet(sources: &[Source], pos: yaml::Pos) -> Snippet {
    let source = &sources[pos.file];
    Snippet::at(
        &source.name,
        &yaml::as_yaml_counts(&source.text),
        pos.line,
        pos.column,
        pos.width,
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_leaf_is_covered_by_its_value_or_a_plain_value_on_the_way() {
        let table = |entries: Vec<(&str, Setting)>| {
            Setting::Table(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            )
        };
        let path = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let settings = vec![
            ("features", table(vec![("a", Setting::Bool(true))])),
            ("sandbox_workspace_write", table(vec![])),
            ("notify", Setting::List(vec![])),
        ];
        assert_eq!(
            super::leaves(&settings),
            vec![path(&["features", "a"]), path(&["notify"])]
        );
        assert!(super::covers(&settings, &path(&["features", "a"])));
        assert!(!super::covers(&settings, &path(&["features", "b"])));
        assert!(!super::covers(
            &settings,
            &path(&["sandbox_workspace_write", "writable_roots"])
        ));
        assert!(super::covers(&settings, &path(&["notify", "x"])));
        let mut put = settings.clone();
        super::put(&mut put, "features", &path(&["b"]), Setting::Bool(false));
        super::put(
            &mut put,
            "unchecked",
            &path(&["t", "x"]),
            Setting::Number(1),
        );
        assert!(super::covers(&put, &path(&["features", "a"])));
        assert_eq!(
            super::leaf(&put, &path(&["features", "b"])),
            Some(&Setting::Bool(false))
        );
        assert_eq!(
            super::leaf(&put, &path(&["unchecked", "t", "x"])),
            Some(&Setting::Number(1))
        );
    }
    use super::keys::{self, KeyDoc, Kind};
    use super::*;
    use crate::codex::{NEWEST_KNOWN, Target};

    /// A value of `k`'s kind that the checker accepts.
    fn sample(k: &KeyDoc) -> String {
        match k.kind {
            Kind::Text => "sample".to_owned(),
            Kind::Url => "https://example.com/v1".to_owned(),
            Kind::AbsolutePath => "/etc/sample.json".to_owned(),
            Kind::Choice(_) => k.choices(NEWEST_KNOWN)[0].to_owned(),
            Kind::Count { min, .. } => min.max(1).to_string(),
            Kind::Bool => "true".to_owned(),
            Kind::TextList => "[sample]".to_owned(),
            Kind::TextMap => "{SAMPLE: sample}".to_owned(),
            Kind::BoolMap => "{sample: true}".to_owned(),
            Kind::Table(_, table) => {
                let entries: Vec<String> = table
                    .iter()
                    .map(|sub| format!("{}: {}", sub.name, sample(sub)))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
            _ => unreachable!("`{}` has no sample", k.name),
        }
    }

    /// Every Codex setting, in `settings:` and in a profile.
    fn settings_lines(indent: &str) -> String {
        use std::fmt::Write as _;
        let mut text = String::new();
        for k in keys::SETTINGS
            .iter()
            .filter(|k| !matches!(k.kind, Kind::Refused))
        {
            let _ = writeln!(text, "{indent}{}: {}", k.name, sample(k));
        }
        text
    }

    fn lines(table: &[&'static KeyDoc], skip: &[&str], indent: &str) -> String {
        use std::fmt::Write as _;
        let mut text = String::new();
        for k in table
            .iter()
            .filter(|k| k.is_scalar() && !skip.contains(&k.name))
        {
            let _ = writeln!(text, "{indent}{}: {}", k.name, sample(k));
        }
        text
    }

    /// Every scalar key of the provider, capabilities and profile tables
    /// is checked, kept and written: a key the key table gains reaches the
    /// files with no other edit (the string-keyed `Provider::keys` and the
    /// templates' loops would drop one the compiler cannot see).
    #[test]
    fn every_scalar_key_of_the_key_table_is_written() {
        fn all(table: &'static [KeyDoc]) -> Vec<&'static KeyDoc> {
            table.iter().collect()
        }
        let (own, gcp_only): (Vec<&KeyDoc>, Vec<&KeyDoc>) =
            keys::PROVIDER.iter().partition(|k| !k.builtin_only);
        let gcp_only: Vec<&KeyDoc> = gcp_only
            .into_iter()
            .filter(|k| k.builtin.gcp.is_some())
            .collect();
        let text = format!(
            "schema: 1\nversion: \"1\"\ndefault: p\nproviders:\n  x:\n    env_key: X_KEY\n{}    capabilities:\n{}  gcp:\n{}profiles:\n  p:\n    provider: x\n{}{}settings:\n{}",
            lines(&own, &["env_key"], "    "),
            lines(&all(keys::CAPABILITIES), &[], "      "),
            lines(&gcp_only, &[], "    "),
            lines(&all(keys::PROFILE), &["provider"], "    "),
            settings_lines("    "),
            settings_lines("  "),
        );
        let source = Source {
            name: "providers.yaml".to_owned(),
            text,
        };
        let catalog = match layer(vec![source]).and_then(|l| l.build(&Target::at(NEWEST_KNOWN))) {
            Ok(catalog) => catalog,
            Err(CatalogError::Invalid(problems)) => panic!("{problems:#?}"),
            Err(e) => panic!("{e}"),
        };
        let provider = &catalog.providers[0];
        for k in keys::PROVIDER
            .iter()
            .filter(|k| k.is_scalar() && !k.builtin_only)
        {
            assert!(
                provider.writes(k.name),
                "provider key `{}` is dropped",
                k.name
            );
        }
        let capabilities = provider.capabilities.as_deref().unwrap_or_default();
        for k in keys::CAPABILITIES {
            assert!(
                capabilities.iter().any(|(name, _)| *name == k.name),
                "capability `{}` is dropped",
                k.name
            );
        }
        let gcp = &catalog.bedrock[0];
        for k in gcp_only.iter().filter(|k| k.is_scalar()) {
            assert!(
                gcp.settings.iter().any(|(name, _)| *name == k.name),
                "gcp key `{}` is dropped",
                k.name
            );
        }
        let profile = &catalog.profiles[0];
        let top = catalog.top_level();
        for name in profile_settings() {
            assert!(
                profile.setting(name).is_some(),
                "profile key `{name}` is dropped"
            );
            assert!(
                find_setting(&catalog.settings, name).is_some()
                    && find_setting(&top, name).is_some(),
                "setting `{name}` is dropped"
            );
        }
        // A table keeps every key of its own table.
        for k in keys::SETTINGS {
            if let Kind::Table(_, table) = k.kind {
                let Some(Setting::Table(entries)) = profile.setting(k.name) else {
                    panic!("`{}` is not a table", k.name);
                };
                assert_eq!(entries.len(), table.len(), "`{}` drops a key", k.name);
            }
        }
    }
}
