//! Every write to stdout and stderr is checked (issue 20, point 6): a full
//! disk (`/dev/full`) is an error with a message and exit 2, never a panic
//! (101) nor a silent exit 0; a reader that goes away (a closed pipe) ends
//! the printing quietly and leaves the command's own exit status. Every
//! subcommand of the command line is run, read from clap's own tree, so a
//! new one is covered as soon as it exists (and must say here how it prints).
//! Every option that takes a value is fed numbers no bound lets through.

use std::process::{Output, Stdio};

use crate::support::{CATALOG, World};

/// How each subcommand prints on stdout: the arguments after its name.
/// `--format json` variants and `--help` are added from the tree.
fn invocations(name: &str) -> Option<Vec<Vec<&'static str>>> {
    Some(match name {
        "gen" => vec![vec!["--check"], vec!["--diff"]],
        "doctor" | "list" | "show" | "validate" | "aliases" | "import" | "man" | "schema" => {
            vec![vec![]]
        }
        "probe" => vec![vec!["--timeout", "1"]],
        "exec" => vec![vec!["--print", "alpha"]],
        "init" => vec![vec!["-o", "-"]],
        "adopt" => vec![vec!["--diff"]],
        "use" => vec![vec![], vec!["--diff", "beta"]],
        "link" => vec![vec!["../shared.toml", "--diff"]],
        "add" | "restore" => vec![vec!["--list"]],
        "completions" => vec![vec!["bash"]],
        _ => return None,
    })
}

/// A home written from the catalog, then edited by hand (so that `gen`,
/// `adopt` and `import` have something to say).
fn world() -> World {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    let config = w
        .read("config.toml")
        .replace("model = \"alpha-1\"", "model = \"alpha-2\"");
    w.file("codex-home/config.toml", &config);
    w
}

/// Every invocation: each subcommand's own, with `--format json` where it
/// takes it, and `--help` for each.
fn every_invocation() -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for sub in codexgen::command_line().get_subcommands() {
        let name = sub.get_name();
        let own = invocations(name).unwrap_or_else(|| {
            panic!("`codexgen {name}` is new: say in invocations() how it prints on stdout")
        });
        let json = sub.get_arguments().any(|a| {
            a.get_long() == Some("format")
                && a.get_possible_values()
                    .iter()
                    .any(|v| v.get_name() == "json")
        });
        for args in own {
            let mut words: Vec<String> = std::iter::once(name)
                .chain(args.iter().copied())
                .map(str::to_owned)
                .collect();
            all.push(words.clone());
            if json {
                words.extend(["--format".to_owned(), "json".to_owned()]);
                all.push(words);
            }
        }
        all.push(vec![name.to_owned(), "--help".to_owned()]);
    }
    all.extend([
        vec!["--help".to_owned()],
        vec!["--version".to_owned()],
        vec!["help".to_owned(), "gen".to_owned()],
    ]);
    all
}

/// `codexgen ARGS` in the world, with stdout and stderr where the test
/// says (which `assert_cmd` does not let choose).
fn run(w: &World, args: &[String], stdout: Stdio, stderr: Stdio) -> Output {
    let world = w.cmd();
    let mut cmd = std::process::Command::new(world.get_program());
    for (key, value) in world.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    if let Some(dir) = world.get_current_dir() {
        cmd.current_dir(dir);
    }
    cmd.env("ALPHA_API_KEY", "sk-test-0123456789abcdef0123")
        .env("BETA_API_KEY", "sk-test-0123456789abcdef0123")
        .args(world.get_args())
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .expect("codexgen runs")
}

fn full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_an_error_with_a_message_for_every_command() {
    let w = world();
    for args in every_invocation() {
        let shown = args.join(" ");
        // What it prints when it can: something, else this test proves nothing.
        let normal = run(&w, &args, Stdio::piped(), Stdio::piped());
        assert!(
            !normal.stdout.is_empty(),
            "`codexgen {shown}` printed nothing on stdout (exit {:?}):\n{}",
            normal.status,
            String::from_utf8_lossy(&normal.stderr)
        );
        let out = run(&w, &args, full(), Stdio::piped());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "`codexgen {shown} >/dev/full`:\n{stderr}"
        );
        assert!(
            stderr.contains("to standard output: No space left on device")
                && !stderr.contains("panicked"),
            "`codexgen {shown} >/dev/full`:\n{stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_reader_that_goes_away_ends_the_printing_quietly_with_the_command_s_own_status() {
    let w = world();
    for args in every_invocation() {
        let shown = args.join(" ");
        let normal = run(&w, &args, Stdio::piped(), Stdio::piped());
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = run(&w, &args, Stdio::from(writer), Stdio::piped());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            normal.status.code(),
            "`codexgen {shown} | (closed)`:\n{stderr}"
        );
        assert!(
            !stderr.contains("standard output") && !stderr.contains("panicked"),
            "`codexgen {shown} | (closed)`:\n{stderr}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stderr_exits_2_whatever_the_command_decided() {
    let w = world();
    for args in [
        vec!["gen", "--check"],
        vec!["validate", "--nonsense"],
        vec!["exec", "nobody"],
    ] {
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        let out = run(&w, &args, Stdio::piped(), full());
        assert_eq!(out.status.code(), Some(2), "`codexgen {}`", args.join(" "));
    }
}

/// Numbers no bound lets through, in every option that takes a value: a
/// usage error (exit 2) or a run, never a panic or a hang.
#[test]
fn no_option_value_panics() {
    let w = world();
    let hostile = [
        "inf",
        "-inf",
        "NaN",
        "1e20",
        "1.8e19",
        "18446744073709551616",
        "-1",
        "0",
    ];
    let mut top = codexgen::command_line();
    top.build();
    let takes_value = |a: &clap::Arg| {
        a.get_long().is_some()
            && a.get_num_args().is_some_and(|n| n.takes_values())
            && a.get_possible_values().is_empty()
    };
    let mut cases: Vec<Vec<String>> = Vec::new();
    for a in top.get_arguments().filter(|a| takes_value(a)) {
        cases.extend(hostile.iter().map(|v| {
            vec![
                format!("--{}={v}", a.get_long().unwrap_or_default()),
                "validate".to_owned(),
            ]
        }));
    }
    for sub in top.get_subcommands() {
        let name = sub.get_name();
        let own = invocations(name)
            .and_then(|i| i.into_iter().next())
            .unwrap_or_default();
        for a in sub
            .get_arguments()
            .filter(|a| takes_value(a) && !a.is_global_set())
        {
            let long = format!("--{}", a.get_long().unwrap_or_default());
            let short = a.get_short().map(|c| format!("-{c}"));
            // Its own invocation, unless that gives this option already.
            let own: &[&str] = if own
                .iter()
                .any(|w| *w == long || Some(*w) == short.as_deref())
            {
                &[]
            } else {
                &own
            };
            for v in hostile {
                let mut words = vec![name.to_owned()];
                words.extend(own.iter().map(|s| (*s).to_owned()));
                words.push(format!("--{}={v}", a.get_long().unwrap_or_default()));
                cases.push(words);
            }
        }
    }
    assert!(
        cases
            .iter()
            .any(|c| c.iter().any(|w| w.starts_with("--timeout=")))
    );
    for args in cases {
        let out = run(&w, &args, Stdio::piped(), Stdio::piped());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0..=2)) && !stderr.contains("panicked"),
            "`codexgen {}` ended with {:?}:\n{stderr}",
            args.join(" "),
            out.status
        );
    }
}

#[test]
fn probe_timeout_is_bounded_and_says_its_range() {
    let w = world();
    for v in [
        "inf",
        "NaN",
        "1e20",
        "2e19",
        "1.8e19",
        "18446744073709551616",
        "-1",
        "0",
        "3601",
    ] {
        w.cmd()
            .args(["probe", &format!("--timeout={v}")])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(format!(
                "`{v}` is not a number of seconds from 0.1 to 3600"
            )));
    }
}

/// `exec` hands the process over to Codex: a note it could not say on a
/// full stderr must still end the run with exit 2, as for every command,
/// so Codex is not started after it.
#[cfg(target_os = "linux")]
#[test]
fn exec_does_not_hand_over_to_codex_after_a_message_it_could_not_say() {
    let w = World::new();
    // The home's catalog is the user's; the folder ships another, so exec
    // says a note (it reads the home's) before it starts Codex.
    w.file("user/.config/codexgen/providers.yaml", CATALOG);
    w.catalog(&CATALOG.replace("alpha-1", "alpha-9"));
    std::fs::create_dir_all(w.root.join("elsewhere")).unwrap();
    w.cmd()
        .current_dir(w.root.join("elsewhere"))
        .args(["-q", "gen", "--yes"])
        .assert()
        .success();
    w.fake_codex("0.169.0", "exit 0");
    let args = vec!["exec".to_owned(), "alpha".to_owned()];
    let normal = run(&w, &args, Stdio::piped(), Stdio::piped());
    assert!(
        String::from_utf8_lossy(&normal.stderr).contains("note:"),
        "{normal:?}"
    );
    assert_eq!(normal.status.code(), Some(0), "{normal:?}");
    let started = w
        .codex_runs()
        .iter()
        .filter(|r| !r.starts_with("--version"))
        .count();
    assert_eq!(started, 1, "{:?}", w.codex_runs());
    let out = run(&w, &args, Stdio::piped(), full());
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let after = w
        .codex_runs()
        .iter()
        .filter(|r| !r.starts_with("--version"))
        .count();
    assert_eq!(after, started, "Codex was started: {:?}", w.codex_runs());
}
