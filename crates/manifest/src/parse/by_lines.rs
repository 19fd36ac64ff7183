//! The rest of a names-only document passed over by its lines, without parsing it: the bodies
//! of RBAC, webhook, CRD and Job objects are most of a chart render's bytes, and the costliest
//! to parse (dense small scalars), yet nothing is read of them. A document's root entries at
//! column 0 end at the next column-0 key or document marker, so lines tell where they run;
//! anything lines cannot tell for sure makes the caller parse the rest as usual.
//!
//! What is not parsed is not checked: a syntax error or a repeated key inside such a body is
//! not reported (kubectl, kubeconform and the GitOps controller that applies it will say so).

use memchr::{memchr, memchr2, memchr_iter, memrchr};

use crate::source::Span;

/// The root entries from a key to the end of its document, as lines tell them.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct RestOfDocument<'t> {
    /// Each entry's key, and its span from the key to the end of its value's last node.
    pub entries: Vec<(&'t str, Span)>,
    /// Where the document ends: the start of the next `---` line, or the end of the text.
    pub end: usize,
}

/// The root entries from the column-0 key `first_key` at `key_start` to the end of the
/// document, or `None` when lines cannot tell them for sure: a `keep` key or any column-0
/// line that is not a plain key, a sequence entry, a comment or a `---` marker; a carriage
/// return alone; or an entry whose value's end lines cannot tell (see `value_end`).
pub(super) fn rest_of_document<'t>(
    text: &'t str,
    key_start: usize,
    first_key: &'t str,
    keep: &[&str],
) -> Option<RestOfDocument<'t>> {
    let bytes = text.as_bytes();
    let mut entries = Vec::new();
    let mut entry = (first_key, key_start);
    let mut line_start = key_start;
    let end = loop {
        let Some(newline) = memchr(b'\n', &bytes[line_start..]) else {
            break text.len();
        };
        line_start += newline + 1;
        let line = &bytes[line_start..];
        let next_key = match line.first() {
            None => break text.len(),
            Some(b' ' | b'\r' | b'\n' | b'#') => continue,
            Some(b'-') if ends_indicator(line, 1) => continue,
            Some(b'-') if line.starts_with(b"---") && ends_indicator(line, 3) => break line_start,
            Some(&c) if c.is_ascii_alphanumeric() || c == b'_' => plain_key(line)?,
            Some(_) => return None,
        };
        let next_key = &text[line_start..line_start + next_key];
        if keep.contains(&next_key) {
            return None;
        }
        entries.push((entry.0, entry_span(text, entry.1, line_start)?));
        entry = (next_key, line_start);
    };
    entries.push((entry.0, entry_span(text, entry.1, end)?));
    // A carriage return alone breaks a line too.
    let lone_return = memchr_iter(b'\r', &bytes[key_start..end])
        .any(|at| bytes.get(key_start + at + 1) != Some(&b'\n'));
    (!lone_return).then_some(RestOfDocument { entries, end })
}

/// Whether an indicator of `len` bytes at the start of `line` stands alone (`-`, `---`).
fn ends_indicator(line: &[u8], len: usize) -> bool {
    matches!(line.get(len), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// The length of a plain key (`name:` followed by a space or the line's end) at the start of
/// a line.
fn plain_key(line: &[u8]) -> Option<usize> {
    let len = line
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/')))?;
    (line[len] == b':' && ends_indicator(line, len + 1)).then_some(len)
}

/// An entry from its key at `start` to the end of its value, which is on the last line
/// before `next` holding more than blanks or a comment.
fn entry_span(text: &str, start: usize, next: usize) -> Option<Span> {
    let bytes = text.as_bytes();
    // The line before `next` ends at its line break (the text may end without one).
    let mut line_end = next - usize::from(next > start && bytes[next - 1] == b'\n');
    loop {
        let line_start = memrchr(b'\n', &bytes[start..line_end]).map_or(start, |i| start + i + 1);
        let line = text[line_start..line_end].trim_start_matches(' ');
        if !(line.trim_end().is_empty() || line.starts_with('#')) {
            let end = value_end(text, start, line_start, line_end)?;
            return Some(Span::new(start, end));
        }
        if line_start == start {
            return None;
        }
        line_end = line_start - 1;
    }
}

/// Where a value whose last line is `line_start..line_end` ends, when that line ends with a
/// node that closes on it: a plain scalar (its last visible character), a quoted one or a
/// flow collection (its closing quote or bracket). `None` when the line may end otherwise: a
/// comment, a quote or bracket left open (or closing an earlier line's), an anchor, alias or
/// tag, an empty value (`key:`, `-`), or the content of a block scalar (`|`, `>`), whose end
/// the parser puts past its line breaks.
fn value_end(text: &str, entry_start: usize, line_start: usize, line_end: usize) -> Option<usize> {
    let line = text[line_start..line_end].trim_end_matches([' ', '\t', '\r']);
    if !closes_on_its_line(line) || line.ends_with(':') || line.ends_with(" -") || line == "-" {
        return None;
    }
    let above = &text.as_bytes()[entry_start..line_start];
    let block_scalar_above = memchr2(b'|', b'>', above).is_some()
        && in_block_scalar(text, entry_start, line_start, indentation(line));
    (!block_scalar_above && !explicit_key(above)).then_some(line_start + line.len())
}

/// Whether lines hold an explicit key (`? key`), whose entry can end past its last line.
fn explicit_key(lines: &[u8]) -> bool {
    memchr_iter(b'?', lines).any(|at| {
        let before = &lines[..at];
        let line_start = memrchr(b'\n', before).map_or(0, |i| i + 1);
        before[line_start..]
            .iter()
            .all(|&c| matches!(c, b' ' | b'-'))
            && ends_indicator(&lines[at..], 1)
    })
}

/// Whether every quote and flow bracket of a line closes on it, with nothing outside quotes
/// that could change where its last node ends or what it is. A backslash anywhere makes it
/// unsure: `\"` may close a quoted scalar that began lines above (a column-0 line can continue
/// one), and lines would then misread where entries start.
fn closes_on_its_line(line: &str) -> bool {
    let (mut quote, mut depth) = (None, 0usize);
    for c in line.bytes() {
        match (quote, c) {
            (_, b'\\') => return false,
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'[' | b'{') => depth += 1,
            (None, b']' | b'}') => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            (None, _) if b"#|>&*!?%@`\t".contains(&c) => return false,
            (None, _) => {}
        }
    }
    quote.is_none() && depth == 0
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Whether the line at `line_start`, indented by `indent`, may be the content of a block
/// scalar: one of the less indented lines it hangs from, up to the entry's key at `from`,
/// ends with a block scalar header (or has a comment, which could hide one).
fn in_block_scalar(text: &str, from: usize, line_start: usize, indent: usize) -> bool {
    let bytes = text.as_bytes();
    let (mut indent, mut next) = (indent, line_start);
    while indent > 0 && next > from {
        let end = next - 1;
        let start = memrchr(b'\n', &bytes[from..end]).map_or(from, |i| from + i + 1);
        next = start;
        let line = text[start..end].trim_end_matches([' ', '\t', '\r']);
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') || indentation(line) >= indent {
            continue;
        }
        indent = indentation(line);
        let header = content.trim_end_matches(|c: char| matches!(c, '-' | '+' | '0'..='9'));
        if content.contains('#') || header.ends_with('|') || header.ends_with('>') {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEEP: [&str; 3] = ["apiVersion", "kind", "metadata"];

    /// The entries and end found from the first `rules` key.
    fn rest(text: &str) -> Option<(Vec<(&str, &str)>, usize)> {
        let start = text.find("rules:")?;
        let rest = rest_of_document(text, start, "rules", &KEEP)?;
        let entries = rest
            .entries
            .iter()
            .map(|(key, span)| (*key, &text[span.start as usize..span.end as usize]))
            .collect();
        Some((entries, rest.end))
    }

    #[test]
    fn entries_run_to_their_last_plain_scalar_and_the_document_to_its_marker() {
        let text = "kind: Role\nrules:\n- apiGroups:\n  - \"\"\n  verbs:\n  - get # read\n  - list\n\n# next\nsubjects:\n  - name: a\n    kind:  User  \n---\nkind: Role\n";
        let (entries, end) = rest(text).expect("lines tell");
        assert_eq!(entries[0].0, "rules");
        assert!(entries[0].1.ends_with("- list"));
        for (last, ends) in [
            ("  verbs: [\"get\", '[it''s]']  ", "']"),
            ("- {a: \"#\"}", "}"),
            ("  - \"\"", "\"\""),
        ] {
            let text = format!("rules:\n{last}\n");
            let (entries, _) = rest(&text).expect(last);
            assert!(entries[0].1.ends_with(ends), "{last}");
        }
        assert_eq!(
            entries[1],
            ("subjects", "subjects:\n  - name: a\n    kind:  User")
        );
        assert_eq!(&text[end..], "---\nkind: Role\n");
        let last = "kind: Role\nrules:\n- verbs: get\r\n";
        let (entries, end) = rest(last).expect("to the end");
        assert_eq!(entries, [("rules", "rules:\n- verbs: get")]);
        assert_eq!(end, last.len());
    }

    #[test]
    fn what_lines_cannot_tell_is_left_to_the_parser() {
        for text in [
            // A kept key after the body, and other column-0 lines.
            "rules:\n- a\nmetadata:\n  name: x\n",
            "rules:\n- a\n...\n",
            "rules:\n- a\n\"quoted\": 1\n",
            "rules:\n- a\n<<: *base\n",
            "rules: [a,\nb]\n",
            // Ends the parser puts elsewhere than the last visible character.
            "rules:\n- a # comment\n",
            "rules:\n- verbs:\n",
            "rules:\n- \"a\n  b\"\n",
            "rules:\n- \"a\\\"b\"\n",
            "rules: \"abc\n  he said 'hi'\nx: \\\"y\"\n",
            "rules:\n- [a,\n  b]\n",
            "rules:\n- &x a\n",
            "rules:\n  text: |\n    line\n\n",
            "rules:\n  text: >-\n    a: b\n      c\n",
            "rules:\n- a\n-\n",
            "rules:\n  ? verbs:\n    - get\n",
            "rules:\n- a\n  \rverbs: b\n",
        ] {
            assert_eq!(rest(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_block_scalar_above_a_plain_ending_is_passed_over() {
        let text = "rules:\n  text: |\n    line\n  last: plain\n";
        let (entries, _) = rest(text).expect("the last line is a plain scalar");
        assert!(entries[0].1.ends_with("last: plain"));
    }
}
