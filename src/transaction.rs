//! The write transaction every command that writes the Codex home goes
//! through (`gen`, `use`, `restore`): owns the lock, the checks that the
//! home is still as planned, staging, the journal, the record that travels
//! with a linked config.toml, the commit, the backup generation each write
//! makes and the pruning after it. Does not plan, print a diff or ask
//! (the commands do); the single writes are `write`'s, the records
//! `state`'s and `backups`'.
//!
//! The sequence, so that a kill or a full disk at any step leaves a
//! home the next run puts right: take the lock; check that the state and
//! every planned file are as planned; remove temp files a killed run left;
//! stage each new text, and each previous one in a new backup generation
//! (`backups`), whose record (the state before, the command, which files
//! existed) is written next; save the run's writes as pending in its
//! journal (`state`'s write-ahead record), and, when config.toml is a link,
//! its pending entry in the record that travels with it; write each file,
//! each checked once more against the text it was planned from right
//! before its rename; save the final state and the final travelling record,
//! remove the journal. A run that stops part way (a file changed under it,
//! a failed write) settles the pending record from what is on disk and
//! saves it, or, when even that fails, says so and leaves the pending
//! record for the next run. After a whole write, generations beyond the
//! number kept are pruned. A run that records tables or comments added to
//! config.toml since codexgen last saw it, without replacing the file,
//! keeps config.toml as read in its generation too ([`newly_kept`]): what
//! `doctor` can name as gone after another program rewrites the file, a
//! generation holds.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::backups;
use crate::codex::Target;
use crate::error::Error;
use crate::home::{self, CodexFile};
use crate::kept;
use crate::output;
use crate::plan::{self, Plan, Planned};
use crate::settings::Settings;
use crate::state::{self, FileState, Pending, Record, Shared, State, fingerprint};
use crate::verbosity;
use crate::whose::CatalogId;
use crate::write::{self, Expect, WriteError};

/// A write run whose files all match the catalog: saves the state when it
/// changed (keeping config.toml as read when the state records new names
/// in it, see [`newly_kept`]), finishes an interrupted run's record,
/// removes a killed run's temp files and calls `before_write`, under the
/// lock; takes no lock when there is nothing of that to do.
pub fn save_unchanged(
    settings: &Settings,
    plan: &Plan,
    state: &State,
    seen: &str,
    new_state: &State,
    before_write: Option<&mut dyn FnMut() -> Result<(), Error>>,
) -> Result<(), Error> {
    let leftovers = !write::leftover_temps(&temp_dirs(settings, plan, state)).is_empty();
    let unsaved = *new_state != *state.as_saved() || record_stale(state, new_state);
    if !(unsaved || leftovers || before_write.is_some()) {
        return Ok(());
    }
    let keep = backups::keep()?;
    let _lock = lock_unchanged(settings, state, seen, plan)?;
    if let Some(before_write) = before_write {
        before_write()?;
    }
    let seen_copy = match newly_kept(plan, state, new_state) {
        Some(config) => Some(keep_as_seen(settings, config, state)?),
        None => None,
    };
    if unsaved {
        save_state(settings, new_state, state.shared.as_ref())?;
    }
    if let Some(made) = seen_copy {
        prune_after(settings, keep, made.seq);
    }
    if state.interrupted {
        verbosity::info("finished the record of an interrupted codexgen run");
    }
    Ok(())
}

/// What a caller adds to [`write_plan`]'s transaction.
#[derive(Default)]
pub struct Transaction<'w, 'p> {
    /// Called under the lock, right before the first file is written (see
    /// `pipeline::run_then`).
    pub before_write: Option<&'w mut dyn FnMut() -> Result<(), Error>>,
    /// A file the run does not replace whose text, as read, its backup
    /// generation keeps too (see [`newly_kept`]).
    pub seen_config: Option<&'p Planned>,
}

/// config.toml's planned entry when this run records in it names that no
/// backup generation holds: a table, key or comment lines added outside
/// codexgen since it last recorded the file (see `kept`), in a run that
/// does not replace config.toml (one that does keeps its previous text,
/// which holds them). The run's generation then keeps the file as read, so
/// that whatever `doctor` and `gen` can name as gone after another
/// program rewrites the file, `restore` can bring back. Names that only
/// went away need no copy: an older generation holds them.
pub fn newly_kept<'p>(plan: &'p Plan, state: &State, new_state: &State) -> Option<&'p Planned> {
    let config = plan.get(&CodexFile::Config)?;
    if config.changes() || config.current.is_none() {
        return None;
    }
    let new = new_state.files.get(&CodexFile::Config)?.kept.as_ref()?;
    let grew = match state
        .files
        .get(&CodexFile::Config)
        .and_then(|f| f.kept.as_ref())
    {
        None => !new.keys.is_empty() || new.comments > 0,
        Some(old) => {
            let known: HashSet<&Vec<String>> = old.keys.iter().collect();
            new.comments > old.comments || new.keys.iter().any(|k| !known.contains(k))
        }
    };
    grew.then_some(config)
}

/// Keeps config.toml as read (`config`, which this run does not replace)
/// as a backup generation of its own, for a run that writes only the state
/// (see [`newly_kept`]). Restoring it puts back that text.
fn keep_as_seen(
    settings: &Settings,
    config: &Planned,
    state: &State,
) -> Result<backups::Made, Error> {
    let backups = settings.state_dir().join(home::BACKUP_DIR);
    let made = backups::next(&backups)?;
    let saved = save_seen(&made, config)
        .and_then(|()| backups::record(&made, &state.as_saved().to_text(), [(&config.file, true)]));
    if let Err(e) = saved {
        backups::discard(&made);
        return Err(e);
    }
    verbosity::info(&format!(
        "{} holds tables or comments codexgen had not seen; kept a copy as backup generation 1 (`codexgen restore --list`)",
        config.file
    ));
    Ok(made)
}

/// Writes the text `config` was read with as its copy in `made`.
fn save_seen(made: &backups::Made, config: &Planned) -> Result<(), Error> {
    let copy = made.copy_of(&config.file);
    let text = config.current.as_deref().unwrap_or_default();
    write::write(&copy, text, None, Expect::Exactly(None))
        .map(drop)
        .map_err(Error::write(format!("write {}", copy.display())))
}

/// Prunes the backup generations after a whole write that made `made`; a
/// failure costs only disk space, and is said.
fn prune_after(settings: &Settings, keep: usize, made: u64) {
    let backups = settings.state_dir().join(home::BACKUP_DIR);
    if let Err(e) = backups::prune(&backups, keep, made) {
        let cause = std::error::Error::source(&e)
            .map(|c| format!(": {c}"))
            .unwrap_or_default();
        output::eprintln(format_args!("warning: {e}{cause}"));
    }
}

/// The write transaction every command that writes the Codex home goes
/// through (`gen`, `restore`): takes the lock, checks that the state (as
/// `seen`) and every changed file of `plan` are still as planned, and
/// writes the changed files and `new_state` (see [`apply`]), keeping what
/// they replace (and `extra.seen_config` as read) as a backup generation.
/// `extra.before_write` is called under the lock, before the first file
/// (see `pipeline::run_then`).
pub fn write_plan(
    settings: &Settings,
    plan: &Plan,
    state: &State,
    seen: &str,
    new_state: &State,
    extra: Transaction<'_, '_>,
) -> Result<(), Error> {
    // A bad number of backups to keep stops the run before the lock.
    let keep = backups::keep()?;
    let _lock = lock_unchanged(settings, state, seen, plan)?;
    if let Some(before_write) = extra.before_write {
        before_write()?;
    }
    let changed: Vec<&Planned> = plan.changed().collect();
    apply(
        settings,
        &changed,
        state,
        new_state,
        keep,
        extra.seen_config,
    )
}

/// The state a run that writes `plan` leaves: each file's managed leaves
/// and fingerprints, and for config.toml, what it holds that is not
/// codexgen's (`kept`; named anew when the file is written, else as
/// `state` recorded it).
pub fn planned_state(
    plan: &Plan,
    state: &State,
    target: &Target,
    catalog: Option<CatalogId>,
) -> State {
    let mut new_state = State::new(
        plan.files
            .iter()
            .filter(|p| p.merged.text.is_some() && !p.merged.managed.is_empty())
            .map(|p| {
                (
                    p.file.clone(),
                    FileState {
                        managed: p.merged.managed.clone(),
                        input: p.input_key.clone(),
                        text: p.merged.text.as_deref().map(|t| fingerprint(t.as_bytes())),
                        kept: None,
                    },
                )
            })
            .collect(),
    );
    // Named anew only when the text differs from the one recorded (a
    // steady run parses nothing more), so that what is gone is said until
    // a run writes, and no longer after; and where the record has no names
    // (a state an older codexgen wrote, or one a killed run's journal
    // settled), so that the next run names them as a run without the kill
    // would have.
    if let (Some(entry), Some(p)) = (
        new_state.files.get_mut(&CodexFile::Config),
        plan.get(&CodexFile::Config),
    ) {
        let recorded = state.files.get(&CodexFile::Config);
        entry.kept = match (recorded, p.merged.text.as_deref()) {
            (Some(r), _) if r.kept.is_some() && r.text.is_some() && r.text == entry.text => {
                r.kept.clone()
            }
            (_, Some(text)) => kept::kept(text, &p.merged.managed),
            (_, None) => None,
        };
    }
    new_state.codex = Some(target.version.to_string());
    new_state.catalog = catalog;
    new_state
}

/// Whether the record that travels with a linked config.toml would change.
fn record_stale(state: &State, new_state: &State) -> bool {
    state
        .shared
        .as_ref()
        .is_some_and(|shared| shared.seen.as_deref() != Some(final_record(new_state).as_str()))
}

/// The text of the record of config.toml that `state` holds (see `state`).
fn final_record(state: &State) -> String {
    Record::new(state.files.get(&CodexFile::Config).cloned(), None).to_text()
}

/// Takes the run lock only now, just before writing (so that a refused
/// `--verify`, a "no" at the prompt or a `--diff` leaves no trace), makes
/// sure codexgen's state did not change since the plan was made, and
/// removes the temp files a killed run left where this one writes.
fn lock_unchanged(
    settings: &Settings,
    state: &State,
    seen: &str,
    plan: &Plan,
) -> Result<write::Lock, Error> {
    let lock = write::lock(&settings.state_dir()).map_err(|e| match e {
        WriteError::Locked(dir) => Error::Locked(dir),
        other => Error::Write {
            doing: format!("take codexgen's lock in {}", settings.state_dir().display()),
            source: other,
        },
    })?;
    // The same text means the same state (a megabyte at 10,000 files is not
    // parsed again); a record a killed run left is also settled from the
    // disk, so then the state is read again whole.
    let changed = if state.interrupted {
        plan::read_state(settings)? != *state
    } else {
        plan::state_seen(settings)? != seen
    };
    if changed {
        return Err(Error::Changed {
            what: "codexgen's state".to_owned(),
        });
    }
    // Each file written is checked against the plan as it is staged.
    let temps = write::leftover_temps(&temp_dirs(settings, plan, state));
    write::remove_temps(&lock, &temps).map_err(Error::write(
        "remove the temporary files a stopped run left in the Codex home",
    ))?;
    Ok(lock)
}

/// The folders a run writes in, where a killed run may have left temp
/// files: the Codex home, codexgen's folder, its backups and the newest
/// backup generation's folder (see `backups::newest_folder`), and the folder
/// of each planned file's symlink target, and of the record that travels
/// with a linked config.toml.
fn temp_dirs(settings: &Settings, plan: &Plan, state: &State) -> Vec<PathBuf> {
    let state_dir = settings.state_dir();
    let backups = state_dir.join(home::BACKUP_DIR);
    let mut dirs = vec![settings.codex_home.clone()];
    dirs.extend(backups::newest_folder(&backups));
    dirs.extend([backups, state_dir]);
    if let Some(dir) = state.shared.as_ref().and_then(|s| s.record.parent()) {
        dirs.push(dir.to_path_buf());
    }
    let mut targets = write::Targets::default();
    for p in &plan.files {
        if let Ok(target) = targets.target(&p.path)
            && let Some(dir) = target.parent()
            && !dirs.iter().any(|d| d == dir)
        {
            dirs.push(dir.to_path_buf());
        }
    }
    dirs
}

/// Writes the changed files: every new text is first staged in a temp
/// file beside its target (checked against the plan, so a file that changed
/// since stops the run with nothing written), and the previous text beside
/// its copy in a new backup generation (`backups`), whose record (the
/// state before the run, the command, which files existed) is written
/// next; then the run's writes are
/// recorded as pending in its journal (see `state`), all staged texts are made
/// durable at once, renamed into place one by one (each checked once more
/// right before), deleted files removed, and the final state saved. A run
/// that stops part way records what it wrote before it stops. The record
/// that travels with a linked config.toml gets the same write-ahead entry,
/// in the record itself (see `state`), right after the journal. After a
/// whole write, backup generations beyond the newest `keep` are pruned.
fn apply(
    settings: &Settings,
    changed: &[&Planned],
    state: &State,
    new_state: &State,
    keep: usize,
    seen_config: Option<&Planned>,
) -> Result<(), Error> {
    let backups = settings.state_dir().join(home::BACKUP_DIR);
    let made = backups::next(&backups)?;
    let staged = stage_all(changed, &made).and_then(|staged| {
        if let Some(config) = seen_config {
            save_seen(&made, config)?;
        }
        backups::record(
            &made,
            &state.as_saved().to_text(),
            changed
                .iter()
                .copied()
                .chain(seen_config)
                .map(|p| (&p.file, p.current.is_some())),
        )?;
        Ok(staged)
    });
    // `staged[i]` is `changed[i]`'s new text, when it has one.
    let staged = match staged {
        Ok(staged) => staged,
        Err(e) => {
            // Nothing was written: the generation is no backup of anything.
            backups::discard(&made);
            return Err(e);
        }
    };
    let mut begun = State::begin(changed.iter().map(|p| {
        (
            &p.file,
            p.merged.text.as_deref(),
            new_state.managed(&p.file),
        )
    }));
    begun.catalog.clone_from(&new_state.catalog);
    let journal = settings.journal_file();
    if let Err(source) = write::write(&journal, &begun.journal_text(), None, Expect::AsRead) {
        drop(staged);
        backups::discard(&made);
        return Err(Error::Unbegun {
            path: journal.clone(),
            source,
        });
    }
    let stop = |written: usize, e: WriteError| {
        let stopped = match e {
            WriteError::Changed(path) => Error::ChangedWhileWriting { path, written },
            source => Error::Stopped {
                source,
                written,
                total: changed.len(),
            },
        };
        record_stop(settings, stopped)
    };
    let shared = match &state.shared {
        Some(shared) => {
            Some(begin_record(shared, changed, state, new_state).map_err(|e| stop(0, e))?)
        }
        None => None,
    };
    write::sync(staged.iter().flatten()).map_err(|e| stop(0, e))?;
    let dirs = write::folders(staged.iter().flatten());
    for (done, (p, ready)) in changed.iter().zip(staged).enumerate() {
        let result = match ready {
            Some(ready) => write::commit(ready),
            None if p.merged.text.is_some() => Ok(()),
            None => write::delete(
                &p.path,
                Some(&made.copy_of(&p.file)),
                Expect::Exactly(p.current.as_deref().map(str::as_bytes)),
            )
            .map(drop),
        };
        result.map_err(|e| stop(done, e))?;
    }
    write::sync_dirs(&dirs);
    save_state(settings, new_state, shared.as_ref())?;
    verbosity::info(&format!(
        "wrote {} file(s) in {}; what they replaced is backup generation 1 (`codexgen restore --list`; `codexgen restore` puts it back)",
        changed.len(),
        settings.codex_home.display(),
    ));
    // The write is whole: a failure here costs only disk space.
    prune_after(settings, keep, made.seq);
    Ok(())
}

/// Stages each changed file's new text (see [`apply`]), its previous text
/// beside its copy in the generation `made`.
fn stage_all(
    changed: &[&Planned],
    made: &backups::Made,
) -> Result<Vec<Option<write::Staged>>, Error> {
    let mut staged: Vec<Option<write::Staged>> = Vec::with_capacity(changed.len());
    for p in changed {
        let Some(text) = &p.merged.text else {
            staged.push(None);
            continue;
        };
        let expect = Expect::Exactly(p.current.as_deref().map(str::as_bytes));
        match write::stage(&p.path, text, Some(&made.copy_of(&p.file)), expect) {
            Ok(ready) => staged.push(ready),
            Err(WriteError::Changed(_)) => {
                return Err(Error::Changed {
                    what: p.file.to_string(),
                });
            }
            Err(source) => {
                return Err(Error::Write {
                    doing: format!("write {}", p.path.display()),
                    source,
                });
            }
        }
    }
    Ok(staged)
}

/// Saves the pending entry of config.toml in the record that travels with
/// it, when config.toml is about to change: another machine then settles it
/// against the file, as the journal is settled here. Returns the record as
/// it now is on disk.
fn begin_record(
    shared: &Shared,
    changed: &[&Planned],
    state: &State,
    new_state: &State,
) -> Result<Shared, WriteError> {
    let Some(config) = changed.iter().find(|p| p.file == CodexFile::Config) else {
        return Ok(shared.clone());
    };
    let pending = Pending {
        content: config
            .merged
            .text
            .as_deref()
            .map(|t| fingerprint(t.as_bytes())),
        managed: new_state.managed(&CodexFile::Config).to_vec(),
    };
    let text = Record::new(state.files.get(&CodexFile::Config).cloned(), Some(pending)).to_text();
    let expect = Expect::Exactly(shared.seen.as_deref().map(str::as_bytes));
    write::write(&shared.record, &text, None, expect)?;
    Ok(Shared {
        seen: Some(text),
        ..shared.clone()
    })
}

/// Saves `state` as the state file (and, for a linked config.toml, its
/// entry as the record that travels with the file); a failure is reported,
/// never ignored: the file then still holds what the run started from (and
/// any pending record), which the next run settles.
fn save_state(settings: &Settings, state: &State, shared: Option<&Shared>) -> Result<(), Error> {
    let path = settings.state_file();
    write::write(&path, &state.to_text(), None, Expect::AsRead).map_err(|source| {
        Error::Unrecorded {
            path,
            source,
            after: None,
        }
    })?;
    if let Some(shared) = shared {
        let expect = Expect::Exactly(shared.seen.as_deref().map(str::as_bytes));
        write::write(&shared.record, &final_record(state), None, expect).map_err(|source| {
            Error::Unrecorded {
                path: shared.record.clone(),
                source,
                after: None,
            }
        })?;
    }
    // The record is whole: the journal's entries are in it. Left behind, the
    // journal would make the next run report an unfinished record.
    let journal = settings.journal_file();
    write::remove(&journal).map_err(|source| Error::Unrecorded {
        path: journal,
        source,
        after: None,
    })?;
    // The state of an older codexgen is now read into this one. In its
    // place goes a marker that this codexgen reads as "no state" and an older
    // one refuses (format 3), so that going back to it stops with an error
    // instead of writing as if it owned nothing.
    let old = settings.old_state_file();
    if old.exists() {
        write::write(&old, state::MOVED_MARKER, None, Expect::AsRead).map_err(|source| {
            Error::Unrecorded {
                path: old,
                source,
                after: None,
            }
        })?;
    }
    Ok(())
}

/// After a run stopped part way: settles its pending record from what is
/// on disk and saves it, so the state names exactly the files written.
/// Returns what stopped the run, or, when the state cannot be saved, both.
fn record_stop(settings: &Settings, stopped: Error) -> Error {
    let saved = plan::read_state(settings)
        .and_then(|settled| save_state(settings, &settled, settled.shared.as_ref()));
    match saved {
        Err(Error::Unrecorded { path, source, .. }) => Error::Unrecorded {
            path,
            source,
            after: Some(Box::new(stopped)),
        },
        // On a failure to read, the pending record stays on disk for the
        // next run to settle.
        Ok(()) | Err(_) => stopped,
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use clap::Parser as _;

    use super::*;
    use crate::cli::Cli;
    use crate::settings::Follow;

    /// Settings for an empty home at `home`, with the built-in catalog (no
    /// catalog file nor overlay is looked for).
    fn settings(home: &Path) -> Settings {
        let home = home.to_str().expect("a temp dir has a UTF-8 path");
        let cli = Cli::try_parse_from([
            "codexgen",
            "--codex-home",
            home,
            "--codex-version",
            "0.169.0",
            "restore",
        ])
        .expect("the arguments parse");
        Settings::resolve(&cli.global, Follow::Nothing).expect("settings resolve")
    }

    /// A home's settings, its state as read and the plan of the built-in
    /// catalog for it, with the state that writing it leaves.
    struct Run {
        settings: Settings,
        state: State,
        seen: String,
        plan: Plan,
        new_state: State,
    }

    fn planned(home: &Path) -> Run {
        let settings = settings(home);
        let (state, seen) = plan::read_state_seen(&settings).expect("the state reads");
        let plan = plan::prepare(&settings, None)
            .and_then(|prepared| prepared.plan(&settings, &state))
            .expect("the built-in catalog plans");
        let new_state = planned_state(
            &plan,
            &state,
            &settings.target,
            Some(settings.catalog_id.clone()),
        );
        Run {
            settings,
            state,
            seen,
            plan,
            new_state,
        }
    }

    impl Run {
        fn write(&self) -> Result<(), Error> {
            write_plan(
                &self.settings,
                &self.plan,
                &self.state,
                &self.seen,
                &self.new_state,
                Transaction::default(),
            )
        }

        fn generations(&self) -> usize {
            backups::list(&self.settings.state_dir().join(home::BACKUP_DIR))
                .expect("the backups list")
                .len()
        }
    }

    fn new_home() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let home = dir.path().join("codex");
        fs::create_dir(&home).expect("the home is made");
        (dir, home)
    }

    #[test]
    fn a_whole_write_writes_every_file_records_it_and_makes_a_generation() {
        let (_dir, home) = new_home();
        let run = planned(&home);
        let changed: Vec<&Planned> = run.plan.changed().collect();
        assert!(!changed.is_empty(), "an empty home has files to write");
        run.write().expect("the write is whole");
        for p in changed {
            let on_disk = fs::read_to_string(&p.path).ok();
            assert_eq!(on_disk.as_deref(), p.merged.text.as_deref(), "{}", p.file);
        }
        let saved = fs::read_to_string(run.settings.state_file()).expect("the state is saved");
        assert_eq!(saved, run.new_state.to_text());
        assert!(
            !run.settings.journal_file().exists(),
            "the journal is removed"
        );
        assert_eq!(
            run.generations(),
            1,
            "what the write replaced is one generation"
        );
        // The home now matches: a second plan changes nothing.
        let again = planned(&home);
        assert_eq!(again.plan.changed().count(), 0);
    }

    #[test]
    fn the_generation_keeps_the_text_each_file_had_before_the_write() {
        let (_dir, home) = new_home();
        let mine = "# mine\n[projects.\"/work\"]\ntrust_level = \"trusted\"\n";
        fs::write(home.join("config.toml"), mine).expect("config.toml is written");
        let run = planned(&home);
        run.write().expect("the write is whole");
        let generations = backups::list(&run.settings.state_dir().join(home::BACKUP_DIR))
            .expect("the backups list");
        let [generation] = generations.as_slice() else {
            panic!("one generation, not {}", generations.len());
        };
        for saved in &generation.files {
            let before = saved
                .copy
                .as_ref()
                .map(|copy| fs::read_to_string(copy).expect("the generation's copy reads"));
            let expected = (saved.file == CodexFile::Config).then_some(mine);
            assert_eq!(before.as_deref(), expected, "{}", saved.file);
        }
        assert!(
            generation.files.iter().any(|s| s.file == CodexFile::Config),
            "config.toml's previous text is kept"
        );
        let saved_state = generation.state.as_ref().expect("the state before is kept");
        assert!(saved_state.exists());
    }

    #[test]
    fn a_taken_lock_refuses_the_write_before_anything_is_written() {
        let (_dir, home) = new_home();
        let run = planned(&home);
        fs::create_dir_all(run.settings.state_dir()).expect("codexgen's folder is made");
        let _held = write::lock(&run.settings.state_dir()).expect("the lock is taken");
        let refused = run.write();
        assert!(matches!(refused, Err(Error::Locked(_))), "{refused:?}");
        assert!(run.plan.changed().all(|p| !p.path.exists()));
        assert!(!run.settings.state_file().exists());
        assert_eq!(run.generations(), 0);
    }

    #[test]
    fn a_file_changed_since_the_plan_stops_the_write_with_nothing_written() {
        let (_dir, home) = new_home();
        let run = planned(&home);
        let config = home.join("config.toml");
        fs::write(&config, "model = \"mine\"\n").expect("config.toml is written");
        let stopped = run.write();
        assert!(matches!(stopped, Err(Error::Changed { .. })), "{stopped:?}");
        assert_eq!(
            fs::read_to_string(&config).expect("config.toml reads"),
            "model = \"mine\"\n"
        );
        assert!(!run.settings.state_file().exists());
        assert!(!run.settings.journal_file().exists());
        assert_eq!(run.generations(), 0, "a generation of nothing is discarded");
    }

    #[test]
    fn a_run_stopped_part_way_records_the_files_it_wrote_and_no_other() {
        let (_dir, home) = new_home();
        let run = planned(&home);
        let changed: Vec<&Planned> = run.plan.changed().collect();
        // The journal a run saves before its first file, as `apply` does.
        let begun = State::begin(changed.iter().map(|p| {
            (
                &p.file,
                p.merged.text.as_deref(),
                run.new_state.managed(&p.file),
            )
        }));
        fs::create_dir_all(run.settings.state_dir()).expect("codexgen's folder is made");
        let journal = run.settings.journal_file();
        fs::write(&journal, begun.journal_text()).expect("the journal is written");
        // The run wrote config.toml, then stopped.
        let config = run
            .plan
            .get(&CodexFile::Config)
            .expect("config.toml is planned");
        let text = config
            .merged
            .text
            .as_deref()
            .expect("config.toml has a text");
        fs::write(&config.path, text).expect("config.toml is written");
        let stopped = record_stop(&run.settings, Error::message("stopped"));
        assert_eq!(
            stopped.to_string(),
            "stopped",
            "what stopped the run is said"
        );
        assert!(!journal.exists(), "the pending record is settled");
        let recorded = plan::read_state(&run.settings).expect("the state reads");
        assert!(!recorded.interrupted);
        assert!(recorded.files.contains_key(&CodexFile::Config));
        for p in changed.iter().filter(|p| p.file != CodexFile::Config) {
            assert!(!recorded.files.contains_key(&p.file), "{}", p.file);
        }
    }
}
