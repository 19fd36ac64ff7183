//! What a Flux `Kustomization` does to what it builds, besides building it: `postBuild`
//! variable substitution — `${VAR}` replaced with `spec.postBuild.substitute` values and the
//! `data` of the ConfigMaps `substituteFrom` names (inline values win, as in Flux) — and
//! `spec.targetNamespace`, the namespace of every namespaced object it applies. Applied to the
//! objects of the path it builds; a value with a variable the input cannot tell (a Secret's,
//! one set nowhere, with no default) stays as written.

use std::collections::BTreeMap;

use manifest::parse::{Entry, NodeId, NodeKind, PathStep, Tree};
use manifest::{LoadedFile, Problem, ProblemKind};

use super::clusters::Directories;
use super::kustomize::{reach, BuildRoot, Kustomization, Paths};

type Variables = BTreeMap<String, String>;

/// Substitutes the variables of every Flux Kustomization of the input.
pub fn apply(
    files: &mut [LoadedFile],
    paths: &Paths,
    kustomizations: &[Kustomization],
    builds: &[BuildRoot],
) {
    for (file, problem) in missing_paths(files) {
        files[file].problems.push(problem);
    }
    let directories = Directories::new(files);
    for (path, variables, target_namespace) in flux_kustomizations(files) {
        let Some(directory) = directories.named(&path) else {
            continue;
        };
        for (file, changed) in applied_objects(files, paths, kustomizations, builds, &directory) {
            let mut all_known = true;
            for index in changed {
                let loaded = &mut files[file];
                if let Some(namespace) = &target_namespace {
                    let reference = &mut loaded.objects[index].reference;
                    if !reference.is_cluster_scoped() {
                        reference.namespace = Some(namespace.clone());
                    }
                }
                if variables.is_empty() {
                    continue;
                }
                let (node, document) = (loaded.objects[index].node, loaded.objects[index].document);
                let mut known = true;
                let Some(substituted) =
                    substitute_node(&mut loaded.tree, node, &variables, &mut known)
                else {
                    continue;
                };
                all_known &= known;
                if let Some(mut object) = loaded.model_changed(document, substituted) {
                    let before = &loaded.objects[index];
                    object.builds.clone_from(&before.builds);
                    if !before.reference.name.contains("${") {
                        object.reference.name.clone_from(&before.reference.name);
                    }
                    if before
                        .reference
                        .namespace
                        .as_deref()
                        .is_some_and(|n| !n.contains("${"))
                    {
                        object
                            .reference
                            .namespace
                            .clone_from(&before.reference.namespace);
                    }
                    loaded.objects[index] = object;
                }
            }
            // Every placeholder of the file was resolved: its note about them is moot.
            if all_known && !has_placeholders(&files[file]) {
                files[file].problems.retain(|p| {
                    p.kind != ProblemKind::Placeholders || !p.message.contains("${VAR}")
                });
            }
        }
    }
}

/// Flux Kustomizations of this repository (a `GitRepository` source) whose `spec.path` is
/// not in it while a directory above it is: Flux fails to reconcile them ("kustomization
/// path not found"). A path none of whose directories is in the input may lie outside what
/// was given: not said.
fn missing_paths(files: &[LoadedFile]) -> Vec<(usize, Problem)> {
    let mut out = Vec::new();
    let mut directories = None;
    for (index, file) in files.iter().enumerate() {
        for object in flux_kustomization_objects(file) {
            let reference = &object.reference;
            let tree = &file.tree;
            let at = |path: &[&str]| tree.lookup_keys(object.node, path);
            let source = at(&["spec", "sourceRef", "kind"]).and_then(|e| tree.scalar(e.value));
            if source.is_some_and(|kind| kind != "GitRepository") {
                continue;
            }
            let Some(entry) = at(&["spec", "path"]) else {
                continue;
            };
            let Some(path) = tree.scalar(entry.value) else {
                continue;
            };
            let path = path.trim_start_matches("./").trim_end_matches('/');
            let directories = directories.get_or_insert_with(|| Directories::new(files));
            if path.contains("${") || directories.named(path).is_some() {
                continue;
            }
            // The nearest directory above it that the input holds.
            let mut ancestor = path;
            let found = loop {
                match ancestor.rsplit_once('/') {
                    Some((parent, _)) if directories.named(parent).is_some() => {
                        break Some(parent);
                    }
                    Some((parent, _)) => ancestor = parent,
                    None => break None,
                }
            };
            let Some(ancestor) = found else {
                continue;
            };
            let problem = Problem::new(
                ProblemKind::Unresolved,
                tree.span(entry.value),
                format!("Kustomization {}: spec.path `{path}` is not in the repository (`{ancestor}` is): Flux fails to reconcile it (kustomization path not found)", reference.name),
            )
            .with_help("correct the path, or add the directory it names");
            out.push((index, problem));
        }
    }
    out
}

/// A file's Flux `Kustomization` objects.
fn flux_kustomization_objects(file: &LoadedFile) -> impl Iterator<Item = &manifest::Object> {
    file.objects.iter().filter(|o| {
        o.reference.kind == "Kustomization"
            && o.reference
                .api_version
                .starts_with("kustomize.toolkit.fluxcd.io/")
    })
}

/// The objects a directory applies, by file: those of the files it reaches through its
/// kustomizations, as built by a build rooted there (or by no build).
pub(super) fn applied_objects(
    files: &[LoadedFile],
    paths: &Paths,
    kustomizations: &[Kustomization],
    builds: &[BuildRoot],
    directory: &str,
) -> Vec<(usize, Vec<usize>)> {
    let mut reached = Vec::new();
    reach(
        paths,
        kustomizations,
        directory,
        &mut Vec::new(),
        &mut reached,
    );
    let reached_set: std::collections::HashSet<usize> = reached.iter().copied().collect();
    let root_reached = |b: &u32| {
        builds
            .get(*b as usize)
            .is_some_and(|root| reached_set.contains(&root.file))
    };
    reached
        .iter()
        .map(|&file| {
            let objects = (0..files[file].objects.len())
                .filter(|&i| {
                    let object = &files[file].objects[i];
                    object.builds.is_empty() || object.builds.iter().any(root_reached)
                })
                .collect();
            (file, objects)
        })
        .collect()
}

/// `(spec.path, variables, spec.targetNamespace)` of each Flux Kustomization that substitutes
/// or sets a namespace.
fn flux_kustomizations(files: &[LoadedFile]) -> Vec<(String, Variables, Option<String>)> {
    let mut out = Vec::new();
    for file in files {
        for object in flux_kustomization_objects(file) {
            let reference = &object.reference;
            let tree = &file.tree;
            let at = |path: &[&str]| tree.lookup_keys(object.node, path);
            let Some(path) = at(&["spec", "path"]).and_then(|e| tree.scalar(e.value)) else {
                continue;
            };
            let mut variables = Variables::new();
            for from in at(&["spec", "postBuild", "substituteFrom"])
                .iter()
                .flat_map(|e| tree.items(e.value))
            {
                let field = |key: &str| tree.get(*from, key).and_then(|e| tree.scalar(e.value));
                if field("kind") == Some("ConfigMap") {
                    let namespace = reference.namespace.as_deref();
                    variables.extend(config_map_data(
                        files,
                        field("name").unwrap_or_default(),
                        namespace,
                    ));
                }
            }
            if let Some(inline) = at(&["spec", "postBuild", "substitute"]) {
                for entry in tree.entries(inline.value).iter() {
                    if let (Some(key), Some(value)) =
                        (tree.scalar(entry.key), tree.scalar(entry.value))
                    {
                        variables.insert(key.to_string(), value.to_string());
                    }
                }
            }
            let target_namespace = at(&["spec", "targetNamespace"])
                .and_then(|e| tree.string(e.value))
                .map(str::to_string);
            if !variables.is_empty() || target_namespace.is_some() {
                out.push((path.to_string(), variables, target_namespace));
            }
        }
    }
    out
}

/// The `data` of a ConfigMap of the input (in the Kustomization's namespace when it names one).
fn config_map_data(files: &[LoadedFile], name: &str, namespace: Option<&str>) -> Variables {
    let mut data = Variables::new();
    for file in files {
        for object in &file.objects {
            let reference = &object.reference;
            let in_namespace = namespace.is_none() || reference.namespace.as_deref() == namespace;
            if reference.kind != "ConfigMap" || reference.name != name || !in_namespace {
                continue;
            }
            let tree = &file.tree;
            let Some(entries) = tree.lookup(object.node, &[PathStep::Key("data")]) else {
                continue;
            };
            for entry in tree.entries(entries.value).iter() {
                if let (Some(key), Some(value)) = (tree.scalar(entry.key), tree.scalar(entry.value))
                {
                    data.insert(key.to_string(), value.to_string());
                }
            }
        }
    }
    data
}

fn has_placeholders(file: &LoadedFile) -> bool {
    file.objects
        .iter()
        .any(|o| holds_placeholder(&file.tree, o.node, 0))
}

fn holds_placeholder(tree: &Tree, node: NodeId, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    match &tree.node(tree.resolve(node)).kind {
        NodeKind::Scalar { .. } => tree.scalar(node).is_some_and(|v| v.contains("${")),
        NodeKind::Sequence(items) => items.iter().any(|i| holds_placeholder(tree, *i, depth + 1)),
        NodeKind::Mapping(entries) => entries
            .iter()
            .any(|e| holds_placeholder(tree, e.value, depth + 1)),
        NodeKind::Alias(_) => false,
    }
}

/// `node` with its scalars substituted (copies along the changed paths), or `None` when
/// nothing changes. `known` turns false when a value keeps a variable nobody sets.
fn substitute_node(
    tree: &mut Tree,
    node: NodeId,
    variables: &Variables,
    known: &mut bool,
) -> Option<NodeId> {
    let node = tree.resolve(node);
    let span = tree.span(node);
    match tree.node(node).kind {
        NodeKind::Scalar { .. } => {
            let (value, style) = tree.scalar_parts(node)?;
            if !value.contains("${") {
                return None;
            }
            match expand(value, variables) {
                Some(expanded) => Some(tree.add_scalar(&expanded, style, span)),
                None => {
                    *known = false;
                    None
                }
            }
        }
        NodeKind::Sequence(items) => {
            let mut changed = false;
            // A copy: substituting adds nodes to the tree the slice is borrowed from.
            let items = items.to_vec();
            let items: Vec<NodeId> = items
                .into_iter()
                .map(|i| match substitute_node(tree, i, variables, known) {
                    Some(new) => {
                        changed = true;
                        new
                    }
                    None => i,
                })
                .collect();
            changed.then(|| tree.add_sequence(items, span))
        }
        NodeKind::Mapping(entries) => {
            let mut changed = false;
            let entries = entries.to_vec();
            let entries: Vec<Entry> = entries
                .into_iter()
                .map(|e| match substitute_node(tree, e.value, variables, known) {
                    Some(value) => {
                        changed = true;
                        Entry { key: e.key, value }
                    }
                    None => e,
                })
                .collect();
            changed.then(|| tree.add_mapping(entries, span))
        }
        NodeKind::Alias(_) => None,
    }
}

/// A value with its `${VAR}`, `${VAR:-default}`, `${VAR:=default}`, `${VAR-default}` and
/// `${VAR=default}` forms expanded (`$${…}` stays literal `${…}`, as Flux escapes it); `None`
/// when a variable without a default is set nowhere.
fn expand(value: &str, variables: &Variables) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find("${") {
        if rest[..at].ends_with('$') {
            out.push_str(&rest[..at - 1]);
            let end = rest[at..].find('}').map_or(rest.len(), |e| at + e + 1);
            out.push_str(&rest[at..end]);
            rest = &rest[end..];
            continue;
        }
        out.push_str(&rest[..at]);
        let end = at + rest[at..].find('}')?;
        let inner = &rest[at + 2..end];
        let (name, default) = match inner.find([':', '-', '=']) {
            Some(split) => {
                let operator = inner[split..].trim_start_matches(':');
                let default = operator
                    .strip_prefix('-')
                    .or_else(|| operator.strip_prefix('='))?;
                (&inner[..split], Some(default))
            }
            None => (inner, None),
        };
        out.push_str(variables.get(name).map(String::as_str).or(default)?);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envsubst_forms_expand_like_flux() {
        let vars: Variables = [("CLASS".to_string(), "nginx".to_string())].into();
        assert_eq!(expand("${CLASS}", &vars).as_deref(), Some("nginx"));
        assert_eq!(expand("x-${CLASS}-y", &vars).as_deref(), Some("x-nginx-y"));
        assert_eq!(expand("${PORT:-9002}", &vars).as_deref(), Some("9002"));
        assert_eq!(expand("${PORT:=80}", &vars).as_deref(), Some("80"));
        assert_eq!(expand("${CLASS:-other}", &vars).as_deref(), Some("nginx"));
        assert_eq!(expand("$${CLASS}", &vars).as_deref(), Some("${CLASS}"));
        assert_eq!(expand("${UNSET}", &vars), None);
    }
}
