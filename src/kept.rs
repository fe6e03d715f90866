//! Owns what config.toml held that was not codexgen's at codexgen's last
//! write, by name only ([`Kept`]: the unmanaged top-level keys and tables,
//! a table of tables such as `projects` or `mcp_servers` by each of its
//! tables, and how many comment lines), and what of it is gone since
//! ([`gone`]). Never a value: the names are what `state` records, and
//! what `gen` and `doctor` say when another program rewrote the file (the
//! Codex desktop app has rewritten config.toml keeping only the keys it
//! manages, on Windows with CRLF and without comments) or a person
//! removed a table. Text in, names out; no I/O, nothing written.
//!
//! A comment line is a line whose first non-blank character is `#` below
//! codexgen's header (a line of a multi-line string that starts with `#`
//! counts too: a count, not a parse, so that recording stays cheap).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, Item};

use crate::header;
use crate::merge::Managed;
use crate::render::toml_key;

/// What of a file was not codexgen's when codexgen last wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    /// The key paths of the unmanaged top-level keys and tables (one or
    /// two keys each).
    #[serde(default)]
    pub keys: Vec<Vec<String>>,
    /// How many comment lines the file held (codexgen's header not counted).
    #[serde(default)]
    pub comments: usize,
}

/// What of a recorded [`Kept`] is no longer in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gone {
    /// Each key path, as TOML writes it (`projects."/home/a/x"`).
    pub keys: Vec<String>,
    /// How many fewer comment lines the file holds.
    pub comments: usize,
}

impl Gone {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.comments == 0
    }
}

/// What of `text` (as codexgen writes it, `managed` its leaves) is not
/// codexgen's. `None` when the text does not parse (it always does when
/// codexgen wrote it).
pub fn kept(text: &str, managed: &[Managed]) -> Option<Kept> {
    let doc: DocumentMut = text.parse().ok()?;
    // A name is codexgen's when a managed leaf lies under it.
    let ours: HashSet<&[String]> = managed
        .iter()
        .flat_map(|m| {
            [
                &m.path[..1.min(m.path.len())],
                &m.path[..2.min(m.path.len())],
            ]
        })
        .collect();
    let keys = names(&doc)
        .into_iter()
        .filter(|path| !ours.contains(path.as_slice()))
        .collect();
    Some(Kept {
        keys,
        comments: comments(text),
    })
}

/// What of `recorded` is not in `text` any more. An unparsable text is
/// not looked into (`gen` says where it is broken).
pub fn gone(recorded: &Kept, text: &str) -> Gone {
    let keys = match text.parse::<DocumentMut>() {
        Ok(doc) => recorded
            .keys
            .iter()
            .filter(|path| !has(&doc, path))
            .map(|path| {
                path.iter()
                    .map(|k| toml_key(k))
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect(),
        Err(_) => return Gone::default(),
    };
    Gone {
        keys,
        comments: recorded.comments.saturating_sub(comments(text)),
    }
}

/// Every top-level key's path, a table whose items are all tables (not
/// inline ones) by each of them.
fn names(doc: &DocumentMut) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (key, item) in doc.iter() {
        match item.as_table() {
            Some(table) if !table.is_empty() && table.iter().all(|(_, i)| i.is_table()) => {
                out.extend(
                    table
                        .iter()
                        .map(|(child, _)| vec![key.to_owned(), child.to_owned()]),
                );
            }
            _ => out.push(vec![key.to_owned()]),
        }
    }
    out
}

fn has(doc: &DocumentMut, path: &[String]) -> bool {
    let mut item: Option<&Item> = None;
    for (i, key) in path.iter().enumerate() {
        item = if i == 0 {
            doc.get(key)
        } else {
            item.and_then(|it| it.get(key.as_str()))
        };
        if item.is_none() {
            return false;
        }
    }
    item.is_some()
}

fn comments(text: &str) -> usize {
    header::without_header(text)
        .lines()
        .filter(|line| line.trim_start().starts_with('#'))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(path: &[&str]) -> Managed {
        Managed {
            path: path.iter().map(|k| (*k).to_owned()).collect(),
            value: "\"x\"".into(),
            before: None,
        }
    }

    const TEXT: &str = "# codexgen: generated from catalog version t1; codexgen rewrites only the\n# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.\n# mine\nmodel = \"m\"\napproval_policy = \"never\"\n\n[model_providers.a]\nname = \"A\"\n\n[projects.\"/home/a/x\"]\ntrust_level = \"trusted\"\n\n# servers\n[mcp_servers.docs]\ncommand = \"npx\"\n\n[notice]\nhide = true\n";

    #[test]
    fn names_what_is_not_codexgen_s_and_counts_comments() {
        let kept = kept(
            TEXT,
            &[leaf(&["model"]), leaf(&["model_providers", "a", "name"])],
        )
        .unwrap();
        let keys: Vec<String> = kept.keys.iter().map(|p| p.join("|")).collect();
        assert_eq!(
            keys,
            [
                "approval_policy",
                "projects|/home/a/x",
                "mcp_servers|docs",
                "notice"
            ]
        );
        assert_eq!(kept.comments, 2);
    }

    #[test]
    fn a_rewrite_that_keeps_only_managed_keys_loses_the_rest() {
        let kept = kept(
            TEXT,
            &[leaf(&["model"]), leaf(&["model_providers", "a", "name"])],
        )
        .unwrap();
        let rewritten = "model = \"m\"\r\n\r\n[model_providers.a]\r\nname = \"A\"\r\n";
        let gone = gone(&kept, rewritten);
        assert_eq!(
            gone.keys,
            [
                "approval_policy",
                "projects.\"/home/a/x\"",
                "mcp_servers.docs",
                "notice"
            ]
        );
        assert_eq!(gone.comments, 2);
        assert!(super::gone(&kept, TEXT).is_empty());
    }
}
