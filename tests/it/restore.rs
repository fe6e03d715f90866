//! `codexgen restore`: backup generations (one per writing run, bounded by
//! `CODEXGEN_BACKUPS`), `restore --list`, and `restore [N]` as a diffed,
//! atomic, recorded write that is itself undone by `restore 1`.

use std::path::Path;

use predicates::prelude::PredicateBooleanExt as _;
use predicates::str::contains;

use crate::support::{CATALOG, World, snapshot_dir};

/// The lines a user added by hand, and that a whole-file rewrite drops.
const USER_LINES: &str = "\n# my own comment, kept by codexgen\n[projects.\"/x\"]\ntrust_level = \"trusted\"\n\n[mcp_servers.foo]\ncommand = \"foo\"\n";

/// What another program leaves of config.toml when it rewrites it whole
/// (the Codex desktop app, openai/codex#42116): its own keys, nothing else.
const STRIPPED: &str = "model = \"alpha-3\"\nmodel_provider = \"alpha-p\"\n";

/// Write 1 (nothing existed), the user's tables and comment added by hand,
/// then write 2, after the team changed a model: generation 1 holds the
/// file with the user's lines (what write 2 replaced).
fn story() -> World {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let mut config = w.read("config.toml");
    config.push_str(USER_LINES);
    w.file("codex-home/config.toml", &config);
    w.catalog(&CATALOG.replace("alpha-1", "alpha-3"));
    w.gen_yes();
    assert!(w.read("config.toml").contains(USER_LINES));
    w
}

fn list_json(w: &World) -> serde_json::Value {
    let out = w
        .cmd()
        .args(["restore", "--list", "--format", "json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn state(w: &World) -> String {
    w.read(".codexgen/state.json")
}

#[test]
fn a_restore_after_a_whole_file_rewrite_brings_back_the_user_s_tables_and_comments() {
    let w = story();
    w.file("codex-home/config.toml", STRIPPED);
    // The listing shows which generation still holds the tables.
    w.cmd()
        .args(["restore", "--list"])
        .assert()
        .success()
        .stdout(contains("  1  "))
        .stdout(contains("replaced by `gen --yes`"))
        .stdout(contains("0 table(s), 0 comment line(s)"))
        .stdout(contains("4 table(s), 3 comment line(s)"));
    let listing = list_json(&w);
    let config = &listing["generations"][0]["files"][0];
    assert_eq!(config["file"], "config.toml");
    assert_eq!(config["tables"], 4, "{listing:#}");
    assert_eq!(listing["now"][0]["tables"], 0, "{listing:#}");

    let out = w
        .cmd()
        .args(["restore", "--yes"])
        .assert()
        .success()
        .stdout(contains("+[mcp_servers.foo]"))
        .stdout(contains("+# my own comment, kept by codexgen"))
        .stderr(contains("restored backup generation 1"));
    drop(out);
    let restored = w.read("config.toml");
    assert!(restored.contains(USER_LINES), "{restored}");
    // The generation is the file before write 2: gen brings the catalog's
    // values back, keeping the user's lines.
    w.gen_yes();
    let config = w.read("config.toml");
    assert!(config.contains("model = \"alpha-3\""), "{config}");
    assert!(config.contains(USER_LINES), "{config}");
    codex_reads(&w);
}

/// The real Codex loads the restored home (config.toml and a profile file;
/// `--strict-config` is for `exec` only, which would call a provider) and
/// lists the restored MCP server.
fn codex_reads(w: &World) {
    let Some(codex) = crate::e2e::codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let user = w.root.join("codex-user");
    std::fs::create_dir_all(&user).expect("scratch home");
    let load = std::process::Command::new(&codex)
        .args(["-p", "alpha", "mcp", "list", "--json"])
        .env("CODEX_HOME", &w.home)
        .env("HOME", &user)
        .env_remove("RUST_BACKTRACE")
        .current_dir(&user)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run codex");
    let stdout = String::from_utf8_lossy(&load.stdout);
    assert!(
        load.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&load.stderr)
    );
    assert!(stdout.contains("\"foo\""), "{stdout}");
}

#[test]
fn the_list_is_newest_first_with_time_command_and_files() {
    let w = story();
    let listing = list_json(&w);
    let generations = listing["generations"].as_array().expect("array");
    assert_eq!(generations.len(), 2, "{listing:#}");
    assert_eq!(generations[0]["number"], 1);
    assert_eq!(generations[0]["command"], "gen --yes");
    assert!(
        generations[0]["time"]
            .as_u64()
            .is_some_and(|t| t > 1_700_000_000)
    );
    assert!(
        generations[0]["time_utc"]
            .as_str()
            .is_some_and(|t| t.ends_with(" UTC")),
        "{listing:#}"
    );
    // Write 1 created every file: a restore of it removes them.
    let first = generations[1]["files"].as_array().expect("files");
    assert_eq!(first[0]["file"], "config.toml");
    assert!(first.iter().all(|f| f["existed"] == false), "{listing:#}");
    // No global option's value (the Codex home's path) is in a label.
    let meta =
        std::fs::read_to_string(w.home.join(".codexgen/backup/000001/meta.json")).expect("meta");
    assert!(!meta.contains(&*w.home.to_string_lossy()), "{meta}");
}

#[test]
fn a_restore_is_a_generation_of_its_own_so_restore_1_undoes_it() {
    let w = story();
    let config_before = w.read("config.toml");
    let state_before = state(&w);
    // Back to before write 1: the files it created go, and codexgen owns nothing.
    w.cmd()
        .args(["restore", "2", "--yes"])
        .assert()
        .success()
        .stdout(contains("-model = \"alpha-3\""));
    assert!(!w.exists("config.toml"));
    assert!(!w.exists("alpha.config.toml"));
    assert!(!state(&w).contains("alpha"), "{}", state(&w));
    let listing = list_json(&w);
    assert_eq!(listing["generations"][0]["command"], "restore 2 --yes");
    // And back again.
    w.cmd().args(["restore", "1", "--yes"]).assert().success();
    assert_eq!(w.read("config.toml"), config_before);
    assert_eq!(state(&w), state_before);
    // Nothing is left to do: the catalog and the home agree again.
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
fn a_restore_restores_codexgen_s_record_with_the_files() {
    let w = story();
    let state_after_write_1 =
        std::fs::read_to_string(w.home.join(".codexgen/backup/000002/saved-state.json"))
            .expect("generation 1's state");
    w.cmd().args(["restore", "--yes"]).assert().success();
    assert_eq!(state(&w), state_after_write_1);
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
}

#[test]
fn diff_only_shows_and_no_terminal_refuses_writing_nothing() {
    let w = story();
    let before = snapshot_dir(&w.home);
    w.cmd()
        .args(["restore", "--diff"])
        .assert()
        .success()
        .stdout(contains("-model = \"alpha-3\""))
        .stdout(contains("+model = \"alpha-1\""));
    assert_eq!(snapshot_dir(&w.home), before);
    w.cmd()
        .args(["restore", "2"])
        .write_stdin("y\n")
        .assert()
        .code(2)
        .stderr(contains("refusing to write without confirmation"))
        .stderr(contains("codexgen restore 2 --yes"));
    assert_eq!(snapshot_dir(&w.home), before);
    w.cmd()
        .args(["restore", "3", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("there is no backup generation 3: there are 2"));
    assert_eq!(snapshot_dir(&w.home), before);
}

#[test]
fn a_locked_home_or_a_file_changed_under_the_restore_is_refused() {
    let w = story();
    let before = snapshot_dir(&w.home);
    let held = std::fs::File::create(w.home.join(".codexgen/lock")).expect("lock file");
    held.lock().expect("lock");
    w.cmd()
        .args(["restore", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("another codexgen run is writing to"));
    held.unlock().expect("unlock");
    drop(held);
    assert_eq!(snapshot_dir(&w.home), before);
    // Another program writes config.toml right before its turn.
    let state_before = state(&w);
    w.cmd()
        .args(["restore", "--yes"])
        .env("CODEXGEN_FAIL_AT", "compare:config.toml")
        .env("CODEXGEN_FAIL_MODE", "append")
        .assert()
        .code(2)
        .stderr(contains("changed while codexgen was writing"));
    let config = w.read("config.toml");
    assert!(config.contains("model = \"alpha-3\""), "{config}");
    assert_eq!(state(&w), state_before);
}

#[test]
fn generations_are_bounded_by_codexgen_backups_and_the_newest_stays() {
    let w = World::new();
    for model in ["m1", "m2", "m3", "m4"] {
        w.catalog(&CATALOG.replace("alpha-1", model));
        w.cmd()
            .args(["gen", "--yes"])
            .env("CODEXGEN_BACKUPS", "2")
            .assert()
            .success();
    }
    let listing = list_json(&w);
    let generations = listing["generations"].as_array().expect("array");
    assert_eq!(generations.len(), 2, "{listing:#}");
    // The newest two: what writes 4 and 3 replaced.
    let names: Vec<String> = std::fs::read_dir(w.home.join(".codexgen/backup"))
        .expect("backups")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["000003", "000004"]);
    w.cmd().args(["restore", "--yes"]).assert().success();
    assert!(w.read("config.toml").contains("model = \"m3\""));
    // A number that is no number stops the write before anything is done.
    let before = snapshot_dir(&w.home);
    w.catalog(&CATALOG.replace("alpha-1", "m5"));
    w.cmd()
        .args(["gen", "--yes"])
        .env("CODEXGEN_BACKUPS", "0")
        .assert()
        .code(2)
        .stderr(contains(
            "CODEXGEN_BACKUPS=\"0\" is not a number of backups to keep",
        ));
    assert_eq!(snapshot_dir(&w.home), before);
}

#[test]
fn the_old_single_copy_backups_are_listed_and_restored() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    // What an older codexgen left: one copy per file, straight in backup/.
    let old = "# the old copy\nmodel = \"old\"\n";
    w.file("codex-home/.codexgen/backup/config.toml", old);
    w.cmd()
        .args(["restore", "--list"])
        .assert()
        .success()
        .stdout(contains("  2  (no time: kept by an older codexgen)"));
    let listing = list_json(&w);
    assert_eq!(
        listing["generations"][1]["command"],
        serde_json::Value::Null
    );
    w.cmd().args(["restore", "2", "--yes"]).assert().success();
    assert_eq!(w.read("config.toml"), old);
    // Still there: it is kept until pruned like any other.
    assert!(w.home.join(".codexgen/backup/config.toml").is_file());
}

#[cfg(unix)]
#[test]
fn a_linked_config_is_restored_through_its_link() {
    let w = World::new();
    w.catalog(CATALOG);
    let dotfiles = w.file("dotfiles/codex/config.toml", "# from my dotfiles\n");
    std::os::unix::fs::symlink(&dotfiles, w.home.join("config.toml")).expect("link");
    w.gen_yes();
    let written = std::fs::read_to_string(&dotfiles).expect("dotfiles");
    assert!(written.contains("model_provider"), "{written}");
    w.cmd().args(["restore", "--yes"]).assert().success();
    assert!(is_link(&w.home.join("config.toml")));
    assert_eq!(
        std::fs::read_to_string(&dotfiles).expect("dotfiles"),
        "# from my dotfiles\n"
    );
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[test]
fn a_broken_catalog_does_not_stand_in_the_way_back() {
    let w = story();
    w.catalog("schema: [\n");
    w.file(
        "user/.config/codexgen/providers.local.yaml",
        "nonsense: [\n",
    );
    w.cmd().args(["restore", "--list"]).assert().success();
    w.cmd().args(["restore", "--yes"]).assert().success();
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
}

/// The Codex files of a home (config.toml and the profile files), by name.
fn codex_files(home: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(home)
        .expect("home")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with("config.toml"))
        .map(|name| {
            let text = std::fs::read_to_string(home.join(&name)).expect("read");
            (name, text)
        })
        .collect();
    files.sort();
    files
}

/// codexgen's temp files anywhere under `dir`.
fn temps(dir: &Path) -> Vec<std::path::PathBuf> {
    snapshot_dir(dir)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with(".codexgen-") && name.ends_with(".tmp")
        })
        .collect()
}

/// A restore killed at any filesystem step (its backup generation's own
/// included) leaves a home whose generations still list and that the next
/// `gen` brings to what a restore and a gen without a fault leave.
#[cfg(debug_assertions)] // fail points exist only in debug builds
#[test]
fn a_restore_killed_at_any_step_leaves_a_home_the_next_gen_puts_right() {
    let clean = story();
    clean.cmd().args(["restore", "--yes"]).assert().success();
    clean.gen_yes();
    let expected = codex_files(&clean.home);
    assert!(
        expected
            .iter()
            .any(|(name, text)| name == "config.toml" && text.contains(USER_LINES)),
        "{expected:?}"
    );
    for n in 1.. {
        let w = story();
        let out = w
            .cmd()
            .args(["restore", "--yes"])
            .env("CODEXGEN_FAIL_AT", n.to_string())
            .env("CODEXGEN_FAIL_MODE", "exit")
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let Some(at) = stderr
            .lines()
            .find(|l| l.starts_with("codexgen: fail point"))
        else {
            assert!(out.status.success(), "{stderr}");
            assert!(n > 20, "only {n} fail points");
            eprintln!("{} fail points", n - 1);
            return;
        };
        assert_eq!(out.status.code(), Some(137), "{at}\n{stderr}");
        w.cmd().args(["restore", "--list"]).assert().success();
        let next = w.cmd().args(["gen", "--yes"]).output().expect("runs");
        assert!(
            next.status.success(),
            "{at}: {}",
            String::from_utf8_lossy(&next.stderr)
        );
        assert_eq!(codex_files(&w.home), expected, "{at}");
        assert_eq!(temps(&w.home), Vec::<std::path::PathBuf>::new(), "{at}");
        w.cmd().args(["gen", "--check"]).assert().success();
    }
}

/// On a terminal, restore asks with the diff: "n" exits 1 and writes
/// nothing, "y" writes.
#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_restore_asks_first() {
    let w = story();
    let before = snapshot_dir(&w.home);
    let Some((said, code)) = crate::support::on_a_terminal(&w, "restore 2", "n\n") else {
        return;
    };
    assert!(said.contains("-model = \"alpha-3\""), "{said}");
    assert!(said.contains("from backup generation 2"), "{said}");
    assert!(said.contains("[y/N]"), "{said}");
    assert_eq!(code, Some(1), "{said}");
    assert_eq!(snapshot_dir(&w.home), before, "a \"no\" wrote something");
    let Some((said, code)) = crate::support::on_a_terminal(&w, "restore 2", "y\n") else {
        return;
    };
    assert_eq!(code, Some(0), "{said}");
    assert!(!w.exists("config.toml"), "{said}");
}

/// How many generations `restore --list` shows.
fn generations(w: &World) -> usize {
    list_json(w)["generations"].as_array().map_or(0, Vec::len)
}

/// A whole-file rewrite after lines added by hand that no write of
/// config.toml followed: the `gen --yes` that records them (it finds
/// nothing to change) keeps the file as it is as a generation, so what
/// doctor names as gone, restore brings back; the real Codex reads it.
#[test]
fn lines_added_since_the_last_write_are_kept_by_the_run_that_records_them() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let mut config = w.read("config.toml");
    config.push_str(USER_LINES);
    w.file("codex-home/config.toml", &config);
    let before = generations(&w);
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("kept a copy as backup generation 1"))
        .stderr(contains("nothing to change"));
    assert_eq!(generations(&w), before + 1);
    assert_eq!(w.read("config.toml"), config, "the file is left alone");
    // Said and kept once: a steady run makes no generation.
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("kept a copy").not());
    assert_eq!(generations(&w), before + 1);

    w.file("codex-home/config.toml", STRIPPED);
    let doctor = w.cmd().arg("doctor").output().expect("runs");
    let said = String::from_utf8_lossy(&doctor.stdout);
    assert!(said.contains("mcp_servers.foo"), "{said}");
    assert!(said.contains("projects.\"/x\""), "{said}");
    assert!(said.contains("1 comment line(s)"), "{said}");
    w.cmd()
        .args(["restore", "--yes"])
        .assert()
        .success()
        .stdout(contains("+[mcp_servers.foo]"));
    assert_eq!(w.read("config.toml"), config);
    w.gen_yes();
    assert_eq!(w.read("config.toml"), config);
    codex_reads(&w);
}

/// The same when the run that records the lines writes other files only:
/// its generation holds config.toml as it was too, and restoring it leaves
/// the other files as the generation found them.
#[test]
fn a_run_that_writes_only_profile_files_keeps_config_toml_as_it_found_it() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let mut config = w.read("config.toml");
    config.push_str(USER_LINES);
    w.file("codex-home/config.toml", &config);
    w.catalog(&CATALOG.replace("beta-2", "beta-3"));
    w.gen_yes();
    assert_eq!(w.read("config.toml"), config, "only profile files changed");
    let listing = list_json(&w);
    let files: Vec<&str> = listing["generations"][0]["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(files.contains(&"config.toml"), "{listing:#}");
    w.file("codex-home/config.toml", STRIPPED);
    w.cmd().args(["restore", "--yes"]).assert().success();
    assert_eq!(w.read("config.toml"), config);
}

/// A link planted in the backup folder (a synced or cloned `.codexgen`)
/// is never read through: neither a copy, nor `meta.json`, nor the saved
/// state can make `restore` show or write another file (`auth.json`).
/// A planted label never shows a key either.
#[test]
fn a_link_or_a_key_planted_in_the_backup_folder_is_never_read_through_or_shown() {
    let key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD";
    for planted in ["config.toml", "meta.json", "saved-state.json"] {
        let w = World::new();
        w.catalog(CATALOG);
        w.gen_yes();
        w.file(
            "codex-home/auth.json",
            &format!("{{\"OPENAI_API_KEY\":\"{key}\"}}\n"),
        );
        w.file("codex-home/elsewhere.txt", "line one of another file\n");
        let generation = w.home.join(".codexgen/backup/000009");
        std::fs::create_dir_all(&generation).unwrap();
        std::fs::write(
            generation.join("meta.json"),
            "{\"format\":1,\"time\":1,\"command\":\"gen --yes\",\"files\":[{\"file\":\"config.toml\",\"existed\":true}]}",
        )
        .unwrap();
        std::fs::write(generation.join("config.toml"), "model = \"x\"\n").unwrap();
        std::fs::write(
            generation.join("saved-state.json"),
            w.read(".codexgen/state.json"),
        )
        .unwrap();
        std::fs::remove_file(generation.join(planted)).unwrap();
        let target = if planted == "config.toml" {
            "auth.json"
        } else {
            "elsewhere.txt"
        };
        std::os::unix::fs::symlink(w.home.join(target), generation.join(planted)).unwrap();
        let before = snapshot_dir(&w.home);
        for args in [
            &["restore", "--yes"][..],
            &["restore", "--diff"],
            &["restore", "--list"],
        ] {
            let out = w.cmd().args(args).output().unwrap();
            let said = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!said.contains("abcdefghij"), "{planted} {args:?}: {said}");
            assert!(!said.contains("line one"), "{planted} {args:?}: {said}");
            if planted != "saved-state.json" || args[1] != "--list" {
                assert_eq!(out.status.code(), Some(2), "{planted} {args:?}: {said}");
                assert!(said.contains("symbolic link"), "{planted} {args:?}: {said}");
            }
        }
        assert_eq!(snapshot_dir(&w.home), before, "{planted}: nothing written");
    }
    // A planted label.
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let meta = w.home.join(".codexgen/backup/000001/meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(
        &meta,
        text.replace("\"gen --yes\"", &format!("\"gen {key}\"")),
    )
    .unwrap();
    for args in [
        &["restore", "--list"][..],
        &["restore", "--list", "--format", "json"],
        &["restore", "--diff"],
    ] {
        let out = w.cmd().args(args).output().unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!said.contains("abcdefghij"), "{args:?}: {said}");
    }
}

/// `restore` right after `link` (which keeps its own copy, not a
/// generation): the newest generation is the first `gen`, which created
/// config.toml; restoring it would remove the link and detach the home
/// from the shared file, so it is refused, nothing written.
#[test]
fn a_restore_that_would_remove_a_link_is_refused() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    std::fs::create_dir_all(w.root.join("dotfiles")).unwrap();
    w.cmd()
        .args(["link", "../dotfiles/config.toml", "--yes"])
        .assert()
        .success();
    assert!(is_link(&w.home.join("config.toml")));
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(["restore", "--yes"])
        .assert()
        .code(2)
        .stderr(contains(
            "restoring it would remove the link; nothing was written",
        ))
        .stderr(contains("restore a newer generation"));
    assert_eq!(snapshot_dir(&w.root), before);
}

/// A generation `use` made: restore says the overlay `use` wrote stays,
/// so the next `gen` writes its default again, and names `use -`.
#[test]
fn restoring_what_use_replaced_says_the_overlay_stays() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    w.cmd().args(["use", "beta"]).assert().success();
    w.cmd()
        .args(["restore", "--yes"])
        .assert()
        .success()
        .stderr(contains("`use beta` also wrote the catalog"))
        .stderr(contains(
            "`codexgen use -` switches the default back instead",
        ));
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
}

/// `--format json` is `--list`'s; a number is not.
#[test]
fn json_without_list_and_a_number_with_list_are_bad_usage() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let before = snapshot_dir(&w.root);
    for args in [
        &["restore", "--format", "json"][..],
        &["restore", "--diff", "--format", "json"],
        &["restore", "--yes", "--format", "json"],
        &["restore", "--list", "3"],
    ] {
        w.cmd().args(args).assert().code(2);
    }
    assert_eq!(snapshot_dir(&w.root), before);
}
