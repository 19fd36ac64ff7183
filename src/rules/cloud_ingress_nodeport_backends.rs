//! A cloud ingress sends traffic to its backends through NodePort Services: an AWS ALB in
//! `instance` target mode (the default), or GKE Ingress with container-native load balancing
//! (NEG) turned off on the Service.
//!
//! ## Why
//! The load balancer targets every node's NodePort, and kube-proxy forwards to a pod, often on
//! another node: an extra hop, uneven spreading, lost client IPs unless
//! `externalTrafficPolicy: Local`, and health checks that see nodes rather than pods. IP targets
//! (pods registered directly) avoid all of that.
//!
//! ## Example
//! ```yaml
//! kind: Ingress
//! metadata:
//!   annotations:
//!     alb.ingress.kubernetes.io/scheme: internet-facing   # no target-type: instance
//! spec:
//!   ingressClassName: alb
//! ```
//!
//! ## Fix
//! ALB: `alb.ingress.kubernetes.io/target-type: ip` (needs the VPC CNI, and lets the backend
//! Services be ClusterIP). GKE: remove `cloud.google.com/neg: '{"ingress": false}'` from the
//! Service. Sources:
//! https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/,
//! https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing
use crate::knowledge::{AnnotatedObject, BackendTargets};
use std::collections::BTreeSet;

use k8s_openapi::api::networking::v1::Ingress;

use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct CloudIngressNodeportBackends;

/// The Service names an Ingress routes to.
fn backends(ingress: &Ingress) -> BTreeSet<String> {
    let spec = ingress.spec.as_ref();
    let default = spec
        .and_then(|s| s.default_backend.as_ref())
        .and_then(|b| b.service.as_ref())
        .map(|s| s.name.clone());
    spec.iter()
        .flat_map(|s| s.rules.iter().flatten())
        .flat_map(|r| r.http.iter().flat_map(|h| h.paths.iter()))
        .filter_map(|p| p.backend.service.as_ref().map(|s| s.name.clone()))
        .chain(default)
        .collect()
}

impl Rule for CloudIngressNodeportBackends {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "cloud-ingress-nodeport-backends",
            Info,
            "cloud_ingress_nodeport_backends.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let inventory = &context.inventory;
        let clouds: Vec<(&str, &BackendTargets)> = context
            .knowledge
            .controllers
            .iter()
            .filter_map(|c| Some((c.id.as_str(), c.backend_targets.as_ref()?)))
            .collect();
        for entry in &inventory.ingresses {
            let view = context.view(entry.key);
            let manifest::TypedObject::Ingress(ingress) = &view.object.typed else {
                continue;
            };
            let annotations = ingress.metadata.annotations.as_ref();
            // The cloud controller that serves it, or whose class it names when that
            // controller runs outside the input.
            let serves = |id: &str, targets: &BackendTargets| {
                entry
                    .served_by
                    .iter()
                    .any(|(i, _)| inventory.controllers[*i].controller.id == id)
                    || (entry.served_by.is_empty()
                        && entry
                            .class
                            .as_deref()
                            .is_some_and(|c| targets.classes.iter().any(|k| k == c)))
            };
            let Some(&(_, targets)) = clouds.iter().find(|(id, t)| serves(id, t)) else {
                continue;
            };
            let on_ingress = targets
                .read_on
                .contains(&AnnotatedObject::Ingress)
                .then(|| annotations.and_then(|a| a.get(&targets.annotation)))
                .flatten();
            let namespace = view.namespace();
            let nodeport: Vec<_> = backends(ingress)
                .into_iter()
                .filter_map(|name| {
                    inventory.services.iter().find(|s| {
                        s.namespace == namespace
                            && context.objects.get(s.key).reference.name == name
                    })
                })
                .filter(|s| {
                    let on_service = targets
                        .read_on
                        .contains(&AnnotatedObject::Service)
                        .then(|| {
                            context
                                .objects
                                .get(s.key)
                                .annotations()
                                .and_then(|a| a.get(&targets.annotation))
                        })
                        .flatten();
                    targets.through_node_ports(on_service.or(on_ingress).map(String::as_str))
                })
                .collect();
            if nodeport.is_empty() {
                continue;
            }
            let span = if on_ingress.is_some() {
                view.annotation_span(&targets.annotation)
            } else {
                entry
                    .class_span
                    .unwrap_or_else(|| context.objects.name_span(entry.key))
            };
            let names: Vec<String> = nodeport
                .iter()
                .map(|s| context.objects.reference(s.key).name)
                .collect();
            let message = format!(
                "{}: {}: traffic reaches {} through node ports, one extra hop via kube-proxy",
                view.reference(),
                targets.what,
                names.join(", ")
            );
            let mut finding = view.finding(&info, span, message).help(targets.fix.clone());
            for service in &nodeport {
                let other = context.view(service.key);
                finding = finding.related(
                    other.location(context.objects.name_span(service.key)),
                    "backend Service",
                    Some(other.reference()),
                );
            }
            out.push(finding);
        }
    }
}
