//! An Ingress uses the `kubernetes.io/ingress.class` annotation.
//!
//! ## Why
//! The annotation was deprecated in Kubernetes 1.18 in favour of `spec.ingressClassName` and
//! an IngressClass object. Controllers disagree on it: some ignore it when the field is set,
//! F5 NGINX lets it win, newer controllers (Gateway API implementations, ingress2gateway)
//! do not read it at all — a migration is the moment it silently stops routing.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     kubernetes.io/ingress.class: nginx
//! ```
//!
//! ## Fix
//! Set `spec.ingressClassName: nginx` (an IngressClass named `nginx` must exist) and remove
//! the annotation. The API server rejects creating an Ingress that sets both.
use crate::findings::Finding;
use crate::knowledge::CLASS_ANNOTATION;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct IngressClassAnnotationDeprecated;

impl Rule for IngressClassAnnotationDeprecated {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "ingress-class-annotation-deprecated",
            Warning,
            "ingress_class_annotation_deprecated.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        for view in context
            .objects()
            .filter(|v| v.object.reference.kind == "Ingress")
        {
            let Some(value) = view
                .object
                .metadata()
                .annotations
                .as_ref()
                .and_then(|a| a.get(CLASS_ANNOTATION))
            else {
                continue;
            };
            let message = format!(
                "{} selects its class with the deprecated `{CLASS_ANNOTATION}: {value}` annotation",
                view.reference()
            );
            let help = format!("set `spec.ingressClassName: {value}` (with an IngressClass named `{value}`) and remove the annotation");
            out.push(
                view.finding(&info, view.annotation_span(CLASS_ANNOTATION), message)
                    .help(help),
            );
        }
    }
}
