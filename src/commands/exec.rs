//! `codexgen exec PROFILE` and `codexgen aliases`: run Codex with a profile
//! through the explicit-override form that works on every Codex version
//! (`codex -c 'model_provider="<id>"' -m <model> ...`, which also avoids the
//! `-p` trap of 0.89-0.122), after a preflight that fails fast with the fix
//! instead of a 401 later. The key's value is checked, never printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anstream::{eprintln, println};

use super::endpoint::{Endpoint, KeyCheck, check_key};
use crate::app::{AppError, Settings, prepare, read_optional};
use crate::catalog::{Catalog, Profile};
use crate::cli::{AliasesArgs, ExecArgs, GlobalArgs, Shell};
use crate::detect;
use crate::diagnostic::{Exit, did_you_mean};
use crate::render::toml_string;

pub fn run(global: &GlobalArgs, args: &ExecArgs) -> Result<Exit, AppError> {
    let prepared = prepare(global, None)?;
    let profile = find_profile(&prepared.catalog, &args.profile)?;
    let mut command_line = codex_args(profile);
    command_line.extend(args.codex_args.iter().cloned());
    let explicit_home = global.codex_home.as_deref();

    if args.print {
        let bin = global
            .codex_bin
            .as_deref()
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
        println!("{}", words.join(" "));
        return Ok(Exit::Ok);
    }

    let problems = preflight(&prepared.settings, &prepared.catalog, profile)?;
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("error: {p}");
        }
        eprintln!("Codex was not started.");
        return Ok(Exit::OutOfDate);
    }
    let Some(bin) = detect::find(global.codex_bin.as_deref())? else {
        eprintln!(
            "error: codex is not on PATH\n  = help: install it (npm install -g @openai/codex) or pass --codex-bin PATH"
        );
        return Ok(Exit::OutOfDate);
    };
    let mut cmd = Command::new(&bin);
    cmd.args(&command_line);
    if let Some(home) = explicit_home {
        cmd.env("CODEX_HOME", home);
    }
    launch(cmd, &bin)
}

#[cfg(unix)]
fn launch(mut cmd: Command, bin: &Path) -> Result<Exit, AppError> {
    use std::os::unix::process::CommandExt as _;
    // Replaces this process: Codex gets the terminal, signals and exit code.
    let err = cmd.exec();
    Err(AppError::Message(format!(
        "cannot start {}: {err}",
        bin.display()
    )))
}

#[cfg(not(unix))]
fn launch(mut cmd: Command, bin: &Path) -> Result<Exit, AppError> {
    // No exec(2): wait for Codex and report success or failure.
    let status = cmd
        .status()
        .map_err(|e| AppError::Message(format!("cannot start {}: {e}", bin.display())))?;
    Ok(if status.success() {
        Exit::Ok
    } else {
        Exit::OutOfDate
    })
}

/// What would make Codex fail for this profile, each with its fix.
fn preflight(
    settings: &Settings,
    catalog: &Catalog,
    profile: &Profile,
) -> Result<Vec<String>, AppError> {
    let mut problems = Vec::new();
    let endpoint = Endpoint::lookup(catalog, &profile.provider)
        .expect("a valid catalog's profiles name known providers");
    if !endpoint.builtin {
        let config = read_optional(&settings.codex_home.join("config.toml"))?.unwrap_or_default();
        let defined = config
            .parse::<toml_edit::DocumentMut>()
            .ok()
            .is_some_and(|doc| {
                doc.get("model_providers")
                    .and_then(|t| t.get(&endpoint.id))
                    .is_some()
            });
        if !defined {
            problems.push(format!(
                "{} has no [model_providers.{}]: Codex would fail with \"Model provider `{}` not found\"\n  = help: run `codexgen gen` first",
                settings.codex_home.join("config.toml").display(),
                endpoint.id,
                endpoint.id
            ));
        }
    }
    if let Some(var) = &endpoint.env_key {
        let check = check_key(var, &endpoint);
        match check {
            KeyCheck::Unset
            | KeyCheck::Empty
            | KeyCheck::NotUnicode
            | KeyCheck::Padded
            | KeyCheck::Quoted => {
                problems.push(format!(
                    "{}: Codex would stop with \"Missing environment variable\" or get a 401\n  = help: export {var}=<your {} key> (no quotes, no spaces)",
                    check.describe(var),
                    endpoint.name
                ));
            }
            KeyCheck::Foreign { .. } | KeyCheck::MissingPrefix { .. } => {
                eprintln!(
                    "warning: {}; a 401 would mean it is the wrong key",
                    check.describe(var)
                );
            }
            KeyCheck::Fine => {}
        }
    }
    Ok(problems)
}

/// `-c model_provider=... -m model`, plus the profile's settings as `-c`.
fn codex_args(profile: &Profile) -> Vec<String> {
    let mut args = vec![
        "-c".to_owned(),
        format!("model_provider={}", toml_string(&profile.provider)),
        "-m".to_owned(),
        profile.model.clone(),
    ];
    for (key, value) in profile.settings() {
        args.push("-c".to_owned());
        args.push(format!("{key}={}", toml_string(value)));
    }
    args
}

fn find_profile<'c>(catalog: &'c Catalog, name: &str) -> Result<&'c Profile, AppError> {
    catalog.profile(name).ok_or_else(|| {
        let names = catalog.profiles.iter().map(|p| p.name.as_str());
        let hint = did_you_mean(name, names)
            .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
        let all: Vec<&str> = catalog.profiles.iter().map(|p| p.name.as_str()).collect();
        AppError::Message(format!(
            "no profile `{name}` in the catalog{hint}\n  = help: profiles: {}",
            all.join(", ")
        ))
    })
}

pub fn aliases(global: &GlobalArgs, args: &AliasesArgs) -> Result<Exit, AppError> {
    let prepared = prepare(global, None)?;
    let bin: PathBuf = global
        .codex_bin
        .clone()
        .unwrap_or_else(|| PathBuf::from("codex"));
    let bin = bin.display().to_string();
    let install = match args.shell {
        Shell::Bash | Shell::Zsh => "eval \"$(codexgen aliases)\"",
        Shell::Fish => "codexgen aliases --shell fish | source",
    };
    println!(
        "# codex-<profile> functions from catalog {} (codexgen aliases). Load with: {install}",
        prepared.catalog.version
    );
    for profile in &prepared.catalog.profiles {
        let command_line = codex_args(profile);
        let line = match args.shell {
            Shell::Bash | Shell::Zsh => {
                let words: Vec<String> = std::iter::once(&bin)
                    .chain(&command_line)
                    .map(|w| sh_quote(w))
                    .collect();
                format!("codex-{}() {{ {} \"$@\"; }}", profile.name, words.join(" "))
            }
            Shell::Fish => {
                let words: Vec<String> = std::iter::once(&bin)
                    .chain(&command_line)
                    .map(|w| fish_quote(w))
                    .collect();
                format!(
                    "function codex-{}; {} $argv; end",
                    profile.name,
                    words.join(" ")
                )
            }
        };
        println!("{line}");
    }
    Ok(Exit::Ok)
}

/// A word for a POSIX shell: bare when safe, else single-quoted.
pub fn sh_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+,=".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A word for fish: single-quoted, with `\` and `'` escaped.
fn fish_quote(word: &str) -> String {
    format!("'{}'", word.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_quoting() {
        assert_eq!(sh_quote("openai/gpt-oss-20b"), "openai/gpt-oss-20b");
        assert_eq!(
            sh_quote("model_provider=\"groq\""),
            "'model_provider=\"groq\"'"
        );
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("a b"), "'a b'");
    }

    #[test]
    fn fish_quoting() {
        assert_eq!(fish_quote("it's a \\ b"), "'it\\'s a \\\\ b'");
    }
}
