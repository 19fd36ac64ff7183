//! A controller's LoadBalancer Service keeps `externalTrafficPolicy: Cluster` without PROXY
//! protocol: client source IPs are lost.
//!
//! ## Why
//! With `Cluster` (the default) nodes forward load-balancer traffic to controller pods on other
//! nodes and SNAT it: the controller sees a node IP, not the client. IP allow-lists
//! (`allowlist-source-range`), rate limits per client and access logs then act on the wrong
//! address. A migration is when this changes unnoticed: the old chart set `Local`, the new
//! chart's default is `Cluster`.
//!
//! ## Example
//! ```yaml
//! kind: Service
//! spec:
//!   type: LoadBalancer      # externalTrafficPolicy defaults to Cluster
//! ```
//!
//! ## Fix
//! Set `externalTrafficPolicy: Local` (traffic goes only to nodes running a controller pod), or
//! enable PROXY protocol on both the load balancer and the controller.
use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct LoadBalancerSourceIp;

impl Rule for LoadBalancerSourceIp {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "load-balancer-source-ip",
            Info,
            "load_balancer_source_ip.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let mut seen = std::collections::BTreeSet::new();
        for instance in context
            .inventory
            .controllers
            .iter()
            .filter(|i| !i.controller.is_cloud())
        {
            for &index in &instance.services {
                let service = &context.inventory.services[index];
                if service.type_ != "LoadBalancer"
                    || service.external_traffic_policy.as_deref() == Some("Local")
                    || context.is_stand_in(service.key)
                    || !seen.insert(index)
                {
                    continue;
                }
                let view = context.view(service.key);
                let proxy_protocol = view
                    .object
                    .annotations()
                    .into_iter()
                    .flatten()
                    .any(|(k, v)| k.contains("proxy-protocol") && !v.is_empty() && v != "false");
                if proxy_protocol {
                    continue;
                }
                let span = if service.external_traffic_policy.is_some() {
                    view.value_span(&["spec", "externalTrafficPolicy"])
                } else {
                    view.value_span(&["spec", "type"])
                };
                let message = format!(
                    "{} exposes {} with externalTrafficPolicy: Cluster and no PROXY protocol: the controller sees node IPs, not client IPs",
                    view.reference(),
                    instance.controller.id
                );
                out.push(view.finding(&info, span, message).help("set `externalTrafficPolicy: Local`, or enable PROXY protocol on the load balancer and the controller"));
            }
        }
    }
}
