//! Ports bound on nodes, for every workload (not only controllers), and whether two workloads
//! can land on the same node.

use std::collections::HashSet;

use manifest::model::PodFacts;
use manifest::Span;

use super::{pod_of, ControllerInstance, ObjectKey, Objects};

/// How a port comes to be bound on the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// An explicit `hostPort`: the scheduler accounts it.
    HostPort,
    /// A declared containerPort of a hostNetwork pod: the API server copies it into
    /// hostPort, so the scheduler accounts it too.
    HostNetworkDeclared,
    /// A port a hostNetwork controller listens on by its flags or defaults, not declared:
    /// the scheduler does not know it.
    HostNetworkImplied,
}

#[derive(Clone, Debug)]
pub struct NodePort {
    pub workload: ObjectKey,
    pub port: u16,
    pub protocol: String,
    pub binding: Binding,
    pub span: Span,
    /// Where it comes from, for implied ports (`flag --http-port=80`, `default`).
    pub source: String,
}

/// Every port bound on a node by any workload in the input.
pub fn node_ports(objects: &Objects<'_>, controllers: &[ControllerInstance]) -> Vec<NodePort> {
    let mut ports = Vec::new();
    for (key, object) in objects.iter() {
        let Some(pod) = pod_of(object) else { continue };
        for (c, container) in pod.spec.containers.iter().enumerate() {
            for (p, port) in container.ports.iter().flatten().enumerate() {
                let at = |field: &'static str| objects.value_span(key, &pod.port_path(c, p, field));
                let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".into());
                let explicit = port
                    .host_port
                    .and_then(|h| u16::try_from(h).ok())
                    .filter(|h| *h > 0);
                let (number, binding, span) = match explicit {
                    Some(h) => (h, Binding::HostPort, at("hostPort")),
                    None if pod.host_network() => (
                        u16::try_from(port.container_port).unwrap_or(0),
                        Binding::HostNetworkDeclared,
                        at("containerPort"),
                    ),
                    None => continue,
                };
                if number > 0 {
                    ports.push(NodePort {
                        workload: key,
                        port: number,
                        protocol,
                        binding,
                        span: span.unwrap_or_default(),
                        source: "declared".into(),
                    });
                }
            }
        }
    }
    // Looked up, not scanned: a fleet repository binds hundreds of thousands of ports.
    let mut bound: HashSet<(ObjectKey, u16, String)> = ports
        .iter()
        .map(|p| (p.workload, p.port, p.protocol.clone()))
        .collect();
    for instance in controllers {
        for listen in instance
            .listen_ports
            .iter()
            .filter(|l| l.source != "declared")
        {
            let host_network =
                pod_of(objects.get(listen.workload)).is_some_and(|p| p.host_network());
            if host_network && bound.insert((listen.workload, listen.port, listen.protocol.clone()))
            {
                ports.push(NodePort {
                    workload: listen.workload,
                    port: listen.port,
                    protocol: listen.protocol.clone(),
                    binding: Binding::HostNetworkImplied,
                    span: listen
                        .span
                        .unwrap_or_else(|| objects.name_span(listen.workload)),
                    source: listen.source.clone(),
                });
            }
        }
    }
    ports
}

/// Two pods can share a node unless their node selection is provably disjoint: a
/// `nodeSelector` key, or a required node-affinity `In` expression, with different values.
pub fn can_share_node(a: &PodFacts, b: &PodFacts) -> bool {
    disjoint_free(&placement(a), &placement(b))
}

/// Where a pod may run, as `can_share_node` reads it: the node labels it requires, each with
/// the values it accepts (sorted: equal placements compare equal).
pub fn placement(spec: &PodFacts) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = spec
        .node_selector
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), vec![v.clone()]))
        .collect();
    let terms = spec
        .required_node_affinity
        .as_ref()
        .map(|r| r.node_selector_terms.as_slice())
        .unwrap_or_default();
    // Terms are ORed: only a single term is a requirement on every node.
    if let [term] = terms {
        for expression in term
            .match_expressions
            .iter()
            .flatten()
            .filter(|e| e.operator == "In")
        {
            let mut values = expression.values.clone().unwrap_or_default();
            values.sort();
            out.push((expression.key.clone(), values));
        }
    }
    out.sort();
    out
}

/// Whether two placements can meet on one node.
pub fn disjoint_free(ra: &[(String, Vec<String>)], rb: &[(String, Vec<String>)]) -> bool {
    !ra.iter().any(|(key, values)| {
        rb.iter().any(|(other_key, others)| {
            key == other_key && !values.iter().any(|v| others.contains(v))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn selector(pairs: &[(&str, &str)]) -> PodFacts {
        PodFacts {
            node_selector: Some(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>(),
            ),
            ..PodFacts::default()
        }
    }

    #[test]
    fn node_selection() {
        assert!(can_share_node(
            &PodFacts::default(),
            &selector(&[("pool", "edge")])
        ));
        assert!(can_share_node(
            &selector(&[("pool", "edge")]),
            &selector(&[("pool", "edge")])
        ));
        assert!(!can_share_node(
            &selector(&[("pool", "edge")]),
            &selector(&[("pool", "apps")])
        ));
        assert!(can_share_node(
            &selector(&[("pool", "edge")]),
            &selector(&[("zone", "a")])
        ));
    }
}
