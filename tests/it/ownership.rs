//! A replaced file keeps its owner and group (issue 9, class 7): run as
//! root on another user's Codex home, `gen` must not make the user's files
//! root's, which Codex (running as the user) could then no longer read; and
//! where the owner cannot be kept, it refuses and leaves the file alone.
//! These tests need root (to chown and to run as another user); they pass
//! without checking anything otherwise.
#![cfg(unix)]

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::os::unix::process::CommandExt as _;
use std::path::Path;

use crate::support::{CATALOG, World};

/// uid and gid of `nobody` on Linux.
const NOBODY: u32 = 65534;

fn is_root(w: &World) -> bool {
    std::fs::metadata(&w.root).unwrap().uid() == 0
}

fn owner(path: &Path) -> (u32, u32) {
    let meta = std::fs::metadata(path).unwrap();
    (meta.uid(), meta.gid())
}

#[test]
fn a_file_of_another_user_keeps_its_owner_and_group() {
    let w = World::new();
    if !is_root(&w) {
        eprintln!("skipped: needs root");
        return;
    }
    w.catalog(CATALOG);
    w.gen_yes();
    w.catalog(&CATALOG.replace("model: beta-2", "model: beta-3"));
    for name in ["config.toml", "beta.config.toml"] {
        std::os::unix::fs::chown(w.home.join(name), Some(NOBODY), Some(NOBODY)).unwrap();
    }
    w.file("codex-home/config.toml", "[tui]\nanimations = false\n");
    std::os::unix::fs::chown(w.home.join("config.toml"), Some(NOBODY), Some(NOBODY)).unwrap();
    w.gen_yes();
    assert!(w.read("beta.config.toml").contains("beta-3"));
    assert!(w.read("config.toml").contains("animations = false"));
    for name in ["config.toml", "beta.config.toml"] {
        assert_eq!(owner(&w.home.join(name)), (NOBODY, NOBODY), "{name}");
    }
    // A file codexgen creates is the running user's, as before.
    assert_eq!(owner(&w.home.join("alpha.config.toml")), (0, 0));
}

#[test]
fn a_file_whose_owner_cannot_be_kept_is_left_alone() {
    let w = World::new();
    if !is_root(&w) {
        eprintln!("skipped: needs root");
        return;
    }
    w.catalog(CATALOG);
    // A Codex home nobody may write in, holding root's config.toml, which
    // nobody may read and write but not chown.
    let config = w.file("codex-home/config.toml", "[tui]\nanimations = false\n");
    for (dir, mode) in [
        (&w.root, 0o755),
        (&w.root.join("work"), 0o755),
        (&w.home, 0o777),
        (&config, 0o666),
    ] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("codexgen"))
        .current_dir(w.root.join("work"))
        .env_clear()
        .env("HOME", w.root.join("user"))
        .env("NO_COLOR", "1")
        .args(["--codex-home"])
        .arg(&w.home)
        .args(["--codex-version", "0.169.0", "gen", "--yes"])
        .uid(NOBODY)
        .gid(NOBODY)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "caused by: cannot keep the owner of {} (uid 0, gid 0)",
            config.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: run codexgen as the file's owner (uid 0)"),
        "{stderr}"
    );
    assert_eq!(w.read("config.toml"), "[tui]\nanimations = false\n");
    assert_eq!(owner(&config), (0, 0));
}

/// Issue 20: a user who owns a file but is not in its group is told about
/// the group (and how to fix it), not to "run as the file's owner", which
/// they are.
#[test]
fn a_file_whose_group_the_user_is_not_in_is_said_as_such() {
    let w = World::new();
    if !is_root(&w) {
        eprintln!("skipped: needs root");
        return;
    }
    w.catalog(CATALOG);
    // nobody's home and file, but the file's group is root's (gid 0), which
    // nobody is not in.
    let config = w.file("codex-home/config.toml", "[tui]\nanimations = false\n");
    for dir in [&w.root, &w.root.join("work")] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::os::unix::fs::chown(&w.home, Some(NOBODY), Some(NOBODY)).unwrap();
    std::os::unix::fs::chown(&config, Some(NOBODY), Some(0)).unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("codexgen"))
        .current_dir(w.root.join("work"))
        .env_clear()
        .env("HOME", w.root.join("user"))
        .env("NO_COLOR", "1")
        .args(["--codex-home"])
        .arg(&w.home)
        .args(["--codex-version", "0.169.0", "gen", "--yes"])
        .uid(NOBODY)
        .gid(NOBODY)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let shown = config.display();
    assert!(
        stderr.contains(&format!(
            "caused by: cannot keep the group of {shown} (gid 0, `root`): it is yours, but you are not in its group"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "= help: nothing was written; give the file one of your groups (`chgrp {NOBODY} {shown}`), or have an administrator add you to group root"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("as the file's owner"), "{stderr}");
    assert_eq!(w.read("config.toml"), "[tui]\nanimations = false\n");
    assert_eq!(owner(&config), (NOBODY, 0));
}

/// Run as root on another user's home (an administrator's `sudo codexgen
/// --codex-home ~alice/.codex`): a link the user owns that leads to a file
/// of root's (`/etc/containerd/config.toml`, a file the user cannot
/// write) is not written through, nor is a Codex home the user linked to a
/// folder of root's; a link to the user's own file is. Each link on the
/// way to a file must be the file's owner's (or root's).
#[test]
fn a_link_of_one_user_to_a_file_of_another_is_not_written_through() {
    let w = World::new();
    if !is_root(&w) {
        return;
    }
    w.catalog(CATALOG);
    let system = w.file("etc/containerd/config.toml", "version = 2\n");
    let link = w.home.join("config.toml");
    std::os::unix::fs::symlink(&system, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(NOBODY), Some(NOBODY)).unwrap();
    let out = w
        .cmd()
        .args(["--codex-version", "0.169.0", "gen", "--yes"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains(&link.display().to_string()), "{said}");
    assert!(said.contains("uid 65534"), "{said}");
    assert_eq!(std::fs::read_to_string(&system).unwrap(), "version = 2\n");

    // The Codex home itself, a link of the user's to a folder of root's.
    let v = World::new();
    v.catalog(CATALOG);
    let other = v.file("etc/containerd/config.toml", "version = 2\n");
    std::fs::remove_dir(&v.home).unwrap();
    std::os::unix::fs::symlink(other.parent().unwrap(), &v.home).unwrap();
    std::os::unix::fs::lchown(&v.home, Some(NOBODY), Some(NOBODY)).unwrap();
    let out = v
        .cmd()
        .args(["--codex-version", "0.169.0", "gen", "--yes"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains(&other.display().to_string()), "{said}");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "version = 2\n");
    assert_eq!(
        std::fs::read_dir(other.parent().unwrap()).unwrap().count(),
        1
    );

    // The user's link to the user's own file is the dotfiles case.
    let own = w.file("alice/dotfiles/config.toml", "");
    std::os::unix::fs::chown(&own, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&own, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(NOBODY), Some(NOBODY)).unwrap();
    w.gen_yes_for("0.169.0");
    assert!(
        std::fs::read_to_string(&own)
            .unwrap()
            .contains("[model_providers.alpha-p]")
    );
    assert_eq!(owner(&own), (NOBODY, NOBODY));
}
