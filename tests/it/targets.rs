//! Which Codex version codexgen writes for, how the output follows it
//! (profile files or `[profiles]` tables), migration between the two, and
//! `--verify` with a stand-in Codex. The real Codex binaries are exercised in
//! `e2e` and `e2e_versions`.

use predicates::prelude::*;
use predicates::str::contains;

use crate::support::{CATALOG, World, snapshot_dir};

#[test]
fn an_old_target_gets_profile_tables_in_config_toml() {
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.89.0"])
        .assert()
        .success()
        .stderr(contains("Codex 0.89.0 (--codex-version)"))
        .stderr(contains("use `codex exec --profile NAME`"));
    let config = w.read("config.toml");
    assert!(
        config.ends_with("\n[profiles.alpha]\nmodel = \"alpha-1\"\nmodel_provider = \"alpha-p\"\n\n[profiles.beta]\nmodel = \"beta-2\"\nmodel_provider = \"beta-p\"\nmodel_reasoning_effort = \"high\"\n"),
        "{config}"
    );
    assert!(!w.exists("alpha.config.toml") && !w.exists("beta.config.toml"));
    w.cmd()
        .args(["gen", "--check", "--codex-version", "0.89.0"])
        .assert()
        .success();
}

#[test]
fn migrating_from_tables_to_files_and_back_keeps_unmanaged_lines() {
    let w = World::new();
    w.catalog(CATALOG);
    let mine = "# mine\n[projects.\"/src/app\"]\ntrust_level = \"trusted\"\n\n[mcp_servers.docs]\ncommand = \"npx\"\n";
    w.file("codex-home/config.toml", mine);
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.133.0"])
        .assert()
        .success();
    assert!(w.read("config.toml").contains("[profiles.beta]"));

    w.cmd()
        .args(["gen", "--diff", "--codex-version", "0.169.0"])
        .assert()
        .success()
        .stdout(contains("-[profiles.beta]"))
        .stdout(contains("+++ b/beta.config.toml"));
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.169.0"])
        .assert()
        .success();
    let config = w.read("config.toml");
    assert!(!config.contains("[profiles."), "{config}");
    assert!(config.contains(mine), "{config}");
    assert!(w.read("beta.config.toml").contains("model = \"beta-2\""));

    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.100.0"])
        .assert()
        .success();
    assert!(!w.exists("beta.config.toml"));
    let config = w.read("config.toml");
    assert!(
        config.contains("[profiles.beta]") && config.contains(mine),
        "{config}"
    );
}

#[test]
fn a_legacy_table_for_a_catalog_profile_is_moved_even_if_codexgen_did_not_write_it() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "codex-home/config.toml",
        "[profiles.beta]\nmodel = \"old\"\nmodel_provider = \"beta-p\"\nsandbox_mode = \"read-only\" # mine\n\n[profiles.other]\nmodel = \"x\"\n",
    );
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stdout(contains("migrate: config.toml: `[profiles.beta]` is not read by this Codex; it moves to beta.config.toml (with sandbox_mode, which codexgen did not write"))
        .stderr(contains("error: config.toml has a `[profiles.other]` table; Codex 0.171.0 refuses `codex -p other` while it is there"))
        .stderr(contains("add profile `other` to the catalog"));
    let config = w.read("config.toml");
    assert!(!config.contains("[profiles.beta]"), "{config}");
    assert!(
        config.contains("[profiles.other]\nmodel = \"x\"\n"),
        "{config}"
    );
    // The hand-written key moved with the profile; the catalog's model won.
    let beta = w.read("beta.config.toml");
    assert!(
        beta.ends_with("model = \"beta-2\"\nmodel_provider = \"beta-p\"\nmodel_reasoning_effort = \"high\"\nsandbox_mode = \"read-only\"\n"),
        "{beta}"
    );
}

#[test]
fn a_profile_selector_is_removed_with_a_default_and_warned_about_without() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", "profile = \"beta\"\n");
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains(
            "migrate: config.toml: `profile = \"beta\"` is refused by this Codex",
        ))
        .stdout(contains("-profile = \"beta\""))
        .stderr(contains("selects a profile").not());
    let out = w
        .cmd()
        .args(["gen", "--diff", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let config = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "config.toml")
        .unwrap();
    assert!(
        config["notes"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"kind": "remove-selector", "profile": "beta"})),
        "{config:#}"
    );
    // On a Codex that reads `[profiles.NAME]` the line is valid: it stays.
    w.cmd()
        .args(["--codex-version", "0.133.0", "gen", "--diff"])
        .assert()
        .success()
        .stdout(contains("\n profile = \"beta\"\n"))
        .stdout(contains("-profile").not());
    w.catalog(&CATALOG.replace("default: alpha", "default: ~"));
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains("-profile").not())
        .stderr(contains(
            "config.toml selects a profile with `profile = \"beta\"`",
        ));
}

#[test]
fn chat_wire_api_is_accepted_only_where_codex_still_reads_it() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    env_key: ALPHA_API_KEY\n",
        "    env_key: ALPHA_API_KEY\n    wire_api: chat\n",
    ));
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.94.0"])
        .assert()
        .success();
    assert!(w.read("config.toml").contains("wire_api = \"chat\""));
    w.cmd()
        .args(["gen", "--diff", "--codex-version", "0.95.0"])
        .assert()
        .code(2)
        .stderr(contains("Codex 0.95.0 refuses to load"))
        .stderr(contains("use `wire_api: responses`"));
}

/// Measured (issue 9): before 0.115.0 Codex loads a `[model_providers.ollama]`
/// table but ignores it, sending requests to the built-in URL; from 0.115.0
/// it refuses it. Either way the catalog's provider would not be used.
#[test]
fn builtin_ids_are_refused_at_every_target() {
    let w = World::new();
    w.catalog(
        &CATALOG
            .replace("  beta-p:\n", "  ollama:\n")
            .replace("provider: beta-p", "provider: ollama"),
    );
    w.cmd()
        .args(["gen", "--diff", "--codex-version", "0.114.0"])
        .assert()
        .code(2)
        .stderr(contains(
            "Codex 0.114.0 loads such a table but ignores it: requests still go to the built-in URL",
        ));
    w.cmd()
        .args(["gen", "--diff", "--codex-version", "0.115.0"])
        .assert()
        .code(2)
        .stderr(contains("Codex 0.115.0 refuses to load such a table"));
}

#[test]
fn the_catalog_can_pin_the_target() {
    let w = World::new();
    w.catalog(&CATALOG.replace("version: \"t1\"\n", "version: \"t1\"\ncodex: \"0.133.0\"\n"));
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("Codex 0.133.0 (the catalog's `codex:`)"));
    assert!(w.read("config.toml").contains("[profiles.alpha]"));
    // A flag outside the catalog's range is refused.
    w.cmd()
        .args(["gen", "--diff", "--codex-version", "0.169.0"])
        .assert()
        .code(2)
        .stderr(contains("the catalog is written for Codex 0.133.0"));
    w.catalog(&CATALOG.replace("version: \"t1\"\n", "version: \"t1\"\ncodex: newest\n"));
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .code(2)
        .stderr(contains(
            "the catalog's `codex:` is not a Codex version requirement",
        ))
        .stderr(contains("providers.yaml:3:8"));
}

#[cfg(unix)]
#[test]
fn the_installed_codex_is_detected_once_and_remembered() {
    let w = World::new();
    w.catalog(CATALOG);
    w.fake_codex("0.120.0", "exit 0");
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("Codex 0.120.0 (`"))
        .stderr(contains("codex --version`)"))
        .stdout(contains("+[profiles.alpha]"));
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stderr(contains("--version`, remembered)"));
    assert_eq!(
        w.codex_runs(),
        vec!["--version".to_owned()],
        "a steady-state run started codex again"
    );
    // An upgrade (new size and mtime) is noticed.
    std::thread::sleep(std::time::Duration::from_millis(20));
    w.fake_codex("0.169.0", "exit 0 # upgraded");
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("Codex 0.169.0 (`"));
    assert_eq!(w.codex_runs().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_range_in_the_catalog_must_contain_the_installed_codex() {
    let w = World::new();
    w.catalog(&CATALOG.replace("version: \"t1\"\n", "version: \"t1\"\ncodex: \">=0.134\"\n"));
    w.fake_codex("0.120.0", "exit 0");
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .code(2)
        .stderr(contains(
            "the catalog is written for Codex >=0.134.0 (its `codex:` field), but `",
        ))
        .stderr(contains("is 0.120.0"));
}

#[cfg(unix)]
#[test]
fn verify_stops_the_write_when_codex_refuses() {
    let w = World::new();
    w.catalog(CATALOG);
    w.fake_codex(
        "0.169.0",
        "if [ \"$1\" = -p ] && [ \"$2\" = beta ]; then echo 'Error: failed to load configuration' >&2; echo 'Caused by: bad beta' >&2; echo 'Stack backtrace:' >&2; echo '  0: x' >&2; exit 1; fi\nexit 0",
    );
    let before = snapshot_dir(&w.home);
    w.cmd()
        .args(["gen", "--yes", "--verify"])
        .assert()
        .code(2)
        .stderr(contains(
            "Codex refused profile `beta`: `CODEX_HOME=<scratch>",
        ))
        .stderr(contains("-p beta mcp list` failed"))
        .stderr(contains("  | Caused by: bad beta"))
        .stderr(contains("Stack backtrace").not());
    // Not even the lock: a refused run leaves no trace.
    assert_eq!(snapshot_dir(&w.home), before);
    assert!(!w.home.join(".codexgen").exists());
    let runs = w.codex_runs();
    assert!(
        runs.contains(&"mcp list".to_owned()) && runs.contains(&"-p alpha mcp list".to_owned()),
        "{runs:?}"
    );

    w.fake_codex("0.169.0", "exit 0");
    w.cmd()
        .args(["gen", "--yes", "--verify"])
        .assert()
        .success()
        .stderr(contains("loads the planned files"));
    assert!(w.exists("beta.config.toml"));
}

/// Measured (issue 9): a Codex of the other profile layout cannot vouch for
/// the planned files, so `--verify` refuses to say they load; a Codex of
/// the same layout but another version checks them and is named.
#[cfg(unix)]
#[test]
fn verify_names_the_codex_that_checked_and_refuses_another_layout() {
    let w = World::new();
    w.catalog(CATALOG);
    w.fake_codex("0.133.0", "exit 0");
    w.cmd()
        .args(["gen", "--yes", "--verify", "--codex-version", "0.169.0"])
        .assert()
        .code(2)
        .stderr(contains(
            "--verify cannot check files for Codex 0.169.0 with Codex 0.133.0 at",
        ))
        .stderr(contains(
            "the target reads profile files, which Codex 0.133.0 does not",
        ))
        .stderr(contains("nothing was written"));
    assert!(!w.exists("config.toml"));
    w.cmd()
        .args(["gen", "--diff", "--verify", "--codex-version", "0.120.0"])
        .assert()
        .success()
        .stderr(contains("Codex 0.133.0 ("))
        .stderr(contains(
            ") loads the planned files (written for Codex 0.120.0, same layout)",
        ));
    w.fake_codex("0.169.0", "exit 0");
    w.cmd()
        .args(["gen", "--diff", "--verify", "--codex-version", "0.133.0"])
        .assert()
        .code(2)
        .stderr(contains(
            "the target reads [profiles.NAME] tables, which Codex 0.169.0 refuses",
        ));
}

#[test]
fn verify_without_a_codex_says_how_to_give_one() {
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd()
        .args(["gen", "--diff", "--verify"])
        .assert()
        .code(2)
        .stderr(contains(
            "--verify needs the Codex binary: pass --codex-bin PATH",
        ));
}

/// Settings find the installed Codex once and every part of a run shares
/// it: with no version cache to fall back on (it cannot be written),
/// `doctor` (target, version check, load check) still asks `--version` once.
#[cfg(unix)]
#[test]
fn the_installed_codex_is_asked_once_per_run() {
    let w = World::new();
    w.catalog(CATALOG);
    w.fake_codex("0.169.0", "exit 0");
    w.cmd()
        .env("XDG_CACHE_HOME", "/dev/null/no-cache")
        .args(["doctor"])
        .assert()
        .success();
    let asked = w.codex_runs().iter().filter(|r| *r == "--version").count();
    assert_eq!(asked, 1, "{:?}", w.codex_runs());
}

/// Measured (issue 9): Codex before 0.134 reads no `NAME.config.toml`, so
/// keys a user added to a profile file codexgen wrote are stranded by a
/// downgrade; `gen` says which, and keeps them.
#[test]
fn a_downgrade_warns_about_keys_left_in_profile_files() {
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.169.0"])
        .assert()
        .success();
    let mine = format!(
        "{}[tools]\nweb_search = true\n",
        w.read("alpha.config.toml")
    );
    w.file("codex-home/alpha.config.toml", &mine);
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.133.0"])
        .assert()
        .success()
        .stderr(contains(
            "warning: alpha.config.toml holds keys you added (tools.web_search), which Codex 0.133.0 does not read: it reads no profile files",
        ))
        .stderr(contains("move them into [profiles.alpha] in config.toml yourself"))
        .stderr(contains("beta.config.toml holds keys").not());
    assert!(w.read("alpha.config.toml").contains("web_search = true"));
    assert!(!w.exists("beta.config.toml"));
}

/// A Codex newer than the newest release codexgen measured reads keys
/// codexgen has never seen: `gen` and `doctor` say so in one line (doctor's
/// JSON too), and that `--verify` asks Codex. A measured release is silent.
#[cfg(unix)]
#[test]
fn a_codex_newer_than_measured_is_named_by_gen_and_doctor() {
    const LINE: &str = "Codex 0.999.0 is newer than 0.171.0, the newest release codexgen has measured: keys Codex added since are not checked by codexgen";
    let w = World::new();
    w.catalog(CATALOG);
    w.fake_codex("0.999.0", "exit 0");
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains(format!("warning: {LINE}")))
        .stderr(contains("`codexgen gen --verify` asks Codex"));
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(LINE));
    let out = w
        .cmd()
        .args(["doctor", "--format", "json"])
        .output()
        .expect("doctor runs");
    let findings: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("doctor --format json prints JSON");
    let said: Vec<&serde_json::Value> = findings
        .as_array()
        .expect("a list of findings")
        .iter()
        .filter(|f| f["message"].as_str().is_some_and(|m| m.contains(LINE)))
        .collect();
    assert_eq!(said.len(), 1, "{findings:#}");
    assert_eq!(said[0]["scope"], "codex");
    assert_eq!(said[0]["status"], "warn");
    w.cmd().arg("doctor").assert().stdout(contains(LINE));

    // The newest measured release itself: nothing to say.
    let measured = World::new();
    measured.catalog(CATALOG);
    measured.fake_codex("0.171.0", "exit 0");
    measured
        .cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("newest release codexgen has measured").not());
    measured
        .cmd()
        .arg("doctor")
        .assert()
        .stdout(contains("newest release codexgen has measured").not());
    // The files checked for a newer release than the one installed: doctor
    // names that one too, once, as gen does.
    let out = measured
        .cmd()
        .args(["--codex-version", "0.999.0", "doctor"])
        .output()
        .expect("doctor runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches(LINE).count(), 1, "{stdout}");
}
