//! End to end: the catalog's `settings` and the default profile's settings reach
//! what the real Codex sends (issue 22).
//!
//! Owns the tests that run plain `codex exec` and `codex -p NAME exec` after
//! `codexgen gen` for a catalog with top-level `settings:` and a default profile
//! that sets `model_reasoning_effort`, and read the effort Codex puts in the request
//! body at the stand-in: 0.171.0 (`CODEX_BIN_0_171_0`, profile files) and 0.133.0
//! (`CODEX_BIN_0_133_0`, legacy `[profiles.NAME]` tables). The stand-in, scratch
//! folders and runners are `e2e`'s.

use std::ffi::OsStr;
use std::path::Path;

use crate::e2e::{
    ALPHA, BETA, KEYS, Run, Scratch, catalog_yaml, codex_bin_from, codexgen, generate_with, report,
};
use crate::stand_in::StandIn;

/// The team's settings: a reasoning effort for every profile that sets none, and
/// tables of their own.
const SETTINGS: &str = "settings:\n  model_reasoning_effort: low\n  approval_policy: never\n  sandbox_workspace_write:\n    network_access: false\n    writable_roots: [/opt/shared]\n  shell_environment_policy:\n    inherit: core\n    exclude: [\"AWS_*\"]\n    set: {PAGER: cat}\n  tui:\n    animations: false\n";

/// The e2e catalog with [`SETTINGS`], and `model_reasoning_effort: high` on the
/// default profile (alpha); beta sets none, and, where a profile reads it (profile
/// files), its model's context window.
fn catalog_with_settings(server: &StandIn, profile_files: bool) -> String {
    let mut base = catalog_yaml(server);
    if profile_files {
        let beta = format!("    model: {}\n", BETA.model);
        assert!(base.contains(&beta), "the e2e catalog names beta's model");
        base = base.replace(&beta, &format!("{beta}    model_context_window: 131072\n"));
    }
    let alpha = format!("    model: {}\n", ALPHA.model);
    assert!(base.contains(&alpha), "the e2e catalog names alpha's model");
    let mut yaml = base.replace(
        &alpha,
        &format!("{alpha}    model_reasoning_effort: high\n"),
    );
    yaml.push_str(SETTINGS);
    yaml
}

/// The reasoning effort of every turn the stand-in saw in `run`, and its model.
fn efforts(run: &Run) -> Vec<(String, String)> {
    let report = report(run);
    assert!(
        run.status.is_some_and(|s| s.success()),
        "codex should succeed\n{report}"
    );
    let turns: Vec<(String, String)> = run
        .requests
        .iter()
        .filter(|r| {
            r.path
                .split('?')
                .next()
                .is_some_and(|p| p.ends_with("/responses"))
        })
        .map(|r| {
            let body: serde_json::Value =
                serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}\n{report}"));
            (
                body["model"].as_str().unwrap_or_default().to_owned(),
                body["reasoning"]["effort"]
                    .as_str()
                    .unwrap_or("<none>")
                    .to_owned(),
            )
        })
        .collect();
    assert!(!turns.is_empty(), "no turn reached the stand-in\n{report}");
    turns
}

fn all(model: &str, effort: &str) -> impl Fn(&(String, String)) -> bool {
    let (model, effort) = (model.to_owned(), effort.to_owned());
    move |(m, e)| *m == model && *e == effort
}

/// `codexgen gen --yes --codex-version VERSION`, then plain `codex exec` runs at the
/// default profile's effort, `codex -p beta` at the team's, and after the overlay
/// makes beta the default, plain `codex exec` runs as beta: alpha's `high` is gone
/// from config.toml.
/// Beta's model context window (0.171.0) loads under `--strict-config`.
/// Codex 0.133.0 sends no reasoning effort to a custom provider (measured: none for
/// `gpt-5` either), so there (`on_the_wire` false) the runs only have to load the
/// files under `--strict-config` and the effort is read from config.toml's tables.
fn settings_reach_codex(codex: &Path, version: &str, on_the_wire: bool) {
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.work.join("providers.yaml");
    std::fs::write(&catalog, catalog_with_settings(&server, on_the_wire))
        .expect("write the catalog");
    let gen_args = [OsStr::new("--codex-version"), OsStr::new(version)];
    generate_with(&scratch.codex_home, &catalog, Some(codex), &gen_args);
    let config =
        std::fs::read_to_string(scratch.codex_home.join("config.toml")).expect("read config.toml");
    for line in [
        "model_reasoning_effort = \"high\"",
        "approval_policy = \"never\"",
        "[sandbox_workspace_write]",
        "writable_roots = [\"/opt/shared\"]",
        "[shell_environment_policy]",
        "exclude = [\"AWS_*\"]",
        "[shell_environment_policy.set]\nPAGER = \"cat\"",
        "[tui]",
    ] {
        assert!(config.contains(line), "config.toml lacks {line}:\n{config}");
    }

    let run = |profile: Option<&str>| {
        let mut args: Vec<&str> = vec!["--strict-config"];
        if let Some(profile) = profile {
            args.extend(["-p", profile]);
        }
        args.extend(["exec", "--skip-git-repo-check", crate::e2e::PROMPT]);
        efforts(&scratch.run_codex_args(codex, &server, &args, &KEYS))
    };
    let expect = |turns: Vec<(String, String)>, model: &str, effort: &str, why: &str| {
        let effort = if on_the_wire { effort } else { "<none>" };
        assert!(turns.iter().all(all(model, effort)), "{why}: {turns:?}");
    };
    expect(
        run(None),
        ALPHA.model,
        "high",
        "plain codex runs as the default profile",
    );
    expect(
        run(Some(BETA.profile)),
        BETA.model,
        "low",
        "-p beta runs at the team's effort, not the default profile's",
    );
    if on_the_wire {
        // The run above loaded it under --strict-config.
        let file = scratch
            .codex_home
            .join(format!("{}.config.toml", BETA.profile));
        let text = std::fs::read_to_string(&file).expect("read beta's profile file");
        assert!(text.contains("model_context_window = 131072\n"), "{text}");
    } else {
        let beta = format!("[profiles.{}]", BETA.profile);
        let table = config
            .split(&beta)
            .nth(1)
            .expect("beta's table")
            .split("\n[")
            .next();
        assert!(
            table.is_some_and(|t| t.contains("model_reasoning_effort = \"low\"")),
            "beta's table holds the team's effort:\n{config}"
        );
    }

    std::fs::write(
        scratch.work.join("providers.local.yaml"),
        format!("schema: 1\ndefault: {}\n", BETA.profile),
    )
    .expect("write the overlay");
    generate_with(&scratch.codex_home, &catalog, Some(codex), &gen_args);
    let config =
        std::fs::read_to_string(scratch.codex_home.join("config.toml")).expect("read config.toml");
    let top = config.split("\n[").next().unwrap_or_default();
    assert!(
        top.contains("model_reasoning_effort = \"low\"") && !top.contains("\"high\""),
        "alpha's effort leaves config.toml's top level with alpha:\n{config}"
    );
    expect(run(None), BETA.model, "low", "plain codex now runs as beta");
}

#[test]
fn codex_0_171_runs_the_default_profiles_settings_and_the_teams() {
    let Some(codex) = codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") else {
        return;
    };
    settings_reach_codex(&codex, "0.171.0", true);
}

#[test]
fn codex_0_133_gets_the_same_settings_in_its_tables() {
    let Some(codex) = codex_bin_from("CODEX_BIN_0_133_0", "0.133.0") else {
        return;
    };
    settings_reach_codex(&codex, "0.133.0", false);
}

/// `gen --verify` has the installed Codex judge the keys the catalog writes
/// unchecked: a key Codex 0.171.0 reads passes, one it does not know is named.
#[test]
fn codex_judges_unchecked_keys_under_verify() {
    let Some(codex) = codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") else {
        return;
    };
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.work.join("providers.yaml");
    // A new key of a known table (`tui.status_line`), and instructions over
    // several lines, load under `--strict-config` too.
    let known = format!(
        "{}settings:\n  developer_instructions: \"Be brief.\\n\\tRun the tests.\"\n  tui:\n    animations: false\n    unchecked:\n      status_line: [model]\n      alternate_screen: never\n  unchecked:\n    suppress_unstable_features_warning: true\n",
        catalog_yaml(&server)
    );
    std::fs::write(&catalog, &known).expect("write the catalog");
    let verify = [
        OsStr::new("--codex-version"),
        OsStr::new("0.171.0"),
        OsStr::new("--verify"),
        OsStr::new("--yes"),
    ];
    let run = codexgen(&scratch.codex_home, &catalog, Some(&codex), &verify);
    assert!(run.status.is_some_and(|s| s.success()), "{}", run.stderr);
    assert!(
        run.stderr.contains("knows every key of the planned files"),
        "{}",
        run.stderr
    );
    std::fs::write(&catalog, format!("{known}    not_a_codex_key_x: 1\n"))
        .expect("write the catalog");
    let run = codexgen(&scratch.codex_home, &catalog, Some(&codex), &verify);
    assert!(
        run.stderr
            .contains("Codex 0.171.0 does not know `not_a_codex_key_x` in config.toml"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("the catalog writes it from `unchecked`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("codexgen bug"), "{}", run.stderr);
}

/// Codex 0.133.0's `[profiles.NAME.tui]` refuses the whole config.toml for a
/// key it does not read: gen refuses a profile's `tui` keys for it, and what
/// it writes (a profile's `tools.web_search`, the team's `tui`) loads.
#[test]
fn codex_0_133_loads_the_table_keys_a_legacy_profile_takes() {
    let Some(codex) = codex_bin_from("CODEX_BIN_0_133_0", "0.133.0") else {
        return;
    };
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.work.join("providers.yaml");
    let base = catalog_yaml(&server);
    let beta = format!(
        "  {}:\n    provider: {}\n    model: {}\n",
        BETA.profile, BETA.provider, BETA.model
    );
    assert!(base.contains(&beta), "{base}");
    let verify = [
        OsStr::new("--codex-version"),
        OsStr::new("0.133.0"),
        OsStr::new("--verify"),
        OsStr::new("--yes"),
    ];
    let refused = base.replace(&beta, &format!("{beta}    tui: {{animations: false}}\n"));
    std::fs::write(&catalog, &refused).expect("write the catalog");
    let run = codexgen(&scratch.codex_home, &catalog, Some(&codex), &verify);
    assert_eq!(run.status.and_then(|s| s.code()), Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("`tui.animations` of profile"),
        "{}",
        run.stderr
    );
    let written = base.replace(&beta, &format!("{beta}    tools: {{web_search: true}}\n"))
        + "settings:\n  tui: {animations: false}\n";
    std::fs::write(&catalog, &written).expect("write the catalog");
    let run = codexgen(&scratch.codex_home, &catalog, Some(&codex), &verify);
    assert!(run.status.is_some_and(|s| s.success()), "{}", run.stderr);
    let config =
        std::fs::read_to_string(scratch.codex_home.join("config.toml")).expect("read config.toml");
    assert!(config.contains("web_search = true"), "{config}");
}

/// Codex 0.171.0 lays a profile file over config.toml leaf by leaf: a
/// `writable_roots` the default profile sets inside `sandbox_workspace_write`
/// would reach `codex -p beta`, which sets only `network_access` there. gen
/// gives beta the team's value of that leaf; what Codex puts in the prompt
/// shows it.
#[test]
fn codex_0_171_runs_a_profile_with_the_teams_leaf_not_the_defaults() {
    let Some(codex) = codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") else {
        return;
    };
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.work.join("providers.yaml");
    let alpha = format!("    model: {}\n", ALPHA.model);
    let beta = format!("    model: {}\n", BETA.model);
    let base = catalog_yaml(&server);
    assert!(base.contains(&alpha), "the e2e catalog names alpha's model");
    assert!(base.contains(&beta), "the e2e catalog names beta's model");
    let yaml = base
        .replace(
            &beta,
            &format!("{beta}    sandbox_workspace_write: {{network_access: true}}\n"),
        )
        .replace(
            &alpha,
            &format!("{alpha}    sandbox_workspace_write: {{writable_roots: [/opt/p-only]}}\n"),
        )
        + "settings:\n  sandbox_mode: workspace-write\n  sandbox_workspace_write: {network_access: false, writable_roots: [/opt/team]}\n";
    std::fs::write(&catalog, yaml).expect("write the catalog");
    let gen_args = [OsStr::new("--codex-version"), OsStr::new("0.171.0")];
    generate_with(&scratch.codex_home, &catalog, Some(&codex), &gen_args);
    let prompt = |profile: Option<&str>| {
        let mut args: Vec<&str> = Vec::new();
        if let Some(profile) = profile {
            args.extend(["-p", profile]);
        }
        args.extend(["debug", "prompt-input", "hi"]);
        let run = scratch.run_codex_args(&codex, &server, &args, &KEYS);
        assert!(run.status.is_some_and(|s| s.success()), "{}", run.stderr);
        run.stdout
    };
    let plain = prompt(None);
    assert!(plain.contains("/opt/p-only"), "{plain}");
    let beta = prompt(Some(BETA.profile));
    assert!(
        beta.contains("/opt/team") && !beta.contains("/opt/p-only"),
        "{beta}"
    );
}
