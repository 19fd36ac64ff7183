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
use crate::findings::{listing, Finding};
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
        let [_, at, ..] = defaults[..] else {
            return;
        };
        let names: Vec<String> = defaults
            .iter()
            .map(|d| format!("`{}`", d.object.reference.name))
            .collect();
        let message = format!(
            "{} IngressClasses are marked default ({}): which one new class-less Ingresses get depends on apply order",
            defaults.len(),
            listing(&names)
        );
        let others = defaults.iter().filter(|d| d.key() != at.key()).map(|d| {
            (
                d.location(d.annotation_span(DEFAULT_CLASS_ANNOTATION)),
                format!(
                    "IngressClass `{}` is marked default here",
                    d.object.reference.name
                ),
                Some(d.reference()),
            )
        });
        out.push(
            at.finding(&info, at.annotation_span(DEFAULT_CLASS_ANNOTATION), message)
                .related_group(others)
                .help("keep `ingressclass.kubernetes.io/is-default-class: \"true\"` on one IngressClass only"),
        );
    }
}
