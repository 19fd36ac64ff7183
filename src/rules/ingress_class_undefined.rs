//! The class an Ingress names is neither an IngressClass nor served by a controller in the
//! input. Only reported when the input holds at least one IngressClass or controller.
//!
//! ## Why
//! An Ingress whose class nobody serves gets no route: requests to its hosts fail while the
//! manifest looks fine. Typical in migrations: Ingresses renamed to the new class before its
//! IngressClass exists, or a typo (`ngnix`).
//!
//! ## Example
//! ```yaml
//! spec:
//!   ingressClassName: traefik-internal   # no such IngressClass, no controller serving it
//! ```
//!
//! ## Fix
//! Create the IngressClass (with the right `spec.controller`), or name an existing class.
use crate::detect::ClassSource;
use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct IngressClassUndefined;

impl Rule for IngressClassUndefined {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "ingress-class-undefined",
            Warning,
            "ingress_class_undefined.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let inventory = &context.inventory;
        if inventory.classes.is_empty() && inventory.controllers.is_empty() {
            return;
        }
        // A controller whose class cannot be known may serve any class.
        if inventory
            .claimants()
            .any(|(_, c)| c.class_unknown.is_some())
            || context.objects.unread_releases()
        {
            return;
        }
        let mut known: Vec<&str> = inventory.classes.iter().map(|c| c.name.as_str()).collect();
        for instance in &inventory.controllers {
            for claimant in &instance.claimants {
                known.extend(
                    claimant
                        .classes
                        .iter()
                        .chain(&claimant.annotation_values)
                        .map(String::as_str),
                );
            }
        }
        for entry in inventory
            .ingresses
            .iter()
            .filter(|e| matches!(e.class_source, ClassSource::Spec | ClassSource::Annotation))
        {
            let Some(class) = entry.class.as_deref() else {
                continue;
            };
            if known.contains(&class) || !entry.served_by.is_empty() {
                continue;
            }
            let view = context.view(entry.key);
            let span = entry
                .class_span
                .unwrap_or_else(|| context.objects.name_span(entry.key));
            let guess = crate::knowledge::did_you_mean(class, known.iter().copied());
            let help = match guess {
                Some(g) => format!("did you mean `{g}`? Otherwise create an IngressClass `{class}` for the controller that should serve it"),
                None => format!("create an IngressClass `{class}` for the controller that should serve it, or name an existing class"),
            };
            out.push(view.finding(&info, span, format!("{}: class `{class}` is not an IngressClass and no controller in the input serves it", view.reference())).help(help));
        }
    }
}
