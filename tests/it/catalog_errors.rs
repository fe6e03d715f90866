//! Every kind of bad catalog is refused before anything is rendered, with the
//! file, line and column, the offending line, and what to do; nothing is written.

use predicates::prelude::*;
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
            "Codex 0.171.0 refuses to load such a table (`[model_providers.ollama]`)",
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
            "duplicate key `alpha`: it is already set above, in this map",
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
            "provider `alpha-p` uses `wire_api: chat`, which Codex 0.171.0 refuses to load",
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
            "Codex 0.171.0 accepts: on-request, on-failure, never",
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

/// A catalog `profiles:` entry named `name` on the built-in provider
/// `alpha-p`, inserted before `alpha`.
fn with_profile(name: &str) -> String {
    CATALOG.replace(
        "profiles:\n",
        &format!("profiles:\n  \"{name}\":\n    provider: alpha-p\n    model: m\n"),
    )
}

/// Profile names are file names (`NAME.config.toml`) on every system Codex
/// runs on: two that differ only in case are one file on macOS's and
/// Windows's default file systems (issue 20, point 8). The later one is
/// blamed, at its own line, naming the earlier one.
#[test]
fn profile_names_that_differ_only_in_case_are_refused() {
    let stderr = refused(
        &CATALOG.replace("  beta:\n", "  Alpha:\n"),
        &[
            "profile names `alpha` and `Alpha` differ only in case",
            "--> providers.yaml:18:3",
            "18 |   Alpha:",
            "one file where file names ignore case (macOS, Windows): alpha.config.toml (line 15)",
        ],
    );
    assert!(stderr.contains("help: rename one of them"), "{stderr}");
    // Across files: the team's `ollama`, an overlay's `OLLAMA`.
    let w = World::new();
    let base = w.catalog(&CATALOG.replace("  beta:\n", "  ollama:\n"));
    let overlay = w.file(
        "mine.yaml",
        "schema: 1\nprofiles:\n  OLLAMA:\n    provider: alpha-p\n    model: m\n",
    );
    w.cmd()
        .args(["validate", "--catalog"])
        .arg(&base)
        .arg("--catalog")
        .arg(&overlay)
        .assert()
        .code(2)
        .stderr(contains(
            "profile names `ollama` and `OLLAMA` differ only in case",
        ))
        .stderr(contains("mine.yaml:3:3"))
        .stderr(contains("providers.yaml:18"));
    // Provider ids are TOML keys, not files: `Alpha-p` beside `alpha-p` is fine.
    let w = World::new();
    w.catalog(
        &CATALOG
            .replace("  beta-p:\n", "  Alpha-p:\n")
            .replace("provider: beta-p", "provider: Alpha-p"),
    );
    w.cmd().arg("validate").assert().success();
}

/// A name outside ASCII letters, digits, `-` and `_` is refused: file systems
/// store and compare other letters differently (macOS normalizes Unicode,
/// case folding goes beyond ASCII), so no two accepted names can be one
/// file but by ASCII case, which the check above catches.
#[test]
fn profile_names_outside_ascii_are_refused_with_the_reason() {
    for name in [
        "\u{1C5}",            // ǅ (title case of Ǆ)
        "\u{1C4}",            // Ǆ
        "\u{C5}ngstr\u{F6}m", // Å as U+00C5
        "\u{212B}ngstrom",    // Å as the Angstrom sign
        "A\u{30A}ngstrom",    // Å as A + combining ring
        "caf\u{E9}",
        "\u{212A}elvin", // the Kelvin sign folds to `k`
    ] {
        refused(
            &with_profile(name),
            &[
                &format!("profile name `{name}` has characters codexgen does not allow"),
                "--> providers.yaml:15:3",
                "use ASCII letters, digits, `-` and `_` only",
            ],
        );
    }
}

/// `NAME.config.toml` must fit in a file name (255 bytes on ext4, APFS,
/// NTFS): the longest name that does is accepted and written; one byte
/// more is refused, and so is a long name of multi-byte letters.
#[test]
fn profile_names_too_long_for_a_file_name_are_refused() {
    let longest = "p".repeat(255 - ".config.toml".len());
    let w = World::new();
    w.catalog(&with_profile(&longest));
    w.cmd().args(["gen", "--yes"]).assert().success();
    assert!(w.exists(&format!("{longest}.config.toml")));

    let one_more = format!("{longest}q");
    refused(
        &with_profile(&one_more),
        &[
            "profile name `pppppppppppppppppppppppppppppppp…` is 244 bytes long",
            "--> providers.yaml:15:3",
            "its file `NAME.config.toml` would pass the 255 bytes a file name may have",
            "at most 243 bytes",
        ],
    );
    refused(
        &with_profile(&"\u{e9}".repeat(120)),
        &["has characters codexgen does not allow"],
    );
}

/// A name starting with `-` is read as an option: `codex -p -x` stops with
/// "unexpected argument '-x' found" (Codex 0.169.0), and so would
/// `codexgen exec -x` and `codexgen probe -x`.
#[test]
fn names_starting_with_a_dash_are_refused() {
    for name in ["-x", "--foo", "-"] {
        refused(
            &with_profile(name),
            &[
                &format!("profile name `{name}` starts with `-`"),
                "--> providers.yaml:15:3",
                &format!("`codex -p {name}` and `codexgen exec {name}` would read it as an option"),
            ],
        );
    }
    refused(
        &CATALOG
            .replace("  beta-p:\n", "  -beta:\n")
            .replace("provider: beta-p", "provider: -beta"),
        &[
            "provider id `-beta` starts with `-`",
            "--> providers.yaml:9:3",
            "`codexgen probe -beta` would read it as an option",
        ],
    );
}

/// Windows reserves device names, with any extension and in any case:
/// `aux.config.toml` cannot be opened there.
#[test]
fn profile_names_windows_reserves_are_refused() {
    for name in ["aux", "Con", "NUL", "com1", "LPT9", "prn"] {
        refused(
            &with_profile(name),
            &[
                &format!("profile name `{name}` is a device name on Windows"),
                "--> providers.yaml:15:3",
            ],
        );
    }
    // A longer name that starts like one is fine.
    let w = World::new();
    w.catalog(&with_profile("console"));
    w.cmd().arg("validate").assert().success();
}

/// `validate --format json` gives each of these its code and place.
#[test]
fn refused_names_have_the_bad_name_code() {
    let w = World::new();
    w.catalog(&CATALOG.replace("  beta:\n", "  Alpha:\n"));
    let out = w
        .cmd()
        .args(["validate", "--format", "json"])
        .assert()
        .code(2);
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let problem = &report["problems"][0];
    assert_eq!(problem["code"], "bad-name", "{report}");
    assert_eq!(problem["line"], 18, "{report}");
    assert_eq!(problem["column"], 3, "{report}");
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

/// Profile keys Codex reads only from a release on are refused for an older
/// target, each with the release that reads it (measured by
/// tools/codex-facts into data/codex-keys.json), and accepted from it.
#[test]
fn profile_keys_newer_than_the_target_are_refused() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "model_reasoning_effort: high",
        "model_reasoning_effort: high\n    personality: pragmatic",
    ));
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.93.0"])
        .assert()
        .code(2)
        .stderr(contains(
            "`personality` of profile `beta` needs Codex 0.94.0 or newer; the target is Codex 0.93.0",
        ))
        .stderr(contains("Codex 0.93.0 ignores it without a word"));
    assert!(snapshot_dir(&w.home).is_empty(), "something was written");
    w.cmd()
        .args(["gen", "--yes", "--codex-version", "0.94.0"])
        .assert()
        .success();
    assert!(
        w.read("config.toml")
            .contains("personality = \"pragmatic\"")
    );
}

/// The keys people copy from old guides are refused with the reason: no
/// Codex reads them (`model_supports_reasoning_summaries` from 0.145.0).
#[test]
fn model_keys_codex_ignores_are_refused_with_the_reason() {
    for (key, value, why) in [
        (
            "model_max_output_tokens",
            "4096",
            "no Codex release reads it (0.89.0-0.171.0 ignore it",
        ),
        (
            "model_reasoning_summary_format",
            "experimental",
            "no Codex release reads it",
        ),
        (
            "model_supports_reasoning_summaries",
            "true",
            "Codex ignores it from 0.145.0",
        ),
    ] {
        let stderr = refused(
            &CATALOG.replace(
                "model_reasoning_effort: high",
                &format!("model_reasoning_effort: high\n    {key}: {value}"),
            ),
            &[
                &format!("`{key}` of profile `beta`: Codex does not read it"),
                why,
                "`model_context_window`",
            ],
        );
        assert!(!stderr.contains("unknown key"), "{stderr}");
    }
}

/// The model-metadata keys: checked against what Codex loads, and read in
/// a profile only where Codex reads them (profile files, 0.134.0 on; the
/// post-turn threshold from 0.156.0).
#[test]
fn model_metadata_keys_are_checked_and_gated() {
    let with = |lines: &str| {
        CATALOG.replace(
            "model_reasoning_effort: high",
            &format!("model_reasoning_effort: high\n{lines}"),
        )
    };
    refused(
        &with("    model_auto_compact_token_limit_scope: everything"),
        &["is not a value Codex accepts", "total, body_after_prefix"],
    );
    refused(
        &with("    model_post_turn_compact_threshold_percent: 101"),
        &["101 is out of range", "expected 0 to 100"],
    );
    refused(&with("    model_context_window: 0"), &["0 is out of range"]);
    refused(
        &with("    model_context_window: \"128k\""),
        &["`model_context_window` of profile `beta` must be a whole number"],
    );
    let w = World::new();
    w.catalog(&with(
        "    model_context_window: 131072\n    model_post_turn_compact_threshold_percent: 80",
    ));
    w.cmd()
        .args(["validate", "--codex-version", "0.133.0"])
        .assert()
        .code(2)
        .stderr(contains(
            "`model_context_window` of profile `beta` needs Codex 0.134.0 or newer; the target is Codex 0.133.0",
        ));
    w.cmd()
        .args(["validate", "--codex-version", "0.155.0"])
        .assert()
        .code(2)
        .stderr(contains("`model_post_turn_compact_threshold_percent` of profile `beta` needs Codex 0.156.0 or newer"))
        .stderr(contains("`model_context_window`").not());
    w.cmd()
        .args(["validate", "--codex-version", "0.156.0"])
        .assert()
        .success();
}
