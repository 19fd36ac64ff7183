//! An Ingress sets both the `kubernetes.io/ingress.class` annotation and
//! `spec.ingressClassName`, to different classes.
//!
//! ## Why
//! Which one wins depends on the controller: ingress-nginx, Traefik and HAProxy read the field
//! first, F5 NGINX reads the annotation first. Two controllers may both take the Ingress, or
//! none. The API server rejects creating such an Ingress, so it was made by an update or an
//! old tool — and the next re-create fails.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     kubernetes.io/ingress.class: nginx
//! spec:
//!   ingressClassName: traefik
//! ```
//!
//! ## Fix
//! Keep `spec.ingressClassName` with the class you mean and remove the annotation.
use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};
use crate::knowledge::CLASS_ANNOTATION;

pub struct IngressClassMismatch;

impl Rule for IngressClassMismatch {
    fn info(&self) -> RuleInfo {
        rule_info!("ingress-class-mismatch", Error, "ingress_class_mismatch.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        for view in context.objects() {
            let manifest::TypedObject::Ingress(ingress) = &view.object.typed else {
                continue;
            };
            let (Some(field), Some(annotation)) = crate::knowledge::written_classes(ingress) else {
                continue;
            };
            if field == annotation {
                continue;
            }
            let message = format!(
                "{} names class `{field}` in spec.ingressClassName but `{annotation}` in the `{CLASS_ANNOTATION}` annotation: controllers disagree on which wins",
                view.reference()
            );
            let finding = view
                .finding(&info, view.value_span(&["spec", "ingressClassName"]), message)
                .related(view.location(view.annotation_span(CLASS_ANNOTATION)), format!("annotation names `{annotation}`"), None)
                .help(format!("keep `spec.ingressClassName` with the class you mean and remove the `{CLASS_ANNOTATION}` annotation"));
            out.push(finding);
        }
    }
}
