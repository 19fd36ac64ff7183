//! The community ingress-nginx controller is deployed: it was retired in March 2026.
//!
//! ## Why
//! Best-effort maintenance of kubernetes/ingress-nginx ended in March 2026: no further
//! releases, no security fixes (its admission webhook alone had critical CVEs in 2025). Every
//! cluster running it needs a migration plan. F5 NGINX Ingress Controller (`nginx/nginx-ingress`
//! images) is a different, maintained project and is not reported; neither is a cloud's
//! managed add-on built on it (AKS application routing), which the cloud maintains.
//!
//! ## Example
//! ```yaml
//! containers:
//! - name: controller
//!   image: registry.k8s.io/ingress-nginx/controller:v1.15.1
//! ```
//!
//! ## Fix
//! Plan the move: `ingress-lint translate --to TARGET` shows which annotations carry over,
//! `ingress-lint inventory` how the controller is exposed. Source:
//! https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/
use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct ControllerRetired;

impl Rule for ControllerRetired {
    fn info(&self) -> RuleInfo {
        rule_info!("controller-retired", Warning, "controller_retired.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        for instance in context
            .inventory
            .controllers
            .iter()
            // A platform's managed add-on is patched by the platform, whatever its upstream.
            .filter(|i| i.controller.is_retired() && i.origin != crate::release::Origin::Managed)
        {
            let view = context.view(instance.workload);
            let note = instance
                .controller
                .lifecycle_note
                .as_deref()
                .unwrap_or("retired");
            let message = format!(
                "{} runs {}: {note}",
                view.reference(),
                instance.controller.name
            );
            let span = context.objects.name_span(instance.workload);
            out.push(view.finding(&info, span, message).help(
                "plan the migration: `ingress-lint translate --to <target>` for the annotations, `ingress-lint inventory` for the exposure",
            ));
        }
    }
}
