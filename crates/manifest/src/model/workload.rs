//! What the analysis reads of a workload (Deployment, DaemonSet, StatefulSet, ReplicaSet,
//! Pod): its metadata and the facts of its pod template. The full typed object is decoded
//! first, so its schema is checked, then reduced to these facts: a typed `Container` is
//! 2.3 KB inline whatever it holds, and on the 100k-document benchmark the typed workloads
//! held about 80 MB of a 600 MB heap (issue 11).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvFromSource, EnvVar, NodeSelector, Pod, PodSpec, PodTemplateSpec,
    VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::parse::PathStep;

/// A workload: its metadata, its pods' labels and what the analysis reads of its pod spec.
#[derive(Clone, Debug, Default)]
pub struct Workload {
    pub metadata: ObjectMeta,
    /// The labels its pods carry (the template's; a Pod's own).
    pub pod_labels: Option<BTreeMap<String, String>>,
    /// Its pod spec, when it has one.
    pub pod: Option<PodFacts>,
    /// Where the pod spec sits below the object.
    pub spec_path: &'static [PathStep<'static>],
}

const TEMPLATE_SPEC: &[PathStep<'static>] = &[
    PathStep::Key("spec"),
    PathStep::Key("template"),
    PathStep::Key("spec"),
];
const POD_SPEC: &[PathStep<'static>] = &[PathStep::Key("spec")];

/// The fields of a `PodSpec` the analysis reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodFacts {
    pub containers: Vec<ContainerFacts>,
    pub host_network: Option<bool>,
    pub dns_policy: Option<String>,
    pub node_selector: Option<BTreeMap<String, String>>,
    /// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    pub required_node_affinity: Option<NodeSelector>,
}

/// The fields of a `Container` the analysis reads, as the Kubernetes types hold them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerFacts {
    pub name: String,
    pub image: Option<String>,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    pub env: Option<Vec<EnvVar>>,
    pub env_from: Option<Vec<EnvFromSource>>,
    pub ports: Option<Vec<ContainerPort>>,
    pub volume_mounts: Option<Vec<VolumeMount>>,
}

impl From<Container> for ContainerFacts {
    fn from(container: Container) -> ContainerFacts {
        ContainerFacts {
            name: container.name,
            image: container.image,
            command: container.command,
            args: container.args,
            env: container.env,
            env_from: container.env_from,
            ports: container.ports,
            volume_mounts: container.volume_mounts,
        }
    }
}

impl From<PodSpec> for PodFacts {
    fn from(spec: PodSpec) -> PodFacts {
        // Into a new vector: collected in place, the facts would keep the typed containers'
        // allocation, 2.3 KB a container.
        let mut containers = Vec::with_capacity(spec.containers.len());
        containers.extend(spec.containers.into_iter().map(ContainerFacts::from));
        PodFacts {
            containers,
            host_network: spec.host_network,
            dns_policy: spec.dns_policy,
            node_selector: spec.node_selector,
            required_node_affinity: spec
                .affinity
                .and_then(|a| a.node_affinity)
                .and_then(|n| n.required_during_scheduling_ignored_during_execution),
        }
    }
}

impl Workload {
    fn of_template(metadata: ObjectMeta, template: Option<PodTemplateSpec>) -> Workload {
        let (pod_labels, pod) = match template {
            Some(t) => (t.metadata.and_then(|m| m.labels), t.spec.map(Into::into)),
            None => (None, None),
        };
        Workload {
            metadata,
            pod_labels,
            pod,
            spec_path: TEMPLATE_SPEC,
        }
    }
}

impl From<Deployment> for Workload {
    fn from(d: Deployment) -> Workload {
        Workload::of_template(d.metadata, Some(d.spec.template))
    }
}

impl From<DaemonSet> for Workload {
    fn from(d: DaemonSet) -> Workload {
        Workload::of_template(d.metadata, Some(d.spec.template))
    }
}

impl From<StatefulSet> for Workload {
    fn from(s: StatefulSet) -> Workload {
        Workload::of_template(s.metadata, Some(s.spec.template))
    }
}

impl From<ReplicaSet> for Workload {
    fn from(r: ReplicaSet) -> Workload {
        Workload::of_template(r.metadata, r.spec.template)
    }
}

impl From<Pod> for Workload {
    fn from(p: Pod) -> Workload {
        Workload {
            pod_labels: p.metadata.labels.clone(),
            metadata: p.metadata,
            pod: p.spec.map(Into::into),
            spec_path: POD_SPEC,
        }
    }
}
