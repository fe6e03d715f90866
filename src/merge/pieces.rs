//! Owns cutting a big rendered text into pieces, for speed: text longer
//! than [`PIECE`] is merged piece after piece, so that its whole tree never
//! exists at once. A piece is whole TOML on its own, and the pieces together
//! mean what the whole text means (the same keys, in the same order, giving
//! the same tables); when that cannot be shown from the text's lines, it
//! stays whole ([`pieces`], [`tables_in_order`]). Reads lines only: does not
//! parse TOML or merge (that is [`super`], which falls back to the whole
//! text when a piece does not parse).

use std::collections::{HashMap, HashSet};

/// Rendered text longer than this is parsed and merged in pieces of about
/// this size (see [`pieces`]), so that its whole tree never exists at once:
/// at 10,000 providers that tree is as large as the file's own.
pub(crate) const PIECE: usize = 64 * 1024;

/// The deepest header path a text is cut around: Codex's own tables go
/// four deep (`[mcp_servers.ID.tools.NAME]`); a deeper text is only slower.
const MAX_DEPTH: usize = 8;

/// `text` in pieces of about `size` bytes, each whole TOML on its own and
/// together the same keys, in the same order, giving the same tables, as
/// the whole text: cut only before a top-level table header that follows a
/// key, with the comments and blank lines just above it. Whole when it is
/// small, holds an array of tables or a multi-line string (a cut could
/// split them), or when its tables are not laid out one after the other
/// (see [`tables_in_order`]). A cut inside a multi-line array leaves a
/// piece that does not parse, and the merge then takes the text whole.
pub(super) fn pieces(text: &str, size: usize) -> Vec<&str> {
    if text.len() <= size || text.contains("\"\"\"") || text.contains("'''") {
        return vec![text];
    }
    let mut parts = Vec::new();
    let (mut start, mut at) = (0, 0);
    // Where the run of blank and comment lines before this line began.
    let mut run: Option<usize> = None;
    // A table without keys of its own stays with the next one, which may
    // be its subtable: alone, it would lose its header (it has no leaf).
    let mut bare = false;
    // Each line that opens a table, and the piece it is in; the lines
    // before the first one (the top-level keys).
    let mut headers: Vec<(&str, usize)> = Vec::new();
    let mut top: Vec<&str> = Vec::new();
    // Key lines after a header, with the header (by index) they are under.
    let mut keyed: Vec<(usize, &str)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("[[") {
            return vec![text];
        }
        if trimmed.starts_with('[') {
            let cut = run.unwrap_or(at);
            if line.starts_with('[') && cut - start >= size && !bare {
                parts.push(&text[start..cut]);
                start = cut;
            }
            headers.push((trimmed, parts.len()));
            run = None;
            bare = true;
        } else if trimmed.is_empty() || trimmed.starts_with('#') {
            run.get_or_insert(at);
        } else {
            match headers.len().checked_sub(1) {
                None => top.push(trimmed),
                Some(section) => {
                    if trimmed.contains('=') {
                        keyed.push((section, trimmed));
                    }
                }
            }
            run = None;
            bare = false;
        }
        at += line.len();
    }
    parts.push(&text[start..]);
    if parts.len() > 1 && !tables_in_order(&headers, &top, &keyed) {
        return vec![text];
    }
    parts
}

/// A header line's keys (`[a.b]`: `a`, `b`), slices of the line; `None`
/// unless each is plain.
fn header_path(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim_end().strip_prefix('[')?.strip_suffix(']')?;
    let keys: Vec<&str> = inner.split('.').map(str::trim).collect();
    keys.iter()
        .all(|k| crate::home::is_plain_name(k))
        .then_some(keys)
}

/// Whether merging the pieces of a text leaf by leaf, piece after piece,
/// meets its tables in the order, and with the headers, that the whole
/// text's tree has: every table's subtables follow it without a break
/// (the tree groups them), no table comes after a subtable of it in another
/// piece (that piece would make it implicit), and no header opens what a
/// key made or holds (`a.b = 1` or `a = 1` under `[p]`, then `[p.a]`: a
/// piece alone could not see the clash). Only plain headers and keys are
/// read (`[a.b-c]`); anything else (quoted dotted keys, a comment after a
/// header) answers no.
fn tables_in_order(headers: &[(&str, usize)], top: &[&str], keyed: &[(usize, &str)]) -> bool {
    let plain = |key: &str| !key.is_empty() && crate::home::is_plain_name(key);
    // The first key of each top-level key line (`a.b = 1` opens table `a`).
    let mut opened: HashSet<&str> = HashSet::new();
    for line in top {
        let Some((key, _)) = line.split_once('=') else {
            return false;
        };
        let Some(first) = key.split('.').next().map(str::trim).filter(|k| plain(k)) else {
            return false;
        };
        opened.insert(first);
    }
    // Each header's tables are looked up by every prefix of its path, the
    // square of its depth: a path deeper than Codex's keys go (a hostile
    // file's `[a.a.a...]`) keeps the text whole.
    let Some(paths) = headers
        .iter()
        .map(|(line, _)| header_path(line).filter(|p| p.len() <= MAX_DEPTH))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    // What a key under a header makes or holds (`[p]` with `a.b = 1` or
    // `a = 1`: p.a), which no header may open: alone, neither piece would
    // see the clash. Only a name some header holds can clash, so only
    // those are kept, each as its table's path and its own name.
    let in_headers: HashSet<&str> = paths.iter().flatten().copied().collect();
    let mut made: HashSet<(&[&str], &str)> = HashSet::new();
    for &(section, line) in keyed {
        let Some((key, _)) = line.split_once('=') else {
            return false;
        };
        let key = key.trim();
        let first = if key.contains('.') {
            let Some(first) = key.split('.').next().map(str::trim).filter(|k| plain(k)) else {
                return false;
            };
            first
        } else {
            // A quoted key is the same key as a bare one of its letters.
            let unquoted = [('"', '"'), ('\'', '\'')]
                .iter()
                .find_map(|&(open, close)| key.strip_prefix(open)?.strip_suffix(close))
                .unwrap_or(key);
            if unquoted.contains('\\') {
                return false;
            }
            unquoted
        };
        if in_headers.contains(first) {
            made.insert((paths[section].as_slice(), first));
        }
    }
    // Tables whose run of subtables has ended, and tables named (as a
    // header or the parent of one) with the piece they were first named in.
    let mut closed: HashSet<&[&str]> = HashSet::new();
    let mut named: HashMap<&[&str], usize> = HashMap::new();
    let mut previous: &[&str] = &[];
    for (path, &(_, piece)) in paths.iter().zip(headers) {
        if opened.contains(path[0])
            || (1..=path.len()).any(|d| made.contains(&(&path[..d - 1], path[d - 1])))
        {
            return false;
        }
        // The tables of the previous header that this one is not under.
        for depth in 1..=previous.len() {
            if path.get(..depth) != Some(&previous[..depth]) {
                closed.insert(&previous[..depth]);
            }
        }
        for depth in 1..=path.len() {
            let table = &path[..depth];
            if closed.contains(table) {
                return false;
            }
            let first = *named.entry(table).or_insert(piece);
            // A table whose header comes after a subtable of it in an
            // earlier piece.
            if depth == path.len() && first != piece {
                return false;
            }
        }
        previous = path;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_text_is_cut_only_before_top_level_headers() {
        let text = "a = 1\n\n# groq\n[p.groq]\nx = 1\n[p.b]\ny = [\n  1,\n]\n";
        assert_eq!(
            pieces(text, 1),
            [
                "a = 1\n",
                "\n# groq\n[p.groq]\nx = 1\n",
                "[p.b]\ny = [\n  1,\n]\n"
            ]
        );
        assert_eq!(pieces(text, 1000), [text]);
        // Arrays of tables and multi-line strings are never cut.
        for whole in [
            "a = 1\n[[t]]\nx = 1\n[u]\ny = 2\n",
            "a = 1\n  [[t]]\nx = 1\n[u]\ny = 2\n",
            "a = \"\"\"\n[u]\n\"\"\"\n[v]\n",
            "a = '''\n[u]\n'''\n[v]\n",
        ] {
            assert_eq!(pieces(whole, 1), [whole]);
        }
        // A header that opens what a key under another header holds: each
        // piece would parse, the whole text does not.
        for whole in [
            "[t]\nu = 1\n\n[t.u]\ny = 1\n",
            "[t]\n\"u\" = 1\n\n[t.u]\ny = 1\n",
            "[t]\nu = { x = 1 }\n\n[t.u.v]\ny = 1\n",
            "[t]\nu.w = 1\n\n[t.u]\ny = 1\n",
        ] {
            assert_eq!(pieces(whole, 1), [whole]);
        }
        // Nor is a header deeper than the parsers go.
        let deep = format!("a = 1\n[t]\nx = 1\n[{}]\ny = 1\n", ["b"; 9].join("."));
        assert_eq!(pieces(&deep, 1), [deep.as_str()]);
        let deep = format!("a = 1\n[t]\nx = 1\n[{}]\ny = 1\n", ["b"; 8].join("."));
        assert_eq!(pieces(&deep, 1).len(), 3);
        // A key no header holds does not keep the text whole.
        assert_eq!(pieces("[t]\nx = 1\n\n[t.u]\ny = 1\n", 1).len(), 2);
    }
}
