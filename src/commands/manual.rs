//! `codexgen completions SHELL` and `codexgen man [COMMAND | --dir DIR]`: the
//! command line's own shape, printed for shells (`clap_complete`) and for
//! `man` (`clap_mangen`): one page for codexgen, whose SEE ALSO names one
//! page per command (`codexgen-gen(1)`), printed one at a time or written
//! into a folder (atomically, through `write`).
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

use std::path::PathBuf;

use crate::diagnostic::{Exit, printable};
use crate::error::Error;
use crate::output;
use crate::settings::Settings;
use crate::ui::report::{dim, print_out};
use crate::verbosity;
use crate::write::{self, Expect};

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

/// Which manual pages `codexgen man` prints or writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pages {
    /// `codexgen(1)` on standard output.
    Main,
    /// `codexgen-NAME(1)` on standard output.
    Command(String),
    /// Every page, written into this folder as `codexgen.1` and
    /// `codexgen-NAME.1`.
    All(PathBuf),
}

/// Prints or writes the manual pages `pages` names, as roff.
pub fn man(command: clap::Command, pages: Pages) -> Result<Exit, Error> {
    let all = render_all(command)?;
    match pages {
        Pages::Main => print_page(&all[0].1),
        Pages::Command(name) => {
            let file = format!("codexgen-{name}.1");
            let Some((_, page)) = all.iter().find(|(f, _)| *f == file) else {
                let names: Vec<&str> = all[1..]
                    .iter()
                    .filter_map(|(f, _)| f.strip_prefix("codexgen-")?.strip_suffix(".1"))
                    .collect();
                return Err(Error::with_help(
                    format!(
                        "no manual page for `{}`: codexgen has no such command",
                        printable(&name)
                    ),
                    format!("one of: {}", names.join(", ")),
                ));
            };
            print_page(page)
        }
        Pages::All(dir) => {
            for (file, page) in &all {
                let path = dir.join(file);
                // Regenerating replaces the page, whatever it held.
                write::write(&path, page, None, Expect::AsRead).map_err(Error::write(format!(
                    "write the manual page {}",
                    path.display()
                )))?;
                verbosity::info(&format!("wrote {}", printable(&path.display().to_string())));
            }
            Ok(Exit::Ok)
        }
    }
}

fn print_page(page: &str) -> Result<Exit, Error> {
    print_out(page, "the manual page")?;
    Ok(Exit::Ok)
}

/// Every page as (file name, roff): the main page first, then one per
/// command in the order `--help` lists them. The main page's SEE ALSO names
/// every command's page; each command's names the main page.
fn render_all(command: clap::Command) -> Result<Vec<(String, String)>, Error> {
    let mut command = command.disable_help_subcommand(true);
    // Built, each command's name is `codexgen-NAME` and its usage line
    // `codexgen NAME`, with the global options on its page.
    command.build();
    let subcommands: Vec<clap::Command> = command
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .cloned()
        .collect();
    let see_also: Vec<String> = subcommands
        .iter()
        .map(|c| format!("\\%{}(1)", roff_text(&page_name(c))))
        .collect();
    // Every page's footer names codexgen and its version, as the main one.
    let source = format!("codexgen {}", command.get_version().unwrap_or_default());
    let mut pages = vec![(
        "codexgen.1".to_owned(),
        render(command, &source, &see_also.join(",\n"))?,
    )];
    for sub in subcommands {
        let file = format!("{}.1", page_name(&sub));
        pages.push((file, render(sub, &source, "codexgen(1)")?));
    }
    Ok(pages)
}

/// `codexgen-gen` for `gen` once built (clap's display name). In SEE ALSO
/// it is written `\%codexgen\-gen(1)`: never hyphenated across lines.
fn page_name(command: &clap::Command) -> String {
    command
        .get_display_name()
        .unwrap_or_else(|| command.get_name())
        .to_owned()
}

/// A hyphen in running text, as roff wants it (`\-`, not a hyphenation
/// point).
fn roff_text(text: &str) -> String {
    text.replace('-', "\\-")
}

fn render(command: clap::Command, source: &str, see_also: &str) -> Result<String, Error> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .source(source)
        .render(&mut page)
        .map_err(|e| Error::message(format!("cannot render the manual page: {e}")))?;
    let mut page = String::from_utf8_lossy(&page).into_owned();
    page.push_str(".SH \"SEE ALSO\"\n");
    page.push_str(see_also);
    page.push('\n');
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_visible_command_has_a_page_and_help_has_none() {
        let command = clap::Command::new("codexgen")
            .version("1.2.3")
            .subcommand(clap::Command::new("gen").about("Write"))
            .subcommand(clap::Command::new("secret").hide(true))
            .subcommand(clap::Command::new("restore-all"));
        let pages = render_all(command).unwrap();
        let files: Vec<&str> = pages.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            files,
            ["codexgen.1", "codexgen-gen.1", "codexgen-restore-all.1"]
        );
        let main = &pages[0].1;
        assert!(main.ends_with(
            ".SH \"SEE ALSO\"\n\\%codexgen\\-gen(1),\n\\%codexgen\\-restore\\-all(1)\n"
        ));
        assert!(
            pages[1]
                .1
                .contains(".TH codexgen-gen 1  \"codexgen 1.2.3\"")
        );
        assert!(pages[1].1.ends_with(".SH \"SEE ALSO\"\ncodexgen(1)\n"));
    }
}
