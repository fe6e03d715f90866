//! What scripts rely on (issue 12, points 3 and 7): `gen --diff`/`--check
//! --format json`, `gen --diff --exit-code`, `-q`/`-v`, `--catalog -`, and
//! the exit status of a "no" at the confirmation prompt.

use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

use crate::support::{CATALOG, World, snapshot_dir};

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| {
        panic!(
            "not one JSON document ({e}):\n{}",
            String::from_utf8_lossy(out)
        )
    })
}

fn file<'v>(report: &'v Value, name: &str) -> &'v Value {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["file"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report:#}"))
}

#[test]
fn check_json_gives_each_file_its_status_and_exits_as_the_text_form() {
    let w = World::new();
    w.catalog(CATALOG);
    let out = w
        .cmd()
        .args(["gen", "--check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(snapshot_dir(&w.home).is_empty(), "--check wrote something");
    let report = json(&out);
    assert_eq!(report["out_of_date"], true);
    assert_eq!(report["state"], "ok");
    assert_eq!(report["catalog"]["version"], "t1");
    assert_eq!(report["catalog"]["files"][0], "providers.yaml");
    assert_eq!(report["target"]["version"], "0.171.0");
    let config = file(&report, "config.toml");
    assert_eq!(config["status"], "create");
    assert!(
        config["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "model" && c["from"].is_null() && c["to"] == "\"alpha-1\""),
        "{config:#}"
    );
    assert_eq!(file(&report, "beta.config.toml")["status"], "create");
    // --check carries no diff text.
    assert!(config.get("diff").is_none());

    w.gen_yes();
    let out = w
        .cmd()
        .args(["gen", "--check", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["out_of_date"], false);
    for f in report["files"].as_array().unwrap() {
        assert_eq!(f["status"], "in-sync", "{f:#}");
        assert_eq!(f["changes"], Value::Array(Vec::new()));
    }
}

#[test]
fn diff_json_names_changed_keys_drift_and_the_diff_without_secrets() {
    let w = World::new();
    w.catalog(&CATALOG.replace("model: beta-2", "model: beta-3"));
    w.gen_yes();
    w.catalog(CATALOG);
    let secret = "Zq8rT2vLm9XwKp4sNc7Hd3Jf6Gb1Ya5U";
    // A hand edit that put the key's value where a managed value was.
    let config = w
        .read("config.toml")
        .replace("model = \"alpha-1\"", &format!("model = \"{secret}\""));
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    let before = snapshot_dir(&w.root);
    let out = w
        .cmd()
        .env("ALPHA_API_KEY", secret)
        .args(["gen", "--diff", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert_eq!(snapshot_dir(&w.root), before, "--diff wrote something");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(secret), "{text}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains(secret));
    let report = json(&out.stdout);
    assert_eq!(report["out_of_date"], true);

    let beta = file(&report, "beta.config.toml");
    assert_eq!(beta["status"], "update");
    let changes = beta["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{beta:#}");
    assert_eq!(changes[0]["key"], "model");
    assert_eq!(changes[0]["path"], serde_json::json!(["model"]));
    assert_eq!(changes[0]["from"], "\"beta-3\"");
    assert_eq!(changes[0]["to"], "\"beta-2\"");
    let diff = beta["diff"].as_str().unwrap();
    assert!(
        diff.contains("-model = \"beta-3\"\n+model = \"beta-2\"\n"),
        "{diff}"
    );

    let config = file(&report, "config.toml");
    assert_eq!(config["status"], "update");
    let drift = &config["drift"][0];
    assert_eq!(drift["key"], "model");
    assert_eq!(drift["written"], "\"alpha-1\"");
    assert!(
        drift["found"].as_str().unwrap().contains("<redacted>"),
        "{drift:#}"
    );
    assert_eq!(drift["action"], "overwrite");
    assert_eq!(file(&report, "alpha.config.toml")["status"], "in-sync");
    assert!(file(&report, "alpha.config.toml").get("diff").is_none());
}

#[test]
fn diff_json_reports_take_overs_deletions_and_an_only_header_change() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    // beta goes and the catalog version moves on: beta's file is deleted
    // (its keys named), alpha's changes only in codexgen's header.
    let catalog = CATALOG
        .replace("version: \"t1\"", "version: \"t2\"")
        .replace(
            "  beta:\n    provider: beta-p\n    model: beta-2\n    model_reasoning_effort: high\n",
            "",
        );
    w.catalog(&catalog);
    let out = w
        .cmd()
        .args(["gen", "--diff", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(file(&report, "alpha.config.toml")["status"], "header-only");
    assert_eq!(
        file(&report, "alpha.config.toml")["changes"],
        serde_json::json!([])
    );
    let beta = file(&report, "beta.config.toml");
    assert_eq!(beta["status"], "delete");
    assert!(
        beta["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "model" && c["from"] == "\"beta-2\"" && c["to"].is_null()),
        "{beta:#}"
    );
    assert!(
        beta["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- a/beta.config.toml\n+++ /dev/null\n")
    );

    // A value codexgen never wrote is taken over: a note says so.
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", "model = \"mine\"\n[tui]\nx = 1\n");
    let out = w
        .cmd()
        .args(["gen", "--diff", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let config = file(&report, "config.toml");
    assert_eq!(config["status"], "update");
    assert_eq!(
        config["notes"][0],
        serde_json::json!({"kind": "take-over", "key": "model", "found": "\"mine\"", "to": "\"alpha-1\""})
    );
    // The warning stderr gives about it is in the report too.
    let warnings = report["warnings"].as_array().expect("a warnings array");
    assert_eq!(warnings.len(), 1, "{report:#}");
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("codexgen would replace 1 value(s) you set by hand"),
        "{report:#}"
    );
    assert!(
        warnings[0]["help"]
            .as_str()
            .unwrap()
            .contains("codexgen import")
    );
    assert!(warnings[0]["file"].is_null());
}

#[test]
fn json_warnings_carry_the_file_and_line_of_a_broken_layer() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "etc-codex/managed_config.toml",
        "model = \"x\"\nbroken = [\n",
    );
    let out = w
        .cmd()
        .args(["gen", "--check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report = json(&out.stdout);
    let warnings = report["warnings"].as_array().expect("a warnings array");
    assert_eq!(warnings.len(), 1, "{report:#}");
    let w0 = &warnings[0];
    assert!(
        w0["file"]
            .as_str()
            .unwrap()
            .ends_with("managed_config.toml"),
        "{w0:#}"
    );
    assert_eq!(w0["line"], 2, "{w0:#}");
    // Said on stderr as well, as the text form says it.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("managed_config.toml"), "{stderr}");
}

#[test]
fn diff_exit_code_exits_1_only_when_something_is_out_of_date() {
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd().args(["gen", "--diff"]).assert().code(0);
    w.cmd()
        .args(["gen", "--diff", "--exit-code"])
        .assert()
        .code(1)
        .stdout(contains("+model = \"alpha-1\""));
    w.cmd()
        .args(["gen", "--diff", "--exit-code", "--format", "json"])
        .assert()
        .code(1);
    assert!(snapshot_dir(&w.home).is_empty());
    w.gen_yes();
    w.cmd()
        .args(["gen", "--diff", "--exit-code"])
        .assert()
        .code(0)
        .stdout("");
    w.cmd()
        .args(["gen", "--diff", "--exit-code", "--format", "json"])
        .assert()
        .code(0);
}

#[test]
fn json_and_exit_code_are_refused_where_they_mean_nothing() {
    let w = World::new();
    w.catalog(CATALOG);
    for args in [
        &["gen", "--format", "json"][..],
        &["gen", "--yes", "--format", "json"],
        &["gen", "--exit-code"],
        &["gen", "--check", "--exit-code"],
    ] {
        w.cmd().args(args).assert().code(2).stdout("");
    }
    assert!(snapshot_dir(&w.home).is_empty(), "a refused run wrote");
}

#[test]
fn quiet_keeps_warnings_and_errors_and_drops_the_rest() {
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd()
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
    w.cmd()
        .args(["gen", "--yes", "--quiet"])
        .assert()
        .success()
        .stderr("");
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("codexgen: catalog t1"))
        .stderr(contains("nothing to change"));
    w.cmd()
        .args(["gen", "--diff", "-q"])
        .assert()
        .success()
        .stderr("")
        .stdout("");
    // A finding still prints (this one an error: every codex command
    // fails with it; under `default: ~` gen leaves the user's line and
    // exits as before).
    w.catalog(&CATALOG.replace("default: alpha", "default: ~"));
    let config = format!("profile = \"alpha\"\n{}", w.read("config.toml"));
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    w.cmd()
        .args(["-q", "gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("error: config.toml selects a profile"))
        .stderr(contains("codexgen: catalog").not());
    // An error too.
    w.catalog("schema: 1\nversion: x\nproviders: {}\nprofiles: {}\ndefault: nope\n");
    w.cmd()
        .args(["-q", "gen", "--diff"])
        .assert()
        .code(2)
        .stderr(contains("error: "));
    w.cmd().args(["-q", "-v", "gen", "--diff"]).assert().code(2);
}

/// Every `note:` line is informational: `-q` drops it, whichever command
/// says it (adopt about a value it cannot take, add about a preset already
/// there); so is what an explicit `gen --overwrite` did to a hand edit
/// (`drift: ... overwritten`), which the diff before the write named.
#[test]
fn quiet_drops_every_note_and_what_an_explicit_overwrite_did() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let edited = w
        .read("config.toml")
        .replace("model = \"alpha-1\"", "model = \"mine\"");
    std::fs::write(w.home.join("config.toml"), &edited).unwrap();
    w.cmd()
        .args(["gen", "--yes", "--overwrite"])
        .assert()
        .success()
        .stderr(contains("drift: config.toml: `model` overwritten"));
    std::fs::write(w.home.join("config.toml"), &edited).unwrap();
    w.cmd()
        .args(["-q", "gen", "--yes", "--overwrite"])
        .assert()
        .success()
        .stderr("");
    // adopt: a value deleted by hand cannot be adopted (a note).
    let without = w
        .read("beta.config.toml")
        .replace("model_reasoning_effort = \"high\"\n", "");
    std::fs::write(w.home.join("beta.config.toml"), without).unwrap();
    w.cmd()
        .args(["adopt", "--diff"])
        .assert()
        .success()
        .stderr(contains("note: "));
    w.cmd()
        .args(["-q", "adopt", "--diff"])
        .assert()
        .success()
        .stderr(contains("note:").not());
    // add: a preset already there.
    w.cmd().args(["add", "groq", "--yes"]).assert().success();
    w.cmd()
        .args(["-q", "add", "groq", "--yes"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn verbose_says_which_catalog_files_were_read_and_each_files_status() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("work/providers.local.yaml", "default: beta\n");
    w.file("user/.config/codexgen/providers.yaml", CATALOG);
    let out = w
        .cmd()
        .args(["-v", "gen", "--diff"])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let said = String::from_utf8_lossy(&out);
    assert!(
        said.contains("codexgen: catalog: providers.yaml: read\n"),
        "{said}"
    );
    assert!(
        said.contains("/codexgen/providers.yaml: there, but an earlier catalog was chosen\n"),
        "{said}"
    );
    assert!(
        said.contains("codexgen: catalog: providers.local.yaml is read as the personal overlay\n"),
        "{said}"
    );
    assert!(
        said.contains("codexgen: state: 0 file(s) recorded\n"),
        "{said}"
    );
    assert!(
        said.contains("codexgen: config.toml: would be created ("),
        "{said}"
    );
    // Without -v, none of it.
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("codexgen: state:").not())
        .stderr(contains("codexgen: catalog: ").not());
}

#[test]
fn catalog_from_stdin_is_read_once_and_named_stdin() {
    let w = World::new();
    w.cmd()
        .args(["--catalog", "-", "gen", "--yes"])
        .write_stdin(CATALOG)
        .assert()
        .success()
        .stderr(contains("codexgen: catalog t1 (<stdin>)"));
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
    // Overlaid on a file, as a file would be.
    let team = w.file("work/team.yaml", CATALOG);
    let out = w
        .cmd()
        .arg("--catalog")
        .arg(&team)
        .args(["--catalog", "-", "gen", "--check", "--format", "json"])
        .write_stdin("default: beta\n")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["catalog"]["files"][1], "<stdin>");
    // Errors point into <stdin>, with the line.
    w.cmd()
        .args(["--catalog", "-", "gen", "--diff"])
        .write_stdin("schema: 1\nversion: x\nprovidrs: {}\n")
        .assert()
        .code(2)
        .stderr(contains("<stdin>:3:1"));
    w.cmd()
        .args(["--catalog", "-", "gen", "--diff"])
        .write_stdin(vec![0xff_u8, 0xfe])
        .assert()
        .code(2)
        .stderr(contains("<stdin> is not UTF-8 text"));
    w.cmd()
        .args(["--catalog", "-", "--catalog", "-", "gen", "--diff"])
        .write_stdin(CATALOG)
        .assert()
        .code(2)
        .stderr(contains("more than once"));
}

#[test]
fn catalog_from_stdin_is_bounded() {
    let w = World::new();
    let mut big = CATALOG.to_owned();
    big.push_str(
        &"# padding padding padding padding padding padding\n".repeat(16 * 1024 * 1024 / 50 + 1),
    );
    w.cmd()
        .args(["--catalog", "-", "gen", "--diff"])
        .write_stdin(big)
        .assert()
        .code(2)
        .stderr(contains("<stdin> is larger than 16 MiB"));
}

/// "n" at the `[y/N]` prompt, on a real terminal (`script` gives codexgen
/// one), exits 1 and writes nothing.
#[cfg(target_os = "linux")]
#[test]
fn no_at_the_prompt_exits_1_and_writes_nothing() {
    let w = World::new();
    w.catalog(CATALOG);
    let Some((said, code)) = crate::support::on_a_terminal(&w, "gen", "n\n") else {
        return;
    };
    assert!(said.contains("[y/N]"), "{said}");
    assert!(said.contains("nothing written"), "{said}");
    assert_eq!(code, Some(1), "{said}");
    assert!(snapshot_dir(&w.home).is_empty(), "a \"no\" wrote something");
}

#[test]
fn a_file_that_only_lacks_the_header_is_header_added_and_in_sync() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    // The files as a person would have written them: no header, no record.
    for name in ["config.toml", "alpha.config.toml", "beta.config.toml"] {
        let text = w.read(name);
        let header = text.lines().take(2).map(|l| l.len() + 1).sum::<usize>();
        let body = &text[header..];
        std::fs::write(w.home.join(name), body).unwrap();
    }
    std::fs::remove_dir_all(w.home.join(".codexgen")).unwrap();
    let out = w
        .cmd()
        .args(["gen", "--check", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["out_of_date"], false);
    assert_eq!(file(&report, "config.toml")["status"], "header-added");
    w.cmd()
        .args(["gen", "--diff", "--exit-code"])
        .assert()
        .code(0);
}

#[test]
fn import_quiet_prints_only_what_needs_doing() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"m\"\nmodel_provider = \"p\"\n[model_providers.p]\nname = \"P\"\nbase_url = \"https://p.example/v1\"\nenv_key = \"P_API_KEY\"\n[tui]\nx = 1\n",
    );
    let out = w.root.join("work/imported.yaml");
    w.cmd()
        .args(["import", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stderr(contains("wrote the catalog to"))
        .stderr(contains("kept in config.toml, not imported"));
    w.cmd()
        .args(["-q", "import", "--force", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stderr("");
}
