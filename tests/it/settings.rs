//! The catalog's `settings:` and the default profile's settings at config.toml's
//! top level (issue 22): checked by the key table, written per leaf, layered by
//! overlays, moved with the default, and adopted back from Codex's `/model`.

use predicates::prelude::*;
use predicates::str::contains;

use crate::support::{CATALOG, World};

/// [`CATALOG`] with team settings; alpha (the default) reasons `low`, beta `high`.
fn catalog() -> String {
    CATALOG.replace(
        "    model: alpha-1\n",
        "    model: alpha-1\n    model_reasoning_effort: low\n    features: {alpha_flag: true}\n",
    ) + "settings:\n  approval_policy: on-request\n  model_reasoning_effort: medium\n  notify: [notify-send, Codex]\n  features:\n    team_flag: true\n  sandbox_workspace_write:\n    network_access: true\n  shell_environment_policy:\n    inherit: core\n    set: {PAGER: cat}\n"
}

/// The part of a TOML text before its first table.
fn top(text: &str) -> &str {
    text.split("\n[").next().unwrap_or_default()
}

#[test]
fn settings_and_the_default_profiles_settings_are_written_at_the_top_level() {
    let w = World::new();
    w.catalog(&catalog());
    w.gen_yes();
    let config = w.read("config.toml");
    let head = top(&config);
    for line in [
        "model = \"alpha-1\"\n",
        "approval_policy = \"on-request\"\n",
        // The default profile's over the team's.
        "model_reasoning_effort = \"low\"\n",
        "notify = [\"notify-send\", \"Codex\"]\n",
    ] {
        assert!(head.contains(line), "{line:?} at the top of:\n{config}");
    }
    for table in [
        "[features]\nteam_flag = true\nalpha_flag = true\n",
        "[sandbox_workspace_write]\nnetwork_access = true\n",
        "[shell_environment_policy]\ninherit = \"core\"\n\n[shell_environment_policy.set]\nPAGER = \"cat\"\n",
    ] {
        assert!(config.contains(table), "{table:?} in:\n{config}");
    }
    // beta sets its own effort; alpha's flag is not the team's, so beta has
    // no value to be given for it and inherits it (docs/catalog.md says so).
    let beta = w.read("beta.config.toml");
    assert!(
        beta.contains("model_reasoning_effort = \"high\"\n"),
        "{beta}"
    );
    w.cmd().args(["gen", "--check"]).assert().success();
}

/// Switching the default moves every setting: the new default's land, and a
/// setting the previous default had and the new one lacks falls back to the
/// team's or leaves; Codex's own tables stay.
#[test]
fn switching_the_default_moves_all_its_settings() {
    let w = World::new();
    w.catalog(&catalog());
    w.gen_yes();
    let config = w.home.join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text = text.replace("[features]\n", "[features]\nmy_own_flag = false\n");
    text.push_str("\n[projects.\"/src/x\"]\ntrust_level = \"trusted\"\n\n[notice]\nhide_full_access_warning = true\n");
    std::fs::write(&config, &text).unwrap();
    w.file("work/providers.local.yaml", "schema: 1\ndefault: beta\n");
    w.gen_yes();
    let config = w.read("config.toml");
    let head = top(&config);
    assert!(head.contains("model = \"beta-2\"\n"), "{config}");
    assert!(
        head.contains("model_reasoning_effort = \"high\"\n"),
        "{config}"
    );
    assert!(!config.contains("alpha_flag"), "{config}");
    assert!(config.contains("team_flag = true"), "{config}");
    assert!(config.contains("my_own_flag = false"), "{config}");
    assert!(
        config.contains("[projects.\"/src/x\"]\ntrust_level = \"trusted\"\n"),
        "{config}"
    );
    assert!(config.contains("[notice]\nhide_full_access_warning = true\n"));
    // alpha's file now gets the team's effort (alpha sets its own, `low`).
    assert!(
        w.read("alpha.config.toml")
            .contains("model_reasoning_effort = \"low\"")
    );
    w.cmd().args(["gen", "--check"]).assert().success();
}

/// An overlay changes one team setting and removes another with `~`, key by key.
#[test]
fn an_overlay_changes_and_removes_team_settings_key_by_key() {
    let w = World::new();
    w.catalog(&catalog());
    w.gen_yes();
    w.file(
        "work/providers.local.yaml",
        "schema: 1\nsettings:\n  approval_policy: ~\n  notify: ~\n  sandbox_workspace_write:\n    network_access: false\n  features:\n    team_flag: ~\n",
    );
    w.gen_yes();
    let config = w.read("config.toml");
    assert!(!config.contains("approval_policy"), "{config}");
    assert!(!config.contains("notify"), "{config}");
    assert!(!config.contains("team_flag"), "{config}");
    assert!(
        config.contains("[sandbox_workspace_write]\nnetwork_access = false\n"),
        "{config}"
    );
    assert!(config.contains("[shell_environment_policy]"), "{config}");
}

#[test]
fn a_typo_in_settings_is_an_error_with_its_suggestion() {
    let w = World::new();
    w.catalog(&(catalog() + "  aproval_policy: never\n  projects: {}\n"));
    w.cmd()
        .arg("validate")
        .assert()
        .code(2)
        .stderr(contains("unknown key `aproval_policy` in `settings`"))
        .stderr(contains("did you mean `approval_policy`?"))
        .stderr(contains("unknown key `projects` in `settings`"));
    // In a table of its own, too.
    w.catalog(&catalog().replace("network_access: true", "network_acess: true"));
    w.cmd()
        .arg("validate")
        .assert()
        .code(2)
        .stderr(contains("did you mean `network_access`?"));
}

#[test]
fn a_literal_secret_in_a_setting_is_refused_without_printing_it() {
    let secret = "sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
    for line in [
        format!("  review_model: {secret}\n"),
        format!("  notify: [curl, -H, \"Authorization: Bearer {secret}\"]\n"),
        format!("  shell_environment_policy:\n    set: {{GITHUB_TOKEN: {secret}}}\n"),
    ] {
        let w = World::new();
        w.catalog(&format!("{CATALOG}settings:\n{line}"));
        w.cmd()
            .arg("validate")
            .assert()
            .code(2)
            .stderr(contains("credential"))
            .stderr(contains(&secret[..12]).not());
    }
}

/// The class: any map key of the catalog, at any depth (a feature's name, a
/// key of `set` or `unchecked`, a header's or a query parameter's name),
/// that looks like a credential is refused as a value would be, and never
/// printed (`show` prints keys where no redaction of values reaches).
#[test]
fn a_credential_shaped_key_anywhere_is_refused_without_printing_it() {
    let secret = "ghp_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e";
    for (place, extra) in [
        (
            "settings.features",
            format!("settings:\n  features:\n    {secret}: true\n"),
        ),
        (
            "settings.shell_environment_policy.set",
            format!("settings:\n  shell_environment_policy:\n    set: {{{secret}: x}}\n"),
        ),
        (
            "settings.unchecked.team_new",
            format!("settings:\n  unchecked:\n    team_new: {{{secret}: 1}}\n"),
        ),
        ("providers.alpha-p.query_params", String::new()),
    ] {
        let w = World::new();
        let catalog = if extra.is_empty() {
            CATALOG.replace(
                "    env_key: ALPHA_API_KEY\n",
                &format!("    env_key: ALPHA_API_KEY\n    query_params: {{{secret}: \"1\"}}\n"),
            )
        } else {
            format!("{CATALOG}{extra}")
        };
        assert!(catalog.contains(secret), "{place}: {catalog}");
        w.catalog(&catalog);
        for args in [&["validate"][..], &["show"], &["gen", "--diff"]] {
            w.cmd()
                .args(args)
                .assert()
                .code(2)
                .stderr(contains(format!(
                    "a key in `{place}` looks like a credential"
                )))
                .stderr(contains(&secret[..12]).not())
                .stdout(contains(&secret[..12]).not());
        }
    }
}

/// An empty list is a value: `writable_roots: []` in a profile means no
/// writable folders, over the team's list (Codex replaces lists), in the
/// profile's file and, for the default profile, at config.toml's top level.
#[test]
fn an_empty_list_is_written_over_the_teams() {
    let w = World::new();
    let catalog = CATALOG.replace(
        "    model: alpha-1\n",
        "    model: alpha-1\n    sandbox_workspace_write: {writable_roots: []}\n    notify: []\n",
    );
    w.catalog(&format!(
        "{catalog}settings:\n  notify: [notify-send, Codex]\n  sandbox_workspace_write:\n    writable_roots: [/opt/shared]\n"
    ));
    w.gen_yes();
    let alpha = w.read("alpha.config.toml");
    let config = w.read("config.toml");
    for text in [&alpha, &config] {
        assert!(text.contains("notify = []\n"), "{text}");
        assert!(
            text.contains("[sandbox_workspace_write]\nwritable_roots = []\n"),
            "{text}"
        );
    }
    // Another profile keeps the team's list.
    let beta = w.read("beta.config.toml");
    assert!(!beta.contains("writable_roots = []"), "{beta}");
    w.cmd().args(["gen", "--check"]).assert().success();
}

/// Before 0.134.0 a `[profiles.NAME]` table reads fewer keys than the top level:
/// a profile's setting that table does not read is refused, the same setting in
/// `settings:` is written.
#[test]
fn a_legacy_profile_table_takes_only_the_keys_it_reads() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    model: beta-2\n",
        "    model: beta-2\n    sandbox_workspace_write: {network_access: true}\n",
    ));
    w.cmd()
        .args(["--codex-version", "0.133.0", "validate"])
        .assert()
        .code(2)
        .stderr(contains(
            "`sandbox_workspace_write` of profile `beta` needs Codex 0.134.0 or newer",
        ));
    w.cmd()
        .args(["--codex-version", "0.171.0", "validate"])
        .assert()
        .success();
    w.catalog(&format!(
        "{CATALOG}settings:\n  sandbox_workspace_write: {{network_access: true}}\n  features: {{x: true}}\n"
    ));
    w.gen_yes_for("0.133.0");
    let config = w.read("config.toml");
    assert!(
        config.contains("[sandbox_workspace_write]\nnetwork_access = true\n"),
        "{config}"
    );
    // The features table is read in `[profiles.NAME]` (0.89+): a profile may set it.
    w.catalog(&CATALOG.replace(
        "    model: beta-2\n",
        "    model: beta-2\n    features: {y: false}\n",
    ));
    w.gen_yes_for("0.133.0");
    let config = w.read("config.toml");
    assert!(
        config.contains("[profiles.beta.features]\ny = false\n"),
        "{config}"
    );
    assert!(!config.contains("[sandbox_workspace_write]"), "{config}");
}

/// Codex's `/model` writes `model` and `model_reasoning_effort` at the top level:
/// the effort the default profile sets is drift, and `adopt` writes it back into
/// that profile; one only the team's `settings` sets goes to `settings`.
#[test]
fn adopt_takes_codexs_effort_into_the_default_profile_or_the_settings() {
    let w = World::new();
    w.catalog(&catalog());
    w.gen_yes();
    let config = w.home.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let edited = text
        .replace(
            "model_reasoning_effort = \"low\"",
            "model_reasoning_effort = \"xhigh\"",
        )
        .replace(
            "approval_policy = \"on-request\"",
            "approval_policy = \"never\"",
        );
    assert_ne!(text, edited);
    std::fs::write(&config, &edited).unwrap();
    w.cmd().args(["gen", "--diff"]).assert().stdout(contains(
        "drift: config.toml: `model_reasoning_effort` was set to \"xhigh\" by hand",
    ));
    w.cmd().args(["adopt", "--yes"]).assert().success();
    let overlay = std::fs::read_to_string(w.root.join("work/providers.local.yaml")).unwrap();
    assert!(
        overlay.contains("profiles:\n  alpha:\n    model_reasoning_effort: xhigh\n"),
        "{overlay}"
    );
    assert!(
        overlay.contains("settings:\n  approval_policy: never\n"),
        "{overlay}"
    );
    w.gen_yes();
    assert_eq!(w.read("config.toml"), edited);
    w.cmd().args(["gen", "--check"]).assert().success();
}

/// A key codexgen does not know is written only from `unchecked`, with a warning
/// that names it; a known key (or one codexgen or the machine owns) is refused
/// there, so a typo cannot pass for a new key.
#[test]
fn unchecked_keys_are_written_as_given_with_a_warning() {
    let w = World::new();
    w.catalog(&(CATALOG.replace(
        "    model: beta-2\n",
        "    model: beta-2\n    unchecked:\n      brand_new_switch: true\n",
    ) + "settings:\n  approval_policy: never\n  unchecked:\n    suppress_unstable_features_warning: true\n    brand_new_table: {limit: 3, names: [a, b]}\n"));
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(
            "the catalog writes `settings.unchecked.suppress_unstable_features_warning`, `settings.unchecked.brand_new_table`, `profiles.beta.unchecked.brand_new_switch` unchecked",
        ))
        .stderr(contains("codexgen gen --verify"));
    let config = w.read("config.toml");
    assert!(
        top(&config)
            .contains("approval_policy = \"never\"\nsuppress_unstable_features_warning = true\n"),
        "{config}"
    );
    assert!(
        config.contains("[brand_new_table]\nlimit = 3\nnames = [\"a\", \"b\"]\n"),
        "{config}"
    );
    assert!(
        w.read("beta.config.toml")
            .contains("brand_new_switch = true\n")
    );
    assert!(!w.read("alpha.config.toml").contains("brand_new"));
    w.cmd().args(["gen", "--check"]).assert().success();

    for (entry, says) in [
        (
            "approval_policy: never",
            "`approval_policy` in `unchecked` of `settings` is a key codexgen knows",
        ),
        (
            "projects: {x: 1}",
            "`projects` in `unchecked` of `settings` is not a key a catalog sets",
        ),
        ("\"a.b\": 1", "is not a Codex key"),
        ("service_token: abc123", "is named for a credential"),
        ("ratio: 0.5", "cannot be written as it is"),
    ] {
        w.catalog(&format!("{CATALOG}settings:\n  unchecked:\n    {entry}\n"));
        w.cmd()
            .arg("validate")
            .assert()
            .code(2)
            .stderr(contains(says));
    }
}

/// A key the default profile sets that neither `settings` nor another profile
/// sets reaches that profile through config.toml's top level: gen says so.
#[test]
fn a_setting_other_profiles_inherit_from_the_default_is_a_warning() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    model: alpha-1\n",
        "    model: alpha-1\n    model_verbosity: low\n    model_reasoning_effort: low\n",
    ));
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(
            "these profiles run with the default profile `alpha`'s value of keys they do not set",
        ))
        .stderr(contains("  profile `beta`: `model_verbosity`\n"));
    // With the team's value in `settings`, beta gets it, and nothing is said.
    w.catalog(
        &(CATALOG.replace(
            "    model: alpha-1\n",
            "    model: alpha-1\n    model_verbosity: low\n",
        ) + "settings:\n  model_verbosity: medium\n"),
    );
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("these profiles run with").not());
    assert!(
        w.read("beta.config.toml")
            .contains("model_verbosity = \"medium\"\n")
    );
    assert!(top(&w.read("config.toml")).contains("model_verbosity = \"low\"\n"));
}

/// A sub-key of a settings table is gated by place and release like a key:
/// Codex 0.133.0's `[profiles.NAME.tui]` reads none of codexgen's `tui` keys
/// (it refuses the whole config.toml for one), while its `tools.web_search`
/// and the top level's `tui` are read.
#[test]
fn a_sub_key_a_legacy_profile_table_does_not_read_is_refused() {
    let w = World::new();
    for sub in [
        "animations: false",
        "notifications: true",
        "show_tooltips: false",
    ] {
        w.catalog(&CATALOG.replace(
            "    model: beta-2\n",
            &format!("    model: beta-2\n    tui: {{{sub}}}\n"),
        ));
        let name = sub.split(':').next().unwrap_or_default();
        w.cmd()
            .args(["--codex-version", "0.133.0", "validate"])
            .assert()
            .code(2)
            .stderr(contains(format!(
                "`tui.{name}` of profile `beta` needs Codex 0.134.0 or newer"
            )));
        w.cmd()
            .args(["--codex-version", "0.171.0", "validate"])
            .assert()
            .success();
    }
    w.catalog(&CATALOG.replace(
        "    model: beta-2\n",
        "    model: beta-2\n    tools: {web_search: true}\n",
    ));
    w.gen_yes_for("0.133.0");
    assert!(
        w.read("config.toml")
            .contains("[profiles.beta.tools]\nweb_search = true\n")
    );
    w.catalog(&format!(
        "{CATALOG}settings:\n  tui: {{animations: false}}\n"
    ));
    w.gen_yes_for("0.133.0");
    assert!(
        w.read("config.toml")
            .contains("[tui]\nanimations = false\n")
    );
    // The default profile has its legacy table too: the same gate.
    w.catalog(
        &(CATALOG.replace(
            "    model: alpha-1\n",
            "    model: alpha-1\n    tui: {animations: true}\n",
        ) + "settings:\n  tui: {animations: false}\n"),
    );
    w.cmd()
        .args(["--codex-version", "0.133.0", "validate"])
        .assert()
        .code(2)
        .stderr(contains(
            "`tui.animations` of profile `alpha` needs Codex 0.134.0",
        ));
}

/// A key in `unchecked` one or two edits from a known key of the same place is
/// a typo of it, not a new key: an error that names the known key.
#[test]
fn a_typo_of_a_known_key_in_unchecked_is_an_error() {
    let w = World::new();
    for (entry, meant) in [
        ("aproval_policy: never", "approval_policy"),
        ("sandbox_mod: read-only", "sandbox_mode"),
        ("hide_agent_reasonin: true", "hide_agent_reasoning"),
        ("modle: x", "model"),
    ] {
        w.catalog(&format!("{CATALOG}settings:\n  unchecked:\n    {entry}\n"));
        w.cmd()
            .arg("validate")
            .assert()
            .code(2)
            .stderr(contains(format!("did you mean `{meant}`?")));
        w.catalog(&CATALOG.replace(
            "    model: beta-2\n",
            &format!("    model: beta-2\n    unchecked:\n      {entry}\n"),
        ));
        w.cmd()
            .arg("validate")
            .assert()
            .code(2)
            .stderr(contains(format!("did you mean `{meant}`?")));
    }
}

/// Instructions are prose: a newline or a tab in them is written (and read back
/// by import), other control characters are still refused.
#[test]
fn instructions_may_span_lines() {
    let w = World::new();
    w.catalog(&format!(
        "{CATALOG}settings:\n  developer_instructions: \"Be brief.\\n\\tUse \\\"tests\\\".\\nNo '''.\"\n"
    ));
    w.gen_yes();
    let config = w.read("config.toml");
    let table: toml::Table = config.parse().unwrap_or_else(|e| panic!("{e}\n{config}"));
    assert_eq!(
        table["developer_instructions"].as_str(),
        Some("Be brief.\n\tUse \"tests\".\nNo '''.")
    );
    w.cmd().args(["gen", "--check"]).assert().success();
    w.catalog(&format!(
        "{CATALOG}settings:\n  developer_instructions: \"a\\u0007b\"\n"
    ));
    w.cmd()
        .arg("validate")
        .assert()
        .code(2)
        .stderr(contains("control character"));
    w.catalog(&format!("{CATALOG}settings:\n  review_model: \"a\\nb\"\n"));
    w.cmd()
        .arg("validate")
        .assert()
        .code(2)
        .stderr(contains("control character"));
}

/// Every settings table takes `unchecked:` too: a sub-key Codex added after
/// this codexgen (`tui.status_line`) is written into that table with the same
/// rules as the top-level `unchecked` (a known sub-key is refused, a near miss
/// is a typo, a warning names it).
#[test]
fn unchecked_keys_inside_a_settings_table_are_written_into_it() {
    let w = World::new();
    w.catalog(&(CATALOG.replace(
        "    model: beta-2\n",
        "    model: beta-2\n    history:\n      persistence: none\n      unchecked: {brand_new: 1}\n",
    ) + "settings:\n  tui:\n    animations: false\n    unchecked:\n      status_line: [model]\n      alternate_screen: never\n"));
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(
            "`settings.tui.unchecked.status_line`, `settings.tui.unchecked.alternate_screen`, `profiles.beta.history.unchecked.brand_new` unchecked",
        ));
    let config = w.read("config.toml");
    assert!(
        config.contains(
            "[tui]\nanimations = false\nstatus_line = [\"model\"]\nalternate_screen = \"never\"\n"
        ),
        "{config}"
    );
    let beta = w.read("beta.config.toml");
    assert!(
        beta.contains("[history]\npersistence = \"none\"\nbrand_new = 1\n"),
        "{beta}"
    );
    w.cmd().args(["gen", "--check"]).assert().success();
    for (entry, says) in [
        (
            "animations: true",
            "`animations` in `unchecked` of `tui` of `settings` is a key codexgen knows",
        ),
        ("animatons: true", "did you mean `animations`?"),
        ("api_token: abc", "is named for a credential"),
    ] {
        w.catalog(&format!(
            "{CATALOG}settings:\n  tui:\n    unchecked:\n      {entry}\n"
        ));
        w.cmd()
            .arg("validate")
            .assert()
            .code(2)
            .stderr(contains(says));
    }
}

/// A key of a table that an older Codex reads only beside a sibling: Codex
/// 0.89 refuses `[history]` with `max_bytes` and no `persistence` (0.131 reads it)
/// (every command fails), so gen refuses it for such a target.
#[test]
fn a_table_key_an_older_codex_needs_a_sibling_for_is_refused_without_it() {
    let w = World::new();
    w.catalog(&format!(
        "{CATALOG}settings:\n  history: {{max_bytes: 1000}}\n"
    ));
    w.cmd()
        .args(["--codex-version", "0.89.0", "validate"])
        .assert()
        .code(2)
        .stderr(contains(
            "`history.max_bytes` of `settings` needs `history.persistence` beside it for Codex 0.89.0",
        ));
    w.cmd()
        .args(["--codex-version", "0.131.0", "validate"])
        .assert()
        .success();
    w.catalog(&format!(
        "{CATALOG}settings:\n  history: {{persistence: save-all, max_bytes: 1000}}\n"
    ));
    w.gen_yes_for("0.89.0");
    assert!(
        w.read("config.toml")
            .contains("[history]\npersistence = \"save-all\"\nmax_bytes = 1000\n")
    );
}

/// A value the user wrote by hand that codexgen starts to manage is said,
/// equal to the catalog's or not, and is the user's again, their own value,
/// when the catalog stops setting it: given back, never deleted (issue 22).
#[test]
fn a_hand_written_value_equal_to_the_catalogs_is_taken_over_aloud_and_given_back() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    model_reasoning_effort: high\n",
        "    model_reasoning_effort: high\n    model_verbosity: low\n",
    ));
    w.gen_yes();
    let config = w.home.join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text = text.replace(
        "model = \"alpha-1\"\n",
        "model = \"alpha-1\"\nmodel_verbosity = 'low' # mine\n",
    );
    std::fs::write(&config, &text).unwrap();
    w.file("work/providers.local.yaml", "schema: 1\ndefault: beta\n");
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("config.toml: model_verbosity = 'low'"))
        .stderr(contains("equal to the catalog's"));
    assert!(
        w.read("config.toml")
            .contains("model_verbosity = 'low' # mine\n")
    );
    std::fs::remove_file(w.root.join("work/providers.local.yaml")).unwrap();
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("gives back"))
        .stderr(contains("config.toml: model_verbosity"));
    let after = w.read("config.toml");
    assert!(
        after.contains("model_verbosity = 'low' # mine\n"),
        "{after}"
    );
    // And it is the user's now: a later run neither says nor touches it.
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("model_verbosity").not());
    assert_eq!(w.read("config.toml"), after);
}

/// Values the user had before codexgen ever ran, which the catalog's
/// settings take over (one equal, two not), come back as the user wrote
/// them when an overlay removes the settings.
#[test]
fn values_the_user_had_before_come_back_when_the_settings_leave() {
    let w = World::new();
    let mine = "approval_policy = \"on-request\"\n\n[features]\nmy_flag = false # off\n\n[tui]\nanimations = true\n";
    w.file("codex-home/config.toml", mine);
    w.catalog(&format!(
        "{CATALOG}settings:\n  approval_policy: never\n  features: {{my_flag: true}}\n  tui: {{animations: true}}\n"
    ));
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(
            "config.toml: approval_policy: \"on-request\" → \"never\"",
        ))
        .stderr(contains("config.toml: features.my_flag: false → true"))
        .stderr(contains("config.toml: tui.animations = true"));
    let taken = w.read("config.toml");
    assert!(taken.contains("approval_policy = \"never\"\n"), "{taken}");
    w.file(
        "work/providers.local.yaml",
        "schema: 1\nsettings:\n  approval_policy: ~\n  features: {my_flag: ~}\n  tui: ~\n",
    );
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("gives back 3"));
    let after = w.read("config.toml");
    for line in [
        "approval_policy = \"on-request\"\n",
        "[features]\nmy_flag = false # off\n",
        "[tui]\nanimations = true\n",
    ] {
        assert!(after.contains(line), "{line:?} in:\n{after}");
    }
    w.cmd().args(["gen", "--check"]).assert().success();
}

/// Codex lays a profile over config.toml leaf by leaf, at every depth: a
/// leaf the default profile sets inside a table (`sandbox_workspace_write`,
/// a `features` flag, a `shell_environment_policy.set` entry) or as an
/// `unchecked` key reaches every profile that does not set that leaf. Where
/// `settings` has the leaf, the profile gets the team's value; where it has
/// none, gen names the profile and the dotted key.
#[test]
fn a_leaf_inside_a_table_other_profiles_inherit_is_given_or_named() {
    let w = World::new();
    let default = "    model: alpha-1\n    sandbox_workspace_write: {writable_roots: [/opt/p-only]}\n    features: {alpha_flag: true}\n    shell_environment_policy: {set: {ALPHA_ONLY: a}}\n    unchecked: {alpha_new: 1}\n";
    w.catalog(
        &(CATALOG.replace("    model: alpha-1\n", default)
            + "settings:\n  sandbox_workspace_write: {network_access: false}\n"),
    );
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("  profile `beta`: `features.alpha_flag`, `sandbox_workspace_write.writable_roots`, `shell_environment_policy.set.ALPHA_ONLY`, `unchecked.alpha_new`\n"));
    // With the team's value of each leaf, beta gets it and nothing is said.
    w.catalog(
        &(CATALOG.replace("    model: alpha-1\n", default)
            + "settings:\n  sandbox_workspace_write: {network_access: false, writable_roots: [/opt/team]}\n  features: {alpha_flag: false}\n  shell_environment_policy: {set: {ALPHA_ONLY: team}}\n  unchecked: {alpha_new: 2}\n"),
    );
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains("these profiles run with").not());
    let beta = w.read("beta.config.toml");
    for line in [
        "writable_roots = [\"/opt/team\"]\n",
        "alpha_flag = false\n",
        "ALPHA_ONLY = \"team\"",
        "alpha_new = 2\n",
    ] {
        assert!(beta.contains(line), "{line:?} in:\n{beta}");
    }
    w.cmd().args(["gen", "--check"]).assert().success();
}

/// A map inside a settings table (`shell_environment_policy.set`, a table
/// an `unchecked` key holds) is written as a table of its own, so each
/// entry is a leaf: one you add by hand survives `gen`, the team's entries
/// stay managed (changed and removed with the catalog).
#[test]
fn an_entry_you_add_to_a_map_inside_a_settings_table_survives_gen() {
    let w = World::new();
    let team = |set: &str| {
        CATALOG.to_owned()
            + &format!(
                "settings:\n  shell_environment_policy: {{inherit: core, set: {set}}}\n  unchecked: {{tbl_new: {{inner: {set}}}}}\n"
            )
    };
    w.catalog(&team("{PAGER: cat, EDITOR: vi}"));
    w.gen_yes();
    let config = w.home.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text
        .replacen(
            "[shell_environment_policy.set]\n",
            "[shell_environment_policy.set]\nMINE = \"x\"\n",
            1,
        )
        .replacen("[tbl_new.inner]\n", "[tbl_new.inner]\nOWN = \"y\"\n", 1);
    assert!(text.contains("MINE") && text.contains("OWN"), "{text}");
    std::fs::write(&config, text).unwrap();
    w.catalog(&team("{PAGER: less}"));
    w.gen_yes();
    let after = w.read("config.toml");
    for line in ["MINE = \"x\"\n", "OWN = \"y\"\n", "PAGER = \"less\"\n"] {
        assert!(after.contains(line), "{line:?} in:\n{after}");
    }
    assert!(!after.contains("EDITOR"), "{after}");
    w.cmd().args(["gen", "--check"]).assert().success();
}

/// A home an earlier codexgen wrote, with `set = { ... }` inline and owned
/// whole (its state records `shell_environment_policy.set` as one leaf):
/// `gen` keeps the map and the entry the user added in it, and owns the
/// team's entries one by one from then on (it neither drops the map nor
/// loses the team's entry).
#[test]
fn a_map_an_earlier_codexgen_wrote_inline_keeps_the_users_entry() {
    let w = World::new();
    let team = |set: &str| {
        CATALOG.to_owned()
            + &format!("settings:\n  shell_environment_policy: {{inherit: core, set: {set}}}\n")
    };
    w.catalog(&team("{PAGER: cat}"));
    w.gen_yes();
    // As an earlier codexgen wrote it, and the user's entry added inline.
    let config = w.home.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "\n[shell_environment_policy.set]\nPAGER = \"cat\"\n",
        "set = { PAGER = \"cat\", MINE = \"x\" }\n",
    );
    assert!(text.contains("MINE"), "{text}");
    std::fs::write(&config, text).unwrap();
    let state = w.home.join(".codexgen/state.json");
    let record = std::fs::read_to_string(&state).unwrap();
    let old = r#"[["shell_environment_policy","set","PAGER"],"\"cat\""]"#;
    assert!(record.contains(old), "{record}");
    let record = record.replace(
        old,
        r#"[["shell_environment_policy","set"],"{ PAGER = \"cat\" }"]"#,
    );
    std::fs::write(&state, record).unwrap();
    for set in ["{PAGER: cat}", "{PAGER: less}"] {
        w.catalog(&team(set));
        w.gen_yes();
        let after = w.read("config.toml");
        assert!(after.contains("MINE = \"x\""), "{after}");
        let pager = if set.contains("less") { "less" } else { "cat" };
        assert!(after.contains(&format!("PAGER = \"{pager}\"")), "{after}");
        w.cmd().args(["gen", "--check"]).assert().success();
    }
}
