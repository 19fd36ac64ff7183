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
//! Not reported for the classes of a controller that reads only the annotation (GKE Ingress:
//! `gce`, `gce-internal`): for it the annotation is the way to choose, and
//! `spec.ingressClassName` would take the Ingress away from it.
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
                .annotations()
                .and_then(|a| a.get(CLASS_ANNOTATION))
            else {
                continue;
            };
            if annotation_only(context, value) {
                continue;
            }
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

/// Whether the class belongs to a controller that reads only the annotation.
fn annotation_only(context: &Context<'_>, class: &str) -> bool {
    context.knowledge.controllers.iter().any(|c| {
        c.providers.iter().any(|p| {
            p.precedence == "annotation-only" && p.default_class_names.iter().any(|n| n == class)
        })
    })
}
