//! End to end: which project `.codex/config.toml` the real Codex reads, and
//! whether `codexgen doctor` says the same (`src/layers.rs`). Codex's own
//! `codex doctor --json` reports the effective `model`; for each layout of
//! trust and `.git`, the model Codex uses must be the one whose file
//! codexgen names (or the profile's own, when codexgen names none).
//! Measured this way: outside any git checkout, with no `.git` in `proj`, only
//! the working folder's file counts (`docs/codex-versions.md`).
//! Runs when `CODEX_BIN` names a Codex 0.169.0, in a scratch folder under
//! `CARGO_TARGET_TMPDIR` with a cleared environment.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::e2e::{Scratch, codex_bin_from};

const CATALOG: &str = r#"schema: 1
version: "t1"
default: alpha
providers:
  alpha-p:
    name: Alpha
    base_url: http://127.0.0.1:9/v1
    env_key: CODEXGEN_E2E_ALPHA_KEY
profiles:
  alpha:
    provider: alpha-p
    model: profile-model
"#;

/// The `model` real Codex uses in `dir` (`codex doctor --json`).
fn codex_model(codex: &Path, s: &Scratch, dir: &Path) -> String {
    let mut child = Command::new(codex)
        .args(["doctor", "--json"])
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &s.home)
        .env("CODEX_HOME", &s.codex_home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run codex doctor");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("codex doctor did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("codex doctor --json prints JSON");
    json["checks"]["config.load"]["details"]["model"]
        .as_str()
        .unwrap_or_else(|| panic!("no model in {json}"))
        .to_owned()
}

/// What `codexgen doctor` says in `dir`: the model of the project file it
/// warns about, if any.
fn codexgen_model(s: &Scratch, catalog: &Path, dir: &Path) -> Option<String> {
    let out = assert_cmd::Command::cargo_bin("codexgen")
        .expect("binary")
        .current_dir(dir)
        .env_clear()
        .env("HOME", &s.home)
        .env("CODEXGEN_SYSTEM_CODEX_DIR", s.home.join("etc-codex"))
        .env("CODEXGEN_E2E_ALPHA_KEY", "alpha-key-5e1c07")
        .env("PATH", "/nonexistent")
        .arg("--catalog")
        .arg(catalog)
        .arg("--codex-home")
        .arg(&s.codex_home)
        .arg("doctor")
        .output()
        .expect("run codexgen");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.contains("warn") && l.contains(".codex/config.toml sets `model` = \""))
        .and_then(|l| l.split("sets `model` = \"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
}

fn trust(s: &Scratch, config: &str, dirs: &[&Path]) {
    let mut text = config.to_owned();
    for dir in dirs {
        let _ = write!(
            text,
            "\n[projects.\"{}\"]\ntrust_level = \"trusted\"\n",
            dir.display()
        );
    }
    std::fs::write(s.codex_home.join("config.toml"), text).expect("write config.toml");
}

/// A scratch home generated from [`CATALOG`]: the scratch, the catalog's
/// path and the generated config.toml.
fn generated() -> (Scratch, std::path::PathBuf, String) {
    let s = Scratch::new();
    let catalog = s.work.join("providers.yaml");
    std::fs::write(&catalog, CATALOG).expect("catalog");
    std::fs::create_dir_all(&s.codex_home).expect("codex home");
    let generated = assert_cmd::Command::cargo_bin("codexgen")
        .expect("binary")
        .env_clear()
        .env("HOME", &s.home)
        .env("PATH", "/nonexistent")
        .env("CODEXGEN_SYSTEM_CODEX_DIR", s.home.join("etc-codex"))
        .arg("--catalog")
        .arg(&catalog)
        .arg("--codex-home")
        .arg(&s.codex_home)
        .args(["gen", "--yes"])
        .output()
        .expect("gen");
    assert!(generated.status.success(), "{generated:?}");
    let config = std::fs::read_to_string(s.codex_home.join("config.toml")).expect("config");
    (s, catalog, config)
}

#[test]
fn real_codex_shares_a_worktrees_trust_with_its_main_checkout() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let (s, catalog, config) = generated();
    let checkout = crate::layers::worktree(&s.work, "main-repo", "feature");
    std::fs::write(
        checkout.join(".codex/config.toml"),
        "model = \"wt-model\"\n",
    )
    .expect("wt");
    let main_repo = s.work.join("main-repo");
    trust(&s, &config, &[&main_repo]);
    assert_eq!(
        codex_model(&codex, &s, &checkout),
        "wt-model",
        "Codex, worktree"
    );
    assert_eq!(
        codexgen_model(&s, &catalog, &checkout).as_deref(),
        Some("wt-model"),
        "codexgen, worktree"
    );
    std::fs::remove_file(main_repo.join(".git/worktrees/wt/gitdir")).expect("rm gitdir");
    assert_eq!(
        codex_model(&codex, &s, &checkout),
        "profile-model",
        "Codex, a worktree that is not pointed back at"
    );
    assert_eq!(codexgen_model(&s, &catalog, &checkout), None);
}

#[test]
fn real_codex_reads_the_project_files_codexgen_names() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let (s, catalog, config) = generated();

    let proj = s.work.join("proj");
    let src = proj.join("src");
    for dir in [proj.join(".git"), proj.join(".codex"), src.join(".codex")] {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(proj.join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
    std::fs::write(proj.join(".codex/config.toml"), "model = \"root-model\"\n").expect("root");
    std::fs::write(src.join(".codex/config.toml"), "model = \"src-model\"\n").expect("src");

    let case = |what: &str, trusted: &[&Path], codex_says: &str, codexgen_says: Option<&str>| {
        trust(&s, &config, trusted);
        assert_eq!(codex_model(&codex, &s, &src), codex_says, "Codex, {what}");
        assert_eq!(
            codexgen_model(&s, &catalog, &src).as_deref(),
            codexgen_says,
            "codexgen, {what}"
        );
    };
    case("nothing trusted", &[], "profile-model", None);
    case(
        "the root trusted: every folder",
        &[&proj],
        "src-model",
        Some("src-model"),
    );
    case(
        "the working folder trusted",
        &[&src],
        "src-model",
        Some("src-model"),
    );
    std::fs::remove_file(src.join(".codex/config.toml")).expect("rm");
    case(
        "the root's file",
        &[&proj],
        "root-model",
        Some("root-model"),
    );
    case(
        "the root's file, only the working folder trusted",
        &[&src],
        "profile-model",
        None,
    );

    std::fs::write(src.join(".codex/config.toml"), "model = \"src-model\"\n").expect("src");
    // Without a .git of its own (an empty .git folder does not count), the
    // project root is wherever the scratch folder's ancestors have one (it
    // may sit inside a git checkout): Codex and codexgen must still agree.
    std::fs::remove_file(proj.join(".git/HEAD")).expect("rm HEAD");
    for (what, trusted) in [
        ("empty .git, the old root trusted", vec![proj.as_path()]),
        (
            "empty .git, the working folder trusted",
            vec![src.as_path()],
        ),
    ] {
        trust(&s, &config, &trusted);
        let codex_says = codex_model(&codex, &s, &src);
        let codexgen_says = codexgen_model(&s, &catalog, &src);
        assert_eq!(
            codexgen_says.as_deref().unwrap_or("profile-model"),
            codex_says,
            "{what}"
        );
    }
}
