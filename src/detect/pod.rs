//! The pod template of a workload, whatever its kind, and where it sits in the tree.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::PodSpec;
use manifest::parse::PathStep;
use manifest::{Object, TypedObject};

/// Kinds whose pods can run an ingress controller.
pub const WORKLOAD_KINDS: [&str; 5] = [
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "Pod",
];

pub struct PodView<'a> {
    pub labels: Option<&'a BTreeMap<String, String>>,
    pub spec: &'a PodSpec,
    /// The path of the PodSpec below the object.
    pub spec_path: &'static [PathStep<'static>],
}

const TEMPLATE_SPEC: &[PathStep<'static>] = &[
    PathStep::Key("spec"),
    PathStep::Key("template"),
    PathStep::Key("spec"),
];
const POD_SPEC: &[PathStep<'static>] = &[PathStep::Key("spec")];

pub fn pod_of(object: &Object) -> Option<PodView<'_>> {
    let (template, spec_path) = match &object.typed {
        TypedObject::Deployment(d) => (Some(&d.spec.template), TEMPLATE_SPEC),
        TypedObject::DaemonSet(d) => (Some(&d.spec.template), TEMPLATE_SPEC),
        TypedObject::StatefulSet(s) => (Some(&s.spec.template), TEMPLATE_SPEC),
        TypedObject::ReplicaSet(r) => (r.spec.template.as_ref(), TEMPLATE_SPEC),
        TypedObject::Pod(p) => {
            return p.spec.as_ref().map(|spec| PodView {
                labels: p.metadata.labels.as_ref(),
                spec,
                spec_path: POD_SPEC,
            })
        }
        _ => return None,
    };
    let template = template?;
    Some(PodView {
        labels: template.metadata.as_ref().and_then(|m| m.labels.as_ref()),
        spec: template.spec.as_ref()?,
        spec_path,
    })
}

impl PodView<'_> {
    /// The path to a field below the PodSpec.
    pub fn path<'p>(&self, rest: &[PathStep<'p>]) -> Vec<PathStep<'p>> {
        let mut path: Vec<PathStep<'p>> = self.spec_path.to_vec();
        path.extend_from_slice(rest);
        path
    }

    /// The path to a field of `containers[container].ports[port]`.
    pub fn port_path(
        &self,
        container: usize,
        port: usize,
        field: &'static str,
    ) -> Vec<PathStep<'static>> {
        self.path(&[
            PathStep::Key("containers"),
            PathStep::Index(container),
            PathStep::Key("ports"),
            PathStep::Index(port),
            PathStep::Key(field),
        ])
    }

    pub fn host_network(&self) -> bool {
        self.spec.host_network == Some(true)
    }

    /// Whether a Service selector picks these pods.
    pub fn selected_by(&self, selector: &BTreeMap<String, String>) -> bool {
        !selector.is_empty()
            && self
                .labels
                .is_some_and(|labels| selector.iter().all(|(k, v)| labels.get(k) == Some(v)))
    }
}
