//! Owns editing a catalog file's text in place (for `adopt`, `use` and `add`):
//! setting one scalar at a key path, or adding a whole entry (a provider, a
//! profile, with the comment lines above it) under a top-level mapping, so
//! that everything else in the file (comments, order, quoting, blank lines)
//! stays byte for byte. Edits go where the
//! positioned YAML tree says: a scalar's span is replaced; a missing key is
//! inserted as a `key: value` line at the end of its block mapping, with
//! the missing mapping levels above it (a top-level key before a
//! document end marker, `...`, so that it stays in the document). Lines
//! may end in LF or CRLF, or all in a lone CR (old Mac files: edited as LF
//! lines, then given their CRs back). A shape
//! that cannot be edited safely (a flow mapping, an anchor, alias or tag, a
//! multi-line or block scalar, a `~` or a scalar where a mapping is needed)
//! is refused with its position, and so are line endings that mix a lone
//! CR with LF. Values are written by `emit`'s
//! `yaml_string`, the one YAML scalar writer. Does not decide what to set.

use std::fmt::Write as _;

use super::emit::yaml_string;
use super::yaml::{self, Node, Pos, Value};
use crate::diagnostic::{Problem, Snippet};

/// A value `adopt` writes: the scalars a catalog key holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Int(i64),
    /// A finite number with a fraction part or written with one (an MCP
    /// server's seconds, `30.0`).
    Float(f64),
    Bool(bool),
}

impl Scalar {
    /// The value as YAML text that reads back to exactly it: plain when
    /// that is unambiguous, else double-quoted with escapes.
    pub fn to_yaml(&self) -> String {
        match self {
            Scalar::Int(n) => n.to_string(),
            // `{:?}` keeps the `.0` of a whole number, so it reads back as a
            // float, not an integer.
            Scalar::Float(x) => format!("{x:?}"),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Str(s) => yaml_string(s),
        }
    }

    fn matches(&self, value: &Value) -> bool {
        match (self, value) {
            (Scalar::Str(a), Value::Str(b)) => a == b,
            (Scalar::Int(a), Value::Int(b)) => a == b,
            // Exactly the value written: it must read back bit for bit.
            (Scalar::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Scalar::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        }
    }
}

/// Why a file cannot be edited at some place.
#[derive(Debug, Clone)]
pub struct Refused(pub Problem);

/// `text` with `path` set to `value`; `name` is how the user knows the
/// file, for a refusal. Checked: the result parses and holds `value` at
/// `path`, and nothing else was touched but the edited span or lines.
pub fn set(name: &str, text: &str, path: &[&str], value: &Scalar) -> Result<String, Refused> {
    // YAML ends a line at a lone CR too; the line arithmetic here counts
    // LFs. A file whose every line ends in a CR is edited as LF lines.
    if let Some(cr) = lone_cr(text) {
        if text.contains('\n') {
            let line = text[..cr].matches('\n').count() + 1;
            return Err(Refused(
                Problem::new(format!(
                    "cannot write `{}` into {name}: its line {line} ends in a lone carriage return (CR) while others end in LF",
                    path.join(".")
                ))
                .help(format!(
                    "nothing was written; save {name} with one kind of line ending (LF, as most editors write), then run the command again"
                )),
            ));
        }
        let edited = set(name, &text.replace('\r', "\n"), path, value)?;
        return Ok(edited.replace('\n', "\r"));
    }
    let root = yaml::parse(0, name, text).map_err(Refused)?;
    let ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let edited = match &root.value {
        Value::Null => {
            // An empty (or comments-only) file: a new overlay body after it.
            let mut lines = format!("schema: 1{ending}");
            lines.push_str(&block(path, value, 0, 2, ending));
            at_document_end(text, &lines, ending)
        }
        _ => edit(name, text, &root, path, value, ending)?,
    };
    // The edit must read back as meant.
    let reparsed = yaml::parse(0, name, &edited).map_err(|p| internal(name, &p.to_string()))?;
    match lookup(&reparsed, path) {
        Some(node) if value.matches(&node.value) => Ok(edited),
        _ => Err(internal(name, "the edited text does not hold the value")),
    }
}

fn internal(name: &str, why: &str) -> Refused {
    Refused(
        Problem::new(format!("cannot edit {name} safely: {why}"))
            .help("this is a codexgen bug; nothing was written; please report it with the file"),
    )
}

fn lookup<'n>(root: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(root, |node, seg| match &node.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| k.name == *seg).map(|(_, v)| v),
        _ => None,
    })
}

fn edit(
    name: &str,
    text: &str,
    root: &Node,
    path: &[&str],
    value: &Scalar,
    ending: &str,
) -> Result<String, Refused> {
    let refuse = |pos: Pos, what: String| {
        let dotted = path.join(".");
        Refused(
            Problem::new(format!("cannot write `{dotted}` into {name}: {what}"))
                .at(Snippet::at(
                    name,
                    &super::yaml::as_yaml_counts(text),
                    pos.line,
                    pos.column,
                    pos.width,
                ))
                .label("codexgen edits only block mappings and one-line scalars")
                .help(format!(
                    "nothing was written; set `{dotted}` to {} in {name} by hand, then run `codexgen gen`",
                    value.to_yaml()
                )),
        )
    };
    let mut node = root;
    // The line of the key whose value `node` is (none for the root), and
    // the indentation of that key.
    let mut parent: Option<(usize, usize)> = None;
    for (depth, seg) in path.iter().enumerate() {
        let Value::Map(entries) = &node.value else {
            let what = match &node.value {
                Value::Null => "it is `~` (removed) or empty there".to_owned(),
                other => format!("it holds {} where a mapping is needed", other.kind()),
            };
            return Err(refuse(node.pos, what));
        };
        if char_at(text, node.pos) == Some('{') {
            return Err(refuse(node.pos, "a flow mapping (`{ ... }`)".to_owned()));
        }
        let Some((key, child)) = entries.iter().find(|(k, _)| k.name == *seg) else {
            // Missing from here on: new lines under this mapping.
            let indent = node.pos.column.saturating_sub(1);
            let step = parent.map_or(2, |(_, p)| indent.saturating_sub(p).max(1));
            let lines = block(&path[depth..], value, indent, step, ending);
            return Ok(match parent {
                None => at_document_end(text, &lines, ending),
                Some((line, key_indent)) => {
                    let at = body_end(text, line, key_indent);
                    let mut out = String::with_capacity(text.len() + lines.len());
                    out.push_str(&text[..at]);
                    if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
                        out.push_str(ending);
                    }
                    out.push_str(&lines);
                    out.push_str(&text[at..]);
                    out
                }
            });
        };
        if depth + 1 < path.len() {
            parent = Some((key.pos.line, key.pos.column.saturating_sub(1)));
            node = child;
            continue;
        }
        // The last key exists: replace its one-line scalar.
        let start = offset(text, child.pos.line, child.pos.column);
        let end = offset_chars(text, start, child.pos.width);
        let span = text.get(start..end).unwrap_or_default();
        let key_at = offset(text, key.pos.line, key.pos.column);
        let between = text.get(key_at..start).unwrap_or_default();
        let shape = match &child.value {
            Value::Map(_) | Value::Seq(_) => Some("a mapping or list is there"),
            _ if child.pos.line != key.pos.line || span.contains(['\n', '\r']) => {
                Some("a multi-line or block scalar")
            }
            _ if span.starts_with('*') => Some("an alias (`*name`)"),
            _ if between.contains(['&', '!']) => Some("an anchor or a tag"),
            Value::Null if !matches!(span, "~" | "null" | "Null" | "NULL") => {
                Some("an empty value")
            }
            _ => None,
        };
        if let Some(what) = shape {
            return Err(refuse(child.pos, what.to_owned()));
        }
        let mut out = String::with_capacity(text.len());
        out.push_str(&text[..start]);
        out.push_str(&value.to_yaml());
        out.push_str(&text[end..]);
        return Ok(out);
    }
    Err(internal(name, "an empty key path"))
}

/// `text` with `lines` added at the end of its document: before a
/// document end marker (`...`, or a second `---`), else at the end.
fn at_document_end(text: &str, lines: &str, ending: &str) -> String {
    let at = document_end(text);
    let mut out = String::with_capacity(text.len() + lines.len() + ending.len());
    out.push_str(&text[..at]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(ending);
    }
    out.push_str(lines);
    out.push_str(&text[at..]);
    out
}

/// Where the first document's lines end: at the start of a `...` line, or
/// of a `---` line after its content; else the text's end.
fn document_end(text: &str) -> usize {
    let mut at = 0;
    let mut content = false;
    while at < text.len() {
        let next = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = text[at..next].trim_end_matches(['\n', '\r']);
        let marker = |m: &str| {
            line.strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        };
        if marker("...") || (content && marker("---")) {
            return at;
        }
        let body = line.trim_start();
        if !body.is_empty() && !body.starts_with('#') && !line.starts_with('%') && !marker("---") {
            content = true;
        }
        at = next;
    }
    text.len()
}

/// Where the first carriage return not followed by a line feed is.
fn lone_cr(text: &str) -> Option<usize> {
    text.match_indices('\r')
        .map(|(i, _)| i)
        .find(|&i| text.as_bytes().get(i + 1) != Some(&b'\n'))
}

/// `path` as nested block-mapping lines ending in `value`, the first at
/// `indent` spaces and each deeper one `step` more.
fn block(path: &[&str], value: &Scalar, indent: usize, step: usize, ending: &str) -> String {
    let mut out = String::new();
    for (i, seg) in path.iter().enumerate() {
        out.push_str(&" ".repeat(indent + i * step));
        out.push_str(&yaml_string(seg));
        out.push(':');
        if i + 1 == path.len() {
            out.push(' ');
            out.push_str(&value.to_yaml());
        }
        out.push_str(ending);
    }
    out
}

/// Where the block mapping under the key on `key_line` (indented
/// `key_indent`) ends: after its last line indented deeper than the key.
/// Blank and comment lines after that line belong to what follows.
fn body_end(text: &str, key_line: usize, key_indent: usize) -> usize {
    let mut at = line_start(text, key_line + 1);
    let mut end = at;
    while at < text.len() {
        let next = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = text[at..next].trim_end_matches(['\n', '\r']);
        let body = line.trim_start_matches(' ');
        if !body.is_empty() && !body.starts_with('#') {
            if line.len() - body.len() <= key_indent {
                break;
            }
            end = next;
        }
        at = next;
    }
    end
}

/// The lines of the top-level block mapping `section`'s entry `key` in
/// `text`, with the comment lines right above its key (at its
/// indentation), moved left so that the key starts the line; each line
/// ends in `\n`. `None` when there is no such entry in a block mapping.
pub fn entry_lines(text: &str, section: &str, key: &str) -> Option<String> {
    let root = yaml::parse(0, "", text).ok()?;
    let Value::Map(top) = &root.value else {
        return None;
    };
    let (_, node) = top.iter().find(|(k, _)| k.name == section)?;
    let Value::Map(entries) = &node.value else {
        return None;
    };
    let (k, _) = entries.iter().find(|(k, _)| k.name == key)?;
    let indent = k.pos.column.checked_sub(1)?;
    let mut start = line_start(text, k.pos.line);
    let mut line = k.pos.line;
    while line > 1 {
        let above_at = line_start(text, line - 1);
        let above = text[above_at..start].trim_end_matches(['\n', '\r']);
        let body = above.trim_start_matches(' ');
        if !body.starts_with('#') || above.len() - body.len() != indent {
            break;
        }
        start = above_at;
        line -= 1;
    }
    let end = body_end(text, k.pos.line, indent);
    let mut out = String::new();
    for l in text[start..end].lines() {
        let spaces = l.len() - l.trim_start_matches(' ').len();
        out.push_str(&l[spaces.min(indent)..]);
        out.push('\n');
    }
    Some(out)
}

/// `text` with `entry` (lines as [`entry_lines`] gives them) added as
/// `section.key`: after the last entry of the top-level block mapping
/// `section`, indented as its entries are, or under a `section:` that holds
/// nothing yet, or (absent) at the end of the file (an empty file first gets
/// `schema: 1`). Refused with its place: `section.key` already there, and
/// the shapes [`set`] refuses (a flow mapping, `~`, a scalar where the
/// mapping is needed). Checked: the result parses and holds a mapping at
/// `section.key`.
pub fn add_entry(
    name: &str,
    text: &str,
    section: &str,
    key: &str,
    entry: &str,
) -> Result<String, Refused> {
    let root = yaml::parse(0, name, text).map_err(Refused)?;
    let ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let refuse = |pos: Pos, what: String| {
        Refused(
            Problem::new(format!(
                "cannot add `{section}.{key}` to {name}: {what}"
            ))
            .at(Snippet::at(
                name,
                &super::yaml::as_yaml_counts(text),
                pos.line,
                pos.column,
                pos.width,
            ))
            .label("codexgen adds entries only to block mappings")
            .help(format!(
                "nothing was written; copy the entry into {name} by hand (`codexgen init --output -` prints them all)"
            )),
        )
    };
    let with_ending = |mut out: String| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(ending);
        }
        out
    };
    let edited = match &root.value {
        Value::Null => {
            let mut out = with_ending(text.to_owned());
            let _ = write!(out, "schema: 1{ending}{section}:{ending}");
            out.push_str(&indented(entry, 2, ending));
            out
        }
        Value::Map(top) => {
            if char_at(text, root.pos) == Some('{') {
                return Err(refuse(root.pos, "a flow mapping (`{ ... }`)".to_owned()));
            }
            match top.iter().find(|(k, _)| k.name == section) {
                None => {
                    let mut out = with_ending(text.to_owned());
                    if !out.is_empty() && !out.ends_with("\n\n") && !out.ends_with("\n\r\n") {
                        out.push_str(ending);
                    }
                    let _ = write!(out, "{}:{ending}", yaml_string(section));
                    out.push_str(&indented(entry, 2, ending));
                    out
                }
                Some((k, node)) => {
                    let (at, indent) =
                        place_under(text, k, node, key).map_err(|(pos, what)| refuse(pos, what))?;
                    let lines = indented(entry, indent, ending);
                    let mut out = String::with_capacity(text.len() + lines.len() + 2);
                    out.push_str(&text[..at]);
                    if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
                        out.push_str(ending);
                    }
                    out.push_str(&lines);
                    out.push_str(&text[at..]);
                    out
                }
            }
        }
        other => {
            return Err(refuse(
                root.pos,
                format!("the file holds {} where a mapping is needed", other.kind()),
            ));
        }
    };
    let reparsed = yaml::parse(0, name, &edited).map_err(|p| internal(name, &p.to_string()))?;
    match lookup(&reparsed, &[section, key]) {
        Some(Node {
            value: Value::Map(_),
            ..
        }) => Ok(edited),
        _ => Err(internal(name, "the edited text does not hold the entry")),
    }
}

/// Where an entry `key` goes under the top-level key `k` holding `node`:
/// the byte offset and the indentation of its lines, or the place and the
/// reason it cannot go there.
fn place_under(
    text: &str,
    k: &yaml::Key,
    node: &Node,
    key: &str,
) -> Result<(usize, usize), (Pos, String)> {
    let key_indent = k.pos.column.saturating_sub(1);
    match &node.value {
        Value::Map(_) if char_at(text, node.pos) == Some('{') => {
            Err((node.pos, "a flow mapping (`{ ... }`)".to_owned()))
        }
        Value::Map(entries) => match entries.iter().find(|(e, _)| e.name == key) {
            Some((there, _)) => Err((there.pos, "it is already there".to_owned())),
            None => Ok((
                body_end(text, k.pos.line, key_indent),
                node.pos.column.saturating_sub(1),
            )),
        },
        Value::Null if holds_nothing(text, k.pos.line) => {
            Ok((line_start(text, k.pos.line + 1), key_indent + 2))
        }
        Value::Null => Err((k.pos, "it is `~` (removed) there".to_owned())),
        other => Err((
            node.pos,
            format!("it holds {} where a mapping is needed", other.kind()),
        )),
    }
}

/// Whether the key on 1-based `line` has nothing after its colon but a
/// comment (`providers:` with no entries yet), not a `~`.
fn holds_nothing(text: &str, line: usize) -> bool {
    let start = line_start(text, line);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let code = text[start..end].trim_end_matches('\r');
    let code = code.split_once(" #").map_or(code, |(c, _)| c).trim_end();
    code.ends_with(':')
}

/// `entry`'s lines each `indent` spaces further right (blank lines stay
/// blank), each ending in `ending`.
fn indented(entry: &str, indent: usize, ending: &str) -> String {
    let mut out = String::with_capacity(entry.len() * 2);
    for line in entry.lines() {
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(line);
        }
        out.push_str(ending);
    }
    out
}

/// The byte offset where 1-based `line` starts (the end for a line past it).
fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

/// The byte offset of 1-based `line`, `column` (columns count characters).
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start = line_start(text, line);
    offset_chars(text, start, column.saturating_sub(1))
}

/// The byte offset `chars` characters after `from`.
fn offset_chars(text: &str, from: usize, chars: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| from + i)
}

fn char_at(text: &str, pos: Pos) -> Option<char> {
    text[offset(text, pos.line, pos.column)..].chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set_ok(text: &str, path: &[&str], value: &str) -> String {
        set("o.yaml", text, path, &Scalar::Str(value.to_owned())).unwrap()
    }

    #[test]
    fn a_top_level_key_stays_before_a_document_end_marker() {
        assert_eq!(
            set_ok("schema: 1\n...\n", &["default"], "b"),
            "schema: 1\ndefault: b\n...\n"
        );
        assert_eq!(
            set_ok("---\nschema: 1\n# end\n... # done\n", &["default"], "b"),
            "---\nschema: 1\n# end\ndefault: b\n... # done\n"
        );
        assert_eq!(
            set_ok("# only this\n...\n", &["default"], "b"),
            "# only this\nschema: 1\ndefault: b\n...\n"
        );
        // Nested: the block ends before the marker anyway.
        assert_eq!(
            set_ok(
                "schema: 1\nprofiles:\n  a:\n    model: m\n...\n",
                &["profiles", "a", "provider"],
                "p"
            ),
            "schema: 1\nprofiles:\n  a:\n    model: m\n    provider: p\n...\n"
        );
    }

    #[test]
    fn lone_cr_lines_are_edited_as_lines_and_mixed_endings_refused() {
        assert_eq!(
            set_ok("schema: 1\rdefault: a  # mine\r", &["default"], "b"),
            "schema: 1\rdefault: b  # mine\r"
        );
        assert_eq!(
            set_ok(
                "schema: 1\rprofiles:\r  a:\r    model: m\r",
                &["profiles", "a", "provider"],
                "p"
            ),
            "schema: 1\rprofiles:\r  a:\r    model: m\r    provider: p\r"
        );
        assert_eq!(
            set_ok("schema: 1", &["default"], "b"),
            "schema: 1\ndefault: b\n"
        );
        let refused = set(
            "o.yaml",
            "schema: 1\ndefault: a\rx: 1\n",
            &["default"],
            &Scalar::Str("b".to_owned()),
        )
        .unwrap_err();
        let message = refused.0.to_string();
        assert!(
            message.contains("line 2 ends in a lone carriage return"),
            "{message}"
        );
        assert!(!message.contains("codexgen bug"), "{message}");
    }

    #[test]
    fn a_scalar_is_replaced_in_place_and_comments_stay() {
        let text =
            "schema: 1   # mine\nprofiles:\n  # the default\n  groq:\n    model: \"old\"  # keep\n";
        assert_eq!(
            set_ok(text, &["profiles", "groq", "model"], "new-1"),
            "schema: 1   # mine\nprofiles:\n  # the default\n  groq:\n    model: new-1  # keep\n"
        );
    }

    #[test]
    fn a_missing_key_goes_under_its_mapping_with_the_missing_levels() {
        let text = "schema: 1\nprofiles:\n    groq:\n        model: a\n";
        assert_eq!(
            set_ok(text, &["profiles", "groq", "provider"], "x"),
            "schema: 1\nprofiles:\n    groq:\n        model: a\n        provider: x\n"
        );
        assert_eq!(
            set_ok(text, &["profiles", "deep", "model"], "m"),
            "schema: 1\nprofiles:\n    groq:\n        model: a\n    deep:\n        model: m\n"
        );
        // After the mapping's last line; what follows keeps its comments.
        let text = "profiles:\n  a:\n    model: |\n      two\n      lines\n    # about b\n  b:\n    model: x\n\n# next\nproviders: {}\n";
        assert_eq!(
            set_ok(text, &["profiles", "a", "provider"], "p"),
            "profiles:\n  a:\n    model: |\n      two\n      lines\n    provider: p\n    # about b\n  b:\n    model: x\n\n# next\nproviders: {}\n"
        );
        assert_eq!(
            set_ok(text, &["profiles", "c", "model"], "m"),
            "profiles:\n  a:\n    model: |\n      two\n      lines\n    # about b\n  b:\n    model: x\n  c:\n    model: m\n\n# next\nproviders: {}\n"
        );
        assert_eq!(
            set_ok("a:\n  b: 1", &["a", "c"], "m"),
            "a:\n  b: 1\n  c: m\n"
        );
        assert_eq!(
            set_ok("schema: 1 # x", &["providers", "p", "name"], "Nm"),
            "schema: 1 # x\nproviders:\n  p:\n    name: Nm\n"
        );
        assert_eq!(
            set_ok("# only a comment\n", &["profiles", "a", "model"], "m"),
            "# only a comment\nschema: 1\nprofiles:\n  a:\n    model: m\n"
        );
        assert_eq!(
            set_ok(
                "schema: 1\r\nprofiles:\r\n  a:\r\n    model: x\r\n",
                &["profiles", "a", "model"],
                "y z"
            ),
            "schema: 1\r\nprofiles:\r\n  a:\r\n    model: \"y z\"\r\n"
        );
    }

    #[test]
    fn shapes_that_cannot_be_edited_safely_are_refused_with_their_place() {
        for (text, path, what) in [
            (
                "profiles: {a: {model: x}}\n",
                &["profiles", "a", "model"][..],
                "a flow mapping",
            ),
            (
                "profiles:\n  a:\n    model: |\n      x\n",
                &["profiles", "a", "model"][..],
                "a multi-line",
            ),
            (
                "x: &m y\nprofiles:\n  a:\n    model: *m\n",
                &["profiles", "a", "model"][..],
                "an alias",
            ),
            (
                "profiles:\n  a:\n    model: &m y\n",
                &["profiles", "a", "model"][..],
                "an anchor",
            ),
            ("profiles: ~\n", &["profiles", "a", "model"][..], "`~`"),
        ] {
            let err = set("o.yaml", text, path, &Scalar::Str("v".into())).unwrap_err();
            assert!(err.0.message.contains(what), "{text:?}: {}", err.0.message);
            assert!(err.0.snippet.is_some(), "{text:?}");
        }
    }

    const LIBRARY: &str = "schema: 1\nproviders:\n  # about a\n  # more\n  a:\n    name: A\n    desc: |\n      two\n\n      lines\n\n  # about b\n  b:\n    name: B\n";

    #[test]
    fn an_entry_comes_with_the_comments_above_it_moved_left() {
        assert_eq!(
            entry_lines(LIBRARY, "providers", "a").unwrap(),
            "# about a\n# more\na:\n  name: A\n  desc: |\n    two\n\n    lines\n"
        );
        assert_eq!(
            entry_lines(LIBRARY, "providers", "b").unwrap(),
            "# about b\nb:\n  name: B\n"
        );
        assert_eq!(entry_lines(LIBRARY, "providers", "c"), None);
        assert_eq!(entry_lines(LIBRARY, "profiles", "a"), None);
    }

    #[test]
    fn an_entry_is_added_after_the_last_one_at_its_indentation() {
        let entry = "# about b\nb:\n  name: B\n";
        // After the mapping's last line; what follows keeps its comments.
        let text =
            "schema: 1 # mine\nproviders:\n    a:\n        name: A\n\n# next\nprofiles: {}\n";
        assert_eq!(
            add_entry("c.yaml", text, "providers", "b", entry).unwrap(),
            "schema: 1 # mine\nproviders:\n    a:\n        name: A\n    # about b\n    b:\n      name: B\n\n# next\nprofiles: {}\n"
        );
        // Absent: at the end, after a blank line; no final newline is mended.
        assert_eq!(
            add_entry("c.yaml", "schema: 1", "providers", "b", entry).unwrap(),
            "schema: 1\n\nproviders:\n  # about b\n  b:\n    name: B\n"
        );
        // Empty: a new overlay body.
        assert_eq!(
            add_entry("c.yaml", "# mine\n", "providers", "b", entry).unwrap(),
            "# mine\nschema: 1\nproviders:\n  # about b\n  b:\n    name: B\n"
        );
        // A section that holds nothing yet.
        assert_eq!(
            add_entry(
                "c.yaml",
                "providers:   # none yet\r\nprofiles:\r\n  x: {}\r\n",
                "providers",
                "b",
                entry
            )
            .unwrap(),
            "providers:   # none yet\r\n  # about b\r\n  b:\r\n    name: B\r\nprofiles:\r\n  x: {}\r\n"
        );
    }

    #[test]
    fn an_entry_is_not_added_where_it_cannot_be_safely() {
        for (text, what) in [
            ("providers:\n  b:\n    name: Mine\n", "already there"),
            ("providers:\n  b: ~\n", "already there"),
            ("providers: {a: {name: A}}\n", "a flow mapping"),
            ("{providers: {}}\n", "a flow mapping"),
            ("providers: ~\n", "`~`"),
            ("providers: x\n", "a string"),
            ("- a\n", "a list"),
        ] {
            let err = add_entry("c.yaml", text, "providers", "b", "b:\n  name: B\n").unwrap_err();
            assert!(err.0.message.contains(what), "{text:?}: {}", err.0.message);
            assert!(err.0.snippet.is_some(), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn any_string_round_trips_as_a_yaml_scalar(s in any::<String>()) {
            let text = format!("k: {}\n", yaml_string(&s));
            let node = yaml::parse(0, "t", &text).unwrap();
            prop_assert_eq!(lookup(&node, &["k"]).map(|n| n.value.clone()), Some(Value::Str(s)));
        }

        #[test]
        fn no_text_panics_an_edit(
            pieces in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(&["a:", "  b:", " c: x", "{", "}", "&x ", "*x", "|", "~", "#", "\n", "\r\n", "\"", "é", "- "][..]).prop_map(str::to_owned),
                    any::<String>(),
                ],
                0..12,
            ),
            path in proptest::collection::vec(proptest::sample::select(&["a", "b", "c", "schema"][..]), 1..4),
        ) {
            let text = pieces.concat();
            // Refused or edited, never a panic; an edit reads back (checked inside).
            let _ = set("o.yaml", &text, &path, &Scalar::Str("v".into()));
        }

        #[test]
        fn no_text_panics_an_added_entry(
            pieces in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(&["providers:", "  b:", " c: x", "{", "}", "&x ", "*x", "|", "~", "#", "\n", "\r\n", "\"", "é", "- ", "\t"][..]).prop_map(str::to_owned),
                    any::<String>(),
                ],
                0..12,
            ),
        ) {
            let text = pieces.concat();
            // Refused or added, never a panic; an addition reads back (checked inside).
            let _ = add_entry("c.yaml", &text, "providers", "b", "# about b\nb:\n  name: B\n");
            let _ = entry_lines(&text, "providers", "b");
        }

        #[test]
        fn any_string_set_into_a_file_reads_back(s in any::<String>(), comment in "[ -~]{0,20}") {
            let text = format!("schema: 1  #{comment}\nprofiles:\n  a:\n    model: old\n");
            let out = set("o.yaml", &text, &["profiles", "a", "model"], &Scalar::Str(s.clone())).unwrap();
            let node = yaml::parse(0, "t", &out).unwrap();
            prop_assert_eq!(lookup(&node, &["profiles", "a", "model"]).map(|n| n.value.clone()), Some(Value::Str(s)));
            let head = format!("schema: 1  #{comment}\nprofiles:\n  a:\n    model: ");
            prop_assert!(out.starts_with(&head));
        }
    }
}
