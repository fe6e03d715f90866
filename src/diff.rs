//! Owns diff text: a unified diff (similar) between a file's current and
//! planned content, as typed lines so the caller can colour them. Credentials
//! that happen to sit in context lines are redacted, every line of a
//! multi-line one too. Makes no colour or
//! output decisions.

use similar::{ChangeTag, TextDiff};

use crate::secrets::{mask, multi_line_secrets, redact};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `--- a/...` / `+++ b/...`
    Header,
    /// `@@ -1,3 +1,4 @@`
    Hunk,
    Context,
    Removed,
    Added,
    /// `\ No newline at end of file`
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: Kind,
    /// The whole line as printed, without a line ending.
    pub text: String,
}

/// The unified diff from `old` to `new` for `name`; `None` stands for a
/// missing file. Empty when nothing differs.
pub fn unified(name: &str, old: Option<&str>, new: Option<&str>) -> Vec<Line> {
    let (a, b) = (old.unwrap_or_default(), new.unwrap_or_default());
    if old == new {
        return Vec::new();
    }
    // A file's name comes from a catalog's profile names, past ones
    // included (a file codexgen wrote before it refused key-shaped names).
    let name = &mask(name);
    let mut lines = vec![
        Line {
            kind: Kind::Header,
            text: old.map_or_else(|| "--- /dev/null".to_owned(), |_| format!("--- a/{name}")),
        },
        Line {
            kind: Kind::Header,
            text: new.map_or_else(|| "+++ /dev/null".to_owned(), |_| format!("+++ b/{name}")),
        },
    ];
    // The lines of a multi-line credential after its first (which
    // `redact` hides from the key on).
    let (old_secret, new_secret) = (multi_line_secrets(a), multi_line_secrets(b));
    let diff = TextDiff::from_lines(a, b);
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        lines.push(Line {
            kind: Kind::Hunk,
            text: hunk.header().to_string(),
        });
        for change in hunk.iter_changes() {
            let (kind, sign) = match change.tag() {
                ChangeTag::Equal => (Kind::Context, ' '),
                ChangeTag::Delete => (Kind::Removed, '-'),
                ChangeTag::Insert => (Kind::Added, '+'),
            };
            let value = change.value();
            let content = value.strip_suffix('\n').unwrap_or(value);
            let secret = match change.tag() {
                ChangeTag::Insert => change.new_index().and_then(|i| new_secret.get(i)),
                _ => change.old_index().and_then(|i| old_secret.get(i)),
            };
            let text = match secret.copied().flatten() {
                Some(at) => format!(
                    "{sign}<redacted>{}",
                    redact(content.get(at..).unwrap_or_default())
                ),
                None => format!("{sign}{}", redact(content)),
            };
            lines.push(Line { kind, text });
            if change.missing_newline() {
                lines.push(Line {
                    kind: Kind::Note,
                    text: "\\ No newline at end of file".to_owned(),
                });
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> String {
        lines.iter().flat_map(|l| [l.text.as_str(), "\n"]).collect()
    }

    #[test]
    fn same_text_has_no_diff() {
        assert!(unified("f", Some("a\n"), Some("a\n")).is_empty());
    }

    #[test]
    fn a_change_has_headers_and_a_hunk() {
        let d = unified(
            "settings.toml",
            Some("a = 1\nb = 2\n"),
            Some("a = 1\nb = 3\n"),
        );
        assert_eq!(
            text(&d),
            "--- a/settings.toml\n+++ b/settings.toml\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
        );
    }

    #[test]
    fn created_and_deleted_files() {
        let d = unified("x.config.toml", None, Some("a = 1\n"));
        assert_eq!(
            text(&d),
            "--- /dev/null\n+++ b/x.config.toml\n@@ -0,0 +1 @@\n+a = 1\n"
        );
        let d = unified("x.config.toml", Some("a = 1\n"), None);
        assert_eq!(
            text(&d),
            "--- a/x.config.toml\n+++ /dev/null\n@@ -1 +0,0 @@\n-a = 1\n"
        );
    }

    #[test]
    fn every_line_of_a_multi_line_credential_is_hidden_added_removed_or_kept() {
        let old = "a = 1\npassword = \"\"\"\nold-words\\\"\"\"\nmore-old\"\"\"\nb = 2\n";
        let new = "a = 2\nx = { api_key = \'\'\'\nnew-words\'\'\', y = \"shown\" }\nplain = \"\"\"\nseen\"\"\"\n";
        let t = text(&unified("c", Some(old), Some(new)));
        for hidden in ["old-words", "more-old", "new-words"] {
            assert!(!t.contains(hidden), "{hidden}: {t}");
        }
        assert!(t.contains("-<redacted>\"\"\"\n"), "{t}");
        assert!(t.contains("+<redacted>\'\'\', y = \"shown\" }"), "{t}");
        assert!(t.contains("+seen\"\"\""), "{t}");
        assert!(t.contains("-b = 2"), "{t}");
    }

    #[test]
    fn secrets_in_context_are_hidden() {
        let d = unified(
            "c",
            Some("experimental_bearer_token = \"abc\"\na = 1\n"),
            Some("experimental_bearer_token = \"abc\"\na = 2\n"),
        );
        assert!(
            text(&d).contains(" experimental_bearer_token = <redacted>\n"),
            "{}",
            text(&d)
        );
    }
}
