//! Suppressions, in the shapes users of other Kubernetes linters know:
//! - `ignore-check.ingress-lint.io/<rule>: "<reason>"` or `ingress-lint.io/ignore-all: "<reason>"`
//!   on the object's metadata, or on its pod template's metadata;
//! - a comment `# ingress-lint: ignore[rule-a,rule-b] reason` on the reported line or the line
//!   above it.
//!
//! Suppressed findings are kept, marked, and counted apart.

use crate::findings::Finding;

use super::Context;

const RULE_ANNOTATION_PREFIX: &str = "ignore-check.ingress-lint.io/";
const ALL_ANNOTATION: &str = "ingress-lint.io/ignore-all";
const PRAGMA: &str = "ingress-lint: ignore[";

pub fn apply(context: &Context<'_>, findings: &mut [Finding]) {
    for finding in findings.iter_mut() {
        finding.suppressed =
            by_comment(context, finding).or_else(|| by_annotation(context, finding));
    }
}

fn by_comment(context: &Context<'_>, finding: &Finding) -> Option<String> {
    let source = &context.files.get(finding.location.file)?.source;
    let line = source.line_index(finding.location.span.start as usize);
    let candidates = [Some(line), line.checked_sub(1)];
    candidates.into_iter().flatten().find_map(|index| {
        let text = &source.text[source.line_range(index)];
        let comment = &text[text.find('#')? + 1..];
        let rest = comment.trim_start().strip_prefix(PRAGMA)?;
        let (rules, reason) = rest.split_once(']')?;
        rules
            .split(',')
            .map(str::trim)
            .any(|r| r == finding.rule || r == "all")
            .then(|| format!("comment: {}", reason.trim()))
    })
}

fn by_annotation(context: &Context<'_>, finding: &Finding) -> Option<String> {
    let object = finding.object.as_ref()?;
    let file = context.files.get(finding.location.file)?;
    let object = file.objects.iter().find(|o| {
        o.reference.kind == object.kind && o.reference.name == object.name && {
            let span = file.tree.span(o.node);
            span.start <= finding.location.span.start && finding.location.span.start <= span.end
        }
    })?;
    let tree = &file.tree;
    let metadata_paths: [&[&str]; 2] = [
        &["metadata", "annotations"],
        &["spec", "template", "metadata", "annotations"],
    ];
    let rule_key = format!("{RULE_ANNOTATION_PREFIX}{}", finding.rule);
    metadata_paths.iter().find_map(|path| {
        let annotations = tree.lookup_keys(object.node, path)?.value;
        [rule_key.as_str(), ALL_ANNOTATION].iter().find_map(|key| {
            let entry = tree.get(annotations, key)?;
            Some(format!(
                "annotation {key}: {}",
                tree.string(entry.value).unwrap_or_default()
            ))
        })
    })
}
