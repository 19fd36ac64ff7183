//! More than one IngressClass is marked default
//! (`ingressclass.kubernetes.io/is-default-class: "true"`).
//!
//! ## Why
//! The default class is written into new Ingresses that name no class. Before Kubernetes 1.25
//! the API server rejects class-less Ingresses while two defaults exist; since 1.25 the newest
//! default wins, so which controller takes them depends on apply order. During a migration
//! both charts tend to mark their class default.
//!
//! ## Example
//! ```yaml
//! kind: IngressClass
//! metadata:
//!   name: nginx
//!   annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
//! ---
//! kind: IngressClass
//! metadata:
//!   name: traefik
//!   annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
//! ```
//!
//! ## Fix
//! Keep the annotation on one class (`controller.ingressClassResource.default=false` in the
//! ingress-nginx chart, `ingressClass.isDefaultClass=false` in Traefik's) and give Ingresses an
//! explicit `spec.ingressClassName`.
use crate::findings::Finding;
use crate::knowledge::DEFAULT_CLASS_ANNOTATION;

use super::{rule_info, Context, ObjectView, Rule, RuleInfo};

pub struct DefaultIngressClassMultiple;

impl Rule for DefaultIngressClassMultiple {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "default-ingress-class-multiple",
            Warning,
            "default_ingress_class_multiple.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        // The inventory's default classes: of the cluster the rules run in.
        let defaults: Vec<ObjectView<'_>> = context
            .inventory
            .classes
            .iter()
            .filter(|c| c.default)
            .map(|c| context.view(c.key))
            .collect();
        let Some(first) = defaults.first() else {
            return;
        };
        for other in defaults.iter().skip(1) {
            let message = format!(
                "IngressClass `{}` is marked default, and so is IngressClass `{}`: which one new class-less Ingresses get depends on apply order",
                other.object.reference.name, first.object.reference.name
            );
            let finding = other
                .finding(&info, other.annotation_span(DEFAULT_CLASS_ANNOTATION), message)
                .related(
                    first.location(first.annotation_span(DEFAULT_CLASS_ANNOTATION)),
                    format!("IngressClass `{}` is marked default here", first.object.reference.name),
                    Some(first.reference()),
                )
                .help("keep `ingressclass.kubernetes.io/is-default-class: \"true\"` on one IngressClass only");
            out.push(finding);
        }
    }
}
