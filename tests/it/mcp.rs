//! MCP servers in the catalog (`mcp_servers:`): rendered into
//! `[mcp_servers.ID]` of config.toml, each key gated by the release that
//! reads it, secrets only by reference, servers the user adds kept, and a
//! file Codex rewrote (`codex mcp add`) still in sync.

use std::path::Path;

use crate::e2e::{Run, Scratch, codex_bin_from};
use crate::support::World;

/// A catalog with one stdio and one streamable HTTP server.
const CATALOG: &str = r#"schema: 1
version: "t1"
default: alpha
providers:
  alpha-p:
    name: Alpha
    base_url: https://alpha.example/v1
    env_key: ALPHA_API_KEY
profiles:
  alpha:
    provider: alpha-p
    model: alpha-1
mcp_servers:
  docs:
    command: npx
    args: [-y, "@team/docs-mcp"]
    env: {LOG_LEVEL: debug}
    env_vars: [DOCS_TOKEN]
    startup_timeout_sec: 30
    tool_timeout_sec: 12.5
    enabled_tools: [search, fetch]
    default_tools_approval_mode: prompt
    tools:
      search: {approval_mode: approve}
  tracker:
    url: https://mcp.tracker.example/mcp
    bearer_token_env_var: TRACKER_TOKEN
    http_headers: {X-Team: platform}
    env_http_headers: {X-Tenant: TRACKER_TENANT}
    scopes: [read]
    required: true
"#;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn catalog_servers_are_written_to_config_toml() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes_for("0.171.0");
    let config = w.read("config.toml");
    let doc: toml::Table = config.parse().expect("config.toml is TOML");
    let docs = &doc["mcp_servers"]["docs"];
    assert_eq!(docs["command"].as_str(), Some("npx"), "{config}");
    assert_eq!(docs["args"].as_array().map(Vec::len), Some(2), "{config}");
    assert_eq!(docs["env"]["LOG_LEVEL"].as_str(), Some("debug"));
    assert_eq!(docs["env_vars"][0].as_str(), Some("DOCS_TOKEN"));
    // Codex reads (and rewrites) the timeouts as seconds with a fraction.
    assert_eq!(
        docs["startup_timeout_sec"].as_float(),
        Some(30.0),
        "{config}"
    );
    assert!(config.contains("startup_timeout_sec = 30.0"), "{config}");
    assert_eq!(docs["tool_timeout_sec"].as_float(), Some(12.5));
    assert_eq!(docs["default_tools_approval_mode"].as_str(), Some("prompt"));
    assert_eq!(
        docs["tools"]["search"]["approval_mode"].as_str(),
        Some("approve")
    );
    let tracker = &doc["mcp_servers"]["tracker"];
    assert_eq!(
        tracker["url"].as_str(),
        Some("https://mcp.tracker.example/mcp")
    );
    assert_eq!(
        tracker["bearer_token_env_var"].as_str(),
        Some("TRACKER_TOKEN")
    );
    assert_eq!(tracker["http_headers"]["X-Team"].as_str(), Some("platform"));
    assert_eq!(
        tracker["env_http_headers"]["X-Tenant"].as_str(),
        Some("TRACKER_TENANT")
    );
    assert_eq!(tracker["required"].as_bool(), Some(true));
    // A second run changes nothing.
    let again = w
        .cmd()
        .args(["--codex-version", "0.171.0", "gen", "--check"])
        .output()
        .expect("run");
    assert!(again.status.success(), "{}", stderr(&again));
}

/// What Codex writes back when `codex mcp add` rewrites every MCP entry
/// (measured on 0.171.0): numbers of seconds as floats, maps as tables,
/// keys reordered, the defaults (`enabled = true`) and a comment above a
/// server dropped, the new server at the end.
fn as_codex_rewrites(config: &str) -> String {
    let mut doc: toml_edit::DocumentMut = config.parse().expect("TOML");
    let servers = doc["mcp_servers"].as_table_mut().expect("servers");
    for (_, server) in servers.iter_mut() {
        let server = server.as_table_mut().expect("a server table");
        server.decor_mut().set_prefix("\n");
        for key in ["env", "http_headers", "env_http_headers"] {
            if let Some(inline) = server.get(key).and_then(|i| i.as_inline_table()).cloned() {
                server.insert(key, toml_edit::Item::Table(inline.into_table()));
            }
        }
        // Reordered: the first key goes last.
        let first = server.iter().next().map(|(k, _)| k.to_owned());
        if let Some(first) = first
            && let Some(item) = server.remove(&first)
        {
            server.insert(&first, item);
        }
    }
    let mut text = doc.to_string();
    text.push_str("\n[mcp_servers.mine]\ncommand = \"echo\"\nargs = [\"hi\"]\n");
    text
}

#[test]
fn a_server_the_user_adds_survives_and_a_codex_rewrite_stays_in_sync() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes_for("0.171.0");
    let rewritten = as_codex_rewrites(&w.read("config.toml"));
    std::fs::write(w.home.join("config.toml"), &rewritten).expect("write");
    let check = w
        .cmd()
        .args(["--codex-version", "0.171.0", "gen", "--check"])
        .output()
        .expect("run");
    assert!(
        check.status.success(),
        "after Codex's rewrite:\n{rewritten}\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );
    // A catalog change still leaves the user's server alone.
    w.catalog(&CATALOG.replace("tool_timeout_sec: 12.5", "tool_timeout_sec: 20"));
    w.gen_yes_for("0.171.0");
    let config = w.read("config.toml");
    assert!(
        config.contains("[mcp_servers.mine]\ncommand = \"echo\"\nargs = [\"hi\"]\n"),
        "{config}"
    );
    assert!(config.contains("tool_timeout_sec = 20.0"), "{config}");
}

#[test]
fn an_overlays_tilde_removes_a_team_server() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes_for("0.171.0");
    w.file("work/providers.local.yaml", "mcp_servers:\n  tracker: ~\n");
    w.gen_yes_for("0.171.0");
    let config = w.read("config.toml");
    assert!(!config.contains("tracker"), "{config}");
    assert!(config.contains("[mcp_servers.docs]"), "{config}");
}

#[test]
fn a_catalog_server_with_a_default_value_writes_nothing_codex_drops() {
    // Codex drops `enabled = true`, `required = false` and empty lists when
    // it rewrites the file: written, they would come back as drift.
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    scopes: [read]\n    required: true\n",
        "    scopes: []\n    required: false\n    enabled: true\n",
    ));
    w.gen_yes_for("0.171.0");
    let config = w.read("config.toml");
    assert!(!config.contains("required"), "{config}");
    assert!(!config.contains("enabled ="), "{config}");
    assert!(!config.contains("scopes"), "{config}");
}

/// Each way to put a credential into an MCP server, and what the error
/// must point at instead.
#[test]
fn every_mcp_key_refuses_a_literal_secret() {
    let cases: &[(&str, &str)] = &[
        (
            "  s:\n    url: https://m.example/mcp\n    bearer_token: sk-live-1234567890abcdefABCDEF\n",
            "bearer_token_env_var",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    http_headers: {Authorization: \"Bearer sk-live-1234567890abcdefABCDEF\"}\n",
            "env_http_headers",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    http_headers: {X-Api-Key: \"${API_KEY}\"}\n",
            "env_http_headers",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    http_headers: {X-Team: \"{env:TEAM}\"}\n",
            "env_http_headers",
        ),
        (
            "  s:\n    command: srv\n    env: {API_KEY: sk-live-1234567890abcdefABCDEF}\n",
            "env_vars",
        ),
        (
            "  s:\n    command: srv\n    env: {GITHUB_TOKEN: \"${GITHUB_TOKEN}\"}\n",
            "env_vars",
        ),
        (
            "  s:\n    command: srv\n    args: [--token, sk-live-1234567890abcdefABCDEF]\n",
            "env_vars",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    oauth: {client_id: app, client_secret: hunter2hunter2}\n",
            "client_secret",
        ),
        (
            "  s:\n    url: https://user:sk-live-1234567890abcdef@m.example/mcp\n",
            "carries a credential",
        ),
    ];
    for (server, fix) in cases {
        let w = World::new();
        w.catalog(&format!(
            "{}mcp_servers:\n{server}",
            CATALOG.split("mcp_servers:").next().expect("head")
        ));
        let out = w
            .cmd()
            .args(["--codex-version", "0.171.0", "gen", "--check"])
            .output()
            .expect("run");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{server}\n{err}");
        assert!(err.contains(fix), "{server}: the error names {fix}:\n{err}");
        assert!(!w.exists("config.toml"), "{server}");
    }
}

#[test]
fn each_mcp_key_is_gated_by_the_release_that_reads_it() {
    let cases: &[(&str, &str, &str)] = &[
        // (server, a release that reads it, one that does not)
        (
            "  s:\n    url: https://m.example/mcp\n    http_headers_helper: /usr/local/bin/mcp-headers\n",
            "0.150.0",
            "0.131.0",
        ),
        (
            "  s:\n    command: srv\n    default_tools_approval_mode: writes\n",
            "0.150.0",
            "0.131.0",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    oauth: {callback_url: \"http://127.0.0.1:5555/cb\"}\n",
            "0.169.0",
            "0.150.0",
        ),
        (
            "  s:\n    command: srv\n    required: true\n",
            "0.131.0",
            "0.130.0",
        ),
    ];
    for (server, reads, older) in cases {
        let w = World::new();
        let catalog = w.catalog(&format!(
            "{}mcp_servers:\n{server}",
            CATALOG.split("mcp_servers:").next().expect("head")
        ));
        let ok = w.run_catalog(reads, &catalog, &["gen", "--check"]);
        assert_ne!(
            ok.status.code(),
            Some(2),
            "{reads}: {server}\n{}",
            stderr(&ok)
        );
        let refused = w.run_catalog(older, &catalog, &["gen", "--check"]);
        let err = stderr(&refused);
        assert_eq!(refused.status.code(), Some(2), "{older}: {server}\n{err}");
        assert!(err.contains(reads) || err.contains("writes"), "{err}");
    }
}

#[test]
fn a_server_needs_one_transport() {
    for (server, says) in [
        ("  s:\n    args: [x]\n", "`command` or `url`"),
        (
            "  s:\n    command: srv\n    url: https://m.example/mcp\n",
            "`command` or `url`",
        ),
        (
            "  s:\n    command: srv\n    bearer_token_env_var: TOKEN\n",
            "streamable HTTP",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    cwd: /srv\n",
            "stdio",
        ),
        (
            "  s:\n    command: srv\n    startup_timeout_ms: 5000\n",
            "startup_timeout_sec",
        ),
        (
            "  s:\n    command: srv\n    enabled_tools: []\n",
            "disabled_tools",
        ),
        (
            "  s:\n    command: srv\n    bogus: 1\n",
            "unknown key `bogus`",
        ),
    ] {
        let w = World::new();
        w.catalog(&format!(
            "{}mcp_servers:\n{server}",
            CATALOG.split("mcp_servers:").next().expect("head")
        ));
        let out = w
            .cmd()
            .args(["--codex-version", "0.171.0", "gen", "--check"])
            .output()
            .expect("run");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{server}\n{err}");
        assert!(err.contains(says), "{server}: expected {says}:\n{err}");
    }
}

#[test]
fn the_schema_describes_mcp_servers() {
    let schema = crate::support::key_tables();
    let server = &schema["$defs"]["mcp_server"]["properties"];
    for key in [
        "command",
        "args",
        "env",
        "env_vars",
        "cwd",
        "url",
        "bearer_token_env_var",
        "http_headers",
        "env_http_headers",
        "http_headers_helper",
        "scopes",
        "oauth",
        "enabled",
        "required",
        "startup_timeout_sec",
        "tool_timeout_sec",
        "enabled_tools",
        "disabled_tools",
        "default_tools_approval_mode",
        "tools",
    ] {
        assert!(server.get(key).is_some(), "`{key}` is not in the schema");
    }
    assert!(server.get("bearer_token").is_none());
    assert!(schema["properties"]["mcp_servers"].is_object());
}

// ------------------------------------------------------------ real Codex

/// `codex ARGS` in `s` (`HOME` and `CODEX_HOME` inside it), with a time
/// limit ([`Scratch::run_codex_offline`]).
fn codex(bin: &Path, s: &Scratch, args: &[&str]) -> Run {
    s.run_codex_offline(bin, args, &[])
}

/// Whether a Codex run finished in time and succeeded.
fn ran(run: &Run) -> bool {
    run.status.is_some_and(|status| status.success())
}

fn codexgen(s: &Scratch, catalog: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("codexgen")
        .expect("binary")
        .current_dir(&s.work)
        .env_remove("CODEX_HOME")
        .env("HOME", &s.home)
        .env("XDG_CONFIG_HOME", s.home.join(".config"))
        .env("NO_COLOR", "1")
        .env("PATH", "/nonexistent")
        .env("CODEXGEN_SYSTEM_CODEX_DIR", s.home.join("etc-codex"))
        .args(["--codex-home"])
        .arg(&s.codex_home)
        .args(["--codex-version", "0.171.0", "--catalog"])
        .arg(catalog)
        .args(args)
        .output()
        .expect("run codexgen")
}

fn mcp_list(bin: &Path, s: &Scratch) -> serde_json::Value {
    let out = codex(bin, s, &["mcp", "list", "--json"]);
    assert!(ran(&out), "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("codex mcp list --json prints JSON")
}

fn server<'v>(list: &'v serde_json::Value, name: &str) -> Option<&'v serde_json::Value> {
    list.as_array()?.iter().find(|s| s["name"] == name)
}

#[test]
fn real_codex_lists_the_catalogs_servers_and_keeps_its_own() {
    let Some(bin) = codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") else {
        return;
    };
    let s = Scratch::new();
    let catalog = s.work.join("providers.yaml");
    std::fs::write(&catalog, CATALOG).expect("catalog");
    let out = codexgen(&s, &catalog, &["gen", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = mcp_list(&bin, &s);
    let docs = server(&list, "docs").unwrap_or_else(|| panic!("no docs in {list}"));
    assert_eq!(docs["transport"]["type"], "stdio", "{docs}");
    assert_eq!(docs["transport"]["command"], "npx");
    assert_eq!(docs["transport"]["args"][1], "@team/docs-mcp");
    assert_eq!(docs["transport"]["env_vars"][0], "DOCS_TOKEN");
    assert_eq!(docs["startup_timeout_sec"], 30.0);
    assert_eq!(docs["tool_timeout_sec"], 12.5);
    let tracker = server(&list, "tracker").unwrap_or_else(|| panic!("no tracker in {list}"));
    assert_eq!(tracker["transport"]["type"], "streamable_http", "{tracker}");
    assert_eq!(
        tracker["transport"]["url"],
        "https://mcp.tracker.example/mcp"
    );
    assert_eq!(
        tracker["transport"]["bearer_token_env_var"],
        "TRACKER_TOKEN"
    );
    assert_eq!(tracker["transport"]["http_headers"]["X-Team"], "platform");
    assert_eq!(
        tracker["transport"]["env_http_headers"]["X-Tenant"],
        "TRACKER_TENANT"
    );

    // `--verify` reads them back from Codex too, and finds nothing to say.
    let verify = codexgen(
        &s,
        &catalog,
        &[
            "--codex-bin",
            bin.to_str().expect("a UTF-8 path"),
            "gen",
            "--check",
            "--verify",
        ],
    );
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(
        !stderr(&verify).contains("MCP server"),
        "{}",
        stderr(&verify)
    );

    // The user adds a server: Codex rewrites every MCP entry.
    let added = codex(&bin, &s, &["mcp", "add", "mine", "--", "echo", "hi"]);
    assert!(ran(&added), "{}", added.stderr);
    let check = codexgen(&s, &catalog, &["gen", "--check"]);
    assert!(
        check.status.success(),
        "gen --check after `codex mcp add`:\n{}\n{}{}",
        std::fs::read_to_string(s.codex_home.join("config.toml")).unwrap_or_default(),
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );
    // A change of the catalog keeps the user's server.
    std::fs::write(
        &catalog,
        CATALOG.replace("tool_timeout_sec: 12.5", "tool_timeout_sec: 40"),
    )
    .expect("catalog");
    let out = codexgen(&s, &catalog, &["gen", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = mcp_list(&bin, &s);
    assert!(server(&list, "mine").is_some(), "{list}");
    assert_eq!(
        server(&list, "docs").map(|d| d["tool_timeout_sec"].clone()),
        Some(40.0.into())
    );

    // An overlay's `~` removes a team server; the user's stays.
    std::fs::write(
        s.work.join("providers.local.yaml"),
        "mcp_servers:\n  tracker: ~\n",
    )
    .expect("overlay");
    let out = codexgen(&s, &catalog, &["gen", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = mcp_list(&bin, &s);
    assert!(server(&list, "tracker").is_none(), "{list}");
    assert!(server(&list, "mine").is_some(), "{list}");
    assert!(server(&list, "docs").is_some(), "{list}");
}

/// The MCP example of docs/catalog.md: its YAML renders to its TOML.
#[test]
fn the_docs_mcp_example_renders_as_shown() {
    let readme = include_str!("../../docs/catalog.md");
    let section = readme
        .split("### MCP servers")
        .nth(1)
        .expect("docs/catalog.md has an MCP section");
    let block = |fence: &str| {
        section
            .split(fence)
            .nth(1)
            .and_then(|b| b.split("```").next())
            .expect("a fenced block")
            .to_owned()
    };
    let (yaml, toml) = (block("```yaml\n"), block("```toml\n"));
    let w = World::new();
    w.catalog(&format!(
        "{}{yaml}",
        CATALOG.split("mcp_servers:").next().expect("head")
    ));
    w.gen_yes_for("0.171.0");
    let config = w.read("config.toml");
    assert!(config.contains(&toml), "{config}\n---\n{toml}");
    let show = w
        .cmd()
        .args(["--codex-version", "0.171.0", "show"])
        .output()
        .expect("run");
    assert!(show.status.success(), "{}", stderr(&show));
    assert!(
        String::from_utf8_lossy(&show.stdout).contains("bearer_token_env_var: TRACKER_TOKEN"),
        "{}",
        String::from_utf8_lossy(&show.stdout)
    );
}

/// doctor checks each enabled server: its program is found, the variables
/// it names are set; a required server's missing program is an error.
#[test]
fn doctor_checks_each_servers_command_and_variables() {
    let w = World::new();
    w.catalog(&format!(
        "{}mcp_servers:\n  docs:\n    command: no-such-mcp-program\n    env_vars: [CODEXGEN_TEST_DOCS_TOKEN]\n  tracker:\n    url: https://m.example/mcp\n    bearer_token_env_var: CODEXGEN_TEST_TRACKER_TOKEN\n    env_http_headers: {{X-Tenant: CODEXGEN_TEST_TENANT}}\n  off:\n    command: also-not-there\n    enabled: false\n",
        CATALOG.split("mcp_servers:").next().expect("head")
    ));
    w.gen_yes_for("0.171.0");
    let out = w
        .cmd()
        .args(["--codex-version", "0.171.0", "doctor"])
        .env("CODEXGEN_TEST_TENANT", "t1")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("mcp server docs"), "{text}");
    assert!(
        text.contains("`no-such-mcp-program` is not on PATH"),
        "{text}"
    );
    assert!(
        text.contains("CODEXGEN_TEST_DOCS_TOKEN is not set"),
        "{text}"
    );
    assert!(
        text.contains("CODEXGEN_TEST_TRACKER_TOKEN is not set"),
        "{text}"
    );
    assert!(!text.contains("CODEXGEN_TEST_TENANT is not set"), "{text}");
    assert!(!text.contains("also-not-there"), "{text}");
    assert!(text.contains("mcp server off"), "{text}");
    // Warnings only: no server is required.
    assert_ne!(out.status.code(), Some(1), "{text}");

    // A required server whose program is missing fails doctor.
    w.catalog(&format!(
        "{}mcp_servers:\n  docs:\n    command: no-such-mcp-program\n    required: true\n",
        CATALOG.split("mcp_servers:").next().expect("head")
    ));
    w.gen_yes_for("0.171.0");
    let out = w
        .cmd()
        .args(["--codex-version", "0.171.0", "doctor"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("required"), "{text}");
}

/// `--verify` reads back `codex mcp list --json` and says where what Codex
/// read of a catalog server is not what the catalog says (here a stand-in
/// Codex that reads another timeout and misses a server).
#[cfg(unix)]
#[test]
fn verify_compares_what_codex_lists_with_the_catalog() {
    let w = World::new();
    w.catalog(CATALOG);
    let listed = r#"[{"name":"docs","enabled":true,"transport":{"type":"stdio","command":"npx","args":["-y","@team/docs-mcp"],"env":{"LOG_LEVEL":"debug"},"env_vars":["DOCS_TOKEN"],"cwd":null},"startup_timeout_sec":30.0,"tool_timeout_sec":99.0}]"#;
    w.fake_codex(
        "0.171.0",
        &format!(
            "case \"$*\" in *--json*) printf '%s' '{listed}';; *--strict-config*) echo 'No prompt provided via stdin.' >&2; exit 1;; esac; exit 0"
        ),
    );
    let out = w
        .cmd()
        .args(["--codex-version", "0.171.0", "gen", "--diff", "--verify"])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert!(
        err.contains("MCP server `docs`: Codex 0.171.0 reads `tool_timeout_sec` as 99.0, the catalog says 12.5"),
        "{err}"
    );
    assert!(
        err.contains("Codex 0.171.0 does not list MCP server `tracker`"),
        "{err}"
    );
    assert!(
        w.codex_runs().iter().any(|r| r == "mcp list --json"),
        "{:?}",
        w.codex_runs()
    );
}

/// `list` shows each catalog server: its transport, what it starts or
/// reaches, whether it is on, and whether the variables it names are set.
#[test]
fn list_shows_the_catalogs_servers() {
    let w = World::new();
    w.catalog(CATALOG);
    let out = w
        .cmd()
        .args(["--codex-version", "0.171.0", "list"])
        .env("DOCS_TOKEN", "x")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("MCP servers:"), "{text}");
    let docs = text
        .lines()
        .find(|l| l.starts_with("docs "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        docs.contains("stdio") && docs.contains("npx -y @team/docs-mcp") && docs.contains("set"),
        "{docs}"
    );
    let tracker = text
        .lines()
        .find(|l| l.starts_with("tracker "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        tracker.contains("http")
            && tracker.contains("https://mcp.tracker.example/mcp")
            && tracker.contains("TRACKER_TOKEN"),
        "{tracker}"
    );
    let json = w
        .cmd()
        .args(["--codex-version", "0.171.0", "list", "--format", "json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["mcp_servers"][0]["id"], "docs", "{v}");
    assert_eq!(v["mcp_servers"][0]["transport"], "stdio");
    assert_eq!(v["mcp_servers"][1]["variables"][0]["name"], "TRACKER_TOKEN");
    assert_eq!(v["mcp_servers"][1]["variables"][0]["set"], false);
}

/// `import` brings a home's MCP servers into the catalog: a literal secret
/// becomes a variable reference (`env_vars`, `bearer_token_env_var`,
/// `env_http_headers`) and is never printed; a server with a key the
/// catalog has no place for stays in config.toml, listed.
#[test]
fn import_brings_servers_in_with_secrets_as_variables() {
    let w = World::new();
    let home = "model = \"alpha-1\"\nmodel_provider = \"alpha-p\"\n\n[model_providers.alpha-p]\nname = \"Alpha\"\nbase_url = \"https://alpha.example/v1\"\nenv_key = \"ALPHA_API_KEY\"\nwire_api = \"responses\"\n\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs\"]\nenv = { LOG_LEVEL = \"debug\", GITHUB_TOKEN = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\" }\nstartup_timeout_sec = 30\n\n[mcp_servers.docs.tools.search]\napproval_mode = \"approve\"\n\n[mcp_servers.web]\nurl = \"https://m.example/mcp\"\nhttp_headers = { Authorization = \"Bearer sk-live-abcdefghijklmnop1234\", X-Team = \"a\" }\n\n[mcp_servers.odd]\ncommand = \"x\"\nmystery = 1\n";
    w.file("codex-home/config.toml", home);
    let out = w
        .cmd()
        .args([
            "--codex-version",
            "0.171.0",
            "import",
            "--output",
            "imported.yaml",
        ])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        !err.contains("ghp_abc") && !err.contains("sk-live"),
        "{err}"
    );
    let catalog = std::fs::read_to_string(w.root.join("work/imported.yaml")).expect("written");
    assert!(
        !catalog.contains("ghp_abc") && !catalog.contains("sk-live"),
        "{catalog}"
    );
    let v = crate::support::catalog_value(&catalog);
    let docs = &v["mcp_servers"]["docs"];
    assert_eq!(docs["command"], "npx", "{catalog}");
    assert_eq!(docs["env"]["LOG_LEVEL"], "debug", "{catalog}");
    assert!(docs["env"].get("GITHUB_TOKEN").is_none(), "{catalog}");
    assert_eq!(docs["env_vars"][0], "GITHUB_TOKEN", "{catalog}");
    assert_eq!(docs["startup_timeout_sec"], 30.0, "{catalog}");
    assert_eq!(docs["tools"]["search"]["approval_mode"], "approve");
    let web = &v["mcp_servers"]["web"];
    assert_eq!(web["http_headers"]["X-Team"], "a", "{catalog}");
    assert!(
        web["http_headers"].get("Authorization").is_none(),
        "{catalog}"
    );
    let token = web["bearer_token_env_var"]
        .as_str()
        .unwrap_or_else(|| panic!("{catalog}"));
    assert!(err.contains(&format!("set {token} to that value")), "{err}");
    assert!(err.contains("set GITHUB_TOKEN to that value"), "{err}");
    assert!(v["mcp_servers"].get("odd").is_none(), "{catalog}");
    assert!(err.contains("[mcp_servers.odd]"), "{err}");

    // gen takes the literals out; then the home is in sync.
    let catalog = w.root.join("work/imported.yaml");
    let out = w.run_catalog("0.171.0", &catalog, &["gen", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let config = w.read("config.toml");
    assert!(
        !config.contains("ghp_abc") && !config.contains("sk-live"),
        "{config}"
    );
    assert!(
        config.contains("[mcp_servers.odd]\ncommand = \"x\"\nmystery = 1\n"),
        "{config}"
    );
    let check = w.run_catalog("0.171.0", &catalog, &["gen", "--check"]);
    assert!(check.status.success(), "{}", stderr(&check));
}

/// The catalog with a profile that switches the HTTP server off and gives
/// the stdio one more time.
fn with_quiet_profile() -> String {
    CATALOG.replace(
        "    model: alpha-1\n",
        "    model: alpha-1\n  quiet:\n    provider: alpha-p\n    model: alpha-1\n    mcp_servers:\n      tracker: {enabled: false}\n      docs:\n        tool_timeout_sec: 60\n        tools: {fetch: {approval_mode: prompt}}\n",
    )
}

#[test]
fn a_profile_switches_a_team_server_off_in_its_file() {
    let w = World::new();
    w.catalog(&with_quiet_profile());
    w.gen_yes_for("0.171.0");
    let quiet = w.read("quiet.config.toml");
    assert!(
        quiet.contains(
            "[mcp_servers.tracker]\nurl = \"https://mcp.tracker.example/mcp\"\nenabled = false\n"
        ),
        "{quiet}"
    );
    assert!(
        quiet.contains("[mcp_servers.docs]\ncommand = \"npx\"\ntool_timeout_sec = 60.0\n"),
        "{quiet}"
    );
    assert!(
        quiet.contains("[mcp_servers.docs.tools.fetch]\napproval_mode = \"prompt\"\n"),
        "{quiet}"
    );
    // config.toml keeps the team's servers as they are.
    assert!(!w.read("config.toml").contains("enabled = false"));

    // A server the catalog does not have, or that an overlay removes.
    for (overlay, says) in [
        (
            None,
            "changes MCP server `trackr`, which the catalog does not have",
        ),
        (
            Some("mcp_servers:\n  tracker: ~\n"),
            "removes MCP server `tracker`, which profile `quiet` changes",
        ),
    ] {
        let w = World::new();
        let catalog = if overlay.is_some() {
            with_quiet_profile()
        } else {
            with_quiet_profile().replace("      tracker: {enabled", "      trackr: {enabled")
        };
        w.catalog(&catalog);
        if let Some(overlay) = overlay {
            w.file("work/providers.local.yaml", overlay);
        }
        let out = w
            .cmd()
            .args(["--codex-version", "0.171.0", "gen", "--check"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    // Codex before 0.134.0 reads no profile file.
    let w = World::new();
    w.catalog(&with_quiet_profile());
    let out = w
        .cmd()
        .args(["--codex-version", "0.133.0", "gen", "--check"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("needs Codex 0.134.0 or newer"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn real_codex_reads_a_profiles_server_switch() {
    let Some(bin) = codex_bin_from("CODEX_BIN_0_171_0", "0.171.0") else {
        return;
    };
    let s = Scratch::new();
    let catalog = s.work.join("providers.yaml");
    std::fs::write(&catalog, with_quiet_profile()).expect("catalog");
    let out = codexgen(
        &s,
        &catalog,
        &[
            "--codex-bin",
            bin.to_str().expect("a UTF-8 path"),
            "gen",
            "--yes",
            "--verify",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let out = codex(&bin, &s, &["-p", "quiet", "mcp", "list", "--json"]);
    assert!(ran(&out), "{}", out.stderr);
    let list: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let tracker = server(&list, "tracker").unwrap_or_else(|| panic!("{list}"));
    assert_eq!(tracker["enabled"], false, "{tracker}");
    assert_eq!(
        tracker["transport"]["bearer_token_env_var"], "TRACKER_TOKEN",
        "the profile keeps the team's other keys: {tracker}"
    );
    let docs = server(&list, "docs").unwrap_or_else(|| panic!("{list}"));
    assert_eq!(docs["tool_timeout_sec"], 60.0, "{docs}");
    assert_eq!(docs["startup_timeout_sec"], 30.0, "{docs}");
    assert_eq!(docs["transport"]["args"][1], "@team/docs-mcp", "{docs}");
    // Plain `codex` still has both on.
    let plain = mcp_list(&bin, &s);
    assert_eq!(
        server(&plain, "tracker").map(|t| t["enabled"].clone()),
        Some(true.into())
    );
}

/// `--verify` reads back `codex -p NAME mcp list --json` for a profile that
/// changes servers, and names a key Codex read otherwise.
#[cfg(unix)]
#[test]
fn verify_compares_what_a_profile_lists_with_its_changes() {
    let w = World::new();
    w.catalog(&with_quiet_profile());
    let plain = r#"[{"name":"docs","enabled":true,"transport":{"type":"stdio","command":"npx","args":["-y","@team/docs-mcp"],"env":{"LOG_LEVEL":"debug"},"env_vars":["DOCS_TOKEN"],"cwd":null},"startup_timeout_sec":30.0,"tool_timeout_sec":12.5},{"name":"tracker","enabled":true,"transport":{"type":"streamable_http","url":"https://mcp.tracker.example/mcp","bearer_token_env_var":"TRACKER_TOKEN","http_headers":{"X-Team":"platform"},"env_http_headers":{"X-Tenant":"TRACKER_TENANT"}}}]"#;
    w.fake_codex(
        "0.171.0",
        &format!(
            "case \"$*\" in *--json*) printf '%s' '{plain}';; *--strict-config*) echo 'No prompt provided via stdin.' >&2; exit 1;; esac; exit 0"
        ),
    );
    let out = w
        .cmd()
        .args(["--codex-version", "0.171.0", "gen", "--diff", "--verify"])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert!(
        err.contains("MCP server `tracker`: Codex 0.171.0 reads `enabled` as true, the catalog says false (`codex -p quiet mcp list --json`)"),
        "{err}"
    );
    assert!(!err.contains("(`codex mcp list --json`)"), "{err}");
    assert!(
        w.codex_runs()
            .iter()
            .any(|r| r == "-p quiet mcp list --json"),
        "{:?}",
        w.codex_runs()
    );
}

/// A credential in any MCP text value or list (an `args` item with a URL's
/// password, a `--password=` flag, the value after a secret-named flag, an
/// `Authorization:` header passed as an argument, an `env` value with a
/// URL's password, a `command` or a header with one) is refused: what the
/// redactor hides, the validator refuses, and `show` and `list --format
/// json` never print it.
#[test]
fn every_mcp_value_refuses_what_the_redactor_hides() {
    let cases: &[(&str, &str)] = &[
        (
            "  s:\n    command: npx\n    args: [-y, pkg, 'postgresql://admin:Sup3rS3cretPw@db.internal/prod']\n",
            "env_vars",
        ),
        (
            "  s:\n    command: npx\n    args: [mcp-remote, 'https://m.example/mcp', --header, 'Authorization: Bearer Sup3rS3cretTok']\n",
            "env_vars",
        ),
        (
            "  s:\n    command: npx\n    args: ['--password=Sup3rS3cretPw']\n",
            "env_vars",
        ),
        (
            "  s:\n    command: npx\n    args: [--api-key, Sup3rS3cretPw]\n",
            "env_vars",
        ),
        (
            "  s:\n    command: npx\n    args: [-p, --client-secret, Sup3rS3cretPw, -v]\n",
            "env_vars",
        ),
        (
            "  s:\n    command: npx\n    args:\n      - --api-key\n      - Sup3rS3cretPw\n",
            "env_vars",
        ),
        (
            "  s:\n    command: npx\n    env: {DATABASE_URL: 'postgresql://u:Sup3rS3cretPw@db/x'}\n",
            "env_vars",
        ),
        (
            "  s:\n    command: 'srv --token=Sup3rS3cretPw'\n",
            "env_vars",
        ),
        (
            "  s:\n    command: srv\n    cwd: '/srv/x --secret=Sup3rS3cretPw'\n",
            "env_vars",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    http_headers: {X-Db: 'postgresql://u:Sup3rS3cretPw@db/x'}\n",
            "env_http_headers",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    oauth: {client_id: 'https://u:Sup3rS3cretPw@id.example/app'}\n",
            "env_http_headers",
        ),
    ];
    for (server, fix) in cases {
        let w = World::new();
        w.catalog(&format!(
            "{}mcp_servers:\n{server}",
            CATALOG.split("mcp_servers:").next().expect("head")
        ));
        let out = w
            .cmd()
            .args(["--codex-version", "0.171.0", "gen", "--check"])
            .output()
            .expect("run");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{server}\n{err}");
        assert!(err.contains(fix), "{server}: the error names {fix}:\n{err}");
        assert!(!err.contains("Sup3rS3cret"), "{server}: printed\n{err}");
        for args in [&["show"][..], &["list", "--format", "json"], &["list"]] {
            let out = w
                .cmd()
                .args(["--codex-version", "0.171.0"])
                .args(args)
                .output()
                .expect("run");
            let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
            assert!(
                !all.contains("Sup3rS3cret"),
                "{server} {args:?}: printed\n{all}"
            );
        }
    }
}

/// `import` never copies a credential the catalog would refuse: a server
/// whose `args` (or `command`, `cwd`, `url`) hold one stays in config.toml
/// with its reason, an `env` value with a URL's password becomes a variable,
/// and neither is printed.
#[test]
fn import_keeps_a_server_whose_args_hold_a_credential() {
    let w = World::new();
    let home = "model = \"alpha-1\"\nmodel_provider = \"alpha-p\"\n\n[model_providers.alpha-p]\nname = \"Alpha\"\nbase_url = \"https://alpha.example/v1\"\nenv_key = \"ALPHA_API_KEY\"\nwire_api = \"responses\"\n\n[mcp_servers.db]\ncommand = \"npx\"\nargs = [\"-y\", \"pkg\", \"postgresql://admin:Sup3rS3cretPw@db.internal/prod\"]\n\n[mcp_servers.api]\ncommand = \"npx\"\nargs = [\"--api-key\", \"Sup3rS3cretPw\"]\n\n[mcp_servers.envy]\ncommand = \"npx\"\nenv = { DATABASE_URL = \"postgresql://u:Sup3rS3cretPw@db/x\" }\n\n[mcp_servers.var]\ncommand = \"srv\"\nargs = [\"--home\", \"$HOME/x\"]\n";
    w.file("codex-home/config.toml", home);
    let out = w
        .cmd()
        .args([
            "--codex-version",
            "0.171.0",
            "import",
            "--output",
            "imported.yaml",
        ])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("Sup3rS3cret"), "{err}");
    let catalog = std::fs::read_to_string(w.root.join("work/imported.yaml")).expect("written");
    assert!(!catalog.contains("Sup3rS3cret"), "{catalog}");
    let v = crate::support::catalog_value(&catalog);
    assert!(v["mcp_servers"].get("db").is_none(), "{catalog}");
    assert!(v["mcp_servers"].get("api").is_none(), "{catalog}");
    assert!(err.contains("[mcp_servers.db]"), "{err}");
    assert!(err.contains("[mcp_servers.api]"), "{err}");
    assert!(v["mcp_servers"].get("var").is_none(), "{catalog}");
    assert!(err.contains("[mcp_servers.var]"), "{err}");
    assert_eq!(
        v["mcp_servers"]["envy"]["env_vars"][0], "DATABASE_URL",
        "{catalog}"
    );
    // `envy`'s `env` left for `env_vars`: the catalog no longer writes it,
    // so gen refuses to merge the home's table key by key, and says how.
    let check = w.run_catalog(
        "0.171.0",
        &w.root.join("work/imported.yaml"),
        &["gen", "--check"],
    );
    let err = stderr(&check);
    assert!(err.contains("codex mcp remove envy"), "{err}");
    assert!(!err.contains("Sup3rS3cret"), "{err}");
}

/// A server of the user's own with a catalog server's id is not merged
/// into it key by key (the team's program would get the user's `env`): a
/// table with a key the catalog does not write is refused, naming both
/// ways out, in either TOML form; one whose keys are all the catalog's
/// (what `import` brought in) is taken over whole.
#[test]
fn a_users_server_with_a_team_servers_id_is_taken_over_whole_or_refused() {
    for home in [
        "[mcp_servers.tracker]\ncommand = \"my-tracker\"\nenv = { MY_TOKEN = \"abc\" }\nstartup_timeout_sec = 99\n",
        "mcp_servers.docs.command = \"my-docs\"\nmcp_servers.docs.cwd = \"/home/me\"\n",
    ] {
        let w = World::new();
        w.catalog(CATALOG);
        w.file("codex-home/config.toml", home);
        let out = w
            .cmd()
            .args(["--codex-version", "0.171.0", "gen", "--yes"])
            .output()
            .expect("run");
        let err = stderr(&out);
        assert_ne!(out.status.code(), Some(0), "{home}\n{err}");
        assert!(err.contains("[mcp_servers."), "{err}");
        assert!(err.contains("rename the team server"), "{err}");
        assert!(!err.contains("abc"), "{err}");
        assert_eq!(w.read("config.toml"), home, "nothing written");
    }
    let w = World::new();
    w.catalog(CATALOG);
    w.file(
        "codex-home/config.toml",
        "[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"old\"]\n",
    );
    w.gen_yes_for("0.171.0");
    let doc: toml::Table = w.read("config.toml").parse().expect("TOML");
    assert_eq!(
        doc["mcp_servers"]["docs"]["args"][1].as_str(),
        Some("@team/docs-mcp")
    );
}

/// A number of seconds Codex cannot turn into a duration ("cannot convert
/// float seconds to Duration") is refused in the catalog, in a profile's
/// server and on import, by the key table's one maximum.
#[test]
fn a_timeout_beyond_the_maximum_is_refused_everywhere() {
    for value in ["99999999999999999999", "1e300", "31536001"] {
        for server in [
            format!("  s:\n    command: srv\n    startup_timeout_sec: {value}\n"),
            format!("  s:\n    command: srv\n    tool_timeout_sec: {value}\n"),
        ] {
            let w = World::new();
            w.catalog(&format!(
                "{}mcp_servers:\n{server}",
                CATALOG.split("mcp_servers:").next().expect("head")
            ));
            let out = w
                .cmd()
                .args(["--codex-version", "0.171.0", "gen", "--check"])
                .output()
                .expect("run");
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{server}\n{err}");
            assert!(err.contains("31536000"), "{server}\n{err}");
        }
    }
    let w = World::new();
    w.catalog(
        &format!(
            "{}mcp_servers:\n  s:\n    command: srv\n{}",
            CATALOG.split("mcp_servers:").next().expect("head"),
            "    x: 1\n"
        )
        .replace("    x: 1\n", "")
        .replace(
            "    model: alpha-1\n",
            "    model: alpha-1\n    mcp_servers:\n      s: {tool_timeout_sec: 1e300}\n",
        ),
    );
    let out = w
        .cmd()
        .args(["--codex-version", "0.171.0", "gen", "--check"])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("31536000"), "{err}");

    let w = World::new();
    w.file(
        "codex-home/config.toml",
        "model = \"alpha-1\"\nmodel_provider = \"alpha-p\"\n\n[model_providers.alpha-p]\nname = \"Alpha\"\nbase_url = \"https://alpha.example/v1\"\nenv_key = \"ALPHA_API_KEY\"\nwire_api = \"responses\"\n\n[mcp_servers.big]\ncommand = \"npx\"\nstartup_timeout_sec = 1e300\n",
    );
    let out = w
        .cmd()
        .args([
            "--codex-version",
            "0.171.0",
            "import",
            "--output",
            "imported.yaml",
        ])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let catalog = std::fs::read_to_string(w.root.join("work/imported.yaml")).expect("written");
    let v = crate::support::catalog_value(&catalog);
    assert!(v["mcp_servers"].get("big").is_none(), "{catalog}");
    assert!(err.contains("[mcp_servers.big]"), "{err}");
}

/// `${VAR}`, `$VAR`, `%VAR%` and `{env:VAR}` are refused in every MCP text
/// key (Codex expands none of them), each with the Codex way to pass a
/// variable; a `$` before a lower-case word or a digit (a regex, a price)
/// is text.
#[test]
fn every_mcp_text_key_refuses_a_variable_to_expand() {
    let cases: &[(&str, &str)] = &[
        (
            "  s:\n    command: srv\n    args: [--db, '${DATABASE_URL}']\n",
            "env_vars",
        ),
        (
            "  s:\n    command: srv\n    args: [--home, $HOME]\n",
            "env_vars",
        ),
        (
            "  s:\n    command: srv\n    args: ['%APPDATA%\\x']\n",
            "env_vars",
        ),
        ("  s:\n    command: '${TOOLS}/srv'\n", "env_vars"),
        (
            "  s:\n    command: srv\n    cwd: '$HOME/work'\n",
            "env_vars",
        ),
        (
            "  s:\n    command: srv\n    env: {DIR: '%USERPROFILE%'}\n",
            "env_vars",
        ),
        (
            "  s:\n    url: 'https://m.example/${TENANT}/mcp'\n",
            "env_http_headers",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    oauth: {client_id: '${CLIENT_ID}'}\n",
            "env_http_headers",
        ),
        (
            "  s:\n    url: https://m.example/mcp\n    http_headers_helper: '$HOME/bin/h'\n",
            "env_http_headers",
        ),
    ];
    for (server, fix) in cases {
        let w = World::new();
        w.catalog(&format!(
            "{}mcp_servers:\n{server}",
            CATALOG.split("mcp_servers:").next().expect("head")
        ));
        let out = w
            .cmd()
            .args(["--codex-version", "0.171.0", "gen", "--check"])
            .output()
            .expect("run");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{server}\n{err}");
        assert!(err.contains("expand"), "{server}\n{err}");
        assert!(err.contains(fix), "{server}: the error names {fix}:\n{err}");
    }
    let w = World::new();
    w.catalog(&format!(
        "{}mcp_servers:\n  s:\n    command: grep\n    args: ['^a$b', 'costs $5', '100%']\n",
        CATALOG.split("mcp_servers:").next().expect("head")
    ));
    let out = w
        .cmd()
        .args(["--codex-version", "0.171.0", "gen", "--check"])
        .output()
        .expect("run");
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// `--verify` does not compare what `codex mcp list --json` redacts
/// (`http_headers_helper` shows as `"<redacted>"`, measured on 0.171.0),
/// and warns when Codex reads a catalog server as switched off that the
/// catalog leaves on (a hand-added `enabled = false`, which codexgen does
/// not write over: `enabled = true` is what Codex drops on rewrite).
#[test]
fn verify_skips_redacted_fields_and_warns_on_a_server_switched_off_by_hand() {
    let w = World::new();
    w.catalog(&format!(
        "{}mcp_servers:\n  h:\n    url: https://m.example/mcp\n    http_headers_helper: /usr/bin/h\n  t:\n    command: srv\n    enabled: true\n",
        CATALOG.split("mcp_servers:").next().expect("head")
    ));
    let listed = r#"[{"name":"h","enabled":true,"transport":{"type":"streamable_http","url":"https://m.example/mcp","bearer_token_env_var":null,"http_headers":null,"env_http_headers":null,"http_headers_helper":"<redacted>"},"startup_timeout_sec":null,"tool_timeout_sec":null},{"name":"t","enabled":false,"transport":{"type":"stdio","command":"srv","args":[],"env":null,"env_vars":[],"cwd":null},"startup_timeout_sec":null,"tool_timeout_sec":null}]"#;
    w.fake_codex(
        "0.171.0",
        &format!(
            "case \"$*\" in *--json*) printf '%s' '{listed}';; *--strict-config*) echo 'No prompt provided via stdin.' >&2; exit 1;; esac; exit 0"
        ),
    );
    let out = w
        .cmd()
        .args(["--codex-version", "0.171.0", "gen", "--diff", "--verify"])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert!(!err.contains("http_headers_helper"), "{err}");
    assert!(
        err.contains(
            "MCP server `t`: Codex 0.171.0 reads `enabled` as false, the catalog says true"
        ),
        "{err}"
    );
}

/// A hand edit of a team server's values (its url, a timeout in seconds) is
/// kept by `adopt`, which `gen` recommends for every drifted value: written
/// into the overlay under `mcp_servers.ID`, after which `gen` is in sync.
#[test]
fn adopt_keeps_a_hand_edit_of_a_team_server() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes_for("0.171.0");
    let edited = w
        .read("config.toml")
        .replace(
            "url = \"https://mcp.tracker.example/mcp\"",
            "url = \"https://mcp2.tracker.example/mcp\"",
        )
        .replace("startup_timeout_sec = 30.0", "startup_timeout_sec = 45.0");
    assert!(edited.contains("mcp2.tracker"), "{edited}");
    assert!(edited.contains("startup_timeout_sec = 45.0"), "{edited}");
    std::fs::write(w.home.join("config.toml"), &edited).expect("write");
    let out = w
        .cmd()
        .args(["--codex-version", "0.171.0", "adopt", "--yes"])
        .output()
        .expect("adopt runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let overlay = std::fs::read_to_string(w.root.join("work/providers.local.yaml"))
        .expect("adopt wrote the overlay");
    assert!(overlay.contains("mcp_servers:"), "{overlay}");
    assert!(
        overlay.contains("https://mcp2.tracker.example/mcp"),
        "{overlay}"
    );
    assert!(overlay.contains("startup_timeout_sec: 45.0"), "{overlay}");
    w.cmd()
        .args(["--codex-version", "0.171.0", "gen", "--check"])
        .assert()
        .success();
}
