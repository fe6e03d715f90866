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
