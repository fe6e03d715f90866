//! `codexgen completions SHELL` and `codexgen man`: the command line's own
//! shape, printed for shells (`clap_complete`) and for `man` (`clap_mangen`).
//! The one command that sees a `clap::Command`, because that shape is what
//! it prints; it is handed one built from `cli`, and never parses with it.
//!
//! Profile names: `clap_complete` completes values only from what the script
//! holds (its dynamic, run-time completion is behind an `unstable-dynamic`
//! feature), so the script is written with the profiles and providers of
//! the catalog read now, as the possible values of `exec PROFILE`, `doctor
//! PROFILE...` and `probe NAME...`. Regenerate the script after changing
//! profiles. A catalog that cannot be read or is invalid leaves the names
//! out (one line on stderr says so); the script is written all the same.

use clap::builder::PossibleValuesParser;
use clap_complete::Shell as Generator;

use crate::diagnostic::Exit;
use crate::error::Error;
use crate::output;
use crate::settings::Settings;
use crate::ui::report::{dim, print_out};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

/// Prints the completion script for `shell`, with the catalog's names when
/// `settings` resolved and the catalog is valid.
pub fn completions(
    mut command: clap::Command,
    shell: Shell,
    settings: Result<Settings, Error>,
) -> Result<Exit, Error> {
    let names = settings.and_then(|s| {
        let catalog = s.catalog.build(&s.target)?;
        let profiles: Vec<String> = catalog
            .profiles
            .iter()
            .map(|p| p.name.to_string())
            .collect();
        let providers: Vec<String> = catalog
            .providers_in_use()
            .into_iter()
            .map(str::to_owned)
            .collect();
        Ok((profiles, providers))
    });
    match names {
        Ok((profiles, providers)) => {
            let mut probe = providers;
            probe.extend(profiles.iter().cloned());
            command = with_values(command, "exec", "profile", &profiles);
            command = with_values(command, "doctor", "profiles", &profiles);
            let mut default = profiles.clone();
            default.push("-".to_owned());
            command = with_values(command, "use", "profile", &default);
            command = with_values(command, "probe", "names", &probe);
        }
        Err(err) => {
            let first = err.body();
            let first = first.lines().next().unwrap_or_default();
            output::eprintln(format_args!(
                "{} profile names are left out of the completions: {first}",
                dim("codexgen:")
            ));
        }
    }
    let generator = match shell {
        Shell::Bash => Generator::Bash,
        Shell::Zsh => Generator::Zsh,
        Shell::Fish => Generator::Fish,
        Shell::Elvish => Generator::Elvish,
        Shell::Powershell => Generator::PowerShell,
    };
    let mut script = Vec::new();
    clap_complete::generate(generator, &mut command, "codexgen", &mut script);
    print_out(&String::from_utf8_lossy(&script), "the completion script")?;
    Ok(Exit::Ok)
}

fn with_values(command: clap::Command, sub: &str, arg: &str, values: &[String]) -> clap::Command {
    if values.is_empty() {
        return command;
    }
    // `mut_args` keeps each argument in its place (`mut_arg` moves it last,
    // which renumbers positionals).
    command.mut_subcommand(sub, |c| {
        c.mut_args(|a| {
            if a.get_id() == arg {
                a.value_parser(PossibleValuesParser::new(values.to_vec()))
            } else {
                a
            }
        })
    })
}

/// Prints the manual page, as roff.
pub fn man(command: clap::Command) -> Result<Exit, Error> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|e| Error::message(format!("cannot render the manual page: {e}")))?;
    print_out(&String::from_utf8_lossy(&page), "the manual page")?;
    Ok(Exit::Ok)
}
