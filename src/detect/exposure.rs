//! How a controller is exposed: Services selecting its pods (same namespace), hostPort,
//! hostNetwork, cloud load balancers; and the ports it listens on, declared or implied by its
//! settings and defaults.

use std::collections::{BTreeMap, HashMap, HashSet};

use k8s_openapi::api::core::v1::ServiceSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use manifest::{Span, TypedObject};

use super::settings::{self, Arg, Resolved};
use super::{pod_of, ControllerInstance, ObjectKey, Objects};
use crate::knowledge::sets::Role;
use crate::release::Origin;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    Cloud,
    Loadbalancer,
    Nodeport,
    Hostport,
    Hostnetwork,
    Clusterip,
}

impl Exposure {
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Cloud => "cloud",
            Exposure::Loadbalancer => "loadbalancer",
            Exposure::Nodeport => "nodeport",
            Exposure::Hostport => "hostport",
            Exposure::Hostnetwork => "hostnetwork",
            Exposure::Clusterip => "clusterip",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ServiceEntry {
    pub key: ObjectKey,
    pub namespace: String,
    pub type_: String,
    pub selector: BTreeMap<String, String>,
    pub load_balancer_ip: Option<String>,
    pub load_balancer_class: Option<String>,
    pub external_traffic_policy: Option<String>,
    /// `port->target` of each Service port, with the node port when fixed.
    pub ports: Vec<String>,
}

/// A port bound on the node: an explicit `hostPort`, or (hostNetwork) a declared port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    pub workload: ObjectKey,
    pub host_port: u16,
    pub container_port: u16,
    pub protocol: String,
    /// Bound because the pod uses hostNetwork, not by an explicit `hostPort`.
    pub implicit: bool,
    pub span: Span,
}

/// A port the controller listens on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenPort {
    pub workload: ObjectKey,
    pub port: u16,
    pub protocol: String,
    /// `declared` (a containerPort), or the flag or default it comes from.
    pub source: String,
    pub span: Option<Span>,
}

pub fn collect_services(objects: &Objects<'_>) -> Vec<ServiceEntry> {
    objects
        .iter()
        .filter_map(|(key, object)| {
            let TypedObject::Service(service) = &object.typed else {
                return None;
            };
            let default = ServiceSpec::default();
            let spec = service.spec.as_ref().unwrap_or(&default);
            // The address it holds: the one it asks for, else the one its status shows.
            let status_ip = service
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .and_then(|i| i.first())
                .and_then(|i| i.ip.clone());
            let ports = spec
                .ports
                .iter()
                .flatten()
                .map(|p| {
                    let target = match &p.target_port {
                        Some(IntOrString::Int(i)) => i.to_string(),
                        Some(IntOrString::String(s)) => s.clone(),
                        None => p.port.to_string(),
                    };
                    let node = p
                        .node_port
                        .map(|n| format!(" (node port {n})"))
                        .unwrap_or_default();
                    format!(
                        "{}->{}/{}{node}",
                        p.port,
                        target,
                        p.protocol.as_deref().unwrap_or("TCP")
                    )
                })
                .collect();
            Some(ServiceEntry {
                key,
                namespace: objects.namespace(key).to_string(),
                type_: spec.type_.clone().unwrap_or_else(|| "ClusterIP".into()),
                selector: spec.selector.clone().unwrap_or_default(),
                load_balancer_ip: spec
                    .load_balancer_ip
                    .clone()
                    .filter(|ip| !ip.is_empty())
                    .or(status_ip),
                load_balancer_class: spec.load_balancer_class.clone(),
                external_traffic_policy: spec.external_traffic_policy.clone(),
                ports,
            })
        })
        .collect()
}

/// Services by namespace, grouped by their selector (indexes into the inventory's list).
pub type ServicesIn<'a> = HashMap<&'a str, Vec<(&'a BTreeMap<String, String>, Vec<usize>)>>;

/// Fills exposure, Services, host ports and declared listen ports of an instance.
pub fn expose(
    objects: &Objects<'_>,
    instance: &mut ControllerInstance,
    services: &[ServiceEntry],
    services_in: &ServicesIn<'_>,
) {
    let workloads: Vec<ObjectKey> = std::iter::once(instance.workload)
        .chain(instance.data_plane.iter().copied())
        .collect();
    let mut exposure = Vec::new();
    if instance.controller.is_cloud() {
        exposure.push(Exposure::Cloud);
    }
    for &key in &workloads {
        let Some(pod) = pod_of(objects.get(key)) else {
            continue;
        };
        let namespace = objects.namespace(key);
        // Across clusters, a Service exposes the pods of its own cluster only.
        let clusters = objects.clusters(key);
        let mut selecting: Vec<usize> = services_in
            .get(namespace)
            .into_iter()
            .flatten()
            .filter(|(selector, _)| pod.selected_by(selector))
            .flat_map(|(_, indexes)| indexes.iter().copied())
            .filter(|&index| clusters.is_empty() || objects.meets(services[index].key, &clusters))
            .collect();
        selecting.sort_unstable();
        let known: HashSet<usize> = instance.services.iter().copied().collect();
        for index in selecting {
            let service = &services[index];
            if !known.contains(&index) {
                instance.services.push(index);
                match service.type_.as_str() {
                    "LoadBalancer" => exposure.push(Exposure::Loadbalancer),
                    "NodePort" => exposure.push(Exposure::Nodeport),
                    _ => {}
                }
            }
        }
        if pod.host_network() {
            exposure.push(Exposure::Hostnetwork);
        }
        for (c, container) in pod.spec.containers.iter().enumerate() {
            for (p, port) in container.ports.iter().flatten().enumerate() {
                let path = |field: &'static str| pod.port_path(c, p, field);
                let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".into());
                let container_port = u16::try_from(port.container_port).unwrap_or(0);
                let container_span = objects
                    .value_span(key, &path("containerPort"))
                    .unwrap_or_default();
                instance.listen_ports.push(super::ListenPort {
                    workload: key,
                    port: container_port,
                    protocol: protocol.clone(),
                    source: "declared".into(),
                    span: Some(container_span),
                });
                let explicit = port
                    .host_port
                    .and_then(|h| u16::try_from(h).ok())
                    .filter(|h| *h > 0);
                if let Some(host_port) = explicit {
                    exposure.push(Exposure::Hostport);
                    let span = objects
                        .value_span(key, &path("hostPort"))
                        .unwrap_or_default();
                    instance.host_ports.push(HostPort {
                        workload: key,
                        host_port,
                        container_port,
                        protocol,
                        implicit: false,
                        span,
                    });
                } else if pod.host_network() && container_port > 0 {
                    instance.host_ports.push(HostPort {
                        workload: key,
                        host_port: container_port,
                        container_port,
                        protocol,
                        implicit: true,
                        span: container_span,
                    });
                }
            }
        }
    }
    data_plane_listen_ports(instance);
    // A stand-in for a controller outside the input shows only what is known of it: no
    // Service in its data means its exposure is unknown, not cluster-internal.
    let stand_in = matches!(instance.origin, Origin::Managed);
    if exposure.is_empty() && !stand_in {
        exposure.push(Exposure::Clusterip);
    }
    exposure.sort();
    exposure.dedup();
    instance.exposure = exposure;
    dedup_listen_ports(&mut instance.listen_ports);
}

/// Ports the controller's settings and defaults imply (role `controller`), and the address
/// flags matching `listen_flag_patterns` (Traefik entry points).
pub fn implied_listen_ports(
    instance: &mut ControllerInstance,
    key: ObjectKey,
    arguments: &[(Arg, Option<String>)],
) {
    let controller = instance.controller;
    for entry in controller
        .listen_ports
        .iter()
        .filter(|p| p.role == Role::Controller)
    {
        if let Some(port) = implied(entry, &instance.settings, key) {
            instance.listen_ports.push(port);
        }
    }
    for pattern in &controller.listen_flag_patterns {
        for (arg, value) in
            settings::matching_flags(pattern, arguments, controller.flags_case_insensitive)
        {
            if let Some((port, protocol)) = settings::parse_port(&value) {
                instance.listen_ports.push(ListenPort {
                    workload: key,
                    port,
                    protocol: protocol.into(),
                    source: arg.origin().describe(),
                    span: arg.span,
                });
            }
        }
    }
}

/// Data-plane ports (role `data-plane`) belong to the data-plane workloads, or to the
/// controller workload when it runs the data plane itself (Kong's single pod).
fn data_plane_listen_ports(instance: &mut ControllerInstance) {
    let targets: Vec<ObjectKey> = if instance.data_plane.is_empty() {
        vec![instance.workload]
    } else {
        instance.data_plane.clone()
    };
    let controller = instance.controller;
    for entry in controller
        .listen_ports
        .iter()
        .filter(|p| p.role == Role::DataPlane)
    {
        for &target in &targets {
            if let Some(port) = implied(entry, &instance.settings, target) {
                instance.listen_ports.push(port);
            }
        }
    }
}

fn implied(
    entry: &crate::knowledge::ListenPort,
    resolved: &[Resolved],
    workload: ObjectKey,
) -> Option<ListenPort> {
    if let Some(port) = entry.port {
        return Some(ListenPort {
            workload,
            port,
            protocol: entry.protocol.clone(),
            source: "default".into(),
            span: None,
        });
    }
    let setting = resolved
        .iter()
        .find(|r| entry.setting.as_deref() == Some(r.name))?;
    let (port, _) = settings::parse_port(setting.known()?)?;
    let source = setting.origin.describe();
    Some(ListenPort {
        workload,
        port,
        protocol: entry.protocol.clone(),
        source,
        span: setting.span(),
    })
}

/// One entry per workload, port and protocol; a declared port wins over an implied one.
fn dedup_listen_ports(ports: &mut Vec<ListenPort>) {
    ports.sort_by(|a, b| {
        (a.workload, a.port, &a.protocol, a.source != "declared").cmp(&(
            b.workload,
            b.port,
            &b.protocol,
            b.source != "declared",
        ))
    });
    ports.dedup_by(|b, a| a.workload == b.workload && a.port == b.port && a.protocol == b.protocol);
    // Every controller's ports are kept for the rules: no spare capacity.
    ports.shrink_to_fit();
}
