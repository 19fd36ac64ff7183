//! Releases declared by files rather than objects: an umbrella (or a chart's own)
//! `Chart.yaml` with its `values.yaml` (installed by an Argo CD Application of its path, when
//! one names it), `helmfile.yaml` and `helmfile.d/` states, Kustomize `helmCharts:`.

use manifest::parse::{NodeId, Tree};
use manifest::{LoadedFile, Span};

use super::{built_parameters, child_text, Discovered, Found, ReleaseKind, Source, ValuesPlan};
use crate::knowledge::Knowledge;
use crate::release::argo::Destination;

/// An umbrella `Chart.yaml`: each dependency on a known chart is a release whose values sit
/// under the dependency's alias (or name) in the `values.yaml` beside it.
pub(super) fn umbrella(
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
pub(super) fn sibling(files: &[LoadedFile], from: usize, relative: &str) -> Option<usize> {
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
pub(super) fn helmfile(
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
pub(super) fn kustomize_helm_charts(
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
