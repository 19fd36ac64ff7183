//! Kustomize, offline, for what changes an object's identity and meaning. Each root
//! kustomization (one no other lists) is a build, as `kustomize build DIR` makes it:
//! `resources:` (files and directories, recursively), `components:`, patches (strategic merge
//! and JSON 6902, from files or inline) merged into the objects they target, `namespace:`,
//! `namePrefix`/`nameSuffix` (with the Ingress → Service references Kustomize renames). An
//! object a build changes is that build's own object; a base built by two overlays is two
//! objects. Files used as patches are fragments, never objects.
//!
//! Not applied: generators (`configMapGenerator`, plugins), `replacements`, `vars`, labels
//! and images (no rule reads them), remote resources (listed as not followed), and
//! `namePrefix` on an IngressClass (whether Kustomize renames `spec.ingressClassName` with it
//! depends on its name-reference configuration; the class keeps its name).

mod build;
mod patch;

pub use build::{apply, BuildRoot, Builds};

use manifest::parse::{NodeId, PathStep, Tree};
use manifest::{LoadedFile, Span};

use super::embedded;
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

/// A kustomization's fields, as `kustomize build` (v5) reads them: any other is an error
/// there ("json: unknown field", kubernetes-sigs/kustomize#2681).
const FIELDS: [&str; 32] = [
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
];

/// One kustomization file: its directory and what it lists, resolved to input paths.
pub struct Kustomization {
    pub file: usize,
    pub directory: String,
    /// A `kind: Component`: built only through the kustomizations listing it.
    pub component: bool,
    pub namespace: Option<String>,
    pub name_prefix: String,
    pub name_suffix: String,
    /// `resources:` (and the older `bases:`), as paths of the input with their entries.
    pub resources: Vec<(String, Span)>,
    /// `components:`, the same way.
    pub components: Vec<(String, Span)>,
    /// Every patch, in the order Kustomize applies them.
    pub patches: Vec<Patch>,
    /// Files read as patches.
    pub patch_files: Vec<String>,
    /// Every resource and component it lists is in the input (none remote or missing), and
    /// it generates nothing this reading leaves out.
    pub complete: bool,
    /// Entries that name nothing in the input (a path outside it, or missing), remote ones,
    /// and fields Kustomize rejects: (the node, why).
    pub unresolved: Vec<(Span, String)>,
}

/// One patch document and the objects it targets.
pub struct Patch {
    pub target: Target,
    /// The entry names its `target:` (else the body's own kind and name are the target).
    pub targeted: bool,
    pub json6902: bool,
    pub body: Body,
    /// The kustomization entry that lists it.
    pub entry: Span,
}

/// Where a patch's text is.
pub enum Body {
    /// A document of an input file.
    File { file: usize, node: NodeId },
    /// A string in the kustomization, parsed (located in the kustomization's file).
    Inline { tree: Tree, node: NodeId },
}

/// A patch target, as `patches[].target` selects (unset fields match anything).
#[derive(Default)]
pub struct Target {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub annotation_selector: Option<String>,
}

/// Every kustomization file of the input (a file named `kustomization.yaml` holding a Flux
/// `Kustomization` object is that object, not a kustomization). `known_chart` tells the
/// `helmCharts:` the release stage renders from its knowledge (by chart and repository).
pub fn find(
    files: &[LoadedFile],
    paths: &Paths,
    known_chart: &dyn Fn(&str, Option<&str>) -> bool,
) -> Vec<Kustomization> {
    files
        .iter()
        .enumerate()
        .filter_map(|(index, file)| read(files, paths, index, file, known_chart))
        .collect()
}

fn read(
    files: &[LoadedFile],
    paths: &Paths,
    index: usize,
    file: &LoadedFile,
    known_chart: &dyn Fn(&str, Option<&str>) -> bool,
) -> Option<Kustomization> {
    let name = file.source.name.as_str();
    let (directory, base) = name.rsplit_once('/').unwrap_or(("", name));
    if !FILE_NAMES.contains(&base) {
        return None;
    }
    let root = file.documents.first()?.root?;
    let tree = &file.tree;
    let scalar = |key: &str| {
        tree.lookup(root, &[PathStep::Key(key)])
            .and_then(|e| tree.scalar(e.value))
            .map(str::to_string)
    };
    if scalar("apiVersion").is_some_and(|v| !v.starts_with("kustomize.config.k8s.io/")) {
        return None;
    }
    let mut unresolved = Vec::new();
    for entry in tree.entries(root).iter() {
        if let Some(key) = tree.scalar(entry.key).filter(|k| !FIELDS.contains(k)) {
            unresolved.push((
                tree.span(entry.key),
                format!("unknown field `{key}`: `kustomize build` rejects the kustomization"),
            ));
        }
    }
    let unknown_fields = unresolved.len();
    let items = |key: &str| -> Vec<NodeId> {
        tree.lookup(root, &[PathStep::Key(key)])
            .map(|e| tree.items(e.value).to_vec())
            .unwrap_or_default()
    };
    let listed = |key: &str, unresolved: &mut Vec<(Span, String)>| -> Vec<(String, Span)> {
        let mut out = Vec::new();
        for item in items(key) {
            let Some(path) = item_path(tree, item) else {
                continue;
            };
            let span = tree.span(item);
            if path.contains("://") || path.starts_with("git@") {
                unresolved.push((span, format!("remote resource `{path}` is not followed (offline): what it adds is not checked")));
                continue;
            }
            let joined = join(directory, &path);
            if !paths.exists(&joined) {
                unresolved.push((span, format!("resource `{path}` is not in the input ({joined}): what it adds is not checked")));
            }
            out.push((joined, span));
        }
        out
    };
    let resources = [
        listed("resources", &mut unresolved),
        listed("bases", &mut unresolved),
    ]
    .concat();
    let components = listed("components", &mut unresolved);
    // What generators, plugins and inflated charts add is not modelled here: a patch may
    // target it.
    let generates = [
        "configMapGenerator",
        "secretGenerator",
        "generators",
        "transformers",
        "helmCharts",
        "helmChartInflationGenerator",
    ]
    .iter()
    .any(|key| tree.lookup(root, &[PathStep::Key(key)]).is_some());
    let complete = unresolved.len() == unknown_fields && !generates;
    // What needs a network or a plugin to be made is listed as not followed.
    for item in items("helmCharts") {
        let field = |key: &str| tree.get(item, key).and_then(|e| tree.scalar(e.value));
        let Some(chart) = field("name") else { continue };
        if !known_chart(chart, field("repo")) {
            unresolved.push((
                tree.span(item),
                format!("chart `{chart}` is inflated by `kustomize build --enable-helm` from its repository (not followed, offline): what it renders is not checked"),
            ));
        }
    }
    for key in ["generators", "transformers"] {
        for item in items(key) {
            unresolved.push((
                tree.span(item),
                format!("`{key}` plugin is not run: what it makes or changes is not checked"),
            ));
        }
    }
    let mut patches = Vec::new();
    let mut patch_files = Vec::new();
    for (key, json6902) in [
        ("patchesStrategicMerge", false),
        ("patches", false),
        ("patchesJson6902", true),
    ] {
        for item in items(key) {
            let entry = tree.span(item);
            let target = tree.get(item, "target").map(|e| target(tree, e.value));
            let inline = tree.get(item, "patch").map(|e| e.value).or_else(|| {
                (key == "patchesStrategicMerge" && item_path(tree, item).is_none()).then_some(item)
            });
            let bodies: Vec<Body> = if let Some(node) = inline {
                let Some(parsed) = embedded::parse_string(&file.source, tree, node) else {
                    continue;
                };
                match (parsed.error, parsed.root) {
                    (Some(error), _) => {
                        unresolved.push((
                            entry,
                            format!(
                                "the inline patch does not parse: {error}; `kustomize build` fails"
                            ),
                        ));
                        continue;
                    }
                    (None, Some(node)) => vec![Body::Inline {
                        tree: parsed.tree,
                        node,
                    }],
                    (None, None) => continue,
                }
            } else {
                let Some(path) = item_path(tree, item) else {
                    continue;
                };
                let joined = join(directory, &path);
                let Some(patch_file) = paths.file(&joined) else {
                    unresolved.push((entry, format!("patch `{path}` is not in the input ({joined}): what it changes is not checked")));
                    continue;
                };
                patch_files.push(joined);
                files[patch_file]
                    .documents
                    .iter()
                    .filter_map(|d| d.root)
                    .map(|node| Body::File {
                        file: patch_file,
                        node,
                    })
                    .collect()
            };
            for body in bodies {
                let (body_tree, node) = match &body {
                    Body::File { file, node } => (&files[*file].tree, *node),
                    Body::Inline { tree, node } => (tree, *node),
                };
                let is_ops = !body_tree.is_mapping(node);
                let target_given = target.is_some();
                let target = match &target {
                    Some(target) => target(),
                    None if is_ops => {
                        unresolved.push((
                            entry,
                            "a JSON 6902 patch without a `target`: it applies to nothing".into(),
                        ));
                        continue;
                    }
                    None => own_target(body_tree, node),
                };
                patches.push(Patch {
                    targeted: target_given,
                    target,
                    json6902: json6902 || is_ops,
                    body,
                    entry,
                });
            }
        }
    }
    Some(Kustomization {
        file: index,
        directory: directory.to_string(),
        component: scalar("kind").as_deref() == Some("Component"),
        namespace: scalar("namespace").filter(|ns| !ns.is_empty()),
        name_prefix: scalar("namePrefix").unwrap_or_default(),
        name_suffix: scalar("nameSuffix").unwrap_or_default(),
        resources,
        components,
        patches,
        patch_files,
        complete,
        unresolved,
    })
}

/// A `target:` mapping, read when needed (each body of the entry gets its own).
fn target(tree: &Tree, node: NodeId) -> impl Fn() -> Target + '_ {
    move || {
        let field = |key: &str| {
            tree.get(node, key)
                .and_then(|e| tree.scalar(e.value))
                .map(str::to_string)
        };
        Target {
            group: field("group"),
            version: field("version"),
            kind: field("kind"),
            name: field("name"),
            namespace: field("namespace"),
            label_selector: field("labelSelector"),
            annotation_selector: field("annotationSelector"),
        }
    }
}

/// A strategic-merge patch targets the object it names.
fn own_target(tree: &Tree, node: NodeId) -> Target {
    let field = |path: &[&str]| {
        tree.lookup_keys(node, path)
            .and_then(|e| tree.scalar(e.value))
            .map(str::to_string)
    };
    let api_version = field(&["apiVersion"]).unwrap_or_default();
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", &api_version));
    Target {
        group: Some(group.to_string()),
        version: Some(version.to_string()).filter(|v| !v.is_empty()),
        kind: field(&["kind"]),
        name: field(&["metadata", "name"]),
        namespace: field(&["metadata", "namespace"]),
        ..Target::default()
    }
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

/// `directory/relative`, with `.` and `..` resolved (an absolute directory stays absolute).
pub fn join(directory: &str, relative: &str) -> String {
    let absolute = directory.starts_with('/');
    let mut parts: Vec<&str> = directory.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
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
    // `seen` also bounds the depth: a chain of 16,000 kustomizations is not followed whole.
    if seen.iter().any(|s| s == path) || seen.len() > 4096 {
        return;
    }
    seen.push(path.to_string());
    if let Some(index) = paths.file(path) {
        out.push(index);
        return;
    }
    if let Some(k) = kustomizations.iter().find(|k| k.directory == path) {
        out.push(k.file);
        for (resource, _) in k.resources.iter().chain(&k.components) {
            reach(paths, kustomizations, resource, seen, out);
        }
        return;
    }
    out.extend(paths.below(path));
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
        assert_eq!(join("/repo/overlays/prod", "../../base"), "/repo/base");
    }
}
