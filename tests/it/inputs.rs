//! Unbounded inputs: every file codexgen reads is refused, quickly and with
//! the limit named, when it is not a regular file or is too large, and every
//! child it waits for is time-limited. Each command runs under a time limit
//! of its own, so a regression fails instead of hanging the suite.
#![cfg(unix)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use predicates::str::contains;

use crate::support::{CATALOG, PRINTS_WITHOUT_END, World};

/// Longer than any of these runs needs, far shorter than a hang.
const QUICK: Duration = Duration::from_secs(20);

fn mkfifo(path: &Path) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent dir");
    }
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

fn gen_diff(w: &World) -> assert_cmd::Command {
    let mut cmd = w.cmd();
    cmd.args(["--codex-version", "0.169.0", "gen", "--diff"])
        .timeout(QUICK);
    cmd
}

#[test]
fn endless_devices_as_catalog_are_refused() {
    let w = World::new();
    for dev in ["/dev/zero", "/dev/urandom"] {
        w.cmd()
            .args([
                "--codex-version",
                "0.169.0",
                "--catalog",
                dev,
                "gen",
                "--diff",
            ])
            .timeout(QUICK)
            .assert()
            .code(2)
            .stderr(contains(format!("{dev} is a device, not a regular file")));
    }
    // A symlink to one is followed, then refused.
    std::os::unix::fs::symlink("/dev/zero", w.root.join("work/providers.yaml")).unwrap();
    gen_diff(&w)
        .assert()
        .code(2)
        .stderr(contains("providers.yaml is a device, not a regular file"));
}

#[test]
fn a_fifo_as_catalog_or_overlay_is_refused_without_waiting() {
    let w = World::new();
    mkfifo(&w.root.join("work/providers.yaml"));
    gen_diff(&w).assert().code(2).stderr(contains(
        "providers.yaml is a FIFO (named pipe), not a regular file",
    ));

    let w = World::new();
    w.catalog(CATALOG);
    mkfifo(&w.root.join("work/providers.local.yaml"));
    gen_diff(&w).assert().code(2).stderr(contains(
        "providers.local.yaml is a FIFO (named pipe), not a regular file",
    ));
}

#[test]
fn a_socket_or_folder_as_catalog_is_refused() {
    let w = World::new();
    let socket = w.root.join("work/sock.yaml");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    w.cmd()
        .args(["--codex-version", "0.169.0", "--catalog"])
        .arg(&socket)
        .args(["gen", "--diff"])
        .timeout(QUICK)
        .assert()
        .code(2)
        .stderr(contains("sock.yaml is a socket, not a regular file"));
    std::fs::create_dir_all(w.root.join("work/providers.yaml")).unwrap();
    gen_diff(&w)
        .assert()
        .code(2)
        .stderr(contains("providers.yaml is a folder, not a regular file"));
}

#[test]
fn special_files_in_the_codex_home_are_refused_without_waiting() {
    for name in ["config.toml", "alpha.config.toml", ".codexgen/state.json"] {
        let w = World::new();
        w.catalog(CATALOG);
        mkfifo(&w.home.join(name));
        gen_diff(&w).assert().code(2).stderr(contains(format!(
            "{name} is a FIFO (named pipe), not a regular file"
        )));
    }
    let w = World::new();
    w.catalog(CATALOG);
    std::os::unix::fs::symlink("/dev/urandom", w.home.join("beta.config.toml")).unwrap();
    gen_diff(&w)
        .assert()
        .code(2)
        .stderr(contains("beta.config.toml is a device, not a regular file"));
    // doctor reads the same files the same way.
    w.cmd()
        .args(["--codex-version", "0.169.0", "doctor"])
        .timeout(QUICK)
        .assert()
        .stdout(contains("beta.config.toml is a device, not a regular file"));
}

#[test]
fn files_past_their_limit_are_refused_with_the_limit_named() {
    let big = "# padding\n".repeat(16 * 1024 * 1024 / 10 + 1);
    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/config.toml", &big);
    gen_diff(&w).assert().code(2).stderr(contains(
        "config.toml is larger than 16 MiB, the most codexgen reads of a Codex config file",
    ));

    let w = World::new();
    w.catalog(&format!("{CATALOG}{big}"));
    gen_diff(&w).assert().code(2).stderr(contains(
        "providers.yaml is larger than 16 MiB, the most codexgen reads of a catalog file",
    ));

    let w = World::new();
    w.catalog(CATALOG);
    w.file("codex-home/.codexgen/state.json", &big);
    gen_diff(&w).assert().code(2).stderr(contains(
        "state.json is larger than 16 MiB, the most codexgen reads of codexgen's state file",
    ));
}

#[test]
fn just_under_the_limit_is_read() {
    let w = World::new();
    w.catalog(CATALOG);
    let mut text = "# padding\n".repeat(16 * 1024 * 1024 / 10 - 1);
    text.push_str("[tui]\nx = 1\n");
    assert!(text.len() <= 16 * 1024 * 1024);
    w.file("codex-home/config.toml", &text);
    // A debug build takes about 9 s over 1.6 million lines alone, and
    // several times that on a loaded 2-core machine: this test is about
    // the file being read, not about speed (benches/ measures that).
    gen_diff(&w)
        .timeout(Duration::from_secs(120))
        .assert()
        .code(0);
}

#[test]
fn special_or_large_templates_are_refused() {
    let w = World::new();
    w.catalog(CATALOG);
    mkfifo(&w.root.join("templates/config.toml.tera"));
    let mut cmd = gen_diff(&w);
    cmd.args(["--templates", "../templates"]);
    cmd.assert().code(2).stderr(contains(
        "config.toml.tera is a FIFO (named pipe), not a regular file",
    ));

    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "templates/profile.config.toml.tera",
        &"{# x #}\n".repeat(1024 * 1024 / 8 + 1),
    );
    let mut cmd = gen_diff(&w);
    cmd.args(["--templates", "../templates"]);
    cmd.assert().code(2).stderr(contains(
        "profile.config.toml.tera is larger than 1 MiB, the most codexgen reads of a template",
    ));
}

#[test]
fn a_special_version_cache_is_passed_over() {
    let w = World::new();
    w.catalog(CATALOG);
    w.fake_codex("0.169.0", "exit 0");
    mkfifo(&w.root.join("user/.cache/codexgen/codex-versions.toml"));
    w.cmd()
        .args(["gen", "--diff"])
        .timeout(QUICK)
        .assert()
        .code(0)
        .stderr(contains("Codex 0.169.0 (`"));
    assert_eq!(w.codex_runs(), ["--version"]);
}

#[test]
fn a_codex_that_never_answers_is_stopped_and_leaves_nothing() {
    let w = World::new();
    w.catalog(CATALOG);
    w.fake_codex("0.169.0", "");
    // This one hangs on --version, as a broken install can.
    w.file("bin/codex", "#!/bin/sh\nexec /bin/sleep 600\n");
    let tmp = w.root.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let start = Instant::now();
    w.cmd()
        .env("TMPDIR", &tmp)
        .env("CODEXGEN_DEBUG_VERSION_SECS", "1")
        .args(["gen", "--diff"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(contains(
            "--version` did not answer within 1 s; it was stopped",
        ))
        .stderr(contains("pass --codex-version X.Y.Z to skip asking it"));
    assert!(start.elapsed() < Duration::from_secs(9));
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    // --codex-version does not ask it at all.
    gen_diff(&w).assert().code(0).stdout(contains("alpha-1"));
}

/// `gen --diff` with `config.toml.tera` replaced by `template`.
fn with_config_template(template: &str) -> (World, assert_cmd::Command) {
    let w = World::new();
    w.catalog(CATALOG);
    w.file("templates/config.toml.tera", template);
    let mut cmd = gen_diff(&w);
    cmd.args(["--templates", "../templates"]);
    (w, cmd)
}

#[test]
fn a_template_that_loops_without_end_is_stopped() {
    let (_w, mut cmd) = with_config_template(
        "{% for a in range(end=100000) %}{% for b in range(end=100000) %}{% endfor %}{% endfor %}model = \"m\"\n",
    );
    // Shortened (debug builds only): the test waits one second, not ten.
    cmd.env("CODEXGEN_DEBUG_RENDER_SECS", "1");
    let start = Instant::now();
    cmd.assert().code(2).stderr(contains(
        "config.toml.tera did not finish within 1 s; rendering was stopped",
    ));
    assert!(start.elapsed() < Duration::from_secs(9));
}

#[test]
fn a_template_that_prints_without_end_is_stopped() {
    let (_w, mut cmd) = with_config_template(&PRINTS_WITHOUT_END);
    // Only the output bound may stop it: the deadline is put out of reach,
    // so a busy machine cannot make the run stop at the deadline instead.
    cmd.env("CODEXGEN_DEBUG_RENDER_SECS", "3600");
    cmd.assert().code(2).stderr(contains(
        "config.toml.tera wrote more than 16 MiB, the most codexgen reads of a Codex config file; rendering was stopped",
    ));
}

#[cfg(target_os = "linux")]
#[test]
fn a_template_that_grows_a_value_without_printing_is_stopped() {
    // Each `replace` squares the length: 10, 100, 10^4, 10^8, 10^16 bytes.
    let (_w, mut cmd) = with_config_template(
        "{% set a = \"xxxxxxxxxx\" %}{% set b = a | replace(from=\"x\", to=a) %}{% set c = b | replace(from=\"x\", to=b) %}{% set d = c | replace(from=\"x\", to=c) %}{% set e = d | replace(from=\"x\", to=d) %}{% set f = e | replace(from=\"x\", to=e) %}model = \"{{ f | length }}\"\n",
    );
    cmd.assert().code(2).stderr(contains(
        "config.toml.tera used more than 1024 MiB of memory; rendering was stopped",
    ));
}

#[test]
fn the_built_in_templates_render_a_large_catalog_within_bounds() {
    let w = World::new();
    let mut catalog = String::from("schema: 1\nversion: \"big\"\ndefault: p0\nproviders:\n");
    for i in 0..500 {
        let _ = write!(
            catalog,
            "  p{i}:\n    name: P{i}\n    base_url: https://p{i}.example/v1\n    env_key: P{i}_KEY\n"
        );
    }
    catalog.push_str("profiles:\n");
    for i in 0..500 {
        let _ = write!(catalog, "  p{i}:\n    provider: p{i}\n    model: m{i}\n");
    }
    w.catalog(&catalog);
    gen_diff(&w)
        .timeout(Duration::from_secs(120))
        .assert()
        .code(0);
}
