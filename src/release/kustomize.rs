//! Kustomize, offline, for what changes an object's identity and meaning: files used as
//! patches are fragments, not objects (a strategic-merge patch of an Ingress is not an
//! Ingress with no class); `$patch: delete` documents are instructions; and `namespace:` of
//! the overlays that build a base is the namespace of the base's objects.
//!
//! Not applied: `namePrefix`/`nameSuffix`, patch contents, components, generators, remote
//! resources. A base that two overlays build with different namespaces keeps the namespace
//! it names (`kustomize build` each overlay to check each).

use manifest::parse::{NodeId, PathStep, Tree};
use manifest::LoadedFile;

/// File names Kustomize reads in a directory.
const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The input's file names, sorted: a file, or what is below a directory, is found without
/// scanning every file (kustomizations name many paths).
pub struct Paths {
    sorted: Vec<(String, usize)>,
}

impl Paths {
    pub fn new(files: &[LoadedFile]) -> Paths {
        let mut sorted: Vec<(String, usize)> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.source.name.clone(), i))
            .collect();
        sorted.sort();
        Paths { sorted }
    }

    /// The file of this name.
    pub fn file(&self, path: &str) -> Option<usize> {
        let at = self
            .sorted
            .partition_point(|(name, _)| name.as_str() < path);
        self.sorted
            .get(at)
            .filter(|(name, _)| name == path)
            .map(|(_, i)| *i)
    }

    /// The files below a directory.
    pub fn below(&self, directory: &str) -> impl Iterator<Item = usize> + '_ {
        let prefix = format!("{directory}/");
        let at = self.sorted.partition_point(|(name, _)| *name < prefix);
        self.sorted[at..]
            .iter()
            .take_while(move |(name, _)| name.starts_with(&prefix))
            .map(|(_, i)| *i)
    }

    /// Whether a path is a file of the input or a directory holding some.
    fn exists(&self, path: &str) -> bool {
        self.file(path).is_some() || self.below(path).next().is_some()
    }
}

/// One kustomization file: its directory and what it lists, resolved to input paths.
#[derive(Debug)]
pub struct Kustomization {
    pub file: usize,
    pub directory: String,
    pub namespace: Option<String>,
    /// `resources:` and `components:`, as paths of the input (files or directories).
    pub resources: Vec<String>,
    /// Files read as patches.
    pub patches: Vec<String>,
    /// Entries that name nothing in the input (a path outside it, or missing) or that are
    /// remote: (the entry's node, why).
    pub unresolved: Vec<(manifest::Span, String)>,
}

/// Every kustomization file of the input.
pub fn find(files: &[LoadedFile], paths: &Paths) -> Vec<Kustomization> {
    files
        .iter()
        .enumerate()
        .filter_map(|(index, file)| {
            let name = file.source.name.as_str();
            let (directory, base) = name.rsplit_once('/').unwrap_or(("", name));
            if !FILE_NAMES.contains(&base) {
                return None;
            }
            let root = file.documents.first()?.root?;
            let tree = &file.tree;
            let entries = |key: &str| -> Vec<(String, manifest::Span)> {
                let Some(entry) = tree.lookup(root, &[PathStep::Key(key)]) else {
                    return Vec::new();
                };
                tree.items(entry.value)
                    .iter()
                    .filter_map(|item| Some((item_path(tree, *item)?, tree.span(*item))))
                    .collect()
            };
            let mut unresolved = Vec::new();
            let mut resources = Vec::new();
            for (path, span) in [
                entries("resources"),
                entries("components"),
                entries("bases"),
            ]
            .concat()
            {
                if path.contains("://") || path.starts_with("git@") {
                    unresolved.push((
                        span,
                        format!("remote resource `{path}` is not followed (offline)"),
                    ));
                    continue;
                }
                let joined = join(directory, &path);
                if !paths.exists(&joined) {
                    unresolved.push((
                        span,
                        format!("resource `{path}` is not in the input ({joined})"),
                    ));
                }
                resources.push(joined);
            }
            let mut patches = Vec::new();
            for (path, span) in [
                entries("patchesStrategicMerge"),
                entries("patches"),
                entries("patchesJson6902"),
            ]
            .concat()
            {
                let joined = join(directory, &path);
                if !paths.exists(&joined) {
                    unresolved.push((
                        span,
                        format!("patch `{path}` is not in the input ({joined})"),
                    ));
                }
                patches.push(joined);
            }
            let namespace = tree
                .lookup(root, &[PathStep::Key("namespace")])
                .and_then(|e| tree.scalar(e.value))
                .filter(|ns| !ns.is_empty())
                .map(str::to_string);
            Some(Kustomization {
                file: index,
                directory: directory.to_string(),
                namespace,
                resources,
                patches,
                unresolved,
            })
        })
        .collect()
}

/// A list item naming a file: a string, or a mapping's `path:` (`patches: [{path: x}]`). An
/// inline patch (a string holding YAML) names none.
fn item_path(tree: &Tree, item: NodeId) -> Option<String> {
    let text = match tree.scalar(item) {
        Some(text) => text,
        None => tree.scalar(tree.lookup(item, &[PathStep::Key("path")])?.value)?,
    };
    (!text.contains('\n') && !text.trim_start().starts_with(['{', '[']))
        .then(|| text.trim().to_string())
}

/// `directory/relative`, with `.` and `..` resolved.
pub fn join(directory: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = directory.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// The input files a kustomization resource names: the file, or — for a directory — what
/// its kustomization lists (recursively), else every file below it.
pub fn reach(
    paths: &Paths,
    kustomizations: &[Kustomization],
    path: &str,
    seen: &mut Vec<String>,
    out: &mut Vec<usize>,
) {
    if seen.iter().any(|s| s == path) {
        return;
    }
    seen.push(path.to_string());
    if let Some(index) = paths.file(path) {
        out.push(index);
        return;
    }
    if let Some(k) = kustomizations.iter().find(|k| k.directory == path) {
        out.push(k.file);
        for resource in &k.resources {
            reach(paths, kustomizations, resource, seen, out);
        }
        return;
    }
    out.extend(paths.below(path));
}

/// Applies what the kustomizations say to the objects: patches and deletions are fragments,
/// and the overlays' namespace is the namespace of what they build (when they agree).
pub fn apply(files: &mut [LoadedFile], paths: &Paths, kustomizations: &[Kustomization]) {
    for k in kustomizations {
        for (span, why) in &k.unresolved {
            files[k.file].problems.push(
                manifest::Problem::new(manifest::ProblemKind::Unresolved, *span, format!("{why}: what it adds is not checked"))
                    .with_help("give the whole repository as the input, or check `kustomize build DIR | ingress-lint check -`"),
            );
        }
    }
    let patch_files: Vec<usize> = kustomizations
        .iter()
        .flat_map(|k| k.patches.iter())
        .filter_map(|p| paths.file(p))
        .collect();
    for index in patch_files {
        make_fragments(&mut files[index], |_, _| true);
    }
    for file in files.iter_mut() {
        make_fragments(file, |tree, node| {
            tree.lookup(node, &[PathStep::Key("$patch")]).is_some()
        });
    }
    for (file, namespace) in namespaces(paths, kustomizations) {
        for object in &mut files[file].objects {
            if !object.reference.is_cluster_scoped() {
                object.reference.namespace = Some(namespace.clone());
            }
        }
    }
}

/// Drops the objects `is_fragment` picks (and the schema problems of their documents): they
/// are counted as skipped documents.
fn make_fragments(file: &mut LoadedFile, is_fragment: impl Fn(&Tree, NodeId) -> bool) {
    let tree = &file.tree;
    let fragments: Vec<usize> = file
        .objects
        .iter()
        .filter(|o| is_fragment(tree, o.node))
        .map(|o| o.document)
        .collect();
    if fragments.is_empty() {
        return;
    }
    file.objects.retain(|o| !fragments.contains(&o.document));
    file.problems.retain(|p| {
        p.kind != manifest::ProblemKind::SchemaMismatch
            || p.document.is_none_or(|d| !fragments.contains(&d))
    });
    let mut documents = fragments;
    documents.dedup();
    file.skipped_documents += documents.len();
}

/// Files whose objects every kustomization that builds them puts in one namespace: the
/// outermost `namespace:` on each path from a root kustomization wins, as in Kustomize.
fn namespaces(paths: &Paths, kustomizations: &[Kustomization]) -> Vec<(usize, String)> {
    let listed: Vec<&String> = kustomizations
        .iter()
        .flat_map(|k| k.resources.iter())
        .collect();
    let mut seen_per_file: std::collections::BTreeMap<usize, Vec<Option<String>>> =
        Default::default();
    for root in kustomizations
        .iter()
        .filter(|k| !listed.contains(&&k.directory))
    {
        let mut stack = vec![(root, root.namespace.clone())];
        let mut visited = Vec::new();
        while let Some((k, namespace)) = stack.pop() {
            if visited.contains(&k.file) {
                continue;
            }
            visited.push(k.file);
            for resource in &k.resources {
                if let Some(inner) = kustomizations.iter().find(|i| &i.directory == resource) {
                    stack.push((inner, namespace.clone().or(inner.namespace.clone())));
                    continue;
                }
                let mut reached = Vec::new();
                reach(
                    paths,
                    kustomizations,
                    resource,
                    &mut Vec::new(),
                    &mut reached,
                );
                for file in reached {
                    seen_per_file
                        .entry(file)
                        .or_default()
                        .push(namespace.clone());
                }
            }
        }
    }
    seen_per_file
        .into_iter()
        .filter_map(|(file, mut namespaces)| {
            namespaces.sort();
            namespaces.dedup();
            match namespaces.as_slice() {
                [Some(namespace)] => Some((file, namespace.clone())),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn paths_join_like_kustomize_reads_them() {
        assert_eq!(join("overlays/prod", "../../base"), "base");
        assert_eq!(
            join("overlays/prod", "./patch.yaml"),
            "overlays/prod/patch.yaml"
        );
        assert_eq!(join("", "base"), "base");
        assert_eq!(join("a", "../../x"), "../x");
    }
}
