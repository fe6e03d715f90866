//! Owns the key commands of command-backed providers (`auth:` in the
//! catalog, `[model_providers.ID.auth]` in config.toml): finding the program
//! as Codex does (a bare name on `PATH`, a path from the command's `cwd`),
//! and running it for `probe` as Codex runs it: no shell, standard input
//! closed, its own timeout, and its standard output, trimmed, as the key.
//! A key read here is concealed (`secrets::conceal`) before anything else
//! happens, so nothing printed afterwards can show it. The command's
//! standard error is never read, so never shown: it can hold the key, or
//! another secret, in a shape no redaction recognises (a password manager
//! echoing what it was given); `help` sends the user to run the command.
//! Does not judge what a failure means for a command: `doctor` and `probe`
//! word it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::catalog::AuthCommand;
use crate::child::{self, Keep};
use crate::diagnostic::sh_quote;
use crate::secrets::conceal;

/// Codex waits this long for a key command without `timeout_ms`.
pub const DEFAULT_TIMEOUT_MS: i64 = 5_000;

/// A key is a line; anything past this is not one.
const OUTPUT_LIMIT: usize = 64 * 1024;

/// Why a key command gives no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyCommandError {
    #[error("`{0}` is not on PATH")]
    NotOnPath(String),
    #[error("{} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("{} is not an executable file", .0.display())]
    NotExecutable(PathBuf),
    /// Its `cwd`: Codex cannot start the command there.
    #[error("its cwd {} is not a folder", .0.display())]
    NoFolder(PathBuf),
    #[error("cannot start {}: {reason}", .program.display())]
    Start { program: PathBuf, reason: String },
    #[error("it did not finish within {0} ms (its timeout_ms) and was stopped")]
    TimedOut(i64),
    #[error("it failed ({status}); run it yourself to see why")]
    Failed { status: String },
    #[error("it printed nothing on standard output, where Codex reads the key")]
    Empty,
    #[error("its output is not UTF-8 text")]
    NotText,
    #[error("it printed more than one line; Codex then sends no key at all")]
    Lines,
    #[error("it printed 64 KiB or more, which is no key")]
    TooLong,
}

impl KeyCommandError {
    /// What to do about it.
    pub fn help(&self, auth: &AuthCommand) -> String {
        match self {
            KeyCommandError::NotOnPath(name) => {
                format!("install `{name}` or put its folder on PATH (Codex looks it up the same way)")
            }
            KeyCommandError::Missing(_) | KeyCommandError::NotExecutable(_) => {
                "fix `command` (a path is taken from `cwd`, else from the folder Codex runs in), or `chmod +x` the file"
                    .to_owned()
            }
            KeyCommandError::NoFolder(_) => {
                "create the folder, or fix `cwd` (absolute, or relative to the Codex home)"
                    .to_owned()
            }
            KeyCommandError::TimedOut(_) => format!(
                "run `{}` yourself: it may wait for a sign-in or a prompt; sign in first, or raise `timeout_ms`",
                auth.display()
            ),
            KeyCommandError::Failed { .. } | KeyCommandError::Start { .. } => format!(
                "run `{}` yourself and fix what it says (e.g. sign in to the password manager)",
                auth.display()
            ),
            KeyCommandError::Empty
            | KeyCommandError::NotText
            | KeyCommandError::Lines
            | KeyCommandError::TooLong => format!(
                "`{}` must print the key, and only the key, on standard output",
                auth.display()
            ),
        }
    }
}

impl AuthCommand {
    /// The command line as a person would type it, each word quoted as
    /// every command line codexgen prints is (`sh_quote`); for messages:
    /// the catalog holds no secrets, so it may be shown.
    pub fn display(&self) -> String {
        std::iter::once(self.command.as_str())
            .chain(self.args.iter().map(String::as_str))
            .map(sh_quote)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn timeout(&self) -> Duration {
        let ms = self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        Duration::from_millis(u64::try_from(ms).unwrap_or(1))
    }

    /// The folder the command runs in, as Codex picks it (measured on
    /// 0.169.0): its `cwd`, a relative one taken from the Codex home (the
    /// config file's folder); without `cwd`, the folder Codex runs in,
    /// which for a check from here is this process's.
    pub fn folder(&self, codex_home: &Path) -> PathBuf {
        match self.cwd.as_deref() {
            Some(cwd) => codex_home.join(cwd),
            None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }
}

/// The program Codex would start for `auth`, without running it: a bare
/// name looked up on `PATH`, a path taken from the command's folder.
pub fn locate(auth: &AuthCommand, codex_home: &Path) -> Result<PathBuf, KeyCommandError> {
    let command = auth.command.as_str();
    // Codex starts the command in its `cwd` whatever the command is: one
    // that is not a folder fails it, a program on PATH included.
    if auth.cwd.is_some() {
        let folder = auth.folder(codex_home);
        if !folder.is_dir() {
            return Err(KeyCommandError::NoFolder(folder));
        }
    }
    if !command.contains('/') {
        return which::which(command).map_err(|_| KeyCommandError::NotOnPath(command.to_owned()));
    }
    let path = auth.folder(codex_home).join(command);
    let Ok(meta) = std::fs::metadata(&path) else {
        return Err(KeyCommandError::Missing(path));
    };
    if !meta.is_file() || !is_executable(&meta) {
        return Err(KeyCommandError::NotExecutable(path));
    }
    Ok(path)
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    true
}

/// Runs the key command as Codex does and returns the key: its standard
/// output with surrounding whitespace trimmed. The key is concealed before
/// this returns.
pub fn run(auth: &AuthCommand, codex_home: &Path) -> Result<String, KeyCommandError> {
    let program = locate(auth, codex_home)?;
    let mut cmd = Command::new(&program);
    cmd.args(&auth.args).current_dir(auth.folder(codex_home));
    let done = child::run(&mut cmd, Keep::Stdout, OUTPUT_LIMIT, auth.timeout()).map_err(|e| {
        KeyCommandError::Start {
            program: program.clone(),
            reason: e.to_string(),
        }
    })?;
    let cut = done.output.len() >= OUTPUT_LIMIT;
    // Whatever it printed may be the key, even from a failed run.
    let output = String::from_utf8(done.output).map_err(|_| KeyCommandError::NotText);
    if let Ok(text) = &output {
        conceal(text);
    }
    let Some(status) = done.status else {
        return Err(KeyCommandError::TimedOut(
            auth.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
        ));
    };
    if !status.success() {
        return Err(KeyCommandError::Failed {
            status: status.to_string(),
        });
    }
    if cut {
        // Codex would send all of it; what was kept is not that key.
        return Err(KeyCommandError::TooLong);
    }
    let key = output?.trim().to_owned();
    if key.is_empty() {
        return Err(KeyCommandError::Empty);
    }
    // Codex 0.169.0 sends no Authorization at all for a key of two lines.
    if key.contains(['\n', '\r']) {
        return Err(KeyCommandError::Lines);
    }
    Ok(key)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::secrets::scrub;
    use std::os::unix::fs::PermissionsExt as _;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn auth(command: &str, timeout_ms: Option<i64>) -> AuthCommand {
        AuthCommand {
            command: command.to_owned(),
            args: Vec::new(),
            timeout_ms,
            refresh_interval_ms: None,
            cwd: None,
        }
    }

    /// Shown as every command line codexgen prints: a leading `=` is
    /// quoted too (zsh would expand it).
    #[test]
    fn a_command_is_shown_as_sh_quote_quotes_it() {
        let mut a = auth("op", None);
        a.args = vec!["read".into(), "op://v/it's".into(), "=x".into()];
        assert_eq!(a.display(), "op read 'op://v/it'\\''s' '=x'");
    }

    #[test]
    fn the_key_is_the_trimmed_output_and_is_concealed() {
        let dir = tempfile::tempdir().unwrap();
        script(dir.path(), "tok", "printf '  tok-unit-4711-key \\n'");
        let mut a = auth("./tok", None);
        a.cwd = Some(".".into());
        let key = run(&a, dir.path()).unwrap();
        assert_eq!(key, "tok-unit-4711-key");
        assert_eq!(scrub("got tok-unit-4711-key back"), "got <redacted> back");
    }

    #[test]
    fn a_relative_path_is_taken_from_cwd_and_a_bare_name_from_path() {
        let dir = tempfile::tempdir().unwrap();
        script(dir.path(), "tok", "echo x");
        std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
        let mut a = auth("./tok", None);
        a.cwd = Some("elsewhere".into());
        assert!(matches!(
            locate(&a, dir.path()),
            Err(KeyCommandError::Missing(_))
        ));
        // Absolute, and relative to the Codex home, as Codex reads `cwd`.
        a.cwd = Some(dir.path().display().to_string());
        assert_eq!(
            locate(&a, Path::new("/nonexistent")).unwrap(),
            dir.path().join("./tok")
        );
        a.cwd = Some(".".into());
        assert_eq!(locate(&a, dir.path()).unwrap(), dir.path().join("./tok"));
        assert_eq!(
            locate(&auth("no-such-program-codexgen", None), dir.path()),
            Err(KeyCommandError::NotOnPath(
                "no-such-program-codexgen".into()
            ))
        );
        assert!(locate(&auth("sh", None), dir.path()).is_ok());
    }

    #[test]
    fn a_cwd_that_is_not_a_folder_is_refused_whatever_the_command() {
        // Codex fails to start the command ("No such file or directory"),
        // a bare name on PATH included.
        let dir = tempfile::tempdir().unwrap();
        script(dir.path(), "tok", "echo x");
        std::fs::write(dir.path().join("plain-file"), "").unwrap();
        for cwd in ["missing", "plain-file"] {
            for command in ["sh", "./tok", "/bin/sh"] {
                let mut a = auth(command, None);
                a.cwd = Some(cwd.into());
                let err = locate(&a, dir.path()).expect_err(command);
                let folder = dir.path().join(cwd).display().to_string();
                assert!(
                    err.to_string()
                        .contains(&format!("{folder} is not a folder")),
                    "{command} in {cwd}: {err}"
                );
            }
        }
    }

    #[test]
    fn a_file_without_the_execute_bit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tok"), "echo x").unwrap();
        let mut a = auth("./tok", None);
        a.cwd = Some(".".into());
        assert!(matches!(
            locate(&a, dir.path()),
            Err(KeyCommandError::NotExecutable(_))
        ));
    }

    #[test]
    fn failure_hang_and_silence_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        script(
            dir.path(),
            "fail",
            "echo 'not signed in, pw-4711x' >&2; exit 3",
        );
        script(dir.path(), "hang", "sleep 30");
        script(dir.path(), "quiet", "echo tok-only-on-stderr-0815 >&2");
        let at_home = |command: &str, timeout_ms| {
            let mut a = auth(command, timeout_ms);
            a.cwd = Some(".".into());
            a
        };
        match run(&at_home("./fail", None), dir.path()) {
            Err(e @ KeyCommandError::Failed { .. }) => {
                assert_eq!(
                    e.to_string(),
                    "it failed (exit status: 3); run it yourself to see why"
                );
            }
            other => panic!("{other:?}"),
        }
        let start = std::time::Instant::now();
        assert_eq!(
            run(&at_home("./hang", Some(300)), dir.path()),
            Err(KeyCommandError::TimedOut(300))
        );
        assert!(start.elapsed() < Duration::from_secs(10));
        let quiet = run(&at_home("./quiet", None), dir.path()).unwrap_err();
        assert_eq!(quiet, KeyCommandError::Empty);
        assert!(!quiet.to_string().contains("tok-only"));
    }

    #[test]
    fn output_past_the_limit_is_no_key_and_nothing_of_it_shows() {
        let dir = tempfile::tempdir().unwrap();
        // 80,000 bytes: more than is kept, finished well within the timeout.
        script(
            dir.path(),
            "flood",
            "i=0; while [ $i -lt 10000 ]; do printf 'k7Q2w9Zr'; i=$((i+1)); done",
        );
        let mut a = auth("./flood", Some(10_000));
        a.cwd = Some(".".into());
        assert_eq!(run(&a, dir.path()), Err(KeyCommandError::TooLong));
        // What was read of it is concealed all the same.
        assert_eq!(scrub("echoed k7Q2w9Zrk7Q2 back"), "echoed <redacted> back");
    }

    #[test]
    fn the_command_line_is_shown_quoted() {
        let mut a = auth("op", None);
        a.args = vec!["read".into(), "op://Team/Groq API/credential".into()];
        assert_eq!(a.display(), "op read 'op://Team/Groq API/credential'");
    }
}
