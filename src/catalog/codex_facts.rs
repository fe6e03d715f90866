//! Holds the catalog's key table against what each Codex release reads, as
//! `tools/codex-facts` measured it from the real binaries into
//! `data/codex-keys.json` (this test needs no Codex). Fails when codexgen
//! accepts a key for a release that does not read it there, and when a
//! measured release reads a provider key or has a built-in provider id that
//! codexgen neither models nor lists below as deliberately left out.
//! Top-level keys codexgen does not model are only reported: Codex has
//! over a hundred, and `keys::SETTINGS` holds the ones teams share.

use std::collections::BTreeSet;

use serde_json::Value;

use super::keys::{self, Kind};
use crate::codex::{self, Target, Version};

/// The measured data, as the tool writes it.
const DATA: &str = include_str!("../../data/codex-keys.json");

/// Provider keys Codex reads that the catalog has no key for yet, and why.
/// A new key in a newly measured release fails the test until it is either
/// modelled in `keys::PROVIDER` or listed here.
const PROVIDER_KEYS_LEFT_OUT: &[(&str, &str)] = &[(
    "gateway_oauth",
    "a credential source of its own; not modelled",
)];

/// MCP server keys Codex reads that the catalog has no key for, and why
/// (by place in the data: `mcp_server`, `mcp_oauth`, `mcp_tool`).
const MCP_KEYS_LEFT_OUT: &[(&str, &str, &str)] = &[
    (
        "mcp_server",
        "supports_parallel_tool_calls",
        "undocumented; not modelled",
    ),
    (
        "mcp_server",
        "experimental_environment",
        "experimental, and read only up to 0.13x (not by 0.150.0)",
    ),
];

/// Built-in provider ids codexgen does not know, and why.
const BUILTIN_IDS_LEFT_OUT: &[(&str, &str)] = &[(
    "ollama-chat",
    "built in on old releases only (0.89.0); refused with a hint later",
)];

/// Profile keys the catalog accepts although a measured release ignores
/// them (a gap codexgen does not gate yet). The test fails when the data
/// no longer shows the gap, so the entry goes with it.
/// (`personality`, read from 0.94.0, left it for its `since` in `keys::SETTINGS`.)
const PROFILE_GAPS: &[(&str, &str)] = &[];

/// The release from which the catalog accepts a provider key (`None`: every
/// release codexgen knows).
fn provider_key_from(key: &str) -> Option<Version> {
    let k = keys::find(keys::PROVIDER, key)?;
    if k.builtin_only {
        // Only under a built-in's id, which exists from its release.
        return k.builtin.bedrock.or(k.builtin.gcp);
    }
    k.since
}

/// The release from which the catalog accepts a profile key (`None`: every
/// release codexgen knows).
/// The Codex key a catalog profile key is written as.
fn codex_profile_key(key: &str) -> &str {
    if key == "provider" {
        "model_provider"
    } else {
        key
    }
}

fn list(release: &Value, place: &str) -> BTreeSet<String> {
    release[place]
        .as_array()
        .map(|keys| {
            keys.iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// What holding the table against the data found.
#[derive(Default)]
struct Holding {
    /// Where codexgen and Codex disagree: the test fails.
    failures: Vec<String>,
    /// What the data shows beyond that (keys codexgen does not model).
    report: Vec<String>,
    /// The `PROFILE_GAPS` entries the data still shows.
    gaps_seen: BTreeSet<&'static str>,
}

/// The failures and the report for the data in `text`.
fn hold(text: &str) -> (Vec<String>, Vec<String>) {
    let data: Value = serde_json::from_str(text).expect("data/codex-keys.json is JSON");
    let releases = data["releases"]
        .as_object()
        .expect("data/codex-keys.json has `releases`");
    let mut h = Holding::default();
    if !releases.contains_key(&codex::NEWEST_KNOWN.to_string()) {
        h.failures.push(format!(
            "codex::NEWEST_KNOWN ({}) is not measured: run tools/codex-facts {}",
            codex::NEWEST_KNOWN,
            codex::NEWEST_KNOWN
        ));
    }
    let mut measured: Vec<(Version, &Value)> = releases
        .iter()
        .map(|(name, release)| (name.parse().expect("a release number"), release))
        .collect();
    measured.sort_by_key(|(version, _)| *version);
    for (version, release) in measured {
        h.providers(version, release);
        h.profiles(version, release);
        h.top_level(version, release);
        h.builtins(version, release);
        h.mcp(version, release);
    }
    for (gap, why) in PROFILE_GAPS {
        if !h.gaps_seen.contains(gap) {
            h.failures.push(format!(
                "PROFILE_GAPS lists `{gap}` ({why}), but every measured release reads it: remove the entry"
            ));
        }
    }
    (h.failures, h.report)
}

impl Holding {
    /// Each provider key the catalog accepts for `version` is one it reads;
    /// each it reads is modelled or listed as left out.
    fn providers(&mut self, version: Version, release: &Value) {
        let provider = list(release, "provider");
        for k in keys::PROVIDER {
            if matches!(k.kind, Kind::Refused) {
                continue;
            }
            let from = provider_key_from(k.name);
            if from.is_none_or(|from| version >= from) && !provider.contains(k.name) {
                self.failures.push(format!(
                    "{version}: the catalog accepts provider key `{}` but Codex {version} does not read it (gate it: its `since` in keys::PROVIDER)",
                    k.name
                ));
            }
            if let Some(from) = from
                && version < from
                && provider.contains(k.name)
            {
                self.report.push(format!(
                    "{version}: reads provider key `{}`, which the catalog accepts only from {from}",
                    k.name
                ));
            }
        }
        let mut left_out = Vec::new();
        for key in &provider {
            if keys::find(keys::PROVIDER, key).is_some() {
                continue;
            }
            left_out.push(key.as_str());
            if !PROVIDER_KEYS_LEFT_OUT.iter().any(|(k, _)| k == key) {
                self.failures.push(format!(
                    "{version}: Codex reads provider key `{key}`, which codexgen neither models (catalog/keys.rs PROVIDER) nor lists in PROVIDER_KEYS_LEFT_OUT"
                ));
            }
        }
        self.report.push(format!(
            "{version}: {} provider keys, not modelled: {left_out:?}",
            provider.len()
        ));
    }

    /// Each profile key the catalog writes is read where `version` reads
    /// profiles: `provider` and `model` always, a setting of
    /// `keys::SETTINGS` from the release its profile gate names.
    fn profiles(&mut self, version: Version, release: &Value) {
        let (place, file) = if version >= codex::since::PROFILE_FILES {
            ("profile_file", "NAME.config.toml")
        } else {
            ("profile_table", "[profiles.NAME]")
        };
        let profile = list(release, place);
        for k in keys::PROFILE.iter().filter(|k| k.read_by(version)) {
            let key = codex_profile_key(k.name);
            if !profile.contains(key) {
                self.failures.push(format!(
                    "{version}: the catalog writes profile key `{key}` into {file}, which Codex {version} does not read"
                ));
            }
        }
        for k in keys::SETTINGS {
            let key = k.name;
            if matches!(k.kind, Kind::Refused) {
                // Refused because Codex ignores it: the newest release must.
                if version == codex::NEWEST_KNOWN && profile.contains(key) {
                    self.failures.push(format!(
                        "{version}: the catalog refuses setting `{key}` as ignored by Codex, but Codex {version} reads it in {file}"
                    ));
                }
                continue;
            }
            if let Some(from) = k.first_in_profile(version)
                && version < from
            {
                if profile.contains(key) {
                    self.report.push(format!(
                        "{version}: reads setting `{key}` in {file}, which a profile of the catalog holds only from {from}"
                    ));
                }
                continue;
            }
            if profile.contains(key) {
                continue;
            }
            if let Some((gap, _)) = PROFILE_GAPS.iter().find(|(g, _)| *g == key) {
                self.gaps_seen.insert(gap);
                self.report.push(format!(
                    "{version}: profile key `{key}` is not read in {file} (PROFILE_GAPS)"
                ));
            } else {
                self.failures.push(format!(
                    "{version}: the catalog writes setting `{key}` into {file}, which Codex {version} does not read (gate it: its `since` or `profile_table` in keys::SETTINGS)"
                ));
            }
        }
        self.report
            .push(format!("{version}: {} keys in {file}", profile.len()));
    }

    /// The top-level keys codexgen writes are read: `model`,
    /// `model_provider`, `model_providers`, and each setting of
    /// `keys::SETTINGS` from its `since`. The others are reported.
    fn top_level(&mut self, version: Version, release: &Value) {
        const OWN: [&str; 3] = ["model", "model_provider", "model_providers"];
        let top = list(release, "top_level");
        for key in OWN {
            if !top.contains(key) {
                self.failures.push(format!(
                    "{version}: codexgen writes top-level `{key}`, which Codex {version} does not read"
                ));
            }
        }
        for k in keys::SETTINGS {
            if matches!(k.kind, Kind::Refused) {
                if version == codex::NEWEST_KNOWN && top.contains(k.name) {
                    self.failures.push(format!(
                        "{version}: the catalog refuses setting `{}` as ignored by Codex, but Codex {version} reads it at the top level",
                        k.name
                    ));
                }
                continue;
            }
            let read = k.read_by(version);
            if read && !top.contains(k.name) {
                self.failures.push(format!(
                    "{version}: the catalog writes setting `{}` at config.toml's top level, which Codex {version} does not read (gate it: its `since` in keys::SETTINGS)",
                    k.name
                ));
            }
            if !read && top.contains(k.name) {
                self.report.push(format!(
                    "{version}: reads top-level `{}`, which the catalog accepts only from {}",
                    k.name,
                    k.since.map_or_else(String::new, |v| v.to_string())
                ));
            }
        }
        let left_out: Vec<&str> = top
            .iter()
            .map(String::as_str)
            .filter(|key| !OWN.contains(key) && keys::find(keys::SETTINGS, key).is_none())
            .collect();
        self.report.push(format!(
            "{version}: {} top-level keys, not modelled: {left_out:?}",
            top.len()
        ));
    }

    /// Each MCP key the catalog accepts for `version` is one it reads (in
    /// `[mcp_servers.ID]`, its `oauth` and its `tools.NAME`); each it reads
    /// is modelled or listed in `MCP_KEYS_LEFT_OUT`.
    fn mcp(&mut self, version: Version, release: &Value) {
        for (place, table) in [
            ("mcp_server", keys::MCP_SERVER),
            ("mcp_oauth", keys::MCP_OAUTH),
            ("mcp_tool", keys::MCP_TOOL),
        ] {
            if release.get(place).is_none() {
                self.report
                    .push(format!("{version}: {place} is not measured"));
                continue;
            }
            let read = list(release, place);
            for k in table {
                if matches!(k.kind, Kind::Refused) {
                    continue;
                }
                let from = k.since;
                if from.is_none_or(|from| version >= from) && !read.contains(k.name) {
                    self.failures.push(format!(
                        "{version}: the catalog accepts {place} key `{}` but Codex {version} does not read it (gate it: its `since` in catalog/keys.rs)",
                        k.name
                    ));
                }
                if let Some(from) = from
                    && version < from
                    && read.contains(k.name)
                {
                    self.report.push(format!(
                        "{version}: reads {place} key `{}`, which the catalog accepts only from {from}",
                        k.name
                    ));
                }
            }
            for key in &read {
                let known = table.iter().any(|k| k.name == key);
                let left_out = MCP_KEYS_LEFT_OUT
                    .iter()
                    .any(|(p, k, _)| *p == place && k == key);
                if !known && !left_out {
                    self.failures.push(format!(
                        "{version}: Codex reads {place} key `{key}`, which codexgen neither models (catalog/keys.rs) nor lists in MCP_KEYS_LEFT_OUT"
                    ));
                }
            }
            self.report
                .push(format!("{version}: {} {place} keys", read.len()));
        }
    }

    /// codexgen's built-in ids exist, Codex's are known, and a Bedrock
    /// table changes only what Codex lets it.
    fn builtins(&mut self, version: Version, release: &Value) {
        let target = Target::at(version);
        let builtins = release["builtin_providers"]
            .as_object()
            .expect("`builtin_providers` in every release");
        for id in target.builtin_providers() {
            if !builtins.contains_key(id) {
                self.failures.push(format!(
                    "{version}: codexgen takes `{id}` for a built-in provider, Codex {version} does not have it"
                ));
            }
        }
        let unknown: Vec<&str> = builtins
            .keys()
            .map(String::as_str)
            .filter(|id| !target.is_builtin(id))
            .collect();
        self.report.push(format!(
            "{version}: built-in provider ids codexgen does not know: {unknown:?}"
        ));
        for id in unknown {
            if !BUILTIN_IDS_LEFT_OUT.iter().any(|(b, _)| *b == id) {
                self.failures.push(format!(
                    "{version}: `{id}` is a built-in provider of Codex {version} that codexgen does not know (codex::BUILTIN_PROVIDERS, BEDROCK_PROVIDERS, or BUILTIN_IDS_LEFT_OUT)"
                ));
            }
        }
        for (id, _) in codex::BEDROCK_PROVIDERS
            .iter()
            .chain([&codex::GCP_PROVIDER])
        {
            let Some(changeable) = builtins.get(*id).and_then(|b| b["changeable"].as_array())
            else {
                continue;
            };
            let changeable: BTreeSet<&str> = changeable.iter().filter_map(Value::as_str).collect();
            let Some(which) = keys::Changeable::of(&target, id) else {
                continue;
            };
            for key in keys::changeable(which, version).0 {
                if !changeable.contains(key.as_str()) {
                    self.failures.push(format!(
                        "{version}: codexgen lets a `{id}` table change `{key}`; Codex {version} allows only {changeable:?}"
                    ));
                }
            }
        }
    }
}

#[test]
fn the_key_table_holds_against_what_codex_reads() {
    let (failures, report) = hold(DATA);
    // Captured by the test harness; `-- --nocapture` shows it.
    #[allow(clippy::disallowed_macros)]
    {
        println!("{}", report.join("\n"));
    }
    assert!(
        failures.is_empty(),
        "the catalog's key table disagrees with data/codex-keys.json (measured by tools/codex-facts):\n{}\n\nwhat the data shows:\n{}",
        failures.join("\n"),
        report.join("\n")
    );
}

#[test]
fn a_key_codex_does_not_read_fails() {
    // 0.133.0 as measured, but without `supports_websockets`: the catalog
    // accepts it from 0.100.0, so the data now contradicts the table.
    let mut data: Value = serde_json::from_str(DATA).expect("JSON");
    let provider = data["releases"]["0.133.0"]["provider"]
        .as_array_mut()
        .expect("0.133.0 is measured");
    provider.retain(|k| k != "supports_websockets");
    let (failures, _) = hold(&data.to_string());
    assert_eq!(
        failures,
        [
            "0.133.0: the catalog accepts provider key `supports_websockets` but Codex 0.133.0 does not read it (gate it: its `since` in keys::PROVIDER)"
        ]
    );
}

#[test]
fn an_mcp_key_codex_does_not_read_fails() {
    // 0.133.0 as measured, but without `required`: the catalog accepts it
    // from 0.131.0, so the data now contradicts the table.
    let mut data: Value = serde_json::from_str(DATA).expect("JSON");
    data["releases"]["0.133.0"]["mcp_server"]
        .as_array_mut()
        .expect("0.133.0's MCP keys are measured")
        .retain(|k| k != "required");
    let (failures, _) = hold(&data.to_string());
    assert_eq!(
        failures,
        [
            "0.133.0: the catalog accepts mcp_server key `required` but Codex 0.133.0 does not read it (gate it: its `since` in catalog/keys.rs)"
        ]
    );
}

#[test]
fn a_provider_key_codex_adds_fails_until_decided() {
    let mut data: Value = serde_json::from_str(DATA).expect("JSON");
    data["releases"]["0.171.0"]["provider"]
        .as_array_mut()
        .expect("0.171.0 is measured")
        .push("brand_new_key".into());
    let (failures, _) = hold(&data.to_string());
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("`brand_new_key`"), "{failures:?}");
}

#[test]
fn a_profile_key_read_after_its_gate_only_fails() {
    // 0.89.0 does not read `personality` and the catalog gates it at
    // 0.94.0: fine. 0.133.0 without it contradicts the gate.
    let mut data: Value = serde_json::from_str(DATA).expect("JSON");
    data["releases"]["0.133.0"]["profile_table"]
        .as_array_mut()
        .expect("0.133.0 is measured")
        .retain(|k| k != "personality");
    let (failures, _) = hold(&data.to_string());
    assert_eq!(
        failures,
        [
            "0.133.0: the catalog writes setting `personality` into [profiles.NAME], which Codex 0.133.0 does not read (gate it: its `since` or `profile_table` in keys::SETTINGS)"
        ]
    );
}
