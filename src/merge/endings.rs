//! Owns line endings and the byte-order mark of a file codexgen merges
//! into: the ending most of its lines use, its lines split from their
//! endings, and giving each line `toml_edit` wrote back the ending it had
//! (`toml_edit` writes `\n` everywhere); the byte-order mark split off
//! the top, to be put back first. Pure text; does not parse TOML.

/// The text's byte-order mark (`""` when it has none; codexgen keeps one
/// first, its header after it) and the text after it.
pub(super) fn split_bom(text: &str) -> (&'static str, &str) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    }
}

/// The line ending most lines of `text` use: `\r\n` or (also when tied) `\n`.
pub(crate) fn dominant_ending(text: &str) -> &'static str {
    let lines = text.matches('\n').count();
    let crlf = text.matches("\r\n").count();
    if crlf * 2 > lines { "\r\n" } else { "\n" }
}

/// A text's lines, each split into its content and its ending
/// (`\r\n`, `\n`, or none on a last line without one).
pub(super) fn lines_with_endings(text: &str) -> Vec<(&str, &str)> {
    text.split_inclusive('\n')
        .map(|line| {
            let content = line
                .strip_suffix('\n')
                .map_or(line, |l| l.strip_suffix('\r').unwrap_or(l));
            (content, &line[content.len()..])
        })
        .collect()
}

/// `new` with each line that it keeps from `old` (matched as a line diff
/// does) ending as it did in `old`, and every other line with `ending`.
pub(crate) fn restore_endings(old: &str, new: &str, ending: &str) -> String {
    use similar::{Algorithm, DiffOp};
    // The common case, and a file of any size: without a CR in the old
    // text, every line ends in `\n` before and after; no diff is needed.
    if !old.contains('\r') && ending == "\n" {
        return new.to_owned();
    }
    let old_lines = lines_with_endings(old);
    let new_lines = lines_with_endings(new);
    let a: Vec<&str> = old_lines.iter().map(|l| l.0).collect();
    let b: Vec<&str> = new_lines.iter().map(|l| l.0).collect();
    // Past the deadline the diff is coarser: more lines count as new, and
    // take `ending`. The result is still valid, only less faithful.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, &a, &b, Some(deadline));
    let mut out = String::with_capacity(new.len() + new_lines.len());
    let mut push = |(content, own): (&str, &str), kept: Option<&str>| {
        out.push_str(content);
        if !own.is_empty() {
            out.push_str(kept.filter(|e| !e.is_empty()).unwrap_or(ending));
        }
    };
    for op in ops {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for k in 0..len {
                    push(new_lines[new_index + k], Some(old_lines[old_index + k].1));
                }
            }
            DiffOp::Insert {
                new_index, new_len, ..
            }
            | DiffOp::Replace {
                new_index, new_len, ..
            } => {
                for line in &new_lines[new_index..new_index + new_len] {
                    push(*line, None);
                }
            }
            DiffOp::Delete { .. } => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kept_line_keeps_its_ending_and_new_lines_take_the_files() {
        assert_eq!(dominant_ending("a\r\nb\r\nc\n"), "\r\n");
        assert_eq!(dominant_ending("a\r\nb\n"), "\n");
        assert_eq!(
            lines_with_endings("a\r\nb\nc"),
            [("a", "\r\n"), ("b", "\n"), ("c", "")]
        );
        assert_eq!(
            restore_endings("a\r\nb\n", "a\nx\nb\n", "\r\n"),
            "a\r\nx\r\nb\n"
        );
        assert_eq!(split_bom("\u{feff}a"), ("\u{feff}", "a"));
        assert_eq!(split_bom("a"), ("", "a"));
    }
}
