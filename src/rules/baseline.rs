//! Baselines: today's findings written down, so that `check --baseline FILE` reports only the
//! new ones. A finding is known by its rule, its object (kind, namespace, name — or its file
//! when it has no object), the YAML path of the node it points at and that node's text; never
//! by line numbers, so an edit elsewhere in the file keeps it.

use std::collections::BTreeMap;

use manifest::parse::{NodeId, NodeKind, Tree};
use serde::{Deserialize, Serialize};

use crate::findings::{BaselineCounts, Finding};
use crate::load::Loaded;

/// The format's version; a file of another version is refused.
const VERSION: u32 = 1;
/// The most of a node's text a fingerprint keeps.
const MAX_TEXT: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    pub rule: String,
    /// `Kind namespace/name`, or the file for a finding on no object.
    pub subject: String,
    /// The YAML path below the object (`spec.rules[0].host`), empty when unknown.
    pub path: String,
    pub text: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Fingerprint>,
}

/// Why a baseline file cannot be used (exit code 2).
#[derive(Debug)]
pub enum BaselineError {
    Read(String, std::io::Error),
    /// Not a baseline: where and why.
    Invalid(String, serde_json::Error),
    Version(String, u32),
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaselineError::Read(path, e) => write!(f, "--baseline {path}: {e}"),
            BaselineError::Invalid(path, e) => write!(
                f,
                "--baseline {path}:{}:{}: not a baseline ({e}); write one with `ingress-lint baseline --output {path}`",
                e.line(),
                e.column()
            ),
            BaselineError::Version(path, v) => {
                write!(f, "--baseline {path}: version {v}, this ingress-lint reads version {VERSION}")
            }
        }
    }
}

impl std::error::Error for BaselineError {}

/// The baseline of `findings` (suppressed ones left out), sorted, as JSON.
pub fn write(loaded: &Loaded, findings: &[Finding]) -> Result<String, serde_json::Error> {
    let mut entries: Vec<Fingerprint> = findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| fingerprint(loaded, f))
        .collect();
    entries.sort();
    let mut text = serde_json::to_string_pretty(&Baseline {
        version: VERSION,
        findings: entries,
    })?;
    text.push('\n');
    Ok(text)
}

pub fn read(path: &str) -> Result<Baseline, BaselineError> {
    let text = manifest::read_side_file(std::path::Path::new(path), manifest::SIDE_FILE_CAP)
        .map_err(|e| BaselineError::Read(path.into(), e))?;
    let baseline: Baseline =
        serde_json::from_str(&text).map_err(|e| BaselineError::Invalid(path.into(), e))?;
    if baseline.version != VERSION {
        return Err(BaselineError::Version(path.into(), baseline.version));
    }
    Ok(baseline)
}

/// Leaves out the findings the baseline has (each entry matches one finding).
pub fn apply(baseline: &Baseline, loaded: &Loaded, findings: &mut Vec<Finding>) -> BaselineCounts {
    let mut left: BTreeMap<&Fingerprint, usize> = BTreeMap::new();
    for entry in &baseline.findings {
        *left.entry(entry).or_insert(0) += 1;
    }
    let mut counts = BaselineCounts::default();
    findings.retain(|finding| {
        if finding.suppressed.is_some() {
            return true;
        }
        let print = fingerprint(loaded, finding);
        match left.get_mut(&print) {
            Some(n) if *n > 0 => {
                *n -= 1;
                counts.baselined += 1;
                false
            }
            _ => true,
        }
    });
    counts.fixed = left.values().sum();
    counts
}

/// What identifies a finding across edits.
pub fn fingerprint(loaded: &Loaded, finding: &Finding) -> Fingerprint {
    let file = loaded.files.get(finding.location.file);
    let span = finding.location.span;
    let text = file
        .and_then(|f| f.source.slice(span.range()))
        .map(|t| t.chars().take(MAX_TEXT).collect::<String>())
        .unwrap_or_default();
    let (subject, path) = match (&finding.object, file) {
        (Some(object), Some(file)) => {
            let root = file
                .objects
                .iter()
                .find(|o| o.reference.kind == object.kind && o.reference.name == object.name)
                .map(|o| o.node);
            let path = root
                .and_then(|root| path_to(&file.tree, root, span))
                .unwrap_or_default();
            (object.to_string(), path)
        }
        (None, Some(file)) => (file.source.name.clone(), String::new()),
        (_, None) => (String::new(), String::new()),
    };
    Fingerprint {
        rule: finding.rule.to_string(),
        subject,
        path,
        text: text.trim().to_string(),
    }
}

/// The path from `root` to the node (key or value) whose span is `span`.
fn path_to(tree: &Tree, root: NodeId, span: manifest::Span) -> Option<String> {
    fn walk(
        tree: &Tree,
        node: NodeId,
        span: manifest::Span,
        path: &mut String,
        depth: usize,
    ) -> bool {
        if tree.span(node) == span {
            return true;
        }
        if depth > 64 || !contains(tree.span(node), span) {
            return false;
        }
        match tree.node(node).kind {
            NodeKind::Mapping(entries) => {
                for entry in entries {
                    let key = tree.scalar(entry.key).unwrap_or_default();
                    let length = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    if tree.span(entry.key) == span
                        || walk(tree, entry.value, span, path, depth + 1)
                    {
                        return true;
                    }
                    path.truncate(length);
                }
                false
            }
            NodeKind::Sequence(items) => {
                for (at, item) in items.iter().enumerate() {
                    let length = path.len();
                    path.push_str(&format!("[{at}]"));
                    if walk(tree, *item, span, path, depth + 1) {
                        return true;
                    }
                    path.truncate(length);
                }
                false
            }
            NodeKind::Scalar { .. } | NodeKind::Alias(_) => false,
        }
    }
    fn contains(outer: manifest::Span, inner: manifest::Span) -> bool {
        outer.start <= inner.start && inner.end <= outer.end
    }
    let mut path = String::new();
    walk(tree, root, span, &mut path, 0).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Location, Severity};

    fn loaded(text: &str) -> Loaded {
        let file = crate::load::load_bytes("a.yaml", Ok(text.as_bytes().to_vec()));
        Loaded::from_files(
            vec![file],
            &crate::release::Setup {
                namespace: "default",
                ..Default::default()
            },
        )
    }

    fn finding_at(loaded: &Loaded, needle: &str) -> Finding {
        let file = &loaded.files[0];
        let text = file.source.slice(0..file.source.len()).unwrap();
        let start = text.find(needle).unwrap();
        let mut f = Finding::new(
            "r",
            Severity::Warning,
            Location {
                file: 0,
                span: manifest::Span::new(start, start + needle.len()),
            },
            "m",
        );
        f.object = Some(file.objects[0].reference.clone());
        f
    }

    #[test]
    fn a_fingerprint_survives_lines_shifting() {
        let before = loaded("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  loadBalancerIP: 1.2.3.4\n");
        let after = loaded("# a comment\n\napiVersion: v1\nkind: Service\nmetadata: {name: s, labels: {a: b}}\nspec:\n  type: LoadBalancer\n  loadBalancerIP: 1.2.3.4\n");
        let a = fingerprint(&before, &finding_at(&before, "1.2.3.4"));
        let b = fingerprint(&after, &finding_at(&after, "1.2.3.4"));
        assert_eq!(a, b);
        assert_eq!(a.path, "spec.loadBalancerIP");
        assert_eq!(a.subject, "Service s");
    }
}
