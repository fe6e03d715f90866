//! End to end: Codex's own unknown-key check (`codex --strict-config exec`, 0.131.0
//! on), as `gen --verify` and `doctor` run it.
//!
//! Owns the tests that the files codexgen plans pass Codex's strict load (the shipped
//! catalog, and every home under `tests/it/homes/` after `import` and `gen --yes`), and
//! that keys Codex does not know are each reported, with file and line, as warnings
//! that leave the exit status alone. They need the real Codex: `CODEX_BIN` (0.169.0)
//! and `CODEX_BIN_0_133_0`, and `CODEX_BIN_0_171_0` for the keys newer than 0.169.0
//! (model metadata, `gcp`, `capabilities`), each skipped (failed under `CI=true`) when
//! unset, as in `e2e`.
//! Every run is in a scratch world (`support::World`); Codex only ever sees
//! codexgen's throwaway copy of its files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::support::{CATALOG, World};
use crate::e2e::codex_bin_from;

/// The Codex releases with `--strict-config` that the CI installs: (variable, version).
const STRICT_CODEXES: [(&str, &str); 2] =
    [("CODEX_BIN", "0.169.0"), ("CODEX_BIN_0_133_0", "0.133.0")];

/// What a codexgen run printed, and its exit status.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(w: &World, codex: &Path, version: &str, args: &[&str]) -> Out {
    let out = w
        .cmd()
        .arg("--codex-bin")
        .arg(codex)
        .args(["--codex-version", version])
        .args(args)
        .output()
        .expect("run codexgen");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The keys `gen --verify` warned about, from its stderr.
fn gen_unknown_keys(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: Codex "))
        .filter_map(|l| l.split_once(" does not know `")?.1.split_once('`'))
        .map(|(key, _)| key.to_owned())
        .collect()
}

/// `doctor --format json`'s strict findings in scope `files`: (status, message).
fn doctor_strict(w: &World, codex: &Path, version: &str) -> (i32, Vec<(String, String)>) {
    let out = run(w, codex, version, &["doctor", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor JSON: {e}\n{}\n{}", out.stdout, out.stderr));
    let strict = findings
        .as_array()
        .expect("a list of findings")
        .iter()
        .filter(|f| f["scope"] == "files")
        .filter(|f| {
            let m = f["message"].as_str().unwrap_or_default();
            m.contains("does not know") || m.contains("--strict-config")
        })
        .map(|f| {
            (
                f["status"].as_str().unwrap_or_default().to_owned(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (out.code, strict)
}

fn installed() -> Vec<(PathBuf, &'static str)> {
    STRICT_CODEXES
        .iter()
        .filter_map(|(var, version)| codex_bin_from(var, version).map(|b| (b, *version)))
        .collect()
}

#[test]
fn the_shipped_catalog_passes_codex_strict_load() {
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("providers.yaml");
    for (codex, version) in installed() {
        let w = World::new();
        let out = run(
            &w,
            &codex,
            version,
            &[
                "--catalog",
                catalog.to_str().unwrap(),
                "gen",
                "--diff",
                "--verify",
            ],
        );
        assert_eq!(out.code, 0, "{version}: {}", out.stderr);
        assert!(
            out.stderr.contains(&format!(
                "Codex {version} knows every key of the planned files"
            )),
            "{version}: {}",
            out.stderr
        );
        assert_eq!(gen_unknown_keys(&out.stderr), Vec::<String>::new());
    }
}

/// A fixture home copied into a fresh world, minus the lines `drop` names.
fn home_world(home: &str, drop: &[&str]) -> World {
    let w = World::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/homes")
        .join(home);
    for entry in std::fs::read_dir(&src).expect("fixture home") {
        let entry = entry.expect("entry");
        let text = std::fs::read_to_string(entry.path()).expect("fixture file");
        let kept: String = text
            .split_inclusive('\n')
            .filter(|l| !drop.iter().any(|d| l.trim_start().starts_with(d)))
            .collect();
        std::fs::write(w.home.join(entry.file_name()), kept).expect("copy fixture");
    }
    w
}

#[test]
fn every_test_home_passes_codex_strict_load_after_import_and_gen() {
    // The version each home is imported for in `import.rs`; every-key loses the two
    // lines Codex 0.169.0 refuses at load (a missing instructions file, `untrusted`),
    // and keeps two keys of the user's that Codex does not know.
    let homes: [(&str, &str, &[&str], &[&str]); 8] = [
        ("files-groq", "0.169.0", &[], &[]),
        ("legacy-tables", "0.133.0", &[], &[]),
        ("both-layouts", "0.169.0", &[], &[]),
        ("tables-to-files", "0.169.0", &[], &[]),
        ("builtins", "0.169.0", &[], &[]),
        ("default-no-profile", "0.169.0", &[], &[]),
        ("literal-token", "0.169.0", &[], &[]),
        (
            "every-key",
            "0.169.0",
            &["model_instructions_file", "approval_policy = \"untrusted\""],
            &["profile_note", "tools.view_image"],
        ),
    ];
    let codexes = installed();
    for (home, version, drop, unknown) in homes {
        let Some((codex, _)) = codexes.iter().find(|(_, v)| *v == version) else {
            continue;
        };
        let w = home_world(home, drop);
        let catalog = w.root.join("work/imported.yaml");
        let import = run(
            &w,
            codex,
            version,
            &["import", "--output", catalog.to_str().unwrap()],
        );
        assert_eq!(import.code, 0, "{home}: import: {}", import.stderr);
        let generated = run(
            &w,
            codex,
            version,
            &[
                "--catalog",
                catalog.to_str().unwrap(),
                "gen",
                "--yes",
                "--verify",
            ],
        );
        assert_eq!(generated.code, 0, "{home}: gen: {}", generated.stderr);
        assert_eq!(
            gen_unknown_keys(&generated.stderr),
            unknown,
            "{home}: {}",
            generated.stderr
        );
        // None of them is codexgen's.
        assert!(
            !generated.stderr.contains("codexgen bug"),
            "{home}: {}",
            generated.stderr
        );
        // doctor, on the files gen wrote, finds the same keys.
        let (_, strict) = doctor_strict_with(&w, codex, version, &catalog);
        let warned: Vec<&str> = strict
            .iter()
            .filter(|(status, _)| status == "warn")
            .map(|(_, m)| m.split('`').nth(1).unwrap_or_default())
            .collect();
        assert_eq!(warned, unknown, "{home}: {strict:?}");
        if unknown.is_empty() {
            assert!(
                strict
                    .iter()
                    .any(|(s, m)| s == "ok" && m.contains("knows every key")),
                "{home}: {strict:?}"
            );
        }
    }
}

fn doctor_strict_with(
    w: &World,
    codex: &Path,
    version: &str,
    catalog: &Path,
) -> (i32, Vec<(String, String)>) {
    std::fs::copy(catalog, w.root.join("work/providers.yaml")).expect("catalog in place");
    doctor_strict(w, codex, version)
}

/// The user's own hand-written sections, each with a key Codex does not know.
const HAND_WRITTEN: &str = "# mine\n[tui]\nnotifications = false\nbogus_key = 1\n\n[model_providers.mine]\nname = \"Mine\"\nbase_url = \"http://127.0.0.1:9/v1\"\nbase_ulr = \"http://127.0.0.1:9/v1\"\nwire_api = \"responses\"\n";

/// The warnings about unknown keys in `gen --diff --verify --format json`:
/// (message, line), each checked to name `config`.
fn json_unknown_keys(w: &World, codex: &Path, config: &Path) -> Vec<(String, u64)> {
    let json = run(
        w,
        codex,
        "0.169.0",
        &["gen", "--diff", "--verify", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON report");
    report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| {
            w["message"]
                .as_str()
                .unwrap_or_default()
                .contains("does not know")
        })
        .map(|w| {
            assert_eq!(w["file"], config.display().to_string(), "{w:#}");
            (
                w["message"].as_str().unwrap_or_default().to_owned(),
                w["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// `gen --diff --verify --format json` carries the same two warnings, each
/// with its file and line.
#[test]
fn unknown_keys_are_in_the_json_report_with_file_and_line() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let w = World::new();
    w.catalog(CATALOG);
    let config = w.home.join("config.toml");
    std::fs::write(&config, HAND_WRITTEN).expect("write config.toml");
    let unknown = json_unknown_keys(&w, &codex, &config);
    assert_eq!(
        unknown,
        [
            (
                "Codex 0.169.0 does not know `model_providers.mine.base_ulr` in config.toml"
                    .to_owned(),
                13
            ),
            (
                "Codex 0.169.0 does not know `tui.bogus_key` in config.toml".to_owned(),
                8
            ),
        ],
        "{}",
        w.read("config.toml")
    );
}

#[test]
fn unknown_keys_of_the_user_are_warnings_with_file_and_line() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let w = World::new();
    w.catalog(CATALOG);
    let config = w.home.join("config.toml");
    std::fs::write(&config, HAND_WRITTEN).expect("write config.toml");

    let plain = run(&w, &codex, "0.169.0", &["gen", "--diff"]);
    let verified = run(&w, &codex, "0.169.0", &["gen", "--diff", "--verify"]);
    assert_eq!(verified.code, plain.code, "{}", verified.stderr);
    // Both keys, each with the line of the file as gen writes it (codexgen's header
    // and tables come first) and what to do.
    assert_eq!(
        gen_unknown_keys(&verified.stderr),
        ["model_providers.mine.base_ulr", "tui.bogus_key"],
        "{}",
        verified.stderr
    );
    for line in [
        "8 | bogus_key = 1",
        "13 | base_ulr = \"http://127.0.0.1:9/v1\"",
    ] {
        assert!(
            verified.stderr.contains(line),
            "{line}: {}",
            verified.stderr
        );
    }
    assert!(
        verified
            .stderr
            .contains(&format!("--> {}:", config.display())),
        "{}",
        verified.stderr
    );
    assert!(
        verified
            .stderr
            .contains("Codex 0.169.0 does not know this key: check its spelling or remove it"),
        "{}",
        verified.stderr
    );
    assert!(
        !verified.stderr.contains("codexgen bug"),
        "{}",
        verified.stderr
    );
    assert_eq!(w.read("config.toml"), HAND_WRITTEN, "--diff wrote nothing");

    // Written, then doctor on the files on disk: the same two keys at their lines
    // there, as warnings; the exit status is what it is without them.
    let written = run(&w, &codex, "0.169.0", &["gen", "--yes", "--verify"]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    let on_disk = w.read("config.toml");
    let line_of = |needle: &str| {
        on_disk
            .lines()
            .position(|l| l.starts_with(needle))
            .expect("key on disk")
            + 1
    };
    let (code, strict) = doctor_strict(&w, &codex, "0.169.0");
    let expected = [
        (
            "model_providers.mine.base_ulr",
            format!("{}:{}:1:", config.display(), line_of("base_ulr")),
        ),
        (
            "tui.bogus_key",
            format!("{}:{}:1:", config.display(), line_of("bogus_key")),
        ),
    ];
    assert_eq!(strict.len(), 2, "{strict:?}");
    for ((status, message), (key, place)) in strict.iter().zip(&expected) {
        assert_eq!(status, "warn");
        assert!(message.starts_with(place.as_str()), "{message} at {place}");
        assert!(message.contains(key), "{message}");
    }
    std::fs::write(
        &config,
        on_disk
            .split_inclusive('\n')
            .filter(|l| !l.starts_with("base_ulr") && !l.starts_with("bogus_key"))
            .collect::<String>(),
    )
    .expect("remove the unknown keys");
    let (clean_code, clean) = doctor_strict(&w, &codex, "0.169.0");
    assert_eq!(
        code, clean_code,
        "the warnings leave doctor's exit status alone"
    );
    assert!(
        clean.iter().all(|(s, _)| s == "ok"),
        "no key is unknown once both are gone: {clean:?}"
    );
}

#[test]
fn the_rounds_stop_at_their_bound_and_say_so() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let w = World::new();
    w.catalog(CATALOG);
    let keys: Vec<String> = (0..33).map(|i| format!("bogus_{i} = {i}")).collect();
    let keys = keys.join("\n");
    std::fs::write(w.home.join("config.toml"), format!("[tui]\n{keys}\n")).expect("config");
    let out = run(&w, &codex, "0.169.0", &["gen", "--diff", "--verify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(gen_unknown_keys(&out.stderr).len(), 32, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("named 32 unknown keys, the most one check looks for; there may be more"),
        "{}",
        out.stderr
    );
}

/// A sample value for each provider key of the catalog's schema, as YAML.
/// The test below fails when the schema gains a key this list lacks, so a
/// key added to the catalog is also put before the real Codex.
const PROVIDER_SAMPLES: &[(&str, &str)] = &[
    ("name", "Every Key"),
    ("base_url", "http://127.0.0.1:9/v1"),
    ("env_key", "EVERY_KEY_API_KEY"),
    ("env_key_instructions", "ask the team"),
    ("wire_api", "responses"),
    ("query_params", "{api-version: \"2025-04-01-preview\"}"),
    ("http_headers", "{X-Team: platform}"),
    ("env_http_headers", "{X-User: EVERY_KEY_USER}"),
    ("request_max_retries", "4"),
    ("stream_max_retries", "10"),
    ("stream_idle_timeout_ms", "300000"),
    ("requires_openai_auth", "false"),
    ("supports_websockets", "false"),
    ("websocket_connect_timeout_ms", "15000"),
    ("supports_standalone_web_search", "false"),
    ("model_catalog_url", "http://127.0.0.1:9/v1/models"),
    // Instead of `env_key`, so on a provider of its own below.
    (
        "auth",
        "{command: printf, args: [\"%s\", x], timeout_ms: 8000, refresh_interval_ms: 0, cwd: /}",
    ),
    // Only on Codex's Amazon Bedrock built-ins, below.
    ("aws", ""),
    // Only on Codex's Google Cloud built-in `gcp`, below.
    ("project_id", ""),
    ("location", ""),
    ("credential_file", ""),
    // A table of its own: `[model_providers.plain.capabilities]`.
    (
        "capabilities",
        "{remote_compaction: v2, external_web_access: true, cyber_access_programs: false}",
    ),
];

/// Every provider key the catalog accepts (its schema's list), written by
/// `gen` for Codex 0.169.0, is one Codex's strict load knows: the next Codex
/// that drops or renames one fails here, not in a user's session. Amazon
/// Bedrock's and Google Cloud's tables carry every key Codex lets them change.
#[test]
fn every_catalog_key_passes_codex_strict_load() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let w = World::new();
    let schema = w.cmd().arg("schema").output().expect("codexgen schema");
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).expect("JSON");
    let keys: Vec<&str> = schema["$defs"]["provider"]["properties"]
        .as_object()
        .expect("provider properties")
        .keys()
        .map(String::as_str)
        .collect();
    let mut sampled: Vec<&str> = PROVIDER_SAMPLES.iter().map(|(k, _)| *k).collect();
    sampled.sort_unstable();
    assert_eq!(
        keys, sampled,
        "each provider key of the schema needs a sample here"
    );
    w.catalog(&every_key_catalog());
    let out = run(&w, &codex, "0.169.0", &["gen", "--yes", "--verify"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("Codex 0.169.0 knows every key of the planned files"),
        "{}",
        out.stderr
    );
    assert_eq!(gen_unknown_keys(&out.stderr), Vec::<String>::new());
    let config = std::fs::read_to_string(w.home.join("config.toml")).expect("config.toml");
    for table in [
        "[model_providers.by-command.auth]",
        "[model_providers.amazon-bedrock.aws]",
        "[model_providers.amazon-bedrock-runtime.aws]",
        "[model_providers.gcp]",
        "[model_providers.plain.capabilities]",
    ] {
        assert!(config.contains(table), "{table}:\n{config}");
    }
}

/// A catalog holding every provider key of [`PROVIDER_SAMPLES`]: the plain
/// keys on provider `plain`, `auth` on `by-command`, and Amazon Bedrock's
/// tables with every key Codex lets them change.
fn every_key_catalog() -> String {
    let mut plain = String::new();
    let mut auth = String::new();
    for (key, value) in PROVIDER_SAMPLES {
        match *key {
            "aws" | "project_id" | "location" | "credential_file" => {}
            "auth" => auth = format!("    auth: {value}\n"),
            _ => {
                let _ = writeln!(plain, "    {key}: {value}");
            }
        }
    }
    format!(
        "schema: 1\nversion: \"every\"\ndefault: plain\nproviders:\n  plain:\n{plain}  by-command:\n    base_url: http://127.0.0.1:9/v1\n{auth}  amazon-bedrock:\n    base_url: http://127.0.0.1:9/bedrock\n    http_headers: {{X-Team: ml}}\n    aws:\n      profile: dev\n      region: us-east-1\n      auth_refresh: {{command: aws, args: [sso, login], timeout_ms: 60000}}\n  amazon-bedrock-runtime:\n    aws:\n      credential_export: {{command: printf, args: [\"{{}}\"], timeout_ms: 5000}}\n  gcp:\n    base_url: http://127.0.0.1:9/gcp\n    project_id: my-project\n    location: us-central1\n    credential_file: /etc/gcp/key.json\nprofiles:\n  plain:\n    provider: plain\n    model: m\n  by-command:\n    provider: by-command\n    model: m\n  bed:\n    provider: amazon-bedrock\n    model: m\n  rt:\n    provider: amazon-bedrock-runtime\n    model: m\n  vertex:\n    provider: gcp\n    model: m\n"
    )
}

/// Every plain provider key the catalog accepts is written by `gen` (no
/// Codex needed): a key the catalog checks and then drops would leave the
/// provider without what its entry says, and pass the strict load above
/// for want of the key.
#[test]
fn every_catalog_key_is_written() {
    let w = World::new();
    w.catalog(&every_key_catalog());
    w.gen_yes_for("0.169.0");
    let config = std::fs::read_to_string(w.home.join("config.toml")).expect("config.toml");
    let plain = config
        .split("[model_providers.plain]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or_else(|| panic!("no plain table:\n{config}"));
    for (key, _) in PROVIDER_SAMPLES {
        if matches!(
            *key,
            "auth" | "aws" | "project_id" | "location" | "credential_file" | "capabilities"
        ) {
            continue;
        }
        assert!(
            plain.lines().any(|l| l.starts_with(&format!("{key} = "))),
            "`{key}` is accepted by the catalog but not written:\n{config}"
        );
    }
}

/// The model-metadata keys of a profile, written by `gen` for the newest
/// measured Codex, load under the real 0.171.0's `--strict-config` (the
/// `--verify` pass) and with `codex -p NAME mcp list` on the files written.
/// Needs `CODEX_BIN_0_171_0` (`.ci/run` installs it).
#[test]
fn model_metadata_keys_load_under_codex_0_171_strict_config() {
    let Some(codex) = codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") else {
        return;
    };
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    model: alpha-1\n",
        "    model: alpha-1\n    model_context_window: 131072\n    model_auto_compact_token_limit: 100000\n    tool_output_token_limit: 12000\n    model_auto_compact_token_limit_scope: body_after_prefix\n    model_post_turn_compact_threshold_percent: 80\n",
    ));
    let out = run(&w, &codex, "0.171.0", &["gen", "--yes", "--verify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Codex 0.171.0 knows every key of the planned files"),
        "{}",
        out.stderr
    );
    assert_eq!(gen_unknown_keys(&out.stderr), Vec::<String>::new());
    assert!(
        w.read("alpha.config.toml")
            .contains("model_context_window = 131072\n")
    );
    let scratch = w.root.join("codex-user");
    std::fs::create_dir_all(&scratch).expect("scratch home");
    let load = std::process::Command::new(&codex)
        .args(["-p", "alpha", "mcp", "list"])
        .env("CODEX_HOME", &w.home)
        .env("HOME", &scratch)
        .env_remove("RUST_BACKTRACE")
        .current_dir(&scratch)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run codex");
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
}

/// A catalog `gcp` table with every key Codex 0.171.0 lets it change, and a
/// profile on it, pass that Codex's strict load (`gen --verify`).
#[test]
fn a_gcp_table_loads_under_codex_0_171_strict_config() {
    let Some(codex) = codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") else {
        return;
    };
    let w = World::new();
    w.catalog(
        "schema: 1\nversion: \"t1\"\ndefault: vertex\nproviders:\n  gcp:\n    base_url: https://gw.example/v1\n    http_headers: {X-Team: ml}\n    project_id: my-project\n    location: us-central1\n    credential_file: /etc/gcp/key.json\nprofiles:\n  vertex:\n    provider: gcp\n    model: openai.gpt-oss-120b\n",
    );
    let out = run(&w, &codex, "0.171.0", &["gen", "--yes", "--verify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Codex 0.171.0 knows every key of the planned files"),
        "{}",
        out.stderr
    );
    assert!(w.read("config.toml").contains("[model_providers.gcp]"));
}

/// Provider `capabilities` as gen writes them pass Codex 0.171.0's strict
/// load (`gen --verify`).
#[test]
fn provider_capabilities_load_under_codex_0_171_strict_config() {
    let Some(codex) = codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") else {
        return;
    };
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    env_key: ALPHA_API_KEY\n",
        "    env_key: ALPHA_API_KEY\n    capabilities: {remote_compaction: v2, external_web_access: true, cyber_access_programs: false}\n",
    ));
    let out = run(&w, &codex, "0.171.0", &["gen", "--yes", "--verify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Codex 0.171.0 knows every key of the planned files"),
        "{}",
        out.stderr
    );
    assert!(
        w.read("config.toml")
            .contains("[model_providers.alpha-p.capabilities]")
    );
}
