//! `init`, the personal overlay (beside the catalog or in the config dir),
//! `--no-local`, and living with Codex's own writes: drift wording, `adopt`
//! and `default: ~`. All through the built binary, in scratch folders.

use predicates::str::contains;

use crate::support::{CATALOG, World, snapshot_dir};

const BUILT_IN: &str = include_str!("../../providers.yaml");

fn stderr_of(out: &std::process::Output, w: &World) -> String {
    String::from_utf8_lossy(&out.stderr).replace(&w.root.display().to_string(), "[ROOT]")
}

#[test]
fn init_writes_the_built_in_catalog_byte_for_byte_and_gen_reads_it() {
    let w = World::new();
    let out = w.cmd().arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr_of(&out, &w),
        "wrote the built-in catalog to providers.yaml\nnext: edit it (keep what you use), then `codexgen gen --diff` to review what it changes in the Codex home\n"
    );
    let written = std::fs::read_to_string(w.root.join("work/providers.yaml")).unwrap();
    assert_eq!(written, BUILT_IN);
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("catalog 2026.11.1 (providers.yaml);"));
}

#[test]
fn init_refuses_an_existing_file_unless_forced() {
    let w = World::new();
    let mine = w.catalog(CATALOG);
    w.cmd()
        .arg("init")
        .assert()
        .code(2)
        .stderr("error: providers.yaml already exists\n  = help: nothing was written; pass --force to replace it, or --output FILE to write elsewhere\n");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), CATALOG);
    w.cmd().args(["init", "--force"]).assert().success();
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), BUILT_IN);
    // A folder by that name is never replaced.
    std::fs::create_dir(w.root.join("work/dir.yaml")).unwrap();
    w.cmd()
        .args(["init", "--force", "--output", "dir.yaml"])
        .assert()
        .code(2)
        .stderr(contains("dir.yaml exists and is not a regular file"));
}

#[test]
fn init_user_writes_the_config_dir_and_gen_finds_it_there() {
    let w = World::new();
    let out = w.cmd().args(["init", "--user"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out, &w));
    let path = w.root.join("user/.config/codexgen/providers.yaml");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), BUILT_IN);
    assert!(stderr_of(&out, &w).starts_with(
        "wrote the built-in catalog to [ROOT]/user/.config/codexgen/providers.yaml\n"
    ));
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("/user/.config/codexgen/providers.yaml);"));
}

#[test]
fn init_output_writes_any_path_or_stdout() {
    let w = World::new();
    w.cmd()
        .args(["init", "--output", "-"])
        .assert()
        .success()
        .stdout(BUILT_IN)
        .stderr("");
    assert!(!w.root.join("work/providers.yaml").exists());
    let out = w
        .cmd()
        .args(["init", "--output", "team/catalog.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr_of(&out, &w).contains("`codexgen gen --diff --catalog team/catalog.yaml`"));
    assert_eq!(
        std::fs::read_to_string(w.root.join("work/team/catalog.yaml")).unwrap(),
        BUILT_IN
    );
}

const USER_OVERLAY: &str = "user/.config/codexgen/providers.local.yaml";

#[test]
fn a_config_dir_overlay_lays_over_the_built_in_catalog_unless_no_local() {
    let w = World::new();
    w.file(USER_OVERLAY, "schema: 1\ndefault: ollama\n");
    let out = w.cmd().args(["gen", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr_of(&out, &w).starts_with(
            "codexgen: catalog 2026.11.1 (<built-in providers.yaml> + [ROOT]/user/.config/codexgen/providers.local.yaml);"
        ),
        "{}",
        stderr_of(&out, &w)
    );
    assert!(
        w.read("config.toml")
            .contains("model_provider = \"ollama\"")
    );
    // --no-local: the built-in catalog alone.
    w.cmd()
        .args(["--no-local", "gen", "--check"])
        .assert()
        .code(1)
        .stderr(contains("(<built-in providers.yaml>);"));
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
fn no_local_skips_the_overlay_beside_the_catalog_but_reads_a_named_one() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("work/providers.local.yaml", "schema: 1\ndefault: beta\n");
    // Beside a discovered catalog: skipped.
    w.cmd()
        .args(["gen", "--yes", "--no-local"])
        .assert()
        .success();
    assert!(w.read("config.toml").contains("model = \"alpha-1\""));
    // Beside a named one: skipped too.
    w.cmd()
        .args([
            "gen",
            "--check",
            "--no-local",
            "--catalog",
            "providers.yaml",
        ])
        .assert()
        .success()
        .stderr(contains("(providers.yaml);"));
    // Named itself: read.
    w.cmd()
        .args([
            "--no-local",
            "gen",
            "--check",
            "--catalog",
            "providers.yaml",
            "--catalog",
            "providers.local.yaml",
        ])
        .assert()
        .code(1)
        .stderr(contains("(providers.yaml + providers.local.yaml);"));
    // A config-dir overlay is not read over a catalog file.
    w.file(USER_OVERLAY, "schema: 1\ndefault: nope\n");
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .code(1)
        .stderr(contains("(providers.yaml + providers.local.yaml);"));
}

#[test]
fn default_null_in_an_overlay_releases_the_top_level_model_codex_picked() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    // Codex's `/model` writes its choice over the managed value.
    let picked = w
        .read("config.toml")
        .replace("model = \"alpha-1\"", "model = \"picked-in-tui\"");
    std::fs::write(w.home.join("config.toml"), &picked).unwrap();
    w.file("work/providers.local.yaml", "schema: 1\ndefault: ~\n");
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout("")
        .stderr(contains("nothing to change"));
    w.gen_yes();
    assert_eq!(w.read("config.toml"), picked);
    w.cmd().args(["gen", "--check"]).assert().success();
    // The state forgot them: with a default again, the values on disk are
    // not codexgen's (taken over, not drift).
    std::fs::remove_file(w.root.join("work/providers.local.yaml")).unwrap();
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains(
            "config.toml: model: \"picked-in-tui\" → \"alpha-1\"",
        ));
}

#[test]
fn default_null_in_a_catalog_writes_no_top_level_model() {
    let w = World::new();
    w.catalog(&CATALOG.replace("default: alpha", "default: ~"));
    w.gen_yes();
    let config = w.read("config.toml");
    assert!(!config.contains("model ="), "{config}");
    assert!(!config.contains("model_provider ="), "{config}");
    assert!(config.contains("[model_providers.alpha-p]"), "{config}");
    assert!(w.read("alpha.config.toml").contains("model = \"alpha-1\""));
    // A catalog with no `default:` at all is still refused: it is more
    // likely a slip than a choice, and `default: ~` says it on purpose.
    w.catalog(&CATALOG.replace("default: alpha\n", ""));
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .code(2)
        .stderr(contains("(`default: ~` leaves them to you)"));
}

/// What Codex's `/model` does with profile `alpha` active: it writes its
/// choice into config.toml and into the profile's file.
fn codex_picks_a_model(w: &World, model: &str) {
    for file in ["config.toml", "alpha.config.toml"] {
        let text = w
            .read(file)
            .replace("model = \"alpha-1\"", &format!("model = \"{model}\""));
        std::fs::write(w.home.join(file), text).unwrap();
    }
}

const MY_OVERLAY: &str = "# my machine\nschema: 1\nproviders:\n  beta-p:\n    base_url: http://localhost:1/v1   # the tunnel\n\n# the end\n";

#[test]
fn adopt_writes_codex_s_choice_into_the_overlay_keeping_the_rest_byte_for_byte() {
    let w = World::new();
    w.catalog(CATALOG);
    let overlay = w.file("work/providers.local.yaml", MY_OVERLAY);
    w.gen_yes();
    codex_picks_a_model(&w, "picked-in-tui");
    let before = crate::support::snapshot_dir(&w.root);
    // --diff shows, writes nothing.
    w.cmd()
        .args(["adopt", "--diff"])
        .assert()
        .success()
        .stdout(contains(
            "adopt: config.toml: `model` = picked-in-tui -> `profiles.alpha.model` in providers.local.yaml\n",
        ))
        .stdout(contains(
            "--- a/providers.local.yaml\n+++ b/providers.local.yaml\n",
        ))
        .stdout(contains("+profiles:\n+  alpha:\n+    model: picked-in-tui\n"));
    // Without a terminal, asks for --yes.
    w.cmd()
        .arg("adopt")
        .assert()
        .code(2)
        .stderr(contains("then run `codexgen adopt --yes`"));
    assert_eq!(crate::support::snapshot_dir(&w.root), before);
    w.cmd()
        .args(["adopt", "--yes"])
        .assert()
        .success()
        .stderr(contains(
            "adopted 2 value(s) into providers.local.yaml; `codexgen gen` now keeps them",
        ));
    assert_eq!(
        std::fs::read_to_string(&overlay).unwrap(),
        "# my machine\nschema: 1\nproviders:\n  beta-p:\n    base_url: http://localhost:1/v1   # the tunnel\n\n# the end\nprofiles:\n  alpha:\n    model: picked-in-tui\n"
    );
    w.cmd().args(["gen", "--check"]).assert().success();
    w.gen_yes();
    assert!(w.read("config.toml").contains("model = \"picked-in-tui\""));
    assert!(
        w.read("alpha.config.toml")
            .contains("model = \"picked-in-tui\"")
    );
    // A second pick edits the adopted line in place.
    codex_picks_a_model(&w, "picked-in-tui");
    for file in ["config.toml", "alpha.config.toml"] {
        let text = w
            .read(file)
            .replace("\"picked-in-tui\"", "\"gpt 5.5 \\\"mini\\\"\"");
        std::fs::write(w.home.join(file), text).unwrap();
    }
    w.cmd().args(["adopt", "--yes"]).assert().success();
    assert!(
        std::fs::read_to_string(&overlay)
            .unwrap()
            .ends_with("# the end\nprofiles:\n  alpha:\n    model: \"gpt 5.5 \\\"mini\\\"\"\n")
    );
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
fn adopt_creates_the_config_dir_overlay_over_the_built_in_catalog() {
    let w = World::new();
    w.gen_yes();
    let config = w
        .read("config.toml")
        .replace("model_provider = \"openai\"", "model_provider = \"ollama\"");
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    w.cmd()
        .args(["adopt", "--yes"])
        .assert()
        .success()
        .stderr(contains("also changes openai.config.toml"));
    let path = w.root.join(USER_OVERLAY);
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        "# Personal overlay: laid over the catalog key by key (`codexgen use`, `adopt` and `add --local` write here).\nschema: 1\nprofiles:\n  openai:\n    provider: ollama\n"
    );
    w.gen_yes();
    assert!(
        w.read("config.toml")
            .contains("model_provider = \"ollama\"")
    );
    assert!(
        w.read("openai.config.toml")
            .contains("model_provider = \"ollama\"")
    );
    w.cmd().args(["gen", "--check"]).assert().success();
    // --no-local: adopt has nowhere to write.
    w.cmd()
        .args(["adopt", "--no-local"])
        .assert()
        .code(2)
        .stderr(contains("which --no-local leaves out"));
}

#[test]
fn a_deleted_managed_value_cannot_be_adopted() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let beta = w
        .read("beta.config.toml")
        .replace("model_reasoning_effort = \"high\"\n", "");
    std::fs::write(w.home.join("beta.config.toml"), beta).unwrap();
    w.cmd()
        .args(["adopt", "--yes"])
        .assert()
        .success()
        .stderr(contains("note: beta.config.toml: `model_reasoning_effort` was deleted by hand; a deleted value cannot be adopted"))
        .stderr(contains("nothing to adopt"));
    assert!(!w.root.join("work/providers.local.yaml").exists());
}

#[test]
fn doctor_points_an_edited_value_at_adopt() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    codex_picks_a_model(&w, "picked-in-tui");
    w.cmd()
        .arg("doctor")
        .assert()
        .stdout(contains("config.toml: managed `model` was edited by hand"))
        .stdout(contains("keep it with `codexgen adopt`"));
}

#[test]
fn adopt_maps_a_legacy_profile_table_and_refuses_a_value_the_catalog_refuses() {
    let w = World::new();
    w.catalog(CATALOG);
    let old = ["--codex-version", "0.89.0"];
    w.cmd().args(old).args(["gen", "--yes"]).assert().success();
    let config = w.read("config.toml").replace(
        "model_reasoning_effort = \"high\"",
        "model_reasoning_effort = \"bogus\"",
    );
    std::fs::write(w.home.join("config.toml"), &config).unwrap();
    w.cmd()
        .args(old)
        .args(["adopt", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("`model_reasoning_effort: bogus` in profile `beta` is not a value Codex accepts"))
        .stderr(contains("the edited values do not make a valid catalog with providers.local.yaml as adopt would write it (shown above); nothing was written"));
    assert!(!w.root.join("work/providers.local.yaml").exists());
    std::fs::write(
        w.home.join("config.toml"),
        config.replace("\"bogus\"", "\"low\""),
    )
    .unwrap();
    w.cmd()
        .args(old)
        .args(["adopt", "--yes"])
        .assert()
        .success()
        .stdout(contains("adopt: config.toml: `profiles.beta.model_reasoning_effort` = low -> `profiles.beta.model_reasoning_effort`"));
    w.cmd()
        .args(old)
        .args(["gen", "--check"])
        .assert()
        .success();
}

/// A later `--catalog` file that sets the adopted key again is named with
/// its line, and nothing is written.
#[test]
fn adopt_names_the_later_catalog_file_that_sets_the_key_again() {
    let w = World::new();
    w.file("work/base.yaml", CATALOG);
    w.file(
        "work/team.yaml",
        "schema: 1\nprofiles:\n  alpha:\n    model: team-1\n",
    );
    let both = ["--catalog", "base.yaml", "--catalog", "team.yaml"];
    w.cmd().args(both).args(["gen", "--yes"]).assert().success();
    let config = w
        .read("config.toml")
        .replace("model = \"team-1\"", "model = \"picked\"");
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(both)
        .args(["adopt", "--yes"])
        .assert()
        .code(2)
        .stderr(contains(
            "a later catalog file sets `profiles.alpha.model` again: team.yaml:4",
        ));
    assert_eq!(snapshot_dir(&w.root), before);
}

/// Overlays `validate` accepts in shapes a line-based edit gets wrong (a
/// document end marker, lines ending in a lone CR): adopt edits them too.
#[test]
fn adopt_edits_an_overlay_with_a_document_end_marker_or_lone_cr_lines() {
    for (mine, edited) in [
        (
            "schema: 1\n...\n",
            "schema: 1\nprofiles:\n  alpha:\n    model: picked\n...\n",
        ),
        (
            "schema: 1\rdefault: alpha\r",
            "schema: 1\rdefault: alpha\rprofiles:\r  alpha:\r    model: picked\r",
        ),
    ] {
        let w = World::new();
        w.catalog(CATALOG);
        w.file("work/providers.local.yaml", mine);
        w.gen_yes();
        let config = w
            .read("config.toml")
            .replace("model = \"alpha-1\"", "model = \"picked\"");
        std::fs::write(w.home.join("config.toml"), config).unwrap();
        w.cmd().args(["adopt", "--yes"]).assert().success();
        assert_eq!(
            std::fs::read_to_string(w.root.join("work/providers.local.yaml")).unwrap(),
            edited,
            "{mine:?}"
        );
    }
}

/// Adopting a value of a profile only a later `--catalog` file defines
/// would put a part of that profile into the first file's overlay, which
/// the first file alone no longer reads: refused, nothing written.
#[test]
fn adopt_keeps_out_of_the_first_file_s_overlay_what_only_a_later_file_makes_valid() {
    let w = World::new();
    w.file("work/base.yaml", CATALOG);
    w.file(
        "work/extra.yaml",
        "schema: 1\nprofiles:\n  gamma:\n    provider: alpha-p\n    model: gamma-1\n",
    );
    let both = ["--catalog", "base.yaml", "--catalog", "extra.yaml"];
    w.cmd().args(both).args(["gen", "--yes"]).assert().success();
    let mut edited = 0;
    for entry in std::fs::read_dir(&w.home).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if text.contains("model = \"gamma-1\"") {
            std::fs::write(
                &path,
                text.replace("model = \"gamma-1\"", "model = \"picked\""),
            )
            .unwrap();
            edited += 1;
        }
    }
    assert_eq!(edited, 1, "one file holds gamma's model");
    let before = snapshot_dir(&w.root);
    w.cmd()
        .args(both)
        .args(["adopt", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("into base.local.yaml would make base.yaml with its overlay, read without extra.yaml, an invalid catalog"));
    assert_eq!(snapshot_dir(&w.root), before);
}
