//! `codexgen import`: every home under `tests/it/homes/` (hand-written, as
//! Codex and people write them) imports into a catalog that loads, and `gen`
//! with it changes no managed value: `--check` exits 0, or names exactly the
//! files import said `gen` would change; the diff removes nothing; a write
//! keeps every line that was there, byte for byte; a second `--check` is in
//! sync. Each test works on a copy of its fixture in a temp dir.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::support::{World, catalog_value, key_tables, kind_samples, snapshot_dir};

/// A fixture home copied into a fresh world's Codex home.
fn world_with(home: &str) -> World {
    let w = World::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/homes")
        .join(home);
    for entry in std::fs::read_dir(&src).expect("fixture home") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), w.home.join(entry.file_name())).expect("copy fixture");
    }
    w
}

struct Imported {
    catalog: PathBuf,
    stderr: String,
}

fn import(w: &World, version: &str) -> Imported {
    let catalog = w.root.join("work/imported.yaml");
    let out = w
        .cmd()
        .args(["--codex-version", version, "import", "--output"])
        .arg(&catalog)
        .output()
        .expect("run import");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "import failed:\n{stderr}");
    assert!(out.stdout.is_empty(), "import --output printed the catalog");
    Imported { catalog, stderr }
}

fn gen_with(w: &World, imported: &Imported, version: &str, args: &[&str]) -> (i32, String) {
    let args = [&["gen"], args].concat();
    let out = w.run_catalog(version, &imported.catalog, &args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

/// The whole round trip for one fixture home. `changes`: what import must
/// say `gen` changes; `files`: the files `gen --check` then names (none:
/// it must exit 0). `removes`: whether `gen` may remove lines (a migration
/// between layouts moves tables).
fn round_trip(
    home: &str,
    version: &str,
    changes: &[&str],
    files: &[&str],
    removes: bool,
) -> (World, Imported) {
    let w = world_with(home);
    let before = snapshot_dir(&w.home);
    let imported = import(&w, version);
    // Import writes nothing into the home.
    assert_eq!(snapshot_dir(&w.home), before, "import wrote into the home");
    for change in changes {
        assert!(
            imported.stderr.contains(change),
            "import did not announce `{change}`:\n{}",
            imported.stderr
        );
    }
    let (code, check) = gen_with(&w, &imported, version, &["--check"]);
    let out_of_date: Vec<&str> = check
        .lines()
        .filter(|l| {
            !l.starts_with("in sync")
                && !l.contains("file(s) out of date")
                && !l.contains("in sync; codexgen's header is added")
        })
        .filter_map(|l| l.split(':').next())
        .collect();
    let mut expected = files.to_vec();
    expected.sort_unstable();
    let mut found = out_of_date.clone();
    found.sort_unstable();
    assert_eq!(
        found, expected,
        "gen --check:\n{check}\nimport:\n{}",
        imported.stderr
    );
    assert_eq!(code, i32::from(!expected.is_empty()), "{check}");

    let (code, diff) = gen_with(&w, &imported, version, &["--diff"]);
    assert_eq!(code, 0, "{diff}");
    assert!(!diff.contains("drift:"), "{diff}");
    assert!(
        !diff.contains("note:"),
        "a managed value would be replaced:\n{diff}"
    );
    if !removes {
        let gone: Vec<&str> = diff
            .lines()
            .filter(|l| l.starts_with('-') && !l.starts_with("---"))
            .collect();
        assert!(gone.is_empty(), "gen would change lines:\n{diff}");
    }

    let (code, _) = gen_with(&w, &imported, version, &["--yes"]);
    assert_eq!(code, 0);
    if !removes {
        for (path, old) in &before {
            let new = std::fs::read(path).expect("file still there");
            assert!(
                keeps_every_line(old, &new),
                "{} lost a line:\n{}",
                path.display(),
                String::from_utf8_lossy(&new)
            );
        }
    }
    let (code, check) = gen_with(&w, &imported, version, &["--check"]);
    assert_eq!(code, 0, "second gen --check:\n{check}");
    assert!(check.contains("in sync"), "{check}");
    (w, imported)
}

/// Whether every line of `old` (with its own line ending) is in `new`, in order.
fn keeps_every_line(old: &[u8], new: &[u8]) -> bool {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let mut rest = new.split_inclusive('\n');
    old.trim_start_matches('\u{feff}')
        .split_inclusive('\n')
        .all(|line| rest.any(|l| l.trim_start_matches('\u{feff}') == line))
}

#[test]
fn a_home_with_profile_files_round_trips() {
    let (_w, imported) = round_trip("files-groq", "0.169.0", &[], &[], false);
    let stderr = &imported.stderr;
    assert!(stderr.contains("(default profile `groq`)"), "{stderr}");
    assert!(
        stderr.contains("kept in config.toml, not imported: [notice], [projects]"),
        "{stderr}"
    );
    // Its MCP server is imported (tests/it/mcp.rs has the rules).
    assert!(stderr.contains("imported 1 MCP server(s)"), "{stderr}");
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    // A local server without a key imports without `env_key`.
    let local = catalog.split("  llamacpp:").nth(1).unwrap();
    let local = local.split("\n  #").next().unwrap();
    assert!(!local.contains("env_key"), "{catalog}");
}

#[test]
fn a_home_with_legacy_tables_round_trips_for_codex_0_133() {
    // gen writes the default profile's settings at config.toml's top level
    // too (issue 22): that is the one change.
    let (_w, imported) = round_trip(
        "legacy-tables",
        "0.133.0",
        &["config.toml: the default profile `fast`'s"],
        &["config.toml"],
        false,
    );
    let stderr = &imported.stderr;
    assert!(stderr.contains("(default profile `fast`)"), "{stderr}");
    assert!(
        stderr.contains("profiles.nas.model_instructions_file (no catalog key)"),
        "{stderr}"
    );
    // config.toml's own top-level setting, which the default profile does
    // not hold, is the catalog's team setting.
    let catalog = std::fs::read_to_string(&imported.catalog).expect("the catalog");
    assert!(
        catalog.contains("settings:\n  approval_policy: on-request\n"),
        "{catalog}"
    );
}

#[test]
fn a_default_that_matches_no_profile_becomes_a_profile_named_after_its_provider() {
    let (w, imported) = round_trip(
        "default-no-profile",
        "0.169.0",
        &["openrouter.config.toml is created for the default profile `openrouter`"],
        &["openrouter.config.toml"],
        false,
    );
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    assert!(catalog.contains("default: openrouter"), "{catalog}");
    assert!(
        w.read("openrouter.config.toml")
            .contains("model = \"openai/gpt-oss-120b\"")
    );
}

#[test]
fn built_in_providers_need_no_table() {
    let (_w, imported) = round_trip(
        "builtins",
        "0.169.0",
        &["config.toml: `model_provider` = \"openai\" is added"],
        &["config.toml"],
        false,
    );
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    assert!(catalog.contains("providers: {}"), "{catalog}");
    // `model` without `model_provider` is Codex's openai: the profile with both matches.
    assert!(catalog.contains("default: codex"), "{catalog}");
    for provider in ["provider: ollama", "provider: lmstudio", "provider: openai"] {
        assert!(catalog.contains(provider), "{catalog}");
    }
}

#[test]
fn every_key_the_catalog_knows_round_trips_with_crlf_and_a_bom() {
    let (_w, imported) = round_trip("every-key", "0.169.0", &[], &[], false);
    let stderr = &imported.stderr;
    for kept in [
        "kept in deep.config.toml, not imported: model_instructions_file (no catalog key), [tools]",
        "approval_policy (\"untrusted\" is not a value codexgen accepts for Codex 0.169.0)",
        "profile_note",
        "imported 1 MCP server(s)",
    ] {
        assert!(stderr.contains(kept), "{kept}:\n{stderr}");
    }
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    for key in [
        "name:",
        "base_url:",
        "env_key: ACME_LLM_KEY",
        "env_key_instructions:",
        "wire_api:",
        "query_params:",
        "http_headers:",
        "env_http_headers:",
        "request_max_retries: 4",
        "stream_max_retries: 10",
        "stream_idle_timeout_ms: 300000",
        "requires_openai_auth: false",
        "supports_websockets: false",
        "websocket_connect_timeout_ms: 15000",
        "supports_standalone_web_search: false",
        "model_catalog_url: https://llm.acme.internal/openai/v1/models",
        "    auth:\n      command: printf\n      args:\n        - \"%s\"\n        - from-the-vault\n      timeout_ms: 8000\n      refresh_interval_ms: 0\n      cwd: \"/\"\n",
        "model_reasoning_effort: xhigh",
        "model_reasoning_summary: detailed",
        "model_verbosity: low",
        "approval_policy: on-failure",
        "sandbox_mode: read-only",
        "personality: pragmatic",
        "web_search: cached",
        "\"say \\\"hi\\\" # not a comment\"",
    ] {
        assert!(catalog.contains(key), "{key}:\n{catalog}");
    }
}

#[test]
fn legacy_tables_imported_for_codex_0_169_are_moved_by_gen() {
    let (w, _) = round_trip(
        "tables-to-files",
        "0.169.0",
        &["config.toml: [profiles.fw] moves to fw.config.toml, which is created"],
        &["config.toml", "fw.config.toml"],
        true,
    );
    let config = w.read("config.toml");
    assert!(!config.contains("[profiles.fw]"), "{config}");
    assert!(config.contains("[projects.\"/home/me/code\"]\ntrust_level = \"trusted\"\n"));
    assert!(
        w.read("fw.config.toml")
            .contains("model = \"llama-3.3-70b\"")
    );
}

/// A legacy home whose `profile = "fast"` (Codex's own default-profile
/// key) picks the profile plain `codex` runs.
const SELECTED: &str = "# mine\nprofile = \"fast\"\nmodel = \"gpt-5.5\"\n\n[model_providers.groq]\nname = \"Groq\"\nbase_url = \"https://api.groq.com/openai/v1\"\nenv_key = \"GROQ_API_KEY\"\nwire_api = \"responses\"\n\n[profiles.fast]\nmodel = \"openai/gpt-oss-20b\"\nmodel_provider = \"groq\"\n\n[profiles.slow]\nmodel = \"gpt-5.5\"\nmodel_provider = \"openai\"\n";

/// Import offers the selected profile as the catalog's default; on a Codex
/// that reads profile files (which refuses the line: every codex command
/// fails) gen's migration removes the line, on an older one it stays and
/// agrees with the default.
#[test]
fn a_legacy_profile_selector_becomes_the_default_and_the_migration_removes_it() {
    for (version, removed) in [("0.169.0", true), ("0.171.0", true), ("0.133.0", false)] {
        let w = World::new();
        std::fs::write(w.home.join("config.toml"), SELECTED).unwrap();
        let imported = import(&w, version);
        let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
        assert!(
            catalog.contains("\ndefault: fast\n"),
            "{version}: {catalog}"
        );
        assert!(
            imported
                .stderr
                .contains("`profile = \"fast\"` becomes the catalog's `default: fast`"),
            "{version}: {}",
            imported.stderr
        );
        assert_eq!(
            imported.stderr.contains("`codexgen gen` removes that line"),
            removed,
            "{version}: {}",
            imported.stderr
        );
        let (code, diff) = gen_with(&w, &imported, version, &["--diff"]);
        assert_eq!(code, 0, "{diff}");
        let (code, _) = gen_with(&w, &imported, version, &["--yes"]);
        assert_eq!(code, 0);
        let config = w.read("config.toml");
        assert_eq!(
            !config.contains("profile = \"fast\""),
            removed,
            "{version}: {config}"
        );
        assert!(config.contains("# mine\n"), "{config}");
        assert!(
            config.contains("model = \"openai/gpt-oss-20b\"\nmodel_provider = \"groq\""),
            "{config}"
        );
        let (code, check) = gen_with(&w, &imported, version, &["--check"]);
        assert_eq!(code, 0, "{version}: {check}");
    }
    // Under `default: ~` the line is the user's: it stays, and gen says
    // what Codex does with it.
    let w = World::new();
    std::fs::write(w.home.join("config.toml"), SELECTED).unwrap();
    let catalog = w.catalog("schema: 1\nversion: \"1\"\ndefault: ~\nprofiles:\n  fast:\n    provider: openai\n    model: m\n");
    let out = w.run_catalog("0.169.0", &catalog, &["gen", "--yes"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("selects a profile with `profile = \"fast\"`")
    );
    assert!(w.read("config.toml").contains("profile = \"fast\""));
}

/// The real Codex refuses the legacy home as it is (every command fails)
/// and loads it once the imported catalog is generated.
#[test]
fn real_codex_loads_a_selector_home_after_import_and_gen() {
    let Some(codex) = crate::e2e::codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let scratch = crate::e2e::Scratch::new();
    std::fs::create_dir_all(&scratch.codex_home).unwrap();
    std::fs::write(scratch.codex_home.join("config.toml"), SELECTED).unwrap();
    let before = scratch.run_codex_offline(&codex, &["mcp", "list"], &[]);
    assert!(
        before
            .stderr
            .contains("legacy `profile = \"fast\"` config is no longer supported"),
        "{}",
        before.stderr
    );
    assert_ne!(before.status.and_then(|s| s.code()), Some(0));
    let w = World::new();
    std::fs::write(w.home.join("config.toml"), SELECTED).unwrap();
    let imported = import(&w, "0.169.0");
    let (code, _) = gen_with(&w, &imported, "0.169.0", &["--yes"]);
    assert_eq!(code, 0);
    for name in ["config.toml", "fast.config.toml", "slow.config.toml"] {
        std::fs::copy(w.home.join(name), scratch.codex_home.join(name)).unwrap();
    }
    let after = scratch.run_codex_offline(&codex, &["mcp", "list"], &[]);
    assert_eq!(
        after.status.and_then(|s| s.code()),
        Some(0),
        "{}",
        after.stderr
    );
}

/// The literal tokens of `homes/literal-token` (the part after `Bearer `).
const TOKENS: &[&str] = &[
    "tok-Vq7ZLm2PXc9RwA4t",
    "hdr-Kj3NbT8sYw1QeU5z",
    "az-Ew4RtY6uIo8PaS2d",
];

fn leaked<'a>(text: &str, secrets: &[&'a str]) -> Option<&'a str> {
    secrets.iter().copied().find(|secret| {
        secret
            .as_bytes()
            .windows(4)
            .any(|w| text.contains(std::str::from_utf8(w).unwrap()))
    })
}

#[test]
fn a_literal_token_becomes_a_variable_and_is_never_printed() {
    let (w, imported) = round_trip(
        "literal-token",
        "0.169.0",
        &[
            "config.toml: `model_providers.corp.env_key` = \"CORP_API_KEY\" is added",
            "config.toml: `model_providers.edge.env_key` = \"EDGE_API_KEY\" is added",
            "config.toml: `model_providers.azure.env_http_headers` gains api-key = \"AZURE_API_KEY\"",
        ],
        &["config.toml"],
        false,
    );
    let stderr = &imported.stderr;
    for var in ["set CORP_API_KEY", "set EDGE_API_KEY", "set AZURE_API_KEY"] {
        assert!(stderr.contains(var), "{var}:\n{stderr}");
    }
    assert!(
        stderr.contains("remove the literal from config.toml"),
        "{stderr}"
    );
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    assert!(catalog.contains("env_key: CORP_API_KEY"), "{catalog}");
    assert!(catalog.contains("env_key: EDGE_API_KEY"), "{catalog}");
    assert!(catalog.contains("api-key: AZURE_API_KEY"), "{catalog}");

    // Nothing import prints or writes, nor what gen then shows, holds any
    // four characters of a token.
    let mut texts = vec![catalog, stderr.clone()];
    let stdout = w
        .cmd()
        .args(["--codex-version", "0.169.0", "import"])
        .output()
        .unwrap();
    texts.push(String::from_utf8_lossy(&stdout.stdout).into_owned());
    texts.push(String::from_utf8_lossy(&stdout.stderr).into_owned());
    let fresh = world_with("literal-token");
    let imported = import(&fresh, "0.169.0");
    for args in [&["--diff"][..], &["--check"]] {
        let out = fresh
            .cmd()
            .args(["--codex-version", "0.169.0", "--catalog"])
            .arg(&imported.catalog)
            .arg("gen")
            .args(args)
            .output()
            .unwrap();
        texts.push(String::from_utf8_lossy(&out.stdout).into_owned());
        texts.push(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    for text in &texts {
        assert_eq!(leaked(text, TOKENS), None, "a token leaked:\n{text}");
    }
}

#[test]
fn output_is_refused_over_an_existing_file_unless_forced_and_inside_the_home() {
    let w = world_with("files-groq");
    let existing = w.file("work/mine.yaml", "keep me\n");
    let out = w
        .cmd()
        .args(["import", "--output"])
        .arg(&existing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --force"));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me\n");
    w.cmd()
        .args(["import", "--force", "--output"])
        .arg(&existing)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&existing)
            .unwrap()
            .starts_with("# Imported by")
    );
    let inside = w.home.join("providers.yaml");
    let out = w
        .cmd()
        .args(["import", "--output"])
        .arg(&inside)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!inside.exists());
    // Nor below it, in folders the write would create.
    let deeper = w.home.join("sub/dir/providers.yaml");
    let out = w
        .cmd()
        .args(["import", "--output"])
        .arg(&deeper)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!w.home.join("sub").exists());
}

#[test]
fn a_home_without_config_toml_or_with_broken_toml_is_refused() {
    let w = World::new();
    let out = w.cmd().arg("import").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to import"));
    w.file(
        "codex-home/config.toml",
        "model = \"x\"\n[model_providers.a\n",
    );
    let out = w.cmd().arg("import").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config.toml:2:"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_control_character_is_refused_with_the_file_and_key() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"m\"\nmodel_provider = \"a\"\n[model_providers.a]\nname = \"A\\u001b[31m\"\nbase_url = \"https://a.example/v1\"\n",
    );
    let out = w.cmd().arg("import").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`model_providers.a.name` holds the control character"),
        "{stderr}"
    );
    assert!(stderr.contains("config.toml:4:"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

#[test]
fn a_profile_in_both_layouts_is_taken_from_the_one_the_target_reads() {
    let (w, imported) = round_trip(
        "both-layouts",
        "0.169.0",
        &["config.toml: [profiles.grok] is removed"],
        &["config.toml"],
        true,
    );
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    assert!(catalog.contains("model: grok-4"), "{catalog}");
    assert!(!catalog.contains("grok-3"), "{catalog}");
    assert!(catalog.contains("default: grok"), "{catalog}");
    assert!(!w.read("config.toml").contains("[profiles.grok]"));
    assert!(
        w.read("config.toml")
            .contains("[tui]\nnotifications = false\n")
    );
}

#[test]
fn a_home_codexgen_generated_imports_into_an_equal_catalog() {
    let w = World::new();
    // The built-in catalog: no providers.yaml in the working folder.
    w.gen_yes_for("0.169.0");
    let imported = import(&w, "0.169.0");
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    // The catalog version comes from codexgen's header, so no header changes.
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("providers.yaml"))
            .unwrap();
    let version = shipped
        .lines()
        .find_map(|l| l.strip_prefix("version: "))
        .unwrap();
    assert!(
        catalog.contains(&format!("version: {version}\n")),
        "{catalog}"
    );
    let (code, check) = gen_with(&w, &imported, "0.169.0", &["--check"]);
    assert_eq!(code, 0, "{check}");
    assert!(check.starts_with("in sync: "), "{check}");
}

/// Headers whose name says they carry a credential, whatever the value
/// looks like (a short password, a word): Google's `x-goog-api-key`,
/// Azure APIM's `Ocp-Apim-Subscription-Key`, `X-Auth-Token`, `Cookie`. The
/// class the `Authorization` and `api-key` headers belong to: never copied,
/// never printed, replaced by a variable each.
#[test]
fn every_header_named_for_a_credential_becomes_a_variable_and_is_never_printed() {
    let w = World::new();
    std::fs::write(
        w.home.join("config.toml"),
        "model = \"m\"\nmodel_provider = \"gw\"\n\n[model_providers.gw]\nname = \"Gateway\"\nbase_url = \"https://gw.example/v1\"\nwire_api = \"responses\"\nhttp_headers = { \"x-goog-api-key\" = \"pass-one-word\", \"Ocp-Apim-Subscription-Key\" = \"pass-two-word\", \"X-Auth-Token\" = \"pass-three-word\", \"Cookie\" = \"sid=pass-four-word\", \"X-Title\" = \"Mine\" }\n",
    )
    .unwrap();
    let secrets = [
        "pass-one-word",
        "pass-two-word",
        "pass-three-word",
        "pass-four-word",
    ];
    let out = w
        .cmd()
        .args(["--codex-version", "0.169.0", "import"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    for text in [&stdout, &stderr] {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} leaked:\n{text}");
        }
    }
    for (header, var) in [
        ("x-goog-api-key", "GW_X_GOOG_API_KEY"),
        ("Ocp-Apim-Subscription-Key", "GW_OCP_APIM_SUBSCRIPTION_KEY"),
        ("X-Auth-Token", "GW_X_AUTH_TOKEN"),
        ("Cookie", "GW_COOKIE"),
    ] {
        assert!(
            stdout.contains(&format!("{header}: {var}")),
            "{header}:\n{stdout}"
        );
        assert!(stderr.contains(&format!("set {var}")), "{var}:\n{stderr}");
    }
}

/// A `base_url` with a password before the host and a query string is
/// refused, and the refusal shows neither.
#[test]
fn a_refused_base_url_shows_no_password() {
    let w = World::new();
    std::fs::write(
        w.home.join("config.toml"),
        "model = \"m\"\nmodel_provider = \"gw\"\n\n[model_providers.gw]\nname = \"Gateway\"\nbase_url = \"https://alice:pass-five-word@gw.example/v1?api-key=pass-six-word\"\n",
    )
    .unwrap();
    let before = snapshot_dir(&w.root);
    let out = w
        .cmd()
        .args(["--codex-version", "0.169.0", "import"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    for secret in ["pass-five-word", "pass-six-word"] {
        assert!(!stderr.contains(secret), "{secret} leaked:\n{stderr}");
    }
    assert!(snapshot_dir(&w.root) == before);
}

/// A `base_url` with a trailing slash: Codex drops the slash itself
/// (measured: 0.89.0, 0.133.0 and 0.169.0 send `.../v1/` requests to
/// `.../v1/responses`), so the catalog takes it and import keeps it: the
/// home is in sync right after import, and `gen` leaves the line alone.
#[test]
fn a_trailing_slash_on_base_url_is_imported_as_it_is() {
    let w = World::new();
    let config = "model = \"m\"\nmodel_provider = \"gw\"\n\n[model_providers.gw]\nname = \"Gateway\"\nbase_url = \"https://gw.example/v1//\"   # mine\nwire_api = \"responses\"\n";
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    let imported = import(&w, "0.169.0");
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    assert!(
        catalog.contains("    base_url: https://gw.example/v1//\n"),
        "{catalog}"
    );
    // config.toml is in sync; only the default's new profile file is not.
    let (_, check) = gen_with(&w, &imported, "0.169.0", &["--check"]);
    assert!(
        check.contains("config.toml: in sync;") && check.contains("gw.config.toml: missing"),
        "{check}"
    );
    let (code, _) = gen_with(&w, &imported, "0.169.0", &["--yes"]);
    assert_eq!(code, 0);
    let written = std::fs::read_to_string(w.home.join("config.toml")).unwrap();
    assert!(
        written.contains("base_url = \"https://gw.example/v1//\"   # mine\n"),
        "{written}"
    );
}

/// An `env_key` that holds something other than a variable name (a key
/// pasted where its variable's name belongs, but not shaped like one codexgen
/// recognises) is a literal credential like any other: never copied, never
/// printed, replaced by a variable.
#[test]
fn an_env_key_holding_a_value_becomes_a_variable_and_is_never_printed() {
    let w = World::new();
    std::fs::write(
        w.home.join("config.toml"),
        "model = \"m\"\nmodel_provider = \"gw\"\n\n[model_providers.gw]\nname = \"Gateway\"\nbase_url = \"https://gw.example/v1\"\nenv_key = \"my-pass-word\"\nwire_api = \"responses\"\n",
    )
    .unwrap();
    let out = w
        .cmd()
        .args(["--codex-version", "0.169.0", "import"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains("pass-word"), "the value leaked:\n{text}");
    }
    assert!(stdout.contains("    env_key: GW_API_KEY\n"), "{stdout}");
    assert!(stderr.contains("set GW_API_KEY to that value"), "{stderr}");
    // gen then puts the name where the value was, and shows neither the
    // old line nor the note about it with the value.
    let imported = import(&w, "0.169.0");
    let (code, diff) = gen_with(&w, &imported, "0.169.0", &["--diff"]);
    assert_eq!(code, 0, "{diff}");
    assert!(diff.contains("+env_key = \"GW_API_KEY\""), "{diff}");
    assert!(!diff.contains("pass-word"), "the value leaked:\n{diff}");
}

/// A literal credential header that `env_http_headers` already sends from
/// a variable (a move half done): the catalog keeps that one entry, which
/// names the variable to set, instead of a second `api-key` that the YAML
/// could not hold.
#[test]
fn a_credential_header_already_sent_from_a_variable_keeps_that_variable() {
    let w = World::new();
    std::fs::write(
        w.home.join("config.toml"),
        "model = \"m\"\nmodel_provider = \"a\"\n\n[model_providers.a]\nname = \"A\"\nbase_url = \"https://a.example/v1\"\nwire_api = \"responses\"\nhttp_headers = { \"API-Key\" = \"pass-a-word\" }\nenv_http_headers = { \"api-key\" = \"A_KEY_VAR\" }\n",
    )
    .unwrap();
    let out = w
        .cmd()
        .args(["--codex-version", "0.169.0", "import"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("    env_http_headers:\n      api-key: A_KEY_VAR\n"),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("api-key").count() + stdout.matches("API-Key").count(),
        1,
        "{stdout}"
    );
    assert!(
        stderr.contains("its `env_http_headers` already sends `api-key` from A_KEY_VAR; set A_KEY_VAR to that value"),
        "{stderr}"
    );
    assert!(!stdout.contains("pass-a-word") && !stderr.contains("pass-a-word"));
}

/// A home made on Linux can hold profile files the catalog refuses (two
/// names that differ only in case, a name starting with `-`, a Windows
/// device name) and a provider id starting with `-`: import keeps each in
/// its file, says why, and writes a catalog that loads.
#[test]
fn names_the_catalog_refuses_are_kept_not_imported() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"m\"\nmodel_provider = \"gw\"\n\n[model_providers.gw]\nname = \"GW\"\nbase_url = \"https://gw.example/v1\"\nenv_key = \"GW_API_KEY\"\n\n[model_providers.-odd]\nname = \"Odd\"\nbase_url = \"https://odd.example/v1\"\n",
    );
    for name in ["Fast", "fast", "-x", "aux"] {
        w.file(
            &format!("codex-home/{name}.config.toml"),
            "model = \"m2\"\nmodel_provider = \"gw\"\n",
        );
    }
    let imported = import(&w, "0.169.0");
    let err = &imported.stderr;
    for kept in [
        "kept in fast.config.toml, not imported: the whole file (its name differs from `Fast` only in case: one file on macOS and Windows)",
        "kept in -x.config.toml, not imported: the whole file (its name starts with -, which a command line reads as an option)",
        "kept in aux.config.toml, not imported: the whole file (its name is a device name on Windows)",
        "[model_providers.-odd] (its id starts with -, which a command line reads as an option)",
    ] {
        assert!(err.contains(kept), "expected {kept:?} in:\n{err}");
    }
    w.cmd()
        .arg("--catalog")
        .arg(&imported.catalog)
        .arg("validate")
        .assert()
        .success();
}

/// A profile key the target Codex does not read yet (`personality` before
/// 0.94.0) is kept in the file, not imported: gen would refuse it.
#[test]
fn a_profile_key_older_codex_does_not_read_is_kept_not_imported() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"m\"\nmodel_provider = \"openai\"\n\n[profiles.p]\nmodel = \"m\"\nmodel_provider = \"openai\"\npersonality = \"pragmatic\"\nmodel_verbosity = \"low\"\n",
    );
    let imported = import(&w, "0.93.0");
    assert!(
        imported.stderr.contains(
            "profiles.p.personality (Codex 0.93.0 does not read it; Codex 0.94.0 and newer do)"
        ),
        "{}",
        imported.stderr
    );
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    assert!(!catalog.contains("personality"), "{catalog}");
    assert!(catalog.contains("model_verbosity: low"), "{catalog}");
    // `p` is the default: gen adds its `model_verbosity` at config.toml's
    // top level (issue 22), and that is all it changes.
    assert!(
        imported
            .stderr
            .contains("the default profile `p`'s `model_verbosity` are written at the top level"),
        "{}",
        imported.stderr
    );
    let (code, out) = gen_with(&w, &imported, "0.93.0", &["--check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("config.toml: out of date"), "{out}");
    std::fs::remove_file(&imported.catalog).unwrap();
    let again = import(&w, "0.94.0");
    let catalog = std::fs::read_to_string(&again.catalog).unwrap();
    assert!(catalog.contains("personality: pragmatic"), "{catalog}");
}

/// The model-metadata keys of a profile file are imported as numbers and
/// come back the same from gen; the keys Codex ignores are kept, not
/// imported, with the reason.
#[test]
fn model_metadata_keys_round_trip_and_ignored_ones_are_kept() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"kimi-k2\"\nmodel_provider = \"openai\"\n",
    );
    let profile = "model = \"kimi-k2\"\nmodel_provider = \"openai\"\nmodel_context_window = 131072\nmodel_auto_compact_token_limit = 100000\ntool_output_token_limit = 12000\nmodel_auto_compact_token_limit_scope = \"total\"\nmodel_post_turn_compact_threshold_percent = 80\nmodel_max_output_tokens = 4096\n";
    w.file("codex-home/kimi.config.toml", profile);
    let imported = import(&w, "0.171.0");
    assert!(
        imported
            .stderr
            .contains("model_max_output_tokens (Codex does not read it)"),
        "{}",
        imported.stderr
    );
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    for line in [
        "    model_context_window: 131072\n",
        "    model_auto_compact_token_limit: 100000\n",
        "    tool_output_token_limit: 12000\n",
        "    model_auto_compact_token_limit_scope: total\n",
        "    model_post_turn_compact_threshold_percent: 80\n",
    ] {
        assert!(catalog.contains(line), "{line:?} in:\n{catalog}");
    }
    assert!(!catalog.contains("model_max_output_tokens"), "{catalog}");
    // `kimi` is the default: gen also writes its settings at config.toml's
    // top level (issue 22); its own file stays as it is.
    let (code, out) = gen_with(&w, &imported, "0.171.0", &["--check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("config.toml: out of date"), "{out}");
    assert!(out.contains("kimi.config.toml: in sync"), "{out}");
    assert_eq!(w.read("kimi.config.toml"), profile);
}

/// A home on Codex's built-in `gcp`: the profile is imported on it, and so
/// is the table, whose keys are all ones Codex lets it change; gen writes
/// it back the same. A table with a key Codex does not let it change (for
/// the target) stays the user's, whole, with the reason: the same for
/// Bedrock's, down to a key of `aws`.
#[test]
fn a_gcp_home_imports_its_profile_and_its_table() {
    let w = World::new();
    let config = "model = \"openai.gpt-oss-120b\"\nmodel_provider = \"gcp\"\n\n[model_providers.gcp]\nproject_id = \"my-project\"\nlocation = \"us-central1\"\n";
    w.file("codex-home/config.toml", config);
    let imported = import(&w, "0.171.0");
    assert!(!imported.stderr.contains("kept in"), "{}", imported.stderr);
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    assert!(catalog.contains("provider: gcp"), "{catalog}");
    assert!(
        catalog.contains("  gcp:\n    project_id: my-project\n    location: us-central1\n"),
        "{catalog}"
    );
    // Out of date only for the profile file import adds for the default.
    let (code, out) = gen_with(&w, &imported, "0.171.0", &["--check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(".config.toml: missing, would be created"),
        "{out}"
    );
    assert!(!out.contains("config.toml: would change"), "{out}");
    let (code, _) = gen_with(&w, &imported, "0.171.0", &["--yes"]);
    assert_eq!(code, 0);
    assert!(
        w.read("config.toml")
            .contains("project_id = \"my-project\"")
    );

    for (version, table, why) in [
        (
            "0.165.0",
            "[model_providers.gcp]\nproject_id = \"my-project\"\n",
            "[model_providers.gcp] (Codex's built-in Google Cloud provider, as you set it up; `project_id`: Codex 0.165.0 lets this table change only base_url, http_headers, auth)",
        ),
        (
            "0.171.0",
            "[model_providers.gcp]\nname = \"GCP\"\n",
            "; `name`: Codex 0.171.0 lets this table change only base_url, http_headers, auth, project_id, location, credential_file)",
        ),
        (
            "0.150.0",
            "[model_providers.amazon-bedrock.aws]\nprofile = \"dev\"\ncredential_export = { command = \"x\" }\n",
            "[model_providers.amazon-bedrock] (Codex's built-in Amazon Bedrock provider, as you set it up; `aws.credential_export`: Codex 0.150.0 lets this table change only base_url, http_headers, auth, aws.profile, aws.region, aws.auth_refresh)",
        ),
        (
            "0.171.0",
            "[model_providers.gcp]\nhttp_headers = { Authorization = \"Bearer sk-proj-a1b2c3d4e5f6g7h8i9j0k1l2m3n4\" }\n",
            "[model_providers.gcp] (Codex's built-in Google Cloud provider, as you set it up; `http_headers` holds a literal credential)",
        ),
    ] {
        let w = World::new();
        let provider = if table.contains("gcp") {
            "gcp"
        } else {
            "amazon-bedrock"
        };
        let config = format!("model = \"m\"\nmodel_provider = \"{provider}\"\n\n{table}");
        w.file("codex-home/config.toml", &config);
        let imported = import(&w, version);
        assert!(
            imported.stderr.contains(why),
            "{version} {table}:\n{}",
            imported.stderr
        );
        let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
        assert!(catalog.contains("providers: {}"), "{catalog}");
        assert!(!imported.stderr.contains("a1b2c3") && !catalog.contains("a1b2c3"));
    }
}

/// A provider's `[capabilities]` is imported into the catalog and comes
/// back the same from gen.
#[test]
fn provider_capabilities_round_trip() {
    let w = World::new();
    let config = "model = \"m\"\nmodel_provider = \"corp\"\n\n[model_providers.corp]\nname = \"Corp\"\nbase_url = \"https://llm.corp.example/v1\"\nenv_key = \"CORP_API_KEY\"\nwire_api = \"responses\"\n\n[model_providers.corp.capabilities]\nremote_compaction = \"unsupported\"\nexternal_web_access = false\n";
    w.file("codex-home/config.toml", config);
    let imported = import(&w, "0.171.0");
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    assert!(catalog.contains("    capabilities:\n"), "{catalog}");
    assert!(
        catalog.contains("remote_compaction: unsupported"),
        "{catalog}"
    );
    let (code, out) = gen_with(&w, &imported, "0.171.0", &["--yes"]);
    assert_eq!(code, 0, "{out}");
    let written = w.read("config.toml");
    assert!(
        written.contains(
            "[model_providers.corp.capabilities]\nremote_compaction = \"unsupported\"\nexternal_web_access = false\n"
        ),
        "{written}"
    );
}

/// One key to set: its path from the provider or profile (`auth.args`) and
/// the values of its top key to try (the path's value, with the keys its
/// table requires).
struct KeyCase {
    path: String,
    top: String,
    values: Vec<Value>,
}

/// Every key of the table `def` (a `$defs` entry of the schema) a catalog
/// can set, with a table of its own walked key by key.
fn key_cases(def: &Value, defs: &Value) -> Vec<KeyCase> {
    let mut cases = Vec::new();
    let properties = def["properties"].as_object().expect("properties");
    for (key, property) in properties {
        // Keys codexgen does not know: import never guesses one is meant.
        // A map of named tables (a profile's `mcp_servers`) names entries
        // of another part of the catalog, and import does not bring it
        // back yet: tests/it/mcp.rs holds it.
        if key == "unchecked" || property["additionalProperties"].get("$ref").is_some() {
            continue;
        }
        if let Some(samples) = kind_samples(property) {
            cases.push(KeyCase {
                path: key.clone(),
                top: key.clone(),
                values: samples,
            });
            continue;
        }
        let name = property["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .expect("a $ref to $defs");
        let table = &defs[name];
        // The keys the table requires: every combination of their samples.
        let mut required = vec![serde_json::Map::new()];
        for r in table["required"].as_array().expect("required") {
            let r = r.as_str().expect("a key");
            let samples = kind_samples(&table["properties"][r]).expect("a plain key");
            required = required
                .iter()
                .flat_map(|object| {
                    samples.iter().map(move |v| {
                        let mut object = object.clone();
                        object.insert(r.to_owned(), v.clone());
                        object
                    })
                })
                .collect();
        }
        if required.iter().any(|o| !o.is_empty()) {
            cases.push(KeyCase {
                path: key.clone(),
                top: key.clone(),
                values: required.iter().cloned().map(Value::Object).collect(),
            });
        }
        for inner in key_cases(table, defs) {
            let values = inner
                .values
                .iter()
                .flat_map(|v| {
                    required.iter().map(|object| {
                        let mut object = object.clone();
                        object.insert(inner.top.clone(), v.clone());
                        Value::Object(object)
                    })
                })
                .collect();
            cases.push(KeyCase {
                path: format!("{key}.{}", inner.path),
                top: key.clone(),
                values,
            });
        }
    }
    cases
}

/// A catalog's value with codexgen's defaults written out: a provider of
/// the catalog's own without `name` is named by its id, without `wire_api`
/// speaks `responses` (import reads both back from what gen wrote).
fn with_defaults(mut catalog: Value) -> Value {
    if let Some(providers) = catalog["providers"].as_object_mut() {
        for (id, p) in providers.iter_mut() {
            if matches!(id.as_str(), "gcp" | "amazon-bedrock") {
                continue;
            }
            let p = p.as_object_mut().expect("a provider");
            p.entry("name").or_insert_with(|| json!(id));
            p.entry("wire_api").or_insert_with(|| json!("responses"));
        }
    }
    catalog
}

/// Every entry of the key tables (`catalog::keys`, walked through the
/// schema derived from them: provider, profile, `auth`, `aws`, its
/// commands, `capabilities`) round-trips: a catalog that sets it to a
/// sample of its kind, `gen --yes` for Codex 0.171.0 into a fresh home
/// (on a provider of the catalog's own, else on the built-in `gcp` or
/// `amazon-bedrock` table that reads it), then `import`, gives back the
/// same catalog. A key added to a table is tested here with no edit.
#[test]
fn every_key_table_entry_round_trips_through_gen_and_import() {
    const VERSION: &str = "0.171.0";
    let schema = key_tables();
    let defs = &schema["$defs"];
    let base = json!({
        "schema": 1,
        "version": "rt-1",
        "default": "p",
        "providers": { "corp": { "base_url": "https://corp.example/v1" } },
        "profiles": { "p": { "provider": "corp", "model": "m-1" } },
    });
    let mut cases: Vec<(&str, KeyCase)> = key_cases(&defs["provider"], defs)
        .into_iter()
        .map(|c| ("provider", c))
        .collect();
    cases.extend(
        key_cases(&defs["profile"], defs)
            .into_iter()
            .map(|c| ("profile", c)),
    );
    assert!(cases.len() >= 40, "only {} keys walked", cases.len());
    let mut checked = Vec::new();
    for (place, case) in &cases {
        // The first place and value gen accepts for this key.
        let mut tries = Vec::new();
        let places: &[&str] = if *place == "provider" {
            &["corp", "gcp", "amazon-bedrock"]
        } else {
            &["p"]
        };
        for at in places {
            for value in &case.values {
                let mut catalog = base.clone();
                let table = if *place == "provider" {
                    &mut catalog["providers"][*at]
                } else {
                    &mut catalog["profiles"][*at]
                };
                if table.is_null() {
                    *table = json!({});
                }
                table[&case.top] = value.clone();
                tries.push(catalog);
            }
        }
        let mut accepted = None;
        let mut refusals = String::new();
        for catalog in tries {
            let w = World::new();
            // JSON is YAML: the catalog loader reads it as it is.
            let path = w.catalog(&catalog.to_string());
            let out = w.run_catalog(VERSION, &path, &["gen", "--yes"]);
            if out.status.success() {
                accepted = Some((w, catalog));
                break;
            }
            refusals.push_str(&String::from_utf8_lossy(&out.stderr));
        }
        let Some((w, catalog)) = accepted else {
            panic!("`{}`: gen refused every sample:\n{refusals}", case.path);
        };
        let imported = import(&w, VERSION);
        assert!(
            !imported.stderr.contains("kept in"),
            "`{}` was not imported:\n{}",
            case.path,
            imported.stderr
        );
        let text = std::fs::read_to_string(&imported.catalog).expect("imported catalog");
        assert_eq!(
            catalog_value(&text),
            with_defaults(catalog.clone()),
            "`{}` did not round-trip; the catalog was {catalog}, import made:\n{text}",
            case.path
        );
        checked.push(case.path.clone());
    }
    // The built-ins' own keys were reached too.
    for key in [
        "aws.profile",
        "aws.credential_export.command",
        "project_id",
        "capabilities.remote_compaction",
        "model_context_window",
    ] {
        assert!(
            checked.iter().any(|c| c == key),
            "{key} not walked: {checked:?}"
        );
    }
}

/// A provider key older than the target's release that reads it, and a
/// table of a provider's own with a key the catalog does not know, stay in
/// the file with the reason; the rest imports, and gen leaves them alone.
#[test]
fn provider_keys_the_target_does_not_read_are_kept_not_imported() {
    let w = World::new();
    let config = "model = \"m\"\nmodel_provider = \"corp\"\n\n[model_providers.corp]\nname = \"Corp\"\nbase_url = \"https://llm.corp.example/v1\"\nwire_api = \"responses\"\nmodel_catalog_url = \"https://llm.corp.example/v1/models\"\n\n[model_providers.corp.auth]\ncommand = \"op\"\nflavour = \"x\"\n";
    w.file("codex-home/config.toml", config);
    let imported = import(&w, "0.155.0");
    for kept in [
        "model_providers.corp.model_catalog_url (Codex 0.155.0 does not read it; Codex 0.156.0 and newer do)",
        "model_providers.corp.auth (`flavour`: no catalog key)",
    ] {
        assert!(
            imported.stderr.contains(kept),
            "{kept}:\n{}",
            imported.stderr
        );
    }
    let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
    assert!(!catalog.contains("model_catalog_url"), "{catalog}");
    assert!(!catalog.contains("auth"), "{catalog}");
    let (code, out) = gen_with(&w, &imported, "0.155.0", &["--yes"]);
    assert_eq!(code, 0, "{out}");
    assert!(keeps_every_line(
        config.as_bytes(),
        w.read("config.toml").as_bytes()
    ));
}

/// Keys codexgen wrote from `unchecked` (no key table knows them), at
/// config.toml's top level, in a table of their own, in a profile file and
/// in a legacy `[profiles.NAME]` table, come back as `unchecked` where they
/// were, so `gen` with the imported catalog removes none of them (as import
/// says); a key codexgen did not write stays the user's, kept.
#[test]
fn keys_codexgen_wrote_unchecked_come_back_as_unchecked() {
    for version in ["0.169.0", "0.133.0"] {
        let w = World::new();
        w.catalog(
            &(crate::support::CATALOG.replace(
                "    model: alpha-1\n",
                "    model: alpha-1\n    unchecked: {afoo: y}\n",
            )
            .replace(
                "    model_reasoning_effort: high\n",
                "    model_reasoning_effort: high\n    unchecked: {pfoo: x, ptbl: {b: [p, q]}}\n",
            ) + "settings:\n  unchecked: {foo_new: 1, tbl_new: {a: 1, deep: {c: true}}}\n"),
        );
        w.cmd()
            .args(["--codex-version", version, "gen", "--yes"])
            .assert()
            .success();
        // The user's own: a key at the top, and one in codexgen's table.
        let config = w.home.join("config.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        let text = text.replacen("[tbl_new]\n", "[tbl_new]\nmine = 2\n", 1);
        let body = text.find("\nmodel = ").expect("the top-level model") + 1;
        let text = format!("{}user_top = 3\n{}", &text[..body], &text[body..]);
        std::fs::write(&config, text).unwrap();
        let imported = import(&w, version);
        assert!(
            imported.stderr.contains("changes no managed value"),
            "{version}: {}",
            imported.stderr
        );
        let catalog = std::fs::read_to_string(&imported.catalog).unwrap();
        assert!(
            !catalog.contains("user_top") && !catalog.contains("mine"),
            "{catalog}"
        );
        let (_, diff) = gen_with(&w, &imported, version, &["--diff"]);
        let (code, check) = gen_with(&w, &imported, version, &["--check"]);
        assert_eq!(code, 0, "{version}: {check}\n{diff}\n{catalog}");
        assert!(
            !diff
                .lines()
                .any(|l| l.starts_with('-') && !l.starts_with("---")),
            "{version}: {diff}"
        );
        let after = std::fs::read_to_string(&config).unwrap();
        assert!(
            after.contains("user_top = 3\n") && after.contains("mine = 2\n"),
            "{after}"
        );
    }
}

/// A value codexgen wrote that import keeps (here a key older than the
/// target's release that reads it) is removed by `gen` with the imported
/// catalog: import says so, naming it, instead of "changes no managed value".
#[test]
fn a_written_value_import_keeps_is_said_to_be_removed() {
    let w = World::new();
    w.catalog(
        &(crate::support::CATALOG.to_owned()
            + "settings:\n  model_post_turn_compact_threshold_percent: 80\n"),
    );
    w.gen_yes_for("0.169.0");
    let imported = import(&w, "0.133.0");
    assert!(
        imported.stderr.contains(
            "config.toml: `model_post_turn_compact_threshold_percent` (codexgen wrote them; the imported catalog does not) are removed"
        ),
        "{}",
        imported.stderr
    );
    let (_, diff) = gen_with(&w, &imported, "0.133.0", &["--diff"]);
    assert!(
        diff.contains("-model_post_turn_compact_threshold_percent = 80"),
        "{diff}"
    );
}

/// Instructions Codex reads over several lines (`developer_instructions`,
/// prose in the key table) come back as they are: import once stopped on
/// the newline, though the catalog takes it.
#[test]
fn multi_line_instructions_come_back_as_written() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"m\"\nmodel_provider = \"openai\"\ndeveloper_instructions = \"\"\"\nBe brief.\n\tCite files.\n\"\"\"\n",
    );
    let imported = import(&w, "0.171.0");
    assert!(
        !imported.stderr.contains("developer_instructions"),
        "{}",
        imported.stderr
    );
    let catalog = std::fs::read_to_string(&imported.catalog).expect("the catalog");
    assert!(
        catalog.contains("developer_instructions: \"Be brief.\\n\\tCite files.\\n\""),
        "{catalog}"
    );
    // A control character other than a newline or a tab still stops it.
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"m\"\ndeveloper_instructions = \"a\\u0007b\"\n",
    );
    w.cmd()
        .args(["--codex-version", "0.171.0", "import"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("control character"));
}
