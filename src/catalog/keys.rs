//! Owns the catalog's vocabulary: every key of each map (the catalog, a
//! provider and its sub-tables, a profile, the Codex settings of
//! `settings:` and of a profile in [`SETTINGS`], an MCP server and its
//! `oauth` and `tools.NAME`) described once ([`KeyDoc`]): its value type
//! and range or values, the Codex releases that read it there, the
//! built-ins whose table may set it, whether it can hold a credential, and
//! its description. Everything else derives from the entry: the checker in
//! `build` asks for keys only through these tables (a key not listed is
//! unknown) and checks a scalar key by its kind alone; the version gates
//! ([`gated`], [`changeable`]); [`json_schema`], which `codexgen schema`
//! prints and `schema/providers.schema.json` holds; what gen writes
//! (`catalog::Provider::keys`, `Profile::settings`, in table order); what
//! `layers` asks about; what `import` reads back; `docs/catalog-keys.md`.
//! `catalog::codex_facts` holds the tables against what each release reads
//! (`data/codex-keys.json`). Does not parse or check values itself.

use serde_json::{Map, Value, json};

use super::SCHEMAS;
use crate::codex::{self, Version};

/// The most seconds a [`Kind::Seconds`] key takes: a year. Codex turns
/// the float into a `Duration` and refuses the whole file beyond about
/// 1.8e19 s ("cannot convert float seconds to Duration"); no wait that
/// long is meant, so check, schema, docs and import share this one bound.
pub const MAX_SECONDS: f64 = 31_536_000.0;

/// What a key's value must be.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One of a few whole numbers (the format version).
    IntOf(&'static [i64]),
    /// Any text.
    Text,
    /// An `http(s)://` URL (a trailing `/` is fine: Codex drops it).
    Url,
    /// An absolute path (Codex refuses a relative one).
    AbsolutePath,
    /// The name of an environment variable.
    EnvName,
    /// A catalog profile's name.
    ProfileRef,
    /// A provider id: the catalog's or one of Codex's built-ins.
    ProviderRef,
    /// A Codex version requirement such as `>=0.134`.
    VersionReq,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// A whole number in `min..=max`.
    Count { min: i64, max: i64 },
    /// true or false.
    Bool,
    /// A map of names to text (headers, query parameters).
    TextMap,
    /// A map of header names to environment variable names.
    EnvMap,
    /// A list of text (a command's arguments).
    TextList,
    /// A map of names to true or false (`features`).
    BoolMap,
    /// A map with keys of its own: its name in the schema's `$defs`, and
    /// its key table.
    Table(&'static str, &'static [KeyDoc]),
    /// A map of provider ids to providers.
    Providers,
    /// A map of profile names to profiles.
    Profiles,
    /// A map of names (MCP server ids, tool names) to maps with keys of
    /// their own: its entries' name in the schema's `$defs`, and their
    /// key table.
    MapOf(&'static str, &'static [KeyDoc]),
    /// A number of seconds, whole or not, from 0 to [`MAX_SECONDS`]: Codex
    /// reads (and rewrites) it as a float.
    Seconds,
    /// A list of environment variable names.
    EnvList,
    /// Known, and always refused with its own message (a literal secret).
    Refused,
    /// Codex keys codexgen does not know yet, written as given (`unchecked`).
    Unchecked,
}

/// A duration in milliseconds: Codex reads these as a non-zero `u64`.
const MILLISECONDS: Kind = Kind::Count {
    min: 1,
    max: i64::MAX,
};

/// One key of a catalog map: everything codexgen knows about it, in one
/// place. The checker (`build`), the version gates, the JSON Schema, the
/// rendered files (through `catalog::Provider::keys` and
/// `catalog::Profile::settings`), `layers`, `import` and the docs' key
/// tables read it; `catalog::codex_facts` holds it against what each Codex
/// release reads (`data/codex-keys.json`).
#[derive(Debug, Clone, Copy)]
pub struct KeyDoc {
    pub name: &'static str,
    pub kind: Kind,
    /// Whether a full catalog must have it (an overlay may leave it out).
    pub required: bool,
    /// The first Codex release that reads it here (`None`: every release
    /// codexgen knows). A target older than it refuses the key: that Codex
    /// would ignore it without a word.
    pub since: Option<Version>,
    /// The first release from which a table for one of Codex's built-ins
    /// that let a table change a few keys may set it (`None`: never; Codex
    /// refuses the whole table for any other key).
    pub builtin: Builtins,
    /// Whether only such a built-in's table reads it (`aws`, `project_id`):
    /// refused on the catalog's own providers.
    pub builtin_only: bool,
    /// Values of a `Kind::Choice` that Codex stopped accepting, each with
    /// the release that first refuses it.
    pub withdrawn: &'static [(&'static str, Version)],
    /// Values of a `Kind::Choice` that Codex reads only from a release on,
    /// each with that release.
    pub added: &'static [(&'static str, Version)],
    /// Whether the value could hold a credential, and what is done about it.
    pub secret: Secret,
    /// For a Codex setting (`SETTINGS`, and a key of one of its tables):
    /// the first release whose legacy `[profiles.NAME]` table reads it
    /// (`None`: no release before 0.134.0 does); the checker gates a
    /// table's keys by their own entry too. From 0.134.0 a profile file reads every top-level key, so
    /// there `since` alone decides.
    pub profile_table: Option<Version>,
    /// For `Kind::Text`: prose Codex reads as written, over several lines
    /// (instructions): a newline or a tab is part of it; any other control
    /// character is still refused.
    pub prose: bool,
    /// For a key of a table: a key of the same table that Codex releases
    /// before the given one refuse the whole file without, when this one
    /// is set (`history.max_bytes` needs `persistence` before 0.131.0).
    pub needs: Option<(&'static str, Version)>,
    pub description: &'static str,
}

/// For each of Codex's built-ins whose table may change a few keys: the
/// release from which a key may be set there.
#[derive(Debug, Clone, Copy, Default)]
pub struct Builtins {
    /// `amazon-bedrock` and `amazon-bedrock-runtime`.
    pub bedrock: Option<Version>,
    /// `gcp`.
    pub gcp: Option<Version>,
}

/// Whether a key's value could hold a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// It cannot: a number, a switch, a choice, a URL (checked for
    /// userinfo on its own), or a table whose keys say for themselves.
    Never,
    /// Free text: refused when it looks like a credential.
    Scanned,
    /// It names environment variables whose values Codex sends: those
    /// values are concealed in everything codexgen prints.
    Named,
    /// A literal credential: always refused.
    Literal,
}

/// What a value of `kind` could hold, unless an entry says otherwise.
const fn secret_of(kind: Kind) -> Secret {
    match kind {
        Kind::Text | Kind::TextMap | Kind::TextList => Secret::Scanned,
        Kind::EnvName | Kind::EnvMap | Kind::EnvList => Secret::Named,
        _ => Secret::Never,
    }
}

const fn key(name: &'static str, kind: Kind, description: &'static str) -> KeyDoc {
    KeyDoc {
        name,
        kind,
        required: false,
        since: None,
        builtin: Builtins {
            bedrock: None,
            gcp: None,
        },
        builtin_only: false,
        withdrawn: &[],
        added: &[],
        secret: secret_of(kind),
        profile_table: None,
        prose: false,
        needs: None,
        description,
    }
}

const fn required(name: &'static str, kind: Kind, description: &'static str) -> KeyDoc {
    KeyDoc {
        required: true,
        ..key(name, kind, description)
    }
}

/// A release, for the tables below.
const fn v(major: u32, minor: u32, patch: u32) -> Version {
    Version::new(major, minor, patch)
}

impl KeyDoc {
    /// Read from release `first` on.
    const fn since(self, first: Version) -> Self {
        KeyDoc {
            since: Some(first),
            ..self
        }
    }

    /// Changeable in a table for Codex's Amazon Bedrock built-ins from
    /// `bedrock`, and in one for its `gcp` from `gcp`.
    const fn builtin(self, bedrock: Option<Version>, gcp: Option<Version>) -> Self {
        KeyDoc {
            builtin: Builtins { bedrock, gcp },
            ..self
        }
    }

    /// Read only in a table for one of those built-ins.
    const fn builtin_only(self) -> Self {
        KeyDoc {
            builtin_only: true,
            ..self
        }
    }

    const fn secret(self, secret: Secret) -> Self {
        KeyDoc { secret, ..self }
    }

    /// Read in a legacy `[profiles.NAME]` table from release `first`.
    const fn profile_table(self, first: Version) -> Self {
        KeyDoc {
            profile_table: Some(first),
            ..self
        }
    }

    /// The first release whose profile of the target Codex `version`'s
    /// layout reads this setting: a profile file (0.134.0 and newer) reads
    /// what the top level reads, a legacy `[profiles.NAME]` table only what
    /// `profile_table` says. `None`: every release codexgen knows.
    pub fn first_in_profile(&self, version: Version) -> Option<Version> {
        if version >= codex::since::PROFILE_FILES {
            return self.since;
        }
        Some(self.profile_table.map_or_else(
            || match self.since {
                Some(since) if since > codex::since::PROFILE_FILES => since,
                _ => codex::since::PROFILE_FILES,
            },
            |first| match self.since {
                Some(since) if since > first => since,
                _ => first,
            },
        ))
    }

    /// Prose (instructions): its text may span lines.
    const fn prose(self) -> Self {
        KeyDoc {
            prose: true,
            ..self
        }
    }

    /// Releases before `until` refuse its table without `sibling`.
    const fn needs(self, sibling: &'static str, until: Version) -> Self {
        KeyDoc {
            needs: Some((sibling, until)),
            ..self
        }
    }

    /// Values Codex stopped accepting, each from its release.
    const fn withdrawn(self, withdrawn: &'static [(&'static str, Version)]) -> Self {
        KeyDoc { withdrawn, ..self }
    }

    /// Values Codex reads only from a release on, each with it.
    const fn added(self, added: &'static [(&'static str, Version)]) -> Self {
        KeyDoc { added, ..self }
    }

    /// Whether the target Codex `version` reads the key here.
    pub fn read_by(&self, version: Version) -> bool {
        self.since.is_none_or(|first| version >= first)
    }

    /// Whether its value is one `key = value` of Codex's TOML that the
    /// checker takes by its kind alone.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self.kind,
            Kind::Text
                | Kind::Url
                | Kind::AbsolutePath
                | Kind::Choice(_)
                | Kind::Count { .. }
                | Kind::Bool
        )
    }

    /// The values of a `Kind::Choice` the target Codex `version` accepts.
    pub fn choices(&self, version: Version) -> Vec<&'static str> {
        let Kind::Choice(values) = self.kind else {
            return Vec::new();
        };
        values
            .iter()
            .copied()
            .filter(|v| {
                !self
                    .withdrawn
                    .iter()
                    .any(|(w, from)| w == v && version >= *from)
                    && !self.added.iter().any(|(a, from)| a == v && version < *from)
            })
            .collect()
    }
}

/// The keys of `table` read only from some release on, with that release.
pub fn gated(table: &'static [KeyDoc]) -> impl Iterator<Item = (&'static str, Version)> {
    table.iter().filter_map(|k| Some((k.name, k.since?)))
}

/// Which of Codex's built-ins that let a table change a few keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changeable {
    Bedrock,
    Gcp,
}

impl Changeable {
    /// Which such built-in `id` is for the target, if it is one.
    pub fn of(target: &codex::Target, id: &str) -> Option<Self> {
        if target.is_bedrock(id) {
            Some(Changeable::Bedrock)
        } else if target.is_gcp(id) {
            Some(Changeable::Gcp)
        } else {
            None
        }
    }
}

/// The keys a table for such a built-in may set for the target Codex
/// `version` (`aws.profile` for a key of `aws`), and those it may not yet,
/// with the release that first takes each.
pub fn changeable(which: Changeable, version: Version) -> (Vec<String>, Vec<(String, Version)>) {
    let mut keys: Vec<(String, Version)> = Vec::new();
    for k in PROVIDER {
        let first = match which {
            Changeable::Bedrock => k.builtin.bedrock,
            Changeable::Gcp => k.builtin.gcp,
        };
        let Some(first) = first else { continue };
        match k.kind {
            // `aws`: each of its keys, from its own release.
            Kind::Table(_, table) if k.builtin_only => keys.extend(table.iter().map(|sub| {
                (
                    format!("{}.{}", k.name, sub.name),
                    sub.since.unwrap_or(first),
                )
            })),
            _ => keys.push((k.name.to_owned(), first)),
        }
    }
    let (now, later): (Vec<_>, Vec<_>) = keys.into_iter().partition(|(_, first)| version >= *first);
    (now.into_iter().map(|(k, _)| k).collect(), later)
}

/// The top-level keys of a catalog.
pub const ROOT: &[KeyDoc] = &[
    required(
        "schema",
        Kind::IntOf(SCHEMAS),
        "Catalog format; this codexgen reads 1 and refuses anything else.",
    ),
    required(
        "version",
        Kind::Text,
        "Your catalog's own version (e.g. \"2026.11.1\"), stamped into every generated file.",
    ),
    key(
        "codex",
        Kind::VersionReq,
        "The Codex versions this catalog is written for: one (\"0.169.0\") or a range (\">=0.134\", \">=0.115, <0.134\").",
    ),
    required(
        "default",
        Kind::ProfileRef,
        "The profile plain `codex` behaves as: its model, provider and every setting it sets are written at config.toml's top level (over `settings`); `~` (null) leaves `model` and `model_provider` unmanaged.",
    ),
    key(
        "settings",
        Kind::Table("settings", SETTINGS),
        "Codex settings the team shares, written at config.toml's top level (`approval_policy`, `sandbox_workspace_write`, `features`, ...); the default profile's settings go over them.",
    ),
    key(
        "providers",
        Kind::Providers,
        "Model providers by id; each becomes `[model_providers.<id>]` in config.toml.",
    ),
    key(
        "profiles",
        Kind::Profiles,
        "Profiles by name; each becomes `$CODEX_HOME/<name>.config.toml` (Codex 0.134+), read by `codex -p <name>`.",
    ),
    key(
        "mcp_servers",
        Kind::MapOf("mcp_server", MCP_SERVER),
        "MCP servers the team shares, by id; each becomes `[mcp_servers.<id>]` in config.toml. Servers a user adds (`codex mcp add`) stay the user's.",
    ),
];

/// The keys of one provider.
pub const PROVIDER: &[KeyDoc] = &[
    key(
        "name",
        Kind::Text,
        "Display name (default: the id; Codex needs one).",
    ),
    required(
        "base_url",
        Kind::Url,
        "The http(s) URL before /responses, with no trailing slash.",
    )
    .builtin(Some(v(0, 145, 0)), Some(v(0, 165, 0))),
    key(
        "env_key",
        Kind::EnvName,
        "NAME of the environment variable holding the API key (sent as `Authorization: Bearer`); never the key itself.",
    ),
    key(
        "env_key_instructions",
        Kind::Text,
        "What Codex tells a user whose key variable is unset (e.g. where to get a key).",
    ),
    key(
        "wire_api",
        Kind::Choice(WIRE_APIS),
        "The API Codex speaks to this provider: `responses` (default, always written out); `chat` only for Codex before 0.95.0.",
    ),
    key(
        "query_params",
        Kind::TextMap,
        "Query parameters added to every request (e.g. `api-version`); no secrets.",
    ),
    key(
        "http_headers",
        Kind::TextMap,
        "Literal, non-secret headers sent with every request.",
    )
    .builtin(Some(v(0, 145, 0)), Some(v(0, 165, 0))),
    key(
        "env_http_headers",
        Kind::EnvMap,
        "Header name -> NAME of the environment variable holding its value; omitted when the variable is unset.",
    ),
    key(
        "request_max_retries",
        Kind::Count {
            min: 0,
            max: codex::MAX_RETRIES,
        },
        "How often Codex retries a failed request (0..100; Codex caps at 100).",
    ),
    key(
        "stream_max_retries",
        Kind::Count {
            min: 0,
            max: codex::MAX_RETRIES,
        },
        "How often Codex reconnects a dropped stream (0..100).",
    ),
    key(
        "stream_idle_timeout_ms",
        MILLISECONDS,
        "Milliseconds of silence after which Codex treats a stream as dropped.",
    ),
    key(
        "requires_openai_auth",
        Kind::Bool,
        "Whether this provider uses the OpenAI login (ChatGPT or OPENAI_API_KEY) instead of `env_key`.",
    ),
    key(
        "auth",
        Kind::Table("auth", AUTH),
        "A command that prints the key (a password manager, a cloud CLI), sent as `Authorization: Bearer`; instead of `env_key` (Codex 0.118+).",
    )
    .since(v(0, 118, 0))
    .builtin(Some(v(0, 145, 0)), Some(v(0, 165, 0))),
    key(
        "aws",
        Kind::Table("aws", AWS),
        "Only under Codex's built-in `amazon-bedrock` (0.123+) or `amazon-bedrock-runtime` (0.148+): sign requests with AWS SigV4 instead of sending a key.",
    )
    .builtin(Some(v(0, 123, 0)), None)
    .builtin_only(),
    key(
        "project_id",
        Kind::Text,
        "Only under Codex's built-in `gcp` (0.166+): the Google Cloud project (default: GOOGLE_CLOUD_PROJECT).",
    )
    .builtin(None, Some(v(0, 166, 0)))
    .builtin_only(),
    key(
        "location",
        Kind::Text,
        "Only under Codex's built-in `gcp` (0.166+): the Vertex AI location (default: global).",
    )
    .builtin(None, Some(v(0, 166, 0)))
    .builtin_only(),
    key(
        "credential_file",
        Kind::AbsolutePath,
        "Only under Codex's built-in `gcp` (0.166+): the absolute path of a Google Cloud credential file (default: Application Default Credentials).",
    )
    .builtin(None, Some(v(0, 166, 0)))
    .builtin_only(),
    key(
        "supports_websockets",
        Kind::Bool,
        "Whether the provider serves the Responses API over WebSocket as well.",
    )
    .since(v(0, 100, 0)),
    key(
        "websocket_connect_timeout_ms",
        MILLISECONDS,
        "Milliseconds Codex waits for a WebSocket connection (Codex 0.116+).",
    )
    .since(v(0, 116, 0)),
    key(
        "supports_standalone_web_search",
        Kind::Bool,
        "Whether the provider serves the standalone web-search endpoint (Codex 0.146+).",
    )
    .since(v(0, 146, 0)),
    key(
        "model_catalog_url",
        Kind::Url,
        "Where Codex fetches this provider's model list (Codex 0.156+).",
    )
    .since(v(0, 156, 0)),
    key(
        "capabilities",
        Kind::Table("capabilities", CAPABILITIES),
        "What the provider's API can do beyond plain Responses, for Codex to use (Codex 0.162+).",
    )
    .since(v(0, 162, 0)),
    key(
        "experimental_bearer_token",
        Kind::Refused,
        "A literal token: refused, a shared catalog must not hold secrets (use `env_key`).",
    )
    .secret(Secret::Literal),
];

/// The keys of a provider's `auth`: the command Codex runs for the key.
pub const AUTH: &[KeyDoc] = &[
    required(
        "command",
        Kind::Text,
        "The program that prints the key on standard output (`op`, `pass`, `security`, `gcloud`): a bare name is looked up on PATH, a path is taken from `cwd`. Run without a shell.",
    ),
    key(
        "args",
        Kind::TextList,
        "Its arguments, one item each; no shell, so quotes and `$VARS` reach it as written.",
    ),
    key(
        "timeout_ms",
        MILLISECONDS,
        "Milliseconds Codex waits for it (Codex's default: 5000).",
    ),
    key(
        "refresh_interval_ms",
        Kind::Count {
            min: 0,
            max: i64::MAX,
        },
        "Milliseconds Codex reuses the key before running the command again (default 300000; 0: only after a 401).",
    ),
    key(
        "cwd",
        Kind::Text,
        "The folder the command runs in: absolute, or relative to the Codex home (needed for a relative `command`).",
    ),
];

/// The keys of a provider's `capabilities`.
pub const CAPABILITIES: &[KeyDoc] = &[
    key(
        "remote_compaction",
        Kind::Choice(codex::REMOTE_COMPACTIONS),
        "Whether the provider compacts a conversation itself: `unsupported`, or `v2` (its compaction endpoint).",
    ),
    key(
        "external_web_access",
        Kind::Bool,
        "Whether the provider's model may reach the web on its own.",
    ),
    key(
        "cyber_access_programs",
        Kind::Bool,
        "Whether the provider takes part in OpenAI's cyber access programs.",
    ),
];

/// The keys of `aws`, in a table for Codex's `amazon-bedrock`.
pub const AWS: &[KeyDoc] = &[
    key(
        "profile",
        Kind::Text,
        "The AWS profile whose credentials sign requests (default: the AWS SDK's chain); not with `credential_export`.",
    )
    .since(v(0, 123, 0)),
    key(
        "region",
        Kind::Text,
        "The AWS region, e.g. `us-east-1` (Codex 0.124+).",
    )
    .since(v(0, 124, 0)),
    key(
        "auth_refresh",
        Kind::Table("aws_command", AWS_COMMAND),
        "The `aws` command Codex runs to sign in again when the credentials expire, e.g. `{command: aws, args: [sso, login]}` (Codex 0.149+).",
    )
    .since(v(0, 149, 0)),
    key(
        "credential_export",
        Kind::Table("aws_command", AWS_COMMAND),
        "A command that prints AWS credentials for Codex to use (Codex 0.155+).",
    )
    .since(v(0, 155, 0)),
];

/// The keys of `aws.auth_refresh` and `aws.credential_export`.
pub const AWS_COMMAND: &[KeyDoc] = &[
    required(
        "command",
        Kind::Text,
        "The program to run, without a shell (`aws` for `auth_refresh`).",
    ),
    key("args", Kind::TextList, "Its arguments, one item each."),
    key(
        "timeout_ms",
        MILLISECONDS,
        "Milliseconds Codex waits for it.",
    ),
];

/// The keys of one profile of its own: the model and its provider. A
/// profile also takes every Codex setting (`SETTINGS`) that the target's
/// profiles read (see [`KeyDoc::first_in_profile`]).
pub const PROFILE: &[KeyDoc] = &[
    required(
        "provider",
        Kind::ProviderRef,
        "A provider id of this catalog, or one of Codex's built-ins (openai, ollama, lmstudio; amazon-bedrock 0.123+, amazon-bedrock-runtime 0.148+, gcp 0.165+).",
    ),
    required("model", Kind::Text, "The model id this provider serves."),
    key(
        "mcp_servers",
        Kind::MapOf("mcp_server_in_profile", MCP_PROFILE_SERVER),
        "Per MCP server of the catalog, what this profile changes, e.g. `{tracker: {enabled: false}}` switches it off for `codex -p NAME` (Codex 0.134+, profile files).",
    )
    .since(codex::since::PROFILE_FILES),
];

/// The Codex settings a catalog can set: each is a key of config.toml's top
/// level (the catalog's `settings:`, and the default profile's settings),
/// of a profile file (Codex 0.134+: every top-level key), and, where
/// `profile_table` says, of a legacy `[profiles.NAME]` table. `since` is the
/// first release that reads it at the top level (for keys not in codexgen's
/// older measurements, the first measured release that does: see
/// docs/codex-versions.md).
pub const SETTINGS: &[KeyDoc] = &[
    key(
        "model_reasoning_effort",
        Kind::Choice(codex::REASONING_EFFORTS),
        "How hard the model reasons.",
    )
    .profile_table(v(0, 89, 0)),
    key(
        "model_reasoning_summary",
        Kind::Choice(codex::REASONING_SUMMARIES),
        "How much of its reasoning the model summarises.",
    )
    .profile_table(v(0, 89, 0)),
    key(
        "model_verbosity",
        Kind::Choice(codex::VERBOSITIES),
        "How long the model's answers are.",
    )
    .profile_table(v(0, 89, 0)),
    key(
        "approval_policy",
        Kind::Choice(codex::APPROVAL_POLICIES),
        "When Codex asks before running a command; `untrusted` is refused by Codex 0.149 and newer.",
    )
    .withdrawn(&[("untrusted", codex::since::UNTRUSTED_APPROVAL_REFUSED)])
    .profile_table(v(0, 89, 0)),
    key(
        "sandbox_mode",
        Kind::Choice(codex::SANDBOX_MODES),
        "What commands Codex runs may touch.",
    )
    .profile_table(v(0, 89, 0)),
    key(
        "personality",
        Kind::Choice(codex::PERSONALITIES),
        "The tone of Codex's answers (Codex 0.94+).",
    )
    .since(v(0, 94, 0))
    .profile_table(v(0, 94, 0)),
    key(
        "web_search",
        Kind::Choice(codex::WEB_SEARCH_MODES),
        "Whether the model may search the web (cached results or live).",
    )
    .profile_table(v(0, 89, 0)),
    key(
        "plan_mode_reasoning_effort",
        Kind::Choice(codex::REASONING_EFFORTS),
        "How hard the model reasons in plan mode (Codex 0.133+).",
    )
    .since(v(0, 133, 0))
    .profile_table(v(0, 133, 0)),
    key(
        "model_context_window",
        TOKENS,
        "The model's context window in tokens; a model Codex does not know needs it (or `model_auto_compact_token_limit`) to be compacted at all. In a profile: profile files only.",
    ),
    key(
        "model_auto_compact_token_limit",
        TOKENS,
        "Tokens of history at which Codex compacts it. In a profile: profile files only.",
    ),
    key(
        "model_auto_compact_token_limit_scope",
        Kind::Choice(codex::COMPACT_LIMIT_SCOPES),
        "What `model_auto_compact_token_limit` counts: the whole history, or what follows the fixed prefix (Codex 0.133+; in a profile: profile files only).",
    )
    .since(v(0, 133, 0)),
    key(
        "model_post_turn_compact_threshold_percent",
        Kind::Count {
            min: 0,
            max: codex::MAX_PERCENT,
        },
        "Percent of the context window after which Codex compacts at the end of a turn (0..100; Codex 0.156+).",
    )
    .since(v(0, 156, 0)),
    key(
        "tool_output_token_limit",
        TOKENS,
        "Tokens of a tool's output Codex keeps in the history. In a profile: profile files only.",
    ),
    key(
        "review_model",
        Kind::Text,
        "The model `/review` uses.",
    ),
    key(
        "developer_instructions",
        Kind::Text,
        "Instructions added to every session as developer messages; may span lines.",
    )
    .prose(),
    key(
        "features",
        Kind::BoolMap,
        "Codex's feature flags, each on or off (`codex features list` names them; `gen --verify` has the installed Codex judge the names).",
    )
    .profile_table(v(0, 89, 0)),
    key(
        "sandbox_workspace_write",
        Kind::Table("sandbox_workspace_write", SANDBOX_WORKSPACE_WRITE),
        "What `sandbox_mode: workspace-write` lets commands reach beyond the workspace.",
    ),
    key(
        "shell_environment_policy",
        Kind::Table("shell_environment_policy", SHELL_ENVIRONMENT_POLICY),
        "Which environment variables the commands Codex runs see.",
    ),
    key(
        "tools",
        Kind::Table("tools", TOOLS),
        "Tools the model may use.",
    )
    .profile_table(v(0, 133, 0)),
    key(
        "tui",
        Kind::Table("tui", TUI),
        "The terminal interface.",
    )
    .profile_table(v(0, 133, 0)),
    key(
        "history",
        Kind::Table("history", HISTORY),
        "Whether and how much of the session history Codex keeps in `history.jsonl`.",
    ),
    key(
        "notify",
        Kind::TextList,
        "A program (and its arguments) Codex runs with a JSON argument when a turn ends, e.g. `[notify-send, Codex]`.",
    ),
    key(
        "file_opener",
        Kind::Choice(&["vscode", "vscode-insiders", "windsurf", "cursor", "none"]),
        "The editor whose URI scheme file links in Codex's output use.",
    ),
    key(
        "hide_agent_reasoning",
        Kind::Bool,
        "Whether Codex hides the model's reasoning events.",
    ),
    key(
        "show_raw_agent_reasoning",
        Kind::Bool,
        "Whether Codex shows the model's raw reasoning, when the model sends it.",
    ),
    key(
        "check_for_update_on_startup",
        Kind::Bool,
        "Whether Codex checks for a newer release when it starts.",
    ),
    key(
        "disable_paste_burst",
        Kind::Bool,
        "Whether the TUI stops treating a fast burst of keys as a paste.",
    ),
    key(
        "project_doc_max_bytes",
        Kind::Count {
            min: 0,
            max: i64::MAX,
        },
        "The most bytes of AGENTS.md Codex reads.",
    ),
    key(
        "model_max_output_tokens",
        Kind::Refused,
        "Refused: no Codex release reads it (0.89.0-0.171.0 ignore it, and a session only warns about an unrecognised setting).",
    ),
    key(
        "model_reasoning_summary_format",
        Kind::Refused,
        "Refused: no Codex release reads it (0.89.0-0.171.0 ignore it, and a session only warns about an unrecognised setting).",
    ),
    key(
        "model_supports_reasoning_summaries",
        Kind::Refused,
        "Refused: Codex ignores it from 0.145.0 (read up to 0.144.x), and a session only warns about an unrecognised setting.",
    ),
];

/// `unchecked`, in `settings`, in a profile and in each of their tables
/// (`tui.unchecked`, written into `[tui]`): Codex keys codexgen does not
/// know yet, each written as given (text, number, switch, list of text, or
/// a table of these), with a warning. Not a Codex key: the explicit place
/// for a key the table above lacks, so that a typo of a known key is still
/// an error.
pub const UNCHECKED: KeyDoc = key(
    "unchecked",
    Kind::Unchecked,
    "Codex keys codexgen does not know yet (a key Codex shipped after this codexgen), written as given; `gen` warns, and `gen --verify` has the installed Codex judge them. A known key here is refused: write it outside `unchecked`, where it is checked.",
);

/// The keys of `sandbox_workspace_write`.
pub const SANDBOX_WORKSPACE_WRITE: &[KeyDoc] = &[
    key(
        "writable_roots",
        Kind::TextList,
        "More folders commands may write to, besides the workspace.",
    ),
    key(
        "network_access",
        Kind::Bool,
        "Whether commands may reach the network.",
    ),
    key(
        "exclude_tmpdir_env_var",
        Kind::Bool,
        "Whether `$TMPDIR` is left out of the writable folders.",
    ),
    key(
        "exclude_slash_tmp",
        Kind::Bool,
        "Whether `/tmp` is left out of the writable folders.",
    ),
];

/// The keys of `shell_environment_policy`.
pub const SHELL_ENVIRONMENT_POLICY: &[KeyDoc] = &[
    key(
        "inherit",
        Kind::Choice(&["all", "core", "none"]),
        "Which of Codex's own variables commands start from: all, a core set (HOME, PATH, ...), or none.",
    ),
    key(
        "ignore_default_excludes",
        Kind::Bool,
        "Whether variables whose names hold KEY, SECRET or TOKEN are kept too.",
    ),
    key(
        "exclude",
        Kind::TextList,
        "Patterns of variable names to drop (`AWS_*`).",
    ),
    key(
        "include_only",
        Kind::TextList,
        "Patterns of the only variable names to keep.",
    ),
    key(
        "set",
        Kind::TextMap,
        "Variables set for every command; no secrets (they are written to the file).",
    ),
    key(
        "experimental_use_profile",
        Kind::Bool,
        "Whether commands run through the user's shell profile.",
    ),
];

/// The keys of `tools`.
pub const TOOLS: &[KeyDoc] = &[key(
    "web_search",
    Kind::Bool,
    "Whether the model may use the web search tool.",
)
.profile_table(v(0, 133, 0))];

/// The keys of `tui`. A legacy `[profiles.NAME.tui]` (Codex 0.133.x) reads
/// none of them (only its own `session_picker_view`), and refuses the whole
/// config.toml for one: they have no `profile_table`, so a profile sets them
/// only in a profile file (docs/codex-versions.md).
pub const TUI: &[KeyDoc] = &[
    key(
        "notifications",
        Kind::Bool,
        "Whether the TUI sends desktop notifications.",
    ),
    key("animations", Kind::Bool, "Whether the TUI animates."),
    key(
        "show_tooltips",
        Kind::Bool,
        "Whether the TUI shows tips at start.",
    ),
];

/// The keys of `history`.
pub const HISTORY: &[KeyDoc] = &[
    key(
        "persistence",
        Kind::Choice(&["save-all", "none"]),
        "Whether Codex keeps the history: `save-all` or `none`.",
    ),
    key(
        "max_bytes",
        Kind::Count {
            min: 1,
            max: i64::MAX,
        },
        "The most bytes `history.jsonl` may grow to before its oldest entries go (before Codex 0.131, only beside `persistence`).",
    )
    .needs("persistence", v(0, 131, 0)),
];

/// The keys of one MCP server (`[mcp_servers.ID]`): a stdio server has
/// `command`, a streamable HTTP one `url`; [`MCP_STDIO`] and [`MCP_HTTP`]
/// say which keys belong to which (Codex refuses the others).
pub const MCP_SERVER: &[KeyDoc] = &[
    key(
        "command",
        Kind::Text,
        "stdio: the program Codex starts (a bare name is looked up on PATH); run without a shell.",
    ),
    key(
        "args",
        Kind::TextList,
        "stdio: its arguments, one item each; no secrets (pass them in `env_vars`).",
    ),
    key(
        "env",
        Kind::TextMap,
        "stdio: variables set for the server, literal non-secret values only; a secret goes in `env_vars`.",
    ),
    key(
        "env_vars",
        Kind::EnvList,
        "stdio: NAMES of variables passed from your environment to the server (how a secret reaches it).",
    ),
    key(
        "cwd",
        Kind::Text,
        "stdio: the folder the server starts in.",
    ),
    key(
        "url",
        Kind::Url,
        "streamable HTTP: the server's URL.",
    ),
    key(
        "bearer_token_env_var",
        Kind::EnvName,
        "streamable HTTP: NAME of the variable holding the token sent as `Authorization: Bearer`.",
    ),
    key(
        "bearer_token",
        Kind::Refused,
        "A literal token: refused (Codex refuses it too); name its variable in `bearer_token_env_var`.",
    )
    .secret(Secret::Literal),
    key(
        "http_headers",
        Kind::TextMap,
        "streamable HTTP: literal, non-secret headers; `${VAR}` is not expanded (use `env_http_headers`).",
    ),
    key(
        "env_http_headers",
        Kind::EnvMap,
        "streamable HTTP: header name -> NAME of the variable holding its value.",
    ),
    key(
        "http_headers_helper",
        Kind::Text,
        "streamable HTTP: a program Codex runs for more headers (Codex 0.150+).",
    )
    .since(v(0, 150, 0)),
    key(
        "scopes",
        Kind::TextList,
        "OAuth scopes Codex asks for when it logs in to the server (Codex 0.131+).",
    )
    .since(v(0, 131, 0)),
    key(
        "oauth_resource",
        Kind::Text,
        "streamable HTTP: the OAuth resource Codex names when it logs in (Codex 0.131+).",
    )
    .since(v(0, 131, 0)),
    key(
        "oauth",
        Kind::Table("mcp_oauth", MCP_OAUTH),
        "streamable HTTP: how Codex logs in with OAuth (Codex 0.131+).",
    )
    .since(v(0, 131, 0)),
    MCP_ENABLED,
    MCP_REQUIRED,
    MCP_STARTUP_TIMEOUT_SEC,
    MCP_STARTUP_TIMEOUT_MS,
    MCP_TOOL_TIMEOUT_SEC,
    MCP_ENABLED_TOOLS,
    MCP_DISABLED_TOOLS,
    MCP_DEFAULT_TOOLS_APPROVAL_MODE,
    MCP_TOOLS,
];

/// The keys of an MCP server that a profile may change too, each one
/// entry used by both tables.
const MCP_ENABLED: KeyDoc = key(
    "enabled",
    Kind::Bool,
    "false: Codex does not start it (default true; config.toml gets no `true`: Codex drops it).",
);

const MCP_REQUIRED: KeyDoc = key(
    "required",
    Kind::Bool,
    "true: Codex does not start when the server fails to (default false; config.toml gets no `false`; Codex 0.131+).",
)
.since(v(0, 131, 0));

const MCP_STARTUP_TIMEOUT_SEC: KeyDoc = key(
    "startup_timeout_sec",
    Kind::Seconds,
    "Seconds Codex waits for the server to start (written as a float, as Codex rewrites it).",
);

const MCP_STARTUP_TIMEOUT_MS: KeyDoc = key(
    "startup_timeout_ms",
    Kind::Refused,
    "Refused: `codex mcp add` rewrites it into `startup_timeout_sec`; write that.",
);

const MCP_TOOL_TIMEOUT_SEC: KeyDoc = key(
    "tool_timeout_sec",
    Kind::Seconds,
    "Seconds Codex waits for one tool call.",
);

const MCP_ENABLED_TOOLS: KeyDoc = key(
    "enabled_tools",
    Kind::TextList,
    "Only these tools are offered to the model (not empty: Codex drops an empty list when it rewrites the file).",
);

const MCP_DISABLED_TOOLS: KeyDoc = key(
    "disabled_tools",
    Kind::TextList,
    "These tools are not offered to the model.",
);

const MCP_DEFAULT_TOOLS_APPROVAL_MODE: KeyDoc = key(
    "default_tools_approval_mode",
    Kind::Choice(MCP_APPROVAL_MODES),
    "Whether Codex asks before a tool call: `auto`, `prompt`, `approve`, and `writes` from 0.150 (Codex 0.131+).",
)
.since(v(0, 131, 0))
.added(&[("writes", v(0, 150, 0))]);

const MCP_TOOLS: KeyDoc = key(
    "tools",
    Kind::MapOf("mcp_tool", MCP_TOOL),
    "Per tool name, its own `approval_mode` (Codex 0.131+).",
)
.since(v(0, 131, 0));

/// What a profile may change of a catalog MCP server (`profiles.NAME.
/// mcp_servers.ID`): the common keys, not the transport.
pub const MCP_PROFILE_SERVER: &[KeyDoc] = &[
    MCP_ENABLED,
    MCP_REQUIRED,
    MCP_STARTUP_TIMEOUT_SEC,
    MCP_TOOL_TIMEOUT_SEC,
    MCP_ENABLED_TOOLS,
    MCP_DISABLED_TOOLS,
    MCP_DEFAULT_TOOLS_APPROVAL_MODE,
    MCP_TOOLS,
];

/// The keys only a stdio server reads (Codex: "... is not supported for
/// `streamable_http`"), measured on 0.171.0.
pub const MCP_STDIO: &[&str] = &["command", "args", "env", "env_vars", "cwd"];
/// The keys only a streamable HTTP server reads (Codex: "... is not
/// supported for stdio"), measured on 0.171.0.
pub const MCP_HTTP: &[&str] = &[
    "url",
    "bearer_token_env_var",
    "bearer_token",
    "http_headers",
    "env_http_headers",
    "http_headers_helper",
    "oauth_resource",
    "oauth",
];

/// The keys of an MCP server's `oauth`.
pub const MCP_OAUTH: &[KeyDoc] = &[
    key(
        "client_id",
        Kind::Text,
        "The OAuth client id Codex registers as (Codex 0.131+).",
    )
    .since(v(0, 131, 0)),
    key(
        "callback_port",
        Kind::Count {
            min: 1,
            max: 65535,
        },
        "The local port of the OAuth callback (Codex 0.150+).",
    )
    .since(v(0, 150, 0)),
    key(
        "callback_url",
        Kind::Url,
        "The OAuth callback URL (Codex 0.169+).",
    )
    .since(v(0, 169, 0)),
    key(
        "client_secret",
        Kind::Refused,
        "A literal secret: refused, a shared catalog must not hold one (Codex has no variable for it); register a public client, or keep the secret in your own config.toml.",
    )
    .secret(Secret::Literal),
];

/// The keys of `tools.NAME` of an MCP server.
pub const MCP_TOOL: &[KeyDoc] = &[key(
    "approval_mode",
    Kind::Choice(MCP_APPROVAL_MODES),
    "Whether Codex asks before calling this tool: `auto`, `prompt`, `approve`, and `writes` from 0.150 (Codex 0.131+).",
)
.since(v(0, 131, 0))
.added(&[("writes", v(0, 150, 0))])];

/// Every approval mode of an MCP tool any known Codex reads.
const MCP_APPROVAL_MODES: &[&str] = &["auto", "prompt", "writes", "approve"];

/// A number of tokens.
const TOKENS: Kind = Kind::Count {
    min: 1,
    max: i64::MAX,
};

/// Every `wire_api` any known Codex accepts (which ones a release accepts:
/// `codex::Target::accepts_wire_api`).
pub const WIRE_APIS: &[&str] = &["responses", "chat"];

/// The entry for `name` in `keys`.
pub fn find(keys: &'static [KeyDoc], name: &str) -> Option<&'static KeyDoc> {
    keys.iter().find(|k| k.name == name)
}

/// The names in `keys`, in table order.
pub fn names(keys: &'static [KeyDoc]) -> impl Iterator<Item = &'static str> + Clone {
    keys.iter().map(|k| k.name)
}

/// Ids and profile names: what `home::id_fault` accepts (the plain
/// characters, not starting with `-`). Profile names are also bounded in
/// length (`home::MAX_PROFILE_NAME`); Windows's device names and two names
/// that differ only in case are left to `validate`.
const PLAIN_NAME: &str = "^[A-Za-z0-9_][A-Za-z0-9_-]*$";
/// An environment variable name, as `build` checks it.
const ENV_NAME: &str = "^[A-Za-z_][A-Za-z0-9_]*$";

/// The catalog's JSON Schema (draft 2020-12), from the tables above.
pub fn json_schema() -> Value {
    let mut schema = object(ROOT);
    let fields = schema.as_object_mut().expect("object() builds an object");
    let mut head = Map::new();
    head.insert(
        "$schema".into(),
        "https://json-schema.org/draft/2020-12/schema".into(),
    );
    head.insert("title".into(), "codexgen catalog (providers.yaml)".into());
    head.insert(
        "description".into(),
        "Model providers and profiles that codexgen renders into the Codex CLI's config files. Generated by `codexgen schema` from the tables the catalog checker uses."
            .into(),
    );
    head.append(fields);
    head.insert("$defs".into(), Value::Object(definitions()));
    Value::Object(head)
}

/// `$defs`: providers, profiles and every map a provider holds.
fn definitions() -> Map<String, Value> {
    fn nested(keys: &'static [KeyDoc], defs: &mut Map<String, Value>) {
        for k in keys {
            if let Kind::Table(name, table) | Kind::MapOf(name, table) = k.kind {
                defs.insert(name.into(), object(table));
                nested(table, defs);
            }
        }
    }
    let mut defs = Map::new();
    defs.insert("provider".into(), object(PROVIDER));
    nested(PROVIDER, &mut defs);
    nested(ROOT, &mut defs);
    nested(PROFILE, &mut defs);
    defs.insert("settings".into(), object_of(&[SETTINGS, &[UNCHECKED]]));
    // Every settings table takes `unchecked` too (`tui.unchecked`).
    for k in SETTINGS {
        if let Kind::Table(name, table) = k.kind {
            defs.insert(name.into(), object_of(&[table, &[UNCHECKED]]));
        }
    }
    defs.insert(
        "profile".into(),
        object_of(&[PROFILE, SETTINGS, &[UNCHECKED]]),
    );
    defs
}

fn object(keys: &'static [KeyDoc]) -> Value {
    object_of(&[keys])
}

/// The object whose keys are those of all `tables`.
fn object_of(tables: &[&'static [KeyDoc]]) -> Value {
    let keys = || tables.iter().flat_map(|t| t.iter());
    let mut properties = Map::new();
    for k in keys() {
        if let Some(mut value) = value_schema(k.kind) {
            value
                .as_object_mut()
                .expect("value_schema builds objects")
                .insert("description".into(), k.description.into());
            properties.insert(k.name.into(), value);
        }
    }
    let required: Vec<&str> = keys().filter(|k| k.required).map(|k| k.name).collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The schema of one value; `None` for a key that is always refused (so the
/// schema rejects it as unknown).
fn value_schema(kind: Kind) -> Option<Value> {
    Some(match kind {
        Kind::IntOf(values) => json!({ "type": "integer", "enum": values }),
        Kind::Text | Kind::VersionReq => json!({ "type": "string" }),
        Kind::AbsolutePath => json!({ "type": "string", "pattern": "^/" }),
        Kind::Url => json!({ "type": "string", "pattern": "^https?://[^/?#]+" }),
        Kind::EnvName => json!({ "type": "string", "pattern": ENV_NAME }),
        // `default: ~` leaves config.toml's top-level model unmanaged.
        Kind::ProfileRef => json!({ "type": ["string", "null"], "pattern": PLAIN_NAME }),
        Kind::ProviderRef => json!({ "type": "string", "pattern": PLAIN_NAME }),
        Kind::Choice(values) => json!({ "type": "string", "enum": values }),
        Kind::Count { min, max } => {
            let mut v = json!({ "type": "integer", "minimum": min });
            if max != i64::MAX {
                v["maximum"] = max.into();
            }
            v
        }
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::TextList => json!({ "type": "array", "items": { "type": "string" } }),
        Kind::BoolMap => json!({ "type": "object", "additionalProperties": { "type": "boolean" } }),
        Kind::Table(name, _) => json!({ "$ref": format!("#/$defs/{name}") }),
        Kind::TextMap => json!({ "type": "object", "additionalProperties": { "type": "string" } }),
        Kind::EnvMap => json!({
            "type": "object",
            "additionalProperties": { "type": "string", "pattern": ENV_NAME },
        }),
        Kind::Providers => json!({
            "type": ["object", "null"],
            "propertyNames": { "pattern": PLAIN_NAME },
            "additionalProperties": { "$ref": "#/$defs/provider" },
        }),
        Kind::Profiles => json!({
            "type": ["object", "null"],
            "propertyNames": { "pattern": PLAIN_NAME, "maxLength": crate::home::MAX_PROFILE_NAME },
            "additionalProperties": { "$ref": "#/$defs/profile" },
        }),
        Kind::Unchecked => json!({ "type": "object" }),
        Kind::MapOf(name, _) => json!({
            "type": ["object", "null"],
            "propertyNames": { "pattern": PLAIN_NAME },
            "additionalProperties": { "$ref": format!("#/$defs/{name}") },
        }),
        Kind::Seconds => json!({ "type": "number", "minimum": 0, "maximum": MAX_SECONDS }),
        Kind::EnvList => {
            json!({ "type": "array", "items": { "type": "string", "pattern": ENV_NAME } })
        }
        Kind::Refused => return None,
    })
}

/// The schema as `codexgen schema` prints it and the repository keeps it.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).expect("a JSON value serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A description names the release that reads its key in words
    /// (`Codex 0.156+`), the entry the release codexgen gates it by:
    /// changing one without the other fails here.
    #[test]
    fn every_release_a_description_names_is_its_gate() {
        let mut checked = 0;
        for table in [
            PROVIDER, PROFILE, AWS, SETTINGS, MCP_SERVER, MCP_OAUTH, MCP_TOOL,
        ] {
            for k in table {
                let gates = [k.since, k.builtin.gcp.filter(|_| k.builtin_only)];
                for first in gates.into_iter().flatten() {
                    if !k.description.contains("0.") {
                        continue;
                    }
                    let release = format!("{}.{}+", first.major, first.minor);
                    assert!(
                        k.description.contains(&release),
                        "`{}`: the description names another release than {release}, its entry's: {}",
                        k.name,
                        k.description
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked >= 10, "only {checked} descriptions were checked");
    }

    /// The keys of one transport are keys of the server table.
    #[test]
    fn every_transport_key_is_an_mcp_server_key() {
        for name in MCP_STDIO.iter().chain(MCP_HTTP) {
            assert!(find(MCP_SERVER, name).is_some(), "`{name}`");
        }
        assert!(MCP_STDIO.iter().all(|k| !MCP_HTTP.contains(k)));
    }

    #[test]
    fn writes_is_an_approval_mode_from_0_150() {
        let mode = find(MCP_SERVER, "default_tools_approval_mode").expect("an entry");
        assert!(!mode.choices(v(0, 149, 0)).contains(&"writes"));
        assert!(mode.choices(v(0, 150, 0)).contains(&"writes"));
        assert_eq!(mode.choices(v(0, 131, 0)), ["auto", "prompt", "approve"]);
    }

    fn now(which: Changeable, version: &str) -> Vec<String> {
        changeable(which, version.parse().expect("a version")).0
    }

    #[test]
    fn a_bedrock_table_changes_more_keys_release_by_release() {
        use Changeable::Bedrock;
        assert!(now(Bedrock, "0.122.0").is_empty());
        assert_eq!(now(Bedrock, "0.123.0"), ["aws.profile"]);
        assert_eq!(now(Bedrock, "0.144.0"), ["aws.profile", "aws.region"]);
        assert_eq!(
            now(Bedrock, "0.145.0"),
            [
                "base_url",
                "http_headers",
                "auth",
                "aws.profile",
                "aws.region"
            ]
        );
        assert!(!now(Bedrock, "0.148.0").contains(&"aws.auth_refresh".to_owned()));
        assert!(now(Bedrock, "0.149.0").contains(&"aws.auth_refresh".to_owned()));
        assert!(!now(Bedrock, "0.154.0").contains(&"aws.credential_export".to_owned()));
        let (all, later) = changeable(Bedrock, v(0, 155, 0));
        assert_eq!((all.len(), later.len()), (7, 0));
        assert_eq!(
            changeable(Bedrock, v(0, 148, 0)).1,
            [
                ("aws.auth_refresh".to_owned(), v(0, 149, 0)),
                ("aws.credential_export".to_owned(), v(0, 155, 0))
            ]
        );
    }

    #[test]
    fn a_gcp_table_changes_three_keys_then_six() {
        use Changeable::Gcp;
        assert_eq!(now(Gcp, "0.165.0"), ["base_url", "http_headers", "auth"]);
        assert_eq!(now(Gcp, "0.166.0").len(), 6);
        assert!(now(Gcp, "0.171.0").iter().all(|k| !k.starts_with("aws")));
    }

    #[test]
    fn untrusted_approval_is_refused_from_0_149() {
        let approval = find(SETTINGS, "approval_policy").expect("an entry");
        assert!(!approval.choices(v(0, 169, 0)).contains(&"untrusted"));
        assert!(!approval.choices(v(0, 149, 0)).contains(&"untrusted"));
        assert!(approval.choices(v(0, 148, 0)).contains(&"untrusted"));
        assert!(approval.choices(v(0, 89, 0)).contains(&"untrusted"));
        assert_eq!(approval.choices(v(0, 171, 0)).len(), 3);
    }

    /// Free text is scanned for credentials unless its entry says why not;
    /// a literal credential is never a key a catalog can set.
    #[test]
    fn every_text_key_says_what_it_does_with_a_credential() {
        for table in [
            ROOT,
            PROVIDER,
            AUTH,
            CAPABILITIES,
            AWS,
            AWS_COMMAND,
            PROFILE,
            SETTINGS,
            SANDBOX_WORKSPACE_WRITE,
            SHELL_ENVIRONMENT_POLICY,
            TOOLS,
            TUI,
            HISTORY,
            MCP_SERVER,
            MCP_OAUTH,
            MCP_TOOL,
        ] {
            for k in table {
                if matches!(k.kind, Kind::Text | Kind::TextMap | Kind::TextList) {
                    assert_eq!(k.secret, Secret::Scanned, "`{}`", k.name);
                }
                if k.secret == Secret::Literal {
                    assert!(matches!(k.kind, Kind::Refused), "`{}`", k.name);
                }
            }
        }
    }
}

/// The key reference in `docs/catalog-keys.md`, from the tables above; a
/// test keeps the file current.
#[cfg(test)]
mod reference {
    use std::fmt::Write as _;

    use super::*;

    const PLACES: &[(&str, &[KeyDoc])] = &[
        ("The catalog (top level)", ROOT),
        ("`providers.ID`", PROVIDER),
        ("`providers.ID.auth`", AUTH),
        ("`providers.ID.capabilities`", CAPABILITIES),
        ("`providers.ID.aws` (Amazon Bedrock)", AWS),
        (
            "`providers.ID.aws.auth_refresh`, `providers.ID.aws.credential_export`",
            AWS_COMMAND,
        ),
        (
            "`settings` (config.toml's top level; also a profile's keys)",
            SETTINGS,
        ),
        (
            "`settings.sandbox_workspace_write`",
            SANDBOX_WORKSPACE_WRITE,
        ),
        (
            "`settings.shell_environment_policy`",
            SHELL_ENVIRONMENT_POLICY,
        ),
        ("`settings.tools`", TOOLS),
        ("`settings.tui`", TUI),
        ("`settings.history`", HISTORY),
        ("`profiles.NAME` (and every key of `settings`)", PROFILE),
        (
            "`settings`, `profiles.NAME` and each of their tables (`tui`, ...): keys codexgen does not know",
            &[UNCHECKED],
        ),
        ("`mcp_servers.ID`", MCP_SERVER),
        ("`mcp_servers.ID.oauth`", MCP_OAUTH),
        ("`mcp_servers.ID.tools.NAME`", MCP_TOOL),
        ("`profiles.NAME.mcp_servers.ID`", MCP_PROFILE_SERVER),
    ];

    fn value(k: &KeyDoc) -> String {
        let listed = |values: &[&str]| {
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut text = match k.kind {
            Kind::IntOf(values) => values
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            Kind::Text => "text".to_owned(),
            Kind::Url => "http(s) URL".to_owned(),
            Kind::AbsolutePath => "absolute path".to_owned(),
            Kind::EnvName => "variable name".to_owned(),
            Kind::ProfileRef => "profile name, or `~`".to_owned(),
            Kind::ProviderRef => "provider id".to_owned(),
            Kind::VersionReq => "Codex version or range".to_owned(),
            Kind::Choice(values) => listed(values),
            Kind::Count { min, max } if max == i64::MAX => format!("whole number, at least {min}"),
            Kind::Count { min, max } => format!("whole number, {min} to {max}"),
            Kind::Bool => "true or false".to_owned(),
            Kind::TextMap => "map of text".to_owned(),
            Kind::EnvMap => "map of header to variable name".to_owned(),
            Kind::TextList => "list of text".to_owned(),
            Kind::BoolMap => "map of names to true or false".to_owned(),
            Kind::Table(..) => "table (below)".to_owned(),
            Kind::Providers => "map of provider ids to providers".to_owned(),
            Kind::Profiles => "map of profile names to profiles".to_owned(),
            Kind::MapOf(..) => "map of names to tables (below)".to_owned(),
            Kind::Seconds => format!("seconds (a number, 0 to {MAX_SECONDS})"),
            Kind::EnvList => "list of variable names".to_owned(),
            Kind::Refused => "refused".to_owned(),
            Kind::Unchecked => "map of Codex keys to values".to_owned(),
        };
        for (w, from) in k.withdrawn {
            let _ = write!(text, " (`{w}` refused from {from})");
        }
        for (a, from) in k.added {
            let _ = write!(text, " (`{a}` from {from})");
        }
        text
    }

    fn releases(k: &KeyDoc) -> String {
        if matches!(k.kind, Kind::Refused) {
            return "none (see the description)".to_owned();
        }
        if matches!(k.kind, Kind::Unchecked) {
            return "the installed Codex decides (`gen --verify`)".to_owned();
        }
        let mut text = match (k.since, k.builtin_only) {
            (_, true) => String::new(),
            (Some(first), false) => format!("{first} and newer"),
            (None, false) => "every release codexgen knows".to_owned(),
        };
        for (id, first) in [
            ("Amazon Bedrock", k.builtin.bedrock),
            ("gcp", k.builtin.gcp),
        ] {
            let Some(first) = first else { continue };
            if !text.is_empty() {
                text.push_str("; ");
            }
            let only = if k.builtin_only { "only " } else { "" };
            let _ = write!(
                text,
                "{only}in a table for the built-in {id}, {first} and newer"
            );
        }
        text
    }

    fn secret(k: &KeyDoc) -> &'static str {
        match k.secret {
            Secret::Never => "",
            Secret::Scanned => "refused when it looks like a credential",
            Secret::Named => "names variables; their values are never printed",
            Secret::Literal => "a literal credential: always refused",
        }
    }

    pub fn markdown() -> String {
        let mut out = String::from(
            "# Catalog keys\n\n\
             Every key a catalog (`providers.yaml`) can hold, from the one key table in\n\
             `src/catalog/keys.rs` that the checker, the version gates, `codexgen schema`, the\n\
             rendered files, `layers` and `import` read. Generated: `SNAPSHOTS=overwrite cargo test`\n\
             rewrites this file, and a test fails when it is stale. \"Codex reads it\" is the\n\
             first release that reads the key in that place; a catalog whose target Codex is\n\
             older is refused, since that Codex would ignore the key without a word.\n",
        );
        for (place, table) in PLACES {
            let _ = write!(
                out,
                "\n## {place}\n\n| key | value | Codex reads it | credential | what it is |\n|---|---|---|---|---|\n"
            );
            for k in *table {
                let required = if k.required { " (required)" } else { "" };
                let releases = if std::ptr::eq(*table, ROOT) {
                    "codexgen's own key".to_owned()
                } else if std::ptr::eq(*table, SETTINGS) && !matches!(k.kind, Kind::Refused) {
                    let legacy = k.profile_table.map_or_else(
                        || {
                            "a legacy `[profiles.NAME]` table (before 0.134.0) does not read it"
                                .to_owned()
                        },
                        |first| format!("a legacy `[profiles.NAME]` table reads it from {first}"),
                    );
                    format!("{}; {legacy}", releases(k))
                } else {
                    releases(k)
                };
                let _ = writeln!(
                    out,
                    "| `{}`{required} | {} | {} | {} | {} |",
                    k.name,
                    value(k),
                    releases,
                    secret(k),
                    k.description.replace('|', "\\|")
                );
            }
        }
        out
    }

    #[test]
    fn the_key_reference_in_the_docs_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/catalog-keys.md");
        let generated = markdown();
        // Stale: review the diff, run `SNAPSHOTS=overwrite cargo test` and commit it.
        snapbox::assert_data_eq!(
            snapbox::IntoData::raw(generated),
            snapbox::Data::read_from(&path, None).raw()
        );
    }

    /// A legacy `[profiles.NAME.tui]` (0.133.0) reads none of codexgen's
    /// `tui` keys, its `tools` reads `web_search`; a profile file reads all.
    #[test]
    fn a_settings_tables_keys_are_gated_in_a_legacy_profile_by_their_own_entry() {
        let legacy = v(0, 133, 0);
        for k in TUI {
            assert_eq!(
                k.first_in_profile(legacy),
                Some(codex::since::PROFILE_FILES),
                "{}",
                k.name
            );
            assert_eq!(k.first_in_profile(v(0, 171, 0)), None, "{}", k.name);
        }
        let web_search = find(TOOLS, "web_search").expect("tools.web_search");
        assert_eq!(web_search.first_in_profile(legacy), Some(legacy));
    }
}
