//! The pre-commit hooks of `.pre-commit-hooks.yaml` (issue 24, point 6), run
//! by the real `pre-commit` from the Python package index (`PRE_COMMIT_BIN`, installed by
//! `.ci/run`) in a team's repository, as a team's `.pre-commit-config.yaml`
//! names them (docs/teams.md's configuration): a git repository holding this checkout's hooks file is the
//! hook repository (`repo:` a local path, `rev:` its tag), so pre-commit
//! clones it as it clones one from GitHub, with no network. The hooks run
//! the `codexgen` on PATH (`language: system`): here the one under test.
//! Skipped without `PRE_COMMIT_BIN` (failed under `CI=true`).

use std::path::PathBuf;
use std::process::Command;

/// The real pre-commit, or `None` (skipped, saying why).
fn pre_commit_bin() -> Option<PathBuf> {
    let Some(bin) = std::env::var_os("PRE_COMMIT_BIN")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
    else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "PRE_COMMIT_BIN is not set; .ci/run installs pre-commit"
        );
        eprintln!("skipped: PRE_COMMIT_BIN not set (run .ci/run or set it to a pre-commit binary)");
        return None;
    };
    assert!(
        bin.is_file(),
        "PRE_COMMIT_BIN={} is not a file",
        bin.display()
    );
    Some(bin)
}

/// The fenced block of docs/teams.md between `<!-- NAME -->` markers.
fn docs_block(name: &str, lang: &str) -> String {
    let docs = include_str!("../../docs/teams.md");
    let start = format!("<!-- {name} -->\n```{lang}\n");
    let end = format!("```\n<!-- /{name} -->");
    let from = docs.find(&start).expect("start marker") + start.len();
    let to = from + docs[from..].find(&end).expect("end marker");
    docs[from..to].to_owned()
}

const GOOD: &str = "\
schema: 1
version: \"team-1\"
codex: \"0.169.0\"
default: fast
providers:
  gw:
    name: Gateway
    base_url: https://gw.example/v1
    env_key: GW_API_KEY
profiles:
  fast:
    provider: gw
    model: small
  deep:
    provider: gw
    model: large
";

struct Team {
    _dir: tempfile::TempDir,
    root: PathBuf,
    pre_commit: PathBuf,
}

impl Team {
    /// The hook repository (this checkout's hooks file, committed), a team's
    /// repository with `catalog`, its generated Codex home in `codex/` and
    /// a config naming both hooks, and a committer whose own Codex home
    /// would break anything that read it.
    fn new(pre_commit: PathBuf, catalog: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let team = Team {
            _dir: dir,
            root,
            pre_commit,
        };
        team.write(
            "hooks/.pre-commit-hooks.yaml",
            include_str!("../../.pre-commit-hooks.yaml"),
        );
        team.git("hooks", &["init", "-q"]);
        team.git("hooks", &["add", "."]);
        team.git("hooks", &["commit", "-q", "-m", "hooks"]);
        team.git("hooks", &["tag", "v0.1.0"]);
        // docs/teams.md's configuration, naming this copy for GitHub's.
        let config = docs_block("teams:pre-commit-config", "yaml").replace(
            "repo: https://github.com/codexgen/codexgen",
            &format!("repo: {}", team.root.join("hooks").display()),
        );
        assert!(
            config.contains(&format!("repo: {}", team.root.display())),
            "{config}"
        );
        team.write("repo/.pre-commit-config.yaml", &config);
        team.write("repo/providers.yaml", catalog);
        team.write("user/.codex/config.toml", "this is not = = toml\n");
        team.write(
            "user/.config/codexgen/providers.local.yaml",
            "default: nowhere\n",
        );
        std::fs::create_dir_all(team.root.join("bin")).unwrap();
        std::os::unix::fs::symlink(
            assert_cmd::cargo::cargo_bin("codexgen"),
            team.root.join("bin/codexgen"),
        )
        .unwrap();
        // docs/teams.md's line that writes the home to commit.
        let out = team
            .command("bash")
            .args(["-c", &docs_block("teams:commit-home", "sh")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        team.git("repo", &["init", "-q"]);
        team.git("repo", &["add", "."]);
        team
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }

    /// `program` in `repo/` with a cleared environment: the committer's
    /// home, a temp `PRE_COMMIT_HOME`, codexgen on PATH, no network needed.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let user = self.root.join("user");
        let mut cmd = Command::new(program);
        cmd.current_dir(self.root.join("repo"))
            .env_clear()
            .env(
                "PATH",
                format!(
                    "{}:/usr/local/bin:/usr/bin:/bin",
                    self.root.join("bin").display()
                ),
            )
            .env("HOME", &user)
            .env("CODEX_HOME", user.join(".codex"))
            .env("XDG_CONFIG_HOME", user.join(".config"))
            .env("XDG_CACHE_HOME", user.join(".cache"))
            .env("PRE_COMMIT_HOME", self.root.join("pre-commit-home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("TMPDIR", &self.root)
            .env("NO_COLOR", "1");
        cmd
    }

    fn git(&self, dir: &str, args: &[&str]) -> String {
        let out = self
            .command("git")
            .current_dir(self.root.join(dir))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `pre-commit run --all-files`: whether it passed, and what it said.
    fn run(&self) -> (bool, String) {
        let out = self
            .command(&self.pre_commit)
            .args(["run", "--all-files"])
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), said)
    }

    fn assert_committer_untouched(&self) {
        let codex = self.root.join("user/.codex");
        assert_eq!(
            std::fs::read_to_string(codex.join("config.toml")).unwrap(),
            "this is not = = toml\n"
        );
        assert_eq!(std::fs::read_dir(&codex).unwrap().count(), 1);
    }
}

fn hook_line<'s>(said: &'s str, name: &str) -> &'s str {
    said.lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no line for {name}: {said}"))
}

#[test]
fn the_hooks_pass_a_good_catalog_whose_committed_home_is_in_step() {
    let Some(bin) = pre_commit_bin() else { return };
    let team = Team::new(bin, GOOD);
    let (ok, said) = team.run();
    assert!(ok, "{said}");
    assert!(
        hook_line(&said, "codexgen validate").ends_with("Passed"),
        "{said}"
    );
    assert!(
        hook_line(&said, "codexgen gen --check").ends_with("Passed"),
        "{said}"
    );
    team.assert_committer_untouched();
}

#[test]
fn the_validate_hook_fails_a_broken_catalog_with_codexgens_error() {
    let Some(bin) = pre_commit_bin() else { return };
    let team = Team::new(bin, GOOD);
    team.write(
        "repo/providers.yaml",
        &GOOD.replace(
            "provider: gw\n    model: large",
            "provider: nowhere\n    model: large",
        ),
    );
    let (ok, said) = team.run();
    assert!(!ok, "{said}");
    assert!(
        hook_line(&said, "codexgen validate").ends_with("Failed"),
        "{said}"
    );
    // codexgen's own message, with the file and line of the mistake.
    assert!(said.contains("providers.yaml:15:15"), "{said}");
    assert!(said.contains("nowhere"), "{said}");
    team.assert_committer_untouched();
}

#[test]
fn the_check_hook_fails_when_the_committed_home_is_out_of_date() {
    let Some(bin) = pre_commit_bin() else { return };
    let team = Team::new(bin, GOOD);
    // A valid change of the catalog, not followed by `codexgen gen`.
    team.write(
        "repo/providers.yaml",
        &GOOD.replace("model: large", "model: larger"),
    );
    let (ok, said) = team.run();
    assert!(!ok, "{said}");
    assert!(
        hook_line(&said, "codexgen validate").ends_with("Passed"),
        "{said}"
    );
    assert!(
        hook_line(&said, "codexgen gen --check").ends_with("Failed"),
        "{said}"
    );
    assert!(said.contains("run `codexgen gen`"), "{said}");
    // An edit of a generated file by hand is caught the same way.
    let team = Team::new(team.pre_commit.clone(), GOOD);
    let path = team.root.join("repo/codex/deep.config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("\"large\"", "\"other\"")).unwrap();
    let (ok, said) = team.run();
    assert!(!ok, "{said}");
    assert!(
        hook_line(&said, "codexgen gen --check").ends_with("Failed"),
        "{said}"
    );
    team.assert_committer_untouched();
}

/// The hooks file's own promises: both hooks run codexgen without the
/// personal overlay, and the check's entry ends in `--codex-home`, so its
/// first argument is always the home it checks.
#[test]
fn the_hooks_file_names_both_hooks_and_never_the_committers_home() {
    let hooks: serde_json::Value =
        serde_saphyr::from_str(include_str!("../../.pre-commit-hooks.yaml")).unwrap();
    let hooks = hooks.as_array().unwrap();
    let find = |id: &str| {
        hooks
            .iter()
            .find(|h| h["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("{id}"))
    };
    let validate = find("codexgen-validate");
    let check = find("codexgen-check");
    for hook in [validate, check] {
        assert_eq!(hook["language"].as_str(), Some("system"));
        assert_eq!(hook["pass_filenames"].as_bool(), Some(false));
        assert!(
            hook["entry"]
                .as_str()
                .unwrap()
                .starts_with("codexgen --no-local ")
        );
    }
    assert!(
        check["entry"]
            .as_str()
            .unwrap()
            .ends_with("gen --check --codex-home")
    );
}
