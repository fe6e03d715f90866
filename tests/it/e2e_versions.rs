//! End to end across Codex versions: what `codexgen gen --codex-version X` writes is
//! what Codex X reads, a home moves from one layout to the other without losing
//! anything codexgen does not own, and `gen --verify` lets Codex judge before writing.
//!
//! Owns the tests that need more than one Codex release: 0.89.0 (`CODEX_BIN_0_89_0`,
//! legacy `[profiles.NAME]` tables, and the top-level `-p` trap), 0.133.0
//! (`CODEX_BIN_0_133_0`, the last release reading those tables), and 0.169.0
//! (`CODEX_BIN`, profile files). `.ci/run` installs all three. The stand-in server,
//! catalog, scratch folders and Codex runner are `e2e`'s; see there for how
//! everything is kept away from the user's own files, keys and Codex.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::e2e::{
    ALPHA, BETA, KEYS, PROMPT, Run, Scratch, check_run, codex_bin_from, codexgen, generate_with,
    import_home, report,
};
use crate::stand_in::StandIn;

/// Flags for every Codex 0.89.0 run, before the subcommand. With its `remote_models`
/// feature on (the default), 0.89.0 first fetches a model list from
/// `https://chatgpt.com/backend-api/codex/models` and, when that fails (no network, no
/// login), retries with backoff for about 3 s before the turn starts. Turning it off
/// keeps the run offline and fast; it does not change how config or profiles load.
const CODEX_0_89_FLAGS: [&str; 2] = ["--disable", "remote_models"];

/// Content the user (or Codex) put in config.toml, none of it codexgen's. Every line
/// must survive generation and migration, in this order. The MCP server's command does
/// not exist: Codex (0.89.0 and 0.169.0 measured) reports it as failed to start and
/// finishes the turn anyway.
const UNMANAGED: &str = r#"# Hand-written: codexgen must keep this comment.
[projects."/some/path"]
trust_level = "trusted"

[mcp_servers.x]
command = "codexgen-e2e-no-such-mcp"
args = ["--stdio"]

[tui]
notifications = false
"#;

/// A profile template that adds a setting Codex 0.169.0 refuses at load time.
const BAD_PROFILE_TEMPLATE: &str = "model = {{ profile.model | toml }}\n\
model_provider = {{ profile.provider | toml }}\n\
approval_policy = \"untrusted\"\n";

#[test]
fn codex_0_89_reads_the_legacy_layout() {
    let Some(codex) = versioned_codex("CODEX_BIN_0_89_0", "0.89.0") else {
        return;
    };
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.write_catalog(&server);
    generate_for(&scratch, &catalog, &codex, "0.89.0");

    assert_legacy_layout(&scratch.codex_home);
    check_codex_0_89(&scratch, &codex, &server);

    // The trap: 0.89.0 takes the top-level `-p NAME` and then ignores it, silently
    // running the default profile. Only `exec --profile NAME` selects a profile there.
    let run = scratch.run_codex_args(
        &codex,
        &server,
        &codex_0_89_args(&["-p", BETA.profile, "exec", "--skip-git-repo-check", PROMPT]),
        &KEYS,
    );
    assert!(
        !run.requests.iter().any(|r| r.path.starts_with(BETA.prefix)),
        "Codex 0.89.0's top-level -p now selects the profile: the trap this test documents \
         is gone\n{}",
        report(&run)
    );
    check_run(&ALPHA, &run);
}

#[test]
fn codex_0_133_reads_profile_tables_with_top_level_p() {
    let Some(codex) = versioned_codex("CODEX_BIN_0_133_0", "0.133.0") else {
        return;
    };
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.write_catalog(&server);
    generate_for(&scratch, &catalog, &codex, "0.133.0");

    assert_legacy_layout(&scratch.codex_home);
    check_run(&ALPHA, &scratch.run_codex(&codex, &server, None, &KEYS));
    check_run(
        &BETA,
        &scratch.run_codex(&codex, &server, Some(BETA.profile), &KEYS),
    );
}

#[test]
fn a_legacy_home_migrated_to_0_169_keeps_unmanaged_lines_and_works() {
    let Some(old) = versioned_codex("CODEX_BIN_0_89_0", "0.89.0") else {
        return;
    };
    let Some(new) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.write_catalog(&server);
    std::fs::create_dir_all(&scratch.codex_home).expect("create the Codex home");
    std::fs::write(scratch.codex_home.join("config.toml"), UNMANAGED)
        .expect("write the hand-made config.toml");

    generate_for(&scratch, &catalog, &old, "0.89.0");
    assert_legacy_layout(&scratch.codex_home);
    assert_keeps_unmanaged_lines(&scratch.codex_home);
    check_codex_0_89(&scratch, &old, &server);

    generate_for(&scratch, &catalog, &new, "0.169.0");
    let config = read(&scratch.codex_home.join("config.toml"));
    assert!(
        !config.contains("[profiles."),
        "migrating to 0.169.0 should remove the profile tables\n{config}"
    );
    for case in [&ALPHA, &BETA] {
        let file = scratch
            .codex_home
            .join(format!("{}.config.toml", case.profile));
        assert!(file.is_file(), "{} should exist\n{config}", file.display());
    }
    assert_keeps_unmanaged_lines(&scratch.codex_home);

    // Migrated and settled: another run for 0.169.0 has nothing to do.
    let check = codexgen(
        &scratch.codex_home,
        &catalog,
        Some(&new),
        &os_args(&["--check", "--codex-version", "0.169.0"]),
    );
    assert_eq!(
        check.status.and_then(|s| s.code()),
        Some(0),
        "{} after the migration\n--- stdout\n{}\n--- stderr\n{}",
        check.args,
        check.stdout,
        check.stderr
    );

    // 0.169.0 refuses `-p beta` while a `[profiles.beta]` table is left in config.toml,
    // so this run also proves the old table is really gone.
    check_run(&ALPHA, &scratch.run_codex(&new, &server, None, &KEYS));
    check_run(
        &BETA,
        &scratch.run_codex(&new, &server, Some(BETA.profile), &KEYS),
    );
}

#[test]
fn verify_reports_codex_own_error_and_writes_nothing() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    // Codex is only asked to load the files; the stand-in must see no request.
    let server = StandIn::start();
    let scratch = Scratch::new();
    let catalog = scratch.write_catalog(&server);
    let templates = scratch.work.join("templates");
    std::fs::create_dir_all(&templates).expect("create the templates folder");
    std::fs::write(
        templates.join("profile.config.toml.tera"),
        BAD_PROFILE_TEMPLATE,
    )
    .expect("write the bad profile template");
    let verify = |extra: &[&OsStr]| {
        let mut args = os_args(&["--yes", "--verify", "--codex-bin"]);
        args.push(codex.as_os_str());
        args.extend_from_slice(extra);
        codexgen(&scratch.codex_home, &catalog, Some(&codex), &args)
    };
    let bad = [OsStr::new("--templates"), templates.as_os_str()];

    // No Codex home yet: a refused run must not even create it.
    let run = verify(&bad);
    assert_refused_by_codex(&run);
    assert!(
        !scratch.codex_home.exists(),
        "a refused --verify run created the Codex home, holding {:?}\n--- stderr\n{}",
        tree(&scratch.codex_home).keys().collect::<Vec<_>>(),
        run.stderr
    );

    // A home with the user's own config: unchanged to the byte.
    std::fs::create_dir_all(&scratch.codex_home).expect("create the Codex home");
    std::fs::write(scratch.codex_home.join("config.toml"), UNMANAGED)
        .expect("write the hand-made config.toml");
    let before = tree(&scratch.codex_home);
    let run = verify(&bad);
    assert_refused_by_codex(&run);
    let after = tree(&scratch.codex_home);
    let changed: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        changed.is_empty(),
        "a refused --verify run added, removed or changed {changed:?} in the Codex home\n\
         --- stderr\n{}",
        run.stderr
    );

    // The built-in templates pass Codex's check, and the files are written.
    let run = verify(&[]);
    assert_eq!(
        run.status.and_then(|s| s.code()),
        Some(0),
        "{} should succeed\n--- stdout\n{}\n--- stderr\n{}",
        run.args,
        run.stdout,
        run.stderr
    );
    for case in [&ALPHA, &BETA] {
        let file = scratch
            .codex_home
            .join(format!("{}.config.toml", case.profile));
        assert!(file.is_file(), "--verify should write {}", file.display());
    }
    assert_keeps_unmanaged_lines(&scratch.codex_home);
    // Codex ran in a throwaway copy: none of its state files (sessions, sqlite, tmp)
    // landed in the real home.
    let foreign: Vec<PathBuf> = tree(&scratch.codex_home)
        .into_keys()
        .filter(|path| {
            let first = path.components().next();
            !matches!(
                first.and_then(|c| c.as_os_str().to_str()),
                Some(".codexgen" | "config.toml" | "alpha.config.toml" | "beta.config.toml")
            )
        })
        .collect();
    assert!(
        foreign.is_empty(),
        "--verify left files in the Codex home: {foreign:?}"
    );
    assert!(
        server.requests().is_empty(),
        "--verify should not start a turn: {} request(s) reached the stand-in",
        server.requests().len()
    );
}

/// The Codex binary named by `var`, checked to be `version`: a wrong binary would
/// make a version test prove nothing. `None` (skip) as for [`codex_bin_from`].
fn versioned_codex(var: &str, version: &str) -> Option<PathBuf> {
    let bin = codex_bin_from(var, version)?;
    // Even `--version` sets up helper files in the Codex home: keep it in scratch.
    let scratch = tempfile::Builder::new()
        .prefix("codex-version-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("scratch dir");
    let output = Command::new(&bin)
        .arg("--version")
        .env_clear()
        .env("HOME", scratch.path())
        .env("CODEX_HOME", scratch.path())
        .output()
        .unwrap_or_else(|e| panic!("run {var}={} --version: {e}", bin.display()));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        printed.trim(),
        format!("codex-cli {version}"),
        "{var}={} is not Codex {version}",
        bin.display()
    );
    Some(bin)
}

/// `codexgen gen --yes --codex-version VERSION`, with `codex` first on its `PATH`.
fn generate_for(scratch: &Scratch, catalog: &Path, codex: &Path, version: &str) {
    generate_with(
        &scratch.codex_home,
        catalog,
        Some(codex),
        &os_args(&["--codex-version", version]),
    );
}

/// Codex 0.89.0 reaches each provider: the default without a profile, the other with
/// `exec --profile` (the form that works there).
fn check_codex_0_89(scratch: &Scratch, codex: &Path, server: &StandIn) {
    let run = scratch.run_codex_args(
        codex,
        server,
        &codex_0_89_args(&["exec", "--skip-git-repo-check", PROMPT]),
        &KEYS,
    );
    check_run(&ALPHA, &run);
    let run = scratch.run_codex_args(
        codex,
        server,
        &codex_0_89_args(&[
            "exec",
            "--profile",
            BETA.profile,
            "--skip-git-repo-check",
            PROMPT,
        ]),
        &KEYS,
    );
    check_run(&BETA, &run);
}

fn codex_0_89_args<'a>(args: &[&'a str]) -> Vec<&'a str> {
    CODEX_0_89_FLAGS.iter().chain(args).copied().collect()
}

/// Profiles as `[profiles.NAME]` tables in config.toml, and no profile files.
fn assert_legacy_layout(codex_home: &Path) {
    let config = read(&codex_home.join("config.toml"));
    for case in [&ALPHA, &BETA] {
        let table = format!("[profiles.{}]", case.profile);
        assert!(
            config.contains(&table),
            "config.toml should hold {table}\n{config}"
        );
        let file = codex_home.join(format!("{}.config.toml", case.profile));
        assert!(
            !file.exists(),
            "{} should not exist in the legacy layout",
            file.display()
        );
    }
}

/// Every non-blank line of [`UNMANAGED`] is still in config.toml, in the same order.
fn assert_keeps_unmanaged_lines(codex_home: &Path) {
    let config = read(&codex_home.join("config.toml"));
    let mut lines = config.lines();
    for wanted in UNMANAGED.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            lines.any(|line| line == wanted),
            "config.toml lost `{wanted}` or moved it out of order\n{config}"
        );
    }
}

/// codexgen stopped with exit code 2 and passed on Codex's own complaint.
fn assert_refused_by_codex(run: &Run) {
    assert_eq!(
        run.status.and_then(|s| s.code()),
        Some(2),
        "{} should fail with exit code 2\n--- stdout\n{}\n--- stderr\n{}",
        run.args,
        run.stdout,
        run.stderr
    );
    assert!(
        run.stderr.contains("no longer supported"),
        "{} should show Codex's own error\n--- stderr\n{}",
        run.args,
        run.stderr
    );
}

/// Every folder (as `None`) and file (with its bytes) under `root`, by path relative
/// to it; empty when `root` does not exist. Symbolic links are followed.
fn tree(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("read a folder entry").path();
            let relative = path
                .strip_prefix(root)
                .expect("an entry under the root")
                .to_path_buf();
            if path.is_dir() {
                stack.push(path);
                out.insert(relative, None);
            } else {
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                out.insert(relative, Some(bytes));
            }
        }
    }
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn os_args<'a>(args: &[&'a str]) -> Vec<&'a OsStr> {
    args.iter().map(|arg| OsStr::new(*arg)).collect()
}

/// A hand-written Codex 0.133 home (legacy `[profiles.NAME]` tables, the
/// user's own sections) imported, then generated, for the Codex that reads
/// it: `codex exec` and `codex -p beta exec` reach the stand-in as before,
/// and every line the user wrote is still there.
#[test]
fn codex_0_133_runs_a_legacy_home_imported_then_generated() {
    let Some(codex) = versioned_codex("CODEX_BIN_0_133_0", "0.133.0") else {
        return;
    };
    let server = StandIn::start();
    let scratch = Scratch::new();
    std::fs::create_dir_all(&scratch.codex_home).expect("codex home");
    let mut config = format!(
        "model = \"{}\"\nmodel_provider = \"{}\"\n\n",
        ALPHA.model, ALPHA.provider
    );
    for case in [&ALPHA, &BETA] {
        let _ = write!(
            config,
            "[model_providers.{}]\nname = \"{}\"\nbase_url = \"{}\"\nenv_key = \"{}\"\nwire_api = \"responses\"\n",
            case.provider,
            case.name,
            server.base_url(case.prefix),
            case.env_key
        );
        for (key, map) in [
            ("http_headers", case.http_headers),
            ("query_params", case.query_params),
        ] {
            if !map.is_empty() {
                let entries: Vec<String> =
                    map.iter().map(|(k, v)| format!("{k} = \"{v}\"")).collect();
                let _ = writeln!(config, "{key} = {{ {} }}", entries.join(", "));
            }
        }
        config.push('\n');
    }
    for case in [&ALPHA, &BETA] {
        let _ = write!(
            config,
            "[profiles.{}]\nmodel = \"{}\"\nmodel_provider = \"{}\"\n\n",
            case.profile, case.model, case.provider
        );
    }
    config.push_str(UNMANAGED);
    std::fs::write(scratch.codex_home.join("config.toml"), &config).expect("config.toml");

    let catalog = scratch.work.join("imported.yaml");
    let stderr = import_home(&scratch, &codex, &catalog);
    assert!(stderr.contains("changes no managed value"), "{stderr}");
    let check = codexgen(
        &scratch.codex_home,
        &catalog,
        Some(&codex),
        &os_args(&["--check"]),
    );
    assert!(
        check.status.is_some_and(|s| s.success()),
        "gen --check after import:\n{}{}",
        check.stdout,
        check.stderr
    );
    generate_with(&scratch.codex_home, &catalog, Some(&codex), &[]);
    let written = std::fs::read_to_string(scratch.codex_home.join("config.toml")).unwrap();
    assert!(written.ends_with(&config), "a line was lost:\n{written}");

    check_run(&ALPHA, &scratch.run_codex(&codex, &server, None, &KEYS));
    check_run(
        &BETA,
        &scratch.run_codex(&codex, &server, Some(BETA.profile), &KEYS),
    );
}
