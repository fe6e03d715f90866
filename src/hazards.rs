//! Owns the rules for what in a Codex home trips the target Codex although
//! the catalog is fine: legacy profile tables and selectors, profile files
//! the target does not read, provider tables it refuses, the ignored
//! top-level `-p`. One function finds them, for `gen` (in the planned
//! files) and `doctor` (in the files on disk), and each is worded once, as
//! a [`Finding`] with its severity and fix, which both commands render.
//! The rules read no file: the caller hands in the texts ([`Texts`]). A
//! large config.toml is parsed in pieces, two at once ([`joined`]).
//! Facts per version: `docs/codex-versions.md`.

use crate::catalog::Catalog;
use crate::codex::{self, ProfileLayout, Target};
use toml::de::{DeTable, DeValue};

use crate::findings::{Finding, Severity, Subject};
use crate::home::{CodexFile, ProfileName};
use crate::merge;
use crate::state::State;

/// The texts the rules look at: config.toml's, and a profile file's when
/// a rule asks for it (`None`: not there, or not readable, which the plan
/// reports). Asked for only where the target reads `[profiles.NAME]`
/// tables, so that 10,000 profile files are not read for nothing.
pub struct Texts<'a> {
    pub config: &'a str,
    pub profile_file: &'a dyn Fn(&CodexFile) -> Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hazard {
    /// A `[profiles.NAME]` table in config.toml; from 0.134 `codex -p NAME`
    /// fails while it is there.
    LegacyTable { profile: String, in_catalog: bool },
    /// A top-level `profile = "NAME"` in config.toml: from 0.134 Codex
    /// refuses to load config.toml at all, so every command fails (measured).
    Selector { profile: String },
    /// A profile file codexgen did not write, which a Codex before 0.134
    /// does not read.
    UnreadProfileFile { file: CodexFile, profile: String },
    /// A profile file codexgen wrote holds keys the user added, and the
    /// target (before 0.134) reads no profile files: after a downgrade those
    /// keys would sit where no Codex of this version reads them.
    StrandedKeys {
        file: CodexFile,
        profile: String,
        keys: Vec<String>,
    },
    /// A Codex before 0.123 ignores `codex -p NAME` before the subcommand.
    TopLevelProfileFlagIgnored,
    /// config.toml defines a built-in provider id (ignored before 0.115,
    /// refused from then on).
    BuiltinRedefined { id: String },
    /// config.toml gives a provider a wire API this Codex refuses.
    RefusedWireApi { id: String, wire_api: String },
    /// A provider's `[model_providers.ID.auth]` that this Codex (0.118+)
    /// refuses: one without `command` (what is left of a table codexgen
    /// wrote once the catalog dropped `auth`, when the user added keys to
    /// it), or one beside a key Codex does not take with it (`env_key`,
    /// `experimental_bearer_token`, `requires_openai_auth = true`).
    RefusedAuth { id: String, why: String },
}

/// What in `texts` (config.toml's, and the profile files') trips `target`.
pub fn find(texts: &Texts<'_>, target: &Target, catalog: &Catalog, state: &State) -> Vec<Hazard> {
    // Only a few keys matter here, so the text is parsed into `toml`'s
    // plain tree (a quarter of the memory of toml_edit's at 10,000
    // providers). An unparsable config.toml is reported by the merge, with
    // its position.
    let text = texts.config.trim_start_matches('\u{feff}');
    let parts = merge::in_pieces(text, merge::PIECE);
    if let Some(joined) = joined(&parts) {
        let found = find_in(Some(&joined), texts, target, catalog, state);
        #[cfg(debug_assertions)]
        {
            let whole = DeTable::parse(text).ok().map(toml::Spanned::into_inner);
            let whole = find_in(whole.as_ref(), texts, target, catalog, state);
            assert_eq!(found, whole, "the pieces of config.toml mean another tree");
        }
        return found;
    }
    let parsed = DeTable::parse(text).ok().map(toml::Spanned::into_inner);
    find_in(parsed.as_ref(), texts, target, catalog, state)
}

/// config.toml's tree from the pieces of its text (see `merge::in_pieces`),
/// each parsed on its own, two halves at once (see `halves`), and joined:
/// a large config.toml is read in half the time. `None` when there is one
/// piece, a piece does not parse, or the whole text may not mean what the
/// pieces joined mean: a key in two pieces that is not a table in both,
/// or a table that the headers of the pieces before it and of this piece
/// do not both name (as its own or a parent's), or that both name as
/// their own (TOML defines a table once). The whole text then decides.
fn joined<'t>(parts: &[&'t str]) -> Option<DeTable<'t>> {
    if parts.len() < 2 {
        return None;
    }
    let read = |parts: &[&'t str]| -> Option<Vec<(DeTable<'t>, Named<'t>)>> {
        parts
            .iter()
            .map(|part| {
                let tree = DeTable::parse(part).ok()?.into_inner();
                Some((tree, Named::of(part)?))
            })
            .collect()
    };
    let mid = parts.len() / 2;
    let (first, second) = crate::halves::both(|| read(&parts[..mid]), || read(&parts[mid..]));
    let mut trees = first?.into_iter().chain(second?);
    let (mut root, mut before) = trees.next()?;
    for (tree, named) in trees {
        join(&mut root, tree, &mut Vec::new(), &before, &named)?;
        before.own.extend(named.own);
        before.parents.extend(named.parents);
    }
    Some(root)
}

/// The tables a piece's headers name: as their own (`[a.b]`: `a.b`), and
/// as a parent (`a`), each a slice of the text. `None` for a header that
/// is not plain keys written without spaces (the pieces are cut only
/// where every header is plain).
#[derive(Default)]
struct Named<'t> {
    own: std::collections::HashSet<&'t str>,
    parents: std::collections::HashSet<&'t str>,
}

impl<'t> Named<'t> {
    fn of(part: &'t str) -> Option<Named<'t>> {
        let mut named = Named::default();
        for line in part.lines().map(str::trim) {
            let Some(inner) = line.strip_prefix('[') else {
                continue;
            };
            let path = inner.strip_suffix(']')?;
            if !path.split('.').all(crate::home::is_plain_name) {
                return None;
            }
            named
                .parents
                .extend(path.match_indices('.').map(|(at, _)| &path[..at]));
            named.own.insert(path);
        }
        Some(named)
    }

    fn names(&self, path: &str) -> bool {
        self.own.contains(path) || self.parents.contains(path)
    }
}

/// Lays `tree` (a later piece's) into `into` (the pieces' before it) at
/// `path`; `None` where the whole text may mean otherwise (see [`joined`]).
fn join<'t>(
    into: &mut DeTable<'t>,
    tree: DeTable<'t>,
    path: &mut Vec<String>,
    before: &Named<'_>,
    named: &Named<'_>,
) -> Option<()> {
    for (key, value) in tree {
        let Some(there) = into.get_mut(key.get_ref().as_ref()) else {
            into.insert(key, value);
            continue;
        };
        let (DeValue::Table(there), DeValue::Table(more)) = (there.get_mut(), value.into_inner())
        else {
            return None;
        };
        // Headers are plain keys: a key with a dot is no header's.
        if key.get_ref().contains('.') {
            return None;
        }
        path.push(key.get_ref().to_string());
        let table = path.join(".");
        if !(before.names(&table) && named.names(&table))
            || before.own.contains(table.as_str()) && named.own.contains(table.as_str())
        {
            return None;
        }
        join(there, more, path, before, named)?;
        path.pop();
    }
    Some(())
}

/// [`find`] in config.toml's tree (`None`: it does not parse).
fn find_in(
    doc: Option<&DeTable<'_>>,
    texts: &Texts<'_>,
    target: &Target,
    catalog: &Catalog,
    state: &State,
) -> Vec<Hazard> {
    let mut found = Vec::new();
    let get = |key: &str| doc.and_then(|d| d.get(key)).map(toml::Spanned::get_ref);
    if let Some(providers) = get("model_providers").and_then(DeValue::as_table) {
        for (id, table) in providers {
            let id = id.get_ref().as_ref();
            if target.redefined_builtin(id).is_some() {
                found.push(Hazard::BuiltinRedefined { id: id.to_owned() });
            }
            if let Some(why) = refused_auth(table.get_ref(), target) {
                found.push(Hazard::RefusedAuth {
                    id: id.to_owned(),
                    why,
                });
            }
            if let Some(wire) = table
                .get_ref()
                .as_table()
                .and_then(|t| t.get("wire_api"))
                .and_then(|w| w.get_ref().as_str())
                && !target.accepts_wire_api(wire)
            {
                found.push(Hazard::RefusedWireApi {
                    id: id.to_owned(),
                    wire_api: wire.to_owned(),
                });
            }
        }
    }
    match target.profile_layout() {
        ProfileLayout::Files => {
            let tables = get("profiles").and_then(DeValue::as_table);
            let index = catalog.index();
            for profile in tables.into_iter().flat_map(|t| t.keys()) {
                let profile = profile.get_ref().as_ref();
                found.push(Hazard::LegacyTable {
                    profile: profile.to_owned(),
                    in_catalog: index.profile(profile).is_some(),
                });
            }
            if let Some(profile) = get("profile").and_then(DeValue::as_str) {
                found.push(Hazard::Selector {
                    profile: profile.to_owned(),
                });
            }
        }
        ProfileLayout::Tables => {
            for profile in &catalog.profiles {
                let file = CodexFile::Profile(profile.name.clone());
                if !state.files.contains_key(&file) && (texts.profile_file)(&file).is_some() {
                    found.push(Hazard::UnreadProfileFile {
                        file,
                        profile: profile.name.to_string(),
                    });
                }
            }
            for (file, written) in &state.files {
                let Some(profile) = file.profile() else {
                    continue;
                };
                // A file that cannot be read has no keys to warn about
                // here (the plan reports it).
                let text = (texts.profile_file)(file).unwrap_or_default();
                let keys: Vec<String> = merge::leaf_paths(&text)
                    .into_iter()
                    .filter(|path| !written.managed.iter().any(|m| m.path == *path))
                    .map(|path| path.join("."))
                    .collect();
                if !keys.is_empty() {
                    found.push(Hazard::StrandedKeys {
                        file: file.clone(),
                        profile: profile.to_string(),
                        keys,
                    });
                }
            }
            if !target.top_level_profile_flag_works() {
                found.push(Hazard::TopLevelProfileFlagIgnored);
            }
        }
    }
    found
}

impl Hazard {
    /// The hazard as every command says it, for a home read by `target`.
    pub fn finding(&self, target: &Target) -> Finding {
        let version = target.version;
        let config = CodexFile::Config;
        let (severity, subject, message) = match self {
            Hazard::LegacyTable { profile, .. } => (
                Severity::Error,
                Subject::Profile(profile.clone()),
                format!(
                    "{config} has a `[profiles.{profile}]` table; Codex {version} refuses `codex -p {profile}` while it is there"
                ),
            ),
            Hazard::Selector { profile } => (
                Severity::Error,
                Subject::Profile(profile.clone()),
                format!(
                    "{config} selects a profile with `profile = \"{profile}\"`; Codex {version} refuses to load {config} while it is there, so every codex command fails"
                ),
            ),
            Hazard::UnreadProfileFile { file, profile } => (
                Severity::Warning,
                Subject::Profile(profile.clone()),
                format!(
                    "{file} is not read by Codex {version} (it reads [profiles.{profile}] in {config})"
                ),
            ),
            Hazard::StrandedKeys {
                file,
                profile,
                keys,
            } => (
                Severity::Warning,
                Subject::Profile(profile.clone()),
                format!(
                    "{file} holds keys you added ({}), which Codex {version} does not read: it reads no profile files",
                    keys.join(", ")
                ),
            ),
            Hazard::TopLevelProfileFlagIgnored => (
                // `codex -p NAME` then silently runs another profile.
                Severity::Warning,
                Subject::Codex,
                format!(
                    "Codex {version} ignores `codex -p NAME` before the subcommand (fixed in {})",
                    codex::since::TOP_LEVEL_PROFILE_FLAG
                ),
            ),
            Hazard::BuiltinRedefined { id } => (
                // Before the ids were reserved Codex loads the table and
                // ignores it: the catalog's provider is not used, but
                // nothing fails.
                if version < codex::since::BUILTIN_IDS_RESERVED {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                Subject::Provider(id.clone()),
                format!(
                    "{config} defines [model_providers.{id}]; `{id}` is a built-in id, and Codex {version} {}",
                    target.redefined_builtin(id).unwrap_or_default()
                ),
            ),
            Hazard::RefusedWireApi { id, wire_api } => (
                Severity::Error,
                Subject::Provider(id.clone()),
                format!(
                    "{config} has wire_api = \"{wire_api}\" for `{id}`; Codex {version} refuses it{}",
                    if wire_api == "chat" {
                        format!(" (chat was removed in {})", codex::since::CHAT_REMOVED)
                    } else {
                        String::new()
                    }
                ),
            ),
            Hazard::RefusedAuth { id, why } => (
                Severity::Error,
                Subject::Provider(id.clone()),
                format!(
                    "{config}'s [model_providers.{id}.auth] {why}; Codex {version} refuses to load {config}"
                ),
            ),
        };
        Finding::new(severity, subject, message).fix(self.fix())
    }

    /// What to do about it.
    fn fix(&self) -> String {
        match self {
            Hazard::LegacyTable {
                profile,
                in_catalog,
            } => match ProfileName::new(profile).map(CodexFile::Profile) {
                Some(file) if *in_catalog => {
                    format!("run `codexgen gen` (it moves the table to {file})")
                }
                Some(file) => format!(
                    "add profile `{profile}` to the catalog (codexgen then moves it to {file}), or move its keys into {file} yourself"
                ),
                None => format!(
                    "remove or rename the table: `{profile}` cannot name a profile file (letters, digits, `-` and `_` only)"
                ),
            },
            Hazard::Selector { profile } => {
                format!(
                    "remove that line and run `codex -p {profile}` instead; or give the catalog a `default:` (say `default: {profile}`): `codexgen gen` then removes the line"
                )
            }
            Hazard::UnreadProfileFile { profile, .. } => format!(
                "nothing to do for this Codex (it reads [profiles.{profile}] in {}); delete the file if you no longer need it",
                CodexFile::Config
            ),
            Hazard::StrandedKeys { file, profile, .. } => format!(
                "move them into [profiles.{profile}] in {} yourself (codexgen leaves them in {file}, without its own keys)",
                CodexFile::Config
            ),
            Hazard::TopLevelProfileFlagIgnored => {
                "use `codex exec --profile NAME`, or `codexgen exec NAME`".to_owned()
            }
            Hazard::BuiltinRedefined { id } => format!(
                "remove that table (or rename it, e.g. local_{id}) and use `provider: {id}` in the catalog"
            ),
            Hazard::RefusedWireApi { .. } => {
                "set `wire_api: responses` in the catalog if the provider serves /responses, then `codexgen gen`".to_owned()
            }
            Hazard::RefusedAuth { id, .. } => format!(
                "remove [model_providers.{id}.auth] or the key beside it, or give it a `command`; codexgen keeps your keys there as they are"
            ),
        }
    }
}

/// Why Codex refuses the `auth` table of this provider table, if it does
/// (measured on 0.169.0: "missing field `command`", "provider auth cannot
/// be combined with ..."). Before 0.118 Codex ignores the table.
fn refused_auth(provider: &DeValue<'_>, target: &Target) -> Option<String> {
    let auth = crate::catalog::keys::find(crate::catalog::keys::PROVIDER, "auth")?;
    if !auth.read_by(target.version) {
        return None;
    }
    let table = provider.as_table()?;
    let auth = table.get("auth")?.get_ref().as_table()?;
    if !auth.contains_key("command") {
        return Some("has no `command`".to_owned());
    }
    let beside: Vec<&str> = ["env_key", "experimental_bearer_token"]
        .into_iter()
        .filter(|k| table.contains_key(*k))
        .chain(
            table
                .get("requires_openai_auth")
                .and_then(|v| v.get_ref().as_bool())
                .filter(|b| *b)
                .map(|_| "requires_openai_auth"),
        )
        .collect();
    (!beside.is_empty()).then(|| format!("is beside {}", beside.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codex::Version;

    fn catalog() -> Catalog {
        Catalog {
            version: "t".into(),
            default: Some("a".into()),
            providers: Vec::new(),
            bedrock: Vec::new(),
            profiles: Vec::new(),
            settings: Vec::new(),
            mcp_servers: Vec::new(),
        }
    }

    /// config.toml's text, and no profile files.
    fn texts(config: &str) -> Texts<'_> {
        Texts {
            config,
            profile_file: &|_| None,
        }
    }

    #[test]
    fn an_auth_table_codex_refuses_is_found_from_0_118() {
        let config = "[model_providers.a]\nenv_key = \"A\"\n[model_providers.a.auth]\ncommand = \"op\"\n\
            [model_providers.b.auth]\nnote = 1\n\
            [model_providers.c]\nrequires_openai_auth = true\nauth = { command = \"op\" }\n\
            [model_providers.d]\nrequires_openai_auth = false\nauth = { command = \"op\" }\n";
        let state = State::new(std::collections::BTreeMap::new());
        let at = |v| find(&texts(config), &Target::at(v), &catalog(), &state);
        assert_eq!(
            at(Version::new(0, 118, 0)),
            vec![
                Hazard::RefusedAuth {
                    id: "a".into(),
                    why: "is beside env_key".into()
                },
                Hazard::RefusedAuth {
                    id: "b".into(),
                    why: "has no `command`".into()
                },
                Hazard::RefusedAuth {
                    id: "c".into(),
                    why: "is beside requires_openai_auth".into()
                },
                // Any Codex before 0.123 (unrelated to `auth`).
                Hazard::TopLevelProfileFlagIgnored,
            ]
        );
        assert_eq!(
            at(Version::new(0, 117, 0)),
            vec![Hazard::TopLevelProfileFlagIgnored]
        );
    }

    #[test]
    fn legacy_profiles_are_found() {
        let config = "\u{feff}# codexgen: h\nprofile = \"a\"\n[profiles.a]\nmodel = \"m\"\n[profiles.\"b c\"]\n";
        let state = State::new(std::collections::BTreeMap::new());
        let found = find(
            &texts(config),
            &Target::at(Version::new(0, 169, 0)),
            &catalog(),
            &state,
        );
        assert_eq!(
            found,
            vec![
                Hazard::LegacyTable {
                    profile: "a".into(),
                    in_catalog: false
                },
                Hazard::LegacyTable {
                    profile: "b c".into(),
                    in_catalog: false
                },
                Hazard::Selector {
                    profile: "a".into()
                },
            ]
        );
        assert_eq!(
            found[1].fix(),
            "remove or rename the table: `b c` cannot name a profile file (letters, digits, `-` and `_` only)"
        );
    }

    #[test]
    fn refused_provider_tables_are_found() {
        let config =
            "[model_providers.ollama]\nname = \"x\"\n[model_providers.c]\nwire_api = \"chat\"\n";
        let state = State::new(std::collections::BTreeMap::new());
        let found = find(
            &texts(config),
            &Target::at(Version::new(0, 169, 0)),
            &catalog(),
            &state,
        );
        assert_eq!(
            found,
            vec![
                Hazard::BuiltinRedefined {
                    id: "ollama".into()
                },
                Hazard::RefusedWireApi {
                    id: "c".into(),
                    wire_api: "chat".into()
                },
            ]
        );
    }

    /// A catalog with profiles `a` and `b` on one provider, built for `target`.
    fn two_profiles(target: &Target) -> Catalog {
        let yaml = "schema: 1\nversion: t\ndefault: a\nproviders:\n  p:\n    name: P\n    base_url: https://p.example/v1\n    env_key: P_KEY\nprofiles:\n  a:\n    provider: p\n    model: m\n  b:\n    provider: p\n    model: m\n";
        let source = crate::catalog::Source {
            name: "t.yaml".to_owned(),
            text: yaml.to_owned(),
        };
        crate::catalog::layer(vec![source])
            .and_then(|layered| layered.build(target))
            .unwrap()
    }

    /// The profile-file rules read only the texts handed in: `a.config.toml`
    /// (codexgen's, recorded) with a key the user added, and
    /// `b.config.toml` (not recorded) that is there.
    #[test]
    fn profile_file_rules_read_the_texts_handed_in() {
        let target = Target::at(Version::new(0, 133, 0));
        let catalog = two_profiles(&target);
        let a = CodexFile::Profile(ProfileName::new("a").unwrap());
        let b = CodexFile::Profile(ProfileName::new("b").unwrap());
        let mut files = std::collections::BTreeMap::new();
        files.insert(
            a.clone(),
            crate::state::FileState {
                managed: vec![crate::merge::Managed {
                    path: vec!["model".to_owned()],
                    value: "\"m\"".to_owned(),
                    before: None,
                }],
                input: None,
                text: None,
                kept: None,
            },
        );
        let state = State::new(files);
        let on_disk = |file: &CodexFile| match file.to_string().as_str() {
            "a.config.toml" => Some("model = \"m\"\n[tools]\nweb_search = true\n".to_owned()),
            "b.config.toml" => Some(String::new()),
            _ => None,
        };
        let texts = Texts {
            config: "",
            profile_file: &on_disk,
        };
        let found = find(&texts, &target, &catalog, &state);
        assert_eq!(
            found,
            vec![
                Hazard::UnreadProfileFile {
                    file: b.clone(),
                    profile: "b".into()
                },
                Hazard::StrandedKeys {
                    file: a,
                    profile: "a".into(),
                    keys: vec!["tools.web_search".into()]
                },
            ]
        );
        // Neither file there: nothing to say.
        let none = Texts {
            config: "",
            profile_file: &|_| None,
        };
        assert_eq!(find(&none, &target, &catalog, &state), Vec::new());
    }

    /// Each hazard is worded once, with its severity and subject: what gen
    /// and doctor both print.
    #[test]
    fn each_hazard_is_one_finding() {
        let target = Target::at(Version::new(0, 169, 0));
        let said = |h: Hazard| {
            let f = h.finding(&target);
            (f.severity, f.subject.to_string(), f.message)
        };
        assert_eq!(
            said(Hazard::Selector { profile: "a".into() }),
            (
                Severity::Error,
                "profile a".to_owned(),
                "config.toml selects a profile with `profile = \"a\"`; Codex 0.169.0 refuses to load config.toml while it is there, so every codex command fails".to_owned()
            )
        );
        assert_eq!(
            said(Hazard::RefusedWireApi {
                id: "c".into(),
                wire_api: "chat".into()
            })
            .2,
            "config.toml has wire_api = \"chat\" for `c`; Codex 0.169.0 refuses it (chat was removed in 0.95.0)"
        );
        assert_eq!(
            said(Hazard::RefusedWireApi {
                id: "c".into(),
                wire_api: "soap".into()
            })
            .2,
            "config.toml has wire_api = \"soap\" for `c`; Codex 0.169.0 refuses it"
        );
        assert_eq!(
            said(Hazard::TopLevelProfileFlagIgnored).0,
            Severity::Warning
        );
        // A built-in id redefined is refused from 0.115, ignored before.
        let builtin = Hazard::BuiltinRedefined {
            id: "ollama".into(),
        };
        assert_eq!(builtin.finding(&target).severity, Severity::Error);
        let old = builtin.finding(&Target::at(Version::new(0, 114, 0)));
        assert_eq!(old.severity, Severity::Warning);
        assert!(old.message.ends_with("Codex 0.114.0 loads such a table but ignores it: requests still go to the built-in URL"), "{}", old.message);
        assert!(old.fix.is_some());
    }

    /// Whether two trees hold the same keys, in the same order, and values.
    fn same(a: &DeTable<'_>, b: &DeTable<'_>) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|((ka, va), (kb, vb))| ka == kb && same_value(va.get_ref(), vb.get_ref()))
    }

    fn same_value(a: &DeValue<'_>, b: &DeValue<'_>) -> bool {
        match (a, b) {
            (DeValue::Table(x), DeValue::Table(y)) => same(x, y),
            (DeValue::Array(x), DeValue::Array(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|(x, y)| same_value(x.get_ref(), y.get_ref()))
            }
            // Scalars hold no spans.
            (x, y) => format!("{x:?}") == format!("{y:?}"),
        }
    }

    #[test]
    fn a_large_config_is_read_in_pieces_to_the_whole_texts_hazards() {
        // A redefined built-in and a refused auth table in the last piece,
        // a legacy table in the first: as found in the whole text.
        let providers: Vec<String> = (0..3000)
            .map(|i| {
                format!("\n[model_providers.p{i}]\nname = \"P{i}\"\nwire_api = \"responses\"\n")
            })
            .collect();
        let mut config = format!(
            "profile = \"p\"\n\n[profiles.p]\nmodel = \"m\"\n{}",
            providers.concat()
        );
        config.push_str(
            "\n[model_providers.openai]\nname = \"O\"\n\n[model_providers.x.auth]\nnote = 1\n",
        );
        let parts = merge::in_pieces(&config, merge::PIECE);
        assert!(parts.len() > 2, "{}", parts.len());
        let joined = joined(&parts).expect("pieces that join");
        let whole = DeTable::parse(&config).unwrap().into_inner();
        assert!(same(&joined, &whole));
        let target = Target::at(Version::new(0, 133, 0));
        let state = State::new(std::collections::BTreeMap::new());
        let found = find(&texts(&config), &target, &catalog(), &state);
        let from_whole = find_in(Some(&whole), &texts(&config), &target, &catalog(), &state);
        assert_eq!(found, from_whole);
        assert!(
            found
                .iter()
                .any(|h| matches!(h, Hazard::RefusedAuth { id, .. } if id == "x"))
        );
    }

    #[test]
    fn pieces_that_the_whole_text_would_read_otherwise_are_not_joined() {
        // Pieces that each parse, and are not TOML together: an inline
        // table or a value extended by a header. The merge's pieces keep
        // such a text whole; the join refuses them on its own too.
        for parts in [
            ["[a]\nb = { x = 1 }\n\n", "[a.b]\nz = 1\n"],
            ["[a]\nb = 1\n\n", "[a.b]\nz = 1\n"],
            ["[a]\nx = 1\n\n", "[a]\nz = 1\n"],
        ] {
            assert_eq!(merge::in_pieces(&parts.concat(), 8).len(), 1, "{parts:?}");
            assert!(joined(&parts).is_none(), "{parts:?}");
        }
        // Tables a header opens and one below it extends are one tree.
        for text in [
            "[a]\nx = 1\n\n[a.b]\ny = 1\n",
            "[a.b]\nx = 1\n\n[a.c]\ny = 1\n",
        ] {
            let parts = merge::in_pieces(text, 8);
            assert_eq!(parts.len(), 2, "{text}");
            let whole = DeTable::parse(text).unwrap().into_inner();
            assert!(same(&joined(&parts).unwrap(), &whole), "{text}");
        }
    }

    /// Lines of a config.toml, with `{}` a small number: tables that nest,
    /// repeat, and share names with values, inline tables and dotted keys.
    const LINES: &[&str] = &[
        "",
        "k{} = 1",
        "t{} = 2",
        "u{} = {{ x = 1 }}",
        "d{}.e = 1",
        "[t{}]",
        "[t{}.u{}]",
        "[t{}.u{}.v]",
        "[u{}]",
        "[t{}.d{}]",
        "[t{}.d{}.e]",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn joined_pieces_are_the_whole_texts_tree(
            lines in proptest::collection::vec(
                (proptest::sample::select(LINES), 0..3u8, 0..3u8),
                0..30,
            ),
            size in 1..48usize,
        ) {
            let text: String = lines
                .iter()
                .map(|(line, a, b)| {
                    line.replacen("{}", &a.to_string(), 1).replacen("{}", &b.to_string(), 1)
                        .replace("{{", "{").replace("}}", "}") + "\n"
                })
                .collect();
            if let Some(joined) = joined(&merge::in_pieces(&text, size)) {
                let whole = DeTable::parse(&text);
                proptest::prop_assert!(whole.is_ok(), "{}", text);
                proptest::prop_assert!(same(&joined, whole.unwrap().get_ref()), "{}", text);
            }
        }
    }
}
