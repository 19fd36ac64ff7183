//! Kustomize builds: each root kustomization walked as `kustomize build` walks it, and the
//! objects it changes replaced by their built form — one per distinct build result, tagged
//! with the builds that produce it.

use std::collections::BTreeMap;

use rayon::prelude::*;

use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use manifest::parse::{NodeId, PathStep, Tree};
use manifest::{LoadedFile, Object, Problem, ProblemKind, Span, TypedObject};

use super::patch::{self, From};
use super::{Body, Kustomization, Patch, Paths, Target};

/// The distinct built forms of one object, each with the builds that produce it.
type Results = Vec<(Instance, Vec<u32>)>;

/// What the builds are, and where their objects are.
#[derive(Clone, Debug, Default)]
pub struct Builds {
    pub roots: Vec<BuildRoot>,
    /// The files holding objects a build made (sorted).
    pub files: Vec<usize>,
}

/// One build: a kustomization no other lists.
#[derive(Clone, Debug)]
pub struct BuildRoot {
    /// Its kustomization file.
    pub file: usize,
    pub directory: String,
}

/// One object as a build makes it.
#[derive(Clone)]
struct Instance {
    file: usize,
    object: usize,
    namespace: Option<String>,
    name: String,
    /// Names it had before prefixes and suffixes: patches may target any.
    earlier_names: Vec<String>,
    /// (kustomization, patch) in the order they apply.
    patches: Vec<(usize, usize)>,
    deleted: bool,
}

/// The identities a build holds: file, object, namespace and name.
type Held = std::collections::HashSet<(usize, usize, Option<String>, String)>;

impl Instance {
    fn identity(&self) -> (usize, usize, Option<String>, String) {
        (
            self.file,
            self.object,
            self.namespace.clone(),
            self.name.clone(),
        )
    }

    /// What makes two builds of an object differ.
    fn result(&self) -> (Option<&str>, &str, &[(usize, usize)]) {
        (self.namespace.as_deref(), &self.name, &self.patches)
    }
}

struct Walk<'a> {
    files: &'a [LoadedFile],
    paths: &'a Paths,
    kustomizations: &'a [Kustomization],
    by_directory: BTreeMap<&'a str, usize>,
    /// Problems found on the way: (file, problem).
    problems: Vec<(usize, Problem)>,
    /// Kustomizations walked so far.
    visited: std::collections::BTreeSet<usize>,
    /// What each kustomization listed as a resource builds (on its own, so the same in every
    /// build that lists it), and whether all it reaches is in the input: a base shared
    /// through many paths (a diamond) is built once.
    built: std::collections::HashMap<usize, (Vec<Instance>, bool)>,
}

/// The components a build has applied (by kustomization).
type Applied = std::collections::HashSet<usize>;

/// Deeper chains of kustomizations are not followed (16,000 would exhaust the stack).
const DEEPEST: usize = 256;

/// Applies the kustomizations: unresolved entries become problems, patch files fragments,
/// and each build's objects their built form. Returns the builds.
pub fn apply(files: &mut [LoadedFile], paths: &Paths, kustomizations: &[Kustomization]) -> Builds {
    for k in kustomizations {
        for (span, why) in &k.unresolved {
            files[k.file].problems.push(
                Problem::new(ProblemKind::Unresolved, *span, why.clone())
                    .with_help("give the whole repository as the input, or check `kustomize build DIR | ingress-lint check -`"),
            );
        }
    }
    let patch_files: Vec<usize> = kustomizations
        .iter()
        .flat_map(|k| k.patch_files.iter())
        .filter_map(|p| paths.file(p))
        .collect();
    for index in patch_files {
        make_fragments(&mut files[index], |_, _| true);
    }
    files.par_iter_mut().for_each(|file| {
        make_fragments(file, |tree, node| {
            tree.lookup(node, &[PathStep::Key("$patch")]).is_some()
        });
    });
    let listed: std::collections::BTreeSet<&str> = kustomizations
        .iter()
        .flat_map(|k| k.resources.iter().chain(&k.components))
        .map(|(path, _)| path.as_str())
        .collect();
    // A component is built only through the kustomizations that list it.
    let roots: Vec<usize> = (0..kustomizations.len())
        .filter(|&k| {
            !kustomizations[k].component && !listed.contains(kustomizations[k].directory.as_str())
        })
        .collect();
    let mut walk = Walk {
        files,
        paths,
        kustomizations,
        by_directory: (0..kustomizations.len())
            .map(|k| (kustomizations[k].directory.as_str(), k))
            .collect(),
        problems: Vec::new(),
        visited: Default::default(),
        built: Default::default(),
    };
    // (file, object) → the distinct results, each with the builds that produce it.
    let mut built: BTreeMap<(usize, usize), Results> = BTreeMap::new();
    for (build, &root) in roots.iter().enumerate() {
        let mut instances = Vec::new();
        walk.accumulate(root, &mut instances, &mut Vec::new(), &mut Applied::new());
        let build = u32::try_from(build).unwrap_or(u32::MAX);
        for instance in instances {
            let results = built.entry((instance.file, instance.object)).or_default();
            match results
                .iter_mut()
                .find(|(i, _)| i.result() == instance.result() && i.deleted == instance.deleted)
            {
                Some((_, builds)) => builds.push(build),
                None => results.push((instance, vec![build])),
            }
        }
    }
    // A cycle keeps its members from being roots: walk them for it.
    for (k, kustomization) in kustomizations.iter().enumerate() {
        if !walk.visited.contains(&k) && !kustomization.component {
            walk.accumulate(k, &mut Vec::new(), &mut Vec::new(), &mut Applied::new());
        }
    }
    let mut problems = std::mem::take(&mut walk.problems);
    problems.sort_by_key(|(file, p)| (*file, p.span));
    problems.dedup_by_key(|(file, p)| (*file, p.span));
    for (file, problem) in problems {
        files[file].problems.push(problem);
    }
    let renames = service_renames(&built);
    let mut by_file: BTreeMap<usize, Vec<(usize, Results)>> = BTreeMap::new();
    for ((file, object), results) in built {
        by_file.entry(file).or_default().push((object, results));
    }
    let built_files: Vec<usize> = by_file.keys().copied().collect();
    for (file, objects) in by_file {
        rebuild_file(files, kustomizations, file, objects, &renames);
    }
    Builds {
        roots: roots
            .into_iter()
            .map(|k| BuildRoot {
                file: kustomizations[k].file,
                directory: kustomizations[k].directory.clone(),
            })
            .collect(),
        files: built_files,
    }
}

impl Walk<'_> {
    fn kustomization_at(&self, directory: &str) -> Option<usize> {
        self.by_directory.get(directory).copied()
    }

    /// Adds what kustomization `k` builds to `out` and applies its changes to all of `out`
    /// (a component changes what its parent built before it). Returns whether everything
    /// it reaches is in the input. `applied` holds the components this build has applied:
    /// each is applied once per build, however many paths list it (a second application
    /// would add its resources again, which `kustomize build` rejects, or repeat its patches;
    /// following every path through shared components is exponential).
    fn accumulate(
        &mut self,
        k: usize,
        out: &mut Vec<Instance>,
        stack: &mut Vec<usize>,
        applied: &mut Applied,
    ) -> bool {
        stack.push(k);
        self.visited.insert(k);
        let kustomization = &self.kustomizations[k];
        let mut complete = kustomization.complete;
        let mut held: Held = out.iter().map(Instance::identity).collect();
        for (path, span) in &kustomization.resources {
            if let Some(inner) = self.kustomization_at(path) {
                if self.is_cycle(k, inner, *span, stack) || self.too_deep(k, *span, stack) {
                    continue;
                }
                let (built, inner_complete) = match self.built.get(&inner) {
                    Some(memo) => memo.clone(),
                    None => {
                        let mut built = Vec::new();
                        let inner_complete =
                            self.accumulate(inner, &mut built, stack, &mut Applied::new());
                        self.built.insert(inner, (built.clone(), inner_complete));
                        (built, inner_complete)
                    }
                };
                complete &= inner_complete;
                self.add_unique(k, (*span, path), &mut held, out, built);
                continue;
            }
            let files: Vec<usize> = match self.paths.file(path) {
                Some(file) => vec![file],
                None => self.paths.below(path).collect(),
            };
            for file in files {
                for (object, o) in self.files[file].objects.iter().enumerate() {
                    let instance = Instance {
                        file,
                        object,
                        namespace: o.reference.namespace.clone(),
                        name: o.reference.name.clone(),
                        earlier_names: Vec::new(),
                        patches: Vec::new(),
                        deleted: false,
                    };
                    held.insert(instance.identity());
                    out.push(instance);
                }
            }
        }
        for (path, span) in &kustomization.components {
            if let Some(component) = self.kustomization_at(path) {
                if !self.is_cycle(k, component, *span, stack)
                    && !self.too_deep(k, *span, stack)
                    && applied.insert(component)
                {
                    complete &= self.accumulate(component, out, stack, applied);
                }
            }
        }
        self.transform(k, out, complete);
        stack.pop();
        complete
    }

    /// Adds what a resource built, leaving out objects the build holds already under the same
    /// identity — `kustomize build` rejects them ("may not add resource with an already
    /// registered id"), said once per entry.
    fn add_unique(
        &mut self,
        k: usize,
        (span, path): (Span, &str),
        held: &mut Held,
        out: &mut Vec<Instance>,
        built: Vec<Instance>,
    ) {
        let mut repeated = 0;
        for instance in built {
            if held.insert(instance.identity()) {
                out.push(instance);
            } else {
                repeated += 1;
            }
        }
        if repeated > 0 {
            let message = format!(
                "`{path}` adds {repeated} object(s) this build already holds through another resource: `kustomize build` fails (may not add resource with an already registered id)"
            );
            let file = self.kustomizations[k].file;
            self.problems
                .push((file, Problem::new(ProblemKind::Unresolved, span, message)));
        }
    }

    /// Whether the chain of kustomizations is too deep to follow (said at the entry).
    fn too_deep(&mut self, k: usize, span: Span, stack: &[usize]) -> bool {
        if stack.len() < DEEPEST {
            return false;
        }
        let message = format!(
            "a chain of more than {DEEPEST} kustomizations: what lies deeper is not followed"
        );
        let file = self.kustomizations[k].file;
        self.problems
            .push((file, Problem::new(ProblemKind::Unresolved, span, message)));
        true
    }

    fn is_cycle(&mut self, k: usize, inner: usize, span: Span, stack: &[usize]) -> bool {
        if !stack.contains(&inner) {
            return false;
        }
        let file = self.kustomizations[k].file;
        let at = stack.iter().position(|s| *s == inner).unwrap_or(0);
        let cycle: Vec<&str> = stack[at..]
            .iter()
            .chain([&inner])
            .map(|s| self.kustomizations[*s].directory.as_str())
            .collect();
        let message = format!(
            "`{}` includes itself (a cycle: {}): `kustomize build` fails",
            self.kustomizations[inner].directory,
            cycle.join(" → ")
        );
        self.problems
            .push((file, Problem::new(ProblemKind::Unresolved, span, message)));
        true
    }

    /// Kustomization `k`'s patches, namespace and name affixes, in Kustomize's order. An
    /// untargeted patch whose object is missing is said only when the whole build is in the
    /// input.
    fn transform(&mut self, k: usize, out: &mut [Instance], complete: bool) {
        let kustomization = &self.kustomizations[k];
        for (index, patch) in kustomization.patches.iter().enumerate() {
            let mut any = false;
            for instance in out.iter_mut().filter(|i| !i.deleted) {
                let file = &self.files[instance.file];
                let object = &file.objects[instance.object];
                if matches(&patch.target, &file.tree, object, instance) {
                    any = true;
                    instance.patches.push((k, index));
                    if deletes(self.files, patch) {
                        instance.deleted = true;
                    }
                }
            }
            // `kustomize build` (v5) fails only on an untargeted strategic-merge patch of
            // an object the build lacks; a `target:` selecting nothing applies nowhere.
            if !any && complete && !patch.targeted && !patch.target.is_pattern() {
                let what = describe(&patch.target);
                self.problems.push((
                    kustomization.file,
                    Problem::new(
                        ProblemKind::Unresolved,
                        patch.entry,
                        format!("the patch targets {what}, which this build does not hold: `kustomize build` fails"),
                    ),
                ));
            }
        }
        for instance in out.iter_mut() {
            let object = &self.files[instance.file].objects[instance.object];
            if kustomization.namespace.is_some() && !object.reference.is_cluster_scoped() {
                instance.namespace.clone_from(&kustomization.namespace);
            }
            let affixed =
                !kustomization.name_prefix.is_empty() || !kustomization.name_suffix.is_empty();
            if affixed && object.reference.kind != "IngressClass" {
                let name = format!(
                    "{}{}{}",
                    kustomization.name_prefix, instance.name, kustomization.name_suffix
                );
                let before = std::mem::replace(&mut instance.name, name);
                instance.earlier_names.push(before);
            }
        }
    }
}

impl Target {
    /// A name regex or a set-based selector: what it selects is not evaluated here (the
    /// patch is not applied, and selecting nothing is not said).
    fn is_pattern(&self) -> bool {
        let regex = |name: &str| name.contains(['*', '^', '$', '|', '(', '[', '+', '?', '\\']);
        let set_based = |selector: &str| {
            selector.contains('(') || selector.contains(" in ") || selector.contains("notin")
        };
        self.name.as_deref().is_some_and(regex)
            || self.label_selector.as_deref().is_some_and(set_based)
            || self.annotation_selector.as_deref().is_some_and(set_based)
    }
}

/// Whether a patch target selects an object (any of its names; selectors by equality).
fn matches(target: &Target, tree: &Tree, object: &Object, instance: &Instance) -> bool {
    if target.is_pattern() {
        return false;
    }
    let reference = &object.reference;
    let (group, version) = reference
        .api_version
        .rsplit_once('/')
        .unwrap_or(("", &reference.api_version));
    let same =
        |wanted: &Option<String>, actual: &str| wanted.as_deref().is_none_or(|w| w == actual);
    let named = target.name.as_deref().is_none_or(|name| {
        instance.name == name || instance.earlier_names.iter().any(|n| n == name)
    });
    let in_namespace = target.namespace.as_deref().is_none_or(|ns| {
        instance.namespace.as_deref() == Some(ns) || reference.namespace.as_deref() == Some(ns)
    });
    let metadata = |field: &'static str| {
        let map = tree.lookup_keys(object.node, &["metadata", field]);
        move |key: &str| {
            let entry = tree.get(map?.value, key)?;
            Some(tree.string(entry.value).unwrap_or_default())
        }
    };
    same(&target.group, group)
        && same(&target.version, version)
        && same(&target.kind, &reference.kind)
        && named
        && in_namespace
        && selects(target.label_selector.as_deref(), metadata("labels"))
        && selects(
            target.annotation_selector.as_deref(),
            metadata("annotations"),
        )
}

/// An equality-based selector (`a=b,c!=d,e`) against labels or annotations (`values` reads
/// one by key, from the object as written).
fn selects<'t>(selector: Option<&str>, values: impl Fn(&str) -> Option<&'t str>) -> bool {
    let Some(selector) = selector else {
        return true;
    };
    selector
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .all(|term| {
            let value = |key: &str| values(key.trim());
            if let Some((key, wanted)) = term.split_once("!=") {
                value(key) != Some(wanted.trim())
            } else if let Some((key, wanted)) = term.split_once('=') {
                value(key.trim_end_matches('=')) == Some(wanted.trim())
            } else if let Some(key) = term.strip_prefix('!') {
                value(key).is_none()
            } else {
                value(term).is_some()
            }
        })
}

fn describe(target: &Target) -> String {
    let kind = target.kind.as_deref().unwrap_or("any kind");
    match &target.name {
        Some(name) => format!("{kind} `{name}`"),
        None => kind.to_string(),
    }
}

/// A strategic-merge patch whose document is `$patch: delete`.
fn deletes(files: &[LoadedFile], patch: &Patch) -> bool {
    let (tree, node) = body(files, patch);
    !patch.json6902 && tree.get(node, "$patch").and_then(|e| tree.scalar(e.value)) == Some("delete")
}

fn body<'t>(files: &'t [LoadedFile], patch: &'t Patch) -> (&'t Tree, NodeId) {
    match &patch.body {
        Body::File { file, node } => (&files[*file].tree, *node),
        Body::Inline { tree, node } => (tree, *node),
    }
}

/// Services renamed by a build, per build: (namespace, earlier name) → new name. Kustomize
/// renames an Ingress's backend references with them (its name-reference configuration).
type Renames = BTreeMap<(u32, Option<String>, String), String>;

fn service_renames(built: &BTreeMap<(usize, usize), Results>) -> Renames {
    let mut renames = Renames::new();
    for results in built.values() {
        for (instance, builds) in results {
            if instance.earlier_names.is_empty() {
                continue;
            }
            for build in builds {
                for earlier in &instance.earlier_names {
                    renames.insert(
                        (*build, instance.namespace.clone(), earlier.clone()),
                        instance.name.clone(),
                    );
                }
            }
        }
    }
    renames
}

/// Replaces the built objects of one file by their built forms (in place of the original,
/// one per distinct result).
fn rebuild_file(
    files: &mut [LoadedFile],
    kustomizations: &[Kustomization],
    file: usize,
    built: Vec<(usize, Results)>,
    renames: &Renames,
) {
    let originals = std::mem::take(&mut files[file].objects);
    let mut built = built.into_iter().peekable();
    let mut objects = Vec::with_capacity(originals.len());
    for (index, original) in originals.iter().enumerate() {
        let Some((_, results)) = built.next_if(|(object, _)| *object == index) else {
            objects.push(original.clone());
            continue;
        };
        for (instance, builds) in results.into_iter().filter(|(i, _)| !i.deleted) {
            let mut object = match patched(files, kustomizations, file, original, &instance) {
                Some(object) => object,
                None => original.clone(),
            };
            object.reference.namespace.clone_from(&instance.namespace);
            object.reference.name.clone_from(&instance.name);
            if let TypedObject::Ingress(ingress) = &mut object.typed {
                let namespace = instance.namespace.clone();
                rename_backends(ingress, |name| {
                    builds.iter().find_map(|b| {
                        renames
                            .get(&(*b, namespace.clone(), name.to_string()))
                            .cloned()
                    })
                });
            }
            object.builds = builds;
            objects.push(object);
        }
    }
    files[file].objects = objects;
}

/// The object with its patches merged, modelled again; `None` when it has none (or they
/// leave nothing to model).
fn patched(
    files: &mut [LoadedFile],
    kustomizations: &[Kustomization],
    file: usize,
    original: &Object,
    instance: &Instance,
) -> Option<Object> {
    // What a patch changes in a kind the analysis does not read is not merged.
    if instance.patches.is_empty()
        || manifest::model::NAMES_ONLY_KINDS.contains(&original.reference.kind.as_str())
    {
        return None;
    }
    let mut tree = std::mem::take(&mut files[file].tree);
    let mut node = original.node;
    let mut failures = Vec::new();
    for &(k, index) in &instance.patches {
        let patch = &kustomizations[k].patches[index];
        let (from_tree, from_node, from_file) = match &patch.body {
            Body::File { file, node } => (&files[*file].tree, *node, *file),
            Body::Inline { tree, node } => (tree, *node, kustomizations[k].file),
        };
        // A patch in the object's own file would be read while it is taken: it is a
        // fragment of another kind, so it never is one.
        if from_file == file {
            continue;
        }
        let locate = |span: Span| span.in_file(from_file);
        let from = From {
            tree: from_tree,
            locate: &locate,
        };
        if patch.json6902 {
            match patch::json6902(&mut tree, node, &from, from_node) {
                Ok(merged) => node = merged,
                Err((at, why)) => failures.push((from_file, from_tree.span(at), why)),
            }
        } else if let Some(merged) = patch::strategic_merge(&mut tree, node, &from, from_node) {
            node = merged;
        }
    }
    files[file].tree = tree;
    for (at_file, span, why) in failures {
        files[at_file].problems.push(Problem::new(
            ProblemKind::Unresolved,
            span,
            format!(
                "the JSON 6902 patch does not apply to {}: {why}; `kustomize build` fails",
                original.reference
            ),
        ));
    }
    files[file].model_changed(original.document, node)
}

/// Renames an Ingress's backend Service references.
fn rename_backends(ingress: &mut Ingress, rename: impl Fn(&str) -> Option<String>) {
    let Some(spec) = ingress.spec.as_mut() else {
        return;
    };
    let mut backends: Vec<&mut IngressBackend> = spec.default_backend.iter_mut().collect();
    for rule in spec.rules.iter_mut().flatten() {
        for path in rule.http.iter_mut().flat_map(|h| h.paths.iter_mut()) {
            backends.push(&mut path.backend);
        }
    }
    for backend in backends {
        if let Some(service) = backend.service.as_mut() {
            if let Some(name) = rename(&service.name) {
                service.name = name;
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
        p.kind != ProblemKind::SchemaMismatch || p.document.is_none_or(|d| !fragments.contains(&d))
    });
    let mut documents = fragments;
    documents.dedup();
    file.skipped_documents += documents.len();
}
