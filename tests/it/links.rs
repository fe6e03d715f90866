//! Links codexgen did not make (issue 20, point 1). A cloned repository, a
//! synced folder or a folded dotfiles tree can hold symlinks; codexgen
//! writes through one only where the rule of docs/ownership.md allows it (a link to an
//! existing regular file of the same kind, made in the place the file is
//! looked for; inside a repository, or through a folder of one, only to a
//! file in that repository), and never follows one inside its own
//! `.codexgen/` folders.
//! Every refusal names the link and its target and comes before anything is
//! written: each test compares the whole scratch root before and after.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::support::{CATALOG, World, snapshot_dir};

/// A catalog whose model would run a command if a shell read it.
const HOSTILE: &str = r#"schema: 1
version: "h1"
default: alpha
providers:
  alpha-p:
    name: Alpha
    base_url: https://alpha.example/v1
    env_key: ALPHA_API_KEY
profiles:
  alpha:
    provider: alpha-p
    model: "m$(touch CANARY)"
"#;

/// Runs `codexgen ARGS` in `w` and checks the refusal: exit 2, stderr names
/// each of `named`, says nothing was written, and no file under the scratch
/// root changed. Returns stderr.
fn refused(w: &World, args: &[&str], named: &[&Path]) -> String {
    let before = snapshot_dir(&w.root);
    let out = w.cmd().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}\n{stderr}");
    for path in named {
        assert!(
            stderr.contains(&path.display().to_string()),
            "{args:?}: stderr does not name {}\n{stderr}",
            path.display()
        );
    }
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(snapshot_dir(&w.root), before, "{args:?} wrote\n{stderr}");
    stderr
}

fn gen_yes() -> [&'static str; 4] {
    ["--codex-version", "0.169.0", "gen", "--yes"]
}

/// Every entry under `dir` (links not followed), to show none was added.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
            out.push(e.path());
        }
    }
    out.sort();
    out
}

fn bash(env: &[(&'static str, String)], extra: &[(&str, &Path)], script: &str) -> (bool, String) {
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
    (out.status.success(), said)
}

/// The issue's report, as a user would meet it: a shared dotfiles
/// repository commits its travelling record as a link to a file that does
/// not exist yet, and the two-machine recipe of docs/recipes.md is run as written.
#[test]
fn the_readme_recipe_with_a_planted_record_link_creates_no_file_outside() {
    let recipe = crate::travel::readme_recipe();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let env = crate::travel::git_world(root);
    let (origin, seed) = (root.join("origin.git"), root.join("seed"));
    let ok = |extra: &[(&str, &Path)], script: &str| {
        let (ok, said) = bash(&env, extra, script);
        assert!(ok, "{script}\n{said}");
    };
    ok(
        &[("ORIGIN", &origin), ("SEED", &seed)],
        "git init -q --bare -b main \"$ORIGIN\"; git clone -q \"$ORIGIN\" \"$SEED\" 2>/dev/null; mkdir -p \"$SEED/codex/.codexgen\"",
    );
    std::fs::write(seed.join("codex/providers.yaml"), HOSTILE).unwrap();
    symlink(
        "../../../.bash_aliases",
        seed.join("codex/.codexgen/config.toml.json"),
    )
    .unwrap();
    ok(
        &[("SEED", &seed)],
        "cd \"$SEED\"; git add .; git commit -q -m dotfiles; git push -q origin main",
    );
    // The victim keeps the clone in their home: the link then points at
    // ~/.bash_aliases, which the next interactive bash sources.
    let user = root.join("user");
    let dotfiles = user.join("dotfiles");
    let home = user.join(".codex");
    ok(
        &[("ORIGIN", &origin), ("DOTFILES", &dotfiles)],
        "git clone -q \"$ORIGIN\" \"$DOTFILES\"",
    );
    let (succeeded, said) = bash(
        &env,
        &[("DOTFILES", &dotfiles), ("CODEX_HOME", &home)],
        &recipe,
    );
    assert!(!succeeded, "{said}");
    let link = dotfiles.join("codex/.codexgen/config.toml.json");
    assert!(said.contains(&link.display().to_string()), "{said}");
    assert!(said.contains("../../../.bash_aliases"), "{said}");
    assert!(said.contains("nothing was written"), "{said}");
    assert!(!user.join(".bash_aliases").exists(), "{said}");
    assert!(
        !entries(root).iter().any(|p| p.ends_with("CANARY")),
        "{said}"
    );
    // The error's advice works: without the planted link, the recipe runs.
    ok(
        &[("DOTFILES", &dotfiles)],
        "git -C \"$DOTFILES\" rm -q codex/.codexgen/config.toml.json",
    );
    let (succeeded, said) = bash(
        &env,
        &[("DOTFILES", &dotfiles), ("CODEX_HOME", &home)],
        &recipe,
    );
    assert!(succeeded, "{said}");
    assert!(
        std::fs::symlink_metadata(dotfiles.join("codex/.codexgen/config.toml.json"))
            .unwrap()
            .is_file()
    );
    assert!(!user.join(".bash_aliases").exists());
}

/// The repository's own config.toml is a link (dangling, or to a file that
/// exists): the Codex home's link then leads on through a second link that
/// the user did not make.
#[test]
fn a_config_toml_that_leads_through_a_second_link_is_refused() {
    for existing in [false, true] {
        let w = World::new();
        w.catalog(HOSTILE);
        let outside = w.root.join("user/.bashrc.d/codex.toml");
        if existing {
            w.file("user/.bashrc.d/codex.toml", "");
        }
        let planted = w.root.join("dotfiles/codex/config.toml");
        std::fs::create_dir_all(planted.parent().unwrap()).unwrap();
        symlink("../../user/.bashrc.d/codex.toml", &planted).unwrap();
        symlink(&planted, w.home.join("config.toml")).unwrap();
        let said = refused(&w, &gen_yes(), &[&planted]);
        assert!(said.contains("../../user/.bashrc.d/codex.toml"), "{said}");
        assert_eq!(outside.exists(), existing);
    }
}

#[test]
fn a_dangling_link_in_the_codex_home_is_refused() {
    for name in ["config.toml", "alpha.config.toml", "beta.config.toml"] {
        let w = World::new();
        w.catalog(CATALOG);
        let link = w.home.join(name);
        let target = w.root.join("dotfiles").join(name);
        std::fs::create_dir_all(w.root.join("dotfiles")).unwrap();
        symlink(&target, &link).unwrap();
        let said = refused(&w, &gen_yes(), &[&link, &target]);
        assert!(said.contains("does not exist"), "{said}");
        assert!(!target.exists());
        // `--diff` and `--check` say the same before any `--yes`.
        for mode in ["--diff", "--check"] {
            refused(
                &w,
                &["--codex-version", "0.169.0", "gen", mode],
                &[&link, &target],
            );
        }
    }
}

/// A link to an existing file that is not a Codex config file: an empty
/// `~/.bash_aliases` reads as an empty TOML file, and would have been
/// written with TOML that bash then runs.
#[test]
fn a_link_to_a_file_of_another_kind_is_refused() {
    let w = World::new();
    w.catalog(HOSTILE);
    let target = w.file("user/.bash_aliases", "");
    let link = w.home.join("config.toml");
    symlink(&target, &link).unwrap();
    let said = refused(&w, &gen_yes(), &[&link, &target]);
    assert!(said.contains(".toml"), "{said}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
}

#[test]
fn a_link_to_a_folder_or_a_chain_of_links_is_refused() {
    let w = World::new();
    w.catalog(CATALOG);
    std::fs::create_dir_all(w.root.join("dotfiles/folder.toml")).unwrap();
    let link = w.home.join("config.toml");
    symlink(w.root.join("dotfiles/folder.toml"), &link).unwrap();
    refused(&w, &gen_yes(), &[&link]);

    let w = World::new();
    w.catalog(CATALOG);
    let end = w.file("dotfiles/b.toml", "# mine\n");
    let middle = w.root.join("dotfiles/a.toml");
    symlink(&end, &middle).unwrap();
    let link = w.home.join("config.toml");
    symlink(&middle, &link).unwrap();
    refused(&w, &gen_yes(), &[&link, &middle]);
    assert_eq!(std::fs::read_to_string(&end).unwrap(), "# mine\n");
}

/// A link the user made to an existing file, written relative to the link's
/// own folder, is the dotfiles case: written through, and it stays a link.
#[test]
fn a_relative_link_to_an_existing_file_is_written_through() {
    let w = World::new();
    w.catalog(CATALOG);
    let target = w.file("dotfiles/codex/config.toml", "# mine\n");
    let link = w.home.join("config.toml");
    symlink("../dotfiles/codex/config.toml", &link).unwrap();
    w.cmd().args(gen_yes()).assert().success();
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(
        text.starts_with("# codexgen:") && text.contains("# mine\n"),
        "{text}"
    );
    assert!(
        w.root
            .join("dotfiles/codex/.codexgen/config.toml.json")
            .is_file()
    );
    w.cmd()
        .args(["--codex-version", "0.169.0", "gen", "--check"])
        .assert()
        .success();
}

/// Each place in the Codex home's own folder that a link could take:
/// codexgen follows none of them, whatever the link points at.
#[test]
fn no_link_in_the_homes_codexgen_folder_is_followed() {
    let changed = CATALOG.replace("alpha-1", "alpha-2");
    let cases: [(&str, bool); 7] = [
        (".codexgen", true),
        (".codexgen/backup", true),
        (".codexgen/state.json", false),
        (".codexgen/lock", false),
        (".codexgen/pending.json", false),
        (".codexgen/state.toml", false),
        // The next backup generation's folder (the first gen made 000001).
        (".codexgen/backup/000002", true),
    ];
    for (name, folder) in cases {
        let w = World::new();
        w.catalog(CATALOG);
        w.cmd().args(gen_yes()).assert().success();
        let link = w.home.join(name);
        let outside = w.root.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        let target = if folder {
            // The user's folder moved out and linked back, or a planted one.
            let real = outside.join("moved");
            std::fs::create_dir_all(&link).unwrap();
            std::fs::rename(&link, &real).unwrap();
            real
        } else {
            let _ = std::fs::remove_file(&link);
            outside.join("file")
        };
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        symlink(&target, &link).unwrap();
        w.catalog(&changed);
        let before = entries(&outside);
        let said = refused(&w, &gen_yes(), &[&link, &target]);
        assert!(said.contains("codexgen's own folder"), "{name}: {said}");
        assert_eq!(entries(&outside), before, "{name}");
        assert!(w.read("config.toml").contains("alpha-1"), "{name}");
    }
}

/// The folder beside a linked config.toml where its record travels is
/// codexgen's too: neither it nor the record may be a link.
#[test]
fn no_link_in_the_record_folder_is_followed() {
    for (name, existing) in [
        (".codexgen", false),
        (".codexgen/config.toml.json", false),
        (".codexgen/config.toml.json", true),
    ] {
        let w = World::new();
        w.catalog(HOSTILE);
        let shared = w.file("dotfiles/config.toml", "");
        symlink(&shared, w.home.join("config.toml")).unwrap();
        let target = w.root.join("user/.bash_aliases");
        if existing {
            w.file("user/.bash_aliases", "alias ll='ls -l'\n");
        }
        let link = w.root.join("dotfiles").join(name);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        symlink(&target, &link).unwrap();
        refused(&w, &gen_yes(), &[&link, &target]);
        assert_eq!(target.exists(), existing);
    }
}

/// A committed `providers.local.yaml` link: `adopt --yes` must not create
/// or fill its target.
#[test]
fn adopt_does_not_write_through_a_planted_overlay_link() {
    for existing in [false, true] {
        let w = World::new();
        w.catalog(CATALOG);
        let target = w.root.join("user/.zshenv");
        if existing {
            w.file("user/.zshenv", "");
        }
        w.cmd().args(gen_yes()).assert().success();
        let link = w.root.join("work/providers.local.yaml");
        symlink("../user/.zshenv", &link).unwrap();
        let text = w.read("config.toml").replace("alpha-1", "m$(touch CANARY)");
        std::fs::write(w.home.join("config.toml"), text).unwrap();
        let said = refused(
            &w,
            &["--codex-version", "0.169.0", "adopt", "--yes"],
            &[Path::new(
                "providers.local.yaml is a symbolic link to ../user/.zshenv",
            )],
        );
        assert!(!said.contains("Codex home"), "{said}");
        assert_eq!(target.exists(), existing);
    }
}

/// `init` and `import` write where `--output` says; a link there is held to
/// the same rule.
#[test]
fn init_and_import_do_not_write_through_a_link_to_another_kind_or_nowhere() {
    let w = World::new();
    w.catalog(CATALOG);
    w.cmd().args(gen_yes()).assert().success();
    let bashrc = w.file("user/.bashrc", "# mine\n");
    let link = w.root.join("work/new.yaml");
    symlink(&bashrc, &link).unwrap();
    let output = link.display().to_string();
    for args in [
        ["init", "--force", "--output", &output].as_slice(),
        [
            "--codex-version",
            "0.169.0",
            "import",
            "--force",
            "--output",
            &output,
        ]
        .as_slice(),
    ] {
        refused(&w, args, &[&link]);
    }
    std::fs::remove_file(&link).unwrap();
    let profile = w.root.join("user/.profile");
    symlink(&profile, &link).unwrap();
    refused(
        &w,
        &[
            "--codex-version",
            "0.169.0",
            "import",
            "--force",
            "--output",
            &output,
        ],
        &[&link, &profile],
    );
    assert!(!profile.exists());
    assert_eq!(std::fs::read_to_string(&bashrc).unwrap(), "# mine\n");
}

/// A Codex home that is a link into a cloned repository (a common dotfiles
/// setup) holds whatever the repository commits: its `config.toml`, or a
/// profile file, committed as a link out of the repository to a `.toml`
/// file that exists (`~/.cargo/config.toml`, read by cargo) must not be
/// written, nor get a `.codexgen/` record beside it; `--diff` and
/// `--check` say so too. A link to a file inside the repository is fine.
#[test]
fn a_link_in_a_repository_is_not_written_through_to_a_file_outside_it() {
    for name in ["config.toml", "alpha.config.toml"] {
        let w = World::new();
        w.catalog(CATALOG);
        let cargo = w.file("user/.cargo/config.toml", "[build]\njobs = 2\n");
        let repo = w.root.join("clone");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("codex")).unwrap();
        let planted = repo.join("codex").join(name);
        symlink("../../user/.cargo/config.toml", &planted).unwrap();
        std::fs::remove_dir(&w.home).unwrap();
        symlink(repo.join("codex"), &w.home).unwrap();
        let link = w.home.join(name);
        for mode in ["--diff", "--check", "--yes"] {
            let said = refused(
                &w,
                &["--codex-version", "0.169.0", "gen", mode],
                &[&link, &repo],
            );
            assert!(said.contains("../../user/.cargo/config.toml"), "{said}");
        }
        assert_eq!(
            std::fs::read_to_string(&cargo).unwrap(),
            "[build]\njobs = 2\n"
        );
        assert!(!w.root.join("user/.cargo/.codexgen").exists());
        // Pointed at a file of the repository, the link is written through.
        let own = w.file(&format!("clone/shared/{name}"), "# mine\n");
        std::fs::remove_file(&planted).unwrap();
        symlink(format!("../shared/{name}"), &planted).unwrap();
        w.cmd().args(gen_yes()).assert().success();
        assert!(std::fs::read_to_string(&own).unwrap().contains("# mine\n"));
    }
}

/// The overlay beside a catalog in a clone, and an `--output` in a clone,
/// committed as links to an existing YAML file of another program outside
/// the clone (`~/.config/gh/hosts.yml` holds a token).
#[test]
fn a_yaml_link_in_a_repository_is_not_written_through_to_a_file_outside_it() {
    let w = World::new();
    std::fs::create_dir_all(w.root.join("work/.git")).unwrap();
    w.catalog(CATALOG);
    let hosts = w.file("user/.config/gh/hosts.yml", "github.com:\n  user: me\n");
    w.cmd().args(gen_yes()).assert().success();
    let overlay = w.root.join("work/providers.local.yaml");
    symlink("../user/.config/gh/hosts.yml", &overlay).unwrap();
    let text = w.read("config.toml").replace("alpha-1", "alpha-2");
    std::fs::write(w.home.join("config.toml"), text).unwrap();
    refused(
        &w,
        &["--codex-version", "0.169.0", "adopt", "--yes"],
        &[Path::new("providers.local.yaml")],
    );
    std::fs::remove_file(&overlay).unwrap();
    let output = w.root.join("work/out.yaml");
    symlink("../user/.config/gh/hosts.yml", &output).unwrap();
    let out = output.display().to_string();
    refused(&w, &["init", "--force", "--output", &out], &[&output]);
    refused(
        &w,
        &[
            "--codex-version",
            "0.169.0",
            "import",
            "--force",
            "--output",
            &out,
        ],
        &[&output],
    );
    assert_eq!(
        std::fs::read_to_string(&hosts).unwrap(),
        "github.com:\n  user: me\n"
    );
    // Nor into the Codex home's own config.toml, nor the user's catalog.
    for (name, to) in [
        ("out.toml", w.home.join("config.toml")),
        (
            "mine.yaml",
            w.root.join("user/.config/codexgen/providers.yaml"),
        ),
    ] {
        if !to.exists() {
            w.file("user/.config/codexgen/providers.yaml", CATALOG);
        }
        let output = w.root.join("work").join(name);
        symlink(&to, &output).unwrap();
        let out = output.display().to_string();
        refused(
            &w,
            &[
                "--codex-version",
                "0.169.0",
                "import",
                "--force",
                "--output",
                &out,
            ],
            &[&output, &to],
        );
    }
}

/// The user's own link (in a real Codex home, as the recipe in docs/recipes.md makes
/// it) to `$DOTFILES/codex/config.toml`, where the repository committed
/// `codex` as a link out of itself, to `~/.cargo`: the file it leads to is
/// not the repository's, and is not written.
#[test]
fn a_link_through_a_folder_a_repository_links_out_of_it_is_refused() {
    let w = World::new();
    w.catalog(CATALOG);
    let cargo = w.file("user/.cargo/config.toml", "[build]\njobs = 2\n");
    let dotfiles = w.root.join("dotfiles");
    std::fs::create_dir_all(dotfiles.join(".git")).unwrap();
    symlink("../user/.cargo", dotfiles.join("codex")).unwrap();
    let link = w.home.join("config.toml");
    symlink(dotfiles.join("codex/config.toml"), &link).unwrap();
    refused(&w, &gen_yes(), &[&link, &dotfiles]);
    assert_eq!(
        std::fs::read_to_string(&cargo).unwrap(),
        "[build]\njobs = 2\n"
    );
}

/// A profile file that links to config.toml (or to another profile file)
/// is one file written twice: each write would undo the other, and a run
/// stopped on "config.toml changed" or filled config.toml with a
/// profile's text. Refused before anything is written, naming both.
#[test]
fn a_link_to_another_file_codexgen_writes_is_refused() {
    for to in ["config.toml", "beta.config.toml"] {
        let w = World::new();
        w.catalog(CATALOG);
        w.file("codex-home/config.toml", "# mine\n");
        w.file("codex-home/beta.config.toml", "# mine too\n");
        let link = w.home.join("alpha.config.toml");
        symlink(to, &link).unwrap();
        for mode in ["--check", "--yes"] {
            let said = refused(
                &w,
                &["--codex-version", "0.169.0", "gen", mode],
                &[&link, &w.home.join(to)],
            );
            assert!(said.contains("codexgen also writes as"), "{said}");
        }
    }
    let w = World::new();
    w.catalog(CATALOG);
    let config = w.file("codex-home/config.toml", "# mine\n");
    let profile = w.home.join("alpha.config.toml");
    std::fs::hard_link(&config, &profile).unwrap();
    let said = refused(&w, &gen_yes(), &[&config, &profile]);
    assert!(said.contains("one file (hard links)"), "{said}");
}

/// The Codex home itself reached through a repository's folder link out of
/// the repository: `~/.codex` links (the user's own link) to
/// `$DOTFILES/codex`, which the clone committed as a link to `~/.cargo`.
/// Every file of the home would be written there (config.toml, profile
/// files, `.codexgen/`): refused, naming the committed link.
#[test]
fn a_codex_home_that_a_repository_links_out_of_it_is_refused() {
    let w = World::new();
    w.catalog(CATALOG);
    let cargo = w.file("user/.cargo/config.toml", "[build]\njobs = 2\n");
    let dotfiles = w.root.join("dotfiles");
    std::fs::create_dir_all(dotfiles.join(".git")).unwrap();
    let planted = dotfiles.join("codex");
    symlink("../user/.cargo", &planted).unwrap();
    std::fs::remove_dir(&w.home).unwrap();
    symlink(&planted, &w.home).unwrap();
    for mode in ["--check", "--yes"] {
        let said = refused(
            &w,
            &["--codex-version", "0.169.0", "gen", mode],
            &[&planted, Path::new("../user/.cargo")],
        );
        assert!(said.contains("on the way to"), "{said}");
    }
    assert_eq!(
        std::fs::read_to_string(&cargo).unwrap(),
        "[build]\njobs = 2\n"
    );
    assert_eq!(entries(&w.root.join("user/.cargo")).len(), 1);
}

/// A Codex home that is a link to a folder that does not exist (an
/// unmounted drive, a folder a clone's link names): codexgen creates
/// nothing where it leads, and says which link, before writing (it said
/// "File exists" after showing the diff).
#[test]
fn a_codex_home_link_that_leads_nowhere_is_refused() {
    let w = World::new();
    w.catalog(CATALOG);
    let missing = w.root.join("user/.config/autostart");
    std::fs::remove_dir(&w.home).unwrap();
    symlink(&missing, &w.home).unwrap();
    for mode in ["--check", "--yes"] {
        let said = refused(
            &w,
            &["--codex-version", "0.169.0", "gen", mode],
            &[&w.home, &missing],
        );
        assert!(said.contains("does not exist"), "{said}");
    }
    assert!(!missing.exists());
}
