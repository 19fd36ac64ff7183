//! YAML held in a string scalar (Argo CD `helm.values: |`, k3s `valuesContent: |-`, a
//! ConfigMap's `values.yaml` key), parsed with every node located in the file that holds the
//! string — exactly for literal and plain block text, at the string otherwise.

use manifest::parse::{parse, Limits, NodeId, ScalarStyle, Tree};
use manifest::{SourceText, Span};

use super::values::Placement;

pub struct Embedded {
    pub tree: Tree,
    pub root: Option<NodeId>,
    pub placement: Placement,
    /// The embedded text does not parse.
    pub error: Option<String>,
}

/// Parses the string at `node` of `tree` (a file's tree over `source`).
pub fn parse_string(source: &SourceText, tree: &Tree, node: NodeId) -> Option<Embedded> {
    let resolved = tree.resolve(node);
    let (value, style) = tree.scalar_parts(resolved)?;
    let value = value.to_string();
    let span = tree.span(resolved);
    let parsed = parse(&value, Limits::default());
    let error = parsed
        .problems
        .iter()
        // An alias bomb or nesting past the bounds is as unreadable as a syntax error: the
        // values are not there to read.
        .find(|p| {
            matches!(
                p.kind,
                manifest::ProblemKind::Syntax | manifest::ProblemKind::Unreadable
            )
        })
        .map(|p| p.message.clone());
    // The block is on kept lines: its run of the text holds it whole.
    let map = (style == ScalarStyle::Literal)
        .then(|| source.run_at(span.start as usize))
        .flatten()
        .and_then(|(base, text)| line_map(text, base, span, &value));
    let root = parsed.documents.first().and_then(|d| d.root);
    let mut out = Tree::default();
    let (root, placement) = match (root, &map) {
        (Some(root), Some(map)) => {
            let locate = |s: Span| Span::new(map.at(s.start as usize), map.at(s.end as usize));
            let mut budget = 1_000_000;
            (
                out.graft(&parsed.tree, root, &locate, &mut budget),
                Placement::InFile,
            )
        }
        (Some(root), None) => {
            let locate = |_: Span| span;
            let mut budget = 1_000_000;
            let copied = out.graft(&parsed.tree, root, &locate, &mut budget);
            (copied, Placement::InFile)
        }
        (None, _) => (None, Placement::InFile),
    };
    Some(Embedded {
        tree: out,
        root,
        placement,
        error,
    })
}

/// Where each line of a literal block scalar's content starts in the file.
struct LineMap {
    /// File offset of each content line's first character.
    starts: Vec<usize>,
    /// Content offset of each content line's first character.
    content_starts: Vec<usize>,
}

impl LineMap {
    fn at(&self, content_offset: usize) -> usize {
        let line = match self.content_starts.binary_search(&content_offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        self.starts[line] + (content_offset - self.content_starts[line])
    }
}

/// Maps a literal block's content to the file: each content line is the file line with the
/// block's indentation removed. `None` when the file text does not read back that way.
/// `text` is the file's from offset `base`.
fn line_map(text: &str, base: usize, span: Span, value: &str) -> Option<LineMap> {
    let local = |offset: u32| (offset as usize).checked_sub(base);
    let span = Span::new(local(span.start)?, local(span.end)?);
    let block = text.get(span.range())?;
    // The content starts on the line after the `|` header, when the span holds it; else on
    // the span's own line.
    let first = if block.starts_with('|') {
        span.start as usize + block.find('\n')? + 1
    } else {
        text[..span.start as usize].rfind('\n').map_or(0, |i| i + 1)
    };
    let body = &text[first..];
    let indent = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())?;
    let mut starts = Vec::new();
    let mut content_starts = Vec::new();
    let mut file_at = first;
    let mut content_at = 0;
    for line in value.split_inclusive('\n') {
        let file_line_end = text[file_at..]
            .find('\n')
            .map_or(text.len(), |i| file_at + i);
        let file_line = &text[file_at..file_line_end];
        let content = line.trim_end_matches('\n');
        if content.is_empty() {
            starts.push(base + file_at.min(file_line_end));
        } else {
            if file_line.get(indent..)? != content {
                return None;
            }
            starts.push(base + file_at + indent);
        }
        content_starts.push(content_at);
        content_at += line.len();
        file_at = (file_line_end + 1).min(text.len());
    }
    if starts.is_empty() {
        return None;
    }
    Some(LineMap {
        starts,
        content_starts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_block_nodes_keep_their_file_position() {
        let text = "spec:\n  values: |\n    controller:\n      service:\n        loadBalancerIP: 203.0.113.9\n  other: x\n";
        let source = SourceText::new("a.yaml", text);
        let parsed = parse(text, Limits::default());
        let root = parsed.documents[0].root.unwrap();
        let node = parsed
            .tree
            .lookup_keys(root, &["spec", "values"])
            .unwrap()
            .value;
        let embedded = parse_string(&source, &parsed.tree, node).unwrap();
        let ip = embedded
            .tree
            .lookup_keys(
                embedded.root.unwrap(),
                &["controller", "service", "loadBalancerIP"],
            )
            .unwrap();
        let at = source.position(embedded.tree.span(ip.value).start as usize);
        assert_eq!((at.line, at.column), (5, 25));
        let key = source.position(embedded.tree.span(ip.key).start as usize);
        assert_eq!((key.line, key.column), (5, 9));
    }

    #[test]
    fn other_strings_are_located_at_the_string() {
        let text = "values: \"a: 1\\nb: 2\"\n";
        let source = SourceText::new("a.yaml", text);
        let parsed = parse(text, Limits::default());
        let root = parsed.documents[0].root.unwrap();
        let node = parsed.tree.get(root, "values").unwrap().value;
        let embedded = parse_string(&source, &parsed.tree, node).unwrap();
        let b = embedded.tree.get(embedded.root.unwrap(), "b").unwrap();
        assert_eq!(embedded.tree.span(b.value), parsed.tree.span(node));
    }
}
