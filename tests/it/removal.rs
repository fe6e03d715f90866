//! What a removal leaves (issue 20, points 2 and 3): when a provider, a
//! managed key or a profile leaves the catalog, or a profile moves to the
//! legacy layout, codexgen removes only the bytes it wrote. The user's
//! comments stay where the removed lines were (and are said to stay); a
//! table that would be left with the user's keys and none of codexgen's is
//! kept whole, said before writing in every mode, and still loads in the
//! real Codex; `--verify`'s help names the table and keys Codex refused.

use std::path::Path;

use predicates::prelude::*;
use predicates::str::contains;

use crate::e2e::codex_bin_from;
use crate::support::{CATALOG, World};

const HEADER: &str = "# codexgen: generated from catalog version t1; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n";

const BETA_PROVIDER: &str = "  beta-p:\n    name: Beta\n    base_url: https://beta.example/openai/v1\n    env_key: BETA_API_KEY\n    query_params: {api-version: \"2025-04-01-preview\"}\n";
const BETA_PROFILE: &str =
    "  beta:\n    provider: beta-p\n    model: beta-2\n    model_reasoning_effort: high\n";

/// The test catalog without provider `beta-p` and the profile using it.
fn without_beta() -> String {
    CATALOG.replace(BETA_PROVIDER, "").replace(BETA_PROFILE, "")
}

/// Rewrites a file of the Codex home with `edit`.
fn edit(w: &World, name: &str, edit: impl FnOnce(String) -> String) {
    let path = w.home.join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
}

/// A home written from the test catalog, with `user` added to the end of
/// config.toml (inside `[model_providers.beta-p]`, its last table).
fn home_with_beta_and(user: &str) -> World {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    edit(&w, "config.toml", |text| {
        assert!(text.ends_with("query_params = { api-version = \"2025-04-01-preview\" }\n"));
        format!("{text}{user}")
    });
    w.catalog(&without_beta());
    w
}

#[test]
fn a_removed_provider_leaves_the_users_comments_where_it_was() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    edit(&w, "config.toml", |text| {
        text.replace(
            "[model_providers.beta-p]\n",
            "# Parked for later:\n# [mcp_servers.legacy]\n# command = \"old\"\n\n# about beta\n[model_providers.beta-p] # the header's own\n# inside beta\n",
        )
        .replace(
            "env_key = \"BETA_API_KEY\"\n",
            "env_key = \"BETA_API_KEY\" # my key\n",
        )
    });
    w.catalog(&without_beta());
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains(
            "keep: config.toml: 7 comment line(s) of removed keys or tables would stay in the file",
        ));
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stdout(contains("keep: config.toml: 7 comment line(s)"));
    let config = w.read("config.toml");
    assert!(!config.contains("beta-p"), "{config}");
    assert!(
        config.ends_with("wire_api = \"responses\"\n\n# Parked for later:\n# [mcp_servers.legacy]\n# command = \"old\"\n\n# about beta\n# the header's own\n# inside beta\n# my key\n"),
        "{config}"
    );
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
fn a_removed_key_leaves_the_comments_above_and_after_it() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    edit(&w, "beta.config.toml", |text| {
        text.replace(
            "model_reasoning_effort = \"high\"\n",
            "# high for reviews\nmodel_reasoning_effort = \"high\" # until March\n",
        )
    });
    w.catalog(&CATALOG.replace("    model_reasoning_effort: high\n", ""));
    w.gen_yes();
    assert_eq!(
        w.read("beta.config.toml"),
        format!(
            "{HEADER}model = \"beta-2\"\nmodel_provider = \"beta-p\"\n# high for reviews\n# until March\n"
        )
    );
}

#[test]
fn a_removed_profile_keeps_its_file_with_the_users_lines_only() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    edit(&w, "beta.config.toml", |text| {
        text.replace("model = ", "# my review profile\nmodel = ")
            .replace("model_provider = ", "# why beta\nmodel_provider = ")
            .replace(
                "model_reasoning_effort",
                "sandbox_mode = \"read-only\"\nmodel_reasoning_effort",
            )
    });
    w.catalog(&CATALOG.replace(BETA_PROFILE, ""));
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains("+++ b/beta.config.toml"))
        .stdout(contains("/dev/null").not());
    w.gen_yes();
    assert_eq!(
        w.read("beta.config.toml"),
        "# my review profile\n# why beta\nsandbox_mode = \"read-only\"\n"
    );
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
fn a_profile_file_left_for_the_legacy_layout_keeps_the_users_comments() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes_for("0.169.0");
    edit(&w, "beta.config.toml", |text| {
        text.replace("model = ", "# reviews only\nmodel = ")
    });
    w.gen_yes_for("0.133.0");
    assert!(w.read("config.toml").contains("[profiles.beta]"));
    assert_eq!(w.read("beta.config.toml"), "# reviews only\n");
    assert!(!w.exists("alpha.config.toml"));
}

#[test]
fn comments_of_a_removed_provider_stay_in_a_crlf_file() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    edit(&w, "config.toml", |text| {
        text.replace(
            "[model_providers.beta-p]\n",
            "# parked\n[model_providers.beta-p]\n",
        )
        .replace('\n', "\r\n")
    });
    w.catalog(&without_beta());
    w.gen_yes();
    let config = w.read("config.toml");
    assert!(
        config.ends_with("wire_api = \"responses\"\r\n\r\n# parked\r\n"),
        "{config:?}"
    );
    assert!(!config.replace("\r\n", "").contains('\n'), "{config:?}");
}

/// The warning a provider kept whole gets, on stderr and in the JSON report.
const KEPT: &str = "config.toml: `[model_providers.beta-p]` is no longer in the catalog, but it holds keys you added";

#[test]
fn a_removed_provider_with_the_users_key_stays_whole_and_says_so() {
    let w = home_with_beta_and("supports_websockets = false\n");
    let before = w.read("config.toml");
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains(format!("warning: {KEPT} (`supports_websockets`)")))
        .stderr(contains(
            "help: codexgen leaves the whole table, its own keys included",
        ));
    let out = w
        .cmd()
        .args(["gen", "--diff", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w["message"].as_str().unwrap().starts_with(KEPT)),
        "{warnings:?}"
    );
    let config = &report["files"][0];
    assert_eq!(config["file"], "config.toml");
    assert_eq!(
        config["notes"][0],
        serde_json::json!({"kind": "release", "table": "model_providers.beta-p", "keys": ["supports_websockets"]})
    );
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(format!("warning: {KEPT}")));
    // The table is as it was: name, base_url and all; the file is unchanged.
    assert_eq!(w.read("config.toml"), before);
    // codexgen no longer owns it: the next run says nothing and changes nothing.
    w.cmd()
        .args(["gen", "--check"])
        .assert()
        .success()
        .stderr(contains("warning").not());
}

#[test]
fn a_removed_provider_with_the_users_subtable_stays_whole() {
    let w = home_with_beta_and("\n[model_providers.beta-p.http_headers]\nX-Team = \"a\"\n");
    let before = w.read("config.toml");
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(format!("warning: {KEPT} (`http_headers.X-Team`)")));
    assert_eq!(w.read("config.toml"), before);
}

/// `codex [ARGS] mcp list` in the scratch home: Codex loads config.toml (and
/// the profile `-p` names) or says why not.
fn codex_loads(w: &World, codex: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(codex)
        .args(args)
        .args(["mcp", "list"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", w.root.join("user"))
        .env("CODEX_HOME", &w.home)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn real_codex_loads_what_a_removal_leaves() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    for user in [
        "supports_websockets = false\n",
        "\n[model_providers.beta-p.http_headers]\nX-Team = \"a\"\n",
        "# only a comment\n",
    ] {
        let w = home_with_beta_and(user);
        // The profile that leaves with it holds a key and a comment of the user's.
        edit(&w, "beta.config.toml", |text| {
            format!("{text}# mine\nsandbox_mode = \"read-only\"\n")
        });
        w.gen_yes_for("0.169.0");
        assert_eq!(
            w.read("beta.config.toml"),
            "# mine\nsandbox_mode = \"read-only\"\n"
        );
        for args in [&[][..], &["-p", "beta"]] {
            let out = codex_loads(&w, &codex, args);
            assert!(
                out.status.success(),
                "Codex {args:?} refused what removing beta-p left with {user:?}:\n{}\n{}",
                w.read("config.toml"),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn verify_names_the_table_codex_refused_not_a_name_elsewhere() {
    let w = World::new();
    w.catalog(CATALOG);
    // A provider table left without `name` (by hand, or by an older codexgen).
    w.file(
        "codex-home/config.toml",
        "[model_providers.groq]\nsupports_websockets = false\n",
    );
    w.fake_codex(
        "0.169.0",
        "printf 'Error: failed to load bootstrap configuration\\n\\nCaused by:\\n    model_providers.groq: provider name must not be empty\\n    in `model_providers`\\n' >&2; exit 1",
    );
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--diff", "--verify"])
        .assert()
        .code(2)
        .stderr(contains(
            "help: nothing was written; Codex refuses `[model_providers.groq]` in config.toml, which codexgen does not write (it holds `supports_websockets`): it has no `name`, which Codex asks for",
        ))
        .stderr(contains(".name`").not());
}

#[cfg(unix)]
#[test]
fn verify_names_every_key_codex_refused_in_that_table_only() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "codex-home/config.toml",
        "[model_providers.gcp]\nname = \"G\"\nenv_key = \"GCP_KEY\"\n\n[model_providers.gcp.auth]\ncommand = \"gcloud\"\n",
    );
    w.fake_codex(
        "0.169.0",
        "printf 'Error: failed to load bootstrap configuration\\n\\nCaused by:\\n    model_providers.gcp: provider auth cannot be combined with env_key\\n    in `model_providers`\\n' >&2; exit 1",
    );
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--diff", "--verify"])
        .assert()
        .code(2)
        .stderr(contains(
            "help: nothing was written; Codex objects to `model_providers.gcp.env_key` and `model_providers.gcp.auth` in config.toml, which codexgen does not write",
        ))
        .stderr(contains("alpha-p.env_key").not());
}

#[test]
fn a_value_edited_by_hand_that_a_removal_takes_is_said_in_every_mode() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    edit(&w, "config.toml", |text| {
        text.replace(
            "base_url = \"https://beta.example/openai/v1\"",
            "base_url = \"https://beta.internal/v1\"",
        )
    });
    w.catalog(&without_beta());
    let said = "warning: codexgen would remove 1 value(s) you edited by hand, because the catalog no longer has them:\n  config.toml: model_providers.beta-p.base_url: \"https://beta.internal/v1\"\n";
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains(said));
    let out = w
        .cmd()
        .args(["gen", "--check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["message"]
                .as_str()
                .unwrap()
                .starts_with("codexgen would remove 1 value(s) you edited by hand")),
        "{report}"
    );
    // `-q --yes` prints no diff, but still says it before writing.
    w.cmd()
        .args(["-q", "gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(said));
    assert!(!w.read("config.toml").contains("beta"));
}

/// `[profiles.beta]` as codexgen writes it for Codex 0.133, with the
/// user's comments above, on and inside it.
fn legacy_home_with_comments() -> World {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes_for("0.133.0");
    edit(&w, "config.toml", |text| {
        assert!(
            text.contains("[profiles.beta]\nmodel = \"beta-2\"\n"),
            "{text}"
        );
        text.replace(
            "[profiles.beta]\nmodel = \"beta-2\"\n",
            "# Parked:\n# [profiles.old]\n\n# for reviews\n[profiles.beta] # beta's own\n# inside\nmodel = \"beta-2\" # pinned\n",
        )
    });
    w
}

const LEGACY_COMMENTS: [&str; 6] = [
    "# Parked:",
    "# [profiles.old]",
    "# for reviews",
    "# beta's own",
    "# inside",
    "# pinned",
];

#[test]
fn a_profile_moving_to_its_own_file_leaves_the_users_comments_in_config() {
    let w = legacy_home_with_comments();
    w.gen_yes_for("0.169.0");
    let config = w.read("config.toml");
    assert!(!config.contains("[profiles.beta]"), "{config}");
    for comment in LEGACY_COMMENTS {
        assert!(
            config.lines().any(|l| l == comment),
            "lost {comment:?} in\n{config}"
        );
    }
    assert!(w.read("beta.config.toml").contains("model = \"beta-2\""));
}

#[test]
fn a_legacy_profile_that_leaves_the_catalog_leaves_the_users_comments() {
    let w = legacy_home_with_comments();
    w.catalog(&CATALOG.replace(BETA_PROFILE, ""));
    w.cmd()
        .args(["--codex-version", "0.133.0", "gen", "--yes"])
        .assert()
        .success()
        .stdout(contains("keep: config.toml: 6 comment line(s)"));
    let config = w.read("config.toml");
    assert!(!config.contains("[profiles.beta]"), "{config}");
    for comment in LEGACY_COMMENTS {
        assert!(
            config.lines().any(|l| l == comment),
            "lost {comment:?} in\n{config}"
        );
    }
}

/// At the prompt (a terminal, through `script`), the warning comes before
/// the question; a "no" writes nothing.
#[cfg(target_os = "linux")]
#[test]
fn the_prompt_says_it_before_asking() {
    let w = home_with_beta_and("supports_websockets = false\n");
    let before = crate::support::snapshot_dir(&w.home);
    let Some((said, code)) = crate::support::on_a_terminal(&w, "gen", "n\n") else {
        return;
    };
    let warned = said
        .find(KEPT)
        .unwrap_or_else(|| panic!("no warning in\n{said}"));
    let asked = said
        .find("[y/N]")
        .unwrap_or_else(|| panic!("no question in\n{said}"));
    assert!(warned < asked, "{said}");
    assert_eq!(code, Some(1), "{said}");
    assert_eq!(crate::support::snapshot_dir(&w.home), before);
}

/// The test catalog without a default: codexgen leaves config.toml's
/// top-level `model` and `model_provider` to the user.
fn no_default(catalog: &str) -> String {
    catalog.replace("default: alpha\n", "default: ~\n")
}

/// A home written from the test catalog without a default, where the user's
/// own `model_provider` (`at`: `top`, a `[profiles.mine]` table, or the
/// `file` mine.config.toml, which codexgen never wrote) names
/// `beta-p`; then beta-p leaves the catalog.
fn home_using_beta_at(at: &str) -> World {
    let w = World::new();
    w.catalog(&no_default(CATALOG));
    w.gen_yes();
    edit(&w, "config.toml", |text| match at {
        "top" => text.replacen(
            "\n[model_providers.alpha-p]",
            "\nmodel = \"beta-2\"\nmodel_provider = \"beta-p\"\n\n[model_providers.alpha-p]",
            1,
        ),
        "profiles" => {
            format!("{text}\n[profiles.mine]\nmodel = \"beta-2\"\nmodel_provider = \"beta-p\"\n")
        }
        _ => text,
    });
    if at == "file" {
        w.file(
            "codex-home/mine.config.toml",
            "# mine\nmodel = \"beta-2\"\nmodel_provider = \"beta-p\"\n",
        );
    }
    w.catalog(&no_default(&without_beta()));
    w
}

/// The warning a provider kept for the user's `model_provider` gets.
const USED: &str = "config.toml: `[model_providers.beta-p]` is no longer in the catalog, but your `model_provider` names it";

#[test]
fn a_removed_provider_that_the_users_model_provider_names_stays_whole() {
    for (at, key) in [
        ("top", "`model_provider`"),
        ("profiles", "`profiles.mine.model_provider`"),
        ("file", "`model_provider` in mine.config.toml"),
    ] {
        let w = home_using_beta_at(at);
        let before = w.read("config.toml");
        let warning = USED.replace("`model_provider`", key);
        w.cmd()
            .args(["gen", "--diff"])
            .assert()
            .success()
            .stderr(contains(format!("warning: {warning}")));
        let out = w
            .cmd()
            .args(["gen", "--diff", "--format", "json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let used_by = match at {
            "file" => "mine.config.toml: model_provider",
            _ => key.trim_matches('`'),
        };
        assert_eq!(
            report["files"][0]["notes"][0],
            serde_json::json!({"kind": "release", "table": "model_providers.beta-p", "keys": [], "used_by": [used_by]})
        );
        w.cmd()
            .args(["gen", "--yes"])
            .assert()
            .success()
            .stderr(contains(format!("warning: {warning}")));
        // Codex would refuse every command ("Model provider `beta-p` not
        // found") without the table: it stays as it was.
        assert_eq!(w.read("config.toml"), before, "{at}");
        assert!(!w.exists("beta.config.toml"));
        // The table is the user's now: the next run says nothing of it.
        w.cmd()
            .args(["gen", "--check"])
            .assert()
            .success()
            .stderr(contains("no longer in the catalog").not());
    }
}

#[test]
fn real_codex_loads_a_home_whose_model_provider_named_a_removed_provider() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    for (at, args) in [("top", &[][..]), ("file", &["-p", "mine"])] {
        let w = home_using_beta_at(at);
        w.gen_yes_for("0.169.0");
        let out = codex_loads(&w, &codex, args);
        assert!(
            out.status.success(),
            "{at}: {}\n{}",
            w.read("config.toml"),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The test catalog with Codex's built-in `amazon-bedrock` set by `entry`
/// (YAML under its id): a provider entry with sub-tables only.
fn with_bedrock(entry: &str) -> String {
    CATALOG.replacen(
        "profiles:\n",
        &format!("  amazon-bedrock:\n{entry}profiles:\n"),
        1,
    )
}

#[test]
fn a_users_key_in_a_subtable_that_leaves_an_entry_of_subtables_only_stops_the_run() {
    // An entry whose only table the catalog writes is a sub-table: when it
    // trades `aws` for `auth`, the user's `region` in [...aws] is neither
    // kept (Codex refuses `aws` beside `auth`) nor dropped silently.
    let w = World::new();
    w.catalog(&with_bedrock("    aws:\n      profile: dev\n"));
    w.gen_yes();
    edit(&w, "config.toml", |text| {
        text.replace(
            "profile = \"dev\"\n",
            "profile = \"dev\"\nregion = \"us-east-1\"\n",
        )
    });
    let before = w.read("config.toml");
    w.catalog(&with_bedrock(
        "    auth:\n      command: /bin/echo\n      args: [tok]\n",
    ));
    for mode in ["--diff", "--yes"] {
        w.cmd()
            .args(["gen", mode])
            .assert()
            .failure()
            .stderr(contains(
                "the catalog no longer writes [model_providers.amazon-bedrock.aws], but it holds keys you added (`region`)",
            ));
    }
    assert_eq!(w.read("config.toml"), before);
    // Without the user's key, the table simply goes.
    edit(&w, "config.toml", |text| {
        text.replace("region = \"us-east-1\"\n", "")
    });
    w.gen_yes();
    let config = w.read("config.toml");
    assert!(!config.contains(".aws]"), "{config}");
    assert!(
        config.contains("[model_providers.amazon-bedrock.auth]"),
        "{config}"
    );
}

#[test]
fn a_legacy_profile_the_users_profile_selects_stays_with_its_provider_else_both_go() {
    // Codex before 0.134 reads `[profiles.NAME]` tables, and a top-level
    // `profile = "NAME"` selects one; without it `exec` fails ("config
    // profile `beta` not found").
    for selected in [false, true] {
        let w = World::new();
        w.catalog(CATALOG);
        w.gen_yes_for("0.133.0");
        if selected {
            edit(&w, "config.toml", |text| {
                text.replacen("model = ", "profile = \"beta\"\nmodel = ", 1)
            });
        }
        let before = w.read("config.toml");
        w.catalog(&without_beta());
        let run = w
            .cmd()
            .args(["--codex-version", "0.133.0", "gen", "--yes"])
            .assert()
            .success();
        let config = w.read("config.toml");
        if selected {
            run.stderr(contains(
                "warning: config.toml: `[profiles.beta]` is no longer in the catalog, but your `profile` names it",
            ))
            .stderr(contains(
                "`[model_providers.beta-p]` is no longer in the catalog, but your `profiles.beta.model_provider` names it",
            ));
            assert_eq!(config, before);
        } else {
            // codexgen's own profile table names its provider: both go.
            run.stderr(contains("no longer in the catalog").not());
            assert!(!config.contains("beta"), "{config}");
        }
    }
}

#[test]
fn a_default_given_up_with_its_provider_keeps_the_provider_its_model_provider_names() {
    // `default: ~` leaves config.toml's `model_provider` to the user, as it
    // is on disk: the provider it names stays when the catalog drops it too.
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let alpha = "  alpha-p:\n    name: Alpha\n    base_url: https://alpha.example/v1\n    env_key: ALPHA_API_KEY\n";
    let profile = "  alpha:\n    provider: alpha-p\n    model: alpha-1\n";
    w.catalog(&no_default(CATALOG).replace(alpha, "").replace(profile, ""));
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(
            "`[model_providers.alpha-p]` is no longer in the catalog, but your `model_provider` names it",
        ));
    let config = w.read("config.toml");
    assert!(
        config.contains("model_provider = \"alpha-p\"\n"),
        "{config}"
    );
    assert!(
        config.contains("[model_providers.alpha-p]\nname = \"Alpha\"\n"),
        "{config}"
    );
    assert!(!w.exists("alpha.config.toml"));
}

#[cfg(unix)]
#[test]
fn verify_names_the_key_whose_value_codex_did_not_find() {
    // Codex quotes the value, not the key: "Model provider `nope` not found".
    let w = World::new();
    w.catalog(&no_default(CATALOG));
    w.file(
        "codex-home/config.toml",
        "model_provider = \"nope\"\nmodel = \"m\"\n",
    );
    w.fake_codex(
        "0.169.0",
        "printf 'Error: failed to load configuration\\n\\nCaused by:\\n    Model provider `nope` not found\\n' >&2; exit 1",
    );
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--diff", "--verify"])
        .assert()
        .code(2)
        .stderr(contains(
            "help: nothing was written; Codex objects to `model_provider` in config.toml, which codexgen does not write",
        ));
}

#[test]
fn a_profile_file_that_the_target_codex_does_not_read_keeps_no_provider() {
    // Codex before 0.134 reads no NAME.config.toml: what one names does
    // not keep a provider that leaves.
    let w = home_using_beta_at("file");
    w.cmd()
        .args(["--codex-version", "0.133.0", "gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("no longer in the catalog").not());
    assert!(!w.read("config.toml").contains("beta-p"));
    assert!(w.exists("mine.config.toml"));
}

#[test]
fn a_kept_provider_that_is_named_and_holds_the_users_keys_says_both() {
    let w = home_using_beta_at("top");
    edit(&w, "config.toml", |text| {
        format!("{text}supports_websockets = false\n")
    });
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(format!(
            "warning: {USED} (and it holds keys you added: `supports_websockets`)"
        )));
}

#[test]
fn a_kept_comment_keeps_every_byte_of_its_own() {
    // Trailing blanks, tabs, no text after `#`: the comment as written.
    let w = home_with_beta_and("#\n# spaces after  \n\t# tab inside\tand after\t\n");
    edit(&w, "config.toml", |text| {
        text.replace(
            "env_key = \"BETA_API_KEY\"\n",
            "  # above a key\t \nenv_key = \"BETA_API_KEY\"  # after a value \n",
        )
    });
    w.gen_yes();
    assert!(w.read("config.toml").ends_with(
        "wire_api = \"responses\"\n\n  # above a key\t \n# after a value \n#\n# spaces after  \n\t# tab inside\tand after\t\n"
    ), "{:?}", w.read("config.toml"));
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
fn a_comment_left_behind_by_a_moving_profile_keeps_every_byte_of_its_own() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes_for("0.133.0");
    edit(&w, "config.toml", |text| {
        text.replace(
            "[profiles.beta]\n",
            "[profiles.beta]\n# inside, blanks after \t\n  # indented\n",
        )
    });
    w.gen_yes_for("0.169.0");
    let config = w.read("config.toml");
    assert!(!config.contains("[profiles.beta]"), "{config}");
    assert!(
        config.contains("\n# inside, blanks after \t\n  # indented\n"),
        "{config:?}"
    );
}
