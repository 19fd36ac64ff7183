//! Unrendered Helm templates: Go template actions that only `helm template` resolves.
//!
//! Rendered manifests may carry `{{ … }}` as data (Prometheus alert text, Argo CD
//! notification templates, Istio's sidecar-injection template inside a ConfigMap). So in a
//! file that parses, an action counts where it makes structure (outside every scalar) or
//! where it names Helm's own objects or functions inside a plain scalar; quoted and block
//! scalars are data. In a file that does not parse, only an action naming Helm's objects or
//! functions counts, and any other syntax error stays a syntax error.

use super::tree::{NodeKind, ScalarStyle, Tree};

const HELM_MARKERS: [&str; 12] = [
    ".Values",
    ".Release",
    ".Chart",
    ".Capabilities",
    ".Files",
    ".Template",
    "include ",
    "template ",
    "toYaml",
    "nindent",
    "required ",
    "tpl ",
];

/// The byte range of the first Go template action that marks the text as an unrendered Helm
/// template, if any. `tree` is the parsed text, `None` when it does not parse.
pub fn find_unrendered_template(text: &str, tree: Option<&Tree>) -> Option<std::ops::Range<usize>> {
    if !text.contains("{{") {
        return None;
    }
    let data = tree.map(string_data_ranges);
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        let helm = HELM_MARKERS.iter().any(|m| text[open..close].contains(m));
        let counts = match &data {
            Some(ranges) => match scalar_at(ranges, open) {
                None => true,
                Some(ScalarStyle::Plain) => helm,
                Some(_) => false,
            },
            None => helm,
        };
        if counts {
            return Some(open..close);
        }
        from = open + 2;
    }
    None
}

type ScalarRange = (u32, u32, ScalarStyle);

/// Sorted byte ranges of the scalars, with their style.
fn string_data_ranges(tree: &Tree) -> Vec<ScalarRange> {
    let mut ranges: Vec<ScalarRange> = tree
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Scalar { style, .. } => Some((n.span.start, n.span.end, *style)),
            _ => None,
        })
        .collect();
    ranges.sort_unstable_by_key(|r| (r.0, r.1));
    ranges
}

/// The style of the scalar holding `offset`, if any.
fn scalar_at(ranges: &[ScalarRange], offset: usize) -> Option<ScalarStyle> {
    let offset = u32::try_from(offset).unwrap_or(u32::MAX);
    let index = ranges.partition_point(|r| r.0 <= offset);
    let (_, end, style) = *ranges.get(index.checked_sub(1)?)?;
    (offset < end).then_some(style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse, Limits};

    fn find(text: &str) -> Option<&str> {
        let parsed = parse(text, Limits::default());
        let tree = parsed.problems.is_empty().then_some(&parsed.tree);
        find_unrendered_template(text, tree).map(|r| &text[r])
    }

    #[test]
    fn helm_actions_are_found() {
        assert_eq!(
            find("metadata:\n  name: {{ include \"x.fullname\" . }}\n"),
            Some("{{ include \"x.fullname\" . }}")
        );
        assert_eq!(
            find("{{- if .Values.enabled }}\nkind: Service\n{{- end }}\n"),
            Some("{{- if .Values.enabled }}")
        );
        assert_eq!(
            find("metadata:\n  name: x-{{ .Release.Name }}\n"),
            Some("{{ .Release.Name }}")
        );
    }

    #[test]
    fn template_text_as_data_is_not() {
        assert_eq!(find("summary: \"{{ $labels.instance }} down\"\n"), None);
        assert_eq!(
            find("description: failed for {{ $labels.namespace }}/{{ $labels.pod}}.\n"),
            None
        );
        assert_eq!(find("data:\n  t: |\n    cpu: {{ .Values.cpu }}\n"), None);
    }
}
