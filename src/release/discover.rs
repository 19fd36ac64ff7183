//! Finds Helm releases of known controller charts in the loaded files, and the values each
//! is installed with, in its tool's precedence.

use std::borrow::Cow;

use manifest::parse::{NodeId, ScalarStyle, Tree};
use manifest::{LoadedFile, Object, SourceText, Span};

use super::argo::Destination;
use super::embedded::parse_string;
use super::values::{Layer, Placement, Values};
use super::Release;
use crate::knowledge::charts::{strip_scheme, Chart, Version};
use crate::knowledge::{chart_defaults, Knowledge};

/// How a release is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseKind {
    /// Flux `HelmRelease` (helm.toolkit.fluxcd.io).
    FluxHelmRelease,
    /// Argo CD `Application`.
    ArgoApplication,
    /// Argo CD `ApplicationSet` (its template).
    ArgoApplicationSet,
    /// k3s / RKE2 `HelmChart` (helm.cattle.io), with its `HelmChartConfig`.
    HelmChart,
    /// A dependency of an umbrella `Chart.yaml`, valued by the `values.yaml` beside it.
    UmbrellaChart,
    /// A `helmfile.yaml` release.
    Helmfile,
    /// A Kustomize `helmCharts:` entry.
    KustomizeHelmChart,
}

impl ReleaseKind {
    /// Where a release of this kind writes its values (for the values to set).
    pub fn values_at(self) -> &'static str {
        match self {
            ReleaseKind::FluxHelmRelease => "spec.values",
            ReleaseKind::ArgoApplication | ReleaseKind::ArgoApplicationSet => {
                "spec.source.helm.valuesObject"
            }
            ReleaseKind::HelmChart => "spec.valuesContent",
            ReleaseKind::UmbrellaChart => "values.yaml",
            ReleaseKind::Helmfile => "the release's values file",
            ReleaseKind::KustomizeHelmChart => "valuesInline",
        }
    }

    /// The tool that installs it.
    pub fn tool(self) -> &'static str {
        match self {
            ReleaseKind::FluxHelmRelease => "Flux",
            ReleaseKind::ArgoApplication | ReleaseKind::ArgoApplicationSet => "Argo CD",
            ReleaseKind::HelmChart => "k3s/RKE2 helm-controller",
            ReleaseKind::UmbrellaChart => "Helm, umbrella chart",
            ReleaseKind::Helmfile => "helmfile",
            ReleaseKind::KustomizeHelmChart => "Kustomize helmCharts",
        }
    }
}

/// Where one layer of values comes from (resolved against the files when rendering).
#[derive(Clone)]
pub enum Source {
    /// A node of a file: a mapping, or a string holding YAML.
    Node {
        file: usize,
        node: NodeId,
        reported_at: Option<Span>,
    },
    /// A node of another input file than the release's (a mapping, or a string holding
    /// YAML), located there.
    Foreign {
        file: usize,
        node: NodeId,
    },
    /// Built here (Argo CD parameters, k3s `set`, Flux `targetPath`): located at each value.
    Built(Tree, NodeId),
    Unknown(String),
}

/// Layers, highest precedence first, before the chart defaults.
#[derive(Clone, Default)]
pub struct ValuesPlan {
    pub sources: Vec<Source>,
    /// Values below this path of every source (an umbrella chart's dependency, a subchart's
    /// alias).
    pub under: Vec<String>,
    /// The defaults below the release's own: a parent chart's values for its subchart (file
    /// and the path to the subchart's part).
    pub parent_defaults: Vec<(String, Vec<String>)>,
}

impl ValuesPlan {
    /// The layers over the files, the chart's defaults last; `Err` when a values text does
    /// not parse.
    /// Defaults are reported at `anchor`, the release's chart reference.
    pub fn build<'f>(
        &'f self,
        files: &'f [LoadedFile],
        chart: &Chart,
        anchor: Span,
    ) -> Result<Values<'f>, String> {
        let mut values = self.layers(files)?;
        let own = (chart.defaults.clone(), Vec::new());
        for (file, under) in self.parent_defaults.iter().chain([&own]) {
            let defaults =
                chart_defaults(file).ok_or_else(|| format!("no defaults file {file}"))?;
            if let Some(root) = defaults.documents.first().and_then(|d| d.root) {
                let layer = Layer::Known {
                    tree: Cow::Borrowed(&defaults.tree),
                    root,
                    placement: Placement::At(anchor),
                };
                if let Some(layer) = descend(layer, under) {
                    values.layers.push(layer);
                }
            }
        }
        Ok(values)
    }

    /// The layers over the files, without any chart's defaults (a chart the data does not
    /// describe); `Err` when a values text does not parse.
    pub fn layers<'f>(&'f self, files: &'f [LoadedFile]) -> Result<Values<'f>, String> {
        let mut values = Values::default();
        for source in &self.sources {
            let layer = match source {
                Source::Unknown(reason) => Layer::Unknown(reason.clone()),
                Source::Built(tree, root) => Layer::Known {
                    tree: Cow::Borrowed(tree),
                    root: *root,
                    placement: Placement::InFile,
                },
                Source::Node { .. } | Source::Foreign { .. } => {
                    let (file, node, reported_at, placement) = match source {
                        Source::Node {
                            file,
                            node,
                            reported_at,
                        } => (
                            file,
                            node,
                            *reported_at,
                            reported_at.map_or(Placement::InFile, Placement::At),
                        ),
                        Source::Foreign { file, node } => {
                            (file, node, None, Placement::Foreign(*file))
                        }
                        _ => continue,
                    };
                    let f = &files[*file];
                    if f.tree.is_mapping(*node) {
                        Layer::Known {
                            tree: Cow::Borrowed(&f.tree),
                            root: *node,
                            placement,
                        }
                    } else if f.tree.string(*node).is_some() {
                        let embedded = parse_string(&f.source, &f.tree, *node)
                            .ok_or_else(|| "the values are not a string".to_string())?;
                        if let Some(error) = embedded.error {
                            return Err(format!("its values text does not parse: {error}"));
                        }
                        let Some(root) = embedded.root else { continue };
                        Layer::Known {
                            tree: Cow::Owned(embedded.tree),
                            root,
                            // The embedded nodes are located in the string's file.
                            placement: match (reported_at, placement) {
                                (Some(at), _) => Placement::At(at),
                                (None, Placement::Foreign(file)) => Placement::Foreign(file),
                                (None, _) => embedded.placement,
                            },
                        }
                    } else {
                        continue;
                    }
                }
            };
            if let Some(layer) = descend(layer, &self.under) {
                values.layers.push(layer);
            }
        }
        Ok(values)
    }
}

/// The part of a layer below `path` (`None` when the layer has no such part).
fn descend<'f>(layer: Layer<'f>, path: &[String]) -> Option<Layer<'f>> {
    match layer {
        Layer::Known {
            tree,
            mut root,
            placement,
        } => {
            for key in path {
                root = tree.get(root, key)?.value;
            }
            Some(Layer::Known {
                tree,
                root,
                placement,
            })
        }
        unknown => Some(unknown),
    }
}

/// A release found, with how to read its values.
pub struct Plan {
    pub release: Release,
    pub chart: &'static Chart,
    /// The chart's name as the release sees it (a subchart's alias).
    pub chart_name: String,
    pub values: ValuesPlan,
}

/// A release of a chart that installs no known controller: an application chart, whose
/// values may hold Ingresses.
pub struct AppRelease {
    pub kind: ReleaseKind,
    /// The object (or file) declaring it: `HelmRelease media/sonarr`.
    pub declared_by: String,
    pub name: String,
    pub namespace: String,
    pub chart: String,
    pub repository: Option<String>,
    pub version: Option<String>,
    /// The file declaring it, and its chart reference there.
    pub file: usize,
    pub anchor: Span,
    pub values: ValuesPlan,
    /// The Kustomize builds of the object declaring it.
    pub builds: Vec<u32>,
    /// A caveat on the names it renders with (chosen at install).
    pub unsure: Option<String>,
    /// Why its objects cannot be placed at all (an ApplicationSet template).
    pub unread: Option<String>,
    /// A controller chart's name whose repository the input cannot tell.
    pub ambiguous: Option<String>,
}

/// Every release found: of controller charts (rendered through the chart data), and of
/// other charts (read for the Ingresses in their values).
#[derive(Default)]
pub struct Discovered {
    pub plans: Vec<Plan>,
    pub apps: Vec<AppRelease>,
}

impl Discovered {
    /// Files a release under the controller charts when the data knows its chart, else
    /// under the application charts.
    fn add(
        &mut self,
        knowledge: &'static Knowledge,
        found: Found,
        file: usize,
        declared_by: String,
    ) -> Option<&mut Plan> {
        match knowledge.chart(&found.chart, found.repository.as_deref()) {
            Some(data) => {
                self.plans.push(found.plan(data, file, declared_by));
                self.plans.last_mut()
            }
            None => {
                // A controller chart's name that only its repository tells apart (F5's
                // `nginx-ingress`, Kong's `ingress`), pulled from a source the input lacks.
                let candidates: Vec<String> = knowledge
                    .charts
                    .iter()
                    .filter(|c| c.has_name(&found.chart))
                    .map(|c| {
                        format!(
                            "{}'s `{}` (from {})",
                            c.controller,
                            c.chart,
                            c.repositories.join(", ")
                        )
                    })
                    .collect();
                let mut app = found.app(file, declared_by);
                if !candidates.is_empty() {
                    let source = match &app.repository {
                        Some(repository) => format!("it is pulled from {repository}"),
                        None => "its source is not in the input".to_string(),
                    };
                    app.ambiguous = Some(format!(
                        "chart `{}` is {} only when pulled from there, and {source}: a controller it may install is not read",
                        app.chart,
                        candidates.join(" or "),
                    ));
                }
                self.apps.push(app);
                None
            }
        }
    }
}

pub fn discover(
    files: &[LoadedFile],
    knowledge: &'static Knowledge,
    namespace: &str,
    destinations: &[Destination],
) -> Discovered {
    let mut out = Discovered::default();
    let index = Index::new(files);
    for (file_index, file) in files.iter().enumerate() {
        for object in &file.objects {
            let api = object.reference.api_version.as_str();
            let group = api.split('/').next().unwrap_or_default();
            let reader = Reader {
                files,
                file: file_index,
                object,
                index: &index,
                namespace,
                knowledge,
            };
            let (before, apps_before) = (out.plans.len(), out.apps.len());
            match (group, object.reference.kind.as_str()) {
                ("helm.toolkit.fluxcd.io", "HelmRelease") => {
                    reader.flux(&mut out);
                }
                ("argoproj.io", "Application") => {
                    reader.argo(&[], ReleaseKind::ArgoApplication, &mut out)
                }
                ("argoproj.io", "ApplicationSet") => reader.argo(
                    &["spec", "template"],
                    ReleaseKind::ArgoApplicationSet,
                    &mut out,
                ),
                ("helm.cattle.io", "HelmChart") => {
                    reader.helm_chart(&mut out);
                }
                _ => {}
            }
            // A release a Kustomize build made renders into that build's clusters.
            for plan in &mut out.plans[before..] {
                plan.release.builds.clone_from(&object.builds);
            }
            for app in &mut out.apps[apps_before..] {
                app.builds.clone_from(&object.builds);
            }
        }
        if is_named(&file.source, "Chart.yaml") {
            umbrella(
                files,
                file_index,
                knowledge,
                namespace,
                destinations,
                &mut out,
            );
        }
        let in_helmfile_d = file.source.name.starts_with("helmfile.d/")
            || file.source.name.contains("/helmfile.d/");
        if is_named(&file.source, "helmfile.yaml")
            || is_named(&file.source, "helmfile.yml")
            || in_helmfile_d
        {
            helmfile(files, file_index, knowledge, namespace, &mut out);
        }
        if ["kustomization.yaml", "kustomization.yml", "Kustomization"]
            .iter()
            .any(|n| is_named(&file.source, n))
        {
            kustomize_helm_charts(files, file_index, knowledge, namespace, &mut out);
        }
    }
    // The releases' objects are rendered in the file that declares them, so the order of
    // the files (the input order) fixes the order of everything.
    out
}

/// The string under `key` of a mapping node.
fn child_text(tree: &Tree, node: NodeId, key: &str) -> Option<String> {
    tree.get(node, key)
        .and_then(|e| tree.string(e.value))
        .map(str::to_string)
}

fn path_of(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

fn is_named(source: &SourceText, name: &str) -> bool {
    source.name.rsplit('/').next() == Some(name)
}

/// Objects other releases refer to, by kind, namespace and name.
struct Index<'f> {
    objects: Vec<(usize, &'f Object)>,
}

impl<'f> Index<'f> {
    fn new(files: &'f [LoadedFile]) -> Index<'f> {
        let objects = files
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.objects.iter().map(move |o| (i, o)))
            .filter(|(_, o)| {
                matches!(
                    o.reference.kind.as_str(),
                    "HelmRepository" | "OCIRepository" | "ConfigMap" | "Secret" | "HelmChartConfig"
                )
            })
            .collect();
        Index { objects }
    }

    fn find(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        default_ns: &str,
    ) -> Option<(usize, &'f Object)> {
        self.objects.iter().copied().find(|(_, o)| {
            o.reference.kind == kind
                && o.reference.name == name
                && o.reference.namespace.as_deref().unwrap_or(default_ns) == namespace
        })
    }
}

struct Reader<'r, 'f> {
    files: &'f [LoadedFile],
    file: usize,
    object: &'f Object,
    index: &'r Index<'f>,
    namespace: &'r str,
    knowledge: &'static Knowledge,
}

impl Reader<'_, '_> {
    fn tree(&self) -> &Tree {
        &self.files[self.file].tree
    }

    fn node(&self, path: &[&str]) -> Option<NodeId> {
        self.tree()
            .lookup_keys(self.object.node, path)
            .map(|e| e.value)
    }

    fn text(&self, path: &[&str]) -> Option<String> {
        let node = self.node(path)?;
        self.tree().string(node).map(str::to_string)
    }

    fn own_namespace(&self) -> String {
        self.object
            .reference
            .namespace
            .clone()
            .unwrap_or_else(|| self.namespace.to_string())
    }

    fn declared_by(&self) -> String {
        format!(
            "{} {}/{}",
            self.object.reference.kind,
            self.own_namespace(),
            self.object.reference.name
        )
    }

    /// Files a release found (a controller's plan, or an application chart's).
    fn add<'o>(&self, found: Found, out: &'o mut Discovered) -> Option<&'o mut Plan> {
        out.add(self.knowledge, found, self.file, self.declared_by())
    }

    /// Flux `HelmRelease`: `spec.chart.spec` (with its `sourceRef`) or `spec.chartRef`;
    /// `spec.valuesFrom` in order, then `spec.values` on top.
    fn flux(&self, out: &mut Discovered) -> Option<()> {
        let namespace = self.own_namespace();
        let (chart, repository, version, anchor_node) =
            if let Some(chart_node) = self.node(&["spec", "chart", "spec", "chart"]) {
                let chart = self.tree().string(chart_node)?.to_string();
                let source_kind = self.text(&["spec", "chart", "spec", "sourceRef", "kind"]);
                let source_name = self.text(&["spec", "chart", "spec", "sourceRef", "name"]);
                let source_ns = self
                    .text(&["spec", "chart", "spec", "sourceRef", "namespace"])
                    .unwrap_or_else(|| namespace.clone());
                let repository = match (source_kind.as_deref(), source_name) {
                    (Some("HelmRepository"), Some(name)) => {
                        self.repository_url("HelmRepository", &source_ns, &name)
                    }
                    _ => None,
                };
                let version = self.text(&["spec", "chart", "spec", "version"]);
                (chart, repository, version, chart_node)
            } else {
                let name_node = self.node(&["spec", "chartRef", "name"])?;
                let kind = self.text(&["spec", "chartRef", "kind"]).unwrap_or_default();
                let name = self.tree().string(name_node)?.to_string();
                let ns = self
                    .text(&["spec", "chartRef", "namespace"])
                    .unwrap_or_else(|| namespace.clone());
                let url = self.repository_url(&kind, &ns, &name)?;
                let chart = strip_scheme(&url).rsplit('/').next()?.to_string();
                let version =
                    self.index
                        .find(&kind, &ns, &name, self.namespace)
                        .and_then(|(f, o)| {
                            let tree = &self.files[f].tree;
                            tree.lookup_keys(o.node, &["spec", "ref", "tag"])
                                .and_then(|e| tree.string(e.value).map(str::to_string))
                        });
                (chart, Some(url), version, name_node)
            };
        let target = self.text(&["spec", "targetNamespace"]);
        let name = self
            .text(&["spec", "releaseName"])
            .unwrap_or_else(|| match &target {
                Some(t) => format!("{t}-{}", self.object.reference.name),
                None => self.object.reference.name.clone(),
            });
        let mut values = ValuesPlan::default();
        if let Some(node) = self.node(&["spec", "values"]) {
            values.sources.push(Source::Node {
                file: self.file,
                node,
                reported_at: None,
            });
        }
        if let Some(list) = self.node(&["spec", "valuesFrom"]) {
            let items: Vec<NodeId> = self.tree().items(list).to_vec();
            for item in items.into_iter().rev() {
                values.sources.push(self.values_from(item, &namespace));
            }
        }
        let anchor = self.tree().span(anchor_node);
        self.add(
            Found {
                kind: ReleaseKind::FluxHelmRelease,
                chart,
                repository,
                version,
                anchor,
                name,
                namespace: target.unwrap_or(namespace),
                values,
            },
            out,
        );
        Some(())
    }

    fn repository_url(&self, kind: &str, namespace: &str, name: &str) -> Option<String> {
        let (file, object) = self.index.find(kind, namespace, name, self.namespace)?;
        let tree = &self.files[file].tree;
        tree.lookup_keys(object.node, &["spec", "url"])
            .and_then(|e| tree.string(e.value))
            .map(str::to_string)
    }

    /// One `valuesFrom` entry: a ConfigMap or Secret key in the input, else unknown.
    fn values_from(&self, item: NodeId, namespace: &str) -> Source {
        let tree = self.tree();
        let get = |key: &str| child_text(tree, item, key);
        let kind = get("kind").unwrap_or_default();
        let name = get("name").unwrap_or_default();
        let key = get("valuesKey").unwrap_or_else(|| "values.yaml".into());
        let at = tree.span(item);
        let Some((file, object)) = self.index.find(&kind, namespace, &name, self.namespace) else {
            return Source::Unknown(format!(
                "valuesFrom {kind} {namespace}/{name} is not in the input"
            ));
        };
        let f = &self.files[file];
        let entry = f
            .tree
            .lookup_keys(object.node, &["data", &key])
            .or_else(|| f.tree.lookup_keys(object.node, &["stringData", &key]));
        let Some(entry) = entry else {
            return Source::Unknown(format!("{kind} {namespace}/{name} has no key `{key}`"));
        };
        let encoded =
            kind == "Secret" && f.tree.lookup_keys(object.node, &["data", &key]).is_some();
        let decoded = if encoded {
            let text = f.tree.string(entry.value).unwrap_or_default();
            match decode_base64(text).and_then(|bytes| String::from_utf8(bytes).ok()) {
                Some(text) => Some(text),
                None => {
                    return Source::Unknown(format!(
                        "valuesFrom Secret {namespace}/{name} key `{key}` is not base64 text (encrypted?)"
                    ))
                }
            }
        } else {
            None
        };
        if let Some(path) = get("targetPath") {
            // The whole entry is one value, set at `targetPath`.
            let value = decoded
                .as_deref()
                .or(f.tree.string(entry.value))
                .unwrap_or_default();
            return built_at_path(&path, value, at);
        }
        match decoded {
            // Decoded text has no place in any file: its values are reported at the reference.
            Some(text) => built_from_text(&text, at).unwrap_or_else(|| {
                Source::Unknown(format!(
                    "valuesFrom Secret {namespace}/{name} key `{key}` does not parse as YAML"
                ))
            }),
            None => Source::Node {
                file,
                node: entry.value,
                reported_at: (file != self.file).then_some(at),
            },
        }
    }

    /// Argo CD `Application` (or an `ApplicationSet`'s template): `spec.source` or each of
    /// `spec.sources` with a `chart`; `parameters` over `valuesObject` over `values` over
    /// `valueFiles`.
    fn argo(&self, base: &[&str], kind: ReleaseKind, out: &mut Discovered) {
        // An ApplicationSet is one Application per set of its generators' parameters, when
        // the input holds what they read; else its template, left unread where templated.
        let mut generated = if kind == ReleaseKind::ArgoApplicationSet {
            super::argo::generated(self.files, self.tree(), self.object.node)
        } else {
            Vec::new()
        };
        if generated.is_empty() {
            generated.push(Vec::new());
        }
        for parameters in &generated {
            self.argo_application(base, kind, parameters, out);
        }
    }

    /// One Application (of an ApplicationSet: with its parameters filled in).
    fn argo_application(
        &self,
        base: &[&str],
        kind: ReleaseKind,
        parameters: &[(String, String)],
        out: &mut Discovered,
    ) {
        let fill = |text: String| super::argo::fill(&text, parameters);
        let at = |rest: &[&str]| -> Vec<String> {
            base.iter().chain(rest).map(|s| s.to_string()).collect()
        };
        let app_name = fill(
            self.text(&path_of(&at(&["metadata", "name"])))
                .unwrap_or_else(|| self.object.reference.name.clone()),
        );
        let namespace = fill(
            self.text(&path_of(&at(&["spec", "destination", "namespace"])))
                .unwrap_or_else(|| self.namespace.to_string()),
        );
        let declared_by = if parameters.is_empty() {
            self.declared_by()
        } else {
            format!("{} (Application {app_name})", self.declared_by())
        };
        let mut sources = Vec::new();
        if let Some(node) = self.node(&path_of(&at(&["spec", "source"]))) {
            sources.push(node);
        }
        if let Some(list) = self.node(&path_of(&at(&["spec", "sources"]))) {
            sources.extend(self.tree().items(list).iter().copied());
        }
        for source in sources {
            let tree = self.tree();
            let Some(chart_entry) = tree.get(source, "chart") else {
                continue;
            };
            let Some(chart) = tree.string(chart_entry.value).map(|c| fill(c.to_string())) else {
                continue;
            };
            let repo = tree
                .get(source, "repoURL")
                .and_then(|e| tree.string(e.value))
                .map(|r| fill(r.to_string()));
            let version = tree
                .get(source, "targetRevision")
                .and_then(|e| tree.string(e.value))
                .map(|v| fill(v.to_string()));
            let helm = tree.get(source, "helm").map(|e| e.value);
            let get = |key: &str| helm.and_then(|h| tree.get(h, key)).map(|e| e.value);
            let name = get("releaseName")
                .and_then(|n| tree.string(n))
                .map_or_else(|| app_name.clone(), |n| fill(n.to_string()));
            let mut values = ValuesPlan::default();
            if let Some(parameters) = get("parameters") {
                if let Some(built) = built_parameters(tree, parameters) {
                    values.sources.push(built);
                }
            }
            for key in ["valuesObject", "values"] {
                if let Some(node) = get(key) {
                    values.sources.push(Source::Node {
                        file: self.file,
                        node,
                        reported_at: None,
                    });
                }
            }
            if let Some(list) = get("valueFiles") {
                // Argo CD applies them in order, under `values`/`valuesObject`: the last wins.
                for item in tree.items(list).iter().rev() {
                    let Some(path) = tree.string(*item) else {
                        continue;
                    };
                    let path = fill(path.to_string());
                    values
                        .sources
                        .push(self.value_file(&path, tree.span(*item)));
                }
            }
            let templated = [&name, &namespace, &chart].iter().any(|t| t.contains("{{"));
            let anchor = tree.span(chart_entry.value);
            let found = Found {
                kind,
                chart,
                repository: repo,
                version,
                anchor,
                name,
                namespace: namespace.clone(),
                values,
            };
            let apps = out.apps.len();
            let unsure = templated.then(|| {
                "its name or namespace is an ApplicationSet template, filled per generated Application, and the input does not hold what its generators read".to_string()
            });
            if let Some(plan) = out.add(self.knowledge, found, self.file, declared_by.clone()) {
                plan.release.unread = unsure;
            } else if let Some(app) = out.apps.get_mut(apps) {
                app.unread = unsure;
            }
        }
    }

    /// An Argo CD `valueFiles` entry. `$ref/path` names a file of another source (typically the
    /// GitOps repository itself): read when a file of the input ends with that path. A path
    /// without `$ref` is inside the chart, which is not in the input.
    fn value_file(&self, path: &str, at: Span) -> Source {
        let Some((reference, rest)) = path.strip_prefix('$').and_then(|p| p.split_once('/')) else {
            return Source::Unknown(format!(
                "valueFiles {path} is read from the chart, not from the input"
            ));
        };
        let rest = rest.trim_start_matches("./");
        let found = self
            .files
            .iter()
            .position(|f| f.source.name == rest || f.source.name.ends_with(&format!("/{rest}")));
        match found.and_then(|file| Some((file, self.files[file].documents.first()?.root?))) {
            Some((file, node)) => Source::Node {
                file,
                node,
                reported_at: (file != self.file).then_some(at),
            },
            None => Source::Unknown(format!(
                "valueFiles {path} (source `{reference}`) is not in the input"
            )),
        }
    }

    /// k3s / RKE2 `HelmChart`: `set` over the `HelmChartConfig` of the same name and namespace
    /// over `valuesContent`.
    fn helm_chart(&self, out: &mut Discovered) -> Option<()> {
        let chart_node = self.node(&["spec", "chart"])?;
        let reference = self.tree().string(chart_node)?.to_string();
        // Bundled charts are referenced as a URL to the packaged chart: `…/traefik-34.2.1.tgz`.
        let (chart, mut version) = match reference.strip_suffix(".tgz") {
            Some(url) => {
                let file = url.rsplit('/').next().unwrap_or(url);
                match file.rfind('-') {
                    Some(dash) if file[dash + 1..].starts_with(|c: char| c.is_ascii_digit()) => {
                        (file[..dash].to_string(), Some(file[dash + 1..].to_string()))
                    }
                    _ => (file.to_string(), None),
                }
            }
            None => (reference, None),
        };
        if let Some(v) = self.text(&["spec", "version"]) {
            version = Some(v);
        }
        let repo = self.text(&["spec", "repo"]);
        let own_namespace = self.own_namespace();
        let target = self
            .text(&["spec", "targetNamespace"])
            .unwrap_or_else(|| own_namespace.clone());
        let mut values = ValuesPlan::default();
        if let Some(set) = self.node(&["spec", "set"]) {
            if let Some(built) = built_set(self.tree(), set) {
                values.sources.push(built);
            }
        }
        let name = self.object.reference.name.clone();
        if let Some((file, config)) =
            self.index
                .find("HelmChartConfig", &own_namespace, &name, self.namespace)
        {
            let tree = &self.files[file].tree;
            if let Some(entry) = tree.lookup_keys(config.node, &["spec", "valuesContent"]) {
                values.sources.push(Source::Node {
                    file,
                    node: entry.value,
                    reported_at: (file != self.file).then(|| self.tree().span(chart_node)),
                });
            }
        }
        if let Some(node) = self.node(&["spec", "valuesContent"]) {
            values.sources.push(Source::Node {
                file: self.file,
                node,
                reported_at: None,
            });
        }
        let anchor = self.tree().span(chart_node);
        self.add(
            Found {
                kind: ReleaseKind::HelmChart,
                chart,
                repository: repo,
                version,
                anchor,
                name,
                namespace: target,
                values,
            },
            out,
        );
        Some(())
    }
}

/// A release as its declaration states it.
pub(super) struct Found {
    pub(super) kind: ReleaseKind,
    /// The chart reference, and the repository it is pulled from.
    pub(super) chart: String,
    pub(super) repository: Option<String>,
    pub(super) version: Option<String>,
    pub(super) anchor: Span,
    pub(super) name: String,
    pub(super) namespace: String,
    pub(super) values: ValuesPlan,
}

impl Found {
    pub(super) fn plan(self, data: &'static Chart, file: usize, declared_by: String) -> Plan {
        let unread = self.version.as_deref().and_then(|v| out_of_range(data, v));
        Plan {
            release: Release {
                kind: self.kind,
                origin: super::Origin::Release,
                declared_by,
                name: self.name,
                namespace: self.namespace,
                chart: self.chart,
                version: self.version,
                controller: data.controller.as_str(),
                file,
                anchor: self.anchor,
                objects: Vec::new(),
                unknowns: Vec::new(),
                unread,
                already_rendered: 0,
                builds: Vec::new(),
            },
            chart: data,
            chart_name: data.chart.clone(),
            values: self.values,
        }
    }
}

impl Found {
    pub(super) fn app(self, file: usize, declared_by: String) -> AppRelease {
        AppRelease {
            kind: self.kind,
            declared_by,
            name: self.name,
            namespace: self.namespace,
            chart: self.chart,
            repository: self.repository,
            version: self.version,
            file,
            anchor: self.anchor,
            values: self.values,
            builds: Vec::new(),
            unsure: None,
            unread: None,
            ambiguous: None,
        }
    }
}

/// Why a version cannot be read with the data, if it cannot. A range (`4.x`, `>=4.0.0`) is
/// checked by its lowest version.
fn out_of_range(chart: &Chart, version: &str) -> Option<String> {
    if matches!(version.trim(), "" | "*" | "x" | "latest") {
        return None;
    }
    let lowest = version.trim_start_matches(['>', '=', '~', '^', ' ']);
    let lowest = lowest
        .split([' ', ',', '<'])
        .next()
        .unwrap_or_default()
        .replace(['x', '*'], "0");
    let range = &chart.versions;
    match Version::parse(&lowest) {
        Some(v) if v >= range.min && v <= range.max => None,
        Some(v) => Some(format!(
            "chart version {v} is outside the versions whose templates the data describes ({} to {})",
            range.min, range.max
        )),
        // A version the data cannot compare (a digest, a branch): read with the data, said so.
        None => None,
    }
}

/// Argo CD `parameters: [{name: a.b, value: x}]` as a values tree located at each value.
fn built_parameters(tree: &Tree, list: NodeId) -> Option<Source> {
    let mut pairs = Vec::new();
    for item in tree.items(list) {
        let name = tree.get(*item, "name").and_then(|e| tree.string(e.value));
        let value = tree.get(*item, "value").map(|e| e.value);
        if let (Some(name), Some(value)) = (name, value) {
            pairs.push((name.to_string(), value));
        }
    }
    build_pairs(tree, &pairs)
}

/// k3s `set: {a.b: x}`.
fn built_set(tree: &Tree, map: NodeId) -> Option<Source> {
    let pairs: Vec<(String, NodeId)> = tree
        .entries(map)
        .iter()
        .filter_map(|e| tree.scalar(e.key).map(|k| (k.to_string(), e.value)))
        .collect();
    build_pairs(tree, &pairs)
}

/// Dotted paths and value nodes → a nested mapping whose leaves keep their spans.
fn build_pairs(tree: &Tree, pairs: &[(String, NodeId)]) -> Option<Source> {
    if pairs.is_empty() {
        return None;
    }
    let mut out = Tree::default();
    let mut root = Nested::default();
    for (path, value) in pairs {
        let span = tree.span(*value);
        let text = tree.scalar(*value).unwrap_or_default().to_string();
        root.insert(&path.split('.').collect::<Vec<_>>(), (text, span));
    }
    let node = root.write(&mut out, Span::default());
    Some(Source::Built(out, node))
}

/// Values text from nowhere in the files (a Secret's base64 data), every node at `at`.
fn built_from_text(text: &str, at: Span) -> Option<Source> {
    let parsed = manifest::parse::parse(text, manifest::parse::Limits::default());
    if parsed
        .problems
        .iter()
        .any(|p| p.kind == manifest::ProblemKind::Syntax)
    {
        return None;
    }
    let root = parsed.documents.first().and_then(|d| d.root)?;
    let mut tree = Tree::default();
    let mut budget = 1_000_000;
    let node = tree.graft(&parsed.tree, root, &|_| at, &mut budget)?;
    Some(Source::Built(tree, node))
}

/// Standard base64 (whitespace ignored), as Kubernetes encodes Secret data.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn built_at_path(path: &str, value: &str, at: Span) -> Source {
    let mut out = Tree::default();
    let mut root = Nested::default();
    root.insert(
        &path.split('.').collect::<Vec<_>>(),
        (value.to_string(), at),
    );
    let node = root.write(&mut out, at);
    Source::Built(out, node)
}

/// Values built from dotted paths (`a.b.c` → value), as a tree.
#[derive(Default)]
pub(super) struct Nested {
    leaf: Option<(String, Span)>,
    children: Vec<(String, Nested)>,
}

impl Nested {
    pub(super) fn insert(&mut self, path: &[&str], leaf: (String, Span)) {
        match path.split_first() {
            None => self.leaf = Some(leaf),
            Some((head, rest)) => {
                let index = match self.children.iter().position(|(k, _)| k == head) {
                    Some(i) => i,
                    None => {
                        self.children.push((head.to_string(), Nested::default()));
                        self.children.len() - 1
                    }
                };
                self.children[index].1.insert(rest, leaf);
            }
        }
    }

    pub(super) fn write(&self, out: &mut Tree, span: Span) -> NodeId {
        if let Some((text, at)) = &self.leaf {
            return out.add_scalar(text, ScalarStyle::Plain, *at);
        }
        let entries = self
            .children
            .iter()
            .map(|(k, child)| {
                let value = child.write(out, span);
                let at = out.span(value);
                manifest::parse::Entry {
                    key: out.add_scalar(k, ScalarStyle::Plain, at),
                    value,
                }
            })
            .collect();
        out.add_mapping(entries, span)
    }
}

/// An umbrella `Chart.yaml`: each dependency on a known chart is a release whose values sit
/// under the dependency's alias (or name) in the `values.yaml` beside it.
fn umbrella(
    files: &[LoadedFile],
    file: usize,
    knowledge: &'static Knowledge,
    namespace: &str,
    destinations: &[Destination],
    out: &mut Discovered,
) {
    let chart_file = &files[file];
    let Some(root) = chart_file.documents.first().and_then(|d| d.root) else {
        return;
    };
    let tree = &chart_file.tree;
    let parent = tree
        .get(root, "name")
        .and_then(|e| tree.string(e.value))
        .unwrap_or("release")
        .to_string();
    let values_file = sibling(files, file, "values.yaml");
    // An Argo CD Application of the chart's directory installs it: its name, namespace and
    // `helm` values (over the chart's values.yaml).
    let directory = chart_file
        .source
        .name
        .rsplit_once('/')
        .map_or("", |(d, _)| d);
    let argo = destinations.iter().find(|d| d.directory == directory);
    let namespace = argo.map_or(namespace, |d| d.namespace.as_str());
    let (release_name, argo_values) = match argo {
        Some(destination) => argo_path_release(files, file, destination),
        None => (None, Vec::new()),
    };
    let installed_by = argo.map(|d| format!(" (installed by {})", d.declared_by));
    // The chart's own templates read its values.yaml: an application chart's `ingress:`.
    if let Some(vf) = values_file {
        let vroot = files[vf].documents.first().and_then(|d| d.root);
        if let (Some(vroot), None) = (vroot, knowledge.chart(&parent, None)) {
            let vtree = &files[vf].tree;
            let anchor = vtree
                .get(vroot, "ingress")
                .map_or_else(|| vtree.span(vroot), |e| vtree.span(e.key));
            let mut values = ValuesPlan::default();
            values.sources.extend(argo_values.iter().cloned());
            values.sources.push(Source::Node {
                file: vf,
                node: vroot,
                reported_at: None,
            });
            let mut app = Found {
                kind: ReleaseKind::UmbrellaChart,
                chart: parent.clone(),
                repository: None,
                version: child_text(tree, root, "version"),
                anchor,
                name: release_name.clone().unwrap_or_else(|| parent.clone()),
                namespace: namespace.to_string(),
                values,
            }
            .app(
                vf,
                format!(
                    "chart `{parent}` ({}){}",
                    chart_file.source.name,
                    installed_by.clone().unwrap_or_default()
                ),
            );
            if argo.is_none() {
                app.unsure = Some(
                    "the release name and namespace are chosen at install; the chart's name and the default namespace stand for them".into(),
                );
            }
            out.apps.push(app);
        }
    }
    let Some(dependencies) = tree.get(root, "dependencies") else {
        return;
    };
    for dependency in tree.items(dependencies.value) {
        let get = |key: &str| {
            tree.get(*dependency, key)
                .and_then(|e| tree.string(e.value))
        };
        let Some(name) = get("name") else { continue };
        let key = get("alias").unwrap_or(name).to_string();
        let version = get("version").map(str::to_string);
        let declared_by = format!(
            "{} dependency `{key}`{}",
            chart_file.source.name,
            installed_by.clone().unwrap_or_default()
        );
        let release_name = release_name.clone().unwrap_or_else(|| parent.clone());
        let mut values = ValuesPlan {
            under: vec![key.clone()],
            ..ValuesPlan::default()
        };
        values.sources.extend(argo_values.iter().cloned());
        // The objects go to the values file when there is one: that is where the facts are.
        let (host, anchor) = match values_file {
            Some(vf) => {
                let vtree = &files[vf].tree;
                let vroot = files[vf].documents.first().and_then(|d| d.root);
                if let Some(vroot) = vroot {
                    values.sources.push(Source::Node {
                        file: vf,
                        node: vroot,
                        reported_at: None,
                    });
                }
                let anchor = vroot
                    .and_then(|r| vtree.get(r, &key))
                    .map(|e| vtree.span(e.key))
                    .unwrap_or_default();
                (vf, anchor)
            }
            None => (file, tree.span(*dependency)),
        };
        let found = Found {
            kind: ReleaseKind::UmbrellaChart,
            chart: name.to_string(),
            repository: get("repository").map(str::to_string),
            version,
            anchor,
            name: release_name,
            namespace: namespace.to_string(),
            values,
        };
        if let Some(plan) = out.add(knowledge, found, host, declared_by) {
            plan.chart_name = key;
        }
    }
}

/// An Argo CD Application installing the chart at its path: the release name
/// (`helm.releaseName`, else the Application's name) and its `helm` values, highest first —
/// `parameters`, `valuesObject`, `values`, then `valueFiles` (relative to the chart), each
/// located where written.
fn argo_path_release(
    files: &[LoadedFile],
    chart: usize,
    destination: &Destination,
) -> (Option<String>, Vec<Source>) {
    let tree = &files[destination.file].tree;
    let Some(helm) = destination.helm else {
        return (Some(destination.application.clone()), Vec::new());
    };
    let get = |key: &str| tree.get(helm, key).map(|e| e.value);
    let name = get("releaseName")
        .and_then(|n| tree.string(n))
        .map_or_else(|| destination.application.clone(), str::to_string);
    let mut sources = Vec::new();
    if let Some(Source::Built(built, root)) =
        get("parameters").and_then(|p| built_parameters(tree, p))
    {
        // Built from the Application's file: its values are located there.
        let mut located = Tree::default();
        let mut budget = usize::MAX;
        let locate = |s: Span| s.in_file(destination.file);
        if let Some(root) = located.graft(&built, root, &locate, &mut budget) {
            sources.push(Source::Built(located, root));
        }
    }
    for key in ["valuesObject", "values"] {
        if let Some(node) = get(key) {
            sources.push(Source::Foreign {
                file: destination.file,
                node,
            });
        }
    }
    if let Some(list) = get("valueFiles") {
        for item in tree.items(list).iter().rev() {
            let Some(path) = tree.string(*item) else {
                continue;
            };
            let found = sibling(files, chart, path)
                .and_then(|f| Some((f, files[f].documents.first()?.root?)));
            sources.push(match found {
                Some((file, node)) => Source::Foreign { file, node },
                None => Source::Unknown(format!("valueFiles {path} is not in the input")),
            });
        }
    }
    (Some(name), sources)
}

/// The file at `relative` from the directory of file `from`, among the loaded files.
fn sibling(files: &[LoadedFile], from: usize, relative: &str) -> Option<usize> {
    let dir = files[from]
        .source
        .name
        .rsplit_once('/')
        .map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let wanted = parts.join("/");
    files.iter().position(|f| f.source.name == wanted)
}

/// A values file a release names: its root in the input (reported at the reference), or
/// unknown.
fn values_file(files: &[LoadedFile], from: usize, relative: &str, reference: Span) -> Source {
    match sibling(files, from, relative) {
        Some(file) => match files[file].documents.first().and_then(|d| d.root) {
            Some(node) => Source::Node {
                file,
                node,
                reported_at: (file != from).then_some(reference),
            },
            None => Source::Unknown(format!("values file {relative} is empty or does not parse")),
        },
        None => Source::Unknown(format!("values file {relative} is not in the input")),
    }
}

/// `helmfile.yaml`: each release of a known chart, `repo/chart` resolved through
/// `repositories:`; `values:` (files and inline maps, later ones win), then `set:` on top.
fn helmfile(
    files: &[LoadedFile],
    file: usize,
    knowledge: &'static Knowledge,
    namespace: &str,
    out: &mut Discovered,
) {
    let f = &files[file];
    let Some(root) = f.documents.first().and_then(|d| d.root) else {
        return;
    };
    let tree = &f.tree;
    let text = |node: NodeId, key: &str| child_text(tree, node, key);
    let repositories: Vec<(String, String)> = tree
        .get(root, "repositories")
        .map(|e| tree.items(e.value).to_vec())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| Some((text(r, "name")?, text(r, "url")?)))
        .collect();
    let Some(releases) = tree.get(root, "releases") else {
        return;
    };
    for release in tree.items(releases.value) {
        let Some(chart_entry) = tree.get(*release, "chart") else {
            continue;
        };
        let Some(reference) = tree.string(chart_entry.value) else {
            continue;
        };
        let (repository, chart) = match reference.split_once('/') {
            Some((repo, chart)) if !reference.contains("://") && !reference.starts_with('.') => {
                let url = repositories
                    .iter()
                    .find(|(n, _)| n == repo)
                    .map(|(_, u)| u.clone());
                (url, chart.to_string())
            }
            _ => (
                None,
                reference
                    .rsplit('/')
                    .next()
                    .unwrap_or(reference)
                    .to_string(),
            ),
        };
        let mut values = ValuesPlan::default();
        if let Some(set) = tree.get(*release, "set") {
            if let Some(built) = built_parameters(tree, set.value) {
                values.sources.push(built);
            }
        }
        let listed = tree
            .get(*release, "values")
            .map(|e| tree.items(e.value).to_vec())
            .unwrap_or_default();
        for item in listed.into_iter().rev() {
            if tree.is_mapping(item) {
                values.sources.push(Source::Node {
                    file,
                    node: item,
                    reported_at: None,
                });
            } else if let Some(path) = tree.string(item) {
                values.sources.push(if path.contains("{{") {
                    Source::Unknown(format!("values file {path} is a template"))
                } else {
                    values_file(files, file, path, tree.span(item))
                });
            }
        }
        let name = text(*release, "name").unwrap_or_else(|| chart.clone());
        let found = Found {
            kind: ReleaseKind::Helmfile,
            chart,
            repository,
            version: text(*release, "version"),
            anchor: tree.span(chart_entry.value),
            name: name.clone(),
            namespace: text(*release, "namespace").unwrap_or_else(|| namespace.to_string()),
            values,
        };
        let declared_by = format!("{} release `{name}`", f.source.name);
        out.add(knowledge, found, file, declared_by);
    }
}

/// Kustomize `helmCharts:`: `valuesFile` (and `additionalValuesFiles`), then `valuesInline`
/// on top (the default `valuesMerge: override`). An unnamed release is `release-name`, as
/// `helm template` names it.
fn kustomize_helm_charts(
    files: &[LoadedFile],
    file: usize,
    knowledge: &'static Knowledge,
    namespace: &str,
    out: &mut Discovered,
) {
    let f = &files[file];
    let Some(root) = f.documents.first().and_then(|d| d.root) else {
        return;
    };
    let tree = &f.tree;
    let text = |node: NodeId, key: &str| child_text(tree, node, key);
    let Some(charts) = tree.get(root, "helmCharts") else {
        return;
    };
    for entry in tree.items(charts.value) {
        let Some(name_entry) = tree.get(*entry, "name") else {
            continue;
        };
        let Some(chart) = tree.string(name_entry.value).map(str::to_string) else {
            continue;
        };
        let repository = text(*entry, "repo");
        let mut values = ValuesPlan::default();
        if let Some(inline) = tree.get(*entry, "valuesInline") {
            values.sources.push(Source::Node {
                file,
                node: inline.value,
                reported_at: None,
            });
        }
        let additional = tree
            .get(*entry, "additionalValuesFiles")
            .map(|e| tree.items(e.value).to_vec())
            .unwrap_or_default();
        let main = tree.get(*entry, "valuesFile").map(|e| e.value);
        for node in additional.into_iter().rev().chain(main) {
            if let Some(path) = tree.string(node) {
                values
                    .sources
                    .push(values_file(files, file, path, tree.span(node)));
            }
        }
        let found = Found {
            kind: ReleaseKind::KustomizeHelmChart,
            chart: chart.clone(),
            repository,
            version: text(*entry, "version"),
            anchor: tree.span(name_entry.value),
            name: text(*entry, "releaseName").unwrap_or_else(|| "release-name".to_string()),
            namespace: text(*entry, "namespace").unwrap_or_else(|| namespace.to_string()),
            values,
        };
        let declared_by = format!("{} helmCharts `{chart}`", f.source.name);
        out.add(knowledge, found, file, declared_by);
    }
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn base64_decodes_as_kubernetes_writes_it() {
        let text = "Y29udHJvbGxlcjoKICBraW5kOiBEYWVtb25TZXQK";
        assert_eq!(
            String::from_utf8(decode_base64(text).unwrap()).unwrap(),
            "controller:\n  kind: DaemonSet\n"
        );
        assert_eq!(decode_base64("YQ==").unwrap(), b"a");
        assert!(decode_base64("ENC[AES256_GCM,data:x]").is_none());
    }
}
