//! Owns keeping the user's comments when codexgen removes what it wrote:
//! a comment is never codexgen's (its header aside), so the comment lines a
//! removed key or table carried are put back where their lines were
//! ([`keep_lost_comments`], found by a line diff over a small lexer that
//! knows where a `#` starts a comment), and those of a table that moves to
//! another file stay behind in this one ([`comments_in`], [`keep_comments`]).
//! Does not decide what is removed (that is [`super`]).

use std::collections::{BTreeMap, HashMap};

use toml_edit::{DocumentMut, Item, Table, Value};

use super::endings::lines_with_endings;

/// `new` with every comment of `old` that it lost put back, each where the
/// lines that held it were: codexgen removes only the bytes it wrote, and a
/// comment is never one of them (its own header is not part of `old`).
/// A removed key or table takes with it the comments `toml_edit` hangs on it
/// (the block above a table's header, the lines above a key, a comment after
/// a value, comments inside a removed array); they stay as comment lines, a
/// comment that followed a value on its own line now. Blank lines around
/// and between the kept comments stay too (one for each run), so a block
/// parked above a removed table keeps its shape. A comment is lost when `new`
/// has fewer copies of its text than `old`; where it goes is found with a
/// line diff, never inside a multi-line string.
/// Returns the text and how many comment lines it put back.
pub(super) fn keep_lost_comments(old: &str, new: String) -> (String, usize) {
    use similar::{Algorithm, DiffOp};
    if !old.contains('#') {
        return (new, 0);
    }
    let old_lines = lex_lines(old);
    let new_lines = lex_lines(&new);
    let mut lost: HashMap<&str, usize> = HashMap::new();
    for line in &old_lines {
        if let Some(comment) = line.comment() {
            *lost.entry(comment).or_default() += 1;
        }
    }
    for line in &new_lines {
        if let Some(count) = line.comment().and_then(|c| lost.get_mut(c)) {
            *count = count.saturating_sub(1);
        }
    }
    lost.retain(|_, count| *count > 0);
    if lost.is_empty() {
        return (new, 0);
    }
    let total = lost.values().sum();
    let a: Vec<&str> = old_lines.iter().map(|l| l.content).collect();
    let b: Vec<&str> = new_lines.iter().map(|l| l.content).collect();
    // Past the deadline the diff is coarser: the comments still stay, only
    // further from where they were.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, &a, &b, Some(deadline));
    // New line index -> the lines to put before it (`None`: a blank line).
    let mut kept: BTreeMap<usize, Vec<Option<String>>> = BTreeMap::new();
    for op in ops {
        let (old_range, mut at) = match op {
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            }
            | DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                ..
            } => (old_index..old_index + old_len, new_index),
            DiffOp::Equal { .. } | DiffOp::Insert { .. } => continue,
        };
        let mut block: Vec<Option<String>> = Vec::new();
        let mut comments = 0;
        for line in &old_lines[old_range] {
            match line.comment() {
                Some(comment) if lost.get(comment).is_some_and(|n| *n > 0) => {
                    if let Some(n) = lost.get_mut(comment) {
                        *n -= 1;
                    }
                    // The comment as written, to its last byte (trailing
                    // blanks too); one after a value keeps the line's indent.
                    block.push(Some(if line.is_comment_line() {
                        line.content.to_owned()
                    } else {
                        let code = line.content.trim_start();
                        let indent = &line.content[..line.content.len() - code.len()];
                        let written = line.comment_at.map_or(comment, |at| &line.content[at..]);
                        format!("{indent}{written}")
                    }));
                    comments += 1;
                }
                _ if line.is_blank() && block.last() != Some(&None) => block.push(None),
                _ => {}
            }
        }
        if comments == 0 {
            continue;
        }
        // Never inside a multi-line string of the new text.
        while new_lines.get(at).is_some_and(|l| l.inside_string) {
            at += 1;
        }
        let slot = kept.entry(at).or_default();
        if slot.last() == Some(&None) && block.first() == Some(&None) {
            block.remove(0);
        }
        slot.extend(block);
    }
    let put = |out: &mut String, lines: Vec<Option<String>>| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        for line in lines {
            out.push_str(line.as_deref().unwrap_or_default());
            out.push('\n');
        }
    };
    let mut out = String::with_capacity(new.len() + 64);
    let mut kept = kept.into_iter().peekable();
    for (index, line) in new_lines.iter().enumerate() {
        while let Some((_, lines)) = kept.next_if(|(at, _)| *at <= index) {
            put(&mut out, lines);
        }
        out.push_str(line.whole);
    }
    for (_, lines) in kept {
        put(&mut out, lines);
    }
    (out, total)
}

/// One line of a TOML text, read as far as comments go.
pub(super) struct Lexed<'t> {
    /// The line with its ending.
    whole: &'t str,
    /// The line without its ending.
    content: &'t str,
    /// Where its comment starts (the `#`), if it has one.
    comment_at: Option<usize>,
    /// The line starts inside a multi-line string.
    inside_string: bool,
}

impl<'t> Lexed<'t> {
    /// The comment's text, without the space after it.
    pub(super) fn comment(&self) -> Option<&'t str> {
        self.comment_at.map(|at| self.content[at..].trim_end())
    }

    fn is_comment_line(&self) -> bool {
        !self.inside_string
            && self
                .comment_at
                .is_some_and(|at| self.content[..at].trim().is_empty())
    }

    fn is_blank(&self) -> bool {
        !self.inside_string && self.content.trim().is_empty()
    }
}

/// The lines of a TOML text that parsed, each with where its comment
/// starts: a `#` outside any string (keys can be strings too).
pub(super) fn lex_lines(text: &str) -> Vec<Lexed<'_>> {
    #[derive(Clone, Copy, PartialEq)]
    enum In {
        Code,
        Basic,
        Literal,
    }
    let mut state = In::Code;
    let mut out = Vec::new();
    for (whole, (content, _)) in text.split_inclusive('\n').zip(lines_with_endings(text)) {
        let inside_string = state != In::Code;
        let bytes = content.as_bytes();
        let mut comment_at = None;
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            match state {
                In::Basic | In::Literal => {
                    let close: &[u8] = if state == In::Basic {
                        b"\"\"\""
                    } else {
                        b"'''"
                    };
                    if state == In::Basic && rest[0] == b'\\' {
                        i += 2;
                    } else if rest.starts_with(close) {
                        // Up to two more quotes are the string's own.
                        i += 3;
                        let mut extra = 0;
                        while extra < 2 && bytes.get(i) == Some(&close[0]) {
                            i += 1;
                            extra += 1;
                        }
                        state = In::Code;
                    } else {
                        i += 1;
                    }
                }
                In::Code => match rest[0] {
                    b'#' => {
                        comment_at = Some(i);
                        break;
                    }
                    b'"' if rest.starts_with(b"\"\"\"") => {
                        state = In::Basic;
                        i += 3;
                    }
                    b'\'' if rest.starts_with(b"'''") => {
                        state = In::Literal;
                        i += 3;
                    }
                    quote @ (b'"' | b'\'') => {
                        i += 1;
                        while i < bytes.len() && bytes[i] != quote {
                            i += if quote == b'"' && bytes[i] == b'\\' {
                                2
                            } else {
                                1
                            };
                        }
                        i += 1;
                    }
                    _ => i += 1,
                },
            }
        }
        out.push(Lexed {
            whole,
            content,
            comment_at,
            inside_string,
        });
    }
    out
}

/// Every comment in an item, in file order, one per line (inline ones too).
pub(super) fn comments_in(item: &Item) -> Vec<String> {
    /// Comment lines as written (their indent too); one after a value
    /// from its `#`.
    fn decor(d: &toml_edit::Decor, out: &mut Vec<String>) {
        for (raw, after_value) in [(d.prefix(), false), (d.suffix(), true)] {
            let text = raw.and_then(|r| r.as_str()).unwrap_or_default();
            out.extend(
                text.lines()
                    .filter(|l| l.trim_start().starts_with('#'))
                    .map(|l| if after_value { l.trim_start() } else { l })
                    .map(str::to_owned),
            );
        }
    }
    fn value(v: &Value, out: &mut Vec<String>) {
        decor(v.decor(), out);
        match v {
            Value::Array(a) => {
                a.iter().for_each(|v| value(v, out));
                let trailing = a.trailing().as_str().unwrap_or_default();
                out.extend(
                    trailing
                        .lines()
                        .filter(|l| l.trim_start().starts_with('#'))
                        .map(str::to_owned),
                );
            }
            Value::InlineTable(t) => {
                for (k, v) in t {
                    if let Some(key) = t.key(k) {
                        decor(key.leaf_decor(), out);
                    }
                    value(v, out);
                }
            }
            _ => {}
        }
    }
    fn walk(item: &Item, out: &mut Vec<String>) {
        match item {
            Item::Table(t) => {
                decor(t.decor(), out);
                for (k, child) in t {
                    if let Some(key) = t.key(k) {
                        decor(key.leaf_decor(), out);
                    }
                    walk(child, out);
                }
            }
            Item::Value(v) => value(v, out),
            Item::ArrayOfTables(a) => a.iter().for_each(|t| walk(&Item::Table(t.clone()), out)),
            Item::None => {}
        }
    }
    let mut out = Vec::new();
    walk(item, &mut out);
    out
}

/// Puts comment lines where a removed table at `position` was: above the
/// first table after it, else at the end of the file.
pub(super) fn keep_comments(doc: &mut DocumentMut, position: Option<isize>, comments: &[String]) {
    fn next_after(table: &mut Table, position: isize) -> Option<&mut Table> {
        let mut best: Option<&mut Table> = None;
        for (_, item) in table.iter_mut() {
            let Item::Table(t) = item else { continue };
            let candidate = match t.position() {
                Some(p) if p > position && !t.is_implicit() => Some(&mut *t),
                _ => next_after(t, position),
            };
            if let Some(c) = candidate
                && best.as_ref().is_none_or(|b| c.position() < b.position())
            {
                best = Some(c);
            }
        }
        best
    }
    let block: String = comments.iter().flat_map(|c| [c.as_str(), "\n"]).collect();
    let next = position.and_then(|p| next_after(doc.as_table_mut(), p));
    if let Some(table) = next {
        let prefix = table
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_owned();
        table.decor_mut().set_prefix(format!("\n{block}{prefix}"));
    } else {
        let trailing = doc.trailing().as_str().unwrap_or_default().to_owned();
        doc.set_trailing(format!("{trailing}\n{block}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_in_a_string_is_no_comment() {
        let lines = lex_lines(
            "a = \"x # y\" # real\nb = 'p#q'\nc = \"\"\"\n# inside\n\"\"\"\"\" # after\nd = '''#'''\n\"k#\" = 1 # key\n",
        );
        let comments: Vec<Option<&str>> = lines.iter().map(Lexed::comment).collect();
        assert_eq!(
            comments,
            [
                Some("# real"),
                None,
                None,
                None,
                Some("# after"),
                None,
                Some("# key")
            ]
        );
        assert!(lines[3].inside_string && !lines[5].inside_string);
    }
}
