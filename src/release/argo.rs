//! Where Argo CD places what it applies: an `Application`'s `spec.destination.namespace` is
//! the namespace of every namespaced object of its source path that names none (Argo CD's
//! rule: the manifest's own namespace wins). An `ApplicationSet` is expanded offline when its
//! generator's inputs are in the repository — `list` elements, Git `directories` (the
//! template's `{{path}}`, `{{path.basename}}`, `{{path[n]}}`, `{{path.basenameNormalized}}`
//! and their Go-template forms), Git `files` (their keys flattened) and `clusters` (the
//! cluster Secrets in the input) — one Application per element, directory, file or cluster. A template the
//! input cannot fill is left alone: its objects keep no namespace of Argo CD's. A path that
//! holds a chart (`Chart.yaml`) is a Helm release of Argo CD's: the destinations are handed
//! to release discovery for its name, namespace and `helm` values.

use manifest::parse::{NodeId, PathStep, Tree};
use manifest::LoadedFile;

use super::clusters::{directories_matching, Directories};
use super::flux::applied_objects;
use super::kustomize::{BuildRoot, Kustomization, Paths};

/// Where an Argo CD Application (or one an ApplicationSet generates) deploys one of its
/// sources' paths.
pub struct Destination {
    /// The input directory the source path names.
    pub directory: String,
    pub namespace: String,
    /// The Application's name: the Helm release name of a chart path without
    /// `helm.releaseName`.
    pub application: String,
    /// `Application argocd/shop`, `ApplicationSet argocd/apps (Application shop)`.
    pub declared_by: String,
    /// The file of the Application, and its source's `helm` node.
    pub file: usize,
    pub helm: Option<NodeId>,
}

/// Sets the destination namespace of every Argo CD Application (and expanded ApplicationSet)
/// on the objects of its path that name none; returns the destinations.
pub fn apply(
    files: &mut [LoadedFile],
    paths: &Paths,
    kustomizations: &[Kustomization],
    builds: &[BuildRoot],
) -> Vec<Destination> {
    let destinations = destinations(files);
    for destination in &destinations {
        let applied = applied_objects(files, paths, kustomizations, builds, &destination.directory);
        for (file, objects) in applied {
            for index in objects {
                let reference = &mut files[file].objects[index].reference;
                if reference.namespace.is_none() && !reference.is_cluster_scoped() {
                    reference.namespace = Some(destination.namespace.clone());
                }
            }
        }
    }
    destinations
}

/// Every Application's destination, generated ones included, whose path is in the input and
/// whose namespace is known.
fn destinations(files: &[LoadedFile]) -> Vec<Destination> {
    let mut out = Vec::new();
    let directories = Directories::new(files);
    for (file_index, file) in files.iter().enumerate() {
        let tree = &file.tree;
        for object in &file.objects {
            let reference = &object.reference;
            if !reference.api_version.starts_with("argoproj.io/") {
                continue;
            }
            let (spec, name) = match reference.kind.as_str() {
                "Application" => (&[PathStep::Key("spec")][..], reference.name.clone()),
                "ApplicationSet" => (
                    &[
                        PathStep::Key("spec"),
                        PathStep::Key("template"),
                        PathStep::Key("spec"),
                    ][..],
                    text(tree, object.node, &["spec", "template", "metadata", "name"])
                        .unwrap_or_default(),
                ),
                _ => continue,
            };
            let Some(spec) = tree.lookup(object.node, spec).map(|e| e.value) else {
                continue;
            };
            let Some(namespace) = text(tree, spec, &["destination", "namespace"]) else {
                continue;
            };
            let mut generated = if reference.kind == "ApplicationSet" {
                generated(files, tree, object.node)
            } else {
                Vec::new()
            };
            if generated.is_empty() {
                generated.push(Vec::new());
            }
            for parameters in &generated {
                let namespace = fill(&namespace, parameters);
                let application = fill(&name, parameters);
                for (path, source) in sources(tree, spec) {
                    let path = fill(&path, parameters);
                    if is_template(&path) || is_template(&namespace) {
                        continue;
                    }
                    let Some(directory) = directories.named(&path) else {
                        continue;
                    };
                    let own = format!(
                        "{} {}/{}",
                        reference.kind,
                        reference.namespace.as_deref().unwrap_or("default"),
                        reference.name
                    );
                    let declared_by = if parameters.is_empty() {
                        own
                    } else {
                        format!("{own} (Application {application})")
                    };
                    out.push(Destination {
                        directory,
                        namespace: namespace.clone(),
                        application: application.clone(),
                        declared_by,
                        file: file_index,
                        helm: tree.get(source, "helm").map(|e| e.value),
                    });
                }
            }
        }
    }
    out
}

fn text(tree: &Tree, node: NodeId, keys: &[&str]) -> Option<String> {
    tree.lookup_keys(node, keys)
        .and_then(|e| tree.scalar(e.value))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// `spec.source` and each of `spec.sources` with a `path`: the path and the source node.
fn sources(tree: &Tree, spec: NodeId) -> Vec<(String, NodeId)> {
    let single = tree.get(spec, "source").map(|e| e.value);
    let many = tree
        .get(spec, "sources")
        .map(|e| tree.items(e.value).to_vec())
        .unwrap_or_default();
    single
        .into_iter()
        .chain(many)
        .filter_map(|source| Some((text(tree, source, &["path"])?, source)))
        .collect()
}

/// The parameters of every Application an ApplicationSet's generators make, where the
/// input holds what they read.
pub(super) fn generated(
    files: &[LoadedFile],
    tree: &Tree,
    node: NodeId,
) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let generators = tree
        .lookup_keys(node, &["spec", "generators"])
        .map(|e| tree.items(e.value).to_vec())
        .unwrap_or_default();
    for generator in generators {
        if let Some(elements) = tree.lookup_keys(generator, &["list", "elements"]) {
            for element in tree.items(elements.value) {
                let parameters = tree
                    .entries(*element)
                    .iter()
                    .filter_map(|e| {
                        Some((
                            tree.scalar(e.key)?.to_string(),
                            tree.scalar(e.value)?.to_string(),
                        ))
                    })
                    .collect();
                out.push(parameters);
            }
        }
        out.extend(git_files(files, tree, generator));
        if let Some(clusters) = tree.get(generator, "clusters") {
            out.extend(clusters_generated(files, tree, clusters.value));
        }
        let directories = tree
            .lookup_keys(generator, &["git", "directories"])
            .map(|e| tree.items(e.value).to_vec())
            .unwrap_or_default();
        let (mut included, mut excluded) = (Vec::new(), Vec::new());
        for directory in directories {
            let Some(pattern) = text(tree, directory, &["path"]) else {
                continue;
            };
            let exclude = text(tree, directory, &["exclude"]).as_deref() == Some("true");
            let matched = directories_matching(files, &pattern);
            let repository_paths = matched.iter().map(|d| repository_path(d, &pattern));
            if exclude {
                excluded.extend(repository_paths);
            } else {
                included.extend(repository_paths);
            }
        }
        for path in included {
            if !excluded.contains(&path) {
                out.push(directory_parameters(&path));
            }
        }
    }
    out
}

/// A Git files generator: per input file its `path` matches, the file's keys flattened
/// (`cluster.name`), and its path's parameters.
fn git_files(files: &[LoadedFile], tree: &Tree, generator: NodeId) -> Vec<Vec<(String, String)>> {
    let patterns = tree
        .lookup_keys(generator, &["git", "files"])
        .map(|e| tree.items(e.value).to_vec())
        .unwrap_or_default();
    let mut out = Vec::new();
    for item in patterns {
        let Some(pattern) = text(tree, item, &["path"]) else {
            continue;
        };
        let pattern = pattern.trim_start_matches("./").to_string();
        let Ok(glob) = globset::GlobBuilder::new(&format!("**/{pattern}"))
            .literal_separator(true)
            .build()
        else {
            continue;
        };
        let matcher = glob.compile_matcher();
        for file in files.iter().filter(|f| matcher.is_match(&f.source.name)) {
            let Some(root) = file.documents.first().and_then(|d| d.root) else {
                continue;
            };
            let repository = repository_path(&file.source.name, &pattern);
            let (directory, filename) = repository.rsplit_once('/').unwrap_or(("", &repository));
            let mut parameters = directory_parameters(directory);
            parameters.push(("path.filename".into(), filename.to_string()));
            flatten(&file.tree, root, "", &mut parameters);
            out.push(parameters);
        }
    }
    out
}

/// A mapping's scalars as `a.b.c` parameters.
fn flatten(tree: &Tree, node: NodeId, prefix: &str, out: &mut Vec<(String, String)>) {
    for entry in tree.entries(node).iter() {
        let Some(key) = tree.scalar(entry.key) else {
            continue;
        };
        let name = if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        };
        if tree.is_mapping(entry.value) {
            flatten(tree, entry.value, &name, out);
        } else if let Some(value) = tree.scalar(entry.value) {
            out.push((name, value.to_string()));
        }
    }
}

/// A cluster generator: the Argo CD cluster Secrets of the input its selector's
/// `matchLabels` match (and the local cluster, `in-cluster`, when it selects everything),
/// with `name`, `nameNormalized`, `server`, the Secret's labels and annotations, and the
/// generator's `values`.
fn clusters_generated(
    files: &[LoadedFile],
    tree: &Tree,
    generator: NodeId,
) -> Vec<Vec<(String, String)>> {
    let wanted: Vec<(String, String)> = tree
        .lookup_keys(generator, &["selector", "matchLabels"])
        .map(|e| {
            tree.entries(e.value)
                .iter()
                .filter_map(|e| {
                    Some((
                        tree.scalar(e.key)?.to_string(),
                        tree.scalar(e.value)?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let selects_all = tree.get(generator, "selector").is_none();
    let mut values = Vec::new();
    if let Some(entry) = tree.get(generator, "values") {
        flatten(tree, entry.value, "values", &mut values);
    }
    let normalized = |name: &str| -> String {
        name.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect()
    };
    let mut out = Vec::new();
    for file in files {
        for object in &file.objects {
            if object.reference.kind != "Secret" {
                continue;
            }
            let ftree = &file.tree;
            let mut labels = Vec::new();
            if let Some(entry) = ftree.lookup_keys(object.node, &["metadata", "labels"]) {
                flatten(ftree, entry.value, "metadata.labels", &mut labels);
            }
            let label = |key: &str| {
                labels
                    .iter()
                    .find(|(k, _)| k == &format!("metadata.labels.{key}"))
                    .map(|(_, v)| v.as_str())
            };
            if label("argocd.argoproj.io/secret-type") != Some("cluster")
                || !wanted.iter().all(|(k, v)| label(k) == Some(v.as_str()))
            {
                continue;
            }
            let field = |key: &str| text(ftree, object.node, &["stringData", key]);
            let (Some(name), Some(server)) = (field("name"), field("server")) else {
                continue;
            };
            let mut parameters = vec![
                ("nameNormalized".to_string(), normalized(&name)),
                ("name".to_string(), name),
                ("server".to_string(), server),
            ];
            if let Some(entry) = ftree.lookup_keys(object.node, &["metadata", "annotations"]) {
                flatten(ftree, entry.value, "metadata.annotations", &mut parameters);
            }
            parameters.extend(labels);
            parameters.extend(values.iter().cloned());
            out.push(parameters);
        }
    }
    if selects_all {
        let mut local = vec![
            ("name".to_string(), "in-cluster".to_string()),
            ("nameNormalized".to_string(), "in-cluster".to_string()),
            (
                "server".to_string(),
                "https://kubernetes.default.svc".to_string(),
            ),
        ];
        local.extend(values);
        out.push(local);
    }
    out
}

/// The repository path of an input directory a generator pattern matched: as many trailing
/// segments as the pattern has (the repository root is not known).
fn repository_path(directory: &str, pattern: &str) -> String {
    let depth = pattern
        .trim_start_matches("./")
        .trim_end_matches('/')
        .split('/')
        .count();
    let segments: Vec<&str> = directory.split('/').collect();
    segments[segments.len().saturating_sub(depth)..].join("/")
}

/// A Git directory generator's parameters for one directory.
fn directory_parameters(path: &str) -> Vec<(String, String)> {
    let basename = path.rsplit('/').next().unwrap_or(path).to_string();
    let normalized: String = basename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let mut parameters = vec![
        ("path".to_string(), path.to_string()),
        ("path.path".to_string(), path.to_string()),
        ("path.basename".to_string(), basename),
        ("path.basenameNormalized".to_string(), normalized),
    ];
    for (n, segment) in path.split('/').enumerate() {
        parameters.push((format!("path[{n}]"), segment.to_string()));
        parameters.push((format!("index .path.segments {n}"), segment.to_string()));
    }
    parameters
}

/// A template with every `{{ name }}` (or Go-template `{{ .name }}`) the parameters hold
/// filled in.
pub(super) fn fill(template: &str, parameters: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}").map(|c| c + open) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = rest[open + 2..close].trim();
        let bare = name.strip_prefix('.').unwrap_or(name);
        match parameters.iter().find(|(k, _)| k == name || k == bare) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[open..close + 2]),
        }
        rest = &rest[close + 2..];
    }
    out.push_str(rest);
    out
}

fn is_template(text: &str) -> bool {
    text.contains("{{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_parameters_fill_both_template_syntaxes() {
        let parameters = directory_parameters("envs/production/shop_v2");
        assert_eq!(fill("{{path.basename}}", &parameters), "shop_v2");
        assert_eq!(fill("{{ .path.basename }}", &parameters), "shop_v2");
        assert_eq!(fill("{{path.basenameNormalized}}", &parameters), "shop-v2");
        assert_eq!(
            fill("{{path[1]}}-{{path}}", &parameters),
            "production-envs/production/shop_v2"
        );
        assert_eq!(fill("{{index .path.segments 0}}", &parameters), "envs");
        assert_eq!(fill("{{cluster}}", &parameters), "{{cluster}}");
    }

    #[test]
    fn repository_paths_keep_as_many_segments_as_the_pattern() {
        assert_eq!(
            repository_path("fixtures/x/envs/production/shop", "envs/production/*"),
            "envs/production/shop"
        );
        assert_eq!(repository_path("a/apps/web", "./apps/*"), "apps/web");
    }
}
