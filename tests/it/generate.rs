//! `codexgen gen` against a scratch Codex home: ownership, removal, drift,
//! symlinks, modes, in-sync runs, exit codes and refusals.

use std::time::{Duration, SystemTime};

use predicates::prelude::*;
use predicates::str::contains;

use crate::support::{CATALOG, World, snapshot_dir};

const HEADER: &str = "# codexgen: generated from catalog version t1; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n";

#[test]
fn unmanaged_content_survives_byte_for_byte() {
    let w = World::new();
    w.catalog(CATALOG);
    let original = "\
# My Codex settings, kept by hand.
approval_policy = \"on-request\"   # I like to be asked
unknown_future_key = [1, 2,   3]

[projects.\"/home/me/src/app\"]
trust_level = \"trusted\"

[mcp_servers.docs]
command = 'npx'      # inline comment
args = [\"-y\", \"@acme/docs\"]

[notice]
hide_full_access_warning = true

[tui]
animations = false
";
    w.file("codex-home/config.toml", original);
    w.gen_yes();
    let expected = format!(
        "{HEADER}\
# My Codex settings, kept by hand.
approval_policy = \"on-request\"   # I like to be asked
unknown_future_key = [1, 2,   3]
model = \"alpha-1\"
model_provider = \"alpha-p\"

[projects.\"/home/me/src/app\"]
trust_level = \"trusted\"

[mcp_servers.docs]
command = 'npx'      # inline comment
args = [\"-y\", \"@acme/docs\"]

[notice]
hide_full_access_warning = true

[tui]
animations = false

[model_providers.alpha-p]
name = \"Alpha\"
base_url = \"https://alpha.example/v1\"
env_key = \"ALPHA_API_KEY\"
wire_api = \"responses\"

[model_providers.beta-p]
name = \"Beta\"
base_url = \"https://beta.example/openai/v1\"
env_key = \"BETA_API_KEY\"
wire_api = \"responses\"
query_params = {{ api-version = \"2025-04-01-preview\" }}
"
    );
    assert_eq!(w.read("config.toml"), expected);
    assert_eq!(
        w.read("beta.config.toml"),
        format!(
            "{HEADER}model = \"beta-2\"\nmodel_provider = \"beta-p\"\nmodel_reasoning_effort = \"high\"\n"
        )
    );
    // A second run changes nothing.
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .success()
        .stdout(contains("in sync"));
}

#[test]
fn removed_providers_and_profiles_disappear_but_foreign_files_stay() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/gamma.config.toml", "model = \"mine\"\n");
    w.gen_yes();
    assert!(w.exists("beta.config.toml"));
    let without_beta = CATALOG
        .replace("  beta-p:\n    name: Beta\n    base_url: https://beta.example/openai/v1\n    env_key: BETA_API_KEY\n    query_params: {api-version: \"2025-04-01-preview\"}\n", "")
        .replace("  beta:\n    provider: beta-p\n    model: beta-2\n    model_reasoning_effort: high\n", "");
    w.catalog(&without_beta);
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains("--- a/beta.config.toml\n+++ /dev/null"))
        .stdout(contains("-[model_providers.beta-p]"));
    w.gen_yes();
    assert!(!w.exists("beta.config.toml"));
    assert!(!w.read("config.toml").contains("beta"));
    assert_eq!(w.read("gamma.config.toml"), "model = \"mine\"\n");
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
fn a_profile_file_with_foreign_keys_loses_only_ours() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let beta = w.read("beta.config.toml");
    std::fs::write(
        w.home.join("beta.config.toml"),
        format!("{beta}sandbox_mode = \"read-only\"\n"),
    )
    .unwrap();
    w.catalog(&CATALOG.replace(
        "  beta:\n    provider: beta-p\n    model: beta-2\n    model_reasoning_effort: high\n",
        "",
    ));
    w.gen_yes();
    assert_eq!(w.read("beta.config.toml"), "sandbox_mode = \"read-only\"\n");
}

#[test]
fn hand_edits_to_managed_values_are_reported_as_drift() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let config = w
        .read("config.toml")
        .replace("model = \"alpha-1\"", "model = \"picked-in-tui\"");
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains("drift: config.toml: `model` was set to \"picked-in-tui\" by hand (codexgen wrote \"alpha-1\"); would be overwritten with the catalog's value"))
        .stdout(contains("-model = \"picked-in-tui\"\n+model = \"alpha-1\""));
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains(
            "config.toml: out of date (1 managed value(s) edited by hand)",
        ));
    // A writing run says what it will do before, and what it did after
    // (without `--overwrite`, a run nobody answers stops: see `writers`).
    w.cmd()
        .args(["gen", "--yes", "--overwrite"])
        .assert()
        .success()
        .stdout(contains(
            "(codexgen wrote \"alpha-1\"); will be overwritten with the catalog's value",
        ))
        .stderr(contains(
            "drift: config.toml: `model` overwritten with the catalog's value\n",
        ));
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
}

#[test]
fn check_exits_1_when_out_of_date_and_0_when_in_sync() {
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains("config.toml: missing, would be created"))
        .stdout(contains("3 file(s) out of date"));
    assert!(snapshot_dir(&w.home).is_empty(), "--check wrote something");
    w.gen_yes();
    w.cmd().args(["gen", "--check"]).assert().code(0);
}

#[test]
fn diff_writes_nothing_and_is_plain_when_piped() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", "[tui]\nx = 1\n");
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains("--- a/config.toml\n+++ b/config.toml\n@@"))
        .stdout(contains("+model = \"alpha-1\""))
        .stdout(contains("\u{1b}[").not());
    assert_eq!(snapshot_dir(&w.root), before);
    w.cmd()
        .args(["gen", "--diff", "--color", "always"])
        .assert()
        .success()
        .stdout(contains("\u{1b}[32m+model"));
}

#[test]
fn in_sync_run_does_not_rewrite_files() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let old = SystemTime::now() - Duration::from_secs(3600);
    for name in ["config.toml", "alpha.config.toml"] {
        std::fs::File::options()
            .write(true)
            .open(w.home.join(name))
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("nothing to change"));
    for name in ["config.toml", "alpha.config.toml"] {
        let mtime = std::fs::metadata(w.home.join(name))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(mtime, old, "{name} was rewritten");
    }
}

#[cfg(unix)]
#[test]
fn file_mode_is_kept_and_new_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    w.catalog(CATALOG);
    let config = w.file("codex-home/config.toml", "[tui]\nx = 1\n");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    w.gen_yes();
    let mode = |name: &str| {
        std::fs::metadata(w.home.join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("config.toml"), 0o640);
    assert_eq!(mode("alpha.config.toml"), 0o600);
}

#[cfg(unix)]
#[test]
fn symlinked_config_stays_a_link_and_its_target_is_written() {
    let w = World::new();
    w.catalog(CATALOG);
    let target = w.file("dotfiles/codex/config.toml", "[tui]\nx = 1\n");
    std::os::unix::fs::symlink(&target, w.home.join("config.toml")).unwrap();
    w.gen_yes();
    let meta = std::fs::symlink_metadata(w.home.join("config.toml")).unwrap();
    assert!(
        meta.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(
        written.contains("[tui]\nx = 1\n") && written.contains("model = \"alpha-1\""),
        "{written}"
    );
    // No stray temp files next to the target: only codexgen's record of
    // the file, which travels with it (see `state`, and `travel.rs` here).
    let names = |dir: &std::path::Path| {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let dir = target.parent().unwrap();
    assert_eq!(names(dir), [".codexgen", "config.toml"]);
    assert_eq!(names(&dir.join(".codexgen")), ["config.toml.json"]);
}

#[test]
fn previous_content_is_backed_up() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", "[tui]\nx = 1\n");
    w.gen_yes();
    assert_eq!(
        std::fs::read_to_string(w.home.join(".codexgen/backup/000001/config.toml")).unwrap(),
        "[tui]\nx = 1\n"
    );
}

#[test]
fn a_broken_config_is_never_overwritten() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", "[tui]\nx = 1\n[projects\ny = 2\n");
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .code(2)
        .stderr(contains(
            "config.toml is not valid TOML, so codexgen will not touch it",
        ))
        .stderr(contains("/codex-home/config.toml:3:"))
        .stderr(contains("3 | [projects"));
    assert_eq!(snapshot_dir(&w.root), before);
}

#[test]
fn refuses_to_write_without_yes_when_not_on_a_terminal() {
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd()
        .args(["gen"])
        .write_stdin("y\n")
        .assert()
        .code(2)
        .stderr(contains("refusing to write without confirmation"))
        .stderr(contains("codexgen gen --yes"));
    assert!(!w.exists("config.toml"));
}

#[test]
fn a_second_run_cannot_interleave() {
    let w = World::new();
    w.catalog(CATALOG);
    std::fs::create_dir_all(w.home.join(".codexgen")).unwrap();
    let held = std::fs::File::create(w.home.join(".codexgen/lock")).unwrap();
    held.lock().unwrap();
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("another codexgen run is writing to"));
    assert!(!w.exists("config.toml"));
    held.unlock().unwrap();
    w.gen_yes();
}

#[test]
fn a_template_that_renders_invalid_toml_is_refused() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("tpl/config.toml.tera", "model = {{ default.model }}\n");
    w.cmd()
        .args(["gen", "--yes", "--templates"])
        .arg(w.root.join("tpl"))
        .assert()
        .code(2)
        .stderr(contains("config.toml.tera produced invalid TOML"))
        .stderr(contains(":1:"))
        .stderr(contains("1 | model = alpha-1"));
    assert!(snapshot_dir(&w.home).is_empty());
}

#[test]
fn custom_templates_replace_the_built_in_ones() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("tpl/profile.config.toml.tera", "model = {{ profile.model | toml }}\nmodel_provider = {{ profile.provider | toml }}\nmodel_verbosity = \"low\"\n");
    w.cmd()
        .args(["gen", "--yes", "--templates"])
        .arg(w.root.join("tpl"))
        .assert()
        .success();
    assert!(
        w.read("alpha.config.toml")
            .ends_with("model_verbosity = \"low\"\n")
    );
    assert!(w.read("config.toml").contains("[model_providers.alpha-p]"));
}

#[test]
fn overlays_change_fields_add_entries_and_pick_the_default() {
    let w = World::new();
    let base = w.catalog(CATALOG);
    w.file(
        "work/providers.local.yaml",
        "schema: 1\ndefault: beta\nproviders:\n  alpha-p:\n    base_url: http://localhost:9999/v1\n  beta-p:\n    query_params: ~\n",
    );
    // Found next to ./providers.yaml without being named...
    w.gen_yes();
    let config = w.read("config.toml");
    assert!(config.contains("model = \"beta-2\""), "{config}");
    assert!(
        config.contains("base_url = \"http://localhost:9999/v1\""),
        "{config}"
    );
    assert!(!config.contains("query_params"), "{config}");
    // ...and next to a catalog named with --catalog; later --catalog files win.
    let extra = w.file("extra.yaml", "schema: 1\ndefault: alpha\n");
    w.cmd()
        .args(["gen", "--yes", "--catalog"])
        .arg(&base)
        .arg("--catalog")
        .arg(&extra)
        .assert()
        .success()
        .stderr(contains("providers.local.yaml"));
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
}

#[test]
fn the_built_in_catalog_is_used_when_none_is_found() {
    let w = World::new();
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("<built-in providers.yaml>"))
        .stdout(contains("[model_providers.groq]"));
}

#[test]
fn codex_home_comes_from_the_environment_when_not_given() {
    let w = World::new();
    w.catalog(CATALOG);
    let mut cmd = assert_cmd::Command::cargo_bin("codexgen").unwrap();
    cmd.current_dir(w.root.join("work"))
        .env("CODEX_HOME", &w.home)
        .env("HOME", w.root.join("user"))
        .args(["gen", "--yes"])
        .assert()
        .success();
    assert!(w.exists("config.toml"));
}

/// Every Codex refuses a provider table without `name`
/// (docs/codex-versions.md): a catalog provider without one gets its id.
#[test]
fn a_provider_without_a_name_is_named_by_its_id() {
    let w = World::new();
    w.catalog(&CATALOG.replace("    name: Alpha\n", ""));
    w.gen_yes();
    let config = w.read("config.toml");
    assert!(
        config.contains("[model_providers.alpha-p]\nname = \"alpha-p\"\n"),
        "{config}"
    );
}

/// A steady run skips merging a file that holds what codexgen wrote from
/// the same inputs (issue 10); anything that changes the result still
/// reaches the merge: a hand edit, a catalog change, and a profile added
/// to the catalog whose legacy table config.toml kept (config.toml's own
/// text and rendering are unchanged then, only what it must give up).
#[test]
fn a_steady_run_skips_only_files_whose_merge_cannot_change() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "[profiles.gamma]\nmodel = \"g\"\nmodel_provider = \"alpha-p\"\n",
    );
    w.catalog(CATALOG);
    let run = |args: &[&str]| {
        let mut cmd = w.cmd();
        cmd.arg("--codex-version").arg("0.169.0").args(args);
        cmd
    };
    run(&["gen", "--yes"]).assert().success();
    let state = std::fs::read_to_string(w.home.join(".codexgen/state.json")).unwrap();
    assert!(state.contains("\"input\":\"fnv1a64:"), "{state}");
    run(&["gen", "--check"]).assert().success();

    let by_hand = w.read("alpha.config.toml").replace("alpha-1", "mine");
    w.file("codex-home/alpha.config.toml", &by_hand);
    run(&["gen", "--diff"]).assert().success().stdout(contains(
        "drift: alpha.config.toml: `model` was set to \"mine\" by hand",
    ));
    // The edit is discarded on purpose (a run nobody answers stops without
    // `--overwrite`; see `writers`).
    run(&["gen", "--yes", "--overwrite"]).assert().success();
    assert!(w.read("alpha.config.toml").contains("alpha-1"));

    w.catalog(&CATALOG.replace("model: beta-2", "model: beta-3"));
    run(&["gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains("beta.config.toml: out of date"));
    run(&["gen", "--yes"]).assert().success();

    w.catalog(&format!(
        "{}  gamma:\n    provider: alpha-p\n    model: g\n",
        CATALOG.replace("model: beta-2", "model: beta-3")
    ));
    run(&["gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains("config.toml: out of date"));
    run(&["gen", "--yes"]).assert().success();
    assert!(!w.read("config.toml").contains("[profiles.gamma]"));
    assert!(w.read("gamma.config.toml").contains("model = \"g\""));
    run(&["gen", "--check"]).assert().success();
}

/// The `state.toml` of a codexgen before state format 3 still says which
/// entries codexgen owns: an entry it names that the catalog dropped is
/// removed, the user's own entry stays, and the record moves to
/// `state.json`.
#[test]
fn the_state_of_an_older_codexgen_is_read_and_replaced() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "codex-home/config.toml",
        "[model_providers.gone]\nname = \"Gone\"\n\n[model_providers.mine]\nname = \"Mine\"\n",
    );
    w.file(
        "codex-home/.codexgen/state.toml",
        "format = 2\n[files.\"config.toml\"]\nmanaged = [[[\"model_providers\", \"gone\", \"name\"], '\"Gone\"']]\n",
    );
    // Named: a home an older codexgen wrote takes a catalog found in the
    // current folder only then (see identity::*).
    w.cmd()
        .args(["--catalog", "providers.yaml"])
        .args(["--codex-version", "0.169.0", "gen", "--yes"])
        .assert()
        .success();
    let config = w.read("config.toml");
    assert!(!config.contains("[model_providers.gone]"), "{config}");
    assert!(
        config.contains("[model_providers.mine]\nname = \"Mine\"\n"),
        "{config}"
    );
    // In its place, a marker an older codexgen refuses (format 3), so it
    // cannot write as if it owned nothing; this codexgen reads it as nothing.
    let marker = w.read(".codexgen/state.toml");
    assert!(marker.ends_with("format = 3\n"), "{marker}");
    let state = std::fs::read_to_string(w.home.join(".codexgen/state.json")).unwrap();
    assert!(state.starts_with("{\"format\": 3,\n"), "{state}");
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--check"])
        .assert()
        .success();
    std::fs::remove_file(w.home.join(".codexgen/state.json")).unwrap();
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--diff"])
        .assert()
        .success();
}

/// A catalog version bump alone touches only codexgen's header in every
/// file: `--diff` and `--check` say so in one line, and a real change next
/// to it still shows in full (issue 11, point 7).
#[test]
fn a_version_bump_alone_is_said_in_one_line() {
    let w = World::new();
    w.catalog(CATALOG);
    let run = |args: &[&str]| {
        let mut cmd = w.cmd();
        cmd.arg("--codex-version").arg("0.169.0").args(args);
        cmd
    };
    run(&["gen", "--yes"]).assert().success();
    w.catalog(&CATALOG.replace("version: \"t1\"", "version: \"t2\""));
    let summary = "config.toml, alpha.config.toml and 1 more: only codexgen's header changes (catalog version t1 to t2; 3 file(s))";
    let diff = run(&["gen", "--diff"]).assert().success();
    let out = String::from_utf8_lossy(&diff.get_output().stdout).into_owned();
    assert_eq!(out, format!("{summary}\n"));
    run(&["gen", "--check"]).assert().code(1).stdout(format!(
        "{summary}\n3 file(s) out of date; run `codexgen gen` to update\n"
    ));

    // With a real change beside it, that file's diff is shown whole.
    w.catalog(
        &CATALOG
            .replace("version: \"t1\"", "version: \"t2\"")
            .replace("https://alpha.example/v1", "https://alpha.example/v2"),
    );
    let diff = run(&["gen", "--diff"]).assert().success();
    let out = String::from_utf8_lossy(&diff.get_output().stdout).into_owned();
    assert!(out.contains("+++ b/config.toml"), "{out}");
    assert!(
        out.contains("+base_url = \"https://alpha.example/v2\""),
        "{out}"
    );
    assert!(!out.contains("+++ b/alpha.config.toml"), "{out}");
    assert!(
        out.ends_with("alpha.config.toml and beta.config.toml: only codexgen's header changes (catalog version t1 to t2; 2 file(s))\n"),
        "{out}"
    );
    run(&["gen", "--yes"]).assert().success();
    run(&["gen", "--check"]).assert().success();
}

/// A hand-written home under the shipped catalog (no catalog of the test's
/// own): `model` and groq's `env_key` differ from the catalog's.
fn hand_written_home() -> World {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"gpt-4.1\"\n\n[model_providers.groq]\nname = \"Groq\"\nbase_url = \"https://api.groq.com/openai/v1\"\nenv_key = \"MY_GROQ_KEY\"\nwire_api = \"responses\"\n",
    );
    w
}

#[test]
fn values_set_by_hand_that_gen_replaces_are_a_warning_and_count_in_check() {
    let w = hand_written_home();
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains(
            "warning: codexgen would replace 2 value(s) you set by hand",
        ))
        .stderr(contains("codexgen import --output providers.yaml"))
        // Said once, on stderr, not again as a note in the diff.
        .stdout(contains("note:").not())
        .stdout(contains(
            "-env_key = \"MY_GROQ_KEY\"\n+env_key = \"GROQ_API_KEY\"",
        ));
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains(
            "config.toml: out of date (would replace 2 value(s) you set by hand)\n",
        ));
    assert_eq!(
        snapshot_dir(&w.root),
        before,
        "--diff or --check wrote something"
    );
    w.gen_yes();
    assert!(w.read("config.toml").contains("env_key = \"GROQ_API_KEY\""));
    // Now codexgen's own: no more warning.
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("warning:").not());
}

#[test]
fn a_value_set_by_hand_equal_to_the_catalogs_is_taken_over_aloud() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"gpt-5.5\"\n\n[model_providers.groq]\nenv_key = \"GROQ_API_KEY\"\n",
    );
    // Said (nothing changes on disk, so no diff shows it), not as a replacement.
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("would replace").not())
        .stderr(contains(
            "codexgen now manages 2 value(s) you set by hand, equal to the catalog's",
        ))
        .stderr(contains("  config.toml: model = \"gpt-5.5\"\n"));
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains("config.toml: out of date\n"));
}

#[test]
fn a_long_list_of_take_overs_is_summed_up() {
    let w = World::new();
    let providers: Vec<String> = ["groq", "openrouter", "together"]
        .iter()
        .map(|id| format!("\n[model_providers.{id}]\nname = \"mine\"\nenv_key = \"MINE\"\n"))
        .collect();
    let config = format!("model = \"gpt-4.1\"\n{}", providers.concat());
    w.file("codex-home/config.toml", &config);
    let out = w.cmd().args(["gen", "--diff"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("would replace 7 value(s) you set by hand"),
        "{stderr}"
    );
    assert_eq!(stderr.matches(" → ").count(), 5, "{stderr}");
    assert!(
        stderr.contains("\n  and 2 more (`codexgen gen --diff` shows every change)\n"),
        "{stderr}"
    );
}

#[test]
fn a_credential_set_by_hand_is_never_shown_in_the_take_over_warning() {
    let w = World::new();
    // A key pasted where the variable's name belongs.
    let key = "gsk_9fQ2xLr7Vb1mZt4KpW8sNd3YhC6uJe0A";
    w.file(
        "codex-home/config.toml",
        &format!("[model_providers.groq]\nenv_key = \"{key}\"\n"),
    );
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains(
            "config.toml: model_providers.groq.env_key: <redacted>",
        ))
        .stderr(contains(&key[..8]).not())
        .stdout(contains(&key[..8]).not());
}

/// The model-metadata keys of a profile go into its profile file as Codex
/// reads them (numbers as numbers); the profile is the default, so they go
/// to config.toml's top level too (issue 22), and another profile's file
/// does not get them.
#[test]
fn model_metadata_keys_are_written_into_the_profile_file() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    model: alpha-1\n",
        "    model: alpha-1\n    model_context_window: 131072\n    model_auto_compact_token_limit: 100000\n    tool_output_token_limit: 12000\n    model_auto_compact_token_limit_scope: body_after_prefix\n    model_post_turn_compact_threshold_percent: 80\n",
    ));
    w.gen_yes();
    let alpha = w.read("alpha.config.toml");
    for line in [
        "model_context_window = 131072\n",
        "model_auto_compact_token_limit = 100000\n",
        "tool_output_token_limit = 12000\n",
        "model_auto_compact_token_limit_scope = \"body_after_prefix\"\n",
        "model_post_turn_compact_threshold_percent = 80\n",
    ] {
        assert!(alpha.contains(line), "{line:?} in:\n{alpha}");
    }
    let config = w.read("config.toml");
    let top = config.split("\n[").next().unwrap_or_default();
    assert!(top.contains("model_context_window = 131072\n"), "{config}");
    assert!(!w.read("beta.config.toml").contains("model_context_window"));
    w.cmd().args(["gen", "--check"]).assert().success();
}
