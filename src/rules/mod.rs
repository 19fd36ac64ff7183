//! Rules stage: one file per rule, each with its documentation as the file's doc comment
//! (what `explain` prints); `registry.rs` lists them all. Rules run once over everything
//! loaded; suppressions and severity choices apply after all rules ran, then findings sort.

pub mod baseline;
mod context;
mod registry;
mod suppress;

mod clashes;
mod on_target;

mod annotation_crd_on_target;
mod annotation_foreign_controller;
mod annotation_partial_on_target;
mod annotation_removed;
mod annotation_snippet;
mod annotation_unknown;
mod annotation_unsupported_on_target;
mod annotation_value_invalid;
mod cloud_ingress_nodeport_backends;
mod controller_retired;
mod controller_snippets_allowed;
mod default_ingress_class_multiple;
mod helm_release_unresolved;
mod helm_template_unrendered;
mod host_network_dns_policy;
mod host_network_port_clash;
mod host_port_clash;
mod ingress_api_removed;
mod ingress_class_annotation_deprecated;
mod ingress_class_contested;
mod ingress_class_mismatch;
mod ingress_class_missing;
mod ingress_class_undefined;
mod ingress_host_path_duplicate;
mod input_unreadable;
mod kustomization_unresolved;
mod load_balancer_ip_deprecated;
mod load_balancer_ip_shared;
mod load_balancer_source_ip;
mod object_duplicated;
mod schema_mismatch;
mod suppression_unused;
mod template_placeholders;
mod yaml_duplicate_key;
mod yaml_syntax;

pub use context::{Context, IngressAnnotation, ObjectView, RuleOptions};
pub use registry::{find, registry};
pub use suppress::Suppression;
pub use suppression_unused::unused_configured;

use crate::findings::{Finding, Severity};
use crate::load::Loaded;
use rayon::prelude::*;

/// What every rule declares about itself.
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    pub default_severity: Severity,
    /// The rule's file in `src/rules/`.
    pub file: &'static str,
    /// The rule file's source; `doc()` extracts its `//!` comment.
    source: &'static str,
}

impl RuleInfo {
    pub const fn new(
        id: &'static str,
        default_severity: Severity,
        file: &'static str,
        source: &'static str,
    ) -> RuleInfo {
        RuleInfo {
            id,
            default_severity,
            file,
            source,
        }
    }

    /// The rule's documentation: its file's `//!` doc comment (what, why, example, fix).
    pub fn doc(&self) -> String {
        self.source
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .map(|line| {
                line.strip_prefix("//! ")
                    .unwrap_or(line.trim_start_matches("//!"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first sentence of the documentation.
    pub fn summary(&self) -> String {
        let doc = self.doc();
        let first = doc
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .replace('\n', " ");
        first.trim().to_string()
    }
}

/// `RuleInfo` for the rule in the calling file, named as the last argument: the path is
/// resolved relative to that file, so the doc comment is read from the rule's own source
/// (`file!()` cannot serve: it is absolute when the crate is built as a dependency).
macro_rules! rule_info {
    ($id:literal, $severity:ident, $file:literal) => {
        $crate::rules::RuleInfo::new(
            $id,
            $crate::findings::Severity::$severity,
            $file,
            include_str!($file),
        )
    };
}
pub(crate) use rule_info;

pub trait Rule: Sync {
    fn info(&self) -> RuleInfo;
    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>);
}

/// Runs every rule over everything loaded and returns the findings sorted by file, line,
/// column and rule, with suppressions marked.
pub fn run(loaded: &Loaded, options: &RuleOptions) -> Vec<Finding> {
    run_and_report_unused(loaded, options).0
}

/// `run`, and the indexes of the configuration's `suppressions:` that suppressed nothing
/// (the configuration file is no input, so the caller locates them).
pub fn run_and_report_unused(loaded: &Loaded, options: &RuleOptions) -> (Vec<Finding>, Vec<usize>) {
    let scopes = crate::detect::cluster_scopes(loaded, &options.clusters, options.single_cluster);
    // Clusters are independent: checked in parallel, gathered in their order.
    let per_cluster: Vec<Vec<Vec<Finding>>> = scopes
        .into_par_iter()
        .map(|scope| {
            let context = Context::new(loaded, options, scope);
            // Rules are independent too: one cluster of a fleet repository is one scope.
            registry()
                .par_iter()
                .filter(|rule| !options.disabled.iter().any(|d| d == rule.info().id))
                .map(|rule| {
                    let mut findings = Vec::new();
                    rule.check(&context, &mut findings);
                    findings
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut findings: Vec<Finding> = per_cluster.into_iter().flatten().flatten().collect();
    for finding in &mut findings {
        if let Some(severity) = options.severities.get(finding.rule) {
            finding.severity = *severity;
        }
    }
    let used = suppress::apply(loaded, options, &mut findings);
    if !options.disabled.iter().any(|d| d == "suppression-unused") {
        let mut unused = suppression_unused::unused(loaded, &used);
        for finding in &mut unused {
            if let Some(severity) = options.severities.get(finding.rule) {
                finding.severity = *severity;
            }
        }
        findings.extend(unused);
    }
    let unused_configured: Vec<usize> = (0..options.suppressions.len())
        .filter(|i| !used.contains(&suppress::Source::Configured(*i)))
        .collect();
    findings.sort_by(|a, b| {
        (
            a.location.file,
            a.location.span.start,
            a.rule,
            &a.message,
            a.location.span.end,
        )
            .cmp(&(
                b.location.file,
                b.location.span.start,
                b.rule,
                &b.message,
                b.location.span.end,
            ))
    });
    findings.dedup();
    (findings, unused_configured)
}
