//! Controllers the repository does not hold: run by the cloud (managed), installed by the
//! distribution (bundled, as its own Helm releases), declared in `.ingress-lint.yaml`, and the
//! pods a platform's service load balancer adds (k3s ServiceLB binds LoadBalancer ports on
//! every node). Each becomes objects standing for it, located where the input shows it (the
//! class that names it, its `HelmChartConfig`, the `controllers:` entry), or in a file of its
//! own named `platform:<id>` when only `--platform` says it is there.

use manifest::parse::{parse, Limits, PathStep};
use manifest::{LoadedFile, SourceText, Span, TypedObject};
use serde::Deserialize;

use super::discover::{Found, Plan, ReleaseKind, Source, ValuesPlan};
use super::{Origin, Stub};
use crate::knowledge::platforms::{Claims, Managed, Platform};
use crate::knowledge::{Knowledge, CLASS_ANNOTATION};
use manifest::ObjectKey;

/// A controller the repository does not hold, as `controllers:` declares it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredController {
    /// The controller id (`ingress-lint controllers` lists them).
    pub id: String,
    /// Its workload's name (default: the id).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    /// The classes it serves.
    #[serde(default)]
    pub classes: Vec<String>,
    /// The IngressClass `spec.controller` value it claims (default: the controller's own).
    #[serde(default)]
    pub controller_value: Option<String>,
    /// Whether it takes Ingresses with no class.
    #[serde(default)]
    pub classless: bool,
    pub exposure: DeclaredExposure,
    /// The load balancer IP it is reached at.
    #[serde(default)]
    pub ip: Option<String>,
    /// Ports bound on the nodes (hostport, hostnetwork); default 80 and 443.
    #[serde(default)]
    pub host_ports: Vec<u16>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeclaredExposure {
    Loadbalancer,
    Nodeport,
    Hostport,
    Hostnetwork,
    Cloud,
    Clusterip,
}

/// What the release stage is told about the clusters besides the files.
#[derive(Clone, Copy, Debug, Default)]
pub struct Setup<'a> {
    /// The namespace of objects that name none.
    pub namespace: &'a str,
    /// `--platform` (or the config's `platform:`).
    pub platform: Option<&'a str>,
    /// Bundled components turned off (config `disable:`).
    pub disabled: &'a [String],
    /// `.ingress-lint.yaml` (name, text) with its `controllers:`.
    pub config: Option<(&'a str, &'a str)>,
    pub declared: &'a [DeclaredController],
    /// The configuration says which files form which clusters (or that all are one): the
    /// repository's layout and alternatives are not looked for.
    pub clusters_configured: bool,
}

impl Setup<'_> {
    fn platform<'k>(&self, knowledge: &'k Knowledge) -> Option<&'k Platform> {
        self.platform.and_then(|id| knowledge.platform(id))
    }

    fn disables(&self, component: &str) -> bool {
        self.disabled.iter().any(|d| d == component)
    }
}

/// The file for a platform's own objects when nothing in the input shows them.
fn platform_file(files: &mut Vec<LoadedFile>, platform: &Platform) -> usize {
    let name = format!("platform:{}", platform.platform);
    if let Some(at) = files.iter().position(|f| f.source.name == name) {
        return at;
    }
    let text = format!(
        "# {}: controllers it runs or installs itself (--platform {}).\n",
        platform.name, platform.platform
    );
    files.push(manifest::load_file(
        SourceText::new(name, text),
        Limits::default(),
    ));
    files.len() - 1
}

/// Plans for the releases a distribution installs: customised by a `HelmChartConfig` in the
/// input, or there because `--platform` names the distribution and nothing turned them off;
/// and the platform such a `HelmChartConfig` shows.
pub(super) fn bundled_plans(
    files: &mut Vec<LoadedFile>,
    knowledge: &'static Knowledge,
    setup: &Setup<'_>,
    found: &[Plan],
) -> (Vec<Plan>, Option<&'static str>) {
    let mut plans = Vec::new();
    // The platform a bundled component's own configuration object shows (k3s's
    // `HelmChartConfig kube-system/traefik`): the input runs on it.
    let mut shown = None;
    for platform in &knowledge.platforms {
        for bundled in &platform.bundled {
            let same = |p: &Plan| {
                p.release.name == bundled.name && p.release.namespace == bundled.namespace
            };
            if found.iter().any(same) || setup.disables(&bundled.component) {
                continue;
            }
            let config = find_object(files, setup.namespace, |o, ns| {
                o.reference.kind == bundled.customised_by
                    && o.reference.name == bundled.name
                    && ns == bundled.namespace
            });
            let named = setup.platform == Some(platform.platform.as_str()) && bundled.default;
            let Some(data) = knowledge.chart_named(&bundled.chart) else {
                continue;
            };
            let (file, anchor, mut values, why) = match config {
                Some((key, span)) => {
                    let mut values = ValuesPlan::default();
                    let object = &files[key.file].objects[key.index];
                    if let Some(entry) = files[key.file]
                        .tree
                        .lookup_keys(object.node, &["spec", "valuesContent"])
                    {
                        values.sources.push(Source::Node {
                            file: key.file,
                            node: entry.value,
                            reported_at: None,
                        });
                    }
                    let why = format!("customised by its {}", bundled.customised_by);
                    shown.get_or_insert(platform.platform.as_str());
                    (key.file, span, values, why)
                }
                None if named => {
                    let file = platform_file(files, platform);
                    let why = format!("installed by default (--platform {})", platform.platform);
                    (file, Span::default(), ValuesPlan::default(), why)
                }
                None => continue,
            };
            let parsed = parse(&bundled.values, Limits::default());
            if let Some(root) = parsed.documents.first().and_then(|d| d.root) {
                let mut tree = manifest::parse::Tree::default();
                let mut budget = 100_000;
                if let Some(node) = tree.graft(&parsed.tree, root, &|_| anchor, &mut budget) {
                    values.sources.push(Source::Built(tree, node));
                }
            }
            let found = Found {
                kind: ReleaseKind::HelmChart,
                chart: bundled.chart.clone(),
                repository: None,
                version: Some(bundled.version.clone()),
                anchor,
                name: bundled.name.clone(),
                namespace: bundled.namespace.clone(),
                values,
            };
            let declared_by = format!(
                "{}'s bundled HelmChart {}/{}, {why}",
                platform.name, bundled.namespace, bundled.name
            );
            let mut plan = found.plan(data, file, declared_by);
            plan.release.origin = Origin::Bundled;
            plans.push(plan);
        }
    }
    (plans, shown)
}

/// Whether the input holds another LoadBalancer implementation's address pools (MetalLB,
/// Cilium LB IPAM): a distribution's own service load balancer is then not assumed.
pub(super) fn other_load_balancer(files: &[LoadedFile]) -> bool {
    files.iter().flat_map(|f| &f.objects).any(|o| {
        let group = o
            .reference
            .api_version
            .split('/')
            .next()
            .unwrap_or_default();
        matches!(
            (group, o.reference.kind.as_str()),
            (
                "metallb.io",
                "IPAddressPool" | "L2Advertisement" | "BGPAdvertisement"
            ) | ("cilium.io", "CiliumLoadBalancerIPPool")
        )
    })
}

/// The first object (with its namespace) that `wanted` accepts, and its name's span.
fn find_object(
    files: &[LoadedFile],
    namespace: &str,
    wanted: impl Fn(&manifest::Object, &str) -> bool,
) -> Option<(ObjectKey, Span)> {
    files.iter().enumerate().find_map(|(file, f)| {
        f.objects.iter().enumerate().find_map(|(index, o)| {
            let ns = o.reference.namespace.as_deref().unwrap_or(namespace);
            wanted(o, ns).then(|| {
                let span = f
                    .tree
                    .lookup_keys(o.node, &["metadata", "name"])
                    .map_or_else(|| f.tree.span(o.node), |e| f.tree.span(e.value));
                (ObjectKey { file, index }, span)
            })
        })
    })
}

/// Managed controllers: shown by a class only they serve, or on by default on the platform
/// `--platform` names.
pub(super) fn managed(
    files: &mut Vec<LoadedFile>,
    knowledge: &'static Knowledge,
    setup: &Setup<'_>,
    stubs: &mut Vec<Stub>,
) {
    for platform in &knowledge.platforms {
        for managed in &platform.managed {
            let (file, anchor, why) = match evidence(files, setup.namespace, managed) {
                Some((file, span, what)) => {
                    (file, Some(span), format!("{}: {what}", managed.description))
                }
                None if managed.on_by_default
                    && setup.platform == Some(platform.platform.as_str()) =>
                {
                    let file = platform_file(files, platform);
                    let why = format!(
                        "{}: on by default on {} (--platform {})",
                        managed.description, platform.name, platform.platform
                    );
                    (file, None, why)
                }
                None => continue,
            };
            let source = format!("{} ({})", managed.source, platform.name);
            let objects = synthesize(files, file, &managed.manifest, anchor, &source);
            stubs.push(Stub {
                origin: Origin::Managed,
                why,
                objects,
                claims: managed.claims.clone(),
            });
        }
    }
}

/// Where the input uses a class (or an IngressClass controller value) only this managed
/// controller serves, or a class-less Ingress carries annotations only it reads.
fn evidence(
    files: &[LoadedFile],
    namespace: &str,
    managed: &Managed,
) -> Option<(usize, Span, String)> {
    for (file, f) in files.iter().enumerate() {
        for object in &f.objects {
            let at = |path: &[&str]| {
                f.tree
                    .lookup_keys(object.node, path)
                    .map(|e| f.tree.span(e.value))
            };
            let name = &object.reference.name;
            match &object.typed {
                TypedObject::IngressClass(class) => {
                    let value = class.spec.as_ref().and_then(|s| s.controller.as_deref());
                    if let Some(value) =
                        value.filter(|v| managed.evidence.controller_values.iter().any(|e| e == v))
                    {
                        let span = at(&["spec", "controller"]).unwrap_or_default();
                        return Some((
                            file,
                            span,
                            format!("IngressClass {name} names controller {value}"),
                        ));
                    }
                }
                TypedObject::Ingress(ingress) => {
                    let (field, annotation) = crate::knowledge::written_classes(ingress);
                    let ns = object.reference.namespace.as_deref().unwrap_or(namespace);
                    for (class, path) in [
                        (
                            annotation,
                            vec!["metadata", "annotations", CLASS_ANNOTATION],
                        ),
                        (field, vec!["spec", "ingressClassName"]),
                    ] {
                        if let Some(class) =
                            class.filter(|c| managed.evidence.classes.iter().any(|e| e == c))
                        {
                            let span = at(&path).unwrap_or_default();
                            return Some((
                                file,
                                span,
                                format!("Ingress {ns}/{name} has class {class}"),
                            ));
                        }
                    }
                    // A class-less Ingress carrying annotations only it reads.
                    if field.is_none() && annotation.is_none() {
                        let own = object.annotations().into_iter().flatten().find(|(key, _)| {
                            managed.evidence.annotations.iter().any(|a| a == *key)
                        });
                        if let Some((key, _)) = own {
                            let span = at(&["metadata", "annotations", key]).unwrap_or_default();
                            return Some((
                                file,
                                span,
                                format!("Ingress {ns}/{name} has no class and carries `{key}`"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// Controllers `.ingress-lint.yaml` declares, located at their entries.
pub(super) fn declared(
    files: &mut Vec<LoadedFile>,
    knowledge: &'static Knowledge,
    setup: &Setup<'_>,
    stubs: &mut Vec<Stub>,
) {
    let Some((name, text)) = setup.config else {
        return;
    };
    if setup.declared.is_empty() {
        return;
    }
    files.push(manifest::load_file(
        SourceText::new(name, text),
        Limits::default(),
    ));
    let file = files.len() - 1;
    for (i, entry) in setup.declared.iter().enumerate() {
        let Some(controller) = knowledge.controller(&entry.id) else {
            continue;
        };
        let anchor = {
            let f = &files[file];
            let root = f.documents.first().and_then(|d| d.root);
            root.and_then(|r| {
                f.tree.lookup(
                    r,
                    &[
                        PathStep::Key("controllers"),
                        PathStep::Index(i),
                        PathStep::Key("id"),
                    ],
                )
            })
            .map(|e| f.tree.span(e.value))
            .unwrap_or_default()
        };
        let image = controller.images.first().map_or("", |i| i.path.as_str());
        let manifest = declared_manifest(entry, image, setup.namespace);
        let objects = synthesize(
            files,
            file,
            &manifest,
            Some(anchor),
            "controllers: in .ingress-lint.yaml",
        );
        let controller_values = match &entry.controller_value {
            Some(value) => vec![value.clone()],
            None => Vec::new(),
        };
        stubs.push(Stub {
            origin: Origin::Declared,
            why: format!("declared in {name} (controllers[{i}])"),
            objects,
            claims: Some(Claims {
                classes: entry.classes.clone(),
                controller_values,
                takes_classless: Some(entry.classless),
            }),
        });
    }
}

/// The objects standing for a declared controller: its workload (host ports or host network
/// as declared) and, for Service exposures, its Service (with the declared IP as status).
fn declared_manifest(entry: &DeclaredController, image: &str, namespace: &str) -> String {
    let name = entry.name.as_deref().unwrap_or(&entry.id);
    let namespace = entry.namespace.as_deref().unwrap_or(namespace);
    let ports = if entry.host_ports.is_empty() {
        vec![80, 443]
    } else {
        entry.host_ports.clone()
    };
    let (kind, pod_extra, container_ports) = match entry.exposure {
        DeclaredExposure::Hostport => {
            let ports: Vec<String> = ports
                .iter()
                .map(|p| format!("{{containerPort: {p}, hostPort: {p}}}"))
                .collect();
            (
                "DaemonSet",
                String::new(),
                format!("[{}]", ports.join(", ")),
            )
        }
        DeclaredExposure::Hostnetwork => {
            let ports: Vec<String> = ports
                .iter()
                .map(|p| format!("{{containerPort: {p}}}"))
                .collect();
            (
                "DaemonSet",
                "hostNetwork: true, ".to_string(),
                format!("[{}]", ports.join(", ")),
            )
        }
        _ => ("Deployment", String::new(), "[]".to_string()),
    };
    let label = format!("{{ingress-lint.io/declared: {name}}}");
    let mut text = format!(
        "apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: {name:?}, namespace: {namespace:?}}}\nspec:\n  selector: {{matchLabels: {label}}}\n  template:\n    metadata: {{labels: {label}}}\n    spec: {{{pod_extra}containers: [{{name: controller, image: {image:?}, ports: {container_ports}}}]}}\n"
    );
    let service_type = match entry.exposure {
        DeclaredExposure::Loadbalancer => Some("LoadBalancer"),
        DeclaredExposure::Nodeport => Some("NodePort"),
        DeclaredExposure::Clusterip => Some("ClusterIP"),
        _ => None,
    };
    if let Some(type_) = service_type {
        let status = entry
            .ip
            .as_deref()
            .map(|ip| format!("status: {{loadBalancer: {{ingress: [{{ip: {ip:?}}}]}}}}\n"))
            .unwrap_or_default();
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name:?}, namespace: {namespace:?}}}\nspec: {{type: {type_}, selector: {label}, ports: [{{name: http, port: 80}}, {{name: https, port: 443}}]}}\n{status}"
        ));
    }
    text
}

/// The pods a service load balancer adds: k3s ServiceLB runs a DaemonSet per LoadBalancer
/// Service, binding each of its ports as a host port on every node.
pub(super) fn service_load_balancer(
    files: &mut [LoadedFile],
    knowledge: &'static Knowledge,
    setup: &Setup<'_>,
    stubs: &mut Vec<Stub>,
) {
    let Some(platform) = setup.platform(knowledge) else {
        return;
    };
    let Some(lb) = platform.service_load_balancer.as_ref() else {
        return;
    };
    if !lb.binds_host_ports || setup.disables(&lb.component) {
        return;
    }
    for (file, host) in files.iter_mut().enumerate() {
        let mut wanted = Vec::new();
        let f = &*host;
        for object in &f.objects {
            let TypedObject::Service(service) = &object.typed else {
                continue;
            };
            let Some(spec) = service.spec.as_ref() else {
                continue;
            };
            if spec.type_.as_deref() != Some("LoadBalancer")
                || (lb.ignores_load_balancer_class && spec.load_balancer_class.is_some())
            {
                continue;
            }
            let ports: Vec<String> = spec
                .ports
                .iter()
                .flatten()
                .filter(|p| p.port > 0)
                .map(|p| {
                    let protocol = p.protocol.as_deref().unwrap_or("TCP");
                    format!(
                        "{{name: lb-{}-{}, image: {:?}, ports: [{{containerPort: {}, hostPort: {}, protocol: {protocol}}}]}}",
                        protocol.to_ascii_lowercase(),
                        p.port,
                        lb.image,
                        p.port,
                        p.port
                    )
                })
                .collect();
            if ports.is_empty() {
                continue;
            }
            let name = &object.reference.name;
            let namespace = object
                .reference
                .namespace
                .as_deref()
                .unwrap_or(setup.namespace);
            let span = f
                .tree
                .lookup_keys(object.node, &["spec", "type"])
                .map_or_else(|| f.tree.span(object.node), |e| f.tree.span(e.value));
            let manifest = format!(
                "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: \"svclb-{name}\", namespace: kube-system}}\nspec:\n  template:\n    spec: {{containers: [{}]}}\n",
                ports.join(", ")
            );
            wanted.push((span, manifest, format!("{namespace}/{name}")));
        }
        for (span, manifest, service) in wanted {
            let source = format!("{} for Service {service}", lb.name);
            let objects = synthesize_in(host, file, &manifest, Some(span), &source);
            stubs.push(Stub {
                origin: Origin::Bundled,
                why: format!(
                    "{} binds the ports of LoadBalancer Service {service} on every node ({})",
                    lb.name, platform.name
                ),
                objects,
                claims: None,
            });
        }
    }
}

/// Adds the objects of `manifest` to file `file`, every node at `anchor` (without one, at the
/// start of the file: a `platform:` file's header).
fn synthesize(
    files: &mut [LoadedFile],
    file: usize,
    manifest: &str,
    anchor: Option<Span>,
    source: &str,
) -> Vec<ObjectKey> {
    synthesize_in(&mut files[file], file, manifest, anchor, source)
}

fn synthesize_in(
    host: &mut LoadedFile,
    file: usize,
    manifest: &str,
    anchor: Option<Span>,
    source: &str,
) -> Vec<ObjectKey> {
    let parsed = parse(manifest, Limits::default());
    let at = anchor.unwrap_or_else(|| Span::new(0, host.source.len().min(1)));
    let mut keys = Vec::new();
    for document in &parsed.documents {
        let Some(root) = document.root else { continue };
        let mut budget = 10_000;
        let Some(node) = host.tree.graft(&parsed.tree, root, &|_| at, &mut budget) else {
            continue;
        };
        if let Some(index) = host.add_synthetic(node, at, source.to_string()) {
            keys.push(ObjectKey { file, index });
        }
    }
    keys
}
