//! Two workloads declare the same `hostPort` and protocol and can land on the same node: the
//! later pod stays Pending.
//!
//! ## Why
//! A host port exists once per node. The scheduler knows it and will not place a second pod
//! that asks for it on the same node: in a migration by node rollout (handbook scenario C) the
//! new controller's DaemonSet pods wait until the old ones are gone — which is the plan if
//! intended, and an outage if not. Workloads whose `nodeSelector` or required node affinity
//! pick disjoint nodes are not reported.
//!
//! ## Example
//! ingress-nginx and Traefik DaemonSets both with `hostPort: 80` on all nodes.
//!
//! ## Fix
//! Test the new controller on other host ports first (Traefik `ports.web.hostPort: 8080`,
//! ingress-nginx `controller.hostPort.ports.http`), or separate the node pools.
use crate::detect::nodes::Binding;
use crate::findings::{listing, Finding};

use super::clashes::clash_groups;
use super::{rule_info, Context, Rule, RuleInfo};

pub struct HostPortClash;

impl Rule for HostPortClash {
    fn info(&self) -> RuleInfo {
        rule_info!("host-port-clash", Warning, "host_port_clash.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let groups = clash_groups(context, |a, b| {
            a.binding == Binding::HostPort && b.binding == Binding::HostPort
        });
        for group in groups {
            let (holder, at) = (group.members[0], group.at());
            let names: Vec<String> = group
                .members
                .iter()
                .map(|p| context.objects.reference(p.workload).to_string())
                .collect();
            let message = format!(
                "{} workloads declare hostPort {}/{} and can run on the same node ({}): all but one of their pods on a node stay Pending",
                group.members.len(),
                at.port,
                at.protocol,
                listing(&names)
            );
            let others = group.others(context, |p| {
                let when = if std::ptr::eq(p, holder) {
                    "first"
                } else {
                    "too"
                };
                format!("hostPort {} declared here {when}", p.port)
            });
            out.push(
                context
                    .view(at.workload)
                    .finding(&info, at.span, message)
                    .related_group(others)
                    .help("move all but one to another host port or node pool, or roll the nodes over one by one (handbook scenario C)"),
            );
        }
    }
}
