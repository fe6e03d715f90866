//! Shared helpers: a scratch world (Codex home, working folder, config dir)
//! and a `codexgen` command that cannot see the user's real files.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// A small valid catalog used by most tests.
pub const CATALOG: &str = r#"schema: 1
version: "t1"
default: alpha
providers:
  alpha-p:
    name: Alpha
    base_url: https://alpha.example/v1
    env_key: ALPHA_API_KEY
  beta-p:
    name: Beta
    base_url: https://beta.example/openai/v1
    env_key: BETA_API_KEY
    query_params: {api-version: "2025-04-01-preview"}
profiles:
  alpha:
    provider: alpha-p
    model: alpha-1
  beta:
    provider: beta-p
    model: beta-2
    model_reasoning_effort: high
"#;

pub struct World {
    _dir: TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
}

impl World {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let home = root.join("codex-home");
        std::fs::create_dir_all(&home).expect("codex home");
        std::fs::create_dir_all(root.join("work")).expect("work dir");
        World {
            _dir: dir,
            root,
            home,
        }
    }

    /// Writes a file under the scratch root and returns its path.
    pub fn file(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent dir");
        }
        std::fs::write(&path, text).expect("write file");
        path
    }

    pub fn catalog(&self, text: &str) -> PathBuf {
        self.file("work/providers.yaml", text)
    }

    /// `codexgen` with the Codex home, cwd and config dir inside the scratch root.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("codexgen").expect("binary");
        cmd.current_dir(self.root.join("work"))
            .env_remove("CODEX_HOME")
            .env("HOME", self.root.join("user"))
            .env("XDG_CONFIG_HOME", self.root.join("user/.config"))
            .env("NO_COLOR", "1")
            // No `codex` to detect unless a test puts one there.
            .env("PATH", self.root.join("bin"))
            .env("XDG_CACHE_HOME", self.root.join("user/.cache"))
            // Codex's system folder (`/etc/codex`): a scratch one, so the
            // machine's own never takes part.
            .env("CODEXGEN_SYSTEM_CODEX_DIR", self.root.join("etc-codex"))
            .arg("--codex-home")
            .arg(&self.home);
        cmd
    }

    /// A stand-in `codex` in the scratch `bin/` (on the command's PATH): it
    /// prints `codex-cli VERSION` for `--version`, logs each run, and runs
    /// `mcp_script` (shell) for anything else.
    #[cfg(unix)]
    pub fn fake_codex(&self, version: &str, mcp_script: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let log = self.root.join("codex-runs.log");
        let bin = self.file(
            "bin/codex",
            &format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nif [ \"$1\" = --version ]; then echo 'codex-cli {version}'; exit 0; fi\n{mcp_script}\n",
                log.display()
            ),
        );
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        bin
    }

    /// The argument lists the fake codex was run with.
    pub fn codex_runs(&self) -> Vec<String> {
        std::fs::read_to_string(self.root.join("codex-runs.log"))
            .map(|s| s.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.home.join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.home.join(name).exists()
    }

    pub fn gen_yes(&self) {
        self.cmd().args(["gen", "--yes"]).assert().success();
    }

    /// `codexgen --codex-version VERSION --catalog CATALOG ARGS`, as it ran.
    pub fn run_catalog(
        &self,
        version: &str,
        catalog: &Path,
        args: &[&str],
    ) -> std::process::Output {
        self.cmd()
            .args(["--codex-version", version, "--catalog"])
            .arg(catalog)
            .args(args)
            .output()
            .expect("run codexgen")
    }

    /// `gen --yes` for the Codex release `version`, which must succeed.
    pub fn gen_yes_for(&self, version: &str) {
        self.cmd()
            .args(["--codex-version", version, "gen", "--yes"])
            .assert()
            .success();
    }
}

/// Every file under `dir` with its content, to prove nothing changed.
pub fn snapshot_dir(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

/// `codexgen ARGS` (words for a shell line, e.g. `gen` or `--catalog 'x' gen`)
/// on a real terminal, which `script` (util-linux) gives it, answering
/// `answer` at its prompt: the terminal's text and the exit status. `None`,
/// after saying so, where there is no `script`.
#[cfg(target_os = "linux")]
pub fn on_a_terminal(w: &World, args: &str, answer: &str) -> Option<(String, Option<i32>)> {
    let Some(script) = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
    else {
        eprintln!("skipped: no `script` (util-linux) to run codexgen on a terminal");
        return None;
    };
    let line = format!(
        "'{}' --codex-home '{}' {args}",
        assert_cmd::cargo::cargo_bin("codexgen").display(),
        w.home.display()
    );
    let run = std::process::Command::new(script)
        .current_dir(w.root.join("work"))
        .env_remove("CODEX_HOME")
        .env("HOME", w.root.join("user"))
        .env("XDG_CONFIG_HOME", w.root.join("user/.config"))
        .env("XDG_CACHE_HOME", w.root.join("user/.cache"))
        .env("NO_COLOR", "1")
        .env("PATH", "/usr/bin:/bin")
        .env("CODEXGEN_SYSTEM_CODEX_DIR", w.root.join("etc-codex"))
        .args(["-qec", &line, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(answer.as_bytes())?;
            child.wait_with_output()
        })
        .expect("script runs");
    Some((
        String::from_utf8_lossy(&run.stdout).into_owned(),
        run.status.code(),
    ))
}

/// The catalog's key tables (`catalog::keys`) as `codexgen schema` prints
/// them: the JSON Schema is derived from the tables, one property per key a
/// catalog can set (a refused key is not in it), its kind as type, enum,
/// range or `$ref` to a table of its own.
pub fn key_tables() -> serde_json::Value {
    let out = Command::cargo_bin("codexgen")
        .expect("binary")
        .arg("schema")
        .output()
        .expect("run schema");
    assert!(out.status.success(), "codexgen schema failed");
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

/// A catalog's YAML as a JSON value, to compare two catalogs.
pub fn catalog_value(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Values of the kind a key's schema `property` describes, to try in turn
/// (the first a target accepts is the sample): every choice, a number in
/// its range, text, a path, a program name, a URL, a variable name, an
/// id, a one-entry
/// map, a two-item list. `None` for a table of its own (`$ref`).
pub fn kind_samples(property: &serde_json::Value) -> Option<Vec<serde_json::Value>> {
    use serde_json::json;
    if property.get("$ref").is_some() {
        return None;
    }
    if let Some(values) = property["enum"].as_array() {
        return Some(values.iter().rev().cloned().collect());
    }
    let pattern = property["pattern"].as_str().unwrap_or_default();
    let text = |pattern: &str| {
        if pattern.contains("https?") {
            vec![json!("https://sample.example/v1")]
        } else if pattern.starts_with("^[A-Za-z0-9_]") {
            // An id: a profile's provider, Codex's built-in one.
            vec![json!("openai")]
        } else if pattern.starts_with("^[A-Za-z_]") {
            vec![json!("SAMPLE_VAR")]
        } else {
            // Text, an absolute path, and the one program a command
            // may have to be (`aws.auth_refresh` runs `aws`).
            vec![json!("sample text 1"), json!("/srv/sample-1"), json!("aws")]
        }
    };
    Some(match property["type"].as_str() {
        Some("string") => text(pattern),
        Some("integer") => {
            let min = property["minimum"].as_i64().unwrap_or(0);
            match property["maximum"].as_i64() {
                Some(max) => vec![json!(min + (max - min) / 2)],
                None => vec![json!(min + 7)],
            }
        }
        Some("boolean") => vec![json!(true), json!(false)],
        Some("array") => vec![json!(["a-1", "b 2"])],
        Some("object") if property["additionalProperties"]["type"] == "boolean" => {
            vec![json!({ "sample_flag": true })]
        }
        Some("object") => {
            let inner = property["additionalProperties"]["pattern"]
                .as_str()
                .unwrap_or_default();
            text(inner)
                .into_iter()
                .map(|v| json!({ "X-Sample": v }))
                .collect()
        }
        other => panic!("a kind the round-trip test has no sample for: {other:?} in {property}"),
    })
}

/// A template that never ends and prints 1 KiB a step, so it reaches the
/// 16 MiB output bound in 16,000 steps (quickly, even in a debug build).
pub static PRINTS_WITHOUT_END: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{{% for a in range(end=100000) %}}{{% for b in range(end=100000) %}}# {}{{{{ a }}}} {{{{ b }}}}\n{{% endfor %}}{{% endfor %}}",
        "x".repeat(1024)
    )
});

/// The keys a provider may have, in the order `unknown key` errors list
/// them (`help: known keys here: ...`). The one place the list is written:
/// tests compare the whole help line against it, so adding a key to
/// `catalog::keys::PROVIDER` fails them and is fixed here.
pub const PROVIDER_KEYS: &str = "name, base_url, env_key, env_key_instructions, wire_api, query_params, http_headers, env_http_headers, request_max_retries, stream_max_retries, stream_idle_timeout_ms, requires_openai_auth, auth, aws, project_id, location, credential_file, supports_websockets, websocket_connect_timeout_ms, supports_standalone_web_search, model_catalog_url, capabilities, experimental_bearer_token";
