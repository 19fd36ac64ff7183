//! The pod template of a workload, whatever its kind, and where it sits in the tree.

use std::collections::BTreeMap;

use manifest::model::PodFacts;
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
    pub spec: &'a PodFacts,
    /// The path of the PodSpec below the object.
    pub spec_path: &'static [PathStep<'static>],
}

pub fn pod_of(object: &Object) -> Option<PodView<'_>> {
    let TypedObject::Workload(workload) = &object.typed else {
        return None;
    };
    Some(PodView {
        labels: workload.pod_labels.as_ref(),
        spec: workload.pod.as_ref()?,
        spec_path: workload.spec_path,
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
