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
        "# Personal overlay: laid over the catalog key by key (`codexgen use` and `codexgen adopt` write here).\nschema: 1\ndefault: beta\n"
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
    assert!(out.contains("`codexgen adopt` keeps the change in your overlay, `codexgen use beta` puts the catalog's default back"), "{out}");
    w.cmd().args(["use", "beta"]).assert().success();
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
