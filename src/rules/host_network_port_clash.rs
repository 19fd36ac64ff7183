//! A hostNetwork workload listens — declared, or implied by the controller's flags and
//! defaults — on a port another hostNetwork or hostPort workload uses on a node they can
//! share.
//!
//! ## Why
//! With `hostNetwork: true` the process binds the node's ports directly. Ports declared on
//! both sides are accounted by the scheduler (the API server copies containerPort into
//! hostPort on hostNetwork pods): the later pod stays Pending. A port only implied by flags
//! (ingress-nginx's healthz 10254, Traefik's entry points) is not accounted: both pods start
//! and the later process fails with "address already in use" — a crash loop the scheduler
//! cannot prevent.
//!
//! ## Example
//! Traefik's DaemonSet with `hostNetwork: true` (metrics on 9100) next to node-exporter
//! (hostNetwork, 9100).
//!
//! ## Fix
//! Move the port (`--http-port`, `--entryPoints.metrics.address`), declare every listening port
//! so the scheduler sees it, or separate the node pools. Stop each old pod before starting its
//! replacement when both use host networking (handbook scenario C).
use crate::detect::nodes::Binding;
use crate::findings::Finding;

use super::clashes::clashes;
use super::{rule_info, Context, Rule, RuleInfo};

pub struct HostNetworkPortClash;

impl Rule for HostNetworkPortClash {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "host-network-port-clash",
            Error,
            "host_network_port_clash.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let host_network = |b: Binding| {
            matches!(
                b,
                Binding::HostNetworkDeclared | Binding::HostNetworkImplied
            )
        };
        for (later, earlier) in clashes(context, |a, b| {
            host_network(a.binding) || host_network(b.binding)
        }) {
            let (a, b) = (later.port, earlier.port);
            let accounted = a.binding != Binding::HostNetworkImplied
                && b.binding != Binding::HostNetworkImplied;
            let outcome = if accounted {
                "both are accounted by the scheduler: the later pod stays Pending"
            } else {
                "a port only implied by flags is not accounted by the scheduler: the later process fails with \"address already in use\""
            };
            let describe = |p: &crate::detect::nodes::NodePort| match p.binding {
                Binding::HostPort => format!("hostPort {}/{}", p.port, p.protocol),
                Binding::HostNetworkDeclared => {
                    format!("port {}/{} (hostNetwork, declared)", p.port, p.protocol)
                }
                Binding::HostNetworkImplied => format!(
                    "port {}/{} (hostNetwork, not declared: {})",
                    p.port, p.protocol, p.source
                ),
            };
            let message = format!(
                "{} uses {} on the node, and so does {} with {}: {outcome}",
                context.objects.reference(a.workload),
                describe(a),
                context.objects.reference(b.workload),
                describe(b)
            );
            let finding = context
                .view(a.workload)
                .finding(&info, a.span, message)
                .related(context.view(b.workload).location(b.span), describe(b), Some(context.objects.reference(b.workload)))
                .help("move one of the ports, declare every listening port, or separate the node pools; with host networking stop each old pod before starting its replacement");
            out.push(finding);
        }
    }
}
