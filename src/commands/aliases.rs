//! `codexgen aliases`: one shell function per catalog profile
//! (`codex-<profile>`), running Codex with the same override form as
//! `codexgen exec`, for a shell's rc file.

use std::path::Path;

use crate::diagnostic::{Exit, printable, sh_quote};
use crate::error::Error;
use crate::launch::codex_args;
use crate::output::Stdout;
use crate::plan;
use crate::settings::Settings;

/// The shell to write functions for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

pub struct Options {
    pub shell: Shell,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    let prepared = plan::prepare(settings, None)?;
    let bin = settings
        .codex
        .explicit()
        .unwrap_or(Path::new("codex"))
        .display()
        .to_string();
    let install = match options.shell {
        Shell::Bash | Shell::Zsh => "eval \"$(codexgen aliases)\"",
        Shell::Fish => "codexgen aliases --shell fish | source",
    };
    // The catalog refuses control characters; escaping them again here keeps
    // this comment one line whatever reaches it.
    let mut out = Stdout::new("the functions");
    out.line(format_args!(
        "# codex-<profile> functions from catalog {} (codexgen aliases). Load with: {install}",
        printable(&prepared.catalog.version)
    ))?;
    for profile in &prepared.catalog.profiles {
        let command_line = codex_args(profile);
        let words = std::iter::once(&bin).chain(&command_line);
        let line = match options.shell {
            Shell::Bash | Shell::Zsh => {
                let words: Vec<String> = words.map(|w| sh_quote(w)).collect();
                format!("codex-{}() {{ {} \"$@\"; }}", profile.name, words.join(" "))
            }
            Shell::Fish => {
                let words: Vec<String> = words.map(|w| fish_quote(w)).collect();
                format!(
                    "function codex-{}; {} $argv; end",
                    profile.name,
                    words.join(" ")
                )
            }
        };
        out.line(line)?;
    }
    out.finish()?;
    Ok(Exit::Ok)
}

/// A word for fish: single-quoted, with `\` and `'` escaped.
fn fish_quote(word: &str) -> String {
    format!("'{}'", word.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fish_quoting() {
        assert_eq!(fish_quote("it's a \\ b"), "'it\\'s a \\\\ b'");
    }
}
