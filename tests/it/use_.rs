//! `codexgen use [PROFILE | -]`: the default switched through the personal
//! overlay and written to the home in one step, `use -` back, `use` alone
//! reporting, and what it refuses (writing nothing).

use predicates::prelude::*;
use predicates::str::contains;

use crate::support::{CATALOG, World, snapshot_dir};

/// config.toml's top level (before its first table).
fn top_level(w: &World) -> String {
    w.read("config.toml")
        .split("\n[")
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn overlay(w: &World) -> String {
    std::fs::read_to_string(w.root.join("work/providers.local.yaml")).expect("read the overlay")
}

/// The stdout and exit code of `codexgen use` alone.
fn report(w: &World) -> (String, Option<i32>) {
    let out = w.cmd().arg("use").output().expect("run codexgen");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

#[test]
fn use_profile_writes_the_overlay_and_the_whole_profile_to_the_home_and_use_dash_goes_back() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    assert!(top_level(&w).contains("model = \"alpha-1\""));
    w.cmd()
        .args(["use", "beta"])
        .assert()
        .success()
        // The home's diff is shown as gen shows it.
        .stdout(contains("+model = \"beta-2\""))
        .stderr(contains(
            "use: the default profile becomes `beta` (was `alpha`), in providers.local.yaml",
        ));
    assert_eq!(
        overlay(&w),
        "# Personal overlay: laid over the catalog key by key (`codexgen use`, `adopt` and `add --local` write here).\nschema: 1\ndefault: beta\n"
    );
    // All of the profile moves to the top level, its settings too.
    let top = top_level(&w);
    for line in [
        "model = \"beta-2\"",
        "model_provider = \"beta-p\"",
        "model_reasoning_effort = \"high\"",
    ] {
        assert!(top.contains(line), "{line} missing:\n{top}");
    }
    w.cmd().args(["gen", "--check"]).assert().success();
    assert_eq!(w.read(".codexgen/previous-default"), "alpha\n");

    // `use -` goes back, settings and all, and remembers the one it left.
    w.cmd().args(["use", "-"]).assert().success();
    assert!(overlay(&w).ends_with("schema: 1\ndefault: alpha\n"));
    let top = top_level(&w);
    assert!(
        top.contains("model = \"alpha-1\"") && !top.contains("model_reasoning_effort"),
        "{top}"
    );
    assert_eq!(w.read(".codexgen/previous-default"), "beta\n");
    w.cmd().args(["use", "-"]).assert().success();
    assert!(top_level(&w).contains("model = \"beta-2\""));
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
fn use_keeps_every_comment_and_line_of_an_existing_overlay() {
    let w = World::new();
    w.catalog(CATALOG);
    let mine = "# my machine\nschema: 1\ndefault: alpha   # mine\nproviders:\n  beta-p:\n    base_url: http://localhost:1/v1   # the tunnel\n\n# the end\n";
    w.file("work/providers.local.yaml", mine);
    w.gen_yes();
    w.cmd().args(["use", "beta"]).assert().success();
    assert_eq!(overlay(&w), mine.replace("default: alpha", "default: beta"));
    // An overlay without `default:` gets it at the end of its top level.
    let w = World::new();
    w.catalog(CATALOG);
    let mine = "# my machine\nschema: 1\nproviders:\n  beta-p:\n    base_url: http://localhost:1/v1   # the tunnel\n\n# the end\n";
    w.file("work/providers.local.yaml", mine);
    w.cmd().args(["use", "beta"]).assert().success();
    assert_eq!(overlay(&w), format!("{mine}default: beta\n"));
    assert!(
        w.read("config.toml")
            .contains("base_url = \"http://localhost:1/v1\"")
    );
}

#[test]
fn use_diff_shows_the_overlay_and_the_home_and_writes_nothing() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(["use", "--diff", "beta"])
        .assert()
        .success()
        .stdout(contains(
            "--- /dev/null\n+++ b/providers.local.yaml\n",
        ))
        .stdout(contains("+default: beta\n"))
        .stdout(contains("-model = \"alpha-1\"\n-model_provider = \"alpha-p\"\n+model = \"beta-2\"\n+model_provider = \"beta-p\"\n"))
        .stderr(contains("the provider would change from `alpha-p` to `beta-p`"));
    assert_eq!(snapshot_dir(&w.root), before);
}

#[test]
fn an_unknown_profile_gets_the_list_and_a_guess_and_nothing_is_written() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(["use", "betta"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "no profile `betta` in the catalog (did you mean `beta`?); nothing was written",
        ))
        .stderr(contains("profiles: alpha, beta"));
    // No previous default yet: `use -` says so.
    w.cmd()
        .args(["use", "-"])
        .assert()
        .code(2)
        .stderr(contains("no previous default profile to go back to"))
        .stderr(contains("profiles: alpha, beta"));
    assert_eq!(snapshot_dir(&w.root), before);
}

#[test]
fn the_provider_notice_is_said_once_when_the_provider_changes_and_not_for_a_model() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "  beta:\n",
        "  alpha-big:\n    provider: alpha-p\n    model: alpha-9\n  beta:\n",
    ));
    w.gen_yes();
    let out = w.cmd().args(["use", "beta"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("the provider changes").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("the provider changes from `alpha-p` to `beta-p`: Codex sessions already running keep `alpha-p` until restarted; Codex lists past sessions by provider, so `codex resume` shows the `alpha-p` sessions again only after `codexgen use alpha` (or `codexgen use -`)"),
        "{stderr}"
    );
    w.cmd().args(["use", "alpha"]).assert().success();
    // The same provider, another model: no notice.
    w.cmd()
        .args(["use", "alpha-big"])
        .assert()
        .success()
        .stderr(contains("the provider").not());
    assert!(top_level(&w).contains("model = \"alpha-9\""));
    assert!(!w.exists("auth.json"));
}

#[test]
fn quiet_use_prints_nothing_but_writes() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    w.cmd().args(["use", "beta"]).assert().success();
    w.cmd()
        .args(["-q", "use", "alpha"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert!(top_level(&w).contains("model = \"alpha-1\""));
    // Already the default: nothing to write, nothing said.
    w.cmd()
        .args(["-q", "use", "alpha"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
}

#[test]
fn use_alone_says_the_default_on_disk_and_whether_the_home_matches() {
    let w = World::new();
    w.catalog(CATALOG);
    // A home codexgen never wrote.
    let (out, code) = report(&w);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("default: none: the Codex home has no config.toml"),
        "{out}"
    );
    assert!(
        out.contains("not written: codexgen has not written this Codex home"),
        "{out}"
    );
    assert!(out.contains("(default `alpha`)"), "{out}");
    // A hand-written config.toml that names a catalog profile's provider and model.
    w.file(
        "codex-home/config.toml",
        "model = \"beta-2\"\nmodel_provider = \"beta-p\"\n",
    );
    let (out, code) = report(&w);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with("default: `beta` (provider `beta-p`, model `beta-2`)\n"),
        "{out}"
    );
    std::fs::remove_file(w.home.join("config.toml")).unwrap();

    // In sync.
    w.cmd().args(["use", "beta"]).assert().success();
    let (out, code) = report(&w);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(
        out,
        "default: `beta` (provider `beta-p`, model `beta-2`)\nin sync: the Codex home matches the catalog\nprevious: `alpha` (`codexgen use -` goes back to it)\n"
    );

    // Codex's /model (or `modelProvider/default/set`) changed it.
    let config = w
        .read("config.toml")
        .replace("model = \"beta-2\"", "model = \"picked\"");
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    let (out, code) = report(&w);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with("default: no profile of the catalog (provider `beta-p`, model `picked` in config.toml)\n"),
        "{out}"
    );
    assert!(
        out.contains("changed outside codexgen: in config.toml `model` is \"picked\", codexgen wrote \"beta-2\""),
        "{out}"
    );
    assert!(out.contains("`codexgen adopt` keeps the change in your overlay, `codexgen use --overwrite beta` puts the catalog's default back"), "{out}");
    // A switch nobody answers does not discard the edit: it stops, as
    // `gen --yes` does, and names both ways out; `--overwrite` goes on.
    let before = (overlay(&w), w.read("config.toml"));
    w.cmd()
        .args(["use", "beta"])
        .assert()
        .code(1)
        .stderr(contains("codexgen adopt").and(contains("--overwrite")));
    assert_eq!((overlay(&w), w.read("config.toml")), before);
    w.cmd()
        .args(["use", "--overwrite", "beta"])
        .assert()
        .success();
    assert_eq!(report(&w).1, Some(0));

    // The overlay edited by hand: the catalog's default is not written yet.
    std::fs::write(
        w.root.join("work/providers.local.yaml"),
        overlay(&w).replace("default: beta", "default: alpha"),
    )
    .unwrap();
    let (out, code) = report(&w);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("default: `beta` "), "{out}");
    assert!(
        out.contains("out of date: the catalog's default is `alpha` (provider `alpha-p`, model `alpha-1`), not written yet; `codexgen use alpha` or `codexgen gen` writes it"),
        "{out}"
    );

    // `default: ~`: the model is Codex's.
    std::fs::write(
        w.root.join("work/providers.local.yaml"),
        "schema: 1\ndefault: ~\n",
    )
    .unwrap();
    w.gen_yes();
    let (out, code) = report(&w);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("the catalog leaves the default model and provider to Codex (`default: ~`)"),
        "{out}"
    );
    // From `default: ~`, `use` names one again, in place of the `~`.
    w.cmd().args(["use", "alpha"]).assert().success();
    assert_eq!(overlay(&w), "schema: 1\ndefault: alpha\n");
    assert!(top_level(&w).contains("model = \"alpha-1\""));
}

/// A switch that gen refuses leaves the overlay and the home as they were:
/// an unreadable config.toml (found while planning), and another run
/// holding the lock (found right before writing).
#[test]
fn a_refused_switch_writes_neither_the_overlay_nor_the_home() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let good = w.read("config.toml");
    std::fs::write(w.home.join("config.toml"), format!("{good}\nbroken = \n")).unwrap();
    let before = snapshot_dir(&w.root);
    w.cmd().args(["use", "beta"]).assert().code(2);
    assert_eq!(snapshot_dir(&w.root), before);
    std::fs::write(w.home.join("config.toml"), &good).unwrap();

    let lock = std::fs::File::create(w.home.join(".codexgen/lock")).unwrap();
    lock.try_lock().expect("take codexgen's lock");
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(["use", "beta"])
        .assert()
        .code(2)
        .stderr(contains("now says").not());
    assert_eq!(snapshot_dir(&w.root), before);
    drop(lock);
    w.cmd()
        .args(["--no-local", "use", "beta"])
        .assert()
        .code(2)
        .stderr(contains(
            "`use` records the default profile in the personal overlay, which --no-local leaves out; nothing was written",
        ));
    assert_eq!(snapshot_dir(&w.root), before);
    w.cmd().args(["use", "beta"]).assert().success();
    assert!(overlay(&w).ends_with("default: beta\n"));
}

/// `use` acts on the catalog the home records, as `adopt` does: a
/// `providers.yaml` in another folder does not take the home over.
#[test]
fn use_switches_the_homes_catalog_wherever_it_runs() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    w.file(
        "elsewhere/providers.yaml",
        &CATALOG.replace("model: beta-2", "model: other-2"),
    );
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["use", "beta"])
        .assert()
        .success();
    assert!(overlay(&w).ends_with("default: beta\n"));
    assert!(!w.root.join("elsewhere/providers.local.yaml").exists());
    assert!(top_level(&w).contains("model = \"beta-2\""));
}

/// End to end with the real Codex (`CODEX_BIN`, 0.169.0, and
/// `CODEX_BIN_0_171_0`): after `codexgen use beta`, plain `codex` (no `-p`)
/// reaches beta's provider exactly as the catalog describes it (URL, query,
/// headers, key, model); after `codexgen use -`, alpha's again.
fn real_codex_runs_as_the_profile_use_switched_to(codex: &std::path::Path) {
    use crate::e2e::{ALPHA, BETA, KEYS, Scratch, check_run, codexgen_command};
    use crate::stand_in::StandIn;
    use std::ffi::OsStr;

    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.write_catalog(&server);
    let codexgen = |args: &[&str]| {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let run = codexgen_command("use", &scratch.codex_home, &catalog, Some(codex), &args);
        assert!(
            run.status.is_some_and(|s| s.success()),
            "{}\n{}\n{}",
            run.args,
            run.stdout,
            run.stderr
        );
        run
    };
    codexgen(&[ALPHA.profile]);
    check_run(&ALPHA, &scratch.run_codex(codex, &server, None, &KEYS));
    let run = codexgen(&[BETA.profile]);
    assert!(
        run.stderr
            .contains("the provider changes from `alpha-provider` to `beta-provider`"),
        "{}",
        run.stderr
    );
    check_run(&BETA, &scratch.run_codex(codex, &server, None, &KEYS));
    codexgen(&["-"]);
    check_run(&ALPHA, &scratch.run_codex(codex, &server, None, &KEYS));
    assert!(!scratch.codex_home.join("auth.json").exists());
}

#[test]
fn real_codex_0_169_runs_as_the_profile_use_switched_to() {
    if let Some(codex) = crate::e2e::codex_bin_from("CODEX_BIN", "0.169.0") {
        real_codex_runs_as_the_profile_use_switched_to(&codex);
    }
}

#[test]
fn real_codex_0_171_runs_as_the_profile_use_switched_to() {
    if let Some(codex) = crate::e2e::codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") {
        real_codex_runs_as_the_profile_use_switched_to(&codex);
    }
}

const KEY: &str = "sk-proj-AbCdEf0123456789AbCdEf0123456789xyzXYZ";

/// stdout and stderr of a run, with its exit code.
fn run(w: &World, args: &[&str]) -> (String, Option<i32>) {
    let out = w.cmd().args(args).output().expect("run codexgen");
    (
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        out.status.code(),
    )
}

/// A key-shaped value wherever `use` takes a name from (config.toml's
/// `model` and `model_provider`, the command line, the previous default's
/// record) is never printed, in any line `use` writes.
#[test]
fn a_key_shaped_value_is_never_printed_by_use() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let good = w.read("config.toml");
    let no_key = |args: &[&str]| {
        let (out, _) = run(&w, args);
        assert!(!out.contains("AbCdEf0123456789"), "{args:?}:\n{out}");
    };
    for replaced in [
        good.replace("model = \"alpha-1\"", &format!("model = \"{KEY}\"")),
        good.replace(
            "model_provider = \"alpha-p\"",
            &format!("model_provider = \"{KEY}\""),
        ),
    ] {
        std::fs::write(w.home.join("config.toml"), &replaced).unwrap();
        no_key(&["use"]);
        no_key(&["use", "beta", "--diff"]);
        no_key(&["use", "beta"]);
        std::fs::write(w.home.join("config.toml"), &replaced).unwrap();
        no_key(&["use", "alpha"]);
        std::fs::write(w.home.join("config.toml"), &good).unwrap();
        w.cmd().args(["use", "alpha"]).assert().success();
    }
    no_key(&["use", KEY]);
    no_key(&["use", &KEY[..KEY.len() - 1]]);
    std::fs::write(
        w.home.join(".codexgen/previous-default"),
        format!("{KEY}\n"),
    )
    .unwrap();
    no_key(&["use"]);
    no_key(&["use", "-"]);
}

/// A previous default that cannot be recorded switches nothing, and says
/// what to do; a link there (which codexgen never writes through) is not
/// read as "none".
#[cfg(unix)]
#[test]
fn a_previous_default_that_cannot_be_recorded_switches_nothing() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let record = w.home.join(".codexgen/previous-default");
    std::fs::create_dir(&record).unwrap();
    let config = w.read("config.toml");
    let (out, code) = run(&w, &["use", "beta"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("nothing was switched"), "{out}");
    assert!(out.contains("delete"), "{out}");
    assert!(!w.root.join("work/providers.local.yaml").exists(), "{out}");
    assert_eq!(w.read("config.toml"), config);
    std::fs::remove_dir(&record).unwrap();

    std::os::unix::fs::symlink(w.root.join("nowhere"), &record).unwrap();
    for args in [&["use"][..], &["use", "-"]] {
        let (out, code) = run(&w, args);
        assert_eq!(code, Some(2), "{args:?}: {out}");
        assert!(out.contains("previous-default"), "{args:?}: {out}");
        assert!(!out.contains("no previous default"), "{args:?}: {out}");
        assert!(!out.starts_with("default:"), "{args:?}: {out}");
    }
}

/// A record that is not text, or a folder: `use` says to delete it, and
/// prints nothing of the report before that.
#[test]
fn a_damaged_previous_default_is_said_before_the_report_with_delete_it() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let record = w.home.join(".codexgen/previous-default");
    for folder in [false, true] {
        if folder {
            std::fs::remove_file(&record).unwrap();
            std::fs::create_dir(&record).unwrap();
        } else {
            std::fs::write(&record, b"al\xffpha\n").unwrap();
        }
        for args in [&["use"][..], &["use", "-"]] {
            let out = w.cmd().args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert_eq!(String::from_utf8_lossy(&out.stdout), "", "{args:?}");
            assert!(stderr.contains("delete it"), "{args:?}: {stderr}");
            assert!(!stderr.contains("editor"), "{args:?}: {stderr}");
        }
    }
}

/// When the home already matches the new default, the overlay is still
/// written only under codexgen's lock.
#[test]
fn the_overlay_is_written_under_the_lock_when_the_home_already_matches() {
    let w = World::new();
    w.catalog(&CATALOG.replace("default: alpha", "default: beta"));
    w.gen_yes();
    w.file("work/providers.local.yaml", "schema: 1\ndefault: alpha\n");
    let lock = std::fs::File::create(w.home.join(".codexgen/lock")).unwrap();
    lock.try_lock().expect("take codexgen's lock");
    w.cmd()
        .args(["use", "beta"])
        .assert()
        .code(2)
        .stderr(contains("another codexgen run is writing to"));
    assert_eq!(overlay(&w), "schema: 1\ndefault: alpha\n");
    assert!(!w.exists(".codexgen/previous-default"));
    drop(lock);
    w.cmd().args(["use", "beta"]).assert().success();
    assert_eq!(overlay(&w), "schema: 1\ndefault: beta\n");
}

/// Codex's legacy top-level `profile = "NAME"` (which Codex 0.171 refuses
/// to load) is named by `use` alone, never "in sync".
#[test]
fn use_alone_names_a_legacy_top_level_profile() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    std::fs::write(
        w.home.join("config.toml"),
        format!("profile = \"beta\"\n{}", w.read("config.toml")),
    )
    .unwrap();
    let (out, code) = report(&w);
    assert_eq!(code, Some(1), "{out}");
    assert!(!out.contains("in sync"), "{out}");
    assert!(out.contains("legacy `profile = \"beta\"`"), "{out}");
}

/// Overlays `validate` accepts, in shapes a line-based edit gets wrong: a
/// document end marker, and old Mac line endings (a lone CR).
#[test]
fn use_edits_an_overlay_with_document_markers_or_lone_cr_line_endings() {
    for (mine, edited) in [
        ("schema: 1\n...\n", "schema: 1\ndefault: beta\n...\n"),
        (
            "---\nschema: 1\ndefault: alpha\n...\n# after\n",
            "---\nschema: 1\ndefault: beta\n...\n# after\n",
        ),
        ("schema: 1\rdefault: alpha\r", "schema: 1\rdefault: beta\r"),
        ("schema: 1\r", "schema: 1\rdefault: beta\r"),
    ] {
        let w = World::new();
        w.catalog(CATALOG);
        w.file("work/providers.local.yaml", mine);
        w.cmd().args(["validate"]).assert().success();
        let (out, code) = run(&w, &["use", "beta"]);
        assert_eq!(code, Some(0), "{mine:?}: {out}");
        assert_eq!(overlay(&w), edited, "{mine:?}");
    }
}

/// After `use beta` then `default: ~` by hand, `use beta` records `~` as
/// the previous default; `use -` then says plainly it cannot go back to it.
#[test]
fn a_previous_default_of_none_is_recorded_and_use_dash_says_what_to_do() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    w.cmd().args(["use", "beta"]).assert().success();
    w.file("work/providers.local.yaml", "schema: 1\ndefault: ~\n");
    w.gen_yes();
    w.cmd().args(["use", "beta"]).assert().success();
    assert_eq!(w.read(".codexgen/previous-default"), "~\n");
    let (out, _) = report(&w);
    assert!(out.contains("previous: `~`"), "{out}");
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(["use", "-"])
        .assert()
        .code(2)
        .stderr(contains("was `~`"))
        .stderr(contains("default: ~"));
    assert_eq!(snapshot_dir(&w.root), before);
}

/// A later `--catalog` file that sets `default` again is named with its
/// line; a name in another case gets its profile suggested.
#[test]
fn a_later_catalog_file_setting_default_is_named_and_case_gets_a_guess() {
    let w = World::new();
    w.file("work/base.yaml", CATALOG);
    w.file("work/team.yaml", "schema: 1\n# ours\ndefault: alpha\n");
    let (out, code) = run(
        &w,
        &[
            "--catalog",
            "base.yaml",
            "--catalog",
            "team.yaml",
            "use",
            "beta",
        ],
    );
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("team.yaml:3"), "{out}");
    let (out, code) = run(&w, &["--catalog", "base.yaml", "use", "BETA"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("did you mean `beta`?"), "{out}");
}

/// The overlay is the first catalog file's: a default that only a later
/// `--catalog` file makes valid (a profile it defines) would leave every
/// run naming the first file alone invalid, so it is refused, naming the
/// later file, with nothing written; one the first file has is written.
#[test]
fn a_profile_only_a_later_catalog_file_defines_is_not_written_into_the_first_file_s_overlay() {
    let w = World::new();
    w.file("work/base.yaml", CATALOG);
    w.file(
        "work/extra.yaml",
        "schema: 1\nprofiles:\n  gamma:\n    provider: alpha-p\n    model: gamma-1\n",
    );
    let both = ["--catalog", "base.yaml", "--catalog", "extra.yaml"];
    let before = snapshot_dir(&w.root);
    let (out, code) = run(&w, &[&both[..], &["use", "gamma"]].concat());
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("writing `default: gamma` into base.local.yaml"),
        "{out}"
    );
    assert!(out.contains("read without extra.yaml"), "{out}");
    assert!(out.contains("set it in the later catalog file"), "{out}");
    assert_eq!(snapshot_dir(&w.root), before, "nothing was written");
    // The first file alone still reads.
    w.cmd()
        .args(["--catalog", "base.yaml", "validate"])
        .assert()
        .success();
    // A profile of the first file's is the overlay's to hold.
    let (out, code) = run(&w, &[&both[..], &["use", "beta"]].concat());
    assert_eq!(code, Some(0), "{out}");
    w.cmd()
        .args(["--catalog", "base.yaml", "validate"])
        .assert()
        .success();
}

/// With config.toml linked to a shared file, `use` says the switch
/// reaches every machine sharing it and how to switch them all.
#[test]
fn use_on_a_linked_config_says_the_default_is_shared() {
    let w = World::new();
    w.catalog(CATALOG);
    let shared = w.file("dotfiles/config.toml", "");
    std::os::unix::fs::symlink(&shared, w.home.join("config.toml")).unwrap();
    w.gen_yes();
    w.cmd()
        .args(["use", "beta"])
        .assert()
        .success()
        .stderr(contains("config.toml is a link to"))
        .stderr(contains("set `default:` in the catalog they share"));
    assert!(
        std::fs::read_to_string(&shared)
            .unwrap()
            .contains("model = \"beta-2\"")
    );
    // Not said when nothing switches.
    w.cmd()
        .args(["use", "beta"])
        .assert()
        .success()
        .stderr(contains("is a link to").not());
}

/// An overlay with nothing in it (empty, or comments only) lays nothing
/// over the catalog: commands read the catalog as it is, and `use`
/// writes its default there, keeping the comment.
#[test]
fn an_empty_or_comment_only_overlay_lays_nothing_over_and_use_writes_into_it() {
    for (mine, written) in [
        ("", "schema: 1\ndefault: beta\n"),
        ("# mine\n", "# mine\nschema: 1\ndefault: beta\n"),
    ] {
        let w = World::new();
        w.catalog(CATALOG);
        w.file("work/providers.local.yaml", mine);
        w.cmd().arg("validate").assert().success();
        w.gen_yes();
        assert!(top_level(&w).contains("model = \"alpha-1\""));
        w.cmd().args(["use", "beta"]).assert().success();
        assert_eq!(overlay(&w), written, "{mine:?}");
        assert!(top_level(&w).contains("model = \"beta-2\""));
    }
    // The first catalog file empty is still an empty catalog.
    let w = World::new();
    w.catalog("# nothing yet\n");
    w.cmd()
        .arg("validate")
        .assert()
        .code(2)
        .stderr(contains("the catalog is empty"));
}
