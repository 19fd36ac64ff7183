//! What a rule sees: every loaded file and object, the knowledge, and the options.

use manifest::parse::{Entry, PathStep};
use manifest::{LoadedFile, Object, ObjectRef, Span};

use crate::detect::{self, Inventory, ObjectKey, Objects};
use crate::findings::{Finding, Location, Related, Severity};
use crate::knowledge::{knowledge, Knowledge};
use crate::load::Loaded;
use crate::translate::{self, Translation};

use super::RuleInfo;

/// Options that change what rules report.
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    /// `--provider`: the load-balancer implementation, when the user knows it.
    pub provider: Option<String>,
    /// `--namespace`: the namespace of objects that name none.
    pub namespace: String,
    /// Rules turned off.
    pub disabled: Vec<String>,
    /// Severities set by the configuration, by rule id.
    pub severities: std::collections::BTreeMap<String, Severity>,
    /// Suppressions from the configuration.
    pub suppressions: Vec<super::Suppression>,
    /// `clusters:` of the configuration: cross-object rules run within each.
    pub clusters: crate::release::clusters::Configured,
    /// `clusters: single`: one cluster, even where the repository's layout shows several.
    pub single_cluster: bool,
    /// `--to` (and `--from`): the pair the `*-on-target` rules check.
    pub migration: Option<translate::Migration>,
}

pub struct Context<'a> {
    pub files: &'a [LoadedFile],
    pub knowledge: &'static Knowledge,
    pub options: &'a RuleOptions,
    pub objects: Objects<'a>,
    /// Built once, before any rule runs.
    pub inventory: Inventory,
    /// With `--to`: every controller-specific annotation translated for the target.
    pub translation: Option<Translation>,
}

/// One object with the file it came from.
#[derive(Clone, Copy)]
pub struct ObjectView<'a> {
    pub file_index: usize,
    /// Index among the file's objects.
    pub index: usize,
    pub file: &'a LoadedFile,
    pub object: &'a Object,
    namespace: &'a str,
    /// The releases, for where an object rendered from one comes from.
    releases: &'a crate::release::Releases,
}

impl<'a> Context<'a> {
    /// A context over the files in `scope` (one cluster), or over every file.
    pub fn new(
        loaded: &'a Loaded,
        options: &'a RuleOptions,
        scope: Option<Vec<usize>>,
    ) -> Context<'a> {
        let objects = Objects::new(loaded, &options.namespace, scope);
        let inventory = detect::build(&objects, knowledge());
        let translation = options
            .migration
            .as_ref()
            .map(|migration| translate::translate(&objects, &inventory, knowledge(), migration));
        Context {
            files: &loaded.files,
            knowledge: knowledge(),
            options,
            objects,
            inventory,
            translation,
        }
    }

    /// Whether an object stands for a controller the input does not hold (managed, declared):
    /// only its classes, exposure and ports are known, not how it is configured.
    pub fn is_stand_in(&self, key: ObjectKey) -> bool {
        self.objects.releases.provenance(key).is_some_and(|p| {
            matches!(
                p.origin,
                crate::release::Origin::Managed | crate::release::Origin::Declared
            )
        })
    }

    /// The view of an object by key.
    pub fn view(&self, key: ObjectKey) -> ObjectView<'a> {
        let file = &self.files[key.file];
        ObjectView {
            file_index: key.file,
            index: key.index,
            file,
            object: &file.objects[key.index],
            namespace: &self.options.namespace,
            releases: self.objects.releases,
        }
    }

    /// Every object of the scope the rules run in (one cluster, or everything).
    pub fn objects(&self) -> impl Iterator<Item = ObjectView<'a>> + '_ {
        let namespace = self.options.namespace.as_str();
        let files = self.files;
        let releases = self.objects.releases;
        self.objects.iter().map(move |(key, object)| ObjectView {
            file_index: key.file,
            index: key.index,
            file: &files[key.file],
            object,
            namespace,
            releases,
        })
    }
}

impl<'a> ObjectView<'a> {
    pub fn key(&self) -> ObjectKey {
        ObjectKey {
            file: self.file_index,
            index: self.index,
        }
    }

    /// The reference with the default namespace filled in for namespaced kinds.
    pub fn reference(&self) -> ObjectRef {
        let mut reference = self.object.reference.clone();
        if reference.namespace.is_none() && !reference.is_cluster_scoped() {
            reference.namespace = Some(self.namespace.to_string());
        }
        reference
    }

    pub fn namespace(&self) -> &'a str {
        self.object
            .reference
            .namespace
            .as_deref()
            .unwrap_or(self.namespace)
    }

    /// The entry (key and value nodes) at a path below the object.
    pub fn lookup(&self, path: &[PathStep<'_>]) -> Option<Entry> {
        self.file.tree.lookup(self.object.node, path)
    }

    /// The span of the key at a path of mapping keys, else of the object.
    pub fn key_span(&self, keys: &[&str]) -> Span {
        self.file
            .tree
            .lookup_keys(self.object.node, keys)
            .map_or_else(|| self.object_span(), |e| self.file.tree.span(e.key))
    }

    pub fn value_span(&self, keys: &[&str]) -> Span {
        self.file
            .tree
            .lookup_keys(self.object.node, keys)
            .map_or_else(|| self.object_span(), |e| self.file.tree.span(e.value))
    }

    /// Where to point at the object as a whole: its `kind` key.
    pub fn object_span(&self) -> Span {
        let tree = &self.file.tree;
        tree.get(self.object.node, "kind")
            .map_or_else(|| tree.span(self.object.node), |e| tree.span(e.key))
    }

    /// The span of an annotation's key.
    pub fn annotation_span(&self, key: &str) -> Span {
        self.key_span(&["metadata", "annotations", key])
    }

    pub fn location(&self, span: Span) -> Location {
        Location::new(self.file_index, span)
    }

    /// A finding about this object at `span`, with its reference and Helm source.
    pub fn finding(&self, info: &RuleInfo, span: Span, message: impl Into<String>) -> Finding {
        self.finding_with(info, info.default_severity, span, message)
    }

    pub fn finding_with(
        &self,
        info: &RuleInfo,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        let mut finding = Finding::new(info.id, severity, self.location(span), message);
        finding.object = Some(self.reference());
        let values_release = self.releases.values_release(self.key());
        // Defined in a release's values: the release is the other side.
        if let Some(release) = values_release {
            let at = self.location(release.anchor);
            if at != finding.location {
                finding.related.push(Related {
                    location: at,
                    message: format!(
                        "the release whose values define it: {}",
                        release.declared_by
                    ),
                    object: None,
                });
            }
        }
        // Set by a Kustomize patch: the object it patches is the other side. (A values-defined
        // Ingress's values in another file are foreign too: its release is said above.)
        if span.foreign_file().is_some() && values_release.is_none() {
            finding.related.push(Related {
                location: self.location(self.object_span()),
                message: "the object this patch changes".into(),
                object: Some(self.reference()),
            });
        }
        finding.helm_source = self
            .file
            .documents
            .get(self.object.document)
            .and_then(|d| d.helm_source.as_deref().map(str::to_string));
        finding
    }
}

impl Context<'_> {
    /// Findings for the bad-input problems of one kind that loading recorded.
    pub fn problem_findings(
        &self,
        kind: manifest::ProblemKind,
        info: &RuleInfo,
        out: &mut Vec<Finding>,
    ) {
        // A file's problems are said in the scopes it is in (once, where it is in one).
        for file_index in self.objects.scope_files() {
            if !self.objects.in_scope(file_index) {
                continue;
            }
            let file = &self.files[file_index];
            for problem in file.problems.iter().filter(|p| p.kind == kind) {
                let location = Location::new(file_index, problem.span);
                let mut finding = Finding::new(
                    info.id,
                    info.default_severity,
                    location,
                    problem.message.clone(),
                );
                finding.help = problem.help.clone();
                if let Some(document) = problem.document {
                    finding.helm_source = file
                        .documents
                        .get(document)
                        .and_then(|d| d.helm_source.as_deref().map(str::to_string));
                    let mut objects = file
                        .objects
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| o.document == document);
                    if let (Some((index, object)), None) = (objects.next(), objects.next()) {
                        finding.object = Some(
                            ObjectView {
                                file_index,
                                index,
                                file,
                                object,
                                namespace: &self.options.namespace,
                                releases: self.objects.releases,
                            }
                            .reference(),
                        );
                    }
                }
                for (span, message) in &problem.related {
                    finding =
                        finding.related(Location::new(file_index, *span), message.clone(), None);
                }
                out.push(finding);
            }
        }
    }
}

/// An Ingress annotation under an ingress-nginx prefix, its key split.
pub struct NginxAnnotation<'a> {
    pub annotation: IngressAnnotation<'a>,
    pub prefix: &'a str,
    pub suffix: &'a str,
}

/// One annotation of an Ingress, with its key's node.
pub struct IngressAnnotation<'a> {
    pub view: ObjectView<'a>,
    pub key: &'a str,
    pub value: &'a str,
    pub span: Span,
}

impl<'a> Context<'a> {
    /// The Ingress annotations under an ingress-nginx prefix (the default, or a custom
    /// `--annotations-prefix` found on a controller), with the key's suffix.
    pub fn nginx_annotations(&self) -> impl Iterator<Item = NginxAnnotation<'a>> + '_ {
        let prefixes = self.inventory.nginx_prefixes();
        self.ingress_annotations().filter_map(move |annotation| {
            let (prefix, suffix) = annotation.key.split_once('/')?;
            prefixes
                .iter()
                .any(|p| p == prefix)
                .then_some(NginxAnnotation {
                    annotation,
                    prefix,
                    suffix,
                })
        })
    }

    /// Every annotation of every Ingress, in input order.
    pub fn ingress_annotations(&self) -> impl Iterator<Item = IngressAnnotation<'a>> + '_ {
        self.inventory.ingresses.iter().flat_map(move |entry| {
            let view = self.view(entry.key);
            view.object
                .annotations()
                .into_iter()
                .flatten()
                .map(move |(key, value)| IngressAnnotation {
                    view,
                    key,
                    value,
                    span: view.annotation_span(key),
                })
        })
    }
}
