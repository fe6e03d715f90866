//! Every kind of bad catalog is refused before anything is rendered, with the
//! file, line and column, the offending line, and what to do; nothing is written.

use predicates::str::contains;

use crate::support::{CATALOG, World, snapshot_dir};

/// Runs `gen --yes` on `catalog`; asserts exit 2, each expected text on
/// stderr, and an untouched Codex home. Returns stderr.
fn refused(catalog: &str, expected: &[&str]) -> String {
    let w = World::new();
    w.catalog(catalog);
    let out = w.cmd().args(["gen", "--yes"]).assert().code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    for text in expected {
        assert!(stderr.contains(text), "expected {text:?} in:\n{stderr}");
    }
    assert!(snapshot_dir(&w.home).is_empty(), "something was written");
    stderr
}

#[test]
fn yaml_syntax_error() {
    refused(
        "schema: 1\nversion: \"1\"\nproviders:\n  a: [unclosed\n",
        &[
            "providers.yaml is not valid YAML",
            "--> providers.yaml:4:",
            "4 |   a: [unclosed",
        ],
    );
}

#[test]
fn unknown_key_with_suggestion() {
    refused(
        &CATALOG.replace(
            "    base_url: https://alpha.example/v1",
            "    base_ulr: https://alpha.example/v1",
        ),
        &[
            "unknown key `base_ulr` in provider `alpha-p`",
            "--> providers.yaml:7:5",
            "7 |     base_ulr: https://alpha.example/v1",
            "^^^^^^^^ did you mean `base_url`?",
            "help: known keys here: name, base_url",
        ],
    );
}

#[test]
fn unknown_profile_key_with_suggestion() {
    refused(
        &CATALOG.replace("model_reasoning_effort: high", "reasoning_effort: high"),
        &[
            "unknown key `reasoning_effort` in profile `beta`",
            "providers.yaml:21:5",
            "did you mean `model_reasoning_effort`?",
        ],
    );
}

#[test]
fn newer_schema() {
    refused(
        &CATALOG.replace("schema: 1", "schema: 2"),
        &[
            "catalog schema 2 is newer than this codexgen understands",
            "providers.yaml:1:9",
            "upgrade codexgen",
        ],
    );
}

#[test]
fn unknown_schema() {
    refused(
        &CATALOG.replace("schema: 1", "schema: one"),
        &["unknown catalog `schema`", "providers.yaml:1:9"],
    );
    refused(
        &CATALOG.replace("schema: 1\n", ""),
        &["the catalog has no `schema`", "add `schema: 1`"],
    );
}

#[test]
fn profile_naming_a_missing_provider() {
    refused(
        &CATALOG.replace("provider: beta-p", "provider: beta-q"),
        &[
            "profile `beta` names a missing provider `beta-q`",
            "providers.yaml:19:15",
            "did you mean `beta-p`?",
            "openai, ollama, lmstudio",
        ],
    );
}

#[test]
fn builtin_providers_may_be_used_but_not_defined() {
    let w = World::new();
    w.catalog(&CATALOG.replace("provider: beta-p", "provider: ollama"));
    w.cmd().args(["gen", "--diff"]).assert().success();
    refused(
        &CATALOG
            .replace("  beta-p:\n", "  ollama:\n")
            .replace("provider: beta-p", "provider: ollama"),
        &[
            "provider id `ollama` is one of Codex's built-in providers",
            "providers.yaml:9:3",
            "Codex 0.169.0 refuses to load such a table (`[model_providers.ollama]`)",
            "local_ollama",
        ],
    );
}

#[test]
fn default_naming_a_missing_profile() {
    refused(
        &CATALOG.replace("default: alpha", "default: alpah"),
        &[
            "`default` names a missing profile `alpah`",
            "providers.yaml:3:10",
            "did you mean `alpha`?",
        ],
    );
}

#[test]
fn base_url_that_is_not_http() {
    refused(
        &CATALOG.replace("https://alpha.example/v1", "ftp://alpha.example/v1"),
        &[
            "`base_url` \"ftp://alpha.example/v1\" is not usable",
            "providers.yaml:7:15",
            "not an http(s) URL",
        ],
    );
    refused(
        &CATALOG.replace(
            "https://alpha.example/v1",
            "https://alpha.example/v1/responses/",
        ),
        &["includes the endpoint path"],
    );
}

#[test]
fn env_key_that_is_not_a_variable_name() {
    refused(
        &CATALOG.replace("env_key: ALPHA_API_KEY", "env_key: ALPHA-API-KEY"),
        &[
            "`env_key` of provider `alpha-p` is not an environment variable name",
            "providers.yaml:8:14",
        ],
    );
}

#[test]
fn env_key_holding_a_literal_secret_is_refused_without_printing_it() {
    let secret = "gsk_live_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
    let stderr = refused(
        &CATALOG.replace("env_key: ALPHA_API_KEY", &format!("env_key: {secret}")),
        &[
            "looks like an API key, not a variable name",
            "providers.yaml:8:14",
            "env_key: <redacted>",
        ],
    );
    assert!(!stderr.contains("gsk_live"), "the secret leaked:\n{stderr}");
}

#[test]
fn literal_tokens_and_credential_headers_are_refused_without_printing_them() {
    let stderr = refused(
        &CATALOG.replace(
            "    env_key: BETA_API_KEY\n",
            "    env_key: BETA_API_KEY\n    experimental_bearer_token: tok-123456789\n    http_headers: {Authorization: \"Bearer abc-987654321\"}\n",
        ),
        &["carries a literal token (`experimental_bearer_token`)", "header `Authorization` of provider `beta-p` holds a literal credential", "env_http_headers"],
    );
    assert!(
        !stderr.contains("tok-123456789") && !stderr.contains("abc-987654321"),
        "a secret leaked:\n{stderr}"
    );
}

/// A header named for a credential is one, whatever its value looks like.
#[test]
fn headers_named_for_credentials_are_refused_without_printing_them() {
    let stderr = refused(
        &CATALOG.replace(
            "    env_key: BETA_API_KEY\n",
            "    env_key: BETA_API_KEY\n    http_headers: {X-Auth-Token: pass-one-word, x-goog-api-key: pass-two-word, Cookie: sid=pass-three-word, X-Title: Mine}\n",
        ),
        &[
            "header `X-Auth-Token` of provider `beta-p` holds a literal credential",
            "header `x-goog-api-key` of provider `beta-p` holds a literal credential",
            "header `Cookie` of provider `beta-p` holds a literal credential",
        ],
    );
    assert!(!stderr.contains("X-Title"), "{stderr}");
    assert!(!stderr.contains("pass-"), "a secret leaked:\n{stderr}");
}

#[test]
fn duplicate_keys() {
    refused(
        &CATALOG.replace("  beta:\n", "  alpha:\n"),
        &[
            "duplicate mapping key: alpha",
            "providers.yaml:18:3",
            "18 |   alpha:",
        ],
    );
}

#[test]
fn chat_wire_api_is_refused_for_current_codex() {
    refused(
        &CATALOG.replace(
            "    env_key: ALPHA_API_KEY\n",
            "    env_key: ALPHA_API_KEY\n    wire_api: chat\n",
        ),
        &[
            "provider `alpha-p` uses `wire_api: chat`, which Codex 0.169.0 refuses to load",
            "providers.yaml:9:15",
            "removed the chat wire API in 0.95.0",
            "wire_api: responses",
        ],
    );
}

#[test]
fn values_codex_does_not_accept() {
    refused(
        &CATALOG.replace(
            "model_reasoning_effort: high",
            "model_reasoning_effort: hgih",
        ),
        &[
            "`model_reasoning_effort: hgih` in profile `beta` is not a value Codex accepts",
            "did you mean `high`?",
        ],
    );
    refused(
        &CATALOG.replace("model_reasoning_effort: high", "approval_policy: untrusted"),
        &[
            "`approval_policy: untrusted`",
            "Codex 0.169.0 accepts: on-request, on-failure, never",
        ],
    );
    refused(
        &CATALOG.replace(
            "    env_key: ALPHA_API_KEY\n",
            "    env_key: ALPHA_API_KEY\n    request_max_retries: 500\n",
        ),
        &["500 is out of range", "Codex caps retries at 100"],
    );
    refused(
        &CATALOG.replace("version: \"t1\"", "version: 2026.10"),
        &["must be a string", "quote it"],
    );
}

#[test]
fn credentials_in_urls_and_query_parameters_are_refused() {
    let stderr = refused(
        &CATALOG.replace(
            "https://alpha.example/v1",
            "https://me:sk-proj-abcdef123456@alpha.example/v1",
        ),
        &[
            "carries a user name or password",
            "https://<redacted>@alpha.example/v1",
        ],
    );
    assert!(!stderr.contains("abcdef123456"), "{stderr}");
    let stderr = refused(
        &CATALOG.replace(
            "{api-version: \"2025-04-01-preview\"}",
            "{key: AIzaSyD3adb33fC0ffee0123456789}",
        ),
        &[
            "query parameter `key` of provider `beta-p` holds a literal credential",
            "env_http_headers",
        ],
    );
    assert!(!stderr.contains("AIzaSyD3adb33f"), "{stderr}");
}

#[test]
fn values_that_look_like_keys_are_never_echoed() {
    let stderr = refused(
        &CATALOG.replace("default: alpha", "default: gsk_SECRETsecret0123456789"),
        &["`default` holds what looks like a credential"],
    );
    assert!(!stderr.contains("SECRETsecret"), "{stderr}");
}

#[test]
fn missing_required_keys() {
    refused(
        &CATALOG.replace("    base_url: https://alpha.example/v1\n", ""),
        &["provider `alpha-p` has no `base_url`", "providers.yaml:5:3"],
    );
    refused(
        &CATALOG.replace("    model: beta-2\n", ""),
        &["profile `beta` has no `model`", "providers.yaml:18:3"],
    );
    refused("", &["the catalog is empty", "start with `schema: 1`"]);
}

#[test]
fn names_that_would_escape_the_codex_home_are_refused() {
    refused(
        &CATALOG.replace("  beta:\n", "  ../evil:\n"),
        &["profile name `../evil` has characters codexgen does not allow"],
    );
}

#[test]
fn all_problems_are_reported_in_one_run() {
    let bad = CATALOG
        .replace(
            "base_url: https://alpha.example/v1",
            "base_ulr: https://alpha.example/v1",
        )
        .replace("env_key: BETA_API_KEY", "env_key: 9LIVES")
        .replace("provider: beta-p", "provider: nope")
        .replace("default: alpha", "default: zeta");
    let stderr = refused(
        &bad,
        &[
            "unknown key `base_ulr`",
            // Not a variable's name, so maybe a key: not shown.
            "`env_key` of provider `beta-p` is not an environment variable name",
            "env_key: <redacted>",
            "missing provider `nope`",
            "missing profile `zeta`",
        ],
    );
    assert!(
        stderr.contains("4 problems in the catalog; nothing was written"),
        "{stderr}"
    );
    // The typo is reported once, not again as a missing `base_url`.
    assert!(!stderr.contains("has no `base_url`"), "{stderr}");
}

#[test]
fn errors_in_an_overlay_name_the_overlay() {
    let w = World::new();
    let base = w.catalog(CATALOG);
    let overlay = w.file(
        "mine.yaml",
        "schema: 1\nprofiles:\n  alpha:\n    modle: x\n",
    );
    w.cmd()
        .args(["gen", "--diff", "--catalog"])
        .arg(&base)
        .arg("--catalog")
        .arg(&overlay)
        .assert()
        .code(2)
        .stderr(contains("mine.yaml:4:5"))
        .stderr(contains("did you mean `model`?"));
}

/// Every catalog string reaches a file, a terminal or a shell: a control
/// character or a bidirectional override is refused wherever it is, and
/// the error shows it escaped (issue 9, class 1).
#[test]
fn control_characters_are_refused_in_every_string() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "version: \"t1\"",
            "version: \"t1\\r\"",
            "`version` of the catalog",
        ),
        (
            "name: Alpha",
            "name: \"Al\\u001bpha\"",
            "`name` of provider `alpha-p`",
        ),
        (
            "model: alpha-1",
            "model: \"alpha-1\\n-c x\"",
            "`model` of profile `alpha`",
        ),
        (
            "base_url: https://alpha.example/v1",
            "base_url: \"https://alpha.example/v1\\u0007\"",
            "`base_url`",
        ),
        (
            "\"2025-04-01-preview\"",
            "\"2025\\u202e-04\"",
            "`api-version` in `query_params` of provider `beta-p`",
        ),
        ("default: alpha", "default: \"alpha\\u0085\"", "`default`"),
        (
            "env_key: BETA_API_KEY",
            "env_key: BETA_API_KEY\n    env_key_instructions: \"see\\u2028the wiki\"",
            "`env_key_instructions` of provider `beta-p`",
        ),
    ];
    for (from, to, what) in cases {
        let stderr = refused(
            &CATALOG.replacen(from, to, 1),
            &[&format!("{what} holds the control character \\u{{")],
        );
        assert!(
            stderr
                .lines()
                .all(|l| !l.contains(|c: char| c.is_control())),
            "{stderr}"
        );
    }
    refused(
        &CATALOG.replace(
            "query_params: {api-version: \"2025-04-01-preview\"}",
            "http_headers: {\"X-A\\nB\": x}",
        ),
        &["`http_headers` of provider `beta-p` has an invalid name \"X-A\\nB\""],
    );
    refused(
        &CATALOG.replace(
            "model: alpha-1",
            "model: --dangerously-bypass-approvals-and-sandbox",
        ),
        &["`model` of profile `alpha` starts with `-`"],
    );
}

/// Credentials pasted into the catalog are refused wherever they are, and
/// never echoed (issue 9, class 3).
#[test]
fn literal_credentials_are_refused_in_every_field() {
    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    const TOKEN: &str = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg";
    let cases = [
        (
            "query_params: {api-version: \"2025-04-01-preview\"}".to_owned(),
            format!("http_headers: {{X-Session: \"{JWT}\"}}"),
            "header `X-Session` of provider `beta-p` holds a literal credential",
        ),
        (
            "query_params: {api-version: \"2025-04-01-preview\"}".to_owned(),
            "query_params: {sig: \"abc\"}".to_owned(),
            "query parameter `sig` of provider `beta-p` holds a literal credential",
        ),
        (
            "query_params: {api-version: \"2025-04-01-preview\"}".to_owned(),
            "query_params: {X-Amz-Signature: \"x1\", api-version: \"1\"}".to_owned(),
            "query parameter `X-Amz-Signature` of provider `beta-p`",
        ),
        (
            "query_params: {api-version: \"2025-04-01-preview\"}".to_owned(),
            format!("query_params: {{tenant: \"{TOKEN}\"}}"),
            "query parameter `tenant` of provider `beta-p` holds a literal credential",
        ),
        (
            "env_key: BETA_API_KEY".to_owned(),
            format!(
                "env_key: BETA_API_KEY\n    env_key_instructions: \"ask ops, or use {TOKEN} for now\""
            ),
            "`env_key_instructions` of provider `beta-p` holds what looks like a credential",
        ),
        (
            "name: Beta".to_owned(),
            format!("name: \"Beta {JWT}\""),
            "`name` of provider `beta-p` holds what looks like a credential",
        ),
    ];
    for (from, to, message) in &cases {
        let stderr = refused(&CATALOG.replacen(from.as_str(), to, 1), &[message]);
        assert!(!stderr.contains(JWT) && !stderr.contains(TOKEN), "{stderr}");
        assert!(
            stderr.contains("env_"),
            "points at env_key/env_http_headers: {stderr}"
        );
    }
}

#[test]
fn a_huge_value_is_refused_and_shown_cut() {
    let huge = "m".repeat(10 * 1024 * 1024);
    let stderr = refused(
        &CATALOG.replace("model: alpha-1", &format!("model: {huge}")),
        &[
            "`model` of profile `alpha` is 10 MiB long, more than the 64 KiB a catalog value may be",
            "--> providers.yaml:17:12",
        ],
    );
    assert!(stderr.len() < 2000, "stderr is {} bytes", stderr.len());
    // Just under the limit is fine, and written as it is.
    let w = World::new();
    let long = "m".repeat(64 * 1024);
    w.catalog(&CATALOG.replace("model: alpha-1", &format!("model: {long}")));
    w.gen_yes();
    assert!(w.read("config.toml").contains(&long));
}
