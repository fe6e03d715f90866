//! Owns asking the real Codex whether it loads the planned files: they are
//! written into a throwaway Codex home (config files only), then
//! `codex mcp list` loads config.toml and `codex -p NAME mcp list` each
//! profile. Both are offline and fast (`docs/codex-versions.md`, "offline
//! load check"). Does not touch the user's Codex home, and does not judge
//! whose line Codex refused: the caller knows what it wrote.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::child::{self, Keep};
use crate::codex::{Target, Version};
use crate::home::{CodexFile, ProfileName};
use crate::secrets::{redact, scrub};

/// A Codex that has not answered a load check by then is stuck, not slow.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// What is kept of Codex's message: a refusal is a few lines.
const MESSAGE: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("Codex refused {}: `{command}` failed\n{message}", describe(.loading))]
    Refused {
        /// What Codex was loading: config.toml, or it and a profile's file.
        loading: CodexFile,
        command: String,
        /// Codex's own message, one `  | ` line each.
        message: String,
    },
    #[error("cannot run the Codex load check `{command}`")]
    Run {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot prepare a scratch Codex home for the load check")]
    Scratch(#[source] std::io::Error),
}

fn describe(file: &CodexFile) -> String {
    match file {
        CodexFile::Config => file.to_string(),
        CodexFile::Profile(name) => format!("profile `{name}`"),
    }
}

/// The files to check: which file in the Codex home, and its text.
pub struct LoadCheck<'a> {
    /// The Codex home the files belong to; Codex's messages name the scratch
    /// copy, and are shown with this path instead.
    pub home: &'a Path,
    pub files: Vec<(&'a CodexFile, &'a str)>,
    /// Profiles to load with `-p`, when this Codex honours a top-level `-p`.
    pub profiles: Vec<&'a ProfileName>,
    /// The version of the Codex that loads them.
    pub version: Version,
}

pub fn verify(bin: &Path, planned: &LoadCheck<'_>) -> Result<(), VerifyError> {
    let scratch = tempfile::Builder::new()
        .prefix("codexgen-verify-")
        .tempdir()
        .map_err(VerifyError::Scratch)?;
    let home = scratch.path().join("codex-home");
    // A throwaway home: written plainly, nothing in it needs to survive a crash.
    fs_err::create_dir_all(&home).map_err(VerifyError::Scratch)?;
    for (file, text) in &planned.files {
        fs_err::write(file.path_in(&home), text).map_err(VerifyError::Scratch)?;
    }
    let shown = |e: VerifyError| match e {
        VerifyError::Refused {
            loading,
            command,
            message,
        } => VerifyError::Refused {
            loading,
            command,
            message: message.replace(
                &home.display().to_string(),
                &planned.home.display().to_string(),
            ),
        },
        other => other,
    };
    run(bin, &home, scratch.path(), None).map_err(shown)?;
    // Before 0.123 a top-level `-p` is ignored: loading config.toml is all
    // there is to check.
    let profiles: &[&ProfileName] = if Target::at(planned.version).top_level_profile_flag_works() {
        &planned.profiles
    } else {
        &[]
    };
    for profile in profiles {
        run(bin, &home, scratch.path(), Some(profile)).map_err(shown)?;
    }
    Ok(())
}

fn run(
    bin: &Path,
    home: &Path,
    user_home: &Path,
    profile: Option<&ProfileName>,
) -> Result<(), VerifyError> {
    let mut cmd = Command::new(bin);
    if let Some(p) = profile {
        cmd.args(["-p", p.as_str()]);
    }
    cmd.args(["mcp", "list"])
        .env("CODEX_HOME", home)
        .env("HOME", user_home);
    let command = format!(
        "CODEX_HOME=<scratch> {} {}mcp list",
        bin.display(),
        profile.map(|p| format!("-p {p} ")).unwrap_or_default()
    );
    let finished = child::run(&mut cmd, Keep::Stderr, MESSAGE, TIMEOUT).map_err(|source| {
        VerifyError::Run {
            command: command.clone(),
            source,
        }
    })?;
    let status = finished.status;
    let stderr = String::from_utf8_lossy(&finished.output);
    let loading = profile.map_or(CodexFile::Config, |p| CodexFile::Profile(p.clone()));
    match status {
        Some(s) if s.success() => Ok(()),
        Some(_) => Err(VerifyError::Refused {
            loading,
            command,
            message: codex_message(&stderr),
        }),
        None => Err(VerifyError::Refused {
            loading,
            command,
            message: format!("  | (no answer within {} s)", TIMEOUT.as_secs()),
        }),
    }
}

/// Codex's own error, without its backtrace and environment warnings.
fn codex_message(stderr: &str) -> String {
    let lines: Vec<String> = stderr
        .lines()
        .take_while(|l| !l.starts_with("Stack backtrace:"))
        .filter(|l| !l.trim().is_empty() && !l.starts_with("WARNING: proceeding"))
        .map(|l| format!("  | {}", scrub(&redact(l))))
        .collect();
    if lines.is_empty() {
        "  | (Codex printed no message)".to_owned()
    } else {
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codex_message_drops_backtraces_and_noise() {
        let stderr = "WARNING: proceeding, even though we could not create PATH aliases\nError: failed to load configuration\n\nCaused by:\n    approval_policy = \"untrusted\" is no longer supported; remove this setting\n\nStack backtrace:\n   0: <unknown>\n";
        assert_eq!(
            codex_message(stderr),
            "  | Error: failed to load configuration\n  | Caused by:\n  |     approval_policy = \"untrusted\" is no longer supported; remove this setting"
        );
    }
}
