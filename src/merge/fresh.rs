//! Owns the merge of a file that is not there yet (or is empty), for
//! speed. Laid over nothing, the rendered text is written leaf after leaf
//! into a new tree, which is then printed: at 10,000 providers that was
//! half of a diff into an empty home. When the rendered text is laid out
//! as that printing lays it out, the answer is the text itself under
//! codexgen's header, and only its leaves need to be read (what the file
//! will manage). Whether it is laid out so is read from its lines
//! ([`layout`]), from each value's decor, and from the order in which the
//! leaves open their tables ([`Opened`]); anything else gives the file to
//! the general merge ([`super::merge`]), which debug builds (every test,
//! and fuzzing) also run on every answer given here, to hold the two to
//! the same answer.
//!
//! A text laid out as the merge prints it: no comments and no indent, no
//! multi-line strings or values, only bare keys (`[model_providers.groq]`,
//! `base_url = ...`, exactly one space on each side of `=`, nothing after
//! the value), every table's header where the tree puts it (a subtable
//! right after its table), and one or more blank lines before each header
//! that follows a key, and nowhere else but on top (the merge drops those).
//! The built-in templates write this layout.

use toml_edit::DocumentMut;

use super::legacy::may_hold_legacy_tables;
use super::pieces::pieces;
use super::tree::leaves;
use super::value::canonical;
use super::{Managed, Merged, Ownership};
use crate::home::is_plain_name;

/// The merge of `desired` over no file, with `own` (its record must be
/// empty, and nothing carried in): `None` when the general merge must
/// answer, because the text is not laid out as it prints it, does not
/// parse (the general merge says why), or holds what `own` asks to remove.
pub(super) fn merged(
    desired: &str,
    header: &str,
    own: &Ownership<'_>,
    piece: usize,
) -> Option<Merged> {
    // An adopted legacy table is emptied of what the rendered text does
    // not hold leaf by leaf (an inline table's entries): the general merge.
    let adopts = !own.adopt.is_empty() && may_hold_legacy_tables(Some(desired));
    if !own.previous.is_empty() || !own.carry_in.is_empty() || adopts {
        return None;
    }
    // Blank lines on top go: before a key they are its decor, which a new
    // key does not take; before a table, the merge drops them from the top.
    let desired = desired.trim_start_matches('\n');
    let (headers, keys) = layout(desired)?;
    // The pieces are read on two threads (see `halves`); the tables are
    // then followed leaf after leaf, as the merge makes them.
    let parts = pieces(desired, piece);
    let (first, second) = match parts.len() {
        0 | 1 => (read(&parts, own), Some(Vec::new())),
        n => crate::halves::both(|| read(&parts[..n / 2], own), || read(&parts[n / 2..], own)),
    };
    let mut read = first?;
    read.extend(second?);
    let mut opened = Opened::default();
    let mut managed = Vec::with_capacity(read.len());
    for (leaf, explicit) in read {
        opened.leaf(&leaf.path, |depth| explicit >> depth & 1 == 1);
        managed.push(leaf);
    }
    if managed.len() != keys || !opened.is(&headers) {
        return None;
    }
    let mut text = String::with_capacity(header.len() + desired.len() + 1);
    text.push_str(header);
    text.push_str(desired);
    if !desired.is_empty() && !desired.ends_with('\n') {
        text.push('\n');
    }
    Some(Merged {
        text: Some(text),
        managed,
        notes: Vec::new(),
        moved: Vec::new(),
    })
}

/// The leaves of `parts` as the merge would manage them, each with which
/// of the tables above it have a header (bit `depth`); `None` when a part
/// does not parse, a value has decor the merge drops (a comment or spaces
/// after it), a table is nested deeper than the bits, or `own` asks to
/// remove a leaf.
fn read(parts: &[&str], own: &Ownership<'_>) -> Option<Vec<(Managed, u64)>> {
    let mut read = Vec::new();
    for part in parts {
        let doc: DocumentMut = part.parse().ok()?;
        for leaf in leaves(doc) {
            // A `profile` selector the merge is asked to drop goes, even
            // a rendered one: the general merge says so.
            if own.drop_selector && leaf.path == ["profile"] {
                return None;
            }
            let decor = leaf.item.as_value()?.decor();
            let bare = |part: Option<&toml_edit::RawString>, is: &str| {
                part.is_none_or(|p| p.as_str() == Some(is))
            };
            if !bare(decor.prefix(), " ")
                || !bare(decor.suffix(), "")
                || leaf.tables.len() > 64
                || has_dotted_keys(leaf.item.as_value()?)
            {
                return None;
            }
            let explicit = (leaf.tables.iter().enumerate())
                .filter(|(_, table)| !table.is_implicit())
                .fold(0u64, |bits, (depth, _)| bits | 1 << depth);
            let managed = Managed {
                value: canonical(&leaf.item),
                path: leaf.path,
                before: None,
            };
            read.push((managed, explicit));
        }
    }
    Some(read)
}

/// Whether an inline table in `value` (at any depth) holds a dotted key:
/// `toml_edit` prints such a table's keys grouped (`{ a.b = 1, c = 2, a.d = 3 }`
/// comes out `a.d` beside `a.b`), so the text would not be what it prints.
fn has_dotted_keys(value: &toml_edit::Value) -> bool {
    match value {
        toml_edit::Value::InlineTable(table) => table.iter().any(|(_, v)| {
            matches!(v, toml_edit::Value::InlineTable(t) if t.is_dotted()) || has_dotted_keys(v)
        }),
        toml_edit::Value::Array(array) => array.iter().any(has_dotted_keys),
        _ => false,
    }
}

/// The tables (as `a.b`) whose headers the text holds, in order, and how
/// many key lines it holds; `None` when a line is not laid out as the
/// merge prints it (see the module doc).
fn layout(text: &str) -> Option<(Vec<&str>, usize)> {
    if text.contains('\r') || text.contains("\"\"\"") || text.contains("'''") {
        return None;
    }
    let mut headers = Vec::new();
    let mut keys = 0;
    // Whether blank lines are running, and whether a key came before them.
    let mut blank = false;
    for line in text.lines() {
        if line.is_empty() {
            // Blank lines are kept only before a header that follows a key.
            if keys == 0 {
                return None;
            }
            blank = true;
        } else if let Some(inner) = line.strip_prefix('[') {
            let table = inner.strip_suffix(']')?;
            // The merge puts a blank line before a header that follows a
            // key, and none before the file's first content.
            if !table.split('.').all(is_plain_name) || blank != (keys > 0) {
                return None;
            }
            headers.push(table);
            blank = false;
        } else {
            let (key, value) = line.split_once(" = ")?;
            if blank || !is_plain_name(key) || value.is_empty() || value.starts_with([' ', '\t']) {
                return None;
            }
            keys += 1;
        }
    }
    // Blank lines at the end are the tree's trailing text, which the merge drops.
    (!blank && !text.ends_with("\n\n")).then_some((headers, keys))
}

/// The tables with a header, in the order the merge makes them: each the
/// first time a leaf lies in it (leaves come table by table).
#[derive(Default)]
struct Opened {
    tables: Vec<String>,
    last: Vec<String>,
}

impl Opened {
    /// Notes the tables `path` opens; `explicit(depth)`: whether the table
    /// at that depth has a header.
    fn leaf(&mut self, path: &[String], explicit: impl Fn(usize) -> bool) {
        let parents = &path[..path.len() - 1];
        // The tables shared with the last leaf are open already.
        let shared = parents
            .iter()
            .zip(&self.last)
            .take_while(|(a, b)| a == b)
            .count();
        for depth in shared..parents.len() {
            if explicit(depth) {
                self.tables.push(parents[..=depth].join("."));
            }
        }
        self.last.clear();
        self.last.extend_from_slice(parents);
    }

    fn is(&self, headers: &[&str]) -> bool {
        self.tables.len() == headers.len() && self.tables.iter().zip(headers).all(|(a, b)| a == b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::{PIECE, merge_parts};

    const HEADER: &str = "# codexgen: header\n";

    /// The general merge of `desired` over no file.
    fn general(desired: &str, own: &Ownership<'_>) -> Option<Merged> {
        merge_parts("config.toml", "", &[desired], Some(HEADER), own).ok()
    }

    #[test]
    fn the_built_in_layout_is_its_own_merge() {
        // As the built-in templates write it: a blank line on top, keys,
        // then tables (one with an implicit parent, one subtable) each
        // after a blank line; and a file of one table, or of nothing.
        let texts = [
            "\nmodel = \"m\"\nmodel_provider = \"p\"\n\n[model_providers.p]\nname = \"P\"\nquery_params = { api-version = \"1\" }\n\n[model_providers.p.auth]\ncommand = \"op\"\nargs = [\"read\", \"x # y\"]\n\n[mcp_servers.s]\ncommand = \"s\"\n",
            "[tui]\nnotifications = true\n",
            "[t]\nb = 2\n\n[u]\n\n[u.v]\nc = 1\n",
            "model = \"m\"\n\n\n[tui]\nnotifications = true",
            "",
        ];
        let own = Ownership::default();
        for text in texts {
            let fast = merged(text, HEADER, &own, PIECE).expect(text);
            assert_eq!(Some(&fast), general(text, &own).as_ref(), "{text}");
            let body = text.trim_start_matches('\n');
            let ends = if body.is_empty() || body.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            assert_eq!(fast.text, Some(format!("{HEADER}{body}{ends}")));
        }
    }

    #[test]
    fn a_text_laid_out_otherwise_goes_to_the_general_merge() {
        // Each is TOML whose printed tree differs from its text (or may).
        let texts = [
            "# a comment\nmodel = \"m\"\n",
            "  model = \"m\"\n",
            "model=\"m\"\n",
            "model =  \"m\"\n",
            "\"model\" = \"m\"\n",
            "a.b = 1\n",
            "a = 1\n\nb = 2\n",
            "a = 1\n[t]\nb = 2\n",
            "a = 1\n\n[ t ]\nb = 2\n",
            "a = 1\n\n[t] # c\nb = 2\n",
            "[t]\nb = 2\n\n[u]\n[u.v]\nc = 1\n",
            "[t.u]\nb = 2\n\n[t]\nc = 1\n",
            "[t]\nb = 2\n\n[u]\nc = 1\n\n[t.v]\nd = 1\n",
            "[t]\n\n[t.u]\nb = 2\n",
            "a = 1\n\n[empty]\n",
            "a = [\n  1,\n]\n",
            "a = 1 # c\n",
            "x = { a.b = 1, c = 2, a.d = 3 }\n",
            "x = [{ a.b = 1, c = 2, a.d = 3 }]\n",
            "[t]\nu = 1\n\n[t.u]\ny = 1\n",
            "a = {\nb = 1 }\n",
            "a = 1  \n",
            "a = \"\"\"\nb = 1\n\"\"\"\n",
            "a = 1\n\n",
            "a = 1\r\n",
            "[[t]]\nb = 1\n",
        ];
        let own = Ownership::default();
        for text in texts {
            assert!(merged(text, HEADER, &own, PIECE).is_none(), "{text}");
        }
        // What the merge is asked to remove, or a record to go by.
        let selector = "profile = \"p\"\nmodel = \"m\"\n";
        let drop = Ownership {
            drop_selector: true,
            ..Ownership::default()
        };
        assert!(merged(selector, HEADER, &drop, PIECE).is_none());
        // A legacy table adopted is emptied of an inline table's entries.
        let adopt = [crate::home::ProfileName::new("p").unwrap()];
        let adopting = Ownership {
            adopt: &adopt,
            ..Ownership::default()
        };
        let legacy = "model = \"m\"\n\n[profiles.p]\nk = { a = 1 }\n";
        assert!(merged(legacy, HEADER, &adopting, PIECE).is_none());
        assert!(merged("model = \"m\"\n", HEADER, &adopting, PIECE).is_some());
        // Two pieces, each TOML, that are not TOML together.
        assert!(merged("[t]\nu = 1\n\n[t.u]\ny = 1\n", HEADER, &own, 8).is_none());
        assert!(merged(selector, HEADER, &own, PIECE).is_some());
        let previous = [Managed {
            path: vec!["model".to_owned()],
            value: "\"m\"".to_owned(),
            before: None,
        }];
        let recorded = Ownership {
            previous: &previous,
            ..Ownership::default()
        };
        assert!(merged("model = \"m\"\n", HEADER, &recorded, PIECE).is_none());
        let carried = Ownership {
            carry_in: &previous,
            ..Ownership::default()
        };
        assert!(merged("model = \"m\"\n", HEADER, &carried, PIECE).is_none());
    }

    /// Lines the layout check refuses or must look at twice, valid TOML
    /// or not.
    const OTHERWISE: &[&str] = &[
        "",
        "k1 = [1, 2] # c",
        "k2=1",
        "  k3 = 1",
        "\"k4\" = 1",
        "d.e = 1",
        "k5 = [",
        "  1,",
        "]",
        "k6 = {",
        "x = 1 }",
        "profile = \"p\"",
        "# c",
        "[ t1 ]",
        "[[t2]]",
        "[\"t3\"]",
        "[t1]",
        "[t1.u1]",
        "u0 = 1",
        "u1 = { x = 1 }",
        "k8 = { a.b = 1, c = 2, a.d = 3 }",
    ];

    /// A text in the built-in layout: keys on top, then tables (of a few
    /// names, so that some repeat or nest), each after a blank line.
    fn laid_out() -> impl proptest::strategy::Strategy<Value = Vec<String>> {
        use proptest::prelude::*;
        let table = (0..4u8, proptest::option::of(0..3u8), 0..3usize);
        (0..3usize, proptest::collection::vec(table, 0..6)).prop_map(|(top, tables)| {
            let mut lines: Vec<String> = (0..top).map(|k| format!("k{k} = \"v # {k}\"")).collect();
            for (t, u, keys) in tables {
                if !lines.is_empty() {
                    lines.push(String::new());
                }
                lines.push(match u {
                    Some(u) => format!("[t{t}.u{u}]"),
                    None => format!("[t{t}]"),
                });
                lines.extend((0..keys).map(|k| format!("k{k} = {{ x = {k} }}")));
            }
            lines
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn every_answer_here_is_the_general_merges(
            mut lines in laid_out(),
            // Lines put in, taken out, or swapped with the next.
            edits in proptest::collection::vec(
                (0..3u8, 0..32usize, proptest::sample::select(OTHERWISE)),
                0..3,
            ),
            piece in proptest::sample::select(vec![8, 40, PIECE]),
            drop_selector in proptest::bool::ANY,
        ) {
            for (edit, at, line) in edits {
                let at = at % (lines.len() + 1);
                match edit {
                    0 => lines.insert(at, line.to_owned()),
                    1 if at < lines.len() => drop(lines.remove(at)),
                    _ if at + 1 < lines.len() => lines.swap(at, at + 1),
                    _ => {}
                }
            }
            let text = lines.join("\n") + "\n";
            let own = Ownership { drop_selector, ..Ownership::default() };
            if let Some(fast) = merged(&text, HEADER, &own, piece) {
                proptest::prop_assert_eq!(Some(fast), general(&text, &own), "{}", text);
            }
        }
    }
}
