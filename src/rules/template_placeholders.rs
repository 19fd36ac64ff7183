//! A Jinja file (Ansible, Salt), or `${VAR}` placeholders (envsubst, Flux substitutions) where
//! another type is expected: said once per file.
//!
//! Information, not a problem: such a file is not broken, it is filled in by another tool.
//!
//! ## Why
//! What reaches the cluster is the substituted output. A Jinja file is not YAML until it is
//! rendered, and `port: ${PORT:-9002}` is a number only after substitution; reporting either
//! as a syntax error or a burst of schema warnings would fail CI on files that are fine.
//!
//! ## Example
//! ```yaml
//! spec:
//!   ports:
//!     - port: ${SERVICE_PORT:-9002}
//! ```
//!
//! ## Fix
//! Nothing, when the placeholders are intended. To check the values too, lint the
//! substituted output: `envsubst < service.yaml | ingress-lint check -`, or
//! `flux build kustomization NAME --path DIR | ingress-lint check -`.
use crate::findings::Finding;
use manifest::ProblemKind;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct TemplatePlaceholders;

impl Rule for TemplatePlaceholders {
    fn info(&self) -> RuleInfo {
        rule_info!("template-placeholders", Info, "template_placeholders.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        context.problem_findings(ProblemKind::Placeholders, &self.info(), out);
    }
}
