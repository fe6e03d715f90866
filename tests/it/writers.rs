//! Living beside Codex's own writers: drift is named with `codexgen adopt`
//! before anything is overwritten, a run nobody answers never discards an
//! edit made outside codexgen, Codex's `modelProvider/default/set` is
//! drift like `/model`, and a whole-file rewrite by another program is
//! recognised.

use std::fmt::Write as _;

use predicates::prelude::*;
use predicates::str::contains;

use crate::support::{CATALOG, World, snapshot_dir};

/// A home written from `CATALOG`, then config.toml's `model` edited as
/// Codex's `/model` does.
fn edited_home() -> World {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let config = w
        .read("config.toml")
        .replace("model = \"alpha-1\"", "model = \"picked-in-tui\"");
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    w
}

const DRIFT_LINE: &str = "drift: config.toml: `model` was set to \"picked-in-tui\" by hand (codexgen wrote \"alpha-1\"); would be overwritten with the catalog's value; to keep it: `codexgen adopt`";

#[test]
fn diff_and_check_name_adopt_at_each_drifted_value() {
    let w = edited_home();
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains(DRIFT_LINE));
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains(
            "config.toml: out of date (1 managed value(s) edited by hand)\n  drift: `model` was set to \"picked-in-tui\" by hand (codexgen wrote \"alpha-1\"); would be overwritten with the catalog's value; to keep it: `codexgen adopt`\n",
        ));
    let out = w
        .cmd()
        .args(["gen", "--diff", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let drift = &report["files"][0]["drift"][0];
    assert_eq!(drift["key"], "model", "{report:#}");
    assert_eq!(drift["catalog"], "\"alpha-1\"", "{report:#}");
    assert_eq!(drift["keep_with"], "codexgen adopt", "{report:#}");
}

#[test]
fn a_deleted_value_is_restored_without_naming_adopt() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let config = w.read("config.toml").replace("model = \"alpha-1\"\n", "");
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains(
            "`model` was removed by hand (codexgen wrote \"alpha-1\"); would be restored\n",
        ))
        .stdout(contains("codexgen adopt").not());
    // Not an edit to keep: a run nobody answers restores it, as before.
    w.cmd().args(["-q", "gen", "--yes"]).assert().success();
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
}

#[test]
fn gen_yes_stops_before_overwriting_an_edit_and_names_both_ways_out() {
    for args in [&["gen", "--yes"][..], &["-q", "gen", "--yes"], &["gen"]] {
        let w = edited_home();
        let before = snapshot_dir(&w.root);
        w.cmd()
            .args(args)
            .assert()
            .code(1)
            .stderr(contains(
                "error: 1 value(s) edited outside codexgen would be overwritten with the catalog's; nothing was written\n  config.toml: `model` is \"picked-in-tui\" (the catalog's: \"alpha-1\")\n",
            ))
            .stderr(contains("keep them: `codexgen adopt`"))
            .stderr(contains("`codexgen gen --yes --overwrite`"));
        assert_eq!(snapshot_dir(&w.root), before, "{args:?} wrote something");
    }
}

#[test]
fn a_secret_in_a_drifted_value_is_redacted_when_gen_stops() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let config = w.read("config.toml").replace(
        "model = \"alpha-1\"",
        "model = \"sk-proj-9fQ2xLr7Vb1mZt4KpW8sNd3Y\"",
    );
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .code(1)
        .stderr(contains("sk-proj-9fQ2").not())
        .stderr(contains("`model` is <redacted>").or(contains("<redacted>")));
}

#[test]
fn overwrite_puts_the_catalog_s_values_back() {
    let w = edited_home();
    w.cmd()
        .args(["-q", "gen", "--yes", "--overwrite"])
        .assert()
        .success()
        .stderr("");
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
}

#[test]
fn adopt_then_gen_yes_keeps_the_edit() {
    let w = edited_home();
    w.cmd().args(["adopt", "--yes"]).assert().success();
    w.cmd().args(["-q", "gen", "--yes"]).assert().success();
    assert!(w.read("config.toml").contains("model = \"picked-in-tui\""));
}

#[test]
fn other_programs_new_keys_are_not_drift() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let mut config = w.read("config.toml");
    config.push_str("\n[projects.\"/home/a/x\"]\ntrust_level = \"trusted\"\n");
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    w.cmd().args(["gen", "--yes"]).assert().success();
}

#[cfg(target_os = "linux")]
#[test]
fn the_prompt_names_adopt_and_yes_overwrites() {
    let w = edited_home();
    let Some((said, code)) = crate::support::on_a_terminal(&w, "gen", "y\n") else {
        return;
    };
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("will be overwritten with the catalog's value; to keep it: `codexgen adopt`"),
        "{said}"
    );
    assert!(
        said.contains("overwriting 1 value(s) edited outside codexgen"),
        "{said}"
    );
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
}

/// config.toml after Codex 0.171's app-server method
/// `modelProvider/default/set` with `providerId`: measured on the real
/// 0.171.0 (see `the_app_server_s_provider_switch_is_adopted_as_the_default_s_provider`),
/// it replaces the value of the one `model_provider` line and keeps every
/// other byte, comments included.
fn provider_set_by_the_app_server(w: &World, provider: &str) {
    let config = w.read("config.toml").replace(
        "model_provider = \"alpha-p\"",
        &format!("model_provider = \"{provider}\""),
    );
    std::fs::write(w.home.join("config.toml"), config).unwrap();
}

#[test]
fn the_app_server_s_provider_switch_is_drift_that_adopt_keeps_as_the_default_s_provider() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    provider_set_by_the_app_server(&w, "beta-p");
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .code(1)
        .stderr(contains(
            "config.toml: `model_provider` is \"beta-p\" (the catalog's: \"alpha-p\")",
        ));
    w.cmd()
        .args(["adopt", "--yes"])
        .assert()
        .success()
        .stdout(contains(
            "`model_provider` = beta-p -> `profiles.alpha.provider`",
        ));
    assert!(
        w.read("../work/providers.local.yaml")
            .contains("provider: beta-p"),
        "{}",
        w.read("../work/providers.local.yaml")
    );
    w.cmd().args(["-q", "gen", "--yes"]).assert().success();
    assert!(
        w.read("config.toml")
            .contains("model_provider = \"beta-p\"")
    );
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
fn a_provider_switch_to_one_the_catalog_lacks_is_adopted_only_when_codex_has_it_built_in() {
    // Codex's built-in `openai`: a profile may name it, so adopt keeps it.
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    provider_set_by_the_app_server(&w, "openai");
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .code(1)
        .stderr(contains("`model_provider` is \"openai\""));
    w.cmd()
        .args(["adopt", "--yes"])
        .assert()
        .success()
        .stdout(contains(
            "`model_provider` = openai -> `profiles.alpha.provider`",
        ));
    w.cmd().args(["-q", "gen", "--yes"]).assert().success();
    assert!(
        w.read("config.toml")
            .contains("model_provider = \"openai\"")
    );

    // A provider of the user's own (in config.toml, not in the catalog):
    // the app server accepts it, the catalog cannot name it, adopt refuses
    // and writes nothing, and gen still stops.
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let mut config = w.read("config.toml");
    config.push_str(
        "\n[model_providers.mine]\nname = \"Mine\"\nbase_url = \"https://mine.example/v1\"\n",
    );
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    provider_set_by_the_app_server(&w, "mine");
    let before = snapshot_dir(&w.root);
    let adopt = w.cmd().args(["adopt", "--yes"]).output().unwrap();
    let said = String::from_utf8_lossy(&adopt.stderr);
    assert_eq!(adopt.status.code(), Some(2), "{said}");
    assert!(said.contains("mine"), "{said}");
    assert_eq!(snapshot_dir(&w.root), before);
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .code(1)
        .stderr(contains("`model_provider` is \"mine\""));
}

/// Drives the real Codex 0.171.0's app server over stdio JSON-RPC
/// (`initialize`, then `modelProvider/default/set`) on a home codexgen
/// wrote, then checks what codexgen makes of its write.
#[test]
fn the_app_server_s_provider_switch_is_adopted_as_the_default_s_provider() {
    use std::io::{BufRead as _, Write as _};
    let Some(codex) = crate::e2e::codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") else {
        return;
    };
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd()
        .args(["--codex-version", "0.171.0", "gen", "--yes"])
        .assert()
        .success();
    let written = w.read("config.toml");
    let user = w.root.join("user");
    std::fs::create_dir_all(&user).unwrap();
    let mut server = std::process::Command::new(codex)
        .args(["app-server"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &user)
        .env("CODEX_HOME", &w.home)
        .current_dir(w.root.join("work"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("codex app-server starts");
    let mut stdin = server.stdin.take().unwrap();
    let stdout = server.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<serde_json::Value>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Ok(v) = serde_json::from_str(&line)
                && tx.send(v).is_err()
            {
                break;
            }
        }
    });
    let answer = |id: u64| loop {
        let v = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("codex app-server answers");
        if v["id"] == id {
            break v;
        }
    };
    let send = |stdin: &mut std::process::ChildStdin, v: serde_json::Value| {
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    };
    send(
        &mut stdin,
        serde_json::json!({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "codexgen-test", "version": "1"}}}),
    );
    answer(1);
    send(&mut stdin, serde_json::json!({"method": "initialized"}));
    send(
        &mut stdin,
        serde_json::json!({"id": 2, "method": "modelProvider/default/set", "params": {"providerId": "beta-p"}}),
    );
    let set = answer(2);
    drop(stdin);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(set["result"]["status"], "ok", "{set}");
    // What it wrote: that one line, every other byte kept.
    assert_eq!(
        w.read("config.toml"),
        written.replace(
            "model_provider = \"alpha-p\"",
            "model_provider = \"beta-p\""
        )
    );
    w.cmd()
        .args(["--codex-version", "0.171.0", "gen", "--yes"])
        .assert()
        .code(1)
        .stderr(contains("`model_provider` is \"beta-p\""));
    w.cmd()
        .args(["--codex-version", "0.171.0", "adopt", "--yes"])
        .assert()
        .success()
        .stdout(contains("-> `profiles.alpha.provider`"));
    // The default profile's file follows; config.toml keeps Codex's choice.
    w.cmd()
        .args(["--codex-version", "0.171.0", "-q", "gen", "--yes"])
        .assert()
        .success();
    assert!(
        w.read("config.toml")
            .contains("model_provider = \"beta-p\"")
    );
    assert!(
        w.read("alpha.config.toml")
            .contains("model_provider = \"beta-p\"")
    );
    w.cmd()
        .args(["--codex-version", "0.171.0", "gen", "--check"])
        .assert()
        .success();
}

/// A config.toml with what a user and Codex keep there: comments, a
/// setting, MCP servers, 29 trusted projects, a notice.
fn rich_config() -> String {
    let mut text = String::from(
        "# My Codex settings, kept by hand.\napproval_policy = \"on-request\"   # ask me\n\n# docs server\n[mcp_servers.docs]\ncommand = \"npx\"\n\n[notice]\nhide_full_access_warning = true\n",
    );
    for i in 0..29 {
        let _ = write!(
            text,
            "\n[projects.\"/home/me/src/p{i:02}\"]\ntrust_level = \"trusted\"\n"
        );
    }
    text
}

/// What the Codex desktop app left of config.toml: only the keys it
/// manages (here the model, the provider and its table), CRLF, no comments.
fn rewritten_by_the_desktop_app(w: &World) {
    let text = "model = \"alpha-1\"\r\nmodel_provider = \"alpha-p\"\r\n\r\n[model_providers.alpha-p]\r\nname = \"Alpha\"\r\nbase_url = \"https://alpha.example/v1\"\r\nenv_key = \"ALPHA_API_KEY\"\r\n";
    std::fs::write(w.home.join("config.toml"), text).unwrap();
}

#[test]
fn a_whole_file_rewrite_is_named_by_doctor_and_gen_with_the_way_back() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", &rich_config());
    w.gen_yes();
    rewritten_by_the_desktop_app(&w);
    let words = "32 table(s) or key(s) of yours (approval_policy, mcp_servers.docs, notice, projects.\"/home/me/src/p00\", projects.\"/home/me/src/p01\", and 27 more) and 2 comment line(s) no longer in config.toml since codexgen's last write";
    let doctor = w.cmd().arg("doctor").output().unwrap();
    let said = String::from_utf8_lossy(&doctor.stdout);
    assert!(said.contains(words), "{said}");
    assert!(said.contains("`codexgen restore --list`"), "{said}");
    for args in [&["gen", "--check"][..], &["gen", "--diff"]] {
        w.cmd()
            .args(args)
            .assert()
            .stderr(contains(format!("warning: config.toml: {words}")))
            .stderr(contains("`codexgen restore --list`"));
    }
    let json = w
        .cmd()
        .args(["gen", "--check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["message"].as_str().unwrap_or("").contains(words)),
        "{report:#}"
    );
    // A run nobody answers says it too, writes, and records the file as it
    // is: said once, not on every run after.
    w.cmd()
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(words));
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .stderr(contains("since codexgen's last write").not());
}

#[test]
fn a_project_removed_by_hand_is_a_neutral_warning_said_until_gen_writes() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", &rich_config());
    w.gen_yes();
    let config = w.read("config.toml").replace(
        "\n[projects.\"/home/me/src/p07\"]\ntrust_level = \"trusted\"\n",
        "",
    );
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .success()
        .stderr(contains(
            "warning: config.toml: 1 table(s) or key(s) of yours (projects.\"/home/me/src/p07\") no longer in config.toml since codexgen's last write",
        ));
    w.cmd().args(["gen", "--yes"]).assert().success();
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .success()
        .stderr(contains("since codexgen's last write").not());
}

#[test]
fn a_state_without_the_names_is_read_as_before() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", &rich_config());
    w.gen_yes();
    let state_path = w.home.join(".codexgen/state.json");
    let state = std::fs::read_to_string(&state_path).unwrap();
    assert!(state.contains("\"kept\""), "{state}");
    let mut value: serde_json::Value = serde_json::from_str(&state).unwrap();
    value["files"]["config.toml"]
        .as_object_mut()
        .unwrap()
        .remove("kept");
    std::fs::write(&state_path, value.to_string()).unwrap();
    rewritten_by_the_desktop_app(&w);
    // Out of date (the rewrite dropped a provider), and nothing to compare.
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stderr(contains("since codexgen's last write").not());
}

#[test]
fn many_edited_values_are_listed_five_then_counted() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let mut config = w.read("config.toml");
    for (from, to) in [
        ("\"alpha-1\"", "\"picked\""),
        ("\"Alpha\"", "\"A2\""),
        ("alpha.example", "a2.example"),
        ("\"ALPHA_API_KEY\"", "\"A2_KEY\""),
        ("\"Beta\"", "\"B2\""),
        ("beta.example", "b2.example"),
        ("\"BETA_API_KEY\"", "\"B2_KEY\""),
    ] {
        assert!(config.contains(from), "{from}: {config}");
        config = config.replace(from, to);
    }
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    let out = w.cmd().args(["-q", "gen", "--yes"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("error: 7 value(s) edited outside codexgen"),
        "{said}"
    );
    assert_eq!(said.matches("\n  config.toml: `").count(), 5, "{said}");
    assert!(
        said.contains("  and 2 more (`codexgen gen --diff` shows each)\n"),
        "{said}"
    );
}
