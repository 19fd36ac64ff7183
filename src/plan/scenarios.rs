//! The handbook's three scenarios written with the input's names: A (DNS switchover), B
//! (LoadBalancer IP reuse), C (node rollout).

use super::facts::Facts;
use super::Scenario;
use crate::release::Origin;

/// What the target needs for the source's TCP/UDP ports (its own TCP entry points).
fn stream_step(f: &Facts) -> Option<String> {
    if f.streams.is_empty() {
        return None;
    }
    let ports: Vec<String> = f
        .streams
        .iter()
        .map(|s| match &s.backend {
            Some(backend) => format!("{} → {backend}", s.port),
            None => s.port.clone(),
        })
        .collect();
    let how = match f.target_id.as_str() {
        "traefik" => "an entry point per port and an IngressRouteTCP (IngressRouteUDP) for each",
        "gateway-api" => {
            "a TCPRoute or UDPRoute per port on a listener of the Gateway (experimental channel)"
        }
        "kong" => "`stream_listen` ports and a TCPIngress (UDPIngress) for each",
        "haproxy" => "a TCP custom resource (or the tcp-services ConfigMap) for each",
        _ => "a TCP/UDP listener for each",
    };
    Some(format!(
        "{} carries {} besides HTTP (its tcp/udp services): give {} {how}, and open the same ports on its Service, before any traffic moves.",
        f.source_workload,
        ports.join(", "),
        f.target_id
    ))
}

pub fn dns_switchover(f: &Facts, recommended: bool) -> Scenario {
    let classes = f.class_list();
    let mut steps = vec![
        if f.hosts.is_empty() {
            format!("Lower the TTL of the DNS records that lead to {} to 30–300 s, and wait out the old TTL. Rollback: nothing to undo.", f.source_workload)
        } else {
            format!("Lower the TTL of the DNS records of the {} host(s) served by {} to 30–300 s, and wait out the old TTL. Rollback: nothing to undo.", f.hosts.len(), f.source_workload)
        },
        format!(
            "Install {} next to {} with its own IngressClass: {}. Rollback: `helm uninstall {} --namespace {}`.",
            f.target_id,
            f.source_id,
            f.install(&[]),
            f.target_id,
            f.target_id
        ),
    ];
    steps.extend(stream_step(f));
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
    let selection: String = f.classes.iter().map(|c| format!(" --class {c}")).collect();
    steps.extend([
        if f.ingress_count == 0 {
            format!("No Ingress of {classes} is in the input: run ingress-lint convert --to {} over the repository that holds the applications' Ingresses to write their copies.", f.target_id)
        } else {
            let count = f.ingress_count - f.classless_count;
            let classless = if f.classless_count > 0 { format!(" and the {} without a class", f.classless_count) } else { String::new() };
            let classless_flag = if f.classless_count > 0 { " --classless" } else { "" };
            if f.target_id == "gateway-api" {
                format!("Write a Gateway and routes for each of the {count} Ingress(es) of {classes}{classless}, translating the annotations: `ingress-lint convert --to gateway-api{selection}{classless_flag}` writes them and reports what does not carry over (add `--target-class` with your implementation's GatewayClass). Rollback: delete what it wrote.")
            } else {
                let translated = if f.source_id == "ingress-nginx" {
                    "translating the annotations".to_string()
                } else {
                    format!("translating ingress-nginx annotations only ({}'s own are listed, not translated: the catalog translates ingress-nginx's)", f.source_id)
                };
                format!("Duplicate each of the {count} Ingress(es) of {classes}{classless} with spec.ingressClassName set to {}'s class, {translated}: `ingress-lint convert --to {}{selection}{classless_flag} --name-suffix=-{}` writes them and reports what does not carry over. Rollback: delete the `-{}` copies.", f.target_id, f.target_id, f.target_id, f.target_id)
            }
        },
        format!("Test every host against {}'s address (curl --resolve HOST:443:NEW_IP).", f.target_id),
        if f.tunnel_hosts.is_empty() {
            "Switch DNS one hostname at a time, watching errors and latency before the next. Rollback: point the record back (the short TTL makes it quick).".to_string()
        } else if f.tunnel_hosts.len() == f.hosts.len() {
            format!("Every host ({}) reaches the controller through a tunnel, not DNS: switch the tunnel's config (below) instead of DNS records. Rollback: restore the tunnel's config.", f.tunnel_hosts.join(", "))
        } else {
            format!("Switch DNS one hostname at a time, watching errors and latency before the next — except {}, which a tunnel carries: switch the tunnel's config for those (below). Rollback: point the record (or the tunnel) back.", f.tunnel_hosts.join(", "))
        },
    ]);
    for also in &f.also_switch {
        steps.push(format!("Also switch: {also}."));
    }
    steps.push(format!(
        "When no traffic reaches {} any more, {}; restore the DNS TTLs.",
        f.source_workload,
        f.retire_source()
    ));
    let mut caveats = Vec::new();
    if let Some(caveat) = &f.serves_as_is {
        caveats.push(caveat.clone());
    }
    if let Some(ip) = &f.global_ip {
        caveats.push(format!("The Ingresses name the global static IP `{ip}` (kubernetes.io/ingress.global-static-ip-name): a regional LoadBalancer Service cannot take it over, so the target gets a new address and DNS moves to it."));
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

pub fn ip_reuse(f: &Facts, recommended: bool) -> Scenario {
    let service = f.service.as_deref().unwrap_or("<source Service>");
    let namespace = &f.source_namespace;
    let (ask, check) = match &f.pinned {
        Some(pinned) if pinned.via == "spec.loadBalancerIP" => (
            format!(
                "spec.loadBalancerIP `{}` (deprecated: prefer your provider's annotation)",
                pinned.value
            ),
            None,
        ),
        Some(pinned) => (
            format!(
                "`{}: \"{}\"`, the annotation {} holds it with",
                pinned.via, pinned.value, service
            ),
            pinned.provider.clone(),
        ),
        None => (
            "the old IP (the provider's annotation, or spec.loadBalancerIP)".to_string(),
            f.provider.clone(),
        ),
    };
    let first = match check {
        Some(provider) => format!("Check how your load-balancer implementation moves an IP between Services: `ingress-lint check --provider {provider}` names the annotation and its caveats."),
        None => "Check that your load-balancer implementation can move an IP between Services, and which annotation requests it.".to_string(),
    };
    let mut steps = vec![
        first,
        format!("Lock the IP at the provider (reserved/static address) so that deleting {service} does not release it."),
        format!("Back up the old Service: `kubectl -n {namespace} get service {service} -o yaml > {service}.yaml`."),
        format!("Install {} with its Service asking for {ask}: {}. It shows <pending> while {service} holds the IP. Rollback: `helm uninstall {} --namespace {}`.", f.target_id, f.install(&[]), f.target_id, f.target_id),
    ];
    steps.extend(stream_step(f));
    steps.extend([
        format!("Test {} without the IP: `kubectl port-forward` to its Service, one request per host.", f.target_id),
        format!("Delete {service} (`kubectl -n {namespace} delete service {service}`): the IP moves to {}'s Service within seconds. Rollback: delete the new Service and re-create {service} from the backup (`kubectl apply -f {service}.yaml`).", f.target_id),
    ]);
    for also in &f.also_switch {
        steps.push(format!("Also switch: {also}."));
    }
    let mut caveats: Vec<String> = f.source_caveat().into_iter().collect();
    if !f.streams.is_empty() {
        caveats.push("The IP carries the TCP/UDP ports too: if the target does not listen on them when the IP moves, those connections (SSH to a Git server, say) fail until it does.".into());
    }
    caveats.extend([
        "Connections in flight during the move are reset.".to_string(),
        "Not every provider can hand an IP from one Service to another; AWS load balancers cannot keep an IP at all.".to_string(),
    ]);
    Scenario {
        id: "B",
        name: "LoadBalancer IP reuse",
        expected_downtime: "seconds",
        recommended,
        steps,
        caveats,
    }
}

pub fn node_rollout(f: &Facts, recommended: bool) -> Scenario {
    let mut steps = vec![
        format!("Test {} on other host ports first (80 and 443 are {}'s until the switch), with its chart's own values: {}.", f.target_id, f.source_workload, f.install(&f.host_port_values)),
        "Check every host against a node on the test ports (curl --resolve HOST:8443:NODE_IP https://HOST:8443/).".to_string(),
    ];
    steps.extend(stream_step(f));
    if f.host_network {
        steps.extend([
            format!("{} uses hostNetwork: the scheduler does not account the ports its process binds. Move node by node: stop the old pod, start its replacement, check it, then the next node.", f.source_workload),
            format!("Switch {} to the real ports (80/443) on each node as its old pod stops.", f.target_id),
        ]);
    } else {
        steps.extend([
            format!("Create {}'s DaemonSet on ports 80/443: its pods stay Pending while {} holds the host ports.", f.target_id, f.source_workload),
            match f.source_origin {
                Origin::Rendered | Origin::Declared => format!("Delete the old workload without its pods: `kubectl -n {} delete {} {} --cascade=orphan`.", f.source_namespace, f.source_kind.to_lowercase(), f.source_name),
                _ => format!("Remove the old workload without its pods where it is managed ({}), or `kubectl -n {} delete {} {} --cascade=orphan` once its manager no longer re-creates it.", f.source_why, f.source_namespace, f.source_kind.to_lowercase(), f.source_name),
            },
            "Delete the old pods one by one; check that each node's new pod becomes Ready before the next.".to_string(),
        ]);
    }
    steps.push("On a different node set: add the new nodes' addresses to DNS, remove the old ones, stop the old controller once traffic has moved.".to_string());
    steps.push(format!("Rollback: re-apply the manifest of {} (its pods take the ports back as the new ones are deleted).", f.source_workload));
    Scenario {
        id: "C",
        name: "Node rollout",
        expected_downtime: "none on a different node set; seconds to a minute per node on the same nodes",
        recommended,
        steps,
        caveats: f.source_caveat().into_iter().chain([
            "hostNetwork ↔ hostPort changes need the same care: the scheduler sees declared ports only.".to_string(),
            "Node-based exposure keeps client source IPs; hostNetwork also allows IPv6 and UDP (HTTP/3).".to_string(),
        ]).collect(),
    }
}
