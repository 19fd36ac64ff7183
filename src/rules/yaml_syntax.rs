//! A file or document cannot be parsed as YAML (or JSON).
//!
//! ## Why
//! `kubectl apply` and Argo CD refuse the whole file; a CI job that skips it silently checks
//! less than it claims. Only the broken document is lost: ingress-lint resumes at the next
//! `---` and checks everything else. Not looked at: what follows the metadata of an object read
//! for its name only (RBAC rules, webhooks, CRD schemas, Job templates), which is passed over
//! unparsed when its lines tell where it ends.
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
use crate::findings::Finding;
use manifest::ProblemKind;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct YamlSyntax;

impl Rule for YamlSyntax {
    fn info(&self) -> RuleInfo {
        rule_info!("yaml-syntax", Error, "yaml_syntax.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        context.problem_findings(ProblemKind::Syntax, &self.info(), out);
    }
}
