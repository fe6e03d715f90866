//! Owns how a problem is shown to people, in one layout for every error and
//! warning codexgen prints (rustc's and uv's): `error:` or `warning:`, the
//! message, the source line with a caret, the `caused by:` chain, then one
//! `= help:` line. Also the exit codes, the did-you-mean rule, and how any
//! text is made safe to show ([`printable`]), to paste into a shell
//! ([`sh_quote`]: `exec --print`, `aliases`, a key command in a message,
//! the help that names a catalog), or quoted under a message when another
//! program printed it ([`quoted_output`]). Does not decide what is a problem; the stages and commands do
//! that.

use std::borrow::Cow;
use std::fmt;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};

use crate::secrets::{mask, redact};

/// What a run ends with, as a process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done, or everything already in sync.
    Ok = 0,
    /// The run found something for the user to act on, or was told no:
    /// `gen --check` (and `--diff --exit-code`) found files out of date, a
    /// "no" at the question, a write nobody answers that would overwrite an
    /// edit made outside codexgen, `use` alone on a home that does not
    /// match, `doctor`/`probe` found a problem, `exec`'s preflight failed
    /// (or Codex failed). Nothing was written.
    Attention = 1,
    /// Bad input, bad usage or an I/O failure: nothing was written.
    Failure = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// How much of a line a snippet shows past its column.
const SHOWN: usize = 120;

/// How much of a line a snippet shows before its column, when the column
/// is further than that: the start is cut, and `…` stands for it.
const SHOWN_BEFORE: usize = 60;

/// A place in a text file, 1-based, with the line it points into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The file as the user named it.
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The text of that line, without its line ending.
    pub text: String,
    /// How many characters the caret underlines (at least one).
    pub width: usize,
}

impl Snippet {
    /// The snippet for a 1-based line and column of `source`. A long line is
    /// cut [`SHOWN`] characters after the column, and so is the caret (and
    /// shown from [`SHOWN_BEFORE`] columns before the column, when printed).
    pub fn at(file: &str, source: &str, line: usize, column: usize, width: usize) -> Self {
        let column = column.max(1);
        let full = source
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or_default();
        let keep = column - 1 + SHOWN;
        let mut text: String = full.chars().take(keep).collect();
        if text.len() < full.len() {
            text.push('…');
        }
        Snippet {
            file: file.to_owned(),
            line,
            column,
            text,
            width: width.clamp(1, SHOWN),
        }
    }

    /// The snippet for a byte offset into `source`.
    /// `width` is in bytes there, as a parser's span is: the caret
    /// underlines the characters they make.
    pub fn at_offset(file: &str, source: &str, offset: usize, width: usize) -> Self {
        let offset = offset.min(source.len());
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = source[line_start..offset].chars().count() + 1;
        let after = &source[offset..];
        let end = (0..=width.min(after.len()))
            .rev()
            .find(|&i| after.is_char_boundary(i))
            .unwrap_or(0);
        let width = after[..end].chars().count();
        Snippet::at(file, source, line, column, width)
    }
}

/// How bad a problem is, which decides its first word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

/// The kind of a catalog problem, by a name that stays the same from one
/// release to the next while messages change: what `validate --format json`
/// gives scripts to match on. docs/catalog.md lists every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// The file is not YAML.
    YamlSyntax,
    /// A key appears twice in one map.
    DuplicateKey,
    /// The file (or the layered catalog) holds nothing.
    EmptyCatalog,
    /// A key codexgen does not know.
    UnknownKey,
    /// A key that must be there is not (`schema`, `version`, `default`,
    /// `base_url`, `provider`, `model`).
    MissingKey,
    /// A value of the wrong type (a number where a string belongs, ...).
    WrongType,
    /// An empty string where a value is needed.
    EmptyValue,
    /// A `schema:` this codexgen does not read.
    UnsupportedSchema,
    /// A `codex:` that is not a version or a range.
    BadCodexRequirement,
    /// A profile names a provider that neither the catalog nor Codex has.
    MissingProvider,
    /// `default:` names a profile the catalog does not have.
    MissingProfile,
    /// A catalog provider reuses the id of a Codex built-in.
    BuiltinProvider,
    /// An id, profile name, header or parameter name with characters not
    /// allowed; an id or profile name that would not work as a file name or
    /// a command-line word everywhere (`home::profile_fault`), or two
    /// profile names that are one file where case is ignored.
    BadName,
    /// A `base_url` Codex cannot use.
    BadUrl,
    /// A key, token or password written into the catalog.
    LiteralSecret,
    /// Not an environment variable name where one belongs.
    BadVariableName,
    /// A value Codex does not accept for that key.
    BadValue,
    /// A `wire_api` the target Codex no longer accepts (`chat` after 0.94).
    UnsupportedWireApi,
    /// A number outside the range Codex accepts.
    OutOfRange,
    /// A string past the length a catalog value may have.
    TooLong,
    /// A control or bidirectional character in a string.
    ControlCharacter,
    /// A model id Codex would read as an option.
    BadModel,
    /// A catalog file that cannot be read (missing, a folder, too large, not text).
    Unreadable,
    /// No Codex version to check for: the catalog's `codex:` range and the
    /// installed Codex or `--codex-version` disagree, or the version is unknown.
    Target,
    /// The templates (`validate --templates DIR`) cannot render the catalog.
    Render,
    /// A provider with two ways to get its key (`env_key`, `auth`, `aws`),
    /// or one with a key Codex refuses beside it.
    KeySources,
    /// A key the target Codex does not read yet (`auth` before it existed).
    UnsupportedKey,
}

impl Code {
    #[cfg(test)]
    pub const ALL: &'static [Code] = &[
        Code::YamlSyntax,
        Code::DuplicateKey,
        Code::EmptyCatalog,
        Code::UnknownKey,
        Code::MissingKey,
        Code::WrongType,
        Code::EmptyValue,
        Code::UnsupportedSchema,
        Code::BadCodexRequirement,
        Code::MissingProvider,
        Code::MissingProfile,
        Code::BuiltinProvider,
        Code::BadName,
        Code::BadUrl,
        Code::LiteralSecret,
        Code::BadVariableName,
        Code::BadValue,
        Code::UnsupportedWireApi,
        Code::OutOfRange,
        Code::TooLong,
        Code::ControlCharacter,
        Code::BadModel,
        Code::Unreadable,
        Code::Target,
        Code::Render,
        Code::KeySources,
        Code::UnsupportedKey,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::YamlSyntax => "yaml-syntax",
            Code::DuplicateKey => "duplicate-key",
            Code::EmptyCatalog => "empty-catalog",
            Code::UnknownKey => "unknown-key",
            Code::MissingKey => "missing-key",
            Code::WrongType => "wrong-type",
            Code::EmptyValue => "empty-value",
            Code::UnsupportedSchema => "unsupported-schema",
            Code::BadCodexRequirement => "bad-codex-requirement",
            Code::MissingProvider => "missing-provider",
            Code::MissingProfile => "missing-profile",
            Code::BuiltinProvider => "builtin-provider",
            Code::BadName => "bad-name",
            Code::BadUrl => "bad-url",
            Code::LiteralSecret => "literal-secret",
            Code::BadVariableName => "bad-variable-name",
            Code::BadValue => "bad-value",
            Code::UnsupportedWireApi => "unsupported-wire-api",
            Code::OutOfRange => "out-of-range",
            Code::TooLong => "too-long",
            Code::ControlCharacter => "control-character",
            Code::BadModel => "bad-model",
            Code::Unreadable => "unreadable",
            Code::Target => "target",
            Code::Render => "render",
            Code::KeySources => "key-sources",
            Code::UnsupportedKey => "unsupported-key",
        }
    }
}

/// One finding, with where it is, what caused it and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Its kind, for a catalog problem (see [`Code`]).
    pub code: Option<Code>,
    pub message: String,
    pub snippet: Option<Box<Snippet>>,
    /// The caret's label, e.g. "did you mean `base_url`?".
    pub label: Option<String>,
    /// What led to it, outermost first (an I/O error under "cannot read").
    pub causes: Vec<String>,
    /// What to do next.
    pub help: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Self {
        Problem {
            code: None,
            message: message.into(),
            snippet: None,
            label: None,
            causes: Vec::new(),
            help: None,
        }
    }

    /// The message of `err` and its `source()` chain as the causes.
    pub fn from_error(err: &dyn std::error::Error) -> Self {
        let mut problem = Problem::new(err.to_string());
        let mut source = err.source();
        while let Some(cause) = source {
            problem.causes.push(cause.to_string());
            source = cause.source();
        }
        problem
    }

    /// The problem as printed: `error: ...` or `warning: ...`, the first
    /// word coloured when the output stream allows it.
    pub fn render(&self, level: Level) -> String {
        let (word, color) = match level {
            Level::Error => ("error:", AnsiColor::Red),
            Level::Warning => ("warning:", AnsiColor::Yellow),
        };
        let style = Style::new().fg_color(Some(color.into())).bold();
        format!("{style}{word}{style:#} {self}")
    }

    #[must_use]
    pub fn code(mut self, code: Code) -> Self {
        self.code = Some(code);
        self
    }

    #[must_use]
    pub fn at(mut self, snippet: Snippet) -> Self {
        self.snippet = Some(Box::new(snippet));
        self
    }

    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// A snippet's line as printed (`show`n: redacted with the whole line as
/// context, escaped), the indent that puts the caret under the column as a
/// terminal shows it (a wide character, 日 or 🎉, takes two columns, a
/// combining mark none, a tab stays a tab), and the caret, as wide as
/// what it underlines is shown. A column past [`SHOWN_BEFORE`] columns
/// cuts the line's start, after redaction (a cut never hides a key's name).
fn shown_with_caret(s: &Snippet, show: impl Fn(&str) -> String) -> (String, String, String) {
    use unicode_width::UnicodeWidthChar as _;
    let text = show(&s.text);
    let raw = |chars: usize| s.text.chars().take(chars).collect::<String>();
    let before = show(&raw(s.column - 1));
    let through = show(&raw(s.column - 1 + s.width));
    // Where the column is in the text as shown: after the shown prefix,
    // when showing the line part by part gives the same text (a redaction
    // that hides the rest of the line hides the column's text too: the
    // caret then stands at what is shown).
    let aligned = text.starts_with(&before);
    let under = through
        .strip_prefix(&before)
        .filter(|_| aligned && text.starts_with(&through))
        .map_or(0, |u| u.chars().map(|c| c.width().unwrap_or(0)).sum());
    let width = |t: &str| {
        t.chars()
            .map(|c| if c == '\t' { 1 } else { c.width().unwrap_or(0) })
            .sum::<usize>()
    };
    // A long way into the line: show it from SHOWN_BEFORE columns before.
    let mut cut = 0;
    let mut lead = "";
    if aligned && width(&before) > SHOWN_BEFORE {
        let mut left = width(&before);
        for (i, c) in before.char_indices() {
            if left <= SHOWN_BEFORE {
                cut = i;
                break;
            }
            left -= if c == '\t' { 1 } else { c.width().unwrap_or(0) };
            cut = i + c.len_utf8();
        }
        lead = "…";
    }
    let indent: String = std::iter::once(lead)
        .chain(std::iter::once(&before[cut..]))
        .flat_map(str::chars)
        .map(|c| {
            if c == '\t' {
                "\t".to_owned()
            } else {
                " ".repeat(c.width().unwrap_or(0))
            }
        })
        .collect();
    (
        format!("{lead}{}", &text[cut..]),
        indent,
        "^".repeat(under.max(1)),
    )
}

impl fmt::Display for Problem {
    /// rustc's layout: the message, then `--> file:line:col`, the line, a caret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Everything shown may come from a hostile file: secrets are
        // redacted and unprintable characters escaped, piece by piece.
        let show = |text: &str| printable(&redact(text)).into_owned();
        // A message may run over lines (Codex's own, under a load check).
        let message: Vec<String> = self.message.split('\n').map(show).collect();
        f.write_str(&message.join("\n"))?;
        if let Some(s) = &self.snippet {
            let gutter = s.line.to_string().len();
            let pad = " ".repeat(gutter);
            let file = printable(&s.file);
            write!(f, "\n{pad}--> {file}:{}:{}", s.line, s.column)?;
            let (text, indent, carets) = shown_with_caret(s, show);
            write!(f, "\n{pad} |\n{} | {}", s.line, text.trim_end())?;
            write!(f, "\n{pad} | {indent}{carets}")?;
            if let Some(label) = &self.label {
                write!(f, " {}", show(label))?;
            }
        } else if let Some(label) = &self.label {
            write!(f, ": {}", show(label))?;
        }
        // A cause or a help may run over lines too (another program's
        // message): each line under the first one's text.
        for cause in &self.causes {
            write!(
                f,
                "\n  caused by: {}",
                printable_lines(&redact(cause), "             ")
            )?;
        }
        if let Some(help) = &self.help {
            // codexgen's own words (`export GROQ_API_KEY=...`), which may
            // list names from the file: keys hidden, names kept.
            write!(
                f,
                "\n  = help: {}",
                printable_lines(&mask(help), "          ")
            )?;
        }
        Ok(())
    }
}

/// Whether `c` must never reach a terminal or a shell as it is: control
/// characters (a newline ends a shell comment, ESC starts a terminal escape
/// sequence) other than the tab, the Unicode line and paragraph separators,
/// and the bidirectional overrides and isolates that make text display in
/// another order than it runs ("Trojan Source").
pub fn is_unprintable(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
                | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// A name or value taken from a file or the command line, as codexgen
/// prints it in its own words: [printable], with every word that looks
/// like a key hidden (`secrets::mask`): a profile name, a model or a
/// provider read from config.toml can be a pasted key.
pub fn shown(text: &str) -> String {
    printable(&mask(text)).into_owned()
}

/// `text` with every [unprintable](is_unprintable) character written as a
/// Rust-style escape (`\u{1b}`), so that whatever a file or a catalog holds,
/// printing it cannot move the cursor, recolour the terminal or start a new
/// line.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unprintable) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unprintable(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` made [printable] line by line: each line break (and a
/// `\r` right before it) becomes a real one followed by `indent`, so that
/// another program's many-line message reads as lines under the first;
/// every other control character stays escaped.
pub fn printable_lines(text: &str, indent: &str) -> String {
    text.split('\n')
        .map(|line| printable(line.strip_suffix('\r').unwrap_or(line)))
        .collect::<Vec<_>>()
        .join(&format!("\n{indent}"))
}

/// Another program's output as it stands under a message: one `  | `
/// line per line it printed; `None` when it printed none (each caller says
/// so in its own words). The lines are shown as given: a caller redacts
/// what may hold a secret first.
pub fn quoted_output<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) -> Option<String> {
    let quoted: Vec<String> = lines
        .into_iter()
        .map(|l| format!("  | {}", l.as_ref()))
        .collect();
    (!quoted.is_empty()).then(|| quoted.join("\n"))
}

/// A word for a POSIX shell (bash, zsh): bare when safe, else
/// single-quoted; the one quoting of every command line codexgen prints.
/// A leading `=` is quoted: zsh expands `=cmd` to the path
/// of `cmd` (found by the shell-safety property test).
pub fn sh_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && !word.starts_with('=')
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+,=".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The closest candidate to `word`, if one is close enough to be a typo.
/// Distance is optimal string alignment (`strsim::osa_distance`): edits, with
/// a swap of two neighbours counted as one (`modle` for `model`), letters
/// compared without case (`BETA` for `beta`; of two, the one in the same
/// case first).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(&lower, &c.to_lowercase()), c))
        .filter(|&(d, c)| d <= c.chars().count().div_ceil(3).max(1))
        .min_by_key(|&(d, c)| (d, strsim::osa_distance(word, c)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_programs_output_is_quoted_line_by_line() {
        assert_eq!(
            quoted_output("a\n  b".lines()).as_deref(),
            Some("  | a\n  |   b")
        );
        assert_eq!(quoted_output("".lines()), None);
    }

    #[test]
    fn posix_quoting() {
        assert_eq!(sh_quote("openai/gpt-oss-20b"), "openai/gpt-oss-20b");
        assert_eq!(
            sh_quote("model_provider=\"groq\""),
            "'model_provider=\"groq\"'"
        );
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("=ls"), "'=ls'");
        assert_eq!(sh_quote("a=b"), "a=b");
    }

    #[test]
    fn problem_points_at_the_column() {
        let src = "schema: 1\nproviders:\n  groq:\n    base_ulr: x\n";
        let p = Problem::new("unknown key `base_ulr`")
            .at(Snippet::at("providers.yaml", src, 4, 5, 8))
            .label("did you mean `base_url`?");
        assert_eq!(
            p.to_string(),
            "unknown key `base_ulr`\n --> providers.yaml:4:5\n  |\n4 |     base_ulr: x\n  |     ^^^^^^^^ did you mean `base_url`?"
        );
    }

    #[test]
    fn nothing_printed_can_drive_the_terminal() {
        assert_eq!(printable("plain\ttab é"), "plain\ttab é");
        assert_eq!(printable("a\u{1b}[2Jb\rc"), "a\\u{1b}[2Jb\\u{d}c");
        assert_eq!(printable("\u{202e}x\u{2028}"), "\\u{202e}x\\u{2028}");
        // Every part of a problem is escaped, and the caret still lines up.
        let src = "a: \"\u{1b}x\"\n";
        let p = Problem::new("bad \u{1b}[31m")
            .at(Snippet::at("f\u{7}.yaml", src, 1, 5, 1))
            .label("\u{9b}label")
            .help("\u{1b}help");
        let shown = p.to_string();
        assert!(shown.lines().all(|l| !l.contains(is_unprintable)), "{p}");
        // The caret underlines the whole escape.
        assert!(
            shown.contains("1 | a: \"\\u{1b}x\"\n  |     ^^^^^^ "),
            "{p}"
        );
    }

    #[test]
    fn many_lines_stay_lines_and_nothing_else_is_let_through() {
        assert_eq!(
            printable_lines("one\r\ntwo \u{1b}[31m\n\tthree\rx", "  | "),
            "one\n  | two \\u{1b}[31m\n  | \tthree\\u{d}x"
        );
        let p = Problem::new("refused").help("first\nsecond").label("l");
        let mut p = p;
        p.causes
            .push("Error: a\n\nCaused by:\n    b\u{7}".to_owned());
        assert_eq!(
            p.to_string(),
            "refused: l\n  caused by: Error: a\n             \n             Caused by:\n                 b\\u{7}\n  = help: first\n          second"
        );
    }

    #[test]
    fn offsets_become_lines_and_columns() {
        let s = Snippet::at_offset("f", "a = 1\nbc = [\n", 11, 1);
        assert_eq!((s.line, s.column, s.text.as_str()), (2, 6, "bc = ["));
    }

    #[test]
    fn suggestions() {
        let keys = ["base_url", "env_key", "name", "wire_api"];
        assert_eq!(did_you_mean("base_ulr", keys), Some("base_url"));
        assert_eq!(did_you_mean("wireapi", keys), Some("wire_api"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("modle", ["model", "provider"]), Some("model"));
        assert_eq!(did_you_mean("alpah", ["alpha", "beta"]), Some("alpha"));
        assert_eq!(did_you_mean("BETA", ["alpha", "beta"]), Some("beta"));
        assert_eq!(did_you_mean("BETa", ["BETA", "beta"]), Some("BETA"));
    }
}

#[cfg(test)]
mod code_tests {
    use super::Code;

    /// The table of codes in docs/catalog.md is the list scripts rely on: it names
    /// every code, and nothing else.
    #[test]
    fn the_readme_lists_every_code() {
        let readme = include_str!("../docs/catalog.md");
        let start = readme
            .find("<!-- problem codes -->")
            .expect("docs/catalog.md has the table of problem codes");
        let end = start
            + readme[start..]
                .find("<!-- /problem codes -->")
                .expect("the table ends");
        let listed: Vec<&str> = readme[start..end]
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, codes);
    }
}
