//! Two or more claimants would serve the same Ingresses: one class claimed twice, or
//! class-less Ingresses taken twice. A claimant is a controller workload, or one provider in a
//! workload that runs several (Traefik's Ingress and ingress-nginx providers).
//!
//! ## Why
//! Both controllers route the same hosts, each with its own configuration, and both write
//! `status.loadBalancer`: the Ingress's address flaps between them and ExternalDNS follows,
//! sending clients to one load balancer, then the other. In a migration this is exactly what
//! happens when the new controller is installed with a chart default that takes everything.
//!
//! ## Example
//! Traefik's chart (no class filter: takes class-less Ingresses) installed next to
//! ingress-nginx with `--watch-ingress-without-class=true`.
//!
//! ## Fix
//! Give each controller its own class (`--ingress-class`, `--controller-class`, Traefik's
//! `providers.kubernetesIngress.ingressClass`), let only one take class-less Ingresses, and
//! give every Ingress an explicit `spec.ingressClassName`. During a planned switchover, turn
//! off status publishing on the controller that is not yet live.
use std::collections::{BTreeMap, BTreeSet};

use std::sync::Arc;

use crate::detect::{ClassEntry, ClassSource, IngressEntry, Served, Tri};
use crate::findings::{listing, Finding};

use super::{rule_info, Context, Rule, RuleInfo};

pub struct IngressClassContested;

impl Rule for IngressClassContested {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "ingress-class-contested",
            Error,
            "ingress_class_contested.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let inventory = &context.inventory;
        let claimant_label = |(i, c): (usize, usize)| {
            let instance = &inventory.controllers[i];
            let provider = if instance.claimants.len() > 1 {
                format!(" ({} provider)", instance.claimants[c].provider)
            } else {
                String::new()
            };
            format!(
                "{} {}{provider}",
                instance.controller.id,
                context.objects.reference(instance.workload)
            )
        };
        let claimant_location = |(i, c): (usize, usize)| {
            let instance = &inventory.controllers[i];
            let span = instance.claimants[c]
                .class_span
                .unwrap_or_else(|| context.objects.name_span(instance.workload));
            context.view(instance.workload).location(span)
        };

        // Only the listed ones are located: a fleet has thousands of claimants.
        let related_claimants =
            |claimants: &[(usize, usize)], what: &dyn Fn((usize, usize)) -> String| {
                claimants
                    .iter()
                    .take(crate::findings::GROUP_LISTED)
                    .map(|&s| {
                        (
                            claimant_location(s),
                            what(s),
                            Some(
                                context
                                    .objects
                                    .reference(inventory.controllers[s.0].workload),
                            ),
                        )
                    })
                    .collect::<Vec<_>>()
            };

        // Class-less Ingresses taken by more than one claimant: one finding, at the second.
        let takers: Vec<(usize, usize)> = inventory
            .claimants()
            .filter(|(_, c)| c.takes_classless.is_yes())
            .map(|(at, _)| at)
            .collect();
        if let [_, taker, ..] = takers[..] {
            let (i, c) = taker;
            let instance = &inventory.controllers[i];
            let view = context.view(instance.workload);
            let affected = inventory
                .ingresses
                .iter()
                .filter(|e| e.class_source == ClassSource::None)
                .count();
            let names: Vec<String> = takers
                .iter()
                .map(
                    |&t| match &inventory.controllers[t.0].claimants[t.1].takes_classless {
                        Tri::Yes(reason) => format!("{} ({reason})", claimant_label(t)),
                        _ => claimant_label(t),
                    },
                )
                .collect();
            let message = format!(
                "class-less Ingresses are taken by {} controllers: {}: they all route them and fight over their status ({affected} class-less Ingress(es) in the input)",
                takers.len(),
                listing(&names)
            );
            let others: Vec<(usize, usize)> =
                takers.iter().copied().filter(|t| *t != (i, c)).collect();
            let finding = view
                .finding(&info, claimant_location(taker).span, message)
                .related_group(related_claimants(&others, &|s| {
                    format!("{} also takes class-less Ingresses", claimant_label(s))
                }))
                .help(classless_help(inventory, &takers));
            out.push(finding);
        }

        // An IngressClass served by more than one claimant: one finding per class name.
        let mut contested: BTreeMap<&str, Vec<&ClassEntry>> = BTreeMap::new();
        for class in inventory.classes.iter().filter(|c| c.served_by.len() > 1) {
            contested
                .entry(class.name.as_str())
                .or_default()
                .push(class);
        }
        for (name, classes) in contested {
            let class = classes[0];
            let served_by = union(classes.iter().map(|e| &e.served_by));
            let view = context.view(class.key);
            let names: Vec<String> = served_by.iter().map(|&s| claimant_label(s)).collect();
            let copies = if classes.len() > 1 {
                format!(" ({} IngressClass objects of this name)", classes.len())
            } else {
                String::new()
            };
            let message = format!(
                "IngressClass `{name}` ({}){copies} is served by {} controllers: {}: every Ingress of this class is routed more than once",
                class.controller.as_deref().unwrap_or("no spec.controller"),
                served_by.len(),
                listing(&names)
            );
            let finding = view
                .finding(&info, context.objects.name_span(class.key), message)
                .related_group(related_claimants(&served_by, &|s| format!("claimed by {}", claimant_label(s))))
                .help("give each controller its own controller value (ingress-nginx --controller-class, Traefik's ingress-nginx provider controllerClass)");
            out.push(finding);
        }

        // Ingresses whose class has no IngressClass object but a name two claimants answer
        // to: one finding per class, at its first Ingress, counting them.
        let class_objects: BTreeSet<&str> =
            inventory.classes.iter().map(|c| c.name.as_str()).collect();
        let mut answered: BTreeMap<&str, Vec<&IngressEntry>> = BTreeMap::new();
        for entry in &inventory.ingresses {
            let Some(class) = entry.class.as_deref() else {
                continue;
            };
            if entry.served_by.len() >= 2
                && entry.class_source != ClassSource::Default
                && !class_objects.contains(class)
            {
                answered.entry(class).or_default().push(entry);
            }
        }
        for (class, entries) in answered {
            let entry = entries[0];
            let view = context.view(entry.key);
            let served_by = union(entries.iter().map(|e| &e.served_by));
            let names: Vec<String> = served_by.iter().map(|&s| claimant_label(s)).collect();
            let span = entry
                .class_span
                .unwrap_or_else(|| context.objects.name_span(entry.key));
            let count = match entries.len() {
                1 => "the Ingress is".to_string(),
                n => format!("this Ingress and {} more of the class are", n - 1),
            };
            let message = format!(
                "{}: class `{class}` is answered by {} controllers: {}: {count} routed more than once",
                view.reference(),
                served_by.len(),
                listing(&names)
            );
            let finding = view
                .finding(&info, span, message)
                .related_group(related_claimants(&served_by, &|s| format!("{} serves class `{class}`", claimant_label(s))))
                .help("create an IngressClass for each controller and name one in spec.ingressClassName");
            out.push(finding);
        }
    }
}

/// Every claimant of lists that objects read alike mostly share: each shared list once.
fn union<'a>(lists: impl Iterator<Item = &'a Served>) -> Vec<(usize, usize)> {
    let mut distinct: Vec<&Served> = Vec::new();
    for list in lists {
        if !distinct.iter().any(|l| Arc::ptr_eq(l, list)) {
            distinct.push(list);
        }
    }
    let mut all: Vec<(usize, usize)> = distinct.iter().flat_map(|l| l.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// How to give every Ingress a class: the field, except for a controller that reads only the
/// annotation (GKE Ingress), whose Ingresses keep the annotation.
fn classless_help(inventory: &crate::detect::Inventory, takers: &[(usize, usize)]) -> String {
    let annotation_only: Vec<String> = takers
        .iter()
        .map(|&(i, c)| &inventory.controllers[i].claimants[c])
        .filter(|c| c.precedence == "annotation-only")
        .flat_map(|c| c.classes.first().cloned())
        .collect();
    match annotation_only.first() {
        Some(class) => format!("let one controller take class-less Ingresses, and give every Ingress a class: spec.ingressClassName, or for {class} the `kubernetes.io/ingress.class: {class}` annotation (the only class it reads)"),
        None => "let one controller take class-less Ingresses and give every Ingress an explicit spec.ingressClassName".to_string(),
    }
}
