//! `doctor [PROFILE...]`'s scope, and Codex's config layers around the
//! Codex home (the system folder, a project's `.codex/config.toml`) as
//! `doctor` and `gen` report them (issue 11, points 5 and 6). The system
//! folder is a scratch one (`CODEXGEN_SYSTEM_CODEX_DIR`, set by
//! `World::cmd`), the project a scratch folder the command runs in.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

use crate::support::World;

/// Every key variable of the shipped catalog, and Codex's own.
const SHIPPED_KEYS: [&str; 9] = [
    "OPENAI_API_KEY",
    "GROQ_API_KEY",
    "OPENROUTER_API_KEY",
    "TOGETHER_API_KEY",
    "FIREWORKS_API_KEY",
    "DEEPSEEK_API_KEY",
    "XAI_API_KEY",
    "HF_TOKEN",
    "DASHSCOPE_API_KEY",
];

const GROQ_KEY: &str = "gsk_Zt4mW9qLx2Vb7Nc1Rk8Hs3Jd6Fg0Pa5Ye2Ui";

/// The command with no key variable of the host's environment.
fn clean(w: &World) -> Command {
    let mut cmd = w.cmd();
    for var in SHIPPED_KEYS {
        cmd.env_remove(var);
    }
    cmd.env_remove("ALPHA_API_KEY").env_remove("BETA_API_KEY");
    cmd
}

fn text(assert: &assert_cmd::assert::Assert) -> String {
    let out = assert.get_output();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The shipped catalog, generated, with only a Groq key set.
fn shipped_with_groq() -> World {
    let w = World::new();
    clean(&w).args(["gen", "--yes"]).assert().success();
    w
}

#[test]
fn doctor_checks_the_profiles_in_use_and_not_the_rest() {
    let w = shipped_with_groq();
    let a = clean(&w)
        .env("GROQ_API_KEY", GROQ_KEY)
        .arg("doctor")
        .assert()
        .success();
    let out = text(&a);
    assert!(
        out.contains("provider groq\n  ok    GROQ_API_KEY is set"),
        "{out}"
    );
    // The default profile (openai) is checked: a warning, not an error.
    assert!(
        out.contains("warn  OPENAI_API_KEY is not set (used by profile openai, the default, which plain `codex` runs)"),
        "{out}"
    );
    assert!(
        out.contains("provider ollama\n  ok    no key needed"),
        "{out}"
    );
    assert!(
        out.contains("info  7 other profile(s) not checked: their key variables are unset: OPENROUTER_API_KEY (openrouter), TOGETHER_API_KEY (together), FIREWORKS_API_KEY (fireworks), DEEPSEEK_API_KEY (deepseek), XAI_API_KEY (xai), HF_TOKEN (huggingface), DASHSCOPE_API_KEY (dashscope)"),
        "{out}"
    );
    assert!(
        out.contains("fix: `codexgen doctor NAME` checks one"),
        "{out}"
    );
    assert!(!out.contains("provider openrouter"), "{out}");
    assert!(out.contains("0 error(s)"), "{out}");
    assert!(!out.contains(GROQ_KEY), "{out}");
}

#[test]
fn doctor_with_names_checks_exactly_those() {
    let w = shipped_with_groq();
    let a = clean(&w)
        .env("GROQ_API_KEY", GROQ_KEY)
        .args(["doctor", "openrouter"])
        .assert()
        .code(1);
    let out = text(&a);
    assert!(
        out.contains("error OPENROUTER_API_KEY is not set (used by profile openrouter): Codex stops with \"Missing environment variable\""),
        "{out}"
    );
    assert!(
        out.contains("info  10 other profile(s) not checked (only the named ones are): groq, together, fireworks, "),
        "{out}"
    );
    assert!(!out.contains("provider groq"), "{out}");
    // Two names, both fine: exit 0, nothing about the others but one line.
    clean(&w)
        .env("GROQ_API_KEY", GROQ_KEY)
        .args(["doctor", "groq", "ollama"])
        .assert()
        .success()
        .stdout(contains("provider groq\n  ok    GROQ_API_KEY is set"))
        .stdout(contains("provider openai").not());
}

#[test]
fn doctor_refuses_unknown_profile_names() {
    let w = shipped_with_groq();
    clean(&w)
        .args(["doctor", "groq", "opnerouter"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "error: no profile `opnerouter` in the catalog; did you mean `openrouter`?",
        ));
}

#[test]
fn doctor_json_has_the_info_status_and_the_profiles_left_out() {
    let w = shipped_with_groq();
    let a = clean(&w)
        .env("GROQ_API_KEY", GROQ_KEY)
        .args(["doctor", "--format", "json"])
        .assert()
        .success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    let findings: serde_json::Value = serde_json::from_str(&out).expect("json");
    let other = findings
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["scope"] == "other profiles")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(other["status"], "info");
    assert_eq!(other["profiles"].as_array().map(Vec::len), Some(7), "{out}");
    assert_eq!(other["profiles"][0], "openrouter");
}

/// A world with the test catalog generated, keys set, and a system folder.
fn with_system(files: &[(&str, &str)]) -> World {
    let w = World::new();
    w.catalog(&crate::support::CATALOG.replace(
        "    model: alpha-1\n",
        "    model: alpha-1\n    sandbox_mode: danger-full-access\n",
    ));
    keyed(&w).args(["gen", "--yes"]).assert().success();
    for (name, text) in files {
        w.file(&format!("etc-codex/{name}"), text);
    }
    w
}

fn keyed(w: &World) -> Command {
    let mut cmd = clean(w);
    cmd.env("ALPHA_API_KEY", "alpha-Qw8rT5yU2iO9pA3sD6fG")
        .env("BETA_API_KEY", "beta-Lk4jH7gF1dS8aZ5xC2vB")
        // The catalog by name: some tests run in a project folder.
        .arg("--catalog")
        .arg(w.root.join("work/providers.yaml"));
    cmd
}

#[test]
fn managed_config_overrides_are_warnings_in_doctor_and_gen() {
    let w = with_system(&[(
        "managed_config.toml",
        "model = \"gpt-admin\"\nmodel_reasoning_effort = \"low\"\n[model_providers.beta-p]\nbase_url = \"https://proxy.example/v1\"\nsomething_else = 1\n",
    )]);
    let managed = w.root.join("etc-codex/managed_config.toml");
    let m = managed.display();
    let a = keyed(&w).arg("doctor").assert().success();
    let out = text(&a);
    assert!(
        out.contains(&format!("layers\n  warn  {m} sets `model` = \"gpt-admin\": it overrides every profile's model, whatever the profile says (even over `-m`, `-c` and `-p`)")),
        "{out}"
    );
    assert!(
        out.contains(&format!("warn  {m} sets `model_reasoning_effort` = \"low\": it overrides the model_reasoning_effort of profile beta, whatever the profile says")),
        "{out}"
    );
    assert!(
        out.contains(&format!("warn  {m} sets `base_url` in [model_providers.beta-p]: it overrides what the catalog says for that provider")),
        "{out}"
    );
    // Scoped: `doctor alpha` does not hear about beta's effort or provider.
    let out = text(&keyed(&w).args(["doctor", "alpha"]).assert().success());
    assert!(out.contains("sets `model` = \"gpt-admin\""), "{out}");
    assert!(!out.contains("model_reasoning_effort"), "{out}");
    assert!(!out.contains("model_providers.beta-p"), "{out}");
    // gen: one warning each, as doctor words it, and it still writes.
    std::fs::remove_file(w.home.join("beta.config.toml")).expect("remove");
    keyed(&w)
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(format!(
            "warning: {m} sets `model` = \"gpt-admin\": it overrides every profile's model"
        )))
        .stderr(contains(format!(
            "warning: {m} sets `base_url` in [model_providers.beta-p]"
        )));
    assert!(w.exists("beta.config.toml"));
}

#[test]
fn requirements_that_forbid_a_profiles_sandbox_mode_are_an_error_for_it() {
    let w = with_system(&[(
        "requirements.toml",
        "allowed_sandbox_modes = [\"read-only\", \"workspace-write\"]\nallowed_approval_policies = [\"on-request\"]\n",
    )]);
    let r = w.root.join("etc-codex/requirements.toml");
    let line = format!(
        "error {} allows sandbox_mode read-only, workspace-write only: profile alpha sets sandbox_mode = \"danger-full-access\", so `codex -p alpha` fails at session start",
        r.display()
    );
    let out = text(&keyed(&w).arg("doctor").assert().code(1));
    assert!(out.contains(&line), "{out}");
    assert!(
        out.contains("fix: set the profile's sandbox_mode to one of read-only, workspace-write in the catalog (or ask the administrator)"),
        "{out}"
    );
    // Beta sets neither key: checking only it passes.
    keyed(&w)
        .args(["doctor", "beta"])
        .assert()
        .success()
        .stdout(contains("allows sandbox_mode").not());
    // gen says it, as an error too, and is not stopped by it.
    keyed(&w)
        .args(["gen", "--check"])
        .assert()
        .success()
        .stderr(contains("error: ").and(contains("so `codex -p alpha` fails at session start")));
}

#[test]
fn the_system_config_matters_only_where_the_catalog_is_silent() {
    let w = with_system(&[(
        "config.toml",
        "model = \"sys-model\"\nmodel_provider = \"sys\"\nmodel_reasoning_effort = \"minimal\"\n[model_providers.alpha-p]\nbase_url = \"https://sys.example\"\nrequest_max_retries = 9\n",
    )]);
    let c = w.root.join("etc-codex/config.toml");
    let out = text(&keyed(&w).arg("doctor").assert().success());
    assert!(
        out.contains(&format!("info  {} sets `model_reasoning_effort` = \"minimal\": profile(s) alpha leave it unset, so Codex uses this value for them", c.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!("info  {} sets `request_max_retries` in [model_providers.alpha-p], which the catalog leaves unset: Codex uses that value", c.display())),
        "{out}"
    );
    // What codexgen writes (model, model_provider, base_url) wins over it.
    assert!(!out.contains("sys-model"), "{out}");
    assert!(!out.contains("`base_url`"), "{out}");
    // gen prints nothing for information.
    keyed(&w)
        .args(["gen", "--check"])
        .assert()
        .success()
        .stderr(contains("note:").not());
}

/// A git project `proj` with a `.codex/config.toml` at its root and the
/// command's working folder in `proj/src`.
fn project(w: &World, config: &str) -> std::path::PathBuf {
    w.file("proj/.git/HEAD", "ref: refs/heads/main\n");
    w.file("proj/.codex/config.toml", config);
    std::fs::create_dir_all(w.root.join("proj/src")).expect("src");
    w.root.join("proj")
}

fn trust(w: &World, dir: &std::path::Path) {
    let config = w.read("config.toml");
    std::fs::write(
        w.home.join("config.toml"),
        format!(
            "{config}\n[projects.\"{}\"]\ntrust_level = \"trusted\"\n",
            dir.display()
        ),
    )
    .expect("trust");
}

#[test]
fn a_trusted_projects_model_overrides_the_profiles_and_its_provider_is_ignored() {
    let w = with_system(&[]);
    let proj = project(
        &w,
        "model = \"proj-model\"\nmodel_provider = \"elsewhere\"\n",
    );
    let file = proj.join(".codex/config.toml");
    // Untrusted: Codex ignores the file; information only.
    let out = text(
        &keyed(&w)
            .current_dir(proj.join("src"))
            .arg("doctor")
            .assert()
            .success(),
    );
    assert!(
        out.contains(&format!(
            "info  Codex ignores {}: {} is not a trusted project",
            file.display(),
            proj.display()
        )),
        "{out}"
    );
    assert!(!out.contains("sets `model`"), "{out}");
    trust(&w, &proj);
    let out = text(
        &keyed(&w)
            .current_dir(proj.join("src"))
            .arg("doctor")
            .assert()
            .success(),
    );
    assert!(
        out.contains(&format!("warn  {} sets `model` = \"proj-model\": in this project `codex -p NAME` uses it instead of the profile's model (`codexgen exec` passes `-m` and is not affected)", file.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "info  {} sets `model_provider` = \"elsewhere\": Codex ignores model_provider in a project file",
            file.display()
        )),
        "{out}"
    );
    keyed(&w)
        .current_dir(proj.join("src"))
        .args(["gen", "--check"])
        .assert()
        .success()
        .stderr(contains(format!(
            "warning: {} sets `model` = \"proj-model\"",
            file.display()
        )));
    // Outside the project: nothing about it.
    keyed(&w)
        .arg("doctor")
        .assert()
        .success()
        .stdout(contains("proj-model").not());
}

#[test]
fn only_folders_up_to_the_project_root_count_and_trust_is_per_folder_or_root() {
    let w = with_system(&[]);
    let proj = project(&w, "model = \"root-model\"\n");
    // Above the root (no .git there): never read.
    w.file(".codex/config.toml", "model = \"above\"\n");
    w.file("proj/src/.codex/config.toml", "model = \"src-model\"\n");
    trust(&w, &proj.join("src"));
    let out = text(
        &keyed(&w)
            .current_dir(proj.join("src"))
            .arg("doctor")
            .assert()
            .success(),
    );
    // src is trusted itself; the root's file is not (its folder is not).
    assert!(out.contains("sets `model` = \"src-model\""), "{out}");
    assert!(
        out.contains(&format!(
            "Codex ignores {}: {} is not a trusted project",
            proj.join(".codex/config.toml").display(),
            proj.display()
        )),
        "{out}"
    );
    assert!(!out.contains("above"), "{out}");
    // Without a .git, only the working folder's own file counts.
    std::fs::remove_dir_all(proj.join(".git")).expect("rm .git");
    let out = text(
        &keyed(&w)
            .current_dir(proj.join("src"))
            .arg("doctor")
            .assert()
            .success(),
    );
    assert!(out.contains("src-model"), "{out}");
    assert!(
        !out.contains("root-model") && !out.contains("proj/.codex"),
        "{out}"
    );
}

#[test]
fn a_broken_layer_file_is_a_warning_with_its_line_and_never_stops_gen() {
    let w = with_system(&[(
        "managed_config.toml",
        "# admin\nmodel = \"ok\"\nmodel_provider = [\n",
    )]);
    let m = w.root.join("etc-codex/managed_config.toml");
    let out = text(&keyed(&w).arg("doctor").assert().success());
    assert!(
        out.contains(&format!("warn  {}:3:19: not valid TOML (", m.display())),
        "{out}"
    );
    assert!(
        out.contains("): `model_provider = [`; Codex refuses to start while it is so"),
        "{out}"
    );
    std::fs::remove_file(w.home.join("beta.config.toml")).expect("remove");
    keyed(&w)
        .args(["gen", "--yes"])
        .assert()
        .success()
        .stderr(contains(format!(
            "warning: {}:3:19: not valid TOML",
            m.display()
        )));
    assert!(w.exists("beta.config.toml"));
    // A folder where a file belongs: named, not a crash.
    std::fs::remove_file(&m).expect("rm");
    std::fs::create_dir_all(w.root.join("etc-codex/requirements.toml")).expect("dir");
    keyed(&w)
        .arg("doctor")
        .assert()
        .success()
        .stdout(contains("cannot read").and(contains(
            "requirements.toml is a folder, not a regular file",
        )));
}

/// A linked worktree (`git worktree add`): `.git` is a file pointing into
/// the main checkout's `.git/worktrees/NAME`, which points back; trusting
/// the main checkout trusts the worktree (as Codex does).
pub fn worktree(root: &std::path::Path, main: &str, wt: &str) -> std::path::PathBuf {
    let admin = root.join(main).join(".git/worktrees/wt");
    std::fs::create_dir_all(&admin).expect("admin dir");
    std::fs::write(root.join(main).join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
    std::fs::write(admin.join("HEAD"), "ref: refs/heads/wt\n").expect("HEAD");
    std::fs::write(admin.join("commondir"), "../..\n").expect("commondir");
    let checkout = root.join(wt);
    std::fs::create_dir_all(checkout.join(".codex")).expect("checkout");
    std::fs::write(
        checkout.join(".git"),
        format!("gitdir: {}\n", admin.display()),
    )
    .expect(".git file");
    std::fs::write(
        admin.join("gitdir"),
        format!("{}\n", checkout.join(".git").display()),
    )
    .expect("gitdir");
    checkout
}

#[test]
fn a_worktree_shares_the_trust_of_its_main_checkout() {
    let w = with_system(&[]);
    let checkout = worktree(&w.root, "main-repo", "feature");
    w.file("feature/.codex/config.toml", "model = \"wt-model\"\n");
    trust(&w, &w.root.join("main-repo"));
    keyed(&w)
        .current_dir(&checkout)
        .arg("doctor")
        .assert()
        .success()
        .stdout(contains("sets `model` = \"wt-model\""));
    // A `.git` file whose folder does not point back is not a worktree.
    std::fs::remove_file(w.root.join("main-repo/.git/worktrees/wt/gitdir")).expect("rm");
    keyed(&w)
        .current_dir(&checkout)
        .arg("doctor")
        .assert()
        .success()
        .stdout(contains("sets `model`").not())
        .stdout(contains("is not a trusted project"));
}

/// A broken layer file from anywhere (a cloned repository's
/// `.codex/config.toml`, an admin's file) can hold one huge line: the
/// finding quotes the start of it, not all of it.
#[test]
fn a_broken_layer_file_with_a_huge_line_is_quoted_short() {
    let line = format!("model = {}", "[".repeat(300_000));
    let w = with_system(&[("managed_config.toml", &format!("{line}\n"))]);
    let out = text(&keyed(&w).arg("doctor").assert().success());
    let m = w.root.join("etc-codex/managed_config.toml");
    assert!(
        out.contains(&format!("warn  {}:1:", m.display())),
        "{}",
        &out[..out.len().min(2000)]
    );
    assert!(out.contains("Codex refuses to start while it is so"));
    assert!(out.len() < 10_000, "{} bytes of output", out.len());
}

/// A key variable that holds only whitespace is, to Codex, not set (0.169.0
/// stops with "Missing environment variable" and sends nothing, measured):
/// doctor leaves its profile out by default, as for an unset one, and a
/// named profile hears what Codex will say, not that the provider answers
/// 401. A name given twice is checked once.
#[test]
fn a_key_variable_of_only_whitespace_is_unset_as_codex_reads_it() {
    let w = shipped_with_groq();
    let out = text(&clean(&w).env("GROQ_API_KEY", " \t").arg("doctor").assert());
    assert!(!out.contains("provider groq"), "{out}");
    assert!(out.contains("GROQ_API_KEY (groq)"), "{out}");
    let a = clean(&w)
        .env("GROQ_API_KEY", " \t")
        .args(["doctor", "groq", "groq"])
        .assert()
        .code(1);
    let out = text(&a);
    assert!(
        out.contains("error GROQ_API_KEY is set but empty (used by profile groq): Codex stops with \"Missing environment variable\""),
        "{out}"
    );
    assert!(!out.contains("401"), "{out}");
    assert_eq!(out.matches("provider groq\n").count(), 1, "{out}");
}

/// The catalog's `settings:` (written at config.toml's top level) meet the
/// system layers as profile keys do (issue 22): `managed_config.toml`
/// overriding one is a warning, a system config.toml value under one is no
/// note (the top level wins), and requirements.toml refusing one is an error.
#[test]
fn the_catalogs_settings_meet_the_system_layers_as_profile_keys_do() {
    let w = World::new();
    w.catalog(&format!(
        "{}settings:\n  approval_policy: on-request\n  sandbox_mode: workspace-write\n  features:\n    team_flag: true\n",
        crate::support::CATALOG
    ));
    keyed(&w).args(["gen", "--yes"]).assert().success();
    w.file(
        "etc-codex/managed_config.toml",
        "approval_policy = \"never\"\n[features]\nteam_flag = false\n",
    );
    w.file("etc-codex/config.toml", "sandbox_mode = \"read-only\"\n");
    w.file(
        "etc-codex/requirements.toml",
        "allowed_sandbox_modes = [\"read-only\"]\n",
    );
    let m = w.root.join("etc-codex/managed_config.toml");
    let m = m.display();
    let r = w.root.join("etc-codex/requirements.toml");
    let out = text(&keyed(&w).arg("doctor").assert().code(1));
    assert!(
        out.contains(&format!("warn  {m} sets `approval_policy` = \"never\": it overrides the catalog's setting approval_policy, which codexgen writes at config.toml's top level, whatever the catalog says")),
        "{out}"
    );
    assert!(
        out.contains(&format!("warn  {m} sets `features.team_flag` = false: it overrides the catalog's setting features.team_flag")),
        "{out}"
    );
    assert!(
        !out.contains("sets `sandbox_mode` = \"read-only\""),
        "{out}"
    );
    assert!(
        out.contains(&format!("error {} allows sandbox_mode read-only only: the catalog's settings set sandbox_mode = \"workspace-write\" at config.toml's top level, so `codex` fails at session start", r.display())),
        "{out}"
    );
    keyed(&w)
        .args(["gen", "--check"])
        .assert()
        .success()
        .stderr(contains(format!(
            "warning: {m} sets `approval_policy` = \"never\": it overrides the catalog's setting approval_policy"
        )))
        .stderr(contains("so `codex` fails at session start"));
}
