//! Owns every change to the filesystem: the run lock, atomic writes (temp file
//! in the same folder, fsync, rename) that keep a file's mode, owner and group
//! and write through symlinks so the link survives, backups of the previous
//! content, deletions, the link `codexgen link` puts in place of a file
//! ([`link`]), and the removal of temp files a killed run left behind.
//! Nothing else in codexgen writes a byte. Does not decide what to
//! write, nor in which order; `gen` does.
//!
//! The rule for links ([`target`]; docs/ownership.md, "Links"), so that a link a
//! cloned repository commits cannot choose a file codexgen creates or fills:
//! - A file codexgen writes for the user (config.toml, a profile file, the
//!   overlay, an `--output`) may be one link, in the place it is looked
//!   for, to a regular file that already exists with the link's extension;
//!   that file is written. Any other link there (dangling, to a link, to a
//!   folder, FIFO or device, to a file of another kind) is refused.
//! - Any link inside a repository's work tree (a clone can commit it) on
//!   the way to a file codexgen writes, the file's own or a folder's (a
//!   Codex home that links into dotfiles, `$DOTFILES/codex` committed as a
//!   link), must stay inside that tree ([`link_out_of_a_tree`] walks the
//!   path as the system resolves it); else it is refused, so that a
//!   repository cannot pick another program's existing file of the same
//!   extension (`~/.cargo/config.toml`) or folder.
//! - Every link on the way to a file codexgen writes, the file's own or
//!   a folder's, is the file's owner's (or the owner's of the folder it
//!   is made in) or root's: a run as root on a user's home does not write
//!   a file of root's through the user's link.
//! - At or below a `.codexgen` folder (codexgen's own: the home's state,
//!   journal, lock and backups; the record beside a linked config.toml) no
//!   link is followed at all.
//!
//! Callers check with [`target`] when they plan, before anything is written
//! ([`Targets`] for many files: each folder on the way walked once);
//! every write checks again, and does not follow a link that appears after
//! that: the old text is read and compared with `O_NOFOLLOW` (a link there
//! stops the write as a change), temp files are created `O_EXCL`, and a
//! rename replaces a link rather than follow it. In a `.codexgen` folder
//! every step goes through folders opened `O_NOFOLLOW` one by one (`own`,
//! with `openat`), so a link swapped in there at any moment is refused.
//! Outside repositories, the folders above a file of the user's are
//! theirs, and followed.
//!
//! Crash safety, the part that is this module's:
//! - A file is replaced by a rename, so a reader (or a kill at any moment)
//!   sees the old text or the new, never a mix. Its new text is durable
//!   before the rename: a run [`stage`]s every file in a temp file, makes
//!   them all durable with one [`sync`] (`syncfs` once per filesystem, as
//!   durable as a `fsync` per file and 10,000 files cost one flush instead
//!   of seconds of them), then [`commit`]s each by a rename, and flushes
//!   each folder once ([`sync_dirs`]). A kill can leave a
//!   `.codexgen-PID-*.tmp` file beside the target (a temp link, for
//!   [`link`]); [`leftover_temps`] finds them and [`remove_temps`] removes
//!   them (a link itself, never what it leads to).
//! - A temp file is removed only when it is shown abandoned: its name says
//!   which process made it, and that process no longer exists. The run lock
//!   cannot show it: it is per home, and homes whose config.toml links to
//!   one file write temp files in the same folder at once. (Temp files of
//!   older releases, whose names give no process, once an hour old.) What
//!   this cannot tell: a live temp file of a run on another machine, or in
//!   another PID namespace (a container), writing the same folder at that
//!   moment looks abandoned.
//! - Replacing a file keeps its owner and group (a run as root must not make
//!   the user's config root's); when that is not allowed, the write is
//!   refused ([`WriteError::Owner`]) and the file is left as it was.
//!
//! Concurrent writers (Codex writes config.toml as a temp file renamed over
//! it), the part that is this module's:
//! - A write is told what the file must still hold ([`Expect`]), and
//!   compares it when staging and again right before the new text goes in.
//!   A line Codex or the user adds after the plan was made is never silently
//!   replaced: the write stops with [`WriteError::Changed`].
//! - Between that last compare and the rename, no portable call closes the
//!   window. On Linux, where the filesystem can (`renameat2` with
//!   `RENAME_EXCHANGE`: ext4, xfs, btrfs, tmpfs and most local ones), the
//!   new text is swapped in and what it swapped out is compared with what
//!   the plan was made from; if another program wrote in between, its file
//!   is swapped back and the write stops ([`WriteError::Changed`]). A
//!   removal moves the file aside, compares, and moves it back (never over
//!   a file that appeared meanwhile). A new file is put in place only where
//!   none appeared (`RENAME_NOREPLACE`, or a hard link), on every system
//!   and filesystem that has either.
//! - What remains on Linux, all within the microseconds between the swap
//!   and the swap back: (1) the file holds codexgen's text then, so a
//!   program that reads it in that instant and writes from it later writes
//!   over its own swapped-back edit; (2) a second write in that instant is
//!   what the swap back takes out: it is kept beside the file as
//!   `NAME.kept-XXXXXX` and the error names it ([`WriteError::Kept`]),
//!   nothing deleted; (3) a program writing in place through a descriptor
//!   opened before the swap, after the compare, writes into the swapped-out
//!   file, and that write is lost with it; (4) a kill of codexgen right
//!   there leaves the other program's text in a temp file the next run
//!   removes.
//! - Elsewhere (other systems, a filesystem that refuses the exchange with
//!   `EINVAL`, e.g. some network and FUSE ones) a replacement is a compare
//!   then a rename, and an edit renamed in between is lost.
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
    /// A symbolic link the rule for links (module doc) does not let a
    /// write go through; found before anything is written.
    #[error("{}", .0)]
    Link(Box<Refused>),
    /// The file no longer holds what the caller planned from; it was left
    /// as it is.
    #[error("{0} changed since codexgen read it")]
    Changed(PathBuf),
    /// Another program wrote the file while codexgen was replacing or
    /// removing it, and a text of its was taken out of the file's place
    /// that could not go back: it is kept beside the file, as `kept`.
    /// `back`: the file's place holds another program's text (it changed
    /// more than once); else codexgen's text or nothing.
    #[error("{}", kept_message(path, kept, *back))]
    Kept {
        path: PathBuf,
        kept: PathBuf,
        back: bool,
        #[source]
        source: Option<Box<WriteError>>,
    },
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
            WriteError::Kept { path, kept, .. } => Some(format!(
                "compare {} with {}, keep what you need in the file, delete the copy, then run codexgen again",
                kept.display(),
                path.display()
            )),
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
            WriteError::Link(refused) => Some(refused.refusal.help(&refused.link)),
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
        let WriteError::Io(e) = self else {
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

fn kept_message(path: &Path, kept: &Path, back: bool) -> String {
    if back {
        format!(
            "{} changed more than once while codexgen was writing; one version is in its place, the other is kept in {}",
            path.display(),
            kept.display()
        )
    } else {
        format!(
            "{} changed while codexgen was writing and could not be put back; the other program's version is kept in {}",
            path.display(),
            kept.display()
        )
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
    let path = dir.join(crate::home::LOCK_FILE);
    target(&path)?;
    #[cfg(unix)]
    let file = if let Some(folder) = own::parent(&path, true)? {
        own::open_lock(&folder, &path)?
    } else {
        fs_err::create_dir_all(dir)?;
        open_lock(&path)?
    };
    #[cfg(not(unix))]
    let file = {
        fs_err::create_dir_all(dir)?;
        open_lock(&path)?
    };
    match file.try_lock() {
        Ok(()) => Ok(Lock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(WriteError::Locked(dir.to_path_buf())),
        Err(TryLockError::Error(e)) => Err(WriteError::Io(e)),
    }
}

/// Opens (or creates) the lock file, not following a link at its end.
fn open_lock(path: &Path) -> Result<File, WriteError> {
    let mut options = fs_err::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits().cast_signed());
    }
    Ok(options.open(path)?.into_file())
}

/// A link [`target`] does not let a write go through, and why.
#[derive(Debug, thiserror::Error)]
#[error("{link} is a symbolic link to {}, {}", shown_target(.link, .to), self.why())]
pub struct Refused {
    pub link: PathBuf,
    /// What the link holds, as `ls -l` shows it.
    pub to: PathBuf,
    pub refusal: Refusal,
}

impl Refused {
    /// The second half of the message: what is wrong with the link.
    fn why(&self) -> String {
        match &self.refusal {
            Refusal::Dangling => "which does not exist".to_owned(),
            Refusal::OtherOwner {
                link,
                owner,
                writing,
            } => format!(
                "and the link is uid {link}'s, but {} is uid {owner}'s",
                writing.display()
            ),
            Refusal::DanglingOnTheWay(writing) => {
                format!("which does not exist, on the way to {}", writing.display())
            }
            Refusal::Chain { via, to } => format!(
                "itself a symbolic link ({} -> {})",
                via.display(),
                to.display()
            ),
            Refusal::NotAFile(kind) => format!("which is {kind}, not a regular file"),
            Refusal::OtherKind => match self.link.extension() {
                Some(ext) => format!("which is not a `.{}` file", ext.to_string_lossy()),
                None => "a file with an extension the link does not have".to_owned(),
            },
            Refusal::OutOfTree { tree, writing } => format!(
                "which leads out of the repository at {}{}",
                tree.display(),
                writing
                    .as_ref()
                    .map_or_else(String::new, |w| format!(", on the way to {}", w.display()))
            ),
            Refusal::InOwnFolder(folder) if *folder == self.link => {
                "and it is codexgen's own folder, where codexgen follows no link".to_owned()
            }
            Refusal::InOwnFolder(folder) => format!(
                "inside codexgen's own folder {}, where codexgen follows no link",
                folder.display()
            ),
        }
    }

    fn at(link: &Path, to: &Path, refusal: Refusal) -> WriteError {
        WriteError::Link(Box::new(Refused {
            link: link.to_path_buf(),
            to: to.to_path_buf(),
            refusal,
        }))
    }
}

/// Why a link is not written through (see [`target`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing is there: the write would create a file the link chose.
    Dangling,
    /// The link is one user's (uid `link`), and the file it leads to (or
    /// the folder it would be made in) another's (uid `owner`): whoever
    /// runs codexgen, it writes only what the link's own owner could have.
    /// `writing`: that file or folder, as a path without links.
    OtherOwner {
        link: u32,
        owner: u32,
        writing: PathBuf,
    },
    /// A folder link on the way to this file leads to nothing: a write
    /// would create its folder where the link chose.
    DanglingOnTheWay(PathBuf),
    /// It leads to another link (`to` is what that one holds).
    Chain { via: PathBuf, to: PathBuf },
    /// It leads to a folder, FIFO, socket or device.
    NotAFile(&'static str),
    /// It leads to a file named unlike the link (`~/.bashrc` for a
    /// `config.toml`): a file of another program, whatever it holds.
    OtherKind,
    /// The link is in codexgen's own folder (or is that folder).
    InOwnFolder(PathBuf),
    /// The link is in a repository's work tree, `tree`, and leads out of
    /// it: a clone can commit it. `writing`: the file written through it,
    /// when the link is a folder on the way.
    OutOfTree {
        tree: PathBuf,
        writing: Option<PathBuf>,
    },
}

impl Refusal {
    fn help(&self, link: &Path) -> String {
        let link = link.display();
        let what = match self {
            Refusal::Dangling => format!(
                "codexgen writes through a link only to a file that already exists: create that file first if it is where you want it (an empty file will do), or remove {link}"
            ),
            Refusal::OtherOwner { .. } => format!(
                "codexgen follows a link only to what the link's own owner owns (or a link of root's), so that a run as root on a user's home never writes another user's file through the user's link: if that file is where the user's settings belong, give it to the user (`chown`), else remove {link}"
            ),
            Refusal::DanglingOnTheWay(_) => format!(
                "codexgen does not create a folder where a link leads: create that folder first if it is where you want the files, or remove {link}"
            ),
            Refusal::Chain { .. } => format!(
                "codexgen follows only the link where it looks for the file, not a link that one leads to (a cloned repository can commit such a link): point {link} straight at the file you mean, or remove it"
            ),
            Refusal::NotAFile(_) => format!("point {link} at a regular file, or remove it"),
            Refusal::OtherKind => format!(
                "codexgen writes through a link only to a file with the link's own extension (`.toml` for Codex's files, `.yaml` for a catalog), so that a planted link cannot make it write into a shell's or another program's file: point {link} at the file you mean, or remove it"
            ),
            Refusal::OutOfTree { tree, .. } => format!(
                "a link inside a repository (a clone can commit one), whether at the file or a folder on the way, is followed only to a file in that repository, so that a repository cannot make codexgen write another program's file (`~/.cargo/config.toml`): if you made {link} and mean that file, move the file into {} and point the link there, or remove the link",
                tree.display()
            ),
            Refusal::InOwnFolder(_) => format!(
                "codexgen never follows a link in its own `.codexgen` folders (a cloned or synced folder may have planted it): remove {link}, and codexgen makes what it needs there (if you moved that folder yourself, move it back)"
            ),
        };
        format!("nothing was written; {what}")
    }
}

/// The link's target as it holds it, and where that is when it is relative.
fn shown_target(link: &Path, to: &Path) -> String {
    if to.is_absolute() || folder_of(link) == Path::new(".") {
        return to.display().to_string();
    }
    // Where it leads as a path without links, when that exists: `..` counts
    // from the folder the link really is in, which a linked folder on the
    // way (a linked Codex home) makes differ from the path shown.
    let joined = folder_of(link).join(to);
    let resolved = std::fs::canonicalize(&joined).unwrap_or(joined);
    format!("{} ({})", to.display(), resolved.display())
}

/// The file a write to `path` replaces or creates, after the rule for links
/// (module doc): `path` itself when it is no link, else the existing
/// regular file its one link leads to, as a path without links. Refuses
/// ([`WriteError::Link`]) a link anywhere at or below a `.codexgen` folder,
/// and any other link that dangles, leads to another link or to something
/// not a regular file, or to a file with another extension; and a link on
/// the way to `path` inside a repository's work tree that leads out of it.
/// Reads only. For many files, [`Targets`] walks each folder once.
pub fn target(path: &Path) -> Result<PathBuf, WriteError> {
    let walked = link_out_of_a_tree(path)?;
    judge(path, walked)
}

/// [`target`] for many files in one planning pass: each folder on the way
/// is walked once, not once per file (at 10,000 files in one folder the
/// walks from `/` were most of a check's system time). What it remembers
/// is what the folders were when it first looked: the same moment-in-time
/// answer a single [`target`] gives, which every write checks again.
#[derive(Debug, Default)]
pub struct Targets {
    /// Each folder as given, with its absolute path and where its walk
    /// left off (`None`: the walk stopped in it, so each path there is
    /// walked whole and its refusal names the file).
    folders: std::collections::HashMap<std::ffi::OsString, (PathBuf, Option<Walk>)>,
}

impl Targets {
    /// [`target`], reusing what this pass saw of `path`'s folder.
    pub fn target(&mut self, path: &Path) -> Result<PathBuf, WriteError> {
        let walked = self.link_out_of_a_tree(path)?;
        judge(path, walked)
    }

    /// [`link_out_of_a_tree`] for `path`, its folder's part of the walk
    /// done once for every file in that folder.
    fn link_out_of_a_tree(&mut self, path: &Path) -> std::io::Result<Walked> {
        use std::path::Component;
        // Only a plain path (no `..`, no trailing `/` or `/.`, where the
        // system wants a folder and `Path` forgets it) has the same walk
        // as its folder's plus its name.
        let raw = path.as_os_str().as_encoded_bytes();
        let plain = !raw.ends_with(b"/")
            && !raw.ends_with(b"/.")
            && !path.components().any(|c| c == Component::ParentDir);
        let (Some(folder), Some(Component::Normal(name)), true) =
            (path.parent(), path.components().next_back(), plain)
        else {
            return link_out_of_a_tree(path);
        };
        // Keyed by the folder as written: `Path` takes `//tmp` for `/tmp`,
        // the absolute path (and the messages) do not.
        let key = folder.as_os_str();
        let (absolute, walk) = if let Some(seen) = self.folders.get(key) {
            seen.clone()
        } else {
            let whole = std::path::absolute(path)?;
            let absolute = whole.parent().unwrap_or(&whole).to_path_buf();
            let seen = (absolute, Walk::folder_of(&whole)?);
            self.folders.insert(key.to_owned(), seen.clone());
            seen
        };
        let Some(mut walk) = walk else {
            return link_out_of_a_tree(path);
        };
        let real = walk.at.join(name);
        match std::fs::symlink_metadata(&real) {
            // The usual case: the file is there and no link.
            Ok(meta) if !meta.file_type().is_symlink() => {
                let owner = owner_of(&meta);
                walk.at = real;
                Ok(match walk.judge_owners(owner) {
                    Some(refused) => Walked::Stopped(Some(refused)),
                    None => Walked::Went { last: Some(meta) },
                })
            }
            // A link, or nothing yet: the walk's general steps.
            _ => walk.finish(&absolute.join(name), [Step::Name(name.to_owned())].into()),
        }
    }
}

/// [`target`]'s checks after the walk: the refusal it found, or the
/// file's own link judged.
fn judge(path: &Path, walked: Walked) -> Result<PathBuf, WriteError> {
    let last = match walked {
        Walked::Went { last } => last,
        Walked::Stopped(Some((link, to, refusal))) => {
            return Err(Refused::at(&link, &to, refusal));
        }
        Walked::Stopped(None) => None,
    };
    if let Some(folder) = own_folder(path) {
        own_path_has_no_link(path, &folder)?;
        return Ok(path.to_path_buf());
    }
    // The walk looked at the file's own name already, unless a link
    // on the way led elsewhere.
    let meta = match last {
        Some(meta) => meta,
        None => match fs_err::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(path.to_path_buf());
            }
            Err(e) => return Err(e.into()),
        },
    };
    if !meta.file_type().is_symlink() {
        return Ok(path.to_path_buf());
    }
    let to = fs_err::read_link(path)?;
    let refused = |refusal| Refused::at(path, &to, refusal);
    let dest = folder_of(path).join(&to);
    let meta = match fs_err::symlink_metadata(&dest) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refused(Refusal::Dangling));
        }
        Err(e) => return Err(e.into()),
    };
    if meta.file_type().is_symlink() {
        let next = fs_err::read_link(&dest)?;
        return Err(refused(Refusal::Chain {
            via: dest,
            to: next,
        }));
    }
    if !meta.is_file() {
        return Err(refused(Refusal::NotAFile(crate::input::kind(
            meta.file_type(),
        ))));
    }
    if !same_kind(path, &dest) {
        return Err(refused(Refusal::OtherKind));
    }
    Ok(fs_err::canonicalize(&dest)?)
}

/// What a walk by the rule for links ([`link_out_of_a_tree`]) found.
enum Walked {
    /// No link on the way refused. `last`: the file's own entry (not
    /// followed), when the walk looked at it where the path puts it.
    Went { last: Option<std::fs::Metadata> },
    /// A link on the way refused (the link, what it holds, why), or
    /// `None`: the walk stopped with nothing to judge (nothing there), as
    /// if it had passed.
    Stopped(Option<(PathBuf, PathBuf, Refusal)>),
}

/// As many links as the system follows in one path (Linux's 40; macOS's
/// 32 is fewer, and its own refusal comes first).
const MAX_HOPS: u32 = 40;

/// Where a walk by the rule for links is.
#[derive(Debug, Clone)]
struct Walk {
    /// The folder reached, as a path without links (the file, at the end).
    at: PathBuf,
    /// How many more links it follows (of [`MAX_HOPS`]).
    hops: u32,
    /// The links on the way that are not root's: the link, what it holds,
    /// its owner.
    users_links: Vec<(PathBuf, PathBuf, u32)>,
}

/// The root `p` starts from (`/` on Unix).
fn root_of(p: &Path) -> PathBuf {
    p.ancestors()
        .last()
        .map_or_else(PathBuf::new, Path::to_path_buf)
}

impl Walk {
    fn from_root_of(path: &Path) -> Walk {
        Walk {
            at: root_of(path),
            hops: MAX_HOPS,
            users_links: Vec::new(),
        }
    }

    /// The walk to the folder of `whole` (an absolute path), its file still
    /// to come; `None` when it stopped on the way (a refusal, which names
    /// the file, or nothing further there).
    fn folder_of(whole: &Path) -> std::io::Result<Option<Walk>> {
        let folder = whole.parent().unwrap_or(whole);
        let mut walk = Walk::from_root_of(whole);
        let done = walk.take(whole, steps(folder).collect(), true)?;
        Ok(done.is_none().then_some(walk))
    }

    /// Takes the steps `left` (see [`link_out_of_a_tree`]); `more`: steps
    /// follow these (the file's name, after its folder's). `Some` when the
    /// walk stopped before the end.
    fn take(
        &mut self,
        path: &Path,
        mut left: std::collections::VecDeque<Step>,
        more: bool,
    ) -> std::io::Result<Option<Walked>> {
        use std::collections::VecDeque;
        let stop = |s| Ok(Some(Walked::Stopped(s)));
        while let Some(step) = left.pop_front() {
            let name = match step {
                Step::Root(r) => {
                    self.at = r;
                    continue;
                }
                Step::Parent => {
                    self.at.pop();
                    continue;
                }
                Step::Name(name) => name,
            };
            let end = left.is_empty() && !more;
            let next = self.at.join(&name);
            match std::fs::symlink_metadata(&next) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    // Every link the system would follow is judged; one more
                    // than it follows is refused (it would refuse it too).
                    if self.hops == 0 {
                        return Err(std::io::Error::other(format!(
                            "more than {MAX_HOPS} links on the way to {}",
                            path.display()
                        )));
                    }
                    self.hops -= 1;
                    let to = std::fs::read_link(&next)?;
                    let writing = || Some(path.to_path_buf()).filter(|p| *p != next);
                    if let Some(uid) = link_owner(&meta) {
                        self.users_links.push((next.clone(), to.clone(), uid));
                    }
                    match std::fs::canonicalize(&next) {
                        Ok(real) => {
                            if let Some(tree) = work_tree(&self.at)
                                && !real.starts_with(&tree)
                            {
                                let refusal = Refusal::OutOfTree {
                                    tree,
                                    writing: writing(),
                                };
                                return stop(Some((next, to, refusal)));
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !end => {
                            let refusal = Refusal::DanglingOnTheWay(path.to_path_buf());
                            return stop(Some((next, to, refusal)));
                        }
                        Err(_) => {}
                    }
                    let mut ahead: VecDeque<Step> = VecDeque::new();
                    if to.is_absolute() {
                        ahead.push_back(Step::Root(root_of(&to)));
                    }
                    ahead.extend(steps(&to));
                    ahead.extend(left);
                    left = ahead;
                }
                Ok(_) => self.at = next,
                // The file itself is still to be made, in the folder `at`.
                Err(_) if end => break,
                // Nothing further exists: no link there to judge.
                Err(_) => return stop(None),
            }
        }
        Ok(None)
    }

    /// Takes the steps `left`, the last of the path, and judges the links
    /// on the way by the owner of what it reached.
    fn finish(
        mut self,
        path: &Path,
        left: std::collections::VecDeque<Step>,
    ) -> std::io::Result<Walked> {
        if let Some(stopped) = self.take(path, left, false)? {
            return Ok(stopped);
        }
        // Whose the file is (or the folder it is made in).
        let owner = std::fs::metadata(&self.at).ok().and_then(|m| owner_of(&m));
        Ok(match self.judge_owners(owner) {
            Some(refused) => Walked::Stopped(Some(refused)),
            None => Walked::Went { last: None },
        })
    }

    /// Each link on the way must be `owner`'s, or root's: the first that is
    /// not, refused. Nothing to judge when the owner is unknown.
    fn judge_owners(self, owner: Option<u32>) -> Option<(PathBuf, PathBuf, Refusal)> {
        let owner = owner?;
        let writing = self.at;
        self.users_links
            .into_iter()
            .find(|(.., uid)| *uid != owner)
            .map(|(link, to, uid)| {
                let refusal = Refusal::OtherOwner {
                    link: uid,
                    owner,
                    writing: writing.clone(),
                };
                (link, to, refusal)
            })
    }
}

/// A link's owner, unless it is root's (root's links are trusted: a user
/// cannot make one).
fn link_owner(meta: &std::fs::Metadata) -> Option<u32> {
    owner_of(meta).filter(|uid| *uid != 0)
}

/// Whose a file is (no one's where files have no owner).
#[cfg_attr(unix, allow(clippy::unnecessary_wraps))]
fn owner_of(meta: &std::fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some(meta.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// One step of a path, owned, for [`link_out_of_a_tree`]'s walk.
enum Step {
    Root(PathBuf),
    Parent,
    Name(std::ffi::OsString),
}

fn steps(path: &Path) -> impl Iterator<Item = Step> + '_ {
    use std::path::Component;
    path.components().filter_map(|c| match c {
        // The root is where the walk starts; `.` stays where it is.
        Component::Prefix(_) | Component::RootDir | Component::CurDir => None,
        Component::ParentDir => Some(Step::Parent),
        Component::Normal(name) => Some(Step::Name(name.to_owned())),
    })
}

/// The first link on the way to `path` (a folder on the way, or `path`
/// itself) that is inside a repository's work tree and leads out of it,
/// as (the link, what it holds, the work tree): a clone can commit such a
/// link, so no write goes through it. The walk resolves each link where
/// the system does (a relative one from the folder it really is in); a
/// folder link that leads nowhere is refused too (a write would have to
/// create through it); the file's own link that does is left to
/// [`target`]'s other checks. Then each link of a user's on the way must
/// be the owner's of the file (or of the folder it is made in).
fn link_out_of_a_tree(path: &Path) -> std::io::Result<Walked> {
    let path = std::path::absolute(path)?;
    Walk::from_root_of(&path).finish(&path, steps(&path).collect())
}

/// The work tree of the repository `folder` is in (as `folder` names it:
/// give a path without links to know where it really is):
/// the nearest folder holding `.git` (a folder, or a file in a worktree or
/// submodule), `.hg`, `.jj` or `.svn`. A link there may have come with a
/// clone.
fn work_tree(folder: &Path) -> Option<PathBuf> {
    folder
        .ancestors()
        .find(|a| {
            [".git", ".hg", ".jj", ".svn"]
                .iter()
                .any(|m| std::fs::symlink_metadata(a.join(m)).is_ok())
        })
        .map(Path::to_path_buf)
}

/// Whether two file names have the same extension (`.yml` and `.yaml` are
/// one, case aside).
fn same_kind(a: &Path, b: &Path) -> bool {
    let ext = |p: &Path| {
        p.extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .map(|e| if e == "yml" { "yaml".to_owned() } else { e })
    };
    ext(a) == ext(b)
}

/// The `.codexgen` folder `path` is in (the innermost), if any.
fn own_folder(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|a| a.file_name() == Some(OsStr::new(crate::home::STATE_DIR)))
        .map(Path::to_path_buf)
}

/// Refuses a link at `folder` or anywhere below it on the way to `path`.
fn own_path_has_no_link(path: &Path, folder: &Path) -> Result<(), WriteError> {
    let below = path.strip_prefix(folder).unwrap_or(path);
    let mut at = folder.to_path_buf();
    for step in std::iter::once(None).chain(below.components().map(Some)) {
        if let Some(step) = step {
            at.push(step);
        }
        match fs_err::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = fs_err::read_link(&at)?;
                return Err(Refused::at(
                    &at,
                    &to,
                    Refusal::InOwnFolder(folder.to_path_buf()),
                ));
            }
            Ok(_) => {}
            // Not there yet: nothing below it is either.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
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
    let target = target(path)?;
    let old = read_unfollowed(&target)?;
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
            self::target(backup)?,
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
    if read_unfollowed(&target)? != old {
        return Err(WriteError::Changed(target));
    }
    fault::point("rename", &target)?;
    match old {
        None => place_new(temp, &target),
        Some(old) => replace_checked(temp, &target, &old),
    }
}

/// Puts a new file in place where the plan found none, unless one appeared
/// since: the rename refuses to replace (`RENAME_NOREPLACE`, or a hard
/// link where that is missing).
fn place_new(temp: TempPath, target: &Path) -> Result<(), WriteError> {
    match temp.persist_noclobber(target) {
        Ok(()) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(WriteError::Changed(target.to_path_buf()))
        }
        // A filesystem without hard links: the plain rename, as where the
        // file exists and cannot be exchanged.
        Err(e) => persist(e.path, target),
    }
}

/// Replaces `target`, which held `old` at the last check, by `temp`. Where
/// the filesystem can exchange two names atomically, the new text is
/// swapped in and what it swapped out is checked: if that is not `old`,
/// another program wrote in between, and it is swapped back
/// ([`swap_back`]). Elsewhere a plain rename: what another program writes
/// between the last check and the rename is lost (see the module doc).
fn replace_checked(temp: TempPath, target: &Path, old: &[u8]) -> Result<(), WriteError> {
    let ours = identity(&temp);
    if !exchange(&temp, target)? {
        return persist(temp, target);
    }
    // `temp` now names what was at `target` a moment ago.
    let seen = fault::point("verify", target)
        .map_err(WriteError::from)
        .and_then(|()| read_bytes(&temp));
    match seen {
        Ok(Some(seen)) if seen == old => Ok(()),
        Ok(_) => Err(swap_back(
            temp,
            target,
            ours,
            WriteError::Changed(target.to_path_buf()),
        )),
        // Unreadable: it cannot be shown to be `old`, so it goes back too.
        Err(e) => Err(swap_back(temp, target, ours, e)),
    }
}

/// Puts back what a swap took out of `target` (now at `aside`), and returns
/// `why` as the write's error. The window left: another write to `target`
/// between the check and the swap back is what the swap back then takes
/// out; if that is not codexgen's own text, it is kept beside the file
/// ([`keep_beside`]) and the error names it ([`WriteError::Kept`]).
fn swap_back(
    aside: TempPath,
    target: &Path,
    ours: Option<Identity>,
    why: WriteError,
) -> WriteError {
    let swapped = fault::point("swap-back", target)
        .map_err(WriteError::from)
        .and_then(|()| exchange(&aside, target));
    match swapped {
        // codexgen's own text came back out: drop it.
        Ok(true) if ours.is_some() && identity(&aside) == ours => why,
        Ok(true) => WriteError::Kept {
            path: target.to_path_buf(),
            kept: keep_beside(aside, target),
            back: true,
            source: None,
        },
        Ok(false) => WriteError::Kept {
            path: target.to_path_buf(),
            kept: keep_beside(aside, target),
            back: false,
            source: None,
        },
        Err(e) => WriteError::Kept {
            path: target.to_path_buf(),
            kept: keep_beside(aside, target),
            back: false,
            source: Some(Box::new(e)),
        },
    }
}

/// Which file a name holds, and whether it was written to since: a file
/// replaced by a rename has another inode, one written in place another
/// length or modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

fn identity(path: &Path) -> Option<Identity> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    #[cfg(unix)]
    let (dev, ino) = {
        use std::os::unix::fs::MetadataExt as _;
        (meta.dev(), meta.ino())
    };
    #[cfg(not(unix))]
    let (dev, ino) = (0, 0);
    Some(Identity {
        dev,
        ino,
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// Swaps the files `a` and `b` name, both of which must exist, in one
/// step (`renameat2` with `RENAME_EXCHANGE`). `Ok(false)`: this
/// filesystem or system cannot, and nothing happened. `b` gone is
/// [`WriteError::Changed`]: another program removed it.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> Result<bool, WriteError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    if fault::no_exchange() {
        return Ok(false);
    }
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
        Err(Errno::NOENT) if std::fs::symlink_metadata(b).is_err() => {
            Err(WriteError::Changed(b.to_path_buf()))
        }
        Err(e) => Err(std::io::Error::new(
            std::io::Error::from(e).kind(),
            format!("cannot replace {}: {e}", b.display()),
        )
        .into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
#[allow(clippy::unnecessary_wraps)]
fn exchange(_: &Path, _: &Path) -> Result<bool, WriteError> {
    Ok(false)
}

/// Keeps another program's text, which a swap back or a removal took out
/// of `target`'s place and could not put back, as `NAME.kept-XXXXXX` beside
/// `target`: not a temp file, so no run removes it. Returns where it is.
fn keep_beside(aside: TempPath, target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    let kept = tempfile::Builder::new()
        .prefix(&format!("{name}.kept-"))
        .rand_bytes(6)
        .tempfile_in(folder_of(target))
        .and_then(|placeholder| placeholder.into_temp_path().keep().map_err(|e| e.error));
    match kept {
        Ok(kept) => match aside.persist(&kept) {
            Ok(()) => kept,
            Err(e) => {
                let _ = std::fs::remove_file(&kept);
                e.path.keep().unwrap_or_else(|e| e.path.to_path_buf())
            }
        },
        Err(_) => aside.keep().unwrap_or_else(|e| e.path.to_path_buf()),
    }
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
        atomic_replace(&target(backup)?, content, &Kept::default())?;
    }
    fault::point("compare", path)?;
    if read_bytes(path)? != content {
        return Err(WriteError::Changed(path.to_path_buf()));
    }
    fault::point("remove", path)?;
    // Moved aside, then checked: a file another program put there since the
    // check above is what was moved, and it goes back.
    let aside = temp_in(folder_of(path), path)?.into_temp_path();
    match std::fs::rename(path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(std::io::Error::new(
                e.kind(),
                format!("cannot remove {}: {e}", path.display()),
            )
            .into());
        }
    }
    let seen = fault::point("verify", path)
        .map_err(WriteError::from)
        .and_then(|()| read_bytes(&aside));
    match seen {
        Ok(seen) if seen == content => {
            aside.close()?;
            Ok(true)
        }
        Ok(_) => Err(put_back(
            aside,
            path,
            WriteError::Changed(path.to_path_buf()),
        )),
        Err(e) => Err(put_back(aside, path, e)),
    }
}

/// Puts a file [`delete`] moved aside back in its place, and returns `why`
/// as the removal's error, unless another file took the place meanwhile:
/// then both are kept ([`WriteError::Kept`]).
fn put_back(aside: TempPath, path: &Path, why: WriteError) -> WriteError {
    if let Err(e) = fault::point("swap-back", path) {
        return WriteError::Kept {
            path: path.to_path_buf(),
            kept: keep_beside(aside, path),
            back: false,
            source: Some(Box::new(e.into())),
        };
    }
    match aside.persist_noclobber(path) {
        Ok(()) => why,
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => WriteError::Kept {
            path: path.to_path_buf(),
            kept: keep_beside(e.path, path),
            back: true,
            source: None,
        },
        Err(e) => WriteError::Kept {
            path: path.to_path_buf(),
            kept: keep_beside(e.path, path),
            back: false,
            source: Some(Box::new(e.error.into())),
        },
    }
}

/// Replaces `path` by a symbolic link to `to` in one rename (`codexgen
/// link`), if `path` still holds `old` (`None`: nothing is there, and the
/// link goes in only where nothing appeared meanwhile). `path` itself must
/// be no link: a link is never replaced, whatever it holds. The link is
/// made as a temp name beside `path` (`.codexgen-PID-*.tmp`, removed if
/// the run stops) and renamed over it, so a reader sees the old file or
/// the link, never neither; on Linux the old file is swapped out and
/// compared, and put back if another program wrote it in between.
#[cfg(unix)]
pub fn link(path: &Path, to: &Path, old: Option<&[u8]>) -> Result<(), WriteError> {
    if fs_err::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(WriteError::Changed(path.to_path_buf()));
    }
    if read_unfollowed(path)?.as_deref() != old {
        return Err(WriteError::Changed(path.to_path_buf()));
    }
    let dir = folder_of(path);
    if !dir.is_dir() {
        fault::point("mkdir", path)?;
        fs_err::create_dir_all(dir)?;
    }
    fault::point("create", path)?;
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(TEMP_SUFFIX)
        .make_in(dir, |temp| std::os::unix::fs::symlink(to, temp))
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot make a link in {}: {e}", dir.display()),
            )
        })?
        .into_temp_path();
    fault::point("compare", path)?;
    if read_unfollowed(path)?.as_deref() != old {
        return Err(WriteError::Changed(path.to_path_buf()));
    }
    fault::point("rename", path)?;
    match old {
        None => place_new(temp, path)?,
        Some(old) => replace_checked(temp, path, old)?,
    }
    sync_dirs(&[dir.to_path_buf()]);
    Ok(())
}

/// [`link`] where there are no symbolic links codexgen makes.
#[cfg(not(unix))]
pub fn link(path: &Path, _to: &Path, _old: Option<&[u8]>) -> Result<(), WriteError> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        format!("cannot make {} a link on this system", path.display()),
    )
    .into())
}

/// Removes a file of codexgen's own (its journal, an old state file);
/// nothing there is fine.
pub fn remove(path: &Path) -> Result<(), WriteError> {
    target(path)?;
    fault::point("remove", path)?;
    remove_file(path)
}

/// Removes a folder of codexgen's own that holds only files (a backup
/// generation), with its files; nothing there is fine. No link is followed:
/// the folder is opened as every step in a `.codexgen` folder is, and a
/// link inside it is removed, not what it names.
pub fn remove_folder(dir: &Path) -> Result<(), WriteError> {
    target(dir)?;
    fault::point("remove", dir)?;
    #[cfg(unix)]
    if own_folder(dir).is_some() {
        let inside = match own::parent(&dir.join("-"), false) {
            Ok(Some(folder)) => folder,
            Ok(None) => return Ok(()),
            Err(WriteError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for entry in fs_err::read_dir(dir)? {
            own::remove(&inside, &dir.join(entry?.file_name()))?;
        }
        drop(inside);
        return match own::parent(dir, false)? {
            Some(parent) => own::remove_folder(&parent, dir),
            None => Ok(()),
        };
    }
    match fs_err::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Temp files of codexgen's in `dirs` whose writer is gone: regular files
/// (and the temp links [`link`] makes, never followed: removing one
/// removes the link) named `.codexgen-PID-XXXXXX.tmp` whose process PID
/// no longer exists
/// (a live run's, of this home or of another that writes the same folder
/// through a link, are never among them), and, from codexgen releases
/// that did not name the process, `.codexgen-XXXXXX.tmp` files untouched
/// for an hour (no run keeps a temp file that long). Reads only; a folder
/// that cannot be read has none.
pub fn leftover_temps(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Some(owner) = temp_owner(&entry.file_name()) else {
                continue;
            };
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            // A link is `link`'s temp (it always names its process).
            let named = matches!(owner, Owner::Process(_));
            let abandoned = match owner {
                Owner::Process(pid) => !process_exists(pid),
                Owner::Unnamed => meta
                    .modified()
                    .ok()
                    .and_then(|m| m.elapsed().ok())
                    .is_some_and(|age| age >= UNNAMED_TEMP_AGE),
            };
            if abandoned && (meta.is_file() || (named && meta.file_type().is_symlink())) {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Removes temp files [`leftover_temps`] found, in a writing run (under its
/// lock). What proves a file abandoned is its name, not the lock: the lock
/// is this home's, and another home may write the same folder.
pub fn remove_temps(_held: &Lock, temps: &[PathBuf]) -> Result<(), WriteError> {
    for temp in temps {
        fault::point("clean", temp)?;
        remove_file(temp)?;
    }
    Ok(())
}

/// How long a temp file of an older codexgen (no process in its name)
/// must be left alone before it counts as abandoned.
const UNNAMED_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Who wrote a temp file, as its name says.
#[derive(Debug, PartialEq, Eq)]
enum Owner {
    Process(i32),
    /// An older codexgen's name, without its process.
    Unnamed,
}

/// The owner a name of codexgen's temp files names; `None`: not such a name.
fn temp_owner(name: &OsStr) -> Option<Owner> {
    let middle = name
        .to_str()?
        .strip_prefix(TEMP_PREFIX)?
        .strip_suffix(TEMP_SUFFIX)?;
    let random = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    match middle.split_once('-') {
        None if random(middle) => Some(Owner::Unnamed),
        Some((pid, rest))
            if random(rest) && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) =>
        {
            pid.parse().ok().map(Owner::Process)
        }
        _ => None,
    }
}

/// Whether a process with this id exists (of any user). Only "no such
/// process" says no: a pid that cannot be asked about is taken as alive.
#[cfg(unix)]
fn process_exists(pid: i32) -> bool {
    let Some(pid) = rustix::process::Pid::from_raw(pid) else {
        return true;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

/// Elsewhere no process can be shown to be gone: its temp files stay.
#[cfg(not(unix))]
fn process_exists(_: i32) -> bool {
    true
}

/// Removes a file (nothing there is fine); in codexgen's own folders,
/// through folders opened without following a link.
fn remove_file(path: &Path) -> Result<(), WriteError> {
    #[cfg(unix)]
    match own::parent(path, false) {
        Ok(Some(folder)) => return own::remove(&folder, path),
        Ok(None) => {}
        Err(WriteError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    match fs_err::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// A file's bytes, or `None` when it does not exist.
fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    match fs_err::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// [`read_bytes`] of a path [`target`] checked, not following a link at
/// its end: one that appears there after the check (another program, a
/// race) is [`WriteError::Changed`], never read or written through.
fn read_unfollowed(path: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    use std::io::Read as _;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits().cast_signed());
    }
    #[cfg(unix)]
    let opened = match own::parent(path, false) {
        Ok(Some(folder)) => own::open(&folder, path),
        Ok(None) => options.open(path),
        // Not there: nothing in it either.
        Err(WriteError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    #[cfg(not(unix))]
    let opened = options.open(path);
    let mut file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(WriteError::Changed(path.to_path_buf()));
        }
        Err(e) => {
            let named = format!("cannot open {}: {e}", path.display());
            return Err(std::io::Error::new(e.kind(), named).into());
        }
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| {
        std::io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display()))
    })?;
    Ok(Some(bytes))
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
        // codexgen's own folders are made by `own::parent`, link by link.
        if !cfg!(unix) || own_folder(path).is_none() {
            fs_err::create_dir_all(dir)?;
        }
    }
    fault::point("create", path)?;
    let mut temp = temp_in(dir, path)?;
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

/// A new, empty temp file of this run's in `dir`:
/// `.codexgen-PID-XXXXXX.tmp`, named after this process, so that another
/// run tells it from a killed run's (see [`leftover_temps`]).
fn temp_in(dir: &Path, path: &Path) -> Result<tempfile::NamedTempFile, WriteError> {
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    // In codexgen's own folders, made through the folder opened without
    // following a link (see `own`).
    #[cfg(unix)]
    let made = match own::parent(path, true)? {
        Some(folder) => builder.make_in(dir, |temp| own::create(&folder, temp)),
        None => builder.tempfile_in(dir),
    };
    #[cfg(not(unix))]
    let made = builder.tempfile_in(dir);
    made.map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot create a temporary file in {}: {e}", dir.display()),
        )
        .into()
    })
}

fn persist(temp: TempPath, path: &Path) -> Result<(), WriteError> {
    #[cfg(unix)]
    if let Some(folder) = own::parent(path, false)? {
        return own::rename(&folder, temp, path);
    }
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

/// Files at or below a `.codexgen` folder, reached without following a
/// link even one put in place after [`target`] checked: every folder from
/// that `.codexgen` down is opened `O_NOFOLLOW` relative to the one above
/// it (`openat`), and the file is created, read, renamed and removed
/// relative to its folder's descriptor. What is above the `.codexgen`
/// folder is the user's, opened as it is.
#[cfg(unix)]
mod own {
    use std::ffi::OsStr;
    use std::fs::File;
    use std::os::fd::OwnedFd;
    use std::path::Path;

    use rustix::fs::{AtFlags, Mode, OFlags};
    use rustix::io::Errno;
    use tempfile::TempPath;

    use super::{Refusal, Refused, WriteError, folder_of, own_folder};

    const FOLDER: OFlags = OFlags::DIRECTORY
        .union(OFlags::NOFOLLOW)
        .union(OFlags::CLOEXEC)
        .union(OFlags::RDONLY);

    /// The folder `path` is in, opened so, when it is at or below a
    /// `.codexgen` folder (`None` when it is not); with `create`, missing
    /// folders are made on the way.
    pub fn parent(path: &Path, create: bool) -> Result<Option<OwnedFd>, WriteError> {
        let Some(own) = own_folder(path) else {
            return Ok(None);
        };
        let root = folder_of(&own);
        if create {
            // The user's folder (the Codex home, or the one a linked
            // config.toml is in), made as it is.
            fs_err::create_dir_all(root)?;
        }
        let mut folder = rustix::fs::open(
            root,
            OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::RDONLY,
            Mode::empty(),
        )
        .map_err(|e| failed(e, "open", root))?;
        let dir = folder_of(path);
        let below = dir.strip_prefix(root).unwrap_or(dir);
        let mut at = root.to_path_buf();
        for step in below.components() {
            at.push(step);
            let name = step.as_os_str();
            folder = match rustix::fs::openat(&folder, name, FOLDER, Mode::empty()) {
                Ok(next) => next,
                Err(Errno::NOENT) if create => {
                    match rustix::fs::mkdirat(&folder, name, Mode::from_raw_mode(0o777)) {
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(failed(e, "create the folder", &at)),
                    }
                    rustix::fs::openat(&folder, name, FOLDER, Mode::empty())
                        .map_err(|e| refused_or(e, &at, &own))?
                }
                Err(e) => return Err(refused_or(e, &at, &own)),
            };
        }
        Ok(Some(folder))
    }

    /// A new temp file named as `temp`'s name, in `folder`: never an
    /// existing file, never through a link.
    pub fn create(folder: &OwnedFd, temp: &Path) -> std::io::Result<File> {
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        rustix::fs::openat(folder, name(temp), flags, Mode::from_raw_mode(0o600))
            .map(File::from)
            .map_err(std::io::Error::from)
    }

    /// `path` in `folder` for reading, not through a link.
    pub fn open(folder: &OwnedFd, path: &Path) -> std::io::Result<File> {
        rustix::fs::openat(
            folder,
            name(path),
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map(File::from)
        .map_err(std::io::Error::from)
    }

    /// The lock file in `folder`, created if needed, not through a link.
    pub fn open_lock(folder: &OwnedFd, path: &Path) -> Result<File, WriteError> {
        rustix::fs::openat(
            folder,
            name(path),
            OFlags::WRONLY | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        )
        .map(File::from)
        .map_err(|e| refused_or(e, path, folder_of(path)))
    }

    /// Renames the temp file over `path`, both in `folder`.
    pub fn rename(folder: &OwnedFd, temp: TempPath, path: &Path) -> Result<(), WriteError> {
        rustix::fs::renameat(folder, name(&temp), folder, name(path))
            .map_err(|e| failed(e, "replace", path))?;
        // It is the file's name now: nothing to remove on drop.
        temp.keep().map_err(|e| e.error)?;
        Ok(())
    }

    /// Removes `path` from `folder`; nothing there is fine.
    pub fn remove(folder: &OwnedFd, path: &Path) -> Result<(), WriteError> {
        match rustix::fs::unlinkat(folder, name(path), AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(failed(e, "remove", path)),
        }
    }

    /// Removes the empty folder `path` from `folder`; nothing there is fine.
    pub fn remove_folder(folder: &OwnedFd, path: &Path) -> Result<(), WriteError> {
        match rustix::fs::unlinkat(folder, name(path), AtFlags::REMOVEDIR) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(failed(e, "remove", path)),
        }
    }

    fn name(path: &Path) -> &OsStr {
        path.file_name().unwrap_or(path.as_os_str())
    }

    /// A link where a folder (or the lock) was expected is refused and
    /// named; anything else is the error it is.
    fn refused_or(e: Errno, at: &Path, own: &Path) -> WriteError {
        if matches!(e, Errno::LOOP | Errno::NOTDIR)
            && let Ok(to) = std::fs::read_link(at)
        {
            return Refused::at(at, &to, Refusal::InOwnFolder(own.to_path_buf()));
        }
        failed(e, "open", at)
    }

    fn failed(e: Errno, what: &str, path: &Path) -> WriteError {
        let e = std::io::Error::from(e);
        std::io::Error::new(e.kind(), format!("cannot {what} {}: {e}", path.display())).into()
    }
}

/// Test-only fail points, one before each filesystem step of a write
/// (`mkdir`, `create`, `write`, `chown`, `chmod`, `fsync`, `compare`,
/// `rename`, `verify` (reading what a swap or a removal took out),
/// `swap-back`, `fsync-dir`, `remove`, `clean`), so the integration tests
/// can stop a run at every step and check that the next run recovers, or
/// put another program's write into each window.
///
/// `CODEXGEN_FAIL_AT` picks the points, separated by commas: `N` (the Nth
/// step of the run, from 1) or `STEP:FILE[:K]` (the Kth `STEP` on a file
/// named `FILE`, K from 1).
/// `CODEXGEN_FAIL_MODE` says what happens there: `exit` (the default: exit
/// at once with status 137, running no cleanup, as a `kill -9` would),
/// `enospc` (that step fails with "No space left on device"), `append`
/// (a line is appended to the file, as another program might, and the run
/// goes on), `replace` (the same line is added by writing the whole text
/// to another file and renaming it over the file, as Codex writes), or
/// `pause` (the run waits 5 ms there, so that a test's own concurrent
/// writer meets that window every time instead of by luck).
/// `CODEXGEN_NO_EXCHANGE` set makes every filesystem one that cannot
/// exchange two names (as `EINVAL` from `renameat2` says), so the tests
/// reach the plain-rename fallback too. A reached fail point says so on stderr (`codexgen: fail point
/// N: STEP PATH (MODE)`). Only in debug builds; in release builds [`fault::point`]
/// is `Ok(())`.
mod fault {
    use std::path::Path;

    /// The exit status of a run stopped at a fail point in `exit` mode.
    #[cfg(debug_assertions)]
    const KILLED: i32 = 137;

    /// What `append` and `replace` add to the file.
    #[cfg(debug_assertions)]
    const ANOTHER_PROGRAMS_LINE: &[u8] = b"# added by another program while codexgen was writing\n";

    /// How long `pause` waits.
    #[cfg(debug_assertions)]
    const PAUSE_MS: u64 = 5;

    /// Whether a test asked for the fallback of a filesystem that cannot
    /// exchange two names.
    #[cfg(all(debug_assertions, any(target_os = "linux", target_os = "android")))]
    pub fn no_exchange() -> bool {
        std::env::var_os("CODEXGEN_NO_EXCHANGE").is_some()
    }

    #[cfg(all(not(debug_assertions), any(target_os = "linux", target_os = "android")))]
    #[inline]
    pub fn no_exchange() -> bool {
        false
    }

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
                file.write_all(ANOTHER_PROGRAMS_LINE)?;
                Ok(())
            }
            "replace" => {
                // As Codex writes: the whole text in a temp file, renamed
                // over the file.
                let mut text = match std::fs::read(path) {
                    Ok(text) => text,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                    Err(e) => return Err(e),
                };
                text.extend_from_slice(ANOTHER_PROGRAMS_LINE);
                let mut other = path.as_os_str().to_owned();
                other.push(".another-program");
                std::fs::write(&other, text)?;
                std::fs::rename(&other, path)
            }
            "pause" => {
                std::thread::sleep(std::time::Duration::from_millis(PAUSE_MS));
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
    fn a_link_is_written_through_only_to_an_existing_file_like_it() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("linked.toml");
        symlink("real/linked.toml", &link).unwrap();
        let refusal = |path: &Path| match target(path) {
            Err(WriteError::Link(refused)) => refused.refusal,
            other => panic!("{other:?}"),
        };
        assert_eq!(refusal(&link), Refusal::Dangling);
        assert!(write(&link, "x = 1\n", None, Expect::AsRead).is_err());
        assert!(!dir.path().join("real").exists());

        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(dir.path().join("real/linked.toml"), "").unwrap();
        write(&link, "x = 1\n", None, Expect::AsRead).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("real/linked.toml")).unwrap(),
            "x = 1\n"
        );

        let other = dir.path().join("other.toml");
        symlink(&link, &other).unwrap();
        assert!(matches!(refusal(&other), Refusal::Chain { .. }));
        let shell = dir.path().join("shell.toml");
        std::fs::write(dir.path().join(".bashrc"), "").unwrap();
        symlink(".bashrc", &shell).unwrap();
        assert_eq!(refusal(&shell), Refusal::OtherKind);
        let folder = dir.path().join("folder.toml");
        symlink("real", &folder).unwrap();
        assert_eq!(refusal(&folder), Refusal::NotAFile("a folder"));
        assert!(same_kind(Path::new("a.yml"), Path::new("b.YAML")));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_a_work_tree_leads_only_inside_it() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let clone = dir.path().join("clone");
        std::fs::create_dir_all(clone.join("sub")).unwrap();
        std::fs::write(clone.join(".git"), "gitdir: elsewhere\n").unwrap();
        std::fs::write(clone.join("mine.toml"), "").unwrap();
        std::fs::write(dir.path().join("cargo.toml"), "").unwrap();
        let inside = clone.join("sub/in.toml");
        symlink("../mine.toml", &inside).unwrap();
        assert_eq!(
            target(&inside).unwrap(),
            clone.join("mine.toml").canonicalize().unwrap()
        );
        let outside = clone.join("sub/out.toml");
        symlink("../../cargo.toml", &outside).unwrap();
        match target(&outside) {
            Err(WriteError::Link(r)) => {
                assert_eq!(
                    r.refusal,
                    Refusal::OutOfTree {
                        tree: clone.canonicalize().unwrap(),
                        writing: None
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(work_tree(dir.path()), None);
        // A folder link of the clone out of it, on the way to a file that
        // is no link, and a link outside the clone that goes through it.
        std::fs::create_dir(dir.path().join("cargo")).unwrap();
        std::fs::write(dir.path().join("cargo/config.toml"), "").unwrap();
        symlink("../cargo", clone.join("codex")).unwrap();
        let mine = dir.path().join("mine.toml");
        symlink(clone.join("codex/config.toml"), &mine).unwrap();
        for path in [clone.join("codex/config.toml"), mine] {
            match target(&path) {
                Err(WriteError::Link(r)) => {
                    assert_eq!(r.link, clone.canonicalize().unwrap().join("codex"));
                    assert_eq!(r.to, Path::new("../cargo"));
                }
                other => panic!("{other:?}"),
            }
        }
        let inside = dir.path().join("inside.toml");
        symlink(clone.join("sub/in.toml"), &inside).unwrap();
        assert!(target(&inside).is_err(), "a link to a link is refused");
        symlink(clone.join("mine.toml"), dir.path().join("ok.toml")).unwrap();
        assert!(target(&dir.path().join("ok.toml")).is_ok());
    }

    /// [`Targets`] walks each folder once and must answer as [`target`]
    /// does for every path, in whatever order the paths come: a tree of
    /// every kind of link the rule knows, files there and not there, and
    /// (as root) links of another user's.
    #[cfg(unix)]
    #[test]
    #[allow(clippy::too_many_lines)] // one tree, and every path through it
    fn targets_answer_as_target_does_for_every_kind_of_path() {
        use std::os::unix::fs::{MetadataExt as _, lchown, symlink};
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let clone = d.join("clone");
        for folder in ["clone/sub", "real", "out", "own/.codexgen/backups"] {
            std::fs::create_dir_all(d.join(folder)).unwrap();
        }
        std::fs::write(clone.join(".git"), "gitdir: elsewhere\n").unwrap();
        for file in [
            "clone/mine.toml",
            "real/a.toml",
            "out/c.toml",
            "out/.bashrc",
        ] {
            std::fs::write(d.join(file), "").unwrap();
        }
        let links = [
            ("clone/sub/in.toml", "../mine.toml"),
            ("clone/sub/out.toml", "../../out/c.toml"),
            ("real/into.toml", "../clone/away/c.toml"),
            ("clone/away", "../out"),
            ("clone/inward", "sub"),
            ("clone/nowhere", "../missing"),
            ("home", "real"),
            ("real/linked.toml", "a.toml"),
            ("real/dangling.toml", "none.toml"),
            ("real/chain.toml", "linked.toml"),
            ("real/shell.toml", "../out/.bashrc"),
            ("real/folder.toml", "../out"),
            ("loop", "loop"),
            ("own/.codexgen/state.json", "../../real/a.toml"),
            ("own/.codexgen/link", "../../real"),
        ];
        for (at, to) in links {
            symlink(to, d.join(at)).unwrap();
        }
        if std::fs::metadata(d).unwrap().uid() == 0 {
            lchown(d.join("home"), Some(65534), None).unwrap();
        }
        let folders = [
            "",
            "clone",
            "clone/sub",
            "clone/away",
            "clone/inward",
            "clone/nowhere",
            "home",
            "real",
            "real/../clone",
            "loop",
            "own/.codexgen",
            "own/.codexgen/link",
            "missing",
        ];
        let names = [
            "in.toml",
            "out.toml",
            "mine.toml",
            "c.toml",
            "a.toml",
            "new.toml",
            "linked.toml",
            "dangling.toml",
            "chain.toml",
            "shell.toml",
            "folder.toml",
            "state.json",
            "..",
        ];
        let mut paths: Vec<PathBuf> = folders
            .iter()
            .flat_map(|f| names.iter().map(move |n| d.join(f).join(n)))
            .collect();
        // Relative paths too, as a home given relative to the current folder.
        let here = std::env::current_dir().unwrap();
        let relative = pathdiff(d, &here);
        paths.extend(
            ["real/a.toml", "home/new.toml", "clone/away/c.toml"].map(|p| relative.join(p)),
        );
        // Spellings `Path` reads alike and the system does not: a file
        // taken for a folder, and `//` for `/`.
        let spelled = |p: &str| PathBuf::from(format!("{}/{p}", d.display()));
        paths.extend(
            [
                "real/a.toml/",
                "real/a.toml/.",
                "real/a.toml/../a.toml",
                "clone/mine.toml/",
            ]
            .map(spelled),
        );
        for name in ["clone/sub/out.toml", "real/into.toml"] {
            paths.push(PathBuf::from(format!("/{}", d.join(name).display())));
            paths.push(d.join(name));
        }
        let answer = |r: Result<PathBuf, WriteError>| format!("{r:?}");
        let expected: Vec<String> = paths.iter().map(|p| answer(target(p))).collect();
        assert!(expected.iter().any(|a| a.starts_with("Ok")));
        assert!(expected.iter().filter(|a| a.starts_with("Err")).count() > 20);
        for order in [false, true] {
            let mut targets = Targets::default();
            let mut got: Vec<(usize, String)> = Vec::new();
            let mut each: Vec<usize> = (0..paths.len()).collect();
            if order {
                each.reverse();
            }
            for i in each {
                got.push((i, answer(targets.target(&paths[i]))));
            }
            for (i, got) in got {
                assert_eq!(got, expected[i], "{}", paths[i].display());
            }
        }
    }

    /// The walk judges every link the system follows (40 in one path, the
    /// 40th included), and refuses a path with more.
    #[cfg(unix)]
    #[test]
    fn the_fortieth_link_on_the_way_is_judged_and_a_forty_first_refused() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dotfiles = d.join("dotfiles");
        std::fs::create_dir_all(dotfiles.join("real")).unwrap();
        std::fs::create_dir(d.join("elsewhere")).unwrap();
        std::fs::write(d.join("elsewhere/config.toml"), "").unwrap();
        std::fs::write(dotfiles.join(".git"), "gitdir: x\n").unwrap();
        symlink(
            "../../elsewhere/config.toml",
            dotfiles.join("real/config.toml"),
        )
        .unwrap();
        symlink("real", dotfiles.join("c0")).unwrap();
        for i in 1..=39 {
            symlink(format!("c{}", i - 1), dotfiles.join(format!("c{i}"))).unwrap();
        }
        // c38: 39 folder links, the file's own the 40th.
        let fortieth = dotfiles.join("c38/config.toml");
        assert!(
            std::fs::read_to_string(&fortieth).is_ok(),
            "the system follows 40"
        );
        let out_of_tree = |r: Result<PathBuf, WriteError>| matches!(r, Err(WriteError::Link(ref l)) if matches!(l.refusal, Refusal::OutOfTree { .. }));
        assert!(out_of_tree(target(&fortieth)));
        assert!(out_of_tree(Targets::default().target(&fortieth)));
        // c39: 41 links.
        let more = dotfiles.join("c39/config.toml");
        assert!(
            std::fs::read_to_string(&more).is_err(),
            "the system stops at 41"
        );
        for answer in [target(&more), Targets::default().target(&more)] {
            match answer {
                Err(WriteError::Io(e)) => {
                    assert!(e.to_string().contains("more than 40 links"), "{e}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    /// `to` as seen from `from`, with `..` steps.
    fn pathdiff(to: &Path, from: &Path) -> PathBuf {
        let (to, from) = (to.canonicalize().unwrap(), from.canonicalize().unwrap());
        let common = to
            .components()
            .zip(from.components())
            .take_while(|(a, b)| a == b)
            .count();
        let mut out = PathBuf::new();
        for _ in from.components().skip(common) {
            out.push("..");
        }
        for c in to.components().skip(common) {
            out.push(c);
        }
        out
    }

    /// Needs root to give a link to another user; passes otherwise.
    #[cfg(unix)]
    #[test]
    fn a_link_on_the_way_is_the_files_owners_or_roots() {
        use std::os::unix::fs::{MetadataExt as _, lchown, symlink};
        let dir = tempfile::tempdir().unwrap();
        if std::fs::metadata(dir.path()).unwrap().uid() != 0 {
            return;
        }
        let nobody = 65534;
        std::fs::create_dir(dir.path().join("etc")).unwrap();
        std::fs::write(dir.path().join("etc/x.toml"), "").unwrap();
        let link = dir.path().join("home");
        symlink("etc", &link).unwrap();
        // Root's link: followed.
        assert!(target(&link.join("x.toml")).is_ok());
        lchown(&link, Some(nobody), None).unwrap();
        for path in [link.join("x.toml"), link.join("new.toml")] {
            match target(&path) {
                Err(WriteError::Link(r)) => assert_eq!(r.link, link),
                other => panic!("{other:?}"),
            }
        }
        std::fs::remove_file(dir.path().join("etc/x.toml")).unwrap();
        std::os::unix::fs::chown(dir.path().join("etc"), Some(nobody), None).unwrap();
        assert!(target(&link.join("new.toml")).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn no_link_is_followed_at_or_below_a_codexgen_folder() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join(".codexgen");
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        symlink(&outside, &own).unwrap();
        let in_own = |path: &Path| matches!(target(path), Err(WriteError::Link(r)) if matches!(r.refusal, Refusal::InOwnFolder(_)));
        assert!(in_own(&own.join("state.json")));
        assert!(in_own(&own.join("backup/config.toml")));
        assert!(lock(&own).is_err());
        std::fs::remove_file(&own).unwrap();
        std::fs::create_dir(&own).unwrap();
        symlink(outside.join("x.toml"), own.join("state.json")).unwrap();
        symlink(&outside, own.join("backup")).unwrap();
        symlink(outside.join("lock"), own.join("lock")).unwrap();
        assert!(in_own(&own.join("state.json")));
        assert!(in_own(&own.join("backup/config.toml")));
        assert!(write(&own.join("state.json"), "{}", None, Expect::AsRead).is_err());
        let profile = dir.path().join("p.config.toml");
        std::fs::write(&profile, "x = 1\n").unwrap();
        let backup = own.join("backup/p.config.toml");
        assert!(delete(&profile, Some(&backup), Expect::AsRead).is_err());
        assert!(profile.exists());
        assert!(lock(&own).is_err());
        assert!(remove(&own.join("state.json")).is_err());
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
        assert_eq!(target(&own.join("new.json")).unwrap(), own.join("new.json"));
    }

    /// Defence in depth: a link put in place of a checked file after it was
    /// staged is neither read nor written through.
    #[cfg(unix)]
    #[test]
    fn a_link_that_appears_after_the_check_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        std::fs::write(&f, "x = 1\n").unwrap();
        let elsewhere = dir.path().join("elsewhere.toml");
        std::fs::write(&elsewhere, "x = 1\n").unwrap();
        let staged = stage(&f, "x = 2\n", None, Expect::AsRead).unwrap().unwrap();
        std::fs::remove_file(&f).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &f).unwrap();
        assert!(matches!(commit(staged), Err(WriteError::Changed(_))));
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "x = 1\n");
        assert!(std::fs::symlink_metadata(&f).unwrap().is_symlink());
    }

    /// The same for a folder: `.codexgen` swapped for a link between the
    /// staging of a file in it and its rename.
    #[cfg(unix)]
    #[test]
    fn an_own_folder_that_becomes_a_link_after_the_check_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join(".codexgen");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(own.join("backup")).unwrap();
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(own.join("state.json"), "{}").unwrap();
        let staged = stage(&own.join("state.json"), "{\"x\": 1}", None, Expect::AsRead)
            .unwrap()
            .unwrap();
        std::fs::rename(&own, dir.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(&outside, &own).unwrap();
        assert!(matches!(commit(staged), Err(WriteError::Link(_))));
        // Nor is a new file made, a folder created, or a file removed there.
        assert!(write(&own.join("backup/x.toml"), "x", None, Expect::AsRead).is_err());
        std::fs::write(outside.join("pending.json"), "theirs").unwrap();
        let bypassed = own.join("pending.json");
        assert!(remove_file(&bypassed).is_err());
        assert_eq!(
            std::fs::read_dir(&outside).unwrap().count(),
            1,
            "{:?}",
            std::fs::read_dir(&outside).unwrap().collect::<Vec<_>>()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("moved/state.json")).unwrap(),
            "{}"
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

    /// A process id that was in use a moment ago and is free now.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn only_abandoned_temp_files_of_codexgens_are_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dead_pid();
        let alive = std::process::id();
        let hour_ago = std::time::SystemTime::now() - UNNAMED_TEMP_AGE;
        for (name, old) in [
            (format!(".codexgen-{dead}-a1B2c3.tmp"), false),
            (".codexgen-a1B2c3.tmp".to_owned(), true),
            (format!(".codexgen-{alive}-a1B2c3.tmp"), true),
            (".codexgen-d4E5f6.tmp".to_owned(), false),
            (".codexgen-.tmp".to_owned(), true),
            (format!(".codexgen-{dead}-.tmp"), true),
            (format!(".codexgen-{dead}-a/b.tmp"), true),
            ("codexgen-a1B2c3.tmp".to_owned(), true),
            (".codexgen-a1B2c3.tmp.bak".to_owned(), true),
            ("config.toml".to_owned(), true),
        ] {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(&path, "").unwrap();
            if old {
                let file = File::options().write(true).open(&path).unwrap();
                file.set_modified(hour_ago).unwrap();
            }
        }
        std::fs::create_dir(dir.path().join(format!(".codexgen-{dead}-dir123.tmp"))).unwrap();
        std::os::unix::fs::symlink(
            "config.toml",
            dir.path().join(format!(".codexgen-{dead}-link12.tmp")),
        )
        .unwrap();
        // An old unnamed link is no codexgen temp: only `link`'s, named.
        std::os::unix::fs::symlink("config.toml", dir.path().join(".codexgen-lnk123.tmp")).unwrap();
        let found = leftover_temps(&[dir.path().to_path_buf()]);
        assert_eq!(
            found,
            [
                dir.path().join(format!(".codexgen-{dead}-a1B2c3.tmp")),
                dir.path().join(format!(".codexgen-{dead}-link12.tmp")),
                dir.path().join(".codexgen-a1B2c3.tmp"),
            ]
        );
        let held = lock(&dir.path().join("state")).unwrap();
        remove_temps(&held, &found).unwrap();
        assert!(leftover_temps(&[dir.path().to_path_buf()]).is_empty());
        assert!(dir.path().join("config.toml").exists());
        assert!(
            dir.path()
                .join(format!(".codexgen-{alive}-a1B2c3.tmp"))
                .exists()
        );
        assert!(std::fs::symlink_metadata(dir.path().join(".codexgen-lnk123.tmp")).is_ok());
    }

    #[test]
    fn a_temp_name_says_its_process() {
        let owner = |n: &str| temp_owner(OsStr::new(n));
        assert_eq!(owner(".codexgen-42-aB3.tmp"), Some(Owner::Process(42)));
        assert_eq!(owner(".codexgen-aB3.tmp"), Some(Owner::Unnamed));
        assert_eq!(owner(".codexgen-4x-aB3.tmp"), None);
        assert_eq!(owner(".codexgen-99999999999-aB3.tmp"), None);
        assert_eq!(owner(".codexgen--aB3.tmp"), None);
        assert_eq!(owner(".codexgen-42-a-B.tmp"), None);
        let dir = tempfile::tempdir().unwrap();
        let temp = temp_in(dir.path(), &dir.path().join("x")).unwrap();
        let name = temp.path().file_name().unwrap();
        assert_eq!(
            temp_owner(name),
            Some(Owner::Process(i32::try_from(std::process::id()).unwrap()))
        );
    }

    #[test]
    fn a_process_that_ended_does_not_exist() {
        assert!(process_exists(i32::try_from(std::process::id()).unwrap()));
        assert!(!process_exists(i32::try_from(dead_pid()).unwrap()));
    }

    #[test]
    fn a_replacement_checks_what_it_swapped_out() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        std::fs::write(&f, "x = 1\n").unwrap();
        let staged = stage(&f, "x = 2\n", None, Expect::AsRead).unwrap().unwrap();
        // Another program's edit, after the check and before the swap.
        std::fs::write(dir.path().join("other"), "x = 1\ny = 9\n").unwrap();
        std::fs::rename(dir.path().join("other"), &f).unwrap();
        let Staged {
            target, temp, old, ..
        } = staged;
        let err = replace_checked(temp, &target, old.as_deref().unwrap()).unwrap_err();
        assert!(matches!(err, WriteError::Changed(_)), "{err}");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "x = 1\ny = 9\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Unchanged: the new text goes in, and nothing is left beside it.
        assert!(write(&f, "x = 3\n", None, Expect::AsRead).unwrap());
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "x = 3\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_new_file_never_replaces_one_that_appeared() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        let staged = stage(&f, "x = 2\n", None, Expect::Exactly(None))
            .unwrap()
            .unwrap();
        std::fs::write(&f, "mine = 1\n").unwrap();
        let Staged { target, temp, .. } = staged;
        assert!(matches!(
            place_new(temp, &target),
            Err(WriteError::Changed(_))
        ));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "mine = 1\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
