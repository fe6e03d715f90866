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

mod build;
#[cfg(test)]
mod codex_facts;
pub mod edit;
mod emit;
pub mod keys;
mod mcp;
mod yaml;

pub use build::is_env_name;
pub use emit::{Mapping, Plain};
pub use keys::json_schema_text;
pub use mcp::{McpServer, McpValue};

/// The profile keys that are Codex settings (all but `provider` and
/// `model`), in the catalog's order: from the one key table.
pub fn profile_settings() -> impl Iterator<Item = &'static str> + Clone {
    keys::PROFILE
        .iter()
        .filter(|k| !matches!(k.kind, keys::Kind::Refused | keys::Kind::MapOf(..)))
        .map(|k| k.name)
        .filter(|k| !matches!(*k, "provider" | "model"))
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
    /// `[mcp_servers.<id>]` tables, in catalog order.
    pub mcp_servers: Vec<McpServer>,
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
        let mut map = serializer.serialize_map(Some(5 + self.settings.len()))?;
        map.serialize_entry("name", self.name.as_str())?;
        map.serialize_entry("provider", &self.provider)?;
        map.serialize_entry("model", &self.model)?;
        for (key, value) in &self.settings {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("settings", &Settings(&self.settings))?;
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

/// The value of one scalar Codex setting, as Codex's TOML holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Setting {
    Text(String),
    Number(i64),
    Bool(bool),
}

impl Setting {
    /// The text of a text setting (`None` for a number or a switch).
    pub fn text(&self) -> Option<&str> {
        match self {
            Setting::Text(text) => Some(text),
            Setting::Number(_) | Setting::Bool(_) => None,
        }
    }
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Setting::Text(text) => f.write_str(text),
            Setting::Number(n) => write!(f, "{n}"),
            Setting::Bool(b) => write!(f, "{b}"),
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
            _ => unreachable!("`{}` is not a scalar", k.name),
        }
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
            "schema: 1\nversion: \"1\"\ndefault: p\nproviders:\n  x:\n    env_key: X_KEY\n{}    capabilities:\n{}  gcp:\n{}profiles:\n  p:\n    provider: x\n{}",
            lines(&own, &["env_key"], "    "),
            lines(&all(keys::CAPABILITIES), &[], "      "),
            lines(&gcp_only, &[], "    "),
            lines(&all(keys::PROFILE), &[], "    "),
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
        for name in profile_settings() {
            assert!(
                profile.setting(name).is_some(),
                "profile key `{name}` is dropped"
            );
        }
    }
}
