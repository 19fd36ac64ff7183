//! Unrendered Helm templates: Go template actions that only `helm template` resolves.
//!
//! Rendered manifests may carry `{{ … }}` legitimately (Prometheus alert text, Argo CD
//! notification templates), so an action counts only when it names Helm's own objects or
//! functions, or when it stands outside any scalar so that the file is not YAML at all.

const HELM_MARKERS: [&str; 12] = [
    ".Values", ".Release", ".Chart", ".Capabilities", ".Files", ".Template", "include ",
    "template ", "toYaml", "nindent", "required ", "tpl ",
];

/// The byte range of the first Go template action that marks the text as an unrendered Helm
/// template, if any. `parses` says whether the text is valid YAML as it stands.
pub fn find_unrendered_template(text: &str, parses: bool) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    let mut first_action = None;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        let action = &text[open..close];
        if action.contains('\n') && action.len() > 400 {
            from = open + 2;
            continue;
        }
        if HELM_MARKERS.iter().any(|m| action.contains(m)) {
            return Some(open..close);
        }
        first_action.get_or_insert(open..close);
        from = close;
    }
    if parses {
        None
    } else {
        first_action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_actions_are_found() {
        let text = "metadata:\n  name: {{ include \"x.fullname\" . }}\n";
        let range = find_unrendered_template(text, true).unwrap();
        assert_eq!(&text[range], "{{ include \"x.fullname\" . }}");
    }

    #[test]
    fn prometheus_templates_in_valid_yaml_are_not() {
        let text = "summary: \"{{ $labels.instance }} down\"\n";
        assert_eq!(find_unrendered_template(text, true), None);
        assert!(find_unrendered_template(text, false).is_some());
    }
}
