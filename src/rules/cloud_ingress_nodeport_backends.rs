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
use crate::knowledge::CLASS_ANNOTATION;
use std::collections::BTreeSet;

use k8s_openapi::api::networking::v1::Ingress;

use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};

const TARGET_TYPE: &str = "alb.ingress.kubernetes.io/target-type";
const NEG: &str = "cloud.google.com/neg";

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
        for entry in &inventory.ingresses {
            let view = context.view(entry.key);
            let manifest::TypedObject::Ingress(ingress) = &view.object.typed else {
                continue;
            };
            let annotations = ingress.metadata.annotations.clone().unwrap_or_default();
            let served_by = |id: &str| {
                entry
                    .served_by
                    .iter()
                    .any(|(i, _)| inventory.controllers[*i].controller.id == id)
            };
            let alb = served_by("aws-alb")
                || (entry.served_by.is_empty() && entry.class.as_deref() == Some("alb"));
            let gce = matches!(
                annotations.get(CLASS_ANNOTATION).map(String::as_str),
                Some("gce" | "gce-internal")
            );
            if !alb && !gce {
                continue;
            }
            let namespace = view.namespace();
            let services: Vec<_> = backends(ingress)
                .into_iter()
                .filter_map(|name| {
                    inventory.services.iter().find(|s| {
                        s.namespace == namespace
                            && context.objects.get(s.key).reference.name == name
                    })
                })
                .collect();
            let nodeport: Vec<_> = services
                .into_iter()
                .filter(|s| {
                    let service_annotations = context
                        .view(s.key)
                        .object
                        .metadata()
                        .annotations
                        .clone()
                        .unwrap_or_default();
                    if alb {
                        let mode = service_annotations
                            .get(TARGET_TYPE)
                            .or(annotations.get(TARGET_TYPE))
                            .map_or("instance", String::as_str);
                        mode == "instance"
                    } else {
                        service_annotations
                            .get(NEG)
                            .is_some_and(|v| v.replace(' ', "").contains("\"ingress\":false"))
                    }
                })
                .collect();
            if nodeport.is_empty() {
                continue;
            }
            let (what, span) = if alb {
                let span = if annotations.contains_key(TARGET_TYPE) {
                    view.annotation_span(TARGET_TYPE)
                } else {
                    entry
                        .class_span
                        .unwrap_or_else(|| context.objects.name_span(entry.key))
                };
                ("the ALB uses instance targets (the default)", span)
            } else {
                (
                    "GKE Ingress has container-native load balancing (NEG) turned off",
                    view.annotation_span(CLASS_ANNOTATION),
                )
            };
            let names: Vec<String> = nodeport
                .iter()
                .map(|s| context.objects.reference(s.key).name)
                .collect();
            let message = format!(
                "{}: {what}: traffic reaches {} through node ports, one extra hop via kube-proxy",
                view.reference(),
                names.join(", ")
            );
            let help = if alb {
                "set `alb.ingress.kubernetes.io/target-type: ip` to register the pods directly (VPC CNI)".to_string()
            } else {
                format!("remove `{NEG}: '{{\"ingress\": false}}'` from the Service to use NEGs")
            };
            let mut finding = view.finding(&info, span, message).help(help);
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
