//! Model stage: located trees → Kubernetes objects (typed for the kinds the rules read,
//! metadata only for every other kind), each with the node it came from.

mod de;
mod workload;

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;

pub use de::{decode, DecodeError, Decoded, Note};
pub use workload::{ContainerFacts, PodFacts, Workload};

use crate::parse::{
    self, find_jinja, find_unrendered_template, Limits, NamesOnly, NodeId, NodeKind, PassedOver,
    Problem, ProblemKind, Tree,
};
use crate::source::{SourceText, Span};

/// `apiVersion`, `kind`, namespace and name: how findings and reports name an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    /// A kind with no namespace (among the kinds an ingress migration meets).
    pub fn is_cluster_scoped(&self) -> bool {
        let kind = self.kind.as_str();
        matches!(
            kind,
            "IngressClass"
                | "Namespace"
                | "Node"
                | "ClusterRole"
                | "ClusterRoleBinding"
                | "CustomResourceDefinition"
                | "PersistentVolume"
                | "StorageClass"
                | "PriorityClass"
                | "ValidatingWebhookConfiguration"
                | "MutatingWebhookConfiguration"
                | "APIService"
                | "GatewayClass"
                | "IngressClassParams"
        )
    }
}

/// An object by position: file index and index among that file's objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub file: usize,
    pub index: usize,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// The typed form of the kinds the rules read.
#[derive(Clone, Debug)]
pub enum TypedObject {
    Ingress(Box<Ingress>),
    IngressClass(Box<IngressClass>),
    Service(Box<Service>),
    /// A Deployment, DaemonSet, StatefulSet, ReplicaSet or Pod, reduced to what is read of it.
    Workload(Box<Workload>),
    /// Any other kind, CRDs included: its metadata was checked, and what the analysis reads of
    /// it (a ConfigMap's data, a Kustomize patch target's labels) is read from the tree.
    Generic,
}

/// One Kubernetes object: a document, or an item of a `List`.
#[derive(Clone, Debug)]
pub struct Object {
    pub reference: ObjectRef,
    /// Index into the file's documents.
    pub document: usize,
    /// The object's mapping node in the file's tree.
    pub node: NodeId,
    /// Served from an API version removed from Kubernetes (read with today's schema).
    pub removed_api: bool,
    pub typed: TypedObject,
    /// The builds (Kustomize roots, by index) that produce this form of the object; empty
    /// for an object applied as written.
    pub builds: Vec<u32>,
}

impl Object {
    /// The typed metadata of the kinds the rules read.
    pub fn metadata(&self) -> Option<&ObjectMeta> {
        match &self.typed {
            TypedObject::Ingress(o) => Some(&o.metadata),
            TypedObject::IngressClass(o) => Some(&o.metadata),
            TypedObject::Service(o) => Some(&o.metadata),
            TypedObject::Workload(o) => Some(&o.metadata),
            TypedObject::Generic => None,
        }
    }

    /// The annotations of a typed kind.
    pub fn annotations(&self) -> Option<&BTreeMap<String, String>> {
        self.metadata()?.annotations.as_ref()
    }
}

/// A document of a file: the parse's, kept as the model's (one list, not a copy).
pub use crate::parse::ParsedDocument as Document;

/// Everything read from one file.
#[derive(Debug)]
pub struct LoadedFile {
    pub source: Arc<SourceText>,
    pub tree: Tree,
    pub documents: Vec<Document>,
    pub objects: Vec<Object>,
    pub problems: Vec<Problem>,
    /// Documents with no `apiVersion`/`kind` (values files, CI configs): skipped, counted.
    pub skipped_documents: usize,
}

/// API versions of Ingress and IngressClass removed in Kubernetes 1.22.
pub const REMOVED_INGRESS_APIS: [&str; 2] = ["extensions/v1beta1", "networking.k8s.io/v1beta1"];

/// Parses and models one file. Never panics on any input; problems are located findings.
pub fn load_file(source: SourceText, limits: Limits) -> LoadedFile {
    let source = Arc::new(source);
    let names_only = NamesOnly {
        kinds: &NAMES_ONLY_KINDS,
        keep: &NAMES_KEPT,
    };
    let (mut file, mut passed_over) = model_file(Arc::clone(&source), limits, Some(names_only));
    let troubled = file.troubled();
    let troubled_passed_over = passed_over.iter().any(|p| {
        file.documents
            .get(p.document)
            .is_none_or(|document| troubled(document.span))
    });
    if troubled_passed_over {
        // A baseline names a problem by its path in the tree: the document is kept whole.
        drop(file);
        (file, passed_over) = model_file(Arc::clone(&source), limits, None);
    }
    // `file` is now the only holder: lines can be let go of it.
    drop(source);
    file.keep_names_only(passed_over);
    // Kept to the end, with every other file's.
    file.objects.shrink_to_fit();
    file.documents.shrink_to_fit();
    file
}

/// Parses and models one file, the bodies of `names_only` objects passed over (and the
/// entries passed over).
fn model_file(
    source: Arc<SourceText>,
    limits: Limits,
    names_only: Option<NamesOnly<'_>>,
) -> (LoadedFile, Vec<PassedOver>) {
    let text: &str = source.shared();
    let parsed = parse::parse_shared(source.shared(), limits, names_only);
    let parses = !parsed
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::Syntax);
    // A helmfile state (`releases:`, no `kind`) is rendered by helmfile's own Go templates.
    let helmfile_state = |root: NodeId| {
        parsed.tree.get(root, "kind").is_none()
            && ["releases", "helmfiles"]
                .iter()
                .any(|k| parsed.tree.get(root, k).is_some())
    };
    let data_documents: Vec<std::ops::Range<usize>> = parsed
        .documents
        .iter()
        .filter(|d| {
            d.root.is_some_and(helmfile_state)
                || d.root
                    .and_then(|root| parsed.tree.lookup_keys(root, &["kind"]))
                    .and_then(|kind| parsed.tree.scalar(kind.value))
                    .is_some_and(|kind| VALUES_AS_DATA.contains(&kind))
        })
        .map(|d| d.span.start as usize..d.span.end as usize)
        .collect();
    let view = parse::TemplateView {
        tree: &parsed.tree,
        data_documents: &data_documents,
    };
    // Jinja (Ansible, Salt) is a template of another tool, not broken YAML.
    let jinja = || {
        find_jinja(text)
            .filter(|_| find_unrendered_template(text, None).is_none())
            .map(|range| {
                Problem::new(
                    ProblemKind::Placeholders,
                    Span::new(range.start, range.end),
                    "Jinja template (Ansible, Salt): not a manifest until rendered; it was skipped",
                )
                .with_help("check what the template renders, or exclude the folder (`--exclude \"**/roles/**\"`)")
            })
    };
    // helmfile's state files are Go templates of helmfile's, not a chart's.
    let helmfile = || {
        let name = source.name.as_str();
        let file_name = name.rsplit('/').next().unwrap_or(name);
        let named = file_name.starts_with("helmfile")
            || name.starts_with("helmfile.d/")
            || name.contains("/helmfile.d/");
        named
            .then(|| find_unrendered_template(text, parses.then_some(&view)))
            .flatten()
            .map(|range| {
            Problem::new(
                ProblemKind::Placeholders,
                Span::new(range.start, range.end),
                "helmfile state with Go template actions in its structure: helmfile renders it first; it was not read",
            )
            .with_help("`helmfile template | ingress-lint check -` checks what it installs")
        })
    };
    let helm = || {
        find_unrendered_template(text, parses.then_some(&view)).map(|range| {
            Problem::new(
                ProblemKind::TemplateUnrendered,
                Span::new(range.start, range.end),
                "unrendered Go template action: this file is a Helm template, not a manifest; it was skipped",
            )
            .with_help("render it first (`helm template RELEASE CHART -f values.yaml > rendered.yaml`) and check the output")
        })
    };
    let template = helmfile()
        .or_else(|| if parses { None } else { jinja() })
        .or_else(helm);
    if let Some(problem) = template {
        let file = LoadedFile {
            source: source.clone(),
            tree: Tree::default(),
            documents: Vec::new(),
            objects: Vec::new(),
            problems: vec![problem],
            skipped_documents: 0,
        };
        return (file, Vec::new());
    }
    // Sized once: a stream of thousands of documents would otherwise hold up to twice its
    // objects' room at its peak (most documents are one object).
    let mut file = LoadedFile {
        source,
        tree: parsed.tree,
        objects: Vec::with_capacity(parsed.documents.len()),
        documents: parsed.documents,
        problems: parsed.problems,
        skipped_documents: 0,
    };
    for index in 0..file.documents.len() {
        let Some(root) = file.documents[index].root else {
            continue;
        };
        let before = file.objects.len();
        model_node(&mut file, index, root, 0);
        if file.objects.len() == before && !is_blank(&file.tree, root) {
            file.skipped_documents += 1;
        }
    }
    gather_placeholders(&mut file);
    (file, parsed.passed_over)
}

/// Kinds the analysis reads nothing of but their names and metadata: RBAC, admission
/// webhooks, CustomResourceDefinitions (their schemas are most of a CRD bundle), Jobs,
/// leases, disruption budgets, autoscalers, monitoring objects. Half the bytes of a chart's
/// render are such objects; after the model stage their trees keep `apiVersion`, `kind` and
/// `metadata` (every tree is kept to the end), the lines only the rest held are let go of the
/// file's text, and Kustomize patches to them are not merged.
pub const NAMES_ONLY_KINDS: [&str; 17] = [
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "ServiceAccount",
    "CustomResourceDefinition",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "Job",
    "CronJob",
    "Lease",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "PriorityClass",
    "ServiceMonitor",
    "PodMonitor",
    "PrometheusRule",
];

/// What is kept of a `NAMES_ONLY_KINDS` object's root.
const NAMES_KEPT: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// The fewest bytes worth a copy of the rest of a file's text.
const MIN_LET_GO: usize = 1024;

/// Kinds whose string values are data even when they look like Helm template actions: they
/// hold values a chart renders (`tpl`), or text another system templates.
const VALUES_AS_DATA: [&str; 9] = [
    "HelmRelease",
    "HelmChart",
    "HelmChartConfig",
    "Application",
    "ApplicationSet",
    "PrometheusRule",
    "AlertmanagerConfig",
    "ConfigMap",
    "Secret",
];

/// Shell-style `${VAR}` values (envsubst, Flux `postBuild.substitute`) are read as written:
/// a schema mismatch on one is not the manifest's fault. They are said once per file.
fn gather_placeholders(file: &mut LoadedFile) {
    let source = &file.source;
    let is_placeholder = |p: &Problem| {
        p.kind == ProblemKind::SchemaMismatch
            && source
                .slice(p.span.range())
                .is_some_and(|t| t.contains("${"))
    };
    let first = file
        .problems
        .iter()
        .find(|p| is_placeholder(p))
        .map(|p| p.span);
    let Some(first) = first else {
        return;
    };
    let count = file.problems.iter().filter(|p| is_placeholder(p)).count();
    file.problems.retain(|p| !is_placeholder(p));
    file.problems.push(
        Problem::new(
            ProblemKind::Placeholders,
            first,
            format!(
                "{count} value(s) hold shell-style ${{VAR}} placeholders (envsubst, Flux postBuild.substitute): they are read as written"
            ),
        )
        .with_help("check the substituted output (`envsubst < FILE | ingress-lint check -`, or `flux build kustomization`)"),
    );
}

impl LoadedFile {
    /// Whether a span (a document's) holds the start of a problem or of a related location.
    fn troubled(&self) -> impl Fn(Span) -> bool {
        let mut problems: Vec<u32> = self
            .problems
            .iter()
            .flat_map(|p| std::iter::once(p.span).chain(p.related.iter().map(|(s, _)| *s)))
            .filter(|s| s.file == Span::OWN)
            .map(|s| s.start)
            .collect();
        problems.sort_unstable();
        move |span: Span| {
            let first = problems.partition_point(|&start| start < span.start);
            problems.get(first).is_some_and(|&start| start <= span.end)
        }
    }

    /// Cuts the objects of `NAMES_ONLY_KINDS` to their names and metadata, but not in a
    /// document with a problem: a baseline names a problem by its path in the tree. The
    /// entries the parse `passed_over` are not in the tree; the lines of both are let go of.
    fn keep_names_only(&mut self, passed_over: Vec<PassedOver>) {
        let troubled = self.troubled();
        let keep = |key: &str| NAMES_KEPT.contains(&key);
        let tree = &self.tree;
        let is_cut = |e: &parse::Entry| !tree.scalar(e.key).is_some_and(keep);
        // Most roots are already only what is kept: the entries are copied only to be cut.
        let cut: Vec<NodeId> = self
            .objects
            .iter()
            .filter(|o| NAMES_ONLY_KINDS.contains(&o.reference.kind.as_str()))
            .filter(|o| !troubled(self.documents[o.document].span))
            .filter(|o| tree.entries(o.node).iter().any(is_cut))
            .map(|o| o.node)
            .collect();
        let text = self.source.shared();
        // An entry's lines, with the line break that ends it.
        let lines = |start: u32, end: u32| {
            let end = end as usize + usize::from(text.as_bytes().get(end as usize) == Some(&b'\n'));
            self.source.whole_lines(start as usize..end)
        };
        let mut dropped: Vec<std::ops::Range<usize>> = passed_over
            .iter()
            .filter_map(|p| lines(p.span.start, p.span.end))
            .collect();
        dropped.extend(
            cut.iter()
                .flat_map(|&node| tree.entries(node).into_owned())
                .filter(is_cut)
                .filter_map(|e| lines(tree.span(e.key).start, tree.span(e.value).end)),
        );
        if !cut.is_empty() {
            let roots: Vec<NodeId> = self.documents.iter().filter_map(|d| d.root).collect();
            let new_ids = self.tree.cut(&roots, &cut, keep);
            let renumber = |id: NodeId| new_ids.get(id as usize).copied().flatten();
            for document in &mut self.documents {
                document.root = document.root.and_then(renumber);
            }
            // Objects are document roots or items of a List root: every one is still there.
            for object in &mut self.objects {
                object.node = renumber(object.node).unwrap_or_default();
            }
        }
        if !dropped.is_empty() {
            self.let_go_of(dropped);
        }
    }

    /// Lets go of the source lines only the entries cut from the tree held (the rules of a
    /// ClusterRole, the schemas of a CRD): most of an RBAC or CRD bundle's text. A range stays
    /// when anything still points into it — a node kept (an anchor used by the metadata), a
    /// problem, a document's start — or when it holds a suppression pragma (`ingress-lint`).
    fn let_go_of(&mut self, mut ranges: Vec<std::ops::Range<usize>>) {
        ranges.sort_by_key(|r| r.start);
        ranges.dedup_by(|b, a| b.start < a.end);
        let mut held = vec![false; ranges.len()];
        // Nodes come mostly in text order: the range an offset may fall in is found by
        // stepping on from the last one, and searched for only when the order turns back.
        let (mut next, mut last) = (0, 0);
        let mut hold = |offset: u32| {
            let offset = offset as usize;
            if offset < last {
                next = ranges.partition_point(|r| r.end <= offset);
            }
            while ranges.get(next).is_some_and(|r| r.end <= offset) {
                next += 1;
            }
            last = offset;
            if ranges.get(next).is_some_and(|r| r.start <= offset) {
                held[next] = true;
            }
        };
        for node in self.tree.nodes() {
            hold(node.span.start);
            if matches!(node.kind, NodeKind::Scalar { .. }) {
                hold(node.span.end.saturating_sub(1).max(node.span.start));
            }
        }
        for problem in &self.problems {
            for span in std::iter::once(problem.span).chain(problem.related.iter().map(|(s, _)| *s))
            {
                hold(span.start);
                hold(span.end.saturating_sub(1).max(span.start));
            }
        }
        for document in &self.documents {
            hold(document.span.start);
        }
        let text = self.source.shared();
        let mut held = held.into_iter();
        ranges.retain(|r| {
            !held.next().unwrap_or(true)
                && text
                    .get(r.clone())
                    .is_some_and(|t| memchr::memmem::find(t.as_bytes(), b"ingress-lint").is_none())
        });
        if ranges.iter().map(|r| r.len()).sum::<usize>() < MIN_LET_GO {
            return;
        }
        let Some(source) = Arc::get_mut(&mut self.source) else {
            return;
        };
        // The tree lets go of the text first, so that it is cut where it lies: a second copy
        // of a large file's text would be the run's peak.
        self.tree.release_source(&ranges);
        source.let_go(&ranges);
        let source = &self.source;
        self.tree.move_source(source.shared().clone(), |offset| {
            source.kept_offset(offset).unwrap_or(offset)
        });
    }

    /// Models an object built in this file's tree from other text (a chart release's values
    /// rendered through the chart's knowledge) as a document of its own. Its nodes are
    /// located where the facts were written, so findings point there. Decoding problems are
    /// dropped: the text they would point at is values, not this object's YAML. Returns the
    /// index of the new object, if the node is one.
    pub fn add_synthetic(
        &mut self,
        node: NodeId,
        span: Span,
        helm_source: String,
    ) -> Option<usize> {
        let document = self.documents.len();
        self.documents.push(Document {
            span,
            root: Some(node),
            helm_source: Some(helm_source.into()),
        });
        let (objects, problems) = (self.objects.len(), self.problems.len());
        model_node(self, document, node, MAX_LIST_DEPTH);
        self.problems.truncate(problems);
        (self.objects.len() > objects).then_some(objects)
    }
}

impl LoadedFile {
    /// Models `node` of this file's tree (an object as a build changes it: a Kustomize patch
    /// merged in) as an object of `document`, without adding it. Decoding problems are
    /// dropped: the document's own were recorded when it was read.
    pub fn model_changed(&mut self, document: usize, node: NodeId) -> Option<Object> {
        let (objects, problems) = (self.objects.len(), self.problems.len());
        model_node(self, document, node, MAX_LIST_DEPTH);
        self.problems.truncate(problems);
        if self.objects.len() > objects {
            let object = self.objects.pop();
            self.objects.truncate(objects);
            return object;
        }
        None
    }
}

fn is_blank(tree: &Tree, node: NodeId) -> bool {
    tree.string(node).is_none() && tree.scalar(node).is_some()
}

/// Lists nest (`kind: List` of `*List`s is legal); more than this is hostile.
const MAX_LIST_DEPTH: usize = 4;

fn model_node(file: &mut LoadedFile, document: usize, node: NodeId, depth: usize) {
    let tree = &file.tree;
    if !tree.is_mapping(node) {
        return;
    }
    let api_version = tree
        .get(node, "apiVersion")
        .and_then(|e| tree.string(e.value));
    let kind = tree.get(node, "kind").and_then(|e| tree.string(e.value));
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        return;
    };
    let (api_version, kind) = (api_version.to_string(), kind.to_string());
    if kind.ends_with("List") {
        if let Some(items) = tree.get(node, "items") {
            if depth < MAX_LIST_DEPTH {
                for item in tree.items(items.value).to_vec() {
                    model_node(file, document, item, depth + 1);
                }
            }
            return;
        }
    }
    let removed_api = REMOVED_INGRESS_APIS.contains(&api_version.as_str())
        && matches!(kind.as_str(), "Ingress" | "IngressClass");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let typed = match (group, kind.as_str()) {
        ("networking.k8s.io" | "extensions", "Ingress") => {
            decode_kind(file, document, node, removed_api, TypedObject::Ingress)
        }
        ("networking.k8s.io", "IngressClass") => {
            decode_kind(file, document, node, removed_api, TypedObject::IngressClass)
        }
        ("", "Service") if api_version == "v1" => {
            decode_kind(file, document, node, false, TypedObject::Service)
        }
        ("", "Pod") if api_version == "v1" => decode_workload::<Pod>(file, document, node),
        ("apps", "Deployment") if api_version == "apps/v1" => {
            decode_workload::<Deployment>(file, document, node)
        }
        ("apps", "DaemonSet") if api_version == "apps/v1" => {
            decode_workload::<DaemonSet>(file, document, node)
        }
        ("apps", "StatefulSet") if api_version == "apps/v1" => {
            decode_workload::<StatefulSet>(file, document, node)
        }
        ("apps", "ReplicaSet") if api_version == "apps/v1" => {
            decode_workload::<ReplicaSet>(file, document, node)
        }
        _ => None,
    };
    // Another kind's metadata is decoded for its names and its problems, then let go: every
    // object of every file is kept to the end.
    let generic_meta;
    let (typed, meta) = match typed {
        Some(typed) => (typed, None),
        None => {
            let metadata = file.tree.get(node, "metadata").map(|e| e.value);
            generic_meta = match metadata {
                Some(meta_node) => {
                    let mut decoded = decode::<ObjectMeta>(&file.tree, meta_node);
                    let value = decoded.value.take().unwrap_or_default();
                    record(file, document, node, decoded);
                    value
                }
                None => ObjectMeta::default(),
            };
            (TypedObject::Generic, Some(&generic_meta))
        }
    };
    let mut object = Object {
        reference: ObjectRef {
            api_version,
            kind,
            namespace: None,
            name: String::new(),
        },
        document,
        node,
        removed_api,
        typed,
        builds: Vec::new(),
    };
    let names = meta.or(object.metadata()).map(|meta| {
        let namespace = meta.namespace.clone().filter(|n| !n.is_empty());
        let name = meta.name.clone().or_else(|| meta.generate_name.clone());
        (namespace, name.unwrap_or_default())
    });
    if let Some((namespace, name)) = names {
        object.reference.namespace = namespace;
        object.reference.name = name;
    }
    file.objects.push(object);
}

/// Decodes a known kind. Removed API versions are read with today's schema: the API version
/// is passed over, and so are the fields only the old schema had.
fn decode_kind<T: DeserializeOwned>(
    file: &mut LoadedFile,
    document: usize,
    node: NodeId,
    removed_api: bool,
    wrap: fn(Box<T>) -> TypedObject,
) -> Option<TypedObject> {
    let target = if removed_api {
        without_api_version(&mut file.tree, node)
    } else {
        node
    };
    let mut decoded = decode::<T>(&file.tree, target);
    if removed_api {
        decoded
            .notes
            .retain(|n| !matches!(n, Note::UnknownField { .. }));
    }
    let value = decoded.value.take();
    record(file, document, node, decoded);
    value.map(|v| wrap(Box::new(v)))
}

/// Decodes a workload kind whole (its schema is checked), then keeps what is read of it.
fn decode_workload<T: DeserializeOwned + Into<Workload>>(
    file: &mut LoadedFile,
    document: usize,
    node: NodeId,
) -> Option<TypedObject> {
    let mut decoded = decode::<T>(&file.tree, node);
    let value = decoded.value.take();
    record(file, document, node, decoded);
    value.map(|v| TypedObject::Workload(Box::new(v.into())))
}

/// A copy of a mapping node without its `apiVersion` entry (children are shared).
fn without_api_version(tree: &mut Tree, node: NodeId) -> NodeId {
    let entries: Vec<parse::Entry> = tree
        .entries(node)
        .iter()
        .filter(|e| tree.scalar(e.key) != Some("apiVersion"))
        .copied()
        .collect();
    let span = tree.span(node);
    tree.add_mapping(entries, span)
}

/// Turns decoding errors and notes into located `schema-mismatch` problems.
fn record<T>(file: &mut LoadedFile, document: usize, object: NodeId, decoded: Decoded<T>) {
    let tree = &file.tree;
    let kind = tree
        .get(object, "kind")
        .and_then(|e| tree.string(e.value))
        .unwrap_or("object")
        .to_string();
    for error in decoded.errors {
        let node = error.node.unwrap_or(object);
        let path = tree.path_to(object, node).unwrap_or_default();
        let at = if path.is_empty() {
            String::new()
        } else {
            format!("`{path}`: ")
        };
        file.problems.push(
            Problem::new(
                ProblemKind::SchemaMismatch,
                tree.span(node),
                format!(
                    "{at}{} ({kind}); the field was read as absent",
                    error.message
                ),
            )
            .in_document(document),
        );
    }
    for note in decoded.notes {
        let problem = match note {
            Note::UnknownField { key } => {
                let name = tree.scalar(key).unwrap_or_default();
                let path = tree.path_to(object, key).unwrap_or_default();
                Problem::new(
                    ProblemKind::SchemaMismatch,
                    tree.span(key),
                    format!("unknown field `{path}`: {kind} has no field `{name}`; Kubernetes drops it, `kubectl apply` (strict validation) rejects it"),
                )
                .with_help("check the spelling and the indentation of this key")
            }
            Note::NotAString { node } => {
                let value = tree.scalar(node).unwrap_or_default();
                let path = tree.path_to(object, node).unwrap_or_default();
                let read_as = parse::resolve_plain(value).type_name();
                Problem::new(
                    ProblemKind::SchemaMismatch,
                    tree.span(node),
                    format!("`{path}` takes a string, but Kubernetes reads the plain scalar `{value}` as a {read_as} (YAML 1.1) and rejects the object"),
                )
                .with_help(format!("quote it: \"{value}\""))
            }
        };
        file.problems.push(problem.in_document(document));
    }
}

/// A file read as `load_file` reads it (names-only bodies passed over) and built whole then
/// cut, each described (node numbers aside, as cutting renumbers): the two descriptions are
/// equal when the quick read is right. The unit tests and the fuzz target compare them.
/// `None` when the whole build finds a problem in a body the quick read passed over by its
/// lines, which it does not parse (see `parse::by_lines`).
#[cfg(any(test, fuzzing))]
pub fn both_reads(text: &str) -> Option<[String; 2]> {
    fn render(tree: &Tree, id: NodeId, out: &mut String) {
        let node = tree.node(id);
        out.push_str(&format!("{:?}", node.span));
        match node.kind {
            NodeKind::Scalar { style } => {
                out.push_str(&format!("{style:?}{:?}{:?}", tree.scalar(id), tree.tag(id)))
            }
            NodeKind::Alias(target) => out.push_str(&format!("*{:?}", tree.span(target))),
            NodeKind::Sequence(items) => items.iter().for_each(|&i| render(tree, i, out)),
            NodeKind::Mapping(entries) => entries.iter().for_each(|e| {
                render(tree, e.key, out);
                render(tree, e.value, out);
            }),
        }
        out.push(';');
    }
    let describe = |file: &LoadedFile| {
        let mut out = String::new();
        for d in &file.documents {
            out.push_str(&format!("\n{:?} {:?} ", d.span, d.helm_source));
            d.root.inspect(|&root| render(&file.tree, root, &mut out));
        }
        for o in &file.objects {
            out.push_str(&format!("\n{:?} {} ", o.reference, o.document));
            render(&file.tree, o.node, &mut out);
        }
        let runs: Vec<(usize, &str)> = file.source.kept_runs().collect();
        format!("{out}\n{:?}\n{runs:?}", file.problems)
    };
    let quick = load_file(SourceText::new("t.yaml", text), Limits::default());
    let source = Arc::new(SourceText::new("t.yaml", text));
    let (mut whole, passed_over) = model_file(source, Limits::default(), None);
    let names_only = NamesOnly {
        kinds: &NAMES_ONLY_KINDS,
        keep: &NAMES_KEPT,
    };
    let shared = Arc::new(text.to_string());
    let quick_parse = parse::parse_shared(&shared, Limits::default(), Some(names_only));
    let unparsed = |start: u32| {
        quick_parse.passed_over.iter().any(|p| {
            let document_end = quick_parse.documents.get(p.document).map(|d| d.span.end);
            p.span.start <= start && document_end.is_none_or(|end| start <= end)
        })
    };
    if whole.problems.iter().any(|p| unparsed(p.span.start)) {
        return None;
    }
    whole.keep_names_only(passed_over);
    Some([describe(&quick), describe(&whole)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Position;

    fn load(text: &str) -> LoadedFile {
        load_file(SourceText::new("t.yaml", text), Limits::default())
    }

    fn names(file: &LoadedFile) -> Vec<&str> {
        file.objects
            .iter()
            .map(|o| o.reference.name.as_str())
            .collect()
    }

    #[test]
    fn kinds_read_for_names_keep_their_metadata_only() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules:\n- &labels {app: web, !!str tier: \"fr\\u006Fnt\"}\nmetadata:\n  name: reader\n  labels: *labels\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r}, rules: [{verbs: [get]}]}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {k: v}}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: twice}\nsecrets: []\nsecrets: []\n";
        let file = load(text);
        let tree = &file.tree;
        assert_eq!(names(&file), ["reader", "r", "c", "twice"]);
        let get = |object: usize, path: &[&str]| {
            let entry = tree.lookup_keys(file.objects[object].node, path)?;
            Some((
                tree.scalar(entry.value),
                &text[tree.span(entry.value).range()],
            ))
        };
        // The alias in the metadata still reads the anchored mapping, whose tagged, escaped
        // key and value survive; the rules are gone.
        assert_eq!(
            get(0, &["metadata", "labels", "app"]),
            Some((Some("web"), "web"))
        );
        assert_eq!(
            get(0, &["metadata", "labels", "tier"]).unwrap().0,
            Some("front")
        );
        let tier = tree.lookup_keys(file.objects[0].node, &["metadata", "labels", "tier"]);
        assert_eq!(tree.tag(tier.unwrap().key), Some("str"));
        assert_eq!(get(0, &["rules"]), None);
        assert_eq!(get(1, &["rules"]), None);
        assert_eq!(get(2, &["data", "k"]), Some((Some("v"), "v")));
        // A document with a problem is kept whole.
        assert!(get(3, &["secrets"]).is_some());
        assert_eq!(at(&file, ProblemKind::DuplicateKey).len(), 1);
        let kinds: Vec<&str> = file
            .documents
            .iter()
            .map(|d| tree.lookup_keys(d.root.unwrap(), &["kind"]).unwrap().value)
            .map(|kind| tree.scalar(kind).unwrap())
            .collect();
        assert_eq!(kinds, ["ClusterRole", "List", "ServiceAccount"]);
        assert!(tree.len() < load("a: b").tree.len() + 60, "{}", tree.len());
    }

    fn reads_as_built_whole(text: &str) {
        let [quick, whole] = both_reads(text).expect("comparable");
        assert_eq!(quick, whole, "{text}");
    }

    fn passed_over(text: &str) -> usize {
        let names_only = NamesOnly {
            kinds: &NAMES_ONLY_KINDS,
            keep: &NAMES_KEPT,
        };
        parse::parse_shared(
            &Arc::new(text.to_string()),
            Limits::default(),
            Some(names_only),
        )
        .passed_over
        .len()
    }

    #[test]
    fn names_only_bodies_passed_over_read_as_if_built_and_cut() {
        let rules: String = (0..20)
            .map(|i| format!("- apiGroups: [\"\"]\n  resources: [r{i}]\n  verbs: [get]\n"))
            .collect();
        let plain = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules:\n{rules}aggregationRule:\n  clusterRoleSelectors: [{{matchLabels: {{a: b}}}}]\n");
        let cases = [
            (plain.as_str(), 2),
            // Entries before `kind` are built (and cut); a flow root; a last entry with no
            // line break; a block scalar and comments in a body.
            ("secrets: [{name: s}]\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\nautomountServiceAccountToken: false\n", 1),
            ("{apiVersion: v1, kind: ServiceAccount, secrets: [{name: x}], metadata: {name: f}}\n", 1),
            ("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: l}\nspec: {holderIdentity: x}", 1),
            ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  # a comment\n  template:\n    spec:\n      containers:\n      - name: c\n        args:\n        - |\n          echo hi\n        - >-\n          folded\n          text\n", 1),
            // Not objects: read whole.
            ("kind: Job\nspec: {a: 1}\n", 0),
            ("apiVersion: v1\nkind: [ClusterRole]\nrules: []\n", 0),
            ("apiVersion: null\nkind: Job\nspec: {a: 1}\n", 0),
            // The full tree is needed: an anchor or alias in a body, a repeated key in a
            // body, a key that is not its text as written (where lines cannot tell the
            // entries' ends, so the body is parsed).
            ("apiVersion: v1\nkind: ServiceAccount\nmetadata: &m {name: s}\nsecrets: [*m]\n", 0),
            ("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\nsecrets: [&x {name: a}]\n", 0),
            ("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: d}\nsecrets:\n- {name: a, name: b} # twice\n", 0),
            ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  \"templ\\u0061te\": {}\n  template: {} # again\n", 0),
            // A root key repeated among those passed over, or with one built before `kind`;
            // a merge key at the root (it could hold the metadata).
            ("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: r}\nsecrets: [a]\nsecrets: [b]\n", 0),
            ("secrets: [a]\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: r}\nsecrets: [b]\n", 0),
            ("apiVersion: v1\nkind: ServiceAccount\n<<: {metadata: {name: merged}}\n", 0),
        ];
        for (text, count) in cases {
            assert_eq!(passed_over(text), count, "{text}");
            reads_as_built_whole(text);
        }
        let many: String = (0..40).map(|i| format!("  k{i}: {i}\n")).collect();
        let text = format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j}}\nspec: {{\n{many}  k7: again}}\n"
        );
        assert_eq!(passed_over(&text), 0);
        reads_as_built_whole(&text);
        // Passed over by its lines, a body is not parsed: what is wrong inside it is not seen.
        for text in [
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: d}\nsecrets:\n- name: a\n  name: b\n".to_string(),
            format!("apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j}}\nspec:\n{many}  k7: again\n"),
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: d}\nsecrets:\n- name: a\n   b: c\n---\nkind: Role\n".to_string(),
        ] {
            assert_eq!(passed_over(&text), 1, "{text}");
            assert!(load(&text).problems.is_empty(), "{text}");
            assert!(both_reads(&text).is_none(), "{text}");
        }
        // A problem in the document (a repeated root key, a syntax error, the metadata's
        // schema): the document is built whole, as the baseline names problems by path.
        for text in [
            "apiVersion: batch/v1\nkind: Job\nspec: {x: 1}\nkind: Deployment\nmetadata: {name: k}\n",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: e}\nsecrets: [a, b\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ok}\nsecrets: [c]\n",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [x]\nsecrets: [{name: a}]\n",
        ] {
            reads_as_built_whole(text);
            assert!(!load(text).problems.is_empty());
        }
        reads_as_built_whole(&format!("{plain}---\n{}", cases[1].0));
    }

    /// Bodies passed over by their lines read as the whole build cut, under line edits of the
    /// shapes lines could misjudge (comments, quotes, brackets, block scalars, explicit keys,
    /// anchors, markers, carriage returns, indentation): lines either tell the entries for
    /// sure or leave them to the parser. A small xorshift drives the edits, so runs repeat.
    #[test]
    fn line_edits_of_bodies_passed_over_read_as_built_whole() {
        // Over `MIN_LET_GO` bytes of rules: the lines let go are compared too.
        let rules = "  - apiGroups:\n      - \"\"\n    resources: [configmaps, \"secrets\"]\n    verbs:\n      - get # read\n      - list\n".repeat(12);
        let base = [
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n  labels: {app: x}\nrules:\n",
            &rules,
            "# between\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels:\n      a: b\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        args:\n        - |\n          echo \"hi\"\n        - >-\n          folded\n      restartPolicy: Never\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: w\nwebhooks:\n- name: v.example.com\n  clientConfig:\n    caBundle: LS0tLS1CRUdJTg==\n  sideEffects: None\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\nautomountServiceAccountToken: true\n",
        ]
        .concat();
        let edits = [
            "# c",
            " # c",
            "\"",
            "'",
            "[",
            "]",
            "{",
            "}",
            "|",
            ">-",
            "&a ",
            "*a",
            "!!str ",
            "- ",
            "-",
            ":",
            "  ",
            "\t",
            "---",
            "...",
            "kind: Ingress",
            "metadata:",
            "x: |\n  y\n",
            "\r",
            "? ",
            "<<: *a",
            "rules:",
            "",
            "a: b",
            "  - c",
            "  \rextra: x",
            "  ? k:",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut compared, mut passed) = (0, 0);
        for _ in 0..2000 {
            let mut lines: Vec<String> = base.lines().map(String::from).collect();
            for _ in 0..1 + next(3) {
                let (i, edit) = (next(lines.len()), edits[next(edits.len())]);
                match next(5) {
                    0 => lines[i] = edit.to_string(),
                    1 => {
                        let at = next(lines[i].len() + 1);
                        lines[i].insert_str(at, edit);
                    }
                    2 => lines.insert(i, edit.to_string()),
                    3 => lines[i] = lines[i].trim_start().to_string(),
                    _ => lines[i].insert_str(0, &" ".repeat(1 + next(4))),
                }
            }
            let text = lines.join("\n") + "\n";
            passed += usize::from(passed_over(&text) > 0);
            if let Some([quick, whole]) = both_reads(&text) {
                compared += 1;
                assert_eq!(quick, whole, "{text}");
            }
        }
        assert!(compared > 600 && passed > 1500, "{compared} {passed}");
    }

    /// The text only the cut entries held is let go; what is kept reads and points as before.
    #[test]
    fn text_of_cut_entries_is_let_go() {
        let rules: String = (0..60)
            .map(|i| format!("- apiGroups: [\"\"]\n  resources: [r{i}]\n  verbs: [get]\n"))
            .collect();
        let text = format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules:\n{rules}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules:\n- &v {{verbs: [get]}}\n{rules}metadata: {{name: anchored, labels: *v}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: pragma}}\nrules:\n# ingress-lint: ignore[all] kept\n{rules}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  loadBalancerIP: 203.0.113.1\n"
        );
        let file = load(&text);
        let whole = SourceText::new("t.yaml", text.as_str());
        let source = &file.source;
        assert_eq!(source.len(), text.len());
        let runs: Vec<(usize, &str)> = source.kept_runs().collect();
        // The first rules go; the second stay (an anchor the metadata uses is in them), and
        // so do the third (a pragma).
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert!(runs[1].1.contains("name: anchored") && runs[1].1.contains("ignore[all]"));
        let kept: usize = runs.iter().map(|(_, run)| run.len()).sum();
        assert_eq!(text.len() - kept, "rules:\n".len() + rules.len());
        let service = file
            .objects
            .iter()
            .position(|o| o.reference.name == "web")
            .unwrap();
        let ip = file
            .tree
            .lookup_keys(file.objects[service].node, &["spec", "loadBalancerIP"])
            .unwrap();
        assert_eq!(file.tree.scalar(ip.value), Some("203.0.113.1"));
        let span = file.tree.span(ip.value);
        assert_eq!(source.slice(span.range()), Some("203.0.113.1"));
        assert_eq!(
            source.position(span.start as usize),
            whole.position(span.start as usize)
        );
        let labels = file
            .tree
            .lookup_keys(file.objects[1].node, &["metadata", "labels", "verbs"]);
        assert!(labels.is_some());
        assert_eq!(names(&file), ["reader", "anchored", "pragma", "web"]);
    }

    fn at(file: &LoadedFile, kind: ProblemKind) -> Vec<(Position, String)> {
        file.problems
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| {
                (
                    file.source.position(p.span.start as usize),
                    p.message.clone(),
                )
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    #[test]
    fn multi_document_with_helm_source_and_lists() {
        let file = load(
            "---\n# Source: chart/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: ns}\n---\n# values, not an object\nreplicas: 3\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: c}\n",
        );
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        let names: Vec<_> = file
            .objects
            .iter()
            .map(|o| o.reference.to_string())
            .collect();
        assert_eq!(names, ["Service ns/a", "ConfigMap b", "Deployment c"]);
        assert_eq!(file.skipped_documents, 1);
        assert_eq!(
            file.documents[0].helm_source.as_deref(),
            Some("chart/templates/svc.yaml")
        );
        assert_eq!(file.documents[1].helm_source, None);
        assert!(matches!(file.objects[2].typed, TypedObject::Workload(_)));
        assert!(matches!(file.objects[1].typed, TypedObject::Generic));
    }

    #[test]
    fn syntax_error_recovers_at_next_document() {
        let file = load("apiVersion: v1\nkind: Service\nmetadata: {name: a\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n");
        let syntax = at(&file, ProblemKind::Syntax);
        assert_eq!(syntax.len(), 1);
        assert_eq!(syntax[0].0.line, 3, "{syntax:?}");
        assert_eq!(file.objects.len(), 1);
        assert_eq!(file.objects[0].reference.name, "b");
    }

    #[test]
    fn duplicate_keys_point_at_both() {
        let file = load("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n");
        let problem = file
            .problems
            .iter()
            .find(|p| p.kind == ProblemKind::DuplicateKey)
            .unwrap();
        assert_eq!(
            file.source.position(problem.span.start as usize),
            Position { line: 5, column: 3 }
        );
        assert_eq!(
            file.source
                .position(problem.related[0].0.start as usize)
                .line,
            4
        );
        assert_eq!(file.objects[0].reference.name, "b");
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            text.push_str(&format!("l{i}: &l{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        let file = load(&text);
        assert_eq!(
            at(&file, ProblemKind::Unreadable).len(),
            1,
            "{:?}",
            file.problems
        );
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let file = load(&text);
        assert_eq!(
            at(&file, ProblemKind::Unreadable).len(),
            1,
            "{:?}",
            file.problems
        );
    }

    #[test]
    fn wrong_type_is_located_and_the_rest_still_reads() {
        let file = load("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  type: LoadBalancer\n  loadBalancerIP: 203.0.113.1\n  ports:\n  - port: eighty\n  - port: 443\n");
        let mismatches = at(&file, ProblemKind::SchemaMismatch);
        assert_eq!(mismatches.len(), 1, "{mismatches:?}");
        assert_eq!(
            mismatches[0].0,
            Position {
                line: 8,
                column: 11
            }
        );
        assert!(
            mismatches[0].1.contains("`spec.ports[0].port`"),
            "{}",
            mismatches[0].1
        );
        let TypedObject::Service(service) = &file.objects[0].typed else {
            panic!()
        };
        let spec = service.spec.as_ref().unwrap();
        assert_eq!(spec.load_balancer_ip.as_deref(), Some("203.0.113.1"));
        // `port` is required: the entry stays, with the field at its default.
        let ports = spec.ports.as_ref().unwrap();
        assert_eq!((ports[0].port, ports[1].port), (0, 443));
    }

    #[test]
    fn kubernetes_yaml_1_1_reading() {
        let file = load("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {enabled: true}\nspec:\n  hostNetwork: yes\n  nodeSelectr: {a: b}\n  containers:\n  - name: c\n    env: [{name: X, value: on}]\n  volumes:\n  - name: v\n    configMap: {name: x, defaultMode: 0644}\n");
        let mismatches = at(&file, ProblemKind::SchemaMismatch);
        let lines: Vec<usize> = mismatches.iter().map(|m| m.0.line).collect();
        assert_eq!(lines, [5, 8, 11], "{mismatches:?}");
        assert!(mismatches[1].1.contains("unknown field `spec.nodeSelectr`"));
        let TypedObject::Workload(pod) = &file.objects[0].typed else {
            panic!()
        };
        assert_eq!(pod.pod.as_ref().unwrap().host_network, Some(true));
        // Volumes are not kept typed; read from the tree, the octal mode is YAML 1.1's.
        let volumes = file
            .tree
            .lookup_keys(file.objects[0].node, &["spec", "volumes"]);
        let volume = file.tree.items(volumes.unwrap().value)[0];
        let volume = decode::<k8s_openapi::api::core::v1::Volume>(&file.tree, volume).value;
        let mode = volume.unwrap().config_map.unwrap().default_mode;
        assert_eq!(mode, Some(420));
    }

    #[test]
    fn removed_ingress_api_still_reads() {
        let file = load("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: i\n  annotations: {kubernetes.io/ingress.class: nginx}\nspec:\n  backend: {serviceName: s, servicePort: 80}\n");
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        assert!(file.objects[0].removed_api);
        assert!(matches!(file.objects[0].typed, TypedObject::Ingress(_)));
    }

    #[test]
    fn merge_keys_apply_and_explicit_keys_win() {
        let file = load("base: &b {name: x, namespace: ns}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: *b\n  name: real\n");
        assert_eq!(file.objects[0].reference.name, "real");
        assert_eq!(file.objects[0].reference.namespace.as_deref(), Some("ns"));
    }

    #[test]
    fn unrendered_templates_skip_the_file() {
        let file = load("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n");
        assert_eq!(
            at(&file, ProblemKind::TemplateUnrendered)[0].0,
            Position { line: 4, column: 9 }
        );
        assert!(file.objects.is_empty());
    }

    #[test]
    fn json_reads_with_positions() {
        let file = load("{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Service\",\n\t\"metadata\": {\"name\": \"j\"},\n\t\"spec\": {\"loadBalancerIP\": \"1.2.3.4\"}\n}\n");
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        let entry = file
            .tree
            .lookup_keys(file.objects[0].node, &["spec", "loadBalancerIP"])
            .unwrap();
        assert_eq!(
            file.source
                .position(file.tree.span(entry.key).start as usize),
            Position {
                line: 5,
                column: 11
            }
        );
    }
}
