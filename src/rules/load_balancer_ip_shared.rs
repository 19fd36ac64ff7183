//! Two LoadBalancer Services ask for the same IP: one of them stays `<pending>`.
//!
//! ## Why
//! A load-balancer IP is allocated once. Unless the implementation is told the Services may
//! share it (MetalLB `metallb.io/allow-shared-ip`, Cilium `lbipam.cilium.io/sharing-key`,
//! with the same key on both), the second Service never gets an address. In an IP-reuse
//! migration (handbook scenario B) this is the expected state until the old Service is
//! deleted — and an outage if the old one is deleted first by mistake.
//!
//! ## Example
//! ingress-nginx's and Traefik's Services both with `loadBalancerIP: 203.0.113.10`.
//!
//! ## Fix
//! Give each Service its own IP, or follow scenario B: back up and delete the old Service,
//! then the IP moves to the new one.
use std::collections::BTreeMap;

use crate::detect::ServiceEntry;
use crate::findings::{listing, Finding};

use super::{rule_info, Context, Rule, RuleInfo};

pub struct LoadBalancerIpShared;

impl Rule for LoadBalancerIpShared {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "load-balancer-ip-shared",
            Warning,
            "load_balancer_ip_shared.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let services: Vec<_> = context
            .inventory
            .services
            .iter()
            .filter(|s| s.type_ == "LoadBalancer" && s.load_balancer_ip.is_some())
            .collect();
        let sharing_keys: Vec<&str> = context
            .knowledge
            .providers
            .providers
            .iter()
            .flat_map(|p| p.ip_sharing_keys.iter().map(String::as_str))
            .collect();
        let sharing = |key| {
            let annotations = context.objects.get(key).annotations()?;
            sharing_keys.iter().find_map(|k| annotations.get(*k))
        };
        // Per IP, Services that may share it (the same sharing-key value) are one claim;
        // two claims or more conflict. Reported once per IP, at the first Service of the
        // second claim.
        let mut by_ip: BTreeMap<&str, Vec<&ServiceEntry>> = BTreeMap::new();
        for service in &services {
            by_ip
                .entry(service.load_balancer_ip.as_deref().unwrap_or_default())
                .or_default()
                .push(service);
        }
        for (ip, members) in by_ip {
            let mut claims: Vec<Option<&String>> = Vec::new();
            let mut at = None;
            for service in &members {
                let key = sharing(service.key);
                if claims.is_empty() || key.is_none() || !claims.contains(&key) {
                    if !claims.is_empty() && at.is_none() {
                        at = Some(*service);
                    }
                    claims.push(key);
                }
            }
            let Some(at) = at else { continue };
            let view = context.view(at.key);
            let names: Vec<String> = members
                .iter()
                .map(|s| context.objects.reference(s.key).to_string())
                .collect();
            let message = format!(
                "{} Services ask for loadBalancerIP {ip} ({}) without sharing it: all but one stay <pending>",
                members.len(),
                listing(&names)
            );
            let others = members.iter().filter(|s| s.key != at.key).map(|s| {
                let other = context.view(s.key);
                (
                    other.location(other.value_span(&["spec", "loadBalancerIP"])),
                    format!("{ip} asked for here"),
                    Some(other.reference()),
                )
            });
            out.push(
                view.finding(&info, view.value_span(&["spec", "loadBalancerIP"]), message)
                    .related_group(others)
                    .help("give each Service its own IP, or move the IP over deliberately (handbook scenario B: delete the old Service, the IP moves)"),
            );
        }
    }
}
