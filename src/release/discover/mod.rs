//! Finds Helm releases of known controller charts in the loaded files, and the values each
//! is installed with, in its tool's precedence.

mod files;
mod objects;

use std::borrow::Cow;

use manifest::parse::{NodeId, ScalarStyle, Tree};
use manifest::{LoadedFile, SourceText, Span};

use super::argo::Destination;
use super::embedded::parse_string;
use super::values::{Layer, Placement, Values};
use super::Release;
use crate::knowledge::charts::{Chart, Version};
use crate::knowledge::{chart_defaults, Knowledge};
use files::{helmfile, kustomize_helm_charts, umbrella};
use objects::{Index, Reader};

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
