//! Owns how problems are shown to people: source snippets with a caret, the
//! `error:`/`caused by:` chain, secret redaction and exit codes. Does not decide
//! what is a problem; the stages do that and hand their findings here.

use std::fmt::{self, Write as _};
use std::process::ExitCode;

/// What a run ends with, as a process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done, or everything already in sync.
    Ok = 0,
    /// `--check` found files out of date.
    OutOfDate = 1,
    /// Bad input, bad usage or an I/O failure: nothing was written.
    Failure = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

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
    /// The snippet for a 1-based line and column of `source`.
    pub fn at(file: &str, source: &str, line: usize, column: usize, width: usize) -> Self {
        let text = source
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or_default()
            .to_owned();
        Snippet {
            file: file.to_owned(),
            line,
            column: column.max(1),
            text,
            width: width.max(1),
        }
    }

    /// The snippet for a byte offset into `source`.
    pub fn at_offset(file: &str, source: &str, offset: usize, width: usize) -> Self {
        let offset = offset.min(source.len());
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = source[line_start..offset].chars().count() + 1;
        Snippet::at(file, source, line, column, width)
    }
}

/// One finding about an input, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub snippet: Option<Box<Snippet>>,
    /// The caret's label, e.g. "did you mean `base_url`?".
    pub label: Option<String>,
    /// What to do next.
    pub help: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            snippet: None,
            label: None,
            help: None,
        }
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
}

impl fmt::Display for Problem {
    /// rustc's layout: the message, then `--> file:line:col`, the line, a caret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.message))?;
        if let Some(s) = &self.snippet {
            let gutter = s.line.to_string().len();
            let pad = " ".repeat(gutter);
            let text = redact(&s.text);
            write!(f, "\n{pad}--> {}:{}:{}", s.file, s.line, s.column)?;
            write!(f, "\n{pad} |\n{} | {}", s.line, text.trim_end())?;
            let indent: String = text
                .chars()
                .take(s.column - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{pad} | {indent}{}", "^".repeat(s.width))?;
            if let Some(label) = &self.label {
                write!(f, " {}", redact(label))?;
            }
        } else if let Some(label) = &self.label {
            write!(f, ": {}", redact(label))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Renders an error and its `source()` chain, uv style.
pub fn render_error(err: &dyn std::error::Error) -> String {
    let mut out = format!("error: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        let _ = write!(out, "\n  caused by: {cause}");
        source = cause.source();
    }
    out
}

/// Key names whose string values are secrets whatever they look like.
const SECRET_KEYS: &[&str] = &[
    "experimental_bearer_token",
    "token",
    "api_key",
    "apikey",
    "secret",
    "password",
    "authorization",
];

/// Prefixes of API keys that providers hand out. Used to refuse a literal key
/// where a variable name belongs, and to hide such text in anything we print.
pub const KEY_PREFIXES: &[&str] = &[
    "sk-",
    "sk_",
    "gsk_",
    "xai-",
    "fw_",
    "hf_",
    "pplx-",
    "nvapi-",
    "AIza",
    "ghp_",
    "github_pat_",
    "Bearer ",
];

/// Whether `word` looks like a credential rather than a name.
pub fn looks_like_secret(word: &str) -> bool {
    let word = word.trim_matches(|c: char| c == '"' || c == '\'');
    if KEY_PREFIXES.iter().any(|p| word.starts_with(p)) && word.len() > 8 {
        return true;
    }
    // Long runs of mixed-case letters and digits are tokens, not variable names
    // (which are conventionally UPPER_SNAKE).
    let long = word.len() >= 24;
    let lower = word.chars().any(|c| c.is_ascii_lowercase());
    let digit = word.chars().any(|c| c.is_ascii_digit());
    let no_space = !word.contains(char::is_whitespace);
    let no_path = !word.contains(['/', '.', ':']);
    long && lower && digit && no_space && no_path
}

/// Hides credentials in a line of config text before it is shown: the value of
/// any secret-named key, and any word that looks like a key.
pub fn redact(line: &str) -> String {
    // A secret-named key followed by `=` or `:` hides everything after it.
    for (at, c) in line.char_indices() {
        if c != '=' && c != ':' {
            continue;
        }
        let before = line[..at].trim_end().trim_end_matches(['"', '\'']);
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |p| p + 1);
        let key = before[start..].to_ascii_lowercase();
        let value = line[at + 1..].trim();
        let secret_key = !key.is_empty() && SECRET_KEYS.iter().any(|k| key.contains(k));
        if secret_key && !value.is_empty() && value != "{" && value != "[" {
            return format!("{} <redacted>", &line[..=at]);
        }
    }
    let mut out = String::with_capacity(line.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if looks_like_secret(word) {
            out.push_str("<redacted>");
        } else {
            out.push_str(&hide_userinfo(word));
        }
        word.clear();
    };
    for c in line.chars() {
        if c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | ',' | '{' | '}' | '[' | ']' | '=' | '(' | ')'
            )
        {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// `https://user:pass@host/...` becomes `https://<redacted>@host/...`.
fn hide_userinfo(word: &str) -> String {
    if let Some(scheme_end) = word.find("://") {
        let rest = &word[scheme_end + 3..];
        let authority_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            return format!("{}<redacted>{}", &word[..scheme_end + 3], &rest[at..]);
        }
    }
    word.to_owned()
}

/// The closest candidate to `word`, if one is close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, c)| d <= c.chars().count().div_ceil(3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: edits, with a swap of two neighbours
/// counted as one (the commonest typo, `modle` for `model`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn offsets_become_lines_and_columns() {
        let s = Snippet::at_offset("f", "a = 1\nbc = [\n", 11, 1);
        assert_eq!((s.line, s.column, s.text.as_str()), (2, 6, "bc = ["));
    }

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("experimental_bearer_token = \"abc\""),
            "experimental_bearer_token = <redacted>"
        );
        assert_eq!(
            redact("    env_key: gsk_abcdefghijklmnop"),
            "    env_key: <redacted>"
        );
        assert_eq!(
            redact("env_key = \"GROQ_API_KEY\""),
            "env_key = \"GROQ_API_KEY\""
        );
        assert_eq!(
            redact("base_url = \"https://api.groq.com/openai/v1\""),
            "base_url = \"https://api.groq.com/openai/v1\""
        );
    }

    #[test]
    fn secret_detection() {
        assert!(looks_like_secret("sk-proj-abcdef123456"));
        assert!(looks_like_secret("gsk_0123456789abcdef"));
        assert!(looks_like_secret("a8f5f167f44f4964e6c998dee827110c"));
        assert!(!looks_like_secret("OPENROUTER_API_KEY"));
        assert!(!looks_like_secret("sk-"));
        assert!(!looks_like_secret(
            "accounts/fireworks/models/qwen3-235b-a22b"
        ));
    }

    #[test]
    fn suggestions() {
        let keys = ["base_url", "env_key", "name", "wire_api"];
        assert_eq!(did_you_mean("base_ulr", keys), Some("base_url"));
        assert_eq!(did_you_mean("wireapi", keys), Some("wire_api"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("modle", ["model", "provider"]), Some("model"));
        assert_eq!(did_you_mean("alpah", ["alpha", "beta"]), Some("alpha"));
    }
}
