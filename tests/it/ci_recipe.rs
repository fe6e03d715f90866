//! The CI recipe of docs/recipes.md (`<!-- recipe:ci -->`), run as written (issue 23,
//! point 5): a catalog checked against each Codex release a team pins, each
//! in a fresh Codex home with no personal overlay and no fixtures. `npm` is
//! a stand-in that puts the real Codex 0.169.0 (`CODEX_BIN`) and 0.171.0
//! (`CODEX_BIN_0_171_0`) where `npm install --prefix DIR` would; the tests
//! are skipped without them (failed under `CI=true`), as in `e2e`.
//!
//! The same repository runs the steps of the CI workflow template for teams
//! (`docs/ci/codexgen.yml`, issue 24 point 6): each Codex of its matrix, and
//! the review diff it puts in the job summary of a pull request.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::e2e::codex_bin_from;

/// The docs/recipes.md block between `<!-- recipe:ci -->` markers, as written.
fn ci_recipe() -> String {
    let readme = include_str!("../../docs/recipes.md");
    let start = "<!-- recipe:ci -->\n```bash\n";
    let end = "```\n<!-- /recipe:ci -->";
    let from = readme.find(start).expect("recipe start marker") + start.len();
    let to = from + readme[from..].find(end).expect("recipe end marker");
    readme[from..to].to_owned()
}

/// A team's repository with `catalog` as its providers.yaml, a laptop's
/// personal overlays (beside it and in the config folder) and Codex home
/// that would each break the check if they were read, and the `npm`
/// stand-in on PATH.
struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Repo {
    fn new(catalog: &str, bins: &[(&str, PathBuf)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        };
        write("repo/providers.yaml", catalog);
        let broken = "default: nowhere\n";
        write("repo/providers.local.yaml", broken);
        write("user/.config/codexgen/providers.local.yaml", broken);
        write("user/.codex/config.toml", "this is not = = toml\n");
        let mut cases = String::new();
        for (version, bin) in bins {
            let _ = writeln!(cases, "  {version}) bin='{}' ;;", bin.display());
        }
        write(
            "bin/npm",
            &format!(
                "#!/bin/sh\n# stand-in for `npm install --prefix DIR ... @openai/codex@VERSION`\nprefix=; version=\nwhile [ $# -gt 0 ]; do\n  case \"$1\" in\n    --prefix) prefix=$2; shift ;;\n    @openai/codex@*) version=${{1#@openai/codex@}} ;;\n  esac\n  shift\ndone\ncase \"$version\" in\n{cases}  *) echo \"npm: no @openai/codex@$version here\" >&2; exit 1 ;;\nesac\nmkdir -p \"$prefix/node_modules/.bin\" && ln -s \"$bin\" \"$prefix/node_modules/.bin/codex\"\n"
            ),
        );
        std::fs::set_permissions(
            root.join("bin/npm"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            assert_cmd::cargo::cargo_bin("codexgen"),
            root.join("bin/codexgen"),
        )
        .unwrap();
        Repo { _dir: dir, root }
    }

    /// The recipe in the repository, with a cleared environment.
    fn run(&self) -> (bool, String) {
        self.run_script(&ci_recipe(), &[])
    }

    /// `script` in the repository by bash (`-eo pipefail` as GitHub's
    /// `run:` steps), with a cleared environment but `env`.
    fn run_script(&self, script: &str, env: &[(&str, &str)]) -> (bool, String) {
        let user = self.root.join("user");
        let out = std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(self.root.join("repo"))
            .env_clear()
            .env(
                "PATH",
                format!(
                    "{}:/usr/local/bin:/usr/bin:/bin",
                    self.root.join("bin").display()
                ),
            )
            .env("HOME", &user)
            .env("TMPDIR", &self.root)
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), said)
    }

    /// The laptop's files are as they were.
    fn assert_laptop_untouched(&self) {
        let read = |rel: &str| std::fs::read_to_string(self.root.join(rel)).unwrap();
        assert_eq!(read("user/.codex/config.toml"), "this is not = = toml\n");
        let codex: Vec<_> = std::fs::read_dir(self.root.join("user/.codex"))
            .unwrap()
            .collect();
        assert_eq!(codex.len(), 1);
    }
}

/// The two releases the recipe pins, or `None` (skipped).
fn releases() -> Option<Vec<(&'static str, PathBuf)>> {
    Some(vec![
        ("0.169.0", codex_bin_from("CODEX_BIN", "0.169.0")?),
        ("0.171.0", codex_bin_from("CODEX_BIN_0_171_0", "0.171.0")?),
    ])
}

const GOOD: &str = "\
schema: 1
version: \"team-1\"
default: fast
providers:
  gw:
    name: Gateway
    base_url: https://gw.example/v1
    env_key: GW_API_KEY
mcp_servers:
  docs:
    command: docs-mcp
profiles:
  fast:
    provider: gw
    model: small
  deep:
    provider: gw
    model: large
";

#[test]
fn the_readme_ci_recipe_passes_a_good_catalog_on_each_pinned_release_without_the_laptop() {
    let Some(bins) = releases() else { return };
    let repo = Repo::new(GOOD, &bins);
    let (ok, said) = repo.run();
    assert!(ok, "{said}");
    for (version, _) in &bins {
        assert!(
            said.contains(&format!("providers.yaml: ok for Codex {version}")),
            "{said}"
        );
    }
    repo.assert_laptop_untouched();
    // Nothing is left behind in the temp folder but what the test made.
    let left: Vec<String> = std::fs::read_dir(&repo.root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 3, "{left:?}");
}

#[test]
fn the_readme_ci_recipe_fails_on_a_key_a_pinned_release_does_not_know() {
    let Some(bins) = releases() else { return };
    let catalog = GOOD.replace(
        "default: fast\n",
        "default: fast\nsettings:\n  unchecked:\n    bogus_team_key: 1\n",
    );
    let repo = Repo::new(&catalog, &bins);
    let (ok, said) = repo.run();
    assert!(!ok, "{said}");
    assert!(said.contains("does not know `bogus_team_key`"), "{said}");
    assert!(!said.contains("ok for Codex"), "{said}");
    repo.assert_laptop_untouched();
    assert_eq!(std::fs::read_dir(&repo.root).unwrap().count(), 3);
}

#[test]
fn the_readme_ci_recipe_fails_on_a_catalog_error_and_a_release_outside_its_range() {
    let Some(bins) = releases() else { return };
    // A profile whose provider was removed: the fixture era let it pass.
    let removed = GOOD.replace(
        "    provider: gw\n    model: large\n",
        "    provider: old\n    model: large\n",
    );
    let repo = Repo::new(&removed, &bins);
    let (ok, said) = repo.run();
    assert!(!ok, "{said}");
    assert!(said.contains("old"), "{said}");
    assert!(!said.contains("ok for Codex"), "{said}");
    // A catalog for newer Codex than one the team pins.
    let newer = GOOD.replace("default: fast\n", "default: fast\ncodex: \">=0.170\"\n");
    let repo = Repo::new(&newer, &bins);
    let (ok, said) = repo.run();
    assert!(!ok, "{said}");
    assert!(said.contains("0.169.0"), "{said}");
    assert!(!said.contains("ok for Codex"), "{said}");
    repo.assert_laptop_untouched();
}

/// The CI workflow template for teams (`docs/ci/codexgen.yml`): its steps,
/// as GitHub runs them, for one entry of its Codex matrix on a pull
/// request. `uses:` steps and installing codexgen (here: the one under
/// test, on PATH) are what GitHub does; every other `run:` step runs as
/// written, with the job's `env:` and GitHub's own variables.
struct Workflow {
    steps: Vec<(String, String)>,
    env: Vec<(String, String)>,
    matrix: Vec<String>,
}

impl Workflow {
    fn read() -> Self {
        let yaml: serde_json::Value =
            serde_saphyr::from_str(include_str!("../../docs/ci/codexgen.yml")).unwrap();
        let job = &yaml["jobs"]["check"];
        let matrix = job["strategy"]["matrix"]["codex"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let env = job["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let steps = job["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|step| {
                let name = step["name"].as_str()?;
                let run = step["run"].as_str()?;
                // GitHub expressions stay in `env:`, out of the scripts.
                assert!(!run.contains("${{"), "{name}: {run}");
                (name != "Install codexgen").then(|| (name.to_owned(), run.to_owned()))
            })
            .collect();
        Workflow { steps, env, matrix }
    }

    /// Every step for Codex `version` on a pull request from `base`: whether
    /// all passed, what they said, and the job summary.
    fn run(&self, repo: &Repo, version: &str, base: &str) -> (bool, String, String) {
        let temp = repo.root.join(format!("runner-{version}"));
        std::fs::create_dir_all(&temp).unwrap();
        let summary = temp.join("summary.md");
        let temp_s = temp.display().to_string();
        let summary_s = summary.display().to_string();
        let env: Vec<(String, String)> = self
            .env
            .iter()
            .map(|(k, v)| {
                let v = v
                    .replace("${{ matrix.codex }}", version)
                    .replace("${{ github.event.pull_request.base.sha }}", base);
                assert!(!v.contains("${{"), "{k}: {v}");
                (k.clone(), v)
            })
            .collect();
        let mut all: Vec<(&str, &str)> =
            env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        all.push(("RUNNER_TEMP", &temp_s));
        all.push(("GITHUB_STEP_SUMMARY", &summary_s));
        let mut said = String::new();
        for (name, script) in &self.steps {
            let (ok, out) = repo.run_script(script, &all);
            let _ = writeln!(said, "## {name}\n{out}");
            if !ok {
                return (false, said, String::new());
            }
        }
        (
            true,
            said,
            std::fs::read_to_string(&summary).unwrap_or_default(),
        )
    }
}

/// `git` in the repository, as the checkout step leaves it.
fn git(repo: &Repo, args: &str) -> String {
    let (ok, out) = repo.run_script(
        &format!("git -c user.name=t -c user.email=t@example.com {args}"),
        &[],
    );
    assert!(ok, "git {args}: {out}");
    out
}

#[test]
fn the_workflow_template_checks_every_pinned_release_and_shows_the_pull_requests_diff() {
    let workflow = Workflow::read();
    let Some(bins) = releases() else { return };
    let pinned: Vec<&str> = bins.iter().map(|(v, _)| *v).collect();
    assert_eq!(
        workflow.matrix, pinned,
        "the template pins the releases tested here"
    );
    let repo = Repo::new(GOOD, &bins);
    git(&repo, "init -q");
    git(&repo, "add providers.yaml");
    git(&repo, "commit -q -m base");
    let base = git(&repo, "rev-parse HEAD").trim().to_owned();
    std::fs::write(
        repo.root.join("repo/providers.yaml"),
        GOOD.replace("model: large", "model: larger"),
    )
    .unwrap();
    for version in &workflow.matrix {
        let (ok, said, summary) = workflow.run(&repo, version, &base);
        assert!(ok, "{said}");
        assert!(
            said.contains(&format!("providers.yaml: ok for Codex {version}")),
            "{said}"
        );
        // Only what the pull request changes, for review.
        assert!(
            summary.contains(&format!("Codex {version} home")),
            "{summary}"
        );
        assert!(
            summary.contains("```diff\n--- a/deep.config.toml"),
            "{summary}"
        );
        assert!(
            summary.contains("-model = \"large\"\n+model = \"larger\""),
            "{summary}"
        );
        assert!(!summary.contains("fast.config.toml"), "{summary}");
    }
    repo.assert_laptop_untouched();
}

#[test]
fn the_workflow_template_fails_a_broken_catalog_and_shows_a_new_catalog_whole() {
    let workflow = Workflow::read();
    let Some(bins) = releases() else { return };
    // A repository whose first catalog comes with this pull request.
    let repo = Repo::new(GOOD, &bins);
    git(&repo, "init -q");
    git(&repo, "commit -q --allow-empty -m base");
    let base = git(&repo, "rev-parse HEAD").trim().to_owned();
    let (ok, said, summary) = workflow.run(&repo, &workflow.matrix[0], &base);
    assert!(ok, "{said}");
    assert!(summary.contains("+++ b/config.toml"), "{summary}");
    // A profile whose provider is gone fails the check, with the position.
    std::fs::write(
        repo.root.join("repo/providers.yaml"),
        GOOD.replace(
            "provider: gw\n    model: large",
            "provider: old\n    model: large",
        ),
    )
    .unwrap();
    let (ok, said, _) = workflow.run(&repo, &workflow.matrix[1], &base);
    assert!(!ok, "{said}");
    assert!(said.contains("providers.yaml:"), "{said}");
    assert!(!said.contains("ok for Codex"), "{said}");
    repo.assert_laptop_untouched();
}
