//! The real names a runbook is written with: the source controller's workload, namespace,
//! classes, Ingresses and hosts, the IP its Service holds and how it is pinned, the TCP/UDP
//! ports it carries besides HTTP, and what else in the input points at it.

use crate::detect::{ClassSource, ControllerInstance, Exposure, IngressEntry, Inventory, Objects};
use crate::knowledge::Knowledge;
use crate::release::Origin;

/// An IP the source's Service keeps, and how it asks for it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Pinned {
    pub value: String,
    /// The annotation key, or `spec.loadBalancerIP`.
    pub via: String,
    /// The load-balancer implementation the annotation is read by, when known.
    pub provider: Option<String>,
}

/// A port the source serves besides HTTP(S): its chart's `tcp:`/`udp:` services.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Stream {
    /// `22/TCP`.
    pub port: String,
    /// The backend (`gitea/gitea-ssh:22`), when its ConfigMap is in the input.
    pub backend: Option<String>,
}

pub struct Facts {
    pub source_id: String,
    pub source_workload: String,
    pub source_kind: String,
    pub source_name: String,
    pub source_namespace: String,
    pub service: Option<String>,
    pub pinned: Option<Pinned>,
    /// The load-balancer implementation (`--provider` id) the Service's annotations name.
    pub provider: Option<String>,
    pub target_id: String,
    pub target_chart: Option<String>,
    pub take_classless: Option<Vec<String>>,
    pub host_port_values: Vec<String>,
    /// What serves the source's Ingresses as they are on the target, with its values.
    pub serves_as_is: Option<String>,
    /// The classes of the Ingresses it serves (else of its IngressClasses, else its flags).
    pub classes: Vec<String>,
    pub ingress_count: usize,
    pub classless_count: usize,
    pub hosts: Vec<String>,
    /// Ingresses of the source with no host: no DNS record points at them.
    pub hostless: Vec<String>,
    pub host_network: bool,
    pub streams: Vec<Stream>,
    /// Objects in the input that reach the controller by its Service's name or address.
    pub also_switch: Vec<String>,
    /// Hosts a tunnel's config in the input carries to the controller: no DNS record of
    /// theirs points at it, so they move with the tunnel's config.
    pub tunnel_hosts: Vec<String>,
    /// A GCE global static IP its Ingresses name (a regional Service cannot take it).
    pub global_ip: Option<String>,
    /// How the source is installed, and why (the release declaring it, the platform).
    pub source_origin: Origin,
    pub source_why: String,
}

impl Facts {
    /// The facts of one source instance (`index` in the inventory), with the Ingresses it
    /// serves and the input's references indexed once for every instance.
    pub fn gather(
        objects: &Objects<'_>,
        inventory: &Inventory,
        knowledge: &Knowledge,
        (index, source): (usize, &ControllerInstance),
        served: &[&IngressEntry],
        reach: &Reach,
        target: &str,
    ) -> Facts {
        let mut hosts: Vec<String> = Vec::new();
        let mut hostless = Vec::new();
        let mut global_ip = None;
        for entry in served {
            let manifest::TypedObject::Ingress(ingress) = &objects.get(entry.key).typed else {
                continue;
            };
            let named: Vec<String> = ingress
                .spec
                .iter()
                .flat_map(|s| s.rules.iter().flatten())
                .filter_map(|r| r.host.clone())
                .filter(|h| !h.is_empty())
                .collect();
            if named.is_empty() {
                hostless.push(objects.reference(entry.key).to_string());
            }
            hosts.extend(named);
            global_ip = global_ip.or_else(|| {
                ingress
                    .metadata
                    .annotations
                    .as_ref()?
                    .get("kubernetes.io/ingress.global-static-ip-name")
                    .cloned()
            });
        }
        hosts.sort();
        hosts.dedup();
        let classes = classes(inventory, source, index, served);
        let lb = source
            .services
            .iter()
            .map(|&s| &inventory.services[s])
            .find(|s| s.type_ == "LoadBalancer");
        let service_annotations = lb.and_then(|s| match &objects.get(s.key).typed {
            manifest::TypedObject::Service(service) => service.metadata.annotations.clone(),
            _ => None,
        });
        let provider = service_annotations.as_ref().and_then(|a| {
            knowledge.providers.infer(
                a.keys().map(String::as_str),
                lb.and_then(|s| s.load_balancer_class.as_deref()),
            )
        });
        let pinned = lb.and_then(|s| {
            let from_annotation = service_annotations.as_ref().and_then(|annotations| {
                knowledge.providers.providers.iter().find_map(|p| {
                    p.annotations
                        .iter()
                        .chain(&p.legacy_annotations)
                        .find_map(|a| {
                            annotations.get(&a.key).map(|value| Pinned {
                                value: value.clone(),
                                via: a.key.clone(),
                                provider: Some(p.id.clone()),
                            })
                        })
                })
            });
            from_annotation.or_else(|| {
                s.load_balancer_ip.clone().map(|ip| Pinned {
                    value: ip,
                    via: "spec.loadBalancerIP".into(),
                    provider: provider.map(|p| p.id.clone()),
                })
            })
        });
        let namespace = objects.namespace(source.workload).to_string();
        let service = lb.map(|s| objects.reference(s.key).name);
        let helm = knowledge.controller(target).and_then(|c| c.helm.as_ref());
        let streams = streams(objects, source, lb, &namespace);
        let (also_switch, tunnel_hosts) = service
            .as_deref()
            .map(|name| reach.also_switch(name, &namespace, pinned.as_ref(), &hosts))
            .unwrap_or_default();
        // A managed controller has no workload in the cluster: it is the platform's.
        let source_workload = if source.origin == Origin::Managed {
            format!("{} (run by the platform)", source.controller.name)
        } else {
            objects.reference(source.workload).to_string()
        };
        Facts {
            source_id: source.controller.id.clone(),
            source_workload,
            source_kind: objects.reference(source.workload).kind,
            source_name: objects.reference(source.workload).name,
            source_namespace: namespace,
            service,
            pinned,
            provider: provider.map(|p| p.id.clone()),
            target_id: target.to_string(),
            target_chart: helm.map(|h| h.chart.clone()),
            take_classless: helm.and_then(|h| h.take_classless_values.clone()),
            serves_as_is: helm
                .and_then(|h| {
                    h.serves_as_is
                        .iter()
                        .find(|s| s.source == source.controller.id)
                })
                .map(|s| {
                    let sets: Vec<String> =
                        s.values.iter().map(|v| format!("`--set {v}`")).collect();
                    format!(
                        "{} ({}+, {}) {}.",
                        s.what,
                        s.since,
                        sets.join(" "),
                        s.effect
                    )
                }),
            host_port_values: helm
                .map(|h| {
                    h.host_port_values
                        .iter()
                        .map(|v| v.replace("{http}", "8080").replace("{https}", "8443"))
                        .collect()
                })
                .unwrap_or_default(),
            classes,
            ingress_count: served.len(),
            // Class-less in the manifests, whatever default IngressClass new ones would get.
            classless_count: served
                .iter()
                .filter(|e| matches!(e.class_source, ClassSource::None | ClassSource::Default))
                .count(),
            hosts,
            hostless,
            host_network: source.exposure.contains(&Exposure::Hostnetwork),
            streams,
            also_switch,
            tunnel_hosts,
            global_ip,
            source_origin: source.origin,
            source_why: source.origin_reason.clone(),
        }
    }

    /// The last step of a switchover: what removing the source means where it comes from.
    pub fn retire_source(&self) -> String {
        match self.source_origin {
            Origin::Rendered => "remove its Ingresses and uninstall it".to_string(),
            Origin::Release => format!("remove its Ingresses, then remove its release ({}) from the repository", self.source_why),
            Origin::Managed => format!("remove its Ingresses; it is run by the platform ({}): turn the add-on off if nothing else uses it", self.source_why),
            Origin::Bundled => format!("remove its Ingresses and disable it in the distribution (`--disable`), or it comes back at the next restart ({})", self.source_why),
            Origin::Declared => format!("remove its Ingresses and uninstall it where it is managed ({})", self.source_why),
        }
    }

    /// Where changes to the source are made, when not in its manifests.
    pub fn source_caveat(&self) -> Option<String> {
        match self.source_origin {
            Origin::Release | Origin::Bundled => Some(format!(
                "{} is installed by {}: make every change to it in those values; a change made with kubectl is reverted at the next reconciliation.",
                self.source_workload, self.source_why
            )),
            _ => None,
        }
    }

    pub fn install(&self, values: &[String]) -> String {
        let chart = self.target_chart.as_deref().unwrap_or("<target chart>");
        let sets: String = values.iter().map(|v| format!(" --set {v}")).collect();
        format!(
            "`helm upgrade --install {} {chart} --namespace {} --create-namespace{sets}`",
            self.target_id, self.target_id
        )
    }

    /// The classes, as the runbook names them.
    pub fn class_list(&self) -> String {
        if self.classes.is_empty() {
            "its class".to_string()
        } else {
            format!("class `{}`", self.classes.join("`, `"))
        }
    }
}

/// The classes of the Ingresses the instance serves; without any, its IngressClasses; without
/// those, the class names its flags give (a chart's legacy `--ingress-class`).
fn classes(
    inventory: &Inventory,
    source: &ControllerInstance,
    index: usize,
    served: &[&IngressEntry],
) -> Vec<String> {
    // A class the default IngressClass gives is not the Ingress's own: it counts as class-less.
    let mut classes: Vec<String> = served
        .iter()
        .filter(|e| matches!(e.class_source, ClassSource::Spec | ClassSource::Annotation))
        .filter_map(|e| e.class.clone())
        .collect();
    if classes.is_empty() {
        classes = inventory
            .classes
            .iter()
            .filter(|c| c.served_by.iter().any(|(i, _)| *i == index))
            .map(|c| c.name.clone())
            .collect();
    }
    if classes.is_empty() {
        classes = source
            .claimants
            .iter()
            .flat_map(|c| c.classes.clone())
            .collect();
    }
    classes.sort();
    classes.dedup();
    classes
}

/// The TCP/UDP ports the source carries besides 80 and 443: its LoadBalancer Service's other
/// ports, with their backends from the `--tcp-services-configmap` / `--udp-services-configmap`
/// ConfigMaps when those are in the input.
fn streams(
    objects: &Objects<'_>,
    source: &ControllerInstance,
    lb: Option<&crate::detect::ServiceEntry>,
    namespace: &str,
) -> Vec<Stream> {
    let Some(lb) = lb else {
        return Vec::new();
    };
    let manifest::TypedObject::Service(service) = &objects.get(lb.key).typed else {
        return Vec::new();
    };
    let mut mappings: Vec<(String, String, String)> = Vec::new();
    if let Some(pod) = crate::detect::pod_of(objects.get(source.workload)) {
        for container in &pod.spec.containers {
            for arg in container.args.iter().flatten() {
                for (flag, protocol) in [
                    ("--tcp-services-configmap=", "TCP"),
                    ("--udp-services-configmap=", "UDP"),
                ] {
                    let Some(value) = arg.strip_prefix(flag) else {
                        continue;
                    };
                    let value = value.replace("$(POD_NAMESPACE)", namespace);
                    let (ns, name) = value.split_once('/').unwrap_or((namespace, &value));
                    for (port, backend) in config_map_data(objects, ns, name) {
                        mappings.push((port, protocol.to_string(), backend));
                    }
                }
            }
        }
    }
    service
        .spec
        .iter()
        .flat_map(|s| s.ports.iter().flatten())
        .filter(|p| p.port != 80 && p.port != 443)
        .map(|p| {
            let protocol = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            let backend = mappings
                .iter()
                .find(|(port, proto, _)| *port == p.port.to_string() && *proto == protocol)
                .map(|(_, _, backend)| backend.clone());
            Stream {
                port: format!("{}/{protocol}", p.port),
                backend,
            }
        })
        .collect()
}

/// The `data` of a ConfigMap in the input, as (key, value) pairs.
fn config_map_data(objects: &Objects<'_>, namespace: &str, name: &str) -> Vec<(String, String)> {
    objects
        .iter()
        .filter(|(key, o)| {
            o.reference.kind == "ConfigMap"
                && o.reference.name == name
                && objects.namespace(*key) == namespace
        })
        .flat_map(|(key, _)| data_of(objects, key))
        .collect()
}

/// A ConfigMap's `data` entries with scalar values.
fn data_of(objects: &Objects<'_>, key: crate::detect::ObjectKey) -> Vec<(String, String)> {
    let tree = &objects.files[key.file].tree;
    let Some(data) = tree.lookup(
        objects.get(key).node,
        &[manifest::parse::PathStep::Key("data")],
    ) else {
        return Vec::new();
    };
    tree.entries(data.value)
        .iter()
        .filter_map(|e| {
            Some((
                tree.scalar(e.key)?.to_string(),
                tree.scalar(e.value)?.to_string(),
            ))
        })
        .collect()
}

/// What in the input may reach a controller other than through the DNS records of its
/// hosts, read once for every source: ConfigMaps naming an in-cluster address (a tunnel's
/// config, a proxy's upstream), ExternalName Services, ExternalDNS `target` annotations.
#[derive(Default)]
pub struct Reach {
    /// (ConfigMap, its data values).
    config_maps: Vec<(String, Vec<String>)>,
    /// (Service, its externalName).
    external_names: Vec<(String, String)>,
    /// (object, its ExternalDNS target).
    dns_targets: Vec<(String, String)>,
}

impl Reach {
    pub fn index(objects: &Objects<'_>) -> Reach {
        let mut reach = Reach::default();
        for (key, object) in objects.iter() {
            let annotations = match &object.typed {
                _ if object.reference.kind == "ConfigMap" => {
                    let values: Vec<String> =
                        data_of(objects, key).into_iter().map(|(_, v)| v).collect();
                    if values.iter().any(|v| v.contains(".svc")) {
                        reach
                            .config_maps
                            .push((objects.reference(key).to_string(), values));
                    }
                    None
                }
                manifest::TypedObject::Service(s) => {
                    if let Some(name) = s.spec.as_ref().and_then(|spec| spec.external_name.clone())
                    {
                        reach
                            .external_names
                            .push((objects.reference(key).to_string(), name));
                    }
                    s.metadata.annotations.as_ref()
                }
                manifest::TypedObject::Ingress(ingress) => ingress.metadata.annotations.as_ref(),
                _ => None,
            };
            if let Some(target) =
                annotations.and_then(|a| a.get("external-dns.alpha.kubernetes.io/target"))
            {
                reach
                    .dns_targets
                    .push((objects.reference(key).to_string(), target.clone()));
            }
        }
        reach
    }

    /// What reaches the controller Service `service` (and the hosts a tunnel carries).
    fn also_switch(
        &self,
        service: &str,
        namespace: &str,
        pinned: Option<&Pinned>,
        hosts: &[String],
    ) -> (Vec<String>, Vec<String>) {
        let dns = format!("{service}.{namespace}.svc");
        let mut found = Vec::new();
        let mut tunneled = Vec::new();
        for (reference, values) in &self.config_maps {
            if values.iter().any(|v| v.contains(&dns)) {
                found.push(format!("{reference} names `{dns}` (a tunnel or proxy sending traffic to the controller): point it at the target's Service"));
                tunneled.extend(
                    hosts
                        .iter()
                        .filter(|h| values.iter().any(|v| v.contains(h.as_str())))
                        .cloned(),
                );
            }
        }
        for (reference, name) in &self.external_names {
            if name.starts_with(&dns) {
                found.push(format!(
                    "{reference} is an ExternalName for `{dns}`: point it at the target's Service"
                ));
            }
        }
        for (reference, target) in &self.dns_targets {
            let names_it = target.split(',').map(str::trim).any(|t| {
                pinned.is_some_and(|p| p.value.split(',').any(|v| v.trim() == t))
                    || t.starts_with(&dns)
            });
            if names_it {
                found.push(format!("{reference}: ExternalDNS publishes `{target}`, the controller's address: change the target with the switch"));
            }
        }
        tunneled.sort();
        tunneled.dedup();
        (found, tunneled)
    }
}
