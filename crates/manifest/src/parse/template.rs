//! Unrendered templates: Go template actions that only `helm template` resolves, and Jinja
//! (Ansible, Salt) files.
//!
//! Rendered manifests may carry `{{ … }}` as data (Prometheus alert text, Argo CD
//! notification templates, Istio's sidecar-injection template inside a ConfigMap, a Flux
//! HelmRelease's values that the chart passes through `tpl`). So in a file that parses, an
//! action counts where it makes structure (outside every scalar and every comment) or where
//! it names Helm's own objects or functions inside a plain scalar of a document that does not
//! hold values as data; quoted and block scalars are data. In a file that does not parse,
//! only an action naming Helm's objects or functions counts; Jinja statements (`{% … %}`) or
//! expressions make it a Jinja template; any other syntax error stays a syntax error.

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

/// The parsed text, for telling structure from data.
pub struct Parsed<'t> {
    pub tree: &'t Tree,
    /// Byte ranges of documents whose string values are data even when they name Helm's
    /// objects (a HelmRelease's values, a PrometheusRule's alert text).
    pub data_documents: &'t [std::ops::Range<usize>],
}

/// The byte range of the first Go template action that marks the text as an unrendered Helm
/// template, if any. `parsed` is `None` when the text does not parse.
pub fn find_unrendered_template(
    text: &str,
    parsed: Option<&Parsed<'_>>,
) -> Option<std::ops::Range<usize>> {
    if !text.contains("{{") {
        return None;
    }
    let data = parsed.map(|p| (string_data_ranges(p.tree), p.data_documents));
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        let helm = HELM_MARKERS.iter().any(|m| text[open..close].contains(m));
        let counts = match &data {
            Some((ranges, data_documents)) => match scalar_at(ranges, open) {
                None => !in_comment(text, open, |at| scalar_at(ranges, at).is_some()),
                Some(ScalarStyle::Plain) => {
                    helm && !data_documents.iter().any(|d| d.contains(&open))
                }
                Some(_) => false,
            },
            None => helm && !in_comment(text, open, |_| false),
        };
        if counts {
            return Some(open..close);
        }
        from = open + 2;
    }
    None
}

/// The first Jinja statement (`{% … %}`) or expression (`{{ … }}`) of a text that does not
/// parse as YAML: an Ansible or Salt template.
pub fn find_jinja(text: &str) -> Option<std::ops::Range<usize>> {
    [("{%", "%}"), ("{{", "}}")]
        .iter()
        .filter_map(|(open_mark, close_mark)| {
            let open = text.find(open_mark)?;
            let close = text[open..].find(close_mark)? + open + 2;
            Some(open..close)
        })
        .min_by_key(|range| range.start)
}

/// Whether `offset` is inside a `#` comment: a `#` earlier on its line that starts a comment
/// (at the line start or after whitespace) and is not inside a scalar.
fn in_comment(text: &str, offset: usize, in_scalar: impl Fn(usize) -> bool) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..offset]
        .match_indices('#')
        .map(|(i, _)| line_start + i)
        .any(|at| (at == line_start || text[..at].ends_with([' ', '\t'])) && !in_scalar(at))
}

type ScalarRange = (u32, u32, ScalarStyle);

/// Sorted byte ranges of the scalars, with their style.
fn string_data_ranges(tree: &Tree) -> Vec<ScalarRange> {
    let mut ranges: Vec<ScalarRange> = tree
        .nodes()
        .filter_map(|n| match n.kind {
            NodeKind::Scalar { style } => Some((n.span.start, n.span.end, style)),
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
        let view = Parsed {
            tree: &parsed.tree,
            data_documents: &[],
        };
        let parsed = parsed.problems.is_empty().then_some(&view);
        find_unrendered_template(text, parsed).map(|r| &text[r])
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

    #[test]
    fn actions_in_comments_are_not_structure() {
        assert_eq!(
            find("# set {{ .Values.x }} in the chart\nkind: Service\n"),
            None
        );
        assert_eq!(find("kind: Service # was {{ .Values.kind }}\n"), None);
        // A `#` inside a scalar starts no comment.
        assert_eq!(
            find("a: \"x # y\"\n{{- if .Values.on }}\nkind: Service\n{{- end }}\n"),
            Some("{{- if .Values.on }}")
        );
    }

    #[test]
    fn values_held_as_data_are_not_a_template() {
        let text =
            "kind: HelmRelease\nspec:\n  values:\n    url: https://{{ .Release.Name }}.example\n";
        let parsed = parse(text, Limits::default());
        let whole = 0..text.len();
        let view = Parsed {
            tree: &parsed.tree,
            data_documents: std::slice::from_ref(&whole),
        };
        assert_eq!(find_unrendered_template(text, Some(&view)), None);
        assert!(find(text).is_some(), "outside a data document it counts");
    }

    #[test]
    fn jinja_is_told_apart() {
        let text = "- name: x\n  {% if a %}\n  value: {{ b }}\n";
        assert_eq!(find_jinja(text).map(|r| &text[r]), Some("{% if a %}"));
        let text = "name: {{ app }}\n{% if a %}\n";
        assert_eq!(find_jinja(text).map(|r| &text[r]), Some("{{ app }}"));
        assert_eq!(find_jinja("a: b\n"), None);
    }
}
