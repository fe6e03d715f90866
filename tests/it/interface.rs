//! The commands that show and check the catalog (`list`, `show`,
//! `validate`), the shell completions and manual page, and the crate's
//! metadata: each through the built binary, JSON parsed with `serde_json`.

use std::collections::BTreeSet;

use predicates::str::contains;
use serde_json::Value;

use crate::support::{CATALOG, PROVIDER_KEYS, World, snapshot_dir};

/// A key value that must never be printed.
const SECRET: &str = "gsk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0";

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

fn stdout(w: &World, args: &[&str]) -> String {
    let out = w.cmd().args(args).output().expect("run codexgen");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// [`CATALOG`] with a provider no profile uses and a profile on a built-in.
fn catalog_plus() -> String {
    CATALOG.replace(
        "profiles:\n",
        "  spare:\n    base_url: https://spare.example/v1\n    env_key: SPARE_KEY\nprofiles:\n  local:\n    provider: ollama\n    model: qwen3:8b\n",
    )
}

#[test]
fn list_marks_the_default_and_says_which_keys_are_set() {
    let w = World::new();
    w.catalog(&catalog_plus());
    let out = w
        .cmd()
        .env("ALPHA_API_KEY", SECRET)
        .env("BETA_API_KEY", "")
        .arg("list")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(SECRET), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "   PROFILE  PROVIDER  MODEL     KEY VARIABLE   KEY",
            "   local    ollama    qwen3:8b  -              not needed",
            "*  alpha    alpha-p   alpha-1   ALPHA_API_KEY  set",
            "   beta     beta-p    beta-2    BETA_API_KEY   unset",
            "* default profile",
        ],
        "{text}"
    );
    assert_eq!(
        lines[5..],
        [
            "",
            "Providers no profile uses:",
            "PROVIDER  NAME   BASE URL                  KEY VARIABLE  KEY",
            "spare     spare  https://spare.example/v1  SPARE_KEY     unset",
        ],
        "{text}"
    );
}

#[test]
fn list_json_has_the_default_profiles_providers_and_key_state() {
    let w = World::new();
    let long_model = format!("m-{}", "x".repeat(300));
    w.catalog(&catalog_plus().replace("model: beta-2", &format!("model: {long_model}")));
    let out = w
        .cmd()
        .env("ALPHA_API_KEY", SECRET)
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));
    let v = json(&out.stdout);
    assert_eq!(v["default"], "alpha");
    let profiles = v["profiles"].as_array().unwrap();
    let names: Vec<&str> = profiles
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["local", "alpha", "beta"]);
    assert_eq!(profiles[1]["default"], true);
    assert_eq!(profiles[1]["key_variable"], "ALPHA_API_KEY");
    assert_eq!(profiles[1]["key_set"], true);
    assert_eq!(profiles[2]["key_set"], false);
    assert_eq!(profiles[2]["model"], long_model.as_str(), "not cut");
    assert_eq!(profiles[0]["key_variable"], Value::Null);
    assert_eq!(profiles[0]["key_set"], Value::Null);
    let providers = v["providers"].as_array().unwrap();
    let ids: Vec<&str> = providers
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["alpha-p", "beta-p", "spare", "ollama"]);
    assert_eq!(providers[2]["profiles"], serde_json::json!([]));
    assert_eq!(providers[3]["builtin"], true);
    assert_eq!(providers[0]["profiles"], serde_json::json!(["alpha"]));
}

#[test]
fn list_aligns_wide_text_by_its_width_on_screen() {
    let w = World::new();
    w.catalog(&CATALOG.replace("model: alpha-1", "model: \"日本語\""));
    let text = stdout(&w, &["list"]);
    let lines: Vec<&str> = text.lines().collect();
    // Three characters, six cells: the next column starts where the header's does.
    assert_eq!(lines[0], "   PROFILE  PROVIDER  MODEL   KEY VARIABLE   KEY");
    assert_eq!(
        lines[1],
        "*  alpha    alpha-p   日本語  ALPHA_API_KEY  unset"
    );
}

/// A team catalog and a personal overlay that changes one value and the default.
fn layered(w: &World) {
    w.catalog(CATALOG);
    w.file(
        "work/providers.local.yaml",
        "default: beta\nprofiles:\n  beta:\n    model: beta-3\n",
    );
}

#[test]
fn show_origin_names_the_file_and_line_of_each_value() {
    let w = World::new();
    layered(&w);
    let text = stdout(&w, &["show", "--origin"]);
    for line in [
        "schema: 1  # providers.yaml:1",
        "default: beta  # providers.local.yaml:1",
        "    base_url: https://alpha.example/v1  # providers.yaml:7",
        "      api-version: \"2025-04-01-preview\"  # providers.yaml:13",
        "    model: beta-3  # providers.local.yaml:4",
        "    model_reasoning_effort: high  # providers.yaml:21",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
    }
    // Without --origin, no comments.
    assert!(!stdout(&w, &["show"]).contains('#'));
}

#[test]
fn show_json_origin_wraps_each_value() {
    let w = World::new();
    layered(&w);
    let v = json(stdout(&w, &["show", "--format", "json", "--origin"]).as_bytes());
    assert_eq!(
        v["profiles"]["beta"]["model"],
        serde_json::json!({"value": "beta-3", "origin": {"file": "providers.local.yaml", "line": 4, "column": 12}})
    );
    assert_eq!(v["schema"]["value"], 1);
    assert_eq!(v["providers"]["alpha-p"]["name"]["origin"]["line"], 6);
    let text = stdout(&w, &["show", "--format", "json"]);
    let plain = json(text.as_bytes());
    assert_eq!(plain["profiles"]["beta"]["model"], "beta-3");
    assert_eq!(plain["default"], "beta");
    // File order, not sorted (serde_json's Value would sort: look at the text).
    let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap();
    assert!(at("schema") < at("version") && at("version") < at("default"));
    assert!(at("providers") < at("profiles"));
}

#[test]
fn show_reads_back_identically() {
    let w = World::new();
    let tricky = CATALOG.replace("name: Beta", "name: \"Beta: \\\"quoted\\\" #1 é\"");
    w.catalog(&tricky);
    w.file(
        "work/providers.local.yaml",
        "default: beta\nprofiles:\n  beta:\n    model: \"yes\"\n",
    );
    let yaml = stdout(&w, &["show"]);
    let with_origin = stdout(&w, &["show", "--origin"]);
    let as_json = stdout(&w, &["show", "--format", "json"]);
    let gen_before = stdout(&w, &["gen", "--diff"]);
    for (name, text) in [
        ("a.yaml", &yaml),
        ("b.yaml", &with_origin),
        ("c.yaml", &as_json),
    ] {
        let path = w.file(name, text);
        let path = path.to_str().unwrap();
        assert_eq!(stdout(&w, &["--catalog", path, "show"]), yaml, "{name}");
        // The same files come out of it, but for the catalog file's name.
        assert_eq!(
            stdout(&w, &["--catalog", path, "gen", "--diff"]),
            gen_before,
            "{name}"
        );
    }
}

#[test]
fn show_refuses_an_invalid_catalog() {
    let w = World::new();
    w.catalog(&CATALOG.replace("base_url: https://alpha", "base_ulr: https://alpha"));
    w.cmd()
        .arg("show")
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("unknown key `base_ulr`"));
}

#[test]
fn validate_touches_no_codex_home() {
    let w = World::new();
    w.catalog(CATALOG);
    let home_file = w.file("not-a-home", "just a file\n");
    let user = w.root.join("user");
    std::fs::create_dir_all(&user).unwrap();
    let before = snapshot_dir(&w.root);
    let bare = || {
        let mut cmd = assert_cmd::Command::cargo_bin("codexgen").unwrap();
        cmd.current_dir(w.root.join("work"))
            .env_remove("CODEX_HOME")
            .env("HOME", &user)
            .env("XDG_CONFIG_HOME", user.join(".config"))
            .env("XDG_CACHE_HOME", user.join(".cache"))
            .env("CODEXGEN_SYSTEM_CODEX_DIR", w.root.join("etc-codex"))
            .env("PATH", w.root.join("bin"));
        cmd
    };
    bare()
        .arg("--codex-home")
        .arg(&home_file)
        .arg("validate")
        .assert()
        .success()
        .stdout(contains("valid: providers.yaml for Codex"));
    // A home under a file (it cannot exist), and CODEX_HOME naming a file.
    bare()
        .arg("--codex-home")
        .arg(home_file.join("codex"))
        .args(["validate", "--format", "json"])
        .assert()
        .success();
    bare()
        .env("CODEX_HOME", &home_file)
        .args(["validate", "--format", "json"])
        .assert()
        .success();
    assert_eq!(
        snapshot_dir(&w.root),
        before,
        "nothing was written anywhere"
    );
}

#[test]
fn validate_exits_2_and_prints_every_problem() {
    let w = World::new();
    w.catalog(
        &CATALOG
            .replace("base_url: https://alpha", "base_ulr: https://alpha")
            .replace("provider: beta-p", "provider: gamma-p"),
    );
    w.cmd()
        .arg("validate")
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("unknown key `base_ulr`"))
        .stderr(contains("names a missing provider `gamma-p`"));
    let out = w
        .cmd()
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out.stdout);
    assert_eq!(v["valid"], false);
    assert_eq!(
        v["problems"][0],
        serde_json::json!({
            "file": "providers.yaml",
            "line": 7,
            "column": 5,
            "code": "unknown-key",
            "message": "unknown key `base_ulr` in provider `alpha-p`",
            "label": "did you mean `base_url`?",
            "help": format!("known keys here: {PROVIDER_KEYS}"),
        })
    );
    assert_eq!(v["problems"][1]["code"], "missing-provider");
    assert_eq!(v["problems"].as_array().unwrap().len(), 2);
}

/// A valid catalog with `from` replaced by `to` (which must occur).
fn broken(from: &str, to: &str) -> String {
    assert!(CATALOG.contains(from), "{from}");
    CATALOG.replacen(from, to, 1)
}

/// The codes docs/catalog.md lists.
fn readme_codes() -> BTreeSet<String> {
    let readme = include_str!("../../docs/catalog.md");
    let start = readme.find("<!-- problem codes -->").unwrap();
    let end = readme.find("<!-- /problem codes -->").unwrap();
    readme[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

/// One catalog (with extra arguments) per problem code, and that code.
fn code_cases() -> Vec<(String, Vec<&'static str>, &'static str)> {
    let long = format!("name: {}", "n".repeat(70 * 1024));
    let alpha_with = |extra: &str| format!("env_key: ALPHA_API_KEY\n    {extra}");
    let (chat, retries) = (
        alpha_with("wire_api: chat"),
        alpha_with("request_max_retries: 1000"),
    );
    // (text in CATALOG, what replaces it, the code)
    let edits = [
        (
            "base_url: https://alpha",
            "base_ulr: https://alpha",
            "unknown-key",
        ),
        ("default: alpha\n", "", "missing-key"),
        ("version: \"t1\"", "version: 1", "wrong-type"),
        ("model: alpha-1", "model: \"\"", "empty-value"),
        ("schema: 1", "schema: 2", "unsupported-schema"),
        (
            "schema: 1",
            "schema: 1\ncodex: banana",
            "bad-codex-requirement",
        ),
        ("provider: alpha-p", "provider: gamma-p", "missing-provider"),
        ("default: alpha", "default: gamma", "missing-profile"),
        ("  alpha-p:\n", "  openai:\n", "builtin-provider"),
        ("  beta:\n", "  \"be ta\":\n", "bad-name"),
        (
            "https://alpha.example/v1",
            "ftp://alpha.example/v1",
            "bad-url",
        ),
        (
            "env_key: ALPHA_API_KEY",
            "experimental_bearer_token: abc",
            "literal-secret",
        ),
        (
            "env_key: ALPHA_API_KEY",
            "env_key: 1ALPHA",
            "bad-variable-name",
        ),
        (
            "model_reasoning_effort: high",
            "model_reasoning_effort: huge",
            "bad-value",
        ),
        ("env_key: ALPHA_API_KEY", &chat, "unsupported-wire-api"),
        ("env_key: ALPHA_API_KEY", &retries, "out-of-range"),
        ("name: Alpha", &long, "too-long"),
        ("name: Alpha", "name: \"Al\\apha\"", "control-character"),
        ("model: alpha-1", "model: \"-alpha\"", "bad-model"),
        (
            "env_key: ALPHA_API_KEY",
            "env_key: ALPHA_API_KEY\n    auth: {command: op}",
            "key-sources",
        ),
        (
            "env_key: ALPHA_API_KEY",
            "aws: {profile: dev}",
            "unsupported-key",
        ),
    ];
    let mut cases: Vec<(String, Vec<&str>, &str)> = vec![
        ("a: [\n".into(), vec![], "yaml-syntax"),
        ("a: 1\na: 2\n".into(), vec![], "duplicate-key"),
        (String::new(), vec![], "empty-catalog"),
    ];
    cases.extend(
        edits
            .iter()
            .map(|(from, to, code)| (broken(from, to), vec![], *code)),
    );
    let range = broken("schema: 1", "schema: 1\ncodex: \">=0.134\"");
    cases.extend([
        (
            CATALOG.into(),
            vec!["--catalog", "missing.yaml"],
            "unreadable",
        ),
        (range, vec!["--codex-version", "0.100.0"], "target"),
        (CATALOG.into(), vec!["--templates", "tpl"], "render"),
    ]);
    cases
}

#[test]
fn every_problem_code_can_be_produced() {
    let cases = code_cases();
    let mut produced = BTreeSet::new();
    for (text, extra, code) in &cases {
        let w = World::new();
        w.catalog(text);
        w.file("work/tpl/config.toml.tera", "model = {{ default.model }}\n");
        let out = w
            .cmd()
            .args(["validate", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{code}");
        let v = json(&out.stdout);
        assert_eq!(v["valid"], false);
        let first = &v["problems"][0];
        assert_eq!(first["code"], *code, "{v:#}");
        assert!(first["message"].as_str().is_some_and(|m| !m.is_empty()));
        produced.insert((*code).to_owned());
    }
    assert_eq!(
        produced,
        readme_codes(),
        "each code in docs/catalog.md is produced"
    );
}

#[test]
fn validate_redacts_what_looks_like_a_key() {
    let w = World::new();
    w.catalog(&broken(
        "env_key: ALPHA_API_KEY",
        &format!("env_key: {SECRET}"),
    ));
    let out = w
        .cmd()
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains(&SECRET[..12]), "{text}");
    assert_eq!(
        json(text.as_bytes())["problems"][0]["code"],
        "literal-secret"
    );
}

#[test]
fn completions_for_every_shell() {
    let w = World::new();
    w.catalog(CATALOG);
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&w, &["completions", shell]);
        assert!(script.contains("codexgen"), "{shell}");
        assert!(script.contains("validate"), "{shell}");
    }
    w.cmd().args(["completions", "tcsh"]).assert().code(2);
}

/// What bash completes after `codexgen WORDS...` with the script sourced.
fn bash_completes(script: &std::path::Path, words: &str) -> Vec<String> {
    let program = format!(
        "source '{}'\nCOMP_WORDS=(codexgen {words} '')\nCOMP_CWORD=${{#COMP_WORDS[@]}}\nCOMP_CWORD=$((COMP_CWORD-1))\nCOMP_LINE=\"codexgen {words} \"\nCOMP_POINT=${{#COMP_LINE}}\n_codexgen codexgen '' \"${{COMP_WORDS[COMP_CWORD-1]}}\"\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display()
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_the_catalogs_profile_names() {
    let w = World::new();
    w.catalog(CATALOG);
    let script = w.file("codexgen.bash", &stdout(&w, &["completions", "bash"]));
    let exec = bash_completes(&script, "exec");
    assert!(
        exec.contains(&"alpha".to_owned()) && exec.contains(&"beta".to_owned()),
        "{exec:?}"
    );
    let probe = bash_completes(&script, "probe");
    assert!(probe.contains(&"beta-p".to_owned()), "{probe:?}");
    let commands = bash_completes(&script, "");
    assert!(commands.contains(&"validate".to_owned()), "{commands:?}");

    // A broken catalog: the script still comes, without names, and says why.
    w.catalog("a: [\n");
    let out = w.cmd().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("profile names are left out"));
    let script = w.file("codexgen2.bash", &String::from_utf8_lossy(&out.stdout));
    assert!(!bash_completes(&script, "exec").contains(&"alpha".to_owned()));
}

#[test]
fn man_prints_a_roff_page_naming_every_command() {
    let w = World::new();
    // No catalog needed, and a broken one does not matter.
    w.catalog("a: [\n");
    let page = stdout(&w, &["man"]);
    assert!(page.contains(".TH codexgen 1"), "{page}");
    assert!(page.contains(".SH NAME"));
    for command in [
        "gen",
        "doctor",
        "list",
        "show",
        "validate",
        "completions",
        "man",
    ] {
        assert!(
            page.contains(&format!("codexgen\\-{command}")) || page.contains(command),
            "{command}"
        );
    }
}

/// The commands `codexgen --help` lists (but `help`).
fn commands(w: &World) -> Vec<String> {
    let help = stdout(w, &["--help"]);
    let from = help.find("Commands:\n").expect("a command list") + "Commands:\n".len();
    help[from..]
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter(|l| l.as_bytes().get(2) != Some(&b' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn man_writes_one_page_per_command_and_the_main_page_names_them_all() {
    let w = World::new();
    let commands = commands(&w);
    assert!(commands.len() > 10, "{commands:?}");
    // An older page of the same name is replaced; other files stay.
    w.file("pages/codexgen-gen.1", "old\n");
    w.file("pages/mine.1", "mine\n");
    let out = w
        .cmd()
        .args(["man", "--dir"])
        .arg(w.root.join("pages"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(w.root.join("pages/mine.1")).unwrap(),
        "mine\n"
    );
    let main = std::fs::read_to_string(w.root.join("pages/codexgen.1")).unwrap();
    assert_eq!(main, stdout(&w, &["man"]));
    let see_also = &main[main.find(".SH \"SEE ALSO\"").expect("SEE ALSO")..];
    for command in &commands {
        let page =
            std::fs::read_to_string(w.root.join(format!("pages/codexgen-{command}.1"))).unwrap();
        // The same page one at a time, titled and named for the command,
        // with its usage line and the global options.
        assert_eq!(page, stdout(&w, &["man", command]), "{command}");
        assert!(
            page.contains(&format!(".TH codexgen-{command} 1  \"codexgen ")),
            "{command}: {page}"
        );
        assert!(
            page.contains(&format!("\\fBcodexgen {command}\\fR")),
            "{command}: {page}"
        );
        assert!(page.contains("\\-\\-codex\\-home"), "{command}");
        assert!(
            page.ends_with(".SH \"SEE ALSO\"\ncodexgen(1)\n"),
            "{command}"
        );
        assert!(
            see_also.contains(&format!("\\%codexgen\\-{}(1)", command.replace('-', "\\-"))),
            "{command} in {see_also}"
        );
    }
    let written = std::fs::read_dir(w.root.join("pages")).unwrap().count();
    assert_eq!(
        written,
        commands.len() + 2,
        "one page each, the main one, mine.1"
    );
    rendered_cleanly(&w.root.join("pages"), &commands);
}

/// groff reads every page without a warning, and `man` finds a command's
/// page by its name in a manual folder (each when installed).
fn rendered_cleanly(pages: &std::path::Path, commands: &[String]) {
    if which::which("groff").is_ok() {
        for entry in std::fs::read_dir(pages).unwrap() {
            let path = entry.unwrap().path();
            let out = std::process::Command::new("groff")
                .args(["-man", "-Tutf8", "-ww", "-z"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{}: {out:?}",
                path.display()
            );
        }
    } else {
        eprintln!("skipped: groff is not installed (the pages are not rendered)");
    }
    if which::which("man").is_err() {
        eprintln!("skipped: man is not installed");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let man1 = root.path().join("man1");
    std::fs::create_dir(&man1).unwrap();
    for entry in std::fs::read_dir(pages).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, man1.join(path.file_name().unwrap())).unwrap();
    }
    for command in commands.iter().take(3) {
        let out = std::process::Command::new("man")
            .arg("-M")
            .arg(root.path())
            .arg(format!("codexgen-{command}"))
            .env("MANWIDTH", "80")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "man codexgen-{command}: {out:?}");
        assert!(
            text.starts_with(&format!("codexgen-{command}(1)")),
            "{text}"
        );
    }
}

/// The docs' install lines for the manual pages (docs/commands.md), run as
/// written with a temp HOME; then `man` finds a command's page where they
/// put it.
#[test]
fn the_readmes_man_page_lines_install_pages_man_finds() {
    let readme = include_str!("../../docs/commands.md");
    let from = readme
        .find("## Shell completions and the manual page")
        .expect("the section");
    let lines: Vec<&str> = readme[from..]
        .lines()
        .take_while(|l| !l.starts_with("Completion covers"))
        .filter(|l| l.starts_with("codexgen man"))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let w = World::new();
    let bin = w.root.join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("codexgen"),
        bin.join("codexgen"),
    )
    .unwrap();
    let have_man = which::which("man").is_ok();
    for line in lines {
        if line.contains("man -l") && !have_man {
            eprintln!("skipped: man is not installed ({line})");
            continue;
        }
        let out = std::process::Command::new("bash")
            .args(["-c", line])
            .current_dir(w.root.join("work"))
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("HOME", &w.root)
            .env("CODEX_HOME", &w.home)
            .env("XDG_CONFIG_HOME", w.root.join("config"))
            .env("XDG_CACHE_HOME", w.root.join("cache"))
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        assert!(out.status.success(), "{line}: {out:?}");
        if line.contains("man -l") {
            assert!(String::from_utf8_lossy(&out.stdout).starts_with("codexgen-gen(1)"));
        }
    }
    let man1 = w.root.join(".local/share/man/man1");
    assert!(man1.join("codexgen.1").is_file());
    assert!(man1.join("codexgen-gen.1").is_file());
    assert!(man1.join("codexgen-doctor.1").is_file());
}

#[test]
fn man_of_an_unknown_command_names_the_commands_and_exits_2() {
    let w = World::new();
    let out = w.cmd().args(["man", "gne"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no manual page for `gne`"), "{err}");
    assert!(err.contains("one of: gen, doctor"), "{err}");
    // One page or all of them, not both.
    let out = w.cmd().args(["man", "gen", "--dir", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!w.root.join("work/x").exists());
}

#[test]
fn the_crate_ships_its_license_texts() {
    let root = env!("CARGO_MANIFEST_DIR");
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    let include = manifest
        .lines()
        .find(|l| l.starts_with("include = "))
        .expect("an include list");
    for file in ["LICENSE-MIT", "LICENSE-APACHE", "README.md"] {
        assert!(
            include.contains(&format!("\"{file}\"")),
            "{file} is shipped"
        );
    }
    let mit = std::fs::read_to_string(format!("{root}/LICENSE-MIT")).unwrap();
    assert!(mit.starts_with("Copyright (c) The codexgen authors"));
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    let apache = std::fs::read_to_string(format!("{root}/LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    for key in ["keywords = ", "categories = ", "readme = "] {
        assert!(manifest.contains(key), "{key}");
    }
}

/// The shell lines of the README and of every page in docs/, as a newcomer
/// pastes them: `cargo install` builds with the versions in Cargo.lock
/// (`--locked`), and a line that writes into a folder under `~` makes that
/// folder first (`mkdir -p`, on that line or one before it in the same block).
#[test]
fn readme_install_lines_are_locked_and_make_the_folders_they_write_into() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut pages = vec![format!("{root}/README.md")];
    for entry in std::fs::read_dir(format!("{root}/docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path.display().to_string());
        }
    }
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        install_lines_are_locked_and_make_their_folders(&page, &text);
    }
}

fn install_lines_are_locked_and_make_their_folders(page: &str, readme: &str) {
    let mut in_block = false;
    let mut made: Vec<String> = Vec::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            made.clear();
            continue;
        }
        if !in_block {
            assert!(
                !line.contains("cargo install --path"),
                "{page}: without --locked: {line}"
            );
            continue;
        }
        if line.contains("cargo install") {
            assert!(
                line.contains("--locked"),
                "{page}: without --locked: {line}"
            );
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.windows(3) {
            if pair[0] == "mkdir" && pair[1] == "-p" {
                made.push(pair[2].trim_end_matches('/').to_owned());
            }
        }
        for pair in words.windows(2) {
            if pair[0] == ">" && pair[1].starts_with("~/") {
                let folder = pair[1].rsplit_once('/').map_or("", |(d, _)| d);
                assert!(
                    made.iter().any(|m| m == folder),
                    "{page}: writes into {folder} without `mkdir -p {folder}` first: {line}"
                );
            }
        }
    }
}
