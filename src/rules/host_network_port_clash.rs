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
use crate::detect::nodes::{Binding, NodePort};
use crate::findings::{listing, Finding};

use super::clashes::clash_groups;
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
        let groups = clash_groups(context, |a, b| {
            host_network(a.binding) || host_network(b.binding)
        });
        for group in groups {
            let at = group.at();
            let accounted = group
                .members
                .iter()
                .all(|p| p.binding != Binding::HostNetworkImplied);
            let outcome = if accounted {
                "they are accounted by the scheduler: all but one of their pods on a node stay Pending"
            } else {
                "a port only implied by flags is not accounted by the scheduler: the later process fails with \"address already in use\""
            };
            let names: Vec<String> = group
                .members
                .iter()
                .map(|p| {
                    format!(
                        "{} with {}",
                        context.objects.reference(p.workload),
                        describe(p)
                    )
                })
                .collect();
            let message = format!(
                "{} workloads use port {}/{} on the same node ({}): {outcome}",
                group.members.len(),
                at.port,
                at.protocol,
                listing(&names)
            );
            let others = group.others(context, describe);
            out.push(
                context
                    .view(at.workload)
                    .finding(&info, at.span, message)
                    .related_group(others)
                    .help("move one of the ports, declare every listening port, or separate the node pools; with host networking stop each old pod before starting its replacement"),
            );
        }
    }
}

fn describe(p: &NodePort) -> String {
    match p.binding {
        Binding::HostPort => format!("hostPort {}/{}", p.port, p.protocol),
        Binding::HostNetworkDeclared => {
            format!("port {}/{} (hostNetwork, declared)", p.port, p.protocol)
        }
        Binding::HostNetworkImplied => format!(
            "port {}/{} (hostNetwork, not declared: {})",
            p.port, p.protocol, p.source
        ),
    }
}
