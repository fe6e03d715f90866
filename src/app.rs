//! Owns the dispatch and nothing else (just's `run.rs`): parses the command
//! line, resolves [`Settings`], hands each command its own options (never
//! clap types), prints the error a command ends with, and returns the exit
//! status. Nothing imports this module.

use std::ffi::OsString;

use anstream::eprintln;
use clap::Parser as _;

use crate::cli::{self, Cli, Color, Command};
use crate::commands::{aliases, doctor, exec, generate, import, probe, report, schema};
use crate::diagnostic::Exit;
use crate::settings::Settings;

pub fn run(args: impl IntoIterator<Item = OsString>) -> Exit {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Failure
            } else {
                Exit::Ok
            };
        }
    };
    match cli.global.color {
        Color::Auto => {}
        Color::Always => anstream::ColorChoice::Always.write_global(),
        Color::Never => anstream::ColorChoice::Never.write_global(),
    }
    // The schema depends on no home, catalog or Codex: nothing to resolve.
    if matches!(cli.command, Command::Schema) {
        return schema::run();
    }
    let result = Settings::resolve(&cli.global).and_then(|settings| match cli.command {
        Command::Gen(a) => generate::run(
            &settings,
            &generate::Options {
                mode: if a.check {
                    generate::Mode::Check
                } else if a.diff {
                    generate::Mode::Diff
                } else {
                    generate::Mode::Write { yes: a.yes }
                },
                verify: a.verify,
                templates: a.templates,
            },
        ),
        Command::Doctor(a) => doctor::run(
            &settings,
            &doctor::Options {
                format: format(a.format),
                profiles: a.profiles,
            },
        ),
        Command::Probe(a) => probe::run(
            &settings,
            &probe::Options {
                names: a.names,
                responses: a.responses,
                timeout: a.timeout,
                format: format(a.format),
            },
        ),
        Command::Exec(a) => exec::run(
            &settings,
            &exec::Options {
                profile: a.profile,
                print: a.print,
                codex_args: a.codex_args,
            },
        ),
        Command::Import(a) => import::run(
            &settings,
            &import::Options {
                output: a.output,
                force: a.force,
            },
        ),
        Command::Schema => Ok(schema::run()),
        Command::Aliases(a) => aliases::run(
            &settings,
            &aliases::Options {
                shell: match a.shell {
                    cli::Shell::Bash => aliases::Shell::Bash,
                    cli::Shell::Zsh => aliases::Shell::Zsh,
                    cli::Shell::Fish => aliases::Shell::Fish,
                },
            },
        ),
    });
    result.unwrap_or_else(|err| {
        eprintln!("{}", err.render());
        Exit::Failure
    })
}

fn format(format: cli::OutputFormat) -> report::Format {
    match format {
        cli::OutputFormat::Text => report::Format::Text,
        cli::OutputFormat::Json => report::Format::Json,
    }
}
