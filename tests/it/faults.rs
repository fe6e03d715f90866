//! Crash safety of `gen`, by fault injection: a run is stopped at every
//! filesystem step of its write sequence in turn (the debug binary's fail
//! points, `CODEXGEN_FAIL_AT=N`; see `src/write.rs`), either as by `kill -9`
//! or by a full disk at that step. After each fault, the next `gen --yes`
//! must converge to exactly what a run without faults writes: no file
//! codexgen wrote left unnamed in its state, no leftover temp file, no false
//! drift, the user's own lines intact. Also: a concurrent edit between the
//! plan and a rename is never lost, and a failed state write is reported.
//! The fail points exist only in debug builds, so these tests do too.
#![cfg(debug_assertions)]

use std::path::{Path, PathBuf};

use predicates::str::contains;

use crate::support::{CATALOG, World};

/// The user's own lines, which must survive every fault byte for byte.
const USERS_OWN: &str = "\
# My settings, kept by hand.
approval_policy = \"on-request\"   # ask me

[projects.\"/x\"]
trust_level = \"trusted\"   # my project
";

/// CATALOG with profile `beta` removed and a new profile `gamma` added, on
/// a new provider `gamma-p`, and made the default (so config.toml changes
/// too, and gains a provider table).
fn changed_catalog() -> String {
    CATALOG
        .replace(
            "  beta:\n    provider: beta-p\n    model: beta-2\n    model_reasoning_effort: high\n",
            "  gamma:\n    provider: gamma-p\n    model: gamma-3\n",
        )
        .replace(
            "profiles:\n",
            "  gamma-p:\n    name: Gamma\n    base_url: https://gamma.example/v1\n    env_key: GAMMA_API_KEY\nprofiles:\n",
        )
        .replace("default: alpha", "default: gamma")
}

/// A second machine's view of a shared (linked) file after a fault: a copy
/// of the dotfiles folder as it is (as a sync would bring it), linked from a
/// fresh home with no state, and a catalog that drops every provider the
/// first machine ever wrote. Every such table must go: none was left
/// ownerless. Returns the second machine's config.toml.
fn second_machine_removes_all(w: &World, at: &str) -> String {
    let copy = w.root.join("b/dotfiles");
    for (path, bytes) in crate::support::snapshot_dir(&w.root.join("dotfiles")) {
        let rel = path.strip_prefix(w.root.join("dotfiles")).unwrap();
        std::fs::create_dir_all(copy.join(rel).parent().unwrap()).unwrap();
        std::fs::write(copy.join(rel), bytes).unwrap();
    }
    let home = w.root.join("b/home");
    std::fs::create_dir_all(&home).unwrap();
    std::os::unix::fs::symlink(copy.join("codex.toml"), home.join("config.toml")).unwrap();
    let catalog = w.file(
        "b/providers.yaml",
        "schema: 1\nversion: \"b\"\ndefault: z\nproviders:\n  z-p:\n    name: Z\n    base_url: https://z.example/v1\n    env_key: Z_API_KEY\nprofiles:\n  z:\n    provider: z-p\n    model: z-1\n",
    );
    let out = assert_cmd::Command::cargo_bin("codexgen")
        .unwrap()
        .current_dir(w.root.join("work"))
        .env_remove("CODEX_HOME")
        .env("HOME", w.root.join("b/user"))
        .env("XDG_CONFIG_HOME", w.root.join("b/user/.config"))
        .env("XDG_CACHE_HOME", w.root.join("b/user/.cache"))
        .env("PATH", w.root.join("b/bin"))
        .arg("--codex-home")
        .arg(&home)
        .arg("--catalog")
        .arg(&catalog)
        .args(["gen", "--yes"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{at}: the second machine's run failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = std::fs::read_to_string(copy.join("codex.toml")).unwrap();
    for id in ["alpha-p", "beta-p", "gamma-p"] {
        assert!(
            !config.contains(&format!("[model_providers.{id}]")),
            "{at}: {id} is left ownerless on the second machine:\n{config}"
        );
    }
    assert!(
        config.contains(USERS_OWN.lines().nth(3).unwrap()),
        "{config}"
    );
    std::fs::remove_dir_all(w.root.join("b")).unwrap();
    config
}

/// A home to fault: what exists before the faulted run, and its catalog.
struct Scenario {
    version: &'static str,
    /// The catalog written with a clean run before the faulted one, if any.
    before: Option<&'static str>,
    /// config.toml is a symlink into a dotfiles folder.
    linked: bool,
}

impl Scenario {
    /// A world ready for the faulted run.
    fn world(&self) -> World {
        let w = World::new();
        if self.linked {
            w.file("dotfiles/codex.toml", USERS_OWN);
            std::os::unix::fs::symlink(
                w.root.join("dotfiles/codex.toml"),
                w.home.join("config.toml"),
            )
            .unwrap();
        } else {
            w.file("codex-home/config.toml", USERS_OWN);
        }
        if let Some(before) = self.before {
            w.catalog(before);
            self.run(&w).assert().success();
        }
        w.catalog(&changed_catalog());
        w
    }

    fn run(&self, w: &World) -> assert_cmd::Command {
        let mut cmd = w.cmd();
        cmd.args(["--codex-version", self.version, "gen", "--yes"]);
        cmd
    }

    fn check(&self, w: &World) -> std::process::Output {
        w.cmd()
            .args(["--codex-version", self.version, "gen", "--check"])
            .output()
            .unwrap()
    }
}

/// Every regular file under `dir` with its bytes, by path relative to
/// `dir`; codexgen's backups (whose content depends on the run's history)
/// and its lock (empty, there or not) are left out. `dir` itself, in the
/// paths the state records (the catalog that wrote the home), reads
/// `[ROOT]`, so that two worlds compare.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let root = std::fs::canonicalize(dir).unwrap();
    let root = root.to_string_lossy();
    crate::support::snapshot_dir(dir)
        .into_iter()
        .map(|(path, bytes)| {
            let bytes = match String::from_utf8(bytes) {
                Ok(text) => text.replace(&*root, "[ROOT]").into_bytes(),
                Err(e) => e.into_bytes(),
            };
            (path.strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .filter(|(path, _)| {
            // Relative to `dir`, which may be the scratch root above the home.
            let path = path.to_string_lossy();
            !path.contains(".codexgen/backup") && !path.ends_with(".codexgen/lock")
        })
        .collect()
}

/// codexgen's temp files anywhere under `dir`.
fn temps(dir: &Path) -> Vec<PathBuf> {
    crate::support::snapshot_dir(dir)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with(".codexgen-") && name.ends_with(".tmp")
        })
        .collect()
}

/// Profile files that carry codexgen's header but that the state file on
/// disk does not name as written (a pending entry does not count).
fn ownerless(w: &World) -> Vec<String> {
    // One line per file; a pending entry is in the journal, not here.
    let files = std::fs::read_to_string(w.home.join(".codexgen/state.json")).unwrap_or_default();
    std::fs::read_dir(&w.home)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".config.toml"))
        .filter(|name| {
            std::fs::read_to_string(w.home.join(name))
                .unwrap()
                .starts_with("# codexgen: generated")
        })
        .filter(|name| !files.contains(&format!("\n\"{name}\": {{")))
        .collect()
}

/// Stops the run at each fail point in turn, in `mode`, and checks the
/// next run converges. Returns how many fail points were reached.
fn fault_every_step(scenario: &Scenario, mode: &str) -> usize {
    // What a run without faults writes.
    let clean = scenario.world();
    scenario.run(&clean).assert().success();
    let expected = contents(&clean.root);
    let config = std::fs::read_to_string(clean.home.join("config.toml")).unwrap();
    assert!(
        config.contains(USERS_OWN.lines().nth(3).unwrap()),
        "{config}"
    );

    for n in 1.. {
        let w = scenario.world();
        let out = scenario
            .run(&w)
            .env("CODEXGEN_FAIL_AT", n.to_string())
            .env("CODEXGEN_FAIL_MODE", mode)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let Some(at) = stderr
            .lines()
            .find(|l| l.starts_with("codexgen: fail point"))
        else {
            assert!(
                out.status.success(),
                "run without a fault failed:\n{stderr}"
            );
            assert_eq!(contents(&w.root), expected);
            eprintln!("{} fail points", n - 1);
            return n - 1;
        };
        let at = at.to_owned();
        let code = out.status.code();
        match mode {
            "exit" => assert_eq!(code, Some(137), "{at}\n{stderr}"),
            // A folder that cannot be synced is not the run's failure.
            _ if at.contains(": fsync-dir ") => assert_eq!(code, Some(0), "{at}\n{stderr}"),
            _ => {
                assert_eq!(code, Some(2), "{at}\n{stderr}");
                assert!(stderr.contains("No space left on device"), "{at}\n{stderr}");
            }
        }
        // Before any repair: --check never calls a home with an ownerless
        // file in sync.
        let check = scenario.check(&w);
        let own = ownerless(&w);
        assert!(
            own.is_empty() || check.status.code() == Some(1),
            "{at}: ownerless {own:?}, yet --check says\n{}",
            String::from_utf8_lossy(&check.stdout)
        );
        // Nor does another machine that shares the linked file.
        if scenario.linked {
            second_machine_removes_all(&w, &at);
        }
        // The next run converges to what a run without faults writes.
        let next = scenario.run(&w).output().unwrap();
        assert!(
            next.status.success(),
            "{at}: the next run failed:\n{}",
            String::from_utf8_lossy(&next.stderr)
        );
        let check = scenario.check(&w);
        let said = String::from_utf8_lossy(&check.stdout);
        assert_eq!(check.status.code(), Some(0), "{at}: --check says\n{said}");
        assert!(said.contains("in sync"), "{at}: {said}");
        assert!(!said.contains("drift"), "{at}: {said}");
        assert_eq!(contents(&w.root), expected, "{at}");
        assert_eq!(temps(&w.root), Vec::<PathBuf>::new(), "{at}");
        assert!(ownerless(&w).is_empty(), "{at}");
    }
    unreachable!()
}

const FRESH: Scenario = Scenario {
    version: "0.169.0",
    before: None,
    linked: false,
};
const CHANGED: Scenario = Scenario {
    version: "0.169.0",
    before: Some(CATALOG),
    linked: false,
};
const LEGACY: Scenario = Scenario {
    version: "0.133.0",
    before: Some(CATALOG),
    linked: false,
};
const LINKED: Scenario = Scenario {
    version: "0.169.0",
    before: Some(CATALOG),
    linked: true,
};

#[test]
fn a_kill_at_any_step_of_a_first_run_is_repaired_by_the_next() {
    assert!(fault_every_step(&FRESH, "exit") > 30);
}

#[test]
fn a_kill_at_any_step_while_profiles_come_and_go_is_repaired_by_the_next_run() {
    assert!(fault_every_step(&CHANGED, "exit") > 30);
}

#[test]
fn a_kill_at_any_step_in_the_legacy_layout_is_repaired_by_the_next_run() {
    assert!(fault_every_step(&LEGACY, "exit") > 20);
}

#[test]
fn a_kill_at_any_step_through_a_symlink_is_repaired_by_the_next_run() {
    assert!(fault_every_step(&LINKED, "exit") > 30);
}

#[test]
fn a_full_disk_at_any_step_through_a_symlink_is_repaired_by_the_next_run() {
    assert!(fault_every_step(&LINKED, "enospc") > 30);
}

#[test]
fn a_full_disk_at_any_step_of_a_first_run_is_repaired_by_the_next() {
    assert!(fault_every_step(&FRESH, "enospc") > 30);
}

#[test]
fn a_full_disk_at_any_step_while_profiles_come_and_go_is_repaired_by_the_next_run() {
    assert!(fault_every_step(&CHANGED, "enospc") > 30);
}

#[test]
fn a_full_disk_at_any_step_in_the_legacy_layout_is_repaired_by_the_next_run() {
    assert!(fault_every_step(&LEGACY, "enospc") > 20);
}

/// The case the issue names: a kill between a new profile file's rename and
/// the state write, then the profile leaves the catalog.
#[test]
fn a_profile_file_written_by_a_killed_run_is_removed_when_it_leaves_the_catalog() {
    let w = CHANGED.world();
    CHANGED
        .run(&w)
        // Every file renamed into place, the final state not yet saved.
        .env("CODEXGEN_FAIL_AT", "rename:state.json")
        .assert()
        .code(137);
    assert!(w.exists("gamma.config.toml"));
    CHANGED
        .check(&w)
        .status
        .code()
        .filter(|&c| c == 1)
        .expect("--check reports the unfinished run");
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains(".codexgen/state.json: unfinished"));
    // Scripts see it too: in the JSON report, and as --diff --exit-code's 1.
    let out = w
        .cmd()
        .args([
            "--codex-version",
            "0.169.0",
            "gen",
            "--check",
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).expect("one JSON document");
    assert_eq!(report["state"], "unfinished");
    assert_eq!(report["out_of_date"], true);
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--diff", "--exit-code"])
        .assert()
        .code(1);
    w.catalog(CATALOG);
    CHANGED.run(&w).assert().success();
    assert!(!w.exists("gamma.config.toml"));
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--check"])
        .assert()
        .success()
        .stdout(contains("in sync"));
}

/// A full disk at the final state write: the run says so (it used to be
/// silent about the state it could not write), and the next run finishes.
#[test]
fn a_state_write_that_fails_is_reported_and_finished_by_the_next_run() {
    let w = CHANGED.world();
    CHANGED
        .run(&w)
        .env("CODEXGEN_FAIL_AT", "rename:state.json")
        .env("CODEXGEN_FAIL_MODE", "enospc")
        .assert()
        .code(2)
        .stderr(contains(format!(
            "error: cannot save codexgen's state in {}",
            w.home.join(".codexgen/state.json").display()
        )));
    assert!(w.exists("gamma.config.toml") && !w.exists("beta.config.toml"));
    // gamma is named only by the run's journal, which --check reports.
    let state = std::fs::read_to_string(w.home.join(".codexgen/state.json")).unwrap();
    assert!(!state.contains("\n\"gamma.config.toml\": {"), "{state}");
    let journal = std::fs::read_to_string(w.home.join(".codexgen/pending.json")).unwrap();
    assert!(journal.contains("\n\"gamma.config.toml\": {"), "{journal}");
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains("unfinished"));
    CHANGED.run(&w).assert().success().stderr(contains(
        "finished the record of an interrupted codexgen run",
    ));
    assert!(!w.exists(".codexgen/pending.json"));
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--check"])
        .assert()
        .success();
}

/// A run that stops at a full disk part way records what it wrote, so the
/// state is final (nothing pending) and names the files written.
#[test]
fn a_run_stopped_by_a_full_disk_records_what_it_wrote() {
    let w = CHANGED.world();
    CHANGED
        .run(&w)
        .env("CODEXGEN_FAIL_AT", "rename:gamma.config.toml")
        .env("CODEXGEN_FAIL_MODE", "enospc")
        .assert()
        .code(2)
        .stderr(contains(
            "cannot write the Codex home; codexgen stopped after",
        ));
    let state = std::fs::read_to_string(w.home.join(".codexgen/state.json")).unwrap();
    assert!(!w.exists(".codexgen/pending.json"));
    // config.toml and alpha come first, then gamma, then beta's deletion.
    assert!(!state.contains("\"gamma.config.toml\""), "{state}");
    assert!(
        state.contains("gamma-3"),
        "config.toml was written: {state}"
    );
    assert!(state.contains("\"beta.config.toml\""), "{state}");
    assert!(!w.exists("gamma.config.toml") && w.exists("beta.config.toml"));
    CHANGED.run(&w).assert().success();
    assert!(w.exists("gamma.config.toml") && !w.exists("beta.config.toml"));
}

/// Temp files a killed run left are removed by the next writing run, even
/// when it has nothing else to do; files that only look alike stay, and so
/// do the temp files of a run still alive (another home's, writing the
/// same folder through a link) and an older codexgen's unless an hour old.
#[test]
fn leftover_temp_files_are_removed_by_the_next_run() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let dead = {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        child.id()
    };
    let live = std::process::id();
    let left = [
        w.file(&format!("codex-home/.codexgen-{dead}-Ab12Cd.tmp"), "x"),
        w.file(
            &format!("codex-home/.codexgen/.codexgen-{dead}-Ef34Gh.tmp"),
            "x",
        ),
        w.file(
            &format!("codex-home/.codexgen/backup/.codexgen-{dead}-Ij56Kl.tmp"),
            "x",
        ),
        w.file("codex-home/.codexgen-Mn78Op.tmp", "x"),
    ];
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3601);
    std::fs::File::options()
        .write(true)
        .open(&left[3])
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let alike = [
        w.file("codex-home/codexgen-Ab12Cd.tmp", "mine"),
        w.file("codex-home/.codexgen-notes.tmp.txt", "mine"),
        w.file(&format!("codex-home/.codexgen-{live}-Qr90St.tmp"), "live"),
        w.file("codex-home/.codexgen-Uv12Wx.tmp", "fresh"),
    ];
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .success()
        .stdout(contains("in sync"));
    assert!(left.iter().all(|p| p.exists()), "--check removed nothing");
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("nothing to change"));
    assert!(left.iter().all(|p| !p.exists()));
    assert!(alike.iter().all(|p| p.exists()));
}

/// Issue 9, class 5: a line another program appends to config.toml after
/// the plan (and after the check under the lock), right before the rename,
/// is not lost: the run stops, leaves the file as it is, and writes
/// nothing more.
#[test]
fn a_line_appended_right_before_the_rename_stops_the_run() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", USERS_OWN);
    let appended = "# added by another program while codexgen was writing\n";
    let config = w.home.join("config.toml");
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--yes"])
        .env("CODEXGEN_FAIL_AT", "compare:config.toml")
        .env("CODEXGEN_FAIL_MODE", "append")
        .assert()
        .code(2)
        .stderr(contains(format!(
            "error: {} changed while codexgen was writing; it was left as it is, and nothing after it was written",
            config.display()
        )));
    assert_eq!(w.read("config.toml"), format!("{USERS_OWN}{appended}"));
    assert!(!w.exists("alpha.config.toml") && !w.exists("beta.config.toml"));
    // The next run plans from the new text and keeps the line.
    w.gen_yes_for("0.169.0");
    let config = w.read("config.toml");
    for line in USERS_OWN.lines().chain([appended.trim_end()]) {
        assert!(config.lines().any(|l| l == line), "{line} lost:\n{config}");
    }
}

/// The same after a file was written: what was written stays recorded.
#[test]
fn a_profile_file_edited_right_before_its_rename_stops_the_run_after_config() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    w.catalog(
        &CATALOG
            .replace("model: beta-2", "model: beta-3")
            .replace("name: Beta", "name: Beta 3"),
    );
    let beta = w.read("beta.config.toml");
    w.cmd()
        .args(["gen", "--yes"])
        .env("CODEXGEN_FAIL_AT", "compare:beta.config.toml")
        .env("CODEXGEN_FAIL_MODE", "append")
        .assert()
        .code(2)
        .stderr(contains("beta.config.toml changed while codexgen was writing"))
        .stderr(contains(
            "= help: the 1 file(s) written before it are recorded; run codexgen again to see the new diff",
        ));
    assert!(w.read("beta.config.toml").starts_with(&beta));
    assert!(
        w.read("beta.config.toml")
            .ends_with("while codexgen was writing\n")
    );
    assert!(!w.exists(".codexgen/pending.json"));
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stdout(contains("beta.config.toml: out of date\n"))
        .stdout(contains("1 file(s) out of date"));
}
