//! doctor, probe, exec and aliases against a stand-in HTTP server on
//! 127.0.0.1 (no real provider, no network), with a distinctive key value
//! that must never appear in anything codexgen prints.

use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

use crate::http_stub::{Route, Stub, closed_port};
use crate::support::World;

const KEY: &str = "stub-key-7Hq9zX2vLp4Rw8";

fn catalog(base_url: &str) -> String {
    format!(
        r#"schema: 1
version: "t1"
default: main
providers:
  stub:
    name: Stub AI
    base_url: {base_url}
    env_key: STUB_API_KEY
    query_params: {{api-version: "2025-04-01-preview"}}
    http_headers: {{X-Team: platform}}
    env_http_headers: {{X-User: STUB_USER}}
profiles:
  main:
    provider: stub
    model: stub-model-1
    model_reasoning_effort: high
"#
    )
}

/// A world whose catalog points at `base_url`; commands get the key unless removed.
fn world(base_url: &str) -> World {
    let w = World::new();
    w.catalog(&catalog(base_url));
    w
}

fn cmd(w: &World) -> Command {
    let mut cmd = w.cmd();
    cmd.env("STUB_API_KEY", KEY)
        .env("STUB_USER", "ada")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy");
    cmd
}

fn output(assert: &assert_cmd::assert::Assert) -> String {
    let out = assert.get_output();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const MODELS: &str = r#"{"object":"list","data":[{"id":"stub-model-1"},{"id":"other"}]}"#;

#[test]
fn probe_ok_sends_what_codex_sends() {
    let stub = Stub::start(vec![
        Route::new("GET", "/v1/models", 200, MODELS),
        Route::new(
            "POST",
            "/v1/responses",
            200,
            r#"{"id":"resp_1","output":[]}"#,
        ),
    ]);
    let w = world(&stub.url("/v1"));
    let a = cmd(&w).args(["probe", "--responses"]).assert().success();
    let text = output(&a);
    assert!(
        text.contains("200: key accepted; model `stub-model-1` is listed"),
        "{text}"
    );
    assert!(text.contains("the Responses API answered"), "{text}");
    let seen = stub.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for s in &seen {
        assert!(
            s.target.ends_with("?api-version=2025-04-01-preview"),
            "{}",
            s.target
        );
        assert_eq!(
            s.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert_eq!(s.header("x-team"), Some("platform"));
        assert_eq!(s.header("x-user"), Some("ada"));
    }
    let post = seen.iter().find(|s| s.method == "POST").expect("a POST");
    assert!(post.target.starts_with("/v1/responses?"));
    assert!(
        post.body.contains("\"model\":\"stub-model-1\""),
        "{}",
        post.body
    );
    assert!(!text.contains(KEY));
}

#[test]
fn probe_warns_when_the_model_is_not_listed() {
    let stub = Stub::start(vec![Route::new(
        "GET",
        "/v1/models",
        200,
        r#"{"data":[{"id":"other"}]}"#,
    )]);
    let w = world(&stub.url("/v1"));
    cmd(&w)
        .args(["probe", "main"])
        .assert()
        .success()
        .stdout(contains(
            "model `stub-model-1` is not among the 1 models listed",
        ));
}

/// Profiles named are probed and labeled as profiles (two on one provider
/// are two verdicts, each with its own model); a provider named, or the
/// default run, is labeled by provider.
#[test]
fn probe_labels_the_profiles_named_by_profile() {
    let stub = Stub::start(vec![Route::new("GET", "/v1/models", 200, MODELS)]);
    let w = World::new();
    w.catalog(&format!(
        "{}  spare:\n    provider: stub\n    model: other\n",
        catalog(&stub.url("/v1"))
    ));
    let text = output(&cmd(&w).args(["probe", "main", "spare"]).assert().success());
    assert!(
        text.contains("ok    profile main (provider stub): GET "),
        "{text}"
    );
    assert!(text.contains("model `stub-model-1` is listed"), "{text}");
    assert!(
        text.contains("ok    profile spare (provider stub): GET "),
        "{text}"
    );
    assert!(text.contains("model `other` is listed"), "{text}");
    let text = output(&cmd(&w).args(["probe", "stub"]).assert().success());
    assert!(text.contains("ok    stub: GET "), "{text}");
    assert!(!text.contains("profile"), "{text}");
    let out = cmd(&w)
        .args(["probe", "spare", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v[0]["profile"], "spare", "{v:#}");
    assert_eq!(v[0]["provider"], "stub", "{v:#}");
    let out = cmd(&w)
        .args(["probe", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v[0]["profile"], serde_json::Value::Null, "{v:#}");
}

#[test]
fn probe_explains_401_403_and_404() {
    let stub = Stub::start(vec![Route::new(
        "GET",
        "/v1/models",
        401,
        r#"{"error":{"message":"Invalid API Key"}}"#,
    )]);
    let w = world(&stub.url("/v1"));
    let a = cmd(&w).args(["probe"]).assert().code(1);
    let text = output(&a);
    assert!(
        text.contains("401: the key was rejected (Invalid API Key)"),
        "{text}"
    );
    assert!(
        text.contains("check that STUB_API_KEY is set to a current key that belongs to Stub AI"),
        "{text}"
    );

    let stub = Stub::start(vec![Route::new("GET", "/v1/models", 403, "{}")]);
    let w = world(&stub.url("/v1"));
    cmd(&w).args(["probe"]).assert().code(1).stdout(contains(
        "403: the key was accepted but may not use this model or project",
    ));

    let stub = Stub::start(vec![Route::new("GET", "/v1/models", 200, MODELS)]);
    let w = world(&stub.url("/v1"));
    cmd(&w)
        .args(["probe", "--responses", "stub"])
        .assert()
        .code(1)
        .stdout(contains(
            "404: this endpoint does not serve the Responses API",
        ))
        .stdout(contains("Codex cannot use Stub AI"));
}

#[test]
fn probe_reports_timeouts_and_refused_connections() {
    let mut slow = Route::new("GET", "/v1/models", 200, MODELS);
    slow.delay = Duration::from_secs(3);
    let stub = Stub::start(vec![slow]);
    let w = world(&stub.url("/v1"));
    cmd(&w)
        .args(["probe", "--timeout", "0.3"])
        .assert()
        .code(1)
        .stdout(contains("no answer within 0.3 s"));

    let w = world(&format!("http://127.0.0.1:{}/v1", closed_port()));
    cmd(&w).args(["probe"]).assert().code(1).stdout(
        contains("connection refused by 127.0.0.1:").or(contains("cannot connect to 127.0.0.1:")),
    );
}

#[test]
fn probe_without_the_key_says_so_and_sends_nothing() {
    let stub = Stub::start(vec![Route::new("GET", "/v1/models", 200, MODELS)]);
    let w = world(&stub.url("/v1"));
    cmd(&w)
        .env_remove("STUB_API_KEY")
        .args(["probe"])
        .assert()
        .code(1)
        .stdout(contains("not probed: STUB_API_KEY is not set"))
        .stdout(contains("fix: export STUB_API_KEY=<your Stub AI key>"));
    assert!(stub.seen().is_empty());
}

#[test]
fn probe_json_is_machine_readable() {
    let stub = Stub::start(vec![Route::new("GET", "/v1/models", 401, "{}")]);
    let w = world(&stub.url("/v1"));
    let a = cmd(&w).args(["probe", "--format", "json"]).assert().code(1);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.trim_start().starts_with('['), "{out}");
    assert!(
        out.contains("\"status\": \"error\"") && out.contains("\"code\": 401"),
        "{out}"
    );
}

#[test]
fn probe_rejects_unknown_names() {
    let w = world("http://127.0.0.1:9/v1");
    cmd(&w)
        .args(["probe", "mian"])
        .assert()
        .code(2)
        .stderr(contains(
            "`mian` is neither a provider nor a profile in the catalog; did you mean `main`?",
        ));
}

#[test]
fn doctor_finds_unset_keys_and_missing_files() {
    let w = world("https://stub.example/v1");
    // Warnings only: a key plain `codex` needs, a home not written yet.
    let a = cmd(&w)
        .env_remove("STUB_API_KEY")
        .args(["doctor"])
        .assert()
        .success();
    let text = output(&a);
    // By default the default profile is checked, but its missing key is a
    // warning (plain `codex` would stop); named, it is an error.
    assert!(
        text.contains("warn  STUB_API_KEY is not set (used by profile main, the default, which plain `codex` runs)"),
        "{text}"
    );
    assert!(
        text.contains("warn  codexgen has not written this Codex home yet"),
        "{text}"
    );
    let named = output(
        &cmd(&w)
            .env_remove("STUB_API_KEY")
            .args(["doctor", "main"])
            .assert()
            .code(1),
    );
    assert!(
        named.contains("error STUB_API_KEY is not set (used by profile main)"),
        "{named}"
    );
    assert!(
        text.contains("fix: export STUB_API_KEY=<your Stub AI key>"),
        "{text}"
    );
}

/// A home codexgen never wrote (no record, no file with its header) is one
/// finding that points at `import` (a hand-written config) or `gen --diff`
/// (an empty home), not an error per file the catalog would write.
#[test]
fn doctor_on_a_home_codexgen_never_wrote_points_at_import() {
    let w = world("https://stub.example/v1");
    let empty = output(&cmd(&w).args(["doctor"]).assert().success());
    assert!(
        empty
            .contains("warn  codexgen has not written this Codex home yet (it has no config.toml)"),
        "{empty}"
    );
    assert!(
        empty.contains("fix: review with `codexgen gen --diff`, then run `codexgen gen`"),
        "{empty}"
    );
    assert!(!empty.contains("missing:"), "{empty}");
    std::fs::write(
        w.home.join("config.toml"),
        "model = \"gpt-5.5\"\n[projects.\"/x\"]\ntrust_level = \"trusted\"\n",
    )
    .unwrap();
    let text = output(&cmd(&w).args(["doctor"]).assert().success());
    assert!(
        text.contains("warn  codexgen has never written this Codex home: config.toml is hand-written (or Codex's own)"),
        "{text}"
    );
    assert!(
        text.contains("`codexgen import --output providers.yaml`"),
        "{text}"
    );
    assert!(text.contains("`codexgen gen --diff`"), "{text}");
    assert!(
        !text.contains("missing:") && !text.contains("out of date"),
        "{text}"
    );
    assert!(text.contains("0 error(s)"), "{text}");
    // Once written, a missing file is an error again.
    cmd(&w).args(["gen", "--yes"]).assert().success();
    std::fs::remove_file(w.home.join("main.config.toml")).unwrap();
    let after = output(&cmd(&w).args(["doctor"]).assert().code(1));
    assert!(after.contains("error missing: main.config.toml"), "{after}");
}

#[test]
fn doctor_passes_on_a_generated_home_with_keys_set() {
    let w = world("https://stub.example/v1");
    cmd(&w).args(["gen", "--yes"]).assert().success();
    let a = cmd(&w).args(["doctor"]).assert().success();
    let text = output(&a);
    assert!(text.contains("ok    2 file(s) match the catalog"), "{text}");
    assert!(text.contains("ok    STUB_API_KEY is set"), "{text}");
    assert!(text.contains("0 error(s)"), "{text}");
}

#[test]
fn doctor_flags_bad_key_values_without_showing_them() {
    let w = world("https://api.groq.com/openai/v1");
    cmd(&w).args(["gen", "--yes"]).assert().success();
    let a = cmd(&w)
        .env("STUB_API_KEY", format!(" {KEY}\n"))
        .args(["doctor"])
        .assert()
        .code(1);
    let text = output(&a);
    assert!(
        text.contains("STUB_API_KEY has leading or trailing whitespace"),
        "{text}"
    );
    let a = cmd(&w)
        .env("STUB_API_KEY", format!("sk-or-v1-{KEY}"))
        .args(["doctor"])
        .assert()
        .success();
    let text2 = output(&a);
    assert!(
        text2.contains("warn  STUB_API_KEY looks like a OpenRouter key"),
        "{text2}"
    );
    assert!(!text.contains(KEY) && !text2.contains(KEY));
}

#[test]
fn doctor_reports_drift_legacy_tables_and_json() {
    let w = world("https://stub.example/v1");
    cmd(&w).args(["gen", "--yes"]).assert().success();
    let config = w
        .read("config.toml")
        .replace("model = \"stub-model-1\"", "model = \"hand\"");
    std::fs::write(
        w.home.join("config.toml"),
        format!("{config}\n[profiles.old]\nmodel = \"x\"\n"),
    )
    .unwrap();
    let a = cmd(&w)
        .args(["doctor", "--format", "json"])
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains("managed `model` was edited by hand"), "{out}");
    assert!(
        out.contains("config.toml has a `[profiles.old]` table; Codex 0.171.0 refuses `codex -p old` while it is there"),
        "{out}"
    );
    assert!(out.contains("\"scope\": \"profile old\""), "{out}");
}

#[cfg(unix)]
#[test]
fn doctor_asks_the_installed_codex_to_load_the_files() {
    let w = world("https://stub.example/v1");
    cmd(&w).args(["gen", "--yes"]).assert().success();
    w.fake_codex("0.169.0", "echo 'Error: bad config' >&2; exit 1");
    cmd(&w)
        .args(["doctor"])
        .assert()
        .code(1)
        .stdout(contains("Codex refused config.toml"))
        .stdout(contains("| Error: bad config"));
    w.fake_codex("0.169.0", "exit 0");
    cmd(&w).args(["doctor"]).assert().success().stdout(contains(
        "Codex 0.169.0 loads config.toml and every catalog profile",
    ));
}

#[cfg(unix)]
#[test]
fn doctor_notices_files_written_for_another_codex() {
    let w = world("https://stub.example/v1");
    cmd(&w)
        .args(["gen", "--yes", "--codex-version", "0.133.0"])
        .assert()
        .success();
    w.fake_codex("0.169.0", "exit 0");
    cmd(&w)
        .args(["doctor"])
        .assert()
        .code(1)
        .stdout(contains("the files are written for Codex 0.133.0 (the last `codexgen gen`), but the installed Codex is 0.169.0"))
        .stdout(contains("run `codexgen gen` to rewrite them for the installed Codex"))
        .stdout(contains("config.toml has a `[profiles.main]` table"));
}

#[test]
fn exec_print_quotes_for_the_shell() {
    let w = World::new();
    w.catalog(&catalog("https://stub.example/v1").replace(
        "model: stub-model-1",
        "model: \"it's a \\\"model\\\" $HOME\"",
    ));
    // `exec --print` checks the home first, as `exec` does.
    cmd(&w).args(["gen", "--yes"]).assert().success();
    let a = cmd(&w)
        .args(["exec", "main", "--print", "--", "exec", "say hi; rm -rf /"])
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&a.get_output().stdout)
        .trim()
        .to_owned();
    assert!(printed.starts_with("CODEX_HOME="), "{printed}");
    // Let a real shell split it, with `codex` standing in as an argument printer.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "codex() {{ for a in \"$@\"; do printf '<%s>\\n' \"$a\"; done; }}; {printed}"
        ))
        .output()
        .expect("sh");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "<-c>\n<model_provider=\"stub\">\n<-m>\n<it's a \"model\" $HOME>\n<-c>\n<model_reasoning_effort=\"high\">\n<exec>\n<say hi; rm -rf />\n"
    );
}

#[cfg(unix)]
#[test]
fn exec_checks_before_starting_codex() {
    let w = world("https://stub.example/v1");
    w.fake_codex("0.169.0", "exit 0");
    cmd(&w)
        .args(["exec", "main", "--", "exec", "hi"])
        .assert()
        .code(1)
        .stderr(contains("has no [model_providers.stub]"))
        .stderr(contains("run `codexgen gen` first"))
        .stderr(contains("Codex was not started\n"));
    cmd(&w).args(["gen", "--yes"]).assert().success();
    cmd(&w)
        .env_remove("STUB_API_KEY")
        .args(["exec", "main"])
        .assert()
        .code(1)
        .stderr(contains("STUB_API_KEY is not set"));
    assert!(
        w.codex_runs().iter().all(|r| r == "--version"),
        "{:?}",
        w.codex_runs()
    );
    cmd(&w)
        .args(["exec", "main", "--", "exec", "hi"])
        .assert()
        .success();
    assert_eq!(
        w.codex_runs().last().map(String::as_str),
        Some(
            "-c model_provider=\"stub\" -m stub-model-1 -c model_reasoning_effort=\"high\" exec hi"
        )
    );
}

/// `exec --print` runs the preflight `exec` runs: a command Codex would
/// refuse is not printed (it would fail wherever it is pasted or eval'd).
#[test]
fn exec_print_checks_first_and_prints_nothing_that_would_fail() {
    let w = world("https://stub.example/v1");
    cmd(&w)
        .args(["exec", "main", "--print"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(contains("has no [model_providers.stub]"))
        .stderr(contains("nothing printed: Codex would fail\n"));
    cmd(&w).args(["gen", "--yes"]).assert().success();
    cmd(&w)
        .env_remove("STUB_API_KEY")
        .args(["exec", "main", "--print"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(contains("STUB_API_KEY is not set"));
    cmd(&w)
        .args(["exec", "main", "--print"])
        .assert()
        .success()
        .stdout(contains("-m stub-model-1"));
}

#[test]
fn exec_unknown_profile_suggests() {
    let w = world("https://stub.example/v1");
    cmd(&w)
        .args(["exec", "mian", "--print"])
        .assert()
        .code(2)
        .stderr(contains(
            "no profile `mian` in the catalog; did you mean `main`?",
        ));
}

#[test]
fn aliases_define_one_function_per_profile() {
    let w = world("https://stub.example/v1");
    let a = cmd(&w).args(["aliases"]).assert().success();
    let script = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(script.contains("codex-main() { codex -c 'model_provider=\"stub\"' -m stub-model-1 -c 'model_reasoning_effort=\"high\"' \"$@\"; }"), "{script}");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{script}\ncodex() {{ printf '<%s>' \"$@\"; }}\ncodex-main exec 'a b'"
        ))
        .output()
        .expect("sh");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "<-c><model_provider=\"stub\"><-m><stub-model-1><-c><model_reasoning_effort=\"high\"><exec><a b>"
    );
    cmd(&w)
        .args(["aliases", "--shell", "fish"])
        .assert()
        .success()
        .stdout(contains(
            "function codex-main; 'codex' '-c' 'model_provider=\"stub\"'",
        ))
        .stdout(contains("'model_reasoning_effort=\"high\"' $argv; end"));
}

#[test]
fn no_command_ever_prints_the_key() {
    let stub = Stub::start(vec![
        Route::new(
            "GET",
            "/v1/models",
            401,
            &format!("{{\"error\":{{\"message\":\"bad key {KEY}\"}}}}"),
        ),
        Route::new(
            "POST",
            "/v1/responses",
            400,
            &format!("{{\"error\":{{\"message\":\"echo Bearer {KEY}\"}}}}"),
        ),
    ]);
    let w = world(&stub.url("/v1"));
    let runs: &[&[&str]] = &[
        &["gen", "--diff"],
        &["gen", "--yes"],
        &["gen", "--check"],
        &["doctor"],
        &["doctor", "--format", "json"],
        &["probe", "--responses"],
        &["probe", "--format", "json", "--responses"],
        &["exec", "main", "--print"],
        &["aliases"],
    ];
    for args in runs {
        for value in [KEY.to_owned(), format!(" {KEY} "), format!("\"{KEY}\"")] {
            let a = cmd(&w).env("STUB_API_KEY", &value).args(*args).assert();
            let text = output(&a);
            assert!(
                !text.contains(KEY),
                "`codexgen {}` printed the key:\n{text}",
                args.join(" ")
            );
        }
    }
}

/// A header variable's value is as secret as the key, whatever it looks
/// like: a server echoing it, or the user's own config.toml holding it,
/// never gets it printed, in part or whole (issue 9, class 3).
#[test]
fn no_command_prints_any_variable_the_catalog_names() {
    const USER: &str = "team-ada-42";
    let stub = Stub::start(vec![
        Route::new(
            "GET",
            "/v1/models",
            403,
            &format!(
                "{{\"error\":{{\"message\":\"user {USER} may not; header was team-ada-4***\"}}}}"
            ),
        ),
        Route::new(
            "POST",
            "/v1/responses",
            400,
            &format!("{{\"error\":{{\"message\":\"X-User={USER} rejected\"}}}}"),
        ),
    ]);
    let w = world(&stub.url("/v1"));
    // The user's own table, which codexgen keeps and shows in its diff.
    w.file(
        "codex-home/config.toml",
        &format!("[model_providers.mine]\nname = \"Mine\"\nbase_url = \"https://m.example/v1\"\nhttp_headers = {{ X-Who = \"{USER}\" }}\n"),
    );
    let runs: &[&[&str]] = &[
        &["gen", "--diff"],
        &["probe", "--responses"],
        &["probe", "--format", "json", "--responses"],
    ];
    for args in runs
        .iter()
        .chain([&["doctor"][..], &["gen", "--yes"]].iter())
    {
        let a = cmd(&w).env("STUB_USER", USER).args(*args).assert();
        let text = output(&a);
        assert!(
            !text.contains("team-ada"),
            "`codexgen {}` printed STUB_USER's value:\n{text}",
            args.join(" ")
        );
        if runs.contains(args) {
            assert!(text.contains("<redacted>"), "{}: {text}", args.join(" "));
        }
    }
}

/// Codex's built-in `openai` provider also takes a sign-in: without
/// `OPENAI_API_KEY` and without one, the fix names both ways (issue 11).
#[test]
fn the_openai_key_fix_mentions_codex_login() {
    let w = World::new();
    w.catalog(&catalog("https://stub.example/v1").replace(
        "profiles:\n  main:\n    provider: stub",
        "profiles:\n  gpt:\n    provider: openai\n    model: gpt-5\n  main:\n    provider: stub",
    ));
    cmd(&w).args(["gen", "--yes"]).assert().success();
    cmd(&w)
        .env_remove("OPENAI_API_KEY")
        .args(["doctor", "gpt"])
        .assert()
        .code(1)
        .stdout(contains(
            "fix: export OPENAI_API_KEY=<your OpenAI key>; or sign in once with `codex login`",
        ));
    cmd(&w)
        .env_remove("OPENAI_API_KEY")
        .args(["exec", "gpt", "--print"])
        .assert()
        .code(1)
        .stderr(contains("or sign in once with `codex login`"));
}

/// Codex drops a trailing slash of `base_url` before it appends a path
/// (measured on 0.89.0, 0.133.0 and 0.169.0: `.../v1/` posts to
/// `/v1/responses`): the catalog takes such a URL, `gen` writes it as given,
/// and probe asks the same paths Codex would.
#[test]
fn a_trailing_slash_in_base_url_is_what_codex_makes_of_it() {
    let stub = Stub::start(vec![
        Route::new("GET", "/v1/models", 200, MODELS),
        Route::new(
            "POST",
            "/v1/responses",
            200,
            r#"{"id":"resp_1","output":[]}"#,
        ),
    ]);
    let base = format!("{}/", stub.url("/v1"));
    let w = world(&base);
    cmd(&w).args(["gen", "--yes"]).assert().success();
    let config = w.read("config.toml");
    assert!(
        config.contains(&format!("base_url = \"{base}\"")),
        "{config}"
    );
    let a = cmd(&w).args(["probe", "--responses"]).assert().success();
    let text = output(&a);
    assert!(text.contains("model `stub-model-1` is listed"), "{text}");
    let seen = stub.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen.iter().all(|s| s.target.starts_with("/v1/")),
        "{seen:?}"
    );
}

/// A redirect is reported, never followed (issue 20, point 5): to another
/// origin (another port is one) Codex would carry the provider's headers
/// there, so it is an error and never "key accepted"; the other host
/// receives nothing from the probe. Any redirect status, GET and POST.
#[test]
fn probe_never_calls_a_redirect_elsewhere_a_success() {
    for code in [301, 302, 303, 307, 308] {
        let elsewhere = Stub::start(vec![
            Route::new("GET", "/v1/models", 200, MODELS),
            Route::new("POST", "/v1/responses", 200, r#"{"id":"r","output":[]}"#),
        ]);
        let models = elsewhere.url("/v1/models");
        let responses = elsewhere.url("/v1/responses");
        let stub = Stub::start(vec![
            Route::redirect("GET", "/v1/models", code, &models),
            Route::redirect("POST", "/v1/responses", code, &responses),
        ]);
        let w = world(&stub.url("/v1"));
        for format in ["text", "json"] {
            let a = cmd(&w)
                .env("STUB_USER", "team-ada-42")
                .args(["probe", "--responses", "--format", format])
                .assert()
                .code(1);
            let text = output(&a);
            assert!(text.contains("another host"), "{code}: {text}");
            assert!(text.contains("Codex would follow it"), "{code}: {text}");
            for success in ["key accepted", "Codex can use this provider", "\"ok\""] {
                assert!(!text.contains(success), "{code}: {text}");
            }
            assert!(!text.contains(KEY) && !text.contains("team-ada"), "{text}");
        }
        assert!(
            elsewhere.seen().is_empty(),
            "{code}: the probe followed the redirect: {:?}",
            elsewhere.seen()
        );
    }
}

/// A `Location` that names another host without a scheme, as URL parsers
/// read it (`//host:port/...`, `/\\host:port/...`), is another host too.
#[test]
fn probe_reads_a_scheme_relative_redirect_as_another_host() {
    let elsewhere = Stub::start(vec![Route::new("GET", "/v1/models", 200, MODELS)]);
    let authority = elsewhere
        .url("")
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/').to_owned())
        .unwrap();
    for location in [
        format!("//{authority}/v1/models"),
        format!("/\\{authority}/v1/models"),
    ] {
        let stub = Stub::start(vec![Route::redirect("GET", "/v1/models", 302, &location)]);
        let w = world(&stub.url("/v1"));
        let a = cmd(&w).args(["probe"]).assert().code(1);
        let text = output(&a);
        assert!(text.contains("another host"), "{location}: {text}");
        assert!(!text.contains("same host"), "{location}: {text}");
    }
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
}

/// A redirect on the same host is a warning that says where it points;
/// the probe does not follow it either, so it never says the key works.
#[test]
fn probe_reports_a_same_host_redirect_without_following_it() {
    let stub = Stub::start(vec![
        Route::redirect("GET", "/v1/models", 307, "/v2/models"),
        Route::new("GET", "/v2/models", 200, MODELS),
    ]);
    let w = world(&stub.url("/v1"));
    let a = cmd(&w).args(["probe"]).assert().success();
    let text = output(&a);
    assert!(
        text.contains("307: redirects to /v2/models on the same host"),
        "{text}"
    );
    assert!(!text.contains("key accepted"), "{text}");
    assert_eq!(stub.seen().len(), 1, "{:?}", stub.seen());
}

/// A variable holding several lines (`$(pass show groq)`: the key, then
/// more lines; a pasted value with CRLF) is hidden line by line: neither
/// its first line (the key) nor any other prints, in text or JSON (issue
/// 20, point 5).
#[test]
fn no_command_prints_any_line_of_a_variable_the_catalog_names() {
    const FIRST: &str = "pw-first-9Qz";
    const SECOND: &str = "login: ada-lovelace";
    let stub = Stub::start(vec![Route::new(
        "GET",
        "/v1/models",
        401,
        &format!("{{\"error\":{{\"message\":\"bad key {FIRST} for {SECOND}\"}}}}"),
    )]);
    let w = world(&stub.url("/v1"));
    // The user's own table, shown in the diff's context, holds each line.
    w.file(
        "codex-home/config.toml",
        &format!(
            "[model_providers.mine]\nname = \"Mine\"\nbase_url = \"https://m.example/v1\"\nhttp_headers = {{ X-Who = \"{FIRST}\", X-Note = \"{SECOND}\" }}\n# {FIRST}\n# {SECOND}\n"
        ),
    );
    for value in [
        format!("{FIRST}\n{SECOND}\n"),
        format!("{FIRST}\r\n{SECOND}\r\n"),
        format!("  {FIRST}\n\n{SECOND}"),
        // Parts a tab or another control character divides: each is hidden.
        format!("{FIRST}\t{SECOND}"),
        format!("{FIRST}\u{1b}{SECOND}\u{b}"),
    ] {
        for var in ["STUB_API_KEY", "STUB_USER"] {
            for args in [
                &["gen", "--diff"][..],
                &["gen", "--diff", "--format", "json"],
                &["probe"],
                &["probe", "--format", "json"],
                &["doctor"],
                &["doctor", "--format", "json"],
                &["show"],
                &["list", "--format", "json"],
            ] {
                let a = cmd(&w).env(var, &value).args(args).assert();
                let text = output(&a);
                for line in [FIRST, SECOND, "ada-lovelace"] {
                    assert!(
                        !text.contains(line),
                        "`codexgen {}` with {var}={value:?} printed {line:?}:\n{text}",
                        args.join(" ")
                    );
                }
            }
        }
    }
}

/// A build without the `network` feature keeps `probe`, which sends nothing,
/// says how to get a build that has it, and fails (docs/building.md).
/// Run with `cargo test --no-default-features --test it without_network`.
#[cfg(not(feature = "network"))]
#[test]
fn probe_without_network_says_how_to_get_it() {
    let stub = Stub::start(vec![Route::new("GET", "/v1/models", 200, MODELS)]);
    let w = world(&stub.url("/v1"));
    let a = cmd(&w).args(["probe", "--responses"]).assert().code(2);
    let text = output(&a);
    assert!(
        text.contains("built without the `network` feature, which `probe` needs"),
        "{text}"
    );
    assert!(text.contains("cargo install --locked codexgen"), "{text}");
    assert!(stub.seen().is_empty(), "{:?}", stub.seen());
}
