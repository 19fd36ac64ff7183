//! A file or document cannot be parsed as YAML (or JSON).
//!
//! ## Why
//! `kubectl apply` and Argo CD refuse the whole file; a CI job that skips it silently checks
//! less than it claims. Only the broken document is lost: ingress-lint resumes at the next
//! `---` and checks everything else. Not looked at: what follows the metadata of an object read
//! for its name only (RBAC rules, webhooks, CRD schemas, Job templates), which is passed over
//! unparsed when its lines tell where it ends. A file that names no `apiVersion` and no
//! `kind` anywhere (a dashboard's JSON with a comment header, a tool's own configuration) is
//! no manifest: that it does not parse is said as information.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   labels: {app: web
//! ---
//! ```
//! (the flow mapping is never closed)
//!
//! ## Fix
//! Correct the syntax at the reported position; `kubectl apply --dry-run=client -f FILE` shows
//! the same error.
use crate::findings::{Finding, Severity};
use manifest::ProblemKind;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct YamlSyntax;

impl Rule for YamlSyntax {
    fn info(&self) -> RuleInfo {
        rule_info!("yaml-syntax", Error, "yaml_syntax.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let mut found = Vec::new();
        context.problem_findings(ProblemKind::Syntax, &self.info(), &mut found);
        for mut finding in found {
            // A file naming no `apiVersion` or `kind` anywhere is no manifest (a dashboard's
            // JSONC, a tool's own configuration): that it does not parse is information.
            let source = &context.files[finding.location.file].source;
            let names = |word: &str| {
                source.kept_runs().any(|(_, text)| {
                    memchr::memmem::find(text.as_bytes(), word.as_bytes()).is_some()
                })
            };
            if !names("apiVersion") && !names("kind") {
                finding.severity = Severity::Info;
                finding.message.push_str(
                    " (the file names no apiVersion or kind: it is not read as a manifest)",
                );
            }
            out.push(finding);
        }
    }
}
