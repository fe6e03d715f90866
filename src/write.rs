//! Owns every change to the filesystem: the run lock, atomic writes (temp file
//! in the same folder, fsync, rename) that keep a file's mode, owner and group
//! and write through symlinks so the link survives, backups of the previous
//! content, deletions, and the removal of temp files a killed run left
//! behind. Nothing else in codexgen writes a byte. Does not decide what to
//! write, nor in which order; `gen` does.
//!
//! Crash safety, the part that is this module's:
//! - A file is replaced by a rename, so a reader (or a kill at any moment)
//!   sees the old text or the new, never a mix. Its new text is durable
//!   before the rename: a run [`stage`]s every file in a temp file, makes
//!   them all durable with one [`sync`] (`syncfs` once per filesystem, as
//!   durable as a `fsync` per file and 10,000 files cost one flush instead
//!   of seconds of them), then [`commit`]s each by a rename, and flushes
//!   each folder once ([`sync_dirs`]). A kill can leave a
//!   `.codexgen-*.tmp` file beside the target; [`leftover_temps`] finds them
//!   and [`remove_temps`] (which needs the run [`Lock`]) removes them.
//! - A write is told what the file must still hold ([`Expect`]) and compares
//!   it again right before the rename or removal, so a line Codex or the user
//!   adds after the plan was made is never silently replaced: the write stops
//!   with [`WriteError::Changed`]. The window left is the one between that
//!   read and the rename itself, which no portable call closes.
//! - Replacing a file keeps its owner and group (a run as root must not make
//!   the user's config root's); when that is not allowed, the write is
//!   refused ([`WriteError::Owner`]) and the file is left as it was.
//!
//! Debug builds (the binary `cargo test` runs) have a fail point before each
//! filesystem step, driven by `CODEXGEN_FAIL_AT` and `CODEXGEN_FAIL_MODE` (see
//! [`fault`]); release builds compile it to nothing.

use std::ffi::OsStr;
use std::fs::{File, Permissions, TryLockError};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use tempfile::TempPath;

/// Mode of files codexgen creates: they sit next to credentials and may name them.
#[cfg(unix)]
const NEW_FILE_MODE: u32 = 0o600;

/// codexgen's temp files are `.codexgen-XXXXXX.tmp`, beside the file they replace.
const TEMP_PREFIX: &str = ".codexgen-";
const TEMP_SUFFIX: &str = ".tmp";

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
    /// The file no longer holds what the caller planned from; it was left
    /// as it is.
    #[error("{0} changed since codexgen read it")]
    Changed(PathBuf),
    /// The replaced file's owner or group could not be given to the new
    /// text; it was left as it is. `runner` is who the run is (uid, gid).
    #[error("{}", owner_message(.path, (*.uid, *.gid), *.runner))]
    Owner {
        path: PathBuf,
        uid: u32,
        gid: u32,
        runner: (u32, u32),
        #[source]
        source: std::io::Error,
    },
}

/// Owner and group are two causes with two remedies: a user who owns the
/// file but is not in its group cannot be told to run as its owner.
fn owner_message(path: &Path, (uid, gid): (u32, u32), runner: (u32, u32)) -> String {
    if runner.0 == uid {
        format!(
            "cannot keep the group of {} (gid {gid}{}): it is yours, but you are not in its group",
            path.display(),
            group_name(gid).map_or_else(String::new, |n| format!(", `{n}`"))
        )
    } else {
        format!(
            "cannot keep the owner of {} (uid {uid}, gid {gid})",
            path.display()
        )
    }
}

/// A group's name from `/etc/group`, when it is there (best effort: only
/// for a message).
fn group_name(gid: u32) -> Option<String> {
    let text = std::fs::read_to_string("/etc/group").ok()?;
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == gid).then(|| name.to_owned())
    })
}

impl WriteError {
    /// What to do about it, when there is something to say.
    pub fn help(&self) -> Option<String> {
        match self {
            WriteError::Owner {
                path,
                uid,
                gid,
                runner,
                ..
            } if runner.0 == *uid => Some(format!(
                "nothing was written; give the file one of your groups (`chgrp {} {}`), or have an administrator add you to group {}, then run codexgen again",
                runner.1,
                path.display(),
                group_name(*gid).unwrap_or_else(|| gid.to_string())
            )),
            WriteError::Owner { uid, .. } => Some(format!(
                "run codexgen as the file's owner (uid {uid}), e.g. with `sudo -u`, so that Codex can still read it"
            )),
            _ => None,
        }
    }

    /// [`help`](Self::help), or what the operating system's answer asks
    /// for (a full disk, a folder one may not write in), for a write that
    /// stopped before it changed anything.
    pub fn remedy(&self) -> Option<String> {
        if let WriteError::Io(_) = self {
            self.io_fix()
                .map(|what| format!("nothing was written; {what}, then run again"))
        } else {
            self.help()
        }
    }

    /// What the operating system's answer asks for, said as a step
    /// ("free some disk space"), when it is clear; else "fix the cause".
    pub fn fix(&self) -> &'static str {
        self.io_fix().unwrap_or("fix the cause")
    }

    fn io_fix(&self) -> Option<&'static str> {
        use std::io::ErrorKind;
        let (WriteError::Io(e) | WriteError::Symlink { source: e, .. }) = self else {
            return None;
        };
        Some(match e.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "free some disk space",
            ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
                "write somewhere you may write, or make the folder writable for you"
            }
            ErrorKind::NotADirectory => "a part of the path is a file, not a folder: fix the path",
            _ => return None,
        })
    }
}

/// What a file must hold when a write replaces or removes it. It is checked
/// when the write reads the file and again right before the rename.
#[derive(Debug, Clone, Copy)]
pub enum Expect<'a> {
    /// Whatever the write reads first: it must not change under the write.
    AsRead,
    /// Exactly these bytes; `None`: the file must not exist.
    Exactly(Option<&'a [u8]>),
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
    let path = dir.join(crate::home::LOCK_FILE);
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

/// Writes `content` to `path` atomically, if the file still holds what
/// `expect` says. Keeps the existing file's mode, owner and group, writes a
/// symlink's target, and copies the previous content to `backup` first.
/// Returns whether anything was written (equal content is left alone, mtime
/// included). One file on its own: [`stage`], [`sync`], [`commit`] and
/// [`sync_dirs`] in a row.
pub fn write(
    path: &Path,
    content: &str,
    backup: Option<&Path>,
    expect: Expect<'_>,
) -> Result<bool, WriteError> {
    let Some(staged) = stage(path, content, backup, expect)? else {
        return Ok(false);
    };
    // One file: its own fsync, not a flush of the whole filesystem.
    let batch = [staged];
    fsync_each(&batch)?;
    let dirs = folders(&batch);
    let [staged] = batch;
    commit(staged)?;
    sync_dirs(&dirs);
    Ok(true)
}

/// A new text waiting in a temp file beside its target, with its mode and
/// owner already set; nothing visible has changed yet. Dropping it removes
/// the temp file.
pub struct Staged {
    target: PathBuf,
    temp: TempPath,
    /// The previous content, waiting beside its backup path.
    backup: Option<(PathBuf, TempPath)>,
    /// What the target held when staged; it must still hold it at the rename.
    old: Option<Vec<u8>>,
}

/// The first step of a write (see [`Staged`]): checks `expect`, and puts the
/// new text (and the old one, for `backup`) in temp files. `None` when the
/// file already holds `content`. Many files are staged, then made durable
/// by one [`sync`], so that writing 10,000 files costs one flush, not
/// 10,000.
pub fn stage(
    path: &Path,
    content: &str,
    backup: Option<&Path>,
    expect: Expect<'_>,
) -> Result<Option<Staged>, WriteError> {
    let target = resolve(path)?;
    let old = read_bytes(&target)?;
    if let Expect::Exactly(expected) = expect
        && expected != old.as_deref()
    {
        return Err(WriteError::Changed(target));
    }
    if old.as_deref() == Some(content.as_bytes()) {
        return Ok(None);
    }
    let kept = match &old {
        Some(_) => Kept::of(&fs_err::metadata(&target)?),
        None => Kept::new_file(),
    };
    let backup = match (&old, backup) {
        (Some(old), Some(backup)) => Some((
            backup.to_path_buf(),
            temp_beside(backup, old, &Kept::default())?,
        )),
        _ => None,
    };
    let temp = temp_beside(&target, content.as_bytes(), &kept)?;
    Ok(Some(Staged {
        target,
        temp,
        backup,
        old,
    }))
}

/// Makes every staged text durable before any is renamed into place: one
/// `syncfs` per filesystem on Linux (a `fsync` per file elsewhere). A
/// renamed file is never visible before its content is on disk.
pub fn sync<'s>(staged: impl IntoIterator<Item = &'s Staged>) -> Result<(), WriteError> {
    #[cfg(target_os = "linux")]
    {
        // Temp files sit beside their targets: a few folders, one flush per
        // filesystem among them.
        use std::os::unix::fs::MetadataExt as _;
        let temps = staged
            .into_iter()
            .flat_map(|s| std::iter::once(&s.temp).chain(s.backup.as_ref().map(|(_, t)| t)));
        let mut folders: Vec<&Path> = Vec::new();
        for temp in temps {
            let folder = folder_of(temp);
            if !folders.contains(&folder) {
                folders.push(folder);
            }
        }
        let mut synced: Vec<u64> = Vec::new();
        for folder in folders {
            let dir = File::open(folder)?;
            let device = dir.metadata()?.dev();
            if synced.contains(&device) {
                continue;
            }
            fault::point("fsync", folder)?;
            rustix::fs::syncfs(&dir).map_err(std::io::Error::from)?;
            synced.push(device);
        }
    }
    #[cfg(not(target_os = "linux"))]
    fsync_each(staged)?;
    Ok(())
}

/// A `fsync` per staged text (and backup): for one file, or where there is
/// no `syncfs`.
fn fsync_each<'s>(staged: impl IntoIterator<Item = &'s Staged>) -> Result<(), WriteError> {
    let temps = staged
        .into_iter()
        .flat_map(|s| std::iter::once(&s.temp).chain(s.backup.as_ref().map(|(_, t)| t)));
    for temp in temps {
        fault::point("fsync", temp)?;
        File::open(&**temp)?.sync_all()?;
    }
    Ok(())
}

/// Renames a staged text into place (its backup first), if the target still
/// holds what it held when staged; else leaves it as it is
/// ([`WriteError::Changed`]).
pub fn commit(staged: Staged) -> Result<(), WriteError> {
    let Staged {
        target,
        temp,
        backup,
        old,
    } = staged;
    if let Some((path, temp)) = backup {
        fault::point("rename", &path)?;
        persist(temp, &path)?;
    }
    fault::point("compare", &target)?;
    if read_bytes(&target)? != old {
        return Err(WriteError::Changed(target));
    }
    fault::point("rename", &target)?;
    persist(temp, &target)
}

/// The folders renames happen in, each once.
pub fn folders<'s>(staged: impl IntoIterator<Item = &'s Staged>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let paths = staged
        .into_iter()
        .flat_map(|s| std::iter::once(&s.target).chain(s.backup.as_ref().map(|(p, _)| p)));
    for path in paths {
        let dir = folder_of(path).to_path_buf();
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// Makes the renames in `dirs` durable. Not every filesystem can sync a
/// folder, and the new texts are in place either way, so a failure here
/// (injected or real) is not the run's failure.
pub fn sync_dirs(dirs: &[PathBuf]) {
    for dir in dirs {
        if fault::point("fsync-dir", dir).is_ok()
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
    }
}

/// Deletes `path` after backing its content up, if it still holds what
/// `expect` says. A symlink is removed, not the file it points to: that file
/// belongs to whoever made the link.
pub fn delete(path: &Path, backup: Option<&Path>, expect: Expect<'_>) -> Result<bool, WriteError> {
    let content = read_bytes(path)?;
    if let Expect::Exactly(expected) = expect
        && expected != content.as_deref()
    {
        return Err(WriteError::Changed(path.to_path_buf()));
    }
    if let (Some(content), Some(backup)) = (&content, backup) {
        atomic_replace(backup, content, &Kept::default())?;
    }
    fault::point("compare", path)?;
    if read_bytes(path)? != content {
        return Err(WriteError::Changed(path.to_path_buf()));
    }
    fault::point("remove", path)?;
    match fs_err::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Removes a file of codexgen's own (its journal, an old state file);
/// nothing there is fine.
pub fn remove(path: &Path) -> Result<(), WriteError> {
    fault::point("remove", path)?;
    match fs_err::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// codexgen's own temp files in `dirs`: regular files named
/// `.codexgen-*.tmp`, which only a run killed before its rename leaves.
/// Reads only; a folder that cannot be read has none.
pub fn leftover_temps(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if is_temp_name(&entry.file_name()) && entry.file_type().is_ok_and(|t| t.is_file()) {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Removes temp files [`leftover_temps`] found. Only under the run lock: a
/// temp file of a live run is never another run's leftover.
pub fn remove_temps(_held: &Lock, temps: &[PathBuf]) -> Result<(), WriteError> {
    for temp in temps {
        fault::point("clean", temp)?;
        match fs_err::remove_file(temp) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn is_temp_name(name: &OsStr) -> bool {
    name.to_str().is_some_and(|name| {
        name.strip_prefix(TEMP_PREFIX)
            .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
            .is_some_and(|random| {
                !random.is_empty() && random.chars().all(|c| c.is_ascii_alphanumeric())
            })
    })
}

/// A file's bytes, or `None` when it does not exist.
fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    match fs_err::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What a replaced file keeps: its mode, and its owner and group.
#[derive(Default)]
struct Kept {
    permissions: Option<Permissions>,
    /// (uid, gid)
    owner: Option<(u32, u32)>,
}

impl Kept {
    fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        let owner = {
            use std::os::unix::fs::MetadataExt;
            Some((meta.uid(), meta.gid()))
        };
        #[cfg(not(unix))]
        let owner = None;
        Kept {
            permissions: Some(meta.permissions()),
            owner,
        }
    }

    fn new_file() -> Self {
        Kept {
            permissions: new_file_permissions(),
            owner: None,
        }
    }
}

/// Replaces `path` with `content` by a rename, durably (for a backup).
fn atomic_replace(path: &Path, content: &[u8], kept: &Kept) -> Result<(), WriteError> {
    let temp = temp_beside(path, content, kept)?;
    fault::point("fsync", path)?;
    File::open(&*temp)?.sync_all()?;
    fault::point("rename", path)?;
    persist(temp, path)?;
    sync_dirs(&[folder_of(path).to_path_buf()]);
    Ok(())
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `content` in a new temp file in `path`'s folder, with the mode, owner
/// and group `kept` says; closed, not yet synced.
fn temp_beside(path: &Path, content: &[u8], kept: &Kept) -> Result<TempPath, WriteError> {
    let dir = folder_of(path);
    if !dir.is_dir() {
        fault::point("mkdir", path)?;
        fs_err::create_dir_all(dir)?;
    }
    fault::point("create", path)?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot create a temporary file in {}: {e}", dir.display()),
            )
        })?;
    fault::point("write", path)?;
    temp.write_all(content)?;
    keep_owner(temp.as_file(), path, kept.owner)?;
    if let Some(p) = &kept.permissions {
        fault::point("chmod", path)?;
        temp.as_file().set_permissions(p.clone())?;
    }
    // Closed now: a batch of 10,000 must not hold 10,000 descriptors.
    Ok(temp.into_temp_path())
}

fn persist(temp: TempPath, path: &Path) -> Result<(), WriteError> {
    temp.persist(path).map_err(|e| {
        std::io::Error::new(
            e.error.kind(),
            format!("cannot replace {}: {}", path.display(), e.error),
        )
        .into()
    })
}

/// Gives the temp file the owner and group of the file it replaces, or
/// refuses: a run as root must not make the user's config root's.
#[cfg(unix)]
fn keep_owner(temp: &File, path: &Path, owner: Option<(u32, u32)>) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    let Some((uid, gid)) = owner else {
        return Ok(());
    };
    let ours = temp.metadata()?;
    if (ours.uid(), ours.gid()) == (uid, gid) {
        return Ok(());
    }
    fault::point("chown", path)?;
    std::os::unix::fs::fchown(temp, Some(uid), Some(gid)).map_err(|source| WriteError::Owner {
        path: path.to_path_buf(),
        uid,
        gid,
        runner: (
            rustix::process::geteuid().as_raw(),
            rustix::process::getegid().as_raw(),
        ),
        source,
    })
}

#[cfg(not(unix))]
#[allow(clippy::unnecessary_wraps)]
fn keep_owner(_: &File, _: &Path, _: Option<(u32, u32)>) -> Result<(), WriteError> {
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

/// Test-only fail points, one before each filesystem step of a write
/// (`mkdir`, `create`, `write`, `chown`, `chmod`, `fsync`, `compare`,
/// `rename`, `fsync-dir`, `remove`, `clean`), so the integration tests can
/// stop a run at every step and check that the next run recovers.
///
/// `CODEXGEN_FAIL_AT` picks the points, separated by commas: `N` (the Nth
/// step of the run, from 1) or `STEP:FILE[:K]` (the Kth `STEP` on a file
/// named `FILE`, K from 1).
/// `CODEXGEN_FAIL_MODE` says what happens there: `exit` (the default: exit
/// at once with status 137, running no cleanup, as a `kill -9` would),
/// `enospc` (that step fails with "No space left on device"), or `append`
/// (a line is appended to the file, as another program might, and the run
/// goes on). A reached fail point says so on stderr (`codexgen: fail point
/// N: STEP PATH (MODE)`). Only in debug builds; in release builds [`point`]
/// is `Ok(())`.
mod fault {
    use std::path::Path;

    /// The exit status of a run stopped at a fail point in `exit` mode.
    #[cfg(debug_assertions)]
    const KILLED: i32 = 137;

    #[cfg(not(debug_assertions))]
    #[inline]
    #[allow(clippy::unnecessary_wraps)] // the debug twin fails
    pub fn point(_step: &'static str, _path: &Path) -> std::io::Result<()> {
        Ok(())
    }

    #[cfg(debug_assertions)]
    pub fn point(step: &'static str, path: &Path) -> std::io::Result<()> {
        use std::io::Write as _;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::{Mutex, OnceLock};

        /// The points asked for, and the mode.
        static PLAN: OnceLock<Option<(Vec<String>, String)>> = OnceLock::new();
        static STEPS: AtomicUsize = AtomicUsize::new(0);
        /// For each `STEP:FILE` point, how many steps matched it so far.
        static MATCHED: Mutex<Vec<usize>> = Mutex::new(Vec::new());

        let Some((points, mode)) = PLAN.get_or_init(|| {
            let at = std::env::var("CODEXGEN_FAIL_AT").ok()?;
            let mode = std::env::var("CODEXGEN_FAIL_MODE").unwrap_or_else(|_| "exit".to_owned());
            Some((at.split(',').map(str::to_owned).collect(), mode))
        }) else {
            return Ok(());
        };
        let n = STEPS.fetch_add(1, Ordering::SeqCst) + 1;
        let mut matched = MATCHED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        matched.resize(points.len(), 0);
        let mut hit = false;
        for (point, count) in points.iter().zip(matched.iter_mut()) {
            if let Ok(nth) = point.parse::<usize>() {
                hit |= n == nth;
                continue;
            }
            let mut parts = point.split(':');
            let (want_step, want_file) = (parts.next(), parts.next());
            let k = parts.next().and_then(|k| k.parse().ok()).unwrap_or(1);
            if want_step == Some(step)
                && want_file.is_some_and(|f| path.file_name().is_some_and(|name| name == f))
            {
                *count += 1;
                hit |= *count == k;
            }
        }
        drop(matched);
        if !hit {
            return Ok(());
        }
        // Said in every mode, so a test knows its fail point was reached.
        crate::output::eprintln(format_args!(
            "codexgen: fail point {n}: {step} {} ({mode})",
            path.display()
        ));
        match mode.as_str() {
            "enospc" => Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                format!(
                    "cannot {step} {}: No space left on device (injected)",
                    path.display()
                ),
            )),
            "append" => {
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?;
                file.write_all(b"# added by another program while codexgen was writing\n")?;
                Ok(())
            }
            _ => std::process::exit(KILLED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_follows_what_the_system_said() {
        use std::io::{Error, ErrorKind};
        let full = WriteError::Io(Error::from(ErrorKind::StorageFull));
        let denied = WriteError::Io(Error::from(ErrorKind::PermissionDenied));
        let other = WriteError::Io(Error::other("x"));
        assert_eq!(full.fix(), "free some disk space");
        assert!(denied.fix().contains("writable"), "{}", denied.fix());
        assert_eq!(other.fix(), "fix the cause");
        assert_eq!(other.remedy(), None);
        let owner = |runner| WriteError::Owner {
            path: PathBuf::from("/h/config.toml"),
            uid: 1000,
            gid: 4242,
            runner,
            source: Error::from(ErrorKind::PermissionDenied),
        };
        // The owner, not in the group: the group is the problem.
        let mine = owner((1000, 1000));
        assert!(
            mine.to_string()
                .starts_with("cannot keep the group of /h/config.toml (gid 4242")
        );
        assert!(mine.help().unwrap().contains("`chgrp 1000 /h/config.toml`"));
        // Someone else: run as the owner.
        let theirs = owner((0, 0));
        assert_eq!(
            theirs.to_string(),
            "cannot keep the owner of /h/config.toml (uid 1000, gid 4242)"
        );
        assert!(
            theirs
                .help()
                .unwrap()
                .contains("run codexgen as the file's owner (uid 1000)")
        );
    }

    #[test]
    fn equal_content_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        assert!(write(&f, "x = 1\n", None, Expect::AsRead).unwrap());
        assert!(!write(&f, "x = 1\n", None, Expect::AsRead).unwrap());
        assert!(write(&f, "x = 2\n", None, Expect::AsRead).unwrap());
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "x = 2\n");
    }

    #[test]
    fn backup_holds_previous_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        let b = dir.path().join("backup").join("a.toml");
        write(&f, "old\n", Some(&b), Expect::AsRead).unwrap();
        assert!(!b.exists());
        write(&f, "new\n", Some(&b), Expect::AsRead).unwrap();
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_resolved_to_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("linked.toml");
        std::os::unix::fs::symlink("real/linked.toml", &link).unwrap();
        assert_eq!(resolve(&link).unwrap(), dir.path().join("real/linked.toml"));
        write(&link, "x = 1\n", None, Expect::AsRead).unwrap();
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

    #[test]
    fn a_file_that_changed_since_the_plan_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        std::fs::write(&f, "x = 1\ny = 2\n").unwrap();
        let planned_from = Some(&b"x = 1\n"[..]);
        let err = write(&f, "x = 3\n", None, Expect::Exactly(planned_from)).unwrap_err();
        assert!(matches!(err, WriteError::Changed(p) if p == f));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "x = 1\ny = 2\n");
        let err = delete(&f, None, Expect::Exactly(planned_from)).unwrap_err();
        assert!(matches!(err, WriteError::Changed(_)));
        assert!(f.exists());
        // A file planned as missing must still be missing.
        let g = dir.path().join("g.toml");
        std::fs::write(&g, "mine = true\n").unwrap();
        assert!(matches!(
            write(&g, "x = 1\n", None, Expect::Exactly(None)),
            Err(WriteError::Changed(_))
        ));
        assert_eq!(
            leftover_temps(&[dir.path().to_path_buf()]),
            Vec::<PathBuf>::new()
        );
    }

    #[test]
    fn only_codexgens_own_temp_files_are_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".codexgen-a1B2c3.tmp",
            ".codexgen-.tmp",
            ".codexgen-a/b.tmp",
            "codexgen-a1B2c3.tmp",
            ".codexgen-a1B2c3.tmp.bak",
            "config.toml",
        ] {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(path, "").unwrap();
        }
        std::fs::create_dir(dir.path().join(".codexgen-dir123.tmp")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("config.toml", dir.path().join(".codexgen-link12.tmp")).unwrap();
        let found = leftover_temps(&[dir.path().to_path_buf()]);
        assert_eq!(found, [dir.path().join(".codexgen-a1B2c3.tmp")]);
        let held = lock(&dir.path().join("state")).unwrap();
        remove_temps(&held, &found).unwrap();
        assert!(leftover_temps(&[dir.path().to_path_buf()]).is_empty());
        assert!(dir.path().join("config.toml").exists());
    }
}
