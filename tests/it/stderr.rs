//! The whole stderr of the main error paths, compared line for line (as
//! just's tests do), so a change in wording, order, help or a doubled
//! message shows in review. Temporary paths print as `[ROOT]`, the list of
//! a provider's keys (exactly [`PROVIDER_KEYS`]) as `[PROVIDER_KEYS]`. The
//! expectations are snapbox `str![]` snapshots: `SNAPSHOTS=overwrite cargo
//! test --test it stderr::` rewrites them in place, to be reviewed in the diff.

// SNAPSHOTS=overwrite writes every str![] as r#"…"#.
#![allow(clippy::needless_raw_string_hashes)]

use snapbox::{IntoData, assert_data_eq, str};

use crate::support::{CATALOG, PROVIDER_KEYS, World};

/// Runs `codexgen ARGS` in `w` and returns (exit code, stderr) with the
/// scratch root replaced by `[ROOT]`.
fn run(w: &World, args: &[&str]) -> (i32, String) {
    run_with(w, &[], args)
}

/// [`run`] with more environment variables (a fail point, say).
fn run_with(w: &World, env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let out = w
        .cmd()
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("run codexgen");
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    let root = w.root.display().to_string();
    // Paths codexgen resolves (the catalog a home records) are canonical:
    // on macOS the temp folder is behind a link (`/var` -> `/private/var`).
    let canonical =
        std::fs::canonicalize(&w.root).map_or_else(|_| root.clone(), |p| p.display().to_string());
    (
        out.status.code().unwrap_or(-1),
        stderr
            .replace(&canonical, "[ROOT]")
            .replace(&root, "[ROOT]")
            .replace(PROVIDER_KEYS, "[PROVIDER_KEYS]"),
    )
}

/// Holds the stderr of `codexgen ARGS` to `expected` (a snapbox `str![]`,
/// rewritten in place by `SNAPSHOTS=overwrite`) byte for byte, and its exit code.
#[track_caller]
fn assert_stderr(w: &World, args: &[&str], code: i32, expected: impl IntoData) {
    assert_stderr_with(w, &[], args, code, expected);
}

#[track_caller]
fn assert_stderr_with(
    w: &World,
    env: &[(&str, &str)],
    args: &[&str],
    code: i32,
    expected: impl IntoData,
) {
    let (got_code, got) = run_with(w, env, args);
    assert_data_eq!(got.clone().raw(), expected.raw());
    assert_eq!(got_code, code, "exit code of codexgen {args:?}\n{got}");
}

#[test]
fn a_typo_in_the_catalog() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    base_url: https://alpha.example/v1",
        "    base_ulr: https://alpha.example/v1",
    ));
    assert_stderr(
        &w,
        &["gen", "--diff"],
        2,
        str![[r#"
error: unknown key `base_ulr` in provider `alpha-p`
 --> providers.yaml:7:5
  |
7 |     base_ulr: https://alpha.example/v1
  |     ^^^^^^^^ did you mean `base_url`?
  = help: known keys here: [PROVIDER_KEYS]

"#]],
    );
}

#[test]
fn several_catalog_problems_are_reported_together() {
    let w = World::new();
    w.catalog(
        &CATALOG
            .replace("default: alpha", "default: alpah")
            .replace("model: beta-2", "model: 3"),
    );
    assert_stderr(
        &w,
        &["gen", "--diff"],
        2,
        r#"error: `model` of profile `beta` must be a string
  --> providers.yaml:20:12
   |
20 |     model: 3
   |            ^ YAML reads this as an integer
  = help: quote it, as "3", so YAML keeps its exact text

error: `default` names a missing profile `alpah`
 --> providers.yaml:3:10
  |
3 | default: alpah
  |          ^^^^^ no profile has this name; did you mean `alpha`?
  = help: profiles in the catalog: alpha, beta

2 problems in the catalog; nothing was written
"#,
    );
}

#[test]
fn a_tab_in_the_indentation_and_a_second_document() {
    let w = World::new();
    w.catalog(&CATALOG.replace("    name: Beta\n", "\tname: Beta\n"));
    assert_stderr(
        &w,
        &["gen", "--diff"],
        2,
        "error: providers.yaml is not valid YAML
  --> providers.yaml:10:1
   |
10 | \tname: Beta
   | ^ YAML does not allow tabs for indentation: use spaces
  = help: replace the tab(s) at the start of this line with spaces; nothing was written
",
    );
    w.catalog(&format!("{CATALOG}---\nschema: 1\n"));
    assert_stderr(
        &w,
        &["gen", "--diff"],
        2,
        "error: providers.yaml is not valid YAML
  --> providers.yaml:22:1
   |
22 | ---
   | ^^^ a second YAML document starts here; a catalog is one document
  = help: remove this `---` line (and any later one), or move what follows into its own file: the personal overlay (providers.local.yaml) is read after the catalog; nothing was written
",
    );
}

#[test]
fn invalid_yaml() {
    let w = World::new();
    w.catalog("schema: 1\nversion: \"1\"\nproviders:\n  a: [unclosed\n");
    assert_stderr(
        &w,
        &["gen", "--diff"],
        2,
        str![[r#"
error: providers.yaml is not valid YAML
 --> providers.yaml:4:6
  |
4 |   a: [unclosed
  |      ^ unclosed bracket '['
  = help: close the `[` or `{` that opens here, with a comma between its items; nothing was written

"#]],
    );
}

#[test]
fn a_missing_catalog_file() {
    let w = World::new();
    assert_stderr(
        &w,
        &["--catalog", "nope.yaml", "gen", "--diff"],
        2,
        str![[r#"
error: the catalog file nope.yaml does not exist
  = help: check the path given to --catalog (a relative path is read from the current folder)

"#]],
    );
}

#[test]
fn a_bad_codex_version_flag() {
    let w = World::new();
    w.catalog(CATALOG);
    assert_stderr(
        &w,
        &["--codex-version", "latest", "gen", "--diff"],
        2,
        str![[r#"
error: --codex-version: `latest` is not a Codex version; expected MAJOR.MINOR.PATCH such as 0.169.0

"#]],
    );
}

#[test]
fn a_target_outside_the_catalogs_range() {
    let w = World::new();
    w.catalog(&CATALOG.replace("default: alpha", "codex: \">=0.134\"\ndefault: alpha"));
    assert_stderr(
        &w,
        &["--codex-version", "0.120.0", "gen", "--diff"],
        2,
        str![[r#"
error: the catalog is written for Codex >=0.134.0 (its `codex:` field), but --codex-version is 0.120.0
  = help: pick a version in that range with --codex-version, or change the catalog's `codex:`

"#]],
    );
}

#[test]
fn a_broken_config_toml() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", "[tui]\nx = 1\n[projects\n");
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff"],
        2,
        str![[r#"
error: [ROOT]/codex-home/config.toml is not valid TOML, so codexgen will not touch it
 --> [ROOT]/codex-home/config.toml:3:10
  |
3 | [projects
  |          ^ unclosed table, expected `]`
  = help: fix [ROOT]/codex-home/config.toml by hand (or move it away), then run codexgen again

"#]],
    );
}

#[test]
fn a_config_toml_with_a_value_where_a_table_belongs() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", "model_providers = 3\n");
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff"],
        2,
        str![[r#"
error: [ROOT]/codex-home/config.toml: `model_providers` is integer on disk, but codexgen needs a [model_providers] table there
  = help: rewrite it as a `[model_providers]` section (or remove it), then run codexgen again

"#]],
    );
}

#[test]
fn a_damaged_state_file() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "codex-home/.codexgen/state.json",
        "{\"format\": 3,\n\"files\": {\n\"config.toml\": {\"managed\": [[[\"model\"]]]}\n}}\n",
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff"],
        2,
        str![[r#"
error: codexgen's state file is damaged: invalid length 1, expected a managed leaf: [path, value] or [path, value, the user's value] at line 3 column 39
  = help: delete [ROOT]/codex-home/.codexgen/state.json to start afresh (codexgen then forgets which entries it wrote)

"#]],
    );
}

#[test]
fn a_damaged_record_beside_a_linked_config() {
    let w = World::new();
    w.catalog(CATALOG);
    let target = w.file("dotfiles/config.toml", "");
    std::os::unix::fs::symlink(&target, w.home.join("config.toml")).unwrap();
    w.file(
        "dotfiles/.codexgen/config.toml.json",
        "{\"format\": 3, \"file\": {\"managed\": [[[\"model\"]]]}}\n",
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--yes"],
        2,
        str![[r#"
error: codexgen's record of a linked config.toml is damaged: [ROOT]/dotfiles/.codexgen/config.toml.json: invalid length 1, expected a managed leaf: [path, value] or [path, value, the user's value] at line 1 column 46
  = help: nothing was written; restore [ROOT]/dotfiles/.codexgen/config.toml.json from your dotfiles history, or delete it (each machine then keeps to its own record, and providers another machine wrote stay until removed by hand)

"#]],
    );
}

#[cfg(unix)]
#[test]
fn a_link_codexgen_does_not_write_through() {
    let w = World::new();
    w.catalog(CATALOG);
    std::fs::create_dir_all(w.root.join("dotfiles")).unwrap();
    std::os::unix::fs::symlink("../dotfiles/config.toml", w.home.join("config.toml")).unwrap();
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--yes"],
        2,
        str![[r#"
error: [ROOT]/codex-home/config.toml is a symbolic link to ../dotfiles/config.toml ([ROOT]/codex-home/../dotfiles/config.toml), which does not exist
  = help: nothing was written; codexgen writes through a link only to a file that already exists: create that file first if it is where you want it (an empty file will do), or remove [ROOT]/codex-home/config.toml

"#]],
    );
}

/// codexgen's header for a catalog of this version.
fn header(version: &str) -> String {
    format!(
        "# codexgen: generated from catalog version {version}; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n"
    )
}

#[test]
fn a_linked_config_written_elsewhere_without_its_record() {
    let w = World::new();
    w.catalog(CATALOG);
    let target = w.file(
        "dotfiles/config.toml",
        &format!("{}model = \"m\"\n", header("t0")),
    );
    std::os::unix::fs::symlink(&target, w.home.join("config.toml")).unwrap();
    let out = w
        .cmd()
        .args(["--codex-version", "0.169.0", "gen", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr =
        String::from_utf8_lossy(&out.stderr).replace(&w.root.display().to_string(), "[ROOT]");
    assert_eq!(
        stderr,
        r"codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
warning: config.toml was written by codexgen elsewhere; providers removed from the catalog since then cannot be told from yours, so they stay
  = help: if another machine shares this file, commit and sync its record too ([ROOT]/dotfiles/.codexgen/config.toml.json); codexgen writes it on each run that writes, and this warning then stops; remove stale tables by hand once
"
    );
}

#[test]
fn a_damaged_state_file_of_an_older_codexgen() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "codex-home/.codexgen/state.toml",
        "format = 1\n[files.\"../escape.toml\"]\nmanaged = []\n",
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff"],
        2,
        r#"error: codexgen's state file is damaged: it names "../escape.toml", which is not a file codexgen writes
  = help: delete [ROOT]/codex-home/.codexgen/state.toml to start afresh (codexgen then forgets which entries it wrote)
"#,
    );
}

#[test]
fn writing_without_a_terminal_or_yes() {
    let w = World::new();
    w.catalog(CATALOG);
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen"],
        2,
        str![[r#"
codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
error: refusing to write without confirmation: stdin is not a terminal
  = help: review with `codexgen gen --diff`, then run `codexgen gen --yes`

"#]],
    );
}

#[test]
fn another_run_holds_the_lock() {
    let w = World::new();
    w.catalog(CATALOG);
    std::fs::create_dir_all(w.home.join(".codexgen")).unwrap();
    let held = std::fs::File::create(w.home.join(".codexgen/lock")).unwrap();
    held.lock().unwrap();
    let (code, stderr) = run(&w, &["--codex-version", "0.169.0", "gen", "--yes"]);
    held.unlock().unwrap();
    assert_data_eq!(
        stderr.raw(),
        str![[r#"
codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
error: another codexgen run is writing to [ROOT]/codex-home/.codexgen
  = help: wait for it to finish (or remove a stale [ROOT]/codex-home/.codexgen/lock), then run again

"#]]
    );
    assert_eq!(code, 2);
}

#[test]
fn a_template_that_renders_invalid_toml() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "templates/config.toml.tera",
        "model = {{ default.model }}\n",
    );
    assert_stderr(
        &w,
        &[
            "--codex-version",
            "0.169.0",
            "gen",
            "--diff",
            "--templates",
            "../templates",
        ],
        2,
        str![[r#"
error: template ../templates/config.toml.tera produced invalid TOML
 --> output of ../templates/config.toml.tera:1:9
  |
1 | model = alpha-1
  |         ^^^^^^^ string values must be quoted, expected literal string
  = help: pass values through the `toml` filter (`{{ x | toml }}`) and keys through `toml_key`; nothing was written

"#]],
    );
}

#[test]
fn verify_without_a_codex() {
    let w = World::new();
    w.catalog(CATALOG);
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff", "--verify"],
        2,
        str![[r#"
codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
error: --verify needs the Codex binary: pass --codex-bin PATH or put codex on PATH

"#]],
    );
}

/// Codex's message is shown once, and the help blames the user's own line,
/// not the catalog (under `default: ~` the line is the user's: with a
/// default, gen's migration removes it).
#[cfg(unix)]
#[test]
fn verify_refused_because_of_the_users_own_line() {
    let w = World::new();
    w.catalog(&CATALOG.replace("default: alpha", "default: ~"));
    w.file("codex-home/config.toml", "profile = \"alpha\"\n");
    w.fake_codex(
        "0.169.0",
        "echo 'Error: failed to load configuration' >&2; echo 'Caused by:' >&2; echo '    legacy `profile = \"alpha\"` config is no longer supported; use `--profile alpha` with `alpha.config.toml` instead' >&2; echo 'Stack backtrace:' >&2; exit 1",
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff", "--verify"],
        2,
        r#"codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
error: config.toml selects a profile with `profile = "alpha"`; Codex 0.169.0 refuses to load config.toml while it is there, so every codex command fails
  = help: remove that line and run `codex -p alpha` instead; or give the catalog a `default:` (say `default: alpha`): `codexgen gen` then removes the line
error: Codex refused config.toml: `CODEX_HOME=<scratch> [ROOT]/bin/codex mcp list` failed
  | Error: failed to load configuration
  | Caused by:
  |     legacy `profile = "alpha"` config is no longer supported; use `--profile alpha` with `alpha.config.toml` instead
  = help: nothing was written; Codex objects to `profile` in config.toml, which codexgen does not write: change or remove it there yourself (codexgen keeps it as it is)
"#,
    );
}

#[cfg(unix)]
#[test]
fn verify_refused_because_of_a_catalog_value() {
    let w = World::new();
    w.catalog(CATALOG);
    w.fake_codex(
        "0.169.0",
        "if [ \"$1\" = -p ] && [ \"$2\" = beta ]; then echo 'Error: model_reasoning_effort = \"high\" is not allowed here' >&2; exit 1; fi",
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff", "--verify"],
        2,
        r#"codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
error: Codex refused profile `beta`: `CODEX_HOME=<scratch> [ROOT]/bin/codex -p beta mcp list` failed
  | Error: model_reasoning_effort = "high" is not allowed here
  = help: nothing was written; Codex objects to `model_reasoning_effort` in beta.config.toml, which the catalog sets: change it in the catalog (or your templates)
"#,
    );
}

#[test]
fn exec_with_an_unknown_profile() {
    let w = World::new();
    w.catalog(CATALOG);
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "exec", "alpah"],
        2,
        str![[r#"
error: no profile `alpah` in the catalog; did you mean `alpha`?
  = help: profiles: alpha, beta

"#]],
    );
}

#[test]
fn doctor_with_an_unknown_profile() {
    let w = World::new();
    w.catalog(CATALOG);
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "doctor", "beta", "alpah"],
        2,
        str![[r#"
error: no profile `alpah` in the catalog; did you mean `alpha`?
  = help: profiles: alpha, beta; with no names, doctor checks the default profile and those whose key variable is set

"#]],
    );
}

#[test]
fn a_template_that_tera_cannot_compile() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "templates/config.toml.tera",
        "model = {{ default.model | nope }}\n",
    );
    assert_stderr(
        &w,
        &[
            "--codex-version",
            "0.169.0",
            "gen",
            "--diff",
            "--templates",
            "../templates",
        ],
        2,
        str![[r#"
error: template ../templates/config.toml.tera is broken: Unknown filter `nope`
 --> config.toml.tera:1:28
  |
1 | model = {{ default.model | nope }}
  |                            ^^^^

"#]],
    );
}

/// A message that names nothing codexgen can place gets the general help,
/// in any language.
#[cfg(unix)]
#[test]
fn verify_refused_with_a_message_naming_nothing_known() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", "[tui]\n\"thème\" = \"sombre\"\n");
    w.fake_codex(
        "0.169.0",
        "echo 'Erreur : configuration illisible (clé « thèmes »)' >&2; exit 1",
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff", "--verify"],
        2,
        str![[r#"
codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
error: Codex refused config.toml: `CODEX_HOME=<scratch> [ROOT]/bin/codex mcp list` failed
  | Erreur : configuration illisible (clé « thèmes »)
  = help: nothing was written; fix what Codex names: in the catalog if codexgen writes it, else in your own lines of config.toml

"#]],
    );
}

#[cfg(debug_assertions)] // fail points exist only in debug builds
#[test]
fn a_state_write_that_fails_after_the_files_are_written() {
    let w = World::new();
    w.catalog(CATALOG);
    assert_stderr_with(
        &w,
        &[
            ("CODEXGEN_FAIL_AT", "rename:state.json"),
            ("CODEXGEN_FAIL_MODE", "enospc"),
        ],
        &["--codex-version", "0.169.0", "gen", "--yes"],
        2,
        str![[r#"
codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
codexgen: fail point 45: rename [ROOT]/codex-home/.codexgen/state.json (enospc)
error: cannot save codexgen's state in [ROOT]/codex-home/.codexgen/state.json
  caused by: cannot rename [ROOT]/codex-home/.codexgen/state.json: No space left on device (injected)
  = help: [ROOT]/codex-home/.codexgen/state.json still names every file codexgen may have written; free some disk space, then run `codexgen gen --yes` again to finish the record

"#]],
    );
}

#[cfg(debug_assertions)] // fail points exist only in debug builds
#[test]
fn a_full_disk_part_way_and_then_at_the_state_write() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    w.catalog(
        &CATALOG
            .replace("model: beta-2", "model: beta-3")
            .replace("model: alpha-1", "model: alpha-2"),
    );
    assert_stderr_with(
        &w,
        &[
            (
                "CODEXGEN_FAIL_AT",
                "rename:beta.config.toml,rename:state.json",
            ),
            ("CODEXGEN_FAIL_MODE", "enospc"),
        ],
        &["--codex-version", "0.169.0", "gen", "--yes"],
        2,
        str![[r#"
codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
codexgen: fail point 47: rename [ROOT]/codex-home/.codexgen/backup/000002/beta.config.toml (enospc)
codexgen: fail point 53: rename [ROOT]/codex-home/.codexgen/state.json (enospc)
error: cannot write the Codex home; codexgen stopped after 2 of 3 file(s)
  caused by: cannot rename [ROOT]/codex-home/.codexgen/backup/000002/beta.config.toml: No space left on device (injected)

error: cannot save codexgen's state in [ROOT]/codex-home/.codexgen/state.json
  caused by: cannot rename [ROOT]/codex-home/.codexgen/state.json: No space left on device (injected)
  = help: [ROOT]/codex-home/.codexgen/state.json still names every file codexgen may have written; free some disk space, then run `codexgen gen --yes` again to finish the record

"#]],
    );
}

#[cfg(debug_assertions)] // fail points exist only in debug builds
#[test]
fn a_file_that_changes_while_codexgen_writes() {
    let w = World::new();
    w.catalog(CATALOG);
    assert_stderr_with(
        &w,
        &[
            ("CODEXGEN_FAIL_AT", "compare:config.toml"),
            ("CODEXGEN_FAIL_MODE", "append"),
        ],
        &["--codex-version", "0.169.0", "gen", "--yes"],
        2,
        str![[r#"
codexgen: catalog t1 (providers.yaml); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home
codexgen: fail point 33: compare [ROOT]/codex-home/config.toml (append)
error: [ROOT]/codex-home/config.toml changed while codexgen was writing; it was left as it is, and nothing after it was written
  = help: run codexgen again to see the new diff

"#]],
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_as_catalog() {
    let w = World::new();
    let fifo = w.root.join("work/providers.yaml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff"],
        2,
        str![[r#"
error: cannot read the catalog
  caused by: providers.yaml is a FIFO (named pipe), not a regular file
  = help: codexgen reads only regular files (a symlink to one is fine): replace providers.yaml with one, or move it out of the way

"#]],
    );
}

#[test]
fn a_config_toml_past_the_size_limit() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "codex-home/config.toml",
        &"# padding\n".repeat(16 * 1024 * 1024 / 10 + 1),
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff"],
        2,
        str![[r#"
error: [ROOT]/codex-home/config.toml is larger than 16 MiB, the most codexgen reads of a Codex config file
  = help: check that [ROOT]/codex-home/config.toml is the file you meant; if it is, make it smaller

"#]],
    );
}

#[cfg(unix)]
#[test]
fn a_codex_that_never_answers_its_version() {
    let w = World::new();
    w.catalog(CATALOG);
    w.fake_codex("0.169.0", "");
    w.file("bin/codex", "#!/bin/sh\nexec /bin/sleep 600\n");
    assert_stderr_with(
        &w,
        &[("CODEXGEN_DEBUG_VERSION_SECS", "1")],
        &["gen", "--diff"],
        2,
        str![[r#"
error: `[ROOT]/bin/codex --version` did not answer within 1 s; it was stopped
  = help: check that `[ROOT]/bin/codex --version` works in a shell; meanwhile pass --codex-version X.Y.Z to skip asking it

"#]],
    );
}

#[test]
fn a_catalog_value_past_the_length_limit() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "model: beta-2",
        &format!("model: {}", "b".repeat(64 * 1024 + 1)),
    ));
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff"],
        2,
        format!(
            r"error: `model` of profile `beta` is 65537 bytes long, more than the 64 KiB a catalog value may be
  --> providers.yaml:20:12
   |
20 |     model: {}…
   |            ^ this value
  = help: check the value (a pasted file?); keep catalog values short
",
            "b".repeat(120)
        ),
    );
}

#[test]
fn a_template_that_prints_without_end() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "templates/config.toml.tera",
        &crate::support::PRINTS_WITHOUT_END,
    );
    // The deadline out of reach: only the output bound may stop it.
    assert_stderr_with(
        &w,
        &[("CODEXGEN_DEBUG_RENDER_SECS", "3600")],
        &[
            "--codex-version",
            "0.169.0",
            "gen",
            "--diff",
            "--templates",
            "../templates",
        ],
        2,
        str![[r#"
error: template ../templates/config.toml.tera wrote more than 16 MiB, the most codexgen reads of a Codex config file; rendering was stopped
  = help: a template's work must follow the catalog's size: look for loops nested in loops, or values grown in a loop (`replace`, `~`, set_global); nothing was written

"#]],
    );
}

#[test]
fn an_imported_value_the_catalog_refuses() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"m\"\nmodel_provider = \"a\"\n\n[model_providers.a]\nname = \"A\"\nbase_url = \"https://a.example/v1/responses\"\n",
    );
    assert_stderr(
        &w,
        &["import"],
        2,
        r#"codexgen: the catalog imported from [ROOT]/codex-home does not load (below), so nothing was written: fix each value in the Codex file its entry came from (the comment above the entry names it), then import again
error: `base_url` "https://a.example/v1/responses" is not usable
  --> <imported catalog>:11:15
   |
11 |     base_url: https://a.example/v1/responses
   |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ includes the endpoint path
  = help: give the base only (e.g. .../v1); Codex appends `/responses` itself
"#,
    );
}

#[test]
fn an_imported_control_character() {
    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"m\"\nmodel_provider = \"a\"\n[model_providers.a]\nname = \"A\\u001b[31m\"\nbase_url = \"https://a.example/v1\"\n",
    );
    assert_stderr(
        &w,
        &["import"],
        2,
        r#"error: config.toml: `model_providers.a.name` holds the control character \u{1b}, which a catalog cannot hold
 --> [ROOT]/codex-home/config.toml:4:8
  |
4 | name = "A\u001b[31m"
  |        ^^^^^^^^^^^^^
  = help: remove it from [ROOT]/codex-home/config.toml (catalog values are single lines of visible text), then import again
"#,
    );
}

#[test]
fn an_overlay_removes_a_provider_a_profile_still_uses() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "work/providers.local.yaml",
        "schema: 1\nproviders:\n  beta-p: ~\n",
    );
    assert_stderr(
        &w,
        &["gen", "--diff"],
        2,
        str![[r#"
error: providers.local.yaml removes provider `beta-p`, which profile `beta` still uses
 --> providers.local.yaml:3:11
  |
3 |   beta-p: ~
  |           ^ removed here
  = help: drop this `~` line to keep the provider, or also remove the profile (`beta: ~` under `profiles:`) or point it at another provider

"#]],
    );
    // Used by two profiles: one problem, at the same `~`.
    w.catalog(&format!(
        "{CATALOG}  gamma:\n    provider: beta-p\n    model: g\n"
    ));
    assert_stderr(
        &w,
        &["gen", "--diff"],
        2,
        str![[r#"
error: providers.local.yaml removes provider `beta-p`, which profiles `beta`, `gamma` still use
 --> providers.local.yaml:3:11
  |
3 |   beta-p: ~
  |           ^ removed here
  = help: drop this `~` line to keep the provider, or also remove those profiles (`NAME: ~` under `profiles:`) or point them at another provider

"#]],
    );
}

#[test]
fn an_overlay_removes_the_default_profile_and_a_needed_field() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "work/providers.local.yaml",
        "schema: 1\nproviders:\n  alpha-p:\n    base_url: ~\nprofiles:\n  alpha: ~\n  beta:\n    model: ~\n",
    );
    assert_stderr(
        &w,
        &["gen", "--diff"],
        2,
        str![[r#"
error: provider `alpha-p` has no `base_url`: providers.local.yaml removes `providers.alpha-p.base_url`
 --> providers.local.yaml:4:15
  |
4 |     base_url: ~
  |               ^ removed here
  = help: drop this `~` line to keep the value underneath, or write the value you want here instead

error: profile `beta` has no `model`: providers.local.yaml removes `profiles.beta.model`
 --> providers.local.yaml:8:12
  |
8 |     model: ~
  |            ^ removed here
  = help: drop this `~` line to keep the value underneath, or write the value you want here instead

error: providers.local.yaml removes profile `alpha`, the catalog's `default`
 --> providers.local.yaml:6:10
  |
6 |   alpha: ~
  |          ^ removed here
  = help: drop this `~` line to keep the profile, or pick another default in the overlay (`default: NAME`, or `default: ~` to leave config.toml's model to you)

3 problems in the catalog; nothing was written

"#]],
    );
}

#[test]
fn adopt_refuses_an_overlay_shape_it_cannot_edit_safely() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "work/providers.local.yaml",
        "schema: 1\nprofiles: {alpha: {model: mine}}  # flow style\n",
    );
    w.gen_yes();
    let config = w
        .read("config.toml")
        .replace("model = \"mine\"", "model = \"picked\"");
    std::fs::write(w.home.join("config.toml"), config).unwrap();
    let before = crate::support::snapshot_dir(&w.root);
    assert_stderr(
        &w,
        &["adopt", "--yes"],
        2,
        str![[r#"
error: cannot write `profiles.alpha.model` into providers.local.yaml: a flow mapping (`{ ... }`)
 --> providers.local.yaml:2:11
  |
2 | profiles: {alpha: {model: mine}}  # flow style
  |           ^ codexgen edits only block mappings and one-line scalars
  = help: nothing was written; set `profiles.alpha.model` to picked in providers.local.yaml by hand, then run `codexgen gen`

"#]],
    );
    assert_eq!(crate::support::snapshot_dir(&w.root), before);
}

/// A hand-written home under the shipped catalog: its own `model` and
/// another `env_key` for groq, which the catalog's values would replace.
const HAND_WRITTEN: &str = "# mine\nmodel = \"gpt-4.1\"\napproval_policy = \"on-request\"\n\n[model_providers.groq]\nname = \"Groq\"\nbase_url = \"https://api.groq.com/openai/v1\"\nenv_key = \"MY_GROQ_KEY\"\nwire_api = \"responses\"\n";

const TAKE_OVER_WARNING: &str = r#"warning: codexgen would replace 2 value(s) you set by hand, which the catalog now manages:
  config.toml: model: "gpt-4.1" → "gpt-5.5"
  config.toml: model_providers.groq.env_key: "MY_GROQ_KEY" → "GROQ_API_KEY"
  = help: to keep your values, start the catalog from them: `codexgen import --output providers.yaml`
warning: codexgen now manages 3 value(s) you set by hand, equal to the catalog's (nothing changes on disk):
  config.toml: model_providers.groq.name = "Groq"
  config.toml: model_providers.groq.base_url = "https://api.groq.com/openai/v1"
  config.toml: model_providers.groq.wire_api = "responses"
  = help: when the catalog stops setting them, codexgen gives them back to you as they are
"#;

#[test]
fn gen_on_a_hand_written_home_says_what_it_would_replace() {
    let w = World::new();
    w.file("codex-home/config.toml", HAND_WRITTEN);
    let before = crate::support::snapshot_dir(&w.root);
    let first = "codexgen: catalog 2026.11.1 (<built-in providers.yaml>); Codex 0.169.0 (--codex-version); home [ROOT]/codex-home\n";
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--diff"],
        0,
        format!("{first}{TAKE_OVER_WARNING}"),
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--check"],
        1,
        format!("{first}{TAKE_OVER_WARNING}"),
    );
    assert_eq!(
        crate::support::snapshot_dir(&w.root),
        before,
        "--diff or --check wrote something"
    );
    assert_stderr(
        &w,
        &["--codex-version", "0.169.0", "gen", "--yes"],
        0,
        format!(
            "{first}{TAKE_OVER_WARNING}wrote 12 file(s) in [ROOT]/codex-home; what they replaced is backup generation 1 (`codexgen restore --list`; `codexgen restore` puts it back)\n"
        ),
    );
}

/// The catalog on standard input: the same problem layout, named `<stdin>`.
#[test]
fn a_typo_in_a_catalog_on_stdin_and_stdin_twice() {
    let w = World::new();
    let run = |args: &[&str]| {
        let out = w
            .cmd()
            .args(args)
            .write_stdin(CATALOG.replace(
                "    base_url: https://alpha.example/v1",
                "    base_ulr: https://alpha.example/v1",
            ))
            .output()
            .expect("run codexgen");
        (
            out.status.code(),
            String::from_utf8(out.stderr)
                .expect("utf-8 stderr")
                .replace(PROVIDER_KEYS, "[PROVIDER_KEYS]"),
        )
    };
    assert_eq!(
        run(&["--catalog", "-", "gen", "--diff"]),
        (
            Some(2),
            r"error: unknown key `base_ulr` in provider `alpha-p`
 --> <stdin>:7:5
  |
7 |     base_ulr: https://alpha.example/v1
  |     ^^^^^^^^ did you mean `base_url`?
  = help: known keys here: [PROVIDER_KEYS]
"
            .to_owned()
        )
    );
    assert_eq!(
        run(&["--catalog", "-", "--catalog", "-", "gen", "--diff"]),
        (
            Some(2),
            "error: --catalog - is given more than once, but standard input can be read only once
  = help: give `--catalog -` once; name a file that is called `-` as `./-`
"
            .to_owned()
        )
    );
}

#[test]
fn validate_prints_what_every_command_prints_and_nothing_in_json() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    base_url: https://alpha.example/v1",
        "    base_ulr: https://alpha.example/v1",
    ));
    assert_stderr(
        &w,
        &["validate"],
        2,
        str![[r#"
error: unknown key `base_ulr` in provider `alpha-p`
 --> providers.yaml:7:5
  |
7 |     base_ulr: https://alpha.example/v1
  |     ^^^^^^^^ did you mean `base_url`?
  = help: known keys here: [PROVIDER_KEYS]

"#]],
    );
    // JSON: the problems are on stdout, stderr stays empty.
    assert_stderr(&w, &["validate", "--format", "json"], 2, "");
    assert_stderr(
        &w,
        &["--catalog", "missing.yaml", "validate"],
        2,
        "error: the catalog file missing.yaml does not exist\n  = help: check the path given to --catalog (a relative path is read from the current folder)\n",
    );
}

#[test]
fn a_catalog_found_here_that_did_not_write_the_home() {
    let w = World::new();
    let mine = w.file(
        "user/.config/codexgen/providers.yaml",
        &CATALOG
            .replace("version: \"t1\"", "version: \"mine\"")
            .replace("alpha-1", "alpha-9"),
    );
    w.cmd()
        .arg("--catalog")
        .arg(&mine)
        .args(["gen", "--yes"])
        .assert()
        .success();
    w.catalog(CATALOG);
    assert_stderr(
        &w,
        &["-q", "gen", "--yes"],
        2,
        "error: [ROOT]/codex-home was written from catalog [ROOT]/user/.config/codexgen/providers.yaml; this run found [ROOT]/work/providers.yaml (found in the current folder), which would replace it; nothing was written
  = help: to switch this home to it, name it: `codexgen --catalog [ROOT]/work/providers.yaml gen`, or set CODEXGEN_CATALOG=[ROOT]/work/providers.yaml (which also pins it for rc files and hooks); to keep the home's catalog, run where no other providers.yaml is found, or name it: `codexgen --catalog [ROOT]/user/.config/codexgen/providers.yaml gen`
",
    );
}
