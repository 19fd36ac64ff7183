//! Suppressions, in the shapes users of other Kubernetes linters know:
//! - `ignore-check.ingress-lint.io/<rule>: "<reason>"` or `ingress-lint.io/ignore-all: "<reason>"`
//!   on the object's metadata, or on its pod template's metadata;
//! - a comment `# ingress-lint: ignore[rule-a,rule-b] reason` on the reported line or the line
//!   above it;
//! - `suppressions:` in the configuration, by rule, kind, namespace, name glob and path glob.
//!
//! Suppressed findings are kept, marked, and counted apart.

use rayon::prelude::*;

use crate::findings::{Finding, Location};

use manifest::{LoadedFile, Span};

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
    /// The configuration's directory: `path` matches a file as named on the command line, or
    /// as named from there (a configuration found above the checked path).
    pub base: Option<std::path::PathBuf>,
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
            && self.path.as_ref().is_none_or(|g| {
                g.is_match(file)
                    || self.base.as_deref().is_some_and(|base| {
                        std::path::absolute(file)
                            .ok()
                            .and_then(|f| f.strip_prefix(base).ok().map(|r| g.is_match(r)))
                            .unwrap_or(false)
                    })
            })
    }
}

const RULE_ANNOTATION_PREFIX: &str = "ignore-check.ingress-lint.io/";
const ALL_ANNOTATION: &str = "ingress-lint.io/ignore-all";
const PRAGMA: &str = "ingress-lint: ignore[";

/// A suppression in the input or the configuration, by where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A comment pragma or an annotation key, at its node.
    Located(Location),
    /// The configuration's `suppressions:` entry of this index.
    Configured(usize),
}

/// Marks the findings suppressions cover; returns the suppressions that covered one.
pub fn apply(loaded: &Loaded, options: &RuleOptions, findings: &mut [Finding]) -> Vec<Source> {
    let files = &loaded.files;
    let objects = ObjectsByName::new(files, findings);
    // In parallel: the first position asked of a file builds its line index.
    let mut used: Vec<Source> = findings
        .par_iter_mut()
        .filter_map(|finding| {
            let (reason, source) = by_comment(files, finding)
                .or_else(|| by_annotation(files, &objects, finding))
                .or_else(|| by_config(files, options, finding))?;
            finding.suppressed = Some(reason);
            Some(source)
        })
        .collect();
    used.sort();
    used.dedup();
    used
}

fn by_config(
    files: &[LoadedFile],
    options: &RuleOptions,
    finding: &Finding,
) -> Option<(String, Source)> {
    let file = &files.get(finding.location.file)?.source.name;
    options
        .suppressions
        .iter()
        .position(|s| s.covers(finding, file))
        .map(|i| {
            let reason = format!("configuration: {}", options.suppressions[i].reason);
            (reason, Source::Configured(i))
        })
}

/// The pragma of a line (`# ingress-lint: ignore[rules] reason`): its byte range in the
/// file, the rules and the reason.
fn pragma(text: &str, line_start: usize) -> Option<(Span, &str, &str)> {
    let hash = text.find('#')?;
    let comment = &text[hash + 1..];
    let rest = comment.trim_start().strip_prefix(PRAGMA)?;
    let (rules, reason) = rest.split_once(']')?;
    let span = Span::new(line_start + hash, line_start + text.trim_end().len());
    Some((span, rules, reason))
}

fn by_comment(files: &[LoadedFile], finding: &Finding) -> Option<(String, Source)> {
    let source = &files.get(finding.location.file)?.source;
    let line = source.line_index(finding.location.span.start as usize);
    let candidates = [Some(line), line.checked_sub(1)];
    candidates.into_iter().flatten().find_map(|index| {
        let range = source.line_range(index);
        let (span, rules, reason) = pragma(source.slice(range.clone())?, range.start)?;
        rules
            .split(',')
            .map(str::trim)
            .any(|r| r == finding.rule || r == "all")
            .then(|| {
                let at = Location {
                    file: finding.location.file,
                    span,
                };
                (format!("comment: {}", reason.trim()), Source::Located(at))
            })
    })
}

/// Every suppression of the input: comment pragmas and annotation keys, with their rules.
pub fn all_in_input(files: &[LoadedFile]) -> Vec<(Source, String)> {
    files
        .par_iter()
        .enumerate()
        .flat_map_iter(|(index, file)| in_file(index, file))
        .collect()
}

/// The suppressions of one file, in its order.
fn in_file(index: usize, file: &LoadedFile) -> Vec<(Source, String)> {
    let mut out = Vec::new();
    // Only the lines that name the pragma, found without a line index (lines let go
    // held none: runs of kept text are whole lines).
    for (base, text) in file.source.kept_runs() {
        let mut done_to = 0;
        // The memchr crate's search is vectorised (the standard library's is not).
        for at in memchr::memmem::find_iter(text.as_bytes(), PRAGMA) {
            if at < done_to {
                continue;
            }
            let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            done_to = end;
            let line = text[start..end].trim_end_matches('\r');
            if let Some((span, rules, _)) = pragma(line, base + start) {
                let at = Location { file: index, span };
                out.push((Source::Located(at), rules.trim().to_string()));
            }
        }
    }
    let tree = &file.tree;
    for object in &file.objects {
        for path in METADATA_PATHS {
            let Some(annotations) = tree.lookup_keys(object.node, path) else {
                continue;
            };
            for entry in tree.entries(annotations.value).iter() {
                let Some(key) = tree.scalar(entry.key) else {
                    continue;
                };
                let rule = if key == ALL_ANNOTATION {
                    "all"
                } else if let Some(rule) = key.strip_prefix(RULE_ANNOTATION_PREFIX) {
                    rule
                } else {
                    continue;
                };
                let at = Location::new(index, tree.span(entry.key));
                out.push((Source::Located(at), rule.to_string()));
            }
        }
    }
    out
}

/// Where an object's suppression annotations are: its own, and its pod template's.
const METADATA_PATHS: [&[&str]; 2] = [
    &["metadata", "annotations"],
    &["spec", "template", "metadata", "annotations"],
];

/// The objects of the files findings are in, by file, kind and name: a file's findings find
/// their object without scanning the file's objects (40k findings in one file).
struct ObjectsByName<'f> {
    index: std::collections::HashMap<(usize, &'f str, &'f str), Vec<usize>>,
}

impl<'f> ObjectsByName<'f> {
    fn new(files: &'f [LoadedFile], findings: &[Finding]) -> ObjectsByName<'f> {
        let mut with_findings: Vec<usize> = findings
            .iter()
            .filter(|f| f.object.is_some())
            .map(|f| f.location.file)
            .collect();
        with_findings.sort_unstable();
        with_findings.dedup();
        let mut index: std::collections::HashMap<_, Vec<usize>> = Default::default();
        for f in with_findings {
            let Some(file) = files.get(f) else { continue };
            for (i, o) in file.objects.iter().enumerate() {
                index
                    .entry((f, o.reference.kind.as_str(), o.reference.name.as_str()))
                    .or_default()
                    .push(i);
            }
        }
        ObjectsByName { index }
    }
}

fn by_annotation(
    files: &[LoadedFile],
    objects: &ObjectsByName<'_>,
    finding: &Finding,
) -> Option<(String, Source)> {
    let object = finding.object.as_ref()?;
    let file = files.get(finding.location.file)?;
    let candidates = objects.index.get(&(
        finding.location.file,
        object.kind.as_str(),
        object.name.as_str(),
    ))?;
    let object = candidates.iter().map(|&i| &file.objects[i]).find(|o| {
        let span = file.tree.span(o.node);
        span.start <= finding.location.span.start && finding.location.span.start <= span.end
    })?;
    let tree = &file.tree;
    let rule_key = format!("{RULE_ANNOTATION_PREFIX}{}", finding.rule);
    METADATA_PATHS.iter().find_map(|path| {
        let annotations = tree.lookup_keys(object.node, path)?.value;
        [rule_key.as_str(), ALL_ANNOTATION].iter().find_map(|key| {
            let entry = tree.get(annotations, key)?;
            let reason = format!(
                "annotation {key}: {}",
                tree.string(entry.value).unwrap_or_default()
            );
            let at = Location::new(finding.location.file, tree.span(entry.key));
            Some((reason, Source::Located(at)))
        })
    })
}
