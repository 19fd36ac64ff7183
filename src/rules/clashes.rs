//! Shared by the two port-clash rules: pairs of node ports (same port and protocol, different
//! workloads that can share a node), each later one with the first it clashes with.

use crate::detect::nodes::{can_share_node, NodePort};
use crate::detect::pod_of;

use super::Context;

pub struct Side<'a> {
    pub port: &'a NodePort,
}

pub fn clashes<'a>(
    context: &'a Context<'_>,
    select: impl Fn(&NodePort, &NodePort) -> bool,
) -> Vec<(Side<'a>, Side<'a>)> {
    let ports = &context.inventory.node_ports;
    let mut order: Vec<&NodePort> = ports.iter().collect();
    order.sort_by_key(|p| (p.port, p.protocol.clone(), p.workload, p.span));
    let mut out = Vec::new();
    for (i, later) in order.iter().enumerate() {
        let earlier = order[..i].iter().find(|e| {
            e.port == later.port
                && e.protocol == later.protocol
                && e.workload != later.workload
                && select(later, e)
                && match (
                    pod_of(context.objects.get(e.workload)),
                    pod_of(context.objects.get(later.workload)),
                ) {
                    (Some(a), Some(b)) => can_share_node(a.spec, b.spec),
                    _ => false,
                }
        });
        if let Some(earlier) = earlier {
            out.push((Side { port: later }, Side { port: earlier }));
        }
    }
    out
}
