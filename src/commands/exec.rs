//! `codexgen exec PROFILE`: run Codex with a profile through the
//! explicit-override form that works on every Codex version
//! (`codex -c 'model_provider="<id>"' -m <model> ...`, which also avoids the
//! `-p` trap of 0.89-0.122), after a preflight that fails fast with the fix
//! instead of a 401 later. The key's value is checked, never printed; a
//! key command is found (as Codex finds it), not run: Codex runs it.

use std::path::Path;
use std::process::Command;

use crate::catalog::{Catalog, Profile};
use crate::diagnostic::{Exit, Level, Problem, did_you_mean, sh_quote};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::findings::Severity;
use crate::home::CodexFile;
use crate::keycmd;
use crate::launch::codex_args;
use crate::output::{self, Stdout};
use crate::plan::{self, read_optional};
use crate::secrets::KeyCheck;
use crate::settings::Settings;

pub struct Options {
    /// The catalog profile to run Codex with.
    pub profile: String,
    /// Print the command instead of running it.
    pub print: bool,
    /// Arguments passed on to codex.
    pub codex_args: Vec<String>,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    let prepared = plan::prepare(settings, None)?;
    let profile = find_profile(&prepared.catalog, &options.profile)?;
    let mut command_line = codex_args(profile);
    command_line.extend(options.codex_args.iter().cloned());
    let explicit_home = settings
        .codex_home_given
        .then_some(settings.codex_home.as_path());

    // The same preflight for `--print`: a printed command that Codex would
    // refuse is no better than a started one.
    let problems = preflight(settings, &prepared.catalog, profile)?;
    if !problems.is_empty() {
        for p in &problems {
            output::eprintln(p.render(Level::Error));
        }
        output::eprintln(if options.print {
            "nothing printed: Codex would fail"
        } else {
            "Codex was not started"
        });
        return Ok(Exit::Attention);
    }
    if options.print {
        let bin = settings
            .codex
            .explicit()
            .map_or_else(|| "codex".to_owned(), |p| p.display().to_string());
        let mut words = Vec::new();
        if let Some(home) = explicit_home {
            words.push(format!(
                "CODEX_HOME={}",
                sh_quote(&home.display().to_string())
            ));
        }
        words.push(sh_quote(&bin));
        words.extend(command_line.iter().map(|a| sh_quote(a)));
        let mut out = Stdout::new("the command");
        out.line(words.join(" "))?;
        out.finish()?;
        return Ok(Exit::Ok);
    }

    let Some(bin) = settings.codex.bin()? else {
        let missing = Problem::new("codex is not on PATH")
            .help("install it (npm install -g @openai/codex) or pass --codex-bin PATH");
        output::eprintln(missing.render(Level::Error));
        return Ok(Exit::Attention);
    };
    // Codex takes the process over, and with it the exit status: a message
    // that could not be said on a full stderr ends the run here, with the
    // exit 2 every command gives then (see `output`).
    if output::stderr_failed() {
        return Ok(Exit::Failure);
    }
    let mut cmd = Command::new(bin);
    cmd.args(&command_line);
    if let Some(home) = explicit_home {
        cmd.env("CODEX_HOME", home);
    }
    launch(cmd, bin)
}

#[cfg(unix)]
fn launch(mut cmd: Command, bin: &Path) -> Result<Exit, Error> {
    use std::os::unix::process::CommandExt as _;
    // Replaces this process: Codex gets the terminal, signals and exit code.
    let err = cmd.exec();
    Err(Error::message(format!(
        "cannot start {}: {err}",
        bin.display()
    )))
}

#[cfg(not(unix))]
fn launch(mut cmd: Command, bin: &Path) -> Result<Exit, Error> {
    // No exec(2): wait for Codex and report success or failure.
    let status = cmd
        .status()
        .map_err(|e| Error::message(format!("cannot start {}: {e}", bin.display())))?;
    Ok(if status.success() {
        Exit::Ok
    } else {
        Exit::Attention
    })
}

/// What would make Codex fail for this profile, each with its fix.
fn preflight(
    settings: &Settings,
    catalog: &Catalog,
    profile: &Profile,
) -> Result<Vec<Problem>, Error> {
    let mut problems = Vec::new();
    let endpoint = Endpoint::lookup(&catalog.index(), &profile.provider)
        .expect("a valid catalog's profiles name known providers");
    if !endpoint.builtin {
        let config = CodexFile::Config.path_in(&settings.codex_home);
        let defined = read_optional(&config)?
            .unwrap_or_default()
            .parse::<toml_edit::DocumentMut>()
            .ok()
            .is_some_and(|doc| {
                doc.get("model_providers")
                    .and_then(|t| t.get(&endpoint.id))
                    .is_some()
            });
        if !defined {
            problems.push(
                Problem::new(format!(
                    "{} has no [model_providers.{}]: Codex would fail with \"Model provider `{}` not found\"",
                    config.display(),
                    endpoint.id,
                    endpoint.id
                ))
                .help("run `codexgen gen` first"),
            );
        }
    }
    // A key command is found as Codex finds it, and not run: it may prompt,
    // and Codex runs it itself. One that cannot start means no key at all:
    // Codex 0.169.0 then sends its requests without one (measured).
    if let Some(auth) = &endpoint.auth
        && let Err(err) = keycmd::locate(auth, &settings.codex_home)
    {
        problems.push(endpoint.no_key(auth, &err, "").problem());
    }
    // What the key variable's value means for the run, as doctor says it:
    // an error stops the run, a warning is printed.
    if let Some(var) = &endpoint.env_key
        && let Some(finding) =
            endpoint.key_finding(var, &KeyCheck::of_var(var, &endpoint.base_url), "")
    {
        match finding.severity {
            Severity::Error => problems.push(finding.problem()),
            _ => output::eprintln(finding.problem().render(Level::Warning)),
        }
    }
    Ok(problems)
}

fn find_profile<'c>(catalog: &'c Catalog, name: &str) -> Result<&'c Profile, Error> {
    catalog.profile(name).ok_or_else(|| {
        let names = catalog.profiles.iter().map(|p| p.name.as_str());
        let hint = did_you_mean(name, names)
            .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
        let all: Vec<&str> = catalog.profiles.iter().map(|p| p.name.as_str()).collect();
        Error::with_help(
            format!("no profile `{name}` in the catalog{hint}"),
            format!("profiles: {}", all.join(", ")),
        )
    })
}
