//! Owns codexgen's backup generations in `.codexgen/backup/`: their layout,
//! names and metadata, the listing `restore` reads, how many are kept
//! (`CODEXGEN_BACKUPS`) and which are pruned, and the command line a
//! generation is labelled with. Does not decide when to write; `gen`'s write
//! transaction makes one generation per writing run, and every byte goes
//! through `write`.
//!
//! One writing run (of any command) is one generation, a folder named by
//! its sequence number (`backup/000007/`) holding:
//! - `meta.json`: when it was made, the command that made it (subcommand
//!   and flags, never a value that could be a key), and each file the run
//!   replaced or deleted (`existed: true`, its previous text beside it) or
//!   created (`existed: false`: a restore removes it);
//! - `state.json`: codexgen's state as it was before the run, so that a
//!   restore also restores what codexgen considers its own;
//! - the previous text of each replaced or deleted file, under its own name.
//!
//! `meta.json` is written after every backup is staged and before any file
//! of the home is replaced; a backup is renamed into place before the file
//! it saves. A folder without `meta.json` is a run stopped before it wrote
//! anything (skipped, and pruned); a listed file whose backup is missing is
//! one the stopped run never reached (left out).
//!
//! codexgen before generations kept one copy per file directly in
//! `backup/` (`backup/config.toml`): those files are read as one old
//! generation, with no time, command or state, the oldest; they are pruned
//! as it is, never moved.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::home::{self, CodexFile};
use crate::input;
use crate::secrets;
use crate::write::{self, Expect};

/// How many generations are kept when [`KEEP_VAR`] is not set.
pub const DEFAULT_KEEP: usize = 10;
/// The environment variable that sets how many generations are kept.
pub const KEEP_VAR: &str = "CODEXGEN_BACKUPS";
/// A generation's metadata file.
const META: &str = "meta.json";
/// The state as it was before the generation's run.
const STATE: &str = "saved-state.json";
/// The format of `meta.json` this build writes and reads.
const META_FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    format: u32,
    /// Seconds since the Unix epoch.
    time: u64,
    command: String,
    files: Vec<MetaFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetaFile {
    file: String,
    existed: bool,
}

/// One generation, as listed.
#[derive(Debug)]
pub struct Generation {
    /// Seconds since the Unix epoch; `None` for the old layout.
    pub time: Option<u64>,
    /// The command whose run replaced these files; `None` for the old layout.
    pub command: Option<String>,
    /// The files, by name.
    pub files: Vec<Saved>,
    /// `state.json` as it was before the run; `None` for the old layout.
    pub state: Option<PathBuf>,
}

/// One file of a generation.
#[derive(Debug)]
pub struct Saved {
    pub file: CodexFile,
    /// Its previous text's copy; `None`: the file did not exist before.
    pub copy: Option<PathBuf>,
}

/// A generation being made by a writing run.
#[derive(Debug)]
pub struct Made {
    pub seq: u64,
    pub dir: PathBuf,
}

impl Made {
    /// Where the previous text of `file` goes.
    pub fn copy_of(&self, file: &CodexFile) -> PathBuf {
        file.path_in(&self.dir)
    }
}

/// A generation folder's name: its sequence number, six digits or more,
/// so that they sort in a listing as they were made.
pub fn generation_name(seq: u64) -> String {
    format!("{seq:06}")
}

/// The sequence number a folder's name stands for, if it is a generation's.
pub fn parse_generation_name(name: &str) -> Option<u64> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok()
}

/// How many generations to keep: [`KEEP_VAR`] when set (a whole number, 1
/// or more), else [`DEFAULT_KEEP`].
pub fn keep() -> Result<usize, Error> {
    keep_from(std::env::var(KEEP_VAR).ok().as_deref())
}

fn keep_from(value: Option<&str>) -> Result<usize, Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(DEFAULT_KEEP),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(Error::with_help(
                format!(
                    "{KEEP_VAR}={text:?} is not a number of backups to keep; nothing was written"
                ),
                format!(
                    "set {KEEP_VAR} to a whole number from 1 (the default is {DEFAULT_KEEP}), or unset it"
                ),
            )),
        },
    }
}

/// The generation folders in `backups`: (sequence number, whether it has
/// its `meta.json`), in no order; and whether old-layout copies are there.
fn scan(backups: &Path) -> Result<(Vec<(u64, bool)>, bool), Error> {
    let entries = match std::fs::read_dir(backups) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), false)),
        Err(source) => {
            return Err(Error::Read {
                path: backups.display().to_string(),
                source,
            });
        }
    };
    let mut generations = Vec::new();
    let mut old = false;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read {
            path: backups.display().to_string(),
            source,
        })?;
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if kind.is_dir() {
            if let Some(seq) = parse_generation_name(name) {
                generations.push((seq, entry.path().join(META).is_file()));
            }
        } else if kind.is_file() && CodexFile::from_file_name(name).is_some() {
            old = true;
        }
    }
    Ok((generations, old))
}

/// The folder of the newest generation, complete or not: the only one
/// where a stopped run may have left temp files, since every run removes
/// those before it makes its own generation (and a folder of 10,000
/// copies is not read ten times over).
pub fn newest_folder(backups: &Path) -> Option<PathBuf> {
    let (generations, _) = scan(backups).ok()?;
    let seq = generations.iter().map(|(seq, _)| *seq).max()?;
    Some(backups.join(generation_name(seq)))
}

/// Every generation in `backups` (`.codexgen/backup`), newest first; the
/// old layout's copies, when there are any, last.
pub fn list(backups: &Path) -> Result<Vec<Generation>, Error> {
    let (mut seqs, old) = scan(backups)?;
    seqs.sort_unstable_by_key(|g| std::cmp::Reverse(g.0));
    let mut listed = Vec::new();
    for (seq, complete) in seqs {
        if !complete {
            continue;
        }
        let dir = backups.join(generation_name(seq));
        let meta_path = dir.join(META);
        let text = input::read_own(&meta_path, input::STATE)?;
        let meta = parse_meta(&text).map_err(|why| {
            Error::with_help(
                format!(
                    "backup generation {} is damaged: {why}",
                    meta_path.display()
                ),
                format!(
                    "move the folder {} out of the way to list the others",
                    dir.display()
                ),
            )
        })?;
        let files = meta
            .files
            .iter()
            .filter_map(|f| {
                let file = CodexFile::from_file_name(&f.file)?;
                if !f.existed {
                    return Some(Saved { file, copy: None });
                }
                let copy = file.path_in(&dir);
                // A stopped run never reached this file: nothing to put back.
                // Not followed: a link planted here is listed, and refused
                // when read (`input::read_own`).
                std::fs::symlink_metadata(&copy).is_ok().then_some(Saved {
                    file,
                    copy: Some(copy),
                })
            })
            .collect::<Vec<Saved>>();
        let mut files = files;
        files.sort_by(|a, b| listing_order(&a.file, &b.file));
        let state = dir.join(STATE);
        listed.push(Generation {
            time: Some(meta.time),
            command: Some(shown_label(&meta.command)),
            files,
            state: state.is_file().then_some(state),
        });
    }
    if old {
        listed.push(old_generation(backups)?);
    }
    Ok(listed)
}

/// The copies codexgen kept before generations, as one generation.
fn old_generation(backups: &Path) -> Result<Generation, Error> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(backups).map_err(|source| Error::Read {
        path: backups.display().to_string(),
        source,
    })?;
    for entry in entries.flatten() {
        let is_file = entry.file_type().is_ok_and(|k| k.is_file());
        if let (true, Some(file)) = (
            is_file,
            entry
                .file_name()
                .to_str()
                .and_then(CodexFile::from_file_name),
        ) {
            files.push(Saved {
                copy: Some(entry.path()),
                file,
            });
        }
    }
    files.sort_by(|a, b| listing_order(&a.file, &b.file));
    Ok(Generation {
        time: None,
        command: None,
        files,
        state: None,
    })
}

/// config.toml first, then the profile files by name.
pub fn listing_order(a: &CodexFile, b: &CodexFile) -> std::cmp::Ordering {
    (*a != CodexFile::Config)
        .cmp(&(*b != CodexFile::Config))
        .then_with(|| a.cmp(b))
}

fn parse_meta(text: &str) -> Result<Meta, String> {
    let meta: Meta = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if meta.format != META_FORMAT {
        return Err(format!(
            "format {} (this codexgen reads format {META_FORMAT})",
            meta.format
        ));
    }
    Ok(meta)
}

/// The folder of the next generation (not made yet: the first backup
/// staged in it makes it).
pub fn next(backups: &Path) -> Result<Made, Error> {
    let (seqs, _) = scan(backups)?;
    let seq = seqs.iter().map(|(s, _)| *s).max().map_or(1, |s| s + 1);
    Ok(Made {
        seq,
        dir: backups.join(generation_name(seq)),
    })
}

/// Writes the generation's `state.json` (the state's text before the run)
/// and `meta.json` (last: it marks the generation as one to list).
/// `files`: each file of the run and whether it existed before.
pub fn record<'f>(
    made: &Made,
    state_text: &str,
    files: impl IntoIterator<Item = (&'f CodexFile, bool)>,
) -> Result<(), Error> {
    let meta = Meta {
        format: META_FORMAT,
        time: now(),
        command: command().to_owned(),
        files: files
            .into_iter()
            .map(|(file, existed)| MetaFile {
                file: file.file_name(),
                existed,
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&meta).unwrap_or_default() + "\n";
    for (name, text) in [(STATE, state_text), (META, text.as_str())] {
        let path = made.dir.join(name);
        write::write(&path, text, None, Expect::Exactly(None))
            .map_err(Error::write(format!("write {}", path.display())))?;
    }
    Ok(())
}

/// Removes a generation folder a run made and then left unused (it stopped
/// before writing anything); a failure leaves a folder without `meta.json`,
/// which listing skips and pruning removes.
pub fn discard(made: &Made) {
    let _ = write::remove_folder(&made.dir);
}

/// Which generations pruning removes: all but the newest `keep` complete
/// ones (`made`, the one just made, is always kept), and every incomplete
/// one but `made`. `generations`: (sequence number, complete); `old`: the
/// old layout's copies are there (the oldest generation). Returns the
/// sequence numbers to remove and whether the old copies go.
pub fn to_prune(
    generations: &[(u64, bool)],
    old: bool,
    keep: usize,
    made: u64,
) -> (Vec<u64>, bool) {
    let mut complete: Vec<u64> = generations
        .iter()
        .filter(|(s, c)| *c && *s != made)
        .map(|(s, _)| *s)
        .collect();
    complete.sort_unstable_by(|a, b| b.cmp(a));
    // `made` takes one of the places kept.
    let others = keep.saturating_sub(1);
    let mut remove: Vec<u64> = complete.iter().skip(others).copied().collect();
    remove.extend(
        generations
            .iter()
            .filter(|(s, c)| !*c && *s != made)
            .map(|(s, _)| *s),
    );
    remove.sort_unstable();
    let old_goes = old && complete.len() >= others;
    (remove, old_goes)
}

/// Prunes `backups` after a successful write that made `made` (see
/// [`to_prune`]).
pub fn prune(backups: &Path, keep: usize, made: u64) -> Result<(), Error> {
    let (generations, old) = scan(backups)?;
    let (remove, old_goes) = to_prune(&generations, old, keep, made);
    for seq in remove {
        let dir = backups.join(generation_name(seq));
        write::remove_folder(&dir).map_err(Error::write(format!(
            "remove the old backup generation {}",
            dir.display()
        )))?;
    }
    if old_goes {
        for saved in old_generation(backups)?.files {
            if let Some(copy) = saved.copy {
                write::remove(&copy).map_err(Error::write(format!(
                    "remove the old backup {}",
                    copy.display()
                )))?;
            }
        }
    }
    Ok(())
}

/// What a listing says of a file's text: its size, its tables (header
/// lines) and its comment lines, so that the generation that still holds
/// a user's tables and comments stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub bytes: usize,
    pub tables: usize,
    pub comments: usize,
}

/// See [`Summary`]. A header line is a line that starts with `[` once its
/// indentation is left out; a comment line one that starts with `#`.
pub fn summary(text: &str) -> Summary {
    let mut tables = 0;
    let mut comments = 0;
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with('[') {
            tables += 1;
        } else if line.starts_with('#') {
            comments += 1;
        }
    }
    Summary {
        bytes: text.len(),
        tables,
        comments,
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `secs` since the Unix epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_time(secs: u64) -> String {
    let days = secs / 86_400;
    let rest = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The calendar date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

static COMMAND: OnceLock<String> = OnceLock::new();

/// Sets the command line a generation made by this process is labelled
/// with (see [`describe`]); the first call wins.
pub fn set_command(command: String) {
    let _ = COMMAND.set(command);
}

/// The command line set by [`set_command`] (`codexgen` when none was).
fn command() -> &'static str {
    COMMAND.get().map_or("codexgen", String::as_str)
}

/// The command a run was given, for a generation's label: the subcommand,
/// its flags, and its positional words when each is a plain name that
/// does not look like a key (`use groq`, `restore 2`); never an option's
/// value, nor a global option.
pub fn describe(matches: &clap::ArgMatches, command: &clap::Command) -> String {
    let Some((name, sub)) = matches.subcommand() else {
        return String::new();
    };
    let mut words = vec![name.to_owned()];
    let Some(def) = command.find_subcommand(name) else {
        return name.to_owned();
    };
    for arg in def.get_arguments() {
        if arg.is_global_set() {
            continue;
        }
        let id = arg.get_id().as_str();
        if sub.value_source(id) != Some(clap::parser::ValueSource::CommandLine) {
            continue;
        }
        if arg.is_positional() {
            if let Ok(Some(values)) = sub.try_get_raw(id) {
                words.extend(values.map(|v| shown_word(v.to_str())));
            }
        } else if let Some(long) = arg.get_long() {
            words.push(format!("--{long}"));
        } else if let Some(short) = arg.get_short() {
            words.push(format!("-{short}"));
        }
    }
    words.join(" ")
}

/// A label read back from `meta.json` as it is shown: each word as
/// [`describe`] would have written it (a flag as it is, any other word
/// through [`shown_word`]), so that a damaged or planted label never shows
/// a key.
fn shown_label(label: &str) -> String {
    label
        .split_whitespace()
        .enumerate()
        .map(|(i, word)| {
            let flag = word.len() <= 32
                && word.starts_with('-')
                && !secrets::looks_like_secret(word.trim_start_matches('-'))
                && word
                    .bytes()
                    .all(|b| b == b'-' || b.is_ascii_lowercase() || b.is_ascii_digit());
            if flag && i > 0 {
                word.to_owned()
            } else {
                shown_word(Some(word))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A positional word as a label shows it: as it is when it is a short plain
/// name that does not look like a key, else `…`.
fn shown_word(word: Option<&str>) -> String {
    match word {
        Some(w) if w.len() <= 64 && home::is_plain_name(w) && !secrets::looks_like_secret(w) => {
            w.to_owned()
        }
        _ => "…".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_read_back_shows_no_key_and_keeps_commands_and_flags() {
        assert_eq!(shown_label("gen --yes"), "gen --yes");
        assert_eq!(shown_label("restore 2 --yes"), "restore 2 --yes");
        assert_eq!(shown_label("use groq"), "use groq");
        let key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD";
        for label in [
            format!("gen {key}"),
            format!("{key} --yes"),
            format!("gen --{key}"),
            "gen --sk-proj-abcdefghijklmnopqrstuvwxyz0123456789".to_owned(),
            format!("gen\t{key}"),
        ] {
            let shown = shown_label(&label);
            assert!(!shown.contains("abcdefghij"), "{label} -> {shown}");
        }
        assert_eq!(shown_label("gen \u{1b}[31mred"), "gen …");
    }

    #[test]
    fn generation_names_sort_as_made_and_read_back() {
        assert_eq!(generation_name(7), "000007");
        assert_eq!(generation_name(1_234_567), "1234567");
        assert_eq!(parse_generation_name("000007"), Some(7));
        assert_eq!(parse_generation_name("1234567"), Some(1_234_567));
        for not in ["", "config.toml", "7a", "-7", " 7", ".codexgen-1-x.tmp"] {
            assert_eq!(parse_generation_name(not), None, "{not:?}");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_and_never_the_one_just_made() {
        let gens: Vec<(u64, bool)> = (1..=12).map(|s| (s, true)).collect();
        assert_eq!(to_prune(&gens, false, 10, 12), (vec![1, 2], false));
        // Keeping one keeps only the one just made.
        assert_eq!(
            to_prune(&gens, false, 1, 12),
            ((1..=11).collect::<Vec<_>>(), false)
        );
        // Fewer than kept: nothing goes.
        assert_eq!(to_prune(&gens[..3], false, 10, 3), (vec![], false));
        // The one just made stays even when it is not the highest number.
        assert_eq!(
            to_prune(&[(5, true), (9, true)], false, 1, 5),
            (vec![9], false)
        );
    }

    #[test]
    fn pruning_counts_the_old_layout_as_the_oldest_and_drops_stopped_runs() {
        let gens = [(1, true), (2, false), (3, true)];
        // Old copies, two generations, keep 3: all stay but the stopped run.
        assert_eq!(to_prune(&gens, true, 3, 3), (vec![2], false));
        // Keep 2: the old copies are the third, and go.
        assert_eq!(to_prune(&gens, true, 2, 3), (vec![2], true));
        assert_eq!(to_prune(&[(1, true)], true, 2, 1), (vec![], false));
        assert_eq!(to_prune(&[(1, true)], true, 1, 1), (vec![], true));
    }

    #[test]
    fn the_number_kept_comes_from_the_variable() {
        assert_eq!(keep_from(None).ok(), Some(DEFAULT_KEEP));
        assert_eq!(keep_from(Some("")).ok(), Some(DEFAULT_KEEP));
        assert_eq!(keep_from(Some("3")).ok(), Some(3));
        assert_eq!(keep_from(Some(" 25 ")).ok(), Some(25));
        for bad in ["0", "-1", "ten", "1.5"] {
            assert!(keep_from(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn metadata_reads_back_and_refuses_another_format() {
        let meta = Meta {
            format: META_FORMAT,
            time: 1_700_000_000,
            command: "gen --yes".to_owned(),
            files: vec![
                MetaFile {
                    file: "config.toml".to_owned(),
                    existed: true,
                },
                MetaFile {
                    file: "fast.config.toml".to_owned(),
                    existed: false,
                },
            ],
        };
        let text = serde_json::to_string(&meta).unwrap_or_default();
        let back = parse_meta(&text).expect("reads back");
        assert_eq!(back.command, "gen --yes");
        assert_eq!(back.files.len(), 2);
        assert!(!back.files[1].existed);
        let newer = text.replace("\"format\":1", "\"format\":2");
        assert!(parse_meta(&newer).unwrap_err().contains("format 2"));
        assert!(parse_meta("{").is_err());
        assert!(parse_meta(&text.replace("\"time\"", "\"tme\"")).is_err());
    }

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_time(1_796_623_235), "2026-12-07 06:00:35 UTC");
    }

    #[test]
    fn a_summary_counts_tables_and_comments() {
        let text = "# mine\nmodel = \"x\"\n[projects.\"/x\"]\ntrust_level = \"trusted\"\n  [mcp_servers.foo] # ok\n";
        assert_eq!(
            summary(text),
            Summary {
                bytes: text.len(),
                tables: 2,
                comments: 1
            }
        );
    }

    fn cli() -> clap::Command {
        clap::Command::new("codexgen")
            .arg(clap::Arg::new("codex_home").long("codex-home").global(true))
            .subcommand(
                clap::Command::new("gen")
                    .arg(
                        clap::Arg::new("yes")
                            .long("yes")
                            .action(clap::ArgAction::SetTrue),
                    )
                    .arg(clap::Arg::new("templates").long("templates")),
            )
            .subcommand(clap::Command::new("use").arg(clap::Arg::new("profile")))
    }

    fn described(args: &[&str]) -> String {
        let mut command = cli();
        let matches = command.try_get_matches_from_mut(args).expect("parses");
        describe(&matches, &command)
    }

    #[test]
    fn a_label_names_the_subcommand_and_flags_never_values() {
        assert_eq!(
            described(&["codexgen", "--codex-home", "/h", "gen", "--yes"]),
            "gen --yes"
        );
        assert_eq!(
            described(&["codexgen", "gen", "--templates", "sk-secretvalue12345678"]),
            "gen --templates"
        );
        assert_eq!(described(&["codexgen", "use", "groq"]), "use groq");
        assert_eq!(
            described(&["codexgen", "use", "sk-proj-abcdefghijklmnopqrstuvwx"]),
            "use …"
        );
        assert_eq!(described(&["codexgen", "use", "a b"]), "use …");
    }
}
