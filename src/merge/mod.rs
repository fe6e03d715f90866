//! Owns ownership: lays a rendered file over the file on disk with `toml_edit` so
//! that codexgen changes only what its templates emit, removes what it emitted
//! last time but no longer does, and notices hand edits to managed values
//! (drift). Everything else (comments, order, blank lines, other tables such
//! as `[projects]` or the user's own `[mcp_servers.ID]`) is kept byte for
//! byte. Managed values are compared by value, not by spelling: an MCP entry
//! Codex rewrote (`codex mcp add`) stays in sync ([`codex_rewrites`]). Pure:
//! text in, text out; does not touch the filesystem.
//!
//! This module holds the rules (what is codexgen's, what goes, what stays
//! and is released, what is said); the means are in rooms of their own:
//! [`tree`] edits a `toml_edit` document by path, [`value`] tells whether
//! two values are the same however written, [`comments`] puts back the
//! comments a removal took, [`endings`] keeps each line's ending and the
//! byte-order mark, [`pieces`](mod@pieces) cuts a large rendered text so that it is
//! merged piece after piece, [`legacy`] moves `[profiles.NAME]` tables
//! into their own files, and [`fresh`] answers for a file that is not there
//! yet without building its tree, when the rendered text is laid out as
//! the tree would print it. codexgen's header on top of a file is
//! [`crate::header`]'s.
//!
//! The unit of ownership is a leaf: a key whose value is not a table, at its
//! path (`model`, `model_providers.groq.base_url`). A table that ends up empty
//! because codexgen removed its last managed key is removed with it; a table
//! that holds anything else stays.
//!
//! A removal takes only codexgen's bytes. Its comments are its two header
//! lines (the built-in templates write no other; one a custom template
//! writes is not remembered, and counts as the user's): every other comment
//! a removed item carried is put back where its lines were
//! ([`keep_lost_comments`]), and said ([`Note::CommentsKept`]). And a
//! removal never leaves a table Codex refuses: a table whose managed leaves
//! all leave but which holds the user's keys or tables (a provider without
//! `name` would not load) is kept whole, codexgen's keys included, and
//! released to the user ([`releases`], [`Note::Released`]), as is a
//! provider that a `model_provider` of the user's names, or a legacy profile
//! table that the user's `profile` selects ([`tables_in_use`]; Codex refuses
//! a file naming a provider it does not know); a provider's
//! sub-table that leaves while the provider stays, holding the user's keys,
//! stops the merge instead ([`MergeError::Undecided`]): neither way is sure
//! to load. The choices are docs/ownership.md's. Where asked
//! ([`Ownership::drop_selector`]), config.toml's legacy `profile = "NAME"`
//! goes first, so that what it selected is not kept for it.
//!
//! A take-over is remembered: a leaf that held a value of the user's when
//! codexgen started to manage it (equal to the catalog's or not) keeps that
//! value as they wrote it ([`Managed::before`]), and when the catalog stops
//! setting it, it is given back instead of removed: the user's value put
//! back where codexgen's is still there, the value there kept otherwise
//! ([`Note::GivenBack`]). Equal take-overs are said ([`Note::TakenAsIs`]).

mod comments;
pub(crate) mod endings;
mod fresh;
mod legacy;
mod pieces;
pub(crate) mod tree;
pub(crate) mod value;

use std::collections::{HashMap, HashSet};

use toml_edit::{DocumentMut, Item, Value};

use crate::diagnostic::{Problem, Snippet};
use crate::header::{has_header, split_header};
use crate::home::{CodexFile, ProfileName};
use comments::{keep_comments, keep_lost_comments};
use endings::{dominant_ending, restore_endings, split_bom};
use legacy::{
    adopt_stale, comments_left_behind, drop_selector, insert_carried, legacy_table,
    may_hold_legacy_tables,
};
pub(crate) use pieces::PIECE;
use pieces::pieces;
use tree::{Leaf, collect_leaves, leaves, lookup, next_position, put_value_back, remove_all, set};
use value::{as_written, canonical, matches_recorded, same_item, same_number};

/// A managed leaf as recorded after a write: where, and the value written.
/// (Its form in the state file is `state`'s business.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Managed {
    pub path: Vec<String>,
    /// The value as TOML text, e.g. `"groq"` or `{ api-version = "v1" }`.
    pub value: String,
    /// The user's value as they wrote it (TOML text), when the leaf was
    /// theirs before codexgen took it over (equal to the catalog's or not):
    /// when the catalog stops setting it, it is given back, that value put
    /// back, instead of removed ([`Note::GivenBack`]). `None` for a leaf
    /// codexgen wrote where there was none.
    pub before: Option<String>,
}

/// Something the reader of a diff should know beyond the diff itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A managed value was edited by hand since codexgen wrote it.
    Drift {
        path: String,
        written: String,
        found: Option<String>,
        /// What codexgen does about it.
        action: DriftAction,
    },
    /// A value codexgen never wrote (`found`) is replaced by the catalog's
    /// (`new`); it is remembered ([`Managed::before`]) and given back when
    /// the catalog stops setting it.
    TakeOver {
        path: String,
        found: String,
        new: String,
    },
    /// A value codexgen never wrote, equal to the catalog's, is managed from
    /// now on: nothing changes on disk, and it is given back when the
    /// catalog stops setting it.
    TakenAsIs { path: String, value: String },
    /// A leaf that was the user's before codexgen took it over, which the
    /// catalog no longer sets: it stays, the user's again. `yours` is the
    /// user's original value, put back in place of `found` (codexgen's),
    /// or `None` when the value there stays (equal to the user's, or edited
    /// by hand since).
    GivenBack {
        path: String,
        found: String,
        yours: Option<String>,
    },
    /// A profile's `[profiles.NAME]` table, which this Codex no longer
    /// reads, is removed; the catalog's version of the profile is written to
    /// its own file, with the keys codexgen did not write (`carried`) moved along.
    Migrated {
        profile: ProfileName,
        carried: Vec<String>,
    },
    /// A table codexgen wrote that the catalog no longer renders, but which
    /// holds the user's `keys` (paths relative to it) too: it stays whole,
    /// codexgen's keys included, and is the user's from now on (without
    /// codexgen's keys, Codex could refuse it; see [`releases`]). Or a
    /// provider that a `model_provider` of the user's names (`used_by`, the
    /// keys' paths in this file): without it, Codex refuses the file.
    Released {
        table: String,
        keys: Vec<String>,
        used_by: Vec<String>,
    },
    /// Comment lines that removed keys or tables held stay in the file.
    CommentsKept { lines: usize },
    /// config.toml's legacy top-level `profile = "NAME"` (Codex's default
    /// profile before profile files, which later Codex refuses to load) is
    /// removed: codexgen writes the default ([`Ownership::drop_selector`]).
    SelectorRemoved { profile: String },
}

/// What a run does to a drifted value; the command words it (it knows
/// whether the run writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftAction {
    /// The catalog's value replaces the edited one.
    Overwrite,
    /// A managed value removed by hand is written again.
    Restore,
    /// The catalog no longer has it: the edited value goes.
    Remove,
}

/// The outcome for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The new text, or `None` when the file should be deleted.
    pub text: Option<String>,
    /// What codexgen manages in the new text.
    pub managed: Vec<Managed>,
    pub notes: Vec<Note>,
    /// Per adopted table, the keys codexgen did not write, to be carried
    /// into the file that now holds that profile.
    pub moved: Vec<Moved>,
}

/// Keys leaving a profile's adopted table, with paths relative to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub profile: ProfileName,
    pub keys: Vec<Managed>,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}")]
    Unparsable(Problem),
    #[error("{file}: `{path}` is {found} on disk, but codexgen needs a [{path}] table there")]
    NotATable {
        file: String,
        path: String,
        found: &'static str,
    },
    #[error("{file}: the merged text would not parse ({message}); nothing was written")]
    Internal { file: String, message: String },
    /// A table whose removal only the user can decide (see `releases`).
    #[error("{0}")]
    Undecided(Problem),
}

impl MergeError {
    /// What to do about it (an unparsable file carries its own help).
    pub fn help(&self) -> Option<String> {
        match self {
            MergeError::Unparsable(_) | MergeError::Undecided(_) => None,
            MergeError::NotATable { path, .. } => Some(format!(
                "rewrite it as a `[{path}]` section (or remove it), then run codexgen again"
            )),
            MergeError::Internal { .. } => {
                Some("this is a codexgen bug; please report it with the file".to_owned())
            }
        }
    }
}

/// What codexgen knows about ownership in one file.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ownership<'a> {
    /// What codexgen managed in this file after its last write.
    pub previous: &'a [Managed],
    /// Profiles whose `[profiles.NAME]` tables are taken over whoever wrote
    /// them: what they hold and the catalog no longer renders there leaves
    /// this file. This is how a profile moves to `NAME.config.toml`.
    pub adopt: &'a [ProfileName],
    /// Keys moved here from an adopted table elsewhere (paths relative to
    /// this file); added when the file does not have them, not managed.
    pub carry_in: &'a [Managed],
    /// Providers that `model_provider` keys in files codexgen does not
    /// write name (a profile file of the user's): each id, and the key as
    /// its warning shows it (`FILE: model_provider`).
    pub used_elsewhere: &'a [(String, String)],
    /// Remove a top-level `profile = "NAME"` (config.toml on a Codex that
    /// reads profile files and refuses that key, when the catalog has a
    /// default: codexgen's default takes its place).
    pub drop_selector: bool,
}

/// Merges `desired` (rendered TOML, `None` when the file is no longer
/// generated) over `current` (the file's text, `None` when absent). `file`
/// names the file in messages.
pub fn merge(
    file: &str,
    current: Option<&str>,
    desired: Option<&str>,
    header: &str,
    own: &Ownership<'_>,
) -> Result<Merged, MergeError> {
    merge_in_pieces(file, current, desired, header, own, PIECE)
}

fn merge_in_pieces(
    file: &str,
    current: Option<&str>,
    desired: Option<&str>,
    header: &str,
    own: &Ownership<'_>,
    piece: usize,
) -> Result<Merged, MergeError> {
    let current = current.unwrap_or_default();
    if let Some(desired) = desired.filter(|_| current.is_empty())
        && let Some(merged) = fresh::merged(desired, header, own, piece)
    {
        #[cfg(debug_assertions)]
        {
            let general = merge_parts(file, current, &[desired], Some(header), own);
            assert!(
                general.as_ref().ok() == Some(&merged),
                "the merge of a new file differs from the general merge of {desired:?}"
            );
        }
        return Ok(merged);
    }
    let header = desired.map(|_| header);
    let parts = desired.map_or_else(Vec::new, |text| pieces(text, piece));
    if parts.len() > 1 {
        match merge_parts(file, current, &parts, header, own) {
            Err(Stop::Whole) => {}
            Err(Stop::Failed(e)) => return Err(e),
            Ok(merged) => return Ok(merged),
        }
    }
    let whole: Vec<&str> = desired.into_iter().collect();
    merge_parts(file, current, &whole, header, own).map_err(|stop| match stop {
        Stop::Failed(e) => e,
        Stop::Whole => MergeError::Internal {
            file: file.to_owned(),
            message: "the rendered text defines a key twice".to_owned(),
        },
    })
}

/// Why a merge stopped: an error, or a piece of the rendered text that is
/// not whole TOML on its own (the text is then merged whole).
enum Stop {
    Whole,
    Failed(MergeError),
}

/// Merges the rendered text `parts` (none: the file is no longer
/// generated) over `current`. With more than one part, a part that does
/// not parse, or a key in two parts, stops it with [`Stop::Whole`].
fn merge_parts(
    file: &str,
    current: &str,
    parts: &[&str],
    header: Option<&str>,
    own: &Ownership<'_>,
) -> Result<Merged, Stop> {
    let in_pieces = parts.len() > 1;
    let parse = |text: &str| -> Result<Vec<Leaf>, Stop> {
        match text.parse::<DocumentMut>() {
            Ok(doc) => Ok(leaves(doc)),
            Err(_) if in_pieces => Err(Stop::Whole),
            Err(e) => Err(Stop::Failed(MergeError::Internal {
                file: file.to_owned(),
                message: format!("the rendered text is not TOML: {}", e.message()),
            })),
        }
    };
    let mut parts = parts.iter();
    merge_leaves(
        file,
        current,
        &mut || parts.next().map(|part| parse(part)),
        header,
        own,
    )
}

/// The merge itself, given the rendered leaves part by part (`next`).
#[allow(clippy::too_many_lines)] // its steps in the order they must run
fn merge_leaves(
    file: &str,
    current: &str,
    next: &mut dyn FnMut() -> Option<Result<Vec<Leaf>, Stop>>,
    header: Option<&str>,
    own: &Ownership<'_>,
) -> Result<Merged, Stop> {
    let (bom, body, mut doc) = parse_current(file, current).map_err(Stop::Failed)?;
    // A file of comments only: toml_edit keeps them as trailing text, which
    // would put them after everything codexgen adds. Keep them on top.
    let comments_only = doc.as_table().is_empty() && !body.trim().is_empty();
    if comments_only {
        doc.set_trailing("");
    }

    // Indexes, so that the work stays linear in the keys.
    let previous: HashMap<&[String], &Managed> = own
        .previous
        .iter()
        .map(|m| (m.path.as_slice(), m))
        .collect();
    // New tables go after everything else: the first free position, found
    // once and advanced as tables are added.
    let mut next_table = next_position(doc.as_table());
    let mut notes = Vec::new();
    let mut changed = false;
    // What the file will manage, noted before each leaf moves into the document.
    let mut managed: Vec<Managed> = Vec::new();
    // A file with codexgen's header that no record names was written by
    // codexgen elsewhere: its values cannot be told from the user's, and
    // are taken as codexgen's (none is given back).
    let foreign = own.previous.is_empty() && has_header(current);
    while let Some(part) = next() {
        for leaf in part? {
            let found = lookup(doc.as_table(), &leaf.path);
            let recorded = previous.get(leaf.path.as_slice()).copied();
            // A value the user had before codexgen manages it, equal or not,
            // is remembered as they wrote it, to be given back.
            let before = match recorded {
                Some(rec) => rec.before.clone(),
                None if foreign => None,
                None => found.and_then(Item::as_value).map(as_written),
            };
            managed.push(Managed {
                path: leaf.path.clone(),
                value: canonical(&leaf.item),
                before,
            });
            let new = managed.last().map_or("", |m| m.value.as_str());
            let same = found.is_some_and(|item| {
                same_item(item, &leaf.item)
                    || codex_rewrites(&leaf.path) && same_number(item, &leaf.item)
            });
            notes.extend(classify(&leaf.path, found, recorded, new, same));
            if !same {
                set(&mut doc, file, leaf, &mut next_table).map_err(Stop::Failed)?;
                changed = true;
            }
        }
    }
    let wanted_paths: HashSet<&[String]> = managed.iter().map(|m| m.path.as_slice()).collect();
    if wanted_paths.len() < managed.len() {
        // Only pieces can repeat a key (one TOML text cannot).
        return Err(Stop::Whole);
    }
    changed |= insert_carried(&mut doc, file, own.carry_in, &wanted_paths, &mut next_table)
        .map_err(Stop::Failed)?;
    // Before the tables in use are found: it no longer keeps what it selected.
    changed |= own.drop_selector && drop_selector(&mut doc, &mut notes);

    let (adopted, moved) = adopt_stale(&doc, own, &wanted_paths, &previous, &mut notes);
    // The comments of a table that moves out stay behind in this file.
    let left_behind = comments_left_behind(&doc, &moved);
    let mut undecided = Vec::new();
    let mut put_back = Vec::new();
    let stale = stale_leaves(
        &doc,
        own,
        &adopted,
        &wanted_paths,
        &mut notes,
        &mut undecided,
        &mut put_back,
    );
    if let Some(table) = undecided.first() {
        return Err(Stop::Failed(undecided_error(file, current, table)));
    }
    changed |= !stale.is_empty() || !put_back.is_empty();
    remove_all(doc.as_table_mut(), &stale);
    for (path, yours) in put_back {
        put_value_back(doc.as_table_mut(), path, yours);
    }
    for (position, comments) in left_behind {
        keep_comments(&mut doc, position, &comments);
    }

    let on_top = if comments_only { body } else { "" };
    drop(wanted_paths);
    let (text, kept) = finish_text(doc, changed, body, on_top, bom, header).map_err(|message| {
        Stop::Failed(MergeError::Internal {
            file: file.to_owned(),
            message,
        })
    })?;
    if kept > 0 {
        notes.push(Note::CommentsKept { lines: kept });
    }
    Ok(Merged {
        text,
        managed,
        notes,
        moved,
    })
}

/// The leaves codexgen wrote (or adopted) that the catalog no longer
/// renders here and that go: all but those in a table released whole
/// ([`releases`]) and those that were the user's before codexgen took them
/// over, which are given back ([`Note::GivenBack`]; to `put_back`, the
/// user's value where codexgen's is still there). Notes a hand-edited one
/// that goes, and each release; adds to `undecided` the tables the user
/// must decide about.
fn stale_leaves<'a>(
    doc: &DocumentMut,
    own: &Ownership<'a>,
    adopted: &'a [Managed],
    wanted_paths: &HashSet<&[String]>,
    notes: &mut Vec<Note>,
    undecided: &mut Vec<Release>,
    put_back: &mut Vec<(&'a [String], &'a str)>,
) -> Vec<&'a [String]> {
    let (previous, adopt, used_elsewhere) = (own.previous, own.adopt, own.used_elsewhere);
    // Each stale leaf, and the note to give if it goes (a hand edit).
    let mut stale: Vec<(&[String], Option<Note>)> = Vec::new();
    let mut seen: HashSet<&[String]> = HashSet::new();
    // A map codexgen wrote whole (inline) that the catalog now writes entry
    // by entry (`shell_environment_policy.set`): its wanted entries are
    // inside it, and the others are the user's now; it does not go whole.
    let opened: HashSet<&[String]> = wanted_paths
        .iter()
        .flat_map(|w| (1..w.len()).map(move |n| &w[..n]))
        .collect();
    for rec in previous.iter().chain(adopted) {
        if wanted_paths.contains(rec.path.as_slice())
            || opened.contains(rec.path.as_slice())
            || !seen.insert(&rec.path)
        {
            continue;
        }
        let Some(item) = lookup(doc.as_table(), &rec.path) else {
            continue;
        };
        // codexgen writes values, never a `[table]`: a table where a record
        // names a leaf is the user's (or a hostile record's aim), and stays;
        // except in an MCP server, where it is Codex's own rewrite of the
        // map codexgen wrote inline (`codex mcp add` rewrites every MCP
        // entry so) when it holds exactly that map.
        if !(item.is_value() || codex_rewrites(&rec.path) && matches_recorded(item, rec)) {
            continue;
        }
        if let Some(yours) = &rec.before {
            // The user's before codexgen's: theirs again. Their value comes
            // back where codexgen's is still there and differs; a value
            // edited by hand since is theirs as it is.
            let differs = !yours
                .parse::<Value>()
                .is_ok_and(|v| same_item(item, &Item::Value(v)));
            let restore = differs && matches_recorded(item, rec);
            if restore {
                put_back.push((&rec.path, yours));
            }
            notes.push(Note::GivenBack {
                path: rec.path.join("."),
                found: canonical(item),
                yours: restore.then(|| yours.clone()),
            });
            continue;
        }
        let drift = (!matches_recorded(item, rec)).then(|| Note::Drift {
            path: rec.path.join("."),
            written: rec.value.clone(),
            found: Some(canonical(item)),
            action: DriftAction::Remove,
        });
        stale.push((&rec.path, drift));
    }
    let adopted_tables: Vec<Vec<String>> = adopt.iter().map(legacy_table).collect();
    let (released, found) = releases(doc, &stale, wanted_paths, &adopted_tables, used_elsewhere);
    undecided.extend(found);
    let stale: Vec<&[String]> = stale
        .into_iter()
        .filter(|(path, _)| !released.iter().any(|r| path.starts_with(&r.table)))
        .map(|(path, drift)| {
            notes.extend(drift);
            path
        })
        .collect();
    notes.extend(released.into_iter().map(|r| Note::Released {
        table: r.table.join("."),
        keys: r.keys,
        used_by: r.used_by,
    }));
    stale
}

/// The file's byte-order mark (kept first; codexgen's header goes after
/// it), its body after codexgen's old header, and that body parsed.
pub fn parse_current<'t>(
    file: &str,
    current_text: &'t str,
) -> Result<(&'static str, &'t str, DocumentMut), MergeError> {
    let (bom, without_bom) = split_bom(current_text);
    let (old_header_len, body) = split_header(without_bom);
    let doc: DocumentMut = body.parse().map_err(|err: toml_edit::TomlError| {
        let span = err.span().unwrap_or(0..0);
        let offset = bom.len() + old_header_len + span.start;
        let snippet = Snippet::at_offset(file, current_text, offset, span.len());
        MergeError::Unparsable(
            Problem::new(format!(
                "{file} is not valid TOML, so codexgen will not touch it"
            ))
            .at(snippet)
            .label(err.message().to_owned())
            .help(format!(
                "fix {file} by hand (or move it away), then run codexgen again"
            )),
        )
    })?;
    Ok((bom, body, doc))
}

/// The file's new text: the original body when nothing changed, the header
/// (when the file is still generated) after any byte-order mark; `None` when
/// nothing is left to keep. Checked to parse when it changed (an unchanged
/// body parsed already, and the header is comment lines). Line endings: every line
/// codexgen did not touch keeps its own; the lines it writes take the
/// file's most common one.
fn finish_text(
    doc: DocumentMut,
    changed: bool,
    body: &str,
    on_top: &str,
    bom: &str,
    header: Option<&str>,
) -> Result<(Option<String>, usize), String> {
    let ending = dominant_ending(body);
    let had_text = !body.trim().is_empty();
    let mut kept = 0;
    let body = if changed {
        let mut text = doc.to_string();
        // The tree costs several times the text: gone before the check parses again.
        drop(doc);
        if !on_top.is_empty() {
            let sep = if on_top.ends_with('\n') { "" } else { "\n" };
            text = format!("{on_top}{sep}{text}");
        }
        (text, kept) = keep_lost_comments(body, text);
        // Removing the first table leaves the blank line that separated the
        // next one: do not let it open the file.
        if !body.starts_with('\n') && !body.starts_with("\r\n") {
            let blank = text.len() - text.trim_start_matches(['\r', '\n']).len();
            text.drain(..blank);
        }
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        // toml_edit writes `\n` everywhere: give back each kept line its own.
        restore_endings(body, &text, ending)
    } else {
        body.to_owned()
    };
    let text = match header {
        None if body.trim().is_empty() => return Ok((None, kept)),
        // No longer generated, but something else lives in it: keep that,
        // without codexgen's header.
        None => format!("{bom}{body}"),
        Some(header) => format!("{bom}{}{body}", header.replace('\n', ending)),
    };
    // Unchanged, the body is the text that parsed, under comment lines; a
    // new file holds only what toml_edit wrote from parsed items. What is
    // checked is a file where codexgen's keys meet the user's text.
    // It is checked with the `toml` crate's parser, which Codex reads its
    // files with, into its plain tree: a quarter of toml_edit's memory.
    if changed && had_text {
        toml::de::DeTable::parse(text.trim_start_matches('\u{feff}'))
            .map_err(|e| e.message().to_owned())?;
    }
    Ok((Some(text), kept))
}

/// A table kept whole although the catalog no longer renders it.
struct Release {
    table: Vec<String>,
    /// What the user added there, relative to the table.
    keys: Vec<String>,
    /// The user's `model_provider` keys that name it (a provider only).
    used_by: Vec<String>,
}

/// The tables that keys codexgen does not write name, and that Codex
/// looks up: each table's path, with the paths of the keys naming it. A
/// top-level `profile = "NAME"` names `[profiles.NAME]` (read before
/// Codex 0.134; `exec` fails with "config profile `NAME` not found"
/// without it). A `model_provider` names `[model_providers.ID]` (Codex
/// refuses the file with "Model provider `ID` not found"): config.toml's
/// top-level one (the user's under `default: ~`) and a `[profiles.NAME]`
/// table's, but not one that leaves (`going`) unless its table is kept
/// for a `profile` key, nor one of a table that moves out (`adopted`).
/// `elsewhere`: providers named in other files (`FILE: model_provider`).
fn tables_in_use(
    doc: &DocumentMut,
    wanted: &HashSet<&[String]>,
    adopted: &[Vec<String>],
    going: &HashSet<&[String]>,
    elsewhere: &[(String, String)],
) -> HashMap<Vec<String>, Vec<String>> {
    let mut used: HashMap<Vec<String>, Vec<String>> = HashMap::new();
    let key = |path: &[&str]| {
        path.iter()
            .map(|k| (*k).to_owned())
            .collect::<Vec<String>>()
    };
    let stays = |path: &[String]| {
        !wanted.contains(path)
            && !going.contains(path)
            && !adopted.iter().any(|a| path.starts_with(a))
    };
    let selected = doc
        .get("profile")
        .and_then(Item::as_str)
        .filter(|_| stays(&key(&["profile"])));
    if let Some(name) = selected {
        used.entry(key(&["profiles", name]))
            .or_default()
            .push("profile".to_owned());
    }
    let mut name_provider = |path: Vec<String>, item: Option<&Item>, kept: bool| {
        let Some(id) = item.and_then(Item::as_str) else {
            return;
        };
        if kept || stays(&path) {
            used.entry(key(&["model_providers", id]))
                .or_default()
                .push(path.join("."));
        }
    };
    name_provider(key(&["model_provider"]), doc.get("model_provider"), false);
    if let Some(profiles) = doc.get("profiles").and_then(Item::as_table_like) {
        for (name, profile) in profiles.iter() {
            let path = key(&["profiles", name, "model_provider"]);
            let item = profile
                .as_table_like()
                .and_then(|t| t.get("model_provider"));
            // A profile kept whole for `profile = "NAME"` keeps its provider.
            let kept = selected == Some(name) && !wanted.contains(path.as_slice());
            name_provider(path, item, kept);
        }
    }
    for (id, where_) in elsewhere {
        used.entry(key(&["model_providers", id]))
            .or_default()
            .push(where_.clone());
    }
    used
}

/// Whether Codex rewrites the entry holding `path` when it adds one of its
/// own (`codex mcp add` rewrites every `[mcp_servers.ID]`: inline maps
/// become tables, whole seconds become floats, defaults and comments go).
fn codex_rewrites(path: &[String]) -> bool {
    path.first().is_some_and(|t| t == "mcp_servers")
}

/// Tables that Codex checks as a whole: a provider (`[model_providers.ID]`
/// needs `name`), its sub-tables (`[...auth]` needs `command` and excludes
/// `env_key`), an MCP server (`[mcp_servers.ID]` needs a transport).
fn checked_whole(table: &[String]) -> bool {
    table.len() >= 2 && matches!(table[0].as_str(), "model_providers" | "mcp_servers")
}

/// Among the tables Codex checks as a whole ([`checked_whole`]) that hold
/// `stale` leaves, those that removing them would leave holding the user's
/// keys or tables only, none of codexgen's: a `[model_providers.ID]`
/// without `name`, which Codex refuses. When the catalog dropped the whole
/// entry (the provider), such a table is released whole instead: the
/// outermost one, with every stale leaf under it (its `[...auth]` too).
/// When the entry stays (anything under it still rendered, a sub-table of
/// Bedrock's too) and only a sub-table leaves (the catalog's provider no
/// longer has `auth`, Bedrock trades `aws` for `auth`), neither way loads
/// for sure (an `[auth]` without `command`, or beside the catalog's new
/// `env_key`; an `[aws]` beside the new `[auth]`): the second list,
/// which stops the merge for the user to decide. A table holding any leaf
/// the catalog still renders is neither (a provider that loses one key
/// keeps its `name`); other tables (a profile, `[profiles.NAME]`, a
/// profile's `[tools]`) lose codexgen's keys and keep the user's, since
/// Codex needs no key there. Comments are not the user's keys here: they
/// stay without the table. A provider the user's `model_provider` names
/// (see [`tables_in_use`]) is released whole too, user keys or
/// none: removing it would leave a file Codex refuses.
fn releases(
    doc: &DocumentMut,
    stale: &[(&[String], Option<Note>)],
    wanted: &HashSet<&[String]>,
    adopted: &[Vec<String>],
    used_elsewhere: &[(String, String)],
) -> (Vec<Release>, Vec<Release>) {
    if stale.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let going: HashSet<&[String]> = stale.iter().map(|(path, _)| *path).collect();
    let used = tables_in_use(doc, wanted, adopted, &going, used_elsewhere);
    // Every table that holds a rendered leaf, however deep.
    let rendered: HashSet<&[String]> = wanted
        .iter()
        .flat_map(|path| (0..path.len()).map(|depth| &path[..depth]))
        .collect();
    let mut tables: Vec<&[String]> = stale
        .iter()
        .filter_map(|(path, _)| path.split_last().map(|(_, table)| table))
        .filter(|table| !adopted.iter().any(|a| table.starts_with(a)))
        .filter(|table| checked_whole(table) || used.contains_key(*table))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    tables.sort_by_key(|table| (table.len(), table.to_vec()));
    let mut released: Vec<Release> = Vec::new();
    let mut undecided: Vec<Release> = Vec::new();
    for table in tables {
        let done = released.iter().chain(&undecided);
        if rendered.contains(table) || done.into_iter().any(|r| table.starts_with(&r.table)) {
            continue;
        }
        let at: Option<&dyn toml_edit::TableLike> = if table.is_empty() {
            Some(doc.as_table())
        } else {
            lookup(doc.as_table(), table).and_then(Item::as_table_like)
        };
        let Some(at) = at else { continue };
        let mut keys = Vec::new();
        remaining(at, &mut table.to_vec(), table.len(), &going, &mut keys);
        let used_by = used.get(table).cloned().unwrap_or_default();
        if keys.is_empty() && used_by.is_empty() {
            continue;
        }
        // The entry is the provider or server (`model_providers.ID`): it
        // stays when the catalog still renders anything under it, a
        // sub-table only too (Bedrock's `[...auth]` in place of `[...aws]`).
        let entry_stays = table.len() > 2 && rendered.contains(&table[..2]);
        let release = Release {
            table: table.to_vec(),
            keys,
            used_by,
        };
        if entry_stays {
            undecided.push(release);
        } else {
            released.push(release);
        }
    }
    (released, undecided)
}

/// The error for a sub-table the catalog dropped from an entry it keeps,
/// which holds the user's keys: at the table's header when it is found.
fn undecided_error(file: &str, current: &str, table: &Release) -> MergeError {
    let dotted = table.table.join(".");
    let keys: Vec<String> = table.keys.iter().map(|k| format!("`{k}`")).collect();
    let what = format!(
        "the catalog no longer writes [{dotted}], but it holds keys you added ({}); codexgen will not decide for you",
        keys.join(", ")
    );
    let header = format!("[{dotted}]");
    let problem = match current
        .match_indices(&header)
        .map(|(at, _)| at)
        .find(|&at| at == 0 || current[..at].ends_with('\n'))
    {
        Some(at) => Problem::new(what)
            .at(Snippet::at_offset(file, current, at, header.len()))
            .label("without codexgen's keys Codex refuses this table, and with them it may clash with what the catalog writes now".to_owned()),
        None => Problem::new(format!("{file}: {what}")),
    };
    MergeError::Undecided(problem.help(format!(
        "remove your keys from [{dotted}] (or the whole table) if the catalog's change is what you want, or put that part back in the catalog; then run codexgen again (nothing was written)"
    )))
}

/// What stays of a table once the leaves in `going` are removed: its other
/// leaves, arrays of tables and empty tables (which a removal never takes),
/// as paths relative to the first `base` keys of `path`.
fn remaining(
    table: &dyn toml_edit::TableLike,
    path: &mut Vec<String>,
    base: usize,
    going: &HashSet<&[String]>,
    out: &mut Vec<String>,
) {
    for (key, item) in table.iter() {
        path.push(key.to_owned());
        match item {
            // A map codexgen wrote inline may be a table now (see `stale_leaves`).
            Item::Value(_) | Item::Table(_) if going.contains(path.as_slice()) => {}
            Item::Table(t) if !t.is_empty() => remaining(t, path, base, going, out),
            Item::None => {}
            _ => out.push(path[base..].join(".")),
        }
        path.pop();
    }
}

/// One file of a Codex home, to be merged.
pub struct FileInput<'a> {
    pub file: CodexFile,
    /// How messages name the file (its real path).
    pub label: String,
    pub current: Option<&'a str>,
    /// The rendered text; `None` when the catalog no longer renders the file.
    pub desired: Option<&'a str>,
    /// What codexgen managed in this file after its last write.
    pub previous: &'a [Managed],
    /// The file holds exactly what codexgen wrote from these same inputs
    /// (see `plan`): merging would give it back unchanged, so it is not
    /// merged again unless keys move into it.
    pub unchanged: bool,
}

/// Merges every file of a Codex home; results come in input order.
/// config.toml goes first: the `[profiles.NAME]` tables it gives up (one per
/// profile in `adopt`) carry their hand-written keys into `NAME.config.toml`.
pub fn merge_home(
    inputs: &[FileInput<'_>],
    header: &str,
    adopt: &[ProfileName],
) -> Result<Vec<Merged>, MergeError> {
    merge_home_using(inputs, header, adopt, &[], false)
}

/// [`merge_home`], where `used_elsewhere` names the providers that files
/// of the user's in the home use (see [`Ownership::used_elsewhere`]): a
/// provider among them that leaves the catalog stays in config.toml; and
/// `drop_selector`: config.toml's top-level `profile` goes (see
/// [`Ownership::drop_selector`]).
pub fn merge_home_using(
    inputs: &[FileInput<'_>],
    header: &str,
    adopt: &[ProfileName],
    used_elsewhere: &[(String, String)],
    drop_selector: bool,
) -> Result<Vec<Merged>, MergeError> {
    let merge_one = |input: &FileInput<'_>, adopt, carry_in: &[Managed]| {
        if input.unchanged && carry_in.is_empty() {
            return Ok(Merged {
                text: input.current.map(str::to_owned),
                managed: input.previous.to_vec(),
                notes: Vec::new(),
                moved: Vec::new(),
            });
        }
        let own = Ownership {
            previous: input.previous,
            adopt,
            carry_in,
            used_elsewhere: if input.file == CodexFile::Config {
                used_elsewhere
            } else {
                &[]
            },
            drop_selector: drop_selector && input.file == CodexFile::Config,
        };
        merge(&input.label, input.current, input.desired, header, &own)
    };
    let config_at = inputs.iter().position(|i| i.file == CodexFile::Config);
    let merge_config = || {
        config_at
            .map(|at| merge_one(&inputs[at], adopt, &[]))
            .transpose()
    };
    // The other files, each with the keys config.toml's merge moved into
    // it (`carry_in`); config.toml's own place is `None`.
    let merge_rest = |moved: &HashMap<&ProfileName, &[Managed]>| {
        inputs
            .iter()
            .enumerate()
            .map(|(at, input)| {
                if Some(at) == config_at {
                    return Ok(None);
                }
                let carry_in = input
                    .file
                    .profile()
                    .and_then(|p| moved.get(p).copied())
                    .unwrap_or_default();
                merge_one(input, &[], carry_in).map(Some)
            })
            .collect::<Result<Vec<_>, _>>()
    };
    // With no legacy table to adopt (none asked for, or none config.toml
    // can hold, on disk or rendered), no key moves from config.toml into a profile file:
    // thousands of files then merge beside config.toml (with 10,000
    // providers it weighs as much as they do together). config.toml's
    // error comes first either way, as when it is merged first.
    let moves_nothing = adopt.is_empty()
        || config_at.is_none_or(|at| {
            !may_hold_legacy_tables(inputs[at].current)
                && !may_hold_legacy_tables(inputs[at].desired)
        });
    let (mut config, mut merged) = if moves_nothing && inputs.len() >= crate::halves::FROM {
        let (config, merged) = crate::halves::both(merge_config, || merge_rest(&HashMap::new()));
        (config?, merged?)
    } else {
        let config = merge_config()?;
        let merged = {
            let moved: HashMap<&ProfileName, &[Managed]> = config
                .iter()
                .flat_map(|c| &c.moved)
                .map(|m| (&m.profile, m.keys.as_slice()))
                .collect();
            merge_rest(&moved)?
        };
        (config, merged)
    };
    // A moved key the profile file renders itself is replaced, not carried:
    // say so only of the keys that really move.
    if let Some(config) = &mut config {
        let at: HashMap<&CodexFile, usize> = inputs
            .iter()
            .enumerate()
            .map(|(i, input)| (&input.file, i))
            .collect();
        for note in &mut config.notes {
            let Note::Migrated { profile, carried } = note else {
                continue;
            };
            let file = CodexFile::Profile(profile.clone());
            let rendered = at.get(&file).and_then(|&i| merged[i].as_ref());
            carried.retain(|key| {
                !rendered.is_some_and(|m| m.managed.iter().any(|x| x.path.join(".") == *key))
            });
        }
    }
    if let Some(at) = config_at {
        merged[at] = config;
    }
    Ok(merged.into_iter().flatten().collect())
}

/// `text` in pieces of about `size` bytes (see [`pieces`](mod@pieces)):
/// each whole TOML on its own, and together the same keys and tables as
/// the whole text as far as its lines tell; one piece when they cannot.
pub(crate) fn in_pieces(text: &str, size: usize) -> Vec<&str> {
    pieces::pieces(text, size)
}

/// Every leaf path in a TOML text (paths into inline tables included), or
/// none when it does not parse.
pub fn leaf_paths(text: &str) -> Vec<Vec<String>> {
    split_header(text)
        .1
        .parse::<DocumentMut>()
        .map(|doc| {
            collect_leaves(doc.as_table(), &[], true)
                .into_iter()
                .map(|l| l.path)
                .collect()
        })
        .unwrap_or_default()
}

/// The value at each of `paths` in a TOML text, as one line of TOML
/// ([`canonical`]), or `None` where nothing is (and everywhere when the text
/// does not parse). For reports of what a plan changes.
pub fn values_at(text: &str, paths: &[&[String]]) -> Vec<Option<String>> {
    let Ok(doc) = split_header(text).1.parse::<DocumentMut>() else {
        return vec![None; paths.len()];
    };
    paths
        .iter()
        .map(|path| lookup(doc.as_table(), path).map(canonical))
        .collect()
}

/// What the reader should know about a wanted leaf (whose value is `new`;
/// `same`: equal to the disk's).
fn classify(
    path: &[String],
    found: Option<&Item>,
    recorded: Option<&Managed>,
    new: &str,
    same: bool,
) -> Option<Note> {
    let path = path.join(".");
    match (found, recorded) {
        // Equal to the catalog's: nothing changes, but a value codexgen
        // never wrote is its own from now on.
        (Some(item), None) if same => Some(Note::TakenAsIs {
            path,
            value: canonical(item),
        }),
        _ if same => None,
        (Some(item), Some(rec)) if !matches_recorded(item, rec) => Some(Note::Drift {
            path,
            written: rec.value.clone(),
            found: Some(canonical(item)),
            action: DriftAction::Overwrite,
        }),
        // The catalog changed since the last write: an ordinary update.
        (Some(_), Some(_)) | (None, None) => None,
        (Some(item), None) => Some(Note::TakeOver {
            path,
            found: canonical(item),
            new: new.to_owned(),
        }),
        (None, Some(rec)) => Some(Note::Drift {
            path,
            written: rec.value.clone(),
            found: None,
            action: DriftAction::Restore,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_through_tables_and_inline_tables() {
        let text = "model = \"m\" # note\n[model_providers.a]\nquery_params = { v = \"1\" }\n";
        let path = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let (model, params, inner, none) = (
            path(&["model"]),
            path(&["model_providers", "a", "query_params"]),
            path(&["model_providers", "a", "query_params", "v"]),
            path(&["model_providers", "b", "name"]),
        );
        assert_eq!(
            values_at(text, &[&model, &params, &inner, &none]),
            [
                Some("\"m\"".to_owned()),
                Some("{ v = \"1\" }".to_owned()),
                Some("\"1\"".to_owned()),
                None
            ]
        );
        assert_eq!(values_at("not toml [", &[&model]), [None]);
    }

    const HEADER: &str = "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n";

    fn run(current: Option<&str>, desired: Option<&str>, previous: &[Managed]) -> Merged {
        let own = Ownership {
            previous,
            ..Ownership::default()
        };
        merge(
            &CodexFile::Config.to_string(),
            current,
            desired,
            HEADER,
            &own,
        )
        .unwrap()
    }

    fn managed(path: &str, value: &str) -> Managed {
        Managed {
            path: path.split('.').map(str::to_owned).collect(),
            value: value.to_owned(),
            before: None,
        }
    }

    #[test]
    fn many_files_merge_on_two_threads_to_one_threads_answer() {
        // Past halves::FROM files with nothing adopted, config.toml is merged
        // beside the profile files: the same results, in input order, as
        // below it, and config.toml's error before a profile file's.
        let names: Vec<String> = (0..300).map(|i| format!("p{i}")).collect();
        let texts: Vec<String> = names.iter().map(|n| format!("model = \"{n}\"\n")).collect();
        let inputs = |config: &'static str, broken: Option<usize>| -> Vec<FileInput<'_>> {
            std::iter::once(FileInput {
                file: CodexFile::Config,
                label: "config.toml".to_owned(),
                current: Some(config),
                desired: Some("model = \"m\"\n"),
                previous: &[],
                unchanged: false,
            })
            .chain(
                names
                    .iter()
                    .zip(&texts)
                    .enumerate()
                    .map(|(i, (n, t))| FileInput {
                        file: CodexFile::Profile(ProfileName::new(n).unwrap()),
                        label: format!("{n}.config.toml"),
                        current: (broken == Some(i)).then_some("broken = ["),
                        desired: Some(t),
                        previous: &[],
                        unchanged: false,
                    }),
            )
            .collect()
        };
        let many = inputs("# mine\n", None);
        let merged = merge_home(&many, HEADER, &[]).unwrap();
        let one_by_one: Vec<Merged> = many
            .iter()
            .map(|i| {
                merge(
                    &i.label,
                    i.current,
                    i.desired,
                    HEADER,
                    &Ownership::default(),
                )
                .unwrap()
            })
            .collect();
        assert_eq!(merged.len(), 301);
        for (two, one) in merged.iter().zip(&one_by_one) {
            assert_eq!(two.text, one.text);
            assert_eq!(two.managed, one.managed);
        }
        let error =
            |inputs: &[FileInput<'_>]| merge_home(inputs, HEADER, &[]).unwrap_err().to_string();
        let config = error(&inputs("broken = [", Some(250)));
        assert!(
            config.contains("config.toml") && !config.contains("p250"),
            "{config}"
        );
        let profile = error(&inputs("# mine\n", Some(250)));
        assert!(profile.contains("p250.config.toml"), "{profile}");
    }

    #[test]
    fn many_files_with_an_adopted_table_still_carry_its_keys() {
        // An adopted legacy table moves the keys it holds into its profile
        // file: that file waits for config.toml's merge, however many files.
        // However the table's key is spelt: an escape in a quoted key too.
        for table in ["profiles.p7", r#""pro\u0066iles".p7"#, r"'profiles'.p7"] {
            let current =
                format!("[{table}]\nmodel = \"p7\"\nmodel_instructions_file = \"/mine.md\"\n");
            let p7 = carried_on_many_files(&current, "model = \"m\"\n");
            assert!(
                p7.contains("model_instructions_file = \"/mine.md\""),
                "{p7}"
            );
        }
        // Or rendered: an inline table's entries leave an adopted table.
        let p7 = carried_on_many_files(
            "model = \"m\"\n",
            "model = \"m\"\n\n[profiles.p7]\nk = { a = 1 }\n",
        );
        assert!(p7.contains("a = 1"), "{p7}");
    }

    /// The text of p7's profile file, merged with 299 others and
    /// config.toml's `current` and `desired`, p7's legacy table adopted.
    fn carried_on_many_files(current: &str, desired: &str) -> String {
        let names: Vec<String> = (0..300).map(|i| format!("p{i}")).collect();
        let texts: Vec<String> = names.iter().map(|n| format!("model = \"{n}\"\n")).collect();
        let inputs: Vec<FileInput<'_>> = std::iter::once(FileInput {
            file: CodexFile::Config,
            label: "config.toml".to_owned(),
            current: Some(current),
            desired: Some(desired),
            previous: &[],
            unchanged: false,
        })
        .chain(names.iter().zip(&texts).map(|(n, t)| FileInput {
            file: CodexFile::Profile(ProfileName::new(n).unwrap()),
            label: format!("{n}.config.toml"),
            current: None,
            desired: Some(t),
            previous: &[],
            unchanged: false,
        }))
        .collect();
        let adopt = [ProfileName::new("p7").unwrap()];
        let merged = merge_home(&inputs, HEADER, &adopt).unwrap();
        assert!(!merged[0].text.as_deref().unwrap().contains("mine.md"));
        merged[8].text.clone().unwrap()
    }

    #[test]
    fn a_record_never_removes_a_table() {
        // A record (hostile, or of a value the user turned into a table)
        // naming `[model_providers.mine.auth]` and `[mcp_servers.x]` as
        // leaves codexgen wrote: the tables are the user's and stay.
        let current = "[model_providers.mine]\nname = \"Mine\"\n\n[model_providers.mine.auth]\ncommand = \"op\"\n\n[[mcp_servers.x.tools]]\nname = \"t\"\n";
        let previous = [
            managed("model_providers.mine.auth", "{ command = \"op\" }"),
            managed("mcp_servers.x.tools", "[]"),
        ];
        let out = run(Some(current), Some("model = \"m\"\n"), &previous);
        let text = out.text.unwrap();
        assert!(
            text.contains("[model_providers.mine.auth]\ncommand = \"op\"\n"),
            "{text}"
        );
        assert!(text.contains("[[mcp_servers.x.tools]]"), "{text}");
        assert!(out.notes.is_empty(), "{:?}", out.notes);
    }

    #[test]
    fn new_file_is_header_plus_rendered_text() {
        let out = run(None, Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\n"
            )
        );
        assert_eq!(out.managed, vec![managed("model", "\"m\"")]);
        assert!(out.notes.is_empty());
    }

    #[test]
    fn unmanaged_content_is_kept_byte_for_byte() {
        let current = "# my settings\nmodel = \"old\"  # picked by hand\n\n[projects.\"/home/me/x\"]\ntrust_level = \"trusted\" # keep\n\n[mcp_servers.docs]\ncommand = 'npx'\nargs = [ \"-y\",   \"docs\" ]\n";
        let desired = "model = \"new\"\n\n[model_providers.groq]\nname = \"Groq\"\n";
        let out = run(Some(current), Some(desired), &[managed("model", "\"old\"")]);
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n# my settings\nmodel = \"new\"  # picked by hand\n\n[projects.\"/home/me/x\"]\ntrust_level = \"trusted\" # keep\n\n[mcp_servers.docs]\ncommand = 'npx'\nargs = [ \"-y\",   \"docs\" ]\n\n[model_providers.groq]\nname = \"Groq\"\n"
            )
        );
        assert!(out.notes.is_empty(), "{:?}", out.notes);
    }

    #[test]
    fn merging_twice_changes_nothing() {
        let current = "[tui]\nx = 1\n";
        let desired = "model = \"m\"\n\n[model_providers.a]\nname = \"A\"\nq = { k = \"v\" }\n";
        let once = run(Some(current), Some(desired), &[]);
        let twice = run(once.text.as_deref(), Some(desired), &once.managed);
        assert_eq!(once.text, twice.text);
        assert!(twice.notes.is_empty());
    }

    #[test]
    fn equal_values_written_differently_are_left_alone() {
        let current = "model = 'm'  # mine\n";
        let out = run(Some(current), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = 'm'  # mine\n"
            )
        );
    }

    #[test]
    fn stale_entries_are_removed_with_their_table() {
        let current = "model = \"m\"\n\n[model_providers.a]\nname = \"A\"\n\n[model_providers.b]\nname = \"B\"\n\n[tui]\nx = 1\n";
        let previous = [
            managed("model", "\"m\""),
            managed("model_providers.a.name", "\"A\""),
            managed("model_providers.b.name", "\"B\""),
        ];
        let out = run(
            Some(current),
            Some("model = \"m\"\n\n[model_providers.a]\nname = \"A\"\n"),
            &previous,
        );
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\n\n[model_providers.a]\nname = \"A\"\n\n[tui]\nx = 1\n"
            )
        );
    }

    #[test]
    fn a_hand_added_key_keeps_its_table_whole_and_releases_it() {
        // Given a provider codexgen wrote, with a key the user added,
        let current = "[model_providers.b]\nname = \"B\"\nenv_key = \"B_KEY\"\nmine = true\n";
        let previous = [
            managed("model_providers.b.name", "\"B\""),
            managed("model_providers.b.env_key", "\"B_KEY\""),
        ];
        // running a catalog without it
        let out = run(Some(current), Some(""), &previous);
        // produces the table as it was (Codex refuses a provider without
        // `name`), no longer managed, and says so.
        assert_eq!(out.text.as_deref(), Some(&*format!("{HEADER}{current}")));
        assert_eq!(out.managed, vec![]);
        assert_eq!(
            out.notes,
            vec![Note::Released {
                table: "model_providers.b".into(),
                keys: vec!["mine".into()],
                used_by: vec![],
            }]
        );
        // A next run has nothing to do.
        let again = run(out.text.as_deref(), Some(""), &out.managed);
        assert_eq!(again.text, out.text);
        assert_eq!(again.notes, vec![]);
    }

    #[test]
    fn whole_seconds_of_an_mcp_server_equal_their_float() {
        // Given an MCP server's seconds written whole (by hand, or by an
        // older Codex), and the same number as a float rendered,
        let current = "[mcp_servers.x]\ncommand = \"npx\"\nstartup_timeout_sec = 30\n";
        let desired = "[mcp_servers.x]\ncommand = \"npx\"\nstartup_timeout_sec = 30.0\n";
        // running it changes nothing but the header;
        let out = run(Some(current), Some(desired), &[]);
        assert_eq!(out.text.as_deref(), Some(&*format!("{HEADER}{current}")));
        assert!(
            out.notes
                .iter()
                .all(|n| matches!(n, Note::TakenAsIs { .. })),
            "{:?}",
            out.notes
        );
        // elsewhere a float is not an integer (Codex refuses `30.0` where
        // it reads a whole number).
        let current = "[model_providers.p]\nname = \"P\"\nrequest_max_retries = 3.0\n";
        let desired = "[model_providers.p]\nname = \"P\"\nrequest_max_retries = 3\n";
        let out = run(Some(current), Some(desired), &[]);
        assert!(
            out.text
                .as_deref()
                .is_some_and(|t| t.contains("request_max_retries = 3\n")),
            "{:?}",
            out.text
        );
    }

    #[test]
    fn a_map_codex_rewrote_as_a_table_leaves_with_its_entry() {
        // Given an MCP server codexgen wrote with an inline map, which
        // Codex rewrote as a table (`codex mcp add` does), beside the
        // user's own server,
        let current = "[mcp_servers.t]\nurl = \"https://m.example/mcp\"\n\n[mcp_servers.t.http_headers]\nX-Team = \"a\"\n\n[mcp_servers.mine]\ncommand = \"echo\"\n";
        let previous = [
            managed("mcp_servers.t.url", "\"https://m.example/mcp\""),
            managed("mcp_servers.t.http_headers", "{ X-Team = \"a\" }"),
        ];
        // running a catalog without the server
        let out = run(Some(current), Some(""), &previous);
        // produces the user's server only, with no note.
        assert_eq!(
            out.text.as_deref(),
            Some(&*format!(
                "{HEADER}[mcp_servers.mine]\ncommand = \"echo\"\n"
            ))
        );
        assert_eq!(out.notes, vec![]);
        // A table holding other data than the one recorded is the user's.
        let edited = current.replace("X-Team = \"a\"", "X-Team = \"b\"");
        let out = run(Some(&edited), Some(""), &previous);
        assert!(
            out.text
                .as_deref()
                .is_some_and(|t| t.contains("X-Team = \"b\"")),
            "{:?}",
            out.text
        );
    }

    #[test]
    fn a_provider_the_users_model_provider_names_stays_whole() {
        // Given a provider codexgen wrote, that a `model_provider` codexgen
        // does not write names (at the top, in a `[profiles.NAME]` table),
        let table = "[model_providers.b]\nname = \"B\"\nenv_key = \"B_KEY\"\n";
        let previous = [
            managed("model_providers.b.name", "\"B\""),
            managed("model_providers.b.env_key", "\"B_KEY\""),
        ];
        for (user, key) in [
            ("model_provider = \"b\"\n", "model_provider"),
            (
                "[profiles.p]\nmodel_provider = \"b\"\n",
                "profiles.p.model_provider",
            ),
        ] {
            let current = format!("{user}{table}");
            // a catalog without it
            let out = run(Some(&current), Some(""), &previous);
            // leaves it whole (Codex refuses a file naming a provider it
            // does not know), and says which key names it.
            assert_eq!(out.text, Some(format!("{HEADER}{current}")));
            assert_eq!(
                out.notes,
                vec![Note::Released {
                    table: "model_providers.b".into(),
                    keys: vec![],
                    used_by: vec![key.into()],
                }]
            );
        }
        // Nor does one of codexgen's that leaves with it (a legacy profile),
        let current = format!("[profiles.p]\nmodel_provider = \"b\"\n{table}");
        let mut with_profile = previous.to_vec();
        with_profile.push(managed("profiles.p.model_provider", "\"b\""));
        let out = run(Some(&current), Some(""), &with_profile);
        assert_eq!(out.text.as_deref(), Some(HEADER));
        // unless `profile = "p"` selects that profile: both stay.
        let current = format!("profile = \"p\"\n{current}");
        let out = run(Some(&current), Some(""), &with_profile);
        assert_eq!(out.text, Some(format!("{HEADER}{current}")));
        // One the catalog writes, or that names another provider, does not keep it.
        let current = format!("model_provider = \"a\"\n{table}");
        let out = run(Some(&current), Some(""), &previous);
        assert_eq!(out.text, Some(format!("{HEADER}model_provider = \"a\"\n")));
        let current = format!("model_provider = \"b\"\n{table}");
        let out = run(Some(&current), Some("model_provider = \"b\"\n"), &previous);
        assert!(!out.text.unwrap_or_default().contains("[model_providers.b]"));
    }

    #[test]
    fn a_hand_added_subtable_keeps_the_provider_whole_with_its_auth() {
        // Given a provider with codexgen's [auth] and the user's headers,
        let current = "[model_providers.b]\nname = \"B\"\n\n[model_providers.b.auth]\ncommand = \"tok\"\n\n[model_providers.b.http_headers]\nX-Team = \"a\"\n\n[tui]\nx = 1\n";
        let previous = [
            managed("model_providers.b.name", "\"B\""),
            managed("model_providers.b.auth.command", "\"tok\""),
        ];
        // running a catalog without it
        let out = run(Some(current), Some("model = \"m\"\n"), &previous);
        // produces every line of it still there.
        let text = out.text.unwrap();
        assert!(
            text.contains("[model_providers.b]\nname = \"B\"\n\n[model_providers.b.auth]\ncommand = \"tok\"\n\n[model_providers.b.http_headers]\nX-Team = \"a\"\n"),
            "{text}"
        );
        assert_eq!(
            out.notes,
            vec![Note::Released {
                table: "model_providers.b".into(),
                keys: vec!["http_headers.X-Team".into()],
                used_by: vec![],
            }]
        );
    }

    #[test]
    fn a_users_key_in_an_auth_table_that_leaves_stops_the_merge() {
        // Given a provider that stays but loses its [auth], where the user
        // added a key,
        let current = "[model_providers.b]\nname = \"B\"\n\n[model_providers.b.auth]\ncommand = \"tok\"\ntimeout_ms = 5\n";
        let previous = [
            managed("model_providers.b.name", "\"B\""),
            managed("model_providers.b.auth.command", "\"tok\""),
        ];
        let own = Ownership {
            previous: &previous,
            ..Ownership::default()
        };
        // running a catalog where b has no auth
        let out = merge(
            "config.toml",
            Some(current),
            Some("[model_providers.b]\nname = \"B\"\nenv_key = \"K\"\n"),
            HEADER,
            &own,
        );
        // produces an error at the table's header: without `command` Codex
        // refuses it, and beside `env_key` too; the user decides.
        let Err(MergeError::Undecided(problem)) = out else {
            panic!("{out:?}");
        };
        assert!(
            problem
                .message
                .contains("[model_providers.b.auth], but it holds keys you added (`timeout_ms`)"),
            "{}",
            problem.message
        );
        assert_eq!(problem.snippet.as_deref().map(|s| s.line), Some(4));
    }

    #[test]
    fn a_provider_that_stays_loses_a_key_as_before() {
        let current = "[model_providers.b]\nname = \"B\"\nenv_key = \"K\"\nmine = true\n";
        let previous = [
            managed("model_providers.b.name", "\"B\""),
            managed("model_providers.b.env_key", "\"K\""),
        ];
        let out = run(
            Some(current),
            Some("[model_providers.b]\nname = \"B\"\n"),
            &previous,
        );
        assert_eq!(
            out.text.as_deref(),
            Some(&*format!(
                "{HEADER}[model_providers.b]\nname = \"B\"\nmine = true\n"
            ))
        );
        assert_eq!(out.notes, vec![]);
    }

    #[test]
    fn comments_above_and_inside_a_removed_table_stay() {
        // Given a removed provider with a parked block above it, a comment
        // on its header, one inside, one after a value, and one in an array,
        let current = "model = \"m\"\n\n# Parked for later:\n# [mcp_servers.legacy]\n# command = \"old\"\n\n# about b\n[model_providers.b] # b's header\n# inside b\nname = \"B\"\nenv_key = \"K\" # after a value\nlist = [\n  \"x\", # in an array\n]\nnote = \"\"\"\n# not a comment\n\"\"\"\n\n[tui]\nx = 1\n";
        let previous = [
            managed("model", "\"m\""),
            managed("model_providers.b.name", "\"B\""),
            managed("model_providers.b.env_key", "\"K\""),
            managed("model_providers.b.list", "[\"x\"]"),
            managed("model_providers.b.note", "\"# not a comment\\n\""),
        ];
        // running a catalog without b
        let out = run(Some(current), Some("model = \"m\"\n"), &previous);
        // produces b gone and every comment where b was, blank lines kept.
        assert_eq!(
            out.text.as_deref(),
            Some(&*format!(
                "{HEADER}model = \"m\"\n\n# Parked for later:\n# [mcp_servers.legacy]\n# command = \"old\"\n\n# about b\n# b's header\n# inside b\n# after a value\n  # in an array\n\n[tui]\nx = 1\n"
            ))
        );
        assert_eq!(out.notes, vec![Note::CommentsKept { lines: 8 }]);
        // and a next run changes nothing.
        let again = run(out.text.as_deref(), Some("model = \"m\"\n"), &out.managed);
        assert_eq!(again.text, out.text);
    }

    #[test]
    fn the_comment_above_a_removed_key_stays_in_its_table() {
        // Given a managed key with the user's comment above it and after it,
        let current = "[model_providers.b]\nname = \"B\"\n# keep the limit low\nstream_max_retries = 3 # see ticket 12\nbase_url = \"u\"\n";
        let previous = [
            managed("model_providers.b.name", "\"B\""),
            managed("model_providers.b.stream_max_retries", "3"),
            managed("model_providers.b.base_url", "\"u\""),
        ];
        // running a catalog that no longer sets it
        let out = run(
            Some(current),
            Some("[model_providers.b]\nname = \"B\"\nbase_url = \"u\"\n"),
            &previous,
        );
        // produces the key gone and both comments in its place.
        assert_eq!(
            out.text.as_deref(),
            Some(&*format!(
                "{HEADER}[model_providers.b]\nname = \"B\"\n# keep the limit low\n# see ticket 12\nbase_url = \"u\"\n"
            ))
        );
    }

    #[test]
    fn a_file_no_longer_generated_keeps_only_the_users_comments() {
        // Given a profile file with the user's comments at the top and middle,
        let current = format!(
            "{HEADER}# my fast profile\nmodel = \"m\"\n# why this provider\nmodel_provider = \"p\"\n"
        );
        let previous = [
            managed("model", "\"m\""),
            managed("model_provider", "\"p\""),
        ];
        // running a catalog without the profile
        let out = run(Some(&current), None, &previous);
        // produces the file with the comments only, without codexgen's header.
        assert_eq!(
            out.text.as_deref(),
            Some("# my fast profile\n# why this provider\n")
        );
    }

    #[test]
    fn a_profile_that_leaves_keeps_the_users_keys_and_comments_only() {
        // Given a profile file with the user's key and comment,
        let current = format!("{HEADER}model = \"m\"\n# mine\nmodel_verbosity = \"low\"\n");
        // running a catalog without the profile
        let out = run(Some(&current), None, &[managed("model", "\"m\"")]);
        // produces the user's lines only: Codex needs no key in a profile.
        assert_eq!(
            out.text.as_deref(),
            Some("# mine\nmodel_verbosity = \"low\"\n")
        );
        assert_eq!(out.notes, vec![]);
    }

    #[test]
    fn comments_of_a_removed_table_in_a_crlf_file_stay_with_crlf() {
        let current = "model = \"m\"\r\n\r\n# parked\r\n[model_providers.b]\r\nname = \"B\" # mine\r\n\r\n[tui]\r\nx = 1\r\n";
        let previous = [
            managed("model", "\"m\""),
            managed("model_providers.b.name", "\"B\""),
        ];
        let out = run(Some(current), Some("model = \"m\"\n"), &previous);
        assert_eq!(
            out.text.as_deref(),
            Some(&*format!(
                "{}model = \"m\"\r\n\r\n# parked\r\n# mine\r\n\r\n[tui]\r\nx = 1\r\n",
                HEADER.replace('\n', "\r\n")
            ))
        );
    }

    #[test]
    fn drift_is_reported() {
        let current = "model = \"hand-picked\"\n";
        let out = run(
            Some(current),
            Some("model = \"m\"\n"),
            &[managed("model", "\"m\"")],
        );
        assert_eq!(
            out.notes,
            vec![Note::Drift {
                path: "model".into(),
                written: "\"m\"".into(),
                found: Some("\"hand-picked\"".into()),
                action: DriftAction::Overwrite,
            }]
        );
    }

    #[test]
    fn a_value_never_written_is_taken_over_with_a_note() {
        let out = run(Some("model = \"x\"\n"), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.notes,
            vec![Note::TakeOver {
                path: "model".into(),
                found: "\"x\"".into(),
                new: "\"m\"".into(),
            }]
        );
    }

    #[test]
    fn a_value_never_written_but_equal_to_the_catalogs_is_taken_over_with_a_note() {
        let current = "model = 'm' # mine\n";
        let out = run(Some(current), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.notes,
            vec![Note::TakenAsIs {
                path: "model".into(),
                value: "'m'".into(),
            }]
        );
        assert_eq!(out.managed[0].before.as_deref(), Some("'m'"));
        // Given back when the catalog stops setting it: the line stays.
        let back = run(out.text.as_deref(), Some(""), &out.managed);
        assert_eq!(back.text, Some(format!("{HEADER}{current}")));
        assert_eq!(
            back.notes,
            vec![Note::GivenBack {
                path: "model".into(),
                found: "'m'".into(),
                yours: None,
            }]
        );
    }

    #[test]
    fn a_taken_over_value_edited_since_is_given_back_as_edited() {
        let out = run(Some("model = \"x\"\n"), Some("model = \"m\"\n"), &[]);
        assert_eq!(out.managed[0].before.as_deref(), Some("\"x\""));
        let edited = out.text.unwrap().replace("\"m\"", "\"y\"");
        let back = run(Some(&edited), Some(""), &out.managed);
        assert!(back.text.unwrap().contains("model = \"y\"\n"));
        // And the user's own value comes back when codexgen's is there.
        let out = run(Some("model = \"x\"\n"), Some("model = \"m\"\n"), &[]);
        let back = run(out.text.as_deref(), Some(""), &out.managed);
        assert_eq!(back.text, Some(format!("{HEADER}model = \"x\"\n")));
    }

    #[test]
    fn a_file_no_longer_generated_is_deleted_when_only_ours() {
        let current = "# codexgen: generated from catalog version old; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\n";
        assert_eq!(
            run(Some(current), None, &[managed("model", "\"m\"")]).text,
            None
        );
        let current = "# codexgen: generated from catalog version old; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\nmine = 1\n";
        assert_eq!(
            run(Some(current), None, &[managed("model", "\"m\"")])
                .text
                .as_deref(),
            Some("mine = 1\n")
        );
    }

    #[test]
    fn header_is_replaced_not_stacked() {
        let current = "# codexgen: generated from catalog version old; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n# codexgen: generated from catalog version older; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\n";
        let out = run(Some(current), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\n"
            )
        );
    }

    #[test]
    fn missing_final_newline_is_handled() {
        let out = run(Some("[tui]\nx = 1"), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\n[tui]\nx = 1\n"
            )
        );
        let out = run(Some("model = \"m\""), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\""
            )
        );
    }

    #[test]
    fn a_profile_selector_goes_only_when_asked_and_its_comment_stays() {
        let current = "# pick fast\nprofile = \"fast\" # mine\nmodel = \"m\"\n\n[profiles.fast]\nmodel = \"x\"\n";
        let merged = |drop_selector| {
            let own = Ownership {
                drop_selector,
                ..Ownership::default()
            };
            merge(
                &CodexFile::Config.to_string(),
                Some(current),
                Some("model = \"m\"\n"),
                HEADER,
                &own,
            )
            .unwrap()
        };
        let out = merged(true);
        assert_eq!(
            out.text.as_deref(),
            // The table it selected is the user's and stays (not adopted here).
            Some(&*format!(
                "{HEADER}# pick fast\n# mine\nmodel = \"m\"\n\n[profiles.fast]\nmodel = \"x\"\n"
            ))
        );
        assert!(out.notes.contains(&Note::SelectorRemoved {
            profile: "fast".into()
        }));
        let out = merged(false);
        assert!(out.text.unwrap().contains("profile = \"fast\" # mine\n"));
        assert!(
            out.notes
                .iter()
                .all(|n| !matches!(n, Note::SelectorRemoved { .. }))
        );
    }

    #[test]
    fn adopted_tables_are_emptied_and_foreign_keys_move_out() {
        let current = "# my profile a\n[profiles.a] # fast\nmodel = \"m\"\nmodel_provider = \"p\"\n# why this file\nmodel_instructions_file = \"/x.md\" # mine\n\n[profiles.a.tools]\nweb = true\n\n[profiles.keep]\nmodel = \"x\"\n\n[tui]\nx = 1\n";
        let adopt = [ProfileName::new("a").unwrap()];
        let previous = [
            managed("profiles.a.model", "\"m\""),
            managed("profiles.a.model_provider", "\"p\""),
        ];
        let own = Ownership {
            previous: &previous,
            adopt: &adopt,
            ..Ownership::default()
        };
        let out = merge(
            &CodexFile::Config.to_string(),
            Some(current),
            Some(""),
            HEADER,
            &own,
        )
        .unwrap();
        assert_eq!(
            out.text.as_deref(),
            // The table's comments stay behind (docs/ownership.md says so).
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n# my profile a\n# fast\n# why this file\n# mine\n\n[profiles.keep]\nmodel = \"x\"\n\n[tui]\nx = 1\n"
            )
        );
        assert_eq!(
            out.notes,
            vec![Note::Migrated {
                profile: ProfileName::new("a").unwrap(),
                carried: vec!["model_instructions_file".into(), "tools.web".into()],
            }]
        );
        let moved = &out.moved[0];
        assert_eq!(moved.profile.as_str(), "a");

        // ...and land in the profile's own file, unmanaged.
        let own = Ownership {
            carry_in: &moved.keys,
            ..Ownership::default()
        };
        let file = merge(
            "a.config.toml",
            None,
            Some("model = \"m\"\nmodel_provider = \"p\"\n"),
            HEADER,
            &own,
        )
        .unwrap();
        assert_eq!(
            file.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\nmodel_provider = \"p\"\nmodel_instructions_file = \"/x.md\"\n\n[tools]\nweb = true\n"
            )
        );
        assert_eq!(file.managed.len(), 2);
    }

    #[test]
    fn comments_of_a_last_adopted_table_stay_at_the_end() {
        let current =
            "[tui]\nx = 1\n\n# about a\n[profiles.a]\nmodel = \"m\" # inline\nextra = 1\n";
        let adopt = [ProfileName::new("a").unwrap()];
        let own = Ownership {
            adopt: &adopt,
            ..Ownership::default()
        };
        let out = merge("config.toml", Some(current), Some(""), HEADER, &own).unwrap();
        let text = out.text.unwrap();
        assert!(
            text.ends_with("[tui]\nx = 1\n\n# about a\n# inline\n"),
            "{text}"
        );
    }

    #[test]
    fn inline_legacy_profiles_are_adopted_too() {
        let current = "[profiles]\na = { model = \"m\", extra = 1 }\n";
        let adopt = [ProfileName::new("a").unwrap()];
        let own = Ownership {
            adopt: &adopt,
            ..Ownership::default()
        };
        let out = merge(
            &CodexFile::Config.to_string(),
            Some(current),
            Some("model = \"m\"\n"),
            HEADER,
            &own,
        )
        .unwrap();
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\n"
            )
        );
        assert_eq!(out.moved[0].keys.len(), 2);
    }

    #[test]
    fn a_comment_only_file_keeps_its_comments_on_top() {
        let out = run(Some("# my notes\n# more\n"), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n# my notes\n# more\nmodel = \"m\"\n"
            )
        );
    }

    #[test]
    fn a_byte_order_mark_stays_first() {
        let out = run(
            Some(
                "\u{feff}# codexgen: generated from catalog version old; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n[tui]\nx = 1\n",
            ),
            Some("model = \"m\"\n"),
            &[],
        );
        assert_eq!(
            out.text.as_deref(),
            Some(
                "\u{feff}# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\n[tui]\nx = 1\n"
            )
        );
    }

    #[test]
    fn crlf_files_keep_crlf() {
        let out = run(
            Some("# mine\r\n[tui]\r\nx = 1\r\n"),
            Some("model = \"m\"\n"),
            &[],
        );
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\r\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\r\nmodel = \"m\"\r\n# mine\r\n[tui]\r\nx = 1\r\n"
            )
        );
    }

    /// Texts whose tables a cut could reorder, merge implicitly or join
    /// (found in review): each merges in pieces exactly as whole.
    #[test]
    fn pieces_never_change_what_the_whole_text_means() {
        let texts = [
            // A table after a subtable of it, a comment above it.
            "model = \"m\"\n[p.a]\nx = 1\n[q]\nz = 1\n# about p\n[p]\ny = 2\n",
            "model = \"m\"\n[model_providers.a0.http_headers]\nx = \"1\"\n[model_providers.b1]\nname = \"n\"\n[model_providers.a0]\nname = \"n\"\n",
            // A dotted table extended by a later header, and siblings apart.
            "model = \"m\"\n[fruit]\napple.color = \"red\"\n[other]\nk = 1\n[fruit.apple.texture]\nsmooth = true\n",
            "model = \"m\"\n[a.x]\nk = 1\n[b]\nk = 2\n[a.y]\nk = 3\n",
            "a.x = 1\n[b]\nk = 2\n[a.y]\nk = 3\n",
            // An indented header without keys of its own.
            "model = \"m\"\n  [p.x]\n[p.x.y]\nz = 1\n",
            // A header with a comment, and a quoted one.
            "model = \"m\"\n[p] # c\nk = 1\n[q]\nk = 2\n",
            "model = \"m\"\n[\"p.q\"]\nk = 1\n[r]\nk = 2\n",
        ];
        let own = Ownership::default();
        for desired in texts {
            for current in [None, Some("k = 0\n"), Some("[p]\nmine = 1\n")] {
                let whole = merge_in_pieces("c", current, Some(desired), HEADER, &own, usize::MAX);
                let cut = merge_in_pieces("c", current, Some(desired), HEADER, &own, 1);
                assert_eq!(format!("{cut:?}"), format!("{whole:?}"), "{desired}");
            }
        }
        // Text the whole parse refuses is refused in pieces too.
        for broken in [
            "model = \"m\"\n[p]\nx = 1\n[q]\nz = 1\n[p]\ny = 2\n",
            "model = \"m\"\n[p]\na.b = 1\n[p.a]\nc = 2\n",
        ] {
            assert!(merge_in_pieces("c", None, Some(broken), HEADER, &own, 1).is_err());
        }
    }

    #[test]
    fn a_map_spelled_as_a_table_matches_the_same_map_inline() {
        let current = "[model_providers.a]\nname = \"A\"\n\n[model_providers.a.query_params]\napi-version = \"1\" # pinned\n";
        let desired = "[model_providers.a]\nname = \"A\"\nquery_params = { api-version = \"1\" }\n";
        let merged = merge(
            "config.toml",
            Some(current),
            Some(desired),
            "",
            &Ownership::default(),
        )
        .unwrap();
        assert_eq!(merged.text.as_deref(), Some(current));
        let other = desired.replace("\"1\"", "\"2\"");
        let merged = merge(
            "config.toml",
            Some(current),
            Some(&other),
            "",
            &Ownership::default(),
        )
        .unwrap();
        assert!(merged.text.unwrap().contains("api-version = \"2\""));
    }

    #[test]
    fn a_cut_inside_an_array_falls_back_to_the_whole_text() {
        let desired = "a = [\n[1]\n]\n[p.x]\nname = \"x\"\n";
        assert_eq!(pieces(desired, 1).len(), 3);
        let own = Ownership::default();
        let whole = merge_in_pieces("config.toml", None, Some(desired), HEADER, &own, usize::MAX);
        let cut = merge_in_pieces("config.toml", None, Some(desired), HEADER, &own, 1);
        assert_eq!(cut.unwrap().text, whole.unwrap().text);
    }

    #[test]
    fn new_tables_go_after_arrays_of_tables() {
        let current = "[[skills]]\nname = \"a\"\n\n[[skills]]\nname = \"b\"\n";
        let out = run(
            Some(current),
            Some("[model_providers.p]\nname = \"P\"\n"),
            &[],
        );
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n[[skills]]\nname = \"a\"\n\n[[skills]]\nname = \"b\"\n\n[model_providers.p]\nname = \"P\"\n"
            )
        );
    }

    #[test]
    fn broken_toml_is_refused_with_its_position() {
        let err = merge(
            &CodexFile::Config.to_string(),
            Some("[tui\nx = 1\n"),
            Some(""),
            HEADER,
            &Ownership::default(),
        )
        .unwrap_err();
        let MergeError::Unparsable(p) = err else {
            panic!()
        };
        assert_eq!(
            p.snippet.map(|s| (s.line, s.file)),
            Some((1, CodexFile::Config.to_string()))
        );
    }

    #[test]
    fn a_value_where_a_table_is_needed_is_an_error() {
        let err = merge(
            &CodexFile::Config.to_string(),
            Some("model_providers = 1\n"),
            Some("[model_providers.a]\nx = 1\n"),
            HEADER,
            &Ownership::default(),
        );
        assert!(matches!(err, Err(MergeError::NotATable { .. })));
    }

    #[test]
    fn one_crlf_line_in_an_lf_file_stays_alone() {
        let out = run(
            Some("# mine\n[tui]\nx = 1\r\ny = 2\n"),
            Some("model = \"m\"\n"),
            &[],
        );
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\nmodel = \"m\"\n# mine\n[tui]\nx = 1\r\ny = 2\n"
            )
        );
        // Unchanged content is not rewritten either.
        let again = run(out.text.as_deref(), Some("model = \"m\"\n"), &out.managed);
        assert_eq!(again.text, out.text);
    }

    #[test]
    fn one_lf_line_in_a_crlf_file_stays_alone() {
        let out = run(
            Some("[tui]\r\nx = 1\ny = 2\r\n"),
            Some("[model_providers.p]\nname = \"P\"\n"),
            &[],
        );
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: generated from catalog version test; codexgen rewrites only the\r\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\r\n[tui]\r\nx = 1\ny = 2\r\n\r\n[model_providers.p]\r\nname = \"P\"\r\n"
            )
        );
    }

    #[test]
    fn the_users_own_codexgen_comments_stay() {
        let current = "# codexgen: my own note, on top\n# codexgen: keys it manages\n[tui] # codexgen: inline\n# codexgen: in the middle\nx = 1\n";
        let out = run(Some(current), Some("model = \"m\"\n"), &[]);
        let text = out.text.unwrap();
        assert!(text.starts_with(HEADER), "{text}");
        for line in current.lines() {
            assert!(text.contains(line), "lost {line:?} in\n{text}");
        }
        // ...and a later run keeps them, while replacing its own header.
        let again = run(Some(&text), Some("model = \"n\"\n"), &out.managed);
        let again = again.text.unwrap();
        assert_eq!(again.matches("generated from catalog version").count(), 1);
        for line in current.lines() {
            assert!(again.contains(line), "lost {line:?} in\n{again}");
        }
    }

    mod properties {
        use super::*;
        use crate::merge::comments::{Lexed, lex_lines};
        use proptest::prelude::*;
        use std::fmt::Write as _;

        /// Unmanaged text: a few tables of string values, with comments.
        fn unmanaged() -> impl Strategy<Value = String> {
            let table = (
                "[a-z]{1,8}",
                proptest::collection::vec(("[a-z_]{1,8}", "[ -~]{0,12}"), 0..4),
            );
            proptest::collection::vec(table, 0..4).prop_map(|tables| {
                let mut out = String::from("# hand-written\n");
                for (i, (name, keys)) in tables.into_iter().enumerate() {
                    let _ = write!(out, "\n[mine{i}_{name}] # keep\n");
                    for (j, (k, v)) in keys.into_iter().enumerate() {
                        let v = v.replace(['\\', '"'], "");
                        let _ = writeln!(out, "{k}{j} = \"{v}\"  # note");
                    }
                }
                out
            })
        }

        /// Rendered text: top-level keys and provider tables.
        fn rendered() -> impl Strategy<Value = String> {
            proptest::collection::vec(("[a-z]{1,6}", "[ -~]{0,10}"), 0..4).prop_map(|providers| {
                let mut out = String::from("model = \"m\"\n");
                for (i, (id, name)) in providers.into_iter().enumerate() {
                    let name = name.replace(['\\', '"'], "");
                    let _ = write!(out, "\n[model_providers.{id}{i}]\nname = \"{name}\"\n");
                }
                out
            })
        }

        /// Rendered text that pieces can cut: comments and blank lines
        /// before headers, nested and inline tables, and arrays whose lines
        /// look like headers (a cut there must fall back to the whole).
        fn rendered_in_pieces() -> impl Strategy<Value = String> {
            let table = (
                "[a-z]{1,4}",
                proptest::option::of("[ -~]{0,8}"),
                0..5u8,
                proptest::bool::ANY,
            );
            proptest::collection::vec(table, 0..8).prop_map(|tables| {
                let mut out = String::from("model = \"m\"\n");
                for (i, (id, comment, shape, blank)) in tables.into_iter().enumerate() {
                    if blank {
                        out.push('\n');
                    }
                    if let Some(comment) = comment {
                        let _ = writeln!(out, "# {comment}");
                    }
                    let _ = writeln!(out, "[model_providers.{id}{i}]");
                    match shape {
                        0 => out.push_str("name = \"n\"\n"),
                        1 => out.push_str("query_params = { a = \"1\", b = \"2\" }\n"),
                        2 => out.push_str("list = [\n[1, 2],\n]\n"),
                        3 => {
                            let _ = writeln!(out, "\n[model_providers.{id}{i}.deep]\nx = 1");
                        }
                        _ => out.push_str("name.first = \"a\"\nname.last = \"b\"\n"),
                    }
                }
                out
            })
        }

        /// Rendered text with tables in any order: parents after their
        /// subtables, siblings apart, dotted keys, tables without keys.
        fn tables_any_order() -> impl Strategy<Value = String> {
            let names = ["a", "a.x", "a.y", "a.x.z", "b", "b.x", "c"];
            let table = (0..names.len(), 0..4u8);
            proptest::collection::vec(table, 0..8).prop_map(move |tables| {
                let mut out = String::from("model = \"m\"\n");
                let mut seen = std::collections::HashSet::new();
                for (i, (name, keys)) in tables.into_iter().enumerate() {
                    if !seen.insert(name) {
                        continue;
                    }
                    let _ = writeln!(out, "[{}]", names[name]);
                    match keys {
                        0 => {}
                        1 => {
                            let _ = writeln!(out, "k{i} = {i}");
                        }
                        2 => {
                            let _ = writeln!(out, "d{i}.e = {i}");
                        }
                        _ => {
                            let _ = writeln!(out, "# note\nk{i} = {i}\n");
                        }
                    }
                }
                out
            })
        }

        /// Unmanaged text with any comment text (also `# codexgen:` ones)
        /// and any mix of line endings.
        fn unmanaged_any_endings() -> impl Strategy<Value = String> {
            let ending = prop_oneof![Just("\n"), Just("\r\n")];
            let comment = (
                prop_oneof![Just("#"), Just("# codexgen:")],
                "[^\\p{Cc}]{0,16}",
            )
                .prop_map(|(mark, text)| format!("{mark}{text}"));
            let line = prop_oneof![
                comment,
                "[a-z]{1,6}".prop_map(|k| format!("k_{k} = 1")),
                "[a-z]{1,6}".prop_map(|t| format!("[mine.{t}]")),
                Just(String::new()),
            ];
            proptest::collection::vec((line, ending), 0..12).prop_map(|lines| {
                let mut seen = std::collections::HashSet::new();
                let mut out = String::new();
                for (line, ending) in lines {
                    // Keys and tables once each, so the text stays TOML.
                    if !line.starts_with('#') && !line.is_empty() && !seen.insert(line.clone()) {
                        continue;
                    }
                    out.push_str(&line);
                    out.push_str(ending);
                }
                out
            })
        }

        /// Whether `small`'s lines, endings included, appear in `big` in
        /// order. Blank lines are compared without their ending: when
        /// codexgen removes a table, which of two blank lines was kept is
        /// a guess (a known limit of restoring endings by a line diff).
        fn is_subsequence(small: &str, big: &str) -> bool {
            let key = |line: &str| {
                if line.trim().is_empty() {
                    String::new()
                } else {
                    line.to_owned()
                }
            };
            let mut big = big.split_inclusive('\n').map(key);
            small
                .split_inclusive('\n')
                .map(key)
                .all(|line| big.any(|b| b == line))
        }

        proptest! {
            #[test]
            fn unmanaged_bytes_survive_any_line_endings(current in unmanaged_any_endings(), desired in rendered(), later in rendered()) {
                prop_assume!(current.parse::<DocumentMut>().is_ok());
                let once = run(Some(&current), Some(&desired), &[]);
                let text = once.text.clone().unwrap();
                prop_assert!(is_subsequence(&current, &text), "lost lines of\n{current:?}\nin\n{text:?}");
                let twice = run(Some(&text), Some(&desired), &once.managed);
                prop_assert_eq!(&twice.text, &once.text);
                let again = run(Some(&text), Some(&later), &once.managed).text.unwrap();
                prop_assert!(is_subsequence(&current, &again), "lost lines of\n{current:?}\nin\n{again:?}");
            }

            #[test]
            fn merging_in_pieces_is_merging_whole(current in unmanaged_any_endings(), desired in rendered_in_pieces(), later in rendered_in_pieces()) {
                prop_assume!(current.parse::<DocumentMut>().is_ok());
                let merge_by = |piece: usize, current: &str, desired: &str, previous: &[Managed]| {
                    let own = Ownership { previous, ..Ownership::default() };
                    merge_in_pieces("config.toml", Some(current), Some(desired), HEADER, &own, piece)
                };
                let whole = merge_by(usize::MAX, &current, &desired, &[]).unwrap();
                let cut = merge_by(1, &current, &desired, &[]).unwrap();
                prop_assert_eq!(&cut.text, &whole.text);
                prop_assert_eq!(&cut.managed, &whole.managed);
                prop_assert_eq!(cut.notes.len(), whole.notes.len());
                // A second catalog over the first's result: the same
                // result, or the same error (a key that becomes a table).
                let text = whole.text.clone().unwrap();
                let whole = merge_by(usize::MAX, &text, &later, &whole.managed);
                let cut = merge_by(1, &text, &later, &cut.managed);
                prop_assert_eq!(format!("{cut:?}"), format!("{whole:?}"));
            }

            #[test]
            fn pieces_of_tables_in_any_order_merge_as_the_whole(current in unmanaged(), desired in tables_any_order()) {
                prop_assume!(desired.parse::<DocumentMut>().is_ok());
                let own = Ownership::default();
                let whole = merge_in_pieces("c", Some(&current), Some(&desired), HEADER, &own, usize::MAX);
                let cut = merge_in_pieces("c", Some(&current), Some(&desired), HEADER, &own, 1);
                prop_assert_eq!(format!("{cut:?}"), format!("{whole:?}"));
            }

            /// A removal keeps every comment of the user's, wherever it sat
            /// in or around what codexgen wrote, with any line endings; the
            /// result parses, and a second run changes nothing.
            #[test]
            fn a_removal_keeps_every_comment(
                providers in proptest::collection::vec(("[a-z]{1,6}", "[ -~]{0,10}", 0u8..16, any::<bool>()), 1..5),
                keep in proptest::collection::vec(any::<bool>(), 5),
                crlf in any::<bool>(),
            ) {
                // Each provider, with comments where the bits of `spots` say:
                // a parked block above, on the header, inside, after a value.
                let mut current = String::from("model = \"m\"\n");
                let mut desired = String::from("model = \"m\"\n");
                let mut previous = vec![managed("model", "\"m\"")];
                let mut comments = Vec::new();
                for (i, (id, name, spots, blank)) in providers.iter().enumerate() {
                    let name = name.replace(['\\', '"'], "#");
                    let id = format!("p{i}{id}");
                    let mut c = |text: String, out: &mut String| {
                        comments.push(text.clone());
                        out.push_str(&text);
                    };
                    current.push('\n');
                    if spots & 1 != 0 {
                        c(format!("# parked {i}\n# [mcp_servers.x{i}]\n"), &mut current);
                        if *blank {
                            current.push('\n');
                        }
                    }
                    let _ = write!(current, "[model_providers.{id}]");
                    if spots & 2 != 0 {
                        c(format!(" # header {i}"), &mut current);
                    }
                    current.push('\n');
                    if spots & 4 != 0 {
                        c(format!("# inside {i}\n"), &mut current);
                    }
                    let _ = write!(current, "name = \"{name}\"");
                    if spots & 8 != 0 {
                        c(format!(" # after {i}"), &mut current);
                    }
                    current.push_str("\nwire_api = \"responses\"\n");
                    previous.push(managed(&format!("model_providers.{id}.name"), &format!("\"{name}\"")));
                    previous.push(managed(&format!("model_providers.{id}.wire_api"), "\"responses\""));
                    if keep[i] {
                        let _ = write!(desired, "\n[model_providers.{id}]\nname = \"{name}\"\nwire_api = \"responses\"\n");
                    }
                }
                let current = if crlf { current.replace('\n', "\r\n") } else { current };
                let out = run(Some(&current), Some(&desired), &previous);
                let text = out.text.clone().unwrap();
                let found: Vec<&str> = lex_lines(&text).iter().filter_map(Lexed::comment).collect();
                for comment in comments.iter().flat_map(|c| c.lines()) {
                    let comment = &comment[comment.find('#').unwrap()..];
                    prop_assert!(found.contains(&comment), "lost {comment:?} in\n{text}");
                }
                prop_assert!(text.parse::<DocumentMut>().is_ok(), "{text}");
                let again = run(Some(&text), Some(&desired), &out.managed);
                prop_assert_eq!(again.text, out.text);
            }

            /// Values the user wrote before codexgen ran, any of which the
            /// catalog then sets (to their value or another): each is said,
            /// and when the catalog stops setting them the user's text is
            /// back byte for byte, whatever they were and however spelled.
            #[test]
            fn a_take_over_is_given_back_as_the_user_wrote_it(
                keys in proptest::collection::vec((0u8..6, any::<bool>(), any::<bool>(), any::<bool>()), 1..6),
                crlf in any::<bool>(),
            ) {
                let spelled = ["'low'", "\"low\"", "true", "false", "7", "[1, 2]"];
                let mut current = String::from("# mine\n[mine]\n");
                let mut desired = String::from("model = \"m\"\n\n[mine]\n");
                let mut taken = 0;
                for (i, (value, comment, set, equal)) in keys.iter().enumerate() {
                    let value = spelled[usize::from(*value)];
                    let _ = write!(current, "k{i} = {value}");
                    if *comment {
                        let _ = write!(current, " # mine {i}");
                    }
                    current.push('\n');
                    if *set {
                        taken += 1;
                        let theirs = if *equal { value } else { "\"team\"" };
                        let _ = writeln!(desired, "k{i} = {theirs}");
                    }
                }
                let current = if crlf { current.replace('\n', "\r\n") } else { current };
                let once = run(Some(&current), Some(&desired), &[]);
                let said = once.notes.iter().filter(|n| matches!(n, Note::TakeOver { .. } | Note::TakenAsIs { .. })).count();
                prop_assert_eq!(said, taken);
                let text = once.text.clone().unwrap();
                let twice = run(Some(&text), Some(&desired), &once.managed);
                prop_assert_eq!(&twice.text, &once.text);
                prop_assert_eq!(&twice.managed, &once.managed);
                let back = run(Some(&text), Some("model = \"m\"\n"), &twice.managed);
                let given = back.notes.iter().filter(|n| matches!(n, Note::GivenBack { .. })).count();
                prop_assert_eq!(given, taken);
                let back = back.text.unwrap();
                let (_, body) = split_header(&back);
                let model = if crlf { "model = \"m\"\r\n" } else { "model = \"m\"\n" };
                prop_assert_eq!(body.replacen(model, "", 1), current);
            }

            /// Whatever the user added to providers that leave (a key, a
            /// sub-table, a `model_provider` naming one, a multi-line string
            /// holding `#`, a byte-order mark), what a removal leaves is
            /// what Codex loads: every provider table keeps its `name`, the
            /// top-level `model_provider` names a provider still there; the
            /// string is not touched, and a second run changes nothing.
            #[test]
            fn a_removal_never_leaves_a_provider_codex_refuses(
                providers in proptest::collection::vec((any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()), 1..5),
                used in proptest::option::of(0usize..5),
                bom in any::<bool>(),
                crlf in any::<bool>(),
            ) {
                let mut current = String::new();
                if let Some(i) = used.filter(|i| *i < providers.len()) {
                    let _ = writeln!(current, "model_provider = \"p{i}\"");
                }
                current.push_str("note = \"\"\"\n# not a comment\n\"\"\"\n");
                let mut desired = String::new();
                let mut previous = Vec::new();
                for (i, (keep, key, sub, comment)) in providers.iter().enumerate() {
                    let _ = write!(current, "\n[model_providers.p{i}]\nname = \"P\"\nwire_api = \"responses\"\n");
                    if *key {
                        current.push_str("supports_websockets = false\n");
                    }
                    if *comment {
                        let _ = writeln!(current, "# mine {i}");
                    }
                    if *sub {
                        let _ = write!(current, "\n[model_providers.p{i}.http_headers]\nX = \"y\"\n");
                    }
                    for (key, value) in [("name", "\"P\""), ("wire_api", "\"responses\"")] {
                        previous.push(managed(&format!("model_providers.p{i}.{key}"), value));
                    }
                    if *keep {
                        let _ = write!(desired, "\n[model_providers.p{i}]\nname = \"P\"\nwire_api = \"responses\"\n");
                    }
                }
                let current = if crlf { current.replace('\n', "\r\n") } else { current };
                let current = if bom { format!("\u{feff}{current}") } else { current };
                let out = run(Some(&current), Some(&desired), &previous);
                let text = out.text.clone().unwrap();
                let doc: DocumentMut = text.trim_start_matches('\u{feff}').parse().unwrap();
                let tables = doc.get("model_providers").and_then(Item::as_table_like);
                for (id, table) in tables.iter().flat_map(|t| t.iter()) {
                    let table = table.as_table_like().unwrap();
                    prop_assert!(table.get("name").is_some(), "{id} without name in\n{text}");
                }
                if let Some(id) = doc.get("model_provider").and_then(Item::as_str) {
                    prop_assert!(tables.and_then(|t| t.get(id)).is_some(), "{id} gone in\n{text}");
                }
                prop_assert_eq!(text.matches("# not a comment").count(), 1, "{}", text);
                prop_assert_eq!(text.starts_with('\u{feff}'), bom);
                for (i, (.., comment)) in providers.iter().enumerate() {
                    if *comment {
                        let mine = format!("# mine {i}");
                        prop_assert!(text.contains(&mine), "lost {} in\n{}", mine, text);
                    }
                }
                let again = run(Some(&text), Some(&desired), &out.managed);
                prop_assert_eq!(again.text, out.text);
            }

            /// Whatever stays names what is there: after any removal of
            /// providers and legacy `[profiles.NAME]` tables (codexgen's or
            /// the user's, each naming any provider), every `model_provider`
            /// left names a provider table left, and a `profile = "NAME"`
            /// left names a profile table left; a second run changes nothing.
            #[test]
            fn a_removal_leaves_nothing_naming_what_it_removed(
                providers in proptest::collection::vec(any::<bool>(), 1..4),
                profiles in proptest::collection::vec((0usize..4, any::<bool>(), any::<bool>()), 0..4),
                selected in proptest::option::of(0usize..4),
            ) {
                let mut current = String::new();
                let mut desired = String::new();
                let mut previous = Vec::new();
                if let Some(s) = selected.filter(|s| *s < profiles.len()) {
                    let _ = writeln!(current, "profile = \"q{s}\"");
                }
                for (i, keep) in providers.iter().enumerate() {
                    let table = format!("\n[model_providers.p{i}]\nname = \"P\"\n");
                    current.push_str(&table);
                    previous.push(managed(&format!("model_providers.p{i}.name"), "\"P\""));
                    if *keep {
                        desired.push_str(&table);
                    }
                }
                for (j, (provider, ours, keep)) in profiles.iter().enumerate() {
                    let provider = provider % providers.len();
                    let table = format!("\n[profiles.q{j}]\nmodel_provider = \"p{provider}\"\n");
                    current.push_str(&table);
                    if *ours {
                        previous.push(managed(&format!("profiles.q{j}.model_provider"), &format!("\"p{provider}\"")));
                        // The catalog keeps a profile only with its provider.
                        if *keep && providers[provider] {
                            desired.push_str(&table);
                        }
                    }
                }
                let out = run(Some(&current), Some(&desired), &previous);
                let text = out.text.clone().unwrap();
                let doc: DocumentMut = text.parse().unwrap();
                let has = |path: &[&str]| {
                    let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
                    lookup(doc.as_table(), &path).is_some()
                };
                if let Some(name) = doc.get("profile").and_then(Item::as_str) {
                    prop_assert!(has(&["profiles", name]), "{} gone in\n{}", name, text);
                }
                let profiles = doc.get("profiles").and_then(Item::as_table_like);
                for (name, profile) in profiles.iter().flat_map(|t| t.iter()) {
                    let id = profile.as_table_like().and_then(|t| t.get("model_provider")).and_then(Item::as_str);
                    if let Some(id) = id {
                        prop_assert!(has(&["model_providers", id]), "{} of {} gone in\n{}", id, name, text);
                    }
                }
                let again = run(Some(&text), Some(&desired), &out.managed);
                prop_assert_eq!(again.text, out.text);
            }

            #[test]
            fn merging_twice_changes_nothing_and_keeps_unmanaged_lines(current in unmanaged(), desired in rendered(), later in rendered()) {
                let once = run(Some(&current), Some(&desired), &[]);
                let text = once.text.clone().unwrap();
                for line in current.lines().filter(|l| !l.is_empty()) {
                    prop_assert!(text.contains(line), "lost {line:?} in\n{text}");
                }
                let twice = run(Some(&text), Some(&desired), &once.managed);
                prop_assert_eq!(&twice.text, &once.text);
                prop_assert!(twice.notes.is_empty());
                // Changing the catalog later still keeps every unmanaged line.
                let again = run(Some(&text), Some(&later), &once.managed);
                let again_text = again.text.unwrap();
                for line in current.lines().filter(|l| !l.is_empty()) {
                    prop_assert!(again_text.contains(line), "lost {line:?} in\n{again_text}");
                }
            }
        }
    }
}
