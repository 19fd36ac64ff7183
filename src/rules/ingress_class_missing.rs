//! An Ingress has no class, and the input has no default IngressClass and no controller that
//! takes class-less Ingresses.
//!
//! ## Why
//! Since ingress-nginx 1.0 most controllers ignore Ingresses without a class. Converters that
//! work from a cluster drop them too. Such an Ingress routes nothing — or, once someone
//! installs a controller that takes class-less Ingresses, suddenly routes through it.
//!
//! ## Example
//! ```yaml
//! kind: Ingress
//! spec:
//!   rules: [...]      # no ingressClassName, no kubernetes.io/ingress.class
//! ```
//!
//! ## Fix
//! Set `spec.ingressClassName` to the class of the controller that should serve it.
use crate::detect::ClassSource;
use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct IngressClassMissing;

impl Rule for IngressClassMissing {
    fn info(&self) -> RuleInfo {
        rule_info!("ingress-class-missing", Warning, "ingress_class_missing.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let inventory = &context.inventory;
        // A controller that may take them (unknown) is not reported as missing.
        let taker = inventory
            .claimants()
            .any(|(_, c)| !matches!(c.takes_classless, crate::detect::Tri::No(_)))
            || context.objects.unread_releases();
        if taker || inventory.classes.iter().any(|c| c.default) {
            return;
        }
        for entry in inventory
            .ingresses
            .iter()
            .filter(|e| e.class_source == ClassSource::None)
        {
            let view = context.view(entry.key);
            let span = view.key_span(&["spec"]);
            out.push(view.finding(&info, span, format!("{} names no class, and no controller or default IngressClass in the input takes class-less Ingresses", view.reference())).help(
                "set spec.ingressClassName to the class of the controller that should serve it",
            ));
        }
    }
}
