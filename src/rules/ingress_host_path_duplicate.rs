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

use crate::findings::{Finding, Location};

use super::{rule_info, Context, Rule, RuleInfo};

pub struct IngressHostPathDuplicate;

/// (controller instance, claimant, host, path, pathType).
type Route = (usize, usize, String, String, String);

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
        // Each route → where it was first seen, and by which Ingress.
        let mut routes: BTreeMap<Route, (Location, String)> = BTreeMap::new();
        for entry in &context.inventory.ingresses {
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
                    let location = view.location(span);
                    let here = view.reference().to_string();
                    for &(i, c) in &entry.served_by {
                        let key = (i, c, host.clone(), text.clone(), path.path_type.clone());
                        match routes.get(&key) {
                            Some((first, owner)) if *owner != here => {
                                let controller = &context.inventory.controllers[i].controller.id;
                                let message = format!("{here} routes {host}{text} ({}), like {owner}: {controller} serves only one of them", path.path_type);
                                out.push(
                                    view.finding(&info, span, message)
                                        .related(*first, format!("{owner} routes it here"), None)
                                        .help("keep one route per host and path, or mark the second as a canary"),
                                );
                            }
                            Some(_) => {}
                            None => {
                                routes.insert(key, (location, here.clone()));
                            }
                        }
                    }
                }
            }
        }
    }
}
