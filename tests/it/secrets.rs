//! Issue 20, point 5: one rule set for credentials. A key in any catalog
//! string is refused by `validate` with its reason and printed by no
//! command; header names and key names are judged by one rule (credential
//! headers hidden, counts shown); `import` never prints nor writes the
//! value of a variable it names, nor anything key-shaped.

use super::support::{CATALOG, World};

fn output(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every command that prints catalog strings, in every format.
const PRINTERS: &[&[&str]] = &[
    &["validate"],
    &["gen", "--diff"],
    &["gen", "--check"],
    &["show"],
    &["show", "--origin"],
    &["show", "--format", "json"],
    &["list"],
    &["list", "--format", "json"],
    &["aliases"],
    &["completions", "bash"],
    &["exec", "alpha", "--print"],
    &["doctor"],
];

/// A key in a structural string (URL path, fragment, user info; version;
/// model; profile name; provider id; the provider a profile names) fails
/// `validate` with the reason, and no command prints it. Key shapes other
/// than the issue's: xAI's, a JWT, hex, a Google key.
#[test]
fn a_key_in_any_catalog_string_is_refused_and_never_printed() {
    const XAI: &str = "xai-Q2w9Zr7Tk3Lm8Np4Vb6Xc1";
    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXBhcnQtMTIz";
    const HEX: &str = "3540d317ad3d7388fa79cacf846debca";
    const GOOGLE: &str = "AIzaSyD4f8Qm2Lk9Xw3Vb7Nc1Tr5Hy6Jp0Ue8Zo";
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "base_url: https://alpha.example/v1",
            "base_url: https://alpha.example/v1/KEY",
            XAI,
            "`base_url` holds what looks like a credential",
        ),
        (
            "base_url: https://alpha.example/v1",
            "base_url: https://alpha.example/v1#KEY",
            HEX,
            "`base_url` holds what looks like a credential",
        ),
        (
            "base_url: https://alpha.example/v1",
            "base_url: https://team:KEY@alpha.example/v1",
            GOOGLE,
            "credential",
        ),
        (
            "version: \"t1\"",
            "version: \"KEY\"",
            JWT,
            "`version` of the catalog holds what looks like a credential",
        ),
        (
            "model: alpha-1",
            "model: KEY",
            GOOGLE,
            "`model` of profile `alpha` holds what looks like a credential",
        ),
        ("  beta:\n", "  KEY:\n", HEX, "looks like a credential"),
        ("  beta-p:\n", "  KEY:\n", XAI, "looks like a credential"),
        // Keys known by their prefix or shape alone, not by randomness: in
        // the message they stand between backticks, in the line before `:`.
        (
            "  beta:\n",
            "  KEY:\n",
            "gsk_abcdefgh",
            "looks like a credential",
        ),
        (
            "  beta-p:\n",
            "  KEY:\n",
            "AKIAQWERTYUIOPASDFGH",
            "looks like a credential",
        ),
        (
            "  beta:\n",
            "  KEY:\n",
            "eyJhbGci.eyJzdWIi.abc_def",
            "has characters codexgen does not allow",
        ),
        (
            "  beta-p:\n",
            "  KEY:\n",
            "nvapi-abcdefg",
            "looks like a credential",
        ),
        // Known by its shape alone, inside a URL's path or query.
        (
            "base_url: https://alpha.example/v1",
            "base_url: https://alpha.example/v1/KEY/x",
            "AKIAQWERTYUIOPASDFGH",
            "`base_url` holds what looks like a credential",
        ),
        (
            "base_url: https://alpha.example/v1",
            "base_url: https://alpha.example/v1/KEY",
            "eyJhbGci.eyJzdWIi.abc_def",
            "`base_url` holds what looks like a credential",
        ),
    ];
    for (from, to, key, reason) in cases {
        let w = World::new();
        let to = to.replace("KEY", key);
        let text = CATALOG.replace(from, &to);
        assert_ne!(text, CATALOG);
        w.catalog(&text);
        let out = w.cmd().arg("validate").output().expect("run");
        let printed = output(&out);
        assert_eq!(out.status.code(), Some(2), "{to}: {printed}");
        assert!(printed.contains(reason), "{to}: {printed}");
        for args in PRINTERS {
            let out = w.cmd().args(*args).output().expect("run");
            let printed = output(&out);
            assert!(
                !printed.contains(key),
                "`codexgen {}` with {to} printed the key:\n{printed}",
                args.join(" ")
            );
        }
    }
}

/// The value of a variable the catalog names, pasted anywhere in the
/// catalog (a model, a name, a query parameter, a profile name), is
/// refused at its line with the variable's name, and never printed.
#[test]
fn the_value_of_a_named_variable_is_refused_anywhere_in_the_catalog() {
    const VALUE: &str = "corp-pass-2024";
    for (from, to) in [
        ("model: beta-2", "model: corp-pass-2024"),
        ("name: Alpha", "name: Alpha corp-pass-2024"),
        (
            "api-version: \"2025-04-01-preview\"",
            "v: \"corp-pass-2024\"",
        ),
        ("  beta:\n", "  corp-pass-2024:\n"),
        // Beside another problem, whose snippet shows the line.
        ("model: beta-2", "model: -corp-pass-2024"),
    ] {
        let w = World::new();
        w.catalog(&CATALOG.replace(from, to));
        for value in [VALUE.to_owned(), format!("{VALUE}\nsecond line\n")] {
            let out = w
                .cmd()
                .env("BETA_API_KEY", &value)
                .arg("validate")
                .output()
                .expect("run");
            let printed = output(&out);
            assert_eq!(out.status.code(), Some(2), "{to}: {printed}");
            assert!(
                printed.contains("holds the value of BETA_API_KEY"),
                "{to}: {printed}"
            );
            for args in PRINTERS {
                let out = w
                    .cmd()
                    .env("BETA_API_KEY", &value)
                    .args(*args)
                    .output()
                    .expect("run");
                assert!(!output(&out).contains(VALUE), "{}: {to}", args.join(" "));
            }
        }
    }
}

/// Credential headers other than the issue's `Cookie` are hidden in the
/// diff of the user's own table and refused in the catalog, by the same
/// rule; keys that count tokens are shown, whatever they are called.
#[test]
fn credential_names_are_one_rule_for_the_diff_and_the_catalog() {
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "codex-home/config.toml",
        "max_output_tokens = 4096\nmodel_auto_compact_token_limit = 180000\ntool_output_token_limit = 12000\n\
         [model_providers.mine]\nname = \"Mine\"\nbase_url = \"https://m.example/v1\"\n\
         http_headers = { X-Team = \"web\", Proxy-Authorization = \"Basic plain-one\" }\n\
         [model_providers.mine2]\nname = \"Mine2\"\nbase_url = \"https://m.example/v1\"\n\
         http_headers = { X-Api-Key = \"plain-two\" }\n\
         [model_providers.mine3]\nname = \"Mine3\"\nbase_url = \"https://m.example/v1\"\n\
         http_headers = { \"Set-Cookie\" = \"sid=plain-three\" }\n\
         query_params = { sig = \"plain-four\" }\n",
    );
    let out = w.cmd().args(["gen", "--diff"]).output().expect("run");
    let diff = output(&out);
    for shown in [
        "max_output_tokens = 4096",
        "model_auto_compact_token_limit = 180000",
        "tool_output_token_limit = 12000",
    ] {
        assert!(diff.contains(shown), "{shown}:\n{diff}");
    }
    for hidden in ["plain-one", "plain-two", "plain-three", "plain-four"] {
        assert!(!diff.contains(hidden), "{hidden}:\n{diff}");
    }
    for header in ["Proxy-Authorization", "X-Api-Key", "Cookie", "X-Auth-Token"] {
        let w = World::new();
        w.catalog(&CATALOG.replace(
            "    env_key: ALPHA_API_KEY\n",
            &format!("    env_key: ALPHA_API_KEY\n    http_headers: {{{header}: plain-five}}\n"),
        ));
        let out = w.cmd().arg("validate").output().expect("run");
        let printed = output(&out);
        assert_eq!(out.status.code(), Some(2), "{header}: {printed}");
        assert!(printed.contains("holds a literal credential"), "{printed}");
        assert!(!printed.contains("plain-five"), "{printed}");
    }
}

/// `import` of a home whose provider's key variable's value (one line of
/// it) sits in a query parameter, a header, or the top-level model, or
/// whose model or `base_url` is key-shaped: never printed nor written. A
/// header becomes a variable, a query parameter stays in the file
/// (Codex has no variable form for it), a model or URL stops the import.
#[test]
fn import_never_prints_nor_writes_a_key() {
    const VALUE: &str = "corp-pass-2024";
    const SHAPED: &str = "gsk_7Hq9zX2vLp4Rw8Kd3Mn5";
    let provider = |extra: &str| {
        format!(
            "[model_providers.x]\nname = \"X\"\nbase_url = \"https://x.example/v1\"\nenv_key = \"X_KEY\"\n{extra}"
        )
    };
    let with_model = |model: &str, table: String| {
        format!("model = \"{model}\"\nmodel_provider = \"x\"\n{table}")
    };
    for (config, secret, said) in [
        (
            with_model(
                "m1",
                provider(&format!("query_params = {{ tenant = \"{VALUE}\" }}\n")),
            ),
            VALUE,
            "`model_providers.x.query_params` holds what looks like a credential",
        ),
        (
            with_model(
                "m1",
                provider(&format!("http_headers = {{ X-Team = \"{VALUE}\" }}\n")),
            ),
            VALUE,
            "X_X_TEAM",
        ),
        (
            with_model(VALUE, provider("")),
            VALUE,
            "nothing was written",
        ),
        (
            with_model(SHAPED, provider("")),
            SHAPED,
            "nothing was written",
        ),
        (
            with_model("m1", provider("").replace("/v1", &format!("/v1/{SHAPED}"))),
            SHAPED,
            "nothing was written",
        ),
    ] {
        for args in [&["import"][..], &["import", "-o", "imported.yaml"]] {
            let w = World::new();
            w.file("codex-home/config.toml", &config);
            let out = w
                .cmd()
                .env("X_KEY", format!("{VALUE}\nsecond\n"))
                .args(args)
                .output()
                .expect("run");
            let printed = output(&out);
            assert!(printed.contains(said), "{config}\n{printed}");
            assert!(!printed.contains(secret), "{config}\n{printed}");
            let written = w.root.join("work/imported.yaml");
            if said == "nothing was written" {
                assert_eq!(out.status.code(), Some(2), "{config}\n{printed}");
                assert!(!written.exists(), "{config}");
            } else {
                assert_eq!(out.status.code(), Some(0), "{config}\n{printed}");
                let catalog = std::fs::read_to_string(&written).unwrap_or_default();
                assert!(!catalog.contains(secret), "{catalog}");
            }
        }
    }
}

/// Credential names and shapes beyond the examples, in the user's
/// own tables: a password (`pass`, a passphrase), a CSRF token, a session
/// id, an AWS access key id by its shape (`AKIA` and 16 letters or
/// digits, under a name that says only `_id`). None of their values is
/// printed by `gen --diff`, in text or JSON; a key's id and the counts are.
#[test]
fn passwords_sessions_and_aws_key_ids_are_credentials_too() {
    // Each line next to a change, so the diff shows it as context.
    let lines = [
        (
            "[model_providers.mine]",
            "http_headers = { X-Api-Pass = \"plain-one\" }",
        ),
        (
            "[model_providers.mine]",
            "http_headers = { X-Session-Id = \"plain-two\" }",
        ),
        (
            "[model_providers.mine]",
            "http_headers = { X-XSRF = \"plain-three\" }",
        ),
        (
            "[model_providers.mine]",
            "query_params = { pass = \"plain-four\" }",
        ),
        ("[mcp_servers.db]", "env = { PASSPHRASE = \"plain-five\" }"),
        (
            "[mcp_servers.db]",
            "env = { AWS_ACCESS_KEY_ID = \"AKIAQ3EGUJ7PLAIN6XZ4\" }",
        ),
        (
            "[mcp_servers.db]",
            "env = { GPG_PASSCODE = \"plain-seven\" }",
        ),
        ("[mcp_servers.db.env]", "DB_PASS = \"plain-eight\""),
    ];
    for (table, line) in lines {
        let w = World::new();
        w.catalog(CATALOG);
        w.file(
            "codex-home/config.toml",
            &format!("model = \"hand-set\"\nkey_id = \"kid-shown\"\n{table}\n{line}\n"),
        );
        for args in [
            &["gen", "--diff"][..],
            &["gen", "--diff", "--format", "json"],
        ] {
            let out = w.cmd().args(args).output().expect("run");
            let printed = output(&out);
            assert!(printed.contains("kid-shown"), "{args:?}:\n{printed}");
            let value = line.rsplit('"').nth(1).unwrap_or_default();
            if args.len() == 2 {
                assert!(
                    printed.contains(&line[..8]),
                    "{line} as context:\n{printed}"
                );
            }
            assert!(!printed.contains(value), "{args:?} {line}:\n{printed}");
        }
    }
}

/// A key variable holding more than one line (`$(pass show x)` gives the
/// key, then the entry's other lines) or a control character cannot be an
/// HTTP header: Codex sends no key and gets a 401 (0.169, measured). Every
/// command that checks keys says so, with the fix, and never a line of it;
/// the probe does not send it (it once blamed `base_url`), nor a header
/// variable's value of that kind.
#[test]
fn a_key_of_several_lines_is_said_unusable_by_every_key_check() {
    let catalog = CATALOG.replace("https://alpha.example/v1", "http://127.0.0.1:9/v1");
    for (var, value, said) in [
        (
            "ALPHA_API_KEY",
            "key-line-7Qw9Zr\nlogin: me-3Zx8",
            "ALPHA_API_KEY holds more than one line",
        ),
        (
            "ALPHA_API_KEY",
            "key-line-7Qw9Zr\r\nurl: x",
            "ALPHA_API_KEY holds more than one line",
        ),
        (
            "ALPHA_API_KEY",
            "key-line-7Qw9Zr\u{1b}[0m",
            "ALPHA_API_KEY holds a control character",
        ),
    ] {
        let w = World::new();
        w.catalog(&catalog);
        let doctor = w
            .cmd()
            .args(["doctor", "alpha"])
            .env(var, value)
            .output()
            .expect("run");
        let printed = output(&doctor);
        assert_eq!(doctor.status.code(), Some(1), "{printed}");
        assert!(printed.contains(said), "doctor: {printed}");
        assert!(printed.contains("head -n 1"), "doctor: {printed}");
        let exec = w
            .cmd()
            .args(["exec", "alpha", "--print"])
            .env(var, value)
            .output()
            .expect("run");
        let printed = output(&exec);
        assert_eq!(exec.status.code(), Some(1), "{printed}");
        assert!(exec.stdout.is_empty(), "{printed}");
        assert!(printed.contains(said), "exec: {printed}");
        let probe = w
            .cmd()
            .args(["probe", "alpha-p"])
            .env(var, value)
            .output()
            .expect("run");
        let printed = output(&probe);
        assert!(printed.contains(said), "probe: {printed}");
        assert!(!printed.contains("base_url"), "probe: {printed}");
        for line in ["key-line-7Qw9Zr", "me-3Zx8"] {
            for out in [&doctor, &exec, &probe] {
                assert!(!output(out).contains(line), "{}", output(out));
            }
        }
    }
    // A header variable's value of two lines: not sent either.
    let w = World::new();
    w.catalog(&catalog.replace(
        "    env_key: ALPHA_API_KEY\n",
        "    env_key: ALPHA_API_KEY\n    env_http_headers: {X-Team: ALPHA_TEAM}\n",
    ));
    let probe = w
        .cmd()
        .args(["probe", "alpha-p"])
        .env("ALPHA_API_KEY", "key-line-7Qw9Zr")
        .env("ALPHA_TEAM", "team-one\nteam-two")
        .output()
        .expect("run");
    let printed = output(&probe);
    assert!(
        printed.contains("ALPHA_TEAM holds more than one line"),
        "{printed}"
    );
    assert!(!printed.contains("team-one"), "{printed}");
}

/// A variable the catalog names that holds a JSON word (`true`, `null`:
/// a header variable used as a switch) is no secret to hide: the JSON
/// reports stay JSON. A key beside it is still hidden.
#[test]
fn a_variable_holding_a_json_word_leaves_the_json_reports_valid() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    env_key: ALPHA_API_KEY\n",
        "    env_key: ALPHA_API_KEY\n    env_http_headers: {X-Debug: ALPHA_DEBUG, X-Trace: ALPHA_TRACE}\n",
    ));
    for args in [
        &["list", "--format", "json"][..],
        &["doctor", "--format", "json"],
        &["gen", "--diff", "--format", "json"],
        &["validate", "--format", "json"],
        &["show", "--format", "json"],
    ] {
        let out = w
            .cmd()
            .args(args)
            .env("ALPHA_DEBUG", "true")
            .env("ALPHA_TRACE", "null")
            .env("ALPHA_API_KEY", "alpha-key-7Qw9Zr")
            .output()
            .expect("run");
        let printed = output(&out);
        assert!(
            serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok(),
            "{args:?}:\n{printed}"
        );
        assert!(!printed.contains("alpha-key-7Qw9Zr"), "{printed}");
    }
}

/// Names that end in a credential word but name something else (a place,
/// an algorithm, a scope, a key binding, an everyday word) print their
/// values in the diff; the credential beside them is hidden.
#[test]
fn names_about_a_credential_or_merely_ending_like_one_are_shown() {
    let shown = [
        "authorization_endpoint = \"https://idp.example/authorize\"",
        "token_endpoint = \"https://idp.example/token\"",
        "signature_algorithm = \"RS256\"",
        "oauth_scopes = \"read write\"",
        "cookie_domain = \"example.com\"",
        "key_bindings = \"emacs\"",
        "hotkey = \"ctrl-k\"",
    ];
    for line in shown {
        // Next to a change, so the diff shows it as context.
        let w = World::new();
        w.catalog(CATALOG);
        w.file(
            "codex-home/config.toml",
            &format!("model = \"hand-set\"\n{line}\nclient_secret = \"plain-one\"\n"),
        );
        let out = w.cmd().args(["gen", "--diff"]).output().expect("run");
        let printed = output(&out);
        assert!(printed.contains(line), "{line}:\n{printed}");
        assert!(!printed.contains("plain-one"), "{printed}");
    }
}

/// A placeholder key that local servers' guides give (`OPENAI_API_KEY=
/// ollama`, beside the built-in catalog's `ollama` profile) is no secret:
/// the catalog loads, and the profile's name prints where it belongs (a
/// shell function's name). Any other value is still a secret where the
/// catalog holds it, even one that is a profile's name.
#[test]
fn a_placeholder_key_of_a_local_server_is_no_secret() {
    let w = World::new();
    for args in [&["gen", "--diff"][..], &["validate"]] {
        let out = w
            .cmd()
            .args(args)
            .env("OPENAI_API_KEY", "ollama")
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", output(&out));
    }
    let out = w
        .cmd()
        .arg("aliases")
        .env("OPENAI_API_KEY", "ollama")
        .output()
        .expect("run");
    let printed = output(&out);
    assert!(printed.contains("codex-ollama"), "{printed}");
    assert!(!printed.contains("<redacted>"), "{printed}");
    let w = World::new();
    w.catalog(CATALOG);
    let out = w
        .cmd()
        .arg("validate")
        .env("BETA_API_KEY", "beta")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", output(&out));
}

/// A credential-named key's value in a multi-line string (basic or
/// literal, inline table or not): every line of it is hidden, not only the
/// line the string opens on, by `gen --diff` and by `link --diff`; what
/// follows the closing quotes is shown, and so is a multi-line string
/// under another name.
#[test]
fn a_multi_line_credential_is_hidden_on_every_line() {
    let basic = "[mcp_servers.s]\ncommand = \"s\"\nenv = { MY_PASS = \"\"\"\nhunter2-correct-horse-battery\nsecond-line-of-it\"\"\" }\n";
    let literal = "[mcp_servers.t]\nclient_secret = \'\'\'\nliteral-secret-words\n\'\'\'\nnote = \"\"\"\nshown-plain-words\"\"\"\n";
    let hidden = ["hunter2", "second-line-of-it", "literal-secret-words"];
    let mut seen = String::new();
    for table in [basic, literal] {
        let w = World::new();
        w.catalog(CATALOG);
        w.file("codex-home/config.toml", table);
        let out = w.cmd().args(["gen", "--diff"]).output().expect("run");
        seen.push_str(&output(&out));
        // link --diff: the shared file holds the table, the machine adds a
        // key before it (the secret stands in context).
        let v = World::new();
        v.file(
            "dotfiles/codex/config.toml",
            &format!("model = \"m\"\n{table}"),
        );
        v.file("codex-home/config.toml", "approval_policy = \"never\"\n");
        let out = v
            .cmd()
            .arg("link")
            .arg(v.root.join("dotfiles/codex/config.toml"))
            .arg("--diff")
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{}", output(&out));
        let said = output(&out);
        assert!(said.contains("+approval_policy"), "{said}");
        seen.push_str(&said);
    }
    for h in hidden {
        assert!(!seen.contains(h), "{h}:\n{seen}");
    }
    for shown in ["MY_PASS", "shown-plain-words", "\"\"\" }", "note = "] {
        assert!(seen.contains(shown), "{shown}:\n{seen}");
    }
}
