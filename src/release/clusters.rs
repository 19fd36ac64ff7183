//! Clusters found in the repository, for when the configuration names none: each
//! `clusters/<name>` directory is what one cluster applies, together with everything it
//! reaches — the resources of its kustomizations, the `spec.path` of its Flux
//! `Kustomization`s, the `path` of its Argo CD `Application`s — recursively. Without such
//! directories, Kustomize overlays built side by side (`overlays/<env>` with a
//! kustomization) are the builds, one cluster per environment name across the repository's
//! apps. A file reached from several clusters belongs to each. Without either, files that
//! define the same objects differently are alternatives (`deploy/static/provider/{aws,…}`
//! of a controller's repository): each is a cluster with every file that is no alternative,
//! so that the alternatives' facts do not merge.

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

/// Files that define the same objects differently: one choice among alternatives.
#[derive(Clone, Debug)]
pub struct Alternatives {
    /// The files, in input order.
    pub files: Vec<usize>,
    /// The objects they define differently.
    pub objects: Vec<Duplicated>,
    /// Each file went to clusters of its own (false: too many combinations, read as one).
    pub separated: bool,
}

/// An object defined in several files, differently.
#[derive(Clone, Debug)]
pub struct Duplicated {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// Each definition: the file and the object's index there.
    pub definitions: Vec<(usize, usize)>,
}

/// The clusters of the input: none unless at least two cluster names are found; else the
/// alternatives, when files define the same objects differently (returned too).
pub fn derive(
    files: &[LoadedFile],
    paths: &Paths,
    kustomizations: &[Kustomization],
) -> (Vec<DerivedCluster>, Vec<Alternatives>) {
    let mut roots = roots_below(files, "clusters", |_| true);
    if roots.is_empty() {
        roots = roots_below(files, "overlays", |directory| {
            kustomizations.iter().any(|k| k.directory == directory)
        });
    }
    let mut names: Vec<&str> = roots.iter().map(|(name, _)| name.as_str()).collect();
    names.dedup();
    if names.len() < 2 {
        return alternatives(files);
    }
    (
        layout_clusters(files, paths, kustomizations, &roots, names),
        Vec::new(),
    )
}

/// One cluster per file that defines objects another file defines differently (an
/// alternative install), with the objects so defined.
fn alternatives(files: &[LoadedFile]) -> (Vec<DerivedCluster>, Vec<Alternatives>) {
    use std::collections::HashMap;
    type Identity<'f> = (&'f str, Option<&'f str>, &'f str);
    // What a Kustomize build makes is that build's; a kind read for its name only has no
    // spec to compare.
    let compared = || {
        files.iter().enumerate().flat_map(|(f, file)| {
            file.objects
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    o.builds.is_empty() && !matches!(o.typed, manifest::TypedObject::Generic)
                })
                .map(move |(o, object)| {
                    let r = &object.reference;
                    let identity = (r.kind.as_str(), r.namespace.as_deref(), r.name.as_str());
                    (identity, f, o)
                })
        })
    };
    // Counted first: only what is defined more than once is compared.
    let mut count: HashMap<Identity<'_>, usize> = HashMap::new();
    for (identity, ..) in compared() {
        *count.entry(identity).or_default() += 1;
    }
    let mut seen: HashMap<Identity<'_>, Vec<(usize, usize, u64)>> = HashMap::new();
    for (identity, f, o) in compared() {
        if count.get(&identity).is_some_and(|&n| n > 1) {
            let object = &files[f].objects[o];
            let print = fingerprint(&files[f].tree, object.node, 64);
            seen.entry(identity).or_default().push((f, o, print));
        }
    }
    let mut duplicated: Vec<Duplicated> = seen
        .into_iter()
        .filter(|(_, defs)| {
            let differ = defs.iter().any(|d| d.2 != defs[0].2);
            let files_differ = defs.iter().any(|d| d.0 != defs[0].0);
            differ && files_differ
        })
        .map(|((kind, namespace, name), defs)| Duplicated {
            kind: kind.to_string(),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
            definitions: defs.into_iter().map(|(f, o, _)| (f, o)).collect(),
        })
        .collect();
    if duplicated.is_empty() {
        return (Vec::new(), Vec::new());
    }
    duplicated.sort_by_key(|d| d.definitions[0]);
    alternative_clusters(files.len(), duplicated, |f| files[f].source.name.clone())
}

/// Most clusters alternatives make: past it, they are left as one (and said).
const MOST_ALTERNATIVES: usize = 64;

/// Files that define an object differently are alternatives to one another; alternatives
/// linked through other objects form one choice (connected files), and independent choices
/// combine (F5's workload kinds × its Service types). Each cluster takes one file of every
/// choice, with every file that is no alternative.
fn alternative_clusters(
    count: usize,
    duplicated: Vec<Duplicated>,
    name_of: impl Fn(usize) -> String,
) -> (Vec<DerivedCluster>, Vec<Alternatives>) {
    // Union-find over the files that define duplicated objects.
    let mut parent: Vec<usize> = (0..count).collect();
    fn root(parent: &mut [usize], mut f: usize) -> usize {
        while parent[f] != f {
            parent[f] = parent[parent[f]];
            f = parent[f];
        }
        f
    }
    let mut is_alternative = vec![false; count];
    for d in &duplicated {
        let first = d.definitions[0].0;
        for &(file, _) in &d.definitions {
            is_alternative[file] = true;
            let (a, b) = (root(&mut parent, first), root(&mut parent, file));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut choices: Vec<Alternatives> = Vec::new();
    let mut choice_of: std::collections::HashMap<usize, usize> = Default::default();
    for file in (0..count).filter(|&f| is_alternative[f]) {
        let r = root(&mut parent, file);
        let index = *choice_of.entry(r).or_insert_with(|| {
            choices.push(Alternatives {
                files: Vec::new(),
                objects: Vec::new(),
                separated: false,
            });
            choices.len() - 1
        });
        choices[index].files.push(file);
    }
    for d in duplicated {
        let r = root(&mut parent, d.definitions[0].0);
        if let Some(&index) = choice_of.get(&r) {
            choices[index].objects.push(d);
        }
    }
    let combinations = choices
        .iter()
        .try_fold(1usize, |n, c| n.checked_mul(c.files.len()))
        .unwrap_or(usize::MAX);
    if combinations > MOST_ALTERNATIVES {
        return (Vec::new(), choices);
    }
    let shared: Vec<usize> = (0..count).filter(|&f| !is_alternative[f]).collect();
    let mut picks: Vec<Vec<usize>> = vec![Vec::new()];
    for choice in &mut choices {
        choice.separated = true;
        picks = picks
            .into_iter()
            .flat_map(|pick| {
                choice.files.iter().map(move |&file| {
                    let mut next = pick.clone();
                    next.push(file);
                    next
                })
            })
            .collect();
    }
    let clusters = picks
        .into_iter()
        .map(|pick| {
            let name = pick.iter().map(|&f| name_of(f)).collect::<Vec<_>>().join(" + ");
            let mut files: Vec<usize> = shared.iter().chain(&pick).copied().collect();
            files.sort_unstable();
            DerivedCluster {
                name,
                how: "alternative installs: files that define the same objects differently, one of each choice".into(),
                files,
            }
        })
        .collect();
    (clusters, choices)
}

/// A hash of a node's content (keys and scalars, in order), down to `depth` levels.
pub fn fingerprint(
    tree: &manifest::parse::Tree,
    node: manifest::parse::NodeId,
    depth: usize,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    fn walk(
        tree: &manifest::parse::Tree,
        node: manifest::parse::NodeId,
        depth: usize,
        hasher: &mut impl Hasher,
    ) {
        if depth == 0 {
            return;
        }
        if let Some(text) = tree.scalar(node) {
            text.hash(hasher);
            return;
        }
        if tree.is_mapping(node) {
            for entry in tree.entries(node).iter() {
                tree.scalar(entry.key).hash(hasher);
                walk(tree, entry.value, depth - 1, hasher);
            }
            1u8.hash(hasher);
            return;
        }
        for item in tree.items(node) {
            walk(tree, *item, depth - 1, hasher);
        }
        2u8.hash(hasher);
    }
    walk(tree, node, depth, &mut hasher);
    hasher.finish()
}

/// The clusters of a layout (`clusters/<name>`, `overlays/<name>`).
fn layout_clusters(
    files: &[LoadedFile],
    paths: &Paths,
    kustomizations: &[Kustomization],
    roots: &[(String, String)],
    names: Vec<&str>,
) -> Vec<DerivedCluster> {
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
    Directories::new(files).named(path)
}

/// The input's directories, found by the path a tool names them with (`./apps/web`): the
/// repository's root is not known, so a directory whose path ends with it. Built once for
/// many look-ups (an Argo CD repository names thousands of paths).
pub(super) struct Directories {
    /// By last component, in the order of the first file below each.
    by_last: std::collections::HashMap<String, Vec<String>>,
}

impl Directories {
    pub(super) fn new(files: &[LoadedFile]) -> Directories {
        let mut by_last: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut seen = std::collections::HashSet::new();
        for file in files {
            let mut directory = file.source.name.as_str();
            while let Some((parent, _)) = directory.rsplit_once('/') {
                directory = parent;
                if !seen.insert(directory.to_string()) {
                    break;
                }
                let last = directory.rsplit('/').next().unwrap_or(directory);
                by_last
                    .entry(last.to_string())
                    .or_default()
                    .push(directory.to_string());
            }
        }
        Directories { by_last }
    }

    /// The first directory (in input order) the path names.
    pub(super) fn named(&self, path: &str) -> Option<String> {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        if path.is_empty() || path == "." {
            return None;
        }
        let last = path.rsplit('/').next().unwrap_or(path);
        self.by_last
            .get(last)?
            .iter()
            .find(|d| *d == path || d.ends_with(&format!("/{path}")))
            .cloned()
    }
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
