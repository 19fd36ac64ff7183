//! Suppressions, in the shapes users of other Kubernetes linters know:
//! - `ignore-check.ingress-lint.io/<rule>: "<reason>"` or `ingress-lint.io/ignore-all: "<reason>"`
//!   on the object's metadata, or on its pod template's metadata;
//! - a comment `# ingress-lint: ignore[rule-a,rule-b] reason` on the reported line or the line
//!   above it;
//! - `suppressions:` in the configuration, by rule, kind, namespace, name glob and path glob.
//!
//! Suppressed findings are kept, marked, and counted apart.

use crate::findings::Finding;

use manifest::LoadedFile;

use super::RuleOptions;
use crate::load::Loaded;

/// A suppression from the configuration, ready to match: by rule (or `all`), and any of kind,
/// namespace, name glob and path glob.
#[derive(Clone, Debug)]
pub struct Suppression {
    pub rule: String,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<globset::GlobMatcher>,
    pub path: Option<globset::GlobMatcher>,
    pub reason: String,
}

impl Suppression {
    /// Whether it covers a finding in the file named `file`.
    pub fn covers(&self, finding: &Finding, file: &str) -> bool {
        let object = finding.object.as_ref();
        (self.rule == "all" || self.rule == finding.rule)
            && self
                .kind
                .as_ref()
                .is_none_or(|k| object.is_some_and(|o| &o.kind == k))
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| object.is_some_and(|o| o.namespace.as_ref() == Some(ns)))
            && self
                .name
                .as_ref()
                .is_none_or(|g| object.is_some_and(|o| g.is_match(&o.name)))
            && self.path.as_ref().is_none_or(|g| g.is_match(file))
    }
}

const RULE_ANNOTATION_PREFIX: &str = "ignore-check.ingress-lint.io/";
const ALL_ANNOTATION: &str = "ingress-lint.io/ignore-all";
const PRAGMA: &str = "ingress-lint: ignore[";

pub fn apply(loaded: &Loaded, options: &RuleOptions, findings: &mut [Finding]) {
    let files = &loaded.files;
    for finding in findings.iter_mut() {
        finding.suppressed = by_comment(files, finding)
            .or_else(|| by_annotation(files, finding))
            .or_else(|| by_config(files, options, finding));
    }
}

fn by_config(files: &[LoadedFile], options: &RuleOptions, finding: &Finding) -> Option<String> {
    let file = &files.get(finding.location.file)?.source.name;
    options
        .suppressions
        .iter()
        .find(|s| s.covers(finding, file))
        .map(|s| format!("configuration: {}", s.reason))
}

fn by_comment(files: &[LoadedFile], finding: &Finding) -> Option<String> {
    let source = &files.get(finding.location.file)?.source;
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

fn by_annotation(files: &[LoadedFile], finding: &Finding) -> Option<String> {
    let object = finding.object.as_ref()?;
    let file = files.get(finding.location.file)?;
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
