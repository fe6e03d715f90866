//! Issue 20, point 9: every message says what happened and what to do, in
//! the user's terms, at the right line. Each class is checked with more
//! than one input: YAML the parser refuses (never its Rust API, at the
//! offending line), another program's many-line output (real line breaks,
//! escapes kept), a failed write (the file and the step actually tried),
//! and a missing overlay (only the options actually given are named).

use std::fmt::Write as _;

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
  caused by: failed to query raw metadata `afile/x.yaml`: Not a directory (os error 20)
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
        // beta.config.toml's edit above is put back on purpose.
        &["-q", "gen", "--yes", "--overwrite"],
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

/// What no message may show: the YAML crate's API and type names, Rust
/// debug structs, and a line break written as an escape.
const NOT_THE_USERS_TERMS: &[&str] = &[
    "from_str",
    "::",
    "{ ",
    "Error(",
    "budget breached",
    "Nodes",
    "Policy",
    "serde",
    "saphyr",
    "\\u{a}",
    "internal",
];

/// `validate` on a catalog of these bytes: the stderr, checked for terms
/// that are not the user's.
fn refused(bytes: &[u8]) -> String {
    refused_with(&[], bytes)
}

fn refused_with(env: &[(&str, &str)], bytes: &[u8]) -> String {
    let w = World::new();
    std::fs::write(w.root.join("work/providers.yaml"), bytes).unwrap();
    let out = w
        .cmd()
        .envs(env.iter().copied())
        .arg("validate")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for term in NOT_THE_USERS_TERMS {
        assert!(!stderr.contains(term), "`{term}` in:\n{stderr}");
    }
    assert!(stderr.contains("= help: "), "no help in:\n{stderr}");
    stderr
}

/// The `line:column` the first error points at.
fn place(stderr: &str) -> (usize, usize) {
    let at = stderr
        .split("--> providers.yaml:")
        .nth(1)
        .unwrap_or_else(|| panic!("no place in:\n{stderr}"));
    let at = at.lines().next().unwrap();
    let (line, column) = at.split_once(':').unwrap();
    (line.parse().unwrap(), column.parse().unwrap())
}

#[test]
#[allow(clippy::too_many_lines)] // one row per case
fn malformed_yaml_is_said_in_yaml_terms_at_the_offending_place() {
    // (what, text, line, column, words the message must hold)
    let cases: &[(&str, &str, usize, usize, &str)] = &[
        (
            "tab before a key, under a deeper line",
            "schema: 1\nproviders:\n  a:\n    name: x\n\tbase_url: y\n",
            5,
            1,
            "YAML does not allow tabs for indentation: use spaces",
        ),
        (
            "tab after spaces",
            "schema: 1\nproviders:\n  a:\n  \tname: x\n",
            4,
            3,
            "tabs for indentation",
        ),
        (
            "tab before a list item",
            "schema: 1\nlist:\n  - a\n\t- b\n",
            4,
            1,
            "tabs for indentation",
        ),
        (
            "tab after a blank line",
            "schema: 1\nprofiles:\n\n\tp: 1\n",
            4,
            1,
            "tabs for indentation",
        ),
        (
            "tab under a literal block",
            "schema: 1\nx:\n  y: |\n    a\n\tb\n",
            5,
            1,
            "tabs for indentation",
        ),
        (
            "tab after a value with a trailing tab",
            "schema: 1\nx:\n  y: 1 \t\n\tz: 2\n",
            4,
            1,
            "tabs for indentation",
        ),
        (
            "a byte-order mark, then a tab",
            "\u{feff}schema: 1\n\tx: 1\n",
            2,
            1,
            "tabs for indentation",
        ),
        (
            "two documents",
            "schema: 1\n---\nschema: 1\n",
            2,
            1,
            "a second YAML document starts here",
        ),
        (
            "three documents, the first marked",
            "---\nschema: 1\n---\nschema: 1\n---\nx: 2\n",
            3,
            1,
            "a second YAML document starts here",
        ),
        (
            "a duplicate key",
            "schema: 1\nproviders:\n  a: {}\n  a: {}\n",
            4,
            3,
            "duplicate key `a`",
        ),
        (
            "a duplicate key in a flow map",
            "schema: 1\nproviders: {a: 1, a: 2}\n",
            2,
            19,
            "duplicate key `a`",
        ),
        (
            "a key out of line",
            "a:\n  b: 1\n c: 2\n",
            3,
            2,
            "did not find expected key",
        ),
        (
            "an unclosed double quote",
            "schema: 1\nversion: \"abc\n",
            2,
            10,
            "unclosed quote",
        ),
        (
            "an unclosed single quote",
            "schema: 1\nversion: 'abc\n",
            2,
            10,
            "unclosed quote",
        ),
        ("an unclosed list", "a: [1, 2\n", 1, 4, "unclosed bracket"),
        ("an unclosed map", "a: {b: 1\n", 1, 4, "unclosed bracket"),
        (
            "an alias without its anchor",
            "x: *nope\n",
            1,
            4,
            "names no anchor",
        ),
        (
            "an alias inside its own anchor",
            "a: &a [*a]\n",
            1,
            8,
            "refers to a value that contains it",
        ),
        (
            "lists nested without end (flow)",
            &format!("a: {}{}\n", "[".repeat(300), "]".repeat(300)),
            1,
            259,
            "nested deeper than codexgen reads",
        ),
        (
            "lists nested past the depth limit",
            &format!("a: {}{}\n", "[".repeat(100), "]".repeat(100)),
            1,
            67,
            "nested more than 64 levels deep",
        ),
        (
            "a !!binary value",
            "a: !!binary \"%%\"\n",
            1,
            13,
            "a tag (`!!binary`, `!name`) that codexgen does not read",
        ),
        (
            "a value against its tag",
            "a: !!int x\n",
            1,
            10,
            "not of the kind its tag",
        ),
        (
            "an unknown escape in a quoted string",
            "a: \"\\q\"\n",
            1,
            4,
            "unknown escape character",
        ),
        (
            "a mismatched bracket",
            "a: {b: 1]\n",
            1,
            4,
            "mismatched bracket",
        ),
        (
            "a number past infinity",
            "a: 1e999\n",
            1,
            4,
            "`1e999` is not a finite number",
        ),
        (
            "a list as a key",
            "[1, 2]: x\n",
            1,
            1,
            "a key must be plain text",
        ),
        (
            "a merge of a number",
            "<<: 1\n",
            1,
            5,
            "a merge (`<<`) takes a map",
        ),
    ];
    for (what, text, line, column, words) in cases {
        let stderr = refused(text.as_bytes());
        assert!(
            stderr.contains(words),
            "{what}: `{words}` not in:\n{stderr}"
        );
        assert_eq!(place(&stderr), (*line, *column), "{what}:\n{stderr}");
    }
}

#[cfg(debug_assertions)] // the node limit is lowered only in debug builds
#[test]
fn an_alias_bomb_and_a_catalog_past_the_size_limits_are_said_with_the_limit() {
    // Nine aliases of nine aliases ... (a billion laughs).
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (name, of) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
    ] {
        let _ = writeln!(
            bomb,
            "{name}: &{name} [{}]",
            vec![format!("*{of}"); 9].join(", ")
        );
    }
    let stderr = refused(bomb.as_bytes());
    assert!(stderr.contains("as an alias bomb does"), "{stderr}");
    assert!(
        stderr.contains("write the values out instead of repeating aliases"),
        "{stderr}"
    );

    // Past the node limit (lowered in debug builds: 1,000,000 values take
    // a debug build most of a minute to parse).
    let text = format!("x: [{}]\n", vec!["1"; 1_500].join(","));
    let stderr = refused_with(&[("CODEXGEN_YAML_MAX_NODES", "1200")], text.as_bytes());
    assert!(
        stderr.contains("the catalog holds more than 1,200 values (YAML nodes: each key, value, list and map); codexgen reads at most 1,200 in one file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("docs/performance.md, \"At scale\""),
        "{stderr}"
    );

    // A file past the size limit is refused before it is parsed.
    let text = format!("x: \"{}\"\n", "a".repeat(17 * 1024 * 1024));
    let stderr = refused(text.as_bytes());
    assert!(stderr.contains("16 MiB"), "{stderr}");

    // Not UTF-8.
    let stderr = refused(b"schema: 1\nversion: \"\xff\"\n");
    assert!(stderr.contains("is not UTF-8 text"), "{stderr}");
}

#[test]
fn a_catalog_past_the_old_node_budget_is_read() {
    // 260,000 values: serde-saphyr's default budget (250,000) stopped here.
    let w = World::new();
    let text = format!("{CATALOG}x-many: [{}]\n", vec!["1"; 260_000].join(","));
    w.catalog(&text);
    let out = w.cmd().arg("validate").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Read as YAML: the only problem is the key codexgen does not know.
    assert!(stderr.contains("unknown key `x-many`"), "{stderr}");
    assert!(!stderr.contains("not valid YAML"), "{stderr}");
}

/// What a stand-in Codex prints on stderr when it refuses: several lines,
/// a `\r\n`, a tab, and a terminal escape that must stay escaped.
#[cfg(unix)]
const REFUSAL: &str = r"printf 'Error: failed to load configuration\n\nCaused by:\n    model_providers.x: bad \033[31mred\033[0m\r\n    second\tcause\n' >&2; exit 1";

#[cfg(unix)]
#[test]
fn codex_s_many_line_error_is_shown_as_lines_in_doctor_and_gen_verify() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes();
    w.fake_codex("0.169.0", REFUSAL);

    let out = w.cmd().arg("doctor").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("\\u{a}"), "{stdout}");
    assert!(
        stdout.contains("  error Codex refused config.toml: `CODEX_HOME=<scratch> "),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "mcp list` failed
          | Error: failed to load configuration
          | Caused by:
          |     model_providers.x: bad \\u{1b}[31mred\\u{1b}[0m
          |     second\tcause
        fix: "
        ),
        "{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'), "{stdout}");

    // The JSON report keeps the lines as lines too.
    let out = w
        .cmd()
        .args(["doctor", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refused = report
        .as_array()
        .unwrap()
        .iter()
        .find_map(|f| {
            f["message"]
                .as_str()
                .filter(|m| m.starts_with("Codex refused"))
        })
        .expect("the refusal is reported");
    assert!(refused.contains("failed\n  | Error: failed"), "{refused}");
    assert!(
        !refused.contains("\\u{a}") && !refused.contains('\u{1b}'),
        "{refused}"
    );

    // gen --verify: the same lines, in the error.
    w.catalog(&CATALOG.replace("model: beta-2", "model: beta-3"));
    let out = w.cmd().args(["gen", "--yes", "--verify"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "  | Caused by:\n  |     model_providers.x: bad \\u{1b}[31mred\\u{1b}[0m\n  |     second\tcause\n"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("\\u{a}") && !stderr.contains('\u{1b}'),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn what_a_codex_that_is_not_codex_prints_is_shown_as_lines() {
    use std::os::unix::fs::PermissionsExt as _;
    let w = World::new();
    w.catalog(CATALOG);
    let bin = w.file(
        "bin/codex",
        "#!/bin/sh\nprintf 'Welcome to something else\\nversion: \\033[2J two\\n'\n",
    );
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = w.cmd().args(["gen", "--diff"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let root = w.root.display().to_string();
    assert_eq!(
        stderr.replace(&root, "[ROOT]"),
        "error: `[ROOT]/bin/codex --version` printed no Codex version (`codex-cli X.Y.Z`):
  | Welcome to something else
  | version: \\u{1b}[2J two
  = help: check that [ROOT]/bin/codex is OpenAI's Codex CLI (`--codex-bin PATH` names another); meanwhile pass --codex-version X.Y.Z to skip asking it
"
    );
}

/// A file that is not UTF-8 is named with the place of its first bad byte,
/// wherever that byte is (a value, a key, a comment, the first line, after
/// other non-ASCII text), for the catalog, standard input and config.toml.
#[test]
fn text_that_is_not_utf8_is_said_at_its_line_and_column() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"schema: 1\nversion: \"caf\xe9\"\n",
            "line 2, column 14 (byte 0xE9)",
        ),
        (
            b"schema: 1\n\xffversion: x\n",
            "line 2, column 1 (byte 0xFF)",
        ),
        (
            b"# \xc3\xa9t\xc3\xa9 \xe9\nschema: 1\n",
            "line 1, column 7 (byte 0xE9)",
        ),
        (b"schema: 1 # \xc3\n", "line 1, column 13 (byte 0xC3)"),
    ];
    for (bytes, place) in cases {
        let stderr = refused(bytes);
        assert!(stderr.contains(place), "{place} not in:\n{stderr}");
        assert!(stderr.contains("save"), "{stderr}");
    }
    // From standard input.
    let w = World::new();
    let out = w
        .cmd()
        .args(["--catalog", "-", "validate"])
        .write_stdin(&b"schema: 1\nx: \xe9\n"[..])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("<stdin> is not UTF-8 text: line 2, column 4 (byte 0xE9)"),
        "{stderr}"
    );
    // A config.toml in the Codex home.
    let w = World::new();
    w.catalog(CATALOG);
    std::fs::write(w.home.join("config.toml"), b"model = \"x\"\n# na\xefve\n").unwrap();
    let out = w.cmd().args(["gen", "--diff"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml is not UTF-8 text: line 2, column 5 (byte 0xEF)"),
        "{stderr}"
    );
}

/// A value YAML reads as something else than the string it must be: the
/// help shows the user's own value quoted (not another field's example),
/// or says what to write for nothing, a list or a map.
#[test]
fn a_value_of_the_wrong_kind_is_answered_with_the_users_own_text() {
    let cases: &[(&str, &str, &str)] = &[
        ("version: \"t1\"", "version: 1.10", "quote it, as \"1.10\","),
        ("model: beta-2", "model: No", "quote it, as \"No\","),
        ("model: beta-2", "model: on", "quote it, as \"on\","),
        ("model: beta-2", "model: 0x1F", "quote it, as \"0x1F\","),
        ("name: Beta", "name: {first: 1}", "not a map"),
        ("name: Beta", "name: 2.5e3", "quote it, as \"2.5e3\","),
        ("model: beta-2", "model:", "write a value after the colon"),
        ("model: beta-2", "model: ~", "write a value after the colon"),
        ("model: beta-2", "model: [a, b]", "not a list"),
    ];
    for (from, to, help) in cases {
        let text = CATALOG.replace(from, to);
        let stderr = refused(text.as_bytes());
        assert!(stderr.contains(help), "{to}: `{help}` not in:\n{stderr}");
        assert!(!stderr.contains("2026.10"), "{to}:\n{stderr}");
    }
}

/// A many-line warning in `gen --format json` (the values set by hand that
/// the catalog takes over, one per line) keeps its lines as lines: JSON
/// escapes them itself, and no literal `\u{a}` reaches the reader.
#[test]
fn a_many_line_warning_in_the_json_report_keeps_its_lines() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "codex-home/config.toml",
        "model = \"hand-one\"\nmodel_provider = \"hand-two\"\n",
    );
    for args in [
        &["gen", "--diff", "--format", "json"][..],
        &["gen", "--check", "--format", "json"],
    ] {
        let out = w.cmd().args(args).output().expect("run");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let message = report["warnings"][0]["message"]
            .as_str()
            .expect("a warning");
        assert!(!message.contains("\\u{"), "{args:?}: {message}");
        assert!(
            message.contains("manages:\n  config.toml: model: \"hand-one\""),
            "{args:?}: {message}"
        );
    }
}

/// The caret stands under the offending character as a terminal shows the
/// line: wide characters (Japanese, emoji) take two columns, combining
/// marks none, and the caret is as wide as what it underlines; a very long
/// line is shown around the place, not from its start.
#[test]
fn the_caret_lines_up_under_wide_and_combining_text_and_long_lines() {
    // (config.toml, the line shown, the caret line)
    let cases: &[(&str, &str, &str)] = &[
        (
            "# 日本語のコメント\nmodel = \"日本語\" x\n",
            "2 | model = \"日本語\" x",
            "  |                  ^ ",
        ),
        (
            "model = \"🎉🎉\" x\n",
            "1 | model = \"🎉🎉\" x",
            "  |                ^ ",
        ),
        (
            "model = \"e\u{301}\u{301}\" x\n",
            "1 | model = \"e\u{301}\u{301}\" x",
            "  |             ^ ",
        ),
        ("name = 値\n", "1 | name = 値", "  |        ^^ "),
    ];
    for (toml, line, caret) in cases {
        let w = World::new();
        w.catalog(CATALOG);
        std::fs::write(w.home.join("config.toml"), toml).unwrap();
        let (code, stderr) = run(&w, &[], &["gen", "--diff"], "");
        assert_eq!(code, 2, "{stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        let at = lines
            .iter()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("{line:?} not in:\n{stderr}"));
        assert!(lines[at + 1].starts_with(caret), "{caret:?}:\n{stderr}");
    }
    // A 5,000-character line: shown around the column, the caret under it.
    let long = format!("schema: 1\nx: {} : y\n", "a".repeat(5000));
    let stderr = refused(long.as_bytes());
    assert_eq!(place(&stderr), (2, 5005), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("2 | "))
        .expect("the line");
    assert!(lines[at].chars().count() < 200, "{stderr}");
    let caret = lines[at + 1]
        .chars()
        .position(|c| c == '^')
        .expect("a caret");
    assert_eq!(lines[at].chars().nth(caret), Some(':'), "{stderr}");
}

/// A `: ` inside a value on a line that already has its key is said as
/// such, with the user's value quoted, not as a matter of indentation
/// (which stays the help for a line indented under a value).
#[test]
fn a_colon_inside_a_value_is_answered_with_the_value_quoted() {
    let cases: &[(&str, &str)] = &[
        (
            "schema: 1\nversion: Groq: fast\n",
            "quote the whole value: version: \"Groq: fast\"",
        ),
        (
            "schema: 1\nlist:\n  - name: a: b\n",
            "quote the whole value: name: \"a: b\"",
        ),
        (
            "schema: 1\nversion: say \"hi\": now\n",
            "quote the whole value: version: 'say \"hi\": now'",
        ),
        (
            "schema: 1\nversion: t1\n  x: 2\n",
            "check this line's indentation",
        ),
        (
            "schema: 1\nx:\n  password: plain-one: two\n",
            "quote the whole value after `password:`",
        ),
    ];
    for (text, help) in cases {
        let stderr = refused(text.as_bytes());
        assert!(stderr.contains(help), "`{help}` not in:\n{stderr}");
        assert!(!stderr.contains("plain-one"), "{stderr}");
    }
}

/// A control character in the catalog (a NUL, a bell, an escape pasted
/// with a terminal's colours) is named, pointed at (not at the start of
/// the value holding it), and answered with how to delete or write it.
#[test]
fn a_control_character_is_named_and_pointed_at() {
    let cases: &[(&[u8], (usize, usize), &str)] = &[
        (b"schema: 1\nversion: \"t\x001\"\n", (2, 12), "U+0000"),
        (b"schema: 1\nversion: t\x071\n", (2, 11), "U+0007"),
        (b"schema: 1\nversion: ab\x1b[31m\n", (2, 12), "U+001B"),
        (b"schema: 1\n\x03version: x\n", (2, 1), "U+0003"),
    ];
    for (bytes, at, code) in cases {
        let stderr = refused(bytes);
        assert_eq!(place(&stderr), *at, "{stderr}");
        assert!(
            stderr.contains(&format!("YAML does not allow the control character {code}")),
            "{stderr}"
        );
        assert!(stderr.contains("delete it"), "{stderr}");
    }
}

/// A catalog file that is not there is said as such, and the help names
/// what named it (only that): `--catalog` or `CODEXGEN_CATALOG`.
#[test]
fn a_missing_catalog_names_what_named_it() {
    let w = World::new();
    let (code, stderr) = run(&w, &[], &["--catalog", "nope.yaml", "validate"], "");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the catalog file nope.yaml does not exist"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: check the path given to --catalog"),
        "{stderr}"
    );
    assert!(!stderr.contains("CODEXGEN_CATALOG"), "{stderr}");
    let (code, stderr) = run(
        &w,
        &[("CODEXGEN_CATALOG", "/nowhere/p.yaml")],
        &["validate"],
        "",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("CODEXGEN_CATALOG names /nowhere/p.yaml, which is not there"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: fix it or `unset CODEXGEN_CATALOG`"),
        "{stderr}"
    );
    // --catalog is offered as a way out, never blamed.
    assert!(!stderr.contains("given to --catalog"), "{stderr}");
    // The overlay's base named, the second file missing.
    w.catalog(CATALOG);
    let (code, stderr) = run(
        &w,
        &[],
        &[
            "--catalog",
            "providers.yaml",
            "--catalog",
            "over.yaml",
            "validate",
        ],
        "",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the catalog file over.yaml does not exist"),
        "{stderr}"
    );
}

/// A switch or a count of the wrong kind names its key and owner, and the
/// help fits what was written: quotes to drop, a fraction, a number past
/// any range, a word where true or false goes.
#[test]
fn a_switch_or_a_count_of_the_wrong_kind_names_its_key_and_the_fix() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "request_max_retries: \"3\"",
            "`request_max_retries` of provider `alpha-p` must be a whole number",
            "write 3 without quotes",
        ),
        (
            "request_max_retries: 3.5",
            "`request_max_retries` of provider `alpha-p` must be a whole number",
            "write a whole number from 0 to 100",
        ),
        (
            "stream_idle_timeout_ms: 99999999999999999999999",
            "`stream_idle_timeout_ms` of provider `alpha-p` must be a whole number",
            "write a whole number from",
        ),
        (
            "supports_websockets: \"no\"",
            "`supports_websockets` of provider `alpha-p` must be true or false",
            "write false without quotes",
        ),
        (
            "request_max_retries: -1",
            "`request_max_retries` of provider `alpha-p`: -1 is out of range",
            "Codex caps retries at 100",
        ),
        (
            "supports_websockets: enabled",
            "`supports_websockets` of provider `alpha-p` must be true or false",
            "write true or false",
        ),
    ];
    for (line, message, help) in cases {
        let text = CATALOG.replace(
            "    env_key: ALPHA_API_KEY\n",
            &format!("    env_key: ALPHA_API_KEY\n    {line}\n"),
        );
        let stderr = refused(text.as_bytes());
        assert!(
            stderr.contains(message),
            "{line}: `{message}` not in:\n{stderr}"
        );
        assert!(stderr.contains(help), "{line}: `{help}` not in:\n{stderr}");
        assert!(
            !stderr.contains("without quotes") || help.contains("without quotes"),
            "{stderr}"
        );
    }
}

/// When the catalog that wrote a home is gone, the help says to put it
/// back or name where it went, never to name the file that is not there.
#[test]
fn a_home_whose_catalog_is_gone_is_not_told_to_name_it() {
    let w = World::new();
    let catalog = w.file("elsewhere/providers.yaml", CATALOG);
    w.cmd()
        .arg("--catalog")
        .arg(&catalog)
        .args(["gen", "--yes"])
        .assert()
        .success();
    std::fs::remove_file(&catalog).unwrap();
    let (code, stderr) = run(&w, &[], &["gen", "--diff"], "");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("(no longer there)"), "{stderr}");
    assert!(
        stderr.contains(
            "to keep the home's catalog, put [ROOT]/elsewhere/providers.yaml back, or name the file it moved to: `codexgen --catalog FILE gen`"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("--catalog [ROOT]/elsewhere/providers.yaml gen"),
        "{stderr}"
    );
}

/// A lone carriage return is a line break to YAML (an old Mac file, a
/// paste): the line a message shows is the line YAML counted, for the
/// catalog's checks and for the parser's own errors.
#[test]
fn a_line_after_a_lone_carriage_return_is_shown_as_yaml_counts_it() {
    let w = World::new();
    w.catalog("schema: 1\nversion: \"t1\"\r\ndefault: ~\rbogus: 2\n");
    let (code, stderr) = run(&w, &[], &["validate"], "");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown key `bogus`"), "{stderr}");
    assert!(stderr.contains("4 | bogus: 2"), "{stderr}");
    let stderr = refused(b"schema: 1\rversion: [1\r\rx: 2\n");
    let (line, _) = place(&stderr);
    let shown = stderr
        .lines()
        .find(|l| l.starts_with(&format!("{line} | ")))
        .unwrap_or_else(|| panic!("line {line} not shown:\n{stderr}"));
    assert!(!shown.contains("schema"), "{stderr}");
}
