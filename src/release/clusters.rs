//! Clusters found in the repository, for when the configuration names none: each
//! `clusters/<name>` directory is what one cluster applies, together with everything it
//! reaches — the resources of its kustomizations, the `spec.path` of its Flux
//! `Kustomization`s, the `path` of its Argo CD `Application`s — recursively. Without such
//! directories, Kustomize overlays built side by side (`overlays/<env>` with a
//! kustomization) are the builds, one cluster per environment name across the repository's
//! apps. A file reached from several clusters belongs to each.

use manifest::parse::PathStep;
use manifest::LoadedFile;

use super::kustomize::{reach, Kustomization, Paths};

/// One cluster the repository describes.
#[derive(Clone, Debug)]
pub struct DerivedCluster {
    pub name: String,
    /// How it was found, for the inventory.
    pub how: String,
    /// Indexes of the files it applies.
    pub files: Vec<usize>,
}

/// The clusters of the input: none unless at least two cluster names are found.
pub fn derive(
    files: &[LoadedFile],
    paths: &Paths,
    kustomizations: &[Kustomization],
) -> Vec<DerivedCluster> {
    let mut roots = roots_below(files, "clusters", |_| true);
    if roots.is_empty() {
        roots = roots_below(files, "overlays", |directory| {
            kustomizations.iter().any(|k| k.directory == directory)
        });
    }
    let mut names: Vec<&str> = roots.iter().map(|(name, _)| name.as_str()).collect();
    names.dedup();
    if names.len() < 2 {
        return Vec::new();
    }
    names
        .into_iter()
        .map(|name| {
            let directories: Vec<&str> = roots
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, d)| d.as_str())
                .collect();
            let mut reached = Vec::new();
            let mut seen = Vec::new();
            for directory in &directories {
                reach(paths, kustomizations, directory, &mut seen, &mut reached);
            }
            let mut via = Vec::new();
            let mut next = 0;
            while next < reached.len() {
                let file = &files[reached[next]];
                next += 1;
                for (path, what) in applied_paths(file) {
                    for directory in directories_matching(files, &path) {
                        if !via.contains(&what) {
                            via.push(what);
                        }
                        reach(paths, kustomizations, &directory, &mut seen, &mut reached);
                    }
                }
            }
            reached.sort_unstable();
            reached.dedup();
            let listed = match directories.as_slice() {
                [one] => format!("directory {one}"),
                many => format!("{} directories ({}, …)", many.len(), many[0]),
            };
            let how = if via.is_empty() {
                listed
            } else {
                format!("{listed}, following {}", via.join(" and "))
            };
            DerivedCluster {
                name: name.to_string(),
                how,
                files: reached,
            }
        })
        .collect()
}

/// `(name, directory)` of every `…/<parent>/<name>` directory holding input files that
/// `keep` accepts, sorted by name.
fn roots_below(
    files: &[LoadedFile],
    parent: &str,
    keep: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let mut roots: Vec<(String, String)> = files
        .iter()
        .filter_map(|f| root_below(&f.source.name, parent))
        .filter(|(_, directory)| keep(directory))
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

/// `(name, …/<parent>/<name>)` of a file below such a directory.
fn root_below(file: &str, parent: &str) -> Option<(String, String)> {
    let segments: Vec<&str> = file.split('/').collect();
    let at = segments.iter().position(|s| *s == parent)?;
    // The name must be a directory: a file below it follows.
    (at + 2 < segments.len()).then(|| (segments[at + 1].to_string(), segments[..at + 2].join("/")))
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
        let argo = reference.api_version.starts_with("argoproj.io/");
        let spec: &[PathStep<'_>] = match reference.kind.as_str() {
            "Application" if argo => &[PathStep::Key("spec")],
            "ApplicationSet" if argo => &[
                PathStep::Key("spec"),
                PathStep::Key("template"),
                PathStep::Key("spec"),
            ],
            _ => continue,
        };
        let what = if reference.kind == "Application" {
            "Argo CD Application paths"
        } else {
            "Argo CD ApplicationSet paths"
        };
        let Some(spec) = tree.lookup(object.node, spec) else {
            continue;
        };
        let single = tree.lookup(spec.value, &[PathStep::Key("source")]);
        let many = tree.lookup(spec.value, &[PathStep::Key("sources")]);
        let sources = single
            .map(|e| vec![e.value])
            .unwrap_or_default()
            .into_iter()
            .chain(many.iter().flat_map(|e| tree.items(e.value).to_vec()));
        for source in sources {
            if let Some(path) = tree
                .lookup(source, &[PathStep::Key("path")])
                .and_then(|e| tree.scalar(e.value))
                .filter(|p| !p.contains("{{"))
            {
                out.push((path.to_string(), what));
            }
        }
        // A Git directory generator: each directory its paths match is an application.
        let generators = tree.lookup(
            object.node,
            &[PathStep::Key("spec"), PathStep::Key("generators")],
        );
        for generator in generators.iter().flat_map(|e| tree.items(e.value)) {
            let directories = tree.lookup(
                *generator,
                &[PathStep::Key("git"), PathStep::Key("directories")],
            );
            for directory in directories.iter().flat_map(|e| tree.items(e.value)) {
                let excluded = tree
                    .lookup(*directory, &[PathStep::Key("exclude")])
                    .and_then(|e| tree.scalar(e.value))
                    == Some("true");
                if let Some(path) = tree
                    .lookup(*directory, &[PathStep::Key("path")])
                    .and_then(|e| tree.scalar(e.value))
                    .filter(|_| !excluded)
                {
                    out.push((path.to_string(), "Argo CD ApplicationSet Git directories"));
                }
            }
        }
    }
    out
}

/// The input directories a repository path names; a glob (`apps/*`, an Argo CD Git
/// directory generator's) names every directory it matches.
pub(super) fn directories_matching(files: &[LoadedFile], path: &str) -> Vec<String> {
    if !path.contains(['*', '?', '[']) {
        return directory_named(files, path).into_iter().collect();
    }
    let path = path.trim_start_matches("./").trim_end_matches('/');
    let Ok(glob) = globset::GlobBuilder::new(&format!("**/{path}"))
        .literal_separator(true)
        .build()
    else {
        return Vec::new();
    };
    let matcher = glob.compile_matcher();
    let mut out: Vec<String> = Vec::new();
    for file in files {
        let mut directory = file.source.name.as_str();
        while let Some((parent, _)) = directory.rsplit_once('/') {
            directory = parent;
            if matcher.is_match(format!("/{directory}")) && !out.iter().any(|d| d == directory) {
                out.push(directory.to_string());
            }
        }
    }
    out.sort();
    out
}

/// The input directory a repository path (`./infrastructure/controllers`) names: the
/// repository root is not known, so a directory whose path ends with it.
pub(super) fn directory_named(files: &[LoadedFile], path: &str) -> Option<String> {
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

/// The clusters the configuration names (`clusters:`), as one matcher over every cluster's
/// globs: each file is matched once, however many clusters a fleet repository configures.
#[derive(Clone, Debug, Default)]
pub struct Configured {
    pub names: Vec<String>,
    set: globset::GlobSet,
    /// The cluster of each glob of `set`.
    owners: Vec<usize>,
}

impl Configured {
    /// Clusters and their globs, compiled already.
    pub fn new(clusters: Vec<(String, Vec<globset::Glob>)>) -> Result<Configured, globset::Error> {
        let mut builder = globset::GlobSetBuilder::new();
        let mut names = Vec::new();
        let mut owners = Vec::new();
        for (cluster, (name, globs)) in clusters.into_iter().enumerate() {
            names.push(name);
            for glob in globs {
                builder.add(glob);
                owners.push(cluster);
            }
        }
        Ok(Configured {
            names,
            set: builder.build()?,
            owners,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The clusters a path belongs to, each once, in order.
    pub fn of(&self, path: &str) -> Vec<usize> {
        let mut clusters: Vec<usize> = self
            .set
            .matches(path)
            .into_iter()
            .map(|glob| self.owners[glob])
            .collect();
        clusters.sort_unstable();
        clusters.dedup();
        clusters
    }
}

#[cfg(test)]
mod tests {
    use super::root_below;

    #[test]
    fn a_cluster_is_a_directory_below_clusters() {
        assert_eq!(
            root_below("repo/clusters/prod/flux-system/gotk-sync.yaml", "clusters"),
            Some(("prod".into(), "repo/clusters/prod".into()))
        );
        assert_eq!(root_below("clusters/prod.yaml", "clusters"), None);
        assert_eq!(root_below("apps/base/x.yaml", "clusters"), None);
    }
}
