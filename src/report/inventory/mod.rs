//! `inventory` output: what runs, what it serves, how it is exposed (SPEC §8), as JSON, a
//! terminal table or Markdown with a Mermaid diagram.

mod markdown;
mod table;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::detect::{
    ClassSource, ControllerInstance, Exposure, Inventory, ObjectKey, Objects, Served, Tri,
};
use crate::findings::GROUP_LISTED;
use crate::knowledge::sets::Lifecycle;
use crate::release::Origin;

pub use markdown::markdown;
pub use table::table;

/// An object reference with where it is defined.
#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocatedRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl LocatedRef {
    pub fn new(objects: &Objects<'_>, key: ObjectKey) -> LocatedRef {
        let reference = objects.reference(key);
        let (source, at) = objects.position(key.file, objects.name_span(key));
        LocatedRef {
            api_version: reference.api_version,
            kind: reference.kind,
            namespace: reference.namespace,
            name: reference.name,
            file: source.name.clone(),
            line: at.line,
            column: at.column,
        }
    }

    /// `Kind namespace/name`.
    pub fn label(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

    pub fn at(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Serialize)]
pub struct InventoryReport {
    pub version: u32,
    pub controllers: Vec<ControllerReport>,
    pub ingress_classes: Vec<ClassReport>,
    pub ingresses: Vec<IngressReport>,
    /// Helm releases of controller charts, read or not.
    pub releases: Vec<ReleaseReport>,
    /// The clusters the repository's layout shows (none: one cluster).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterReport>,
}

#[derive(Serialize)]
pub struct ClusterReport {
    pub name: String,
    pub how: String,
    pub files: usize,
}

#[derive(Serialize)]
pub struct ReleaseReport {
    pub declared_by: String,
    pub tool: &'static str,
    pub name: String,
    pub namespace: String,
    pub chart: String,
    pub version: Option<String>,
    pub controller: &'static str,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Why it was not rendered, when it was not.
    pub unread: Option<String>,
    pub unknown: Vec<UnknownReport>,
}

#[derive(Serialize)]
pub struct ControllerReport {
    pub id: String,
    pub name: String,
    pub lifecycle: Lifecycle,
    /// `rendered`, `release`, `managed`, `bundled` or `declared`.
    pub origin: Origin,
    pub origin_reason: String,
    pub workload: LocatedRef,
    pub data_plane: Vec<LocatedRef>,
    pub images: Vec<String>,
    pub classes: Vec<String>,
    pub controller_values: Vec<String>,
    pub takes_classless: bool,
    pub takes_classless_reason: String,
    pub providers: Vec<ProviderReport>,
    pub exposure: Vec<Exposure>,
    pub services: Vec<ServiceReport>,
    pub host_ports: Vec<HostPortReport>,
    pub listen_ports: Vec<ListenPortReport>,
    pub publishes_status: bool,
    pub publishes_status_reason: String,
    /// Settings whose value cannot be known from the manifests, and why.
    pub unknown: Vec<UnknownReport>,
}

#[derive(Serialize)]
pub struct ProviderReport {
    pub name: String,
    pub classes: Vec<String>,
    pub controller_values: Vec<String>,
    pub takes_classless: Option<bool>,
    pub takes_classless_reason: String,
}

#[derive(Serialize)]
pub struct ServiceReport {
    #[serde(flatten)]
    pub service: LocatedRef,
    #[serde(rename = "type")]
    pub type_: String,
    pub load_balancer_ip: Option<String>,
    pub load_balancer_class: Option<String>,
    pub external_traffic_policy: Option<String>,
    pub ports: Vec<String>,
}

#[derive(Serialize)]
pub struct HostPortReport {
    pub host_port: u16,
    pub container_port: u16,
    pub protocol: String,
    pub implicit: bool,
    pub workload: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Serialize)]
pub struct ListenPortReport {
    pub port: u16,
    pub protocol: String,
    pub source: String,
    pub workload: String,
}

#[derive(Serialize)]
pub struct UnknownReport {
    pub setting: String,
    pub reason: String,
}

/// Unknown settings grouped by reason, in first-seen order: a configuration file missing
/// from the input makes every setting unknown for one reason, said once (the names joined,
/// the first few and a count past three). JSON keeps one entry per setting.
pub(super) fn unknown_by_reason(unknown: &[UnknownReport]) -> Vec<(String, &str)> {
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for u in unknown {
        match groups.iter_mut().find(|(_, reason)| *reason == u.reason) {
            Some((settings, _)) => settings.push(&u.setting),
            None => groups.push((vec![&u.setting], &u.reason)),
        }
    }
    groups
        .into_iter()
        .map(|(settings, reason)| {
            let label = if settings.len() > 3 {
                format!(
                    "{} and {} more",
                    settings[..3].join(", "),
                    settings.len() - 3
                )
            } else {
                settings.join(", ")
            };
            (label, reason)
        })
        .collect()
}

/// The labels of the listed controllers, and `… and N more` for the others.
pub fn served_labels(listed: &[LocatedRef], count: usize) -> Vec<String> {
    let mut labels: Vec<String> = listed.iter().map(LocatedRef::label).collect();
    if count > listed.len() {
        labels.push(format!("… and {} more", count - listed.len()));
    }
    labels
}

#[derive(Serialize)]
pub struct ClassReport {
    pub name: String,
    pub controller: Option<String>,
    pub default: bool,
    /// The controllers serving it, at most `GROUP_LISTED` (10) of them.
    pub served_by: Vec<LocatedRef>,
    /// How many controllers serve it.
    pub served_by_count: usize,
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Serialize)]
pub struct IngressReport {
    #[serde(flatten)]
    pub ingress: LocatedRef,
    pub class: Option<String>,
    pub class_source: ClassSource,
    /// The controllers serving it, at most `GROUP_LISTED` (10) of them.
    pub served_by: Vec<LocatedRef>,
    /// How many controllers serve it.
    pub served_by_count: usize,
    pub annotation_prefixes: BTreeMap<String, usize>,
    /// Where a values-defined Ingress is defined (`values `ingress.app` of HelmRelease …`);
    /// absent for a manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

fn tri(value: &Tri) -> Option<bool> {
    match value {
        Tri::Yes(_) => Some(true),
        Tri::No(_) => Some(false),
        Tri::Unknown(_) => None,
    }
}

fn sorted_unique(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items.dedup();
    items
}

fn controller_report(objects: &Objects<'_>, instance: &ControllerInstance) -> ControllerReport {
    let workload_label = |key: ObjectKey| objects.reference(key).to_string();
    let classless = instance
        .claimants
        .iter()
        .find(|c| c.takes_classless.is_yes());
    let undecided = instance
        .claimants
        .iter()
        .find(|c| matches!(c.takes_classless, Tri::Unknown(_)));
    let takes_classless_reason = match (classless, undecided) {
        (Some(c), _) => format!("{} provider: {}", c.provider, c.takes_classless.reason()),
        (None, Some(c)) => format!("unknown: {}", c.takes_classless.reason()),
        (None, None) => instance
            .claimants
            .first()
            .map_or_else(String::new, |c| c.takes_classless.reason().to_string()),
    };
    let mut unknown: Vec<UnknownReport> = instance
        .settings
        .iter()
        .filter_map(|s| match &s.value {
            crate::detect::settings::Value::Unknown(reason) => Some(UnknownReport {
                setting: s.name.to_string(),
                reason: reason.clone(),
            }),
            crate::detect::settings::Value::Known(_) => None,
        })
        .collect();
    if let Some(provenance) = objects.releases.provenance(instance.workload) {
        unknown.extend(provenance.unknowns.iter().map(|u| UnknownReport {
            setting: u.fact.clone(),
            reason: u.reason.clone(),
        }));
    }
    unknown.sort_by(|a, b| a.setting.cmp(&b.setting));
    ControllerReport {
        id: instance.controller.id.clone(),
        name: instance.controller.name.clone(),
        lifecycle: instance.controller.lifecycle,
        origin: instance.origin,
        origin_reason: instance.origin_reason.clone(),
        workload: LocatedRef::new(objects, instance.workload),
        data_plane: instance
            .data_plane
            .iter()
            .map(|k| LocatedRef::new(objects, *k))
            .collect(),
        images: sorted_unique(instance.images.clone()),
        classes: sorted_unique(
            instance
                .claimants
                .iter()
                .flat_map(|c| c.classes.clone())
                .collect(),
        ),
        controller_values: sorted_unique(
            instance
                .claimants
                .iter()
                .flat_map(|c| c.controller_values.clone())
                .collect(),
        ),
        takes_classless: classless.is_some(),
        takes_classless_reason,
        providers: instance
            .claimants
            .iter()
            .map(|c| ProviderReport {
                name: c.provider.clone(),
                classes: c.classes.clone(),
                controller_values: c.controller_values.clone(),
                takes_classless: tri(&c.takes_classless),
                takes_classless_reason: c.takes_classless.reason().to_string(),
            })
            .collect(),
        exposure: instance.exposure.clone(),
        services: Vec::new(),
        host_ports: instance
            .host_ports
            .iter()
            .map(|h| {
                let (source, at) = objects.position(h.workload.file, h.span);
                HostPortReport {
                    host_port: h.host_port,
                    container_port: h.container_port,
                    protocol: h.protocol.clone(),
                    implicit: h.implicit,
                    workload: workload_label(h.workload),
                    file: source.name.clone(),
                    line: at.line,
                    column: at.column,
                }
            })
            .collect(),
        listen_ports: instance
            .listen_ports
            .iter()
            .map(|l| ListenPortReport {
                port: l.port,
                protocol: l.protocol.clone(),
                source: l.source.clone(),
                workload: workload_label(l.workload),
            })
            .collect(),
        publishes_status: instance.publishes_status.is_yes(),
        publishes_status_reason: instance.publishes_status.reason().to_string(),
        unknown,
    }
}

/// The controllers listed for a class or an Ingress, and how many there are.
type Listed = (Vec<LocatedRef>, usize);

pub fn report(objects: &Objects<'_>, inventory: &Inventory) -> InventoryReport {
    // Objects served alike share one list: listed once per list, at most GROUP_LISTED
    // controllers (the count says how many), so the report grows with the input, not with
    // controllers × Ingresses.
    let mut listed: HashMap<*const Vec<(usize, usize)>, Listed> = HashMap::new();
    let mut served = |pairs: &Served| {
        listed
            .entry(Arc::as_ptr(pairs))
            .or_insert_with(|| {
                let mut workloads: Vec<ObjectKey> = pairs
                    .iter()
                    .map(|(i, _)| inventory.controllers[*i].workload)
                    .collect();
                workloads.sort_unstable();
                workloads.dedup();
                let mut refs: Vec<LocatedRef> = workloads
                    .iter()
                    .map(|w| LocatedRef::new(objects, *w))
                    .collect();
                refs.sort();
                refs.dedup();
                let count = refs.len();
                refs.truncate(GROUP_LISTED);
                (refs, count)
            })
            .clone()
    };
    let controllers = inventory
        .controllers
        .iter()
        .map(|instance| {
            let mut report = controller_report(objects, instance);
            report.services = instance
                .services
                .iter()
                .map(|&s| {
                    let service = &inventory.services[s];
                    ServiceReport {
                        service: LocatedRef::new(objects, service.key),
                        type_: service.type_.clone(),
                        load_balancer_ip: service.load_balancer_ip.clone(),
                        load_balancer_class: service.load_balancer_class.clone(),
                        external_traffic_policy: service.external_traffic_policy.clone(),
                        ports: service.ports.clone(),
                    }
                })
                .collect();
            report
        })
        .collect();
    let ingress_classes = inventory
        .classes
        .iter()
        .map(|class| {
            let at = LocatedRef::new(objects, class.key);
            let (served_by, served_by_count) = served(&class.served_by);
            ClassReport {
                name: class.name.clone(),
                controller: class.controller.clone(),
                default: class.default,
                served_by,
                served_by_count,
                file: at.file,
                line: at.line,
                column: at.column,
            }
        })
        .collect();
    let ingresses = inventory
        .ingresses
        .iter()
        .map(|entry| {
            let (served_by, served_by_count) = served(&entry.served_by);
            IngressReport {
                ingress: LocatedRef::new(objects, entry.key),
                class: entry.class.clone(),
                class_source: entry.class_source,
                served_by,
                served_by_count,
                annotation_prefixes: entry.annotation_prefixes.clone(),
                origin: objects.releases.values_origin(entry.key).map(|(o, _)| o),
            }
        })
        .collect();
    let releases = objects
        .releases
        .list
        .iter()
        .filter(|r| objects.in_scope(r.file))
        .map(|r| {
            let (source, at) = objects.position(r.file, r.anchor);
            ReleaseReport {
                declared_by: r.declared_by.clone(),
                tool: r.kind.tool(),
                name: r.name.clone(),
                namespace: r.namespace.clone(),
                chart: r.chart.clone(),
                version: r.version.clone(),
                controller: r.controller,
                file: source.name.clone(),
                line: at.line,
                column: at.column,
                unread: r.unread.clone(),
                unknown: r
                    .unknowns
                    .iter()
                    .map(|u| UnknownReport {
                        setting: u.fact.clone(),
                        reason: u.reason.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let clusters = objects
        .releases
        .clusters
        .iter()
        .map(|c| ClusterReport {
            name: c.name.clone(),
            how: c.how.clone(),
            files: c.files.len(),
        })
        .collect();
    InventoryReport {
        version: 2,
        controllers,
        ingress_classes,
        ingresses,
        releases,
        clusters,
    }
}

/// The JSON inventory, written as it is serialised (a fleet's is over a hundred megabytes).
pub fn write_json(report: &InventoryReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::report::write_pretty_json(report, out)
}
