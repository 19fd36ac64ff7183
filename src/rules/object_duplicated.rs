//! The same object (kind, namespace, name) is defined in several files, differently: the
//! files are alternatives, not one cluster.
//!
//! ## Why
//! A controller's repository, or a platform repository, often holds several complete
//! installs side by side — `deploy/static/provider/{aws,baremetal,cloud,…}/deploy.yaml`, one
//! per environment — each with the same Namespace, Service, IngressClass and Deployment.
//! Read as one cluster they would merge: one class "served by ten controllers", every
//! controller exposed by nine Services. When no `clusters/` or `overlays/` layout says which
//! files go together, each such file is taken with the files that are no alternatives as a
//! cluster of its own (independent choices combined: a workload kind × a Service type), and
//! this says so once per set of alternatives, with each other file's definition located.
//!
//! ## Example
//! ```yaml
//! # deploy/static/provider/aws/deploy.yaml
//! kind: Service
//! metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
//! spec: {type: LoadBalancer, externalTrafficPolicy: Local}
//! ---
//! # deploy/static/provider/baremetal/deploy.yaml
//! kind: Service
//! metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
//! spec: {type: NodePort}
//! ```
//!
//! ## Fix
//! Say which files form which cluster (`clusters:` in `.ingress-lint.yaml`), or check each
//! alternative on its own (`ingress-lint check deploy/static/provider/aws`). If the files are
//! meant to be applied together, keep one definition.
use crate::findings::{listing, Finding, Location};

use super::{rule_info, Context, Rule, RuleInfo};

pub struct ObjectDuplicated;

impl Rule for ObjectDuplicated {
    fn info(&self) -> RuleInfo {
        rule_info!("object-duplicated", Info, "object_duplicated.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        for set in &context.objects.releases.alternatives {
            let Some(first) = set.objects.first() else {
                continue;
            };
            let (file, index) = first.definitions[0];
            // Said once: in a cluster holding the first definition.
            if !context.objects.in_scope(file) || !first_scope(context, set) {
                continue;
            }
            let location = |file: usize, index: usize| {
                let key = crate::detect::ObjectKey { file, index };
                Location::new(file, context.objects.name_span(key))
            };
            let names: Vec<String> = set
                .objects
                .iter()
                .map(|d| match &d.namespace {
                    Some(ns) => format!("{} {ns}/{}", d.kind, d.name),
                    None => format!("{} {}", d.kind, d.name),
                })
                .collect();
            let how = if set.separated {
                "they are taken as alternatives, each in clusters of its own, and their facts are not merged"
            } else {
                "they are alternatives, but too many to separate: they are read as one cluster"
            };
            let message = format!(
                "{} files define {} differently: {how}",
                set.files.len(),
                listing(&names)
            );
            // Each other file, at its first definition of one of these objects.
            let related = set.files.iter().filter(|&&f| f != file).filter_map(|&f| {
                let (of, oi) = set
                    .objects
                    .iter()
                    .find_map(|d| d.definitions.iter().find(|(df, _)| *df == f))?;
                Some((location(*of, *oi), "another definition".to_string(), None))
            });
            out.push(
                Finding::new(info.id, info.default_severity, location(file, index), message)
                    .help("say which files form which cluster (`clusters:` in .ingress-lint.yaml), or check each alternative on its own")
                    .related_group(related),
            );
        }
    }
}

/// Whether this is the first cluster run that holds every file of the set but its other
/// alternatives: with separate clusters, the one with the set's first file and, of every
/// other choice, its first file; else the one cluster.
fn first_scope(context: &Context<'_>, set: &crate::release::clusters::Alternatives) -> bool {
    let Some(scope) = context.objects.scope.as_ref() else {
        return true;
    };
    context
        .objects
        .releases
        .alternatives
        .iter()
        .filter(|other| !std::ptr::eq(*other, set))
        .all(|other| {
            other
                .files
                .first()
                .is_none_or(|f| scope.binary_search(f).is_ok())
        })
}
