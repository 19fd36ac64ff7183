//! An Ingress carries annotations of a controller other than the one(s) serving it: they are
//! ignored.
//!
//! ## Why
//! Each controller reads only its own annotation prefix. HAProxy annotations on an Ingress
//! that ingress-nginx serves do nothing — often a leftover of an earlier migration, or a
//! half-finished one: the Ingress looks configured and is not. Traefik's ingress-nginx
//! provider does read `nginx.ingress.kubernetes.io/*`, so those are not reported on Ingresses
//! it serves.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     haproxy.org/timeout-server: 30s
//! spec:
//!   ingressClassName: nginx        # served by ingress-nginx
//! ```
//!
//! The old unprefixed `ingress.kubernetes.io/*` keys (ingress-nginx's own before 0.9, still
//! read by the HAProxy controllers) on an Ingress ingress-nginx serves are said as what they
//! are: a former name of ingress-nginx's key.
//!
//! ## Fix
//! Translate the annotation for the serving controller (`ingress-lint translate`), or remove
//! it; rename an old `ingress.kubernetes.io/` key to `nginx.ingress.kubernetes.io/`.
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use manifest::ObjectRef;

use crate::findings::{listing, Finding};
use crate::knowledge::NGINX;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct AnnotationForeignController;

/// What the controllers of one list read, how they are named, and the controllers.
type Servers = (BTreeSet<String>, String, Vec<(usize, ObjectRef)>);

/// The prefix ingress-nginx used before 0.9.0, shared with the HAProxy controllers.
const LEGACY_PREFIX: &str = "ingress.kubernetes.io";

/// The current ingress-nginx key for an old-prefix key ingress-nginx still has, when
/// ingress-nginx serves the Ingress.
fn legacy_nginx_key(
    context: &Context<'_>,
    key: &str,
    readers: &BTreeSet<String>,
) -> Option<String> {
    let suffix = key.strip_prefix(LEGACY_PREFIX)?.strip_prefix('/')?;
    (readers.contains(NGINX) && context.knowledge.nginx_annotations.get(suffix).is_some())
        .then(|| format!("nginx.ingress.kubernetes.io/{suffix}"))
}

impl Rule for AnnotationForeignController {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "annotation-foreign-controller",
            Warning,
            "annotation_foreign_controller.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let inventory = &context.inventory;
        let prefixes = inventory.nginx_prefixes();
        // Ingresses served alike share their list of claimants: read it once per list.
        let mut by_list: HashMap<*const Vec<(usize, usize)>, Servers> = HashMap::new();
        for entry in inventory
            .ingresses
            .iter()
            .filter(|e| !e.served_by.is_empty())
        {
            let view = context.view(entry.key);
            // What the serving controllers read: their own ids, and ingress-nginx keys when a
            // Traefik ingress-nginx provider serves it.
            let (readers, names, servers) = by_list
                .entry(Arc::as_ptr(&entry.served_by))
                .or_insert_with(|| {
                    let mut readers = BTreeSet::new();
                    let mut servers = Vec::new();
                    for &(i, c) in entry.served_by.iter() {
                        let instance = &inventory.controllers[i];
                        readers.insert(instance.controller.id.clone());
                        let provider = &instance.claimants[c].provider;
                        if let Some(other) = instance
                            .controller
                            .providers
                            .iter()
                            .find(|p| &p.name == provider)
                            .and_then(|p| p.reads_annotations_of.as_ref())
                        {
                            readers.insert(other.clone());
                        }
                        servers.push((i, context.objects.reference(instance.workload)));
                    }
                    let names: Vec<String> = servers
                        .iter()
                        .map(|(i, r)| format!("{} ({r})", inventory.controllers[*i].controller.id))
                        .collect();
                    (readers, listing(&names), servers)
                });
            let (readers, names, servers) = (&*readers, names.as_str(), &*servers);
            for (key, _) in view.object.annotations().into_iter().flatten() {
                let Some(owner) = context.knowledge.owner(&prefixes, key) else {
                    continue;
                };
                if readers.contains(&owner) {
                    continue;
                }
                let (message, help) = match legacy_nginx_key(context, key, readers) {
                    // The old unprefixed form is ingress-nginx's own key under its former
                    // name: the useful advice is the rename.
                    Some(current) => (
                        format!(
                            "{}: `{key}` is ingress-nginx's former name of `{current}` (before 0.9; the {owner} controllers still read it), and the Ingress is served by {names}: it is ignored",
                            view.reference()
                        ),
                        format!(
                            "rename it to `{current}`, which ingress-nginx reads today; keep the old key only if a {owner} controller is meant to read it"
                        ),
                    ),
                    None => (
                        format!(
                            "{}: `{key}` belongs to {owner}, but the Ingress is served by {names}: it is ignored",
                            view.reference()
                        ),
                        format!(
                            "translate it for the serving controller (`ingress-lint translate --from {owner} --to {}`), or remove it",
                            inventory.controllers[servers[0].0].controller.id
                        ),
                    ),
                };
                let serving = servers.iter().map(|(i, reference)| {
                    let workload = inventory.controllers[*i].workload;
                    (
                        context
                            .view(workload)
                            .location(context.objects.name_span(workload)),
                        "the serving controller".to_string(),
                        Some(reference.clone()),
                    )
                });
                out.push(
                    view.finding(&info, view.annotation_span(key), message)
                        .help(help)
                        .related_group(serving),
                );
            }
        }
    }
}
