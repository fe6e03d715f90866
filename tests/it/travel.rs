//! Ownership that travels with a linked config.toml (issue 11, point 4):
//! two Codex homes, A and B (two machines), whose config.toml is a symlink
//! to one file in a shared dotfiles folder. codexgen keeps its record of
//! that file beside it (`dotfiles/.codexgen/config.toml.json`), so whatever
//! one machine wrote, the other can remove; profile files stay each home's.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use tempfile::TempDir;

/// The shared file as the user started it: a comment, an MCP server and a
/// provider of their own, none of which codexgen ever writes.
const USERS_OWN: &str = "\
# My Codex settings, shared by all my machines.
approval_policy = \"on-request\"   # ask me

[mcp_servers.docs]
command = \"docs-mcp\"
args = [\"--port\", \"7\"]

[model_providers.mine]   # by hand
name = \"Mine\"
base_url = \"http://localhost:9/v1\"
";

/// A catalog of `providers` (each `id` becomes `[model_providers.id]`), with
/// one profile per provider (`<id>x`), the first one the default.
fn catalog(version: &str, providers: &[&str]) -> String {
    let mut out = format!(
        "schema: 1\nversion: \"{version}\"\ndefault: {}x\nproviders:\n",
        providers[0]
    );
    for id in providers {
        let _ = write!(
            out,
            "  {id}:\n    name: {id} name\n    base_url: https://{id}.example/v1\n    env_key: {}_API_KEY\n",
            id.to_uppercase()
        );
    }
    out.push_str("profiles:\n");
    for id in providers {
        let _ = write!(out, "  {id}x:\n    provider: {id}\n    model: {id}-model\n");
    }
    out
}

/// Two machines' Codex homes sharing one dotfiles folder.
struct Machines {
    _dir: TempDir,
    root: PathBuf,
    dotfiles: PathBuf,
}

impl Machines {
    fn new() -> Self {
        Self::in_dir(tempfile::tempdir().unwrap())
    }

    fn in_dir(dir: TempDir) -> Self {
        let root = dir.path().to_path_buf();
        let dotfiles = root.join("dotfiles");
        std::fs::create_dir_all(&dotfiles).unwrap();
        std::fs::write(dotfiles.join("config.toml"), USERS_OWN).unwrap();
        for home in ["a", "b"] {
            std::fs::create_dir_all(root.join(home)).unwrap();
            std::os::unix::fs::symlink(
                dotfiles.join("config.toml"),
                root.join(home).join("config.toml"),
            )
            .unwrap();
        }
        Machines {
            _dir: dir,
            root,
            dotfiles,
        }
    }

    fn home(&self, machine: &str) -> PathBuf {
        self.root.join(machine)
    }

    fn cmd(&self, machine: &str) -> Command {
        let mut cmd = Command::cargo_bin("codexgen").unwrap();
        let user = self.root.join(format!("user-{machine}"));
        cmd.current_dir(&self.root)
            .env_remove("CODEX_HOME")
            .env("HOME", &user)
            .env("XDG_CONFIG_HOME", user.join(".config"))
            .env("XDG_CACHE_HOME", user.join(".cache"))
            .env("PATH", self.root.join("no-bin"))
            .env("NO_COLOR", "1")
            .arg("--codex-home")
            .arg(self.home(machine))
            .arg("--catalog")
            .arg(self.dotfiles.join("providers.yaml"));
        cmd
    }

    /// `gen --yes` on `machine` with `catalog`; returns its stderr.
    fn run(&self, machine: &str, catalog: &str) -> String {
        std::fs::write(self.dotfiles.join("providers.yaml"), catalog).unwrap();
        let out = self.cmd(machine).args(["gen", "--yes"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "gen on {machine}:\n{stderr}");
        stderr
    }

    fn shared(&self) -> String {
        std::fs::read_to_string(self.dotfiles.join("config.toml")).unwrap()
    }

    /// What this machine's Codex adds to the shared file when a folder is
    /// trusted there.
    fn codex_trusts(&self, machine: &str) {
        let mut text = self.shared();
        let _ = write!(
            text,
            "\n[projects.\"/home/{machine}/src\"]\ntrust_level = \"trusted\"\n"
        );
        std::fs::write(self.dotfiles.join("config.toml"), text).unwrap();
    }

    /// The user's own lines and every project entry added so far are there,
    /// byte for byte.
    fn assert_kept(&self, projects: &[&str]) {
        let shared = self.shared();
        for block in USERS_OWN.split("\n\n") {
            assert!(shared.contains(block), "lost:\n{block}\nfrom:\n{shared}");
        }
        for machine in projects {
            let entry = format!("[projects.\"/home/{machine}/src\"]\ntrust_level = \"trusted\"\n");
            assert!(
                shared.contains(&entry),
                "lost {machine}'s project:\n{shared}"
            );
        }
    }
}

fn provider(id: &str) -> String {
    format!("[model_providers.{id}]\n")
}

#[test]
fn a_fresh_second_machine_removes_a_provider_the_first_one_wrote() {
    let m = Machines::new();
    m.run("a", &catalog("v1", &["p", "q"]));
    assert!(m.shared().contains(&provider("q")));
    assert!(m.dotfiles.join(".codexgen/config.toml.json").is_file());
    m.codex_trusts("a");
    // B has no state at all: only the shared file and its record.
    let said = m.run("b", &catalog("v2", &["p"]));
    let shared = m.shared();
    assert!(!shared.contains(&provider("q")), "{shared}");
    assert!(shared.contains(&provider("p")), "{shared}");
    assert!(!said.contains("written by codexgen elsewhere"), "{said}");
    m.assert_kept(&["a"]);
}

#[test]
fn a_provider_added_and_removed_elsewhere_goes_on_a_machine_that_never_saw_it() {
    let m = Machines::new();
    m.run("a", &catalog("v1", &["p", "q"]));
    m.codex_trusts("a");
    m.run("b", &catalog("v1", &["p", "q"]));
    m.codex_trusts("b");
    m.run("a", &catalog("v2", &["p", "q", "r"]));
    assert!(m.shared().contains(&provider("r")));
    m.codex_trusts("a2");
    // B's own state knows v1 only; the record knows r.
    m.run("b", &catalog("v3", &["p", "q"]));
    let shared = m.shared();
    assert!(!shared.contains(&provider("r")), "{shared}");
    assert!(shared.contains(&provider("q")), "{shared}");
    m.assert_kept(&["a", "b", "a2"]);
    // The provider of the user's own is never removed, even when every
    // provider codexgen wrote leaves the catalog.
    m.run("a", &catalog("v4", &["z"]));
    let shared = m.shared();
    for gone in ["p", "q", "r"] {
        assert!(!shared.contains(&provider(gone)), "{shared}");
    }
    m.assert_kept(&["a", "b", "a2"]);
}

#[test]
fn profile_files_stay_each_machines_own() {
    let m = Machines::new();
    m.run("a", &catalog("v1", &["p", "q"]));
    assert!(m.home("a").join("qx.config.toml").is_file());
    // B writes its own profile files and never touches A's.
    m.run("b", &catalog("v2", &["p"]));
    assert!(m.home("b").join("px.config.toml").is_file());
    assert!(!m.home("b").join("qx.config.toml").exists());
    assert!(m.home("a").join("qx.config.toml").is_file());
    // A removes its own, from its own state.
    m.run("a", &catalog("v2", &["p"]));
    assert!(!m.home("a").join("qx.config.toml").exists());
    // A profile file B never wrote is not B's to delete.
    std::fs::write(m.home("b").join("qx.config.toml"), "model = \"mine\"\n").unwrap();
    m.run("b", &catalog("v3", &["p"]));
    assert_eq!(
        std::fs::read_to_string(m.home("b").join("qx.config.toml")).unwrap(),
        "model = \"mine\"\n"
    );
}

/// Every file under `dir` with its bytes and mtime.
fn stamps(dir: &Path) -> Vec<(PathBuf, Vec<u8>, SystemTime)> {
    crate::support::snapshot_dir(dir)
        .into_iter()
        .map(|(path, bytes)| {
            let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
            (path, bytes, mtime)
        })
        .collect()
}

#[test]
fn both_machines_on_one_catalog_are_in_sync_and_write_nothing_again() {
    let m = Machines::new();
    m.run("a", &catalog("v1", &["p", "q"]));
    m.run("b", &catalog("v2", &["p"]));
    m.run("a", &catalog("v2", &["p"]));
    let record = std::fs::read(m.dotfiles.join(".codexgen/config.toml.json")).unwrap();
    for machine in ["a", "b"] {
        m.cmd(machine)
            .args(["gen", "--check"])
            .assert()
            .code(0)
            .stdout(contains("in sync"));
    }
    let before = stamps(&m.root);
    std::thread::sleep(std::time::Duration::from_millis(20));
    for machine in ["a", "b", "a"] {
        m.cmd(machine)
            .args(["gen", "--yes"])
            .assert()
            .success()
            .stderr(contains("nothing to change"));
    }
    assert_eq!(stamps(&m.root), before);
    // Either machine writes the same record for the same file.
    m.run("b", &catalog("v2", &["p"]));
    assert_eq!(
        std::fs::read(m.dotfiles.join(".codexgen/config.toml.json")).unwrap(),
        record
    );
}

#[test]
fn without_the_record_each_machine_keeps_its_own_and_is_warned() {
    let m = Machines::new();
    m.run("a", &catalog("v1", &["p", "q"]));
    // A dotfiles repository that does not carry the record.
    std::fs::remove_dir_all(m.dotfiles.join(".codexgen")).unwrap();
    let said = m.run("b", &catalog("v2", &["p"]));
    assert!(
        said.contains(
            "warning: config.toml was written by codexgen elsewhere; providers removed from the catalog since then cannot be told from yours, so they stay"
        ),
        "{said}"
    );
    assert!(said.contains("config.toml.json"), "{said}");
    // As before this record existed: q is nobody's on B, and stays.
    assert!(m.shared().contains(&provider("q")));
    // B wrote the record: the next run has nothing to warn about.
    let said = m.run("b", &catalog("v2", &["p"]));
    assert!(!said.contains("elsewhere"), "{said}");
}

#[test]
fn a_damaged_or_oversized_record_stops_before_any_write() {
    let m = Machines::new();
    m.run("a", &catalog("v1", &["p", "q"]));
    let record = m.dotfiles.join(".codexgen/config.toml.json");
    std::fs::write(m.dotfiles.join("providers.yaml"), catalog("v2", &["p"])).unwrap();
    let damaged = "{\"format\": 3, \"file\": {\"managed\": 7}}\n".to_owned();
    let oversized = format!("{{\"format\": 3, \"about\": \"{}\"}}", "x".repeat(17 << 20));
    for (text, says) in [
        (
            damaged,
            "codexgen's record of a linked config.toml is damaged",
        ),
        (oversized, "is larger than 16 MiB"),
    ] {
        std::fs::write(&record, &text).unwrap();
        let before = crate::support::snapshot_dir(&m.root);
        for mode in ["--yes", "--check", "--diff"] {
            m.cmd("b")
                .args(["gen", mode])
                .assert()
                .code(2)
                .stderr(contains(says))
                .stderr(contains(record.display().to_string()));
        }
        assert!(crate::support::snapshot_dir(&m.root) == before);
    }
}

/// A record from a shared repository is input codexgen did not write on
/// this machine: leaves in it that no built-in template ever emits (the
/// user's MCP server, a top-level setting, a whole provider table) are not
/// codexgen's to remove, whatever the record says.
#[test]
fn a_record_naming_leaves_no_template_writes_removes_none_of_them() {
    let m = Machines::new();
    m.run("a", &catalog("v1", &["p"]));
    let record = m.dotfiles.join(".codexgen/config.toml.json");
    let text = std::fs::read_to_string(&record).unwrap();
    let hostile = text.replacen(
        "\"managed\":[",
        r#""managed":[[["mcp_servers","docs","command"],"\"docs-mcp\""],[["mcp_servers","docs","args"],"[\"x\"]"],[["approval_policy"],"\"on-request\""],[["model_providers","mine"],"{}"],[["model_providers","mine","base_url","x"],"\"y\""],"#,
        1,
    );
    assert_ne!(hostile, text);
    std::fs::write(&record, hostile).unwrap();
    // B has no state of its own; a changed catalog makes it merge.
    m.run("b", &catalog("v2", &["p", "q"]));
    m.assert_kept(&[]);
    assert!(m.shared().contains(&provider("q")));
    // A, whose own state names none of them either, keeps them too.
    m.run("a", &catalog("v3", &["p"]));
    m.assert_kept(&[]);
    assert!(!m.shared().contains(&provider("q")), "{}", m.shared());
}

#[test]
fn an_unlinked_home_gets_no_record() {
    let w = crate::support::World::new();
    w.catalog(crate::support::CATALOG);
    w.gen_yes();
    let mut names: Vec<_> = std::fs::read_dir(w.home.join(".codexgen"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // The first write's backup generation notes the files it created.
    assert_eq!(names, ["backup", "lock", "state.json"]);
}

/// The two-machine recipe of docs/recipes.md (between `<!-- recipe:two-machines -->`
/// markers), as written.
pub(crate) fn readme_recipe() -> String {
    let readme = include_str!("../../docs/recipes.md");
    let start = "<!-- recipe:two-machines -->\n```bash\n";
    let end = "```\n<!-- /recipe:two-machines -->";
    let from = readme.find(start).expect("recipe start marker") + start.len();
    let to = from + readme[from..].find(end).expect("recipe end marker");
    readme[from..to].to_owned()
}

/// A scratch world for `git` and the recipe: no user or system git config,
/// a fixed identity, the built codexgen first on PATH.
pub(crate) fn git_world(root: &Path) -> Vec<(&'static str, String)> {
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("codexgen"),
        bin.join("codexgen"),
    )
    .unwrap();
    let user = root.join("user").display().to_string();
    vec![
        (
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display()),
        ),
        ("HOME", user.clone()),
        ("XDG_CONFIG_HOME", format!("{user}/.config")),
        ("XDG_CACHE_HOME", format!("{user}/.cache")),
        ("GIT_CONFIG_NOSYSTEM", "1".to_owned()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".to_owned()),
        ("GIT_AUTHOR_NAME", "Me".to_owned()),
        ("GIT_AUTHOR_EMAIL", "me@example.com".to_owned()),
        ("GIT_COMMITTER_NAME", "Me".to_owned()),
        ("GIT_COMMITTER_EMAIL", "me@example.com".to_owned()),
        ("NO_COLOR", "1".to_owned()),
    ]
}

fn bash(env: &[(&'static str, String)], extra: &[(&str, &Path)], script: &str) -> String {
    let out = std::process::Command::new("bash")
        .args(["-eu", "-c", script])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .envs(extra.iter().map(|(k, v)| (*k, *v)))
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{script}\n---\n{said}");
    said
}

#[test]
fn the_readme_two_machine_recipe_converges() {
    let recipe = readme_recipe();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let env = git_world(root);
    let (origin, seed) = (root.join("origin.git"), root.join("seed"));
    // The dotfiles repository, holding the catalog (v1: p and q).
    bash(
        &env,
        &[("ORIGIN", &origin), ("SEED", &seed)],
        "git init -q --bare -b main \"$ORIGIN\"; git clone -q \"$ORIGIN\" \"$SEED\" 2>/dev/null; mkdir \"$SEED/codex\"",
    );
    std::fs::write(
        seed.join("codex/providers.yaml"),
        catalog("v1", &["p", "q"]),
    )
    .unwrap();
    bash(
        &env,
        &[("SEED", &seed)],
        "cd \"$SEED\"; git add .; git commit -q -m catalog; git push -q origin main",
    );
    let machine = |name: &str| {
        let dotfiles = root.join(name).join("dotfiles");
        let home = root.join(name).join("codex");
        bash(
            &env,
            &[("ORIGIN", &origin), ("DOTFILES", &dotfiles)],
            "git clone -q \"$ORIGIN\" \"$DOTFILES\"",
        );
        (dotfiles, home)
    };
    let run = |(dotfiles, home): &(PathBuf, PathBuf)| {
        bash(
            &env,
            &[("DOTFILES", dotfiles), ("CODEX_HOME", home)],
            &recipe,
        )
    };
    let config = |(dotfiles, _): &(PathBuf, PathBuf)| {
        std::fs::read_to_string(dotfiles.join("codex/config.toml")).unwrap()
    };

    // Machine A writes v1 and commits the file and its record.
    let a = machine("a");
    run(&a);
    assert!(config(&a).contains(&provider("q")), "{}", config(&a));
    assert!(
        std::fs::symlink_metadata(a.1.join("config.toml"))
            .unwrap()
            .is_symlink()
    );
    // Later, on A, the catalog drops q; the change is pushed without a run.
    std::fs::write(a.0.join("codex/providers.yaml"), catalog("v2", &["p"])).unwrap();
    bash(
        &env,
        &[("DOTFILES", &a.0)],
        "git -C \"$DOTFILES\" commit -q -am 'codex: drop q'; git -C \"$DOTFILES\" push -q",
    );
    // Machine B, fresh, runs the recipe: q goes, though B never wrote it.
    let b = machine("b");
    let said = run(&b);
    assert!(!config(&b).contains(&provider("q")), "{}", config(&b));
    assert!(!said.contains("elsewhere"), "{said}");
    // A catches up: its own profile file for q goes, the shared file stays.
    run(&a);
    assert_eq!(config(&a), config(&b));
    assert!(!a.1.join("qx.config.toml").exists());
    for m in [&a, &b] {
        let check = bash(
            &env,
            &[("DOTFILES", &m.0), ("CODEX_HOME", &m.1)],
            "codexgen --catalog \"$DOTFILES/codex/providers.yaml\" gen --check",
        );
        assert!(check.contains("in sync"), "{check}");
    }
    // Again on both: nothing written, nothing committed.
    let head = |m: &(PathBuf, PathBuf)| {
        bash(
            &env,
            &[("DOTFILES", &m.0)],
            "git -C \"$DOTFILES\" rev-parse HEAD",
        )
    };
    let before = head(&a);
    for m in [&b, &a] {
        let said = run(m);
        assert!(said.contains("nothing to change"), "{said}");
    }
    assert_eq!(head(&a), before);
    let tracked = bash(&env, &[("DOTFILES", &a.0)], "git -C \"$DOTFILES\" ls-files");
    assert!(
        tracked.contains("codex/.codexgen/config.toml.json"),
        "{tracked}"
    );
}

/// A bare repository (the dotfiles remote) holding `codex/providers.yaml`.
fn origin_with(env: &[(&'static str, String)], root: &Path, catalog: &str) -> PathBuf {
    let (origin, seed) = (root.join("origin.git"), root.join("seed"));
    bash(
        env,
        &[("ORIGIN", &origin), ("SEED", &seed)],
        "git init -q --bare -b main \"$ORIGIN\"; git clone -q \"$ORIGIN\" \"$SEED\" 2>/dev/null; mkdir \"$SEED/codex\"",
    );
    std::fs::write(seed.join("codex/providers.yaml"), catalog).unwrap();
    bash(
        env,
        &[("SEED", &seed)],
        "cd \"$SEED\"; git add .; git commit -q -m catalog; git push -q origin main",
    );
    origin
}

/// The issue's newcomer (issue 23, point 5): the README's recipe as written,
/// with `CODEX_HOME` unset (the Codex home is `~/.codex`), on a first
/// machine that has its own config.toml and then on a second one that has
/// its own too (a comment, a trusted project, an MCP server, and what an
/// earlier codexgen run with another catalog wrote there). Both end linked
/// to one shared file holding both machines' own tables, none of the
/// second machine's old catalog, and a second run changes nothing.
#[test]
fn the_readme_recipe_joins_machines_that_have_their_own_config_with_codex_home_unset() {
    let recipe = readme_recipe();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let env = git_world(root);
    let origin = origin_with(&env, root, &catalog("v1", &["p"]));
    // Each machine: its HOME, its clone, its own ~/.codex/config.toml.
    let machine = |name: &str, own: &str| {
        let user = root.join(name);
        let dotfiles = user.join("dotfiles");
        std::fs::create_dir_all(user.join(".codex")).unwrap();
        std::fs::write(user.join(".codex/config.toml"), own).unwrap();
        bash(
            &env,
            &[("ORIGIN", &origin), ("DOTFILES", &dotfiles)],
            "git clone -q \"$ORIGIN\" \"$DOTFILES\"",
        );
        (user, dotfiles)
    };
    let run = |(user, dotfiles): &(PathBuf, PathBuf)| {
        bash(&env, &[("HOME", user), ("DOTFILES", dotfiles)], &recipe)
    };
    let shared = |(_, dotfiles): &(PathBuf, PathBuf)| {
        std::fs::read_to_string(dotfiles.join("codex/config.toml")).unwrap()
    };
    let linked = |(user, dotfiles): &(PathBuf, PathBuf)| {
        assert_eq!(
            std::fs::read_link(user.join(".codex/config.toml")).unwrap(),
            dotfiles.join("codex/config.toml")
        );
    };

    let a_own = "[projects.\"/home/a/src\"]\ntrust_level = \"trusted\"\n";
    let a = machine("a", a_own);
    run(&a);
    linked(&a);
    assert!(shared(&a).contains(a_own), "{}", shared(&a));
    assert!(shared(&a).contains(&provider("p")), "{}", shared(&a));
    assert_eq!(
        std::fs::read_to_string(a.0.join(".codex/.codexgen/config.toml.before-link")).unwrap(),
        a_own
    );

    let b_own = "\
# The work laptop's own settings.
[projects.\"/home/b/work\"]
trust_level = \"trusted\"

# the docs server, only on this laptop
[mcp_servers.x]
command = \"x-mcp\"
args = [\"--port\", \"7\"]
";
    let b = machine("b", b_own);
    // B ran codexgen before, with a catalog of its own: what that wrote is
    // codexgen's, not B's, and does not travel into the shared file.
    let old = root.join("b/old-providers.yaml");
    std::fs::write(&old, catalog("b0", &["old"])).unwrap();
    bash(
        &env,
        &[("HOME", &b.0), ("OLD", &old)],
        "codexgen --catalog \"$OLD\" gen --yes",
    );
    let said = run(&b);
    linked(&b);
    let joined = shared(&b);
    for kept in [
        a_own,
        "[projects.\"/home/b/work\"]\ntrust_level = \"trusted\"\n",
        "# the docs server, only on this laptop\n[mcp_servers.x]\ncommand = \"x-mcp\"\nargs = [\"--port\", \"7\"]\n",
        "# The work laptop's own settings.\n",
        &provider("p"),
    ] {
        assert!(
            joined.contains(kept),
            "lost:\n{kept}\nfrom:\n{joined}\n---\n{said}"
        );
    }
    assert!(!joined.contains("old"), "{joined}\n---\n{said}");
    assert!(!b.0.join(".codex/oldx.config.toml").exists(), "{said}");
    assert!(
        std::fs::read_to_string(b.0.join(".codex/.codexgen/config.toml.before-link"))
            .unwrap()
            .contains(b_own)
    );
    // A catches up: the same file, still linked.
    run(&a);
    linked(&a);
    assert_eq!(shared(&a), joined);
    // Again on both: nothing written, nothing committed.
    let head = |m: &(PathBuf, PathBuf)| {
        bash(
            &env,
            &[("DOTFILES", &m.1)],
            "git -C \"$DOTFILES\" rev-parse HEAD",
        )
    };
    let before = head(&a);
    for m in [&b, &a] {
        let said = run(m);
        assert!(said.contains("nothing to do"), "{said}");
        assert!(said.contains("nothing to change"), "{said}");
        assert_eq!(shared(m), joined);
    }
    assert_eq!(head(&a), before);
    assert_eq!(head(&b), before);
    // Nothing was made outside the machines' folders.
    assert!(!root.join("config.toml").exists());
}

/// The real Codex (`CODEX_BIN`) on one machine, in its home, with a cleared
/// environment; returns its exit status and output.
fn codex(m: &Machines, bin: &Path, machine: &str, args: &[&str]) -> (bool, String) {
    let user = m.root.join(format!("user-{machine}"));
    std::fs::create_dir_all(&user).unwrap();
    let out = std::process::Command::new(bin)
        .args(args)
        .current_dir(&user)
        .env_clear()
        .env("CODEX_HOME", m.home(machine))
        .env("HOME", &user)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[test]
fn real_codex_writes_through_the_link_and_both_machines_keep_what_it_wrote() {
    let Some(bin) = crate::e2e::codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    // Not under /tmp, where Codex refuses to set up its helpers and warns.
    let m = Machines::in_dir(tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap());
    m.run("a", &catalog("v1", &["p", "q"]));
    m.run("b", &catalog("v2", &["p"]));
    // Codex on B adds an MCP server: it writes the shared file through B's link.
    let (ok, said) = codex(&m, &bin, "b", &["mcp", "add", "tools", "--", "echo", "hi"]);
    assert!(ok, "{said}");
    assert!(
        std::fs::symlink_metadata(m.home("b").join("config.toml"))
            .unwrap()
            .is_symlink()
    );
    assert!(m.shared().contains("[mcp_servers.tools]"), "{}", m.shared());
    // A's Codex loads the shared file and sees B's server.
    let (ok, said) = codex(&m, &bin, "a", &["mcp", "list"]);
    assert!(ok && said.contains("tools"), "{said}");
    // A catches up on the catalog; Codex's lines and the user's stay.
    m.run("a", &catalog("v3", &["p", "r"]));
    let shared = m.shared();
    assert!(
        shared.contains("[mcp_servers.tools]") && !shared.contains(&provider("q")),
        "{shared}"
    );
    m.assert_kept(&[]);
    // B catches up too; both are in sync, and each one's Codex loads the
    // shared file with its own profile file.
    for machine in ["b", "a"] {
        m.cmd(machine).args(["gen", "--yes"]).assert().success();
        m.cmd(machine)
            .args(["gen", "--check"])
            .assert()
            .code(0)
            .stdout(contains("in sync"));
        assert!(m.home(machine).join("rx.config.toml").is_file());
        let (ok, said) = codex(&m, &bin, machine, &["-p", "rx", "mcp", "list"]);
        assert!(ok && said.contains("tools"), "{said}");
    }
}

#[test]
fn an_unlinked_config_copied_from_elsewhere_is_warned_about_too() {
    let w = crate::support::World::new();
    w.catalog(crate::support::CATALOG);
    w.gen_yes();
    let config = w.read("config.toml");
    // Another machine's home, given a copy of the file and no state.
    let other = crate::support::World::new();
    other.catalog(crate::support::CATALOG);
    other.file("codex-home/config.toml", &config);
    other
        .cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains(
            "warning: config.toml was written by codexgen elsewhere",
        ))
        .stderr(contains("codexgen records what it writes from this run on"));
    // Its own home, with its state: no warning.
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains("elsewhere").not());
}

#[test]
fn a_home_that_others_link_to_keeps_their_record_too() {
    // One real config.toml in home A; home B (say a second CODEX_HOME on the
    // same machine) links to it.
    let m = Machines::new();
    std::fs::remove_file(m.home("a").join("config.toml")).unwrap();
    std::fs::rename(
        m.dotfiles.join("config.toml"),
        m.home("a").join("config.toml"),
    )
    .unwrap();
    std::fs::remove_file(m.home("b").join("config.toml")).unwrap();
    std::os::unix::fs::symlink(
        m.home("a").join("config.toml"),
        m.home("b").join("config.toml"),
    )
    .unwrap();
    let shared = || std::fs::read_to_string(m.home("a").join("config.toml")).unwrap();
    m.run("a", &catalog("v1", &["p", "q"]));
    assert!(!m.home("a").join(".codexgen/config.toml.json").exists());
    m.run("b", &catalog("v2", &["p", "q", "r"]));
    assert!(m.home("a").join(".codexgen/config.toml.json").is_file());
    // A, unlinked, reads and keeps the record B wrote beside its file.
    m.run("a", &catalog("v3", &["p"]));
    assert!(
        !shared().contains(&provider("q")) && !shared().contains(&provider("r")),
        "{}",
        shared()
    );
    m.run("a", &catalog("v4", &["p", "s"]));
    m.run("b", &catalog("v5", &["p"]));
    assert!(!shared().contains(&provider("s")), "{}", shared());
    for block in USERS_OWN.split("\n\n") {
        assert!(shared().contains(block), "{}", shared());
    }
}

/// Another machine pushed between this one's pull and its push: the push
/// is refused and the recipe stops (`set -eu`). The recipe, run again as
/// written, puts this machine's commit on top of the other's and pushes.
#[test]
fn the_readme_recipe_recovers_from_a_refused_push() {
    use std::os::unix::fs::PermissionsExt as _;
    let recipe = readme_recipe();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let env = git_world(root);
    let origin = origin_with(&env, root, &catalog("v1", &["p", "q"]));
    let machine = |name: &str| {
        let dotfiles = root.join(name).join("dotfiles");
        let home = root.join(name).join("codex");
        bash(
            &env,
            &[("ORIGIN", &origin), ("DOTFILES", &dotfiles)],
            "git clone -q \"$ORIGIN\" \"$DOTFILES\"",
        );
        (dotfiles, home)
    };
    let run = |(dotfiles, home): &(PathBuf, PathBuf)| {
        std::process::Command::new("bash")
            .args(["-eu", "-c", &recipe])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("DOTFILES", dotfiles)
            .env("CODEX_HOME", home)
            .output()
            .unwrap()
    };
    let a = machine("a");
    assert!(run(&a).status.success());
    let b = machine("b");
    // B has a table of its own to push.
    std::fs::create_dir_all(&b.1).unwrap();
    std::fs::write(
        b.1.join("config.toml"),
        "[projects.\"/home/b/src\"]\ntrust_level = \"trusted\"\n",
    )
    .unwrap();
    // While B runs, A drops q from the catalog and pushes first.
    std::fs::write(root.join("v2.yaml"), catalog("v2", &["p"])).unwrap();
    let hook = b.0.join(".git/hooks/pre-push");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nrm -f \"$0\"\ncp '{v2}' '{a}/codex/providers.yaml'\ngit -C '{a}' commit -q -am 'codex: drop q'\ngit -C '{a}' push -q\n",
            v2 = root.join("v2.yaml").display(),
            a = a.0.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(&b);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("rejected"), "{said}");
    // Run again, as written: B's commit goes on top, with the new catalog.
    let out = run(&b);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    let config = std::fs::read_to_string(b.0.join("codex/config.toml")).unwrap();
    assert!(!config.contains(&provider("q")), "{config}");
    assert!(config.contains("/home/b/src"), "{config}");
    let status = bash(
        &env,
        &[("DOTFILES", &b.0)],
        "git -C \"$DOTFILES\" fetch -q && git -C \"$DOTFILES\" status -sb",
    );
    assert!(
        !status.contains("ahead") && !status.contains("behind"),
        "{status}"
    );
    assert_eq!(status.lines().count(), 1, "{status}");
}
