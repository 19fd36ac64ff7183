//! An Ingress or IngressClass uses `extensions/v1beta1` or `networking.k8s.io/v1beta1`,
//! API versions removed in Kubernetes 1.22.
//!
//! ## Why
//! Clusters at 1.22 or later no longer serve these versions: `kubectl apply` fails with
//! "no matches for kind Ingress in version extensions/v1beta1", and charts that still render
//! them block every upgrade. The object is still read (with today's schema) so the other
//! rules can check it.
//!
//! ## Example
//! ```yaml
//! apiVersion: extensions/v1beta1
//! kind: Ingress
//! spec:
//!   backend: {serviceName: web, servicePort: 80}
//! ```
//!
//! ## Fix
//! Use `apiVersion: networking.k8s.io/v1`. For Ingress: `backend.serviceName`/`servicePort`
//! become `service.name` and `service.port.number` (or `.name`), `spec.backend` becomes
//! `spec.defaultBackend`, every path needs a `pathType` (`Prefix`, `Exact` or
//! `ImplementationSpecific`), and the class moves to `spec.ingressClassName`.
//! Source: https://kubernetes.io/docs/reference/using-api/deprecation-guide/#ingress-v122
use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct IngressApiRemoved;

impl Rule for IngressApiRemoved {
    fn info(&self) -> RuleInfo {
        rule_info!("ingress-api-removed", Error, "ingress_api_removed.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        for view in context.objects().filter(|v| v.object.removed_api) {
            let reference = &view.object.reference;
            let message = format!(
                "{} uses {}, removed in Kubernetes 1.22: clusters at 1.22 or later reject it",
                view.reference(),
                reference.api_version
            );
            let help = if reference.kind == "Ingress" {
                "use `apiVersion: networking.k8s.io/v1`: `serviceName`/`servicePort` become `service.name`/`service.port.number`, `spec.backend` becomes `spec.defaultBackend`, each path needs a `pathType`, and the class goes in `spec.ingressClassName`"
            } else {
                "use `apiVersion: networking.k8s.io/v1` (the fields are unchanged)"
            };
            out.push(
                view.finding(&info, view.value_span(&["apiVersion"]), message)
                    .help(help),
            );
        }
    }
}
