//! Plan stage: which migration scenario of the handbook fits (A: DNS switchover, B:
//! LoadBalancer IP reuse, C: node rollout), from the source controller's exposure in the
//! input and the target's, with a runbook written with the real names found in the input.

use serde::Serialize;

use crate::detect::{ClassSource, ControllerInstance, Exposure, Inventory, Objects};
use crate::knowledge::Knowledge;
use crate::release::Origin;

/// How traffic reaches a controller, as the handbook's matrix sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Cloud,
    Loadbalancer,
    /// hostPort or hostNetwork.
    Node,
    /// NodePort or ClusterIP only: not in the handbook's matrix.
    Other,
}

impl Entry {
    pub fn of(exposure: &[Exposure]) -> Entry {
        if exposure.contains(&Exposure::Cloud) {
            Entry::Cloud
        } else if exposure.contains(&Exposure::Loadbalancer) {
            Entry::Loadbalancer
        } else if exposure.contains(&Exposure::Hostport)
            || exposure.contains(&Exposure::Hostnetwork)
        {
            Entry::Node
        } else {
            Entry::Other
        }
    }

    pub fn parse(text: &str) -> Option<Entry> {
        match text {
            "cloud" => Some(Entry::Cloud),
            "loadbalancer" => Some(Entry::Loadbalancer),
            "hostport" | "hostnetwork" | "node" => Some(Entry::Node),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Entry::Cloud => "a cloud load balancer",
            Entry::Loadbalancer => "a Service of type LoadBalancer",
            Entry::Node => "host ports on the nodes",
            Entry::Other => "NodePort or ClusterIP only",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Side {
    pub controller: String,
    /// `Kind namespace/name` of the workload, when found in the input.
    pub workload: Option<String>,
    /// The main exposure (`loadbalancer`, `hostport`, …), `none` without a workload.
    pub exposure: String,
}

#[derive(Debug, Serialize)]
pub struct TargetSide {
    pub controller: String,
    pub exposure: String,
    pub exposure_assumed: bool,
}

/// The exposure that carries the traffic, in the order the handbook cares about.
fn main_exposure(exposure: &[Exposure]) -> String {
    [
        Exposure::Cloud,
        Exposure::Loadbalancer,
        Exposure::Hostnetwork,
        Exposure::Hostport,
        Exposure::Nodeport,
        Exposure::Clusterip,
    ]
    .into_iter()
    .find(|e| exposure.contains(e))
    .map_or_else(|| "none".into(), |e| e.as_str().to_string())
}

#[derive(Debug, Serialize)]
pub struct Scenario {
    pub id: &'static str,
    pub name: &'static str,
    pub expected_downtime: &'static str,
    pub recommended: bool,
    pub steps: Vec<String>,
    pub caveats: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Plan {
    pub version: u32,
    pub source: Side,
    pub target: TargetSide,
    pub scenarios: Vec<Scenario>,
    /// Why no handbook scenario applies, when none does.
    pub reason: Option<String>,
    /// Hosts of the Ingresses the source serves, in the order to move them.
    pub hosts: Vec<String>,
}

/// What the planner was asked.
pub struct Request<'a> {
    pub to: &'a str,
    pub from: Option<&'a str>,
    /// `--target-exposure`: `cloud`, `loadbalancer`, `hostport` or `hostnetwork`.
    pub target_exposure: Option<&'a str>,
    /// The target's own manifests (`--target PATH`), when given.
    pub target_inventory: Option<&'a Inventory>,
}

/// The source controller: `--from`, else the retired one, else the first that is not the
/// target.
fn source<'i>(inventory: &'i Inventory, request: &Request<'_>) -> Option<&'i ControllerInstance> {
    let controllers = &inventory.controllers;
    match request.from {
        Some(id) => controllers.iter().find(|c| c.controller.id == id),
        None => controllers
            .iter()
            .find(|c| c.controller.is_retired() && c.controller.id != request.to)
            .or_else(|| controllers.iter().find(|c| c.controller.id != request.to)),
    }
}

pub fn plan(
    objects: &Objects<'_>,
    inventory: &Inventory,
    knowledge: &Knowledge,
    request: &Request<'_>,
) -> Plan {
    let source = source(inventory, request);
    let source_exposure = source.map_or_else(|| "none".to_string(), |s| main_exposure(&s.exposure));
    let source_entry = source.map_or(Entry::Other, |s| Entry::of(&s.exposure));
    // The target's own manifests (`--target`), else the target found in the input itself.
    let found_target = request
        .target_inventory
        .and_then(|i| i.controllers.iter().find(|c| c.controller.id == request.to))
        .or_else(|| {
            inventory.controllers.iter().find(|c| {
                c.controller.id == request.to && !source.is_some_and(|s| std::ptr::eq(*c, s))
            })
        })
        .map(|c| main_exposure(&c.exposure));
    let (target_exposure, assumed) = match (request.target_exposure, found_target) {
        (Some(given), _) => (given.to_string(), false),
        (None, Some(found)) => (found, false),
        (None, None) => (source_exposure.clone(), true),
    };
    let target_entry = Entry::parse(&target_exposure).unwrap_or(Entry::Other);
    let mut plan = Plan {
        version: 1,
        source: Side {
            controller: source.map_or_else(
                || request.from.unwrap_or("unknown").to_string(),
                |s| s.controller.id.clone(),
            ),
            workload: source.map(|s| objects.reference(s.workload).to_string()),
            exposure: source_exposure,
        },
        target: TargetSide {
            controller: request.to.to_string(),
            exposure: target_exposure,
            exposure_assumed: assumed,
        },
        scenarios: Vec::new(),
        reason: None,
        hosts: Vec::new(),
    };
    let Some(source) = source else {
        plan.reason = Some(format!(
            "no {} controller found in the input: point the plan at the manifests of the controller you migrate from",
            request.from.unwrap_or("source")
        ));
        return plan;
    };
    let facts = Facts::gather(objects, inventory, knowledge, source, request.to);
    plan.hosts = facts.hosts.clone();
    use Entry::{Cloud, Loadbalancer, Node};
    plan.scenarios = match (source_entry, target_entry) {
        (Cloud, Cloud) => Vec::new(),
        (Cloud, Loadbalancer) | (Loadbalancer, Cloud) => vec![dns_switchover(&facts, true)],
        (Loadbalancer, Loadbalancer) => {
            let pinned = facts.pinned_ip.is_some();
            let mut both = vec![dns_switchover(&facts, !pinned), ip_reuse(&facts, pinned)];
            both.sort_by_key(|s| !s.recommended);
            both
        }
        (Node, Node) => vec![node_rollout(&facts)],
        _ => Vec::new(),
    };
    if plan.scenarios.is_empty() {
        plan.reason = Some(match (source_entry, target_entry) {
            (Cloud, Cloud) => "from one cloud load balancer to another: follow the cloud vendor's guide (no handbook scenario)".into(),
            (from, to) => format!(
                "no handbook scenario moves traffic from {} to {}; consider a DNS switchover (scenario A) to a new entry point, planned by hand",
                from.describe(),
                to.describe()
            ),
        });
    }
    plan
}

/// The real names the runbook is written with.
struct Facts {
    source_id: String,
    source_workload: String,
    source_kind: String,
    source_name: String,
    source_namespace: String,
    service: Option<String>,
    pinned_ip: Option<String>,
    target_id: String,
    target_chart: Option<String>,
    take_classless: Option<Vec<String>>,
    host_port_values: Vec<String>,
    /// What serves the source's Ingresses as they are on the target, with its values.
    serves_as_is: Option<String>,
    classes: Vec<String>,
    ingress_count: usize,
    classless_count: usize,
    hosts: Vec<String>,
    /// Ingresses of the source with no host: no DNS record points at them.
    hostless: Vec<String>,
    host_network: bool,
    /// How the source is installed, and why (the release declaring it, the platform).
    source_origin: Origin,
    source_why: String,
}

impl Facts {
    fn gather(
        objects: &Objects<'_>,
        inventory: &Inventory,
        knowledge: &Knowledge,
        source: &ControllerInstance,
        target: &str,
    ) -> Facts {
        let index = inventory
            .controllers
            .iter()
            .position(|c| std::ptr::eq(c, source))
            .unwrap_or(0);
        let served: Vec<_> = inventory
            .ingresses
            .iter()
            .filter(|e| e.served_by.iter().any(|(i, _)| *i == index))
            .collect();
        let mut hosts: Vec<String> = Vec::new();
        let mut hostless = Vec::new();
        for entry in &served {
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
        }
        hosts.sort();
        hosts.dedup();
        let lb = source
            .services
            .iter()
            .map(|&s| &inventory.services[s])
            .find(|s| s.type_ == "LoadBalancer");
        let helm = knowledge.controller(target).and_then(|c| c.helm.as_ref());
        let host_network = source.exposure.contains(&Exposure::Hostnetwork);
        Facts {
            source_id: source.controller.id.clone(),
            source_workload: objects.reference(source.workload).to_string(),
            source_kind: objects.reference(source.workload).kind,
            source_name: objects.reference(source.workload).name,
            source_namespace: objects.namespace(source.workload).to_string(),
            service: lb.map(|s| objects.reference(s.key).name),
            pinned_ip: lb.and_then(|s| s.load_balancer_ip.clone()),
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
            classes: source
                .claimants
                .iter()
                .flat_map(|c| c.classes.clone())
                .collect(),
            ingress_count: served.len(),
            // Class-less in the manifests, whatever default IngressClass new ones would get.
            classless_count: served
                .iter()
                .filter(|e| matches!(e.class_source, ClassSource::None | ClassSource::Default))
                .count(),
            hosts,
            hostless,
            host_network,
            source_origin: source.origin,
            source_why: source.origin_reason.clone(),
        }
    }

    /// The last step of a switchover: what removing the source means where it comes from.
    fn retire_source(&self) -> String {
        match self.source_origin {
            Origin::Rendered => "remove its Ingresses and uninstall it".to_string(),
            Origin::Release => format!("remove its Ingresses, then remove its release ({}) from the repository", self.source_why),
            Origin::Managed => format!("remove its Ingresses; it is run by the platform ({}): turn the add-on off if nothing else uses it", self.source_why),
            Origin::Bundled => format!("remove its Ingresses and disable it in the distribution (`--disable`), or it comes back at the next restart ({})", self.source_why),
            Origin::Declared => format!("remove its Ingresses and uninstall it where it is managed ({})", self.source_why),
        }
    }

    /// Where changes to the source are made, when not in its manifests.
    fn source_caveat(&self) -> Option<String> {
        match self.source_origin {
            Origin::Release | Origin::Bundled => Some(format!(
                "{} is installed by {}: make every change to it in those values; a change made with kubectl is reverted at the next reconciliation.",
                self.source_workload, self.source_why
            )),
            _ => None,
        }
    }

    fn install(&self, values: &[String]) -> String {
        let chart = self.target_chart.as_deref().unwrap_or("<target chart>");
        let sets: String = values.iter().map(|v| format!(" --set {v}")).collect();
        format!(
            "`helm upgrade --install {} {chart} --namespace {} --create-namespace{sets}`",
            self.target_id, self.target_id
        )
    }
}

fn dns_switchover(f: &Facts, recommended: bool) -> Scenario {
    let classes = if f.classes.is_empty() {
        "its class".to_string()
    } else {
        format!("class `{}`", f.classes.join("`, `"))
    };
    let mut steps = vec![
        if f.hosts.is_empty() {
            format!("Lower the TTL of the DNS records that lead to {} to 30–300 s, and wait out the old TTL.", f.source_workload)
        } else {
            format!("Lower the TTL of the DNS records of the {} host(s) served by {} to 30–300 s, and wait out the old TTL.", f.hosts.len(), f.source_workload)
        },
        format!(
            "Install {} next to {} with its own IngressClass: {}.",
            f.target_id,
            f.source_id,
            f.install(&[])
        ),
    ];
    match &f.take_classless {
        Some(values) if f.classless_count > 0 && !values.is_empty() => steps.push(format!(
            "{} Ingress(es) have no class: let {} take them as well ({}), or give them an explicit spec.ingressClassName first.",
            f.classless_count,
            f.target_id,
            values.iter().map(|v| format!("`--set {v}`")).collect::<Vec<_>>().join(" ")
        )),
        // The target's chart takes class-less Ingresses by default (Traefik).
        Some(values) if values.is_empty() && f.classless_count > 0 => steps.push(format!(
            "{}'s chart takes Ingresses with no class by default: while both run, {} serves every class-less Ingress too ({} in the input). Give them an explicit class first, or install {} with a class filter.",
            f.target_id, f.target_id, f.classless_count, f.target_id
        )),
        _ => {}
    }
    if !f.hostless.is_empty() {
        steps.push(format!(
            "{} Ingress(es) have no host ({}): no DNS record leads to them; move the clients that reach them by address when the switch is done.",
            f.hostless.len(),
            f.hostless.join(", ")
        ));
    }
    steps.extend([
        {
            let count = f.ingress_count - f.classless_count;
            let classless = if f.classless_count > 0 { format!(" and the {} without a class", f.classless_count) } else { String::new() };
            if f.target_id == "gateway-api" {
                format!("Write a Gateway and routes for each of the {count} Ingress(es) of {classes}{classless}, translating the annotations: `ingress-lint convert --to gateway-api --target-class <your GatewayClass>` writes them and reports what does not carry over.")
            } else {
                format!("Duplicate each of the {count} Ingress(es) of {classes}{classless} with spec.ingressClassName set to {}'s class, translating the annotations: `ingress-lint convert --to {} --name-suffix=-{}` writes them and reports what does not carry over.", f.target_id, f.target_id, f.target_id)
            }
        },
        format!("Test every host against {}'s address (curl --resolve HOST:443:NEW_IP).", f.target_id),
        "Switch DNS one hostname at a time, watching errors and latency before the next.".to_string(),
        format!("When no traffic reaches {} any more, {}; restore the DNS TTLs.", f.source_workload, f.retire_source()),
    ]);
    let mut caveats = Vec::new();
    if let Some(caveat) = &f.serves_as_is {
        caveats.push(caveat.clone());
    }
    Scenario {
        id: "A",
        name: "DNS switchover",
        expected_downtime: "none",
        recommended,
        steps,
        caveats: caveats.into_iter().chain(f.source_caveat()).chain([
            format!("Both controllers publish status.loadBalancer for Ingresses they both serve: ExternalDNS flaps between them; disable status publishing on {} until the switch, or exclude it from ExternalDNS.", f.target_id),
            "Clients that ignore DNS TTLs (long-lived connections, pinned IPs in allow-lists) keep reaching the old address.".to_string(),
        ]).collect(),
    }
}

fn ip_reuse(f: &Facts, recommended: bool) -> Scenario {
    let service = f.service.as_deref().unwrap_or("<source Service>");
    let ip = f.pinned_ip.as_deref().unwrap_or("<the old IP>");
    Scenario {
        id: "B",
        name: "LoadBalancer IP reuse",
        expected_downtime: "seconds",
        recommended,
        steps: vec![
            "Check that your load-balancer implementation can move an IP between Services and which annotation requests it (`ingress-lint check --provider <provider>` names it).".to_string(),
            format!("Lock the IP at the provider (reserved/static address) so that deleting {service} does not release it."),
            format!("Back up the old Service: `kubectl -n {} get service {service} -o yaml > {service}.yaml`.", f.source_namespace),
            format!("Install {} with its Service asking for {ip} (the provider's annotation, or spec.loadBalancerIP): {}. It shows <pending> while {service} holds the IP.", f.target_id, f.install(&[])),
            format!("Test {} without the IP: `kubectl port-forward` to its Service, one request per host.", f.target_id),
            format!("Delete {service} (`kubectl -n {} delete service {service}`): the IP moves to {}'s Service within seconds.", f.source_namespace, f.target_id),
            format!("Rollback: delete the new Service and re-create {service} from the backup."),
        ],
        caveats: f.source_caveat().into_iter().chain([
            "Connections in flight during the move are reset.".to_string(),
            "Not every provider can hand an IP from one Service to another; AWS load balancers cannot keep an IP at all.".to_string(),
        ]).collect(),
    }
}

fn node_rollout(f: &Facts) -> Scenario {
    let mut steps = vec![
        format!("Test {} on other host ports first, with its chart's own values: {}.", f.target_id, f.install(&f.host_port_values)),
        "Check every host against a node on the test ports (curl --resolve HOST:8443:NODE_IP https://HOST:8443/).".to_string(),
    ];
    if f.host_network {
        steps.extend([
            format!("{} uses hostNetwork: the scheduler does not account the ports its process binds. Move node by node: stop the old pod, start its replacement, check it, then the next node.", f.source_workload),
            format!("Switch {} to the real ports (80/443) on each node as its old pod stops.", f.target_id),
        ]);
    } else {
        steps.extend([
            format!("Create {}'s DaemonSet on ports 80/443: its pods stay Pending while {} holds the host ports.", f.target_id, f.source_workload),
            format!("Delete the old workload without its pods: `kubectl -n {} delete {} {} --cascade=orphan`.", f.source_namespace, f.source_kind.to_lowercase(), f.source_name),
            "Delete the old pods one by one; check that each node's new pod becomes Ready before the next.".to_string(),
        ]);
    }
    steps.push("On a different node set: add the new nodes' addresses to DNS, remove the old ones, stop the old controller once traffic has moved.".to_string());
    steps.push(format!("Rollback: re-apply the manifest of {} (its pods take the ports back as the new ones are deleted).", f.source_workload));
    Scenario {
        id: "C",
        name: "Node rollout",
        expected_downtime: "none on a different node set; seconds to a minute per node on the same nodes",
        recommended: true,
        steps,
        caveats: f.source_caveat().into_iter().chain([
            "hostNetwork ↔ hostPort changes need the same care: the scheduler sees declared ports only.".to_string(),
            "Node-based exposure keeps client source IPs; hostNetwork also allows IPv6 and UDP (HTTP/3).".to_string(),
        ]).collect(),
    }
}
