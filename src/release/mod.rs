//! Release stage (between load and detect): ingress controllers installed as Helm releases —
//! Flux `HelmRelease`, Argo CD `Application`/`ApplicationSet`, k3s/RKE2 `HelmChart` (with its
//! `HelmChartConfig`), an umbrella `Chart.yaml` — rendered through the chart knowledge in
//! `rules/charts/` into the objects the chart would create. Those objects join the file that
//! declares the release, located at the values that set each fact, so the inventory and every
//! rule treat them like rendered manifests. Values the input cannot tell stay unknown.

pub mod argo;
pub mod clusters;
mod discover;
pub mod embedded;
mod flux;
pub mod kustomize;
mod platform;
pub mod render;
pub mod values;
pub mod values_ingresses;
mod values_objects;

use std::collections::{HashMap, HashSet};

use manifest::{LoadedFile, Span, TypedObject};

use crate::knowledge::platforms::Claims;
use crate::knowledge::Knowledge;
pub use discover::ReleaseKind;
use manifest::ObjectKey;
pub use platform::{DeclaredController, DeclaredExposure, Setup};
pub use render::Unknown;

/// Where a controller's objects come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Manifests in the input (`helm template` or `kustomize build` output, plain YAML).
    Rendered,
    /// A Helm release in the input, rendered here from the chart's knowledge.
    Release,
    /// Run by the cloud platform, outside the cluster's manifests.
    Managed,
    /// Installed by the distribution itself (k3s, RKE2).
    Bundled,
    /// Declared in `.ingress-lint.yaml` (`controllers:`).
    Declared,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Rendered => "rendered",
            Origin::Release => "release",
            Origin::Managed => "managed",
            Origin::Bundled => "bundled",
            Origin::Declared => "declared",
        }
    }
}

/// One Helm release of a known controller chart.
#[derive(Clone, Debug)]
pub struct Release {
    pub kind: ReleaseKind,
    pub origin: Origin,
    /// The object (or file) declaring it, for messages: `HelmRelease flux-system/ingress-nginx`.
    pub declared_by: String,
    pub name: String,
    pub namespace: String,
    /// The chart as referenced, with its version when given.
    pub chart: String,
    pub version: Option<String>,
    /// The controller id the chart installs.
    pub controller: &'static str,
    /// Where the release is reported: its chart reference.
    pub file: usize,
    pub anchor: Span,
    /// Objects rendered from it (in `file`).
    pub objects: Vec<ObjectKey>,
    /// Facts its values cannot settle.
    pub unknowns: Vec<Unknown>,
    /// Why its values were not read at all, when they were not (nothing was rendered).
    pub unread: Option<String>,
    /// Rendered objects left out because the input already holds them (`helm template`
    /// output of the same release): the rendered ones stand.
    pub already_rendered: usize,
    /// The Kustomize builds of the object declaring it; its objects are theirs.
    pub builds: Vec<u32>,
}

impl Release {
    /// Why the controller is there, for the inventory: `HelmRelease ingress-nginx/x (Flux),
    /// chart ingress-nginx 4.11.x`.
    pub fn why(&self) -> String {
        let version = self
            .version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        format!(
            "{} ({}), chart {}{version}",
            self.declared_by,
            self.kind.tool(),
            self.chart
        )
    }
}

/// Objects standing for a controller the repository does not hold (managed, declared), or
/// for pods a platform adds (ServiceLB).
#[derive(Clone, Debug)]
pub struct Stub {
    pub origin: Origin,
    pub why: String,
    pub objects: Vec<ObjectKey>,
    /// What it serves, stated rather than read from its settings.
    pub claims: Option<Claims>,
}

/// Where an object that is not in the input comes from.
pub struct Provenance<'a> {
    pub origin: Origin,
    pub why: String,
    pub claims: Option<&'a Claims>,
    pub unknowns: &'a [Unknown],
}

/// Every release found, every stub, and which added object came from which.
#[derive(Debug, Default)]
pub struct Releases {
    pub list: Vec<Release>,
    pub stubs: Vec<Stub>,
    /// Files the stage added (`platform:<id>`, the configuration): part of every cluster.
    pub shared_files: Vec<usize>,
    /// The clusters the repository's layout describes (none when it describes one).
    pub clusters: Vec<clusters::DerivedCluster>,
    /// Files that define the same objects differently (alternatives).
    pub alternatives: Vec<clusters::Alternatives>,
    /// The Kustomize builds (`Object::builds` indexes their roots).
    pub builds: kustomize::Builds,
    /// Releases of application charts whose values define Ingresses (or fail to).
    pub values: Vec<values_ingresses::ValuesRelease>,
    /// Added object → the release (`Ok`) or stub (`Err`) it comes from, by index.
    added_by: HashMap<ObjectKey, Result<usize, usize>>,
    /// Values-defined Ingress → its values release and its index there.
    values_ingress: HashMap<ObjectKey, (usize, usize)>,
}

impl Releases {
    /// Indexes which release or stub added each object (once, when all are known).
    fn index(&mut self) {
        let releases = self
            .list
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.objects.iter().map(move |k| (*k, Ok(i))));
        let stubs = self
            .stubs
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.objects.iter().map(move |k| (*k, Err(i))));
        let mut added_by = HashMap::new();
        for (key, by) in releases.chain(stubs) {
            added_by.entry(key).or_insert(by);
        }
        self.added_by = added_by;
        self.values_ingress = values_ingresses::index(&self.values);
    }

    /// The application release whose values define an object (a values-defined Ingress).
    pub fn values_release(&self, key: ObjectKey) -> Option<&values_ingresses::ValuesRelease> {
        if self.values_ingress.is_empty() {
            return None;
        }
        let (release, _) = self.values_ingress.get(&key)?;
        self.values.get(*release)
    }

    /// A values-defined Ingress and the release whose values define it.
    pub fn values_ingress(
        &self,
        key: ObjectKey,
    ) -> Option<(
        &values_ingresses::ValuesIngress,
        &values_ingresses::ValuesRelease,
    )> {
        let (release, index) = self.values_ingress.get(&key)?;
        let release = self.values.get(*release)?;
        Some((release.ingresses.get(*index)?, release))
    }

    /// Where a values-defined Ingress comes from: `values `ingress.app` of HelmRelease …`,
    /// and the release's chart reference.
    pub fn values_origin(
        &self,
        key: ObjectKey,
    ) -> Option<(String, &values_ingresses::ValuesRelease)> {
        let (release, index) = self.values_ingress.get(&key)?;
        let release = self.values.get(*release)?;
        let ingress = release.ingresses.get(*index)?;
        Some((release.origin(&ingress.block), release))
    }

    /// The release an object was rendered from.
    pub fn of(&self, key: ObjectKey) -> Option<&Release> {
        match self.added_by.get(&key)? {
            Ok(release) => self.list.get(*release),
            Err(_) => None,
        }
    }

    /// Where an added object comes from; `None` for an object of the input.
    pub fn provenance(&self, key: ObjectKey) -> Option<Provenance<'_>> {
        if let Some(release) = self.of(key) {
            return Some(Provenance {
                origin: release.origin,
                why: release.why(),
                claims: None,
                unknowns: &release.unknowns,
            });
        }
        let Err(stub) = self.added_by.get(&key)? else {
            return None;
        };
        let stub = self.stubs.get(*stub)?;
        Some(Provenance {
            origin: stub.origin,
            why: stub.why.clone(),
            claims: stub.claims.as_ref(),
            unknowns: &[],
        })
    }
}

/// Finds the releases in the loaded files and adds their rendered objects to the files.
pub fn expand(
    files: &mut Vec<LoadedFile>,
    knowledge: &'static Knowledge,
    setup: &Setup<'_>,
) -> Releases {
    let input_files = files.len();
    let namespace = setup.namespace;
    let paths = kustomize::Paths::new(files);
    let known_chart =
        |chart: &str, repository: Option<&str>| knowledge.chart(chart, repository).is_some();
    let kustomizations = kustomize::find(files, &paths, &known_chart);
    let builds = kustomize::apply(files, &paths, &kustomizations);
    flux::apply(files, &paths, &kustomizations, &builds.roots);
    let mut destinations = argo::apply(files, &paths, &kustomizations, &builds.roots);
    let (derived_clusters, alternatives) = if setup.clusters_configured {
        (Vec::new(), Vec::new())
    } else {
        clusters::derive(files, &paths, &kustomizations)
    };
    let mut discovered = discover::discover(files, knowledge, namespace, &destinations);
    // Objects in releases' values (`extraObjects`, argocd-apps' Applications) can be
    // releases and Applications themselves: read again with them.
    let objects = &knowledge.values_ingresses.objects;
    if values_objects::add(files, &discovered, objects) > 0 {
        destinations = argo::apply(files, &paths, &kustomizations, &builds.roots);
        discovered = discover::discover(files, knowledge, namespace, &destinations);
    }
    let mut found = discovered.plans;
    let apps = discovered.apps;
    let (bundled, shown) = platform::bundled_plans(files, knowledge, setup, &found);
    found.extend(bundled);
    let found = subcharts(files, knowledge, found);
    let rendered_in_input = identities(files, namespace);
    let mut releases = Releases {
        clusters: derived_clusters,
        alternatives,
        builds,
        ..Releases::default()
    };
    for plan in found {
        let mut release = plan.release;
        if release.unread.is_none() {
            let names = render::Names {
                release: &release.name,
                namespace: &release.namespace,
                chart_name: &plan.chart_name,
            };
            let rendered = plan
                .values
                .build(files, plan.chart, release.anchor)
                .map(|values| render::render(plan.chart, &values, &names, release.anchor));
            match rendered {
                // Without its workload the controller cannot be inventoried at all.
                Ok(rendered) if !rendered.has_workload() && !rendered.unknowns.is_empty() => {
                    let u = &rendered.unknowns[0];
                    release.unread = Some(format!(
                        "the values that decide its workload are unknown ({}: {})",
                        u.fact, u.reason
                    ));
                    release.unknowns = rendered.unknowns;
                }
                // Values the chart's conditions do not know (`controller.kind: Daemonset`)
                // render no workload at all, as Helm would: said, not guessed.
                Ok(rendered) if !rendered.has_workload() && !plan.chart.workloads.is_empty() => {
                    let failed = plan
                        .values
                        .build(files, plan.chart, release.anchor)
                        .map(|values| render::failed_conditions(plan.chart, &values))
                        .unwrap_or_default();
                    release.unread = Some(format!(
                        "its values render no controller workload: {}",
                        if failed.is_empty() {
                            "the chart's conditions for it do not hold".to_string()
                        } else {
                            failed.join("; ")
                        }
                    ));
                    release.unknowns = rendered.unknowns.clone();
                    add_objects(files, &mut release, rendered, &rendered_in_input);
                }
                Ok(rendered) => {
                    release.unknowns = rendered.unknowns.clone();
                    add_objects(files, &mut release, rendered, &rendered_in_input);
                }
                Err(reason) => release.unread = Some(reason),
            }
        }
        releases.list.push(release);
    }
    releases.values =
        values_ingresses::expand(files, &knowledge.values_ingresses, apps, &rendered_in_input);
    platform::managed(files, knowledge, setup, &mut releases.stubs);
    platform::declared(files, knowledge, setup, &mut releases.stubs);
    // What shows the distribution (its bundled Traefik's HelmChartConfig) shows its service
    // load balancer too, unless turned off — or replaced: k3s asks for `--disable servicelb`
    // where MetalLB or Cilium's LB IPAM hands out the addresses, and their pools show it.
    let inferred = Setup {
        platform: setup
            .platform
            .or(shown.filter(|_| !platform::other_load_balancer(files))),
        ..*setup
    };
    platform::service_load_balancer(files, knowledge, &inferred, &mut releases.stubs);
    releases.shared_files = (input_files..files.len()).collect();
    releases.index();
    releases
}

/// A release of a chart made of subcharts (Kong's `ingress`: `controller` and `gateway`, both
/// the `kong` chart) is one release per enabled subchart, each reading its alias's values
/// over the parent's defaults for it, over the subchart's own.
fn subcharts(
    files: &[LoadedFile],
    knowledge: &'static Knowledge,
    plans: Vec<discover::Plan>,
) -> Vec<discover::Plan> {
    let mut out = Vec::new();
    for plan in plans {
        if plan.chart.subcharts.is_empty() || plan.release.unread.is_some() {
            out.push(plan);
            continue;
        }
        for sub in &plan.chart.subcharts {
            let Some(data) = knowledge.chart_named(&sub.chart) else {
                continue;
            };
            let mut release = plan.release.clone();
            release.chart = format!(
                "{} (subchart {} of chart {})",
                sub.chart, sub.alias, release.chart
            );
            if let Some(condition) = &sub.condition {
                let enabled = plan
                    .values
                    .build(files, plan.chart, release.anchor)
                    .map(|values| values.holds(condition));
                match enabled {
                    Ok(Ok(true)) => {}
                    Ok(Ok(false)) => continue,
                    Ok(Err(reason)) | Err(reason) => release.unread = Some(reason),
                }
            }
            let mut values = plan.values.clone();
            values.under.push(sub.alias.clone());
            values
                .parent_defaults
                .push((plan.chart.defaults.clone(), vec![sub.alias.clone()]));
            out.push(discover::Plan {
                release,
                chart: data,
                chart_name: sub.alias.clone(),
                values,
            });
        }
    }
    out
}

/// Kind, namespace (none for IngressClasses) and name.
pub(crate) type Identity = (String, Option<String>, String);

/// The identities of the typed objects the input holds.
fn identities(files: &[LoadedFile], namespace: &str) -> HashSet<Identity> {
    files
        .iter()
        .flat_map(|f| &f.objects)
        .filter(|o| !matches!(o.typed, TypedObject::Generic))
        .map(|o| {
            identity(
                &o.reference.kind,
                o.reference.namespace.as_deref().unwrap_or(namespace),
                &o.reference.name,
            )
        })
        .collect()
}

pub(crate) fn identity(kind: &str, namespace: &str, name: &str) -> Identity {
    let namespace = (kind != "IngressClass").then(|| namespace.to_string());
    (kind.to_string(), namespace, name.to_string())
}

/// Grafts the rendered objects into the release's file, leaving out those the input already
/// holds by kind, namespace and name.
fn add_objects(
    files: &mut [LoadedFile],
    release: &mut Release,
    rendered: render::Rendered,
    in_input: &HashSet<Identity>,
) {
    for (root, template) in rendered.objects {
        let (kind, name) = {
            let tree = &rendered.tree;
            let kind = tree.get(root, "kind").and_then(|e| tree.scalar(e.value));
            let name = tree
                .lookup_keys(root, &["metadata", "name"])
                .and_then(|e| tree.scalar(e.value));
            (
                kind.unwrap_or_default().to_string(),
                name.unwrap_or_default().to_string(),
            )
        };
        let exists = in_input.contains(&identity(&kind, &release.namespace, &name));
        if exists {
            release.already_rendered += 1;
            continue;
        }
        let file = &mut files[release.file];
        let mut budget = usize::MAX;
        let Some(node) = file.tree.graft(&rendered.tree, root, &|s| s, &mut budget) else {
            continue;
        };
        let source = format!("{template} (from {})", release.declared_by);
        if let Some(index) = file.add_synthetic(node, release.anchor, source) {
            file.objects[index].builds.clone_from(&release.builds);
            release.objects.push(ObjectKey {
                file: release.file,
                index,
            });
        }
    }
}
