//! `codexgen link PATH` (issue 23, point 5): the home's config.toml becomes
//! a link to a shared file, after what the machine has is brought into it;
//! nothing else's link is replaced or written through, nothing secret is
//! printed, and a second run does nothing.

use std::path::{Path, PathBuf};

use crate::support::{World, snapshot_dir};

const SECRET: &str = "sk-proj-9fQ2xLr7Vb1mZt4KpW8sNd3Y";

fn shared(w: &World) -> PathBuf {
    w.root.join("dotfiles/codex/config.toml")
}

fn link(w: &World, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = w
        .cmd()
        .arg("link")
        .arg(shared(w))
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn is_link_to(path: &Path, to: &Path) -> bool {
    std::fs::read_link(path).is_ok_and(|t| t == to)
}

#[test]
fn a_conflicting_value_is_named_by_its_key_and_no_secret_is_printed() {
    let w = World::new();
    w.file(
        "dotfiles/codex/config.toml",
        "[mcp_servers.x]\ncommand = \"x\"\nenv = { TOKEN = \"shared-one\" }\n",
    );
    let own = format!(
        "[mcp_servers.x]\ncommand = \"x\"\nenv = {{ TOKEN = \"{SECRET}\" }}\n\n[mcp_servers.y]\ncommand = \"y\"\nenv = {{ DEBUG = \"1\" }}\n"
    );
    w.file("codex-home/config.toml", &own);
    let (code, out, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!out.contains(SECRET) && !err.contains(SECRET), "{out}{err}");
    assert!(err.contains("`mcp_servers.x.env`"), "{err}");
    assert!(err.contains("config.toml.before-link"), "{err}");
    // The shared value stays; the new server comes, as written.
    let text = std::fs::read_to_string(shared(&w)).unwrap();
    assert!(text.contains("shared-one"), "{text}");
    assert!(
        text.contains("[mcp_servers.y]\ncommand = \"y\"\nenv = { DEBUG = \"1\" }\n"),
        "{text}"
    );
    assert!(is_link_to(&w.home.join("config.toml"), &shared(&w)));
    assert_eq!(w.read(".codexgen/config.toml.before-link"), own);
}

#[test]
fn diff_and_a_refused_question_change_nothing() {
    let w = World::new();
    w.file("dotfiles/codex/config.toml", "model = \"m\"\n");
    w.file(
        "codex-home/config.toml",
        "[projects.\"/w\"]\ntrust_level = \"trusted\"\n",
    );
    let before = snapshot_dir(&w.root);
    let (code, out, err) = link(&w, &["--diff"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("+[projects.\"/w\"]"), "{out}");
    assert!(err.contains("would be a link to"), "{err}");
    assert_eq!(snapshot_dir(&w.root), before);
    // No terminal and no --yes: refused, nothing written.
    let (code, _, err) = link(&w, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(snapshot_dir(&w.root), before);
}

#[test]
fn a_home_config_linked_elsewhere_is_refused_and_left_as_it_is() {
    let w = World::new();
    w.file("dotfiles/codex/config.toml", "");
    let other = w.file("elsewhere/config.toml", "model = \"o\"\n");
    std::os::unix::fs::symlink(&other, w.home.join("config.toml")).unwrap();
    let (code, out, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains(&other.display().to_string()), "{err}");
    assert!(
        err.contains("does not replace a link it did not make"),
        "{err}"
    );
    assert!(is_link_to(&w.home.join("config.toml"), &other));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "model = \"o\"\n");
    assert_eq!(std::fs::read_to_string(shared(&w)).unwrap(), "");
}

#[test]
fn a_shared_path_that_is_a_link_or_has_no_folder_is_refused() {
    let w = World::new();
    let target = w.file("user/.bashrc.toml", "");
    std::fs::create_dir_all(w.root.join("dotfiles/codex")).unwrap();
    std::os::unix::fs::symlink(&target, shared(&w)).unwrap();
    w.file("codex-home/config.toml", "model = \"m\"\n");
    let (code, _, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is a symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
    assert!(
        !std::fs::symlink_metadata(w.home.join("config.toml"))
            .unwrap()
            .is_symlink()
    );
    std::fs::remove_file(shared(&w)).unwrap();
    std::fs::remove_dir_all(w.root.join("dotfiles")).unwrap();
    let (code, _, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(!w.root.join("dotfiles").exists());
}

#[test]
fn a_first_machine_moves_its_file_and_a_relinked_one_keeps_every_backup() {
    let w = World::new();
    std::fs::create_dir_all(w.root.join("dotfiles/codex")).unwrap();
    w.file("codex-home/config.toml", "# mine\nmodel = \"m\"\n");
    // A relative PATH: the link holds it absolute.
    let out = w
        .cmd()
        .args(["link", "../dotfiles/codex/config.toml", "--yes"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(is_link_to(
        &w.home.join("config.toml"),
        &w.root.join("work/../dotfiles/codex/config.toml")
    ));
    assert_eq!(
        std::fs::read_to_string(shared(&w)).unwrap(),
        "# mine\nmodel = \"m\"\n"
    );
    // Again: nothing to do, nothing written.
    let before = snapshot_dir(&w.root);
    let (code, _, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("nothing to do"), "{err}");
    assert_eq!(snapshot_dir(&w.root), before);
    // The link removed, a new file there, linked again: a second backup.
    std::fs::remove_file(w.home.join("config.toml")).unwrap();
    w.file("codex-home/config.toml", "model = \"n\"\n");
    let (code, _, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("`model`"), "{err}");
    assert_eq!(
        w.read(".codexgen/config.toml.before-link"),
        "# mine\nmodel = \"m\"\n"
    );
    assert_eq!(
        w.read(".codexgen/config.toml.before-link.2"),
        "model = \"n\"\n"
    );
    // A home without a config.toml just links.
    let v = World::new();
    v.file("dotfiles/codex/config.toml", "model = \"m\"\n");
    let (code, _, err) = link(&v, &["--yes"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(is_link_to(&v.home.join("config.toml"), &shared(&v)));
    assert!(!v.exists(".codexgen/config.toml.before-link"));
}

#[test]
fn a_home_whose_config_already_is_the_shared_file_is_left_alone() {
    let w = World::new();
    let file = w.file("dotfiles/codex/config.toml", "model = \"m\"\n");
    // The whole home is a folder of the repository.
    std::fs::remove_dir_all(&w.home).unwrap();
    std::os::unix::fs::symlink(file.parent().unwrap(), &w.home).unwrap();
    let before = snapshot_dir(&w.root);
    let (code, _, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("nothing to do"), "{err}");
    assert_eq!(snapshot_dir(&w.root), before);
}

#[test]
fn a_machine_file_that_is_not_toml_stops_with_its_position() {
    let w = World::new();
    w.file("dotfiles/codex/config.toml", "model = \"m\"\n");
    w.file("codex-home/config.toml", "a = 1\nb = [\n");
    let before = snapshot_dir(&w.root);
    let (code, _, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is not valid TOML"), "{err}");
    assert!(err.contains("b = ["), "{err}");
    assert_eq!(snapshot_dir(&w.root), before);
}

#[test]
fn quiet_with_yes_prints_no_diff_and_a_home_with_nothing_starts_an_empty_shared_file() {
    let w = World::new();
    std::fs::create_dir_all(w.root.join("dotfiles/codex")).unwrap();
    let (code, out, err) = link(&w, &["--yes", "-q"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
    assert_eq!(std::fs::read_to_string(shared(&w)).unwrap(), "");
    assert!(is_link_to(&w.home.join("config.toml"), &shared(&w)));
    // gen then writes through the link.
    w.catalog(crate::support::CATALOG);
    w.gen_yes();
    assert!(
        std::fs::read_to_string(shared(&w))
            .unwrap()
            .contains("[model_providers.alpha-p]")
    );
}

/// `link` with `--codex-version VERSION` first.
fn link_for(w: &World, version: &str) -> (Option<i32>, String, String) {
    let out = w
        .cmd()
        .args(["--codex-version", version, "link"])
        .arg(shared(w))
        .arg("--yes")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_credential_is_never_carried_into_the_shared_file() {
    const GHP: &str = "ghp_R4nd0mV4lu3Xq9Lz2Kw8Pt5Ys1Hb6Nc3Jd";
    // Named for a credential, shaped like one under a plain name, in an
    // array, in a multi-line string: each refused by file, line and key.
    let cases = [
        (
            format!("[mcp_servers.github]\ncommand = \"gh-mcp\"\nenv = {{ GITHUB_TOKEN = \"{GHP}\" }}\n"),
            3,
            "mcp_servers.github.env.GITHUB_TOKEN",
        ),
        (
            format!("model = \"m\"\n\n[mcp_servers.s]\nurl = \"https://mcp.example.com/?k={SECRET}\"\n"),
            4,
            "mcp_servers.s.url",
        ),
        (
            format!("[mcp_servers.s]\ncommand = \"s\"\nargs = [\"--api-key\", \"{SECRET}\"]\n"),
            3,
            "mcp_servers.s.args",
        ),
        (
            "[mcp_servers.s]\ncommand = \"s\"\nenv = { MY_PASS = \"\"\"\nhunter2-correct-horse-battery\"\"\" }\n".to_owned(),
            3,
            "mcp_servers.s.env.MY_PASS",
        ),
        (
            format!("[mcp_servers.g]\nurl = \"https://g.example.com/mcp\"\nenv_http_headers = {{ X-Auth-Token = \"{SECRET}\" }}\n"),
            3,
            "mcp_servers.g.env_http_headers.X-Auth-Token",
        ),
        (
            format!("model = \"m\"\n# the old one: {SECRET}\n[tui]\nanimations = false\n"),
            2,
            "a comment",
        ),
    ];
    for (machine, line, key) in cases {
        for shared_there in [true, false] {
            let w = World::new();
            if shared_there {
                w.file("dotfiles/codex/config.toml", "model = \"m\"\n");
            } else {
                std::fs::create_dir_all(w.root.join("dotfiles/codex")).unwrap();
            }
            w.file("codex-home/config.toml", &machine);
            let before = snapshot_dir(&w.root);
            for args in [&["--yes"][..], &["--diff"]] {
                let (code, out, err) = link(&w, args);
                assert_eq!(code, Some(2), "{machine}\n{out}{err}");
                let all = format!("{out}{err}");
                assert!(
                    !all.contains(GHP) && !all.contains(SECRET) && !all.contains("hunter2"),
                    "{all}"
                );
                let at = format!("config.toml:{line}");
                assert!(err.contains(&at), "{at}: {err}");
                let key = if key.contains(' ') {
                    key.to_owned()
                } else {
                    format!("`{key}`")
                };
                assert!(err.contains(&key), "{key}: {err}");
                assert!(err.contains("env_vars"), "{err}");
                assert_eq!(snapshot_dir(&w.root), before, "{machine}");
            }
        }
    }
    // A variable's name is no credential: `env_key`, `bearer_token_env_var`.
    let w = World::new();
    std::fs::create_dir_all(w.root.join("dotfiles/codex")).unwrap();
    let fine = "[model_providers.p]\nname = \"P\"\nenv_key = \"P_API_KEY\"\nenv_http_headers = { Authorization = \"P_AUTH\", X-Api-Key = \"P_KEY\" }\n\n[mcp_servers.g]\nurl = \"https://g.example.com/mcp\"\nbearer_token_env_var = \"G_TOKEN\"\nenv_http_headers = { X-Auth-Token = \"G_AUTH_TOKEN\" }\n[mcp_servers.h]\ncommand = \"h\"\nenv_vars = [\"GITHUB_TOKEN\"]\n";
    w.file("codex-home/config.toml", fine);
    let (code, out, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(std::fs::read_to_string(shared(&w)).unwrap(), fine);
}

#[test]
fn a_line_the_target_codex_refuses_is_not_carried() {
    for (machine, what) in [
        ("profile = \"fast\"\n", "profile = \"fast\""),
        (
            "[model_providers.openai]\nname = \"mine\"\n",
            "[model_providers.openai]",
        ),
        ("[profiles.fast]\nmodel = \"m\"\n", "[profiles.fast]"),
    ] {
        for shared_there in [true, false] {
            let w = World::new();
            if shared_there {
                w.file("dotfiles/codex/config.toml", "model = \"m\"\n");
            } else {
                std::fs::create_dir_all(w.root.join("dotfiles/codex")).unwrap();
            }
            w.file("codex-home/config.toml", machine);
            let before = snapshot_dir(&w.root);
            let (code, out, err) = link_for(&w, "0.169.0");
            assert_eq!(code, Some(2), "{machine}\n{out}{err}");
            assert!(err.contains(what), "{what}: {err}");
            assert!(err.contains("0.169.0"), "{err}");
            assert_eq!(snapshot_dir(&w.root), before, "{machine}");
        }
    }
    // What the shared file already has is not link's to refuse; and an
    // older Codex takes `profile =`.
    let w = World::new();
    w.file("dotfiles/codex/config.toml", "profile = \"fast\"\n");
    w.file("codex-home/config.toml", "model = \"m\"\n");
    let (code, out, err) = link_for(&w, "0.169.0");
    assert_eq!(code, Some(0), "{out}{err}");
    let w = World::new();
    std::fs::create_dir_all(w.root.join("dotfiles/codex")).unwrap();
    w.file("codex-home/config.toml", "profile = \"fast\"\n");
    let (code, out, err) = link_for(&w, "0.120.0");
    assert_eq!(code, Some(0), "{out}{err}");
}

#[test]
fn a_codexgen_written_file_without_the_homes_record_is_refused() {
    let w = World::new();
    w.catalog(crate::support::CATALOG);
    w.gen_yes();
    // The record of what gen wrote is gone.
    std::fs::remove_dir_all(w.home.join(".codexgen")).unwrap();
    for shared_there in [true, false] {
        if shared_there {
            w.file("dotfiles/codex/config.toml", "model = \"m\"\n");
        } else {
            let _ = std::fs::remove_file(shared(&w));
            std::fs::create_dir_all(w.root.join("dotfiles/codex")).unwrap();
        }
        let before = snapshot_dir(&w.root);
        let (code, out, err) = link(&w, &["--yes"]);
        assert_eq!(code, Some(2), "{out}{err}");
        assert!(err.contains("codexgen wrote"), "{err}");
        assert!(err.contains("# codexgen:"), "{err}");
        assert_eq!(snapshot_dir(&w.root), before);
    }
    // With the record, the same file links (codexgen's keys stay out).
    let v = World::new();
    v.catalog(crate::support::CATALOG);
    v.gen_yes();
    v.file("dotfiles/codex/config.toml", "model = \"m\"\n");
    let (code, out, err) = link(&v, &["--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
}

#[test]
fn a_crlf_shared_file_keeps_crlf_and_the_lines_added_take_it() {
    let w = World::new();
    w.file(
        "dotfiles/codex/config.toml",
        "# shared\r\nmodel = \"m\"\r\n\r\n[tui]\r\nanimations = false\r\n",
    );
    w.file(
        "codex-home/config.toml",
        "approval_policy = \"never\"\n[tui]\nnotifications = true\n\n[projects.\"/w\"]\ntrust_level = \"trusted\"\n",
    );
    let (code, out, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let text = std::fs::read_to_string(shared(&w)).unwrap();
    assert_eq!(
        text,
        "# shared\r\nmodel = \"m\"\r\napproval_policy = \"never\"\r\n\r\n[tui]\r\nanimations = false\r\nnotifications = true\r\n\r\n[projects.\"/w\"]\r\ntrust_level = \"trusted\"\r\n"
    );
}

#[test]
fn a_home_link_to_a_missing_shared_file_makes_it_empty() {
    let w = World::new();
    std::fs::create_dir_all(w.root.join("dotfiles/codex")).unwrap();
    std::os::unix::fs::symlink(shared(&w), w.home.join("config.toml")).unwrap();
    let before = snapshot_dir(&w.root);
    let (code, out, err) = link(&w, &["--diff"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(err.contains("would be created, empty"), "{err}");
    assert_eq!(snapshot_dir(&w.root), before);
    let (code, out, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!err.contains("nothing to do"), "{err}");
    assert_eq!(std::fs::read_to_string(shared(&w)).unwrap(), "");
    assert!(is_link_to(&w.home.join("config.toml"), &shared(&w)));
    // gen then writes through the link.
    w.catalog(crate::support::CATALOG);
    w.gen_yes();
    assert!(
        std::fs::read_to_string(shared(&w))
            .unwrap()
            .contains("[model_providers.alpha-p]")
    );
}

#[test]
fn a_shared_path_in_the_homes_own_folder_is_refused() {
    let w = World::new();
    w.file("codex-home/config.toml", "model = \"m\"\n");
    w.file(
        "codex-home/.codexgen/config.toml.before-link",
        "model = \"o\"\n",
    );
    for path in [
        ".codexgen/config.toml.before-link",
        ".codexgen/shared.toml",
        ".codexgen/backup/../mine.toml",
    ] {
        let before = snapshot_dir(&w.root);
        let out = w
            .cmd()
            .arg("link")
            .arg(w.home.join(path))
            .arg("--yes")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path}: {err}");
        assert!(err.contains(".codexgen"), "{err}");
        assert_eq!(snapshot_dir(&w.root), before, "{path}");
    }
}

/// A pid no process has.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn a_run_stopped_at_any_step_says_what_it_wrote_and_a_retry_adds_no_second_backup() {
    let own = "[projects.\"/w\"]\ntrust_level = \"trusted\"\n";
    for mode in ["enospc", "append", "exit"] {
        for n in 1.. {
            let w = World::new();
            w.file("dotfiles/codex/config.toml", "model = \"m\"\n");
            w.file("codex-home/config.toml", own);
            let out = w
                .cmd()
                .arg("link")
                .arg(shared(&w))
                .arg("--yes")
                .env("CODEXGEN_FAIL_AT", n.to_string())
                .env("CODEXGEN_FAIL_MODE", mode)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            if !err.contains("codexgen: fail point") {
                assert_eq!(out.status.code(), Some(0), "{err}");
                break;
            }
            let shared_changed = std::fs::read_to_string(shared(&w)).unwrap() != "model = \"m\"\n";
            if shared_changed {
                assert!(!err.contains("nothing was written"), "{n} {mode}: {err}");
            }
            // Again, without a fault: done, with one backup.
            let (code, out, err) = link(&w, &["--yes"]);
            assert_eq!(code, Some(0), "{n} {mode}: {out}{err}");
            assert!(is_link_to(&w.home.join("config.toml"), &shared(&w)));
            // (`append` adds a line to whatever file the step is at, a
            // backup included: another program's file, kept.)
            if mode != "append" {
                assert_eq!(w.read(".codexgen/config.toml.before-link"), own);
                assert!(
                    !w.exists(".codexgen/config.toml.before-link.2"),
                    "{n} {mode}: {err}"
                );
            }
            // gen sweeps what a killed run left, links included.
            w.catalog(crate::support::CATALOG);
            w.gen_yes();
            let left: Vec<_> = std::fs::read_dir(&w.home)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".codexgen-"))
                .collect();
            assert!(left.is_empty(), "{n} {mode}: {left:?}");
        }
    }
}

#[test]
fn gen_sweeps_a_temp_link_a_killed_run_left() {
    let w = World::new();
    w.catalog(crate::support::CATALOG);
    let name = format!(".codexgen-{}-aB3dE6.tmp", dead_pid());
    let target = w.file("elsewhere/config.toml", "model = \"o\"\n");
    std::os::unix::fs::symlink(&target, w.home.join(&name)).unwrap();
    // A live process's link, and a link that is not codexgen's, stay.
    let live = format!(".codexgen-{}-aB3dE6.tmp", std::process::id());
    std::os::unix::fs::symlink(&target, w.home.join(&live)).unwrap();
    std::os::unix::fs::symlink(&target, w.home.join("mine.tmp")).unwrap();
    w.gen_yes();
    assert!(std::fs::symlink_metadata(w.home.join(&name)).is_err());
    assert!(std::fs::symlink_metadata(w.home.join(&live)).is_ok());
    assert!(std::fs::symlink_metadata(w.home.join("mine.tmp")).is_ok());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "model = \"o\"\n");
}

#[test]
fn a_folder_in_either_place_is_named_once() {
    let w = World::new();
    std::fs::create_dir_all(shared(&w)).unwrap();
    let (code, _, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is a folder, not a file"), "{err}");
    assert!(!err.contains("a a "), "{err}");
    std::fs::remove_dir(shared(&w)).unwrap();
    std::fs::create_dir_all(w.home.join("config.toml")).unwrap();
    let (code, _, err) = link(&w, &["--yes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is a folder, not a file"), "{err}");
    assert!(!err.contains("a a "), "{err}");
}
