//! Plan stage: which migration scenario of the handbook fits (A: DNS switchover, B:
//! LoadBalancer IP reuse, C: node rollout), from each source controller's exposure in the
//! input and the target's, with a runbook written with the real names found in the input.

mod facts;
mod scenarios;

use serde::Serialize;

use crate::detect::{ControllerInstance, Exposure, Inventory, Objects};
use crate::knowledge::Knowledge;
use facts::{Facts, Pinned, Reach, Stream};

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
}

#[derive(Debug, Clone, Serialize)]
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

#[derive(Clone, Debug, Serialize)]
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
    /// The first source controller's (the one `plans[0]` details).
    pub source: Side,
    pub target: TargetSide,
    pub scenarios: Vec<Scenario>,
    /// Why no handbook scenario applies, when none does.
    pub reason: Option<String>,
    /// Hosts of the Ingresses the first source serves, in the order to move them.
    pub hosts: Vec<String>,
    /// One plan per instance of the source controller in the input.
    pub plans: Vec<SourcePlan>,
}

/// The plan for one source controller instance.
#[derive(Debug, Serialize)]
pub struct SourcePlan {
    pub source: Side,
    /// Where its workload is declared (`file:line`), telling apart the same controller in
    /// several clusters.
    pub at: String,
    pub namespace: String,
    /// How it is installed: `rendered`, `release`, `managed` (by the platform), `bundled`,
    /// `declared`.
    pub origin: &'static str,
    /// The classes of the Ingresses it serves.
    pub classes: Vec<String>,
    pub ingresses: usize,
    pub hosts: Vec<String>,
    /// Its LoadBalancer Service, and the IP it pins (scenario B asks for that one).
    pub service: Option<String>,
    pub pinned_ip: Option<Pinned>,
    /// TCP/UDP ports it carries besides HTTP.
    pub streams: Vec<Stream>,
    /// What else in the input reaches it, to switch with it.
    pub also_switch: Vec<String>,
    pub scenarios: Vec<Scenario>,
    pub reason: Option<String>,
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

/// The source controllers: every instance of `--from`, else of the retired one, else of the
/// first controller that is not the target.
fn sources<'i>(inventory: &'i Inventory, request: &Request<'_>) -> Vec<&'i ControllerInstance> {
    let controllers = &inventory.controllers;
    let id = match request.from {
        Some(id) => Some(id),
        None => controllers
            .iter()
            .find(|c| c.controller.is_retired() && c.controller.id != request.to)
            .or_else(|| controllers.iter().find(|c| c.controller.id != request.to))
            .map(|c| c.controller.id.as_str()),
    };
    controllers
        .iter()
        .filter(|c| Some(c.controller.id.as_str()) == id)
        .collect()
}

pub fn plan(
    objects: &Objects<'_>,
    inventory: &Inventory,
    knowledge: &Knowledge,
    request: &Request<'_>,
) -> Plan {
    let sources = sources(inventory, request);
    let first = sources.first().copied();
    let source_exposure = first.map_or_else(|| "none".to_string(), |s| main_exposure(&s.exposure));
    // The target's own manifests (`--target`), else the target found in the input itself.
    let found_target = request
        .target_inventory
        .and_then(|i| i.controllers.iter().find(|c| c.controller.id == request.to))
        .or_else(|| {
            inventory.controllers.iter().find(|c| {
                c.controller.id == request.to && !sources.iter().any(|s| std::ptr::eq(*c, *s))
            })
        })
        .map(|c| main_exposure(&c.exposure));
    // A self-hosted target is never "cloud": a LoadBalancer Service unless the source binds
    // host ports (then the same, for scenario C).
    let target_cloud = knowledge
        .controller(request.to)
        .is_some_and(|c| c.is_cloud());
    let (target_exposure, assumed) = match (request.target_exposure, found_target) {
        (Some(given), _) => (given.to_string(), false),
        (None, Some(found)) => (found, false),
        (None, None) if target_cloud => ("cloud".to_string(), true),
        (None, None) => match first.map(|s| Entry::of(&s.exposure)) {
            Some(Entry::Node) => (source_exposure.clone(), true),
            _ => ("loadbalancer".to_string(), true),
        },
    };
    let target_entry = Entry::parse(&target_exposure).unwrap_or(Entry::Other);
    let side = |s: Option<&ControllerInstance>| Side {
        controller: s.map_or_else(
            || request.from.unwrap_or("unknown").to_string(),
            |s| s.controller.id.clone(),
        ),
        // A managed controller runs outside the cluster: no workload to name.
        workload: s
            .filter(|s| s.origin != crate::release::Origin::Managed)
            .map(|s| objects.reference(s.workload).to_string()),
        exposure: s.map_or_else(|| "none".to_string(), |s| main_exposure(&s.exposure)),
    };
    // Indexed once for every source: the Ingresses each instance serves, and what in the
    // input reaches controllers by address.
    let mut served: Vec<Vec<&crate::detect::IngressEntry>> =
        vec![Vec::new(); inventory.controllers.len()];
    for entry in &inventory.ingresses {
        for &(i, _) in entry.served_by.iter() {
            if served[i]
                .last()
                .is_none_or(|last| !std::ptr::eq(*last, entry))
            {
                served[i].push(entry);
            }
        }
    }
    let reach = if sources.is_empty() {
        Reach::default()
    } else {
        Reach::index(objects)
    };
    let plans: Vec<SourcePlan> = sources
        .iter()
        .map(|source| {
            let index = inventory
                .controllers
                .iter()
                .position(|c| std::ptr::eq(c, *source))
                .unwrap_or(0);
            let facts = Facts::gather(
                objects,
                inventory,
                knowledge,
                (index, source),
                &served[index],
                &reach,
                request.to,
            );
            let scenarios = choose(
                &facts,
                Entry::of(&source.exposure),
                target_entry,
                source.origin,
            );
            let (file, position) =
                objects.position(source.workload.file, objects.name_span(source.workload));
            SourcePlan {
                source: side(Some(source)),
                at: format!("{}:{}", file.name, position.line),
                namespace: facts.source_namespace.clone(),
                origin: source.origin.as_str(),
                classes: facts.classes.clone(),
                ingresses: facts.ingress_count,
                hosts: facts.hosts.clone(),
                service: facts.service.clone(),
                pinned_ip: facts.pinned.clone(),
                streams: facts.streams.clone(),
                also_switch: facts.also_switch.clone(),
                scenarios,
                reason: None,
            }
        })
        .collect();
    let mut plan = Plan {
        version: 1,
        source: side(first),
        target: TargetSide {
            controller: request.to.to_string(),
            exposure: target_exposure,
            exposure_assumed: assumed,
        },
        scenarios: Vec::new(),
        reason: None,
        hosts: Vec::new(),
        plans,
    };
    match plan.plans.first() {
        None => {
            plan.reason = Some(format!(
                "no {} controller found in the input: point the plan at the manifests of the controller you migrate from",
                request.from.unwrap_or("source")
            ));
        }
        // The first source's plan, again at the top (the contract of version 1).
        Some(first) => {
            plan.hosts = first.hosts.clone();
            plan.scenarios = first.scenarios.clone();
        }
    }
    plan
}

/// The handbook's choice: C whenever the source binds node ports (recommended when the
/// target does too), B when its LoadBalancer IP can move to the target's Service
/// (recommended when the IP is pinned), A always, as the fallback.
fn choose(
    facts: &Facts,
    source: Entry,
    target: Entry,
    origin: crate::release::Origin,
) -> Vec<Scenario> {
    use Entry::{Loadbalancer, Node};
    let managed = origin == crate::release::Origin::Managed;
    let mut scenarios = Vec::new();
    match (source, target) {
        (Node, _) if !managed => {
            scenarios.push(scenarios::node_rollout(facts, target == Node));
            scenarios.push(scenarios::dns_switchover(facts, target != Node));
        }
        (Loadbalancer, Loadbalancer) if !managed => {
            let pinned = facts.pinned.is_some();
            scenarios.push(scenarios::ip_reuse(facts, pinned));
            scenarios.push(scenarios::dns_switchover(facts, !pinned));
        }
        _ => scenarios.push(scenarios::dns_switchover(facts, true)),
    }
    scenarios.sort_by_key(|s| !s.recommended);
    scenarios
}
