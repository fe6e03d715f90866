//! Output meant for a shell cannot run code, whatever the catalog holds
//! (issue 9, class 1). `codexgen aliases` is sourced with `eval` and
//! `codexgen exec --print` is pasted into a terminal: for arbitrary catalog
//! strings (quotes, `$(...)`, backticks, newlines, escapes, any script),
//! either codexgen refuses the catalog, or every installed shell that
//! sources the output defines exactly the expected functions, each passing
//! exactly the expected words to Codex, and nothing else runs.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use proptest::prelude::*;

use crate::support::World;

/// Fragments that a shell would act on if they escaped their quotes.
const HOSTILE: &[&str] = &[
    "$(touch pwned)",
    "`touch pwned`",
    "; touch pwned;",
    "' ; touch pwned ; '",
    "\" ; touch pwned ; \"",
    "'\\''",
    "\\' touch pwned",
    "$HOME",
    "${IFS}",
    "!!",
    "&& touch pwned",
    "| touch pwned",
    "> pwned",
    "#",
    "\t",
    "}",
    "end; touch pwned; function x",
    "=ls",
    "~root",
    "é中😀",
];

/// Characters the catalog must refuse: a newline ends the comment line,
/// ESC starts a terminal sequence, U+202E reorders what is shown.
const CONTROL: &[&str] = &[
    "\n touch pwned \n",
    "\r",
    "\u{1b}[2J",
    "\u{202e}",
    "\u{2028}",
    "\0",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(HOSTILE).prop_map(str::to_owned),
        4 => "[a-zA-Z0-9 ./:_-]{1,8}",
        2 => any::<char>().prop_filter("printable", |c| !c.is_control()).prop_map(String::from),
        1 => proptest::sample::select(CONTROL).prop_map(str::to_owned),
    ]
}

fn catalog_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 1..4).prop_map(|p| p.concat())
}

/// What the catalog rules refuse in a version or a model.
fn refused(text: &str) -> bool {
    text.trim().is_empty()
        || text.chars().any(|c| {
            (c.is_control() && c != '\t')
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
                )
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
}

/// A YAML double-quoted scalar: JSON's string syntax is valid YAML.
fn yaml(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

fn catalog(version: &str, model_a: &str, model_b: &str) -> String {
    format!(
        "schema: 1\nversion: {}\ndefault: a\nproviders:\n  p:\n    name: P\n    base_url: https://p.example/v1\n    env_key: P_API_KEY\nprofiles:\n  a:\n    provider: p\n    model: {}\n  b_2:\n    provider: p\n    model: {}\n    model_reasoning_effort: high\n",
        yaml(version),
        yaml(model_a),
        yaml(model_b)
    )
}

/// A stand-in codex that prints each argument it gets, NUL-terminated, in a
/// folder whose name would itself run code if left unquoted.
fn stand_in(world: &World) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = world.file(
        "bin dir $(touch pwned) 'q' `x`/codex",
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done\n",
    );
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// How a shell sources the output, lists the functions it defines and calls
/// one; `None` when that shell is not installed.
struct Shell {
    name: &'static str,
    program: &'static str,
    script: &'static str,
}

const SHELLS: &[Shell] = &[
    Shell {
        name: "bash",
        program: "bash",
        script: "eval \"$(cat \"$1\")\"; declare -F | sed 's/^declare -f //' | grep '^codex-' | sort > \"$2\"; codex-a 'x y' '$z' > \"$3\"; codex-b_2 > \"$4\"",
    },
    Shell {
        name: "zsh",
        program: "zsh",
        script: "eval \"$(cat \"$1\")\"; print -l ${(ok)functions} | grep '^codex-' | sort > \"$2\"; codex-a 'x y' '$z' > \"$3\"; codex-b_2 > \"$4\"",
    },
    Shell {
        name: "fish",
        program: "fish",
        script: "cat $argv[1] | source; functions -n | string split ', ' | string match 'codex-*' | sort > $argv[2]; codex-a 'x y' '$z' > $argv[3]; codex-b_2 > $argv[4]",
    },
];

fn installed(program: &str) -> bool {
    Process::new(program)
        .args(["-c", "exit 0"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn words(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_default();
    String::from_utf8(bytes)
        .unwrap()
        .split_terminator('\0')
        .map(str::to_owned)
        .collect()
}

fn expected_words(model: &str, extra: &[&str], effort: bool) -> Vec<String> {
    let mut w = vec![
        "-c".to_owned(),
        "model_provider=\"p\"".to_owned(),
        "-m".to_owned(),
        model.to_owned(),
    ];
    if effort {
        w.extend([
            "-c".to_owned(),
            "model_reasoning_effort=\"high\"".to_owned(),
        ]);
    }
    w.extend(extra.iter().map(|s| (*s).to_owned()));
    w
}

fn check_aliases(version: &str, model_a: &str, model_b: &str) -> Result<(), TestCaseError> {
    let world = World::new();
    let file = world.catalog(&catalog(version, model_a, model_b));
    let bin = stand_in(&world);
    let must_refuse = [version, model_a, model_b].iter().any(|s| refused(s))
        || model_a.starts_with('-')
        || model_b.starts_with('-');
    for shell in SHELLS {
        if !installed(shell.program) {
            continue;
        }
        let out = world
            .cmd()
            .arg("--codex-version")
            .arg("0.169.0")
            .arg("--catalog")
            .arg(&file)
            .arg("--codex-bin")
            .arg(&bin)
            .args(["aliases", "--shell", shell.name])
            .output()
            .unwrap();
        if must_refuse {
            prop_assert_eq!(out.status.code(), Some(2), "{}: not refused", shell.name);
            prop_assert!(out.stdout.is_empty());
            continue;
        }
        prop_assert!(
            out.status.success(),
            "{}: {}",
            shell.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let dir = world.root.join(format!("run-{}", shell.name));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("aliases");
        std::fs::write(&script, &out.stdout).unwrap();
        let (names, a, b) = (dir.join("names"), dir.join("a"), dir.join("b"));
        let mut run = Process::new(shell.program);
        run.current_dir(&dir)
            .env("HOME", &dir)
            .args(["-c", shell.script]);
        if shell.name != "fish" {
            // $0 for POSIX-style shells; fish's arguments start at $argv[1].
            run.arg(shell.name);
        }
        let run = run.args([&script, &names, &a, &b]).output().unwrap();
        prop_assert!(
            run.status.success(),
            "{} failed on:\n{}\n{}",
            shell.name,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        let defined = std::fs::read_to_string(&names).unwrap();
        prop_assert_eq!(
            defined.lines().collect::<Vec<_>>(),
            ["codex-a", "codex-b_2"]
        );
        prop_assert_eq!(words(&a), expected_words(model_a, &["x y", "$z"], false));
        prop_assert_eq!(words(&b), expected_words(model_b, &[], true));
        prop_assert!(!dir.join("pwned").exists(), "{}: code ran", shell.name);
    }
    prop_assert!(!world.root.join("work/pwned").exists());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn aliases_define_exactly_the_profiles_functions(
        version in catalog_string(),
        model_a in catalog_string(),
        model_b in catalog_string(),
    ) {
        check_aliases(&version, &model_a, &model_b)?;
    }

    #[test]
    fn exec_print_is_one_command_with_the_expected_words(model in catalog_string()) {
        let world = World::new();
        let file = world.catalog(&catalog("1", &model, "m"));
        let bin = stand_in(&world);
        let run = |args: &[&str]| {
            world
                .cmd()
                .arg("--codex-version")
                .arg("0.169.0")
                .arg("--catalog")
                .arg(&file)
                .arg("--codex-bin")
                .arg(&bin)
                .env("P_API_KEY", "p-test-key-0123456789")
                .args(args)
                .output()
                .unwrap()
        };
        // `exec --print` checks the home first, as `exec` does.
        let _ = run(&["gen", "--yes"]);
        let out = run(&["exec", "--print", "a", "--", "a b", "$(touch pwned)"]);
        if refused(&model) || model.starts_with('-') {
            prop_assert_eq!(out.status.code(), Some(2));
            return Ok(());
        }
        prop_assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let printed = String::from_utf8(out.stdout).unwrap();
        let lines = printed.lines().count();
        prop_assert_eq!(lines, 1, "one command line: {}", printed);
        let dir = world.root.join("run");
        std::fs::create_dir_all(&dir).unwrap();
        let run = Process::new("bash")
            .current_dir(&dir)
            .args(["-c", &format!("{} > args", printed.trim_end())])
            .output()
            .unwrap();
        prop_assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        prop_assert_eq!(
            words(&dir.join("args")),
            expected_words(&model, &["a b", "$(touch pwned)"], false)
        );
        prop_assert!(!dir.join("pwned").exists());
    }
}

#[test]
fn a_newline_in_the_version_is_refused_before_anything_is_printed() {
    // The adversarial report's own case: a cloned repository's catalog whose
    // version would end the comment line of `eval "$(codexgen aliases)"`.
    let world = World::new();
    world.catalog(&catalog("1\ntouch pwned", "m", "m"));
    let out = world
        .cmd()
        .arg("--codex-version")
        .arg("0.169.0")
        .arg("aliases")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("`version` of the catalog holds the control character \\u{a}"),
        "{stderr}"
    );
}
