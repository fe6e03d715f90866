//! The question before a write (`[y/N]` on a terminal), and the refusal
//! without one, as every command that writes asks it.

use std::io::{BufRead as _, IsTerminal as _};

use crate::error::Error;
use crate::output;

/// Asks `[y/N]` on a terminal before writing `files` file(s); refuses
/// without one (the caller's `--yes` skips the question).
pub fn confirm(files: usize, command: &str) -> Result<bool, Error> {
    ask(&format!("write {files} file(s)"), command)
}

/// Asks `question? [y/N]` on a terminal; refuses without one.
pub fn ask(question: &str, command: &str) -> Result<bool, Error> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::with_help(
            "refusing to write without confirmation: stdin is not a terminal",
            format!("review with `codexgen {command} --diff`, then run `codexgen {command} --yes`"),
        ));
    }
    output::eprint(format_args!("{question}? [y/N] "));
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|source| Error::Read {
            path: "standard input".to_owned(),
            source,
        })?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}
