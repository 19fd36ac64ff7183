//! A hostNetwork pod without `dnsPolicy: ClusterFirstWithHostNet` cannot resolve cluster
//! names.
//!
//! ## Why
//! With host networking the default policy (`ClusterFirst`) falls back to the node's resolver:
//! `my-svc.my-ns.svc` does not resolve. An ingress controller needs cluster DNS for
//! ExternalName backends, external auth services and OpenTelemetry collectors addressed by
//! Service name. Said of ingress controllers, and of hostNetwork pods that bind a port a
//! controller binds on the nodes (what shares their nodes' ports); other hostNetwork pods
//! (GPU driver installers, node agents) rarely need cluster names, and are left alone.
//!
//! ## Example
//! ```yaml
//! spec:
//!   template:
//!     spec:
//!       hostNetwork: true      # and no dnsPolicy
//! ```
//!
//! ## Fix
//! Add `dnsPolicy: ClusterFirstWithHostNet` next to `hostNetwork: true` (ingress-nginx chart
//! `controller.dnsPolicy`).
use std::collections::HashSet;

use crate::detect::{pod_of, ObjectKey};
use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct HostNetworkDnsPolicy;

impl Rule for HostNetworkDnsPolicy {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "host-network-dns-policy",
            Warning,
            "host_network_dns_policy.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let inventory = &context.inventory;
        let controllers: HashSet<ObjectKey> = inventory
            .controllers
            .iter()
            .flat_map(|c| std::iter::once(c.workload).chain(c.data_plane.iter().copied()))
            .collect();
        if controllers.is_empty() {
            return;
        }
        let controller_ports: HashSet<(u16, &str)> = inventory
            .node_ports
            .iter()
            .filter(|p| controllers.contains(&p.workload))
            .map(|p| (p.port, p.protocol.as_str()))
            .collect();
        let shares_ports = |key: ObjectKey| {
            inventory.node_ports.iter().any(|p| {
                p.workload == key && controller_ports.contains(&(p.port, p.protocol.as_str()))
            })
        };
        for view in context.objects() {
            let Some(pod) = pod_of(view.object) else {
                continue;
            };
            // `Default` and `None` are deliberate choices; an absent policy means ClusterFirst.
            if !pod.host_network()
                || !matches!(pod.spec.dns_policy.as_deref(), None | Some("ClusterFirst"))
                || context.is_stand_in(view.key())
                || !(controllers.contains(&view.key()) || shares_ports(view.key()))
            {
                continue;
            }
            let path: Vec<&str> = pod
                .spec_path
                .iter()
                .filter_map(|s| match s {
                    manifest::parse::PathStep::Key(k) => Some(*k),
                    manifest::parse::PathStep::Index(_) => None,
                })
                .chain(["hostNetwork"])
                .collect();
            let message = format!("{} uses hostNetwork without dnsPolicy: ClusterFirstWithHostNet: it cannot resolve cluster Service names", view.reference());
            out.push(
                view.finding(&info, view.key_span(&path), message)
                    .help("add `dnsPolicy: ClusterFirstWithHostNet` next to `hostNetwork: true`"),
            );
        }
    }
}
