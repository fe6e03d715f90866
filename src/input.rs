//! Owns reading every file codexgen reads (catalog files and overlays,
//! templates, the Codex home's config files, the state file, the version
//! cache): regular files only, at most a stated size, as UTF-8 text. A
//! symlink is followed; a directory, FIFO, socket or device is refused
//! without waiting on it, and a file past its [`Limit`] is refused with an
//! error that names the limit. Memory stays at most the limit plus one
//! byte, even if the file grows or is swapped while it is read. Standard
//! input (`--catalog -`) is read the same way, under the same limit. Does
//! not write; `write` owns that.

use std::fmt;
use std::io::Read as _;
use std::path::Path;

/// What codexgen reads at most of one kind of file, and how to call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// "a catalog file", for messages.
    pub what: &'static str,
    pub bytes: u64,
}

const MIB: u64 = 1024 * 1024;

/// A catalog file or overlay. A catalog of 10,000 providers is 1-2 MiB of
/// YAML; eight times that is still a catalog, past it a wrong path.
pub const CATALOG: Limit = Limit {
    what: "a catalog file",
    bytes: 16 * MIB,
};

/// A template in `--templates DIR`. The built-in ones are 2 KiB.
pub const TEMPLATE: Limit = Limit {
    what: "a template",
    bytes: MIB,
};

/// `config.toml` or `NAME.config.toml` in the Codex home. Codex appends a
/// `[projects."PATH"]` table (about 60 bytes) per trusted folder; 16 MiB is
/// over 250,000 of them.
pub const CODEX_FILE: Limit = Limit {
    what: "a Codex config file",
    bytes: 16 * MIB,
};

/// codexgen's state file: about 100 bytes per managed key, so 16 MiB holds
/// the state of a 10,000-provider catalog ten times over.
pub const STATE: Limit = Limit {
    what: "codexgen's state file",
    bytes: 16 * MIB,
};

/// The `codex --version` cache: 16 entries of one line each.
pub const VERSION_CACHE: Limit = Limit {
    what: "the Codex version cache",
    bytes: MIB,
};

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", size(self.bytes))
    }
}

/// A byte count as people say it: `16 MiB`, `64 KiB`, `100 bytes`.
pub fn size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed; the error names the path (`fs_err`).
    #[error(transparent)]
    Io(std::io::Error),
    #[error("{path} is {kind}, not a regular file")]
    NotAFile { path: String, kind: &'static str },
    #[error("{path} is larger than {limit}, the most codexgen reads of {what}", what = .limit.what)]
    TooLarge { path: String, limit: Limit },
    /// `at`: where the first byte that is not UTF-8 stands, as ", line
    /// L, column C (byte 0xHH)" (columns count characters, from 1).
    #[error("{path} is not UTF-8 text: {at}")]
    NotUtf8 { path: String, at: String },
    /// A symbolic link where codexgen reads only its own files (see
    /// [`read_own`]).
    #[error(
        "{path} is a symbolic link in codexgen's own folder; codexgen does not read through it"
    )]
    Link { path: String },
}

impl ReadError {
    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            ReadError::Io(_) => None,
            ReadError::Link { path } => Some(format!(
                "codexgen never follows a link in its own `.codexgen` folders (a cloned or synced folder may have planted it): remove {path}"
            )),
            ReadError::NotAFile { path, .. } => Some(format!(
                "codexgen reads only regular files (a symlink to one is fine): replace {path} with one, or move it out of the way"
            )),
            ReadError::TooLarge { path, .. } => Some(format!(
                "check that {path} is the file you meant; if it is, make it smaller"
            )),
            ReadError::NotUtf8 { path, .. } => Some(format!(
                "save {path} as UTF-8 (most editors: \"save with encoding\"); a byte like this one is most often Latin-1 or Windows-1252 text"
            )),
        }
    }
}

/// The text of a regular file, at most `limit` bytes of it.
pub fn read(path: &Path, limit: Limit) -> Result<String, ReadError> {
    read_if_there(path, limit, false, true).map(Option::unwrap_or_default)
}

/// [`read`] of a file codexgen wrote in its own folder (`.codexgen`: its
/// state, journal, backup generations): a symbolic link there is refused,
/// never read through ([`ReadError::Link`]), so that a planted link cannot
/// make codexgen show or copy another file (`auth.json`, say).
pub fn read_own(path: &Path, limit: Limit) -> Result<String, ReadError> {
    refuse_link(path)?;
    read_if_there(path, limit, false, false).map(Option::unwrap_or_default)
}

/// [`read_own`], or `None` when nothing is at `path`.
pub fn read_own_optional(path: &Path, limit: Limit) -> Result<Option<String>, ReadError> {
    refuse_link(path)?;
    optional(read_if_there(path, limit, true, false))
}

/// Refuses a symbolic link at `path` (see [`read_own`]). What is opened
/// after this look is opened with `O_NOFOLLOW` too, on Unix.
fn refuse_link(path: &Path) -> Result<(), ReadError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(ReadError::Link {
            path: path.display().to_string(),
        }),
        _ => Ok(()),
    }
}

/// The name standard input goes by in messages (`--catalog -`).
pub const STDIN: &str = "<stdin>";

/// All of standard input as text, at most `limit` bytes of it: refused past
/// the limit (memory stays at most the limit plus one byte) or when it is
/// not UTF-8, named [`STDIN`].
pub fn read_stdin(limit: Limit) -> Result<String, ReadError> {
    read_stream(std::io::stdin().lock(), limit)
}

/// [`read_stdin`] of any reader.
fn read_stream(stream: impl std::io::Read, limit: Limit) -> Result<String, ReadError> {
    let mut bytes = Vec::new();
    stream
        .take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            ReadError::Io(std::io::Error::new(
                e.kind(),
                format!("cannot read {STDIN}: {e}"),
            ))
        })?;
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::TooLarge {
            path: STDIN.to_owned(),
            limit,
        });
    }
    text(bytes, STDIN.to_owned())
}

/// `bytes` as text, or where they stop being UTF-8.
fn text(bytes: Vec<u8>, path: String) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let good = e.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&bytes[..good]);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        let column = before[line_start..].chars().count() + 1;
        let byte = bytes.get(good).copied().unwrap_or_default();
        ReadError::NotUtf8 {
            path,
            at: format!("line {line}, column {column} (byte 0x{byte:02X})"),
        }
    })
}

/// [`read`]; with `missing_ok`, `None` when nothing is at `path` (a
/// dangling symlink included); without `follow`, a symbolic link is not
/// opened (on Unix; see [`read_own`]).
fn read_if_there(
    path: &Path,
    limit: Limit,
    missing_ok: bool,
    follow: bool,
) -> Result<Option<String>, ReadError> {
    let shown = || path.display().to_string();
    // A first look that cannot block: a FIFO is refused before it is opened
    // (and a socket, which cannot be opened at all, gets a clear message).
    // `metadata` follows symlinks; when nothing is there, that is the answer
    // (a first run asks about 10,000 missing files); on any other failure,
    // opening fails the same way and says so.
    match std::fs::metadata(path) {
        Ok(meta) => refuse_special(&meta, path)?,
        Err(e) if missing_ok && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(_) => {}
    }
    let mut options = fs_err::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt as _;
        // Should a FIFO take the file's place after the look above, the
        // open must still not wait for a writer. No effect on a regular file.
        let mut flags = rustix::fs::OFlags::NONBLOCK;
        if !follow {
            flags |= rustix::fs::OFlags::NOFOLLOW;
        }
        options.custom_flags(flags.bits().cast_signed());
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    // The file that was opened is what counts.
    let meta = file.metadata().map_err(ReadError::Io)?;
    refuse_special(&meta, path)?;
    let mut bytes = Vec::new();
    // Room for the file as it is now (no doubling past it), never past the limit.
    bytes.reserve_exact(usize::try_from(meta.len().min(limit.bytes + 1)).unwrap_or(0));
    file.take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::TooLarge {
            path: shown(),
            limit,
        });
    }
    text(bytes, shown()).map(Some)
}

/// [`read`], or `None` when nothing is at `path` (a dangling symlink included).
pub fn read_optional(path: &Path, limit: Limit) -> Result<Option<String>, ReadError> {
    optional(read_if_there(path, limit, true, true))
}

/// A read's result, nothing at the path (found missing on opening) as `None`.
fn optional(read: Result<Option<String>, ReadError>) -> Result<Option<String>, ReadError> {
    match read {
        Ok(text) => Ok(text),
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn refuse_special(meta: &std::fs::Metadata, path: &Path) -> Result<(), ReadError> {
    if meta.is_file() {
        return Ok(());
    }
    Err(ReadError::NotAFile {
        path: path.display().to_string(),
        kind: kind(meta.file_type()),
    })
}

/// What a file that is not a regular one is, for messages ("a FIFO (named pipe)").
pub fn kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limit = Limit {
        what: "a test file",
        bytes: 8,
    };

    #[test]
    fn reads_regular_files_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "12345678").unwrap();
        assert_eq!(read(&path, SMALL).unwrap(), "12345678");
        std::fs::write(&path, "123456789").unwrap();
        let err = read(&path, SMALL).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
        assert!(
            err.to_string()
                .ends_with("is larger than 8 bytes, the most codexgen reads of a test file")
        );
        assert_eq!(
            read_optional(&dir.path().join("none"), SMALL).unwrap(),
            None
        );
    }

    #[test]
    fn streams_are_read_up_to_the_limit() {
        assert_eq!(read_stream(&b"12345678"[..], SMALL).unwrap(), "12345678");
        let err = read_stream(&b"123456789"[..], SMALL).unwrap_err();
        assert_eq!(
            err.to_string(),
            "<stdin> is larger than 8 bytes, the most codexgen reads of a test file"
        );
        assert!(matches!(
            read_stream(&b"\xff"[..], SMALL),
            Err(ReadError::NotUtf8 { .. })
        ));
    }

    #[test]
    fn folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path(), SMALL).unwrap_err();
        assert!(
            err.to_string().ends_with("is a folder, not a regular file"),
            "{err}"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn endless_devices_are_refused_without_reading() {
        for dev in ["/dev/zero", "/dev/urandom"] {
            let err = read(Path::new(dev), CATALOG).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("{dev} is a device, not a regular file")
            );
        }
    }

    #[test]
    fn invalid_utf8_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"\xff").unwrap();
        assert!(matches!(read(&path, SMALL), Err(ReadError::NotUtf8 { .. })));
        std::fs::write(&path, b"a\n\xc3\xa9\xff").unwrap();
        let err = read(&path, SMALL).unwrap_err().to_string();
        assert!(
            err.ends_with("is not UTF-8 text: line 2, column 2 (byte 0xFF)"),
            "{err}"
        );
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(16 * MIB), "16 MiB");
        assert_eq!(size(64 * 1024), "64 KiB");
        assert_eq!(size(100), "100 bytes");
    }
}
