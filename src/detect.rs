//! Owns finding the installed Codex: `--codex-bin` or `codex` on `PATH`, and
//! its version from `codex --version`. That answer is remembered in
//! `$XDG_CACHE_HOME/codexgen/codex-versions.toml` (else `~/.cache/...`), keyed
//! by the binary's resolved path, size and mtime, so a steady-state run
//! starts no process. The cache lives outside the Codex home so that
//! `gen --diff` and `gen --check` write nothing there; losing it costs one
//! `codex --version`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::child::{self, Keep};
use crate::codex::Version;
use crate::diagnostic::quoted_output;
use crate::input;
use crate::write;

/// How many binaries the cache remembers (several Codex installs are common).
const CACHE_ENTRIES: usize = 16;

/// What is kept of what `codex --version` prints: one line is expected.
const VERSION_OUTPUT: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("--codex-bin {0} does not exist")]
    Missing(PathBuf),
    #[error("cannot run `{0} --version`")]
    Spawn(String, #[source] std::io::Error),
    /// What it printed is shown line by line, as Codex's own messages are.
    #[error("`{bin} --version` printed no Codex version (`codex-cli X.Y.Z`){}", quoted(.printed))]
    Unrecognised { bin: String, printed: String },
    #[error("`{bin} --version` did not answer within {} s; it was stopped", crate::limits::VERSION.secs())]
    TimedOut { bin: String },
}

impl DetectError {
    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            DetectError::TimedOut { bin } => Some(format!(
                "check that `{bin} --version` works in a shell; meanwhile pass --codex-version X.Y.Z to skip asking it"
            )),
            DetectError::Unrecognised { bin, .. } => Some(format!(
                "check that {bin} is OpenAI's Codex CLI (`--codex-bin PATH` names another); meanwhile pass --codex-version X.Y.Z to skip asking it"
            )),
            DetectError::Missing(_) | DetectError::Spawn(..) => None,
        }
    }
}

/// The Codex binary to ask: the one given, else `codex` on `PATH` (the
/// first executable one; relative `PATH` entries are skipped, as the
/// current folder is no place to pick a binary from).
pub fn find(explicit: Option<&Path>) -> Result<Option<PathBuf>, DetectError> {
    if let Some(path) = explicit {
        return if path.is_file() {
            Ok(Some(path.to_path_buf()))
        } else {
            Err(DetectError::Missing(path.to_path_buf()))
        };
    }
    let Some(path) = std::env::var_os("PATH") else {
        return Ok(None);
    };
    let absolute = std::env::split_paths(&path).filter(|dir| dir.is_absolute());
    let Ok(path) = std::env::join_paths(absolute) else {
        return Ok(None);
    };
    Ok(which::which_in_global("codex", Some(path))
        .ok()
        .and_then(|mut found| found.next()))
}

/// The version of the Codex at `bin`, from the cache when the binary is
/// unchanged. Returns whether the answer came from the cache.
pub fn version(bin: &Path, cache_file: Option<&Path>) -> Result<(Version, bool), DetectError> {
    let key = Key::of(bin);
    let mut cache = cache_file.map(read_cache).unwrap_or_default();
    if let Some(key) = &key
        && let Some(hit) = cache.codex.iter().find(|e| e.key == *key)
        && let Ok(version) = hit.version.parse()
    {
        return Ok((version, true));
    }
    let version = ask(bin, crate::limits::VERSION.get())?;
    if let (Some(key), Some(file)) = (key, cache_file) {
        cache.codex.retain(|e| e.key.path != key.path);
        cache.codex.insert(
            0,
            Entry {
                key,
                version: version.to_string(),
            },
        );
        cache.codex.truncate(CACHE_ENTRIES);
        // A cache that cannot be written only costs a later `codex --version`;
        // one that is not a regular file (a FIFO would block) is left alone.
        let replaceable = std::fs::metadata(file).map_or(true, |m| {
            m.is_file() && m.len() <= input::VERSION_CACHE.bytes
        });
        if let (true, Ok(text)) = (replaceable, toml_edit::ser::to_string_pretty(&cache)) {
            let _ = write::write(file, &text, None, write::Expect::AsRead);
        }
    }
    Ok((version, false))
}

fn ask(bin: &Path, timeout: Duration) -> Result<Version, DetectError> {
    let shown = bin.display().to_string();
    // Even `--version` makes Codex set up helper files under $CODEX_HOME/tmp:
    // point it at a throwaway home so the user's is not touched.
    let scratch = tempfile::Builder::new()
        .prefix("codexgen-version-")
        .tempdir()
        .map_err(|e| DetectError::Spawn(shown.clone(), e))?;
    let mut cmd = Command::new(bin);
    cmd.arg("--version").env("CODEX_HOME", scratch.path());
    let finished = child::run(&mut cmd, Keep::Stdout, VERSION_OUTPUT, timeout)
        .map_err(|e| DetectError::Spawn(shown.clone(), e))?;
    if finished.status.is_none() {
        return Err(DetectError::TimedOut { bin: shown });
    }
    let printed = String::from_utf8_lossy(&finished.output).trim().to_owned();
    printed
        .lines()
        .find_map(|line| line.parse().ok())
        .ok_or(DetectError::Unrecognised {
            bin: shown,
            printed,
        })
}

/// What `--version` printed, under the message.
fn quoted(printed: &str) -> String {
    quoted_output(printed.lines())
        .map_or_else(|| "; it printed nothing".to_owned(), |q| format!(":\n{q}"))
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    #[serde(default)]
    codex: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    key: Key,
    version: String,
}

/// What identifies one build of a binary without running it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    path: String,
    size: u64,
    mtime_ns: u64,
}

impl Key {
    fn of(bin: &Path) -> Option<Key> {
        let resolved = std::fs::canonicalize(bin).ok()?;
        let meta = std::fs::metadata(&resolved).ok()?;
        let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Key {
            path: resolved.to_str()?.to_owned(),
            size: meta.len(),
            mtime_ns: u64::try_from(mtime.as_nanos()).ok()?,
        })
    }
}

/// The cache, or an empty one when it cannot be read, for any reason (a
/// special file, too large, damaged): losing it costs one `codex --version`.
fn read_cache(file: &Path) -> Cache {
    input::read(file, input::VERSION_CACHE)
        .ok()
        .and_then(|text| toml_edit::de::from_str(&text).ok())
        .unwrap_or_default()
}

/// Where the version cache lives, given the user's cache folder
/// (`$XDG_CACHE_HOME`, else `~/.cache`).
pub fn cache_file(cache_dir: &Path) -> PathBuf {
    cache_dir.join("codexgen").join("codex-versions.toml")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn fake_codex(dir: &Path, version: &str) -> PathBuf {
        let bin = dir.join("codex");
        let log = dir.join("runs.log");
        std::fs::write(
            &bin,
            format!(
                "#!/bin/sh\necho run >> '{}'\necho 'codex-cli {version}'\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin
    }

    fn runs(dir: &Path) -> usize {
        std::fs::read_to_string(dir.join("runs.log")).map_or(0, |s| s.lines().count())
    }

    #[test]
    fn the_answer_is_cached_until_the_binary_changes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache/codex-versions.toml");
        let bin = fake_codex(dir.path(), "0.133.0");
        assert_eq!(
            version(&bin, Some(&cache)).unwrap(),
            (Version::new(0, 133, 0), false)
        );
        assert_eq!(
            version(&bin, Some(&cache)).unwrap(),
            (Version::new(0, 133, 0), true)
        );
        assert_eq!(runs(dir.path()), 1);
        // An upgrade changes size (and mtime): asked again.
        fake_codex(dir.path(), "0.169.0-alpha.10");
        assert_eq!(
            version(&bin, Some(&cache)).unwrap(),
            (Version::new(0, 169, 0), false)
        );
        assert_eq!(runs(dir.path()), 2);
    }

    #[test]
    fn unrecognised_output_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let bin = fake_codex(dir.path(), "x");
        std::fs::write(&bin, "#!/bin/sh\necho hello\n").unwrap();
        assert!(matches!(
            version(&bin, None),
            Err(DetectError::Unrecognised { .. })
        ));
    }

    #[test]
    fn a_codex_that_never_answers_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let bin = fake_codex(dir.path(), "x");
        std::fs::write(
            &bin,
            "#!/bin/sh
exec sleep 60
",
        )
        .unwrap();
        let start = std::time::Instant::now();
        assert!(matches!(
            ask(&bin, Duration::from_millis(300)),
            Err(DetectError::TimedOut { .. })
        ));
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn endless_output_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let bin = fake_codex(dir.path(), "x");
        std::fs::write(
            &bin,
            "#!/bin/sh
echo 'codex-cli 0.133.0'
exec cat /dev/zero
",
        )
        .unwrap();
        // It never ends: the time limit stops it, and memory stayed bounded.
        assert!(matches!(
            ask(&bin, Duration::from_millis(500)),
            Err(DetectError::TimedOut { .. })
        ));
        std::fs::write(
            &bin,
            "#!/bin/sh
head -c 10000000 /dev/zero | tr '\\0' x
echo
echo 'codex-cli 0.133.0'
",
        )
        .unwrap();
        // The version line past the kept output is not seen.
        assert!(matches!(
            ask(&bin, Duration::from_secs(10)),
            Err(DetectError::Unrecognised { printed, .. }) if printed.len() == VERSION_OUTPUT
        ));
    }
}
