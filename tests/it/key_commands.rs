//! Providers whose key comes from a command (`auth:` in the catalog,
//! `[model_providers.ID.auth]` for Codex 0.118+), and Codex's Amazon Bedrock
//! built-ins: the catalog's checks, what `gen` writes, and what `doctor`,
//! `probe`, `exec`, `aliases` and `list` do with such a provider. The key
//! commands are small shell scripts in the scratch folder; the tokens they
//! print must never appear in anything codexgen prints.

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

use crate::http_stub::{Route, Stub};
use crate::support::World;

/// What the key commands print: shaped like a real key, so that the
/// heuristics for secret-looking words would hide it too; the tests check
/// that it is concealed as the command's output, whatever its shape.
const TOKEN: &str = "vault-tok-K7wq2ZrX9pLm4Tn8Vb3s";

const MODELS: &str = r#"{"data":[{"id":"corp-model-1"}]}"#;

/// A shell script in the scratch `bin/` folder, executable.
#[cfg(unix)]
fn script(w: &World, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = w.file(&format!("bin/{name}"), &format!("#!/bin/sh\n{body}\n"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// A catalog with one command-backed provider `corp` at `base_url`, whose
/// `auth:` block is `auth` (indented under the provider), used by the
/// default profile `main`.
fn catalog(base_url: &str, auth: &str) -> String {
    format!(
        "schema: 1\nversion: \"t1\"\ndefault: main\nproviders:\n  corp:\n    name: Corp\n    base_url: {base_url}\n    auth:\n{auth}profiles:\n  main:\n    provider: corp\n    model: corp-model-1\n"
    )
}

fn auth_block(command: &std::path::Path, extra: &str) -> String {
    format!("      command: {}\n{extra}", command.display())
}

/// A world whose catalog's one provider `corp` gets its key from the script
/// `print-token` (which prints [`TOKEN`]), used by the default profile.
#[cfg(unix)]
fn corp_world() -> (World, PathBuf) {
    let w = World::new();
    let tok = script(&w, "print-token", &format!("echo {TOKEN}"));
    w.catalog(&catalog(
        "https://llm.corp.example/v1",
        &auth_block(&tok, ""),
    ));
    (w, tok)
}

fn cmd(w: &World) -> Command {
    let mut cmd = w.cmd();
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
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

/// Asserts that no part of the token (4 characters in a row) was printed.
fn no_token(text: &str) {
    let chars: Vec<char> = TOKEN.chars().collect();
    for window in chars.windows(6) {
        let part: String = window.iter().collect();
        assert!(
            !text.contains(&part),
            "`{part}` of the token printed:\n{text}"
        );
    }
}

#[test]
#[cfg(unix)]
fn gen_writes_the_auth_table_and_reads_back_in_sync() {
    let w = World::new();
    let tok = script(&w, "print-token", &format!("echo {TOKEN}"));
    w.catalog(&catalog(
        "https://llm.corp.example/v1",
        &auth_block(
            &tok,
            "      args: [read, \"op://Team/Corp API/credential\"]\n      timeout_ms: 10000\n      refresh_interval_ms: 0\n",
        ),
    ));
    w.gen_yes();
    let config = w.read("config.toml");
    let expected = format!(
        "[model_providers.corp]\nname = \"Corp\"\nbase_url = \"https://llm.corp.example/v1\"\nwire_api = \"responses\"\n\n[model_providers.corp.auth]\ncommand = \"{}\"\nargs = [\"read\", \"op://Team/Corp API/credential\"]\ntimeout_ms = 10000\nrefresh_interval_ms = 0\n",
        tok.display()
    );
    assert!(config.contains(&expected), "{config}");
    assert!(!config.contains("env_key"), "{config}");
    w.cmd().args(["gen", "--check"]).assert().success();

    // A hand edit of the command is drift, and the catalog's value comes back.
    std::fs::write(
        w.home.join("config.toml"),
        config.replace("timeout_ms = 10000", "timeout_ms = 1"),
    )
    .unwrap();
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stdout(contains(
            "drift: config.toml: `model_providers.corp.auth.timeout_ms` was set to 1 by hand (codexgen wrote 10000)",
        ));
    w.cmd()
        .args(["gen", "--yes", "--overwrite"])
        .assert()
        .success();
    assert!(w.read("config.toml").contains("timeout_ms = 10000"));

    // Dropping `auth` from the catalog removes the table it wrote, and
    // nothing else.
    w.catalog(
        "schema: 1\nversion: \"t2\"\ndefault: main\nproviders:\n  corp:\n    name: Corp\n    base_url: https://llm.corp.example/v1\n    env_key: CORP_API_KEY\nprofiles:\n  main:\n    provider: corp\n    model: corp-model-1\n",
    );
    w.gen_yes();
    let config = w.read("config.toml");
    assert!(!config.contains("auth"), "{config}");
    assert!(config.contains("env_key = \"CORP_API_KEY\""), "{config}");
}

#[test]
fn a_provider_gets_its_key_one_way() {
    let w = World::new();
    w.catalog(&catalog(
        "https://llm.corp.example/v1",
        "      command: op\n    env_key: CORP_API_KEY\n    requires_openai_auth: true\n",
    ));
    let a = w
        .cmd()
        .args(["validate", "--format", "json"])
        .assert()
        .code(2);
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let problems = v["problems"].as_array().unwrap();
    let codes: Vec<&str> = problems
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["key-sources", "key-sources"], "{v:#}");
    assert_eq!(
        problems[0]["message"],
        "provider `corp` has two ways to get its key: `env_key` and `auth`"
    );
    assert_eq!(problems[0]["line"], 8, "at the `auth:` line: {v:#}");
    assert_eq!(
        problems[1]["message"],
        "provider `corp` has `auth` and `requires_openai_auth: true`"
    );
    // A personal overlay that brings `auth` over a team's `env_key` is told
    // how to drop the team's, at its own line; with `env_key: ~` it is valid.
    w.catalog(
        "schema: 1\nversion: \"t1\"\ndefault: main\nproviders:\n  corp:\n    base_url: https://llm.corp.example/v1\n    env_key: CORP_API_KEY\nprofiles:\n  main:\n    provider: corp\n    model: corp-model-1\n",
    );
    let overlay = "schema: 1\nproviders:\n  corp:\n    auth: {command: op}\n";
    w.file("work/providers.local.yaml", overlay);
    w.cmd()
        .arg("validate")
        .assert()
        .code(2)
        .stderr(contains("--> providers.local.yaml:4:5"))
        .stderr(contains(
            "an overlay drops the team catalog's with `env_key: ~`",
        ));
    w.file(
        "work/providers.local.yaml",
        &format!("{overlay}    env_key: ~\n"),
    );
    w.cmd().arg("validate").assert().success();
}

#[test]
fn auth_needs_codex_0_118_and_a_command_that_does_not_move_with_cd() {
    let w = World::new();
    w.catalog(&catalog(
        "https://llm.corp.example/v1",
        "      command: op\n",
    ));
    w.cmd()
        .args(["validate", "--codex-version", "0.117.0"])
        .assert()
        .code(2)
        .stderr(contains(
            "`auth` of provider `corp` needs Codex 0.118.0 or newer; the target is Codex 0.117.0",
        ))
        .stderr(contains("name the key's variable in `env_key` instead"));
    w.cmd()
        .args(["validate", "--codex-version", "0.118.0"])
        .assert()
        .success();

    // Without `cwd`, Codex takes a relative path from wherever it starts.
    let cases = [
        (
            "      command: bin/print-token\n",
            Some("is a relative path, and there is no `cwd`"),
        ),
        (
            "      command: bin/print-token\n      cwd: /opt/keys\n",
            None,
        ),
        ("      command: bin/print-token\n      cwd: keys\n", None),
        (
            "      command: \" op\"\n",
            Some("has leading or trailing spaces"),
        ),
        (
            "      command: \"\"\n",
            Some("`command` of `auth` of provider `corp` is empty"),
        ),
        ("      args: [read]\n", Some("has no `command`")),
        (
            "      command: op\n      args: read\n",
            Some("must be a list"),
        ),
        (
            "      command: op\n      timeout_ms: 0\n",
            Some("0 is out of range"),
        ),
        (
            "      command: op\n      cwd: \"\"\n",
            Some("`cwd` of `auth` of provider `corp` is empty"),
        ),
        (
            "      command: op\n      shell: true\n",
            Some("unknown key `shell`"),
        ),
        (
            "      command: echo\n      args: [sk-proj-Zk3J9qLx7Vb2Nw5Rt8Yp1Hc4Md6Fg0Ka]\n",
            Some("looks like a credential"),
        ),
    ];
    for (auth, problem) in cases {
        w.catalog(&catalog("https://llm.corp.example/v1", auth));
        let a = w.cmd().arg("validate").assert();
        match problem {
            Some(problem) => {
                let text = output(&a.code(2));
                assert!(text.contains(problem), "{auth}:\n{text}");
                assert!(
                    !text.contains("Zk3J9qLx7Vb2"),
                    "the key is not shown:\n{text}"
                );
            }
            None => {
                a.success();
            }
        }
    }
}

#[test]
fn amazon_bedrock_is_a_built_in_whose_table_changes_few_keys() {
    let w = World::new();
    let bedrock = |table: &str| {
        format!(
            "schema: 1\nversion: \"t1\"\ndefault: bed\nproviders:\n  amazon-bedrock:\n{table}profiles:\n  bed:\n    provider: amazon-bedrock\n    model: openai.gpt-oss-120b-1:0\n"
        )
    };
    // Using the built-in needs no table, from 0.123.0; before, it is no provider.
    w.catalog("schema: 1\nversion: \"t1\"\ndefault: bed\nprofiles:\n  bed:\n    provider: amazon-bedrock\n    model: m\n");
    w.cmd()
        .args(["validate", "--codex-version", "0.123.0"])
        .assert()
        .success();
    w.cmd()
        .args(["validate", "--codex-version", "0.122.0"])
        .assert()
        .code(2)
        .stderr(contains("names a missing provider `amazon-bedrock`"));
    w.catalog("schema: 1\nversion: \"t1\"\ndefault: rt\nprofiles:\n  rt:\n    provider: amazon-bedrock-runtime\n    model: m\n");
    w.cmd()
        .args(["validate", "--codex-version", "0.148.0"])
        .assert()
        .success();
    w.cmd()
        .args(["validate", "--codex-version", "0.147.0"])
        .assert()
        .code(2);

    // What a table may change grew release by release.
    let cases: [(&str, &str, Option<&str>); 8] = [
        ("    aws: {profile: dev}\n", "0.123.0", None),
        (
            "    aws: {profile: dev, region: us-east-1}\n",
            "0.123.0",
            Some("`region` of `aws` of provider `amazon-bedrock` needs Codex 0.124.0 or newer"),
        ),
        (
            "    base_url: https://gw.example/v1\n",
            "0.144.0",
            Some(
                "lets a table for its built-in `amazon-bedrock` change only aws.profile, aws.region",
            ),
        ),
        (
            "    base_url: https://gw.example/v1\n    auth: {command: op}\n",
            "0.145.0",
            None,
        ),
        (
            "    name: Amazon Bedrock\n",
            "0.169.0",
            Some("remove it: Codex names its built-in provider itself"),
        ),
        (
            "    aws: {profile: dev, credential_export: {command: aws-creds}}\n",
            "0.169.0",
            Some("has both `credential_export` and `profile`"),
        ),
        (
            "    aws: {auth_refresh: {command: /usr/bin/aws, args: [sso, login]}}\n",
            "0.169.0",
            Some("runs another program than `aws`"),
        ),
        (
            "    auth: {command: op}\n    aws: {region: us-east-1}\n",
            "0.169.0",
            Some("two ways to get its key: `auth` and `aws`"),
        ),
    ];
    validates_as_said(&w, bedrock, &cases);

    // `aws` anywhere else is refused, as Codex 0.123+ refuses it.
    w.catalog(&catalog(
        "https://llm.corp.example/v1",
        "      command: op\n    aws: {profile: dev}\n",
    ));
    w.cmd().arg("validate").assert().code(2).stderr(contains(
        "Codex signs with AWS only for its built-in `amazon-bedrock` provider",
    ));
}

#[test]
fn gen_writes_only_the_keys_a_bedrock_table_sets() {
    let w = World::new();
    w.catalog(&format!(
        "schema: 1\nversion: \"t1\"\ndefault: bed\nproviders:\n  amazon-bedrock:\n{}profiles:\n  bed:\n    provider: amazon-bedrock\n    model: openai.gpt-oss-120b-1:0\n",
        "    aws:\n      profile: dev\n      region: us-east-1\n      auth_refresh: {command: aws, args: [sso, login]}\n",
    ));
    w.gen_yes();
    let config = w.read("config.toml");
    assert!(
        config.contains(
            "\n[model_providers.amazon-bedrock.aws]\nprofile = \"dev\"\nregion = \"us-east-1\"\nauth_refresh = { command = \"aws\", args = [\"sso\", \"login\"] }\n"
        ),
        "{config}"
    );
    assert!(!config.contains("name ="), "{config}");
    w.cmd().args(["gen", "--check"]).assert().success();
}

#[test]
#[cfg(unix)]
fn probe_sends_the_commands_output_as_the_key_and_never_prints_it() {
    let stub = Stub::start(vec![Route::new("GET", "/v1/models", 200, MODELS)]);
    let w = World::new();
    let tok = script(&w, "print-token", &format!("printf '  {TOKEN}\\n\\n'"));
    w.catalog(&catalog(&stub.url("/v1"), &auth_block(&tok, "")));
    let a = cmd(&w).arg("probe").assert().success();
    let text = output(&a);
    assert!(
        text.contains("200: key accepted; model `corp-model-1` is listed"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "running the key command of `corp`: {}",
            tok.display()
        )),
        "{text}"
    );
    no_token(&text);
    let seen = stub.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    // Trimmed, as Codex trims it.
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    // A 401 body that echoes the key back is scrubbed of it.
    let stub = Stub::start(vec![Route::new(
        "GET",
        "/v1/models",
        401,
        &format!(r#"{{"error":{{"message":"Incorrect API key provided: {TOKEN}"}}}}"#),
    )]);
    w.catalog(&catalog(&stub.url("/v1"), &auth_block(&tok, "")));
    let a = cmd(&w).args(["probe", "--format", "json"]).assert().code(1);
    let text = output(&a);
    assert!(text.contains("the key was rejected"), "{text}");
    assert!(
        text.contains(&format!(
            "check that the key command `{}` prints",
            tok.display()
        )),
        "{text}"
    );
    no_token(&text);
}

#[test]
#[cfg(unix)]
fn probe_says_why_a_key_command_gives_no_key_and_sends_nothing() {
    let stub = Stub::start(vec![Route::new("GET", "/v1/models", 200, MODELS)]);
    let w = World::new();
    let cases = [
        (
            "fails",
            format!("echo {TOKEN}; echo 'op: not signed in; token {TOKEN}' >&2; exit 3"),
            "it failed (exit status: 3); run it yourself to see why",
        ),
        (
            "hangs",
            "command -p sleep 30".to_owned(),
            "it did not finish within 300 ms (its timeout_ms) and was stopped",
        ),
        (
            "stderr-only",
            format!("echo {TOKEN} >&2"),
            "it printed nothing on standard output, where Codex reads the key",
        ),
        (
            "two-lines",
            format!("echo {TOKEN}; echo second"),
            "it printed more than one line; Codex then sends no key at all",
        ),
    ];
    for (name, body, why) in cases {
        let tok = script(&w, name, &body);
        w.catalog(&catalog(
            &stub.url("/v1"),
            &auth_block(&tok, "      timeout_ms: 300\n"),
        ));
        let started = std::time::Instant::now();
        let a = cmd(&w).arg("probe").assert().code(1);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        let text = output(&a);
        assert!(
            text.contains(&format!(
                "not probed: Codex cannot get the key: no key from `{}` ({why}), so it sends none",
                tok.display()
            )),
            "{name}:\n{text}"
        );
        no_token(&text);
    }
    w.catalog(&catalog(
        &stub.url("/v1"),
        "      command: no-such-key-program\n",
    ));
    let a = cmd(&w).arg("probe").assert().code(1);
    let text = output(&a);
    assert!(
        text.contains("`no-such-key-program` is not on PATH"),
        "{text}"
    );
    assert!(stub.seen().is_empty(), "{:?}", stub.seen());
}

#[test]
#[cfg(unix)]
fn doctor_finds_the_key_command_without_running_it() {
    let w = World::new();
    let marker = w.root.join("ran");
    let tok = script(
        &w,
        "print-token",
        &format!("command -p touch '{}'; echo {TOKEN}", marker.display()),
    );
    w.catalog(&catalog(
        "https://llm.corp.example/v1",
        &auth_block(&tok, ""),
    ));
    w.gen_yes();
    let a = w.cmd().arg("doctor").assert().success();
    let text = output(&a);
    assert!(
        text.contains(&format!(
            "key from `{0}` ({0}); not run here (`codexgen probe` runs it)",
            tok.display()
        )),
        "{text}"
    );
    assert!(!marker.exists(), "doctor ran the key command");

    // Commands that fail, hang or print their key to stderr: doctor never
    // runs them, so it neither waits nor prints anything of theirs.
    for (name, body) in [
        ("fails", format!("echo {TOKEN} >&2; exit 3")),
        ("hangs", "command -p sleep 30".to_owned()),
        ("stderr-only", format!("echo {TOKEN} >&2")),
    ] {
        let tok = script(&w, name, &body);
        w.catalog(&catalog(
            "https://llm.corp.example/v1",
            &auth_block(&tok, "      timeout_ms: 300\n"),
        ));
        w.gen_yes();
        let started = std::time::Instant::now();
        let a = w.cmd().args(["doctor", "main"]).assert().success();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{name}"
        );
        let text = output(&a);
        assert!(text.contains("not run here"), "{name}:\n{text}");
        no_token(&text);
    }

    // Not executable: an error in scope (the default profile uses it).
    let plain = w.file("bin/plain-token", "echo x\n");
    w.catalog(&catalog(
        "https://llm.corp.example/v1",
        &auth_block(&plain, ""),
    ));
    w.gen_yes();
    let a = w.cmd().args(["doctor", "main"]).assert().code(1);
    let text = output(&a);
    assert!(
        text.contains(&format!(
            "Codex cannot get the key (used by profile main): no key from `{}` ({} is not an executable file)",
            plain.display(),
            plain.display()
        )),
        "{text}"
    );
    assert!(text.contains("`chmod +x` the file"), "{text}");

    // A profile out of the default scope whose program is missing is one
    // `info` line, as for an unset key variable.
    w.catalog(&format!(
        "{}  side:\n    provider: side\n    model: s\n",
        catalog("https://llm.corp.example/v1", &auth_block(&tok, ""))
            .replace("profiles:\n", "  side:\n    base_url: https://side.example/v1\n    auth: {command: no-such-key-program}\nprofiles:\n")
    ));
    w.gen_yes();
    let a = w.cmd().arg("doctor").assert().success();
    let text = output(&a);
    assert!(
        text.contains("1 other profile(s) not checked: their key variables are unset: key command `no-such-key-program` (side)"),
        "{text}"
    );
}

#[test]
#[cfg(unix)]
fn exec_and_aliases_need_no_key_variable() {
    let (w, _) = corp_world();
    w.gen_yes();
    w.cmd()
        .args(["exec", "main", "--print"])
        .assert()
        .success()
        .stdout(contains("model_provider=\"corp\""));
    w.cmd()
        .args(["aliases"])
        .assert()
        .success()
        .stdout(contains("codex-main()"));

    // A program that cannot start would leave Codex without a key.
    w.catalog(&catalog(
        "https://llm.corp.example/v1",
        "      command: no-such-key-program\n",
    ));
    w.gen_yes();
    w.cmd()
        .args(["exec", "main", "--print"])
        .assert()
        .code(1)
        .stderr(contains(
            "error: Codex cannot get the key: no key from `no-such-key-program` (`no-such-key-program` is not on PATH), so it sends none and gets a 401",
        ))
        .stdout(predicate::str::is_empty());
}

#[test]
#[cfg(unix)]
fn list_shows_the_command_not_a_variable() {
    let (w, tok) = corp_world();
    let a = w.cmd().arg("list").assert().success();
    let text = output(&a);
    assert!(
        text.contains(&format!("$({})  command", tok.display())),
        "{text}"
    );
    let a = w
        .cmd()
        .args(["list", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["profiles"][0]["key_variable"], serde_json::Value::Null);
    assert_eq!(v["profiles"][0]["key_command"], tok.display().to_string());
    assert_eq!(v["profiles"][0]["key_set"], true);
}

/// The secret-manager recipe of docs/recipes.md (between `<!-- recipe:secret-manager -->`
/// markers) is a valid catalog, and what it writes is what the recipe says.
#[test]
fn the_readme_secret_manager_recipe_is_a_valid_catalog() {
    let readme = include_str!("../../docs/recipes.md");
    let start = readme
        .find("<!-- recipe:secret-manager -->")
        .expect("the recipe's start marker");
    let block = &readme[start..];
    let yaml = block
        .split_once("```yaml\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(yaml, _)| yaml)
        .expect("a yaml block after the marker");
    let w = World::new();
    w.catalog(yaml);
    w.cmd().arg("validate").assert().success();
    // `codex: ">=0.118"` means what it says.
    w.cmd()
        .args(["validate", "--codex-version", "0.117.0"])
        .assert()
        .code(2);
    w.gen_yes();
    let config = w.read("config.toml");
    for line in [
        "[model_providers.groq.auth]\ncommand = \"op\"\nargs = [\"read\", \"op://Private/Groq/credential\"]\ntimeout_ms = 30000\n",
        "[model_providers.together.auth]\ncommand = \"security\"\nargs = [\"find-generic-password\", \"-s\", \"codex-together\", \"-w\"]\n",
        "refresh_interval_ms = 1800000\n",
    ] {
        assert!(config.contains(line), "{line}\n{config}");
    }
    assert!(!config.contains("env_key"), "{config}");
}

/// A failing key command's standard error can hold anything, the key
/// included, in a shape no heuristic knows (a password, a session word):
/// none of it is printed, by `probe` in text or JSON, with `-v` or not.
#[test]
#[cfg(unix)]
fn a_failing_key_commands_stderr_is_never_printed() {
    let stub = Stub::start(vec![Route::new("GET", "/v1/models", 200, MODELS)]);
    let w = World::new();
    let words = ["hunter2-corp", "pw-Tr0ub4dor", "S3cretWord"];
    let tok = script(
        &w,
        "fails-loudly",
        &format!(
            "echo 'session {} expired' >&2; echo 'value was: {}' >&2; echo '{}' >&2; exit 1",
            words[0], words[1], words[2]
        ),
    );
    w.catalog(&catalog(&stub.url("/v1"), &auth_block(&tok, "")));
    for args in [
        &["probe"][..],
        &["probe", "--format", "json"],
        &["-v", "probe"],
    ] {
        let a = cmd(&w).args(args).assert().code(1);
        let text = output(&a);
        assert!(text.contains("it failed (exit status: 1)"), "{text}");
        for word in words {
            assert!(!text.contains(word), "{args:?} printed `{word}`:\n{text}");
        }
    }
    assert!(stub.seen().is_empty(), "{:?}", stub.seen());
}

/// A key of the user's inside the `auth` table codexgen wrote, when the
/// catalog drops `auth` but keeps the provider: without codexgen's
/// `command` Codex 0.118+ refuses the table, and beside the catalog's new
/// `env_key` it refuses it too, so gen stops (nothing written) and names the
/// table, the user's key and the choices. Such a table made by hand is
/// still named: gen warns, doctor errs.
#[test]
#[cfg(unix)]
fn an_auth_table_left_without_its_command_is_named() {
    let (w, _) = corp_world();
    w.gen_yes();
    let config = w.read("config.toml");
    let with_note = config.replace(
        "[model_providers.corp.auth]\n",
        "[model_providers.corp.auth]\nmy_note = \"keep me\"\n",
    );
    std::fs::write(w.home.join("config.toml"), &with_note).unwrap();
    w.catalog(
        "schema: 1\nversion: \"t2\"\ndefault: main\nproviders:\n  corp:\n    name: Corp\n    base_url: https://llm.corp.example/v1\n    env_key: CORP_API_KEY\nprofiles:\n  main:\n    provider: corp\n    model: corp-model-1\n",
    );
    w.cmd()
        .args(["gen", "--yes"])
        .assert()
        .code(2)
        .stderr(contains(
            "error: the catalog no longer writes [model_providers.corp.auth], but it holds keys you added (`my_note`); codexgen will not decide for you",
        ))
        .stderr(contains("codex-home/config.toml:11:1"))
        .stderr(contains(
            "help: remove your keys from [model_providers.corp.auth] (or the whole table)",
        ));
    assert_eq!(w.read("config.toml"), with_note);
    // The same table left without `command` by hand.
    let command = with_note
        .lines()
        .find(|l| l.starts_with("command = "))
        .unwrap()
        .to_owned();
    std::fs::write(
        w.home.join("config.toml"),
        with_note.replace(&format!("{command}\n"), ""),
    )
    .unwrap();
    w.cmd()
        .args(["gen", "--diff"])
        .assert()
        .success()
        .stderr(contains(
            "error: config.toml's [model_providers.corp.auth] has no `command`; Codex 0.171.0 refuses to load config.toml",
        ));
    w.cmd()
        .args(["doctor", "main"])
        .env("CORP_API_KEY", "k-1")
        .assert()
        .code(1)
        .stdout(contains(
            "config.toml's [model_providers.corp.auth] has no `command`; Codex 0.171.0 refuses to load config.toml",
        ));
    // Before 0.118 Codex ignores the table: nothing to say.
    w.cmd()
        .args(["gen", "--diff", "--codex-version", "0.117.0"])
        .assert()
        .success()
        .stderr(contains("[model_providers.corp.auth]").not());
}

/// Codex's built-in `gcp` (0.165.0 on): a profile uses it with no table; a
/// table may change only what Codex lets it (`base_url`, `auth`,
/// `http_headers`; `project_id`, `location`, `credential_file` from
/// 0.166.0), and gen writes only those; its keys elsewhere are refused.
#[test]
fn gcp_is_a_built_in_whose_table_changes_few_keys() {
    let w = World::new();
    let gcp = |table: &str| {
        format!(
            "schema: 1\nversion: \"t1\"\ndefault: vertex\nproviders:\n  gcp:\n{table}profiles:\n  vertex:\n    provider: gcp\n    model: openai.gpt-oss-120b\n"
        )
    };
    w.catalog("schema: 1\nversion: \"t1\"\ndefault: vertex\nprofiles:\n  vertex:\n    provider: gcp\n    model: m\n");
    w.cmd()
        .args(["validate", "--codex-version", "0.165.0"])
        .assert()
        .success();
    w.cmd()
        .args(["validate", "--codex-version", "0.164.0"])
        .assert()
        .code(2)
        .stderr(contains("names a missing provider `gcp`"));

    let cases: [(&str, &str, Option<&str>); 7] = [
        ("    base_url: https://gw.example/v1\n", "0.165.0", None),
        (
            "    project_id: my-project\n",
            "0.165.0",
            Some("lets a table for its built-in `gcp` change only base_url, http_headers, auth"),
        ),
        (
            "    project_id: my-project\n    location: us-central1\n    credential_file: /etc/gcp/key.json\n",
            "0.166.0",
            None,
        ),
        (
            "    credential_file: key.json\n",
            "0.171.0",
            Some("`credential_file: key.json` of provider `gcp` is not an absolute path"),
        ),
        (
            "    name: Vertex\n",
            "0.171.0",
            Some("remove it: Codex names its built-in provider itself"),
        ),
        (
            "    env_key: GCP_KEY\n",
            "0.171.0",
            Some(
                "`env_key` of provider `gcp`: Codex 0.171.0 lets a table for its built-in `gcp` change only",
            ),
        ),
        (
            "    aws: {profile: dev}\n",
            "0.171.0",
            Some(
                "`aws` of provider `gcp`: Codex 0.171.0 lets a table for its built-in `gcp` change only",
            ),
        ),
    ];
    validates_as_said(&w, gcp, &cases);

    // gen writes only what the table sets; a profile needs no more.
    w.catalog(&gcp(
        "    project_id: my-project\n    location: us-central1\n    http_headers: {X-Team: ml}\n",
    ));
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.171.0"])
        .assert()
        .success();
    let config = w.read("config.toml");
    assert!(
        config.contains(
            "[model_providers.gcp]\nhttp_headers = { X-Team = \"ml\" }\nproject_id = \"my-project\"\nlocation = \"us-central1\"\n"
        ),
        "{config}"
    );
    assert!(!config.contains("wire_api"), "{config}");
    assert!(!config.contains("name ="), "{config}");
    assert!(
        w.read("vertex.config.toml")
            .contains("model_provider = \"gcp\"")
    );

    // Its keys anywhere else are refused: Codex does nothing with them there.
    w.catalog(&catalog(
        "https://llm.corp.example/v1",
        "      command: op\n    project_id: my-project\n",
    ));
    w.cmd().arg("validate").assert().code(2).stderr(contains(
        "`project_id` of provider `corp`: Codex reads it only for its built-in `gcp` provider",
    ));
}

/// Provider `capabilities` (Codex 0.162.0 on): checked against the values
/// Codex loads, written as `[model_providers.ID.capabilities]`, refused for
/// an older target and under a built-in's table (Codex refuses it there).
#[test]
fn provider_capabilities_are_checked_gated_and_written() {
    let w = World::new();
    let with = |caps: &str| {
        format!(
            "schema: 1\nversion: \"t1\"\ndefault: main\nproviders:\n  corp:\n    base_url: https://llm.corp.example/v1\n    env_key: CORP_API_KEY\n    capabilities: {caps}\nprofiles:\n  main:\n    provider: corp\n    model: m\n"
        )
    };
    w.catalog(&with(
        "{remote_compaction: v2, external_web_access: true, cyber_access_programs: false}",
    ));
    w.cmd()
        .args(["validate", "--codex-version", "0.161.0"])
        .assert()
        .code(2)
        .stderr(contains(
            "`capabilities` of provider `corp` needs Codex 0.162.0 or newer; the target is Codex 0.161.0",
        ));
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.171.0"])
        .assert()
        .success();
    let config = w.read("config.toml");
    assert!(
        config.contains(
            "\n[model_providers.corp.capabilities]\nremote_compaction = \"v2\"\nexternal_web_access = true\ncyber_access_programs = false\n"
        ),
        "{config}"
    );
    w.cmd()
        .args(["gen", "--check", "--codex-version", "0.171.0"])
        .assert()
        .success();
    for (caps, problem) in [
        ("{remote_compaction: v3}", "`remote_compaction: v3`"),
        ("{external_web_access: \"true\"}", "must be true or false"),
        (
            "{remote_compation: v2}",
            "did you mean `remote_compaction`?",
        ),
    ] {
        w.catalog(&with(caps));
        let text = output(
            &w.cmd()
                .args(["validate", "--codex-version", "0.171.0"])
                .assert()
                .code(2),
        );
        assert!(text.contains(problem), "{caps}:\n{text}");
    }
    w.catalog("schema: 1\nversion: \"t1\"\ndefault: vertex\nproviders:\n  gcp:\n    capabilities: {remote_compaction: v2}\nprofiles:\n  vertex:\n    provider: gcp\n    model: m\n");
    w.cmd()
        .args(["validate", "--codex-version", "0.171.0"])
        .assert()
        .code(2)
        .stderr(contains(
            "`capabilities` of provider `gcp`: Codex 0.171.0 lets a table for its built-in `gcp` change only",
        ));
}

/// Each `(table, version, problem)`: the catalog `make(table)` validates for
/// Codex `version`, or is refused saying `problem`.
fn validates_as_said(w: &World, make: fn(&str) -> String, cases: &[(&str, &str, Option<&str>)]) {
    for &(table, version, problem) in cases {
        w.catalog(&make(table));
        let a = w
            .cmd()
            .args(["validate", "--codex-version", version])
            .assert();
        match problem {
            Some(problem) => {
                let text = output(&a.code(2));
                assert!(text.contains(problem), "{table} on {version}:\n{text}");
            }
            None => {
                a.success();
            }
        }
    }
}
