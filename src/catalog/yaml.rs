//! Owns YAML: turns one catalog file into a tree of [`Node`]s that remember
//! where each came from. The only module that knows the YAML crate
//! (serde-saphyr), so swapping it touches this file alone; it also words
//! every error the crate can give in YAML's terms (never the crate's API or
//! type names), at the offending place (a tab at the tab, a second document
//! at its `---`), with what to do, and sets the size budgets. Does not know
//! what a provider or a profile is.
//!
//! Two readings, one tree. The fast path builds the [`Node`]s straight from
//! the events of granit-parser (the parser serde-saphyr runs, with the
//! options it gives it) and reproduces what serde-saphyr's `deserialize_any`
//! and `Spanned` make of them: values, kinds, every position. It reads block
//! and flow maps and lists, quoted and block scalars (text), and plain
//! scalars whose type is certain: `~`/`null`/`Null`/`NULL`/empty (null),
//! `true`/`false`, `-12`/`0`/`12` within i64, `-1.5`/`01.50`, and text that
//! no number, boolean or null rule can read. It gives the whole file to
//! serde-saphyr (the only source of error messages) on anything else: a
//! parser error, anchors, aliases, tags, a merge key `<<`, a directive or a
//! second document, a key that is not text for certain or that appears
//! twice, nesting past 48, the node/event/byte budgets, and plain scalars
//! such as `yes`, `On`, `.inf`, `0x1F`, `1_000`, `+1`, `1e3`, `012`. Debug
//! builds and fuzzing (`--cfg fuzzing`) read every fast-path file both ways
//! and panic on a difference. A file of 64 KiB or more is read by the fast
//! path in two parts on two threads, cut before a top-level key, when the
//! cut cannot change the reading ([`split`] says when). It halves the reading: on a 267 KB,
//! 1,000-provider catalog 72 M instructions instead of about 154 M (the
//! parser's events are 62 M of them), on the shipped catalog 0.54 M instead
//! of 1.1 M (valgrind callgrind, release build; docs/performance.md).

use granit_parser::{Event, ScalarStyle};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;

use crate::diagnostic::{Code, Problem, Snippet};

/// Where a value sits: which catalog file, and 1-based line/column in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub file: usize,
    pub line: usize,
    pub column: usize,
    /// Length of the value's text, for the caret.
    pub width: usize,
}

/// A YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order; the key keeps its own position.
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

impl Value {
    /// How the value is called in an error message ("a string", "a map", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// The most YAML values (nodes: every key, scalar, list and map) one catalog
/// file may hold. serde-saphyr's default (250,000) stopped near 10,000
/// providers with as many profiles, the size docs/performance.md measures; this
/// still bounds the parsed tree (a few hundred MB at most) well inside what
/// a 16 MiB file could ask for.
const MAX_NODES: usize = 1_000_000;

/// The most parser events one file may give: a node, or the end of a list
/// or a map; four per node is more than any catalog needs. Both readers
/// keep to it.
fn max_events() -> usize {
    max_nodes().saturating_mul(4)
}

/// [`MAX_NODES`]; debug builds let the tests lower it through
/// `CODEXGEN_YAML_MAX_NODES`, so that a test of the limit need not parse a
/// million values (as fail points, only in debug builds).
fn max_nodes() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("CODEXGEN_YAML_MAX_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return n;
    }
    MAX_NODES
}

/// Parses one file. `file` is the index that positions will carry; `name` is
/// how the user knows the file, for the error.
pub fn parse(file: usize, name: &str, text: &str) -> Result<Node, Problem> {
    match fast(file, text) {
        Some(node) => {
            // Debug builds (every test) and fuzzing hold the fast path to
            // the tree serde-saphyr gives, on every file they read.
            #[cfg(any(debug_assertions, fuzzing))]
            same_as_serde(file, name, text, &node);
            Ok(node)
        }
        None => parse_serde(file, name, text),
    }
}

/// Panics when serde-saphyr reads `text` otherwise than the fast path did
/// (naming the file only: its values may be secrets; a fuzz input is kept
/// by the fuzzer).
#[cfg(any(debug_assertions, fuzzing))]
fn same_as_serde(file: usize, name: &str, text: &str, node: &Node) {
    let agrees = parse_serde(file, name, text).is_ok_and(|slow| identical(&slow, node));
    assert!(
        agrees,
        "the fast YAML reader read {name} otherwise than serde-saphyr: add it to the tests of src/catalog/yaml.rs"
    );
}

/// `a` and `b` the same tree, floats compared bit for bit (`==` would take
/// `-0.0` for `0.0`).
#[cfg(any(test, debug_assertions, fuzzing))]
fn identical(a: &Node, b: &Node) -> bool {
    a.pos == b.pos
        && match (&a.value, &b.value) {
            (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
            (Value::Seq(xs), Value::Seq(ys)) => {
                xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| identical(x, y))
            }
            (Value::Map(xs), Value::Map(ys)) => {
                xs.len() == ys.len()
                    && xs
                        .iter()
                        .zip(ys)
                        .all(|((kx, x), (ky, y))| kx == ky && identical(x, y))
            }
            (x, y) => x == y,
        }
}

/// The reading through serde-saphyr: every file the fast path gives back,
/// and the only source of error messages.
fn parse_serde(file: usize, name: &str, text: &str) -> Result<Node, Problem> {
    // serde-saphyr's budgets refuse alias bombs and runaway nesting.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: max_nodes(),
            max_events: max_events(),
        },
    };
    match serde_saphyr::from_str_with_options::<Option<Spanned<Raw>>>(text, options) {
        Ok(Some(root)) => Ok(convert(file, root)),
        Ok(None) => Ok(null_root(file)),
        Err(err) => Err(refusal(name, text, &err)),
    }
}

/// An empty file, or one whose document is null: serde-saphyr's `None`,
/// placed at the file's start.
fn null_root(file: usize) -> Node {
    Node {
        value: Value::Null,
        pos: Pos {
            file,
            line: 1,
            column: 1,
            width: 1,
        },
    }
}

/// Nesting deeper than this goes to serde-saphyr, which refuses past 64.
const FAST_MAX_DEPTH: usize = 48;

/// The fast path: the tree straight from granit-parser's events, the
/// parser serde-saphyr runs, with the options it gives it. `None` (give the
/// file to serde-saphyr) on anything outside the subset the module doc
/// names, or that serde-saphyr might read otherwise.
fn fast(file: usize, text: &str) -> Option<Node> {
    // serde-saphyr keeps positions in 32 bits; a line that starts with `%`
    // is a directive (`%YAML`, `%TAG`).
    if u32::try_from(text.len()).is_err() || has_directive(text) {
        return None;
    }
    split(file, text).or_else(|| fast_part(file, text, 0, 1))
}

/// How large a file is read in two parts on two threads ([`split`]);
/// fuzzing splits nearly every input, to hold the joined tree to
/// serde-saphyr's.
#[cfg(not(fuzzing))]
const SPLIT_FROM: usize = 64 * 1024;
#[cfg(fuzzing)]
const SPLIT_FROM: usize = 16;

/// A large file read by the fast path in two parts at once (past [`fast`]'s
/// own checks: positions within 32 bits, no directive): cut before the
/// top-level key nearest its middle, each part read as a file of its own
/// (the second's lines counted on from the first's), and the two maps
/// joined. Reading 10,000 providers was a third of a check, on one core.
///
/// A cut at a line that starts a top-level key (`name:` at column 0, the
/// name plain letters, digits, `_` and `-`) splits the file where the
/// whole reading ends one entry of the root map and starts the next:
/// nothing at column 0 continues a value of a block map at column 0 (a
/// block scalar's lines and a plain scalar's are indented), and what would
/// (a quoted scalar or a flow collection left open) leaves the first part
/// unreadable. A value with no text of its own (an empty block scalar, a
/// `? key` without a value) is placed at the token after it, so the value
/// the first part ends with must have some ([`without_text`]). So the parts
/// are read, each must be a map (the first a block map at column 0), no key
/// may be in both, and each part has half of every budget: anything else
/// gives the file to the whole reading (`None`). Only files without `\r` (whose lines both
/// readings count alike) and without a document marker past the start
/// (`---` or `...` at column 0: the first part could end a document that the
/// whole file continues). Debug builds and fuzzing hold the joined tree to
/// serde-saphyr's, as every fast reading; a differential test of 4 million
/// generated files found the empty value's case, and nothing else.
fn split(file: usize, text: &str) -> Option<Node> {
    if text.len() < SPLIT_FROM
        || text.contains('\r')
        || text.contains("\n---")
        || text.contains("\n...")
        || text.starts_with("...")
    {
        return None;
    }
    let cut = cut(text)?;
    let (first, second) = text.split_at(cut);
    let lines_before = first.bytes().filter(|&b| b == b'\n').count();
    let (first, second) = crate::halves::both(
        || fast_part(file, first, 0, 2),
        || fast_part(file, second, lines_before, 2),
    );
    let (mut root, second) = (first?, second?);
    // The first part's map must be a block map at column 0, which the key
    // at the cut continues: not one indented (`  a: 1` above `b: 2`) nor
    // one in braces (`{a: 1}` above `b: 2`), whose start is not its first
    // key's. Neither is a map of the whole file.
    let block_at_column_0 = match &root.value {
        Value::Map(entries) => entries.first().is_some_and(|(key, _)| {
            root.pos.column == 1 && (key.pos.line, key.pos.column) == (root.pos.line, 1)
        }),
        _ => false,
    };
    if !block_at_column_0 || without_text(last_leaf(&root)) {
        return None;
    }
    let (Value::Map(entries), Value::Map(more)) = (&mut root.value, second.value) else {
        return None;
    };
    let mut names: Vec<&str> = entries
        .iter()
        .chain(&more)
        .map(|(k, _)| k.name.as_str())
        .collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    entries.extend(more);
    Some(root)
}

/// The start of the line nearest the middle of `text` that starts a
/// top-level key (see [`split`]), if one is past the first line.
fn cut(text: &str) -> Option<usize> {
    let middle = text.len() / 2;
    let starts_key = |at: usize| {
        let line = &text[at..];
        let name = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(line.len());
        name > 0
            && line.as_bytes()[0].is_ascii_alphanumeric()
            && line[name..].starts_with(':')
            && matches!(line.as_bytes().get(name + 1), None | Some(b' ' | b'\n'))
    };
    let line_starts = text.match_indices('\n').map(|(i, _)| i + 1);
    line_starts
        .filter(|&at| at < text.len() && starts_key(at))
        .min_by_key(|&at| at.abs_diff(middle))
}

/// The value a tree ends with: the last entry's or item's, all the way in.
fn last_leaf(node: &Node) -> &Node {
    match &node.value {
        Value::Map(entries) => entries.last().map_or(node, |(_, value)| last_leaf(value)),
        Value::Seq(items) => items.last().map_or(node, last_leaf),
        _ => node,
    }
}

/// Whether a value may have no text of its own: nothing (a `? key` without
/// a value), or text of line breaks only (an empty block scalar, `|`, `>-`,
/// `|+` over blank lines, whatever follows its header). The parser places
/// such a value at the token after it, which the first part read alone
/// does not have (found by a differential test: `a: |` above the cut's key
/// is at line 1 alone, at line 2 in the whole file). Checked on the tree,
/// not the text, so that no spelling of the header (a comment after a tab,
/// a quoted key with ` #` in it) gets past.
fn without_text(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Str(text) => text.chars().all(|c| c == '\n'),
        _ => false,
    }
}

/// The fast path over `text`, a whole file or a part of one: its lines
/// counted from `lines_before`, with `1 / share` of every budget.
fn fast_part(file: usize, text: &str, lines_before: usize, share: usize) -> Option<Node> {
    let budget = serde_saphyr::Budget::default();
    let mut options = granit_parser::Options::default();
    // What serde-saphyr's `Options::parser_options` sets from its budget.
    options.simple_key_max_lookahead = budget.simple_key_max_lookahead;
    options.flow_nesting_limit = budget.flow_nesting_limit;
    options.block_nesting_limit = options
        .block_nesting_limit
        .max(budget.max_depth.saturating_add(1));
    options.emit_comments = false;
    let mut reader = Fast {
        events: granit_parser::Parser::with_options(granit_parser::StrInput::new(text), options),
        file,
        lines_before,
        events_left: max_events().saturating_sub(1) / share,
        nodes_left: max_nodes().saturating_sub(1) / share,
        bytes_left: budget.max_total_scalar_bytes.saturating_sub(1) / share,
    };
    if !matches!(reader.next()?.0, Event::StreamStart) {
        return None;
    }
    let root = match reader.next()? {
        (Event::StreamEnd, _) => null_root(file),
        (Event::DocumentStart(_, None), _) => {
            let (event, span) = reader.next()?;
            let root = reader.node(event, span, 0)?;
            if !matches!(reader.next()?.0, Event::DocumentEnd)
                || !matches!(reader.next()?.0, Event::StreamEnd)
            {
                return None;
            }
            if root.value == Value::Null {
                null_root(file)
            } else {
                root
            }
        }
        _ => return None,
    };
    reader.events.next().is_none().then_some(root)
}

/// Whether a line starts with `%`.
fn has_directive(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices('%').any(|(i, _)| {
        i == 0 || matches!(bytes[i - 1], b'\n' | b'\r') || (i == 3 && text.starts_with('\u{feff}'))
    })
}

/// The event reader of the fast path, with what is left of serde-saphyr's
/// budgets less one (the fast path stops short of them).
struct Fast<'a> {
    events: granit_parser::Parser<'a, granit_parser::StrInput<'a>>,
    file: usize,
    /// The lines of the file before the part read (see [`split`]).
    lines_before: usize,
    events_left: usize,
    nodes_left: usize,
    bytes_left: usize,
}

impl<'a> Fast<'a> {
    /// The next event; `None` on a parser error or past the event budget.
    fn next(&mut self) -> Option<(Event<'a>, granit_parser::Span)> {
        self.events_left = self.events_left.checked_sub(1)?;
        self.events.next()?.ok()
    }

    /// As serde-saphyr's `location_from_span`: the parser's line, its
    /// column plus one, the length in characters (at least 1, as [`pos`]).
    fn pos(&self, span: granit_parser::Span) -> Option<Pos> {
        Some(Pos {
            file: self.file,
            line: span.start.line() + self.lines_before,
            column: span.start.col() + 1,
            width: span.end.index().checked_sub(span.start.index())?.max(1),
        })
    }

    /// One node (the one `event` starts), with everything in it.
    fn node(&mut self, event: Event<'a>, span: granit_parser::Span, depth: usize) -> Option<Node> {
        self.nodes_left = self.nodes_left.checked_sub(1)?;
        let value = match event {
            Event::Scalar(text, style, 0, None) => {
                self.bytes_left = self.bytes_left.checked_sub(text.len())?;
                scalar(text, style)?
            }
            Event::SequenceStart(_, 0, None) if depth < FAST_MAX_DEPTH => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        (Event::SequenceEnd, _) => break,
                        (event, span) => items.push(self.node(event, span, depth + 1)?),
                    }
                }
                Value::Seq(items)
            }
            Event::MappingStart(_, 0, None) if depth < FAST_MAX_DEPTH => {
                Value::Map(self.entries(depth)?)
            }
            _ => return None,
        };
        Some(Node {
            value,
            pos: self.pos(span)?,
        })
    }

    /// The entries of a map whose start was just read, through its end.
    fn entries(&mut self, depth: usize) -> Option<Vec<(Key, Node)>> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        loop {
            let (event, span) = self.next()?;
            let name = match event {
                Event::MappingEnd => break,
                Event::Scalar(text, style, 0, None) => {
                    self.nodes_left = self.nodes_left.checked_sub(1)?;
                    self.bytes_left = self.bytes_left.checked_sub(text.len())?;
                    key(text, style)?
                }
                _ => return None,
            };
            // A key twice: serde-saphyr's error says which (small maps here,
            // large ones below, sorted).
            if entries.len() < 16 && entries.iter().any(|(k, _)| k.name == name) {
                return None;
            }
            let key = Key {
                name,
                pos: self.pos(span)?,
            };
            let (event, span) = self.next()?;
            let value = self.node(event, span, depth + 1)?;
            entries.push((key, value));
        }
        if entries.len() > 16 {
            let mut names: Vec<&str> = entries.iter().map(|(k, _)| k.name.as_str()).collect();
            names.sort_unstable();
            if names.windows(2).any(|w| w[0] == w[1]) {
                return None;
            }
        }
        Some(entries)
    }
}

/// A scalar value as serde-saphyr's `deserialize_any` reads it, or `None`
/// where that is not certain. Quoted and block scalars are text; a plain
/// one is null, `true`/`false`, a decimal integer or a decimal fraction in
/// its plain spelling, or text that can be nothing else.
fn scalar(text: std::borrow::Cow<'_, str>, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::Str(text.into_owned()));
    }
    match &*text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    let first = *text.as_bytes().first()?;
    if first.is_ascii_digit() || first == b'-' {
        if let Some(number) = number(&text) {
            return Some(number);
        }
        return plain_text_after_digit(&text).then(|| Value::Str(text.into_owned()));
    }
    plain_text(&text).then(|| Value::Str(text.into_owned()))
}

/// A plain `-12`, `0`, `12` (no `+`, no leading zero, in i64) or `-1.5`,
/// `1.50` (digits, a point, digits; finite).
fn number(text: &str) -> Option<Value> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if all_digits(digits) {
        if (digits.len() > 1 && digits.starts_with('0')) || text == "-0" {
            return None;
        }
        return text.parse::<i64>().ok().map(Value::Int);
    }
    let (whole, fraction) = digits.split_once('.')?;
    if !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    text.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(Value::Float)
}

/// Whether a plain scalar that does not start with a digit or `-` is
/// text: not a word serde-saphyr reads otherwise (YAML 1.1 booleans,
/// nulls in any case, the spellings of infinity and not-a-number), not
/// starting with `+` or `.` (numbers, `.inf`), with no space at its ends.
fn plain_text(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "true", "false", "yes", "no", "y", "n", "on", "off", "null", "inf", "infinity", "nan",
    ];
    let word = text.len() <= 8 && WORDS.iter().any(|w| text.eq_ignore_ascii_case(w));
    let starts = matches!(
        text.as_bytes().first(),
        Some(b' ' | b'\t' | b'\r' | b'\n' | b'+' | b'.')
    );
    let space_at_end = matches!(text.as_bytes().last(), Some(b' ' | b'\t' | b'\r' | b'\n'));
    !(starts || space_at_end || word)
}

/// Whether a plain scalar that starts with a digit or `-` and is not a
/// number in [`number`]'s forms is text for certain: it holds a character
/// no integer (`0x1F`, `0o17`, `0b1`, `1_000`) or float (`1e-3`) can hold,
/// or two points; and no space at its end.
fn plain_text_after_digit(text: &str) -> bool {
    let numeric = |b: u8| b.is_ascii_hexdigit() || b"xXoO_.+-".contains(&b);
    (text.bytes().any(|b| !numeric(b)) || text.bytes().filter(|&b| b == b'.').count() > 1)
        && !matches!(text.as_bytes().last(), Some(b' ' | b'\t' | b'\r' | b'\n'))
        && !text.starts_with("-.")
}

/// A scalar key as serde-saphyr reads it into a string, or `None` where that
/// is not certain: quoted keys as they are, plain ones when [`scalar`]
/// reads them as text, never the merge key `<<`.
fn key(text: std::borrow::Cow<'_, str>, style: ScalarStyle) -> Option<String> {
    match style {
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Some(text.into_owned()),
        ScalarStyle::Plain if &*text != "<<" => match scalar(text, style)? {
            Value::Str(name) => Some(name),
            _ => None,
        },
        _ => None,
    }
}

/// The problem for a YAML error: what is wrong in YAML's terms (never the
/// crate's API or its type names), at the place that is wrong, and what to do.
fn refusal(name: &str, text: &str, err: &serde_saphyr::Error) -> Problem {
    // Every place below is a line the parser counted.
    let text = &*as_yaml_counts(text);
    let err = innermost(err);
    let mut said = describe(err);
    let reported = err
        .location()
        .map(|at| (to_usize(at.line()), to_usize(at.column())));
    if said.label.contains("mapping values are not allowed")
        && let Some(help) = reported.and_then(|(l, c)| colon_in_value(text, l, c))
    {
        said.help = help;
    }
    let place = match said.place {
        Place::Reported => reported.map(|(l, c)| (l, c, 1)),
        Place::Tab => reported
            .and_then(|(l, _)| tab_from(text, l))
            .map(|(l, c)| (l, c, 1))
            .or(reported.map(|(l, c)| (l, c, 1))),
        Place::Control => reported
            .and_then(|(l, _)| control_from(text, l))
            .map(|(l, c)| (l, c, 1))
            .or(reported.map(|(l, c)| (l, c, 1))),
        Place::DocumentStart => reported
            .and_then(|(l, _)| document_start_before(text, l))
            .map(|l| (l, 1, 3))
            .or(reported.map(|(l, c)| (l, c, 1))),
    };
    let mut problem = Problem::new(format!("{name} is not valid YAML"))
        .code(said.code)
        .label(said.label);
    if let Some((line, column, width)) = place {
        problem = problem.at(Snippet::at(name, text, line, column, width));
    }
    problem.help(format!("{}; nothing was written", said.help))
}

/// When the `: ` the parser refused stands in the value of a line that
/// already has its key (`version: Groq: fast`), rather than on a line
/// indented under a value: the help, with the value quoted.
fn colon_in_value(text: &str, line: usize, column: usize) -> Option<String> {
    let full = text.lines().nth(line.checked_sub(1)?)?;
    let before: String = full.chars().take(column.checked_sub(1)?).collect();
    let entry = before.trim_start().trim_start_matches("- ").trim_start();
    let (key, _) = entry.split_once(": ")?;
    let value = full
        .trim_start()
        .trim_start_matches("- ")
        .trim_start()
        .get(key.len() + 2..)?
        .split(" #")
        .next()?
        .trim();
    let generic =
        format!("a `: ` inside a value starts a key: quote the whole value after `{key}:`");
    let quoted = if !value.contains('"') {
        format!("\"{value}\"")
    } else if !value.contains('\'') {
        format!("'{value}'")
    } else {
        return Some(generic);
    };
    // The value is the user's: shown only when it holds no credential.
    let sample = format!("{key}: {quoted}");
    if crate::secrets::redact(&sample) != sample {
        return Some(generic);
    }
    Some(format!(
        "a `: ` inside a value starts a key: quote the whole value: {sample}"
    ))
}

/// `text` with its lines as YAML counts them: a lone `\r` (an old Mac
/// file, a paste) is a line break to YAML, and the snippet must show the
/// line the parser's numbers name. Borrowed when there is none.
pub fn as_yaml_counts(text: &str) -> std::borrow::Cow<'_, str> {
    let lone = |(i, _): (usize, &u8)| text.as_bytes().get(i + 1) != Some(&b'\n');
    if !text
        .as_bytes()
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\r')
        .any(lone)
    {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The error itself, without the snippet and alias wrappers around it.
fn innermost(err: &serde_saphyr::Error) -> &serde_saphyr::Error {
    match err {
        serde_saphyr::Error::WithSnippet { error, .. }
        | serde_saphyr::Error::AliasError { error, .. } => innermost(error),
        other => other,
    }
}

/// An error in the user's words.
struct Said {
    label: String,
    help: String,
    code: Code,
    place: Place,
}

/// Which place the caret goes to.
enum Place {
    /// Where the parser says.
    Reported,
    /// The first tab in the indentation at or after the reported line: the
    /// parser may report the end of the line before it.
    Tab,
    /// The `---` line that starts the second document.
    DocumentStart,
    /// The first control character at or after the reported line: the
    /// parser may report the start of the value that holds it.
    Control,
}

const FIX: &str = "fix the YAML at that place";
const ALIASES: &str = "write the values out instead of repeating aliases (`*name`)";
const TOO_LARGE: &str = "a catalog this large is past what codexgen is built for (docs/performance.md, \"At scale\"): move the providers and profiles nobody uses out of it";

fn said(label: impl Into<String>, help: impl Into<String>) -> Said {
    Said {
        label: label.into(),
        help: help.into(),
        code: Code::YamlSyntax,
        place: Place::Reported,
    }
}

/// Every error serde-saphyr can give, in the user's words. The arms that a
/// catalog cannot reach (options codexgen does not set, typed targets it
/// does not use) share the last, plain words.
#[allow(clippy::too_many_lines)] // one arm per error, on purpose
fn describe(err: &serde_saphyr::Error) -> Said {
    use serde_saphyr::Error as E;
    match err {
        E::ExternalMessage { msg, .. } => parser_message(msg),
        E::Eof { .. } => said(
            "the file ends in the middle of a value",
            "finish or remove the last entry",
        ),
        E::MultipleDocuments { .. } => Said {
            place: Place::DocumentStart,
            ..said(
                "a second YAML document starts here; a catalog is one document",
                "remove this `---` line (and any later one), or move what follows into its own file: the personal overlay (providers.local.yaml) is read after the catalog",
            )
        },
        E::DuplicateMappingKey { key, .. } => Said {
            code: Code::DuplicateKey,
            ..said(
                match key {
                    Some(key) => {
                        format!("duplicate key `{key}`: it is already set above, in this map")
                    }
                    None => "duplicate key: it is already set above, in this map".to_owned(),
                },
                "keep one of the two (a key may appear once in a map)",
            )
        },
        E::UnknownAnchor { .. } => said(
            "this alias (`*name`) names no anchor (`&name`) set before it",
            "set `&name` on a value earlier in the file, or write the value out here",
        ),
        E::RecursiveReferencesRequireWeakTypes { .. } => said(
            "this alias (`*name`) refers to a value that contains it, which never ends",
            "write the value out instead of the alias",
        ),
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => said(
            "the aliases (`*name`) in this file repeat their values past what codexgen expands (as an alias bomb does)",
            ALIASES,
        ),
        E::Budget { breach, .. } => budget(breach),
        E::NonFiniteFloat { value, .. } => said(
            format!("`{value}` is not a finite number"),
            "write a number in range, or quote it (\"...\") if it is text",
        ),
        E::InvalidBinaryBase64 { .. }
        | E::BinaryNotUtf8 { .. }
        | E::BytesNotSupportedMissingBinaryTag { .. }
        | E::TaggedScalarCannotDeserializeIntoString { .. }
        | E::UnsupportedTag { .. }
        | E::TaggedStructFieldName { .. }
        | E::TaggedEnumMismatch { .. } => said(
            "a tag (`!!binary`, `!name`) that codexgen does not read",
            "remove the tag: catalog values are plain text, numbers, lists and maps",
        ),
        E::InvalidScalar { .. } | E::InvalidBooleanStrict { .. } => said(
            "this value is not of the kind its tag (`!!int`, `!!float`, `!!bool`) says",
            "remove the tag, or write a value of that kind",
        ),
        E::MergeValueNotMapOrSeqOfMaps { .. } => said(
            "a merge (`<<`) takes a map or a list of maps",
            "merge an anchored map (`<<: *name`), or write the keys out",
        ),
        E::MergeKeyNotAllowed { .. } => {
            said("a merge key (`<<`) is not read here", "write the keys out")
        }
        E::FoldedBlockScalarMustIndentContent { .. } => said(
            "the lines of a `>` or `|` block must be indented more than its key",
            "indent the block's lines with spaces",
        ),
        E::IndentationError { actual, .. } => said(
            format!(
                "indented by {actual} space(s), which does not line up with the keys around it"
            ),
            "indent keys of one map to the same column, with spaces",
        ),
        E::InvalidUtf8Input => said("the file is not UTF-8 text", "save it as UTF-8"),
        E::IOError { cause } => said(
            format!("cannot read it: {cause}"),
            "check the file, then run again",
        ),
        E::SerdeInvalidType { unexpected, .. } => said(
            format!("a key must be text, not {unexpected}"),
            "write the key as plain text (`name:`)",
        ),
        E::Message { msg, .. } if let Some(said) = control_character(msg) => said,
        E::Message { msg, .. } if is_plain(msg) => said(msg.clone(), FIX),
        // A key that is a list or a map (`[a, b]: x`, `? {a: 1}`).
        E::Unexpected { expected, .. } if expected.contains("string") => said(
            "a key must be plain text, not a list or a map",
            "write the key as text (`name:`)",
        ),
        E::Unexpected { expected, .. } if is_plain(expected) => {
            said(format!("expected {expected} here"), FIX)
        }
        _ => said(
            "codexgen cannot read the YAML here",
            "write this entry as plain YAML (maps, lists, text, numbers)",
        ),
    }
}

/// The parser's "unexpected character" for a control character (a NUL, a
/// bell, a terminal escape pasted with colours): named, with how to delete
/// or write it, pointed at (the parser may point at its value's start).
fn control_character(msg: &str) -> Option<Said> {
    // The parser writes the character escaped (`\u{7}`), or as it is.
    let rest = msg.strip_prefix("unexpected character: `")?;
    let c = match rest.strip_prefix("\\u{") {
        Some(hex) => char::from_u32(u32::from_str_radix(hex.split('}').next()?, 16).ok()?)?,
        None => rest.chars().next()?,
    };
    if !c.is_control() {
        return None;
    }
    let code = u32::from(c);
    Some(Said {
        place: Place::Control,
        ..said(
            format!("YAML does not allow the control character U+{code:04X} in a file"),
            format!(
                "delete it (an editor may show it as ^{} or not at all); to put one in a value, write it as an escape in double quotes: \"\\x{code:02X}\"",
                char::from_u32(code ^ 0x40)
                    .filter(char::is_ascii_graphic)
                    .unwrap_or('?')
            ),
        )
    })
}

/// The parser's own messages are YAML's terms already (`unclosed quote`,
/// `did not find expected key`); a few get a better place or a better help.
fn parser_message(msg: &str) -> Said {
    if msg.contains("tab") {
        return Said {
            place: Place::Tab,
            ..said(
                "YAML does not allow tabs for indentation: use spaces",
                "replace the tab(s) at the start of this line with spaces",
            )
        };
    }
    if let Some(said) = control_character(msg) {
        return said;
    }
    if msg.contains("recursion limit") || msg.contains("nesting limit") {
        return said(
            "lists and maps here are nested deeper than codexgen reads",
            "a catalog is a few levels deep: close the lists and maps opened by mistake",
        );
    }
    if !is_plain(msg) {
        return said(
            "codexgen cannot read the YAML here",
            "write this entry as plain YAML (maps, lists, text, numbers)",
        );
    }
    let help = if msg.contains("quote") || msg.contains("quoted") {
        "close the quote that starts here (with the same \" or ')"
    } else if msg.contains("bracket")
        || msg.contains("expected ',' or ']'")
        || msg.contains("expected ',' or '}'")
    {
        "close the `[` or `{` that opens here, with a comma between its items"
    } else if msg.contains("expected key")
        || msg.contains("mapping values are not allowed")
        || msg.contains("block")
    {
        "check this line's indentation: the keys of one map start in the same column (indent with spaces)"
    } else {
        FIX
    };
    said(msg, help)
}

fn budget(breach: &serde_saphyr::budget::BudgetBreach) -> Said {
    use serde_saphyr::budget::BudgetBreach as B;
    let defaults = serde_saphyr::Budget::default();
    match breach {
        B::Nodes { .. } | B::Events { .. } => said(
            format!(
                "the catalog holds more than {} values (YAML nodes: each key, value, list and map); codexgen reads at most {} in one file",
                thousands(max_nodes()),
                thousands(max_nodes())
            ),
            TOO_LARGE,
        ),
        B::ScalarBytes { .. } | B::InputBytes { .. } => said(
            format!(
                "the text of the catalog's values is longer than {} MiB in all, which codexgen does not read",
                defaults.max_total_scalar_bytes / (1024 * 1024)
            ),
            TOO_LARGE,
        ),
        B::Depth { .. } => said(
            format!(
                "lists and maps here are nested more than {} levels deep",
                defaults.max_depth
            ),
            "a catalog is a few levels deep: close the lists and maps opened by mistake",
        ),
        B::Documents { .. } => Said {
            place: Place::DocumentStart,
            ..said(
                "too many YAML documents (`---`); a catalog is one document",
                "remove the `---` lines after the first document",
            )
        },
        B::Aliases { .. }
        | B::AliasAnchorRatio { .. }
        | B::RecordedAnchorEvents { .. }
        | B::RecordedAnchorBytes { .. } => said(
            format!(
                "the aliases (`*name`) in this file repeat values far more than a catalog needs (as an alias bomb does); codexgen expands at most {} aliases, about ten per anchor",
                thousands(defaults.max_aliases)
            ),
            ALIASES,
        ),
        B::Anchors { .. } => said(
            format!(
                "the catalog sets more than {} anchors (`&name`)",
                thousands(defaults.max_anchors)
            ),
            "remove the anchors nothing refers to",
        ),
        B::MergeKeys { .. } => said(
            format!(
                "the catalog has more than {} merge keys (`<<`)",
                thousands(defaults.max_merge_keys)
            ),
            "write the keys out instead of merging",
        ),
        B::SequenceUnbalanced => said(
            "a list or map closes here that was never opened",
            "remove the stray `]` or `}`",
        ),
        _ => said(
            "the catalog is larger or more deeply built than codexgen reads",
            TOO_LARGE,
        ),
    }
}

/// Whether a message is in YAML's terms: none of the crate's API or type
/// names (`from_str_multiple`, `Nodes { nodes: 1 }`, `a::b`, `Error(`).
fn is_plain(msg: &str) -> bool {
    !msg.contains("::")
        && !msg.contains("{ ")
        && !msg.contains("Error")
        && !msg.contains("internal")
        && !msg
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w.contains('_') && w.starts_with(|c: char| c.is_ascii_lowercase()))
}

/// `n` with thousands separators: 1,000,000.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The line and column of the first tab in a line's indentation, from line
/// `from` on (1-based); else of the first tab at all from there.
fn tab_from(text: &str, from: usize) -> Option<(usize, usize)> {
    let lines = || text.lines().enumerate().skip(from.saturating_sub(1));
    let in_indent = lines().find_map(|(i, line)| {
        let indent: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        indent.find('\t').map(|c| (i + 1, c + 1))
    });
    in_indent.or_else(|| {
        lines().find_map(|(i, line)| line.chars().position(|c| c == '\t').map(|c| (i + 1, c + 1)))
    })
}

/// The line and column of the first control character (but a tab or a
/// line break) from line `from` (1-based) on.
fn control_from(text: &str, from: usize) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, line)| {
            line.chars()
                .position(|c| c.is_control() && !matches!(c, '\t' | '\r'))
                .map(|c| (i + 1, c + 1))
        })
}

/// The last `---` line at or before line `line` (1-based).
fn document_start_before(text: &str, line: usize) -> Option<usize> {
    text.lines()
        .take(line)
        .enumerate()
        .filter(|(_, l)| {
            l.strip_prefix("---")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        })
        .map(|(i, _)| i + 1)
        .last()
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn pos(file: usize, at: &Location) -> Pos {
    Pos {
        file,
        line: to_usize(at.line()),
        column: to_usize(at.column()),
        width: to_usize(at.span().len()).max(1),
    }
}

fn convert(file: usize, raw: Spanned<Raw>) -> Node {
    let at = pos(file, &raw.referenced);
    let value = match raw.value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b),
        Raw::Int(i) => Value::Int(i),
        Raw::Float(x) => Value::Float(x),
        Raw::Str(s) => Value::Str(s),
        Raw::Seq(items) => Value::Seq(items.into_iter().map(|n| convert(file, n)).collect()),
        Raw::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        pos: pos(file, &k.referenced),
                        name: k.value,
                    };
                    (key, convert(file, v))
                })
                .collect(),
        ),
    };
    Node { value, pos: at }
}

/// The tree as serde-saphyr hands it over, before positions get a file index.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<String>, Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Raw, E> {
        i64::try_from(v).map(Raw::Int).map_err(|_| {
            E::custom(format!(
                "the number {v} is too large (at most {})",
                i64::MAX
            ))
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    /// The fast path's reading (`None`: it gives the file back) and
    /// serde-saphyr's.
    fn both(text: &str) -> (Option<Node>, Result<Node, Problem>) {
        (fast(7, text), parse_serde(7, "c.yaml", text))
    }

    /// Read by the fast path, to the same tree as serde-saphyr's.
    fn read_fast(text: &str) -> Node {
        assert!(agrees(text), "{text:?}: given back to serde-saphyr");
        fast(7, text).expect("read fast just now")
    }

    /// Given back to serde-saphyr.
    fn falls_back(text: &str) {
        assert_eq!(fast(7, text), None, "{text:?}");
    }

    /// Same tree, or given back.
    fn agrees(text: &str) -> bool {
        match both(text) {
            (Some(fast), Ok(slow)) => {
                assert!(
                    identical(&fast, &slow),
                    "{text:?}: fast {fast:?}, serde {slow:?}"
                );
                true
            }
            (Some(fast), Err(err)) => panic!("{text:?}: fast {fast:?}, serde refuses: {err}"),
            (None, _) => false,
        }
    }

    /// `middle` between two runs of top-level keys, each 40 KB, so that the
    /// file is read in two parts, cut in `middle` (at its line `next:`, `at`
    /// bytes in, where it has one).
    fn around(middle: &str) -> (String, usize) {
        let side = |c: char| {
            use std::fmt::Write as _;
            let mut keys = String::new();
            for i in 0..4000 {
                let _ = writeln!(keys, "{c}{i:04}: v");
            }
            keys
        };
        let first = side('a');
        let at = first.len() + middle.find("\nnext:").map_or(0, |i| i + 1);
        (first + middle + &side('b'), at)
    }

    /// What [`parse`] reads is what serde-saphyr reads: the same tree, or
    /// a refusal both times; the two-part reading, when there is one, too.
    fn same_in_parts(text: &str) {
        match (parse(7, "c.yaml", text), parse_serde(7, "c.yaml", text)) {
            (Ok(read), Ok(slow)) => assert!(identical(&read, &slow), "{read:?} {slow:?}"),
            (Err(_), Err(_)) => {}
            (read, slow) => panic!("read {read:?}, serde-saphyr {slow:?}"),
        }
        if let Some(parts) = split(7, text) {
            let slow = parse_serde(7, "c.yaml", text).expect("read in parts, so valid");
            assert!(identical(&parts, &slow), "{parts:?} {slow:?}");
        }
    }

    #[test]
    fn a_large_file_is_read_in_two_parts_to_the_same_tree() {
        // A catalog: cut at `profiles:`, every position of the second part
        // on its line in the whole file.
        let catalog = crate::stages::catalog_text(400);
        assert!(catalog.len() > SPLIT_FROM);
        let cut_at = cut(&catalog).expect("a top-level key");
        assert!(
            catalog[cut_at..].starts_with("profiles:"),
            "{}",
            &catalog[cut_at..cut_at + 20]
        );
        let parts = split(7, &catalog).expect("read in two parts");
        assert!(identical(&parts, &read_fast(&catalog)));
        same_in_parts(&catalog);
        // Plain keys on both sides of the cut.
        let (text, at) = around("mid: 1\nnext: 2\n");
        assert_eq!(cut(&text), Some(at));
        assert!(split(7, &text).is_some());
        same_in_parts(&text);
        // A block scalar and a block list ended by the key at the cut.
        for middle in ["mid: |\n  text\nnext: 2\n", "mid:\n- 1\nnext: 2\n"] {
            let (text, at) = around(middle);
            assert_eq!(cut(&text), Some(at), "{middle:?}");
            assert!(split(7, &text).is_some(), "{middle:?}");
            same_in_parts(&text);
        }
    }

    #[test]
    fn a_cut_that_is_not_between_two_entries_gives_the_file_to_the_whole_reading() {
        use std::fmt::Write as _;
        // A key-like line inside a value left open, a document that ends
        // before the cut, an alias of an anchor across it, a key in both
        // parts: none is read in parts, and each reads as serde-saphyr's.
        for middle in [
            // Found by a differential test: an empty block scalar is placed
            // at the token after it, which the first part does not have.
            "mid: |\nnext: 2\n",
            "mid: >-\n\nnext: 2\n",
            "mid: | # note\nnext: 2\n",
            "mid: |+\n\n\nnext: 2\n",
            "mid: |\n  \nnext: 2\n",
            "mid: |\t# note\nnext: 2\n",
            "mid:\n  \"k #\": |\nnext: 2\n",
            "mid:\n- |\nnext: 2\n",
            "mid:\n  inner: >\nnext: 2\n",
            "mid:\n-\nnext: 2\n",
            "? mid\nnext: 2\n",
            "mid:\nnext: 2\n",
            "mid: \"open\nnext: 2\"\n",
            "mid: 'open\nnext: 2'\n",
            "mid: [1,\nnext: 2]\n",
            "mid: {a: 1,\nnext: 2}\n",
            "mid: &x 1\nnext: *x\n",
            "mid: 1\na0000: 2\n",
            "mid: 1\n...\nnext: 2\n",
            "mid: 1\n---\nnext: 2\n",
        ] {
            let (text, _) = around(middle);
            assert!(split(7, &text).is_none(), "{middle:?}");
            same_in_parts(&text);
        }
        // A first part whose map is indented: the key at the cut is not
        // one of its entries (the whole file is no map).
        let (text, at) = around("mid: 1\nnext: 2\n");
        let mut first_indented = String::new();
        for line in text[..at].lines() {
            first_indented.push_str("  ");
            first_indented.push_str(line);
            first_indented.push('\n');
        }
        first_indented.push_str(&text[at..]);
        assert_eq!(
            cut(&first_indented),
            Some(at + 2 * text[..at].lines().count())
        );
        assert!(split(7, &first_indented).is_none());
        same_in_parts(&first_indented);
        // A first part that is a map in braces, on one line.
        let mut braces = String::from("{");
        for i in 0..4000 {
            let _ = write!(braces, "a{i:04}: v, ");
        }
        let (text, at) = around("mid: 1\nnext: 2\n");
        let braces = format!("{braces}z: v}}\n{}", &text[at..]);
        assert_eq!(cut(&braces), braces.find("\nnext:").map(|i| i + 1));
        assert!(split(7, &braces).is_none());
        same_in_parts(&braces);
        // Lines ended by `\r\n` are not counted by the cut.
        let (text, _) = around("mid: 1\nnext: 2\n");
        assert!(split(7, &text.replace('\n', "\r\n")).is_none());
        same_in_parts(&text.replace('\n', "\r\n"));
        // A file below the size stays whole.
        assert!(split(7, "a: 1\nb: 2\n").is_none());
    }

    #[test]
    fn the_shipped_catalog_is_read_fast_and_the_same() {
        read_fast(crate::catalog::EMBEDDED);
    }

    #[test]
    fn generated_catalogs_are_read_fast_and_the_same() {
        for n in [0, 1, 2, 17, 60] {
            read_fast(&crate::stages::catalog_text(n));
        }
    }

    #[test]
    fn the_yaml_in_the_docs_agrees() {
        // Every ```yaml block of the README and docs/ (none is read wrong;
        // the catalog examples are read fast).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("README.md")];
        for entry in std::fs::read_dir(root.join("docs")).unwrap() {
            files.push(entry.unwrap().path());
        }
        let mut fast_blocks = 0;
        for file in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "md"))
        {
            let text = std::fs::read_to_string(file).unwrap();
            for block in text.split("```yaml\n").skip(1) {
                let block = block.split("```").next().unwrap();
                fast_blocks += usize::from(agrees(block));
            }
        }
        assert!(fast_blocks > 3, "{fast_blocks}");
    }

    #[test]
    fn common_forms_are_read_fast() {
        for text in [
            "",
            "# only a comment\n",
            "---\n",
            "~\n",
            "null",
            "a: 1\n",
            "---\na: 1\n...\n",
            "a: 1\n...\n",
            "\u{feff}a: 1\n",
            "\u{feff}# c\n---\na: x\n",
            "a:\nb: ~\nc: null\nd: Null\ne: NULL\n",
            "a: true\nb: false\nc: 0\nd: -12\ne: 9223372036854775807\nf: -9223372036854775808\n",
            "a: 1.5\nb: -0.25\nc: 01.50\n",
            "a: {b: 1, c: [1, 2, x]}\n",
            "- a\n- - b\n  - c\n- {}\n- []\n- d: e\n",
            "[1, 2]",
            "{a: 1}",
            "a: |\n  one\n  two\nb: >-\n  folded\n  text\nc: |+\n  keep\n\nd: x\n",
            "'q k': 1\n\"d k\": 2\n'': 3\n\"1\": 4\n'true': 5\n",
            "a: 'it''s'\nb: \"tab\\there \\u00e9\"\nc: \"\"\nd: ''\n",
            "name: Ünïcödé ✓ 日本語\nurl: https://例え.jp/v1 # comment\n",
            "a: 1\r\nb:\r\n  c: x\r\n",
            "a: 1\rb: 2\rc:\r  d: x\r",
            "a: x\ty\nb: \"x\ty\"\n",
            "# c\na: # c\n  # c\n  b: 1 # c\n# c\nc: [1, # c\n  2]\n",
            "a: 2024.11.1\nb: 0.169.0\nc: 5 minutes\nd: 12:30\ne: -foo-bar\nf: -inf\n",
            "a: yes no\nb: on-call\nc: nully\nd: ~x\ne: <<\n",
            "a: multi\n  line\n  plain\n",
            "? a\n: 1\n",
            "a:\n- 1\n- 2\nb:\n  - x\n",
        ] {
            read_fast(text);
        }
        let long = format!(
            "a: {}\nb: \"{}\"\n",
            "x".repeat(100_000),
            "y é".repeat(30_000)
        );
        read_fast(&long);
        let wide = format!(
            "{}\n",
            (0..200)
                .map(|i| format!("k{i}: {i}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        read_fast(&wide);
    }

    #[test]
    fn positions_are_serde_saphyrs() {
        let node = read_fast("a:\nb: 'x'\nc: |\n  t\nd: [é, {e: f}]\n");
        let Value::Map(entries) = node.value else {
            panic!("a map")
        };
        let at = |n: &Node| (n.pos.line, n.pos.column, n.pos.width);
        // The empty value `a:` and a map get a place like any value.
        assert_eq!(at(&entries[0].1).0, 1);
        assert_eq!((entries[1].0.pos.line, entries[1].0.pos.column), (2, 1));
        assert_eq!(at(&entries[1].1), (2, 4, 3));
        assert_eq!(entries[3].0.pos.line, 5);
    }

    #[test]
    fn whatever_is_uncertain_goes_to_serde_saphyr() {
        for text in [
            // Parser errors.
            "a: [1,\n",
            "a: 1\n b: 2\n",
            "a: \"x\n",
            "a:\n\t- 1\n",
            // Anchors, aliases, tags, merge keys.
            "a: &x 1\nb: *x\n",
            "a: &x {b: 1}\n",
            "a: !!str 1\n",
            "a: !foo x\n",
            "!!map {a: 1}\n",
            "b: {c: 1}\na:\n  <<: {d: 2}\n",
            // More documents, directives.
            "a: 1\n---\nb: 2\n",
            "---\n---\n",
            "%YAML 1.2\n---\na: 1\n",
            "%TAG ! tag:x,2000:\n---\na: 1\n",
            // Complex, null, typed and duplicate keys.
            "[a, b]: 1\n",
            "? {a: 1}\n: 2\n",
            ": 1\n",
            "~: 1\n",
            "1: x\n",
            "true: x\n",
            "yes: x\n",
            "a: 1\na: 2\n",
            "a: 1\n'a': 2\n",
            "a: {b: 1, \"b\": 2}\n",
            "? |\n  k\n: v\n",
            // Plain scalars serde-saphyr may read as something else.
            "a: yes\n",
            "a: No\n",
            "a: ON\n",
            "a: y\n",
            "a: n\n",
            "a: True\n",
            "a: FALSE\n",
            "a: nUll\n",
            "a: .inf\n",
            "a: -.inf\n",
            "a: .nan\n",
            "a: inf\n",
            "a: NaN\n",
            "a: 0x1F\n",
            "a: 0o17\n",
            "a: 0b1\n",
            "a: 1_000\n",
            "a: +1\n",
            "a: 1e3\n",
            "a: 012\n",
            "a: -0\n",
            "a: 1.\n",
            "a: .5\n",
            "a: 9223372036854775808\n",
            "a: 99999999999999999999\n",
            "a: -9223372036854775809\n",
            "a: 4o\n",
            "a: 2024-11-24\n",
            &format!("a: {}.0\n", "9".repeat(400)),
        ] {
            falls_back(text);
            agrees(text);
        }
    }

    #[test]
    fn nesting_past_the_bound_goes_to_serde_saphyr() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        read_fast(&deep(FAST_MAX_DEPTH));
        falls_back(&deep(FAST_MAX_DEPTH + 1));
        falls_back(&deep(70));
        let maps = (0..60).fold("x".to_owned(), |inner, _| format!("{{a: {inner}}}"));
        falls_back(&maps);
    }

    #[test]
    fn the_check_tells_minus_zero_from_zero() {
        let float = |x: f64| Node {
            value: Value::Float(x),
            pos: null_root(0).pos,
        };
        assert!(identical(&float(-0.0), &float(-0.0)));
        assert!(!identical(&float(-0.0), &float(0.0)));
        let map = |x: f64| {
            let key = Key {
                name: "a".into(),
                pos: null_root(0).pos,
            };
            Node {
                value: Value::Map(vec![(key, float(x))]),
                pos: null_root(0).pos,
            }
        };
        assert!(!identical(&map(-0.0), &map(0.0)));
        // Whichever reader takes it, `-0.0` is read as itself.
        let text = "a: -0.0\n";
        if fast(0, text).is_some() {
            read_fast(text);
        }
        let Value::Map(entries) = parse(0, "c.yaml", text).unwrap().value else {
            panic!("expected a map")
        };
        assert!(
            matches!(entries[0].1.value, Value::Float(x) if x.to_bits() == (-0.0f64).to_bits())
        );
    }

    #[test]
    fn a_key_twice_is_found_on_both_sides_of_the_small_map_check() {
        // Under 16 entries each key is looked for among those before it;
        // from 16 on, the names are sorted at the end. A map of 16, 17 or
        // 40 keys, its last one a repeat, is caught either way, and
        // serde-saphyr says so.
        for n in [15, 16, 17, 40] {
            let mut text = (0..n)
                .map(|i| format!("k{i}: {i}\n"))
                .collect::<Vec<_>>()
                .concat();
            read_fast(&text);
            text.push_str("k3: again\n");
            falls_back(&text);
            assert_eq!(
                parse(0, "c.yaml", &text).unwrap_err().code,
                Some(Code::DuplicateKey)
            );
        }
    }

    // A YAML-ish grammar: keys plain and quoted, scalars of every kind the
    // resolution rules tell apart, nesting, flow, comments, odd line breaks.
    fn scalar_text() -> impl Strategy<Value = String> {
        prop_oneof![
            2 => proptest::sample::select(vec![
                "x", "a b", "12", "-3", "0.5", "true", "'q'", "\"d\"", "~", "", "url://x/y",
            ])
            .prop_map(str::to_owned),
            2 => proptest::sample::select(vec![
                "", "~", "null", "Null", "NULL", "nUll", "true", "false", "True", "yes", "no",
                "y", "n", "on", "off", "0", "1", "-1", "-0", "01", "+1", "1.5", "-1.5", "1.",
                ".5", "1e3", "1E3", "0x1F", "0o7", "0b1", "1_0", ".inf", "-.inf", ".nan",
                "inf", "nan", "<<", "a b", "é", "x: y", "- x", "#x", "a #b", "'q'", "\"d\"",
                "'it''s'", "\"\\t\\u00e9\"", "|\n  lit\n", ">-\n  fold\n", "&a x", "*a", "!!str x",
                "!t x", "[1, 2]", "{a: 1}", "[]", "{}", "2024-01-01", "0.1.2", "12:30",
                "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            ])
            .prop_map(str::to_owned),
            1 => "[a-z0-9._ -]{0,6}",
        ]
    }

    fn key_text() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(vec![
                "a", "b", "'a'", "\"a\"", "''", "1", "true", "~", "<<", "? a", "[a]", "é", "a b",
                "-a", "k",
            ])
            .prop_map(str::to_owned),
            "[a-c]{1,2}",
        ]
    }

    fn document() -> impl Strategy<Value = String> {
        let leaf = scalar_text();
        let tree = leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec((key_text(), inner.clone()), 0..4).prop_map(|es| {
                    // A block map: each value indented under its key.
                    es.into_iter()
                        .map(|(k, v)| {
                            let v = v.replace('\n', "\n  ");
                            format!("{k}:{}{v}\n", if v.contains('\n') { "\n  " } else { " " })
                        })
                        .collect::<Vec<_>>()
                        .concat()
                }),
                proptest::collection::vec(inner.clone(), 0..4).prop_map(|items| {
                    items
                        .into_iter()
                        .map(|v| format!("- {}\n", v.replace('\n', "\n  ")))
                        .collect::<Vec<_>>()
                        .concat()
                }),
                proptest::collection::vec((key_text(), inner), 0..3).prop_map(|es| {
                    let inside: Vec<String> = es
                        .into_iter()
                        .map(|(k, v)| format!("{k}: {}", v.replace('\n', " ")))
                        .collect();
                    format!("{{{}}}", inside.join(", "))
                }),
            ]
        });
        let pick = |common: &'static str, rare: Vec<&'static str>| {
            prop_oneof![
                6 => Just(common),
                1 => proptest::sample::select(rare),
            ]
        };
        (
            tree,
            pick("", vec!["---\n", "\u{feff}", "# c\n", "%YAML 1.2\n---\n"]),
            pick("", vec!["...\n", "---\nx: 1\n", "# end"]),
            pick("\n", vec!["\r\n", "\r", "\n\n", " # c\n", "\t\n"]),
        )
            .prop_map(|(body, head, tail, newline)| {
                format!("{head}{}{tail}", body.replace('\n', newline))
            })
    }

    #[test]
    fn the_grammar_reaches_both_paths() {
        // The property below would hold vacuously if every document went
        // to serde-saphyr: count how many each path reads.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut fast_read, mut given_back, mut refused) = (0, 0, 0);
        for _ in 0..400 {
            let text = document().new_tree(&mut runner).unwrap().current();
            match both(&text) {
                (Some(_), _) => fast_read += 1,
                (None, Ok(_)) => given_back += 1,
                (None, Err(_)) => refused += 1,
            }
            agrees(&text);
        }
        assert!(
            fast_read > 100 && given_back > 40 && refused > 40,
            "{fast_read} {given_back} {refused}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

        /// Wherever serde-saphyr reads a document, the fast path reads the
        /// same tree or gives it back; wherever it refuses, the fast path
        /// gives it back.
        #[test]
        fn the_fast_path_agrees_or_gives_back(text in document()) {
            agrees(&text);
        }
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let node = parse(3, "c.yaml", "a: 1\nb:\n  c: hi\n").unwrap();
        let Value::Map(entries) = node.value else {
            panic!("expected a map")
        };
        let (key, value) = &entries[1];
        assert_eq!(
            (key.name.as_str(), key.pos.line, key.pos.column),
            ("b", 2, 1)
        );
        let Value::Map(inner) = &value.value else {
            panic!("expected a map")
        };
        assert_eq!(inner[0].1.value, Value::Str("hi".into()));
        assert_eq!(
            (
                inner[0].1.pos.file,
                inner[0].1.pos.line,
                inner[0].1.pos.column
            ),
            (3, 3, 6)
        );
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse(0, "c.yaml", "a: 1\na: 2\n").unwrap_err();
        assert_eq!(
            err.label.as_deref(),
            Some("duplicate key `a`: it is already set above, in this map")
        );
        assert_eq!(err.code, Some(Code::DuplicateKey));
        assert_eq!(err.snippet.map(|s| s.line), Some(2));
    }

    #[test]
    fn syntax_errors_point_at_the_place() {
        let err = parse(0, "c.yaml", "a: [1,\n").unwrap_err();
        assert!(
            err.to_string().starts_with("c.yaml is not valid YAML"),
            "{err}"
        );
        assert!(err.snippet.is_some());
    }

    #[test]
    fn no_message_names_the_crates_api() {
        assert!(is_plain("unclosed bracket '{'"));
        assert!(is_plain("did not find expected key"));
        for internal in [
            "multiple YAML documents detected; use from_str_multiple",
            "budget breached: Nodes { nodes: 250001 }",
            "serde_saphyr::Error",
            "Error(Eof)",
            "internal error: seed reused for map key",
        ] {
            assert!(!is_plain(internal), "{internal}");
        }
    }

    #[test]
    fn every_budget_is_said_with_its_limit() {
        use serde_saphyr::budget::BudgetBreach as B;
        for breach in [
            B::Nodes { nodes: 1 },
            B::Events { events: 1 },
            B::Aliases { aliases: 1 },
            B::Anchors { anchors: 1 },
            B::Depth { depth: 1 },
            B::Documents { documents: 1 },
            B::ScalarBytes {
                total_scalar_bytes: 1,
            },
            B::MergeKeys { merge_keys: 1 },
            B::AliasAnchorRatio {
                aliases: 1,
                anchors: 1,
            },
            B::SequenceUnbalanced,
            B::InputBytes { input_bytes: 1 },
        ] {
            let said = budget(&breach);
            assert!(is_plain(&said.label), "{breach:?}: {}", said.label);
            assert!(!said.label.contains("breach"), "{}", said.label);
        }
    }

    #[test]
    fn tabs_are_found_on_their_own_line() {
        assert_eq!(tab_from("a:\n  b: 1\n\tc: 2\n", 2), Some((3, 1)));
        assert_eq!(tab_from("a:\n  \tb: 1\n", 1), Some((2, 3)));
        assert_eq!(tab_from("a: \"x\ty\"\n", 1), Some((1, 6)));
        assert_eq!(document_start_before("---\na: 1\n---\nb: 2\n", 4), Some(3));
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn empty_file_is_null() {
        assert_eq!(parse(0, "c.yaml", "").unwrap().value, Value::Null);
    }

    #[test]
    fn lines_are_counted_as_yaml_counts_them() {
        assert!(matches!(
            as_yaml_counts("a\r\nb\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(as_yaml_counts("a\rb\r\nc\r"), "a\nb\nc\n");
    }
}
