//! Owns what each Codex CLI release does as a whole, as pure data and
//! lookups, from measurements of the real binaries: its built-in providers,
//! where it reads profiles, its flags, the values its enumerated keys take.
//! Each constant is a row of `docs/codex-versions.md`, which says how it was
//! measured. What a release reads key by key (the first release that reads
//! a key, the keys a built-in's table may change) is each key's entry in
//! `catalog::keys`. Does no I/O: finding out which Codex is installed is
//! not its job.

use std::fmt;
use std::str::FromStr;

/// A Codex CLI release, `MAJOR.MINOR.PATCH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Codex version; expected MAJOR.MINOR.PATCH such as 0.169.0")]
pub struct BadVersion(pub String);

impl FromStr for Version {
    type Err = BadVersion;

    /// Accepts `0.169.0`, `0.169`, and `codex-cli 0.169.0` (what `codex --version` prints).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadVersion(s.to_owned());
        let text = s.trim();
        let text = text.rsplit(' ').next().unwrap_or(text);
        let text = text.split(['-', '+']).next().unwrap_or(text);
        let mut parts = text.split('.').map(str::parse::<u32>);
        let major = parts.next().ok_or_else(bad)?.map_err(|_| bad())?;
        let minor = parts.next().ok_or_else(bad)?.map_err(|_| bad())?;
        let patch = parts.next().transpose().map_err(|_| bad())?.unwrap_or(0);
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Version::new(major, minor, patch))
    }
}

/// A set of Codex versions, as a catalog's `codex:` field states it:
/// `0.169.0` (exactly), `>=0.134`, or comparisons joined by commas
/// (`>=0.115, <0.134`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionReq {
    comparators: Vec<(Op, Version)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Exact,
    Greater,
    GreaterEq,
    Less,
    LessEq,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a Codex version requirement; write e.g. \"0.169.0\", \">=0.134\" or \">=0.115, <0.134\""
)]
pub struct BadRequirement(pub String);

impl FromStr for VersionReq {
    type Err = BadRequirement;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadRequirement(s.to_owned());
        let mut comparators = Vec::new();
        for part in s.split(',').map(str::trim) {
            let (op, rest) = [
                (">=", Op::GreaterEq),
                ("<=", Op::LessEq),
                (">", Op::Greater),
                ("<", Op::Less),
                ("=", Op::Exact),
            ]
            .into_iter()
            .find_map(|(prefix, op)| part.strip_prefix(prefix).map(|rest| (op, rest)))
            .unwrap_or((Op::Exact, part));
            let version = rest.trim().parse::<Version>().map_err(|_| bad())?;
            comparators.push((op, version));
        }
        if comparators.is_empty() {
            return Err(bad());
        }
        Ok(VersionReq { comparators })
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (op, v)) in self.comparators.iter().enumerate() {
            let op = match op {
                Op::Exact => "",
                Op::Greater => ">",
                Op::GreaterEq => ">=",
                Op::Less => "<",
                Op::LessEq => "<=",
            };
            write!(f, "{}{op}{v}", if i > 0 { ", " } else { "" })?;
        }
        Ok(())
    }
}

impl VersionReq {
    pub fn matches(&self, v: Version) -> bool {
        self.comparators.iter().all(|&(op, bound)| match op {
            Op::Exact => v == bound,
            Op::Greater => v > bound,
            Op::GreaterEq => v >= bound,
            Op::Less => v < bound,
            Op::LessEq => v <= bound,
        })
    }

    /// The one version this requirement allows, when it names exactly one.
    pub fn exact(&self) -> Option<Version> {
        match self.comparators.as_slice() {
            [(Op::Exact, v)] => Some(*v),
            _ => None,
        }
    }

    /// The version to assume when nothing else tells: the newest known one if
    /// allowed, else the highest lower bound the requirement names.
    pub fn default_version(&self) -> Option<Version> {
        if let Some(v) = self.exact() {
            return Some(v);
        }
        if self.matches(NEWEST_KNOWN) {
            return Some(NEWEST_KNOWN);
        }
        self.comparators
            .iter()
            .filter(|(op, _)| matches!(op, Op::GreaterEq | Op::Exact))
            .map(|&(_, v)| v)
            .filter(|&v| self.matches(v))
            .max()
    }
}

/// The newest Codex release whose behaviour was measured; the default target.
/// `data/codex-keys.json` must hold its keys (`catalog::codex_facts`).
pub const NEWEST_KNOWN: Version = Version::new(0, 171, 0);

/// Provider ids built into Codex. `oss` is not one (measured).
pub const BUILTIN_PROVIDERS: &[&str] = &["openai", "ollama", "lmstudio"];
/// The provider Codex uses when `model_provider` is not set (one of
/// [`BUILTIN_PROVIDERS`]).
pub const DEFAULT_PROVIDER: &str = BUILTIN_PROVIDERS[0];

/// The releases from which Codex behaves differently as a whole, each
/// named for what changes there (`since::PROFILE_FILES` is a version, not
/// a key): compare a target's version with them (`version >= since::X`).
pub mod since {
    use super::Version;

    /// `wire_api = "chat"` became a load error in this release.
    pub const CHAT_REMOVED: Version = Version::new(0, 95, 0);
    /// Defining a built-in id under `[model_providers]` became a load error here.
    pub const BUILTIN_IDS_RESERVED: Version = Version::new(0, 115, 0);
    /// From here a top-level `codex -p NAME exec` honours the profile.
    pub const TOP_LEVEL_PROFILE_FLAG: Version = Version::new(0, 123, 0);
    /// From here profiles live in `$CODEX_HOME/NAME.config.toml`.
    pub const PROFILE_FILES: Version = Version::new(0, 134, 0);
    /// `approval_policy = "untrusted"` is refused at load ("no longer supported")
    /// from this release (0.148.0 loads it).
    pub const UNTRUSTED_APPROVAL_REFUSED: Version = Version::new(0, 149, 0);
    /// From this release `codex --strict-config exec` refuses a config file with
    /// a key Codex does not know, naming the first one with its file, line and
    /// column, offline (0.130.0 does not have the flag).
    pub const STRICT_CONFIG: Version = Version::new(0, 131, 0);
}

/// `capabilities.remote_compaction` (0.171.0: "expected `unsupported` or
/// `v2`").
pub const REMOTE_COMPACTIONS: &[&str] = &["unsupported", "v2"];

/// Codex's built-in Amazon Bedrock providers, and the release that
/// brought each (before it, `model_provider = "<id>"` fails with "Model
/// provider not found"). Unlike the other built-ins, a
/// `[model_providers.<id>]` table may change a few of their keys
/// (`catalog::keys::changeable`).
pub const BEDROCK_PROVIDERS: &[(&str, Version)] = &[
    ("amazon-bedrock", Version::new(0, 123, 0)),
    ("amazon-bedrock-runtime", Version::new(0, 148, 0)),
];

/// Codex's built-in Google Cloud Vertex AI provider, and the release that
/// brought it: `model_provider = "gcp"` loads with no table from here. Like
/// Bedrock's, a `[model_providers.gcp]` table may change a few of its keys
/// (`catalog::keys::changeable`).
pub const GCP_PROVIDER: (&str, Version) = ("gcp", Version::new(0, 165, 0));

/// Where a target Codex reads profiles from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileLayout {
    /// `[profiles.NAME]` tables inside config.toml (before 0.134.0).
    Tables,
    /// One `NAME.config.toml` per profile (0.134.0 and newer).
    Files,
}

/// The Codex version that will read the generated files, and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub version: Version,
    pub reason: String,
}

impl Target {
    /// A target for what an installed Codex accepts (no reason to report).
    pub fn at(version: Version) -> Self {
        Target {
            version,
            reason: String::new(),
        }
    }

    pub fn accepts_wire_api(&self, wire_api: &str) -> bool {
        match wire_api {
            "responses" => true,
            "chat" => self.version < since::CHAT_REMOVED,
            _ => false,
        }
    }

    /// Codex's built-in provider ids in this release.
    pub fn builtin_providers(&self) -> Vec<&'static str> {
        BUILTIN_PROVIDERS
            .iter()
            .copied()
            .chain(
                BEDROCK_PROVIDERS
                    .iter()
                    .chain([&GCP_PROVIDER])
                    .filter(|(_, first)| self.version >= *first)
                    .map(|(id, _)| *id),
            )
            .collect()
    }

    /// Whether `id` is Codex's Google Cloud built-in in this release.
    pub fn is_gcp(&self, id: &str) -> bool {
        id == GCP_PROVIDER.0 && self.version >= GCP_PROVIDER.1
    }

    /// Whether `id` is a built-in whose `[model_providers.<id>]` table may
    /// change a few keys (Amazon Bedrock's, Google Cloud's) in this release.
    pub fn changes_builtin(&self, id: &str) -> bool {
        self.is_bedrock(id) || self.is_gcp(id)
    }

    /// Whether `id` is built into this Codex.
    pub fn is_builtin(&self, id: &str) -> bool {
        self.builtin_providers().contains(&id)
    }

    /// Whether `id` is a built-in whose table may change some keys (Amazon
    /// Bedrock's), in this release.
    pub fn is_bedrock(&self, id: &str) -> bool {
        BEDROCK_PROVIDERS
            .iter()
            .any(|(b, first)| *b == id && self.version >= *first)
    }

    /// What this Codex does with a `[model_providers.<id>]` table for one of
    /// its built-in ids: `None` when `id` is not built in. No version uses
    /// such a table: before 0.115.0 it loads and is ignored (requests go to
    /// the built-in URL, measured), from 0.115.0 it is a load error.
    pub fn redefined_builtin(&self, id: &str) -> Option<&'static str> {
        if !BUILTIN_PROVIDERS.contains(&id) {
            None
        } else if self.version < since::BUILTIN_IDS_RESERVED {
            Some("loads such a table but ignores it: requests still go to the built-in URL")
        } else {
            Some("refuses to load such a table")
        }
    }

    pub fn profile_layout(&self) -> ProfileLayout {
        if self.version >= since::PROFILE_FILES {
            ProfileLayout::Files
        } else {
            ProfileLayout::Tables
        }
    }

    /// Whether `codex -p NAME exec` (flag before the subcommand) loads the profile.
    pub fn top_level_profile_flag_works(&self) -> bool {
        self.version >= since::TOP_LEVEL_PROFILE_FLAG
    }

    /// Whether this Codex has `--strict-config` (an offline unknown-key check).
    pub fn strict_config(&self) -> bool {
        self.version >= since::STRICT_CONFIG
    }
}

/// Values Codex accepts for the enumerated profile keys (measured on 0.169.0
/// with `codex mcp list`; `model_reasoning_effort` is not checked by Codex at
/// load, so a typo there would pass silently: we check it).
/// Every `approval_policy` a known Codex loads; `untrusted` only before
/// [`since::UNTRUSTED_APPROVAL_REFUSED`] (`withdrawn` on its key table entry).
pub const APPROVAL_POLICIES: &[&str] = &["untrusted", "on-request", "on-failure", "never"];
pub const SANDBOX_MODES: &[&str] = &["read-only", "workspace-write", "danger-full-access"];
pub const REASONING_EFFORTS: &[&str] = &["none", "minimal", "low", "medium", "high", "xhigh"];
pub const REASONING_SUMMARIES: &[&str] = &["auto", "concise", "detailed", "none"];
pub const VERBOSITIES: &[&str] = &["low", "medium", "high"];
pub const PERSONALITIES: &[&str] = &["none", "friendly", "pragmatic"];
pub const WEB_SEARCH_MODES: &[&str] = &["disabled", "cached", "live"];
/// `model_auto_compact_token_limit_scope` (0.133.0 and 0.171.0 name the
/// same two: "expected `total` or `body_after_prefix`").
pub const COMPACT_LIMIT_SCOPES: &[&str] = &["total", "body_after_prefix"];
/// `model_post_turn_compact_threshold_percent` is a percentage (0.171.0:
/// "must be between 0 and 100").
pub const MAX_PERCENT: i64 = 100;
/// Codex caps both retry counts at this value.
pub const MAX_RETRIES: i64 = 100;

#[cfg(test)]
mod tests {
    use super::*;

    fn target(v: &str) -> Target {
        Target {
            version: v.parse().unwrap(),
            reason: String::new(),
        }
    }

    #[test]
    fn parses_what_codex_prints() {
        assert_eq!("codex-cli 0.169.0".parse(), Ok(Version::new(0, 169, 0)));
        assert_eq!("0.134".parse(), Ok(Version::new(0, 134, 0)));
        assert_eq!("0.95.0-alpha.1".parse(), Ok(Version::new(0, 95, 0)));
        assert!("latest".parse::<Version>().is_err());
        assert!("1.2.3.4".parse::<Version>().is_err());
    }

    // Each assertion below is a row of the measured table.
    #[test]
    fn chat_wire_api_ends_at_0_95() {
        assert!(target("0.94.0").accepts_wire_api("chat"));
        assert!(target("0.89.0").accepts_wire_api("chat"));
        assert!(!target("0.95.0").accepts_wire_api("chat"));
        assert!(!target("0.169.0").accepts_wire_api("chat"));
        assert!(target("0.169.0").accepts_wire_api("responses"));
        assert!(!target("0.169.0").accepts_wire_api("completions"));
    }

    #[test]
    fn no_version_uses_a_redefined_builtin_id() {
        // Ignored before 0.115.0 (requests go to the built-in URL), refused after.
        let ignored = target("0.114.0").redefined_builtin("ollama").unwrap();
        assert!(ignored.contains("ignores"), "{ignored}");
        let refused = target("0.115.0").redefined_builtin("ollama").unwrap();
        assert!(refused.contains("refuses"), "{refused}");
        assert!(target("0.89.0").redefined_builtin("openai").is_some());
        assert!(target("0.169.0").redefined_builtin("lmstudio").is_some());
        assert!(
            target("0.169.0")
                .redefined_builtin("local_ollama")
                .is_none()
        );
        assert!(target("0.89.0").redefined_builtin("oss").is_none());
    }

    #[test]
    fn profile_layout_switches_at_0_134() {
        assert_eq!(target("0.89.0").profile_layout(), ProfileLayout::Tables);
        assert_eq!(target("0.133.0").profile_layout(), ProfileLayout::Tables);
        assert_eq!(target("0.134.0").profile_layout(), ProfileLayout::Files);
        assert_eq!(target("0.169.0").profile_layout(), ProfileLayout::Files);
    }

    #[test]
    fn top_level_profile_flag_from_0_123() {
        assert!(!target("0.122.0").top_level_profile_flag_works());
        assert!(target("0.123.0").top_level_profile_flag_works());
    }

    #[test]
    fn strict_config_from_0_131() {
        assert!(!target("0.89.0").strict_config());
        assert!(!target("0.130.0").strict_config());
        assert!(target("0.131.0").strict_config());
        assert!(target("0.133.0").strict_config());
        assert!(target("0.169.0").strict_config());
    }

    #[test]
    fn requirements() {
        let req: VersionReq = ">=0.115, <0.134".parse().unwrap();
        assert!(req.matches(Version::new(0, 115, 0)));
        assert!(req.matches(Version::new(0, 133, 9)));
        assert!(!req.matches(Version::new(0, 134, 0)));
        assert_eq!(req.default_version(), Some(Version::new(0, 115, 0)));
        assert_eq!(req.to_string(), ">=0.115.0, <0.134.0");
        let exact: VersionReq = "0.89.0".parse().unwrap();
        assert_eq!(exact.exact(), Some(Version::new(0, 89, 0)));
        let open: VersionReq = ">=0.134".parse().unwrap();
        assert_eq!(open.default_version(), Some(NEWEST_KNOWN));
        assert!("newest".parse::<VersionReq>().is_err());
        assert!(">=".parse::<VersionReq>().is_err());
    }

    #[test]
    fn bedrock_is_built_in_from_0_123_and_its_runtime_from_0_148() {
        assert!(!target("0.122.0").is_builtin("amazon-bedrock"));
        assert!(target("0.123.0").is_builtin("amazon-bedrock"));
        assert!(target("0.123.0").is_bedrock("amazon-bedrock"));
        assert!(!target("0.147.0").is_builtin("amazon-bedrock-runtime"));
        assert!(target("0.148.0").is_bedrock("amazon-bedrock-runtime"));
        assert!(target("0.89.0").is_builtin("ollama"));
        assert!(!target("0.169.0").is_bedrock("openai"));
        assert!(!target("0.169.0").is_builtin("oss"));
        // Not reserved as the others are: a table for it is no redefinition.
        assert!(
            target("0.169.0")
                .redefined_builtin("amazon-bedrock")
                .is_none()
        );
    }

    #[test]
    fn gcp_is_built_in_from_0_165_and_its_table_grows_at_0_166() {
        assert!(!target("0.164.0").is_builtin("gcp"));
        assert!(!target("0.164.0").changes_builtin("gcp"));
        assert!(target("0.165.0").is_builtin("gcp"));
        assert!(target("0.165.0").changes_builtin("gcp"));
        assert!(!target("0.171.0").is_bedrock("gcp"));
        assert!(target("0.171.0").redefined_builtin("gcp").is_none());
    }
}
