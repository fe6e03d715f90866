//! End to end: the real Codex CLI reads what `codexgen gen` writes.
//!
//! Owns the tests that generate a `CODEX_HOME` from a catalog and then run the real
//! `codex exec` (the binary named by `CODEX_BIN`; `.ci/run` installs it) against the
//! stand-in Responses server, checking that every provider setting (base path, query
//! parameters, headers, key variable, model, profile file) reaches the wire. Does not
//! test codexgen's own output format: other modules do that; here only Codex judges.
//!
//! Everything lives in a scratch folder under `CARGO_TARGET_TMPDIR` (not `/tmp`, where
//! Codex refuses to create its helper binaries and warns), and Codex runs with a
//! cleared environment, so neither the user's `~/.codex` nor their API keys take part.
//!
//! The helpers are shared with `e2e_versions` (older Codex releases, migration), which
//! runs other Codex binaries and passes codexgen extra arguments.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::stand_in::{Request, StandIn};

/// A hung Codex is killed after this long; a healthy run takes well under a second.
const CODEX_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) const PROMPT: &str = "say ok";

/// One catalog provider and the profile that selects it.
pub(crate) struct Case {
    pub(crate) provider: &'static str,
    pub(crate) name: &'static str,
    /// Path part of `base_url`; requests go to `{prefix}/responses`.
    pub(crate) prefix: &'static str,
    pub(crate) env_key: &'static str,
    /// The value the test puts in `env_key`; must arrive as `Bearer {key}`.
    pub(crate) key: &'static str,
    pub(crate) http_headers: &'static [(&'static str, &'static str)],
    pub(crate) query_params: &'static [(&'static str, &'static str)],
    pub(crate) profile: &'static str,
    pub(crate) model: &'static str,
}

/// The default profile's provider: the plain case.
pub(crate) const ALPHA: Case = Case {
    provider: "alpha-provider",
    name: "Alpha",
    prefix: "/v1",
    env_key: "CODEXGEN_E2E_ALPHA_KEY",
    key: "alpha-key-5e1c07",
    http_headers: &[],
    query_params: &[],
    profile: "alpha",
    model: "alpha-model-1",
};

/// A second provider, reached only through its profile file, with every extra.
pub(crate) const BETA: Case = Case {
    provider: "beta-provider",
    name: "Beta",
    prefix: "/openai/v1",
    env_key: "CODEXGEN_E2E_BETA_KEY",
    key: "beta-key-93d4aa",
    http_headers: &[("X-E2e-Header", "hello")],
    query_params: &[("api-version", "2025-04-01-preview")],
    profile: "beta",
    model: "beta-model-2",
};

/// Both providers' key variables with the values [`check_run`] expects on the wire.
pub(crate) const KEYS: [(&str, &str); 2] = [(ALPHA.env_key, ALPHA.key), (BETA.env_key, BETA.key)];

#[test]
fn real_codex_reaches_each_generated_provider_through_its_profile() {
    let Some(codex) = codex_bin() else { return };
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.write_catalog(&server);
    generate(&scratch.codex_home, &catalog);

    // Default profile: no -p, config.toml's top-level model and model_provider.
    check_run(&ALPHA, &scratch.run_codex(&codex, &server, None, &KEYS));
    // Second profile: the top-level -p form, which reads beta.config.toml.
    check_run(
        &BETA,
        &scratch.run_codex(&codex, &server, Some(BETA.profile), &KEYS),
    );
}

/// Command-backed keys (issue 13): each provider gets its key from a command
/// (`auth:`), no key variable is set, and the Bearer token at the stand-in is
/// the command's output, for the default profile and for `-p beta`.
#[test]
#[cfg(unix)]
fn real_codex_sends_the_key_commands_output_as_the_bearer_token() {
    use std::os::unix::fs::PermissionsExt as _;
    let Some(codex) = codex_bin() else { return };
    let server = StandIn::start();
    let scratch = Scratch::new();
    let bin = scratch.work.join("keys");
    std::fs::create_dir_all(&bin).expect("create the key folder");
    // One prints a padded key (Codex trims it), the other echoes its
    // argument, run from `cwd` by a relative path.
    let tokens = [
        ("alpha", "alpha-cmd-tok-31d7"),
        ("beta", "beta-cmd-tok-8c02"),
    ];
    let alpha = bin.join("alpha-key");
    std::fs::write(
        &alpha,
        format!("#!/bin/sh\nprintf '  {}\\n'\n", tokens[0].1),
    )
    .expect("write a key command");
    let beta = bin.join("beta-key");
    std::fs::write(&beta, "#!/bin/sh\necho \"$1\"\n").expect("write a key command");
    for script in [&alpha, &beta] {
        std::fs::set_permissions(script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let catalog = scratch.work.join("providers.yaml");
    std::fs::write(
        &catalog,
        format!(
            "schema: 1\nversion: \"e2e-auth\"\ndefault: {a}\nproviders:\n  {ap}:\n    name: {an}\n    base_url: {au}\n    auth:\n      command: {alpha}\n  {bp}:\n    name: {bn}\n    base_url: {bu}\n    auth:\n      command: ./beta-key\n      args: [{bt}]\n      cwd: {bin}\n      timeout_ms: 10000\nprofiles:\n  {a}:\n    provider: {ap}\n    model: {am}\n  {b}:\n    provider: {bp}\n    model: {bm}\n",
            a = ALPHA.profile,
            ap = ALPHA.provider,
            an = ALPHA.name,
            au = server.base_url(ALPHA.prefix),
            am = ALPHA.model,
            alpha = alpha.display(),
            b = BETA.profile,
            bp = BETA.provider,
            bn = BETA.name,
            bu = server.base_url(BETA.prefix),
            bm = BETA.model,
            bt = tokens[1].1,
            bin = bin.display(),
        ),
    )
    .expect("write the catalog");
    generate(&scratch.codex_home, &catalog);
    let config = std::fs::read_to_string(scratch.codex_home.join("config.toml")).expect("read");
    assert!(!config.contains("env_key"), "{config}");

    let alpha_case = Case {
        key: tokens[0].1,
        ..ALPHA
    };
    check_run(&alpha_case, &scratch.run_codex(&codex, &server, None, &[]));
    let beta_case = Case {
        key: tokens[1].1,
        http_headers: &[],
        query_params: &[],
        ..BETA
    };
    check_run(
        &beta_case,
        &scratch.run_codex(&codex, &server, Some(BETA.profile), &[]),
    );
    // `codexgen exec beta` (Codex's override form, no key variable): the
    // same token reaches the wire.
    let before = server.requests().len();
    let mut run = codexgen_command(
        "exec",
        &scratch.codex_home,
        &catalog,
        Some(&codex),
        &[
            OsStr::new(BETA.profile),
            OsStr::new("--"),
            OsStr::new("exec"),
            OsStr::new("--skip-git-repo-check"),
            OsStr::new(PROMPT),
        ],
    );
    run.requests = server.requests().split_off(before);
    check_run(&beta_case, &run);
}

/// The 401 trap codexgen guards against: with the key variable unset Codex does not
/// send an unauthenticated request, it stops before the first request and names the
/// variable.
#[test]
fn real_codex_stops_before_any_request_when_the_key_variable_is_unset() {
    let Some(codex) = codex_bin() else { return };
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.write_catalog(&server);
    generate(&scratch.codex_home, &catalog);

    let run = scratch.run_codex(&codex, &server, None, &[(BETA.env_key, BETA.key)]);
    let report = report(&run);
    assert!(
        run.status.is_some_and(|s| !s.success()),
        "codex should fail without {}\n{report}",
        ALPHA.env_key
    );
    assert!(
        run.stderr.contains(ALPHA.env_key),
        "codex's error should name {}\n{report}",
        ALPHA.env_key
    );
    assert!(
        run.requests.is_empty(),
        "codex should not reach the server\n{report}"
    );
}

/// Codex's `/model` writes its choice into config.toml. Both ways of living
/// with it reach the wire: `adopt` moves it into the overlay (and the next
/// `gen` keeps it), `default: ~` leaves config.toml's model to Codex.
#[test]
fn real_codex_uses_the_model_it_picked_after_adopt_and_after_default_null() {
    let Some(codex) = codex_bin() else { return };
    let server = StandIn::start();
    let picked = Case {
        model: "alpha-model-picked",
        ..ALPHA
    };
    for way in ["adopt", "default: ~"] {
        let scratch = Scratch::new();
        let catalog = scratch.write_catalog(&server);
        generate(&scratch.codex_home, &catalog);
        let config = scratch.codex_home.join("config.toml");
        let text = std::fs::read_to_string(&config).expect("read config.toml");
        let edited = text.replace(
            &format!("model = \"{}\"", ALPHA.model),
            &format!("model = \"{}\"", picked.model),
        );
        assert_ne!(text, edited, "config.toml has the default model");
        std::fs::write(&config, &edited).expect("write config.toml");
        if way == "adopt" {
            let run = codexgen_command(
                "adopt",
                &scratch.codex_home,
                &catalog,
                None,
                &[OsStr::new("--yes")],
            );
            assert!(run.status.is_some_and(|s| s.success()), "{}", run.stderr);
        } else {
            std::fs::write(
                scratch.work.join("providers.local.yaml"),
                "schema: 1\ndefault: ~\n",
            )
            .expect("write the overlay");
        }
        generate(&scratch.codex_home, &catalog);
        assert_eq!(
            std::fs::read_to_string(&config).expect("read config.toml"),
            edited,
            "{way}: gen keeps Codex's choice"
        );
        check_run(&picked, &scratch.run_codex(&codex, &server, None, &KEYS));
    }
}

/// Writes the Codex config for `catalog` into `codex_home` with the codexgen under
/// test (`codexgen gen --yes`, Codex version left to codexgen), with `CODEX_BIN` as the
/// Codex on its `PATH`.
fn generate(codex_home: &Path, catalog: &Path) {
    generate_with(codex_home, catalog, codex_bin_env().as_deref(), &[]);
}

/// `codexgen gen --yes EXTRA...` into `codex_home`, asserting success; `codex` is the
/// Codex put first on codexgen's `PATH` (see [`codexgen`]).
pub(crate) fn generate_with(
    codex_home: &Path,
    catalog: &Path,
    codex: Option<&Path>,
    extra: &[&OsStr],
) {
    let mut args: Vec<&OsStr> = vec![OsStr::new("--yes")];
    args.extend_from_slice(extra);
    let run = codexgen(codex_home, catalog, codex, &args);
    assert!(
        run.status.is_some_and(|s| s.success()),
        "{} failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
        run.args,
        run.status,
        run.stdout,
        run.stderr,
    );
}

/// Runs `codexgen gen ARGS...` for `catalog` and `codex_home` and returns what it did,
/// whatever the outcome (killed after [`CODEX_TIMEOUT`], since `--verify` runs Codex).
/// codexgen runs with a cleared environment: `HOME` is the scratch folder above
/// `codex_home`, its config dir is inside it, and it runs in the catalog's folder, so
/// no overlay or setting of the machine's user can take part.
///
/// `codex`'s folder goes first on codexgen's `PATH`, so any `codex --version` detection
/// targets the binary these tests run, not whatever the machine has installed.
pub(crate) fn codexgen(
    codex_home: &Path,
    catalog: &Path,
    codex: Option<&Path>,
    args: &[&OsStr],
) -> Run {
    codexgen_command("gen", codex_home, catalog, codex, args)
}

/// [`codexgen`] for another subcommand (`adopt`).
pub(crate) fn codexgen_command(
    command_name: &str,
    codex_home: &Path,
    catalog: &Path,
    codex: Option<&Path>,
    args: &[&OsStr],
) -> Run {
    let home = codex_home.parent().expect("the codex home has a parent");
    let codex_dir = codex.and_then(Path::parent).map(Path::to_path_buf);
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    let path = std::env::join_paths(
        codex_dir
            .into_iter()
            .chain(std::env::split_paths(&inherited)),
    )
    .expect("PATH entries are joinable");
    let mut command = Command::new(env!("CARGO_BIN_EXE_codexgen"));
    command
        .arg(command_name)
        .arg("--codex-home")
        .arg(codex_home)
        .arg("--catalog")
        .arg(catalog)
        .args(args)
        .current_dir(catalog.parent().expect("the catalog has a folder"))
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let shown: Vec<String> = args
        .iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    Run::with_timeout(
        command,
        format!("codexgen {command_name} {}", shown.join(" ")),
    )
}

/// The catalog under test, pointing both providers at `server`.
pub(crate) fn catalog_yaml(server: &StandIn) -> String {
    let mut yaml = format!(
        "schema: 1\nversion: \"e2e\"\ndefault: {}\nproviders:\n",
        ALPHA.profile
    );
    for case in [&ALPHA, &BETA] {
        let _ = write!(
            yaml,
            "  {}:\n    name: {}\n    base_url: {}\n    env_key: {}\n    wire_api: responses\n",
            case.provider,
            case.name,
            server.base_url(case.prefix),
            case.env_key,
        );
        for (key, map) in [
            ("http_headers", case.http_headers),
            ("query_params", case.query_params),
        ] {
            if !map.is_empty() {
                let entries: Vec<String> =
                    map.iter().map(|(k, v)| format!("{k}: \"{v}\"")).collect();
                let _ = writeln!(yaml, "    {key}: {{{}}}", entries.join(", "));
            }
        }
    }
    yaml.push_str("profiles:\n");
    for case in [&ALPHA, &BETA] {
        let _ = write!(
            yaml,
            "  {}:\n    provider: {}\n    model: {}\n",
            case.profile, case.provider, case.model
        );
    }
    yaml
}

/// Asserts that one Codex run succeeded and reached `case`'s provider exactly as the
/// catalog describes it.
pub(crate) fn check_run(case: &Case, run: &Run) {
    let report = report(run);
    assert!(
        run.status.is_some_and(|s| s.success()),
        "codex with profile {} should succeed\n{report}",
        case.profile
    );
    assert!(
        run.stdout.contains("ok"),
        "codex should print the stand-in's answer\n{report}"
    );

    let query: Vec<String> = case
        .query_params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut expected_path = format!("{}/responses", case.prefix);
    if !query.is_empty() {
        expected_path = format!("{expected_path}?{}", query.join("&"));
    }
    let turns: Vec<&Request> = run
        .requests
        .iter()
        .filter(|r| {
            r.path
                .split('?')
                .next()
                .is_some_and(|p| p.ends_with("/responses"))
        })
        .collect();
    assert!(
        !turns.is_empty(),
        "no request reached the stand-in's /responses for profile {}\n{report}",
        case.profile
    );
    let bearer = format!("Bearer {}", case.key);
    for turn in turns {
        assert_eq!(turn.method, "POST", "{report}");
        assert_eq!(turn.path, expected_path, "{report}");
        assert_eq!(
            turn.header("authorization"),
            Some(bearer.as_str()),
            "{report}"
        );
        assert_eq!(
            turn.json_string_field("model").as_deref(),
            Some(case.model),
            "{report}"
        );
        for (name, value) in case.http_headers {
            assert_eq!(turn.header(name), Some(*value), "{report}");
        }
        // The other provider's header must not leak into this one.
        for (name, _) in ALPHA.http_headers.iter().chain(BETA.http_headers) {
            if !case.http_headers.iter().any(|(own, _)| own == name) {
                assert_eq!(turn.header(name), None, "{report}");
            }
        }
    }
}

/// The failure message: what Codex printed and what the stand-in saw.
pub(crate) fn report(run: &Run) -> String {
    let status = run.status.map_or_else(
        || format!("killed after {CODEX_TIMEOUT:?}"),
        |s| s.to_string(),
    );
    let mut text = format!(
        "--- codex {}: {status} after {:?}\n--- codex stdout\n{}\n--- codex stderr\n{}\n--- {} request(s) received",
        run.args,
        run.elapsed,
        run.stdout,
        run.stderr,
        run.requests.len()
    );
    for request in &run.requests {
        let _ = write!(text, "\n{request}");
    }
    text
}

/// `CODEX_BIN`, or `None` after saying why the test is skipped. Under CI a missing
/// binary is a failure, so a broken install cannot pass as a green run.
fn codex_bin() -> Option<PathBuf> {
    codex_bin_from("CODEX_BIN", "0.169.0")
}

/// The Codex binary named by the variable `var` (meant to be Codex `version`), or
/// `None` after saying why the test is skipped; under `CI=true` a missing binary is a
/// failure.
pub(crate) fn codex_bin_from(var: &str, version: &str) -> Option<PathBuf> {
    let Some(bin) = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
    else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{var} is not set; .ci/run installs the real Codex CLI"
        );
        eprintln!("skipped: {var} not set (run .ci/run or set {var} to a codex {version} binary)");
        return None;
    };
    assert!(
        bin.is_file(),
        "{var}={} is not a file; .ci/run installs the real Codex CLI",
        bin.display()
    );
    Some(bin)
}

fn codex_bin_env() -> Option<PathBuf> {
    std::env::var_os("CODEX_BIN")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// A throwaway tree: `home/` is `HOME`, `home/.codex` is `CODEX_HOME`, `work/` is the
/// folder Codex runs in.
pub(crate) struct Scratch {
    _root: TempDir,
    pub(crate) home: PathBuf,
    pub(crate) codex_home: PathBuf,
    pub(crate) work: PathBuf,
}

impl Scratch {
    pub(crate) fn new() -> Scratch {
        let root = tempfile::Builder::new()
            .prefix("e2e-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("create a scratch folder under CARGO_TARGET_TMPDIR");
        let home = root.path().join("home");
        let codex_home = home.join(".codex");
        let work = root.path().join("work");
        for dir in [&home, &work] {
            std::fs::create_dir_all(dir).expect("create scratch folders");
        }
        Scratch {
            _root: root,
            home,
            codex_home,
            work,
        }
    }

    pub(crate) fn write_catalog(&self, server: &StandIn) -> PathBuf {
        let catalog = self.work.join("providers.yaml");
        std::fs::write(&catalog, catalog_yaml(server)).expect("write the test catalog");
        catalog
    }

    /// `codex [-p PROFILE] exec --skip-git-repo-check PROMPT`, run as [`Self::run_codex_args`]
    /// runs it.
    pub(crate) fn run_codex(
        &self,
        codex: &Path,
        server: &StandIn,
        profile: Option<&str>,
        vars: &[(&str, &str)],
    ) -> Run {
        let mut args: Vec<&str> = Vec::new();
        if let Some(profile) = profile {
            args.extend(["-p", profile]);
        }
        args.extend(["exec", "--skip-git-repo-check", PROMPT]);
        self.run_codex_args(codex, server, &args, vars)
    }

    /// `codex ARGS...` in the working folder, with only `vars` (plus `PATH`, `HOME` and
    /// `CODEX_HOME`) in its environment, stdin closed, killed after [`CODEX_TIMEOUT`];
    /// the run keeps the requests `server` received while it ran.
    pub(crate) fn run_codex_args(
        &self,
        codex: &Path,
        server: &StandIn,
        args: &[&str],
        vars: &[(&str, &str)],
    ) -> Run {
        let before = server.requests().len();
        let mut run = self.run_codex_offline(codex, args, vars);
        run.requests = server.requests().split_off(before);
        run
    }

    /// `codex ARGS...` as [`Self::run_codex_args`] runs it, for a command
    /// that calls no provider (`mcp list`, `mcp add`, `doctor`).
    pub(crate) fn run_codex_offline(
        &self,
        codex: &Path,
        args: &[&str],
        vars: &[(&str, &str)],
    ) -> Run {
        let mut command = Command::new(codex);
        command
            .args(args)
            .current_dir(&self.work)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("CODEX_HOME", &self.codex_home)
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Run::with_timeout(command, args.join(" "))
    }
}

/// The outcome of one Codex (or codexgen) run.
pub(crate) struct Run {
    pub(crate) args: String,
    /// `None` when the run was killed at the timeout.
    pub(crate) status: Option<ExitStatus>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    /// What the stand-in received while this run was going.
    pub(crate) requests: Vec<Request>,
    /// Wall time from start to exit (or kill).
    pub(crate) elapsed: Duration,
}

impl Run {
    fn with_timeout(mut command: Command, args: String) -> Run {
        let started = Instant::now();
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", command.get_program().display()));
        let stdout = drain(child.stdout.take().expect("piped stdout"));
        let stderr = drain(child.stderr.take().expect("piped stderr"));
        let deadline = Instant::now() + CODEX_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the child") {
                break Some(status);
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            thread::sleep(Duration::from_millis(20));
        };
        let elapsed = started.elapsed();
        // A grandchild may still hold the pipes after a kill: do not wait forever.
        let collect = |rx: mpsc::Receiver<String>| {
            rx.recv_timeout(Duration::from_secs(5))
                .unwrap_or_else(|_| "<output still open after the child exited>".to_owned())
        };
        Run {
            args,
            status,
            stdout: collect(stdout),
            stderr: collect(stderr),
            requests: Vec::new(),
            elapsed,
        }
    }
}

/// Reads a pipe to its end on a thread, so a chatty child never blocks on a full pipe.
fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

/// Issue 11's way in: a hand-written home (a literal token on one provider,
/// a profile file, `[projects]`) is imported, generated from the imported
/// catalog, and the real Codex then reaches each provider with the right
/// model and key, the token coming from the variable import named once the
/// literal is removed, as import says to.
#[test]
fn real_codex_runs_a_home_imported_then_generated() {
    let Some(codex) = codex_bin() else { return };
    let server = StandIn::start();
    let scratch = Scratch::new();
    std::fs::create_dir_all(&scratch.codex_home).expect("codex home");
    let token_line = format!("experimental_bearer_token = \"{}\"\n", BETA.key);
    let config = format!(
        "# written by hand\nmodel = \"{}\"\nmodel_provider = \"{}\"\n\n[model_providers.{}]\nname = \"{}\"\nbase_url = \"{}\"\nenv_key = \"{}\"\nwire_api = \"responses\"\n\n[model_providers.{}]\nname = \"{}\"\nbase_url = \"{}\"\n{token_line}wire_api = \"responses\"\nhttp_headers = {{ X-E2e-Header = \"hello\" }}\nquery_params = {{ api-version = \"2025-04-01-preview\" }}\n\n[projects.\"/srv/x\"]\ntrust_level = \"trusted\"\n",
        ALPHA.model,
        ALPHA.provider,
        ALPHA.provider,
        ALPHA.name,
        server.base_url(ALPHA.prefix),
        ALPHA.env_key,
        BETA.provider,
        BETA.name,
        server.base_url(BETA.prefix),
    );
    std::fs::write(scratch.codex_home.join("config.toml"), &config).expect("config.toml");
    std::fs::write(
        scratch
            .codex_home
            .join(format!("{}.config.toml", BETA.profile)),
        format!(
            "model = \"{}\"\nmodel_provider = \"{}\"\n",
            BETA.model, BETA.provider
        ),
    )
    .expect("profile file");

    let catalog = scratch.work.join("imported.yaml");
    let stderr = import_home(&scratch, &codex, &catalog);
    let var = "BETA_PROVIDER_API_KEY";
    assert!(stderr.contains(&format!("set {var}")), "{stderr}");
    assert!(!stderr.contains(BETA.key), "{stderr}");

    generate_with(&scratch.codex_home, &catalog, Some(&codex), &[]);
    // What import asks for: the literal goes, the variable carries the key.
    let written = std::fs::read_to_string(scratch.codex_home.join("config.toml")).unwrap();
    assert!(written.contains(&token_line), "{written}");
    assert!(written.contains("[projects.\"/srv/x\"]\ntrust_level = \"trusted\"\n"));
    std::fs::write(
        scratch.codex_home.join("config.toml"),
        written.replace(&token_line, ""),
    )
    .expect("remove the literal token");

    let keys = [(ALPHA.env_key, ALPHA.key), (var, BETA.key)];
    check_run(&ALPHA, &scratch.run_codex(&codex, &server, None, &keys));
    check_run(
        &BETA,
        &scratch.run_codex(&codex, &server, Some(BETA.profile), &keys),
    );
}

/// `codexgen import --output CATALOG` for the scratch Codex home, the target
/// taken from `codex --version` as a user's run would; returns its stderr,
/// asserting success.
pub(crate) fn import_home(scratch: &Scratch, codex: &Path, catalog: &Path) -> String {
    let import = Command::new(env!("CARGO_BIN_EXE_codexgen"))
        .arg("--codex-home")
        .arg(&scratch.codex_home)
        .arg("--codex-bin")
        .arg(codex)
        .args(["import", "--output"])
        .arg(catalog)
        .current_dir(&scratch.work)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &scratch.home)
        .env("XDG_CONFIG_HOME", scratch.home.join(".config"))
        .env("XDG_CACHE_HOME", scratch.home.join(".cache"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run codexgen import");
    let stderr = String::from_utf8_lossy(&import.stderr).into_owned();
    assert!(import.status.success(), "import failed:\n{stderr}");
    stderr
}
