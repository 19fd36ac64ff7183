//! A Service sets `spec.loadBalancerIP`, deprecated since Kubernetes 1.24.
//!
//! ## Why
//! The field's meaning was never specified: each load-balancer implementation reads it its
//! own way, some ignore it (AWS, DigitalOcean, Hetzner), and it cannot express dual-stack. It
//! may be removed in a future API version. In a migration that keeps the load balancer's IP
//! (handbook scenario B) it is exactly the field teams reach for. The help names the
//! replacement annotation of the provider given by `--provider`, else inferred from the
//! Service's annotations or `spec.loadBalancerClass`, else of every known provider.
//!
//! ## Example
//! ```yaml
//! kind: Service
//! spec:
//!   type: LoadBalancer
//!   loadBalancerIP: 203.0.113.10
//! ```
//!
//! ## Fix
//! Use the provider's annotation instead, e.g. with MetalLB
//! `metallb.io/loadBalancerIPs: 203.0.113.10`, on AKS
//! `service.beta.kubernetes.io/azure-load-balancer-ipv4: 203.0.113.10`.
//! Source: https://github.com/kubernetes/kubernetes/pull/107235
use crate::findings::Finding;
use crate::knowledge::sets::Honours;
use crate::knowledge::Provider;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct LoadBalancerIpDeprecated;

impl Rule for LoadBalancerIpDeprecated {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "load-balancer-ip-deprecated",
            Warning,
            "load_balancer_ip_deprecated.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let providers = &context.knowledge.providers;
        let chosen = context
            .options
            .provider
            .as_deref()
            .and_then(|id| providers.get(id));
        for view in context.objects() {
            let manifest::TypedObject::Service(service) = &view.object.typed else {
                continue;
            };
            let Some(spec) = &service.spec else { continue };
            let Some(ip) = spec.load_balancer_ip.as_deref().filter(|ip| !ip.is_empty()) else {
                continue;
            };
            let annotations = service.metadata.annotations.as_ref();
            let keys = annotations
                .into_iter()
                .flat_map(|a| a.keys().map(String::as_str));
            let provider =
                chosen.or_else(|| providers.infer(keys, spec.load_balancer_class.as_deref()));
            let mut message = format!(
                "{} sets spec.loadBalancerIP: {ip}, deprecated since Kubernetes {}",
                view.reference(),
                providers.deprecation.deprecated_in
            );
            if let Some(p) = provider.filter(|p| p.honours_spec_field == Honours::No) {
                message.push_str(&format!("; {} ignores it", p.name));
            }
            if spec.type_.as_deref().is_some_and(|t| t != "LoadBalancer") {
                message.push_str(&format!(
                    " (and the Service is of type {}, where it has no effect)",
                    spec.type_.as_deref().unwrap_or_default()
                ));
            }
            let help = match provider {
                Some(p) => provider_help(p, ip),
                None => {
                    let all: Vec<String> = providers
                        .providers
                        .iter()
                        .map(|p| format!("{}: `{}`", p.id, p.annotations[0].key))
                        .collect();
                    format!(
                        "use your load balancer's annotation instead (pass --provider to narrow this down): {}",
                        all.join("; ")
                    )
                }
            };
            out.push(
                view.finding(&info, view.key_span(&["spec", "loadBalancerIP"]), message)
                    .help(help),
            );
        }
    }
}

fn provider_help(provider: &Provider, ip: &str) -> String {
    let primary = &provider.annotations[0];
    let mut help = format!(
        "{}: replace it with the annotation `{}: \"{ip}\"` ({})",
        provider.name, primary.key, primary.value
    );
    for other in &provider.annotations[1..] {
        help.push_str(&format!(", or `{}` ({})", other.key, other.value));
    }
    help.push_str(&format!(
        ". {}. Source: {}",
        provider.note, provider.sources[0]
    ));
    help
}
