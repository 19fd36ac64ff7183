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
use std::collections::BTreeSet;

use crate::detect::{ClassSource, Tri};
use crate::findings::Finding;

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

        // Class-less Ingresses taken by more than one claimant.
        let takers: Vec<(usize, usize)> = inventory
            .claimants()
            .filter(|(_, c)| c.takes_classless.is_yes())
            .map(|(at, _)| at)
            .collect();
        if let [first, rest @ ..] = takers.as_slice() {
            for &taker in rest {
                let (i, c) = taker;
                let instance = &inventory.controllers[i];
                let view = context.view(instance.workload);
                let reason = match &instance.claimants[c].takes_classless {
                    Tri::Yes(reason) => reason.clone(),
                    _ => String::new(),
                };
                let affected = inventory
                    .ingresses
                    .iter()
                    .filter(|e| e.class_source == ClassSource::None)
                    .count();
                let message = format!(
                    "class-less Ingresses are taken by {} ({reason}) and by {}: both route them and fight over their status ({affected} class-less Ingress(es) in the input)",
                    claimant_label(taker),
                    claimant_label(*first)
                );
                let location = claimant_location(taker);
                let finding = view
                    .finding(&info, location.span, message)
                    .related(
                        claimant_location(*first),
                        format!("{} also takes class-less Ingresses", claimant_label(*first)),
                        Some(
                            context
                                .objects
                                .reference(inventory.controllers[first.0].workload),
                        ),
                    )
                    .help(classless_help(inventory, &[taker, *first]));
                out.push(finding);
            }
        }

        // An IngressClass served by more than one claimant.
        for class in inventory.classes.iter().filter(|c| c.served_by.len() > 1) {
            let view = context.view(class.key);
            let names: Vec<String> = class.served_by.iter().map(|&s| claimant_label(s)).collect();
            let message = format!(
                "IngressClass `{}` ({}) is served by {}: every Ingress of this class is routed twice",
                class.name,
                class.controller.as_deref().unwrap_or("no spec.controller"),
                names.join(" and ")
            );
            let mut finding = view
                .finding(&info, context.objects.name_span(class.key), message)
                .help("give each controller its own controller value (ingress-nginx --controller-class, Traefik's ingress-nginx provider controllerClass)");
            for &s in &class.served_by {
                finding = finding.related(
                    claimant_location(s),
                    format!("claimed by {}", claimant_label(s)),
                    Some(
                        context
                            .objects
                            .reference(inventory.controllers[s.0].workload),
                    ),
                );
            }
            out.push(finding);
        }

        // Ingresses whose class has no IngressClass object but a name two claimants answer to.
        let class_objects: BTreeSet<&str> =
            inventory.classes.iter().map(|c| c.name.as_str()).collect();
        for entry in &inventory.ingresses {
            let Some(class) = entry.class.as_deref() else {
                continue;
            };
            if entry.served_by.len() < 2
                || entry.class_source == ClassSource::Default
                || class_objects.contains(class)
            {
                continue;
            }
            let view = context.view(entry.key);
            let names: Vec<String> = entry.served_by.iter().map(|&s| claimant_label(s)).collect();
            let span = entry
                .class_span
                .unwrap_or_else(|| context.objects.name_span(entry.key));
            let mut finding = view
                .finding(&info, span, format!("{}: class `{class}` is answered by {}: the Ingress is routed twice", view.reference(), names.join(" and ")))
                .help("create an IngressClass for each controller and name one in spec.ingressClassName");
            for &s in &entry.served_by {
                finding = finding.related(
                    claimant_location(s),
                    format!("{} serves class `{class}`", claimant_label(s)),
                    None,
                );
            }
            out.push(finding);
        }
    }
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
