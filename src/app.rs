//! Owns the dispatch and nothing else (just's `run.rs`): parses the command
//! line, resolves [`Settings`], hands each command its own options (never
//! clap types), prints the error a command ends with, and returns the exit
//! status. Nothing imports this module.

use std::ffi::OsString;

use clap::{CommandFactory as _, FromArgMatches as _};

use crate::backups;
use crate::cli::{self, Cli, Color, Command};
use crate::commands::{
    add, adopt, aliases, doctor, exec, generate, import, init, link, list, manual, probe, restore,
    schema, show, use_, validate,
};
use crate::diagnostic::Exit;
use crate::error::Error;
use crate::output;
use crate::settings::{self, Follow, Settings};
use crate::ui::report;
use crate::verbosity;

pub fn run(args: impl IntoIterator<Item = OsString>) -> Exit {
    let exit = dispatch(args);
    // What the run had to say on stderr was lost (a full disk).
    if output::stderr_failed() {
        Exit::Failure
    } else {
        exit
    }
}

fn dispatch(args: impl IntoIterator<Item = OsString>) -> Exit {
    let mut command = Cli::command();
    let mut matches = match command.try_get_matches_from_mut(args) {
        Ok(matches) => matches,
        Err(e) => return usage(&e),
    };
    // What a backup generation this run makes is labelled with.
    backups::set_command(backups::describe(&matches, &command));
    let cli = match Cli::from_arg_matches_mut(&mut matches) {
        Ok(cli) => cli,
        Err(e) => return usage(&e.format(&mut command)),
    };
    match cli.global.color {
        Color::Auto => {}
        Color::Always => anstream::ColorChoice::Always.write_global(),
        Color::Never => anstream::ColorChoice::Never.write_global(),
    }
    verbosity::set(if cli.global.quiet {
        verbosity::Verbosity::Quiet
    } else if cli.global.verbose {
        verbosity::Verbosity::Verbose
    } else {
        verbosity::Verbosity::Normal
    });
    let result = match cli.command {
        // `init` reads no catalog: it must work where none is valid yet.
        Command::Init(a) => init(&a),
        // The schema depends on no home, catalog or Codex: nothing to resolve.
        Command::Schema => schema::run(),
        // These take the resolution itself: a catalog that fails to load is
        // validate's report, and leaves completions without profile names.
        Command::Validate(a) => validate::run(
            Settings::resolve(&cli.global, Follow::Found),
            &validate::Options {
                format: format(a.format),
                templates: a.templates,
            },
        ),
        Command::Completions(a) => manual::completions(
            Cli::command(),
            match a.shell {
                cli::CompletionShell::Bash => manual::Shell::Bash,
                cli::CompletionShell::Zsh => manual::Shell::Zsh,
                cli::CompletionShell::Fish => manual::Shell::Fish,
                cli::CompletionShell::Elvish => manual::Shell::Elvish,
                cli::CompletionShell::Powershell => manual::Shell::Powershell,
            },
            // The script goes into rc files: its names are those of the
            // catalog `exec` reads.
            Settings::resolve(&cli.global, Follow::Home),
        ),
        Command::Man(a) => manual::man(
            Cli::command(),
            match (a.command, a.dir) {
                (_, Some(dir)) => manual::Pages::All(dir),
                (Some(name), None) => manual::Pages::Command(name),
                (None, None) => manual::Pages::Main,
            },
        ),
        command => Settings::resolve(&cli.global, follow(&command))
            .and_then(|settings| execute(&settings, command)),
    };
    result.unwrap_or_else(|err| {
        output::eprintln(err.render());
        Exit::Failure
    })
}

/// clap's own answer: help and version on stdout (exit 0), a usage error on
/// stderr (exit 2). Help that cannot be written is an error like any other
/// output; a reader that goes away is not.
fn usage(e: &clap::Error) -> Exit {
    match e.print() {
        Err(error) if !e.use_stderr() && error.kind() != std::io::ErrorKind::BrokenPipe => {
            let what = if e.kind() == clap::error::ErrorKind::DisplayVersion {
                "the version"
            } else {
                "the help"
            };
            output::eprintln(Error::from(output::OutputError::new(what, error)).render());
            Exit::Failure
        }
        _ if e.use_stderr() => Exit::Failure,
        _ => Exit::Ok,
    }
}

/// `codexgen init`, which runs before any catalog is read.
fn init(a: &cli::InitArgs) -> Result<Exit, Error> {
    let output = match (&a.output, a.user) {
        (_, true) => init::Output::User,
        (None, false) => init::Output::Here,
        (Some(p), false) if p.as_os_str() == "-" => init::Output::Stdout,
        (Some(p), false) => init::Output::File(p.clone()),
    };
    let options = init::Options {
        output,
        force: a.force,
        config_dir: settings::user_config_dir(),
    };
    init::run(&options)
}

/// Which catalog a command reads when none is named (see `whose`): `gen`
/// reads the one found and compares it with the home's; the commands that
/// act with the home as it is read the home's own.
fn follow(command: &Command) -> Follow {
    match command {
        Command::Aliases(_)
        | Command::Exec(_)
        | Command::Doctor(_)
        | Command::Probe(_)
        | Command::Adopt(_)
        | Command::Use(_) => Follow::Home,
        // Puts back files; reads no catalog, so that a broken one cannot stop it.
        Command::Restore(_) => Follow::Nothing,
        _ => Follow::Found,
    }
}

/// Hands a command its own options.
fn execute(settings: &Settings, command: Command) -> Result<Exit, Error> {
    match command {
        Command::Gen(a) => generate::run(settings, &gen_options(a)),
        Command::Doctor(a) => doctor::run(
            settings,
            &doctor::Options {
                format: format(a.format),
                profiles: a.profiles,
            },
        ),
        Command::Probe(a) => probe::run(
            settings,
            &probe::Options {
                names: a.names,
                responses: a.responses,
                timeout: a.timeout,
                format: format(a.format),
            },
        ),
        Command::Exec(a) => exec::run(
            settings,
            &exec::Options {
                profile: a.profile,
                print: a.print,
                codex_args: a.codex_args,
            },
        ),
        Command::Import(a) => import::run(
            settings,
            &import::Options {
                output: a.output,
                force: a.force,
            },
        ),
        Command::Adopt(a) => adopt::run(
            settings,
            &adopt::Options {
                mode: if a.diff {
                    adopt::Mode::Diff
                } else {
                    adopt::Mode::Write { yes: a.yes }
                },
            },
        ),
        Command::Use(a) => use_::run(
            settings,
            &use_::Options {
                choice: a.profile.map(use_::Choice::from),
                diff: a.diff,
                overwrite: a.overwrite,
            },
        ),
        Command::Link(a) => link::run(settings, &link_options(a)),
        Command::Add(a) => add::run(settings, &add_options(a)),
        Command::Restore(a) => restore::run(settings, &restore_options(&a)),
        Command::Aliases(a) => aliases::run(
            settings,
            &aliases::Options {
                shell: match a.shell {
                    cli::Shell::Bash => aliases::Shell::Bash,
                    cli::Shell::Zsh => aliases::Shell::Zsh,
                    cli::Shell::Fish => aliases::Shell::Fish,
                },
            },
        ),
        Command::List(a) => list::run(
            settings,
            &list::Options {
                format: format(a.format),
            },
        ),
        Command::Show(a) => show::run(
            settings,
            &show::Options {
                format: match a.format {
                    cli::ShowFormat::Yaml => show::Format::Yaml,
                    cli::ShowFormat::Json => show::Format::Json,
                },
                origin: a.origin,
            },
        ),
        Command::Init(_)
        | Command::Schema
        | Command::Validate(_)
        | Command::Completions(_)
        | Command::Man(_) => Err(Error::message(
            "internal error: this command is dispatched before settings",
        )),
    }
}

fn gen_options(a: cli::GenArgs) -> generate::Options {
    generate::Options {
        mode: if a.check {
            generate::Mode::Check
        } else if a.diff {
            generate::Mode::Diff
        } else {
            generate::Mode::Write { yes: a.yes }
        },
        format: format(a.format),
        exit_code: a.exit_code,
        verify: a.verify,
        templates: a.templates,
        overwrite: a.overwrite,
    }
}

fn link_options(a: cli::LinkArgs) -> link::Options {
    link::Options {
        path: a.path,
        mode: if a.diff {
            link::Mode::Diff
        } else {
            link::Mode::Write { yes: a.yes }
        },
    }
}

fn add_options(a: cli::AddArgs) -> add::Options {
    add::Options {
        names: a.presets,
        local: a.local,
        list: a.list,
        mode: if a.diff {
            add::Mode::Diff
        } else {
            add::Mode::Write { yes: a.yes }
        },
        format: format(a.format.unwrap_or(cli::OutputFormat::Text)),
    }
}

fn restore_options(a: &cli::RestoreArgs) -> restore::Options {
    restore::Options {
        mode: if a.list {
            restore::Mode::List
        } else if a.diff {
            restore::Mode::Diff
        } else {
            restore::Mode::Write { yes: a.yes }
        },
        number: a.number,
        format: format(a.format),
    }
}

fn format(format: cli::OutputFormat) -> report::Format {
    match format {
        cli::OutputFormat::Text => report::Format::Text,
        cli::OutputFormat::Json => report::Format::Json,
    }
}
