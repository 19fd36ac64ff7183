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
use crate::findings::Finding;

use super::clashes::{clashes, Side};
use super::{rule_info, Context, Rule, RuleInfo};

pub struct HostPortClash;

impl Rule for HostPortClash {
    fn info(&self) -> RuleInfo {
        rule_info!("host-port-clash", Warning, "host_port_clash.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        for (later, earlier) in clashes(context, |a, b| {
            a.binding == Binding::HostPort && b.binding == Binding::HostPort
        }) {
            out.push(finding(context, &info, &later, &earlier));
        }
    }
}

fn finding(
    context: &Context<'_>,
    info: &RuleInfo,
    later: &Side<'_>,
    earlier: &Side<'_>,
) -> Finding {
    let view = context.view(later.port.workload);
    let message = format!(
        "{} and {} both declare hostPort {}/{} and can run on the same node: the later pod stays Pending",
        context.objects.reference(later.port.workload),
        context.objects.reference(earlier.port.workload),
        later.port.port,
        later.port.protocol
    );
    view.finding(info, later.port.span, message)
        .related(context.view(earlier.port.workload).location(earlier.port.span), format!("hostPort {} declared here", earlier.port.port), Some(context.objects.reference(earlier.port.workload)))
        .help("move one of them to another host port or node pool, or roll the nodes over one by one (handbook scenario C)")
}
