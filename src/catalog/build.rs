//! Owns the step from a layered YAML tree to a typed [`Catalog`]: every key is
//! checked (unknown keys with a suggestion, types, values, cross references,
//! what the target Codex accepts) and every problem is collected, so one run
//! reports them all. Does not read files.

use std::collections::{HashMap, HashSet};

use super::keys::{self, Changeable, KeyDoc, Kind, Secret};
use super::yaml::{Key, Node, Pos, Value};
use super::{
    AuthCommand, Aws, Bedrock, Catalog, McpServer, Pairs, Profile, Provider, SCHEMAS, Setting,
    Source, provider_settings, snippet,
};
use crate::codex::{self, Target, Version, VersionReq};
use crate::diagnostic::{Code, Problem, did_you_mean, is_unprintable};
use crate::home::{self, CodexFile, NameFault, ProfileName};
use crate::input;
use crate::secrets::{self, contains_credential, is_credential_name, looks_like_secret};

mod mcp;
pub use mcp::expands_a_variable;

/// The longest string value a catalog may hold, in bytes. The longest real
/// one (an `env_key_instructions`) is a few hundred bytes.
pub const MAX_STRING: usize = 64 * 1024;

/// The most arguments a key command may have: real ones have a few.
const MAX_ARGS: usize = 64;

/// A key an overlay removed with `~`: where the key was, and where the `~`
/// is, so that what its absence breaks points at the line that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub path: Vec<String>,
    pub pos: Pos,
}

/// Lays `top` over `base`: maps merge key by key, a null removes the key
/// (recorded in `removals`), anything else replaces. Linear in the entries:
/// keys are found through an index, and an entry keeps its place (with the
/// overlay's position).
pub fn overlay(base: Node, top: Node, removals: &mut Vec<Removal>) -> Node {
    overlay_at(base, top, &mut Vec::new(), removals)
}

fn overlay_at(base: Node, top: Node, path: &mut Vec<String>, removals: &mut Vec<Removal>) -> Node {
    let replaces_a_map = matches!(base.value, Value::Map(_));
    match (base.value, top.value) {
        (Value::Map(entries), Value::Map(top_entries)) => {
            let mut slots: Vec<Option<(Key, Node)>> = entries.into_iter().map(Some).collect();
            let mut index: HashMap<String, usize> = slots
                .iter()
                .enumerate()
                .filter_map(|(i, slot)| slot.as_ref().map(|(k, _)| (k.name.clone(), i)))
                .collect();
            for (key, value) in top_entries {
                match (index.get(&key.name).copied(), &value.value) {
                    (Some(i), Value::Null) => {
                        slots[i] = None;
                        index.remove(&key.name);
                        path.push(key.name);
                        removals.push(Removal {
                            path: path.clone(),
                            pos: value.pos,
                        });
                        path.pop();
                    }
                    (None, Value::Null) => {}
                    (Some(i), _) => {
                        let (old_key, old) = slots[i].take().expect("indexed slots are full");
                        let key = Key {
                            pos: key.pos,
                            ..old_key
                        };
                        path.push(key.name.clone());
                        let merged = overlay_at(old, value, path, removals);
                        path.pop();
                        slots[i] = Some((key, merged));
                    }
                    (None, _) => {
                        // Set again after an earlier overlay removed it.
                        path.push(key.name.clone());
                        if !removals.is_empty() {
                            removals.retain(|r| !r.path.starts_with(path));
                        }
                        path.pop();
                        index.insert(key.name.clone(), slots.len());
                        slots.push(Some((key, value)));
                    }
                }
            }
            Node {
                value: Value::Map(slots.into_iter().flatten().collect()),
                pos: base.pos,
            }
        }
        (_, value) => {
            if replaces_a_map && !removals.is_empty() {
                removals.retain(|r| !r.path.starts_with(path));
            }
            Node {
                value,
                pos: top.pos,
            }
        }
    }
}

/// Reads the root's `codex:` field, if any.
pub fn codex_requirement(sources: &[Source], root: &Node) -> Result<Option<VersionReq>, Problem> {
    let Value::Map(entries) = &root.value else {
        return Ok(None);
    };
    let Some((_, node)) = entries.iter().find(|(k, _)| k.name == "codex") else {
        return Ok(None);
    };
    let problem = |label: String| {
        Problem::new("the catalog's `codex:` is not a Codex version requirement")
            .code(Code::BadCodexRequirement)
            .at(snippet(sources, node.pos))
            .label(label)
            .help("write a version or a range in quotes, e.g. codex: \">=0.134\" or codex: \"0.169.0\"")
    };
    match &node.value {
        Value::Str(text) => text
            .parse()
            .map(Some)
            .map_err(|e: codex::BadRequirement| problem(e.to_string())),
        other => Err(problem(format!("found {}", other.kind()))),
    }
}

/// Builds the catalog or returns every problem found.
pub fn catalog(
    sources: &[Source],
    root: &Node,
    removals: &[Removal],
    target: &Target,
) -> Result<Catalog, Vec<Problem>> {
    let mut b = Builder::new(sources, target, removals);
    b.named.push("OPENAI_API_KEY".to_owned());
    let catalog = b.root(root);
    // From here on (the problems above included, rendered later), nothing
    // printed may show a value of a variable the catalog names; and the
    // catalog itself, printed everywhere, must not hold one.
    let named = std::mem::take(&mut b.named);
    let values = secrets::VariableValues::of(named.iter().map(String::as_str));
    values.conceal();
    b.no_variable_values(root, &values, &mut Vec::new());
    if b.problems.is_empty() {
        catalog.ok_or_else(|| vec![Problem::new("the catalog is empty").code(Code::EmptyCatalog)])
    } else {
        Err(b.problems)
    }
}

struct Builder<'a> {
    sources: &'a [Source],
    target: &'a Target,
    /// What overlays removed, to blame for what their absence breaks.
    removals: &'a [Removal],
    /// Providers an overlay removed that profiles still name: the `~`, the
    /// id and the profiles, reported once per removal.
    removed_in_use: Vec<(Pos, String, Vec<String>)>,
    problems: Vec<Problem>,
    /// Every variable whose value Codex sends for the catalog, named so
    /// far, valid catalog or not: each `env_key`, each `env_http_headers`
    /// variable (recorded where they are read), and `OPENAI_API_KEY`.
    named: Vec<String>,
    /// The catalog's MCP servers, for the profiles that change them.
    mcp: Vec<McpServer>,
}

impl<'a> Builder<'a> {
    /// A builder with nothing found yet.
    fn new(sources: &'a [Source], target: &'a Target, removals: &'a [Removal]) -> Self {
        Builder {
            sources,
            target,
            removals,
            removed_in_use: Vec::new(),
            problems: Vec::new(),
            named: Vec::new(),
            mcp: Vec::new(),
        }
    }
}

/// The keys of one YAML map, handed out one by one; whatever was not asked
/// for is an unknown key.
struct Fields<'n> {
    entries: &'n [(Key, Node)],
    /// "provider `groq`", for messages.
    what: String,
    /// The keys this map may hold: what is not here (nor in `also`) is
    /// unknown.
    keys: &'static [KeyDoc],
    /// More keys it may hold (a profile's Codex settings).
    also: &'static [KeyDoc],
    /// Whether it may hold `unchecked` (`keys::UNCHECKED`).
    unchecked: bool,
    asked: Vec<&'static str>,
}

impl<'n> Fields<'n> {
    /// The entry for `name` in this map's key tables.
    fn find(&self, name: &str) -> Option<&'static KeyDoc> {
        if self.unchecked && name == keys::UNCHECKED.name {
            return Some(&keys::UNCHECKED);
        }
        keys::find(self.keys, name).or_else(|| keys::find(self.also, name))
    }

    /// Every key this map may hold, in table order.
    fn names(&self) -> impl Iterator<Item = &'static str> + Clone + use<> {
        keys::names(self.keys)
            .chain(keys::names(self.also))
            .chain(self.unchecked.then_some(keys::UNCHECKED.name))
    }

    fn take(&mut self, key: &'static str) -> Option<&'n Node> {
        debug_assert!(
            self.find(key).is_some(),
            "`{key}` is missing from the key table of {}",
            self.what
        );
        self.asked.push(key);
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// The position of `key`'s name, when the map has it.
    fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, _)| k.pos)
    }

    /// Whether some key here looks like a typo of `key`; its unknown-key
    /// error already says so, and "`key` is missing" would only repeat it.
    fn has_typo_of(&self, key: &str) -> bool {
        self.entries
            .iter()
            .any(|(k, _)| k.name != key && did_you_mean(&k.name, [key]).is_some())
    }
}

impl Builder<'_> {
    /// The removal (`~` in an overlay) of `path` or of a map holding it.
    fn removal(&self, path: &[&str]) -> Option<&Removal> {
        self.removals
            .iter()
            .filter(|r| r.path.len() <= path.len() && r.path.iter().zip(path).all(|(a, b)| a == b))
            .max_by_key(|r| r.path.len())
    }

    /// Reports a missing key: at the overlay's `~` that removed it, when one
    /// did, else at `at` with the ordinary message.
    fn missing(
        &mut self,
        path: &[&str],
        at: Pos,
        message: String,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        if let Some(removal) = self.removal(path) {
            let pos = removal.pos;
            let file = self.sources[pos.file].name.clone();
            let removed = removal.path.join(".");
            self.error(
                Code::MissingKey,
                pos,
                format!("{message}: {file} removes `{removed}`"),
                "removed here",
                "drop this `~` line to keep the value underneath, or write the value you want here instead",
            );
        } else {
            self.error(Code::MissingKey, at, message, label, help);
        }
    }

    /// The text a scalar was written as in its file (`No`, `1.10`), when
    /// it stands on one line and holds no quote.
    fn written(&self, pos: Pos) -> Option<String> {
        let text = super::yaml::as_yaml_counts(&self.sources.get(pos.file)?.text);
        let line = text.lines().nth(pos.line.checked_sub(1)?)?;
        let text: String = line
            .chars()
            .skip(pos.column.checked_sub(1)?)
            .take(pos.width)
            .collect();
        (!text.trim().is_empty()
            && !text.contains(['"', '\\'])
            && text.chars().count() == pos.width)
            .then_some(text)
    }

    fn error(
        &mut self,
        code: Code,
        pos: Pos,
        message: String,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        let snippet = snippet(self.sources, pos);
        self.problems.push(
            Problem::new(message)
                .code(code)
                .at(snippet)
                .label(label)
                .help(help),
        );
    }

    fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: String,
        keys: &'static [KeyDoc],
    ) -> Option<Fields<'n>> {
        if let Value::Map(entries) = &node.value {
            Some(Fields {
                entries,
                what,
                keys,
                also: &[],
                unchecked: false,
                asked: Vec::new(),
            })
        } else {
            self.error(
                Code::WrongType,
                node.pos,
                format!("{what} must be a map of keys"),
                format!("found {}", node.value.kind()),
                "write it as `key: value` lines indented under its name",
            );
            None
        }
    }

    /// Reports every key of `fields` that its key table does not list.
    fn finish(&mut self, fields: &Fields<'_>, extra_help: &str) {
        debug_assert!(
            fields.names().all(|k| fields.asked.contains(&k)),
            "the checker of {} skips a key of its table",
            fields.what
        );
        for (key, _) in fields.entries {
            if fields.find(&key.name).is_some() {
                continue;
            }
            let suggestion = did_you_mean(&key.name, fields.names());
            let label = suggestion.map_or_else(
                || "not a key codexgen knows".to_owned(),
                |s| format!("did you mean `{s}`?"),
            );
            let known: Vec<&str> = fields.names().collect();
            let help = format!("known keys here: {}{extra_help}", known.join(", "));
            self.error(
                Code::UnknownKey,
                key.pos,
                format!("unknown key `{}` in {}", key.name, fields.what),
                label,
                help,
            );
        }
    }

    fn root(&mut self, root: &Node) -> Option<Catalog> {
        if matches!(root.value, Value::Null) {
            self.error(Code::EmptyCatalog,
                root.pos,
                "the catalog is empty".to_owned(),
                "nothing here",
                "start with `schema: 1`, `version:`, `default:`, `providers:` and `profiles:` (see the README)",
            );
            return None;
        }
        let mut f = self.fields(root, "the catalog".to_owned(), keys::ROOT)?;
        self.schema(f.take("schema"), root.pos);
        let version = self.required_string(
            &mut f,
            &[],
            "version",
            root.pos,
            "a version such as \"2026.11.1\"",
        );
        // Read before the build, by `codex_requirement`; asked for here so it is known.
        f.take("codex");
        let default = f.take("default");
        let providers_node = f.take("providers");
        let profiles_node = f.take("profiles");
        let settings = match f.take("settings") {
            Some(node) if !matches!(node.value, Value::Null) => self
                .fields(node, "`settings`".to_owned(), keys::SETTINGS)
                .map(|mut s| {
                    s.unchecked = true;
                    let set = self.codex_settings(&mut s, Place::TopLevel);
                    self.finish(&s, "");
                    set
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let mcp_servers_node = f.take("mcp_servers");
        // Cross references are checked against every declared name, valid or
        // not, so one broken provider does not also break each profile using it.
        let provider_ids = Declared::of(providers_node);
        let profile_names = Declared::of(profiles_node);
        let (providers, bedrock, mcp_servers, profiles) = self.entries(
            providers_node,
            mcp_servers_node,
            profiles_node,
            &provider_ids,
            profile_names.order.len(),
        );
        self.report_removed_in_use();
        self.finish(&f, "");

        // `default: ~` (in the file, or an overlay removing the team's):
        // codexgen leaves config.toml's `model` and `model_provider` alone.
        let default = match default {
            None if self.removal(&["default"]).is_some() => Some(None),
            Some(node) if matches!(node.value, Value::Null) => Some(None),
            None => {
                self.error(Code::MissingKey,
                    root.pos,
                    "the catalog has no `default` profile".to_owned(),
                    "add `default: <profile>` at the top level",
                    format!("the default profile's model and provider become {}'s `model` and `model_provider` (`default: ~` leaves them to you)", CodexFile::Config),
                );
                None
            }
            Some(node) => self.string(node, "`default`").and_then(|name| {
                if profile_names.contains(&name) {
                    Some(Some(name))
                } else if let Some(removal) = self.removal(&["profiles", &name]) {
                    let pos = removal.pos;
                    let file = self.sources[pos.file].name.clone();
                    self.error(
                        Code::MissingProfile,
                        pos,
                        format!("{file} removes profile `{name}`, the catalog's `default`"),
                        "removed here",
                        "drop this `~` line to keep the profile, or pick another default in the overlay (`default: NAME`, or `default: ~` to leave config.toml's model to you)",
                    );
                    None
                } else {
                    let names = &profile_names.order;
                    let label = did_you_mean(&name, names.iter().copied()).map_or_else(
                        || "no profile has this name".to_owned(),
                        |s| format!("no profile has this name; did you mean `{s}`?"),
                    );
                    self.error(
                        Code::MissingProfile,
                        node.pos,
                        format!("`default` names a missing profile `{name}`"),
                        label,
                        format!("profiles in the catalog: {}", names.join(", ")),
                    );
                    None
                }
            }),
        };
        Some(Catalog {
            version: version?,
            default: default?,
            providers,
            bedrock,
            profiles,
            settings,
            mcp_servers,
        })
    }

    /// The providers on one side, the MCP servers and then the profiles
    /// (which may change them) on the other: they share only the names
    /// declared, and the problems of the other side come after this side's,
    /// as one pass gives them. Two at once from `halves::FROM` entries: a
    /// small catalog is not worth a thread (providers and profiles count;
    /// MCP servers are few).
    fn entries(
        &mut self,
        providers_node: Option<&Node>,
        mcp_servers_node: Option<&Node>,
        profiles_node: Option<&Node>,
        provider_ids: &Declared<'_>,
        profiles: usize,
    ) -> (Vec<Provider>, Vec<Bedrock>, Vec<McpServer>, Vec<Profile>) {
        let mut other = self.other_side();
        let mut profiles_side = || {
            other.mcp = other.mcp_servers(mcp_servers_node);
            other.profiles(profiles_node, provider_ids)
        };
        let ((providers, bedrock), profiles) =
            if provider_ids.order.len() + profiles >= crate::halves::FROM {
                crate::halves::both(|| self.providers(providers_node), profiles_side)
            } else {
                (self.providers(providers_node), profiles_side())
            };
        self.problems.append(&mut other.problems);
        self.named.append(&mut other.named);
        self.removed_in_use.append(&mut other.removed_in_use);
        (providers, bedrock, other.mcp, profiles)
    }

    /// A builder for another part of the same catalog, with nothing found yet.
    fn other_side(&self) -> Self {
        Builder::new(self.sources, self.target, self.removals)
    }

    /// One problem per removed provider that profiles still use, at the
    /// overlay's `~`: the line to change is there, not in the team file.
    fn report_removed_in_use(&mut self) {
        for (pos, id, users) in std::mem::take(&mut self.removed_in_use) {
            let file = self.sources[pos.file].name.clone();
            let names = users
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let (message, help) = if let [user] = users.as_slice() {
                (
                    format!("{file} removes provider `{id}`, which profile `{user}` still uses"),
                    format!(
                        "drop this `~` line to keep the provider, or also remove the profile (`{user}: ~` under `profiles:`) or point it at another provider"
                    ),
                )
            } else {
                (
                    format!("{file} removes provider `{id}`, which profiles {names} still use"),
                    "drop this `~` line to keep the provider, or also remove those profiles (`NAME: ~` under `profiles:`) or point them at another provider".to_owned(),
                )
            };
            self.error(Code::MissingProvider, pos, message, "removed here", help);
        }
    }

    fn schema(&mut self, node: Option<&Node>, root: Pos) {
        let supported = SCHEMAS
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        match node.map(|n| (&n.value, n.pos)) {
            None => self.missing(
                &["schema"],
                root,
                "the catalog has no `schema`".to_owned(),
                "add `schema: 1` as the first line",
                format!("this codexgen reads catalog schema {supported}"),
            ),
            Some((Value::Int(n), _)) if SCHEMAS.contains(n) => {}
            Some((Value::Int(n), pos)) if SCHEMAS.iter().all(|s| n > s) => self.error(
                Code::UnsupportedSchema,
                pos,
                format!("catalog schema {n} is newer than this codexgen understands"),
                format!("this codexgen reads schema {supported}"),
                "upgrade codexgen, or use a catalog written for schema 1",
            ),
            Some((value, pos)) => self.error(
                Code::UnsupportedSchema,
                pos,
                "unknown catalog `schema`".to_owned(),
                format!("found {}", describe(value)),
                format!("this codexgen reads schema {supported}; write `schema: 1`"),
            ),
        }
    }

    /// The catalog's providers, and its tables for Codex's Amazon Bedrock
    /// built-ins (which only change a few keys).
    fn providers(&mut self, node: Option<&Node>) -> (Vec<Provider>, Vec<Bedrock>) {
        let (mut providers, mut bedrock) = (Vec::new(), Vec::new());
        let Some(node) = node else {
            return (providers, bedrock);
        };
        if matches!(node.value, Value::Null) {
            return (providers, bedrock);
        }
        let Some(f) = self.fields(node, "`providers`".to_owned(), &[]) else {
            return (providers, bedrock);
        };
        for (key, value) in f.entries {
            if self.target.changes_builtin(&key.name) {
                bedrock.extend(self.bedrock(key, value));
            } else {
                providers.extend(self.provider(key, value));
            }
        }
        (providers, bedrock)
    }

    /// A table for one of Codex's built-ins that let a table change a few
    /// keys (`amazon-bedrock`, `amazon-bedrock-runtime`, `gcp`): Codex
    /// refuses every key but those, and which those are grew release by
    /// release (the entries' `builtin` in `keys::PROVIDER`).
    fn bedrock(&mut self, key: &Key, node: &Node) -> Option<Bedrock> {
        let id = key.name.clone();
        let what = format!("provider `{id}`");
        let mut f = self.fields(node, what.clone(), keys::PROVIDER)?;
        let signs_with_aws = self.target.is_bedrock(&id);
        let which = Changeable::of(self.target, &id).unwrap_or(Changeable::Gcp);
        let version = self.target.version;
        let (allowed, later) = keys::changeable(which, version);
        let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
        let base_url = f.take("base_url").and_then(|n| self.base_url(n));
        let http_headers = self.pairs(f.take("http_headers"), &what, PairKind::Header);
        let auth = f
            .take("auth")
            .and_then(|n| self.auth(n, &format!("`auth` of {what}"), keys::AUTH));
        let aws = if signs_with_aws {
            f.take("aws")
                .and_then(|n| self.aws(n, &what, &allowed, &later))
        } else {
            None
        };
        // The scalar keys only such a built-in reads (`project_id`, ...),
        // those this one takes in this release.
        let only_here = keys::PROVIDER
            .iter()
            .filter(|k| k.builtin_only && k.is_scalar() && allowed.contains(&k.name))
            .map(|k| k.name);
        let settings = self.settings(&mut f, only_here);
        // Every other known key is judged here, by what this built-in's
        // table may change, not as unknown.
        for k in keys::names(keys::PROVIDER) {
            f.take(k);
        }
        for (k, _) in f.entries {
            let name = k.name.as_str();
            let known = keys::find(keys::PROVIDER, name).is_some();
            if !known || (name == "aws" && signs_with_aws) || allowed.contains(&name) {
                continue;
            }
            let changeable: Vec<&str> = allowed.clone();
            self.error(
                Code::UnsupportedKey,
                k.pos,
                format!("`{name}` of {what}: Codex {version} lets a table for its built-in `{id}` change only {}", changeable.join(", ")),
                "Codex refuses the whole table for this key",
                if name == "name" {
                    "remove it: Codex names its built-in provider itself".to_owned()
                } else {
                    format!("remove it, or use another provider id for a provider of your own (Codex {version} reserves `{id}`)")
                },
            );
        }
        if let (Some(_), Some(pos)) = (&auth, f.key_pos("aws")) {
            self.error(
                Code::KeySources,
                pos,
                format!("{what} has two ways to get its key: `auth` and `aws`"),
                "Codex refuses a provider with both",
                "keep one: `auth` runs a command that prints a bearer key, `aws` signs with AWS credentials",
            );
        }
        self.finish(&f, "");
        Some(Bedrock {
            id,
            base_url,
            http_headers,
            auth,
            aws,
            settings,
        })
    }

    fn provider(&mut self, key: &Key, node: &Node) -> Option<Provider> {
        let id = key.name.clone();
        let id_ok = self.id(key, "provider id", false);
        self.not_builtin(key);
        let what = format!("provider `{id}`");
        let mut f = self.fields(node, what.clone(), keys::PROVIDER)?;
        // Every Codex refuses a provider table without a `name` (measured on
        // 0.89-0.169): when the catalog gives none, the id is the name.
        let name = match f.take("name") {
            Some(n) => {
                let field = format!("`name` of {what}");
                self.string(n, &field)
                    .filter(|text| self.no_credential(n.pos, text, &field))
            }
            None => Some(id.clone()),
        };
        let base_url = if let Some(n) = f.take("base_url") {
            self.base_url(n)
        } else if f.has_typo_of("base_url") {
            None
        } else {
            self.missing(
                &["providers", &id, "base_url"],
                key.pos,
                format!("{what} has no `base_url`"),
                "add `base_url: https://...` (the part before /responses)",
                "without a base_url Codex would send this provider's requests to OpenAI",
            );
            None
        };
        let env_key_node = f.take("env_key");
        let env_key = env_key_node.and_then(|n| self.env_name(n, &what));
        let wire_api = match f.take("wire_api") {
            None => Some("responses".to_owned()),
            Some(n) => self.wire_api(n, &id),
        };
        let query_params = self.pairs(f.take("query_params"), &what, PairKind::Plain);
        let http_headers = self.pairs(f.take("http_headers"), &what, PairKind::Header);
        let env_http_headers = self.pairs(f.take("env_http_headers"), &what, PairKind::EnvHeader);
        let settings = self.settings(&mut f, provider_settings());
        let requires_openai_auth = settings.iter().find_map(|(k, v)| match (*k, v) {
            ("requires_openai_auth", Setting::Bool(b)) => Some(*b),
            _ => None,
        });
        let auth_node = f.take("auth");
        let auth = auth_node.and_then(|n| self.auth(n, &format!("`auth` of {what}"), keys::AUTH));
        let capabilities = f.take("capabilities").and_then(|n| {
            let what = format!("`capabilities` of {what}");
            let mut f = self.fields(n, what, keys::CAPABILITIES)?;
            let set = self.settings(&mut f, keys::names(keys::CAPABILITIES));
            self.finish(&f, "");
            Some(set)
        });
        self.builtin_keys_elsewhere(&mut f, &id);
        self.one_key_source(&f, &what, requires_openai_auth);
        self.newer_keys(&f, &what);
        if let Some(token) = f.take("experimental_bearer_token") {
            self.error(
                Code::LiteralSecret,
                token.pos,
                format!("{what} carries a literal token (`experimental_bearer_token`)"),
                "a shared catalog must not hold secrets",
                "put the token in an environment variable and name that variable in `env_key`",
            );
        }
        self.finish(&f, "");
        if !id_ok {
            return None;
        }
        Some(Provider {
            id,
            name: name?,
            base_url: base_url?,
            env_key,
            wire_api: wire_api?,
            query_params,
            http_headers,
            env_http_headers,
            settings,
            auth,
            capabilities,
        })
    }

    /// A catalog provider reusing the id of one of Codex's built-ins
    /// (other than Amazon Bedrock's, which `bedrock` handles): refused.
    fn not_builtin(&mut self, key: &Key) {
        let id = &key.name;
        if let Some(effect) = self.target.redefined_builtin(id) {
            self.error(Code::BuiltinProvider,
                key.pos,
                format!("provider id `{id}` is one of Codex's built-in providers"),
                format!(
                    "Codex {} {effect} (`[model_providers.{id}]`)",
                    self.target.version
                ),
                format!(
                    "remove this provider and use `provider: {id}` in profiles, or rename it (e.g. `local_{id}`)"
                ),
            );
        }
    }

    /// Provider keys newer than the oldest Codex codexgen knows, each
    /// refused for a target older than the release that reads it.
    fn newer_keys(&mut self, f: &Fields<'_>, what: &str) {
        for (key, first) in keys::gated(keys::PROVIDER) {
            self.needs_codex(f, key, first, what);
        }
    }

    /// `aws` on a provider that is not Codex's Amazon Bedrock: refused.
    fn aws_elsewhere(&mut self, f: &Fields<'_>, id: &str) {
        let Some(pos) = f.key_pos("aws") else {
            return;
        };
        let version = self.target.version;
        let label = if version >= codex::BEDROCK_PROVIDERS[0].1 {
            format!("Codex {version} refuses `aws` on any other provider")
        } else {
            format!("Codex {version} ignores it without a word")
        };
        self.error(
            Code::UnsupportedKey,
            pos,
            format!("`aws` of provider `{id}`: Codex signs with AWS only for its built-in `amazon-bedrock` provider"),
            label,
            format!(
                "put `aws:` under a provider named `amazon-bedrock` (Codex {} and newer) and use `provider: amazon-bedrock` in profiles",
                codex::BEDROCK_PROVIDERS[0].1
            ),
        );
    }

    /// The keys only a built-in's table reads (`aws`, `project_id`, ...),
    /// on a provider of the catalog's own: refused.
    fn builtin_keys_elsewhere(&mut self, f: &mut Fields<'_>, id: &str) {
        if f.take("aws").is_some() {
            self.aws_elsewhere(f, id);
        }
        for k in keys::PROVIDER {
            if k.builtin_only && k.builtin.gcp.is_some() && f.take(k.name).is_some() {
                self.gcp_elsewhere(f, k, id);
            }
        }
    }

    /// A Google Cloud key (`project_id`, ...) on a provider that is not
    /// Codex's `gcp`: refused (Codex 0.171.0 loads it and does nothing
    /// with it).
    fn gcp_elsewhere(&mut self, f: &Fields<'_>, k: &KeyDoc, id: &str) {
        let key = k.name;
        let Some(pos) = f.key_pos(key) else {
            return;
        };
        let (gcp, first) = codex::GCP_PROVIDER;
        self.error(
            Code::UnsupportedKey,
            pos,
            format!("`{key}` of provider `{id}`: Codex reads it only for its built-in `{gcp}` provider"),
            "Codex ignores it here without a word",
            format!(
                "put it under a provider named `{gcp}` (Codex {first} and newer; `{key}` from {}) and use `provider: {gcp}` in profiles",
                k.builtin.gcp.unwrap_or(first)
            ),
        );
    }

    /// A command Codex runs (`auth`, or `aws.auth_refresh` with `keys`).
    fn auth(&mut self, node: &Node, what: &str, table: &'static [KeyDoc]) -> Option<AuthCommand> {
        let mut f = self.fields(node, what.to_owned(), table)?;
        let command = if let Some(n) = f.take("command") {
            self.command_word(n, &format!("`command` of {what}"))
        } else {
            self.error(
                Code::MissingKey,
                node.pos,
                format!("{what} has no `command`"),
                "add `command:` with the program that prints the key",
                "e.g. `command: op` with `args: [read, \"op://Team/Groq/credential\"]`",
            );
            None
        };
        let cwd = if keys::find(table, "cwd").is_some() {
            f.take("cwd").and_then(|n| self.cwd(n, what))
        } else {
            None
        };
        // Without `cwd`, Codex takes a relative path from whatever folder
        // it was started in: the key would come and go with `cd`.
        let command = command.filter(|c| {
            let relative = c.contains('/') && !c.starts_with('/');
            if relative && f.key_pos("cwd").is_none() && keys::find(table, "cwd").is_some() {
                let pos = f.key_pos("command").unwrap_or(node.pos);
                self.error(
                    Code::BadValue,
                    pos,
                    format!("`command: {c}` in {what} is a relative path, and there is no `cwd`"),
                    "Codex would look for it in whatever folder Codex is started from",
                    "write an absolute path, a bare program name (looked up on PATH), or add `cwd:` (absolute, or relative to the Codex home)",
                );
                return false;
            }
            true
        });
        let args = self.text_list(f.take("args"), &format!("`args` of {what}"));
        let timeout_ms = self.count(&mut f, "timeout_ms");
        let refresh_interval_ms = if keys::find(table, "refresh_interval_ms").is_some() {
            self.count(&mut f, "refresh_interval_ms")
        } else {
            None
        };
        self.finish(&f, "");
        Some(AuthCommand {
            command: command?,
            args: args?,
            timeout_ms,
            refresh_interval_ms,
            cwd,
        })
    }

    /// `aws` of a Bedrock table; `allowed` are the keys (as `aws.KEY`) the
    /// target lets it set.
    fn aws(
        &mut self,
        node: &Node,
        owner: &str,
        allowed: &[&str],
        later: &[(String, Version)],
    ) -> Option<Aws> {
        let what = format!("`aws` of {owner}");
        let mut f = self.fields(node, what.clone(), keys::AWS)?;
        let text = |b: &mut Self, key: &'static str, f: &mut Fields<'_>| {
            f.take(key).and_then(|n| {
                let field = format!("`{key}` of {what}");
                b.string(n, &field)
                    .filter(|t| b.no_credential(n.pos, t, &field))
            })
        };
        let profile = text(self, "profile", &mut f);
        let region = text(self, "region", &mut f);
        let command = |b: &mut Self, key: &'static str, f: &mut Fields<'_>| {
            f.take(key)
                .and_then(|n| b.auth(n, &format!("`aws.{key}` of {owner}"), keys::AWS_COMMAND))
        };
        let auth_refresh = command(self, "auth_refresh", &mut f);
        let credential_export = command(self, "credential_export", &mut f);
        if let Some(pos) = f.key_pos("auth_refresh")
            && auth_refresh.as_ref().is_some_and(|c| c.command != "aws")
        {
            self.error(
                Code::BadValue,
                pos,
                format!("`aws.auth_refresh` of {owner} runs another program than `aws`"),
                "Codex accepts only `command: aws` here",
                "write `command: aws` and put the rest in `args:` (e.g. [sso, login])",
            );
        }
        if let (Some(_), Some(_), Some(pos)) =
            (&credential_export, &profile, f.key_pos("credential_export"))
        {
            self.error(
                Code::KeySources,
                pos,
                format!("{what} has both `credential_export` and `profile`"),
                "Codex refuses the two together",
                "keep one: `profile` names an AWS profile, `credential_export` runs a command that prints credentials",
            );
        }
        let version = self.target.version;
        for (k, _) in f.entries {
            let dotted = format!("aws.{}", k.name);
            if keys::find(keys::AWS, &k.name).is_none() || allowed.contains(&dotted.as_str()) {
                continue;
            }
            let first = later
                .iter()
                .find(|(key, _)| *key == dotted)
                .map_or(version, |(_, v)| *v);
            self.error(
                Code::UnsupportedKey,
                k.pos,
                format!(
                    "`{}` of {what} needs Codex {first} or newer; the target is Codex {version}",
                    k.name
                ),
                format!("Codex {version} refuses the table for this key"),
                "remove it, or target a newer Codex (`codex:` in the catalog, or --codex-version)",
            );
        }
        self.finish(&f, "");
        Some(Aws {
            profile,
            region,
            auth_refresh,
            credential_export,
        })
    }

    /// The program of an `auth` command: one non-empty word of text, or
    /// `aws` where the key table allows only that.
    fn command_word(&mut self, node: &Node, what: &str) -> Option<String> {
        let command = self.string(node, what)?;
        if command.trim().is_empty() {
            self.error(
                Code::EmptyValue,
                node.pos,
                format!("{what} is empty"),
                "Codex refuses an empty command",
                "name the program that prints the key, e.g. `op`",
            );
            return None;
        }
        if command.trim() != command {
            self.error(
                Code::BadValue,
                node.pos,
                format!("{what} has leading or trailing spaces"),
                "Codex runs the program by exactly this name",
                "remove the spaces; put arguments in `args:`",
            );
            return None;
        }
        if !self.no_credential(node.pos, &command, what) {
            return None;
        }
        Some(command)
    }

    /// `cwd`: an absolute path, or one Codex takes from the Codex home.
    fn cwd(&mut self, node: &Node, owner: &str) -> Option<String> {
        let what = format!("`cwd` of {owner}");
        let cwd = self.string(node, &what)?;
        if cwd.trim().is_empty() {
            self.error(
                Code::EmptyValue,
                node.pos,
                format!("{what} is empty"),
                "Codex cannot start the command in no folder",
                "write a folder (absolute, or relative to the Codex home), or leave `cwd` out",
            );
            return None;
        }
        Some(cwd)
    }

    /// A list of strings (a command's arguments); `None` after an error.
    fn text_list(&mut self, node: Option<&Node>, what: &str) -> Option<Vec<String>> {
        let Some(node) = node else {
            return Some(Vec::new());
        };
        let Value::Seq(items) = &node.value else {
            self.error(
                Code::WrongType,
                node.pos,
                format!("{what} must be a list"),
                format!("found {}", node.value.kind()),
                "write one argument per item: [read, \"op://Team/Item/credential\"]",
            );
            return None;
        };
        if items.len() > MAX_ARGS {
            self.error(
                Code::TooLong,
                node.pos,
                format!("{what} has {} items, more than {MAX_ARGS}", items.len()),
                "this list",
                "a key command needs a few arguments",
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            match self.string(item, what) {
                Some(text) if self.no_credential(item.pos, &text, what) => out.push(text),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A provider gets its key one way: `env_key` or `auth`, and `auth`
    /// does not go with `requires_openai_auth` (Codex refuses either pair
    /// at load: "provider auth cannot be combined with ...").
    fn one_key_source(&mut self, f: &Fields<'_>, what: &str, requires_openai_auth: Option<bool>) {
        let Some(auth) = f.key_pos("auth") else {
            return;
        };
        if f.key_pos("env_key").is_some() {
            self.error(
                Code::KeySources,
                auth,
                format!("{what} has two ways to get its key: `env_key` and `auth`"),
                "Codex refuses a provider with both",
                "keep one: `env_key` names a variable holding the key, `auth` runs a command that prints it (an overlay drops the team catalog's with `env_key: ~`)",
            );
        }
        if let (Some(true), Some(pos)) = (requires_openai_auth, f.key_pos("requires_openai_auth")) {
            self.error(
                Code::KeySources,
                pos,
                format!("{what} has `auth` and `requires_openai_auth: true`"),
                "Codex refuses `auth` together with this",
                "remove `requires_openai_auth` (or `auth`)",
            );
        }
    }

    /// Refuses `key` of a provider when the target Codex is older than
    /// `first`, the release that reads it: an older one ignores it
    /// without a word (unknown keys pass), so the provider would not work.
    fn needs_codex(&mut self, f: &Fields<'_>, key: &str, first: Version, what: &str) {
        let Some(pos) = f.key_pos(key) else {
            return;
        };
        self.too_old(pos, key, first, what);
    }

    /// Refuses a key of table `name` that the target Codex reads only beside
    /// a sibling (its entry's `needs`) when the map lacks that sibling: an
    /// older Codex refuses the whole file (`missing field persistence`).
    fn needs_sibling(&mut self, g: &Fields<'_>, table: &[KeyDoc], name: &str, owner: &str) {
        let version = self.target.version;
        for sub in table {
            let Some((sibling, until)) = sub.needs else {
                continue;
            };
            if version >= until || g.key_pos(sibling).is_some() {
                continue;
            }
            let Some(pos) = g.key_pos(sub.name) else {
                continue;
            };
            self.error(
                Code::UnsupportedKey,
                pos,
                format!(
                    "`{name}.{}` of {owner} needs `{name}.{sibling}` beside it for Codex {version}",
                    sub.name
                ),
                format!("Codex before {until} refuses config.toml without it"),
                format!(
                    "set `{sibling}` in `{name}` too, or target Codex {until} or newer (`codex:` in the catalog, or --codex-version)"
                ),
            );
        }
    }

    /// Refuses `key` (a path: `tui.animations`) of `what` at `pos`: the
    /// target Codex is older than `first`, the release that reads it there.
    fn too_old(&mut self, pos: Pos, key: &str, first: Version, what: &str) {
        let version = self.target.version;
        if version >= first {
            return;
        }
        let help = if key == "auth" {
            "name the key's variable in `env_key` instead (and export it), or target a newer Codex (`codex:` in the catalog, or --codex-version)".to_owned()
        } else {
            "remove it, or target a newer Codex (`codex:` in the catalog, or --codex-version)"
                .to_owned()
        };
        self.error(
            Code::UnsupportedKey,
            pos,
            format!(
                "`{key}` of {what} needs Codex {first} or newer; the target is Codex {version}"
            ),
            format!("Codex {version} ignores it without a word"),
            help,
        );
    }

    fn profiles(&mut self, node: Option<&Node>, providers: &Declared<'_>) -> Vec<Profile> {
        let Some(node) = node else {
            return Vec::new();
        };
        if matches!(node.value, Value::Null) {
            return Vec::new();
        }
        let Some(f) = self.fields(node, "`profiles`".to_owned(), &[]) else {
            return Vec::new();
        };
        let names: Vec<(&Key, ProfileName)> = f
            .entries
            .iter()
            .filter_map(|(key, _)| Some((key, ProfileName::new(&key.name)?)))
            .collect();
        self.one_file_each(&names);
        f.entries
            .iter()
            .filter_map(|(key, value)| self.profile(key, value, providers))
            .collect()
    }

    fn profile(&mut self, key: &Key, node: &Node, providers: &Declared<'_>) -> Option<Profile> {
        let name = ProfileName::new(&key.name);
        self.id(key, "profile name", true);
        let what = format!("profile `{}`", key.name);
        let mut f = self.fields(node, what.clone(), keys::PROFILE)?;
        f.also = keys::SETTINGS;
        f.unchecked = true;
        let provider = if let Some(n) = f.take("provider") {
            self.profile_provider(n, providers, &what)
        } else if f.has_typo_of("provider") {
            None
        } else {
            self.missing(
                &["profiles", &key.name, "provider"],
                key.pos,
                format!("{what} has no `provider`"),
                "add `provider: <id>` naming a catalog provider or a Codex built-in",
                format!(
                    "Codex's built-in providers: {}",
                    self.target.builtin_providers().join(", ")
                ),
            );
            None
        };
        let model = self
            .required_string(
                &mut f,
                &["profiles", &key.name],
                "model",
                key.pos,
                "the model id this provider serves",
            )
            .filter(|model| self.not_an_option(f.entries, model, &what));
        let settings = self.codex_settings(&mut f, Place::Profile);
        let mcp_servers = f
            .take("mcp_servers")
            .map(|n| self.mcp_in_profile(n, &what))
            .unwrap_or_default();
        for (key, first) in keys::gated(keys::PROFILE) {
            self.needs_codex(&f, key, first, &what);
        }
        self.finish(&f, "");
        Some(Profile {
            name: name?,
            provider: provider?,
            model: model?,
            settings,
            mcp_servers,
        })
    }

    /// The scalar keys `names` of a map, each checked as its entry in the
    /// key table says, in the table's order; those set and valid.
    fn settings(
        &mut self,
        f: &mut Fields<'_>,
        names: impl Iterator<Item = &'static str>,
    ) -> Vec<(&'static str, Setting)> {
        names
            .filter_map(|name| Some((name, self.setting(f, name)?)))
            .collect()
    }

    /// The Codex settings of a map (`settings:` or a profile): each key of
    /// `keys::SETTINGS` it holds, gated by the release that reads it in
    /// `place` and checked by its kind, in the table's order; those set and
    /// valid. Keys Codex does not read are refused with their reason.
    fn codex_settings(&mut self, f: &mut Fields<'_>, place: Place) -> Vec<(&'static str, Setting)> {
        let version = self.target.version;
        let what = f.what.clone();
        let mut out = Vec::new();
        for k in keys::SETTINGS {
            if matches!(k.kind, Kind::Refused) {
                continue;
            }
            if let Some(first) = place.first(k, version)
                && version < first
            {
                self.needs_codex(f, k.name, first, &what);
                f.take(k.name);
                continue;
            }
            if let Some(value) = self.value(f, k, place, &what) {
                out.push((k.name, value));
            }
        }
        self.ignored_by_codex(f, &what);
        if f.unchecked
            && let Some(node) = f.take(keys::UNCHECKED.name)
            && let Some(entries) = self.unchecked(node, &what, keys::SETTINGS)
        {
            out.push((keys::UNCHECKED.name, Setting::Table(entries)));
        }
        out
    }

    /// `unchecked`: Codex keys codexgen does not know, each written as
    /// given. A key codexgen knows (or owns, or leaves to Codex and the
    /// machine) is refused here: a typo of a known key must not pass for
    /// a new one. `known` is the key table of the map it is in (`SETTINGS`,
    /// or a settings table's: `TUI`). An empty map is none.
    fn unchecked(
        &mut self,
        node: &Node,
        owner: &str,
        known: &'static [KeyDoc],
    ) -> Option<Vec<(String, Setting)>> {
        /// Keys codexgen writes itself, or never: the machine's and Codex's own.
        const NOT_HERE: &[&str] = &[
            "model",
            "model_provider",
            "model_providers",
            "profile",
            "profiles",
            "projects",
            "notice",
            "mcp_servers",
        ];
        let what = format!("`unchecked` of {owner}");
        if matches!(node.value, Value::Null) {
            return None;
        }
        let Value::Map(entries) = &node.value else {
            self.error(
                Code::WrongType,
                node.pos,
                format!("{what} must be a map"),
                format!("found {}", node.value.kind()),
                "write `codex_key: value` lines indented under it",
            );
            return None;
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            let name = key.name.as_str();
            // One or two edits from a known key (or one a catalog never
            // sets here: `modle`): the user meant that key.
            let top = std::ptr::eq(known, keys::SETTINGS);
            let reserved = NOT_HERE.iter().copied().filter(|_| top);
            if let Some(meant) = did_you_mean(name, keys::names(known).chain(reserved))
                .filter(|meant| *meant != name && strsim::osa_distance(name, meant) <= 2)
            {
                self.error(
                    Code::UnknownKey,
                    key.pos,
                    format!("`{name}` in {what} is a typo of a key codexgen knows"),
                    format!("did you mean `{meant}`?"),
                    format!("write `{meant}` outside `unchecked`, where it is checked; a key Codex added that is this close to a known one is not taken unchecked"),
                );
                continue;
            }
            if let Some(k) = keys::find(known, name) {
                self.error(
                    Code::UnknownKey,
                    key.pos,
                    format!("`{name}` in {what} is a key codexgen knows"),
                    "known keys are checked, not passed through",
                    format!("write it outside `unchecked`, beside it: {}", k.description),
                );
                continue;
            }
            if top && NOT_HERE.contains(&name) {
                self.error(
                    Code::UnknownKey,
                    key.pos,
                    format!("`{name}` in {what} is not a key a catalog sets"),
                    "codexgen writes it itself, or it belongs to Codex and this machine",
                    "remove it: `model`/`model_provider` come from the profile, providers from `providers:`, and `[projects]`/`[notice]` stay in the machine's own config.toml",
                );
                continue;
            }
            if !is_bare_key(name) {
                self.error(
                    Code::BadName,
                    key.pos,
                    format!("`{name}` in {what} is not a Codex key"),
                    "Codex keys are letters, digits, `_` and `-`",
                    "write the key as Codex's documentation spells it",
                );
                continue;
            }
            let field = format!("`{name}` in {what}");
            if let Some(value) = self.free_value(value, name, &field, 0) {
                out.push((key.name.clone(), value));
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// A value of a key codexgen does not know, as Codex's TOML would hold
    /// it: text (scanned for credentials, and refused under a name that
    /// says it holds one), a whole number, a switch, a list of text, or a
    /// table of these.
    fn free_value(&mut self, node: &Node, name: &str, what: &str, depth: usize) -> Option<Setting> {
        const DEPTH: usize = 8;
        match &node.value {
            Value::Str(_) => {
                let text = self.string(node, what)?;
                if is_credential_name(name) {
                    self.error(
                        Code::LiteralSecret,
                        node.pos,
                        format!("{what} is named for a credential"),
                        "a shared catalog must not hold secrets",
                        "keep the secret in an environment variable and name the variable where Codex reads one",
                    );
                    return None;
                }
                Some(Setting::Text(text))
            }
            Value::Int(n) => Some(Setting::Number(*n)),
            Value::Bool(b) => Some(Setting::Bool(*b)),
            Value::Seq(_) => self.text_list(Some(node), what).map(Setting::List),
            Value::Map(entries) if depth < DEPTH => {
                let mut out = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    if !is_bare_key(&key.name) {
                        self.error(
                            Code::BadName,
                            key.pos,
                            format!("`{}` in {what} is not a Codex key", key.name),
                            "Codex keys are letters, digits, `_` and `-`",
                            "write the key as Codex's documentation spells it",
                        );
                        continue;
                    }
                    let field = format!("`{}` in {what}", key.name);
                    if let Some(v) = self.free_value(value, &key.name, &field, depth + 1) {
                        out.push((key.name.clone(), v));
                    }
                }
                Some(Setting::Table(out))
            }
            Value::Null => None,
            other => {
                self.error(
                    Code::WrongType,
                    node.pos,
                    format!("{what} cannot be written as it is"),
                    format!("found {}", other.kind()),
                    "codexgen writes text, whole numbers, true/false, lists of text and maps of these (nested at most 8 deep); set another value in the Codex file by hand",
                );
                None
            }
        }
    }

    /// One key of a map, checked by its kind: a scalar as [`Self::setting`]
    /// checks it, a list of text, a map of text or of switches, or a table
    /// of its own keys. An empty list is written (`[]`: Codex then has
    /// none, over a team's list, as lists replace); an empty map is no
    /// setting (Codex merges maps, so `{}` would change nothing).
    ///
    /// A sub-key of a table is gated as a key is: by the release that reads
    /// it in `place` (Codex 0.133.0's `[profiles.NAME.tui]` refuses the
    /// whole config.toml for a key it does not read), its message naming
    /// its path from `owner` ("profile `beta`").
    fn value(
        &mut self,
        f: &mut Fields<'_>,
        k: &'static KeyDoc,
        place: Place,
        owner: &str,
    ) -> Option<Setting> {
        if k.is_scalar() {
            return self.setting(f, k.name);
        }
        let node = f.take(k.name)?;
        let what = format!("`{}` of {}", k.name, f.what);
        let value = match k.kind {
            Kind::TextList => Setting::List(self.text_list(Some(node), &what)?),
            Kind::TextMap => Setting::Table(
                self.pairs(Some(node), &what, PairKind::Setting)
                    .0
                    .into_iter()
                    .map(|(k, v)| (k, Setting::Text(v)))
                    .collect(),
            ),
            Kind::BoolMap => Setting::Table(self.switches(node, &what)?),
            Kind::Table(_, table) => {
                let mut g = self.fields(node, what.clone(), table)?;
                // Codex keys of this table that codexgen does not know yet.
                g.unchecked = true;
                let mut entries = Vec::new();
                let version = self.target.version;
                for sub in table {
                    if let Some(first) = place.first(sub, version)
                        && version < first
                    {
                        if let Some(pos) = g.key_pos(sub.name) {
                            let path = format!("{}.{}", k.name, sub.name);
                            self.too_old(pos, &path, first, owner);
                        }
                        g.take(sub.name);
                        continue;
                    }
                    if let Some(value) = self.value(&mut g, sub, place, owner) {
                        entries.push((sub.name.to_owned(), value));
                    }
                }
                self.needs_sibling(&g, table, k.name, owner);
                if let Some(node) = g.take(keys::UNCHECKED.name)
                    && let Some(free) = self.unchecked(node, &what, table)
                {
                    entries.push((keys::UNCHECKED.name.to_owned(), Setting::Table(free)));
                }
                self.finish(&g, "");
                Setting::Table(entries)
            }
            _ => unreachable!("`{}` of {} has no checker", k.name, f.what),
        };
        match &value {
            Setting::Table(entries) if entries.is_empty() => None,
            _ => Some(value),
        }
    }

    /// A map of names to true or false (`features`): each name a plain
    /// word, which the installed Codex judges under `gen --verify`.
    fn switches(&mut self, node: &Node, what: &str) -> Option<Vec<(String, Setting)>> {
        let Value::Map(entries) = &node.value else {
            self.error(
                Code::WrongType,
                node.pos,
                format!("{what} must be a map"),
                format!("found {}", node.value.kind()),
                "write `name: true` or `name: false` lines indented under it",
            );
            return None;
        };
        let mut out = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            if !self.pair_name(key, what, PairKind::Setting) {
                continue;
            }
            if let Some(on) = self.boolean(value, &format!("`{}` in {what}", key.name)) {
                out.push((key.name.clone(), Setting::Bool(on)));
            }
        }
        Some(out)
    }

    /// One scalar key of a map, checked by its kind in the key table: a
    /// choice among its values (those the target accepts), a count in its
    /// range, a switch, a URL, or text (refused when it looks like a
    /// credential and its entry says the text is scanned).
    fn setting(&mut self, f: &mut Fields<'_>, name: &'static str) -> Option<Setting> {
        let Some(k) = f.find(name) else {
            unreachable!("`{name}` is in the key table of {}", f.what);
        };
        match k.kind {
            Kind::Choice(_) => self.choice(f, name).map(Setting::Text),
            Kind::Count { .. } => self.count(f, name).map(Setting::Number),
            Kind::Bool => {
                let node = f.take(name)?;
                self.boolean(node, &format!("`{name}` of {}", f.what))
                    .map(Setting::Bool)
            }
            Kind::Url => {
                let node = f.take(name)?;
                self.base_url_like(node, &format!("`{name}`"))
                    .map(Setting::Text)
            }
            Kind::Text => {
                let node = f.take(name)?;
                let field = format!("`{name}` of {}", f.what);
                let text = if k.prose {
                    self.prose(node, &field)?
                } else {
                    self.string(node, &field)?
                };
                (k.secret != Secret::Scanned || self.no_credential(node.pos, &text, &field))
                    .then_some(Setting::Text(text))
            }
            Kind::AbsolutePath => {
                let node = f.take(name)?;
                let path = self.string(node, &format!("`{name}` of {}", f.what))?;
                if path.starts_with('/') {
                    return Some(Setting::Text(path));
                }
                self.error(
                    Code::BadValue,
                    node.pos,
                    format!("`{name}: {path}` of {} is not an absolute path", f.what),
                    "Codex refuses a relative one",
                    format!("write an absolute path, or leave it out; {}", k.description),
                );
                None
            }
            _ => unreachable!("`{name}` of {} is not a scalar", f.what),
        }
    }

    /// Keys of the table that Codex does not read (`Kind::Refused` without a
    /// refusal of their own): each refused with the reason its entry gives.
    fn ignored_by_codex(&mut self, f: &mut Fields<'_>, what: &str) {
        for k in f.keys.iter().chain(f.also) {
            if !matches!(k.kind, Kind::Refused) {
                continue;
            }
            let Some(node) = f.take(k.name) else {
                continue;
            };
            self.error(
                Code::UnsupportedKey,
                node.pos,
                format!("`{}` of {what}: Codex does not read it", k.name),
                k.description,
                "remove it; for a model Codex does not know, `model_context_window` (or `model_auto_compact_token_limit`) is what Codex reads",
            );
        }
    }

    fn profile_provider(
        &mut self,
        node: &Node,
        providers: &Declared<'_>,
        what: &str,
    ) -> Option<String> {
        let id = self.string(node, &format!("`provider` of {what}"))?;
        let known = providers.contains(&id) || self.target.is_builtin(&id);
        if known {
            return Some(id);
        }
        if let Some(removal) = self.removal(&["providers", &id]) {
            let pos = removal.pos;
            let user = what
                .strip_prefix("profile `")
                .and_then(|w| w.strip_suffix('`'))
                .unwrap_or(what)
                .to_owned();
            match self
                .removed_in_use
                .iter_mut()
                .find(|(p, i, _)| *p == pos && *i == id)
            {
                Some((_, _, users)) => users.push(user),
                None => self.removed_in_use.push((pos, id, vec![user])),
            }
            return None;
        }
        let candidates: Vec<&str> = providers
            .order
            .iter()
            .copied()
            .chain(self.target.builtin_providers())
            .collect();
        let label = did_you_mean(&id, candidates.iter().copied()).map_or_else(
            || "not in the catalog and not built into Codex".to_owned(),
            |s| format!("not in the catalog; did you mean `{s}`?"),
        );
        self.error(
            Code::MissingProvider,
            node.pos,
            format!("{what} names a missing provider `{id}`"),
            label,
            format!(
                "define it under `providers:` or use one of: {}",
                candidates.join(", ")
            ),
        );
        None
    }

    /// Ids become TOML keys and command-line words (`codexgen probe ID`);
    /// profile names become file names (`NAME.config.toml`) and words too
    /// (`codex -p NAME`, `codexgen exec NAME`): each must work as both on
    /// every system Codex runs on (`home::profile_fault`).
    fn id(&mut self, key: &Key, what: &str, profile: bool) -> bool {
        let name = &key.name;
        let fault = if profile {
            home::profile_fault(name)
        } else {
            home::id_fault(name)
        };
        let file = CodexFile::Profile(ProfileName::new("NAME").expect("a plain name"));
        let (message, label, help) = match fault {
            // Printed in file names, aliases and completions, which
            // redaction does not reach: never a key.
            None if contains_credential(name) => (
                format!("{what} `{name}` looks like a credential"),
                "it would be printed in file names, `codexgen show`, aliases and completions"
                    .to_owned(),
                "name it after the provider or the task (e.g. `groq`, `review`), and keep the key in the variable named by `env_key`".to_owned(),
            ),
            None => return true,
            Some(NameFault::Characters) => (
                format!("{what} `{name}` has characters codexgen does not allow"),
                "use ASCII letters, digits, `-` and `_` only".to_owned(),
                format!(
                    "profile names become file names (`{file}`) and ids become TOML keys; file systems store and compare other letters differently (macOS normalizes Unicode, and Windows and macOS ignore case), so two names could be one file"
                ),
            ),
            Some(NameFault::Dash) => (
                format!("{what} `{name}` starts with `-`"),
                if profile {
                    format!(
                        "`codex -p {name}` and `codexgen exec {name}` would read it as an option"
                    )
                } else {
                    format!("`codexgen probe {name}` would read it as an option")
                },
                "start it with a letter, a digit or `_`".to_owned(),
            ),
            Some(NameFault::TooLong) => (
                format!(
                    "{what} `{}…` is {} bytes long",
                    name.chars().take(32).collect::<String>(),
                    name.len()
                ),
                format!("at most {} bytes", home::MAX_PROFILE_NAME),
                format!(
                    "its file `{file}` would pass the 255 bytes a file name may have, and every `gen` would fail; shorten it"
                ),
            ),
            Some(NameFault::Device) => (
                format!("{what} `{name}` is a device name on Windows"),
                format!("Windows cannot open `{name}.config.toml`, whatever the case"),
                "rename it (Windows reserves CON, PRN, AUX, NUL, COM0-9 and LPT0-9)".to_owned(),
            ),
        };
        let code = if fault.is_none() {
            Code::LiteralSecret
        } else {
            Code::BadName
        };
        self.error(code, key.pos, message, label, help);
        false
    }

    /// Two profile names that differ only in case name one file where file
    /// names ignore case (macOS's and Windows's default file systems): `gen`
    /// would write both into it and never settle. The later one is refused,
    /// at its own place, naming the earlier.
    fn one_file_each(&mut self, names: &[(&Key, ProfileName)]) {
        let mut first: HashMap<String, &Key> = HashMap::new();
        for (key, name) in names {
            let Some(earlier) = first.get(&home::file_identity(name)).copied() else {
                first.insert(home::file_identity(name), key);
                continue;
            };
            let at = snippet(self.sources, earlier.pos);
            let place = if earlier.pos.file == key.pos.file {
                format!("line {}", at.line)
            } else {
                format!("{}:{}", at.file, at.line)
            };
            self.error(
                Code::BadName,
                key.pos,
                format!(
                    "profile names `{}` and `{}` differ only in case",
                    earlier.name, key.name
                ),
                format!(
                    "one file where file names ignore case (macOS, Windows): {}.config.toml ({place})",
                    earlier.name
                ),
                "rename one of them: codexgen would write both profiles into one file, and `gen` would report drift on every run",
            );
        }
    }

    fn required_string(
        &mut self,
        f: &mut Fields<'_>,
        path: &[&str],
        key: &'static str,
        at: Pos,
        what: &str,
    ) -> Option<String> {
        let Some(node) = f.take(key) else {
            if f.has_typo_of(key) {
                return None;
            }
            let owner = f.what.clone();
            let mut full = path.to_vec();
            full.push(key);
            self.missing(
                &full,
                at,
                format!("{owner} has no `{key}`"),
                format!("add `{key}:` with {what}"),
                "every catalog needs it",
            );
            return None;
        };
        let owner = f.what.clone();
        let value = self.string(node, &format!("`{key}` of {owner}"))?;
        if value.trim().is_empty() {
            self.error(
                Code::EmptyValue,
                node.pos,
                format!("`{key}` of {owner} is empty"),
                "write a value",
                what.to_owned(),
            );
            return None;
        }
        Some(value)
    }

    /// A string that holds no key (see [`Self::text`]).
    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        self.text(node, what)
            .filter(|s| self.no_credential(node.pos, s, what))
    }

    /// Prose (a key whose entry says `prose`: instructions): a string whose
    /// lines may be split by newlines and hold tabs; any other control
    /// character or bidirectional override is refused as [`Self::text`]
    /// refuses it.
    fn prose(&mut self, node: &Node, what: &str) -> Option<String> {
        let Value::Str(text) = &node.value else {
            return self.text(node, what);
        };
        if self.too_long(node, text, what) {
            return None;
        }
        let lines_ok = text
            .split('\n')
            .all(|line| !line.chars().any(is_unprintable));
        if !lines_ok {
            // Reported as for any other text, at its first such character.
            let rest: String = text.chars().filter(|&c| c != '\n').collect();
            self.printable(node.pos, &rest, what);
            return None;
        }
        Some(text.clone()).filter(|s| self.no_credential(node.pos, s, what))
    }

    /// A string, for a caller that says itself what a key there means
    /// (a header, a query parameter, a variable's name).
    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) if self.too_long(node, s, what) => None,
            Value::Str(s) => self.printable(node.pos, s, what).then(|| s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                // The user's own text, quoted: `No` becomes `"No"`, `1.10`
                // becomes `"1.10"` (YAML would read `1.1`).
                let help = match self.written(node.pos) {
                    Some(text) => format!("quote it, as \"{text}\", so YAML keeps its exact text"),
                    None => "quote it, so YAML keeps its exact text".to_owned(),
                };
                self.error(
                    Code::WrongType,
                    node.pos,
                    format!("{what} must be a string"),
                    format!("YAML reads this as {}", node.value.kind()),
                    help,
                );
                None
            }
            other => {
                let help = match other {
                    Value::Seq(_) => "write one value here, not a list",
                    Value::Map(_) => "write one value here, not a map",
                    _ => {
                        "write a value after the colon (YAML reads nothing there, or `~`, as null)"
                    }
                };
                self.error(
                    Code::WrongType,
                    node.pos,
                    format!("{what} must be a string"),
                    format!("found {}", other.kind()),
                    help,
                );
                None
            }
        }
    }

    /// Every catalog string reaches a file, a terminal or a shell: one
    /// with a control character (a newline would end the comment line of
    /// `codexgen aliases` and run the rest in the user's shell) or a
    /// bidirectional override is refused wherever it is.
    fn printable(&mut self, pos: Pos, text: &str, what: &str) -> bool {
        let Some(c) = text.chars().find(|&c| is_unprintable(c)) else {
            return true;
        };
        self.error(
            Code::ControlCharacter,
            pos,
            format!("{what} holds the control character {}", c.escape_unicode()),
            "catalog values are printed in files, terminals and shell functions",
            "remove it: catalog strings are single lines of visible text",
        );
        false
    }

    /// The model is a word on Codex's command line (`codex -m MODEL`, in
    /// `exec` and `aliases`): one starting with `-` would be read as an
    /// option.
    fn not_an_option(&mut self, entries: &[(Key, Node)], model: &str, what: &str) -> bool {
        if !model.starts_with('-') {
            return true;
        }
        let pos = entries
            .iter()
            .find(|(k, _)| k.name == "model")
            .map(|(_, n)| n.pos);
        if let Some(pos) = pos {
            self.error(
                Code::BadModel,
                pos,
                format!("`model` of {what} starts with `-`"),
                "Codex would read it as an option of `codex -m`",
                "write the model id as the provider lists it",
            );
        }
        false
    }

    /// Every key and string of the catalog that holds the value of a
    /// variable it names (a key pasted into a model, a header's value
    /// into a name) is refused at its line: redaction cannot reach every
    /// place a catalog string is printed (file names, shell functions).
    fn no_variable_values(
        &mut self,
        node: &Node,
        values: &secrets::VariableValues,
        path: &mut Vec<String>,
    ) {
        let found = |b: &mut Self, pos: Pos, text: &str, path: &[String]| {
            if let Some(var) = values.found_in(text) {
                b.error(
                    Code::LiteralSecret,
                    pos,
                    format!("`{}` holds the value of {var}", path.join(".")),
                    format!("the catalog names {var} for a key or header: its value is a secret"),
                    format!("write what belongs here, not a key: the key lives only in {var}"),
                );
            }
        };
        match &node.value {
            Value::Str(text) => found(self, node.pos, text, path),
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    self.no_variable_values(item, values, path);
                    path.pop();
                }
            }
            Value::Map(entries) => {
                // Ids and profile names are judged by `id`, with their own words.
                let names_entries =
                    matches!(path.as_slice(), [p] if p == "providers" || p == "profiles");
                for (key, value) in entries {
                    path.push(key.name.clone());
                    found(self, key.pos, &key.name, path);
                    if !names_entries && contains_credential(&key.name) {
                        self.key_looks_like_a_credential(key, path);
                    }
                    self.no_variable_values(value, values, path);
                    path.pop();
                }
            }
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
        }
    }

    /// A map key of the catalog (a header's or a feature's name, a key of
    /// `set` or `unchecked`) that looks like a credential: refused, as a
    /// value would be. A key is written to Codex's files and printed where
    /// no redaction of values reaches (`show`, the names in messages).
    fn key_looks_like_a_credential(&mut self, key: &Key, path: &[String]) {
        // The key itself is not repeated in the message.
        let within = match path.split_last() {
            Some((_, [])) | None => "the catalog".to_owned(),
            Some((_, parent)) => format!("`{}`", parent.join(".")),
        };
        self.error(
            Code::LiteralSecret,
            key.pos,
            format!("a key in {within} looks like a credential"),
            "a shared catalog must not hold secrets, not even as a name",
            "remove it; keep the secret in an environment variable and name the variable where Codex reads one",
        );
    }

    /// Free text (a name, instructions) that holds a word looking like a
    /// key is refused: the catalog is shared, and everything in it is
    /// written to disk and shown in diffs.
    fn no_credential(&mut self, pos: Pos, text: &str, what: &str) -> bool {
        if !contains_credential(text) {
            return true;
        }
        self.error(Code::LiteralSecret,
            pos,
            format!("{what} holds what looks like a credential"),
            "a shared catalog must not hold secrets",
            "keep keys in environment variables: name the variable in `env_key` (or `env_http_headers` for a header) and export the value in your shell",
        );
        false
    }

    /// Whether a string value is past [`MAX_STRING`] (and says so): every
    /// value ends up in a Codex file, and none needs to be that long.
    fn too_long(&mut self, node: &Node, value: &str, what: &str) -> bool {
        if value.len() <= MAX_STRING {
            return false;
        }
        self.error(
            Code::TooLong,
            Pos {
                width: 1,
                ..node.pos
            },
            format!(
                "{what} is {} long, more than the {} a catalog value may be",
                input::size(value.len() as u64),
                input::size(MAX_STRING as u64)
            ),
            "this value",
            "check the value (a pasted file?); keep catalog values short",
        );
        true
    }

    /// A switch; `what` names it and its owner for the error.
    fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        if let Value::Bool(b) = node.value {
            return Some(b);
        }
        // A switch written in quotes (`"no"`): the same word without them.
        let help = match &node.value {
            Value::Str(s) if matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "on") => {
                "write true without quotes".to_owned()
            }
            Value::Str(s) if matches!(s.to_ascii_lowercase().as_str(), "false" | "no" | "off") => {
                "write false without quotes".to_owned()
            }
            _ => "write true or false".to_owned(),
        };
        self.error(
            Code::WrongType,
            node.pos,
            format!("{what} must be true or false"),
            format!("found {}", node.value.kind()),
            help,
        );
        None
    }

    /// A whole number in the range the key table gives `key`.
    fn count(&mut self, f: &mut Fields<'_>, key: &'static str) -> Option<i64> {
        let Some(Kind::Count { min, max }) = f.find(key).map(|k| k.kind) else {
            unreachable!("`{key}` is a count in the key table");
        };
        let node = f.take(key)?;
        match node.value {
            Value::Int(n) if (min..=max).contains(&n) => Some(n),
            Value::Int(n) => {
                let help = if max == codex::MAX_RETRIES {
                    format!("Codex caps retries at {max}")
                } else {
                    format!("use a whole number of at least {min}")
                };
                self.error(
                    Code::OutOfRange,
                    node.pos,
                    format!("`{key}` of {}: {n} is out of range", f.what),
                    format!("expected {min} to {max}"),
                    help,
                );
                None
            }
            _ => {
                // A number in quotes: the same number without them; a
                // fraction, a number past any range, or a word: the range.
                let help = match &node.value {
                    Value::Str(s) if s.trim().parse::<i64>().is_ok() => {
                        format!("write {} without quotes", s.trim())
                    }
                    _ => format!("write a whole number from {min} to {max}"),
                };
                self.error(
                    Code::WrongType,
                    node.pos,
                    format!("`{key}` of {} must be a whole number", f.what),
                    format!("found {}", node.value.kind()),
                    help,
                );
                None
            }
        }
    }

    /// One of the values the key table lists for `key` that the target
    /// Codex still accepts (its entry's `withdrawn` values go at their
    /// release).
    fn choice(&mut self, f: &mut Fields<'_>, key: &'static str) -> Option<String> {
        let Some(k) = f.find(key) else {
            unreachable!("`{key}` is in the key table");
        };
        let allowed = k.choices(self.target.version);
        let node = f.take(key)?;
        let owner = f.what.clone();
        let value = self.string(node, &format!("`{key}` of {owner}"))?;
        if allowed.contains(&value.as_str()) {
            return Some(value);
        }
        let label = did_you_mean(&value, allowed.iter().copied()).map_or_else(
            || format!("Codex {} does not accept this value", self.target.version),
            |s| format!("did you mean `{s}`?"),
        );
        self.error(
            Code::BadValue,
            node.pos,
            format!("`{key}: {value}` in {owner} is not a value Codex accepts"),
            label,
            format!(
                "Codex {} accepts: {}",
                self.target.version,
                allowed.join(", ")
            ),
        );
        None
    }

    /// An http(s) URL with a host and no credentials (a URL Codex
    /// fetches, not one it appends a path to).
    fn base_url_like(&mut self, node: &Node, what: &str) -> Option<String> {
        let url = self.string(node, what)?;
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
        let (code, label, help) = match host {
            None | Some("") => (
                Code::BadUrl,
                "not an http(s) URL with a host",
                "write the full URL, e.g. https://models.example.com/v1/models",
            ),
            Some(_) if url.chars().any(char::is_whitespace) => (
                Code::BadUrl,
                "the URL contains whitespace",
                "remove the spaces",
            ),
            Some(host) if host.contains('@') || contains_credential(&url) => (
                Code::LiteralSecret,
                "carries a credential",
                "a shared catalog must not hold credentials",
            ),
            Some(_) => return Some(url),
        };
        self.error(
            code,
            node.pos,
            format!("{what} {url:?} is not usable"),
            label,
            help,
        );
        None
    }

    fn base_url(&mut self, node: &Node) -> Option<String> {
        let url = self.string(node, "`base_url`")?;
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
        let (code, label, help) = match host {
            None => (
                Code::BadUrl,
                "not an http(s) URL",
                "write the full URL, e.g. https://api.groq.com/openai/v1",
            ),
            Some("") => (
                Code::BadUrl,
                "the URL has no host",
                "write the full URL, e.g. https://api.groq.com/openai/v1",
            ),
            Some(_) if url.chars().any(char::is_whitespace) => (
                Code::BadUrl,
                "the URL contains whitespace",
                "remove the spaces",
            ),
            // A trailing slash is fine: Codex trims it before appending
            // `/responses` (measured on 0.89.0, 0.133.0 and 0.169.0).
            Some(_)
                if url.trim_end_matches('/').ends_with("/responses")
                    || url.trim_end_matches('/').ends_with("/chat/completions") =>
            {
                (
                    Code::BadUrl,
                    "includes the endpoint path",
                    "give the base only (e.g. .../v1); Codex appends `/responses` itself",
                )
            }
            Some(_) if url.contains('?') => (
                Code::BadUrl,
                "contains a query string",
                "move query parameters to `query_params:`",
            ),
            Some(host) if host.contains('@') => (
                Code::LiteralSecret,
                "carries a user name or password",
                "a shared catalog must not hold credentials: drop the `user:pass@` part and put the key in an environment variable named by `env_key`",
            ),
            Some(_) => return Some(url),
        };
        self.error(
            code,
            node.pos,
            format!("`base_url` {url:?} is not usable"),
            label,
            help,
        );
        None
    }

    fn wire_api(&mut self, node: &Node, id: &str) -> Option<String> {
        let value = self.string(node, "`wire_api`")?;
        if self.target.accepts_wire_api(&value) {
            return Some(value);
        }
        let version = self.target.version;
        if value == "chat" {
            self.error(Code::UnsupportedWireApi,
                node.pos,
                format!("provider `{id}` uses `wire_api: chat`, which Codex {version} refuses to load"),
                format!("Codex removed the chat wire API in {}", codex::since::CHAT_REMOVED),
                format!("use `wire_api: responses` if the provider serves POST /responses; otherwise it cannot work with this Codex (keep it only for a target older than {})", codex::since::CHAT_REMOVED),
            );
        } else {
            let allowed: Vec<&str> = keys::WIRE_APIS
                .iter()
                .copied()
                .filter(|v| self.target.accepts_wire_api(v))
                .collect();
            let label = did_you_mean(&value, allowed.iter().copied()).map_or_else(
                || "unknown wire API".to_owned(),
                |s| format!("did you mean `{s}`?"),
            );
            self.error(
                Code::BadValue,
                node.pos,
                format!("provider `{id}` has an unknown `wire_api: {value}`"),
                label,
                format!("Codex {version} accepts: {}", allowed.join(", ")),
            );
        }
        None
    }

    /// A variable name where a secret must not be.
    fn env_name(&mut self, node: &Node, what: &str) -> Option<String> {
        let name = self.text(node, what)?;
        if looks_like_secret(&name) {
            self.error(Code::LiteralSecret,
                node.pos,
                format!("`env_key` of {what} looks like an API key, not a variable name"),
                "never put a key in the catalog",
                "write the NAME of the environment variable that holds the key, e.g. GROQ_API_KEY, and export the key in your shell",
            );
            return None;
        }
        if !is_env_name(&name) {
            self.error(
                Code::BadVariableName,
                node.pos,
                format!("`env_key` of {what} is not an environment variable name"),
                "use letters, digits and `_`, not starting with a digit",
                "e.g. GROQ_API_KEY",
            );
            return None;
        }
        self.named.push(name.clone());
        Some(name)
    }

    fn pairs(&mut self, node: Option<&Node>, what: &str, kind: PairKind) -> Pairs {
        let Some(node) = node else {
            return Pairs::default();
        };
        let Value::Map(entries) = &node.value else {
            self.error(
                Code::WrongType,
                node.pos,
                format!("{} of {what} must be a map", kind.key()),
                format!("found {}", node.value.kind()),
                "write `Name: value` lines indented under it",
            );
            return Pairs::default();
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            if !self.pair_name(key, what, kind) {
                continue;
            }
            let Some(text) = self.text(
                value,
                &format!("`{}` in {} of {what}", key.name, kind.key()),
            ) else {
                continue;
            };
            match kind {
                PairKind::Header if is_credential_name(&key.name) || contains_credential(&text) => {
                    self.error(Code::LiteralSecret,
                        value.pos,
                        format!("header `{}` of {what} holds a literal credential", key.name),
                        "a shared catalog must not hold secrets",
                        format!(
                            "move it to `env_http_headers: {{ {}: SOME_VARIABLE }}` and export the value in your shell",
                            key.name
                        ),
                    );
                    continue;
                }
                PairKind::Plain if contains_credential(&text) || is_credential_name(&key.name) => {
                    self.error(Code::LiteralSecret,
                        value.pos,
                        format!("query parameter `{}` of {what} holds a literal credential", key.name),
                        "a shared catalog must not hold secrets, and Codex cannot read query parameters from the environment",
                        "send the key as a header instead: `env_key` (Authorization: Bearer) or `env_http_headers`",
                    );
                    continue;
                }
                PairKind::EnvHeader if !is_env_name(&text) || looks_like_secret(&text) => {
                    self.error(Code::BadVariableName,
                        value.pos,
                        format!("`env_http_headers` of {what} maps `{}` to something that is not a variable name", key.name),
                        "the value must be the NAME of an environment variable",
                        "e.g. `X-Title: OPENROUTER_APP_TITLE`",
                    );
                    continue;
                }
                PairKind::Setting
                    if contains_credential(&text) || is_credential_name(&key.name) =>
                {
                    self.error(Code::LiteralSecret,
                        value.pos,
                        format!("`{}` in {what} holds a literal credential", key.name),
                        "a shared catalog must not hold secrets, and Codex writes this value where every command sees it",
                        "leave the variable out of the catalog and export it in your shell (`shell_environment_policy.inherit` decides whether commands see it)",
                    );
                    continue;
                }
                PairKind::EnvHeader => self.named.push(text.clone()),
                _ => {}
            }
            out.push((key.name.clone(), text));
        }
        Pairs(out)
    }
}

impl Builder<'_> {
    /// A header name must be an HTTP token (RFC 9110); a query parameter
    /// name any visible text (Codex percent-encodes it).
    fn pair_name(&mut self, key: &Key, what: &str, kind: PairKind) -> bool {
        let ok = match kind {
            PairKind::Header | PairKind::EnvHeader => {
                !key.name.is_empty()
                    && key
                        .name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
            }
            PairKind::Plain | PairKind::Setting => {
                !key.name.is_empty() && !key.name.contains(is_unprintable)
            }
        };
        if !ok {
            let (label, help) = match kind {
                PairKind::Plain | PairKind::Setting => (
                    "a parameter name must be visible text",
                    "remove the control characters from the name",
                ),
                PairKind::Header | PairKind::EnvHeader => (
                    "a header name is letters, digits and !#$%&'*+-.^_`|~ only",
                    "write the header's name as HTTP spells it, e.g. X-Title",
                ),
            };
            self.error(
                Code::BadName,
                key.pos,
                format!(
                    "{} of {what} has an invalid name {:?}",
                    kind.key(),
                    key.name
                ),
                label,
                help,
            );
        }
        ok
    }
}

#[derive(Clone, Copy)]
enum PairKind {
    Plain,
    Header,
    EnvHeader,
    /// A name in a Codex setting's map (`features`, `set`).
    Setting,
}

/// Where a Codex setting is written.
#[derive(Clone, Copy)]
enum Place {
    /// config.toml's top level (`settings:`, the default profile's).
    TopLevel,
    /// A profile: its file, or its legacy `[profiles.NAME]` table.
    Profile,
}

impl Place {
    /// The first release that reads key `k` here, for a target of
    /// `version`'s layout (`None`: every release codexgen knows).
    fn first(self, k: &KeyDoc, version: Version) -> Option<Version> {
        match self {
            Place::TopLevel => k.since,
            Place::Profile => k.first_in_profile(version),
        }
    }
}

impl PairKind {
    fn key(self) -> &'static str {
        match self {
            PairKind::Plain => "`query_params`",
            PairKind::Header => "`http_headers`",
            PairKind::EnvHeader => "`env_http_headers`",
            PairKind::Setting => "a setting",
        }
    }
}

/// The keys of a map node (declared provider ids or profile names), in
/// file order and indexed: every profile looks its provider up here.
struct Declared<'n> {
    order: Vec<&'n str>,
    set: HashSet<&'n str>,
}

impl<'n> Declared<'n> {
    fn of(node: Option<&'n Node>) -> Self {
        let order: Vec<&str> = match node.map(|n| &n.value) {
            Some(Value::Map(entries)) => entries.iter().map(|(k, _)| k.name.as_str()).collect(),
            _ => Vec::new(),
        };
        let set = order.iter().copied().collect();
        Declared { order, set }
    }

    fn contains(&self, name: &str) -> bool {
        self.set.contains(name)
    }
}

/// Whether `name` is a bare TOML key, as every Codex key is.
fn is_bare_key(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether `name` can name an environment variable: letters, digits and
/// `_`, not starting with a digit.
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn describe(value: &Value) -> String {
    match value {
        Value::Int(n) => format!("schema {n}"),
        Value::Str(s) => format!("the string {s:?}"),
        other => other.kind().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layered(files: &[&str]) -> (Node, Vec<Removal>) {
        let mut removals = Vec::new();
        let mut nodes = files
            .iter()
            .enumerate()
            .map(|(i, text)| super::super::yaml::parse(i, "f", text).unwrap());
        let first = nodes.next().unwrap();
        let root = nodes.fold(first, |base, top| overlay(base, top, &mut removals));
        (root, removals)
    }

    #[test]
    fn a_removal_keeps_its_path_and_the_position_of_its_tilde() {
        let (_, removals) = layered(&[
            "providers:\n  a:\n    base_url: x\n  b:\n    base_url: y\n",
            "providers:\n  a:\n    base_url: ~\n  b: ~\n  c: ~\n",
        ]);
        let got: Vec<(String, usize, usize, usize)> = removals
            .iter()
            .map(|r| (r.path.join("."), r.pos.file, r.pos.line, r.pos.column))
            .collect();
        // `c` was never there: nothing removed, nothing to blame.
        assert_eq!(
            got,
            [
                ("providers.a.base_url".to_owned(), 1, 3, 15),
                ("providers.b".to_owned(), 1, 4, 6)
            ]
        );
    }

    #[test]
    fn a_later_file_that_sets_a_removed_key_again_clears_the_removal() {
        let (_, removals) = layered(&[
            "providers:\n  a:\n    base_url: x\n",
            "providers:\n  a: ~\n",
            "providers:\n  a:\n    name: A\n",
        ]);
        assert!(removals.is_empty(), "{removals:?}");
    }

    #[test]
    fn a_large_catalogs_problems_come_in_the_order_of_a_small_ones() {
        // From halves::FROM entries the providers are checked beside the
        // profiles: their problems still come first, as in one pass.
        let problems = |n: usize| -> Vec<String> {
            let providers: Vec<String> = (0..n)
                .map(|i| format!("  p{i}:\n    name: P\n    base_url: https://p{i}.example/v1\n    env_key: P_KEY\n"))
                .collect();
            let profiles: Vec<String> = (0..n)
                .map(|i| format!("  q{i}:\n    model: m\n    provider: p{i}\n"))
                .collect();
            let text = format!(
                "schema: 1\nversion: t\ndefault: q0\nproviders:\n{}{}profiles:\n{}{}",
                providers.concat(),
                "  bad:\n    name: B\n    base_url: https://b.example/v1\n    env_key: P_KEY\n    bogus: 1\n",
                profiles.concat(),
                "  lost:\n    model: m\n    provider: nowhere\n",
            );
            let sources = [Source {
                name: "f".to_owned(),
                text: text.clone(),
            }];
            let root = super::super::yaml::parse(0, "f", &text).unwrap();
            let target = crate::codex::Target::at(crate::codex::Version::new(0, 169, 0));
            catalog(&sources, &root, &[], &target)
                .unwrap_err()
                .iter()
                .map(|p| p.message.clone())
                .collect()
        };
        let (few, many) = (problems(2), problems(200));
        assert_eq!(few.len(), 2, "{few:?}");
        assert_eq!(few, many);
        assert!(many[0].contains("bad"), "{many:?}");
    }
}
