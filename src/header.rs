//! Owns codexgen's header: the two comment lines on top of every file it
//! generates, naming the catalog version ([`header`]), and reading them back:
//! whether a text has one, which version it names, the text without it, and
//! whether two texts differ in the header alone. A file's own lines that
//! start with `# codexgen:` are the user's, never the header ([`split_header`]).
//! Pure: text in, text out. Does not parse TOML or decide what a file holds
//! (that is `merge`'s); does not touch the filesystem.

const HEADER_FIRST_START: &str = "# codexgen: generated from catalog version ";
const HEADER_FIRST_END: &str = "; codexgen rewrites only the";
const HEADER_SECOND: &str =
    "# codexgen: keys it manages (see `codexgen gen --diff`) and keeps everything else.";

/// The header for a file generated from a catalog of this version.
pub(crate) fn header(catalog_version: &str) -> String {
    let version = catalog_version.replace(['\n', '\r'], " ");
    format!("{HEADER_FIRST_START}{version}{HEADER_FIRST_END}\n{HEADER_SECOND}\n")
}

/// Splits codexgen's header off the top of a file: (header length, rest).
/// The header is replaced on each run and nothing else is.
/// Only its own two lines count, as [`header`] writes them (for any catalog
/// version, with either line ending, repeated if an old bug stacked them);
/// any other line, one of the user's that starts with `# codexgen:`
/// included, is the user's and stays.
pub(crate) fn split_header(text: &str) -> (usize, &str) {
    let mut at = 0;
    while let Some(len) = header_len(&text[at..]) {
        at += len;
    }
    (at, &text[at..])
}

/// The length of the header at the start of `text`, if one is there.
fn header_len(text: &str) -> Option<usize> {
    let first_end = text.find('\n')? + 1;
    let first = text[..first_end].trim_end_matches(['\r', '\n']);
    let version = first
        .strip_prefix(HEADER_FIRST_START)?
        .strip_suffix(HEADER_FIRST_END)?;
    if version.contains(['\r', '\n']) {
        return None;
    }
    let rest = &text[first_end..];
    let second_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    (rest[..second_end].trim_end_matches(['\r', '\n']) == HEADER_SECOND)
        .then_some(first_end + second_end)
}

/// Whether `text` starts with codexgen's header (after a byte-order mark).
pub(crate) fn has_header(text: &str) -> bool {
    header_len(text.strip_prefix('\u{feff}').unwrap_or(text)).is_some()
}

/// `text` without codexgen's header (and a byte-order mark before it).
pub(crate) fn without_header(text: &str) -> &str {
    split_header(text.strip_prefix('\u{feff}').unwrap_or(text)).1
}

/// The catalog version named in codexgen's header at the top of `text`, if
/// it has one (after any byte-order mark).
pub(crate) fn header_version(text: &str) -> Option<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    header_len(text)?;
    text.lines()
        .next()?
        .trim_end_matches('\r')
        .strip_prefix(HEADER_FIRST_START)?
        .strip_suffix(HEADER_FIRST_END)
}

/// When `new` is `old` with codexgen's header added on top, and `old` has
/// none: a hand-written file (say, right after `codexgen import`) whose
/// every managed value already matches. Nothing Codex reads changes.
pub(crate) fn header_added(old: &str, new: &str) -> bool {
    let (old, new) = match (old.strip_prefix('\u{feff}'), new.strip_prefix('\u{feff}')) {
        (Some(old), Some(new)) => (old, new),
        (None, None) => (old, new),
        _ => return false,
    };
    header_len(old).is_none() && header_len(new).is_some_and(|len| new[len..] == *old)
}

/// When `old` and `new` differ only in codexgen's header: the catalog
/// versions the two headers name (a catalog version bump touches every
/// file so, and a reader wants it said once, not once per file).
pub(crate) fn header_only_change<'t>(old: &'t str, new: &'t str) -> Option<(&'t str, &'t str)> {
    let version = |text: &'t str| -> Option<(&'t str, &'t str)> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        header_len(text)?;
        let first = text.lines().next()?;
        let version = first
            .strip_prefix(HEADER_FIRST_START)?
            .strip_suffix(HEADER_FIRST_END)?;
        Some((version, split_header(text).1))
    };
    let ((was, old_body), (is, new_body)) = (version(old)?, version(new)?);
    let same_bom = old.starts_with('\u{feff}') == new.starts_with('\u{feff}');
    (same_bom && old_body == new_body && was != is).then_some((was, is))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_the_header_alone_is_told_apart() {
        let (v1, v2) = (header("1"), header("2"));
        let body = "model = \"m\"\n";
        let of = |head: &str, body: &str| format!("{head}{body}");
        assert_eq!(
            header_only_change(&of(&v1, body), &of(&v2, body)),
            Some(("1", "2"))
        );
        let bom = |t: String| format!("\u{feff}{t}");
        assert_eq!(
            header_only_change(&bom(of(&v1, body)), &bom(of(&v2, body))),
            Some(("1", "2"))
        );
        // Not when the body, the byte-order mark or nothing but the header changes.
        assert_eq!(
            header_only_change(&of(&v1, body), &of(&v2, "model = \"n\"\n")),
            None
        );
        assert_eq!(
            header_only_change(&bom(of(&v1, body)), &of(&v2, body)),
            None
        );
        assert_eq!(header_only_change(&of(&v1, body), &of(&v1, body)), None);
        assert_eq!(header_only_change(body, &of(&v2, body)), None);
    }

    #[test]
    fn a_header_added_to_a_file_without_one_is_told_apart() {
        let head = header("imported-1");
        let body = "model = \"m\"\r\n";
        assert!(header_added(body, &format!("{head}{body}")));
        assert!(header_added(
            &format!("\u{feff}{body}"),
            &format!("\u{feff}{head}{body}")
        ));
        // Not when the body changes too, the file had a header, or the BOM differs.
        assert!(!header_added(body, &format!("{head}model = \"n\"\n")));
        assert!(!header_added(
            &format!("{}{body}", header("0")),
            &format!("{head}{body}")
        ));
        assert!(!header_added(body, &format!("\u{feff}{head}{body}")));
        assert!(!header_added(body, body));
        assert_eq!(header_version(&format!("{head}{body}")), Some("imported-1"));
        assert_eq!(
            header_version(&format!("\u{feff}{}", head.replace('\n', "\r\n"))),
            Some("imported-1")
        );
        assert_eq!(header_version(body), None);
    }
}
