//! Whose catalog a home is (issue 20, point 4): a home remembers the
//! catalog that wrote it; a catalog found in whatever folder a command runs
//! in does not take the home over under `--yes` unless it is named
//! (`--catalog`, `CODEXGEN_CATALOG`); reports say it; the commands that act
//! with the home as it is (aliases, exec, ...) read the home's catalog.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

use crate::support::{CATALOG, World, snapshot_dir};

/// The user's own catalog, in `~/.config/codexgen/providers.yaml`.
const MINE: &str = r#"schema: 1
version: "mine-1"
default: mine
providers:
  gateway:
    name: ACME gateway
    base_url: https://llm.acme.internal/openai/v1
    env_key: ACME_LLM_KEY
profiles:
  mine:
    provider: gateway
    model: acme-large
  fast:
    provider: gateway
    model: acme-small
"#;

fn canonical(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// A world whose home was written from the user's catalog (found in the
/// config folder, from a folder with no catalog), with a project folder
/// (`work/`) that ships another catalog. Returns the two catalogs' paths.
fn written_from_mine(w: &World) -> (PathBuf, PathBuf) {
    let mine = w.file("user/.config/codexgen/providers.yaml", MINE);
    let shipped = w.catalog(CATALOG);
    std::fs::create_dir_all(w.root.join("elsewhere")).unwrap();
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["gen", "--yes"])
        .assert()
        .success();
    assert!(w.exists("mine.config.toml"));
    (mine, shipped)
}

fn stderr(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

#[test]
fn a_catalog_found_in_the_current_folder_does_not_take_a_home_over_under_yes() {
    let w = World::new();
    let (mine, shipped) = written_from_mine(&w);
    let before = snapshot_dir(&w.home);
    for args in [&["-q", "gen", "--yes"][..], &["gen", "--yes"], &["gen"]] {
        let out = w.cmd().args(args).assert().code(2);
        let err = stderr(&out);
        assert!(err.contains(&canonical(&mine)), "{args:?}: {err}");
        assert!(err.contains(&canonical(&shipped)), "{args:?}: {err}");
        assert!(err.contains("nothing was written"), "{args:?}: {err}");
        assert!(
            err.contains(&format!("codexgen --catalog {} gen", canonical(&shipped))),
            "{args:?}: {err}"
        );
        assert!(err.contains("CODEXGEN_CATALOG="), "{args:?}: {err}");
        assert_eq!(snapshot_dir(&w.home), before, "{args:?} wrote");
    }
    // From a folder with no catalog, the home's own is found: in sync.
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr("");
    // An empty CODEXGEN_CATALOG names nothing.
    w.cmd()
        .env("CODEXGEN_CATALOG", "")
        .args(["-q", "gen", "--yes"])
        .assert()
        .code(2);
    assert_eq!(snapshot_dir(&w.home), before);
}

#[test]
fn a_named_catalog_switches_the_home_and_the_record_follows_it() {
    let w = World::new();
    let (mine, shipped) = written_from_mine(&w);
    // Named by the variable, from any folder: written.
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .env("CODEXGEN_CATALOG", &shipped)
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr("");
    assert!(w.exists("alpha.config.toml") && !w.exists("mine.config.toml"));
    // The home is the shipped catalog's now: the user's own, found in the
    // config folder, is the stranger.
    let before = snapshot_dir(&w.home);
    let out = w
        .cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .code(2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "was written from catalog {}; this run found {} (found in the user's config folder)",
            canonical(&shipped),
            canonical(&mine)
        )),
        "{err}"
    );
    assert_eq!(snapshot_dir(&w.home), before);
    // --catalog wins over the variable, and switches back, saying so.
    w.cmd()
        .env("CODEXGEN_CATALOG", &shipped)
        .arg("--catalog")
        .arg(&mine)
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(format!(
            "this home was written from catalog {}; it records {} from now on",
            canonical(&shipped),
            canonical(&mine)
        )));
    assert!(w.exists("mine.config.toml") && !w.exists("alpha.config.toml"));
}

#[test]
fn diff_check_and_json_say_which_catalog_wrote_the_home() {
    let w = World::new();
    let (mine, shipped) = written_from_mine(&w);
    let both = |err: &str| err.contains(&canonical(&mine)) && err.contains(&canonical(&shipped));
    let out = w.cmd().args(["gen", "--diff"]).assert().success();
    assert!(both(&stderr(&out)), "{}", stderr(&out));
    let out = w.cmd().args(["gen", "--check"]).assert().code(1);
    assert!(both(&stderr(&out)), "{}", stderr(&out));
    let out = w
        .cmd()
        .args(["gen", "--diff", "--format", "json"])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| both(w["message"].as_str().unwrap())
            && w["help"].as_str().unwrap().contains("--catalog")),
        "{report:#}"
    );
    // Named, it is said no more.
    let out = w
        .cmd()
        .arg("--catalog")
        .arg(&shipped)
        .args(["gen", "--check"])
        .assert()
        .code(1);
    assert!(!stderr(&out).contains("was written from catalog"));
}

#[test]
fn aliases_exec_and_completions_read_the_home_s_catalog_in_any_folder() {
    let w = World::new();
    let (mine, shipped) = written_from_mine(&w);
    // An rc file's `eval "$(codexgen aliases)"` in a shell that starts in
    // the project folder.
    let out = w.cmd().arg("aliases").assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("codex-mine()"), "{stdout}");
    assert!(!stdout.contains("codex-alpha"), "{stdout}");
    let err = stderr(&out);
    assert!(err.contains("reading the home's catalog"), "{err}");
    assert!(err.contains(&canonical(&shipped)), "{err}");
    w.cmd()
        .args(["-q", "aliases"])
        .assert()
        .success()
        .stderr("")
        .stdout(contains("codex-fast()"));
    w.cmd()
        .env("ACME_LLM_KEY", "k")
        .args(["-q", "exec", "--print", "mine"])
        .assert()
        .success()
        .stdout(contains("acme-large"));
    w.cmd()
        .args(["-q", "completions", "bash"])
        .assert()
        .success()
        .stdout(contains("mine").and(contains("alpha").not()));
    // Named, the other catalog is read.
    w.cmd()
        .arg("--catalog")
        .arg(&shipped)
        .args(["-q", "aliases"])
        .assert()
        .success()
        .stdout(contains("codex-alpha()").and(contains("codex-mine").not()));
    // The home's catalog gone: nothing to read in its place, and nothing
    // printed for the shell to run.
    std::fs::remove_file(&mine).unwrap();
    let out = w.cmd().args(["-q", "aliases"]).assert().code(2).stdout("");
    let err = stderr(&out);
    assert!(err.contains("(no longer there)"), "{err}");
    assert!(err.contains("--catalog"), "{err}");
}

#[test]
fn a_home_written_before_the_record_records_its_first_catalog() {
    let w = World::new();
    let (mine, shipped) = written_from_mine(&w);
    // As an older codexgen left it: no `catalog` in the state.
    let state = w.home.join(".codexgen/state.json");
    let text = std::fs::read_to_string(&state).unwrap();
    let old: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("\"catalog\""))
        .collect();
    assert_ne!(old, text, "the state records no catalog: {text}");
    std::fs::write(&state, &old).unwrap();
    // A catalog found in the current folder does not take it either: the
    // folder would decide whose setup an upgraded home gets.
    let before = snapshot_dir(&w.home);
    for args in [&["-q", "gen", "--yes"][..], &["gen"]] {
        let out = w.cmd().args(args).assert().code(2);
        let err = stderr(&out);
        assert!(
            err.contains("was written from catalog <not recorded: an older codexgen wrote this home>; this run found"),
            "{args:?}: {err}"
        );
        assert!(err.contains(&canonical(&shipped)), "{args:?}: {err}");
        assert!(err.contains("nothing was written"), "{args:?}: {err}");
        assert!(err.contains("codexgen --catalog"), "{args:?}: {err}");
        assert_eq!(snapshot_dir(&w.home), before, "{args:?} wrote");
    }
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stderr(contains(
            "<not recorded: an older codexgen wrote this home>",
        ));
    // Nor do the commands that act with the home as it is read it: an rc
    // file's `eval "$(codexgen aliases)"` gets nothing to run.
    for args in [&["-q", "aliases"][..], &["-q", "exec", "--print", "alpha"]] {
        let out = w
            .cmd()
            .env("ALPHA_API_KEY", "k")
            .args(args)
            .assert()
            .code(2)
            .stdout("");
        let err = stderr(&out);
        assert!(err.contains("<not recorded"), "{args:?}: {err}");
        assert!(err.contains(&canonical(&shipped)), "{args:?}: {err}");
        assert!(err.contains("--catalog"), "{args:?}: {err}");
    }
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "aliases"])
        .assert()
        .success()
        .stdout(contains("codex-mine()"));
    assert_eq!(snapshot_dir(&w.home), before);
    // The first run that reads a catalog not found in the folder records
    // it, without asking.
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr("");
    let recorded = std::fs::read_to_string(&state).unwrap();
    assert!(recorded.contains("\"catalog\": {\"home\":"), "{recorded}");
    assert!(recorded.contains(&canonical(&mine)), "{recorded}");
    // From then on, the catalog in the folder is the stranger it is to a
    // recorded home.
    w.cmd()
        .args(["-q", "gen", "--yes"])
        .assert()
        .code(2)
        .stderr(contains(canonical(&mine)));
    // Named, a catalog in the folder takes an unrecorded home.
    std::fs::write(&state, &old).unwrap();
    w.cmd()
        .arg("--catalog")
        .arg("providers.yaml")
        .args(["-q", "gen", "--yes"])
        .assert()
        .success();
    assert!(w.exists("alpha.config.toml"));
}

/// A home kept in a repository (the CI recipe's `--codex-home
/// ./fixtures/codex`), written by an older codexgen: the repository's own
/// catalog, found in the folder that holds the home, records itself.
#[test]
fn an_unrecorded_home_inside_the_catalog_s_folder_takes_that_catalog() {
    let w = World::new();
    w.catalog(CATALOG);
    let home = w.root.join("work/fixtures/codex");
    std::fs::create_dir_all(&home).unwrap();
    let run = || in_folder(&w, &w.root.join("work"), "fixtures/codex");
    run().args(["-q", "gen", "--yes"]).assert().success();
    let state = home.join(".codexgen/state.json");
    let text = std::fs::read_to_string(&state).unwrap();
    let old: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("\"catalog\""))
        .collect();
    std::fs::write(&state, &old).unwrap();
    run()
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr("");
    assert!(
        std::fs::read_to_string(&state)
            .unwrap()
            .contains("\"catalog\": {")
    );
}

#[test]
fn a_moved_catalog_is_still_the_home_s_and_a_copy_is_not() {
    let w = World::new();
    let old = w.file("old/providers.yaml", MINE);
    w.cmd()
        .current_dir(w.root.join("old"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success();
    // A copy elsewhere while the first is still there is another catalog:
    // it changes nothing, so nothing is written, but it is said.
    let copy = w.file("copy/providers.yaml", MINE);
    let before = snapshot_dir(&w.home);
    w.cmd()
        .current_dir(w.root.join("copy"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(canonical(&old)).and(contains(canonical(&copy))));
    assert_eq!(snapshot_dir(&w.home), before);
    // Moved: the old place is gone and the text is the same.
    let moved = w.root.join("moved");
    std::fs::rename(w.root.join("old"), &moved).unwrap();
    let out = w
        .cmd()
        .current_dir(&moved)
        .args(["gen", "--yes"])
        .assert()
        .success();
    assert!(stderr(&out).contains("moved"), "{}", stderr(&out));
    let state = std::fs::read_to_string(w.home.join(".codexgen/state.json")).unwrap();
    let recorded = serde_json::to_string(&canonical(&moved.join("providers.yaml"))).unwrap();
    assert!(state.contains(&recorded), "{state}");
    // The copy is a stranger still, now to the moved one.
    std::fs::write(&copy, MINE.replace("acme-small", "acme-tiny")).unwrap();
    w.cmd()
        .current_dir(w.root.join("copy"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .code(2);
}

#[test]
fn adopt_and_doctor_read_the_home_s_catalog_in_any_folder() {
    let w = World::new();
    let (mine, _) = written_from_mine(&w);
    let config = w.read("config.toml");
    std::fs::write(
        w.home.join("config.toml"),
        config.replace("\"acme-large\"", "\"picked-in-tui\""),
    )
    .unwrap();
    // doctor, in the project folder, judges the home by the catalog that
    // wrote it: one value edited by hand, nothing from the other catalog.
    let out = w.cmd().args(["-q", "doctor"]).assert();
    let doctor = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(doctor.contains("model"), "{doctor}");
    assert!(!doctor.contains("alpha"), "{doctor}");
    // adopt writes the edit into the overlay beside the home's catalog,
    // never beside the one found in the project folder.
    w.cmd().args(["-q", "adopt", "--yes"]).assert().success();
    let overlay = mine.with_file_name("providers.local.yaml");
    let adopted = std::fs::read_to_string(&overlay).unwrap();
    assert!(adopted.contains("picked-in-tui"), "{adopted}");
    assert!(!w.root.join("work/providers.local.yaml").exists());
    // The overlay that appeared beside the home's catalog is still its
    // catalog: gen from a folder without one writes, as before.
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr("");
}

#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_gen_asks_naming_both_catalogs_and_a_yes_switches_the_home() {
    let w = World::new();
    let (mine, shipped) = written_from_mine(&w);
    let before = snapshot_dir(&w.home);
    let Some((said, code)) = crate::support::on_a_terminal(&w, "gen", "n\n") else {
        return;
    };
    // `script` folds long lines: compare without line breaks.
    let said = said.replace("\r\n", "").replace('\n', "");
    assert!(
        said.contains(&format!(
            "from {}, replacing the catalog that wrote this home ({})? [y/N]",
            canonical(&shipped),
            canonical(&mine)
        )),
        "{said}"
    );
    assert_eq!(code, Some(1), "{said}");
    assert_eq!(snapshot_dir(&w.home), before, "a \"no\" wrote something");
    let Some((said, code)) = crate::support::on_a_terminal(&w, "gen", "y\n") else {
        return;
    };
    assert_eq!(code, Some(0), "{said}");
    assert!(w.exists("alpha.config.toml") && !w.exists("mine.config.toml"));
    // The home is the shipped catalog's now: -q gen --yes in its folder
    // writes nothing and says nothing.
    w.cmd()
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr("");
}

/// `codexgen` as `World::cmd` runs it, in `dir`, with `home` as the Codex
/// home (relative to `dir`).
fn in_folder(w: &World, dir: &Path, home: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("codexgen").unwrap();
    cmd.current_dir(dir)
        .env_remove("CODEX_HOME")
        .env("HOME", w.root.join("user"))
        .env("XDG_CONFIG_HOME", w.root.join("user/.config"))
        .env("XDG_CACHE_HOME", w.root.join("user/.cache"))
        .env("NO_COLOR", "1")
        .env("PATH", w.root.join("bin"))
        .env("CODEXGEN_SYSTEM_CODEX_DIR", w.root.join("etc-codex"))
        .args(["--codex-home", home]);
    cmd
}

/// A repository that keeps a Codex home beside its catalog (the pre-commit
/// recipe of docs/recipes.md: `--codex-home ./fixtures/codex`), cloned at another path: the
/// clone's catalog is the home's, found at the same place relative to it.
#[test]
fn a_home_kept_in_a_repository_with_its_catalog_is_the_catalog_s_in_every_clone() {
    let w = World::new();
    let repo = w.root.join("repo");
    w.file("repo/providers.yaml", CATALOG);
    std::fs::create_dir_all(repo.join("fixtures/codex")).unwrap();
    in_folder(&w, &repo, "fixtures/codex")
        .args(["-q", "gen", "--yes"])
        .assert()
        .success();
    // Cloned elsewhere (the first clone gone), and the catalog edited.
    let clone = w.root.join("elsewhere/clone");
    for (path, bytes) in snapshot_dir(&repo) {
        let to = clone.join(path.strip_prefix(&repo).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    std::fs::remove_dir_all(&repo).unwrap();
    std::fs::write(
        clone.join("providers.yaml"),
        CATALOG.replace("alpha-1", "alpha-2"),
    )
    .unwrap();
    in_folder(&w, &clone, "fixtures/codex")
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr("");
    let config = std::fs::read_to_string(clone.join("fixtures/codex/config.toml")).unwrap();
    assert!(config.contains("alpha-2"), "{config}");
    // Another catalog found for that home is still another one.
    let sub = clone.join("fixtures");
    std::fs::write(sub.join("providers.yaml"), MINE).unwrap();
    in_folder(&w, &sub, "codex")
        .args(["-q", "gen", "--yes"])
        .assert()
        .code(2)
        .stderr(contains(canonical(&clone.join("providers.yaml"))));
}

/// probe sends the user's key variables to the catalog's endpoints: in a
/// folder that ships another catalog it still probes the home's.
#[test]
fn probe_asks_the_endpoints_of_the_home_s_catalog_in_any_folder() {
    let w = World::new();
    w.file(
        "user/.config/codexgen/providers.yaml",
        &MINE.replace(
            "https://llm.acme.internal/openai/v1",
            "http://127.0.0.1:9/v1",
        ),
    );
    w.catalog(CATALOG);
    std::fs::create_dir_all(w.root.join("elsewhere")).unwrap();
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success();
    let out = w
        .cmd()
        .env("ACME_LLM_KEY", "k")
        .args(["-q", "probe", "--timeout", "5", "--format", "json"])
        .assert()
        .code(1);
    let report = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(report.contains("127.0.0.1:9"), "{report}");
    assert!(!report.contains("alpha.example"), "{report}");
}

#[test]
fn a_home_written_from_the_built_in_catalog_is_not_taken_by_a_file_found_later() {
    let w = World::new();
    std::fs::create_dir_all(w.root.join("elsewhere")).unwrap();
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success();
    let shipped = w.catalog(CATALOG);
    let before = snapshot_dir(&w.home);
    w.cmd()
        .args(["-q", "gen", "--yes"])
        .assert()
        .code(2)
        .stderr(
            contains("was written from catalog <built-in providers.yaml>")
                .and(contains(canonical(&shipped))),
        );
    assert_eq!(snapshot_dir(&w.home), before);
    // aliases in that folder: the built-in catalog's functions.
    let builtin = w
        .cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "aliases"])
        .output()
        .unwrap()
        .stdout;
    w.cmd()
        .args(["-q", "aliases"])
        .assert()
        .success()
        .stdout(String::from_utf8(builtin).unwrap());
}

/// Two machines sharing a linked config.toml (the two-machine recipe), each
/// with its clone of the dotfiles at another path and its catalog found
/// there: each home records its own catalog, so neither refuses the other's
/// write, and the record that travels with the file names no catalog.
#[test]
fn machines_sharing_a_linked_config_each_keep_their_own_catalog() {
    let w = World::new();
    w.file("dotfiles/config.toml", "");
    for machine in ["a", "b"] {
        w.file(&format!("{machine}/clone/providers.yaml"), CATALOG);
        std::fs::create_dir_all(w.root.join(format!("{machine}/home"))).unwrap();
        std::os::unix::fs::symlink(
            w.root.join("dotfiles/config.toml"),
            w.root.join(format!("{machine}/home/config.toml")),
        )
        .unwrap();
    }
    let run = |machine: &str| {
        in_folder(&w, &w.root.join(format!("{machine}/clone")), "../home")
            .args(["-q", "gen", "--yes"])
            .assert()
            .success()
            .stderr("");
    };
    run("a");
    run("b");
    for machine in ["a", "b"] {
        w.file(
            &format!("{machine}/clone/providers.yaml"),
            &CATALOG.replace("alpha-1", "alpha-2"),
        );
    }
    run("b");
    run("a");
    let shared = std::fs::read_to_string(w.root.join("dotfiles/config.toml")).unwrap();
    assert!(shared.contains("alpha-2"), "{shared}");
    let record =
        std::fs::read_to_string(w.root.join("dotfiles/.codexgen/config.toml.json")).unwrap();
    assert!(!record.contains("providers.yaml"), "{record}");
}

/// `CODEXGEN_CATALOG` pins one catalog for rc files and hooks, which run in
/// any folder: a relative value would name a different file in each folder
/// (the folder deciding again), and one that names nothing readable must
/// say that the variable named it. Each is refused before anything is read
/// or written, naming the variable, its value, and the way out.
#[test]
fn codexgen_catalog_must_name_one_file_wherever_a_command_runs() {
    let w = World::new();
    let (mine, _shipped) = written_from_mine(&w);
    let before = snapshot_dir(&w.home);
    for value in [
        "providers.yaml",
        "./providers.yaml",
        "~/.config/codexgen/providers.yaml",
    ] {
        for args in [
            &["-q", "gen", "--yes"][..],
            &["aliases"],
            &["exec", "--print", "mine"],
        ] {
            let out = w
                .cmd()
                .env("CODEXGEN_CATALOG", value)
                .args(args)
                .assert()
                .code(2)
                .stdout("");
            let err = stderr(&out);
            assert!(
                err.contains(&format!("CODEXGEN_CATALOG={value} is not an absolute path")),
                "{value} {args:?}: {err}"
            );
            assert!(
                err.contains("--catalog") || err.contains("$HOME"),
                "{value} {args:?}: {err}"
            );
            assert_eq!(snapshot_dir(&w.home), before, "{value} {args:?} wrote");
        }
    }
    let out = w
        .cmd()
        .env("CODEXGEN_CATALOG", "~/.config/codexgen/providers.yaml")
        .arg("aliases")
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains(r#"CODEXGEN_CATALOG="$HOME/.config/codexgen/providers.yaml""#),
        "{}",
        stderr(&out)
    );
    // Absolute, but nothing there, or a folder: the variable is named, and
    // the help is to fix or unset it, not to move the folder away.
    let missing = w.root.join("gone/providers.yaml");
    for (value, what) in [
        (missing.clone(), "which is not there"),
        (w.root.join("work"), "which is a folder"),
    ] {
        let out = w
            .cmd()
            .env("CODEXGEN_CATALOG", &value)
            .args(["-q", "aliases"])
            .assert()
            .code(2)
            .stdout("");
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "CODEXGEN_CATALOG names {}, {what}",
                value.display()
            )),
            "{err}"
        );
        assert!(err.contains("unset CODEXGEN_CATALOG"), "{err}");
        assert!(!err.contains("move it out of the way"), "{err}");
    }
    // An absolute value from any folder is the pin it always was.
    w.cmd()
        .env("CODEXGEN_CATALOG", &mine)
        .args(["-q", "aliases"])
        .assert()
        .success()
        .stdout(contains("codex-mine()"));
}

/// The personal overlay is the one beside the home's catalog: a folder that
/// reaches the home's catalog through a link (`providers.yaml ->
/// ~/.config/codexgen/providers.yaml`) and holds its own
/// `providers.local.yaml` is another catalog, not the home's with an overlay
/// that appeared; and the commands that follow the home read the overlay
/// beside the home's catalog as it was named, not one beside the link's
/// target.
#[cfg(unix)]
#[test]
fn an_overlay_beside_a_link_to_the_home_s_catalog_is_not_the_home_s() {
    let w = World::new();
    let (mine, _shipped) = written_from_mine(&w);
    std::fs::remove_file(w.root.join("work/providers.yaml")).unwrap();
    std::os::unix::fs::symlink(&mine, w.root.join("work/providers.yaml")).unwrap();
    w.file(
        "work/providers.local.yaml",
        "profiles:\n  mine:\n    model: planted-model\n",
    );
    let before = snapshot_dir(&w.home);
    for args in [&["-q", "gen", "--yes"][..], &["gen", "--yes"], &["gen"]] {
        let out = w.cmd().args(args).assert().code(2);
        let err = stderr(&out);
        assert!(
            err.contains(&canonical(&w.root.join("work/providers.local.yaml"))),
            "{args:?}: {err}"
        );
        assert!(err.contains("nothing was written"), "{args:?}: {err}");
        // The way to switch names the link, which reads that overlay; the
        // link's target is the home's catalog, without it.
        assert!(
            err.contains(&format!(
                "to switch this home to it, name it: `codexgen --catalog {} gen`",
                w.root.join("work/providers.yaml").display()
            )),
            "{args:?}: {err}"
        );
        assert_eq!(snapshot_dir(&w.home), before, "{args:?} wrote");
    }
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .stderr(contains("which would replace it"));
    for args in [&["-q", "aliases"][..], &["-q", "exec", "--print", "mine"]] {
        w.cmd()
            .env("ACME_LLM_KEY", "k")
            .args(args)
            .assert()
            .success()
            .stdout(contains("acme-large").and(contains("planted").not()));
    }
    // The user's own overlay, beside the catalog as they named it, is read
    // by those commands from this folder too.
    w.file(
        "user/.config/codexgen/providers.local.yaml",
        "profiles:\n  mine:\n    model: my-own-model\n",
    );
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success();
    for args in [&["-q", "aliases"][..], &["-q", "exec", "--print", "mine"]] {
        w.cmd()
            .env("ACME_LLM_KEY", "k")
            .args(args)
            .assert()
            .success()
            .stdout(contains("my-own-model").and(contains("planted").not()));
    }
}

/// The home's catalog is a link (dotfiles: `~/.config/codexgen/providers.yaml
/// -> ~/dotfiles/providers.yaml`) with the user's overlay beside the link:
/// from a folder with another catalog, the commands that follow the home
/// read that overlay, as the run that wrote the home did.
#[cfg(unix)]
#[test]
fn a_home_s_catalog_reached_through_a_link_keeps_its_overlay_in_any_folder() {
    let w = World::new();
    let real = w.file("user/dotfiles/providers.yaml", MINE);
    let link = w.root.join("user/.config/codexgen/providers.yaml");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    w.file(
        "user/.config/codexgen/providers.local.yaml",
        "profiles:\n  mine:\n    model: my-own-model\n",
    );
    w.catalog(CATALOG);
    std::fs::create_dir_all(w.root.join("elsewhere")).unwrap();
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success();
    assert!(w.read("mine.config.toml").contains("my-own-model"));
    for args in [&["-q", "aliases"][..], &["-q", "exec", "--print", "mine"]] {
        w.cmd()
            .env("ACME_LLM_KEY", "k")
            .args(args)
            .assert()
            .success()
            .stdout(contains("my-own-model"));
    }
    w.cmd()
        .args(["-q", "doctor"])
        .assert()
        .stdout(contains("match the catalog"));
    // Naming the link's target would not read that overlay: the way to
    // keep the home's catalog does not say to.
    let out = w.cmd().args(["-q", "gen", "--yes"]).assert().code(2);
    let err = stderr(&out);
    assert!(
        !err.contains(&format!("--catalog {} gen", canonical(&real))),
        "{err}"
    );
    assert!(
        err.contains("run where no other providers.yaml is found"),
        "{err}"
    );
}

/// The commands that follow the home read its record as `gen` does: never
/// through a link in `.codexgen/` (a planted `state.json` naming another
/// catalog would choose the functions `eval "$(codexgen aliases)"` runs),
/// and the marker an older codexgen's `state.toml` becomes is no record.
#[test]
fn the_home_s_record_is_read_as_gen_reads_it() {
    // A link in .codexgen/: refused, named, nothing printed on stdout.
    let w = World::new();
    written_from_mine(&w);
    let state = w.home.join(".codexgen/state.json");
    let elsewhere = w.file(
        "elsewhere/state.json",
        &std::fs::read_to_string(&state).unwrap(),
    );
    std::fs::remove_file(&state).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &state).unwrap();
    for args in [&["aliases"][..], &["exec", "--print", "mine"]] {
        let out = w
            .cmd()
            .current_dir(w.root.join("elsewhere"))
            .args(args)
            .assert()
            .code(2);
        assert!(out.get_output().stdout.is_empty(), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("state.json"), "{args:?}: {err}");
    }
    // state.json deleted ("to make codexgen forget"), state.toml the marker
    // a newer codexgen left: a fresh home for aliases, as for gen.
    let w = World::new();
    written_from_mine(&w);
    std::fs::remove_file(w.home.join(".codexgen/state.json")).unwrap();
    std::fs::write(
        w.home.join(".codexgen/state.toml"),
        "# codexgen keeps its record in state.json now. This file stops an older codexgen,\n# which cannot read that record, from writing as if it owned nothing.\nformat = 3\n",
    )
    .unwrap();
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["aliases"])
        .assert()
        .success();
}
