//! `codexgen add PRESET…` and `add --list`: shipped providers copied with
//! their comments into the user's catalog file or the personal overlay,
//! everything else kept byte for byte, reviewed as a diff first.

use predicates::prelude::PredicateBooleanExt as _;
use predicates::str::contains;

use crate::support::{CATALOG, World};

const USER_OVERLAY: &str = "user/.config/codexgen/providers.local.yaml";

/// A catalog of the user's, with comments and a layout `add` must keep.
const MINE: &str = "schema: 1   # the format\nversion: \"t1\"\ndefault: mine\n\n# my providers\nproviders:\n    mine:   # a gateway\n        base_url: https://mine.example/v1\n        env_key: MINE_KEY\n\n# my profiles\nprofiles:\n    mine:\n        provider: mine\n        model: m1\n";

const GROQ: &str = "    # Groq: Responses API in beta; stateless (no previous_response_id).\n    groq:\n      name: Groq\n      base_url: https://api.groq.com/openai/v1\n      env_key: GROQ_API_KEY\n      wire_api: responses\n";

#[test]
fn add_copies_a_preset_with_its_comments_and_keeps_the_rest_byte_for_byte() {
    let w = World::new();
    let catalog = w.catalog(MINE);
    // --diff shows and writes nothing; without a terminal nothing is asked.
    w.cmd()
        .args(["add", "groq", "--diff"])
        .assert()
        .success()
        .stdout(contains(
            "add: provider `groq` and its example profile `groq` -> providers.yaml",
        ))
        .stdout(contains("+    # Groq: Responses API in beta"));
    w.cmd()
        .args(["add", "groq"])
        .assert()
        .code(2)
        .stderr(contains("stdin is not a terminal"));
    assert_eq!(std::fs::read_to_string(&catalog).unwrap(), MINE);

    w.cmd()
        .env_remove("GROQ_API_KEY")
        .args(["add", "groq", "--yes"])
        .assert()
        .success()
        .stderr(contains("`codexgen gen` writes them into the Codex home"))
        .stderr(contains("set `GROQ_API_KEY`"));
    let expected = MINE.replace("MINE_KEY\n\n", &format!("MINE_KEY\n{GROQ}\n"))
        + "    groq:\n      provider: groq\n      model: openai/gpt-oss-20b\n";
    assert_eq!(std::fs::read_to_string(&catalog).unwrap(), expected);
    // The Codex home is written by `gen`, not by `add`.
    assert!(!w.exists("groq.config.toml"));
    w.gen_yes();
    assert!(w.read("config.toml").contains("[model_providers.groq]"));
    assert!(
        w.read("groq.config.toml")
            .contains("model_provider = \"groq\"")
    );
}

#[test]
fn a_preset_already_there_is_skipped_and_a_clashing_profile_is_said() {
    let w = World::new();
    let text = format!("{CATALOG}  together:\n    provider: alpha-p\n    model: x\n");
    let catalog = w.catalog(&text);
    w.cmd().args(["add", "groq", "--yes"]).assert().success();
    let once = std::fs::read_to_string(&catalog).unwrap();
    // Already a provider: skipped, said; nothing else to add: nothing written.
    w.cmd()
        .args(["add", "groq", "--yes"])
        .assert()
        .success()
        .stderr(contains(
            "`groq` is already a provider in the catalog; skipped",
        ))
        .stderr(contains("nothing to add"));
    assert_eq!(std::fs::read_to_string(&catalog).unwrap(), once);
    // A profile of that name: the provider comes, the profile is said.
    w.cmd()
        .args(["add", "together", "--yes"])
        .assert()
        .success()
        .stdout(contains("add: provider `together` -> providers.yaml"))
        .stderr(contains(
            "the catalog already has a profile `together`: the preset's example profile `together` is not added",
        ));
    let after = std::fs::read_to_string(&catalog).unwrap();
    assert!(
        after.contains("  together:\n    name: Together AI\n"),
        "{after}"
    );
    assert!(
        after.contains("  together:\n    provider: alpha-p\n    model: x\n"),
        "{after}"
    );
    assert_eq!(after.matches("\n  together:\n").count(), 2, "{after}");
}

#[test]
fn add_local_writes_the_personal_overlay_and_the_built_in_catalog_is_not_edited() {
    let w = World::new();
    // Over the built-in catalog there is no catalog file to add to.
    w.cmd()
        .args(["add", "groq", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("reads the built-in catalog"))
        .stderr(contains("`codexgen init`").and(contains("`codexgen add --local PRESET`")));
    // The built-in catalog already has every preset: --local skips it.
    w.cmd()
        .args(["add", "groq", "--local", "--yes"])
        .assert()
        .success()
        .stderr(contains("already a provider"));
    assert!(!w.root.join(USER_OVERLAY).exists());
    // Beside a catalog file: `providers.local.yaml`, created with `schema: 1`.
    w.catalog(CATALOG);
    w.cmd()
        .args(["add", "xai", "--local", "--yes"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(w.root.join("work/providers.local.yaml")).unwrap(),
        "# Personal overlay: laid over the catalog key by key (`codexgen use`, `adopt` and `add --local` write here).\nschema: 1\nproviders:\n  # xAI: the Responses API is xAI's preferred API; stores responses for 30 days.\n  xai:\n    name: xAI\n    base_url: https://api.x.ai/v1\n    env_key: XAI_API_KEY\n    wire_api: responses\n\nprofiles:\n  xai:\n    provider: xai\n    model: grok-4.3\n"
    );
    assert_eq!(
        std::fs::read_to_string(w.root.join("work/providers.yaml")).unwrap(),
        CATALOG
    );
    w.cmd()
        .args(["add", "xai", "--local", "--no-local"])
        .assert()
        .code(2);
    w.gen_yes();
    assert!(w.read("xai.config.toml").contains("model = \"grok-4.3\""));
}

#[test]
fn a_shape_add_cannot_edit_is_refused_and_nothing_is_written() {
    let w = World::new();
    let text = "schema: 1\nversion: \"1\"\ndefault: a\nproviders: {p: {base_url: \"https://p.example/v1\"}}\nprofiles:\n  a: {provider: p, model: m}\n";
    let catalog = w.catalog(text);
    w.cmd()
        .args(["add", "groq", "--yes"])
        .assert()
        .code(2)
        .stderr(contains(
            "cannot add `providers.groq` to providers.yaml: a flow mapping",
        ))
        .stderr(contains("providers.yaml:4:"));
    assert_eq!(std::fs::read_to_string(&catalog).unwrap(), text);
}

#[test]
fn an_unknown_preset_gets_the_list_and_a_did_you_mean() {
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd()
        .args(["add", "grok", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("unknown preset `grok`; did you mean `groq`?"))
        .stderr(contains("the presets: groq, openrouter,"));
    w.cmd()
        .args(["add", "zzzzzzzz"])
        .assert()
        .code(2)
        .stderr(contains("unknown preset `zzzzzzzz`").and(contains("did you mean").not()));
    w.cmd()
        .args(["add", "ollama"])
        .assert()
        .code(2)
        .stderr(contains("`ollama` is built into Codex"));
    w.cmd().args(["add"]).assert().code(2);
    // --format is --list's.
    w.cmd()
        .args(["add", "groq", "--format", "json"])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with '--format <FORMAT>'"));
    assert_eq!(
        std::fs::read_to_string(w.root.join("work/providers.yaml")).unwrap(),
        CATALOG
    );
}

#[test]
fn add_list_shows_each_key_variable_and_whether_it_is_set_never_its_value() {
    let w = World::new();
    let secret = "gsk-secret-value-1234567890";
    w.cmd()
        .env("GROQ_API_KEY", secret)
        .env_remove("XAI_API_KEY")
        .args(["add", "--list"])
        .assert()
        .success()
        .stdout(contains("PRESET").and(contains("BASE URL")))
        .stdout(
            predicates::str::is_match(
                r"(?m)^groq +Groq +GROQ_API_KEY +set +https://api\.groq\.com/openai/v1$",
            )
            .unwrap(),
        )
        .stdout(
            predicates::str::is_match(r"(?m)^xai +xAI +XAI_API_KEY +unset +https://api\.x\.ai/v1$")
                .unwrap(),
        )
        .stdout(contains(secret).not());
    let out = w
        .cmd()
        .env("GROQ_API_KEY", secret)
        .args(["add", "--list", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let groq = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "groq")
        .unwrap();
    assert_eq!(groq["key_variable"], "GROQ_API_KEY");
    assert_eq!(groq["key_set"], true);
    assert_eq!(groq["profiles"], serde_json::json!(["groq"]));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
}

/// The real Codex reads what `add` then `gen` wrote: asked for the added
/// profile without its key, it names the preset's key variable.
#[test]
fn real_codex_reads_an_added_preset() {
    let Some(codex) = crate::e2e::codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd().args(["add", "groq", "--yes"]).assert().success();
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--yes"])
        .assert()
        .success();
    let scratch = crate::e2e::Scratch::new();
    copy_dir(&w.home, &scratch.codex_home);
    let run = scratch.run_codex_offline(
        &codex,
        &["-p", "groq", "exec", "--skip-git-repo-check", "hi"],
        &[],
    );
    assert!(
        run.stderr.contains("GROQ_API_KEY") || run.stdout.contains("GROQ_API_KEY"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// On a terminal `add` asks; "no" writes nothing and exits 1, "y" writes.
#[cfg(target_os = "linux")]
#[test]
fn add_asks_on_a_terminal() {
    let w = World::new();
    let catalog = w.catalog(CATALOG);
    let Some((screen, code)) = crate::support::on_a_terminal(&w, "add xai", "n\n") else {
        return;
    };
    assert_eq!(code, Some(1), "{screen}");
    assert!(screen.contains("write 1 file(s)? [y/N]"), "{screen}");
    assert_eq!(std::fs::read_to_string(&catalog).unwrap(), CATALOG);
    let (screen, code) = crate::support::on_a_terminal(&w, "add xai", "y\n").unwrap();
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        std::fs::read_to_string(&catalog)
            .unwrap()
            .contains("\n  xai:\n    name: xAI\n")
    );
}
