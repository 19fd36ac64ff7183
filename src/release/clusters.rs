//! Clusters found in the repository, for when the configuration names none: each
//! `clusters/<name>` directory is what one cluster applies, together with everything it
//! reaches — the resources of its kustomizations, the `spec.path` of its Flux
//! `Kustomization`s, the `path` of its Argo CD `Application`s — recursively. A file reached
//! from several clusters belongs to each.

use manifest::parse::PathStep;
use manifest::LoadedFile;

use super::kustomize::{reach, Kustomization};

/// One cluster the repository describes.
#[derive(Clone, Debug)]
pub struct DerivedCluster {
    pub name: String,
    /// How it was found, for the inventory.
    pub how: String,
    /// Indexes of the files it applies.
    pub files: Vec<usize>,
}

/// The clusters of the input: none unless at least two `clusters/<name>` directories exist.
pub fn derive(files: &[LoadedFile], kustomizations: &[Kustomization]) -> Vec<DerivedCluster> {
    let mut roots: Vec<String> = files
        .iter()
        .filter_map(|f| cluster_root(&f.source.name))
        .collect();
    roots.sort();
    roots.dedup();
    if roots.len() < 2 {
        return Vec::new();
    }
    roots
        .into_iter()
        .map(|root| {
            let mut reached = Vec::new();
            let mut seen = Vec::new();
            reach(files, kustomizations, &root, &mut seen, &mut reached);
            let mut via = Vec::new();
            let mut next = 0;
            while next < reached.len() {
                let file = &files[reached[next]];
                next += 1;
                for (path, what) in applied_paths(file) {
                    if let Some(directory) = directory_named(files, &path) {
                        if !via.contains(&what) {
                            via.push(what);
                        }
                        reach(files, kustomizations, &directory, &mut seen, &mut reached);
                    }
                }
            }
            reached.sort_unstable();
            reached.dedup();
            let name = root.rsplit('/').next().unwrap_or(&root).to_string();
            let how = if via.is_empty() {
                format!("directory {root}")
            } else {
                format!("directory {root}, following {}", via.join(" and "))
            };
            DerivedCluster {
                name,
                how,
                files: reached,
            }
        })
        .collect()
}

/// `…/clusters/<name>` of a file below one.
fn cluster_root(name: &str) -> Option<String> {
    let segments: Vec<&str> = name.split('/').collect();
    let at = segments.iter().position(|s| *s == "clusters")?;
    // The name must be a directory: a file below it follows.
    (at + 2 < segments.len()).then(|| segments[..at + 2].join("/"))
}

/// The repository paths a file's Flux `Kustomization`s and Argo CD `Application`s apply.
fn applied_paths(file: &LoadedFile) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for object in &file.objects {
        let reference = &object.reference;
        let tree = &file.tree;
        let scalar = |path: &[PathStep<'_>]| {
            tree.lookup(object.node, path)
                .and_then(|e| tree.scalar(e.value))
                .map(str::to_string)
        };
        if reference.kind == "Kustomization"
            && reference
                .api_version
                .starts_with("kustomize.toolkit.fluxcd.io/")
        {
            if let Some(path) = scalar(&[PathStep::Key("spec"), PathStep::Key("path")]) {
                out.push((path, "Flux Kustomization paths"));
            }
        }
        if reference.kind == "Application" && reference.api_version.starts_with("argoproj.io/") {
            let spec = [
                PathStep::Key("spec"),
                PathStep::Key("source"),
                PathStep::Key("path"),
            ];
            if let Some(path) = scalar(&spec) {
                out.push((path, "Argo CD Application paths"));
            }
            let sources = tree.lookup(
                object.node,
                &[PathStep::Key("spec"), PathStep::Key("sources")],
            );
            for source in sources.iter().flat_map(|e| tree.items(e.value)) {
                if let Some(path) = tree
                    .lookup(*source, &[PathStep::Key("path")])
                    .and_then(|e| tree.scalar(e.value))
                {
                    out.push((path.to_string(), "Argo CD Application paths"));
                }
            }
        }
    }
    out
}

/// The input directory a repository path (`./infrastructure/controllers`) names: the
/// repository root is not known, so a directory whose path ends with it.
fn directory_named(files: &[LoadedFile], path: &str) -> Option<String> {
    let path = path.trim_start_matches("./").trim_end_matches('/');
    if path.is_empty() || path == "." {
        return None;
    }
    files.iter().find_map(|f| {
        let name = f.source.name.as_str();
        let at = if name.starts_with(&format!("{path}/")) {
            0
        } else {
            name.find(&format!("/{path}/"))? + 1
        };
        Some(name[..at + path.len()].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::cluster_root;

    #[test]
    fn a_cluster_is_a_directory_below_clusters() {
        assert_eq!(
            cluster_root("repo/clusters/prod/flux-system/gotk-sync.yaml").as_deref(),
            Some("repo/clusters/prod")
        );
        assert_eq!(cluster_root("clusters/prod.yaml"), None);
        assert_eq!(cluster_root("apps/base/x.yaml"), None);
    }
}
