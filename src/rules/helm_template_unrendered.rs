//! A file holds Go template actions (`{{ .Values.x }}`): it is a Helm template, not a
//! manifest, and is skipped.
//!
//! ## Why
//! What reaches the cluster is the rendered output; a template cannot be checked faithfully
//! before its values are applied. Template text inside rendered values (Prometheus alert
//! annotations, `{{ $labels.instance }}`) is not reported.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   name: {{ include "app.fullname" . }}
//! ```
//!
//! ## Fix
//! Check the render instead: `helm template RELEASE CHART -f values.yaml | ingress-lint check -`,
//! and exclude the `templates/` folder (`--exclude "**/templates/**"`).
use crate::findings::Finding;
use manifest::ProblemKind;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct HelmTemplateUnrendered;

impl Rule for HelmTemplateUnrendered {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "helm-template-unrendered",
            Warning,
            "helm_template_unrendered.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        context.problem_findings(ProblemKind::TemplateUnrendered, &self.info(), out);
    }
}
