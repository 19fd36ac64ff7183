//! Shared by the two port-clash rules: groups of node ports that clash — the same port and
//! protocol, on workloads that can share a node. Each port is compared with one
//! representative of each distinct binding and placement seen before it, not with every
//! earlier port, so thousands of copies of one workload cost linear time.

use std::collections::BTreeMap;

use crate::detect::nodes::{disjoint_free, placement, Binding, NodePort};
use crate::detect::pod_of;

use manifest::ObjectRef;

use super::Context;
use crate::findings::Location;

/// Ports that clash, in input order: the first holds the port first, each other clashes with
/// an earlier member.
pub struct Group<'a> {
    pub members: Vec<&'a NodePort>,
}

type Placement = Vec<(String, Vec<String>)>;

impl<'a> Group<'a> {
    /// Where the finding is: the first port that finds the port taken.
    pub fn at(&self) -> &'a NodePort {
        self.members[1]
    }

    /// The other members as related locations, each described by `describe`.
    pub fn others<'c>(
        &'c self,
        context: &'c Context<'_>,
        describe: impl Fn(&NodePort) -> String + 'c,
    ) -> impl Iterator<Item = (Location, String, Option<ObjectRef>)> + 'c {
        let at = self.at();
        self.members
            .iter()
            .filter(move |p| !std::ptr::eq(**p, at))
            .map(move |p| {
                (
                    context.view(p.workload).location(p.span),
                    describe(p),
                    Some(context.objects.reference(p.workload)),
                )
            })
    }
}

/// Every clash group among the ports `select` pairs (it sees the later port first).
pub fn clash_groups<'a>(
    context: &'a Context<'_>,
    select: impl Fn(&NodePort, &NodePort) -> bool,
) -> Vec<Group<'a>> {
    let mut buckets: BTreeMap<(u16, &str), Vec<&NodePort>> = BTreeMap::new();
    for port in &context.inventory.node_ports {
        buckets
            .entry((port.port, port.protocol.as_str()))
            .or_default()
            .push(port);
    }
    let mut groups = Vec::new();
    for (_, mut ports) in buckets {
        ports.sort_by_key(|p| (p.workload, p.span));
        let placements: Vec<Option<Placement>> = ports
            .iter()
            .map(|p| pod_of(context.objects.get(p.workload)).map(|pod| placement(pod.spec)))
            .collect();
        // Per distinct (binding, placement): up to two earlier ports of different workloads,
        // enough to find one of another workload than any later port's.
        let mut representatives: Vec<(Binding, &Placement, Vec<usize>)> = Vec::new();
        let mut parent: Vec<usize> = (0..ports.len()).collect();
        for (i, later) in ports.iter().enumerate() {
            let Some(here) = &placements[i] else { continue };
            let earlier = representatives.iter().flat_map(|(_, _, r)| r).find(|&&j| {
                let e = ports[j];
                e.workload != later.workload
                    && select(later, e)
                    && placements[j]
                        .as_ref()
                        .is_some_and(|there| disjoint_free(there, here))
            });
            if let Some(&j) = earlier {
                let root = find(&mut parent, j);
                parent[i] = root;
            }
            match representatives
                .iter_mut()
                .find(|(b, p, _)| *b == later.binding && *p == here)
            {
                Some((_, _, found)) => {
                    if found.len() < 2 && found.iter().all(|&j| ports[j].workload != later.workload)
                    {
                        found.push(i);
                    }
                }
                None => representatives.push((later.binding, here, vec![i])),
            }
        }
        let mut by_root: BTreeMap<usize, Vec<&NodePort>> = BTreeMap::new();
        for (i, port) in ports.iter().enumerate() {
            let root = find(&mut parent, i);
            by_root.entry(root).or_default().push(port);
        }
        groups.extend(
            by_root
                .into_values()
                .filter(|members| members.len() > 1)
                .map(|members| Group { members }),
        );
    }
    groups
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}
