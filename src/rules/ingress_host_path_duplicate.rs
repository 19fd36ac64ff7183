//! Two Ingresses served by the same controller route the same host and path.
//!
//! ## Why
//! The controller merges them and one wins — for ingress-nginx the oldest object, which in a
//! GitOps repository depends on the order things were first applied. Traffic for that path
//! goes to whichever backend won, and the other Ingress's annotations silently do nothing for
//! it. Canary Ingresses (`nginx.ingress.kubernetes.io/canary: "true"`) duplicate a path on
//! purpose and are not reported.
//!
//! ## Example
//! ```yaml
//! # shop-a.yaml                      # shop-b.yaml
//! host: shop.example.com             host: shop.example.com
//! path: /api   -> svc api-v1          path: /api   -> svc api-v2
//! ```
//!
//! ## Fix
//! Keep one route per host and path: remove one, or give it another path or host.
use std::collections::BTreeMap;

use manifest::parse::PathStep::{Index, Key};

use std::sync::Arc;

use manifest::Span;

use crate::detect::{ObjectKey, Served};
use crate::findings::{listing, Finding, Location};

use super::{rule_info, Context, Rule, RuleInfo};

pub struct IngressHostPathDuplicate;

/// One Ingress's claim on a route.
struct Claim<'a> {
    key: ObjectKey,
    span: Span,
    location: Location,
    owner: String,
    served: &'a Served,
}

/// A claimant serving both lists, if any.
fn common(a: &Served, b: &Served) -> Option<(usize, usize)> {
    if Arc::ptr_eq(a, b) {
        return a.first().copied();
    }
    a.iter().find(|s| b.contains(s)).copied()
}

impl Rule for IngressHostPathDuplicate {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "ingress-host-path-duplicate",
            Warning,
            "ingress_host_path_duplicate.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let canary_keys: Vec<String> = context
            .inventory
            .nginx_prefixes()
            .iter()
            .map(|p| format!("{p}/canary"))
            .collect();
        // (host, path, pathType) → groups of claims served by a common controller.
        let mut routes: BTreeMap<(String, String, String), Vec<Vec<Claim<'_>>>> = BTreeMap::new();
        for entry in &context.inventory.ingresses {
            if entry.served_by.is_empty() {
                continue;
            }
            let view = context.view(entry.key);
            let manifest::TypedObject::Ingress(ingress) = &view.object.typed else {
                continue;
            };
            let annotations = ingress.metadata.annotations.as_ref();
            if canary_keys.iter().any(|k| {
                annotations
                    .and_then(|a| a.get(k))
                    .is_some_and(|v| v == "true")
            }) {
                continue;
            }
            let rules = ingress
                .spec
                .iter()
                .flat_map(|s| s.rules.iter().flatten())
                .enumerate();
            for (r, rule) in rules {
                let host = rule.host.clone().unwrap_or_else(|| "*".into());
                for (p, path) in rule.http.iter().flat_map(|h| h.paths.iter()).enumerate() {
                    let text = path.path.clone().unwrap_or_else(|| "/".into());
                    let item = [
                        Key("spec"),
                        Key("rules"),
                        Index(r),
                        Key("http"),
                        Key("paths"),
                        Index(p),
                    ];
                    let span = view
                        .lookup(&[&item[..], &[Key("path")]].concat())
                        .or_else(|| view.lookup(&item))
                        .map_or_else(|| view.object_span(), |e| view.file.tree.span(e.value));
                    let claim = Claim {
                        key: entry.key,
                        span,
                        location: view.location(span),
                        owner: view.reference().to_string(),
                        served: &entry.served_by,
                    };
                    let groups = routes
                        .entry((host.clone(), text, path.path_type.clone()))
                        .or_default();
                    match groups
                        .iter_mut()
                        .find(|g| common(g[0].served, claim.served).is_some())
                    {
                        Some(group) if group.iter().any(|c| c.owner == claim.owner) => {}
                        Some(group) => group.push(claim),
                        None => groups.push(vec![claim]),
                    }
                }
            }
        }
        for ((host, path, path_type), groups) in routes {
            for group in groups.iter().filter(|g| g.len() > 1) {
                let (first, at) = (&group[0], &group[1]);
                let Some((i, _)) = common(first.served, at.served) else {
                    continue;
                };
                let controller = &context.inventory.controllers[i].controller.id;
                let names: Vec<String> = group.iter().map(|c| c.owner.clone()).collect();
                let message = format!(
                    "{} Ingresses route {host}{path} ({path_type}): {}: {controller} serves only one of them",
                    group.len(),
                    listing(&names)
                );
                let others = group
                    .iter()
                    .filter(|c| c.key != at.key)
                    .map(|c| (c.location, format!("{} routes it here", c.owner), None));
                out.push(
                    context
                        .view(at.key)
                        .finding(&info, at.span, message)
                        .related_group(others)
                        .help("keep one route per host and path, or mark the others as canaries"),
                );
            }
        }
    }
}
