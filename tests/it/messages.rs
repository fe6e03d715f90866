//! Issue 20, point 9: every message says what happened and what to do, in
//! the user's terms, at the right line. Each class is checked with more
//! than one input: YAML the parser refuses (never its Rust API, at the
//! offending line), another program's many-line output (real line breaks,
//! escapes kept), a failed write (the file and the step actually tried),
//! and a missing overlay (only the options actually given are named).

use crate::support::{CATALOG, World};

/// `codexgen ARGS` in `w` with `stdin`: (exit code, stderr) with the
/// scratch root as `[ROOT]`.
fn run(w: &World, env: &[(&str, &str)], args: &[&str], stdin: &str) -> (i32, String) {
    let out = w
        .cmd()
        .envs(env.iter().copied())
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("run codexgen");
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    let root = w.root.display().to_string();
    (
        out.status.code().unwrap_or(-1),
        stderr.replace(&root, "[ROOT]"),
    )
}

#[test]
fn adopt_without_an_overlay_names_only_what_was_given() {
    let w = World::new();
    w.catalog(CATALOG);
    // From standard input: there is no --no-local to blame.
    let (code, stderr) = run(&w, &[], &["--catalog", "-", "adopt"], CATALOG);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        "error: `adopt` writes the personal overlay, which a catalog read from standard input (`--catalog -`) does not have: it has no folder to keep one beside; nothing was written
  = help: save the catalog to a file and pass `--catalog FILE`: the overlay is then FILE's `.local.yaml` beside it
"
    );
    // Given: then it is the reason.
    let (code, stderr) = run(&w, &[], &["--no-local", "adopt", "--diff"], "");
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        "error: `adopt` writes the personal overlay, which --no-local leaves out; nothing was written
  = help: run `codexgen adopt` without --no-local
"
    );
    // Both: --no-local is what left it out.
    let (_, stderr) = run(&w, &[], &["--no-local", "--catalog", "-", "adopt"], CATALOG);
    assert!(stderr.contains("which --no-local leaves out"), "{stderr}");
}

#[test]
fn a_failed_write_names_the_file_and_the_step() {
    let w = World::new();
    w.file("work/afile", "");
    // init -o somewhere else: not "the Codex home".
    let (code, stderr) = run(&w, &[], &["init", "-o", "afile/x.yaml"], "");
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        "error: cannot write the catalog to afile/x.yaml
  caused by: failed to open file `afile/x.yaml`: Not a directory (os error 20)
  = help: nothing was written; a part of the path is a file, not a folder: fix the path, then run again
"
    );
}

#[cfg(debug_assertions)] // fail points exist only in debug builds
#[test]
fn a_full_disk_names_the_file_each_command_was_writing() {
    fn full(at: &str) -> [(&str, &str); 2] {
        [("CODEXGEN_FAIL_AT", at), ("CODEXGEN_FAIL_MODE", "enospc")]
    }
    let w = World::new();
    let (code, stderr) = run(&w, &full("write:x.yaml"), &["init", "-o", "x.yaml"], "");
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        "codexgen: fail point 2: write x.yaml (enospc)
error: cannot write the catalog to x.yaml
  caused by: cannot write x.yaml: No space left on device (injected)
  = help: nothing was written; free some disk space, then run again
"
    );

    // adopt writes the personal overlay.
    w.catalog(CATALOG);
    w.gen_yes();
    let beta = w.read("beta.config.toml").replace("beta-2", "beta-9");
    w.file("codex-home/beta.config.toml", &beta);
    let (code, stderr) = run(
        &w,
        &full("write:providers.local.yaml"),
        &["-q", "adopt", "--yes"],
        "",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: cannot write the personal overlay providers.local.yaml\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("Codex home"), "{stderr}");

    // gen names the file it was staging.
    w.catalog(&CATALOG.replace("model: alpha-1", "model: alpha-2"));
    let (code, stderr) = run(
        &w,
        &full("write:alpha.config.toml"),
        &["-q", "gen", "--yes"],
        "",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: cannot write [ROOT]/codex-home/alpha.config.toml\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: nothing was written; free some disk space, then run again"),
        "{stderr}"
    );
}
