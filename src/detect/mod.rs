//! Detect stage: the inventory, built once over every loaded object. Which ingress
//! controllers run, the classes each serves, whether it takes class-less Ingresses, how it is
//! exposed and on which ports it listens; each Ingress's class and the controllers serving
//! it. Every fact keeps the span it rests on, so rules can point at it.

mod classes;
mod config_file;
mod exposure;
pub mod nodes;
mod pod;
mod scope;
pub mod settings;
mod superseded;

use std::collections::HashMap;

use rayon::prelude::*;

use manifest::parse::PathStep;
use manifest::{LoadedFile, Object, ObjectRef, Span};

use crate::knowledge::platforms::Claims;
use crate::knowledge::sets::Role;
use crate::knowledge::{
    image_path, template_settings, ClassNameFilter, Condition, Controller, Knowledge,
    SourcePrecedence, NGINX, NGINX_PREFIX,
};
use crate::load::Loaded;
use crate::release::{Origin, Releases};
pub use classes::{ClassEntry, ClassSource, IngressEntry, Served};
use config_file::FileSettings;
pub use exposure::{Exposure, HostPort, ListenPort, ServiceEntry};
pub use pod::{pod_of, PodView, WORKLOAD_KINDS};
pub use scope::cluster_scopes;
use settings::{Resolved, Value};

pub use crate::load::ObjectKey;

/// Yes, no, or unknown — each with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes(String),
    No(String),
    Unknown(String),
}

impl Tri {
    pub fn is_yes(&self) -> bool {
        matches!(self, Tri::Yes(_))
    }

    pub fn reason(&self) -> &str {
        match self {
            Tri::Yes(r) | Tri::No(r) | Tri::Unknown(r) => r,
        }
    }
}

/// One class set a controller workload serves.
#[derive(Clone, Debug)]
pub struct Claimant {
    pub provider: String,
    /// Class names served (IngressClass names, annotation values).
    pub classes: Vec<String>,
    /// Why the class is unknown, when it is.
    pub class_unknown: Option<String>,
    /// IngressClass `spec.controller` values claimed.
    pub controller_values: Vec<String>,
    pub annotation_keys: Vec<String>,
    /// Annotation values served (the class names unless the controller says otherwise).
    pub annotation_values: Vec<String>,
    pub precedence: String,
    /// IngressClasses are matched by name (always, or with a by-name flag).
    pub match_by_name: bool,
    /// An IngressClass of its controller value is served only if named as one of `classes`.
    pub name_must_match: bool,
    /// It looks IngressClasses up; when not, `spec.ingressClassName` names nothing it serves.
    pub reads_class_field: bool,
    pub takes_classless: Tri,
    /// Where the class comes from (the flag or env var), when it is set.
    pub class_span: Option<Span>,
}

/// A workload running a known ingress controller, with the data-plane workloads it drives.
#[derive(Clone, Debug)]
pub struct ControllerInstance {
    pub controller: &'static Controller,
    pub workload: ObjectKey,
    pub data_plane: Vec<ObjectKey>,
    pub images: Vec<String>,
    pub settings: Vec<Resolved>,
    pub claimants: Vec<Claimant>,
    pub exposure: Vec<Exposure>,
    pub services: Vec<usize>,
    pub host_ports: Vec<HostPort>,
    pub listen_ports: Vec<ListenPort>,
    pub publishes_status: Tri,
    /// Where it comes from, and why it is there.
    pub origin: Origin,
    pub origin_reason: String,
}

impl ControllerInstance {
    pub fn setting(&self, name: &str) -> Option<&Resolved> {
        self.settings.iter().find(|s| s.name == name)
    }
}

#[derive(Debug, Default)]
pub struct Inventory {
    pub controllers: Vec<ControllerInstance>,
    pub classes: Vec<ClassEntry>,
    pub ingresses: Vec<IngressEntry>,
    pub services: Vec<ServiceEntry>,
    /// Ports bound on nodes by any workload.
    pub node_ports: Vec<nodes::NodePort>,
}

impl Inventory {
    /// The annotation prefixes read as ingress-nginx's: the default and any
    /// `--annotations-prefix` an ingress-nginx controller in the input sets.
    pub fn nginx_prefixes(&self) -> Vec<String> {
        let mut prefixes = vec![NGINX_PREFIX.to_string()];
        for instance in self.controllers.iter().filter(|i| i.controller.id == NGINX) {
            if let Some(prefix) = instance
                .setting("annotations_prefix")
                .and_then(|s| s.known())
            {
                if !prefixes.iter().any(|p| p == prefix) {
                    prefixes.push(prefix.to_string());
                }
            }
        }
        prefixes
    }

    /// Every claimant with its (controller instance, claimant) index.
    pub fn claimants(&self) -> impl Iterator<Item = ((usize, usize), &Claimant)> {
        self.controllers
            .iter()
            .enumerate()
            .flat_map(|(i, instance)| {
                instance
                    .claimants
                    .iter()
                    .enumerate()
                    .map(move |(c, claimant)| ((i, c), claimant))
            })
    }
}

/// What the detect stage reads: the loaded files and the default namespace.
pub struct Objects<'a> {
    pub files: &'a [LoadedFile],
    /// Where the objects rendered from Helm releases (and platform controllers) came from.
    pub releases: &'a Releases,
    pub namespace: &'a str,
    /// The files of one cluster, sorted; `None`: all of them.
    pub scope: Option<Vec<usize>>,
    /// With no scope and several clusters, the clusters each file is in (sorted): an Ingress
    /// is served only by controllers of a cluster it is in. Empty: one cluster.
    file_clusters: Vec<Vec<u32>>,
    /// With a scope, the files that can hold its objects (its own, and those holding objects
    /// of Kustomize builds): one cluster's pass costs its own size, not the input's.
    files_in_scope: Option<Vec<usize>>,
    /// Definitions another definition of the same object replaces (`superseded`): each is
    /// still a definition in its file, but not an object that meets others.
    superseded: std::collections::HashSet<ObjectKey>,
}

impl<'a> Objects<'a> {
    pub fn new(loaded: &'a Loaded, namespace: &'a str, scope: Option<Vec<usize>>) -> Objects<'a> {
        Objects {
            superseded: Default::default(),
            files: &loaded.files,
            releases: &loaded.releases,
            files_in_scope: scope.as_ref().map(|scope| {
                let built = &loaded.releases.builds.files;
                let mut files: Vec<usize> = scope.iter().chain(built).copied().collect();
                files.sort_unstable();
                files.dedup();
                files
            }),
            namespace,
            scope,
            file_clusters: Vec::new(),
        }
        .without_superseded()
    }

    fn without_superseded(mut self) -> Objects<'a> {
        self.superseded = superseded::superseded(&self);
        self
    }

    /// These objects, all clusters at once, knowing the clusters (for the inventory).
    pub fn across(mut self, scopes: Vec<Option<Vec<usize>>>) -> Objects<'a> {
        let scopes: Vec<Vec<usize>> = scopes.into_iter().flatten().collect();
        if scopes.len() > 1 {
            self.file_clusters = vec![Vec::new(); self.files.len()];
            for (cluster, files) in scopes.iter().enumerate() {
                for &file in files {
                    self.file_clusters[file].push(cluster as u32);
                }
            }
            return self.without_superseded();
        }
        self
    }

    /// The clusters an object is in: its file's, or for an object a Kustomize build made,
    /// its builds' roots'.
    fn clusters_of(&self, key: ObjectKey) -> std::borrow::Cow<'_, [u32]> {
        let object = self.get(key);
        if object.builds.is_empty() {
            return std::borrow::Cow::Borrowed(&self.file_clusters[key.file]);
        }
        let mut clusters: Vec<u32> = object
            .builds
            .iter()
            .filter_map(|b| self.releases.builds.roots.get(*b as usize))
            .flat_map(|root| self.file_clusters[root.file].iter().copied())
            .collect();
        clusters.sort_unstable();
        clusters.dedup();
        std::borrow::Cow::Owned(clusters)
    }

    /// Whether every object can meet every other: within one scope or one cluster.
    pub fn one_cluster(&self) -> bool {
        self.scope.is_some() || self.file_clusters.is_empty()
    }

    /// The clusters an object is in, sorted; none when all are one cluster.
    pub fn clusters(&self, key: ObjectKey) -> std::borrow::Cow<'_, [u32]> {
        if self.one_cluster() {
            return std::borrow::Cow::Borrowed(&[]);
        }
        self.clusters_of(key)
    }

    /// Whether an object can meet one in `clusters` (an object's `clusters`): always within
    /// one cluster; across several, when they have a cluster in common.
    pub fn meets(&self, key: ObjectKey, clusters: &[u32]) -> bool {
        self.one_cluster()
            || self
                .clusters_of(key)
                .iter()
                .any(|c| clusters.binary_search(c).is_ok())
    }

    pub fn get(&self, key: ObjectKey) -> &'a Object {
        &self.files[key.file].objects[key.index]
    }

    pub fn in_scope(&self, file: usize) -> bool {
        self.scope
            .as_ref()
            .is_none_or(|scope| scope.binary_search(&file).is_ok())
    }

    /// Whether an object is in scope: an object a Kustomize build made belongs where its
    /// builds' roots do, any other where its file does.
    pub fn object_in_scope(&self, file: usize, object: &Object) -> bool {
        if object.builds.is_empty() {
            return self.in_scope(file);
        }
        object.builds.iter().any(|b| {
            self.releases
                .builds
                .roots
                .get(*b as usize)
                .is_some_and(|root| self.in_scope(root.file))
        })
    }

    /// The files that can hold objects of the scope, in input order.
    pub fn scope_files(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match &self.files_in_scope {
            Some(files) => Box::new(files.iter().copied()),
            None => Box::new(0..self.files.len()),
        }
    }

    /// The objects of the scope, each once: what the cluster holds, for what relates objects
    /// (a Service selecting a controller, controllers serving a class). A definition another
    /// replaces is left out.
    pub fn iter_kept(&self) -> impl Iterator<Item = (ObjectKey, &'a Object)> + '_ {
        self.iter().filter(|(key, _)| !self.is_superseded(*key))
    }

    /// Whether another definition of this object replaces this one.
    pub fn is_superseded(&self, key: ObjectKey) -> bool {
        self.superseded.contains(&key)
    }

    /// Every definition in the scope (what each file says).
    pub fn iter(&self) -> impl Iterator<Item = (ObjectKey, &'a Object)> + '_ {
        self.scope_files().flat_map(move |file| {
            self.files[file]
                .objects
                .iter()
                .enumerate()
                .filter(move |(_, o)| self.object_in_scope(file, o))
                .map(move |(index, o)| (ObjectKey { file, index }, o))
        })
    }

    pub fn namespace(&self, key: ObjectKey) -> &'a str {
        self.get(key)
            .reference
            .namespace
            .as_deref()
            .unwrap_or(self.namespace)
    }

    /// The reference with the default namespace filled in (cluster-scoped kinds keep none).
    pub fn reference(&self, key: ObjectKey) -> ObjectRef {
        let mut reference = self.get(key).reference.clone();
        if reference.namespace.is_none() && !reference.is_cluster_scoped() {
            reference.namespace = Some(self.namespace.to_string());
        }
        reference
    }

    /// Whether a release in scope installs a controller whose values were not read: its
    /// classes and class-less handling are unknown.
    pub fn unread_releases(&self) -> bool {
        self.releases
            .list
            .iter()
            .any(|r| r.unread.is_some() && self.in_scope(r.file))
    }

    /// The value span at a path below the object.
    pub fn value_span(&self, key: ObjectKey, path: &[PathStep<'_>]) -> Option<Span> {
        let file = &self.files[key.file];
        file.tree
            .lookup(self.get(key).node, path)
            .map(|e| file.tree.span(e.value))
    }

    /// The nodes of the items of the list at `path` (none when it is not a list).
    pub fn item_spans(&self, key: ObjectKey, path: &[PathStep<'_>]) -> Vec<Span> {
        let tree = &self.files[key.file].tree;
        tree.lookup(self.get(key).node, path)
            .map(|e| tree.items(e.value).iter().map(|&i| tree.span(i)).collect())
            .unwrap_or_default()
    }

    pub fn key_span(&self, key: ObjectKey, path: &[PathStep<'_>]) -> Option<Span> {
        let file = &self.files[key.file];
        file.tree
            .lookup(self.get(key).node, path)
            .map(|e| file.tree.span(e.key))
    }

    /// The source and position of a span of file `file`'s tree: a node grafted there from
    /// another file (a Kustomize patch) is in that file.
    pub fn position(
        &self,
        file: usize,
        span: Span,
    ) -> (&'a manifest::SourceText, manifest::Position) {
        let source = &self.files[span.foreign_file().unwrap_or(file)].source;
        (source, source.position(span.start as usize))
    }

    /// Where an object is named: its `metadata.name` value, else its `kind` key.
    pub fn name_span(&self, key: ObjectKey) -> Span {
        self.value_span(key, &[PathStep::Key("metadata"), PathStep::Key("name")])
            .or_else(|| self.key_span(key, &[PathStep::Key("kind")]))
            .unwrap_or_default()
    }
}

/// Builds the inventory: once, over everything loaded.
pub fn build(objects: &Objects<'_>, knowledge: &'static Knowledge) -> Inventory {
    let mut inventory = Inventory {
        classes: classes::collect(objects),
        services: exposure::collect_services(objects),
        ..Inventory::default()
    };
    // Reading controllers' settings is most of this stage: each object's controllers are
    // found in parallel (one cluster of a fleet repository is a single pass), in order.
    let in_scope: Vec<(ObjectKey, &Object)> = objects.iter_kept().collect();
    let found: Vec<Recognised> = in_scope
        .par_iter()
        .map(|&(key, object)| controllers_of(objects, knowledge, key, object))
        .collect();
    let mut data_planes: Vec<DataPlane> = Vec::new();
    for (instances, planes) in found {
        inventory.controllers.extend(instances);
        data_planes.extend(planes);
    }
    // Data planes join the controllers of their kind in their namespace (looked up, not
    // scanned: a fleet repository holds thousands of controllers).
    let mut by_namespace: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, instance) in inventory.controllers.iter().enumerate() {
        let key = (
            instance.controller.id.as_str(),
            objects.namespace(instance.workload),
        );
        by_namespace.entry(key).or_default().push(i);
    }
    for (key, controller, image) in data_planes {
        let namespace = objects.namespace(key);
        let Some(indexes) = by_namespace.get(&(controller.id.as_str(), namespace)) else {
            continue;
        };
        for &i in indexes {
            let instance = &mut inventory.controllers[i];
            if instance.workload != key && !instance.data_plane.contains(&key) {
                instance.data_plane.push(key);
            }
            if !instance.images.contains(&image) {
                instance.images.push(image.clone());
            }
        }
    }
    drop_shadowed_stand_ins(&mut inventory.controllers);
    // Services by namespace, grouped by selector: copies of one release select alike, and
    // a pod is matched against each distinct selector once.
    let mut services_in: exposure::ServicesIn<'_> = HashMap::new();
    let mut group_of: HashMap<(&str, &std::collections::BTreeMap<String, String>), usize> =
        HashMap::new();
    for (index, service) in inventory.services.iter().enumerate() {
        if objects.is_superseded(service.key) {
            continue;
        }
        let groups = services_in.entry(service.namespace.as_str()).or_default();
        let group = *group_of
            .entry((service.namespace.as_str(), &service.selector))
            .or_insert_with(|| {
                groups.push((&service.selector, Vec::new()));
                groups.len() - 1
            });
        groups[group].1.push(index);
    }
    inventory.controllers.par_iter_mut().for_each(|instance| {
        exposure::expose(objects, instance, &inventory.services, &services_in)
    });
    classes::resolve_classless(&mut inventory);
    classes::serve(objects, &mut inventory);
    inventory.node_ports = nodes::node_ports(objects, &inventory.controllers);
    inventory
}

/// A data-plane container: the workload, its controller, its image.
type DataPlane = (ObjectKey, &'static Controller, String);

/// An object's controller instances and data-plane containers.
type Recognised = (Vec<ControllerInstance>, Vec<DataPlane>);

/// The controllers an object's pod runs (each once) and its data-plane containers.
fn controllers_of(
    objects: &Objects<'_>,
    knowledge: &'static Knowledge,
    key: ObjectKey,
    object: &Object,
) -> Recognised {
    let (mut instances, mut data_planes) = (Vec::new(), Vec::new());
    let Some(pod) = pod_of(object) else {
        return (instances, data_planes);
    };
    let mut seen: Vec<&str> = Vec::new();
    for (index, container) in pod.spec.containers.iter().enumerate() {
        let Some((controller, image)) = recognise(knowledge, container, &pod) else {
            continue;
        };
        if image.role == Role::DataPlane {
            data_planes.push((key, controller, container.image.clone().unwrap_or_default()));
            continue;
        }
        if seen.contains(&controller.id.as_str()) {
            continue;
        }
        seen.push(&controller.id);
        instances.push(instance(objects, key, &pod, index, controller));
    }
    (instances, data_planes)
}

/// A managed add-on recognised from a class is not assumed when a controller of the input
/// serves the same classes and controller values (a self-hosted GLBC, AGIC from its chart):
/// that one is what the class names.
fn drop_shadowed_stand_ins(controllers: &mut Vec<ControllerInstance>) {
    let claims = |i: &ControllerInstance| -> Vec<String> {
        i.claimants
            .iter()
            .flat_map(|c| c.classes.iter().chain(&c.controller_values).cloned())
            .collect()
    };
    let shadowed: Vec<bool> = controllers
        .iter()
        .map(|managed| {
            managed.origin == Origin::Managed
                && controllers.iter().any(|other| {
                    other.origin != Origin::Managed
                        && other.controller.id == managed.controller.id
                        && claims(managed).iter().all(|c| claims(other).contains(c))
                })
        })
        .collect();
    let mut index = 0;
    controllers.retain(|_| {
        index += 1;
        !shadowed[index - 1]
    });
}

/// The controller a container runs, if any: its image path (registry, tag and digest
/// ignored; mirrors match on the path's end), the arguments it must have, the pod labels.
fn recognise<'k>(
    knowledge: &'k Knowledge,
    container: &manifest::model::ContainerFacts,
    pod: &PodView<'_>,
) -> Option<(&'k Controller, &'k crate::knowledge::Image)> {
    let path = image_path(container.image.as_deref()?);
    knowledge.controllers.iter().find_map(|controller| {
        let image = controller.images.iter().find(|image| {
            image.matches(&path)
                && (image.requires_args.is_empty()
                    || container
                        .args
                        .iter()
                        .chain(container.command.iter())
                        .flatten()
                        .any(|a| image.requires_args.contains(a)))
        })?;
        let labels_ok = controller.require_labels.iter().all(|(key, pattern)| {
            pod.labels
                .and_then(|l| l.get(key))
                .is_some_and(|value| label_matches(pattern, value))
        });
        labels_ok.then_some((controller, image))
    })
}

/// A label value against a glob of the data (`*ingressgateway*`); the data's globs all
/// compile (a test checks them).
fn label_matches(pattern: &str, value: &str) -> bool {
    globset::Glob::new(pattern).is_ok_and(|g| g.compile_matcher().is_match(value))
}

fn instance(
    objects: &Objects<'_>,
    key: ObjectKey,
    pod: &PodView<'_>,
    index: usize,
    controller: &'static Controller,
) -> ControllerInstance {
    let container = &pod.spec.containers[index];
    let arguments = settings::arguments(
        container,
        index,
        objects.namespace(key),
        &|path| objects.item_spans(key, path),
        pod.spec_path,
    );
    let locate_env = |env: usize| {
        objects.value_span(
            key,
            &pod.path(&[
                PathStep::Key("containers"),
                PathStep::Index(index),
                PathStep::Key("env"),
                PathStep::Index(env),
            ]),
        )
    };
    // A controller that reads one source of several (Traefik): its file when it has one,
    // else its arguments when there are any, else its env.
    let (arguments, read_env, file_unknown) = match &controller.configuration {
        None => (arguments, true, None),
        Some(configuration) => match configuration.precedence {
            SourcePrecedence::FirstThatLoads => match config_file::read(
                objects,
                key,
                pod,
                index,
                configuration,
                &arguments,
                controller.flags_case_insensitive,
            ) {
                FileSettings::Absent => {
                    let read_env = arguments.is_empty();
                    (arguments, read_env, None)
                }
                FileSettings::Read(from_file) => (from_file, false, None),
                FileSettings::Unknown { path, reason, span } => {
                    (Vec::new(), false, Some((path, reason, span)))
                }
            },
        },
    };
    let mut resolved = settings::resolve(controller, container, &arguments, &locate_env, read_env);
    if let Some((path, reason, span)) = file_unknown {
        for setting in &mut resolved {
            setting.value = Value::Unknown(reason.clone());
            setting.origin = settings::Origin::File {
                path: path.clone(),
                text: String::new(),
                span,
            };
        }
    }
    let provenance = objects.releases.provenance(key);
    if let Some(provenance) = &provenance {
        settings::mark_unknown(controller, &mut resolved, provenance.unknowns);
    }
    let mut claimants: Vec<Claimant> = controller
        .providers
        .iter()
        .filter(|p| {
            // What a platform or the configuration states the controller serves stands for
            // the flags that would enable its provider.
            p.enabled_by.is_empty()
                || provenance.as_ref().is_some_and(|p| p.claims.is_some())
                || p.enabled_by.iter().any(|s| {
                    // A switch the input cannot tell keeps the provider, its classes unknown:
                    // never "serves nothing" on a guess.
                    truthy(&resolved, s) == Some(true)
                        || find(&resolved, s).is_some_and(|r| matches!(r.value, Value::Unknown(_)))
                })
        })
        .map(|provider| {
            let class = find(&resolved, &provider.class);
            let class_set =
                matches!(class.map(|c| &c.value), Some(Value::Known(v)) if !v.is_empty());
            let (classes, class_unknown, class_span) = match class.map(|c| (&c.value, c.span())) {
                Some((Value::Known(v), span)) if !v.is_empty() => (vec![v.clone()], None, span),
                Some((Value::Unknown(reason), span)) => (Vec::new(), Some(reason.clone()), span),
                _ => (provider.default_class_names.clone(), None, None),
            };
            let controller_values = render_first(&provider.controller_values, &resolved);
            let annotation_values = if provider.annotation_values.is_empty() {
                classes.clone()
            } else {
                render_first(&provider.annotation_values, &resolved)
            };
            let by_name = provider
                .class_by_name_when
                .as_deref()
                .and_then(|s| truthy(&resolved, s))
                == Some(true);
            Claimant {
                provider: provider.name.clone(),
                classes,
                class_unknown,
                controller_values,
                annotation_keys: provider.annotation_keys.clone(),
                annotation_values,
                precedence: provider.precedence.clone(),
                match_by_name: provider.match_by_name || by_name,
                name_must_match: match provider.class_name_filter {
                    ClassNameFilter::Never => false,
                    ClassNameFilter::WhenClassSet => class_set,
                    ClassNameFilter::Always => true,
                },
                reads_class_field: !evaluate(
                    &provider.class_lookup_off_when,
                    &resolved,
                    controller,
                    "",
                )
                .is_yes(),
                takes_classless: evaluate(
                    &provider.classless_when,
                    &resolved,
                    controller,
                    "takes no class-less Ingresses",
                ),
                class_span,
            }
        })
        .collect();
    let publishes_status = evaluate(
        &controller.publishes_status_when,
        &resolved,
        controller,
        "does not update Ingress status",
    );
    let (origin, origin_reason) = match &provenance {
        Some(p) => (p.origin, p.why.clone()),
        None => (
            Origin::Rendered,
            "its manifests are in the input".to_string(),
        ),
    };
    if let Some(claims) = provenance.as_ref().and_then(|p| p.claims) {
        state_claims(&mut claimants, claims, origin);
    }
    let mut instance = ControllerInstance {
        controller,
        origin,
        origin_reason,
        workload: key,
        data_plane: Vec::new(),
        images: pod
            .spec
            .containers
            .iter()
            .filter_map(|c| c.image.clone())
            .collect(),
        settings: resolved,
        claimants,
        exposure: Vec::new(),
        services: Vec::new(),
        host_ports: Vec::new(),
        listen_ports: Vec::new(),
        publishes_status,
    };
    exposure::implied_listen_ports(&mut instance, key, &arguments);
    instance
}

/// What a platform's data or the configuration states a controller serves replaces what its
/// (stand-in) settings would say: one claimant, with the stated classes, controller values
/// and class-less handling.
fn state_claims(claimants: &mut Vec<Claimant>, claims: &Claims, origin: Origin) {
    claimants.truncate(1);
    let Some(claimant) = claimants.first_mut() else {
        return;
    };
    let by = match origin {
        Origin::Declared => "as declared in the configuration",
        _ => "as the platform's data states",
    };
    if !claims.classes.is_empty() {
        claimant.classes = claims.classes.clone();
        claimant.annotation_values = claims.classes.clone();
        claimant.class_unknown = None;
    }
    if !claims.controller_values.is_empty() {
        claimant.controller_values = claims.controller_values.clone();
    }
    match claims.takes_classless {
        Some(true) => claimant.takes_classless = Tri::Yes(format!("takes them, {by}")),
        Some(false) => {
            claimant.takes_classless = Tri::No(format!("takes no class-less Ingresses, {by}"))
        }
        None => {}
    }
}

/// A resolved setting by name. The knowledge test checks that every name the data uses is a
/// setting of its controller, so `None` means inconsistent data: treated as not set.
fn find<'r>(resolved: &'r [Resolved], name: &str) -> Option<&'r Resolved> {
    resolved.iter().find(|r| r.name == name)
}

fn truthy(resolved: &[Resolved], name: &str) -> Option<bool> {
    resolved
        .iter()
        .find(|r| r.name == name)?
        .known()
        .and_then(settings::parse_bool)
}

/// The first template whose required settings are known and set.
fn render_first(templates: &[String], resolved: &[Resolved]) -> Vec<String> {
    for template in templates {
        let mut out = template.clone();
        let mut ok = true;
        for name in template_settings(template) {
            let value = resolved
                .iter()
                .find(|r| r.name == name)
                .and_then(Resolved::known)
                .unwrap_or_default();
            if template.contains(&format!("{{/{name}}}")) {
                let piece = if value.is_empty() {
                    String::new()
                } else {
                    format!("/{value}")
                };
                out = out.replace(&format!("{{/{name}}}"), &piece);
            } else if value.is_empty() {
                ok = false;
            } else {
                out = out.replace(&format!("{{{name}}}"), value);
            }
        }
        if ok {
            return vec![out];
        }
    }
    Vec::new()
}

/// Any-of conditions over settings (`own_class_default` is decided once classes are known).
fn evaluate(
    conditions: &[Condition],
    resolved: &[Resolved],
    controller: &Controller,
    otherwise: &str,
) -> Tri {
    let mut unknown = None;
    for condition in conditions {
        if condition.always {
            return Tri::Yes("always".into());
        }
        let Some(name) = condition.setting() else {
            continue;
        };
        let Some(setting) = find(resolved, name) else {
            continue;
        };
        let flag = controller
            .setting(name)
            .map(|s| {
                s.flags
                    .first()
                    .or(s.env.first())
                    .cloned()
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        let value = match &setting.value {
            Value::Known(v) => v.as_str(),
            Value::Unknown(reason) => {
                unknown.get_or_insert_with(|| reason.clone());
                continue;
            }
        };
        let (holds, why) = if condition.is_true.is_some() {
            (
                settings::parse_bool(value) == Some(true),
                format!("{flag}={value}"),
            )
        } else if condition.is_false.is_some() {
            (
                settings::parse_bool(value) == Some(false),
                format!("{flag}={value}"),
            )
        } else if condition.empty.is_some() {
            (value.is_empty(), format!("{flag} is not set"))
        } else {
            (!value.is_empty(), format!("{flag}={value}"))
        };
        if holds {
            return Tri::Yes(why);
        }
    }
    match unknown {
        Some(reason) => Tri::Unknown(reason),
        None => Tri::No(otherwise.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_globs_match_like_the_data_means() {
        assert!(label_matches("*ingressgateway*", "ingressgateway"));
        assert!(label_matches(
            "*ingressgateway*",
            "istio-ingressgateway-internal"
        ));
        assert!(!label_matches("*ingressgateway*", "egressgateway"));
        for controller in &crate::knowledge::knowledge().controllers {
            for pattern in controller.require_labels.values() {
                assert!(
                    globset::Glob::new(pattern).is_ok(),
                    "{}: {pattern}",
                    controller.id
                );
            }
        }
    }
}
