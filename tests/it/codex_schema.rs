//! Codex's own config schema: `gen` and `doctor` check the planned (or
//! on-disk) files, managed keys and the user's own sections, against the
//! schema of the target Codex (the nearest known version at or below it) and
//! warn, with file and line, about a key the schema does not know; they never
//! refuse. The schemas are the built-in ones (`schemas/codex/*.json.gz`) or a
//! folder named by `CODEXGEN_CODEX_SCHEMAS`; the fixture schema here is a
//! small hand-written one of the same shape as Codex's, not a Codex schema.

use std::path::{Path, PathBuf};

use crate::support::World;

/// A small schema shaped like Codex's (draft-07, schemars): closed root,
/// closed provider tables, open `projects`, a `tui` table.
const FIXTURE: &str = r##"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "additionalProperties": false,
  "definitions": {
    "ModelProviderInfo": {
      "additionalProperties": false,
      "properties": {
        "name": { "type": "string" },
        "base_url": { "type": "string" },
        "env_key": { "type": "string" },
        "wire_api": { "type": "string" },
        "query_params": { "additionalProperties": { "type": "string" }, "type": "object" }
      },
      "type": "object"
    },
    "Tui": {
      "additionalProperties": false,
      "properties": { "notifications": { "type": "boolean" } },
      "type": "object"
    }
  },
  "properties": {
    "model": { "type": "string" },
    "model_provider": { "type": "string" },
    "model_reasoning_effort": { "type": "string" },
    "model_providers": { "additionalProperties": { "$ref": "#/definitions/ModelProviderInfo" }, "type": "object" },
    "projects": { "additionalProperties": true, "type": "object" },
    "tui": { "allOf": [ { "$ref": "#/definitions/Tui" } ] }
  },
  "type": "object"
}"##;

fn fixture_dir(w: &World, version: &str) -> PathBuf {
    w.file(&format!("schemas/{version}.json"), FIXTURE);
    w.root.join("schemas")
}

const USER_CONFIG: &str = "[tui]\nnotifications = true\nnotifcations = false\n\n[projects.\"/src\"]\ntrust_level = \"trusted\"\n";

#[test]
fn an_unknown_key_in_the_users_section_is_a_warning_with_its_line() {
    let w = World::new();
    let dir = fixture_dir(&w, "0.160.0");
    w.catalog(crate::support::CATALOG);
    std::fs::write(w.home.join("config.toml"), USER_CONFIG).unwrap();
    let out = w
        .cmd()
        .env("CODEXGEN_CODEX_SCHEMAS", &dir)
        .args(["gen", "--yes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "a schema warning must not refuse:\n{stderr}"
    );
    let written = w.read("config.toml");
    let line = written
        .lines()
        .position(|l| l.starts_with("notifcations"))
        .unwrap()
        + 1;
    let at = format!("{}:{line}:1", w.home.join("config.toml").display());
    assert!(
        stderr.contains(
            "warning: `tui.notifcations` is not a key the config schema of Codex 0.160.0 (the nearest known at or below 0.171.0"
        ) && stderr.contains(&at),
        "{stderr}"
    );
    // Nothing else in the file, managed or the user's, is unknown to it.
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");

    // doctor reads the file on disk: the same key, with its place there,
    // in gen's words and at gen's severity.
    let said = stderr
        .lines()
        .find_map(|l| l.strip_prefix("warning: `tui.notifcations`"))
        .unwrap();
    let out = w
        .cmd()
        .env("CODEXGEN_CODEX_SCHEMAS", &dir)
        .arg("doctor")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "warn  config.toml:{line}:1: `tui.notifcations`{said}"
        )),
        "{stdout}"
    );
}

#[test]
fn a_managed_key_is_checked_too_and_no_schema_means_no_check() {
    let w = World::new();
    // A schema whose providers do not know `env_key`: the catalog's managed
    // key is reported like a user's.
    let dir = w.root.join("schemas");
    w.file(
        "schemas/0.150.0.json",
        &FIXTURE.replace(r#""env_key": { "type": "string" },"#, ""),
    );
    w.catalog(crate::support::CATALOG);
    let out = w
        .cmd()
        .env("CODEXGEN_CODEX_SCHEMAS", &dir)
        .args(["gen", "--diff"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: `model_providers.alpha-p.env_key` is not a key")
            && stderr.contains("(line of the file as gen writes it)"),
        "{stderr}"
    );
    // Below the oldest schema there is nothing to check against: silence.
    let out = w
        .cmd()
        .env("CODEXGEN_CODEX_SCHEMAS", &dir)
        .args(["--codex-version", "0.140.0", "gen", "--diff"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning:"), "{stderr}");
}

#[test]
fn a_broken_schema_folder_is_a_warning_not_a_refusal() {
    let w = World::new();
    let dir = w.root.join("schemas");
    w.file("schemas/0.150.0.json", "{ not json");
    w.catalog(crate::support::CATALOG);
    w.cmd()
        .env("CODEXGEN_CODEX_SCHEMAS", &dir)
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "warning: cannot check the files against Codex's schema: the Codex 0.150.0 config schema",
        ));
    assert!(w.exists("config.toml"));
}

/// The schemas to check the fixtures against: the folder in
/// `CODEXGEN_CODEX_SCHEMAS` when set (it then replaces the built-in ones in
/// the binary too), else the built-in ones, `schemas/codex/X.Y.Z.json.gz`.
fn known_schemas() -> Vec<String> {
    let (dir, suffix) = match std::env::var_os("CODEXGEN_CODEX_SCHEMAS") {
        Some(dir) => (PathBuf::from(dir), ".json"),
        None => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/codex"),
            ".json.gz",
        ),
    };
    let mut versions: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let stem = name.strip_suffix(suffix)?;
            (stem.split('.').count() == 3).then(|| stem.to_owned())
        })
        .collect();
    versions.sort();
    versions
}

fn version(v: &str) -> (u32, u32, u32) {
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap());
    (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    )
}

/// The keys of the test homes that a schema rightly does not know.
fn expected_unknown(home: &str, at: &str) -> Vec<&'static str> {
    let at = version(at);
    let mut keys = Vec::new();
    if home == "every-key" {
        // The user's own key, on purpose: Codex 0.169.0 says "`profile_note`
        // is ignored" at session start (measured).
        keys.push("profile_note");
        // Dropped from Codex's config in 0.134.0: 0.169.0 says
        // "`tools.view_image` is ignored" (measured).
        if at >= (0, 134, 0) {
            keys.push("tools.view_image");
        }
    }
    if home == "builtins" && at < (0, 105, 0) {
        // `[tui] theme` is newer than these schemas.
        keys.push("tui.theme");
    }
    keys
}

/// The keys named by "`KEY` is not a key" warnings in `stderr`.
fn unknown_keys(stderr: &str) -> Vec<String> {
    let mut keys: Vec<String> = stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("warning: `")?;
            let (key, tail) = rest.split_once('`')?;
            tail.starts_with(" is not a key").then(|| key.to_owned())
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn the_shipped_catalog_and_every_test_home_pass_each_known_schema() {
    let versions = known_schemas();
    if versions.is_empty() {
        eprintln!(
            "no Codex config schema is built in or named by CODEXGEN_CODEX_SCHEMAS: nothing to check"
        );
        return;
    }
    let homes = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/homes");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("providers.yaml");
    let mut failures = Vec::new();
    for version in &versions {
        // The shipped catalog, rendered for this version into an empty home.
        let w = World::new();
        let out = w
            .cmd()
            .args(["--codex-version", version, "--catalog"])
            .arg(&shipped)
            .args(["gen", "--diff"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("config schema") || stderr.contains("Codex's schema") {
            failures.push(format!("shipped catalog at {version}:\n{stderr}"));
        }
        // Each test home, imported and planned again for this version: the
        // user's sections and the managed keys together.
        for home in std::fs::read_dir(&homes).unwrap().flatten() {
            let name = home.file_name().to_string_lossy().into_owned();
            let w = World::new();
            for f in std::fs::read_dir(home.path()).unwrap().flatten() {
                std::fs::copy(f.path(), w.home.join(f.file_name())).unwrap();
            }
            let catalog = w.root.join("work/imported.yaml");
            let out = w
                .cmd()
                .args(["--codex-version", version, "import", "--output"])
                .arg(&catalog)
                .output()
                .unwrap();
            assert!(out.status.success(), "import {name} at {version} failed");
            let out = w
                .cmd()
                .args(["--codex-version", version, "--catalog"])
                .arg(&catalog)
                .args(["gen", "--diff"])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let mut expected = expected_unknown(&name, version);
            expected.sort_unstable();
            if unknown_keys(&stderr) != expected
                || stderr.contains("cannot check")
                || stderr.contains(", but ")
            {
                failures.push(format!(
                    "home {name} at {version} (expected {expected:?}):\n{stderr}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
