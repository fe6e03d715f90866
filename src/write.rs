//! Owns every change to the filesystem: the run lock, atomic writes (temp file
//! in the same folder, fsync, rename) that keep a file's mode and write
//! through symlinks so the link survives, backups of the previous content,
//! and deletions. Nothing else in codexgen writes a byte.

use std::fs::{File, Permissions, TryLockError};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Mode of files codexgen creates: they sit next to credentials and may name them.
#[cfg(unix)]
const NEW_FILE_MODE: u32 = 0o600;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("another codexgen run is writing to {0}")]
    Locked(PathBuf),
    #[error("cannot follow the symlink {path}")]
    Symlink {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Held for the whole of a writing run; dropping it releases the lock.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes `<dir>/lock`, creating `dir` if needed. Fails at once, rather than
/// waiting, when another run holds it.
pub fn lock(dir: &Path) -> Result<Lock, WriteError> {
    fs_err::create_dir_all(dir)?;
    let path = dir.join("lock");
    let file = fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?
        .into_file();
    match file.try_lock() {
        Ok(()) => Ok(Lock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(WriteError::Locked(dir.to_path_buf())),
        Err(TryLockError::Error(e)) => Err(WriteError::Io(e)),
    }
}

/// The file a path really names: a symlink (or a chain) is followed to its
/// target, even when the target does not exist yet.
pub fn resolve(path: &Path) -> Result<PathBuf, WriteError> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs_err::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs_err::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(WriteError::Symlink {
        path: path.to_path_buf(),
        source: std::io::Error::other("too many levels of symbolic links"),
    })
}

/// Writes `content` to `path` atomically. Keeps the existing file's mode,
/// writes a symlink's target, and copies the previous content to
/// `backup` first. Returns whether anything was written (equal content is
/// left alone, mtime included).
pub fn write(path: &Path, content: &str, backup: Option<&Path>) -> Result<bool, WriteError> {
    let target = resolve(path)?;
    let old = match fs_err::read(&target) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    if old.as_deref() == Some(content.as_bytes()) {
        return Ok(false);
    }
    let permissions = match &old {
        Some(_) => Some(fs_err::metadata(&target)?.permissions()),
        None => new_file_permissions(),
    };
    if let (Some(old), Some(backup)) = (&old, backup) {
        atomic_replace(backup, old, None)?;
    }
    atomic_replace(&target, content.as_bytes(), permissions)?;
    Ok(true)
}

/// Deletes `path` after backing its content up. A symlink is removed, not
/// the file it points to: that file belongs to whoever made the link.
pub fn delete(path: &Path, backup: Option<&Path>) -> Result<bool, WriteError> {
    let content = match fs_err::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    if let (Some(content), Some(backup)) = (&content, backup) {
        atomic_replace(backup, content, None)?;
    }
    match fs_err::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn atomic_replace(
    path: &Path,
    content: &[u8],
    permissions: Option<Permissions>,
) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs_err::create_dir_all(dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".codexgen-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot create a temporary file in {}: {e}", dir.display()),
            )
        })?;
    temp.write_all(content)?;
    if let Some(p) = permissions {
        temp.as_file().set_permissions(p)?;
    }
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| {
        std::io::Error::new(
            e.error.kind(),
            format!("cannot replace {}: {}", path.display(), e.error),
        )
    })?;
    // Make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // the non-unix twin returns None
fn new_file_permissions() -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(Permissions::from_mode(NEW_FILE_MODE))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<Permissions> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_content_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        assert!(write(&f, "x = 1\n", None).unwrap());
        assert!(!write(&f, "x = 1\n", None).unwrap());
        assert!(write(&f, "x = 2\n", None).unwrap());
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "x = 2\n");
    }

    #[test]
    fn backup_holds_previous_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        let b = dir.path().join("backup").join("a.toml");
        write(&f, "old\n", Some(&b)).unwrap();
        assert!(!b.exists());
        write(&f, "new\n", Some(&b)).unwrap();
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_resolved_to_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("linked.toml");
        std::os::unix::fs::symlink("real/linked.toml", &link).unwrap();
        assert_eq!(resolve(&link).unwrap(), dir.path().join("real/linked.toml"));
        write(&link, "x = 1\n", None).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("real/linked.toml")).unwrap(),
            "x = 1\n"
        );
    }

    #[test]
    fn a_second_lock_fails() {
        let dir = tempfile::tempdir().unwrap();
        let _held = lock(dir.path()).unwrap();
        assert!(matches!(lock(dir.path()), Err(WriteError::Locked(_))));
    }
}
